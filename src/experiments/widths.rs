//! The optimal quantization width of a model specification: per bit count (the table of
//! `quantreplica optimal-width`), and uniform against non-uniform level sets
//! (`optimal-width --compare`).
//!
//! ```
//! use quantreplica::experiments::widths::{optimal_width, Objective};
//! use quantreplica::ModelSpec;
//! // Two bits, α = 2, σ² = 0.1, Gaussian teacher, the trained model (β = ∞): the defaults.
//! let spec = ModelSpec::default();
//! let w = optimal_width(&spec, Objective::GenError).unwrap();
//! assert!(w.converged);
//! assert!((w.width - 1.3286).abs() < 1e-3, "{}", w.width);
//! // The error there is below the error at any other width on a coarse scan.
//! for other in [0.8, 1.1, 1.6, 2.0] {
//!     let mut s = spec.clone();
//!     s.width = other;
//!     let r = quantreplica::rs::solve(&s.build().unwrap(), &Default::default());
//!     assert!(r.equilibrium.gen_error > w.solution.gen_error);
//! }
//! ```

use crate::error::{Error, Result};
use crate::model::{Channel, LevelKind, Model};
use crate::optimize::brent_min;
use crate::parallel::{try_map, RunOptions};
use crate::rs::{solve, RsSolution, SolverOptions};
use crate::spec::ModelSpec;
use serde::Serialize;

/// Which error the width should minimize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// ε_g of a Gibbs sample (the trained model at β = ∞).
    GenError,
    /// ε_mean of the posterior mean.
    MsePosteriorMean,
}

impl std::str::FromStr for Objective {
    type Err = Error;
    /// `gen` (or `gen_error`) and `mean` (or `mse_posterior_mean`).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "gen" | "gen_error" => Ok(Objective::GenError),
            "mean" | "mse_posterior_mean" => Ok(Objective::MsePosteriorMean),
            _ => Err(Error::input(format!(
                "unknown objective '{s}' (expected gen or mean)"
            ))),
        }
    }
}

impl Objective {
    /// The objective's value at an RS solution.
    pub fn of(self, s: &RsSolution) -> f64 {
        match self {
            Objective::GenError => s.gen_error,
            Objective::MsePosteriorMean => s.mse_posterior_mean,
        }
    }
}

/// The optimal width and the RS solution there.
#[derive(Debug, Clone, Serialize)]
pub struct OptimalWidth {
    /// Number of bits.
    pub bits: u32,
    /// The minimizing width ω*.
    pub width: f64,
    /// The objective minimized.
    pub objective: Objective,
    /// Sign channel only: `ω*/√Q*`, the width in units of the student's rms weight at ω* (the
    /// optimal width at a fixed norm, free of the ridge's scale; `docs/classification.md` §11).
    /// Absent (not serialized) under the Gaussian channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width_over_rms: Option<f64>,
    /// The RS equilibrium at ω*.
    #[serde(flatten)]
    pub solution: RsSolution,
    /// Whether the RS solution at ω* converged.
    pub converged: bool,
    /// RS solves used.
    pub evaluations: usize,
}

/// Finds ω* minimizing the objective for `kind` (a width-using level kind) with `bits` bits,
/// the model at each width given by `make`: a coarse scan to bracket the global minimum, then
/// Brent.
pub fn optimal_width_with(
    make: &dyn Fn(f64) -> Result<Model>,
    kind: &LevelKind,
    bits: u32,
    objective: Objective,
    opts: &SolverOptions,
) -> Result<OptimalWidth> {
    if !kind.uses_width() {
        return Err(Error::input(
            "optimal width needs a level kind with a width (uniform, midtread, pow2)",
        ));
    }
    let probe = make(1.0)?;
    // The weights' scale: the teacher's under the Gaussian channel; under the scale-free sign
    // channel the ridge prior's 1/√λ (its optima ω*√λ grow faster with the bits: about 1.7,
    // 3.2 and 5 for b = 2, 3, 4).
    let sign = matches!(probe.channel, Channel::Sign(_));
    let (scale, reach) = if sign && probe.ridge > 0.0 {
        (1.0 / probe.ridge.sqrt(), 2.0 + 1.5 * bits as f64)
    } else {
        (probe.rho().sqrt(), 1.5 + 0.75 * bits as f64)
    };
    let hi = scale * reach;
    let lo = 1e-3 * scale;
    let eval = |w: f64| -> f64 {
        match make(w) {
            Ok(m) => {
                let r = solve(&m, opts);
                if r.converged {
                    objective.of(&r.equilibrium)
                } else {
                    f64::INFINITY
                }
            }
            Err(_) => f64::INFINITY,
        }
    };
    let n = 48;
    let grid: Vec<f64> = (0..=n)
        .map(|i| lo + (hi - lo) * i as f64 / n as f64)
        .collect();
    let vals: Vec<f64> = grid.iter().map(|&w| eval(w)).collect();
    let (imin, _) = vals
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .ok_or_else(|| Error::Numerics("empty width scan".into()))?;
    if !vals[imin].is_finite() {
        return Err(Error::Numerics("no width converged in the scan".into()));
    }
    let a = grid[imin.saturating_sub(1)];
    let b = grid[(imin + 1).min(n)];
    let evals = std::cell::Cell::new(grid.len());
    let (w, _) = brent_min(
        |w| {
            evals.set(evals.get() + 1);
            eval(w)
        },
        a,
        b,
        1e-10 * scale,
    )?;
    let r = solve(&make(w)?, opts);
    let width_over_rms = sign.then(|| w / r.equilibrium.big_q.sqrt());
    Ok(OptimalWidth {
        bits,
        width: w,
        objective,
        width_over_rms,
        converged: r.converged,
        solution: r.equilibrium,
        evaluations: evals.get() + 1,
    })
}

