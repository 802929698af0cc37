//! Warm-started 1RSB: Newton on the saddle-point conditions, for maps and sweeps.
//!
//! [`super::solve`] finds every branch from cold starts on a grid of `x` and refines each
//! stationary `x` by Brent root finding: about a second per point, and the reference for
//! everything here. Across a map, neighbouring points sit on the same branch, so the state of a
//! neighbour is an excellent start: [`follow`] solves the five saddle-point conditions
//!
//! `F(m, q0, q1, Q, x) = (G(m, q0, q1, Q; x) − (m, q0, q1, Q), ∂φ1/∂x) = 0`
//!
//! (`G` the 1RSB map, `∂φ1/∂x` the explicit derivative, which is the total one at a fixed point)
//! by Newton's method with a forward-difference Jacobian, from a [`Seed`] (a neighbour's state,
//! or a secant extrapolation of two). Each evaluation of `F` is one nested quadrature at full
//! accuracy; a converged solve takes 2–4 Newton steps (12–30 evaluations). The answer is the
//! state [`super::solve`] reports when that is a local minimum of φ1 in `x` on the followed
//! branch: [`follow`] checks that the stationary `x` is a minimum (the Schur complement of
//! the Jacobian, `d(∂φ1/∂x)/dx` along the fixed points, is positive), that `q1 − q0` has not
//! collapsed and that `x ∈ (0, 1)`; anything else is [`Followed::accepted`] = false and the
//! caller falls back to the full solve. [`along`] does this along a line of models.

use super::channel::{self, Params};
use super::{evaluate, solution_from, AtX, RsbOptions, RsbPhase, RsbReport, RsbSolution};
use crate::continuation::newton::NewtonStatus;
use crate::error::Result;
use crate::fixed_point::Status;
use crate::model::Model;
use crate::rs::{self, RsSolution, SolverOptions};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Where a warm start begins: the Parisi parameter and `(m, q0, q1, Q)`, and optionally the
/// Jacobian of the saddle-point conditions at a neighbour (reused, with Broyden updates, until
/// the residual stops falling fast: a fresh one costs five evaluations).
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    /// Parisi parameter.
    pub x: f64,
    /// `(m, q0, q1, Q)`.
    pub state: [f64; 4],
    /// Jacobian of [`conditions`] in `(m, q0, q1, Q, x)` near the start.
    pub jacobian: Option<DMatrix<f64>>,
}

impl Seed {
    /// The state of a 1RSB solution.
    pub fn of(s: &RsbSolution) -> Seed {
        Seed {
            x: s.x,
            state: [s.m, s.q0, s.q1, s.big_q],
            jacobian: None,
        }
    }

    /// The state of a followed point, with its last Jacobian.
    pub fn of_followed(f: &Followed) -> Seed {
        Seed {
            x: f.at.x,
            state: f.at.state,
            jacobian: f
                .jacobian
                .iter()
                .all(|v| v.is_finite())
                .then(|| f.jacobian.clone()),
        }
    }

    /// `self + t (self − prev)`: the secant predictor from two earlier points (`t` is the
    /// ratio of the next step to the last one), with `self`'s Jacobian.
    pub fn extrapolate(&self, prev: &Seed, t: f64) -> Seed {
        let f = |a: f64, b: f64| a + t * (a - b);
        Seed {
            jacobian: self.jacobian.clone(),
            x: f(self.x, prev.x),
            state: [
                f(self.state[0], prev.state[0]),
                f(self.state[1], prev.state[1]),
                f(self.state[2], prev.state[2]),
                f(self.state[3], prev.state[3]),
            ],
        }
    }
}

