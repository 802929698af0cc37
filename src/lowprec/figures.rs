//! The figures reproducing each seed's experiment (`cargo run --release --example sgd_figures`):
//! risk against N for each ε and scheme, risk against d (seed 000), risk against the sketch size
//! M (seed 001), and convergence under gradient shrinkage (seed 003). Lines are the exact
//! recursion, points with error bars Monte Carlo.

use super::exact::exact_risk;
use super::noise::{Quantizer, Sharing, Targets};
use super::sgd::{
    log_checkpoints, simulate, Averaging, Problem, Schedule, SgdConfig, Shrink, WStar,
};
use super::sketch::{sketched_risk, SketchSettings};
use crate::error::Result;
use crate::plot::{save, LineChart, Mark, Series};
use std::path::{Path, PathBuf};

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
        schedule: Schedule::Constant,
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

fn chart(title: &str, x: &str, y: &str) -> LineChart {
    LineChart {
        title: title.into(),
        x_label: x.into(),
        y_label: y.into(),
        log_x: true,
        log_y: true,
        ..Default::default()
    }
}

/// Risk against N (averaged iterate) for full precision and each data-quantization scheme.
pub fn risk_vs_n(dir: &Path, runs: usize) -> Result<PathBuf> {
    let n = 4000;
    let cks = log_checkpoints(n, 40);
    let mc_cks: Vec<usize> = vec![30, 100, 300, 1000, 4000];
    let mut fig = chart(
        "Seed 000: risk vs N, data quantization (d=200, a=1.5, γ=0.05, avg)",
        "N (steps, B=1)",
        "excess risk",
    );
    let mut schemes = vec![("full precision".to_string(), Quantizer::None)];
    for eps in [0.01, 0.05] {
        schemes.extend(data_schemes(eps));
    }
    for (k, (name, q)) in schemes.into_iter().enumerate() {
        let mut c = base(200, WStar::Ones, n, 0.05, Averaging::Average)?;
        c.targets.data = q;
        let ex = exact_risk(&c, &cks)?;
        fig.series.push(
            Series::line(
                name.clone(),
                cks.iter()
                    .zip(&ex.curve)
                    .map(|(&t, &r)| (t as f64, r))
                    .collect(),
            )
            .colour(k),
        );
        let sim = simulate(&c, runs, 7, &mc_cks)?;
        fig.series.push(
            Series::points(
                String::new(),
                mc_cks
                    .iter()
                    .zip(&sim.curve_mean)
                    .map(|(&t, &r)| (t as f64, r))
                    .collect(),
                Some(sim.curve_stderr.clone()),
            )
            .colour(k),
        );
    }
    save(&fig, &dir.join("sgd_risk_vs_n"), (1000, 700))?;
    Ok(dir.join("sgd_risk_vs_n.png"))
}

/// Risk against d at fixed ε (seed 000): flat for multiplicative, growing (then diverging) for
/// additive.
pub fn risk_vs_d(dir: &Path, runs: usize) -> Result<PathBuf> {
    let ds = [25usize, 50, 100, 200, 400, 800, 1600];
    let eps = 0.05;
    let mut fig = chart(
        "Seed 000: risk vs d at ε=0.05 (N=500, γ=0.1, last iterate)",
        "dimension d",
        "excess risk",
    );
    let mut schemes = vec![("full precision".to_string(), Quantizer::None)];
    schemes.extend(data_schemes(eps));
    for (k, (name, q)) in schemes.into_iter().enumerate() {
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
        fig.series.push(Series::line(name, line).colour(k));
        fig.series
            .push(Series::points(String::new(), pts, Some(err)).colour(k));
    }
    fig.y_range = Some((0.01, 10.0));
    save(&fig, &dir.join("sgd_risk_vs_d"), (1000, 700))?;
    Ok(dir.join("sgd_risk_vs_d.png"))
}

/// Population risk against the sketch size M (seed 001).
pub fn risk_vs_m(dir: &Path, runs: usize) -> Result<PathBuf> {
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
    let mut fig = chart(
        "Seed 001: sketched regression, risk vs M (d=512, N=4000, ε=0.02)",
        "sketch size M",
        "population risk",
    );
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
    for (k, (name, q)) in schemes.iter().enumerate() {
        let t = Targets {
            data: *q,
            ..Targets::full()
        };
        let line: Result<Vec<(f64, f64)>> = ms
            .iter()
            .map(|&m| Ok((m as f64, sketched_risk(&st, m, &t, &n, false)?[0].0)))
            .collect();
        fig.series.push(
            Series::line(name.clone(), line?)
                .colour(k)
                .mark(Mark::LinePoints),
        );
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
    fig.series
        .push(Series::points(format!("mult-coord ε={eps} (MC)"), pts, Some(err)).colour(3));
    save(&fig, &dir.join("sgd_risk_vs_m"), (1000, 700))?;
    Ok(dir.join("sgd_risk_vs_m.png"))
}

/// Convergence under gradient shrinkage q (seed 003), with step compensation.
pub fn shrinkage_convergence(dir: &Path, runs: usize) -> Result<PathBuf> {
    let n = 3000;
    let cks = log_checkpoints(n, 40);
    let mc_cks: Vec<usize> = vec![10, 30, 100, 300, 1000, 3000];
    let mut fig = chart(
        "Seed 003: convergence under gradient shrinkage (d=50, μ=0.1, σ²=0.01)",
        "iteration k",
        "excess risk",
    );
    let cases = [(1.0, false), (0.5, false), (0.25, false), (0.25, true)];
    for (k, (q, compensate)) in cases.into_iter().enumerate() {
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
        let mark = if compensate { Mark::Dashed } else { Mark::Line };
        fig.series.push(
            Series::line(
                name,
                cks.iter()
                    .zip(&ex.curve)
                    .map(|(&t, &r)| (t as f64, r))
                    .collect(),
            )
            .colour(k)
            .mark(mark),
        );
        let sim = simulate(&c, runs, 11, &mc_cks)?;
        fig.series.push(
            Series::points(
                String::new(),
                mc_cks
                    .iter()
                    .zip(&sim.curve_mean)
                    .map(|(&t, &r)| (t as f64, r))
                    .collect(),
                Some(sim.curve_stderr.clone()),
            )
            .colour(k),
        );
    }
    save(&fig, &dir.join("sgd_shrinkage"), (1000, 700))?;
    Ok(dir.join("sgd_shrinkage.png"))
}

/// All four figures into `dir`.
pub fn all(dir: &Path, runs: usize) -> Result<Vec<PathBuf>> {
    Ok(vec![
        risk_vs_n(dir, runs)?,
        risk_vs_d(dir, runs)?,
        risk_vs_m(dir, runs.min(20))?,
        shrinkage_convergence(dir, runs)?,
    ])
}
