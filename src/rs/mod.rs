//! Replica-symmetric solver for quantized-weight regression (THEORY.md §2–3).
//!
//! [`solve`] runs the fixed-point iteration from several starting points, reports every distinct
//! fixed point with its free entropy, and picks the equilibrium (largest free entropy at finite
//! β, lowest energy at β = ∞).
//!
//! ```
//! use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
//! use quantreplica::rs::{solve, SolverOptions};
//! // 2-bit student at its Max-optimal width, many samples, no noise: ε_g → 0.1188.
//! let student = Student::Discrete(LevelSet::uniform(2, 1.5 * 0.9957).unwrap());
//! let model = Model::new(1e8, 0.0, f64::INFINITY, 0.0, student, TeacherPrior::gaussian(1.0).unwrap()).unwrap();
//! let report = solve(&model, &SolverOptions::default());
//! assert!(report.converged);
//! assert!((report.equilibrium.gen_error - 0.1188).abs() < 1e-4);
//! ```

pub mod capacity;
pub mod finite;
pub mod frozen;
pub mod perfect;
pub mod scale;
pub mod zero;

use crate::fixed_point::{
    iterate_inexact_verified, iterate_watched, merge_watch, same_state, Options, Status, INEXACT,
};
use crate::model::{Model, OutputChannel, Student};
use crate::quad::Tolerance;
use crate::thermo::Thermo;
use serde::Serialize;

/// Solver settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolverOptions {
    /// Fixed-point iteration settings.
    pub fixed_point: Options,
    /// Quadrature tolerance of every RS average.
    pub quad: Tolerance,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions {
            fixed_point: Options::default(),
            quad: Tolerance {
                abs: 1e-12,
                rel: 1e-12,
                max_intervals: 20_000,
            },
        }
    }
}

/// One RS fixed point with its observables. Field names are the JSON keys of `rs --json`; the
/// errors and thermodynamics are the shared record [`Thermo`] (flattened into the JSON, and
/// reachable as fields of the solution through `Deref`: `sol.gen_error`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsSolution {
    /// Overlap with the teacher `m = w0·w/N`.
    pub m: f64,
    /// Overlap between two replicas `q`.
    pub q: f64,
    /// Self-overlap `Q = w·w/N`.
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// χ, errors, free entropy (null at β = ∞), energy, entropy (null at β = ∞).
    #[serde(flatten)]
    pub thermo: Thermo<Option<f64>>,
    /// Replicon eigenvalue λ_AT (∞, written null, for discrete levels at β = ∞).
    pub at_eigenvalue: f64,
    /// `λ_AT < 1`.
    pub rs_stable: bool,
    /// Whether the entropy violates `0 ≤ s ≤ log Σπ` (a sign that RS is wrong); null if not
    /// applicable.
    pub entropy_violation: Option<bool>,
    /// How the iteration ended.
    pub status: Status,
    /// Map evaluations used.
    pub iterations: usize,
    /// Final fixed-point residual.
    pub residual: f64,
}

impl std::ops::Deref for RsSolution {
    type Target = Thermo<Option<f64>>;
    fn deref(&self) -> &Self::Target {
        &self.thermo
    }
}

impl std::ops::DerefMut for RsSolution {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.thermo
    }
}

/// Every distinct fixed point and the equilibrium among them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsReport {
    /// The equilibrium (largest free entropy, or lowest energy at β = ∞) among converged
    /// fixed points; the best non-converged attempt if none converged.
    pub equilibrium: RsSolution,
    /// Whether the equilibrium converged.
    pub converged: bool,
    /// Every distinct fixed point found (converged ones first).
    pub solutions: Vec<RsSolution>,
}

/// Whether the model is solved by the β = ∞ collapse of THEORY.md §3 (state `(m, q, r)` with
/// `r = 1/(1 + χ)`): β = ∞ and an output channel that offers a quadratic collapse. Otherwise the
/// finite-`a` equations are solved (state `(m, q, Q)`), at β = ∞ too.
pub fn collapses(model: &Model) -> bool {
    model.zero_temperature() && model.channel.quadratic_collapse().is_some()
}

