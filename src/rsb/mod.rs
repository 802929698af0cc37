//! One-step replica symmetry breaking at finite β (THEORY.md §4; derivations in `docs/rsb.md`).
//!
//! For a fixed Parisi parameter `x`, [`solve_at_x`] iterates the map `(m, q0, q1, Q) → (m, q0,
//! q1, Q)` with [`crate::fixed_point::iterate`]. [`solve`] then fixes `x` where φ1(x) has its
//! minimum over `(0, 1]` (the free energy `−φ1/β` is maximized, Parisi's rule), i.e. where the
//! complexity `Σ(x) = −x² ∂φ1/∂x` vanishes, by Brent root finding on the explicit derivative.
//! When no `x < 1` is stationary the state is RS-like (`x = 1`, φ1 = φ_RS); when the
//! iteration collapses onto `q1 = q0` the 1RSB solution *is* the RS one.
//!
//! ```no_run
//! use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
//! use quantreplica::rsb::{solve, RsbOptions};
//! let student = Student::Discrete(LevelSet::uniform(1, 1.5).unwrap());
//! let model = Model::new(2.0, 0.1, 5.0, 0.0, student, TeacherPrior::gaussian(1.0).unwrap()).unwrap();
//! let r = solve(&model, &RsbOptions::default()).unwrap();
//! println!("x = {}, q0 = {}, q1 = {}", r.solution.x, r.solution.q0, r.solution.q1);
//! ```

pub mod channel;

pub use channel::{Averages, Conjugates, Energetic, InnerRange, Params, QuadOptions};

use crate::error::{Error, Result};
use crate::fixed_point::{iterate, Options, Status};
use crate::model::Model;
use crate::optimize::brent_root;
use crate::rs::{self, RsSolution, SolverOptions};
use serde::Serialize;
use std::cell::RefCell;

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RsbOptions {
    /// Fixed-point iteration at fixed `x`.
    pub fixed_point: Options,
    /// Quadratures.
    pub quad: QuadOptions,
    /// Values of `x` tried, from 1 downwards, until `∂φ1/∂x` changes sign.
    pub x_grid: Vec<f64>,
    /// Tolerance of the root in `x`.
    pub x_tol: f64,
    /// `q1 − q0` below this counts as collapsed onto RS.
    pub min_gap: f64,
}

impl Default for RsbOptions {
    fn default() -> Self {
        RsbOptions {
            fixed_point: Options {
                tol: 1e-10,
                max_iter: 2000,
                damping: 0.5,
                depth: 5,
            },
            quad: QuadOptions::default(),
            x_grid: vec![1.0, 0.85, 0.7, 0.55, 0.4, 0.25, 0.1, 0.03, 0.01],
            x_tol: 1e-8,
            min_gap: 1e-6,
        }
    }
}

/// What the 1RSB computation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// A stationary `x* ∈ (0, 1)` with `q1 > q0`: replica symmetry is broken.
    OneStepRsb,
    /// `q1 > q0` solutions exist but φ1 has no stationary point below 1 (complexity `Σ(1) ≥ 0`):
    /// `x = 1`, where φ1 = φ_RS (a clustered but RS-like state).
    RsAtXOne,
    /// Every iteration collapsed onto `q1 = q0 = q_RS`: the RS solution.
    RsCollapsed,
}

/// The 1RSB state at the chosen `x`. Field names are JSON keys of `rsb --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsbSolution {
    /// `m`.
    pub m: f64,
    /// `Q`.
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// Overlap within a state.
    pub q1: f64,
    /// Overlap between states.
    pub q0: f64,
    /// Parisi parameter.
    pub x: f64,
    /// `βΔ1 = β(Q − q1)`.
    pub chi: f64,
    /// `ρ − 2m + Q`.
    pub gen_error: f64,
    /// `ρ − 2m + q0`.
    pub mse_posterior_mean: f64,
    /// `E0/D0² + Δ1/D1 + Δ0/(D1 D0)`.
    pub train_error: f64,
    /// φ1.
    pub free_entropy: f64,
    /// `e = (α/2) ε_t + (λ/2) Q = −∂φ1/∂β`.
    pub energy: f64,
    /// `s = φ1 + β e`.
    pub entropy: f64,
    /// `Σ(x) = −x² ∂φ1/∂x` (zero at an interior `x*`).
    pub complexity: f64,
    /// `∂φ1/∂x` at the reported state.
    pub dphi_dx: f64,
    /// Whether the entropy leaves `[0, log Σπ]`.
    pub entropy_violation: bool,
    /// What was found.
    pub phase: Phase,
    /// How the fixed-point iteration at the reported `x` ended.
    pub status: Status,
    /// Map evaluations at the reported `x`.
    pub iterations: usize,
    /// Final fixed-point residual.
    pub residual: f64,
}

