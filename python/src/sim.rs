//! Finite-size engines on generated instances or the user's own `X, y` arrays: AMP with state
//! evolution, Gibbs sampling, quantization-aware training. Each returns the JSON record of the
//! command (`amp --json`, ...) and the per-seed estimates as numpy arrays.

use crate::arrays::{matrix, shape_f32, values};
use crate::model::PyModel;
use crate::watch::{to_py, watched_job};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use quantreplica::amp::{AmpOptions, VarianceMode};
use quantreplica::budget::{self, Cost};
use quantreplica::gibbs::GibbsOptions;
use quantreplica::instance;
use quantreplica::job::{self, Front, Instances};
use quantreplica::model::Model;
use quantreplica::qat::{QatOptions, QatSchedule, Rounding};
use quantreplica::validate::{self, RunSpec, Source};
use quantreplica::Error;

/// Where the instances come from, as the simulation commands resolve `--n`/`--x`/`--y`.
pub struct Data<'py> {
    /// Inputs X (M × N), if given.
    pub x: Option<Bound<'py, PyAny>>,
    /// Labels y (M values), if given.
    pub y: Option<Bound<'py, PyAny>>,
    /// Weights N of generated instances.
    pub n: Option<usize>,
    /// Seeds.
    pub seeds: usize,
    /// Base seed.
    pub seed: u64,
    /// Lift the time limit of the budget (Python's `--force`).
    pub force: bool,
}

impl Data<'_> {
    /// The model (α = M/N with data) and the run specification; `default_n` as the command's.
    /// The job's `cost` on its instances is checked against the budget before any data is
    /// copied or any instance drawn.
    fn resolve(
        &self,
        model: &Model,
        default_n: usize,
        cost: impl Fn(Instances) -> Cost,
    ) -> PyResult<(Model, RunSpec)> {
        if self.seeds == 0 {
            return Err(to_py(Error::input("--seeds must be at least 1, got 0")));
        }
        let check = |inst: Instances| cost(inst).check(self.force).map_err(to_py);
        let (model, source) = match (&self.x, &self.y) {
            (Some(x), Some(y)) => {
                if let Ok((shape, _)) = shape_f32(x) {
                    if let [m, n] = shape[..] {
                        check(Instances::Data { m, n })?;
                    }
                }
                let xm = matrix(x, "X")?;
                let (yshape, _) = shape_f32(y)?;
                if yshape.len() > 1 && yshape.iter().filter(|&&d| d > 1).count() > 1 {
                    return Err(to_py(Error::input(format!(
                        "y: labels must be one column or one row, got shape {yshape:?}"
                    ))));
                }
                let inst = instance::from_data(xm, values(y, "y")?).map_err(to_py)?;
                Source::from_instance(model.clone(), inst).map_err(to_py)?
            }
            (Some(_), None) => return Err(to_py(Error::input("--x needs --y (the labels file)"))),
            (None, Some(_)) => return Err(to_py(Error::input("--y needs --x (the inputs file)"))),
            (None, None) => {
                let n = self.n.unwrap_or(default_n);
                let source = Source::generated(model, n).map_err(to_py)?;
                let m = instance::samples_for(model.alpha, n);
                check(Instances::Generated { m, n })?;
                (model.clone(), source)
            }
        };
        Ok((
            model,
            RunSpec {
                source,
                seeds: self.seeds,
                base_seed: self.seed,
                progress: false,
            },
        ))
    }
}

/// Per-seed vectors as a (seeds × N) float64 array.
fn rows<'py>(py: Python<'py>, v: &[Vec<f64>]) -> PyResult<Bound<'py, PyAny>> {
    let n = v.first().map_or(0, Vec::len);
    let flat: Vec<f64> = v.iter().flatten().copied().collect();
    Ok(PyArray1::from_vec(py, flat)
        .reshape([v.len(), n])?
        .into_any())
}

fn result<'py>(
    py: Python<'py>,
    record: Bound<'py, PyAny>,
    arrays: &[(&str, &[Vec<f64>])],
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let d = PyDict::new(py);
    for (k, v) in arrays {
        d.set_item(k, rows(py, v)?)?;
    }
    Ok((record, d))
}

