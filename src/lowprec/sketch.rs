//! Sketched linear regression (seed 001): S ∈ R^{M×d}, S_ij ~ N(0, 1/M), predictor ⟨v, Sx⟩,
//! trained by quantized one-pass SGD; risk against (M, N, ε, scheme); a least-squares fit of
//! risk ≈ σ² + c1·M^{1−a} + c2·(Nγ)^{(1−a)/a} with effective model and data sizes.
//!
//! Exactness trick: z = Sx is Gaussian with covariance H_M = S H Sᵀ, and y = ⟨v*, z⟩ + ξ' with
//! v* = H_M⁻¹ S H w* and ξ' Gaussian, independent of z, of variance σ² + ‖w*‖²_H − v*ᵀH_M v*
//! (the approximation error). In the eigenbasis of H_M the problem is a diagonal one, so the
//! O(M) exact recursion applies, *provided the quantizers of the sketched features and of the
//! parameters are rotation invariant*: additive (isotropic) and per-vector multiplicative are;
//! per-coordinate multiplicative is not, and is only simulated (Monte Carlo).

use super::exact::exact_risk;
use super::noise::{Quantizer, Sharing, Targets};
use super::sgd::{run_rng, Averaging, Problem, SgdConfig, StepSchedule};
use crate::error::{Error, Result};
use crate::parallel::{map, RunOptions};
use crate::stats::summarize;
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

/// Draws a Gaussian sketch S ∈ R^{M×d} with entries N(0, 1/M).
pub fn draw_sketch<R: Rng>(m: usize, d: usize, rng: &mut R) -> DMatrix<f64> {
    let sd = 1.0 / (m as f64).sqrt();
    DMatrix::from_fn(m, d, |_, _| sd * rng.sample::<f64, _>(StandardNormal))
}

/// The sketched problem in the eigenbasis of H_M.
#[derive(Debug, Clone)]
pub struct SketchedProblem {
    /// Diagonal problem: eigenvalues of H_M, rotated v*, noise σ² + approximation error.
    pub problem: Problem,
    /// ‖w*‖²_H − v*ᵀ H_M v*.
    pub approx_error: f64,
}

/// Builds the diagonal equivalent of the sketched regression.
pub fn sketched_problem(full: &Problem, s: &DMatrix<f64>) -> Result<SketchedProblem> {
    let (m, d) = s.shape();
    if d != full.dim() {
        return Err(Error::input(format!(
            "sketch has {d} columns but the problem dimension is {}",
            full.dim()
        )));
    }
    if m == 0 || m >= d {
        return Err(Error::input(format!(
            "sketch size M must satisfy 1 ≤ M < d, got M = {m}, d = {d}"
        )));
    }
    let h = DVector::from_vec(full.lambda.clone());
    let sh = DMatrix::from_fn(m, d, |i, j| s[(i, j)] * h[j]);
    let hm = &sh * s.transpose();
    let hw = &sh * DVector::from_vec(full.wstar.clone());
    let eig = nalgebra::SymmetricEigen::new(hm);
    let rot = eig.eigenvectors.transpose() * hw;
    let mut pairs: Vec<(f64, f64)> = eig
        .eigenvalues
        .iter()
        .copied()
        .zip(rot.iter().copied())
        .collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top = pairs[0].0.max(f64::MIN_POSITIVE);
    let mut captured = 0.0;
    let mut lambda = Vec::with_capacity(m);
    let mut vstar = Vec::with_capacity(m);
    for (mu, r) in pairs {
        let mu = mu.max(1e-14 * top);
        captured += r * r / mu;
        lambda.push(mu);
        vstar.push(r / mu);
    }
    let approx_error = (full.initial_risk() - captured).max(0.0);
    Ok(SketchedProblem {
        problem: Problem::new(lambda, vstar, full.sigma2 + approx_error)?,
        approx_error,
    })
}

