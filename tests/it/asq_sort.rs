//! The sort of the ASQ input against the standard library's comparison sort in the order of
//! `f64::total_cmp`, bit for bit, on adversarial inputs, by both of its paths: the AVX-512
//! quicksort (where the CPU has AVX-512F) and the radix sort (64-bit values and values that
//! are all `f32`s, which take the 32-bit key path from 4096 values on); NaN rejected at the
//! library boundary.

use quantreplica::asq::{
    exact_levels, sort_uses_avx512, sort_values, sort_values_radix, sort_with_weights,
    sort_with_weights_radix, sorted,
};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn reference(x: &[f64]) -> Vec<u64> {
    let mut v = x.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v.iter().map(|v| v.to_bits()).collect()
}

/// Both paths (`sort_values` is the AVX-512 one where the CPU has it) against the reference.
fn check(x: &[f64], ctx: &str) {
    let want = reference(x);
    let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
    let mut v = x.to_vec();
    sort_values(&mut v);
    assert_eq!(bits(&v), want, "{ctx}: len {}", x.len());
    let mut v = x.to_vec();
    sort_values_radix(&mut v);
    assert_eq!(bits(&v), want, "{ctx} (radix): len {}", x.len());
}

/// Inputs of length `n` built to stress a radix sort: every special value, runs, narrow
/// bands that share all high bits, and values that differ only in their lowest bits.
fn adversarial(n: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<(&'static str, Vec<f64>)> {
    let special = [
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::from_bits(1),
        -f64::from_bits(1),
        f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1.0,
        -1.0,
    ];
    let pick = |rng: &mut Xoshiro256PlusPlus| special[rng.random_range(0..special.len())];
    let normal: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    let mut ascending = normal.clone();
    ascending.sort_by(f64::total_cmp);
    let descending: Vec<f64> = ascending.iter().rev().copied().collect();
    vec![
        ("specials", (0..n).map(|_| pick(rng)).collect()),
        (
            "subnormals",
            (0..n)
                .map(|_| {
                    let v = f64::from_bits(rng.random_range(0..1u64 << 52));
                    if rng.random::<bool>() {
                        -v
                    } else {
                        v
                    }
                })
                .collect(),
        ),
        (
            "signed zeros",
            (0..n)
                .map(|i| if i % 3 == 0 { -0.0 } else { 0.0 })
                .collect(),
        ),
        ("all equal", vec![2.5; n]),
        (
            "few values",
            (0..n).map(|_| rng.random_range(-3..=3) as f64).collect(),
        ),
        (
            "low bits only",
            (0..n)
                .map(|_| f64::from_bits(1.0f64.to_bits() + rng.random_range(0..256)))
                .collect(),
        ),
        (
            "wide exponents",
            (0..n)
                .map(|_| {
                    let e = rng.random_range(-1000..1000);
                    let v = rng.random::<f64>() * 2f64.powi(e);
                    if rng.random::<bool>() {
                        -v
                    } else {
                        v
                    }
                })
                .collect(),
        ),
        ("organ pipe", (0..n).map(|i| i.min(n - i) as f64).collect()),
        (
            "two values",
            (0..n)
                .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
                .collect(),
        ),
        (
            "sawtooth",
            (0..n).map(|i| (i % 64) as f64 - (i % 7) as f64).collect(),
        ),
        (
            "NaN payloads",
            (0..n)
                .map(|_| {
                    let payload = rng.random_range(1..1u64 << 51);
                    let sign = if rng.random::<bool>() { 1u64 << 63 } else { 0 };
                    match rng.random_range(0..4) {
                        0 => f64::from_bits(sign | 0x7ff0_0000_0000_0000 | payload),
                        1 => f64::from_bits(sign | 0x7ff8_0000_0000_0000 | payload),
                        _ => rng.random::<f64>() - 0.5,
                    }
                })
                .collect(),
        ),
        ("sorted", ascending),
        ("reversed", descending),
        ("uniform", normal),
    ]
}

/// Lengths around every size class of the quicksort (its networks up to 128 keys, its
/// partition in blocks of 64 keys, its sample of 8 or 64 keys) and of the radix sort.
#[test]
fn sort_equals_the_standard_sort_at_every_small_length() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(13);
    let mut lengths: Vec<usize> = (0..600).collect();
    for k in 10..18 {
        lengths.extend([(1 << k) - 1, 1 << k, (1 << k) + 1]);
    }
    lengths.extend([100_003, 262_143]);
    for n in lengths {
        for (name, x) in adversarial(n, &mut rng) {
            check(&x, name);
        }
    }
    eprintln!("AVX-512 path: {}", sort_uses_avx512());
}

#[test]
fn radix_sort_equals_the_standard_sort() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    for n in [0usize, 1, 2, 3, 7, 31, 64, 200, 1000, 5000, 70_000, 400_000] {
        for (name, x) in adversarial(n, &mut rng) {
            check(&x, name);
        }
    }
}

