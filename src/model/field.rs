//! The teacher side of the scalar channel: the measure of the effective field
//! `h = m̂ w0 + √q̂ z` (`w0` from the teacher prior, `z ~ N(0, 1)`) that every solver averages
//! the student's local posterior over.
//!
//! Each mixture component `N(μ, v)` of the prior makes `h` Gaussian, `h ~ N(m̂ μ, m̂² v + q̂)`,
//! with `E[w0 | h]` linear in `h`, so every average is one adaptive Gauss–Kronrod integral per
//! component ([`TeacherPrior::field_average`]). The field is written `h = g (s w0 + √n z)`
//! ([`Field`]: gain `g`, signal `s`, noise `n`, with `m̂ = g s`, `q̂ = g² n`), so that a channel
//! can hand over the form it computes most accurately: `g = 1, s = m̂, n = q̂` in general, the
//! effective observation `ŷ = w0 + sqrt(E/α) z` with gain `Â` for the Gaussian channel
//! (THEORY.md §2). The student supplies the places where its
//! posterior moves fast ([`Step`]: the level midpoints in `h`), where the quadrature gets graded
//! breakpoints. At β = ∞ (the quadratic collapse of THEORY.md §3) the same measure is cut into
//! cells instead ([`TeacherPrior::cells`]).
//!
//! RS at finite β, RS at β = ∞, the outer integral of 1RSB and the start of AMP's state
//! evolution all use this module; none re-implements the loop over components.

use super::teacher::{norm_cdf, norm_pdf, Component, TeacherPrior};
use crate::lattice;
use crate::quad::{integrate, Tolerance};

/// Half-width of the integration range in standard deviations of the field (φ(10) ≈ 8e−23).
pub const U_MAX: f64 = 10.0;
/// The coarse partition (in standard deviations) every component's integral starts from.
const COARSE: [f64; 7] = [-6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0];
/// Graded breakpoints never reach further than this from a step (standard deviations).
const MAX_REACH: f64 = 1.5;
/// A feature narrower than this (in standard deviations of the field) can hide between a
/// panel's end and its first Gauss–Kronrod node (at 0.4% of the panel from the end), where the
/// error estimate does not see it; the outer sides of the outermost steps then get graded
/// breakpoints over their full reach ([`graded_sided`]).
const HIDDEN: f64 = 1e-3;

/// The effective field `h = gain · (signal · w0 + √noise · z)`: `m̂ = gain · signal`,
/// `q̂ = gain² · noise`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// The gain `g` (1 unless the channel prefers an observation form).
    pub gain: f64,
    /// The signal `s` multiplying the teacher weight.
    pub signal: f64,
    /// The variance `n ≥ 0` of the Gaussian noise.
    pub noise: f64,
}

impl Field {
    /// The field `h = m̂ w0 + √q̂ z` (gain 1).
    pub fn new(m_hat: f64, q_hat: f64) -> Self {
        Field {
            gain: 1.0,
            signal: m_hat,
            noise: q_hat,
        }
    }

    /// `m̂ = gain · signal`.
    pub fn m_hat(&self) -> f64 {
        self.gain * self.signal
    }

    /// `q̂ = gain² · noise`.
    pub fn q_hat(&self) -> f64 {
        self.gain * self.gain * self.noise
    }
}

/// A place where the student's posterior changes fast, in units of the field divided by its
/// gain (`h/g`): the posterior mean steps from one level to the next around `at` over a width
/// `1/(g · gap)`, and `Var(s)` is a bump of that width there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// Centre of the step (in `h/g`).
    pub at: f64,
    /// Spacing of the two levels it connects (the step's width in `h` is `1/gap`).
    pub gap: f64,
    /// Distance from the centre (in `h/g`) within which graded breakpoints are useful.
    pub reach: f64,
}

impl Step {
    /// The step between two neighbouring levels with midpoint `mid` and spacing `gap`, for a
    /// posterior whose quadratic coefficient is `shift` times the gain: the mean switches levels
    /// at `h/g = shift · mid`, and the next switch is `|shift| gap` away.
    pub fn between(mid: f64, gap: f64, shift: f64) -> Self {
        Step {
            at: shift * mid,
            gap,
            reach: 0.5 * shift.abs() * gap,
        }
    }
}

