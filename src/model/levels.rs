//! The student's weight space: a finite level set (the quantizer) or the continuous line, and
//! the one interface every solver uses on it — the moments of the local posterior
//! `p(s) ∝ π(s) exp(−(a/2) s² + h s)`.

use super::field::Step;
use super::rounding::Rounding;
use crate::error::{Error, Result};
use crate::lattice;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

/// Above this size of `a s²` (the quadratic term of the local posterior's exponent), the
/// exponents of the levels are formed relative to the mode through the midpoint
/// ([`LevelSet::relative_exponent`]): the direct difference `−(a/2)(s_i² − s_j²) + h (s_i − s_j)`
/// then loses `ε a s²` ≥ 1e-12 (a large β or ridge; issue 13: a ridge of 1e8 stalled the
/// continuation on round-off noise).
const CANCELLING: f64 = 1e4;

/// A sorted set of distinct finite levels with optional positive weights π.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelSet {
    values: Vec<f64>,
    /// `log π_k`, or `None` for the counting measure.
    log_weights: Option<Vec<f64>>,
    /// The common spacing when the levels are evenly spaced (enables an exp-free recurrence).
    #[serde(skip)]
    step: Option<f64>,
    /// Whether every level is `s_0 + k d` to 4 ulps of the largest level ([`LevelSet::spacing`]).
    #[serde(skip)]
    uniform: bool,
}

/// Mean, variance and log-normalizer of a local posterior.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// `log Σ_k π_k exp(−(a/2)s_k² + h s_k)` (for the continuous student, the Lebesgue integral).
    pub log_z: f64,
    /// Posterior mean `⟨s⟩`.
    pub mean: f64,
    /// Posterior variance `⟨s²⟩ − ⟨s⟩²`.
    pub var: f64,
}

/// What the posterior moments on evenly spaced levels with the counting measure need of the
/// quadratic coefficient `a` alone ([`LevelSet::even`]): computed once per integral over the
/// field, where `a` is fixed and only `h` varies ([`Posterior`]).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Even {
    a: f64,
    /// The spacing `d`.
    d: f64,
    /// `a d`.
    ad: f64,
    /// `a d²`.
    ad2: f64,
    /// `exp(−a d²)`: the ratio of consecutive weight ratios (when worked out in advance).
    decay: Option<f64>,
    /// How far the posterior reaches from its centre `h/a` (plus a level): the dense grid's
    /// closed form holds when both ends of the grid are this far away (∞ unless `dense`).
    reach: f64,
    /// Whether `a d² ≤ DENSE_GRID`.
    dense: bool,
    /// `(ln √(2π/a), ln d)` ([`dense_log`]), when `dense` and worked out in advance.
    dense_log: Option<(f64, f64)>,
    /// Whether the midpoint form can be needed at any mode (else it is never tested for).
    may_cancel: bool,
    /// `√a`.
    sqrt_a: f64,
    /// Whether the grid is dense and long enough for Euler–Maclaurin sums near its ends
    /// ([`EM_SPACING`], [`EM_LEVELS`]).
    em: bool,
}

/// Largest spacing `√a d` of the grid in posterior standard deviations at which the moments
/// near the grid's ends are summed by Euler–Maclaurin ([`crate::lattice::gaussian_moments`]):
/// below it the window of levels holds more than ~120 levels.
const EM_SPACING: f64 = 0.15;
/// Fewest levels for the Euler–Maclaurin sums.
const EM_LEVELS: usize = 32;
/// Remainder tolerance of the Euler–Maclaurin sums (relative to the moments' own scales):
/// below double-precision round-off, so they agree with the sums over every level.
const EM_TOL: f64 = 1e-16;
/// `√(2π)`.
const SQRT_TAU: f64 = 2.506_628_274_631_000_7;

/// The lattice sums of [`LevelSet::moments_even`], before the logarithm that only
/// [`Moments::log_z`] needs: `log Z = emax + ln z`.
#[derive(Debug, Clone, Copy)]
struct EvenMoments {
    mean: f64,
    var: f64,
    emax: f64,
    z: f64,
}

impl EvenMoments {
    #[inline]
    fn moments(self) -> Moments {
        Moments {
            log_z: self.emax + self.z.ln(),
            mean: self.mean,
            var: self.var,
        }
    }

    #[inline]
    fn mean_var(self) -> (f64, f64) {
        (self.mean, self.var)
    }
}

/// The local posterior `p(s) ∝ π(s) exp(−(a/2)s² + h s)` of a student at one quadratic
/// coefficient `a`, for many fields `h` ([`Student::posterior`]): every average over the teacher
/// measure holds `a` fixed, so what depends on `a` alone (the kind of sum, `exp(−a d²)` of an
/// even grid, the cancellation and dense-grid tests' per-`a` parts) is worked out once. The
/// moments are those of [`Student::moments`] and [`Student::mean_var`], to the last bit.
#[derive(Debug, Clone, Copy)]
pub struct Posterior<'s> {
    student: &'s Student,
    a: f64,
    even: Option<Even>,
}

