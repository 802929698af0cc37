//! `quantreplica transitions`: coexisting RS branches, spinodals and first-order transitions
//! along one parameter.

use super::model_args::ModelArgs;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::phase::transitions;
use crate::rs::SolverOptions;
use crate::sweep::grid::{Axis, Param};

/// Flags of `quantreplica transitions`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model; the swept parameter's own flag is ignored.
    #[command(flatten)]
    pub model: ModelArgs,
    /// The parameter and its grid: `PARAM=START:STOP:COUNT` (alpha, noise, width, beta, ridge,
    /// teacher_var).
    #[arg(long)]
    pub over: String,
    /// Print JSON (branches, spinodals, equilibrium_transitions).
    #[arg(long)]
    pub json: bool,
}

/// Runs `transitions`.
pub fn run(a: &Args) -> Result<()> {
    let axis = Axis::parse(&a.over, false)?;
    let mut ps = axis.numbers();
    if ps.len() < 2 {
        return Err(Error::input(format!(
            "--over {}: transitions need at least 2 values",
            a.over
        )));
    }
    ps.sort_by(f64::total_cmp);
    let p = axis.param;
    if matches!(p, Param::Bits | Param::Levels) {
        return Err(Error::input(format!(
            "transitions need a continuous parameter, not {p}"
        )));
    }
    let spec = a.model.spec()?;
    let make = |v: f64| -> Result<Model> { p.with_number(&spec, v)?.build() };
    make(ps[0])?;
    let t = transitions(&make, p.name(), &ps, &SolverOptions::default())?;
    if a.json {
        return crate::output::print_json(&t);
    }
    println!("{} branches along {}", t.branches.len(), t.param);
    for (i, b) in t.branches.iter().enumerate() {
        let (lo, hi) = (b.params[0], b.params[b.params.len() - 1]);
        let m0 = b.solutions[0].m;
        println!(
            "  branch {i}: {} in [{lo}, {hi}], m from {m0:.4} to {:.4}",
            t.param,
            b.solutions[b.solutions.len() - 1].m
        );
    }
    println!("spinodals: {:?}", t.spinodals);
    println!("equilibrium transitions: {:?}", t.equilibrium_transitions);
    Ok(())
}
