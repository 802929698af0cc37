//! Figures through plotters, written as PNG and SVG side by side.
//!
//! The font is embedded (DejaVu Sans, see `assets/fonts/DejaVu-LICENSE`) so that figures render
//! identically on any machine, with no system font libraries.

use crate::error::{Error, Result};
use crate::output::Sink;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Once;

static FONT: Once = Once::new();
const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font under the family name "sans-serif" (idempotent).
pub fn ensure_font() {
    FONT.call_once(|| {
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            // The bytes are a valid TTF compiled into the binary; failure would be a build defect.
            let _ = plotters::style::register_font("sans-serif", style, FONT_BYTES);
        }
    });
}

/// Anything that can draw itself on a plotters drawing area of any backend.
pub trait Figure {
    /// Draws the whole figure on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Maps any plotters error into the library error.
pub fn perr<E: std::fmt::Debug>(e: E) -> Error {
    Error::Io(format!("plotting failed: {e:?}"))
}

/// Renders `fig` to `<stem>.png` and `<stem>.svg`, each written atomically. Returns both paths.
pub fn save(fig: &impl Figure, stem: &Path, size: (u32, u32)) -> Result<(PathBuf, PathBuf)> {
    ensure_font();
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    let (png_sink, svg_sink) = (Sink::new(&png)?, Sink::new(&svg)?);
    png_sink.write_with(|tmp| {
        let root = BitMapBackend::new(tmp, size).into_drawing_area();
        root.fill(&WHITE).map_err(perr)?;
        fig.draw(&root)?;
        root.present().map_err(perr)
    })?;
    let mut svg_text = String::new();
    {
        let root = SVGBackend::with_string(&mut svg_text, size).into_drawing_area();
        root.fill(&WHITE).map_err(perr)?;
        fig.draw(&root)?;
        root.present().map_err(perr)?;
    }
    svg_sink.write(svg_text.as_bytes())?;
    Ok((png, svg))
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// A solid line.
    Line,
    /// A dashed line.
    Dashed,
    /// Filled circles (with optional error bars).
    Points,
    /// Line with circles.
    LinePoints,
}

/// One named series of a [`LineChart`].
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// (x, y) points; non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
    /// Symmetric error bars (same length as `points`), drawn for point marks.
    pub err: Option<Vec<f64>>,
    /// Drawing style.
    pub mark: Mark,
    /// Palette index (colour); `None` uses the series' position.
    pub colour: Option<usize>,
}

impl Series {
    /// A series drawn as a solid line.
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
            err: None,
            mark: Mark::Line,
            colour: None,
        }
    }
    /// A series drawn as points with error bars.
    pub fn points(name: impl Into<String>, points: Vec<(f64, f64)>, err: Option<Vec<f64>>) -> Self {
        Series {
            name: name.into(),
            points,
            err,
            mark: Mark::Points,
            colour: None,
        }
    }
    /// Sets the mark.
    pub fn mark(mut self, mark: Mark) -> Self {
        self.mark = mark;
        self
    }
    /// Sets the palette colour.
    pub fn colour(mut self, c: usize) -> Self {
        self.colour = Some(c);
        self
    }
}

/// A colour from a palette readable on white and distinguishable in print.
pub fn palette(i: usize) -> RGBColor {
    const P: [(u8, u8, u8); 10] = [
        (31, 119, 180),
        (214, 39, 40),
        (44, 160, 44),
        (255, 127, 14),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
        (188, 189, 34),
        (23, 190, 207),
    ];
    let (r, g, b) = P[i % P.len()];
    RGBColor(r, g, b)
}

/// An x–y chart with several series, a legend and optional log axes.
#[derive(Debug, Clone, Default)]
pub struct LineChart {
    /// Caption above the plot.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Fixed y range (otherwise from the data).
    pub y_range: Option<(f64, f64)>,
    /// Fixed x range (otherwise from the data).
    pub x_range: Option<(f64, f64)>,
    /// Where the legend goes.
    pub legend: Legend,
}

/// Legend corner of a [`LineChart`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Legend {
    /// Upper right (the default).
    #[default]
    UpperRight,
    /// Lower left.
    LowerLeft,
    /// Upper left.
    UpperLeft,
    /// Lower right.
    LowerRight,
}

impl Legend {
    /// The plotters position.
    pub fn position(self) -> SeriesLabelPosition {
        match self {
            Legend::UpperRight => SeriesLabelPosition::UpperRight,
            Legend::LowerLeft => SeriesLabelPosition::LowerLeft,
            Legend::UpperLeft => SeriesLabelPosition::UpperLeft,
            Legend::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// A compact tick label: at most 4 significant digits, no trailing zeros.
pub fn tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.1e}");
    }
    let digits = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn data_range(vals: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in vals {
        if v.is_finite() && (!log || v > 0.0) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return if log { (0.1, 1.0) } else { (0.0, 1.0) };
    }
    if log {
        if hi <= lo {
            hi = lo * 10.0;
        }
        (lo / 1.15, hi * 1.15)
    } else {
        let pad = if hi > lo {
            0.05 * (hi - lo)
        } else {
            0.5 * lo.abs().max(1.0)
        };
        (lo - pad, hi + pad)
    }
}

impl LineChart {
    fn x_range(&self) -> (f64, f64) {
        self.x_range.unwrap_or_else(|| {
            data_range(
                self.series
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.0)),
                self.log_x,
            )
        })
    }
    fn y_range(&self) -> (f64, f64) {
        self.y_range.unwrap_or_else(|| {
            data_range(
                self.series.iter().flat_map(|s| {
                    s.points.iter().enumerate().flat_map(move |(i, p)| {
                        let e = s.err.as_ref().map(|e| e[i]).unwrap_or(0.0);
                        let e = if e.is_finite() { e } else { 0.0 };
                        [p.1 - e, p.1 + e]
                    })
                }),
                self.log_y,
            )
        })
    }
}