fn starts(model: &Model) -> Vec<[f64; 3]> {
    let rho = model.rho();
    let (smax2, prior2) = match &model.student {
        Student::Discrete(l) => {
            let v = l.values();
            let p = l.probabilities();
            let s2 = v.iter().map(|x| x * x).fold(0.0, f64::max);
            (s2, v.iter().zip(&p).map(|(x, w)| w * x * x).sum::<f64>())
        }
        Student::Continuous => (f64::INFINITY, rho),
    };
    let qi = rho.min(smax2) * (1.0 - 1e-3);
    let mi = (rho * qi).sqrt() * (1.0 - 1e-3);
    if collapses(model) {
        vec![[0.0, 0.0, 1.0], [mi, qi, 1.0], [0.5 * mi, 0.5 * qi, 1.0]]
    } else {
        let dq = 1e-3 * prior2.max(1e-6);
        vec![
            [0.0, 0.0, prior2],
            [mi, qi, qi + dq],
            [0.5 * mi, 0.25 * qi, 0.5 * (qi + prior2)],
        ]
    }
}

/// A β = ∞ solution from its overlaps, χ, the noise E and the AT eigenvalue.
fn ground_solution(
    model: &Model,
    (m, q, chi, e): (f64, f64, f64, f64),
    at: f64,
    status: Status,
    iterations: usize,
    residual: f64,
) -> RsSolution {
    let train = model
        .channel
        .quadratic_collapse()
        .map_or(f64::INFINITY, |c| c.train_error(e, chi));
    RsSolution {
        m,
        q,
        big_q: q,
        thermo: Thermo {
            chi,
            gen_error: model.rho() - 2.0 * m + q,
            mse_posterior_mean: model.rho() - 2.0 * m + q,
            train_error: train,
            free_entropy: None,
            energy: 0.5 * model.alpha * train + 0.5 * model.ridge * q,
            entropy: None,
        },
        at_eigenvalue: at,
        rs_stable: at < 1.0,
        entropy_violation: None,
        status,
        iterations,
        residual,
    }
}

fn solution_from(
    model: &Model,
    x: &[f64],
    status: Status,
    iterations: usize,
    residual: f64,
    quad: Tolerance,
    checked: Option<Checked>,
) -> Option<RsSolution> {
    if collapses(model) {
        model.student.levels()?;
        let (m, q, r) = (x[0], x[1], x[2]);
        let e = zero::noise_of(model, m, q)?;
        let chi = if r > 0.0 {
            1.0 / r - 1.0
        } else {
            f64::INFINITY
        };
        // Discrete levels at β = ∞: λ_AT diverges (THEORY §3); the ground state is never stable.
        Some(ground_solution(
            model,
            (m, q, chi, e),
            f64::INFINITY,
            status,
            iterations,
            residual,
        ))
    } else {
        // The observables at `x`, unless the convergence check already computed them there.
        let o = match checked {
            Some(c) if c.state[..] == x[..] => c.observables,
            _ => finite::observables(model, x[0], x[1], x[2], quad)?,
        };
        let status = if status == Status::Converged && !o.accurate {
            Status::MaxIterations
        } else {
            status
        };
        let violation = model.student.max_entropy().map(|smax| {
            let s = model.entropy_without_ridge_prior(o.entropy, x[2]);
            s < -1e-9 || s > smax + 1e-9
        });
        Some(RsSolution {
            m: x[0],
            q: x[1],
            big_q: x[2],
            thermo: Thermo {
                chi: o.chi,
                gen_error: o.gen_error,
                mse_posterior_mean: o.mse_posterior_mean,
                train_error: o.train_error,
                free_entropy: Some(o.free_entropy),
                energy: o.energy,
                entropy: Some(o.entropy),
            },
            at_eigenvalue: o.at_eigenvalue,
            rs_stable: o.at_eigenvalue < 1.0,
            entropy_violation: violation,
            status,
            iterations,
            residual,
        })
    }
}

/// The continuous student's collapsed ground state (`None` without a quadratic collapse).
fn continuous_ground_state(model: &Model) -> Option<RsReport> {
    let (m, q, chi, e) = zero::continuous(model)?;
    let k = if chi.is_finite() {
        chi / (1.0 + chi)
    } else {
        1.0
    };
    let finite = e.is_finite();
    let status = if finite {
        Status::Converged
    } else {
        Status::Diverged
    };
    let sol = ground_solution(model, (m, q, chi, e), model.alpha * k * k, status, 0, 0.0);
    Some(RsReport {
        converged: finite,
        equilibrium: sol.clone(),
        solutions: vec![sol],
    })
}

/// The continuous student at β = ∞ with a collapsing channel: closed form, no iteration.
fn continuous_collapsed(model: &Model) -> Option<RsReport> {
    if collapses(model) && matches!(model.student, Student::Continuous) {
        continuous_ground_state(model)
    } else {
        None
    }
}

