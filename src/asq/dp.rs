//! The layered dynamic program over intervals, each layer a totally monotone row-minima
//! search solved by SMAWK.
//!
//! `E_t[i]` is the least cost of covering nodes `0..=i` with `t` steps whose last level sits at
//! node `i`; a step is one interval (cost `C`) or, in the accelerated form, two intervals with
//! the middle level placed optimally (cost `C2`). Both costs satisfy the quadrangle inequality,
//! which makes `E_{t−1}[j] + C(j, i)` totally monotone in (i, j).

use super::smawk::row_minima;

/// One step's interval cost, `cost(j, i)` for node `j < i`.
pub(crate) trait StepCost {
    /// Number of nodes.
    fn nodes(&self) -> usize;
    /// Cost of the first step (from node 0) to node `i`.
    fn first(&self, i: usize) -> f64;
    /// Cost of a later step from node `j` to node `i > j`.
    fn step(&self, j: usize, i: usize) -> f64;
}

/// Minimises the total cost of covering all nodes with exactly `steps` steps, the first
/// given by `StepCost::first` and the others by `StepCost::step`. Returns the optimum and the
/// step endpoints (node indices, `steps + 1` of them, from 0 to the last node).
///
/// Needs `steps ≥ 1` and `nodes > steps`.
pub(crate) fn partition<C: StepCost>(c: &C, steps: usize) -> (f64, Vec<usize>) {
    let n = c.nodes();
    debug_assert!(steps >= 1 && n > steps);
    let last = n - 1;
    if steps == 1 {
        return (c.first(last), vec![0, last]);
    }
    // Layer 1 in closed form; node 0 cannot end a step.
    let mut prev: Vec<f64> = (0..n)
        .map(|i| if i == 0 { f64::INFINITY } else { c.first(i) })
        .collect();
    let mut cur = vec![f64::INFINITY; n];
    // back[t][i]: start node of the step that ends at node i in layer t + 2.
    let mut back: Vec<Vec<u32>> = Vec::with_capacity(steps.saturating_sub(2));
    let mut cols: Vec<u32> = Vec::with_capacity(n);
    for t in 2..steps {
        // Rows: end nodes i in t..n; columns: start nodes j in t−1..n−1 with j < i.
        let row_lo = t;
        let rows = n - row_lo;
        cols.clear();
        cols.extend((t - 1) as u32..last as u32);
        let mut arg = vec![0u32; rows];
        let mut val = vec![f64::INFINITY; rows];
        let prev_ref = &prev;
        let f = |r: usize, j: usize| {
            let i = row_lo + r;
            if j >= i {
                f64::INFINITY
            } else {
                prev_ref[j] + c.step(j, i)
            }
        };
        row_minima(rows, &cols, &f, &mut arg, &mut val);
        cur[..row_lo].fill(f64::INFINITY);
        cur[row_lo..].copy_from_slice(&val);
        let mut full = vec![0u32; n];
        full[row_lo..].copy_from_slice(&arg);
        back.push(full);
        std::mem::swap(&mut prev, &mut cur);
    }
    // The last layer needs only its final row: a plain scan.
    let mut best = f64::INFINITY;
    let mut arg = steps - 1;
    for j in (steps - 1)..last {
        let v = prev[j] + c.step(j, last);
        if v < best {
            best = v;
            arg = j;
        }
    }
    let mut ends = vec![0usize; steps + 1];
    ends[steps] = last;
    ends[steps - 1] = arg;
    for t in (1..steps - 1).rev() {
        ends[t] = back[t - 1][ends[t + 1]] as usize;
    }
    (best, ends)
}
