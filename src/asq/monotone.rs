//! Row minima of a monotone matrix by divide and conquer: the middle row is scanned over the
//! columns its neighbours allow, then each half recurses on its side of that minimum.
//!
//! O((rows + cols)·log rows) evaluations against SMAWK's O(rows + cols), but every evaluation
//! sits in a straight scan over contiguous records with a predictable branch, while SMAWK's
//! REDUCE step branches on data at every evaluation. Measured at d = 2^20 (docs/asq.md) the two
//! are about even: the scan used 20% less CPU single-threaded, SMAWK was 6% faster in wall
//! time on two busy cores. The exact solver uses the scan (it also takes Knuth's lower bound
//! from the previous layer) and keeps SMAWK selectable.

/// Row minima where row `r` may only use columns `lo_of(r)..=hi_of(r)` (both non-decreasing,
/// `lo_of(r) ≤ hi_of(r) < cols.len()`), writing positions into `pos` and minima into `val`.
/// The minimising columns must be monotone (a totally monotone matrix); `lo_of` may cut off
/// columns only where some minimum lies at or right of the cut. Halves of large problems run
/// on two threads; the result does not depend on the thread count.
pub(crate) fn monotone_minima<R, C, F, L, H>(
    rows: &[R],
    cols: &[C],
    f: &F,
    lo_of: &L,
    hi_of: &H,
    pos: &mut [u32],
    val: &mut [f64],
) where
    R: Copy + Sync,
    C: Copy + Sync,
    F: Fn(&R, &C) -> f64 + Sync,
    L: Fn(usize) -> usize + Sync,
    H: Fn(usize) -> usize + Sync,
{
    if rows.is_empty() || cols.is_empty() {
        return;
    }
    let parallel = rayon::current_num_threads() > 1;
    let b = Bounds { lo_of, hi_of };
    rec(rows, 0, cols, 0, cols.len() - 1, f, &b, pos, val, parallel);
}

/// Per-row column limits.
struct Bounds<'a, L, H> {
    lo_of: &'a L,
    hi_of: &'a H,
}

#[allow(clippy::too_many_arguments)]
fn rec<R, C, F, L, H>(
    rows: &[R],
    r0: usize,
    cols: &[C],
    lo: usize,
    hi: usize,
    f: &F,
    b: &Bounds<'_, L, H>,
    pos: &mut [u32],
    val: &mut [f64],
    parallel: bool,
) where
    R: Copy + Sync,
    C: Copy + Sync,
    F: Fn(&R, &C) -> f64 + Sync,
    L: Fn(usize) -> usize + Sync,
    H: Fn(usize) -> usize + Sync,
{
    if rows.is_empty() {
        return;
    }
    let mid = rows.len() / 2;
    let row = &rows[mid];
    let top = hi.min((b.hi_of)(r0 + mid));
    let bottom = lo.max((b.lo_of)(r0 + mid)).min(top);
    let (best, bv) = scan(row, &cols[bottom..=top], f);
    let best = bottom + best;
    pos[mid] = best as u32;
    val[mid] = bv;
    let (rl, rr) = rows.split_at(mid);
    let rr = &rr[1..];
    let (pl, pr) = pos.split_at_mut(mid);
    let (vl, vr) = val.split_at_mut(mid);
    let (pr, vr) = (&mut pr[1..], &mut vr[1..]);
    // Splitting only large halves keeps the task count small and the threads busy.
    if parallel && rows.len() >= 1 << 14 {
        rayon::join(
            || rec(rl, r0, cols, lo, best, f, b, pl, vl, true),
            || rec(rr, r0 + mid + 1, cols, best, hi, f, b, pr, vr, true),
        );
    } else {
        rec(rl, r0, cols, lo, best, f, b, pl, vl, false);
        rec(rr, r0 + mid + 1, cols, best, hi, f, b, pr, vr, false);
    }
}

/// Leftmost minimum of `f(row, ·)` over `cols` (non-empty): position and value.
///
/// Four independent running minima break the compare-and-select dependency chain that
/// otherwise bounds the loop; each lane keeps its leftmost minimum and the final merge
/// prefers the smaller position on equal values, so the result is the plain scan's.
#[inline]
fn scan<R, C, F: Fn(&R, &C) -> f64>(row: &R, cols: &[C], f: &F) -> (usize, f64) {
    let mut bv = [f64::INFINITY; 4];
    let mut bi = [0usize; 4];
    let mut chunks = cols.chunks_exact(4);
    let mut base = 0usize;
    for c in &mut chunks {
        for lane in 0..4 {
            let v = f(row, &c[lane]);
            if v < bv[lane] {
                bv[lane] = v;
                bi[lane] = base + lane;
            }
        }
        base += 4;
    }
    for (k, col) in chunks.remainder().iter().enumerate() {
        let v = f(row, col);
        if v < bv[k] {
            bv[k] = v;
            bi[k] = base + k;
        }
    }
    let (mut best, mut val) = (usize::MAX, f64::INFINITY);
    for lane in 0..4 {
        if bv[lane] < val || (bv[lane] == val && bi[lane] < best) {
            val = bv[lane];
            best = bi[lane];
        }
    }
    if best == usize::MAX {
        // Every entry is +inf: the leftmost column.
        (0, f64::INFINITY)
    } else {
        (best, val)
    }
}
