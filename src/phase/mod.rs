//! Phase structure of the RS solution: the de Almeida–Thouless line (λ_AT = 1) traced by root
//! finding, first-order transitions (branches, spinodals, free-entropy crossings) along one
//! parameter ([`transitions`], [`transitions_along`] for a [`ModelSpec`]), and two-parameter
//! phase maps ([`map`]).

pub mod map;

use crate::continuation::branches::{diagram, BranchOptions, Diagram};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::optimize::brent_root;
use crate::rs::{solve, solve_from, RsSolution, SolverOptions};
use crate::spec::ModelSpec;
use crate::sweep::grid::Param;
use serde::Serialize;

/// Phase of an RS equilibrium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RsPhase {
    /// λ_AT < 1 and a physical entropy.
    RsStable,
    /// λ_AT ≥ 1: replica symmetry breaking.
    Rsb,
    /// λ_AT < 1 but negative (or too large) entropy: RS is wrong all the same (freezing).
    NegativeEntropy,
    /// The RS iteration did not converge.
    Unresolved,
    /// The equilibrium is the sign channel's frozen perfect-generalization state
    /// (`m = rρ`, ε_g = 0; [`crate::rs::perfect`]).
    Perfect,
}

impl RsPhase {
    /// Classifies the RS equilibrium `s` of `model` ([`RsPhase::Perfect`] for a perfect state
    /// of the sign channel).
    pub fn of_model(model: &Model, s: &RsSolution, converged: bool) -> RsPhase {
        let x = [s.m, s.q, s.big_q];
        if converged && crate::rs::perfect::at_start(model, x).is_some() {
            RsPhase::Perfect
        } else {
            RsPhase::of(s, converged)
        }
    }

    /// Classifies an RS equilibrium (never [`RsPhase::Perfect`]: see [`RsPhase::of_model`]).
    pub fn of(s: &RsSolution, converged: bool) -> RsPhase {
        if !converged {
            RsPhase::Unresolved
        } else if !s.rs_stable {
            RsPhase::Rsb
        } else if s.entropy_violation == Some(true) {
            RsPhase::NegativeEntropy
        } else {
            RsPhase::RsStable
        }
    }

    /// Category index for plotting.
    pub fn index(self) -> usize {
        match self {
            RsPhase::RsStable => 0,
            RsPhase::Rsb => 1,
            RsPhase::NegativeEntropy => 2,
            RsPhase::Unresolved => 3,
            RsPhase::Perfect => 4,
        }
    }

    /// Category names in index order.
    pub fn names() -> [&'static str; 5] {
        [
            "RS stable",
            "RSB (AT unstable)",
            "negative entropy",
            "not converged",
            "perfect generalization (frozen)",
        ]
    }
}

/// λ_AT − 1 at parameter `p` (NaN if the model cannot be built or RS does not converge).
fn at_excess(make: &dyn Fn(f64) -> Result<Model>, p: f64, opts: &SolverOptions) -> f64 {
    match make(p) {
        Ok(m) => {
            let r = solve(&m, opts);
            if r.converged {
                r.equilibrium.at_eigenvalue - 1.0
            } else {
                f64::NAN
            }
        }
        Err(_) => f64::NAN,
    }
}

/// The crossing of λ_AT = 1 in `[a, b]`, where λ_AT − 1 changes sign, refined by Brent to `tol`.
pub fn at_root(
    make: &dyn Fn(f64) -> Result<Model>,
    a: f64,
    b: f64,
    tol: f64,
    opts: &SolverOptions,
) -> Result<f64> {
    brent_root(|p| at_excess(make, p, opts), a, b, tol)
}

/// Every crossing of λ_AT = 1 for `p` in `[lo, hi]`: a scan of `n` points brackets the sign
/// changes, Brent's method refines each to `tol`.
pub fn at_crossings(
    make: &dyn Fn(f64) -> Result<Model>,
    lo: f64,
    hi: f64,
    n: usize,
    tol: f64,
    opts: &SolverOptions,
) -> Result<Vec<f64>> {
    if lo.is_nan() || hi.is_nan() || lo >= hi || n < 2 {
        return Err(Error::input(format!(
            "AT scan needs lo < hi and n >= 2 (got {lo}, {hi}, {n})"
        )));
    }
    let ps: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect();
    let vals: Vec<f64> = ps.iter().map(|&p| at_excess(make, p, opts)).collect();
    let mut roots = Vec::new();
    for i in 0..n - 1 {
        let (a, b) = (vals[i], vals[i + 1]);
        if a.is_finite() && b.is_finite() && a * b <= 0.0 && a != b {
            let r = brent_root(|p| at_excess(make, p, opts), ps[i], ps[i + 1], tol)?;
            roots.push(r);
        }
    }
    Ok(roots)
}

