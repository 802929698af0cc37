//! Numerical continuation of solution curves of `F(x, p) = 0`, `x ∈ Rⁿ`, `p ∈ R`, as AUTO and
//! MATCONT do it: Newton's method with an analytic or finite-difference Jacobian
//! ([`newton`]), pseudo-arclength continuation with step control and a consistently oriented
//! tangent ([`arclength`]), and detection of limit points (folds) and branch points with the
//! folds refined on the Moore–Spence extended system ([`fold`]).
//!
//! Problem-agnostic: a problem implements [`System`] (its residual, and optionally its Jacobian;
//! otherwise central differences are used).
//!
//! Every solver here returns an explicit status; nothing returns a silent NaN.
//!
//! ```
//! use nalgebra::{DMatrix, DVector};
//! use quantreplica::continuation::{arclength, Jacobian, System};
//!
//! /// The S-curve x³ − x − p = 0: two folds at p = ±2/(3√3).
//! struct S;
//! impl System for S {
//!     fn dim(&self) -> usize { 1 }
//!     fn residual(&self, x: &DVector<f64>, p: f64) -> Option<DVector<f64>> {
//!         Some(DVector::from_element(1, x[0].powi(3) - x[0] - p))
//!     }
//!     fn jacobian(&self, x: &DVector<f64>, _p: f64) -> Option<Jacobian> {
//!         Some(Jacobian {
//!             fx: DMatrix::from_element(1, 1, 3.0 * x[0] * x[0] - 1.0),
//!             fp: DVector::from_element(1, -1.0),
//!         })
//!     }
//! }
//! let opts = arclength::Options { p_min: -1.0, p_max: 1.0, ..Default::default() };
//! let curve = arclength::follow(&S, &DVector::from_element(1, -1.5), -0.9, 1.0, &opts);
//! assert_eq!(curve.folds.len(), 2);
//! let c = 2.0 / (3.0 * 3f64.sqrt());
//! assert!((curve.folds[0].p - c).abs() < 1e-10 && (curve.folds[1].p + c).abs() < 1e-10);
//! ```

pub mod arclength;
pub mod branches;
pub mod fold;
pub mod newton;
pub mod rs;

use nalgebra::{DMatrix, DVector};

/// The derivatives of `F` at a point: `F_x` (n × n) and `F_p` (n).
#[derive(Debug, Clone, PartialEq)]
pub struct Jacobian {
    /// `∂F/∂x`.
    pub fx: DMatrix<f64>,
    /// `∂F/∂p`.
    pub fp: DVector<f64>,
}

/// A smooth map `F: Rⁿ × R → Rⁿ` whose zero set is to be followed.
pub trait System {
    /// The dimension `n` of `x`.
    fn dim(&self) -> usize;

    /// `F(x, p)`, or `None` when `(x, p)` lies outside the domain of `F`.
    fn residual(&self, x: &DVector<f64>, p: f64) -> Option<DVector<f64>>;

    /// The Jacobian at `(x, p)`, or `None` outside the domain. The default is
    /// [`finite_difference_jacobian`]; override it with the analytic one when available.
    fn jacobian(&self, x: &DVector<f64>, p: f64) -> Option<Jacobian> {
        finite_difference_jacobian(self, x, p)
    }

    /// `F` and its Jacobian together (override when they share work).
    fn residual_and_jacobian(&self, x: &DVector<f64>, p: f64) -> Option<(DVector<f64>, Jacobian)> {
        Some((self.residual(x, p)?, self.jacobian(x, p)?))
    }

    /// `F` and `F_x` only (override when `F_p` is costly: Newton at fixed `p` and the fold
    /// conditions need only `F_x`).
    fn residual_and_fx(&self, x: &DVector<f64>, p: f64) -> Option<(DVector<f64>, DMatrix<f64>)> {
        let (f, j) = self.residual_and_jacobian(x, p)?;
        Some((f, j.fx))
    }

