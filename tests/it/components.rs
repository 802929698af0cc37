//! Component self-checks: every model piece against its own definition, by finite differences
//! and Monte Carlo, with no closed form written twice. A new component gets every check by being
//! added to ONE list below ([`channels`], [`students`], [`teachers`]).
//!
//! Students (every level kind: uniform, midtread, pow2, Lloyd–Max, quantile, custom, weighted,
//! ASQ, continuous) over a grid of natural parameters `(a, h)`: mean = ∂ log Z/∂h, variance =
//! ∂ mean/∂h, second moment = −2 ∂ log Z/∂a; level probabilities from the moments' own log Z
//! summing to one; posterior and prior draws against them (Pearson chi-square at false-alarm
//! probability 1e-6 per test); nearest and stochastic rounding and the β = ∞ ridge-shifted cells
//! against their definitions by brute force.
//!
//! Teachers (gaussian, binary, discrete with probabilities, sparse): the adaptive measure of the
//! field and the β = ∞ cell moments against Monte Carlo, the cell edge densities against
//! finite differences of the cell probabilities.
//!
//! Output channels ([`OutputChannel`]), at a grid of states and temperatures:
//! - `log Z_out(y; ω, V)` against adaptive quadrature of `E_ξ exp(−β ℓ(y, ω + √V ξ))` (the loss
//!   defines the channel);
//! - GAMP's `g = ∂_ω log Z_out` and `−∂g/∂ω` against finite differences of `log Z_out`;
//!   `∂ℓ/∂z` against finite differences of `ℓ`;
//! - the RS conjugates against finite differences of `Ψ_out` (`m̂ = α ∂Ψ/∂m`,
//!   `q̂ = −2α ∂Ψ/∂q`, `a = q̂ − 2α ∂Ψ/∂Q`), the loss against `−∂Ψ/∂β`;
//! - `Ψ_out`, the loss, the training error and the replicon factor against Monte Carlo over
//!   `(z0, ω)` with labels drawn by the channel itself;
//! - the 1RSB conjugates against finite differences of `Ψ1_out`, `∂Ψ1/∂x` and `−∂Ψ1/∂β`
//!   likewise, `Ψ1_out` against Monte Carlo, and its reduction to RS at `x = 1` and `q1 = q0`;
//! - the samplers' fast paths (quadratic site energy, total loss) against the plain sums, and
//!   the β = ∞ collapse (when offered) against the large-β limit of the RS terms.
//!
//! Finite differences: the 5-point central stencil `(f(−2h) − 8f(−h) + 8f(h) − f(2h))/(12h)`
//! has truncation error `h⁴ f⁽⁵⁾/30` and round-off `~ ε|f|/h`; with `h = 1e-3` (in units of the
//! parameter's scale) both are below 1e-11 for the smooth terms checked here, and the tolerance
//! is 1e-7 relative (channels whose terms are themselves quadratures carry a round-off of their
//! quadrature tolerance divided by `h`, ~1e-9).
//!
//! Monte Carlo: each comparison uses a fixed seed and accepts `|MC − exact| ≤ 5 SE` (plus 1e-9
//! for zero-variance estimands), a false-alarm probability of 6e-7 per comparison under the
//! normal approximation.

use crate::support::stats::mean_se;
use quantreplica::instance::rng_for;
use quantreplica::model::channel::{RsState, RsbState, SiteMove};
use quantreplica::model::field::Field;
use quantreplica::model::{
    Channel, GaussianChannel, Labels, LevelKind, LevelSet, OutputChannel, Rounding, SignChannel,
    Student, TeacherPrior,
};
use quantreplica::quad::{integrate, Tolerance};
use rand_distr::{Distribution, StandardNormal};

/// EVERY output channel under test: add a new channel here.
fn channels() -> Vec<Channel> {
    vec![
        Channel::Gaussian(GaussianChannel { noise: 0.0 }),
        Channel::Gaussian(GaussianChannel { noise: 0.1 }),
        Channel::Gaussian(GaussianChannel { noise: 1.0 }),
        // Label flips with a margin (the per-sample loss at threshold κ√Q), and storage with a
        // negative margin; the noiseless teacher and κ = 0 are checked against brute force in
        // classification_reference.
        Channel::Sign(SignChannel {
            flip: 0.1,
            margin: 0.4,
            labels: Labels::Teacher,
        }),
        Channel::Sign(SignChannel {
            flip: 0.5,
            margin: -0.3,
            labels: Labels::Random,
        }),
    ]
}

/// Self-overlap `Q` of the per-sample checks (the sign channel's threshold is `κ√Q`).
const SAMPLE_Q: f64 = 0.8;

/// RS states `(α, ρ, m, q, Q)` inside every channel's domain (`m² < ρ q`, `Q − q ≥ 0.05`).
const RS_STATES: [(f64, f64, f64, f64, f64); 4] = [
    (0.5, 1.0, 0.3, 0.4, 0.7),
    (2.0, 1.0, 0.8, 0.9, 1.0),
    (1.3, 1.0, 0.05, 0.1, 0.9),
    (3.0, 0.6, 0.45, 0.5, 0.62),
];
const BETAS: [f64; 3] = [0.5, 5.0, 50.0];

/// 5-point central difference of `f` at `x` with step `h`.
fn fd(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x - 2.0 * h) - 8.0 * f(x - h) + 8.0 * f(x + h) - f(x + 2.0 * h)) / (12.0 * h)
}

fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * (1.0 + want.abs()),
        "{what}: got {got}, want {want} (diff {:e})",
        got - want
    );
}

