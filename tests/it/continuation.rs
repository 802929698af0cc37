//! The continuation engine against closed forms: normal forms of the fold, a pitchfork's branch
//! point, a chemical-reactor model whose fold curve and cusp are known in closed form, and the
//! Bratu problem's turning point.

use nalgebra::{DMatrix, DVector};
use quantreplica::continuation::arclength::{follow, End, Options, StepStatus};
use quantreplica::continuation::fold::{moore_spence, FoldCurve, FoldMethod};
use quantreplica::continuation::newton::{self, NewtonStatus};
use quantreplica::continuation::{
    finite_difference_jacobian, flow_stable, jacobian_discrepancy, Jacobian, System,
};

/// A scalar system given by closures for F, F_x, F_p.
struct Scalar<F, G, H> {
    f: F,
    fx: G,
    fp: H,
    domain: fn(f64) -> bool,
}

impl<F, G, H> System for Scalar<F, G, H>
where
    F: Fn(f64, f64) -> f64,
    G: Fn(f64, f64) -> f64,
    H: Fn(f64, f64) -> f64,
{
    fn dim(&self) -> usize {
        1
    }
    fn residual(&self, x: &DVector<f64>, p: f64) -> Option<DVector<f64>> {
        (self.domain)(x[0]).then(|| DVector::from_element(1, (self.f)(x[0], p)))
    }
    fn jacobian(&self, x: &DVector<f64>, p: f64) -> Option<Jacobian> {
        (self.domain)(x[0]).then(|| Jacobian {
            fx: DMatrix::from_element(1, 1, (self.fx)(x[0], p)),
            fp: DVector::from_element(1, (self.fp)(x[0], p)),
        })
    }
    fn stable(&self, _x: &DVector<f64>, _p: f64, j: &Jacobian) -> Option<bool> {
        Some(flow_stable(j))
    }
}

fn everywhere(_: f64) -> bool {
    true
}

fn v1(x: f64) -> DVector<f64> {
    DVector::from_element(1, x)
}

#[test]
fn fold_normal_form_x2_minus_p() {
    // x² − p = 0: one fold at p = 0, x = 0, with p = ξ² (curvature 1).
    let sys = Scalar {
        f: |x: f64, p: f64| x * x - p,
        fx: |x: f64, _| 2.0 * x,
        fp: |_, _| -1.0,
        domain: everywhere,
    };
    let opts = Options {
        p_min: -1.0,
        p_max: 1.0,
        ..Options::default()
    };
    let c = follow(&sys, &v1(1.0), 1.0, -1.0, &opts);
    assert_eq!(c.end, End::Boundary);
    assert_eq!(c.folds.len(), 1, "{:?}", c.folds);
    let f = &c.folds[0];
    assert_eq!(f.method, FoldMethod::MooreSpence);
    assert!(f.converged);
    assert!(f.p.abs() < 1e-12 && f.x[0].abs() < 1e-10, "{f:?}");
    assert!(
        (f.curvature - 1.0).abs() < 1e-6,
        "curvature {}",
        f.curvature
    );
    // It came back along the other half to p = 1, x = −1, exactly on the bound.
    let last = c.points.last().unwrap();
    assert_eq!(last.p, 1.0);
    assert!((last.x[0] + 1.0).abs() < 1e-12);
    // Every accepted point lies on the curve.
    for pt in &c.points {
        assert!((pt.x[0] * pt.x[0] - pt.p).abs() < 1e-10);
    }
    assert!(c.branch_points.is_empty());
}

#[test]
fn s_curve_through_both_folds_with_the_middle_branch_unstable() {
    // dx/dt = p + x − x³: equilibria x³ − x = p, folds at x = ∓1/√3, p = ±2/(3√3); the middle
    // branch (|x| < 1/√3, where F_x = 1 − 3x² > 0) is unstable, the outer ones stable.
    let sys = Scalar {
        f: |x: f64, p: f64| p + x - x * x * x,
        fx: |x: f64, _| 1.0 - 3.0 * x * x,
        fp: |_, _| 1.0,
        domain: everywhere,
    };
    let opts = Options {
        p_min: -2.0,
        p_max: 2.0,
        ..Options::default()
    };
    let x0 = -1.5f64;
    let c = follow(&sys, &v1(x0), x0 * x0 * x0 - x0, 1.0, &opts);
    assert_eq!(c.end, End::Boundary);
    let pc = 2.0 / (3.0 * 3f64.sqrt());
    let xc = 1.0 / 3f64.sqrt();
    assert_eq!(c.folds.len(), 2, "{:?}", c.folds);
    assert!((c.folds[0].p - pc).abs() < 1e-12, "{}", c.folds[0].p);
    assert!((c.folds[0].x[0] + xc).abs() < 1e-9);
    assert!((c.folds[1].p + pc).abs() < 1e-12, "{}", c.folds[1].p);
    assert!((c.folds[1].x[0] - xc).abs() < 1e-9);
    // p ≈ p* + κ ξ² with κ = −½ F_xx / F_p = 3x*.
    assert!((c.folds[0].curvature + 3.0 * xc).abs() < 1e-5);
    assert!((c.folds[1].curvature - 3.0 * xc).abs() < 1e-5);
    let mut middle = 0;
    for pt in &c.points {
        let x = pt.x[0];
        if (x.abs() - xc).abs() < 1e-6 {
            continue;
        }
        assert_eq!(pt.stable, Some(x.abs() > xc), "x = {x}");
        middle += usize::from(x.abs() < xc);
    }
    assert!(
        middle >= 3,
        "the middle branch was followed ({middle} points)"
    );
    assert!(c.points.last().unwrap().x[0] > 1.0);
}

