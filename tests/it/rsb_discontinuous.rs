//! A discontinuous (frozen) 1RSB transition that the split-RS start cannot reach.
//!
//! α = 0.5, σ² = 0.1, b = 1 (levels ±1.5), β = 20, Gaussian teacher: RS is AT-stable
//! (λ_AT ≈ 0.53) but its entropy is negative (≈ −0.095). A 1RSB branch with `q1 ≈ Q` (states
//! are single configurations) exists at every x from 1 down to ≈ 0.4; from the split RS start the
//! iteration collapses onto RS at every x, so the old solver reported RS. The references are the
//! RS solver (independent code): in the frozen limit the 1RSB equations at (β, x) are the RS
//! equations at β' = xβ, so x* ≈ β_K/β with s_RS(β_K) = 0, and Σ(1) equals the RS entropy.

use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::optimize::brent_root;
use quantreplica::rs;
use quantreplica::rsb::{self, Origin, RsbOptions, RsbPhase, StationaryKind};

use crate::support::rsb_fd::{fd, NAMES};

fn model(alpha: f64, width: f64, beta: f64) -> Model {
    let student = Student::Discrete(LevelSet::uniform(1, width).unwrap());
    Model::new(
        alpha,
        0.1,
        beta,
        0.0,
        student,
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap()
}

#[test]
fn frozen_branch_unreachable_from_split_start_is_found_and_stationary() {
    let (alpha, width, beta) = (0.5, 1.5, 20.0);
    let m = model(alpha, width, beta);
    let opts = RsbOptions::default();
    let r = rsb::solve(&m, &opts).unwrap();
    let s = &r.solution;
    let rs_entropy = r.rs.entropy.unwrap();
    eprintln!(
        "x* = {:.6}, q0 = {:.6}, q1 = {:.6}, phi1 = {:.9} (RS {:.9}), s = {:.3e} (RS {:.4}), \
         lambda_AT = {:.3}, replicon_q1 = {:.3}",
        s.x,
        s.q0,
        s.q1,
        s.free_entropy,
        r.rs.free_entropy.unwrap(),
        s.entropy,
        rs_entropy,
        r.rs.at_eigenvalue,
        s.replicon_q1
    );
    assert!(r.converged, "{r:?}");
    // RS is AT-stable: the transition is not the continuous (AT) one.
    assert!(r.rs.rs_stable && r.rs.at_eigenvalue < 0.6);
    assert_eq!(s.phase, RsbPhase::OneStepRsb);
    assert!(s.x > 0.5 && s.x < 0.8, "{s:?}");
    // q1 − q0 jumps to O(1), with q1 within 1e-3 of Q (frozen states).
    assert!(s.q1 - s.q0 > 1.5 && s.big_q - s.q1 < 1e-3, "{s:?}");
    let b = &r.branches[r.chosen_branch.unwrap()];
    assert_ne!(b.origin, Origin::SplitStart);
    assert!(b.attached_to_rs && b.x_max == 1.0, "{b:?}");
    assert!(r
        .stationary
        .iter()
        .any(|p| p.kind == StationaryKind::Minimum && p.converged && (p.x - s.x).abs() < 1e-9));
    // Parisi: φ1(x*) < φ1(1) = φ_RS; the entropy crisis of RS is repaired, and the 1RSB state is
    // stable inside its states.
    assert!(s.free_entropy < r.rs.free_entropy.unwrap() - 0.01);
    assert!(rs_entropy < -0.05, "{rs_entropy}");
    assert!(
        s.entropy >= 0.0 && s.entropy < 1e-3 && !s.entropy_violation,
        "{s:?}"
    );
    assert!(s.replicon_q1 < 1.0);
    assert!(s.complexity.abs() < 1e-8);

    // Stationary in every order parameter, conjugate and x.
    for (i, name) in NAMES.iter().enumerate() {
        let d = fd(&m, &r.params, i, &opts);
        eprintln!("dphi1/d{name} = {d:.3e}");
        assert!(d.abs() < 1e-7, "dphi1/d{name} = {d:e} at {:?}", r.params);
    }

    // The old search (split RS start and warm starts only) finds nothing: every x collapses,
    // including x* itself.
    let old = RsbOptions {
        gap_starts: false,
        ..RsbOptions::default()
    };
    let o = rsb::solve(&m, &old).unwrap();
    assert_eq!(o.solution.phase, RsbPhase::RsCollapsed);
    assert!(o.branches.is_empty(), "{:?}", o.branches);
    let split = rsb::solve_at_x(&m, s.x, rsb::split_start(&r.rs), &opts).unwrap();
    assert!(
        split.status.is_converged() && split.gap() < 1e-6,
        "{split:?}"
    );

    // Frozen limit against RS (independent code): Σ(1) on the branch is the RS entropy, and
    // x* β is where the RS entropy vanishes, with q0 and m the RS overlaps there.
    let sigma1 = b.complexity_at_x_one.unwrap();
    assert!(
        (sigma1 - rs_entropy).abs() < 1e-4,
        "{sigma1} vs {rs_entropy}"
    );
    let rs_at = |bp: f64| rs::solve(&model(alpha, width, bp), &Default::default()).equilibrium;
    let beta_k = brent_root(|bp| rs_at(bp).entropy.unwrap(), 10.0, 18.0, 1e-6).unwrap();
    eprintln!("beta_K = {beta_k:.4}, x* beta = {:.4}", s.x * beta);
    assert!((s.x * beta - beta_k).abs() < 0.05);
    let at = rs_at(s.x * beta);
    assert!(
        (at.q - s.q0).abs() < 1e-4 && (at.m - s.m).abs() < 1e-4,
        "{at:?}"
    );
}

#[test]
fn rs_stable_point_with_positive_entropy_still_collapses() {
    // Same temperature and α, narrower levels: RS stable with positive entropy. The large-gap
    // starts run at every x and must not invent a state.
    let m = model(0.5, 0.8, 20.0);
    let r = rsb::solve(&m, &RsbOptions::default()).unwrap();
    let (s, rs) = (&r.solution, &r.rs);
    assert!(r.converged && rs.rs_stable && rs.entropy.unwrap() > 0.0);
    assert_eq!(s.phase, RsbPhase::RsCollapsed, "{:?}", r.branches);
    assert_eq!(r.chosen_branch, None);
    let close = |a: f64, b: f64, what: &str| assert!((a - b).abs() < 1e-7, "{what}: {a} vs {b}");
    close(s.q1, rs.q, "q1");
    close(s.q0, rs.q, "q0");
    close(s.free_entropy, rs.free_entropy.unwrap(), "free entropy");
    close(s.entropy, rs.entropy.unwrap(), "entropy");
    close(s.replicon_q1, rs.at_eigenvalue, "replicon_q1 vs lambda_AT");
}
