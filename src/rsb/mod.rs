//! One-step replica symmetry breaking at finite β (THEORY.md §4; derivations in `docs/rsb.md`).
//!
//! For a fixed Parisi parameter `x`, [`solve_at_x`] iterates the map `(m, q0, q1, Q) → (m, q0,
//! q1, Q)` with [`crate::fixed_point::iterate`]. [`solve`] scans `x` downwards over a grid and
//! follows every distinct branch of `q1 > q0` fixed points by warm starts. New branches are
//! looked for at every `x` from cold starts: the split RS state ([`split_start`]) and two
//! large-gap starts ([`gap_starts`]: `q1` just below `Q`, `q0` at the RS `q` or small). The
//! large-gap starts reach discontinuous branches whose `q1 − q0` does not grow from the RS point,
//! such as the frozen (`q1 ≈ Q`) 1RSB of few-level students at low temperature. On every branch,
//! every sign change of `∂φ1/∂x` is refined by Brent root finding.
//!
//! Which state is reported (the rule and why: `docs/rsb.md`):
//! 1. On one branch, `x` sits where φ1 is *minimal* over `x ∈ (0, 1]` (Parisi: the free energy
//!    `−φ1/β` is maximized). There the complexity `Σ(x) = −x² ∂φ1/∂x` vanishes while decreasing
//!    in `x`, i.e. the branch's states have zero configurational entropy. The branch's value is
//!    φ1 at its lowest local minimum, or φ_RS if `Σ(1) ≥ 0` makes `x = 1` the minimum.
//! 2. The collapsed RS solution is a candidate when it is AT-stable and no branch that reaches
//!    `x = 1` at the RS point has `Σ(1) < 0`. At `x = 1` such a branch *is* the RS state (same
//!    `m, q0, Q`, same φ1), and `Σ(1) < 0` says that RS counts a negative number of states.
//! 3. Among the candidates, the largest φ1 wins: the partition function sums over the families
//!    of states, and each family contributes its own zero-complexity free entropy. This is the
//!    rule the RS solver applies between distinct RS fixed points.
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
pub mod curve;
pub mod follow;
pub mod frozen;

pub use channel::{Averages, Conjugates, Energetic, InnerRange, Params, QuadOptions};

use crate::error::{Error, Result};
use crate::fixed_point::{iterate_inexact, merge_watch, same_state, Options, Status, INEXACT};
use crate::model::{Model, OutputChannel};
use crate::optimize::brent_root;
use crate::rs::{self, RsSolution, SolverOptions};
use crate::thermo::Thermo;
use serde::Serialize;
use std::cell::{Cell, RefCell};

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RsbOptions {
    /// Fixed-point iteration at fixed `x`.
    pub fixed_point: Options,
    /// Quadratures.
    pub quad: QuadOptions,
    /// Values of `x` scanned, from 1 downwards.
    pub x_grid: Vec<f64>,
    /// Below the grid, branches whose φ1 still decreases (`∂φ1/∂x > 0`) are followed down by
    /// factors of 0.3 to this `x` (stationary `x` scales as `1/β` at low temperature).
    pub x_floor: f64,
    /// Whether to try the large-gap starts ([`gap_starts`]) at every `x`.
    pub gap_starts: bool,
    /// Map evaluations allowed to each run of the scan in `x` (cold starts and warm
    /// continuations; the root finding uses `fixed_point.max_iter`). A start with no fixed point
    /// nearby wanders until the budget runs out, which dominates the cost of the scan.
    pub scan_max_iter: usize,
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
            x_floor: 1e-4,
            gap_starts: true,
            scan_max_iter: 300,
            x_tol: 1e-8,
            min_gap: 1e-6,
        }
    }
}

/// What the 1RSB computation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RsbPhase {
    /// A stationary `x* ∈ (0, 1)` with `q1 > q0`: replica symmetry is broken.
    OneStepRsb,
    /// The chosen `q1 > q0` branch has its minimum of φ1 at `x = 1` (complexity `Σ(1) ≥ 0`):
    /// `x = 1`, where φ1 = φ_RS (a clustered but RS-like state).
    RsAtXOne,
    /// The collapsed `q1 = q0 = q_RS` solution, i.e. RS: every iteration collapsed, or RS is the
    /// largest candidate.
    RsCollapsed,
    /// The frozen 1RSB (`q1 = Q`, one configuration per state) of a scale-free channel with a
    /// discrete student, in closed form ([`frozen`]): its complexity at `x = 1` (the RS entropy)
    /// is negative, and `x*` is where it vanishes.
    Frozen,
}

/// The 1RSB state at the chosen `x`. Field names are JSON keys of `rsb --json`; the errors and
/// thermodynamics are the shared record [`Thermo`] (flattened, and reachable as fields through
/// `Deref`: `sol.free_entropy`).
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
    /// χ = `βΔ1 = β(Q − q1)`, `ε_g = ρ − 2m + Q`, `ρ − 2m + q0`, the training error (Gaussian:
    /// `E0/D0² + Δ1/D1 + Δ0/(D1 D0)`), φ1, `e = −∂φ1/∂β`, `s = φ1 + βe`.
    #[serde(flatten)]
    pub thermo: Thermo,
    /// `Σ(x) = −x² ∂φ1/∂x` (zero at an interior `x*`).
    pub complexity: f64,
    /// `∂φ1/∂x` at the reported state.
    pub dphi_dx: f64,
    /// Whether the entropy leaves `[0, log Σπ]`.
    pub entropy_violation: bool,
    /// `α (β/D1)² E[⟪Var(s)²⟫]`: the replicon of fluctuations inside the `q1` blocks (λ_AT of
    /// RS at `q1 = q0`). Above 1 the 1RSB state is itself unstable: a further step of replica
    /// symmetry breaking is needed, and the 1RSB entropy may turn negative.
    pub replicon_q1: f64,
    /// What was found.
    pub phase: RsbPhase,
    /// How the fixed-point iteration at the reported `x` ended.
    pub status: Status,
    /// Map evaluations at the reported `x`.
    pub iterations: usize,
    /// Final fixed-point residual.
    pub residual: f64,
}