/// Outcome of [`follow`].
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    /// The fixed point at the stationary `x`.
    pub at: AtX,
    /// How Newton's method ended.
    pub newton: NewtonStatus,
    /// Newton steps.
    pub steps: usize,
    /// Evaluations of the saddle-point conditions (nested quadratures).
    pub evaluations: usize,
    /// `max(|G(s) − s|, |∂φ1/∂x|)` at the result, with the full-accuracy quadrature.
    pub stationarity: f64,
    /// `d(∂φ1/∂x)/dx` along the fixed points (positive at a minimum of φ1 in `x`).
    pub curvature: f64,
    /// The last Jacobian of the conditions (finite differences with Broyden updates).
    pub jacobian: DMatrix<f64>,
    /// Whether the result is a converged, accurate local minimum of φ1 in `x ∈ (0, 1)` with
    /// `q1 − q0 ≥ min_gap`: the state [`super::solve`] reports on this branch.
    pub accepted: bool,
}

/// The saddle-point conditions at `u = (m, q0, q1, Q, x)`, or `None` outside the domain.
pub fn conditions(model: &Model, u: &[f64], opts: &RsbOptions) -> Option<[f64; 5]> {
    conditions_with(model, u, opts.quad)
}

fn conditions_with(model: &Model, u: &[f64], quad: super::QuadOptions) -> Option<[f64; 5]> {
    let (m, q0, q1, big_q, x) = (u[0], u[1], u[2], u[3], u[4]);
    if !(x > 0.0 && x <= 1.0) {
        return None;
    }
    let en = channel::energetic(model, x, m, q0, q1, big_q)?;
    let av = channel::averages_lean(model, &en.hat, x, quad)?;
    let p = Params {
        big_q,
        q1,
        q0,
        m,
        hat: en.hat,
        x,
    };
    let d = channel::dphi_dx(model, &p, &en, &av);
    let f = [av.m - m, av.q0 - q0, av.q1 - q1, av.big_q - big_q, d];
    f.iter().all(|v| v.is_finite()).then_some(f)
}

/// Relative step of the forward differences (the quadratures are accurate to ~1e−11, so the
/// Jacobian is good to ~1e−5: Newton's contraction per step stays far below 1).
const FD_STEP: f64 = 1e-6;
/// Newton stops when `max |F| ≤ NEWTON_TOL` (the fixed-point iteration of [`super::solve`]
/// stops at 1e−10; the quadratures are accurate to ~1e−12).
const NEWTON_TOL: f64 = 1e-12;
/// Newton steps allowed (a good start needs 3–5).
const NEWTON_STEPS: usize = 12;

fn inf_norm(v: &DVector<f64>) -> f64 {
    v.iter().fold(0.0, |a, x| a.max(x.abs()))
}

/// The forward-difference Jacobian of `f` at `u` (`f0 = f(u)`).
fn jacobian<F>(f: &F, u: &DVector<f64>, f0: &DVector<f64>) -> Option<DMatrix<f64>>
where
    F: Fn(&DVector<f64>, f64) -> Option<DVector<f64>>,
{
    let n = u.len();
    let mut jac = DMatrix::zeros(n, n);
    for j in 0..n {
        let mut h = FD_STEP * (1.0 + u[j].abs());
        // x (the last unknown) stays inside (0, 1]: below x, and downwards near 1.
        if j == n - 1 {
            h = h.min(0.5 * u[j]);
            if u[j] + h > 1.0 {
                h = -h;
            }
        }
        let mut v = u.clone();
        v[j] += h;
        let fj = f(&v, 0.0)?;
        jac.set_column(j, &((fj - f0) / h));
    }
    Some(jac)
}

