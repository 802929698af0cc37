//! The drawing layer: every figure of the crate, drawn with plotters (PNG and SVG side by
//! side) from results computed elsewhere, and the files of the reports that come with figures.
//! Nothing outside this module (and the command line) draws; this module computes nothing of
//! its own.
//!
//! * [`plot`]: line charts, panels, legends, the embedded font, saving;
//! * [`heatmap`]: heat maps of grids and sweeps (continuous or categorical);
//! * [`phase_map`]: phase maps (phases, AT line, spinodals, first-order transitions);
//! * [`rsb_map`]: the 1RSB map (1RSB against RS generalization error, AT line, replicon);
//! * [`headline`]: the headline figures and files of the default job;
//! * [`double_descent`]: the double-descent panels;
//! * [`validate`]: the validation panel's table and figures;
//! * [`lowprec`]: the low-precision SGD seed figures.

pub mod double_descent;
pub mod headline;
pub mod heatmap;
pub mod lowprec;
pub mod phase_map;
pub mod plot;
pub mod rsb_map;
pub mod validate;
