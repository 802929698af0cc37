//! AMP against the replica-symmetric theory (an independent reference: the RS equations solved
//! by quadrature, never AMP's own output).
//!
//! Finite-size allowance: AMP's MSE at size N has instance-to-instance fluctuations of order
//! 1/√N (covered by the 3 standard errors over seeds) and a bias of order 1/N. We allow
//! `ALLOW = 0.005` (= 10/N at N = 2000) on top of 3 standard errors.

use quantreplica::amp::{self, AmpOptions, AmpResult, VarianceMode};
use quantreplica::instance::{self, derive_seed, Instance};
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rs::{solve, SolverOptions};
use quantreplica::validate::mean_stderr;
use rayon::prelude::*;
use std::sync::OnceLock;

const N: usize = 2000;
const SEEDS: u64 = 8;
const ALLOW: f64 = 0.005;

struct Point {
    teacher: &'static str,
    bits: u32,
    width: f64,
    beta: f64,
}

/// RS-stable finite-β points (λ_AT < 1 is asserted below): b = 1…4 for both teachers.
const POINTS: [Point; 8] = [
    Point {
        teacher: "gaussian",
        bits: 1,
        width: 0.5,
        beta: 5.0,
    },
    Point {
        teacher: "gaussian",
        bits: 2,
        width: 1.5,
        beta: 5.0,
    },
    Point {
        teacher: "gaussian",
        bits: 3,
        width: 1.5,
        beta: 5.0,
    },
    Point {
        teacher: "gaussian",
        bits: 4,
        width: 1.5,
        beta: 5.0,
    },
    Point {
        teacher: "binary",
        bits: 1,
        width: 0.8,
        beta: 3.0,
    },
    Point {
        teacher: "binary",
        bits: 2,
        width: 1.5,
        beta: 5.0,
    },
    Point {
        teacher: "binary",
        bits: 3,
        width: 1.5,
        beta: 5.0,
    },
    Point {
        teacher: "binary",
        bits: 4,
        width: 1.5,
        beta: 5.0,
    },
];

fn model(p: &Point) -> Model {
    let teacher = if p.teacher == "binary" {
        TeacherPrior::binary(1.0)
    } else {
        TeacherPrior::gaussian(1.0)
    }
    .unwrap();
    Model::new(
        2.0,
        0.1,
        p.beta,
        0.0,
        Student::Discrete(LevelSet::uniform(p.bits, p.width).unwrap()),
        teacher,
    )
    .unwrap()
}

/// AMP runs per point and seed. The instance depends only on (α, σ², teacher, seed), so one
/// instance per teacher and seed serves all four students.
fn runs() -> &'static Vec<Vec<AmpResult>> {
    static RUNS: OnceLock<Vec<Vec<AmpResult>>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let opts = AmpOptions {
            tol: 1e-6,
            max_iter: 100,
            ..AmpOptions::default()
        };
        let per_seed: Vec<Vec<AmpResult>> = (0..SEEDS)
            .into_par_iter()
            .map(|s| {
                let mut out = Vec::new();
                let mut cache: Option<(&str, Instance)> = None;
                for p in &POINTS {
                    let md = model(p);
                    if cache.as_ref().is_none_or(|(t, _)| *t != p.teacher) {
                        cache = Some((
                            p.teacher,
                            instance::generate(&md, N, derive_seed(42, s)).unwrap(),
                        ));
                    }
                    let inst = &cache.as_ref().unwrap().1;
                    out.push(amp::run(&md, inst, &opts).unwrap());
                }
                out
            })
            .collect();
        (0..POINTS.len())
            .map(|k| per_seed.iter().map(|v| v[k].clone()).collect())
            .collect()
    })
}

