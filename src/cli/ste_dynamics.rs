//! `quantreplica ste-dynamics`: the N → ∞ theory of online straight-through SGD
//! (docs/ste.md), and with `--n N` the finite-N simulation at the same times.

use super::model_args::ModelArgs;
use crate::error::Result;
use crate::report::plot::{LineChart, Series};
use crate::spec::parse_finite;
use crate::ste::{self, FpOptions, Report, SimOptions, SteOptions};
use std::path::PathBuf;

/// Flags of `quantreplica ste-dynamics` (the model's --alpha is not used: online training sees
/// fresh samples, t = steps/N plays its role; --beta must be inf and --ridge 0).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Step size η (inputs x ~ N(0, I/N)).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0.5")]
    pub lr: f64,
    /// Times `T0:T1:COUNT` (COUNT evenly spaced times, t = steps/N).
    #[arg(long, allow_hyphen_values = true, default_value = "0:10:21")]
    pub time: String,
    /// Clip the straight-through gradient outside [−ω, ω].
    #[arg(long)]
    pub clip: bool,
    /// Variance of the latent initialization N(0, V).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "1")]
    pub init_var: f64,
    /// Weight decay λ per unit time on the latent weights (ηλ/N per step).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "0")]
    pub weight_decay: f64,
    /// Also simulate with N weights.
    #[arg(long)]
    pub n: Option<usize>,
    /// Simulation seeds.
    #[arg(long, default_value = "10")]
    pub seeds: usize,
    /// Base seed.
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// Resolution of the density solver (2: every mesh and step parameter halved).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_finite, default_value = "1")]
    pub refine: f64,
    /// Write a figure: STEM.png and STEM.svg (`--plot` is the old name).
    #[arg(long = "out", alias = "plot", value_name = "STEM")]
    pub out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Parses `T0:T1:COUNT`.
pub fn parse_time(s: &str) -> Result<Vec<f64>> {
    ste::parse_time(s)
}

/// Runs `ste-dynamics`.
pub fn run(a: &Args) -> Result<()> {
    let times = parse_time(&a.time)?;
    crate::error::positive("--refine", a.refine)?;
    if let Some(stem) = &a.out {
        crate::output::check_stem(stem, &["png", "svg"])?;
    }
    let model = a.model.model()?;
    let opts = SteOptions {
        lr: a.lr,
        clip: a.clip,
        init_var: a.init_var,
        weight_decay: a.weight_decay,
    };
    let dynamics = ste::Dynamics::from_model(&model, opts)?;
    let sim = a.n.map(|n| SimOptions {
        n,
        seeds: a.seeds,
        seed: a.seed,
    });
    let fp = FpOptions::default().refined(a.refine);
    let rep = ste::report(&dynamics, &times, &fp, sim.as_ref())?;
    if let Some(stem) = &a.out {
        let chart = chart(&rep);
        crate::report::plot::save(&chart, stem, (900, 600))?;
    }
    if a.json {
        return crate::output::print_json(&rep);
    }
    print_text(&rep);
    Ok(())
}

/// The figure: theory line(s), simulation points with error bars.
pub fn chart(rep: &Report) -> LineChart {
    let th = &rep.theory.points;
    let mut series = vec![Series::line(
        "theory: ε_g (deployed weights)",
        th.iter().map(|p| (p.time, p.gen_error)).collect(),
    )
    .colour(0)];
    if let Some(s) = &rep.simulation {
        let pts = s
            .times
            .iter()
            .copied()
            .zip(s.gen_error.mean.iter().copied());
        series.push(
            Series::points(
                format!("simulation N = {}, {} seeds", s.options.n, s.options.seeds),
                pts.collect(),
                Some(s.gen_error.stderr.clone()),
            )
            .colour(1),
        );
    }
    if let Some(f) = rep.fixed_points.iter().find(|f| f.stable) {
        let (t0, t1) = (th[0].time, th[th.len() - 1].time);
        series.push(
            Series::line(
                "stationary point",
                vec![(t0, f.gen_error), (t1, f.gen_error)],
            )
            .mark(crate::report::plot::Mark::Dashed)
            .colour(2),
        );
    }
    if let Some(r) = rep.rs_ground_state {
        let (t0, t1) = (th[0].time, th[th.len() - 1].time);
        series.push(
            Series::line("RS ground state, α → ∞", vec![(t0, r), (t1, r)])
                .mark(crate::report::plot::Mark::Dashed)
                .colour(7),
        );
    }
    LineChart {
        title: format!(
            "Online STE-SGD, η = {}{}",
            rep.dynamics.opts.lr,
            if rep.dynamics.opts.clip {
                ", clipped"
            } else {
                ""
            }
        ),
        x_label: "t = steps / N".into(),
        y_label: "ε_g".into(),
        series,
        ..LineChart::default()
    }
}

fn print_text(rep: &Report) {
    let d = &rep.dynamics;
    println!(
        "STE dynamics: eta={} clip={} init_var={} weight_decay={} noise={} levels={}",
        d.opts.lr,
        d.opts.clip,
        d.opts.init_var,
        d.opts.weight_decay,
        d.noise,
        d.student
            .levels()
            .map_or("continuous".to_string(), |l| format!("{:?}", l.values()))
    );
    let sim = rep.simulation.as_ref();
    match sim {
        Some(s) => println!(
            "{:>8} {:>12} {:>12} {:>12} {:>10} {:>7}   (simulation N={}, {} seeds)",
            "t", "eps_g", "eps_latent", "sim_eps_g", "sim_se", "z", s.options.n, s.options.seeds
        ),
        None => println!("{:>8} {:>12} {:>12}", "t", "eps_g", "eps_latent"),
    }
    for (j, p) in rep.theory.points.iter().enumerate() {
        match sim {
            Some(s) => {
                let (m, se) = (s.gen_error.mean[j], s.gen_error.stderr[j]);
                // One seed has no standard error: a dash, never NaN.
                let f = |v: f64, w: usize, p: usize| {
                    if v.is_finite() {
                        format!("{v:>w$.p$}")
                    } else {
                        format!("{:>w$}", "-")
                    }
                };
                println!(
                    "{:>8.4} {:>12.6} {:>12.6} {} {} {}",
                    p.time,
                    p.gen_error,
                    p.latent_error,
                    f(m, 12, 6),
                    f(se, 10, 6),
                    f((m - p.gen_error) / se, 7, 2)
                );
            }
            None => println!(
                "{:>8.4} {:>12.6} {:>12.6}",
                p.time, p.gen_error, p.latent_error
            ),
        }
    }
    for f in &rep.fixed_points {
        println!(
            "fixed point: eps_g = {:.6} ({}, F' = {:.3})",
            f.gen_error,
            if f.stable { "stable" } else { "unstable" },
            f.slope
        );
    }
    if let Some(h) = rep.half_time {
        println!("half time (eps_g halfway to the stable fixed point): {h:.4}");
    }
    if let Some(r) = rep.rs_ground_state {
        println!("RS ground state (beta = inf, alpha = 1000): eps_g = {r:.6}");
    }
}
