//! The validation panel's table and figures: `validate_panel.{csv,json}`, the figures
//! `validate_panel` (errors against the teacher), `validate_panel_train` (training errors) and
//! `validate_pq` (P(q/Q)), each PNG + SVG. The numbers come from [`crate::validate`].

use super::plot::{LineChart, Mark, Series};
use crate::error::Result;
use crate::output::Csv;
use crate::validate::{PanelReport, PanelRow};
use std::path::Path;

/// The table as CSV.
pub fn panel_csv(r: &PanelReport) -> Csv {
    let mut csv = Csv::new([
        "point",
        "bits",
        "width",
        "beta",
        "rs_stable",
        "at_eigenvalue",
        "method",
        "quantity",
        "theory",
        "mean",
        "stderr",
        "z",
        "tolerance",
        "agrees",
        "converged_fraction",
        "tau_int",
        "equilibrated",
    ]);
    for x in &r.rows {
        csv.push(vec![
            x.point.to_string(),
            x.bits.to_string(),
            crate::output::fmt_num(x.width),
            if x.beta.is_finite() {
                x.beta.to_string()
            } else {
                "inf".into()
            },
            x.rs_stable.to_string(),
            crate::output::fmt_num(x.at_eigenvalue),
            x.method.clone(),
            x.quantity.clone(),
            crate::output::fmt_num(x.theory),
            crate::output::fmt_num(x.mean),
            crate::output::fmt_num(x.stderr),
            crate::output::fmt_num(x.z),
            crate::output::fmt_num(x.tolerance),
            x.agrees.to_string(),
            crate::output::fmt_num(x.converged_fraction),
            crate::output::fmt_num(x.tau_int),
            x.equilibrated.to_string(),
        ]);
    }
    csv
}

/// One compared quantity in a panel figure: the rows of `method`/`quantity`, drawn as points
/// with error bars beside a dashed theory line.
struct Curve<'a> {
    method: &'a str,
    quantity: &'a str,
    theory_label: &'a str,
    label: &'a str,
    colour: usize,
    dx: f64,
}

fn panel_chart(r: &PanelReport, curves: &[Curve], title: &str, y_label: &str) -> LineChart {
    let mut series = Vec::new();
    let mut bad = Vec::new();
    for c in curves {
        let rows: Vec<&PanelRow> = r
            .rows
            .iter()
            .filter(|x| x.method == c.method && x.quantity == c.quantity)
            .collect();
        let at = |x: &PanelRow, dx: f64| x.point as f64 + 1.0 + dx;
        series.push(
            Series::line(
                c.theory_label,
                rows.iter().map(|x| (at(x, 0.0), x.theory)).collect(),
            )
            .mark(Mark::Dashed)
            .colour(c.colour),
        );
        series.push(
            Series::points(
                c.label,
                rows.iter().map(|x| (at(x, c.dx), x.mean)).collect(),
                Some(rows.iter().map(|x| x.stderr).collect()),
            )
            .colour(c.colour),
        );
        bad.extend(
            rows.iter()
                .filter(|x| !x.agrees)
                .map(|x| (at(x, c.dx), x.mean)),
        );
    }
    series.push(Series::points("disagrees (> 3σ + allowance)", bad, None).colour(1));
    let rsb: Vec<(f64, f64)> = r
        .rows
        .iter()
        .filter(|x| x.method == "amp" && x.quantity == "gen_error" && !x.rs_stable)
        .map(|x| (x.point as f64 + 1.0, 0.0))
        .collect();
    series.push(Series::points("RS unstable at β (λ_AT > 1)", rsb, None).colour(4));
    let labels: Vec<String> = r
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| match &p.sign {
            None => format!("{}:b{}ω{}", i + 1, p.bits, p.width),
            Some(sp) => format!("{}:α{}b{}β{}", i + 1, sp.alpha, p.bits, p.beta),
        })
        .collect();
    LineChart {
        title: format!(
            "{title} (α={}, σ²={}); {}",
            r.settings.alpha,
            r.settings.noise,
            labels.join(" ")
        ),
        x_label: "panel point".into(),
        y_label: y_label.into(),
        series,
        x_range: Some((0.5, r.points.len() as f64 + 0.5)),
        ..Default::default()
    }
}

/// Writes `<dir>/validate_panel.{csv,json}`, the figures `validate_panel` (errors against the
/// teacher), `validate_panel_train` (training errors) and `validate_pq` (P(q/Q)), each PNG + SVG.
pub fn save_panel(r: &PanelReport, dir: &Path) -> Result<()> {
    panel_csv(r).write(&dir.join("validate_panel.csv"))?;
    crate::output::write_atomic(
        &dir.join("validate_panel.json"),
        crate::output::to_json(r)?.as_bytes(),
    )?;
    let errors = [
        Curve {
            method: "amp",
            quantity: "mse_posterior_mean",
            theory_label: "RS ε_mean (β=5)",
            label: "AMP ‖ŵ−w0‖²/N",
            colour: 0,
            dx: -0.15,
        },
        Curve {
            method: "gibbs",
            quantity: "gen_error",
            theory_label: "RS ε_g (β=5)",
            label: "Gibbs ε_g",
            colour: 2,
            dx: 0.0,
        },
        Curve {
            method: "qat",
            quantity: "gen_error",
            theory_label: "RS ε_g (β=∞)",
            label: "QAT ε_g",
            colour: 3,
            dx: 0.15,
        },
    ];
    let chart = panel_chart(r, &errors, "Theory vs AMP, Gibbs, QAT", "error vs teacher");
    super::plot::save(&chart, &dir.join("validate_panel"), (1400, 700))?;
    let train = [
        Curve {
            method: "gibbs",
            quantity: "train_error",
            theory_label: "RS ε_t (β=5)",
            label: "Gibbs ε_t",
            colour: 2,
            dx: -0.1,
        },
        Curve {
            method: "qat",
            quantity: "train_error",
            theory_label: "RS ε_t (β=∞)",
            label: "QAT ε_t",
            colour: 3,
            dx: 0.1,
        },
    ];
    let chart = panel_chart(
        r,
        &train,
        "Training error: theory vs Gibbs, QAT",
        "training error",
    );
    super::plot::save(&chart, &dir.join("validate_panel_train"), (1400, 700))?;
    // P(q/Q) for every point: one line each.
    let pq_series =
        r.pq.iter()
            .enumerate()
            .map(|(i, (c, d))| {
                let p = &r.points[i];
                let st = r
                    .rows
                    .iter()
                    .find(|x| x.point == i)
                    .is_some_and(|x| x.rs_stable);
                Series::line(
                    format!("b{} ω{} {}", p.bits, p.width, if st { "RS" } else { "RSB" }),
                    c.iter().copied().zip(d.iter().copied()).collect(),
                )
                .mark(if st { Mark::Line } else { Mark::Dashed })
                .colour(i)
            })
            .collect();
    let chart = LineChart {
        title: format!(
            "Gibbs P(q/Q), N = {}, pooled over {} seeds",
            r.settings.n_gibbs, r.settings.seeds
        ),
        x_label: "q/Q".into(),
        y_label: "density".into(),
        series: pq_series,
        x_range: Some((-0.2, 1.05)),
        ..Default::default()
    };
    super::plot::save(&chart, &dir.join("validate_pq"), (1000, 650))?;
    Ok(())
}
