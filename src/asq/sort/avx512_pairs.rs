//! The AVX-512 quicksort of [`super::avx512`] for (key, weight) pairs held in two parallel
//! arrays: the same partition (each weight vector permuted and stored like its key vector),
//! the same pivots, equal-key split and depth limit, and column-first networks of up to 64
//! pairs in which every exchange of keys moves their weights along (a mask of the lanes whose
//! keys changed places selects the weights). Keys equal to one another may come out with
//! their weights in any order; the caller puts each run of equal keys in weight order.

use super::avx512::{
    depth_limit, put_masked, rev4, rev8, swap1, swap2, transpose8, upper, SPLIT, V,
};
use std::arch::x86_64::*;

/// Ranges of at most this many pairs are sorted by the network.
const SMALL: usize = 64;
/// Pairs in one unrolled partition block (four vectors of keys, four of weights).
const BLOCK: usize = 32;
/// How far ahead of a block (in pairs) the partition asks for the next ones on its side.
const PREFETCH: usize = 16 * BLOCK;

/// Sorts the keys `k` ascending and applies the same permutation to `w`.
///
/// Keys equal to `u64::MAX` must not occur (the network pads with that key).
///
/// # Safety
/// The CPU must have AVX-512F and POPCNT.
#[target_feature(enable = "avx512f,popcnt")]
pub(super) unsafe fn sort_pairs(k: &mut [u64], w: &mut [u64]) {
    assert_eq!(k.len(), w.len());
    debug_assert!(!k.contains(&u64::MAX));
    qsort(k, w, depth_limit(k.len()));
}

#[target_feature(enable = "avx512f,popcnt")]
fn qsort(k: &mut [u64], w: &mut [u64], depth: u32) {
    let n = k.len();
    if n <= SMALL {
        small(k, w);
        return;
    }
    if depth == 0 {
        let mut p: Vec<(u64, u64)> = k.iter().copied().zip(w.iter().copied()).collect();
        p.sort_unstable_by_key(|q| q.0);
        for ((k, w), q) in k.iter_mut().zip(w.iter_mut()).zip(p) {
            (*k, *w) = q;
        }
        return;
    }
    let pivot = pivot_of(k);
    let below = partition(k, w, pivot);
    if below == 0 {
        // The pivot is the minimum: split off the keys equal to it (pivot < u64::MAX).
        let e = partition(k, w, pivot + 1);
        qsort(&mut k[e..], &mut w[e..], depth - 1);
        return;
    }
    let (ka, kb) = k.split_at_mut(below);
    let (wa, wb) = w.split_at_mut(below);
    qsort(ka, wa, depth - 1);
    qsort(kb, wb, depth - 1);
}

/// The median of 8 keys spread over `k`.
#[target_feature(enable = "avx512f,popcnt")]
fn pivot_of(k: &[u64]) -> u64 {
    let s = k.len() / 8;
    let mut a: [u64; 8] = std::array::from_fn(|i| k[s / 2 + i * s]);
    a.sort_unstable();
    a[4]
}

/// One key vector and its weight vector of the partition: the pairs with keys below the pivot
/// to `[*l..]`, the others to the end of the free space `[..*r]`, both arrays alike (whole
/// vectors at both ends, as in [`super::avx512`]).
///
/// # Safety
/// `[*l .. *l + 8]` and `[*r - 8 .. *r]` must be free slots of both arrays.
#[target_feature(enable = "avx512f,popcnt")]
#[inline]
unsafe fn put2(pk: *mut u64, pw: *mut u64, pv: V, k: V, w: V, l: &mut usize, r: &mut usize) {
    let ge = _mm512_cmpge_epu64_mask(k, pv);
    let c = ge.count_ones() as usize;
    let idx = _mm512_srlv_epi64(
        _mm512_set1_epi64(SPLIT[ge as usize] as i64),
        _mm512_set_epi64(28, 24, 20, 16, 12, 8, 4, 0),
    );
    let k = _mm512_permutexvar_epi64(idx, k);
    let w = _mm512_permutexvar_epi64(idx, w);
    // SAFETY: by the caller's contract both 8-slot destinations are free in both arrays.
    unsafe {
        _mm512_storeu_epi64(pk.add(*l).cast(), k);
        _mm512_storeu_epi64(pk.add(*r - 8).cast(), k);
        _mm512_storeu_epi64(pw.add(*l).cast(), w);
        _mm512_storeu_epi64(pw.add(*r - 8).cast(), w);
    }
    *l += 8 - c;
    *r -= c;
}

