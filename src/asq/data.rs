//! Input values: synthetic draws and files (text or NumPy `.npy`).

use crate::error::{Error, Result};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp, LogNormal, Normal, Weibull};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::Path;

/// Synthetic value distributions of the `asq` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dist {
    /// LogNormal(μ = 0, σ = 1), the benchmark workload.
    LogNormal,
    /// Standard normal.
    Normal,
    /// Exponential with rate 1.
    Exponential,
    /// Standard normal truncated to [−2, 2].
    TruncNorm,
    /// Weibull with scale 1 and shape 1.5.
    Weibull,
}

impl Dist {
    /// Parses a name (`lognormal`, `normal`, `exponential`, `truncnorm`, `weibull`).
    pub fn parse(name: &str) -> Result<Dist> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "lognormal" => Dist::LogNormal,
            "normal" => Dist::Normal,
            "exponential" => Dist::Exponential,
            "truncnorm" => Dist::TruncNorm,
            "weibull" => Dist::Weibull,
            _ => {
                return Err(Error::input(format!(
                    "unknown distribution '{name}' (expected lognormal, normal, exponential, \
                     truncnorm or weibull)"
                )))
            }
        })
    }
}

/// `d` independent draws from `dist`, the same for a seed on every machine and thread count.
pub fn sample(dist: Dist, d: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    // The parameters are constants that the constructors accept.
    let normal = Normal::new(0.0, 1.0).expect("valid normal");
    match dist {
        Dist::LogNormal => {
            let ln = LogNormal::new(0.0, 1.0).expect("valid lognormal");
            (0..d).map(|_| ln.sample(&mut rng)).collect()
        }
        Dist::Normal => (0..d).map(|_| normal.sample(&mut rng)).collect(),
        Dist::Exponential => {
            let e = Exp::new(1.0).expect("valid exponential");
            (0..d).map(|_| e.sample(&mut rng)).collect()
        }
        Dist::TruncNorm => (0..d)
            .map(|_| loop {
                // Rejection keeps 95% of draws.
                let v: f64 = normal.sample(&mut rng);
                if v.abs() <= 2.0 {
                    break v;
                }
            })
            .collect(),
        Dist::Weibull => {
            let w = Weibull::new(1.0, 1.5).expect("valid weibull");
            (0..d).map(|_| w.sample(&mut rng)).collect()
        }
    }
}

/// Reads values from a file: NumPy `.npy` (little-endian float64, 1-D), or text with numbers
/// separated by whitespace, commas or newlines (`#` starts a comment line). Every value must be
/// finite; errors name the file and the bad token.
pub fn read_values(path: &Path) -> Result<Vec<f64>> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| Error::input(format!("cannot read input file '{shown}': {e}")))?;
    values_from_bytes(&bytes, &shown.to_string())
}

/// [`read_values`] on a file's bytes; `shown` names the file in errors. The fuzz target
/// `asq_values` and the corpus replay test call this entry point.
pub fn values_from_bytes(bytes: &[u8], shown: &str) -> Result<Vec<f64>> {
    let values = if bytes.starts_with(b"\x93NUMPY") {
        parse_npy(bytes).map_err(|m| Error::input(format!("input file '{shown}': {m}")))?
    } else {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::input(format!("input file '{shown}' is neither text nor .npy")))?;
        parse_text(text).map_err(|m| Error::input(format!("input file '{shown}': {m}")))?
    };
    if values.is_empty() {
        return Err(Error::input(format!(
            "input file '{shown}' holds no values"
        )));
    }
    Ok(values)
}

fn parse_text(text: &str) -> std::result::Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for (ln, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for tok in line
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            let v: f64 = tok
                .parse()
                .map_err(|_| format!("'{tok}' on line {} is not a number", ln + 1))?;
            if !v.is_finite() {
                return Err(format!("value '{tok}' on line {} is not finite", ln + 1));
            }
            out.push(v);
        }
    }
    Ok(out)
}

fn parse_npy(b: &[u8]) -> std::result::Result<Vec<f64>, String> {
    let bad = || "malformed .npy header".to_string();
    let major = *b.get(6).ok_or_else(bad)?;
    let (hlen, start) = match major {
        1 if b.len() >= 10 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
        2 | 3 if b.len() >= 12 => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        1..=3 => return Err(bad()),
        _ => return Err(format!("unsupported .npy version {major}")),
    };
    let header = b.get(start..start + hlen).ok_or_else(bad)?;
    let header = std::str::from_utf8(header).map_err(|_| bad())?;
    let compact: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    // float32 arrays are widened exactly (the radix sort, the fallback on CPUs without
    // AVX-512, then takes its 32-bit key path).
    let wide = if compact.contains("'descr':'<f8'") || compact.contains("'descr':'float64'") {
        true
    } else if compact.contains("'descr':'<f4'") || compact.contains("'descr':'float32'") {
        false
    } else {
        return Err(
            "only little-endian float64 ('<f8') or float32 ('<f4') .npy arrays are supported"
                .into(),
        );
    };
    let size = if wide { 8 } else { 4 };
    if compact.contains("'fortran_order':True") {
        return Err("Fortran-ordered .npy arrays are not supported".into());
    }
    let shape = compact
        .split("'shape':(")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .ok_or_else(bad)?;
    let dims: Vec<&str> = shape.split(',').filter(|t| !t.is_empty()).collect();
    if dims.len() != 1 {
        return Err(format!("expected a 1-D array, got shape ({shape})"));
    }
    let n: usize = dims[0].parse().map_err(|_| bad())?;
    let data = &b[start + hlen..];
    if n.checked_mul(size).is_none_or(|need| data.len() < need) {
        return Err(format!(
            "truncated: {n} values announced, {} bytes",
            data.len()
        ));
    }
    let out: Vec<f64> = if wide {
        data[..8 * n]
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect()
    } else {
        data[..4 * n]
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect()
    };
    if let Some((i, v)) = out.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(format!("value #{} is not finite: {v}", i + 1));
    }
    Ok(out)
}
