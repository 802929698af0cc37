//! Dynamics of quantization-aware training: the N → ∞ theory of online straight-through SGD
//! for teacher–student regression (docs/ste.md), its density solver, and the finite-N
//! simulation it is checked against.
//!
//! Per step one fresh sample `x ~ N(0, I/N)`, `y = x·w0 + ξ`; latent weights u, deployed
//! weights `Q(u)` (nearest level), update `u ← u(1 − ηλ/N) + η(y − x·Q(u)) x ⊙ g(u)` with
//! `g = 1` (plain STE) or `1{|u| ≤ ω}` (clipped); time t = steps/N. As N → ∞ each latent
//! weight given its teacher value follows
//!
//! ```text
//! du = η[(w0 − Q(u)) g(u) − λu] dt + η g(u) sqrt(ε_g(t) + σ²) dB,   ε_g(t) = E[(w0 − Q(u))²],
//! ```
//!
//! a McKean–Vlasov process; [`theory()`] solves its Fokker–Planck equation, [`simulate()`] runs
//! the finite-N algorithm.
//!
//! ```
//! use quantreplica::model::{LevelSet, Student, TeacherPrior};
//! use quantreplica::ste::{theory, Dynamics, FpOptions, SteOptions};
//! let student = Student::Discrete(LevelSet::uniform(1, 0.8).unwrap());
//! let teacher = TeacherPrior::gaussian(1.0).unwrap();
//! let opts = SteOptions { lr: 0.5, ..SteOptions::default() };
//! let dynamics = Dynamics::new(student, teacher, 0.0, opts).unwrap();
//! let coarse = FpOptions::default().refined(0.5);
//! let th = theory(&dynamics, &[0.0, 2.0], &coarse).unwrap();
//! // At t = 0 the deployed weights ±0.8 are independent of the teacher: ε_g = 1 + 0.64.
//! assert!((th.points[0].gen_error - 1.64).abs() < 1e-9);
//! assert!(th.points[1].gen_error < th.points[0].gen_error);
//! ```

pub mod fokker_planck;
pub mod simulate;
pub mod theory;

pub use fokker_planck::{FpOptions, FpPoint, FpStats};
pub use simulate::{simulate, SimOptions, SimSeries, Simulation};
pub use theory::FixedPoint;

use crate::error::{non_negative, positive, Error, Result};
use crate::model::{LevelSet, Model, Student, TeacherPrior};
use serde::Serialize;

/// Settings of the training algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SteOptions {
    /// Step size η (inputs x ~ N(0, I/N)).
    pub lr: f64,
    /// Clip the straight-through gradient outside [−ω, ω] (`g = 1{|u| ≤ ω}`).
    pub clip: bool,
    /// Variance of the latent initialization `u_i ~ N(0, init_var)`.
    pub init_var: f64,
    /// Weight decay λ per unit time (per step `ηλ/N`) on the latent weights.
    pub weight_decay: f64,
}

impl Default for SteOptions {
    fn default() -> Self {
        SteOptions {
            lr: 0.5,
            clip: false,
            init_var: 1.0,
            weight_decay: 0.0,
        }
    }
}

/// A validated problem: the student's level set (or the continuous line), the teacher prior,
/// the label-noise variance and the algorithm's settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dynamics {
    /// The student's weight space.
    pub student: Student,
    /// The teacher prior.
    pub teacher: TeacherPrior,
    /// Label-noise variance σ².
    pub noise: f64,
    /// Algorithm settings.
    pub opts: SteOptions,
}

impl Dynamics {
    /// Validates the pieces: η > 0 and below the stability limit, σ² ≥ 0, init variance > 0,
    /// λ ≥ 0, clipping only for a quantized student.
    pub fn new(
        student: Student,
        teacher: TeacherPrior,
        noise: f64,
        opts: SteOptions,
    ) -> Result<Self> {
        positive("learning rate", opts.lr)?;
        non_negative("noise", noise)?;
        positive("init variance", opts.init_var)?;
        non_negative("weight decay", opts.weight_decay)?;
        if opts.clip && matches!(student, Student::Continuous) {
            return Err(Error::input(
                "clipping needs a quantized student (the continuous student has no range [-omega, omega])",
            ));
        }
        let d = Dynamics {
            student,
            teacher,
            noise,
            opts,
        };
        let limit = d.stability_limit();
        if opts.lr >= limit {
            return Err(Error::input(format!(
                "learning rate {} is at or above the stability limit {limit} of online SGD for the continuous student (eta < 2(1 + lambda))",
                opts.lr
            )));
        }
        Ok(d)
    }

