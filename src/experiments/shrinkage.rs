//! SGD under gradient shrinkage (seed 003, the `shrinkage` command): g̃ = q·g + ε for each q,
//! uncompensated and with the step divided by q; the time to a target risk (exact and Monte
//! Carlo), the convergence bound, and the shrinkage measured in real formats' round-to-nearest
//! against the shrinkage model's prediction.

use super::sgd::{positive_count, SgdSpec};
use crate::error::{self, Error, Result};
use crate::lowprec::exact::exact_risk;
use crate::lowprec::formats::Rounding;
use crate::lowprec::noise::{Quantizer, Targets};
use crate::lowprec::sgd::{log_checkpoints, simulate, Shrink, StepSchedule};
use crate::lowprec::shrinkage::{bound_check, time_to_target, BoundCheck};
use serde::{Deserialize, Serialize};

/// The experiment's settings besides the problem, with the command line's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ShrinkageSpec {
    /// Shrinkage factors q, each in (0, 1]. Default 1, 0.5, 0.25.
    pub qs: Vec<f64>,
    /// Variance of each coordinate of the gradient noise ε. Default 0.
    pub grad_noise: f64,
    /// Target excess risk (default: 1% of the initial risk).
    pub target: Option<f64>,
    /// Real formats whose round-to-nearest gradient shrinkage is measured. Default e4m3,
    /// e5m2, e2m1.
    pub formats: Vec<String>,
    /// Scale applied to the gradient before a format rounds it. Default 1.
    pub grad_scale: f64,
}

impl Default for ShrinkageSpec {
    fn default() -> Self {
        ShrinkageSpec {
            qs: vec![1.0, 0.5, 0.25],
            grad_noise: 0.0,
            target: None,
            formats: vec!["e4m3".into(), "e5m2".into(), "e2m1".into()],
            grad_scale: 1.0,
        }
    }
}

/// One q's convergence.
#[derive(Debug, Clone, Serialize)]
pub struct ShrinkRow {
    /// Shrinkage factor.
    pub q: f64,
    /// Step divided by q.
    pub compensated: bool,
    /// Exact iterations to reach the target.
    pub time_exact: Option<f64>,
    /// Monte Carlo iterations to reach the target (mean curve).
    pub time_mc: Option<f64>,
    /// time_exact·q / time_exact(q = 1): ≈ 1 when the time scales as 1/q.
    pub time_times_q_ratio: Option<f64>,
    /// Final exact excess risk.
    pub final_exact: Option<f64>,
    /// Final Monte Carlo excess risk (mean, stderr).
    pub final_mc: (Option<f64>, Option<f64>),
    /// Convergence bound check.
    pub bound: Option<BoundCheck>,
    /// Checkpoints.
    pub checkpoints: Vec<usize>,
    /// Exact curve.
    pub curve_exact: Vec<f64>,
    /// Monte Carlo mean curve.
    pub curve_mc: Vec<f64>,
}

/// A real format's measured shrinkage.
#[derive(Debug, Clone, Serialize)]
pub struct FormatShrink {
    /// Format.
    pub format: String,
    /// Mean measured q along the runs.
    pub q_measured: Option<f64>,
    /// Monte Carlo final risk with the format.
    pub risk_mc: Option<f64>,
    /// Its standard error.
    pub risk_mc_stderr: Option<f64>,
    /// Exact risk of full-precision SGD with step μ·q_measured (the shrinkage model's prediction).
    pub risk_shrinkage_model: Option<f64>,
}

/// Output of the shrinkage experiment.
#[derive(Debug, Clone, Serialize)]
pub struct ShrinkageReport {
    /// Target risk.
    pub target: f64,
    /// One row per q, uncompensated then compensated.
    pub rows: Vec<ShrinkRow>,
    /// Real formats.
    pub formats: Vec<FormatShrink>,
}

/// Runs the experiment on the problem of `problem` (its step is the nominal μ).
pub fn run(problem: &SgdSpec, spec: &ShrinkageSpec) -> Result<ShrinkageReport> {
    let base = problem.config(Targets::full())?;
    let runs = positive_count("number of runs", problem.runs)?;
    error::non_negative("grad-noise", spec.grad_noise)?;
    error::positive("grad-scale", spec.grad_scale)?;
    if spec.qs.is_empty() {
        return Err(Error::input("--qs needs at least one value"));
    }
    let target = match spec.target {
        Some(t) => error::positive("target risk", t)?,
        None => 0.01 * base.problem.initial_risk(),
    };
    let cks = log_checkpoints(base.steps, 60);
    let mut rows = Vec::new();
    let mut t1: Option<f64> = None;
    for compensate in [false, true] {
        for &q in &spec.qs {
            let mut cfg = base.clone();
            cfg.shrink = Some(Shrink {
                q,
                noise_var: spec.grad_noise,
                compensate,
            });
            cfg.validate()?;
            let ex = exact_risk(&cfg, &cks)?;
            let sim = simulate(&cfg, runs, problem.seed, &cks)?;
            let te = time_to_target(&ex.checkpoints, &ex.curve, target);
            if !compensate && (q - 1.0).abs() < 1e-15 {
                t1 = te;
            }
            rows.push(ShrinkRow {
                q,
                compensated: compensate,
                time_exact: te,
                time_mc: time_to_target(&sim.checkpoints, &sim.curve_mean, target),
                time_times_q_ratio: None,
                final_exact: ex.risk,
                final_mc: (sim.excess_risk.mean, sim.excess_risk.stderr),
                bound: if cfg.schedule == StepSchedule::Constant {
                    bound_check(&cfg).ok()
                } else {
                    None
                },
                checkpoints: ex.checkpoints.clone(),
                curve_exact: ex.curve.clone(),
                curve_mc: sim.curve_mean.clone(),
            });
        }
    }
    if let Some(t1) = t1 {
        for r in rows.iter_mut().filter(|r| !r.compensated) {
            r.time_times_q_ratio = r.time_exact.map(|t| t * r.q / t1);
        }
    }
    let mut formats = Vec::new();
    for f in spec
        .formats
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        let q = Quantizer::parse(&format!("{f}:{}", spec.grad_scale), None, Rounding::Nearest)?;
        let mut cfg = base.clone();
        cfg.grad_format = Some(q);
        let sim = simulate(&cfg, runs, problem.seed, &[])?;
        let qm = sim.q_measured.map(|x| x.0);
        let model = match qm {
            Some(qv) if qv > 0.0 && qv <= 1.0 => {
                let mut c2 = base.clone();
                c2.shrink = Some(Shrink {
                    q: qv,
                    noise_var: 0.0,
                    compensate: false,
                });
                exact_risk(&c2, &[])?.risk
            }
            _ => None,
        };
        formats.push(FormatShrink {
            format: q.label(),
            q_measured: qm,
            risk_mc: sim.excess_risk.mean,
            risk_mc_stderr: sim.excess_risk.stderr,
            risk_shrinkage_model: model,
        });
    }
    Ok(ShrinkageReport {
        target,
        rows,
        formats,
    })
}
