//! Exact expected excess risk of quantized SGD for Gaussian data with diagonal H: the
//! second-moment recursion of THEORY.md §7 extended to every abstract noise model, O(d) per step
//! for the last iterate and for averaged iterates, and the Zou et al. (2021) bias–variance bound.
//!
//! # Derivation (summary; `docs/lowprec.md` has the full version)
//!
//! Write e = w − w*, v = Q_p(w) − w* = e + n_p and u₀ = y − s = ξ − n_dᵀw* − x̃ᵀv for one
//! sample (x̃ = Q_d(x) = x + n_d). The update is e' = e + (γ/B) Σ_j x̃_j r_j with
//! r = Q_o(Q_l(y) − Q_a(s)). All quantizers are unbiased given their input and independent, so
//! every cross term between a quantizer's noise and anything else vanishes, and
//!
//! * E[x̃_i u | v] = −c_i w*_i − h̃_i v_i  with h̃ = E x̃², c = E[x̃ n_d] (mean map is diagonal);
//! * E[x̃_i² f²] for f = γᵀx + βᵀn_d + tξ only involves E γ_k², E γ_kβ_k, E β_k² per
//!   coordinate: terms with x_k x_l (k ≠ l) vanish because, given the shared factors, the pairs
//!   (x_k, n_{d,k}) are independent and symmetric. Hence **only diag Σ (and the mean m = E e)
//!   enter the diagonal update: the diagonal is closed.** The same holds at full precision:
//!   diag(HΣH + tr(HΣ)H) = (λ_i² Σ_ii + λ_i Σ_k λ_k Σ_kk), and the risk is tr(HΣ) = Σ λ_i Σ_ii.
//!   (Checked numerically against the full-matrix recursion in the tests.)
//!
//! The off-diagonal coefficient of E[x̃_i²(·)_k²] factorizes as p_i·q_k for every data model,
//! so a step costs O(d). The mean obeys m' = (1 − γh̃)m − γ c w*, which is what makes the
//! averaged iterate O(d) as well: E[e_t e_s] = E[(a e_{t−1} + b) e_s] for s < t, so
//! Y_t = Σ_{s<t, s∈W} E[e_t e_s] (diagonal) obeys Y_{t+1} = a(Y_t + 1[t∈W] S_t) + b·Σ_{s≤t,s∈W} m_s.

use super::noise::{Quantizer, Sharing};
use super::sgd::{Averaging, Problem, SgdConfig};
use crate::error::{Error, Result};
use serde::Serialize;

/// Per-coordinate coefficients of one data-quantization model.
#[derive(Debug, Clone)]
struct DataModel {
    /// h̃_i = E x̃_i².
    hq: Vec<f64>,
    /// c_i = E[x̃_i n_{d,i}].
    c: Vec<f64>,
    /// (p, q, D) for the γ², γβ, β² coefficient matrices: off-diagonal p_i q_k, diagonal D_i.
    coef: [(Vec<f64>, Vec<f64>, Vec<f64>); 3],
}

impl DataModel {
    fn new(lambda: &[f64], q: &Quantizer) -> Self {
        let d = lambda.len();
        let l = lambda.to_vec();
        let l2: Vec<f64> = l.iter().map(|x| 3.0 * x * x).collect();
        let zeros = vec![0.0; d];
        let eps = q.eps();
        let (k3, k4) = q.zeta_moments();
        let mu2 = 1.0 + eps;
        let rho3 = 2.0 * eps + k3;
        let rho4 = eps + 2.0 * k3 + k4;
        let scale = |v: &[f64], f: f64| -> Vec<f64> { v.iter().map(|x| x * f).collect() };
        match q {
            Quantizer::Multiplicative {
                sharing: Sharing::PerCoordinate,
                ..
            } => {
                let hq = scale(&l, mu2);
                DataModel {
                    c: scale(&l, eps),
                    coef: [
                        (hq.clone(), l.clone(), scale(&l2, mu2)),
                        (zeros.clone(), zeros, scale(&l2, rho3)),
                        (hq.clone(), scale(&l, eps), scale(&l2, rho4)),
                    ],
                    hq,
                }
            }
            Quantizer::Multiplicative {
                sharing: Sharing::PerVector,
                ..
            } => DataModel {
                hq: scale(&l, mu2),
                c: scale(&l, eps),
                coef: [
                    (scale(&l, mu2), l.clone(), scale(&l2, mu2)),
                    (scale(&l, rho3), l.clone(), scale(&l2, rho3)),
                    (scale(&l, rho4), l.clone(), scale(&l2, rho4)),
                ],
            },
            Quantizer::Additive { .. } => {
                let hq: Vec<f64> = l.iter().map(|x| x + eps).collect();
                DataModel {
                    c: vec![eps; d],
                    coef: [
                        (
                            hq.clone(),
                            l.clone(),
                            l.iter().map(|x| 3.0 * x * x + eps * x).collect(),
                        ),
                        (
                            zeros.clone(),
                            zeros,
                            l.iter().map(|x| 2.0 * eps * x).collect(),
                        ),
                        (
                            hq.clone(),
                            vec![eps; d],
                            l.iter().map(|x| eps * x + k4).collect(),
                        ),
                    ],
                    hq,
                }
            }
            _ => DataModel {
                hq: l.clone(),
                c: zeros.clone(),
                coef: [
                    (l.clone(), l, l2),
                    (zeros.clone(), zeros.clone(), zeros.clone()),
                    (zeros.clone(), zeros.clone(), zeros),
                ],
            },
        }
    }

