//! The equations of the N → ∞ limit of online straight-through SGD (docs/ste.md): the
//! one-dimensional Itô process of a latent weight given its teacher value,
//!
//! ```text
//! du = η [ (w0 − Q(u)) g(u) − λ u ] dt + η g(u) sqrt(ε_g(t) + σ²) dB,
//! ε_g(t) = E_{w0, u}[ (w0 − Q(u))² ],     g(u) = 1 (plain) or 1{|u| ≤ ω} (clipped),
//! ```
//!
//! its stationary (zero-flux) densities and the self-consistent fixed points of ε_g, the
//! teacher quadrature, and the Gaussian closure of the continuous student.

use super::Dynamics;
use crate::error::{Error, Result};
use crate::model::teacher::norm_cdf;
use crate::model::LevelSet;
use crate::optimize::brent_root;
use crate::quad::{integrate, kronrod15_rule, Tolerance};
use serde::Serialize;

/// Teacher quadrature: nodes `w0_j` with Kronrod weights (used for every average) and embedded
/// Gauss weights (their difference estimates the quadrature error).
#[derive(Debug, Clone, Default)]
pub struct TeacherNodes {
    /// Teacher values.
    pub w0: Vec<f64>,
    /// Kronrod (15-point) weights, summing to one.
    pub kronrod: Vec<f64>,
    /// Gauss (7-point) weights on the same nodes.
    pub gauss: Vec<f64>,
}

/// Composite Gauss–Kronrod rule for the teacher prior: point masses are nodes; each Gaussian
/// component is integrated over ±`span` standard deviations, split at `breaks` (where the
/// dynamics changes character: the levels, ±ω) and into pieces at most `max_piece` standard
/// deviations long.
pub fn teacher_nodes(dyn_: &Dynamics, breaks: &[f64], span: f64, max_piece: f64) -> TeacherNodes {
    let mut out = TeacherNodes::default();
    for c in dyn_.teacher.components() {
        if c.var <= 0.0 {
            out.w0.push(c.mean);
            out.kronrod.push(c.weight);
            out.gauss.push(c.weight);
            continue;
        }
        let sd = c.var.sqrt();
        let (lo, hi) = (c.mean - span * sd, c.mean + span * sd);
        let mut pts = vec![lo, hi];
        pts.extend(breaks.iter().copied().filter(|b| *b > lo && *b < hi));
        pts.sort_by(f64::total_cmp);
        pts.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
        let mut fine = vec![pts[0]];
        for w in pts.windows(2) {
            let n = ((w[1] - w[0]) / (max_piece * sd)).ceil().max(1.0) as usize;
            for i in 1..=n {
                fine.push(w[0] + (w[1] - w[0]) * i as f64 / n as f64);
            }
        }
        // Renormalize over the truncated range (the tails beyond `span` sd are < 1e-15).
        let norm = norm_cdf(span) - norm_cdf(-span);
        for w in fine.windows(2) {
            let (x, wk, wg) = kronrod15_rule(w[0], w[1]);
            for j in 0..15 {
                let z = (x[j] - c.mean) / sd;
                let dens = (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
                out.w0.push(x[j]);
                out.kronrod.push(c.weight * wk[j] * dens / norm);
                out.gauss.push(c.weight * wg[j] * dens / norm);
            }
        }
    }
    out
}

/// Drift `η[(w0 − Q(u))g(u) − λu]` of a latent weight at `u`, given `Q(u)` and `g(u)`.
#[inline]
pub fn drift(dyn_: &Dynamics, w0: f64, u: f64, qu: f64, gu: f64) -> f64 {
    let o = &dyn_.opts;
    o.lr * ((w0 - qu) * gu - o.weight_decay * u)
}

/// Diffusion coefficient `D = ½ η² (ε_g + σ²) g(u)²` of the Fokker–Planck equation
/// `∂_t p = −∂_u(a p) + ∂_u²(D p)`.
#[inline]
pub fn diffusion(dyn_: &Dynamics, eps: f64, gu: f64) -> f64 {
    0.5 * dyn_.opts.lr * dyn_.opts.lr * (eps + dyn_.noise) * gu * gu
}

/// One stationary point of the dynamics: a self-consistent `ε_g = F(ε_g)` with `F` the error of
/// the stationary (zero-flux) densities at noise level `ε_g + σ²`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedPoint {
    /// ε_g of the quantized weights at the fixed point.
    pub gen_error: f64,
    /// `F'(ε_g)`: below one, the fixed point attracts the slow ε_g dynamics; above one, not.
    pub slope: f64,
    /// Whether `F' < 1`.
    pub stable: bool,
    /// Fraction of weights at each level.
    pub level_fractions: Vec<f64>,
    /// `E[w0 Q(u)]`.
    pub m: f64,
    /// `E[Q(u)²]`.
    pub q: f64,
}

