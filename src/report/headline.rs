//! The headline figures and files (the default job): error against width, optimal width and
//! the error at the best levels against bits, double descent, the (ω, b), (ω, β), (ω, α) and
//! binary (α, β) phase maps, and `headline.{csv,json}`, `double_descent.json`. The numbers come
//! from [`crate::experiments::headline`] and [`crate::experiments::double_descent`]; this module
//! only draws and writes them.

use super::phase_map::PhaseMap;
use super::plot::{save, Legend, LineChart, Mark, Series};
use crate::error::Result;
use crate::experiments::double_descent::{self as dd, Curve};
use crate::experiments::headline::{
    self as hl, AlphaCurves, AtWidths, HeadlineRow, LevelsVsBits, OperatingPoint, WidthCurves,
};
use crate::experiments::widths::OptimalWidth;
use crate::output::{fmt_num, to_json, write_atomic, Csv};
use crate::parallel::Steps;
use crate::phase::map::MapLayers;
use crate::phase::FirstOrderLines;
use std::path::{Path, PathBuf};

/// ε_g against ω (b = 1…4, β = ∞) with the optima marked and the continuous baseline:
/// `error_vs_width`.
pub fn error_vs_width(
    p: &OperatingPoint,
    data: &WidthCurves,
    optima: &[OptimalWidth],
    dir: &Path,
) -> Result<PathBuf> {
    let mut series = Vec::new();
    for (i, (b, errs)) in data.curves.iter().enumerate() {
        let pts = data.widths.iter().copied().zip(errs.iter().copied());
        series.push(Series::line(format!("b = {b}"), pts.collect()).colour(i));
        if let Some(o) = optima.iter().find(|o| o.bits == *b) {
            series.push(
                Series::points(
                    format!("ω* (b = {b})"),
                    vec![(o.width, o.solution.gen_error)],
                    None,
                )
                .colour(i),
            );
        }
    }
    series.push(
        Series::line(
            "continuous student",
            vec![(0.04, data.continuous), (4.0, data.continuous)],
        )
        .mark(Mark::Dashed)
        .colour(7),
    );
    let chart = LineChart {
        title: format!(
            "Generalization error vs quantization width (α = {}, σ² = {}, β = ∞)",
            p.alpha, p.noise
        ),
        x_label: "width ω".into(),
        y_label: "ε_g (RS)".into(),
        series,
        log_y: true,
        y_range: Some((0.05, 2.5)),
        ..LineChart::default()
    };
    let stem = dir.join("error_vs_width");
    save(&chart, &stem, (960, 640))?;
    Ok(stem)
}

/// The optimal uniform width against bits (`optimal_width`) and the error at the best levels
/// against bits, uniform against Lloyd–Max and prior quantiles (`error_vs_bits`).
pub fn optimal_width_vs_bits(
    p: &OperatingPoint,
    optima: &[OptimalWidth],
    levels: &LevelsVsBits,
    dir: &Path,
) -> Result<(PathBuf, PathBuf)> {
    let w_pts: Vec<(f64, f64)> = optima.iter().map(|o| (o.bits as f64, o.width)).collect();
    let chart = LineChart {
        title: format!(
            "Optimal uniform width ω* (α = {}, σ² = {}, β = ∞)",
            p.alpha, p.noise
        ),
        x_label: "bits b".into(),
        y_label: "ω*".into(),
        series: vec![Series::line("ω* minimizing ε_g", w_pts).mark(Mark::LinePoints)],
        ..LineChart::default()
    };
    let s1 = dir.join("optimal_width");
    save(&chart, &s1, (900, 600))?;
    let mut series = vec![Series::line(
        "uniform at ω*",
        optima
            .iter()
            .map(|o| (o.bits as f64, o.solution.gen_error))
            .collect(),
    )
    .mark(Mark::LinePoints)];
    for (i, (name, pts)) in levels.kinds.iter().enumerate() {
        series.push(
            Series::line(name.clone(), pts.clone())
                .mark(Mark::LinePoints)
                .colour(i + 1),
        );
    }
    let bmax = optima.iter().map(|o| o.bits).max().unwrap_or(8) as f64;
    let cont = p.noise / (p.alpha - 1.0);
    if p.alpha > 1.0 {
        series.push(
            Series::line("continuous student", vec![(1.0, cont), (bmax, cont)])
                .mark(Mark::Dashed)
                .colour(7),
        );
    }
    let chart = LineChart {
        title: format!(
            "Error at the best levels vs bits (α = {}, σ² = {}, β = ∞)",
            p.alpha, p.noise
        ),
        x_label: "bits b".into(),
        y_label: "ε_g (RS)".into(),
        series,
        log_y: true,
        ..LineChart::default()
    };
    let s2 = dir.join("error_vs_bits");
    save(&chart, &s2, (900, 600))?;
    Ok((s1, s2))
}

fn beta_text(beta: f64) -> String {
    if beta.is_infinite() {
        "∞".to_string()
    } else {
        format!("{beta}")
    }
}

