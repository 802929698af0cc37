//! Adaptive stochastic quantization (ASQ; THEORY §8, seed 004, issue 6).
//!
//! Given values `x` (and optional weights `w`, e.g. `w_i = E[y_i²]` for the average-case
//! inner-product objective), choose `s` levels, the smallest and largest value among them, that
//! minimise the variance of unbiased stochastic rounding, `Σ_i w_i (b_i − x_i)(x_i − a_i)`, or
//! its worst term. Optimal levels for the sum lie on data points.
//!
//! * [`exact_levels`]: exact levels on sorted data by the fastest exact solver,
//!   [`exact_lagrange`] (penalty per level; its cost barely grows with `s`; docs/asq.md).
//! * References, each exact and independent: [`exact_dp`], the layered DP (prefix sums make an
//!   interval's cost O(1)), each layer's row minima by a divide-and-conquer scan bounded by
//!   Knuth's `opt_{t−1}(i) ≤ opt_t(i)`; [`exact_smawk`], the same layers with SMAWK (O(s·d)
//!   evaluations); [`exact_smawk2`], two levels per step (unit weights).
//! * [`sort_values`], [`sorted`], [`sort_with_weights`]: sort of the input (AVX-512
//!   quicksort where the CPU has it, radix sort otherwise).
//! * [`approx_levels`]: levels on an `m`-bin grid, O(d + m·s), no sort, with an error bound.
//! * [`worst_levels`]: minimises `max_i w_i (b_i − x_i)(x_i − a_i)`.
//! * [`levels_from_samples`]: the entry point for the replica solver's `--levels asq:S`.
//! * [`round_vec`], [`Rounder`], [`vnmse`]: the rounding itself.
//! * [`report::run`]: one whole job (check, sort, levels, measures) as `asq --json` and
//!   `qr.asq` run it.

mod approx;
mod data;
mod dp;
mod exact;
mod few;
mod lagrange;
mod monotone;
mod prefix;
pub mod report;
mod rounding;
mod smawk;
mod sort;
mod worst;

pub use approx::{approx_levels, Approx};
pub use data::{read_values, sample, values_from_bytes, Dist};
pub use exact::{exact_dp, exact_levels, exact_smawk, exact_smawk2};
pub use lagrange::exact_lagrange;
pub use rounding::{round_one, round_vec, variance_max, variance_sum, vnmse, Rounder};
#[doc(hidden)]
pub use sort::{sort_uses_avx512, sort_values_radix, sort_with_weights_radix};
pub use sort::{sort_values, sort_with_weights, sorted};
pub use worst::worst_levels;

use crate::error::{Error, Result};

/// `s` optimal levels (sorted, distinct, including the minimum and maximum) for the samples,
/// by exact ASQ with unit weights. The samples need not be sorted.
pub fn levels_from_samples(samples: &[f64], s: usize) -> Result<Vec<f64>> {
    check_values("sample", samples)?;
    let mut x = samples.to_vec();
    sort_values(&mut x);
    exact_levels(&x, None, s)
}

/// Checks that `x` is non-empty and finite, naming the first bad value (`what` names the
/// values in the message).
pub fn check_values(what: &str, x: &[f64]) -> Result<()> {
    if x.is_empty() {
        return Err(Error::input(format!(
            "no {what} values: the input is empty"
        )));
    }
    if x.len() > u32::MAX as usize - 1 {
        return Err(Error::input(format!("too many {what} values: {}", x.len())));
    }
    if let Some((i, v)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::input(format!(
            "{what} value #{} is not finite: {v}",
            i + 1
        )));
    }
    Ok(())
}

