//! Independent references for the sign (perceptron) channel and the storage problem
//! (`docs/classification.md`), written without any of the library's channel code, quadrature or
//! samplers, and checked here against closed forms and exact identities:
//!
//! - `psi_brute`: `Ψ_out(m, q, Q)` as a plain 2-D Simpson integral over the standardized teacher
//!   and student fields, with the label sum and `log Z_out` taken literally (no `t`-form, no
//!   symmetry, no erfcx); its derivatives by finite differences give the reference conjugates.
//! - `bayes_binary`: the one-variable RS fixed point of the ±1 teacher–student perceptron on the
//!   Nishimori line at β = ∞ (`q = E tanh(q̂ + √q̂ z)`, `q̂ = (2α/(1−q))∫Dt φ(x)²/H(x)`), the
//!   textbook form (Györgyi 1990; Barbier et al. 2019), solved by plain iteration.
//! - `enumerate`: brute-force enumeration of every weight vector of a small perceptron instance
//!   (error count with Gardner's normalized margin, the boundary counted as an error).
//!
//! The library's sign channel, RS solver and Gibbs sampler are tested against these in their
//! own test files.

use crate::support::stats::mean_se;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::f64::consts::{PI, SQRT_2};

/// `H(x) = P(N(0,1) > x)`.
fn h(x: f64) -> f64 {
    // pxfm's erfc is correctly rounded; statrs 0.18's is off by up to ~1e-10 relative
    // (erfc(1/√2), erfc(2)), too coarse for a reference.
    0.5 * pxfm::f_erfc(x / SQRT_2)
}

fn npdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Standard normal CDF.
fn ncdf(x: f64) -> f64 {
    h(-x)
}

/// Composite Simpson rule with `n` (even) panels.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let step = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(a + i as f64 * step);
    }
    s * step / 3.0
}

/// One point of the sign channel.
#[derive(Clone, Copy, Debug)]
struct Point {
    rho: f64,
    m: f64,
    q: f64,
    big_q: f64,
    /// Label-flip probability (½ = storage).
    p: f64,
    beta: f64,
    kappa: f64,
}

/// `log Z_out(y; ω, V) = log(e^{−β} + (1 − e^{−β}) H((κ√Q − yω)/√V))`, taken literally (moderate
/// arguments only: the reference is used away from the extreme tails).
fn log_zout(pt: &Point, y: f64, omega: f64) -> f64 {
    let v = pt.big_q - pt.q;
    let eps = (-pt.beta).exp();
    (eps + (1.0 - eps) * h((pt.kappa * pt.big_q.sqrt() - y * omega) / v.sqrt())).ln()
}

/// `Ψ_out` by brute force (Simpson with 1000 panels per axis), see [`psi_brute_n`].
fn psi_brute(pt: &Point) -> f64 {
    psi_brute_n(pt, 1000)
}

/// `Ψ_out` by brute force: `u, v ~ N(0,1)`, `z0 = √ρ u`, `ω = (m/√ρ) u + √(q − m²/ρ) v`; the
/// label is `sign(z0)` flipped with probability p. Simpson on `[−L, L]²`, split at `u = 0` where
/// the label steps.
fn psi_brute_n(pt: &Point, n: usize) -> f64 {
    let l = 9.0;
    let c = pt.m / pt.rho.sqrt();
    let r = (pt.q - pt.m * pt.m / pt.rho).max(0.0).sqrt();
    let inner = |u: f64| {
        let f = |v: f64| {
            let omega = c * u + r * v;
            let (py, ny) = if u > 0.0 {
                (1.0 - pt.p, pt.p)
            } else {
                (pt.p, 1.0 - pt.p)
            };
            npdf(v) * (py * log_zout(pt, 1.0, omega) + ny * log_zout(pt, -1.0, omega))
        };
        npdf(u) * simpson(f, -l, l, n)
    };
    // Labels step at u = 0: evaluate each half with the limit from its own side.
    let neg = simpson(|u| inner(u.min(-1e-300)), -l, 0.0, n / 2);
    let pos = simpson(|u| inner(u.max(1e-300)), 0.0, l, n / 2);
    neg + pos
}

