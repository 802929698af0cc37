//! `quantreplica rs`: the RS saddle point at one parameter point.

use super::model_args::ModelArgs;
use crate::continuation::branches::{fixed_points, BranchOptions, Failure, FixedPoint};
use crate::error::Result;
use crate::rs::{RsReport, RsSolution};
use serde::Serialize;

/// Flags of `quantreplica rs`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The JSON of `rs --json`: the equilibrium's keys at top level, plus every fixed point.
#[derive(Debug, Serialize)]
pub struct RsJson<'a> {
    /// The equilibrium.
    #[serde(flatten)]
    pub equilibrium: &'a RsSolution,
    /// Whether the equilibrium converged.
    pub converged: bool,
    /// Every distinct fixed point the standard starts converged to.
    pub solutions: &'a [RsSolution],
    /// The levels used (null for a continuous student).
    pub levels: Option<&'a [f64]>,
    /// Every fixed point found by the starts and by continuation in α, labelled (stable:
    /// attracts the RS iteration; see docs/continuation.md).
    pub fixed_points: &'a [FixedPoint],
    /// Where that continuation stopped short of [α/8, 8α].
    pub continuation_failures: &'a [Failure],
}

impl<'a> RsJson<'a> {
    /// Wraps a report and the labelled fixed points.
    pub fn new(
        report: &'a RsReport,
        levels: Option<&'a [f64]>,
        fixed_points: &'a [FixedPoint],
        continuation_failures: &'a [Failure],
    ) -> Self {
        RsJson {
            equilibrium: &report.equilibrium,
            converged: report.converged,
            solutions: &report.solutions,
            levels,
            fixed_points,
            continuation_failures,
        }
    }
}

fn fmt(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.6}")
    } else if v.is_nan() {
        "undefined".into()
    } else {
        format!("{v}")
    }
}

/// Runs `rs`.
pub fn run(a: &Args) -> Result<()> {
    let model = a.model.model()?;
    let all = fixed_points(&model, &BranchOptions::default());
    let report = &all.report;
    let levels = model.student.levels().map(|l| l.values());
    if a.json {
        return crate::output::print_json(&RsJson::new(
            report,
            levels,
            &all.fixed_points,
            &all.failures,
        ));
    }
    println!(
        "RS saddle point: alpha={} noise={} beta={} ridge={} teacher={}",
        model.alpha, model.noise, model.beta, model.ridge, model.teacher.name
    );
    match levels {
        Some(l) if l.len() <= 16 => println!("levels: {l:?}"),
        Some(l) => println!("levels: {} from {} to {}", l.len(), l[0], l[l.len() - 1]),
        None => println!("levels: continuous"),
    }
    println!(
        "{:>3} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10} {:>8} status",
        "#",
        "gen_err",
        "mse_mean",
        "train_err",
        "m",
        "q",
        "chi",
        "free_entropy",
        "lambda_AT",
        "stable"
    );
    for (i, s) in report.solutions.iter().enumerate() {
        let mark = if s == &report.equilibrium { "*" } else { " " };
        println!(
            "{mark}{i:>2} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10} {:>8} {:?}",
            fmt(s.gen_error),
            fmt(s.mse_posterior_mean),
            fmt(s.train_error),
            fmt(s.m),
            fmt(s.q),
            fmt(s.chi),
            s.free_entropy.map_or("n/a".into(), fmt),
            fmt(s.at_eigenvalue),
            s.rs_stable,
            s.status
        );
    }
    if !report.converged {
        println!("warning: no fixed point converged; numbers above are the last iterates");
    }
    println!("every fixed point (starts and continuation in alpha):");
    for f in &all.fixed_points {
        let s = &f.solution;
        let label = match f.stable {
            Some(true) => "stable",
            Some(false) => "unstable",
            None => "unlabelled",
        };
        println!(
            "  m={} q={} Q={} free_entropy={} spectral_radius={} {label} ({})",
            fmt(s.m),
            fmt(s.q),
            fmt(s.big_q),
            s.free_entropy.map_or("n/a".into(), fmt),
            f.spectral_radius.map_or("n/a".into(), fmt),
            f.found_by
        );
    }
    for f in &all.failures {
        println!(
            "  continuation in alpha stopped at alpha={} ({:?})",
            fmt(f.p),
            f.end
        );
    }
    Ok(())
}