fn rs(ch: &Channel, alpha: f64, beta: f64, rho: f64, m: f64, q: f64, big_q: f64) -> f64 {
    let s = RsState::new(alpha, beta, rho, m, q, big_q).expect("state in domain");
    ch.rs_terms(&s)
        .unwrap_or_else(|| panic!("{ch:?}: rs_terms out of domain at {s:?}"))
        .psi
}

#[test]
fn rs_conjugates_and_loss_are_derivatives_of_psi() {
    const H: f64 = 1e-3;
    for ch in channels() {
        for &(alpha, rho, m, q, big_q) in &RS_STATES {
            for &beta in &BETAS {
                let s = RsState::new(alpha, beta, rho, m, q, big_q).unwrap();
                let c = ch.rs_conjugates(&s).unwrap();
                let t = ch.rs_terms(&s).unwrap();
                let tag = format!("{ch:?} beta={beta} state=({m},{q},{big_q})");
                let dm = fd(|v| rs(&ch, alpha, beta, rho, v, q, big_q), m, H);
                let dq = fd(|v| rs(&ch, alpha, beta, rho, m, v, big_q), q, H);
                let dbq = fd(|v| rs(&ch, alpha, beta, rho, m, q, v), big_q, H);
                let db = fd(|v| rs(&ch, alpha, v, rho, m, q, big_q), beta, H * beta);
                // Relative to the natural scale of each conjugate (αβ and αβ²).
                let (s1, s2) = (alpha * beta, alpha * beta * beta);
                assert_close(&format!("m_hat {tag}"), c.m_hat / s1, alpha * dm / s1, 1e-7);
                assert_close(
                    &format!("q_hat {tag}"),
                    c.q_hat / s2,
                    -2.0 * alpha * dq / s2,
                    1e-7,
                );
                assert_close(
                    &format!("a {tag}"),
                    c.a / s1,
                    (c.q_hat - 2.0 * alpha * dbq) / s1,
                    1e-7,
                );
                assert_close(&format!("loss {tag}"), t.loss, -db, 1e-7);
                assert!(c.q_hat >= 0.0 && t.replicon >= 0.0, "{tag}");
                // The field in the channel's own form is the same field.
                assert_close(
                    &format!("field m_hat {tag}"),
                    c.field.m_hat(),
                    c.m_hat,
                    1e-12,
                );
                assert_close(
                    &format!("field q_hat {tag}"),
                    c.field.q_hat() / s2,
                    c.q_hat / s2,
                    1e-12,
                );
            }
        }
    }
}

/// `log ∫ Dξ exp(−β ℓ(y, ω + √V ξ))` and the tilted means of `ℓ` and of the error, by adaptive
/// quadrature (the exponent is shifted by its minimum over a grid, so large β cannot underflow).
fn tilted(ch: &Channel, beta: f64, y: f64, omega: f64, v: f64, bq: f64) -> (f64, f64, f64) {
    let sd = v.sqrt();
    let pts: Vec<f64> = (0..=80).map(|i| -40.0 + i as f64).collect();
    let expo = |xi: f64| -0.5 * xi * xi - beta * ch.loss(y, omega + sd * xi, bq);
    let shift = (0..=8000)
        .map(|i| expo(-40.0 + 0.01 * i as f64))
        .fold(f64::NEG_INFINITY, f64::max);
    let tol = Tolerance {
        abs: 1e-14,
        rel: 1e-11,
        max_intervals: 20_000,
    };
    let r = integrate(
        |xi| {
            let z = omega + sd * xi;
            let w = (expo(xi) - shift).exp();
            [w, w * ch.loss(y, z, bq), w * ch.error(y, z, bq)]
        },
        &pts,
        tol,
    );
    let log_z = shift + r.value[0].ln() - 0.5 * (2.0 * std::f64::consts::PI).ln();
    (log_z, r.value[1] / r.value[0], r.value[2] / r.value[0])
}

#[test]
fn a_channel_that_says_its_loss_ignores_the_norm_ignores_it() {
    // GAMP skips estimating Q for such channels (it passes NaN), so every per-sample term must
    // be the same at any Q and the norm's force must be 0; a channel that says it depends on
    // the norm must really move with Q somewhere.
    let cases = [
        (0.3, -0.2, 0.5),
        (-1.0, 0.7, 0.05),
        (2.0, 1.9, 1.3),
        (1.0, 0.01, 0.2),
    ];
    let zero_margin = Channel::Sign(SignChannel {
        flip: 0.1,
        margin: 0.0,
        labels: Labels::Teacher,
    });
    for ch in channels().into_iter().chain([zero_margin]) {
        let mut moved = false;
        for &beta in &BETAS {
            for &(y, omega, v) in &cases {
                let at = |bq: f64| {
                    (
                        ch.log_z_out(beta, y, omega, v, bq),
                        ch.gout(beta, y, omega, v, bq),
                        ch.loss(y, omega, bq),
                    )
                };
                let (a, b) = (at(0.3), at(2.0));
                if ch.depends_on_norm() {
                    moved |= a != b;
                } else {
                    let ctx = format!("{ch:?} beta={beta} ({y},{omega},{v})");
                    assert_eq!(a, b, "{ctx}: depends on Q");
                    assert_eq!(a, at(f64::NAN), "{ctx}: reads the Q GAMP leaves unset");
                    assert_eq!(ch.dlog_z_dnorm(beta, y, omega, v, 0.3), 0.0, "{ctx}");
                }
            }
        }
        assert!(
            moved || !ch.depends_on_norm(),
            "{ch:?} says it depends on the norm but never moves with Q"
        );
    }
}

