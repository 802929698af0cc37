//! Parsing level-set and teacher specifications (`--levels`, `--teacher`) into model pieces.

use super::levels::{LevelSet, Student};
use super::teacher::TeacherPrior;
use crate::error::{Error, Result};
use serde::Serialize;
use std::str::FromStr;

/// Which kind of level set to build.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LevelKind {
    /// Uniform mid-rise, `2^b` levels on `[−ω, ω]`.
    Uniform,
    /// Mid-tread, `2^b − 1` levels including 0.
    Midtread,
    /// Lloyd–Max levels (MSE-optimal) for the teacher prior, `2^b` levels.
    LloydMax,
    /// Prior quantiles at `(k − ½)/K`, `2^b` levels.
    Quantile,
    /// Power-of-two grid `±ω 2^{−j}`.
    Pow2,
    /// Unquantized student.
    Continuous,
    /// User-given levels.
    Custom(Vec<f64>),
    /// `S` levels from adaptive stochastic quantization of samples of the teacher prior.
    Asq(usize),
}

impl FromStr for LevelKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        Ok(match t {
            "uniform" => LevelKind::Uniform,
            "midtread" => LevelKind::Midtread,
            "lloyd-max" | "lloydmax" => LevelKind::LloydMax,
            "quantile" => LevelKind::Quantile,
            "pow2" => LevelKind::Pow2,
            "continuous" => LevelKind::Continuous,
            _ => {
                if let Some(rest) = t.strip_prefix("custom:") {
                    LevelKind::Custom(parse_list(rest, "custom level")?)
                } else if let Some(rest) = t.strip_prefix("asq:") {
                    let n: usize = rest.trim().parse().map_err(|_| {
                        Error::input(format!("asq level count '{rest}' is not a whole number"))
                    })?;
                    if n < 2 {
                        return Err(Error::input(format!(
                            "asq needs at least 2 levels, got {n}"
                        )));
                    }
                    LevelKind::Asq(n)
                } else if t.is_empty() {
                    return Err(Error::input("empty level spec"));
                } else {
                    return Err(Error::input(format!(
                        "unknown level spec '{t}' (expected uniform, midtread, lloyd-max, quantile, pow2, continuous, custom:v1,v2,..., asq:S)"
                    )));
                }
            }
        })
    }
}

/// Parses a comma-separated list of finite numbers.
pub fn parse_list(s: &str, what: &str) -> Result<Vec<f64>> {
    if s.trim().is_empty() {
        return Err(Error::input(format!("empty {what} list")));
    }
    s.split(',')
        .map(|x| {
            let x = x.trim();
            match x.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(Error::input(format!("{what} '{x}' is not a finite number"))),
            }
        })
        .collect()
}

impl LevelKind {
    /// Whether the kind uses the width ω.
    pub fn uses_width(&self) -> bool {
        matches!(
            self,
            LevelKind::Uniform | LevelKind::Midtread | LevelKind::Pow2
        )
    }

    /// Whether the kind uses the bit count b.
    pub fn uses_bits(&self) -> bool {
        matches!(
            self,
            LevelKind::Uniform
                | LevelKind::Midtread
                | LevelKind::Pow2
                | LevelKind::LloydMax
                | LevelKind::Quantile
        )
    }

    /// Builds the student for `bits`, `width` (when used) and the teacher (for prior-adapted
    /// kinds), with optional level weights π.
    pub fn build(
        &self,
        bits: u32,
        width: f64,
        teacher: &TeacherPrior,
        weights: Option<Vec<f64>>,
    ) -> Result<Student> {
        let set = match self {
            LevelKind::Continuous => {
                if weights.is_some() {
                    return Err(Error::input("level weights need a discrete level set"));
                }
                return Ok(Student::Continuous);
            }
            LevelKind::Uniform => LevelSet::uniform(bits, width)?,
            LevelKind::Midtread => LevelSet::midtread(bits, width)?,
            LevelKind::Pow2 => LevelSet::pow2(bits, width)?,
            LevelKind::LloydMax => lloyd_max(bits, teacher)?,
            LevelKind::Quantile => quantile_levels(bits, teacher)?,
            LevelKind::Custom(v) => LevelSet::new(v.clone(), None)?,
            LevelKind::Asq(n) => asq_levels(*n, teacher)?,
        };
        let set = match weights {
            None => set,
            Some(w) => LevelSet::new(set.values().to_vec(), Some(w))?,
        };
        Ok(Student::Discrete(set))
    }
}