    /// Whether the solution `(x, p)` with Jacobian `j` is stable in the sense the problem
    /// defines (e.g. [`flow_stable`] for `dx/dt = F`, [`map_stable`] for fixed points of
    /// `x ↦ x + F`); `None` when the problem has no notion of stability.
    fn stable(&self, _x: &DVector<f64>, _p: f64, _j: &Jacobian) -> Option<bool> {
        None
    }
}

/// Relative step of the central differences: `ε^{1/3}` balances truncation (∝ h²) against
/// round-off (∝ ε/h).
const FD_STEP: f64 = 6.055e-6;

/// The step used for coordinate value `v`.
fn fd_step(v: f64) -> f64 {
    FD_STEP * v.abs().max(1.0)
}

/// Derivative of `f` at `v` along one coordinate by central differences, falling back to a
/// one-sided difference at the edge of the domain. `None` if neither side is in the domain.
fn fd_column<F>(f: F, v: f64, f0: &DVector<f64>) -> Option<DVector<f64>>
where
    F: Fn(f64) -> Option<DVector<f64>>,
{
    let h = fd_step(v);
    // Exactly representable steps: (v + h) − v == h.
    let (vp, vm) = (v + h, v - h);
    match (f(vp), f(vm)) {
        (Some(a), Some(b)) => Some((a - b) / (vp - vm)),
        (Some(a), None) => Some((a - f0) / (vp - v)),
        (None, Some(b)) => Some((f0 - b) / (v - vm)),
        (None, None) => None,
    }
}

/// `F_x` and `F_p` by central differences (one-sided at the edge of the domain); `None` when
/// `F` is undefined at `(x, p)`.
pub fn finite_difference_jacobian<S: System + ?Sized>(
    sys: &S,
    x: &DVector<f64>,
    p: f64,
) -> Option<Jacobian> {
    let n = sys.dim();
    let f0 = sys.residual(x, p)?;
    let mut fx = DMatrix::zeros(n, n);
    for j in 0..n {
        let col = fd_column(
            |v| {
                let mut y = x.clone();
                y[j] = v;
                sys.residual(&y, p)
            },
            x[j],
            &f0,
        )?;
        fx.set_column(j, &col);
    }
    let fp = fd_column(|v| sys.residual(x, v), p, &f0)?;
    Some(Jacobian { fx, fp })
}

/// The largest discrepancy between the system's own Jacobian and central differences at
/// `(x, p)`, relative to `1 + max |entry|`. A check for hand-written Jacobians: expect about
/// `1e-9` or less for a smooth `F` of moderate size.
pub fn jacobian_discrepancy<S: System + ?Sized>(sys: &S, x: &DVector<f64>, p: f64) -> Option<f64> {
    let a = sys.jacobian(x, p)?;
    let b = finite_difference_jacobian(sys, x, p)?;
    let scale = 1.0 + a.fx.amax().max(a.fp.amax());
    let d = (&a.fx - &b.fx).amax().max((&a.fp - &b.fp).amax());
    Some(d / scale)
}

/// Linear stability of an equilibrium of the flow `dx/dt = F(x, p)`: every eigenvalue of `F_x`
/// has a negative real part.
pub fn flow_stable(j: &Jacobian) -> bool {
    j.fx.complex_eigenvalues().iter().all(|l| l.re < 0.0)
}

/// The spectral radius of `I + F_x`: the Jacobian of the map `G(x) = x + F(x, p)` at a fixed
/// point. Fixed-point iteration of `G` converges locally iff it is below one.
pub fn map_spectral_radius(j: &Jacobian) -> f64 {
    let n = j.fx.nrows();
    let g = &j.fx + DMatrix::<f64>::identity(n, n);
    g.complex_eigenvalues()
        .iter()
        .map(|l| l.norm())
        .fold(0.0, f64::max)
}

/// Linear stability of a fixed point of the map `G(x) = x + F(x, p)`:
/// [`map_spectral_radius`] below one.
pub fn map_stable(j: &Jacobian) -> bool {
    map_spectral_radius(j) < 1.0
}

/// Infinity norm of a vector.
pub(crate) fn inf_norm(v: &DVector<f64>) -> f64 {
    v.amax()
}
