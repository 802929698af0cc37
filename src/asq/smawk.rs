//! SMAWK (Aggarwal, Klawe, Moran, Shor, Wilber 1987): leftmost row minima of a totally
//! monotone implicit matrix in O(rows + columns) evaluations.
//!
//! Rows and columns are small `Copy` records rather than indices, and every recursion level
//! copies the records it keeps into fresh contiguous vectors: an evaluation then reads only
//! memory that is already streaming through the cache, which on a 2^20-point problem is the
//! difference between a handful of nanoseconds and a cache miss per evaluation.

/// Leftmost row minima: for every row `r`, `pos[r]` is the position in `cols` of its leftmost
/// minimum and `val[r]` that minimum. `f` must be totally monotone (the leftmost minimising
/// column never moves left as the row advances); entries may be `+inf`, never NaN.
pub(crate) fn row_minima<R, C, F>(rows: &[R], cols: &[C], f: &F, pos: &mut [u32], val: &mut [f64])
where
    R: Copy,
    C: Copy,
    F: Fn(&R, &C) -> f64,
{
    if rows.is_empty() {
        return;
    }
    if cols.is_empty() {
        val[..rows.len()].fill(f64::INFINITY);
        pos[..rows.len()].fill(0);
        return;
    }
    rec(rows, cols, f, pos, val);
}

/// As [`row_minima`], splitting the rows in two halves solved on two threads (rayon) when
/// the problem is large: the leftmost minimum of the middle row, found by a scan, bounds the
/// columns of each half. The result does not depend on the thread count.
pub(crate) fn row_minima_par<R, C, F>(
    rows: &[R],
    cols: &[C],
    f: &F,
    pos: &mut [u32],
    val: &mut [f64],
) where
    R: Copy + Sync,
    C: Copy + Sync,
    F: Fn(&R, &C) -> f64 + Sync,
{
    const MIN_SPLIT: usize = 1 << 15;
    if rows.len() < MIN_SPLIT || cols.len() < MIN_SPLIT || rayon::current_num_threads() < 2 {
        return row_minima(rows, cols, f, pos, val);
    }
    let mid = rows.len() / 2;
    let (mut best, mut bv) = (0usize, f(&rows[mid], &cols[0]));
    for (c, col) in cols.iter().enumerate().skip(1) {
        let v = f(&rows[mid], col);
        if v < bv {
            bv = v;
            best = c;
        }
    }
    let (rl, rr) = rows.split_at(mid);
    let (pl, pr) = pos.split_at_mut(mid);
    let (vl, vr) = val.split_at_mut(mid);
    rayon::join(
        || row_minima(rl, &cols[..=best], f, pl, vl),
        || {
            row_minima(rr, &cols[best..], f, pr, vr);
            for p in pr.iter_mut() {
                *p += best as u32;
            }
        },
    );
}

fn rec<R, C, F>(rows: &[R], cols: &[C], f: &F, pos: &mut [u32], val: &mut [f64])
where
    R: Copy,
    C: Copy,
    F: Fn(&R, &C) -> f64,
{
    let count = rows.len();
    if count == 0 {
        return;
    }
    // REDUCE: keep at most `count` columns that can still hold a row minimum. The value of a
    // kept column at the row of its stack slot is cached, since that row never changes.
    let cap = count.min(cols.len());
    let mut st: Vec<C> = Vec::with_capacity(cap);
    let mut sp: Vec<u32> = Vec::with_capacity(cap);
    let mut sv: Vec<f64> = Vec::with_capacity(cap);
    for (c, col) in cols.iter().enumerate() {
        while let Some(&top) = sv.last() {
            if f(&rows[sv.len() - 1], col) < top {
                st.pop();
                sp.pop();
                sv.pop();
            } else {
                break;
            }
        }
        if st.len() < count {
            sv.push(f(&rows[st.len()], col));
            st.push(*col);
            sp.push(c as u32);
        }
    }
    drop(sv);
    let odd: Vec<R> = rows.iter().skip(1).step_by(2).copied().collect();
    let mut opos = vec![0u32; odd.len()];
    let mut oval = vec![0.0f64; odd.len()];
    rec(&odd, &st, f, &mut opos, &mut oval);
    // INTERPOLATE: an even row's minimum lies between its odd neighbours' minima.
    let mut p = 0usize;
    for t in (0..count).step_by(2) {
        let stop = if t + 1 < count {
            opos[t / 2] as usize
        } else {
            st.len() - 1
        };
        let row = &rows[t];
        let (mut best, mut bv) = (p, f(row, &st[p]));
        while p < stop {
            p += 1;
            let v = f(row, &st[p]);
            if v < bv {
                bv = v;
                best = p;
            }
        }
        pos[t] = sp[best];
        val[t] = bv;
        if t + 1 < count {
            pos[t + 1] = sp[opos[t / 2] as usize];
            val[t + 1] = oval[t / 2];
        }
    }
}
