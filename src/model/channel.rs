//! The output side of the scalar channel: how labels are generated from the teacher's field
//! `z0 = x·w0`, and how the student is charged for its prediction `z = x·w` (the loss `ℓ(y, z)`
//! of the Gibbs measure `exp(−β Σ_μ ℓ(y_μ, z_μ))`).
//!
//! Every solver reaches the output side only through [`OutputChannel`]:
//! - RS: the energetic term `Ψ_out(m, q, Q) = E log Z_out(y; ω, Q − q)` of the free entropy
//!   `φ = ½ a Q − ½ q̂ (Q − q) − m̂ m + E log Z(a, h) + α Ψ_out`, the conjugates it implies
//!   (`m̂ = α ∂Ψ/∂m`, `q̂ = −2α ∂Ψ/∂q`, `a = q̂ − 2α ∂Ψ/∂Q`, each in its numerically best form),
//!   the loss `−∂Ψ/∂β`, the training error and the output factor of the replicon;
//! - 1RSB: the same at `(x, m, q0, q1, Q)`, plus the explicit `∂Ψ/∂x`;
//! - GAMP: the output function `g = ∂_ω log Z_out` and `−∂g/∂ω`;
//! - the samplers: the per-sample loss, a fast path for one weight's energy change, the
//!   gradient of the loss (QAT) and label generation.
//!
//! A new channel is one type implementing [`OutputChannel`], one variant of [`Channel`], and one
//! entry in the channel list of `tests/it/components.rs` (which checks every conjugate and
//! derivative against finite differences and Monte Carlo). No solver changes.

use super::field::Field;
use crate::error::{non_negative, Result};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Relative undershoot of `Q − q` (or `q1 − q0`) below zero accepted as round-off of a frozen
/// state and clamped to zero.
const GAP_ROUNDOFF: f64 = 1e-9;

/// A replica-symmetric state as the output side sees it: sample ratio α, inverse temperature β,
/// teacher second moment ρ and the order parameters `(m, q, Q)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RsState {
    alpha: f64,
    beta: f64,
    rho: f64,
    m: f64,
    q: f64,
    big_q: f64,
    delta: f64,
}

impl RsState {
    /// A state, or `None` outside the domain shared by every channel: `q ≥ 0`, `Δ = Q − q ≥ 0`
    /// (an undershoot within `1e-9 (1 + q)` is round-off of a frozen state and is set to 0),
    /// finite `m` and `Δ`.
    pub fn new(alpha: f64, beta: f64, rho: f64, m: f64, q: f64, big_q: f64) -> Option<Self> {
        let raw = big_q - q;
        let delta = if raw < 0.0 && raw > -GAP_ROUNDOFF * (1.0 + q) {
            0.0
        } else {
            raw
        };
        let ok = delta >= 0.0 && q >= 0.0 && delta.is_finite() && m.is_finite();
        ok.then_some(RsState {
            alpha,
            beta,
            rho,
            m,
            q,
            big_q,
            delta,
        })
    }

    /// Samples per weight α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// Inverse temperature β (may be `∞`).
    pub fn beta(&self) -> f64 {
        self.beta
    }
    /// Teacher second moment `ρ = E[w0²]` (variance of the teacher field `z0`).
    pub fn rho(&self) -> f64 {
        self.rho
    }
    /// Teacher–student overlap `m` (covariance of `z0` and `ω`).
    pub fn m(&self) -> f64 {
        self.m
    }
    /// Replica overlap `q` (variance of the cavity mean `ω`).
    pub fn q(&self) -> f64 {
        self.q
    }
    /// Self-overlap `Q`.
    pub fn big_q(&self) -> f64 {
        self.big_q
    }
    /// `Δ = Q − q ≥ 0` (the cavity variance `V` of the student's field).
    pub fn delta(&self) -> f64 {
        self.delta
    }
}