/// `H(κ)`-based closed form at `q = 0`, `m = 0`: `Ψ = log(e^{−β} + (1 − e^{−β}) H(κ))`.
fn psi_q0(beta: f64, kappa: f64) -> f64 {
    let eps = (-beta).exp();
    (eps + (1.0 - eps) * h(kappa)).ln()
}

/// Central finite difference of `psi_brute` in coordinate `k` (0 = m, 1 = q, 2 = Q).
fn dpsi(pt: &Point, k: usize, step: f64, n: usize) -> f64 {
    let mut a = *pt;
    let mut b = *pt;
    match k {
        0 => {
            a.m += step;
            b.m -= step
        }
        1 => {
            a.q += step;
            b.q -= step
        }
        _ => {
            a.big_q += step;
            b.big_q -= step
        }
    }
    (psi_brute_n(&a, n) - psi_brute_n(&b, n)) / (2.0 * step)
}

#[test]
fn brute_force_psi_matches_its_closed_forms() {
    // q → 0 (m = 0): every student field is pure self-noise, Ψ = log(ε + (1−ε)H(κ)).
    for (beta, kappa, p) in [(2.0, 0.0, 0.0), (0.7, 0.5, 0.2), (5.0, -0.3, 0.5)] {
        let pt = Point {
            rho: 1.3,
            m: 0.0,
            q: 1e-12,
            big_q: 0.8,
            p,
            beta,
            kappa,
        };
        let (b, c) = (psi_brute(&pt), psi_q0(beta, kappa));
        assert!((b - c).abs() < 1e-9, "q=0: {b} vs {c}");
    }
    // β = 0: no energy, Ψ = 0 at any overlaps.
    let pt = Point {
        rho: 1.0,
        m: 0.4,
        q: 0.5,
        big_q: 1.0,
        p: 0.1,
        beta: 0.0,
        kappa: 0.3,
    };
    assert!(psi_brute(&pt).abs() < 1e-12);
}

#[test]
fn brute_force_psi_symmetries() {
    // Each identity holds point by point in the integrand, so a coarse grid tests it exactly.
    const N: usize = 300;
    let base = Point {
        rho: 1.0,
        m: 0.35,
        q: 0.45,
        big_q: 0.9,
        p: 0.1,
        beta: 3.0,
        kappa: 0.4,
    };
    // Scale invariance of Gardner's normalized margin: Ψ(λm, λ²q, λ²Q) = Ψ(m, q, Q).
    let lam = 1.7;
    let scaled = Point {
        m: lam * base.m,
        q: lam * lam * base.q,
        big_q: lam * lam * base.big_q,
        ..base
    };
    let (a, b) = (psi_brute_n(&base, N), psi_brute_n(&scaled, N));
    assert!((a - b).abs() < 1e-10, "scale: {a} vs {b}");
    // Its infinitesimal form, m ∂_m + 2q ∂_q + 2Q ∂_Q = 0, on finite differences.
    let d: Vec<f64> = (0..3).map(|k| dpsi(&base, k, 1e-4, N)).collect();
    let euler = base.m * d[0] + 2.0 * base.q * d[1] + 2.0 * base.big_q * d[2];
    assert!(euler.abs() < 1e-7, "Euler relation: {euler} ({d:?})");
    // Storage (p = ½): no dependence on m.
    let st = Point { p: 0.5, ..base };
    let st2 = Point { m: -0.2, ..st };
    assert!((psi_brute_n(&st, N) - psi_brute_n(&st2, N)).abs() < 1e-12);
    // The sign of the teacher is irrelevant once the labels are pure noise, and flipping
    // every label (p → 1 − p) is the same as m → −m.
    let flipped = Point { p: 0.9, ..base };
    let mirrored = Point { m: -0.35, ..base };
    assert!((psi_brute_n(&flipped, N) - psi_brute_n(&mirrored, N)).abs() < 1e-12);
}

