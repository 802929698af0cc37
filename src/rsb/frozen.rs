//! The frozen 1RSB (`q1 = Q`) of a channel whose energy is scale-free (the sign channel), with
//! a discrete student: every state is a single configuration (`docs/classification.md` §6).
//!
//! At `Δ1 = Q − q1 = 0` the nested 1RSB terms reduce to RS ones at a *tempered* model:
//! - output side: `(ε + (1 − ε)Θ)^x = Θ + ε^x (1 − Θ)`, so the inner average `∫Du Z_out^x` is
//!   `Z_out` at inverse temperature `βx`: `Ψ1_out = Ψ_RS(m, q0, Q; βx)/x`;
//! - student side: with `g² = q̂1 − q̂0 → ∞` and `â = Â − x g²` finite,
//!   `E_{z1} Z^x → Σ_s π(s)^x e^{−x(â + λ)s²/2 + x H0 s}` (the states do not overlap), the RS
//!   student at field `x H0`, quadratic coefficient `x(â + λ)` and level weights `π^x`.
//!
//! With `m̂' = x m̂`, `q̂' = x² q̂0`, `a' = x â`, φ1 is the RS free entropy of the model at
//! `(βx, ridge xλ, weights π^x)`, divided by x, at `(m, q0, Q)`: the frozen branch is that RS
//! solution. Its complexity `Σ(x) = −x² ∂_x φ1 = φ' − x ∂_x φ'`: at the tempered fixed point only
//! the explicit x-dependence counts, `∂_x φ' = ⟨L⟩'` with `L(s) = log π(s) − βE − λ s²/2` per
//! site (the tempered measure is `∝ e^{x L}`), so `Σ = φ' − ⟨x L⟩' = s' + λ'Q'/2 − E'⟨log π'(s)⟩`,
//! the Shannon entropy of the tempered measure over configurations (`s'` is measured against
//! its prior `π' e^{−λ' s²/2}`; [`mean_log_weight`] gives the last term, 0 for the counting
//! measure): the log-number of states, each one configuration. At β = ∞ with the counting
//! measure it is `s_RS` for every x (Krauth–Mézard), at finite β the RS entropy at `βx` (the
//! random-energy-model picture, `x* = β_K/β`). Constant weights `π ≡ c` shift φ1 by `log c` and
//! leave Σ, x* and the state unchanged.

use super::channel::{Conjugates, Params};
use super::{RsbPhase, RsbSolution};
use crate::error::{Error, Result};
use crate::fixed_point::Status;
use crate::model::{LevelSet, Model, OutputChannel, Student};
use crate::quad::Tolerance;
use crate::rs::{self, RsSolution, SolverOptions};
use crate::thermo::Thermo;

/// The frozen 1RSB state at one Parisi parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Frozen {
    /// Parisi parameter.
    pub x: f64,
    /// φ1 = φ_RS(tempered)/x.
    pub free_entropy: f64,
    /// `Σ(x) = −x² ∂φ1/∂x`.
    pub complexity: f64,
    /// The tempered model's RS solution: `m`, `q0 = q`, `q1 = Q = Q`.
    pub tempered: RsSolution,
    /// Whether the tempered RS solve converged.
    pub converged: bool,
}

/// The RS model whose solution is the frozen 1RSB branch at `x`: inverse temperature `βx`,
/// ridge `xλ`, level weights `π^x`. Refused: channels whose ridge is an energy term (the
/// reduction needs a scale-free energy), continuous students, and `x ∉ (0, 1]`.
pub fn tempered_model(model: &Model, x: f64) -> Result<Model> {
    if !(x > 0.0 && x <= 1.0) {
        return Err(Error::input(format!(
            "the Parisi parameter x must be in (0, 1], got {x}"
        )));
    }
    if !model.channel.ridge_in_prior() {
        return Err(Error::input(
            "the frozen 1RSB reduction needs a scale-free energy (the sign channel)",
        ));
    }
    let student = match &model.student {
        Student::Discrete(l) if l.is_counting() => model.student.clone(),
        // Level weights π → π^x (a weight of exactly 1 everywhere is the counting measure).
        Student::Discrete(l) => {
            let w = (0..l.len()).map(|k| (x * l.log_weight(k)).exp()).collect();
            Student::Discrete(LevelSet::new(l.values().to_vec(), Some(w))?)
        }
        Student::Continuous => return Err(Error::input(
            "the frozen 1RSB needs a discrete level set: a continuous student has no frozen states",
        )),
    };
    Model::with_channel(
        model.alpha,
        model.channel.clone(),
        model.beta * x,
        model.ridge * x,
        student,
        model.teacher.clone(),
    )
}

