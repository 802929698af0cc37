//! The model flags shared by every theory and simulation command.

use crate::error::{Error, Result};
use crate::model::spec::{parse_list, parse_teacher};
use crate::model::{LevelKind, Model};

/// Parses a finite number, naming the flag when it is not one.
pub fn finite_f64(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("'{s}' is not a finite number")),
    }
}

/// Parses β: a positive number or `inf`.
pub fn beta_value(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim().to_ascii_lowercase();
    if t == "inf" || t == "infinity" {
        return Ok(f64::INFINITY);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not a positive number or inf")),
    }
}

/// Model flags: `--alpha --noise [--bits --width | --levels] [--beta] [--ridge] [--teacher]`.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Samples per weight α = M/N (> 0).
    #[arg(long, allow_negative_numbers = true, value_parser = finite_f64, default_value = "2")]
    pub alpha: f64,
    /// Label-noise variance σ² (≥ 0).
    #[arg(long, allow_negative_numbers = true, value_parser = finite_f64, default_value = "0.1")]
    pub noise: f64,
    /// Bits b of the quantizer (1..=16).
    #[arg(long, default_value = "2")]
    pub bits: u32,
    /// Quantization width ω: levels span [−ω, ω] (uniform, midtread, pow2).
    #[arg(long, allow_negative_numbers = true, value_parser = finite_f64, default_value = "1")]
    pub width: f64,
    /// Level set: uniform, midtread, lloyd-max, quantile, pow2, continuous, custom:v1,v2,..., asq:S.
    #[arg(long, default_value = "uniform")]
    pub levels: String,
    /// Level weights π (comma-separated, one per level).
    #[arg(long)]
    pub level_weights: Option<String>,
    /// Inverse temperature β (> 0) or `inf` for the trained (ground-state) model.
    #[arg(long, allow_negative_numbers = true, value_parser = beta_value, default_value = "inf")]
    pub beta: f64,
    /// Ridge penalty λ (≥ 0).
    #[arg(long, allow_negative_numbers = true, value_parser = finite_f64, default_value = "0")]
    pub ridge: f64,
    /// Teacher prior: gaussian, binary, discrete:v1,v2,..., sparse:F.
    #[arg(long, default_value = "gaussian")]
    pub teacher: String,
    /// Teacher variance ρ (scale of gaussian, binary and sparse teachers).
    #[arg(long, allow_negative_numbers = true, value_parser = finite_f64, default_value = "1")]
    pub teacher_var: f64,
    /// Probabilities of a discrete teacher's values (comma-separated).
    #[arg(long)]
    pub teacher_probs: Option<String>,
}

impl ModelArgs {
    /// Builds and validates the model.
    pub fn model(&self) -> Result<Model> {
        let kind: LevelKind = self.levels.parse()?;
        self.model_with(&kind, self.bits, self.width)
    }

    /// Builds the model with a given level kind, bit count and width (for sweeps).
    pub fn model_with(&self, kind: &LevelKind, bits: u32, width: f64) -> Result<Model> {
        if self.alpha.is_nan() || self.alpha <= 0.0 {
            return Err(Error::input(format!(
                "--alpha must be positive, got {}",
                self.alpha
            )));
        }
        if self.noise.is_nan() || self.noise < 0.0 {
            return Err(Error::input(format!(
                "--noise must be non-negative, got {}",
                self.noise
            )));
        }
        if self.ridge.is_nan() || self.ridge < 0.0 {
            return Err(Error::input(format!(
                "--ridge must be non-negative, got {}",
                self.ridge
            )));
        }
        if kind.uses_bits() && (bits == 0 || bits > 16) {
            return Err(Error::input(format!(
                "--bits must be between 1 and 16, got {bits}"
            )));
        }
        if kind.uses_width() && (width.is_nan() || width <= 0.0) {
            return Err(Error::input(format!(
                "--width must be positive, got {width}"
            )));
        }
        let probs = self
            .teacher_probs
            .as_deref()
            .map(|p| parse_list(p, "teacher probability"))
            .transpose()?;
        let teacher = parse_teacher(&self.teacher, self.teacher_var, probs.as_deref())?;
        let weights = self
            .level_weights
            .as_deref()
            .map(|w| parse_list(w, "level weight"))
            .transpose()?;
        let student = kind.build(bits, width, &teacher, weights)?;
        Model::new(
            self.alpha, self.noise, self.beta, self.ridge, student, teacher,
        )
    }
}
