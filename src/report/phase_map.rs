//! Drawing a computed phase map ([`MapLayers`]): the phases as categorical cells, the AT line,
//! spinodals and first-order transitions as overlaid points or curves, and any extra curves.

use super::heatmap::Heatmap;
use super::plot::{save, Legend, Mark, Series};
use crate::error::Result;
use crate::phase::map::MapLayers;
use crate::phase::RsPhase;
use std::path::Path;

/// A phase map ready to draw.
#[derive(Debug, Clone)]
pub struct PhaseMap {
    /// Caption.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// The computed map.
    pub layers: MapLayers,
    /// Further curves.
    pub extra: Vec<Series>,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// y takes discrete values (e.g. bits): AT crossings are drawn as points, not joined.
    pub discrete_y: bool,
    /// The AT points come from rows and columns (drawn unjoined).
    pub at_both_axes: bool,
    /// Legend corner.
    pub legend: Legend,
}

impl PhaseMap {
    /// A map of `layers` with a continuous y axis (AT points from rows and columns), no extra
    /// curves, legend upper right.
    pub fn new(title: String, x_label: &str, y_label: &str, layers: MapLayers) -> PhaseMap {
        PhaseMap {
            title,
            x_label: x_label.into(),
            y_label: y_label.into(),
            layers,
            extra: vec![],
            log_y: false,
            discrete_y: false,
            at_both_axes: true,
            legend: Legend::UpperRight,
        }
    }

    /// Draws the map to `<stem>.png` and `<stem>.svg`.
    pub fn save(self, stem: &Path) -> Result<()> {
        let MapLayers {
            xs,
            ys,
            cells,
            at_line,
            first_order,
        } = self.layers;
        let mut h = Heatmap {
            title: self.title,
            x_label: self.x_label,
            y_label: self.y_label,
            x: xs,
            y: ys,
            z: cells.iter().map(|c| c.phase.index() as f64).collect(),
            log_y: self.log_y,
            categories: RsPhase::names().iter().map(|s| s.to_string()).collect(),
            legend: self.legend,
            ..Heatmap::default()
        };
        if !at_line.is_empty() {
            // Crossings found along both axes (or per discrete row) are not one ordered curve.
            let mark = if self.discrete_y || self.at_both_axes {
                Mark::Points
            } else {
                Mark::LinePoints
            };
            h.curves.push(
                Series::line("AT line (λ_AT = 1, root-found)", at_line)
                    .mark(mark)
                    .colour(1),
            );
        }
        if !first_order.spinodals.is_empty() {
            h.curves.push(
                Series::points(
                    "spinodal (end of a metastable branch)",
                    first_order.spinodals,
                    None,
                )
                .colour(3),
            );
        }
        if !first_order.equilibrium_transitions.is_empty() {
            h.curves.push(
                Series::points(
                    "first-order transition (free-entropy crossing)",
                    first_order.equilibrium_transitions,
                    None,
                )
                .colour(0),
            );
        }
        h.curves.extend(self.extra);
        save(&h, stem, (980, 680))?;
        Ok(())
    }
}
