//! 1RSB with the sign channel through `rsb::solve` (the x scan; `docs/classification.md` §6):
//! it collapses to RS where RS is AT-stable with a non-negative entropy, a continuous 1RSB
//! fixed point of this channel is stationary in every parameter of φ1 (finite differences), and
//! where the frozen branch's complexity at x = 1 is negative the scan reports that branch at the
//! zero of its complexity, the minimum of its φ1 over x.

use quantreplica::model::{Channel, LevelSet, Model, SignChannel, Student, TeacherPrior};
use quantreplica::rs::SolverOptions;
use quantreplica::rsb::frozen::frozen_at;
use quantreplica::rsb::{self, RsbOptions, RsbPhase};

use crate::support::cli;
use crate::support::rsb_fd::{fd, get, set, NAMES};
use crate::support::temp::TempDir;
use quantreplica::rsb::channel::Params;
use quantreplica::rsb::follow::{along, Method, PathPoint};

fn storage(alpha: f64, beta: f64) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(SignChannel::storage(0.0)),
        beta,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap()
}

/// A 2-bit student of a Gaussian teacher with the ridge prior, α = 4, β = 10: RS is
/// AT-unstable (λ_AT ≈ 1.66) and its entropy negative.
fn two_bits() -> Model {
    Model::with_channel(
        4.0,
        Channel::Sign(SignChannel::teacher()),
        10.0,
        1.0,
        Student::Discrete(LevelSet::uniform(2, 1.0).unwrap()),
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap()
}

#[test]
fn scan_collapses_to_rs_where_rs_is_stable() {
    // ±1 storage, β = 5, α = 0.7 and 1.0: λ_AT < 1 and s_RS > 0.
    for alpha in [0.7, 1.0] {
        let r = rsb::solve(&storage(alpha, 5.0), &RsbOptions::default()).unwrap();
        let s = &r.solution;
        eprintln!(
            "alpha {alpha}: phase {:?} phi1 {} phi_RS {} s_RS {}",
            s.phase,
            s.free_entropy,
            r.rs.free_entropy.unwrap(),
            r.rs.entropy.unwrap()
        );
        assert!(r.converged && r.rs.rs_stable && r.rs.entropy.unwrap() > 0.0);
        // Every branch resolved by the scan itself: none continued as a curve.
        assert!(r.branches.iter().all(|b| b.curve.is_none()));
        assert!(matches!(
            s.phase,
            RsbPhase::RsCollapsed | RsbPhase::RsAtXOne
        ));
        assert!((s.free_entropy - r.rs.free_entropy.unwrap()).abs() < 1e-9);
        assert!((s.q0 - r.rs.q).abs() < 1e-7 && (s.big_q - r.rs.big_q).abs() < 1e-9);
    }
}

#[test]
fn continuous_1rsb_fixed_point_is_stationary_in_every_parameter() {
    // The split start's q1 > q0 branch of the 2-bit model at x = 0.25 (below the frozen cut).
    let m = two_bits();
    let opts = RsbOptions::default();
    let r = rsb::solve_fixed_x(&m, 0.25, &opts).unwrap();
    let s = &r.solution;
    eprintln!(
        "q0 {} q1 {} Q {} status {:?}",
        s.q0, s.q1, s.big_q, s.status
    );
    assert!(r.converged && !r.rs.rs_stable);
    assert!(s.q1 - s.q0 > 0.01 && s.big_q - s.q1 > 1e-3, "{s:?}");
    for (i, name) in NAMES.iter().enumerate() {
        let d = fd(&m, &r.params, i, &opts);
        eprintln!("dphi1/d{name} = {d:.3e}");
        if i == 8 {
            // x is not stationary at a fixed x: the explicit derivative the scan uses.
            assert!(
                (d - s.dphi_dx).abs() < 1e-6 * (1.0 + d.abs()),
                "{d} vs {}",
                s.dphi_dx
            );
        } else {
            assert!(d.abs() < 1e-7, "dphi1/d{name} = {d:e}");
        }
    }
}

#[test]
fn scan_reports_the_frozen_branch_where_its_complexity_at_one_is_negative() {
    let m = two_bits();
    let r = rsb::solve(&m, &RsbOptions::default()).unwrap();
    let s = &r.solution;
    eprintln!(
        "phase {:?} x {} phi1 {} Sigma {} (phi_RS {})",
        s.phase,
        s.x,
        s.free_entropy,
        s.complexity,
        r.rs.free_entropy.unwrap()
    );
    assert_eq!(s.phase, RsbPhase::Frozen);
    assert!(s.x > 0.0 && s.x < 1.0 && s.complexity.abs() < 1e-7);
    assert_eq!(s.q1, s.big_q);
    // Σ(1) is the RS entropy measured without the ridge prior: negative here.
    let so = SolverOptions::default();
    assert!(frozen_at(&m, 1.0, &so).unwrap().complexity < 0.0);
    // x* is the minimum of the frozen φ1 over x (Parisi), by direct evaluation on both sides.
    for dx in [-0.02, 0.02] {
        let side = frozen_at(&m, s.x + dx, &so).unwrap().free_entropy;
        assert!(
            side > s.free_entropy + 1e-7,
            "dx {dx}: {side} vs {}",
            s.free_entropy
        );
    }
    // Zero complexity and one configuration per state: the entropy (without the ridge prior) is 0.
    assert!(m.entropy_without_ridge_prior(s.entropy, s.big_q).abs() < 1e-7);
}

// --- Maps (`sweep --rsb`, `phase-diagram --rsb`): rsb::follow::along with the sign channel ---

fn teacher_pm1(alpha: f64, beta: f64) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(SignChannel::teacher()),
        beta,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap()
}

