//! The headline figures of seed 002's findings, each a function of the library: error against
//! width, optimal width against bits (uniform against non-uniform levels), the (ω, b) and
//! (ω, β) phase diagrams with the AT line, and double descent under quantization.

use crate::error::Result;
use crate::heatmap::Heatmap;
use crate::model::{LevelKind, LevelSet, Model, Student, TeacherPrior};
use crate::optimize::{optimal_width, Objective, OptimalWidth};
use crate::phase::{at_root, first_order_lines, FirstOrderLines, Phase};
use crate::plot::{save, LineChart, Mark, Series};
use crate::rs::{solve, SolverOptions};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The operating point of the headline figures.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Point {
    /// Samples per weight.
    pub alpha: f64,
    /// Label-noise variance.
    pub noise: f64,
    /// Inverse temperature for stability maps.
    pub beta: f64,
}

impl Default for Point {
    fn default() -> Self {
        Point {
            alpha: 2.0,
            noise: 0.1,
            beta: 5.0,
        }
    }
}

fn uniform_model(p: &Point, bits: u32, width: f64, beta: f64) -> Result<Model> {
    let student = Student::Discrete(LevelSet::uniform(bits, width)?);
    Model::new(
        p.alpha,
        p.noise,
        beta,
        0.0,
        student,
        TeacherPrior::gaussian(1.0)?,
    )
}

/// Optimal uniform widths (β = ∞, ε_g) for each bit count, in parallel.
pub fn optimal_widths(p: &Point, bits: &[u32]) -> Result<Vec<OptimalWidth>> {
    let opts = SolverOptions::default();
    bits.par_iter()
        .map(|&b| {
            let make = |w: f64| uniform_model(p, b, w, f64::INFINITY);
            optimal_width(&make, &LevelKind::Uniform, b, Objective::GenError, &opts)
        })
        .collect()
}

