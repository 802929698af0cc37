//! ASQ benchmarks (issues 6 and 14): LogNormal(0, 1) draws, d = 2^20 (and 2^22 for the sort
//! and the default solver), sorting excluded from the solvers and benchmarked on its own.
//! The limits measured alongside: one plain pass over the data (min, max, sum) for the
//! approximation (on unsorted input: `asq_2^20/approx_*`, plain, weighted and on N(0, 1)
//! draws), and the standard library's comparison sort for the sort (on f64 draws: `sort`,
//! `sort_values` itself, the AVX-512 quicksort where the CPU has AVX-512F; `sort_radix`, its
//! radix-sort fallback; `sort_radix_f32` on the same draws rounded to f32, the fallback's
//! 32-bit key path; `sort_with_weights` and its fallback `sort_with_weights_radix`). The peer
//! (QUIVER) and numpy are measured outside the repository (docs/asq.md, "Benchmarks").
//! Prints the approximation's vNMSE against the exact optimum once before timing.
//!
//! `cargo bench --bench asq` (about 5 minutes; `-- exact` etc. to select).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use quantreplica::asq::{
    approx_levels, exact_dp, exact_levels, exact_smawk, exact_smawk2, sample, sort_uses_avx512,
    sort_values, sort_values_radix, sort_with_weights, sort_with_weights_radix, vnmse, Dist,
};
use std::hint::black_box;
use std::time::Duration;

/// One plain pass over the data in independent lanes: the floor for any method that reads it.
fn one_pass(x: &[f64]) -> (f64, f64, f64) {
    let (mut lo, mut hi, mut sum) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4], [0.0; 4]);
    for c in x.chunks_exact(4) {
        for k in 0..4 {
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
            sum[k] += c[k];
        }
    }
    (
        lo.iter().copied().fold(f64::INFINITY, f64::min),
        hi.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        sum.iter().sum(),
    )
}

fn bench(c: &mut Criterion) {
    for log_d in [20u32, 22] {
        let d = 1usize << log_d;
        let x = sample(Dist::LogNormal, d, 1);
        let w = sample(Dist::Exponential, d, 2);
        let normal = sample(Dist::Normal, d, 3);
        let x32: Vec<f64> = x.iter().map(|&v| f64::from(v as f32)).collect();
        let mut sorted = x.clone();
        sort_values(&mut sorted);
        let (wx, ww) = sort_with_weights(&x, &w);

        if log_d == 20 {
            println!("asq sort: AVX-512 quicksort: {}", sort_uses_avx512());
            let exact16 = exact_levels(&sorted, None, 16).expect("valid input");
            let approx16 = approx_levels(&x, None, 16, 1000).expect("valid input");
            let (ve, va) = (
                vnmse(&x, &exact16).expect("levels cover"),
                vnmse(&x, &approx16.levels).expect("levels cover"),
            );
            println!(
                "asq d=2^20 s=16: exact vNMSE {ve:.6e}, approx(m=1000) vNMSE {va:.6e}, ratio \
                 {:.5} (guarantee: approx ≤ OPT({}) + {:.3e} in vNMSE)",
                va / ve,
                approx16.bound_levels,
                approx16.additive_bound / x.iter().map(|v| v * v).sum::<f64>()
            );
        }

        let mut g = c.benchmark_group(format!("asq_2^{log_d}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if log_d == 20 { 4 } else { 8 }));
        g.bench_function("pass", |b| b.iter(|| one_pass(black_box(&x))));
        g.bench_function("sort", |b| {
            b.iter_batched(
                || x.clone(),
                |mut v| {
                    sort_values(&mut v);
                    v
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function("sort_radix", |b| {
            b.iter_batched(
                || x.clone(),
                |mut v| {
                    sort_values_radix(&mut v);
                    v
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function("sort_std", |b| {
            b.iter_batched(
                || x.clone(),
                |mut v| {
                    v.sort_unstable_by(f64::total_cmp);
                    v
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function("sort_with_weights", |b| {
            b.iter(|| sort_with_weights(black_box(&x), black_box(&w)))
        });
        g.bench_function("sort_with_weights_radix", |b| {
            b.iter(|| sort_with_weights_radix(black_box(&x), black_box(&w)))
        });
        // The same draws rounded to f32 (a float32 array from Python): the radix sort takes its
        // 32-bit key path.
        g.bench_function("sort_radix_f32", |b| {
            b.iter_batched(
                || x32.clone(),
                |mut v| {
                    sort_values_radix(&mut v);
                    v
                },
                BatchSize::LargeInput,
            )
        });
        // Every s up to 8 has its own path or margin against QUIVER: s = 2 no table, s = 3..5
        // the streamed pointer scans of `few.rs`, s = 6, 7 the penalty method at its closest
        // to QUIVER (docs/asq.md).
        for s in [2usize, 3, 5, 6, 7] {
            g.bench_function(format!("exact_s{s}"), |b| {
                b.iter(|| exact_levels(black_box(&sorted), None, s))
            });
        }
        for s in [4usize, 16, 64] {
            g.bench_function(format!("exact_s{s}"), |b| {
                b.iter(|| exact_levels(black_box(&sorted), None, s))
            });
            g.bench_function(format!("exact_weighted_s{s}"), |b| {
                b.iter(|| exact_levels(black_box(&wx), Some(&ww), s))
            });
            // The approximation on unsorted input, plain and weighted, LogNormal and N(0, 1):
            // the rows compared with QUIVER in docs/asq.md.
            g.bench_function(format!("approx_m1000_s{s}"), |b| {
                b.iter(|| approx_levels(black_box(&x), None, s, 1000))
            });
            if log_d == 20 {
                g.bench_function(format!("approx_weighted_m1000_s{s}"), |b| {
                    b.iter(|| approx_levels(black_box(&x), Some(&w), s, 1000))
                });
                g.bench_function(format!("approx_normal_m1000_s{s}"), |b| {
                    b.iter(|| approx_levels(black_box(&normal), None, s, 1000))
                });
            }
        }
        if log_d == 20 {
            // The O(s·d) references: slow, one s each.
            g.bench_function("dp_s16", |b| {
                b.iter(|| exact_dp(black_box(&sorted), None, 16))
            });
            g.bench_function("smawk_s16", |b| {
                b.iter(|| exact_smawk(black_box(&sorted), None, 16))
            });
            g.bench_function("smawk2_s16", |b| {
                b.iter(|| exact_smawk2(black_box(&sorted), 16))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
