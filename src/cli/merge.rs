//! `merge` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica merge`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `merge`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("merge is not implemented yet"))
}
