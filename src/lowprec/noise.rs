//! Quantizers applied to vectors: the abstract unbiased noise models of THEORY.md §7
//! (multiplicative with one factor per vector or per coordinate; additive with Cov = εI) and the
//! bit-level formats of [`super::formats`].
//!
//! The abstract models draw Gaussian noise: ζ ~ N(0, ε) and δ ~ N(0, εI). The exact risk
//! recursion needs the third and fourth moments of ζ and δ for data quantization; Gaussian noise
//! makes them E ζ³ = 0, E ζ⁴ = 3ε² (see [`Quantizer::zeta_moments`]).

use super::formats::{FloatFormat, IntGrid, IntScale, Overflow, Rounding};
use crate::error::{self, Error, Result};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

/// Whether a multiplicative factor is shared by the whole vector or drawn per coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// One ζ for the whole vector: Q(v) = v(1 + ζ).
    PerVector,
    /// One ζ_i per coordinate: Q(v)_i = v_i(1 + ζ_i).
    PerCoordinate,
}

/// A quantizer acting on a vector.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Quantizer {
    /// Identity (full precision).
    None,
    /// Q(v) = v ∘ (1 + ζ), Var ζ = ε, unbiased.
    Multiplicative {
        /// Variance of ζ.
        eps: f64,
        /// One factor per vector or per coordinate.
        sharing: Sharing,
    },
    /// Q(v) = v + δ, Cov δ = εI, unbiased.
    Additive {
        /// Variance of each δ_i.
        eps: f64,
    },
    /// A b-bit integer grid.
    Int {
        /// Grid.
        grid: IntGrid,
        /// Rounding mode.
        rounding: Rounding,
    },
    /// A floating-point format applied to v/scale (then multiplied back by scale).
    Float {
        /// Format.
        format: FloatFormat,
        /// Rounding mode.
        rounding: Rounding,
        /// Pre-scale (loss-scaling style); 1 for none.
        scale: f64,
        /// Overflow behaviour.
        overflow: Overflow,
    },
}

impl Quantizer {
    /// Parses a spec: `none`, `mult:EPS` (= `mult-coord`), `mult-coord:EPS`, `mult-vec:EPS`,
    /// `add:EPS`, `intB` / `int:B` / `int:B:STEP`, or a float format name (`e2m1`, `e4m3`,
    /// `e5m2`, `fp16`, `bf16`, `eXmY`) optionally followed by `:SCALE`. A spec without `:EPS`
    /// for a noise model takes `default_eps`. `rounding` applies to the bit-level formats.
    pub fn parse(spec: &str, default_eps: Option<f64>, rounding: Rounding) -> Result<Self> {
        let spec = spec.trim();
        let (head, rest) = match spec.split_once(':') {
            Some((h, r)) => (h.to_ascii_lowercase(), Some(r)),
            None => (spec.to_ascii_lowercase(), None),
        };
        let eps_of = |rest: Option<&str>| -> Result<f64> {
            let v = match rest {
                Some(r) => r.trim().parse::<f64>().map_err(|_| {
                    Error::input(format!("noise level '{r}' in '{spec}' is not a number"))
                })?,
                None => default_eps.ok_or_else(|| {
                    Error::input(format!(
                        "noise model '{spec}' needs a level (e.g. {spec}:0.1 or --eps)"
                    ))
                })?,
            };
            error::non_negative("eps", v)
        };
        match head.as_str() {
            "none" | "fp64" | "full" => Ok(Quantizer::None),
            "mult" | "mult-coord" | "mult_coord" | "multc" => Ok(Quantizer::Multiplicative {
                eps: eps_of(rest)?,
                sharing: Sharing::PerCoordinate,
            }),
            "mult-vec" | "mult_vec" | "multv" => Ok(Quantizer::Multiplicative {
                eps: eps_of(rest)?,
                sharing: Sharing::PerVector,
            }),
            "add" | "additive" => Ok(Quantizer::Additive { eps: eps_of(rest)? }),
            h if h.starts_with("int") => {
                let (bits_s, step) = if h == "int" {
                    let r = rest.ok_or_else(|| {
                        Error::input(format!(
                            "integer spec '{spec}' needs bits, e.g. int8 or int:8"
                        ))
                    })?;
                    match r.split_once(':') {
                        Some((b, s)) => (b.to_string(), Some(s.to_string())),
                        None => (r.to_string(), None),
                    }
                } else {
                    (h[3..].to_string(), rest.map(str::to_string))
                };
                let bits: u32 = bits_s.trim().parse().map_err(|_| {
                    Error::input(format!(
                        "integer bits '{bits_s}' in '{spec}' is not a whole number"
                    ))
                })?;
                let scale = match step {
                    None => IntScale::Absmax,
                    Some(s) => IntScale::Fixed(s.trim().parse::<f64>().map_err(|_| {
                        Error::input(format!("integer step '{s}' in '{spec}' is not a number"))
                    })?),
                };
                Ok(Quantizer::Int {
                    grid: IntGrid::new(bits, scale)?,
                    rounding,
                })
            }
            _ => {
                let format = FloatFormat::by_name(&head)?;
                let scale = match rest {
                    None => 1.0,
                    Some(r) => r.trim().parse::<f64>().map_err(|_| {
                        Error::input(format!("format scale '{r}' in '{spec}' is not a number"))
                    })?,
                };
                error::positive("format scale", scale)?;
                Ok(Quantizer::Float {
                    format,
                    rounding,
                    scale,
                    overflow: Overflow::Saturate,
                })
            }
        }
    }