/// Checks weights: one per value, finite, non-negative, not all zero.
pub fn check_weights(w: &[f64], n: usize) -> Result<()> {
    if w.len() != n {
        return Err(Error::input(format!(
            "{} weights for {n} values: need one weight per value",
            w.len()
        )));
    }
    // One branch-free pass in independent lanes (it vectorises): `v·0` is NaN exactly for
    // non-finite v, the lane minima catch a negative weight and the maxima an all-zero set.
    // Only when something is wrong does the slow scan run, to name the first bad weight.
    let mut bad = [0.0f64; 4];
    let mut lo = [f64::INFINITY; 4];
    let mut hi = [0.0f64; 4];
    let mut chunks = w.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            bad[k] += c[k] * 0.0;
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
        }
    }
    for &v in chunks.remainder() {
        bad[0] += v * 0.0;
        lo[0] = lo[0].min(v);
        hi[0] = hi[0].max(v);
    }
    let bad: f64 = bad.iter().sum();
    let lo = lo.into_iter().fold(f64::INFINITY, f64::min);
    let hi = hi.into_iter().fold(0.0, f64::max);
    if bad == 0.0 && lo >= 0.0 && hi > 0.0 {
        return Ok(());
    }
    if let Some((i, v)) = w
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(Error::input(format!(
            "weight #{} must be finite and non-negative, got {v}",
            i + 1
        )));
    }
    Err(Error::input("all weights are zero"))
}

/// Checks `2 ≤ s ≤ distinct`.
pub(crate) fn check_s(s: usize, distinct: usize) -> Result<()> {
    if s < 2 {
        return Err(Error::input(format!(
            "s = {s}: need at least 2 levels (the minimum and the maximum)"
        )));
    }
    if s > distinct {
        return Err(Error::input(format!(
            "s = {s} exceeds the number of distinct values ({distinct})"
        )));
    }
    Ok(())
}

/// Validates sorted input: finite, sorted, weights fit, `s` admissible. Returns the number of
/// distinct values. One pass over `x` when the input is good (the flags of every check at
/// once); the messages, which name the first bad value, come from a second look only on error,
/// in the same order as the separate checks (non-finite, weights, order, `s`).
pub(crate) fn check_sorted(x: &[f64], w: Option<&[f64]>, s: usize) -> Result<usize> {
    if x.is_empty() || x.len() > u32::MAX as usize - 1 {
        check_values("input", x)?;
    }
    let (mut finite, mut ordered, mut distinct) = (x[0].is_finite(), true, 1usize);
    for p in x.windows(2) {
        finite &= p[1].is_finite();
        ordered &= p[0] <= p[1];
        distinct += usize::from(p[0] != p[1]);
    }
    if !finite {
        check_values("input", x)?;
    }
    if let Some(w) = w {
        check_weights(w, x.len())?;
    }
    if !ordered {
        let i = x
            .windows(2)
            .position(|p| p[0] > p[1])
            .expect("a descent exists when not ordered (values finite)");
        return Err(Error::input(format!(
            "input must be sorted: value #{} ({}) is above the next ({})",
            i + 1,
            x[i],
            x[i + 1]
        )));
    }
    check_s(s, distinct)?;
    Ok(distinct)
}

/// Counts distinct values up to `cap` without sorting (stops early once `cap` are seen).
pub(crate) fn distinct_up_to(x: &[f64], cap: usize) -> usize {
    let mut seen = std::collections::HashSet::new();
    for v in x {
        // +0 and −0 are the same level.
        seen.insert(if *v == 0.0 { 0u64 } else { v.to_bits() });
        if seen.len() >= cap {
            break;
        }
    }
    seen.len()
}

/// Merges equal sorted values into one point carrying their summed weight (`combine` says how
/// weights of equal values merge: sum for the variance, max for the worst case).
pub(crate) fn compress(
    x: &[f64],
    w: Option<&[f64]>,
    combine: fn(f64, f64) -> f64,
) -> (Vec<f64>, Vec<f64>) {
    let mut xs: Vec<f64> = Vec::new();
    let mut ws: Vec<f64> = Vec::new();
    for (i, &v) in x.iter().enumerate() {
        let wi = w.map_or(1.0, |w| w[i]);
        match xs.last() {
            Some(&last) if last == v => {
                let k = ws.len() - 1;
                ws[k] = combine(ws[k], wi);
            }
            _ => {
                xs.push(v);
                ws.push(wi);
            }
        }
    }
    (xs, ws)
}