/// Partitions the pairs (`k.len() > 2 * BLOCK`) into those with keys below `pivot`, then
/// the others; returns the number below. The invariant and the free-space argument are those
/// of [`super::avx512`]'s partition with a block of 32 pairs: the free space at the two ends
/// adds up to `2 * BLOCK` between steps, a step reads from the end with less, and both ends
/// keep at least 8 free slots while a step writes (32 − 3·8 ≥ 8).
#[target_feature(enable = "avx512f,popcnt")]
fn partition(k: &mut [u64], w: &mut [u64], pivot: u64) -> usize {
    let n = k.len();
    assert!(n > 2 * BLOCK && w.len() == n);
    let (pk, pw) = (k.as_mut_ptr(), w.as_mut_ptr());
    let pv = _mm512_set1_epi64(pivot as i64);
    // SAFETY (every raw access below): reads are of `[left..right]` (unread pairs, in bounds
    // as 0 ≤ left ≤ right ≤ n), writes go to the free space `[l..left]` and `[right..r]` of
    // both arrays, which by the invariant has room for what one vector writes.
    unsafe {
        let ld = |p: *mut u64, i: usize| _mm512_loadu_epi64(p.add(i).cast::<i64>());
        let first: [(V, V); 4] = std::array::from_fn(|j| (ld(pk, 8 * j), ld(pw, 8 * j)));
        let last: [(V, V); 4] = std::array::from_fn(|j| {
            let i = n - BLOCK + 8 * j;
            (ld(pk, i), ld(pw, i))
        });
        let (mut l, mut r) = (0usize, n);
        let (mut left, mut right) = (BLOCK, n - BLOCK);
        // The pairs beyond a multiple of the block, from the front, in four masked vectors
        // (`left + 24 < n`, so every address formed is inside the arrays).
        let rem = (right - left) % BLOCK;
        let base = left;
        left += rem;
        for j in 0..4 {
            let t = rem.saturating_sub(8 * j).min(8);
            let m = ((1u32 << t) - 1) as u8;
            let kv = _mm512_maskz_loadu_epi64(m, pk.add(base + 8 * j).cast::<i64>());
            let wv = _mm512_maskz_loadu_epi64(m, pw.add(base + 8 * j).cast::<i64>());
            // The weights go where their keys go: the same masks, l and r advanced once.
            let ge = _mm512_mask_cmpge_epu64_mask(m, kv, pv);
            let c = ge.count_ones() as usize;
            _mm512_mask_compressstoreu_epi64(pw.add(l).cast(), !ge & m, wv);
            _mm512_mask_compressstoreu_epi64(pw.add(r - c).cast(), ge, wv);
            put_masked(pk, pv, kv, m, t, &mut l, &mut r);
        }
        while left < right {
            let (at, ahead) = if left - l <= r - right {
                left += BLOCK;
                (left - BLOCK, (left - BLOCK).wrapping_add(PREFETCH))
            } else {
                right -= BLOCK;
                (right, right.wrapping_sub(PREFETCH))
            };
            let b: [(V, V); 4] = std::array::from_fn(|j| (ld(pk, at + 8 * j), ld(pw, at + 8 * j)));
            for j in 0..4 {
                // Hints only: never fault, whatever the address.
                let a = ahead.wrapping_add(8 * j);
                _mm_prefetch::<_MM_HINT_T0>(pk.wrapping_add(a).cast());
                _mm_prefetch::<_MM_HINT_T0>(pw.wrapping_add(a).cast());
            }
            for (kv, wv) in b {
                put2(pk, pw, pv, kv, wv, &mut l, &mut r);
            }
        }
        for (kv, wv) in first.into_iter().chain(last) {
            put2(pk, pw, pv, kv, wv, &mut l, &mut r);
        }
        debug_assert_eq!(l, r);
        l
    }
}

