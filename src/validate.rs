//! Theory against finite systems: runs AMP, the Gibbs sampler and QAT on many seeds in parallel,
//! summarizes each quantity as `{mean, stderr, theory, per_seed}` with `theory` the RS value,
//! and the default validation panel (RS-stable and RSB points, b = 1…4, several widths). The
//! panel's table and figures are drawn by [`crate::report::validate`].
//!
//! Determinism: seed s of a run uses the instance seed `derive_seed(base, s)` and the chain
//! seed `derive_seed(base, s + 2³²)`; rayon only changes the order in which seeds are computed,
//! never what they compute, and results are collected in seed order.

use crate::amp::{self, AmpOptions, AmpResult, SeStep};
use crate::error::{Error, Result};
use crate::fixed_point::Status;
use crate::gibbs::{self, GibbsOptions, GibbsResult};
use crate::instance::{self, derive_seed, Instance};
use crate::model::Labels;
use crate::model::{LevelSet, Model, OutputChannel, Student, TeacherPrior};
use crate::parallel::{try_map, RunOptions};
use crate::qat::{self, QatOptions, QatResult};
use crate::rs::{solve, RsSolution, SolverOptions};
use crate::spec::{ChannelKind, ModelSpec};
use serde::Serialize;
use std::path::Path;

pub use crate::stats::mean_stderr;

/// One reported quantity over seeds. Non-finite values serialize as null.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Mean over the seeds that produced a value.
    pub mean: f64,
    /// Standard error of the mean (sample standard deviation / √k; NaN for one seed).
    pub stderr: f64,
    /// The RS prediction.
    pub theory: f64,
    /// One value per seed, in seed order (NaN, written null, where a seed produced none).
    pub per_seed: Vec<f64>,
}

impl Summary {
    /// Summarizes per-seed values (non-finite ones are excluded from mean and stderr).
    pub fn new(per_seed: Vec<f64>, theory: f64) -> Self {
        let (mean, stderr) = mean_stderr(&per_seed);
        Summary {
            mean,
            stderr,
            theory,
            per_seed,
        }
    }

    /// `|mean − theory| ≤ 3·stderr + allowance` (false when either side is missing).
    pub fn agrees(&self, allowance: f64) -> bool {
        let se = if self.stderr.is_finite() {
            self.stderr
        } else {
            0.0
        };
        (self.mean - self.theory).abs() <= 3.0 * se + allowance
    }
}

/// Where instances come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Drawn from the model with N weights, one instance per seed.
    Generated {
        /// Number of weights N.
        n: usize,
    },
    /// One user instance shared by every seed (seeds then vary only the algorithms' randomness).
    File(Box<Instance>),
}

impl Source {
    /// Instances of `n` weights drawn from `model`, refusing `n < 2` and instances of more
    /// than 4·10⁸ entries before any work.
    pub fn generated(model: &Model, n: usize) -> Result<Source> {
        if n < 2 {
            return Err(Error::input(format!("--n must be at least 2, got {n}")));
        }
        let m = instance::samples_for(model.alpha, n);
        if m.checked_mul(n).is_none_or(|e| e > 400_000_000) {
            return Err(Error::input(format!(
                "--n {n} is too large: M x N = {m} x {n} exceeds 4e8 entries"
            )));
        }
        Ok(Source::Generated { n })
    }

    /// The user's instance from the files `x` (M × N inputs) and `y` (M labels), CSV or .npy,
    /// and `model` with α = M/N.
    pub fn from_files(model: Model, x: &Path, y: &Path) -> Result<(Model, Source)> {
        Source::from_instance(model, instance::load(x, y)?)
    }

    /// The user's instance `inst` (from files or memory) and `model` with α = M/N.
    pub fn from_instance(model: Model, inst: Instance) -> Result<(Model, Source)> {
        let alpha = inst.m() as f64 / inst.n() as f64;
        let model = Model::with_channel(
            alpha,
            model.channel,
            model.beta,
            model.ridge,
            model.student,
            model.teacher,
        )?;
        Ok((model, Source::File(Box::new(inst))))
    }
}

/// Common run settings.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Instance source.
    pub source: Source,
    /// Number of seeds (≥ 1).
    pub seeds: usize,
    /// Base seed.
    pub base_seed: u64,
    /// Show a progress bar (when stderr is a terminal).
    pub progress: bool,
}

