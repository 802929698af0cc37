//! Warm-started 1RSB ([`rsb::follow`]) against the full solve ([`rsb::solve`], every branch
//! from cold starts and x refined by Brent, here with the root in x tightened to 1e-12): the
//! same state to 1e-9 at the README's reference point and at every point of a row of the
//! (ω, β) map, the saddle-point conditions met to 1e-9 everywhere, and the collapse to RS where
//! RS is AT-stable.

use crate::support::cli;
use crate::support::temp::TempDir;
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rsb::follow::{along, follow, Method, Seed};
use quantreplica::rsb::{self, RsbOptions, RsbPhase, RsbSolution};

fn model(width: f64, beta: f64) -> Model {
    let student = Student::Discrete(LevelSet::uniform(1, width).unwrap());
    Model::new(
        2.0,
        0.1,
        beta,
        0.0,
        student,
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap()
}

fn tight() -> RsbOptions {
    RsbOptions {
        x_tol: 1e-12,
        ..RsbOptions::default()
    }
}

fn assert_same(a: &RsbSolution, b: &RsbSolution, tol: f64, what: &str) {
    let pairs = [
        ("x", a.x, b.x),
        ("m", a.m, b.m),
        ("q0", a.q0, b.q0),
        ("q1", a.q1, b.q1),
        ("Q", a.big_q, b.big_q),
        ("free_entropy", a.free_entropy, b.free_entropy),
        ("gen_error", a.gen_error, b.gen_error),
        (
            "mse_posterior_mean",
            a.mse_posterior_mean,
            b.mse_posterior_mean,
        ),
        ("train_error", a.train_error, b.train_error),
        ("replicon_q1", a.replicon_q1, b.replicon_q1),
    ];
    // s = φ1 + βe is a difference of terms of size |φ1|: compare it at that scale.
    let scale = a.free_entropy.abs().max(b.free_entropy.abs());
    assert!(
        (a.entropy - b.entropy).abs() <= tol * (1.0 + scale),
        "{what}: entropy {} vs {}",
        a.entropy,
        b.entropy
    );
    for (name, u, v) in pairs {
        assert!(
            (u - v).abs() <= tol * (1.0 + u.abs().max(v.abs())),
            "{what}: {name} {u} vs {v}"
        );
    }
    assert_eq!(a.phase, b.phase, "{what}");
}

#[test]
fn newton_from_a_neighbour_reproduces_the_full_solve_at_the_reference_point() {
    let opts = RsbOptions::default();
    let target = model(1.5, 5.0);
    let full = rsb::solve(&target, &tight()).unwrap();
    assert!(full.converged);
    assert_eq!(full.solution.phase, RsbPhase::OneStepRsb);
    // The README's values (docs/rsb.md): x* = 0.244, q0/q1 = 1.581/2.220.
    assert!(
        (full.solution.x - 0.2436).abs() < 1e-3,
        "{}",
        full.solution.x
    );
    for (w, b) in [(1.45, 5.0), (1.5, 4.75), (1.55, 5.25)] {
        let seed = Seed::of(&rsb::solve(&model(w, b), &opts).unwrap().solution);
        let f = follow(&target, &seed, &opts).unwrap();
        // The way a map uses it: the neighbour's Jacobian carried over.
        let g = follow(&target, &Seed::of_followed(&f), &opts).unwrap();
        assert!(g.accepted && g.evaluations < f.evaluations, "{g:?}");
        eprintln!(
            "from ω = {w}, β = {b}: {} Newton steps, {} evaluations, stationarity {:.1e}",
            f.steps, f.evaluations, f.stationarity
        );
        assert!(f.accepted, "from ω = {w}, β = {b}: {f:?}");
        assert!(f.stationarity <= 1e-9, "{}", f.stationarity);
        assert!(f.curvature > 0.0);
        let s = rsb::solution_from(&target, &f.at, RsbPhase::OneStepRsb);
        assert_same(&s, &full.solution, 1e-9, &format!("from ω = {w}, β = {b}"));
    }
}

#[test]
fn a_start_far_from_any_stationary_point_is_not_accepted() {
    // x = 1 with q1 − q0 tiny: Newton either fails or lands on something that is not a
    // resolved minimum with a gap; it must never be accepted as a different state silently.
    let opts = RsbOptions::default();
    let target = model(1.5, 5.0);
    let full = rsb::solve(&target, &opts).unwrap();
    let seed = Seed {
        x: 0.999,
        state: [0.5, 0.3, 0.3 + 1e-9, 2.25],
        jacobian: None,
    };
    if let Ok(f) = follow(&target, &seed, &opts) {
        if f.accepted {
            assert!((f.at.x - full.solution.x).abs() < 1e-7, "{f:?}");
        }
    }
}

#[test]
fn a_row_of_the_map_is_stationary_everywhere_equals_the_full_solve_and_collapses_where_stable() {
    let opts = RsbOptions::default();
    let widths = [0.7, 0.8, 1.0, 1.1, 1.2, 1.3, 1.4];
    let models: Vec<Model> = widths.iter().map(|w| model(*w, 5.0)).collect();
    let steps: Vec<f64> = (0..widths.len())
        .map(|i| {
            if i == 0 {
                0.0
            } else {
                widths[i] - widths[i - 1]
            }
        })
        .collect();
    let row = along(&models, Some(&steps), &[], &opts).unwrap();
    let mut followed = 0;
    let mut stable = 0;
    for ((w, m), p) in widths.iter().zip(&models).zip(&row) {
        let what = format!("ω = {w}");
        eprintln!(
            "{what}: {:?}, stationarity {:.1e}, x = {}",
            p.method, p.stationarity, p.rsb.x
        );
        assert!(p.converged, "{what}");
        assert!(p.stationarity <= 1e-9, "{what}: {}", p.stationarity);
        if p.rs.rs_stable {
            // Collapse to RS: the 1RSB equations at q0 = q1 = q give RS's numbers.
            stable += 1;
            assert_eq!(p.method, Method::RsStable);
            let (r, s) = (&p.rs, &p.rsb);
            assert_eq!(s.phase, RsbPhase::RsCollapsed);
            for (name, u, v) in [
                ("q0", s.q0, r.q),
                ("q1", s.q1, r.q),
                ("m", s.m, r.m),
                ("gen_error", s.gen_error, r.gen_error),
                ("free_entropy", s.free_entropy, r.free_entropy.unwrap()),
                ("entropy", s.entropy, r.entropy.unwrap()),
            ] {
                assert!(
                    (u - v).abs() <= 1e-9 * (1.0 + v.abs()),
                    "{what}: {name} {u} vs {v}"
                );
            }
            // And the full solver agrees that RS is the answer here.
            let full = rsb::solve(m, &opts).unwrap();
            assert_eq!(full.solution.phase, RsbPhase::RsCollapsed, "{what}");
        } else {
            followed += (p.method == Method::Followed) as usize;
            let full = rsb::solve(m, &tight()).unwrap();
            assert!(full.converged, "{what}");
            assert_same(&p.rsb, &full.solution, 1e-9, &what);
        }
    }
    assert!(
        stable >= 1 && followed >= 4,
        "stable {stable}, followed {followed}"
    );
}

#[test]
fn sweep_rsb_reports_1rsb_in_the_rsb_region_and_refuses_what_it_cannot_do() {
    let text = cli::ok(&[
        "sweep",
        "--rsb",
        "--bits",
        "1",
        "--beta",
        "5",
        "--over",
        "width=0.8:1.2:3",
    ])
    .stdout;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    let methods: Vec<&str> = rows.iter().map(|r| r[col("method")].as_str()).collect();
    // ω = 0.8 is AT-stable at β = 5 (AT line at 0.846); 1.0 starts the RSB stretch.
    assert_eq!(methods, ["rs_stable", "full", "followed"]);
    assert_eq!(rows[0][col("rsb.phase")], "rs_collapsed");
    for r in &rows {
        assert!(r[col("stationarity")].parse::<f64>().unwrap() <= 1e-9);
        assert_eq!(r[col("converged")], "true");
    }
    assert_eq!(rows[2][col("rsb.phase")], "one_step_rsb");
    let gap = rows[2][col("rsb.gen_error")].parse::<f64>().unwrap()
        - rows[2][col("rs.gen_error")].parse::<f64>().unwrap();
    assert!(gap < 0.0, "{gap}");
    // No checkpoint file is written (refused before any work); a private path all the same.
    let dir = TempDir::new("rsb-follow");
    let ck = dir.join("x.jsonl");
    for (args, needle) in [
        (
            &["sweep", "--rsb", "--bits", "1", "--over", "width=1,2"][..],
            "beta",
        ),
        (
            &[
                "sweep",
                "--rsb",
                "--bits",
                "1",
                "--beta",
                "5",
                "--over",
                "width=1,2",
                "--checkpoint",
                ck.to_str().unwrap(),
            ][..],
            "--checkpoint",
        ),
    ] {
        cli::bad_input(args, needle);
    }
}
