//! The 1RSB scalar channel at finite β (THEORY.md §4): conjugates, the nested averages over the
//! outer field `H0 = m̂ w0 + sqrt(q̂0) z0` and the reweighted inner field `z1`, and the free
//! entropy φ1 as a function of *independent* order parameters and conjugates (so that its
//! stationarity can be checked by finite differences).
//!
//! Inner integral. For fixed `H0` the inner measure is `φ(z1) Z(H0 + g z1)^x / W`, `g² = q̂1 − q̂0`.
//! With `Z = Σ_k c_k e^{g z s_k}` and `x ≤ 1`, subadditivity of `t ↦ t^x` gives
//! `φ(z) Z^x ≤ Σ_k c_k^x e^{(x g s_k)²/2} φ(z − x g s_k)` while `W ≥ max_k c_k^x e^{(x g s_k)²/2}`:
//! the tilted measure is a mixture of unit Gaussians centred in `[x g s_min, x g s_max]`, with
//! mass at most `K Φ(−Z_PAD)` outside `[x g s_min − Z_PAD, x g s_max + Z_PAD]`. That is the
//! inner range (the quadrature trap of THEORY.md §4 is a fixed range around 0). The log of the
//! integrand is shifted by its value at the bump centres, which is within `log K` of its
//! maximum: no overflow at any β.

use crate::model::channel::{RsbConjugates, RsbState, RsbTerms};
use crate::model::field::{graded_sided, Field, Step};
use crate::model::{Model, OutputChannel, Student};
use crate::quad::{integrate, Tolerance};
use std::cell::Cell;

/// Half-width of the outer range in standard deviations of `H0` (φ(10) ≈ 8e−23).
pub const U_MAX: f64 = crate::model::field::U_MAX;
/// Padding of the inner range beyond the extreme bump centres, in units of `z1`.
pub const Z_PAD: f64 = 10.0;
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Where the inner `z1` integral is taken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InnerRange {
    /// `[x g s_min − Z_PAD, x g s_max + Z_PAD]`: covers the tilted measure (the default).
    Tilted,
    /// A fixed range `[−L, L]` around 0 (the quadrature trap; for demonstration only).
    Fixed(f64),
}

/// Quadrature settings of the nested averages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadOptions {
    /// Tolerance of the outer (`z0`, per teacher component) integral.
    pub outer: Tolerance,
    /// Tolerance of the inner (`z1`) integral, relative to the shifted integrand (max ≈ 1).
    pub inner: Tolerance,
    /// Range of the inner integral.
    pub range: InnerRange,
}

impl Default for QuadOptions {
    fn default() -> Self {
        QuadOptions {
            outer: Tolerance {
                abs: 1e-12,
                rel: 1e-11,
                max_intervals: 4000,
            },
            inner: Tolerance {
                abs: 1e-13,
                rel: 1e-12,
                max_intervals: 2000,
            },
            range: InnerRange::Tilted,
        }
    }
}

/// Conjugate parameters of the 1RSB channel.
pub type Conjugates = RsbConjugates;

/// Every order parameter, conjugate and the Parisi parameter, all independent: the arguments
/// of [`free_entropy`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// `Q`.
    pub big_q: f64,
    /// `q1`.
    pub q1: f64,
    /// `q0`.
    pub q0: f64,
    /// `m`.
    pub m: f64,
    /// Conjugates.
    pub hat: Conjugates,
    /// Parisi parameter `x`.
    pub x: f64,
}

/// The output channel's side of a 1RSB state: the state, its conjugates and its terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Energetic {
    /// The state as the output channel sees it.
    pub state: RsbState,
    /// The conjugates it implies.
    pub hat: Conjugates,
    /// `Ψ1_out`, `∂Ψ1_out/∂x`, the loss, the training error and the replicon factor.
    pub terms: RsbTerms,
}

/// The output channel's side of the state `(m, q0, q1, Q)` at `x`, or `None` outside the
/// physical domain (`Δ1, Δ0 ≥ 0`, `x ∈ (0, 1]`, and the channel's own domain, e.g.
/// `E0 = ρ − 2m + q0 + σ² > 0` for the Gaussian channel).
pub fn energetic(model: &Model, x: f64, m: f64, q0: f64, q1: f64, big_q: f64) -> Option<Energetic> {
    let state = RsbState::new(model.alpha, model.beta, model.rho(), x, m, q0, q1, big_q)?;
    let (hat, terms) = model.channel.rsb_conjugates_and_terms(&state)?;
    Some(Energetic { state, hat, terms })
}

