//! `qat` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica qat`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `qat`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("qat is not implemented yet"))
}
