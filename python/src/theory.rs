//! Bindings of the theory: one RS point, 1RSB, sweeps (columns built in Rust), the dynamics of
//! online STE training. Each returns the serde form of the library's record as Python data;
//! the Python layer wraps it in a frozen result class.

use crate::columns::{Cell, Table};
use crate::model::PyModel;
use crate::watch::{quick, to_py, watched_job};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use quantreplica::budget::{self, Front};
use quantreplica::continuation::branches::{fixed_points, BranchOptions, RsJson};
use quantreplica::job;
use quantreplica::rsb::follow::PathPoint;
use quantreplica::rsb::{self as rsb_lib, RsbJson, RsbOptions};
use quantreplica::sweep::{
    self as sweep_lib, AxisValue, Grid, RsRecord, RunOptions, Shard, SweepRow,
};
use quantreplica::Error;
use std::path::PathBuf;

/// The levels of a model's student (None when continuous).
fn levels(m: &quantreplica::model::Model) -> Option<&[f64]> {
    m.student.levels().map(|l| l.values())
}

/// `rs --json` at one model: the equilibrium's keys, `converged`, `solutions`, `levels`,
/// `fixed_points`, `continuation_failures`. Without `continuation`, only the standard starts
/// are solved (`rs::solve`, as a sweep does) and the last two keys are absent.
#[pyfunction]
#[pyo3(signature = (model, continuation=true))]
pub fn rs<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    continuation: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let m = &model.get().model;
    if !continuation {
        let report = quick(py, || {
            Ok(quantreplica::rs::solve(
                m,
                &quantreplica::rs::SolverOptions::default(),
            ))
        })?;
        let j = RsJson::new(&report, levels(m), &[], &[]);
        let d = pythonize::pythonize(py, &j)?;
        d.del_item("fixed_points")?;
        d.del_item("continuation_failures")?;
        return Ok(d);
    }
    let all = quick(py, || Ok(fixed_points(m, &BranchOptions::default())))?;
    let j = RsJson::new(&all.report, levels(m), &all.fixed_points, &all.failures);
    Ok(pythonize::pythonize(py, &j)?)
}

/// In-process time of [`rs`]'s library call and record (seconds per call, mean over
/// `repeats`), for the benchmark of the Python call overhead.
#[pyfunction]
#[pyo3(signature = (model, repeats, continuation=true))]
pub fn _time_rs(
    py: Python<'_>,
    model: &Bound<'_, PyModel>,
    repeats: usize,
    continuation: bool,
) -> PyResult<f64> {
    let m = &model.get().model;
    quick(py, || {
        let t = std::time::Instant::now();
        for _ in 0..repeats.max(1) {
            if continuation {
                let all = fixed_points(std::hint::black_box(m), &BranchOptions::default());
                let j = RsJson::new(&all.report, levels(m), &all.fixed_points, &all.failures);
                std::hint::black_box(&j);
            } else {
                let r = quantreplica::rs::solve(
                    std::hint::black_box(m),
                    &quantreplica::rs::SolverOptions::default(),
                );
                std::hint::black_box(RsJson::new(&r, levels(m), &[], &[]));
            }
        }
        Ok(t.elapsed().as_secs_f64() / repeats.max(1) as f64)
    })
}

/// `rsb --json` at one model (finite β), `x` fixed when given.
#[pyfunction]
#[pyo3(signature = (model, x=None, progress=None))]
pub fn rsb<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    x: Option<f64>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let m = &model.get().model;
    let opts = RsbOptions::default();
    let report = watched_job(py, progress, || match x {
        Some(x) => rsb_lib::solve_fixed_x(m, x, &opts),
        None => rsb_lib::solve(m, &opts),
    })?;
    Ok(pythonize::pythonize(py, &RsbJson::new(&report, levels(m)))?)
}

fn param_cells<T>(row: &SweepRow<T>) -> Vec<(String, Cell)> {
    let mut cells = vec![("index".to_string(), Cell::Int(row.point.index as i64))];
    for (p, v) in &row.point.values {
        let c = match v {
            AxisValue::Num(x) => Cell::Num(*x),
            AxisValue::Int(b) => Cell::Int(i64::from(*b)),
            AxisValue::Text(t) => Cell::Text(t.clone()),
        };
        cells.push((p.column().to_string(), c));
    }
    cells
}

/// The columns of `sweep --csv`: the equilibrium's keys by serde, then `converged`,
/// `n_solutions` and `levels` taken directly (serializing every fixed point only to count them
/// would double the cost of a cheap sweep; the tests compare the key set with the CLI's).
fn table(rows: &[SweepRow<RsRecord>]) -> quantreplica::Result<Table> {
    Table::from_records(
        rows,
        param_cells,
        |r| &r.result.equilibrium,
        |r, cells| {
            let rec = &r.result;
            cells.push(("converged".into(), Cell::Bool(rec.converged)));
            cells.push(("n_solutions".into(), Cell::Int(rec.solutions.len() as i64)));
            cells.push((
                "levels".into(),
                rec.levels
                    .as_ref()
                    .map_or(Cell::Null, |l| Cell::List(l.clone())),
            ));
        },
    )
}

