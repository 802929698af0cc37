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

use super::prefix::{cost_between, node_shift, nodes_from, Node, Prefix};

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

/// s = 3 on sorted values without the prefix table: the same nodes as
/// [`Prefix::from_sorted`] (same bits), streamed twice after one pass for their count and
/// shift (once for the last node, once for the middle level), so the levels are those of `few_ends(&Prefix::from_sorted(x, w), 2)` at
/// the cost of a few passes over `x` instead of writing and reading 32 bytes per distinct
/// value. Needs at least 3 distinct values.
pub(crate) fn three_levels(x: &[f64], w: Option<&[f64]>) -> Vec<f64> {
    let (count, shift) = node_shift(x);
    debug_assert!(count >= 3);
    let (ie, ne): (usize, Node) = nodes_from(x, w, shift)
        .last()
        .expect("at least 3 distinct values");
    let mut nodes = nodes_from(x, w, shift);
    let (_, n0) = nodes.next().expect("at least 3 distinct values");
    // As few_ends with target 2: the first index with the least cost wins.
    let (mut best, mut ib) = (f64::INFINITY, usize::MAX);
    for (i, nj) in nodes.take(count - 2) {
        if ib == usize::MAX {
            ib = i;
        }
        let c = cost_between(&n0, &nj) + cost_between(&nj, &ne);
        if c < best {
            best = c;
            ib = i;
        }
    }
    vec![x[0], x[ib], x[ie]]
}

/// s = 4 on sorted values without the prefix table: the scan of [`few_ends`] with target 3
/// (one pass over the outer node j, the middle node b walking right), with j and b read from
/// two streams of the same nodes as [`Prefix::from_sorted`] (same bits, same comparisons, so
/// the same levels, ties included), after one pass for the count and shift and one for the
/// last node. No 32-byte-per-value table is written or paged in. Needs at least 4 distinct
/// values.
pub(crate) fn four_levels(x: &[f64], w: Option<&[f64]>) -> Vec<f64> {
    let (count, shift) = node_shift(x);
    debug_assert!(count >= 4);
    let e = count - 1;
    let (ie, ne): (usize, Node) = nodes_from(x, w, shift)
        .last()
        .expect("at least 4 distinct values");
    let mut js = nodes_from(x, w, shift).enumerate();
    let (_, (_, n0)) = js.next().expect("at least 4 distinct values");
    // The b stream: node `bk` (index in x `bi`) and the one after it.
    let mut bs = nodes_from(x, w, shift).enumerate().skip(2);
    let (mut bk, (mut bi, mut nb)) = bs.next().expect("at least 4 distinct values");
    let mut after = bs.next();
    let mut best = f64::INFINITY;
    let mut ends: Option<[usize; 2]> = None;
    for (j, (ij, nj)) in js.take(e - 2) {
        // middle(p, j, e, b): start at max(b, j + 1), walk right while the next is no worse.
        while bk < j + 1 {
            let (k, (i, n)) = after.expect("b stays below e");
            (bk, bi, nb) = (k, i, n);
            after = bs.next();
        }
        let mut m = cost_between(&nj, &nb) + cost_between(&nb, &ne);
        while bk + 1 < e {
            let (k, (i, n)) = after.expect("b + 1 < e");
            let next = cost_between(&nj, &n) + cost_between(&n, &ne);
            if next > m {
                break;
            }
            m = next;
            (bk, bi, nb) = (k, i, n);
            after = bs.next();
        }
        let v = cost_between(&n0, &nj) + m;
        if v < best {
            best = v;
            ends = Some([ij, bi]);
        }
    }
    match ends {
        Some([ij, ib]) => vec![x[0], x[ij], x[ib], x[ie]],
        // Only if every candidate cost is NaN: the table scan's default path.
        None => super::prefix::distinct_at(x, &few_ends(&Prefix::from_sorted(x, w), 3)),
    }
}

