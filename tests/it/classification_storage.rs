//! Storage with a zero level (ternary / midtread students, `docs/classification.md` §9): the
//! normalized margin makes the error count scale-free, so no norm constraint is needed and the
//! RS saddle point sits at an interior self-overlap `Q`, the same from every start, with every
//! observable independent of the width ω.

use quantreplica::model::{Channel, LevelSet, Model, SignChannel, Student, TeacherPrior};
use quantreplica::rs::{solve_from, RsSolution, SolverOptions};

fn ternary(width: f64, alpha: f64, beta: f64, margin: f64) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(SignChannel::storage(margin)),
        beta,
        0.0,
        Student::Discrete(LevelSet::new(vec![-width, 0.0, width], None).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap()
}

fn from(m: &Model, start: [f64; 3]) -> RsSolution {
    let s = solve_from(m, start, &SolverOptions::default()).expect("a fixed point");
    assert!(s.status.is_converged(), "{:?}", s.status);
    s
}

#[test]
fn ternary_storage_has_an_interior_norm_independent_of_start_and_width() {
    for (beta, margin) in [(f64::INFINITY, 0.0), (f64::INFINITY, 0.3), (4.0, 0.0)] {
        let m1 = ternary(1.0, 0.5, beta, margin);
        let a = from(&m1, [0.0, 0.05, 0.2]);
        let b = from(&m1, [0.0, 0.5, 0.95]);
        // Interior: neither the zero vector (Q = 0) nor all weights nonzero (Q = 1).
        assert!(a.big_q > 0.05 && a.big_q < 0.99, "Q = {}", a.big_q);
        assert!((a.big_q - b.big_q).abs() < 1e-8 && (a.q - b.q).abs() < 1e-8);
        // ω is a gauge: Q scales as ω², the direction observables and the entropy do not move.
        let w = 2.5;
        let c = from(
            &ternary(w, 0.5, beta, margin),
            [0.0, 0.3 * w * w, 0.6 * w * w],
        );
        assert!(
            (c.big_q / (w * w) - a.big_q).abs() < 1e-8,
            "{} {}",
            c.big_q,
            a.big_q
        );
        assert!((c.q / c.big_q - a.q / a.big_q).abs() < 1e-8);
        let (fa, fc) = (a.free_entropy.unwrap(), c.free_entropy.unwrap());
        assert!((fa - fc).abs() < 1e-8, "{fa} {fc}");
        assert!((a.train_error - c.train_error).abs() < 1e-9);
        // A counting-measure entropy between 0 and log 3 below capacity.
        let s = a.entropy.unwrap();
        assert!(s > 0.0 && s < 3f64.ln(), "{s}");
    }
}

/// The zero level's weight is set by the entropy alone: at α → 0 (no constraint) the RS state
/// is the uniform measure on {−1, 0, 1}, `Q = 2/3`, `q = 0`, entropy log 3.
#[test]
fn ternary_storage_small_alpha_is_the_uniform_measure() {
    let a = from(&ternary(1.0, 1e-4, f64::INFINITY, 0.0), [0.0, 0.1, 0.5]);
    assert!((a.big_q - 2.0 / 3.0).abs() < 1e-3, "{}", a.big_q);
    assert!(a.q < 1e-3);
    assert!((a.entropy.unwrap() - 3f64.ln()).abs() < 1e-3);
}