/// One point of the scan in `x`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanPoint {
    /// Parisi parameter.
    pub x: f64,
    /// `q0`.
    pub q0: f64,
    /// `q1`.
    pub q1: f64,
    /// φ1.
    pub free_entropy: f64,
    /// `∂φ1/∂x`.
    pub dphi_dx: f64,
    /// How the iteration ended.
    pub status: Status,
}

/// The 1RSB result with the RS solution at the same point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsbReport {
    /// The 1RSB state.
    #[serde(flatten)]
    pub solution: RsbSolution,
    /// Whether the reported state is a converged, accurate fixed point with `x` resolved.
    pub converged: bool,
    /// The RS equilibrium at the same model.
    pub rs: RsSolution,
    /// Every `x` evaluated (grid and root finding), sorted by `x`.
    pub scan: Vec<ScanPoint>,
    /// Every parameter of the reported state (for stationarity checks).
    #[serde(skip)]
    pub params: Params,
}

/// The fixed point at one `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct AtX {
    /// Parisi parameter.
    pub x: f64,
    /// `(m, q0, q1, Q)`.
    pub state: [f64; 4],
    /// Everything φ1 depends on at the fixed point.
    pub params: Params,
    /// Energetic quantities.
    pub energetic: Energetic,
    /// Averages at the fixed point.
    pub averages: Averages,
    /// φ1.
    pub free_entropy: f64,
    /// `∂φ1/∂x`.
    pub dphi_dx: f64,
    /// Iteration outcome (`MaxIterations` also when the final quadrature missed its tolerance).
    pub status: Status,
    /// Map evaluations.
    pub iterations: usize,
    /// Residual.
    pub residual: f64,
}

impl AtX {
    /// `q1 − q0`.
    pub fn gap(&self) -> f64 {
        self.state[2] - self.state[1]
    }
}

fn check(model: &Model) -> Result<()> {
    if !model.beta.is_finite() {
        return Err(Error::input(
            "rsb needs a finite --beta: 1RSB is computed at finite temperature (got beta = inf)",
        ));
    }
    if model.student.levels().is_none() {
        return Err(Error::input(
            "rsb needs a discrete level set: the continuous student is a convex problem where RS is exact",
        ));
    }
    Ok(())
}

/// One application of the 1RSB map at `x`, state `(m, q0, q1, Q)`.
pub fn map(model: &Model, x: f64, state: &[f64], quad: QuadOptions) -> Option<[f64; 4]> {
    let en = channel::energetic(model, x, state[0], state[1], state[2], state[3])?;
    let c = channel::conjugates(model, &en);
    let av = channel::averages(model, &c, x, quad)?;
    Some([av.m, av.q0, av.q1, av.big_q])
}

/// Everything at a state `(m, q0, q1, Q)` (meaningful at a fixed point).
pub fn evaluate(
    model: &Model,
    x: f64,
    state: [f64; 4],
    quad: QuadOptions,
) -> Option<(Params, Energetic, Averages)> {
    let en = channel::energetic(model, x, state[0], state[1], state[2], state[3])?;
    let hat = channel::conjugates(model, &en);
    let av = channel::averages(model, &hat, x, quad)?;
    let params = Params {
        big_q: state[3],
        q1: state[2],
        q0: state[1],
        m: state[0],
        hat,
        x,
    };
    Some((params, en, av))
}