/// s = 5 streamed as [`four_levels`]: the scan of [`few_ends`] with target 4, the node j and
/// the two middle nodes a (between the first node and j) and b (between j and the last) each
/// read from its own stream of the same nodes (same costs and comparisons, so the same levels
/// to the bit). Needs at least 5 distinct values.
pub(crate) fn five_levels(x: &[f64], w: Option<&[f64]>) -> Vec<f64> {
    let (count, shift) = node_shift(x);
    debug_assert!(count >= 5);
    let e = count - 1;
    let (ie, ne): (usize, Node) = nodes_from(x, w, shift)
        .last()
        .expect("at least 5 distinct values");
    let mut js = nodes_from(x, w, shift).enumerate();
    let (_, (_, n0)) = js.next().expect("at least 5 distinct values");
    js.next();
    let mut as_ = nodes_from(x, w, shift).enumerate().skip(1);
    let (mut ak, (mut ai, mut na)) = as_.next().expect("at least 5 distinct values");
    let mut a_after = as_.next();
    let mut bs = nodes_from(x, w, shift).enumerate().skip(3);
    let (mut bk, (mut bi, mut nb)) = bs.next().expect("at least 5 distinct values");
    let mut b_after = bs.next();
    let mut best = f64::INFINITY;
    let mut ends: Option<[usize; 3]> = None;
    for (j, (ij, nj)) in js.take(e - 3) {
        // middle(p, 0, j, a)
        let mut left = cost_between(&n0, &na) + cost_between(&na, &nj);
        while ak + 1 < j {
            let (k, (i, n)) = a_after.expect("a + 1 < j");
            let next = cost_between(&n0, &n) + cost_between(&n, &nj);
            if next > left {
                break;
            }
            left = next;
            (ak, ai, na) = (k, i, n);
            a_after = as_.next();
        }
        // middle(p, j, e, b)
        while bk < j + 1 {
            let (k, (i, n)) = b_after.expect("b stays below e");
            (bk, bi, nb) = (k, i, n);
            b_after = bs.next();
        }
        let mut right = cost_between(&nj, &nb) + cost_between(&nb, &ne);
        while bk + 1 < e {
            let (k, (i, n)) = b_after.expect("b + 1 < e");
            let next = cost_between(&nj, &n) + cost_between(&n, &ne);
            if next > right {
                break;
            }
            right = next;
            (bk, bi, nb) = (k, i, n);
            b_after = bs.next();
        }
        let v = left + right;
        if v < best {
            best = v;
            ends = Some([ai, ij, bi]);
        }
    }
    match ends {
        Some([ia, ij, ib]) => vec![x[0], x[ia], x[ij], x[ib], x[ie]],
        // Only if every candidate cost is NaN: the table scan's default path.
        None => super::prefix::distinct_at(x, &few_ends(&Prefix::from_sorted(x, w), 4)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asq::prefix::distinct_at;

    /// The streamed s = 3 and s = 4 equal the table-based scan to the bit, ties included (the
    /// first best middle level wins in both).
    #[test]
    fn three_levels_equals_the_table_scan() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut cases: Vec<(Vec<f64>, Option<Vec<f64>>)> = vec![
            // Exact ties: evenly spaced values, both middle candidates cost the same.
            ((0..4).map(f64::from).collect(), None),
            ((0..9).map(f64::from).collect(), None),
            (vec![-1.0, -0.0, 0.0, 1.0], None),
        ];
        for d in [3usize, 4, 5, 17, 100, 1000, 20_000] {
            for dup in [1.0, 0.05] {
                let mut x: Vec<f64> = (0..d)
                    .map(|_| {
                        let u = next();
                        if dup < 1.0 {
                            (u / dup).floor() * dup
                        } else {
                            (-u.ln()).powi(2)
                        }
                    })
                    .collect();
                x.sort_by(f64::total_cmp);
                let w: Vec<f64> = (0..d).map(|_| next() * 3.0).collect();
                cases.push((x.clone(), None));
                cases.push((x, Some(w)));
            }
        }
        for (x, w) in &cases {
            let distinct = super::super::prefix::runs(x).count();
            if distinct < 3 {
                continue;
            }
            let p = Prefix::from_sorted(x, w.as_deref());
            let want = distinct_at(x, &few_ends(&p, 2));
            let got = three_levels(x, w.as_deref());
            let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&got),
                bits(&want),
                "d {} weights {}",
                x.len(),
                w.is_some()
            );
            if distinct >= 4 {
                let want = distinct_at(x, &few_ends(&p, 3));
                let got = four_levels(x, w.as_deref());
                assert_eq!(
                    bits(&got),
                    bits(&want),
                    "s = 4: d {} weights {}",
                    x.len(),
                    w.is_some()
                );
            }
            if distinct >= 5 {
                let want = distinct_at(x, &few_ends(&p, 4));
                let got = five_levels(x, w.as_deref());
                assert_eq!(
                    bits(&got),
                    bits(&want),
                    "s = 5: d {} weights {}",
                    x.len(),
                    w.is_some()
                );
            }
        }
    }
}
