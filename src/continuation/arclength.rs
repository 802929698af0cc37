//! Pseudo-arclength continuation (Keller): a solution curve of `F(x, p) = 0` followed as a
//! curve `u(s) = (x(s), p(s))` parametrized by arclength, so that it passes through limit
//! points (folds), where continuation in `p` alone must fail.
//!
//! Each step predicts along the unit tangent, `u* = u_k + h t_k`, and corrects by Newton on
//! `F(u) = 0`, `t_k · (u − u*) = 0`, whose Jacobian `[F_x F_p; t_kᵀ]` stays regular at folds. The
//! new tangent solves `[F_x F_p; t_kᵀ] t = e_{n+1}` (normalized), which keeps its orientation
//! (`t_{k+1} · t_k > 0`). A step is rejected and retried with half the step length when the
//! corrector does not converge within its budget, leaves the domain, or the tangent turns by
//! more than the allowed angle (which keeps the corrector from jumping to a neighbouring
//! branch). Along the curve two test functions are monitored (as in MATCONT):
//! `ψ_fold = t_p` (the parameter component of the tangent) changes sign at a fold, and
//! `ψ_bp = det [F_x F_p; tᵀ]` changes sign at a simple branch point. Folds are refined on the
//! Moore–Spence system (`fold::refine`); branch points are flagged.
//!
//! The metric is Euclidean in `(x, p / p_scale)`: set `p_scale` to the parameter's natural
//! size when it differs much from that of `x`.

use super::fold::{self, BranchPoint, Fold};
use super::newton::{self, NewtonStatus};
use super::{Jacobian, System};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Options of [`follow`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// First step length (in the scaled metric).
    pub h_init: f64,
    /// Smallest step length: a step that fails at this length ends the curve.
    pub h_min: f64,
    /// Largest step length.
    pub h_max: f64,
    /// Maximum number of accepted steps.
    pub max_steps: usize,
    /// The curve ends where `p` leaves `[p_min, p_max]` (the last point lies on the bound).
    pub p_min: f64,
    /// See `p_min`.
    pub p_max: f64,
    /// Size of the parameter in the arclength metric `(x, p / p_scale)`.
    pub p_scale: f64,
    /// The corrector's Newton options (a small iteration budget: a slow corrector means the
    /// step was too long).
    pub corrector: newton::Options,
    /// Smallest cosine allowed between consecutive tangents.
    pub min_cos: f64,
    /// Refine every fold on the Moore–Spence system.
    pub refine_folds: bool,
    /// Newton options of the fold refinement.
    pub fold: newton::Options,
    /// Chord corrector: every corrector iteration reuses the Jacobian of the last accepted
    /// point (one evaluation of `F` per iteration instead of `F` and its Jacobian; the
    /// convergence is linear, at a rate that shrinks with the step length). The tangents and
    /// the fold and branch-point tests still use the Jacobian at each accepted point. For
    /// systems whose Jacobian costs many evaluations of `F` (finite differences).
    pub chord: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            h_init: 1e-2,
            h_min: 1e-9,
            h_max: 0.1,
            max_steps: 10_000,
            p_min: f64::NEG_INFINITY,
            p_max: f64::INFINITY,
            p_scale: 1.0,
            corrector: newton::Options {
                tol: 1e-11,
                step_tol: 1e-9,
                max_iter: 8,
                line_search: false,
            },
            min_cos: 0.97,
            refine_folds: true,
            fold: newton::Options {
                tol: 1e-11,
                step_tol: 1e-10,
                max_iter: 25,
                line_search: false,
            },
            chord: false,
        }
    }
}

/// How one continuation step (one attempt) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// The corrector converged and the step was accepted.
    Converged,
    /// The corrector did not converge, or the tangent turned too far: retried shorter.
    Rejected,
    /// The predictor or corrector left the system's domain: retried shorter.
    LeftDomain,
    /// The step failed at the smallest step length: the curve ends here.
    Failed,
}

/// One attempted step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    /// How it ended.
    pub status: StepStatus,
    /// Its step length.
    pub h: f64,
    /// Newton iterations of its corrector.
    pub newton_iterations: usize,
    /// The corrector's final residual `max |F|`.
    pub residual: f64,
}

/// Why a curve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// It reached `p_min` or `p_max` (the last point lies on the bound).
    Boundary,
    /// The budget of accepted steps ran out.
    MaxSteps,
    /// It returned to its first point (a closed curve).
    Closed,
    /// It ran into the edge of the system's domain.
    LeftDomain,
    /// A step failed at the smallest step length (the corrector could not converge).
    Failed,
    /// The start could not be solved.
    StartFailed,
}

