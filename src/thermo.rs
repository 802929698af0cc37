//! The thermodynamic observables of one solution, shared by the RS and 1RSB records
//! ([`crate::rs::RsSolution`], [`crate::rsb::RsbSolution`] flatten it into their JSON), so that
//! code reading results treats both alike.

use serde::Serialize;

/// Errors and thermodynamics of one fixed point. `P` is the type of the free entropy and
/// entropy: `Option<f64>` for RS (null at β = ∞, where φ diverges as −βe), `f64` for 1RSB
/// (finite β only).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thermo<P = f64> {
    /// `β(Q − q)` (RS; at β = ∞ the χ of THEORY.md §3, ∞ when the model interpolates) or
    /// `β(Q − q1)` (1RSB).
    pub chi: f64,
    /// Generalization error of a Gibbs sample, `ρ − 2m + Q`.
    pub gen_error: f64,
    /// Error of the posterior mean, `ρ − 2m + q` (1RSB: `ρ − 2m + q0`).
    pub mse_posterior_mean: f64,
    /// Training error per sample, as the output channel reports it (Gaussian channel: the mean
    /// squared residual, label noise included).
    pub train_error: f64,
    /// Free entropy φ.
    pub free_entropy: P,
    /// Energy per weight `e = −∂φ/∂β` (Gaussian channel: `(α/2) ε_t + (λ/2) Q`).
    pub energy: f64,
    /// Entropy `s = φ + βe`.
    pub entropy: P,
}
