//! `quantreplica rs`: the RS saddle point at one parameter point.

use super::model_args::ModelArgs;
use crate::continuation::branches::{fixed_points, BranchOptions};
use crate::error::Result;
use crate::model::Channel;

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

pub use crate::continuation::branches::RsJson;

fn fmt(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e6 {
        format!("{v:.6e}")
    } else if v.is_finite() {
        format!("{v:.6}")
    } else if v.is_nan() {
        "undefined".into()
    } else {
        format!("{v}")
    }
}

/// A parameter as typed (shortest round-trip form), in exponent form when that is shorter
/// (`1e300`, not 301 digits).
fn short(v: f64) -> String {
    let plain = format!("{v}");
    let exp = format!("{v:e}");
    if exp.len() < plain.len() {
        exp
    } else {
        plain
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
        "RS saddle point: alpha={} {} beta={} ridge={} teacher={}",
        short(model.alpha),
        match model.channel {
            Channel::Gaussian(_) => format!("noise={}", short(model.noise)),
            Channel::Sign(_) => super::model_args::channel_text(&model),
        },
        short(model.beta),
        short(model.ridge),
        model.teacher.name
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
        // Compared by state (a storage solution's undefined errors are NaN, never equal).
        let eq = &report.equilibrium;
        let same =
            [s.m, s.q, s.big_q].map(f64::to_bits) == [eq.m, eq.q, eq.big_q].map(f64::to_bits);
        let mark = if same { "*" } else { " " };
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
    let eq = &report.equilibrium;
    if let (Channel::Sign(_), Some(s)) = (&model.channel, eq.entropy) {
        let s_counting = model.entropy_without_ridge_prior(s, eq.big_q);
        if s_counting < 0.0 && model.student.levels().is_some_and(|l| l.is_counting()) {
            println!(
                "warning: the RS entropy {} is negative: the number of solutions cannot be below one, so RS is wrong here (beyond the entropy's zero: storage capacity, or the first-order transition to perfect generalization; docs/classification.md §5)",
                fmt(s)
            );
        }
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
