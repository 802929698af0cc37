//! Approximate ASQ on an `m`-bin histogram: O(d + m·s), no sorting.
//!
//! The range [min, max] is cut into `m` equal bins and the levels are restricted to the
//! `m + 1` bin edges. Each bin keeps the weighted moments of its points, so the cost of any
//! interval between two edges is exact (not the cost of a histogram stand-in for the data),
//! and the SMAWK DP runs over the edges only.
//!
//! **Guarantee.** Let Δ = (max − min)/m, W = Σ w, OPT(k) the exact optimum with k levels. The
//! returned objective A satisfies `OPT(s) ≤ A ≤ OPT(⌊s/2⌋ + 1) + W·Δ²/4`.
//! The lower bound holds because edges are admissible levels. For the upper bound take an
//! optimal set Q of k = ⌊s/2⌋ + 1 levels and replace each of its k − 2 interior levels by the two
//! edges around it: 2k − 2 ≤ s edges. Adding levels never raises the cost, and removing an
//! interior level q from Q ∪ edges only changes the cost of points in the one bin around q,
//! each to at most w·Δ²/4; so the best edge set of size s costs at most OPT(k) + W·Δ²/4.
//! (This is THEORY §8's "within d(x_max − x_min)²/(4m²) of the optimum with 2s − 2 levels",
//! read with s = k and W = d for unit weights.)

use super::few::few_ends;
use super::lagrange::lagrange_ends;
use super::prefix::{Node, Prefix};
use super::{check_s, check_values, check_weights, distinct_up_to};
use crate::error::{Error, Result};
use rayon::prelude::*;

/// Levels from the histogram approximation, with what is guaranteed about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Approx {
    /// `s` increasing levels on the bin edges, the first the minimum and the last the maximum.
    pub levels: Vec<f64>,
    /// `Σ w (b − x)(x − a)` of these levels on the data (computed from the bin moments).
    pub objective: f64,
    /// Bin width Δ = (max − min)/m.
    pub bin_width: f64,
    /// W·Δ²/4: `objective ≤ OPT(⌊s/2⌋ + 1) + additive_bound`, and `objective ≥ OPT(s)`.
    pub additive_bound: f64,
    /// ⌊s/2⌋ + 1, the level count the bound compares with.
    pub bound_levels: usize,
    /// Σ w.
    pub total_weight: f64,
}

/// Per-bin moments in bin-local coordinates v = u − bin ∈ [0, 1], which keeps them small:
/// the weight and the first moment only. The second moment is not needed (see
/// [`histogram`]); the two sit in 16 bytes, so a bin is one aligned pair.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
struct Bin {
    w: f64,
    v: f64,
}

/// Minimum and maximum of non-empty finite `x`: chunks in parallel (min/max are exact, so the
/// result does not depend on the thread count), each a vectorised single pass.
fn range(x: &[f64]) -> Result<(f64, f64)> {
    let parts: Vec<Option<(f64, f64)>> = if x.len() < 1 << 16 {
        vec![range_serial(x)]
    } else {
        let len = x.len().div_ceil(CHUNKS);
        if serial() {
            x.chunks(len).map(range_serial).collect()
        } else {
            x.par_chunks(len).map(range_serial).collect()
        }
    };
    if parts.iter().any(Option::is_none) {
        // The input is empty or has a non-finite value: the check of the whole input names
        // it by its position in `x` (not in its chunk).
        check_values("input", x)?;
    }
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (a, b) in parts.into_iter().flatten() {
        lo = lo.min(a);
        hi = hi.max(b);
    }
    Ok((lo, hi))
}