/// One node of the teacher measure, handed to the integrand of
/// [`TeacherPrior::field_average`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    /// The field `h`.
    pub h: f64,
    /// `E[w0 | h]` within the component.
    pub w0: f64,
    /// `Var[w0 | h]` within the component (constant over it; 0 for a point mass).
    pub w0_var: f64,
    /// The density weight of the node: multiply every averaged quantity by it.
    pub weight: f64,
}

/// The outcome of [`TeacherPrior::field_average`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldAverage<const N: usize> {
    /// `Σ_c π_c ∫ weight · f` over the components.
    pub value: [f64; N],
    /// Whether every component's quadrature met its tolerance.
    pub accurate: bool,
}

/// Pushes `c` and breakpoints graded geometrically around it (`c ± 2s, ± 8s, ± 32s` while
/// within `reach`): whatever the adaptive rule makes of the panels next to `c`, some nodes lie
/// inside a feature of width `s` centred there. Written once for RS and 1RSB (and for the 1RSB
/// inner integral).
pub fn graded(pts: &mut Vec<f64>, c: f64, s: f64, reach: f64) {
    graded_sided(pts, c, s, reach, reach);
}

/// [`graded`] with a reach of its own on each side. The outermost steps of a staircase need
/// their full reach on the outer side, where no neighbour's breakpoints follow: with the
/// half-distance to the inner neighbour there as well, the outer tail of the `Var(s)` bump
/// (12% of it beyond two widths) fell in a panel too wide for the error estimate to see it
/// (issue 13: `χ` 8% low at σ² = 10⁸, β = 5, 2 bits).
pub fn graded_sided(pts: &mut Vec<f64>, c: f64, s: f64, left: f64, right: f64) {
    pts.push(c);
    let mut k = 2.0;
    while k <= 32.0 && (k * s < left || k * s < right) {
        if k * s < left {
            pts.push(c - k * s);
        }
        if k * s < right {
            pts.push(c + k * s);
        }
        k *= 4.0;
    }
}

impl TeacherPrior {
    /// `E_{w0, z}[f(h, E[w0|h])]` for the `field` `h = g (s w0 + √n z)`, with `f` evaluated at
    /// [`Node`]s and multiplying its outputs by `node.weight` itself. One adaptive
    /// Gauss–Kronrod integral per mixture component over `±U_MAX` standard deviations of `h`,
    /// starting from a coarse partition plus graded breakpoints at the student's `steps` (given
    /// in units of `h/g`, e.g. [`crate::model::Student::steps`] at `a/g`).
    ///
    /// Why graded: `⟨s⟩` steps at a level midpoint over a width `1/(Δs)` in `h`, and `Var(s)` is
    /// a bump of that width there. When the step is narrower than the field's spread, a
    /// breakpoint at the midpoint alone is not enough: the bump can fall between the endpoint
    /// and the first Gauss–Kronrod node, where the error estimate cannot see it (at large β the
    /// RS iteration then converges to a spurious frozen state). Breakpoints graded
    /// geometrically around the midpoint put nodes inside the bump at every β.
    ///
    /// A component with zero spread (`s² v + n = 0`) is a point evaluation.
    pub fn field_average<const N: usize, F: FnMut(Node) -> [f64; N]>(
        &self,
        field: Field,
        steps: &[Step],
        tol: Tolerance,
        mut f: F,
    ) -> FieldAverage<N> {
        let mut out = FieldAverage {
            value: [0.0; N],
            accurate: true,
        };
        let Field {
            gain,
            signal,
            noise,
        } = field;
        for c in self.components() {
            // In units of h/g: mean `centre`, standard deviation `tau`.
            let tau = (signal * signal * c.var + noise).sqrt();
            let centre = signal * c.mean;
            let value = if tau > 0.0 {
                let post = signal * c.var / tau;
                let w0_var = c.var * noise / (tau * tau);
                let mut pts = COARSE.to_vec();
                let first = steps.iter().map(|s| s.at).fold(f64::INFINITY, f64::min);
                let last = steps.iter().map(|s| s.at).fold(f64::NEG_INFINITY, f64::max);
                for s in steps {
                    let scale = 1.0 / (gain * s.gap * tau);
                    let u = (s.at - centre) / tau;
                    if scale < 1.0 && u > -U_MAX && u < U_MAX {
                        let inner = (s.reach / tau).min(MAX_REACH);
                        let outer = if scale < HIDDEN { MAX_REACH } else { inner };
                        let left = if s.at <= first { outer } else { inner };
                        let right = if s.at >= last { outer } else { inner };
                        graded_sided(&mut pts, u, scale, left, right);
                    }
                }
                pts.retain(|u| u.abs() < U_MAX);
                pts.push(-U_MAX);
                pts.push(U_MAX);
                pts.sort_by(f64::total_cmp);
                // A step within round-off of a coarse point would leave a sliver costing a
                // full rule.
                pts.dedup_by(|b, a| *b - *a < 1e-9);
                let r = integrate(
                    |u| {
                        f(Node {
                            h: gain * (centre + tau * u),
                            w0: c.mean + post * u,
                            w0_var,
                            weight: norm_pdf(u),
                        })
                    },
                    &pts,
                    tol,
                );
                out.accurate &= r.converged;
                r.value
            } else {
                f(Node {
                    h: gain * centre,
                    w0: c.mean,
                    w0_var: c.var,
                    weight: 1.0,
                })
            };
            for (o, v) in out.value.iter_mut().zip(value) {
                *o += c.weight * v;
            }
        }
        out
    }

