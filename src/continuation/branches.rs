//! RS branches as curves: every RS fixed point along a parameter followed by pseudo-arclength
//! continuation ([`super::arclength`]) on `F = G − x` ([`super::rs::RsSystem`]), with the
//! spinodals located as folds (Moore–Spence), the unstable middle branches followed and
//! labelled, first-order transitions as free-entropy crossings between stable branches, and
//! every fixed point at one model ([`fixed_points`]) found from the standard starts and from
//! continuation in α through them.
//!
//! Labels (also the JSON keys):
//! - `stable`: the fixed point attracts the RS iteration — every eigenvalue of the map's
//!   Jacobian `∂G/∂x` lies inside the unit circle (`spectral_radius < 1`). On the Bayes-optimal
//!   line this is stability under AMP's state evolution. The branch between two spinodals has an
//!   eigenvalue above one: it is the unstable saddle separating the basins of the stable ones.
//! - `free_entropy_hessian` (finite β): the Hessian of the RS free entropy, which depends on
//!   the state only through `(Δ, E) = (Q − q, ρ − 2m + q + σ²)`
//!   ([`super::rs::free_entropy_hessian`]). A replica saddle point is not an extremum in general
//!   (the `n → 0` limit flips directions), so its signature alone does not decide stability.
//! - `nishimori_curvature`: on the Nishimori manifold (`m = q`, `Q = ρ`: every fixed point of a
//!   Bayes-optimal model), the second derivative of the free entropy along it,
//!   `d²Φ/dq² = (1, 1) H (1, 1)ᵀ`. Negative: a local maximum of the Bayes-optimal potential
//!   (thermodynamically stable, or metastable); positive: a local minimum (unstable). Null off
//!   the manifold and at β = ∞.
//! - `end` of a curve: why continuation stopped in that direction (`boundary`: the end of the
//!   parameter range; anything else marks where continuation failed, also listed in
//!   `failures`).

use super::arclength::{self, Curve, End, StepStatus};
use super::fold::FoldMethod;
use super::newton;
use super::rs::{free_entropy_hessian, nishimori_curvature, RsSystem};
use super::{map_spectral_radius, System};
use crate::error::Result;
use crate::model::{Model, Student};
use crate::optimize::brent_root;
use crate::rs::{solve, solve_from, RsReport, RsSolution, SolverOptions};
use nalgebra::DVector;
use serde::Serialize;

/// Settings of the branch finder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BranchOptions {
    /// The RS solver's settings (the standard starts, and the map's quadrature tolerance).
    pub solver: SolverOptions,
    /// Largest continuation step, as a fraction of the parameter range.
    pub h_max: f64,
    /// Budget of accepted continuation steps per direction.
    pub max_steps: usize,
}

impl Default for BranchOptions {
    fn default() -> Self {
        BranchOptions {
            solver: SolverOptions::default(),
            h_max: 0.04,
            max_steps: 2000,
        }
    }
}

/// One point of an RS curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// The parameter.
    pub p: f64,
    /// Overlap with the teacher.
    pub m: f64,
    /// Overlap between replicas.
    pub q: f64,
    /// Self-overlap (equal to `q` at β = ∞).
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// `β(Q − q)`, or the χ of β = ∞.
    pub chi: f64,
    /// Free entropy (null at β = ∞).
    pub free_entropy: Option<f64>,
    /// Energy per weight.
    pub energy: f64,
    /// Spectral radius of the RS map's Jacobian.
    pub spectral_radius: f64,
    /// `spectral_radius < 1`.
    pub stable: bool,
    /// Hessian of the free entropy in `(Δ, E)` (null at β = ∞).
    pub free_entropy_hessian: Option<[[f64; 2]; 2]>,
    /// `d²Φ/dq²` along the Nishimori manifold (null off it and at β = ∞).
    pub nishimori_curvature: Option<f64>,
    /// Replicon eigenvalue λ_AT.
    pub at_eigenvalue: f64,
    /// Whether this point is a fold (a spinodal), where a stable and an unstable branch meet.
    pub fold: bool,
}

/// A fold of an RS curve: a spinodal, where a stable branch meets an unstable one and both end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spinodal {
    /// The parameter at the fold.
    pub p: f64,
    /// State at the fold.
    pub m: f64,
    /// State at the fold.
    pub q: f64,
    /// State at the fold (at β = ∞, `r = 1/(1+χ)`).
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// The branches meeting here exist for `p` below the fold (`"below"`) or above (`"above"`).
    pub branches_exist: &'static str,
    /// How it was located.
    pub method: FoldMethod,
    /// Whether the refinement converged (false: an estimate only).
    pub converged: bool,
    /// `max |G(x) − x|` at the fold.
    pub residual: f64,
    /// Index of the curve in [`Diagram::curves`].
    pub curve: usize,
    /// The unit null vector of `F_x` at the fold (the direction in which the two branches
    /// separate).
    pub null_vector: Vec<f64>,
}