/// A point of the curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// The solution `x`.
    pub x: Vec<f64>,
    /// The parameter.
    pub p: f64,
    /// Arclength from the first point (scaled metric).
    pub s: f64,
    /// Unit tangent `(dx/ds, d(p/p_scale)/ds)`, oriented along the direction of travel.
    pub tangent: Vec<f64>,
    /// `max |F(x, p)|`.
    pub residual: f64,
    /// `det F_x`.
    pub det_fx: f64,
    /// The branch-point test function `det [F_x F_p; tᵀ]` (scaled metric).
    pub bp_test: f64,
    /// The system's stability verdict ([`System::stable`]).
    pub stable: Option<bool>,
}

impl Point {
    /// The fold test function `ψ_fold = t_p`.
    pub fn fold_test(&self) -> f64 {
        self.tangent[self.tangent.len() - 1]
    }
}

/// A followed curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// Accepted points, in order of travel.
    pub points: Vec<Point>,
    /// Every attempted step, in order.
    pub steps: Vec<Step>,
    /// Folds (limit points) found between consecutive points.
    pub folds: Vec<Fold>,
    /// Branch points flagged between consecutive points.
    pub branch_points: Vec<BranchPoint>,
    /// Why the curve ended.
    pub end: End,
}

/// The augmented Jacobian `[F_x F_p·p_scale]` (n × (n+1)).
fn augmented(j: &Jacobian, p_scale: f64) -> DMatrix<f64> {
    let n = j.fx.nrows();
    let mut a = DMatrix::zeros(n, n + 1);
    a.view_mut((0, 0), (n, n)).copy_from(&j.fx);
    a.set_column(n, &(&j.fp * p_scale));
    a
}

/// `[A; tᵀ]`.
fn bordered(a: &DMatrix<f64>, t: &DVector<f64>) -> DMatrix<f64> {
    let n = a.nrows();
    let mut m = DMatrix::zeros(n + 1, n + 1);
    m.view_mut((0, 0), (n, n + 1)).copy_from(a);
    m.set_row(n, &t.transpose());
    m
}

/// A unit null vector of the n × (n+1) matrix `a` (the right singular vector of its smallest
/// singular value).
pub(crate) fn null_vector(a: &DMatrix<f64>) -> Option<DVector<f64>> {
    let n = a.nrows();
    // Pad to square: the null space of [A; 0] is that of A.
    let mut sq = DMatrix::zeros(n + 1, n + 1);
    sq.view_mut((0, 0), (n, n + 1)).copy_from(a);
    let svd = sq.svd(false, true);
    let vt = svd.v_t?;
    let k = svd.singular_values.argmin().0;
    let v = vt.row(k).transpose();
    v.iter().all(|x| x.is_finite()).then_some(v)
}

/// The tangent at a point with augmented Jacobian `a`, oriented by the previous tangent.
fn next_tangent(a: &DMatrix<f64>, prev: &DVector<f64>) -> Option<DVector<f64>> {
    let n = a.nrows();
    let mut rhs = DVector::zeros(n + 1);
    rhs[n] = 1.0;
    let t = bordered(a, prev).lu().solve(&rhs)?;
    let norm = t.norm();
    (norm.is_finite() && norm > 0.0).then(|| t / norm)
}

fn stack(x: &DVector<f64>, p_tilde: f64) -> DVector<f64> {
    let n = x.len();
    let mut u = DVector::zeros(n + 1);
    u.rows_mut(0, n).copy_from(x);
    u[n] = p_tilde;
    u
}

/// Everything known about an accepted point, in solver form.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub u: DVector<f64>,
    pub t: DVector<f64>,
    pub jac: Jacobian,
    pub residual: f64,
}

/// Corrects the prediction `u_pred` with tangent `t` (Newton on the pseudo-arclength system).
pub(crate) fn correct<S: System + ?Sized>(
    sys: &S,
    u_pred: &DVector<f64>,
    t: &DVector<f64>,
    p_scale: f64,
    opts: &newton::Options,
) -> newton::Outcome {
    let n = sys.dim();
    newton::solve(
        |u| {
            let x = u.rows(0, n).into_owned();
            let (f, j) = sys.residual_and_jacobian(&x, u[n] * p_scale)?;
            let mut g = DVector::zeros(n + 1);
            g.rows_mut(0, n).copy_from(&f);
            g[n] = t.dot(&(u - u_pred));
            Some((g, bordered(&augmented(&j, p_scale), t)))
        },
        u_pred,
        opts,
    )
}