/// 5-point central difference of φ1 along the parameters `idx` moved together (`q0 = q1` and
/// `q̂0 = q̂1` of a collapsed state move together: the domain is `q0 ≤ q1`, `q̂0 ≤ q̂1`).
fn fd_joint(model: &Model, p: &Params, idx: &[usize], opts: &RsbOptions) -> f64 {
    let h = 2e-4 * get(p, idx[0]).abs().max(0.1);
    let at = |k: f64| {
        let mut q = *p;
        for &i in idx {
            set(&mut q, i, get(p, i) + k * h);
        }
        rsb::channel::free_entropy(model, &q, opts.quad).expect("out of domain")
    };
    (at(-2.0) - 8.0 * at(-1.0) + 8.0 * at(1.0) - at(2.0)) / (12.0 * h)
}

/// φ1 at a collapsed state `q1 = q0 = q` at x = 1 (the RS free entropy through the 1RSB
/// formulas) and the largest 5-point finite difference of φ1 there in `Q`, `m`, `Â`, `m̂` and
/// along `q0 = q1`, `q̂0 = q̂1` (RS's q and q̂).
fn collapsed_stationarity(model: &Model, m: f64, q: f64, big_q: f64) -> (f64, f64) {
    let opts = RsbOptions::default();
    let (params, en, av) = rsb::evaluate(model, 1.0, [m, q, q, big_q], opts.quad).unwrap();
    let phi = rsb::channel::free_entropy_from(model, &params, &en, &av);
    let worst = [&[0][..], &[3], &[4], &[5], &[1, 2], &[6, 7]]
        .iter()
        .map(|idx| fd_joint(model, &params, idx, &opts).abs())
        .fold(0.0, f64::max);
    (phi, worst)
}

/// A frozen-branch report `s` is the closed form at its x and stationary: φ1(x) = φ_RS(tempered)/x
/// with the tempered model's RS free entropy (through the 1RSB formulas at x = 1) stationary in
/// every parameter, and dφ1/dx = 0 at x* by 5-point differences of the closed form; Σ(x*) = 0.
fn check_frozen_stationary(model: &Model, s: &rsb::RsbSolution, what: &str) {
    let so = SolverOptions::default();
    let tempered = rsb::frozen::tempered_model(model, s.x).unwrap();
    let (phi, worst) = collapsed_stationarity(&tempered, s.m, s.q0, s.big_q);
    assert!(
        (phi / s.x - s.free_entropy).abs() < 1e-9,
        "{what}: {} vs {}",
        phi / s.x,
        s.free_entropy
    );
    assert!(worst < 1e-8, "{what}: dphi {worst:e}");
    let h = 1e-3;
    let at = |k: f64| frozen_at(model, s.x + k * h, &so).unwrap().free_entropy;
    let dx = (at(-2.0) - 8.0 * at(-1.0) + 8.0 * at(1.0) - at(2.0)) / (12.0 * h);
    eprintln!("{what}: dphi1/dx by differences {dx:.1e}, parameters {worst:.1e}");
    assert!(dx.abs() < 1e-8, "{what}: dphi1/dx {dx:e}");
    assert!(
        s.complexity.abs() < 1e-9,
        "{what}: Sigma(x*) {}",
        s.complexity
    );
}

