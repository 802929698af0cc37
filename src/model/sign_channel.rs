//! The sign (perceptron) output channel and the storage problem (`docs/classification.md`).
//!
//! Labels `y = sign(z0)` flipped with probability `p` (teacher mode), or `±1` at random with no
//! teacher (storage mode). The student's energy is the number of errors with Gardner's
//! normalized margin κ: an error when `y z ≤ κ √Q`. At inverse temperature β the per-sample
//! partition function is `Z_out = ε + (1 − ε) H((κ√Q − yω)/√V)` with `ε = e^{−β}`, evaluated
//! through `erfcx` so that β = ∞ (the version space) is an ordinary point.
//!
//! Every RS and 1RSB term is a one-dimensional (RS) or nested (1RSB) integral over the
//! standardized cavity mean `t` with the teacher weight `T(t) = 2[p + (1 − 2p) H(−γt)]`,
//! `γ = m/√(ρq − m²)`, computed by adaptive Gauss–Kronrod with graded breakpoints at the two
//! narrow features: the student's kink at `t = κ√(Q/q)` (width `√(V/q)`) and the teacher's step
//! at `t = 0` (width `1/γ`). Near `q → Q` and `m² → ρq` both are far narrower than the Gaussian
//! weight, where a fixed rule fails (`tests/it/classification_reference.rs`).
//!
//! Per-sample functions ([`OutputChannel::loss`], [`OutputChannel::log_z_out`],
//! [`OutputChannel::gout`]) take the student's self-overlap `Q = ‖w‖²/N` and use the threshold
//! `κ√Q`; GAMP also takes the norm's force [`OutputChannel::dlog_z_dnorm`] (the margin term of
//! the RS conjugate `a`).

use super::channel::{
    OutputChannel, RsConjugates, RsState, RsTerms, RsbConjugates, RsbState, RsbTerms,
};
use crate::error::{Error, Result};
use crate::quad::{integrate, Tolerance};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Where the labels come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Labels {
    /// `y = sign(x·w0)`, flipped with the channel's probability.
    Teacher,
    /// `y = ±1` at random, independent of any teacher (the storage problem, Gardner volume).
    Random,
}

/// The perceptron channel: labels from the sign of the teacher's field (or random), energy =
/// number of errors with normalized margin κ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SignChannel {
    /// Label-flip probability `p ∈ [0, ½]` (teacher mode).
    pub flip: f64,
    /// Margin κ (Gardner's normalization: an error when `y x·w ≤ κ ‖w‖/√N`).
    pub margin: f64,
    /// Teacher labels or random labels.
    pub labels: Labels,
}

/// Half-width of the `t` range in standard deviations (φ(10) ≈ 8e−23).
const T_MAX: f64 = 10.0;
/// `1/√(2π)`.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

impl SignChannel {
    /// A validated channel.
    pub fn new(flip: f64, margin: f64, labels: Labels) -> Result<Self> {
        if !(0.0..=0.5).contains(&flip) {
            return Err(Error::input(format!(
                "the label-flip probability must be in [0, 1/2], got {flip}"
            )));
        }
        if !margin.is_finite() {
            return Err(Error::input(format!(
                "the margin must be finite, got {margin}"
            )));
        }
        Ok(SignChannel {
            flip,
            margin,
            labels,
        })
    }

    /// Noiseless teacher labels, zero margin.
    pub fn teacher() -> Self {
        SignChannel {
            flip: 0.0,
            margin: 0.0,
            labels: Labels::Teacher,
        }
    }

    /// Random labels (the storage problem) with margin κ.
    pub fn storage(margin: f64) -> Self {
        SignChannel {
            flip: 0.5,
            margin,
            labels: Labels::Random,
        }
    }

    /// Whether the labels carry information about a teacher (`m̂ ≠ 0` possible).
    pub fn informative(&self) -> bool {
        self.labels == Labels::Teacher && self.flip < 0.5
    }

    /// The effective flip probability (½ in storage mode).
    fn p(&self) -> f64 {
        match self.labels {
            Labels::Teacher => self.flip,
            Labels::Random => 0.5,
        }
    }

