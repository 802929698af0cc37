//! The (α, β) phase diagram of the Ising perceptron (±1 teacher, ±1 student, sign channel) and
//! its perfect-generalization state (`docs/classification.md` §7a):
//! - the perfect state `m = 1` (frozen, reported from its limit by `rs::perfect`) against the
//!   finite-β RS map iterated towards it: free entropy, energy and λ_AT tend to the limit's
//!   values (0, 0, 0 for the counting measure; `−λ r²ρ/2` with a ridge prior);
//! - `rs` lists it beside the poor branch, the equilibrium switching at α_IT;
//! - the map's first-order line and spinodal at large β against the published β = ∞ values
//!   (Györgyi 1.245, Sompolinsky–Tishby–Seung; spinodal 1.493, Barbier et al. 2019) and the
//!   independent one-variable Bayes-optimal solver of `tests/classification_reference.rs`
//!   (α_IT = 1.2447, spinodal in (1.49, 1.50));
//! - at finite β the first-order point is where the poor branch's free entropy crosses 0 (the
//!   perfect state's), checked by solving the poor branch on both sides.

use quantreplica::model::{Channel, LevelSet, Model, SignChannel, Student, TeacherPrior};
use quantreplica::phase::map::phase_diagram;
use quantreplica::phase::RsPhase;
use quantreplica::rs::{finite, perfect, solve, solve_from, SolverOptions};
use quantreplica::spec::ModelSpec;
use quantreplica::sweep::grid::Axis;

fn ising(alpha: f64, beta: f64, width: f64, ridge: f64) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(SignChannel::teacher()),
        beta,
        ridge,
        Student::Discrete(LevelSet::uniform(1, width).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap()
}

/// Iterates the finite-β RS map (damping ½) from an informed start for `n` steps.
fn iterate_towards_perfect(model: &Model, start: [f64; 3], n: usize) -> [f64; 3] {
    let tol = SolverOptions::default().quad;
    let mut x = start;
    for _ in 0..n {
        // Near the limit the map returns q = Q to round-off; the damping keeps x inside.
        let g = finite::map(model, &x, tol).expect("inside the domain");
        x = [
            0.5 * (x[0] + g[0]),
            0.5 * (x[1] + g[1]),
            0.5 * (x[2] + g[2]),
        ];
    }
    x
}

#[test]
fn perfect_state_is_the_limit_of_the_rs_map() {
    for (beta, width, ridge) in [
        (f64::INFINITY, 1.0, 0.0),
        (3.0, 1.0, 0.0),
        (f64::INFINITY, 1.5, 0.5),
    ] {
        let model = ising(1.8, beta, width, ridge);
        let p = perfect::states(&model);
        assert_eq!(p.len(), 1);
        let p = &p[0];
        // r = width: m = width, q = Q = width², φ = −λ width²/2.
        assert!((p.m - width).abs() < 1e-15 && (p.big_q - width * width).abs() < 1e-15);
        let phi = p.free_entropy.unwrap();
        assert!((phi + 0.5 * ridge * width * width).abs() < 1e-15);
        let w2 = width * width;
        let x = iterate_towards_perfect(&model, [0.998 * width, 0.999 * w2, w2], 30);
        assert!(1.0 - x[1] / x[2] < 1e-10, "{x:?}");
        let o =
            finite::observables(&model, x[0], x[1], x[2], SolverOptions::default().quad).unwrap();
        eprintln!(
            "beta {beta} ridge {ridge}: 1 - q/Q = {:.1e}, phi = {:.3e} (limit {phi}), e = {:.1e}, lambda_AT = {:.1e}",
            1.0 - x[1] / x[2],
            o.free_entropy,
            o.energy,
            o.at_eigenvalue
        );
        assert!((o.free_entropy - phi).abs() < 1e-4, "{}", o.free_entropy);
        assert!(o.energy.abs() < 1e-4 && o.at_eigenvalue.abs() < 1e-12);
        assert!(o.gen_error < 1e-5);
    }
}