/// True when the exact (rotated) recursion applies to these targets in the sketched basis.
pub fn rotation_invariant(t: &Targets) -> bool {
    let ok = |q: &Quantizer| {
        matches!(
            q,
            Quantizer::None
                | Quantizer::Additive { .. }
                | Quantizer::Multiplicative {
                    sharing: Sharing::PerVector,
                    ..
                }
        )
    };
    t.all_abstract() && ok(&t.data) && ok(&t.params)
}

/// Settings of a sketched experiment.
#[derive(Debug, Clone, Serialize)]
pub struct SketchSettings {
    /// Ambient dimension d.
    pub d: usize,
    /// Spectral exponent a.
    pub a: f64,
    /// Label noise σ².
    pub sigma2: f64,
    /// Batch size.
    pub batch: usize,
    /// Constant step γ.
    pub step: f64,
    /// Reported iterate.
    pub averaging: Averaging,
    /// Independent sketches averaged.
    pub sketches: usize,
    /// Monte Carlo runs per sketch (simulation only).
    pub runs: usize,
    /// Base seed.
    pub seed: u64,
}

/// Population risk E(y − ⟨v, Sx⟩)² at each N in `ns`, averaged over sketches, for sketch size
/// `m`. Exact when [`rotation_invariant`], otherwise Monte Carlo (or when `force_mc`).
/// Returns (mean, stderr over sketches/runs) per N.
pub fn sketched_risk(
    st: &SketchSettings,
    m: usize,
    targets: &Targets,
    ns: &[usize],
    force_mc: bool,
) -> Result<Vec<(f64, f64)>> {
    let full = Problem::power_law(st.d, st.a, st.sigma2, super::sgd::WStar::Ones)?;
    let nmax = *ns
        .iter()
        .max()
        .ok_or_else(|| Error::input("no data sizes N given"))?;
    let exact = rotation_invariant(targets) && !force_mc;
    let sketches: Vec<u64> = (0..st.sketches.max(1) as u64).collect();
    let per_sketch = map(
        &sketches,
        &RunOptions::default(),
        "sketches",
        |&k| -> Result<Vec<Vec<f64>>> {
            // The sketch depends on (seed, M, k) only, so every scheme sees the same sketches.
            let mut rng = run_rng(st.seed ^ (m as u64).wrapping_mul(0xA24B_AED4_963E_E407), k);
            let s = draw_sketch(m, st.d, &mut rng);
            let sp = sketched_problem(&full, &s)?;
            let cfg = SgdConfig {
                problem: sp.problem.clone(),
                batch: st.batch,
                step: st.step,
                steps: nmax,
                schedule: StepSchedule::Constant,
                averaging: st.averaging,
                targets: *targets,
                shrink: None,
                grad_format: None,
            };
            if exact {
                let r = exact_risk(&cfg, ns)?;
                Ok(vec![r
                    .curve
                    .iter()
                    .map(|e| e + sp.problem.sigma2)
                    .collect()])
            } else {
                let mut out = Vec::with_capacity(st.runs);
                for run in 0..st.runs.max(1) {
                    let mut rng2 = run_rng(st.seed.wrapping_add(k + 1), (m * 100_003 + run) as u64);
                    out.push(simulate_sketch_run(&full, &s, &cfg, &mut rng2, ns));
                }
                Ok(out)
            }
        },
    )?;
    let mut all: Vec<Vec<f64>> = Vec::new();
    for r in per_sketch {
        all.extend(r?);
    }
    Ok((0..ns.len())
        .map(|j| {
            let s = summarize(all.iter().map(|c| c[j]));
            (s.mean, s.stderr)
        })
        .collect())
}

