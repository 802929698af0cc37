//! The RS saddle-point equations as a continuation problem: `F(x, p) = G(x; p) − x`, with `G`
//! the RS map of [`crate::rs`] (`x = (m, q, Q)` at finite β, `(m, q, r = 1/(1+χ))` at β = ∞) and
//! `p` any scalar on which the model depends (α, σ², ω, β, λ, ρ, or a path such as the
//! Bayes-optimal line β = 1/σ²).
//!
//! **Jacobian at finite β** (analytic). The map is an average over the teacher measure of the
//! student's posterior moments under `p(s) ∝ π(s) exp(−(a/2) s² + h s)`, `h = m̂ w0 + √q̂ z`,
//! where the conjugates `(a, m̂, q̂)` are functions of `(m, q, Q)` set by the output channel
//! (Gaussian: `m̂ = Â = αβ/(1+βΔ)`, `a = Â + βλ`, `q̂ = Â² E/α`, differentiated in closed form;
//! any other channel: central differences of its conjugates). The chain rule goes through
//! the conjugates: with `μ = ⟨s⟩` and the central moments `c2, c3, c4` of the local posterior,
//! `∂μ/∂h = c2`, `∂μ/∂a = −½K`, `∂⟨s²⟩/∂h = K`, `∂⟨s²⟩/∂a = −½V`, where
//! `K = Cov(s, s²) = c3 + 2μc2` and `V = Var(s²) = c4 − c2² + 4μc3 + 4μ²c2`; `∂/∂m̂` brings
//! down `w0` (averaged as `E[w0 | h]` and `E[w0² | h]` over Gaussian teacher components), and
//! `∂/∂q̂ E[f(h)] = ½ E[∂²_h f(h)]` (Stein's lemma / heat equation), which needs
//! `∂²_h μ = c3`, `∂²_h μ² = 2c2² + 2μc3`, `∂²_h ⟨s²⟩ = c4 − c2² + 2μc3`. Each derivative is one
//! more component of the same adaptive quadrature with the same breakpoints as the map.
//! `∂F/∂p` is a central difference of the map (the parameter may be a level width, which moves
//! the levels). At β = ∞ the Jacobian is taken by central differences of the closed-form map.
//!
//! **Stability** of a fixed point: see [`super::branches`] (spectral radius of `∂G/∂x`, and the
//! curvature of the free entropy along the Nishimori manifold). The RS free entropy depends on
//! the state only through `(Δ, E) = (Q − q, ρ − 2m + q + σ²)` (the Gaussian channel sees nothing
//! else), and [`free_entropy_hessian`] gives its Hessian in those coordinates.

use super::{finite_difference_jacobian, map_stable, Jacobian, System};
use crate::error::Result;
use crate::model::channel::RsState;
use crate::model::field::Field;
use crate::model::{Channel, Model, OutputChannel, Student};
use crate::quad::Tolerance;
use crate::rs::{finite, zero};
use nalgebra::{DMatrix, DVector, Matrix2, Matrix3};

/// Relative weight below which a level is dropped from a posterior sum (as the map).
const CUTOFF: f64 = 40.0;

/// Quadrature tolerance of the derivative integrals: the Jacobian steers Newton and sets the
/// fold condition `F_x v = 0`; 1e-11 keeps folds at ~1e-10 in the parameter.
const JAC_TOL: Tolerance = Tolerance {
    abs: 1e-11,
    rel: 1e-10,
    max_intervals: 20_000,
};

