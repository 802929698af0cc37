//! Phase maps on a two-parameter grid: the phase of the RS equilibrium in every cell, the AT
//! line (λ_AT = 1) bracketed between neighbouring cells and refined by Brent, and the spinodals
//! and first-order transitions found by branch continuation along x in every row
//! ([`super::first_order_lines`]). [`phase_diagram`] builds one from a [`ModelSpec`] and two
//! axes (the computation behind `quantreplica phase-diagram`); drawing is
//! [`crate::report::phase_map`]'s job.

use super::{at_root, first_order_lines, FirstOrderLines, RsPhase};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::parallel::{map, RunOptions};
use crate::rs::{solve, SolverOptions};
use crate::spec::ModelSpec;
use crate::sweep::grid::{Axis, Param};
use serde::Serialize;

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
    pub phase: RsPhase,
    /// ε_g of the equilibrium.
    pub gen_error: f64,
}

/// A model as a function of the two coordinates of a map.
pub type ModelAt<'a> = dyn Fn(f64, f64) -> Result<Model> + Sync + 'a;

/// Evaluates the phase on a grid in parallel (row-major in y, then x; thread-count
/// independent), with a progress bar on a terminal. A cell whose model cannot be built is
/// [`RsPhase::Unresolved`].
pub fn phase_grid(xs: &[f64], ys: &[f64], make: &ModelAt<'_>) -> Result<Vec<PhaseCell>> {
    let opts = SolverOptions::default();
    let pts: Vec<(f64, f64)> = ys
        .iter()
        .flat_map(|&y| xs.iter().map(move |&x| (x, y)))
        .collect();
    let run = RunOptions {
        threads: None,
        progress: true,
    };
    map(&pts, &run, "phase map", |&(x, y)| match make(x, y) {
        Ok(m) => {
            let r = solve(&m, &opts);
            PhaseCell {
                x,
                y,
                at_eigenvalue: r.equilibrium.at_eigenvalue,
                phase: RsPhase::of_model(&m, &r.equilibrium, r.converged),
                gen_error: r.equilibrium.gen_error,
            }
        }
        Err(_) => PhaseCell {
            x,
            y,
            at_eigenvalue: f64::NAN,
            phase: RsPhase::Unresolved,
            gen_error: f64::NAN,
        },
    })
}

/// Every layer of a computed phase map (see [`map_layers`]).
#[derive(Debug, Clone, Serialize)]
pub struct MapLayers {
    /// Cell centres along x.
    pub xs: Vec<f64>,
    /// Cell centres along y.
    pub ys: Vec<f64>,
    /// Phase of every cell, row-major in y.
    pub cells: Vec<PhaseCell>,
    /// Points where λ_AT = 1.
    pub at_line: Vec<(f64, f64)>,
    /// Spinodals and first-order transitions.
    pub first_order: FirstOrderLines,
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
) -> Result<MapLayers> {
    let cells = phase_grid(xs, ys, make)?;
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
    let roots = map(
        &jobs,
        &RunOptions::default(),
        "AT line",
        |&(fixed, a, b, along_x)| {
            if along_x {
                at_root(&|x| make(x, fixed), a, b, 1e-8, &opts)
                    .ok()
                    .map(|x| (x, fixed))
            } else {
                at_root(&|y| make(fixed, y), a, b, 1e-8, &opts)
                    .ok()
                    .map(|y| (fixed, y))
            }
        },
    )?;
    let at_line = roots.into_iter().flatten().collect();
    let first_order = if with_first_order {
        first_order_lines(make, xs, ys, &opts)?
    } else {
        FirstOrderLines::default()
    };
    Ok(MapLayers {
        xs: xs.to_vec(),
        ys: ys.to_vec(),
        cells,
        at_line,
        first_order,
    })
}