/// The conjugates alone at the state `(m, q0, q1, Q)` at `x` (what the 1RSB map needs), or
/// `None` outside the physical domain (as [`energetic`]). `accuracy` (0: full) lets a channel
/// that integrates numerically loosen its quadratures ([`RsbState::with_accuracy`]).
#[allow(clippy::too_many_arguments)]
pub fn conjugates_at(
    model: &Model,
    x: f64,
    m: f64,
    q0: f64,
    q1: f64,
    big_q: f64,
    accuracy: f64,
) -> Option<Conjugates> {
    let state = RsbState::new(model.alpha, model.beta, model.rho(), x, m, q0, q1, big_q)?
        .with_accuracy(accuracy);
    model.channel.rsb_conjugates(&state)
}

/// The saddle-point conjugates of THEORY.md §4 at a state (from the output channel).
pub fn conjugates(_model: &Model, en: &Energetic) -> Conjugates {
    en.hat
}

/// Averages of the nested channel at given conjugates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Averages {
    /// `E[w0 ⟪⟨s⟩⟫]`.
    pub m: f64,
    /// `E[⟪⟨s⟩⟫²]`.
    pub q0: f64,
    /// `E[⟪⟨s⟩²⟫]`.
    pub q1: f64,
    /// `E[⟪⟨s²⟩⟫]`.
    pub big_q: f64,
    /// `E_{w0,z0} log E_{z1} Z^x`.
    pub log_w: f64,
    /// `E[⟪log Z⟫]` (for the explicit x-derivative).
    pub log_z: f64,
    /// `E[⟪Var(s)²⟫]` (for the within-state replicon).
    pub var2: f64,
    /// Whether every quadrature met its tolerance.
    pub accurate: bool,
}

struct Inner<'a> {
    student: &'a Student,
    values: &'a [f64],
    a: f64,
    g: f64,
    x: f64,
    opts: QuadOptions,
    /// 1 to integrate `⟪Var(s)²⟫`, 0 to skip it (a zero component costs no refinement).
    full: f64,
}

