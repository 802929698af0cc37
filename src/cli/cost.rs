//! The size of every command: its flags read into the counts of the library's job costs
//! ([`crate::job`], shared with the Python module) and checked before the command
//! starts (the per-unit costs and the limits live in [`crate::budget`]). A flag that does not
//! parse is skipped here: the command itself then reports it.

use super::Command;
use crate::budget::{self, Cost};
use crate::error::Result;
use crate::instance::samples_for;
use crate::job::{self, Front, Instances};
use crate::sweep::grid::{Axis, Grid};
use std::path::Path;

/// Refuses `cmd` when it cannot fit in memory, or (unless `force`) in time.
pub fn check(cmd: &Command, force: bool) -> Result<()> {
    budget::check_all(&costs(cmd)?, force)
}

fn file_cost(flag: &str, path: &Option<std::path::PathBuf>) -> Option<Cost> {
    let p: &Path = path.as_deref()?;
    let len = std::fs::metadata(p).ok()?.len() as f64;
    Some(budget::data_file(format!("{flag} {}", p.display()), len))
}

/// Generated instances of `n` weights at `alpha`, or `None` beyond the library's own limit
/// (`M × N ≤ 4·10⁸`), which is left to its check so that the command line and Python refuse
/// them with the same message.
fn generated(alpha: f64, n: usize) -> Option<Instances> {
    let m = samples_for(alpha.abs(), n);
    (m as f64 * n as f64 <= 4e8).then_some(Instances::Generated { m, n })
}

fn axis_len(spec: &str, log: bool) -> Option<usize> {
    Axis::parse(spec, log).ok().map(|a| a.len())
}

/// The costs of `cmd` (empty for the commands whose size is fixed or already bounded).
pub fn costs(cmd: &Command) -> Result<Vec<Cost>> {
    let cores = budget::cores();
    let cli = Front::Cli;
    let mut out = Vec::new();
    match cmd {
        Command::Sweep(a) => {
            let threads = budget::effective_threads(budget::threads(a.threads.threads)?);
            if let Ok(g) = Grid::parse(&a.over, &a.log) {
                out.push(job::sweep(cli, &a.over, g.len(), a.rsb, threads));
            }
        }
        Command::Transitions(a) => {
            if let Some(n) = axis_len(&a.over, false) {
                out.push(job::transitions(cli, &a.over, n));
            }
        }
        Command::PhaseDiagram(a) => {
            if let (Some(nx), Some(ny)) = (axis_len(&a.x_axis, false), axis_len(&a.y_axis, a.log_y))
            {
                out.push(job::phase_diagram(
                    cli,
                    (&a.x_axis, nx),
                    (&a.y_axis, ny),
                    a.rsb,
                    cores,
                ));
            }
        }
        Command::Amp(a) => match file_cost("--x", &a.sim.x) {
            Some(c) => out.push(c),
            None => {
                if let Some(inst) = generated(a.model.alpha, a.sim.n.unwrap_or(1000)) {
                    out.push(job::amp(
                        cli,
                        inst,
                        a.sim.seeds,
                        a.max_iter,
                        a.full_variance,
                        cores,
                    ));
                }
            }
        },
        Command::Gibbs(a) => match file_cost("--x", &a.sim.x) {
            Some(c) => out.push(c),
            None => {
                if let Some(inst) = generated(a.model.alpha, a.sim.n.unwrap_or(200)) {
                    out.push(job::gibbs(
                        cli,
                        inst,
                        a.sim.seeds,
                        a.sweeps,
                        a.burn_in,
                        a.temperatures,
                        cores,
                    ));
                }
            }
        },
        Command::Qat(a) => match file_cost("--x", &a.sim.x) {
            Some(c) => out.push(c),
            None => {
                if let Some(inst) = generated(a.model.alpha, a.sim.n.unwrap_or(500)) {
                    out.push(job::qat(cli, inst, a.sim.seeds, a.epochs, cores));
                }
            }
        },
        Command::Sgd(a) => {
            if let Ok(p) = a.p.spec() {
                out.push(job::sgd(cli, &p, &a.quantize_spec(), cores));
            }
        }
        Command::Shrinkage(a) => {
            if let (Ok(p), Ok(s)) = (a.p.spec(), a.spec()) {
                out.push(job::shrinkage(cli, &p, &s, cores));
            }
        }
        Command::ScalingLaw(a) => {
            if let Ok(s) = a.spec() {
                out.push(job::scaling_law(cli, &s, cores));
            }
        }
        Command::Asq(a) => match file_cost("--input", &a.input) {
            Some(c) => {
                out.push(c);
                if let Some(w) = file_cost("--weights", &a.weights) {
                    out.push(w);
                }
            }
            None => out.push(job::asq(cli, a.d)),
        },
        Command::SteDynamics(a) => {
            if let Some(n) = a.n {
                let t_max = super::ste_dynamics::parse_time(&a.time)
                    .ok()
                    .and_then(|t| t.last().copied())
                    .unwrap_or(0.0);
                out.push(job::ste_simulation(
                    cli,
                    n,
                    a.seeds,
                    Some(&a.time),
                    t_max,
                    cores,
                ));
            }
        }
        Command::Merge(a) => {
            for f in &a.files {
                if let Some(c) = file_cost("merge", &Some(f.clone())) {
                    out.push(c);
                }
            }
        }
        Command::Rs(_)
        | Command::Headline(_)
        | Command::Rsb(_)
        | Command::OptimalWidth(_)
        | Command::Validate(_) => {}
    }
    Ok(out)
}
