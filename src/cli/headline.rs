//! The default job (`quantreplica` with no arguments): the headline answers for b = 1…8 at a
//! default operating point, and the headline figures of seed 002's findings. The numbers come
//! from [`crate::experiments::headline`], the figures and files from
//! [`crate::report::headline`].

use crate::error::Result;
use crate::experiments::double_descent::Curve;
use crate::experiments::headline::{optimal_widths, rows, HeadlineRow, OperatingPoint};
use crate::parallel::Steps;
use crate::report::headline::{figures, width_bits, FIGURE_STAGES};
use crate::spec::{parse_beta, parse_finite};
use std::path::PathBuf;
use std::time::Instant;

/// Flags of `quantreplica headline`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Samples per weight α.
    #[arg(long, value_parser = parse_finite, default_value = "2")]
    pub alpha: f64,
    /// Label-noise variance σ².
    #[arg(long, value_parser = parse_finite, default_value = "0.1")]
    pub noise: f64,
    /// Inverse temperature at which RS stability is judged.
    #[arg(long, value_parser = parse_beta, default_value = "5")]
    pub beta: f64,
    /// Directory for figures and the summary table.
    #[arg(long, default_value = "figures")]
    pub out_dir: PathBuf,
    /// Skip the figures (table only).
    #[arg(long)]
    pub no_figures: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            alpha: 2.0,
            noise: 0.1,
            beta: 5.0,
            out_dir: PathBuf::from("figures"),
            no_figures: false,
        }
    }
}

/// Runs the headline report.
pub fn run(a: &Args) -> Result<()> {
    let p = OperatingPoint {
        alpha: a.alpha,
        noise: a.noise,
        beta: a.beta,
    };
    p.check()?;
    if !a.no_figures {
        crate::output::check_dir(&a.out_dir)?;
    }
    let t0 = Instant::now();
    // One bar for the whole report, the bars of its phase maps below it (a terminal only).
    let stages = Steps::new(if a.no_figures { 2 } else { 3 + FIGURE_STAGES }, "headline");
    let nested = stages.nest();
    let bits: Vec<u32> = (1..=8).collect();
    stages.stage("headline: optimal widths");
    let optima = optimal_widths(&p, &bits)?;
    stages.inc(1);
    let at_roots = if a.no_figures {
        None
    } else {
        std::fs::create_dir_all(&a.out_dir)?;
        stages.stage("headline: (width, bits) phase map");
        let roots = width_bits(&p, &optima, &a.out_dir)?;
        stages.inc(1);
        Some(roots)
    };
    stages.stage("headline: RS stability");
    let rows = rows(&p, &optima, at_roots.as_ref())?;
    stages.inc(1);
    stages.suspend(|| print_table(&p, &rows));
    if !a.no_figures {
        let d = &a.out_dir;
        let figs = figures(&p, &optima, &rows, d, &stages)?;
        drop(nested);
        drop(stages);
        print_peaks(&figs.curves);
        println!();
        println!(
            "binary teacher, 1-bit student, noise 0.01: {} spinodal and {} first-order points in (alpha, beta)",
            figs.binary.spinodals.len(),
            figs.binary.equilibrium_transitions.len()
        );
        println!();
        println!(
            "figures written to {}/: error_vs_width, optimal_width, error_vs_bits, double_descent, double_descent_beta{},",
            d.display(),
            p.beta
        );
        println!(
            "  double_descent_widths, double_descent_widths_beta{}, phase_diagram_width_bits,",
            p.beta
        );
        println!("  phase_diagram_width_beta_b{{1,2}}, phase_diagram_width_alpha_b{{1,2}}, phase_diagram_alpha_beta_binary (.png and .svg)");
    }
    println!("done in {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}

fn print_table(p: &OperatingPoint, rows: &[HeadlineRow]) {
    println!("quantreplica — what weight quantization does to a linear learner (replica theory)");
    println!(
        "teacher N(0,1), alpha = {}, noise = {}; errors of the trained model (beta = inf),",
        p.alpha, p.noise
    );
    println!(
        "RS stability (de Almeida-Thouless) judged at beta = {}.",
        p.beta
    );
    if p.alpha > 1.0 {
        println!(
            "unquantized (continuous) student: gen_error = {:.6}",
            p.noise / (p.alpha - 1.0)
        );
    }
    println!();
    println!(
        "{:>4} {:>13} {:>11} {:>11} {:>10} {:>10}  AT line at width",
        "bits", "optimal width", "gen_error", "train_error", "lambda_AT", "RS stable"
    );
    for r in rows {
        let at = if r.at_widths.is_empty() {
            "-".to_string()
        } else {
            r.at_widths
                .iter()
                .map(|w| format!("{w:.4}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "{:>4} {:>13.6} {:>11.6} {:>11.6} {:>10.4} {:>10}  {}",
            r.bits,
            r.optimal_width,
            r.gen_error,
            r.train_error,
            r.at_eigenvalue,
            if r.rs_stable { "yes" } else { "no (RSB)" },
            at
        );
    }
}

/// Where the interpolation peak of ε_g(α) sits for each curve (grid resolution).
fn print_peaks(curves: &[Curve]) {
    println!();
    println!(
        "double descent: interpolation peak of gen_error(alpha) (alpha grid 0.1..5, 60 log points)"
    );
    println!("and, at beta = inf, the interpolation threshold (continuous student: alpha < 1):");
    println!(
        "{:>4} {:>7} {:>8} {:>8} {:>10} {:>12} {:>16}",
        "bits", "beta", "w/w*", "width", "peak alpha", "peak error", "interpolates for"
    );
    for c in curves {
        let beta = c
            .beta
            .map(|b| format!("{b}"))
            .unwrap_or_else(|| "inf".into());
        let (pa, pe) = match c.peak {
            Some(p) => (format!("{:.3}", p.alpha), format!("{:.4}", p.gen_error)),
            None => ("none".into(), "-".into()),
        };
        let thr = match (c.interpolation_threshold, c.beta) {
            (Some(t), _) => format!("alpha < {t:.4}"),
            (None, None) => "beyond grid".into(),
            (None, Some(_)) => "-".into(),
        };
        println!(
            "{:>4} {:>7} {:>8} {:>8.3} {:>10} {:>12} {:>16}",
            c.bits, beta, c.width_factor, c.width, pa, pe, thr
        );
    }
}