impl RunSpec {
    fn check(&self) -> Result<()> {
        if self.seeds == 0 {
            return Err(Error::input("seeds must be at least 1"));
        }
        if let Source::Generated { n } = self.source {
            if n < 2 {
                return Err(Error::input(format!("n must be at least 2, got {n}")));
            }
        }
        Ok(())
    }

    /// `(M, N)` of the instances.
    pub fn shape(&self, model: &Model) -> (usize, usize) {
        match &self.source {
            Source::Generated { n } => (instance::samples_for(model.alpha, *n), *n),
            Source::File(i) => (i.m(), i.n()),
        }
    }

    /// Runs `f(instance, chain seed)` for every seed in parallel, results in seed order.
    fn map_seeds<T: Send>(
        &self,
        model: &Model,
        label: &str,
        f: impl Fn(&Instance, u64) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        let seeds: Vec<u64> = (0..self.seeds as u64).collect();
        let opts = RunOptions {
            threads: None,
            progress: self.progress,
        };
        try_map(&seeds, &opts, label, |&s| {
            let chain = derive_seed(self.base_seed, s + (1u64 << 32));
            match &self.source {
                Source::Generated { n } => {
                    let inst = instance::generate(model, *n, derive_seed(self.base_seed, s))?;
                    f(&inst, chain)
                }
                Source::File(inst) => f(inst, chain),
            }
        })
    }
}

/// The RS equilibrium of a model (finite β or β = ∞).
pub fn theory(model: &Model) -> RsSolution {
    solve(model, &SolverOptions::default()).equilibrium
}

/// The same model at β = ∞ (the problem QAT solves).
pub fn ground_state_model(model: &Model) -> Model {
    Model {
        beta: f64::INFINITY,
        ..model.clone()
    }
}

/// Mean AMP trajectory beside state evolution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrajectoryRow {
    /// Iteration.
    pub iter: usize,
    /// Mean over seeds of AMP's `‖ŵ − w0‖²/N` (seeds that stopped earlier hold their last value).
    pub amp_mse: f64,
    /// Its standard error.
    pub amp_mse_stderr: f64,
    /// Mean over seeds of `mean(v)`.
    pub amp_mean_var: f64,
    /// State evolution's MSE `ρ − 2m + q`.
    pub se_mse: f64,
    /// State evolution's `Q − q`.
    pub se_mean_var: f64,
}

/// AMP on many seeds against the RS theory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmpReport {
    /// Samples M.
    pub m: usize,
    /// Weights N.
    pub n: usize,
    /// Seeds run.
    pub seeds: usize,
    /// `‖ŵ − w0‖²/N`; theory ε_mean of the RS equilibrium.
    pub mse_posterior_mean: Summary,
    /// `‖ŵ − w0‖²/N + mean(v)`; theory ε_g of the RS equilibrium.
    pub gen_error: Summary,
    /// Training error of ŵ (theory: none, null).
    pub train_error_mean: Summary,
    /// The RS equilibrium.
    pub rs: RsSolution,
    /// The fixed point of state evolution from AMP's start (the RS branch AMP follows).
    pub state_evolution: SeStep,
    /// Per seed: how AMP ended.
    pub status: Vec<Status>,
    /// Per seed: iterations used.
    pub iterations: Vec<usize>,
    /// Mean trajectory beside state evolution.
    pub trajectory: Vec<TrajectoryRow>,
    /// Per seed: the posterior-mean estimate ŵ (N values; not in the JSON).
    #[serde(skip)]
    pub w_hat: Vec<Vec<f64>>,
    /// Per seed: the posterior variances v (N values; not in the JSON).
    #[serde(skip)]
    pub v: Vec<Vec<f64>>,
}

