//! The double-descent figure: one panel per bit count, ε_g (solid) and ε_t (dashed) against α
//! at each width factor, with the continuous closed form. The curves come from
//! [`crate::experiments::double_descent`].

use super::plot::{save, Legend, LineChart, Mark, Panels, Series};
use crate::error::Result;
use crate::experiments::double_descent::{continuous_gen_error, Curve};
use crate::experiments::OperatingPoint;
use std::path::{Path, PathBuf};

/// One panel per bit count: ε_g (solid) and ε_t (dashed) against α at each width factor, with
/// the continuous closed form. Written to `double_descent_widths` (β = ∞) or
/// `double_descent_widths_beta{β}`.
pub fn figure(p: &OperatingPoint, curves: &[Curve], beta: f64, dir: &Path) -> Result<PathBuf> {
    let mut bits: Vec<u32> = curves.iter().map(|c| c.bits).collect();
    bits.dedup();
    let alphas = curves.first().map(|c| c.alpha.clone()).unwrap_or_default();
    let closed: Vec<(f64, f64)> = alphas
        .iter()
        .map(|&a| (a, continuous_gen_error(a, p.noise)))
        .collect();
    let bt = if beta.is_finite() {
        format!("{beta}")
    } else {
        "∞".into()
    };
    let panels: Vec<LineChart> = bits
        .iter()
        .map(|&b| {
            let mut series = vec![Series::line("continuous ε_g", closed.clone())
                .mark(Mark::Dashed)
                .colour(7)];
            for (k, c) in curves.iter().filter(|c| c.bits == b).enumerate() {
                let pts = |v: &[Option<f64>]| -> Vec<(f64, f64)> {
                    c.alpha
                        .iter()
                        .zip(v)
                        .map(|(&a, e)| (a, e.unwrap_or(f64::NAN)))
                        .collect()
                };
                series.push(
                    Series::line(
                        format!("ε_g, ω = {:.2} ({}ω*)", c.width, c.width_factor),
                        pts(&c.gen_error),
                    )
                    .colour(k),
                );
                series.push(
                    Series::line("ε_t", pts(&c.train_error))
                        .mark(Mark::Dashed)
                        .colour(k),
                );
            }
            LineChart {
                title: format!("b = {b}"),
                x_label: "samples per weight α".into(),
                y_label: "error (RS)".into(),
                series,
                log_x: true,
                log_y: true,
                y_range: Some((0.01, 20.0)),
                legend: Legend::LowerLeft,
                ..LineChart::default()
            }
        })
        .collect();
    let fig = Panels {
        title: format!(
            "Double descent at ω = ω*/2, ω*, 2ω* (ε_g solid, ε_t dashed; σ² = {}, β = {bt})",
            p.noise
        ),
        cols: 3,
        panels,
    };
    let stem = if beta.is_finite() {
        dir.join(format!("double_descent_widths_beta{bt}"))
    } else {
        dir.join("double_descent_widths")
    };
    let rows = bits.len().div_ceil(3) as u32;
    save(&fig, &stem, (1500, 80 + 470 * rows))?;
    Ok(stem)
}
