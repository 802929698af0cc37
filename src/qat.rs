//! Quantization-aware training by SGD, as practitioners train quantized models: latent real
//! weights u, the forward pass through the quantized weights `w = Q(u)` (nearest level or
//! stochastic rounding), straight-through gradients (`∂w/∂u := 1`), minibatches and a step
//! schedule. The latent weights are clipped to the level range, as BinaryConnect does, so
//! that the straight-through estimator cannot drift them where the quantizer is flat.
//!
//! The training loss is the energy `H(w) = Σ_μ ℓ(y_μ, x_μ·w) + (λ/2)‖w‖²` of the model's output
//! channel (Gaussian: `½‖y − Xw‖²`), whose gradient is [`OutputChannel::dloss_dz`]; one epoch of
//! minibatch steps of size γ sums to one step of γ∇H. Its ground state is what the β = ∞ RS theory
//! (THEORY.md §3) describes.

use crate::error::{Error, Result};
use crate::instance::{rng_for, Instance};
use crate::model::{Model, OutputChannel, Student};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::Serialize;

/// How latent weights are rounded in the forward pass (the crate's one rounding enum).
pub use crate::model::rounding::Rounding;

/// Learning-rate schedule over epochs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QatSchedule {
    /// Constant step.
    Constant,
    /// Multiply the step by `factor` every `every` epochs.
    Step {
        /// Epochs between decays.
        every: usize,
        /// Decay factor.
        factor: f64,
    },
}

impl QatSchedule {
    /// Step size at `epoch` (0-based) for base step `lr`.
    pub fn lr(&self, lr: f64, epoch: usize) -> f64 {
        match self {
            QatSchedule::Constant => lr,
            QatSchedule::Step { every, factor } => {
                lr * factor.powi((epoch / (*every).max(1)) as i32)
            }
        }
    }
}

/// QAT settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QatOptions {
    /// Passes over the data.
    pub epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Base step γ per sample (an epoch of steps sums to γ∇H).
    pub lr: f64,
    /// Step schedule.
    pub schedule: QatSchedule,
    /// Forward-pass rounding during training (evaluation always uses the nearest level, the
    /// deployed model).
    pub rounding: Rounding,
    /// Standard deviation of the latent initialization, in units of the largest level.
    pub init_scale: f64,
}

impl Default for QatOptions {
    fn default() -> Self {
        QatOptions {
            epochs: 60,
            batch: 8,
            lr: 0.5,
            schedule: QatSchedule::Step {
                every: 15,
                factor: 0.5,
            },
            rounding: Rounding::Nearest,
            init_scale: 0.1,
        }
    }
}

/// Errors after one epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QatEpoch {
    /// Epoch number (1-based; 0 is the initialization).
    pub epoch: usize,
    /// `‖Q(u) − w0‖²/N` (NaN, written null, without a teacher).
    pub gen_error: f64,
    /// `‖y − XQ(u)‖²/M`.
    pub train_error: f64,
}

/// Result of one QAT run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QatResult {
    /// Per-epoch errors of the deployed (nearest-level) model.
    pub history: Vec<QatEpoch>,
    /// Final generalization error (None without a teacher).
    pub gen_error: Option<f64>,
    /// Final training error.
    pub train_error: f64,
    /// The final quantized weights.
    pub w: Vec<f64>,
}

/// Checks QAT options.
pub fn check(opts: &QatOptions) -> Result<()> {
    if opts.epochs == 0 {
        return Err(Error::input("epochs must be at least 1"));
    }
    if opts.batch == 0 {
        return Err(Error::input("batch must be at least 1"));
    }
    if !(opts.lr > 0.0 && opts.lr.is_finite()) {
        return Err(Error::input(format!(
            "lr must be positive, got {}",
            opts.lr
        )));
    }
    if let QatSchedule::Step { every, factor } = opts.schedule {
        if every == 0 {
            return Err(Error::input(
                "step schedule: decay every must be at least 1 epoch, got 0",
            ));
        }
        if !(factor > 0.0 && factor <= 1.0) {
            return Err(Error::input(format!(
                "step schedule: decay factor must be in (0, 1], got {factor}"
            )));
        }
    }
    if !(opts.init_scale >= 0.0 && opts.init_scale.is_finite()) {
        return Err(Error::input(format!(
            "init scale must be non-negative, got {}",
            opts.init_scale
        )));
    }
    Ok(())
}