/// Runs AMP on every seed.
pub fn run_amp(model: &Model, spec: &RunSpec, opts: &AmpOptions) -> Result<AmpReport> {
    spec.check()?;
    opts.check()?;
    amp::check_model(model)?;
    if !model.channel.has_teacher() {
        return Err(Error::input(
            "AMP's validation compares its teacher overlap with state evolution, and random labels (--labels random) have no teacher: use rs or sweep for the storage problem",
        ));
    }
    let runs: Vec<AmpResult> =
        spec.map_seeds(model, "amp", |inst, _| amp::run(model, inst, opts))?;
    let rs = theory(model);
    let longest = runs.iter().map(|r| r.history.len()).max().unwrap_or(0);
    let se = amp::state_evolution(model, longest)?;
    let (se_fp, _) = amp::se_fixed_point(model, 5000, 1e-12)?;
    let mut trajectory = Vec::with_capacity(longest);
    for t in 0..longest {
        let at = |r: &AmpResult| r.history.get(t).or(r.history.last()).copied();
        let mse: Vec<f64> = runs.iter().filter_map(at).map(|h| h.mse).collect();
        let var: Vec<f64> = runs.iter().filter_map(at).map(|h| h.mean_var).collect();
        let (amp_mse, amp_mse_stderr) = mean_stderr(&mse);
        let s = se.get(t).or(se.last());
        trajectory.push(TrajectoryRow {
            iter: t + 1,
            amp_mse,
            amp_mse_stderr,
            amp_mean_var: mean_stderr(&var).0,
            se_mse: s.map_or(f64::NAN, |s| s.mse),
            se_mean_var: s.map_or(f64::NAN, |s| s.mean_var),
        });
    }
    let (m, n) = spec.shape(model);
    Ok(AmpReport {
        m,
        n,
        seeds: spec.seeds,
        mse_posterior_mean: Summary::new(
            runs.iter()
                .map(|r| r.mse_posterior_mean.unwrap_or(f64::NAN))
                .collect(),
            rs.mse_posterior_mean,
        ),
        gen_error: Summary::new(
            runs.iter()
                .map(|r| r.gen_error.unwrap_or(f64::NAN))
                .collect(),
            rs.gen_error,
        ),
        train_error_mean: Summary::new(runs.iter().map(|r| r.train_error_mean).collect(), f64::NAN),
        status: runs.iter().map(|r| r.status).collect(),
        iterations: runs.iter().map(|r| r.iterations).collect(),
        rs,
        state_evolution: se_fp,
        trajectory,
        w_hat: runs.iter().map(|r| r.w_hat.clone()).collect(),
        v: runs.iter().map(|r| r.v.clone()).collect(),
    })
}

/// Gibbs sampling on many seeds against the RS theory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GibbsReport {
    /// Samples M.
    pub m: usize,
    /// Weights N.
    pub n: usize,
    /// Seeds run.
    pub seeds: usize,
    /// ε_g = ‖w − w0‖²/N of samples; theory RS ε_g.
    pub gen_error: Summary,
    /// ‖y − Xw‖²/M of samples; theory RS ε_t.
    pub train_error: Summary,
    /// Replica overlap q; theory RS q.
    pub overlap: Summary,
    /// Energy per weight; theory RS e.
    pub energy: Summary,
    /// Width of P(q): per seed, the root-mean-square deviation over sweeps of `q_ab/Q` (the
    /// overlap normalized by the self-overlap) from its mean over all seeds and sweeps; theory 0
    /// (RS: one sharp peak, width O(1/√N)).
    pub overlap_width: Summary,
    /// P(q/Q) pooled over seeds: bin centres.
    pub pq_centres: Vec<f64>,
    /// P(q/Q) pooled over seeds: densities.
    pub pq_density: Vec<f64>,
    /// Mean swap acceptance per ladder pair (empty without tempering).
    pub swap_acceptance: Vec<f64>,
    /// The β ladder.
    pub ladder: Vec<f64>,
    /// The RS equilibrium.
    pub rs: RsSolution,
    /// Per seed: the integrated autocorrelation time of the training error (the energy up to
    /// the ridge) in sweeps ([`gibbs::integrated_autocorrelation_time`]; not in the JSON).
    #[serde(skip)]
    pub energy_tau: Vec<f64>,
    /// Per seed: mean training error over the second half of the measured sweeps minus that
    /// over the first half; theory 0 in equilibrium (not in the JSON).
    #[serde(skip)]
    pub drift: Summary,
}

