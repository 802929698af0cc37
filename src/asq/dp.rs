//! The layered dynamic program over intervals, each layer a totally monotone row-minima
//! search solved by SMAWK.
//!
//! `E_t[i]` is the least cost of covering nodes `0..=i` with `t` steps whose last level sits at
//! node `i`; a step is one interval (cost `C`) or, in the accelerated form, two intervals with
//! the middle level placed optimally (cost `C2`). Both costs satisfy the quadrangle inequality,
//! which makes `E_{t−1}[j] + C(j, i)` totally monotone in (i, j).

use super::monotone::monotone_minima;
use super::prefix::Prefix;
use super::smawk::row_minima_par;

/// The cost of one step, for the generic (index-based) form of the DP.
pub(crate) trait StepCost: Sync {
    /// Number of nodes.
    fn nodes(&self) -> usize;
    /// Cost of the first step (from node 0) to node `i`.
    fn first(&self, i: usize) -> f64;
    /// Cost of a later step from node `j` to node `i > j`.
    fn step(&self, j: usize, i: usize) -> f64;
}

/// Runs the layers: `layer(t, prev, prev_back, cur, back)` fills layer `t` (rows `t..n`) from
/// layer `t − 1` (`prev_back`: its step starts, `None` for layer 1 where all are 0); the last
/// layer needs only its final row, a plain scan with `last(prev, j)`.
/// Returns the optimum and the `steps + 1` step endpoints.
fn layered<L, Z>(
    n: usize,
    steps: usize,
    first: &dyn Fn(usize) -> f64,
    mut layer: L,
    last: Z,
) -> (f64, Vec<usize>)
where
    L: FnMut(usize, &[f64], Option<&[u32]>, &mut [f64], &mut [u32]),
    Z: Fn(&[f64], usize) -> f64,
{
    debug_assert!(steps >= 1 && n > steps);
    let end = n - 1;
    if steps == 1 {
        return (first(end), vec![0, end]);
    }
    // Node 0 cannot end a step.
    let mut prev: Vec<f64> = (0..n)
        .map(|i| if i == 0 { f64::INFINITY } else { first(i) })
        .collect();
    let mut cur = vec![f64::INFINITY; n];
    // back[t − 2][i]: start node of the step that ends at node i in layer t.
    let mut back: Vec<Vec<u32>> = Vec::with_capacity(steps.saturating_sub(2));
    for t in 2..steps {
        let mut b = vec![0u32; n];
        cur[..t].fill(f64::INFINITY);
        layer(t, &prev, back.last().map(Vec::as_slice), &mut cur, &mut b);
        back.push(b);
        std::mem::swap(&mut prev, &mut cur);
    }
    let (mut best, mut arg) = (f64::INFINITY, steps - 1);
    for j in (steps - 1)..end {
        let v = last(&prev, j);
        if v < best {
            best = v;
            arg = j;
        }
    }
    let mut ends = vec![0usize; steps + 1];
    ends[steps] = end;
    ends[steps - 1] = arg;
    for t in (1..steps - 1).rev() {
        ends[t] = back[t - 1][ends[t + 1]] as usize;
    }
    (best, ends)
}

/// Row record of the separable form: `C(j, i) + E[j] = r_i + k_j + a_j·u_i + b_i·v_j`.
#[derive(Clone, Copy)]
struct SRow {
    u: f64,
    b: f64,
    r: f64,
    id: u32,
}

/// Column record of the separable form.
#[derive(Clone, Copy)]
struct SCol {
    k: f64,
    a: f64,
    v: f64,
    id: u32,
}