impl Posterior<'_> {
    /// Moments of the local posterior at field `h` (as [`Student::moments`]).
    #[inline]
    pub fn moments(&self, h: f64) -> Moments {
        match (&self.even, self.student) {
            (Some(e), Student::Discrete(l)) => l.moments_even(e, h).moments(),
            _ => self.other_moments(h),
        }
    }

    /// Mean and variance of the local posterior at field `h` (as [`Student::mean_var`]).
    #[inline]
    pub fn mean_var(&self, h: f64) -> (f64, f64) {
        match (&self.even, self.student) {
            (Some(e), Student::Discrete(l)) => l.moments_even(e, h).mean_var(),
            _ => self.other_mean_var(h),
        }
    }

    // The students without per-`a` work, out of line: the integrands that call the methods
    // above stay small enough to be inlined into the quadrature rule.
    #[inline(never)]
    fn other_moments(&self, h: f64) -> Moments {
        self.student.moments(self.a, h)
    }

    #[inline(never)]
    fn other_mean_var(&self, h: f64) -> (f64, f64) {
        self.student.mean_var(self.a, h)
    }
}

// Levels whose exponent is this far below the maximum carry less than e^-40 ≈ 4e-18 relative
// weight: below double-precision round-off of the sums.
const CUTOFF: f64 = 40.0;
/// Largest `a d²` at which an even grid's posterior moments are taken in closed form.
const DENSE_GRID: f64 = 0.4;
/// Levels between exact re-anchorings of the weight recurrence.
const RESYNC: usize = 256;

