//! The RS ground state, β → ∞ (THEORY.md §3), for output channels with a quadratic collapse
//! ([`crate::model::channel::QuadraticCollapse`]): the teacher measure cut into the student's
//! nearest-level cells ([`crate::model::TeacherPrior::cells`]), closed forms in the normal
//! CDF/PDF. The state is `(m, q, r)` with `r = 1/(1 + χ)`, which stays in `[0, 1]` even when
//! `χ = ∞` (the quantized model interpolates).

use crate::model::field::DENSE_CELLS;
use crate::model::{LevelSet, Model, OutputChannel};

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

/// `E = ρ − 2m + q + σ²` of the model's quadratic collapse, or `None` if not positive (or the
/// channel has no collapse).
pub fn noise_of(model: &Model, m: f64, q: f64) -> Option<f64> {
    model
        .channel
        .quadratic_collapse()?
        .effective_noise(model.rho(), m, q)
}

/// Averages of the nearest-level (ridge-shifted) quantizer of `ŷ = w0 + sqrt(E/α) z`.
pub fn averages(model: &Model, levels: &LevelSet, e: f64, r: f64) -> ZeroAverages {
    let s = levels.values();
    // λ' = λ(1 + χ)/α = λ/(α r); the cell edges are the midpoints scaled by 1 + λ'.
    let lp = if model.ridge > 0.0 {
        model.ridge / (model.alpha * r.max(1e-300))
    } else {
        0.0
    };
    // A dense uniform grid: the cell sums by Euler–Maclaurin, without a CDF per cell.
    if let Some(d) = levels.spacing().filter(|_| s.len() >= DENSE_CELLS) {
        let (m, q, dens) = model.teacher.uniform_cells(e / model.alpha, s, d, 1.0 + lp);
        return ZeroAverages {
            m,
            q,
            kappa: dens / model.alpha,
        };
    }
    let edges = levels.cell_edges(lp);
    let (mut m, mut q, mut dens) = (0.0, 0.0, 0.0);
    model.teacher.cells(
        e / model.alpha,
        &edges,
        |w, i, p, first| {
            q += w * s[i] * s[i] * p;
            m += w * s[i] * first;
        },
        |w, i, pdf, tau| dens += w * (s[i + 1] - s[i]) * pdf / tau,
    );
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
/// `None` when the model's channel has no quadratic collapse.
pub fn continuous(model: &Model) -> Option<(f64, f64, f64, f64)> {
    let noise = model.channel.quadratic_collapse()?.noise;
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
        (rho * (1.0 - g) * (1.0 - g) + noise) / denom
    } else {
        f64::INFINITY
    };
    let m = g * rho;
    let q = g * g * (rho + e / alpha);
    Some((m, q, chi, e))
}
