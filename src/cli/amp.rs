//! `quantreplica amp`: AMP with state evolution on many finite instances, against the RS theory.
//! Also the summary table shared by `amp`, `gibbs` and `qat`.

use super::model_args::{ModelArgs, SimArgs};
use crate::amp::{AmpOptions, VarianceMode};
use crate::error::Result;
use crate::spec::parse_finite;
use crate::validate::{run_amp, Summary};

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
pub fn run(a: &Args, force: bool) -> Result<()> {
    let (model, spec) = a.sim.resolve(&a.model, 1000)?;
    super::cost::check_loaded(super::cost::Loaded::Amp(a, &spec), force)?;
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