/// The RS conjugates implied by an output channel at a state. The student's local posterior is
/// `p(s) ∝ π(s) exp(−((a + βλ)/2) s² + h s)` with `h = m̂ w0 + √q̂ z`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RsConjugates {
    /// `a = q̂ − 2α ∂Ψ/∂Q`, the quadratic coefficient (without the ridge `βλ`).
    pub a: f64,
    /// `m̂ = α ∂Ψ/∂m` (0 when the labels carry no teacher, e.g. storage).
    pub m_hat: f64,
    /// `q̂ = −2α ∂Ψ/∂q ≥ 0`.
    pub q_hat: f64,
    /// The same field `h` in the form the channel computes most accurately
    /// (`gain · signal = m̂`, `gain² · noise = q̂` up to round-off; [`RsConjugates::new`] takes
    /// gain 1).
    pub field: Field,
}

impl RsConjugates {
    /// Conjugates with the field `h = m̂ w0 + √q̂ z` (gain 1).
    pub fn new(a: f64, m_hat: f64, q_hat: f64) -> Self {
        RsConjugates {
            a,
            m_hat,
            q_hat,
            field: Field::new(m_hat, q_hat),
        }
    }
}

/// The output channel's share of the RS thermodynamics at a state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RsTerms {
    /// `Ψ_out = E log Z_out(y; ω, Δ)` per sample (the free entropy carries `α Ψ_out`).
    pub psi: f64,
    /// `−∂Ψ_out/∂β` at fixed order parameters: the mean loss per sample. The energy per weight
    /// is `α · loss + (λ/2) Q`.
    pub loss: f64,
    /// The training error per sample the channel reports (Gaussian: the mean squared residual
    /// `2 · loss`, label noise included).
    pub train_error: f64,
    /// `E_out[(∂²_ω log Z_out)²]`: the replicon is `λ_AT = α · replicon · E[Var(s)²]`.
    pub replicon: f64,
}

/// A 1RSB state as the output side sees it: α, β, ρ, the Parisi parameter `x` and
/// `(m, q0, q1, Q)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RsbState {
    alpha: f64,
    beta: f64,
    rho: f64,
    x: f64,
    m: f64,
    q0: f64,
    q1: f64,
    big_q: f64,
    delta1: f64,
    delta0: f64,
    accuracy: f64,
}

impl RsbState {
    /// A state, or `None` outside the domain shared by every channel: `x ∈ (0, 1]`,
    /// `Δ1 = Q − q1 ≥ 0`, `Δ0 = q1 − q0 ≥ 0` (undershoots within `1e-9 (1 + |Q|)` and
    /// `1e-9 (1 + |q1|)` are round-off and are set to 0), all finite.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        alpha: f64,
        beta: f64,
        rho: f64,
        x: f64,
        m: f64,
        q0: f64,
        q1: f64,
        big_q: f64,
    ) -> Option<Self> {
        let clamp = |d: f64, s: f64| {
            if d < 0.0 && d > -GAP_ROUNDOFF * (1.0 + s.abs()) {
                0.0
            } else {
                d
            }
        };
        let delta1 = clamp(big_q - q1, big_q);
        let delta0 = clamp(q1 - q0, q1);
        let ok = delta1 >= 0.0
            && delta0 >= 0.0
            && x > 0.0
            && x <= 1.0
            && delta1.is_finite()
            && delta0.is_finite()
            && m.is_finite();
        ok.then_some(RsbState {
            alpha,
            beta,
            rho,
            x,
            m,
            q0,
            q1,
            big_q,
            delta1,
            delta0,
            accuracy: 0.0,
        })
    }

    /// The same state, with an accuracy the channel may loosen its quadratures to (a relative
    /// and absolute tolerance; 0, the default, is full accuracy). An inexact fixed-point
    /// iteration asks for a fraction of its current residual far from the fixed point.
    pub fn with_accuracy(self, accuracy: f64) -> Self {
        RsbState {
            accuracy: if accuracy.is_finite() && accuracy > 0.0 {
                accuracy
            } else {
                0.0
            },
            ..self
        }
    }

    /// The accuracy the channel may loosen its quadratures to (0: full accuracy).
    pub fn accuracy(&self) -> f64 {
        self.accuracy
    }

    /// Samples per weight α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// Inverse temperature β.
    pub fn beta(&self) -> f64 {
        self.beta
    }
    /// Teacher second moment ρ.
    pub fn rho(&self) -> f64 {
        self.rho
    }
    /// Parisi parameter `x ∈ (0, 1]`.
    pub fn x(&self) -> f64 {
        self.x
    }
    /// Teacher–student overlap `m`.
    pub fn m(&self) -> f64 {
        self.m
    }
    /// Overlap between states `q0`.
    pub fn q0(&self) -> f64 {
        self.q0
    }
    /// Overlap within a state `q1`.
    pub fn q1(&self) -> f64 {
        self.q1
    }
    /// Self-overlap `Q`.
    pub fn big_q(&self) -> f64 {
        self.big_q
    }
    /// `Δ1 = Q − q1 ≥ 0`.
    pub fn delta1(&self) -> f64 {
        self.delta1
    }
    /// `Δ0 = q1 − q0 ≥ 0`.
    pub fn delta0(&self) -> f64 {
        self.delta0
    }
}

