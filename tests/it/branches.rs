//! RS branches as curves, against an independent computation.
//!
//! Acceptance (issue 13, item 1): on the Bayes-optimal line of a ±1 teacher learned by a 1-bit
//! ±1 student, and of a 4-level teacher learned by a 2-bit student with the same levels, the
//! spinodals found as folds of the RS equations by pseudo-arclength continuation agree with the
//! scalar Nishimori reduction `α(γ) = γ(σ² + ρ − f(γ))` evaluated with its own fixed-node
//! quadrature (tests/it/support/nishimori.rs); both stable branches are found at every α inside the
//! coexistence window, with the unstable one between them; the window closes at the cusp,
//! located by following the fold curve in σ² and checked against `α' = α'' = 0`.
//!
//! Why a 4-level teacher for the 2-bit student: the 2-bit uniform student has four levels
//! `±ω/3, ±ω`; with the teacher equal to that level set (equiprobable, ω = 3/√5 so ρ = 1) the
//! student's prior is the teacher's and β = 1/σ² makes the Gibbs measure the Bayes posterior.
//! A ternary teacher would need a 3-level (mid-tread) student, which is not the 2-bit quantizer.

use crate::support::cli;
use crate::support::nishimori::Nishimori;
use crate::support::temp::TempDir;
use nalgebra::DVector;
use quantreplica::continuation::arclength::{follow, Options};
use quantreplica::continuation::branches::{diagram, fixed_points, BranchOptions};
use quantreplica::continuation::finite_difference_jacobian;
use quantreplica::continuation::fold::FoldCurve;
use quantreplica::continuation::rs::{free_entropy_hessian, map_jacobian, RsSystem};
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rs::{finite, solve, SolverOptions};

fn bayes(levels: &[f64], alpha: f64, s2: f64) -> quantreplica::Result<Model> {
    let st = Student::Discrete(LevelSet::new(levels.to_vec(), None).unwrap());
    Model::new(
        alpha,
        s2,
        1.0 / s2,
        0.0,
        st,
        TeacherPrior::discrete(levels, None).unwrap(),
    )
}

fn four_levels() -> Vec<f64> {
    let w = 3.0 / 5f64.sqrt();
    vec![-w, -w / 3.0, w / 3.0, w]
}

#[test]
fn analytic_rs_jacobian_matches_finite_differences() {
    let opts = SolverOptions::default();
    let g = |rho: f64| TeacherPrior::gaussian(rho).unwrap();
    let u = |b: u32, w: f64| Student::Discrete(LevelSet::uniform(b, w).unwrap());
    let cases = vec![
        Model::new(
            0.3,
            0.01,
            100.0,
            0.0,
            u(1, 1.0),
            TeacherPrior::binary(1.0).unwrap(),
        ),
        Model::new(1.3, 0.1, 5.0, 0.0, u(2, 1.3), g(1.0)),
        Model::new(0.7, 0.1, 20.0, 0.1, u(3, 2.0), g(1.5)),
        Model::new(
            0.8,
            0.05,
            6.0,
            0.0,
            u(2, 1.2),
            TeacherPrior::sparse(0.3, 1.0).unwrap(),
        ),
        Model::new(
            1.0,
            0.1,
            3.0,
            0.0,
            Student::Discrete(
                LevelSet::new(vec![-1.0, 0.0, 1.5], Some(vec![1.0, 2.0, 1.0])).unwrap(),
            ),
            g(1.0),
        ),
        Model::new(0.6, 0.1, 3.0, 0.2, Student::Continuous, g(1.0)),
        Model::new(1.0, 0.1, 5.0, 0.0, u(8, 3.0), g(1.0)),
    ];
    for m in cases.into_iter().map(Result::unwrap) {
        let s = solve(&m, &opts).equilibrium;
        // At the fixed point and away from it.
        for x in [[s.m, s.q, s.big_q], [0.9 * s.m, 0.95 * s.q, 1.02 * s.big_q]] {
            let a = map_jacobian(&m, &x, opts.quad).unwrap();
            let mm = m.clone();
            let sys = RsSystem::new(move |_| Ok(mm.clone()), opts.quad);
            let b = finite_difference_jacobian(&sys, &DVector::from_column_slice(&x), 1.0).unwrap();
            let scale = 1.0 + a.amax();
            for i in 0..3 {
                for j in 0..3 {
                    let fd = b.fx[(i, j)] + if i == j { 1.0 } else { 0.0 };
                    assert!(
                        (a[(i, j)] - fd).abs() < 1e-8 * scale,
                        "{}: dG{i}/dx{j} analytic {} vs differences {fd}",
                        m.teacher.name,
                        a[(i, j)]
                    );
                }
            }
        }
    }
}

