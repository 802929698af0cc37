//! The N → ∞ theory of online STE-SGD (src/ste): against closed forms, against its own
//! refinement, and its invariants (mass, positivity).

use quantreplica::model::{LevelSet, Student, TeacherPrior};
use quantreplica::ste::{
    density_theory, fixed_points, theory, time_grid, Dynamics, FpOptions, SteOptions,
};

fn gaussian() -> TeacherPrior {
    TeacherPrior::gaussian(1.0).unwrap()
}

fn quantized(bits: u32, width: f64, noise: f64, opts: SteOptions) -> Dynamics {
    let s = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
    Dynamics::new(s, gaussian(), noise, opts).unwrap()
}

/// Closed-form overlaps of online SGD for the continuous student, derived from the exact
/// one-step recursion of `m = w0·u/N` and `Q = u·u/N` (docs/ste.md §3), not from the
/// per-coordinate process: `dm/dt = η(ρ − (1+λ)m)`,
/// `dQ/dt = 2η(m − (1+λ)Q) + η²(ρ − 2m + Q + σ²)`, with m(0) = 0, Q(0) = v.
fn closed_form(eta: f64, lam: f64, noise: f64, v: f64, t: f64) -> f64 {
    let rho = 1.0;
    let a = eta * (1.0 + lam);
    let k = 2.0 * eta * (1.0 + lam) - eta * eta;
    let minf = rho / (1.0 + lam);
    let m = minf * (1.0 - (-a * t).exp());
    let c0 = (2.0 * eta - 2.0 * eta * eta) * minf + eta * eta * (rho + noise);
    let c1 = -(2.0 * eta - 2.0 * eta * eta) * minf;
    let q = v * (-k * t).exp()
        + c0 * (1.0 - (-k * t).exp()) / k
        + c1 * ((-a * t).exp() - (-k * t).exp()) / (k - a);
    rho - 2.0 * m + q
}

#[test]
fn continuous_student_reproduces_the_linear_ode() {
    let times = time_grid(0.0, 12.0, 25).unwrap();
    for &(eta, lam, noise, v) in &[
        (0.5, 0.0, 0.1, 1.0),
        (1.3, 0.0, 0.0, 0.3),
        (0.8, 0.25, 0.5, 2.0),
    ] {
        let opts = SteOptions {
            lr: eta,
            weight_decay: lam,
            init_var: v,
            ..SteOptions::default()
        };
        let d = Dynamics::new(Student::Continuous, gaussian(), noise, opts).unwrap();
        let th = theory(&d, &times, &FpOptions::default()).unwrap();
        assert_eq!(th.method, "gaussian_closure");
        for p in &th.points {
            let want = closed_form(eta, lam, noise, v, p.time);
            assert!(
                (p.gen_error - want).abs() < 1e-10,
                "eta {eta} lam {lam} t {}: {} vs {want}",
                p.time,
                p.gen_error
            );
        }
        if lam == 0.0 {
            // Stationary error ησ²/(2 − η).
            let last = th.points.last().unwrap().gen_error;
            let want = eta * noise / (2.0 - eta);
            let slow = (-(2.0 - eta) * eta * 12.0f64).exp();
            assert!((last - want).abs() < 3.0 * slow + 1e-10, "{last} vs {want}");
        }
    }
}

#[test]
fn density_solver_matches_the_gaussian_closure() {
    // The finite-volume solver knows nothing of Gaussians: on the continuous student it must
    // reproduce the closure to its discretization error.
    let opts = SteOptions {
        lr: 0.7,
        ..SteOptions::default()
    };
    let d = Dynamics::new(Student::Continuous, gaussian(), 0.2, opts).unwrap();
    let times = [0.5, 1.5, 3.0];
    let (pts, stats) = density_theory(&d, &times, &FpOptions::default()).unwrap();
    for p in &pts {
        let want = closed_form(0.7, 0.0, 0.2, 1.0, p.time);
        assert!(
            (p.gen_error - want).abs() < 2e-4,
            "t {}: {} vs {want}",
            p.time,
            p.gen_error
        );
    }
    assert!(stats.max_mass_error < 1e-11);
    assert!(stats.min_mass >= 0.0);
}