/// The 1RSB conjugates. The local field is `h = m̂ w0 + √q̂0 z0 + √(q̂1 − q̂0) z1` and the
/// quadratic coefficient `Â + βλ`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RsbConjugates {
    /// `Â` (the local quadratic coefficient is `(Â + βλ)/2`).
    pub a_hat: f64,
    /// `m̂`.
    pub m_hat: f64,
    /// `q̂0`.
    pub q0_hat: f64,
    /// `q̂1 ≥ q̂0`.
    pub q1_hat: f64,
}

/// The output channel's share of the 1RSB thermodynamics at a state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RsbTerms {
    /// `Ψ1_out = (1/x) E log E_{ξ1} Z_out^x` per sample (φ1 carries `α Ψ1_out`).
    pub psi: f64,
    /// The explicit `∂Ψ1_out/∂x` at fixed order parameters.
    pub dpsi_dx: f64,
    /// `−∂Ψ1_out/∂β`: the mean loss per sample.
    pub loss: f64,
    /// The reported training error per sample.
    pub train_error: f64,
    /// The within-state output replicon factor: `α · replicon · E[⟪Var(s)²⟫]` is the replicon
    /// of fluctuations inside the `q1` blocks.
    pub replicon: f64,
}

/// The β → ∞ limit of a channel with a quadratic loss `ℓ = ½(y − z)²` and Gaussian label
/// noise: `Δ → 0` with `χ = βΔ` finite, and the scalar channel becomes the effective
/// observation `ŷ = w0 + sqrt(E/α) z` quantized to the nearest (ridge-shifted) level
/// (THEORY.md §3). The RS solver takes this route whenever a channel offers it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadraticCollapse {
    /// Label-noise variance σ².
    pub noise: f64,
}

impl QuadraticCollapse {
    /// `E = ρ − 2m + q + σ²`, or `None` unless positive and finite.
    pub fn effective_noise(&self, rho: f64, m: f64, q: f64) -> Option<f64> {
        let e = rho - 2.0 * m + q + self.noise;
        (e > 0.0 && e.is_finite()).then_some(e)
    }

    /// Training error per sample at `χ`: `E/(1 + χ)²` (0 when `χ = ∞`, ∞ when `E` is).
    pub fn train_error(&self, e: f64, chi: f64) -> f64 {
        let r = if chi.is_finite() {
            1.0 / (1.0 + chi)
        } else {
            0.0
        };
        if e.is_finite() {
            e * r * r
        } else {
            f64::INFINITY
        }
    }
}

/// The output side of the scalar channel (module docs). Every method that takes a state
/// returns `None` outside the channel's domain; none returns a silent NaN.
pub trait OutputChannel {
    /// The channel's label-noise level (Gaussian: the variance σ²), as reported in
    /// [`crate::model::Model::noise`].
    fn label_noise(&self) -> f64;