/// Mean and central moments `(μ, c2, c3, c4)` of `p(s) ∝ π(s) exp(−(a/2)s² + h s)`.
pub fn posterior_moments(student: &Student, a: f64, h: f64) -> [f64; 4] {
    let l = match student {
        Student::Continuous => return [h / a, 1.0 / a, 0.0, 3.0 / (a * a)],
        Student::Discrete(l) => l,
    };
    let v = l.values();
    let k = v.len();
    let counting = l.is_counting();
    // Dense even grid with the posterior far inside: Gaussian to double precision (the same
    // Poisson-summation argument as the map's closed form).
    if counting && a > 0.0 && k > 2 {
        let d = (v[k - 1] - v[0]) / (k - 1) as f64;
        let c = h / a;
        let reach = (2.0 * CUTOFF / a).sqrt() + d;
        let even = v.windows(2).all(|w| ((w[1] - w[0]) - d).abs() <= 1e-12 * d);
        if even && a * d * d <= 0.4 && c - v[0] >= reach && v[k - 1] - c >= reach {
            return [c, 1.0 / a, 0.0, 3.0 / (a * a)];
        }
    }
    let expo = |i: usize| l.log_weight(i) - 0.5 * a * v[i] * v[i] + h * v[i];
    let (lo, hi, imax) = if counting && a > 0.0 {
        let c = h / a;
        let j = v.partition_point(|x| *x < c);
        let imax = if j == 0 {
            0
        } else if j == k || c - v[j - 1] < v[j] - c {
            j - 1
        } else {
            j
        };
        let mut lo = imax;
        while lo > 0 && l.relative_exponent(a, h, lo - 1, imax) > -CUTOFF {
            lo -= 1;
        }
        let mut hi = imax;
        while hi + 1 < k && l.relative_exponent(a, h, hi + 1, imax) > -CUTOFF {
            hi += 1;
        }
        (lo, hi, imax)
    } else {
        let imax = (0..k)
            .max_by(|&x, &y| expo(x).total_cmp(&expo(y)))
            .unwrap_or(0);
        (0, k - 1, imax)
    };
    let sref = v[imax];
    let mut s = [0.0f64; 5];
    for (i, &vi) in v.iter().enumerate().take(hi + 1).skip(lo) {
        let w = l.relative_exponent(a, h, i, imax).exp();
        let d = vi - sref;
        let mut p = w;
        for sk in s.iter_mut() {
            *sk += p;
            p *= d;
        }
    }
    let (m1, m2, m3, m4) = (s[1] / s[0], s[2] / s[0], s[3] / s[0], s[4] / s[0]);
    let c2 = (m2 - m1 * m1).max(0.0);
    let c3 = m3 - 3.0 * m1 * m2 + 2.0 * m1 * m1 * m1;
    let c4 = (m4 - 4.0 * m1 * m3 + 6.0 * m1 * m1 * m2 - 3.0 * m1.powi(4)).max(0.0);
    [sref + m1, c2, c3, c4]
}

/// The conjugates of a finite-β state and their derivatives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conjugates {
    /// Quadratic coefficient of the local posterior, ridge included (`a + βλ`).
    pub a: f64,
    /// `m̂`, the coefficient of `w0` in the field.
    pub m_hat: f64,
    /// `q̂`, the variance of the noise in the field.
    pub q_hat: f64,
    /// The field in the channel's form (for the teacher measure).
    pub field: Field,
    /// `∂(a, m̂, q̂)/∂(m, q, Q)` (rows: conjugates).
    pub d: Matrix3<f64>,
}

/// `(a, m̂, q̂)` of the model's channel at `x = (m, q, Q)` (ridge not included), and the field.
fn raw_conjugates(model: &Model, x: &[f64]) -> Option<([f64; 3], Field)> {
    let state = RsState::new(model.alpha, model.beta, model.rho(), x[0], x[1], x[2])?;
    let c = model.channel.rs_conjugates(&state)?;
    Some(([c.a, c.m_hat, c.q_hat], c.field))
}

