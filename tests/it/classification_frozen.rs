//! The frozen 1RSB of the sign channel (`docs/classification.md` §6): at β = ∞ with `q1 = Q`
//! every state is one configuration, `Z_out^x = Z_out ∈ {0, 1}` inside a state, and the nested
//! output term reduces to the RS one at the outer overlap: `Ψ1_out(x; m, q0, Q, Q) =
//! Ψ_RS(m, q0, Q)/x`, so `∂_xΨ1 = −Ψ_RS/x²` and the output part of the complexity
//! `−x²∂_x(αΨ1)` is `αΨ_RS` at every x. Checked on the channel's own nested integrals (their
//! `Δ1 → 0` limit at β = ∞ and at a large finite β), against its RS term. The student half
//! (the nested student average at `q̂1 − q̂0 → ∞` against the tempered RS student), the frozen
//! branch through `rsb::frozen` (its complexity against finite differences of φ1 in x, equal to
//! the RS entropy at x = 1) and its zero at the Krauth–Mézard capacity.

use quantreplica::model::channel::{RsState, RsbState};
use quantreplica::model::{
    Channel, Labels, LevelSet, Model, OutputChannel, SignChannel, Student, TeacherPrior,
};
use quantreplica::optimize::brent_root;
use quantreplica::rs::SolverOptions;
use quantreplica::rsb::channel::{averages, Conjugates, QuadOptions};
use quantreplica::rsb::follow::along;
use quantreplica::rsb::frozen::frozen_at;
use quantreplica::rsb::RsbPhase;

fn rs_psi(ch: &SignChannel, alpha: f64, beta: f64, rho: f64, m: f64, q: f64, big_q: f64) -> f64 {
    ch.rs_terms(&RsState::new(alpha, beta, rho, m, q, big_q).unwrap())
        .unwrap()
        .psi
}

#[test]
fn frozen_1rsb_output_term_is_the_rs_term_over_x() {
    // Storage, ±1 weights (Q = 1), κ = 0 and 0.3; teacher labels with m = 0.4.
    let cases = [
        (SignChannel::storage(0.0), 0.0, 0.46),
        (SignChannel::storage(0.3), 0.0, 0.30),
        (
            SignChannel::new(0.0, 0.0, Labels::Teacher).unwrap(),
            0.4,
            0.45,
        ),
    ];
    for (ch, m, q0) in cases {
        let psi_rs = rs_psi(&ch, 0.7, f64::INFINITY, 1.0, m, q0, 1.0);
        for x in [0.25, 0.5, 0.8] {
            // The Δ1 → 0 limit: the smoothing of the step has width √Δ1.
            let mut prev = f64::INFINITY;
            let mut prev_d = f64::INFINITY;
            for d1 in [1e-6, 1e-10, 1e-14] {
                let s = RsbState::new(0.7, f64::INFINITY, 1.0, x, m, q0, 1.0 - d1, 1.0).unwrap();
                let t = ch.rsb_terms(&s).unwrap();
                let err = (t.psi - psi_rs / x).abs();
                let derr = (t.dpsi_dx + psi_rs / (x * x)).abs();
                eprintln!(
                    "kappa {} m {m} x {x} d1 {d1:e}: psi1 {:.10} vs {:.10} (err {err:.1e}), dpsi/dx err {derr:.1e}",
                    ch.margin, t.psi, psi_rs / x
                );
                // The smoothing error falls as √Δ1: a factor 100 per factor 1e4 in Δ1.
                assert!(
                    err <= 0.02 * prev + 1e-12,
                    "not converging: {err} after {prev}"
                );
                assert!(
                    derr <= 0.02 * prev_d + 1e-12,
                    "dpsi/dx: {derr} after {prev_d}"
                );
                prev = err;
                prev_d = derr;
            }
            assert!(prev < 1e-6 * psi_rs.abs().max(1.0), "x {x}: err {prev}");
            assert!(
                prev_d < 1e-5 * psi_rs.abs().max(1.0),
                "x {x}: dpsi/dx err {prev_d}"
            );
        }
    }
}

// --- The student half and the frozen branch through the solver (rsb::frozen) ---

fn pm1_model(alpha: f64, ch: SignChannel, beta: f64) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(ch),
        beta,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap()
}

