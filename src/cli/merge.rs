//! `quantreplica merge`: combines the shard files of a sharded `sweep` (see docs/sweep.md).

use crate::error::{Error, Result};
use crate::sweep::{self, RsRecord};
use std::path::PathBuf;

/// Flags of `quantreplica merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The shard files (`sweep --shard i/n --checkpoint FILE`), every shard exactly once.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write CSV to this file (atomically). Without --csv or --json, CSV goes to stdout.
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    pub csv: Option<PathBuf>,
    /// Print a JSON array of rows on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `merge`.
pub fn run(a: &Args) -> Result<()> {
    let (grid, context, rows) = sweep::merge::<RsRecord>(&a.files)?;
    if !context.starts_with("rs sweep") {
        return Err(Error::input(format!(
            "the shard files are not of an RS sweep ({context})"
        )));
    }
    super::sweep::emit(&grid, &rows, a.csv.as_ref(), a.json)
}
