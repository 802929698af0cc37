//! Exact levels for s ≤ 5 in O(d): scans with monotone pointers instead of a DP layer.
//!
//! With the outer levels fixed at nodes j < e, the cost `C(j, b) + C(b, e)` of a middle level b
//! is convex in the value of b (its slope `Σ_{x<b} w(x − j) − Σ_{x>b} w(e − x)` grows with b),
//! so along the nodes it falls, then rises: its minimiser is found by walking right while the
//! next node is no worse. By the quadrangle inequality that minimiser never moves left when j
//! moves right, so one pointer serves every j. Then
//!
//! * s = 3: `min_j C(0, j) + C(j, e)`;
//! * s = 4: `min_j C(0, j) + M(j, e)`, with `M(j, e) = min_b C(j, b) + C(b, e)`;
//! * s = 5: `min_j M(0, j) + M(j, e)`,
//!
//! each one pass over j with at most two pointers: O(d) cost evaluations in all, against one
//! O(d) SMAWK layer or a few penalised passes for the general solvers.

use super::prefix::Prefix;

/// The best middle node for outer nodes `j < e` (`e ≥ j + 2`), walking right from `b`.
#[inline]
fn middle(p: &Prefix, j: usize, e: usize, b: usize) -> (usize, f64) {
    let mut b = b.max(j + 1);
    let mut best = p.cost(j, b) + p.cost(b, e);
    while b + 1 < e {
        let next = p.cost(j, b + 1) + p.cost(b + 1, e);
        if next > best {
            break;
        }
        best = next;
        b += 1;
    }
    (b, best)
}

/// Interval endpoints (node indices) of an optimal path with `target` ≤ 4 intervals over the
/// nodes of `p` (at least `target + 1` nodes).
pub(crate) fn few_ends(p: &Prefix, target: usize) -> Vec<usize> {
    let e = p.len() - 1;
    debug_assert!((1..=4).contains(&target) && e >= target);
    match target {
        1 => vec![0, e],
        2 => {
            let (b, _) = (1..e)
                .map(|j| (j, p.cost(0, j) + p.cost(j, e)))
                .fold((1, f64::INFINITY), |a, c| if c.1 < a.1 { c } else { a });
            vec![0, b, e]
        }
        3 => {
            let (mut best, mut ends) = (f64::INFINITY, vec![0, 1, 2, e]);
            let mut b = 2;
            for j in 1..e - 1 {
                let (bj, m) = middle(p, j, e, b);
                b = bj;
                let v = p.cost(0, j) + m;
                if v < best {
                    best = v;
                    ends = vec![0, j, bj, e];
                }
            }
            ends
        }
        _ => {
            let (mut best, mut ends) = (f64::INFINITY, vec![0, 1, 2, 3, e]);
            let (mut a, mut b) = (1, 3);
            for j in 2..e - 1 {
                let (aj, left) = middle(p, 0, j, a);
                let (bj, right) = middle(p, j, e, b);
                a = aj;
                b = bj;
                let v = left + right;
                if v < best {
                    best = v;
                    ends = vec![0, aj, j, bj, e];
                }
            }
            ends
        }
    }
}
