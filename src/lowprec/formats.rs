//! Bit-level number formats: a b-bit integer grid with a scale, and binary floating point with
//! `e` exponent and `m` mantissa bits (FP4 E2M1, FP8 E4M3/E5M2, FP16, BF16), each with
//! round-to-nearest (ties to even) or stochastic rounding, plus a routine that measures a
//! format's conditional mean and variance.
//!
//! Every computation is done in `f64`: the formats here have at most 8 exponent and 10 mantissa
//! bits, so `x / ulp` and `k * ulp` (scaling by a power of two) are exact and the rounding
//! decision is the only inexact step, exactly as in hardware.

use crate::error::{Error, Result};
use rand::Rng;
use serde::Serialize;

/// How a real number is mapped onto the grid: the crate's one rounding enum (`Nearest` rounds
/// to the nearest grid point, ties to even, here).
pub use crate::model::rounding::Rounding;

/// What happens to a value beyond the largest finite number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// Clamp to ±max finite (the usual ML conversion mode; also the only option without ±inf).
    Saturate,
    /// IEEE behaviour: ±inf, or NaN for formats without infinities (E4M3).
    Infinity,
}

/// A binary floating-point format with subnormals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FloatFormat {
    /// Short name (`e4m3`, ...).
    pub name: &'static str,
    /// Exponent bits.
    pub exp_bits: u32,
    /// Explicit mantissa (fraction) bits.
    pub man_bits: u32,
    /// Exponent bias.
    pub bias: i32,
    /// Largest finite magnitude.
    pub max_finite: f64,
    /// Whether the format has ±infinity.
    pub has_inf: bool,
}

/// 2^k, exact for every k the formats here use.
fn pow2(k: i32) -> f64 {
    2f64.powi(k)
}

/// floor(log2 a) for a finite positive `a`, read from the bits so that it is exact.
fn floor_log2(a: f64) -> i32 {
    let bits = a.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32;
    if e == 0 {
        // f64 subnormal: far below every format's smallest subnormal, any small value works.
        -1075
    } else {
        e - 1023
    }
}

impl FloatFormat {
    /// FP4 E2M1 (OCP MX): values ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}, no inf/NaN.
    pub const E2M1: FloatFormat = FloatFormat {
        name: "e2m1",
        exp_bits: 2,
        man_bits: 1,
        bias: 1,
        max_finite: 6.0,
        has_inf: false,
    };
    /// FP8 E4M3 (OCP): max 448, no infinities (S.1111.111 is NaN).
    pub const E4M3: FloatFormat = FloatFormat {
        name: "e4m3",
        exp_bits: 4,
        man_bits: 3,
        bias: 7,
        max_finite: 448.0,
        has_inf: false,
    };
    /// FP8 E5M2: IEEE-like, max 57344.
    pub const E5M2: FloatFormat = FloatFormat {
        name: "e5m2",
        exp_bits: 5,
        man_bits: 2,
        bias: 15,
        max_finite: 57344.0,
        has_inf: true,
    };
    /// IEEE binary16: max 65504.
    pub const FP16: FloatFormat = FloatFormat {
        name: "fp16",
        exp_bits: 5,
        man_bits: 10,
        bias: 15,
        max_finite: 65504.0,
        has_inf: true,
    };
    /// bfloat16: 8 exponent bits, 7 mantissa bits.
    pub const BF16: FloatFormat = FloatFormat {
        name: "bf16",
        exp_bits: 8,
        man_bits: 7,
        bias: 127,
        max_finite: 3.389_531_389_251_535_5e38,
        has_inf: true,
    };

    /// A generic IEEE-like format (top exponent reserved for inf/NaN) with `e` exponent and `m`
    /// mantissa bits.
    pub fn ieee_like(exp_bits: u32, man_bits: u32) -> Result<Self> {
        if !(2..=11).contains(&exp_bits) || !(1..=52).contains(&man_bits) {
            return Err(Error::input(format!(
                "float format needs 2..=11 exponent and 1..=52 mantissa bits, got e{exp_bits}m{man_bits}"
            )));
        }
        let bias = (1i32 << (exp_bits - 1)) - 1;
        let emax = ((1i32 << exp_bits) - 2) - bias;
        let max_finite = (2.0 - pow2(-(man_bits as i32))) * pow2(emax);
        Ok(FloatFormat {
            name: "custom",
            exp_bits,
            man_bits,
            bias,
            max_finite,
            has_inf: true,
        })
    }

    /// Looks a format up by name (`e2m1`/`fp4`, `e4m3`/`fp8`, `e5m2`, `fp16`, `bf16`) or
    /// `eXmY` for a generic IEEE-like format.
    pub fn by_name(name: &str) -> Result<Self> {
        let n = name.to_ascii_lowercase();
        match n.as_str() {
            "e2m1" | "fp4" => Ok(Self::E2M1),
            "e4m3" | "fp8" => Ok(Self::E4M3),
            "e5m2" => Ok(Self::E5M2),
            "fp16" | "half" | "e5m10" => Ok(Self::FP16),
            "bf16" | "bfloat16" | "e8m7" => Ok(Self::BF16),
            _ => {
                let parsed = n.strip_prefix('e').and_then(|r| {
                    let (e, m) = r.split_once('m')?;
                    Some((e.parse::<u32>().ok()?, m.parse::<u32>().ok()?))
                });
                match parsed {
                    Some((e, m)) => Self::ieee_like(e, m),
                    None => Err(Error::input(format!(
                        "unknown number format '{name}' (expected e2m1, e4m3, e5m2, fp16, bf16 or eXmY)"
                    ))),
                }
            }
        }
    }