    /// The dynamics of a toolkit model: its student, teacher and noise. Online training has
    /// no α (t = steps/N plays its role); the model must be the β = ∞ problem (nearest-level
    /// rounding) with no ridge (use `weight_decay`).
    pub fn from_model(model: &Model, opts: SteOptions) -> Result<Self> {
        if model.beta.is_finite() {
            return Err(Error::input(format!(
                "STE training deploys the nearest level (the beta = inf problem); beta must be inf, got {}",
                model.beta
            )));
        }
        if !matches!(model.channel, crate::model::Channel::Gaussian(_)) {
            return Err(Error::input(
                "STE dynamics is derived for the Gaussian (regression) output channel",
            ));
        }
        if model.ridge != 0.0 {
            return Err(Error::input(format!(
                "ridge {} is not used by online STE training; set the weight decay instead",
                model.ridge
            )));
        }
        Self::new(
            model.student.clone(),
            model.teacher.clone(),
            model.noise,
            opts,
        )
    }

    /// `max |level|` (ω for uniform and mid-tread sets); infinite for the continuous student.
    pub fn width(&self) -> f64 {
        match &self.student {
            Student::Discrete(l) => l.values().iter().fold(0.0f64, |a, s| a.max(s.abs())),
            Student::Continuous => f64::INFINITY,
        }
    }

    /// The level set of the forward pass, rounded to by [`LevelSet::nearest`] (`None` for the
    /// continuous student).
    pub fn levels(&self) -> Option<&LevelSet> {
        self.student.levels()
    }

    /// The largest stable step. Continuous student: the second moment obeys
    /// `dQ/dt = 2η(m − (1 + λ)Q) + η²(ρ − 2m + Q + σ²)`, which grows without bound iff
    /// `η ≥ 2(1 + λ)`. A quantized student has no limit: `Q(u)` is bounded, so ε_g stays below
    /// `E[(|w0| + ω)²]` and the N → ∞ dynamics is well posed for every η > 0.
    pub fn stability_limit(&self) -> f64 {
        match self.student {
            Student::Continuous => 2.0 * (1.0 + self.opts.weight_decay),
            Student::Discrete(_) => f64::INFINITY,
        }
    }
}

/// Checks a time grid: non-empty, finite, non-negative, strictly increasing.
pub fn check_times(times: &[f64]) -> Result<()> {
    if times.is_empty() {
        return Err(Error::input("the time grid is empty"));
    }
    for (i, t) in times.iter().enumerate() {
        if !(t.is_finite() && *t >= 0.0) {
            return Err(Error::input(format!(
                "time {t} must be finite and non-negative"
            )));
        }
        if i > 0 && *t <= times[i - 1] {
            return Err(Error::input(format!(
                "the time grid is not increasing: {} then {t}",
                times[i - 1]
            )));
        }
    }
    Ok(())
}

/// Most points of a time grid (each is a row of output and a solve of the theory).
pub const MAX_TIMES: usize = 100_000;

/// Parses `--time T0:T1:COUNT` into its [`time_grid`].
pub fn parse_time(s: &str) -> Result<Vec<f64>> {
    let parts: Vec<&str> = s.split(':').collect();
    let bad = || Error::input(format!("--time '{s}' must be T0:T1:COUNT (e.g. 0:10:21)"));
    if parts.len() != 3 {
        return Err(bad());
    }
    let t0: f64 = parts[0].trim().parse().map_err(|_| bad())?;
    let t1: f64 = parts[1].trim().parse().map_err(|_| bad())?;
    let count: usize = parts[2].trim().parse().map_err(|_| bad())?;
    time_grid(t0, t1, count)
}

