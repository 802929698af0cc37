//! `quantreplica optimal-width`: the width ω* minimizing ε_g (or ε_mean), per bit count. The
//! numbers come from [`crate::experiments::widths`].

use super::model_args::ModelArgs;
use crate::error::Result;
use crate::experiments::widths::{compare_levels, optimal_widths, parse_bits_range, Objective};
use crate::output::{fmt_num, print_json, Csv};
use crate::parallel::RunOptions;

/// Flags of `quantreplica optimal-width`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model (--bits is the bit count unless --bits-range is given; --width is ignored).
    #[command(flatten)]
    pub model: ModelArgs,
    /// Table over bits: `B1:B2` (e.g. 1:8).
    #[arg(long, allow_hyphen_values = true)]
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

/// Runs `optimal-width`.
pub fn run(a: &Args) -> Result<()> {
    let objective: Objective = a.objective.parse()?;
    let bits = match &a.bits_range {
        Some(r) => parse_bits_range(r)?,
        None => vec![a.model.bits],
    };
    if let Some(p) = &a.csv {
        crate::output::Sink::new(p)?;
    }
    // The flags as given are checked, --width too although it is optimized over.
    a.model.model()?;
    let spec = a.model.spec()?;
    let opts = RunOptions::default();
    if a.compare {
        let rows = compare_levels(&spec, &bits, objective, a.stability_beta, &opts)?;
        if a.json {
            return print_json(&rows);
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
    let rows = optimal_widths(&spec, &bits, objective, &opts)?;
    if let Some(path) = &a.csv {
        let mut csv = Csv::new([
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
                fmt_num(r.width),
                fmt_num(s.gen_error),
                fmt_num(s.mse_posterior_mean),
                fmt_num(s.train_error),
                fmt_num(s.at_eigenvalue),
                s.rs_stable.to_string(),
                r.converged.to_string(),
            ]);
        }
        csv.write(path)?;
    }
    if a.json {
        return if a.bits_range.is_some() {
            print_json(&rows)
        } else {
            print_json(&rows[0])
        };
    }
    if rows.iter().any(|r| r.width_over_rms.is_some()) {
        // The sign channel: the width in units of the student's rms weight, and no ε_mean
        // (a regression error).
        println!(
            "{:>4} {:>12} {:>12} {:>12} {:>10} {:>8}",
            "bits", "width", "width/rms", "gen_error", "lambda_AT", "stable"
        );
        for r in &rows {
            let s = &r.solution;
            println!(
                "{:>4} {:>12.6} {:>12} {:>12.8} {:>10.4} {:>8}",
                r.bits,
                r.width,
                r.width_over_rms.map_or("-".into(), |v| format!("{v:.6}")),
                s.gen_error,
                s.at_eigenvalue,
                s.rs_stable
            );
        }
        return Ok(());
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