/// The columns of `sweep --rsb --csv`: the serde form of the library's 1RSB row (`rsb.*`,
/// `converged`, `stationarity`, `rs.*`, `method`), as the command line flattens it.
fn rsb_table(rows: &[SweepRow<PathPoint>]) -> quantreplica::Result<Table> {
    Table::from_records(rows, param_cells, |r| &r.result, |_, _| {})
}

/// The sweep of `quantreplica sweep [--rsb]` (axes in the command line's `PARAM=...` syntax) as
/// a dict of numpy columns: `index`, the swept parameters, then the CSV columns of the rows
/// (with `rsb`, those of `sweep --rsb`: [`sweep_lib::rsb::run`]).
#[pyfunction]
#[pyo3(signature = (model, over, log=Vec::new(), threads=None, checkpoint=None, shard=None, progress=None, force=false, rsb=false))]
#[allow(clippy::too_many_arguments)]
pub fn sweep<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    over: Vec<String>,
    log: Vec<String>,
    threads: Option<usize>,
    checkpoint: Option<PathBuf>,
    shard: Option<String>,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
    rsb: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let spec = &model.get().spec;
    // Sized from the specs before the axes are built: a refusal costs nothing.
    let points = Grid::count(&over, &log).map_err(to_py)?;
    let shard = shard
        .as_deref()
        .map(str::parse::<Shard>)
        .transpose()
        .map_err(to_py)?;
    sweep_lib::check_options(rsb, checkpoint.is_some(), shard.is_some()).map_err(to_py)?;
    let threads = budget::threads(threads).map_err(to_py)?;
    job::sweep(
        Front::Python,
        &over,
        points,
        rsb,
        budget::effective_threads(threads),
    )
    .check(force)
    .map_err(to_py)?;
    let grid = Grid::parse(&over, &log).map_err(to_py)?;
    let opts = RunOptions {
        threads,
        progress: false,
    };
    let t = watched_job(py, progress, || {
        if rsb {
            return rsb_table(&sweep_lib::rsb::run(&grid, spec, &opts)?);
        }
        let rows = sweep_lib::run_records(&grid, spec, &opts, checkpoint.map(|p| (p, shard)))?;
        table(&rows)
    })?;
    t.into_dict(py)
}

/// Merges the shard files of one sweep (as `quantreplica merge`) into numpy columns.
#[pyfunction]
pub fn merge<'py>(py: Python<'py>, files: Vec<PathBuf>) -> PyResult<Bound<'py, PyDict>> {
    if files.is_empty() {
        return Err(to_py(Error::input("merge needs at least one shard file")));
    }
    let t = quick(py, || {
        let (_, _, rows) = sweep_lib::merge::<RsRecord>(&files)?;
        table(&rows)
    })?;
    t.into_dict(py)
}

/// `ste-dynamics --json`: the N → ∞ theory of online STE training at `times` and, with `n`, the
/// simulation at the same times.
#[pyfunction]
#[pyo3(signature = (model, times, lr=0.5, clip=false, init_var=1.0, weight_decay=0.0, n=None, seeds=10, seed=1, refine=1.0, progress=None, force=false))]
#[allow(clippy::too_many_arguments)]
pub fn ste_dynamics<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    times: Vec<f64>,
    lr: f64,
    clip: bool,
    init_var: f64,
    weight_decay: f64,
    n: Option<usize>,
    seeds: usize,
    seed: u64,
    refine: f64,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<Bound<'py, PyAny>> {
    use quantreplica::ste::{self, FpOptions, SimOptions, SteOptions};
    let m = &model.get().model;
    if let Some(n) = n {
        let t_max = times.iter().copied().fold(0.0, f64::max);
        job::ste_simulation(Front::Python, n, seeds, None, t_max, budget::cores())
            .check(force)
            .map_err(to_py)?;
    }
    let rep = watched_job(py, progress, || {
        ste::check_times(&times)?;
        quantreplica::error::positive("--refine", refine)?;
        let opts = SteOptions {
            lr,
            clip,
            init_var,
            weight_decay,
        };
        let dynamics = ste::Dynamics::from_model(m, opts)?;
        let sim = n.map(|n| SimOptions { n, seeds, seed });
        let fp = FpOptions::default().refined(refine);
        ste::report(&dynamics, &times, &fp, sim.as_ref())
    })?;
    Ok(pythonize::pythonize(py, &rep)?)
}

/// `count` evenly spaced times from `t0` to `t1`, checked as `--time T0:T1:COUNT` is.
#[pyfunction]
pub fn time_grid(t0: f64, t1: f64, count: usize) -> PyResult<Vec<f64>> {
    quantreplica::ste::time_grid(t0, t1, count).map_err(to_py)
}
