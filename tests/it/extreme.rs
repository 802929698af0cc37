//! Extreme parameters give right answers (issue 13, item 2), checked against references no one
//! here chose: the β = ∞ solution and the finite-β quadrature on either side of the frozen switch,
//! closed forms (α → ∞: the nearest-level quantization of the teacher), exact invariances (a
//! ridge on levels of equal magnitude is a constant; the model's covariance under `w → c w`),
//! and a brute-force midpoint rule for the posterior-variance bumps.

use crate::support::cli::ok;
use quantreplica::continuation::branches::{fixed_points, AllFixedPoints, BranchOptions};
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rs::{finite, RsSolution};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

fn two_bit(width: f64) -> Student {
    Student::Discrete(LevelSet::uniform(2, width).unwrap())
}

fn gauss(rho: f64) -> TeacherPrior {
    TeacherPrior::gaussian(rho).unwrap()
}

fn all(m: &Model) -> AllFixedPoints {
    fixed_points(m, &BranchOptions::default())
}

fn eq(m: &Model) -> RsSolution {
    let a = all(m);
    assert!(a.report.converged, "no convergence at {m:?}");
    a.report.equilibrium
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

/// Large β: the finite-β solution agrees with β = ∞ to its O(1/β) correction at every β from
/// 1e6 on (the finite-β quadrature below the frozen switch, the frozen limit above it, up to
/// β = 1e300 where αβ is near overflow), and λ_AT/β is the same on both sides of the switch.
#[test]
fn large_beta_agrees_with_zero_temperature() {
    for (student, alpha) in [(two_bit(1.3), 1.5), (two_bit(1.0), 2.0)] {
        let at = |beta: f64| Model::new(alpha, 0.1, beta, 0.0, student.clone(), gauss(1.0));
        let g = eq(&at(f64::INFINITY).unwrap());
        assert!(g.at_eigenvalue.is_infinite() && !g.rs_stable);
        let mut slope = Vec::new();
        for beta in [1e6, 3e6, 1e7, 1e8, 1e9, 1e10, 1e12, 1e15, 1e300] {
            let s = eq(&at(beta).unwrap());
            // Measured corrections: 0.23/β in m for the first model.
            for (x, y) in [(s.m, g.m), (s.q, g.q), (s.chi, g.chi)] {
                assert!((x - y).abs() < 2.0 / beta + 1e-12, "β={beta}: {x} vs {y}");
            }
            assert!(s.big_q >= s.q && s.big_q - s.q < 2.0 * g.chi / beta);
            assert!(!s.rs_stable && s.at_eigenvalue.is_finite());
            slope.push((beta, s.at_eigenvalue / beta));
        }
        // λ_AT/β: the finite-β quadrature at 1e6 (α β²/(1+χ)² E[Var²]) against the frozen
        // limit's Σ p(t_k) d_k³/(6(1+χ)) from 1e7 on.
        let (_, reference) = slope[0];
        for (beta, k) in &slope[1..] {
            assert!(
                close(*k, reference, 1e-5),
                "λ_AT/β at {beta}: {k} vs {reference}"
            );
        }
    }
}

/// Past the frozen switch the free entropy and entropy (differences of numbers of size βe)
/// are reported as unknown, as at β = ∞, never as digits of noise.
#[test]
fn frozen_thermodynamics_is_null() {
    let s = eq(&Model::new(1.5, 0.1, 1e9, 0.0, two_bit(1.3), gauss(1.0)).unwrap());
    assert!(s.free_entropy.is_none() && s.entropy.is_none());
    let s = eq(&Model::new(1.5, 0.1, 1e5, 0.0, two_bit(1.3), gauss(1.0)).unwrap());
    assert!(s.free_entropy.is_some());
}

/// Huge label noise at moderate β: the step widths `1/(Â d)` are 2e-5 of the field's spread.
/// The posterior-variance bumps of the finite-β map (hence `Q − q`) against a brute-force
/// midpoint rule at the reported state; before the fix the outer tails of the outer bumps fell
/// between quadrature nodes and `χ` came out 8% low, "converged".
#[test]
fn huge_noise_resolves_the_variance_bumps() {
    for noise in [1e4, 1e8] {
        let st = two_bit(1.0);
        let m = Model::new(2.0, noise, 5.0, 0.0, st.clone(), gauss(1.0)).unwrap();
        let s = eq(&m);
        let ch = finite::channel(&m, s.m, s.q, s.big_q).unwrap();
        let tau = (1.0 + ch.e / 2.0).sqrt();
        // E[Var] over ŷ ~ N(0, τ²) (w0 and the noise folded): the bumps sit within ±2 of 0,
        // where the density is flat to 1e-8 relative; the midpoint rule on [−6, 6].
        let n = 600_000;
        let h = 12.0 / n as f64;
        let bumps: f64 = (0..n)
            .map(|i| {
                let y = -6.0 + h * (i as f64 + 0.5);
                st.mean_var(ch.a_hat, ch.a_hat * y).1 * h
            })
            .sum();
        let density = 1.0 / (tau * (2.0 * std::f64::consts::PI).sqrt());
        let var = density * bumps;
        assert!(
            close(s.big_q - s.q, var, 1e-6),
            "σ²={noise}: Q−q = {} vs {var}",
            s.big_q - s.q
        );
    }
}

/// A ridge on ±1 levels is a constant (Q = 1): any ridge gives the ridge-free answer. A huge
/// ridge on 2-bit levels leaves only ±ω/3 (the outer levels weigh exp(−βλ(ω² − ω²/9)/2) = 0):
/// the answer of the binary ±ω/3 student. Before the fix the exponents cancelled to round-off
/// at βλ ≳ 1e8 and the continuation stalled for minutes.
#[test]
fn huge_ridge_is_exact() {
    let pm1 = Student::Discrete(LevelSet::uniform(1, 1.0).unwrap());
    let free = eq(&Model::new(2.0, 0.1, 5.0, 0.0, pm1.clone(), gauss(1.0)).unwrap());
    for ridge in [1e4, 1e8, 1e12] {
        let s = eq(&Model::new(2.0, 0.1, 5.0, ridge, pm1.clone(), gauss(1.0)).unwrap());
        assert!(
            close(s.m, free.m, 1e-9) && close(s.q, free.q, 1e-9),
            "ridge {ridge}"
        );
    }
    let third = Student::Discrete(LevelSet::new(vec![-1.0 / 3.0, 1.0 / 3.0], None).unwrap());
    let inner = eq(&Model::new(2.0, 0.1, 5.0, 0.0, third, gauss(1.0)).unwrap());
    for ridge in [1e4, 1e8] {
        let s = eq(&Model::new(2.0, 0.1, 5.0, ridge, two_bit(1.0), gauss(1.0)).unwrap());
        assert!(
            close(s.m, inner.m, 1e-8) && close(s.q, inner.q, 1e-8),
            "ridge {ridge}"
        );
    }
}

/// Huge α: the field is the teacher weight itself, the β = ∞ student its nearest level:
/// `m = E[w0 Q(w0)]`, `q = E[Q(w0)²]` in closed form (2-bit levels ±1/3, ±1, edges 0, ±2/3).
#[test]
fn huge_alpha_is_the_quantized_teacher() {
    let n = Normal::new(0.0, 1.0).unwrap();
    let t = 2.0 / 3.0;
    let m_ref = 2.0 * ((n.pdf(0.0) - n.pdf(t)) / 3.0 + n.pdf(t));
    let q_ref = 2.0 * ((n.cdf(t) - 0.5) / 9.0 + (1.0 - n.cdf(t)));
    for beta in [f64::INFINITY, 5.0] {
        let s = eq(&Model::new(1e10, 0.1, beta, 0.0, two_bit(1.0), gauss(1.0)).unwrap());
        assert!(
            close(s.m, m_ref, 1e-4) && close(s.q, q_ref, 1e-4),
            "β={beta}: {s:?}"
        );
    }
    // Tiny α: the prior (m = q = 0, Q the levels' mean square).
    let s = eq(&Model::new(1e-12, 0.1, 5.0, 0.0, two_bit(1.0), gauss(1.0)).unwrap());
    assert!(s.m.abs() < 1e-10 && s.q.abs() < 1e-10 && close(s.big_q, 5.0 / 9.0, 1e-10));
}

/// Wide levels: the model is covariant under `w → c w` (levels, teacher and noise scaled by c,
/// β by 1/c²): `m, q, Q` scale by c², χ and λ_AT do not. Before the fix `rs --width 1e7`
/// converged nowhere (absolute tolerances on `q ~ 1e14`).
#[test]
fn wide_levels_are_covariant() {
    for beta in [f64::INFINITY, 5.0] {
        let unit = eq(&Model::new(2.0, 0.1, beta, 0.0, two_bit(1.0), gauss(1.0)).unwrap());
        for c in [30.0, 1e4, 1e7, 1e100] {
            let m = Model::new(
                2.0,
                0.1 * c * c,
                beta / (c * c),
                0.0,
                two_bit(c),
                gauss(c * c),
            )
            .unwrap();
            let s = eq(&m);
            let c2 = c * c;
            assert!(
                close(s.m / c2, unit.m, 1e-8),
                "c={c}: {} vs {}",
                s.m / c2,
                unit.m
            );
            assert!(close(s.q / c2, unit.q, 1e-8) && close(s.big_q / c2, unit.big_q, 1e-8));
            assert!(close(s.chi, unit.chi, 1e-8));
        }
        // The width alone, far from the teacher's scale: converged, finite, labelled.
        let s = all(&Model::new(2.0, 0.1, beta, 0.0, two_bit(1e8), gauss(1.0)).unwrap());
        assert!(s.report.converged && !s.fixed_points.is_empty());
        assert!(s.report.equilibrium.m.is_finite() && s.report.equilibrium.q > 1e14);
    }
}

/// Nothing converges to a wrong "stable" answer: at every extreme point of the model-flag space
/// tried here the solver either converges (and the equilibrium is finite) or says it did not.
#[test]
fn extremes_converge_or_say_so() {
    let mut n = 0;
    for beta in [f64::INFINITY, 5.0, 1e9] {
        for (alpha, noise, width, rho) in [
            (1e-8, 0.1, 1.0, 1.0),
            (1e8, 0.1, 1.0, 1.0),
            (2.0, 0.0, 1.0, 1.0),
            (2.0, 1e12, 1.0, 1.0),
            (2.0, 0.1, 1e-8, 1.0),
            (2.0, 0.1, 1e8, 1.0),
            (2.0, 0.1, 1.0, 1e-8),
            (2.0, 0.1, 1.0, 1e8),
        ] {
            let m = Model::new(alpha, noise, beta, 0.0, two_bit(width), gauss(rho)).unwrap();
            let a = all(&m);
            let s = &a.report.equilibrium;
            assert!(a.report.converged, "{alpha} {noise} {width} {rho} β={beta}");
            assert!(s.m.is_finite() && s.q.is_finite() && s.big_q.is_finite());
            n += 1;
        }
    }
    assert_eq!(n, 24);
}

/// The table prints huge numbers in exponent form (not 300 digits) and never NaN.
#[test]
fn text_output_of_huge_beta() {
    let text = ok(&["rs", "--beta", "1e300", "--alpha", "1.5", "--width", "1.3"]).stdout;
    assert!(text.contains("beta=1e300"), "{text}");
    assert!(text.lines().all(|l| l.len() < 200), "{text}");
    assert!(!text.to_lowercase().contains("nan"), "{text}");
}