impl Spinodal {
    /// The fold in the continuation engine's form (e.g. to start a fold curve in a second
    /// parameter with [`super::fold::FoldCurve`]).
    pub fn as_fold(&self) -> super::fold::Fold {
        super::fold::Fold {
            x: vec![self.m, self.q, self.big_q],
            p: self.p,
            null_vector: self.null_vector.clone(),
            curvature: f64::NAN,
            method: self.method,
            converged: self.converged,
            residual: self.residual,
            after: 0,
        }
    }
}

/// A branch point flagged on a curve: `det [F_x F_p; tᵀ]` changed sign, i.e. an eigenvalue of
/// the map's Jacobian crossed one without a fold — another curve of fixed points crosses here
/// (e.g. leaving the Nishimori manifold). Located by linear interpolation; not followed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossingPoint {
    /// The parameter (interpolated).
    pub p: f64,
    /// The state (interpolated).
    pub m: f64,
    /// The state (interpolated).
    pub q: f64,
    /// The state (interpolated).
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// Index of the curve.
    pub curve: usize,
}

/// A maximal run of points of one curve with one stability label and no fold inside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// Index of the curve.
    pub curve: usize,
    /// Index range `[first, last]` of its points on the curve.
    pub points: (usize, usize),
    /// Parameter range covered `[lo, hi]`.
    pub p_range: (f64, f64),
    /// The label of its points.
    pub stable: bool,
}

/// How many continuation steps ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StepCounts {
    /// Accepted.
    pub converged: usize,
    /// Rejected and retried shorter.
    pub rejected: usize,
    /// Left the domain and retried shorter.
    pub left_domain: usize,
    /// Failed at the smallest step.
    pub failed: usize,
}

/// One RS solution curve, followed both ways from its seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsCurve {
    /// Points ordered along the curve.
    pub points: Vec<CurvePoint>,
    /// Why continuation stopped at the first point's end (travelling backwards from the seed).
    pub end_start: End,
    /// Why continuation stopped at the last point's end.
    pub end_finish: End,
    /// Step outcomes (both directions).
    pub steps: StepCounts,
    /// The sign channel's perfect-generalization state (`m = rρ`, frozen;
    /// [`crate::rs::perfect`]): reported from its limit at every grid value, not followed.
    pub perfect: bool,
}

/// A first-order transition: two stable branches with equal free entropy (at β = ∞: equal
/// energy), the equilibrium switching between them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstOrder {
    /// The parameter.
    pub p: f64,
    /// The common free entropy (or minus the energy at β = ∞).
    pub score: f64,
    /// The branch (index in [`Diagram::branches`]) that is the equilibrium below `p`.
    pub below: usize,
    /// The branch that is the equilibrium above `p`.
    pub above: usize,
    /// The overlap `m` on each, below-branch first.
    pub m: (f64, f64),
}

/// Where continuation stopped short of the parameter range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// Index of the curve.
    pub curve: usize,
    /// The parameter of the last point reached.
    pub p: f64,
    /// Why.
    pub end: End,
}

/// The RS branch structure along one parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagram {
    /// The parameter's name.
    pub param: String,
    /// Every solution curve found.
    pub curves: Vec<RsCurve>,
    /// The curves cut into stable and unstable branches.
    pub branches: Vec<Branch>,
    /// Every fold in the range, ascending in `p`.
    pub spinodals: Vec<Spinodal>,
    /// Branch points flagged on the curves (not followed), ascending in `p`.
    pub branch_points: Vec<CrossingPoint>,
    /// Free-entropy crossings of stable branches where the equilibrium switches, ascending.
    pub first_order: Vec<FirstOrder>,
    /// Curves whose continuation stopped inside the range.
    pub failures: Vec<Failure>,
}

fn zt(model: &Model) -> bool {
    crate::rs::collapses(model)
}

/// The observables and labels of a fixed point `x` of `model`.
fn curve_point(
    model: &Model,
    x: &[f64],
    p: f64,
    sys: &RsSystem,
    opts: &SolverOptions,
) -> Option<CurvePoint> {
    let sol = solve_from(model, [x[0], x[1], x[2]], &no_iteration(opts))?;
    let j = sys.jacobian(&DVector::from_column_slice(x), p)?;
    let rho = map_spectral_radius(&j);
    let hess = if zt(model) {
        None
    } else {
        free_entropy_hessian(model, x, opts.quad)
    };
    Some(CurvePoint {
        p,
        m: x[0],
        q: x[1],
        big_q: sol.big_q,
        chi: sol.chi,
        free_entropy: sol.free_entropy,
        energy: sol.energy,
        spectral_radius: rho,
        stable: rho < 1.0,
        free_entropy_hessian: hess.map(|h| [[h[(0, 0)], h[(0, 1)]], [h[(1, 0)], h[(1, 1)]]]),
        nishimori_curvature: hess.and_then(|h| nishimori_curvature(model, x, &h)),
        at_eigenvalue: sol.at_eigenvalue,
        fold: false,
    })
}

