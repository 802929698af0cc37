//! The worst-case objective: minimise `max_i w_i (b_i − x_i)(x_i − a_i)`.
//!
//! For a threshold τ, the fewest levels whose every term is ≤ τ come from a greedy sweep: from
//! level a, the next level b may go as far as `min (x + τ / (w (x − a)))` over the points x
//! strictly between, and going as far as allowed is optimal (moving a level right only
//! shrinks the terms of the interval after it). Feasibility is monotone in τ, so τ is found by
//! bisection. Unlike the sum, the optimum may put levels between data points.

use super::{check_sorted, compress};
use crate::error::Result;

/// Greedy levels for threshold `tau`, or `None` if more than `cap` are needed.
fn greedy(xs: &[f64], ws: &[f64], tau: f64, cap: usize) -> Option<Vec<f64>> {
    let n = xs.len();
    let top = xs[n - 1];
    let mut levels = vec![xs[0]];
    let mut a = xs[0];
    let mut t = 1;
    loop {
        let mut b = top;
        while t < n && xs[t] < b {
            if ws[t] > 0.0 {
                b = b.min(xs[t] + tau / (ws[t] * (xs[t] - a)));
            }
            t += 1;
        }
        levels.push(b);
        if b >= top {
            return Some(levels);
        }
        if levels.len() >= cap {
            return None;
        }
        a = b;
        while t < n && xs[t] <= a {
            t += 1;
        }
    }
}

/// `s` increasing levels (minimum and maximum included) minimising the largest weighted
/// rounding variance `max_i w_i (b_i − x_i)(x_i − a_i)` of the sorted values, to a relative
/// precision of about 1e-13 in that maximum.
pub fn worst_levels(sorted: &[f64], weights: Option<&[f64]>, s: usize) -> Result<Vec<f64>> {
    check_sorted(sorted, weights, s)?;
    // Equal values have equal terms: the largest weight among them decides.
    let (xs, ws) = compress(sorted, weights, f64::max);
    let (bottom, top) = (xs[0], xs[xs.len() - 1]);
    let mut levels = match greedy(&xs, &ws, 0.0, s) {
        Some(l) => l,
        None => {
            let mut hi = xs
                .iter()
                .zip(&ws)
                .map(|(&x, &w)| w * (top - x) * (x - bottom))
                .fold(0.0f64, f64::max);
            let mut lo = 0.0;
            for _ in 0..200 {
                if hi - lo <= 1e-13 * hi {
                    break;
                }
                let mid = 0.5 * (lo + hi);
                if greedy(&xs, &ws, mid, s).is_some() {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            // Two levels always meet the initial `hi`, so this is never `None`.
            greedy(&xs, &ws, hi, s).unwrap_or_else(|| vec![bottom, top])
        }
    };
    // Fewer levels than allowed: split the widest gaps (extra levels never raise a term).
    while levels.len() < s {
        let k = levels
            .windows(2)
            .enumerate()
            .max_by(|a, b| (a.1[1] - a.1[0]).total_cmp(&(b.1[1] - b.1[0])))
            .map_or(0, |(k, _)| k);
        let mid = 0.5 * (levels[k] + levels[k + 1]);
        levels.insert(k + 1, mid);
    }
    Ok(levels)
}