/// One chunk of [`range`], in independent lanes (so it vectorises): `None` if it is empty or
/// has a non-finite value (which turns the lanes' sum of `v·0` into NaN).
fn range_serial(x: &[f64]) -> Option<(f64, f64)> {
    let &first = x.first()?;
    let mut lo = [first; 4];
    let mut hi = [first; 4];
    let mut bad = [0.0f64; 4];
    let mut chunks = x.chunks_exact(4);
    for c in &mut chunks {
        for k in 0..4 {
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
            bad[k] += c[k] * 0.0;
        }
    }
    let mut lo = lo.into_iter().fold(f64::INFINITY, f64::min);
    let mut hi = hi.into_iter().fold(f64::NEG_INFINITY, f64::max);
    let mut bad: f64 = bad.iter().sum();
    for &v in chunks.remainder() {
        lo = lo.min(v);
        hi = hi.max(v);
        bad += v * 0.0;
    }
    // Finite values add only zeros to `bad`; a NaN or ±∞ makes it NaN.
    (bad == 0.0 && lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

/// Whether to run the chunks on this thread: with one worker, handing them to the pool only
/// adds the wake-up of its thread (the same chunks either way, so the same result).
fn serial() -> bool {
    rayon::current_num_threads() == 1
}

/// Chunks of the histogram pass: a fixed count (not the thread count), merged in order, so
/// the sums are the same on any number of threads.
const CHUNKS: usize = 4;

/// The weighted bin moments of `x` on `m` bins of [lo, lo + m/inv], the in-bin rounding
/// variance `Σ w v(1 − v)` (grid units²; NaN if some `x` is NaN), and the least weight (1
/// without weights; NaN weights are not seen by it but make the moments NaN).
///
/// Why no second moment per bin: a point at u = k + v in bin k, between edges a ≤ k < k + 1 ≤
/// b, costs `(b − u)(u − a) = v(1 − v) + [(b − k)(k − a)(1 − v) + (b − k − 1)(k + 1 − a) v]`.
/// The first term does not depend on the levels (it is the cost of rounding the point to its
/// own bin's edges), the bracket is linear in v, so bin weights and first moments give every
/// interval's cost up to the levels-independent `Σ w v(1 − v)` of its points. Any set of
/// levels on the edges partitions the bins, so the sum of those terms is the total computed
/// here, the same for every choice: the optimum is unchanged and the objective is the sum
/// of the intervals' reduced costs plus this total.
fn histogram(x: &[f64], w: Option<&[f64]>, lo: f64, inv: f64, m: usize) -> (Vec<Bin>, f64, f64) {
    let len = x.len().div_ceil(CHUNKS).max(1);
    let chunk = |(k, xc): (usize, &[f64])| {
        let wc = w.map(|w| &w[k * len..k * len + xc.len()]);
        histogram_chunk(xc, wc, lo, inv, m)
    };
    let parts: Vec<(Vec<Bin>, f64, f64)> = if serial() {
        x.chunks(len).enumerate().map(chunk).collect()
    } else {
        x.par_chunks(len).enumerate().map(chunk).collect()
    };
    let mut out = vec![Bin::default(); m];
    let (mut inner, mut least) = (0.0, f64::INFINITY);
    for (part, within, wmin) in &parts {
        for (a, b) in out.iter_mut().zip(part) {
            a.w += b.w;
            a.v += b.v;
        }
        inner += within;
        least = least.min(*wmin);
    }
    (out, inner, least)
}

/// 1.5 · 2^52: adding it to |v| < 2^51 rounds v to an integer held in the low mantissa bits.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// The bin of `u ≥ 0` (grid units) among `0..=top`, as `(k + ROUNDER, u − k)`: `k` is
/// `u − ½` rounded to nearest, then clamped to `top`, held in the low bits of the first value
/// (read with [`int_of`]), and the offset `u − k` lies in [0, 1] (up to rounding past the
/// last edge). That is ⌊u⌋ except at integers u > 0, which may go to the bin below with
/// offset 1; a point on an edge costs the same in either bin (the cost is linear in the
/// offset within a bin and continuous across edges), so either is exact. Two additions
/// and a minimum, no conversion: the loop that uses it vectorises on every x86-64. (The
/// clamp comes after the rounding: `top − ½` is a tie that may round down.)
#[inline(always)]
fn bin_of(u: f64, top: f64) -> (f64, f64) {
    let r = (u - 0.5) + ROUNDER;
    // Not `r.min(cap)`, whose NaN rule costs more instructions per vector: a NaN `u` goes to
    // the top bin with a NaN offset either way (and is reported by the caller).
    let cap = top + ROUNDER;
    let t = if r < cap { r } else { cap };
    (t, u - (t - ROUNDER))
}

/// The integer `k` of a [`bin_of`] result `k + ROUNDER`, 0 ≤ k < 2^31.
#[inline(always)]
fn int_of(t: f64) -> u32 {
    t.to_bits() as u32
}

/// Values per block of [`histogram_chunk`]: the bin and in-bin offset of a block are computed
/// first, in a loop with no stores to the histogram (it vectorises), then scattered.
const BLOCK: usize = 64;

/// Interleaved histograms per chunk (consecutive values go to different ones).
const LANES: usize = 4;

/// One chunk's moments, in four interleaved histograms so that runs of values in one bin
/// do not wait on each other's stores, and its `Σ w v(1 − v)`.
///
/// Each block of [`BLOCK`] values is done in two loops: the arithmetic ([`bin_of`], the slot
/// `lane·m + bin` with lane = position mod 4, `w·v`, and `w·v²` into four running sums) over
/// the whole block at once, which the compiler vectorises, then the scatter of `w` and `w·v`
/// into the slots (one aligned pair add per value). `Σ w v(1 − v)` is `Σ w v` (the bins'
/// total) minus those running sums. The bin sums are the same as one value at a time in
/// order, whichever instruction set does the blocks ([`blocks`]).
fn histogram_chunk(
    x: &[f64],
    w: Option<&[f64]>,
    lo: f64,
    inv: f64,
    m: usize,
) -> (Vec<Bin>, f64, f64) {
    let mut h = vec![Bin::default(); LANES * m];
    let full = x.len() / BLOCK * BLOCK;
    let (xb, xt) = x.split_at(full);
    let (wb, wt) = match w {
        Some(w) => {
            let (a, b) = w.split_at(full);
            (Some(a), Some(b))
        }
        None => (None, None),
    };
    let (mut sq, mut wmin) = blocks(xb, wb, lo, inv, m, &mut h);
    // The last short block one value at a time, with the same arithmetic (w·v = v unweighted);
    // `full` is a multiple of 4, so position i of the tail is in lane i mod 4.
    let top = (m - 1) as f64;
    for (i, &xv) in xt.iter().enumerate() {
        let wt = wt.map_or(1.0, |w| w[i]);
        let (t, v) = bin_of((xv - lo) * inv, top);
        let wv = wt * v;
        sq[i % LANES] += wv * v;
        wmin = if wt < wmin { wt } else { wmin };
        let e = &mut h[int_of(t) as usize + (i % LANES) * m];
        e.w += wt;
        e.v += wv;
    }
    let (first, rest) = h.split_at_mut(m);
    for lane in rest.chunks_exact(m) {
        for (a, b) in first.iter_mut().zip(lane) {
            a.w += b.w;
            a.v += b.v;
        }
    }
    let within = first.iter().map(|b| b.v).sum::<f64>() - sq.iter().sum::<f64>();
    h.truncate(m);
    (h, within, wmin)
}

/// What [`blocks`] returns besides the bins: the four lanes' running `Σ w v²`, the least weight.
type Sums = ([f64; LANES], f64);

/// The whole blocks of a chunk (`x.len()` a multiple of [`BLOCK`]) into the four
/// interleaved histograms `h` (`LANES·m` bins): the four lanes' running `Σ w v²` and the least
/// weight (1 without weights; a NaN weight is not seen by it).
///
/// The version for the widest instruction set the CPU has: AVX-512 (eight values per
/// vector), AVX2 (four), or the baseline x86-64 one (two). All do the same operations on each
/// value in the same order (no fused multiply-add), so the sums have the same bits.
fn blocks(x: &[f64], w: Option<&[f64]>, lo: f64, inv: f64, m: usize, h: &mut [Bin]) -> Sums {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            return unsafe { avx512::blocks(x, w, lo, inv, m, h) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { blocks_avx2(x, w, lo, inv, m, h) };
        }
    }
    blocks_body(x, w, lo, inv, m, h)
}

/// [`blocks_body`] compiled for AVX2: four values per vector instead of two.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn blocks_avx2(x: &[f64], w: Option<&[f64]>, lo: f64, inv: f64, m: usize, h: &mut [Bin]) -> Sums {
    blocks_body(x, w, lo, inv, m, h)
}