/// Solver options that evaluate a state without iterating away from it (an unstable fixed
/// point is a fixed point all the same): one map evaluation, converged when the residual is
/// within the Newton tolerance.
fn no_iteration(opts: &SolverOptions) -> SolverOptions {
    let mut o = *opts;
    o.fixed_point.max_iter = 1;
    o.fixed_point.tol = o.fixed_point.tol.max(1e-10);
    o
}

fn count(curve: &Curve, c: &mut StepCounts) {
    for s in &curve.steps {
        match s.status {
            StepStatus::Converged => c.converged += 1,
            StepStatus::Rejected => c.rejected += 1,
            StepStatus::LeftDomain => c.left_domain += 1,
            StepStatus::Failed => c.failed += 1,
        }
    }
}

fn continuation_options(lo: f64, hi: f64, opts: &BranchOptions) -> arclength::Options {
    let span = (hi - lo).abs().max(1e-12);
    arclength::Options {
        p_min: lo,
        p_max: hi,
        p_scale: span,
        h_init: 0.25 * opts.h_max,
        h_max: opts.h_max,
        h_min: 1e-10,
        max_steps: opts.max_steps,
        ..arclength::Options::default()
    }
}

/// A raw curve through a seed, both directions: its states in order along the curve (folds
/// inserted where they lie), its folds, branch points, ends and step counts.
struct Raw {
    states: Vec<(Vec<f64>, f64)>,
    is_fold: Vec<bool>,
    folds: Vec<super::fold::Fold>,
    bps: Vec<super::fold::BranchPoint>,
    ends: (End, End),
    steps: StepCounts,
}

fn follow_both(sys: &RsSystem, x0: &[f64], p0: f64, lo: f64, hi: f64, opts: &BranchOptions) -> Raw {
    let co = continuation_options(lo, hi, opts);
    let x = DVector::from_column_slice(x0);
    let down = arclength::follow(sys, &x, p0, -1.0, &co);
    let up = arclength::follow(sys, &x, p0, 1.0, &co);
    let mut steps = StepCounts::default();
    count(&down, &mut steps);
    count(&up, &mut steps);
    let mut states = Vec::new();
    let mut is_fold = Vec::new();
    let refined = |f: &super::fold::Fold| f.converged;
    // Backwards along `down` (a fold with `after = k` lies between its points k and k + 1).
    for k in (0..down.points.len()).rev() {
        if let Some(f) = down.folds.iter().find(|f| f.after == k && refined(f)) {
            states.push((f.x.clone(), f.p));
            is_fold.push(true);
        }
        states.push((down.points[k].x.clone(), down.points[k].p));
        is_fold.push(false);
    }
    for (k, pt) in up.points.iter().enumerate() {
        if k > 0 || states.is_empty() {
            states.push((pt.x.clone(), pt.p));
            is_fold.push(false);
        }
        if let Some(f) = up.folds.iter().find(|f| f.after == k && refined(f)) {
            states.push((f.x.clone(), f.p));
            is_fold.push(true);
        }
    }
    let mut folds = down.folds;
    folds.extend(up.folds);
    let mut bps = down.branch_points;
    bps.extend(up.branch_points);
    Raw {
        states,
        is_fold,
        folds,
        bps,
        ends: (down.end, up.end),
        steps,
    }
}

/// Whether the fixed point `x` of the model at `p` lies on the curve with states `states`: some
/// chord of the curve spans `p`, and Newton at `p` from the chord's interpolation lands on `x`.
fn on_curve(sys: &RsSystem, states: &[(Vec<f64>, f64)], x: &[f64], p: f64) -> bool {
    for w in states.windows(2) {
        let ((xa, pa), (xb, pb)) = (&w[0], &w[1]);
        let (lo, hi) = if pa <= pb { (*pa, *pb) } else { (*pb, *pa) };
        let slack = 1e-12 * (1.0 + p.abs());
        if p < lo - slack || p > hi + slack {
            continue;
        }
        let t = if pb != pa { (p - pa) / (pb - pa) } else { 0.0 };
        let guess: Vec<f64> = xa.iter().zip(xb).map(|(a, b)| a + t * (b - a)).collect();
        let far = guess.iter().zip(x).any(|(g, v)| (g - v).abs() > 0.05);
        if far {
            continue;
        }
        let out = newton::solve_at(
            sys,
            &DVector::from_vec(guess),
            p,
            &newton::Options::default(),
        );
        if out.status.is_converged() && out.z.iter().zip(x).all(|(a, b)| (a - b).abs() < 1e-6) {
            return true;
        }
    }
    false
}

