//! The flag groups shared by the commands: the model flags ([`ModelArgs`], turned into a
//! [`ModelSpec`]), where a table goes ([`OutputArgs`]), how many threads ([`ThreadsArgs`]), and
//! the instances and seeds of the simulation commands ([`SimArgs`]).

use crate::error::{Error, Result};
use crate::model::spec::parse_list;
use crate::model::{Channel, Labels, Model};
use crate::parallel::RunOptions;
use crate::spec::{parse_beta, parse_finite, parse_labels, ChannelKind, ModelSpec};
use crate::validate::{RunSpec, Source};
use std::path::PathBuf;

/// Model flags: `--alpha --noise [--bits --width | --levels] [--beta] [--ridge] [--teacher]
/// [--channel sign --flip --labels --margin]`.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Samples per weight α = M/N (> 0).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "2")]
    pub alpha: f64,
    /// Label-noise variance σ² (≥ 0) of the Gaussian channel [default: 0.1].
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite)]
    pub noise: Option<f64>,
    /// Bits b of the quantizer (1..=16).
    #[arg(long, default_value = "2")]
    pub bits: u32,
    /// Quantization width ω: levels span [−ω, ω] (uniform, midtread, pow2).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "1")]
    pub width: f64,
    /// Level set: uniform, midtread, lloyd-max, quantile, pow2, continuous, custom:v1,v2,..., asq:S.
    #[arg(long, allow_hyphen_values = true, default_value = "uniform")]
    pub levels: String,
    /// Level weights π (comma-separated, one per level).
    #[arg(long, allow_hyphen_values = true)]
    pub level_weights: Option<String>,
    /// Inverse temperature β (> 0) or `inf` for the trained (ground-state) model.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_beta, default_value = "inf")]
    pub beta: f64,
    /// Ridge penalty λ (≥ 0).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0")]
    pub ridge: f64,
    /// Teacher prior: gaussian, binary, discrete:v1,v2,..., sparse:F.
    #[arg(long, allow_hyphen_values = true, default_value = "gaussian")]
    pub teacher: String,
    /// Teacher variance ρ (scale of gaussian, binary and sparse teachers).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "1")]
    pub teacher_var: f64,
    /// Probabilities of a discrete teacher's values (comma-separated).
    #[arg(long, allow_hyphen_values = true)]
    pub teacher_probs: Option<String>,
    /// Output channel: gaussian (regression, squared loss) or sign (classification: labels
    /// sign(x·w0), energy = number of errors).
    #[arg(long, default_value = "gaussian")]
    pub channel: String,
    /// Sign channel: label-flip probability p in [0, 1/2].
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0")]
    pub flip: f64,
    /// Sign channel: labels from the teacher, or random ±1 labels (the storage problem).
    #[arg(long, default_value = "teacher")]
    pub labels: String,
    /// Sign channel: margin κ (an error when y x·w ≤ κ‖w‖/√N).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0")]
    pub margin: f64,
}

impl ModelArgs {
    /// The flags as a model specification (the comma lists parsed; nothing else validated).
    pub fn spec(&self) -> Result<ModelSpec> {
        let list =
            |s: &Option<String>, what: &str| s.as_deref().map(|v| parse_list(v, what)).transpose();
        // In the order the model is validated: the teacher's probabilities, then the weights.
        let teacher_probs = list(&self.teacher_probs, "teacher probability")?;
        let level_weights = list(&self.level_weights, "level weight")?;
        let channel: ChannelKind = self.channel.parse()?;
        let labels = parse_labels(&self.labels)?;
        let defaults = ModelSpec::default();
        if let (ChannelKind::Sign, Some(noise)) = (channel, self.noise) {
            return Err(Error::input(format!(
                "--noise {noise} is the Gaussian channel's label noise; the sign channel's is --flip"
            )));
        }
        Ok(ModelSpec {
            alpha: self.alpha,
            noise: self.noise.unwrap_or(defaults.noise),
            bits: self.bits,
            width: self.width,
            levels: self.levels.clone(),
            level_weights,
            beta: self.beta,
            ridge: self.ridge,
            teacher: self.teacher.clone(),
            teacher_var: self.teacher_var,
            teacher_probs,
            channel,
            flip: self.flip,
            labels,
            margin: self.margin,
        })
    }
}