/// `amp --json` and the estimates `w_hat`, `v` (seeds × N).
#[pyfunction]
#[pyo3(signature = (model, x=None, y=None, n=None, seeds=4, seed=1, damping=1.0, max_iter=200, tol=1e-7, full_variance=false, progress=None, force=false))]
#[allow(clippy::too_many_arguments)]
pub fn amp<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    x: Option<Bound<'py, PyAny>>,
    y: Option<Bound<'py, PyAny>>,
    n: Option<usize>,
    seeds: usize,
    seed: u64,
    damping: f64,
    max_iter: usize,
    tol: f64,
    full_variance: bool,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let data = Data {
        x,
        y,
        n,
        seeds,
        seed,
        force,
    };
    let (m, spec) = data.resolve(&model.get().model, 1000, |inst| {
        job::amp(
            Front::Python,
            inst,
            seeds,
            max_iter,
            full_variance,
            budget::cores(),
        )
    })?;
    let opts = AmpOptions {
        damping,
        max_iter,
        tol,
        variance: if full_variance {
            VarianceMode::Full
        } else {
            VarianceMode::RankOne
        },
    };
    opts.check().map_err(to_py)?;
    let r = watched_job(py, progress, || validate::run_amp(&m, &spec, &opts))?;
    let record = pythonize::pythonize(py, &r)?;
    result(py, record, &[("w_hat", &r.w_hat), ("v", &r.v)])
}

/// `gibbs --json`.
#[pyfunction]
#[pyo3(signature = (model, x=None, y=None, n=None, seeds=4, seed=1, sweeps=1000, burn_in=500, temperatures=1, beta_min=0.5, bins=40, progress=None, force=false))]
#[allow(clippy::too_many_arguments)]
pub fn gibbs<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    x: Option<Bound<'py, PyAny>>,
    y: Option<Bound<'py, PyAny>>,
    n: Option<usize>,
    seeds: usize,
    seed: u64,
    sweeps: usize,
    burn_in: usize,
    temperatures: usize,
    beta_min: f64,
    bins: usize,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let data = Data {
        x,
        y,
        n,
        seeds,
        seed,
        force,
    };
    let (m, spec) = data.resolve(&model.get().model, 200, |inst| {
        job::gibbs(
            Front::Python,
            inst,
            seeds,
            sweeps,
            burn_in,
            temperatures,
            budget::cores(),
        )
    })?;
    let opts = GibbsOptions {
        burn_in,
        sweeps,
        temperatures,
        beta_min,
    };
    let r = watched_job(py, progress, || validate::run_gibbs(&m, &spec, &opts, bins))?;
    let record = pythonize::pythonize(py, &r)?;
    result(py, record, &[])
}

/// `qat --json` and the trained weights `weights` (seeds × N).
#[pyfunction]
#[pyo3(signature = (model, x=None, y=None, n=None, seeds=4, seed=1, epochs=60, batch=8, lr=0.5, schedule="step", decay_every=15, decay=0.5, rounding="nearest", init_scale=0.1, progress=None, force=false))]
#[allow(clippy::too_many_arguments)]
pub fn qat<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyModel>,
    x: Option<Bound<'py, PyAny>>,
    y: Option<Bound<'py, PyAny>>,
    n: Option<usize>,
    seeds: usize,
    seed: u64,
    epochs: usize,
    batch: usize,
    lr: f64,
    schedule: &str,
    decay_every: usize,
    decay: f64,
    rounding: &str,
    init_scale: f64,
    progress: Option<&Bound<'py, PyAny>>,
    force: bool,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let schedule = match schedule.trim() {
        "step" => QatSchedule::Step {
            every: decay_every,
            factor: decay,
        },
        "constant" => QatSchedule::Constant,
        o => {
            return Err(to_py(Error::input(format!(
                "unknown --schedule '{o}' (expected step or constant)"
            ))))
        }
    };
    let rounding: Rounding = rounding.parse().map_err(to_py)?;
    let opts = QatOptions {
        epochs,
        batch,
        lr,
        schedule,
        rounding,
        init_scale,
    };
    quantreplica::qat::check(&opts).map_err(to_py)?;
    let data = Data {
        x,
        y,
        n,
        seeds,
        seed,
        force,
    };
    let (m, spec) = data.resolve(&model.get().model, 500, |inst| {
        job::qat(Front::Python, inst, seeds, epochs, budget::cores())
    })?;
    let r = watched_job(py, progress, || validate::run_qat(&m, &spec, &opts))?;
    let record = pythonize::pythonize(py, &r)?;
    result(py, record, &[("weights", &r.weights)])
}