#[test]
fn pitchfork_branch_point_is_flagged_not_taken_for_a_fold() {
    // F = p x − x³ on the trivial branch x = 0: a branch point at p = 0, no fold.
    let sys = Scalar {
        f: |x: f64, p: f64| p * x - x * x * x,
        fx: |x: f64, p: f64| p - 3.0 * x * x,
        fp: |x: f64, _| x,
        domain: everywhere,
    };
    let opts = Options {
        p_min: -1.0,
        p_max: 1.0,
        h_max: 0.07,
        ..Options::default()
    };
    let c = follow(&sys, &v1(0.0), -1.0, 1.0, &opts);
    assert_eq!(c.end, End::Boundary);
    assert!(c.folds.is_empty(), "{:?}", c.folds);
    assert_eq!(c.branch_points.len(), 1);
    assert!(c.branch_points[0].p.abs() < 1e-9, "{:?}", c.branch_points);
    // Stability changes at the branch point.
    assert_eq!(c.points[0].stable, Some(true));
    assert_eq!(c.points.last().unwrap().stable, Some(false));
}

#[test]
fn closed_curve_has_two_folds_and_ends_closed() {
    // x² + p² = 1.
    let sys = Scalar {
        f: |x: f64, p: f64| x * x + p * p - 1.0,
        fx: |x: f64, _| 2.0 * x,
        fp: |_, p: f64| 2.0 * p,
        domain: everywhere,
    };
    let c = follow(&sys, &v1(1.0), 0.0, 1.0, &Options::default());
    assert_eq!(c.end, End::Closed);
    assert_eq!(c.folds.len(), 2);
    let mut ps: Vec<f64> = c.folds.iter().map(|f| f.p).collect();
    ps.sort_by(f64::total_cmp);
    assert!(
        (ps[0] + 1.0).abs() < 1e-12 && (ps[1] - 1.0).abs() < 1e-12,
        "{ps:?}"
    );
    let len = c.points.last().unwrap().s;
    assert!(
        (len - 2.0 * std::f64::consts::PI).abs() < 0.1,
        "length {len}"
    );
}

#[test]
fn leaving_the_domain_ends_the_curve_with_an_explicit_status() {
    // x² − p, defined only for x ≥ 0.2: the curve from x = 1 downwards hits the edge.
    let sys = Scalar {
        f: |x: f64, p: f64| x * x - p,
        fx: |x: f64, _| 2.0 * x,
        fp: |_, _| -1.0,
        domain: |x| x >= 0.2,
    };
    let c = follow(&sys, &v1(1.0), 1.0, -1.0, &Options::default());
    assert_eq!(c.end, End::LeftDomain);
    assert!(c.steps.iter().any(|s| s.status == StepStatus::LeftDomain));
    assert_eq!(c.steps.last().unwrap().status, StepStatus::Failed);
    let last = c.points.last().unwrap();
    assert!(last.x[0] >= 0.2 && last.x[0] < 0.2 + 1e-6, "{}", last.x[0]);
    for pt in &c.points {
        assert!(pt.x[0].is_finite() && pt.p.is_finite() && pt.residual < 1e-10);
    }
}

#[test]
fn a_start_that_cannot_be_solved_is_reported() {
    let sys = Scalar {
        f: |x: f64, p: f64| x * x + 1.0 + p * 0.0,
        fx: |x: f64, _| 2.0 * x,
        fp: |_, _| 0.0,
        domain: everywhere,
    };
    let c = follow(&sys, &v1(0.5), 0.0, 1.0, &Options::default());
    assert_eq!(c.end, End::StartFailed);
    assert!(c.points.is_empty());
    assert_eq!(c.steps[0].status, StepStatus::Failed);
}