/// The portable [`blocks`], inlined into each instruction-set version.
#[inline(always)]
fn blocks_body(x: &[f64], w: Option<&[f64]>, lo: f64, inv: f64, m: usize, h: &mut [Bin]) -> Sums {
    let top = (m - 1) as f64;
    let mut slot = [0u32; BLOCK];
    let mut off = [0.0f64; BLOCK];
    let mut sq = [0.0f64; LANES];
    // The least weight per lane: the weights are checked here, not in a pass of their own.
    let mut wmin = [1.0f64; LANES];
    // The first slot of each position's histogram: position i of a block goes to lane i mod 4.
    let lane: [u32; BLOCK] = std::array::from_fn(|i| (i % LANES) as u32 * m as u32);
    for (k, xb) in x.chunks_exact(BLOCK).enumerate() {
        // Four values at a time, zipped: no bounds checks and no float-to-int conversions,
        // so that it vectorises.
        let quads = off
            .chunks_exact_mut(LANES)
            .zip(slot.chunks_exact_mut(LANES))
            .zip(xb.chunks_exact(LANES).zip(lane.chunks_exact(LANES)));
        match w {
            None => {
                for ((o4, s4), (x4, l4)) in quads {
                    for j in 0..LANES {
                        let (t, v) = bin_of((x4[j] - lo) * inv, top);
                        o4[j] = v;
                        s4[j] = int_of(t) + l4[j];
                        sq[j] += v * v;
                    }
                }
                for (&v, &s) in off.iter().zip(&slot) {
                    let e = &mut h[s as usize];
                    e.w += 1.0;
                    e.v += v;
                }
            }
            Some(w) => {
                let wb = &w[k * BLOCK..(k + 1) * BLOCK];
                for (((o4, s4), (x4, l4)), w4) in quads.zip(wb.chunks_exact(LANES)) {
                    for j in 0..LANES {
                        let (t, v) = bin_of((x4[j] - lo) * inv, top);
                        o4[j] = w4[j] * v;
                        s4[j] = int_of(t) + l4[j];
                        sq[j] += o4[j] * v;
                        wmin[j] = if w4[j] < wmin[j] { w4[j] } else { wmin[j] };
                    }
                }
                for ((&wv, &s), &wt) in off.iter().zip(&slot).zip(wb) {
                    let e = &mut h[s as usize];
                    e.w += wt;
                    e.v += wv;
                }
            }
        }
    }
    (sq, wmin.into_iter().fold(f64::INFINITY, f64::min))
}