impl Inner<'_> {
    /// `[log W, ⟪⟨s⟩⟫, ⟪⟨s⟩²⟫, ⟪⟨s²⟩⟫, ⟪log Z⟫, ⟪Var(s)²⟫]` at outer field `h0`.
    fn eval(&self, h0: f64, accurate: &Cell<bool>) -> [f64; 6] {
        let (x, g, a) = (self.x, self.g, self.a);
        if g == 0.0 {
            let mo = self.student.moments(a, h0);
            return [
                x * mo.log_z,
                mo.mean,
                mo.mean * mo.mean,
                mo.mean * mo.mean + mo.var,
                mo.log_z,
                self.full * mo.var * mo.var,
            ];
        }
        let v = self.values;
        let (smin, smax) = (v[0], v[v.len() - 1]);
        let l = |z: f64| -0.5 * z * z - LN_SQRT_2PI + x * self.student.moments(a, h0 + g * z).log_z;
        // Reference: the log-integrand at the bump centres x g s_k (a subsample for many levels).
        let k = v.len();
        let centres: Vec<f64> = if k <= 64 {
            v.iter().map(|s| l(x * g * s)).collect()
        } else {
            (0..=64)
                .map(|i| l(x * g * (smin + (smax - smin) * i as f64 / 64.0)))
                .collect()
        };
        let lref = centres.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Every component is a ratio to ∫ e^{l − lref} ≈ Σ_centres e^{l_k − lref}, and ⟪log Z⟫
        // may cross zero: scale the absolute tolerance by both so it is relative in effect.
        let mass: f64 = centres.iter().map(|c| (c - lref).exp()).sum();
        let lz = self.student.moments(a, h0).log_z.abs();
        let mut tol = self.opts.inner;
        tol.abs *= mass.max(1.0) * (1.0 + lz + smax.abs().max(smin.abs()).powi(2));
        let (lo, hi) = match self.opts.range {
            InnerRange::Tilted => (x * g * smin - Z_PAD, x * g * smax + Z_PAD),
            InnerRange::Fixed(w) => (-w, w),
        };
        let nb = ((hi - lo) / 2.5).ceil().max(1.0) as usize;
        let mut pts: Vec<f64> = (0..=nb)
            .map(|i| lo + (hi - lo) * i as f64 / nb as f64)
            .collect();
        // Steps of ⟨s⟩ at h = a (s_k + s_{k+1})/2, of width 1/(g Δs) in z1. With a breakpoint
        // exactly on a step, each side looks flat to Gauss–Kronrod and the Var(s) bump (the dip
        // of ⟨s⟩² in q1) can fall between the breakpoint and the first node, unseen by the error
        // estimate; graded breakpoints put nodes inside it.
        let n_steps = v.len().saturating_sub(1);
        for (i, w) in v.windows(2).enumerate() {
            let scale = 1.0 / (g * (w[1] - w[0]));
            if scale < 2.0 {
                let z = (a * 0.5 * (w[0] + w[1]) - h0) / g;
                if z > lo && z < hi {
                    // The outermost steps keep their full reach outwards when narrow (see
                    // graded_sided and field::HIDDEN).
                    let reach = (0.5 * a * (w[1] - w[0]) / g).min(1.25);
                    let outer = if scale < 1e-3 { 1.25 } else { reach };
                    let left = if i == 0 { outer } else { reach };
                    let right = if i + 1 == n_steps { outer } else { reach };
                    graded_sided(&mut pts, z, scale, left, right);
                }
            }
        }
        pts.retain(|z| *z >= lo && *z <= hi);
        pts.sort_by(f64::total_cmp);
        // A step within round-off of a grid point would leave a sliver costing a full rule.
        pts.dedup_by(|b, a| *b - *a < 1e-12 * (1.0 + a.abs()));
        let r = integrate(
            |z| {
                let mo = self.student.moments(a, h0 + g * z);
                let w = (-0.5 * z * z - LN_SQRT_2PI + x * mo.log_z - lref).exp();
                [
                    w,
                    w * mo.mean,
                    w * mo.mean * mo.mean,
                    w * (mo.mean * mo.mean + mo.var),
                    w * mo.log_z,
                    self.full * w * mo.var * mo.var,
                ]
            },
            &pts,
            tol,
        );
        if !r.converged {
            accurate.set(false);
        }
        let i0 = r.value[0];
        [
            lref + i0.ln(),
            r.value[1] / i0,
            r.value[2] / i0,
            r.value[3] / i0,
            r.value[4] / i0,
            r.value[5] / i0,
        ]
    }
}

/// The nested averages at conjugates `c` and Parisi parameter `x`, or `None` when they are not
/// defined (`q̂1 < q̂0`, `q̂0 < 0`, a continuous student, non-finite results).
pub fn averages(model: &Model, c: &Conjugates, x: f64, opts: QuadOptions) -> Option<Averages> {
    averages_with(model, c, x, opts, true)
}

/// [`averages`] without `E[⟪Var(s)²⟫]` (left at 0): what the map and φ1 need.
pub fn averages_lean(model: &Model, c: &Conjugates, x: f64, opts: QuadOptions) -> Option<Averages> {
    averages_with(model, c, x, opts, false)
}

