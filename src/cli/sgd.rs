//! `sgd`, `scaling-law`, `shrinkage` subcommands (issue 5). Placeholder.

use crate::error::{Error, Result};

/// Flags of `quantreplica sgd`.
#[derive(Debug, clap::Args)]
pub struct SgdArgs {}
/// Flags of `quantreplica scaling-law`.
#[derive(Debug, clap::Args)]
pub struct ScalingLawArgs {}
/// Flags of `quantreplica shrinkage`.
#[derive(Debug, clap::Args)]
pub struct ShrinkageArgs {}

/// Runs `sgd`.
pub fn run_sgd(_a: &SgdArgs) -> Result<()> {
    Err(Error::input("sgd is not implemented yet"))
}
/// Runs `scaling-law`.
pub fn run_scaling_law(_a: &ScalingLawArgs) -> Result<()> {
    Err(Error::input("scaling-law is not implemented yet"))
}
/// Runs `shrinkage`.
pub fn run_shrinkage(_a: &ShrinkageArgs) -> Result<()> {
    Err(Error::input("shrinkage is not implemented yet"))
}
