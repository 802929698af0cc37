//! One-pass minibatch SGD on Gaussian data x ~ N(0, H), H = diag(i^−a), y = ⟨w*, x⟩ + ξ, with
//! any subset of the five §7 targets quantized, and the gradient-shrinkage model of seed 003.
//! Runs are independent, seeded from (base seed, run index), and run in parallel with rayon.

use super::noise::{Quantizer, Targets};
use crate::error::{self, Error, Result};
use crate::parallel::RunOptions;
use crate::stats::summarize;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

/// The seed of run `run` derived from a base seed (SplitMix64 finalizer), so that each run's
/// stream is fixed whatever the thread count or scheduling.
///
/// This is the low-precision module's own stream derivation, kept (rather than the crate's
/// [`crate::instance::derive_seed`]) so that its Monte Carlo numbers, and the seed-001 test
/// calibrated on them, stay reproducible.
pub fn run_seed(base: u64, run: u64) -> u64 {
    let mut z = base ^ run.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The RNG of one run.
pub fn run_rng(base: u64, run: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(run_seed(base, run))
}

/// How the target vector w* is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WStar {
    /// w*_i = 1 (the deterministic stand-in of an isotropic prior).
    Ones,
    /// λ_i w*_i² = i^−b (source condition with exponent b).
    Power(f64),
}

impl WStar {
    /// Parses `ones` or `power:B`.
    pub fn parse(s: &str) -> Result<Self> {
        let l = s.trim().to_ascii_lowercase();
        if l == "ones" || l == "one" {
            return Ok(WStar::Ones);
        }
        if let Some(b) = l.strip_prefix("power:") {
            let b: f64 = b
                .parse()
                .map_err(|_| Error::input(format!("w* exponent '{b}' is not a number")))?;
            return Ok(WStar::Power(error::finite("w* exponent", b)?));
        }
        Err(Error::input(format!(
            "unknown w* spec '{s}' (expected ones or power:B)"
        )))
    }
}

/// A linear-regression problem with diagonal covariance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Eigenvalues λ_i of H.
    pub lambda: Vec<f64>,
    /// Target vector w*.
    pub wstar: Vec<f64>,
    /// Label noise variance σ².
    pub sigma2: f64,
}

impl Problem {
    /// H = diag(i^−a), i = 1..d, labels with noise variance σ².
    pub fn power_law(d: usize, a: f64, sigma2: f64, wstar: WStar) -> Result<Self> {
        if d == 0 {
            return Err(Error::input(
                "dimension d must be a positive integer, got 0",
            ));
        }
        error::positive("spectral exponent a", a)?;
        error::non_negative("noise", sigma2)?;
        // Allocated fallibly: a too-large d is an error, not an abort.
        let what = format!("dimension d = {d}");
        let mut lambda: Vec<f64> = crate::budget::try_with_capacity(d, &what)?;
        lambda.extend((1..=d).map(|i| (i as f64).powf(-a)));
        let mut ws: Vec<f64> = crate::budget::try_with_capacity(d, &what)?;
        match wstar {
            WStar::Ones => ws.resize(d, 1.0),
            WStar::Power(b) => ws.extend(
                (1..=d)
                    .zip(&lambda)
                    .map(|(i, l)| ((i as f64).powf(-b) / l).sqrt()),
            ),
        }
        let wstar = ws;
        Ok(Problem {
            lambda,
            wstar,
            sigma2,
        })
    }

    /// A problem with explicit eigenvalues and target (used by the sketch in its eigenbasis).
    pub fn new(lambda: Vec<f64>, wstar: Vec<f64>, sigma2: f64) -> Result<Self> {
        if lambda.is_empty() || lambda.len() != wstar.len() {
            return Err(Error::input(
                "problem needs as many eigenvalues as target entries (≥ 1)",
            ));
        }
        if lambda.iter().any(|l| !(l.is_finite() && *l >= 0.0)) {
            return Err(Error::input("eigenvalues must be finite and non-negative"));
        }
        if wstar.iter().any(|w| !w.is_finite()) {
            return Err(Error::input("target entries must be finite"));
        }
        error::non_negative("noise", sigma2)?;
        Ok(Problem {
            lambda,
            wstar,
            sigma2,
        })
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.lambda.len()
    }

    /// Excess risk ‖w − w*‖²_H.
    pub fn excess_risk(&self, w: &[f64]) -> f64 {
        self.lambda
            .iter()
            .zip(w.iter().zip(&self.wstar))
            .map(|(l, (w, s))| l * (w - s) * (w - s))
            .sum()
    }

