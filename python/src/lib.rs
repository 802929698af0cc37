//! Python bindings of quantreplica: a thin layer over the library API (PyO3 + numpy), compiled
//! as `quantreplica._core`. The Python package (`python/quantreplica/`) wraps these functions
//! in the documented, typed API; nothing here is called by users directly.
//!
//! Bad input raises `ValueError` with the same one-line message as the command line; long
//! calls release the GIL and can be interrupted with Ctrl-C ([`watch`]).

mod arrays;
mod asq;
mod columns;
mod experiments;
mod lowprec;
mod model;
mod sim;
mod theory;
mod watch;

use pyo3::prelude::*;

/// Every allocation of the extension's Rust code (not Python's): glibc's allocator, in a
/// long-running Python process whose heap has seen many calls, spent 40 % of a cheap β = ∞
/// sweep in `_int_malloc`/`malloc_consolidate` (docs/python.md, Benchmarks); mimalloc keeps the
/// solver's scratch allocations as cheap as in a fresh command-line process.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The compiled core of the `quantreplica` package.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<model::PyModel>()?;
    m.add_function(wrap_pyfunction!(theory::rs, m)?)?;
    m.add_function(wrap_pyfunction!(theory::_time_rs, m)?)?;
    m.add_function(wrap_pyfunction!(theory::rsb, m)?)?;
    m.add_function(wrap_pyfunction!(theory::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(theory::merge, m)?)?;
    m.add_function(wrap_pyfunction!(theory::ste_dynamics, m)?)?;
    m.add_function(wrap_pyfunction!(theory::time_grid, m)?)?;
    m.add_function(wrap_pyfunction!(asq::asq, m)?)?;
    m.add_function(wrap_pyfunction!(asq::stochastic_round, m)?)?;
    m.add_function(wrap_pyfunction!(sim::amp, m)?)?;
    m.add_function(wrap_pyfunction!(sim::gibbs, m)?)?;
    m.add_function(wrap_pyfunction!(sim::qat, m)?)?;
    m.add_function(wrap_pyfunction!(experiments::optimal_width, m)?)?;
    m.add_function(wrap_pyfunction!(experiments::transitions, m)?)?;
    m.add_function(wrap_pyfunction!(experiments::phase_diagram, m)?)?;
    m.add_function(wrap_pyfunction!(experiments::double_descent, m)?)?;
    m.add_function(wrap_pyfunction!(experiments::alpha_grid, m)?)?;
    m.add_function(wrap_pyfunction!(lowprec::sgd, m)?)?;
    m.add_function(wrap_pyfunction!(lowprec::scaling_law, m)?)?;
    m.add_function(wrap_pyfunction!(lowprec::shrinkage, m)?)?;
    Ok(())
}