/// A phase diagram over two model parameters (see [`phase_diagram`]).
#[derive(Debug, Clone, Serialize)]
pub struct PhaseDiagram {
    /// The x parameter.
    pub x_param: Param,
    /// The y parameter.
    pub y_param: Param,
    /// The layers.
    #[serde(flatten)]
    pub layers: MapLayers,
}

/// The phase diagram of `spec` over `x` (a continuous parameter, at least 2 values) and `y`
/// (any numeric parameter, bits included): the AT line root-found along x in each row and,
/// unless y is bits, along y in each column; the spinodals and first-order transitions if
/// `with_transitions`. The model is validated at the first cell before any work.
pub fn phase_diagram(
    spec: &ModelSpec,
    x: &Axis,
    y: &Axis,
    with_transitions: bool,
) -> Result<PhaseDiagram> {
    if x.param == Param::Bits || x.param == Param::Levels || y.param == Param::Levels {
        return Err(Error::input(format!(
            "phase-diagram: x must be a continuous parameter and neither axis may be levels, got x = {}, y = {}",
            x.param, y.param
        )));
    }
    if x.param == y.param {
        return Err(Error::input(format!(
            "phase-diagram: x and y are both {}",
            x.param
        )));
    }
    let (xs, ys) = (x.numbers(), y.numbers());
    if xs.len() < 2 {
        return Err(Error::input("phase-diagram: x needs at least 2 values"));
    }
    let (px, py) = (x.param, y.param);
    let make = |xv: f64, yv: f64| cell_model(spec, px, py, xv, yv);
    make(xs[0], ys[0])?;
    let layers = map_layers(&xs, &ys, &make, py != Param::Bits, with_transitions)?;
    Ok(PhaseDiagram {
        x_param: px,
        y_param: py,
        layers,
    })
}

/// The model of the map cell `(xv, yv)`.
fn cell_model(spec: &ModelSpec, px: Param, py: Param, xv: f64, yv: f64) -> Result<Model> {
    py.with_number(&px.with_number(spec, xv)?, yv)?.build()
}

/// One cell of [`rsb_map`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RsbCell {
    /// x value.
    pub x: f64,
    /// y value.
    pub y: f64,
    /// How the cell was solved (RS-stable, Newton-followed, full solve).
    pub method: crate::rsb::follow::Method,
    /// Whether the 1RSB state converged.
    pub converged: bool,
    /// `max(|G(s) − s|, |∂φ1/∂x|)` at the 1RSB state.
    pub stationarity: f64,
    /// The 1RSB phase.
    pub rsb_phase: crate::rsb::RsbPhase,
    /// The Parisi parameter `x*`.
    pub parisi_x: f64,
    /// `ε_g` of 1RSB.
    pub gen_error_rsb: f64,
    /// `ε_g` of RS.
    pub gen_error_rs: f64,
    /// Posterior-mean error of 1RSB (`ρ − 2m + q0`).
    pub mse_posterior_mean_rsb: f64,
    /// Posterior-mean error of RS.
    pub mse_posterior_mean_rs: f64,
    /// 1RSB free entropy φ1.
    pub free_entropy_rsb: f64,
    /// RS free entropy φ_RS.
    pub free_entropy_rs: f64,
    /// 1RSB entropy.
    pub entropy_rsb: f64,
    /// The within-state replicon (above 1: 1RSB itself unstable).
    pub replicon_q1: f64,
    /// λ_AT of RS.
    pub at_eigenvalue: f64,
}

/// Refuses, before any work, a grid with a cell where 1RSB cannot be computed
/// ([`crate::rsb::check`]: β = ∞, a continuous student).
pub fn check_rsb_map(spec: &ModelSpec, x: &Axis, y: &Axis) -> Result<()> {
    for yv in y.numbers() {
        for xv in x.numbers() {
            crate::rsb::check(&cell_model(spec, x.param, y.param, xv, yv)?)?;
        }
    }
    Ok(())
}