macro_rules! draw_series_on {
    ($chart:expr, $self:expr, $yr:expr) => {{
        for (i, s) in $self.series.iter().enumerate() {
            let col = palette(s.colour.unwrap_or(i));
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .filter(|p| (!$self.log_x || p.0 > 0.0) && (!$self.log_y || p.1 > 0.0))
                .collect();
            let style = ShapeStyle::from(&col).stroke_width(2);
            let anno = match s.mark {
                Mark::Line | Mark::LinePoints => $chart
                    .draw_series(LineSeries::new(pts.clone(), style))
                    .map_err(perr)?,
                Mark::Dashed => $chart
                    .draw_series(DashedLineSeries::new(pts.clone(), 8, 5, style))
                    .map_err(perr)?,
                Mark::Points => $chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 4, col.filled())))
                    .map_err(perr)?,
            };
            if s.mark == Mark::Points {
                anno.label(s.name.clone())
                    .legend(move |(x, y)| Circle::new((x + 9, y), 4, col.filled()));
            } else {
                anno.label(s.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2))
                });
            }
            if s.mark == Mark::LinePoints {
                $chart
                    .draw_series(pts.iter().map(|p| Circle::new(*p, 3, col.filled())))
                    .map_err(perr)?;
            }
            if let Some(err) = &s.err {
                let bars: Vec<_> = s
                    .points
                    .iter()
                    .zip(err)
                    .filter(|(p, e)| p.0.is_finite() && p.1.is_finite() && e.is_finite())
                    .map(|(p, e)| {
                        let lo = if $self.log_y {
                            (p.1 - e).max($yr.0)
                        } else {
                            p.1 - e
                        };
                        ErrorBar::new_vertical(p.0, lo, p.1, p.1 + e, col.stroke_width(1), 6)
                    })
                    .collect();
                $chart.draw_series(bars).map_err(perr)?;
            }
        }
        $chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 15))
            .position($self.legend.position())
            .draw()
            .map_err(perr)?;
    }};
}

impl Figure for LineChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (x0, x1) = self.x_range();
        let (y0, y1) = self.y_range();
        let mut b = ChartBuilder::on(root);
        b.caption(&self.title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70);
        macro_rules! mesh {
            ($chart:expr) => {{
                $chart
                    .configure_mesh()
                    .x_desc(&self.x_label)
                    .y_desc(&self.y_label)
                    .axis_desc_style(("sans-serif", 18))
                    .label_style(("sans-serif", 14))
                    .light_line_style(WHITE.mix(0.0))
                    // Log axes get a label per decade step otherwise, which overlap.
                    .x_labels(if self.log_x { 12 } else { 10 })
                    .x_label_formatter(&|v| tick(*v))
                    .y_label_formatter(&|v| tick(*v))
                    .draw()
                    .map_err(perr)?;
            }};
        }
        match (self.log_x, self.log_y) {
            (false, false) => {
                let mut c = b.build_cartesian_2d(x0..x1, y0..y1).map_err(perr)?;
                mesh!(c);
                draw_series_on!(c, self, (y0, y1));
            }
            (true, false) => {
                let mut c = b
                    .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
                    .map_err(perr)?;
                mesh!(c);
                draw_series_on!(c, self, (y0, y1));
            }
            (false, true) => {
                let mut c = b
                    .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                    .map_err(perr)?;
                mesh!(c);
                draw_series_on!(c, self, (y0, y1));
            }
            (true, true) => {
                let mut c = b
                    .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                    .map_err(perr)?;
                mesh!(c);
                draw_series_on!(c, self, (y0, y1));
            }
        }
        Ok(())
    }
}

/// Several figures on one canvas, in rows of `cols`, under a common title.
#[derive(Debug, Clone, Default)]
pub struct Panels<F> {
    /// Caption over all panels.
    pub title: String,
    /// Panels per row.
    pub cols: usize,
    /// The panels, row-major.
    pub panels: Vec<F>,
}

impl<F: Figure> Figure for Panels<F> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let cols = self.cols.max(1);
        let rows = self.panels.len().div_ceil(cols).max(1);
        let inner = root.titled(&self.title, ("sans-serif", 26)).map_err(perr)?;
        for (area, p) in inner.split_evenly((rows, cols)).iter().zip(&self.panels) {
            p.draw(area)?;
        }
        Ok(())
    }
}
