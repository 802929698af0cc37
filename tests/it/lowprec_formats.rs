//! Number formats against their published constants, stochastic rounding unbiasedness, and the
//! second moments of the abstract data-quantization models.

use quantreplica::lowprec::formats::{
    conditional_moments, FloatFormat, IntGrid, IntScale, Overflow, Rounding,
};
use quantreplica::lowprec::noise::{Quantizer, Sharing};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

fn rn(f: &FloatFormat, x: f64) -> f64 {
    f.round(x, Rounding::Nearest, Overflow::Saturate, 0.0)
}

#[test]
fn e2m1_grid_is_the_published_value_set() {
    let f = FloatFormat::E2M1;
    let want = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0];
    // Every representable value maps to itself, and a fine sweep only ever lands on the set.
    for v in want {
        assert_eq!(rn(&f, v), v);
        assert_eq!(rn(&f, -v), -v);
    }
    let mut seen = std::collections::BTreeSet::new();
    for k in 0..=8000 {
        let x = k as f64 * 1e-3;
        seen.insert((rn(&f, x) * 2.0) as i64);
    }
    let got: Vec<f64> = seen.into_iter().map(|v| v as f64 / 2.0).collect();
    assert_eq!(got, want.to_vec());
    // Ties to even: 5 lies halfway between 4 (even mantissa) and 6.
    assert_eq!(rn(&f, 5.0), 4.0);
    assert_eq!(rn(&f, 0.25), 0.0);
    assert_eq!(rn(&f, 1.25), 1.0);
    assert_eq!(rn(&f, 1.75), 2.0);
    assert_eq!(rn(&f, 100.0), 6.0);
}

#[test]
fn max_normals_and_epsilons_match_the_standards() {
    assert_eq!(FloatFormat::E4M3.max_finite, 448.0);
    assert_eq!(FloatFormat::E5M2.max_finite, 57344.0);
    assert_eq!(FloatFormat::FP16.max_finite, 65504.0);
    assert_eq!(
        FloatFormat::BF16.max_finite,
        f32::from_bits(0x7f7f_0000) as f64
    );
    // The generic IEEE-like constructor reproduces the IEEE ones.
    assert_eq!(FloatFormat::ieee_like(5, 10).unwrap().max_finite, 65504.0);
    assert_eq!(FloatFormat::ieee_like(5, 2).unwrap().max_finite, 57344.0);
    assert_eq!(FloatFormat::BF16.epsilon(), 2f64.powi(-7));
    assert_eq!(FloatFormat::FP16.epsilon(), 2f64.powi(-10));
    assert_eq!(FloatFormat::FP16.min_normal(), 2f64.powi(-14));
    assert_eq!(FloatFormat::FP16.min_subnormal(), 2f64.powi(-24));
    assert_eq!(FloatFormat::E4M3.min_subnormal(), 2f64.powi(-9));
    assert_eq!(FloatFormat::E5M2.min_subnormal(), 2f64.powi(-16));
    // Saturation, and IEEE overflow to infinity / NaN.
    assert_eq!(rn(&FloatFormat::E4M3, 1e6), 448.0);
    assert_eq!(rn(&FloatFormat::E4M3, 460.0), 448.0);
    assert!(FloatFormat::E4M3
        .round(500.0, Rounding::Nearest, Overflow::Infinity, 0.0)
        .is_nan());
    assert_eq!(
        FloatFormat::FP16.round(65520.0, Rounding::Nearest, Overflow::Infinity, 0.0),
        f64::INFINITY
    );
    assert_eq!(
        FloatFormat::FP16.round(65519.0, Rounding::Nearest, Overflow::Infinity, 0.0),
        65504.0
    );
    // BF16 spacing at 1 is 2^-7: 1 + 2^-8 is a tie and rounds to the even 1.
    let b = FloatFormat::BF16;
    assert_eq!(rn(&b, 1.0 + 2f64.powi(-7)), 1.0 + 2f64.powi(-7));
    assert_eq!(rn(&b, 1.0 + 2f64.powi(-8)), 1.0);
    assert_eq!(rn(&b, 1.0 + 3.0 * 2f64.powi(-8)), 1.0 + 2.0 * 2f64.powi(-7));
}

