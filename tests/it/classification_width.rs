//! The optimal quantization width under the sign channel (`docs/classification.md` §11): a
//! b-bit uniform student with the ridge prior `e^{−λs²/2}` learning a Gaussian teacher's labels
//! at β = ∞ (the prior-weighted version space).
//!
//! The reference is written here without the library's channel code, student code, quadrature
//! or optimizer: `Ψ_out(m, q, Q)` of the noiseless sign channel at β = ∞ as one Simpson integral
//! over the student's cavity field (the teacher's label probability given it is `H(−γt)`), the
//! three conjugates as central finite differences of that `Ψ_out` (no closed-form derivative, no
//! scale-invariance identity), the student side as Simpson integrals over the local field `h`
//! (for a Gaussian teacher `E[w0 | h]` is linear in `h`), plain damped iteration, and a golden
//! section search over the width. A second reference is the continuous Gaussian-prior student
//! (`λ = 1/ρ`: the Bayes posterior), reached by the one-variable Opper–Haussler equation; many
//! fine levels approach it.

use crate::support::cli::{bad_input, ok};
use quantreplica::experiments::widths::{optimal_width, Objective};
use quantreplica::spec::ChannelKind;
use quantreplica::ModelSpec;
use std::f64::consts::{PI, SQRT_2};

fn h(x: f64) -> f64 {
    0.5 * pxfm::f_erfc(x / SQRT_2)
}

fn npdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// `log H(x)`, with the asymptotic series where `erfc` underflows.
fn log_h(x: f64) -> f64 {
    if x < 30.0 {
        h(x).ln()
    } else {
        let x2 = x * x;
        -0.5 * x2 - (x * (2.0 * PI).sqrt()).ln() + (1.0 - 1.0 / x2 + 3.0 / (x2 * x2)).ln()
    }
}

fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let step = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(a + i as f64 * step);
    }
    s * step / 3.0
}

/// `Ψ_out(m, q, Q)` for clean labels `sign(z0)`, `z0 ~ N(0, 1)`, at β = ∞: the student's cavity
/// field is `ω = √q t`; given it, `P(y = +1) = H(−γt)` with `γ = m/√(q − m²)`, and the example is
/// classified correctly with probability `H(−yω/√(Q − q))`. Summing both labels:
/// `Ψ = ∫Dt [H(−γt) log H(−√q t/√V) + H(γt) log H(√q t/√V)]`.
fn psi(m: f64, q: f64, big_q: f64) -> f64 {
    let g = m / (q - m * m).sqrt();
    let u = (q / (big_q - q)).sqrt();
    simpson(
        |t| npdf(t) * (h(-g * t) * log_h(-u * t) + h(g * t) * log_h(u * t)),
        -12.0,
        12.0,
        2000,
    )
}

/// The reference RS fixed point `(m, q, Q)` of levels `s` with ridge `lambda` at sample ratio
/// `alpha`, from the near-uninformed start.
fn reference_state(s: &[f64], lambda: f64, alpha: f64) -> [f64; 3] {
    let k = s.len() as f64;
    let q0 = s.iter().map(|v| v * v).sum::<f64>() / k;
    // Near-uninformed and inside m² ≤ ρq (ρ = 1).
    let mut x = [0.5 * (0.01 * q0).sqrt(), 0.01 * q0, q0];
    for it in 0..5000 {
        // Five-point central differences (truncation O(d⁴), rounding ~1e-15/d).
        let d = 1e-3 * x[1];
        let dpsi = |k: usize| {
            let at = |j: f64| {
                let mut y = x;
                y[k] += j * d;
                psi(y[0], y[1], y[2])
            };
            (8.0 * (at(1.0) - at(-1.0)) - (at(2.0) - at(-2.0))) / (12.0 * d)
        };
        let m_hat = alpha * dpsi(0);
        let q_hat = -2.0 * alpha * dpsi(1);
        let a = q_hat - 2.0 * alpha * dpsi(2);
        // The student at local field h = m̂ w0 + √q̂ z: p(s) ∝ e^{−(λ + a)s²/2 + h s};
        // h ~ N(0, m̂² + q̂) and E[w0 | h] = m̂ h/(m̂² + q̂).
        let var_h = m_hat * m_hat + q_hat;
        let sd = var_h.sqrt();
        let moments = |hh: f64| {
            let e: Vec<f64> = s
                .iter()
                .map(|v| -(lambda + a) * v * v / 2.0 + hh * v)
                .collect();
            let top = e.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let (mut z, mut s1, mut s2) = (0.0, 0.0, 0.0);
            for (v, ei) in s.iter().zip(&e) {
                let w = (ei - top).exp();
                z += w;
                s1 += w * v;
                s2 += w * v * v;
            }
            (s1 / z, s2 / z)
        };
        let avg = |f: &dyn Fn(f64) -> f64| simpson(|y| npdf(y) * f(sd * y), -12.0, 12.0, 2000);
        let m_new = m_hat / var_h * avg(&|hh| hh * moments(hh).0);
        let q_new = avg(&|hh| moments(hh).0.powi(2));
        let big_q_new = avg(&|hh| moments(hh).1);
        let new = [m_new, q_new, big_q_new];
        let change = (0..3).map(|i| (new[i] - x[i]).abs()).fold(0.0, f64::max);
        for i in 0..3 {
            x[i] = 0.5 * x[i] + 0.5 * new[i];
        }
        if change < 1e-11 {
            return x;
        }
        assert!(it < 4999, "reference iteration did not converge: {x:?}");
    }
    x
}