/// Every crossing of `p = target` along the curve, solved exactly at `target` by Newton.
fn crossings_at(sys: &RsSystem, states: &[(Vec<f64>, f64)], target: f64) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::new();
    for (i, w) in states.windows(2).enumerate() {
        let ((xa, pa), (xb, pb)) = (&w[0], &w[1]);
        let hit = (pa - target) * (pb - target) < 0.0 || (*pb == target && i + 2 == states.len());
        let hit = hit || *pa == target;
        if !hit {
            continue;
        }
        let t = if pb != pa {
            (target - pa) / (pb - pa)
        } else {
            0.0
        };
        let guess: Vec<f64> = xa.iter().zip(xb).map(|(a, b)| a + t * (b - a)).collect();
        let r = newton::solve_at(
            sys,
            &DVector::from_vec(guess),
            target,
            &newton::Options::default(),
        );
        if r.status.is_converged() {
            let x: Vec<f64> = r.z.iter().copied().collect();
            if !out.iter().any(|y| same_state(y, &x)) {
                out.push(x);
            }
        }
    }
    out
}

fn same_state(a: &[f64], b: &[f64]) -> bool {
    a.iter()
        .zip(b)
        .all(|(u, v)| (u - v).abs() < 1e-7 * (1.0 + u.abs()))
}

/// Follows every RS branch through the range of `params` (sorted here): curves are seeded
/// from the fixed points the standard RS solver finds at each grid value (a seed already on a
/// known curve starts nothing new), each followed both ways by pseudo-arclength continuation;
/// folds are refined on the extended system.
pub fn diagram(
    make: &dyn Fn(f64) -> Result<Model>,
    param: &str,
    params: &[f64],
    opts: &BranchOptions,
) -> Result<Diagram> {
    let mut params = params.to_vec();
    params.retain(|p| p.is_finite());
    params.sort_by(f64::total_cmp);
    params.dedup();
    let mut d = Diagram {
        param: param.to_string(),
        curves: vec![],
        branches: vec![],
        spinodals: vec![],
        branch_points: vec![],
        first_order: vec![],
        failures: vec![],
    };
    // A single value has no branch structure to follow.
    if params.len() < 2 {
        return Ok(d);
    }
    let (lo, hi) = (params[0], params[params.len() - 1]);
    let sys = RsSystem::new(make, opts.solver.quad);
    let mut raws: Vec<Raw> = Vec::new();
    for &p in &params {
        crate::parallel::check_interrupted()?;
        crate::parallel::tick();
        let model = make(p)?;
        if zt(&model) && matches!(model.student, Student::Continuous) {
            continue;
        }
        for s in solve(&model, &opts.solver).solutions {
            if !s.status.is_converged() {
                continue;
            }
            let x = s.state(zt(&model));
            if is_perfect(&model, &x) || raws.iter().any(|r| on_curve(&sys, &r.states, &x, p)) {
                continue;
            }
            raws.push(follow_both(&sys, &x, p, lo, hi, opts));
        }
    }
    for (ci, raw) in raws.iter().enumerate() {
        let mut pts = Vec::with_capacity(raw.states.len());
        for ((x, p), &fold) in raw.states.iter().zip(&raw.is_fold) {
            let model = make(*p)?;
            if let Some(mut cp) = curve_point(&model, x, *p, &sys, &opts.solver) {
                cp.fold = fold;
                pts.push(cp);
            }
        }
        for f in &raw.folds {
            if f.p < lo || f.p > hi {
                continue;
            }
            d.spinodals.push(Spinodal {
                p: f.p,
                m: f.x[0],
                q: f.x[1],
                big_q: f.x[2],
                branches_exist: if f.curvature < 0.0 { "below" } else { "above" },
                method: f.method,
                converged: f.converged,
                residual: f.residual,
                curve: ci,
                null_vector: f.null_vector.clone(),
            });
        }
        for b in raw.bps.iter().filter(|b| b.p >= lo && b.p <= hi) {
            d.branch_points.push(CrossingPoint {
                p: b.p,
                m: b.x[0],
                q: b.x[1],
                big_q: b.x[2],
                curve: ci,
            });
        }
        for (end, pt) in [(raw.ends.0, pts.first()), (raw.ends.1, pts.last())] {
            if !matches!(end, End::Boundary | End::Closed) {
                d.failures.push(Failure {
                    curve: ci,
                    p: pt.map_or(f64::NAN, |c| c.p),
                    end,
                });
            }
        }
        d.curves.push(RsCurve {
            points: pts,
            end_start: raw.ends.0,
            end_finish: raw.ends.1,
            steps: raw.steps,
            perfect: false,
        });
    }
    d.curves.extend(perfect_curves(make, &params)?);
    d.spinodals.sort_by(|a, b| a.p.total_cmp(&b.p));
    d.branch_points.sort_by(|a, b| a.p.total_cmp(&b.p));
    d.branches = cut_branches(&d.curves);
    d.first_order = first_order(make, &sys, &d, opts)?;
    Ok(d)
}

