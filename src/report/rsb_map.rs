//! Drawing the 1RSB map of `phase-diagram --rsb` ([`crate::phase::map::rsb_map`]): the 1RSB
//! generalization error minus the RS one at every cell (0 where RS is AT-stable: the collapsed
//! state; φ1 − φ_RS for the storage problem, which has no teacher), the AT line, the cells where
//! the within-state replicon exceeds 1 (there 1RSB is itself unstable) and the frozen cells
//! (`q1 = Q`, the sign channel's frozen 1RSB) marked.

use super::heatmap::Heatmap;
use super::plot::{save, Legend, Mark, Series};
use crate::error::Result;
use crate::phase::map::RsbCell;
use crate::rsb::RsbPhase;
use std::path::Path;

/// The 1RSB map ready to draw.
#[derive(Debug, Clone, Default)]
pub struct RsbErrorMap {
    /// Caption.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Cell centres along x.
    pub xs: Vec<f64>,
    /// Cell centres along y.
    pub ys: Vec<f64>,
    /// The cells, row-major in y.
    pub cells: Vec<RsbCell>,
    /// Points of the AT line.
    pub at_line: Vec<(f64, f64)>,
    /// Logarithmic y axis.
    pub log_y: bool,
}

impl RsbErrorMap {
    /// Draws the map to `<stem>.png` and `<stem>.svg` (cells whose 1RSB state did not converge
    /// are drawn as undefined, except frozen cells: their branch is exact, only whether another
    /// branch beats it is unchecked).
    pub fn save(self, stem: &Path) -> Result<()> {
        // Without a teacher (the storage problem) there is no generalization error: the map
        // shows the free entropy instead.
        let storage = self.cells.iter().all(|c| c.gen_error_rs.is_nan());
        let gap = self
            .cells
            .iter()
            .map(
                |c| match (c.converged || c.rsb_phase == RsbPhase::Frozen, storage) {
                    (false, _) => f64::NAN,
                    (true, false) => c.gen_error_rsb - c.gen_error_rs,
                    (true, true) => c.free_entropy_rsb - c.free_entropy_rs,
                },
            )
            .collect();
        let frozen: Vec<(f64, f64)> = self
            .cells
            .iter()
            .filter(|c| c.rsb_phase == RsbPhase::Frozen)
            .map(|c| (c.x, c.y))
            .collect();
        let unstable: Vec<(f64, f64)> = self
            .cells
            .iter()
            .filter(|c| c.replicon_q1 > 1.0 && c.rsb_phase == RsbPhase::OneStepRsb)
            .map(|c| (c.x, c.y))
            .collect();
        let mut h = Heatmap {
            title: self.title,
            x_label: self.x_label,
            y_label: self.y_label,
            z_label: if storage {
                "φ1 − φ_RS".into()
            } else {
                "ε_g(1RSB) − ε_g(RS)".into()
            },
            x: self.xs,
            y: self.ys,
            z: gap,
            log_y: self.log_y,
            legend: Legend::UpperRight,
            ..Heatmap::default()
        };
        if !self.at_line.is_empty() {
            h.curves.push(
                Series::line("AT line (λ_AT = 1, root-found)", self.at_line)
                    .mark(Mark::Points)
                    .colour(1),
            );
        }
        if !frozen.is_empty() {
            h.curves
                .push(Series::points("frozen 1RSB (q1 = Q, x* < 1)", frozen, None).colour(3));
        }
        if !unstable.is_empty() {
            h.curves.push(
                Series::points("within-state replicon > 1 (1RSB unstable)", unstable, None)
                    .colour(7),
            );
        }
        save(&h, stem, (980, 680))?;
        Ok(())
    }
}
