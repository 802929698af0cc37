//! The model pieces, shared by the RS and 1RSB solvers, AMP and the samplers: the student's
//! level set ([`levels`]), the teacher prior ([`teacher`]), the output channel ([`channel`]),
//! and the problem that ties them together ([`Model`]).

pub mod channel;
pub mod field;
pub mod levels;
pub mod rounding;
pub mod sign_channel;
pub mod spec;
pub mod teacher;

pub use channel::{Channel, GaussianChannel, OutputChannel};
pub use field::{Field, Node, Step};
pub use levels::{LevelSet, Moments, Posterior, Student};
pub use rounding::Rounding;
pub use sign_channel::{Labels, SignChannel};
pub use spec::LevelKind;
pub use teacher::TeacherPrior;

use crate::error::{non_negative, positive, Error, Result};
use serde::Serialize;

/// Teacher–student learning with a quantized student at inverse temperature β (THEORY.md §1):
/// the student's weight space, the teacher prior and the output channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// Samples per weight α = M/N.
    pub alpha: f64,
    /// The channel's label-noise level ([`OutputChannel::label_noise`]; for the Gaussian
    /// channel the variance σ²). Informational: the solvers read [`Model::channel`], and the
    /// constructors keep the two in step.
    pub noise: f64,
    /// Inverse temperature β (`f64::INFINITY` for the ground state).
    pub beta: f64,
    /// Ridge penalty λ.
    pub ridge: f64,
    /// The student's weight space.
    pub student: Student,
    /// The teacher prior.
    pub teacher: TeacherPrior,
    /// The output channel (labels and loss).
    pub channel: Channel,
}

impl Model {
    /// A validated model with the Gaussian channel of label-noise variance `noise` (squared
    /// loss): the regression problem of THEORY.md §1.
    pub fn new(
        alpha: f64,
        noise: f64,
        beta: f64,
        ridge: f64,
        student: Student,
        teacher: TeacherPrior,
    ) -> Result<Self> {
        positive("alpha", alpha)?;
        let channel = Channel::Gaussian(GaussianChannel::new(noise)?);
        Self::with_channel(alpha, channel, beta, ridge, student, teacher)
    }

    /// A validated model with any output channel.
    pub fn with_channel(
        alpha: f64,
        channel: Channel,
        beta: f64,
        ridge: f64,
        student: Student,
        teacher: TeacherPrior,
    ) -> Result<Self> {
        positive("alpha", alpha)?;
        let noise = channel.label_noise();
        if beta.is_nan() || beta <= 0.0 {
            return Err(Error::input(format!(
                "beta must be positive (or inf), got {beta}"
            )));
        }
        non_negative("ridge", ridge)?;
        if matches!(student, Student::Continuous) && channel.ridge_in_prior() && ridge == 0.0 {
            return Err(Error::input(
                "a continuous student needs --ridge > 0 with this channel: its energy is scale-free, and the ridge is the Gaussian prior N(0, 1/ridge) that makes the measure normalizable (the spherical perceptron)",
            ));
        }
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
            channel,
        })
    }

    /// `ρ = E[w0²]`.
    pub fn rho(&self) -> f64 {
        self.teacher.second_moment()
    }

    /// The ridge's share of the local posterior's quadratic coefficient: `βλ` (0 when `λ = 0`,
    /// at β = ∞ too), or `λ` when the channel takes the ridge as a prior
    /// ([`OutputChannel::ridge_in_prior`]).
    pub fn beta_ridge(&self) -> f64 {
        if self.ridge > 0.0 {
            if self.channel.ridge_in_prior() {
                self.ridge
            } else {
                self.beta * self.ridge
            }
        } else {
            0.0
        }
    }

    /// The ridge's share of the energy per weight at self-overlap `Q`: `(λ/2)Q`, or 0 when the
    /// channel takes the ridge as a prior.
    pub fn ridge_energy(&self, big_q: f64) -> f64 {
        if self.channel.ridge_in_prior() {
            0.0
        } else {
            0.5 * self.ridge * big_q
        }
    }

    /// The entropy `s = φ + βe` from the free entropy and the energy per weight; `s = φ` when
    /// `e = 0` (at β = ∞ in a version space, where `β e` would be `∞ · 0`).
    pub fn entropy_of(&self, free_entropy: f64, energy: f64) -> f64 {
        if energy == 0.0 {
            free_entropy
        } else {
            free_entropy + self.beta * energy
        }
    }

    /// The entropy `s` of a state with self-overlap `Q`, measured against the level set's own
    /// measure: `s + (λ/2)Q` when the channel takes the ridge as the prior factor `e^{−λs²/2}`
    /// (then `s` is relative to that factor, and may be negative with many solutions), else `s`.
    /// This is the quantity bounded by `[0, log Σπ]` in a true state.
    pub fn entropy_without_ridge_prior(&self, entropy: f64, big_q: f64) -> f64 {
        if self.ridge > 0.0 && self.channel.ridge_in_prior() {
            entropy + 0.5 * self.ridge * big_q
        } else {
            entropy
        }
    }

    /// Whether this is the zero-temperature (β = ∞) problem.
    pub fn zero_temperature(&self) -> bool {
        self.beta.is_infinite()
    }
}
