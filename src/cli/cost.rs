//! The size of every command: its flags read into the counts of the library's job costs
//! ([`crate::job`], shared with the Python module) and checked before the command
//! starts (the per-unit costs and the limits live in [`crate::budget`]). A flag that does not
//! parse is skipped here: the command itself then reports it.

use super::{amp, asq, gibbs, qat, Command};
use crate::budget::{self, Cost};
use crate::error::Result;
use crate::instance::{self, samples_for};
use crate::job::{self, Front, Instances};
use crate::sweep::grid::{Axis, Grid};
use crate::validate::{RunSpec, Source};
use std::path::{Path, PathBuf};

/// Refuses `cmd` when it cannot fit in memory, or (unless `force`) in time.
pub fn check(cmd: &Command, force: bool) -> Result<()> {
    budget::check_all(&costs(cmd)?, force)
}

fn file_cost(flag: &str, path: &Option<PathBuf>) -> Option<Cost> {
    let p: &Path = path.as_deref()?;
    let len = std::fs::metadata(p).ok()?.len() as f64;
    Some(budget::data_file(format!("{flag} {}", p.display()), len))
}

/// The shape of the `.npy` file given to `flag` read from its header, without its data (`None`
/// for another format, whose shape is known only once parsed: the command checks it then, see
/// [`check_loaded`], or a header that does not parse, which the command reports).
fn npy_instances(path: &Option<PathBuf>) -> Option<Instances> {
    let p = path.as_deref().filter(|p| instance::is_npy(p))?;
    let h = instance::read_npy_header(p).ok()?;
    Some(Instances::Data {
        m: h.rows,
        n: h.cols,
    })
}

/// `amp` on `inst`.
fn amp_cost(a: &amp::Args, inst: Instances) -> Cost {
    let cores = budget::cores();
    job::amp(
        Front::Cli,
        inst,
        a.sim.seeds,
        a.max_iter,
        a.full_variance,
        cores,
    )
}

/// `gibbs` on `inst`.
fn gibbs_cost(a: &gibbs::Args, inst: Instances) -> Cost {
    let cores = budget::cores();
    job::gibbs(
        Front::Cli,
        inst,
        a.sim.seeds,
        a.sweeps,
        a.burn_in,
        a.temperatures,
        cores,
    )
}

/// `qat` on `inst`.
fn qat_cost(a: &qat::Args, inst: Instances) -> Cost {
    job::qat(Front::Cli, inst, a.sim.seeds, a.epochs, budget::cores())
}

/// `asq` on the `d` values read from `--input PATH`.
fn asq_input_cost(path: &Path, d: usize) -> Cost {
    budget::asq_values(format!("--input {} ({d} values)", path.display()), d as f64)
}

/// The passes of a command over the data it has just read, checked before they start (the
/// time of a data file's passes needs its shape; a CSV's is known only once parsed): `amp`,
/// `gibbs` and `qat` over X, `asq` over its values. The same estimate, limits and `--force` as
/// every other refusal.
pub enum Loaded<'a> {
    /// `amp` on its data file's X.
    Amp(&'a amp::Args, &'a RunSpec),
    /// `gibbs` on its data file's X.
    Gibbs(&'a gibbs::Args, &'a RunSpec),
    /// `qat` on its data file's X.
    Qat(&'a qat::Args, &'a RunSpec),
    /// `asq` on the `d` values of its `--input` file.
    Asq(&'a asq::Args, usize),
}

/// Refuses the passes over data just read when they cannot fit (see [`Loaded`]); nothing for
/// generated data, which [`check`] sized before the command started.
pub fn check_loaded(job: Loaded<'_>, force: bool) -> Result<()> {
    let data = |spec: &RunSpec| match &spec.source {
        Source::File(inst) => Some(Instances::Data {
            m: inst.m(),
            n: inst.n(),
        }),
        Source::Generated { .. } => None,
    };
    let cost = match job {
        Loaded::Amp(a, spec) => data(spec).map(|i| amp_cost(a, i)),
        Loaded::Gibbs(a, spec) => data(spec).map(|i| gibbs_cost(a, i)),
        Loaded::Qat(a, spec) => data(spec).map(|i| qat_cost(a, i)),
        Loaded::Asq(a, d) => a.input.as_deref().map(|p| asq_input_cost(p, d)),
    };
    cost.map_or(Ok(()), |c| c.check(force))
}

/// Generated instances of `n` weights at `alpha`, or `None` beyond the library's own limit
/// (`M × N ≤ 4·10⁸`), which is left to its check so that the command line and Python refuse
/// them with the same message.
fn generated(alpha: f64, n: usize) -> Option<Instances> {
    let m = samples_for(alpha.abs(), n);
    (m as f64 * n as f64 <= 4e8).then_some(Instances::Generated { m, n })
}

fn axis_len(spec: &str, log: bool) -> Option<usize> {
    Axis::count(spec, log).ok()
}

/// The costs of `cmd` (empty for the commands whose size is fixed or already bounded).
pub fn costs(cmd: &Command) -> Result<Vec<Cost>> {
    let cores = budget::cores();
    let cli = Front::Cli;
    let mut out = Vec::new();
    match cmd {
        Command::Sweep(a) => {
            let threads = budget::effective_threads(budget::threads(a.threads.threads)?);
            if let Ok(n) = Grid::count(&a.over, &a.log) {
                out.push(job::sweep(cli, &a.over, n, a.rsb, threads));
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
            Some(c) => {
                out.push(c);
                out.extend(npy_instances(&a.sim.x).map(|i| amp_cost(a, i)));
            }
            None => {
                if let Some(inst) = generated(a.model.alpha, a.sim.n.unwrap_or(1000)) {
                    out.push(amp_cost(a, inst));
                }
            }
        },
        Command::Gibbs(a) => match file_cost("--x", &a.sim.x) {
            Some(c) => {
                out.push(c);
                out.extend(npy_instances(&a.sim.x).map(|i| gibbs_cost(a, i)));
            }
            None => {
                if let Some(inst) = generated(a.model.alpha, a.sim.n.unwrap_or(200)) {
                    out.push(gibbs_cost(a, inst));
                }
            }
        },
        Command::Qat(a) => match file_cost("--x", &a.sim.x) {
            Some(c) => {
                out.push(c);
                out.extend(npy_instances(&a.sim.x).map(|i| qat_cost(a, i)));
            }
            None => {
                if let Some(inst) = generated(a.model.alpha, a.sim.n.unwrap_or(500)) {
                    out.push(qat_cost(a, inst));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asq_input_is_checked_on_its_parsed_values() {
        let cli = crate::cli::parse_from(["quantreplica", "asq", "--input", "v.txt", "--s", "4"])
            .unwrap();
        let Some(Command::Asq(a)) = &cli.command else {
            panic!("not asq: {cli:?}")
        };
        assert!(check_loaded(Loaded::Asq(a, 1000), false).is_ok());
        let e = check_loaded(Loaded::Asq(a, 1 << 60), true)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--input v.txt (1152921504606846976 values): needs about"),
            "{e}"
        );
    }
}