    /// RS conjugates `(a, m̂, q̂)` at a state.
    fn rs_conjugates(&self, s: &RsState) -> Option<RsConjugates>;

    /// `Ψ_out`, the loss, the training error and the replicon factor at an RS state.
    fn rs_terms(&self, s: &RsState) -> Option<RsTerms>;

    /// How the ridge λ enters the Gibbs measure. `false` (the default): as the energy term
    /// `(λ/2)‖w‖²`, a factor `e^{−βλ s²/2}` per weight. `true`: as the β-independent prior factor
    /// `e^{−λ s²/2}`, for channels whose energy is scale-free, where an energy-side ridge would
    /// drive every weight vector to zero as β → ∞ (`docs/classification.md` §1).
    fn ridge_in_prior(&self) -> bool {
        false
    }

    /// The generalization error of a predictor whose overlap with the teacher is `m` and whose
    /// squared norm is `norm2` (`Q` for a Gibbs sample, `q` for the posterior mean). The default
    /// is the squared-loss error `ρ − 2m + norm2` (label noise excluded). NaN when the labels have
    /// no teacher (the storage problem).
    fn gen_error(&self, rho: f64, m: f64, norm2: f64) -> f64 {
        rho - 2.0 * m + norm2
    }

    /// The β = ∞ collapse onto nearest-level cells, if this channel has one (quadratic loss).
    /// Channels without it are solved at β = ∞ by the general finite-`a` equations.
    fn quadratic_collapse(&self) -> Option<QuadraticCollapse> {
        None
    }

    /// 1RSB conjugates at a state.
    fn rsb_conjugates(&self, s: &RsbState) -> Option<RsbConjugates>;

    /// `Ψ1_out`, `∂Ψ1_out/∂x`, the loss, the training error and the within-state replicon
    /// factor at a 1RSB state.
    fn rsb_terms(&self, s: &RsbState) -> Option<RsbTerms>;

    /// [`OutputChannel::rsb_conjugates`] and [`OutputChannel::rsb_terms`] together. The default
    /// calls both; a channel whose conjugates and terms come from the same nested quadrature
    /// (the sign channel) overrides it to compute that quadrature once.
    fn rsb_conjugates_and_terms(&self, s: &RsbState) -> Option<(RsbConjugates, RsbTerms)> {
        Some((self.rsb_conjugates(s)?, self.rsb_terms(s)?))
    }