#[test]
fn fp16_and_bf16_round_like_the_hardware_conversions() {
    // Independent reference: f32 → bf16 by round-to-nearest-even on the bit pattern, and f64 → f32
    // (exact for the FP16 check points below, which are f32 numbers).
    let bf16_ref = |x: f32| -> f32 {
        let b = x.to_bits();
        let lsb = (b >> 16) & 1;
        f32::from_bits((b.wrapping_add(0x7fff + lsb)) & 0xffff_0000)
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    for _ in 0..20000 {
        let x: f32 = (rng.sample::<f64, _>(StandardNormal)
            * 10f64.powf(rng.random_range(-30.0..30.0))) as f32;
        let got = rn(&FloatFormat::BF16, x as f64);
        assert_eq!(got, bf16_ref(x) as f64, "bf16({x})");
    }
    // FP16 subnormals: multiples of 2^-24; normals: 11 significant bits.
    let f = FloatFormat::FP16;
    assert_eq!(rn(&f, 3.0 * 2f64.powi(-25)), 2.0 * 2f64.powi(-24)); // tie 1.5 ulp → even 2
    assert_eq!(rn(&f, 2f64.powi(-25)), 0.0); // tie 0.5 ulp → even 0
    assert_eq!(rn(&f, 1.0 + 2f64.powi(-11)), 1.0);
    assert_eq!(rn(&f, 2049.0), 2048.0);
    assert_eq!(rn(&f, 2051.0), 2052.0);
}

#[test]
fn stochastic_rounding_is_unbiased_and_nearest_is_not() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let xs = [0.3, 1.1, 2.6, 5.2, 0.07];
    for f in [FloatFormat::E2M1, FloatFormat::E4M3, FloatFormat::E5M2] {
        let m = conditional_moments(
            |x, u| f.round(x, Rounding::Stochastic, Overflow::Saturate, u),
            &xs,
            40000,
            &mut rng,
        );
        for c in &m {
            // Var of a two-point rounding is (x − lo)(hi − x); the mean's se is sqrt(var/n).
            let se = (c.var / 40000.0).sqrt().max(1e-12);
            assert!(
                (c.mean - c.x).abs() <= 4.0 * se,
                "{}: E[SR({})] = {} (se {se})",
                f.name,
                c.x,
                c.mean
            );
        }
    }
    let g = IntGrid::new(4, IntScale::Fixed(0.25)).unwrap();
    let m = conditional_moments(
        |x, u| g.round(x, 0.25, Rounding::Stochastic, u),
        &[0.1, 0.9, -1.3],
        40000,
        &mut rng,
    );
    for c in &m {
        let (lo, hi) = (
            (c.x / 0.25).floor() * 0.25,
            (c.x / 0.25).floor() * 0.25 + 0.25,
        );
        let var = (c.x - lo) * (hi - c.x);
        assert!((c.mean - c.x).abs() <= 4.0 * (var / 40000.0).sqrt());
        assert!((c.var - var).abs() <= 0.05 * var);
    }
    // Round-to-nearest has zero variance and (generically) nonzero bias.
    let m = conditional_moments(|x, _| rn(&FloatFormat::E2M1, x), &[1.3], 10, &mut rng);
    assert_eq!(m[0].var, 0.0);
    assert!((m[0].mean - 1.5).abs() < 1e-15);
}

#[test]
fn integer_grid_levels_and_absmax() {
    let g = IntGrid::new(8, IntScale::Absmax).unwrap();
    assert_eq!(g.levels(), 127.0);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut v = vec![1.0, -0.5, 0.25, 0.003];
    Quantizer::Int {
        grid: g,
        rounding: Rounding::Nearest,
    }
    .apply(&mut v, &mut rng);
    assert_eq!(v[0], 1.0); // the absmax entry is exact
    assert_eq!(v[1], -64.0 / 127.0); // −63.5 → −64 (ties to even)
    assert_eq!(v[3], 0.0);
    assert!(IntGrid::new(1, IntScale::Absmax).is_err());
}

/// Empirical E[Q(x)Q(x)ᵀ] for x ~ N(0, H) against a closed form, entry by entry within 5 se.
fn second_moment_check(q: Quantizer, expect: impl Fn(usize, usize, &[f64]) -> f64) {
    let lam: [f64; 4] = [1.0, 0.5, 0.25, 0.125];
    let d = lam.len();
    let n = 200_000;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
    let mut s = vec![0.0; d * d];
    let mut s2 = vec![0.0; d * d];
    let mut x = vec![0.0; d];
    for _ in 0..n {
        for i in 0..d {
            x[i] = lam[i].sqrt() * rng.sample::<f64, _>(StandardNormal);
        }
        q.apply(&mut x, &mut rng);
        for i in 0..d {
            for j in 0..d {
                let p = x[i] * x[j];
                s[i * d + j] += p;
                s2[i * d + j] += p * p;
            }
        }
    }
    for i in 0..d {
        for j in 0..d {
            let m = s[i * d + j] / n as f64;
            let se = ((s2[i * d + j] / n as f64 - m * m) / n as f64).sqrt();
            let e = expect(i, j, &lam);
            assert!(
                (m - e).abs() <= 5.0 * se,
                "{:?} entry ({i},{j}): {m} vs {e} (se {se})",
                q
            );
        }
    }
}

#[test]
fn multiplicative_data_quantization_scales_h_and_additive_adds_eps_identity() {
    let eps = 0.3;
    for sharing in [Sharing::PerCoordinate, Sharing::PerVector] {
        second_moment_check(Quantizer::Multiplicative { eps, sharing }, |i, j, l| {
            if i == j {
                (1.0 + eps) * l[i]
            } else {
                0.0
            }
        });
    }
    second_moment_check(Quantizer::Additive { eps }, |i, j, l| {
        if i == j {
            l[i] + eps
        } else {
            0.0
        }
    });
}
