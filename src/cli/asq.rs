//! `asq` subcommand (issue 6): optimal data-chosen levels for unbiased stochastic rounding.

use crate::asq::report::{Report, Request, Values};
use crate::asq::{self, Dist};
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Flags of `quantreplica asq`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Values to quantize: numbers separated by newlines, commas or spaces, or a 1-D float64
    /// `.npy` file.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Draw the values instead: lognormal, normal, exponential, truncnorm or weibull.
    #[arg(long, value_name = "NAME")]
    pub dist: Option<String>,
    /// Number of values drawn with --dist.
    #[arg(long, default_value_t = 1 << 20)]
    pub d: usize,
    /// Seed of the draws (xoshiro256++).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of levels, the minimum and maximum included (at least 2).
    #[arg(long)]
    pub s: usize,
    /// exact (the fastest exact solver: O(d) scans for s ≤ 5, else the penalty-per-level
    /// solver) or approx (m-bin histogram, no sort). The layered dynamic programs
    /// (`asq::exact_dp`, `exact_smawk`, `exact_smawk2`) and the penalty method at every s
    /// (`asq::exact_lagrange`, about 4x slower than QUIVER's at s = 3) are slower than QUIVER's
    /// solver for some s and are kept in the library as test references only.
    #[arg(long, default_value = "exact")]
    pub method: String,
    /// Bins of the approx method.
    #[arg(long, default_value_t = 1000)]
    pub bins: usize,
    /// Weights, one per value (e.g. the mean of y_i² over the queries); same formats as
    /// --input.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// variance (Σ w (b − x)(x − a)) or worst (max of the same terms).
    #[arg(long, default_value = "variance")]
    pub objective: String,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
}

fn load(a: &Args) -> Result<Vec<f64>> {
    match (&a.input, &a.dist) {
        (Some(_), Some(_)) => Err(Error::input("give either --input or --dist, not both")),
        (None, None) => Err(Error::input("give --input FILE or --dist NAME")),
        (Some(path), None) => asq::read_values(path),
        (None, Some(name)) => {
            let dist = Dist::parse(name)?;
            if a.d == 0 {
                return Err(Error::input("d = 0: need at least one value"));
            }
            Ok(asq::sample(dist, a.d, a.seed))
        }
    }
}

/// Runs `asq`.
pub fn run(a: &Args, force: bool) -> Result<()> {
    let req = Request::parse(a.s, &a.method, &a.objective, a.bins)?;
    // Progress: the values, the sort, the levels, the measures.
    let steps = crate::parallel::Steps::new(4, "asq");
    steps.stage("asq: values");
    let x = load(a)?;
    asq::check_values("input", &x)?;
    super::cost::check_loaded(super::cost::Loaded::Asq(a, x.len()), force)?;
    let w = a
        .weights
        .as_ref()
        .map(|p| asq::read_values(p))
        .transpose()?;
    let report = asq::report::run(
        Values {
            x,
            w,
            sorted_in: None,
        },
        &req,
        &steps,
    )?;
    drop(steps);
    if a.json {
        return crate::output::print_json(&report);
    }
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &Report) {
    println!(
        "ASQ: {} levels for {} values, method {}, objective {}",
        r.s, r.d, r.method, r.objective_kind
    );
    let shown: Vec<String> = r.levels.iter().map(|l| format!("{l:.6}")).collect();
    println!("levels: {}", shown.join(" "));
    println!("objective: {:.6e}", r.objective);
    println!("vNMSE: {:.6e}", r.vnmse);
    println!(
        "time: {:.4} s (algorithm), {:.4} s (sort)",
        r.seconds, r.sort_seconds
    );
    if let Some(a) = &r.approx {
        println!(
            "approx guarantee: OPT({}) ≤ objective ≤ OPT({}) + {:.6e} (vNMSE + {:.3e}); bin width {:.4e}",
            r.s, a.bound_levels, a.additive_bound, a.additive_bound_vnmse, a.bin_width
        );
    }
}