/// The channel's conjugates at `(m, q, Q)` and their derivatives, or `None` outside the domain.
pub fn conjugates(model: &Model, x: &[f64]) -> Option<Conjugates> {
    let (c, field) = raw_conjugates(model, x)?;
    let d = if matches!(model.channel, Channel::Gaussian(_)) {
        // Â = αβ/(1+βΔ): dÂ/dΔ = −Â²/α with Δ = Q − q; q̂ = Â² E/α with E = ρ − 2m + q + σ².
        let (alpha, ah) = (model.alpha, c[0]);
        let e = alpha * c[2] / (ah * ah);
        let dd = -ah * ah / alpha;
        let dah = [0.0, -dd, dd];
        let de = [-2.0, 1.0, 0.0];
        let dqh = [0, 1, 2].map(|j| 2.0 * ah * e / alpha * dah[j] + ah * ah / alpha * de[j]);
        Matrix3::from_row_slice(&[
            dah[0], dah[1], dah[2], dah[0], dah[1], dah[2], dqh[0], dqh[1], dqh[2],
        ])
    } else {
        let mut d = Matrix3::zeros();
        for j in 0..3 {
            let h = 6.055e-6 * x[j].abs().max(1e-3);
            let at = |v: f64| {
                let mut y = [x[0], x[1], x[2]];
                y[j] = v;
                raw_conjugates(model, &y).map(|r| r.0)
            };
            let col = match (at(x[j] + h), at(x[j] - h)) {
                (Some(a), Some(b)) => [0, 1, 2].map(|i| (a[i] - b[i]) / (2.0 * h)),
                (Some(a), None) => [0, 1, 2].map(|i| (a[i] - c[i]) / h),
                (None, Some(b)) => [0, 1, 2].map(|i| (c[i] - b[i]) / h),
                (None, None) => return None,
            };
            for i in 0..3 {
                d[(i, j)] = col[i];
            }
        }
        d
    };
    Some(Conjugates {
        a: c[0] + model.beta_ridge(),
        m_hat: c[1],
        q_hat: c[2],
        field,
        d,
    })
}

/// `∂(G_m, G_q, G_Q)/∂(a, m̂, q̂)` (rows: outputs) of the averages
/// `G_m = E[w0 μ]`, `G_q = E[μ²]`, `G_Q = E[⟨s²⟩]` over the teacher measure of the field (the
/// map's own quadrature, [`crate::model::TeacherPrior::field_average`]), and whether every
/// quadrature converged.
pub fn entropic_derivatives(model: &Model, c: &Conjugates, tol: Tolerance) -> (Matrix3<f64>, bool) {
    let steps = model.student.steps(c.a / c.field.gain);
    let r = model.teacher.field_average(c.field, &steps, tol, |n| {
        let (wt, w1) = (n.weight, n.w0);
        // E[w0² | h] within the component.
        let w2 = w1 * w1 + n.w0_var;
        let [mu, c2, c3, c4] = posterior_moments(&model.student, c.a, n.h);
        let k = c3 + 2.0 * mu * c2;
        let v = c4 - c2 * c2 + 4.0 * mu * c3 + 4.0 * mu * mu * c2;
        [
            wt * (-0.5 * w1 * k),
            wt * (-mu * k),
            wt * (-0.5 * v),
            wt * (w2 * c2),
            wt * (2.0 * w1 * mu * c2),
            wt * (w1 * k),
            wt * (0.5 * w1 * c3),
            wt * (c2 * c2 + mu * c3),
            wt * (0.5 * (c4 - c2 * c2 + 2.0 * mu * c3)),
        ]
    });
    let out = r.value;
    // Columns (a, m̂, q̂), rows (m, q, Q).
    let d = Matrix3::from_row_slice(&[
        out[0], out[3], out[6], out[1], out[4], out[7], out[2], out[5], out[8],
    ]);
    (d, r.accurate)
}

/// `∂G/∂x` of the finite-β RS map at `x = (m, q, Q)`, analytic (see the module notes).
pub fn map_jacobian(model: &Model, x: &[f64], tol: Tolerance) -> Option<Matrix3<f64>> {
    let c = conjugates(model, x)?;
    let (dg, _) = entropic_derivatives(model, &c, tol);
    let j = dg * c.d;
    j.iter().all(|v| v.is_finite()).then_some(j)
}