/// Stationary level probabilities of the latent weight with teacher value `w0` at noise level
/// `eps + σ²`. The zero-flux density is `p ∝ exp(Φ)`, `Φ' = 2[(w0 − Q(u)) − λu]/(η(ε + σ²))`
/// on the support of g (`[−ω, ω]` when clipped, with reflecting walls: the exact limit for
/// λ > 0, the quasi-stationary state before the exponentially slow absorption for λ = 0).
/// With λ = 0 and no clipping a teacher beyond the extreme levels has no stationary density:
/// the latent weight escapes to infinity and the deployed weight is the extreme level.
pub fn stationary_levels(dyn_: &Dynamics, q: &LevelSet, w0: f64, eps: f64) -> Vec<f64> {
    let v = q.values();
    let k = v.len();
    let lam = dyn_.opts.weight_decay;
    let mut p = vec![0.0; k];
    let bounded = dyn_.opts.clip;
    if !bounded && lam == 0.0 {
        if w0 >= v[k - 1] {
            p[k - 1] = 1.0;
            return p;
        }
        if w0 <= v[0] {
            p[0] = 1.0;
            return p;
        }
    }
    let c = 2.0 / (dyn_.opts.lr * (eps + dyn_.noise));
    let t = q.thresholds();
    // Φ(u)/c = w0 u − ∫_0^u Q − λu²/2, with ∫_0^u Q piecewise linear: its value at the
    // thresholds, accumulated from the cell holding 0.
    let int_q = |u: f64| -> f64 {
        // ∫_0^u Q(v) dv.
        let mut acc = 0.0;
        let (a, b, sign) = if u >= 0.0 {
            (0.0, u, 1.0)
        } else {
            (u, 0.0, -1.0)
        };
        let mut x = a;
        let mut j = t.partition_point(|s| *s <= a);
        while x < b {
            let next = if j < t.len() { t[j].min(b) } else { b };
            let mid = 0.5 * (x + next);
            acc += q.nearest(mid) * (next - x);
            x = next;
            j += 1;
        }
        sign * acc
    };
    let phi = |u: f64| c * (w0 * u - int_q(u) - 0.5 * lam * u * u);
    // Φ is concave (Q is non-decreasing): locate the mode on the cell boundaries and interior.
    let (lo, hi) = if bounded {
        (-dyn_.width(), dyn_.width())
    } else {
        (f64::NEG_INFINITY, f64::INFINITY)
    };
    let mut cands: Vec<f64> = t.clone();
    if lam > 0.0 {
        for &s in v {
            cands.push((w0 - s) / lam);
        }
    }
    if bounded {
        cands.push(lo);
        cands.push(hi);
    }
    let mode = cands
        .into_iter()
        .filter(|x| *x >= lo && *x <= hi)
        .map(|x| (x, phi(x)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|x| x.0)
        .unwrap_or(0.0);
    let pmax = phi(mode);
    let mut z = 0.0;
    if lam == 0.0 {
        // Φ is piecewise linear: each cell's mass in closed form, e^{Φ(a)}·∫_0^L e^{s x} dx.
        let mut pts = vec![lo];
        pts.extend(t.iter().copied().filter(|x| *x > lo && *x < hi));
        pts.push(hi);
        for w in pts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let j = if a.is_finite() {
                if b.is_finite() {
                    q.nearest_index(0.5 * (a + b))
                } else {
                    k - 1
                }
            } else {
                0
            };
            let slope = c * (w0 - v[j]);
            let mass = if a.is_finite() && b.is_finite() {
                let len = b - a;
                // ∫ over the cell = e^{Φ(top)}·len·(1 − e^{−y})/y, anchored at the end where Φ
                // is larger, y = |slope|·len ≥ 0 (no overflow).
                let y = (slope * len).abs();
                let g = if y < 1e-12 { 1.0 } else { -(-y).exp_m1() / y };
                let top = if slope >= 0.0 { b } else { a };
                (phi(top) - pmax).exp() * len * g
            } else if a.is_finite() {
                // [a, ∞): slope < 0 (w0 below the top level).
                (phi(a) - pmax).exp() / (-slope)
            } else {
                // (−∞, b]: slope > 0.
                (phi(b) - pmax).exp() / slope
            };
            p[j] += mass;
            z += mass;
        }
    } else {
        // Φ strictly concave: integrate e^{Φ − Φmax} numerically where it exceeds e^-60.
        let scale =
            c * (w0.abs() + v[k - 1].abs().max(v[0].abs()) + lam * mode.abs()) + (c * lam).sqrt();
        let reach = |dir: f64| -> f64 {
            let limit = if dir > 0.0 { hi } else { lo };
            let mut step = 1.0 / scale;
            let mut x = mode;
            loop {
                let nx = x + dir * step;
                if (dir > 0.0 && nx >= limit) || (dir < 0.0 && nx <= limit) {
                    return limit;
                }
                if phi(nx) < pmax - 60.0 {
                    return nx;
                }
                x = nx;
                step *= 2.0;
            }
        };
        let (a, b) = (reach(-1.0), reach(1.0));
        let mut pts = vec![a, b, mode];
        pts.extend(t.iter().copied().filter(|s| *s > a && *s < b));
        pts.sort_by(f64::total_cmp);
        pts.dedup();
        let tol = Tolerance {
            abs: 1e-300,
            rel: 1e-12,
            max_intervals: 4000,
        };
        for w in pts.windows(2) {
            if w[1] <= w[0] {
                continue;
            }
            let j = q.nearest_index(0.5 * (w[0] + w[1]));
            let r = integrate(|u| [(phi(u) - pmax).exp()], w, tol);
            p[j] += r.value[0];
            z += r.value[0];
        }
    }
    for x in p.iter_mut() {
        *x /= z;
    }
    p
}