/// Runs the iteration from one starting state and returns the raw outcome.
pub fn iterate_from(
    model: &Model,
    start: [f64; 3],
    opts: &SolverOptions,
) -> crate::fixed_point::Outcome {
    iterate_watched_from(model, start, opts, |_, _| false, &mut None)
}

/// The observables at a state, computed by the false-convergence check of
/// [`iterate_inexact_verified`] and used again for the solution at that state.
#[derive(Debug, Clone, Copy)]
struct Checked {
    state: [f64; 3],
    observables: finite::Observables,
}

/// [`iterate_from`] with a watch that may stop the run (see
/// [`crate::fixed_point::iterate_watched`]). A convergence declared on an inexact map is checked
/// at the reported state with the observables' own full-accuracy quadratures, left in `checked`
/// for [`solution_from`].
fn iterate_watched_from<W: FnMut(&[f64], f64) -> bool>(
    model: &Model,
    start: [f64; 3],
    opts: &SolverOptions,
    watch: W,
    checked: &mut Option<Checked>,
) -> crate::fixed_point::Outcome {
    match (&model.student, collapses(model)) {
        (Student::Discrete(l), true) => iterate_watched(
            |x| zero::map(model, l, x).map(|v| v.to_vec()),
            &start,
            opts.fixed_point,
            watch,
        ),
        _ => {
            // Inexact iteration (the fixed-point module's schedule): far from the fixed point the
            // quadrature tolerance follows the residual down to `opts.quad`.
            iterate_inexact_verified(
                |x, acc| {
                    let acc = acc.max(opts.quad.abs);
                    let tol = Tolerance {
                        abs: acc,
                        rel: acc.max(opts.quad.rel),
                        ..opts.quad
                    };
                    finite::map(model, x, tol).map(|v| v.to_vec())
                },
                |gx| {
                    let state = [gx[0], gx[1], gx[2]];
                    let o = finite::observables(model, gx[0], gx[1], gx[2], opts.quad)?;
                    *checked = Some(Checked {
                        state,
                        observables: o,
                    });
                    Some(o.image.to_vec())
                },
                &start,
                opts.fixed_point,
                Some(INEXACT),
                watch,
            )
        }
    }
}

/// A later start whose iterate comes this close to a converged fixed point (relative, with a
/// residual as small) has entered that point's basin and is not followed further.
const MERGE_RADIUS: f64 = 1e-7;
/// An iterate this close to a perfect state of the sign channel (`1 − m/√(ρQ)` and
/// `1 − q/Q`) is on its way there: the map contracts super-exponentially near it
/// ([`perfect`]), and no other fixed point lies this close.
const PERFECT_BASIN: f64 = 1e-6;
/// Two fixed points closer than this (relative, every order parameter) are one.
const SAME_STATE: f64 = 1e-6;
/// `1 − q/Q` below which a run of a scale-free channel with a discrete student (the sign
/// channel) is stopped: it is heading to `q = Q`, which the map reaches only in the limit
/// (the perfect state, or the version space shrinking to a point) with the conjugates growing
/// without bound and every iteration costlier (`docs/classification.md` §11).
const FROZEN_RS_GAP: f64 = 1e-9;

/// Solves from one starting state (a warm start, e.g. a neighbouring parameter's fixed point:
/// `[m, q, Q]`, or `[m, q, 1/(1+χ)]` when the model [`collapses`] at β = ∞). `None` if the
/// start is outside the domain.
pub fn solve_from(model: &Model, start: [f64; 3], opts: &SolverOptions) -> Option<RsSolution> {
    if let Some(r) = continuous_collapsed(model) {
        return Some(r.equilibrium);
    }
    // Levels too wide for absolute tolerances: rescaled units (issue 13).
    if let Some((m, c2)) = scale::rescaled(model) {
        let s = solve_from(&m, scale::start(start, c2, collapses(&m)), opts)?;
        return Some(scale::back(s, c2));
    }
    // A posterior too sharp for the finite-β quadrature: the β = ∞ expressions (issue 13).
    if let Some(s) = frozen::from_start(model, start, opts) {
        return Some(s);
    }
    // The sign channel's perfect state, reported from its limit (never iterated).
    if let Some(s) = perfect::at_start(model, start) {
        return Some(s);
    }
    let mut checked = None;
    let out = iterate_watched_from(model, start, opts, |_, _| false, &mut checked);
    let x = if out.status.is_converged() {
        out.gx.clone()
    } else {
        out.x.clone()
    };
    solution_from(
        model,
        &x,
        out.status,
        out.iterations,
        out.residual,
        opts.quad,
        checked,
    )
}