/// ε_g against ω for b = 1…4 at β = ∞, with the optimum marked and the continuous baseline.
pub fn error_vs_width(p: &Point, optima: &[OptimalWidth], dir: &Path) -> Result<PathBuf> {
    let opts = SolverOptions::default();
    let widths: Vec<f64> = (1..=100).map(|i| 0.04 * i as f64).collect();
    let mut series = Vec::new();
    for (i, b) in (1..=4u32).enumerate() {
        let pts: Vec<(f64, f64)> = widths
            .par_iter()
            .map(|&w| {
                let r = solve(
                    &uniform_model(p, b, w, f64::INFINITY).expect("valid model"),
                    &opts,
                );
                (
                    w,
                    if r.converged {
                        r.equilibrium.gen_error
                    } else {
                        f64::NAN
                    },
                )
            })
            .collect();
        series.push(Series::line(format!("b = {b}"), pts).colour(i));
        if let Some(o) = optima.iter().find(|o| o.bits == b) {
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
    let cont = solve(
        &Model::new(
            p.alpha,
            p.noise,
            f64::INFINITY,
            0.0,
            Student::Continuous,
            TeacherPrior::gaussian(1.0)?,
        )?,
        &opts,
    );
    series.push(
        Series::line(
            "continuous student",
            vec![
                (0.04, cont.equilibrium.gen_error),
                (4.0, cont.equilibrium.gen_error),
            ],
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

/// Optimal width and the error at it against bits, uniform against non-uniform levels.
pub fn optimal_width_vs_bits(
    p: &Point,
    optima: &[OptimalWidth],
    dir: &Path,
) -> Result<(PathBuf, PathBuf)> {
    let opts = SolverOptions::default();
    let t = TeacherPrior::gaussian(1.0)?;
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
    for (i, (name, kind)) in [
        ("Lloyd–Max", LevelKind::LloydMax),
        ("prior quantiles", LevelKind::Quantile),
    ]
    .into_iter()
    .enumerate()
    {
        let pts: Vec<(f64, f64)> = optima
            .par_iter()
            .map(|o| {
                let st = kind.build(o.bits, 1.0, &t, None).expect("valid levels");
                let m = Model::new(p.alpha, p.noise, f64::INFINITY, 0.0, st, t.clone())
                    .expect("valid model");
                let r = solve(&m, &opts);
                (
                    o.bits as f64,
                    if r.converged {
                        r.equilibrium.gen_error
                    } else {
                        f64::NAN
                    },
                )
            })
            .collect();
        series.push(Series::line(name, pts).mark(Mark::LinePoints).colour(i + 1));
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

/// One cell of a phase map.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PhaseCell {
    /// x coordinate.
    pub x: f64,
    /// y coordinate.
    pub y: f64,
    /// λ_AT of the equilibrium.
    pub at_eigenvalue: f64,
    /// The phase.
    pub phase: Phase,
    /// ε_g of the equilibrium.
    pub gen_error: f64,
}

/// A model as a function of the two coordinates of a map.
pub type ModelAt<'a> = dyn Fn(f64, f64) -> Result<Model> + Sync + 'a;

/// Evaluates the phase on a grid in parallel (row-major in y, then x; thread-count independent).
pub fn phase_grid(xs: &[f64], ys: &[f64], make: &ModelAt<'_>) -> Vec<PhaseCell> {
    let opts = SolverOptions::default();
    let pts: Vec<(f64, f64)> = ys
        .iter()
        .flat_map(|&y| xs.iter().map(move |&x| (x, y)))
        .collect();
    let bar = crate::progress::bar(pts.len() as u64, "phase map");
    let out = pts
        .par_iter()
        .map(|&(x, y)| {
            let cell = match make(x, y) {
                Ok(m) => {
                    let r = solve(&m, &opts);
                    PhaseCell {
                        x,
                        y,
                        at_eigenvalue: r.equilibrium.at_eigenvalue,
                        phase: Phase::of(&r.equilibrium, r.converged),
                        gen_error: r.equilibrium.gen_error,
                    }
                }
                Err(_) => PhaseCell {
                    x,
                    y,
                    at_eigenvalue: f64::NAN,
                    phase: Phase::Unresolved,
                    gen_error: f64::NAN,
                },
            };
            bar.inc(1);
            cell
        })
        .collect();
    bar.finish_and_clear();
    out
}

/// Every layer of a map: the phase of each cell; the AT line, bracketed between neighbouring
/// cells whose λ_AT − 1 changes sign and refined by Brent along x in each row and, if
/// `along_y` (a continuous y axis), along y in each column; and the spinodals and first-order
/// transitions (branch continuation along x, per row) if `with_first_order`.
pub fn map_layers(
    xs: &[f64],
    ys: &[f64],
    make: &ModelAt<'_>,
    along_y: bool,
    with_first_order: bool,
) -> Result<Layers> {
    let cells = phase_grid(xs, ys, make);
    let opts = SolverOptions::default();
    let nx = xs.len();
    let excess = |ix: usize, iy: usize| cells[iy * nx + ix].at_eigenvalue - 1.0;
    let brackets = |a: f64, b: f64| a.is_finite() && b.is_finite() && a * b <= 0.0 && a != b;
    // (fixed coordinate, bracket lo, bracket hi, along x?)
    let mut jobs: Vec<(f64, f64, f64, bool)> = Vec::new();
    for (iy, &y) in ys.iter().enumerate() {
        for (ix, w) in xs.windows(2).enumerate() {
            if brackets(excess(ix, iy), excess(ix + 1, iy)) {
                jobs.push((y, w[0], w[1], true));
            }
        }
    }
    if along_y {
        for (ix, &x) in xs.iter().enumerate() {
            for (iy, w) in ys.windows(2).enumerate() {
                if brackets(excess(ix, iy), excess(ix, iy + 1)) {
                    jobs.push((x, w[0], w[1], false));
                }
            }
        }
    }
    let at_line: Vec<(f64, f64)> = jobs
        .par_iter()
        .filter_map(|&(fixed, a, b, along_x)| {
            if along_x {
                at_root(&|x| make(x, fixed), a, b, 1e-8, &opts)
                    .ok()
                    .map(|x| (x, fixed))
            } else {
                at_root(&|y| make(fixed, y), a, b, 1e-8, &opts)
                    .ok()
                    .map(|y| (fixed, y))
            }
        })
        .collect();
    let first_order = if with_first_order {
        first_order_lines(make, xs, ys, &opts)?
    } else {
        FirstOrderLines::default()
    };
    Ok(Layers {
        cells,
        at_line,
        first_order,
    })
}

/// The layers of a phase map (see [`map_layers`]).
#[derive(Debug, Clone)]
pub struct Layers {
    /// Phase of every cell, row-major in y.
    pub cells: Vec<PhaseCell>,
    /// Points where λ_AT = 1.
    pub at_line: Vec<(f64, f64)>,
    /// Spinodals and first-order transitions.
    pub first_order: FirstOrderLines,
}

/// A phase map ready to draw: categorical phases, the AT line (root-found) and extra curves.
#[derive(Debug, Clone, Default)]
pub struct PhaseMap {
    /// Caption.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Cell centres along x.
    pub xs: Vec<f64>,
    /// Cell centres along y.
    pub ys: Vec<f64>,
    /// The cells (row-major in y).
    pub cells: Vec<PhaseCell>,
    /// Points of the AT line.
    pub at_line: Vec<(f64, f64)>,
    /// Spinodals and first-order transitions (drawn as points).
    pub first_order: FirstOrderLines,
    /// Further curves.
    pub extra: Vec<Series>,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// y takes discrete values (e.g. bits): AT crossings are drawn as points, not joined.
    pub discrete_y: bool,
    /// The AT points come from rows and columns (drawn unjoined).
    pub at_both_axes: bool,
    /// Legend corner.
    pub legend: crate::plot::Legend,
}

impl PhaseMap {
    /// Draws the map to `<stem>.png` and `<stem>.svg`.
    pub fn save(self, stem: &Path) -> Result<()> {
        let mut h = Heatmap {
            title: self.title,
            x_label: self.x_label,
            y_label: self.y_label,
            x: self.xs,
            y: self.ys,
            z: self.cells.iter().map(|c| c.phase.index() as f64).collect(),
            log_y: self.log_y,
            categories: Phase::names().iter().map(|s| s.to_string()).collect(),
            legend: self.legend,
            ..Heatmap::default()
        };
        if !self.at_line.is_empty() {
            // Crossings found along both axes (or per discrete row) are not one ordered curve.
            let mark = if self.discrete_y || self.at_both_axes {
                Mark::Points
            } else {
                Mark::LinePoints
            };
            h.curves.push(
                Series::line("AT line (λ_AT = 1, root-found)", self.at_line)
                    .mark(mark)
                    .colour(1),
            );
        }
        if !self.first_order.spinodals.is_empty() {
            h.curves.push(
                Series::points(
                    "spinodal (end of a metastable branch)",
                    self.first_order.spinodals,
                    None,
                )
                .colour(3),
            );
        }
        if !self.first_order.equilibrium_transitions.is_empty() {
            h.curves.push(
                Series::points(
                    "first-order transition (free-entropy crossing)",
                    self.first_order.equilibrium_transitions,
                    None,
                )
                .colour(0),
            );
        }
        h.curves.extend(self.extra);
        save(&h, stem, (980, 680))?;
        Ok(())
    }
}

/// Widths where λ_AT = 1, per bit count.
pub type AtWidths = Vec<(u32, Vec<f64>)>;

/// The (ω, b) phase diagram at finite β with the AT line and the optimal width.
pub fn phase_diagram_width_bits(
    p: &Point,
    optima: &[OptimalWidth],
    dir: &Path,
) -> Result<(PathBuf, AtWidths)> {
    let xs: Vec<f64> = (1..=60).map(|i| 0.07 * i as f64).collect();
    let bits: Vec<u32> = (1..=6).collect();
    let ys: Vec<f64> = bits.iter().map(|&b| b as f64).collect();
    let make = |w: f64, b: f64| uniform_model(p, b as u32, w, p.beta);
    let Layers {
        cells,
        at_line,
        first_order,
    } = map_layers(&xs, &ys, &make, false, true)?;
    let roots: AtWidths = bits
        .iter()
        .map(|&b| {
            let w = at_line
                .iter()
                .filter(|(_, y)| *y == b as f64)
                .map(|(x, _)| *x)
                .collect();
            (b, w)
        })
        .collect();
    let opt: Vec<(f64, f64)> = optima
        .iter()
        .filter(|o| o.bits <= 6)
        .map(|o| (o.width, o.bits as f64))
        .collect();
    let stem = dir.join("phase_diagram_width_bits");
    PhaseMap {
        title: format!(
            "RS stability in (ω, b) at β = {} (α = {}, σ² = {})",
            p.beta, p.alpha, p.noise
        ),
        x_label: "width ω".into(),
        y_label: "bits b".into(),
        xs,
        ys,
        cells,
        at_line,
        first_order,
        extra: vec![Series::line("optimal width ω* (β = ∞)", opt)
            .mark(Mark::Dashed)
            .colour(0)],
        log_y: false,
        discrete_y: true,
        at_both_axes: false,
        legend: crate::plot::Legend::UpperRight,
    }
    .save(&stem)?;
    Ok((stem, roots))
}

/// The (ω, β) phase diagram for `bits` with the AT line traced in ω at each β.
pub fn phase_diagram_width_beta(p: &Point, bits: u32, dir: &Path) -> Result<PathBuf> {
    let xs: Vec<f64> = (1..=50).map(|i| 0.08 * i as f64).collect();
    let ys: Vec<f64> = (0..30)
        .map(|i| 10f64.powf(-0.5 + 2.0 * i as f64 / 29.0))
        .collect();
    let make = |w: f64, beta: f64| uniform_model(p, bits, w, beta);
    let Layers {
        cells,
        at_line,
        first_order,
    } = map_layers(&xs, &ys, &make, true, true)?;
    let stem = dir.join(format!("phase_diagram_width_beta_b{bits}"));
    PhaseMap {
        title: format!(
            "RS stability in (ω, β), b = {bits} (α = {}, σ² = {})",
            p.alpha, p.noise
        ),
        x_label: "width ω".into(),
        y_label: "inverse temperature β".into(),
        xs,
        ys,
        cells,
        at_line,
        first_order,
        extra: vec![],
        log_y: true,
        discrete_y: false,
        at_both_axes: true,
        legend: crate::plot::Legend::UpperRight,
    }
    .save(&stem)?;
    Ok(stem)
}

/// The (ω, α) phase diagram for `bits` at the point's β, with the AT line traced in ω.
pub fn phase_diagram_width_alpha(p: &Point, bits: u32, dir: &Path) -> Result<PathBuf> {
    let xs: Vec<f64> = (1..=50).map(|i| 0.08 * i as f64).collect();
    let ys: Vec<f64> = (0..30)
        .map(|i| 10f64.powf(-1.0 + 1.7 * i as f64 / 29.0))
        .collect();
    let make = |w: f64, alpha: f64| uniform_model(&Point { alpha, ..*p }, bits, w, p.beta);
    let Layers {
        cells,
        at_line,
        first_order,
    } = map_layers(&xs, &ys, &make, true, true)?;
    let stem = dir.join(format!("phase_diagram_width_alpha_b{bits}"));
    PhaseMap {
        title: format!(
            "RS stability in (ω, α), b = {bits} (β = {}, σ² = {})",
            p.beta, p.noise
        ),
        x_label: "width ω".into(),
        y_label: "samples per weight α".into(),
        xs,
        ys,
        cells,
        at_line,
        first_order,
        extra: vec![],
        log_y: true,
        discrete_y: false,
        at_both_axes: true,
        legend: crate::plot::Legend::UpperRight,
    }
    .save(&stem)?;
    Ok(stem)
}

/// ε_g against α: the continuous ridgeless student (closed form and RS) and quantized students
/// at their β = ∞ optimal widths, at inverse temperature `beta` (∞: the trained model), for
/// every bit count in `optima`. Written to `double_descent` (β = ∞) or `double_descent_beta{β}`.
pub fn double_descent(
    p: &Point,
    optima: &[OptimalWidth],
    beta: f64,
    dir: &Path,
) -> Result<PathBuf> {
    let opts = SolverOptions::default();
    let alphas: Vec<f64> = (0..120)
        .map(|i| 10f64.powf(-1.0 + 1.7 * i as f64 / 119.0))
        .collect();
    let t = TeacherPrior::gaussian(1.0)?;
    let closed: Vec<(f64, f64)> = alphas
        .iter()
        .map(|&a| (a, crate::double_descent::continuous_gen_error(a, p.noise)))
        .collect();
    let mut series = vec![
        Series::line("continuous ridgeless, closed form (β = ∞)", closed)
            .mark(Mark::Dashed)
            .colour(7),
    ];
    if beta.is_infinite() {
        let rs_cont: Vec<(f64, f64)> = alphas
            .iter()
            .map(|&a| {
                let r = solve(
                    &Model::new(
                        a,
                        p.noise,
                        f64::INFINITY,
                        0.0,
                        Student::Continuous,
                        t.clone(),
                    )
                    .expect("valid"),
                    &opts,
                );
                (a, r.equilibrium.gen_error)
            })
            .step_by(6)
            .collect();
        series.push(Series::points("continuous, RS solver", rs_cont, None).colour(7));
    }
    for (i, o) in optima.iter().enumerate() {
        let pts: Vec<(f64, f64)> = alphas
            .par_iter()
            .map(|&a| {
                let st = Student::Discrete(LevelSet::uniform(o.bits, o.width).expect("valid"));
                let r = solve(
                    &Model::new(a, p.noise, beta, 0.0, st, t.clone()).expect("valid"),
                    &opts,
                );
                (
                    a,
                    if r.converged {
                        r.equilibrium.gen_error
                    } else {
                        f64::NAN
                    },
                )
            })
            .collect();
        let colour = if i >= 7 { i + 1 } else { i };
        series
            .push(Series::line(format!("b = {} (ω = {:.2})", o.bits, o.width), pts).colour(colour));
    }
    let bt = if beta.is_infinite() {
        "∞".to_string()
    } else {
        format!("{beta}")
    };
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
    let stem = if beta.is_infinite() {
        dir.join("double_descent")
    } else {
        dir.join(format!("double_descent_beta{bt}"))
    };
    save(&chart, &stem, (980, 660))?;
    Ok(stem)
}

/// The (α, β) phase diagram of a binary teacher (±1) learned by a 1-bit student with levels ±1,
/// label noise `noise`: spinodals and the first-order (free-entropy) transition of the
/// informed/uninformed branches, the AT line and the negative-entropy region. On the Nishimori
/// line β = 1/σ² it reproduces THEORY.md §3 (spinodals ≈ 0.124 and 0.495, crossing ≈ 0.312 at
/// σ² = 0.01).
pub fn phase_diagram_alpha_beta_binary(
    noise: f64,
    dir: &Path,
) -> Result<(PathBuf, FirstOrderLines)> {
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
    let Layers {
        cells,
        at_line,
        first_order,
    } = map_layers(&xs, &ys, &make, true, true)?;
    let nishimori = vec![(xs[0], 1.0 / noise), (xs[xs.len() - 1], 1.0 / noise)];
    let stem = dir.join("phase_diagram_alpha_beta_binary");
    PhaseMap {
        title: format!(
            "Binary teacher, 1-bit student (±1): first-order transitions (σ² = {noise})"
        ),
        x_label: "samples per weight α".into(),
        y_label: "inverse temperature β".into(),
        xs,
        ys,
        cells,
        at_line,
        first_order: first_order.clone(),
        extra: vec![
            Series::line("Nishimori line β = 1/σ² (Bayes-optimal)", nishimori)
                .mark(Mark::Dashed)
                .colour(7),
        ],
        log_y: true,
        discrete_y: false,
        at_both_axes: true,
        legend: crate::plot::Legend::LowerLeft,
    }
    .save(&stem)?;
    Ok((stem, first_order))
}
