//! The Gibbs sampler at N = 200 against the RS theory, and the width of P(q) at an RS-stable
//! point versus an RSB point.
//!
//! Width of P(q): on each instance, the root-mean-square deviation over measured sweeps of the
//! normalized two-replica overlap q_ab/Q (Q the self-overlap) from its mean over all instances
//! and sweeps; reported as mean ± standard error over instances. It sees both the breadth of
//! P(q) within an instance and its instance-to-instance variation (non-self-averaging), the two
//! signatures of RSB. Both points use the same parallel-tempering ladder, so that the RSB
//! point's several states are actually visited.

use quantreplica::gibbs::GibbsOptions;
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::validate::{run_gibbs, RunSpec, Source};

fn model(bits: u32, width: f64, beta: f64) -> Model {
    let s = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
    Model::new(2.0, 0.1, beta, 0.0, s, TeacherPrior::gaussian(1.0).unwrap()).unwrap()
}

fn spec(seeds: usize) -> RunSpec {
    RunSpec {
        source: Source::Generated { n: 200 },
        seeds,
        base_seed: 3,
        progress: false,
    }
}

/// Finite-size allowance at N = 200 on top of 3 standard errors (corrections are O(1/N)).
const ALLOW: f64 = 0.02;

#[test]
fn gen_and_train_error_agree_with_rs_where_stable() {
    let md = model(2, 1.5, 5.0);
    let r = run_gibbs(
        &md,
        &spec(8),
        &GibbsOptions {
            burn_in: 500,
            sweeps: 1000,
            temperatures: 1,
            beta_min: 0.5,
        },
        40,
    )
    .unwrap();
    assert!(r.rs.rs_stable, "λ_AT = {}", r.rs.at_eigenvalue);
    for (name, s) in [
        ("gen_error", &r.gen_error),
        ("train_error", &r.train_error),
        ("energy", &r.energy),
    ] {
        eprintln!(
            "{name}: {:.5} ± {:.5} vs RS {:.5}",
            s.mean, s.stderr, s.theory
        );
        assert!(
            s.agrees(ALLOW),
            "{name}: {} ± {} vs RS {}",
            s.mean,
            s.stderr,
            s.theory
        );
    }
    eprintln!(
        "overlap: {:.5} ± {:.5} vs RS {:.5}",
        r.overlap.mean, r.overlap.stderr, r.overlap.theory
    );
}

#[test]
fn overlap_distribution_is_broader_at_an_rsb_point() {
    let opts = GibbsOptions {
        burn_in: 300,
        sweeps: 600,
        temperatures: 6,
        beta_min: 0.5,
    };
    let rs_point = run_gibbs(&model(2, 1.5, 5.0), &spec(4), &opts, 40).unwrap();
    let rsb_point = run_gibbs(&model(1, 1.5, 5.0), &spec(4), &opts, 40).unwrap();
    assert!(rs_point.rs.rs_stable && !rsb_point.rs.rs_stable);
    let (a, b) = (&rs_point.overlap_width, &rsb_point.overlap_width);
    eprintln!(
        "width of P(q/Q): RS point {:.4} ± {:.4} (λ_AT {:.2}); RSB point {:.4} ± {:.4} (λ_AT {:.2}); swaps {:?}",
        a.mean, a.stderr, rs_point.rs.at_eigenvalue, b.mean, b.stderr, rsb_point.rs.at_eigenvalue, rsb_point.swap_acceptance
    );
    // Measurably broader: the difference exceeds 3 combined standard errors, and the RSB width
    // is at least 1.5 times the RS one.
    let se = (a.stderr.powi(2) + b.stderr.powi(2)).sqrt();
    assert!(
        b.mean - a.mean > 3.0 * se,
        "RSB width {} vs RS width {} (se {se})",
        b.mean,
        a.mean
    );
    assert!(b.mean > 1.5 * a.mean);
}
