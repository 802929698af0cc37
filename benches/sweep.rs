//! A finite-β RS phase-diagram grid with λ_AT over (width, alpha): b = 2, β = 5, σ² = 0.1.
//!
//! `cargo bench --bench sweep` times the 200 × 200 grid (40 000 RS solves, each with its
//! replicon eigenvalue) on every core and on one core. Environment:
//! `SWEEP_BENCH_N` (grid side, default 200), `SWEEP_BENCH_SAMPLES` (criterion samples, default
//! 10, criterion's minimum).

use criterion::{criterion_group, criterion_main, Criterion};
use quantreplica::cli::model_args::ModelArgs;
use quantreplica::sweep::{self, Grid, RunOptions};
use std::time::Duration;

fn base() -> ModelArgs {
    ModelArgs {
        alpha: 1.0,
        noise: 0.1,
        bits: 2,
        width: 1.0,
        levels: "uniform".into(),
        level_weights: None,
        beta: 5.0,
        ridge: 0.0,
        teacher: "gaussian".into(),
        teacher_var: 1.0,
        teacher_probs: None,
    }
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("SWEEP_BENCH_N").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let samples: usize = std::env::var("SWEEP_BENCH_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(10).max(10);
    let grid = Grid::parse(&[format!("width=0.1:3:{n}"), format!("alpha=0.1:4:{n}")], &[]).unwrap();
    let base = base();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let mut g = c.benchmark_group("sweep_phase_diagram");
    g.sample_size(samples).warm_up_time(Duration::from_millis(1)).measurement_time(Duration::from_secs(1));
    for threads in [cores, 1] {
        let opts = RunOptions { threads: Some(threads), progress: false };
        g.bench_function(format!("{n}x{n}_b2_beta5_threads{threads}"), |b| {
            b.iter(|| {
                let rows = sweep::run(&grid, &base, &opts).unwrap();
                let stable = rows.iter().filter(|r| r.result.equilibrium.rs_stable).count();
                std::hint::black_box(stable)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
