//! # quantreplica
//!
//! Predicts what weight quantization does to learning before anyone trains a model: the
//! replica theory of quantized-weight regression and classification (RS at finite and zero
//! temperature with de Almeida–Thouless stability, 1RSB), checked against finite-size methods
//! (AMP with state evolution, Gibbs sampling, quantization-aware training); sweeps, phase
//! diagrams, optimal widths, double descent; low-precision SGD with exact risk recursions;
//! adaptive stochastic quantization (ASQ); the dynamics of straight-through training.
//!
//! ## From theory to code
//!
//! Parameters → model pieces → solvers → observables → output, never back. The equations, with
//! their derivations linked, are in `docs/theory.md`; in short:
//!
//! | Theory | Modules |
//! |---|---|
//! | Model specification (plain serde data, validated) | [`spec`] ([`ModelSpec`]) |
//! | Scalar channel, student side: local posterior `π(s) e^{−a s²/2 + h s}`, its moments, sampling, rounding, β = ∞ cells | [`model::levels`], [`model::rounding`] |
//! | Scalar channel, teacher side: the measure of `h = m̂ w0 + √q̂ z`, per mixture component, β = ∞ cells | [`model::field`], [`model::teacher`] |
//! | Scalar channel, output side: `Ψ_out`, RS and 1RSB conjugates, GAMP's `g_out`, losses (Gaussian, sign) | [`model::channel`], [`model::sign_channel`] |
//! | RS saddle point at finite β; all fixed points, the equilibrium; λ_AT | [`rs`], [`rs::finite`], [`thermo`] |
//! | RS at β = ∞ (the trained quantized model); storage capacity | [`rs::zero`], [`rs::capacity`] |
//! | AT line, phases, phase maps; first-order transitions | [`phase`], [`phase::map`] |
//! | RS branches as curves: pseudo-arclength continuation, folds (spinodals) | [`continuation`] |
//! | One-step replica symmetry breaking | [`rsb`] |
//! | AMP and state evolution; Gibbs sampling and exact enumeration; QAT | [`amp`], [`gibbs`], [`qat`], [`validate`] |
//! | Optimal width, double descent, the headline answers, SGD experiments | [`experiments`], [`optimize`] |
//! | Grids over parameters, checkpoints, shards | [`sweep`] |
//! | Low-precision SGD: exact risk recursions, Monte Carlo, sketches, shrinkage | [`lowprec`] |
//! | Adaptive stochastic quantization | [`asq`] |
//! | Online straight-through SGD as N → ∞ (McKean–Vlasov, Fokker–Planck) | [`ste`] |
//! | Quadrature, fixed points, parallel loops, seeds, statistics | [`quad`], [`fixed_point`], [`parallel`], [`instance`], [`stats`] |
//! | Drawing (the only layer that draws); writing files | [`report`], [`output`] |
//! | The command line (the only user of clap) | [`cli`] |
//!
//! ## Main entry points
//!
//! One RS point: the trained 2-bit model (β = ∞) with many samples and no label noise, at Max's
//! optimal step 0.9957 (width 1.5 steps), has the error of Max's quantizer of N(0, 1), 0.1188:
//!
//! ```
//! use quantreplica::{rs, ModelSpec};
//! let mut spec = ModelSpec::default(); // 2 bits, uniform levels, Gaussian teacher, β = ∞
//! spec.alpha = 1e8;
//! spec.noise = 0.0;
//! spec.width = 1.5 * 0.9957;
//! let report = rs::solve(&spec.build()?, &rs::SolverOptions::default());
//! assert!(report.converged);
//! assert!((report.equilibrium.gen_error - 0.1188).abs() < 1e-4);
//! # Ok::<(), quantreplica::Error>(())
//! ```
//!
//! A sweep (every key of `rs --json` at every grid point, in grid order):
//!
//! ```
//! use quantreplica::sweep::{self, Grid, Param, RunOptions};
//! use quantreplica::ModelSpec;
//! let grid = Grid::parse(&["alpha=0.5:4:8".into()], &[])?;
//! let rows = sweep::run_records(&grid, &ModelSpec::default(), &RunOptions::default(), None)?;
//! assert_eq!(rows.len(), 8);
//! // More samples per weight, smaller error.
//! let errors: Vec<f64> = rows.iter().map(|r| r.result.equilibrium.gen_error).collect();
//! assert!(errors.windows(2).all(|w| w[1] < w[0]), "{errors:?}");
//! assert_eq!(rows[7].point.f64(Param::Alpha), Some(4.0));
//! # Ok::<(), quantreplica::Error>(())
//! ```
//!
//! The optimal width of a 2-bit uniform quantizer (scan, then Brent):
//!
//! ```
//! use quantreplica::experiments::widths::{optimal_width, Objective};
//! use quantreplica::ModelSpec;
//! let w = optimal_width(&ModelSpec::default(), Objective::GenError)?;
//! assert!(w.converged && (w.width - 1.3286).abs() < 1e-3);
//! # Ok::<(), quantreplica::Error>(())
//! ```
//!
//! ASQ: the 4 levels that minimize the variance of unbiased stochastic rounding of `x`, and the
//! rounding itself:
//!
//! ```
//! use quantreplica::asq::{exact_levels, round_vec, sorted, vnmse};
//! let x: Vec<f64> = (0..1000).map(|i| ((i as f64) * 0.37).sin()).collect();
//! let levels = exact_levels(&sorted(&x)?, None, 4)?;
//! assert_eq!(levels.len(), 4);
//! // Optimal: no worse than the evenly spaced levels on the same range.
//! let (lo, hi) = (levels[0], levels[3]);
//! let even = [lo, lo + (hi - lo) / 3.0, lo + 2.0 * (hi - lo) / 3.0, hi];
//! assert!(vnmse(&x, &levels)? <= vnmse(&x, &even)?);
//! let mut rng = quantreplica::instance::rng_for(1, 0);
//! let rounded = round_vec(&x, &levels, &mut rng)?;
//! assert!(rounded.iter().all(|r| levels.contains(r)));
//! # Ok::<(), quantreplica::Error>(())
//! ```

#![warn(missing_docs)]

pub mod amp;
pub mod asq;
pub mod budget;
pub mod cli;
pub mod continuation;
pub mod error;
pub mod experiments;
pub mod fixed_point;
pub mod fuzzing;
pub mod gibbs;
pub mod instance;
pub mod job;
pub mod lattice;
pub mod lowprec;
pub mod model;
pub mod optimize;
pub mod output;
pub mod parallel;
pub mod phase;
pub mod progress;
pub mod qat;
pub mod quad;
pub mod report;
pub mod rs;
pub mod rsb;
pub mod spec;
pub mod stats;
pub mod ste;
pub mod sweep;
pub mod thermo;
pub mod validate;

pub use error::{Error, Result};
pub use spec::{ChannelKind, ModelSpec};