#[test]
fn log_z_out_is_the_gaussian_smoothing_of_the_loss() {
    for ch in channels() {
        for &beta in &BETAS {
            for &(y, omega, v) in &[(0.3, -0.2, 0.5), (-1.0, 0.7, 0.05), (2.0, 1.9, 1.3)] {
                let (lz, _, _) = tilted(&ch, beta, y, omega, v, SAMPLE_Q);
                let got = ch.log_z_out(beta, y, omega, v, SAMPLE_Q).unwrap();
                assert_close(
                    &format!("{ch:?} log Z_out({y},{omega},{v}) beta={beta}"),
                    got,
                    lz,
                    1e-9,
                );
            }
        }
    }
}

#[test]
fn gout_and_loss_gradient_are_derivatives() {
    const H: f64 = 1e-3;
    for ch in channels() {
        for &beta in &BETAS {
            for &(y, omega, v) in &[(0.3, -0.2, 0.5), (-1.0, 0.7, 0.05), (2.0, 1.9, 1.3)] {
                let tag = format!("{ch:?} beta={beta} ({y},{omega},{v})");
                let (g, dg) = ch.gout(beta, y, omega, v, SAMPLE_Q).unwrap();
                let lz = |w: f64| ch.log_z_out(beta, y, w, v, SAMPLE_Q).unwrap();
                let gw = |w: f64| ch.gout(beta, y, w, v, SAMPLE_Q).unwrap().0;
                assert_close(&format!("g {tag}"), g, fd(lz, omega, H), 1e-7);
                assert_close(&format!("dg {tag}"), dg, -fd(gw, omega, H), 1e-7);
                // The force on the norm: ∂ log Z_out/∂Q at fixed (ω, V).
                let lq = |q: f64| ch.log_z_out(beta, y, omega, v, q).unwrap();
                assert_close(
                    &format!("dlogz/dQ {tag}"),
                    ch.dlog_z_dnorm(beta, y, omega, v, SAMPLE_Q),
                    fd(lq, SAMPLE_Q, H),
                    1e-7,
                );
                if let Some(d) = ch.dloss_dz(y, omega) {
                    let l = |z: f64| ch.loss(y, z, SAMPLE_Q);
                    assert_close(&format!("dloss {tag}"), d, fd(l, omega, H), 1e-7);
                }
            }
        }
    }
}

fn assert_mc(what: &str, samples: &[f64], exact: f64) {
    let (mean, se) = mean_se(samples);
    assert!(
        (mean - exact).abs() <= 5.0 * se + 1e-9 * (1.0 + exact.abs()),
        "{what}: Monte Carlo {mean} ± {se}, exact {exact}"
    );
}

/// `(z0, ω)` jointly Gaussian with variances `ρ`, `q` and covariance `m`.
fn fields(rng: &mut impl rand::Rng, rho: f64, m: f64, q: f64) -> (f64, f64) {
    let (a, b): (f64, f64) = (StandardNormal.sample(rng), StandardNormal.sample(rng));
    let omega = q.sqrt() * a;
    let z0 = if q > 0.0 {
        m / q.sqrt() * a + (rho - m * m / q).max(0.0).sqrt() * b
    } else {
        rho.sqrt() * b
    };
    (z0, omega)
}

#[test]
fn rs_terms_agree_with_monte_carlo_over_labels_drawn_by_the_channel() {
    for (ci, ch) in channels().iter().enumerate() {
        for (si, &(alpha, rho, m, q, big_q)) in RS_STATES.iter().enumerate() {
            for (bi, &beta) in BETAS.iter().enumerate() {
                let s = RsState::new(alpha, beta, rho, m, q, big_q).unwrap();
                let t = ch.rs_terms(&s).unwrap();
                let v = s.delta();
                let mut rng = rng_for(2024, (100 * ci + 10 * si + bi) as u64);
                let (mut lz, mut rep) = (Vec::new(), Vec::new());
                for _ in 0..100_000 {
                    let (z0, omega) = fields(&mut rng, rho, m, q);
                    let y = ch.label(z0, &mut rng);
                    lz.push(ch.log_z_out(beta, y, omega, v, big_q).unwrap());
                    rep.push(ch.gout(beta, y, omega, v, big_q).unwrap().1.powi(2));
                }
                let (mut loss, mut err) = (Vec::new(), Vec::new());
                for _ in 0..2_000 {
                    let (z0, omega) = fields(&mut rng, rho, m, q);
                    let y = ch.label(z0, &mut rng);
                    let (_, l, e) = tilted(ch, beta, y, omega, v, big_q);
                    loss.push(l);
                    err.push(e);
                }
                let tag = format!("{ch:?} beta={beta} state=({m},{q},{big_q})");
                assert_mc(&format!("psi {tag}"), &lz, t.psi);
                assert_mc(&format!("replicon {tag}"), &rep, t.replicon);
                // 2000 tilted samples cannot resolve a mean carried by rarer events (a 0–1 loss
                // at large β, e.g. 1e-4 for flipped labels with |ω| > 3): below 5/n both are
                // only checked to be small.
                let n = loss.len() as f64;
                for (what, s, exact) in [
                    ("loss", &loss, t.loss),
                    ("train error", &err, t.train_error),
                ] {
                    if exact.abs() < 5.0 / n && mean_se(s).0.abs() < 5.0 / n {
                        continue;
                    }
                    assert_mc(&format!("{what} {tag}"), s, exact);
                }
            }
        }
    }
}

/// 1RSB states `(α, ρ, x, m, q0, q1, Q)`.
const RSB_STATES: [(f64, f64, f64, f64, f64, f64, f64); 3] = [
    (0.5, 1.0, 0.4, 0.3, 0.35, 0.6, 0.7),
    (2.0, 1.0, 0.8, 0.6, 0.7, 0.9, 1.0),
    (1.3, 0.6, 0.15, 0.2, 0.25, 0.45, 0.6),
];

