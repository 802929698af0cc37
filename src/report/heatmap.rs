//! Heat maps: a 2-D grid of values drawn as coloured cells, with a colour bar (continuous
//! values) or a legend of categories (e.g. phases: RS stable / RSB / negative entropy), labelled
//! axes, and optional overlaid curves (e.g. the AT line) with a legend.
//!
//! ```no_run
//! use quantreplica::report::heatmap::Heatmap;
//! use quantreplica::report::plot::{save, Series};
//! let x = vec![0.5, 1.0, 1.5];
//! let y = vec![1.0, 2.0];
//! let mut h = Heatmap::from_fn(x, y, |xv, yv| xv * yv);
//! h.title = "λ_AT".into();
//! h.curves.push(Series::line("AT line", vec![(0.5, 1.2), (1.5, 1.8)]));
//! save(&h, std::path::Path::new("figures/example"), (900, 650)).unwrap();
//! ```

use super::plot::{palette, perr, Figure, Mark, Series};
use crate::error::{Error, Result};
use crate::sweep::{Grid, Param, SweepRow};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A heat map; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Heatmap {
    /// Caption.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Colour-bar label (continuous mode).
    pub z_label: String,
    /// Cell centres along x (monotone).
    pub x: Vec<f64>,
    /// Cell centres along y (monotone).
    pub y: Vec<f64>,
    /// Values, `z[iy * x.len() + ix]`. Non-finite values are drawn light grey ("undefined").
    /// In categorical mode a value is the index of its category.
    pub z: Vec<f64>,
    /// Logarithmic x axis (centres must be positive).
    pub log_x: bool,
    /// Logarithmic y axis (centres must be positive).
    pub log_y: bool,
    /// Logarithmic colour scale (continuous mode; non-positive values count as undefined).
    pub log_z: bool,
    /// Fixed colour range (otherwise the finite data range).
    pub z_range: Option<(f64, f64)>,
    /// Category names: when not empty, the map is categorical (legend instead of colour bar).
    pub categories: Vec<String>,
    /// Category colours (RGB); missing ones come from a light default palette.
    pub category_colours: Vec<(u8, u8, u8)>,
    /// Curves drawn over the cells, with a legend (default colours: palette 1, 2, ...; red first).
    pub curves: Vec<Series>,
    /// Legend corner.
    pub legend: super::plot::Legend,
}

