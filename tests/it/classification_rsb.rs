//! 1RSB with the sign channel through `rsb::solve` (the x scan; `docs/classification.md` §6):
//! it collapses to RS where RS is AT-stable with a non-negative entropy, a continuous 1RSB
//! fixed point of this channel is stationary in every parameter of φ1 (finite differences), and
//! where the frozen branch's complexity at x = 1 is negative the scan reports that branch at the
//! zero of its complexity, the minimum of its φ1 over x.

use quantreplica::model::{Channel, LevelSet, Model, SignChannel, Student, TeacherPrior};
use quantreplica::rs::SolverOptions;
use quantreplica::rsb::frozen::frozen_at;
use quantreplica::rsb::{self, RsbOptions, RsbPhase};

use crate::support::rsb_fd::{fd, NAMES};

fn storage(alpha: f64, beta: f64) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(SignChannel::storage(0.0)),
        beta,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap()
}

/// A 2-bit student of a Gaussian teacher with the ridge prior, α = 4, β = 10: RS is
/// AT-unstable (λ_AT ≈ 1.66) and its entropy negative.
fn two_bits() -> Model {
    Model::with_channel(
        4.0,
        Channel::Sign(SignChannel::teacher()),
        10.0,
        1.0,
        Student::Discrete(LevelSet::uniform(2, 1.0).unwrap()),
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap()
}

#[test]
fn scan_collapses_to_rs_where_rs_is_stable() {
    // ±1 storage, β = 5, α = 0.7 and 1.0: λ_AT < 1 and s_RS > 0.
    for alpha in [0.7, 1.0] {
        let r = rsb::solve(&storage(alpha, 5.0), &RsbOptions::default()).unwrap();
        let s = &r.solution;
        eprintln!(
            "alpha {alpha}: phase {:?} phi1 {} phi_RS {} s_RS {}",
            s.phase,
            s.free_entropy,
            r.rs.free_entropy.unwrap(),
            r.rs.entropy.unwrap()
        );
        assert!(r.converged && r.rs.rs_stable && r.rs.entropy.unwrap() > 0.0);
        assert!(matches!(
            s.phase,
            RsbPhase::RsCollapsed | RsbPhase::RsAtXOne
        ));
        assert!((s.free_entropy - r.rs.free_entropy.unwrap()).abs() < 1e-9);
        assert!((s.q0 - r.rs.q).abs() < 1e-7 && (s.big_q - r.rs.big_q).abs() < 1e-9);
    }
}

#[test]
fn continuous_1rsb_fixed_point_is_stationary_in_every_parameter() {
    // The split start's q1 > q0 branch of the 2-bit model at x = 0.25 (below the frozen cut).
    let m = two_bits();
    let opts = RsbOptions::default();
    let r = rsb::solve_fixed_x(&m, 0.25, &opts).unwrap();
    let s = &r.solution;
    eprintln!(
        "q0 {} q1 {} Q {} status {:?}",
        s.q0, s.q1, s.big_q, s.status
    );
    assert!(r.converged && !r.rs.rs_stable);
    assert!(s.q1 - s.q0 > 0.01 && s.big_q - s.q1 > 1e-3, "{s:?}");
    for (i, name) in NAMES.iter().enumerate() {
        let d = fd(&m, &r.params, i, &opts);
        eprintln!("dphi1/d{name} = {d:.3e}");
        if i == 8 {
            // x is not stationary at a fixed x: the explicit derivative the scan uses.
            assert!(
                (d - s.dphi_dx).abs() < 1e-6 * (1.0 + d.abs()),
                "{d} vs {}",
                s.dphi_dx
            );
        } else {
            assert!(d.abs() < 1e-7, "dphi1/d{name} = {d:e}");
        }
    }
}

#[test]
fn scan_reports_the_frozen_branch_where_its_complexity_at_one_is_negative() {
    let m = two_bits();
    let r = rsb::solve(&m, &RsbOptions::default()).unwrap();
    let s = &r.solution;
    eprintln!(
        "phase {:?} x {} phi1 {} Sigma {} (phi_RS {})",
        s.phase,
        s.x,
        s.free_entropy,
        s.complexity,
        r.rs.free_entropy.unwrap()
    );
    assert_eq!(s.phase, RsbPhase::Frozen);
    assert!(s.x > 0.0 && s.x < 1.0 && s.complexity.abs() < 1e-7);
    assert_eq!(s.q1, s.big_q);
    // Σ(1) is the RS entropy measured without the ridge prior: negative here.
    let so = SolverOptions::default();
    assert!(frozen_at(&m, 1.0, &so).unwrap().complexity < 0.0);
    // x* is the minimum of the frozen φ1 over x (Parisi), by direct evaluation on both sides.
    for dx in [-0.02, 0.02] {
        let side = frozen_at(&m, s.x + dx, &so).unwrap().free_entropy;
        assert!(
            side > s.free_entropy + 1e-7,
            "dx {dx}: {side} vs {}",
            s.free_entropy
        );
    }
    // Zero complexity and one configuration per state: the entropy (without the ridge prior) is 0.
    assert!(m.entropy_without_ridge_prior(s.entropy, s.big_q).abs() < 1e-7);
}