    /// Classification error of a linear predictor whose field has correlation `r` with the
    /// teacher's: `p + (1 − 2p) arccos(r)/π` (`None` in storage mode, where there is no test
    /// distribution beyond the training labels).
    pub fn test_error(&self, r: f64) -> Option<f64> {
        (self.labels == Labels::Teacher && r.is_finite()).then(|| {
            let p = self.flip;
            p + (1.0 - 2.0 * p) * r.clamp(-1.0, 1.0).acos() / PI
        })
    }
}

/// `ln H(x)`, `H(x) = P(N(0,1) > x)`, without underflow for large `x`.
pub fn log_h(x: f64) -> f64 {
    if x < 0.0 {
        (0.5 * pxfm::f_erfc(x * FRAC_1_SQRT_2)).ln()
    } else {
        -0.5 * x * x + (0.5 * pxfm::f_erfcx(x * FRAC_1_SQRT_2)).ln()
    }
}

/// `H(x)`.
pub fn h(x: f64) -> f64 {
    0.5 * pxfm::f_erfc(x * FRAC_1_SQRT_2)
}

fn npdf(x: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * x * x).exp()
}

/// The per-sample quantities at `x = (θ − yω)/√V` and inverse temperature β.
#[derive(Debug, Clone, Copy)]
struct Local {
    /// `log Z_out`.
    log_z: f64,
    /// `M = (1 − ε) φ(x)/Z_out` (so `g = y M/√V`, `−∂g = M(M − x)/V`).
    mills: f64,
    /// `M − x` (≥ 0 at β = ∞; negative at finite β where ε dominates `Z_out`).
    gap: f64,
    /// The tilted probability of an error, `ε (1 − H(x))/Z_out`.
    err: f64,
}

/// `H` on both sides of the kink from one special-function call: `erfcx(|x|/√2)` gives the
/// smaller tail `H(|x|) = ½ erfcx(|x|/√2) e^{−x²/2}` (≤ ½) with its log, and the larger one is
/// `1 − H(|x|)` without cancellation. Returns `(ln H(x), ln H(−x), ½ erfcx(x/√2) = H(x) e^{x²/2})`.
#[inline]
fn tails(x: f64) -> (f64, f64, f64) {
    let ax = x.abs();
    let half_ex = 0.5 * pxfm::f_erfcx(ax * FRAC_1_SQRT_2);
    let ln_small = -0.5 * ax * ax + half_ex.ln();
    let small = half_ex * (-0.5 * ax * ax).exp();
    let ln_large = (-small).ln_1p();
    if x >= 0.0 {
        (ln_small, ln_large, half_ex)
    } else {
        // ½ erfcx(x/√2) = (1 − H(|x|)) e^{x²/2}: ∞ past x ≈ −37.7, where M = 0 (as before).
        (ln_large, ln_small, (1.0 - small) * (0.5 * x * x).exp())
    }
}

/// `log Z_out`, the ratio `M`, `M − x` and the error probability at `x`.
fn local(beta: f64, x: f64) -> Local {
    let (lh, lh_minus, half_ex) = tails(x);
    if beta == f64::INFINITY {
        // Version space: Z_out = H(x), M = φ/H = √(2/π)/erfcx(x/√2).
        let mills = if half_ex.is_finite() {
            INV_SQRT_2PI / half_ex
        } else {
            0.0
        };
        return Local {
            log_z: lh,
            mills,
            gap: mills_gap(x, mills, 0.0),
            err: 0.0,
        };
    }
    // ε = e^{−β}; 1 − ε = −expm1(−β).
    let one_m_eps = -(-beta).exp_m1();
    let ln_1me = one_m_eps.ln();
    // log Z = logaddexp(−β, ln(1 − ε) + ln H).
    let (a, b) = (-beta, ln_1me + lh);
    let log_z = if a > b {
        a + (b - a).exp().ln_1p()
    } else {
        b + (a - b).exp().ln_1p()
    };
    // M = (1 − ε)/(√(2π)(ε e^{x²/2} + (1 − ε) ½ erfcx(x/√2))); ε e^{x²/2} = e^{x²/2 − β}.
    let denom = (0.5 * x * x - beta).exp() + one_m_eps * half_ex;
    let mills = if denom.is_finite() {
        one_m_eps * INV_SQRT_2PI / denom
    } else {
        0.0
    };
    // err = ε H(−x)/Z_out = exp(−β + ln H(−x) − log Z).
    let err = (-beta + lh_minus - log_z).exp();
    Local {
        log_z,
        mills,
        gap: mills_gap(x, mills, beta),
        err,
    }
}

