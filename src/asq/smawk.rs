//! SMAWK (Aggarwal, Klawe, Moran, Shor, Wilber 1987): leftmost row minima of a totally
//! monotone implicit matrix in O(rows + columns) evaluations.
//!
//! Rows are an arithmetic progression (the odd rows of one are again one), so only the
//! surviving columns are materialised at each recursion level.

/// Writes the leftmost minimum of every row `r` in `0..rows` over the columns `cols`
/// (increasing) into `arg[r]`, `val[r]`. `f(r, c)` must be totally monotone: the leftmost
/// minimising column never decreases with the row. Entries may be `+inf` (never NaN).
pub(crate) fn row_minima<F: Fn(usize, usize) -> f64>(
    rows: usize,
    cols: &[u32],
    f: &F,
    arg: &mut [u32],
    val: &mut [f64],
) {
    if rows == 0 || cols.is_empty() {
        return;
    }
    rec(0, 1, rows, cols, f, arg, val);
}

fn rec<F: Fn(usize, usize) -> f64>(
    first: usize,
    step: usize,
    count: usize,
    cols: &[u32],
    f: &F,
    arg: &mut [u32],
    val: &mut [f64],
) {
    if count == 0 {
        return;
    }
    // REDUCE: keep at most `count` columns that can hold a row minimum. The value of a kept
    // column at the row of its stack position is cached, since that row never changes.
    let mut st: Vec<u32> = Vec::with_capacity(count.min(cols.len()));
    let mut sv: Vec<f64> = Vec::with_capacity(count.min(cols.len()));
    for &c in cols {
        loop {
            let Some(&top_v) = sv.last() else { break };
            let r = first + step * (st.len() - 1);
            if f(r, c as usize) < top_v {
                st.pop();
                sv.pop();
            } else {
                break;
            }
        }
        if st.len() < count {
            let r = first + step * st.len();
            st.push(c);
            sv.push(f(r, c as usize));
        }
    }
    drop(sv);
    rec(first + step, step * 2, count / 2, &st, f, arg, val);
    // INTERPOLATE: an even row's minimum lies between its odd neighbours' minima.
    let mut p = 0usize;
    let mut t = 0usize;
    while t < count {
        let r = first + step * t;
        let stop = if t + 1 < count {
            arg[r + step]
        } else {
            st[st.len() - 1]
        };
        let mut best = st[p];
        let mut bv = f(r, best as usize);
        while st[p] != stop {
            p += 1;
            let v = f(r, st[p] as usize);
            if v < bv {
                bv = v;
                best = st[p];
            }
        }
        arg[r] = best;
        val[r] = bv;
        t += 2;
    }
}
