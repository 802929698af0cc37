//! An AVX-512 quicksort of `u64` keys, for machines that have AVX-512F (checked at run time by
//! the caller; the radix sort is the fallback elsewhere). The keys are the ordered bit
//! patterns of `f64`s, made as the first partition reads the values and turned back as the
//! networks store them.
//!
//! Why hand-written: no crate reaches numpy's sort here (x86-simd-sort's AVX-512 quicksort):
//! rdst, voracious, radsort, turbosort, brainsort and the standard library's sort were 2–4×
//! slower on 2^20 keys, vqsort-rs needs a system Highway newer than Debian 12's, and no crate
//! binds x86-simd-sort (docs/asq.md, "The sort"). The design is the published one of
//! vectorised quicksorts (Bramas 2017; Blacher, Giesen, Sanders, Wassenberg 2022; Intel's
//! x86-simd-sort), written here from that description:
//!
//! * partition in place, eight vectors (64 keys) at a time: each vector is compared with the
//!   pivot and its two sides written with compress stores to the free space at either end;
//!   the first and last 64 keys are held in registers so that a block can always be read from
//!   the end with less free space;
//! * the pivot is the median of a sorted sample (8 keys, or 64 for longer ranges);
//! * ranges of at most 256 keys are sorted by bitonic networks in registers (masked loads and
//!   stores, padded with `u64::MAX`);
//! * a pivot that is the minimum of its range splits off the keys equal to it (a second
//!   partition at `pivot + 1`), so runs of equal keys cost linear time;
//! * past a depth of `2·log2(n) + 8` the standard library's `sort_unstable` (O(n log n) in
//!   the worst case) sorts the range, so no input is quadratic.

use super::{ordered, unordered};
use std::arch::x86_64::*;

pub(super) type V = __m512i;

/// Ranges of at most this many keys are sorted by the networks.
const SMALL: usize = 128;
/// Keys in one unrolled partition block (eight vectors).
const BLOCK: usize = 64;
/// How far ahead of a block (in keys) the partition asks for the next ones on its side.
const PREFETCH: usize = 8 * BLOCK;

/// Sorts the `f64` values whose bits `x` holds in the order of [`f64::total_cmp`]: the
/// quicksort of their [`ordered`] keys, turned back, with the two conversions done as
/// the keys pass through registers anyway (on loading in the first partition, on storing
/// from the networks) instead of in two passes of their own.
///
/// # Safety
/// The CPU must have AVX-512F and POPCNT.
#[target_feature(enable = "avx512f,popcnt")]
pub(super) unsafe fn sort_f64_bits(x: &mut [u64]) {
    sort_f64_bits_to(x, depth_limit(x.len()));
}

/// [`sort_f64_bits`] with the given depth limit.
#[target_feature(enable = "avx512f,popcnt")]
fn sort_f64_bits_to(x: &mut [u64], depth: u32) {
    let n = x.len();
    if n <= SMALL || depth == 0 {
        for b in x.iter_mut() {
            *b = ordered(f64::from_bits(*b));
        }
        qsort::<true>(x, depth);
        return;
    }
    let pivot = pivot_of::<true>(x);
    let k = partition::<true>(x, pivot);
    split::<true>(x, pivot, k, depth);
}

/// The recursion depth after which a range goes to the standard library's sort.
pub(super) fn depth_limit(n: usize) -> u32 {
    2 * (usize::BITS - n.leading_zeros()) + 8
}

/// The key of an `f64` as a vector lane: [`ordered`].
#[target_feature(enable = "avx512f")]
#[inline]
fn to_key(v: V) -> V {
    let sign = _mm512_set1_epi64(i64::MIN);
    _mm512_xor_si512(v, _mm512_or_si512(_mm512_srai_epi64::<63>(v), sign))
}

/// The `f64` bits of a key as a vector lane: [`unordered`].
#[target_feature(enable = "avx512f")]
#[inline]
fn from_key(k: V) -> V {
    let sign = _mm512_set1_epi64(i64::MIN);
    let neg = _mm512_srai_epi64::<63>(_mm512_xor_si512(k, sign));
    _mm512_xor_si512(k, _mm512_or_si512(neg, sign))
}