/// `M − x`, which cancels for large `x` when ε is negligible: there, with `r = 1/x²`,
/// `φ/H − x = (1/x)(1 − 2r + 10r² − 74r³ + 706r⁴ − …)` (from the asymptotic series of the
/// Mills ratio), used for `x > 100` where the truncation is below 1e−16 relative. Below, the
/// direct difference loses at most `ε x/(M − x) ≈ ε x²` ≤ 2e−12 relative.
fn mills_gap(x: f64, mills: f64, beta: f64) -> f64 {
    // ε e^{x²/2}/H-contribution negligible: e^{x²/2 − β} ≪ ½ erfcx ~ 1/(x√π).
    let eps_negligible = beta == f64::INFINITY || 0.5 * x * x - beta < -40.0;
    if x > 100.0 && eps_negligible {
        let r = 1.0 / (x * x);
        (1.0 / x) * (1.0 - 2.0 * r + 10.0 * r * r - 74.0 * r * r * r + 706.0 * r * r * r * r)
    } else if beta == f64::INFINITY {
        // φ/H ≥ x exactly (log H is concave); clamp the round-off.
        (mills - x).max(0.0)
    } else {
        // At finite β, ε + (1 − ε)H is not log-concave: M − x < 0 where ε dominates.
        mills - x
    }
}

/// Pushes `c` and breakpoints graded geometrically around it (`c ± 2w, ± 8w, ± 32w`), so that
/// some nodes fall inside a feature of width `w` centred at `c` whatever the adaptive rule does.
fn graded(pts: &mut Vec<f64>, c: f64, w: f64) {
    if !(c.is_finite() && w.is_finite() && w > 0.0) || c.abs() > T_MAX + 32.0 * w {
        return;
    }
    pts.push(c);
    let mut k = 2.0;
    while k <= 32.0 {
        pts.push(c - k * w);
        pts.push(c + k * w);
        k *= 4.0;
    }
}

/// The `t` grid: coarse points plus the graded features, clipped to `[−T_MAX, T_MAX]`.
fn breakpoints(features: &[(f64, f64)]) -> Vec<f64> {
    let mut pts = vec![-6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0];
    for &(c, w) in features {
        if w < 1.0 {
            graded(&mut pts, c, w);
        }
    }
    pts.retain(|t| t.abs() < T_MAX);
    pts.push(-T_MAX);
    pts.push(T_MAX);
    pts.sort_by(f64::total_cmp);
    pts.dedup_by(|b, a| *b - *a < 1e-12);
    pts
}

/// Quadrature tolerance of the `t` integrals.
const OUTER: Tolerance = Tolerance {
    abs: 1e-14,
    rel: 1e-12,
    max_intervals: 4000,
};
/// Quadrature tolerance of the inner (`u`) integrals of 1RSB, relative to the shifted integrand.
const INNER: Tolerance = Tolerance {
    abs: 1e-14,
    rel: 1e-12,
    max_intervals: 2000,
};

/// `tol` loosened to `accuracy` (a no-op at 0, full accuracy).
fn loosen(tol: Tolerance, accuracy: f64) -> Tolerance {
    Tolerance {
        abs: tol.abs.max(accuracy),
        rel: tol.rel.max(accuracy),
        ..tol
    }
}

/// The teacher's side at overlaps `(m, q)`: `γ = m/√(ρq − m²)` (±∞ at perfect alignment) and
/// the prefactor `√(q/(ρq − m²))` of `m̂` (`None` outside `m² ≤ ρq`).
#[derive(Debug, Clone, Copy)]
struct Teacher {
    /// Effective flip probability.
    p: f64,
    /// `γ`, or `None` when the labels are not informative (T ≡ 1).
    gamma: Option<f64>,
    /// `√(q/(ρq − m²))` (finite γ) or `√q/m` (infinite γ): the m̂ prefactor.
    pref: f64,
}