impl std::ops::Deref for RsbSolution {
    type Target = Thermo;
    fn deref(&self) -> &Thermo {
        &self.thermo
    }
}

impl std::ops::DerefMut for RsbSolution {
    fn deref_mut(&mut self) -> &mut Thermo {
        &mut self.thermo
    }
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
    /// Map evaluations used.
    pub iterations: usize,
    /// Index into [`RsbReport::branches`] of the branch this point belongs to (null for
    /// collapsed or failed iterations).
    pub branch: Option<usize>,
}

/// Which cold start first reached a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The split RS equilibrium ([`split_start`]).
    SplitStart,
    /// `q1` just below `Q`, `q0` at the RS `q` (the first of [`gap_starts`]).
    GapStartRsQ,
    /// `q1` just below `Q`, `q0` small (the second of [`gap_starts`]).
    GapStartSmallQ0,
}

/// A distinct branch of `q1 > q0` fixed points, followed in `x` by warm starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsbBranch {
    /// Index (order of discovery).
    pub index: usize,
    /// The cold start that found it.
    pub origin: Origin,
    /// Largest `x` where the branch was found.
    pub x_max: f64,
    /// Smallest `x` where it was still found.
    pub x_min: f64,
    /// Number of grid points on it.
    pub points: usize,
    /// `q0` at `x_max`.
    pub q0_at_x_max: f64,
    /// `q1` at `x_max`.
    pub q1_at_x_max: f64,
    /// `Σ(1) = −∂φ1/∂x` at `x = 1`, when the branch reaches `x = 1`.
    pub complexity_at_x_one: Option<f64>,
    /// Whether it reaches `x = 1` at the RS equilibrium (`m, q0, Q` equal to RS's).
    pub attached_to_rs: bool,
    /// The branch's value, min of φ1 over its `x` (a local minimum, or `x = 1` when `Σ(1) ≥ 0`);
    /// null when neither exists on the scanned range.
    pub value: Option<f64>,
    /// Whether the value is resolved: false when φ1 still decreases at the smallest `x` the
    /// branch was followed to (its minimum may lie below, or beyond a fold). A branch dismissed
    /// by its continuation (`curve.dismissed`) is resolved with no value.
    pub resolved: bool,
    /// The continuation past the branch's largest `x` ([`curve`]), run for an unresolved branch
    /// with no stationary point and `Σ > 0` at all its points (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve: Option<curve::BranchCurve>,
}

/// What a stationary point of φ1 in `x` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StationaryKind {
    /// A local minimum of φ1 (Σ decreasing through 0): a Parisi candidate.
    Minimum,
    /// A local maximum of φ1 (Σ increasing through 0): not physical.
    Maximum,
}

/// A root of `∂φ1/∂x` on one branch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stationary {
    /// Index into [`RsbReport::branches`].
    pub branch: usize,
    /// Minimum or maximum of φ1.
    pub kind: StationaryKind,
    /// The stationary `x`.
    pub x: f64,
    /// `m`.
    pub m: f64,
    /// `Q`.
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// `q1`.
    pub q1: f64,
    /// `q0`.
    pub q0: f64,
    /// φ1.
    pub free_entropy: f64,
    /// `s = φ1 + β e`.
    pub entropy: f64,
    /// `Σ(x)` (zero up to the root tolerance).
    pub complexity: f64,
    /// Whether the fixed point converged, the quadratures met their tolerances and the root was
    /// bracketed and resolved on this branch.
    pub converged: bool,
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
    /// Every distinct `q1 > q0` branch found.
    pub branches: Vec<RsbBranch>,
    /// Every root of `∂φ1/∂x` found on the branches.
    pub stationary: Vec<Stationary>,
    /// The branch of the reported state (null when RS is reported).
    pub chosen_branch: Option<usize>,
    /// Every parameter of the reported state (for stationarity checks).
    #[serde(skip)]
    pub params: Params,
}

/// The JSON of `rsb --json`: the 1RSB state's keys at top level (as `rs --json`, with `q1`,
/// `q0`, `x`, `complexity` in place of `q`), the RS replicon of the same point, the RS
/// solution under `rs`, the branches and stationary points found (`branches`, `stationary`,
/// `chosen_branch`), and the levels.
#[derive(Debug, Serialize)]
pub struct RsbJson<'a> {
    /// The report (flattened: solution keys, `converged`, `rs`, `scan`, `branches`,
    /// `stationary`, `chosen_branch`).
    #[serde(flatten)]
    pub report: &'a RsbReport,
    /// λ_AT of the RS solution.
    pub at_eigenvalue: f64,
    /// Whether RS is AT-stable.
    pub rs_stable: bool,
    /// The levels used.
    pub levels: Option<&'a [f64]>,
}

impl<'a> RsbJson<'a> {
    /// The JSON view of a report, with the model's levels.
    pub fn new(report: &'a RsbReport, levels: Option<&'a [f64]>) -> Self {
        RsbJson {
            report,
            at_eigenvalue: report.rs.at_eigenvalue,
            rs_stable: report.rs.rs_stable,
            levels,
        }
    }
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
    /// Iteration outcome (`MaxIterations` also when the final quadrature missed its tolerance,
    /// or the full-accuracy residual exceeds ten times the tolerance).
    pub status: Status,
    /// Map evaluations.
    pub iterations: usize,
    /// `max |G(state) − state|` with the full-accuracy map.
    pub residual: f64,
}