/// The keys of `x` (finished, in their final places) turned back into `f64` bits if `U`.
fn finish<const U: bool>(x: &mut [u64]) {
    if U {
        for b in x.iter_mut() {
            *b = unordered(*b).to_bits();
        }
    }
}

/// Sorts the keys `x`; if `U`, turns them into `f64` bits as they reach their final places.
#[target_feature(enable = "avx512f,popcnt")]
fn qsort<const U: bool>(x: &mut [u64], depth: u32) {
    let n = x.len();
    if n <= SMALL {
        small::<U>(x);
        return;
    }
    if depth == 0 {
        x.sort_unstable();
        finish::<U>(x);
        return;
    }
    let pivot = pivot_of::<false>(x);
    let k = partition::<false>(x, pivot);
    split::<U>(x, pivot, k, depth);
}

/// The rest of [`qsort`] once `x` is partitioned at `pivot`, `k` keys below it.
#[target_feature(enable = "avx512f,popcnt")]
fn split<const U: bool>(x: &mut [u64], pivot: u64, k: usize, depth: u32) {
    if k == 0 {
        // No key is below the pivot: it is the minimum. Split off the keys equal to it.
        if pivot == u64::MAX {
            finish::<U>(x); // all keys are u64::MAX
            return;
        }
        let e = partition::<false>(x, pivot + 1);
        let (a, b) = x.split_at_mut(e);
        finish::<U>(a);
        qsort::<U>(b, depth - 1);
        return;
    }
    let (a, b) = x.split_at_mut(k);
    qsort::<U>(a, depth - 1);
    qsort::<U>(b, depth - 1);
}

/// The pivot: the median of 8 (or 64, for long ranges) keys spread over `x`
/// (`x.len() > SMALL`); if `M`, `x` holds `f64` bits and the pivot is a key.
#[target_feature(enable = "avx512f,popcnt")]
fn pivot_of<const M: bool>(x: &[u64]) -> u64 {
    let n = x.len();
    if n <= 8 * 1024 {
        let s = n / 8;
        let a: [u64; 8] = std::array::from_fn(|i| x[s / 2 + i * s]);
        let mut v = [load8(&a)];
        if M {
            v[0] = to_key(v[0]);
        }
        sort_regs(&mut v);
        let mut o = [0u64; 8];
        store8(&mut o, v[0]);
        o[4]
    } else {
        let s = n / 64;
        let a: [u64; 64] = std::array::from_fn(|i| x[s / 2 + i * s]);
        let mut v: [V; 8] = std::array::from_fn(|r| load8(&a[8 * r..8 * r + 8]));
        if M {
            v = v.map(|v| to_key(v));
        }
        sort_regs(&mut v);
        let mut o = [0u64; 8];
        store8(&mut o, v[4]);
        o[0]
    }
}

/// Loads `a[0..8]`.
#[target_feature(enable = "avx512f")]
#[inline]
fn load8(a: &[u64]) -> V {
    assert!(a.len() >= 8);
    // SAFETY: `a` has at least 8 elements (checked above); unaligned load.
    unsafe { _mm512_loadu_epi64(a.as_ptr().cast()) }
}

/// Stores `v` to `a[0..8]`.
#[target_feature(enable = "avx512f")]
#[inline]
fn store8(a: &mut [u64], v: V) {
    assert!(a.len() >= 8);
    // SAFETY: `a` has at least 8 elements (checked above); unaligned store.
    unsafe { _mm512_storeu_epi64(a.as_mut_ptr().cast(), v) }
}

/// For each mask of the keys ≥ pivot: the lane order that puts the other keys first, then
/// those (each group in lane order), as eight 4-bit lane numbers (lane i of the result takes
/// the lane in bits 4i..4i + 3).
pub(super) const SPLIT: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut m = 0;
    while m < 256 {
        let mut k = 0;
        let mut high = 0;
        while high < 2 {
            let mut i = 0;
            while i < 8 {
                if (m >> i) & 1 == high {
                    t[m] |= (i as u64) << (4 * k);
                    k += 1;
                }
                i += 1;
            }
            high += 1;
        }
        m += 1;
    }
    t
};