/// One Monte Carlo run of quantized SGD on the sketched features z = Sx (any quantizers),
/// returning the population risk σ² + ‖Sᵀv − w*‖²_H at each checkpoint (NaN once diverged).
pub fn simulate_sketch_run<R: Rng>(
    full: &Problem,
    s: &DMatrix<f64>,
    cfg: &SgdConfig,
    rng: &mut R,
    checkpoints: &[usize],
) -> Vec<f64> {
    let (m, d) = s.shape();
    let b = cfg.batch;
    let t = &cfg.targets;
    let sqrt_l: Vec<f64> = full.lambda.iter().map(|l| l.sqrt()).collect();
    let sigma = full.sigma2.sqrt();
    let mut v = vec![0.0; m];
    let mut vq = vec![0.0; m];
    let mut vsum = vec![0.0; m];
    let mut count = 0usize;
    let mut x = vec![0.0; d];
    let mut z = vec![0.0; b * m];
    let mut y = vec![0.0; b];
    let mut act = vec![0.0; b];
    let start = cfg.averaging.window_start();
    let risk = |v: &[f64]| -> f64 {
        let sv = s.transpose() * DVector::from_column_slice(v);
        full.sigma2
            + (0..d)
                .map(|i| {
                    let e = sv[i] - full.wstar[i];
                    full.lambda[i] * e * e
                })
                .sum::<f64>()
    };
    let mut out = Vec::with_capacity(checkpoints.len());
    let mut ck = checkpoints.iter().peekable();
    let mut dead = false;
    for it in 1..=cfg.steps {
        vq.copy_from_slice(&v);
        t.params.apply(&mut vq, rng);
        for j in 0..b {
            let mut yj = 0.0;
            for i in 0..d {
                x[i] = sqrt_l[i] * rng.sample::<f64, _>(StandardNormal);
                yj += x[i] * full.wstar[i];
            }
            y[j] = yj + sigma * rng.sample::<f64, _>(StandardNormal);
            let row = &mut z[j * m..(j + 1) * m];
            for (r, zr) in row.iter_mut().enumerate() {
                let mut acc = 0.0;
                for i in 0..d {
                    acc += s[(r, i)] * x[i];
                }
                *zr = acc;
            }
            t.data.apply(row, rng);
            act[j] = row.iter().zip(&vq).map(|(a, b)| a * b).sum();
        }
        t.labels.apply(&mut y, rng);
        t.acts.apply(&mut act, rng);
        for j in 0..b {
            y[j] -= act[j];
        }
        t.grads.apply(&mut y, rng);
        if y.iter().any(|r| !r.is_finite() || r.abs() > 1e150) {
            dead = true;
        }
        if !dead {
            let c = cfg.effective_step(it) / b as f64;
            for j in 0..b {
                let cr = c * y[j];
                for (vi, zi) in v.iter_mut().zip(&z[j * m..(j + 1) * m]) {
                    *vi += cr * zi;
                }
            }
            if it >= start && cfg.averaging != Averaging::Last {
                vsum.iter_mut().zip(&v).for_each(|(a, b)| *a += b);
                count += 1;
            }
        }
        while let Some(&&k) = ck.peek() {
            if k != it {
                break;
            }
            let r = if dead {
                f64::NAN
            } else if cfg.averaging == Averaging::Last || count == 0 {
                risk(&v)
            } else {
                let avg: Vec<f64> = vsum.iter().map(|x| x / count as f64).collect();
                risk(&avg)
            };
            out.push(r);
            ck.next();
        }
        if dead {
            break;
        }
    }
    while out.len() < checkpoints.len() {
        out.push(f64::NAN);
    }
    out
}

/// One (M, N, risk) observation.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RiskPoint {
    /// Sketch size.
    pub m: usize,
    /// Number of steps (data size N·B).
    pub n: usize,
    /// Mean population risk.
    pub risk: f64,
    /// Its standard error.
    pub stderr: f64,
}

/// Fitted full-precision law risk ≈ E0 + c1·M^{1−a} + c2·(Nγ)^{(1−a)/a}.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BaseLaw {
    /// Irreducible error E0 (≈ σ²).
    pub e0: f64,
    /// Model-size coefficient.
    pub c1: f64,
    /// Data-size coefficient.
    pub c2: f64,
    /// Root-mean-square residual of log risk.
    pub rms_log_residual: f64,
}