    /// Excess risk of w = 0, ‖w*‖²_H.
    pub fn initial_risk(&self) -> f64 {
        self.lambda
            .iter()
            .zip(&self.wstar)
            .map(|(l, s)| l * s * s)
            .sum()
    }
}

/// Step-size schedule γ_t = γ·f(t), t = 1..N.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepSchedule {
    /// f = 1.
    Constant,
    /// f = 1 / (1 + t/t0).
    Inverse {
        /// Time scale t0.
        t0: f64,
    },
    /// f = t^−p.
    Poly {
        /// Power p.
        p: f64,
    },
    /// Halve the step `k` times at equally spaced points of the run (geometric decay).
    StepDecay {
        /// Number of halvings.
        k: u32,
    },
}

impl StepSchedule {
    /// Parses `constant`, `inverse:T0`, `poly:P` or `stepdecay:K`.
    pub fn parse(s: &str) -> Result<Self> {
        let l = s.trim().to_ascii_lowercase();
        let (h, r) = l.split_once(':').unwrap_or((l.as_str(), ""));
        let num = |r: &str| -> Result<f64> {
            r.parse::<f64>().map_err(|_| {
                Error::input(format!("schedule parameter '{r}' in '{s}' is not a number"))
            })
        };
        match h {
            "constant" | "const" => Ok(StepSchedule::Constant),
            "inverse" => Ok(StepSchedule::Inverse {
                t0: error::positive("schedule t0", num(r)?)?,
            }),
            "poly" => Ok(StepSchedule::Poly {
                p: error::non_negative("schedule power", num(r)?)?,
            }),
            "stepdecay" | "step-decay" => {
                let k = num(r)?;
                if !((0.0..=60.0).contains(&k) && k.fract() == 0.0) {
                    return Err(Error::input(format!(
                        "step-decay count must be 0..=60, got {r}"
                    )));
                }
                Ok(StepSchedule::StepDecay { k: k as u32 })
            }
            _ => Err(Error::input(format!(
                "unknown schedule '{s}' (expected constant, inverse:T0, poly:P or stepdecay:K)"
            ))),
        }
    }

    /// The step at iteration t (1-based) of an n-step run with base step `gamma`.
    pub fn step(&self, gamma: f64, t: usize, n: usize) -> f64 {
        match *self {
            StepSchedule::Constant => gamma,
            StepSchedule::Inverse { t0 } => gamma / (1.0 + t as f64 / t0),
            StepSchedule::Poly { p } => gamma * (t as f64).powf(-p),
            StepSchedule::StepDecay { k } => {
                let phase = ((t - 1) * (k as usize + 1)) / n.max(1);
                gamma * 0.5f64.powi(phase.min(k as usize) as i32)
            }
        }
    }
}

/// Which iterate is reported.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Averaging {
    /// w_N.
    Last,
    /// (1/N) Σ_{t=1}^N w_t.
    Average,
    /// Average of w_t over t = start+1..N.
    Tail {
        /// Iterations excluded from the average.
        start: usize,
    },
}

impl Averaging {
    /// Parses `last`, `average`/`avg`, or `tail` (second half) / `tail:S`.
    pub fn parse(s: &str, steps: usize) -> Result<Self> {
        let l = s.trim().to_ascii_lowercase();
        match l.as_str() {
            "last" => Ok(Averaging::Last),
            "average" | "avg" | "mean" => Ok(Averaging::Average),
            "tail" => Ok(Averaging::Tail { start: steps / 2 }),
            _ => match l.strip_prefix("tail:") {
                Some(r) => {
                    let start: usize = r.parse().map_err(|_| {
                        Error::input(format!("tail start '{r}' is not a whole number"))
                    })?;
                    if start >= steps {
                        return Err(Error::input(format!(
                            "tail start {start} must be below the number of steps {steps}"
                        )));
                    }
                    Ok(Averaging::Tail { start })
                }
                None => Err(Error::input(format!(
                    "unknown iterate '{s}' (expected last, average, tail or tail:S)"
                ))),
            },
        }
    }

    /// First iteration (1-based) inside the averaging window.
    pub fn window_start(&self) -> usize {
        match *self {
            Averaging::Last | Averaging::Average => 1,
            Averaging::Tail { start } => start + 1,
        }
    }
}