/// One vector of the partition: its keys below the pivot to `p[*l..]`, the others to the
/// end of the free space `p[..*r]`. The vector, its keys below the pivot first, is stored
/// whole at both ends; the lanes outside each side's part land in free space.
///
/// # Safety
/// `p[*l .. *l + 8]` and `p[*r - 8 .. *r]` must be writable and free.
#[target_feature(enable = "avx512f,popcnt")]
#[inline]
unsafe fn put(p: *mut u64, pv: V, v: V, l: &mut usize, r: &mut usize) {
    let ge = _mm512_cmpge_epu64_mask(v, pv);
    let c = ge.count_ones() as usize;
    // The lane numbers, each shifted into the low bits of its lane (the permutation reads
    // only the low 3 bits).
    let idx = _mm512_srlv_epi64(
        _mm512_set1_epi64(SPLIT[ge as usize] as i64),
        _mm512_set_epi64(28, 24, 20, 16, 12, 8, 4, 0),
    );
    let w = _mm512_permutexvar_epi64(idx, v);
    // SAFETY: by the caller's contract both 8-key destinations are free slots inside the
    // slice.
    unsafe {
        _mm512_storeu_epi64(p.add(*l).cast(), w);
        _mm512_storeu_epi64(p.add(*r - 8).cast(), w);
    }
    *l += 8 - c;
    *r -= c;
}

/// Like [`put`] for the lanes of `m` only (`t` = their count), with compress stores.
///
/// # Safety
/// `p[*l .. *l + t - c]` and `p[*r - c .. *r]` (c the keys ≥ pivot) must be writable and free.
#[target_feature(enable = "avx512f,popcnt")]
#[inline]
pub(super) unsafe fn put_masked(
    p: *mut u64,
    pv: V,
    v: V,
    m: u8,
    t: usize,
    l: &mut usize,
    r: &mut usize,
) {
    let ge = _mm512_mask_cmpge_epu64_mask(m, v, pv);
    let c = ge.count_ones() as usize;
    // SAFETY: by the caller's contract both destinations are free slots inside the slice; a
    // compress store writes only the selected lanes, contiguously.
    unsafe {
        _mm512_mask_compressstoreu_epi64(p.add(*l).cast(), !ge & m, v);
        _mm512_mask_compressstoreu_epi64(p.add(*r - c).cast(), ge, v);
    }
    *l += t - c;
    *r -= c;
}