    /// `log Z_out(y; ω, V) = log E_ξ exp(−β ℓ(y, ω + √V ξ))` at inverse temperature β, for a
    /// student of self-overlap `Q = ‖w‖²/N` (`big_q`; only channels whose loss depends on the
    /// norm, like the sign channel's normalized margin `κ√Q`, read it).
    fn log_z_out(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> Option<f64>;

    /// GAMP's output function: `(g, −∂g/∂ω)` with `g = ∂_ω log Z_out(y; ω, V)` at self-overlap
    /// `Q` (`big_q`).
    fn gout(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> Option<(f64, f64)>;

    /// `∂ log Z_out/∂Q` at fixed `(ω, V)`: the force the loss exerts on the norm through a
    /// norm-dependent threshold (the margin `κ√Q`). GAMP adds `−(2/N) Σ_μ ∂_Q log Z_out` to
    /// every site's quadratic coefficient, as RS adds it to `a` (`docs/classification.md` §8).
    /// 0 (the default) for losses that do not depend on the norm.
    fn dlog_z_dnorm(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> f64 {
        let _ = (beta, y, omega, v, big_q);
        0.0
    }

    /// Whether the loss depends on the student's self-overlap `Q` (a threshold `κ√Q`). When it
    /// does not, every `big_q` argument is ignored and [`Self::dlog_z_dnorm`] is 0, so GAMP
    /// skips estimating `Q` (the component checks verify both). False by default.
    fn depends_on_norm(&self) -> bool {
        false
    }

    /// GAMP's floor on the mean posterior variance, below which the iteration counts as
    /// converged: for a hard-threshold loss whose messages underflow once the marginals are
    /// point masses to the instance's resolution (the sign channel: prior variance / M², see
    /// `amp.rs`). 0 (never) by default.
    fn gamp_variance_floor(&self, prior_var: f64, m: usize) -> f64 {
        let _ = (prior_var, m);
        0.0
    }

    /// The loss `ℓ(y, z)` of prediction `z` for label `y` by a student of self-overlap `Q`
    /// (the sampler's energy per sample).
    fn loss(&self, y: f64, z: f64, big_q: f64) -> f64;

    /// The per-sample training error of prediction `z` (what [`RsTerms::train_error`] averages).
    fn error(&self, y: f64, z: f64, big_q: f64) -> f64;

    /// `∂ℓ/∂z`, or `None` where the loss has no useful gradient (e.g. a 0–1 loss).
    fn dloss_dz(&self, y: f64, z: f64) -> Option<f64>;

    /// Draws the label of a sample with teacher field `z0` (deterministic given the RNG state).
    fn label<R: Rng + ?Sized>(&self, z0: f64, rng: &mut R) -> f64;

    /// Whether the labels depend on a teacher (false for random labels: the storage problem,
    /// where teacher overlaps and generalization errors do not exist).
    fn has_teacher(&self) -> bool {
        true
    }

    /// The generalization error, as [`OutputChannel::gen_error`] defines it, of a predictor
    /// drawn from independent marginals with means `w` and mean variance `var` (0 for one weight
    /// vector), against the teacher `w0` of a finite instance. The default is the squared-loss
    /// error `‖w − w0‖²/N + var`.
    fn sample_gen_error(&self, w0: &[f64], w: &[f64], var: f64) -> f64 {
        let d: f64 = w.iter().zip(w0).map(|(a, b)| (a - b) * (a - b)).sum();
        d / w.len() as f64 + var
    }

    /// `Σ_μ ℓ(y_μ, y_μ − r_μ)`: the total loss of predictions given by their residuals
    /// `r = y − z` (the samplers keep residuals), at self-overlap `Q`.
    fn total_loss(&self, y: &[f64], r: &[f64], big_q: f64) -> f64 {
        y.iter()
            .zip(r)
            .map(|(y, r)| self.loss(*y, y - r, big_q))
            .sum()
    }

    /// `Σ_μ error(y_μ, y_μ − r_μ)` at self-overlap `Q`.
    fn total_error(&self, y: &[f64], r: &[f64], big_q: f64) -> f64 {
        y.iter()
            .zip(r)
            .map(|(y, r)| self.error(*y, y - r, big_q))
            .sum()
    }

    /// Fast path of the Gibbs sampler: when the loss summed over samples is quadratic in one
    /// weight `s` (coefficient of column `x_i`, residuals `r = y − z`, current value `s_old`,
    /// `c = ‖x_i‖²`), returns `(a, h)` with `Σ_μ ℓ = (a/2) s² − h s + const`. `None` (the
    /// default) makes the sampler evaluate [`OutputChannel::site_losses`] instead.
    fn site_quadratic(&self, r: &[f64], x_i: &[f64], c: f64, s_old: f64) -> Option<(f64, f64)> {
        let _ = (r, x_i, c, s_old);
        None
    }

    /// The change of the total loss when one weight moves by each of `moves` from a student of
    /// self-overlap `big_q`: `out[k] = Σ_μ ℓ(y_μ, z_μ + ds_k x_iμ; Q_k) − ℓ(y_μ, z_μ; Q)`,
    /// `z = y − r`. `O(M K)`; channels with a quadratic loss override
    /// [`OutputChannel::site_quadratic`].
    fn site_losses(
        &self,
        y: &[f64],
        r: &[f64],
        x_i: &[f64],
        big_q: f64,
        moves: &[SiteMove],
        out: &mut [f64],
    ) {
        for (o, mv) in out.iter_mut().zip(moves) {
            *o = y
                .iter()
                .zip(r)
                .zip(x_i)
                .map(|((y, r), x)| {
                    let z = y - r;
                    self.loss(*y, z + mv.ds * x, mv.big_q) - self.loss(*y, z, big_q)
                })
                .sum();
        }
    }
}

/// One candidate move of one weight for the samplers: the change `ds` of the weight and the
/// self-overlap `Q' = ‖w'‖²/N` after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteMove {
    /// `s_new − s_old`.
    pub ds: f64,
    /// `Q` after the move.
    pub big_q: f64,
}

/// Gaussian label noise and the squared loss: `y = z0 + σ ξ`, `ℓ(y, z) = ½(y − z)²`
/// (THEORY.md §1–6). At inverse temperature β, `Z_out(y; ω, V) = (1 + βV)^{−1/2}
/// exp(−β(y − ω)²/(2(1 + βV)))`, so with `E = ρ − 2m + q + σ²`
/// `Ψ_out = −½ log(1 + βΔ) − (β/2) E/(1 + βΔ)` and `a = m̂ = αβ/(1 + βΔ)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaussianChannel {
    /// Label-noise variance σ².
    pub noise: f64,
}

impl GaussianChannel {
    /// A validated channel (`σ² ≥ 0`, finite).
    pub fn new(noise: f64) -> Result<Self> {
        non_negative("noise", noise)?;
        Ok(GaussianChannel { noise })
    }