/// Cuts every curve at its folds (where `p` turns back; a fold point ends one branch and starts
/// the next) and where the stability label changes.
fn cut_branches(curves: &[RsCurve]) -> Vec<Branch> {
    let mut out = Vec::new();
    for (ci, c) in curves.iter().enumerate() {
        let pts = &c.points;
        if pts.is_empty() {
            continue;
        }
        let first = (0..pts.len()).find(|&i| !pts[i].fold).unwrap_or(0);
        let label = |k: usize| pts[k].stable;
        let push = |out: &mut Vec<Branch>, a: usize, b: usize, stable: bool| {
            let (pa, pb) = (pts[a].p, pts[b].p);
            out.push(Branch {
                curve: ci,
                points: (a, b),
                p_range: (pa.min(pb), pa.max(pb)),
                stable,
            });
        };
        let mut start = 0;
        let mut stable = label(first);
        let mut dir = 0.0;
        for i in 1..pts.len() {
            if pts[i].fold {
                // Ends this branch here; the next starts here with the label that follows.
                push(&mut out, start, i, stable);
                start = i;
                dir = 0.0;
                if let Some(k) = (i + 1..pts.len()).find(|&k| !pts[k].fold) {
                    stable = label(k);
                }
                continue;
            }
            let d = (pts[i].p - pts[i - 1].p).signum();
            let turn = dir != 0.0 && d != dir;
            if pts[i].stable != stable || turn {
                if i - 1 > start || !pts[start].fold {
                    push(&mut out, start, i - 1, stable);
                }
                start = i;
                stable = pts[i].stable;
                dir = 0.0;
            } else {
                dir = d;
            }
        }
        if start < pts.len() - 1 || !pts[start].fold {
            push(&mut out, start, pts.len() - 1, stable);
        }
    }
    out
}

/// Whether `x` is a perfect-generalization state of `model` ([`crate::rs::perfect`]).
fn is_perfect(model: &Model, x: &[f64]) -> bool {
    crate::rs::perfect::at_start(model, [x[0], x[1], x[2]]).is_some()
}

/// The curve point of a perfect state at `p`: frozen, so the map's Jacobian vanishes there
/// (spectral radius 0) and it is stable.
fn perfect_point(p: f64, s: &RsSolution) -> CurvePoint {
    CurvePoint {
        p,
        m: s.m,
        q: s.q,
        big_q: s.big_q,
        chi: s.chi,
        free_entropy: s.free_entropy,
        energy: s.energy,
        spectral_radius: 0.0,
        stable: true,
        free_entropy_hessian: None,
        nishimori_curvature: None,
        at_eigenvalue: s.at_eigenvalue,
        fold: false,
    }
}

/// The perfect-state curves over `params` (one per scaling `r`, in increasing `r`; empty when
/// the model has none).
fn perfect_curves(make: &dyn Fn(f64) -> Result<Model>, params: &[f64]) -> Result<Vec<RsCurve>> {
    let mut curves: Vec<RsCurve> = Vec::new();
    for &p in params {
        for (k, s) in crate::rs::perfect::states(&make(p)?).iter().enumerate() {
            if curves.len() <= k {
                curves.push(RsCurve {
                    points: vec![],
                    end_start: End::Boundary,
                    end_finish: End::Boundary,
                    steps: StepCounts::default(),
                    perfect: true,
                });
            }
            curves[k].points.push(perfect_point(p, s));
        }
    }
    Ok(curves)
}

