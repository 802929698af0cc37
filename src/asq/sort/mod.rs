//! Sorting the values (and values with their weights) before the exact solvers.
//!
//! Each `f64` becomes the `u64` whose unsigned order is [`f64::total_cmp`]'s, in place, and
//! back after the sort, so the result is exactly `sort_unstable_by(f64::total_cmp)` (−0 before
//! +0, infinities at the ends). The keys are sorted by
//!
//! * an AVX-512 quicksort ([`avx512`]) when the CPU has AVX-512F (detected at run time):
//!   hand-written because no crate reaches numpy's sort (x86-simd-sort) on such machines
//!   (radix sorts and the standard library's sort measured 2–4× slower, vqsort-rs needs a
//!   system Highway newer than Debian 12's, and no crate binds x86-simd-sort);
//! * otherwise an LSD radix sort (the `rdst` crate with its single-threaded tuner, on one
//!   thread).
//!
//! On the radix path, values that are all exactly `f32`s (a float32 array from Python, widened when copied) are
//! sorted on the 32-bit ordered pattern of the `f32` instead: half the radix passes over half
//! the bytes, and the same result, since `f32 → f64` is exact and preserves the total order (a
//! value counts as an `f32` only if the round trip keeps its 64 bits, so NaN payloads the
//! narrowing would change take the 64-bit path). Timings and the candidates measured:
//! docs/asq.md, "The sort".

#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod avx512_pairs;

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

/// The inverse of [`ordered`].
#[inline(always)]
fn unordered(k: u64) -> f64 {
    // Keys below 2^63 came from negative values (all bits flipped), the others from positive
    // ones (sign flipped).
    f64::from_bits(k ^ (((((k ^ (1 << 63)) as i64) >> 63) as u64) | (1 << 63)))
}

/// [`ordered`] for the `f32` that `v` is (the caller checked [`is_f32`]).
#[inline(always)]
fn ordered32(v: f64) -> u32 {
    let b = (v as f32).to_bits();
    b ^ ((((b as i32) >> 31) as u32) | (1 << 31))
}

/// The inverse of [`ordered32`], widened.
#[inline(always)]
fn unordered32(k: u32) -> f64 {
    f64::from(f32::from_bits(
        k ^ (((((k ^ (1 << 31)) as i32) >> 31) as u32) | (1 << 31)),
    ))
}

/// Whether `v` is exactly an `f32` (bit for bit after the round trip).
#[inline(always)]
fn is_f32(v: f64) -> bool {
    f64::from(v as f32).to_bits() == v.to_bits()
}

/// Below this length the 32-bit path is not worth its key buffer.
const NARROW_FROM: usize = 4096;

/// A value's ordered key with its weight, ordered by the key (runs of equal values are put
/// in weight order afterwards, so that they come out in one order whatever the input order
/// and thread count, and their weights are later summed in that order).
#[derive(Debug, Clone, Copy, Default)]
struct Pair {
    k: u64,
    w: f64,
}

impl RadixKey for Pair {
    const LEVELS: usize = 8;
    #[inline(always)]
    fn get_level(&self, level: usize) -> u8 {
        (self.k >> (8 * level)) as u8
    }
}

/// Whether [`sort_values`] uses the AVX-512 quicksort on this CPU.
#[doc(hidden)]
pub fn sort_uses_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("popcnt")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Sorts `x` in the order of [`f64::total_cmp`], the same result as
/// `x.sort_unstable_by(f64::total_cmp)` (NaNs included: negative NaNs first, positive last).
pub fn sort_values(x: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if sort_uses_avx512() {
        // SAFETY: the CPU has AVX-512F and POPCNT (checked just above).
        unsafe { avx512::sort_f64_bits(bytemuck::cast_slice_mut(x)) };
        return;
    }
    sort_values_radix(x);
}

/// [`sort_values`] by the radix sort whatever the CPU (the fallback of machines without
/// AVX-512; public for the tests).
#[doc(hidden)]
pub fn sort_values_radix(x: &mut [f64]) {
    if x.len() >= NARROW_FROM && x.iter().all(|&v| is_f32(v)) {
        let mut k: Vec<u32> = x.iter().map(|&v| ordered32(v)).collect();
        single_threaded(&mut k);
        for (v, &k) in x.iter_mut().zip(&k) {
            *v = unordered32(k);
        }
    } else {
        let k: &mut [u64] = bytemuck::cast_slice_mut(x);
        for b in k.iter_mut() {
            *b = ordered(f64::from_bits(*b));
        }
        single_threaded(k);
        for b in k.iter_mut() {
            *b = unordered(*b).to_bits();
        }
    }
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
/// caller checks lengths and finiteness. Where the CPU has AVX-512F the (key, weight) pairs are
/// sorted by the pair version of the AVX-512 quicksort, otherwise by the radix sort on 64-bit
/// keys (its 32-bit key path measured no faster here with the weight carried along;
/// docs/asq.md).
///
/// # Panics
/// If `x` and `w` differ in length (the command line and the Python package check this first
/// and report it as an input error).
pub fn sort_with_weights(x: &[f64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    same_length(x, w);
    #[cfg(target_arch = "x86_64")]
    if sort_uses_avx512() {
        let mut k: Vec<u64> = x.iter().map(|&v| ordered(v)).collect();
        // The network pads with the key u64::MAX (a NaN's); such input takes the radix sort.
        if !k.contains(&u64::MAX) {
            let mut wb: Vec<u64> = w.iter().map(|v| v.to_bits()).collect();
            // SAFETY: the CPU has AVX-512F and POPCNT (checked just above); no key is
            // u64::MAX.
            unsafe { avx512_pairs::sort_pairs(&mut k, &mut wb) };
            let mut ws: Vec<f64> = wb.into_iter().map(f64::from_bits).collect();
            // Runs of equal values (rare in continuous data): a canonical order by weight.
            let mut i = 0;
            while i < k.len() {
                let mut j = i + 1;
                while j < k.len() && k[j] == k[i] {
                    j += 1;
                }
                if j - i > 1 {
                    ws[i..j].sort_unstable_by(f64::total_cmp);
                }
                i = j;
            }
            return (k.into_iter().map(unordered).collect(), ws);
        }
    }
    sort_with_weights_radix(x, w)
}

/// The length precondition of the weighted sorts, the same panic on both paths.
fn same_length(x: &[f64], w: &[f64]) {
    assert_eq!(
        x.len(),
        w.len(),
        "sort_with_weights: {} values but {} weights",
        x.len(),
        w.len()
    );
}

/// [`sort_with_weights`] by the radix sort whatever the CPU (public for the tests).
#[doc(hidden)]
pub fn sort_with_weights_radix(x: &[f64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    same_length(x, w);
    let mut p: Vec<Pair> = x
        .iter()
        .zip(w)
        .map(|(&x, &w)| Pair { k: ordered(x), w })
        .collect();
    single_threaded(&mut p);
    // Runs of equal values (rare in continuous data): a canonical order by weight.
    let mut i = 0;
    while i < p.len() {
        let mut j = i + 1;
        while j < p.len() && p[j].k == p[i].k {
            j += 1;
        }
        if j - i > 1 {
            p[i..j].sort_unstable_by(|a, b| a.w.total_cmp(&b.w));
        }
        i = j;
    }
    p.into_iter().map(|q| (unordered(q.k), q.w)).unzip()
}

/// What the AVX-512 sorts' unit tests share: a xorshift64 stream of keys.
#[cfg(test)]
pub(super) fn xorshift(mut s: u64) -> impl FnMut() -> u64 {
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}