    /// True for the identity.
    pub fn is_none(&self) -> bool {
        matches!(self, Quantizer::None)
    }

    /// True for the abstract (unbiased, Gaussian) noise models and the identity: the ones the
    /// exact recursion covers.
    pub fn is_abstract(&self) -> bool {
        matches!(
            self,
            Quantizer::None | Quantizer::Multiplicative { .. } | Quantizer::Additive { .. }
        )
    }

    /// ε of the abstract models (0 for the identity and the formats).
    pub fn eps(&self) -> f64 {
        match self {
            Quantizer::Multiplicative { eps, .. } | Quantizer::Additive { eps } => *eps,
            _ => 0.0,
        }
    }

    /// (E ζ³, E ζ⁴) of the multiplicative factor or of each additive δ_i: Gaussian noise.
    pub fn zeta_moments(&self) -> (f64, f64) {
        let e = self.eps();
        (0.0, 3.0 * e * e)
    }

    /// A short human-readable label.
    pub fn label(&self) -> String {
        match self {
            Quantizer::None => "full".into(),
            Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerCoordinate,
            } => {
                format!("mult-coord:{eps}")
            }
            Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerVector,
            } => {
                format!("mult-vec:{eps}")
            }
            Quantizer::Additive { eps } => format!("add:{eps}"),
            Quantizer::Int { grid, rounding } => format!(
                "int{}{}{}",
                grid.bits,
                match grid.scale {
                    IntScale::Absmax => String::new(),
                    IntScale::Fixed(s) => format!(":{s}"),
                },
                if *rounding == Rounding::Stochastic {
                    "-sr"
                } else {
                    ""
                }
            ),
            Quantizer::Float {
                format, rounding, ..
            } => format!(
                "{}{}",
                format.name,
                if *rounding == Rounding::Stochastic {
                    "-sr"
                } else {
                    ""
                }
            ),
        }
    }

    /// Quantizes `v` in place.
    pub fn apply<R: Rng>(&self, v: &mut [f64], rng: &mut R) {
        match *self {
            Quantizer::None => {}
            Quantizer::Multiplicative { eps, sharing } => {
                if eps == 0.0 {
                    return;
                }
                let sd = eps.sqrt();
                match sharing {
                    Sharing::PerVector => {
                        let z: f64 = rng.sample(StandardNormal);
                        let f = 1.0 + sd * z;
                        v.iter_mut().for_each(|x| *x *= f);
                    }
                    Sharing::PerCoordinate => {
                        for x in v.iter_mut() {
                            let z: f64 = rng.sample(StandardNormal);
                            *x *= 1.0 + sd * z;
                        }
                    }
                }
            }
            Quantizer::Additive { eps } => {
                if eps == 0.0 {
                    return;
                }
                let sd = eps.sqrt();
                for x in v.iter_mut() {
                    let z: f64 = rng.sample(StandardNormal);
                    *x += sd * z;
                }
            }
            Quantizer::Int { grid, rounding } => {
                let absmax = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                let step = grid.step(absmax);
                for x in v.iter_mut() {
                    let u = if rounding == Rounding::Stochastic {
                        rng.random::<f64>()
                    } else {
                        0.0
                    };
                    *x = grid.round(*x, step, rounding, u);
                }
            }
            Quantizer::Float {
                format,
                rounding,
                scale,
                overflow,
            } => {
                for x in v.iter_mut() {
                    let u = if rounding == Rounding::Stochastic {
                        rng.random::<f64>()
                    } else {
                        0.0
                    };
                    *x = scale * format.round(*x / scale, rounding, overflow, u);
                }
            }
        }
    }

    /// Quantizes one scalar (a length-one vector).
    pub fn apply_scalar<R: Rng>(&self, x: f64, rng: &mut R) -> f64 {
        let mut v = [x];
        self.apply(&mut v, rng);
        v[0]
    }
}

