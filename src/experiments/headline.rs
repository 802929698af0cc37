//! The headline answers (the default job, `quantreplica` with no arguments): for b = 1…8 at an
//! operating point (α, σ², and a finite β at which RS stability is judged), the optimal uniform
//! width of the trained (β = ∞) model, its errors, λ_AT there and the widths where the AT line
//! crosses; and the data of the headline figures of seed 002's findings (error against width,
//! levels against bits, the (ω, b), (ω, β), (ω, α) and binary (α, β) phase maps, double descent).
//! Drawing them is [`crate::report::headline`]'s job.

use super::widths::{optimal_width_with, Objective, OptimalWidth};
use crate::error::Result;
use crate::model::{LevelKind, LevelSet, Model, Student, TeacherPrior};
use crate::parallel::{try_map, RunOptions};
use crate::phase::map::{map_layers, MapLayers};
use crate::rs::{solve, SolverOptions};
use serde::Serialize;

pub use super::OperatingPoint;

fn quiet() -> RunOptions {
    RunOptions::default()
}

/// ε_g of the RS equilibrium, NaN where it did not converge.
fn gen_error_or_nan(m: &Model) -> f64 {
    let r = solve(m, &SolverOptions::default());
    if r.converged {
        r.equilibrium.gen_error
    } else {
        f64::NAN
    }
}

/// Optimal uniform widths (β = ∞, ε_g) for each bit count, in parallel.
pub fn optimal_widths(p: &OperatingPoint, bits: &[u32]) -> Result<Vec<OptimalWidth>> {
    let opts = SolverOptions::default();
    try_map(bits, &quiet(), "optimal widths", |&b| {
        let make = |w: f64| p.uniform_model(b, w, f64::INFINITY);
        optimal_width_with(&make, &LevelKind::Uniform, b, Objective::GenError, &opts)
    })
}

/// One row of the headline table.
#[derive(Debug, Clone, Serialize)]
pub struct HeadlineRow {
    /// Bits.
    pub bits: u32,
    /// Optimal uniform width at β = ∞.
    pub optimal_width: f64,
    /// ε_g of the trained (β = ∞) model at ω*.
    pub gen_error: f64,
    /// ε_t of the trained model at ω*.
    pub train_error: f64,
    /// λ_AT at ω* and the stability β.
    pub at_eigenvalue: f64,
    /// Whether RS is stable at ω* and that β.
    pub rs_stable: bool,
    /// Widths where λ_AT = 1 at that β (RSB beyond, for few bits).
    pub at_widths: Vec<f64>,
}

/// Widths where λ_AT = 1, per bit count.
pub type AtWidths = Vec<(u32, Vec<f64>)>;

/// The headline table: for each optimum, λ_AT and stability at the point's β, and the AT
/// widths of that bit count from `at_widths` (empty when not given).
pub fn rows(
    p: &OperatingPoint,
    optima: &[OptimalWidth],
    at_widths: Option<&AtWidths>,
) -> Result<Vec<HeadlineRow>> {
    let opts = SolverOptions::default();
    optima
        .iter()
        .map(|o| {
            let r = solve(&p.uniform_model(o.bits, o.width, p.beta)?, &opts);
            let at = at_widths
                .and_then(|v| v.iter().find(|(b, _)| *b == o.bits))
                .map(|(_, w)| w.clone())
                .unwrap_or_default();
            Ok(HeadlineRow {
                bits: o.bits,
                optimal_width: o.width,
                gen_error: o.solution.gen_error,
                train_error: o.solution.train_error,
                at_eigenvalue: r.equilibrium.at_eigenvalue,
                rs_stable: r.converged && r.equilibrium.rs_stable,
                at_widths: at,
            })
        })
        .collect()
}

/// ε_g against ω at β = ∞ for several bit counts, and the continuous student's ε_g.
#[derive(Debug, Clone, Serialize)]
pub struct WidthCurves {
    /// The widths.
    pub widths: Vec<f64>,
    /// Per bit count, ε_g at each width (NaN where RS did not converge).
    pub curves: Vec<(u32, Vec<f64>)>,
    /// ε_g of the unquantized student.
    pub continuous: f64,
}

