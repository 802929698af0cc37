//! An unresolved branch of the x scan followed past its last point as a curve in `(state, x)`.
//!
//! The scan of [`super::solve`] follows each branch of fixed points by warm starts in `x`; a
//! warm start cannot pass a fold in `x` (where the branch turns back), so a branch whose φ1
//! still decreases at the largest `x` where the scan found it (`Σ = −x² ∂φ1/∂x > 0` there) is
//! *unresolved*: it could hold a Parisi point (`Σ = 0`) beyond. Here such a branch is continued
//! by pseudo-arclength continuation ([`crate::continuation::arclength`]) of
//! `F(s; x) = G(s; x) − s` (`G` the 1RSB map, `s = (m, q0, q1, Q)`) with `x` as the parameter,
//! which passes folds, and `Σ` is watched at every point of the curve. The unknowns are the
//! state in the coordinates `(m, q0, c·ln(Q − q1), Q)` (`c` = [`LN_GAP_SCALE`]): towards the
//! frozen branch `q1 → Q` the gap shrinks by decades while the other coordinates hardly move,
//! and in `q1` itself the steps would have to shrink with the gap.
//!
//! The branch is *dismissed* (it holds no Parisi state) when the curve has passed a fold in `x`
//! and then, without `Σ` changing sign, returns below the scan's floor in `x`, or comes within
//! `(Q − q1)/Q < `[`NEAR_FROZEN`] of the frozen branch. The second end is weaker than a proof:
//! the frozen zone proper (`(Q − q1)/Q < 1e−8`, where the map is not evaluated) is not reached,
//! because the map's inner quadrature grows with `1/√(Q − q1)` (at ±1 storage β = 10 α = 1.2 one
//! map took ~0.06 s at a gap of 1e−4 and several seconds below 1e−6); between `NEAR_FROZEN` and
//! the zone the curve is assumed to stay on its course to the frozen branch. Any other end (a
//! sign change of `Σ`, a failed step, `x = 1`, the budget of map evaluations) leaves the branch
//! unresolved.

use super::channel;
use super::{evaluate, loosened, map, Model, QuadOptions, FROZEN_GAP};
use crate::continuation::arclength::{self, End};
use crate::continuation::{newton, Jacobian, System};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use std::cell::Cell;

/// Scale of the coordinate `ln(Q − q1)` in the curve's metric.
pub const LN_GAP_SCALE: f64 = 0.1;
/// `(Q − q1)/Q` below which a curve that has passed its fold counts as having joined the frozen
/// branch (see the module docs: weaker than reaching the zone `1e−8`).
pub const NEAR_FROZEN: f64 = 1e-4;
/// Map evaluations allowed to one curve (≈ 0.06 s each at the storage points measured).
pub const MAX_EVALUATIONS: usize = 1500;
/// Accuracy of the quadratures along the curve (the fixed points are solved to 1e−8).
const CURVE_ACCURACY: f64 = 1e-9;

/// The 1RSB fixed-point condition `G(s; x) − s = 0` as a [`System`] in the coordinates
/// `u = (m, q0, c·ln(Q − q1), Q)` of the state, with the Parisi parameter `x` as the parameter.
/// Outside the domain (`x ∉ (0, 1]`, `q0 < 0`, the frozen zone, a failed quadrature, or the
/// budget of evaluations spent) it is undefined.
pub struct MapSystem<'a> {
    model: &'a Model,
    quad: QuadOptions,
    /// Whether the model has a frozen branch (the zone `(Q − q1)/Q < 1e−8` is outside).
    cut: bool,
    /// Map evaluations.
    evaluations: Cell<usize>,
    /// Map evaluations allowed.
    budget: usize,
}

impl<'a> MapSystem<'a> {
    /// The system of `model` with quadratures `quad` and at most `budget` map evaluations.
    pub fn new(model: &'a Model, quad: QuadOptions, budget: usize) -> Self {
        MapSystem {
            model,
            quad,
            cut: super::frozen_cut(model),
            evaluations: Cell::new(0),
            budget,
        }
    }

