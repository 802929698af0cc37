//! One-dimensional minimization and root finding (Brent, through argmin). The optimal
//! quantization width built on them is [`crate::experiments::widths`].

use crate::error::{Error, Result};
use argmin::core::{CostFunction, Executor, State};
use argmin::solver::brent::{BrentOpt, BrentRoot};

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
