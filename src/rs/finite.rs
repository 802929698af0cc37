//! The RS saddle point at finite β (THEORY.md §2): the map `(m, q, Q) → (m, q, Q)` and the
//! observables at a fixed point. The output channel gives the conjugates `(a, m̂, q̂)` and its
//! energetic term; the teacher measure ([`crate::model::field`]) averages the student's local
//! posterior over the field `h = m̂ w0 + √q̂ z`.

use crate::model::channel::RsState;
use crate::model::field::Field;
use crate::model::{Model, OutputChannel};
use crate::quad::Tolerance;

/// Averages over the effective scalar channel at one state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelAverages {
    /// `E[w0 ⟨s⟩]`.
    pub m: f64,
    /// `E[⟨s⟩²]`.
    pub q: f64,
    /// `E[⟨s²⟩]`.
    pub big_q: f64,
    /// `E[Var(s)²]`.
    pub var2: f64,
    /// `E[log Z(a + βλ, h)]`.
    pub log_z: f64,
    /// Whether every quadrature met its tolerance.
    pub accurate: bool,
}

/// The scalar channel implied by a state: the conjugates of the model's output channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectiveChannel {
    /// The state as the output channel sees it.
    pub state: RsState,
    /// `Δ = Q − q`.
    pub delta: f64,
    /// The effective noise `α q̂/m̂²` of the observation `ŷ = h/m̂ = w0 + sqrt(E/α) z` (for the
    /// Gaussian channel `E = ρ − 2m + q + σ²`; ∞ when `m̂ = 0`).
    pub e: f64,
    /// The quadratic coefficient `a` of the local posterior, without the ridge (for the Gaussian
    /// channel `a = m̂ = Â = αβ/(1 + βΔ)`).
    pub a_hat: f64,
    /// `m̂`.
    pub m_hat: f64,
    /// `q̂`.
    pub q_hat: f64,
    /// The field `h` in the channel's form.
    pub field: Field,
}

/// The channel of state `(m, q, Q)`, or `None` outside the physical domain.
pub fn channel(model: &Model, m: f64, q: f64, big_q: f64) -> Option<EffectiveChannel> {
    let state = RsState::new(model.alpha, model.beta, model.rho(), m, q, big_q)?;
    let c = model.channel.rs_conjugates(&state)?;
    let f = c.field;
    let e = if f.signal != 0.0 {
        model.alpha * f.noise / (f.signal * f.signal)
    } else {
        f64::INFINITY
    };
    Some(EffectiveChannel {
        state,
        delta: state.delta(),
        e,
        a_hat: c.a,
        m_hat: c.m_hat,
        q_hat: c.q_hat,
        field: f,
    })
}

/// Averages over the teacher measure of the field `h = m̂ w0 + √q̂ z` of the local posterior at
/// quadratic coefficient `a + βλ`. `full` adds `E[Var²]` and `E[log Z]` (needed only at the
/// fixed point).
pub fn averages(
    model: &Model,
    ch: EffectiveChannel,
    tol: Tolerance,
    full: bool,
) -> ChannelAverages {
    let a = ch.a_hat + model.beta_ridge();
    let steps = model.student.steps(a / ch.field.gain);
    let teacher = &model.teacher;
    let st = model.student.posterior(a);
    if full {
        let r = teacher.field_average(ch.field, &steps, tol, |n| {
            let (w, w0) = (n.weight, n.w0);
            let mo = st.moments(n.h);
            [
                w * w0 * mo.mean,
                w * mo.mean * mo.mean,
                w * (mo.mean * mo.mean + mo.var),
                w * mo.var * mo.var,
                w * mo.log_z,
            ]
        });
        let [m, q, big_q, var2, log_z] = r.value;
        ChannelAverages {
            m,
            q,
            big_q,
            var2,
            log_z,
            accurate: r.accurate,
        }
    } else {
        let r = teacher.field_average(ch.field, &steps, tol, |n| {
            let (w, w0) = (n.weight, n.w0);
            let (mean, var) = st.mean_var(n.h);
            [w * w0 * mean, w * mean * mean, w * (mean * mean + var)]
        });
        let [m, q, big_q] = r.value;
        ChannelAverages {
            m,
            q,
            big_q,
            var2: 0.0,
            log_z: 0.0,
            accurate: r.accurate,
        }
    }
}

/// One application of the RS map, or `None` outside the physical domain.
pub fn map(model: &Model, state: &[f64], tol: Tolerance) -> Option<[f64; 3]> {
    let ch = channel(model, state[0], state[1], state[2])?;
    let av = averages(model, ch, tol, false);
    let out = [av.m, av.q, av.big_q];
    out.iter().all(|v| v.is_finite()).then_some(out)
}

/// Thermodynamics and errors at a state (meaningful at a fixed point).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observables {
    /// ε_g = ρ − 2m + Q.
    pub gen_error: f64,
    /// ε_mean = ρ − 2m + q.
    pub mse_posterior_mean: f64,
    /// ε_t.
    pub train_error: f64,
    /// φ.
    pub free_entropy: f64,
    /// `e = −∂φ/∂β = α · loss + (λ/2) Q` (Gaussian channel: `(α/2) ε_t + (λ/2) Q`).
    pub energy: f64,
    /// s = φ + βe.
    pub entropy: f64,
    /// λ_AT.
    pub at_eigenvalue: f64,
    /// βΔ.
    pub chi: f64,
    /// Whether the final quadratures met their tolerance.
    pub accurate: bool,
    /// The map's value `G(m, q, Q)` at the state, from the same quadratures (at a fixed point
    /// equal to the state: [`crate::fixed_point::iterate_inexact_verified`] checks this).
    pub image: [f64; 3],
}

/// Observables at state `(m, q, Q)`.
pub fn observables(
    model: &Model,
    m: f64,
    q: f64,
    big_q: f64,
    tol: Tolerance,
) -> Option<Observables> {
    let ch = channel(model, m, q, big_q)?;
    let t = model.channel.rs_terms(&ch.state)?;
    let av = averages(model, ch, tol, true);
    let (alpha, beta, rho) = (model.alpha, model.beta, model.rho());
    let phi = 0.5 * ch.a_hat * big_q - 0.5 * ch.q_hat * ch.delta - ch.m_hat * m
        + av.log_z
        + alpha * t.psi;
    let energy = alpha * t.loss + model.ridge_energy(big_q);
    Some(Observables {
        gen_error: model.channel.gen_error(rho, m, big_q),
        mse_posterior_mean: model.channel.gen_error(rho, m, q),
        train_error: t.train_error,
        free_entropy: phi,
        energy,
        entropy: model.entropy_of(phi, energy),
        at_eigenvalue: alpha * t.replicon * av.var2,
        chi: beta * ch.delta,
        accurate: av.accurate,
        image: [av.m, av.q, av.big_q],
    })
}