/// Partitions `x` (`x.len() > 2 * BLOCK`) into the keys below `pivot`, then the others;
/// returns the number below. If `M`, `x` holds `f64` bits, turned into keys as they are
/// read.
///
/// Invariant: `x[l..left]` and `x[right..r]` are free (their keys are held in registers or
/// already written), `x[left..right]` is unread, and the free space at the two ends adds up
/// to `2 * BLOCK` between steps. A step reads from the end with less free space, so that end
/// has room for everything it reads and the other end has at least `BLOCK` free; while a step
/// writes its vectors, both ends keep at least 8 free slots for [`put`]'s whole-vector
/// stores (the last of 8 vectors finds at least 64 − 7·8 free at either end), and so does the
/// gap `x[l..r]` while the 16 held vectors are written at the end.
#[target_feature(enable = "avx512f,popcnt")]
fn partition<const M: bool>(x: &mut [u64], pivot: u64) -> usize {
    let n = x.len();
    assert!(n > 2 * BLOCK);
    let p = x.as_mut_ptr();
    let pv = _mm512_set1_epi64(pivot as i64);
    // SAFETY (every raw access below): reads are of `x[left..right]` (unread keys, in
    // bounds as 0 ≤ left ≤ right ≤ n), writes go to the free space `x[l..left]` and
    // `x[right..r]`, which by the invariant above has room for what one vector writes.
    unsafe {
        let ld = |i: usize| {
            let v = _mm512_loadu_epi64(p.add(i).cast::<i64>());
            if M {
                to_key(v)
            } else {
                v
            }
        };
        let first: [V; 8] = std::array::from_fn(|j| ld(8 * j));
        let last: [V; 8] = std::array::from_fn(|j| ld(n - BLOCK + 8 * j));
        let (mut l, mut r) = (0usize, n);
        let (mut left, mut right) = (BLOCK, n - BLOCK);
        let rest = right - left;
        // The keys beyond a multiple of the block, read from the front in eight masked
        // vectors (some empty) and written with compress stores: no branch on their count.
        // (`base + 56 < n`, so every address formed is inside `x`; the masked-off lanes are
        // not accessed.) The front then has `BLOCK + rem` free, the back `BLOCK ≥ rem`.
        let rem = rest % BLOCK;
        let base = left;
        left += rem;
        for j in 0..8 {
            let t = rem.saturating_sub(8 * j).min(8);
            let m = ((1u32 << t) - 1) as u8;
            let v = _mm512_maskz_loadu_epi64(m, p.add(base + 8 * j).cast::<i64>());
            let v = if M { to_key(v) } else { v };
            put_masked(p, pv, v, m, t, &mut l, &mut r);
        }
        // Blocks.
        while left < right {
            let (at, ahead) = if left - l <= r - right {
                left += BLOCK;
                (left - BLOCK, (left - BLOCK).wrapping_add(PREFETCH))
            } else {
                right -= BLOCK;
                (right, right.wrapping_sub(PREFETCH))
            };
            let b: [V; 8] = std::array::from_fn(|j| ld(at + 8 * j));
            for j in 0..8 {
                // A hint only: never faults, whatever the address.
                _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(ahead.wrapping_add(8 * j)).cast());
            }
            for v in b {
                put(p, pv, v, &mut l, &mut r);
            }
        }
        for v in first.into_iter().chain(last) {
            put(p, pv, v, &mut l, &mut r);
        }
        debug_assert_eq!(l, r);
        l
    }
}

// ---------------------------------------------------------------------------------------
// Sorting networks in registers.

/// Compare-exchange of lane `i` with lane `i ^ C` inside `v` (the smaller to the lower lane),
/// `q` being `v` with those lanes swapped.
#[target_feature(enable = "avx512f")]
#[inline]
fn cx_with<const C: usize>(v: V, q: V) -> V {
    let hb = usize::BITS - 1 - C.leading_zeros();
    let mut m = 0u8;
    for i in 0..8 {
        if (i >> hb) & 1 == 1 {
            m |= 1 << i;
        }
    }
    let mn = _mm512_min_epu64(v, q);
    _mm512_mask_max_epu64(mn, m, v, q)
}

/// Lanes swapped pairwise (0↔1, 2↔3, ...).
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn swap1(v: V) -> V {
    _mm512_shuffle_epi32::<0b0100_1110>(v)
}

/// Lanes 0..3 reversed, and 4..7.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn rev4(v: V) -> V {
    _mm512_permutex_epi64::<0b0001_1011>(v)
}

/// Lane pairs swapped at distance 2 (0↔2, 1↔3, ...).
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn swap2(v: V) -> V {
    _mm512_permutex_epi64::<0b0100_1110>(v)
}

/// Halves swapped (lane i ↔ i + 4).
#[target_feature(enable = "avx512f")]
#[inline]
fn swap4(v: V) -> V {
    _mm512_shuffle_i64x2::<0b0100_1110>(v, v)
}

/// All 8 lanes reversed.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn rev8(v: V) -> V {
    _mm512_permutexvar_epi64(_mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7), v)
}

/// Sorts the 8 lanes of `v`.
#[target_feature(enable = "avx512f")]
#[inline]
fn sort8(v: V) -> V {
    let v = cx_with::<1>(v, swap1(v));
    let v = cx_with::<3>(v, rev4(v));
    let v = cx_with::<1>(v, swap1(v));
    let v = cx_with::<7>(v, rev8(v));
    clean8(v)
}

