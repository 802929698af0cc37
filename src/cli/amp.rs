//! `quantreplica amp`: AMP with state evolution on many finite instances, against the RS theory.
//! Also defines the flags shared by `amp`, `gibbs` and `qat` ([`SimArgs`]).

use super::model_args::ModelArgs;
use crate::amp::{AmpOptions, VarianceMode};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::spec::parse_finite;
use crate::validate::{run_amp, RunSpec, Source, Summary};
use std::path::PathBuf;

/// Instance and seed flags shared by the simulation commands.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Number of weights N (≥ 2); M = round(αN). Default: 1000 (amp), 200 (gibbs), 500 (qat).
    #[arg(long)]
    pub n: Option<usize>,
    /// Number of seeds (independent instances, or independent runs on a data file).
    #[arg(long, default_value = "4")]
    pub seeds: usize,
    /// Base seed; seed s uses streams derived from (base, s).
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// Inputs X (M rows × N columns) as CSV or .npy; needs --y. α is then M/N.
    #[arg(long)]
    pub x: Option<PathBuf>,
    /// Labels y (M values) as CSV or .npy; needs --x.
    #[arg(long)]
    pub y: Option<PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

impl SimArgs {
    /// The model (α replaced by M/N of a data file) and the run specification.
    pub fn resolve(&self, model_args: &ModelArgs, default_n: usize) -> Result<(Model, RunSpec)> {
        if self.seeds == 0 {
            return Err(Error::input("--seeds must be at least 1, got 0"));
        }
        let model = model_args.model()?;
        let (model, source) = match (&self.x, &self.y) {
            (Some(x), Some(y)) => Source::from_files(model, x, y)?,
            (Some(_), None) => return Err(Error::input("--x needs --y (the labels file)")),
            (None, Some(_)) => return Err(Error::input("--y needs --x (the inputs file)")),
            (None, None) => {
                let source = Source::generated(&model, self.n.unwrap_or(default_n))?;
                (model, source)
            }
        };
        Ok((
            model,
            RunSpec {
                source,
                seeds: self.seeds,
                base_seed: self.seed,
                progress: !self.json,
            },
        ))
    }
}

/// Prints one summary line.
pub fn print_summary(name: &str, s: &Summary) {
    let f = |v: f64| {
        if v.is_finite() {
            format!("{v:.6}")
        } else {
            "-".into()
        }
    };
    println!(
        "{name:<20} {:>10} {:>10} {:>10}",
        f(s.mean),
        f(s.stderr),
        f(s.theory)
    );
}

/// Prints the table header of [`print_summary`].
pub fn print_header() {
    println!(
        "{:<20} {:>10} {:>10} {:>10}",
        "quantity", "mean", "stderr", "theory"
    );
}

/// Flags of `quantreplica amp`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Instances and seeds.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Damping d ∈ (0, 1] of messages (1 = undamped).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "1")]
    pub damping: f64,
    /// Iteration budget.
    #[arg(long, default_value = "200")]
    pub max_iter: usize,
    /// Convergence tolerance on ‖ŵ_t − ŵ_{t−1}‖/√N.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "1e-7")]
    pub tol: f64,
    /// Full GAMP variance messages with the matrix of squares (default: rank-one, 2 matvecs).
    #[arg(long)]
    pub full_variance: bool,
}

/// Runs `amp`.
pub fn run(a: &Args) -> Result<()> {
    let (model, spec) = a.sim.resolve(&a.model, 1000)?;
    let opts = AmpOptions {
        damping: a.damping,
        max_iter: a.max_iter,
        tol: a.tol,
        variance: if a.full_variance {
            VarianceMode::Full
        } else {
            VarianceMode::RankOne
        },
    };
    opts.check()?;
    let r = run_amp(&model, &spec, &opts)?;
    if a.sim.json {
        return crate::output::print_json(&r);
    }
    println!(
        "AMP: N={} M={} seeds={} beta={} (RS: lambda_AT={:.4}, {})",
        r.n,
        r.m,
        r.seeds,
        model.beta,
        r.rs.at_eigenvalue,
        if r.rs.rs_stable { "stable" } else { "UNSTABLE" }
    );
    print_header();
    print_summary("mse_posterior_mean", &r.mse_posterior_mean);
    print_summary("gen_error", &r.gen_error);
    print_summary("train_error(w_hat)", &r.train_error_mean);
    println!(
        "state evolution from AMP's start: mse {:.6}, mean var {:.6}",
        r.state_evolution.mse, r.state_evolution.mean_var
    );
    let conv = r.status.iter().filter(|s| s.is_converged()).count();
    println!(
        "converged {conv}/{} (statuses {:?}), iterations {:?}",
        r.seeds, r.status, r.iterations
    );
    Ok(())
}
