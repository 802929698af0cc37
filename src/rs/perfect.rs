//! The perfect-generalization states of the sign channel (`docs/classification.md` §7a).
//!
//! With noiseless teacher labels (`p = 0`), zero margin and a discrete teacher whose values,
//! scaled by some `r > 0`, are all levels of the student, the student `w = r w0` classifies
//! every example correctly. For a discrete student this state is frozen at every β: flipping
//! `d` of its `N` weights turns the field by an angle of order `√(d/N)` and misclassifies a
//! fraction of order `√(d/N)` of the `αN` examples, an energy of order `α√(dN)` against an
//! entropy gain of order `d log N`. In RS it is the limit `m → rρ`, `q = Q → r²ρ` of the
//! finite-β map (`q̂ → ∞` like `1/√(Q − q)`, while `Q − q` shrinks like `e^{−c q̂}`), which the
//! iteration approaches super-exponentially but never reaches (at `Q − q = 0` the channel's
//! conjugates are infinite). It is therefore reported from its limit, not iterated:
//!
//! ```text
//! m = rρ,  q = Q = r²ρ,  ε_g = ε_t = 0,  e = 0,  λ_AT = 0 (Var(s) = 0),
//! φ = s = E_{w0}[log π(r w0)] − (λ/2) r² ρ
//! ```
//!
//! (the level weights and the ridge prior factor of the one configuration; 0 for the counting
//! measure without a ridge). At β = ∞ this is the Ising perceptron's `m = 1` state of Györgyi
//! and Sompolinsky–Tishby–Seung, whose entropy 0 the poor branch's entropy crosses at α_IT.
//! The check: along the iteration from an informed start, the finite-β free entropy, energy and
//! λ_AT tend to these values (`tests/it/classification_phase.rs`).

use super::RsSolution;
use crate::fixed_point::Status;
use crate::model::{Channel, Labels, Model, Student};
use crate::thermo::Thermo;

/// Relative tolerance for "a teacher value times r is a level".
const MATCH: f64 = 1e-12;

/// Every perfect-generalization state of `model` (empty unless the model has one: sign
/// channel, teacher labels without flips, zero margin, a discrete student and a discrete
/// teacher whose values are levels after one common scaling `r > 0`), in increasing `r`.
pub fn states(model: &Model) -> Vec<RsSolution> {
    let Channel::Sign(ch) = &model.channel else {
        return vec![];
    };
    if ch.labels != Labels::Teacher || ch.flip != 0.0 || ch.margin != 0.0 {
        return vec![];
    }
    let Student::Discrete(levels) = &model.student else {
        return vec![];
    };
    let teacher = &model.teacher;
    if !teacher.is_discrete() {
        return vec![];
    }
    let comps = teacher.components();
    // The component of largest |mean| fixes the candidate ratios r = s / μ.
    let Some(anchor) = comps
        .iter()
        .map(|c| c.mean)
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .filter(|m| *m != 0.0)
    else {
        return vec![];
    };
    let vals = levels.values();
    let level_of = |x: f64| {
        vals.iter()
            .position(|&s| (s - x).abs() <= MATCH * (1.0 + x.abs()))
    };
    let rho = model.rho();
    let mut out = Vec::new();
    let mut ratios: Vec<f64> = vals
        .iter()
        .map(|s| s / anchor)
        .filter(|r| *r > 0.0)
        .collect();
    ratios.sort_by(f64::total_cmp);
    for r in ratios {
        let mut log_w = 0.0;
        let mut ok = true;
        for c in comps {
            match level_of(r * c.mean) {
                Some(k) => log_w += c.weight * levels.log_weight(k),
                None => ok = false,
            }
        }
        if !ok {
            continue;
        }
        let phi = log_w - 0.5 * model.ridge * r * r * rho;
        let mut sol = solution(r * rho, r * r * rho, phi);
        sol.entropy_violation = model
            .student
            .max_entropy()
            .map(|smax| phi < -1e-9 || phi > smax + 1e-9);
        out.push(sol);
    }
    out
}

/// The frozen record at `(m, q = Q)` with free entropy `phi`.
fn solution(m: f64, q: f64, phi: f64) -> RsSolution {
    RsSolution {
        m,
        q,
        big_q: q,
        thermo: Thermo {
            chi: 0.0,
            gen_error: 0.0,
            mse_posterior_mean: 0.0,
            train_error: 0.0,
            free_entropy: Some(phi),
            energy: 0.0,
            entropy: Some(phi),
        },
        at_eigenvalue: 0.0,
        rs_stable: true,
        entropy_violation: Some(false),
        status: Status::Converged,
        iterations: 0,
        residual: 0.0,
    }
}

/// The perfect state that the warm start `[m, q, Q]` designates (exactly, up to round-off), if
/// any.
pub fn at_start(model: &Model, start: [f64; 3]) -> Option<RsSolution> {
    states(model)
        .into_iter()
        .find(|s| crate::fixed_point::same_state(&[s.m, s.q, s.big_q], &start, 1e-12))
}

/// Whether the state `[m, q, Q]` lies in the basin of a perfect state: its normalized overlap
/// `m/√(ρQ)` and `q/Q` both within `tol` of 1 near one of them.
pub fn near(model: &Model, x: &[f64], tol: f64) -> bool {
    let rho = model.rho();
    states(model).iter().any(|s| {
        x[2] > 0.0
            && (x[2] - s.big_q).abs() < 0.05 * s.big_q
            && 1.0 - x[0] / (rho * x[2]).sqrt() < tol
            && 1.0 - x[1] / x[2] < tol
    })
}