    /// The β = ∞ cell form of the measure: the effective observation `ŷ = w0 + √noise_var z` cut
    /// at the sorted `edges` into `edges.len() + 1` cells. For each mixture component (weight
    /// `π_c`) calls `cell(π_c, k, P_k, F_k)` for every cell `k`, with `P_k = P(ŷ ∈ cell k)` and
    /// `F_k = E[w0 · 1{ŷ ∈ cell k}]` within the component, and `edge(π_c, k, φ(z_k), τ_c)` for
    /// every edge, where `φ(z_k)/τ_c` is the component's density of `ŷ` there (`τ_c` its
    /// standard deviation). Closed forms in the normal CDF/PDF; each edge's CDF and PDF are
    /// evaluated once per component.
    pub fn cells(
        &self,
        noise_var: f64,
        edges: &[f64],
        mut cell: impl FnMut(f64, usize, f64, f64),
        mut edge: impl FnMut(f64, usize, f64, f64),
    ) {
        for c in self.components() {
            component_cells(c, noise_var, edges.iter().copied(), &mut cell, &mut edge);
        }
    }

    /// The totals of the β = ∞ cells for a uniform grid of `levels` (spacing `step`, at least
    /// [`DENSE_CELLS`] levels) with the cell edges `shift · (s_k + s_{k+1})/2`:
    /// `(Σ_k s_k F_k, Σ_k s_k² P_k, Σ_e (s_{e+1} − s_e) φ(z_e)/τ)`, summed over the components
    /// with their weights (the sums [`TeacherPrior::cells`] hands to its callbacks, as
    /// `rs::zero` forms them). By parts, at the edge `j` nearest the component's mean,
    /// `Σ_k g(s_k) P_k = g(s_j) Φ_j + g(s_{j+1}) Φc_j − Σ_{e<j} Δg_e Φ_e + Σ_{e>j} Δg_e Φc_e`
    /// (`Δg_e = g(s_{e+1}) − g(s_e)`: `d` for `s`, `2d (s_e + s_{e+1})/2` for `s²`, linear in
    /// `z_e`), and `Σ_k s_k (φ_{k−1} − φ_k) = d Σ_e φ_e`: sums of `Φ`, `zΦ`, `Φc`, `zΦc` and `φ`
    /// over uniformly spaced `z_e`, taken by Euler–Maclaurin ([`crate::lattice::edge_sums`]) with
    /// a remainder bound below `1e-17` on every total (relative to `max(1, s_max²)` for the
    /// second moment). A component whose grid is too coarse in its own units (a point mass with
    /// little noise) is summed cell by cell as [`TeacherPrior::cells`] does.
    pub fn uniform_cells(
        &self,
        noise_var: f64,
        levels: &[f64],
        step: f64,
        shift: f64,
    ) -> (f64, f64, f64) {
        let k = levels.len();
        let (mut first, mut second, mut density) = (0.0, 0.0, 0.0);
        let smax = levels[0].abs().max(levels[k - 1].abs());
        for c in self.components() {
            let tau = (c.var + noise_var).sqrt();
            let post = c.var / tau;
            let spacing = shift * step;
            let delta = spacing / tau;
            let t0 = shift * 0.5 * (levels[0] + levels[1]);
            // The fewest corrections whose remainder bounds keep every total within 1e-17.
            let order = (tau > 0.0 && delta.is_finite() && k >= DENSE_CELLS)
                .then(|| {
                    (1..=lattice::MAX_ORDER).find(|&p| {
                        let (plain, with_z, dens) = lattice::edge_bounds(delta, p);
                        let e_first = step * 2.0 * plain;
                        let e_second =
                            2.0 * step / shift * (c.mean.abs() * 2.0 * plain + tau * 2.0 * with_z);
                        let e_m = c.mean.abs() * e_first + post * step * dens;
                        let e_dens = step * dens / tau;
                        e_m <= 1e-17 && e_second <= 1e-17 * smax.max(1.0).powi(2) && e_dens <= 1e-17
                    })
                })
                .flatten();
            let Some(p) = order else {
                // Cell by cell, each probability a difference of Φ below the component's mean
                // and of Φc above it (no cancellation near 1).
                let z = |i: usize| (shift * 0.5 * (levels[i] + levels[i + 1]) - c.mean) / tau;
                let (mut za, mut fa) = (f64::NEG_INFINITY, 0.0);
                for i in 0..k {
                    let zb = if i + 1 < k { z(i) } else { f64::INFINITY };
                    let fb = lattice::pdf(zb);
                    let prob = if za >= 0.0 {
                        lattice::ccdf(za) - lattice::ccdf(zb)
                    } else {
                        lattice::cdf(zb) - lattice::cdf(za)
                    };
                    second += c.weight * levels[i] * levels[i] * prob;
                    first += c.weight * levels[i] * (c.mean * prob + post * (fa - fb));
                    if i + 1 < k {
                        density += c.weight * (levels[i + 1] - levels[i]) * fb / tau;
                    }
                    (za, fa) = (zb, fb);
                }
                continue;
            };
            let s = lattice::edge_sums((t0 - c.mean) / tau, delta, k - 1, p);
            let j = s.pivot;
            let (lo, hi) = (levels[j], levels[j + 1]);
            let moment1 = lo * s.cdf_pivot + hi * s.ccdf_pivot - step * s.below + step * s.above;
            let moment2 = lo * lo * s.cdf_pivot + hi * hi * s.ccdf_pivot
                - 2.0 * step / shift * (c.mean * s.below + tau * s.below_z)
                + 2.0 * step / shift * (c.mean * s.above + tau * s.above_z);
            first += c.weight * (c.mean * moment1 + post * step * s.density);
            second += c.weight * moment2;
            density += c.weight * step * s.density / tau;
        }
        (first, second, density)
    }
}

/// Fewest levels for which [`TeacherPrior::uniform_cells`] sums by Euler–Maclaurin (below, a
/// sum over the cells is as cheap).
pub const DENSE_CELLS: usize = 32;

/// [`TeacherPrior::cells`] for one mixture component.
fn component_cells(
    c: &Component,
    noise_var: f64,
    edges: impl Iterator<Item = f64>,
    mut cell: impl FnMut(f64, usize, f64, f64),
    mut edge: impl FnMut(f64, usize, f64, f64),
) {
    let tau = (c.var + noise_var).sqrt();
    let post = c.var / tau;
    let (mut pa, mut fa) = (0.0, 0.0);
    // Each edge closes one cell; the last cell is closed by +∞.
    for (i, t) in edges.map(Some).chain([None]).enumerate() {
        let (pb, fb) = match t {
            Some(t) => {
                let z = (t - c.mean) / tau;
                (norm_cdf(z), norm_pdf(z))
            }
            None => (1.0, 0.0),
        };
        let p = pb - pa;
        cell(c.weight, i, p, c.mean * p + post * (fa - fb));
        if t.is_some() {
            edge(c.weight, i, fb, tau);
        }
        (pa, fa) = (pb, fb);
    }
}
