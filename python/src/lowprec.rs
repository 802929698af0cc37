//! Bindings of the low-precision SGD experiments: `sgd`, `scaling-law` and `shrinkage`. The
//! Python layer (`quantreplica/_lowprec.py`) turns keyword arguments into the library's settings
//! structs (the flags' names, defaults and checks); these functions read them by serde and
//! return the serde form of the library's reports (the keys of the command's `--json`).

use crate::watch::{to_py, watched_job};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use quantreplica::budget::{self, Front};
use quantreplica::experiments as exp;
use quantreplica::experiments::scaling_law::ScalingLawSpec;
use quantreplica::experiments::sgd::{QuantizeSpec, SgdSpec};
use quantreplica::experiments::shrinkage::ShrinkageSpec;
use quantreplica::job;
use serde::de::DeserializeOwned;

/// Settings from a dict of the struct's fields (missing ones take the command line's
/// defaults): a value of the wrong type is a `TypeError`, an unknown field a `ValueError`.
fn settings<T: DeserializeOwned>(d: &Bound<'_, PyAny>) -> PyResult<T> {
    pythonize::depythonize::<T>(d).map_err(|e| {
        let text = e.to_string();
        if text.contains("unknown field") {
            PyValueError::new_err(text)
        } else {
            PyTypeError::new_err(text)
        }
    })
}

/// `sgd --json`: low-precision SGD on the power-law regression problem (Monte Carlo, the
/// exact expected risk where the recursion applies, the Zou et al. bound).
#[pyfunction]
#[pyo3(signature = (problem, quantize, progress=None, force=false))]
pub fn sgd<'py>(
    py: Python<'py>,
    problem: &Bound<'py, PyAny>,
    quantize: &Bound<'py, PyAny>,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let spec: SgdSpec = settings(problem)?;
    let q: QuantizeSpec = settings(quantize)?;
    job::sgd(Front::Python, &spec, &q, budget::cores())
        .check(force)
        .map_err(to_py)?;
    let r = watched_job(py, progress, || exp::sgd::run(&spec, &q))?;
    Ok(pythonize::pythonize(py, &r)?)
}

/// `scaling-law --json`: the precision scaling law of sketched regression (seed 001).
#[pyfunction]
#[pyo3(signature = (spec, progress=None, force=false))]
pub fn scaling_law<'py>(
    py: Python<'py>,
    spec: &Bound<'py, PyAny>,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let s: ScalingLawSpec = settings(spec)?;
    job::scaling_law(Front::Python, &s, budget::cores())
        .check(force)
        .map_err(to_py)?;
    let r = watched_job(py, progress, || exp::scaling_law::run(&s))?;
    Ok(pythonize::pythonize(py, &r)?)
}

/// `shrinkage --json`: SGD under gradient shrinkage (seed 003) on the problem of `problem`.
#[pyfunction]
#[pyo3(signature = (problem, spec, progress=None, force=false))]
pub fn shrinkage<'py>(
    py: Python<'py>,
    problem: &Bound<'py, PyAny>,
    spec: &Bound<'py, PyAny>,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let p: SgdSpec = settings(problem)?;
    let s: ShrinkageSpec = settings(spec)?;
    job::shrinkage(Front::Python, &p, &s, budget::cores())
        .check(force)
        .map_err(to_py)?;
    let r = watched_job(py, progress, || exp::shrinkage::run(&p, &s))?;
    Ok(pythonize::pythonize(py, &r)?)
}
