//! Equilibration of the Gibbs sampler under the sign channel, and the classification panel's
//! Gibbs rows (issue 12; docs/validation.md, "The classification panel"):
//!
//! - the integrated autocorrelation time estimator against the closed form of an AR(1) process;
//! - the sampler against exact enumeration at the panel's own parameters (±1 perceptron
//!   α = 1.2, β = 3; storage α = 0.5, β = 5) at N = 14: the energy, β and ε_t conventions of the
//!   sampler are those of the exact Gibbs measure;
//! - at the panel's former settings (N = 200, 300 + 600 sweeps) the ±1 point is flagged as not
//!   equilibrated (its training error was 0.125 ± 0.020 against RS 0.033);
//! - at the panel's settings ([`PanelSettings::sign`]: N = 100, 10000 + 20000 sweeps) both
//!   former "NO" points pass the equilibration check and agree with the RS theory within
//!   3 standard errors + the panel's allowance 0.02.

use crate::support::gibbs::against_enumeration;
use quantreplica::gibbs::{integrated_autocorrelation_time, GibbsOptions};
use quantreplica::instance::rng_for;
use quantreplica::validate::{run_gibbs, sign_panel, PanelSettings, RunSpec, Source};
use rand_distr::{Distribution, StandardNormal};

/// AR(1) `x_{t+1} = φ x_t + √(1 − φ²) ξ_t`: `ρ(t) = φ^t`, so `τ = (1 + φ)/(1 − φ)`. The Sokal
/// estimator's relative standard deviation is about `√(2(2W + 1)/n)` ≈ 4% here.
#[test]
fn autocorrelation_time_of_ar1_is_its_closed_form() {
    for (phi, seed) in [(0.0, 1u64), (0.5, 2), (0.9, 3), (0.97, 4)] {
        let mut rng = rng_for(seed, 0);
        let n = 400_000;
        let mut x = Vec::with_capacity(n);
        let mut v: f64 = StandardNormal.sample(&mut rng);
        for _ in 0..n {
            x.push(v);
            let xi: f64 = StandardNormal.sample(&mut rng);
            v = phi * v + (1.0 - phi * phi).sqrt() * xi;
        }
        let tau = integrated_autocorrelation_time(&x);
        let want = (1.0 + phi) / (1.0 - phi);
        eprintln!("phi {phi}: tau {tau:.3}, closed form {want:.3}");
        assert!(
            (tau - want).abs() <= 0.15 * want,
            "phi {phi}: tau {tau} vs {want}"
        );
    }
    // Degenerate series: no information, never NaN.
    assert_eq!(integrated_autocorrelation_time(&[1.0; 50]), 1.0);
    assert_eq!(integrated_autocorrelation_time(&[1.0, 2.0]), 1.0);
}

/// The panel's two former "NO" points: the sampler's averages on one N = 14 instance equal the
/// exact Gibbs averages of all 2^14 configurations (16 runs, within 4 standard errors).
#[test]
fn sign_gibbs_matches_enumeration_at_the_panel_points() {
    let pts = sign_panel();
    let st = PanelSettings::sign();
    let opts = GibbsOptions {
        burn_in: 500,
        sweeps: 6000,
        temperatures: 1,
        beta_min: 0.5,
    };
    for k in [3, 6] {
        let model = pts[k].model(&st).unwrap();
        against_enumeration(&model, 14, &opts, 1200);
    }
}

fn spec(n: usize, st: &PanelSettings) -> RunSpec {
    RunSpec {
        source: Source::Generated { n },
        seeds: st.seeds,
        base_seed: st.base_seed,
        progress: false,
    }
}

/// The ±1 perceptron at α = 1.2, β = 3 with the panel's former Gibbs settings: heat bath is
/// still relaxing, and the check says so (drift and/or τ beyond the run).
#[test]
fn former_panel_settings_are_flagged_not_equilibrated() {
    let st = PanelSettings {
        n_gibbs: 200,
        ..PanelSettings::default()
    };
    assert_eq!((st.gibbs.burn_in, st.gibbs.sweeps), (300, 600));
    let model = sign_panel()[3].model(&st).unwrap();
    let g = run_gibbs(&model, &spec(200, &st), &st.gibbs, 40).unwrap();
    let eq = g.equilibration(&st.gibbs);
    eprintln!(
        "N=200, 300+600 sweeps: eps_t {:.4} ± {:.4} (RS {:.4}), tau {:.0}, drift z {:.1}",
        g.train_error.mean, g.train_error.stderr, g.train_error.theory, eq.tau, eq.drift_z
    );
    assert!(!eq.ok, "{eq:?}");
}

/// With [`PanelSettings::sign`] the former "NO" points are equilibrated and agree with RS:
/// ε_t, q (and ε_g for the teacher) within 3 standard errors + 0.02.
#[test]
fn panel_gibbs_agrees_with_rs_at_the_former_no_points() {
    let st = PanelSettings::sign();
    let pts = sign_panel();
    for k in [3, 6] {
        let model = pts[k].model(&st).unwrap();
        let g = run_gibbs(&model, &spec(st.n_gibbs, &st), &st.gibbs, 40).unwrap();
        let eq = g.equilibration(&st.gibbs);
        let mut rows = vec![("train_error", &g.train_error), ("overlap", &g.overlap)];
        if g.gen_error.theory.is_finite() {
            rows.push(("gen_error", &g.gen_error));
        }
        for (name, s) in rows {
            eprintln!(
                "point {}: {name} {:.4} ± {:.4} (RS {:.4}); tau {:.0}, drift z {:.1}",
                k + 1,
                s.mean,
                s.stderr,
                s.theory,
                eq.tau,
                eq.drift_z
            );
            assert!(
                s.agrees(st.allow_gibbs),
                "point {} {name}: {} ± {} vs RS {}",
                k + 1,
                s.mean,
                s.stderr,
                s.theory
            );
        }
        assert!(eq.ok, "point {}: {eq:?}", k + 1);
    }
}