/// The `(state, β)` index pairs at which a channel's 1RSB terms are checked. Closed-form
/// channels: all of them. Channels whose 1RSB terms are nested adaptive quadratures (the sign
/// channel, ~0.1 s per evaluation): two points chosen to exercise different parts of the
/// code — β = 5 at a large Parisi parameter (x = 0.4, both inner and outer features moderate),
/// and β = 50 at a small one (x = 0.15: a steep `Z_out^x` whose tilted inner measure sits far
/// from `u = 0`, and a kink of width `√(Δ1/Δ0)`).
fn rsb_cases(ch: &Channel) -> Vec<(usize, usize)> {
    match ch {
        Channel::Sign(_) => vec![(0, 1), (2, 2)],
        _ => (0..RSB_STATES.len())
            .flat_map(|s| (0..BETAS.len()).map(move |b| (s, b)))
            .collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn rsb_psi(
    ch: &Channel,
    a: f64,
    b: f64,
    rho: f64,
    x: f64,
    m: f64,
    q0: f64,
    q1: f64,
    bq: f64,
) -> f64 {
    let s = RsbState::new(a, b, rho, x, m, q0, q1, bq).expect("state in domain");
    ch.rsb_terms(&s)
        .unwrap_or_else(|| panic!("{ch:?}: rsb_terms out of domain at {s:?}"))
        .psi
}

#[test]
fn rsb_conjugates_and_x_derivative_are_derivatives_of_psi1() {
    const H: f64 = 1e-3;
    for ch in channels() {
        for (si, bi) in rsb_cases(&ch) {
            let (a, rho, x, m, q0, q1, bq) = RSB_STATES[si];
            {
                let b = BETAS[bi];
                let s = RsbState::new(a, b, rho, x, m, q0, q1, bq).unwrap();
                let c = ch.rsb_conjugates(&s).unwrap();
                let t = ch.rsb_terms(&s).unwrap();
                let tag = format!("{ch:?} beta={b} state=({x},{m},{q0},{q1},{bq})");
                let p = |x, m, q0, q1, bq, b| rsb_psi(&ch, a, b, rho, x, m, q0, q1, bq);
                let dm = fd(|v| p(x, v, q0, q1, bq, b), m, H);
                let dq0 = fd(|v| p(x, m, v, q1, bq, b), q0, H);
                let dq1 = fd(|v| p(x, m, q0, v, bq, b), q1, H);
                let dbq = fd(|v| p(x, m, q0, q1, v, b), bq, H);
                let dx = fd(|v| p(v, m, q0, q1, bq, b), x, H * x.min(1.0 - x) * 0.5);
                let db = fd(|v| p(x, m, q0, q1, bq, v), b, H * b);
                let (s1, s2) = (a * b, a * b * b);
                assert_close(&format!("m_hat {tag}"), c.m_hat / s1, a * dm / s1, 1e-7);
                assert_close(
                    &format!("q0_hat {tag}"),
                    c.q0_hat / s2,
                    -2.0 * a / x * dq0 / s2,
                    1e-7,
                );
                assert_close(
                    &format!("q1_hat {tag}"),
                    c.q1_hat / s2,
                    -2.0 * a / (1.0 - x) * dq1 / s2,
                    1e-7,
                );
                assert_close(
                    &format!("a_hat {tag}"),
                    c.a_hat / s1,
                    (c.q1_hat - 2.0 * a * dbq) / s1,
                    1e-7,
                );
                assert_close(&format!("dpsi_dx {tag}"), t.dpsi_dx, dx, 1e-7);
                assert_close(&format!("loss {tag}"), t.loss, -db, 1e-7);
            }
        }
    }
}

#[test]
fn rsb_terms_reduce_to_rs() {
    for ch in channels() {
        for (si, bi) in rsb_cases(&ch) {
            let (a, rho, x, m, q0, q1, bq) = RSB_STATES[si];
            {
                let b = BETAS[bi];
                let tag = format!("{ch:?} beta={b}");
                // x = 1: the RS state (m, q0, Q).
                let r1 = ch.rsb_terms(&RsbState::new(a, b, rho, 1.0, m, q0, q1, bq).unwrap());
                let s = RsState::new(a, b, rho, m, q0, bq).unwrap();
                let (r, c) = (ch.rs_terms(&s).unwrap(), ch.rs_conjugates(&s).unwrap());
                let c1 = ch
                    .rsb_conjugates(&RsbState::new(a, b, rho, 1.0, m, q0, q1, bq).unwrap())
                    .unwrap();
                assert_close(&format!("psi x=1 {tag}"), r1.unwrap().psi, r.psi, 1e-12);
                assert_close(&format!("m_hat x=1 {tag}"), c1.m_hat, c.m_hat, 1e-12);
                assert_close(&format!("q0_hat x=1 {tag}"), c1.q0_hat, c.q_hat, 1e-12);
                // q1 = q0: the RS state (m, q0, Q) at any x, every term.
                let st = RsbState::new(a, b, rho, x, m, q0, q0, bq).unwrap();
                let (r0, c0) = (ch.rsb_terms(&st).unwrap(), ch.rsb_conjugates(&st).unwrap());
                assert_close(&format!("psi q1=q0 {tag}"), r0.psi, r.psi, 1e-12);
                assert_close(&format!("loss q1=q0 {tag}"), r0.loss, r.loss, 1e-12);
                assert_close(
                    &format!("train q1=q0 {tag}"),
                    r0.train_error,
                    r.train_error,
                    1e-12,
                );
                assert_close(
                    &format!("replicon q1=q0 {tag}"),
                    r0.replicon,
                    r.replicon,
                    1e-12,
                );
                assert_close(&format!("a q1=q0 {tag}"), c0.a_hat, c.a, 1e-12);
                assert_close(&format!("q1_hat q1=q0 {tag}"), c0.q1_hat, c.q_hat, 1e-12);
            }
        }
    }
}

#[test]
fn rsb_psi_agrees_with_monte_carlo() {
    for (ci, ch) in channels().iter().enumerate() {
        for (si, bi) in rsb_cases(ch) {
            let (a, rho, x, m, q0, q1, bq) = RSB_STATES[si];
            {
                let b = BETAS[bi];
                let s = RsbState::new(a, b, rho, x, m, q0, q1, bq).unwrap();
                let t = ch.rsb_terms(&s).unwrap();
                let (d1, d0) = (s.delta1(), s.delta0());
                let mut rng = rng_for(77, (100 * ci + 10 * si + bi) as u64);
                let mut vals = Vec::new();
                for _ in 0..4_000 {
                    let (z0, w0) = fields(&mut rng, rho, m, q0);
                    let y = ch.label(z0, &mut rng);
                    // (1/x) log E_ξ1 Z_out(y; ω0 + √Δ0 ξ1, Δ1)^x by quadrature over ξ1.
                    let l = |xi: f64| {
                        -0.5 * xi * xi
                            + x * ch.log_z_out(b, y, w0 + d0.sqrt() * xi, d1, bq).unwrap()
                    };
                    // The shift only guards against overflow: a grid maximum within a few units
                    // of the true one suffices. The quadrature needs only to be far more
                    // accurate than the Monte Carlo error (~1e-2).
                    let shift = (0..=400)
                        .map(|i| l(-20.0 + 0.1 * i as f64))
                        .fold(f64::NEG_INFINITY, f64::max);
                    let pts: Vec<f64> = (0..=40).map(|i| -20.0 + i as f64).collect();
                    let tol = Tolerance {
                        abs: 1e-12,
                        rel: 1e-9,
                        max_intervals: 20_000,
                    };
                    let r = integrate(|xi| [(l(xi) - shift).exp()], &pts, tol);
                    let lw = shift + r.value[0].ln() - 0.5 * (2.0 * std::f64::consts::PI).ln();
                    vals.push(lw / x);
                }
                assert_mc(&format!("psi1 {ch:?} beta={b} state {si}"), &vals, t.psi);
            }
        }
    }
}

#[test]
fn sampler_fast_paths_match_plain_sums() {
    let mut rng = rng_for(5, 0);
    let n = 50;
    let g = |rng: &mut rand_xoshiro::Xoshiro256PlusPlus| -> f64 { StandardNormal.sample(rng) };
    let y: Vec<f64> = (0..n).map(|_| g(&mut rng).signum()).collect();
    let r: Vec<f64> = (0..n).map(|_| 0.7 * g(&mut rng)).collect();
    let xi: Vec<f64> = (0..n).map(|_| g(&mut rng) / (n as f64).sqrt()).collect();
    let c: f64 = xi.iter().map(|v| v * v).sum();
    let values = [-1.5, -0.5, 0.25, 0.5, 1.5];
    let s_old = 0.5;
    for ch in channels() {
        let bq = SAMPLE_Q;
        let plain_loss: f64 = y.iter().zip(&r).map(|(y, r)| ch.loss(*y, y - r, bq)).sum();
        let plain_err: f64 = y.iter().zip(&r).map(|(y, r)| ch.error(*y, y - r, bq)).sum();
        assert_close(
            &format!("{ch:?} total loss"),
            ch.total_loss(&y, &r, bq),
            plain_loss,
            1e-12,
        );
        assert_close(
            &format!("{ch:?} total error"),
            ch.total_error(&y, &r, bq),
            plain_err,
            1e-12,
        );
        let mut out = vec![0.0; values.len()];
        // Each move changes Q by (s'² − s²)/N.
        let q_of = |v: f64| bq + (v * v - s_old * s_old) / n as f64;
        let moves: Vec<SiteMove> = values
            .iter()
            .map(|v| SiteMove {
                ds: v - s_old,
                big_q: q_of(*v),
            })
            .collect();
        ch.site_losses(&y, &r, &xi, bq, &moves, &mut out);
        for (k, v) in values.iter().enumerate() {
            let direct: f64 = y
                .iter()
                .zip(&r)
                .zip(&xi)
                .map(|((y, r), x)| {
                    ch.loss(*y, y - r + (v - s_old) * x, q_of(*v)) - ch.loss(*y, y - r, bq)
                })
                .sum();
            assert_close(&format!("{ch:?} site loss {v}"), out[k], direct, 1e-12);
            if let Some((a, h)) = ch.site_quadratic(&r, &xi, c, s_old) {
                let quad = 0.5 * a * (v * v - s_old * s_old) - h * (v - s_old);
                assert_close(&format!("{ch:?} quadratic site {v}"), quad, direct, 1e-12);
            }
        }
    }
}

#[test]
fn labels_are_deterministic_per_seed() {
    for ch in channels() {
        let draw = |seed| {
            let mut rng = rng_for(seed, 3);
            (0..100)
                .map(|k| ch.label(0.01 * k as f64, &mut rng))
                .collect::<Vec<f64>>()
        };
        assert_eq!(draw(1), draw(1), "{ch:?}");
    }
}

#[test]
fn quadratic_collapse_is_the_large_beta_limit() {
    // χ = βΔ fixed as β → ∞: the RS training error tends to E/(1 + χ)², with E the collapse's
    // effective noise; the gap closes as O(1/β).
    for ch in channels() {
        let Some(col) = ch.quadratic_collapse() else {
            continue;
        };
        for &(alpha, rho, m, q, _) in &RS_STATES {
            for &chi in &[0.0, 0.4, 3.0] {
                let e = col.effective_noise(rho, m, q).unwrap();
                let want = col.train_error(e, chi);
                let at = |beta: f64| {
                    let s = RsState::new(alpha, beta, rho, m, q, q + chi / beta).unwrap();
                    ch.rs_terms(&s).unwrap().train_error
                };
                let (t1, t2) = (at(1e6), at(2e6));
                // Richardson on the O(1/β) term.
                assert_close(&format!("{ch:?} chi={chi}"), 2.0 * t2 - t1, want, 1e-9);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Student side: every level kind.

/// EVERY student under test (level kinds built as the command line builds them): add a new
/// level kind here.
fn students() -> Vec<(String, Student)> {
    let t = TeacherPrior::gaussian(1.0).unwrap();
    let kinds: [(&str, u32, f64, Option<Vec<f64>>); 12] = [
        ("uniform", 2, 1.5, None),
        ("uniform", 3, 2.0, None),
        ("uniform", 8, 3.9, None),
        ("midtread", 3, 2.0, None),
        ("pow2", 3, 2.0, None),
        ("lloyd-max", 2, 0.0, None),
        ("quantile", 3, 0.0, None),
        ("custom:-1,-0.2,0.5,1.7", 0, 0.0, None),
        ("uniform", 2, 1.5, Some(vec![1.0, 2.0, 3.0, 4.0])),
        ("midtread", 2, 1.0, Some(vec![0.25, 0.5, 0.25])),
        ("asq:5", 0, 0.0, None),
        ("continuous", 0, 0.0, None),
    ];
    kinds
        .into_iter()
        .map(|(k, b, w, pi)| {
            let kind: LevelKind = k.parse().unwrap();
            let name = format!("{k} b={b} w={w} pi={pi:?}");
            (name, kind.build(b, w, &t, pi).unwrap())
        })
        .collect()
}

/// Natural parameters `(a, h)` of the local posterior `π(s) exp(−(a/2)s² + h s)`.
const NATURAL: [(f64, f64); 10] = [
    (0.3, 0.0),
    (0.3, -1.7),
    (2.0, 0.4),
    (2.0, 5.0),
    (20.0, -3.0),
    (20.0, 0.05),
    (300.0, 150.0),
    (300.0, -7.0),
    (5000.0, 1234.5),
    (0.01, 0.2),
];

#[test]
fn posterior_moments_are_derivatives_of_log_z() {
    // Steps: h ± 2δ with δ = 1e-4 (1 + |h|), a ± 2δ with δ = 1e-4 a. The 5-point stencil's
    // truncation error is δ⁴ κ₅/30 (κ₅ the fifth cumulant of s or of −s²/2, at most ~10⁴ times
    // the scale here) and its round-off ε |log Z|/δ ≤ 1e-9 relative; the tolerance 1e-6
    // relative to the scale of the compared moment leaves room for both.
    for (name, st) in students() {
        for &(a, h) in &NATURAL {
            let mo = st.moments(a, h);
            let tag = format!("{name} a={a} h={h}: {mo:?}");
            let dh = 1e-4 * (1.0 + h.abs());
            let da = 1e-4 * a;
            let lz_h = |x: f64| st.moments(a, x).log_z;
            let lz_a = |x: f64| st.moments(x, h).log_z;
            let mean_h = |x: f64| st.moments(a, x).mean;
            let m2 = mo.var + mo.mean * mo.mean;
            // Scale: the largest level magnitude (the continuous student: |mean| + sd).
            let scale = st.levels().map_or(mo.mean.abs() + mo.var.sqrt(), |l| {
                l.values().iter().fold(0.0, |m, v| m.max(v.abs()))
            });
            let check = |what: &str, got: f64, want: f64, unit: f64| {
                assert!(
                    (got - want).abs() <= 1e-6 * unit,
                    "{what} {tag}: got {got}, want {want}"
                );
            };
            check("mean", mo.mean, fd(lz_h, h, dh), scale);
            check("var", mo.var, fd(mean_h, h, dh), scale * scale);
            check("second moment", m2, -2.0 * fd(lz_a, a, da), scale * scale);
            let (mean, var) = st.mean_var(a, h);
            assert_close(&format!("mean_var {tag}"), mean, mo.mean, 1e-13);
            assert_close(&format!("mean_var var {tag}"), var, mo.var, 1e-13);
        }
    }
}

/// Chi-square critical value at false-alarm probability 1e-6 with `df` degrees of freedom.
fn chi2_critical(df: usize) -> f64 {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    ChiSquared::new(df as f64).unwrap().inverse_cdf(1.0 - 1e-6)
}

/// Pearson's chi-square of `counts` against probabilities `p` (cells with expected count below
/// 5 pooled into one), and its degrees of freedom.
fn chi2(counts: &[usize], p: &[f64], n: usize) -> (f64, usize) {
    let (mut stat, mut cells) = (0.0, 0usize);
    let (mut pool_obs, mut pool_exp) = (0.0, 0.0);
    for (c, pk) in counts.iter().zip(p) {
        let e = pk * n as f64;
        if e < 5.0 {
            pool_obs += *c as f64;
            pool_exp += e;
        } else {
            stat += (*c as f64 - e).powi(2) / e;
            cells += 1;
        }
    }
    if pool_exp >= 5.0 {
        stat += (pool_obs - pool_exp).powi(2) / pool_exp;
        cells += 1;
    } else {
        // Pooled cells too rare to test: they must be (nearly) empty.
        assert!(
            pool_obs <= 5.0 + 10.0 * pool_exp,
            "rare cells drawn {pool_obs} times, expected {pool_exp}"
        );
    }
    (stat, cells.saturating_sub(1))
}

#[test]
fn samples_follow_the_posterior_and_the_prior() {
    // Level probabilities from the moments' own log Z: p_k = π_k exp(−a s_k²/2 + h s_k − log Z)
    // must sum to one, and 20 000 draws must pass Pearson's test at false-alarm 1e-6 (per
    // test; ~1e-4 over the whole table). Continuous student: sample mean and variance within
    // 5 standard errors.
    const N: usize = 20_000;
    for (si, (name, st)) in students().into_iter().enumerate() {
        for (pi, &(a, h)) in NATURAL.iter().enumerate() {
            let mo = st.moments(a, h);
            let mut rng = rng_for(11, (100 * si + pi) as u64);
            let draws: Vec<f64> = (0..N).map(|_| st.sample(a, h, &mut rng).unwrap()).collect();
            let tag = format!("{name} a={a} h={h}");
            match &st {
                Student::Discrete(l) => {
                    let v = l.values();
                    let p: Vec<f64> = (0..v.len())
                        .map(|k| {
                            (l.log_weight(k) - 0.5 * a * v[k] * v[k] + h * v[k] - mo.log_z).exp()
                        })
                        .collect();
                    assert_close(&format!("sum p {tag}"), p.iter().sum(), 1.0, 1e-11);
                    let mean: f64 = p.iter().zip(v).map(|(p, s)| p * s).sum();
                    assert_close(&format!("mean {tag}"), mean, mo.mean, 1e-10);
                    let mut counts = vec![0usize; v.len()];
                    for d in &draws {
                        counts[v.iter().position(|x| x == d).expect("a level")] += 1;
                    }
                    let (stat, df) = chi2(&counts, &p, N);
                    if df > 0 {
                        assert!(stat < chi2_critical(df), "{tag}: chi2 {stat} with {df} df");
                    }
                }
                Student::Continuous => {
                    let (m, se) = mean_se(&draws);
                    assert!(
                        (m - mo.mean).abs() < 5.0 * se,
                        "{tag}: mean {m} ± {se} vs {}",
                        mo.mean
                    );
                    let sq: Vec<f64> = draws.iter().map(|d| (d - mo.mean).powi(2)).collect();
                    assert_mc(&format!("var {tag}"), &sq, mo.var);
                }
            }
        }
        // The prior π: draws, moments.
        if let Student::Discrete(l) = &st {
            let p = l.probabilities();
            let mut rng = rng_for(12, si as u64);
            let mut counts = vec![0usize; l.len()];
            for _ in 0..N {
                let d = l.draw_prior(rand::Rng::random(&mut rng));
                counts[l.values().iter().position(|x| *x == d).unwrap()] += 1;
            }
            let (stat, df) = chi2(&counts, &p, N);
            if df > 0 {
                assert!(
                    stat < chi2_critical(df),
                    "{name} prior: chi2 {stat} with {df} df"
                );
            }
            let (mean, var) = st.prior_moments(0.0).unwrap();
            let m1: f64 = p.iter().zip(l.values()).map(|(p, s)| p * s).sum();
            let m2: f64 = p.iter().zip(l.values()).map(|(p, s)| p * s * s).sum();
            assert_close(&format!("{name} prior mean"), mean, m1, 1e-13);
            assert_close(&format!("{name} prior var"), var, m2 - m1 * m1, 1e-13);
        }
    }
}

#[test]
fn rounding_and_ground_state_cells_are_what_they_claim() {
    let mut rng = rng_for(13, 0);
    for (name, st) in students() {
        let Some(l) = st.levels() else {
            assert_eq!(st.round(0.37, Rounding::Stochastic, 0.5), 0.37);
            continue;
        };
        let v = l.values();
        let (lo, hi) = (v[0], v[v.len() - 1]);
        for _ in 0..2000 {
            let u = lo - 1.0 + (hi - lo + 2.0) * rand::Rng::random::<f64>(&mut rng);
            // Nearest: no level is closer.
            let s = st.round(u, Rounding::Nearest, 0.0);
            assert!(
                v.iter().all(|x| (x - u).abs() >= (s - u).abs()),
                "{name}: nearest({u}) = {s}"
            );
            // Stochastic: one of the two neighbours, unbiased inside the range.
            let uc = u.clamp(lo, hi);
            let up = st.round(uc, Rounding::Stochastic, 0.0);
            let down = st.round(uc, Rounding::Stochastic, 1.0 - 1e-16);
            let j = v.partition_point(|x| *x < uc).clamp(1, v.len() - 1);
            let (a, b) = (v[j - 1], v[j]);
            assert!(
                up >= down && (down == a || down == b) && (up == a || up == b),
                "{name}"
            );
            // Unbiased: the mean over a uniform grid of M coins is u to within (b − a)/M.
            let m = 1000;
            let mean: f64 = (0..m)
                .map(|j| st.round(uc, Rounding::Stochastic, (j as f64 + 0.5) / m as f64))
                .sum::<f64>()
                / m as f64;
            assert!(
                (mean - uc).abs() <= (b - a) / m as f64 + 1e-12,
                "{name}: E[stochastic({uc})] = {mean}"
            );
            // β = ∞ cells: the level chosen by the edges minimizes (s − ŷ)² + λ' s².
            let lp = 0.3;
            let edges = l.cell_edges(lp);
            let k = edges.partition_point(|t| *t < u);
            let best = v
                .iter()
                .copied()
                .min_by(|x, y| {
                    ((x - u).powi(2) + lp * x * x).total_cmp(&((y - u).powi(2) + lp * y * y))
                })
                .unwrap();
            let cost = |x: f64| (x - u).powi(2) + lp * x * x;
            assert!(
                cost(v[k]) <= cost(best) + 1e-12,
                "{name}: cell of {u} is level {}, best {best}",
                v[k]
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Teacher side: every prior.

/// EVERY teacher prior under test: add a new prior here.
fn teachers() -> Vec<TeacherPrior> {
    vec![
        TeacherPrior::gaussian(1.0).unwrap(),
        TeacherPrior::gaussian(0.3).unwrap(),
        TeacherPrior::binary(1.0).unwrap(),
        TeacherPrior::discrete(&[-1.0, 0.0, 2.0], Some(&[0.3, 0.5, 0.2])).unwrap(),
        TeacherPrior::discrete(&[-0.5, 1.5], None).unwrap(),
        TeacherPrior::sparse(0.2, 1.0).unwrap(),
    ]
}

#[test]
fn teacher_measure_agrees_with_monte_carlo() {
    // E[f(h), w0 f(h)] for h = g (s w0 + √n z), by the adaptive measure (with the graded
    // breakpoints of a 2-bit student) and by 200 000 draws of (w0, z), to 5 standard errors.
    let steps = LevelSet::uniform(2, 1.5).unwrap().steps(1.7);
    let fields = [
        Field::new(0.8, 0.5),
        Field::new(0.0, 2.0),
        Field {
            gain: 3.0,
            signal: 1.0,
            noise: 0.2,
        },
        Field::new(40.0, 900.0),
    ];
    let tol = Tolerance {
        abs: 1e-12,
        rel: 1e-12,
        max_intervals: 20_000,
    };
    for (ti, t) in teachers().iter().enumerate() {
        for (fi, f) in fields.iter().enumerate() {
            let g = |h: f64| [1.0, h, h * h, (0.3 * h).tanh(), (h - 1.0).max(0.0)];
            let r = t.field_average(*f, &steps, tol, |n| {
                let v = g(n.h);
                let w = n.weight;
                [
                    w * v[0],
                    w * v[1],
                    w * v[2],
                    w * v[3],
                    w * v[4],
                    w * n.w0,
                    w * n.w0 * v[1],
                    w * n.w0 * v[3],
                ]
            });
            assert!(r.accurate, "{} field {fi}", t.name);
            let mut rng = rng_for(14, (10 * ti + fi) as u64);
            let mut samples: Vec<Vec<f64>> = vec![Vec::new(); 8];
            for _ in 0..200_000 {
                let w0 = t.sample(&mut rng);
                let z: f64 = StandardNormal.sample(&mut rng);
                let h = f.gain * (f.signal * w0 + f.noise.sqrt() * z);
                let v = g(h);
                for (k, x) in [v[0], v[1], v[2], v[3], v[4], w0, w0 * v[1], w0 * v[3]]
                    .iter()
                    .enumerate()
                {
                    samples[k].push(*x);
                }
            }
            for (k, s) in samples.iter().enumerate() {
                assert_mc(&format!("{} field {fi} moment {k}", t.name), s, r.value[k]);
            }
        }
    }
}

#[test]
fn teacher_cells_agree_with_monte_carlo_and_their_cdf() {
    // P(ŷ ∈ cell) and E[w0 1{ŷ ∈ cell}] against 200 000 draws of ŷ = w0 + √n z; each edge's
    // density against the central difference (step 1e-4) of the cell probabilities in the edge.
    let edges = [-1.1, -0.2, 0.0, 0.7, 2.5];
    for (ti, t) in teachers().iter().enumerate() {
        for (ni, &noise) in [0.05, 0.6].iter().enumerate() {
            let k = edges.len() + 1;
            let (mut p, mut f, mut dens) = (vec![0.0; k], vec![0.0; k], vec![0.0; k - 1]);
            t.cells(
                noise,
                &edges,
                |w, i, pk, fk| {
                    p[i] += w * pk;
                    f[i] += w * fk;
                },
                |w, i, pdf, tau| dens[i] += w * pdf / tau,
            );
            assert_close(&format!("{} total", t.name), p.iter().sum(), 1.0, 1e-14);
            let mut rng = rng_for(15, (10 * ti + ni) as u64);
            let (mut ind, mut first): (Vec<Vec<f64>>, Vec<Vec<f64>>) =
                (vec![Vec::new(); k], vec![Vec::new(); k]);
            for _ in 0..200_000 {
                let w0 = t.sample(&mut rng);
                let z: f64 = StandardNormal.sample(&mut rng);
                let y = w0 + noise.sqrt() * z;
                let c = edges.partition_point(|e| *e < y);
                for i in 0..k {
                    let hit = (i == c) as u8 as f64;
                    ind[i].push(hit);
                    first[i].push(hit * w0);
                }
            }
            // Plus 20/n absolute: events rarer than a few in n draws are not resolved.
            let n = ind[0].len() as f64;
            for i in 0..k {
                for (what, xs, exact) in [("P", &ind[i], p[i]), ("F", &first[i], f[i])] {
                    let (mean, se) = mean_se(xs);
                    assert!(
                        (mean - exact).abs() <= 5.0 * se + 20.0 / n,
                        "{} {what} cell {i}: Monte Carlo {mean} ± {se}, exact {exact}",
                        t.name
                    );
                }
            }
            for i in 0..k - 1 {
                let cdf = |x: f64| {
                    let mut e = edges;
                    e[i] = x;
                    let mut below = 0.0;
                    t.cells(
                        noise,
                        &e,
                        |w, j, pk, _| {
                            if j <= i {
                                below += w * pk
                            }
                        },
                        |_, _, _, _| {},
                    );
                    below
                };
                assert_close(
                    &format!("{} density at edge {i}", t.name),
                    dens[i],
                    fd(cdf, edges[i], 1e-4),
                    1e-8,
                );
            }
        }
    }
}