/// [`correct`] with the chord method: every iteration uses `jac` (the Jacobian at the last
/// accepted point) and evaluates only `F`.
fn correct_chord<S: System + ?Sized>(
    sys: &S,
    u_pred: &DVector<f64>,
    t: &DVector<f64>,
    jac: &Jacobian,
    p_scale: f64,
    opts: &newton::Options,
) -> newton::Outcome {
    let n = sys.dim();
    let m = bordered(&augmented(jac, p_scale), t);
    newton::solve(
        |u| {
            let x = u.rows(0, n).into_owned();
            let f = sys.residual(&x, u[n] * p_scale)?;
            let mut g = DVector::zeros(n + 1);
            g.rows_mut(0, n).copy_from(&f);
            g[n] = t.dot(&(u - u_pred));
            Some((g, m.clone()))
        },
        u_pred,
        opts,
    )
}

/// The accepted point in output form.
fn point<S: System + ?Sized>(sys: &S, st: &State, s: f64, p_scale: f64) -> Point {
    let n = sys.dim();
    let x = st.u.rows(0, n).into_owned();
    let p = st.u[n] * p_scale;
    let m = bordered(&augmented(&st.jac, p_scale), &st.t);
    Point {
        x: x.iter().copied().collect(),
        p,
        s,
        tangent: st.t.iter().copied().collect(),
        residual: st.residual,
        det_fx: st.jac.fx.determinant(),
        bp_test: m.determinant(),
        stable: sys.stable(&x, p, &st.jac),
    }
}

/// Follows the solution curve of `sys` through `(x0, p0)` (corrected first by Newton at fixed
/// `p0`), leaving in the direction of increasing `p` when `direction > 0`, decreasing when
/// `direction < 0`.
pub fn follow<S: System + ?Sized>(
    sys: &S,
    x0: &DVector<f64>,
    p0: f64,
    direction: f64,
    opts: &Options,
) -> Curve {
    let n = sys.dim();
    let ps = opts.p_scale;
    let mut curve = Curve {
        points: vec![],
        steps: vec![],
        folds: vec![],
        branch_points: vec![],
        end: End::StartFailed,
    };
    let start = newton::solve_at(sys, x0, p0, &newton::Options::default());
    let jac = if start.status.is_converged() {
        sys.jacobian(&start.z, p0)
    } else {
        None
    };
    curve.steps.push(Step {
        status: if jac.is_some() {
            StepStatus::Converged
        } else {
            StepStatus::Failed
        },
        h: 0.0,
        newton_iterations: start.iterations,
        residual: start.residual,
    });
    let Some(jac) = jac else {
        return curve;
    };
    let a = augmented(&jac, ps);
    let Some(mut t) = null_vector(&a) else {
        return curve;
    };
    // Orient: along the requested direction of p; at a fold start, along the largest x component.
    let sign = if t[n] != 0.0 {
        t[n].signum() * direction.signum()
    } else {
        t[t.iamax()].signum()
    };
    t *= sign;
    let mut cur = State {
        u: stack(&start.z, p0 / ps),
        t,
        jac,
        residual: start.residual,
    };
    let mut s = 0.0;
    let mut first = point(sys, &cur, s, ps);
    first.p = p0;
    curve.points.push(first);
    let mut h = opts.h_init.clamp(opts.h_min, opts.h_max);
    while curve.points.len() <= opts.max_steps {
        let u_pred = &cur.u + h * &cur.t;
        let out = if opts.chord {
            correct_chord(sys, &u_pred, &cur.t, &cur.jac, ps, &opts.corrector)
        } else {
            correct(sys, &u_pred, &cur.t, ps, &opts.corrector)
        };
        let mut status = match out.status {
            NewtonStatus::Converged => StepStatus::Converged,
            NewtonStatus::LeftDomain => StepStatus::LeftDomain,
            _ => StepStatus::Rejected,
        };
        let mut next = None;
        if status == StepStatus::Converged {
            let x = out.z.rows(0, n).into_owned();
            let p = out.z[n] * ps;
            match sys.jacobian(&x, p) {
                None => status = StepStatus::LeftDomain,
                Some(j) => match next_tangent(&augmented(&j, ps), &cur.t) {
                    Some(tn)
                        if tn.dot(&cur.t) >= opts.min_cos
                            && (h <= 4.0 * opts.h_min
                                || !hidden_folds(&cur.u, &cur.t, &out.z, &tn)) =>
                    {
                        next = Some(State {
                            u: out.z.clone(),
                            t: tn,
                            jac: j,
                            residual: out.residual,
                        });
                    }
                    _ => status = StepStatus::Rejected,
                },
            }
        }
        let Some(nx) = next else {
            if h <= opts.h_min {
                curve.steps.push(Step {
                    status: StepStatus::Failed,
                    h,
                    newton_iterations: out.iterations,
                    residual: out.residual,
                });
                curve.end = if status == StepStatus::LeftDomain {
                    End::LeftDomain
                } else {
                    End::Failed
                };
                return curve;
            }
            curve.steps.push(Step {
                status,
                h,
                newton_iterations: out.iterations,
                residual: out.residual,
            });
            h = (0.5 * h).max(opts.h_min);
            continue;
        };
        curve.steps.push(Step {
            status,
            h,
            newton_iterations: out.iterations,
            residual: out.residual,
        });
        let p_new = nx.u[n] * ps;
        if p_new < opts.p_min || p_new > opts.p_max {
            // End exactly on the bound, solved at fixed p from the chord's interpolation.
            let bound = if p_new < opts.p_min {
                opts.p_min
            } else {
                opts.p_max
            };
            let p_old = cur.u[n] * ps;
            let w = (bound - p_old) / (p_new - p_old);
            let guess = cur.u.rows(0, n) + w * (nx.u.rows(0, n) - cur.u.rows(0, n));
            let end = newton::solve_at(sys, &guess, bound, &newton::Options::default());
            let j = if end.status.is_converged() {
                sys.jacobian(&end.z, bound)
            } else {
                None
            };
            if let Some(j) = j {
                if let Some(tn) = next_tangent(&augmented(&j, ps), &cur.t) {
                    let st = State {
                        u: stack(&end.z, bound / ps),
                        t: tn,
                        jac: j,
                        residual: end.residual,
                    };
                    s += (&st.u - &cur.u).norm();
                    let mut pt = point(sys, &st, s, ps);
                    pt.p = bound;
                    detect(sys, &mut curve, &cur, &st, pt, opts);
                }
            }
            curve.end = End::Boundary;
            return curve;
        }
        s += (&nx.u - &cur.u).norm();
        let pt = point(sys, &nx, s, ps);
        detect(sys, &mut curve, &cur, &nx, pt, opts);
        // Closed curve: back at the first point, travelling the same way.
        let first = &curve.points[0];
        let u0 = stack(&DVector::from_column_slice(&first.x), first.p / ps);
        let t0 = DVector::from_column_slice(&first.tangent);
        if curve.points.len() > 3 && (&nx.u - &u0).norm() < 0.5 * h && nx.t.dot(&t0) > 0.0 {
            curve.end = End::Closed;
            return curve;
        }
        // The chord corrector converges linearly: it is allowed more iterations per step.
        let (fast, slow) = if opts.chord { (5, 10) } else { (3, 6) };
        if out.iterations <= fast {
            h = (1.5 * h).min(opts.h_max);
        } else if out.iterations >= slow {
            h = (0.7 * h).max(opts.h_min);
        }
        cur = nx;
    }
    curve.end = End::MaxSteps;
    curve
}

