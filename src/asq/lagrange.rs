//! Exact ASQ through a penalty per level (the "Lagrangian" or "Aliens" method).
//!
//! With a penalty λ per interval, `F(i) = min_{j<i} F(j) + C(j, i) + λ` is a one-dimensional
//! DP whose optimal predecessor never decreases with `i` (quadrangle inequality), solved in
//! O(n log n) with a queue of candidates (each new candidate's takeover row found by galloping
//! then bisection). Its cost does not depend on `s`. The least cost
//! `g(k)` with `k` intervals is convex in `k`, so λ is chosen by walking the lower convex hull
//! of `g`: probes from a local power-law model of `g` (usually 2–4 in all), and, to make sure
//! of progress, secant probes (the slope between the two bracketing hull vertices);
//! when `s` falls strictly between two adjacent vertices, an optimal path with exactly `s`
//! levels is spliced from the two bracketing paths (exchange argument below).

use super::check_sorted;
use super::dp::partition_single;
use super::prefix::{distinct_at, Node, Prefix};
use crate::error::Result;

/// A path through the nodes: `ends` are the interval endpoints from node 0 to the last.
#[derive(Debug, Clone)]
struct Run {
    ends: Vec<u32>,
    cost: f64,
}

impl Run {
    fn segs(&self) -> usize {
        self.ends.len() - 1
    }
}

fn path_cost(p: &Prefix, ends: &[u32]) -> f64 {
    ends.windows(2)
        .map(|e| p.cost(e[0] as usize, e[1] as usize))
        .sum()
}

/// Scratch space of the penalised DP, reused across penalties.
struct Solver<'a> {
    p: &'a Prefix,
    f: Vec<f64>,
    cnt: Vec<u32>,
    arg: Vec<u32>,
    qj: Vec<u32>,
    qs: Vec<u32>,
}

impl<'a> Solver<'a> {
    fn new(p: &'a Prefix) -> Self {
        let n = p.len();
        Solver {
            p,
            f: vec![0.0; n],
            cnt: vec![0; n],
            arg: vec![0; n],
            qj: Vec::with_capacity(n),
            qs: Vec::with_capacity(n),
        }
    }

    /// An optimal path for penalty `lambda` (fewest intervals among exact ties).
    fn solve(&mut self, lambda: f64) -> Run {
        let p = self.p;
        let n = p.len();
        let (f, cnt, arg) = (&mut self.f, &mut self.cnt, &mut self.arg);
        let (qj, qs) = (&mut self.qj, &mut self.qs);
        f[0] = 0.0;
        cnt[0] = 0;
        qj.clear();
        qs.clear();
        // The queue holds candidates j with the first row from which each is the best; the
        // front is popped by advancing `head`.
        let mut head = 0usize;
        qj.push(0);
        qs.push(1);
        for i in 1..n {
            while head + 1 < qj.len() && qs[head + 1] as usize <= i {
                head += 1;
            }
            let j = qj[head] as usize;
            f[i] = f[j] + p.cost(j, i) + lambda;
            cnt[i] = cnt[j] + 1;
            arg[i] = j as u32;
            if i + 1 == n {
                break;
            }
            let (fi, ci) = (f[i], cnt[i]);
            let beats = |old: usize, r: usize, f: &[f64], cnt: &[u32]| {
                let a = fi + p.cost(i, r);
                let b = f[old] + p.cost(old, r);
                a < b || (a == b && ci < cnt[old])
            };
            // By the quadrangle inequality, once i beats an older candidate at some row it
            // beats it at every later row: whole ranges that start after i can be dropped.
            // A dropped candidate beat the one before it at its start row, and i beats the
            // dropped one there, so i beats the new last one there too (the order is
            // transitive): i's takeover row is at or before the last dropped start.
            let mut bound = None;
            while qj.len() > head + 1 {
                let last = qj.len() - 1;
                let start = qs[last] as usize;
                if start > i && beats(qj[last] as usize, start, f, cnt) {
                    qj.pop();
                    qs.pop();
                    bound = Some(start);
                } else {
                    break;
                }
            }
            let last = qj.len() - 1;
            let old = qj[last] as usize;
            // The survivor is the front (active at i) or a candidate that i was just found to
            // lose to at its start row.
            let mut lo = if last == head {
                i + 1
            } else {
                qs[last] as usize + 1
            };
            let mut hi = n;
            if let Some(b) = bound {
                // Successive candidates usually take over close to each other: gallop down
                // from the dropped start (where i wins), then bisect.
                hi = b;
                let mut step = 1usize;
                while hi > lo {
                    let probe = hi.saturating_sub(step).max(lo);
                    if beats(old, probe, f, cnt) {
                        hi = probe;
                        step *= 2;
                    } else {
                        lo = probe + 1;
                        break;
                    }
                }
            } else {
                // Gallop up from the low end (cache-local probes). Once i beats a candidate it
                // beats it at every later row, so a candidate that loses at the last row never
                // wins: after a few probes that row is checked, which saves the whole search of
                // the many candidates that never win when levels are few and intervals long.
                let mut step = 1usize;
                let mut wins_at_last = false;
                loop {
                    if step == 8 && !wins_at_last {
                        if !beats(old, n - 1, f, cnt) {
                            break;
                        }
                        wins_at_last = true;
                    }
                    let probe = lo + step - 1;
                    if probe >= n - 1 {
                        if wins_at_last || beats(old, n - 1, f, cnt) {
                            hi = n - 1;
                        }
                        break;
                    }
                    if beats(old, probe, f, cnt) {
                        hi = probe;
                        break;
                    }
                    lo = probe + 1;
                    step *= 2;
                }
                if hi == n {
                    continue;
                }
            }
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if beats(old, mid, f, cnt) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            qj.push(i as u32);
            qs.push(lo as u32);
        }
        let mut ends = Vec::with_capacity(cnt[n - 1] as usize + 1);
        let mut i = n - 1;
        ends.push(i as u32);
        while i > 0 {
            i = arg[i] as usize;
            ends.push(i as u32);
        }
        ends.reverse();
        let cost = path_cost(p, &ends);
        Run { ends, cost }
    }
}