/// [`blocks`] in AVX-512 intrinsics: eight values per vector, each block's `(w, w·v)` pairs
/// laid out by two permutes, and a scatter of one pair add per value without bounds checks.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{Bin, Sums, BLOCK, LANES, ROUNDER};
    use std::arch::x86_64::*;

    /// As [`super::blocks_body`], bit for bit: per value the same [`super::bin_of`] (its
    /// `if r < cap` is `vminpd(r, cap)`), `w·v` and `w·v·v`; the running sums of lanes 0–3
    /// take the low half of a vector of eight, then the high half (positions 8i..8i + 3, then
    /// 8i + 4..8i + 7), the order of the portable loop. One operation more: the bin is also
    /// clamped from below (`vmaxpd` with `ROUNDER`, bin 0), which changes nothing for
    /// `u ≥ 0` (`(u − ½) + ROUNDER ≥ ROUNDER`, a tie at u = 0 rounding to the even ROUNDER) or
    /// NaN (sent to the top by the minimum first), and keeps every slot in `h` whatever `lo`
    /// and `inv` are.
    /// Callers check that the CPU has AVX-512F; the sizes the scatter relies on are asserted.
    #[target_feature(enable = "avx512f")]
    pub(super) fn blocks(
        x: &[f64],
        w: Option<&[f64]>,
        lo: f64,
        inv: f64,
        m: usize,
        h: &mut [Bin],
    ) -> Sums {
        assert!(x.len().is_multiple_of(BLOCK) && w.is_none_or(|w| w.len() == x.len()));
        assert!(h.len() == LANES * m && m >= 1 && m <= u32::MAX as usize / 8);
        let top = (m - 1) as f64;
        let vlo = _mm512_set1_pd(lo);
        let vinv = _mm512_set1_pd(inv);
        let half = _mm512_set1_pd(0.5);
        let rounder = _mm512_set1_pd(ROUNDER);
        let cap = _mm512_set1_pd(top + ROUNDER);
        let one = _mm512_set1_pd(1.0);
        // Twice the first slot of the lane of each of eight positions (the pairs are indexed
        // as f64s, two per bin), as u32 bits: ≤ 6m < 2^32.
        let l = 2 * m as u32;
        let [l1, l2, l3] = [l, 2 * l, 3 * l].map(|v| v as i32);
        let lane = _mm256_setr_epi32(0, l1, l2, l3, 0, l1, l2, l3);
        // (w0, v0, w1, v1, …) from w = (w0..w7) and v = (v0..v7): indices 8.. pick from v.
        let first = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
        let second = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
        let mut sq = _mm256_setzero_pd();
        let mut wmin = one;
        let mut slot = [0u32; BLOCK];
        let mut pairs = [0.0f64; 2 * BLOCK];
        let hp = h.as_mut_ptr().cast::<f64>();
        for (k, xb) in x.chunks_exact(BLOCK).enumerate() {
            for q in 0..BLOCK / 8 {
                // SAFETY: eight values of this block (q < BLOCK/8).
                let xv = unsafe { _mm512_loadu_pd(xb.as_ptr().add(8 * q)) };
                let u = _mm512_mul_pd(_mm512_sub_pd(xv, vlo), vinv);
                let r = _mm512_add_pd(_mm512_sub_pd(u, half), rounder);
                let t = _mm512_max_pd(_mm512_min_pd(r, cap), rounder);
                let v = _mm512_sub_pd(u, _mm512_sub_pd(t, rounder));
                let (wv, o) = match w {
                    None => (one, v),
                    Some(w) => {
                        // SAFETY: the same eight of the weights (as long as `x`).
                        let wv = unsafe { _mm512_loadu_pd(w.as_ptr().add(k * BLOCK + 8 * q)) };
                        wmin = _mm512_min_pd(wv, wmin);
                        (wv, _mm512_mul_pd(wv, v))
                    }
                };
                let o2 = _mm512_mul_pd(o, v);
                sq = _mm256_add_pd(sq, _mm512_castpd512_pd256(o2));
                sq = _mm256_add_pd(sq, _mm512_extractf64x4_pd::<1>(o2));
                // The bin k in [0, top] is the low 32 bits of t = k + ROUNDER (ROUNDER's are
                // zero, and k < 2^31); the slot index 2(k + lane·m) < 8m.
                let b = _mm512_cvtepi64_epi32(_mm512_castpd_si512(t));
                let s = _mm256_add_epi32(_mm256_add_epi32(b, b), lane);
                let (p0, p1) = (
                    _mm512_permutex2var_pd(wv, first, o),
                    _mm512_permutex2var_pd(wv, second, o),
                );
                // SAFETY: 8 u32s and 16 f64s within the block's arrays (q < BLOCK/8).
                unsafe {
                    _mm256_storeu_si256(slot.as_mut_ptr().add(8 * q).cast(), s);
                    let pp = pairs.as_mut_ptr().add(16 * q);
                    _mm512_storeu_pd(pp, p0);
                    _mm512_storeu_pd(pp.add(8), p1);
                }
            }
            for (i, &s) in slot.iter().enumerate() {
                // SAFETY: s = 2(k + lane·m) with 0 ≤ k ≤ top = m − 1 (clamped on both sides
                // above) and lane ≤ 3, so s + 1 ≤ 8m − 1 < 2·h.len(): the pair h[s/2] (`Bin`
                // is repr(C), two f64s). The pair i of the block is in `pairs`.
                unsafe {
                    let e = hp.add(s as usize);
                    let sum = _mm_add_pd(_mm_loadu_pd(e), _mm_loadu_pd(pairs.as_ptr().add(2 * i)));
                    _mm_storeu_pd(e, sum);
                }
            }
        }
        let mut lanes = [0.0f64; LANES];
        let mut least = [0.0f64; 8];
        // SAFETY: four and eight f64s into arrays of that size.
        unsafe {
            _mm256_storeu_pd(lanes.as_mut_ptr(), sq);
            _mm512_storeu_pd(least.as_mut_ptr(), wmin);
        }
        (lanes, least.into_iter().fold(f64::INFINITY, f64::min))
    }
}

