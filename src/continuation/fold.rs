//! Limit points (folds) and branch points of a solution curve.
//!
//! A fold is a point where `F_x` has a one-dimensional null space `v` and the curve turns
//! back in `p`. It is refined on the Moore–Spence extended system
//!
//! ```text
//!   F(x, p) = 0,   F_x(x, p) v = 0,   lᵀ v = 1        (2n + 1 equations, unknowns x, p, v)
//! ```
//!
//! which is regular at a nondegenerate fold, so Newton converges quadratically to it. Its
//! Jacobian needs the second derivatives `F_xx[v, ·]` and `F_xp v`, taken here by central
//! differences of the Jacobian (`F_xx[v, ·] = d/dε F_x(x + εv)` by symmetry of second
//! derivatives: two Jacobian evaluations), so only `F` and `F_x` are needed from the problem.
//! When Newton fails, the fold is bracketed along the curve and located by Brent's method on the
//! tangent's parameter component. A fold is reported with its null vector and its curvature
//! `κ`: near the fold `p ≈ p* + κ ξ²` along `x ≈ x* + ξ v`, so the curve lies on the side
//! `sign(κ)` of `p*`; `κ → 0` at a cusp.
//!
//! Folds of a two-parameter family trace curves; [`FoldCurve`] is the extended system as a
//! one-parameter [`System`] in the second parameter, so the same continuation follows a fold
//! curve, and the folds of that curve (turning points in the second parameter) are cusps.

use super::arclength::{correct, Point, State};
use super::newton;
use super::{Jacobian, System};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// How a fold was located.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FoldMethod {
    /// Newton on the Moore–Spence extended system.
    MooreSpence,
    /// Brent's method on `ψ_fold = t_p` along the curve (after Moore–Spence failed).
    Bracketed,
    /// Linear interpolation of `ψ_fold` between the bracketing points (not refined).
    Interpolated,
}

/// A limit point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fold {
    /// The state at the fold.
    pub x: Vec<f64>,
    /// The parameter at the fold.
    pub p: f64,
    /// Unit null vector `v` of `F_x`.
    pub null_vector: Vec<f64>,
    /// `κ = −½ wᵀF_xx[v,v] / wᵀF_p` (`w` the left null vector): `p ≈ p* + κ ξ²` near the fold.
    pub curvature: f64,
    /// How it was located.
    pub method: FoldMethod,
    /// Whether the refinement converged (false: `x`, `p` are the best estimate, not a solution).
    pub converged: bool,
    /// `max |F|` at the reported point.
    pub residual: f64,
    /// Index of the curve point just before the fold.
    pub after: usize,
}

/// A simple branch point (where `det [F_x F_p; tᵀ]` changes sign), located by linear
/// interpolation of that determinant; not refined and not switched onto.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BranchPoint {
    /// Interpolated state.
    pub x: Vec<f64>,
    /// Interpolated parameter.
    pub p: f64,
    /// Index of the curve point just before it.
    pub after: usize,
}

pub(crate) fn flag_branch_point(a: &Point, b: &Point, after: usize) -> BranchPoint {
    let w = a.bp_test / (a.bp_test - b.bp_test);
    BranchPoint {
        x: a.x.iter().zip(&b.x).map(|(u, v)| u + w * (v - u)).collect(),
        p: a.p + w * (b.p - a.p),
        after,
    }
}

/// Step of the second-derivative differences for a vector of size `scale`.
fn step(scale: f64) -> f64 {
    6.055e-6 * scale.max(1.0)
}

/// `(F_x(x + εd, p) − F_x(x − εd, p)) / 2ε` (one-sided at the edge of the domain).
fn dfx_along<S: System + ?Sized>(
    sys: &S,
    x: &DVector<f64>,
    p: f64,
    d: &DVector<f64>,
) -> Option<DMatrix<f64>> {
    let e = step(x.amax()) / d.amax().max(1e-300);
    let fx = |y: &DVector<f64>, q: f64| sys.residual_and_fx(y, q).map(|r| r.1);
    match (fx(&(x + e * d), p), fx(&(x - e * d), p)) {
        (Some(a), Some(b)) => Some((a - b) / (2.0 * e)),
        (Some(a), None) => Some((a - fx(x, p)?) / e),
        (None, Some(b)) => Some((fx(x, p)? - b) / e),
        (None, None) => None,
    }
}

