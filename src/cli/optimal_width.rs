//! `optimal_width` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica optimal_width`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `optimal_width`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("optimal_width is not implemented yet"))
}
