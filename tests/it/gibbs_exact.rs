//! The Gibbs sampler against exact enumeration of all K^N configurations (N ≤ 10).
//!
//! How agreement is measured: see `support::gibbs` (16 independent two-replica runs on one
//! instance, every average within 4 standard errors of the exact value); here also the width
//! of P(q).

use crate::support::gibbs::against_enumeration;
use quantreplica::gibbs::{self, GibbsOptions};
use quantreplica::instance;
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::validate::mean_stderr;

fn check(model: &Model, n: usize, opts: &GibbsOptions) {
    // Gaussian channel: the teacher is known, so gen_error and m are checked too.
    let (ex, runs) = against_enumeration(model, n, opts, 500);
    assert!(ex.gen_error.is_some() && ex.m.is_some());
    // The width of P(q): the per-chain standard deviation of q is a slightly biased estimator
    // (finite run length), so allow 4 standard errors plus 2% of the exact width.
    let (w, se) = mean_stderr(&runs.iter().map(|r| r.overlap_std).collect::<Vec<_>>());
    eprintln!(
        "N={n} overlap_std: sampler {w:.5} ± {se:.5}, exact {:.5}",
        ex.overlap_std
    );
    assert!(
        (w - ex.overlap_std).abs() <= 4.0 * se + 0.02 * ex.overlap_std,
        "overlap std {w} ± {se} vs {}",
        ex.overlap_std
    );
}

fn model(student: Student, beta: f64, ridge: f64, teacher: TeacherPrior) -> Model {
    Model::new(2.0, 0.1, beta, ridge, student, teacher).unwrap()
}

const OPTS: GibbsOptions = GibbsOptions {
    burn_in: 200,
    sweeps: 4000,
    temperatures: 1,
    beta_min: 0.5,
};

#[test]
fn two_bit_student_n8_matches_enumeration() {
    let m = model(
        Student::Discrete(LevelSet::uniform(2, 1.5).unwrap()),
        2.0,
        0.0,
        TeacherPrior::gaussian(1.0).unwrap(),
    );
    check(&m, 8, &OPTS);
}

#[test]
fn binary_student_n10_low_temperature_matches_enumeration() {
    let m = model(
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        5.0,
        0.0,
        TeacherPrior::binary(1.0).unwrap(),
    );
    check(&m, 10, &OPTS);
}

#[test]
fn weighted_levels_with_ridge_match_enumeration() {
    let l = LevelSet::new(vec![-1.0, 0.0, 1.0], Some(vec![1.0, 3.0, 1.0])).unwrap();
    let m = model(
        Student::Discrete(l),
        3.0,
        0.3,
        TeacherPrior::gaussian(1.0).unwrap(),
    );
    check(&m, 8, &OPTS);
}

#[test]
fn parallel_tempering_samples_the_same_measure() {
    let m = model(
        Student::Discrete(LevelSet::uniform(1, 1.5).unwrap()),
        8.0,
        0.0,
        TeacherPrior::gaussian(1.0).unwrap(),
    );
    check(
        &m,
        10,
        &GibbsOptions {
            burn_in: 200,
            sweeps: 3000,
            temperatures: 4,
            beta_min: 1.0,
        },
    );
}

#[test]
fn enumeration_refuses_too_many_states() {
    let m = model(
        Student::Discrete(LevelSet::uniform(4, 1.0).unwrap()),
        2.0,
        0.0,
        TeacherPrior::gaussian(1.0).unwrap(),
    );
    let inst = instance::generate(&m, 12, 1).unwrap();
    assert!(matches!(
        gibbs::enumerate(&m, &inst),
        Err(quantreplica::Error::Input(_))
    ));
}