    /// Smallest positive normal number, 2^(1−bias).
    pub fn min_normal(&self) -> f64 {
        pow2(1 - self.bias)
    }

    /// Smallest positive subnormal number, 2^(1−bias−m).
    pub fn min_subnormal(&self) -> f64 {
        pow2(1 - self.bias - self.man_bits as i32)
    }

    /// Spacing of the grid just above 1, 2^−m (machine epsilon).
    pub fn epsilon(&self) -> f64 {
        pow2(-(self.man_bits as i32))
    }

    /// Rounds `x` onto the format. `u` is a uniform number in [0, 1) used only by stochastic
    /// rounding (passing it in keeps this function pure and testable).
    pub fn round(&self, x: f64, rounding: Rounding, overflow: Overflow, u: f64) -> f64 {
        if x.is_nan() {
            return x;
        }
        if x == 0.0 {
            return 0.0;
        }
        let sign = x.signum();
        let a = x.abs();
        let q = if a.is_infinite() {
            f64::INFINITY
        } else {
            // Below the normal range the spacing stays at the subnormal spacing.
            let e = floor_log2(a).max(1 - self.bias);
            let ulp = pow2(e - self.man_bits as i32);
            let t = a / ulp;
            let k = match rounding {
                Rounding::Nearest => t.round_ties_even(),
                Rounding::Stochastic => {
                    let f = t.floor();
                    if u < t - f {
                        f + 1.0
                    } else {
                        f
                    }
                }
            };
            k * ulp
        };
        let q = if q > self.max_finite {
            match overflow {
                Overflow::Saturate => self.max_finite,
                Overflow::Infinity if self.has_inf => f64::INFINITY,
                Overflow::Infinity => f64::NAN,
            }
        } else {
            q
        };
        sign * q
    }
}

/// How the step of an integer grid is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntScale {
    /// Per vector: step = max|v| / (2^(b−1) − 1), so the largest entry is exactly representable.
    Absmax,
    /// A fixed step.
    Fixed(f64),
}

/// A symmetric signed b-bit integer grid {−L, …, L}·step with L = 2^(b−1) − 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntGrid {
    /// Bits (2..=24).
    pub bits: u32,
    /// Step rule.
    pub scale: IntScale,
}

impl IntGrid {
    /// Checks the bit count and a fixed step.
    pub fn new(bits: u32, scale: IntScale) -> Result<Self> {
        if !(2..=24).contains(&bits) {
            return Err(Error::input(format!(
                "integer grid needs 2..=24 bits, got {bits}"
            )));
        }
        if let IntScale::Fixed(s) = scale {
            crate::error::positive("integer grid step", s)?;
        }
        Ok(IntGrid { bits, scale })
    }

    /// Largest level L = 2^(b−1) − 1.
    pub fn levels(&self) -> f64 {
        ((1u64 << (self.bits - 1)) - 1) as f64
    }

    /// The step for a vector whose largest magnitude is `absmax`.
    pub fn step(&self, absmax: f64) -> f64 {
        match self.scale {
            IntScale::Absmax => absmax / self.levels(),
            IntScale::Fixed(s) => s,
        }
    }

    /// Rounds `x` with grid step `step` (values beyond ±L·step saturate).
    pub fn round(&self, x: f64, step: f64, rounding: Rounding, u: f64) -> f64 {
        if !x.is_finite() || step <= 0.0 || !step.is_finite() {
            return if step == 0.0 { 0.0 } else { x };
        }
        let t = x / step;
        let k = match rounding {
            Rounding::Nearest => t.round_ties_even(),
            Rounding::Stochastic => {
                let f = t.floor();
                if u < t - f {
                    f + 1.0
                } else {
                    f
                }
            }
        };
        let l = self.levels();
        k.clamp(-l, l) * step
    }
}

/// Measured conditional moments of a scalar quantizer at one input.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ConditionalMoments {
    /// The input x.
    pub x: f64,
    /// E[Q(x)].
    pub mean: f64,
    /// Var[Q(x)].
    pub var: f64,
    /// (E[Q(x)] − x)/x: relative bias (a shrinkage factor q = 1 + rel_bias).
    pub rel_bias: f64,
    /// Var[Q(x)]/x² plus squared relative bias: the effective multiplicative ε at x.
    pub rel_mse: f64,
}

/// Measures E[Q(x)] and Var[Q(x)] of `q` at each input by `reps` independent draws.
/// Deterministic rounding gives zero variance and a nonzero bias; stochastic rounding the
/// reverse. `q` receives the input and a uniform number in [0, 1).
pub fn conditional_moments<R: Rng>(
    q: impl Fn(f64, f64) -> f64,
    xs: &[f64],
    reps: usize,
    rng: &mut R,
) -> Vec<ConditionalMoments> {
    xs.iter()
        .map(|&x| {
            let (mut s, mut s2) = (0.0, 0.0);
            for _ in 0..reps.max(1) {
                let v = q(x, rng.random::<f64>());
                s += v;
                s2 += v * v;
            }
            let n = reps.max(1) as f64;
            let mean = s / n;
            let var = (s2 / n - mean * mean).max(0.0);
            let rel_bias = if x != 0.0 { (mean - x) / x } else { 0.0 };
            let rel_mse = if x != 0.0 {
                var / (x * x) + rel_bias * rel_bias
            } else {
                0.0
            };
            ConditionalMoments {
                x,
                mean,
                var,
                rel_bias,
                rel_mse,
            }
        })
        .collect()
}