/// The state of branch `b` at `p`, solved exactly by Newton from the interpolation of its points
/// (a perfect state from its limit).
fn branch_state(
    make: &dyn Fn(f64) -> Result<Model>,
    sys: &RsSystem,
    curves: &[RsCurve],
    b: &Branch,
    p: f64,
) -> Option<Vec<f64>> {
    let pts = &curves[b.curve].points[b.points.0..=b.points.1];
    if curves[b.curve].perfect {
        let m0 = pts.first()?.m;
        let s = crate::rs::perfect::states(&make(p).ok()?)
            .into_iter()
            .min_by(|u, v| (u.m - m0).abs().total_cmp(&(v.m - m0).abs()))?;
        return Some(vec![s.m, s.q, s.big_q]);
    }
    let state = |c: &CurvePoint, zt: bool| -> Vec<f64> {
        if zt {
            let r = if c.chi.is_finite() {
                1.0 / (1.0 + c.chi)
            } else {
                0.0
            };
            vec![c.m, c.q, r]
        } else {
            vec![c.m, c.q, c.big_q]
        }
    };
    let zt = pts[0].free_entropy.is_none();
    let k = pts
        .windows(2)
        .position(|w| (w[0].p - p) * (w[1].p - p) <= 0.0)?;
    let (a, c) = (&pts[k], &pts[k + 1]);
    let t = if c.p != a.p {
        (p - a.p) / (c.p - a.p)
    } else {
        0.0
    };
    let (xa, xc) = (state(a, zt), state(c, zt));
    let guess: Vec<f64> = xa.iter().zip(&xc).map(|(u, v)| u + t * (v - u)).collect();
    let r = newton::solve_at(
        sys,
        &DVector::from_vec(guess),
        p,
        &newton::Options::default(),
    );
    r.status
        .is_converged()
        .then(|| r.z.iter().copied().collect())
}

/// Free-entropy crossings between stable branches where the equilibrium switches: for every
/// pair of stable branches, the score difference is sampled over their common range (ends and
/// every point of either), each sign change refined by Brent on states solved exactly by
/// Newton, and kept if no third stable branch scores higher there.
fn first_order(
    make: &dyn Fn(f64) -> Result<Model>,
    sys: &RsSystem,
    d: &Diagram,
    opts: &BranchOptions,
) -> Result<Vec<FirstOrder>> {
    let stable: Vec<usize> = (0..d.branches.len())
        .filter(|&i| d.branches[i].stable)
        .collect();
    // The score of branch i at p, solved exactly, with its m.
    let score_at = |i: usize, p: f64| -> Option<(f64, f64)> {
        let b = &d.branches[i];
        let x = branch_state(make, sys, &d.curves, b, p)?;
        let model = make(p).ok()?;
        let sol = solve_from(&model, [x[0], x[1], x[2]], &no_iteration(&opts.solver))?;
        Some((sol.free_entropy.unwrap_or(-sol.energy), x[0]))
    };
    let mut out: Vec<FirstOrder> = Vec::new();
    for (a, &i) in stable.iter().enumerate() {
        for &j in &stable[a + 1..] {
            let (bi, bj) = (&d.branches[i], &d.branches[j]);
            let lo = bi.p_range.0.max(bj.p_range.0);
            let hi = bi.p_range.1.min(bj.p_range.1);
            // Stay off the ends: at a fold the Newton solve at fixed p is singular.
            let pad = 1e-9 * (1.0 + lo.abs().max(hi.abs()));
            let (lo, hi) = (lo + pad, hi - pad);
            if hi <= lo {
                continue;
            }
            let mut ps: Vec<f64> = vec![lo, hi];
            for b in [bi, bj] {
                ps.extend(
                    d.curves[b.curve].points[b.points.0..=b.points.1]
                        .iter()
                        .map(|c| c.p)
                        .filter(|&p| p > lo && p < hi),
                );
            }
            ps.extend((1..8).map(|k| lo + (hi - lo) * k as f64 / 8.0));
            ps.sort_by(f64::total_cmp);
            ps.dedup();
            let diff = |p: f64| match (score_at(i, p), score_at(j, p)) {
                // The same state reached from two branches is no crossing.
                (Some(u), Some(v)) if (u.1 - v.1).abs() > 1e-9 => u.0 - v.0,
                _ => f64::NAN,
            };
            let vals: Vec<f64> = ps.iter().map(|&p| diff(p)).collect();
            for k in 0..ps.len() - 1 {
                let (da, db) = (vals[k], vals[k + 1]);
                if !(da.is_finite() && db.is_finite() && da * db <= 0.0 && da != db) {
                    continue;
                }
                let p = brent_root(diff, ps[k], ps[k + 1], 1e-13 * (1.0 + ps[k + 1].abs()))?;
                let (Some(u), Some(v)) = (score_at(i, p), score_at(j, p)) else {
                    continue;
                };
                // The equilibrium switches only if no third stable branch is above both.
                let top = u.0.max(v.0);
                let beaten = stable.iter().filter(|&&k| k != i && k != j).any(|&k| {
                    score_at(k, p).is_some_and(|w| w.0 > top + 1e-12 * (1.0 + top.abs()))
                });
                if beaten {
                    continue;
                }
                let (below, above, m) = if da > 0.0 {
                    (i, j, (u.1, v.1))
                } else {
                    (j, i, (v.1, u.1))
                };
                out.push(FirstOrder {
                    p,
                    score: u.0,
                    below,
                    above,
                    m,
                });
            }
        }
    }
    out.sort_by(|a, b| a.p.total_cmp(&b.p));
    Ok(out)
}