fn bits_count(bits: u32) -> Result<usize> {
    if bits == 0 || bits > 16 {
        return Err(Error::input(format!(
            "bits must be between 1 and 16, got {bits}"
        )));
    }
    Ok(1usize << bits)
}

/// Lloyd–Max quantizer of the teacher prior with `2^bits` levels (Lloyd's iteration from the
/// prior quantiles, to a relative change below 1e-13).
pub fn lloyd_max(bits: u32, teacher: &TeacherPrior) -> Result<LevelSet> {
    let k = bits_count(bits)?;
    let mut s = quantile_levels(bits, teacher)?.values().to_vec();
    for _ in 0..100_000 {
        let mut next = s.clone();
        for i in 0..k {
            let a = if i == 0 {
                f64::NEG_INFINITY
            } else {
                0.5 * (s[i - 1] + s[i])
            };
            let b = if i + 1 == k {
                f64::INFINITY
            } else {
                0.5 * (s[i] + s[i + 1])
            };
            let (first, prob) = teacher.cell_moments(a, b);
            if prob > 0.0 {
                next[i] = first / prob;
            }
        }
        let change = s
            .iter()
            .zip(&next)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        s = next;
        if change < 1e-13 * teacher.second_moment().sqrt() {
            break;
        }
    }
    LevelSet::new(s, None).map_err(|_| {
        Error::input(format!(
            "lloyd-max with {k} levels is degenerate for teacher {}",
            teacher.name
        ))
    })
}

/// Prior quantiles at `(k − ½)/K`, `K = 2^bits`.
pub fn quantile_levels(bits: u32, teacher: &TeacherPrior) -> Result<LevelSet> {
    let k = bits_count(bits)?;
    let v: Vec<f64> = (0..k)
        .map(|i| teacher.quantile((i as f64 + 0.5) / k as f64))
        .collect();
    LevelSet::new(v, None).map_err(|_| {
        Error::input(format!(
            "quantile levels with {k} levels coincide for teacher {} (use fewer bits)",
            teacher.name
        ))
    })
}

/// `n` levels from adaptive stochastic quantization of a fixed sample of the teacher prior.
pub fn asq_levels(n: usize, teacher: &TeacherPrior) -> Result<LevelSet> {
    use rand::SeedableRng;
    // A fixed seed and a large sample make the levels a deterministic function of the prior.
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0x5eed_a5c0);
    let samples: Vec<f64> = (0..1usize << 16)
        .map(|_| teacher.sample(&mut rng))
        .collect();
    let v = crate::asq::levels_from_samples(&samples, n)?;
    LevelSet::new(v, None)
}

/// Parses `--teacher gaussian|binary|discrete:v1,v2,...|sparse:F` with variance `rho` and optional
/// probabilities for the discrete teacher.
pub fn parse_teacher(spec: &str, rho: f64, probs: Option<&[f64]>) -> Result<TeacherPrior> {
    let t = spec.trim();
    if probs.is_some() && !t.starts_with("discrete:") {
        return Err(Error::input(
            "--teacher-probs needs a discrete:v1,v2,... teacher",
        ));
    }
    match t {
        "gaussian" => TeacherPrior::gaussian(rho),
        "binary" => TeacherPrior::binary(rho),
        _ => {
            if let Some(rest) = t.strip_prefix("discrete:") {
                TeacherPrior::discrete(&parse_list(rest, "teacher value")?, probs)
            } else if let Some(rest) = t.strip_prefix("sparse:") {
                let f: f64 = rest.trim().parse().map_err(|_| {
                    Error::input(format!("sparse teacher density '{rest}' is not a number"))
                })?;
                TeacherPrior::sparse(f, rho)
            } else {
                Err(Error::input(format!(
                    "unknown teacher '{t}' (expected gaussian, binary, discrete:v1,v2,..., sparse:F)"
                )))
            }
        }
    }
}