/// Gradient shrinkage (seed 003): the update uses g̃ = q·g + ε, ε ~ N(0, noise_var·I).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shrink {
    /// Shrinkage factor q ∈ (0, 1].
    pub q: f64,
    /// Variance of each coordinate of the additive gradient noise ε.
    pub noise_var: f64,
    /// Divide the step by q (compensation).
    pub compensate: bool,
}

/// Everything that defines one SGD experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SgdConfig {
    /// The regression problem.
    pub problem: Problem,
    /// Batch size B.
    pub batch: usize,
    /// Base step γ (for shrinkage: the nominal step μ).
    pub step: f64,
    /// Number of steps N (one pass: N·B fresh samples).
    pub steps: usize,
    /// Step schedule.
    pub schedule: StepSchedule,
    /// Reported iterate.
    pub averaging: Averaging,
    /// Quantizers of the five targets.
    pub targets: Targets,
    /// Optional gradient shrinkage.
    pub shrink: Option<Shrink>,
    /// Optional bit-level quantizer applied to the whole d-dimensional gradient before the
    /// update (round-to-nearest underflow is what shrinks low-precision gradients).
    pub grad_format: Option<Quantizer>,
}

impl SgdConfig {
    /// Validates the numeric fields.
    pub fn validate(&self) -> Result<()> {
        if self.batch == 0 {
            return Err(Error::input("batch size must be a positive integer, got 0"));
        }
        if self.steps == 0 {
            return Err(Error::input(
                "number of steps must be a positive integer, got 0",
            ));
        }
        error::positive("lr", self.step)?;
        if let Averaging::Tail { start } = self.averaging {
            if start >= self.steps {
                return Err(Error::input(format!(
                    "tail start {start} must be below the number of steps {}",
                    self.steps
                )));
            }
        }
        if let Some(s) = self.shrink {
            if !(s.q.is_finite() && s.q > 0.0 && s.q <= 1.0) {
                return Err(Error::input(format!(
                    "shrinkage q must lie in (0, 1], got {}",
                    s.q
                )));
            }
            error::non_negative("gradient noise variance", s.noise_var)?;
        }
        Ok(())
    }

    /// The nominal step at iteration t (schedule applied, before shrinkage).
    pub fn nominal_step(&self, t: usize) -> f64 {
        self.schedule.step(self.step, t, self.steps)
    }

    /// The effective step multiplying q·g at iteration t: μ_t·q, or μ_t when compensated.
    /// Computed as one product so that shrinkage by q and full precision with step μq follow
    /// the same floating-point path.
    pub fn effective_step(&self, t: usize) -> f64 {
        let mu = self.nominal_step(t);
        match self.shrink {
            Some(s) if s.compensate => mu,
            Some(s) => mu * s.q,
            None => mu,
        }
    }

    /// The step multiplying the additive gradient noise ε at iteration t.
    pub fn noise_step(&self, t: usize) -> f64 {
        let mu = self.nominal_step(t);
        match self.shrink {
            Some(s) if s.compensate => mu / s.q,
            _ => mu,
        }
    }
}

/// Result of one simulated run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// Excess risk of the reported iterate, `None` when the run diverged.
    pub risk: Option<f64>,
    /// Risk of the reported iterate at each checkpoint (NaN after divergence).
    pub curve: Vec<f64>,
    /// Final parameter vector (last iterate).
    pub w_last: Vec<f64>,
    /// Mean measured shrinkage ⟨Q(g), g⟩/‖g‖² when `grad_format` is set.
    pub q_measured: Option<(f64, f64)>,
}

/// A run is declared diverged once its risk exceeds this multiple of the starting scale.
const DIVERGENCE_FACTOR: f64 = 1e10;