/// One RS fixed point of a model, with its labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedPoint {
    /// The solution and its observables (as in `rs --json`).
    #[serde(flatten)]
    pub solution: RsSolution,
    /// Spectral radius of the RS map's Jacobian (null where it cannot be evaluated, e.g. the
    /// continuous student at β = ∞, solved in closed form).
    pub spectral_radius: Option<f64>,
    /// `spectral_radius < 1`: the fixed point attracts the RS iteration (null when unknown).
    pub stable: Option<bool>,
    /// Hessian of the free entropy in `(Δ, E)` (null at β = ∞).
    pub free_entropy_hessian: Option<[[f64; 2]; 2]>,
    /// `d²Φ/dq²` along the Nishimori manifold (null off it and at β = ∞).
    pub nishimori_curvature: Option<f64>,
    /// `"iteration"` (found by the standard starts) or `"continuation"` (found by following a
    /// branch in α through the model's α).
    pub found_by: &'static str,
}

/// The JSON of `rs --json`: the equilibrium's keys at top level, plus every fixed point.
#[derive(Debug, Serialize)]
pub struct RsJson<'a> {
    /// The equilibrium.
    #[serde(flatten)]
    pub equilibrium: &'a RsSolution,
    /// Whether the equilibrium converged.
    pub converged: bool,
    /// Every distinct fixed point the standard starts converged to.
    pub solutions: &'a [RsSolution],
    /// The levels used (null for a continuous student).
    pub levels: Option<&'a [f64]>,
    /// Every fixed point found by the starts and by continuation in α, labelled (stable:
    /// attracts the RS iteration; see docs/continuation.md).
    pub fixed_points: &'a [FixedPoint],
    /// Where that continuation stopped short of [α/8, 8α].
    pub continuation_failures: &'a [Failure],
}

impl<'a> RsJson<'a> {
    /// Wraps a report and the labelled fixed points.
    pub fn new(
        report: &'a RsReport,
        levels: Option<&'a [f64]>,
        fixed_points: &'a [FixedPoint],
        continuation_failures: &'a [Failure],
    ) -> Self {
        RsJson {
            equilibrium: &report.equilibrium,
            converged: report.converged,
            solutions: &report.solutions,
            levels,
            fixed_points,
            continuation_failures,
        }
    }
}

/// Every fixed point of one model, and the equilibrium among them.
#[derive(Debug, Clone, PartialEq)]
pub struct AllFixedPoints {
    /// The standard solver's report, its `equilibrium` chosen among every stable fixed point
    /// found (largest free entropy; lowest energy at β = ∞).
    pub report: RsReport,
    /// Every fixed point found: stable ones first, then by free entropy (energy at β = ∞).
    pub fixed_points: Vec<FixedPoint>,
    /// Where the continuation in α stopped short of `[α/8, 8α]` (α of the last point reached).
    pub failures: Vec<Failure>,
}

fn labelled(sol: RsSolution, cp: Option<&CurvePoint>, found_by: &'static str) -> FixedPoint {
    FixedPoint {
        solution: sol,
        spectral_radius: cp.map(|c| c.spectral_radius),
        stable: cp.map(|c| c.stable),
        free_entropy_hessian: cp.and_then(|c| c.free_entropy_hessian),
        nishimori_curvature: cp.and_then(|c| c.nishimori_curvature),
        found_by,
    }
}

