//! The RS ground state, β → ∞ (THEORY.md §3): closed forms in the normal CDF/PDF per teacher
//! component. The state is `(m, q, r)` with `r = 1/(1 + χ)`, which stays in `[0, 1]` even when
//! `χ = ∞` (the quantized model interpolates).

use crate::model::teacher::{norm_cdf, norm_pdf};
use crate::model::{LevelSet, Model};

/// Averages at the ground state of the scalar channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZeroAverages {
    /// `E[w0 ŝ]`.
    pub m: f64,
    /// `E[ŝ²]`.
    pub q: f64,
    /// κ, with `r = 1 − κ` at the fixed point.
    pub kappa: f64,
}

/// `E = ρ − 2m + q + σ²`, or `None` if not positive.
pub fn noise_of(model: &Model, m: f64, q: f64) -> Option<f64> {
    let e = model.rho() - 2.0 * m + q + model.noise;
    (e > 0.0 && e.is_finite()).then_some(e)
}

/// Averages of the nearest-level (ridge-shifted) quantizer of `ŷ = w0 + sqrt(E/α) z`.
pub fn averages(model: &Model, levels: &LevelSet, e: f64, r: f64) -> ZeroAverages {
    let s = levels.values();
    let k = s.len();
    // λ' = λ(1 + χ)/α = λ/(α r); the cell edges are the midpoints scaled by 1 + λ'.
    let lp = if model.ridge > 0.0 {
        model.ridge / (model.alpha * r.max(1e-300))
    } else {
        0.0
    };
    let edges: Vec<f64> = s
        .windows(2)
        .map(|w| (1.0 + lp) * 0.5 * (w[0] + w[1]))
        .collect();
    let (mut m, mut q, mut dens) = (0.0, 0.0, 0.0);
    for c in model.teacher.components() {
        let tau = (c.var + e / model.alpha).sqrt();
        let post = c.var / tau;
        let z: Vec<f64> = edges.iter().map(|t| (t - c.mean) / tau).collect();
        for i in 0..k {
            let (pa, fa) = if i == 0 {
                (0.0, 0.0)
            } else {
                (norm_cdf(z[i - 1]), norm_pdf(z[i - 1]))
            };
            let (pb, fb) = if i + 1 == k {
                (1.0, 0.0)
            } else {
                (norm_cdf(z[i]), norm_pdf(z[i]))
            };
            let p = pb - pa;
            q += c.weight * s[i] * s[i] * p;
            m += c.weight * s[i] * (c.mean * p + post * (fa - fb));
        }
        for i in 0..k - 1 {
            dens += c.weight * (s[i + 1] - s[i]) * norm_pdf(z[i]) / tau;
        }
    }
    ZeroAverages {
        m,
        q,
        kappa: dens / model.alpha,
    }
}

/// One application of the ground-state map to `(m, q, r)`.
pub fn map(model: &Model, levels: &LevelSet, state: &[f64]) -> Option<[f64; 3]> {
    let e = noise_of(model, state[0], state[1])?;
    if !(0.0..=1.0).contains(&state[2]) {
        return None;
    }
    let av = averages(model, levels, e, state[2]);
    Some([av.m, av.q, (1.0 - av.kappa).max(0.0)])
}

/// The continuous student's ground state in closed form: `(m, q, χ, E)`.
///
/// `c = λ(1 + χ)` solves `c² + (α − 1 − λ)c − λα = 0` (its λ → 0⁺ limit gives the min-norm
/// interpolator for α < 1), the estimator is `ŝ = g ŷ` with `g = α/(α + c)`, and
/// `E = (ρ(1 − g)² + σ²)/(1 − g²/α)`.
pub fn continuous(model: &Model) -> (f64, f64, f64, f64) {
    let (alpha, lam, rho) = (model.alpha, model.ridge, model.rho());
    let b = alpha - 1.0 - lam;
    let c = 0.5 * (-b + (b * b + 4.0 * lam * alpha).sqrt());
    let g = alpha / (alpha + c);
    let chi = if lam > 0.0 {
        c / lam - 1.0
    } else if alpha > 1.0 {
        1.0 / (alpha - 1.0)
    } else {
        f64::INFINITY
    };
    let denom = 1.0 - g * g / alpha;
    let e = if denom > 0.0 {
        (rho * (1.0 - g) * (1.0 - g) + model.noise) / denom
    } else {
        f64::INFINITY
    };
    let m = g * rho;
    let q = g * g * (rho + e / alpha);
    (m, q, chi, e)
}
