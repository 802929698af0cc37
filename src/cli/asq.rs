//! `asq` subcommand (issue 6): optimal data-chosen levels for unbiased stochastic rounding.

use crate::asq::{self, Approx, Dist};
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

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
    /// solver; `lagrange` forces the latter) or approx (m-bin histogram, no sort). The layered
    /// dynamic programs (`asq::exact_dp`, `exact_smawk`, `exact_smawk2`) are slower than QUIVER's
    /// solver and are kept in the library as test references only.
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

#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    Exact,
    Lagrange,
    Approx,
}

/// What `asq --json` prints.
#[derive(Debug, Serialize)]
struct Report {
    levels: Vec<f64>,
    s: usize,
    d: usize,
    method: String,
    objective_kind: String,
    /// Σ w (b − x)(x − a), or its largest term for `worst`.
    objective: f64,
    /// Σ (b − x)(x − a) / ‖x‖² (unit weights whatever the objective).
    vnmse: f64,
    /// Largest single weighted term, max_i w_i (b − x)(x − a).
    worst_term: f64,
    /// Seconds of the level-finding algorithm alone.
    seconds: f64,
    /// Seconds spent sorting (0 for approx, which does not sort).
    sort_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    approx: Option<ApproxReport>,
}

#[derive(Debug, Serialize)]
struct ApproxReport {
    bins: usize,
    bin_width: f64,
    /// objective ≤ OPT(bound_levels) + additive_bound and objective ≥ OPT(s).
    additive_bound: f64,
    bound_levels: usize,
    additive_bound_vnmse: f64,
}

fn parse_method(m: &str) -> Result<Method> {
    Ok(match m {
        "exact" => Method::Exact,
        "lagrange" => Method::Lagrange,
        "approx" => Method::Approx,
        "dp" | "smawk" | "smawk2" => {
            return Err(Error::input(format!(
                "method '{m}' is retired from the command line (slower than QUIVER's solver; still in the library as a test reference): use exact, the fastest exact solver"
            )))
        }
        _ => {
            return Err(Error::input(format!(
                "unknown method '{m}' (expected exact, lagrange or approx)"
            )))
        }
    })
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
    let method = parse_method(&a.method)?;
    let worst = match a.objective.as_str() {
        "variance" => false,
        "worst" => true,
        o => {
            return Err(Error::input(format!(
                "unknown objective '{o}' (expected variance or worst)"
            )))
        }
    };
    if worst && method != Method::Exact {
        return Err(Error::input(format!(
            "--objective worst is solved exactly only: use --method exact, not '{}'",
            a.method
        )));
    }
    // Progress: the values, the sort, the levels, the measures.
    let steps = crate::parallel::Steps::new(4, "asq");
    steps.stage("asq: values");
    let mut x = load(a)?;
    asq::check_values("input", &x)?;
    super::cost::check_loaded(super::cost::Loaded::Asq(a, x.len()), force)?;
    let mut w = match &a.weights {
        Some(path) => {
            let w = asq::read_values(path)?;
            asq::check_weights(&w, x.len())?;
            Some(w)
        }
        None => None,
    };
    steps.inc(1);
    steps.stage("asq: sort");
    let mut approx: Option<Approx> = None;
    let (levels, seconds, sort_seconds) = if method == Method::Approx {
        steps.inc(1);
        steps.stage("asq: levels");
        let t = Instant::now();
        let r = asq::approx_levels(&x, w.as_deref(), a.s, a.bins)?;
        let secs = t.elapsed().as_secs_f64();
        let levels = r.levels.clone();
        approx = Some(r);
        (levels, secs, 0.0)
    } else {
        // The objectives below do not need the input order: sort in place, no second copy.
        let t = Instant::now();
        match w.take() {
            None => asq::sort_values(&mut x),
            Some(wv) => {
                let (xs, ws) = asq::sort_with_weights(&x, &wv);
                drop(wv);
                x = xs;
                w = Some(ws);
            }
        }
        let sort_secs = t.elapsed().as_secs_f64();
        steps.inc(1);
        steps.stage("asq: levels");
        let (xs, wref) = (&x, w.as_deref());
        let t = Instant::now();
        let levels = if worst {
            asq::worst_levels(xs, wref, a.s)?
        } else {
            match method {
                Method::Exact => asq::exact_levels(xs, wref, a.s)?,
                Method::Lagrange => asq::exact_lagrange(xs, wref, a.s)?,
                Method::Approx => unreachable!("handled above"),
            }
        };
        (levels, t.elapsed().as_secs_f64(), sort_secs)
    };
    steps.inc(1);
    steps.stage("asq: measures");
    let sum = asq::variance_sum(&x, w.as_deref(), &levels)?;
    let worst_term = asq::variance_max(&x, w.as_deref(), &levels)?;
    let vnmse = asq::vnmse(&x, &levels)?;
    let norm: f64 = x.iter().map(|v| v * v).sum();
    steps.inc(1);
    drop(steps);
    let report = Report {
        s: levels.len(),
        d: x.len(),
        method: a.method.clone(),
        objective_kind: a.objective.clone(),
        objective: if worst { worst_term } else { sum },
        vnmse,
        worst_term,
        seconds,
        sort_seconds,
        approx: approx.map(|r| ApproxReport {
            bins: a.bins,
            bin_width: r.bin_width,
            additive_bound: r.additive_bound,
            bound_levels: r.bound_levels,
            additive_bound_vnmse: if norm > 0.0 {
                r.additive_bound / norm
            } else {
                f64::INFINITY
            },
        }),
        levels,
    };
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