/// `(F_x(x, p + ε) − F_x(x, p − ε)) / 2ε` (one-sided at the edge of the domain).
fn dfx_dp<S: System + ?Sized>(sys: &S, x: &DVector<f64>, p: f64) -> Option<DMatrix<f64>> {
    let e = step(p.abs());
    let (pp, pm) = (p + e, p - e);
    let fx = |q: f64| sys.residual_and_fx(x, q).map(|r| r.1);
    match (fx(pp), fx(pm)) {
        (Some(a), Some(b)) => Some((a - b) / (pp - pm)),
        (Some(a), None) => Some((a - fx(p)?) / (pp - p)),
        (None, Some(b)) => Some((fx(p)? - b) / (p - pm)),
        (None, None) => None,
    }
}

/// The unit left and right singular vectors of the smallest singular value of `m`.
fn null_pair(m: &DMatrix<f64>) -> Option<(DVector<f64>, DVector<f64>)> {
    let svd = m.clone().svd(true, true);
    let k = svd.singular_values.argmin().0;
    let w = svd.u?.column(k).into_owned();
    let v = svd.v_t?.row(k).transpose();
    Some((w, v))
}

/// `κ = −½ wᵀF_xx[v,v] / wᵀF_p` at a fold with unit null vector `v`.
fn curvature<S: System + ?Sized>(
    sys: &S,
    x: &DVector<f64>,
    p: f64,
    j: &Jacobian,
) -> Option<(f64, DVector<f64>)> {
    let (w, v) = null_pair(&j.fx)?;
    let b = dfx_along(sys, x, p, &v)?;
    let fxx_vv = b * &v;
    let k = -0.5 * w.dot(&fxx_vv) / w.dot(&j.fp);
    Some((k, v))
}

/// Solves the Moore–Spence system from `(x0, p0, v0)` with normalization `l = v0`.
pub fn moore_spence<S: System + ?Sized>(
    sys: &S,
    x0: &DVector<f64>,
    p0: f64,
    v0: &DVector<f64>,
    opts: &newton::Options,
) -> newton::Outcome {
    let n = sys.dim();
    let l = v0 / v0.norm_squared();
    let mut z0 = DVector::zeros(2 * n + 1);
    z0.rows_mut(0, n).copy_from(x0);
    z0[n] = p0;
    z0.rows_mut(n + 1, n).copy_from(v0);
    newton::solve(
        |z| {
            let x = z.rows(0, n).into_owned();
            let p = z[n];
            let v = z.rows(n + 1, n).into_owned();
            let (f, j) = sys.residual_and_jacobian(&x, p)?;
            let b = dfx_along(sys, &x, p, &v)?;
            let c = dfx_dp(sys, &x, p)? * &v;
            let mut g = DVector::zeros(2 * n + 1);
            g.rows_mut(0, n).copy_from(&f);
            g.rows_mut(n, n).copy_from(&(&j.fx * &v));
            g[2 * n] = l.dot(&v) - 1.0;
            let mut m = DMatrix::zeros(2 * n + 1, 2 * n + 1);
            m.view_mut((0, 0), (n, n)).copy_from(&j.fx);
            m.view_mut((0, n), (n, 1)).copy_from(&j.fp);
            m.view_mut((n, 0), (n, n)).copy_from(&b);
            m.view_mut((n, n), (n, 1)).copy_from(&c);
            m.view_mut((n, n + 1), (n, n)).copy_from(&j.fx);
            m.view_mut((2 * n, n + 1), (1, n)).copy_from(&l.transpose());
            Some((g, m))
        },
        &z0,
        opts,
    )
}