/// Newton's method with Broyden updates between Jacobians: a finite-difference Jacobian costs
/// five evaluations, a Broyden step one. `f(u, acc)` evaluates the conditions with quadratures
/// accurate to `acc` (0: full accuracy): trial steps are evaluated to a hundredth of the current
/// residual (inexact Newton; cheap while far from the root), Jacobians and the final test at
/// full accuracy. A fresh Jacobian is taken when the residual stops
/// falling fast (by less than half per step) or a step fails even after backtracking.
/// Returns the last iterate, its residual vector, the last Jacobian, steps, and whether the
/// residual met [`NEWTON_TOL`].
fn newton_broyden<F>(
    f: &F,
    u0: DVector<f64>,
    jac0: Option<DMatrix<f64>>,
) -> Option<(DVector<f64>, DMatrix<f64>, usize, bool)>
where
    F: Fn(&DVector<f64>, f64) -> Option<DVector<f64>>,
{
    let mut u = u0;
    let mut fu = f(&u, 0.0)?;
    let mut fresh = jac0.is_none();
    let mut jac = match jac0 {
        Some(j) => j,
        None => jacobian(f, &u, &fu)?,
    };
    let mut res = inf_norm(&fu);
    // Whether `fu` was evaluated at full accuracy.
    let mut exact = true;
    for step in 0..NEWTON_STEPS {
        if res <= NEWTON_TOL {
            if exact {
                return Some((u, jac, step, true));
            }
            fu = f(&u, 0.0)?;
            res = inf_norm(&fu);
            exact = true;
            if res <= NEWTON_TOL {
                return Some((u, jac, step, true));
            }
        }
        let delta = match jac.clone().lu().solve(&(-&fu)) {
            Some(d) if d.iter().all(|v| v.is_finite()) => d,
            _ if !fresh => {
                jac = jacobian(f, &u, &fu)?;
                fresh = true;
                continue;
            }
            _ => return None,
        };
        // Backtracking: the full step unless it leaves the domain or raises the residual.
        let mut t = 1.0;
        let mut accepted = None;
        let acc = 0.01 * res;
        for _ in 0..12 {
            let cand = &u + t * &delta;
            if let Some(fc) = f(&cand, acc) {
                let rc = inf_norm(&fc);
                if rc < res {
                    accepted = Some((cand, fc, rc));
                    break;
                }
            }
            t *= 0.5;
        }
        let Some((cand, mut fc, mut rc)) = accepted else {
            if fresh {
                return Some((u, jac, step + 1, false));
            }
            if !exact {
                fu = f(&u, 0.0)?;
                res = inf_norm(&fu);
                exact = true;
            }
            jac = jacobian(f, &u, &fu)?;
            fresh = true;
            continue;
        };
        let s = &cand - &u;
        let cand_exact = acc <= NEWTON_TOL;
        if rc > 0.5 * res && rc > NEWTON_TOL {
            // Slow progress: a fresh Jacobian (at full accuracy) at the new point.
            if !cand_exact {
                fc = f(&cand, 0.0)?;
                rc = inf_norm(&fc);
            }
            exact = true;
            jac = jacobian(f, &cand, &fc)?;
            fresh = true;
        } else {
            // Broyden's good update: J += (ΔF − J s) sᵀ / (sᵀ s).
            let y = &fc - &fu;
            let r = y - &jac * &s;
            jac += r * s.transpose() / s.norm_squared();
            fresh = false;
            exact = cand_exact;
        }
        (u, fu, res) = (cand, fc, rc);
    }
    Some((u, jac, NEWTON_STEPS, res <= NEWTON_TOL))
}

