//! Python bindings of quantreplica: a thin layer over the library API (PyO3 + numpy).
//!
//! Bad input raises `ValueError` with the same one-line message as the command line.

use numpy::PyReadonlyArrayDyn;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// Maps a library error onto the Python exception users expect.
fn to_py(e: quantreplica::Error) -> PyErr {
    match e {
        quantreplica::Error::Input(msg) => PyValueError::new_err(msg),
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

/// ASQ levels (exact) of the values of any float64 array, as a list.
#[pyfunction]
fn asq_levels(py: Python<'_>, x: PyReadonlyArrayDyn<'_, f64>, s: usize) -> PyResult<Vec<f64>> {
    let values: Vec<f64> = x.as_array().iter().copied().collect();
    py.detach(|| quantreplica::asq::levels_from_samples(&values, s))
        .map_err(to_py)
}

/// The compiled core of the `quantreplica` package.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(asq_levels, m)?)?;
    Ok(())
}
