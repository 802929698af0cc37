//! The RS sweep: every point solved by [`crate::rs::solve`], rows carrying every key of
//! `rs --json`, rendered as CSV or JSON.

use super::{run_checkpointed, run_with, Grid, GridPoint, RunOptions, Store, SweepRow};
use crate::error::Result;
use crate::output::Csv;
use crate::rs::{solve, RsReport, RsSolution, SolverOptions};
use crate::spec::ModelSpec;
use rayon::prelude::*;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

/// Serde for an f64 that may be non-finite: written as null (serde_json's rule), read back
/// from null as NaN.
mod nullable {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// One RS fixed point: the keys and values of [`RsSolution`] as `rs --json` prints them.
/// Non-finite numbers are null in JSON and read back as NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolutionRecord {
    /// `m`.
    #[serde(with = "nullable")]
    pub m: f64,
    /// `q`.
    #[serde(with = "nullable")]
    pub q: f64,
    /// `Q`.
    #[serde(rename = "Q", with = "nullable")]
    pub big_q: f64,
    /// `chi`.
    #[serde(with = "nullable")]
    pub chi: f64,
    /// `gen_error`.
    #[serde(with = "nullable")]
    pub gen_error: f64,
    /// `mse_posterior_mean`.
    #[serde(with = "nullable")]
    pub mse_posterior_mean: f64,
    /// `train_error`.
    #[serde(with = "nullable")]
    pub train_error: f64,
    /// `free_entropy` (null at β = ∞).
    pub free_entropy: Option<f64>,
    /// `energy`.
    #[serde(with = "nullable")]
    pub energy: f64,
    /// `entropy` (null at β = ∞).
    pub entropy: Option<f64>,
    /// `at_eigenvalue` (λ_AT; null when infinite).
    #[serde(with = "nullable")]
    pub at_eigenvalue: f64,
    /// `rs_stable`.
    pub rs_stable: bool,
    /// `entropy_violation`.
    pub entropy_violation: Option<bool>,
    /// `status` (`converged`, `max_iterations`, ...).
    pub status: String,
    /// `iterations`.
    pub iterations: u64,
    /// `residual`.
    #[serde(with = "nullable")]
    pub residual: f64,
}

impl SolutionRecord {
    /// From the solver's solution.
    pub fn new(s: &RsSolution) -> SolutionRecord {
        let status = match serde_json::to_value(s.status) {
            Ok(serde_json::Value::String(t)) => t,
            _ => format!("{:?}", s.status),
        };
        SolutionRecord {
            m: s.m,
            q: s.q,
            big_q: s.big_q,
            chi: s.chi,
            gen_error: s.gen_error,
            mse_posterior_mean: s.mse_posterior_mean,
            train_error: s.train_error,
            free_entropy: s.free_entropy.filter(|v| v.is_finite()),
            energy: s.energy,
            entropy: s.entropy.filter(|v| v.is_finite()),
            at_eigenvalue: s.at_eigenvalue,
            rs_stable: s.rs_stable,
            entropy_violation: s.entropy_violation,
            status,
            iterations: s.iterations as u64,
            residual: s.residual,
        }
    }
}

/// The result of `rs --json` at one point: the equilibrium's keys, `converged`, every fixed
/// point and the levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RsRecord {
    /// The equilibrium.
    #[serde(flatten)]
    pub equilibrium: SolutionRecord,
    /// Whether the equilibrium converged.
    pub converged: bool,
    /// Every distinct fixed point.
    pub solutions: Vec<SolutionRecord>,
    /// The student's levels (null for a continuous student).
    pub levels: Option<Vec<f64>>,
}

impl RsRecord {
    /// From a solver report and the levels of the model.
    pub fn new(report: &RsReport, levels: Option<&[f64]>) -> RsRecord {
        RsRecord {
            equilibrium: SolutionRecord::new(&report.equilibrium),
            converged: report.converged,
            solutions: report.solutions.iter().map(SolutionRecord::new).collect(),
            levels: levels.map(<[f64]>::to_vec),
        }
    }
}

/// Checks that the model is valid at every point (in parallel) before anything is computed or
/// written, so that bad input fails fast and leaves no file behind.
pub fn validate(grid: &Grid, base: &ModelSpec, threads: Option<usize>) -> Result<()> {
    // Only the lowest failing index is reported, whatever the thread count.
    let check = || -> Result<()> {
        let bad = (0..grid.len())
            .into_par_iter()
            .find_first(|&i| grid.point(i).model(base).is_err());
        match bad {
            Some(i) => grid.point(i).model(base).map(drop),
            None => Ok(()),
        }
    };
    crate::parallel::in_pool(threads, check)?
}