/// `s` levels on an `m`-bin grid over [min x, max x] minimising `Σ w (b − x)(x − a)` among
/// grid levels. `x` need not be sorted; see the module docs for the guarantee.
pub fn approx_levels(x: &[f64], weights: Option<&[f64]>, s: usize, m: usize) -> Result<Approx> {
    let (lo, hi) = range(x)?;
    // The weights are checked in the histogram pass (their least value and their sum), not in
    // a pass of their own; an error found before it is reported as if they had been checked
    // first (a bad weight before bad bins or a bad s).
    let first = |e: Error| match weights {
        Some(w) => check_weights(w, x.len()).err().unwrap_or(e),
        None => e,
    };
    if let Some(w) = weights {
        if w.len() != x.len() {
            check_weights(w, x.len())?;
        }
    }
    if m == 0 || m > u32::MAX as usize / 8 {
        return Err(first(Error::input(format!(
            "bins = {m}: need at least 1 bin"
        ))));
    }
    check_s(s, distinct_up_to(x, s)).map_err(first)?;
    if s > m + 1 {
        return Err(first(Error::input(format!(
            "s = {s} exceeds the {} bin edges of {m} bins",
            m + 1
        ))));
    }
    let span = hi - lo;
    let (bins, within, least) = histogram(x, weights, lo, m as f64 / span, m);
    if !within.is_finite() {
        check_values("input", x)?;
    }
    let total: f64 = bins.iter().map(|b| b.w).sum();
    if let Some(w) = weights {
        // A negative weight lowers the least one, a non-finite one makes the sum non-finite,
        // all zero leaves it zero; only then does the full check run to name the weight.
        if !(least >= 0.0 && total.is_finite() && total > 0.0) {
            check_weights(w, x.len())?;
        }
    }
    // Nodes are the edges in grid units, centred on the weighted mean so that the cost
    // formula's cancelling terms stay small.
    let centre = bins
        .iter()
        .enumerate()
        .map(|(k, b)| k as f64 * b.w + b.v)
        .sum::<f64>()
        / total;
    let mut nodes = Vec::with_capacity(m + 1);
    let (mut q0, mut q1, mut q2) = (0.0, 0.0, 0.0);
    nodes.push(Node {
        x: -centre,
        q0,
        q1,
        q2,
    });
    for (k, b) in bins.iter().enumerate() {
        let off = k as f64 - centre;
        q0 += b.w;
        q1 += off * b.w + b.v;
        // The second moment Σ w (off + v)² with Σ w v² replaced by Σ w v: each interval's
        // cost drops by the Σ w v(1 − v) of its points ([`histogram`]).
        q2 += off * off * b.w + (2.0 * off + 1.0) * b.v;
        nodes.push(Node {
            x: (k + 1) as f64 - centre,
            q0,
            q1,
            q2,
        });
    }
    let p = Prefix { nodes };
    // The exact solvers' dispatch on the edges: O(m) scans for s ≤ 5, else the
    // penalty-per-level method, whose time barely depends on s (the layered DP cost
    // O(m·s) evaluations, 3.5 times the histogram pass at m = 1000, s = 64).
    let ends = if s <= 5 {
        few_ends(&p, s - 1)
    } else {
        lagrange_ends(&p, s - 1)
    };
    let cost: f64 = ends.windows(2).map(|e| p.cost(e[0], e[1])).sum::<f64>() + within;
    let delta = span / m as f64;
    let levels: Vec<f64> = ends
        .iter()
        .map(|&e| if e == m { hi } else { lo + e as f64 * delta })
        .collect();
    Ok(Approx {
        levels,
        objective: (cost * delta * delta).max(0.0),
        bin_width: delta,
        additive_bound: total * delta * delta / 4.0,
        bound_levels: s / 2 + 1,
        total_weight: total,
    })
}

