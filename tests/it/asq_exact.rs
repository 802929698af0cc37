//! Exact ASQ solvers against an independent brute-force O(s·d²) dynamic program whose interval
//! costs are summed point by point (no prefix sums).

use crate::support::asq::{brute_force, objective};
use quantreplica::asq::{exact_dp, exact_lagrange, exact_levels, exact_smawk, exact_smawk2};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;

fn check_levels(x: &[f64], levels: &[f64], s: usize, ctx: &str) {
    assert_eq!(levels.len(), s, "{ctx}: {levels:?}");
    assert!(levels.windows(2).all(|p| p[0] < p[1]), "{ctx}: {levels:?}");
    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(levels[0], lo, "{ctx}");
    assert_eq!(levels[s - 1], hi, "{ctx}");
    for l in levels {
        assert!(x.contains(l), "{ctx}: level {l} is not a data value");
    }
}

/// Random data of several shapes, including ties and heavy duplication.
fn data(kind: usize, d: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    match kind % 6 {
        0 => (0..d)
            .map(|_| Normal::new(0.0, 1.0).unwrap().sample(rng))
            .collect(),
        1 => (0..d)
            .map(|_| LogNormal::new(0.0, 1.0).unwrap().sample(rng))
            .collect(),
        2 => (0..d).map(|_| rng.random_range(-5..=5) as f64).collect(),
        3 => (0..d)
            .map(|_| (Exp::<f64>::new(1.0).unwrap().sample(rng) * 10.0).round() / 10.0)
            .collect(),
        4 => (0..d)
            .map(|_| rng.random_range(0..4) as f64 * 0.25 + 100.0)
            .collect(),
        _ => (0..d).map(|_| rng.random::<f64>() * 1e-3 - 7.0).collect(),
    }
}

fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-12 * scale)
}

#[test]
fn exact_solvers_match_brute_force() {
    let mut cases = 0;
    for seed in 0..240u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let d = rng.random_range(2..=60);
        let x = data(seed as usize, d, &mut rng);
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        let mut u = sorted.clone();
        u.dedup();
        if u.len() < 2 {
            continue;
        }
        let weighted = seed % 3 == 1;
        let w: Vec<f64> = if weighted {
            (0..d)
                .map(|_| {
                    if rng.random::<f64>() < 0.15 {
                        0.0
                    } else {
                        rng.random::<f64>() * 2.0
                    }
                })
                .collect()
        } else {
            vec![1.0; d]
        };
        if w.iter().all(|&v| v == 0.0) {
            continue;
        }
        // Weights follow their values through the sort.
        let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let xs: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let ws: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let wopt = weighted.then_some(ws.as_slice());
        let scale: f64 = x.iter().map(|v| v * v).sum::<f64>().max(1.0);
        for s in 2..=u.len().min(12) {
            let want = brute_force(&x, &w, s);
            let ctx = format!("seed {seed} d {d} s {s} weighted {weighted}");
            let a = exact_smawk(&xs, wopt, s).unwrap();
            check_levels(&x, &a, s, &ctx);
            let got = objective(&x, &w, &a);
            assert!(close(got, want, scale), "smawk {ctx}: {got} vs {want}");
            let l = exact_lagrange(&xs, wopt, s).unwrap();
            check_levels(&x, &l, s, &ctx);
            let got = objective(&x, &w, &l);
            assert!(close(got, want, scale), "lagrange {ctx}: {got} vs {want}");
            let e = exact_levels(&xs, wopt, s).unwrap();
            check_levels(&x, &e, s, &ctx);
            let got = objective(&x, &w, &e);
            assert!(close(got, want, scale), "exact {ctx}: {got} vs {want}");
            let e = exact_dp(&xs, wopt, s).unwrap();
            check_levels(&x, &e, s, &ctx);
            let got = objective(&x, &w, &e);
            assert!(close(got, want, scale), "dp {ctx}: {got} vs {want}");
            if !weighted {
                let b = exact_smawk2(&xs, s).unwrap();
                check_levels(&x, &b, s, &ctx);
                let got = objective(&x, &w, &b);
                assert!(close(got, want, scale), "smawk2 {ctx}: {got} vs {want}");
            }
            cases += 1;
        }
    }
    assert!(cases > 1000, "only {cases} cases ran");
}

#[test]
fn all_levels_when_s_equals_distinct_count() {
    let x = [3.0, 1.0, 2.0, 2.0, 5.0];
    let mut xs = x.to_vec();
    xs.sort_by(f64::total_cmp);
    for lv in [
        exact_smawk(&xs, None, 4).unwrap(),
        exact_smawk2(&xs, 4).unwrap(),
        exact_lagrange(&xs, None, 4).unwrap(),
        exact_dp(&xs, None, 4).unwrap(),
        exact_levels(&xs, None, 4).unwrap(),
    ] {
        assert_eq!(lv, vec![1.0, 2.0, 3.0, 5.0]);
    }
}