/// Simulates one run with its own RNG. `checkpoints` are iteration counts (1..=N) at which the
/// reported iterate's risk is recorded.
pub fn simulate_run(
    cfg: &SgdConfig,
    rng: &mut Xoshiro256PlusPlus,
    checkpoints: &[usize],
) -> Result<RunOutcome> {
    let p = &cfg.problem;
    let d = p.dim();
    let b = cfg.batch;
    let sqrt_l: Vec<f64> = p.lambda.iter().map(|l| l.sqrt()).collect();
    let sigma = p.sigma2.sqrt();
    let t = &cfg.targets;
    let limit = DIVERGENCE_FACTOR * (p.initial_risk() + p.sigma2 + 1.0);

    // The vectors of d (and the batch's b x d) allocated fallibly: an error, never an abort.
    let what = format!("dimension d = {d}, batch {b}");
    let zeros = |len: usize| crate::budget::try_zeroed(len, &what);
    let mut w = zeros(d)?;
    let mut ptilde = zeros(d)?;
    let mut xq = zeros(b.saturating_mul(d))?;
    let mut y = vec![0.0; b];
    let mut s = vec![0.0; b];
    let mut g = if cfg.grad_format.is_some() {
        zeros(d)?
    } else {
        Vec::new()
    };
    let start = cfg.averaging.window_start();
    let mut wsum = zeros(d)?;
    let mut count = 0usize;
    let mut curve = Vec::with_capacity(checkpoints.len());
    let mut ck = checkpoints.iter().peekable();
    let mut diverged = false;
    let (mut qsum, mut qsq, mut qn) = (0.0, 0.0, 0usize);

    let current_risk = |w: &[f64], wsum: &[f64], count: usize| -> f64 {
        match cfg.averaging {
            Averaging::Last => p.excess_risk(w),
            _ if count == 0 => p.excess_risk(w),
            _ => {
                let inv = 1.0 / count as f64;
                p.lambda
                    .iter()
                    .zip(wsum.iter().zip(&p.wstar))
                    .map(|(l, (ws, st))| {
                        let e = ws * inv - st;
                        l * e * e
                    })
                    .sum()
            }
        }
    };

    for it in 1..=cfg.steps {
        ptilde.copy_from_slice(&w);
        t.params.apply(&mut ptilde, rng);
        for j in 0..b {
            let row = &mut xq[j * d..(j + 1) * d];
            let mut yj = 0.0;
            for i in 0..d {
                let z: f64 = rng.sample(StandardNormal);
                let x = sqrt_l[i] * z;
                row[i] = x;
                yj += x * p.wstar[i];
            }
            let xi: f64 = rng.sample(StandardNormal);
            y[j] = yj + sigma * xi;
            t.data.apply(row, rng);
            s[j] = row.iter().zip(&ptilde).map(|(a, b)| a * b).sum();
        }
        t.labels.apply(&mut y, rng);
        t.acts.apply(&mut s, rng);
        // The residual overwrites y: r = Q_o(Q_l(y) − Q_a(s)).
        for j in 0..b {
            y[j] -= s[j];
        }
        t.grads.apply(&mut y, rng);
        if y.iter().any(|r| !r.is_finite() || r.abs() > 1e150) {
            diverged = true;
            break;
        }
        match cfg.grad_format {
            None => {
                let c = cfg.effective_step(it) / b as f64;
                for j in 0..b {
                    let cr = c * y[j];
                    let row = &xq[j * d..(j + 1) * d];
                    for (wi, xi) in w.iter_mut().zip(row) {
                        *wi += cr * xi;
                    }
                }
            }
            Some(qf) => {
                // Full gradient vector (descent direction), quantized as a whole, then applied.
                g.iter_mut().for_each(|v| *v = 0.0);
                let inv_b = 1.0 / b as f64;
                for j in 0..b {
                    let row = &xq[j * d..(j + 1) * d];
                    let r = y[j] * inv_b;
                    for (gi, xi) in g.iter_mut().zip(row) {
                        *gi += r * xi;
                    }
                }
                let gg: f64 = g.iter().map(|v| v * v).sum();
                let gclean = g.clone();
                qf.apply(&mut g, rng);
                if gg > 0.0 {
                    let q = g.iter().zip(&gclean).map(|(a, b)| a * b).sum::<f64>() / gg;
                    qsum += q;
                    qsq += q * q;
                    qn += 1;
                }
                let c = cfg.effective_step(it);
                for (wi, gi) in w.iter_mut().zip(&g) {
                    *wi += c * gi;
                }
            }
        }
        if let Some(sh) = cfg.shrink {
            if sh.noise_var > 0.0 {
                let c = cfg.noise_step(it) * sh.noise_var.sqrt();
                for wi in w.iter_mut() {
                    let z: f64 = rng.sample(StandardNormal);
                    *wi -= c * z;
                }
            }
        }
        if it >= start && cfg.averaging != Averaging::Last {
            for (a, b) in wsum.iter_mut().zip(&w) {
                *a += b;
            }
            count += 1;
        }
        while let Some(&&c) = ck.peek() {
            if c != it {
                break;
            }
            let r = current_risk(&w, &wsum, count);
            if !(r.is_finite() && r <= limit) {
                diverged = true;
            }
            curve.push(if diverged { f64::NAN } else { r });
            ck.next();
        }
        if diverged {
            break;
        }
    }
    while curve.len() < checkpoints.len() {
        curve.push(f64::NAN);
    }
    let risk = if diverged {
        None
    } else {
        let r = current_risk(&w, &wsum, count);
        (r.is_finite() && r <= limit).then_some(r)
    };
    let q_measured = (qn > 0).then(|| {
        let m = qsum / qn as f64;
        (m, (qsq / qn as f64 - m * m).max(0.0).sqrt())
    });
    Ok(RunOutcome {
        risk,
        curve,
        w_last: w,
        q_measured,
    })
}

