//! `quantreplica qat`: quantization-aware training by SGD on many finite instances, against the
//! β = ∞ RS theory.

use super::amp::{print_header, print_summary};
use super::model_args::{ModelArgs, SimArgs};
use crate::error::{Error, Result};
use crate::qat::{QatOptions, QatSchedule, Rounding};
use crate::spec::parse_finite;
use crate::validate::run_qat;

/// Flags of `quantreplica qat` (the model's --beta is ignored: training is the β = ∞ problem).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Instances and seeds.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Passes over the data.
    #[arg(long, default_value = "60")]
    pub epochs: usize,
    /// Minibatch size.
    #[arg(long, default_value = "8")]
    pub batch: usize,
    /// Step γ per sample (one epoch of steps sums to γ∇H).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0.5")]
    pub lr: f64,
    /// Schedule: step (decay every --decay-every epochs by --decay) or constant.
    #[arg(long, default_value = "step")]
    pub schedule: String,
    /// Epochs between step decays.
    #[arg(long, default_value = "15")]
    pub decay_every: usize,
    /// Step decay factor in (0, 1].
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0.5")]
    pub decay: f64,
    /// Forward rounding during training: nearest or stochastic.
    #[arg(long, default_value = "nearest")]
    pub rounding: String,
    /// Latent initialization scale (standard deviation / largest level).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0.1")]
    pub init_scale: f64,
}

/// Runs `qat`.
pub fn run(a: &Args, force: bool) -> Result<()> {
    let schedule = match a.schedule.trim() {
        "step" => QatSchedule::Step {
            every: a.decay_every,
            factor: a.decay,
        },
        "constant" => QatSchedule::Constant,
        o => {
            return Err(Error::input(format!(
                "unknown --schedule '{o}' (expected step or constant)"
            )))
        }
    };
    let rounding: Rounding = a.rounding.parse()?;
    let opts = QatOptions {
        epochs: a.epochs,
        batch: a.batch,
        lr: a.lr,
        schedule,
        rounding,
        init_scale: a.init_scale,
    };
    crate::qat::check(&opts)?;
    let (model, spec) = a.sim.resolve(&a.model, 500)?;
    super::cost::check_loaded(super::cost::Loaded::Qat(a, &spec), force)?;
    let r = run_qat(&model, &spec, &opts)?;
    if a.sim.json {
        return crate::output::print_json(&r);
    }
    println!(
        "QAT: N={} M={} seeds={} epochs={} (theory: RS at beta = inf)",
        r.n, r.m, r.seeds, opts.epochs
    );
    print_header();
    print_summary("gen_error", &r.gen_error);
    print_summary("train_error", &r.train_error);
    Ok(())
}