    /// `E = ρ − 2m + q + σ²`, or `None` unless positive and finite.
    fn effective_noise(&self, rho: f64, m: f64, q: f64) -> Option<f64> {
        QuadraticCollapse { noise: self.noise }.effective_noise(rho, m, q)
    }
}

fn finite_all(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}

impl OutputChannel for GaussianChannel {
    fn label_noise(&self) -> f64 {
        self.noise
    }

    fn rs_conjugates(&self, s: &RsState) -> Option<RsConjugates> {
        let e = self.effective_noise(s.rho, s.m, s.q)?;
        let d1 = 1.0 + s.beta * s.delta;
        // a = q̂ − 2α∂Ψ/∂Q cancels to αβ/(1 + βΔ) exactly: taken in closed form.
        let a = s.alpha * s.beta / d1;
        let q_hat = s.alpha * s.beta * s.beta * e / (d1 * d1);
        // The field as the effective observation ŷ = w0 + sqrt(E/α) z with gain Â (THEORY §2).
        let field = Field {
            gain: a,
            signal: 1.0,
            noise: e / s.alpha,
        };
        finite_all(&[a, q_hat, field.noise]).then_some(RsConjugates {
            a,
            m_hat: a,
            q_hat,
            field,
        })
    }

    fn rs_terms(&self, s: &RsState) -> Option<RsTerms> {
        let e = self.effective_noise(s.rho, s.m, s.q)?;
        let beta = s.beta;
        let d1 = 1.0 + beta * s.delta;
        let psi = -0.5 * d1.ln() - 0.5 * beta * e / d1;
        let train = e / (d1 * d1) + s.delta / d1;
        let t = RsTerms {
            psi,
            loss: 0.5 * train,
            train_error: train,
            replicon: (beta / d1).powi(2),
        };
        finite_all(&[t.psi, t.loss, t.replicon]).then_some(t)
    }

    fn quadratic_collapse(&self) -> Option<QuadraticCollapse> {
        Some(QuadraticCollapse { noise: self.noise })
    }

    fn rsb_conjugates(&self, s: &RsbState) -> Option<RsbConjugates> {
        let (a, b) = (s.alpha, s.beta);
        let e0 = self.effective_noise(s.rho, s.m, s.q0)?;
        let d1 = 1.0 + b * s.delta1;
        let d0 = 1.0 + b * s.delta1 + s.x * b * s.delta0;
        let q0_hat = a * b * b * e0 / (d0 * d0);
        // (1/D1 − 1/D0)/x = βΔ0/(D1 D0): the second form has no cancellation as x → 0 or Δ0 → 0.
        let q1_hat = q0_hat + a * b * b * s.delta0 / (d1 * d0);
        let c = RsbConjugates {
            a_hat: a * b / d1,
            m_hat: a * b / d0,
            q0_hat,
            q1_hat,
        };
        finite_all(&[c.a_hat, c.m_hat, c.q0_hat, c.q1_hat]).then_some(c)
    }

