//! `quantreplica phase-diagram`: RS-stable, RSB and negative-entropy regions on a 2-D grid of
//! any two model parameters, with the AT line root-found along x in each row and along y in each
//! column, and the spinodals and first-order transitions found by branch continuation along x.

use super::model_args::ModelArgs;
use crate::error::{Error, Result};
use crate::figures::{map_layers, PhaseMap};
use crate::model::Model;
use crate::sweep::grid::{Axis, Param};
use serde::Serialize;
use std::path::PathBuf;

/// Flags of `quantreplica phase-diagram`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model; the two swept parameters' own flags are ignored.
    #[command(flatten)]
    pub model: ModelArgs,
    /// x axis: `PARAM=START:STOP:COUNT` (alpha, noise, width, beta, ridge, teacher_var).
    #[arg(long, default_value = "width=0.05:4:60")]
    pub x: String,
    /// y axis: `PARAM=START:STOP:COUNT` or `PARAM=v1,v2,...` (also bits).
    #[arg(long, default_value = "bits=1,2,3,4,5,6")]
    pub y: String,
    /// Geometric spacing of the y range.
    #[arg(long)]
    pub log_y: bool,
    /// Output stem: writes STEM.png, STEM.svg and STEM.csv.
    #[arg(long, default_value = "figures/phase_diagram")]
    pub out: PathBuf,
    /// Print the cells and the AT line as JSON.
    #[arg(long)]
    pub json: bool,
    /// Skip the spinodals and first-order transitions (branch continuation along every row
    /// roughly triples the cost of a large map).
    #[arg(long)]
    pub no_transitions: bool,
}

#[derive(Serialize)]
struct Out<'a> {
    x_param: &'a str,
    y_param: &'a str,
    cells: &'a [crate::figures::PhaseCell],
    at_line: &'a [(f64, f64)],
    spinodals: &'a [(f64, f64)],
    equilibrium_transitions: &'a [(f64, f64)],
}

/// Runs `phase-diagram`.
pub fn run(a: &Args) -> Result<()> {
    let ax = Axis::parse(&a.x, false)?;
    let ay = Axis::parse(&a.y, a.log_y)?;
    if ax.param == Param::Bits || ax.param == Param::Levels || ay.param == Param::Levels {
        return Err(Error::input(
            "phase-diagram: x must be a continuous parameter and neither axis may be levels",
        ));
    }
    if ax.param == ay.param {
        return Err(Error::input(format!(
            "phase-diagram: x and y are both {}",
            ax.param
        )));
    }
    let (xs, ys) = (ax.numbers(), ay.numbers());
    if xs.len() < 2 {
        return Err(Error::input("phase-diagram: x needs at least 2 values"));
    }
    let spec = a.model.spec()?;
    let make = |x: f64, y: f64| -> Result<Model> {
        ay.param
            .with_number(&ax.param.with_number(&spec, x)?, y)?
            .build()
    };
    make(xs[0], ys[0])?;
    let crate::figures::Layers {
        cells,
        at_line,
        first_order,
    } = map_layers(&xs, &ys, &make, ay.param != Param::Bits, !a.no_transitions)?;
    let mut csv = crate::output::Csv::new([
        ax.param.name(),
        ay.param.name(),
        "phase",
        "at_eigenvalue",
        "gen_error",
    ]);
    for c in &cells {
        csv.push(vec![
            crate::output::fmt_num(c.x),
            crate::output::fmt_num(c.y),
            format!("{:?}", c.phase),
            crate::output::fmt_num(c.at_eigenvalue),
            crate::output::fmt_num(c.gen_error),
        ]);
    }
    csv.write(&a.out.with_extension("csv"))?;
    PhaseMap {
        title: format!("RS phase diagram ({} vs {})", ay.param, ax.param),
        x_label: ax.param.name().into(),
        y_label: ay.param.name().into(),
        xs: xs.clone(),
        ys: ys.clone(),
        cells: cells.clone(),
        at_line: at_line.clone(),
        first_order: first_order.clone(),
        extra: vec![],
        log_y: a.log_y,
        discrete_y: ay.param == Param::Bits,
        at_both_axes: ay.param != Param::Bits,
        legend: crate::plot::Legend::UpperRight,
    }
    .save(&a.out)?;
    if a.json {
        return crate::output::print_json(&Out {
            x_param: ax.param.name(),
            y_param: ay.param.name(),
            cells: &cells,
            at_line: &at_line,
            spinodals: &first_order.spinodals,
            equilibrium_transitions: &first_order.equilibrium_transitions,
        });
    }
    println!(
        "phase diagram written to {}.{{png,svg,csv}}",
        a.out.display()
    );
    println!(
        "AT line (lambda_AT = 1; root-found along {} in each row{}):",
        ax.param,
        if ay.param == Param::Bits {
            String::new()
        } else {
            format!(" and along {} in each column", ay.param)
        }
    );
    for (x, y) in &at_line {
        println!(
            "  {} = {:<10} {} = {x:.6}",
            ay.param,
            crate::plot::tick(*y),
            ax.param
        );
    }
    let skipped = if a.no_transitions { 2 } else { 0 };
    for (name, pts) in [
        ("spinodals", &first_order.spinodals),
        (
            "first-order transitions",
            &first_order.equilibrium_transitions,
        ),
    ]
    .into_iter()
    .skip(skipped)
    {
        println!(
            "{name} ({} per {}): {}",
            ax.param,
            ay.param,
            if pts.is_empty() { "none" } else { "" }
        );
        for (x, y) in pts {
            println!(
                "  {} = {:<10} {} = {x:.6}",
                ay.param,
                crate::plot::tick(*y),
                ax.param
            );
        }
    }
    Ok(())
}