/// One branch of RS fixed points followed along the parameter.
#[derive(Debug, Clone, Serialize)]
pub struct RsBranch {
    /// Parameter values where the branch exists.
    pub params: Vec<f64>,
    /// The fixed point at each value.
    pub solutions: Vec<RsSolution>,
}

/// Branches, their ends (spinodals) and the first-order transitions between them.
#[derive(Debug, Clone, Serialize)]
pub struct Transitions {
    /// Name of the swept parameter.
    pub param: String,
    /// Every branch found, followed by continuation.
    pub branches: Vec<RsBranch>,
    /// Parameter values where a branch ends (refined by bisection).
    pub spinodals: Vec<f64>,
    /// Grid intervals `[a, b]` where a branch appeared or vanished but the bisection could not
    /// localise its end inside (it stuck to a grid point: the continuation jumped onto a nearby
    /// branch). Not counted as spinodals; refine the grid there.
    pub unresolved_branch_ends: Vec<(f64, f64)>,
    /// Parameter values where the equilibrium (largest free entropy / lowest energy) jumps
    /// between branches (refined by Brent on the free-entropy difference).
    pub equilibrium_transitions: Vec<f64>,
    /// The same structure by pseudo-arclength continuation: every branch followed through its
    /// folds, stable and unstable branches labelled, spinodals as folds refined on the
    /// extended system, first-order transitions between stable branches, and where
    /// continuation failed (docs/continuation.md).
    pub continuation: Diagram,
}

fn same(a: &RsSolution, b: &RsSolution) -> bool {
    (a.m - b.m).abs() < 1e-5 && (a.q - b.q).abs() < 1e-5 && (a.big_q - b.big_q).abs() < 1e-5
}

fn dist(a: &RsSolution, b: &RsSolution) -> f64 {
    (a.m - b.m).abs() + (a.q - b.q).abs() + (a.big_q - b.big_q).abs()
}

fn score(s: &RsSolution) -> f64 {
    s.free_entropy.unwrap_or(-s.energy)
}

/// Follows every RS branch along `params` (ascending): each grid point is solved from all the
/// standard starts and from each branch's previous fixed point (continuation), so a metastable
/// branch is followed until it disappears.
pub fn transitions(
    make: &dyn Fn(f64) -> Result<Model>,
    param: &str,
    params: &[f64],
    opts: &SolverOptions,
) -> Result<Transitions> {
    let mut branches: Vec<RsBranch> = Vec::new();
    let mut open: Vec<usize> = Vec::new(); // indices of branches alive at the previous point
    let mut prev_p = f64::NAN;
    let mut spinodals = Vec::new();
    let mut unresolved = Vec::new();
    // A bisection that never left a grid point did not bracket a branch end.
    let mut record = |x: f64, a: f64, b: f64| {
        let eps = 1e-6 * (b - a).abs();
        if (x - a).abs() < eps || (x - b).abs() < eps {
            unresolved.push((a, b));
        } else {
            spinodals.push(x);
        }
    };
    // Progress: a step per grid value, then one per value of the continuation's seeding scan
    // (crate::continuation::branches::diagram ticks them).
    let steps = crate::parallel::Steps::new(2 * params.len() as u64, "transitions");
    let _steps = steps.enter();
    for &p in params {
        crate::parallel::check_interrupted()?;
        crate::parallel::tick();
        let model = make(p)?;
        let zt = crate::rs::collapses(&model);
        let mut here: Vec<(Option<usize>, RsSolution)> = Vec::new();
        let lasts: Vec<RsSolution> = open
            .iter()
            .filter_map(|&bi| branches[bi].solutions.last().cloned())
            .collect();
        for &bi in &open {
            let last = branches[bi].solutions.last().cloned();
            if let Some(last) = last {
                if let Some(s) = solve_from(&model, last.state(zt), opts) {
                    // A continuation belongs to this branch only if it did not jump onto
                    // another branch: it must be nearer its own predecessor than any other's.
                    let own = dist(&s, &last);
                    let nearest_other = lasts
                        .iter()
                        .filter(|l| !same(l, &last))
                        .map(|l| dist(&s, l))
                        .fold(f64::INFINITY, f64::min);
                    if s.status.is_converged()
                        && own < nearest_other
                        && !here.iter().any(|(_, h)| same(h, &s))
                    {
                        here.push((Some(bi), s));
                        continue;
                    }
                }
            }
            // The branch ended between prev_p and p: bisect for its end.
            record(refine_end(make, &branches[bi], prev_p, p, opts)?, prev_p, p);
        }
        for s in solve(&model, opts)
            .solutions
            .into_iter()
            .filter(|s| s.status.is_converged())
        {
            if !here.iter().any(|(_, h)| same(h, &s)) {
                here.push((None, s));
            }
        }
        open.clear();
        for (bi, s) in here {
            let idx = match bi {
                Some(i) => i,
                None => {
                    if !prev_p.is_nan() {
                        // A branch appearing mid-sweep also has an end (its other spinodal).
                        let b = RsBranch {
                            params: vec![p],
                            solutions: vec![s.clone()],
                        };
                        record(refine_start(make, &b, prev_p, p, opts)?, prev_p, p);
                    }
                    branches.push(RsBranch {
                        params: vec![],
                        solutions: vec![],
                    });
                    branches.len() - 1
                }
            };
            branches[idx].params.push(p);
            branches[idx].solutions.push(s);
            open.push(idx);
        }
        prev_p = p;
    }
    let equilibrium_transitions = crossings(make, &branches, opts)?;
    spinodals.sort_by(f64::total_cmp);
    let bo = BranchOptions {
        solver: *opts,
        ..BranchOptions::default()
    };
    Ok(Transitions {
        param: param.to_string(),
        branches,
        spinodals,
        unresolved_branch_ends: unresolved,
        equilibrium_transitions,
        continuation: diagram(make, param, params, &bo)?,
    })
}

