//! Adaptive stochastic quantization on numpy arrays: `asq --json`'s report, and unbiased
//! stochastic rounding onto a level set.

use crate::arrays::{shape_f32, values};
use crate::watch::{to_py, watched_job};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use quantreplica::asq as lib;
use quantreplica::job::{self, Front};
use std::time::Instant;

/// `s` levels for the values of `x` (any shape, float32/float64) chosen by ASQ, with the
/// objective, vNMSE and timings of `asq --json`.
#[pyfunction]
#[pyo3(signature = (x, s, method="exact", weights=None, objective="variance", bins=1000, progress=None, force=false))]
#[allow(clippy::too_many_arguments)]
pub fn asq<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    s: usize,
    method: &str,
    weights: Option<&Bound<'py, PyAny>>,
    objective: &str,
    bins: usize,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let req = lib::report::Request::parse(s, method, objective, bins).map_err(to_py)?;
    // The size before the copy.
    let (shape, _) = shape_f32(x)?;
    job::asq(Front::Python, shape.iter().product())
        .check(force)
        .map_err(to_py)?;
    // Unweighted exact methods sort with numpy (`numpy_sorted`); everything else copies the
    // values once (the exact methods then sort the copy).
    let presorted = req.method != lib::report::Method::Approx && weights.is_none();
    let (xs, sorted_in) = if presorted {
        let (xs, secs) = numpy_sorted(py, x)?;
        (xs, Some(secs))
    } else {
        (values(x, "x")?, None)
    };
    let w = weights.map(|w| values(w, "weights")).transpose()?;
    let report = watched_job(py, progress, move || {
        let steps = quantreplica::parallel::Steps::new(4, "asq");
        lib::report::run(
            lib::report::Values {
                x: xs,
                w,
                sorted_in,
            },
            &req,
            &steps,
        )
    })?;
    Ok(pythonize::pythonize(py, &report)?)
}

/// The values of `x`, checked (the error names the first bad value in `x`'s own order, as
/// the command line's) and sorted in the order of [`f64::total_cmp`], the same values bit for
/// bit as [`lib::sort_values`]; and the seconds spent sorting.
///
/// The sort is numpy's, in `x`'s dtype before the widening copy: on this project's AVX-512
/// machine numpy sorts 2^20 float64 values in 5.5 ms (x86-simd-sort), level with the
/// library's own AVX-512 sort, and float32 values (4-byte keys) in 3 ms, twice as fast as the
/// library, which sorts 8-byte keys (docs/asq.md, "The sort"). numpy orders −0 and +0 as equal, in
/// no fixed order; they are put in `total_cmp` order here (−0 first), the only values whose
/// bits differ among equals once non-finite values are refused.
fn numpy_sorted(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<(Vec<f64>, f64)> {
    let t = Instant::now();
    // `numpy.sort(x, axis=None)`: a sorted flat copy in x's dtype (x itself is not modified).
    let sorted = py.import("numpy")?.getattr("sort")?.call1((x, py.None()))?;
    let secs = t.elapsed().as_secs_f64();
    let mut xs = values(&sorted, "x")?;
    if let Err(e) = lib::check_values("input", &xs) {
        // Name the bad value by its place in `x`, not in the sorted copy.
        return Err(to_py(
            lib::check_values("input", &values(x, "x")?)
                .err()
                .unwrap_or(e),
        ));
    }
    let t = Instant::now();
    let lo = xs.partition_point(|&v| v < 0.0);
    let zeros = &mut xs[lo..];
    let n = zeros.partition_point(|&v| v == 0.0);
    let zeros = &mut zeros[..n];
    let negative = zeros.iter().filter(|v| v.is_sign_negative()).count();
    for (i, z) in zeros.iter_mut().enumerate() {
        *z = if i < negative { -0.0 } else { 0.0 };
    }
    Ok((xs, secs + t.elapsed().as_secs_f64()))
}

/// Unbiased stochastic rounding of every value of `x` onto `levels` (sorted, distinct), with
/// the random stream `seed`: the result has `x`'s shape and dtype.
#[pyfunction]
#[pyo3(signature = (x, levels, seed=0, force=false))]
pub fn stochastic_round<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    levels: Vec<f64>,
    seed: u64,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (shape, f32_in) = shape_f32(x)?;
    job::stochastic_round(Front::Python, shape.iter().product())
        .check(force)
        .map_err(to_py)?;
    let xs = values(x, "x")?;
    let out = watched_job(py, None, move || {
        let mut rng = quantreplica::instance::rng_for(seed, 0);
        lib::round_vec(&xs, &levels, &mut rng)
    })?;
    let a = PyArray1::from_vec(py, out).reshape(shape)?;
    if f32_in {
        Ok(a.call_method1("astype", ("float32",))?)
    } else {
        Ok(a.into_any())
    }
}