impl LevelSet {
    /// A level set from values (sorted, distinct, finite) and optional positive weights.
    pub fn new(values: Vec<f64>, weights: Option<Vec<f64>>) -> Result<Self> {
        if values.is_empty() {
            return Err(Error::input("a level set needs at least one level"));
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::input(format!("level {v} is not finite")));
        }
        for w in values.windows(2) {
            if w[1] <= w[0] {
                let what = if w[1] == w[0] {
                    "duplicate"
                } else {
                    "unsorted"
                };
                return Err(Error::input(format!(
                    "{what} levels: {} then {}",
                    w[0], w[1]
                )));
            }
        }
        let log_weights = match weights {
            None => None,
            Some(w) => {
                if w.len() != values.len() {
                    return Err(Error::input(format!(
                        "{} level weights given for {} levels",
                        w.len(),
                        values.len()
                    )));
                }
                if let Some(x) = w.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
                    return Err(Error::input(format!(
                        "level weight {x} must be positive and finite"
                    )));
                }
                if w.iter().all(|x| *x == w[0]) && w[0] == 1.0 {
                    None
                } else {
                    Some(w.iter().map(|x| x.ln()).collect())
                }
            }
        };
        let step = if values.len() >= 3 {
            let d = (values[values.len() - 1] - values[0]) / (values.len() - 1) as f64;
            let even = values
                .windows(2)
                .all(|w| ((w[1] - w[0]) - d).abs() <= 1e-12 * d.abs());
            even.then_some(d)
        } else {
            None
        };
        let uniform = step.is_some_and(|d| uniform_to_round_off(&values, d));
        Ok(LevelSet {
            values,
            log_weights,
            step,
            uniform,
        })
    }

    /// The same level set with every level multiplied by `c > 0` (weights unchanged).
    pub fn scaled(&self, c: f64) -> Self {
        let values: Vec<f64> = self.values.iter().map(|v| v * c).collect();
        let step = self.step.map(|d| d * c);
        let uniform = step.is_some_and(|d| uniform_to_round_off(&values, d));
        LevelSet {
            values,
            log_weights: self.log_weights.clone(),
            step,
            uniform,
        }
    }

    /// Uniform mid-rise quantizer: `2^bits` levels evenly spaced on `[−width, width]`.
    pub fn uniform(bits: u32, width: f64) -> Result<Self> {
        check_bits(bits)?;
        crate::error::positive("width", width)?;
        let k = 1usize << bits;
        Self::evenly(k, width)
    }

    /// Mid-tread quantizer: `2^bits − 1` levels including 0, evenly spaced on `[−width, width]`.
    pub fn midtread(bits: u32, width: f64) -> Result<Self> {
        check_bits(bits)?;
        if bits < 2 {
            return Err(Error::input(
                "midtread levels need bits >= 2 (bits = 1 leaves only 0)",
            ));
        }
        crate::error::positive("width", width)?;
        Self::evenly((1usize << bits) - 1, width)
    }

    fn evenly(k: usize, width: f64) -> Result<Self> {
        let step = 2.0 * width / (k - 1) as f64;
        let values = (0..k).map(|i| -width + i as f64 * step).collect();
        Self::new(values, None)
    }

    /// Power-of-two (floating-point-like) grid: `±width·2^{−j}`, `j = 0 … 2^{bits−1} − 1`.
    pub fn pow2(bits: u32, width: f64) -> Result<Self> {
        check_bits(bits)?;
        crate::error::positive("width", width)?;
        let half = 1usize << (bits - 1);
        if half > 1000 {
            return Err(Error::input(format!(
                "pow2 levels with {bits} bits would underflow (2^-{half}); use bits <= 10"
            )));
        }
        let mut values: Vec<f64> = (0..half).map(|j| width * 0.5f64.powi(j as i32)).collect();
        let neg: Vec<f64> = values.iter().map(|v| -v).collect();
        values.extend(neg);
        values.sort_by(f64::total_cmp);
        Self::new(values, None)
    }

    /// The levels, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The common spacing `d` of a uniform grid: at least three levels, each `s_0 + k d` to
    /// round-off (4 ulps of the largest level), so that sums over the grid may treat it as exact
    /// (`crate::lattice`). `None` otherwise.
    pub fn spacing(&self) -> Option<f64> {
        self.step.filter(|_| self.uniform)
    }

    /// Number of levels K.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: a level set has at least one level.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The normalized level probabilities π_k / Σπ.
    pub fn probabilities(&self) -> Vec<f64> {
        match &self.log_weights {
            None => vec![1.0 / self.len() as f64; self.len()],
            Some(lw) => {
                let w: Vec<f64> = lw.iter().map(|l| l.exp()).collect();
                let s: f64 = w.iter().sum();
                w.iter().map(|x| x / s).collect()
            }
        }
    }

    /// `log π_k` (0 for the counting measure).
    pub fn log_weight(&self, k: usize) -> f64 {
        self.log_weights.as_ref().map_or(0.0, |w| w[k])
    }

    /// Midpoints and spacings `((s_k + s_{k+1})/2, s_{k+1} − s_k)` of neighbouring levels.
    pub fn gaps(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.values
            .windows(2)
            .map(|w| (0.5 * (w[0] + w[1]), w[1] - w[0]))
    }

    /// The steps of the posterior mean in `h` at quadratic coefficient `a`: one per pair of
    /// neighbouring levels (see [`Step::between`]).
    pub fn steps(&self, a: f64) -> Vec<Step> {
        self.gaps()
            .map(|(mid, gap)| Step::between(mid, gap, a))
            .collect()
    }

    /// Edges of the ridge-shifted nearest-level cells of β = ∞: `(1 + λ')(s_k + s_{k+1})/2`,
    /// where `s_k = argmin_s (s − ŷ)² + λ' s²` changes level (THEORY.md §3).
    pub fn cell_edges(&self, ridge_shift: f64) -> Vec<f64> {
        self.values
            .windows(2)
            .map(|w| (1.0 + ridge_shift) * 0.5 * (w[0] + w[1]))
            .collect()
    }

    /// Whether the measure is the plain counting measure.
    pub fn is_counting(&self) -> bool {
        self.log_weights.is_none()
    }

    /// Moments of `p(s) ∝ π(s) exp(−(a/2)s² + h s)` over the levels.
    #[inline]
    pub fn moments(&self, a: f64, h: f64) -> Moments {
        match self.even(a, false) {
            Some(e) => self.moments_even(&e, h).moments(),
            None => self.moments_general(a, h),
        }
    }

    /// [`LevelSet::moments`] by the sum over the window of levels (any weights).
    fn moments_general(&self, a: f64, h: f64) -> Moments {
        let v = &self.values;
        let expo = |i: usize| self.log_weight(i) - 0.5 * a * v[i] * v[i] + h * v[i];
        let (lo, hi, imax) = self.window(a, h);
        let emax = expo(imax);
        let sref = v[imax];
        let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
        for (i, &vi) in v.iter().enumerate().take(hi + 1).skip(lo) {
            let w = self.relative_exponent(a, h, i, imax).exp();
            let d = vi - sref;
            z += w;
            m1 += w * d;
            m2 += w * d * d;
        }
        m1 /= z;
        m2 /= z;
        Moments {
            log_z: emax + z.ln(),
            mean: sref + m1,
            var: (m2 - m1 * m1).max(0.0),
        }
    }

    /// Evenly spaced levels with counting measure: consecutive weight ratios obey
    /// `r_{k+1} = r_k · exp(−a d²)`, so the window costs two exponentials instead of one per
    /// level (relative round-off ~ K·ε, far below the quadrature tolerance).
    /// Mean and variance only: the fixed-point iteration needs no log-normalizer, and the
    /// logarithm is a sizeable share of the cost on small level sets.
    #[inline]
    pub fn mean_var(&self, a: f64, h: f64) -> (f64, f64) {
        match self.even(a, false) {
            Some(e) => self.moments_even(&e, h).mean_var(),
            None => {
                let m = self.moments_general(a, h);
                (m.mean, m.var)
            }
        }
    }

    /// What [`LevelSet::moments_even`] needs of `a` alone, when the levels are evenly spaced
    /// with the counting measure and `a > 0` (else `None`: the general sum). `hoisted`: for many
    /// fields at this `a` ([`Posterior`]), so everything is worked out now; otherwise (one field)
    /// what a call may not need is left to [`LevelSet::moments_even`] to compute where it does.
    #[inline]
    fn even(&self, a: f64, hoisted: bool) -> Option<Even> {
        let (Some(d), None, true) = (self.step, &self.log_weights, a > 0.0) else {
            return None;
        };
        let v = &self.values;
        let ad = a * d;
        let ad2 = a * d * d;
        let dense = ad2 <= DENSE_GRID;
        Some(Even {
            a,
            d,
            ad,
            ad2,
            decay: hoisted.then(|| (-a * d * d).exp()),
            reach: if dense {
                (2.0 * CUTOFF / a).sqrt() + d
            } else {
                f64::INFINITY
            },
            dense,
            dense_log: (hoisted && dense).then(|| dense_log(a, d)),
            // The cancellation test of `moments_even`, `a d max(|s_m|, d) > CANCELLING`, can
            // only hold for some mode `s_m` if it holds for the largest level magnitude
            // (rounding is monotone): otherwise it is skipped at every `h`.
            may_cancel: !hoisted || {
                let smax = v[0].abs().max(v[v.len() - 1].abs());
                ad * smax > CANCELLING || ad * d > CANCELLING
            },
            sqrt_a: a.sqrt(),
            em: self.uniform && v.len() >= EM_LEVELS && ad2 <= EM_SPACING * EM_SPACING,
        })
    }

    /// The posterior moments on evenly spaced levels with the counting measure, from the
    /// per-`a` quantities `e` ([`LevelSet::even`]).
    fn moments_even(&self, e: &Even, h: f64) -> EvenMoments {
        let v = &self.values;
        let k = v.len();
        let (a, d) = (e.a, e.d);
        let c = h / a;
        // Dense grid, posterior well inside it: by Poisson summation the lattice sums of the
        // Gaussian exp(−a (s − c)²/2) equal the Gaussian integrals up to terms of relative size
        // exp(−2π²/(a d²)) < e^{−49} (a d² ≤ 0.4), and the grid ends cut off less than e^{−40}.
        // The posterior is then exactly N(c, 1/a) to double precision, with no sum over levels.
        if e.dense && c - v[0] >= e.reach && v[k - 1] - c >= e.reach {
            let (ln_sd, ln_d) = e.dense_log.unwrap_or_else(|| dense_log(a, d));
            let log_z = 0.5 * h * c + ln_sd - ln_d;
            return EvenMoments {
                mean: c,
                var: 1.0 / a,
                emax: log_z,
                z: 1.0,
            };
        }
        // Dense grid with the posterior near (or beyond) an end: the sums over the grid by
        // Euler–Maclaurin in the posterior's standard units `x = √a (s − c)`, with its end
        // corrections and a remainder bound below round-off (else the sums over the levels).
        if e.em {
            let sa = e.sqrt_a;
            let (lo, hi) = (sa * (v[0] - c), sa * (v[k - 1] - c));
            if let Some([t0, t1, t2]) = lattice::gaussian_moments(lo, hi, sa * d, EM_TOL) {
                let m1 = t1 / t0;
                return EvenMoments {
                    mean: c + m1 / sa,
                    var: ((t2 / t0 - m1 * m1) / a).max(0.0),
                    emax: 0.5 * h * c,
                    z: SQRT_TAU * t0,
                };
            }
        }
        let imax = nearest_on_grid((c - v[0]) / d, k);
        let sm = v[imax];
        let emax = -0.5 * a * sm * sm + h * sm;
        let g = (h - a * sm) * d;
        // σ n d (h − a (s_m + σ n d/2)): the exponent relative to the mode, through the
        // midpoint, so that a large `a` does not cancel (±ω levels: midpoint 0, exactly). Only
        // where the cancellation would reach the quadrature's tolerance: elsewhere the two forms
        // agree to round-off and the historical one is kept. The test is
        // `a d max(|s_m|, d) > CANCELLING`, written without the NaN-aware `max` (rounding is
        // monotone, so it is the same test; `a, d > 0`), and skipped when no level can pass it.
        let ad = e.ad;
        let (z, m1, m2) = if e.may_cancel && (ad * sm.abs() > CANCELLING || ad * d > CANCELLING) {
            lattice_sums::<true>(k, imax, sm, h, e, g)
        } else {
            lattice_sums::<false>(k, imax, sm, h, e, g)
        };
        let (m1, m2) = (m1 / z, m2 / z);
        EvenMoments {
            mean: sm + m1,
            var: (m2 - m1 * m1).max(0.0),
            emax,
            z,
        }
    }

    /// `max |s|²`-scale of the levels, `max_k s_k² ` (for the cancellation test).
    fn span(&self) -> f64 {
        let v = &self.values;
        v[0].abs().max(v[v.len() - 1].abs()).powi(2)
    }

    /// The exponent of level `i` relative to level `j`, `log π_i − log π_j + (s_i − s_j)(h −
    /// a (s_i + s_j)/2)`: written through the midpoint so that a large `a` (a sharp posterior,
    /// a large ridge) does not cancel (levels of equal magnitude: the `a` term is exactly 0).
    #[inline]
    pub fn relative_exponent(&self, a: f64, h: f64, i: usize, j: usize) -> f64 {
        let v = &self.values;
        if a * self.span() > CANCELLING {
            self.log_weight(i) - self.log_weight(j) + (v[i] - v[j]) * (h - 0.5 * a * (v[i] + v[j]))
        } else {
            // Where the cancellation stays below the tolerance, the direct difference (the
            // historical form, equal to round-off).
            let expo = |k: usize| self.log_weight(k) - 0.5 * a * v[k] * v[k] + h * v[k];
            expo(i) - expo(j)
        }
    }

    /// The levels that matter for the local posterior at `(a, h)`: `(lo, hi, imax)` with
    /// `imax` the mode. With the counting measure and `a > 0` the exponent is a concave parabola
    /// in `s`, so only a contiguous window around the level nearest its vertex `h/a` carries
    /// weight above `e^{−40}` of the mode's (below double-precision round-off of the sums);
    /// otherwise every level.
    #[inline]
    fn window(&self, a: f64, h: f64) -> (usize, usize, usize) {
        let v = &self.values;
        let k = v.len();
        let expo = |i: usize| self.log_weight(i) - 0.5 * a * v[i] * v[i] + h * v[i];
        if self.log_weights.is_none() && a > 0.0 {
            let c = h / a;
            let j = v.partition_point(|x| *x < c);
            let imax = if j == 0 {
                0
            } else if j == k || c - v[j - 1] < v[j] - c {
                j - 1
            } else {
                j
            };
            let rel = |i: usize| self.relative_exponent(a, h, i, imax);
            let mut lo = imax;
            while lo > 0 && rel(lo - 1) > -CUTOFF {
                lo -= 1;
            }
            let mut hi = imax;
            while hi + 1 < k && rel(hi + 1) > -CUTOFF {
                hi += 1;
            }
            (lo, hi, imax)
        } else {
            let imax = (0..k)
                .max_by(|&x, &y| expo(x).total_cmp(&expo(y)))
                .unwrap_or(0);
            (0, k - 1, imax)
        }
    }

    /// Draws a level from the local posterior by inverting its CDF at `u ∈ [0, 1)`, over the
    /// same window of levels as [`LevelSet::moments`] (two passes, no allocation: the Gibbs
    /// sampler calls this once per site update).
    pub fn sample(&self, a: f64, h: f64, u: f64) -> f64 {
        let v = &self.values;
        let expo = |i: usize| self.log_weight(i) - 0.5 * a * v[i] * v[i] + h * v[i];
        let (lo, hi, imax) = self.window(a, h);
        let emax = expo(imax);
        let total: f64 = (lo..=hi).map(|i| (expo(i) - emax).exp()).sum();
        let target = u * total;
        let mut acc = 0.0;
        for (i, &vi) in v.iter().enumerate().take(hi + 1).skip(lo) {
            acc += (expo(i) - emax).exp();
            if target < acc {
                return vi;
            }
        }
        v[hi]
    }

    /// Draws a level from `p_k ∝ π_k exp(−e_k)` for arbitrary energies `e` (one per level) by
    /// inverting the CDF at `u ∈ [0, 1)`: the Gibbs sampler's site update for output channels
    /// without a quadratic fast path.
    pub fn sample_energies(&self, e: &[f64], u: f64) -> f64 {
        let v = &self.values;
        let expo = |i: usize| self.log_weight(i) - e[i];
        let emax = (0..v.len()).map(expo).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = (0..v.len()).map(|i| (expo(i) - emax).exp()).sum();
        let target = u * total;
        let mut acc = 0.0;
        for (i, &vi) in v.iter().enumerate() {
            acc += (expo(i) - emax).exp();
            if target < acc {
                return vi;
            }
        }
        v[v.len() - 1]
    }

    /// Draws a level from the prior `π` by inverting its CDF at `u ∈ [0, 1)`.
    pub fn draw_prior(&self, u: f64) -> f64 {
        // The same probabilities as `probabilities()`, without allocating.
        let k = self.len();
        let total: f64 = match &self.log_weights {
            None => 0.0,
            Some(lw) => lw.iter().map(|l| l.exp()).sum(),
        };
        let p = |i: usize| match &self.log_weights {
            None => 1.0 / k as f64,
            Some(lw) => lw[i].exp() / total,
        };
        let mut acc = 0.0;
        for (i, &vi) in self.values.iter().enumerate() {
            acc += p(i);
            if u < acc {
                return vi;
            }
        }
        self.values[k - 1]
    }

    /// Mean and variance of the prior `π` over the levels.
    pub fn prior_moments(&self) -> (f64, f64) {
        let p = self.probabilities();
        let v = &self.values;
        let mean: f64 = v.iter().zip(&p).map(|(s, w)| w * s).sum();
        let m2: f64 = v.iter().zip(&p).map(|(s, w)| w * s * s).sum();
        (mean, (m2 - mean * mean).max(0.0))
    }

    /// The nearest level to `u` (ties to the lower level; outside the range, the end level).
    #[inline]
    pub fn nearest(&self, u: f64) -> f64 {
        self.values[self.nearest_index(u)]
    }

    /// Index of the nearest level to `u` (ties to the lower level; outside the range, the end
    /// level). Evenly spaced levels take an O(1) path that gives the binary search's answer
    /// bit for bit (the spacing only guesses the partition point, which is then checked
    /// against the levels themselves).
    #[inline]
    pub fn nearest_index(&self, u: f64) -> usize {
        let v = &self.values;
        let k = v.len();
        // j = the number of levels strictly below u.
        if u.is_nan() {
            return 0;
        }
        let j = match self.step {
            Some(d) => {
                // `as usize` saturates negatives to 0.
                let mut j = (((u - v[0]) / d).ceil() as usize).min(k);
                while j < k && v[j] < u {
                    j += 1;
                }
                while j > 0 && v[j - 1] >= u {
                    j -= 1;
                }
                j
            }
            None => v.partition_point(|x| *x < u),
        };
        if j == 0 {
            0
        } else if j == k {
            k - 1
        } else if u - v[j - 1] <= v[j] - u {
            j - 1
        } else {
            j
        }
    }

    /// The decision thresholds of nearest-level rounding: the midpoints `(s_k + s_{k+1})/2`.
    pub fn thresholds(&self) -> Vec<f64> {
        self.gaps().map(|(mid, _)| mid).collect()
    }

    /// Stochastic rounding of `u` with the uniform `coin ∈ [0, 1)`: between neighbouring levels
    /// `a ≤ u ≤ b`, `b` when `coin < (u − a)/(b − a)`, else `a` (unbiased); outside the range,
    /// the end level.
    pub fn stochastic(&self, u: f64, coin: f64) -> f64 {
        let v = &self.values;
        let j = v.partition_point(|x| *x < u);
        if j == 0 {
            v[0]
        } else if j == v.len() {
            v[v.len() - 1]
        } else {
            let (a, b) = (v[j - 1], v[j]);
            if coin < (u - a) / (b - a) {
                b
            } else {
                a
            }
        }
    }

    /// Rounds `u` onto the levels (`coin` is used by stochastic rounding only).
    pub fn round(&self, u: f64, rounding: Rounding, coin: f64) -> f64 {
        match rounding {
            Rounding::Nearest => self.nearest(u),
            Rounding::Stochastic => self.stochastic(u, coin),
        }
    }
}