/// Mean, standard error and per-run values of the excess risk over many runs.
#[derive(Debug, Clone, Serialize)]
pub struct RiskStats {
    /// Mean over the runs that did not diverge (`None` if all diverged).
    pub mean: Option<f64>,
    /// Standard error of the mean (`None` with fewer than two finite runs).
    pub stderr: Option<f64>,
    /// Each run's risk; `null` for a diverged run.
    pub per_run: Vec<Option<f64>>,
}

/// Summary of many runs.
#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    /// Final excess risk.
    pub excess_risk: RiskStats,
    /// Number of runs that diverged.
    pub diverged_runs: usize,
    /// "ok" or "diverged" (any run diverged).
    pub status: &'static str,
    /// Checkpoints (iterations).
    pub checkpoints: Vec<usize>,
    /// Mean risk at each checkpoint over non-diverged runs.
    pub curve_mean: Vec<f64>,
    /// Standard error at each checkpoint.
    pub curve_stderr: Vec<f64>,
    /// Mean measured gradient shrinkage q (and its spread) when a gradient format is used.
    pub q_measured: Option<(f64, f64)>,
}

/// Runs `runs` independent simulations in parallel (run r uses `run_rng(seed, r)`).
pub fn simulate(
    cfg: &SgdConfig,
    runs: usize,
    seed: u64,
    checkpoints: &[usize],
) -> Result<Simulation> {
    cfg.validate()?;
    if runs == 0 {
        return Err(Error::input(
            "number of runs must be a positive integer, got 0",
        ));
    }
    let mut cks: Vec<usize> = checkpoints
        .iter()
        .copied()
        .filter(|&c| c >= 1 && c <= cfg.steps)
        .collect();
    cks.sort_unstable();
    cks.dedup();
    let run_ids: Vec<u64> = (0..runs as u64).collect();
    let opts = RunOptions {
        threads: None,
        progress: true,
    };
    let outs: Vec<RunOutcome> = crate::parallel::try_map(&run_ids, &opts, "sgd runs", |&r| {
        simulate_run(cfg, &mut run_rng(seed, r), &cks)
    })?;
    let per_run: Vec<Option<f64>> = outs.iter().map(|o| o.risk).collect();
    let diverged_runs = per_run.iter().filter(|r| r.is_none()).count();
    let s = summarize(per_run.iter().flatten().copied());
    let mut curve_mean = Vec::with_capacity(cks.len());
    let mut curve_stderr = Vec::with_capacity(cks.len());
    for k in 0..cks.len() {
        let c = summarize(outs.iter().map(|o| o.curve[k]));
        curve_mean.push(c.mean);
        curve_stderr.push(c.stderr);
    }
    let qs: Vec<(f64, f64)> = outs.iter().filter_map(|o| o.q_measured).collect();
    let q_measured = (!qs.is_empty()).then(|| {
        let n = qs.len() as f64;
        (
            qs.iter().map(|q| q.0).sum::<f64>() / n,
            qs.iter().map(|q| q.1).sum::<f64>() / n,
        )
    });
    Ok(Simulation {
        excess_risk: RiskStats {
            mean: (s.n > 0).then_some(s.mean),
            stderr: (s.n > 1).then_some(s.stderr),
            per_run,
        },
        diverged_runs,
        status: if diverged_runs > 0 { "diverged" } else { "ok" },
        checkpoints: cks,
        curve_mean,
        curve_stderr,
        q_measured,
    })
}

/// Roughly log-spaced checkpoints 1..=n (at most `count` of them, always including n).
pub fn log_checkpoints(n: usize, count: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..count.max(2))
        .map(|k| {
            let f = k as f64 / (count.max(2) - 1) as f64;
            ((n as f64).powf(f)).round() as usize
        })
        .map(|c| c.clamp(1, n.max(1)))
        .collect();
    v.push(n.max(1));
    v.sort_unstable();
    v.dedup();
    v
}
