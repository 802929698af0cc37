//! `sweep` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica sweep`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `sweep`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("sweep is not implemented yet"))
}
