//! Wide level sets solved in rescaled units (issue 13, item 2).
//!
//! The RS solver's tolerances are absolute (`max |G(x) − x| < 1e-11` on `m`, `q`, `Q`), so a
//! student whose levels reach `|s| ~ 10⁷` (`q ~ 10¹⁴`) cannot converge: one unit in the last place
//! of `q` exceeds the tolerance (measured: `rs --width 1e7` reported "no fixed point converged").
//! The Gaussian-channel model is covariant under `w → c w`: levels, teacher and label noise
//! scaled by `c` (variances by `c²`), `β → β/c²`, the ridge unchanged, give `m, q, Q`, the
//! errors and the energy times `c²`, and the same `χ = β(Q − q)`, `λ_AT`, free entropy and
//! entropy (the student's measure is a counting measure on the levels). Level sets wider than
//! [`WIDE`] are solved with their largest level scaled to 1 and the results scaled back.

use super::RsSolution;
use crate::model::{Channel, Model, Student};
use crate::thermo::Thermo;

/// Largest `max |s|` solved in the user's units.
pub const WIDE: f64 = 10.0;

/// The rescaled model and `c²` (results are multiplied by it), when the levels are wider than
/// [`WIDE`] and the channel is Gaussian.
pub fn rescaled(model: &Model) -> Option<(Model, f64)> {
    let Student::Discrete(l) = &model.student else {
        return None;
    };
    let Channel::Gaussian(ch) = &model.channel else {
        return None;
    };
    let v = l.values();
    let c = v[0].abs().max(v[v.len() - 1].abs());
    if !(c > WIDE && c.is_finite()) {
        return None;
    }
    let k = 1.0 / c;
    let scaled = Model::new(
        model.alpha,
        ch.noise * k * k,
        model.beta * c * c,
        model.ridge,
        Student::Discrete(l.scaled(k)),
        model.teacher.scaled(k),
    )
    .ok()?;
    Some((scaled, c * c))
}

/// A solution of the rescaled model in the user's units (`c2 = c²`).
pub fn back(s: RsSolution, c2: f64) -> RsSolution {
    RsSolution {
        m: s.m * c2,
        q: s.q * c2,
        big_q: s.big_q * c2,
        thermo: Thermo {
            gen_error: s.gen_error * c2,
            mse_posterior_mean: s.mse_posterior_mean * c2,
            train_error: s.train_error * c2,
            energy: s.energy * c2,
            ..s.thermo
        },
        residual: s.residual * c2,
        ..s
    }
}

/// A starting state `[m, q, Q]` (or `[m, q, 1/(1+χ)]` when `collapsed`) in rescaled units.
pub fn start(x: [f64; 3], c2: f64, collapsed: bool) -> [f64; 3] {
    [
        x[0] / c2,
        x[1] / c2,
        if collapsed { x[2] } else { x[2] / c2 },
    ]
}
