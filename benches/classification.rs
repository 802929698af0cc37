//! The sign channel's cost: one RS point at finite β (±1 teacher–student, α = 1, β = 5, every
//! start) beside the Gaussian channel's RS point with the same student in the same run, and a
//! 200 × 200 (α, β) phase map of the Ising perceptron (λ_AT and the phase in every cell).

use criterion::{criterion_group, criterion_main, Criterion};
use quantreplica::model::{Channel, LevelSet, Model, SignChannel, Student, TeacherPrior};
use quantreplica::phase::map::phase_grid;
use quantreplica::rs::{solve, SolverOptions};
use std::hint::black_box;
use std::time::Duration;

fn ising(alpha: f64, beta: f64) -> quantreplica::Result<Model> {
    Model::with_channel(
        alpha,
        Channel::Sign(SignChannel::teacher()),
        beta,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0)?),
        TeacherPrior::binary(1.0)?,
    )
}

fn rs_point(c: &mut Criterion) {
    let sign = ising(1.0, 5.0).expect("model");
    let gauss = Model::new(
        1.0,
        0.1,
        5.0,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).expect("levels")),
        TeacherPrior::binary(1.0).expect("teacher"),
    )
    .expect("model");
    let opts = SolverOptions::default();
    let mut g = c.benchmark_group("rs_point_pm1_alpha1_beta5");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("sign_channel", |b| {
        b.iter(|| black_box(solve(&sign, &opts)))
    });
    g.bench_function("gaussian_channel", |b| {
        b.iter(|| black_box(solve(&gauss, &opts)))
    });
    g.finish();
}

fn phase_map(c: &mut Criterion) {
    let n = 200;
    let alphas: Vec<f64> = (0..n)
        .map(|i| 0.1 + 2.4 * i as f64 / (n - 1) as f64)
        .collect();
    let betas: Vec<f64> = (0..n)
        .map(|i| (0.5f64.ln() + (50f64 / 0.5).ln() * i as f64 / (n - 1) as f64).exp())
        .collect();
    let mut g = c.benchmark_group("ising_phase_map");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    g.bench_function("alpha_beta_200x200", |b| {
        b.iter(|| black_box(phase_grid(&alphas, &betas, &ising).expect("map")))
    });
    g.finish();
}

criterion_group!(benches, rs_point, phase_map);
criterion_main!(benches);