/// Solves the fixed point at fixed `x` from `start = (m, q0, q1, Q)`.
pub fn solve_at_x(model: &Model, x: f64, start: [f64; 4], opts: &RsbOptions) -> Result<AtX> {
    check(model)?;
    if !(x > 0.0 && x <= 1.0) {
        return Err(Error::input(format!(
            "the Parisi parameter x must be in (0, 1], got {x}"
        )));
    }
    let out = iterate(
        |s| map(model, x, s, opts.quad).map(|v| v.to_vec()),
        &start,
        opts.fixed_point,
    );
    let state = [out.x[0], out.x[1], out.x[2], out.x[3]];
    let (params, en, av) = evaluate(model, x, state, opts.quad).ok_or_else(|| {
        Error::Numerics(format!(
            "1RSB iteration at x = {x} left the physical domain ({:?})",
            out.status
        ))
    })?;
    let status = if out.status == Status::Converged && !av.accurate {
        Status::MaxIterations
    } else {
        out.status
    };
    Ok(AtX {
        x,
        state,
        params,
        energetic: en,
        averages: av,
        free_entropy: channel::free_entropy_from(model, &params, &en, &av),
        dphi_dx: channel::dphi_dx(model, &params, &en, &av),
        status,
        iterations: out.iterations,
        residual: out.residual,
    })
}

fn scan_point(a: &AtX) -> ScanPoint {
    ScanPoint {
        x: a.x,
        q0: a.state[1],
        q1: a.state[2],
        free_entropy: a.free_entropy,
        dphi_dx: a.dphi_dx,
        status: a.status,
    }
}

/// The RS equilibrium split into a 1RSB start: `q0 = q − δ`, `q1 = q + δ`.
pub fn split_start(rs: &RsSolution) -> [f64; 4] {
    let delta = 0.3 * rs.q.min(rs.big_q - rs.q).max(1e-6);
    [rs.m, rs.q - delta, (rs.q + delta).min(rs.big_q), rs.big_q]
}

/// Solves 1RSB at `model` with `x` fixed by stationarity (see the module docs).
pub fn solve(model: &Model, opts: &RsbOptions) -> Result<RsbReport> {
    check(model)?;
    let rs_report = rs::solve(model, &SolverOptions::default());
    let rs = rs_report.equilibrium;
    let start0 = split_start(&rs);
    let mut scan: Vec<AtX> = Vec::new();
    // Walk x downwards until ∂φ1/∂x < 0 on a q1 > q0 branch: the minimum of φ1 lies above.
    let mut warm = start0;
    let mut bracket: Option<(AtX, AtX)> = None;
    let mut last_rsb: Option<AtX> = None;
    for &x in &opts.x_grid {
        let mut a = solve_at_x(model, x, warm, opts)?;
        if a.gap() < opts.min_gap && warm != start0 {
            // Warm start fell onto RS: retry from the split RS state.
            a = solve_at_x(model, x, start0, opts)?;
        }
        let rsb = a.gap() >= opts.min_gap && a.status.is_converged();
        scan.push(a.clone());
        if !rsb {
            continue;
        }
        warm = a.state;
        if a.dphi_dx < 0.0 {
            if let Some(prev) = last_rsb.take() {
                bracket = Some((a, prev));
            } else {
                last_rsb = Some(a);
            }
            break;
        }
        last_rsb = Some(a);
    }
    let chosen: AtX;
    let phase: Phase;
    let mut x_ok = true;
    match (bracket, last_rsb) {
        (Some((lo, hi)), _) => {
            // dφ1/dx < 0 at lo, > 0 at hi: the minimum of φ1 in between.
            let cache = RefCell::new((lo.clone(), hi.clone()));
            let extra = RefCell::new(Vec::new());
            let f = |x: f64| -> f64 {
                let (l, h) = cache.borrow().clone();
                let start = if (x - l.x).abs() < (x - h.x).abs() {
                    l.state
                } else {
                    h.state
                };
                match solve_at_x(model, x, start, opts) {
                    Ok(a) => {
                        let d = a.dphi_dx;
                        if a.gap() >= opts.min_gap {
                            let mut c = cache.borrow_mut();
                            if d < 0.0 {
                                c.0 = a.clone()
                            } else {
                                c.1 = a.clone()
                            }
                        }
                        extra.borrow_mut().push(a);
                        d
                    }
                    Err(_) => f64::NAN,
                }
            };
            let xs = brent_root(f, lo.x, hi.x, opts.x_tol);
            scan.extend(extra.into_inner());
            let (l, h) = cache.into_inner();
            let xs = match xs {
                Ok(v) => v,
                Err(_) => {
                    x_ok = false;
                    0.5 * (l.x + h.x)
                }
            };
            let start = if (xs - l.x).abs() < (xs - h.x).abs() {
                l.state
            } else {
                h.state
            };
            chosen = solve_at_x(model, xs, start, opts)?;
            phase = if chosen.gap() >= opts.min_gap {
                Phase::OneStepRsb
            } else {
                Phase::RsCollapsed
            };
        }
        (None, Some(a)) if a.dphi_dx < 0.0 => {
            // The first q1 > q0 point already has dφ1/dx < 0: was it x = 1?
            if a.x == 1.0 {
                chosen = a;
                phase = Phase::RsAtXOne;
            } else {
                // Branch appears only below some x with φ1 decreasing there: no stationary x
                // bracketed on the grid; report the point, flagged.
                x_ok = false;
                chosen = a;
                phase = Phase::OneStepRsb;
            }
        }
        (None, Some(a)) => {
            // dφ1/dx > 0 down to the smallest x tried: x* below the grid.
            x_ok = false;
            chosen = a;
            phase = Phase::OneStepRsb;
        }
        (None, None) => {
            // Collapsed everywhere: the RS solution, evaluated through the 1RSB formulas at x = 1.
            let s = [rs.m, rs.q, rs.q, rs.big_q];
            let first = scan.first().cloned();
            chosen = match first {
                Some(a) if a.x == 1.0 => a,
                _ => solve_at_x(model, 1.0, s, opts)?,
            };
            phase = Phase::RsCollapsed;
        }
    }
    scan.sort_by(|a, b| a.x.total_cmp(&b.x));
    scan.dedup_by(|a, b| a.x == b.x);
    let solution = solution_from(model, &chosen, phase);
    let converged = x_ok && chosen.status.is_converged() && rs_report.converged;
    Ok(RsbReport {
        solution,
        converged,
        rs,
        scan: scan.iter().map(scan_point).collect(),
        params: chosen.params,
    })
}