/// Newton's method on the saddle-point conditions from `seed` (see the module docs).
pub fn follow(model: &Model, seed: &Seed, opts: &RsbOptions) -> Result<Followed> {
    super::check(model)?;
    let evaluations = std::cell::Cell::new(0usize);
    let f = |u: &DVector<f64>, acc: f64| -> Option<DVector<f64>> {
        evaluations.set(evaluations.get() + 1);
        let quad = if acc > 0.0 {
            super::loosened(opts.quad, acc)
        } else {
            opts.quad
        };
        conditions_with(model, u.as_slice(), quad).map(|v| DVector::from_row_slice(&v))
    };
    // One application of the map at the seed's x first: it puts the directions the map
    // contracts fast (e.g. Q = ω² of a binary student after a step in ω) at this model's values,
    // where a neighbour's state would leave Newton a large, badly scaled first residual.
    let start = super::map(model, seed.x, &seed.state, opts.quad).unwrap_or(seed.state);
    evaluations.set(evaluations.get() + 1);
    let z0 = DVector::from_vec(vec![start[0], start[1], start[2], start[3], seed.x]);
    let (z, jac, steps, met) = newton_broyden(&f, z0.clone(), seed.jacobian.clone()).unwrap_or((
        z0,
        DMatrix::from_element(5, 5, f64::NAN),
        0,
        false,
    ));
    let newton = if met {
        NewtonStatus::Converged
    } else {
        NewtonStatus::MaxIterations
    };
    let (x, state) = (z[4], [z[0], z[1], z[2], z[3]]);
    let curvature = schur(&jac);
    let full = (x > 0.0 && x <= 1.0)
        .then(|| evaluate(model, x, state, opts.quad))
        .flatten();
    let Some((params, en, av)) = full else {
        return Err(crate::error::Error::Numerics(format!(
            "1RSB Newton continuation ended outside the physical domain at x = {x}"
        )));
    };
    let free_entropy = channel::free_entropy_from(model, &params, &en, &av);
    let dphi_dx = channel::dphi_dx(model, &params, &en, &av);
    let residual = [av.m, av.q0, av.q1, av.big_q]
        .iter()
        .zip(&state)
        .map(|(g, s)| (g - s).abs())
        .fold(0.0, f64::max);
    let stationarity = residual.max(dphi_dx.abs());
    let converged = met && av.accurate;
    let at = AtX {
        x,
        state,
        params,
        energetic: en,
        averages: av,
        free_entropy,
        dphi_dx,
        status: if converged {
            Status::Converged
        } else {
            Status::MaxIterations
        },
        iterations: evaluations.get(),
        residual,
    };
    let accepted = converged
        && x < 1.0
        && at.gap() >= opts.min_gap
        && curvature > 0.0
        && stationarity <= opts.fixed_point.tol;
    Ok(Followed {
        at,
        newton,
        steps,
        evaluations: evaluations.get(),
        stationarity,
        curvature,
        jacobian: jac,
        accepted,
    })
}

/// `J_xx − J_x,s J_ss⁻¹ J_s,x`: the derivative of `∂φ1/∂x` along the fixed points of the map.
fn schur(j: &DMatrix<f64>) -> f64 {
    let jss = j.view((0, 0), (4, 4)).into_owned();
    let jsx = j.view((0, 4), (4, 1)).into_owned();
    let jxs = j.view((4, 0), (1, 4)).into_owned();
    match jss.lu().solve(&jsx) {
        Some(v) => j[(4, 4)] - (jxs * v)[(0, 0)],
        None => f64::NAN,
    }
}

/// How a point of [`along`] was solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// RS is AT-stable: the collapsed state (no search for other 1RSB branches).
    RsStable,
    /// Newton from the previous point(s) of the line.
    Followed,
    /// The full solve ([`super::solve`]): first point of an RSB stretch, or the warm start
    /// was not accepted.
    Full,
    /// RS is AT-stable but counts a negative number of states (the frozen branch's `Σ(1)`, the
    /// RS entropy, is negative): the frozen 1RSB branch in closed form ([`super::frozen`]), at
    /// the zero of its complexity, as [`super::solve`] computes it (no search for other
    /// branches, as for [`Method::RsStable`]).
    Frozen,
}

/// One point of [`along`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathPoint {
    /// The 1RSB state: where RS is AT-stable, the collapsed state `q0 = q1 = q` through the
    /// 1RSB equations at `x = 1` (phase `rs_collapsed`, equal to RS).
    pub rsb: RsbSolution,
    /// Whether the 1RSB state is converged (and `x` resolved).
    pub converged: bool,
    /// `max(|G(s) − s|, |∂φ1/∂x|)` at the 1RSB state (`|G(s) − s|` for a collapsed state,
    /// where φ1 does not depend on `x`).
    pub stationarity: f64,
    /// The RS equilibrium at the same model.
    pub rs: RsSolution,
    /// How the point was solved.
    pub method: Method,
}

/// The stationarity of a full solve's chosen state (`max(|G(s) − s|, |∂φ1/∂x|)`).
fn full_stationarity(report: &RsbReport) -> f64 {
    report.solution.residual.max(report.solution.dphi_dx.abs())
}