/// 1RSB on the grid of [`phase_diagram`] (same axes; call that first, it checks them): rows
/// along x by [`crate::rsb::follow::map_rows`], cells row-major in y.
pub fn rsb_map(spec: &ModelSpec, x: &Axis, y: &Axis) -> Result<Vec<RsbCell>> {
    let (xs, ys) = (x.numbers(), y.numbers());
    let (px, py) = (x.param, y.param);
    let make = |xv: f64, yv: f64| cell_model(spec, px, py, xv, yv);
    let points = crate::rsb::follow::map_rows(&xs, &ys, &make, &RunOptions::default())?;
    Ok(points
        .iter()
        .enumerate()
        .map(|(i, p)| RsbCell {
            x: xs[i % xs.len()],
            y: ys[i / xs.len()],
            method: p.method,
            converged: p.converged,
            stationarity: p.stationarity,
            rsb_phase: p.rsb.phase,
            parisi_x: p.rsb.x,
            gen_error_rsb: p.rsb.gen_error,
            gen_error_rs: p.rs.gen_error,
            mse_posterior_mean_rsb: p.rsb.mse_posterior_mean,
            mse_posterior_mean_rs: p.rs.mse_posterior_mean,
            free_entropy_rsb: p.rsb.free_entropy,
            free_entropy_rs: p.rs.free_entropy.unwrap_or(f64::NAN),
            entropy_rsb: p.rsb.entropy,
            replicon_q1: p.rsb.replicon_q1,
            at_eigenvalue: p.rs.at_eigenvalue,
        })
        .collect())
}

/// What `phase-diagram` computes (the command line and the Python binding both call this):
/// [`phase_diagram`] and, with `rsb`, [`rsb_map`] on the same grid, every cell checked for
/// 1RSB ([`check_rsb_map`]: a finite β, a discrete student) before any work.
pub fn phase_diagram_with_rsb(
    spec: &ModelSpec,
    x: &Axis,
    y: &Axis,
    with_transitions: bool,
    rsb: bool,
) -> Result<(PhaseDiagram, Option<Vec<RsbCell>>)> {
    if rsb {
        check_rsb_map(spec, x, y)?;
    }
    let d = phase_diagram(spec, x, y, with_transitions)?;
    let cells = match rsb {
        true => Some(rsb_map(spec, x, y)?),
        false => None,
    };
    Ok((d, cells))
}

/// The JSON of `phase-diagram --json`: the axes' parameters, the cells, the AT line, the
/// spinodals and first-order transitions, and with `--rsb` the 1RSB cells (`rsb`, absent
/// otherwise).
#[derive(Debug, Serialize)]
pub struct PhaseDiagramJson<'a> {
    /// The x parameter's name.
    pub x_param: &'a str,
    /// The y parameter's name.
    pub y_param: &'a str,
    /// Every cell, row-major in y.
    pub cells: &'a [PhaseCell],
    /// Points `(x, y)` where λ_AT = 1.
    pub at_line: &'a [(f64, f64)],
    /// Spinodals `(x, y)`.
    pub spinodals: &'a [(f64, f64)],
    /// First-order transitions `(x, y)`.
    pub equilibrium_transitions: &'a [(f64, f64)],
    /// The 1RSB cells ([`rsb_map`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rsb: Option<&'a [RsbCell]>,
}

impl<'a> PhaseDiagramJson<'a> {
    /// The JSON view of a phase diagram and its 1RSB cells.
    pub fn new(d: &'a PhaseDiagram, rsb: Option<&'a [RsbCell]>) -> Self {
        let l = &d.layers;
        PhaseDiagramJson {
            x_param: d.x_param.name(),
            y_param: d.y_param.name(),
            cells: &l.cells,
            at_line: &l.at_line,
            spinodals: &l.first_order.spinodals,
            equilibrium_transitions: &l.first_order.equilibrium_transitions,
            rsb,
        }
    }
}
