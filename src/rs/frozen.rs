//! The frozen limit of the finite-β RS equations (issue 13, item 2): when the student's local
//! posterior is so sharp that the finite-β quadrature cannot resolve it, the β = ∞ expressions
//! are used instead, with their leading finite-β corrections.
//!
//! **Why.** At finite β the local posterior `p(s) ∝ π(s) exp(−(a/2)s² + Â ŷ s)` switches between
//! neighbouring levels (gap `d`) over a width `1/(Â d)` in `ŷ`, and `Δ = Q − q = E[Var(s)]` is
//! the integral of the variance bumps there: `Δ ≈ Σ_k p(t_k) d_k / Â` (`p` the density of `ŷ`,
//! `t_k` the cell edges). It is computed as the difference of two O(1) averages, each to the
//! quadrature's absolute tolerance (1e-12) and round-off (1e-16 Q); its relative error grows
//! like `1e-12 / Δ`, and `χ = βΔ` with it. Past `Â ~ 10¹¹` (e.g. β ≥ 1e11 at α = 1.5) the bumps
//! fall below the tolerance, the iteration converges to a spurious frozen state with `Δ = 0`,
//! `λ_AT = 0` — an AT-"stable" wrong answer — and already from `Â ~ 10⁷` the entropy
//! `s = φ + βe` (a difference of two numbers of size βe) is wrong in the first digit.
//! Conversely, in the frozen regime the finite-β equations reduce to the β = ∞ ones: with
//! `Â = αβ/(1+χ)` the bump integral gives `χ = βΔ = (1+χ)κ`, the β = ∞ equation for χ, and the
//! smoothed steps move `m`, `q` by relative amounts of order `1/(Â d τ)` (measured: `0.23/β` for
//! the 2-bit example of docs/continuation.md).
//!
//! **Rule.** With the β = ∞ solution `(m, q, χ)` and `w = 1/(Â d_min τ_min)` — the width of the
//! narrowest posterior step relative to the narrowest spread `τ = sqrt(v_c + E/α)` of `ŷ` over
//! the teacher's components — the β = ∞ expressions are used when `w < 1e-6`: their error is
//! then O(1e-6) relative, while the finite-β quadrature's error in `χ` has reached about 1e-6 and
//! grows from there (measured: 3e-7 at β = 1e7, 1e-4 at β = 1e9, the spurious `χ = 0` at 1e11).
//! The finite-β record is filled as `Q = q + χ/β`, `ε_t` and the energy from the channel at
//! that state, and the replicon from its frozen limit
//! `λ_AT = α (β/(1+χ))² E[Var²] → β/(1+χ) · Σ_k p(t_k) d_k³/6` (each bump contributes
//! `∫Var² dŷ = d³/(6Â)`), which grows like β. The free entropy and the entropy are not
//! computable to any useful accuracy there and are reported as null, as at β = ∞.
//! The continuous student is frozen when its posterior variance `1/(Â + βλ)` is below `1e-10`
//! of `τ²`: its `Q − q` is a difference of two integrals on the same nodes, limited only by
//! round-off (`1e-16 Q`, i.e. 1e-6 relative there).

use super::{solve, solve_from, RsReport, RsSolution, SolverOptions};
use crate::model::{Channel, Model, Student};
use crate::thermo::Thermo;

/// Largest relative width `1/(Â d τ)` of a posterior step at which the finite-β equations are
/// still solved; below it the β = ∞ expressions are used.
pub const FROZEN_WIDTH: f64 = 1e-6;

/// The β = ∞ model of `model`.
pub fn ground(model: &Model) -> Option<Model> {
    Model::with_channel(
        model.alpha,
        model.channel.clone(),
        f64::INFINITY,
        model.ridge,
        model.student.clone(),
        model.teacher.clone(),
    )
    .ok()
}

/// `r = 1/(1+χ)` of a β = ∞ solution (0 when it interpolates).
fn r_of(s: &RsSolution) -> f64 {
    if s.chi.is_finite() {
        1.0 / (1.0 + s.chi)
    } else {
        0.0
    }
}

/// Whether the finite-β `model` is frozen at the β = ∞ solution `g`, and if so the quantities
/// the conversion needs: `(Â, E, r)`.
fn frozen_at(model: &Model, g: &RsSolution) -> Option<(f64, f64, f64)> {
    let Channel::Gaussian(c) = &model.channel else {
        return None;
    };
    let noise = c.noise;
    let r = r_of(g);
    let a_hat = model.alpha * model.beta * r;
    let e = model.rho() - 2.0 * g.m + g.q + noise;
    if !(a_hat > 0.0 && e > 0.0) {
        return None;
    }
    is_frozen(model, a_hat, e).then_some((a_hat, e, r))
}

/// Whether the local posterior at gain `a_hat` (ridge not included) and effective noise `e` is
/// frozen beyond what the finite-β quadrature resolves (see the module notes).
pub fn is_frozen(model: &Model, a_hat: f64, e: f64) -> bool {
    let tau2 = model
        .teacher
        .components()
        .iter()
        .map(|c| c.var + e / model.alpha)
        .fold(f64::INFINITY, f64::min);
    match &model.student {
        Student::Discrete(l) => {
            let d = l.gaps().map(|g| g.1).fold(f64::INFINITY, f64::min);
            l.len() > 1 && 1.0 / (a_hat * d * tau2.sqrt()) < FROZEN_WIDTH
        }
        // Q − q = 1/(Â + βλ) is a difference of two integrals on the same nodes: only
        // round-off (1e-16 Q) limits it.
        Student::Continuous => 1.0 / ((a_hat + model.beta_ridge()) * tau2) < CONTINUOUS_WIDTH,
    }
}

