//! `rsb` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica rsb`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `rsb`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("rsb is not implemented yet"))
}
