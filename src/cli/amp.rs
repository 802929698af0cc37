//! `amp` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica amp`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `amp`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("amp is not implemented yet"))
}