impl AtX {
    /// `q1 − q0`.
    pub fn gap(&self) -> f64 {
        self.state[2] - self.state[1]
    }
}

/// Whether 1RSB can be computed for `model` (a one-line input error if not: β = ∞, or a
/// continuous student).
pub fn check(model: &Model) -> Result<()> {
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
    map_to(model, x, state, quad, 0.0)
}

/// [`map`] with the output channel's quadratures loosened to `accuracy` (0: full accuracy). The
/// map needs only the channel's conjugates, not its terms.
fn map_to(
    model: &Model,
    x: f64,
    state: &[f64],
    quad: QuadOptions,
    accuracy: f64,
) -> Option<[f64; 4]> {
    let c = channel::conjugates_at(model, x, state[0], state[1], state[2], state[3], accuracy)?;
    let av = channel::averages_lean(model, &c, x, quad)?;
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

/// A cold start whose iterate comes this close to a fixed point already known at the same `x`
/// (relative, with a residual as small) has entered that point's basin and is not followed.
const MERGE_RADIUS: f64 = 1e-6;
/// Two fixed points at the same `x` closer than this (relative, every component) are one.
const SAME_STATE: f64 = 1e-6;
/// Tolerance of the zero `x*` of the frozen branch's complexity.
const FROZEN_X_TOL: f64 = 1e-12;
/// A scan run within this distance (relative, every component, and with a residual as small) of
/// the collapsed RS state where RS is AT-stable is stopped as collapsing ([`solve`]).
const COLLAPSE_RADIUS: f64 = 1e-4;
/// Step of the scan below the grid.
const X_SHRINK: f64 = 0.3;
/// `(Q − q1)/Q` below which a run of a channel with a frozen branch is stopped as heading there.
const FROZEN_GAP: f64 = 1e-8;

/// Whether the model has a frozen branch the map only approaches ([`frozen`]): a scale-free
/// channel (the ridge is a prior factor) and a discrete student.
fn frozen_cut(model: &Model) -> bool {
    model.channel.ridge_in_prior() && model.student.levels().is_some()
}

/// Whether the frozen branch is available in closed form ([`frozen::tempered_model`]).
fn frozen_available(model: &Model) -> bool {
    frozen_cut(model) && frozen::tempered_model(model, 1.0).is_ok()
}

/// Whether the RS equilibrium of a model with a frozen branch is a frozen RS state itself
/// (`q = Q`: the sign channel's perfect-generalization state, reported by `rs` from its limit).
fn rs_is_frozen(model: &Model, rs: &RsSolution) -> bool {
    frozen_cut(model) && rs.big_q - rs.q <= FROZEN_GAP * rs.big_q.abs()
}

/// The 1RSB report of a frozen RS equilibrium (`q = Q`, one configuration; [`rs_is_frozen`]):
/// every replica is in the one state, so 1RSB is that RS state (`q0 = q1 = Q`, phase
/// `rs_collapsed`, `x = 1`, complexity 0). No 1RSB branch can beat it: a branch's value is the
/// minimum of its φ1 over x, at most its φ1 at x = 1, which is the φ of an RS fixed point no
/// larger than the equilibrium's. The 1RSB map is not iterated there (its conjugates are
/// infinite at `q = Q`).
fn frozen_rs_report(model: &Model, rs: RsSolution, converged: bool) -> RsbReport {
    let f = frozen::Frozen {
        x: 1.0,
        free_entropy: rs.free_entropy.unwrap_or(f64::NAN),
        complexity: 0.0,
        tempered: rs.clone(),
        converged,
    };
    let (mut solution, params) = frozen::solution(model, &f);
    solution.phase = RsbPhase::RsCollapsed;
    solution.complexity = 0.0;
    solution.dphi_dx = 0.0;
    RsbReport::unscanned(solution, converged, rs, params)
}

impl RsbReport {
    /// A report of a state taken without an x scan (closed forms): no scan points, branches
    /// or stationary points.
    fn unscanned(solution: RsbSolution, converged: bool, rs: RsSolution, params: Params) -> Self {
        RsbReport {
            solution,
            converged,
            rs,
            scan: Vec::new(),
            branches: Vec::new(),
            stationary: Vec::new(),
            chosen_branch: None,
            params,
        }
    }
}

fn loosened(q: QuadOptions, acc: f64) -> QuadOptions {
    let f = |t: crate::quad::Tolerance| crate::quad::Tolerance {
        abs: t.abs.max(acc),
        rel: t.rel.max(acc),
        ..t
    };
    QuadOptions {
        outer: f(q.outer),
        inner: f(q.inner),
        ..q
    }
}

/// [`solve_at_x`], stopped early (`None`) once the iterate enters the basin of a `known` state.
fn run_at_x(
    model: &Model,
    x: f64,
    start: [f64; 4],
    opts: &RsbOptions,
    fixed_point: Options,
    known: &[[f64; 4]],
    collapse: Option<[f64; 4]>,
) -> Result<Option<AtX>> {
    check(model)?;
    if !(x > 0.0 && x <= 1.0) {
        return Err(Error::input(format!(
            "the Parisi parameter x must be in (0, 1], got {x}"
        )));
    }
    // Inexact iteration, as in the RS solver: far from the fixed point the map need only be
    // accurate to a fraction of the current residual; near convergence it runs at full accuracy.
    // A scale-free channel with a discrete student has a frozen branch (`q1 = Q`) that the map
    // reaches only in the limit, with `q̂1` growing without bound ([`frozen`]): a run heading
    // there is stopped (that branch is taken in closed form by [`solve`]).
    let cut = frozen_cut(model);
    // The map is never evaluated inside that zone: its inner quadrature spans x·g·(s_max −
    // s_min) with g² = q̂1 − q̂0 growing like 1/Δ1, and one map at (Q − q1)/Q ~ 1e−16 did not
    // finish in minutes (±1 storage, β = 10, α = 1.2: an accelerated step landed there). A step
    // into the zone returns its argument, which ends the iteration at once, and the run is
    // dropped (`entered`), whether or not it then counts as converged.
    let in_zone = |s: &[f64]| cut && s[3] - s[2] < FROZEN_GAP * s[3].abs();
    let entered = Cell::new(false);
    let run = |from: &[f64], inexact: bool, fp: Options, known: &[[f64; 4]]| {
        let mut merge = merge_watch(known, MERGE_RADIUS);
        iterate_inexact(
            |s, acc| {
                if in_zone(s) {
                    entered.set(true);
                    return Some(s.to_vec());
                }
                // q0 = E[⟪⟨s⟩⟫²] ≥ 0: an accelerated step below is outside the domain (the
                // iteration then takes a shorter plain step). With the sign channel one map at
                // such a state took 8.4 s (±1 storage β = 20 α = 1.3: q0 = −1.34 at x = 0.1).
                if cut && s[1] < 0.0 {
                    return None;
                }
                map_to(model, x, s, loosened(opts.quad, acc), acc).map(|v| v.to_vec())
            },
            from,
            fp,
            inexact.then_some(INEXACT),
            move |s: &[f64], res: f64| {
                merge(s, res)
                    || in_zone(s)
                    || collapse.is_some_and(|c| {
                        res < COLLAPSE_RADIUS && same_state(&c, s, COLLAPSE_RADIUS)
                    })
            },
        )
    };
    let mut out = run(&start, true, fixed_point, known);
    if out.stopped || entered.get() {
        return Ok(None);
    }
    let mut iterations = out.iterations;
    let full = |s: &[f64], status: Status| -> Result<_> {
        let state = [s[0], s[1], s[2], s[3]];
        let (params, en, av) = evaluate(model, x, state, opts.quad).ok_or_else(|| {
            Error::Numerics(format!(
                "1RSB iteration at x = {x} left the physical domain ({status:?})"
            ))
        })?;
        let residual = [av.m, av.q0, av.q1, av.big_q]
            .iter()
            .zip(&state)
            .map(|(g, s)| (g - s).abs())
            .fold(0.0, f64::max);
        Ok((state, params, en, av, residual))
    };
    let (mut state, mut params, mut en, mut av, mut residual) = full(&out.x, out.status)?;
    // The last maps were only as accurate as a fraction of the residual before them, which an
    // accelerated step can undercut by orders of magnitude: what counts is the full-accuracy
    // residual at the final state. If it is too large, polish with full-accuracy maps.
    let tol_ok = |r: f64| r < 10.0 * fixed_point.tol;
    if out.status == Status::Converged && av.accurate && !tol_ok(residual) {
        let left = fixed_point.max_iter.saturating_sub(iterations).max(1);
        out = run(
            &state,
            false,
            Options {
                max_iter: left,
                ..fixed_point
            },
            &[],
        );
        if entered.get() {
            return Ok(None);
        }
        iterations += out.iterations;
        (state, params, en, av, residual) = full(&out.x, out.status)?;
    }
    let status = if out.status == Status::Converged && !(av.accurate && tol_ok(residual)) {
        Status::MaxIterations
    } else {
        out.status
    };
    Ok(Some(AtX {
        x,
        state,
        params,
        energetic: en,
        averages: av,
        free_entropy: channel::free_entropy_from(model, &params, &en, &av),
        dphi_dx: channel::dphi_dx(model, &params, &en, &av),
        status,
        iterations,
        residual,
    }))
}

/// Solves the fixed point at fixed `x` from `start = (m, q0, q1, Q)`. An error when the run
/// heads to the frozen branch `q1 = Q` of a scale-free channel with a discrete student (stopped
/// there: [`frozen`] has that branch in closed form).
pub fn solve_at_x(model: &Model, x: f64, start: [f64; 4], opts: &RsbOptions) -> Result<AtX> {
    run_at_x(model, x, start, opts, opts.fixed_point, &[], None)?.ok_or_else(|| {
        Error::Numerics(format!(
            "the 1RSB iteration at x = {x} heads to the frozen branch q1 = Q (stopped at (Q - q1)/Q < {FROZEN_GAP:e})"
        ))
    })
}

fn scan_point(a: &AtX, branch: Option<usize>) -> ScanPoint {
    ScanPoint {
        x: a.x,
        q0: a.state[1],
        q1: a.state[2],
        free_entropy: a.free_entropy,
        dphi_dx: a.dphi_dx,
        status: a.status,
        iterations: a.iterations,
        branch,
    }
}

/// The RS equilibrium split into a 1RSB start: `q0 = q − δ`, `q1 = q + δ`.
pub fn split_start(rs: &RsSolution) -> [f64; 4] {
    let delta = 0.3 * rs.q.min(rs.big_q - rs.q).max(1e-6);
    [rs.m, rs.q - delta, (rs.q + delta).min(rs.big_q), rs.big_q]
}

/// Two large-gap starts: `q1 = Q(1 − 10⁻³)` with `q0` at the RS `q` (at most `q1 − 0.05 Q`), and
/// with `q0 = q/10`; `m` is scaled as `sqrt(q0/q)` so that `ρ − 2m + q0 ≥ 0` holds as in RS.
/// They reach branches on which `q1 − q0` does not grow continuously from the RS point.
pub fn gap_starts(rs: &RsSolution) -> [[f64; 4]; 2] {
    let q1 = rs.big_q * (1.0 - 1e-3);
    let start = |q0: f64| {
        let q0 = q0.max(0.0);
        let m = if rs.q > 0.0 {
            rs.m * (q0 / rs.q).sqrt()
        } else {
            0.0
        };
        [m, q0, q1, rs.big_q]
    };
    [
        start(rs.q.min(q1 - 0.05 * rs.big_q)),
        start(0.1 * rs.q.min(q1)),
    ]
}

/// One branch while it is being followed.
struct Track {
    origin: Origin,
    /// Its fixed points, by decreasing `x`.
    points: Vec<AtX>,
    alive: bool,
}

/// The Brent refinement of a sign change of `∂φ1/∂x` between `lo.x < hi.x` on one branch:
/// the fixed point at the root, whether it is trustworthy, and every point evaluated.
fn refine(model: &Model, lo: &AtX, hi: &AtX, opts: &RsbOptions) -> (Option<AtX>, bool, Vec<AtX>) {
    let cache = RefCell::new((lo.clone(), hi.clone()));
    let extra = RefCell::new(Vec::new());
    let reach = lo
        .state
        .iter()
        .zip(&hi.state)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    // A warm start that lands far from both ends has jumped to another branch.
    let on_branch = |a: &AtX, l: &AtX, h: &AtX| {
        let d = |s: &[f64; 4]| {
            s.iter()
                .zip(&a.state)
                .map(|(u, v)| (u - v).abs())
                .fold(0.0, f64::max)
        };
        a.status.is_converged()
            && a.gap() >= opts.min_gap
            && d(&l.state).min(d(&h.state)) <= 2.0 * reach + 1e-6
    };
    let lo_sign = lo.dphi_dx < 0.0;
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
                let ok = on_branch(&a, &l, &h);
                if ok {
                    let mut c = cache.borrow_mut();
                    if (d < 0.0) == lo_sign {
                        c.0 = a.clone()
                    } else {
                        c.1 = a.clone()
                    }
                }
                extra.borrow_mut().push(a);
                if ok {
                    d
                } else {
                    f64::NAN
                }
            }
            Err(_) => f64::NAN,
        }
    };
    let xs = brent_root(f, lo.x, hi.x, opts.x_tol);
    let (l, h) = cache.into_inner();
    let mut extra = extra.into_inner();
    let (xs, mut ok) = match xs {
        Ok(v) if v.is_finite() => (v, true),
        _ => (0.5 * (l.x + h.x), false),
    };
    let start = if (xs - l.x).abs() < (xs - h.x).abs() {
        l.state
    } else {
        h.state
    };
    let a = match solve_at_x(model, xs, start, opts) {
        Ok(a) => a,
        Err(_) => return (None, false, extra),
    };
    ok = ok && on_branch(&a, &l, &h);
    extra.push(a.clone());
    (Some(a), ok, extra)
}