#[test]
fn brute_force_conjugates_obey_nishimori() {
    // On the Nishimori line (κ = 0, β = ln((1−p)/p), m = q, Q = ρ) the student's channel is the
    // teacher's: m̂ = α∂_mΨ equals q̂ = −2α∂_qΨ, and a = q̂ − 2α∂_QΨ equals m̂ (Q-stationarity
    // with a matched prior). A wrong label sum, flip or margin convention breaks all three.
    let p: f64 = 0.15;
    let pt = Point {
        rho: 1.0,
        m: 0.55,
        q: 0.55,
        big_q: 1.0,
        p,
        beta: ((1.0 - p) / p).ln(),
        kappa: 0.0,
    };
    let step = 1e-4;
    let dm = dpsi(&pt, 0, step, 1000);
    let dq = dpsi(&pt, 1, step, 1000);
    let dbig = dpsi(&pt, 2, step, 1000);
    let (m_hat, q_hat) = (dm, -2.0 * dq);
    let a = q_hat - 2.0 * dbig;
    assert!(
        (m_hat - q_hat).abs() < 1e-6 * q_hat.abs(),
        "{m_hat} vs {q_hat}"
    );
    // a = (q̂(Q − q) + m̂ m)/Q (scale invariance) = q̂ here; Q-stationarity at ρ = Q would need
    // the student side, so only the channel identity is checked.
    let a_euler = (q_hat * (pt.big_q - pt.q) + m_hat * pt.m) / pt.big_q;
    assert!((a - a_euler).abs() < 1e-6 * a.abs(), "{a} vs {a_euler}");
}

/// The Bayes-optimal ±1 teacher–student perceptron at β = ∞: returns `(q, q̂, φ)` of the fixed
/// point reached from `q_start` by plain iteration, or `None` if it runs to `q → 1`. The map
/// `q ↦ E tanh(q̂(q) + √q̂(q) z)` is increasing, so from any start below the smallest fixed
/// point (the poor-generalization branch) the iterates rise monotonically onto it.
fn bayes_binary(alpha: f64, q_start: f64) -> Option<(f64, f64, f64)> {
    let (l, n) = (10.0, 2000);
    let qhat_of = |q: f64| {
        let u = (q / (1.0 - q)).sqrt();
        // ∫Dt φ(x)²/H(x), x = −u t; for x ≪ 0 H → 1, for x ≫ 0 the ratio → x φ(x), so the
        // literal form is safe on [−10, 10].
        2.0 * alpha / (1.0 - q) * simpson(|t| npdf(t) * npdf(-u * t).powi(2) / h(-u * t), -l, l, n)
    };
    let q_of = |qh: f64| simpson(|z| npdf(z) * (qh + qh.sqrt() * z).tanh(), -l, l, n);
    let mut q = q_start;
    for _ in 0..20_000 {
        let qn = q_of(qhat_of(q));
        if (qn - q).abs() < 1e-13 {
            q = qn;
            let qh = qhat_of(q);
            let u = (q / (1.0 - q)).sqrt();
            let ent = -0.5 * qh * (1.0 + q)
                + simpson(
                    |z| {
                        let x = qh + qh.sqrt() * z;
                        // log 2cosh x = |x| + log(1 + e^{−2|x|}).
                        npdf(z) * (x.abs() + (-2.0 * x.abs()).exp().ln_1p())
                    },
                    -l,
                    l,
                    n,
                );
            let en = 2.0 * simpson(|t| npdf(t) * h(-u * t) * h(-u * t).ln(), -l, l, n);
            return Some((q, qh, ent + alpha * en));
        }
        q = qn;
        if q > 1.0 - 1e-6 {
            return None;
        }
    }
    None
}

