//! How a real number is mapped onto a level set or number grid: the one rounding enum of the
//! crate (QAT's forward pass, the low-precision formats, ASQ-style stochastic rounding).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Rounding onto a grid of levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// The nearest level (deterministic; biased for a given input).
    Nearest,
    /// Stochastic rounding between the two neighbouring levels, up with probability equal to
    /// the fractional distance (unbiased inside the range).
    Stochastic,
}

impl Rounding {
    /// Parses `nearest` (also `rtn`, `rn`) or `stochastic` (also `sr`), case-insensitively.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nearest" | "rtn" | "rn" => Ok(Rounding::Nearest),
            "stochastic" | "sr" => Ok(Rounding::Stochastic),
            _ => Err(Error::input(format!(
                "unknown rounding '{}' (expected nearest or stochastic)",
                s.trim()
            ))),
        }
    }
}

impl FromStr for Rounding {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Rounding::parse(s)
    }
}