/// Adversarial inputs of `f32`s widened to `f64` (the 32-bit key path), plus `f32` special
/// values, `f32` subnormals and `f32`s that differ only in their lowest bits.
fn adversarial32(n: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<(&'static str, Vec<f64>)> {
    let mut out: Vec<(&'static str, Vec<f64>)> = adversarial(n, rng)
        .into_iter()
        .map(|(name, x)| (name, x.iter().map(|&v| f64::from(v as f32)).collect()))
        .collect();
    let special = [
        0.0f32,
        -0.0,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        f32::from_bits(1),
        -f32::from_bits(1),
        f32::MAX,
        f32::MIN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        1.0,
        -1.0,
    ];
    out.push((
        "f32 specials",
        (0..n)
            .map(|_| f64::from(special[rng.random_range(0..special.len())]))
            .collect(),
    ));
    out.push((
        "f32 subnormals",
        (0..n)
            .map(|_| {
                let v = f64::from(f32::from_bits(rng.random_range(0..1u32 << 23)));
                if rng.random::<bool>() {
                    -v
                } else {
                    v
                }
            })
            .collect(),
    ));
    out.push((
        "f32 low bits only",
        (0..n)
            .map(|_| f64::from(f32::from_bits(1.0f32.to_bits() + rng.random_range(0..256))))
            .collect(),
    ));
    out
}

#[test]
fn radix_sort_of_f32_values_equals_the_standard_sort() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
    for n in [4095usize, 4096, 5000, 70_000, 300_000] {
        for (name, x) in adversarial32(n, &mut rng) {
            for v in &x {
                assert_eq!(
                    f64::from(*v as f32).to_bits(),
                    v.to_bits(),
                    "{name}: not an f32"
                );
            }
            check(&x, name);
            // One value that is not an f32 sends the whole input down the 64-bit path.
            let mut y = x.clone();
            y[n / 2] = 1.0 + f64::EPSILON;
            check(&y, name);
        }
    }
    // NaNs of both signs among f32 values, on the 32-bit path (the raw sort is total).
    let x: Vec<f64> = (0..10_000)
        .map(|i| match i % 7 {
            0 => f64::from(f32::NAN),
            1 => f64::from(-f32::NAN),
            _ => f64::from(rng.random::<f32>() - 0.5),
        })
        .collect();
    check(&x, "f32 with NaN");
}

#[test]
fn weights_follow_their_f32_values() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
    for n in [4096usize, 70_000] {
        for (name, x) in adversarial32(n, &mut rng) {
            let w: Vec<f64> = (0..n).map(|_| rng.random_range(0..4) as f64).collect();
            let (xs, ws) = sort_with_weights(&x, &w);
            let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
            let (rx, rw): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            assert_eq!(bits(&xs), bits(&rx), "{name} n {n}");
            assert_eq!(bits(&ws), bits(&rw), "{name} n {n}");
        }
    }
}

#[test]
fn nan_sorts_in_total_order_but_is_rejected_at_the_boundary() {
    // The raw sort is total (negative NaN first, positive NaN last), like `total_cmp`.
    let x = [1.0, f64::NAN, -2.0, -f64::NAN, 0.0, -0.0];
    check(&x, "nan");
    let e = sorted(&x).unwrap_err().to_string();
    assert!(!e.contains('\n') && e.contains("NaN"), "{e}");
    assert!(sorted(&[1.0, f64::INFINITY]).is_err());
    assert!(sorted(&[]).is_err());
    assert_eq!(sorted(&[2.0, -1.0]).unwrap(), vec![-1.0, 2.0]);
}

#[test]
fn weights_follow_their_values() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    for n in [0usize, 1, 2, 50, 3000, 200_000] {
        // Heavy duplication, so that runs of equal values carry several weights.
        let x: Vec<f64> = (0..n)
            .map(|_| rng.random_range(0..500) as f64 * 0.5)
            .collect();
        let w: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let (xs, ws) = sort_with_weights(&x, &w);
        let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let (rx, rw): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        assert_eq!(xs, rx, "n {n}");
        assert_eq!(ws, rw, "n {n}");
    }
}

#[test]
fn sorting_does_not_depend_on_the_thread_count() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let x: Vec<f64> = (0..600_000).map(|_| rng.random::<f64>().ln()).collect();
    let w: Vec<f64> = (0..x.len()).map(|_| rng.random::<f64>()).collect();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut v = x.clone();
                sort_values(&mut v);
                (
                    v,
                    sort_with_weights(&x, &w),
                    exact_levels(&sorted(&x).unwrap(), None, 9),
                )
            })
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert_eq!(a.2.unwrap(), b.2.unwrap());
}

/// Both paths of the pair sort (the AVX-512 one where the CPU has it, and the radix sort)
/// against sorting the pairs by value, then weight, in `total_cmp` order, at every small
/// length and around the quicksort's size classes, on the adversarial inputs with weights
/// that often tie (±0 among them); plus the one key the AVX-512 network cannot hold (a NaN whose key is
/// u64::MAX), which sends the input to the radix sort.
#[test]
fn pair_sort_equals_sorting_the_pairs_at_every_small_length() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
    let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
    let mut lengths: Vec<usize> = (0..300).collect();
    for k in 7..17 {
        lengths.extend([(1 << k) - 1, 1 << k, (1 << k) + 1]);
    }
    lengths.push(100_003);
    let max_key_nan = f64::from_bits(0x7fff_ffff_ffff_ffff);
    for n in lengths {
        for (name, mut x) in adversarial(n, &mut rng) {
            if name == "uniform" && n > 0 {
                x[n / 2] = max_key_nan;
            }
            let w: Vec<f64> = (0..n)
                .map(|_| rng.random_range(0..3) as f64 - 0.0)
                .collect();
            let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let (rx, rw): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
            for (path, (xs, ws)) in [
                ("sort", sort_with_weights(&x, &w)),
                ("radix", sort_with_weights_radix(&x, &w)),
            ] {
                assert_eq!(bits(&xs), bits(&rx), "{name} ({path}) n {n}");
                assert_eq!(bits(&ws), bits(&rw), "{name} ({path}) n {n}");
            }
        }
    }
}
