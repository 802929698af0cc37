//! The size of every command, stated as [`crate::budget::Cost`]s and checked before the command
//! starts (the per-unit costs and the limits live in [`crate::budget`]). A flag that does not
//! parse is skipped here: the command itself then reports it.

use super::Command;
use crate::budget::{self, Cost};
use crate::error::Result;
use crate::instance::samples_for;
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

/// Instances beyond the library's own limit (`M × N ≤ 4·10⁸`) are left to its check, so that
/// the command line and Python refuse them with the same message.
fn within_instance_limit(m: f64, n: usize) -> bool {
    m * n as f64 <= 4e8
}

fn axis_len(spec: &str, log: bool) -> Option<f64> {
    Axis::parse(spec, log).ok().map(|a| a.len() as f64)
}

/// The costs of `cmd` (empty for the commands whose size is fixed or already bounded).
pub fn costs(cmd: &Command) -> Result<Vec<Cost>> {
    let cores = budget::cores();
    let mut out = Vec::new();
    match cmd {
        Command::Sweep(a) => {
            let threads = budget::effective_threads(budget::threads(a.threads.threads)?);
            if let Ok(g) = Grid::parse(&a.over, &a.log) {
                let what = format!("--over {}", a.over.join(" --over "));
                let n = g.len() as f64;
                out.push(if a.rsb {
                    budget::rsb_points(what, n, threads)
                } else {
                    budget::rs_points(what, n, threads)
                });
            }
        }
        Command::Transitions(a) => {
            if let Some(n) = axis_len(&a.over, false) {
                out.push(budget::rs_points(format!("--over {}", a.over), 4.0 * n, 1));
            }
        }
        Command::PhaseDiagram(a) => {
            if let (Some(nx), Some(ny)) = (axis_len(&a.x_axis, false), axis_len(&a.y_axis, a.log_y))
            {
                out.push(budget::phase_cells(
                    format!("--x-axis {} --y-axis {}", a.x_axis, a.y_axis),
                    nx * ny,
                    a.rsb,
                    cores,
                ));
            }
        }
        Command::Amp(a) => {
            let s = &a.sim;
            if let Some(c) = file_cost("--x", &s.x) {
                out.push(c);
            } else {
                let n = s.n.unwrap_or(1000);
                let m = samples_for(a.model.alpha.abs(), n) as f64;
                if !within_instance_limit(m, n) {
                    return Ok(out);
                }
                let copies = if a.full_variance { 2.0 } else { 1.0 };
                out.push(budget::matrix_runs(
                    format!("--n {n} (M x N = {m} x {n}), --seeds {}", s.seeds),
                    m,
                    n as f64,
                    s.seeds as f64,
                    2.0 * copies * a.max_iter as f64,
                    copies,
                    cores,
                ));
            }
        }
        Command::Gibbs(a) => {
            let s = &a.sim;
            let passes = 2.0 * a.temperatures.max(1) as f64 * (a.sweeps + a.burn_in) as f64;
            let what = |n: String| {
                format!(
                    "{n}--sweeps {} --burn-in {} --temperatures {}, --seeds {}",
                    a.sweeps, a.burn_in, a.temperatures, s.seeds
                )
            };
            match file_cost("--x", &s.x) {
                Some(c) => out.push(c),
                None => {
                    let n = s.n.unwrap_or(200);
                    let m = samples_for(a.model.alpha.abs(), n) as f64;
                    if !within_instance_limit(m, n) {
                        return Ok(out);
                    }
                    out.push(budget::matrix_runs(
                        what(format!("--n {n} (M x N = {m} x {n}), ")),
                        m,
                        n as f64,
                        s.seeds as f64,
                        passes,
                        1.0,
                        cores,
                    ));
                }
            }
        }
        Command::Qat(a) => {
            let s = &a.sim;
            match file_cost("--x", &s.x) {
                Some(c) => out.push(c),
                None => {
                    let n = s.n.unwrap_or(500);
                    let m = samples_for(a.model.alpha.abs(), n) as f64;
                    if !within_instance_limit(m, n) {
                        return Ok(out);
                    }
                    out.push(budget::matrix_runs(
                        format!(
                            "--n {n} (M x N = {m} x {n}), --epochs {}, --seeds {}",
                            a.epochs, s.seeds
                        ),
                        m,
                        n as f64,
                        s.seeds as f64,
                        2.0 * a.epochs as f64,
                        2.0,
                        cores,
                    ));
                }
            }
        }
        Command::Sgd(a) => {
            let p = &a.p;
            let runs = if a.no_sim { 1.0 } else { p.runs as f64 };
            out.push(budget::sgd_runs(
                format!(
                    "-d {} --steps {} --batch {} --runs {}",
                    p.d, p.steps, p.batch, p.runs
                ),
                p.d as f64,
                p.steps as f64,
                p.batch as f64,
                runs,
                cores,
            ));
        }
        Command::Shrinkage(a) => {
            let p = &a.p;
            let qs = super::sgd::names(&a.qs).len().max(1) as f64
                + super::sgd::names(&a.formats).len() as f64;
            out.push(budget::sgd_runs(
                format!(
                    "-d {} --steps {} --batch {} --runs {} over {qs} settings",
                    p.d, p.steps, p.batch, p.runs
                ),
                p.d as f64,
                p.steps as f64,
                p.batch as f64,
                p.runs as f64 * qs,
                cores,
            ));
        }
        Command::ScalingLaw(a) => {
            let nums = |s: &str| -> Vec<f64> {
                super::sgd::names(s)
                    .iter()
                    .filter_map(|t| t.parse().ok())
                    .collect()
            };
            let ms = nums(&a.ms);
            let m_max = ms.iter().cloned().fold(0.0, f64::max);
            let n_max = nums(&a.ns).iter().cloned().fold(0.0, f64::max);
            let settings =
                (super::sgd::names(&a.schemes).len() + 1) as f64 * nums(&a.eps).len().max(1) as f64;
            let d = a.d as f64;
            let sketches = a.sketches as f64;
            let what = format!(
                "-d {} --ms {} --ns {} --sketches {} --runs {}",
                a.d, a.ms, a.ns, a.sketches, a.runs
            );
            let m_sum: f64 = ms.iter().sum();
            let seconds = sketches
                * (m_sum * d + settings * n_max * a.batch as f64 * m_sum * a.runs.max(1) as f64)
                * budget::unit::SGD_COORD
                / cores as f64;
            let bytes = 8.0 * d + cores as f64 * m_max * d * budget::bytes::F64;
            out.push(Cost::new(what, bytes, seconds));
        }
        Command::Asq(a) => match file_cost("--input", &a.input) {
            Some(c) => {
                out.push(c);
                if let Some(w) = file_cost("--weights", &a.weights) {
                    out.push(w);
                }
            }
            None => out.push(budget::asq_values(format!("--d {}", a.d), a.d as f64)),
        },
        Command::SteDynamics(a) => {
            if let Some(n) = a.n {
                let t_max = super::ste_dynamics::parse_time(&a.time)
                    .ok()
                    .and_then(|t| t.last().copied())
                    .unwrap_or(0.0)
                    .abs();
                let seeds = a.seeds as f64;
                let n = n as f64;
                let at_once = seeds.min(cores as f64).max(1.0);
                out.push(Cost::new(
                    format!("--n {n} --seeds {} --time {}", a.seeds, a.time),
                    at_once * 4.0 * n * budget::bytes::F64,
                    seeds * t_max * n * n * budget::unit::STE_WEIGHT_STEP / at_once,
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
