//! Drawing a computed phase map ([`MapLayers`]): the phases as categorical cells, the AT line,
//! spinodals and first-order transitions as overlaid points or curves, and any extra curves.

use super::heatmap::{Heatmap, PHASE_COLOURS};
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
    /// Put the legend in the corner with the fewest overlaid points instead (see
    /// [`quiet_corner`]).
    pub auto_legend: bool,
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
            auto_legend: false,
        }
    }

    /// Draws the map to `<stem>.png` and `<stem>.svg`.
    pub fn save(self, stem: &Path) -> Result<()> {
        let legend = if self.auto_legend {
            let mut pts: Vec<(f64, f64)> = self.layers.at_line.clone();
            pts.extend(&self.layers.first_order.spinodals);
            pts.extend(&self.layers.first_order.equilibrium_transitions);
            quiet_corner(&self.layers.xs, &self.layers.ys, self.log_y, &pts)
        } else {
            self.legend
        };
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
            // The perfect state's colour apart from the RSB cells'.
            category_colours: {
                let mut c = PHASE_COLOURS[..4].to_vec();
                c.push(PHASE_COLOURS[5]);
                c
            },
            legend,
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

/// The corner of the plot (upper right, upper left, lower right, lower left: the first of the
/// least crowded) whose 40 % × 40 % box holds the fewest of `pts`, in the axes' coordinates
/// (`y` geometric when `log_y`).
pub fn quiet_corner(xs: &[f64], ys: &[f64], log_y: bool, pts: &[(f64, f64)]) -> Legend {
    let span = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let ty = |y: f64| if log_y && y > 0.0 { y.ln() } else { y };
    let (x0, x1) = span(xs);
    let (y0, y1) = span(&ys.iter().map(|&y| ty(y)).collect::<Vec<_>>());
    let frac = |v: f64, lo: f64, hi: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    let count = |right: bool, upper: bool| {
        pts.iter()
            .filter(|&&(x, y)| {
                let (u, w) = (frac(x, x0, x1), frac(ty(y), y0, y1));
                (if right { u > 0.6 } else { u < 0.4 }) && (if upper { w > 0.6 } else { w < 0.4 })
            })
            .count()
    };
    [
        (Legend::UpperRight, count(true, true)),
        (Legend::UpperLeft, count(false, true)),
        (Legend::LowerRight, count(true, false)),
        (Legend::LowerLeft, count(false, false)),
    ]
    .into_iter()
    .min_by_key(|c| c.1)
    .map_or(Legend::UpperRight, |c| c.0)
}