#[test]
fn two_levels_are_the_extremes() {
    let xs = [-1.0, 0.5, 0.7, 4.0];
    assert_eq!(exact_smawk2(&xs, 2).unwrap(), vec![-1.0, 4.0]);
    assert_eq!(exact_lagrange(&xs, None, 2).unwrap(), vec![-1.0, 4.0]);
}

#[test]
fn rejects_bad_input() {
    assert!(exact_smawk(&[], None, 2).is_err());
    assert!(exact_smawk(&[1.0, f64::NAN], None, 2).is_err());
    assert!(exact_smawk(&[1.0, 2.0], None, 1).is_err());
    assert!(exact_smawk(&[1.0, 1.0, 2.0], None, 3).is_err());
    assert!(exact_smawk(&[2.0, 1.0], None, 2).is_err());
    assert!(exact_smawk(&[1.0, 2.0], Some(&[1.0]), 2).is_err());
    assert!(exact_smawk(&[1.0, 2.0], Some(&[1.0, -1.0]), 2).is_err());
    assert!(exact_lagrange(&[1.0, f64::INFINITY], None, 2).is_err());
    assert!(exact_smawk2(&[1.0, 1.0], 2).is_err());
}

#[test]
fn levels_from_samples_is_sorted_distinct_and_optimal() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let x: Vec<f64> = (0..40)
        .map(|_| LogNormal::new(0.0, 1.0).unwrap().sample(&mut rng))
        .collect();
    let w = vec![1.0; x.len()];
    for s in [2, 3, 5, 8] {
        let l = quantreplica::asq::levels_from_samples(&x, s).unwrap();
        check_levels(&x, &l, s, "levels_from_samples");
        let want = brute_force(&x, &w, s);
        assert!(close(objective(&x, &w, &l), want, 1.0));
    }
    assert!(quantreplica::asq::levels_from_samples(&[1.0, 1.0], 2).is_err());
}

#[test]
fn large_inputs_agree_across_algorithms_and_thread_counts() {
    // Past the size where rows are split across threads: the four exact algorithms must reach
    // the same optimum (summed directly here), and the levels must not depend on the threads.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let x: Vec<f64> = (0..70_000)
        .map(|_| LogNormal::new(0.0, 1.0).unwrap().sample(&mut rng))
        .collect();
    let mut xs = x.clone();
    xs.sort_by(f64::total_cmp);
    let w = vec![1.0; x.len()];
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    for s in [3, 4, 5, 6, 7, 12] {
        let one = pool(1).install(|| exact_dp(&xs, None, s).unwrap());
        let two = pool(2).install(|| exact_dp(&xs, None, s).unwrap());
        assert_eq!(one, two, "s = {s}");
        let sm1 = pool(1).install(|| exact_smawk(&xs, None, s).unwrap());
        let sm2 = pool(2).install(|| exact_smawk(&xs, None, s).unwrap());
        assert_eq!(sm1, sm2, "s = {s}");
        let want = objective(&x, &w, &one);
        for (name, l) in [
            ("smawk", sm1),
            ("smawk2", exact_smawk2(&xs, s).unwrap()),
            ("lagrange", exact_lagrange(&xs, None, s).unwrap()),
            ("exact", exact_levels(&xs, None, s).unwrap()),
        ] {
            check_levels(&x, &l, s, name);
            let got = objective(&x, &w, &l);
            assert!(
                (got - want).abs() <= 1e-9 * want,
                "{name} s {s}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn six_and_seven_levels_on_large_inputs_equal_the_dp() {
    // s = 6, 7 run the penalty method, whose pass is dominated by long intervals (candidates
    // overtaking each other far ahead): its optimum must equal the layered DP's on large
    // inputs of several shapes, weighted and not, past the coarse-start threshold (2^15 nodes).
    for (seed, kind) in [(21u64, 0usize), (22, 1), (23, 3), (24, 5)] {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let x = data(kind, 60_000, &mut rng);
        let w: Vec<f64> = (0..x.len()).map(|_| rng.random::<f64>() * 2.0).collect();
        let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let xs: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let ws: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let ones = vec![1.0; x.len()];
        for s in [6, 7] {
            for (wopt, wv) in [(None, &ones), (Some(ws.as_slice()), &w)] {
                let ctx = format!("seed {seed} s {s} weighted {}", wopt.is_some());
                let dp = exact_dp(&xs, wopt, s).unwrap();
                let got = exact_levels(&xs, wopt, s).unwrap();
                check_levels(&x, &got, s, &ctx);
                let (a, b) = (objective(&x, wv, &got), objective(&x, wv, &dp));
                assert!((a - b).abs() <= 1e-9 * b, "{ctx}: {a} vs {b}");
            }
        }
    }
}