/// Where a command writes its table: `--csv FILE` (atomically) or `--json` on stdout; with
/// neither, CSV on stdout.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Write CSV to this file (a regular file replaced atomically; a device or FIFO such as
    /// /dev/stdout written as a stream). Without --csv or --json, CSV goes to stdout.
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    pub csv: Option<PathBuf>,
    /// Print a JSON array of rows on stdout.
    #[arg(long)]
    pub json: bool,
}

impl OutputArgs {
    /// Checks the `--csv` path before computing ([`crate::output::Sink::new`]).
    pub fn check(&self) -> Result<()> {
        if let Some(p) = &self.csv {
            crate::output::Sink::new(p)?;
        }
        Ok(())
    }
}

/// `--threads T`.
#[derive(Debug, Clone, clap::Args)]
pub struct ThreadsArgs {
    /// Worker threads (default: RAYON_NUM_THREADS or every core).
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
}

impl ThreadsArgs {
    /// The run options (progress bar on a terminal), refusing `--threads` outside
    /// 1..=[`crate::budget::max_threads`].
    pub fn run_options(&self) -> Result<RunOptions> {
        Ok(RunOptions {
            threads: crate::budget::threads(self.threads)?,
            progress: true,
        })
    }
}

impl ModelArgs {
    /// The validated model of the flags.
    pub fn model(&self) -> Result<Model> {
        self.spec()?.build()
    }
}

/// Instance and seed flags shared by the simulation commands.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Number of weights N (≥ 2); M = round(αN). Default: 1000 (amp), 200 (gibbs), 500 (qat).
    #[arg(long)]
    pub n: Option<usize>,
    /// Number of seeds (independent instances, or independent runs on a data file).
    #[arg(long, default_value = "4")]
    pub seeds: usize,
    /// Base seed; seed s uses streams derived from (base, s).
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// Inputs X (M rows × N columns) as CSV or .npy; needs --y. α is then M/N.
    #[arg(long)]
    pub x: Option<PathBuf>,
    /// Labels y (M values) as CSV or .npy; needs --x.
    #[arg(long)]
    pub y: Option<PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

impl SimArgs {
    /// The model (α replaced by M/N of a data file) and the run specification.
    pub fn resolve(&self, model_args: &ModelArgs, default_n: usize) -> Result<(Model, RunSpec)> {
        if self.seeds == 0 {
            return Err(Error::input("--seeds must be at least 1, got 0"));
        }
        let model = model_args.model()?;
        let (model, source) = match (&self.x, &self.y) {
            (Some(x), Some(y)) => Source::from_files(model, x, y)?,
            (Some(_), None) => return Err(Error::input("--x needs --y (the labels file)")),
            (None, Some(_)) => return Err(Error::input("--y needs --x (the inputs file)")),
            (None, None) => {
                let source = Source::generated(&model, self.n.unwrap_or(default_n))?;
                (model, source)
            }
        };
        Ok((
            model,
            RunSpec {
                source,
                seeds: self.seeds,
                base_seed: self.seed,
                progress: !self.json,
            },
        ))
    }
}

/// The output channel as the text headers show it: `noise=σ²` for the Gaussian channel (as
/// before the sign channel existed), `channel=sign flip=p labels=… margin=κ` for the sign channel.
pub fn channel_text(model: &Model) -> String {
    match &model.channel {
        Channel::Gaussian(_) => format!("noise={}", model.noise),
        Channel::Sign(c) => match c.labels {
            Labels::Teacher => format!(
                "channel=sign labels=teacher flip={} margin={}",
                c.flip, c.margin
            ),
            Labels::Random => format!("channel=sign labels=random margin={}", c.margin),
        },
    }
}