/// The viridis colour map at `t ∈ [0, 1]` (piecewise linear through 9 stops).
pub fn viridis(t: f64) -> RGBColor {
    const S: [(f64, f64, f64); 9] = [
        (68.0, 1.0, 84.0),
        (71.0, 44.0, 122.0),
        (59.0, 81.0, 139.0),
        (44.0, 113.0, 142.0),
        (33.0, 144.0, 141.0),
        (39.0, 173.0, 129.0),
        (92.0, 200.0, 99.0),
        (170.0, 220.0, 50.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let u = t * (S.len() - 1) as f64;
    let k = (u.floor() as usize).min(S.len() - 2);
    let f = u - k as f64;
    let mix = |a: f64, b: f64| (a + (b - a) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(
        mix(S[k].0, S[k + 1].0),
        mix(S[k].1, S[k + 1].1),
        mix(S[k].2, S[k + 1].2),
    )
}

/// Light colours for phase regions, readable under dark curves.
pub const PHASE_COLOURS: [(u8, u8, u8); 6] = [
    (166, 219, 160),
    (244, 165, 130),
    (190, 190, 190),
    (146, 197, 222),
    (253, 219, 199),
    (194, 165, 207),
];

const UNDEFINED: RGBColor = RGBColor(225, 225, 225);

/// One cell: two opposite corners and the fill.
type Cell = ((f64, f64), (f64, f64), RGBColor);

/// Cell edges around monotone centres: midpoints (geometric on a log axis), the outer edges
/// mirrored.
fn edges(c: &[f64], log: bool) -> Vec<f64> {
    let f = |v: f64| if log { v.ln() } else { v };
    let g = |v: f64| if log { v.exp() } else { v };
    let t: Vec<f64> = c.iter().map(|&v| f(v)).collect();
    let n = t.len();
    let mut e = Vec::with_capacity(n + 1);
    if n == 1 {
        let h = if log { 0.2 } else { 0.5 * t[0].abs().max(1.0) };
        return vec![g(t[0] - h), g(t[0] + h)];
    }
    e.push(t[0] - 0.5 * (t[1] - t[0]));
    for i in 0..n - 1 {
        e.push(0.5 * (t[i] + t[i + 1]));
    }
    e.push(t[n - 1] + 0.5 * (t[n - 1] - t[n - 2]));
    e.into_iter().map(g).collect()
}

fn span(e: &[f64]) -> (f64, f64) {
    let a = e[0].min(e[e.len() - 1]);
    let b = e[0].max(e[e.len() - 1]);
    if b > a {
        (a, b)
    } else {
        (a - 0.5, b + 0.5)
    }
}

impl Heatmap {
    /// A continuous heat map with `z = f(x, y)` at every cell.
    pub fn from_fn(x: Vec<f64>, y: Vec<f64>, f: impl Fn(f64, f64) -> f64) -> Heatmap {
        let z = y
            .iter()
            .flat_map(|&yv| x.iter().map(move |&xv| (xv, yv)))
            .map(|(a, b)| f(a, b))
            .collect();
        Heatmap {
            x,
            y,
            z,
            ..Heatmap::default()
        }
    }

    /// A heat map of a sweep over (at least) the axes `x` and `y`, `value` of each row; with
    /// more axes, the last row at each (x, y) wins — sweep exactly these two for a plain map.
    pub fn from_sweep<T>(
        grid: &Grid,
        rows: &[SweepRow<T>],
        x: Param,
        y: Param,
        value: impl Fn(&T) -> f64,
    ) -> Result<Heatmap> {
        let pos = |p: Param| {
            grid.axes
                .iter()
                .position(|a| a.param == p)
                .ok_or_else(|| Error::input(format!("the sweep has no {p} axis")))
        };
        let (kx, ky) = (pos(x)?, pos(y)?);
        let ax = grid.axes[kx].numbers();
        let ay = grid.axes[ky].numbers();
        let mut z = vec![f64::NAN; ax.len() * ay.len()];
        for r in rows {
            z[r.point.coords[ky] * ax.len() + r.point.coords[kx]] = value(&r.result);
        }
        Ok(Heatmap {
            x_label: x.name().into(),
            y_label: y.name().into(),
            x: ax,
            y: ay,
            z,
            ..Heatmap::default()
        })
    }

    fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::input(format!("heat map: {m}")));
        if self.x.is_empty() || self.y.is_empty() {
            return bad("no cells".into());
        }
        if self.z.len() != self.x.len() * self.y.len() {
            return bad(format!(
                "{} values for {} × {} cells",
                self.z.len(),
                self.x.len(),
                self.y.len()
            ));
        }
        for (name, c, log) in [("x", &self.x, self.log_x), ("y", &self.y, self.log_y)] {
            if c.iter().any(|v| !v.is_finite() || (log && *v <= 0.0)) {
                return bad(format!(
                    "{name} centres must be finite{}",
                    if log { " and positive" } else { "" }
                ));
            }
        }
        Ok(())
    }

    fn z_range(&self) -> (f64, f64) {
        if let Some(r) = self.z_range {
            return r;
        }
        let ok = |v: &&f64| v.is_finite() && (!self.log_z || **v > 0.0);
        let lo = self
            .z
            .iter()
            .filter(ok)
            .fold(f64::INFINITY, |a, &b| a.min(b));
        let hi = self
            .z
            .iter()
            .filter(ok)
            .fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        if !lo.is_finite() {
            return if self.log_z { (0.1, 1.0) } else { (0.0, 1.0) };
        }
        if hi > lo {
            (lo, hi)
        } else if self.log_z {
            (lo / 2.0, hi * 2.0)
        } else {
            (lo - 0.5, hi + 0.5)
        }
    }

    fn unit(&self, v: f64, (lo, hi): (f64, f64)) -> Option<f64> {
        if !v.is_finite() {
            return None;
        }
        if self.log_z {
            (v > 0.0 && lo > 0.0).then(|| (v.ln() - lo.ln()) / (hi.ln() - lo.ln()))
        } else {
            Some((v - lo) / (hi - lo))
        }
    }

    fn category_colour(&self, k: usize) -> RGBColor {
        let (r, g, b) = self
            .category_colours
            .get(k)
            .copied()
            .unwrap_or(PHASE_COLOURS[k % PHASE_COLOURS.len()]);
        RGBColor(r, g, b)
    }

    fn cell_colour(&self, v: f64, zr: (f64, f64)) -> RGBColor {
        if !self.categories.is_empty() {
            if v.is_finite() && v >= 0.0 && (v.round() as usize) < self.categories.len() {
                return self.category_colour(v.round() as usize);
            }
            return UNDEFINED;
        }
        self.unit(v, zr).map_or(UNDEFINED, viridis)
    }

    fn cells(&self) -> Vec<Cell> {
        let ex = edges(&self.x, self.log_x);
        let ey = edges(&self.y, self.log_y);
        let zr = self.z_range();
        let nx = self.x.len();
        let mut out = Vec::with_capacity(self.z.len());
        for iy in 0..self.y.len() {
            for ix in 0..nx {
                let c = self.cell_colour(self.z[iy * nx + ix], zr);
                out.push(((ex[ix], ey[iy]), (ex[ix + 1], ey[iy + 1]), c));
            }
        }
        out
    }
}

macro_rules! draw_map {
    ($chart:expr, $self:expr) => {{
        $chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&$self.x_label)
            .y_desc(&$self.y_label)
            .axis_desc_style(("sans-serif", 18))
            .label_style(("sans-serif", 14))
            .x_label_formatter(&|v| super::plot::tick(*v))
            .y_label_formatter(&|v| super::plot::tick(*v))
            .draw()
            .map_err(perr)?;
        $chart
            .draw_series(
                $self
                    .cells()
                    .into_iter()
                    .map(|(a, b, c)| Rectangle::new([a, b], c.filled())),
            )
            .map_err(perr)?;
        let mut legend = false;
        for (k, name) in $self.categories.iter().enumerate() {
            let col = $self.category_colour(k);
            $chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(perr)?
                .label(name.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], col.filled()));
            legend = true;
        }
        for (i, s) in $self.curves.iter().enumerate() {
            let col = palette(s.colour.unwrap_or(i + 1));
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .filter(|p| (!$self.log_x || p.0 > 0.0) && (!$self.log_y || p.1 > 0.0))
                .collect();
            let style = ShapeStyle::from(&col).stroke_width(3);
            let anno = match s.mark {
                Mark::Dashed => $chart
                    .draw_series(DashedLineSeries::new(pts.clone(), 9, 6, style))
                    .map_err(perr)?,
                Mark::Points => $chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 4, col.filled())))
                    .map_err(perr)?,
                Mark::Line | Mark::LinePoints => $chart
                    .draw_series(LineSeries::new(pts.clone(), style))
                    .map_err(perr)?,
            };
            if !s.name.is_empty() {
                anno.label(s.name.clone()).legend(move |(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + 18, y)],
                        ShapeStyle::from(&col).stroke_width(3),
                    )
                });
                legend = true;
            }
            if s.mark == Mark::LinePoints {
                $chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, col.filled())))
                    .map_err(perr)?;
            }
        }
        if legend {
            $chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 15))
                .position($self.legend.position())
                .draw()
                .map_err(perr)?;
        }
    }};
}