#[test]
fn mass_is_conserved_and_density_positive() {
    let times = [0.5, 2.0, 4.0];
    for (clip, lam) in [(false, 0.0), (true, 0.0), (true, 0.3), (false, 0.3)] {
        let opts = SteOptions {
            lr: 1.0,
            clip,
            weight_decay: lam,
            ..SteOptions::default()
        };
        let d = quantized(2, 1.5, 0.1, opts);
        let coarse = FpOptions::default().refined(0.5);
        let th = theory(&d, &times, &coarse).unwrap();
        let st = th.stats.unwrap();
        assert!(
            st.max_mass_error < 1e-11,
            "clip {clip} lam {lam}: {}",
            st.max_mass_error
        );
        assert!(st.min_mass >= 0.0, "clip {clip} lam {lam}: {}", st.min_mass);
        for p in &th.points {
            let s: f64 = p.level_fractions.iter().sum();
            assert!((s - 1.0).abs() < 1e-11);
            assert!(p.min_mass >= 0.0);
        }
    }
}

#[test]
fn halving_the_steps_changes_the_error_by_less_than_1e4() {
    let times = [0.5, 1.0, 2.0, 3.0];
    for (bits, width, clip) in [(1, 0.8, false), (2, 1.5, true)] {
        let opts = SteOptions {
            lr: 1.0,
            clip,
            ..SteOptions::default()
        };
        let d = quantized(bits, width, 0.1, opts);
        let base = FpOptions::default();
        let a = theory(&d, &times, &base).unwrap();
        let b = theory(&d, &times, &base.refined(2.0)).unwrap();
        for (p, r) in a.points.iter().zip(&b.points) {
            let diff = (p.gen_error - r.gen_error).abs();
            assert!(diff < 1e-4, "b {bits} t {}: {diff:e}", p.time);
            // Teacher quadrature: 15-point Kronrod against the embedded 7-point Gauss rule.
            assert!(
                (r.gen_error - r.gen_error_gauss).abs() < 1e-3,
                "t {}",
                p.time
            );
        }
    }
}

#[test]
fn long_time_limit_is_the_self_consistent_fixed_point() {
    // b = 1, ω = 0.8: the density solution at t = 40 against the direct solution of the
    // stationary equations (a different computation: zero-flux densities and a root in ε).
    let opts = SteOptions {
        lr: 1.0,
        weight_decay: 0.1,
        ..SteOptions::default()
    };
    let d = quantized(1, 0.8, 0.1, opts);
    let o = FpOptions::default().refined(0.5);
    let fps = fixed_points(&d, &o).unwrap();
    assert_eq!(fps.len(), 1, "{fps:?}");
    assert!(fps[0].stable);
    let th = theory(&d, &[40.0], &o).unwrap();
    let p = &th.points[0];
    assert!(
        (p.gen_error - fps[0].gen_error).abs() < 2e-3,
        "{} vs {}",
        p.gen_error,
        fps[0].gen_error
    );
    for (a, b) in p.level_fractions.iter().zip(&fps[0].level_fractions) {
        assert!((a - b).abs() < 2e-3, "{a} vs {b}");
    }
}

#[test]
fn small_steps_dither_between_neighbouring_levels() {
    // η → 0: every latent weight slides on the threshold between the two levels around its
    // teacher value, with mean w0 (Filippov sliding mode); the deployed error is the variance
    // of that dither, E[(s_{k+1} − w0)(w0 − s_k)] in range plus (|w0| − ω)² outside: for b = 1,
    // ∫ (ω² − w²)φ on |w| < ω plus ∫ (|w| − ω)² φ outside.
    let w = 0.8;
    let opts = SteOptions {
        lr: 1e-3,
        ..SteOptions::default()
    };
    let d = quantized(1, w, 0.0, opts);
    let fps = fixed_points(&d, &FpOptions::default()).unwrap();
    let phi = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let cdf = quantreplica::model::teacher::norm_cdf;
    // ∫_{-ω}^{ω} (ω² − w²) φ = ω²(2Φ(ω) − 1) − [(2Φ(ω) − 1) − 2ωφ(ω)]
    let inner = w * w * (2.0 * cdf(w) - 1.0) - ((2.0 * cdf(w) - 1.0) - 2.0 * w * phi(w));
    // 2∫_ω^∞ (x − ω)² φ = 2[(1 + ω²)(1 − Φ(ω)) − ωφ(ω)]
    let outer = 2.0 * ((1.0 + w * w) * (1.0 - cdf(w)) - w * phi(w));
    let want = inner + outer;
    assert_eq!(fps.len(), 1);
    assert!(
        (fps[0].gen_error - want).abs() < 2e-3,
        "{} vs {want}",
        fps[0].gen_error
    );
}
