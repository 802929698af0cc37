//! `asq` subcommand (issue 6). Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica asq`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `asq`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("asq is not implemented yet"))
}
