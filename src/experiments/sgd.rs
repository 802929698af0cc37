//! Low-precision SGD for linear regression on a power-law problem (the `sgd` command): the
//! problem and optimizer as plain settings ([`SgdSpec`]), which quantizers act where
//! ([`QuantizeSpec`]), and one run ([`run`]): Monte Carlo over independent runs, the exact
//! expected risk where the recursion applies, and the Zou et al. bound at full precision.
//!
//! ```
//! use quantreplica::experiments::sgd::{run, QuantizeSpec, SgdSpec};
//! let mut spec = SgdSpec::default();
//! spec.d = 20;
//! spec.steps = 200;
//! spec.runs = 8;
//! let mut q = QuantizeSpec::default();
//! q.quantize = vec!["data".into()];
//! q.noise = "add".into();
//! q.eps = Some(0.01);
//! q.exact = true;
//! let r = run(&spec, &q).unwrap();
//! let (mc, se, exact) = (r.excess_risk.as_ref().unwrap().mean.unwrap(),
//!     r.excess_risk.as_ref().unwrap().stderr.unwrap(), r.exact_risk.unwrap());
//! assert!((mc - exact).abs() < 4.0 * se + 1e-3 * exact, "{mc} ± {se} vs {exact}");
//! ```

use crate::error::{self, Error, Result};
use crate::lowprec::exact::{exact_risk, exact_unavailable, zou_bound, ZouBound};
use crate::lowprec::formats::Rounding;
use crate::lowprec::noise::{Quantizer, Targets};
use crate::lowprec::sgd::{
    simulate, Averaging, Problem, RiskStats, SgdConfig, Shrink, StepSchedule, WStar,
};
use serde::{Deserialize, Serialize};

/// A positive count, refused with the flags' message when zero.
pub(crate) fn positive_count(name: &str, v: usize) -> Result<usize> {
    if v == 0 {
        return Err(Error::input(format!(
            "{name} must be a positive integer, got 0"
        )));
    }
    Ok(v)
}

/// The problem (H = diag(i^−a), i = 1..d; y = ⟨w*, x⟩ + ξ) and the optimizer, with the
/// command line's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct SgdSpec {
    /// Dimension d. Default 100.
    pub d: usize,
    /// Spectral decay exponent a (> 0). Default 1.5.
    pub a: f64,
    /// Label noise variance σ² (≥ 0). Default 0.1.
    pub sigma2: f64,
    /// Target w*: `ones` or `power:B` (λ_i w*_i² = i^−B). Default `ones`.
    pub wstar: String,
    /// Batch size B. Default 1.
    pub batch: usize,
    /// Base step size γ (> 0). Default 0.1.
    pub step: f64,
    /// Number of steps N (one pass: N·B samples). Default 1000.
    pub steps: usize,
    /// Step schedule: `constant`, `inverse:T0`, `poly:P`, `stepdecay:K`. Default `constant`.
    pub schedule: String,
    /// Reported iterate: `last`, `average`, `tail` (second half) or `tail:S`. Default `last`.
    pub iterate: String,
    /// Independent runs (Monte Carlo). Default 100.
    pub runs: usize,
    /// Base seed; run r draws from `instance::rng_for(seed, r)`. Default 1.
    pub seed: u64,
}

impl Default for SgdSpec {
    fn default() -> Self {
        SgdSpec {
            d: 100,
            a: 1.5,
            sigma2: 0.1,
            wstar: "ones".into(),
            batch: 1,
            step: 0.1,
            steps: 1000,
            schedule: "constant".into(),
            iterate: "last".into(),
            runs: 100,
            seed: 1,
        }
    }
}

impl SgdSpec {
    /// The validated problem.
    pub fn problem(&self) -> Result<Problem> {
        let d = positive_count("dimension d", self.d)?;
        Problem::power_law(d, self.a, self.sigma2, WStar::parse(&self.wstar)?)
    }

