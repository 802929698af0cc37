//! Experiments: the computations behind the command line's reports, each a function of a
//! [`crate::ModelSpec`] (or of an [`OperatingPoint`]) and settings, returning serde records.
//! Nothing here draws or prints; [`crate::report`] draws, the command line prints.
//!
//! * [`widths`]: the optimal quantization width per bit count, and uniform against
//!   non-uniform levels;
//! * [`headline`]: the headline table and the data of its figures;
//! * [`double_descent`]: learning curves ε_g(α), ε_t(α) at several widths, interpolation peaks
//!   and thresholds;
//! * [`sgd`], [`scaling_law`], [`shrinkage`]: low-precision SGD runs, the precision scaling law
//!   of sketched regression (seed 001) and gradient shrinkage (seed 003).

pub mod double_descent;
pub mod headline;
pub mod scaling_law;
pub mod sgd;
pub mod shrinkage;
pub mod widths;

use crate::error::{non_negative, positive, Error, Result};
use crate::model::{LevelSet, Model, Student, TeacherPrior};
use serde::Serialize;

/// The operating point of the headline: α, σ² and the finite β of the stability judgement.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OperatingPoint {
    /// Samples per weight.
    pub alpha: f64,
    /// Label-noise variance.
    pub noise: f64,
    /// Inverse temperature for stability maps.
    pub beta: f64,
}

impl Default for OperatingPoint {
    fn default() -> Self {
        OperatingPoint {
            alpha: 2.0,
            noise: 0.1,
            beta: 5.0,
        }
    }
}

impl OperatingPoint {
    /// Checks the point (α > 0, σ² ≥ 0, finite β), naming the bad value.
    pub fn check(&self) -> Result<()> {
        positive("alpha", self.alpha)?;
        non_negative("noise", self.noise)?;
        if self.beta.is_infinite() {
            return Err(Error::input(
                "--beta for the stability judgement must be finite",
            ));
        }
        Ok(())
    }

    /// The Gaussian-teacher model with a `bits`-bit uniform student of width `width` at `beta`.
    pub fn uniform_model(&self, bits: u32, width: f64, beta: f64) -> Result<Model> {
        let student = Student::Discrete(LevelSet::uniform(bits, width)?);
        Model::new(
            self.alpha,
            self.noise,
            beta,
            0.0,
            student,
            TeacherPrior::gaussian(1.0)?,
        )
    }

    /// The unquantized student at `alpha` (β = ∞).
    pub fn continuous_model(&self, alpha: f64) -> Result<Model> {
        Model::new(
            alpha,
            self.noise,
            f64::INFINITY,
            0.0,
            Student::Continuous,
            TeacherPrior::gaussian(1.0)?,
        )
    }
}