/// The fold between accepted states `a` and `b` (where `t_p` changes sign), from linear
/// interpolation of `t_p`, without refinement.
pub(crate) fn interpolate<S: System + ?Sized>(
    sys: &S,
    a: &State,
    b: &State,
    p_scale: f64,
    after: usize,
) -> Fold {
    let n = sys.dim();
    let w = a.t[n] / (a.t[n] - b.t[n]);
    let u = &a.u + w * (&b.u - &a.u);
    let t = &a.t + w * (&b.t - &a.t);
    let v = t.rows(0, n).normalize();
    let x = u.rows(0, n).into_owned();
    let p = u[n] * p_scale;
    let residual = sys.residual(&x, p).map_or(f64::INFINITY, |f| f.amax());
    Fold {
        x: x.iter().copied().collect(),
        p,
        null_vector: v.iter().copied().collect(),
        curvature: f64::NAN,
        method: FoldMethod::Interpolated,
        converged: false,
        residual,
        after,
    }
}

/// Locates the fold between accepted states `a` and `b`: Moore–Spence from the interpolated
/// guess, or, if that fails, lands away from the bracket or on one of the `known` folds,
/// Brent's method on `t_p` along the curve.
pub(crate) fn refine<S: System + ?Sized>(
    sys: &S,
    a: &State,
    b: &State,
    opts: &super::arclength::Options,
    after: usize,
    known: &[Fold],
) -> Fold {
    let n = sys.dim();
    let ps = opts.p_scale;
    let guess = interpolate(sys, a, b, ps, after);
    let x0 = DVector::from_column_slice(&guess.x);
    let v0 = DVector::from_column_slice(&guess.null_vector);
    let chord = (&b.u - &a.u).norm();
    let out = moore_spence(sys, &x0, guess.p, &v0, &opts.fold);
    if out.status.is_converged() {
        let x = out.z.rows(0, n).into_owned();
        let p = out.z[n];
        let u = x.clone().insert_row(n, p / ps);
        // The fold must lie within the bracket: along the chord, and close to it (near a cusp a
        // neighbouring fold can attract Newton from the interpolated guess).
        let along = (&u - &a.u).dot(&(&b.u - &a.u)) / (chord * chord).max(f64::MIN_POSITIVE);
        let off = (&u - &a.u - along * (&b.u - &a.u)).norm();
        // A fold already found elsewhere on the curve is not this one.
        let seen = known.iter().any(|f| {
            (f.p - p).abs() <= 1e-9 * (1.0 + p.abs())
                && f.x
                    .iter()
                    .zip(x.iter())
                    .all(|(u, v)| (u - v).abs() <= 1e-9 * (1.0 + v.abs()))
        });
        let near = (-0.25..=1.25).contains(&along) && off <= chord && !seen;
        if near {
            if let Some(j) = sys.jacobian(&x, p) {
                let (kappa, v) = curvature(sys, &x, p, &j)
                    .unwrap_or((f64::NAN, out.z.rows(n + 1, n).normalize()));
                // Orient the null vector along the direction of travel.
                let v = if v.dot(&a.t.rows(0, n)) < 0.0 { -v } else { v };
                let residual = sys.residual(&x, p).map_or(f64::INFINITY, |f| f.amax());
                return Fold {
                    x: x.iter().copied().collect(),
                    p,
                    null_vector: v.iter().copied().collect(),
                    curvature: kappa,
                    method: FoldMethod::MooreSpence,
                    converged: true,
                    residual,
                    after,
                };
            }
        }
    }
    bracketed(sys, a, b, opts, after).unwrap_or(guess)
}

