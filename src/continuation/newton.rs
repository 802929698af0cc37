//! Newton's method for square systems `G(z) = 0` with an explicit outcome, and its use on
//! `F(x, p) = 0` at a fixed parameter.

use super::{inf_norm, System};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// How a Newton solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NewtonStatus {
    /// The residual and the last step both met their tolerances.
    Converged,
    /// The iteration budget ran out first.
    MaxIterations,
    /// The Jacobian could not be factorized (a singular point of the system).
    Singular,
    /// Every damped step left the domain of the system.
    LeftDomain,
    /// The iterates or the residual became non-finite.
    Diverged,
}

impl NewtonStatus {
    /// Whether the result is a solution.
    pub fn is_converged(self) -> bool {
        self == NewtonStatus::Converged
    }
}

/// Options of [`solve`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Converged when `max |G(z)| ≤ tol` …
    pub tol: f64,
    /// … and the last Newton step satisfies `max |δz| ≤ step_tol (1 + max |z|)`.
    pub step_tol: f64,
    /// Maximum number of Newton steps.
    pub max_iter: usize,
    /// Backtrack (halve the step) while the residual norm does not decrease; when false, only
    /// steps that leave the domain are shortened.
    pub line_search: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tol: 1e-11,
            step_tol: 1e-9,
            max_iter: 30,
            line_search: true,
        }
    }
}

/// Outcome of [`solve`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The last iterate.
    pub z: DVector<f64>,
    /// How the solve ended.
    pub status: NewtonStatus,
    /// Newton steps taken.
    pub iterations: usize,
    /// `max |G(z)|` at the last iterate.
    pub residual: f64,
    /// The Jacobian at the last iterate (when it was evaluated there).
    pub jacobian: Option<DMatrix<f64>>,
}

/// Newton's method on `G(z) = 0`. `eval(z)` returns `(G(z), G'(z))`, or `None` outside the
/// domain of `G` (the step is then halved, up to 40 times).
pub fn solve<E>(mut eval: E, z0: &DVector<f64>, opts: &Options) -> Outcome
where
    E: FnMut(&DVector<f64>) -> Option<(DVector<f64>, DMatrix<f64>)>,
{
    let mut z = z0.clone();
    let Some((mut g, mut jac)) = eval(&z) else {
        return Outcome {
            z,
            status: NewtonStatus::LeftDomain,
            iterations: 0,
            residual: f64::INFINITY,
            jacobian: None,
        };
    };
    let mut res = inf_norm(&g);
    for it in 0..opts.max_iter {
        if !res.is_finite() || z.iter().any(|v| !v.is_finite()) {
            return Outcome {
                z,
                status: NewtonStatus::Diverged,
                iterations: it,
                residual: f64::INFINITY,
                jacobian: None,
            };
        }
        let Some(delta) = jac.clone().lu().solve(&(-&g)) else {
            return Outcome {
                z,
                status: NewtonStatus::Singular,
                iterations: it,
                residual: res,
                jacobian: Some(jac),
            };
        };
        if delta.iter().any(|v| !v.is_finite()) {
            return Outcome {
                z,
                status: NewtonStatus::Singular,
                iterations: it,
                residual: res,
                jacobian: Some(jac),
            };
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let cand = &z + t * &delta;
            if let Some((gc, jc)) = eval(&cand) {
                let rc = inf_norm(&gc);
                // Near a solution the residual is at round-off level and need not decrease.
                if rc.is_finite() && (!opts.line_search || rc < res || rc <= opts.tol) {
                    accepted = Some((cand, gc, jc, rc));
                    break;
                }
            }
            t *= 0.5;
        }
        let Some((cand, gc, jc, rc)) = accepted else {
            return Outcome {
                z,
                status: NewtonStatus::LeftDomain,
                iterations: it + 1,
                residual: res,
                jacobian: Some(jac),
            };
        };
        let step = t * inf_norm(&delta);
        z = cand;
        g = gc;
        jac = jc;
        res = rc;
        if res.is_finite() && res <= opts.tol && step <= opts.step_tol * (1.0 + inf_norm(&z)) {
            return Outcome {
                z,
                status: NewtonStatus::Converged,
                iterations: it + 1,
                residual: res,
                jacobian: Some(jac),
            };
        }
    }
    let status = if res.is_finite() {
        NewtonStatus::MaxIterations
    } else {
        NewtonStatus::Diverged
    };
    Outcome {
        z,
        status,
        iterations: opts.max_iter,
        residual: res,
        jacobian: Some(jac),
    }
}

/// Solves `F(x, p) = 0` for `x` at fixed `p` from `x0`.
pub fn solve_at<S: System + ?Sized>(sys: &S, x0: &DVector<f64>, p: f64, opts: &Options) -> Outcome {
    solve(|x| sys.residual_and_fx(x, p), x0, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converges_quadratically_on_a_2d_system() {
        // x² + y² = 4, x y = 1: a root at x = sqrt(2 + sqrt 3), y = 1/x.
        let eval = |z: &DVector<f64>| {
            let (x, y) = (z[0], z[1]);
            Some((
                DVector::from_vec(vec![x * x + y * y - 4.0, x * y - 1.0]),
                DMatrix::from_row_slice(2, 2, &[2.0 * x, 2.0 * y, y, x]),
            ))
        };
        let out = solve(
            eval,
            &DVector::from_vec(vec![2.0, 0.3]),
            &Options::default(),
        );
        assert_eq!(out.status, NewtonStatus::Converged);
        let x = (2.0 + 3f64.sqrt()).sqrt();
        assert!((out.z[0] - x).abs() < 1e-14 && (out.z[1] - 1.0 / x).abs() < 1e-14);
        assert!(out.iterations <= 6, "{} iterations", out.iterations);
    }

    #[test]
    fn reports_a_singular_jacobian() {
        let eval = |z: &DVector<f64>| {
            Some((
                DVector::from_element(1, z[0] * z[0] + 1.0),
                DMatrix::from_element(1, 1, 2.0 * z[0]),
            ))
        };
        let out = solve(eval, &DVector::from_element(1, 0.0), &Options::default());
        assert_eq!(out.status, NewtonStatus::Singular);
    }

    #[test]
    fn reports_leaving_the_domain() {
        // sqrt(x) + 1 = 0 has no root; every step towards it leaves x ≥ 0.
        let eval = |z: &DVector<f64>| {
            (z[0] >= 0.0).then(|| {
                (
                    DVector::from_element(1, z[0].sqrt() + 1.0),
                    DMatrix::from_element(1, 1, 0.5 / z[0].sqrt().max(1e-300)),
                )
            })
        };
        let out = solve(eval, &DVector::from_element(1, 1.0), &Options::default());
        assert!(!out.status.is_converged());
        assert!(matches!(
            out.status,
            NewtonStatus::LeftDomain | NewtonStatus::MaxIterations | NewtonStatus::Singular
        ));
    }
}
