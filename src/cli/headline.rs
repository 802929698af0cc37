//! Headline report.
use crate::error::Result;
/// Flags of `quantreplica headline`.
#[derive(Debug, Default, clap::Args)]
pub struct Args {}
/// Runs the headline report.
pub fn run(_a: &Args) -> Result<()> { Ok(()) }