/// Reference ε_g of the uniform b-bit student of width `w`.
fn reference_error(bits: u32, w: f64, lambda: f64, alpha: f64) -> f64 {
    let k = 1usize << bits;
    let s: Vec<f64> = (0..k)
        .map(|i| -w + 2.0 * w * i as f64 / (k - 1) as f64)
        .collect();
    let [m, _, big_q] = reference_state(&s, lambda, alpha);
    (m / big_q.sqrt()).acos() / PI
}

/// Golden-section minimum of `f` on `[a, b]` (to `tol` in the argument).
fn golden(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64, tol: f64) -> (f64, f64) {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - r * (b - a);
    let mut d = a + r * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    while b - a > tol {
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - r * (b - a);
            fc = f(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + r * (b - a);
            fd = f(d);
        }
    }
    let x = 0.5 * (a + b);
    (x, f(x))
}

fn sign_spec(bits: u32, alpha: f64, ridge: f64) -> ModelSpec {
    let mut s = ModelSpec::default();
    s.channel = ChannelKind::Sign;
    s.bits = bits;
    s.alpha = alpha;
    s.ridge = ridge;
    s
}

/// The library's ω* and ε_g(ω*) for b = 2 and 3 (α = 2, β = ∞, λ = 1) against the reference's
/// golden-section minimum; ω* scales as 1/√λ.
#[test]
fn optimal_width_matches_an_independent_rs_reference() {
    for (bits, lo, hi) in [(2u32, 1.0, 2.6), (3, 2.2, 4.2)] {
        let lib = optimal_width(&sign_spec(bits, 2.0, 1.0), Objective::GenError).unwrap();
        assert!(lib.converged);
        let (w_ref, e_ref) = golden(|w| reference_error(bits, w, 1.0, 2.0), lo, hi, 1e-4);
        eprintln!(
            "bits {bits}: library omega* = {:.6} eps = {:.10}; reference {w_ref:.6} {e_ref:.10}",
            lib.width, lib.solution.gen_error
        );
        assert!(
            (lib.width - w_ref).abs() < 3e-3 * w_ref,
            "bits {bits}: omega* {} vs reference {w_ref}",
            lib.width
        );
        assert!(
            (lib.solution.gen_error - e_ref).abs() < 2e-8,
            "bits {bits}: eps {} vs reference {e_ref}",
            lib.solution.gen_error
        );
        // The optimum is worth having: below the counting measure's error (ω√λ → 0) and the
        // error at 1.4 times the width.
        let flat = reference_error(bits, 1e-3, 1.0, 2.0);
        let wide = reference_error(bits, 1.4 * w_ref, 1.0, 2.0);
        assert!(flat.is_finite() && wide.is_finite());
        assert!(
            e_ref < flat - 1e-4 && e_ref < wide - 1e-5,
            "{e_ref} {flat} {wide}"
        );
        // Only ω√λ matters: λ = 4 halves ω*.
        let lib4 = optimal_width(&sign_spec(bits, 2.0, 4.0), Objective::GenError).unwrap();
        assert!((2.0 * lib4.width - lib.width).abs() < 2e-3 * lib.width);
        let rms = lib.width_over_rms.unwrap();
        assert!((rms - lib.width / lib.solution.big_q.sqrt()).abs() < 1e-12);
        assert!((lib4.width_over_rms.unwrap() - rms).abs() < 2e-3 * rms);
    }
}

