//! Stochastic rounding is unbiased with variance (b − x)(x − a) (fixed-seed statistical
//! checks), its streaming form matches the in-memory one, and vNMSE follows its definition.

use quantreplica::asq::{round_one, round_vec, variance_max, variance_sum, vnmse, Rounder};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

#[test]
fn rounding_is_unbiased_with_the_closed_form_variance() {
    let levels = [-1.0, 0.25, 0.5, 2.0];
    let n = 200_000;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(42);
    for &x in &[-0.9, -0.3, 0.3, 0.49, 1.0, 1.9] {
        let k = levels.iter().rposition(|&l| l <= x).unwrap();
        let (a, b) = (levels[k], levels[k + 1]);
        let var = (b - x) * (x - a);
        let draws: Vec<f64> = round_vec(&vec![x; n], &levels, &mut rng).unwrap();
        assert!(draws.iter().all(|&v| v == a || v == b), "x = {x}");
        let mean = draws.iter().sum::<f64>() / n as f64;
        let se = (var / n as f64).sqrt();
        assert!((mean - x).abs() < 4.0 * se, "x = {x}: mean {mean}, se {se}");
        let emp = draws.iter().map(|v| (v - x) * (v - x)).sum::<f64>() / n as f64;
        // (v − x)² takes two values at most (b − a)² apart, so its variance is at most
        // (b − a)⁴/4: allow 4 standard errors of its mean.
        let tol = 4.0 * ((b - a).powi(4) / 4.0 / n as f64).sqrt();
        assert!((emp - var).abs() < tol, "x = {x}: variance {emp} vs {var}");
    }
}

#[test]
fn levels_round_to_themselves_and_outside_values_fail() {
    let levels = [0.0, 1.0, 3.0];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    for &l in &levels {
        for _ in 0..100 {
            assert_eq!(round_one(l, &levels, &mut rng).unwrap(), l);
        }
    }
    assert!(round_one(-0.1, &levels, &mut rng).is_err());
    assert!(round_one(3.1, &levels, &mut rng).is_err());
    assert!(round_one(f64::NAN, &levels, &mut rng).is_err());
    assert!(round_one(0.5, &[1.0], &mut rng).is_err());
    assert!(round_one(0.5, &[1.0, 0.0], &mut rng).is_err());
}

#[test]
fn streaming_matches_in_memory_for_the_same_seed() {
    let levels = [0.0, 0.1, 0.7, 1.0];
    let x: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.618).fract()).collect();
    let a = round_vec(&x, &levels, &mut Xoshiro256PlusPlus::seed_from_u64(9)).unwrap();
    let b: Vec<f64> = Rounder::new(
        x.iter().copied(),
        &levels,
        Xoshiro256PlusPlus::seed_from_u64(9),
    )
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap();
    assert_eq!(a, b);
    let mut bad = Rounder::new(
        [0.5, 2.0].into_iter(),
        &levels,
        Xoshiro256PlusPlus::seed_from_u64(9),
    )
    .unwrap();
    assert!(bad.next().unwrap().is_ok());
    assert!(bad.next().unwrap().is_err());
}

#[test]
fn error_measures_follow_their_definitions() {
    // x = 0.5 between 0 and 1: variance 0.25, ‖x‖² = 0.25 → vNMSE 1.
    assert!((vnmse(&[0.5], &[0.0, 1.0]).unwrap() - 1.0).abs() < 1e-15);
    // Hand-computed: (1−0.2)(0.2−0)=0.16, (4−3)(3−1)=2, level values contribute 0.
    let x = [0.2, 3.0, 1.0, 4.0, 0.0];
    let levels = [0.0, 1.0, 4.0];
    assert!((variance_sum(&x, None, &levels).unwrap() - 2.16).abs() < 1e-12);
    let w = [2.0, 0.5, 1.0, 1.0, 1.0];
    assert!((variance_sum(&x, Some(&w), &levels).unwrap() - (0.32 + 1.0)).abs() < 1e-12);
    assert!((variance_max(&x, Some(&w), &levels).unwrap() - 1.0).abs() < 1e-12);
    let norm: f64 = x.iter().map(|v| v * v).sum();
    assert!((vnmse(&x, &levels).unwrap() - 2.16 / norm).abs() < 1e-15);
}