/// ε_g against ω ∈ [0.04, 4] for b = 1…4 at β = ∞.
pub fn error_vs_width(p: &OperatingPoint) -> Result<WidthCurves> {
    let widths: Vec<f64> = (1..=100).map(|i| 0.04 * i as f64).collect();
    let mut curves = Vec::new();
    for b in 1..=4u32 {
        let errs = try_map(&widths, &quiet(), "error vs width", |&w| {
            Ok(gen_error_or_nan(&p.uniform_model(b, w, f64::INFINITY)?))
        })?;
        curves.push((b, errs));
    }
    let cont = solve(&p.continuous_model(p.alpha)?, &SolverOptions::default());
    Ok(WidthCurves {
        widths,
        curves,
        continuous: cont.equilibrium.gen_error,
    })
}

/// ε_g of prior-adapted level sets at each optimum's bit count (β = ∞).
#[derive(Debug, Clone, Serialize)]
pub struct LevelsVsBits {
    /// `(name, [(bits, ε_g)])` for Lloyd–Max and prior-quantile levels.
    pub kinds: Vec<(String, Vec<(f64, f64)>)>,
}

/// Lloyd–Max and prior-quantile levels at the bit counts of `optima` (β = ∞).
pub fn levels_vs_bits(p: &OperatingPoint, optima: &[OptimalWidth]) -> Result<LevelsVsBits> {
    let t = TeacherPrior::gaussian(1.0)?;
    let mut kinds = Vec::new();
    for (name, kind) in [
        ("Lloyd–Max", LevelKind::LloydMax),
        ("prior quantiles", LevelKind::Quantile),
    ] {
        let pts = try_map(optima, &quiet(), "levels vs bits", |o| {
            let st = kind.build(o.bits, 1.0, &t, None)?;
            let m = Model::new(p.alpha, p.noise, f64::INFINITY, 0.0, st, t.clone())?;
            Ok((o.bits as f64, gen_error_or_nan(&m)))
        })?;
        kinds.push((name.to_string(), pts));
    }
    Ok(LevelsVsBits { kinds })
}

/// ε_g against α for the continuous student and quantized students at their optimal widths.
#[derive(Debug, Clone, Serialize)]
pub struct AlphaCurves {
    /// Inverse temperature of the quantized curves.
    pub beta: f64,
    /// The α grid.
    pub alphas: Vec<f64>,
    /// Closed-form ε_g of the continuous ridgeless student at β = ∞.
    pub closed_form: Vec<f64>,
    /// RS ε_g of the continuous student at every sixth α (β = ∞ only).
    pub continuous_rs: Option<Vec<(f64, f64)>>,
    /// `(bits, ω*, ε_g at each α)`, NaN where RS did not converge.
    pub quantized: Vec<(u32, f64, Vec<f64>)>,
}

/// ε_g on 120 log-spaced α ∈ [0.1, 5] at `beta` for every optimum.
pub fn error_vs_alpha(
    p: &OperatingPoint,
    optima: &[OptimalWidth],
    beta: f64,
) -> Result<AlphaCurves> {
    let alphas: Vec<f64> = (0..120)
        .map(|i| 10f64.powf(-1.0 + 1.7 * i as f64 / 119.0))
        .collect();
    let closed_form = alphas
        .iter()
        .map(|&a| super::double_descent::continuous_gen_error(a, p.noise))
        .collect();
    let continuous_rs = if beta.is_infinite() {
        let every: Vec<f64> = alphas.iter().copied().step_by(6).collect();
        Some(try_map(&every, &quiet(), "continuous", |&a| {
            let r = solve(&p.continuous_model(a)?, &SolverOptions::default());
            Ok((a, r.equilibrium.gen_error))
        })?)
    } else {
        None
    };
    let mut quantized = Vec::new();
    for o in optima {
        let errs = try_map(&alphas, &quiet(), "double descent", |&a| {
            let m = OperatingPoint { alpha: a, ..*p }.uniform_model(o.bits, o.width, beta)?;
            Ok(gen_error_or_nan(&m))
        })?;
        quantized.push((o.bits, o.width, errs));
    }
    Ok(AlphaCurves {
        beta,
        alphas,
        closed_form,
        continuous_rs,
        quantized,
    })
}