/// With `λ = 1/ρ` the continuous student's prior is the teacher's, so at β = ∞ its Gibbs
/// measure is the Bayes posterior: `q = m`, `Q = ρ`, and `q` solves the one-variable
/// Opper–Haussler equation `q = q̂/(1 + q̂)`, `q̂ = (2α/(1 − q)) ∫Dt φ(x)²/H(x)`,
/// `x = −t√(q/(1 − q))`. A 4-bit student at its optimal width is within 1e-6 of its Gibbs error.
#[test]
fn four_bits_at_the_optimal_width_reach_the_bayes_gibbs_error() {
    let alpha = 2.0;
    let mut q: f64 = 0.5;
    for _ in 0..10_000 {
        let u = (q / (1.0 - q)).sqrt();
        let qh = 2.0 * alpha / (1.0 - q)
            * simpson(
                |t| npdf(t) * npdf(-u * t).powi(2) / h(-u * t),
                -12.0,
                12.0,
                4000,
            );
        let qn = qh / (1.0 + qh);
        if (qn - q).abs() < 1e-14 {
            break;
        }
        q = 0.5 * q + 0.5 * qn;
    }
    // Nishimori: m = q, Q = ρ = 1. A Gibbs sample errs with arccos(m/√(ρQ))/π, the posterior
    // mean with arccos(m/√(ρq))/π.
    let bayes_gibbs = q.acos() / PI;
    let bayes_mean = q.sqrt().acos() / PI;
    let lib = optimal_width(&sign_spec(4, alpha, 1.0), Objective::GenError).unwrap();
    eprintln!(
        "Bayes Gibbs error {bayes_gibbs:.10}, posterior mean {bayes_mean:.10}; 4 bits at omega* = {:.4}: {:.10}",
        lib.width, lib.solution.gen_error
    );
    assert!((lib.solution.gen_error - bayes_gibbs).abs() < 1e-6);
    assert!((lib.solution.mse_posterior_mean - bayes_mean).abs() < 1e-6);
    // Two bits are measurably worse.
    let two = optimal_width(&sign_spec(2, alpha, 1.0), Objective::GenError).unwrap();
    assert!(two.solution.gen_error > bayes_gibbs + 1e-3);
}

/// The width is a gauge for ±ω levels even with a ridge, and for every level set without one:
/// refused with one line naming the value; a 2-bit student with a ridge is accepted, and the
/// text table shows the width in units of the rms weight.
#[test]
fn gauge_widths_are_refused() {
    let gauge = "their width is a gauge even with --ridge 1";
    bad_input(
        &[
            "optimal-width",
            "--channel",
            "sign",
            "--bits",
            "1",
            "--ridge",
            "1",
        ],
        gauge,
    );
    bad_input(
        &[
            "optimal-width",
            "--channel",
            "sign",
            "--levels",
            "pow2",
            "--bits-range",
            "1:3",
            "--ridge",
            "1",
        ],
        "--bits 1 pow2 levels are ±width",
    );
    bad_input(
        &["optimal-width", "--channel", "sign", "--bits", "3"],
        "with --ridge 0 the width is a gauge",
    );
    let o = ok(&[
        "optimal-width",
        "--channel",
        "sign",
        "--bits",
        "2",
        "--ridge",
        "1",
    ]);
    assert!(o.stdout.contains("width/rms"), "{}", o.stdout);
}

/// With the ridge as a prior factor the RS entropy `s` is relative to `e^{−λs²/2}`; the bound
/// `0 ≤ · ≤ log K` holds for `s + λQ/2`. At α → 0 the state is the prior on the grid,
/// `p_k ∝ e^{−λ s_k²/2}`, whose Shannon entropy is that sum (closed form): here `s < 0` with
/// nearly two solutions per weight, and no violation is flagged.
#[test]
fn ridge_prior_entropy_is_not_a_violation() {
    let mut spec = sign_spec(2, 1e-4, 1.0);
    spec.width = 4.0;
    let r = quantreplica::rs::solve(&spec.build().unwrap(), &Default::default());
    let e = r.equilibrium;
    let levels = [-4.0, -4.0 / 3.0, 4.0 / 3.0, 4.0];
    let w: Vec<f64> = levels.iter().map(|s: &f64| (-0.5 * s * s).exp()).collect();
    let z: f64 = w.iter().sum();
    let shannon: f64 = w.iter().map(|wk| -(wk / z) * (wk / z).ln()).sum();
    let s = e.entropy.unwrap();
    eprintln!(
        "s = {s}, Q = {}, s + Q/2 = {}, Shannon {shannon}",
        e.big_q,
        s + 0.5 * e.big_q
    );
    assert!(s < -0.1);
    assert!((s + 0.5 * e.big_q - shannon).abs() < 1e-3);
    assert_eq!(e.entropy_violation, Some(false));
}