/// `F(ε)`: ε_g of the stationary densities at noise level `ε + σ²`, with the level
/// fractions, `E[w0 Q]` and `E[Q²]`.
pub fn stationary_error(
    dyn_: &Dynamics,
    q: &LevelSet,
    nodes: &TeacherNodes,
    eps: f64,
) -> (f64, Vec<f64>, f64, f64) {
    let v = q.values();
    let mut frac = vec![0.0; v.len()];
    let (mut e, mut m, mut qq) = (0.0, 0.0, 0.0);
    for (w0, w) in nodes.w0.iter().zip(&nodes.kronrod) {
        let p = stationary_levels(dyn_, q, *w0, eps);
        for (j, pj) in p.iter().enumerate() {
            let s = v[j];
            frac[j] += w * pj;
            e += w * pj * (w0 - s) * (w0 - s);
            m += w * pj * w0 * s;
            qq += w * pj * s * s;
        }
    }
    (e, frac, m, qq)
}

/// Every self-consistent stationary point `ε = F(ε)` on `(0, ε_max]`: a scan of `F(ε) − ε`
/// on a logarithmic grid, each sign change refined by Brent's method, labelled by `F'`.
pub fn fixed_points(
    dyn_: &Dynamics,
    q: &LevelSet,
    nodes: &TeacherNodes,
) -> Result<Vec<FixedPoint>> {
    let rho = dyn_.teacher.second_moment();
    let smax = q.values().iter().fold(0.0f64, |a, s| a.max(s.abs()));
    let emax = 2.0 * (rho + smax * smax) + 1.0;
    let g = |e: f64| stationary_error(dyn_, q, nodes, e).0 - e;
    let n = 48;
    let grid: Vec<f64> = (0..=n)
        .map(|i| 1e-4 * emax * 1e4f64.powf(i as f64 / n as f64))
        .collect();
    let vals: Vec<f64> = grid.iter().map(|e| g(*e)).collect();
    if let Some(i) = vals.iter().position(|v| !v.is_finite()) {
        return Err(Error::Numerics(format!(
            "stationary error not finite at eps = {}",
            grid[i]
        )));
    }
    let mut out = Vec::new();
    for i in 0..n {
        if vals[i] == 0.0 || vals[i].signum() != vals[i + 1].signum() {
            let root = if vals[i] == 0.0 {
                grid[i]
            } else {
                brent_root(g, grid[i], grid[i + 1], 1e-11 * grid[i + 1])?
            };
            let h = 1e-5 * root.max(1e-6);
            let slope =
                1.0 + (g(root + h) - g((root - h).max(1e-12))) / (root + h - (root - h).max(1e-12));
            let (e, frac, m, qq) = stationary_error(dyn_, q, nodes, root);
            if !e.is_finite() {
                return Err(Error::Numerics(format!(
                    "stationary error not finite at eps = {root}"
                )));
            }
            out.push(FixedPoint {
                gen_error: e,
                slope,
                stable: slope < 1.0,
                level_fractions: frac,
                m,
                q: qq,
            });
        }
    }
    Ok(out)
}