impl Teacher {
    fn new(ch: &SignChannel, rho: f64, m: f64, q: f64) -> Option<Self> {
        let p = ch.p();
        if !ch.informative() {
            return Some(Teacher {
                p,
                gamma: None,
                pref: 0.0,
            });
        }
        if rho.is_nan() || rho <= 0.0 {
            return None;
        }
        let d = rho * q - m * m;
        if q == 0.0 {
            // m² ≤ ρq forces m = 0: γ = 0, √(q/(ρq − m²)) → 1/√ρ.
            return (m == 0.0).then_some(Teacher {
                p,
                gamma: Some(0.0),
                pref: 1.0 / rho.sqrt(),
            });
        }
        if d > 1e-12 * rho * q {
            Some(Teacher {
                p,
                gamma: Some(m / d.sqrt()),
                pref: (q / d).sqrt(),
            })
        } else if d > -1e-12 * rho * q {
            // Perfect alignment: T is a step at t = 0 and m̂ takes its limit form.
            Some(Teacher {
                p,
                gamma: Some(m.signum() * f64::INFINITY),
                pref: q.sqrt() / m,
            })
        } else {
            None
        }
    }

    /// `T(t) = 2[p + (1 − 2p) H(−γt)]` (1 when uninformative).
    fn weight(&self, t: f64) -> f64 {
        match self.gamma {
            None => 1.0,
            Some(g) => {
                let s = if g.is_infinite() {
                    if g * t > 0.0 {
                        1.0
                    } else if t == 0.0 {
                        0.5
                    } else {
                        0.0
                    }
                } else {
                    h(-g * t)
                };
                2.0 * (self.p + (1.0 - 2.0 * self.p) * s)
            }
        }
    }

    /// The `m̂` kernel `φ(γt)` (finite γ).
    fn kernel(&self, t: f64) -> f64 {
        match self.gamma {
            Some(g) if g.is_finite() => npdf(g * t),
            _ => 0.0,
        }
    }

    /// The teacher's feature `(centre, width)` for the breakpoints.
    fn feature(&self) -> Option<(f64, f64)> {
        match self.gamma {
            Some(g) if g != 0.0 => Some((0.0, 1.0 / g.abs())),
            _ => None,
        }
    }
}

/// Integrals of the RS channel over `t`.
#[derive(Debug, Clone, Copy, Default)]
struct RsIntegrals {
    /// `∫ T log Z_out`.
    psi: f64,
    /// `∫ T M²`.
    m2: f64,
    /// `∫ T M (M − x)`.
    mgap: f64,
    /// `∫ T M`.
    m1: f64,
    /// `∫ φ(γt) M` (finite γ) or `M(x(0))` (infinite γ).
    kern: f64,
    /// `∫ T err`.
    err: f64,
    /// `∫ T (M(M − x))²`.
    rep: f64,
}

impl SignChannel {
    /// The threshold `θ = κ√Q`.
    fn theta(&self, big_q: f64) -> f64 {
        if self.margin == 0.0 {
            0.0
        } else {
            self.margin * big_q.sqrt()
        }
    }

