//! Timing sweep of the ASQ solvers over d and s on LogNormal(0, 1) data (sorting excluded and
//! reported separately). Quick by default; `--full` runs d = 2^10…2^24 and s = 4…256.
//!
//! ```text
//! cargo run --release --example asq_scan [-- --full] [--d-exp 10,14,20] [--s 4,16]
//!                                         [--methods dp,smawk,smawk2,lagrange,approx] [--bins 1000]
//! ```

use quantreplica::asq::{
    approx_levels, exact_lagrange, exact_levels, exact_smawk, exact_smawk2, sample, variance_sum,
    Dist,
};
use std::time::Instant;

fn list(arg: &str) -> Vec<usize> {
    arg.split(',')
        .filter_map(|t| t.trim().parse().ok())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let full = args.iter().any(|a| a == "--full");
    let d_exp = get("--d-exp").map(|a| list(&a)).unwrap_or_else(|| {
        if full {
            (10..=24).step_by(2).collect()
        } else {
            vec![10, 14, 17]
        }
    });
    let s_list = get("--s").map(|a| list(&a)).unwrap_or_else(|| {
        if full {
            vec![4, 16, 64, 256]
        } else {
            vec![4, 16, 64]
        }
    });
    let methods: Vec<String> = get("--methods")
        .unwrap_or_else(|| "dp,smawk,smawk2,lagrange,approx".into())
        .split(',')
        .map(str::to_string)
        .collect();
    let bins: usize = get("--bins").and_then(|b| b.parse().ok()).unwrap_or(1000);
    println!(
        "{:>4} {:>5} {:>9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}",
        "log2d",
        "s",
        "sort_s",
        "dp_s",
        "smawk_s",
        "smawk2_s",
        "lagrange_s",
        "approx_s",
        "vnmse_exact",
        "approx/exact"
    );
    for &e in &d_exp {
        let d = 1usize << e;
        let x = sample(Dist::LogNormal, d, 1);
        let t = Instant::now();
        let mut sorted = x.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        let sort_s = t.elapsed().as_secs_f64();
        let norm: f64 = x.iter().map(|v| v * v).sum();
        for &s in &s_list {
            let mut row = [f64::NAN; 5];
            let mut exact_v = f64::NAN;
            let mut approx_v = f64::NAN;
            let has = |m: &str| methods.iter().any(|x| x == m);
            let timed = |f: &dyn Fn() -> Vec<f64>| {
                let t = Instant::now();
                let l = f();
                (t.elapsed().as_secs_f64(), l)
            };
            if has("dp") {
                let (secs, l) = timed(&|| exact_levels(&sorted, None, s).expect("valid input"));
                row[0] = secs;
                exact_v = variance_sum(&sorted, None, &l).expect("levels cover") / norm;
            }
            if has("smawk2") {
                let (secs, l) = timed(&|| exact_smawk2(&sorted, s).expect("valid input"));
                row[2] = secs;
                exact_v = variance_sum(&sorted, None, &l).expect("levels cover") / norm;
            }
            if has("smawk") {
                let (secs, l) = timed(&|| exact_smawk(&sorted, None, s).expect("valid input"));
                row[1] = secs;
                exact_v = variance_sum(&sorted, None, &l).expect("levels cover") / norm;
            }
            if has("lagrange") {
                let (secs, l) = timed(&|| exact_lagrange(&sorted, None, s).expect("valid input"));
                row[3] = secs;
                exact_v = variance_sum(&sorted, None, &l).expect("levels cover") / norm;
            }
            if has("approx") && s <= bins + 1 {
                let t = Instant::now();
                let a = approx_levels(&x, None, s, bins).expect("valid input");
                row[4] = t.elapsed().as_secs_f64();
                approx_v = a.objective / norm;
            }
            println!(
                "{:>4} {:>5} {:>9.4} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>10.5} {:>12.4e} {:>12.5}",
                e,
                s,
                sort_s,
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                exact_v,
                approx_v / exact_v
            );
        }
    }
}
