//! Double descent under weight quantization at several widths per bit count: ε_g and ε_t
//! against α, and where the interpolation peak goes (seed 002, finding on double descent).
//! Drawn by [`crate::report::double_descent`].

use super::OperatingPoint;
use crate::error::Result;
use crate::model::{LevelSet, Model, Student, TeacherPrior};
use crate::parallel::{try_map, RunOptions};
use crate::rs::{solve, SolverOptions};
use serde::Serialize;

/// Widths drawn per bit count, as multiples of the β = ∞ optimal width ω*.
pub const WIDTH_FACTORS: [f64; 3] = [0.5, 1.0, 2.0];

/// One learning curve: errors of the RS equilibrium along α.
#[derive(Debug, Clone, Serialize)]
pub struct Curve {
    /// Bits.
    pub bits: u32,
    /// Quantization width ω.
    pub width: f64,
    /// ω / ω*.
    pub width_factor: f64,
    /// Inverse temperature (null for β = ∞).
    pub beta: Option<f64>,
    /// Samples per weight.
    pub alpha: Vec<f64>,
    /// ε_g (null where RS did not converge).
    pub gen_error: Vec<Option<f64>>,
    /// ε_t.
    pub train_error: Vec<Option<f64>>,
    /// The highest interior local maximum of ε_g on the grid (the interpolation peak), if any.
    pub peak: Option<Peak>,
    /// At β = ∞: the α below which the trained quantized model interpolates (ε_t = 0), refined
    /// by bisection; null if it does not change within the grid or at finite β. The continuous
    /// student's threshold is α = 1.
    pub interpolation_threshold: Option<f64>,
}

/// An interior maximum of ε_g(α).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Peak {
    /// α at the maximum (grid resolution).
    pub alpha: f64,
    /// ε_g there.
    pub gen_error: f64,
}

/// The highest interior local maximum of `ys` over `xs` (both ends excluded), if any.
pub fn interior_peak(xs: &[f64], ys: &[Option<f64>]) -> Option<Peak> {
    (1..xs.len().saturating_sub(1))
        .filter_map(|i| {
            let (a, b, c) = (ys[i - 1]?, ys[i]?, ys[i + 1]?);
            (b > a && b >= c).then_some(Peak {
                alpha: xs[i],
                gen_error: b,
            })
        })
        .max_by(|p, q| p.gen_error.total_cmp(&q.gen_error))
}

/// Log-spaced α grid from 0.1 to 10^0.7 ≈ 5.
pub fn alpha_grid(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 10f64.powf(-1.0 + 1.7 * i as f64 / (n.max(2) - 1) as f64))
        .collect()
}

/// Learning curves of uniform quantizers: for each `(bits, ω*)` in `optima`, the widths
/// `factor·ω*` of [`WIDTH_FACTORS`], at `beta`, on `alphas`.
pub fn curves(
    p: &OperatingPoint,
    optima: &[(u32, f64)],
    beta: f64,
    alphas: &[f64],
) -> Result<Vec<Curve>> {
    let opts = SolverOptions::default();
    let teacher = TeacherPrior::gaussian(1.0)?;
    let jobs: Vec<(u32, f64, f64)> = optima
        .iter()
        .flat_map(|&(b, w)| WIDTH_FACTORS.iter().map(move |&f| (b, f, f * w)))
        .collect();
    try_map(
        &jobs,
        &RunOptions::default(),
        "double descent",
        |&(bits, factor, width)| {
            let levels = LevelSet::uniform(bits, width)?;
            let mut gen = Vec::with_capacity(alphas.len());
            let mut train = Vec::with_capacity(alphas.len());
            for &a in alphas {
                let m = Model::new(
                    a,
                    p.noise,
                    beta,
                    0.0,
                    Student::Discrete(levels.clone()),
                    teacher.clone(),
                )?;
                let r = solve(&m, &opts);
                let ok = r.converged;
                gen.push(
                    (ok && r.equilibrium.gen_error.is_finite()).then_some(r.equilibrium.gen_error),
                );
                train.push(
                    (ok && r.equilibrium.train_error.is_finite())
                        .then_some(r.equilibrium.train_error),
                );
            }
            let threshold = if beta.is_infinite() {
                interpolation_threshold(p, &levels, alphas, &train)?
            } else {
                None
            };
            Ok(Curve {
                interpolation_threshold: threshold,
                bits,
                width,
                width_factor: factor,
                beta: beta.is_finite().then_some(beta),
                alpha: alphas.to_vec(),
                peak: interior_peak(alphas, &gen),
                gen_error: gen,
                train_error: train,
            })
        },
    )
}

/// Bisects between the last grid α where the β = ∞ model interpolates and the next, where it
/// does not.
fn interpolation_threshold(
    p: &OperatingPoint,
    levels: &LevelSet,
    alphas: &[f64],
    train: &[Option<f64>],
) -> Result<Option<f64>> {
    let fits = |t: Option<f64>| t.is_some_and(|v| v == 0.0);
    let Some(i) = (0..alphas.len().saturating_sub(1))
        .rev()
        .find(|&i| fits(train[i]) && train[i + 1].is_some_and(|v| v > 0.0))
    else {
        return Ok(None);
    };
    let opts = SolverOptions::default();
    let teacher = TeacherPrior::gaussian(1.0)?;
    let (mut lo, mut hi) = (alphas[i], alphas[i + 1]);
    for _ in 0..40 {
        let mid = (lo * hi).sqrt();
        let m = Model::new(
            mid,
            p.noise,
            f64::INFINITY,
            0.0,
            Student::Discrete(levels.clone()),
            teacher.clone(),
        )?;
        let r = solve(&m, &opts);
        if r.converged && r.equilibrium.train_error == 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(Some((lo * hi).sqrt()))
}

/// ε_g of the continuous ridgeless student at β = ∞ (Hastie et al. 2022; THEORY.md §3), NaN at
/// the interpolation threshold α = 1.
pub fn continuous_gen_error(alpha: f64, noise: f64) -> f64 {
    if alpha > 1.0 {
        noise / (alpha - 1.0)
    } else if alpha < 1.0 {
        (1.0 - alpha) + noise * alpha / (1.0 - alpha)
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_interior_maximum_only() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        let ys = [Some(3.0), Some(1.0), Some(2.0), Some(1.5), Some(0.5)];
        let p = interior_peak(&xs, &ys).unwrap();
        assert_eq!((p.alpha, p.gen_error), (3.0, 2.0));
        let mono = [Some(5.0), Some(4.0), Some(3.0), Some(2.0), Some(1.0)];
        assert!(interior_peak(&xs, &mono).is_none());
    }
}
