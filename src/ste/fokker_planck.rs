//! The McKean–Vlasov (nonlinear Fokker–Planck) equation of online STE training, solved for
//! the density of the latent weight at every teacher node:
//!
//! ```text
//! ∂_t p(u, t | w0) = −∂_u[a(u; w0) p] + ∂_u²[D(u; ε_g(t)) p],   ε_g(t) = E[(w0 − Q(u))²].
//! ```
//!
//! **Space.** Finite volumes on a graded mesh whose faces include every decision threshold
//! (where the drift jumps) and ±ω when the gradient is clipped (where g jumps), refined
//! geometrically towards them. The flux through a face is the exact steady flux of the two
//! half cells on either side with their own constant drift and diffusion (a composite
//! Scharfetter–Gummel flux): `J = A⁺ p_left − A⁻ p_right` with `A± ≥ 0`, exact for the
//! exponential boundary layers that form at the thresholds, upwind where diffusion vanishes.
//!
//! **Time.** The modified Patankar–Runge–Kutta scheme MPRK22 (Burchard, Deleersnijder &
//! Meister 2003): second order, conservative and positive for every step size. Each stage is
//! a tridiagonal M-matrix solve, so the masses stay non-negative in floating point too. The
//! first stage (backward Euler) is the embedded first-order solution: their L1 distance
//! controls the step. ε_g couples the teacher nodes: stage one uses ε_g(tⁿ), stage two the
//! stage-one ε_g, as MPRK22 prescribes for non-autonomous production terms.
//!
//! **Boundaries.** Unclipped: the mesh ends at ±L; mass leaving through an outward drift goes
//! to a reservoir (deployed at the extreme level) whose latent moments follow their exact
//! linear ODEs. Clipped: outside [−ω, ω] the latent weight only feels weight decay; with
//! λ = 0 the walls at ±ω absorb (the weight freezes at the extreme level), with λ > 0 they
//! reflect (a weight pushed out is returned by the decay in a time that vanishes as N → ∞).

use super::theory::{diffusion, drift, TeacherNodes};
use super::Dynamics;
use crate::model::teacher::{norm_cdf, norm_pdf};
use crate::model::LevelSet;
use rayon::prelude::*;
use serde::Serialize;

/// Discretization settings of the density solver.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FpOptions {
    /// Largest cell width.
    pub h_max: f64,
    /// Cell width at the thresholds and at ±ω.
    pub h_min: f64,
    /// Mesh grading: a cell at distance x from a threshold is `h_min + grading·x` wide.
    pub grading: f64,
    /// Local error tolerance per step (L1 distance of the densities, teacher-averaged).
    pub tol: f64,
    /// Largest time step in units of 1/η.
    pub max_dt: f64,
    /// Teacher quadrature: Gaussian components integrated over ± this many sd.
    pub teacher_span: f64,
    /// Teacher quadrature: longest Kronrod piece, in sd.
    pub teacher_piece: f64,
}

impl Default for FpOptions {
    fn default() -> Self {
        FpOptions {
            h_max: 0.02,
            h_min: 2e-3,
            grading: 0.1,
            tol: 2e-5,
            max_dt: 0.05,
            teacher_span: 7.5,
            teacher_piece: 6.0,
        }
    }
}

impl FpOptions {
    /// Every resolution parameter divided by `factor` (mesh, steps and tolerance: tolerance by
    /// `factor²`, matching the second-order local error estimate).
    pub fn refined(&self, factor: f64) -> Self {
        FpOptions {
            h_max: self.h_max / factor,
            h_min: self.h_min / factor,
            tol: self.tol / (factor * factor),
            max_dt: self.max_dt / factor,
            ..*self
        }
    }
}

