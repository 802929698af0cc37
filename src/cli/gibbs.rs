//! `quantreplica gibbs`: two-replica heat-bath sampling (optionally parallel tempering) on many
//! finite instances, against the RS theory.

use super::amp::{print_header, print_summary};
use super::model_args::{ModelArgs, SimArgs};
use crate::error::Result;
use crate::gibbs::GibbsOptions;
use crate::spec::parse_finite;
use crate::validate::run_gibbs;

/// Flags of `quantreplica gibbs`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Instances and seeds.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Measured sweeps.
    #[arg(long, default_value = "1000")]
    pub sweeps: usize,
    /// Sweeps discarded first.
    #[arg(long, default_value = "500")]
    pub burn_in: usize,
    /// Temperatures of the parallel-tempering ladder (1 = plain heat bath).
    #[arg(long, default_value = "1")]
    pub temperatures: usize,
    /// Smallest β of the ladder (geometric up to --beta).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0.5")]
    pub beta_min: f64,
    /// Bins of the P(q/Q) overlap histogram (`--bins` is the old name).
    #[arg(
        long = "overlap-bins",
        alias = "bins",
        value_name = "BINS",
        default_value = "40"
    )]
    pub overlap_bins: usize,
}

/// Runs `gibbs`.
pub fn run(a: &Args, force: bool) -> Result<()> {
    let (model, spec) = a.sim.resolve(&a.model, 200)?;
    super::cost::check_loaded(super::cost::Loaded::Gibbs(a, &spec), force)?;
    let opts = GibbsOptions {
        burn_in: a.burn_in,
        sweeps: a.sweeps,
        temperatures: a.temperatures,
        beta_min: a.beta_min,
    };
    let r = run_gibbs(&model, &spec, &opts, a.overlap_bins)?;
    if a.sim.json {
        return crate::output::print_json(&r);
    }
    println!(
        "Gibbs: N={} M={} seeds={} beta={} ladder={:?} (RS: lambda_AT={:.4}, {})",
        r.n,
        r.m,
        r.seeds,
        model.beta,
        r.ladder,
        r.rs.at_eigenvalue,
        if r.rs.rs_stable { "stable" } else { "UNSTABLE" }
    );
    print_header();
    print_summary("gen_error", &r.gen_error);
    print_summary("train_error", &r.train_error);
    print_summary("overlap", &r.overlap);
    print_summary("energy", &r.energy);
    print_summary("P(q/Q) width", &r.overlap_width);
    if !r.swap_acceptance.is_empty() {
        println!("swap acceptance: {:?}", r.swap_acceptance);
    }
    Ok(())
}
