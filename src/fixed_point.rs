//! Damped fixed-point iteration with Anderson acceleration and an explicit outcome, and the
//! solve driver RS and 1RSB share: inexact maps whose accuracy follows the residual
//! ([`iterate_inexact`]) and the watch that stops a start once it has entered the basin of a
//! fixed point already known ([`merge_watch`]).
//!
//! Problem-agnostic: the RS solvers (finite and zero temperature) and 1RSB hand it their map.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// How an iterative solver ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The residual fell below the tolerance.
    Converged,
    /// The iteration budget ran out first.
    MaxIterations,
    /// The iterates grew without bound or became non-finite.
    Diverged,
    /// The map left its physical domain and could not be brought back.
    Unphysical,
}

impl Status {
    /// Whether the result can be trusted as a fixed point.
    pub fn is_converged(self) -> bool {
        self == Status::Converged
    }
}

/// Options of [`iterate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Stop when `max_i |G(x)_i − x_i| < tol`.
    pub tol: f64,
    /// Maximum number of map evaluations.
    pub max_iter: usize,
    /// Mixing `x ← x + damping (G(x) − x)` for plain steps.
    pub damping: f64,
    /// Anderson history length (0 disables acceleration).
    pub depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tol: 1e-11,
            max_iter: 3000,
            damping: 0.5,
            depth: 5,
        }
    }
}

/// Outcome of [`iterate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The last accepted iterate (the fixed point when converged).
    pub x: Vec<f64>,
    /// The map's value at `x` (equal to `x` within `tol` when converged).
    pub gx: Vec<f64>,
    /// How the iteration ended.
    pub status: Status,
    /// Map evaluations used.
    pub iterations: usize,
    /// Final residual `max |G(x) − x|`.
    pub residual: f64,
    /// Whether the watch of [`iterate_watched`] stopped the iteration (status then
    /// `MaxIterations`: not a fixed point by this run's own test).
    pub stopped: bool,
}

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, x| a.max(x.abs()))
}

/// Iterates `x ← G(x)` from `x0`. `map` returns `None` when `x` lies outside the map's domain
/// (the step is then retried with stronger damping from the last good point).
pub fn iterate<F>(map: F, x0: &[f64], opts: Options) -> Outcome
where
    F: FnMut(&[f64]) -> Option<Vec<f64>>,
{
    iterate_watched(map, x0, opts, |_, _| false)
}