/// The finite-volume mesh.
#[derive(Debug, Clone)]
pub struct Mesh {
    /// Cell faces, ascending.
    pub faces: Vec<f64>,
    /// Cell centres.
    pub centres: Vec<f64>,
    /// Cell widths.
    pub widths: Vec<f64>,
    /// Deployed weight Q(centre) (the centre itself for the continuous student).
    pub q: Vec<f64>,
    /// Level index of each cell (0 for the continuous student).
    pub level: Vec<usize>,
    /// STE factor g at the centre.
    pub g: Vec<f64>,
    /// Interior faces (between cells k and k + 1) at −ω and +ω when clipped.
    pub walls: Option<(usize, usize)>,
    /// Outer ends ±L.
    pub reach: f64,
}

fn march(a: f64, b: f64, refine_a: bool, refine_b: bool, o: &FpOptions) -> Vec<f64> {
    // Faces from a to b (b excluded), cells graded towards the refined ends.
    let width = |x: f64| {
        let da = if refine_a { x - a } else { f64::INFINITY };
        let db = if refine_b { b - x } else { f64::INFINITY };
        (o.h_min + o.grading * da.min(db)).min(o.h_max)
    };
    let mut pts = vec![a];
    let mut x = a;
    while x < b {
        x += width(x).min(width((x + width(x)).min(b)));
        pts.push(x.min(b));
    }
    // Stretch so that the last face lands on b.
    let n = pts.len() - 1;
    let scale = (b - a) / (pts[n] - a);
    pts.iter().take(n).map(|p| a + (p - a) * scale).collect()
}