/// ε_g against α at the optimal widths: `double_descent` (β = ∞) or `double_descent_beta{β}`.
pub fn error_vs_alpha(p: &OperatingPoint, data: &AlphaCurves, dir: &Path) -> Result<PathBuf> {
    let closed: Vec<(f64, f64)> = data
        .alphas
        .iter()
        .copied()
        .zip(data.closed_form.iter().copied())
        .collect();
    let mut series = vec![
        Series::line("continuous ridgeless, closed form (β = ∞)", closed)
            .mark(Mark::Dashed)
            .colour(7),
    ];
    if let Some(rs) = &data.continuous_rs {
        series.push(Series::points("continuous, RS solver", rs.clone(), None).colour(7));
    }
    for (i, (bits, width, errs)) in data.quantized.iter().enumerate() {
        let pts = data.alphas.iter().copied().zip(errs.iter().copied());
        let colour = if i >= 7 { i + 1 } else { i };
        series.push(
            Series::line(format!("b = {bits} (ω = {width:.2})"), pts.collect()).colour(colour),
        );
    }
    let bt = beta_text(data.beta);
    let chart = LineChart {
        title: format!(
            "Double descent under weight quantization (σ² = {}, β = {bt})",
            p.noise
        ),
        x_label: "samples per weight α".into(),
        y_label: "ε_g (RS)".into(),
        series,
        log_x: true,
        log_y: true,
        y_range: Some((0.02, 20.0)),
        ..LineChart::default()
    };
    let stem = if data.beta.is_infinite() {
        dir.join("double_descent")
    } else {
        dir.join(format!("double_descent_beta{bt}"))
    };
    save(&chart, &stem, (980, 660))?;
    Ok(stem)
}

/// The (ω, b) map with the optimal widths: `phase_diagram_width_bits`.
pub fn map_width_bits(
    p: &OperatingPoint,
    layers: MapLayers,
    optima: &[OptimalWidth],
    dir: &Path,
) -> Result<PathBuf> {
    let opt: Vec<(f64, f64)> = optima
        .iter()
        .filter(|o| o.bits <= 6)
        .map(|o| (o.width, o.bits as f64))
        .collect();
    let stem = dir.join("phase_diagram_width_bits");
    let mut map = PhaseMap::new(
        format!(
            "RS stability in (ω, b) at β = {} (α = {}, σ² = {})",
            p.beta, p.alpha, p.noise
        ),
        "width ω",
        "bits b",
        layers,
    );
    map.extra = vec![Series::line("optimal width ω* (β = ∞)", opt)
        .mark(Mark::Dashed)
        .colour(0)];
    map.discrete_y = true;
    map.at_both_axes = false;
    map.save(&stem)?;
    Ok(stem)
}

/// The (ω, β) map for `bits`: `phase_diagram_width_beta_b{bits}`.
pub fn map_width_beta(
    p: &OperatingPoint,
    bits: u32,
    layers: MapLayers,
    dir: &Path,
) -> Result<PathBuf> {
    let stem = dir.join(format!("phase_diagram_width_beta_b{bits}"));
    let mut map = PhaseMap::new(
        format!(
            "RS stability in (ω, β), b = {bits} (α = {}, σ² = {})",
            p.alpha, p.noise
        ),
        "width ω",
        "inverse temperature β",
        layers,
    );
    map.log_y = true;
    map.save(&stem)?;
    Ok(stem)
}

/// The (ω, α) map for `bits`: `phase_diagram_width_alpha_b{bits}`.
pub fn map_width_alpha(
    p: &OperatingPoint,
    bits: u32,
    layers: MapLayers,
    dir: &Path,
) -> Result<PathBuf> {
    let stem = dir.join(format!("phase_diagram_width_alpha_b{bits}"));
    let mut map = PhaseMap::new(
        format!(
            "RS stability in (ω, α), b = {bits} (β = {}, σ² = {})",
            p.beta, p.noise
        ),
        "width ω",
        "samples per weight α",
        layers,
    );
    map.log_y = true;
    map.save(&stem)?;
    Ok(stem)
}

/// The binary-teacher (α, β) map with the Nishimori line: `phase_diagram_alpha_beta_binary`.
pub fn map_alpha_beta_binary(noise: f64, layers: MapLayers, dir: &Path) -> Result<PathBuf> {
    let (x0, x1) = (layers.xs[0], layers.xs[layers.xs.len() - 1]);
    let nishimori = vec![(x0, 1.0 / noise), (x1, 1.0 / noise)];
    let stem = dir.join("phase_diagram_alpha_beta_binary");
    let mut map = PhaseMap::new(
        format!("Binary teacher, 1-bit student (±1): first-order transitions (σ² = {noise})"),
        "samples per weight α",
        "inverse temperature β",
        layers,
    );
    map.extra = vec![
        Series::line("Nishimori line β = 1/σ² (Bayes-optimal)", nishimori)
            .mark(Mark::Dashed)
            .colour(7),
    ];
    map.log_y = true;
    map.legend = Legend::LowerLeft;
    map.save(&stem)?;
    Ok(stem)
}