/// Compare-exchange of registers `i < j` lane by lane, weights following their keys.
#[target_feature(enable = "avx512f")]
#[inline]
fn coex2(k: &mut [V; 8], w: &mut [V; 8], i: usize, j: usize) {
    let (a, b) = (k[i], k[j]);
    let swap = _mm512_cmpgt_epu64_mask(a, b);
    k[i] = _mm512_min_epu64(a, b);
    k[j] = _mm512_max_epu64(a, b);
    let (x, y) = (w[i], w[j]);
    w[i] = _mm512_mask_mov_epi64(x, swap, y);
    w[j] = _mm512_mask_mov_epi64(y, swap, x);
}

/// Lane `i` against lane `i ^ C` of each register (the smaller key to the lower lane), `qk`
/// and `qw` being the keys and weights with those lanes swapped; `up` the lanes that take the
/// larger key.
#[target_feature(enable = "avx512f")]
#[inline]
fn cx2(k: V, w: V, qk: V, qw: V, up: u8) -> (V, V) {
    // A lane takes its partner's pair if the partner's key belongs there strictly.
    let take = (_mm512_cmplt_epu64_mask(qk, k) & !up) | (_mm512_cmpgt_epu64_mask(qk, k) & up);
    (
        _mm512_mask_mov_epi64(k, take, qk),
        _mm512_mask_mov_epi64(w, take, qw),
    )
}

/// [`super::avx512`]'s column merge step for groups of `2 * S` lanes, weights following.
#[target_feature(enable = "avx512f")]
#[inline]
fn merge_cols2<const S: usize>(k: &mut [V; 8], w: &mut [V; 8]) {
    let up = upper::<S>();
    let rev = |v: V| match S {
        1 => swap1(v),
        2 => rev4(v),
        _ => rev8(v),
    };
    for r in 0..4 {
        let (a, wa) = (k[r], w[r]);
        let (c, wc) = (rev(k[7 - r]), rev(w[7 - r]));
        // Register r keeps the lower key of each pair in the lower half of a group and the
        // higher in the upper half; it takes c's pair where that one belongs there strictly.
        let take = (_mm512_cmplt_epu64_mask(c, a) & !up) | (_mm512_cmpgt_epu64_mask(c, a) & up);
        k[r] = _mm512_mask_mov_epi64(a, take, c);
        w[r] = _mm512_mask_mov_epi64(wa, take, wc);
        k[7 - r] = rev(_mm512_mask_mov_epi64(c, take, a));
        w[7 - r] = rev(_mm512_mask_mov_epi64(wc, take, wa));
    }
    if S >= 4 {
        for r in 0..8 {
            (k[r], w[r]) = cx2(k[r], w[r], swap2(k[r]), swap2(w[r]), 0xcc);
        }
    }
    if S >= 2 {
        for r in 0..8 {
            (k[r], w[r]) = cx2(k[r], w[r], swap1(k[r]), swap1(w[r]), 0xaa);
        }
    }
    for d in [4, 2, 1] {
        for q in 0..4 {
            let i = (q / d) * 2 * d + q % d;
            coex2(k, w, i, i + d);
        }
    }
}