/// The isothermal "A → B" reactor of AUTO's demo `ab` (Doedel et al.), with continuation
/// parameter D (Damköhler number) and second parameter B:
/// `u1' = −u1 + D(1 − u1)e^{u2}`, `u2' = −u2 + D B (1 − u1) e^{u2} − β u2`.
/// Equilibria: u1 = c u2 with c = (1 + β)/B, D(u2) = c u2 e^{−u2}/(1 − c u2); folds where
/// dD/du2 = 0, i.e. c u2² − u2 + 1 = 0; the cusp at c = 1/4 (u2 = 2, D = e^{−2}).
struct Reactor {
    b: f64,
    beta: f64,
}

impl System for Reactor {
    fn dim(&self) -> usize {
        2
    }
    fn residual(&self, x: &DVector<f64>, d: f64) -> Option<DVector<f64>> {
        let (u1, u2) = (x[0], x[1]);
        let e = u2.exp();
        Some(DVector::from_vec(vec![
            -u1 + d * (1.0 - u1) * e,
            -u2 + d * self.b * (1.0 - u1) * e - self.beta * u2,
        ]))
    }
    fn jacobian(&self, x: &DVector<f64>, d: f64) -> Option<Jacobian> {
        let (u1, u2) = (x[0], x[1]);
        let e = u2.exp();
        Some(Jacobian {
            fx: DMatrix::from_row_slice(
                2,
                2,
                &[
                    -1.0 - d * e,
                    d * (1.0 - u1) * e,
                    -d * self.b * e,
                    -1.0 + d * self.b * (1.0 - u1) * e - self.beta,
                ],
            ),
            fp: DVector::from_vec(vec![(1.0 - u1) * e, self.b * (1.0 - u1) * e]),
        })
    }
    fn stable(&self, _x: &DVector<f64>, _p: f64, j: &Jacobian) -> Option<bool> {
        Some(flow_stable(j))
    }
}

fn reactor_folds(b: f64, beta: f64) -> [(f64, f64); 2] {
    let c = (1.0 + beta) / b;
    let disc = (1.0 - 4.0 * c).sqrt();
    let d_of = |u2: f64| c * u2 * (-u2).exp() / (1.0 - c * u2);
    let lo = (1.0 - disc) / (2.0 * c);
    let hi = (1.0 + disc) / (2.0 * c);
    [(lo, d_of(lo)), (hi, d_of(hi))]
}

#[test]
fn reactor_folds_and_saddle_middle_branch_match_the_closed_form() {
    let (b, beta) = (14.0, 1.5);
    let sys = Reactor { b, beta };
    assert!(jacobian_discrepancy(&sys, &DVector::from_vec(vec![0.3, 1.7]), 0.11).unwrap() < 1e-8);
    let opts = Options {
        p_min: 0.0,
        p_max: 0.5,
        p_scale: 0.1,
        h_max: 0.2,
        ..Options::default()
    };
    let c = follow(&sys, &DVector::from_vec(vec![0.0, 0.0]), 0.0, 1.0, &opts);
    assert_eq!(c.end, End::Boundary, "{:?}", c.steps.last());
    assert_eq!(c.folds.len(), 2, "{:?}", c.folds);
    let want = reactor_folds(b, beta);
    for (f, (u2, d)) in c.folds.iter().zip(want) {
        assert!((f.p - d).abs() < 1e-12, "fold D {} vs {d}", f.p);
        assert!((f.x[1] - u2).abs() < 1e-8, "fold u2 {} vs {u2}", f.x[1]);
        assert!((f.x[0] - (1.0 + beta) / b * u2).abs() < 1e-8);
    }
    // The branch between the folds is a saddle (det F_x < 0): unstable.
    for pt in &c.points {
        let u2 = pt.x[1];
        if u2 > want[0].0 + 1e-3 && u2 < want[1].0 - 1e-3 {
            assert!(pt.det_fx < 0.0 && pt.stable == Some(false), "u2 = {u2}");
        }
        if u2 < want[0].0 - 1e-3 {
            assert_eq!(pt.stable, Some(true), "lower branch u2 = {u2}");
        }
    }
}