impl GibbsReport {
    /// The equilibration check of these runs with `opts` ([`Equilibration`]).
    pub fn equilibration(&self, opts: &GibbsOptions) -> Equilibration {
        let (tau, _) = mean_stderr(&self.energy_tau);
        let se = if self.drift.stderr.is_finite() {
            self.drift.stderr
        } else {
            0.0
        };
        let drift_ok = self.drift.mean.abs() <= 3.0 * se;
        Equilibration {
            tau,
            drift_z: self.drift.mean / self.drift.stderr,
            ok: drift_ok
                && tau.is_finite()
                && opts.burn_in as f64 >= EQ_BURN_TAUS * tau
                && opts.sweeps as f64 >= EQ_SWEEP_TAUS * tau,
        }
    }
}

/// Burn-in, in units of the mean integrated autocorrelation time, that
/// [`GibbsReport::equilibration`] requires.
pub const EQ_BURN_TAUS: f64 = 5.0;
/// Measured sweeps, in units of the mean integrated autocorrelation time, that
/// [`GibbsReport::equilibration`] requires.
pub const EQ_SWEEP_TAUS: f64 = 20.0;

/// Whether Gibbs runs look equilibrated: the mean over seeds of the integrated autocorrelation
/// time τ of the training error (in sweeps), the burn-in at least [`EQ_BURN_TAUS`]·τ, the
/// measured sweeps at least [`EQ_SWEEP_TAUS`]·τ, and no drift between the first and second
/// halves of the measured sweeps beyond 3 standard errors over seeds. A run still relaxing has a
/// drift, and its slow decay inflates τ, so it fails on both counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Equilibration {
    /// Mean over seeds of the integrated autocorrelation time, in sweeps.
    pub tau: f64,
    /// Drift (second half − first half of the measured training error) over its standard
    /// error.
    pub drift_z: f64,
    /// All three criteria hold.
    pub ok: bool,
}

/// Runs the two-replica sampler on every seed.
pub fn run_gibbs(
    model: &Model,
    spec: &RunSpec,
    opts: &GibbsOptions,
    bins: usize,
) -> Result<GibbsReport> {
    spec.check()?;
    gibbs::check(model, opts)?;
    if bins == 0 {
        return Err(Error::input("--overlap-bins must be at least 1, got 0"));
    }
    let runs: Vec<GibbsResult> = spec.map_seeds(model, "gibbs", |inst, chain| {
        gibbs::run(model, inst, opts, chain)
    })?;
    let rs = theory(model);
    let pooled: Vec<f64> = runs
        .iter()
        .flat_map(|r| {
            let qq = r.big_q;
            r.overlap_samples
                .iter()
                .map(move |q| if qq > 0.0 { q / qq } else { f64::NAN })
        })
        .collect();
    let (pq_centres, pq_density) = gibbs::histogram(&pooled, bins.max(1), -1.0, 1.0);
    // Width of P(q/Q) about the mean of all instances: it sees both the breadth within an
    // instance and the instance-to-instance spread (non-self-averaging), the two RSB signatures.
    let (centre, _) = mean_stderr(&pooled);
    let width: Vec<f64> = runs
        .iter()
        .map(|r| {
            let qq = r.big_q;
            let k = r.overlap_samples.len().max(1) as f64;
            let ms = r
                .overlap_samples
                .iter()
                .map(|q| (q / qq - centre).powi(2))
                .sum::<f64>()
                / k;
            if qq > 0.0 {
                ms.sqrt()
            } else {
                f64::NAN
            }
        })
        .collect();
    let l = runs.first().map_or(0, |r| r.swap_acceptance.len());
    let swap = (0..l)
        .map(|k| runs.iter().map(|r| r.swap_acceptance[k]).sum::<f64>() / runs.len() as f64)
        .collect();
    let (m, n) = spec.shape(model);
    Ok(GibbsReport {
        m,
        n,
        seeds: spec.seeds,
        gen_error: Summary::new(
            runs.iter()
                .map(|r| r.gen_error.unwrap_or(f64::NAN))
                .collect(),
            rs.gen_error,
        ),
        train_error: Summary::new(runs.iter().map(|r| r.train_error).collect(), rs.train_error),
        overlap: Summary::new(runs.iter().map(|r| r.overlap).collect(), rs.q),
        energy: Summary::new(runs.iter().map(|r| r.energy).collect(), rs.energy),
        overlap_width: Summary::new(width, 0.0),
        pq_centres,
        pq_density,
        swap_acceptance: swap,
        ladder: runs.first().map(|r| r.ladder.clone()).unwrap_or_default(),
        rs,
        energy_tau: runs.iter().map(|r| r.energy_tau).collect(),
        drift: Summary::new(
            runs.iter()
                .map(|r| {
                    let t = &r.train_error_samples;
                    let h = t.len() / 2;
                    if h == 0 {
                        return f64::NAN;
                    }
                    let first = t[..h].iter().sum::<f64>() / h as f64;
                    let second = t[h..].iter().sum::<f64>() / (t.len() - h) as f64;
                    second - first
                })
                .collect(),
            0.0,
        ),
    })
}