/// [`iterate`], but `watch(x, residual)` sees every accepted iterate and may stop the run early
/// (e.g. once it has entered the basin of a fixed point already known from another start).
pub fn iterate_watched<F, W>(mut map: F, x0: &[f64], opts: Options, mut watch: W) -> Outcome
where
    F: FnMut(&[f64]) -> Option<Vec<f64>>,
    W: FnMut(&[f64], f64) -> bool,
{
    let n = x0.len();
    let mut x = x0.to_vec();
    let Some(mut gx) = map(&x) else {
        return Outcome {
            x: x.clone(),
            gx: x,
            status: Status::Unphysical,
            iterations: 1,
            residual: f64::NAN,
            stopped: false,
        };
    };
    let mut iterations = 1;
    let mut dx_hist: Vec<Vec<f64>> = Vec::new();
    let mut df_hist: Vec<Vec<f64>> = Vec::new();
    let damping = opts.damping;
    // Plain steps to take before accelerating again after leaving the domain.
    let mut cooldown = 0usize;
    loop {
        let f: Vec<f64> = (0..n).map(|i| gx[i] - x[i]).collect();
        let res = inf_norm(&f);
        if !res.is_finite() || inf_norm(&gx) > 1e12 {
            return Outcome {
                x,
                gx,
                status: Status::Diverged,
                iterations,
                residual: res,
                stopped: false,
            };
        }
        if res < opts.tol {
            return Outcome {
                x,
                gx,
                status: Status::Converged,
                iterations,
                residual: res,
                stopped: false,
            };
        }
        if watch(&x, res) {
            return Outcome {
                x,
                gx,
                status: Status::MaxIterations,
                iterations,
                residual: res,
                stopped: true,
            };
        }
        if iterations >= opts.max_iter {
            return Outcome {
                x,
                gx,
                status: Status::MaxIterations,
                iterations,
                residual: res,
                stopped: false,
            };
        }
        // Anderson (type II) step on the residual history; a plain damped step otherwise.
        let mut cand: Vec<f64> = (0..n).map(|i| x[i] + damping * f[i]).collect();
        if opts.depth > 0 && !df_hist.is_empty() && cooldown == 0 {
            let k = df_hist.len();
            // Least squares min ‖f − ΔF γ‖ through the regularized normal equations: k ≤ n is
            // tiny, and this avoids an SVD per iteration.
            let dfm = DMatrix::from_fn(n, k, |i, j| df_hist[j][i]);
            let mut gram = dfm.transpose() * &dfm;
            let reg = 1e-14 * gram.trace().max(f64::MIN_POSITIVE);
            for j in 0..k {
                gram[(j, j)] += reg;
            }
            let rhs = dfm.transpose() * DVector::from_column_slice(&f);
            if let Some(ch) = gram.cholesky() {
                let gamma = ch.solve(&rhs);
                let mut acc = cand.clone();
                for j in 0..k {
                    for i in 0..n {
                        acc[i] -= gamma[j] * (dx_hist[j][i] + damping * df_hist[j][i]);
                    }
                }
                if acc.iter().all(|v| v.is_finite()) {
                    cand = acc;
                }
            }
        }
        let mut next = map(&cand);
        iterations += 1;
        if next.is_none() {
            // Outside the domain: drop the history and take a shorter plain step.
            dx_hist.clear();
            df_hist.clear();
            let mut t = damping * 0.5;
            loop {
                let c: Vec<f64> = (0..n).map(|i| x[i] + t * f[i]).collect();
                next = map(&c);
                iterations += 1;
                if next.is_some() {
                    cand = c;
                    break;
                }
                t *= 0.5;
                if t < 1e-8 || iterations >= opts.max_iter {
                    return Outcome {
                        x,
                        gx,
                        status: Status::Unphysical,
                        iterations,
                        residual: res,
                        stopped: false,
                    };
                }
            }
            cooldown = 2 * opts.depth + 1;
        }
        cooldown = cooldown.saturating_sub(1);
        let gnext = next.unwrap_or_default();
        let fnext: Vec<f64> = (0..n).map(|i| gnext[i] - cand[i]).collect();
        if inf_norm(&fnext) > 10.0 * res && !dx_hist.is_empty() {
            // Acceleration overshot: restart the history from the current point.
            dx_hist.clear();
            df_hist.clear();
        } else {
            dx_hist.push((0..n).map(|i| cand[i] - x[i]).collect());
            df_hist.push((0..n).map(|i| fnext[i] - f[i]).collect());
            if dx_hist.len() > opts.depth.min(n) {
                dx_hist.remove(0);
                df_hist.remove(0);
            }
        }
        x = cand;
        gx = gnext;
    }
}

/// The inexact-map schedule: far from the fixed point the map need only be accurate to a
/// fraction of the current residual, so its accuracy follows the residual down; every map near
/// convergence runs at full accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inexact {
    /// Accuracy demanded, as a fraction of the previous map's residual `max |G(x) − x|`.
    pub fraction: f64,
    /// The loosest accuracy ever demanded.
    pub loosest: f64,
}

/// The schedule RS and 1RSB use: 1% of the previous residual, never looser than 1e-4.
pub const INEXACT: Inexact = Inexact {
    fraction: 1e-2,
    loosest: 1e-4,
};