/// The five quantization targets of the §7 update
/// `w_t = w_{t−1} + (γ/B) Q_d(X)ᵀ Q_o(Q_l(y) − Q_a(Q_d(X) Q_p(w)))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Targets {
    /// Q_d, applied to each sample x (a "vector" is one sample).
    pub data: Quantizer,
    /// Q_l, applied to the batch of labels (a "vector" is the batch).
    pub labels: Quantizer,
    /// Q_p, applied to the parameter vector in the forward pass.
    pub params: Quantizer,
    /// Q_a, applied to the batch of activations Q_d(X)Q_p(w).
    pub acts: Quantizer,
    /// Q_o, applied to the batch of output gradients (residuals).
    pub grads: Quantizer,
}

impl Default for Targets {
    fn default() -> Self {
        Targets::full()
    }
}

impl Targets {
    /// Full precision everywhere.
    pub fn full() -> Self {
        Targets {
            data: Quantizer::None,
            labels: Quantizer::None,
            params: Quantizer::None,
            acts: Quantizer::None,
            grads: Quantizer::None,
        }
    }

    /// The same quantizer on every target.
    pub fn all(q: Quantizer) -> Self {
        Targets {
            data: q,
            labels: q,
            params: q,
            acts: q,
            grads: q,
        }
    }

    /// Sets one target by name (`data`, `labels`, `params`, `acts`, `grads`, or `all`).
    pub fn set(&mut self, target: &str, q: Quantizer) -> Result<()> {
        match target.trim().to_ascii_lowercase().as_str() {
            "data" | "d" => self.data = q,
            "labels" | "label" | "l" => self.labels = q,
            "params" | "param" | "parameters" | "p" => self.params = q,
            "acts" | "act" | "activations" | "a" => self.acts = q,
            "grads" | "grad" | "output" | "gradients" | "o" => self.grads = q,
            "all" => *self = Targets::all(q),
            other => {
                return Err(Error::input(format!(
                    "unknown quantization target '{other}' (expected data, labels, params, acts, grads or all)"
                )))
            }
        }
        Ok(())
    }

    /// True when every target is an abstract noise model or the identity.
    pub fn all_abstract(&self) -> bool {
        [self.data, self.labels, self.params, self.acts, self.grads]
            .iter()
            .all(|q| q.is_abstract())
    }
}
