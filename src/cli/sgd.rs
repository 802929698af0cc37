//! `quantreplica sgd`: low-precision SGD for linear regression (issue 5), and the problem and
//! optimizer flags shared with `shrinkage`. The numbers come from
//! [`crate::experiments::sgd`].

use crate::error::{Error, Result};
use crate::experiments::sgd::{run, QuantizeSpec, SgdReport, SgdSpec};

/// A count given as a signed number, so that `-3` or `0` get the one-line message.
pub fn count(name: &str, v: i64) -> Result<usize> {
    if v <= 0 {
        return Err(Error::input(format!(
            "{name} must be a positive integer, got {v}"
        )));
    }
    Ok(v as usize)
}

/// A comma list of numbers (empty entries skipped), naming the flag in an error.
pub fn parse_list<T: std::str::FromStr>(name: &str, s: &str) -> Result<Vec<T>> {
    s.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim()
                .parse::<T>()
                .map_err(|_| Error::input(format!("{name}: '{}' is not a valid number", t.trim())))
        })
        .collect()
}

/// A comma list of names (empty entries skipped).
pub fn names(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}

/// The problem and optimizer flags shared by `sgd` and `shrinkage`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProblemArgs {
    /// Dimension d (H = diag(i^−a), i = 1..d).
    #[arg(
        long,
        short = 'd',
        allow_negative_numbers = true,
        default_value = "100"
    )]
    pub d: i64,
    /// Spectral decay exponent a (> 0).
    #[arg(
        long,
        short = 'a',
        allow_negative_numbers = true,
        default_value = "1.5"
    )]
    pub a: f64,
    /// Label-noise variance σ² (≥ 0), as `--noise` of the model commands (`--sigma2` is the
    /// old name).
    #[arg(
        long = "noise",
        alias = "sigma2",
        value_name = "NOISE",
        allow_negative_numbers = true,
        default_value = "0.1"
    )]
    pub sigma2: f64,
    /// Target w*: `ones` or `power:B` (λ_i w*_i² = i^−B).
    #[arg(long, default_value = "ones")]
    pub wstar: String,
    /// Batch size B.
    #[arg(long, short = 'b', allow_negative_numbers = true, default_value = "1")]
    pub batch: i64,
    /// Base step size γ (> 0), as `--lr` of `qat` and `ste-dynamics` (`--step` is the old
    /// name).
    #[arg(
        long = "lr",
        alias = "step",
        value_name = "LR",
        allow_negative_numbers = true,
        default_value = "0.1"
    )]
    pub step: f64,
    /// Number of steps N (one pass: N·B samples).
    #[arg(
        long,
        short = 'n',
        allow_negative_numbers = true,
        default_value = "1000"
    )]
    pub steps: i64,
    /// Step schedule: constant, inverse:T0, poly:P, stepdecay:K.
    #[arg(long, default_value = "constant")]
    pub schedule: String,
    /// Reported iterate: last, average, tail (second half) or tail:S.
    #[arg(long, default_value = "last")]
    pub iterate: String,
    /// Independent runs (Monte Carlo).
    #[arg(long, allow_negative_numbers = true, default_value = "100")]
    pub runs: i64,
    /// Base seed; run r uses a stream derived from (seed, r).
    #[arg(long, default_value = "1")]
    pub seed: u64,
}

impl ProblemArgs {
    /// The flags as settings.
    pub fn spec(&self) -> Result<SgdSpec> {
        let s = SgdSpec {
            steps: count("number of steps", self.steps)?,
            d: count("dimension d", self.d)?,
            batch: count("batch size", self.batch)?,
            runs: count("number of runs", self.runs)?,
            a: self.a,
            sigma2: self.sigma2,
            wstar: self.wstar.clone(),
            step: self.step,
            schedule: self.schedule.clone(),
            iterate: self.iterate.clone(),
            seed: self.seed,
        };
        Ok(s)
    }
}

