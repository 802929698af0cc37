//! One RS point at β = ∞ and at finite β, for b = 2, 4, 8 (the README quotes these numbers).

use criterion::{criterion_group, criterion_main, Criterion};
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rs::{solve, SolverOptions};
use std::hint::black_box;

fn model(bits: u32, beta: f64) -> Model {
    // Width near the Max optimum for each b, a typical learning point.
    let width = match bits {
        2 => 1.5,
        4 => 2.5,
        _ => 3.9,
    };
    let student = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
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

fn bench(c: &mut Criterion) {
    let opts = SolverOptions::default();
    let mut g = c.benchmark_group("rs_point");
    g.sample_size(20);
    for bits in [2u32, 4, 8] {
        let m = model(bits, f64::INFINITY);
        g.bench_function(format!("beta_inf_b{bits}"), |b| {
            b.iter(|| solve(black_box(&m), &opts))
        });
        let m = model(bits, 5.0);
        g.bench_function(format!("beta5_b{bits}"), |b| {
            b.iter(|| solve(black_box(&m), &opts))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
