//! `rs` subcommand.
use crate::error::Result;
/// Flags of `quantreplica rs`.
#[derive(Debug, clap::Args)]
pub struct Args {}
/// Runs `rs`.
pub fn run(_a: &Args) -> Result<()> { Ok(()) }