    /// Map evaluations so far.
    pub fn evaluations(&self) -> usize {
        self.evaluations.get()
    }

    /// Whether the budget is spent.
    pub fn exhausted(&self) -> bool {
        self.evaluations.get() >= self.budget
    }
}

/// The state `(m, q0, q1, Q)` at the curve's coordinates `(m, q0, c·ln(Q − q1), Q)`.
pub fn to_state(u: &[f64]) -> [f64; 4] {
    [u[0], u[1], u[3] - (u[2] / LN_GAP_SCALE).exp(), u[3]]
}

/// The curve's coordinates `(m, q0, c·ln(Q − q1), Q)` of a state with `q1 < Q`.
pub fn of_state(s: &[f64; 4]) -> [f64; 4] {
    [s[0], s[1], LN_GAP_SCALE * (s[3] - s[2]).ln(), s[3]]
}

/// `(Q − q1)/Q` of a state.
fn rel_gap(s: &[f64; 4]) -> f64 {
    (s[3] - s[2]) / s[3].abs()
}

impl System for MapSystem<'_> {
    fn dim(&self) -> usize {
        4
    }

    fn residual(&self, u: &DVector<f64>, x: f64) -> Option<DVector<f64>> {
        let s = to_state(u.as_slice());
        let zone = self.cut && rel_gap(&s) < FROZEN_GAP;
        if !(x > 0.0 && x <= 1.0) || zone || s[1] < 0.0 || self.exhausted() {
            return None;
        }
        self.evaluations.set(self.evaluations.get() + 1);
        let g = map(self.model, x, &s, self.quad)?;
        let f = DVector::from_fn(4, |i, _| g[i] - s[i]);
        f.iter().all(|v| v.is_finite()).then_some(f)
    }

    /// Forward differences (five maps; the fixed points are solved to 1e−8, so a Jacobian good
    /// to ~1e−6 costs the corrector nothing).
    fn jacobian(&self, u: &DVector<f64>, x: f64) -> Option<Jacobian> {
        let f0 = self.residual(u, x)?;
        let mut fx = DMatrix::zeros(4, 4);
        for j in 0..4 {
            let h = 1e-6 * u[j].abs().max(1.0);
            let mut a = u.clone();
            a[j] += h;
            let col = match self.residual(&a, x) {
                Some(fa) => (fa - &f0) / (a[j] - u[j]),
                None => {
                    a[j] = u[j] - h;
                    (&f0 - self.residual(&a, x)?) / (u[j] - a[j])
                }
            };
            fx.set_column(j, &col);
        }
        let h = 1e-6 * x;
        let fp = (&f0 - self.residual(u, x - h)?) / h;
        Some(Jacobian { fx, fp })
    }
}

/// `Σ(x) = −x² ∂φ1/∂x` at a fixed point `s` of the map at `x`.
pub fn complexity_at(model: &Model, x: f64, s: &[f64; 4], quad: QuadOptions) -> Option<f64> {
    let (params, en, av) = evaluate(model, x, *s, quad)?;
    let d = channel::dphi_dx(model, &params, &en, &av);
    d.is_finite().then_some(-x * x * d)
}

/// How the continuation of an unresolved branch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CurveEnd {
    /// Past its fold the curve returned below the scan's floor in `x` with `Σ > 0` throughout:
    /// dismissed.
    BelowFloor,
    /// Past its fold the curve came within `(Q − q1)/Q <` [`NEAR_FROZEN`] of the frozen branch
    /// with `Σ > 0` throughout: dismissed.
    NearFrozen,
    /// `Σ` changed sign on the curve: unresolved.
    SigmaSignChange,
    /// The curve reached `x = 1`: unresolved.
    XOne,
    /// The budget of map evaluations ran out: unresolved.
    Budget,
    /// A step failed, or the curve ended without a fold: unresolved.
    Failed,
}