/// [`iterate_watched`] on a map of selectable accuracy: `map(x, acc)` evaluates `G(x)` to the
/// accuracy `acc` (the caller maps it onto its quadrature tolerances; `0` asks for full
/// accuracy). With `inexact = Some(schedule)` the accuracy is
/// `min(fraction · previous residual, loosest)` (the first map, with no residual yet, gets
/// `loosest`); with `None` every map runs at full accuracy.
pub fn iterate_inexact<F, W>(
    map: F,
    x0: &[f64],
    opts: Options,
    inexact: Option<Inexact>,
    watch: W,
) -> Outcome
where
    F: FnMut(&[f64], f64) -> Option<Vec<f64>>,
    W: FnMut(&[f64], f64) -> bool,
{
    inexact_checked(map, x0, opts, inexact, watch, |map, out| {
        map(&out.x, 0.0).map(|full| residual(&out.x, &full))
    })
}

/// [`iterate_inexact`], but a convergence declared on an inexact map is checked at the point
/// reported, `gx` (the map's last value), by `verify(gx)`: the map's value there at full
/// accuracy (`None` outside the domain). For a solver that evaluates the map at full accuracy at
/// the reported point anyway (its observables): `verify` can be that evaluation, and the check
/// costs nothing. As in [`iterate_inexact`], a check that fails (a false convergence) continues
/// the iteration at full accuracy from `x`.
pub fn iterate_inexact_verified<F, V, W>(
    map: F,
    mut verify: V,
    x0: &[f64],
    opts: Options,
    inexact: Option<Inexact>,
    watch: W,
) -> Outcome
where
    F: FnMut(&[f64], f64) -> Option<Vec<f64>>,
    V: FnMut(&[f64]) -> Option<Vec<f64>>,
    W: FnMut(&[f64], f64) -> bool,
{
    inexact_checked(map, x0, opts, inexact, watch, |_, out| {
        verify(&out.gx).map(|full| residual(&out.gx, &full))
    })
}

/// The inexact iteration with its false-convergence check: `check(map, outcome)` returns the
/// full-accuracy residual of a convergence declared on a map looser than the tolerance.
fn inexact_checked<F, W, C>(
    mut map: F,
    x0: &[f64],
    opts: Options,
    inexact: Option<Inexact>,
    watch: W,
    check: C,
) -> Outcome
where
    F: FnMut(&[f64], f64) -> Option<Vec<f64>>,
    W: FnMut(&[f64], f64) -> bool,
    C: FnOnce(&mut F, &Outcome) -> Option<f64>,
{
    let mut last = f64::INFINITY;
    let mut last_acc = 0.0;
    let mut watch = watch;
    let out = iterate_watched(
        |x| {
            let acc = match inexact {
                Some(s) => (s.fraction * last).min(s.loosest),
                None => 0.0,
            };
            last_acc = acc;
            let out = map(x, acc)?;
            last = residual(x, &out);
            Some(out)
        },
        x0,
        opts,
        &mut watch,
    );
    // Anderson can land on the fixed point of an inexact map in one step (seen in RS at large
    // σ²: "converged" 1e-4 away from the true fixed point). A convergence declared on a map
    // looser than the tolerance is checked at full accuracy and, if it fails, the iteration
    // continues at full accuracy.
    if !(out.status.is_converged() && last_acc > opts.tol) {
        return out;
    }
    match check(&mut map, &out) {
        // Tolerance-level disagreement is the inexact map's own round-off; a false convergence
        // is off by far more.
        Some(r) if r < FALSE_CONVERGENCE * opts.tol => out,
        _ => {
            let more = iterate_watched(|x| map(x, 0.0), &out.x, opts, &mut watch);
            Outcome {
                iterations: out.iterations + more.iterations,
                ..more
            }
        }
    }
}

/// A convergence declared on an inexact map whose full-accuracy residual exceeds this many
/// tolerances is false (see [`iterate_inexact`]).
const FALSE_CONVERGENCE: f64 = 100.0;

/// `max_i |a_i − b_i|`.
fn residual(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(u, v)| (u - v).abs())
        .fold(0.0, f64::max)
}

/// Whether `b` lies within `tol` of `a`, relative to `a`, in every component:
/// `|a_i − b_i| < tol (1 + |a_i|)`.
pub fn same_state(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.iter()
        .zip(b)
        .all(|(u, v)| (u - v).abs() < tol * (1.0 + u.abs()))
}