/// The (ω, b) map at the point's β: ω ∈ [0.07, 4.2], b = 1…6, the AT line along ω in each
/// row, spinodals and first-order transitions; and the AT widths per bit count.
pub fn map_width_bits(p: &OperatingPoint) -> Result<(MapLayers, AtWidths)> {
    let xs: Vec<f64> = (1..=60).map(|i| 0.07 * i as f64).collect();
    let bits: Vec<u32> = (1..=6).collect();
    let ys: Vec<f64> = bits.iter().map(|&b| b as f64).collect();
    let make = |w: f64, b: f64| p.uniform_model(b as u32, w, p.beta);
    let layers = map_layers(&xs, &ys, &make, false, true)?;
    let roots: AtWidths = bits
        .iter()
        .map(|&b| {
            let w = layers
                .at_line
                .iter()
                .filter(|(_, y)| *y == b as f64)
                .map(|(x, _)| *x)
                .collect();
            (b, w)
        })
        .collect();
    Ok((layers, roots))
}

/// The (ω, β) map for `bits`: ω ∈ [0.08, 4], 30 log-spaced β ∈ [10^−0.5, 10^1.5].
pub fn map_width_beta(p: &OperatingPoint, bits: u32) -> Result<MapLayers> {
    let xs: Vec<f64> = (1..=50).map(|i| 0.08 * i as f64).collect();
    let ys: Vec<f64> = (0..30)
        .map(|i| 10f64.powf(-0.5 + 2.0 * i as f64 / 29.0))
        .collect();
    let make = |w: f64, beta: f64| p.uniform_model(bits, w, beta);
    map_layers(&xs, &ys, &make, true, true)
}

/// The (ω, α) map for `bits` at the point's β: ω ∈ [0.08, 4], 30 log-spaced α ∈ [0.1, 5].
pub fn map_width_alpha(p: &OperatingPoint, bits: u32) -> Result<MapLayers> {
    let xs: Vec<f64> = (1..=50).map(|i| 0.08 * i as f64).collect();
    let ys: Vec<f64> = (0..30)
        .map(|i| 10f64.powf(-1.0 + 1.7 * i as f64 / 29.0))
        .collect();
    let make = |w: f64, alpha: f64| OperatingPoint { alpha, ..*p }.uniform_model(bits, w, p.beta);
    map_layers(&xs, &ys, &make, true, true)
}

/// The (α, β) map of a binary teacher (±1) learned by a 1-bit student with levels ±1 at label
/// noise `noise`: α ∈ [0.02, 0.8], 14 log-spaced β ∈ [10^0.3, 10^2.3]. On the Nishimori line
/// β = 1/σ² it reproduces THEORY.md §3 (spinodals ≈ 0.124 and 0.495, crossing ≈ 0.312 at
/// σ² = 0.01).
pub fn map_alpha_beta_binary(noise: f64) -> Result<MapLayers> {
    let xs: Vec<f64> = (0..40).map(|i| 0.02 + 0.02 * i as f64).collect();
    let ys: Vec<f64> = (0..14)
        .map(|i| 10f64.powf(0.3 + 2.0 * i as f64 / 13.0))
        .collect();
    let make = |alpha: f64, beta: f64| {
        Model::new(
            alpha,
            noise,
            beta,
            0.0,
            Student::Discrete(LevelSet::uniform(1, 1.0)?),
            TeacherPrior::binary(1.0)?,
        )
    };
    map_layers(&xs, &ys, &make, true, true)
}