/// The continuous student: every latent weight is Gaussian given its teacher value, with mean
/// `μ(w0, t)` and a variance `s²(t)` shared by all teacher values,
///
/// ```text
/// dμ/dt = η (w0 − (1 + λ) μ),    ds²/dt = −2η(1 + λ) s² + η² (ε_g + σ²),
/// ε_g = E[(w0 − μ)²] + s²,
/// ```
///
/// integrated by classical fourth-order Runge–Kutta on the teacher nodes with at most `dt` per
/// step. Returns `(ε_g, E[w0 u], E[u²])` at each time.
pub fn continuous_closure(
    dyn_: &Dynamics,
    nodes: &TeacherNodes,
    times: &[f64],
    dt: f64,
) -> Vec<(f64, f64, f64)> {
    let o = &dyn_.opts;
    let (eta, lam, sig2) = (o.lr, o.weight_decay, dyn_.noise);
    let n = nodes.w0.len();
    // State: μ_j for every node, then s².
    let rhs = |y: &[f64], out: &mut [f64]| {
        let mut eps = y[n];
        for ((w0, w), mu) in nodes.w0.iter().zip(&nodes.kronrod).zip(y) {
            eps += w * (w0 - mu) * (w0 - mu);
        }
        for ((o, w0), mu) in out.iter_mut().zip(&nodes.w0).zip(y) {
            *o = eta * (w0 - (1.0 + lam) * mu);
        }
        out[n] = -2.0 * eta * (1.0 + lam) * y[n] + eta * eta * (eps + sig2);
    };
    let observe = |y: &[f64]| {
        let (mut e, mut m, mut qq) = (y[n], 0.0, y[n]);
        for ((&w0, &w), &mu) in nodes.w0.iter().zip(&nodes.kronrod).zip(y) {
            e += w * (w0 - mu) * (w0 - mu);
            m += w * w0 * mu;
            qq += w * mu * mu;
        }
        (e, m, qq)
    };
    let mut y = vec![0.0; n + 1];
    y[n] = o.init_var;
    let mut t = 0.0;
    let (mut k1, mut k2, mut k3, mut k4, mut tmp) = (
        vec![0.0; n + 1],
        vec![0.0; n + 1],
        vec![0.0; n + 1],
        vec![0.0; n + 1],
        vec![0.0; n + 1],
    );
    let mut out = Vec::with_capacity(times.len());
    for &target in times {
        let span = target - t;
        if span > 0.0 {
            let steps = (span / dt).ceil().max(1.0) as usize;
            let h = span / steps as f64;
            for _ in 0..steps {
                rhs(&y, &mut k1);
                for i in 0..=n {
                    tmp[i] = y[i] + 0.5 * h * k1[i];
                }
                rhs(&tmp, &mut k2);
                for i in 0..=n {
                    tmp[i] = y[i] + 0.5 * h * k2[i];
                }
                rhs(&tmp, &mut k3);
                for i in 0..=n {
                    tmp[i] = y[i] + h * k3[i];
                }
                rhs(&tmp, &mut k4);
                for i in 0..=n {
                    y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
                }
            }
            t = target;
        }
        out.push(observe(&y));
    }
    out
}