/// `count` evenly spaced times from `t0` to `t1` (`count = 1`: just `t0`, which then must equal
/// `t1`).
pub fn time_grid(t0: f64, t1: f64, count: usize) -> Result<Vec<f64>> {
    if count == 0 {
        return Err(Error::input("the time grid needs at least one point"));
    }
    if count > MAX_TIMES {
        return Err(Error::input(format!(
            "the time grid COUNT {count} is more than {MAX_TIMES} points"
        )));
    }
    if count == 1 {
        if t0 != t1 {
            return Err(Error::input(format!(
                "a one-point time grid needs T0 = T1, got {t0}:{t1}"
            )));
        }
        check_times(&[t0])?;
        return Ok(vec![t0]);
    }
    let g: Vec<f64> = (0..count)
        .map(|i| t0 + (t1 - t0) * i as f64 / (count - 1) as f64)
        .collect();
    check_times(&g)?;
    Ok(g)
}

/// The theory curves at the requested times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theory {
    /// `density` (Fokker–Planck solve) or `gaussian_closure` (continuous student).
    pub method: &'static str,
    /// Observables at each time.
    pub points: Vec<FpPoint>,
    /// Solver statistics (density method).
    pub stats: Option<FpStats>,
}

/// Builds the teacher quadrature for the dynamics.
pub fn teacher_nodes(dyn_: &Dynamics, o: &FpOptions) -> theory::TeacherNodes {
    let mut breaks: Vec<f64> = dyn_
        .student
        .levels()
        .map_or(Vec::new(), |l| l.values().to_vec());
    if dyn_.opts.weight_decay > 0.0 && dyn_.opts.clip {
        let w = dyn_.width() * (1.0 + dyn_.opts.weight_decay);
        breaks.extend([-w, w]);
    }
    theory::teacher_nodes(dyn_, &breaks, o.teacher_span, o.teacher_piece)
}

/// Solves the N → ∞ dynamics: the Fokker–Planck density per teacher node for a quantized
/// student (and its stationary points), the exact Gaussian closure for the continuous one.
pub fn theory(dyn_: &Dynamics, times: &[f64], o: &FpOptions) -> Result<Theory> {
    check_times(times)?;
    let nodes = teacher_nodes(dyn_, o);
    match dyn_.levels() {
        None => {
            let dt = 1e-3 / dyn_.opts.lr;
            let pts = theory::continuous_closure(dyn_, &nodes, times, dt);
            // The closure's steps at once (the density solver ticks each time itself).
            times.iter().for_each(|_| crate::parallel::tick());
            let points = times
                .iter()
                .zip(pts)
                .map(|(t, (e, m, q))| FpPoint {
                    time: *t,
                    gen_error: e,
                    gen_error_gauss: e,
                    latent_error: e,
                    m,
                    q,
                    m_latent: m,
                    q_latent: q,
                    level_fractions: Vec::new(),
                    mass_error: 0.0,
                    min_mass: 0.0,
                })
                .collect();
            Ok(Theory {
                method: "gaussian_closure",
                points,
                stats: None,
            })
        }
        Some(q) => {
            let (points, stats) = fokker_planck::solve(dyn_, Some(q), &nodes, times, o);
            if points.iter().any(|p| !p.gen_error.is_finite()) {
                return Err(Error::Numerics(
                    "the Fokker–Planck solution is not finite".into(),
                ));
            }
            Ok(Theory {
                method: "density",
                points,
                stats: Some(stats),
            })
        }
    }
}

/// The density solver on any student, the continuous one included (a check of the solver
/// against the Gaussian closure).
pub fn density_theory(
    dyn_: &Dynamics,
    times: &[f64],
    o: &FpOptions,
) -> Result<(Vec<FpPoint>, FpStats)> {
    check_times(times)?;
    let nodes = teacher_nodes(dyn_, o);
    let q = dyn_.levels();
    Ok(fokker_planck::solve(dyn_, q, &nodes, times, o))
}

/// Every self-consistent stationary point of the dynamics of a quantized student (empty for the
/// continuous student, whose stationary error is `ησ²/(2(1 + λ) − η)` at λ = 0 and follows from
/// the closure in general).
pub fn fixed_points(dyn_: &Dynamics, o: &FpOptions) -> Result<Vec<FixedPoint>> {
    let nodes = teacher_nodes(dyn_, o);
    match dyn_.levels() {
        None => Ok(Vec::new()),
        Some(q) => theory::fixed_points(dyn_, q, &nodes),
    }
}