/// Whether every level is `v_0 + k d` to 4 ulps of the largest level.
fn uniform_to_round_off(v: &[f64], d: f64) -> bool {
    let big = v[0].abs().max(v[v.len() - 1].abs());
    let tol = 4.0 * f64::EPSILON * big;
    v.iter()
        .enumerate()
        .all(|(k, &x)| (x - (v[0] + k as f64 * d)).abs() <= tol)
}

fn check_bits(bits: u32) -> Result<()> {
    if bits == 0 || bits > 16 {
        return Err(Error::input(format!(
            "bits must be between 1 and 16, got {bits}"
        )));
    }
    Ok(())
}

/// The student's weight space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Student {
    /// Weights restricted to a finite level set.
    Discrete(LevelSet),
    /// Unquantized real weights (Lebesgue measure).
    Continuous,
}

impl Student {
    /// Moments of the local posterior `p(s) ∝ π(s) exp(−(a/2)s² + h s)`. For the continuous
    /// student `a` must be positive.
    #[inline]
    pub fn moments(&self, a: f64, h: f64) -> Moments {
        match self {
            Student::Discrete(l) => l.moments(a, h),
            Student::Continuous => Moments {
                log_z: h * h / (2.0 * a) + 0.5 * (2.0 * std::f64::consts::PI / a).ln(),
                mean: h / a,
                var: 1.0 / a,
            },
        }
    }

