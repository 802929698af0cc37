//! `quantreplica optimal-width`: the width ω* minimizing ε_g (or ε_mean), per bit count.

use super::model_args::ModelArgs;
use crate::error::{Error, Result};
use crate::model::LevelKind;
use crate::optimize::{optimal_width, Objective, OptimalWidth};
use crate::rs::SolverOptions;
use rayon::prelude::*;

/// Flags of `quantreplica optimal-width`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model (--bits is the bit count unless --bits-range is given; --width is ignored).
    #[command(flatten)]
    pub model: ModelArgs,
    /// Table over bits: `B1:B2` (e.g. 1:8).
    #[arg(long)]
    pub bits_range: Option<String>,
    /// Objective: `gen` (ε_g, default) or `mean` (ε_mean).
    #[arg(long, default_value = "gen")]
    pub objective: String,
    /// Write the table as CSV here (with --bits-range).
    #[arg(long)]
    pub csv: Option<std::path::PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_objective(s: &str) -> Result<Objective> {
    match s {
        "gen" | "gen_error" => Ok(Objective::GenError),
        "mean" | "mse_posterior_mean" => Ok(Objective::MsePosteriorMean),
        _ => Err(Error::input(format!("unknown objective '{s}' (expected gen or mean)"))),
    }
}

/// Parses `B1:B2` into an inclusive range of bit counts.
pub fn parse_bits_range(s: &str) -> Result<Vec<u32>> {
    let bad = || Error::input(format!("bits range '{s}' is not of the form B1:B2 with 1 <= B1 <= B2 <= 16"));
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let a: u32 = a.trim().parse().map_err(|_| bad())?;
    let b: u32 = b.trim().parse().map_err(|_| bad())?;
    if a == 0 || b > 16 || a > b {
        return Err(bad());
    }
    Ok((a..=b).collect())
}

/// Computes the optimal width for each bit count (in parallel; deterministic).
pub fn table(args: &ModelArgs, bits: &[u32], objective: Objective) -> Result<Vec<OptimalWidth>> {
    let kind: LevelKind = args.levels.parse()?;
    // Validate the model once up front so bad flags fail before any work.
    args.model_with(&kind, bits[0], 1.0)?;
    bits.par_iter()
        .map(|&b| {
            let make = |w: f64| args.model_with(&kind, b, w);
            optimal_width(&make, &kind, b, objective, &SolverOptions::default())
        })
        .collect()
}

/// Runs `optimal-width`.
pub fn run(a: &Args) -> Result<()> {
    let objective = parse_objective(&a.objective)?;
    let bits = match &a.bits_range {
        Some(r) => parse_bits_range(r)?,
        None => vec![a.model.bits],
    };
    let rows = table(&a.model, &bits, objective)?;
    if let Some(path) = &a.csv {
        let mut csv = crate::output::Csv::new(["bits", "width", "gen_error", "mse_posterior_mean", "train_error", "at_eigenvalue", "rs_stable", "converged"]);
        for r in &rows {
            let s = &r.solution;
            csv.push(vec![
                r.bits.to_string(),
                crate::output::fmt_num(r.width),
                crate::output::fmt_num(s.gen_error),
                crate::output::fmt_num(s.mse_posterior_mean),
                crate::output::fmt_num(s.train_error),
                crate::output::fmt_num(s.at_eigenvalue),
                s.rs_stable.to_string(),
                r.converged.to_string(),
            ]);
        }
        csv.write(path)?;
    }
    if a.json {
        return if a.bits_range.is_some() {
            crate::output::print_json(&rows)
        } else {
            crate::output::print_json(&rows[0])
        };
    }
    println!("{:>4} {:>12} {:>12} {:>12} {:>10} {:>8}", "bits", "width", "gen_error", "mse_mean", "lambda_AT", "stable");
    for r in &rows {
        let s = &r.solution;
        println!("{:>4} {:>12.6} {:>12.6} {:>12.6} {:>10.4} {:>8}", r.bits, r.width, s.gen_error, s.mse_posterior_mean, s.at_eigenvalue, s.rs_stable);
    }
    Ok(())
}