/// The last three steps of a bitonic merge inside a register (distances 4, 2, 1).
#[target_feature(enable = "avx512f")]
#[inline]
fn clean8(v: V) -> V {
    let v = cx_with::<4>(v, swap4(v));
    let v = cx_with::<2>(v, swap2(v));
    cx_with::<1>(v, swap1(v))
}

/// Sorts the `8 * R` keys in `v` (R a power of two), ascending in register then lane order.
#[target_feature(enable = "avx512f")]
#[inline]
fn sort_regs<const R: usize>(v: &mut [V; R]) {
    for r in v.iter_mut() {
        *r = sort8(*r);
    }
    let mut b = 2; // registers per merged block
    while b <= R {
        // Each block's first half against its second half reversed.
        for s in (0..R).step_by(b) {
            for i in 0..b / 2 {
                let a = v[s + i];
                let c = rev8(v[s + b - 1 - i]);
                v[s + i] = _mm512_min_epu64(a, c);
                v[s + b - 1 - i] = rev8(_mm512_max_epu64(a, c));
            }
        }
        // Half-cleaners across registers.
        let mut d = b / 4;
        while d >= 1 {
            for i in 0..R {
                if i & d == 0 {
                    let (a, c) = (v[i], v[i + d]);
                    v[i] = _mm512_min_epu64(a, c);
                    v[i + d] = _mm512_max_epu64(a, c);
                }
            }
            d /= 2;
        }
        for r in v.iter_mut() {
            *r = clean8(*r);
        }
        b *= 2;
    }
}

/// Compare-exchange of registers `i < j`, lane by lane (the smaller to `i`).
#[target_feature(enable = "avx512f")]
#[inline]
fn coex<const R: usize>(v: &mut [V; R], i: usize, j: usize) {
    let (a, c) = (v[i], v[j]);
    v[i] = _mm512_min_epu64(a, c);
    v[j] = _mm512_max_epu64(a, c);
}

/// Registers `i` and `i + D` compared for every `i` with bit `D` clear (a half-cleaner step
/// across registers). One loop of constant length, so that it unrolls and `v` stays in
/// registers.
#[target_feature(enable = "avx512f")]
#[inline]
fn clean_regs<const R: usize, const D: usize>(v: &mut [V; R]) {
    for k in 0..R / 2 {
        let i = (k / D) * 2 * D + k % D;
        coex(v, i, i + D);
    }
}

/// In each block of `B` registers, register `i` compared with register `B - 1 - i` (the
/// first step of a bitonic merge of the block's halves, column by column).
#[target_feature(enable = "avx512f")]
#[inline]
fn flip_regs<const R: usize, const B: usize>(v: &mut [V; R]) {
    for k in 0..R / 2 {
        let (s, i) = ((k / (B / 2)) * B, k % (B / 2));
        coex(v, s + i, s + B - 1 - i);
    }
}

/// Half-cleaners across registers at distances `R/2, ..., 1` (`R` at most 16).
#[target_feature(enable = "avx512f")]
#[inline]
fn clean_all<const R: usize>(v: &mut [V; R]) {
    if R >= 16 {
        clean_regs::<R, 8>(v);
    }
    if R >= 8 {
        clean_regs::<R, 4>(v);
    }
    if R >= 4 {
        clean_regs::<R, 2>(v);
    }
    if R >= 2 {
        clean_regs::<R, 1>(v);
    }
}

/// The lanes `j` reversed inside each group of `2 * S` lanes.
#[target_feature(enable = "avx512f")]
#[inline]
fn rev_group<const S: usize>(v: V) -> V {
    match S {
        1 => swap1(v),
        2 => rev4(v),
        _ => rev8(v),
    }
}

/// The lanes in the upper half of each group of `2 * S` lanes.
pub(super) const fn upper<const S: usize>() -> u8 {
    match S {
        1 => 0xaa,
        2 => 0xcc,
        _ => 0xf0,
    }
}

