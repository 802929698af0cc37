//! Bindings of the experiments built on the RS solver: optimal widths, transitions along one
//! parameter, phase diagrams, double-descent learning curves. Each returns the serde form of
//! the library's records (the keys of the command's `--json`).

use crate::model::PyModel;
use crate::watch::{to_py, watched_job};
use pyo3::prelude::*;
use quantreplica::budget::{self, Front};
use quantreplica::experiments::widths::{self, Objective};
use quantreplica::experiments::{double_descent as dd, headline, OperatingPoint};
use quantreplica::job;
use quantreplica::parallel::RunOptions;
use quantreplica::phase::map;
use quantreplica::sweep::Axis;
use quantreplica::Error;

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
    let obj: Objective = objective.parse().map_err(to_py)?;
    if bits.is_empty() {
        return Ok(pythonize::pythonize(py, &Vec::<()>::new())?);
    }
    let rows = watched_job(py, progress, || {
        widths::optimal_widths(spec, &bits, obj, &RunOptions::default())
    })?;
    Ok(pythonize::pythonize(py, &rows)?)
}

/// `transitions --json`: every RS branch along one parameter, spinodals, first-order
/// transitions, and the same by pseudo-arclength continuation.
#[pyfunction]
#[pyo3(signature = (model, over, progress=None, force=false))]
pub fn transitions<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    over: &str,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = &model.get().spec;
    // Sized from the spec before its values are built: a refusal costs nothing.
    let n = Axis::count(over, false).map_err(to_py)?;
    if n < 2 {
        return Err(to_py(Error::input(format!(
            "--over {over}: transitions need at least 2 values"
        ))));
    }
    job::transitions(Front::Python, over, n)
        .check(force)
        .map_err(to_py)?;
    let axis = Axis::parse(over, false).map_err(to_py)?;
    let ps = axis.numbers();
    let t = watched_job(py, progress, || {
        quantreplica::phase::transitions_along(spec, axis.param, &ps)
    })?;
    Ok(pythonize::pythonize(py, &t)?)
}

/// `phase-diagram --json [--rsb]` (no files written): the phase of every cell, the AT line,
/// with `with_transitions` spinodals and first-order transitions along x, and with `rsb` the
/// 1RSB cells (key `rsb`), by the command line's library call
/// ([`quantreplica::phase::map::phase_diagram_with_rsb`]).
#[pyfunction]
#[pyo3(signature = (model, x, y, log_y=false, with_transitions=true, progress=None, force=false, rsb=false))]
#[allow(clippy::too_many_arguments)]
pub fn phase_diagram<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    x: &str,
    y: &str,
    log_y: bool,
    with_transitions: bool,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
    rsb: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = &model.get().spec;
    let ax = Axis::parse_as(x, false, "--x-axis").map_err(to_py)?;
    let ay = Axis::parse_as(y, log_y, "--y-axis").map_err(to_py)?;
    job::phase_diagram(
        Front::Python,
        (x, ax.len()),
        (y, ay.len()),
        rsb,
        budget::cores(),
    )
    .check(force)
    .map_err(to_py)?;
    let (d, cells) = watched_job(py, progress, || {
        map::phase_diagram_with_rsb(spec, &ax, &ay, with_transitions, rsb)
    })?;
    let out = map::PhaseDiagramJson::new(&d, cells.as_deref());
    Ok(pythonize::pythonize(py, &out)?)
}

/// Double-descent learning curves of uniform quantizers (the headline's
/// `double_descent.json`): for each bit count, ω* at β = ∞ and the widths ω*/2, ω*, 2ω*, ε_g and
/// ε_t along `alphas` at `beta`, with the interpolation peak and threshold.
#[pyfunction]
#[pyo3(signature = (model, bits, alphas, beta, progress=None, force=false))]
pub fn double_descent<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    bits: Vec<u32>,
    alphas: Vec<f64>,
    beta: f64,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
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
    job::double_descent(Front::Python, bits.len(), alphas.len(), budget::cores())
        .check(force)
        .map_err(to_py)?;
    let point = OperatingPoint {
        alpha: m.alpha,
        noise: m.noise,
        beta,
    };
    let curves = watched_job(py, progress, || {
        let optima = headline::optimal_widths(&point, &bits)?;
        let widths: Vec<(u32, f64)> = optima.iter().map(|o| (o.bits, o.width)).collect();
        dd::curves(&point, &widths, beta, &alphas)
    })?;
    Ok(pythonize::pythonize(py, &curves)?)
}

/// The default α grid of the double-descent curves (log-spaced from 0.1 to about 5).
#[pyfunction]
pub fn alpha_grid(n: usize) -> Vec<f64> {
    dd::alpha_grid(n)
}