    /// The validated SGD configuration with `targets` quantized.
    pub fn config(&self, targets: Targets) -> Result<SgdConfig> {
        let steps = positive_count("number of steps", self.steps)?;
        let cfg = SgdConfig {
            problem: self.problem()?,
            batch: positive_count("batch size", self.batch)?,
            step: error::positive("lr", self.step)?,
            steps,
            schedule: StepSchedule::parse(&self.schedule)?,
            averaging: Averaging::parse(&self.iterate, steps)?,
            targets,
            shrink: None,
            grad_format: None,
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

/// What is quantized and how, with the `sgd` command's defaults (nothing quantized).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct QuantizeSpec {
    /// Targets quantized with [`noise`](Self::noise): data, labels, params, acts, grads, all.
    pub quantize: Vec<String>,
    /// Quantizer for `quantize`: mult (= mult-coord), mult-coord, mult-vec, add, intB,
    /// `int:B:STEP`, e2m1, e4m3, e5m2, fp16, bf16, `eXmY[:SCALE]`. Default `mult-coord`.
    pub noise: String,
    /// Noise level ε of the abstract models (Var ζ or Var δ_i, ≥ 0).
    pub eps: Option<f64>,
    /// Rounding of bit-level formats: `nearest` or `stochastic`. Default `nearest`.
    pub rounding: String,
    /// Per-target quantizers `TARGET=SPEC`.
    pub per_target: Vec<String>,
    /// Gradient shrinkage factor q ∈ (0, 1] (seed 003): the update uses q·g + ε.
    pub shrink_q: Option<f64>,
    /// Variance of each coordinate of the gradient noise ε. Default 0.
    pub grad_noise: f64,
    /// Compensate shrinkage by dividing the step by q.
    pub compensate: bool,
    /// Quantize the whole gradient vector with this format before the update (e.g. e4m3).
    pub grad_format: Option<String>,
    /// Also compute the exact expected risk (abstract noise models only).
    pub exact: bool,
    /// Exact risk only, no simulation.
    pub no_sim: bool,
}

impl Default for QuantizeSpec {
    fn default() -> Self {
        QuantizeSpec {
            quantize: vec![],
            noise: "mult-coord".into(),
            eps: None,
            rounding: "nearest".into(),
            per_target: vec![],
            shrink_q: None,
            grad_noise: 0.0,
            compensate: false,
            grad_format: None,
            exact: false,
            no_sim: false,
        }
    }
}

/// The quantizer of every target.
pub fn targets(q: &QuantizeSpec, rounding: Rounding) -> Result<Targets> {
    if let Some(e) = q.eps {
        error::non_negative("eps", e)?;
    }
    let mut t = Targets::full();
    let names: Vec<&str> = q
        .quantize
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    // The target names first: an error names the first bad value given (`--quantize bogus`
    // without --eps is about 'bogus', not the missing level of the default quantizer).
    for n in &names {
        Targets::full().set(n, Quantizer::None)?;
    }
    for spec in &q.per_target {
        if let Some((target, _)) = spec.split_once('=') {
            Targets::full().set(target, Quantizer::None)?;
        }
    }
    if !names.is_empty() {
        let quant = Quantizer::parse(&q.noise, q.eps, rounding)?;
        for n in names {
            t.set(n, quant)?;
        }
    } else {
        // Validate the quantizer even when unused, so a typo is not silently ignored.
        Quantizer::parse(&q.noise, q.eps.or(Some(0.0)), rounding)?;
    }
    for spec in &q.per_target {
        let (target, qs) = spec
            .split_once('=')
            .ok_or_else(|| Error::input(format!("--q '{spec}' must look like TARGET=SPEC")))?;
        t.set(target, Quantizer::parse(qs, q.eps, rounding)?)?;
    }
    Ok(t)
}

/// The quantizer label of every target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetLabels {
    /// Data x.
    pub data: String,
    /// Labels y.
    pub labels: String,
    /// Parameters w.
    pub params: String,
    /// Activations ⟨w, x⟩.
    pub acts: String,
    /// Gradients.
    pub grads: String,
}

impl From<&Targets> for TargetLabels {
    fn from(t: &Targets) -> Self {
        TargetLabels {
            data: t.data.label(),
            labels: t.labels.label(),
            params: t.params.label(),
            acts: t.acts.label(),
            grads: t.grads.label(),
        }
    }
}

/// The outcome of one SGD experiment (the JSON of `sgd --json`).
#[derive(Debug, Clone, Serialize)]
pub struct SgdReport {
    /// Dimension.
    pub d: usize,
    /// Spectral exponent.
    pub a: f64,
    /// Label noise.
    pub sigma2: f64,
    /// Batch size.
    pub batch: usize,
    /// Base step.
    pub step: f64,
    /// Steps.
    pub steps: usize,
    /// Step schedule.
    pub schedule: StepSchedule,
    /// Reported iterate.
    pub iterate: Averaging,
    /// Quantizer of each target.
    pub targets: TargetLabels,
    /// Monte Carlo runs.
    pub runs: usize,
    /// Base seed.
    pub seed: u64,
    /// Excess risk at the start.
    pub initial_risk: f64,
    /// Monte Carlo excess risk (none with `no_sim`).
    pub excess_risk: Option<RiskStats>,
    /// Whether a run or the exact recursion diverged.
    pub diverged: bool,
    /// `ok` or `diverged`.
    pub status: &'static str,
    /// Runs that diverged.
    pub diverged_runs: usize,
    /// Exact expected excess risk, where computed and finite.
    pub exact_risk: Option<f64>,
    /// Status of the exact recursion.
    pub exact_status: Option<&'static str>,
    /// Why the exact risk is unavailable, if asked for and unavailable.
    pub exact_note: Option<String>,
    /// Risk of the mean iterate.
    pub exact_mean_part: Option<f64>,
    /// The Zou et al. bound at full precision (constant step, batch 1).
    pub zou_bound_full_precision: Option<ZouBound>,
    /// Measured gradient shrinkage q (mean, spread) with a gradient format.
    pub q_measured: Option<(f64, f64)>,
}

/// Runs the experiment: Monte Carlo (unless `q.no_sim`), the exact risk (with `q.exact` or
/// `q.no_sim`, when the recursion applies), the Zou bound.
pub fn run(spec: &SgdSpec, q: &QuantizeSpec) -> Result<SgdReport> {
    let rounding = Rounding::parse(&q.rounding)?;
    let targets = targets(q, rounding)?;
    let mut cfg = spec.config(targets)?;
    let runs = positive_count("number of runs", spec.runs)?;
    error::non_negative("grad-noise", q.grad_noise)?;
    if q.shrink_q.is_some() || q.grad_noise > 0.0 || q.compensate {
        cfg.shrink = Some(Shrink {
            q: q.shrink_q.unwrap_or(1.0),
            noise_var: q.grad_noise,
            compensate: q.compensate,
        });
    }
    if let Some(f) = &q.grad_format {
        cfg.grad_format = Some(Quantizer::parse(f, q.eps, rounding)?);
    }
    cfg.validate()?;
    let sim = if q.no_sim {
        None
    } else {
        Some(simulate(&cfg, runs, spec.seed, &[])?)
    };
    let (exact, note) = if q.exact || q.no_sim {
        match exact_unavailable(&cfg) {
            None => (Some(exact_risk(&cfg, &[])?), None),
            Some(why) => (None, Some(why)),
        }
    } else {
        (None, None)
    };
    let zou = (cfg.schedule == StepSchedule::Constant && cfg.batch == 1)
        .then(|| {
            zou_bound(
                &cfg.problem.lambda,
                &cfg.problem.wstar,
                cfg.problem.sigma2,
                cfg.step,
                cfg.steps,
            )
        })
        .flatten();
    let sim_div = sim.as_ref().is_some_and(|s| s.diverged_runs > 0);
    let ex_div = exact.as_ref().is_some_and(|e| e.risk.is_none());
    let status = if sim_div || ex_div { "diverged" } else { "ok" };
    Ok(SgdReport {
        d: cfg.problem.dim(),
        a: spec.a,
        sigma2: cfg.problem.sigma2,
        batch: cfg.batch,
        step: cfg.step,
        steps: cfg.steps,
        schedule: cfg.schedule,
        iterate: cfg.averaging,
        targets: (&cfg.targets).into(),
        runs,
        seed: spec.seed,
        initial_risk: cfg.problem.initial_risk(),
        diverged_runs: sim.as_ref().map_or(0, |s| s.diverged_runs),
        q_measured: sim.as_ref().and_then(|s| s.q_measured),
        excess_risk: sim.map(|s| s.excess_risk),
        diverged: status == "diverged",
        status,
        exact_risk: exact.as_ref().and_then(|e| e.risk),
        exact_status: exact.as_ref().map(|e| e.status),
        exact_note: note,
        exact_mean_part: exact.as_ref().and_then(|e| e.mean_part),
        zou_bound_full_precision: zou,
    })
}