#[test]
fn bayes_binary_reference_reproduces_gyorgyi_and_the_amp_threshold() {
    // α → 0 limit: q̂ = 4α/π... at small α the fixed point is q ≈ 2α/π (first order in α:
    // q ≈ q̂, q̂ ≈ (2α)·φ(0)²/H(0) = 2α/π).
    let (q, _, phi) = bayes_binary(1e-3, 0.0).unwrap();
    assert!((q / (2e-3 / PI) - 1.0).abs() < 5e-3, "q = {q}");
    // φ → log 2 − α log 2 (annealed, exact to first order).
    assert!(
        (phi - (2f64.ln() * (1.0 - 1e-3))).abs() < 1e-6,
        "phi = {phi}"
    );
    // First-order transition: the poor branch's entropy crosses 0 (that of w = w0) at
    // α_IT = 1.245 (Györgyi 1990). Bracket it to 4 digits.
    let (mut lo, mut hi) = (1.24, 1.25);
    let (mut q_lo, _, s_lo) = bayes_binary(lo, 0.0).unwrap();
    assert!(s_lo > 0.0 && bayes_binary(hi, q_lo).unwrap().2 < 0.0);
    for _ in 0..12 {
        let mid = 0.5 * (lo + hi);
        // Warm start from the branch at the lower α (below the new fixed point).
        let (q, _, s) = bayes_binary(mid, q_lo).unwrap();
        if s > 0.0 {
            (lo, q_lo) = (mid, q)
        } else {
            hi = mid
        }
    }
    eprintln!("reference alpha_IT = {lo:.6}");
    assert!((lo - 1.245).abs() < 5e-4, "alpha_IT = {lo}");
    // Spinodal of the poor branch (AMP threshold 1.493, Barbier et al. 2019): the branch exists
    // at 1.49 and is gone at 1.50.
    let (q149, _, _) = bayes_binary(1.49, q_lo).unwrap();
    assert!(bayes_binary(1.50, q149).is_none());
}

/// A perceptron instance: inputs `N(0, 1/N)`, labels from a teacher or random.
struct Instance {
    n: usize,
    /// Row-major `M × N`.
    x: Vec<f64>,
    y: Vec<f64>,
}

fn instance(
    n: usize,
    m: usize,
    teacher: Option<&[f64]>,
    p: f64,
    rng: &mut Xoshiro256PlusPlus,
) -> Instance {
    let x: Vec<f64> = (0..m * n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(rng);
            z / (n as f64).sqrt()
        })
        .collect();
    let y = (0..m)
        .map(|mu| {
            let u: f64 = rand::Rng::random(rng);
            match teacher {
                Some(w0) => {
                    let z0: f64 = (0..n).map(|i| x[mu * n + i] * w0[i]).sum();
                    let s = if z0 > 0.0 { 1.0 } else { -1.0 };
                    if u < p {
                        -s
                    } else {
                        s
                    }
                }
                None => {
                    if u < 0.5 {
                        1.0
                    } else {
                        -1.0
                    }
                }
            }
        })
        .collect();
    Instance { n, x, y }
}

/// Number of errors of `w` (error iff `y z ≤ κ √Q`, `Q = ‖w‖²/N`).
fn errors(inst: &Instance, w: &[f64], kappa: f64) -> usize {
    let n = inst.n;
    let q = w.iter().map(|v| v * v).sum::<f64>() / n as f64;
    inst.y
        .iter()
        .enumerate()
        .filter(|(mu, y)| {
            let z: f64 = (0..n).map(|i| inst.x[mu * n + i] * w[i]).sum();
            **y * z <= kappa * q.sqrt()
        })
        .count()
}

/// `Z = Σ_w e^{−β E(w)}` over all `levels^N` configurations (counting measure).
fn enumerate_z(inst: &Instance, levels: &[f64], beta: f64, kappa: f64) -> f64 {
    let (n, k) = (inst.n, levels.len());
    let mut digits = vec![0usize; n];
    let mut z = 0.0;
    loop {
        let w: Vec<f64> = digits.iter().map(|d| levels[*d]).collect();
        let e = errors(inst, &w, kappa);
        // e^{−β·0} = 1 also at β = ∞ (where ∞·0 would be NaN).
        z += if e == 0 {
            1.0
        } else {
            (-beta * e as f64).exp()
        };
        let mut i = 0;
        loop {
            if i == n {
                return z;
            }
            digits[i] += 1;
            if digits[i] < k {
                break;
            }
            digits[i] = 0;
            i += 1;
        }
    }
}