/// Sorts up to 64 pairs (`k.len() <= 64`) in 8 registers of keys padded with `u64::MAX`
/// and 8 of weights: columns by a bitonic network, then columns merged, then transposed
/// (as [`super::avx512`]'s `sort_cols`).
#[target_feature(enable = "avx512f")]
fn small(k: &mut [u64], w: &mut [u64]) {
    let n = k.len();
    assert!(n <= SMALL && w.len() == n);
    if n <= 1 {
        return;
    }
    let (pk, pw) = (k.as_mut_ptr(), w.as_mut_ptr());
    let mask = |r: usize| -> u8 {
        let t = n.saturating_sub(8 * r).min(8);
        ((1u32 << t) - 1) as u8
    };
    let pad = _mm512_set1_epi64(-1);
    // SAFETY: register r's mask selects lanes 8r + j < n only, inside both arrays; masked-off
    // lanes are not accessed; `wrapping_add` because 8r may lie past the end when the mask is
    // empty.
    let mut kv: [V; 8] = std::array::from_fn(|r| unsafe {
        _mm512_mask_loadu_epi64(pad, mask(r), pk.wrapping_add(8 * r).cast::<i64>())
    });
    // SAFETY: as above.
    let mut wv: [V; 8] = std::array::from_fn(|r| unsafe {
        _mm512_maskz_loadu_epi64(mask(r), pw.wrapping_add(8 * r).cast::<i64>())
    });
    // Bitonic sort of the columns.
    for b in [2usize, 4, 8] {
        for q in 0..4 {
            let (s, i) = ((q / (b / 2)) * b, q % (b / 2));
            coex2(&mut kv, &mut wv, s + i, s + b - 1 - i);
        }
        for d in [2usize, 1] {
            if d < b / 2 {
                for q in 0..4 {
                    let i = (q / d) * 2 * d + q % d;
                    coex2(&mut kv, &mut wv, i, i + d);
                }
            }
        }
    }
    merge_cols2::<1>(&mut kv, &mut wv);
    merge_cols2::<2>(&mut kv, &mut wv);
    merge_cols2::<4>(&mut kv, &mut wv);
    transpose8(&mut kv, 0);
    transpose8(&mut wv, 0);
    for r in 0..8 {
        // SAFETY: as for the loads.
        unsafe {
            _mm512_mask_storeu_epi64(pk.wrapping_add(8 * r).cast::<i64>(), mask(r), kv[r]);
            _mm512_mask_storeu_epi64(pw.wrapping_add(8 * r).cast::<i64>(), mask(r), wv[r]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs at every depth limit (the fallback and the equal-key split included): keys
    /// sorted, every (key, weight) pair kept.
    #[test]
    fn pairs_at_every_depth() {
        if !super::super::sort_uses_avx512() {
            return;
        }
        let mut next = super::super::xorshift(0x2545_f491_4f6c_dd1du64);
        for n in [0usize, 1, 2, 7, 9, 33, 64, 65, 100, 129, 1000, 5003, 40_000] {
            let inputs: Vec<Vec<u64>> = vec![
                (0..n).map(|_| next() >> 1).collect(),
                (0..n).map(|_| next() % 3).collect(),
                (0..n).map(|i| (i % 7) as u64).collect(),
                vec![5; n],
                (0..n as u64).rev().collect(),
            ];
            for keys in inputs {
                let weights: Vec<u64> = (0..n as u64).collect();
                let mut want: Vec<(u64, u64)> =
                    keys.iter().copied().zip(weights.iter().copied()).collect();
                want.sort_unstable();
                for depth in [0, 1, 3, 64] {
                    let (mut k, mut w) = (keys.clone(), weights.clone());
                    // SAFETY: the CPU has AVX-512F and POPCNT (checked above).
                    unsafe { qsort(&mut k, &mut w, depth) };
                    let mut got: Vec<(u64, u64)> = k.iter().copied().zip(w).collect();
                    assert!(k.windows(2).all(|p| p[0] <= p[1]), "n {n} depth {depth}");
                    got.sort_unstable();
                    assert_eq!(got, want, "n {n} depth {depth}");
                }
            }
        }
    }
}
