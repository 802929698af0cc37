//! ASQ benchmarks (issue 6): LogNormal(0, 1), d = 2^20, sorting excluded (benchmarked on its
//! own). Prints the approximation's vNMSE against the exact optimum once before timing.
//!
//! `cargo bench --bench asq` (a few minutes: ten samples per case).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use quantreplica::asq::{
    approx_levels, exact_lagrange, exact_levels, exact_smawk, exact_smawk2, sample, vnmse, Dist,
};
use std::hint::black_box;
use std::time::Duration;

const D: usize = 1 << 20;

fn bench(c: &mut Criterion) {
    let x = sample(Dist::LogNormal, D, 1);
    let mut sorted = x.clone();
    sorted.sort_unstable_by(f64::total_cmp);

    let exact16 = exact_levels(&sorted, None, 16).expect("valid input");
    let approx16 = approx_levels(&x, None, 16, 1000).expect("valid input");
    let (ve, va) = (
        vnmse(&x, &exact16).expect("levels cover"),
        vnmse(&x, &approx16.levels).expect("levels cover"),
    );
    println!(
        "asq d=2^20 s=16: exact vNMSE {ve:.6e}, approx(m=1000) vNMSE {va:.6e}, ratio {:.5} \
         (guarantee: approx ≤ OPT({}) + {:.3e} in vNMSE)",
        va / ve,
        approx16.bound_levels,
        approx16.additive_bound / x.iter().map(|v| v * v).sum::<f64>()
    );

    let mut g = c.benchmark_group("asq_2^20");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    g.bench_function("sort", |b| {
        b.iter_batched(
            || x.clone(),
            |mut v| {
                v.sort_unstable_by(f64::total_cmp);
                v
            },
            BatchSize::LargeInput,
        )
    });
    for s in [16usize, 64] {
        g.bench_function(format!("exact_s{s}"), |b| {
            b.iter(|| exact_levels(black_box(&sorted), None, s))
        });
        g.bench_function(format!("lagrange_s{s}"), |b| {
            b.iter(|| exact_lagrange(black_box(&sorted), None, s))
        });
    }
    g.bench_function("smawk_s16", |b| {
        b.iter(|| exact_smawk(black_box(&sorted), None, 16))
    });
    g.bench_function("smawk2_s16", |b| {
        b.iter(|| exact_smawk2(black_box(&sorted), 16))
    });
    g.bench_function("approx_m1000_s16", |b| {
        b.iter(|| approx_levels(black_box(&x), None, 16, 1000))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