/// `E_{w0,z} ⟨log π'(s)⟩`: the average of the log level weight over the RS student of the
/// tempered model at its solution `t` (`p(s) ∝ π'(s) e^{−a s²/2 + h s}`, `a = Â + λ'`,
/// `h = m̂ w0 + √q̂ z`); 0 for the counting measure. Computed here by log-sum-exp over the
/// levels at every node of the teacher's field quadrature (the library's posterior returns
/// only moments).
pub fn mean_log_weight(tempered: &Model, t: &RsSolution, tol: Tolerance) -> Result<f64> {
    let Student::Discrete(levels) = &tempered.student else {
        return Ok(0.0);
    };
    if levels.is_counting() {
        return Ok(0.0);
    }
    let ch = rs::finite::channel(tempered, t.m, t.q, t.big_q).ok_or_else(|| {
        Error::Numerics("the tempered RS solution is outside the channel's domain".into())
    })?;
    let a = ch.a_hat + tempered.beta_ridge();
    let steps = tempered.student.steps(a / ch.field.gain);
    let values = levels.values();
    let lw: Vec<f64> = (0..values.len()).map(|k| levels.log_weight(k)).collect();
    let mut e = vec![0.0; values.len()];
    let r = tempered.teacher.field_average(ch.field, &steps, tol, |n| {
        let mut top = f64::NEG_INFINITY;
        for ((ek, s), l) in e.iter_mut().zip(values).zip(&lw) {
            *ek = l - 0.5 * a * s * s + n.h * s;
            top = top.max(*ek);
        }
        let (mut z, mut num) = (0.0, 0.0);
        for (ek, l) in e.iter().zip(&lw) {
            let p = (ek - top).exp();
            z += p;
            num += p * l;
        }
        [n.weight * num / z]
    });
    if !r.accurate {
        return Err(Error::Numerics(
            "the level weights' average missed its quadrature tolerance".into(),
        ));
    }
    Ok(r.value[0])
}

/// The frozen 1RSB branch at `x` (module docs).
pub fn frozen_at(model: &Model, x: f64, opts: &SolverOptions) -> Result<Frozen> {
    let tempered = tempered_model(model, x)?;
    let r = rs::solve(&tempered, opts);
    let s = r.equilibrium;
    let (Some(phi), Some(entropy)) = (s.free_entropy, s.entropy) else {
        return Err(Error::Numerics(format!(
            "the tempered RS solution at x = {x} has no free entropy"
        )));
    };
    // The Shannon entropy of the tempered measure over configurations: its entropy relative to
    // the prior π'·e^{−λ'Q/2} plus the prior's share, `+λ'Q'/2 − E'⟨log π'⟩` (module docs).
    let complexity = tempered.entropy_without_ridge_prior(entropy, s.big_q)
        - mean_log_weight(&tempered, &s, opts.quad)?;
    Ok(Frozen {
        x,
        free_entropy: phi / x,
        complexity,
        tempered: s,
        converged: r.converged,
    })
}

/// The reported 1RSB state of a frozen branch point, and its parameters for stationarity checks
/// (`q1 = Q`; the conjugates of a frozen state are infinite, `q̂1 − q̂0 → ∞`: they are NaN here
/// and the state is not an interior point of φ1's domain). Within a state nothing fluctuates:
/// `χ = βΔ1 = 0` and the within-state replicon is 0. The energy is the tempered model's
/// (`e = −∂φ1/∂β = −(1/x) ∂_β φ'(βx)`), the entropy `s = φ1 + βe`.
pub fn solution(model: &Model, f: &Frozen) -> (RsbSolution, Params) {
    let t = &f.tempered;
    let (m, q0, big_q) = (t.m, t.q, t.big_q);
    let rho = model.rho();
    let energy = t.energy;
    let entropy = model.entropy_of(f.free_entropy, energy);
    let smax = model.student.max_entropy().unwrap_or(f64::INFINITY);
    let s0 = model.entropy_without_ridge_prior(entropy, big_q);
    let sol = RsbSolution {
        m,
        big_q,
        q1: big_q,
        q0,
        x: f.x,
        thermo: Thermo {
            chi: 0.0,
            gen_error: model.channel.gen_error(rho, m, big_q),
            mse_posterior_mean: model.channel.gen_error(rho, m, q0),
            train_error: t.train_error,
            free_entropy: f.free_entropy,
            energy,
            entropy,
        },
        complexity: f.complexity,
        dphi_dx: -f.complexity / (f.x * f.x),
        entropy_violation: s0 < -1e-9 || s0 > smax + 1e-9,
        replicon_q1: 0.0,
        phase: RsbPhase::Frozen,
        status: if f.converged {
            Status::Converged
        } else {
            Status::MaxIterations
        },
        iterations: t.iterations,
        residual: t.residual,
    };
    let nan = f64::NAN;
    let params = Params {
        big_q,
        q1: big_q,
        q0,
        m,
        hat: Conjugates {
            a_hat: nan,
            m_hat: nan,
            q0_hat: nan,
            q1_hat: nan,
        },
        x: f.x,
    };
    (sol, params)
}