/// What the continuation found on an unresolved branch (reported in [`super::RsbBranch`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BranchCurve {
    /// How the curve ended.
    pub end: CurveEnd,
    /// Whether the branch is dismissed (holds no Parisi state): the curve folded and ended
    /// below the floor or near the frozen branch without `Σ` changing sign.
    pub dismissed: bool,
    /// `x` at the fold, when the curve folded: the maximum of the parabola through the curve's
    /// point of largest `x` and its two neighbours (in arclength; not refined).
    pub fold_x: Option<f64>,
    /// `Σ` at the fold (the parabola through the same three points, at the same arclength).
    pub fold_complexity: Option<f64>,
    /// `(m, q0, q1, Q)` of the curve point with the largest `x` (a fixed point to 1e−8).
    pub fold_state: Option<[f64; 4]>,
    /// `x` of that point.
    pub fold_point_x: Option<f64>,
    /// The smallest `Σ` on the curve.
    pub min_complexity: f64,
    /// `x` and `(Q − q1)/Q` at the last point.
    pub last_x: f64,
    /// See `last_x`.
    pub last_gap: f64,
    /// Points of the curve.
    pub points: usize,
    /// Map evaluations spent.
    pub evaluations: usize,
}

/// Continues a branch from its fixed point `s0` at `x0` towards larger `x` (module docs).
pub fn continue_branch(
    model: &Model,
    s0: [f64; 4],
    x0: f64,
    x_floor: f64,
    quad: QuadOptions,
) -> BranchCurve {
    let quad = loosened(quad, CURVE_ACCURACY);
    let sys = MapSystem::new(model, quad, MAX_EVALUATIONS);
    let opts = arclength::Options {
        h_init: 0.05,
        h_min: 1e-6,
        h_max: 0.2,
        max_steps: 200,
        p_min: x_floor,
        p_max: 1.0,
        corrector: newton::Options {
            tol: 1e-8,
            step_tol: 1e-7,
            max_iter: 15,
            line_search: false,
        },
        min_cos: 0.95,
        // Moore–Spence costs ~50 maps per Newton step here: the fold is interpolated instead.
        refine_folds: false,
        chord: true,
        ..arclength::Options::default()
    };
    let mut out = BranchCurve {
        end: CurveEnd::Failed,
        dismissed: false,
        fold_x: None,
        fold_state: None,
        fold_point_x: None,
        fold_complexity: None,
        min_complexity: f64::NAN,
        last_x: x0,
        last_gap: rel_gap(&s0),
        points: 0,
        evaluations: 0,
    };
    if s0[2] >= s0[3] || s0[2].is_nan() || s0[3].is_nan() {
        return out;
    }
    // Σ at every accepted point, watched while the curve is followed: a sign change or the
    // frozen neighbourhood past the fold stops it (System::stable is called on each point).
    let watch = Watch {
        sys: &sys,
        model,
        quad,
        sigma: std::cell::RefCell::new(Vec::new()),
        x_top: Cell::new(x0),
        folded: Cell::new(false),
        done: Cell::new(false),
    };
    let curve = arclength::follow(
        &watch,
        &DVector::from_column_slice(&of_state(&s0)),
        x0,
        1.0,
        &opts,
    );
    let sigma = watch.sigma.into_inner();
    out.points = curve.points.len();
    out.evaluations = sys.evaluations();
    let Some(last) = curve.points.last() else {
        return out;
    };
    let last_state = to_state(&last.x);
    out.last_x = last.p;
    out.last_gap = rel_gap(&last_state);
    out.min_complexity = sigma
        .iter()
        .map(|s| s.unwrap_or(f64::NAN))
        .fold(f64::INFINITY, f64::min);
    // The point with the largest x, and a parabola through it and its neighbours.
    let (k, top) = curve
        .points
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.p.total_cmp(&b.1.p))
        .expect("a point");
    let folded = !curve.folds.is_empty();
    if folded {
        out.fold_state = Some(to_state(&top.x));
        out.fold_point_x = Some(top.p);
        let (fx, fs) = if k > 0 && k + 1 < curve.points.len() {
            let (a, b, c) = (&curve.points[k - 1], top, &curve.points[k + 1]);
            match (sigma[k - 1], sigma[k], sigma[k + 1]) {
                (Some(sa), Some(sb), Some(sc)) => {
                    parabola_max([a.s, b.s, c.s], [a.p, b.p, c.p], [sa, sb, sc])
                        .map_or((top.p, sigma[k]), |(x, s)| (x, Some(s)))
                }
                _ => (top.p, sigma[k]),
            }
        } else {
            (top.p, sigma[k])
        };
        out.fold_x = Some(fx);
        out.fold_complexity = fs;
    }
    let sigma_ok = sigma.iter().all(|s| s.is_some_and(|v| v > 0.0));
    out.end = if !sigma.iter().all(|s| s.is_some()) {
        CurveEnd::Failed
    } else if !sigma_ok {
        CurveEnd::SigmaSignChange
    } else if sys.exhausted() {
        CurveEnd::Budget
    } else if folded && out.last_gap < NEAR_FROZEN {
        CurveEnd::NearFrozen
    } else if folded && curve.end == End::Boundary && last.p < top.p {
        CurveEnd::BelowFloor
    } else if curve.end == End::Boundary {
        CurveEnd::XOne
    } else {
        CurveEnd::Failed
    };
    out.dismissed = matches!(out.end, CurveEnd::BelowFloor | CurveEnd::NearFrozen);
    out
}