    /// T_X = Σ_k q_X[k]·mom_X[k] for the three moment vectors.
    fn totals(&self, g2: &[f64], gb: &[f64], b2: &[f64]) -> [f64; 3] {
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        [
            dot(&self.coef[0].1, g2),
            dot(&self.coef[1].1, gb),
            dot(&self.coef[2].1, b2),
        ]
    }

    /// F_i = E[x̃_i² (γᵀx + βᵀn_d)²] from the per-coordinate moments and their totals.
    #[inline]
    fn f(&self, i: usize, t: &[f64; 3], g2: f64, gb: f64, b2: f64) -> f64 {
        let term = |k: usize, m: f64| {
            let (p, q, dg) = (&self.coef[k].0, &self.coef[k].1, &self.coef[k].2);
            p[i] * (t[k] - q[i] * m) + dg[i] * m
        };
        term(0, g2) + 2.0 * term(1, gb) + term(2, b2)
    }
}

/// The exact expected risk at the end of the run and at checkpoints.
#[derive(Debug, Clone, Serialize)]
pub struct ExactRisk {
    /// E‖w̄ − w*‖²_H of the reported iterate; `None` when the recursion diverges.
    pub risk: Option<f64>,
    /// "ok" or "diverged".
    pub status: &'static str,
    /// Checkpoints (iterations).
    pub checkpoints: Vec<usize>,
    /// Risk of the reported iterate at each checkpoint (NaN after divergence).
    pub curve: Vec<f64>,
    /// Risk of the mean iterate ‖E w_N − w*‖²_H (the bias-like part of the last iterate).
    pub mean_part: Option<f64>,
}

/// Why the exact recursion does not apply to a configuration, if it does not.
pub fn exact_unavailable(cfg: &SgdConfig) -> Option<String> {
    if !cfg.targets.all_abstract() {
        return Some("bit-level formats are biased/non-Gaussian: use the simulation".into());
    }
    if cfg.grad_format.is_some() {
        return Some("a quantized gradient vector has no closed-form moments".into());
    }
    None
}