/// 1RSB at a fixed Parisi parameter `x` (no stationarity in `x`): the fixed point reached from
/// the split RS equilibrium, with its complexity `Σ(x) = −x² ∂φ1/∂x`.
pub fn solve_fixed_x(model: &Model, x: f64, opts: &RsbOptions) -> Result<RsbReport> {
    check(model)?;
    if !(x > 0.0 && x <= 1.0) {
        return Err(Error::input(format!("--x must be in (0, 1], got {x}")));
    }
    let rs_report = rs::solve(model, &SolverOptions::default());
    let rs = rs_report.equilibrium;
    let a = solve_at_x(model, x, split_start(&rs), opts)?;
    let phase = if a.gap() >= opts.min_gap {
        Phase::OneStepRsb
    } else {
        Phase::RsCollapsed
    };
    let solution = solution_from(model, &a, phase);
    let converged = a.status.is_converged() && rs_report.converged;
    Ok(RsbReport {
        solution,
        converged,
        rs,
        scan: vec![scan_point(&a)],
        params: a.params,
    })
}

/// The reported observables of a fixed point at its `x`.
pub fn solution_from(model: &Model, a: &AtX, phase: Phase) -> RsbSolution {
    let [m, q0, q1, big_q] = a.state;
    let rho = model.rho();
    let en = &a.energetic;
    let train = channel::train_error(en);
    let energy = 0.5 * model.alpha * train + 0.5 * model.ridge * big_q;
    let entropy = a.free_entropy + model.beta * energy;
    let smax = model.student.max_entropy().unwrap_or(f64::INFINITY);
    let complexity = if phase == Phase::RsCollapsed {
        0.0
    } else {
        -a.x * a.x * a.dphi_dx
    };
    RsbSolution {
        m,
        big_q,
        q1,
        q0,
        x: a.x,
        chi: model.beta * en.delta1,
        gen_error: rho - 2.0 * m + big_q,
        mse_posterior_mean: rho - 2.0 * m + q0,
        train_error: train,
        free_entropy: a.free_entropy,
        energy,
        entropy,
        complexity,
        dphi_dx: a.dphi_dx,
        entropy_violation: entropy < -1e-9 || entropy > smax + 1e-9,
        phase,
        status: a.status,
        iterations: a.iterations,
        residual: a.residual,
    }
}
