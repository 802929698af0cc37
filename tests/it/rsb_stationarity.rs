//! 1RSB saddle point (THEORY.md §4): φ1, written as a function of every order parameter and
//! conjugate independently, must be stationary in each of them at the fixed point of the map,
//! and in x at the x chosen by the solver. The map is computed from the averages (not from
//! derivatives of φ1), so this is an independent check of the equations *and* of the nested
//! quadrature (the test that catches a z1 range that misses the tilted measure).

use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rsb::{self, RsbOptions, RsbPhase};

use crate::support::rsb_fd::{fd, NAMES};

fn model(
    alpha: f64,
    noise: f64,
    bits: u32,
    width: f64,
    beta: f64,
    ridge: f64,
    teacher: TeacherPrior,
) -> Model {
    let student = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
    Model::new(alpha, noise, beta, ridge, student, teacher).unwrap()
}

#[test]
fn binary_student_rsb_point_is_stationary_in_everything_including_x() {
    // α = 2, σ² = 0.1, b = 1, ω = 1.5, β = 5: λ_AT ≈ 3.74, RS entropy negative.
    let m = model(
        2.0,
        0.1,
        1,
        1.5,
        5.0,
        0.0,
        TeacherPrior::gaussian(1.0).unwrap(),
    );
    let opts = RsbOptions::default();
    let r = rsb::solve(&m, &opts).unwrap();
    let s = &r.solution;
    assert!(r.converged, "{r:?}");
    assert!(r.rs.at_eigenvalue > 3.0 && !r.rs.rs_stable);
    assert_eq!(s.phase, RsbPhase::OneStepRsb);
    assert!(s.q1 - s.q0 > 0.1 && s.x > 0.05 && s.x < 0.95, "{s:?}");
    // Parisi: φ1(x*) is the minimum over x of φ1, and φ1(1) = φ_RS, so φ1 < φ_RS.
    assert!(s.free_entropy < r.rs.free_entropy.unwrap() - 1e-3);
    // RS has negative entropy here; 1RSB repairs it.
    assert!(
        r.rs.entropy.unwrap() < -0.05 && s.entropy >= 0.0 && !s.entropy_violation,
        "{s:?}"
    );
    assert!(s.complexity.abs() < 1e-8);
    for (i, name) in NAMES.iter().enumerate() {
        let d = fd(&m, &r.params, i, &opts);
        eprintln!("dphi1/d{name} = {d:.3e}");
        assert!(d.abs() < 1e-7, "dphi1/d{name} = {d:e} at {:?}", r.params);
    }
    // The explicit ∂φ1/∂x the solver uses against the finite difference, away from x*.
    let mut p = r.params;
    p.x = 0.5;
    let en = quantreplica::rsb::channel::energetic(&m, p.x, p.m, p.q0, p.q1, p.big_q).unwrap();
    let av = quantreplica::rsb::channel::averages(&m, &p.hat, p.x, opts.quad).unwrap();
    let exact = quantreplica::rsb::channel::dphi_dx(&m, &p, &en, &av);
    let num = fd(&m, &p, 8, &opts);
    assert!(
        (exact - num).abs() < 1e-7 * (1.0 + exact.abs()),
        "{exact} vs {num}"
    );
}

#[test]
fn energy_is_minus_dphi1_dbeta() {
    // Total derivative along the fixed-x solution (x* is stationary, so fixing it costs nothing
    // to first order) against e = (α/2) ε_t + (λ/2) Q with ε_t from the energetic term.
    let teacher = TeacherPrior::sparse(0.5, 1.0).unwrap();
    let beta = 6.0;
    let opts = RsbOptions::default();
    let x = 0.6;
    let m0 = model(2.0, 0.1, 2, 2.5, beta, 0.05, teacher.clone());
    let base = rsb::solve_fixed_x(&m0, x, &opts).unwrap();
    assert_eq!(base.solution.phase, RsbPhase::OneStepRsb);
    let s = &base.solution;
    let start = [s.m, s.q0, s.q1, s.big_q];
    let h = 1e-3;
    let phi = |b: f64| {
        let mb = model(2.0, 0.1, 2, 2.5, b, 0.05, teacher.clone());
        let a = rsb::solve_at_x(&mb, x, start, &opts).unwrap();
        assert!(a.status.is_converged());
        a.free_entropy
    };
    let num = -(phi(beta + h) - phi(beta - h)) / (2.0 * h);
    assert!(
        (num - s.energy).abs() < 1e-6,
        "e = {} vs -dphi/dbeta = {num}",
        s.energy
    );
}

#[test]
fn sparse_teacher_ridge_two_bits_stationary_at_fixed_x() {
    // Gaussian + point-mass teacher components, ridge λ > 0, 4 levels; λ_AT ≈ 1.41.
    let m = model(
        2.0,
        0.1,
        2,
        2.5,
        6.0,
        0.05,
        TeacherPrior::sparse(0.5, 1.0).unwrap(),
    );
    let opts = RsbOptions::default();
    let r = rsb::solve_fixed_x(&m, 0.6, &opts).unwrap();
    assert!(r.converged && r.rs.at_eigenvalue > 1.2);
    assert!(r.solution.q1 - r.solution.q0 > 0.05, "{:?}", r.solution);
    for (i, name) in NAMES.iter().enumerate().take(8) {
        let d = fd(&m, &r.params, i, &opts);
        eprintln!("dphi1/d{name} = {d:.3e}");
        assert!(d.abs() < 1e-7, "dphi1/d{name} = {d:e}");
    }
}