    /// `x = (κ√Q − yω)/√V` of one sample, or `None` outside the domain (`V ≤ 0`, β < 0, or a
    /// negative `Q` with a margin).
    fn per_sample_x(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> Option<f64> {
        let ok = v > 0.0 && beta >= 0.0 && (self.margin == 0.0 || big_q >= 0.0);
        ok.then(|| (self.theta(big_q) - y.signum() * omega) / v.sqrt())
    }

    /// The RS integrals at a state (`None` outside the domain: `V = 0`, `m² > ρq`, `Q ≤ 0`).
    fn rs_integrals(&self, s: &RsState, full: bool) -> Option<RsIntegrals> {
        let (q, big_q, v, beta) = (s.q(), s.big_q(), s.delta(), s.beta());
        if !(v > 0.0 && big_q > 0.0 && beta >= 0.0) {
            return None;
        }
        let te = Teacher::new(self, s.rho(), s.m(), q)?;
        let theta = self.theta(big_q);
        let (sq, sv) = (q.sqrt(), v.sqrt());
        let x_of = |t: f64| (theta - sq * t) / sv;
        let mut features = vec![];
        if q > 0.0 {
            features.push((theta / sq, sv / sq));
        }
        if let Some(f) = te.feature() {
            features.push(f);
        }
        let pts = breakpoints(&features);
        let r = integrate(
            |t| {
                let w = npdf(t);
                let tw = w * te.weight(t);
                let l = local(beta, x_of(t));
                let mm = l.mills * l.gap;
                [
                    if full { tw * l.log_z } else { 0.0 },
                    tw * l.mills * l.mills,
                    tw * mm,
                    tw * l.mills,
                    w * te.kernel(t) * l.mills,
                    if full { tw * l.err } else { 0.0 },
                    if full { tw * mm * mm } else { 0.0 },
                ]
            },
            &pts,
            OUTER,
        );
        let kern = match te.gamma {
            Some(g) if g.is_infinite() => local(beta, x_of(0.0)).mills * npdf(0.0),
            _ => r.value[4],
        };
        let out = RsIntegrals {
            psi: r.value[0],
            m2: r.value[1],
            mgap: r.value[2],
            m1: r.value[3],
            kern,
            err: r.value[5],
            rep: r.value[6],
        };
        [
            out.psi, out.m2, out.mgap, out.m1, out.kern, out.err, out.rep,
        ]
        .iter()
        .all(|x| x.is_finite())
        .then_some(out)
    }

    fn conjugates_from(&self, s: &RsState, i: &RsIntegrals, te_pref: f64) -> RsConjugates {
        let (alpha, v) = (s.alpha(), s.delta());
        let q_hat = alpha * i.m2 / v;
        let mut a = alpha * i.mgap / v;
        if self.margin != 0.0 {
            a += alpha * self.margin * i.m1 / (s.big_q() * v).sqrt();
        }
        let m_hat = if self.informative() {
            2.0 * alpha * (1.0 - 2.0 * self.flip) * te_pref * i.kern / v.sqrt()
        } else {
            0.0
        };
        RsConjugates::new(a, m_hat, q_hat)
    }
}

/// Per-`t` averages of the 1RSB inner (`u`) integral.
#[derive(Debug, Clone, Copy)]
struct InnerAv {
    log_w: f64,
    m1: f64,
    m2: f64,
    mgap: f64,
    log_z: f64,
    err: f64,
    rep: f64,
}

impl SignChannel {
    /// `W = ∫Du Z_out(x(u))^x` and the tilted averages `⟪·⟫`, with
    /// `x(u) = (c − √Δ0 u)/√Δ1`, `c = θ − ω0`.
    #[allow(clippy::too_many_arguments)]
    fn inner(
        &self,
        beta: f64,
        xp: f64,
        c: f64,
        d0: f64,
        d1: f64,
        tol: Tolerance,
        ok: &mut bool,
    ) -> InnerAv {
        let (s0, s1) = (d0.sqrt(), d1.sqrt());
        let x_of = |u: f64| (c - s0 * u) / s1;
        // The integrand's log, −u²/2 + x log Z, is largest somewhere in [−T_MAX, max(T_MAX,
        // c/√Δ0 + T_MAX)]: Z_out rises towards 1 past the kink at u_c = c/√Δ0.
        let uc = c / s0;
        let lo = -T_MAX;
        let hi = T_MAX.max(uc + T_MAX).min(1e3);
        let lo = lo.min(hi - 2.0 * T_MAX);
        let logf = |u: f64| -0.5 * u * u + xp * local(beta, x_of(u)).log_z;
        let mut grid: Vec<f64> = (0..=40).map(|k| lo + (hi - lo) * k as f64 / 40.0).collect();
        grid.push(uc.clamp(lo, hi));
        let lref = grid
            .iter()
            .map(|u| logf(*u))
            .fold(f64::NEG_INFINITY, f64::max);
        let nb = ((hi - lo) / 2.5).ceil().max(1.0) as usize;
        let mut pts: Vec<f64> = (0..=nb)
            .map(|k| lo + (hi - lo) * k as f64 / nb as f64)
            .collect();
        if s1 / s0 < 1.0 && uc > lo && uc < hi {
            graded(&mut pts, uc, s1 / s0);
        }
        pts.retain(|u| *u >= lo && *u <= hi);
        pts.sort_by(f64::total_cmp);
        pts.dedup_by(|b, a| *b - *a < 1e-12 * (1.0 + a.abs()));
        let r = integrate(
            |u| {
                let l = local(beta, x_of(u));
                let w = (-0.5 * u * u + xp * l.log_z - lref).exp();
                let mm = l.mills * l.gap;
                [
                    w,
                    w * l.mills,
                    w * l.mills * l.mills,
                    w * mm,
                    w * l.log_z,
                    w * l.err,
                    w * mm * mm,
                ]
            },
            &pts,
            tol,
        );
        *ok &= r.converged;
        let i0 = r.value[0];
        InnerAv {
            log_w: lref + i0.ln() - 0.5 * (2.0 * PI).ln(),
            m1: r.value[1] / i0,
            m2: r.value[2] / i0,
            mgap: r.value[3] / i0,
            log_z: r.value[4] / i0,
            err: r.value[5] / i0,
            rep: r.value[6] / i0,
        }
    }