/// 1RSB along a line of models (one row of a map, in order): where RS is AT-stable the RS
/// state is reported; in the RSB region the first point of every stretch is solved in full
/// ([`super::solve`]) and the next ones by [`follow`] from a secant prediction of the previous
/// two (falling back to the full solve when the warm start is not accepted).
///
/// With a scale-free channel (the sign channel) and a discrete student, the frozen branch
/// (`q1 = Q`) is taken in closed form ([`super::frozen`]) as in the full solve: where RS is
/// AT-stable but the frozen branch's `Σ(1)` (the RS entropy) is negative, the point is that
/// branch at the zero of its complexity ([`Method::Frozen`], the numbers of the full solve);
/// where RS is AT-unstable and the previous point of the row was frozen, a continuous branch is
/// followed only from a continuous neighbour, else the frozen branch is reported with
/// `converged = false` (other branches not searched: at the points measured the full solve
/// reports the same state, also unconverged because its split-start branch is unresolved). A
/// perfect-generalization RS equilibrium (`q = Q`) is reported as is ([`Method::RsStable`]). `seeds[i]`, when
/// given, is tried first at point `i` (e.g. the same point of the previous row of a map).
/// `steps[i]` is the distance of point `i` from point `i − 1` in the swept parameter (for the
/// secant; equal spacing when `None`).
pub fn along(
    models: &[Model],
    steps: Option<&[f64]>,
    seeds: &[Option<Seed>],
    opts: &RsbOptions,
) -> Result<Vec<PathPoint>> {
    let mut out: Vec<PathPoint> = Vec::with_capacity(models.len());
    let mut prev: Vec<Seed> = Vec::new();
    // Whether the previous point of the row is on the frozen branch.
    let mut frozen_prev = false;
    for (i, model) in models.iter().enumerate() {
        crate::parallel::check_interrupted()?;
        let rs = rs::solve(model, &SolverOptions::default());
        if super::rs_is_frozen(model, &rs.equilibrium) {
            // The perfect state of the sign channel: 1RSB is that RS state.
            let r = super::frozen_rs_report(model, rs.equilibrium, rs.converged);
            out.push(PathPoint {
                stationarity: full_stationarity(&r),
                converged: r.converged,
                rsb: r.solution,
                rs: r.rs,
                method: Method::RsStable,
            });
            prev.clear();
            frozen_prev = false;
            continue;
        }
        // The frozen branch (scale-free channel, discrete student): where its complexity at
        // x = 1 (the RS entropy) is negative, RS is excluded, as in the full solve.
        let frozen = if super::frozen_available(model) {
            super::frozen_root(model, opts)?
        } else {
            (None, None)
        };
        let frozen_excludes_rs = frozen.0.is_some_and(|s| s < 0.0);
        if rs.equilibrium.rs_stable && frozen_excludes_rs {
            if let Some(f) = &frozen.1 {
                let (sol, _) = super::frozen::solution(model, f);
                out.push(PathPoint {
                    stationarity: sol.residual.max(sol.dphi_dx.abs()),
                    converged: f.converged && rs.converged,
                    rsb: sol,
                    rs: rs.equilibrium,
                    method: Method::Frozen,
                });
                prev.clear();
                frozen_prev = true;
                continue;
            }
        }
        if rs.equilibrium.rs_stable && !frozen_excludes_rs {
            let e = &rs.equilibrium;
            let a = super::solve_at_x(model, 1.0, [e.m, e.q, e.q, e.big_q], opts)?;
            out.push(PathPoint {
                rsb: solution_from(model, &a, RsbPhase::RsCollapsed),
                converged: rs.converged && a.status.is_converged(),
                stationarity: a.residual,
                rs: rs.equilibrium,
                method: Method::RsStable,
            });
            prev.clear();
            frozen_prev = false;
            continue;
        }
        let mut tries: Vec<Seed> = Vec::new();
        if let Some(Some(s)) = seeds.get(i) {
            tries.push(s.clone());
        }
        match prev.as_slice() {
            [.., a, b] => {
                let t = match steps {
                    Some(h) if i >= 2 && h[i - 1] != 0.0 => h[i] / h[i - 1],
                    _ => 1.0,
                };
                tries.push(b.extrapolate(a, t));
                tries.push(b.clone());
            }
            [b] => tries.push(b.clone()),
            [] => {}
        }
        let mut done = None;
        for s in &tries {
            if let Ok(f) = follow(model, s, opts) {
                if f.accepted {
                    done = Some(f);
                    break;
                }
            }
        }
        // A followed continuous branch competes with the frozen branch (largest φ1 wins, as in
        // the full solve's choice between candidates).
        // A continuous state with a negative entropy is excluded when the frozen branch exists
        // (as in the full solve: super::negative_entropy).
        let done = done.filter(|f| {
            frozen.1.as_ref().is_none_or(|z| {
                !super::negative_entropy(model, &f.at)
                    && z.free_entropy <= f.at.free_entropy + 1e-9 * (1.0 + f.at.free_entropy.abs())
            })
        });
        // Inside a frozen stretch of the row (the previous point was frozen) with no continuous
        // branch followed: the frozen branch in closed form. Not checked against other branches
        // (the full solve's split-start branch is unresolved at the points measured, and the
        // full solve then reports the frozen branch with converged = false too), so flagged
        // unconverged.
        if done.is_none() && frozen_prev {
            if let Some(z) = &frozen.1 {
                let (sol, _) = super::frozen::solution(model, z);
                out.push(PathPoint {
                    stationarity: sol.residual.max(sol.dphi_dx.abs()),
                    converged: false,
                    rsb: sol,
                    rs: rs.equilibrium,
                    method: Method::Frozen,
                });
                prev.clear();
                continue;
            }
        }
        let (point, next) = match done {
            Some(f) => (
                PathPoint {
                    rsb: solution_from(model, &f.at, RsbPhase::OneStepRsb),
                    converged: true,
                    stationarity: f.stationarity,
                    rs: rs.equilibrium,
                    method: Method::Followed,
                },
                Some(Seed::of_followed(&f)),
            ),
            None => {
                let r = super::solve(model, opts)?;
                let next = (r.solution.phase == RsbPhase::OneStepRsb && r.converged)
                    .then(|| Seed::of(&r.solution));
                (
                    PathPoint {
                        stationarity: full_stationarity(&r),
                        converged: r.converged,
                        rsb: r.solution,
                        rs: r.rs,
                        method: Method::Full,
                    },
                    next,
                )
            }
        };
        frozen_prev = point.rsb.phase == RsbPhase::Frozen;
        match next {
            Some(s) => {
                prev.push(s);
                if prev.len() > 2 {
                    prev.remove(0);
                }
            }
            None => prev.clear(),
        }
        out.push(point);
    }
    Ok(out)
}

/// 1RSB on a 2-D map: for every `y`, the row of models `make(x, y)` along `xs` by [`along`]
/// (rows in parallel, each in order, so the result does not depend on the thread count).
/// Points in row-major order in `y` (`points[iy * xs.len() + ix]`).
pub fn map_rows(
    xs: &[f64],
    ys: &[f64],
    make: &(dyn Fn(f64, f64) -> Result<Model> + Sync),
    run: &crate::parallel::RunOptions,
) -> Result<Vec<PathPoint>> {
    let opts = RsbOptions::default();
    let steps: Vec<f64> = (0..xs.len())
        .map(|i| if i == 0 { 0.0 } else { xs[i] - xs[i - 1] })
        .collect();
    let rows = crate::parallel::try_map(ys, run, "1RSB map", |&y| {
        let models = xs.iter().map(|&x| make(x, y)).collect::<Result<Vec<_>>>()?;
        along(&models, Some(&steps), &[], &opts)
    })?;
    Ok(rows.into_iter().flatten().collect())
}