/// The width minimizing `objective` for the spec's level kind (uniform, midtread or pow2) and
/// bit count; the spec's own width is ignored. Under the sign channel the width is a gauge
/// unless a ridge sets the weights' scale ([`ModelSpec::check_width_objective`]).
pub fn optimal_width(spec: &ModelSpec, objective: Objective) -> Result<OptimalWidth> {
    let kind = spec.level_kind()?;
    spec.check_width_objective(&kind, spec.bits, objective == Objective::MsePosteriorMean)?;
    let make = |w: f64| spec.build_with(&kind, spec.bits, w);
    optimal_width_with(
        &make,
        &kind,
        spec.bits,
        objective,
        &SolverOptions::default(),
    )
}

/// [`optimal_width`] for each bit count in `bits` (in parallel, in order). The model is
/// validated once before any work.
pub fn optimal_widths(
    spec: &ModelSpec,
    bits: &[u32],
    objective: Objective,
    opts: &RunOptions,
) -> Result<Vec<OptimalWidth>> {
    let kind = spec.level_kind()?;
    let first = bits
        .first()
        .ok_or_else(|| Error::input("no bit counts given"))?;
    spec.build_with(&kind, *first, 1.0)?;
    for &b in bits {
        spec.check_width_objective(&kind, b, objective == Objective::MsePosteriorMean)?;
    }
    try_map(bits, opts, "optimal widths", |&b| {
        let make = |w: f64| spec.build_with(&kind, b, w);
        optimal_width_with(&make, &kind, b, objective, &SolverOptions::default())
    })
}

/// Parses `B1:B2` into an inclusive range of bit counts (`1 <= B1 <= B2 <= 16`).
pub fn parse_bits_range(s: &str) -> Result<Vec<u32>> {
    let bad = || {
        Error::input(format!(
            "bits range '{s}' is not of the form B1:B2 with 1 <= B1 <= B2 <= 16"
        ))
    };
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let a: u32 = a.trim().parse().map_err(|_| bad())?;
    let b: u32 = b.trim().parse().map_err(|_| bad())?;
    if a == 0 || b > 16 || a > b {
        return Err(bad());
    }
    Ok((a..=b).collect())
}

/// The level kinds compared by [`compare_levels`], in table order.
pub const COMPARED_LEVELS: [&str; 4] = ["uniform", "pow2", "lloyd-max", "quantile"];

/// One level kind at one bit count in the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct LevelComparison {
    /// Bits.
    pub bits: u32,
    /// Level kind.
    pub levels: String,
    /// Width used (optimal for uniform and pow2; the outermost level otherwise).
    pub width: f64,
    /// ε_g at the model's β.
    pub gen_error: f64,
    /// ε_mean at the model's β.
    pub mse_posterior_mean: f64,
    /// λ_AT at the stability β.
    pub at_eigenvalue: f64,
    /// RS stable at the stability β.
    pub rs_stable: bool,
}

/// Uniform, power-of-two (each at its optimal width), Lloyd–Max and prior-quantile levels side
/// by side for each bit count: the error at the spec's β and RS stability at the finite
/// `stability_beta`.
pub fn compare_levels(
    spec: &ModelSpec,
    bits: &[u32],
    objective: Objective,
    stability_beta: f64,
    opts: &RunOptions,
) -> Result<Vec<LevelComparison>> {
    if stability_beta.is_infinite() {
        return Err(Error::input("--stability-beta must be finite"));
    }
    for &b in bits {
        for name in COMPARED_LEVELS {
            let kind: LevelKind = name.parse()?;
            if kind.uses_width() {
                spec.check_width_objective(&kind, b, objective == Objective::MsePosteriorMean)?;
            }
        }
    }
    let solver = SolverOptions::default();
    let jobs: Vec<(u32, &str)> = bits
        .iter()
        .flat_map(|&b| COMPARED_LEVELS.iter().map(move |k| (b, *k)))
        .collect();
    try_map(&jobs, opts, "level comparison", |&(b, name)| {
        let kind: LevelKind = name.parse()?;
        let width = if kind.uses_width() {
            let make = |w: f64| spec.build_with(&kind, b, w);
            optimal_width_with(&make, &kind, b, objective, &solver)?.width
        } else {
            1.0
        };
        let m = spec.build_with(&kind, b, width)?;
        let r = solve(&m, &solver);
        let mut hot = spec.clone();
        hot.beta = stability_beta;
        let rh = solve(&hot.build_with(&kind, b, width)?, &solver);
        let outer = m
            .student
            .levels()
            .map_or(f64::NAN, |l| l.values()[l.len() - 1]);
        Ok(LevelComparison {
            bits: b,
            levels: name.to_string(),
            width: outer,
            gen_error: r.equilibrium.gen_error,
            mse_posterior_mean: r.equilibrium.mse_posterior_mean,
            at_eigenvalue: rh.equilibrium.at_eigenvalue,
            rs_stable: rh.converged && rh.equilibrium.rs_stable,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_ranges() {
        assert_eq!(parse_bits_range("2:4").unwrap(), vec![2, 3, 4]);
        for bad in ["0:3", "3:2", "1:17", "x", "1-3"] {
            assert!(parse_bits_range(bad).is_err(), "{bad}");
        }
    }
}