    /// The 1RSB integrals: `[∫T0 log W, ∫T0⟪M⟫², ∫T0⟪M²⟫, ∫T0⟪M(M−x)⟫, ∫T0⟪M⟫, kernel,
    /// ∫T0⟪log Z⟫, ∫T0⟪err⟫, ∫T0⟪(M(M−x))²⟫]`, or `None` outside the domain.
    fn rsb_integrals(&self, s: &RsbState) -> Option<([f64; 9], Teacher)> {
        let (q0, big_q, d0, d1, beta, xp) =
            (s.q0(), s.big_q(), s.delta0(), s.delta1(), s.beta(), s.x());
        if !(d1 > 0.0 && d0 > 0.0 && big_q > 0.0 && beta >= 0.0) {
            return None;
        }
        let te = Teacher::new(self, s.rho(), s.m(), q0)?;
        let theta = self.theta(big_q);
        let sq = q0.sqrt();
        let mut features = vec![];
        if q0 > 0.0 {
            features.push((theta / sq, (d0 + d1).sqrt() / sq));
        }
        if let Some(f) = te.feature() {
            features.push(f);
        }
        let pts = breakpoints(&features);
        let (outer, inner) = (loosen(OUTER, s.accuracy()), loosen(INNER, s.accuracy()));
        let mut ok = true;
        let r = integrate(
            |t| {
                let w = npdf(t);
                let tw = w * te.weight(t);
                let av = self.inner(beta, xp, theta - sq * t, d0, d1, inner, &mut ok);
                [
                    tw * av.log_w,
                    tw * av.m1 * av.m1,
                    tw * av.m2,
                    tw * av.mgap,
                    tw * av.m1,
                    w * te.kernel(t) * av.m1,
                    tw * av.log_z,
                    tw * av.err,
                    tw * av.rep,
                ]
            },
            &pts,
            outer,
        );
        let mut v = r.value;
        if let Some(g) = te.gamma {
            if g.is_infinite() {
                let mut ok2 = true;
                v[5] = npdf(0.0) * self.inner(beta, xp, theta, d0, d1, inner, &mut ok2).m1;
            }
        }
        v.iter().all(|x| x.is_finite()).then_some((v, te))
    }

    /// The RS state that a 1RSB state reduces to when its inner integral is trivial
    /// (`Δ0 = 0`, where `V = Δ1`) or a Gaussian convolution (`x = 1`, where `V = Δ0 + Δ1`).
    fn rs_reduction(s: &RsbState) -> Option<RsState> {
        RsState::new(s.alpha(), s.beta(), s.rho(), s.m(), s.q0(), s.big_q())
    }

    /// `Δ0 = 0`: the inner integral is trivial and everything is RS at `(m, q0, Q)`, with
    /// `q̂1 = q̂0`, `Â = a`, and `Ψ1 = Ψ_RS` at any x (so `∂Ψ1/∂x = 0`).
    fn rsb_collapsed(&self, s: &RsbState) -> Option<(RsbConjugates, RsbTerms)> {
        let rs = Self::rs_reduction(s)?;
        let c = self.rs_conjugates(&rs)?;
        let t = self.rs_terms(&rs)?;
        Some((
            RsbConjugates {
                a_hat: c.a,
                m_hat: c.m_hat,
                q0_hat: c.q_hat,
                q1_hat: c.q_hat,
            },
            RsbTerms {
                psi: t.psi,
                dpsi_dx: 0.0,
                loss: t.loss,
                train_error: t.train_error,
                replicon: t.replicon,
            },
        ))
    }

