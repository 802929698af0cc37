//! The default job (`quantreplica` with no arguments): the headline answers for b = 1…8 at a
//! default operating point, and the headline figures of seed 002's findings.

use crate::double_descent;
use crate::error::{positive, Result};
use crate::figures::{self, Point};
use crate::model::{LevelSet, Model, Student, TeacherPrior};
use crate::rs::{solve, SolverOptions};
use crate::spec::{parse_beta as beta_value, parse_finite as finite_f64};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Flags of `quantreplica headline`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Samples per weight α.
    #[arg(long, value_parser = finite_f64, default_value = "2")]
    pub alpha: f64,
    /// Label-noise variance σ².
    #[arg(long, value_parser = finite_f64, default_value = "0.1")]
    pub noise: f64,
    /// Inverse temperature at which RS stability is judged.
    #[arg(long, value_parser = beta_value, default_value = "5")]
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

/// One row of the headline table.
#[derive(Debug, Serialize)]
pub struct Row {
    /// Bits.
    pub bits: u32,
    /// Optimal uniform width at β = ∞.
    pub optimal_width: f64,
    /// ε_g of the trained (β = ∞) model at ω*.
    pub gen_error: f64,
    /// ε_t of the trained model at ω*.
    pub train_error: f64,
    /// λ_AT at ω* and the stability β.
    pub at_eigenvalue: f64,
    /// Whether RS is stable at ω* and that β.
    pub rs_stable: bool,
    /// Widths where λ_AT = 1 at that β (RSB beyond, for few bits).
    pub at_widths: Vec<f64>,
}

/// Runs the headline report.
pub fn run(a: &Args) -> Result<()> {
    positive("alpha", a.alpha)?;
    crate::error::non_negative("noise", a.noise)?;
    if a.beta.is_infinite() {
        return Err(crate::Error::input(
            "--beta for the stability judgement must be finite",
        ));
    }
    let t0 = Instant::now();
    let p = Point {
        alpha: a.alpha,
        noise: a.noise,
        beta: a.beta,
    };
    let bits: Vec<u32> = (1..=8).collect();
    let optima = figures::optimal_widths(&p, &bits)?;
    let opts = SolverOptions::default();
    let mut rows = Vec::new();
    let at_roots = if a.no_figures {
        None
    } else {
        std::fs::create_dir_all(&a.out_dir)?;
        Some(figures::phase_diagram_width_bits(&p, &optima, &a.out_dir)?.1)
    };
    for o in &optima {
        let st = Student::Discrete(LevelSet::uniform(o.bits, o.width)?);
        let m = Model::new(
            p.alpha,
            p.noise,
            p.beta,
            0.0,
            st,
            TeacherPrior::gaussian(1.0)?,
        )?;
        let r = solve(&m, &opts);
        let at_widths = at_roots
            .as_ref()
            .and_then(|v| v.iter().find(|(b, _)| *b == o.bits))
            .map(|(_, w)| w.clone())
            .unwrap_or_default();
        rows.push(Row {
            bits: o.bits,
            optimal_width: o.width,
            gen_error: o.solution.gen_error,
            train_error: o.solution.train_error,
            at_eigenvalue: r.equilibrium.at_eigenvalue,
            rs_stable: r.converged && r.equilibrium.rs_stable,
            at_widths,
        });
    }
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
    for r in &rows {
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
    if !a.no_figures {
        let d = &a.out_dir;
        figures::error_vs_width(&p, &optima, d)?;
        figures::optimal_width_vs_bits(&p, &optima, d)?;
        figures::double_descent(&p, &optima, f64::INFINITY, d)?;
        let few: Vec<_> = optima.iter().filter(|o| o.bits <= 4).cloned().collect();
        figures::double_descent(&p, &few, p.beta, d)?;
        figures::phase_diagram_width_beta(&p, 1, d)?;
        figures::phase_diagram_width_beta(&p, 2, d)?;
        figures::phase_diagram_width_alpha(&p, 1, d)?;
        figures::phase_diagram_width_alpha(&p, 2, d)?;
        let alphas = double_descent::alpha_grid(60);
        let widths: Vec<(u32, f64)> = optima.iter().map(|o| (o.bits, o.width)).collect();
        let mut curves = double_descent::curves(&p, &widths, f64::INFINITY, &alphas)?;
        double_descent::figure(&p, &curves, f64::INFINITY, d)?;
        let fin = double_descent::curves(&p, &widths[..4], p.beta, &alphas)?;
        double_descent::figure(&p, &fin, p.beta, d)?;
        curves.extend(fin);
        print_peaks(&curves);
        crate::output::write_atomic(
            &d.join("double_descent.json"),
            crate::output::to_json(&curves)?.as_bytes(),
        )?;
        let (_, fo) = figures::phase_diagram_alpha_beta_binary(0.01, d)?;
        println!();
        println!(
            "binary teacher, 1-bit student, noise 0.01: {} spinodal and {} first-order points in (alpha, beta)",
            fo.spinodals.len(),
            fo.equilibrium_transitions.len()
        );
        crate::output::write_atomic(
            &d.join("headline.json"),
            crate::output::to_json(&rows)?.as_bytes(),
        )?;
        let mut csv = crate::output::Csv::new([
            "bits",
            "optimal_width",
            "gen_error",
            "train_error",
            "at_eigenvalue",
            "rs_stable",
        ]);
        for r in &rows {
            csv.push(vec![
                r.bits.to_string(),
                crate::output::fmt_num(r.optimal_width),
                crate::output::fmt_num(r.gen_error),
                crate::output::fmt_num(r.train_error),
                crate::output::fmt_num(r.at_eigenvalue),
                r.rs_stable.to_string(),
            ]);
        }
        csv.write(&d.join("headline.csv"))?;
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

/// Where the interpolation peak of ε_g(α) sits for each curve (grid resolution).
fn print_peaks(curves: &[double_descent::Curve]) {
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