#[test]
fn free_entropy_hessian_matches_differences_of_the_free_entropy() {
    // φ depends on the state only through (Δ, E); its Hessian there, from the analytic map
    // Jacobian, against second differences of φ itself, at three fixed points (uninformed,
    // informed, unstable) of the binary Bayes-optimal problem.
    let (s2, alpha) = (0.02, 0.4);
    let m = bayes(&[-1.0, 1.0], alpha, s2).unwrap();
    let tol = SolverOptions::default().quad;
    let all = fixed_points(&m, &BranchOptions::default());
    assert_eq!(all.fixed_points.len(), 3);
    for f in &all.fixed_points {
        let q = f.solution.q;
        let x = [f.solution.m, q, f.solution.big_q];
        let phi = |d: f64, e: f64| {
            let mm = (1.0 + q + s2 - e) / 2.0;
            finite::observables(&m, mm, q, q + d, tol)
                .unwrap()
                .free_entropy
        };
        let (d0, e0) = (x[2] - q, 1.0 - 2.0 * x[0] + q + s2);
        let h = 1e-4 * d0.max(1e-3);
        let fdd = (phi(d0 + h, e0) - 2.0 * phi(d0, e0) + phi(d0 - h, e0)) / (h * h);
        let fee = (phi(d0, e0 + h) - 2.0 * phi(d0, e0) + phi(d0, e0 - h)) / (h * h);
        let fde = (phi(d0 + h, e0 + h) - phi(d0 + h, e0 - h) - phi(d0 - h, e0 + h)
            + phi(d0 - h, e0 - h))
            / (4.0 * h * h);
        let hh = free_entropy_hessian(&m, &x, tol).unwrap();
        let scale = 1.0 + hh.amax();
        for (got, want) in [
            (hh[(0, 0)], fdd),
            (hh[(1, 1)], fee),
            (hh[(0, 1)], fde),
            (hh[(1, 0)], fde),
        ] {
            assert!(
                (got - want).abs() < 2e-3 * scale,
                "q = {q}: {got} vs {want}"
            );
        }
        // Stable under iteration ⇔ a local maximum of the potential along the Nishimori line.
        let nc = f.nishimori_curvature.unwrap();
        assert_eq!(f.stable, Some(nc < 0.0), "q = {q}: curvature {nc}");
    }
}

