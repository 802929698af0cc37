//! `gibbs` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica gibbs`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `gibbs`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("gibbs is not implemented yet"))
}
