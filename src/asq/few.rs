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

use super::prefix::{cost_between, node_shift, nodes_from, Node, NodeWindow, Pin, Prefix};

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

/// s = 3 on sorted values with `count` ≥ 3 distinct values (from the caller's check), without
/// the prefix table: the same nodes as [`Prefix::from_sorted`] (same bits), streamed twice
/// (once for the last node, once for the middle level), so the levels are those of
/// `few_ends(&Prefix::from_sorted(x, w), 2)` at the cost of two passes over `x` instead of
/// writing and reading 32 bytes per distinct value.
pub(crate) fn three_levels(x: &[f64], w: Option<&[f64]>, count: usize) -> Vec<f64> {
    let shift = node_shift(x);
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
/// (one pass over the outer node j, the middle node b walking right as in [`walk`]), with j and
/// b read through two [`NodeWindow`]s on streams of the same nodes as [`Prefix::from_sorted`]
/// (same bits, same comparisons, so the same levels, ties included), after one pass for the
/// last node. No 32-byte-per-value table is written or paged in. `count` ≥ 4 is the number of
/// distinct values.
pub(crate) fn four_levels(x: &[f64], w: Option<&[f64]>, count: usize) -> Vec<f64> {
    let shift = node_shift(x);
    debug_assert!(count >= 4);
    let e = count - 1;
    let (ie, ne): (usize, Node) = nodes_from(x, w, shift)
        .last()
        .expect("at least 4 distinct values");
    let (_, n0) = nodes_from(x, w, shift)
        .next()
        .expect("at least 4 distinct values");
    let mut js = NodeWindow::new(nodes_from(x, w, shift), Pin::Below(n0));
    let mut bw = NodeWindow::new(nodes_from(x, w, shift), Pin::Above(ne));
    let mut b = 2;
    let mut best = f64::INFINITY;
    let mut ends: Option<[usize; 2]> = None;
    for j in 1..e - 1 {
        let (ij, nj, left) = js.get(j);
        let (b_j, m) = walk::<false>(&mut bw, &nj, e, b.max(j + 1));
        b = b_j;
        let v = left + m;
        if v < best {
            best = v;
            ends = Some([ij, bw.get(b).0]);
        }
    }
    match ends {
        Some([ij, ib]) => vec![x[0], x[ij], x[ib], x[ie]],
        // Only if every candidate cost is NaN: the table scan's default path.
        None => super::prefix::distinct_at(x, &few_ends(&Prefix::from_sorted(x, w), 3)),
    }
}

/// `a` if `c`, else `b`, without a branch (the step decisions of the pointer walks are coin
/// flips to a branch predictor).
#[inline(always)]
fn pick(c: bool, a: f64, b: f64) -> f64 {
    let m = (c as u64).wrapping_neg();
    f64::from_bits((a.to_bits() & m) | (b.to_bits() & !m))
}

/// Whether a step to cost `next` is taken from cost `best`: `!(next > best)`, so that a NaN
/// cost is stepped onto exactly as [`middle`]'s `if next > best { break }` does.
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn no_worse(next: f64, best: f64) -> bool {
    !(next > best)
}

/// One pointer walk of [`middle`] between the window's pin and the node `other` (`end` is
/// the index of the upper level), starting at node `b`: the pin's side of each candidate's
/// cost comes priced from the window, the first two steps are decided without branches and
/// further steps (rare: the pointer moves about half a node per step of the outer node) in a
/// loop. Returns the new pointer and its cost, the same values as [`middle`].
#[inline(always)]
fn walk<const PIN_BELOW: bool>(
    w: &mut NodeWindow<'_>,
    other: &Node,
    end: usize,
    mut b: usize,
) -> (usize, f64) {
    let mut cost = |k: usize| {
        let (_, n, fixed) = w.get(k);
        if PIN_BELOW {
            fixed + cost_between(&n, other)
        } else {
            cost_between(other, &n) + fixed
        }
    };
    let (c0, c1, c2) = (cost(b), cost(b + 1), cost(b + 2));
    // As `middle`: step while the next is no worse (`!(next > best)`, NaN included).
    let go1 = (b + 1 < end) & no_worse(c1, c0);
    let go2 = go1 & (b + 2 < end) & no_worse(c2, c1);
    let mut best = pick(go2, c2, pick(go1, c1, c0));
    b += go1 as usize + go2 as usize;
    if go2 {
        while b + 1 < end {
            let next = cost(b + 1);
            if next > best {
                break;
            }
            best = next;
            b += 1;
        }
    }
    (b, best)
}

/// s = 5 streamed: the scan of [`few_ends`] with target 4, the node j and the two middle
/// nodes a (between the first node and j) and b (between j and the last) each read through
/// its own [`NodeWindow`] on a stream of the same nodes as [`Prefix::from_sorted`] (same
/// costs and comparisons, so the same levels to the bit), the pointer steps decided without
/// branches. `count` ≥ 5 is the number of distinct values.
pub(crate) fn five_levels(x: &[f64], w: Option<&[f64]>, count: usize) -> Vec<f64> {
    let shift = node_shift(x);
    debug_assert!(count >= 5);
    let e = count - 1;
    let (ie, ne): (usize, Node) = nodes_from(x, w, shift)
        .last()
        .expect("at least 5 distinct values");
    let mut js = NodeWindow::new(nodes_from(x, w, shift), Pin::None);
    let (_, n0, _) = js.get(0);
    let mut aw = NodeWindow::new(nodes_from(x, w, shift), Pin::Below(n0));
    let mut bw = NodeWindow::new(nodes_from(x, w, shift), Pin::Above(ne));
    let (mut a, mut b) = (1, 3);
    let mut best = f64::INFINITY;
    let mut ends: Option<[usize; 3]> = None;
    for j in 2..e - 1 {
        let (ij, nj, _) = js.get(j);
        let (a_j, left) = walk::<true>(&mut aw, &nj, j, a);
        let (b_j, right) = walk::<false>(&mut bw, &nj, e, b.max(j + 1));
        a = a_j;
        b = b_j;
        let v = left + right;
        if v < best {
            best = v;
            ends = Some([aw.get(a).0, ij, bw.get(b).0]);
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
            for dup in [1.0, 0.05, 1e-4] {
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
            let got = three_levels(x, w.as_deref(), distinct);
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
                let got = four_levels(x, w.as_deref(), distinct);
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
                let got = five_levels(x, w.as_deref(), distinct);
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