/// The basin-merge watch for [`iterate_watched`]: stops a run once its residual is below
/// `radius` and its iterate is within `radius` ([`same_state`], relative) of one of the `known`
/// fixed points, i.e. once a later start has entered the basin of a fixed point an earlier start
/// found (following it further would only find that point again).
pub fn merge_watch<K: AsRef<[f64]>>(
    known: &[K],
    radius: f64,
) -> impl FnMut(&[f64], f64) -> bool + '_ {
    move |x, res| res < radius && known.iter().any(|k| same_state(k.as_ref(), x, radius))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_cosine_fixed_point() {
        // x = cos(x) has the Dottie number 0.739085133215160641655...
        let out = iterate(|x| Some(vec![x[0].cos()]), &[1.0], Options::default());
        assert_eq!(out.status, Status::Converged);
        assert!((out.x[0] - 0.739_085_133_215_160_6).abs() < 1e-10);
    }

    #[test]
    fn watch_stops_the_run() {
        let out = iterate_watched(
            |x| Some(vec![x[0].cos()]),
            &[1.0],
            Options::default(),
            |_, res| res < 1e-3,
        );
        assert!(out.stopped);
        assert_eq!(out.status, Status::MaxIterations);
        assert!(out.residual < 1e-3 && out.residual > 1e-11);
    }

    #[test]
    fn inexact_accuracy_follows_the_residual() {
        // x ← x/2 + 1 from 0: residuals 1, 1/2, 1/4, ...; the accuracy asked of each map is
        // min(1e-2 · previous residual, 1e-4).
        let mut asked = Vec::new();
        let out = iterate_inexact(
            |x, acc| {
                asked.push(acc);
                Some(vec![0.5 * x[0] + 1.0])
            },
            &[0.0],
            Options {
                depth: 0,
                damping: 1.0,
                ..Options::default()
            },
            Some(INEXACT),
            |_, _| false,
        );
        assert_eq!(out.status, Status::Converged);
        assert_eq!(asked[0], 1e-4);
        assert_eq!(asked[1], 1e-4);
        assert_eq!(asked[8], 1e-2 * 0.5f64.powi(7));
    }

    #[test]
    fn verified_inexact_catches_a_false_convergence() {
        // G(x) = x/2 + 1 (fixed point 2), off by `acc` when evaluated at accuracy `acc`:
        // Anderson lands on the inexact map's fixed point, `verify` sees the full map's residual
        // there, and the iteration goes on at full accuracy.
        let mut verified = Vec::new();
        let out = iterate_inexact_verified(
            |x, acc| Some(vec![0.5 * x[0] + 1.0 + acc]),
            |gx| {
                verified.push(gx[0]);
                Some(vec![0.5 * gx[0] + 1.0])
            },
            &[0.0],
            Options::default(),
            Some(INEXACT),
            |_, _| false,
        );
        assert_eq!(out.status, Status::Converged);
        assert_eq!(verified.len(), 1);
        assert!((verified[0] - 2.0).abs() > 1e-8, "{verified:?}");
        assert!((out.gx[0] - 2.0).abs() < 1e-10, "{out:?}");
    }

    #[test]
    fn merge_watch_stops_in_a_known_basin() {
        let known = [vec![0.739_085_133_215_160_6]];
        let out = iterate_watched(
            |x| Some(vec![x[0].cos()]),
            &[1.0],
            Options::default(),
            merge_watch(&known, 1e-6),
        );
        assert!(out.stopped && out.residual < 1e-6);
        assert!(same_state(&known[0], &out.x, 1e-6));
    }

    #[test]
    fn reports_divergence() {
        let out = iterate(
            |x| Some(vec![3.0 * x[0] + 1.0]),
            &[1.0],
            Options {
                depth: 0,
                ..Options::default()
            },
        );
        assert_eq!(out.status, Status::Diverged);
    }
}