/// A candidate for the reported state.
enum Candidate {
    /// A local minimum of φ1 in `x` (index into the roots).
    Root(usize),
    /// The `x = 1` end of a branch with `Σ(1) ≥ 0` (index into the tracks).
    XOne(usize),
    /// The collapsed RS solution.
    Rs,
    /// The frozen branch at the zero of its complexity (module `frozen`).
    Frozen,
}

/// Solves 1RSB at `model` with `x` fixed by stationarity (see the module docs). With a
/// scale-free channel (the sign channel) and a discrete student, the frozen branch (`q1 = Q`)
/// is taken in closed form ([`frozen`]) instead of by the large-gap starts, and runs of the map
/// heading there are stopped (`(Q − q1)/Q < 1e−8`): the map reaches it only in the limit.
pub fn solve(model: &Model, opts: &RsbOptions) -> Result<RsbReport> {
    check(model)?;
    let sign = matches!(model.channel, crate::model::Channel::Sign(_));
    let opts = &RsbOptions {
        gap_starts: opts.gap_starts && !sign,
        ..opts.clone()
    };
    let rs_report = rs::solve(model, &SolverOptions::default());
    let rs = rs_report.equilibrium;
    if rs_is_frozen(model, &rs) {
        return Ok(frozen_rs_report(model, rs, rs_report.converged));
    }
    let collapsed = [rs.m, rs.q, rs.q, rs.big_q];
    // Where RS is AT-stable the collapsed state attracts in the gap direction q1 − q0 (the
    // replicon λ_AT < 1 is its linear rate at x = 1): a scan run that comes within
    // COLLAPSE_RADIUS of it is collapsing and is stopped there (at 1e−6 it took ~60 maps of
    // ~60 ms at each grid x: ±1 storage β = 10, α = 0.9). Sign channel only: the Gaussian
    // channel's scan (its maps are cheap) is left as it was.
    let collapse = (rs.rs_stable && frozen_cut(model)).then_some(collapsed);
    let mut cold = vec![(Origin::SplitStart, split_start(&rs))];
    if opts.gap_starts {
        let [a, b] = gap_starts(&rs);
        cold.push((Origin::GapStartRsQ, a));
        cold.push((Origin::GapStartSmallQ0, b));
    }
    let mut grid: Vec<f64> = opts
        .x_grid
        .iter()
        .copied()
        .filter(|x| *x > 0.0 && *x <= 1.0)
        .collect();
    grid.sort_by(|a, b| b.total_cmp(a));
    grid.dedup();
    let usable = |a: &AtX| a.status.is_converged() && a.gap() >= opts.min_gap;
    let budget = Options {
        max_iter: opts.scan_max_iter.min(opts.fixed_point.max_iter),
        ..opts.fixed_point
    };
    let mut tracks: Vec<Track> = Vec::new();
    let mut scan: Vec<ScanPoint> = Vec::new();
    let mut k = 0;
    let mut x = f64::NAN;
    loop {
        let on_grid = k < grid.len();
        // Below the grid only branches whose φ1 still decreases need smaller x.
        let wanted =
            |t: &Track| t.alive && t.points.last().is_some_and(|p| p.dphi_dx > 0.0 && p.x == x);
        x = if on_grid {
            grid[k]
        } else if x * X_SHRINK >= opts.x_floor && tracks.iter().any(wanted) {
            x * X_SHRINK
        } else {
            break;
        };
        k += 1;
        let mut here: Vec<[f64; 4]> = Vec::new();
        for (i, t) in tracks.iter_mut().enumerate() {
            let Some(prev) = t.points.last() else {
                continue;
            };
            if !t.alive || (!on_grid && prev.dphi_dx <= 0.0) {
                t.alive = false;
                continue;
            }
            match run_at_x(model, x, prev.state, opts, budget, &[], collapse) {
                Ok(Some(a))
                    if usable(&a) && !here.iter().any(|h| same_state(h, &a.state, SAME_STATE)) =>
                {
                    here.push(a.state);
                    scan.push(scan_point(&a, Some(i)));
                    t.points.push(a);
                }
                Ok(Some(a)) => {
                    // Collapsed, not converged, or fell onto another branch: this one ends.
                    scan.push(scan_point(&a, None));
                    t.alive = false;
                }
                _ => t.alive = false,
            }
        }
        if !on_grid {
            continue;
        }
        for (origin, start) in &cold {
            let mut known = here.clone();
            known.push(collapsed);
            // A failed cold start only means that this start found nothing.
            if let Ok(Some(a)) = run_at_x(model, x, *start, opts, budget, &known, collapse) {
                if usable(&a) && !here.iter().any(|h| same_state(h, &a.state, SAME_STATE)) {
                    here.push(a.state);
                    scan.push(scan_point(&a, Some(tracks.len())));
                    tracks.push(Track {
                        origin: *origin,
                        points: vec![a],
                        alive: true,
                    });
                } else {
                    scan.push(scan_point(&a, None));
                }
            }
        }
    }

    // Every sign change of ∂φ1/∂x on every branch.
    let mut roots: Vec<(usize, StationaryKind, AtX, bool)> = Vec::new();
    for (i, t) in tracks.iter().enumerate() {
        for w in t.points.windows(2) {
            let (hi, lo) = (&w[0], &w[1]);
            if (hi.dphi_dx < 0.0) == (lo.dphi_dx < 0.0) {
                continue;
            }
            let kind = if lo.dphi_dx < 0.0 {
                StationaryKind::Minimum
            } else {
                StationaryKind::Maximum
            };
            let (a, ok, extra) = refine(model, lo, hi, opts);
            scan.extend(extra.iter().map(|e| scan_point(e, ok.then_some(i))));
            if let Some(a) = a {
                roots.push((i, kind, a, ok));
            }
        }
    }

    // Each branch's Parisi value: the lowest of its candidates (local minima of φ1, and x = 1
    // when Σ(1) ≥ 0). It is resolved when no point of the branch lies lower and φ1 does not
    // still decrease towards either end of the scanned range (below x_min, or beyond a fold).
    let phi_tol = |v: f64| 1e-9 * (1.0 + v.abs());
    let mut branches = Vec::new();
    let mut best: Vec<Option<(f64, Candidate)>> = Vec::new();
    let mut upper: Vec<f64> = Vec::new();
    for (i, t) in tracks.iter().enumerate() {
        let (Some(top), Some(bottom)) = (t.points.first(), t.points.last()) else {
            continue;
        };
        let at_one = top.x == 1.0;
        let attached = at_one
            && same_state(
                &[top.state[0], top.state[1], top.state[3]],
                &[rs.m, rs.q, rs.big_q],
                SAME_STATE,
            );
        let mut b: Option<(f64, Candidate)> = None;
        let mut low = t
            .points
            .iter()
            .map(|p| p.free_entropy)
            .fold(f64::INFINITY, f64::min);
        for (j, (_, kind, a, ok)) in roots.iter().enumerate().filter(|r| r.1 .0 == i) {
            low = low.min(a.free_entropy);
            if *ok
                && *kind == StationaryKind::Minimum
                && b.as_ref().is_none_or(|c| a.free_entropy < c.0)
            {
                b = Some((a.free_entropy, Candidate::Root(j)));
            }
        }
        if at_one && top.dphi_dx <= 0.0 && b.as_ref().is_none_or(|c| top.free_entropy < c.0) {
            b = Some((top.free_entropy, Candidate::XOne(i)));
        }
        let value = b.as_ref().map(|c| c.0);
        let mut resolved = value.is_some_and(|v| v <= low + phi_tol(v))
            && bottom.dphi_dx <= 0.0
            && (at_one || top.dphi_dx >= 0.0);
        // An unresolved branch with no stationary point and Σ > 0 at every point (φ1 decreasing
        // in x everywhere, so at most a minimum beyond its largest x): continued past that x as
        // a curve in (state, x) through its fold ([`curve`]). Dismissed (no Parisi state on it)
        // when the curve folds back below the floor or onto the frozen branch with Σ > 0.
        let mut traced = None;
        if !resolved
            && !at_one
            && value.is_none()
            && !roots.iter().any(|r| r.0 == i)
            && t.points.iter().all(|p| p.dphi_dx < 0.0)
        {
            let c = curve::continue_branch(model, top.state, top.x, opts.x_floor, opts.quad);
            resolved = c.dismissed;
            traced = Some(c);
        }
        branches.push(RsbBranch {
            index: i,
            origin: t.origin,
            x_max: top.x,
            x_min: bottom.x,
            points: t.points.len(),
            q0_at_x_max: top.state[1],
            q1_at_x_max: top.state[2],
            complexity_at_x_one: at_one.then_some(-top.dphi_dx),
            attached_to_rs: attached,
            value,
            resolved,
            curve: traced,
        });
        upper.push(value.map_or(low, |v| v.min(low)));
        best.push(b);
    }

    // Candidates (module docs): every resolved branch's value, and RS unless it is AT-unstable
    // or a branch attached to it shows a negative count of states. Largest φ1 wins; RS comes
    // last and must beat the others by more than round-off, so that an x = 1 branch end (equal
    // to φ_RS) is reported as such.
    // The frozen branch in closed form (module `frozen`): when its complexity at x = 1 (the RS
    // entropy) is negative, RS counts a negative number of states, and the branch's Parisi value
    // is at the zero x* of its complexity.
    let (frozen_sigma1, frozen_branch) = if frozen_available(model) {
        frozen_root(model, opts)?
    } else {
        (None, None)
    };
    let rs_excluded = frozen_sigma1.is_some_and(|s| s < 0.0)
        || tracks
            .iter()
            .zip(&branches)
            .any(|(t, b)| b.attached_to_rs && t.points[0].dphi_dx > 0.0);
    let mut cands: Vec<(f64, &Candidate)> = best
        .iter()
        .zip(&branches)
        .filter(|(_, b)| b.resolved)
        .filter_map(|(c, _)| c.as_ref().map(|(v, c)| (*v, c)))
        .collect();
    if let Some(f) = &frozen_branch {
        cands.push((f.free_entropy, &Candidate::Frozen));
    }
    // A negative frozen Σ(1) (RS counts a negative number of states) excludes RS, and with it
    // the x = 1 end of a branch attached to RS: there that branch is the RS state (same m, q0, Q,
    // φ1 = φ_RS, the same negative entropy).
    if frozen_sigma1.is_some_and(|s| s < 0.0) {
        cands.retain(|(_, c)| match c {
            Candidate::XOne(i) => !branches.iter().any(|b| b.index == *i && b.attached_to_rs),
            _ => true,
        });
    }
    // With the frozen branch available, a continuous state whose entropy (at Σ = 0 the entropy
    // of one state) is negative is excluded as RS is: a discrete student's states cannot hold
    // fewer than one configuration, they freeze (Krauth–Mézard; docs/theory.md, "Choosing
    // between 1RSB branches").
    if frozen_branch.is_some() {
        cands.retain(|(_, c)| match c {
            Candidate::Root(j) => !negative_entropy(model, &roots[*j].2),
            Candidate::XOne(i) => !negative_entropy(model, &tracks[*i].points[0]),
            _ => true,
        });
    }
    let rs_at_one = || solve_at_x(model, 1.0, collapsed, opts);
    let mut rs_point: Option<AtX> = None;
    if rs.rs_stable && !rs_excluded {
        let a = rs_at_one()?;
        cands.push((a.free_entropy, &Candidate::Rs));
        rs_point = Some(a);
    }
    let mut pick: Option<(f64, &Candidate)> = None;
    for &(v, c) in &cands {
        if pick.is_none_or(|(b, _)| v > b + phi_tol(b)) {
            pick = Some((v, c));
        }
    }
    // An unresolved branch can only hold a better state if its upper bound (its lowest point or
    // candidate) is above the winner.
    let ambiguous = |v: f64| {
        branches
            .iter()
            .zip(&upper)
            .any(|(b, u)| !b.resolved && *u > v - phi_tol(v))
    };
    let state_of = |c: &Candidate| -> Option<(AtX, RsbPhase, Option<usize>)> {
        match c {
            Candidate::Root(j) => {
                let (i, _, a, _) = &roots[*j];
                Some((a.clone(), RsbPhase::OneStepRsb, Some(*i)))
            }
            Candidate::XOne(i) => {
                Some((tracks[*i].points[0].clone(), RsbPhase::RsAtXOne, Some(*i)))
            }
            Candidate::Rs | Candidate::Frozen => None,
        }
    };
    if let (Some((v, Candidate::Frozen)), Some(f)) = (pick, &frozen_branch) {
        let ok = !ambiguous(v);
        scan.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.branch.cmp(&b.branch)));
        let stationary = stationary_of(model, &roots);
        let (solution, params) = frozen::solution(model, f);
        return Ok(RsbReport {
            solution,
            converged: ok && f.converged && rs_report.converged,
            rs,
            scan,
            branches,
            stationary,
            chosen_branch: None,
            params,
        });
    }
    let (chosen, phase, chosen_branch, x_ok) = match pick {
        Some((v, c)) => match state_of(c) {
            Some((a, ph, b)) => (a, ph, b, !ambiguous(v)),
            None => {
                let a = match rs_point.take() {
                    Some(a) => a,
                    None => rs_at_one()?,
                };
                (a, RsbPhase::RsCollapsed, None, !ambiguous(v))
            }
        },
        None => {
            // Nothing resolved: the best candidate of an unresolved branch, else the lowest
            // point of any branch (both flagged), else RS through the 1RSB formulas at x = 1.
            let cand = best
                .iter()
                .filter_map(|c| c.as_ref())
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .and_then(|(_, c)| state_of(c));
            let lowest = || {
                tracks
                    .iter()
                    .enumerate()
                    .flat_map(|(i, t)| t.points.iter().map(move |p| (i, p)))
                    .min_by(|a, b| a.1.free_entropy.total_cmp(&b.1.free_entropy))
                    .map(|(i, p)| (p.clone(), RsbPhase::OneStepRsb, Some(i)))
            };
            match cand.or_else(lowest) {
                Some((a, ph, b)) => (a, ph, b, false),
                None => (rs_at_one()?, RsbPhase::RsCollapsed, None, true),
            }
        }
    };
    let stationary = stationary_of(model, &roots);
    scan.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.branch.cmp(&b.branch)));
    scan.dedup_by(|a, b| a.x == b.x && a.branch == b.branch && a.q0 == b.q0 && a.q1 == b.q1);
    let solution = solution_from(model, &chosen, phase);
    let converged = x_ok && chosen.status.is_converged() && rs_report.converged;
    Ok(RsbReport {
        solution,
        converged,
        rs,
        scan,
        branches,
        stationary,
        chosen_branch,
        params: chosen.params,
    })
}