    /// The local posterior at quadratic coefficient `a`, for evaluating its moments at many
    /// fields `h` (see [`Posterior`]).
    pub fn posterior(&self, a: f64) -> Posterior<'_> {
        Posterior {
            student: self,
            a,
            even: self.levels().and_then(|l| l.even(a, true)),
        }
    }

    /// Mean and variance of the local posterior (no log-normalizer; cheaper).
    #[inline]
    pub fn mean_var(&self, a: f64, h: f64) -> (f64, f64) {
        match self {
            Student::Discrete(l) => l.mean_var(a, h),
            Student::Continuous => (h / a, 1.0 / a),
        }
    }

    /// Draws from the local posterior `p(s) ∝ π(s) exp(−(a/2)s² + h s)`: for levels, one uniform
    /// from `rng` and [`LevelSet::sample`]; for the continuous student, one standard normal
    /// (`h/a + z/√a`). `None` when the posterior is improper (continuous student with `a ≤ 0`).
    pub fn sample<R: Rng + ?Sized>(&self, a: f64, h: f64, rng: &mut R) -> Option<f64> {
        match self {
            Student::Discrete(l) => Some(l.sample(a, h, rng.random())),
            Student::Continuous => {
                if a > 0.0 {
                    let z: f64 = StandardNormal.sample(rng);
                    Some(h / a + z / a.sqrt())
                } else {
                    None
                }
            }
        }
    }

    /// Mean and variance of the student's prior at ridge share `βλ`: the level probabilities
    /// π for levels (the ridge is not applied), `N(0, 1/(βλ))` for the continuous student
    /// (`None` when `βλ = 0`: the Lebesgue measure has no moments).
    pub fn prior_moments(&self, beta_ridge: f64) -> Option<(f64, f64)> {
        match self {
            Student::Discrete(l) => Some(l.prior_moments()),
            Student::Continuous => (beta_ridge > 0.0).then(|| (0.0, 1.0 / beta_ridge)),
        }
    }

    /// Rounds `u` onto the student's levels (identity for the continuous student).
    pub fn round(&self, u: f64, rounding: Rounding, coin: f64) -> f64 {
        match self {
            Student::Discrete(l) => l.round(u, rounding, coin),
            Student::Continuous => u,
        }
    }

    /// The steps of the posterior mean in `h` at quadratic coefficient `a` (none for the
    /// continuous student, whose mean `h/a` is smooth).
    pub fn steps(&self, a: f64) -> Vec<Step> {
        self.levels().map_or_else(Vec::new, |l| l.steps(a))
    }

    /// The level set, if discrete.
    pub fn levels(&self) -> Option<&LevelSet> {
        match self {
            Student::Discrete(l) => Some(l),
            Student::Continuous => None,
        }
    }

    /// Number of levels (`None` when continuous).
    pub fn num_levels(&self) -> Option<usize> {
        self.levels().map(LevelSet::len)
    }

    /// `log Σ_k π_k` (`log K` for the counting measure): the largest entropy a discrete
    /// student can have; `None` when continuous.
    pub fn max_entropy(&self) -> Option<f64> {
        self.levels().map(|l| match &l.log_weights {
            None => (l.len() as f64).ln(),
            Some(lw) => lw.iter().map(|x| x.exp()).sum::<f64>().ln(),
        })
    }
}

