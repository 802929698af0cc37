//! The data of the figures reproducing each seed's experiment (drawn by
//! [`crate::report::lowprec`], `cargo run --release --example sgd_figures`): risk against N for
//! each ε and scheme, risk against d (seed 000), risk against the sketch size M (seed 001), and
//! convergence under gradient shrinkage (seed 003). Each curve holds the exact recursion and
//! Monte Carlo points with their standard errors.

use super::exact::exact_risk;
use super::noise::{Quantizer, Sharing, Targets};
use super::sgd::{
    log_checkpoints, simulate, Averaging, Problem, SgdConfig, Shrink, StepSchedule, WStar,
};
use super::sketch::{sketched_risk, SketchSettings};
use crate::error::Result;
use serde::Serialize;

/// One scheme's risk curve: the exact recursion and Monte Carlo points.
#[derive(Debug, Clone, Serialize)]
pub struct RiskCurve {
    /// The scheme (`full precision`, `mult-coord ε=0.01`, ...).
    pub label: String,
    /// Exact expected risk `(x, risk)` (empty where not computed).
    pub exact: Vec<(f64, f64)>,
    /// Monte Carlo mean risk `(x, risk)`.
    pub monte_carlo: Vec<(f64, f64)>,
    /// Standard error of each Monte Carlo point.
    pub stderr: Vec<f64>,
}

fn base(
    d: usize,
    wstar: WStar,
    steps: usize,
    step: f64,
    averaging: Averaging,
) -> Result<SgdConfig> {
    Ok(SgdConfig {
        problem: Problem::power_law(d, 1.5, 0.1, wstar)?,
        batch: 1,
        step,
        steps,
        schedule: StepSchedule::Constant,
        averaging,
        targets: Targets::full(),
        shrink: None,
        grad_format: None,
    })
}

fn data_schemes(eps: f64) -> [(String, Quantizer); 3] {
    [
        (
            format!("mult-coord ε={eps}"),
            Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerCoordinate,
            },
        ),
        (
            format!("mult-vec ε={eps}"),
            Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerVector,
            },
        ),
        (format!("additive ε={eps}"), Quantizer::Additive { eps }),
    ]
}

/// Risk against N (averaged iterate) for full precision and each data-quantization scheme.
/// d = 200, a = 1.5, γ = 0.05, averaged iterate, N up to 4000, ε ∈ {0.01, 0.05}.
pub fn risk_vs_n(runs: usize) -> Result<Vec<RiskCurve>> {
    let n = 4000;
    let cks = log_checkpoints(n, 40);
    let mc_cks: Vec<usize> = vec![30, 100, 300, 1000, 4000];
    let mut out = Vec::new();
    let mut schemes = vec![("full precision".to_string(), Quantizer::None)];
    for eps in [0.01, 0.05] {
        schemes.extend(data_schemes(eps));
    }
    for (name, q) in schemes {
        let mut c = base(200, WStar::Ones, n, 0.05, Averaging::Average)?;
        c.targets.data = q;
        let ex = exact_risk(&c, &cks)?;
        let sim = simulate(&c, runs, 7, &mc_cks)?;
        out.push(RiskCurve {
            label: name,
            exact: pairs(&cks, &ex.curve),
            monte_carlo: pairs(&sim.checkpoints, &sim.curve_mean),
            stderr: sim.curve_stderr,
        });
    }
    Ok(out)
}

fn pairs(ts: &[usize], rs: &[f64]) -> Vec<(f64, f64)> {
    ts.iter().zip(rs).map(|(&t, &r)| (t as f64, r)).collect()
}

/// Risk against d at fixed ε (seed 000): flat for multiplicative, growing (then diverging) for
/// additive.
/// N = 500, γ = 0.1, last iterate, ε = 0.05, d from 25 to 1600 (Monte Carlo up to 400).
pub fn risk_vs_d(runs: usize) -> Result<Vec<RiskCurve>> {
    let ds = [25usize, 50, 100, 200, 400, 800, 1600];
    let eps = 0.05;
    let mut out = Vec::new();
    let mut schemes = vec![("full precision".to_string(), Quantizer::None)];
    schemes.extend(data_schemes(eps));
    for (name, q) in schemes {
        let mut line = Vec::new();
        let mut pts = Vec::new();
        let mut err = Vec::new();
        for &d in &ds {
            let mut c = base(d, WStar::Power(3.0), 500, 0.1, Averaging::Last)?;
            c.targets.data = q;
            if let Some(r) = exact_risk(&c, &[])?.risk {
                line.push((d as f64, r));
            }
            if d <= 400 {
                let s = simulate(&c, runs, 9, &[])?;
                if let (Some(m), Some(se)) = (s.excess_risk.mean, s.excess_risk.stderr) {
                    pts.push((d as f64, m));
                    err.push(se);
                }
            }
        }
        out.push(RiskCurve {
            label: name,
            exact: line,
            monte_carlo: pts,
            stderr: err,
        });
    }
    Ok(out)
}

