//! `quantreplica transitions`: coexisting RS branches, spinodals and first-order transitions
//! along one parameter ([`crate::phase::transitions_along`]).

use super::model_args::ModelArgs;
use crate::error::{Error, Result};
use crate::phase::transitions_along;
use crate::sweep::grid::Axis;

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
    /// Print JSON (branches, spinodals, equilibrium_transitions from the grid; `continuation`:
    /// the same by pseudo-arclength continuation, spinodals as folds).
    #[arg(long)]
    pub json: bool,
}

/// Runs `transitions`.
pub fn run(a: &Args) -> Result<()> {
    let axis = Axis::parse(&a.over, false)?;
    let ps = axis.numbers();
    if ps.len() < 2 {
        return Err(Error::input(format!(
            "--over {}: transitions need at least 2 values",
            a.over
        )));
    }
    a.model.model()?;
    let t = transitions_along(&a.model.spec()?, axis.param, &ps)?;
    if a.json {
        return crate::output::print_json(&t);
    }
    let c = &t.continuation;
    println!(
        "{} branches along {} (pseudo-arclength continuation)",
        c.branches.len(),
        t.param
    );
    for (i, b) in c.branches.iter().enumerate() {
        let pts = &c.curves[b.curve].points[b.points.0..=b.points.1];
        let (first, last) = (&pts[0], &pts[pts.len() - 1]);
        println!(
            "  branch {i}: {} in [{}, {}], m from {:.4} to {:.4}, {}",
            t.param,
            b.p_range.0,
            b.p_range.1,
            first.m,
            last.m,
            if b.stable { "stable" } else { "unstable" }
        );
    }
    for s in &c.spinodals {
        println!(
            "spinodal (fold): {} = {} (m = {:.6}, branches exist {} it){}",
            t.param,
            s.p,
            s.m,
            s.branches_exist,
            if s.converged { "" } else { " [not refined]" }
        );
    }
    for f in &c.first_order {
        println!(
            "first-order transition: {} = {} (m {:.6} -> {:.6})",
            t.param, f.p, f.m.0, f.m.1
        );
    }
    for b in &c.branch_points {
        println!("branch point (not followed): {} = {}", t.param, b.p);
    }
    for f in &c.failures {
        println!(
            "continuation stopped at {} = {} ({:?})",
            t.param, f.p, f.end
        );
    }
    Ok(())
}