fn row(models: &[Model]) -> Vec<PathPoint> {
    let steps: Vec<f64> = (0..models.len())
        .map(|i| {
            if i == 0 {
                0.0
            } else {
                models[i].alpha - models[i - 1].alpha
            }
        })
        .collect();
    along(models, Some(&steps), &[], &RsbOptions::default()).unwrap()
}

/// Every point of a row: RS cells equal RS (φ1 = φ_RS to 1e-9) and are stationary; frozen
/// cells equal the single-point `rsb::solve` to 1e-9 and are stationary in every parameter of
/// the tempered RS free entropy and in x (finite differences); perfect cells are RS.
fn check_row(models: &[Model]) -> Vec<RsbPhase> {
    let pts = row(models);
    let mut phases = Vec::new();
    for (model, p) in models.iter().zip(&pts) {
        let s = &p.rsb;
        let what = format!(
            "alpha {} beta {}: {:?} {:?}",
            model.alpha, model.beta, p.method, s.phase
        );
        eprintln!(
            "{what}: x {} phi1 {} phi_RS {} s_RS {} lambda_AT {} stationarity {:.1e}",
            s.x,
            s.free_entropy,
            p.rs.free_entropy.unwrap(),
            p.rs.entropy.unwrap(),
            p.rs.at_eigenvalue,
            p.stationarity
        );
        assert!(p.converged, "{what}");
        phases.push(s.phase);
        let phi_rs = p.rs.free_entropy.unwrap();
        match s.phase {
            RsbPhase::RsCollapsed if p.rs.q == p.rs.big_q => {
                // The perfect state: 1RSB is that RS state.
                assert_eq!((s.q0, s.q1), (s.big_q, s.big_q), "{what}");
                assert!((s.free_entropy - phi_rs).abs() < 1e-12, "{what}");
            }
            RsbPhase::RsCollapsed => {
                assert_eq!(p.method, Method::RsStable, "{what}");
                assert!(p.rs.rs_stable && s.q0 == s.q1, "{what}");
                assert!((s.free_entropy - phi_rs).abs() < 1e-9, "{what}");
                let (phi, worst) = collapsed_stationarity(model, s.m, s.q0, s.big_q);
                assert!((phi - phi_rs).abs() < 1e-9, "{what}: {phi} vs {phi_rs}");
                assert!(worst < 1e-8, "{what}: dphi {worst:e}");
            }
            RsbPhase::Frozen => {
                // The single-point solve (every branch from cold starts, the frozen one in
                // closed form).
                let full = rsb::solve(model, &RsbOptions::default()).unwrap();
                let f = &full.solution;
                assert_eq!(f.phase, RsbPhase::Frozen, "{what}");
                assert_eq!(full.converged, p.converged, "{what}");
                for (name, u, v) in [
                    ("x", s.x, f.x),
                    ("m", s.m, f.m),
                    ("q0", s.q0, f.q0),
                    ("q1", s.q1, f.q1),
                    ("Q", s.big_q, f.big_q),
                    ("phi1", s.free_entropy, f.free_entropy),
                    ("entropy", s.entropy, f.entropy),
                    ("energy", s.energy, f.energy),
                    ("train_error", s.train_error, f.train_error),
                    ("complexity", s.complexity, f.complexity),
                ] {
                    assert!((u - v).abs() <= 1e-9, "{what}: {name} {u} vs {v}");
                }
                assert!(
                    s.gen_error.is_nan() && f.gen_error.is_nan()
                        || (s.gen_error - f.gen_error).abs() <= 1e-9
                );
                check_frozen_stationary(model, s, &what);
                // RS counts a negative number of states there.
                assert!(model.entropy_without_ridge_prior(p.rs.entropy.unwrap(), p.rs.big_q) < 0.0);
            }
            other => panic!("{what}: unexpected phase {other:?}"),
        }
    }
    phases
}

