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
    /// Also compare uniform, power-of-two (each at its optimal width), Lloyd–Max and
    /// prior-quantile levels: error at the model's β and λ_AT at `--stability-beta`.
    #[arg(long)]
    pub compare: bool,
    /// Finite β at which `--compare` judges RS stability.
    #[arg(long, allow_negative_numbers = true, value_parser = crate::spec::parse_beta, default_value = "5")]
    pub stability_beta: f64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// One level kind in the `--compare` table.
#[derive(Debug, serde::Serialize)]
pub struct Compared {
    /// Bits.
    pub bits: u32,
    /// Level kind.
    pub levels: String,
    /// Width used (optimal for uniform and pow2; the outermost level otherwise).
    pub width: f64,
    /// ε_g at the model's β.
    pub gen_error: f64,
    /// ε_mean at the model's β.
    pub mse_posterior_mean: f64,
    /// λ_AT at the stability β.
    pub at_eigenvalue: f64,
    /// RS stable at the stability β.
    pub rs_stable: bool,
}

/// Uniform and non-uniform levels side by side for each bit count.
pub fn compare(
    args: &crate::spec::ModelSpec,
    bits: &[u32],
    objective: Objective,
    stability_beta: f64,
) -> Result<Vec<Compared>> {
    if stability_beta.is_infinite() {
        return Err(Error::input("--stability-beta must be finite"));
    }
    let opts = SolverOptions::default();
    let kinds = ["uniform", "pow2", "lloyd-max", "quantile"];
    let jobs: Vec<(u32, &str)> = bits
        .iter()
        .flat_map(|&b| kinds.iter().map(move |k| (b, *k)))
        .collect();
    jobs.par_iter()
        .map(|&(b, name)| {
            let kind: LevelKind = name.parse()?;
            let width = if kind.uses_width() {
                let make = |w: f64| args.build_with(&kind, b, w);
                optimal_width(&make, &kind, b, objective, &opts)?.width
            } else {
                1.0
            };
            let m = args.build_with(&kind, b, width)?;
            let r = crate::rs::solve(&m, &opts);
            let mut hot = args.clone();
            hot.beta = stability_beta;
            let rh = crate::rs::solve(&hot.build_with(&kind, b, width)?, &opts);
            let outer = m
                .student
                .levels()
                .map_or(f64::NAN, |l| l.values()[l.len() - 1]);
            Ok(Compared {
                bits: b,
                levels: name.to_string(),
                width: outer,
                gen_error: r.equilibrium.gen_error,
                mse_posterior_mean: r.equilibrium.mse_posterior_mean,
                at_eigenvalue: rh.equilibrium.at_eigenvalue,
                rs_stable: rh.converged && rh.equilibrium.rs_stable,
            })
        })
        .collect()
}

fn parse_objective(s: &str) -> Result<Objective> {
    match s {
        "gen" | "gen_error" => Ok(Objective::GenError),
        "mean" | "mse_posterior_mean" => Ok(Objective::MsePosteriorMean),
        _ => Err(Error::input(format!(
            "unknown objective '{s}' (expected gen or mean)"
        ))),
    }
}

/// Parses `B1:B2` into an inclusive range of bit counts.
pub fn parse_bits_range(s: &str) -> Result<Vec<u32>> {
    let bad = || {
        Error::input(format!(
            "bits range '{s}' is not of the form B1:B2 with 1 <= B1 <= B2 <= 16"
        ))
    };
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let a: u32 = a.trim().parse().map_err(|_| bad())?;
    let b: u32 = b.trim().parse().map_err(|_| bad())?;
    if a == 0 || b > 16 || a > b {
        return Err(bad());
    }
    Ok((a..=b).collect())
}

/// Computes the optimal width for each bit count (in parallel; deterministic).
pub fn table(
    args: &crate::spec::ModelSpec,
    bits: &[u32],
    objective: Objective,
) -> Result<Vec<OptimalWidth>> {
    let kind: LevelKind = args.levels.parse()?;
    // Validate the model once up front so bad flags fail before any work.
    args.build_with(&kind, bits[0], 1.0)?;
    bits.par_iter()
        .map(|&b| {
            let make = |w: f64| args.build_with(&kind, b, w);
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
    if a.compare {
        let rows = compare(&a.model.spec()?, &bits, objective, a.stability_beta)?;
        if a.json {
            return crate::output::print_json(&rows);
        }
        println!(
            "{:>4} {:>10} {:>10} {:>11} {:>10} {:>14}",
            "bits",
            "levels",
            "width",
            "gen_error",
            "lambda_AT",
            format!("stable@beta={}", a.stability_beta)
        );
        for r in &rows {
            println!(
                "{:>4} {:>10} {:>10.5} {:>11.6} {:>10.4} {:>14}",
                r.bits, r.levels, r.width, r.gen_error, r.at_eigenvalue, r.rs_stable
            );
        }
        return Ok(());
    }
    let rows = table(&a.model.spec()?, &bits, objective)?;
    if let Some(path) = &a.csv {
        let mut csv = crate::output::Csv::new([
            "bits",
            "width",
            "gen_error",
            "mse_posterior_mean",
            "train_error",
            "at_eigenvalue",
            "rs_stable",
            "converged",
        ]);
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
    println!(
        "{:>4} {:>12} {:>12} {:>12} {:>10} {:>8}",
        "bits", "width", "gen_error", "mse_mean", "lambda_AT", "stable"
    );
    for r in &rows {
        let s = &r.solution;
        println!(
            "{:>4} {:>12.6} {:>12.6} {:>12.6} {:>10.4} {:>8}",
            r.bits, r.width, s.gen_error, s.mse_posterior_mean, s.at_eigenvalue, s.rs_stable
        );
    }
    Ok(())
}