/// Mean QAT curve over epochs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpochRow {
    /// Epoch (0 = initialization).
    pub epoch: usize,
    /// Mean generalization error.
    pub gen_error: f64,
    /// Its standard error.
    pub gen_stderr: f64,
    /// Mean training error.
    pub train_error: f64,
    /// Its standard error.
    pub train_stderr: f64,
}

/// QAT on many seeds against the β = ∞ RS theory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QatReport {
    /// Samples M.
    pub m: usize,
    /// Weights N.
    pub n: usize,
    /// Seeds run.
    pub seeds: usize,
    /// Final ‖Q(u) − w0‖²/N; theory: RS ε_g at β = ∞.
    pub gen_error: Summary,
    /// Final training error; theory: RS ε_t at β = ∞.
    pub train_error: Summary,
    /// Mean errors per epoch.
    pub epochs: Vec<EpochRow>,
    /// The β = ∞ RS solution.
    pub rs: RsSolution,
    /// Per seed: the trained quantized weights (N values; not in the JSON).
    #[serde(skip)]
    pub weights: Vec<Vec<f64>>,
}

/// Runs QAT on every seed.
pub fn run_qat(model: &Model, spec: &RunSpec, opts: &QatOptions) -> Result<QatReport> {
    spec.check()?;
    qat::check(opts)?;
    let runs: Vec<QatResult> = spec.map_seeds(model, "qat", |inst, chain| {
        qat::run(model, inst, opts, chain)
    })?;
    let rs = theory(&ground_state_model(model));
    let mut epochs = Vec::new();
    for e in 0..=opts.epochs {
        let g: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.history.get(e))
            .map(|h| h.gen_error)
            .collect();
        let t: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.history.get(e))
            .map(|h| h.train_error)
            .collect();
        let (gm, gs) = mean_stderr(&g);
        let (tm, ts) = mean_stderr(&t);
        epochs.push(EpochRow {
            epoch: e,
            gen_error: gm,
            gen_stderr: gs,
            train_error: tm,
            train_stderr: ts,
        });
    }
    let (m, n) = spec.shape(model);
    Ok(QatReport {
        m,
        n,
        seeds: spec.seeds,
        gen_error: Summary::new(
            runs.iter()
                .map(|r| r.gen_error.unwrap_or(f64::NAN))
                .collect(),
            rs.gen_error,
        ),
        train_error: Summary::new(runs.iter().map(|r| r.train_error).collect(), rs.train_error),
        epochs,
        rs,
        weights: runs.iter().map(|r| r.w.clone()).collect(),
    })
}

/// One point of the validation panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelPoint {
    /// Bits b (uniform mid-rise levels).
    pub bits: u32,
    /// Width ω.
    pub width: f64,
    /// Inverse temperature of the theory, AMP and Gibbs (QAT is compared at β = ∞).
    pub beta: f64,
    /// A sign-channel point (classification, [`sign_panel`]); `None` (not serialized): the
    /// Gaussian channel at the panel's α and σ² with a Gaussian teacher.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign: Option<SignPoint>,
}

/// The classification settings of a sign-channel panel point (`docs/classification.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignPoint {
    /// Samples per weight (the panel's α is not used).
    pub alpha: f64,
    /// Teacher prior, as `--teacher` spells it (`binary`, `gaussian`).
    pub teacher: String,
    /// Label-flip probability.
    pub flip: f64,
    /// Teacher or random labels (the storage problem: no AMP rows).
    pub labels: Labels,
}