impl RsSolution {
    /// The solver state of this solution, usable as a warm start for [`solve_from`]:
    /// `[m, q, 1/(1+χ)]` when the model [`collapses`] (pass `true`), else `[m, q, Q]`.
    pub fn state(&self, zero_temperature: bool) -> [f64; 3] {
        if zero_temperature {
            let r = if self.chi.is_finite() {
                1.0 / (1.0 + self.chi)
            } else {
                0.0
            };
            [self.m, self.q, r]
        } else {
            [self.m, self.q, self.big_q]
        }
    }
}

/// Solves the RS equations from several starting points (uninformed, informed, intermediate).
pub fn solve(model: &Model, opts: &SolverOptions) -> RsReport {
    if let Some(r) = continuous_collapsed(model) {
        return r;
    }
    // Levels too wide for absolute tolerances: rescaled units (issue 13).
    if let Some((m, c2)) = scale::rescaled(model) {
        let r = solve(&m, opts);
        return RsReport {
            equilibrium: scale::back(r.equilibrium, c2),
            converged: r.converged,
            solutions: r
                .solutions
                .into_iter()
                .map(|s| scale::back(s, c2))
                .collect(),
        };
    }
    // A posterior too sharp for the finite-β quadrature: the β = ∞ expressions (issue 13).
    if let Some(r) = frozen::report(model, opts) {
        return r;
    }
    let mut found: Vec<RsSolution> = Vec::new();
    // The sign channel's perfect-generalization states (frozen, m = rρ): from their limit.
    let perfect = perfect::states(model);
    let cut =
        model.channel.ridge_in_prior() && model.student.levels().is_some() && !collapses(model);
    for (i, s) in starts(model).into_iter().enumerate() {
        // The intermediate start only matters when the uninformed and informed starts disagree.
        if i == 2 && found.len() == 1 && found[0].status.is_converged() {
            break;
        }
        let known: Vec<[f64; 3]> = found
            .iter()
            .filter(|f| f.status.is_converged())
            .map(|f| f.state(collapses(model)))
            .collect();
        let mut merge = merge_watch(&known, MERGE_RADIUS);
        let mut checked = None;
        let out = iterate_watched_from(
            model,
            s,
            opts,
            |x, res| {
                merge(x, res)
                    || (!perfect.is_empty() && perfect::near(model, x, PERFECT_BASIN))
                    || (cut && x[2] > 0.0 && 1.0 - x[1] / x[2] < FROZEN_RS_GAP)
            },
            &mut checked,
        );
        if out.stopped {
            // The same fixed point as an earlier start.
            continue;
        }
        // Report the state the map returned (one more contraction step than `x`).
        let x = if out.status.is_converged() {
            out.gx.clone()
        } else {
            out.x.clone()
        };
        let Some(sol) = solution_from(
            model,
            &x,
            out.status,
            out.iterations,
            out.residual,
            opts.quad,
            checked,
        ) else {
            continue;
        };
        let dup = found.iter().any(|f| {
            f.status == sol.status
                && same_state(&[sol.m, sol.q, sol.big_q], &[f.m, f.q, f.big_q], SAME_STATE)
        });
        if !dup {
            found.push(sol);
        }
    }
    for p in perfect {
        found.push(p);
    }
    found.sort_by_key(|s| !s.status.is_converged());
    let score = |s: &RsSolution| -> f64 {
        if collapses(model) {
            -s.energy
        } else {
            s.free_entropy.unwrap_or(f64::NEG_INFINITY)
        }
    };
    let best = found
        .iter()
        .filter(|s| s.status.is_converged())
        .max_by(|a, b| score(a).total_cmp(&score(b)))
        .or_else(|| {
            found
                .iter()
                .min_by(|a, b| a.residual.total_cmp(&b.residual))
        })
        .cloned();
    match best {
        Some(eq) => RsReport {
            converged: eq.status.is_converged(),
            equilibrium: eq,
            solutions: found,
        },
        None => {
            let nan = RsSolution {
                m: f64::NAN,
                q: f64::NAN,
                big_q: f64::NAN,
                thermo: Thermo {
                    chi: f64::NAN,
                    gen_error: f64::NAN,
                    mse_posterior_mean: f64::NAN,
                    train_error: f64::NAN,
                    free_entropy: None,
                    energy: f64::NAN,
                    entropy: None,
                },
                at_eigenvalue: f64::NAN,
                rs_stable: false,
                entropy_violation: None,
                status: Status::Unphysical,
                iterations: 0,
                residual: f64::NAN,
            };
            RsReport {
                converged: false,
                equilibrium: nan,
                solutions: vec![],
            }
        }
    }
}
