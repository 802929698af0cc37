//! `transitions` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica transitions`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `transitions`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("transitions is not implemented yet"))
}