impl PanelPoint {
    /// The model of this point (`st` gives α and σ² of Gaussian-channel points).
    pub fn model(&self, st: &PanelSettings) -> Result<Model> {
        match &self.sign {
            None => {
                let student = Student::Discrete(LevelSet::uniform(self.bits, self.width)?);
                Model::new(
                    st.alpha,
                    st.noise,
                    self.beta,
                    0.0,
                    student,
                    TeacherPrior::gaussian(1.0)?,
                )
            }
            Some(sp) => {
                let spec = ModelSpec {
                    channel: ChannelKind::Sign,
                    alpha: sp.alpha,
                    teacher: sp.teacher.clone(),
                    flip: sp.flip,
                    labels: sp.labels,
                    bits: self.bits,
                    width: self.width,
                    beta: self.beta,
                    ..ModelSpec::default()
                };
                spec.build()
            }
        }
    }
}

/// The classification panel (`validate --channel sign`): the Ising perceptron (±1 teacher and
/// student, clean labels) at β = ∞ (Bayes-optimal: AMP only, the Gibbs sampler needs a finite
/// β) and β = 3 on the poor-generalization branch below the first-order transition; noisy
/// labels on the Nishimori line (p = 0.1, β = ln 9); a 2-bit student of a Gaussian teacher;
/// and the storage problem (random labels: Gibbs only).
pub fn sign_panel() -> Vec<PanelPoint> {
    let pt = |alpha: f64, teacher: &str, flip: f64, labels: Labels, bits, width, beta| PanelPoint {
        bits,
        width,
        beta,
        sign: Some(SignPoint {
            alpha,
            teacher: teacher.into(),
            flip,
            labels,
        }),
    };
    let t = Labels::Teacher;
    vec![
        pt(0.8, "binary", 0.0, t, 1, 1.0, f64::INFINITY),
        pt(1.2, "binary", 0.0, t, 1, 1.0, f64::INFINITY),
        pt(0.8, "binary", 0.0, t, 1, 1.0, 3.0),
        pt(1.2, "binary", 0.0, t, 1, 1.0, 3.0),
        pt(1.0, "binary", 0.1, t, 1, 1.0, 9f64.ln()),
        pt(1.0, "gaussian", 0.0, t, 2, 1.0, 5.0),
        pt(0.5, "binary", 0.0, Labels::Random, 1, 1.0, 5.0),
    ]
}

/// The default panel at α = 2, σ² = 0.1, Gaussian teacher: RS-stable points for b = 1…4 at two
/// widths and three RSB points (b = 1 at ω = 1, 1.5; b = 2 at ω = 3), all at β = 5.
pub fn default_panel() -> Vec<PanelPoint> {
    [
        (1, 0.5),
        (1, 1.0),
        (1, 1.5),
        (2, 1.0),
        (2, 1.5),
        (2, 3.0),
        (3, 1.5),
        (3, 3.0),
        (4, 1.5),
        (4, 3.0),
    ]
    .into_iter()
    .map(|(bits, width)| PanelPoint {
        bits,
        width,
        beta: 5.0,
        sign: None,
    })
    .collect()
}

/// Sizes and budgets of a panel run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PanelSettings {
    /// Samples per weight.
    pub alpha: f64,
    /// Label noise σ².
    pub noise: f64,
    /// N for AMP.
    pub n_amp: usize,
    /// N for the Gibbs sampler.
    pub n_gibbs: usize,
    /// N for QAT.
    pub n_qat: usize,
    /// Seeds per method and point.
    pub seeds: usize,
    /// Base seed.
    pub base_seed: u64,
    /// Gibbs settings.
    pub gibbs: GibbsOptions,
    /// QAT settings.
    pub qat: QatOptions,
    /// Finite-size allowance added to 3 standard errors for AMP (absolute).
    pub allow_amp: f64,
    /// Finite-size allowance for the Gibbs sampler (absolute).
    pub allow_gibbs: f64,
    /// Relative tolerance for QAT against the β = ∞ theory.
    pub allow_qat_rel: f64,
}

