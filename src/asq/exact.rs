//! Exact ASQ on sorted data: the entry point [`exact_levels`] (the fastest exact solver, the
//! penalty method of `lagrange.rs`), and the O(s·d) layered dynamic programs kept as
//! independent references: [`exact_dp`], [`exact_smawk`], [`exact_smawk2`].

use super::check_sorted;
use super::dp::{partition, partition_single, StepCost};
use super::few::{five_levels, four_levels, three_levels};
use super::prefix::{distinct_at, Prefix};
use crate::error::Result;

/// Two intervals per step (the middle level chosen in closed form); the first step is a
/// single interval when the number of intervals is odd.
struct Double<'a> {
    p: &'a Prefix,
    single_first: bool,
}

impl StepCost for Double<'_> {
    fn nodes(&self) -> usize {
        self.p.len()
    }
    fn first(&self, i: usize) -> f64 {
        if self.single_first {
            self.p.cost(0, i)
        } else {
            self.p.cost2(0, i)
        }
    }
    #[inline(always)]
    fn step(&self, j: usize, i: usize) -> f64 {
        self.p.cost2(j, i)
    }
}

/// Exact optimal levels for sorted values (weights optional, `None` = 1 each, any
/// non-negative weights): `s` sorted distinct data values, the minimum and the maximum
/// included, minimising `Σ w (b − x)(x − a)`. The fastest exact solver here: for s ≤ 5 one
/// O(d) scan with monotone pointers (`few.rs`; for s = 3 streamed, without the prefix
/// table), above that the penalty-per-level method
/// ([`super::exact_lagrange`]), whose time barely depends on `s`.
///
/// ```
/// use quantreplica::asq::{exact_levels, sorted};
/// let x = sorted(&[0.3, 2.0, 0.1, 1.2, 0.0, 1.9, 0.5]).unwrap();
/// let levels = exact_levels(&x, None, 3).unwrap();
/// assert_eq!(levels.len(), 3);
/// assert_eq!((levels[0], levels[2]), (0.0, 2.0));
/// ```
pub fn exact_levels(sorted: &[f64], weights: Option<&[f64]>, s: usize) -> Result<Vec<f64>> {
    if s > 5 {
        return super::exact_lagrange(sorted, weights, s);
    }
    let distinct = check_sorted(sorted, weights, s)?;
    match s {
        3 => Ok(three_levels(sorted, weights, distinct)),
        4 => Ok(four_levels(sorted, weights, distinct)),
        5 => Ok(five_levels(sorted, weights, distinct)),
        _ => {
            // s = 2: the minimum and the first value of the last run (as distinct_at).
            let mut i = sorted.len() - 1;
            while i > 0 && sorted[i - 1] == sorted[i] {
                i -= 1;
            }
            Ok(vec![sorted[0], sorted[i]])
        }
    }
}

/// As [`exact_levels`], by the O(s·d) layered DP on the distinct values, each layer's row
/// minima by the cache-friendly divide-and-conquer scan (an independent reference; slower).
pub fn exact_dp(sorted: &[f64], weights: Option<&[f64]>, s: usize) -> Result<Vec<f64>> {
    solve_single(sorted, weights, s, false)
}

/// As [`exact_levels`], each layer's row minima by SMAWK (O(s·d) evaluations in total).
pub fn exact_smawk(sorted: &[f64], weights: Option<&[f64]>, s: usize) -> Result<Vec<f64>> {
    solve_single(sorted, weights, s, true)
}

/// The one-level-per-step DP on the distinct values with merged weights, so every level it
/// returns is distinct.
fn solve_single(
    sorted: &[f64],
    weights: Option<&[f64]>,
    s: usize,
    smawk: bool,
) -> Result<Vec<f64>> {
    check_sorted(sorted, weights, s)?;
    let p = Prefix::from_sorted(sorted, weights);
    let (_, ends) = partition_single(&p, s - 1, smawk);
    Ok(distinct_at(sorted, &ends))
}

/// Exact levels for unit weights by the two-levels-per-step DP (QUIVER's acceleration): each
/// step places two intervals, the middle level in closed form, halving the SMAWK layers.
///
/// It runs on the raw sorted values; with duplicates a step may collapse onto an existing
/// level, which only happens when fewer levels already reach the optimum, so the missing
/// levels are filled with unused data values (adding a level never raises the cost).
pub fn exact_smawk2(sorted: &[f64], s: usize) -> Result<Vec<f64>> {
    check_sorted(sorted, None, s)?;
    let p = Prefix::from_points(sorted, None);
    let intervals = s - 1;
    let single_first = intervals % 2 == 1;
    let steps = intervals.div_ceil(2);
    let (_, ends) = partition(
        &Double {
            p: &p,
            single_first,
        },
        steps,
    );
    let mut idx = Vec::with_capacity(s);
    idx.push(ends[0]);
    for t in 1..=steps {
        if !(t == 1 && single_first) {
            idx.push(p.middle(ends[t - 1], ends[t]));
        }
        idx.push(ends[t]);
    }
    let mut levels: Vec<f64> = idx.iter().map(|&i| sorted[i]).collect();
    levels.dedup();
    if levels.len() < s {
        levels = fill_levels(sorted, &levels, s);
    }
    Ok(levels)
}

/// Adds the smallest unused data values to `levels` until there are `s`.
fn fill_levels(sorted: &[f64], levels: &[f64], s: usize) -> Vec<f64> {
    let mut out = levels.to_vec();
    let mut need = s - levels.len();
    let mut prev = f64::NAN;
    for &v in sorted {
        if need == 0 {
            break;
        }
        if v == prev {
            continue;
        }
        prev = v;
        if levels.binary_search_by(|l| l.total_cmp(&v)).is_err() {
            out.push(v);
            need -= 1;
        }
    }
    out.sort_unstable_by(f64::total_cmp);
    out
}
