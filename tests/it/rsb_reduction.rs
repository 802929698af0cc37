//! 1RSB reduces to RS: exactly at x = 1 (any state, any point), and by collapse (q1 = q0 = q_RS)
//! where RS is AT-stable. References are the RS code (`rs::finite`, `rs::solve`), independent of
//! the 1RSB quadrature.

use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::quad::Tolerance;
use quantreplica::rs::{self, finite};
use quantreplica::rsb::channel::{conjugates, energetic, free_entropy, Params};
use quantreplica::rsb::{self, RsbOptions, RsbPhase};

fn model(alpha: f64, bits: u32, width: f64, beta: f64, ridge: f64, teacher: TeacherPrior) -> Model {
    let student = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
    Model::new(alpha, 0.1, beta, ridge, student, teacher).unwrap()
}

const TOL: Tolerance = Tolerance {
    abs: 1e-13,
    rel: 1e-13,
    max_intervals: 20_000,
};

#[test]
fn x_equal_one_is_rs_at_any_state() {
    // At x = 1 the z1 average of Z is an RS partition function with precision m̂ = αβ/D0: φ1 and
    // the (m, q0, Q) part of the map equal RS at (m, q0, Q), whatever q1 is. The first state has
    // a tilt x·max|s|·sqrt(q̂1 − q̂0) ≈ 12 standard deviations, so this also tests the inner range.
    let cases = [
        (
            model(2.0, 1, 3.0, 10.0, 0.0, TeacherPrior::gaussian(1.0).unwrap()),
            [1.0, 8.0, 8.99, 9.0],
        ),
        (
            model(2.0, 1, 1.5, 20.0, 0.0, TeacherPrior::gaussian(1.0).unwrap()),
            [0.8, 1.5, 2.1, 2.25],
        ),
        (
            model(
                2.0,
                2,
                2.5,
                5.0,
                0.05,
                TeacherPrior::sparse(0.5, 1.0).unwrap(),
            ),
            [0.7, 0.9, 1.2, 1.4],
        ),
        (
            model(0.7, 3, 2.0, 3.0, 0.0, TeacherPrior::binary(1.0).unwrap()),
            [0.3, 0.4, 0.8, 1.1],
        ),
    ];
    let opts = RsbOptions::default();
    let mut max_tilt: f64 = 0.0;
    for (m, [mm, q0, q1, big_q]) in cases {
        let en = energetic(&m, 1.0, mm, q0, q1, big_q).unwrap();
        let hat = conjugates(&m, &en);
        let tilt = 1.0
            * m.student.levels().unwrap().values().last().unwrap()
            * (hat.q1_hat - hat.q0_hat).sqrt();
        let p = Params {
            big_q,
            q1,
            q0,
            m: mm,
            hat,
            x: 1.0,
        };
        let phi1 = free_entropy(&m, &p, opts.quad).unwrap();
        let phi_rs = finite::observables(&m, mm, q0, big_q, TOL)
            .unwrap()
            .free_entropy;
        eprintln!("tilt {tilt:.2}: phi1(x=1) = {phi1:.12}, phi_RS = {phi_rs:.12}");
        max_tilt = max_tilt.max(tilt);
        assert!(
            (phi1 - phi_rs).abs() < 1e-9 * (1.0 + phi_rs.abs()),
            "{phi1} vs {phi_rs}"
        );
        let g1 = rsb::map(&m, 1.0, &[mm, q0, q1, big_q], opts.quad).unwrap();
        let g0 = finite::map(&m, &[mm, q0, big_q], TOL).unwrap();
        for (a, b) in [(g1[0], g0[0]), (g1[1], g0[1]), (g1[3], g0[2])] {
            assert!((a - b).abs() < 1e-9, "map {g1:?} vs RS {g0:?}");
        }
    }
    assert!(max_tilt > 10.0, "{max_tilt}");
}

#[test]
fn rs_stable_points_collapse_onto_rs() {
    let cases = [
        model(2.0, 2, 1.5, 5.0, 0.0, TeacherPrior::gaussian(1.0).unwrap()),
        model(2.0, 1, 1.0, 2.0, 0.0, TeacherPrior::gaussian(1.0).unwrap()),
        model(2.0, 2, 2.5, 5.0, 0.05, TeacherPrior::binary(1.0).unwrap()),
    ];
    for m in cases {
        let rs = rs::solve(&m, &Default::default()).equilibrium;
        assert!(rs.rs_stable, "test point must be RS-stable: {rs:?}");
        let r = rsb::solve(&m, &RsbOptions::default()).unwrap();
        let s = &r.solution;
        eprintln!(
            "lambda_AT {:.3}: phase {:?}, q1 - q0 = {:.2e}",
            rs.at_eigenvalue,
            s.phase,
            s.q1 - s.q0
        );
        assert!(r.converged);
        assert!(
            matches!(s.phase, RsbPhase::RsCollapsed | RsbPhase::RsAtXOne),
            "{s:?}"
        );
        let close =
            |a: f64, b: f64, what: &str| assert!((a - b).abs() < 1e-7, "{what}: {a} vs RS {b}");
        if s.phase == RsbPhase::RsCollapsed {
            close(s.q1, rs.q, "q1");
            close(s.q0, rs.q, "q0");
        } else {
            assert_eq!(s.x, 1.0);
            close(s.q0, rs.q, "q0");
        }
        close(s.m, rs.m, "m");
        close(s.big_q, rs.big_q, "Q");
        close(s.free_entropy, rs.free_entropy.unwrap(), "free entropy");
        close(s.gen_error, rs.gen_error, "gen_error");
        close(
            s.mse_posterior_mean,
            rs.mse_posterior_mean,
            "mse_posterior_mean",
        );
        close(s.train_error, rs.train_error, "train_error");
        close(s.energy, rs.energy, "energy");
        close(s.entropy, rs.entropy.unwrap(), "entropy");
    }
}