/// Splices `lo` (fewer intervals) and `hi` (more), both optimal for one penalty λ, into a
/// path of exactly `target` intervals that is optimal for λ too.
///
/// Take the least `a` with `Q[a+t+1] ≤ P[a+1]` (t = target − |P|; it exists because at the last
/// `a` the right side is the last node, and when `a > 0` minimality gives `P[a] < Q[a+t]`, so the
/// interval (P[a], P[a+1]) contains (Q[a+t], Q[a+t+1])). The quadrangle inequality gives
/// `C(P[a], Q[a+t+1]) + C(Q[a+t], P[a+1]) ≤ C(P[a], P[a+1]) + C(Q[a+t], Q[a+t+1])`, so the two
/// crossed paths cost at most the two originals together, and each is then optimal; the one
/// taking Q's head and P's tail has exactly `target` intervals.
fn splice(lo: &Run, hi: &Run, target: usize) -> Vec<u32> {
    let (pp, q) = (&lo.ends, &hi.ends);
    let kp = lo.segs();
    let t = target - kp;
    let a = (0..kp)
        .find(|&a| q[a + t + 1] <= pp[a + 1])
        .unwrap_or(kp - 1);
    let mut ends: Vec<u32> = q[..=a + t].to_vec();
    ends.extend_from_slice(&pp[a + 1..]);
    ends
}

/// Exact levels (any non-negative weights) by the penalty-per-level method; equal in value
/// to [`super::exact_smawk`], with a running time almost independent of `s`.
pub fn exact_lagrange(sorted: &[f64], weights: Option<&[f64]>, s: usize) -> Result<Vec<f64>> {
    check_sorted(sorted, weights, s)?;
    let p = Prefix::from_sorted(sorted, weights);
    let ends = lagrange_ends(&p, s - 1);
    Ok(distinct_at(sorted, &ends))
}

/// Interval endpoints of an optimal path with `target` intervals over the nodes of `p`.
pub(crate) fn lagrange_ends(p: &Prefix, target: usize) -> Vec<usize> {
    walk(p, target, coarse_penalty(p, target)).0
}

/// Coarse grids are every `STRIDE`-th node.
const STRIDE: usize = 16;

/// A first penalty for `target` intervals from the same problem with levels restricted to
/// every [`STRIDE`]-th node (and the last). The nodes carry cumulative moments, so the coarse
/// costs are exact costs of the same data and the coarse marginal gain, the penalty that gives
/// `target` intervals there, is close to the fine one: the fine walk then usually needs one or
/// two probes instead of three or four. Coarse grids are solved the same way, recursively, at
/// 1/16 of the cost each. `None` for small problems (or `target` too close to the node count),
/// which start from the model alone.
fn coarse_penalty(p: &Prefix, target: usize) -> Option<f64> {
    let n = p.len();
    if n < 1 << 15 || target * STRIDE * 4 > n {
        return None;
    }
    let mut nodes: Vec<Node> = p.nodes.iter().step_by(STRIDE).copied().collect();
    if !(n - 1).is_multiple_of(STRIDE) {
        nodes.push(p.nodes[n - 1]);
    }
    let coarse = Prefix { nodes };
    let guess = coarse_penalty(&coarse, target);
    walk(&coarse, target, guess).1
}

