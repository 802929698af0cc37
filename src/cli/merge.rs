//! `quantreplica merge`: combines the shard files of a sharded `sweep` (see docs/sweep.md).

use super::model_args::OutputArgs;
use crate::error::{Error, Result};
use crate::sweep::{self, RsRecord};
use std::path::PathBuf;

/// Flags of `quantreplica merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The shard files (`sweep --shard i/n --checkpoint FILE`), every shard exactly once.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Where the table goes.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `merge`.
pub fn run(a: &Args) -> Result<()> {
    a.output.check()?;
    let (_, context, rows) = sweep::merge::<RsRecord>(&a.files)?;
    if !context.starts_with("rs sweep") {
        return Err(Error::input(format!(
            "the shard files are not of an RS sweep ({context})"
        )));
    }
    super::sweep::emit(&rows, &a.output)
}