#[test]
fn reactor_fold_curve_turns_at_the_cusp() {
    // Follow the lower fold from B = 14 down in B: the fold curve turns at the cusp B = 4(1+β)
    // (D = e^{−2}, u2 = 2) and comes back as the upper fold.
    let beta = 1.5;
    let b0 = 14.0;
    let sys = Reactor { b: b0, beta };
    let opts = Options {
        p_min: 0.0,
        p_max: 0.5,
        p_scale: 0.1,
        ..Options::default()
    };
    let c = follow(&sys, &DVector::from_vec(vec![0.0, 0.0]), 0.0, 1.0, &opts);
    let fold = &c.folds[0];
    let fc = FoldCurve::new(|b: f64| Some(Reactor { b, beta }), fold);
    let z0 = fc.start(fold);
    let opts2 = Options {
        p_min: 9.0,
        p_max: b0,
        p_scale: 1.0,
        h_max: 0.2,
        ..Options::default()
    };
    let curve = follow(&fc, &z0, b0, -1.0, &opts2);
    assert_eq!(curve.end, End::Boundary, "{:?}", curve.steps.last());
    assert_eq!(curve.folds.len(), 1, "one cusp: {:?}", curve.folds);
    let cusp = &curve.folds[0];
    let b_cusp = 4.0 * (1.0 + beta);
    assert!(
        (cusp.p - b_cusp).abs() < 1e-8,
        "cusp B {} vs {b_cusp}",
        cusp.p
    );
    assert!(
        (cusp.x[2] - (-2f64).exp()).abs() < 1e-8,
        "cusp D {}",
        cusp.x[2]
    );
    assert!((cusp.x[1] - 2.0).abs() < 1e-5, "cusp u2 {}", cusp.x[1]);
    // Every point of the fold curve is a fold of the closed form at its B.
    for pt in &curve.points {
        let want = reactor_folds(pt.p, beta);
        let d = pt.x[2];
        let err = want
            .iter()
            .map(|w| (w.1 - d).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(err < 1e-9, "B = {}: D = {d} vs {want:?}", pt.p);
    }
    // It came back at B = 14 as the upper fold.
    let last = curve.points.last().unwrap();
    assert_eq!(last.p, b0);
    assert!((last.x[2] - reactor_folds(b0, beta)[1].1).abs() < 1e-10);
}

/// The 1-D Bratu problem u'' + λ eᵘ = 0, u(0) = u(1) = 0, by Chebyshev collocation on the
/// interior Gauss–Lobatto nodes (Trefethen, Spectral Methods in MATLAB, `cheb`).
struct Bratu {
    d2: DMatrix<f64>,
}

impl Bratu {
    fn chebyshev(n: usize) -> (Self, Vec<f64>) {
        // Nodes x_j = cos(jπ/n) on [−1, 1]; the problem's t = (1 + x)/2, so d²/dt² = 4 d²/dx².
        let x: Vec<f64> = (0..=n)
            .map(|j| (std::f64::consts::PI * j as f64 / n as f64).cos())
            .collect();
        let c = |j: usize| if j == 0 || j == n { 2.0 } else { 1.0 };
        let sgn = |k: usize| if k.is_multiple_of(2) { 1.0 } else { -1.0 };
        let mut d = DMatrix::zeros(n + 1, n + 1);
        for i in 0..=n {
            for j in 0..=n {
                if i != j {
                    d[(i, j)] = c(i) / c(j) * sgn(i + j) / (x[i] - x[j]);
                }
            }
        }
        for i in 0..=n {
            let s: f64 = (0..=n).filter(|&j| j != i).map(|j| d[(i, j)]).sum();
            d[(i, i)] = -s;
        }
        let full = &d * &d * 4.0;
        let d2 = full.view((1, 1), (n - 1, n - 1)).into_owned();
        let t = x[1..n].iter().map(|v| 0.5 * (1.0 + v)).collect();
        (Bratu { d2 }, t)
    }

    fn finite_difference(n: usize) -> Self {
        // n interior points, h = 1/(n + 1).
        let h = 1.0 / (n as f64 + 1.0);
        let mut d2 = DMatrix::zeros(n, n);
        for i in 0..n {
            d2[(i, i)] = -2.0 / (h * h);
            if i > 0 {
                d2[(i, i - 1)] = 1.0 / (h * h);
            }
            if i + 1 < n {
                d2[(i, i + 1)] = 1.0 / (h * h);
            }
        }
        Bratu { d2 }
    }
}

impl System for Bratu {
    fn dim(&self) -> usize {
        self.d2.nrows()
    }
    fn residual(&self, u: &DVector<f64>, lam: f64) -> Option<DVector<f64>> {
        Some(&self.d2 * u + lam * u.map(f64::exp))
    }
    fn jacobian(&self, u: &DVector<f64>, lam: f64) -> Option<Jacobian> {
        let e = u.map(f64::exp);
        Some(Jacobian {
            fx: &self.d2 + DMatrix::from_diagonal(&(lam * &e)),
            fp: e,
        })
    }
}

/// The exact fold: λ_c = 8y²/cosh²y with y tanh y = 1, and max u = 2 ln cosh y there.
fn bratu_exact() -> (f64, f64) {
    let mut y = 1.2f64;
    for _ in 0..50 {
        let g = y * y.tanh() - 1.0;
        let dg = y.tanh() + y / y.cosh().powi(2);
        y -= g / dg;
    }
    (8.0 * y * y / y.cosh().powi(2), 2.0 * y.cosh().ln())
}

fn bratu_fold(sys: &Bratu) -> (f64, Vec<f64>, f64) {
    let n = sys.dim();
    let opts = Options {
        p_min: 0.0,
        p_max: 4.0,
        h_max: 0.5,
        max_steps: 200,
        ..Options::default()
    };
    let c = follow(sys, &DVector::zeros(n), 0.0, 1.0, &opts);
    assert_eq!(c.folds.len(), 1, "{:?}", c.end);
    let f = &c.folds[0];
    assert!(f.converged && f.method == FoldMethod::MooreSpence);
    (f.p, f.x.clone(), f.curvature)
}

#[test]
fn bratu_turning_point_by_spectral_collocation() {
    let (lc, umax) = bratu_exact();
    // Known digits: λ_c = 3.513830719125161…
    assert!((lc - 3.513_830_719_125_161).abs() < 1e-14);
    let (sys, _) = Bratu::chebyshev(32);
    assert!(jacobian_discrepancy(&sys, &DVector::from_element(31, 0.4), 2.0).unwrap() < 1e-7);
    let (p, x, kappa) = bratu_fold(&sys);
    assert!((p - lc).abs() < 1e-10, "lambda_c {p} vs {lc}");
    let top = x.iter().copied().fold(f64::MIN, f64::max);
    // The midpoint t = 1/2 is a node (n even): u there is the maximum.
    assert!((top - umax).abs() < 1e-9, "u_max {top} vs {umax}");
    assert!(kappa < 0.0, "solutions exist for lambda below the fold");
}

#[test]
fn bratu_turning_point_by_finite_differences_and_richardson() {
    // Second-order differences: λ_c(h) = λ_c + C h² + O(h⁴); one Richardson step on
    // h = 1/64, 1/128 leaves O(h⁴).
    let (lc, _) = bratu_exact();
    let l64 = bratu_fold(&Bratu::finite_difference(63)).0;
    let l128 = bratu_fold(&Bratu::finite_difference(127)).0;
    assert!(
        (l128 - lc).abs() > 1e-6,
        "the discretization error is visible"
    );
    let rich = (4.0 * l128 - l64) / 3.0;
    assert!((rich - lc).abs() < 2e-8, "Richardson {rich} vs {lc}");
    // The error ratio is 4: second order.
    let ratio = (l64 - lc) / (l128 - lc);
    assert!((ratio - 4.0).abs() < 0.01, "ratio {ratio}");
}

#[test]
fn moore_spence_converges_quadratically_from_a_rough_guess() {
    let (lc, _) = bratu_exact();
    let (sys, t) = Bratu::chebyshev(24);
    // Guess: a sine bump of the right size, λ = 3, v = the bump's shape.
    let shape = DVector::from_iterator(t.len(), t.iter().map(|t| (std::f64::consts::PI * t).sin()));
    let x0 = &shape * 1.0;
    let v0 = shape.normalize();
    let out = moore_spence(&sys, &x0, 3.0, &v0, &newton::Options::default());
    assert_eq!(out.status, NewtonStatus::Converged);
    assert!((out.z[t.len()] - lc).abs() < 1e-10, "{}", out.z[t.len()]);
    assert!(out.iterations <= 8, "{} iterations", out.iterations);
}

#[test]
fn analytic_and_finite_difference_jacobians_agree() {
    let sys = Reactor { b: 14.0, beta: 1.5 };
    for (u1, u2, d) in [(0.1, 0.5, 0.05), (0.5, 3.0, 0.2), (0.9, 6.0, 0.01)] {
        let x = DVector::from_vec(vec![u1, u2]);
        let a = sys.jacobian(&x, d).unwrap();
        let b = finite_difference_jacobian(&sys, &x, d).unwrap();
        let scale = 1.0 + a.fx.amax();
        assert!((a.fx - b.fx).amax() / scale < 1e-8);
        assert!((a.fp - b.fp).amax() / scale < 1e-8);
    }
}