    fn rsb_terms(&self, s: &RsbState) -> Option<RsbTerms> {
        let (x, b) = (s.x, s.beta);
        let e0 = self.effective_noise(s.rho, s.m, s.q0)?;
        let d1 = 1.0 + b * s.delta1;
        let d0 = 1.0 + b * s.delta1 + x * b * s.delta0;
        let psi = -0.5 * d1.ln() - 0.5 / x * (d0 / d1).ln() - 0.5 * b * e0 / d0;
        let dpsi_dx = 0.5 / (x * x) * (d0 / d1).ln() - 0.5 / x * b * s.delta0 / d0
            + 0.5 * b * b * e0 * s.delta0 / (d0 * d0);
        // ε_t = E0/D0² + Δ1/D1 + (1/(xβ))(1/D1 − 1/D0); the last term is Δ0/(D1 D0), which is
        // how it is computed (no cancellation).
        let train = e0 / (d0 * d0) + s.delta1 / d1 + s.delta0 / (d1 * d0);
        let t = RsbTerms {
            psi,
            dpsi_dx,
            loss: 0.5 * train,
            train_error: train,
            replicon: (b / d1).powi(2),
        };
        finite_all(&[t.psi, t.dpsi_dx, t.loss, t.replicon]).then_some(t)
    }

    fn log_z_out(&self, beta: f64, y: f64, omega: f64, v: f64, _big_q: f64) -> Option<f64> {
        if v.is_nan() || v < 0.0 {
            return None;
        }
        let d = 1.0 + beta * v;
        let r = y - omega;
        let l = -0.5 * d.ln() - 0.5 * beta * r * r / d;
        l.is_finite().then_some(l)
    }

    fn gout(&self, beta: f64, y: f64, omega: f64, v: f64, _big_q: f64) -> Option<(f64, f64)> {
        if v.is_nan() || v < 0.0 {
            return None;
        }
        let d = 1.0 / (1.0 / beta + v);
        let g = (y - omega) * d;
        (g.is_finite() && d.is_finite()).then_some((g, d))
    }

    fn loss(&self, y: f64, z: f64, _big_q: f64) -> f64 {
        0.5 * (y - z) * (y - z)
    }

    fn error(&self, y: f64, z: f64, _big_q: f64) -> f64 {
        (y - z) * (y - z)
    }

    fn dloss_dz(&self, y: f64, z: f64) -> Option<f64> {
        Some(z - y)
    }

    fn label<R: Rng + ?Sized>(&self, z0: f64, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        z0 + self.noise.sqrt() * z
    }

    fn total_loss(&self, _y: &[f64], r: &[f64], _big_q: f64) -> f64 {
        0.5 * dot(r, r)
    }

    fn total_error(&self, _y: &[f64], r: &[f64], _big_q: f64) -> f64 {
        dot(r, r)
    }

