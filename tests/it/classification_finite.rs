//! The sign channel in the finite-size engines (`docs/classification.md` §8, §10):
//!
//! - the Gibbs sampler with the error-count energy (margin at `κ√Q`, the ridge as a prior
//!   factor, a zero level) against exact enumeration of every configuration of the same instance;
//! - GAMP with the sign channel's output function at N = 2000 against its state evolution, at
//!   points where RS is stable, error bars from independent instances;
//! - the teacher overlap of random labels refused with one line.

use crate::support::gibbs::against_enumeration;
use quantreplica::amp::{self, AmpOptions, AmpResult};
use quantreplica::gibbs::GibbsOptions;
use quantreplica::instance;
use quantreplica::model::{Channel, Labels, LevelSet, Model, SignChannel, Student, TeacherPrior};
use quantreplica::validate::{mean_stderr, run_amp, RunSpec, Source};
use rayon::prelude::*;

fn sign_model(
    alpha: f64,
    ch: SignChannel,
    beta: f64,
    ridge: f64,
    student: Student,
    teacher: TeacherPrior,
) -> Model {
    Model::with_channel(alpha, Channel::Sign(ch), beta, ridge, student, teacher).unwrap()
}

/// 16 independent two-replica runs on one instance against its exact enumeration
/// (`support::gibbs`): every average within 4 standard errors.
fn gibbs_against_enumeration(model: &Model, n: usize, opts: &GibbsOptions) {
    against_enumeration(model, n, opts, 900);
}

const GIBBS: GibbsOptions = GibbsOptions {
    burn_in: 200,
    sweeps: 4000,
    temperatures: 1,
    beta_min: 0.5,
};

#[test]
fn gibbs_matches_enumeration_with_margin_flips_zero_level_and_prior_ridge() {
    // Ternary student with level weights and the ridge as a prior factor; noisy teacher labels;
    // margin κ = 0.3 at √Q (Q changes with every move through the zero level).
    let levels = LevelSet::new(vec![-1.0, 0.0, 1.0], Some(vec![1.0, 2.0, 1.0])).unwrap();
    let m = sign_model(
        1.5,
        SignChannel::new(0.1, 0.3, Labels::Teacher).unwrap(),
        3.0,
        0.4,
        Student::Discrete(levels),
        TeacherPrior::gaussian(1.0).unwrap(),
    );
    gibbs_against_enumeration(&m, 8, &GIBBS);
}

#[test]
fn gibbs_matches_enumeration_for_storage_with_a_negative_margin() {
    // Random labels, 2-bit student (Q varies between 1/9 and 1), κ = −0.2, low temperature.
    let m = sign_model(
        1.0,
        SignChannel::storage(-0.2),
        4.0,
        0.0,
        Student::Discrete(LevelSet::uniform(2, 1.0).unwrap()),
        TeacherPrior::gaussian(1.0).unwrap(),
    );
    gibbs_against_enumeration(&m, 8, &GIBBS);
}

/// AMP on `seeds` instances of size `n`, and its state evolution's fixed point.
fn amp_runs(model: &Model, n: usize, seeds: u64, opts: &AmpOptions) -> Vec<AmpResult> {
    (0..seeds)
        .into_par_iter()
        .map(|s| {
            let inst = instance::generate(model, n, 40 + s).unwrap();
            amp::run(model, &inst, opts).unwrap()
        })
        .collect()
}

/// AMP's overlaps and errors against state evolution: within 3 standard errors over instances
/// plus `allow` (finite-N bias).
fn amp_against_se(model: &Model, n: usize, seeds: u64, opts: &AmpOptions, allow: f64) {
    let (se, status) = amp::se_fixed_point(model, 5000, 1e-12).unwrap();
    assert!(status.is_converged(), "SE: {status:?}");
    let runs = amp_runs(model, n, seeds, opts);
    for r in &runs {
        assert!(
            r.status.is_converged(),
            "AMP: {:?} after {}",
            r.status,
            r.iterations
        );
    }
    let rho = model.rho();
    let ch = &model.channel;
    let mut cases: Vec<(&str, f64, Vec<f64>)> = vec![
        ("q", se.q, runs.iter().map(|r| r.q).collect()),
        ("Q", se.big_q, runs.iter().map(|r| r.big_q).collect()),
    ];
    if let Some(m) = runs[0].m {
        let _ = m;
        cases.push(("m", se.m, runs.iter().map(|r| r.m.unwrap()).collect()));
        cases.push((
            "error of the posterior mean",
            ch_gen(ch, rho, se.m, se.q),
            runs.iter().map(|r| r.mse_posterior_mean.unwrap()).collect(),
        ));
        cases.push((
            "gen_error",
            ch_gen(ch, rho, se.m, se.big_q),
            runs.iter().map(|r| r.gen_error.unwrap()).collect(),
        ));
    }
    for (name, want, v) in cases {
        let (mean, err) = mean_stderr(&v);
        eprintln!(
            "N={n} {name}: AMP {mean:.5} ± {err:.5}, SE {want:.5}, iterations {:?}",
            runs.iter().map(|r| r.iterations).collect::<Vec<_>>()
        );
        assert!(
            (mean - want).abs() <= 3.0 * err + allow,
            "{name}: AMP {mean} ± {err} vs SE {want}"
        );
    }
}

