//! Low-precision SGD for linear regression (issue 5; THEORY.md §7; seeds 000, 001, 003).
//!
//! * [`formats`]: bit-level number formats (integer grid, FP4/FP8/FP16/BF16) with
//!   round-to-nearest and stochastic rounding, and their measured conditional moments;
//! * [`noise`]: quantizers on vectors — the abstract multiplicative (per vector / per
//!   coordinate) and additive noise models and the formats — and the five §7 targets;
//! * [`sgd`]: the one-pass minibatch SGD simulator (parallel runs, divergence detection);
//! * [`exact`]: the exact O(d)-per-step expected risk for last and averaged iterates, and the
//!   Zou et al. bound;
//! * [`sketch`]: sketched regression and the precision scaling-law fit (seed 001);
//! * [`shrinkage`]: gradient shrinkage g̃ = q g + ε (seed 003);
//! * [`curves`]: the data of the seed figures (drawn by [`crate::report::lowprec`]).
//!
//! Run `r` of a Monte Carlo estimate with base seed `s` draws from [`sgd::run_rng`]`(s, r)`.

pub mod curves;
pub mod exact;
pub mod formats;
pub mod noise;
pub mod sgd;
pub mod shrinkage;
pub mod sketch;

pub use exact::{exact_risk, zou_bound, ExactRisk, ZouBound};
pub use formats::{FloatFormat, IntGrid, IntScale, Overflow, Rounding};
pub use noise::{Quantizer, Sharing, Targets};
pub use sgd::{simulate, Averaging, Problem, SgdConfig, Shrink, Simulation, StepSchedule, WStar};