#[test]
fn enumeration_reproduces_the_annealed_storage_identity() {
    // Ternary weights, margin κ: for w ≠ 0, y z/√Q is a standard normal with a random sign, so
    // P(error) = Φ(κ) and E[Z] = (3^N − 1)(1 − (1−e^{−β})Φ(κ))^M + e^{−βM} (w = 0 errs on every
    // example). A margin normalized by anything but √Q, or a strict inequality at w = 0, fails.
    let (n, m, beta, kappa) = (6usize, 5usize, 1.3, 0.4);
    let levels = [-1.0, 0.0, 1.0];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let zs: Vec<f64> = (0..3000)
        .map(|_| enumerate_z(&instance(n, m, None, 0.0, &mut rng), &levels, beta, kappa))
        .collect();
    let (mean, se) = mean_se(&zs);
    let pe = ncdf(kappa);
    let exact = (3f64.powi(n as i32) - 1.0) * (1.0 - (1.0 - (-beta).exp()) * pe).powi(m as i32)
        + (-beta * m as f64).exp();
    eprintln!("storage E[Z]: {mean} ± {se}, exact {exact}");
    assert!((mean - exact).abs() < 4.0 * se, "{mean} ± {se} vs {exact}");
    // ±1 weights at β = ∞, κ = 0: E[#solutions] = 2^{N−M}.
    let (n, m) = (8usize, 6usize);
    let counts: Vec<f64> = (0..3000)
        .map(|_| {
            enumerate_z(
                &instance(n, m, None, 0.0, &mut rng),
                &[-1.0, 1.0],
                f64::INFINITY,
                0.0,
            )
        })
        .collect();
    let (mean, se) = mean_se(&counts);
    let exact = 2f64.powi((n - m) as i32);
    eprintln!("E[#solutions]: {mean} ± {se}, exact {exact}");
    assert!((mean - exact).abs() < 4.0 * se, "{mean} ± {se} vs {exact}");
}

#[test]
fn enumeration_reproduces_the_annealed_teacher_student_identity() {
    // ±1 teacher and student, flips p: for w at Hamming distance d from w0 the error probability
    // is p + (1 − 2p) θ_d/π, θ_d = arccos(1 − 2d/N), so
    // E[Z] = Σ_d C(N, d) (1 − (1 − e^{−β})(p + (1 − 2p)θ_d/π))^M.
    let (n, m, beta, p) = (7usize, 9usize, 2.0, 0.1);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
    let zs: Vec<f64> = (0..3000)
        .map(|_| {
            let w0: Vec<f64> = (0..n)
                .map(|_| {
                    if rand::Rng::random::<f64>(&mut rng) < 0.5 {
                        1.0
                    } else {
                        -1.0
                    }
                })
                .collect();
            enumerate_z(
                &instance(n, m, Some(&w0), p, &mut rng),
                &[-1.0, 1.0],
                beta,
                0.0,
            )
        })
        .collect();
    let (mean, se) = mean_se(&zs);
    let mut exact = 0.0;
    let mut binom = 1.0;
    for d in 0..=n {
        if d > 0 {
            binom *= (n - d + 1) as f64 / d as f64;
        }
        let theta = (1.0 - 2.0 * d as f64 / n as f64).acos();
        let pe = p + (1.0 - 2.0 * p) * theta / PI;
        exact += binom * (1.0 - (1.0 - (-beta).exp()) * pe).powi(m as i32);
    }
    eprintln!("teacher-student E[Z]: {mean} ± {se}, exact {exact}");
    assert!((mean - exact).abs() < 4.0 * se, "{mean} ± {se} vs {exact}");
}