/// One merge step of [`sort_cols`]: in each group of `2 * S` lanes, the two sorted sequences
/// of its halves (`S` lanes each, read column by column: lane, then register) become one
/// sorted sequence read the same way. A bitonic merge: the first sequence against the
/// second reversed (register `r` against register `R - 1 - r` reversed in the group), then
/// half-cleaners at distances `S·R/2, ..., R` (lanes `S/2, ..., 1` apart in a register) and
/// `R/2, ..., 1` (registers apart).
#[target_feature(enable = "avx512f")]
#[inline]
fn merge_cols<const R: usize, const S: usize>(v: &mut [V; R]) {
    let up = upper::<S>();
    for r in 0..R / 2 {
        let a = v[r];
        let c = rev_group::<S>(v[R - 1 - r]);
        let mn = _mm512_min_epu64(a, c);
        let mx = _mm512_max_epu64(a, c);
        // In the lower half of a group the pair's lower element is in register r, in the upper
        // half in register R - 1 - r.
        v[r] = _mm512_mask_mov_epi64(mn, up, mx);
        v[R - 1 - r] = rev_group::<S>(_mm512_mask_mov_epi64(mx, up, mn));
    }
    if S >= 4 {
        for r in v.iter_mut() {
            *r = cx_with::<2>(*r, swap2(*r));
        }
    }
    if S >= 2 {
        for r in v.iter_mut() {
            *r = cx_with::<1>(*r, swap1(*r));
        }
    }
    clean_all(v);
}

/// Transposes the 8×8 block of keys in `v[8k..8k + 8]` (register i, lane j ↔ register j,
/// lane i).
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn transpose8<const R: usize>(v: &mut [V; R], k: usize) {
    let r: [V; 8] = std::array::from_fn(|i| v[8 * k + i]);
    // Pairs of rows, interleaved: a[2i] has the even columns of rows 2i and 2i + 1, a[2i + 1]
    // the odd ones.
    let a: [V; 8] = std::array::from_fn(|i| {
        let (x, y) = (r[i & !1], r[i | 1]);
        if i & 1 == 0 {
            _mm512_unpacklo_epi64(x, y)
        } else {
            _mm512_unpackhi_epi64(x, y)
        }
    });
    // Quads of rows: b[4h + c] (c < 4) holds rows 4h..4h + 3 of columns c and c + 4.
    let lo = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    let hi = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    let b: [V; 8] = std::array::from_fn(|i| {
        let (h, c) = (i / 4, i % 4);
        let (x, y) = (a[4 * h + (c & 1)], a[4 * h + 2 + (c & 1)]);
        _mm512_permutex2var_epi64(x, if c < 2 { lo } else { hi }, y)
    });
    for c in 0..8 {
        let (x, y) = (b[c % 4], b[4 + c % 4]);
        v[8 * k + c] = if c < 4 {
            _mm512_shuffle_i64x2::<0x44>(x, y)
        } else {
            _mm512_shuffle_i64x2::<0xee>(x, y)
        };
    }
}

/// Sorts the `8 * R` keys in `v` (R = 8 or 16) column by column and then by merging
/// columns (x86-simd-sort's layout): the columns (each lane down the registers) are sorted by
/// a bitonic network of lane-wise minima and maxima, then groups of 1, 2, 4 columns are
/// merged by [`merge_cols`], which leaves the keys sorted in column order; 8×8 transposes
/// put them in register order.
#[target_feature(enable = "avx512f")]
#[inline]
fn sort_cols<const R: usize>(v: &mut [V; R]) {
    // The columns: a bitonic sorting network on the registers (R = 8 or 16).
    flip_regs::<R, 2>(v);
    flip_regs::<R, 4>(v);
    clean_regs::<R, 1>(v);
    flip_regs::<R, 8>(v);
    clean_regs::<R, 2>(v);
    clean_regs::<R, 1>(v);
    if R >= 16 {
        flip_regs::<R, 16>(v);
        clean_regs::<R, 4>(v);
        clean_regs::<R, 2>(v);
        clean_regs::<R, 1>(v);
    }
    merge_cols::<R, 1>(v);
    merge_cols::<R, 2>(v);
    merge_cols::<R, 4>(v);
    // Key p of the sorted order is in lane p / R, register p % R; it goes to register p / 8,
    // lane p % 8: register q of the result is column q / (R/8), rows 8·(q % (R/8)) onwards.
    for k in 0..R / 8 {
        transpose8(v, k);
    }
    let t = *v;
    for (q, o) in v.iter_mut().enumerate() {
        *o = t[8 * (q % (R / 8)) + q / (R / 8)];
    }
}