/// Checks one noise level below the cusp: the spinodals as folds against the reduction, both
/// stable branches (and the unstable one) at α inside the window against the reduction's
/// branches, and the first-order transition inside the window. Returns the window.
fn coexistence(
    levels: &[f64],
    nb: &Nishimori,
    s2: f64,
    g_range: (f64, f64),
    a_max: f64,
) -> (f64, f64) {
    let want = nb.folds(s2, g_range.0, g_range.1);
    assert_eq!(want.len(), 2, "σ² = {s2}: {want:?}");
    // α(γ) rises to a maximum (the uninformed spinodal), falls to a minimum (the informed one).
    let (hi, lo) = (want[0].1, want[1].1);
    assert!(lo < hi);
    let make = |a: f64| bayes(levels, a, s2);
    let grid: Vec<f64> = (0..=24)
        .map(|i| 0.01 + (a_max - 0.01) * i as f64 / 24.0)
        .collect();
    let d = diagram(&make, "alpha", &grid, &BranchOptions::default()).unwrap();
    assert!(d.failures.is_empty(), "{:?}", d.failures);
    let sp: Vec<f64> = d.spinodals.iter().map(|s| s.p).collect();
    assert_eq!(sp.len(), 2, "σ² = {s2}: {sp:?}");
    assert!(
        (sp[0] - lo).abs() < 1e-8,
        "σ² = {s2}: informed spinodal {} vs {lo}",
        sp[0]
    );
    assert!(
        (sp[1] - hi).abs() < 1e-8,
        "σ² = {s2}: uninformed spinodal {} vs {hi}",
        sp[1]
    );
    assert!(d.spinodals.iter().all(|s| s.converged));
    assert_eq!(d.spinodals[0].branches_exist, "above");
    assert_eq!(d.spinodals[1].branches_exist, "below");
    // Three branches: stable, unstable, stable.
    let labels: Vec<bool> = d.branches.iter().map(|b| b.stable).collect();
    assert_eq!(labels, vec![true, false, true], "{:?}", d.branches);
    // The first-order transition lies inside the window.
    assert_eq!(d.first_order.len(), 1, "{:?}", d.first_order);
    let ac = d.first_order[0].p;
    assert!(lo < ac && ac < hi, "transition {ac} outside [{lo}, {hi}]");
    // At α inside the window: two stable fixed points and one unstable, matching the reduction
    // (the three roots γ of α(γ) = α; q = f(γ)).
    for k in 1..=4 {
        let alpha = lo + (hi - lo) * k as f64 / 5.0;
        let all = fixed_points(&make(alpha).unwrap(), &BranchOptions::default());
        let st: Vec<f64> = all
            .fixed_points
            .iter()
            .filter(|f| f.stable == Some(true))
            .map(|f| f.solution.m)
            .collect();
        let un: Vec<f64> = all
            .fixed_points
            .iter()
            .filter(|f| f.stable == Some(false))
            .map(|f| f.solution.m)
            .collect();
        assert_eq!(
            (st.len(), un.len()),
            (2, 1),
            "σ² = {s2}, α = {alpha}: {st:?} {un:?}"
        );
        let roots = roots_of_alpha(nb, s2, alpha, g_range, want[0].0, want[1].0);
        let q_want: Vec<f64> = roots.iter().map(|&g| nb.f(g)).collect();
        let mut got = st.clone();
        got.extend(&un);
        got.sort_by(f64::total_cmp);
        for (g, w) in got.iter().zip(&q_want) {
            assert!(
                (g - w).abs() < 1e-8,
                "σ² = {s2}, α = {alpha}: m {got:?} vs {q_want:?}"
            );
        }
        // The unstable one is the middle one.
        assert!(un[0] > st.iter().copied().fold(f64::MAX, f64::min));
        assert!(un[0] < st.iter().copied().fold(f64::MIN, f64::max));
    }
    (lo, hi)
}

/// The three γ with α(γ) = α inside the window, by bisection on the monotone pieces of α(γ)
/// split at its extrema `g1 < g2`.
fn roots_of_alpha(
    nb: &Nishimori,
    s2: f64,
    alpha: f64,
    g_range: (f64, f64),
    g1: f64,
    g2: f64,
) -> Vec<f64> {
    let bisect = |mut a: f64, mut b: f64| {
        let fa = nb.alpha(a, s2) - alpha;
        for _ in 0..80 {
            let m = 0.5 * (a + b);
            if (nb.alpha(m, s2) - alpha) * fa > 0.0 {
                a = m;
            } else {
                b = m;
            }
        }
        0.5 * (a + b)
    };
    vec![bisect(g_range.0, g1), bisect(g1, g2), bisect(g2, g_range.1)]
}