/// Exactly `steps` single intervals over the nodes of `p`, minimising the total cost.
///
/// Expanding `C(j, i) = (a+b)(q1_i − q1_j) − (q2_i − q2_j) − ab(q0_i − q0_j)` (a = x_j, b = x_i)
/// separates it into a row part `r_i = b·q1_i − q2_i`, a column part
/// `k_j = E[j] − a·q1_j + q2_j` and two products `a·(q1_i − b·q0_i) + b·(a·q0_j − q1_j)`.
/// The row part is the same along a row, so SMAWK compares `k_j + a_j·u_i + b_i·v_j` only: two
/// fused multiply-adds on contiguous records.
///
/// `smawk` selects SMAWK for each layer's row minima instead of the divide-and-conquer scan
/// (same optimum, levels may differ on exact ties; `monotone.rs` says why the scan is the
/// default).
pub(crate) fn partition_single(p: &Prefix, steps: usize, smawk: bool) -> (f64, Vec<usize>) {
    let n = p.len();
    let nodes = &p.nodes;
    let rows_all: Vec<SRow> = nodes
        .iter()
        .enumerate()
        .map(|(i, nd)| SRow {
            u: nd.q1 - nd.x * nd.q0,
            b: nd.x,
            r: nd.x * nd.q1 - nd.q2,
            id: i as u32,
        })
        .collect();
    let mut cols: Vec<SCol> = Vec::with_capacity(n);
    let mut pos = vec![0u32; n];
    let mut val = vec![0.0f64; n];
    let f = |row: &SRow, col: &SCol| {
        if col.id >= row.id {
            f64::INFINITY
        } else {
            col.k + col.a * row.u + row.b * col.v
        }
    };
    let layer =
        |t: usize, prev: &[f64], prev_back: Option<&[u32]>, cur: &mut [f64], back: &mut [u32]| {
            cols.clear();
            cols.extend(nodes[t - 1..n - 1].iter().enumerate().map(|(c, nd)| SCol {
                k: prev[t - 1 + c] - nd.x * nd.q1 + nd.q2,
                a: nd.x,
                v: nd.x * nd.q0 - nd.q1,
                id: (t - 1 + c) as u32,
            }));
            let rows = &rows_all[t..];
            let m = rows.len();
            if smawk {
                row_minima_par(rows, &cols, &f, &mut pos[..m], &mut val[..m]);
            } else {
                // Row t + r (node i) may start its last step at column positions 0..=r (node
                // j < i), and no earlier than where layer t − 1 started its last step at node i:
                // with the quadrangle inequality, more steps never move the last start left
                // (Knuth–Yao: opt_{t−1}(i) ≤ opt_t(i)). That bound cuts the top-level scans from
                // about i columns to about i/t².
                let g = |row: &SRow, col: &SCol| col.k + col.a * row.u + row.b * col.v;
                let lo_of =
                    |r: usize| prev_back.map_or(0, |pb| (pb[t + r] as usize).saturating_sub(t - 1));
                monotone_minima(
                    rows,
                    &cols,
                    &g,
                    &lo_of,
                    &|r| r,
                    &mut pos[..m],
                    &mut val[..m],
                );
            }
            for (k, row) in rows.iter().enumerate() {
                let i = row.id as usize;
                cur[i] = row.r + val[k];
                back[i] = cols[pos[k] as usize].id;
            }
        };
    layered(n, steps, &|i| p.cost(0, i), layer, |prev, j| {
        prev[j] + p.cost(j, n - 1)
    })
}

/// Exactly `steps` steps of a general [`StepCost`], rows and columns as node indices.
pub(crate) fn partition<C: StepCost>(c: &C, steps: usize) -> (f64, Vec<usize>) {
    let n = c.nodes();
    let mut pos = vec![0u32; n];
    let mut val = vec![0.0f64; n];
    let layer = |t: usize, prev: &[f64], _: Option<&[u32]>, cur: &mut [f64], back: &mut [u32]| {
        let rows: Vec<u32> = (t as u32..n as u32).collect();
        let cols: Vec<u32> = ((t - 1) as u32..(n - 1) as u32).collect();
        let f = |&i: &u32, &j: &u32| {
            if j >= i {
                f64::INFINITY
            } else {
                prev[j as usize] + c.step(j as usize, i as usize)
            }
        };
        let m = rows.len();
        row_minima_par(&rows, &cols, &f, &mut pos[..m], &mut val[..m]);
        for (k, &i) in rows.iter().enumerate() {
            cur[i as usize] = val[k];
            back[i as usize] = cols[pos[k] as usize];
        }
    };
    layered(n, steps, &|i| c.first(i), layer, |prev, j| {
        prev[j] + c.step(j, n - 1)
    })
}