#[cfg(test)]
mod tests {
    use super::{bin_of, blocks_body, int_of, Bin, Sums, BLOCK, LANES};
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// The bits of a [`super::blocks`] result: the bins, the lanes' `Σ w v²`, the least weight.
    type Bits = (Vec<(u64, u64)>, Vec<u64>, u64);

    fn bits(h: &[Bin], (sq, least): Sums) -> Bits {
        (
            h.iter().map(|b| (b.w.to_bits(), b.v.to_bits())).collect(),
            sq.iter().map(|v| v.to_bits()).collect(),
            least.to_bits(),
        )
    }

    #[test]
    fn every_instruction_set_sums_the_same_bits() {
        // The AVX2 and AVX-512 versions of the blocks (where the CPU has them) against the
        // portable loop, bit for bit: values spread over the range, on edges (integers on an
        // integer grid), at both ends, a NaN and ±∞ (top bin, NaN offset), with and without
        // weights (one negative, one NaN), on 1, 7 and 1000 bins.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(14);
        for m in [1usize, 7, 1000] {
            let n = 5 * BLOCK;
            let mut x: Vec<f64> = (0..n)
                .map(|i| match i % 3 {
                    0 => rng.random::<f64>() * m as f64,
                    1 => rng.random_range(0..=m) as f64,
                    _ => (rng.random::<f64>() * m as f64).floor(),
                })
                .collect();
            x[0] = 0.0;
            x[1] = m as f64;
            x[2] = -0.0;
            x[3] = f64::NAN;
            x[4] = f64::INFINITY;
            let mut w: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 3.0).collect();
            w[70] = -0.5;
            w[71] = f64::NAN;
            let (lo, inv) = (0.0, 1.0);
            for weights in [None, Some(w.as_slice())] {
                let run = |f: &dyn Fn(&mut [Bin]) -> Sums| {
                    let mut h = vec![Bin::default(); LANES * m];
                    let out = f(&mut h);
                    bits(&h, out)
                };
                let want = run(&|h| blocks_body(&x, weights, lo, inv, m, h));
                #[cfg(target_arch = "x86_64")]
                {
                    if std::arch::is_x86_feature_detected!("avx2") {
                        // SAFETY: the CPU has AVX2.
                        let got =
                            run(&|h| unsafe { super::blocks_avx2(&x, weights, lo, inv, m, h) });
                        assert_eq!(got, want, "avx2 m {m}");
                    }
                    if std::arch::is_x86_feature_detected!("avx512f") {
                        // SAFETY: the CPU has AVX-512F.
                        let got =
                            run(&|h| unsafe { super::avx512::blocks(&x, weights, lo, inv, m, h) });
                        assert_eq!(got, want, "avx512 m {m}");
                    }
                }
                assert_eq!(run(&|h| super::blocks(&x, weights, lo, inv, m, h)), want);
            }
        }
    }

    #[test]
    fn bins_bracket_their_values() {
        // Integers, their neighbours one ulp away, halves, tiny values and a spread of
        // magnitudes up to the bin range: the bin k is ⌊u⌋ (or ⌊u⌋ − 1 at an integer, with
        // offset 1), never above the top, and the offset u − k lies in [0, 1].
        let mut cases = vec![0.0, 1e-300, 5e-324, 0.5, 1.5, 2.5, 999.999_999_999, 1000.0];
        for k in [1.0f64, 2.0, 3.0, 999.0, 65_536.0, 1e9, 2_147_483_646.0] {
            cases.extend([k, k.next_down(), k.next_up(), k + 0.5, k - 0.5]);
        }
        let mut v = 0.1f64;
        while v < 2e9 {
            cases.push(v);
            v *= 1.37;
        }
        for top in [0.0, 1.0, 999.0, 2_147_483_647.0] {
            for &u in &cases {
                let (t, off) = bin_of(u, top);
                let k = int_of(t);
                assert_eq!(t - 6_755_399_441_055_744.0, k as f64, "u {u} top {top}");
                let f = u.floor().min(top);
                assert!(
                    k as f64 == f || (u == f && k as f64 == f - 1.0),
                    "u {u} top {top}: {k}"
                );
                assert_eq!(off, u - k as f64, "u {u}");
                if u <= top + 1.0 {
                    assert!((0.0..=1.0).contains(&off), "u {u} top {top}: offset {off}");
                }
            }
        }
    }
}
