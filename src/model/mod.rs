//! The model pieces, shared by the RS solver, AMP and the samplers: the student's level set,
//! the teacher prior, the Gaussian output channel, and the problem that ties them together.

pub mod levels;
pub mod spec;
pub mod teacher;

pub use levels::{LevelSet, Moments, Student};
pub use spec::LevelKind;
pub use teacher::TeacherPrior;

use crate::error::{non_negative, positive, Error, Result};
use serde::Serialize;

/// Teacher–student quantized regression at inverse temperature β (THEORY.md §1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// Samples per weight α = M/N.
    pub alpha: f64,
    /// Label-noise variance σ².
    pub noise: f64,
    /// Inverse temperature β (`f64::INFINITY` for the ground state).
    pub beta: f64,
    /// Ridge penalty λ.
    pub ridge: f64,
    /// The student's weight space.
    pub student: Student,
    /// The teacher prior.
    pub teacher: TeacherPrior,
}

impl Model {
    /// A validated model.
    pub fn new(
        alpha: f64,
        noise: f64,
        beta: f64,
        ridge: f64,
        student: Student,
        teacher: TeacherPrior,
    ) -> Result<Self> {
        positive("alpha", alpha)?;
        non_negative("noise", noise)?;
        if beta.is_nan() || beta <= 0.0 {
            return Err(Error::input(format!(
                "beta must be positive (or inf), got {beta}"
            )));
        }
        non_negative("ridge", ridge)?;
        if matches!(student, Student::Continuous)
            && beta.is_finite()
            && ridge == 0.0
            && alpha <= 1.0
        {
            return Err(Error::input(format!(
                "a continuous student at finite beta needs ridge > 0 when alpha <= 1 (alpha = {alpha}): the Gibbs measure is not normalizable"
            )));
        }
        Ok(Model {
            alpha,
            noise,
            beta,
            ridge,
            student,
            teacher,
        })
    }

    /// `ρ = E[w0²]`.
    pub fn rho(&self) -> f64 {
        self.teacher.second_moment()
    }

    /// Whether this is the zero-temperature (β = ∞) problem.
    pub fn zero_temperature(&self) -> bool {
        self.beta.is_infinite()
    }
}

/// The Gaussian output channel at inverse temperature β: the student's likelihood
/// `exp(−(β/2)(y − z)²)`. AMP's output function and the RS energy term both come from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianChannel {
    /// Inverse temperature.
    pub beta: f64,
}

impl GaussianChannel {
    /// Output function of GAMP for a Gaussian likelihood: given the label `y`, the cavity mean
    /// `omega` and variance `v`, returns `(g, −∂g/∂ω) = ((y − ω)/(1/β + v), 1/(1/β + v))`.
    pub fn gout(&self, y: f64, omega: f64, v: f64) -> (f64, f64) {
        let d = 1.0 / (1.0 / self.beta + v);
        ((y - omega) * d, d)
    }

    /// The precision `αβ/(1 + βΔ)` of the effective scalar channel in the RS equations.
    pub fn rs_precision(&self, alpha: f64, delta: f64) -> f64 {
        alpha * self.beta / (1.0 + self.beta * delta)
    }
}
