//! `quantreplica phase-diagram`: RS-stable, RSB and negative-entropy regions on a 2-D grid of
//! any two model parameters, with the AT line root-found along x in each row and along y in each
//! column, and the spinodals and first-order transitions found by branch continuation along x.
//! The map comes from [`crate::phase::map::phase_diagram`], the figure from
//! [`crate::report::phase_map`].

use super::model_args::ModelArgs;
use crate::error::Result;
use crate::output::{fmt_num, Csv};
use crate::phase::map::{phase_diagram_with_rsb, PhaseDiagramJson};
use crate::report::phase_map::PhaseMap;
use crate::report::plot::tick;
use crate::report::rsb_map::RsbErrorMap;
use crate::rsb::follow::Method;
use crate::sweep::grid::{Axis, Param};
use std::path::PathBuf;

/// Flags of `quantreplica phase-diagram`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model; the two swept parameters' own flags are ignored.
    #[command(flatten)]
    pub model: ModelArgs,
    /// x axis: `PARAM=START:STOP:COUNT` (alpha, noise, width, beta, ridge, teacher_var); `--x`
    /// is the old name.
    #[arg(
        long = "x-axis",
        alias = "x",
        value_name = "PARAM=SPEC",
        default_value = "width=0.05:4:60"
    )]
    pub x_axis: String,
    /// y axis: `PARAM=START:STOP:COUNT` or `PARAM=v1,v2,...` (also bits); `--y` is the old name.
    #[arg(
        long = "y-axis",
        alias = "y",
        value_name = "PARAM=SPEC",
        default_value = "bits=1,2,3,4,5,6"
    )]
    pub y_axis: String,
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
    /// Also 1RSB where RS is AT-unstable (finite β, discrete students; rows along x followed by
    /// Newton continuation): STEM_rsb.{png,svg,csv}, the 1RSB generalization error against RS
    /// with the AT line and the cells where the within-state replicon exceeds 1.
    #[arg(long)]
    pub rsb: bool,
}

/// `STEM_rsb`.
fn rsb_stem(out: &std::path::Path) -> PathBuf {
    out.with_file_name(format!(
        "{}_rsb",
        out.file_name()
            .map_or("phase_diagram".into(), |n| n.to_string_lossy())
    ))
}

/// Runs `phase-diagram`.
pub fn run(a: &Args) -> Result<()> {
    let ax = Axis::parse_as(&a.x_axis, false, "--x-axis")?;
    let ay = Axis::parse_as(&a.y_axis, a.log_y, "--y-axis")?;
    crate::output::check_stem(&a.out, &["csv", "png", "svg"])?;
    if a.rsb {
        crate::output::check_stem(&rsb_stem(&a.out), &["csv", "png", "svg"])?;
    }
    // The flags as given are checked even where an axis overrides them (`--bits 0` with bits
    // on an axis is a mistake, not an ignored value).
    a.model.model()?;
    let (d, rsb) = phase_diagram_with_rsb(&a.model.spec()?, &ax, &ay, !a.no_transitions, a.rsb)?;
    let (px, py) = (d.x_param, d.y_param);
    let l = &d.layers;
    let mut csv = Csv::new([px.name(), py.name(), "phase", "at_eigenvalue", "gen_error"]);
    for c in &l.cells {
        csv.push(vec![
            fmt_num(c.x),
            fmt_num(c.y),
            format!("{:?}", c.phase),
            fmt_num(c.at_eigenvalue),
            fmt_num(c.gen_error),
        ]);
    }
    csv.write(&a.out.with_extension("csv"))?;
    let mut map = PhaseMap::new(
        format!("RS phase diagram ({py} vs {px})"),
        px.name(),
        py.name(),
        l.clone(),
    );
    map.log_y = a.log_y;
    map.discrete_y = py == Param::Bits;
    map.at_both_axes = py != Param::Bits;
    map.auto_legend = true;
    map.save(&a.out)?;
    let rsb_stem = rsb_stem(&a.out);
    if let Some(cells) = &rsb {
        Csv::from_rows(cells)?.write(&rsb_stem.with_extension("csv"))?;
        RsbErrorMap {
            title: format!("1RSB against RS ({py} vs {px})"),
            x_label: px.name().into(),
            y_label: py.name().into(),
            xs: ax.numbers(),
            ys: ay.numbers(),
            cells: cells.clone(),
            at_line: l.at_line.clone(),
            log_y: a.log_y,
        }
        .save(&rsb_stem)?;
    }
    let fo = &l.first_order;
    if a.json {
        return crate::output::print_json(&PhaseDiagramJson::new(&d, rsb.as_deref()));
    }
    println!(
        "phase diagram written to {}.{{png,svg,csv}}",
        a.out.display()
    );
    println!(
        "AT line (lambda_AT = 1; root-found along {px} in each row{}):",
        if py == Param::Bits {
            String::new()
        } else {
            format!(" and along {py} in each column")
        }
    );
    for (x, y) in &l.at_line {
        println!("  {py} = {:<10} {px} = {x:.6}", tick(*y));
    }
    if let Some(cells) = &rsb {
        let n = |m| cells.iter().filter(|c| c.method == m).count();
        println!(
            "1RSB map written to {}.{{png,svg,csv}}: {} cells RS-stable, {} frozen (closed form), {} followed by Newton, {} solved in full, {} not converged, max stationarity {:.1e}",
            rsb_stem.display(),
            n(Method::RsStable),
            n(Method::Frozen),
            n(Method::Followed),
            n(Method::Full),
            cells.iter().filter(|c| !c.converged).count(),
            cells.iter().map(|c| c.stationarity).fold(0.0, f64::max)
        );
    }
    let skipped = if a.no_transitions { 2 } else { 0 };
    for (name, pts) in [
        ("spinodals", &fo.spinodals),
        ("first-order transitions", &fo.equilibrium_transitions),
    ]
    .into_iter()
    .skip(skipped)
    {
        println!(
            "{name} ({px} per {py}): {}",
            if pts.is_empty() { "none" } else { "" }
        );
        for (x, y) in pts {
            println!("  {py} = {:<10} {px} = {x:.6}", tick(*y));
        }
    }
    Ok(())
}
