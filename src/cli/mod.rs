//! Command-line front end. Each subcommand lives in its own module with an `Args` struct and a
//! `run` function; this module only dispatches.

use crate::error::Result;
use clap::{Parser, Subcommand};

pub mod amp;
pub mod asq;
pub mod cost;
pub mod gibbs;
pub mod headline;
pub mod merge;
pub mod model_args;
pub mod optimal_width;
pub mod phase_diagram;
pub mod qat;
pub mod rs;
pub mod rsb;
pub mod scaling_law;
pub mod sgd;
pub mod shrinkage;
pub mod ste_dynamics;
pub mod sweep;
pub mod transitions;
pub mod validate;

/// Replica theory and simulation of quantized learning.
#[derive(Debug, Parser)]
#[command(name = "quantreplica", version, about, long_about = None)]
pub struct Cli {
    /// The task; with none, the headline report.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Start even when the time estimate exceeds the one-day limit (memory limits still
    /// apply; see docs/limits.md).
    #[arg(long, global = true)]
    pub force: bool,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Solve the replica-symmetric saddle point at one parameter point.
    Rs(rs::Args),
    /// Headline report: errors, RS stability and optimal widths for b = 1..4 (the default job).
    Headline(headline::Args),
    /// 1RSB solution at finite β (where RS is unstable).
    Rsb(rsb::Args),
    /// Sweep any grid of model parameters (checkpointed, shardable).
    Sweep(sweep::Args),
    /// Merge the shards of a sharded sweep.
    Merge(merge::Args),
    /// Phase diagram: RS-stable and RSB regions with the AT line.
    PhaseDiagram(phase_diagram::Args),
    /// Quantization width minimizing the error, per bit count.
    OptimalWidth(optimal_width::Args),
    /// Coexisting branches, spinodals and first-order transitions along a parameter.
    Transitions(transitions::Args),
    /// Approximate message passing with state evolution on finite instances.
    Amp(amp::Args),
    /// Gibbs sampling (heat bath, two replicas, parallel tempering) on finite instances.
    Gibbs(gibbs::Args),
    /// Quantization-aware training by SGD (straight-through estimator).
    Qat(qat::Args),
    /// Theory against AMP, Gibbs sampling and QAT on a default panel.
    Validate(validate::Args),
    /// Low-precision SGD for linear regression: simulation and exact risk.
    Sgd(sgd::SgdArgs),
    /// Precision scaling law of sketched regression (seed 001).
    ScalingLaw(scaling_law::ScalingLawArgs),
    /// SGD under gradient shrinkage (seed 003).
    Shrinkage(shrinkage::ShrinkageArgs),
    /// Adaptive stochastic quantization: optimal data-chosen levels.
    Asq(asq::Args),
    /// Dynamics of online straight-through (STE) training: N → ∞ theory against simulation.
    SteDynamics(ste_dynamics::Args),
}

/// The command line's definition, with every value-taking flag of every subcommand accepting a
/// negative number as its value (`--margin -1`, `--seed -1`, `--alpha -inf`), so that a bad
/// one gets the flag's own message rather than "unexpected argument '-1'". Flags whose values are lists or
/// specs that may start with a minus (`--level-weights -0.5,1.5`) allow hyphen values
/// themselves.
pub fn command() -> clap::Command {
    fn negatives(cmd: clap::Command) -> clap::Command {
        use std::any::TypeId;
        let numeric = [
            TypeId::of::<f64>(),
            TypeId::of::<i64>(),
            TypeId::of::<u64>(),
            TypeId::of::<u32>(),
            TypeId::of::<usize>(),
        ];
        let cmd = cmd.mut_args(|a| {
            if !a.get_action().takes_values() || a.is_positional() {
                return a;
            }
            // A number's parser refuses anything that is not a number (`-inf` included, which
            // allow_negative_numbers does not recognise), naming the flag; other values (paths,
            // names) must not swallow a following flag.
            let id = a.get_value_parser().type_id();
            if numeric.iter().any(|t| id == *t) {
                a.allow_hyphen_values(true)
            } else {
                a.allow_negative_numbers(true)
            }
        });
        cmd.mut_subcommands(negatives)
    }
    use clap::CommandFactory;
    negatives(Cli::command())
}

/// Parses a command line (the first item is the program name) with [`command`].
pub fn parse_from<I, T>(args: I) -> std::result::Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::FromArgMatches;
    let mut m = command().try_get_matches_from(args)?;
    Cli::from_arg_matches_mut(&mut m)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    if let Some(cmd) = &cli.command {
        cost::check(cmd, cli.force)?;
    }
    match cli.command {
        None => headline::run(&headline::Args::default()),
        Some(Command::Rs(a)) => rs::run(&a),
        Some(Command::Headline(a)) => headline::run(&a),
        Some(Command::Rsb(a)) => rsb::run(&a),
        Some(Command::Sweep(a)) => sweep::run(&a),
        Some(Command::Merge(a)) => merge::run(&a),
        Some(Command::PhaseDiagram(a)) => phase_diagram::run(&a),
        Some(Command::OptimalWidth(a)) => optimal_width::run(&a),
        Some(Command::Transitions(a)) => transitions::run(&a),
        Some(Command::Amp(a)) => amp::run(&a, cli.force),
        Some(Command::Gibbs(a)) => gibbs::run(&a, cli.force),
        Some(Command::Qat(a)) => qat::run(&a, cli.force),
        Some(Command::Validate(a)) => validate::run(&a),
        Some(Command::Sgd(a)) => sgd::run_sgd(&a),
        Some(Command::ScalingLaw(a)) => scaling_law::run_scaling_law(&a),
        Some(Command::Shrinkage(a)) => shrinkage::run_shrinkage(&a),
        Some(Command::Asq(a)) => asq::run(&a, cli.force),
        Some(Command::SteDynamics(a)) => ste_dynamics::run(&a),
    }
}

/// Folds a possibly multi-line message into one line: its first meaningful line, joined with
/// the next one when it ends in a colon (clap's "required arguments were not provided:").
pub fn one_line(msg: &str) -> String {
    let mut lines = msg.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("unknown error").to_string();
    if first.ends_with(':') {
        if let Some(next) = lines.next() {
            return format!("{first} {next}");
        }
    }
    first
}
