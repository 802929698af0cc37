//! The worst-case objective `max_i w_i (b − x_i)(x_i − a)` against a brute-force search over a
//! fine grid of level positions (levels need not be data points here).

use quantreplica::asq::{variance_max, worst_levels};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn max_term(x: &[f64], w: &[f64], levels: &[f64]) -> f64 {
    let mut worst = 0.0f64;
    for (v, wi) in x.iter().zip(w) {
        for p in levels.windows(2) {
            if *v >= p[0] && *v <= p[1] {
                worst = worst.max(wi * (p[1] - v) * (v - p[0]));
                break;
            }
        }
    }
    worst
}

#[test]
fn worst_case_matches_grid_search() {
    for seed in 0..40u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(77 + seed);
        let d = rng.random_range(4..=9);
        let mut x: Vec<f64> = (0..d)
            .map(|_| rng.random_range(0..50) as f64 / 10.0)
            .collect();
        x.sort_by(f64::total_cmp);
        let mut u = x.clone();
        u.dedup();
        if u.len() < 4 {
            continue;
        }
        let w: Vec<f64> = if seed % 2 == 0 {
            vec![1.0; d]
        } else {
            (0..d).map(|_| rng.random::<f64>() * 3.0).collect()
        };
        let (lo, hi) = (x[0], x[d - 1]);
        // s = 3: one free level on a grid of 20001 points.
        let g = 20000;
        let best3 = (0..=g)
            .map(|k| lo + (hi - lo) * k as f64 / g as f64)
            .map(|q| max_term(&x, &w, &[lo, q, hi]))
            .fold(f64::INFINITY, f64::min);
        // s = 4: two free levels on a grid of 601 points each.
        let g4 = 600;
        let mut best4 = f64::INFINITY;
        for i in 0..=g4 {
            for j in i..=g4 {
                let q1 = lo + (hi - lo) * i as f64 / g4 as f64;
                let q2 = lo + (hi - lo) * j as f64 / g4 as f64;
                best4 = best4.min(max_term(&x, &w, &[lo, q1, q2, hi]));
            }
        }
        // The grid optimum is above the true one by at most a Lipschitz step.
        let lip = w.iter().cloned().fold(0.0, f64::max) * (hi - lo);
        for (s, grid, step) in [
            (3, best3, (hi - lo) / g as f64),
            (4, best4, (hi - lo) / g4 as f64),
        ] {
            let l = worst_levels(&x, Some(&w), s).unwrap();
            assert_eq!(l.len(), s);
            assert!(l.windows(2).all(|p| p[0] < p[1]));
            assert_eq!((l[0], l[s - 1]), (lo, hi));
            let got = max_term(&x, &w, &l);
            assert!((variance_max(&x, Some(&w), &l).unwrap() - got).abs() <= 1e-12 * got.max(1.0));
            assert!(
                got <= grid * (1.0 + 1e-9) + 1e-12,
                "seed {seed} s {s}: {got} > grid {grid}"
            );
            assert!(
                got >= grid - lip * step - 1e-12,
                "seed {seed} s {s}: {got} ≪ grid {grid}"
            );
        }
    }
}

#[test]
fn worst_case_with_unit_weights_on_dense_data_is_near_uniform() {
    // Dense uniform data: every term is at most gap²/4, so the optimum is the uniform grid.
    let x: Vec<f64> = (0..=10000).map(|i| i as f64 / 10000.0).collect();
    let w = vec![1.0; x.len()];
    let l = worst_levels(&x, None, 5).unwrap();
    for (k, v) in l.iter().enumerate() {
        assert!((v - k as f64 / 4.0).abs() < 2e-4, "{l:?}");
    }
    let got = max_term(&x, &w, &l);
    assert!((got - 1.0 / 64.0).abs() < 1e-3);
}