impl Mesh {
    /// Builds the mesh for the dynamics (`None` levels: the continuous student).
    pub fn new(dyn_: &Dynamics, quant: Option<&LevelSet>, o: &FpOptions) -> Mesh {
        let sd0 = dyn_.opts.init_var.sqrt();
        let rho = dyn_.teacher.second_moment();
        let smax = quant.map_or(0.0, |q| {
            q.values().iter().fold(0.0f64, |a, s| a.max(s.abs()))
        });
        // Where the initial density lives, plus room for the stationary boundary layers
        // (width ≲ η(ε + σ²)/(2·distance)) beyond the extreme thresholds.
        let spread = dyn_.opts.lr * (rho + smax * smax + dyn_.noise);
        let reach = match quant {
            Some(_) => (8.5 * sd0).max(smax + 3.0 + spread),
            None => (8.5 * sd0).max(8.5 * rho.sqrt() + 3.0 + spread),
        };
        let mut breaks: Vec<f64> = quant.map_or(Vec::new(), |q| q.thresholds());
        if dyn_.opts.clip {
            let w = dyn_.width();
            breaks.push(-w);
            breaks.push(w);
        }
        breaks.retain(|b| b.abs() < reach);
        breaks.sort_by(f64::total_cmp);
        breaks.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
        let mut ends = vec![-reach];
        ends.extend(&breaks);
        ends.push(reach);
        let last = ends.len() - 2;
        let mut faces = Vec::new();
        for (i, w) in ends.windows(2).enumerate() {
            faces.extend(march(w[0], w[1], i > 0, i < last, o));
        }
        faces.push(reach);
        let centres: Vec<f64> = faces.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
        let widths: Vec<f64> = faces.windows(2).map(|w| w[1] - w[0]).collect();
        let (q, level): (Vec<f64>, Vec<usize>) = centres
            .iter()
            .map(|c| match quant {
                Some(qq) => {
                    let j = qq.nearest_index(*c);
                    (qq.values()[j], j)
                }
                None => (*c, 0),
            })
            .unzip();
        let width = dyn_.width();
        let g: Vec<f64> = centres
            .iter()
            .map(|c| {
                if dyn_.opts.clip && c.abs() > width {
                    0.0
                } else {
                    1.0
                }
            })
            .collect();
        let walls = dyn_.opts.clip.then(|| {
            let lo = faces.iter().position(|f| (*f + width).abs() < 1e-12);
            let hi = faces.iter().position(|f| (*f - width).abs() < 1e-12);
            // Face index f in `faces` is the interior face between cells f − 1 and f.
            (
                lo.map_or(usize::MAX, |f| f - 1),
                hi.map_or(usize::MAX, |f| f - 1),
            )
        });
        Mesh {
            faces,
            centres,
            widths,
            q,
            level,
            g,
            walls,
            reach,
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.centres.len()
    }

    /// Whether the mesh has no cells (never).
    pub fn is_empty(&self) -> bool {
        self.centres.is_empty()
    }
}

/// `B(x) = x/(eˣ − 1)`, the Bernoulli function of the Scharfetter–Gummel flux.
#[inline]
fn bernoulli(x: f64) -> f64 {
    if x.abs() < 1e-5 {
        1.0 - 0.5 * x + x * x / 12.0
    } else {
        x / x.exp_m1()
    }
}

/// Half-cell flux coefficients: the exact steady flux over a distance δ with constant drift a
/// and diffusion d is `α p_start − β p_end`.
#[inline]
fn half(a: f64, d: f64, delta: f64) -> (f64, f64) {
    if d > 0.0 {
        let pe = a * delta / d;
        let k = d / delta;
        // B(−x) = B(x) + x, evaluated on the side where B is small (no cancellation).
        let b = bernoulli(pe.abs());
        if pe >= 0.0 {
            (k * (b + pe), k * b)
        } else {
            (k * b, k * (b - pe))
        }
    } else {
        (a.max(0.0), (-a).max(0.0))
    }
}

/// Transfer rates (per unit mass) of one teacher node at one noise level.
#[derive(Debug, Clone, Default)]
struct Rates {
    /// From cell k to k + 1.
    up: Vec<f64>,
    /// From cell k + 1 to k.
    down: Vec<f64>,
    /// From cell 0 to the low reservoir.
    out_lo: f64,
    /// From the last cell to the high reservoir.
    out_hi: f64,
    /// Half-cell flux coefficients (work space).
    alpha: Vec<f64>,
    beta: Vec<f64>,
}

fn rates(dyn_: &Dynamics, mesh: &Mesh, drifts: &[f64], eps: f64, r: &mut Rates) {
    let n = mesh.len();
    r.up.resize(n - 1, 0.0);
    r.down.resize(n - 1, 0.0);
    r.alpha.resize(n, 0.0);
    r.beta.resize(n, 0.0);
    let lam = dyn_.opts.weight_decay;
    let eta = dyn_.opts.lr;
    // Both halves of a cell share δ = h/2, a and D: one Bernoulli evaluation per cell.
    let d_in = diffusion(dyn_, eps, 1.0);
    for (k, &a) in drifts.iter().enumerate().take(n) {
        let d = if mesh.g[k] > 0.0 { d_in } else { 0.0 };
        let (al, be) = half(a, d, 0.5 * mesh.widths[k]);
        r.alpha[k] = al;
        r.beta[k] = be;
    }
    for k in 0..n - 1 {
        let (hl, hr) = (mesh.widths[k], mesh.widths[k + 1]);
        let (mut ap, mut am);
        match mesh.walls {
            Some((lo, _)) if k == lo => {
                // Outside cell k, inside cell k + 1, wall at −ω.
                if lam > 0.0 {
                    ap = eta * lam * dyn_.width();
                    am = 0.0;
                } else {
                    ap = 0.0;
                    am = r.beta[k + 1];
                }
            }
            Some((_, hi)) if k == hi => {
                if lam > 0.0 {
                    ap = 0.0;
                    am = eta * lam * dyn_.width();
                } else {
                    ap = r.alpha[k];
                    am = 0.0;
                }
            }
            _ => {
                let (a_l, b_l) = (r.alpha[k], r.beta[k]);
                let (a_r, b_r) = (r.alpha[k + 1], r.beta[k + 1]);
                let den = b_l + a_r;
                if den > 0.0 && den.is_finite() {
                    ap = a_l * a_r / den;
                    am = b_l * b_r / den;
                } else {
                    ap = 0.0;
                    am = 0.0;
                }
            }
        }
        if !ap.is_finite() {
            ap = 0.0;
        }
        if !am.is_finite() {
            am = 0.0;
        }
        r.up[k] = ap / hl;
        r.down[k] = am / hr;
    }
    if dyn_.opts.clip {
        r.out_lo = 0.0;
        r.out_hi = 0.0;
    } else {
        r.out_lo = (-drifts[0]).max(0.0) / mesh.widths[0];
        r.out_hi = drifts[n - 1].max(0.0) / mesh.widths[n - 1];
    }
}

/// Solves `(I − dt K) x = rhs` for the tridiagonal generator K of `r`; the result is
/// non-negative for non-negative `rhs` (M-matrix, no pivoting, no cancellation).
fn implicit_solve(r: &Rates, dt: f64, rhs: &[f64], x: &mut [f64], cp: &mut [f64]) {
    let n = rhs.len();
    let diag = |k: usize| {
        let mut d = 1.0;
        if k + 1 < n {
            d += dt * r.up[k];
        }
        if k > 0 {
            d += dt * r.down[k - 1];
        }
        if k == 0 {
            d += dt * r.out_lo;
        }
        if k == n - 1 {
            d += dt * r.out_hi;
        }
        d
    };
    // Row k: −dt·up[k−1]·x[k−1] + diag_k x[k] − dt·down[k]·x[k+1] = rhs[k].
    let mut den = diag(0);
    cp[0] = if n > 1 { -dt * r.down[0] / den } else { 0.0 };
    x[0] = rhs[0] / den;
    for k in 1..n {
        let a = -dt * r.up[k - 1];
        den = diag(k) - a * cp[k - 1];
        cp[k] = if k + 1 < n {
            -dt * r.down[k] / den
        } else {
            0.0
        };
        x[k] = (rhs[k] - a * x[k - 1]) / den;
    }
    for k in (0..n - 1).rev() {
        x[k] -= cp[k] * x[k + 1];
    }
}

/// Mass and latent moments of a reservoir (weights beyond ±L, deployed at the extreme level).
#[derive(Debug, Clone, Copy, Default)]
struct Reservoir {
    mass: f64,
    m1: f64,
    m2: f64,
}

/// The density of one teacher node.
#[derive(Debug, Clone)]
struct Node {
    w0: f64,
    drift: Vec<f64>,
    m: Vec<f64>,
    lo: Reservoir,
    hi: Reservoir,
    // Work space.
    m1: Vec<f64>,
    lo1: Reservoir,
    hi1: Reservoir,
    r0: Rates,
    r1: Rates,
    rt: Rates,
    cp: Vec<f64>,
    trial: Vec<f64>,
}

/// Per-node observables: `[ε_q, E w0 Q, E Q², ε_u, E w0 u, E u², mass]` and level masses.
struct NodeObs {
    v: [f64; 7],
    levels: Vec<f64>,
    min: f64,
}

impl Node {
    fn observe(&self, mesh: &Mesh, levels: usize, extremes: (f64, f64)) -> NodeObs {
        let w0 = self.w0;
        let mut v = [0.0; 7];
        let mut lv = vec![0.0; levels.max(1)];
        let mut min = f64::INFINITY;
        for k in 0..mesh.len() {
            let (m, q, u) = (self.m[k], mesh.q[k], mesh.centres[k]);
            min = min.min(m);
            v[0] += m * (w0 - q) * (w0 - q);
            v[1] += m * w0 * q;
            v[2] += m * q * q;
            v[3] += m * (w0 - u) * (w0 - u);
            v[4] += m * w0 * u;
            v[5] += m * u * u;
            v[6] += m;
            lv[mesh.level[k]] += m;
        }
        let nl = lv.len();
        for (res, s, j) in [(self.lo, extremes.0, 0), (self.hi, extremes.1, nl - 1)] {
            v[0] += res.mass * (w0 - s) * (w0 - s);
            v[1] += res.mass * w0 * s;
            v[2] += res.mass * s * s;
            v[3] += res.mass * w0 * w0 - 2.0 * w0 * res.m1 + res.m2;
            v[4] += w0 * res.m1;
            v[5] += res.m2;
            v[6] += res.mass;
            lv[j] += res.mass;
        }
        NodeObs { v, levels: lv, min }
    }
}

/// Observables of the density solution at one time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FpPoint {
    /// Time t = steps/N.
    pub time: f64,
    /// ε_g of the deployed (quantized) weights.
    pub gen_error: f64,
    /// ε_g with the 7-point Gauss teacher weights (the difference estimates the teacher
    /// quadrature error).
    pub gen_error_gauss: f64,
    /// `E[(w0 − u)²]` of the latent weights.
    pub latent_error: f64,
    /// `E[w0 Q(u)]`.
    pub m: f64,
    /// `E[Q(u)²]`.
    pub q: f64,
    /// `E[w0 u]`.
    pub m_latent: f64,
    /// `E[u²]`.
    pub q_latent: f64,
    /// Fraction of weights at each level.
    pub level_fractions: Vec<f64>,
    /// Largest |total mass − 1| over teacher nodes.
    pub mass_error: f64,
    /// Smallest cell mass over nodes and cells (never negative).
    pub min_mass: f64,
}