/// Bisects for the last parameter in `[a, b]` where the branch (alive at `a`) still exists.
fn refine_end(
    make: &dyn Fn(f64) -> Result<Model>,
    br: &RsBranch,
    a: f64,
    b: f64,
    opts: &SolverOptions,
) -> Result<f64> {
    let mut last = br
        .solutions
        .last()
        .cloned()
        .ok_or_else(|| Error::Numerics("empty branch".into()))?;
    let (mut lo, mut hi) = (a, b);
    for _ in 0..30 {
        let mid = 0.5 * (lo + hi);
        let m = make(mid)?;
        match solve_from(&m, last.state(crate::rs::collapses(&m)), opts) {
            Some(s)
                if s.status.is_converged() && (s.m - last.m).abs() < 0.1 * (1.0 + last.m.abs()) =>
            {
                last = s;
                lo = mid;
            }
            _ => hi = mid,
        }
    }
    Ok(0.5 * (lo + hi))
}

/// Bisects for the first parameter in `[a, b]` where a branch first seen at `b` exists.
fn refine_start(
    make: &dyn Fn(f64) -> Result<Model>,
    br: &RsBranch,
    a: f64,
    b: f64,
    opts: &SolverOptions,
) -> Result<f64> {
    let mut first = br.solutions[0].clone();
    let (mut lo, mut hi) = (a, b);
    for _ in 0..30 {
        let mid = 0.5 * (lo + hi);
        let m = make(mid)?;
        match solve_from(&m, first.state(crate::rs::collapses(&m)), opts) {
            Some(s)
                if s.status.is_converged()
                    && (s.m - first.m).abs() < 0.1 * (1.0 + first.m.abs()) =>
            {
                first = s;
                hi = mid;
            }
            _ => lo = mid,
        }
    }
    Ok(0.5 * (lo + hi))
}