/// Whether the step from `(ua, ta)` to `(ub, tb)` hides two folds: `t_p` has the same sign at
/// both ends, but the cubic Hermite interpolant of `p` along the step (values and slopes
/// `t_p · |chord|` at both ends) turns twice inside it. Near a cusp the two folds of an
/// S-shaped curve can be closer than one step; such a step is retried shorter so that each
/// fold gets its own sign change of `t_p`.
fn hidden_folds(
    ua: &DVector<f64>,
    ta: &DVector<f64>,
    ub: &DVector<f64>,
    tb: &DVector<f64>,
) -> bool {
    let n = ua.len() - 1;
    let (pa, pb) = (ua[n], ub[n]);
    let len = (ub - ua).norm();
    let (da, db) = (len * ta[n], len * tb[n]);
    if da * db <= 0.0 {
        return false;
    }
    // p'(τ) = A τ² + B τ + C on τ ∈ (0, 1).
    let a = 6.0 * (pa - pb) + 3.0 * (da + db);
    let b = 6.0 * (pb - pa) - 4.0 * da - 2.0 * db;
    let c = da;
    let disc = b * b - 4.0 * a * c;
    if a == 0.0 || disc <= 0.0 {
        return false;
    }
    let r = disc.sqrt();
    let roots = [(-b - r) / (2.0 * a), (-b + r) / (2.0 * a)];
    roots.iter().all(|t| *t > 0.0 && *t < 1.0)
}

/// Appends the accepted point `pt` (state `b`, previous state `a`) and records a fold or a
/// branch point between them.
fn detect<S: System + ?Sized>(
    sys: &S,
    curve: &mut Curve,
    a: &State,
    b: &State,
    pt: Point,
    opts: &Options,
) {
    let prev = curve.points.last().expect("a previous point");
    let n = sys.dim();
    let index = curve.points.len() - 1;
    let bp = prev.bp_test * pt.bp_test < 0.0;
    let fold_change = a.t[n] * b.t[n] < 0.0;
    if bp {
        curve
            .branch_points
            .push(fold::flag_branch_point(prev, &pt, index));
    } else if fold_change {
        let f = if opts.refine_folds {
            fold::refine(sys, a, b, opts, index, &curve.folds)
        } else {
            fold::interpolate(sys, a, b, opts.p_scale, index)
        };
        curve.folds.push(f);
    }
    curve.points.push(pt);
}
