//! The figures reproducing the low-precision SGD seeds (`cargo run --release --example
//! sgd_figures`): lines are the exact recursion, points with error bars Monte Carlo. The curves
//! come from [`crate::lowprec::curves`].

use super::plot::{save, LineChart, Mark, Series};
use crate::error::Result;
use crate::lowprec::curves::{self, RiskCurve};
use std::path::{Path, PathBuf};

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

/// The exact line (named) and the Monte Carlo points (unnamed) of a curve, in colour `k`.
fn push(fig: &mut LineChart, c: &RiskCurve, k: usize, line: Mark) {
    if !c.exact.is_empty() {
        fig.series.push(
            Series::line(c.label.clone(), c.exact.clone())
                .colour(k)
                .mark(line),
        );
    }
    if !c.monte_carlo.is_empty() {
        let name = if c.exact.is_empty() {
            c.label.clone()
        } else {
            String::new()
        };
        fig.series
            .push(Series::points(name, c.monte_carlo.clone(), Some(c.stderr.clone())).colour(k));
    }
}

/// Risk against N (averaged iterate) for full precision and each data-quantization scheme:
/// `sgd_risk_vs_n`.
pub fn risk_vs_n(dir: &Path, runs: usize) -> Result<PathBuf> {
    let mut fig = chart(
        "Seed 000: risk vs N, data quantization (d=200, a=1.5, γ=0.05, avg)",
        "N (steps, B=1)",
        "excess risk",
    );
    for (k, c) in curves::risk_vs_n(runs)?.iter().enumerate() {
        push(&mut fig, c, k, Mark::Line);
    }
    save(&fig, &dir.join("sgd_risk_vs_n"), (1000, 700))?;
    Ok(dir.join("sgd_risk_vs_n.png"))
}

/// Risk against d at fixed ε (seed 000): flat for multiplicative, growing (then diverging) for
/// additive: `sgd_risk_vs_d`.
pub fn risk_vs_d(dir: &Path, runs: usize) -> Result<PathBuf> {
    let mut fig = chart(
        "Seed 000: risk vs d at ε=0.05 (N=500, γ=0.1, last iterate)",
        "dimension d",
        "excess risk",
    );
    for (k, c) in curves::risk_vs_d(runs)?.iter().enumerate() {
        // Every scheme has its line even where the recursion diverged everywhere.
        fig.series
            .push(Series::line(c.label.clone(), c.exact.clone()).colour(k));
        fig.series.push(
            Series::points(String::new(), c.monte_carlo.clone(), Some(c.stderr.clone())).colour(k),
        );
    }
    fig.y_range = Some((0.01, 10.0));
    save(&fig, &dir.join("sgd_risk_vs_d"), (1000, 700))?;
    Ok(dir.join("sgd_risk_vs_d.png"))
}

/// Population risk against the sketch size M (seed 001): `sgd_risk_vs_m`.
pub fn risk_vs_m(dir: &Path, runs: usize) -> Result<PathBuf> {
    let mut fig = chart(
        "Seed 001: sketched regression, risk vs M (d=512, N=4000, ε=0.02)",
        "sketch size M",
        "population risk",
    );
    for (k, c) in curves::risk_vs_m(runs)?.iter().enumerate() {
        push(&mut fig, c, k, Mark::LinePoints);
    }
    save(&fig, &dir.join("sgd_risk_vs_m"), (1000, 700))?;
    Ok(dir.join("sgd_risk_vs_m.png"))
}

/// Convergence under gradient shrinkage q (seed 003), with step compensation (dashed):
/// `sgd_shrinkage`.
pub fn shrinkage_convergence(dir: &Path, runs: usize) -> Result<PathBuf> {
    let mut fig = chart(
        "Seed 003: convergence under gradient shrinkage (d=50, μ=0.1, σ²=0.01)",
        "iteration k",
        "excess risk",
    );
    for (k, s) in curves::shrinkage_convergence(runs)?.iter().enumerate() {
        let mark = if s.compensated {
            Mark::Dashed
        } else {
            Mark::Line
        };
        push(&mut fig, &s.curve, k, mark);
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