    fn site_quadratic(&self, r: &[f64], x_i: &[f64], c: f64, s_old: f64) -> Option<(f64, f64)> {
        // ½‖r − (s − s_old) x_i‖² = (c/2) s² − (x_i·r + s_old c) s + const.
        Some((c, dot(x_i, r) + s_old * c))
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Every output channel, dispatched statically (so that a [`crate::model::Model`] stays
/// `Clone` and serializable). Adding a channel adds a variant here and one arm per method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Gaussian label noise, squared loss.
    Gaussian(GaussianChannel),
    /// Sign labels (or random labels) and the error count with a normalized margin.
    Sign(super::sign_channel::SignChannel),
}

impl From<super::sign_channel::SignChannel> for Channel {
    fn from(c: super::sign_channel::SignChannel) -> Self {
        Channel::Sign(c)
    }
}

impl From<GaussianChannel> for Channel {
    fn from(c: GaussianChannel) -> Self {
        Channel::Gaussian(c)
    }
}

/// Forwards a method call to the variant's implementation.
macro_rules! dispatch {
    ($self:ident, $c:ident => $e:expr) => {
        match $self {
            Channel::Gaussian($c) => $e,
            Channel::Sign($c) => $e,
        }
    };
}

impl OutputChannel for Channel {
    fn label_noise(&self) -> f64 {
        dispatch!(self, c => c.label_noise())
    }
    fn rs_conjugates(&self, s: &RsState) -> Option<RsConjugates> {
        dispatch!(self, c => c.rs_conjugates(s))
    }
    fn rs_terms(&self, s: &RsState) -> Option<RsTerms> {
        dispatch!(self, c => c.rs_terms(s))
    }
    fn quadratic_collapse(&self) -> Option<QuadraticCollapse> {
        dispatch!(self, c => c.quadratic_collapse())
    }
    fn ridge_in_prior(&self) -> bool {
        dispatch!(self, c => c.ridge_in_prior())
    }
    fn gen_error(&self, rho: f64, m: f64, norm2: f64) -> f64 {
        dispatch!(self, c => c.gen_error(rho, m, norm2))
    }
    fn rsb_conjugates(&self, s: &RsbState) -> Option<RsbConjugates> {
        dispatch!(self, c => c.rsb_conjugates(s))
    }
    fn rsb_terms(&self, s: &RsbState) -> Option<RsbTerms> {
        dispatch!(self, c => c.rsb_terms(s))
    }
    fn log_z_out(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> Option<f64> {
        dispatch!(self, c => c.log_z_out(beta, y, omega, v, big_q))
    }
    fn gout(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> Option<(f64, f64)> {
        dispatch!(self, c => c.gout(beta, y, omega, v, big_q))
    }
    fn dlog_z_dnorm(&self, beta: f64, y: f64, omega: f64, v: f64, big_q: f64) -> f64 {
        dispatch!(self, c => c.dlog_z_dnorm(beta, y, omega, v, big_q))
    }
    fn depends_on_norm(&self) -> bool {
        dispatch!(self, c => c.depends_on_norm())
    }
    fn gamp_variance_floor(&self, prior_var: f64, m: usize) -> f64 {
        dispatch!(self, c => c.gamp_variance_floor(prior_var, m))
    }
    fn loss(&self, y: f64, z: f64, big_q: f64) -> f64 {
        dispatch!(self, c => c.loss(y, z, big_q))
    }
    fn error(&self, y: f64, z: f64, big_q: f64) -> f64 {
        dispatch!(self, c => c.error(y, z, big_q))
    }
    fn dloss_dz(&self, y: f64, z: f64) -> Option<f64> {
        dispatch!(self, c => c.dloss_dz(y, z))
    }
    fn label<R: Rng + ?Sized>(&self, z0: f64, rng: &mut R) -> f64 {
        dispatch!(self, c => c.label(z0, rng))
    }
    fn has_teacher(&self) -> bool {
        dispatch!(self, c => c.has_teacher())
    }
    fn sample_gen_error(&self, w0: &[f64], w: &[f64], var: f64) -> f64 {
        dispatch!(self, c => c.sample_gen_error(w0, w, var))
    }
    fn total_loss(&self, y: &[f64], r: &[f64], big_q: f64) -> f64 {
        dispatch!(self, c => c.total_loss(y, r, big_q))
    }
    fn total_error(&self, y: &[f64], r: &[f64], big_q: f64) -> f64 {
        dispatch!(self, c => c.total_error(y, r, big_q))
    }
    fn site_quadratic(&self, r: &[f64], x_i: &[f64], c: f64, s_old: f64) -> Option<(f64, f64)> {
        dispatch!(self, ch => ch.site_quadratic(r, x_i, c, s_old))
    }
    fn site_losses(
        &self,
        y: &[f64],
        r: &[f64],
        x_i: &[f64],
        big_q: f64,
        moves: &[SiteMove],
        out: &mut [f64],
    ) {
        dispatch!(self, c => c.site_losses(y, r, x_i, big_q, moves, out))
    }
}