#[test]
fn gardner_capacity_integral() {
    // I(κ) = ∫_{−κ}^∞ Du (u + κ)² = (1 + κ²)Φ(κ) + κφ(κ); I(0) = ½ gives the ±1 RS capacity
    // 2/(π I) = 4/π and the spherical capacity 1/I = 2 (Gardner 1988).
    for kappa in [0.0, 0.5, 1.0, -0.7] {
        let brute = simpson(|u| npdf(u) * (u + kappa).powi(2), -kappa, 12.0, 20_000);
        let closed = (1.0 + kappa * kappa) * ncdf(kappa) + kappa * npdf(kappa);
        assert!(
            (brute - closed).abs() < 1e-12,
            "I({kappa}): {brute} vs {closed}"
        );
    }
    let i0 = 0.5;
    assert!((2.0 / (PI * i0) - 1.273_239_544_735_162_7).abs() < 1e-15);
}

// ---------------------------------------------------------------------------------------------
// The library's sign channel against the references above.

use quantreplica::model::channel::RsState;
use quantreplica::model::{Labels, OutputChannel, SignChannel};

fn channel_of(pt: &Point) -> SignChannel {
    if pt.p == 0.5 {
        SignChannel::storage(pt.kappa)
    } else {
        SignChannel::new(pt.p, pt.kappa, Labels::Teacher).unwrap()
    }
}

fn state(pt: &Point, alpha: f64) -> RsState {
    RsState::new(alpha, pt.beta, pt.rho, pt.m, pt.q, pt.big_q).unwrap()
}

/// States spanning noiseless and noisy teachers, storage, margins, finite β and β = ∞.
fn points() -> Vec<Point> {
    let mut v = vec![];
    for &(rho, m, q, big_q) in &[
        (1.0, 0.3, 0.4, 0.9),
        (1.3, 0.7, 0.6, 1.1),
        (0.7, 0.05, 0.2, 0.5),
    ] {
        for &(p, beta, kappa) in &[
            (0.0, f64::INFINITY, 0.0),
            (0.0, 3.0, 0.5),
            (0.2, 1.5, 0.0),
            (0.5, f64::INFINITY, 0.8),
            (0.5, 0.7, -0.4),
        ] {
            v.push(Point {
                rho,
                m,
                q,
                big_q,
                p,
                beta,
                kappa,
            });
        }
    }
    v
}

#[test]
fn sign_channel_psi_and_conjugates_match_the_brute_force_reference() {
    let alpha = 1.7;
    for (k, pt) in points().into_iter().enumerate() {
        let ch = channel_of(&pt);
        let s = state(&pt, alpha);
        let t = ch.rs_terms(&s).unwrap();
        let c = ch.rs_conjugates(&s).unwrap();
        let psi = psi_brute_n(&pt, 700);
        assert!(
            (t.psi - psi).abs() < 2e-8 * (1.0 + psi.abs()),
            "{pt:?}: psi {} vs {psi}",
            t.psi
        );
        // Scale invariance: a = (q̂(Q − q) + m̂ m)/Q, from the channel alone.
        let a_euler = (c.q_hat * (pt.big_q - pt.q) + c.m_hat * pt.m) / pt.big_q;
        assert!(
            (c.a - a_euler).abs() < 1e-9 * (1.0 + a_euler.abs()),
            "{pt:?}: a {} vs Euler {a_euler}",
            c.a
        );
        // Conjugates against central differences of the brute-force Ψ on every third state
        // (step 1e-4: truncation ~1e-8, Simpson noise / step ~1e-8).
        if k % 3 != 0 {
            continue;
        }
        let h = 1e-4;
        let (dm, dq, dbq) = (
            dpsi(&pt, 0, h, 700),
            dpsi(&pt, 1, h, 700),
            dpsi(&pt, 2, h, 700),
        );
        let tol = |x: f64| 2e-6 * (1.0 + x.abs());
        let m_hat = if pt.p == 0.5 { 0.0 } else { alpha * dm };
        assert!(
            (c.m_hat - m_hat).abs() < tol(m_hat),
            "{pt:?}: m_hat {} vs {m_hat}",
            c.m_hat
        );
        assert!(
            (c.q_hat + 2.0 * alpha * dq).abs() < tol(c.q_hat),
            "{pt:?}: q_hat {} vs {}",
            c.q_hat,
            -2.0 * alpha * dq
        );
        let a = c.q_hat - 2.0 * alpha * dbq;
        assert!((c.a - a).abs() < tol(a), "{pt:?}: a {} vs {a}", c.a);
    }
}