    /// The 1RSB conjugates (`Δ0 > 0`) from the nested integrals `iv` of [`Self::rsb_integrals`].
    fn rsb_conjugates_from(&self, s: &RsbState, iv: &([f64; 9], Teacher)) -> Option<RsbConjugates> {
        let alpha = s.alpha();
        let (v, te) = iv;
        let d1 = s.delta1();
        let mut a_hat = alpha * v[3] / d1;
        if self.margin != 0.0 {
            a_hat += alpha * self.margin * v[4] / (s.big_q() * d1).sqrt();
        }
        let q1_hat = alpha * v[2] / d1;
        if s.x() == 1.0 {
            // x = 1: the inner average is the Gaussian convolution Z_out(ω0, Δ0 + Δ1), so m̂ and
            // q̂0 are RS's at (m, q0, Q); Â and q̂1 need the inner average.
            let c = self.rs_conjugates(&Self::rs_reduction(s)?)?;
            return Some(RsbConjugates {
                a_hat,
                m_hat: c.m_hat,
                q0_hat: c.q_hat,
                q1_hat,
            });
        }
        let m_hat = if self.informative() {
            2.0 * alpha * (1.0 - 2.0 * self.flip) * te.pref * v[5] / d1.sqrt()
        } else {
            0.0
        };
        let c = RsbConjugates {
            a_hat,
            m_hat,
            q0_hat: alpha * v[1] / d1,
            q1_hat,
        };
        [c.a_hat, c.m_hat, c.q0_hat, c.q1_hat]
            .iter()
            .all(|x| x.is_finite())
            .then_some(c)
    }

    /// The 1RSB terms (`Δ0 > 0`) from the nested integrals `iv` of [`Self::rsb_integrals`].
    fn rsb_terms_from(&self, s: &RsbState, iv: &([f64; 9], Teacher)) -> Option<RsbTerms> {
        let xp = s.x();
        let v = &iv.0;
        let d1 = s.delta1();
        let psi = if xp == 1.0 {
            // Exact at x = 1: the inner average is Z_out(ω0, Δ0 + Δ1).
            self.rs_terms(&Self::rs_reduction(s)?)?.psi
        } else {
            v[0] / xp
        };
        Some(RsbTerms {
            psi,
            dpsi_dx: -v[0] / (xp * xp) + v[6] / xp,
            loss: v[7],
            train_error: v[7],
            replicon: v[8] / (d1 * d1),
        })
    }
}

impl OutputChannel for SignChannel {
    fn label_noise(&self) -> f64 {
        self.p()
    }

    fn ridge_in_prior(&self) -> bool {
        true
    }

    fn gen_error(&self, rho: f64, m: f64, norm2: f64) -> f64 {
        self.test_error(m / (rho * norm2).sqrt())
            .unwrap_or(f64::NAN)
    }

    fn rs_conjugates(&self, s: &RsState) -> Option<RsConjugates> {
        let i = self.rs_integrals(s, false)?;
        let te = Teacher::new(self, s.rho(), s.m(), s.q())?;
        let c = self.conjugates_from(s, &i, te.pref);
        [c.a, c.m_hat, c.q_hat]
            .iter()
            .all(|x| x.is_finite())
            .then_some(c)
    }

    fn rs_terms(&self, s: &RsState) -> Option<RsTerms> {
        let i = self.rs_integrals(s, true)?;
        let v = s.delta();
        Some(RsTerms {
            psi: i.psi,
            loss: i.err,
            train_error: i.err,
            replicon: i.rep / (v * v),
        })
    }

    fn rsb_conjugates(&self, s: &RsbState) -> Option<RsbConjugates> {
        if s.delta0() == 0.0 {
            return Self::rsb_collapsed(self, s).map(|c| c.0);
        }
        let iv = self.rsb_integrals(s)?;
        self.rsb_conjugates_from(s, &iv)
    }

    fn rsb_terms(&self, s: &RsbState) -> Option<RsbTerms> {
        if s.delta0() == 0.0 {
            return Self::rsb_collapsed(self, s).map(|c| c.1);
        }
        let iv = self.rsb_integrals(s)?;
        self.rsb_terms_from(s, &iv)
    }