/// Run statistics of the density solver.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FpStats {
    /// Accepted time steps.
    pub steps: usize,
    /// Rejected (repeated) steps.
    pub rejected: usize,
    /// Cells of the mesh.
    pub cells: usize,
    /// Teacher nodes.
    pub nodes: usize,
    /// Largest |mass − 1| at any accepted step and node.
    pub max_mass_error: f64,
    /// Smallest cell mass at any accepted step (≥ 0: positivity).
    pub min_mass: f64,
}

/// Solves the McKean–Vlasov equation and reports the observables at `times` (sorted, ≥ 0).
pub fn solve(
    dyn_: &Dynamics,
    quant: Option<&LevelSet>,
    nodes: &TeacherNodes,
    times: &[f64],
    o: &FpOptions,
) -> (Vec<FpPoint>, FpStats) {
    let mesh = Mesh::new(dyn_, quant, o);
    let nc = mesh.len();
    let sd0 = dyn_.opts.init_var.sqrt();
    let levels = quant.map_or(1, |q| q.values().len());
    let extremes = quant.map_or((0.0, 0.0), |q| {
        let v = q.values();
        (v[0], v[v.len() - 1])
    });
    // Exact cell masses of N(0, v); the tails beyond ±L go to the reservoirs (clipped: to the
    // end cells, which only feel the inward weight decay).
    let cdf = |x: f64| norm_cdf(x / sd0);
    let mut m0: Vec<f64> = mesh
        .faces
        .windows(2)
        .map(|w| cdf(w[1]) - cdf(w[0]))
        .collect();
    let tail = cdf(-mesh.reach);
    let l = mesh.reach / sd0;
    let tail_res = Reservoir {
        mass: tail,
        m1: sd0 * norm_pdf(l),
        m2: dyn_.opts.init_var * (l * norm_pdf(l) + tail),
    };
    let (lo0, hi0) = if dyn_.opts.clip {
        m0[0] += tail;
        m0[nc - 1] += tail;
        (Reservoir::default(), Reservoir::default())
    } else {
        (
            Reservoir {
                m1: -tail_res.m1,
                ..tail_res
            },
            tail_res,
        )
    };
    let mut state: Vec<Node> = nodes
        .w0
        .iter()
        .map(|&w0| Node {
            w0,
            drift: (0..nc)
                .map(|k| drift(dyn_, w0, mesh.centres[k], mesh.q[k], mesh.g[k]))
                .collect(),
            m: m0.clone(),
            lo: lo0,
            hi: hi0,
            m1: vec![0.0; nc],
            lo1: lo0,
            hi1: hi0,
            r0: Rates::default(),
            r1: Rates::default(),
            rt: Rates::default(),
            cp: vec![0.0; nc],
            trial: vec![0.0; nc],
        })
        .collect();
    let eps_of = |st: &[Node], first_stage: bool| -> f64 {
        let obs: Vec<f64> = st
            .par_iter()
            .map(|nd| {
                let (m, lo, hi) = if first_stage {
                    (&nd.m1, nd.lo1, nd.hi1)
                } else {
                    (&nd.m, nd.lo, nd.hi)
                };
                let w0 = nd.w0;
                let mut e = 0.0;
                for (mk, qk) in m.iter().zip(&mesh.q) {
                    let d = w0 - qk;
                    e += mk * d * d;
                }
                e += lo.mass * (w0 - extremes.0).powi(2) + hi.mass * (w0 - extremes.1).powi(2);
                e
            })
            .collect();
        obs.iter().zip(&nodes.kronrod).map(|(e, w)| e * w).sum()
    };
    let report = |st: &[Node], t: f64| -> FpPoint {
        let obs: Vec<NodeObs> = st
            .par_iter()
            .map(|nd| nd.observe(&mesh, levels, extremes))
            .collect();
        let mut v = [0.0; 7];
        let mut eg = 0.0;
        let mut lv = vec![0.0; levels];
        let mut mass_error = 0.0f64;
        let mut min = f64::INFINITY;
        for ((ob, wk), wg) in obs.iter().zip(&nodes.kronrod).zip(&nodes.gauss) {
            for (vi, oi) in v.iter_mut().zip(&ob.v) {
                *vi += wk * oi;
            }
            eg += wg * ob.v[0];
            for (a, b) in lv.iter_mut().zip(&ob.levels) {
                *a += wk * b;
            }
            mass_error = mass_error.max((ob.v[6] - 1.0).abs());
            min = min.min(ob.min);
        }
        FpPoint {
            time: t,
            gen_error: v[0],
            gen_error_gauss: eg,
            latent_error: v[3],
            m: v[1],
            q: v[2],
            m_latent: v[4],
            q_latent: v[5],
            level_fractions: lv,
            mass_error,
            min_mass: min,
        }
    };
    let eta = dyn_.opts.lr;
    let max_dt = o.max_dt / eta;
    let mut dt = (1e-3 / eta).min(max_dt);
    let mut t = 0.0;
    let mut eps = eps_of(&state, false);
    let mut stats = FpStats {
        steps: 0,
        rejected: 0,
        cells: nc,
        nodes: nodes.w0.len(),
        max_mass_error: 0.0,
        min_mass: f64::INFINITY,
    };
    let lam = dyn_.opts.weight_decay;
    let ext = extremes;
    let reach = mesh.reach;
    let mut out = Vec::with_capacity(times.len());
    for &target in times {
        crate::parallel::tick();
        while t < target - 1e-14 * target.max(1.0) {
            let h = dt.min(target - t);
            // Stage 1: backward Euler with the rates at ε(tⁿ).
            state.par_iter_mut().for_each(|nd| {
                rates(dyn_, &mesh, &nd.drift, eps, &mut nd.r0);
                implicit_solve(&nd.r0, h, &nd.m, &mut nd.m1, &mut nd.cp);
                nd.lo1.mass = nd.lo.mass + h * nd.r0.out_lo * nd.m1[0];
                nd.hi1.mass = nd.hi.mass + h * nd.r0.out_hi * nd.m1[nc - 1];
            });
            let eps1 = eps_of(&state, true);
            // Stage 2: Patankar-weighted trapezoid with the rates at ε(stage 1).
            let err: f64 = {
                let errs: Vec<f64> = state
                    .par_iter_mut()
                    .map(|nd| {
                        rates(dyn_, &mesh, &nd.drift, eps1, &mut nd.r1);
                        let ratio = |k: usize| {
                            let (a, b) = (nd.m[k], nd.m1[k]);
                            if b > 1e-300 {
                                a / b
                            } else {
                                1.0
                            }
                        };
                        let rt = &mut nd.rt;
                        rt.up.resize(nc - 1, 0.0);
                        rt.down.resize(nc - 1, 0.0);
                        for k in 0..nc - 1 {
                            rt.up[k] = 0.5 * (nd.r0.up[k] * ratio(k) + nd.r1.up[k]);
                            rt.down[k] = 0.5 * (nd.r0.down[k] * ratio(k + 1) + nd.r1.down[k]);
                        }
                        rt.out_lo = 0.5 * (nd.r0.out_lo * ratio(0) + nd.r1.out_lo);
                        rt.out_hi = 0.5 * (nd.r0.out_hi * ratio(nc - 1) + nd.r1.out_hi);
                        implicit_solve(rt, h, &nd.m, &mut nd.trial, &mut nd.cp);
                        let lo_mass = nd.lo.mass + h * rt.out_lo * nd.trial[0];
                        let hi_mass = nd.hi.mass + h * rt.out_hi * nd.trial[nc - 1];
                        let mut e = (lo_mass - nd.lo1.mass).abs() + (hi_mass - nd.hi1.mass).abs();
                        for k in 0..nc {
                            e += (nd.trial[k] - nd.m1[k]).abs();
                        }
                        e
                    })
                    .collect();
                errs.iter().zip(&nodes.kronrod).map(|(e, w)| e * w).sum()
            };
            if err > o.tol && h > 1e-9 / eta {
                stats.rejected += 1;
                dt = h * (0.9 * (o.tol / err).sqrt()).clamp(0.2, 0.9);
                continue;
            }
            // Accept: masses, reservoirs and their latent moments (trapezoid in time, exact
            // inflow at ±L).
            let emid = 0.5 * (eps + eps1);
            state.par_iter_mut().for_each(|nd| {
                std::mem::swap(&mut nd.m, &mut nd.trial);
                let lo_mass = nd.lo.mass + h * nd.rt.out_lo * nd.m[0];
                let hi_mass = nd.hi.mass + h * nd.rt.out_hi * nd.m[nc - 1];
                for (res, new_mass, s, edge) in [
                    (&mut nd.lo, lo_mass, ext.0, -reach),
                    (&mut nd.hi, hi_mass, ext.1, reach),
                ] {
                    let b = eta * (nd.w0 - s);
                    let inflow = new_mass - res.mass;
                    let mbar = 0.5 * (res.mass + new_mass);
                    let c = 0.5 * h * eta * lam;
                    let m1 = (res.m1 * (1.0 - c) + h * b * mbar + edge * inflow) / (1.0 + c);
                    let m1bar = 0.5 * (res.m1 + m1);
                    let m2 = (res.m2 * (1.0 - 2.0 * c)
                        + h * (2.0 * b * m1bar + eta * eta * (emid + dyn_.noise) * mbar)
                        + edge * edge * inflow)
                        / (1.0 + 2.0 * c);
                    *res = Reservoir {
                        mass: new_mass,
                        m1,
                        m2,
                    };
                }
            });
            t += h;
            stats.steps += 1;
            eps = eps_of(&state, false);
            let (me, mn) = state
                .par_iter()
                .map(|nd| {
                    let s: f64 = nd.m.iter().sum::<f64>() + nd.lo.mass + nd.hi.mass;
                    let mn = nd.m.iter().copied().fold(f64::INFINITY, f64::min);
                    ((s - 1.0).abs(), mn)
                })
                .reduce(|| (0.0, f64::INFINITY), |a, b| (a.0.max(b.0), a.1.min(b.1)));
            stats.max_mass_error = stats.max_mass_error.max(me);
            stats.min_mass = stats.min_mass.min(mn);
            let grow = if err > 0.0 {
                (0.9 * (o.tol / err).sqrt()).clamp(0.2, 2.0)
            } else {
                2.0
            };
            if h >= dt {
                dt = (h * grow).min(max_dt);
            }
        }
        out.push(report(&state, target));
    }
    (out, stats)
}