/// The continuous student's threshold on `1/((Â + βλ) τ²)` (relative posterior variance).
pub const CONTINUOUS_WIDTH: f64 = 1e-10;

/// The finite-β record of a frozen model from its β = ∞ solution `g` (`None` if not frozen).
pub fn convert(model: &Model, g: &RsSolution) -> Option<RsSolution> {
    let (a_hat, e, r) = frozen_at(model, g)?;
    let (alpha, beta) = (model.alpha, model.beta);
    let delta = g.chi / beta;
    let big_q = g.q + delta;
    // ε_t = E/(1+βΔ)² + Δ/(1+βΔ) with βΔ = χ taken as such (Q − q would cancel to round-off).
    let train = e * r * r + delta * r;
    let at = match &model.student {
        Student::Discrete(l) => {
            let lp = if model.ridge > 0.0 {
                model.ridge / (alpha * r)
            } else {
                0.0
            };
            let gaps: Vec<f64> = l.gaps().map(|g| g.1).collect();
            let mut sum = 0.0;
            model.teacher.cells(
                e / alpha,
                &l.cell_edges(lp),
                |_, _, _, _| {},
                |w, i, pdf, tau| sum += w * gaps[i].powi(3) * pdf / tau,
            );
            beta * r * sum / 6.0
        }
        Student::Continuous => {
            let v = 1.0 / (a_hat + model.beta_ridge());
            alpha * (beta * r).powi(2) * v * v
        }
    };
    Some(RsSolution {
        m: g.m,
        q: g.q,
        big_q,
        thermo: Thermo {
            chi: g.chi,
            gen_error: model.rho() - 2.0 * g.m + big_q,
            mse_posterior_mean: model.rho() - 2.0 * g.m + g.q,
            train_error: train,
            free_entropy: None,
            energy: 0.5 * alpha * train + 0.5 * model.ridge * big_q,
            entropy: None,
        },
        at_eigenvalue: at,
        rs_stable: at < 1.0,
        entropy_violation: None,
        status: g.status,
        iterations: g.iterations,
        residual: g.residual,
    })
}

/// The RS report of a finite-β `model` from the β = ∞ expressions, when its posterior is
/// frozen at the β = ∞ equilibrium (see the module notes); `None` otherwise.
pub fn report(model: &Model, opts: &SolverOptions) -> Option<RsReport> {
    if !possible(model) {
        return None;
    }
    let gm = ground(model)?;
    let rep = solve(&gm, opts);
    if !rep.converged {
        return None;
    }
    let equilibrium = convert(model, &rep.equilibrium)?;
    let solutions = rep
        .solutions
        .iter()
        .filter_map(|s| convert(model, s))
        .collect();
    Some(RsReport {
        equilibrium,
        converged: true,
        solutions,
    })
}

/// [`report`] for a warm start `(m, q, Q)`: the β = ∞ solution from `(m, q, 1/(1+β(Q − q)))`.
pub fn from_start(model: &Model, start: [f64; 3], opts: &SolverOptions) -> Option<RsSolution> {
    if !possible(model) {
        return None;
    }
    let gm = ground(model)?;
    let chi = model.beta * (start[2] - start[1]).max(0.0);
    let g = solve_from(&gm, [start[0], start[1], 1.0 / (1.0 + chi)], opts)?;
    if !g.status.is_converged() {
        return None;
    }
    convert(model, &g)
}

/// A cheap necessary condition for [`frozen_at`]: a finite β, the Gaussian channel, and `αβ d_min τ_max ≥ 1/FROZEN_WIDTH` (`Â ≤ αβ`, and `τ` bounded using
/// `E ≤ ρ + 2√(ρ s²_max) + s²_max + σ²`).
fn possible(model: &Model) -> bool {
    let Channel::Gaussian(c) = &model.channel else {
        return false;
    };
    if model.zero_temperature() {
        return false;
    }
    let rho = model.rho();
    let (d, s2) = match &model.student {
        Student::Discrete(l) if l.len() > 1 => (
            l.gaps().map(|g| g.1).fold(f64::INFINITY, f64::min),
            l.values().iter().map(|v| v * v).fold(0.0, f64::max),
        ),
        Student::Discrete(_) => return false,
        // The continuous test compares (Â + βλ) τ² with 1/FROZEN_WIDTH²; fold it into the
        // same form with d = τ.
        Student::Continuous => (f64::NAN, f64::INFINITY),
    };
    let e_max = rho + 2.0 * (rho * s2).sqrt() + s2 + c.noise;
    let vmin = model
        .teacher
        .components()
        .iter()
        .map(|c| c.var)
        .fold(f64::INFINITY, f64::min);
    let tau = (vmin + e_max / model.alpha).sqrt();
    let ab = model.alpha * model.beta;
    if d.is_nan() {
        // Continuous: bounded E is not available (s²_max = ∞); decide on the solution.
        return (ab + model.beta_ridge()) * tau * tau >= 1.0 / CONTINUOUS_WIDTH || !tau.is_finite();
    }
    ab * d * tau >= 1.0 / FROZEN_WIDTH
}
