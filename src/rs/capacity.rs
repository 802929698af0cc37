//! The replica-symmetric storage capacity: the `q → Q` limit of the RS equations at β = ∞ for
//! random labels (`docs/classification.md` §5).
//!
//! As the version space shrinks, `δ = Q − q → 0`, the output term is `Ψ_out ≈ −Q I(κ)/(2δ)` with
//! `I(κ) = ∫_{−κ}^∞ Du (u + κ)²`. The student's posterior collapses onto the level nearest to
//! `z/c` for a cell scale `c`, and the entropic term is `(E[z s*_c(z)])²/(2δ)`. The `1/δ` terms
//! cancel at
//!
//! ```text
//! α_c^RS = max_c (E_z[z s*_c(z)])² / (E_z[s*_c(z)²] · I(κ))
//! ```
//!
//! The quotient is the squared correlation of a standard Gaussian with its nearest-level
//! quantization at cell scale `c`. For ±1 it is `2/π` (Gardner–Derrida, `4/π` at κ = 0). For the
//! continuous (spherical) student it is 1 (Gardner, `α_c = 2` at κ = 0). The prior weights
//! of the levels do not enter at this order.
//!
//! This is the capacity where RS puts it. For discrete weights the RS entropy turns negative
//! first (Krauth–Mézard): the zero-entropy point is the true capacity.
//!
//! ```
//! use quantreplica::model::{LevelSet, Student};
//! use quantreplica::rs::capacity::rs_capacity;
//! let binary = Student::Discrete(LevelSet::uniform(1, 1.0).unwrap());
//! let c = rs_capacity(&binary, 0.0).unwrap();
//! assert!((c.alpha - 4.0 / std::f64::consts::PI).abs() < 1e-12);
//! ```

use crate::error::{Error, Result};
use crate::model::sign_channel::h;
use crate::model::{LevelSet, Student};
use crate::optimize::brent_min;
use serde::Serialize;

/// The RS capacity and its ingredients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Capacity {
    /// `α_c^RS`.
    pub alpha: f64,
    /// The squared correlation `(E[z s*])²/E[s*²]` at the optimal cell scale (1 when continuous).
    pub correlation2: f64,
    /// The optimal cell scale `c`, in units of the largest level magnitude (`null` when
    /// continuous, or when every scale is equivalent, as for ±s levels).
    pub cell_scale: Option<f64>,
    /// `I(κ) = (1 + κ²)Φ(κ) + κφ(κ)`.
    pub margin_integral: f64,
}

fn npdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// `I(κ) = ∫_{−κ}^∞ Du (u + κ)² = (1 + κ²)Φ(κ) + κφ(κ)`.
pub fn margin_integral(kappa: f64) -> f64 {
    (1.0 + kappa * kappa) * h(-kappa) + kappa * npdf(kappa)
}

/// `(E[z s*_c(z)], E[s*_c(z)²])` for `z ~ N(0,1)` and `s*_c(z)` the level nearest to `z/c`.
pub fn quantized_moments(levels: &LevelSet, c: f64) -> (f64, f64) {
    let v = levels.values();
    let (mut first, mut second) = (0.0, 0.0);
    for (k, s) in v.iter().enumerate() {
        // Cell of level k in z: between c × the midpoints with its neighbours.
        let a = if k == 0 {
            f64::NEG_INFINITY
        } else {
            c * 0.5 * (v[k - 1] + s)
        };
        let b = if k + 1 == v.len() {
            f64::INFINITY
        } else {
            c * 0.5 * (s + v[k + 1])
        };
        let (pa, pb) = (npdf(a), npdf(b));
        // P(a < z ≤ b) = H(a) − H(b), accurate in both tails.
        let prob = h(a) - h(b);
        first += s * (pa - pb);
        second += s * s * prob;
    }
    (first, second)
}

/// `α_c^RS` for `student` and margin κ (`docs/classification.md` §5).
pub fn rs_capacity(student: &Student, kappa: f64) -> Result<Capacity> {
    if !kappa.is_finite() {
        return Err(Error::input(format!(
            "the margin must be finite, got {kappa}"
        )));
    }
    let i = margin_integral(kappa);
    let Some(levels) = student.levels() else {
        return Ok(Capacity {
            alpha: 1.0 / i,
            correlation2: 1.0,
            cell_scale: None,
            margin_integral: i,
        });
    };
    let v = levels.values();
    let smax = v.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    if smax == 0.0 {
        return Err(Error::input(
            "the storage capacity needs a nonzero level: the zero vector classifies nothing",
        ));
    }
    let rho2 = |c: f64| {
        let (f, s) = quantized_moments(levels, c);
        if s > 0.0 {
            f * f / s
        } else {
            0.0
        }
    };
    // Scan log c over six decades around the level scale, then refine the best cell by Brent.
    let grid: Vec<f64> = (0..=240)
        .map(|k| 10f64.powf(-3.0 + 6.0 * k as f64 / 240.0) / smax)
        .collect();
    let vals: Vec<f64> = grid.iter().map(|c| rho2(*c)).collect();
    let (kbest, _) = vals
        .iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |(kb, vb), (k, x)| {
            if *x > vb {
                (k, *x)
            } else {
                (kb, vb)
            }
        });
    let flat = vals
        .iter()
        .all(|x| (x - vals[0]).abs() <= 1e-14 * vals[0].abs());
    let (c, best) = if flat {
        (None, vals[0])
    } else {
        let lo = grid[kbest.saturating_sub(1)].ln();
        let hi = grid[(kbest + 1).min(grid.len() - 1)].ln();
        let (lc, neg) = brent_min(|l| -rho2(l.exp()), lo, hi, 1e-12)?;
        let refined = -neg;
        if refined >= vals[kbest] {
            (Some(lc.exp() * smax), refined)
        } else {
            (Some(grid[kbest] * smax), vals[kbest])
        }
    };
    if !(best > 0.0 && best.is_finite()) {
        return Err(Error::Numerics(format!(
            "no cell scale gives a positive correlation for the levels {v:?}"
        )));
    }
    Ok(Capacity {
        alpha: best / i,
        correlation2: best,
        cell_scale: c,
        margin_integral: i,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn closed_forms() {
        let pm = Student::Discrete(LevelSet::uniform(1, 0.3).unwrap());
        for kappa in [0.0, 0.5, -0.4] {
            let c = rs_capacity(&pm, kappa).unwrap();
            let want = 2.0 / (PI * margin_integral(kappa));
            assert!((c.alpha - want).abs() < 1e-13 * want, "{c:?} vs {want}");
            assert!(c.cell_scale.is_none());
        }
        assert!((margin_integral(0.0) - 0.5).abs() < 1e-16);
        let sph = rs_capacity(&Student::Continuous, 0.0).unwrap();
        assert!((sph.alpha - 2.0).abs() < 1e-15);
    }

    #[test]
    fn more_levels_approach_the_spherical_capacity_and_scale_does_not_matter() {
        let mut last = 0.0;
        for bits in 1..=6 {
            let a = rs_capacity(
                &Student::Discrete(LevelSet::uniform(bits, 1.0).unwrap()),
                0.0,
            )
            .unwrap()
            .alpha;
            let b = rs_capacity(
                &Student::Discrete(LevelSet::uniform(bits, 7.0).unwrap()),
                0.0,
            )
            .unwrap()
            .alpha;
            assert!((a - b).abs() < 1e-10, "bits={bits}: {a} vs {b}");
            assert!(a > last && a < 2.0, "bits={bits}: {a}");
            last = a;
        }
        assert!(2.0 - last < 1e-2);
    }
}
