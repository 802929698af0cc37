//! Gradient shrinkage (seed 003): g̃_k = q_k g_k + ε_k. With a constant q this is SGD with step
//! μq plus injected noise, so convergence slows by q and the noise floor moves; this module has
//! the measured q of real formats under round-to-nearest, the convergence bound, and the
//! time-to-target helper.
//!
//! Bound (smooth objective, descent lemma; f = ½E(y − xᵀw)², L = λ_max, μ q_max L ≤ 1):
//! (1/K) Σ_{k<K} E‖∇f(w_k)‖² ≤ 2(f(w₀) − f*)/(μ q_min K) + L μ (q_max² σ_g² + E‖ε‖²)/q_min,
//! where σ_g² bounds the minibatch gradient variance along the run.

use super::noise::Quantizer;
use super::sgd::{Problem, SgdConfig};
use crate::error::{Error, Result};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

/// First checkpoint at which `curve` is at or below `target` (linear interpolation in log risk
/// between checkpoints), or `None`.
pub fn time_to_target(checkpoints: &[usize], curve: &[f64], target: f64) -> Option<f64> {
    for k in 0..curve.len() {
        if curve[k].is_finite() && curve[k] <= target {
            if k == 0 {
                return Some(checkpoints[0] as f64);
            }
            let (r0, r1) = (curve[k - 1].ln(), curve[k].ln());
            let (t0, t1) = (checkpoints[k - 1] as f64, checkpoints[k] as f64);
            let f = if r0 > r1 {
                (r0 - target.ln()) / (r0 - r1)
            } else {
                1.0
            };
            return Some(t0 + f.clamp(0.0, 1.0) * (t1 - t0));
        }
    }
    None
}

/// Mean shrinkage factor q = E⟨Q(g), g⟩ / E‖g‖² of a quantizer on gradient-like vectors
/// g ~ N(0, scale²·H), measured over `samples` draws.
pub fn measured_q<R: Rng>(
    q: &Quantizer,
    p: &Problem,
    scale: f64,
    samples: usize,
    rng: &mut R,
) -> (f64, f64) {
    let d = p.dim();
    let mut g = vec![0.0; d];
    let mut qg = vec![0.0; d];
    let (mut num, mut den, mut err) = (0.0, 0.0, 0.0);
    for _ in 0..samples.max(1) {
        for (gi, l) in g.iter_mut().zip(&p.lambda) {
            *gi = scale * l.sqrt() * rng.sample::<f64, _>(StandardNormal);
        }
        qg.copy_from_slice(&g);
        q.apply(&mut qg, rng);
        num += qg.iter().zip(&g).map(|(a, b)| a * b).sum::<f64>();
        den += g.iter().map(|a| a * a).sum::<f64>();
        err += qg
            .iter()
            .zip(&g)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>();
    }
    (num / den, err / den)
}

/// Convergence-bound check for constant q with full-precision data: exact per-step moments.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BoundCheck {
    /// (1/K) Σ E‖∇f(w_k)‖², exact.
    pub avg_grad_norm2: f64,
    /// The bound's right-hand side.
    pub bound: f64,
    /// Largest minibatch gradient variance along the run (σ_g²).
    pub sigma_g2: f64,
    /// Whether μ q L ≤ 1 (the bound's condition).
    pub condition_holds: bool,
}

/// Evaluates the bound and the exact average squared gradient norm for a constant-step
/// full-precision configuration with [`super::sgd::Shrink`] (q, noise).
pub fn bound_check(cfg: &SgdConfig) -> Result<BoundCheck> {
    cfg.validate()?;
    let sh = cfg
        .shrink
        .ok_or_else(|| Error::input("bound check needs a shrinkage setting"))?;
    if !cfg.targets.all_abstract() || cfg.targets != super::noise::Targets::full() {
        return Err(Error::input(
            "bound check is for full-precision targets with shrinkage",
        ));
    }
    let p = &cfg.problem;
    let d = p.dim();
    let lam = &p.lambda;
    let tr_h: f64 = lam.iter().sum();
    let lmax = lam.iter().cloned().fold(0.0, f64::max);
    let b = cfg.batch as f64;
    let mut m: Vec<f64> = p.wstar.iter().map(|w| -w).collect();
    let mut s: Vec<f64> = p.wstar.iter().map(|w| w * w).collect();
    let (mut gsum, mut sig_g2) = (0.0, 0.0f64);
    for t in 1..=cfg.steps {
        let g = cfg.effective_step(t);
        let mu_n = cfg.noise_step(t);
        let trhs: f64 = (0..d).map(|i| lam[i] * s[i]).sum();
        let l2s: f64 = (0..d).map(|i| lam[i] * lam[i] * s[i]).sum();
        gsum += l2s;
        sig_g2 = sig_g2.max((tr_h * trhs + l2s + p.sigma2 * tr_h) / b);
        for i in 0..d {
            let l = lam[i];
            s[i] += -2.0 * g * l * s[i]
                + g * g * ((1.0 + 1.0 / b) * l * l * s[i] + l * (trhs + p.sigma2) / b)
                + mu_n * mu_n * sh.noise_var;
            m[i] *= 1.0 - g * l;
        }
    }
    let k = cfg.steps as f64;
    // The update is μ'(q g + ε) with μ' the noise step (μ, or μ/q when compensated).
    let mu_eff = cfg.noise_step(1);
    let q = sh.q;
    let f_gap = 0.5 * p.initial_risk();
    let noise = d as f64 * sh.noise_var;
    let bound = 2.0 * f_gap / (mu_eff * q * k) + lmax * mu_eff * (q * q * sig_g2 + noise) / q;
    Ok(BoundCheck {
        avg_grad_norm2: gsum / k,
        bound,
        sigma_g2: sig_g2,
        condition_holds: mu_eff * q * lmax <= 1.0,
    })
}
