//! One 1RSB point at the README's reference point (α = 2, σ² = 0.1, b = 1, ω = 1.5, β = 5):
//! the full solve (every branch from cold starts, Brent in x) and the warm-started Newton
//! solve of a map point, from the state of its neighbour one map step away (Δω = 0.05 or
//! Δβ = 0.25), plain and with the secant prediction of two neighbours.

use criterion::{criterion_group, criterion_main, Criterion};
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rsb::follow::{follow, Seed};
use quantreplica::rsb::{solve, RsbOptions};
use std::hint::black_box;

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

fn bench(c: &mut Criterion) {
    let opts = RsbOptions::default();
    let target = model(1.5, 5.0);
    let seed = |w: f64, b: f64| Seed::of(&solve(&model(w, b), &opts).unwrap().solution);
    let (w1, w2, b1) = (seed(1.45, 5.0), seed(1.40, 5.0), seed(1.5, 4.75));
    // As along a map row: the previous point followed (its Jacobian carried over) and the
    // secant prediction from the two before.
    let f1 = follow(&model(1.45, 5.0), &w2, &opts).unwrap();
    assert!(f1.accepted);
    let carried = Seed::of_followed(&f1).extrapolate(&w2, 1.0);
    let mut g = c.benchmark_group("rsb_point");
    g.sample_size(10);
    g.bench_function("full_solve", |b| {
        b.iter(|| solve(black_box(&target), &opts).unwrap())
    });
    g.bench_function("newton_from_width_neighbour", |b| {
        b.iter(|| follow(black_box(&target), &w1, &opts).unwrap())
    });
    g.bench_function("newton_from_width_secant", |b| {
        let s = w1.extrapolate(&w2, 1.0);
        b.iter(|| follow(black_box(&target), &s, &opts).unwrap())
    });
    g.bench_function("newton_map_row_secant_and_jacobian", |b| {
        b.iter(|| follow(black_box(&target), &carried, &opts).unwrap())
    });
    g.bench_function("newton_from_beta_neighbour", |b| {
        b.iter(|| follow(black_box(&target), &b1, &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
