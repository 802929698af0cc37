//! A finite-β RS phase-diagram grid with λ_AT over (width, alpha): b = 2, β = 5, σ² = 0.1.
//!
//! `cargo bench --bench sweep` times the 200 × 200 grid (40 000 RS solves, each with its
//! replicon eigenvalue) on every core and on one core. Environment:
//! `SWEEP_BENCH_N` (grid side, default 200), `SWEEP_BENCH_SAMPLES` (criterion samples, default
//! 10, criterion's minimum). Besides the default solver tolerances (those of `rs` and `sweep`:
//! fixed point 1e-11, quadrature 1e-12) it times "phase-diagram" tolerances (fixed point 1e-9,
//! quadrature 1e-10), ample for λ_AT maps. After each configuration it prints the process CPU
//! time used (from /proc), a number that stays meaningful on a loaded machine.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use quantreplica::quad::Tolerance;
use quantreplica::rs::SolverOptions;
use quantreplica::sweep::{self, Grid, RunOptions};
use quantreplica::ModelSpec;
use std::time::Duration;

/// User + system CPU seconds of this process so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of /proc/[pid]/stat (utime, stime), counted after the ')' from field 3.
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn base() -> ModelSpec {
    let mut s = ModelSpec::default();
    s.alpha = 1.0;
    s.beta = 5.0;
    s
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("SWEEP_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let samples: usize = std::env::var("SWEEP_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
        .max(10);
    let grid = Grid::parse(
        &[format!("width=0.1:3:{n}"), format!("alpha=0.1:4:{n}")],
        &[],
    )
    .unwrap();
    let base = base();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let mut g = c.benchmark_group("sweep_phase_diagram");
    g.sample_size(samples)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    let loose = SolverOptions {
        fixed_point: quantreplica::fixed_point::Options {
            tol: 1e-9,
            ..Default::default()
        },
        quad: Tolerance {
            abs: 1e-10,
            rel: 1e-10,
            ..SolverOptions::default().quad
        },
    };
    let configs = [
        (cores, "default_tol", SolverOptions::default()),
        (1, "default_tol", SolverOptions::default()),
        (cores, "pd_tol", loose),
        (1, "pd_tol", loose),
    ];
    for (threads, tol_name, solver) in configs {
        let opts = RunOptions {
            threads: Some(threads),
            progress: false,
        };
        let cpu0 = cpu_seconds();
        let mut runs = 0u32;
        g.bench_function(
            format!("{n}x{n}_b2_beta5_{tol_name}_threads{threads}"),
            |b| {
                b.iter(|| {
                    runs += 1;
                    let rows = sweep::run_with_solver(&grid, &base, &opts, &solver).unwrap();
                    let stable = rows
                        .iter()
                        .filter(|r| r.result.equilibrium.rs_stable)
                        .count();
                    std::hint::black_box(stable)
                })
            },
        );
        let cpu = cpu_seconds() - cpu0;
        eprintln!(
            "  {tol_name}, {threads} thread(s): {:.2} CPU s per {n}x{n} grid ({:.1} µs CPU per point, {runs} runs)",
            cpu / f64::from(runs.max(1)),
            1e6 * cpu / f64::from(runs.max(1)) / (n * n) as f64
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
