//! `quantreplica sweep`: the RS solver over a grid of model parameters (see docs/sweep.md).

use super::model_args::{ModelArgs, OutputArgs, ThreadsArgs};
use crate::error::{Error, Result};
use crate::sweep::{self, Shard, SweepRow};
use std::path::PathBuf;

/// Flags of `quantreplica sweep`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The model at every point (swept parameters are overridden per point).
    #[command(flatten)]
    pub model: ModelArgs,
    /// An axis: PARAM=START:STOP:COUNT or PARAM=v1,v2,... (PARAM: alpha, noise, bits, width,
    /// beta, ridge, levels, teacher_var). Repeat for a grid; the first --over is outermost.
    #[arg(long = "over", value_name = "PARAM=SPEC")]
    pub over: Vec<String>,
    /// Space this parameter's START:STOP:COUNT range geometrically (repeatable).
    #[arg(long = "log", value_name = "PARAM")]
    pub log: Vec<String>,
    /// Where the table goes.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Append each completed point to FILE and resume from it (the shard file with --shard).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Evaluate only the points with index ≡ i (mod n) into the --checkpoint file (0 ≤ i < n);
    /// combine the shard files with `quantreplica merge`.
    #[arg(long, allow_hyphen_values = true, value_name = "i/n")]
    pub shard: Option<String>,
    /// Worker threads.
    #[command(flatten)]
    pub threads: ThreadsArgs,
    /// 1RSB where RS is AT-unstable (finite --beta, discrete students): the innermost --over
    /// axis is followed by Newton continuation (rsb::follow), the first point of every RSB
    /// stretch solved in full; where RS is AT-stable the collapsed state. Columns: method,
    /// converged, stationarity, rsb.* (the keys of `rsb --json`), rs.* (the RS equilibrium).
    #[arg(long)]
    pub rsb: bool,
}

/// Writes the rows of a complete sweep as `--csv FILE`, `--json` or CSV on stdout.
pub fn emit<T: serde::Serialize>(rows: &[SweepRow<T>], out: &OutputArgs) -> Result<()> {
    use std::io::Write;
    if out.json {
        let s = sweep::render_json(rows)?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{s}")?;
        return Ok(());
    }
    let table = sweep::render_csv(rows)?;
    match &out.csv {
        Some(path) => table.write(path),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(table.render().as_bytes())?;
            Ok(())
        }
    }
}

/// Runs `sweep`.
pub fn run(a: &Args) -> Result<()> {
    let grid = sweep::Grid::parse(&a.over, &a.log)?;
    a.output.check()?;
    let shard = a.shard.as_deref().map(str::parse::<Shard>).transpose()?;
    sweep::check_options(a.rsb, a.checkpoint.is_some(), shard.is_some())?;
    if shard.is_some() && (a.output.csv.is_some() || a.output.json) {
        return Err(Error::input(
            "--shard writes only its shard file: drop --csv/--json and use `merge`",
        ));
    }
    let opts = a.threads.run_options()?;
    a.model.model()?;
    let spec = a.model.spec()?;
    if a.rsb {
        return emit(&sweep::rsb::run(&grid, &spec, &opts)?, &a.output);
    }
    let rows = sweep::run_records(
        &grid,
        &spec,
        &opts,
        a.checkpoint.clone().map(|p| (p, shard)),
    )?;
    if let Some(s) = shard {
        eprintln!(
            "shard {s}: {} points written to {}",
            rows.len(),
            a.checkpoint
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string())
        );
        return Ok(());
    }
    emit(&rows, &a.output)
}