/// Whether a continuous 1RSB state has a negative entropy (measured without the ridge prior):
/// fewer than one configuration per state for a discrete student.
pub(crate) fn negative_entropy(model: &Model, a: &AtX) -> bool {
    let s = solution_from(model, a, RsbPhase::OneStepRsb);
    model.entropy_without_ridge_prior(s.entropy, s.big_q) < -1e-9
}

/// The frozen branch's complexity at `x = 1` and, when it is negative, the branch at the zero
/// `x*` of its complexity in `[x_floor, 1]` (None when there is no sign change there).
fn frozen_root(model: &Model, opts: &RsbOptions) -> Result<(Option<f64>, Option<frozen::Frozen>)> {
    let so = SolverOptions::default();
    let one = frozen::frozen_at(model, 1.0, &so)?;
    if one.complexity >= 0.0 {
        return Ok((Some(one.complexity), None));
    }
    let sigma = |x: f64| {
        frozen::frozen_at(model, x, &so)
            .map(|f| f.complexity)
            .unwrap_or(f64::NAN)
    };
    let lo = opts.x_floor.max(1e-6);
    let at_floor = sigma(lo);
    if at_floor.is_nan() || at_floor <= 0.0 {
        return Ok((Some(one.complexity), None));
    }
    // Σ(x) is a smooth function of x (tempered RS solves): the root to FROZEN_X_TOL, so that
    // ∂φ1/∂x = −Σ/x² at x* is ≤ 1e−9 even at small x*.
    let xs = brent_root(sigma, lo, 1.0, opts.x_tol.min(FROZEN_X_TOL))?;
    Ok((
        Some(one.complexity),
        Some(frozen::frozen_at(model, xs, &so)?),
    ))
}