impl Default for PanelSettings {
    fn default() -> Self {
        PanelSettings {
            alpha: 2.0,
            noise: 0.1,
            n_amp: 1000,
            n_gibbs: 200,
            n_qat: 500,
            seeds: 4,
            base_seed: 1,
            gibbs: GibbsOptions {
                burn_in: 300,
                sweeps: 600,
                temperatures: 1,
                beta_min: 0.5,
            },
            qat: QatOptions {
                epochs: 40,
                schedule: crate::qat::QatSchedule::Step {
                    every: 10,
                    factor: 0.5,
                },
                ..QatOptions::default()
            },
            allow_amp: 0.01,
            allow_gibbs: 0.02,
            allow_qat_rel: 0.25,
        }
    }
}

impl PanelSettings {
    /// The classification panel's settings (`validate --channel sign`): as [`Default`], but the
    /// Gibbs sampler at N = 100 with 10000 burn-in + 20000 measured sweeps. Under the error-count
    /// energy single-site heat bath on ±1 weights relaxes slowly and ever more slowly with N
    /// (docs/validation.md: at α = 1.2, β = 3 the integrated autocorrelation time of the
    /// training error is 400–1800 sweeps at N = 100 and the chains still relax after 20000
    /// sweeps at N = 400), so the panel's N is the one it can equilibrate.
    pub fn sign() -> Self {
        let mut st = PanelSettings {
            n_gibbs: SIGN_N_GIBBS,
            ..PanelSettings::default()
        };
        st.gibbs.sweeps = SIGN_SWEEPS;
        st.gibbs.burn_in = SIGN_SWEEPS / 2;
        st
    }
}

/// N of the classification panel's Gibbs runs ([`PanelSettings::sign`]).
pub const SIGN_N_GIBBS: usize = 100;
/// Measured sweeps of the classification panel's Gibbs runs (burn-in: half of it;
/// [`PanelSettings::sign`]).
pub const SIGN_SWEEPS: usize = 20_000;

/// One row of the validation table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelRow {
    /// Index of the panel point.
    pub point: usize,
    /// Bits.
    pub bits: u32,
    /// Width.
    pub width: f64,
    /// β of the point (QAT rows: the theory is at β = ∞).
    pub beta: f64,
    /// RS stability at the row's β (β = ∞ for QAT rows: never stable for discrete levels).
    pub rs_stable: bool,
    /// λ_AT at the row's β (∞, written null, for QAT rows).
    pub at_eigenvalue: f64,
    /// amp, gibbs or qat.
    pub method: String,
    /// The quantity.
    pub quantity: String,
    /// The RS prediction.
    pub theory: f64,
    /// Mean over seeds.
    pub mean: f64,
    /// Standard error.
    pub stderr: f64,
    /// `(mean − theory)/stderr`.
    pub z: f64,
    /// The tolerance used: `3·stderr + allowance`.
    pub tolerance: f64,
    /// Whether `|mean − theory| ≤ tolerance`.
    pub agrees: bool,
    /// AMP rows: fraction of seeds whose AMP converged (NaN, written null, for other methods).
    pub converged_fraction: f64,
    /// Gibbs rows: mean over seeds of the integrated autocorrelation time of the training error,
    /// in sweeps (NaN, written null, for other methods; [`Equilibration`]).
    pub tau_int: f64,
    /// Gibbs rows: whether the runs pass the equilibration check ([`Equilibration`]: burn-in
    /// ≥ 5τ, measured sweeps ≥ 20τ, no drift); true for other methods. A Gibbs row that
    /// disagrees and is not equilibrated measures the sampler, not the theory.
    pub equilibrated: bool,
}

/// The full panel outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelReport {
    /// Settings used.
    pub settings: PanelSettings,
    /// The points.
    pub points: Vec<PanelPoint>,
    /// The table.
    pub rows: Vec<PanelRow>,
    /// P(q/Q) of the Gibbs runs per point: (centres, densities).
    pub pq: Vec<(Vec<f64>, Vec<f64>)>,
}

fn row(
    i: usize,
    p: &PanelPoint,
    rs: &RsSolution,
    method: &str,
    quantity: &str,
    s: &Summary,
    allowance: f64,
) -> PanelRow {
    let se = if s.stderr.is_finite() { s.stderr } else { 0.0 };
    let tol = 3.0 * se + allowance;
    PanelRow {
        point: i,
        bits: p.bits,
        width: p.width,
        beta: if method == "qat" {
            f64::INFINITY
        } else {
            p.beta
        },
        rs_stable: rs.rs_stable,
        at_eigenvalue: rs.at_eigenvalue,
        method: method.into(),
        quantity: quantity.into(),
        theory: s.theory,
        mean: s.mean,
        stderr: s.stderr,
        z: (s.mean - s.theory) / s.stderr,
        tolerance: tol,
        agrees: (s.mean - s.theory).abs() <= tol,
        converged_fraction: f64::NAN,
        tau_int: f64::NAN,
        equilibrated: true,
    }
}