/// The Hessian of the reduced RS free entropy `Φ(Δ, E)` at a finite-β fixed point
/// `x = (m, q, Q)`, in the coordinates `(Δ, E) = (Q − q, ρ − 2m + q + σ²)`, for the Gaussian
/// channel (`None` for any other).
///
/// `φ(x)` with the conjugates at their saddle values depends on `x` only through `(Δ, E)`; its
/// gradient is `Jᵀ g` with `J = ∂(Â, q̂)/∂(Δ, E)` and `g = (F_m − ½F_Q, ½(F_Q − F_q))`, which
/// vanishes exactly at the fixed points; at a fixed point the Hessian is `Jᵀ ∂g/∂(Δ, E)`.
pub fn free_entropy_hessian(model: &Model, x: &[f64], tol: Tolerance) -> Option<Matrix2<f64>> {
    if !matches!(model.channel, Channel::Gaussian(_)) {
        return None;
    }
    let c = conjugates(model, x)?;
    let ch = finite::channel(model, x[0], x[1], x[2])?;
    let (dg, _) = entropic_derivatives(model, &c, tol);
    let (alpha, ah, e) = (model.alpha, ch.a_hat, ch.e);
    // (Â, q̂) as functions of (Δ, E); a = Â + βλ and m̂ = Â move together.
    let dah_dd = -ah * ah / alpha;
    let dqh_dd = 2.0 * ah * e / alpha * dah_dd;
    let dqh_de = ah * ah / alpha;
    let dg_dah = dg.column(0) + dg.column(1);
    let dg_dqh = dg.column(2).into_owned();
    let dg_dd = dg_dah * dah_dd + dg_dqh * dqh_dd;
    let dg_de = dg_dqh * dqh_de;
    // g1 = G_m − ½G_Q − ½(ρ + σ² − E − Δ), g2 = ½(G_Q − G_q) − ½Δ.
    let dgm = Matrix2::new(
        dg_dd[0] - 0.5 * dg_dd[2] + 0.5,
        dg_de[0] - 0.5 * dg_de[2] + 0.5,
        0.5 * (dg_dd[2] - dg_dd[1]) - 0.5,
        0.5 * (dg_de[2] - dg_de[1]),
    );
    let j = Matrix2::new(dah_dd, 0.0, dqh_dd, dqh_de);
    Some(j.transpose() * dgm)
}

/// Tolerance of the Nishimori-manifold test `|m − q|, |Q − ρ|`.
const NISHIMORI_TOL: f64 = 1e-8;

/// `d²Φ/dq² = (1, 1) H (1, 1)ᵀ`, the curvature of the free entropy along the Nishimori manifold
/// (`m = q`, `Q = ρ`, so `dΔ = dE = −dq`), when the finite-β fixed point `x` lies on it.
pub fn nishimori_curvature(model: &Model, x: &[f64], h: &Matrix2<f64>) -> Option<f64> {
    let on = !crate::rs::collapses(model)
        && (x[0] - x[1]).abs() < NISHIMORI_TOL * (1.0 + x[1].abs())
        && (x[2] - model.rho()).abs() < NISHIMORI_TOL * (1.0 + model.rho());
    on.then(|| h[(0, 0)] + h[(0, 1)] + h[(1, 0)] + h[(1, 1)])
}

/// The RS equations `F(x, p) = G(x; model(p)) − x` as a continuation problem.
pub struct RsSystem<'a> {
    make: Box<dyn Fn(f64) -> Result<Model> + 'a>,
    quad: Tolerance,
}

impl<'a> RsSystem<'a> {
    /// The system of the model family `make` (the model at parameter `p`), with the map's
    /// quadrature tolerance `quad`.
    pub fn new(make: impl Fn(f64) -> Result<Model> + 'a, quad: Tolerance) -> Self {
        RsSystem {
            make: Box::new(make),
            quad,
        }
    }