/// Runs the exact recursion for `cfg` (abstract noise models only).
pub fn exact_risk(cfg: &SgdConfig, checkpoints: &[usize]) -> Result<ExactRisk> {
    cfg.validate()?;
    if let Some(why) = exact_unavailable(cfg) {
        return Err(Error::input(format!("exact risk unavailable: {why}")));
    }
    let p: &Problem = &cfg.problem;
    let d = p.dim();
    let lam = &p.lambda;
    let ws = &p.wstar;
    let sig2 = p.sigma2;
    let bsz = cfg.batch as f64;
    let tg = &cfg.targets;
    let dm = DataModel::new(lam, &tg.data);
    let hq = &dm.hq;
    let c = &dm.c;

    let is_mult = |q: &Quantizer| matches!(q, Quantizer::Multiplicative { .. });
    let is_vec = |q: &Quantizer| {
        matches!(
            q,
            Quantizer::Multiplicative {
                sharing: Sharing::PerVector,
                ..
            }
        )
    };
    let is_add = |q: &Quantizer| matches!(q, Quantizer::Additive { .. });
    let (el, ea, eo, ep) = (
        tg.labels.eps(),
        tg.acts.eps(),
        tg.grads.eps(),
        tg.params.eps(),
    );
    let ind = |b: bool| if b { 1.0 } else { 0.0 };
    let (l_mult, l_vec, l_add) = (
        ind(is_mult(&tg.labels)) * el,
        ind(is_vec(&tg.labels)) * el,
        ind(is_add(&tg.labels)) * el,
    );
    let (a_mult, a_vec, a_add) = (
        ind(is_mult(&tg.acts)) * ea,
        ind(is_vec(&tg.acts)) * ea,
        ind(is_add(&tg.acts)) * ea,
    );
    let o_diag = 1.0 + ind(is_mult(&tg.grads)) * eo;
    let o_off = 1.0 + ind(is_vec(&tg.grads)) * eo;
    let o_add = ind(is_add(&tg.grads)) * eo;
    let (p_mult, p_add) = (ind(is_mult(&tg.params)) * ep, ind(is_add(&tg.params)) * ep);
    let shrink_noise = cfg.shrink.map(|s| s.noise_var).unwrap_or(0.0);

    // Label moments do not depend on the iterate: γ = w*, β = 0.
    let wsq: Vec<f64> = ws.iter().map(|w| w * w).collect();
    let zeros = vec![0.0; d];
    let ty = dm.totals(&wsq, &zeros, &zeros);
    let fy: Vec<f64> = (0..d).map(|i| dm.f(i, &ty, wsq[i], 0.0, 0.0)).collect();

    let mut m: Vec<f64> = ws.iter().map(|w| -w).collect();
    let mut s: Vec<f64> = wsq.clone();
    let (mut ev2, mut evp, mut ep2) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    let averaging = cfg.averaging != Averaging::Last;
    let start = cfg.averaging.window_start();
    let (mut y, mut mcum, mut ssum, mut ycross) = if averaging {
        (vec![0.0; d], vec![0.0; d], vec![0.0; d], vec![0.0; d])
    } else {
        (Vec::new(), Vec::new(), Vec::new(), Vec::new())
    };
    let mut count = 0usize;
    let limit = 1e10 * (p.initial_risk() + sig2 + 1.0);
    let mut cks: Vec<usize> = checkpoints
        .iter()
        .copied()
        .filter(|&k| k >= 1 && k <= cfg.steps)
        .collect();
    cks.sort_unstable();
    cks.dedup();
    let mut curve = Vec::with_capacity(cks.len());
    let mut ck = cks.iter().peekable();
    let mut diverged = false;

    let report = |s: &[f64], ssum: &[f64], ycross: &[f64], count: usize| -> f64 {
        if averaging && count > 0 {
            let n2 = (count * count) as f64;
            (0..d)
                .map(|i| lam[i] * (ssum[i] + 2.0 * ycross[i]))
                .sum::<f64>()
                / n2
        } else {
            (0..d).map(|i| lam[i] * s[i]).sum()
        }
    };

    for t in 1..=cfg.steps {
        let g = cfg.effective_step(t);
        let mu_noise = cfg.noise_step(t);
        for k in 0..d {
            let ew2 = wsq[k] + 2.0 * ws[k] * m[k] + s[k];
            let en2 = p_mult * ew2 + p_add;
            ev2[k] = s[k] + en2;
            evp[k] = ws[k] * m[k] + ev2[k];
            ep2[k] = ew2 + en2;
        }
        let tu = dm.totals(&ev2, &evp, &ep2);
        let ts = dm.totals(&ep2, &ep2, &ep2);
        for i in 0..d {
            let fu = dm.f(i, &tu, ev2[i], evp[i], ep2[i]);
            let fs = dm.f(i, &ts, ep2[i], ep2[i], ep2[i]);
            let eu0 = sig2 * hq[i] + fu;
            let ey2 = sig2 * hq[i] + fy[i];
            let inner = eu0 + l_mult * ey2 + l_add * hq[i] + a_mult * fs + a_add * hq[i];
            let dterm = o_diag * inner + o_add * hq[i];
            let cw = c[i] * ws[i];
            let lw = lam[i] * ws[i];
            let oterm = o_off
                * (cw * cw
                    + 2.0 * cw * hq[i] * m[i]
                    + hq[i] * hq[i] * ev2[i]
                    + l_vec * lw * lw
                    + a_vec * hq[i] * hq[i] * ep2[i]);
            let lin = -cw * m[i] - hq[i] * s[i];
            let a = 1.0 - g * hq[i];
            let b = -g * cw;
            if averaging {
                let prev_in = t > start;
                let s_prev = if prev_in { s[i] } else { 0.0 };
                y[i] = a * (y[i] + s_prev) + b * mcum[i];
            }
            s[i] += 2.0 * g * lin
                + g * g / bsz * dterm
                + g * g * (bsz - 1.0) / bsz * oterm
                + mu_noise * mu_noise * shrink_noise;
            m[i] = a * m[i] + b;
        }
        if averaging && t >= start {
            for i in 0..d {
                ssum[i] += s[i];
                ycross[i] += y[i];
                mcum[i] += m[i];
            }
            count += 1;
        }
        while let Some(&&k) = ck.peek() {
            if k != t {
                break;
            }
            let r = report(&s, &ssum, &ycross, count);
            if !(r.is_finite() && r <= limit) {
                diverged = true;
            }
            curve.push(if diverged { f64::NAN } else { r });
            ck.next();
        }
        let tr: f64 = (0..d).map(|i| lam[i] * s[i]).sum();
        if !(tr.is_finite() && tr <= limit) {
            diverged = true;
        }
        if diverged {
            break;
        }
    }
    while curve.len() < cks.len() {
        curve.push(f64::NAN);
    }
    let risk = if diverged {
        None
    } else {
        let r = report(&s, &ssum, &ycross, count);
        (r.is_finite() && r <= limit).then_some(r)
    };
    let mean_part = (!diverged).then(|| (0..d).map(|i| lam[i] * m[i] * m[i]).sum());
    Ok(ExactRisk {
        risk,
        status: if diverged { "diverged" } else { "ok" },
        checkpoints: cks,
        curve,
        mean_part,
    })
}