/// Runs the panel: every point with AMP, Gibbs and QAT.
pub fn run_panel(points: &[PanelPoint], st: &PanelSettings, progress: bool) -> Result<PanelReport> {
    let indexed: Vec<(usize, &PanelPoint)> = points.iter().enumerate().collect();
    let opts = RunOptions {
        threads: None,
        progress,
    };
    type PointResult = (Vec<PanelRow>, (Vec<f64>, Vec<f64>));
    let per_point = try_map(
        &indexed,
        &opts,
        "validate",
        |&(i, p)| -> Result<PointResult> {
            let mut rows = Vec::new();
            let model = p.model(st)?;
            let spec = |n: usize| RunSpec {
                source: Source::Generated { n },
                seeds: st.seeds,
                base_seed: st.base_seed,
                progress: false,
            };
            // Sign-channel points: AMP needs a teacher, Gibbs a finite β, QAT a differentiable
            // loss.
            let sign = p.sign.is_some();
            let with_amp = !sign || model.channel.has_teacher();
            let with_gibbs = !sign || model.beta.is_finite();
            if with_amp {
                let a = run_amp(&model, &spec(st.n_amp), &AmpOptions::default())?;
                let rs = &a.rs;
                rows.push(row(
                    i,
                    p,
                    rs,
                    "amp",
                    "mse_posterior_mean",
                    &a.mse_posterior_mean,
                    st.allow_amp,
                ));
                rows.push(row(
                    i,
                    p,
                    rs,
                    "amp",
                    "gen_error",
                    &a.gen_error,
                    st.allow_amp,
                ));
                let conv = a.status.iter().filter(|s| s.is_converged()).count() as f64
                    / a.status.len().max(1) as f64;
                for x in rows.iter_mut().rev().take(2) {
                    x.converged_fraction = conv;
                }
            }
            let mut pq = (Vec::new(), Vec::new());
            if with_gibbs {
                let gopts = st.gibbs;
                let g = run_gibbs(&model, &spec(st.n_gibbs), &gopts, 40)?;
                let rs = &g.rs;
                if g.gen_error.theory.is_finite() || !sign {
                    rows.push(row(
                        i,
                        p,
                        rs,
                        "gibbs",
                        "gen_error",
                        &g.gen_error,
                        st.allow_gibbs,
                    ));
                }
                rows.push(row(
                    i,
                    p,
                    rs,
                    "gibbs",
                    "train_error",
                    &g.train_error,
                    st.allow_gibbs,
                ));
                rows.push(row(
                    i,
                    p,
                    rs,
                    "gibbs",
                    "overlap",
                    &g.overlap,
                    st.allow_gibbs,
                ));
                let eq = g.equilibration(&gopts);
                for x in rows.iter_mut().filter(|x| x.method == "gibbs") {
                    x.tau_int = eq.tau;
                    x.equilibrated = eq.ok;
                }
                pq = (g.pq_centres, g.pq_density);
            }
            if sign {
                return Ok((rows, pq));
            }
            let q = run_qat(&model, &spec(st.n_qat), &st.qat)?;
            // QAT rows are compared with the β = ∞ solution and report its stability.
            rows.push(row(
                i,
                p,
                &q.rs,
                "qat",
                "gen_error",
                &q.gen_error,
                st.allow_qat_rel * q.gen_error.theory,
            ));
            rows.push(row(
                i,
                p,
                &q.rs,
                "qat",
                "train_error",
                &q.train_error,
                st.allow_qat_rel * q.train_error.theory,
            ));
            Ok((rows, pq))
        },
    )?;
    let mut rows = Vec::new();
    let mut pq = Vec::new();
    for (point_rows, point_pq) in per_point {
        rows.extend(point_rows);
        pq.push(point_pq);
    }
    Ok(PanelReport {
        settings: *st,
        points: points.to_vec(),
        rows,
        pq,
    })
}