/// The maximum of the parabola through three points `(s_i, x_i)` of the curve, and the
/// parabola through `(s_i, Σ_i)` at the same `s`: `(x, Σ)` at the fold, to second order in the
/// step.
fn parabola_max(s: [f64; 3], x: [f64; 3], sigma: [f64; 3]) -> Option<(f64, f64)> {
    let lagrange = |v: [f64; 3], t: f64| {
        (0..3)
            .map(|i| {
                let w: f64 = (0..3)
                    .filter(|&j| j != i)
                    .map(|j| (t - s[j]) / (s[i] - s[j]))
                    .product();
                w * v[i]
            })
            .sum::<f64>()
    };
    let d1 = (x[1] - x[0]) / (s[1] - s[0]);
    let d2 = (x[2] - x[1]) / (s[2] - s[1]);
    let curv = (d2 - d1) / (s[2] - s[0]);
    if curv >= 0.0 || curv.is_nan() {
        return None;
    }
    // x(t) = x0 + d1 (t − s0) + curv (t − s0)(t − s1): maximal where x'(t) = 0.
    let t = 0.5 * (s[0] + s[1]) - d1 / (2.0 * curv);
    let (xm, sm) = (lagrange(x, t), lagrange(sigma, t));
    (xm.is_finite() && sm.is_finite()).then_some((xm, sm))
}

/// The map system with `Σ` watched at every accepted point: after a sign change of `Σ`, or once
/// the curve has folded and come within [`NEAR_FROZEN`] of the frozen branch, it is undefined,
/// which ends the curve at that point.
struct Watch<'a, 'b> {
    sys: &'b MapSystem<'a>,
    model: &'a Model,
    quad: QuadOptions,
    sigma: std::cell::RefCell<Vec<Option<f64>>>,
    x_top: Cell<f64>,
    folded: Cell<bool>,
    done: Cell<bool>,
}

impl System for Watch<'_, '_> {
    fn dim(&self) -> usize {
        4
    }

    fn residual(&self, u: &DVector<f64>, x: f64) -> Option<DVector<f64>> {
        if self.done.get() {
            return None;
        }
        self.sys.residual(u, x)
    }

    fn jacobian(&self, u: &DVector<f64>, x: f64) -> Option<Jacobian> {
        if self.done.get() {
            return None;
        }
        self.sys.jacobian(u, x)
    }

    fn stable(&self, u: &DVector<f64>, x: f64, _j: &Jacobian) -> Option<bool> {
        let s = to_state(u.as_slice());
        let sig = complexity_at(self.model, x, &s, self.quad);
        if x >= self.x_top.get() {
            self.x_top.set(x);
        } else {
            self.folded.set(true);
        }
        let stop =
            !sig.is_some_and(|v| v > 0.0) || (self.folded.get() && rel_gap(&s) < NEAR_FROZEN);
        if stop {
            self.done.set(true);
        }
        self.sigma.borrow_mut().push(sig);
        None
    }
}
