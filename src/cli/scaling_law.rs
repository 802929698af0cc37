//! `quantreplica scaling-law`: the precision scaling law of sketched regression (seed 001).
//! The numbers come from [`crate::experiments::scaling_law`].

use super::sgd::{count, names, parse_list};
use crate::error::Result;
use crate::experiments::scaling_law::{run, ScalingLawSpec};

/// Flags of `quantreplica scaling-law`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScalingLawArgs {
    /// Ambient dimension d (must exceed every M).
    #[arg(
        long,
        short = 'd',
        allow_negative_numbers = true,
        default_value = "1024"
    )]
    pub d: i64,
    /// Spectral decay exponent a (> 1 for a finite-trace power law).
    #[arg(long, short = 'a', allow_negative_numbers = true, default_value = "2")]
    pub a: f64,
    /// Label-noise variance σ² (`--sigma2` is the old name).
    #[arg(
        long = "noise",
        alias = "sigma2",
        value_name = "NOISE",
        allow_negative_numbers = true,
        default_value = "0.1"
    )]
    pub sigma2: f64,
    /// Constant step γ (`--step` is the old name).
    #[arg(
        long = "lr",
        alias = "step",
        value_name = "LR",
        allow_negative_numbers = true,
        default_value = "0.1"
    )]
    pub step: f64,
    /// Batch size.
    #[arg(long, allow_negative_numbers = true, default_value = "1")]
    pub batch: i64,
    /// Sketch sizes M (comma list).
    #[arg(long, allow_hyphen_values = true, default_value = "8,16,32,64,128,256")]
    pub ms: String,
    /// Step counts N (comma list).
    #[arg(
        long,
        allow_hyphen_values = true,
        default_value = "100,300,1000,3000,10000"
    )]
    pub ns: String,
    /// Quantization level ε (comma list: one fit per ε and scheme).
    #[arg(long, allow_hyphen_values = true, default_value = "0.01")]
    pub eps: String,
    /// Schemes besides full precision: mult-vec, add, mult-coord (Monte Carlo only).
    #[arg(long, default_value = "mult-vec,add")]
    pub schemes: String,
    /// Targets the scheme quantizes (comma list).
    #[arg(long, default_value = "data")]
    pub quantize: String,
    /// Independent sketches averaged.
    #[arg(long, allow_negative_numbers = true, default_value = "3")]
    pub sketches: i64,
    /// Monte Carlo runs per sketch (per-coordinate scheme only).
    #[arg(long, allow_negative_numbers = true, default_value = "20")]
    pub runs: i64,
    /// Base seed.
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

impl ScalingLawArgs {
    /// The flags as settings.
    pub fn spec(&self) -> Result<ScalingLawSpec> {
        let s = ScalingLawSpec {
            d: count("dimension d", self.d)?,
            a: self.a,
            sigma2: self.sigma2,
            step: self.step,
            ms: parse_list("--ms", &self.ms)?,
            ns: parse_list("--ns", &self.ns)?,
            eps: parse_list("--eps", &self.eps)?,
            batch: count("batch size", self.batch)?,
            sketches: count("number of sketches", self.sketches)?,
            runs: count("number of runs", self.runs)?,
            schemes: names(&self.schemes),
            quantize: names(&self.quantize),
            seed: self.seed,
        };
        Ok(s)
    }
}

/// Runs `scaling-law`.
pub fn run_scaling_law(a: &ScalingLawArgs) -> Result<()> {
    let r = run(&a.spec()?)?;
    if a.json {
        return crate::output::print_json(&r);
    }
    let b = r.base_law;
    println!(
        "full-precision law: risk ≈ {:.4e} + {:.4e}·M^(1−a) + {:.4e}·(Nγ)^((1−a)/a)   (rms log residual {:.3})",
        b.e0, b.c1, b.c2, b.rms_log_residual
    );
    println!(
        "{:<18} {:>6} {:>12} {:>10} {:>10} {:>10}",
        "scheme", "exact", "E_q", "M_eff/M", "N_eff/N", "rms"
    );
    for s in &r.schemes {
        match s.fit {
            Some(f) => println!(
                "{:<18} {:>6} {:>12.4e} {:>10.4} {:>10.4} {:>10.3}",
                s.scheme,
                s.exact,
                f.additive_error,
                f.model_factor,
                f.data_factor,
                f.rms_log_residual
            ),
            None => println!(
                "{:<18} {:>6} {:>12} {:>10} {:>10} {:>10}",
                s.scheme, s.exact, "0", "1", "1", "-"
            ),
        }
    }
    Ok(())
}
