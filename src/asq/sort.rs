//! Sorting the values (and values with their weights) before the exact solvers.
//!
//! Radix sort on the ordered bit pattern of `f64` (the `rdst` crate with its single-threaded
//! tuner, on one thread): the result is exactly `sort_unstable_by(f64::total_cmp)` (−0 before
//! +0, infinities at the ends), at several times the speed of a comparison sort (docs/asq.md).
//! rdst's default (multi-threaded tuner on the rayon pool) costs 1.2–1.6× the CPU time of
//! the single-threaded one at d = 2^20–2^22 (docs/asq.md, "The sort"); the sorted output is
//! unique, so it does not depend on the thread count either way.

use super::check_values;
use crate::error::Result;
use rdst::{RadixKey, RadixSort};

/// The bits of `v` as an unsigned integer in the order of [`f64::total_cmp`].
#[inline(always)]
fn ordered(v: f64) -> u64 {
    let b = v.to_bits();
    // Negative values: flip every bit (larger magnitude sorts lower); positive: flip the sign.
    b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
}

/// A value with its weight, ordered by value, then by weight (so that runs of equal values
/// come out in one order whatever the input order and thread count, and their weights are
/// later summed in that order).
#[derive(Debug, Clone, Copy, Default)]
struct Pair {
    x: f64,
    w: f64,
}

impl RadixKey for Pair {
    const LEVELS: usize = 8;
    #[inline(always)]
    fn get_level(&self, level: usize) -> u8 {
        (ordered(self.x) >> (8 * level)) as u8
    }
}

/// Sorts `x` in the order of [`f64::total_cmp`], the same result as
/// `x.sort_unstable_by(f64::total_cmp)` (NaNs included: negative NaNs first, positive last).
pub fn sort_values(x: &mut [f64]) {
    single_threaded(x);
}

/// rdst with its single-threaded tuner and no parallel passes.
fn single_threaded<T: RadixKey + Copy + Send + Sync>(x: &mut [T]) {
    x.radix_sort_builder()
        .with_single_threaded_tuner()
        .with_parallel(false)
        .sort();
}

/// `x` sorted (after checking that every value is finite; the error names the first bad one).
///
/// ```
/// let v = quantreplica::asq::sorted(&[3.0, -1.0, 2.0]).unwrap();
/// assert_eq!(v, vec![-1.0, 2.0, 3.0]);
/// assert!(quantreplica::asq::sorted(&[1.0, f64::NAN]).is_err());
/// ```
pub fn sorted(x: &[f64]) -> Result<Vec<f64>> {
    check_values("input", x)?;
    let mut v = x.to_vec();
    sort_values(&mut v);
    Ok(v)
}

/// Sorts the values and carries each weight along: returns `(xs, ws)` with `xs` in the order of
/// [`f64::total_cmp`]; equal values are ordered by their weights' [`f64::total_cmp`]. The
/// caller checks lengths and finiteness.
pub fn sort_with_weights(x: &[f64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    debug_assert_eq!(x.len(), w.len());
    let mut p: Vec<Pair> = x.iter().zip(w).map(|(&x, &w)| Pair { x, w }).collect();
    single_threaded(&mut p);
    // Runs of equal values (rare in continuous data): a canonical order by weight.
    let mut i = 0;
    while i < p.len() {
        let k = ordered(p[i].x);
        let mut j = i + 1;
        while j < p.len() && ordered(p[j].x) == k {
            j += 1;
        }
        if j - i > 1 {
            p[i..j].sort_unstable_by(|a, b| a.w.total_cmp(&b.w));
        }
        i = j;
    }
    p.into_iter().map(|q| (q.x, q.w)).unzip()
}
