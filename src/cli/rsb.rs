//! `quantreplica rsb`: the 1RSB saddle point at finite β (THEORY.md §4), next to RS.

use super::model_args::ModelArgs;
use crate::error::Result;
use crate::rsb::{solve, solve_fixed_x, RsbOptions};

/// Flags of `quantreplica rsb`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model (β must be finite).
    #[command(flatten)]
    pub model: ModelArgs,
    /// Fix the Parisi parameter x ∈ (0, 1] instead of solving ∂φ1/∂x = 0 (`--x` is the old
    /// name).
    #[arg(long = "parisi-x", alias = "x", value_name = "X", allow_negative_numbers = true, value_parser = crate::spec::parse_finite)]
    pub parisi_x: Option<f64>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub use crate::rsb::RsbJson;

fn fmt(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.8}")
    } else if v.is_nan() {
        // A quantity the model does not define (the storage problem's teacher errors), as
        // `rs` prints it: never a bare NaN.
        "undefined".into()
    } else {
        format!("{v}")
    }
}

/// Runs `rsb`.
pub fn run(a: &Args) -> Result<()> {
    let model = a.model.model()?;
    let opts = RsbOptions::default();
    let report = match a.parisi_x {
        Some(x) => solve_fixed_x(&model, x, &opts)?,
        None => solve(&model, &opts)?,
    };
    let levels = model.student.levels().map(|l| l.values());
    if a.json {
        return crate::output::print_json(&RsbJson::new(&report, levels));
    }
    let s = &report.solution;
    let r = &report.rs;
    println!(
        "1RSB saddle point: alpha={} {} beta={} ridge={} teacher={}",
        model.alpha,
        super::model_args::channel_text(&model),
        model.beta,
        model.ridge,
        model.teacher.name
    );
    match levels {
        Some(l) if l.len() <= 16 => println!("levels: {l:?}"),
        Some(l) => println!("levels: {} from {} to {}", l.len(), l[0], l[l.len() - 1]),
        None => {}
    }
    println!(
        "RS replicon lambda_AT = {} ({})",
        fmt(r.at_eigenvalue),
        if r.rs_stable {
            "RS stable"
        } else {
            "RS unstable"
        }
    );
    println!(
        "phase: {:?}   x = {}   complexity = {:.3e}   status: {:?}",
        s.phase,
        fmt(s.x),
        s.complexity,
        s.status
    );
    println!(
        "within-state replicon = {} ({})",
        fmt(s.replicon_q1),
        if s.replicon_q1 < 1.0 {
            "1RSB stable inside states"
        } else {
            "1RSB unstable: further RSB needed"
        }
    );
    for b in &report.branches {
        let chosen = if report.chosen_branch == Some(b.index) {
            "  <- reported"
        } else {
            ""
        };
        println!(
            "branch {} ({:?}): x in [{}, {}], q1 - q0 = {} at x = {}{}",
            b.index,
            b.origin,
            fmt(b.x_min),
            fmt(b.x_max),
            fmt(b.q1_at_x_max - b.q0_at_x_max),
            fmt(b.x_max),
            chosen
        );
    }
    for p in &report.stationary {
        println!(
            "  stationary x on branch {}: {:?} at x = {}, free_entropy = {}{}",
            p.branch,
            p.kind,
            fmt(p.x),
            fmt(p.free_entropy),
            if p.converged { "" } else { " (not resolved)" }
        );
    }
    println!("{:<20} {:>14} {:>14}", "", "1RSB", "RS");
    let rows: [(&str, f64, f64); 10] = [
        ("m", s.m, r.m),
        ("Q", s.big_q, r.big_q),
        ("q1 (RS: q)", s.q1, r.q),
        ("q0 (RS: q)", s.q0, r.q),
        ("gen_error", s.gen_error, r.gen_error),
        (
            "mse_posterior_mean",
            s.mse_posterior_mean,
            r.mse_posterior_mean,
        ),
        ("train_error", s.train_error, r.train_error),
        (
            "free_entropy",
            s.free_entropy,
            r.free_entropy.unwrap_or(f64::NAN),
        ),
        ("energy", s.energy, r.energy),
        ("entropy", s.entropy, r.entropy.unwrap_or(f64::NAN)),
    ];
    for (name, a1, a0) in rows {
        println!("{name:<20} {:>14} {:>14}", fmt(a1), fmt(a0));
    }
    if s.entropy_violation {
        println!("warning: the 1RSB entropy leaves [0, log K]");
    }
    if !report.converged {
        println!("warning: not converged (fixed point, quadrature or the root in x); numbers are the last iterates");
    }
    Ok(())
}