/// The stationary points of the scan as reported.
fn stationary_of(model: &Model, roots: &[(usize, StationaryKind, AtX, bool)]) -> Vec<Stationary> {
    roots
        .iter()
        .map(|(i, kind, a, ok)| {
            let s = solution_from(model, a, RsbPhase::OneStepRsb);
            Stationary {
                branch: *i,
                kind: *kind,
                x: a.x,
                m: s.m,
                big_q: s.big_q,
                q1: s.q1,
                q0: s.q0,
                free_entropy: s.free_entropy,
                entropy: s.entropy,
                complexity: s.complexity,
                converged: *ok,
            }
        })
        .collect()
}

/// 1RSB at a fixed Parisi parameter `x` (no stationarity in `x`): the fixed point reached from
/// the split RS equilibrium, with its complexity `Σ(x) = −x² ∂φ1/∂x`.
pub fn solve_fixed_x(model: &Model, x: f64, opts: &RsbOptions) -> Result<RsbReport> {
    check(model)?;
    if !(x > 0.0 && x <= 1.0) {
        return Err(Error::input(format!(
            "the Parisi parameter x (--parisi-x) must be in (0, 1], got {x}"
        )));
    }
    let rs_report = rs::solve(model, &SolverOptions::default());
    let rs = rs_report.equilibrium;
    if rs_is_frozen(model, &rs) {
        // One configuration: φ1 does not depend on x.
        let mut r = frozen_rs_report(model, rs, rs_report.converged);
        r.solution.x = x;
        r.params.x = x;
        return Ok(r);
    }
    let Some(a) = run_at_x(
        model,
        x,
        split_start(&rs),
        opts,
        opts.fixed_point,
        &[],
        None,
    )?
    else {
        // The iteration heads to the frozen branch (q1 = Q): report that branch at this x, in
        // closed form ([`frozen`]).
        let f = frozen::frozen_at(model, x, &SolverOptions::default())?;
        let (solution, params) = frozen::solution(model, &f);
        return Ok(RsbReport::unscanned(
            solution,
            f.converged && rs_report.converged,
            rs,
            params,
        ));
    };
    let phase = if a.gap() >= opts.min_gap {
        RsbPhase::OneStepRsb
    } else {
        RsbPhase::RsCollapsed
    };
    let solution = solution_from(model, &a, phase);
    let converged = a.status.is_converged() && rs_report.converged;
    Ok(RsbReport {
        solution,
        converged,
        rs,
        scan: vec![scan_point(&a, None)],
        branches: Vec::new(),
        stationary: Vec::new(),
        chosen_branch: None,
        params: a.params,
    })
}

