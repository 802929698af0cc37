//! # quantreplica
//!
//! Predicts what weight quantization does to learning before anyone trains a model: the
//! replica-symmetric (RS) theory of quantized-weight linear regression with its
//! de Almeida–Thouless stability test, checked against finite-size methods; low-precision SGD;
//! adaptive stochastic quantization. Equations follow `THEORY.md` (shared with the project).

pub mod amp;
pub mod asq;
pub mod cli;
pub mod continuation;
pub mod error;
pub mod experiments;
pub mod fixed_point;
pub mod gibbs;
pub mod instance;
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
pub use spec::ModelSpec;
