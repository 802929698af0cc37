//! Command-line front end. Each subcommand lives in its own module with an `Args` struct and a
//! `run` function; this module only dispatches.

use crate::error::Result;
use clap::{Parser, Subcommand};

pub mod asq;
pub mod headline;
pub mod model_args;
pub mod rs;
pub mod sgd;

/// Replica theory and simulation of quantized learning.
#[derive(Debug, Parser)]
#[command(name = "quantreplica", version, about, long_about = None)]
pub struct Cli {
    /// The task; with none, the headline report.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Solve the replica-symmetric saddle point at one parameter point.
    Rs(rs::Args),
    /// Headline report: errors, RS stability and optimal widths for b = 1..4 (the default job).
    Headline(headline::Args),
    /// Low-precision SGD for linear regression: simulation and exact risk.
    Sgd(sgd::SgdArgs),
    /// Precision scaling law of sketched regression (seed 001).
    ScalingLaw(sgd::ScalingLawArgs),
    /// SGD under gradient shrinkage (seed 003).
    Shrinkage(sgd::ShrinkageArgs),
    /// Adaptive stochastic quantization: optimal data-chosen levels.
    Asq(asq::Args),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => headline::run(&headline::Args::default()),
        Some(Command::Rs(a)) => rs::run(&a),
        Some(Command::Headline(a)) => headline::run(&a),
        Some(Command::Sgd(a)) => sgd::run_sgd(&a),
        Some(Command::ScalingLaw(a)) => sgd::run_scaling_law(&a),
        Some(Command::Shrinkage(a)) => sgd::run_shrinkage(&a),
        Some(Command::Asq(a)) => asq::run(&a),
    }
}

/// Folds a possibly multi-line message into its first meaningful line.
pub fn one_line(msg: &str) -> String {
    msg.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("unknown error")
        .to_string()
}