/// The cusp by continuation: follow the uninformed spinodal of σ² = `s2_0` in σ² (on the
/// Bayes-optimal line) until the fold curve turns.
fn cusp_by_continuation(levels: &[f64], s2_0: f64, a_max: f64) -> (f64, f64) {
    let make = |a: f64| bayes(levels, a, s2_0);
    let grid: Vec<f64> = (0..=12)
        .map(|i| 0.01 + (a_max - 0.01) * i as f64 / 12.0)
        .collect();
    let d = diagram(&make, "alpha", &grid, &BranchOptions::default()).unwrap();
    let fold = d.spinodals[1].as_fold();
    let quad = SolverOptions::default().quad;
    let lv = levels.to_vec();
    let family = move |s2: f64| {
        let lv = lv.clone();
        Some(RsSystem::new(move |a| bayes(&lv, a, s2), quad))
    };
    let fc = FoldCurve::new(family, &fold);
    let curve = follow(
        &fc,
        &fc.start(&fold),
        s2_0,
        1.0,
        &Options {
            p_min: s2_0 * 0.5,
            p_max: 0.5,
            h_init: 0.01,
            h_max: 0.05,
            ..Options::default()
        },
    );
    assert_eq!(
        curve.folds.len(),
        1,
        "one cusp: {:?} end {:?}",
        curve.folds,
        curve.end
    );
    let cusp = &curve.folds[0];
    (cusp.p, cusp.x[3])
}

#[test]
fn binary_bayes_optimal_coexistence_window_and_cusp() {
    let levels = [-1.0, 1.0];
    let nb = Nishimori::new(&levels, 600);
    let mut widths = vec![];
    for s2 in [0.02, 0.05, 0.08] {
        let (lo, hi) = coexistence(&levels, &nb, s2, (0.05, 100.0), 1.2);
        widths.push(hi - lo);
    }
    assert!(widths.windows(2).all(|w| w[1] < w[0]), "{widths:?}");
    let (s2c, gc, ac) = nb.cusp(2.0, 5.0);
    let (s2_cont, a_cont) = cusp_by_continuation(&levels, 0.08, 1.2);
    assert!(
        (s2_cont - s2c).abs() < 1e-6,
        "cusp σ² {s2_cont} vs {s2c} (γ = {gc})"
    );
    assert!((a_cont - ac).abs() < 1e-6, "cusp α {a_cont} vs {ac}");
    // Above the cusp: no window, one fixed point.
    let make = |a: f64| bayes(&levels, a, s2c + 0.01);
    let grid: Vec<f64> = (0..=12).map(|i| 0.01 + 0.1 * i as f64).collect();
    let d = diagram(&make, "alpha", &grid, &BranchOptions::default()).unwrap();
    assert!(d.spinodals.is_empty() && d.first_order.is_empty());
    let one = fixed_points(&make(ac).unwrap(), &BranchOptions::default());
    assert_eq!(one.fixed_points.len(), 1);
}

#[test]
fn two_bit_bayes_optimal_coexistence_window_and_cusp() {
    let levels = four_levels();
    let nb = Nishimori::new(&levels, 600);
    assert!((nb.rho() - 1.0).abs() < 1e-15);
    let mut widths = vec![];
    for s2 in [0.005, 0.01, 0.02] {
        let (lo, hi) = coexistence(&levels, &nb, s2, (0.5, 300.0), 1.2);
        widths.push(hi - lo);
    }
    assert!(widths.windows(2).all(|w| w[1] < w[0]), "{widths:?}");
    let (s2c, gc, ac) = nb.cusp(10.0, 25.0);
    let (s2_cont, a_cont) = cusp_by_continuation(&levels, 0.02, 1.2);
    assert!(
        (s2_cont - s2c).abs() < 1e-6,
        "cusp σ² {s2_cont} vs {s2c} (γ = {gc})"
    );
    assert!((a_cont - ac).abs() < 1e-6, "cusp α {a_cont} vs {ac}");
}

fn run(args: &[&str]) -> serde_json::Value {
    cli::json(args)
}

