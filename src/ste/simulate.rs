//! Online straight-through SGD at finite N: one fresh sample `x ~ N(0, I/N)`,
//! `y = x·w0 + ξ` per step, the forward pass through the nearest levels `Q(u)` and the update
//! `u ← u(1 − ηλ/N) + η (y − x·Q(u)) x ⊙ g(u)`; time t = steps/N. Every seed has its own
//! teacher, initialization and data streams (`derive_seed`), so the result does not depend on
//! the number of threads. The seeds run as a [`crate::parallel`] map: under a cancelled
//! [`Watch`](crate::parallel::Watch) (Ctrl-C, Python) no seed starts and the seeds under way stop
//! at their next step, and the simulation returns [`Error::Interrupted`].

use super::Dynamics;
use crate::error::{Error, Result};
use crate::instance::{derive_seed, rng_for};
use crate::model::LevelSet;
use crate::stats::mean_stderr;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

/// Finite-size simulation settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SimOptions {
    /// Number of weights N.
    pub n: usize,
    /// Independent runs (teacher, initialization and data drawn afresh).
    pub seeds: usize,
    /// Base seed.
    pub seed: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            n: 3000,
            seeds: 10,
            seed: 1,
        }
    }
}

/// Largest `seeds · steps · N` a simulation may request (about an hour on one core).
pub const MAX_WORK: f64 = 2e12;

/// Mean and standard error over seeds of one observable at each time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimSeries {
    /// Mean over seeds.
    pub mean: Vec<f64>,
    /// Standard error of the mean.
    pub stderr: Vec<f64>,
}

/// Result of the finite-size simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// Settings used.
    pub options: SimOptions,
    /// Times t = steps/N (each rounded to a whole number of steps).
    pub times: Vec<f64>,
    /// `‖w0 − Q(u)‖²/N`.
    pub gen_error: SimSeries,
    /// `‖w0 − u‖²/N`.
    pub latent_error: SimSeries,
}

fn run_seed(
    dyn_: &Dynamics,
    quant: Option<&LevelSet>,
    steps: &[u64],
    n: usize,
    seed: u64,
    bar: &crate::parallel::Steps,
) -> Result<Vec<[f64; 2]>> {
    let o = &dyn_.opts;
    let mut rt = rng_for(seed, 1);
    let w0: Vec<f64> = (0..n).map(|_| dyn_.teacher.sample(&mut rt)).collect();
    let mut ri = rng_for(seed, 2);
    let sd0 = o.init_var.sqrt();
    let mut u: Vec<f64> = (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut ri);
            sd0 * z
        })
        .collect();
    let q = |x: f64| quant.map_or(x, |qq| qq.nearest(x));
    let mut d: Vec<f64> = w0.iter().zip(&u).map(|(a, b)| a - q(*b)).collect();
    let mut x = vec![0.0; n];
    let mut rd = rng_for(seed, 3);
    let scale = 1.0 / (n as f64).sqrt();
    let sigma = dyn_.noise.sqrt();
    let decay = 1.0 - o.lr * o.weight_decay / n as f64;
    let width = dyn_.width();
    let clip = o.clip;
    let mut out = Vec::with_capacity(steps.len());
    let mut done = 0u64;
    let record = |u: &[f64], d: &[f64]| -> [f64; 2] {
        let eg = d.iter().map(|v| v * v).sum::<f64>() / n as f64;
        let el = w0
            .iter()
            .zip(u)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / n as f64;
        [eg, el]
    };
    for &target in steps {
        while done < target {
            crate::parallel::check_interrupted()?;
            let mut dot = 0.0;
            for (xi, di) in x.iter_mut().zip(&d) {
                let z: f64 = StandardNormal.sample(&mut rd);
                *xi = z * scale;
                dot += *xi * di;
            }
            let xi: f64 = StandardNormal.sample(&mut rd);
            let c = o.lr * (dot + sigma * xi);
            for i in 0..n {
                let ui = u[i];
                let g = if clip && ui.abs() > width { 0.0 } else { 1.0 };
                let nu = ui * decay + c * x[i] * g;
                u[i] = nu;
                d[i] = w0[i] - q(nu);
            }
            done += 1;
        }
        out.push(record(&u, &d));
        bar.inc(1);
    }
    Ok(out)
}

/// Checks simulation settings against a time grid: N ≥ 2, at least one seed, and a request
/// small enough for the machine (`seeds · steps · N ≤ MAX_WORK`).
pub fn check(_dyn: &Dynamics, times: &[f64], opts: &SimOptions) -> Result<()> {
    super::check_times(times)?;
    if opts.n < 2 {
        return Err(Error::input(format!(
            "n must be at least 2, got {}",
            opts.n
        )));
    }
    if opts.seeds == 0 {
        return Err(Error::input("seeds must be at least 1"));
    }
    let n = opts.n as f64;
    let last = times[times.len() - 1];
    let work = opts.seeds as f64 * last * n * n;
    if work > MAX_WORK {
        return Err(Error::input(format!(
            "simulation too large: seeds x steps x N = {work:.3e} (limit {MAX_WORK:.0e}); use fewer seeds, a smaller n or a shorter time"
        )));
    }
    Ok(())
}

/// Simulates online STE-SGD and reports mean ± standard error over seeds at `times`.
pub fn simulate(dyn_: &Dynamics, times: &[f64], opts: &SimOptions) -> Result<Simulation> {
    check(dyn_, times, opts)?;
    let n = opts.n as f64;
    let steps: Vec<u64> = times.iter().map(|t| (t * n).round() as u64).collect();
    let quant = dyn_.levels();
    // Progress: a step per seed and recorded time.
    let bar = crate::parallel::Steps::new((opts.seeds * times.len()) as u64, "STE simulation");
    let seeds: Vec<u64> = (0..opts.seeds as u64).collect();
    let runs: Vec<Vec<[f64; 2]>> = crate::parallel::try_map_in_steps(&seeds, None, |&s| {
        run_seed(dyn_, quant, &steps, opts.n, derive_seed(opts.seed, s), &bar)
    })?;
    drop(bar);
    let series = |k: usize| {
        let (mut mean, mut stderr) = (Vec::new(), Vec::new());
        for j in 0..times.len() {
            let v: Vec<f64> = runs.iter().map(|r| r[j][k]).collect();
            let (m, s) = mean_stderr(&v);
            mean.push(m);
            stderr.push(s);
        }
        SimSeries { mean, stderr }
    };
    if runs.iter().flatten().any(|r| !r[0].is_finite()) {
        return Err(Error::Numerics(
            "online STE-SGD diverged (try a smaller --lr)".into(),
        ));
    }
    Ok(Simulation {
        options: *opts,
        times: steps.iter().map(|s| *s as f64 / n).collect(),
        gen_error: series(0),
        latent_error: series(1),
    })
}
