//! SGD steps per second and exact-recursion steps per second at d = 1000.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quantreplica::lowprec::exact::exact_risk;
use quantreplica::lowprec::noise::{Quantizer, Sharing, Targets};
use quantreplica::lowprec::sgd::{
    run_rng, simulate_run, Averaging, Problem, SgdConfig, StepSchedule, WStar,
};
use std::hint::black_box;
use std::time::Duration;

fn cfg(targets: Targets, steps: usize, averaging: Averaging) -> SgdConfig {
    SgdConfig {
        problem: Problem::power_law(1000, 1.5, 0.1, WStar::Ones).unwrap(),
        batch: 1,
        step: 0.1,
        steps,
        schedule: StepSchedule::Constant,
        averaging,
        targets,
        shrink: None,
        grad_format: None,
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("d1000");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let mult = Targets::all(Quantizer::Multiplicative {
        eps: 0.01,
        sharing: Sharing::PerCoordinate,
    });
    let steps = 500;
    g.throughput(Throughput::Elements(steps as u64));
    for (name, t) in [
        ("sgd_full_precision", Targets::full()),
        ("sgd_mult_all_targets", mult),
    ] {
        let c = cfg(t, steps, Averaging::Last);
        g.bench_function(name, |b| {
            b.iter(|| black_box(simulate_run(&c, &mut run_rng(1, 0), &[]).unwrap().w_last[0]))
        });
    }
    let e4m3 = Targets::all(
        Quantizer::parse("e4m3", None, quantreplica::lowprec::Rounding::Nearest).unwrap(),
    );
    let c4 = cfg(e4m3, steps, Averaging::Last);
    g.bench_function("sgd_e4m3_all_targets", |b| {
        b.iter(|| black_box(simulate_run(&c4, &mut run_rng(1, 0), &[]).unwrap().w_last[0]))
    });
    let esteps = 2000;
    g.throughput(Throughput::Elements(esteps as u64));
    for (name, t, av) in [
        ("exact_full_last", Targets::full(), Averaging::Last),
        ("exact_mult_all_average", mult, Averaging::Average),
    ] {
        let c = cfg(t, esteps, av);
        g.bench_function(name, |b| {
            b.iter(|| black_box(exact_risk(&c, &[]).unwrap().risk))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