/// The walk over penalties: an optimal path with `target` intervals and the last penalty that
/// produced it (or the slope of the hull edge it was spliced on; `None` when no probe ran).
/// `guess`, if it lies inside the current bracket, is the first probe.
fn walk(p: &Prefix, target: usize, mut guess: Option<f64>) -> (Vec<usize>, Option<f64>) {
    let n = p.len();
    let last = n - 1;
    if target == 1 {
        return (vec![0, last], None);
    }
    if target == last {
        return ((0..n).collect(), None);
    }
    let mut lo = Run {
        ends: vec![0, last as u32],
        cost: p.cost(0, last),
    };
    let all: Vec<u32> = (0..n as u32).collect();
    let mut hi = Run {
        cost: path_cost(p, &all),
        ends: all,
    };
    let mut solver = Solver::new(p);
    // Penalties that produced `lo` and `hi`: any λ strictly between them lands in the bracket.
    let (mut lam_lo, mut lam_hi) = (f64::INFINITY, 0.0f64);
    // Model probes in a row that missed; after three, a secant probe makes sure of progress.
    let mut misses = 0usize;
    // Each secant probe either lands on `target`, proves the bracket adjacent on the hull, or
    // adds a hull vertex strictly inside it. Model probes only shorten the walk. The cap only
    // guards against rounding loops.
    for _ in 0..200 {
        let (kl, kh) = (lo.segs(), hi.segs());
        let secant = (lo.cost - hi.cost) / (kh - kl) as f64;
        if secant.is_nan() || secant <= 0.0 {
            return (widen(splice(&lo, &hi, target)), None);
        }
        // Only a secant probe can prove the bracket adjacent, so it is used once the bracket
        // is down to the target's neighbours.
        let model = if let Some(g) = guess.take().filter(|&g| g > lam_hi && g < lam_lo) {
            Some(g)
        } else if misses >= 3 || (kl + 1 == target && kh == target + 1) {
            None
        } else {
            local_penalty(&lo, lam_lo, &hi, lam_hi, target)
                .or_else(|| model_penalty(&lo, &hi, target))
                .filter(|&m| m > lam_hi && m < lam_lo)
        };
        misses = if model.is_some() { misses + 1 } else { 0 };
        let lambda = model.unwrap_or(secant);
        let r = solver.solve(lambda);
        let k = r.segs();
        if k == target {
            return (widen(r.ends), Some(lambda));
        }
        if model.is_none() {
            let line = lo.cost + lambda * kl as f64;
            let val = r.cost + lambda * k as f64;
            let tol = 1e-12 * line.abs();
            if val >= line - tol || k <= kl || k >= kh {
                return (widen(splice(&lo, &hi, target)), Some(lambda));
            }
        }
        if k < target {
            if k >= kl {
                lo = r;
            }
            lam_lo = lambda;
        } else {
            if k <= kh {
                hi = r;
            }
            lam_hi = lambda;
        }
    }
    // Not reached in exact arithmetic; the plain DP is always right.
    (partition_single(p, target, false).1, None)
}

fn widen(ends: Vec<u32>) -> Vec<usize> {
    ends.into_iter().map(|e| e as usize).collect()
}

/// A penalty expected to give about `target` intervals, from a local power law
/// `g(k) ≈ A·k^(−p)` through the bracket (ASQ's error falls like k^(−2) on smooth data, the
/// default when the bracket says nothing): the marginal gain `g(t − ½) − g(t + ½)`.
fn model_penalty(lo: &Run, hi: &Run, target: usize) -> Option<f64> {
    let (kl, kh) = (lo.segs() as f64, hi.segs() as f64);
    let fitted = (lo.cost > 0.0 && hi.cost > 0.0 && lo.segs() > 1)
        .then(|| (lo.cost / hi.cost).ln() / (kh / kl).ln())
        .filter(|p| p.is_finite() && *p > 0.0);
    let p = fitted.unwrap_or(2.0);
    // Anchor on the bracket end nearer the target (in ratio).
    let (k0, g0) = if fitted.is_some() && (kh / target as f64) < (target as f64 / kl) {
        (kh, hi.cost)
    } else {
        (kl, lo.cost)
    };
    let a = g0 * k0.powf(p);
    let t = target as f64;
    let lambda = a * ((t - 0.5).powf(-p) - (t + 0.5).powf(-p));
    (lambda.is_finite() && lambda > 0.0).then_some(lambda)
}

/// A penalty from the bracket end nearer the target that came from a probe: there λ is the
/// marginal gain −g'(k), so a local power law `g ≈ A·k^(−p)` has `p = λ·k / g(k)` and gives
/// `λ·(k / t)^(p + 1)` at the target.
fn local_penalty(lo: &Run, lam_lo: f64, hi: &Run, lam_hi: f64, target: usize) -> Option<f64> {
    let t = target as f64;
    let mut best: Option<(f64, f64)> = None;
    for (run, lam) in [(lo, lam_lo), (hi, lam_hi)] {
        let k = run.segs() as f64;
        if !(lam.is_finite() && lam > 0.0 && run.cost > 0.0) {
            continue;
        }
        let p = lam * k / run.cost;
        let guess = lam * (k / t).powf(p + 1.0);
        let dist = (k / t).ln().abs();
        if guess.is_finite() && guess > 0.0 && best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, guess));
        }
    }
    best.map(|(_, g)| g)
}