/// Every RS fixed point of `model` that the standard starts and continuation in α find: each
/// fixed point from the starts is followed in `ln α` over `[α/8, 8α]` both ways, and every
/// crossing of the model's α is solved by Newton. The equilibrium is the stable fixed point of
/// largest free entropy (lowest energy at β = ∞); the standard solver's choice when no fixed
/// point could be labelled.
pub fn fixed_points(model: &Model, opts: &BranchOptions) -> AllFixedPoints {
    // Levels too wide for absolute tolerances are solved in rescaled units (crate::rs::scale):
    // order parameters scale by c², second derivatives in them by 1/c⁴.
    if let Some((m, c2)) = crate::rs::scale::rescaled(model) {
        let mut all = fixed_points(&m, opts);
        for f in &mut all.fixed_points {
            f.solution = crate::rs::scale::back(f.solution.clone(), c2);
            if let Some(h) = &mut f.free_entropy_hessian {
                h.iter_mut().flatten().for_each(|x| *x /= c2 * c2);
            }
            if let Some(k) = &mut f.nishimori_curvature {
                *k /= c2 * c2;
            }
        }
        let r = all.report;
        all.report = RsReport {
            equilibrium: crate::rs::scale::back(r.equilibrium, c2),
            converged: r.converged,
            solutions: r
                .solutions
                .into_iter()
                .map(|s| crate::rs::scale::back(s, c2))
                .collect(),
        };
        return all;
    }
    let z = zt(model);
    let mut report = solve(model, &opts.solver);
    // A frozen finite-β model is solved by the β = ∞ expressions (crate::rs::frozen): its fixed
    // points are those of β = ∞, labelled there.
    if !z {
        if let Some(g) = crate::rs::frozen::ground(model)
            .filter(|_| report.equilibrium.free_entropy.is_none() && report.converged)
        {
            let mut all = fixed_points(&g, opts);
            all.fixed_points
                .retain_mut(|f| match crate::rs::frozen::convert(model, &f.solution) {
                    Some(s) => {
                        f.solution = s;
                        true
                    }
                    None => false,
                });
            all.report = report;
            return all;
        }
    }
    if z && matches!(model.student, Student::Continuous) {
        let fixed_points = report
            .solutions
            .iter()
            .map(|s| labelled(s.clone(), None, "iteration"))
            .collect();
        return AllFixedPoints {
            report,
            fixed_points,
            failures: vec![],
        };
    }
    let base = model.clone();
    let make = move |t: f64| -> Result<Model> {
        Model::with_channel(
            t.exp(),
            base.channel.clone(),
            base.beta,
            base.ridge,
            base.student.clone(),
            base.teacher.clone(),
        )
    };
    let t0 = model.alpha.ln();
    let range = 8f64.ln();
    let sys = RsSystem::new(make, opts.solver.quad);
    let mut states: Vec<(Vec<f64>, &'static str)> = Vec::new();
    let mut raws: Vec<Raw> = Vec::new();
    let mut failures = Vec::new();
    let seeds: Vec<Vec<f64>> = report
        .solutions
        .iter()
        .filter(|s| s.status.is_converged())
        .map(|s| s.state(z).to_vec())
        .collect();
    for x in &seeds {
        if !states.iter().any(|(y, _)| same_state(y, x)) {
            states.push((x.clone(), "iteration"));
        }
    }
    for x in seeds {
        if is_perfect(model, &x) || raws.iter().any(|r| on_curve(&sys, &r.states, &x, t0)) {
            continue;
        }
        let raw = follow_both(&sys, &x, t0, t0 - range, t0 + range, opts);
        for y in crossings_at(&sys, &raw.states, t0) {
            if !states.iter().any(|(v, _)| same_state(v, &y)) {
                states.push((y, "continuation"));
            }
        }
        for (end, st) in [
            (raw.ends.0, raw.states.first()),
            (raw.ends.1, raw.states.last()),
        ] {
            if !matches!(end, End::Boundary | End::Closed) {
                failures.push(Failure {
                    curve: raws.len(),
                    p: st.map_or(model.alpha, |s| s.1.exp()),
                    end,
                });
            }
        }
        raws.push(raw);
    }
    let mut out: Vec<FixedPoint> = Vec::new();
    for (x, by) in states {
        let Some(sol) = solve_from(model, [x[0], x[1], x[2]], &no_iteration(&opts.solver)) else {
            continue;
        };
        let cp = if is_perfect(model, &x) {
            Some(perfect_point(t0, &sol))
        } else {
            curve_point(model, &x, t0, &sys, &opts.solver)
        };
        out.push(labelled(sol, cp.as_ref(), by));
    }
    let key = |f: &FixedPoint| f.solution.free_entropy.unwrap_or(-f.solution.energy);
    out.sort_by(|a, b| {
        let (sa, sb) = (a.stable == Some(true), b.stable == Some(true));
        sb.cmp(&sa).then(key(b).total_cmp(&key(a)))
    });
    if let Some(best) = out
        .iter()
        .find(|f| f.stable == Some(true) && f.solution.status.is_converged())
    {
        // Keep the standard solver's record (its iteration count) when it is the same point.
        let eq = &report.equilibrium;
        let same = report.converged
            && same_state(
                &[eq.m, eq.q, eq.big_q],
                &[best.solution.m, best.solution.q, best.solution.big_q],
            );
        if !same {
            report.equilibrium = best.solution.clone();
            report.converged = true;
        }
    }
    AllFixedPoints {
        report,
        fixed_points: out,
        failures,
    }
}