/// The RS sweep in memory: the solver's report at every point, in grid order (default solver
/// tolerances, as `rs` and `sweep`).
pub fn run(grid: &Grid, base: &ModelSpec, opts: &RunOptions) -> Result<Vec<SweepRow<RsReport>>> {
    run_with_solver(grid, base, opts, &SolverOptions::default())
}

/// [`run`] with chosen solver settings (e.g. looser tolerances for a large phase diagram).
pub fn run_with_solver(
    grid: &Grid,
    base: &ModelSpec,
    opts: &RunOptions,
    solver: &SolverOptions,
) -> Result<Vec<SweepRow<RsReport>>> {
    validate(grid, base, opts.threads)?;
    run_with(grid, opts, |p: &GridPoint| {
        Ok(solve(&p.model(base)?, solver))
    })
}

/// The context string of an RS sweep: evaluator, crate version and every unswept model
/// parameter.
pub fn context(grid: &Grid, base: &ModelSpec) -> String {
    use super::Param::*;
    let swept = |p| grid.axis(p).is_some();
    let mut parts = vec![format!(
        "rs sweep, quantreplica {}",
        env!("CARGO_PKG_VERSION")
    )];
    let mut add = |p, v: String| {
        if !swept(p) {
            parts.push(format!("{p}={v}"));
        }
    };
    add(Alpha, format!("{:?}", base.alpha));
    add(Noise, format!("{:?}", base.noise));
    add(Bits, base.bits.to_string());
    add(Width, format!("{:?}", base.width));
    add(Beta, format!("{:?}", base.beta));
    add(Ridge, format!("{:?}", base.ridge));
    add(Levels, base.levels.clone());
    add(TeacherVar, format!("{:?}", base.teacher_var));
    let list = |v: &Option<Vec<f64>>| {
        v.as_deref().map_or(String::new(), |l| {
            l.iter().map(f64::to_string).collect::<Vec<_>>().join(",")
        })
    };
    parts.push(format!("teacher={}", base.teacher));
    parts.push(format!("teacher_probs={}", list(&base.teacher_probs)));
    parts.push(format!("level_weights={}", list(&base.level_weights)));
    parts.join("; ")
}

/// The RS sweep behind `quantreplica sweep`: rows of [`RsRecord`], optionally checkpointed
/// and sharded (`checkpoint = Some((path, shard))`).
pub fn run_records(
    grid: &Grid,
    base: &ModelSpec,
    opts: &RunOptions,
    checkpoint: Option<(std::path::PathBuf, Option<super::Shard>)>,
) -> Result<Vec<SweepRow<RsRecord>>> {
    validate(grid, base, opts.threads)?;
    let solver = SolverOptions::default();
    let eval = |p: &GridPoint| -> Result<RsRecord> {
        let model = p.model(base)?;
        let report = solve(&model, &solver);
        Ok(RsRecord::new(
            &report,
            model.student.levels().map(|l| l.values()),
        ))
    };
    match checkpoint {
        None => run_with(grid, opts, eval),
        Some((path, shard)) => {
            let store = Store {
                path,
                shard,
                context: context(grid, base),
            };
            run_checkpointed(grid, opts, &store, eval)
        }
    }
}

/// CSV of a sweep: one column per key of the rows of [`render_json`] (`index`, the swept
/// parameters in axis order, then the result's fields, derived from its serde form by
/// [`crate::output::flatten_row`]). For an RS sweep: the keys of `rs --json` (the equilibrium),
/// `converged`, `n_solutions` (the number of fixed points) and `levels` (`;`-separated).
pub fn render_csv<T: Serialize>(rows: &[SweepRow<T>]) -> Result<Csv> {
    Csv::from_rows(&json_rows(rows))
}

struct Params<'a>(&'a GridPoint);

impl Serialize for Params<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.values.len()))?;
        for (p, v) in &self.0.values {
            m.serialize_entry(p.column(), v)?;
        }
        m.end()
    }
}

/// One output row: `index`, the swept parameters, then the result's keys.
#[derive(Serialize)]
pub struct JsonRow<'a, T: Serialize> {
    index: usize,
    #[serde(flatten)]
    params: Params<'a>,
    #[serde(flatten)]
    result: &'a T,
}

/// JSON of a sweep: an array of row objects (`index`, the swept parameters, every key of the
/// result), pretty-printed.
pub fn render_json<T: Serialize>(rows: &[SweepRow<T>]) -> Result<String> {
    crate::output::to_json(&json_rows(rows))
}

fn json_rows<T: Serialize>(rows: &[SweepRow<T>]) -> Vec<JsonRow<'_, T>> {
    rows.iter()
        .map(|r| JsonRow {
            index: r.point.index,
            params: Params(&r.point),
            result: &r.result,
        })
        .collect()
}
