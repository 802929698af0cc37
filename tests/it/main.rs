//! The integration tests, as one crate (one binary to link instead of one per file).
//!
//! Each module below was a separately linked test file; shared pieces live in [`support`]: the
//! one command-line runner and bad-input assertion (`support::cli`), unique temporary
//! directories (`support::temp`), and the independent references used by several modules.
//! Everything runs as threads of one process, so a test must not change process-wide state
//! (environment, current directory, the global rayon pool) and writes only under its own
//! `support::temp::TempDir`. Run one module with `cargo test --release --test it <module>::`.
//!
//! A new test file goes here as `tests/it/<name>.rs` plus a `mod <name>;` line below; a new
//! top-level `tests/*.rs` would be a separate binary again, which `architecture` refuses.

mod support;

mod amp_theory;
mod architecture;
mod asq_approx;
mod asq_cli;
mod asq_exact;
mod asq_rounding;
mod asq_sort;
mod asq_worst;
mod bad_input_corpus;
mod bounded;
mod branches;
mod classification_cli;
mod classification_finite;
mod classification_frozen;
mod classification_gibbs;
mod classification_phase;
mod classification_published;
mod classification_reference;
mod classification_rsb;
mod classification_storage;
mod classification_width;
mod cli_rs;
mod components;
mod continuation;
mod dense_grids;
mod double_descent;
mod extreme;
mod fuzz_replay;
mod gibbs_exact;
mod gibbs_theory;
mod golden;
mod help_defaults;
mod lowprec_cli;
mod lowprec_exact;
mod lowprec_formats;
mod lowprec_seeds;
mod model_flags;
mod output_files;
mod phase_theory;
mod progress;
mod qat_theory;
mod rs_theory;
mod rsb_cli;
mod rsb_discontinuous;
mod rsb_follow;
mod rsb_quadrature;
mod rsb_reduction;
mod rsb_stationarity;
mod rsb_trap;
mod ste_cli;
mod ste_simulation;
mod ste_theory;
mod sweep_cli;
mod sweep_lib;
mod validate_cli;
mod validate_panel;