#[test]
fn storage_rows_report_rs_then_the_frozen_branch_stationary_and_equal_to_the_single_point() {
    // ±1 storage at β = 5 and 10 across the zero of the RS entropy (λ_AT < 1 throughout).
    for (beta, alphas) in [
        (5.0, &[0.8, 1.0, 1.2, 1.4][..]),
        (10.0, &[0.8, 0.9, 1.0][..]),
    ] {
        let models: Vec<Model> = alphas.iter().map(|a| storage(*a, beta)).collect();
        let phases = check_row(&models);
        assert_eq!(phases[0], RsbPhase::RsCollapsed);
        assert_eq!(*phases.last().unwrap(), RsbPhase::Frozen, "beta {beta}");
    }
}

#[test]
fn at_unstable_storage_point_is_the_frozen_branch_in_closed_form() {
    // ±1 storage, β = 10, α = 1.2: RS is AT-unstable (λ_AT ≈ 1.485) with a negative entropy.
    // The scan's runs from the split start head to q1 = Q above x ≈ 0.38 (they used to be
    // iterated into (Q − q1)/Q ~ 1e−16, where one map took minutes).
    let m = storage(1.2, 10.0);
    let r = rsb::solve(&m, &RsbOptions::default()).unwrap();
    let s = &r.solution;
    let what = "storage beta 10 alpha 1.2";
    eprintln!(
        "{what}: phase {:?} x {} phi1 {} Sigma {} converged {} lambda_AT {}",
        s.phase, s.x, s.free_entropy, s.complexity, r.converged, r.rs.at_eigenvalue
    );
    assert!(!r.rs.rs_stable);
    assert_eq!(s.phase, RsbPhase::Frozen);
    assert_eq!(s.q1, s.big_q);
    // The closed form at the reported x.
    let f = frozen_at(&m, s.x, &SolverOptions::default()).unwrap();
    assert_eq!(s.free_entropy, f.free_entropy);
    assert_eq!(
        (s.m, s.q0, s.big_q),
        (f.tempered.m, f.tempered.q, f.tempered.big_q)
    );
    check_frozen_stationary(&m, s, what);
    // Σ(x) = −x² ∂φ1/∂x off x* as well (5-point differences of the closed form).
    let so = SolverOptions::default();
    for x in [0.3, 0.6] {
        let h = 1e-3;
        let at = |k: f64| frozen_at(&m, x + k * h, &so).unwrap().free_entropy;
        let d = (at(-2.0) - 8.0 * at(-1.0) + 8.0 * at(1.0) - at(2.0)) / (12.0 * h);
        let sigma = frozen_at(&m, x, &so).unwrap().complexity;
        assert!(
            (sigma + x * x * d).abs() < 1e-8,
            "x {x}: {sigma} vs {}",
            -x * x * d
        );
    }
    // At a fixed x where the iteration heads to q1 = Q, --parisi-x reports the frozen branch.
    let p = rsb::solve_fixed_x(&m, 0.6, &RsbOptions::default()).unwrap();
    let f = frozen_at(&m, 0.6, &so).unwrap();
    assert_eq!(p.solution.phase, RsbPhase::Frozen);
    assert_eq!(p.solution.free_entropy, f.free_entropy);
    assert_eq!(p.solution.complexity, f.complexity);
}

#[test]
fn teacher_student_row_reports_rs_the_frozen_poor_branch_or_the_perfect_state() {
    let models: Vec<Model> = [0.5, 1.0, 1.5, 2.0]
        .iter()
        .map(|a| teacher_pm1(*a, 5.0))
        .collect();
    let phases = check_row(&models);
    assert_eq!(phases[0], RsbPhase::RsCollapsed);
}

