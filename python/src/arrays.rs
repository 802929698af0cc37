//! numpy arrays in and out: float32 or float64, any shape, C or Fortran order.

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// The values of a float32/float64 array of any shape, as f64, in logical (C) order: one copy
/// (a memcpy for a C-contiguous float64 array). `what` names the argument in errors.
pub fn values(x: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<f64>> {
    if let Ok(a) = x.cast::<PyArrayDyn<f64>>() {
        let r = a.try_readonly()?;
        if a.is_c_contiguous() {
            if let Ok(s) = r.as_slice() {
                return Ok(s.to_vec());
            }
        }
        return Ok(r.as_array().iter().copied().collect());
    }
    if let Ok(a) = x.cast::<PyArrayDyn<f32>>() {
        let r = a.try_readonly()?;
        if a.is_c_contiguous() {
            if let Ok(s) = r.as_slice() {
                return Ok(s.iter().map(|&v| f64::from(v)).collect());
            }
        }
        return Ok(r.as_array().iter().map(|&v| f64::from(v)).collect());
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a float32 or float64 numpy array, got {}",
        describe(x)
    )))
}

/// The shape and whether the array is float32 (for results of the input's shape and dtype).
pub fn shape_f32(x: &Bound<'_, PyAny>) -> PyResult<(Vec<usize>, bool)> {
    if let Ok(a) = x.cast::<PyArrayDyn<f64>>() {
        return Ok((a.shape().to_vec(), false));
    }
    if let Ok(a) = x.cast::<PyArrayDyn<f32>>() {
        return Ok((a.shape().to_vec(), true));
    }
    Err(PyTypeError::new_err(format!(
        "expected a float32 or float64 numpy array, got {}",
        describe(x)
    )))
}

fn describe(x: &Bound<'_, PyAny>) -> String {
    match x.getattr("dtype") {
        Ok(d) => format!(
            "dtype {}",
            d.str().map(|s| s.to_string()).unwrap_or_default()
        ),
        Err(_) => x
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default(),
    }
}

/// A 2-D matrix (M × N) of a float32/float64 array as nalgebra's column-major matrix.
pub fn matrix(x: &Bound<'_, PyAny>, what: &str) -> PyResult<nalgebra::DMatrix<f64>> {
    let (shape, _) = shape_f32(x).map_err(|_| {
        PyTypeError::new_err(format!("{what} must be a float32 or float64 numpy array"))
    })?;
    if shape.len() != 2 {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{what} must be 2-D (M samples x N weights), got shape {shape:?}"
        )));
    }
    let (m, n) = (shape[0], shape[1]);
    if let Ok(a) = x.cast::<PyArrayDyn<f64>>() {
        if a.is_fortran_contiguous() && !a.is_c_contiguous() {
            let r = a.try_readonly()?;
            if let Ok(s) = r.as_slice() {
                // Fortran order is nalgebra's column-major layout: one copy.
                return Ok(nalgebra::DMatrix::from_column_slice(m, n, s));
            }
        }
    }
    // Logical (row-major) order in, column-major matrix out.
    let v = values(x, what)?;
    Ok(nalgebra::DMatrix::from_row_slice(m, n, &v))
}
