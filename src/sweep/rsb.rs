//! The 1RSB sweep (`sweep --rsb`): the grid's innermost axis is a line along which
//! [`crate::rsb::follow::along`] continues the 1RSB state by Newton's method; lines run in
//! parallel, each in order, so the rows do not depend on the thread count.

use super::rs::validate;
use super::{Grid, RunOptions, SweepRow};
use crate::error::Result;
use crate::rsb::follow::{along, PathPoint};
use crate::rsb::RsbOptions;
use crate::spec::ModelSpec;

/// 1RSB (where RS is AT-unstable; the collapsed state where it is stable; with the sign channel
/// and a discrete student the frozen branch where RS counts a negative number of states) at
/// every point of `grid`, in grid order ([`along`]).
pub fn run(grid: &Grid, base: &ModelSpec, opts: &RunOptions) -> Result<Vec<SweepRow<PathPoint>>> {
    validate(grid, base, opts.threads)?;
    // Every point must admit 1RSB (finite β, a discrete student) before any work.
    for i in 0..grid.len() {
        crate::rsb::check(&grid.point(i).model(base)?)?;
    }
    let n = grid.axes.last().map_or(1, |a| a.len()).max(1);
    let lines: Vec<usize> = (0..grid.len() / n).collect();
    let steps: Option<Vec<f64>> = grid.axes.last().and_then(|a| {
        let v = a.numbers();
        (v.len() == n).then(|| {
            (0..n)
                .map(|i| if i == 0 { 0.0 } else { v[i] - v[i - 1] })
                .collect()
        })
    });
    let rsb = RsbOptions::default();
    let per_line = crate::parallel::try_map(&lines, opts, "rsb sweep", |&l| {
        let points: Vec<_> = (l * n..(l + 1) * n).map(|i| grid.point(i)).collect();
        let models = points
            .iter()
            .map(|p| p.model(base))
            .collect::<Result<Vec<_>>>()?;
        let solved = along(&models, steps.as_deref(), &[], &rsb)?;
        Ok(points
            .into_iter()
            .zip(solved)
            .map(|(point, result)| SweepRow { point, result })
            .collect::<Vec<_>>())
    })?;
    Ok(per_line.into_iter().flatten().collect())
}