/// The full-precision matrix recursion of THEORY.md §7,
/// Σ' = Σ − γ(HΣ + ΣH) + γ²[HΣH + (HΣH + tr(HΣ)H)/B] + γ²σ²H/B, from Σ₀ = w*w*ᵀ, with the
/// whole d×d matrix kept. A reference for checking that the O(d) diagonal recursion loses
/// nothing (O(d²) per step; small d only). Returns diag Σ_N.
pub fn full_matrix_last_iterate(p: &Problem, batch: usize, gamma: f64, steps: usize) -> Vec<f64> {
    use nalgebra::{DMatrix, DVector};
    let d = p.dim();
    let h = DVector::from_vec(p.lambda.clone());
    let w = DVector::from_vec(p.wstar.clone());
    let mut sig: DMatrix<f64> = &w * w.transpose();
    let b = batch as f64;
    for _ in 0..steps {
        let hs = DMatrix::from_fn(d, d, |i, j| h[i] * sig[(i, j)]);
        let sh = DMatrix::from_fn(d, d, |i, j| sig[(i, j)] * h[j]);
        let hsh = DMatrix::from_fn(d, d, |i, j| h[i] * sig[(i, j)] * h[j]);
        let tr: f64 = (0..d).map(|i| h[i] * sig[(i, i)]).sum();
        let hdiag = DMatrix::from_diagonal(&h);
        sig = &sig - (&hs + &sh) * gamma
            + (&hsh * (1.0 + 1.0 / b) + &hdiag * (tr / b)) * (gamma * gamma)
            + &hdiag * (gamma * gamma * p.sigma2 / b);
    }
    (0..d).map(|i| sig[(i, i)]).collect()
}

/// The Zou et al. (2021) upper bound for constant-step SGD with iterate averaging,
/// excess risk ≤ 2·bias + 2·variance, evaluated for w₀ = 0 (Thm. 2.1 as we read it, with the
/// Gaussian fourth-moment constant α = 3; see docs/lowprec.md).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ZouBound {
    /// k* = max{k : λ_k ≥ 1/(Nγ)}.
    pub k_star: usize,
    /// Effective bias.
    pub bias: f64,
    /// Effective variance.
    pub variance: f64,
    /// 2·bias + 2·variance.
    pub bound: f64,
}

/// Evaluates the Zou et al. bound for eigenvalues `lambda` sorted decreasingly, target `wstar`,
/// noise σ², step γ and N steps. `None` when γ ≥ 1/(α tr H) (outside the theorem).
pub fn zou_bound(
    lambda: &[f64],
    wstar: &[f64],
    sigma2: f64,
    gamma: f64,
    n: usize,
) -> Option<ZouBound> {
    let alpha = 3.0;
    let tr: f64 = lambda.iter().sum();
    let slack = 1.0 - gamma * alpha * tr;
    if slack <= 0.0 || n == 0 {
        return None;
    }
    let ng = n as f64 * gamma;
    let k_star = lambda.iter().take_while(|&&l| l >= 1.0 / ng).count();
    let (mut head_inv, mut tail_h, mut head_i) = (0.0, 0.0, 0.0);
    let mut tail_l2 = 0.0;
    for (k, (&l, &w)) in lambda.iter().zip(wstar).enumerate() {
        if k < k_star {
            head_inv += w * w / l;
            head_i += w * w;
        } else {
            tail_h += l * w * w;
            tail_l2 += l * l;
        }
    }
    let deff = k_star as f64 / n as f64 + n as f64 * gamma * gamma * tail_l2;
    let bias = head_inv / (ng * ng) + tail_h;
    let variance = (2.0 * alpha * (head_i + ng * tail_h) / ng + sigma2) / slack * deff;
    Some(ZouBound {
        k_star,
        bias,
        variance,
        bound: 2.0 * bias + 2.0 * variance,
    })
}
