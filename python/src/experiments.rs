//! Bindings of the experiments built on the RS solver: optimal widths, transitions along one
//! parameter, phase diagrams, double-descent learning curves. Each returns the serde form of
//! the library's records (the keys of the command's `--json`).

use crate::model::PyModel;
use crate::watch::{to_py, watched_job};
use pyo3::prelude::*;
use quantreplica::error::Result;
use quantreplica::model::{LevelKind, Model};
use quantreplica::optimize::{self, Objective};
use quantreplica::parallel::{try_map, RunOptions};
use quantreplica::rs::SolverOptions;
use quantreplica::sweep::{Axis, Param};
use quantreplica::Error;
use serde::Serialize;

fn objective(s: &str) -> Result<Objective> {
    match s {
        "gen" | "gen_error" => Ok(Objective::GenError),
        "mean" | "mse_posterior_mean" => Ok(Objective::MsePosteriorMean),
        _ => Err(Error::input(format!(
            "unknown objective '{s}' (expected gen or mean)"
        ))),
    }
}

/// `optimal-width --json` for each bit count: ω* by Brent after a bracketing scan.
#[pyfunction]
#[pyo3(signature = (model, bits, objective="gen", progress=None))]
pub fn optimal_width<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    bits: Vec<u32>,
    objective: &str,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = &model.get().spec;
    let obj = self::objective(objective).map_err(to_py)?;
    let kind: LevelKind = spec.levels.parse().map_err(to_py)?;
    if let Some(&b) = bits.first() {
        spec.build_with(&kind, b, 1.0).map_err(to_py)?;
    }
    let rows = watched_job(py, progress, || {
        let opts = RunOptions::default();
        try_map(&bits, &opts, "optimal-width", |&b| {
            let make = |w: f64| spec.build_with(&kind, b, w);
            optimize::optimal_width(&make, &kind, b, obj, &SolverOptions::default())
        })
    })?;
    Ok(pythonize::pythonize(py, &rows)?)
}

/// The axis of a one-parameter scan (`PARAM=START:STOP:COUNT` or `PARAM=v1,v2,...`), sorted,
/// refusing discrete parameters with the command line's messages.
fn continuous_axis(over: &str, what: &str) -> Result<(Param, Vec<f64>)> {
    let axis = Axis::parse(over, false)?;
    let mut ps = axis.numbers();
    if ps.len() < 2 {
        return Err(Error::input(format!(
            "--over {over}: {what} need at least 2 values"
        )));
    }
    ps.sort_by(f64::total_cmp);
    if matches!(axis.param, Param::Bits | Param::Levels) {
        return Err(Error::input(format!(
            "{what} need a continuous parameter, not {}",
            axis.param
        )));
    }
    Ok((axis.param, ps))
}

/// `transitions --json`: every RS branch along one parameter, spinodals, first-order
/// transitions, and the same by pseudo-arclength continuation.
#[pyfunction]
#[pyo3(signature = (model, over, progress=None))]
pub fn transitions<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    over: &str,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = &model.get().spec;
    let (p, ps) = continuous_axis(over, "transitions").map_err(to_py)?;
    let make = |v: f64| -> Result<Model> { p.with_number(spec, v)?.build() };
    make(ps[0]).map_err(to_py)?;
    let t = watched_job(py, progress, || {
        quantreplica::phase::transitions(&make, p.name(), &ps, &SolverOptions::default())
    })?;
    Ok(pythonize::pythonize(py, &t)?)
}

/// The JSON of `phase-diagram --json`.
#[derive(Serialize)]
struct PhaseDiagram<'a> {
    x_param: &'a str,
    y_param: &'a str,
    cells: &'a [quantreplica::figures::PhaseCell],
    at_line: &'a [(f64, f64)],
    spinodals: &'a [(f64, f64)],
    equilibrium_transitions: &'a [(f64, f64)],
}

/// `phase-diagram --json` (no files written): the phase of every cell, the AT line and, with
/// `with_transitions`, spinodals and first-order transitions along x.
#[pyfunction]
#[pyo3(signature = (model, x, y, log_y=false, with_transitions=true, progress=None))]
pub fn phase_diagram<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    x: &str,
    y: &str,
    log_y: bool,
    with_transitions: bool,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = &model.get().spec;
    let ax = Axis::parse(x, false).map_err(to_py)?;
    let ay = Axis::parse(y, log_y).map_err(to_py)?;
    if ax.param == Param::Bits || ax.param == Param::Levels || ay.param == Param::Levels {
        return Err(to_py(Error::input(
            "phase-diagram: x must be a continuous parameter and neither axis may be levels",
        )));
    }
    if ax.param == ay.param {
        return Err(to_py(Error::input(format!(
            "phase-diagram: x and y are both {}",
            ax.param
        ))));
    }
    let (xs, ys) = (ax.numbers(), ay.numbers());
    if xs.len() < 2 {
        return Err(to_py(Error::input(
            "phase-diagram: x needs at least 2 values",
        )));
    }
    let make = |xv: f64, yv: f64| -> Result<Model> {
        ay.param
            .with_number(&ax.param.with_number(spec, xv)?, yv)?
            .build()
    };
    make(xs[0], ys[0]).map_err(to_py)?;
    let layers = watched_job(py, progress, || {
        quantreplica::figures::map_layers(
            &xs,
            &ys,
            &make,
            ay.param != Param::Bits,
            with_transitions,
        )
    })?;
    let out = PhaseDiagram {
        x_param: ax.param.name(),
        y_param: ay.param.name(),
        cells: &layers.cells,
        at_line: &layers.at_line,
        spinodals: &layers.first_order.spinodals,
        equilibrium_transitions: &layers.first_order.equilibrium_transitions,
    };
    Ok(pythonize::pythonize(py, &out)?)
}

/// Double-descent learning curves of uniform quantizers (the headline's
/// `double_descent.json`): for each bit count, ω* at β = ∞ and the widths ω*/2, ω*, 2ω*, ε_g and
/// ε_t along `alphas` at `beta`, with the interpolation peak and threshold.
#[pyfunction]
#[pyo3(signature = (model, bits, alphas, beta, progress=None))]
pub fn double_descent<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    bits: Vec<u32>,
    alphas: Vec<f64>,
    beta: f64,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let m = &model.get().model;
    if alphas.is_empty() {
        return Err(to_py(Error::input(
            "double descent needs at least one alpha",
        )));
    }
    if let Some(a) = alphas.iter().find(|a| !(a.is_finite() && **a > 0.0)) {
        return Err(to_py(Error::input(format!(
            "--alpha must be positive, got {a}"
        ))));
    }
    if beta.is_nan() || beta <= 0.0 {
        return Err(to_py(Error::input(format!(
            "--beta must be positive (or inf), got {beta}"
        ))));
    }
    let point = quantreplica::figures::Point {
        alpha: m.alpha,
        noise: m.noise,
        beta,
    };
    let curves = watched_job(py, progress, || {
        let optima = quantreplica::figures::optimal_widths(&point, &bits)?;
        let widths: Vec<(u32, f64)> = optima.iter().map(|o| (o.bits, o.width)).collect();
        quantreplica::double_descent::curves(&point, &widths, beta, &alphas)
    })?;
    Ok(pythonize::pythonize(py, &curves)?)
}

/// The default α grid of the double-descent curves (log-spaced from 0.1 to about 5).
#[pyfunction]
pub fn alpha_grid(n: usize) -> Vec<f64> {
    quantreplica::double_descent::alpha_grid(n)
}