/// Composite Simpson of `f` over `[-L, L]` against the standard normal density.
fn gauss_avg(f: impl Fn(f64) -> f64) -> f64 {
    let (l, n) = (12.0, 6000);
    let h = 2.0 * l / n as f64;
    let mut s = 0.0;
    for i in 0..=n {
        let z = -l + h * i as f64;
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        s += w * f(z) * (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    }
    s * h / 3.0
}

#[test]
fn frozen_1rsb_student_term_is_the_tempered_rs_student_over_x() {
    // The student half of the frozen reduction (docs/classification.md §6): with
    // g² = q̂1 − q̂0 → ∞ and â = Â − x g² fixed, the library's nested 1RSB student average
    // (1/x) E log E_{z1} Z^x tends to the RS student at field x H0 = x(m̂ w0 + √q̂0 z) and
    // quadratic coefficient x â, over x; its overlaps tend to q1 = Q (one configuration per
    // state) and q0 = E tanh²(x H0). Reference for ±1 levels and a ±1 teacher: Simpson over z
    // of log 2cosh and tanh (s² = 1, so the quadratic term is the constant −x â/2).
    let model = pm1_model(0.7, SignChannel::teacher(), 5.0);
    let (m_hat, q0_hat, a_small): (f64, f64, f64) = (0.4, 0.9, 0.3);
    for x in [0.3, 0.5, 0.8] {
        let h0 = |w0: f64, z: f64| m_hat * w0 + q0_hat.sqrt() * z;
        let over_w0 = |f: &dyn Fn(f64, f64) -> f64| {
            0.5 * (gauss_avg(|z| f(1.0, z)) + gauss_avg(|z| f(-1.0, z)))
        };
        let log_ref = -x * a_small / 2.0
            + over_w0(&|w0, z| {
                let u = x * h0(w0, z);
                u.abs() + (-2.0 * u.abs()).exp().ln_1p()
            });
        let q0_ref = over_w0(&|w0, z| (x * h0(w0, z)).tanh().powi(2));
        let m_ref = over_w0(&|w0, z| w0 * (x * h0(w0, z)).tanh());
        for g in [20.0, 40.0] {
            let c = Conjugates {
                a_hat: a_small + x * g * g,
                m_hat,
                q0_hat,
                q1_hat: q0_hat + g * g,
            };
            let av = averages(&model, &c, x, QuadOptions::default()).unwrap();
            eprintln!(
                "x {x} g {g}: log_w/x {:.12} vs {:.12}, q0 {:.12} vs {:.12}, m {:.12} vs {:.12}, Q - q1 {:.1e}",
                av.log_w / x,
                log_ref / x,
                av.q0,
                q0_ref,
                av.m,
                m_ref,
                av.big_q - av.q1
            );
            assert!(av.accurate);
            assert!((av.log_w / x - log_ref / x).abs() < 1e-8, "x {x} g {g}");
            assert!((av.q0 - q0_ref).abs() < 1e-8, "x {x} g {g}");
            assert!((av.m - m_ref).abs() < 1e-8, "x {x} g {g}");
            assert!((av.big_q - 1.0).abs() < 1e-12 && av.big_q - av.q1 < 1e-8);
        }
    }
}

#[test]
fn frozen_complexity_is_minus_x2_dphi1_dx_and_the_rs_entropy_at_x_one() {
    // Σ(x) from the tempered model's entropy against −x² ∂φ1/∂x by central differences of the
    // frozen φ1(x) = φ_RS(βx)/x; at x = 1 it is the RS entropy of the model itself.
    let opts = SolverOptions::default();
    for (model, label) in [
        (pm1_model(0.7, SignChannel::storage(0.0), 5.0), "storage"),
        (pm1_model(1.0, SignChannel::teacher(), 3.0), "teacher"),
    ] {
        for x in [0.4, 0.7] {
            let f = frozen_at(&model, x, &opts).unwrap();
            assert!(f.converged);
            let h = 1e-4;
            let phi = |x: f64| frozen_at(&model, x, &opts).unwrap().free_entropy;
            let fd = -x * x * (phi(x + h) - phi(x - h)) / (2.0 * h);
            eprintln!(
                "{label} x {x}: complexity {:.9} vs -x^2 dphi1/dx {fd:.9}",
                f.complexity
            );
            assert!((f.complexity - fd).abs() < 1e-6, "{label} x {x}");
            // One configuration per state: q1 = Q.
            assert!((f.tempered.big_q - 1.0).abs() < 1e-12);
        }
        let one = frozen_at(&model, 1.0, &opts).unwrap();
        let rs = quantreplica::rs::solve(&model, &opts).equilibrium;
        assert!(
            (one.complexity - rs.entropy.unwrap()).abs() < 1e-12,
            "{label}"
        );
        assert!(
            (one.free_entropy - rs.free_entropy.unwrap()).abs() < 1e-12,
            "{label}"
        );
    }
}

#[test]
fn frozen_complexity_vanishes_at_the_krauth_mezard_capacity() {
    // ±1 storage at β = ∞: the frozen state's complexity at x = 1 (the RS entropy) vanishes at
    // 0.833078599 (Krauth & Mézard 1989; digits Ding & Sun 2019), and it does not depend on x.
    let opts = SolverOptions::default();
    let sigma = |a: f64, x: f64| {
        frozen_at(
            &pm1_model(a, SignChannel::storage(0.0), f64::INFINITY),
            x,
            &opts,
        )
        .unwrap()
        .complexity
    };
    let root = brent_root(|a| sigma(a, 1.0), 0.80, 0.86, 1e-10).unwrap();
    eprintln!("frozen complexity zero: {root:.9} (Krauth-Mezard 0.833078599)");
    assert!((root - 0.833_078_599).abs() < 5e-6, "{root}");
    for x in [0.3, 0.6] {
        assert!((sigma(0.7, x) - sigma(0.7, 1.0)).abs() < 1e-12);
    }
    assert!(sigma(0.7, 1.0) > 0.0 && sigma(0.9, 1.0) < 0.0);
}

// --- Level weights: π → π^x in the tempered model (docs/classification.md §6) ---

fn weighted_storage(alpha: f64, beta: f64, values: Vec<f64>, weights: Vec<f64>) -> Model {
    Model::with_channel(
        alpha,
        Channel::Sign(SignChannel::storage(0.0)),
        beta,
        0.0,
        Student::Discrete(LevelSet::new(values, Some(weights)).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap()
}

#[test]
fn weighted_frozen_complexity_is_minus_x2_dphi1_dx() {
    // A 2-bit student with weights (1, 3, 3, 1): Σ(x) (tempered entropy without the prior's
    // share, the Shannon entropy of the tempered measure) against −x² ∂φ1/∂x by 5-point
    // central differences of the frozen φ1(x) = φ_RS(βx, π^x)/x.
    let opts = SolverOptions::default();
    let third = 1.0 / 3.0;
    let model = weighted_storage(
        1.0,
        5.0,
        vec![-1.0, -third, third, 1.0],
        vec![1.0, 3.0, 3.0, 1.0],
    );
    for x in [0.4, 0.7, 0.9] {
        let f = frozen_at(&model, x, &opts).unwrap();
        assert!(f.converged);
        let h = 1e-3;
        let phi = |k: f64| frozen_at(&model, x + k * h, &opts).unwrap().free_entropy;
        let d = (phi(-2.0) - 8.0 * phi(-1.0) + 8.0 * phi(1.0) - phi(2.0)) / (12.0 * h);
        let fd = -x * x * d;
        eprintln!(
            "weighted x {x}: complexity {:.10} vs -x^2 dphi1/dx {fd:.10}",
            f.complexity
        );
        assert!(
            (f.complexity - fd).abs() < 1e-8,
            "x {x}: {} vs {fd}",
            f.complexity
        );
    }
}

#[test]
fn constant_level_weights_shift_the_frozen_branch_by_log_c_only() {
    // π ≡ c: every configuration gets the factor c^N, so φ1 = φ1(counting) + log c at every x
    // and the complexity, x* and the state are those of the counting measure. ±1 storage,
    // β = 5, α = 1.2 (RS AT-stable, entropy negative: the map reports the frozen branch).
    let opts = SolverOptions::default();
    let c: f64 = 2.0;
    let counting = pm1_model(1.2, SignChannel::storage(0.0), 5.0);
    let weighted = weighted_storage(1.2, 5.0, vec![-1.0, 1.0], vec![c, c]);
    for x in [0.5, 0.8, 1.0] {
        let (a, b) = (
            frozen_at(&counting, x, &opts).unwrap(),
            frozen_at(&weighted, x, &opts).unwrap(),
        );
        assert!(
            (b.free_entropy - a.free_entropy - c.ln()).abs() < 1e-10,
            "x {x}"
        );
        assert!((b.complexity - a.complexity).abs() < 1e-10, "x {x}");
    }
    let ro = quantreplica::rsb::RsbOptions::default();
    let p = |m: &Model| {
        along(std::slice::from_ref(m), None, &[], &ro)
            .unwrap()
            .remove(0)
    };
    let (a, b) = (p(&counting), p(&weighted));
    assert_eq!(a.rsb.phase, RsbPhase::Frozen);
    assert_eq!(b.rsb.phase, RsbPhase::Frozen);
    assert!(
        (a.rsb.x - b.rsb.x).abs() < 1e-9,
        "{} vs {}",
        a.rsb.x,
        b.rsb.x
    );
    assert!((b.rsb.free_entropy - a.rsb.free_entropy - c.ln()).abs() < 1e-9);
    assert!((b.rsb.q0 - a.rsb.q0).abs() < 1e-9);
}
