//! Timing of the ASQ solvers (sorting excluded and timed on its own).
//!
//! Sweep mode (default) over d and s on LogNormal(0, 1) draws: quick by default; `--full` runs
//! d = 2^10…2^24 and s = 4…256.
//!
//! File mode (`--input FILE.npy`): the median wall and CPU time (all threads) of `--reps` runs
//! of each method on the given values, one line per method, for side-by-side comparisons with
//! another program run on the same file (docs/asq.md, "Benchmarks"). `pass` is one plain pass
//! over the data (min, max and sum), the limit of any method that reads the input; `sort` is
//! the sort of a copy (`sort_values`: the AVX-512 quicksort where the CPU has it), `rsort` the
//! same by the radix sort (the fallback on other CPUs); `wsort` and `rwsort` the same with
//! weights.
//!
//! ```text
//! cargo run --release --example asq_scan [-- --full] [--d-exp 10,14,20] [--s 4,16]
//!                                 [--methods exact,dp,smawk,smawk2,approx] [--bins 1000]
//! cargo run --release --example asq_scan -- --input x.npy [--weights w.npy] --s 16
//!                                 --methods pass,sort,exact,wexact,lagrange,dp,approx --reps 5
//! ```

use quantreplica::asq::{
    approx_levels, exact_dp, exact_lagrange, exact_levels, exact_smawk, exact_smawk2, read_values,
    sample, sort_values, sort_values_radix, sort_with_weights, sort_with_weights_radix,
    variance_sum, Dist,
};
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

fn list(arg: &str) -> Vec<usize> {
    arg.split(',')
        .filter_map(|t| t.trim().parse().ok())
        .collect()
}

/// CPU seconds used so far by every thread of this process (`CLOCK_PROCESS_CPUTIME_ID`, which
/// includes the running threads' time up to the call): the work done, whatever else runs on
/// the machine. Read around each call, so `cpu` is a median per call like the wall time.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } != 0 {
        return 0.0;
    }
    t.tv_sec as f64 + 1e-9 * t.tv_nsec as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One plain pass over the data: minimum, maximum and sum in independent lanes.
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

fn file_mode(path: &str, args: &Args) {
    let x = read_values(Path::new(path)).expect("readable input");
    let w = args
        .weights
        .as_ref()
        .map(|p| read_values(Path::new(p)).expect("readable weights"));
    let mut xs = x.clone();
    sort_values(&mut xs);
    let sorted_w = w.as_ref().map(|w| sort_with_weights(&x, w));
    let d = x.len();
    for s in &args.s {
        let s = *s;
        for m in &args.methods {
            let mut times = Vec::new();
            let mut levels = Vec::new();
            // Copies to sort, made before the clock starts.
            let mut copies: Vec<Vec<f64>> = (0..args.reps)
                .map(|_| {
                    if ["sort", "rsort", "wsort", "rwsort"].contains(&m.as_str()) {
                        x.clone()
                    } else {
                        Vec::new()
                    }
                })
                .collect();
            let mut cpus = Vec::new();
            for copy in copies.iter_mut() {
                let c = cpu_seconds();
                let t = Instant::now();
                levels = match m.as_str() {
                    "pass" => {
                        let (lo, hi, sum) = one_pass(black_box(&x));
                        vec![lo, hi, sum]
                    }
                    "sort" => {
                        sort_values(copy);
                        vec![copy[0]]
                    }
                    "rsort" => {
                        sort_values_radix(copy);
                        vec![copy[0]]
                    }
                    "wsort" => {
                        let (a, _) = sort_with_weights(copy, w.as_ref().expect("--weights"));
                        vec![a[0]]
                    }
                    "rwsort" => {
                        let (a, _) = sort_with_weights_radix(copy, w.as_ref().expect("--weights"));
                        vec![a[0]]
                    }
                    "exact" => exact_levels(&xs, None, s).expect("valid"),
                    "wexact" => {
                        let (a, b) = sorted_w.as_ref().expect("--weights");
                        exact_levels(a, Some(b), s).expect("valid")
                    }
                    "lagrange" => exact_lagrange(&xs, None, s).expect("valid"),
                    "dp" => exact_dp(&xs, None, s).expect("valid"),
                    "smawk" => exact_smawk(&xs, None, s).expect("valid"),
                    "smawk2" => exact_smawk2(&xs, s).expect("valid"),
                    "approx" => approx_levels(&x, None, s, args.bins).expect("valid").levels,
                    "wapprox" => {
                        approx_levels(&x, w.as_deref(), s, args.bins)
                            .expect("valid")
                            .levels
                    }
                    other => panic!("unknown method {other}"),
                };
                times.push(t.elapsed().as_secs_f64());
                cpus.push(cpu_seconds() - c);
            }
            let cpu = median(cpus);
            drop(copies);
            let vnmse = if levels.len() == s {
                variance_sum(&xs, None, &levels).expect("levels cover")
                    / xs.iter().map(|v| v * v).sum::<f64>()
            } else {
                0.0
            };
            println!(
                "ours {m} d={d} s={s} bins={} median {:.6} min {:.6} cpu {:.6} vnmse {vnmse:.10e}",
                args.bins,
                median(times.clone()),
                times.iter().copied().fold(f64::INFINITY, f64::min),
                cpu,
            );
        }
    }
}

