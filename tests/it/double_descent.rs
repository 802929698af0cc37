//! Double descent under quantization against closed forms and the exact continuous limit.

use quantreplica::experiments::double_descent::{continuous_gen_error, curves};
use quantreplica::experiments::OperatingPoint as Point;
use quantreplica::model::{Model, Student, TeacherPrior};
use quantreplica::rs::{solve, SolverOptions};

#[test]
fn fine_quantizer_follows_the_ridgeless_closed_form_above_the_threshold() {
    // 8 bits over ±6: step 0.047, so the ground state is the continuous ridgeless solution up to
    // quantization noise of order step²/12 ≈ 2e-4 (Hastie et al. 2022: ε_g = σ²/(α − 1)).
    let p = Point {
        alpha: 2.0,
        noise: 0.1,
        beta: 5.0,
    };
    let alphas = [1.5, 2.0, 3.0, 5.0];
    let c = curves(&p, &[(8, 3.0)], f64::INFINITY, &alphas).unwrap();
    let wide = c.iter().find(|c| c.width_factor == 2.0).unwrap();
    for (a, e) in alphas.iter().zip(&wide.gen_error) {
        let exact = continuous_gen_error(*a, p.noise);
        let e = e.unwrap();
        assert!(
            (e - exact).abs() < 2e-3 + 0.01 * exact,
            "alpha = {a}: {e} vs {exact}"
        );
    }
}

#[test]
fn closed_form_matches_the_continuous_rs_solver_on_both_sides_of_the_peak() {
    let t = TeacherPrior::gaussian(1.0).unwrap();
    for a in [0.3, 0.8, 1.3, 4.0] {
        let m = Model::new(a, 0.2, f64::INFINITY, 0.0, Student::Continuous, t.clone()).unwrap();
        let r = solve(&m, &SolverOptions::default());
        let e = continuous_gen_error(a, 0.2);
        assert!(
            (r.equilibrium.gen_error - e).abs() < 1e-9 * (1.0 + e),
            "alpha={a}"
        );
    }
}

#[test]
fn quantization_moves_the_interpolation_threshold_below_one() {
    // Seed 002, finding (iii): the quantized ground state stops interpolating (ε_t > 0) at
    // some α_c < 1, and fewer bits or a narrower grid lower α_c further. Below α_c the model
    // interpolates exactly; above, it does not.
    let p = Point::default();
    let alphas: Vec<f64> = (0..40).map(|i| 0.1 + 0.03 * i as f64).collect();
    let c = curves(&p, &[(1, 0.698), (3, 1.858)], f64::INFINITY, &alphas).unwrap();
    let thr = |b: u32, f: f64| {
        c.iter()
            .find(|c| c.bits == b && c.width_factor == f)
            .and_then(|c| c.interpolation_threshold)
            .unwrap()
    };
    let (t1, t3, t3w) = (thr(1, 1.0), thr(3, 1.0), thr(3, 2.0));
    assert!(t1 < t3 && t3 < t3w && t3w < 1.0, "{t1} {t3} {t3w}");
    let t = TeacherPrior::gaussian(1.0).unwrap();
    for (alpha, fits) in [(0.99 * t3, true), (1.01 * t3, false)] {
        let st = Student::Discrete(quantreplica::model::LevelSet::uniform(3, 1.858).unwrap());
        let m = Model::new(alpha, p.noise, f64::INFINITY, 0.0, st, t.clone()).unwrap();
        let r = solve(&m, &SolverOptions::default());
        assert_eq!(r.equilibrium.train_error == 0.0, fits, "alpha = {alpha}");
    }
    // No interpolation peak: ε_g decreases monotonically for the quantized ground state.
    for c in &c {
        assert!(
            c.peak.is_none(),
            "b = {} w = {}: {:?}",
            c.bits,
            c.width,
            c.peak
        );
    }
}
