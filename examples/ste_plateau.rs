//! Issue 15: how long online straight-through training takes, against the quantization range ω
//! and the bit count b (docs/ste.md §7). For each level set the N → ∞ theory of
//! `quantreplica ste-dynamics` (η = 0.5, σ² = 0, u(0) ~ N(0, 1), Gaussian teacher ρ = 1, plain
//! STE, `--time 0:20:201 --refine 0.5`) gives ε_g(t), its stable stationary value ε* and the half
//! time t½ (first time ε_g falls below the midpoint between ε_g(0) and ε*); drop(0.5) is the
//! fraction of the total drop done by t = 0.5 (a plateau would give ≈ 0).
//!
//! Prints the table of docs/ste.md §7 (the widths 0.5, 1, 2, 4) and draws t½ against ω for
//! every level set on a finer grid of widths: `figures/ste_plateau.{png,svg}` (curves that rise
//! instead of falling, wide mid-tread grids, are left out of the figure).
//!
//! ```sh
//! cargo run --release --example ste_plateau [-- OUT_STEM]
//! ```

use quantreplica::model::{LevelSet, Student, TeacherPrior};
use quantreplica::parallel::{map, RunOptions};
use quantreplica::report::plot::{save, Legend, LineChart, Mark, Series};
use quantreplica::ste::{self, Dynamics, FpOptions, Report, SteOptions};
use std::path::PathBuf;

/// The level sets: (kind, bits, first palette colour, mark).
const KINDS: [(&str, u32, usize, Mark); 5] = [
    ("uniform", 1, 0, Mark::LinePoints),
    ("uniform", 2, 1, Mark::LinePoints),
    ("uniform", 3, 2, Mark::LinePoints),
    ("midtread", 2, 1, Mark::Dashed),
    ("midtread", 3, 2, Mark::Dashed),
];
/// Widths of the table; the figure adds the ones between.
const TABLE_WIDTHS: [f64; 4] = [0.5, 1.0, 2.0, 4.0];
const FIGURE_WIDTHS: [f64; 9] = [0.25, 0.354, 0.5, 0.707, 1.0, 1.414, 2.0, 2.828, 4.0];

/// ε_g(t) by linear interpolation on the reported times.
fn at(rep: &Report, t: f64) -> f64 {
    let p = &rep.theory.points;
    let i = p.partition_point(|x| x.time < t).clamp(1, p.len() - 1);
    let (a, b) = (&p[i - 1], &p[i]);
    a.gen_error + (t - a.time) / (b.time - a.time) * (b.gen_error - a.gen_error)
}

fn main() -> quantreplica::Result<()> {
    let stem = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("figures/ste_plateau"), PathBuf::from);
    let times = ste::time_grid(0.0, 20.0, 201)?;
    let fp = FpOptions::default().refined(0.5);
    let mut cases = Vec::new();
    for (k, &(kind, bits, _, _)) in KINDS.iter().enumerate() {
        for &w in &FIGURE_WIDTHS {
            cases.push((k, kind, bits, w));
        }
    }
    let reports = map(
        &cases,
        &RunOptions::default(),
        "plateau",
        |&(_, kind, bits, w)| -> quantreplica::Result<Report> {
            let levels = match kind {
                "uniform" => LevelSet::uniform(bits, w)?,
                _ => LevelSet::midtread(bits, w)?,
            };
            let opts = SteOptions {
                lr: 0.5,
                ..SteOptions::default()
            };
            let d = Dynamics::new(
                Student::Discrete(levels),
                TeacherPrior::gaussian(1.0)?,
                0.0,
                opts,
            )?;
            ste::report(&d, &times, &fp, None)
        },
    )?
    .into_iter()
    .collect::<quantreplica::Result<Vec<_>>>()?;

    println!("| levels | b | ω | ε(0) | ε(1) | ε(5) | ε(20) | ε* | t½ | drop(0.5) | RS |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut series: Vec<Vec<(f64, f64)>> = vec![Vec::new(); KINDS.len()];
    for (&(k, kind, bits, w), rep) in cases.iter().zip(&reports) {
        let star = rep
            .fixed_points
            .iter()
            .find(|f| f.stable)
            .map(|f| f.gen_error);
        let e0 = at(rep, 0.0);
        // A rising curve (wide mid-tread grids, §7) has a half time of a rise: not drawn.
        if let (Some(h), Some(s)) = (rep.half_time, star) {
            if s < e0 {
                series[k].push((w, h));
            }
        }
        if !TABLE_WIDTHS.contains(&w) {
            continue;
        }
        let show =
            |x: Option<f64>, digits: usize| x.map_or("–".into(), |v| format!("{v:.digits$}"));
        println!(
            "| {kind} | {bits} | {w} | {e0:.3} | {:.3} | {:.3} | {:.4} | {} | {} | {} | {} |",
            at(rep, 1.0),
            at(rep, 5.0),
            at(rep, 20.0),
            show(star, 4),
            show(rep.half_time, 2),
            show(star.map(|s| (e0 - at(rep, 0.5)) / (e0 - s)), 2),
            show(rep.rs_ground_state, 4),
        );
    }
    let chart = LineChart {
        title: "Online STE-SGD: half time of the error against the range ω (η = 0.5, σ² = 0)"
            .into(),
        x_label: "quantization range ω".into(),
        y_label: "half time t½ (t = steps/N)".into(),
        series: KINDS
            .iter()
            .zip(series)
            .map(|(&(kind, bits, colour, mark), pts)| {
                Series::line(
                    format!(
                        "{kind}, b = {bits}{}",
                        if mark == Mark::Dashed {
                            " (dashed)"
                        } else {
                            ""
                        }
                    ),
                    pts,
                )
                .mark(mark)
                .colour(colour)
            })
            .collect(),
        log_x: false,
        log_y: false,
        y_range: None,
        x_range: Some((0.0, 4.2)),
        legend: Legend::UpperRight,
    };
    let (png, svg) = save(&chart, &stem, (900, 600))?;
    eprintln!("wrote {} and {}", png.display(), svg.display());
    Ok(())
}
