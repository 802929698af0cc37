//! Parameter sweeps: grids over the model parameters, evaluated in parallel, checkpointed,
//! shardable over cluster job arrays and merged back, with output identical (byte for byte) to
//! one uninterrupted single-machine run whatever the thread count.
//!
//! * [`Grid`]: the Cartesian product of [`Axis`] values (`--over PARAM=START:STOP:COUNT` or
//!   `--over PARAM=v1,v2,...`), the first axis outermost: point
//!   `index = Σ_k i_k · Π_{j>k} n_j`.
//! * [`run_with`]: evaluates any closure at every point in parallel (rayon), results in grid
//!   order; [`run`] does it for the RS solver (`Row<RsReport>`).
//! * [`run_checkpointed`]: the same with a checkpoint/shard file ([`Store`]); results must be
//!   `Serialize + DeserializeOwned`. [`run_records`] is the RS sweep behind the command line
//!   (rows of [`RsRecord`], the keys of `rs --json`).
//! * [`merge`]: reads the shard files of one sweep and checks they cover it exactly once.
//!
//! ```
//! use quantreplica::cli::model_args::ModelArgs;
//! use quantreplica::sweep::{self, Grid, Param, RunOptions};
//! use clap::Parser;
//! #[derive(Parser)]
//! struct A { #[command(flatten)] m: ModelArgs }
//! let base = A::parse_from(["x", "--beta", "5"]).m;
//! let grid = Grid::parse(&["width=0.5:2:4".into(), "alpha=1,2".into()], &[]).unwrap();
//! // A custom per-point evaluation (here: λ_AT of the RS equilibrium).
//! let rows = sweep::run_with(&grid, &RunOptions::default(), |p| {
//!     let model = p.model(&base)?;
//!     let r = quantreplica::rs::solve(&model, &Default::default());
//!     Ok(r.equilibrium.at_eigenvalue)
//! })
//! .unwrap();
//! assert_eq!(rows.len(), 8);
//! assert_eq!(rows[1].point.f64(Param::Alpha), Some(2.0));
//! ```

pub mod grid;
pub mod rs;
pub mod store;

pub use grid::{spaced, Axis, AxisValue, Grid, Param, Point};
pub use rs::{
    render_csv, render_json, run, run_records, run_with_solver, RsRecord, SolutionRecord,
};
pub use store::{Header, Shard, Spec};

use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::PathBuf;

/// One evaluated grid point.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<T> {
    /// The point (index and parameter values).
    pub point: Point,
    /// What was computed there.
    pub result: T,
}

/// How to evaluate.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Worker threads (`None`: rayon's global pool, i.e. `RAYON_NUM_THREADS` or all cores).
    pub threads: Option<usize>,
    /// Show a progress bar (on a terminal only).
    pub progress: bool,
}

/// Where and what to checkpoint.
#[derive(Debug, Clone)]
pub struct Store {
    /// The checkpoint (or shard) file.
    pub path: PathBuf,
    /// Evaluate only this shard's points.
    pub shard: Option<Shard>,
    /// Everything besides the grid that the results depend on (model flags, evaluator,
    /// version); a file written under another context is refused.
    pub context: String,
}

fn in_pool<R: Send>(threads: Option<usize>, job: impl FnOnce() -> R + Send) -> Result<R> {
    match threads {
        None => Ok(job()),
        Some(0) => Err(Error::input("--threads must be at least 1")),
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::Io(format!("cannot start {t} threads: {e}")))?;
            Ok(pool.install(job))
        }
    }
}

/// Evaluates `f` at every point of `grid` in parallel; rows come back in grid order, so the
/// result never depends on the thread count (as long as `f` is a function of the point).
/// The error of the lowest-index failing point is returned.
pub fn run_with<T, F>(grid: &Grid, opts: &RunOptions, f: F) -> Result<Vec<Row<T>>>
where
    T: Send,
    F: Fn(&Point) -> Result<T> + Sync,
{
    let n = grid.len();
    let pb = if opts.progress {
        crate::progress::bar(n as u64, "sweep")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let out = in_pool(opts.threads, || {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let point = grid.point(i);
                let r = f(&point);
                pb.inc(1);
                r.map(|result| Row { point, result })
            })
            .collect::<Vec<Result<Row<T>>>>()
    })?;
    pb.finish_and_clear();
    out.into_iter().collect()
}

/// Like [`run_with`], but every completed point is appended to `store.path` as it finishes,
/// points already there are skipped, and with `store.shard` only that shard's points are
/// evaluated (and returned). Results pass through their exact JSON form (fresh or resumed
/// alike), so a resumed run returns exactly what an uninterrupted one does.
pub fn run_checkpointed<T, F>(
    grid: &Grid,
    opts: &RunOptions,
    store: &Store,
    f: F,
) -> Result<Vec<Row<T>>>
where
    T: Serialize + DeserializeOwned + Send,
    F: Fn(&Point) -> Result<T> + Sync,
{
    let header = Header::new(grid, &store.context, store.shard);
    let (appender, mut done) = store::Appender::open(&store.path, &header)?;
    let own: Vec<usize> = (0..grid.len()).filter(|&i| header.owns(i)).collect();
    let pending: Vec<usize> = own
        .iter()
        .copied()
        .filter(|i| !done.contains_key(i))
        .collect();
    let pb = if opts.progress {
        crate::progress::bar(own.len() as u64, "sweep")
    } else {
        indicatif::ProgressBar::hidden()
    };
    pb.set_position((own.len() - pending.len()) as u64);
    let fresh = in_pool(opts.threads, || {
        pending
            .par_iter()
            .map(|&i| {
                let point = grid.point(i);
                let value =
                    serde_json::to_value(f(&point)?).map_err(|e| Error::Io(e.to_string()))?;
                appender.append(i, &value)?;
                pb.inc(1);
                Ok((i, value))
            })
            .collect::<Vec<Result<(usize, serde_json::Value)>>>()
    })?;
    pb.finish_and_clear();
    let mut first_err = None;
    for r in fresh {
        match r {
            Ok((i, v)) => {
                done.insert(i, v);
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    appender.sync()?;
    if let Some(e) = first_err {
        return Err(e);
    }
    own.into_iter()
        .map(|i| {
            let v = done
                .remove(&i)
                .ok_or_else(|| Error::Numerics(format!("sweep point {i} has no result")))?;
            let result = serde_json::from_value(v).map_err(|e| {
                Error::input(format!(
                    "{}: point {i} has an unreadable result: {e}",
                    store.path.display()
                ))
            })?;
            Ok(Row {
                point: grid.point(i),
                result,
            })
        })
        .collect()
}

/// Reads the shard files of one sweep, checks that they belong together and cover every point
/// exactly once, and returns the grid, the context and every row in grid order.
pub fn merge<T: DeserializeOwned>(files: &[PathBuf]) -> Result<(Grid, String, Vec<Row<T>>)> {
    let (spec, records) = store::merge_files(files)?;
    let grid = spec.grid()?;
    if grid.len() != records.len() {
        return Err(Error::input(format!(
            "the shards cover {} of {} points",
            records.len(),
            grid.len()
        )));
    }
    let rows = records
        .into_iter()
        .map(|(i, v)| {
            let result = serde_json::from_value(v).map_err(|e| {
                Error::input(format!("shard point {i} has an unreadable result: {e}"))
            })?;
            Ok(Row {
                point: grid.point(i),
                result,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((grid, spec.context, rows))
}