#[test]
fn no_perfect_state_without_its_conditions() {
    let gauss = Model::with_channel(
        1.8,
        Channel::Sign(SignChannel::teacher()),
        f64::INFINITY,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap();
    assert!(perfect::states(&gauss).is_empty());
    let flipped = Model::with_channel(
        1.8,
        Channel::Sign(SignChannel::new(0.1, 0.0, quantreplica::model::Labels::Teacher).unwrap()),
        5.0,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap();
    assert!(perfect::states(&flipped).is_empty());
    // A 2-bit student of a ±1 teacher: w = r w0 with r = each positive level.
    let b2 = Model::with_channel(
        1.8,
        Channel::Sign(SignChannel::teacher()),
        f64::INFINITY,
        0.0,
        Student::Discrete(LevelSet::uniform(2, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap();
    let lv = LevelSet::uniform(2, 1.0).unwrap();
    let pos: Vec<f64> = lv.values().iter().copied().filter(|v| *v > 0.0).collect();
    let ms: Vec<f64> = perfect::states(&b2).iter().map(|s| s.m).collect();
    assert_eq!(ms, pos);
}

#[test]
fn rs_lists_the_perfect_state_beside_the_poor_branch() {
    let opts = SolverOptions::default();
    // Below α_IT the poor branch is the equilibrium, above it the perfect state; beyond the
    // spinodal only the perfect state remains.
    for (alpha, poor_eq, poor_exists) in
        [(1.0, true, true), (1.3, false, true), (1.6, false, false)]
    {
        let r = solve(&ising(alpha, f64::INFINITY, 1.0, 0.0), &opts);
        assert!(r.converged);
        let perfect = r
            .solutions
            .iter()
            .find(|s| s.m == 1.0 && s.q == 1.0)
            .unwrap();
        assert_eq!(perfect.free_entropy, Some(0.0));
        let poor = r
            .solutions
            .iter()
            .find(|s| s.status.is_converged() && s.m < 0.95);
        assert_eq!(poor.is_some(), poor_exists, "alpha {alpha}");
        assert_eq!(r.equilibrium.m < 0.95, poor_eq, "alpha {alpha}");
        // Every reported solution converged (runs heading for the perfect state are dropped).
        assert!(r.solutions.iter().all(|s| s.status.is_converged()));
    }
    // A warm start at the perfect state returns it.
    let s = solve_from(&ising(1.3, 5.0, 1.0, 0.0), [1.0, 1.0, 1.0], &opts).unwrap();
    assert_eq!((s.gen_error, s.free_entropy), (0.0, Some(0.0)));
}

#[test]
fn phase_map_lines_against_the_beta_infinity_values() {
    let spec: ModelSpec = serde_json::from_value(serde_json::json!({
        "channel": "sign", "teacher": "binary", "bits": 1
    }))
    .unwrap();
    let x = Axis::parse("alpha=1.0:1.8:5", false).unwrap();
    let y = Axis::parse("beta=5,50", false).unwrap();
    let d = phase_diagram(&spec, &x, &y, true).unwrap();
    let fo = &d.layers.first_order;
    let at = |pts: &[(f64, f64)], beta: f64| -> Vec<f64> {
        pts.iter().filter(|p| p.1 == beta).map(|p| p.0).collect()
    };
    // β = 50: e^{−50} ≈ 2e−22, the version space to double precision.
    let t50 = at(&fo.equilibrium_transitions, 50.0);
    let s50 = at(&fo.spinodals, 50.0);
    eprintln!("beta = 50: first order {t50:?}, spinodal {s50:?}");
    assert_eq!(t50.len(), 1);
    assert_eq!(s50.len(), 1);
    // Independent reference solver: 1.2447; Györgyi: 1.245.
    assert!((t50[0] - 1.2447).abs() < 1e-4 && (t50[0] - 1.245).abs() < 1e-3);
    // Reference: in (1.49, 1.50); Barbier et al.: 1.493.
    assert!(t50[0] < s50[0] && s50[0] > 1.49 && s50[0] < 1.50 && (s50[0] - 1.493).abs() < 1e-3);
    // β = 5: the first-order point is the zero of the poor branch's free entropy.
    let t5 = at(&fo.equilibrium_transitions, 5.0);
    let s5 = at(&fo.spinodals, 5.0);
    eprintln!("beta = 5: first order {t5:?}, spinodal {s5:?}");
    assert_eq!(t5.len(), 1);
    assert!(t5[0] > t50[0] && s5.len() == 1 && s5[0] > t5[0]);
    let opts = SolverOptions::default();
    let poor_phi = |alpha: f64| {
        let s = solve_from(&ising(alpha, 5.0, 1.0, 0.0), [0.0, 0.0, 1.0], &opts).unwrap();
        assert!(s.status.is_converged() && s.m < 0.9);
        s.free_entropy.unwrap()
    };
    assert!(poor_phi(t5[0] - 1e-4) > 0.0 && poor_phi(t5[0] + 1e-4) < 0.0);
    // Cells: the poor phase below the first-order line, the perfect phase above it.
    for c in &d.layers.cells {
        let t = if c.y == 5.0 { t5[0] } else { t50[0] };
        let want = if c.x < t {
            RsPhase::RsStable
        } else {
            RsPhase::Perfect
        };
        assert_eq!(c.phase, want, "{c:?}");
    }
    // No AT line in this window: the poor branch is AT-stable (λ_AT < 1).
    assert!(d.layers.at_line.is_empty());
}