/// Sorts `x` (at most `8 * R` keys) through `R` registers padded with `u64::MAX`; if `U`,
/// stores them as `f64` bits.
#[target_feature(enable = "avx512f")]
#[inline]
fn small_n<const R: usize, const U: bool>(x: &mut [u64]) {
    let n = x.len();
    assert!(n <= 8 * R);
    let p = x.as_mut_ptr();
    let pad = _mm512_set1_epi64(-1);
    let mask = |r: usize| -> u8 {
        let k = n.saturating_sub(8 * r).min(8);
        ((1u32 << k) - 1) as u8
    };
    // SAFETY: the mask of register r selects lanes 8r + j < n only, inside `x`; masked-off
    // lanes are not accessed (and do not fault); `wrapping_add` because 8r may lie past the
    // end when the mask is empty.
    let mut v: [V; R] = std::array::from_fn(|r| unsafe {
        _mm512_mask_loadu_epi64(pad, mask(r), p.wrapping_add(8 * r).cast::<i64>())
    });
    if R >= 8 {
        sort_cols(&mut v);
    } else {
        sort_regs(&mut v);
    }
    for (r, v) in v.iter().enumerate() {
        let v = if U { from_key(*v) } else { *v };
        // SAFETY: as for the loads.
        unsafe { _mm512_mask_storeu_epi64(p.wrapping_add(8 * r).cast::<i64>(), mask(r), v) };
    }
}

/// Sorts `x` (at most [`SMALL`] keys); if `U`, stores them as `f64` bits.
#[target_feature(enable = "avx512f")]
pub(super) fn small<const U: bool>(x: &mut [u64]) {
    match x.len() {
        0 => {}
        1..=8 => small_n::<1, U>(x),
        9..=16 => small_n::<2, U>(x),
        17..=32 => small_n::<4, U>(x),
        33..=64 => small_n::<8, U>(x),
        _ => small_n::<16, U>(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The depth limit's fallback and the split of keys equal to a minimal pivot, which the
    /// full-depth sort rarely reaches on the integration tests' inputs.
    #[test]
    fn every_depth_sorts() {
        if !super::super::sort_uses_avx512() {
            return;
        }
        let mut next = super::super::xorshift(0x9e37_79b9_7f4a_7c15u64);
        for n in [0usize, 1, 9, 129, 200, 1000, 5000, 40_000] {
            let inputs: Vec<Vec<u64>> = vec![
                (0..n).map(|_| next()).collect(),
                (0..n).map(|_| next() % 3).collect(),
                (0..n)
                    .map(|i| if i % 5 == 0 { 0 } else { u64::MAX })
                    .collect(),
                vec![u64::MAX; n],
            ];
            for x in inputs {
                let mut want = x.clone();
                want.sort_unstable();
                // The same bits as f64 values (NaNs of both signs among them).
                let mut want_f: Vec<f64> = x.iter().map(|&b| f64::from_bits(b)).collect();
                want_f.sort_unstable_by(f64::total_cmp);
                let want_f: Vec<u64> = want_f.iter().map(|v| v.to_bits()).collect();
                for depth in [0, 1, 2, 5, 64] {
                    let mut y = x.clone();
                    // SAFETY: the CPU has AVX-512F and POPCNT (checked above).
                    unsafe { qsort::<false>(&mut y, depth) };
                    assert_eq!(y, want, "n {n} depth {depth}");
                    let mut y = x.clone();
                    // SAFETY: as above.
                    unsafe { sort_f64_bits_to(&mut y, depth) };
                    assert_eq!(y, want_f, "f64: n {n} depth {depth}");
                }
            }
        }
    }
}
