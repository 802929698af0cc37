//! One-dimensional minimization and root finding (Brent, through argmin) and the optimal
//! quantization width built on them.

use crate::error::{Error, Result};
use crate::model::{LevelKind, Model};
use crate::rs::{solve, RsSolution, SolverOptions};
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::brent::{BrentOpt, BrentRoot};
use serde::Serialize;

struct Fn1<F>(F);

impl<F: Fn(f64) -> f64> CostFunction for Fn1<F> {
    type Param = f64;
    type Output = f64;
    fn cost(&self, x: &f64) -> std::result::Result<f64, argmin::core::Error> {
        Ok((self.0)(*x))
    }
}

/// Minimizes `f` on `[lo, hi]` (which must bracket a local minimum) with Brent's method.
/// Returns `(x, f(x))`.
pub fn brent_min<F: Fn(f64) -> f64>(f: F, lo: f64, hi: f64, xtol: f64) -> Result<(f64, f64)> {
    let solver = BrentOpt::new(lo, hi).set_tolerance(1.5e-8, xtol);
    let res = Executor::new(Fn1(f), solver)
        .configure(|s| s.max_iters(500))
        .run()
        .map_err(|e| Error::Numerics(format!("Brent minimization failed: {e}")))?;
    let st = res.state();
    let x = *st
        .get_best_param()
        .ok_or_else(|| Error::Numerics("Brent minimization returned no point".into()))?;
    Ok((x, st.get_best_cost()))
}

/// Finds a root of `f` in `[lo, hi]` (where `f` changes sign) with Brent's method.
pub fn brent_root<F: Fn(f64) -> f64>(f: F, lo: f64, hi: f64, tol: f64) -> Result<f64> {
    let res = Executor::new(Fn1(f), BrentRoot::new(lo, hi, tol))
        .configure(|s| s.max_iters(500))
        .run()
        .map_err(|e| Error::Numerics(format!("Brent root finding failed: {e}")))?;
    res.state()
        .get_best_param()
        .copied()
        .ok_or_else(|| Error::Numerics("Brent root finding returned no point".into()))
}

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
    /// The RS equilibrium at ω*.
    #[serde(flatten)]
    pub solution: RsSolution,
    /// Whether the RS solution at ω* converged.
    pub converged: bool,
    /// RS solves used.
    pub evaluations: usize,
}

/// Finds ω* minimizing the objective for `kind` (a width-using level kind) with `bits` bits:
/// a coarse scan to bracket the global minimum, then Brent.
pub fn optimal_width(
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
    let scale = probe.rho().sqrt();
    let hi = scale * (1.5 + 0.75 * bits as f64);
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
    Ok(OptimalWidth {
        bits,
        width: w,
        objective,
        converged: r.converged,
        solution: r.equilibrium,
        evaluations: evals.get() + 1,
    })
}