/// Population risk against the sketch size M (seed 001).
/// d = 512, N = 4000, ε = 0.02: exact for the rotation-invariant schemes, Monte Carlo for the
/// per-coordinate one (the last curve, M ≤ 32).
pub fn risk_vs_m(runs: usize) -> Result<Vec<RiskCurve>> {
    let ms = [8usize, 16, 32, 64, 128, 256];
    let eps = 0.02;
    let st = SketchSettings {
        d: 512,
        a: 1.5,
        sigma2: 0.05,
        batch: 1,
        step: 0.1,
        averaging: Averaging::Average,
        sketches: 2,
        runs,
        seed: 3,
    };
    let n = [4000usize];
    let mut out = Vec::new();
    let schemes = [
        ("full precision".to_string(), Quantizer::None),
        (
            format!("mult-vec ε={eps}"),
            Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerVector,
            },
        ),
        (format!("additive ε={eps}"), Quantizer::Additive { eps }),
    ];
    for (name, q) in schemes.iter() {
        let t = Targets {
            data: *q,
            ..Targets::full()
        };
        let line: Result<Vec<(f64, f64)>> = ms
            .iter()
            .map(|&m| Ok((m as f64, sketched_risk(&st, m, &t, &n, false)?[0].0)))
            .collect();
        out.push(RiskCurve {
            label: name.clone(),
            exact: line?,
            monte_carlo: vec![],
            stderr: vec![],
        });
    }
    // Per-coordinate multiplicative is not rotation invariant: Monte Carlo at small M.
    let t = Targets {
        data: Quantizer::Multiplicative {
            eps,
            sharing: Sharing::PerCoordinate,
        },
        ..Targets::full()
    };
    let mut pts = Vec::new();
    let mut err = Vec::new();
    for &m in &ms[..3] {
        let r = sketched_risk(&st, m, &t, &n, true)?[0];
        pts.push((m as f64, r.0));
        err.push(r.1);
    }
    out.push(RiskCurve {
        label: format!("mult-coord ε={eps} (MC)"),
        exact: vec![],
        monte_carlo: pts,
        stderr: err,
    });
    Ok(out)
}

/// One shrinkage case's convergence curve.
#[derive(Debug, Clone, Serialize)]
pub struct ShrinkCurve {
    /// Shrinkage factor q.
    pub q: f64,
    /// Whether the step is divided by q.
    pub compensated: bool,
    /// The curve.
    pub curve: RiskCurve,
}

/// Convergence under gradient shrinkage q (seed 003), with step compensation: d = 50, μ = 0.1,
/// σ² = 0.01, q ∈ {1, 0.5, 0.25} and 0.25 compensated.
pub fn shrinkage_convergence(runs: usize) -> Result<Vec<ShrinkCurve>> {
    let n = 3000;
    let cks = log_checkpoints(n, 40);
    let mc_cks: Vec<usize> = vec![10, 30, 100, 300, 1000, 3000];
    let mut out = Vec::new();
    let cases = [(1.0, false), (0.5, false), (0.25, false), (0.25, true)];
    for (q, compensate) in cases {
        let mut c = base(50, WStar::Ones, n, 0.1, Averaging::Last)?;
        c.problem.sigma2 = 0.01;
        c.shrink = Some(Shrink {
            q,
            noise_var: 0.0,
            compensate,
        });
        let ex = exact_risk(&c, &cks)?;
        let name = if compensate {
            format!("q={q}, step μ/q")
        } else {
            format!("q={q}")
        };
        let sim = simulate(&c, runs, 11, &mc_cks)?;
        out.push(ShrinkCurve {
            q,
            compensated: compensate,
            curve: RiskCurve {
                label: name,
                exact: pairs(&cks, &ex.curve),
                monte_carlo: pairs(&sim.checkpoints, &sim.curve_mean),
                stderr: sim.curve_stderr,
            },
        });
    }
    Ok(out)
}
