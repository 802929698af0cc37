//! Cost of one AMP iteration at N = 4000, α = 2 against two dense matrix–vector products of
//! the same size (measured in the same run), and of one Gibbs sweep against M·N.

use criterion::{criterion_group, criterion_main, Criterion};
use nalgebra::DVector;
use quantreplica::amp::{Amp, AmpOptions};
use quantreplica::gibbs::Chain;
use quantreplica::instance::{self, rng_for};
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use std::hint::black_box;
use std::time::Duration;

fn model(beta: f64) -> Model {
    let s = Student::Discrete(LevelSet::uniform(2, 1.5).expect("levels"));
    Model::new(
        2.0,
        0.1,
        beta,
        0.0,
        s,
        TeacherPrior::gaussian(1.0).expect("teacher"),
    )
    .expect("model")
}

fn amp_iteration(c: &mut Criterion) {
    let md = model(5.0);
    let inst = instance::generate(&md, 4000, 1).expect("instance");
    let mut g = c.benchmark_group("amp_n4000_alpha2");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    let mut amp = Amp::new(&md, &inst, &AmpOptions::default()).expect("amp");
    g.bench_function("one_amp_iteration", |b| b.iter(|| black_box(amp.step())));
    let w = DVector::from_element(inst.n(), 0.3);
    let v = DVector::from_element(inst.m(), 0.2);
    let mut out_m = DVector::zeros(inst.m());
    let mut out_n = DVector::zeros(inst.n());
    g.bench_function("two_matvecs_Xw_and_XTg", |b| {
        b.iter(|| {
            inst.x.mul_to(&w, &mut out_m);
            inst.x.tr_mul_to(&v, &mut out_n);
            black_box((out_m[0], out_n[0]))
        })
    });
    g.finish();
}

fn gibbs_sweep(c: &mut Criterion) {
    let md = model(5.0);
    let mut g = c.benchmark_group("gibbs_sweep_alpha2");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in [100usize, 200, 400, 800] {
        let inst = instance::generate(&md, n, 2).expect("instance");
        let cn = inst.column_norms();
        let mut chain = Chain::new(&md, &inst, rng_for(3, n as u64));
        g.bench_function(format!("n{n}_mn{}", inst.m() * n), |b| {
            b.iter(|| chain.sweep(&md, &inst, &cn, 5.0))
        });
    }
    g.finish();
}

criterion_group!(benches, amp_iteration, gibbs_sweep);
criterion_main!(benches);