impl Figure for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        self.check()?;
        let (w, _h) = root.dim_in_pixel();
        let categorical = !self.categories.is_empty();
        let bar_w = if categorical { 0 } else { 120.min(w / 4) };
        let (main, bar) = root.split_horizontally(w.saturating_sub(bar_w));
        let (x0, x1) = span(&edges(&self.x, self.log_x));
        let (y0, y1) = span(&edges(&self.y, self.log_y));
        let mut b = ChartBuilder::on(&main);
        b.caption(&self.title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70);
        match (self.log_x, self.log_y) {
            (false, false) => {
                let mut c = b.build_cartesian_2d(x0..x1, y0..y1).map_err(perr)?;
                draw_map!(c, self);
            }
            (true, false) => {
                let mut c = b
                    .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
                    .map_err(perr)?;
                draw_map!(c, self);
            }
            (false, true) => {
                let mut c = b
                    .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                    .map_err(perr)?;
                draw_map!(c, self);
            }
            (true, true) => {
                let mut c = b
                    .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                    .map_err(perr)?;
                draw_map!(c, self);
            }
        }
        if !categorical {
            self.draw_colour_bar(&bar)?;
        }
        Ok(())
    }
}

impl Heatmap {
    fn draw_colour_bar<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let (lo, hi) = self.z_range();
        let mut b = ChartBuilder::on(area);
        b.margin_top(52)
            .margin_bottom(65)
            .margin_left(6)
            .margin_right(4)
            .y_label_area_size(0)
            .right_y_label_area_size(70);
        const N: usize = 200;
        macro_rules! bar {
            ($c:expr, $yv:expr) => {{
                $c.configure_mesh()
                    .disable_mesh()
                    .disable_x_axis()
                    .y_desc(&self.z_label)
                    .axis_desc_style(("sans-serif", 16))
                    .label_style(("sans-serif", 13))
                    .y_label_formatter(&|v| super::plot::tick(*v))
                    .draw()
                    .map_err(perr)?;
                $c.draw_series((0..N).map(|k| {
                    let (a, bb) = ($yv(k as f64 / N as f64), $yv((k + 1) as f64 / N as f64));
                    Rectangle::new(
                        [(0.0, a), (1.0, bb)],
                        viridis((k as f64 + 0.5) / N as f64).filled(),
                    )
                }))
                .map_err(perr)?;
            }};
        }
        if self.log_z && lo > 0.0 {
            let mut c = b
                .build_cartesian_2d(0.0..1.0, (lo..hi).log_scale())
                .map_err(perr)?;
            bar!(c, |t: f64| (lo.ln() + t * (hi.ln() - lo.ln())).exp());
        } else {
            let mut c = b.build_cartesian_2d(0.0..1.0, lo..hi).map_err(perr)?;
            bar!(c, |t: f64| lo + t * (hi - lo));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_bracket_centres() {
        assert_eq!(edges(&[1.0, 2.0, 3.0], false), vec![0.5, 1.5, 2.5, 3.5]);
        let e = edges(&[1.0, 10.0, 100.0], true);
        assert!((e[1] - 10f64.sqrt()).abs() < 1e-12);
        assert_eq!(edges(&[3.0, 2.0], false), vec![3.5, 2.5, 1.5]);
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
    }
}