/// Brent's method on `t_p(σ)`, where `σ` is the distance along `a`'s tangent and the point is
/// corrected onto the curve on the hyperplane through `a.u + σ a.t`.
fn bracketed<S: System + ?Sized>(
    sys: &S,
    a: &State,
    b: &State,
    opts: &super::arclength::Options,
    after: usize,
) -> Option<Fold> {
    let n = sys.dim();
    let ps = opts.p_scale;
    let at = |sigma: f64| -> Option<State> {
        let pred = &a.u + sigma * &a.t;
        let out = correct(sys, &pred, &a.t, ps, &opts.corrector);
        if !out.status.is_converged() {
            return None;
        }
        let x = out.z.rows(0, n).into_owned();
        let jac = sys.jacobian(&x, out.z[n] * ps)?;
        let m = {
            let mut aug = DMatrix::zeros(n, n + 1);
            aug.view_mut((0, 0), (n, n)).copy_from(&jac.fx);
            aug.set_column(n, &(&jac.fp * ps));
            aug
        };
        let t = super::arclength::null_vector(&m)?;
        let t = if t.dot(&a.t) < 0.0 { -t } else { t };
        Some(State {
            u: out.z,
            t,
            jac,
            residual: out.residual,
        })
    };
    let hi = a.t.dot(&(&b.u - &a.u));
    let psi = |sigma: f64| at(sigma).map_or(f64::NAN, |s| s.t[n]);
    let sigma = crate::optimize::brent_root(psi, 0.0, hi, 1e-14 * hi.abs().max(1e-300)).ok()?;
    let st = at(sigma)?;
    let x = st.u.rows(0, n).into_owned();
    let p = st.u[n] * ps;
    let (kappa, v) = curvature(sys, &x, p, &st.jac)?;
    let v = if v.dot(&a.t.rows(0, n)) < 0.0 { -v } else { v };
    Some(Fold {
        x: x.iter().copied().collect(),
        p,
        null_vector: v.iter().copied().collect(),
        curvature: kappa,
        method: FoldMethod::Bracketed,
        converged: true,
        residual: st.residual,
        after,
    })
}

/// The Moore–Spence system of a two-parameter family as a one-parameter system in the second
/// parameter `p2`: the state is `z = (x, p1, v)`; its solution curve is the fold curve in the
/// `(p1, p2)` plane, and its own folds (turning points in `p2`) are cusps.
pub struct FoldCurve<F> {
    family: F,
    n: usize,
    l: DVector<f64>,
}

impl<F, S> FoldCurve<F>
where
    F: Fn(f64) -> Option<S>,
    S: System,
{
    /// The fold-curve system of `family` (the one-parameter system at each `p2`), normalized by
    /// the null vector of a known fold of `family(p2)` (see [`FoldCurve::start`]).
    pub fn new(family: F, fold: &Fold) -> Self {
        let l = DVector::from_column_slice(&fold.null_vector);
        FoldCurve {
            n: l.len(),
            l: &l / l.norm_squared(),
            family,
        }
    }

    /// The state `(x, p1, v)` of a known fold.
    pub fn start(&self, fold: &Fold) -> DVector<f64> {
        let mut z = DVector::zeros(2 * self.n + 1);
        z.rows_mut(0, self.n).copy_from_slice(&fold.x);
        z[self.n] = fold.p;
        z.rows_mut(self.n + 1, self.n)
            .copy_from_slice(&fold.null_vector);
        z
    }
}

impl<F, S> System for FoldCurve<F>
where
    F: Fn(f64) -> Option<S>,
    S: System,
{
    fn dim(&self) -> usize {
        2 * self.n + 1
    }

    fn residual(&self, z: &DVector<f64>, p2: f64) -> Option<DVector<f64>> {
        let n = self.n;
        let sys = (self.family)(p2)?;
        let x = z.rows(0, n).into_owned();
        let v = z.rows(n + 1, n).into_owned();
        let (f, fx) = sys.residual_and_fx(&x, z[n])?;
        let mut g = DVector::zeros(2 * n + 1);
        g.rows_mut(0, n).copy_from(&f);
        g.rows_mut(n, n).copy_from(&(&fx * &v));
        g[2 * n] = self.l.dot(&v) - 1.0;
        Some(g)
    }
}