fn averages_with(
    model: &Model,
    c: &Conjugates,
    x: f64,
    opts: QuadOptions,
    full: bool,
) -> Option<Averages> {
    let levels = model.student.levels()?;
    let g2 = c.q1_hat - c.q0_hat;
    if !(g2 >= 0.0
        && c.q0_hat >= 0.0
        && x > 0.0
        && x <= 1.0
        && c.a_hat.is_finite()
        && c.m_hat.is_finite())
    {
        return None;
    }
    let values = levels.values();
    let a = c.a_hat + model.beta_ridge();
    let g = g2.sqrt();
    let inner = Inner {
        student: &model.student,
        values,
        a,
        g,
        x,
        opts,
        full: if full { 1.0 } else { 0.0 },
    };
    let accurate = Cell::new(true);
    let mut out = Averages {
        m: 0.0,
        q0: 0.0,
        q1: 0.0,
        big_q: 0.0,
        log_w: 0.0,
        log_z: 0.0,
        var2: 0.0,
        accurate: true,
    };
    // Level steps in H0, each of width ≥ 1/Δs: for small g the step of ⟨s⟩ at a·mid; for large
    // g the reweighting Z^x switches between neighbouring levels at (a − x g²)·mid, over
    // 1/(x Δs) (at x = 1 this is the RS step at precision m̂ + βλ). As in the inner rule, a
    // breakpoint on a step hides the dip of ⟪⟨s⟩⟫² (and of ⟪⟨s⟩²⟫) from the error estimate once
    // the step is much narrower than the panel (β ≳ 10³ at x = 1), so the breakpoints are graded
    // on the narrowest width 1/Δs.
    let switch = a - x * g * g;
    let mut steps = Vec::new();
    for (mid, ds) in levels.gaps() {
        steps.push(Step::between(mid, ds, a));
        if (x * g * g * mid * ds).abs() > 1.0 {
            steps.push(Step::between(mid, ds, switch));
        }
    }
    let field = Field::new(c.m_hat, c.q0_hat);
    let r = model.teacher.field_average(field, &steps, opts.outer, |n| {
        let (p, w0) = (n.weight, n.w0);
        let v = inner.eval(n.h, &accurate);
        [
            p * w0 * v[1],
            p * v[1] * v[1],
            p * v[2],
            p * v[3],
            p * v[0],
            p * v[4],
            p * v[5],
        ]
    });
    accurate.set(accurate.get() && r.accurate);
    [
        out.m, out.q0, out.q1, out.big_q, out.log_w, out.log_z, out.var2,
    ] = r.value;
    out.accurate = accurate.get();
    let vals = [
        out.m, out.q0, out.q1, out.big_q, out.log_w, out.log_z, out.var2,
    ];
    vals.iter().all(|v| v.is_finite()).then_some(out)
}

/// The energetic term `α Ψ1_out` of φ1 (Gaussian channel:
/// `α(−½ log D1 − (1/(2x)) log(D0/D1) − (β/2) E0/D0)`).
pub fn energetic_term(model: &Model, en: &Energetic) -> f64 {
    model.alpha * en.terms.psi
}

/// φ1 from its parts: the order parameters and conjugates of `p` and the averages `av` taken
/// at `p.hat` and `p.x`.
pub fn free_entropy_from(model: &Model, p: &Params, en: &Energetic, av: &Averages) -> f64 {
    let h = &p.hat;
    0.5 * h.a_hat * p.big_q
        - 0.5 * h.q1_hat * en.state.delta1()
        - 0.5 * p.x * (h.q1_hat * p.q1 - h.q0_hat * p.q0)
        - h.m_hat * p.m
        + av.log_w / p.x
        + energetic_term(model, en)
}

/// φ1 of THEORY.md §4 with every argument independent (`None` outside the domain).
pub fn free_entropy(model: &Model, p: &Params, opts: QuadOptions) -> Option<f64> {
    let en = energetic(model, p.x, p.m, p.q0, p.q1, p.big_q)?;
    let av = averages_lean(model, &p.hat, p.x, opts)?;
    Some(free_entropy_from(model, p, &en, &av))
}

/// The explicit `∂φ1/∂x` at fixed order parameters and conjugates (the total derivative at a
/// fixed point, where φ1 is stationary in everything else).
pub fn dphi_dx(model: &Model, p: &Params, en: &Energetic, av: &Averages) -> f64 {
    let x = p.x;
    let h = &p.hat;
    -0.5 * (h.q1_hat * p.q1 - h.q0_hat * p.q0) - av.log_w / (x * x)
        + av.log_z / x
        + model.alpha * en.terms.dpsi_dx
}

/// Training error per sample, from the output channel (Gaussian: `e = −∂φ1/∂β =
/// (α/2) ε_t + (λ/2) Q` with `ε_t = E0/D0² + Δ1/D1 + Δ0/(D1 D0)`).
pub fn train_error(en: &Energetic) -> f64 {
    en.terms.train_error
}
