//! The Gibbs sampler against exact enumeration of every configuration of one instance.
//!
//! How agreement is measured: 16 independent two-replica runs (chain seeds `seed0 + 0..16`) on
//! the same instance (seed 11); the standard error is the spread of their 16 averages / 4,
//! which accounts for autocorrelation within each chain. Every average must lie within 4
//! standard errors (+ 1e-4) of the exact value.

use quantreplica::gibbs::{self, ExactAverages, GibbsOptions, GibbsResult};
use quantreplica::instance;
use quantreplica::model::Model;
use quantreplica::validate::mean_stderr;
use rayon::prelude::*;

/// Checks the 16 runs' training error, energy, overlap, Q and (when the teacher is known)
/// generalization error and m against the enumeration; returns both for further checks.
pub fn against_enumeration(
    model: &Model,
    n: usize,
    opts: &GibbsOptions,
    seed0: u64,
) -> (ExactAverages, Vec<GibbsResult>) {
    let inst = instance::generate(model, n, 11).unwrap();
    let ex: ExactAverages = gibbs::enumerate(model, &inst).unwrap();
    let runs: Vec<GibbsResult> = (0..16u64)
        .into_par_iter()
        .map(|s| gibbs::run(model, &inst, opts, seed0 + s).unwrap())
        .collect();
    let mut cases: Vec<(&str, f64, Vec<f64>)> = vec![
        (
            "train_error",
            ex.train_error,
            runs.iter().map(|r| r.train_error).collect(),
        ),
        ("energy", ex.energy, runs.iter().map(|r| r.energy).collect()),
        (
            "overlap",
            ex.overlap,
            runs.iter().map(|r| r.overlap).collect(),
        ),
        ("Q", ex.big_q, runs.iter().map(|r| r.big_q).collect()),
    ];
    match (ex.gen_error, ex.m) {
        (Some(g), Some(m)) => {
            cases.push((
                "gen_error",
                g,
                runs.iter().map(|r| r.gen_error.unwrap()).collect(),
            ));
            cases.push(("m", m, runs.iter().map(|r| r.m.unwrap()).collect()));
        }
        _ => assert!(runs.iter().all(|r| r.gen_error.is_none() && r.m.is_none())),
    }
    for (name, exact, v) in cases {
        let (m, se) = mean_stderr(&v);
        eprintln!(
            "N={n} {name}: sampler {m:.5} ± {se:.5}, exact {exact:.5}, z = {:+.2}",
            (m - exact) / se
        );
        assert!(
            (m - exact).abs() <= 4.0 * se + 1e-4,
            "{name}: sampler {m} ± {se}, exact {exact}"
        );
    }
    (ex, runs)
}