/// The index `round(x)` clamped to `0..k` (`x` in units of the spacing from the first level;
/// NaN gives 0), without the library call `f64::round` costs on the baseline target: for
/// `0.5 ≤ x < 2⁵²`, `x + 0.5` is exact or, crossing a power of two, rounds to a number with the
/// same integer part, so its truncation is `round(x)` (halves away from zero included).
#[inline]
fn nearest_on_grid(x: f64, k: usize) -> usize {
    if x >= 0.5 {
        let t = x + 0.5;
        if t >= (k - 1) as f64 {
            k - 1
        } else {
            t as usize
        }
    } else {
        0
    }
}

/// `(ln √(2π/a), ln d)`: the dense grid's log-normalizer is `h²/(2a) + ln √(2π/a) − ln d`.
#[inline]
fn dense_log(a: f64, d: f64) -> (f64, f64) {
    ((std::f64::consts::TAU / a).sqrt().ln(), d.ln())
}

/// The lattice sums `(z, Σ w x, Σ w x²)` of [`LevelSet::moments_even`] relative to the mode
/// `sm = s[imax]` (`g = (h − a sm) d`, the mode's own weight 1 included in `z`). Away from the
/// mode on each side (σ = ±1), the weight n levels out is `w_n = exp(σ n g − a d² n²/2)` and
/// `w_{n+1}/w_n = exp(σ g − a d²/2 − a d² n)`: two products per level instead of an
/// exponential, re-anchored exactly every RESYNC levels so the rounding of long products
/// (thousands of levels) does not accumulate. `MIDPOINT` selects the anchor's form
/// `σ n d (h − a (sm + σ n d/2))`, which does not cancel at large `a`.
#[inline(always)]
fn lattice_sums<const MIDPOINT: bool>(
    k: usize,
    imax: usize,
    sm: f64,
    h: f64,
    e: &Even,
    g: f64,
) -> (f64, f64, f64) {
    let (a, d, ad2) = (e.a, e.d, e.ad2);
    let decay = e.decay.unwrap_or_else(|| (-a * d * d).exp());
    let floor = (-CUTOFF).exp();
    let (mut z, mut m1, mut m2) = (1.0, 0.0, 0.0);
    for (sigma, count) in [(1.0, k - 1 - imax), (-1.0, imax)] {
        let sg = sigma * g;
        let mut n0 = 1;
        'side: while n0 <= count {
            let nf = n0 as f64;
            let mut w = if MIDPOINT {
                let mid = sm + 0.5 * sigma * nf * d;
                (sigma * nf * d * (h - a * mid)).exp()
            } else {
                (nf * sg - 0.5 * ad2 * nf * nf).exp()
            };
            let mut r = if n0 == 1 {
                w * decay
            } else {
                (sg - 0.5 * ad2 - ad2 * nf).exp()
            };
            let end = count.min(n0 + RESYNC - 1);
            // The level's offset `x = σ n d` as `n · (σ d)` (the same number: σ only flips
            // signs), with `n` counted in floating point (exact below 2⁵³).
            let sd = sigma * d;
            let mut xn = nf;
            for _ in n0..end + 1 {
                if w < floor {
                    break 'side;
                }
                let x = xn * sd;
                let wx = w * x;
                z += w;
                m1 += wx;
                m2 += wx * x;
                w *= r;
                r *= decay;
                xn += 1.0;
            }
            n0 = end + 1;
        }
    }
    (z, m1, m2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(l: &LevelSet, a: f64, h: f64) -> Moments {
        // Plain log-sum-exp over every level: the reference for the fast paths.
        let e: Vec<f64> = l
            .values()
            .iter()
            .map(|s| -0.5 * a * s * s + h * s)
            .collect();
        let mx = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = e.iter().map(|x| (x - mx).exp()).collect();
        let z: f64 = w.iter().sum();
        let mean = l.values().iter().zip(&w).map(|(s, w)| s * w).sum::<f64>() / z;
        let var = l
            .values()
            .iter()
            .zip(&w)
            .map(|(s, w)| (s - mean).powi(2) * w)
            .sum::<f64>()
            / z;
        Moments {
            log_z: mx + z.ln(),
            mean,
            var,
        }
    }

    #[test]
    fn nearest_on_grid_is_the_clamped_round() {
        let reference = |x: f64, k: usize| {
            let j = x.round();
            if j <= 0.0 {
                0
            } else if j >= (k - 1) as f64 {
                k - 1
            } else {
                j as usize
            }
        };
        let mut xs = vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            2f64.powi(60),
        ];
        for i in 0..40 {
            let half = 0.5 * i as f64;
            for x in [half, half - 0.1, half + 0.1] {
                xs.extend([x, x.next_up(), x.next_down()]);
            }
            // Just below a power of two, where `x + 0.5` is inexact.
            let p = 2f64.powi(i);
            xs.extend([
                p - 0.5,
                (p - 0.5).next_down(),
                (p - 0.5).next_up(),
                p.next_down(),
            ]);
        }
        for k in [1usize, 2, 3, 4, 17, 256, 1 << 20] {
            for &x in &xs {
                assert_eq!(nearest_on_grid(x, k), reference(x, k), "x = {x:e}, k = {k}");
            }
        }
    }

    #[test]
    fn fast_moments_match_direct_sums() {
        let sets = [
            LevelSet::uniform(12, 4.0).unwrap(),
            LevelSet::uniform(10, 4.0).unwrap(),
            LevelSet::uniform(8, 3.9).unwrap(),
            LevelSet::uniform(3, 1.0).unwrap(),
            LevelSet::pow2(4, 2.0).unwrap(),
        ];
        for l in &sets {
            for &a in &[1e-3, 0.3, 5.0, 80.0, 1e4] {
                for &h in &[-300.0, -7.0, -0.4, 0.0, 0.13, 2.5, 40.0, 5e3] {
                    let (f, d) = (l.moments(a, h), direct(l, a, h));
                    let tol = 1e-11 * (1.0 + d.log_z.abs());
                    assert!(
                        (f.log_z - d.log_z).abs() < tol,
                        "logz a={a} h={h}: {f:?} {d:?}"
                    );
                    assert!(
                        (f.mean - d.mean).abs() < 1e-11,
                        "mean a={a} h={h}: {f:?} {d:?}"
                    );
                    assert!(
                        (f.var - d.var).abs() < 1e-11,
                        "var a={a} h={h}: {f:?} {d:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn dense_grid_closed_form_matches_direct_sums() {
        // The Poisson-summation shortcut (posterior N(h/a, 1/a)) against plain sums over every
        // level, on grids dense enough to take it, with the mode inside and near the edges.
        let mut shortcut = 0;
        for (bits, width) in [(8u32, 3.9), (10, 4.0), (12, 4.0)] {
            let l = LevelSet::uniform(bits, width).unwrap();
            let d = 2.0 * width / ((1u64 << bits) - 1) as f64;
            for &a in &[5.0, 20.0, 80.0, 500.0] {
                for &c in &[0.0, 0.37, -1.1, 2.0, -3.0, 3.8] {
                    let h = a * c;
                    let (f, r) = (l.moments(a, h), direct(&l, a, h));
                    let reach = (2.0 * CUTOFF / a).sqrt() + d;
                    shortcut += (a * d * d <= DENSE_GRID && width - c.abs() >= reach) as usize;
                    let msg = format!("b={bits} a={a} c={c}: {f:?} {r:?}");
                    // 1e-11 as for the recurrence (used where the closed form is not taken).
                    assert!(
                        (f.log_z - r.log_z).abs() < 1e-11 * (1.0 + r.log_z.abs()),
                        "{msg}"
                    );
                    assert!(
                        (f.mean - r.mean).abs() < 1e-11 * (1.0 + r.mean.abs()),
                        "{msg}"
                    );
                    assert!((f.var - r.var).abs() < 1e-11 * r.var, "{msg}");
                }
            }
        }
        assert!(shortcut >= 30, "closed form taken only {shortcut} times");
    }

    #[test]
    fn nearest_index_is_the_argmin_of_the_distance() {
        // Every level set kind, at random points, at the levels, at the thresholds and one ulp
        // either side of them: the index against a scan of |u − s_k| (first minimum, i.e. ties
        // to the lower level), which the even grids' O(1) path must reproduce bit for bit.
        use rand::{Rng, SeedableRng};
        let sets = [
            LevelSet::uniform(1, 0.8).unwrap(),
            LevelSet::uniform(2, 2.0).unwrap(),
            LevelSet::uniform(3, 1.0255).unwrap(),
            LevelSet::uniform(8, 3.9).unwrap(),
            LevelSet::midtread(2, 4.0).unwrap(),
            LevelSet::midtread(3, 0.3).unwrap(),
            LevelSet::pow2(4, 2.0).unwrap(),
            LevelSet::new(vec![-1.0, -0.3, 0.5, 2.0], None).unwrap(),
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for l in &sets {
            let v = l.values();
            let mut us: Vec<f64> = (0..2000).map(|_| rng.random_range(-6.0..6.0)).collect();
            for x in v.iter().copied().chain(l.thresholds()) {
                us.extend([x, x.next_down(), x.next_up()]);
            }
            for u in us {
                let mut best = 0;
                for (k, s) in v.iter().enumerate() {
                    if (u - s).abs() < (u - v[best]).abs() {
                        best = k;
                    }
                }
                let j = l.nearest_index(u);
                assert_eq!(j, best, "u = {u:e}, levels {v:?}");
                assert_eq!(l.nearest(u), v[best]);
            }
            assert_eq!(l.nearest_index(f64::NAN), 0);
            assert_eq!(l.nearest_index(f64::NEG_INFINITY), 0);
            assert_eq!(l.nearest_index(f64::INFINITY), v.len() - 1);
            assert_eq!(l.nearest_index(-f64::MAX), 0);
            assert_eq!(l.nearest_index(f64::MAX), v.len() - 1);
        }
    }
}
