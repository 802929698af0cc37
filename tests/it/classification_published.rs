//! The classical replica results of the perceptron, from the project's own RS solver with the
//! sign channel (`docs/classification.md` §13), each to at least four significant digits:
//!
//! | quantity | published |
//! | --- | --- |
//! | RS capacity of the ±1 storage perceptron | 4/π (Gardner & Derrida 1988) |
//! | zero of its RS entropy | 0.833078599 (Krauth & Mézard 1989) |
//! | ±1 teacher–student first-order transition | 1.245 (Györgyi 1990) |
//! | spinodal of the poor branch = AMP threshold | 1.493 (Barbier et al. 2019) |
//! | Bayes-optimal spherical perceptron, large α | ε ≈ 0.442/α (Opper & Haussler 1991) |

use quantreplica::model::{Channel, LevelSet, Model, SignChannel, Student, TeacherPrior};
use quantreplica::optimize::brent_root;
use quantreplica::rs::capacity::{margin_integral, rs_capacity};
use quantreplica::rs::{solve_from, RsSolution, SolverOptions};
use std::f64::consts::PI;

fn binary() -> Student {
    Student::Discrete(LevelSet::uniform(1, 1.0).unwrap())
}

fn model(
    alpha: f64,
    ch: SignChannel,
    student: Student,
    teacher: TeacherPrior,
    ridge: f64,
) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(ch),
        f64::INFINITY,
        ridge,
        student,
        teacher,
    )
    .unwrap()
}

/// The RS fixed point reached from the uninformed start (`m = q = 0`, `Q = 1`).
fn uninformed(m: &Model) -> Option<RsSolution> {
    solve_from(m, [0.0, 0.0, 1.0], &SolverOptions::default()).filter(|s| s.status.is_converged())
}

fn storage(alpha: f64) -> Model {
    model(
        alpha,
        SignChannel::storage(0.0),
        binary(),
        TeacherPrior::binary(1.0).unwrap(),
        0.0,
    )
}

fn bayes_binary(alpha: f64) -> Model {
    model(
        alpha,
        SignChannel::teacher(),
        binary(),
        TeacherPrior::binary(1.0).unwrap(),
        0.0,
    )
}

#[test]
fn krauth_mezard_zero_of_the_rs_entropy() {
    let s = |a: f64| uninformed(&storage(a)).unwrap().entropy.unwrap();
    let root = brent_root(s, 0.80, 0.86, 1e-10).unwrap();
    eprintln!("zero of the RS entropy: {root:.9} (Krauth-Mezard 0.833078599)");
    assert!((root - 0.833_078_599).abs() < 5e-6, "{root}");
    // RS is AT-stable there: its failure is the entropy crisis.
    assert!(uninformed(&storage(root)).unwrap().at_eigenvalue < 1.0);
}

#[test]
fn gardner_derrida_rs_capacity() {
    // The q → Q limit formula and the finite-α solver: 1 − q vanishes linearly at α_c, so the
    // line through two points just below extrapolates to α_c with an O((α_c − α)²) error.
    let c = rs_capacity(&binary(), 0.0).unwrap();
    assert!((c.alpha - 4.0 / PI).abs() < 1e-14);
    let delta = |a: f64| 1.0 - uninformed(&storage(a)).unwrap().q;
    let (a1, a2) = (1.268, 1.271);
    let (d1, d2) = (delta(a1), delta(a2));
    let alpha_c = a2 + d2 * (a2 - a1) / (d1 - d2);
    eprintln!(
        "RS capacity: limit {}, extrapolated {alpha_c:.6} (4/pi = {:.6}); 1-q = {d1:.3e}, {d2:.3e}",
        c.alpha,
        4.0 / PI
    );
    assert!((alpha_c - 4.0 / PI).abs() < 5e-4 * 4.0 / PI, "{alpha_c}");
}

#[test]
fn gyorgyi_first_order_transition_and_the_spinodal() {
    // At β = ∞ the perfect-generalization state w = w0 has entropy 0: the transition is where
    // the poor branch's entropy crosses 0.
    let s = |a: f64| uninformed(&bayes_binary(a)).unwrap().entropy.unwrap();
    let alpha_it = brent_root(s, 1.2, 1.3, 1e-10).unwrap();
    eprintln!("first-order transition: {alpha_it:.6} (Gyorgyi 1.245)");
    assert!((alpha_it - 1.245).abs() < 5e-4, "{alpha_it}");
    // The poor branch (Nishimori: m = q) exists up to the spinodal; bisect on its existence.
    let exists = |a: f64| uninformed(&bayes_binary(a)).is_some_and(|r| r.q < 0.99);
    let (mut lo, mut hi) = (1.45, 1.55);
    assert!(exists(lo) && !exists(hi));
    while hi - lo > 1e-5 {
        let mid = 0.5 * (lo + hi);
        if exists(mid) {
            lo = mid
        } else {
            hi = mid
        }
    }
    eprintln!("spinodal: {lo:.5} (AMP threshold 1.493)");
    assert!((lo - 1.493).abs() < 5e-4, "{lo}");
}

#[test]
fn opper_haussler_bayes_optimal_decay() {
    // Continuous student with the prior N(0, 1) (ridge 1 is a prior under the sign channel),
    // Gaussian teacher, β = ∞: the Bayes posterior. The posterior-mean classifier's error decays
    // as C_OH/α with C_OH = 1/(√(2π) ∫ds φ(s)²/H(s)) = 0.442... (derivation in
    // docs/classification.md §13); the integral by plain Simpson here.
    let npdf = |x: f64| (-0.5 * x * x).exp() / (2.0 * PI).sqrt();
    let h = |x: f64| 0.5 * pxfm::f_erfc(x / std::f64::consts::SQRT_2);
    let (a, b, n) = (-12.0, 12.0, 24_000);
    let step = (b - a) / n as f64;
    let f = |s: f64| npdf(s).powi(2) / h(s);
    let mut integral = f(a) + f(b);
    for i in 1..n {
        integral += (if i % 2 == 1 { 4.0 } else { 2.0 }) * f(a + i as f64 * step);
    }
    integral *= step / 3.0;
    let c_oh = 1.0 / ((2.0 * PI).sqrt() * integral);
    assert!((c_oh - 0.442).abs() < 5e-4, "C_OH = {c_oh}");
    let eps = |alpha: f64| {
        let m = model(
            alpha,
            SignChannel::teacher(),
            Student::Continuous,
            TeacherPrior::gaussian(1.0).unwrap(),
            1.0,
        );
        let r = uninformed(&m).unwrap();
        // Nishimori: m = q, Q = ρ = 1.
        assert!(
            (r.m - r.q).abs() < 1e-8 && (r.big_q - 1.0).abs() < 1e-8,
            "{r:?}"
        );
        r.mse_posterior_mean
    };
    // α ε(α) = C_OH + c1/α + …: Richardson on α = 100, 200.
    let (e1, e2) = (100.0 * eps(100.0), 200.0 * eps(200.0));
    let extrapolated = 2.0 * e2 - e1;
    eprintln!(
        "alpha*eps: {e1:.6} (100), {e2:.6} (200), extrapolated {extrapolated:.6}, C_OH {c_oh:.6}"
    );
    assert!(
        (extrapolated - c_oh).abs() < 1e-4 * c_oh,
        "{extrapolated} vs {c_oh}"
    );
    // And a point of the curve against the q → 1 asymptotics' leading term.
    assert!(margin_integral(0.0) == 0.5);
}