#[test]
fn sign_channel_is_the_bayes_posterior_on_the_nishimori_line() {
    // m = q, Q = ρ, κ = 0, β = ln((1 − p)/p) (β = ∞ at p = 0): m̂ = q̂ = a.
    for &(p, q) in &[(0.0f64, 0.3), (0.0, 0.93), (0.1, 0.5), (0.3, 0.8)] {
        let beta = if p == 0.0 {
            f64::INFINITY
        } else {
            ((1.0 - p) / p).ln()
        };
        let ch = SignChannel::new(p, 0.0, Labels::Teacher).unwrap();
        let s = RsState::new(2.0, beta, 1.0, q, q, 1.0).unwrap();
        let c = ch.rs_conjugates(&s).unwrap();
        assert!((c.m_hat - c.q_hat).abs() < 1e-10 * c.q_hat, "p={p}: {c:?}");
        assert!((c.a - c.q_hat).abs() < 1e-10 * c.q_hat, "p={p}: {c:?}");
    }
}

/// Probabilists' Gauss–Hermite rule (Golub–Welsch): nodes and weights for `∫Dt f(t)`.
fn gauss_hermite(n: usize) -> (Vec<f64>, Vec<f64>) {
    let j = nalgebra::DMatrix::from_fn(n, n, |i, k| {
        if i + 1 == k || k + 1 == i {
            (i.max(k) as f64).sqrt()
        } else {
            0.0
        }
    });
    let e = j.symmetric_eigen();
    let nodes = e.eigenvalues.iter().copied().collect();
    let weights = (0..n).map(|k| e.eigenvectors[(0, k)].powi(2)).collect();
    (nodes, weights)
}

#[test]
fn near_q_to_one_a_fixed_gauss_hermite_rule_fails_and_the_adaptive_one_does_not() {
    // Storage, ±1 weights (Q = 1), β = ∞, κ = 0.3, 1 − q = 1e-6: log H((κ − √q t)/√(1 − q)) is
    // a parabola of curvature 1/(1 − q) left of a kink of width √(1 − q) ≈ 1e-3 at t = κ/√q.
    let (kappa, delta) = (0.3f64, 1e-6f64);
    let q = 1.0 - delta;
    let f = |t: f64| {
        let x = (kappa - q.sqrt() * t) / delta.sqrt();
        // ln H(x) through erfcx (no underflow), written here independently of the library.
        if x < 0.0 {
            (0.5 * pxfm::f_erfc(x / SQRT_2)).ln()
        } else {
            -0.5 * x * x + (0.5 * pxfm::f_erfcx(x / SQRT_2)).ln()
        }
    };
    // Reference: Simpson, refined around the kink (t0 ± 0.05 with 40000 panels of 2.5e-6).
    let t0 = kappa / q.sqrt();
    let g = |t: f64| npdf(t) * f(t);
    let reference = simpson(g, -12.0, t0 - 0.05, 40_000)
        + simpson(g, t0 - 0.05, t0 + 0.05, 40_000)
        + simpson(g, t0 + 0.05, 12.0, 40_000);
    // The asymptotic form of docs/classification.md §5: Ψ ≈ −I(κ)/(2δ).
    let i_k = (1.0 + kappa * kappa) * ncdf(kappa) + kappa * npdf(kappa);
    assert!((reference / (-i_k / (2.0 * delta)) - 1.0).abs() < 1e-2);
    let ch = SignChannel::storage(kappa);
    let adaptive = ch
        .rs_terms(&RsState::new(1.0, f64::INFINITY, 1.0, 0.0, q, 1.0).unwrap())
        .unwrap()
        .psi;
    let (nodes, weights) = gauss_hermite(64);
    let fixed: f64 = nodes.iter().zip(&weights).map(|(t, w)| w * f(*t)).sum();
    let rel = |x: f64| (x - reference).abs() / reference.abs();
    eprintln!(
        "q = 1 - 1e-6: reference {reference:.10e}, adaptive {adaptive:.10e} ({:.1e}), 64-point Gauss-Hermite {fixed:.10e} ({:.1e})",
        rel(adaptive),
        rel(fixed)
    );
    assert!(rel(adaptive) < 1e-9, "adaptive off by {}", rel(adaptive));
    // 64-point Gauss–Hermite keeps barely three digits (measured 4.5e−4).
    assert!(
        rel(fixed) > 1e-4,
        "Gauss-Hermite unexpectedly accurate: {}",
        rel(fixed)
    );
}