/// Trains one model by QAT on one instance; `seed` drives initialization, shuffling and
/// stochastic rounding. The model's β is not used (training is the β = ∞ problem).
pub fn run(model: &Model, inst: &Instance, opts: &QatOptions, seed: u64) -> Result<QatResult> {
    check(opts)?;
    let chan = &model.channel;
    if chan.dloss_dz(0.0, 0.0).is_none() {
        return Err(Error::input(
            "QAT needs a differentiable loss: this output channel has no gradient",
        ));
    }
    let (m, n) = (inst.m(), inst.n());
    let student = &model.student;
    let levels: Option<&[f64]> = student.levels().map(|l| l.values());
    let (lo, hi) = match levels {
        Some(v) => (v[0], v[v.len() - 1]),
        None => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let scale = match &model.student {
        Student::Discrete(_) => lo.abs().max(hi.abs()),
        Student::Continuous => model.rho().sqrt(),
    };
    let mut rng = rng_for(seed, 7);
    let mut u: Vec<f64> = (0..n)
        .map(|_| {
            let z: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
            (opts.init_scale * scale * z).clamp(lo, hi)
        })
        .collect();
    // Row-major copy of X: SGD reads one sample (row) at a time.
    let xt = inst.x.transpose();
    let xr = xt.as_slice();
    let y = inst.y.as_slice();
    let mut order: Vec<usize> = (0..m).collect();
    let mut w = vec![0.0; n];
    let mut grad = vec![0.0; n];
    let mut history: Vec<QatEpoch> = crate::budget::try_with_capacity(
        opts.epochs.saturating_add(1),
        &format!("--epochs {}", opts.epochs),
    )?;
    let eval = |u: &[f64]| -> (Vec<f64>, QatEpoch) {
        let wq: Vec<f64> = u
            .iter()
            .map(|x| student.round(*x, Rounding::Nearest, 0.0))
            .collect();
        let ge = inst.gen_error(&wq).unwrap_or(f64::NAN);
        let te = inst.train_error(&model.channel, &wq);
        (
            wq,
            QatEpoch {
                epoch: 0,
                gen_error: ge,
                train_error: te,
            },
        )
    };
    history.push(eval(&u).1);
    let ridge_share = model.ridge / m as f64;
    for epoch in 0..opts.epochs {
        crate::parallel::check_interrupted()?;
        let lr = opts.schedule.lr(opts.lr, epoch);
        order.shuffle(&mut rng);
        for batch in order.chunks(opts.batch) {
            for (wi, ui) in w.iter_mut().zip(&u) {
                let coin = match opts.rounding {
                    Rounding::Nearest => 0.0,
                    Rounding::Stochastic => rng.random(),
                };
                *wi = student.round(*ui, opts.rounding, coin);
            }
            grad.iter_mut().for_each(|g| *g = 0.0);
            for &mu in batch {
                let row = &xr[mu * n..(mu + 1) * n];
                let pred: f64 = row.iter().zip(&w).map(|(a, b)| a * b).sum();
                let e = chan.dloss_dz(y[mu], pred).unwrap_or(f64::NAN);
                for (g, x) in grad.iter_mut().zip(row) {
                    *g += e * x;
                }
            }
            let rb = ridge_share * batch.len() as f64;
            for i in 0..n {
                // Straight-through: the gradient with respect to w is applied to u.
                u[i] = (u[i] - lr * (grad[i] + rb * w[i])).clamp(lo, hi);
            }
        }
        let (_, mut rec) = eval(&u);
        rec.epoch = epoch + 1;
        if !rec.train_error.is_finite() || u.iter().any(|x| !x.is_finite()) {
            return Err(Error::Numerics(format!(
                "QAT diverged at epoch {} (try a smaller --lr)",
                epoch + 1
            )));
        }
        history.push(rec);
    }
    let (wq, last) = eval(&u);
    Ok(QatResult {
        gen_error: inst.w0.as_ref().map(|_| last.gen_error),
        train_error: last.train_error,
        history,
        w: wq,
    })
}