/// Flags of `quantreplica sgd`.
#[derive(Debug, Clone, clap::Args)]
pub struct SgdArgs {
    /// Problem and optimizer.
    #[command(flatten)]
    pub p: ProblemArgs,
    /// Targets quantized with `--quantizer`: comma list of data, labels, params, acts, grads, all.
    #[arg(long, default_value = "")]
    pub quantize: String,
    /// Quantizer for `--quantize`: mult (= mult-coord), mult-coord, mult-vec, add, intB,
    /// `int:B:STEP`, e2m1, e4m3, e5m2, fp16, bf16, `eXmY[:SCALE]` (the label noise is
    /// `--noise`, as in every command).
    #[arg(long = "quantizer", value_name = "SPEC", default_value = "mult-coord")]
    pub quantizer: String,
    /// Noise level ε of the abstract models (Var ζ or Var δ_i, ≥ 0).
    #[arg(long, allow_negative_numbers = true)]
    pub eps: Option<f64>,
    /// Rounding of bit-level formats: nearest or stochastic.
    #[arg(long, default_value = "nearest")]
    pub rounding: String,
    /// Per-target quantizer TARGET=SPEC (repeatable), e.g. `--q data=add:0.01`.
    #[arg(long = "q")]
    pub per_target: Vec<String>,
    /// Gradient shrinkage factor q ∈ (0, 1] (seed 003): the update uses q·g + ε.
    #[arg(long, allow_negative_numbers = true)]
    pub shrink_q: Option<f64>,
    /// Variance of each coordinate of the gradient noise ε (with --shrink-q).
    #[arg(long, allow_negative_numbers = true, default_value = "0")]
    pub grad_noise: f64,
    /// Compensate shrinkage by dividing the step by q.
    #[arg(long)]
    pub compensate: bool,
    /// Quantize the whole gradient vector with this format before the update (e.g. e4m3).
    #[arg(long)]
    pub grad_format: Option<String>,
    /// Also compute the exact expected risk (abstract noise models only).
    #[arg(long)]
    pub exact: bool,
    /// Exact risk only, no simulation.
    #[arg(long)]
    pub no_sim: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

impl SgdArgs {
    /// The quantization flags as settings.
    pub fn quantize_spec(&self) -> QuantizeSpec {
        QuantizeSpec {
            quantize: names(&self.quantize),
            noise: self.quantizer.clone(),
            eps: self.eps,
            rounding: self.rounding.clone(),
            per_target: self.per_target.clone(),
            shrink_q: self.shrink_q,
            grad_noise: self.grad_noise,
            compensate: self.compensate,
            grad_format: self.grad_format.clone(),
            exact: self.exact,
            no_sim: self.no_sim,
        }
    }
}

/// A number for the text tables: `1.234560e-3`, or a dash.
pub fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.6e}")).unwrap_or_else(|| "—".into())
}

/// Runs `sgd`.
pub fn run_sgd(a: &SgdArgs) -> Result<()> {
    let r = run(&a.p.spec()?, &a.quantize_spec())?;
    if a.json {
        return crate::output::print_json(&r);
    }
    print_text(&r);
    Ok(())
}

fn print_text(r: &SgdReport) {
    println!(
        "SGD d={} a={} sigma2={} B={} step={} N={} schedule={:?} iterate={:?}",
        r.d, r.a, r.sigma2, r.batch, r.step, r.steps, r.schedule, r.iterate
    );
    let t = &r.targets;
    println!(
        "quantizers: data={} labels={} params={} acts={} grads={}",
        t.data, t.labels, t.params, t.acts, t.grads
    );
    if let Some(s) = &r.excess_risk {
        println!(
            "excess risk (Monte Carlo, {} runs): {} ± {}  [{} diverged]",
            r.runs,
            opt(s.mean),
            opt(s.stderr),
            r.diverged_runs
        );
        if let Some((q, sd)) = r.q_measured {
            println!("measured gradient shrinkage q = {q:.4} (spread {sd:.4})");
        }
    }
    if let Some(status) = r.exact_status {
        println!(
            "exact expected excess risk: {} ({status})",
            opt(r.exact_risk)
        );
    }
    if let Some(n) = &r.exact_note {
        println!("exact risk unavailable: {n}");
    }
    if let Some(z) = &r.zou_bound_full_precision {
        println!(
            "Zou et al. bound (full precision, averaged iterate): {:.6e} (k* = {})",
            z.bound, z.k_star
        );
    }
    println!("status: {}", r.status);
}