#[test]
fn final_mse_matches_rs_posterior_mean_error_where_rs_is_stable() {
    let runs = runs();
    let mut failures = Vec::new();
    for (k, p) in POINTS.iter().enumerate() {
        let md = model(p);
        let rs = solve(&md, &SolverOptions::default());
        assert!(rs.converged, "RS did not converge at {}", k);
        assert!(
            rs.equilibrium.rs_stable,
            "point {k} is not RS-stable: λ_AT = {}",
            rs.equilibrium.at_eigenvalue
        );
        // AMP follows the RS branch reached from its own start; here it must be the equilibrium.
        let (se, _) = amp::se_fixed_point(&md, 5000, 1e-12).unwrap();
        assert!(
            (se.mse - rs.equilibrium.mse_posterior_mean).abs() < 1e-6,
            "point {k}: SE branch differs from equilibrium"
        );
        for r in &runs[k] {
            assert!(
                r.status.is_converged(),
                "point {k}: AMP status {:?}",
                r.status
            );
        }
        let mse: Vec<f64> = runs[k]
            .iter()
            .map(|r| r.mse_posterior_mean.unwrap())
            .collect();
        let gen: Vec<f64> = runs[k].iter().map(|r| r.gen_error.unwrap()).collect();
        let (m, se_m) = mean_stderr(&mse);
        let (g, se_g) = mean_stderr(&gen);
        let th = rs.equilibrium.mse_posterior_mean;
        let thg = rs.equilibrium.gen_error;
        eprintln!(
            "{} b={} w={} beta={}: AMP mse {m:.5} ± {se_m:.5} vs RS {th:.5} (diff {:+.5}); gen {g:.5} ± {se_g:.5} vs {thg:.5} (diff {:+.5})",
            p.teacher, p.bits, p.width, p.beta, m - th, g - thg
        );
        if (m - th).abs() > 3.0 * se_m + ALLOW {
            failures.push(format!("point {k} mse {m} ± {se_m} vs {th}"));
        }
        if (g - thg).abs() > 3.0 * se_g + ALLOW {
            failures.push(format!("point {k} gen {g} ± {se_g} vs {thg}"));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn per_iteration_mse_and_variance_follow_state_evolution() {
    let runs = runs();
    let mut failures = Vec::new();
    for (k, p) in POINTS.iter().enumerate() {
        let md = model(p);
        let se = amp::state_evolution(&md, 15).unwrap();
        let mut worst: f64 = 0.0;
        for (t, s) in se.iter().enumerate() {
            let at = |r: &AmpResult| *r.history.get(t).or(r.history.last()).unwrap();
            let mse: Vec<f64> = runs[k].iter().map(|r| at(r).mse).collect();
            let var: Vec<f64> = runs[k].iter().map(|r| at(r).mean_var).collect();
            let (m, sm) = mean_stderr(&mse);
            let (v, sv) = mean_stderr(&var);
            worst = worst.max((m - s.mse).abs() / (3.0 * sm + ALLOW));
            if (m - s.mse).abs() > 3.0 * sm + ALLOW {
                failures.push(format!(
                    "point {k} iter {}: mse {m} ± {sm} vs SE {}",
                    t + 1,
                    s.mse
                ));
            }
            if (v - s.mean_var).abs() > 3.0 * sv + ALLOW {
                failures.push(format!(
                    "point {k} iter {}: mean var {v} ± {sv} vs SE {}",
                    t + 1,
                    s.mean_var
                ));
            }
        }
        eprintln!("point {k}: worst |AMP − SE|/(3σ + allowance) over 15 iterations = {worst:.2}");
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn rank_one_and_full_variance_messages_agree() {
    let md = model(&POINTS[1]);
    let inst = instance::generate(&md, 500, 7).unwrap();
    let a = amp::run(&md, &inst, &AmpOptions::default()).unwrap();
    let b = amp::run(
        &md,
        &inst,
        &AmpOptions {
            variance: VarianceMode::Full,
            ..AmpOptions::default()
        },
    )
    .unwrap();
    assert!(a.status.is_converged() && b.status.is_converged());
    let (ma, mb) = (a.mse_posterior_mean.unwrap(), b.mse_posterior_mean.unwrap());
    assert!((ma - mb).abs() < 0.01, "rank-one {ma} vs full {mb}");
}

#[test]
fn beta_infinity_is_rejected_with_an_input_error() {
    let md = Model {
        beta: f64::INFINITY,
        ..model(&POINTS[1])
    };
    let inst = instance::generate(&model(&POINTS[1]), 50, 1).unwrap();
    assert!(matches!(
        amp::run(&md, &inst, &AmpOptions::default()),
        Err(quantreplica::Error::Input(_))
    ));
}
