//! Unbiased stochastic rounding to a level set, and the error it causes.

use crate::error::{Error, Result};
use rand::Rng;

/// Index `k` of the bracket `levels[k] ≤ x ≤ levels[k + 1]`; `None` outside the levels' range.
#[inline]
fn bracket(levels: &[f64], x: f64) -> Option<usize> {
    let n = levels.len();
    if n < 2 || !(x >= levels[0] && x <= levels[n - 1]) {
        return None;
    }
    // First level strictly above x, less one; x equal to the top level uses the last bracket.
    let k = levels.partition_point(|&l| l <= x);
    Some(k.saturating_sub(1).min(n - 2))
}

fn check_levels(levels: &[f64]) -> Result<()> {
    if levels.len() < 2 {
        return Err(Error::input(format!(
            "stochastic rounding needs at least 2 levels, got {}",
            levels.len()
        )));
    }
    if let Some(w) = levels
        .windows(2)
        .find(|w| w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Less))
    {
        return Err(Error::input(format!(
            "levels must be finite and strictly increasing, got {} then {}",
            w[0], w[1]
        )));
    }
    if !levels[0].is_finite() || !levels[levels.len() - 1].is_finite() {
        return Err(Error::input("levels must be finite"));
    }
    Ok(())
}

fn outside(x: f64, levels: &[f64]) -> Error {
    Error::input(format!(
        "value {x} lies outside the levels' range [{}, {}]; unbiased rounding needs it inside",
        levels[0],
        levels[levels.len() - 1]
    ))
}

/// Rounds `x` to `b` with probability `(x − a)/(b − a)` and to `a` otherwise, where
/// `a ≤ x ≤ b` are neighbouring levels: `E[result] = x` and `Var = (b − x)(x − a)`.
pub fn round_one<R: Rng + ?Sized>(x: f64, levels: &[f64], rng: &mut R) -> Result<f64> {
    check_levels(levels)?;
    round_checked(x, levels, rng)
}

#[inline]
fn round_checked<R: Rng + ?Sized>(x: f64, levels: &[f64], rng: &mut R) -> Result<f64> {
    let k = bracket(levels, x).ok_or_else(|| outside(x, levels))?;
    let (a, b) = (levels[k], levels[k + 1]);
    let p = (x - a) / (b - a);
    // random::<f64>() is uniform on [0, 1): P(u < p) = p exactly, and p = 0 never rounds up.
    Ok(if rng.random::<f64>() < p { b } else { a })
}

/// Stochastically rounds every value of `x` (unbiased, independent draws from `rng`).
pub fn round_vec<R: Rng + ?Sized>(x: &[f64], levels: &[f64], rng: &mut R) -> Result<Vec<f64>> {
    check_levels(levels)?;
    x.iter().map(|&v| round_checked(v, levels, rng)).collect()
}

/// Streaming form of [`round_vec`]: an iterator adaptor that rounds values as they arrive,
/// holding nothing but the level set. Each item is `Err` for a value outside the levels.
pub struct Rounder<'a, I, R> {
    inner: I,
    levels: &'a [f64],
    rng: R,
}

impl<'a, I: Iterator<Item = f64>, R: Rng> Rounder<'a, I, R> {
    /// Wraps `values`; fails at once if `levels` is not a strictly increasing finite set of at
    /// least two.
    pub fn new(values: I, levels: &'a [f64], rng: R) -> Result<Self> {
        check_levels(levels)?;
        Ok(Rounder {
            inner: values,
            levels,
            rng,
        })
    }
}

impl<I: Iterator<Item = f64>, R: Rng> Iterator for Rounder<'_, I, R> {
    type Item = Result<f64>;
    fn next(&mut self) -> Option<Result<f64>> {
        let x = self.inner.next()?;
        Some(round_checked(x, self.levels, &mut self.rng))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

/// Expected squared error of stochastic rounding, `Σ_i w_i (b_i − x_i)(x_i − a_i)` (weights
/// 1 when `weights` is `None`). `x` need not be sorted.
pub fn variance_sum(x: &[f64], weights: Option<&[f64]>, levels: &[f64]) -> Result<f64> {
    check_levels(levels)?;
    let mut sum = 0.0;
    for (i, &v) in x.iter().enumerate() {
        let k = bracket(levels, v).ok_or_else(|| outside(v, levels))?;
        let w = weights.map_or(1.0, |w| w[i]);
        sum += w * (levels[k + 1] - v) * (v - levels[k]);
    }
    Ok(sum)
}

/// Worst single term, `max_i w_i (b_i − x_i)(x_i − a_i)`.
pub fn variance_max(x: &[f64], weights: Option<&[f64]>, levels: &[f64]) -> Result<f64> {
    check_levels(levels)?;
    let mut worst = 0.0f64;
    for (i, &v) in x.iter().enumerate() {
        let k = bracket(levels, v).ok_or_else(|| outside(v, levels))?;
        let w = weights.map_or(1.0, |w| w[i]);
        worst = worst.max(w * (levels[k + 1] - v) * (v - levels[k]));
    }
    Ok(worst)
}

/// vNMSE: the expected squared error of unbiased stochastic rounding over `‖x‖²`
/// (`Σ (b − x)(x − a) / Σ x²`); infinite for the zero vector.
pub fn vnmse(x: &[f64], levels: &[f64]) -> Result<f64> {
    let err = variance_sum(x, None, levels)?;
    let norm: f64 = x.iter().map(|v| v * v).sum();
    Ok(if norm > 0.0 {
        err / norm
    } else {
        f64::INFINITY
    })
}