fn ch_gen(ch: &Channel, rho: f64, m: f64, norm2: f64) -> f64 {
    use quantreplica::model::OutputChannel;
    ch.gen_error(rho, m, norm2)
}

#[test]
fn amp_follows_state_evolution_bayes_optimal_binary_perceptron() {
    // ±1 teacher and student at β = ∞ (the Bayes posterior), α = 1: the poor-generalization
    // branch, RS-stable (Nishimori line).
    let m = sign_model(
        1.0,
        SignChannel::teacher(),
        f64::INFINITY,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    );
    amp_against_se(&m, 2000, 6, &AmpOptions::default(), 2e-3);
}

/// Beyond the spinodal of the poor branch (α_alg = 1.4926), state evolution of the ±1
/// perceptron at β = ∞ runs to perfect generalization (m = q = Q = 1) and GAMP at N = 2000 follows
/// it: every seed converges to ε_g ≈ 0 (it stops when its marginals are point masses to the
/// instance's resolution; before, A_i collapsed there and the next update returned the prior,
/// ε_g = 0.5).
#[test]
fn amp_reaches_perfect_generalization_beyond_the_spinodal() {
    for alpha in [1.6, 2.0] {
        let m = sign_model(
            alpha,
            SignChannel::teacher(),
            f64::INFINITY,
            0.0,
            Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
            TeacherPrior::binary(1.0).unwrap(),
        );
        // State evolution ends at the edge of its domain (q = Q: reported as unphysical).
        let (se, _) = amp::se_fixed_point(&m, 5000, 1e-12).unwrap();
        assert!(se.m > 1.0 - 1e-9, "SE at alpha {alpha}: m = {}", se.m);
        let runs = amp_runs(&m, 2000, 6, &AmpOptions::default());
        for r in &runs {
            assert!(r.status.is_converged(), "alpha {alpha}: {:?}", r.status);
        }
        let cases: [(&str, f64, Vec<f64>); 4] = [
            ("m", 1.0, runs.iter().map(|r| r.m.unwrap()).collect()),
            ("Q", 1.0, runs.iter().map(|r| r.big_q).collect()),
            (
                "gen_error",
                0.0,
                runs.iter().map(|r| r.gen_error.unwrap()).collect(),
            ),
            (
                "error of the posterior mean",
                0.0,
                runs.iter().map(|r| r.mse_posterior_mean.unwrap()).collect(),
            ),
        ];
        for (name, want, v) in cases {
            let (mean, err) = mean_stderr(&v);
            eprintln!("alpha {alpha} N=2000 {name}: AMP {mean:.3e} ± {err:.1e}, SE {want}");
            assert!(
                (mean - want).abs() <= 3.0 * err + 1e-3,
                "{name}: {mean} ± {err}"
            );
        }
    }
}

#[test]
fn amp_follows_state_evolution_with_margin_flips_and_two_bits() {
    let m = sign_model(
        2.0,
        SignChannel::new(0.1, 0.5, Labels::Teacher).unwrap(),
        3.0,
        0.0,
        Student::Discrete(LevelSet::uniform(2, 1.0).unwrap()),
        TeacherPrior::gaussian(1.0).unwrap(),
    );
    let rs = quantreplica::validate::theory(&m);
    eprintln!("RS: {rs:?}");
    amp_against_se(&m, 2000, 6, &AmpOptions::default(), 2e-3);
}

#[test]
fn amp_follows_state_evolution_storage() {
    let m = sign_model(
        0.5,
        SignChannel::storage(0.0),
        f64::INFINITY,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    );
    amp_against_se(&m, 2000, 6, &AmpOptions::default(), 2e-3);
}

#[test]
fn random_labels_have_no_teacher_overlap_for_amp() {
    let m = sign_model(
        0.5,
        SignChannel::storage(0.0),
        f64::INFINITY,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    );
    let spec = RunSpec {
        source: Source::Generated { n: 50 },
        seeds: 1,
        base_seed: 1,
        progress: false,
    };
    let e = run_amp(&m, &spec, &AmpOptions::default()).unwrap_err();
    let msg = e.to_string();
    eprintln!("{msg}");
    assert!(
        !msg.contains('\n') && msg.contains("random labels"),
        "{msg}"
    );
}
