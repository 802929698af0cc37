//! `validate` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica validate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `validate`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("validate is not implemented yet"))
}