    /// The model at `p`, if it can be built.
    pub fn model(&self, p: f64) -> Option<Model> {
        (self.make)(p).ok()
    }

    fn g(&self, model: &Model, x: &DVector<f64>) -> Option<DVector<f64>> {
        let out = if crate::rs::collapses(model) {
            zero::map(model, model.student.levels()?, x.as_slice())?
        } else {
            finite::map(model, x.as_slice(), self.quad)?
        };
        Some(DVector::from_column_slice(&out))
    }

    fn f(&self, model: &Model, x: &DVector<f64>) -> Option<DVector<f64>> {
        // A posterior too sharp for the finite-β quadrature is outside the domain: the map is
        // not accurate there (crate::rs::frozen).
        if !model.zero_temperature() {
            let ch = finite::channel(model, x[0], x[1], x[2])?;
            if crate::rs::frozen::is_frozen(model, ch.a_hat, ch.e) {
                return None;
            }
        }
        Some(self.g(model, x)? - x)
    }

    /// `∂F/∂p` by central differences of the map in `p` (one-sided where the model cannot be
    /// built, e.g. at σ² = 0).
    fn fp(&self, x: &DVector<f64>, p: f64, f0: &DVector<f64>) -> Option<DVector<f64>> {
        let h = 6.055e-6 * p.abs().max(1e-3);
        let (pp, pm) = (p + h, p - h);
        let at = |q: f64| self.model(q).and_then(|m| self.f(&m, x));
        match (at(pp), at(pm)) {
            (Some(a), Some(b)) => Some((a - b) / (pp - pm)),
            (Some(a), None) => Some((a - f0) / (pp - p)),
            (None, Some(b)) => Some((f0 - b) / (p - pm)),
            (None, None) => None,
        }
    }
}

impl System for RsSystem<'_> {
    fn dim(&self) -> usize {
        3
    }

    fn residual(&self, x: &DVector<f64>, p: f64) -> Option<DVector<f64>> {
        let model = self.model(p)?;
        self.f(&model, x)
    }

    fn jacobian(&self, x: &DVector<f64>, p: f64) -> Option<Jacobian> {
        Some(self.residual_and_jacobian(x, p)?.1)
    }

    fn residual_and_jacobian(&self, x: &DVector<f64>, p: f64) -> Option<(DVector<f64>, Jacobian)> {
        let model = self.model(p)?;
        if crate::rs::collapses(&model) {
            let j = finite_difference_jacobian(self, x, p)?;
            return Some((self.f(&model, x)?, j));
        }
        let (f0, fx) = self.residual_and_fx(x, p)?;
        let fp = self.fp(x, p, &f0)?;
        Some((f0, Jacobian { fx, fp }))
    }

    fn residual_and_fx(&self, x: &DVector<f64>, p: f64) -> Option<(DVector<f64>, DMatrix<f64>)> {
        let model = self.model(p)?;
        if crate::rs::collapses(&model) {
            let j = finite_difference_jacobian(self, x, p)?;
            return Some((self.f(&model, x)?, j.fx));
        }
        let f0 = self.f(&model, x)?;
        let gx = map_jacobian(&model, x.as_slice(), looser(JAC_TOL, self.quad))?;
        let fx = DMatrix::from_iterator(3, 3, gx.iter().copied()) - DMatrix::identity(3, 3);
        Some((f0, fx))
    }

    fn stable(&self, _x: &DVector<f64>, _p: f64, j: &Jacobian) -> Option<bool> {
        Some(map_stable(j))
    }
}

/// The looser of two tolerances in each field (the derivatives never need to be more accurate
/// than the map).
fn looser(a: Tolerance, b: Tolerance) -> Tolerance {
    Tolerance {
        abs: a.abs.max(b.abs),
        rel: a.rel.max(b.rel),
        max_intervals: a.max_intervals.min(b.max_intervals),
    }
}