/// Fitted effect of a quantization scheme relative to the full-precision law:
/// risk ≈ E0 + E_q + c1·(κ_M M)^{1−a} + c2·(κ_N Nγ)^{(1−a)/a}.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SchemeFit {
    /// Additive quantization error E_q.
    pub additive_error: f64,
    /// Effective model size factor κ_M = M_eff / M.
    pub model_factor: f64,
    /// Effective data size factor κ_N = N_eff / N.
    pub data_factor: f64,
    /// Root-mean-square residual of log risk.
    pub rms_log_residual: f64,
}

struct LogLsq<F: Fn(&[f64], f64, f64) -> f64> {
    pts: Vec<RiskPoint>,
    model: F,
}

impl<F: Fn(&[f64], f64, f64) -> f64> CostFunction for LogLsq<F> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        let mut s = 0.0;
        for q in &self.pts {
            let pred = (self.model)(p, q.m as f64, q.n as f64);
            let r = if pred > 0.0 && pred.is_finite() {
                q.risk.ln() - pred.ln()
            } else {
                1e3
            };
            s += r * r;
        }
        Ok(s)
    }
}

/// Nelder–Mead on a log-risk least-squares objective from `x0` (log-parameters).
fn nelder_mead<F: Fn(&[f64], f64, f64) -> f64>(
    pts: &[RiskPoint],
    model: F,
    x0: Vec<f64>,
) -> Result<(Vec<f64>, f64)> {
    let pts: Vec<RiskPoint> = pts
        .iter()
        .copied()
        .filter(|p| p.risk.is_finite() && p.risk > 0.0)
        .collect();
    if pts.len() < x0.len() + 1 {
        return Err(Error::Numerics(format!(
            "scaling-law fit needs at least {} finite points",
            x0.len() + 1
        )));
    }
    let n = pts.len();
    let mut simplex = vec![x0.clone()];
    for k in 0..x0.len() {
        let mut v = x0.clone();
        v[k] += 0.7;
        simplex.push(v);
    }
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-12)
        .map_err(|e| Error::Numerics(e.to_string()))?;
    let res = Executor::new(LogLsq { pts, model }, solver)
        .configure(|s| s.max_iters(4000))
        .run()
        .map_err(|e| Error::Numerics(format!("scaling-law fit failed: {e}")))?;
    let best = res
        .state()
        .get_best_param()
        .cloned()
        .ok_or_else(|| Error::Numerics("scaling-law fit returned no parameters".into()))?;
    let cost = res.state().get_best_cost();
    Ok((best, (cost / n as f64).sqrt()))
}

/// Fits the full-precision law (exponents fixed by a).
pub fn fit_base_law(pts: &[RiskPoint], a: f64, gamma: f64, sigma2: f64) -> Result<BaseLaw> {
    let model = move |p: &[f64], m: f64, n: f64| {
        p[0].exp() + p[1].exp() * m.powf(1.0 - a) + p[2].exp() * (n * gamma).powf((1.0 - a) / a)
    };
    let (p, rms) = nelder_mead(pts, model, vec![sigma2.max(1e-6).ln(), 0.0, 0.0])?;
    Ok(BaseLaw {
        e0: p[0].exp(),
        c1: p[1].exp(),
        c2: p[2].exp(),
        rms_log_residual: rms,
    })
}

/// Fits a scheme's additive error and effective size factors against the base law.
pub fn fit_scheme(pts: &[RiskPoint], base: &BaseLaw, a: f64, gamma: f64) -> Result<SchemeFit> {
    let b = *base;
    let model = move |p: &[f64], m: f64, n: f64| {
        b.e0 + p[0].exp()
            + b.c1 * (p[1].exp() * m).powf(1.0 - a)
            + b.c2 * (p[2].exp() * n * gamma).powf((1.0 - a) / a)
    };
    let (p, rms) = nelder_mead(pts, model, vec![(1e-3 * b.e0.max(1e-6)).ln(), 0.0, 0.0])?;
    Ok(SchemeFit {
        additive_error: p[0].exp(),
        model_factor: p[1].exp(),
        data_factor: p[2].exp(),
        rms_log_residual: rms,
    })
}