#[test]
fn sweep_and_phase_diagram_rsb_with_the_sign_channel() {
    let dir = TempDir::new("sign_rsb_map");
    // The sweep's JSON carries the phase of every point; a frozen point equals `rsb --json`.
    let rows = cli::json(&[
        "sweep",
        "--rsb",
        "--json",
        "--channel",
        "sign",
        "--labels",
        "random",
        "--bits",
        "1",
        "--beta",
        "5",
        "--over",
        "alpha=0.8,1.2",
    ]);
    let phase = |i: usize| rows[i]["rsb"]["phase"].as_str().unwrap().to_string();
    assert_eq!(phase(0), "rs_collapsed");
    assert_eq!(phase(1), "frozen");
    assert_eq!(rows[1]["method"], "frozen");
    let one = cli::json(&[
        "rsb",
        "--json",
        "--channel",
        "sign",
        "--labels",
        "random",
        "--bits",
        "1",
        "--beta",
        "5",
        "--alpha",
        "1.2",
    ]);
    for key in [
        "x",
        "q0",
        "q1",
        "Q",
        "free_entropy",
        "entropy",
        "complexity",
    ] {
        let (u, v) = (
            rows[1]["rsb"][key].as_f64().unwrap(),
            one[key].as_f64().unwrap(),
        );
        assert!((u - v).abs() <= 1e-9, "{key}: {u} vs {v}");
    }
    assert_eq!(one["phase"], "frozen");
    // The map: the phase column of STEM_rsb.csv and the figure.
    let stem = dir.path().join("pd");
    cli::ok(&[
        "phase-diagram",
        "--rsb",
        "--no-transitions",
        "--channel",
        "sign",
        "--labels",
        "random",
        "--bits",
        "1",
        "--x-axis",
        "alpha=0.8:1.2:2",
        "--y-axis",
        "beta=5,6",
        "--out",
        stem.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(dir.path().join("pd_rsb.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains("rsb_phase"), "{csv}");
    // Column 6 is rsb_phase: (α, β) = (1.2, 5) is frozen (RS entropy negative), (0.8, 5) RS.
    let phase_at = |x: &str, y: &str| {
        csv.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c[0] == x && c[1] == y)
            .map(|c| c[5].to_string())
    };
    assert_eq!(phase_at("1.2", "5").as_deref(), Some("frozen"), "{csv}");
    assert_eq!(
        phase_at("0.8", "5").as_deref(),
        Some("rs_collapsed"),
        "{csv}"
    );
    assert!(dir.path().join("pd_rsb.png").exists());
    // Bad input: one line on stderr, exit 2, nothing on stdout.
    let sweep = ["sweep", "--rsb", "--channel", "sign", "--bits", "1"];
    let pd = stem.to_str().unwrap();
    let bad = dir.path().join("bad");
    for (args, needle) in [
        (
            vec!["--labels", "random", "--over", "alpha=0.5,1"],
            "beta = inf",
        ),
        (
            vec!["--over", "beta=5,inf", "--over", "alpha=0.5,1"],
            "beta = inf",
        ),
        (
            vec!["--beta", "5", "--flip", "0.7", "--over", "alpha=0.5,1"],
            "0.7",
        ),
        (
            vec!["--beta", "5", "--over", "alpha=0.5,1", "--checkpoint", pd],
            "--checkpoint",
        ),
    ] {
        cli::bad_input(&[&sweep[..], &args[..]].concat(), needle);
    }
    cli::bad_input(
        &[
            "phase-diagram",
            "--rsb",
            "--channel",
            "sign",
            "--labels",
            "random",
            "--bits",
            "1",
            "--x-axis",
            "alpha=0.5:1:3",
            "--y-axis",
            "beta=1,inf",
            "--out",
            bad.to_str().unwrap(),
        ],
        "beta = inf",
    );
    // Refused before any work: no file written.
    assert!(!dir.path().join("bad.csv").exists());
}

fn storage_bits(bits: u32, alpha: f64, beta: f64) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(SignChannel::storage(0.0)),
        beta,
        0.0,
        Student::Discrete(LevelSet::uniform(bits, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap()
}

#[test]
fn continuous_branch_with_negative_entropy_loses_to_the_frozen_branch() {
    // 2-bit storage, β = 20, α = 1.6 (λ_AT ≈ 1.187, s_RS ≈ −0.284): both a continuous 1RSB
    // branch (q1 < Q, resolved, a minimum of φ1 at x ≈ 0.577) and the frozen branch exist.
    // The continuous state has the larger φ1 but a negative entropy at Σ = 0 (fewer than one
    // configuration per state): it is excluded as RS is, and the frozen branch is reported
    // (docs/theory.md, "Choosing between 1RSB branches").
    let (alpha, beta) = (1.6, 20.0);
    let m = storage_bits(2, alpha, beta);
    let opts = RsbOptions::default();
    let r = rsb::solve(&m, &opts).unwrap();
    let s = &r.solution;
    let what = "2-bit storage beta 20 alpha 1.6";
    eprintln!(
        "{what}: phase {:?} x {} phi1 {} converged {} stationary {:?}",
        s.phase, s.x, s.free_entropy, r.converged, r.stationary
    );
    assert!(!r.rs.rs_stable);
    assert_eq!(s.phase, RsbPhase::Frozen);
    assert!(r.converged);
    let so = SolverOptions::default();
    let f = frozen_at(&m, s.x, &so).unwrap();
    assert_eq!(s.free_entropy, f.free_entropy);
    check_frozen_stationary(&m, s, what);

    // The continuous branch, evaluated on its own at its stationary x.
    let st = r
        .stationary
        .iter()
        .find(|p| p.kind == rsb::StationaryKind::Minimum && p.converged)
        .expect("the continuous branch's minimum");
    let a = rsb::solve_at_x(&m, st.x, [st.m, st.q0, st.q1, st.big_q], &opts).unwrap();
    assert!(a.status.is_converged());
    assert!(
        a.state[2] - a.state[1] > 1e-3 && a.state[3] - a.state[2] > 1e-2,
        "{:?}",
        a.state
    );
    // Stationary in all nine parameters of φ1, x included (5-point differences).
    for (i, name) in NAMES.iter().enumerate() {
        let d = fd(&m, &a.params, i, &opts);
        eprintln!("continuous branch: dphi1/d{name} = {d:.3e}");
        assert!(d.abs() < 1e-8, "dphi1/d{name} = {d:e}");
    }
    // Its entropy s = φ1 − β ∂φ1/∂β, the β-derivative at fixed parameters (stationarity makes
    // it the total one) by 5-point differences: negative.
    let h = 1e-3;
    let phi_b = |k: f64| {
        let mb = storage_bits(2, alpha, beta + k * h);
        rsb::channel::free_entropy(&mb, &a.params, opts.quad).unwrap()
    };
    let dphi_db = (phi_b(-2.0) - 8.0 * phi_b(-1.0) + 8.0 * phi_b(1.0) - phi_b(2.0)) / (12.0 * h);
    let entropy = a.free_entropy - beta * dphi_db;
    eprintln!(
        "continuous branch: x {} phi1 {} entropy {entropy} (reported {}); frozen phi1 {}",
        a.x, a.free_entropy, st.entropy, f.free_entropy
    );
    assert!(
        (entropy - st.entropy).abs() < 1e-6,
        "{entropy} vs {}",
        st.entropy
    );
    assert!(entropy < -0.2);
    // Largest φ1 alone would have chosen it.
    assert!(a.free_entropy > f.free_entropy + 0.1);
    // The map's cell at the same point (a row of one: the full solve) reports the same.
    let p = &row(std::slice::from_ref(&m))[0];
    assert_eq!(p.rsb.phase, RsbPhase::Frozen);
    assert_eq!(p.converged, r.converged);
    assert_eq!(p.rsb.free_entropy, s.free_entropy);
}

/// The fixed point of the 1RSB map with `q1` held fixed and `x` free: Newton on
/// `G(s; x) − s = 0` in `(m, q0, Q, x)` (forward-difference Jacobian, full-accuracy map). The
/// branch parametrized by `q1` has no fold in `q1`, so this passes the fold in `x` that the
/// continuation of `rsb::curve` reports (an independent method). Returns `((m, q0, q1, Q), x)`
/// and the final residual.
fn fixed_q1(model: &Model, q1: f64, start: [f64; 4], x0: f64) -> ([f64; 4], f64, f64) {
    use nalgebra::{DMatrix, DVector};
    let quad = RsbOptions::default().quad;
    let f = |u: &DVector<f64>| -> DVector<f64> {
        let s = [u[0], u[1], q1, u[2]];
        let g = rsb::map(model, u[3], &s, quad).unwrap();
        DVector::from_vec(vec![g[0] - s[0], g[1] - s[1], g[2] - s[2], g[3] - s[3]])
    };
    let mut u = DVector::from_vec(vec![start[0], start[1], start[3], x0]);
    let mut fu = f(&u);
    for _ in 0..20 {
        if fu.amax() < 1e-12 {
            break;
        }
        let mut j = DMatrix::zeros(4, 4);
        for k in 0..4 {
            let h = 1e-7 * (1.0 + u[k].abs());
            let mut v = u.clone();
            v[k] += h;
            j.set_column(k, &((f(&v) - &fu) / h));
        }
        u -= j.lu().solve(&fu).unwrap();
        fu = f(&u);
    }
    ([u[0], u[1], q1, u[2]], u[3], fu.amax())
}

#[test]
fn at_unstable_storage_split_start_branch_is_dismissed_past_its_fold() {
    // ±1 storage, β = 10, α = 1.2 (RS AT-unstable). The scan finds the split-start branch at
    // x = 0.01 … 0.25 with Σ > 0 everywhere: φ1 still decreases at its largest x, so it could
    // hold a Parisi point beyond. Continued as a curve in (state, x), it folds at x ≈ 0.38027
    // (Σ ≈ 0.0138 > 0) and returns towards smaller x onto the frozen branch (q1 → Q) with
    // Σ > 0: dismissed, and the frozen state is reported converged.
    let m = storage(1.2, 10.0);
    let r = rsb::solve(&m, &RsbOptions::default()).unwrap();
    let s = &r.solution;
    assert_eq!(s.phase, RsbPhase::Frozen);
    assert!(r.converged);
    let f = frozen_at(&m, s.x, &SolverOptions::default()).unwrap();
    assert_eq!(s.free_entropy, f.free_entropy);
    let b = r
        .branches
        .iter()
        .find(|b| b.curve.is_some())
        .expect("a continued branch");
    let c = b.curve.as_ref().unwrap();
    eprintln!("{c:?}");
    assert!(b.resolved && b.value.is_none() && c.dismissed);
    assert_eq!(c.end, rsb::curve::CurveEnd::NearFrozen);
    assert!(c.last_gap < rsb::curve::NEAR_FROZEN && c.last_x < 0.2);
    assert!(c.min_complexity > 0.0);
    // The fold by the independent method: x as a function of q1 is maximal at the fold
    // (dx/dq1 = 0 there, where the Jacobian of F in the state is singular).
    let top = c.fold_state.unwrap();
    let x_top = c.fold_point_x.unwrap();
    let x_of = |q1: f64| fixed_q1(&m, q1, top, x_top);
    let vertex = |q: [f64; 3]| {
        let x: Vec<f64> = q.iter().map(|q1| x_of(*q1).1).collect();
        let d1 = (x[1] - x[0]) / (q[1] - q[0]);
        let d2 = (x[2] - x[1]) / (q[2] - q[1]);
        0.5 * (q[0] + q[1]) - d1 / (2.0 * (d2 - d1) / (q[2] - q[0]))
    };
    let q1a = vertex([top[2] - 0.01, top[2], top[2] + 0.01]);
    let q1f = vertex([q1a - 0.002, q1a, q1a + 0.002]);
    let (sf, xf, res) = x_of(q1f);
    let sigma = rsb::curve::complexity_at(&m, xf, &sf, RsbOptions::default().quad).unwrap();
    eprintln!(
        "independent fold: q1 {q1f} x {xf} state {sf:?} residual {res:e} Sigma {sigma}; reported x {} Sigma {}",
        c.fold_x.unwrap(),
        c.fold_complexity.unwrap()
    );
    assert!(res < 1e-9, "residual {res:e}");
    // rsb12c's trace (Newton in q1 steps, quoted to these digits): x_f = 0.38027, Σ = 0.0138.
    assert!((xf - 0.38027).abs() < 1e-5, "{xf}");
    assert!((sigma - 0.0138).abs() < 2e-4, "{sigma}");
    // dx/dq1 = 0 at the fold: x is lower on both sides.
    for d in [-0.005, 0.005] {
        assert!(x_of(q1f + d).1 < xf);
    }
    // The reported fold (a parabola through three curve points, not refined).
    assert!((c.fold_x.unwrap() - xf).abs() < 2e-4);
    assert!((c.fold_complexity.unwrap() - sigma).abs() < 1e-3);
    // The curve point nearest the fold is a fixed point (to the curve's 1e-8) and below x_f.
    assert!(x_top <= xf + 1e-7);
    let g = rsb::map(&m, x_top, &top, RsbOptions::default().quad).unwrap();
    let r_top = (0..4).map(|i| (g[i] - top[i]).abs()).fold(0.0, f64::max);
    assert!(r_top < 1e-7, "{r_top:e}");
}