#[test]
fn near_the_cusp_transitions_finds_the_folds_the_grid_misses() {
    // σ² = 0.1, just below the binary cusp: the window is 6.6e-4 wide. The grid method finds no
    // spinodal even with a grid step of 0.001; continuation finds both folds and the transition.
    let nb = Nishimori::new(&[-1.0, 1.0], 600);
    let want = nb.folds(0.1, 0.05, 100.0);
    let t = run(&[
        "transitions",
        "--json",
        "--over",
        "alpha=0.66:0.69:31",
        "--teacher",
        "binary",
        "--bits",
        "1",
        "--width",
        "1",
        "--noise",
        "0.1",
        "--beta",
        "10",
    ]);
    assert!(
        t["spinodals"].as_array().unwrap().is_empty(),
        "the grid method"
    );
    let c = &t["continuation"];
    let sp: Vec<f64> = c["spinodals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["p"].as_f64().unwrap())
        .collect();
    assert_eq!(sp.len(), 2);
    assert!(
        (sp[0] - want[1].1).abs() < 1e-8 && (sp[1] - want[0].1).abs() < 1e-8,
        "{sp:?} vs {want:?}"
    );
    assert_eq!(c["first_order"].as_array().unwrap().len(), 1);
}

/// The phase diagram's spinodals are the same folds (issue 13, item 1: "`transitions` and the
/// phase diagrams report spinodals as folds to 1e-8"): a row at σ² = 0.1 on the Bayes-optimal
/// line (β = 10) over the 6.6e-4 window, against the independent reduction to 1e-8, with its
/// first-order point inside the window.
#[test]
fn phase_diagram_spinodals_are_the_folds_to_1e8() {
    let nb = Nishimori::new(&[-1.0, 1.0], 600);
    let want = nb.folds(0.1, 0.05, 100.0);
    let dir = TempDir::new("branches-pd");
    let stem = dir.join("pd");
    let v = run(&[
        "phase-diagram",
        "--json",
        "--x-axis",
        "alpha=0.66:0.69:31",
        "--y-axis",
        "noise=0.1",
        "--teacher",
        "binary",
        "--bits",
        "1",
        "--width",
        "1",
        "--beta",
        "10",
        "--out",
        stem.to_str().unwrap(),
    ]);
    let xs = |key: &str| -> Vec<f64> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p[0].as_f64().unwrap())
            .collect()
    };
    let sp = xs("spinodals");
    assert_eq!(sp.len(), 2, "{sp:?}");
    assert!(
        (sp[0] - want[1].1).abs() < 1e-8 && (sp[1] - want[0].1).abs() < 1e-8,
        "{sp:?} vs {want:?}"
    );
    let tr = xs("equilibrium_transitions");
    assert_eq!(tr.len(), 1, "{tr:?}");
    assert!(sp[0] < tr[0] && tr[0] < sp[1], "{sp:?} {tr:?}");
}

#[test]
fn rs_reports_every_fixed_point_and_the_right_equilibrium() {
    // Inside the σ² = 0.1 window the standard starts find one fixed point; continuation in α
    // finds the informed one (larger free entropy: the equilibrium) and the unstable one.
    let v = run(&[
        "rs",
        "--json",
        "--teacher",
        "binary",
        "--bits",
        "1",
        "--width",
        "1",
        "--noise",
        "0.1",
        "--beta",
        "10",
        "--alpha",
        "0.6728",
    ]);
    let fps = v["fixed_points"].as_array().unwrap();
    assert_eq!(fps.len(), 3);
    let stable: Vec<&serde_json::Value> = fps.iter().filter(|f| f["stable"] == true).collect();
    assert_eq!(stable.len(), 2);
    let best = stable
        .iter()
        .max_by(|a, b| {
            a["free_entropy"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["free_entropy"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(v["m"], best["m"]);
    assert!(v["m"].as_f64().unwrap() > 0.9);
    let unstable = fps.iter().find(|f| f["stable"] == false).unwrap();
    assert!(unstable["spectral_radius"].as_f64().unwrap() > 1.0);
    assert!(unstable["nishimori_curvature"].as_f64().unwrap() > 0.0);
}