/// Where the best branch changes between consecutive grid points, refine the crossing of the
/// two branches' scores by Brent (each branch continued from its nearest fixed point).
fn crossings(
    make: &dyn Fn(f64) -> Result<Model>,
    branches: &[RsBranch],
    opts: &SolverOptions,
) -> Result<Vec<f64>> {
    let mut ps: Vec<f64> = branches
        .iter()
        .flat_map(|b| b.params.iter().copied())
        .collect();
    ps.sort_by(f64::total_cmp);
    ps.dedup();
    let best_at = |p: f64| -> Option<usize> {
        branches
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                b.params
                    .iter()
                    .position(|&x| x == p)
                    .map(|k| (i, score(&b.solutions[k])))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    };
    let mut out = Vec::new();
    for w in ps.windows(2) {
        let (Some(i), Some(j)) = (best_at(w[0]), best_at(w[1])) else {
            continue;
        };
        if i == j {
            continue;
        }
        // Both branches must exist on both sides for a true crossing (else it is a spinodal jump).
        let has = |b: &RsBranch, p: f64| b.params.contains(&p);
        if !(has(&branches[i], w[1]) && has(&branches[j], w[0])) {
            continue;
        }
        let diff = |p: f64| -> f64 {
            let Ok(m) = make(p) else { return f64::NAN };
            let zt = crate::rs::collapses(&m);
            let near = |b: &RsBranch| {
                let k = b
                    .params
                    .iter()
                    .enumerate()
                    .min_by(|x, y| (x.1 - p).abs().total_cmp(&(y.1 - p).abs()))
                    .map(|x| x.0)
                    .unwrap_or(0);
                solve_from(&m, b.solutions[k].state(zt), opts)
            };
            match (near(&branches[i]), near(&branches[j])) {
                (Some(a), Some(b)) => score(&a) - score(&b),
                _ => f64::NAN,
            }
        };
        let (da, db) = (diff(w[0]), diff(w[1]));
        if da.is_finite() && db.is_finite() && da * db <= 0.0 {
            out.push(brent_root(diff, w[0], w[1], 1e-10)?);
        }
    }
    Ok(out)
}

/// [`transitions`] of `spec` along `param` (a continuous parameter) at `values` (at least 2;
/// sorted here). The model is validated at the first value before any work.
pub fn transitions_along(spec: &ModelSpec, param: Param, values: &[f64]) -> Result<Transitions> {
    if matches!(param, Param::Bits | Param::Levels) {
        return Err(Error::input(format!(
            "transitions need a continuous parameter, not {param}"
        )));
    }
    if values.len() < 2 {
        return Err(Error::input(format!(
            "transitions along {param} need at least 2 values"
        )));
    }
    let mut ps = values.to_vec();
    ps.sort_by(f64::total_cmp);
    let make = |v: f64| -> Result<Model> { param.with_number(spec, v)?.build() };
    make(ps[0])?;
    transitions(&make, param.name(), &ps, &SolverOptions::default())
}

/// First-order structure of a two-parameter map: for every row `y`, the spinodals (folds that
/// end a stable branch) and
/// the equilibrium transitions found by branch continuation
/// ([`crate::continuation::branches::diagram`]) along `x`, as `(x, y)` points.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FirstOrderLines {
    /// Ends of metastable branches.
    pub spinodals: Vec<(f64, f64)>,
    /// Free-entropy (or, at β = ∞, energy) crossings of coexisting branches.
    pub equilibrium_transitions: Vec<(f64, f64)>,
}

/// Runs [`diagram`] along `xs` (ascending) for every `y` in parallel (rows in order, so the
/// result does not depend on the thread count). A row whose model cannot be built is an error.
pub fn first_order_lines(
    make: &(dyn Fn(f64, f64) -> Result<Model> + Sync),
    xs: &[f64],
    ys: &[f64],
    opts: &SolverOptions,
) -> Result<FirstOrderLines> {
    let bo = BranchOptions {
        solver: *opts,
        ..BranchOptions::default()
    };
    // Each row by continuation: spinodals are the folds, transitions the free-entropy
    // crossings of stable branches.
    let rows: Vec<Diagram> = crate::parallel::try_map(
        ys,
        &crate::parallel::RunOptions::default(),
        "first-order lines",
        |&y| diagram(&|x| make(x, y), "x", xs, &bo),
    )?;
    let mut out = FirstOrderLines::default();
    for (d, &y) in rows.iter().zip(ys) {
        // A spinodal ends a metastable branch: a fold between two unstable branches (e.g. the
        // saddles near the sign channel's perfect state) is not one.
        let ends_stable = |p: f64| {
            let tol = 1e-9 * (1.0 + p.abs());
            d.branches.iter().any(|b| {
                b.stable && ((b.p_range.0 - p).abs() <= tol || (b.p_range.1 - p).abs() <= tol)
            })
        };
        out.spinodals.extend(
            d.spinodals
                .iter()
                .filter(|s| ends_stable(s.p))
                .map(|s| (s.p, y)),
        );
        out.equilibrium_transitions
            .extend(d.first_order.iter().map(|f| (f.p, y)));
    }
    Ok(out)
}