struct Args {
    s: Vec<usize>,
    methods: Vec<String>,
    bins: usize,
    reps: usize,
    weights: Option<String>,
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| {
        argv.iter()
            .position(|a| a == flag)
            .and_then(|i| argv.get(i + 1))
            .cloned()
    };
    let full = argv.iter().any(|a| a == "--full");
    let args = Args {
        s: get("--s").map(|a| list(&a)).unwrap_or_else(|| {
            if full {
                vec![4, 16, 64, 256]
            } else {
                vec![4, 16, 64]
            }
        }),
        methods: get("--methods")
            .unwrap_or_else(|| "exact,dp,smawk,smawk2,approx".into())
            .split(',')
            .map(str::to_string)
            .collect(),
        bins: get("--bins").and_then(|b| b.parse().ok()).unwrap_or(1000),
        reps: get("--reps").and_then(|b| b.parse().ok()).unwrap_or(3),
        weights: get("--weights"),
    };
    if let Some(path) = get("--input") {
        return file_mode(&path, &args);
    }
    let d_exp = get("--d-exp").map(|a| list(&a)).unwrap_or_else(|| {
        if full {
            (10..=24).step_by(2).collect()
        } else {
            vec![10, 14, 17]
        }
    });
    println!(
        "{:>4} {:>5} {:>9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}",
        "log2d",
        "s",
        "sort_s",
        "exact_s",
        "dp_s",
        "smawk_s",
        "smawk2_s",
        "approx_s",
        "vnmse_exact",
        "approx/exact"
    );
    let has = |m: &str| args.methods.iter().any(|x| x == m);
    for &e in &d_exp {
        let d = 1usize << e;
        let x = sample(Dist::LogNormal, d, 1);
        let t = Instant::now();
        let mut sorted = x.clone();
        sort_values(&mut sorted);
        let sort_s = t.elapsed().as_secs_f64();
        let norm: f64 = x.iter().map(|v| v * v).sum();
        for &s in &args.s {
            let mut row = [f64::NAN; 5];
            let mut exact_v = f64::NAN;
            let mut approx_v = f64::NAN;
            type Solver<'a> = (&'a str, &'a dyn Fn() -> Vec<f64>);
            let solvers: [Solver; 4] = [
                ("exact", &|| exact_levels(&sorted, None, s).expect("valid")),
                ("dp", &|| exact_dp(&sorted, None, s).expect("valid")),
                ("smawk", &|| exact_smawk(&sorted, None, s).expect("valid")),
                ("smawk2", &|| exact_smawk2(&sorted, s).expect("valid")),
            ];
            for (k, (name, f)) in solvers.iter().enumerate() {
                if has(name) {
                    let t = Instant::now();
                    let l = f();
                    row[k] = t.elapsed().as_secs_f64();
                    exact_v = variance_sum(&sorted, None, &l).expect("levels cover") / norm;
                }
            }
            if has("approx") && s <= args.bins + 1 {
                let t = Instant::now();
                let a = approx_levels(&x, None, s, args.bins).expect("valid input");
                row[4] = t.elapsed().as_secs_f64();
                approx_v = a.objective / norm;
            }
            println!(
                "{:>4} {:>5} {:>9.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.5} {:>12.4e} {:>12.5}",
                e, s, sort_s, row[0], row[1], row[2], row[3], row[4], exact_v, approx_v / exact_v
            );
        }
    }
}