/// The relaxation time of a curve: the first time ε_g(t) falls below the midpoint between its
/// initial value and `eps_final` (linear interpolation between reported times); `None` if it
/// never does within the grid. For a curve with a plateau this is the plateau length plus the
/// (short) drop; for a plain exponential decay it is the half-life of the excess error.
pub fn half_time(times: &[f64], eps: &[f64], eps_final: f64) -> Option<f64> {
    let first = *eps.first()?;
    let mid = 0.5 * (first + eps_final);
    let below = |e: f64| {
        if first >= eps_final {
            e <= mid
        } else {
            e >= mid
        }
    };
    for i in 1..eps.len().min(times.len()) {
        if below(eps[i]) {
            let (e0, e1) = (eps[i - 1], eps[i]);
            let f = if e1 != e0 {
                (mid - e0) / (e1 - e0)
            } else {
                1.0
            };
            return Some(times[i - 1] + f.clamp(0.0, 1.0) * (times[i] - times[i - 1]));
        }
    }
    None
}

/// ε_g of the β = ∞ replica-symmetric equilibrium (the quantized least-squares ground state,
/// THEORY.md §3) after `alpha` samples per weight — what a learner that could minimize the
/// training error over the quantized weights would reach with the `alpha·N` samples online SGD
/// has consumed by time t = alpha.
pub fn rs_ground_state(dyn_: &Dynamics, alpha: f64) -> Result<f64> {
    let model = Model::new(
        alpha,
        dyn_.noise,
        f64::INFINITY,
        0.0,
        dyn_.student.clone(),
        dyn_.teacher.clone(),
    )?;
    let rep = crate::rs::solve(&model, &crate::rs::SolverOptions::default());
    if !rep.converged {
        return Err(Error::Numerics(format!(
            "the beta = inf RS equations did not converge at alpha = {alpha}"
        )));
    }
    Ok(rep.equilibrium.gen_error)
}

/// Everything `quantreplica ste-dynamics` reports: the theory at the requested times, its
/// stationary points, the β = ∞ replica ground state for comparison, and optionally the
/// finite-N simulation at the same times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The problem.
    pub dynamics: Dynamics,
    /// Largest stable η (null: none, quantized student).
    pub stability_limit: f64,
    /// Theory curves.
    pub theory: Theory,
    /// Self-consistent stationary points (quantized students).
    pub fixed_points: Vec<FixedPoint>,
    /// ε_g of the β = ∞ RS ground state at α = 1000 (the α → ∞ end of online training).
    pub rs_ground_state: Option<f64>,
    /// [`half_time`] of the theory curve towards the stable fixed point (quantized students).
    pub half_time: Option<f64>,
    /// The finite-N simulation, when requested.
    pub simulation: Option<Simulation>,
}

/// Theory (with fixed points and the replica comparison) and, with `sim`, the simulation, at
/// `times`. Every input is checked before any work starts.
pub fn report(
    dyn_: &Dynamics,
    times: &[f64],
    o: &FpOptions,
    sim: Option<&SimOptions>,
) -> Result<Report> {
    check_times(times)?;
    if let Some(s) = sim {
        simulate::check(dyn_, times, s)?;
    }
    // Progress of the theory: a step per time of the density solver (it ticks them), the
    // stationary points, the RS ground state; the simulation has its own.
    let steps = crate::parallel::Steps::new(times.len() as u64 + 2, "STE theory");
    let entered = steps.enter();
    let th = theory(dyn_, times, o)?;
    crate::parallel::check_interrupted()?;
    let fixed = fixed_points(dyn_, o)?;
    steps.inc(1);
    crate::parallel::check_interrupted()?;
    let stable = fixed.iter().find(|f| f.stable).map(|f| f.gen_error);
    let eps: Vec<f64> = th.points.iter().map(|p| p.gen_error).collect();
    let half = stable.and_then(|e| half_time(times, &eps, e));
    let rs = rs_ground_state(dyn_, 1000.0).ok();
    steps.inc(1);
    drop(entered);
    drop(steps);
    let simulation = sim.map(|s| simulate(dyn_, times, s)).transpose()?;
    Ok(Report {
        dynamics: dyn_.clone(),
        stability_limit: dyn_.stability_limit(),
        theory: th,
        fixed_points: fixed,
        rs_ground_state: rs,
        half_time: half,
        simulation,
    })
}
