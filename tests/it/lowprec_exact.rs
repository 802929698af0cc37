//! The exact risk recursion against Monte Carlo (within 3 standard errors), the O(d) diagonal
//! against the full-matrix recursion, and the Zou et al. bound as an upper bound.

use quantreplica::lowprec::exact::{exact_risk, full_matrix_last_iterate, zou_bound};
use quantreplica::lowprec::noise::{Quantizer, Sharing, Targets};
use quantreplica::lowprec::sgd::{simulate, Averaging, Problem, SgdConfig, StepSchedule, WStar};

fn cfg(targets: Targets, batch: usize, averaging: Averaging, steps: usize, step: f64) -> SgdConfig {
    SgdConfig {
        problem: Problem::power_law(10, 1.5, 0.25, WStar::Ones).unwrap(),
        batch,
        step,
        steps,
        schedule: StepSchedule::Constant,
        averaging,
        targets,
        shrink: None,
        grad_format: None,
    }
}

/// Returns (exact, mc mean, mc stderr) and asserts |exact − mc| ≤ 3 se.
fn check(name: &str, c: &SgdConfig, runs: usize, seed: u64) -> (f64, f64, f64) {
    let ex = exact_risk(c, &[]).unwrap().risk.expect("exact diverged");
    let sim = simulate(c, runs, seed, &[]).unwrap();
    assert_eq!(sim.diverged_runs, 0, "{name}: a run diverged");
    let (m, se) = (
        sim.excess_risk.mean.unwrap(),
        sim.excess_risk.stderr.unwrap(),
    );
    let z = (ex - m) / se;
    println!("{name:40} exact {ex:.5}  mc {m:.5} ± {se:.5}  z = {z:+.2}");
    assert!(
        z.abs() <= 3.0,
        "{name}: exact {ex} vs MC {m} ± {se} (z = {z:.2})"
    );
    (ex, m, se)
}

#[test]
fn exact_matches_monte_carlo_for_every_noise_model() {
    let eps = 0.1;
    let models = [
        ("full precision", Targets::full()),
        (
            "mult per-coordinate (all targets)",
            Targets::all(Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerCoordinate,
            }),
        ),
        (
            "mult per-vector (all targets)",
            Targets::all(Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerVector,
            }),
        ),
        (
            "additive (all targets)",
            Targets::all(Quantizer::Additive { eps: 0.05 }),
        ),
    ];
    let mut seed = 11;
    for (name, t) in models {
        for batch in [1usize, 4] {
            for (aname, av) in [("last", Averaging::Last), ("average", Averaging::Average)] {
                let c = cfg(t, batch, av, 60, 0.12);
                seed += 1;
                let (ex, _, _) = check(&format!("{name} B={batch} {aname}"), &c, 6000, seed);
                // The quantization must matter, or the comparison would be vacuous.
                if name != "full precision" {
                    let fp = exact_risk(&cfg(Targets::full(), batch, av, 60, 0.12), &[])
                        .unwrap()
                        .risk
                        .unwrap();
                    assert!(
                        ex > 1.1 * fp,
                        "{name}: quantized risk {ex} barely differs from full precision {fp}"
                    );
                }
            }
        }
    }
}

#[test]
fn exact_matches_monte_carlo_per_target_and_tail_average() {
    // Each target alone, with the per-vector batch quantizers (which couple the batch) at B = 4.
    let mv = Quantizer::Multiplicative {
        eps: 0.3,
        sharing: Sharing::PerVector,
    };
    let add = Quantizer::Additive { eps: 0.1 };
    let mut seed = 101;
    for (tname, target) in [
        ("data", "data"),
        ("labels", "labels"),
        ("params", "params"),
        ("acts", "acts"),
        ("grads", "grads"),
    ] {
        for (qname, q) in [("mult-vec", mv), ("add", add)] {
            let mut t = Targets::full();
            t.set(target, q).unwrap();
            let c = cfg(t, 4, Averaging::Tail { start: 30 }, 60, 0.12);
            seed += 1;
            check(&format!("{tname} {qname} B=4 tail"), &c, 20000, seed);
        }
    }
}

#[test]
fn diagonal_recursion_equals_full_matrix_recursion() {
    // Σ₀ = w*w*ᵀ has off-diagonal entries; if they influenced the diagonal, the O(d) recursion
    // (which never stores them) would disagree with the full d×d recursion of THEORY.md §7.
    let p = Problem::power_law(8, 1.3, 0.3, WStar::Power(1.7)).unwrap();
    for batch in [1usize, 3] {
        let diag = full_matrix_last_iterate(&p, batch, 0.2, 40);
        let full_risk: f64 = diag.iter().zip(&p.lambda).map(|(s, l)| s * l).sum();
        let c = SgdConfig {
            problem: p.clone(),
            ..cfg(Targets::full(), batch, Averaging::Last, 40, 0.2)
        };
        let ex = exact_risk(&c, &[]).unwrap().risk.unwrap();
        assert!(
            (ex - full_risk).abs() <= 1e-12 * full_risk,
            "B={batch}: {ex} vs {full_risk}"
        );
    }
}

#[test]
fn zou_bound_upper_bounds_the_exact_averaged_risk() {
    for (d, a, steps, step) in [(200usize, 1.5, 400usize, 0.05), (500, 2.0, 2000, 0.1)] {
        let p = Problem::power_law(d, a, 0.5, WStar::Ones).unwrap();
        let c = SgdConfig {
            problem: p.clone(),
            ..cfg(Targets::full(), 1, Averaging::Average, steps, step)
        };
        let ex = exact_risk(&c, &[]).unwrap().risk.unwrap();
        let zb =
            zou_bound(&p.lambda, &p.wstar, p.sigma2, step, steps).expect("step inside the theorem");
        println!(
            "d={d} a={a}: exact {ex:.4e}, Zou bound {:.4e} (k* = {})",
            zb.bound, zb.k_star
        );
        assert!(ex <= zb.bound, "exact {ex} above the bound {}", zb.bound);
        // Upper bound, but not wildly loose (the theorem is sharp up to constants).
        assert!(zb.bound <= 100.0 * ex);
    }
}

#[test]
fn exact_reports_divergence_instead_of_nan() {
    let c = cfg(Targets::full(), 1, Averaging::Last, 500, 3.0);
    let ex = exact_risk(&c, &[10, 500]).unwrap();
    assert_eq!(ex.status, "diverged");
    assert!(ex.risk.is_none());
    let sim = simulate(&c, 4, 1, &[]).unwrap();
    assert_eq!(sim.status, "diverged");
    assert_eq!(sim.diverged_runs, 4);
    assert!(sim.excess_risk.mean.is_none());
}
