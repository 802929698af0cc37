//! `phase_diagram` subcommand. Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica phase_diagram`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `phase_diagram`.
pub fn run(_a: &Args) -> Result<()> {
    Err(Error::input("phase_diagram is not implemented yet"))
}
