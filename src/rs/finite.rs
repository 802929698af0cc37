//! The RS saddle point at finite β (THEORY.md §2): the map `(m, q, Q) → (m, q, Q)` and the
//! observables at a fixed point, every average an adaptive quadrature per teacher component.

use crate::model::teacher::norm_pdf;
use crate::model::Model;
use crate::quad::{integrate, Tolerance};

/// Half-width of the integration range in standard deviations of `ŷ` (φ(10) ≈ 8e−23).
const U_MAX: f64 = 10.0;

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
    /// `E[log Z(Â, Â ŷ)]`.
    pub log_z: f64,
    /// Whether every quadrature met its tolerance.
    pub accurate: bool,
}

/// The scalar-channel parameters implied by a state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Channel {
    /// `Δ = Q − q`.
    pub delta: f64,
    /// `E = ρ − 2m + q + σ²`.
    pub e: f64,
    /// `Â = αβ/(1 + βΔ)`.
    pub a_hat: f64,
}

/// The channel of state `(m, q, Q)`, or `None` outside the physical domain.
pub fn channel(model: &Model, m: f64, q: f64, big_q: f64) -> Option<Channel> {
    // Extrapolated iterates may undershoot Δ = 0 by round-off when the posterior is frozen.
    let raw = big_q - q;
    let delta = if raw < 0.0 && raw > -1e-9 * (1.0 + q) {
        0.0
    } else {
        raw
    };
    let e = model.rho() - 2.0 * m + q + model.noise;
    if !(delta >= 0.0 && e > 0.0 && q >= 0.0 && delta.is_finite() && e.is_finite()) {
        return None;
    }
    let a_hat = model.alpha * model.beta / (1.0 + model.beta * delta);
    Some(Channel { delta, e, a_hat })
}

/// Averages over `ŷ = w0 + sqrt(E/α) z` of the local posterior with precision `Â`.
/// `full` adds `E[Var²]` and `E[log Z]` (needed only at the fixed point).
pub fn averages(model: &Model, ch: Channel, tol: Tolerance, full: bool) -> ChannelAverages {
    let bl = model.beta * model.ridge;
    let a = ch.a_hat + bl;
    let levels = model.student.levels();
    let mut out = ChannelAverages {
        m: 0.0,
        q: 0.0,
        big_q: 0.0,
        var2: 0.0,
        log_z: 0.0,
        accurate: true,
    };
    for c in model.teacher.components() {
        let tau = (c.var + ch.e / model.alpha).sqrt();
        // A fixed coarse partition suits the Gaussian weight; level steps are added to it.
        // ⟨s⟩ steps at the ridge-shifted level midpoints over a scale 1/(Â Δs), and Var(s) is a
        // bump of that width centred there. When the step is narrower than τ, a breakpoint at
        // the midpoint alone is not enough: the bump can fall between the endpoint and the first
        // Gauss–Kronrod node, where the error estimate cannot see it (β → ∞ then converges to
        // a spurious frozen state). Breakpoints graded geometrically around the midpoint put
        // nodes inside the bump at every β.
        let mut pts = vec![-6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0];
        if let Some(l) = levels {
            let shift = a / ch.a_hat;
            for w in l.values().windows(2) {
                let scale = 1.0 / (ch.a_hat * (w[1] - w[0]) * tau);
                let u = (shift * 0.5 * (w[0] + w[1]) - c.mean) / tau;
                if scale < 1.0 && u > -U_MAX && u < U_MAX {
                    pts.push(u);
                    let reach = (0.5 * shift * (w[1] - w[0]) / tau).min(1.5);
                    let mut k = 2.0;
                    while k * scale < reach && k <= 32.0 {
                        pts.push(u - k * scale);
                        pts.push(u + k * scale);
                        k *= 4.0;
                    }
                }
            }
        }
        pts.retain(|u| u.abs() < U_MAX);
        pts.push(-U_MAX);
        pts.push(U_MAX);
        pts.sort_by(f64::total_cmp);
        // A midpoint within round-off of a coarse point would leave a sliver costing a full rule.
        pts.dedup_by(|b, a| *b - *a < 1e-9);
        let post = c.var / tau;
        let f = |u: f64| {
            let y = c.mean + tau * u;
            let w = norm_pdf(u);
            let mo = model.student.moments(a, ch.a_hat * y);
            let w0 = c.mean + post * u;
            [
                w * w0 * mo.mean,
                w * mo.mean * mo.mean,
                w * (mo.mean * mo.mean + mo.var),
                w * mo.var * mo.var,
                w * mo.log_z,
            ]
        };
        if full {
            let r = integrate(f, &pts, tol);
            out.m += c.weight * r.value[0];
            out.q += c.weight * r.value[1];
            out.big_q += c.weight * r.value[2];
            out.var2 += c.weight * r.value[3];
            out.log_z += c.weight * r.value[4];
            out.accurate &= r.converged;
        } else {
            let r = integrate(
                |u| {
                    let y = c.mean + tau * u;
                    let w = norm_pdf(u);
                    let (mean, var) = model.student.mean_var(a, ch.a_hat * y);
                    let w0 = c.mean + post * u;
                    [w * w0 * mean, w * mean * mean, w * (mean * mean + var)]
                },
                &pts,
                tol,
            );
            out.m += c.weight * r.value[0];
            out.q += c.weight * r.value[1];
            out.big_q += c.weight * r.value[2];
            out.accurate &= r.converged;
        }
    }
    out
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
    /// e = (α/2)ε_t + (λ/2)Q.
    pub energy: f64,
    /// s = φ + βe.
    pub entropy: f64,
    /// λ_AT.
    pub at_eigenvalue: f64,
    /// βΔ.
    pub chi: f64,
    /// Whether the final quadratures met their tolerance.
    pub accurate: bool,
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
    let av = averages(model, ch, tol, true);
    let (alpha, beta, rho) = (model.alpha, model.beta, model.rho());
    let d1 = 1.0 + beta * ch.delta;
    let q_hat = alpha * beta * beta * ch.e / (d1 * d1);
    let phi = 0.5 * ch.a_hat * big_q - 0.5 * q_hat * ch.delta - ch.a_hat * m
        + av.log_z
        + alpha * (-0.5 * d1.ln() - 0.5 * beta * ch.e / d1);
    let train = ch.e / (d1 * d1) + ch.delta / d1;
    let energy = 0.5 * alpha * train + 0.5 * model.ridge * big_q;
    Some(Observables {
        gen_error: rho - 2.0 * m + big_q,
        mse_posterior_mean: rho - 2.0 * m + q,
        train_error: train,
        free_entropy: phi,
        energy,
        entropy: phi + beta * energy,
        at_eigenvalue: alpha * (beta / d1).powi(2) * av.var2,
        chi: beta * ch.delta,
        accurate: av.accurate,
    })
}