/// The reported observables of a fixed point at its `x`.
pub fn solution_from(model: &Model, a: &AtX, phase: RsbPhase) -> RsbSolution {
    let [m, q0, q1, big_q] = a.state;
    let rho = model.rho();
    let en = &a.energetic;
    let train = channel::train_error(en);
    let energy = model.alpha * en.terms.loss + model.ridge_energy(big_q);
    let entropy = model.entropy_of(a.free_entropy, energy);
    let smax = model.student.max_entropy().unwrap_or(f64::INFINITY);
    let complexity = if phase == RsbPhase::RsCollapsed {
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
        thermo: Thermo {
            chi: model.beta * en.state.delta1(),
            gen_error: model.channel.gen_error(rho, m, big_q),
            mse_posterior_mean: model.channel.gen_error(rho, m, q0),
            train_error: train,
            free_entropy: a.free_entropy,
            energy,
            entropy,
        },
        complexity,
        dphi_dx: a.dphi_dx,
        entropy_violation: {
            let s = model.entropy_without_ridge_prior(entropy, big_q);
            s < -1e-9 || s > smax + 1e-9
        },
        replicon_q1: model.alpha * en.terms.replicon * a.averages.var2,
        phase,
        status: a.status,
        iterations: a.iterations,
        residual: a.residual,
    }
}