#[test]
fn library_enumeration_counts_what_the_reference_counts() {
    // The same instances through the library's enumerator (odometer with O(M) field updates,
    // error count at κ√Q from the channel, the boundary an error) and the reference above.
    use quantreplica::gibbs;
    use quantreplica::instance::Instance as LibInstance;
    use quantreplica::model::{Channel, LevelSet, Model, Student, TeacherPrior};
    let lib = |inst: &Instance| LibInstance {
        x: nalgebra::DMatrix::from_row_slice(inst.y.len(), inst.n, &inst.x),
        y: nalgebra::DVector::from_vec(inst.y.clone()),
        w0: None,
    };
    let model = |ch: SignChannel, beta: f64, levels: &[f64]| {
        Model::with_channel(
            1.0,
            Channel::Sign(ch),
            beta,
            0.0,
            Student::Discrete(LevelSet::new(levels.to_vec(), None).unwrap()),
            TeacherPrior::gaussian(1.0).unwrap(),
        )
        .unwrap()
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
    // Ternary storage with a margin at finite β: log Z.
    let ternary = [-1.0, 0.0, 1.0];
    for _ in 0..5 {
        let inst = instance(6, 5, None, 0.0, &mut rng);
        let want = enumerate_z(&inst, &ternary, 1.3, 0.4).ln();
        let got = gibbs::enumerate(
            &model(SignChannel::storage(0.4), 1.3, &ternary),
            &lib(&inst),
        )
        .unwrap()
        .log_z;
        assert!((got - want).abs() < 1e-12 * want.abs(), "{got} vs {want}");
    }
    // ±1 weights, noisy teacher labels, β = ∞: the number of solutions (or an empty version
    // space, reported as an error).
    let (mut nonempty, mut empty) = (0, 0);
    for _ in 0..20 {
        let w0 = [1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0, -1.0];
        let inst = instance(8, 7, Some(&w0), 0.1, &mut rng);
        let count = enumerate_z(&inst, &[-1.0, 1.0], f64::INFINITY, 0.2);
        let ch = SignChannel::new(0.1, 0.2, Labels::Teacher).unwrap();
        match gibbs::enumerate(&model(ch, f64::INFINITY, &[-1.0, 1.0]), &lib(&inst)) {
            Ok(ex) => {
                assert!((ex.log_z - count.ln()).abs() < 1e-12, "{ex:?} vs {count}");
                assert_eq!(ex.train_error, 0.0);
                nonempty += 1;
            }
            Err(e) => {
                assert_eq!(count, 0.0, "{e}");
                assert!(e.to_string().contains("version space"), "{e}");
                empty += 1;
            }
        }
    }
    eprintln!("version spaces: {nonempty} non-empty, {empty} empty");
    assert!(nonempty > 0 && empty > 0);
}
