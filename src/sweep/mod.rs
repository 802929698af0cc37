//! Parameter sweeps: grids over the model parameters, evaluated in parallel, checkpointed,
//! shardable over cluster job arrays and merged back, with output identical (byte for byte) to
//! one uninterrupted single-machine run whatever the thread count.
//!
//! * [`Grid`]: the Cartesian product of [`Axis`] values (`--over PARAM=START:STOP:COUNT` or
//!   `--over PARAM=v1,v2,...`), the first axis outermost: point
//!   `index = Σ_k i_k · Π_{j>k} n_j`.
//! * [`run_with`]: evaluates any closure at every point in parallel (rayon), results in grid
//!   order ([`crate::parallel::map`]); [`run`] does it for the RS solver
//!   (`SweepRow<RsReport>`).
//! * [`run_checkpointed`]: the same with a checkpoint/shard file ([`Store`]); results must be
//!   `Serialize + DeserializeOwned`. [`run_records`] is the RS sweep behind the command line
//!   (rows of [`RsRecord`], the keys of `rs --json`).
//! * [`merge`]: reads the shard files of one sweep and checks they cover it exactly once.
//!
//! ```
//! use quantreplica::sweep::{self, Grid, Param, RunOptions};
//! use quantreplica::ModelSpec;
//! let mut base = ModelSpec::default();
//! base.beta = 5.0;
//! let grid = Grid::parse(&["width=0.5:2:4".into(), "alpha=1,2".into()], &[]).unwrap();
//! // The RS sweep: every key of `rs --json` at every point, in grid order.
//! let rows = sweep::run_records(&grid, &base, &RunOptions::default(), None).unwrap();
//! assert_eq!(rows.len(), 8);
//! assert_eq!(rows[1].point.f64(Param::Alpha), Some(2.0));
//! assert!(rows[1].result.converged);
//! // A custom per-point evaluation (here: λ_AT of the RS equilibrium).
//! let lambdas = sweep::run_with(&grid, &RunOptions::default(), |p| {
//!     let model = p.model(&base)?;
//!     let r = quantreplica::rs::solve(&model, &Default::default());
//!     Ok(r.equilibrium.at_eigenvalue)
//! })
//! .unwrap();
//! assert_eq!(lambdas[1].result, rows[1].result.equilibrium.at_eigenvalue);
//! // The table of `quantreplica sweep --csv`.
//! let csv = sweep::render_csv(&rows).unwrap().render();
//! assert!(csv.starts_with("index,width,alpha,m,q,Q,chi,gen_error"));
//! ```

pub mod grid;
pub mod rs;
pub mod rsb;
pub mod store;

pub use crate::parallel::RunOptions;
pub use grid::{spaced, Axis, AxisValue, Grid, GridPoint, Param};
pub use rs::{
    render_csv, render_json, run, run_records, run_with_solver, RsRecord, SolutionRecord,
};
pub use store::{Header, Shard, Spec};

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::PathBuf;

/// One evaluated grid point.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow<T> {
    /// The point (index and parameter values).
    pub point: GridPoint,
    /// What was computed there.
    pub result: T,
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

/// Refuses, before any work, sweep options that do not go together (the command line and the
/// Python binding both call this): a shard without its checkpoint file (the file `merge`
/// reads), and a checkpoint or shard with a 1RSB sweep ([`rsb::run`] continues each line of the
/// grid point by point, so its rows are not resumable one by one).
pub fn check_options(rsb: bool, checkpoint: bool, shard: bool) -> Result<()> {
    if shard && !checkpoint {
        return Err(Error::input(
            "--shard needs --checkpoint FILE: the shard file that `merge` reads",
        ));
    }
    if rsb && checkpoint {
        return Err(Error::input(
            "--rsb sweeps are not checkpointed: drop --checkpoint/--shard",
        ));
    }
    Ok(())
}

/// Evaluates `f` at every point of `grid` in parallel; rows come back in grid order, so the
/// result never depends on the thread count (as long as `f` is a function of the point).
/// The error of the lowest-index failing point is returned.
pub fn run_with<T, F>(grid: &Grid, opts: &RunOptions, f: F) -> Result<Vec<SweepRow<T>>>
where
    T: Send,
    F: Fn(&GridPoint) -> Result<T> + Sync,
{
    let indices: Vec<usize> = (0..grid.len()).collect();
    crate::parallel::try_map(&indices, opts, "sweep", |&i| {
        let point = grid.point(i);
        f(&point).map(|result| SweepRow { point, result })
    })
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
) -> Result<Vec<SweepRow<T>>>
where
    T: Serialize + DeserializeOwned + Send,
    F: Fn(&GridPoint) -> Result<T> + Sync,
{
    let header = Header::new(grid, &store.context, store.shard);
    let (appender, mut done) = store::Appender::open(&store.path, &header)?;
    let own: Vec<usize> = (0..grid.len()).filter(|&i| header.owns(i)).collect();
    let pending: Vec<usize> = own
        .iter()
        .copied()
        .filter(|i| !done.contains_key(i))
        .collect();
    let fresh = crate::parallel::map_resumed(
        &pending,
        own.len() - pending.len(),
        opts,
        "sweep",
        |&i| -> Result<(usize, serde_json::Value)> {
            let point = grid.point(i);
            let value = serde_json::to_value(f(&point)?).map_err(|e| Error::Io(e.to_string()))?;
            appender.append(i, &value)?;
            Ok((i, value))
        },
    )?;
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
            Ok(SweepRow {
                point: grid.point(i),
                result,
            })
        })
        .collect()
}

/// Reads the shard files of one sweep, checks that they belong together and cover every point
/// exactly once, and returns the grid, the context and every row in grid order.
pub fn merge<T: DeserializeOwned>(files: &[PathBuf]) -> Result<(Grid, String, Vec<SweepRow<T>>)> {
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
            Ok(SweepRow {
                point: grid.point(i),
                result,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((grid, spec.context, rows))
}