    fn rsb_conjugates_and_terms(&self, s: &RsbState) -> Option<(RsbConjugates, RsbTerms)> {
        if s.delta0() == 0.0 {
            return Self::rsb_collapsed(self, s);
        }
        // One nested quadrature for both.
        let iv = self.rsb_integrals(s)?;
        Some((
            self.rsb_conjugates_from(s, &iv)?,
            self.rsb_terms_from(s, &iv)?,
        ))
    }

    fn log_z_out(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> Option<f64> {
        let x = self.per_sample_x(beta, y, omega, v, big_q)?;
        let l = local(beta, x).log_z;
        (!l.is_nan()).then_some(l)
    }

    fn gout(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> Option<(f64, f64)> {
        let x = self.per_sample_x(beta, y, omega, v, big_q)?;
        let l = local(beta, x);
        let g = y.signum() * l.mills / v.sqrt();
        let dg = l.mills * l.gap / v;
        (g.is_finite() && dg.is_finite()).then_some((g, dg))
    }

    fn depends_on_norm(&self) -> bool {
        self.margin != 0.0
    }

    fn gamp_variance_floor(&self, prior_var: f64, m: usize) -> f64 {
        let m = m.max(1) as f64;
        prior_var / (m * m)
    }

    fn dlog_z_dnorm(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> f64 {
        if self.margin == 0.0 {
            return 0.0;
        }
        // ∂_θ log Z_out = −M/√V and ∂θ/∂Q = κ/(2√Q).
        match self.per_sample_x(beta, y, omega, v, big_q) {
            Some(x) => -0.5 * self.margin / big_q.sqrt() * local(beta, x).mills / v.sqrt(),
            None => f64::NAN,
        }
    }

    fn loss(&self, y: f64, z: f64, big_q: f64) -> f64 {
        // A label is its sign (the channel's labels are ±1). The boundary is an error, so the
        // zero vector (Q = 0, z = 0) errs on every example; it is recognized by Q = 0, which
        // is exact, rather than by z = 0, which a sampler's running fields hold only up to
        // round-off.
        if big_q <= 0.0 || y.signum() * z <= self.theta(big_q) {
            1.0
        } else {
            0.0
        }
    }

    fn error(&self, y: f64, z: f64, big_q: f64) -> f64 {
        self.loss(y, z, big_q)
    }

    fn has_teacher(&self) -> bool {
        self.labels == Labels::Teacher
    }

    fn sample_gen_error(&self, w0: &[f64], w: &[f64], var: f64) -> f64 {
        if self.labels == Labels::Random {
            return f64::NAN;
        }
        let n = w.len() as f64;
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / n;
        let big_q = dot(w, w) + var;
        if big_q == 0.0 {
            // The zero vector errs on every example (the boundary counts as an error).
            return 1.0;
        }
        self.gen_error(dot(w0, w0), dot(w0, w), big_q)
    }

    fn dloss_dz(&self, _y: f64, _z: f64) -> Option<f64> {
        None
    }

    fn label<R: Rng + ?Sized>(&self, z0: f64, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        match self.labels {
            Labels::Random => {
                if u < 0.5 {
                    1.0
                } else {
                    -1.0
                }
            }
            Labels::Teacher => {
                let s = if z0 > 0.0 { 1.0 } else { -1.0 };
                if u < self.flip {
                    -s
                } else {
                    s
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_quantities_are_stable_at_every_beta() {
        for beta in [0.0, 1e-3, 2.0, 40.0, 745.0, 1e6, f64::INFINITY] {
            for x in [-1e3, -40.0, -3.0, 0.0, 2.0, 30.0, 40.0, 1e3, 1e8] {
                let l = local(beta, x);
                assert!(
                    !l.log_z.is_nan() && l.mills.is_finite() && l.gap.is_finite(),
                    "beta={beta} x={x}: {l:?}"
                );
                assert!(l.mills >= 0.0 && (0.0..=1.0).contains(&l.err));
                assert!(beta.is_finite() || l.gap >= 0.0);
            }
        }
        // The series branch of M − x (x > 100) joins the direct difference to its round-off.
        let x: f64 = 100.0;
        let series = mills_gap(x.next_up(), 0.0, f64::INFINITY);
        let direct = 2.0 * INV_SQRT_2PI / pxfm::f_erfcx(x * FRAC_1_SQRT_2) - x;
        assert!(
            (series - direct).abs() < 1e-11 * direct,
            "{series} vs {direct}"
        );
    }
}