/// Computes the (ω, b) map at the point's β, draws it, and returns the AT widths per bit count
/// (the last column of the headline table).
pub fn width_bits(p: &OperatingPoint, optima: &[OptimalWidth], dir: &Path) -> Result<AtWidths> {
    let (layers, roots) = hl::map_width_bits(p)?;
    map_width_bits(p, layers, optima, dir)?;
    Ok(roots)
}

/// What [`figures`] computed besides the files: the double-descent curves (β = ∞ for every
/// optimum, then the point's β for b ≤ 4) and the first-order lines of the binary map.
#[derive(Debug, Clone)]
pub struct HeadlineFigures {
    /// Learning curves at ω*/2, ω*, 2ω*.
    pub curves: Vec<Curve>,
    /// Spinodals and first-order transitions of the binary (α, β) map at σ² = 0.01.
    pub binary: FirstOrderLines,
}

/// The stages [`figures`] counts on its `stages`.
pub const FIGURE_STAGES: u64 = 11;

/// Every headline figure besides the (ω, b) map ([`width_bits`]), and the files
/// `double_descent.json`, `headline.json` and `headline.csv` of `rows`, into `dir`; each of its
/// [`FIGURE_STAGES`] stages is named and counted on `stages`.
pub fn figures(
    p: &OperatingPoint,
    optima: &[OptimalWidth],
    rows: &[HeadlineRow],
    dir: &Path,
    stages: &Steps,
) -> Result<HeadlineFigures> {
    let stage = |name: &str| stages.stage(&format!("headline: {name}"));
    let beta = beta_text(p.beta);
    stage("error vs width");
    error_vs_width(p, &hl::error_vs_width(p)?, optima, dir)?;
    stages.inc(1);
    stage("levels vs bits");
    optimal_width_vs_bits(p, optima, &hl::levels_vs_bits(p, optima)?, dir)?;
    stages.inc(1);
    stage("error vs alpha, beta = inf");
    error_vs_alpha(p, &hl::error_vs_alpha(p, optima, f64::INFINITY)?, dir)?;
    stages.inc(1);
    let few: Vec<_> = optima.iter().filter(|o| o.bits <= 4).cloned().collect();
    stage(&format!("error vs alpha, beta = {beta}"));
    error_vs_alpha(p, &hl::error_vs_alpha(p, &few, p.beta)?, dir)?;
    stages.inc(1);
    for bits in [1, 2] {
        stage(&format!("(width, beta) phase map, b = {bits}"));
        map_width_beta(p, bits, hl::map_width_beta(p, bits)?, dir)?;
        stages.inc(1);
    }
    for bits in [1, 2] {
        stage(&format!("(width, alpha) phase map, b = {bits}"));
        map_width_alpha(p, bits, hl::map_width_alpha(p, bits)?, dir)?;
        stages.inc(1);
    }
    let alphas = dd::alpha_grid(60);
    let widths: Vec<(u32, f64)> = optima.iter().map(|o| (o.bits, o.width)).collect();
    stage("double descent, beta = inf");
    let mut curves = dd::curves(p, &widths, f64::INFINITY, &alphas)?;
    super::double_descent::figure(p, &curves, f64::INFINITY, dir)?;
    stages.inc(1);
    stage(&format!("double descent, beta = {beta}"));
    let fin = dd::curves(p, &widths[..4.min(widths.len())], p.beta, &alphas)?;
    super::double_descent::figure(p, &fin, p.beta, dir)?;
    curves.extend(fin);
    write_atomic(
        &dir.join("double_descent.json"),
        to_json(&curves)?.as_bytes(),
    )?;
    stages.inc(1);
    stage("binary (alpha, beta) phase map");
    let binary = hl::map_alpha_beta_binary(0.01)?;
    let first_order = binary.first_order.clone();
    map_alpha_beta_binary(0.01, binary, dir)?;
    stages.inc(1);
    write_atomic(&dir.join("headline.json"), to_json(&rows)?.as_bytes())?;
    headline_csv(rows).write(&dir.join("headline.csv"))?;
    Ok(HeadlineFigures {
        curves,
        binary: first_order,
    })
}

/// The headline table as CSV (the columns of the text table; the AT widths are in the JSON).
pub fn headline_csv(rows: &[HeadlineRow]) -> Csv {
    let mut csv = Csv::new([
        "bits",
        "optimal_width",
        "gen_error",
        "train_error",
        "at_eigenvalue",
        "rs_stable",
    ]);
    for r in rows {
        csv.push(vec![
            r.bits.to_string(),
            fmt_num(r.optimal_width),
            fmt_num(r.gen_error),
            fmt_num(r.train_error),
            fmt_num(r.at_eigenvalue),
            r.rs_stable.to_string(),
        ]);
    }
    csv
}
