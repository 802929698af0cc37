//! The quadrature trap of THEORY.md §4: the weight Z^x tilts the inner z1 Gaussian by up to
//! x·max|s|·sqrt(q̂1 − q̂0) standard deviations. A fixed inner range [−9, 9] around 0 then
//! misses part of the tilted measure; the map and φ1 stay finite and the iteration still
//! "converges", but φ1 is no longer stationary at the fixed point. The default (tilted) range
//! passes the same test.

use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rsb::channel::{free_entropy, InnerRange, Params};
use quantreplica::rsb::{self, RsbOptions};

fn fd_q1_hat(model: &Model, p: &Params, opts: &RsbOptions) -> f64 {
    let h = 1e-4 * p.hat.q1_hat;
    let at = |k: f64| {
        let mut q = *p;
        q.hat.q1_hat += k * h;
        free_entropy(model, &q, opts.quad).unwrap()
    };
    (at(-2.0) - 8.0 * at(-1.0) + 8.0 * at(1.0) - at(2.0)) / (12.0 * h)
}

#[test]
fn narrow_fixed_inner_range_breaks_stationarity_at_large_tilt() {
    let student = Student::Discrete(LevelSet::uniform(1, 3.0).unwrap());
    let model = Model::new(
        2.0,
        0.1,
        10.0,
        0.0,
        student,
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap();
    let x = 0.9;
    let good = RsbOptions::default();
    let mut bad = RsbOptions::default();
    bad.quad.range = InnerRange::Fixed(9.0);
    let rs = quantreplica::rs::solve(&model, &Default::default()).equilibrium;
    let start = rsb::split_start(&rs);

    let a = rsb::solve_at_x(&model, x, start, &good).unwrap();
    assert!(a.status.is_converged());
    let tilt = x * 3.0 * (a.params.hat.q1_hat - a.params.hat.q0_hat).sqrt();
    eprintln!(
        "tilt = {tilt:.2} standard deviations; q0 = {}, q1 = {}",
        a.state[1], a.state[2]
    );
    assert!(tilt > 6.0, "the point must have a large tilt, got {tilt}");
    let d_good = fd_q1_hat(&model, &a.params, &good);

    let b = rsb::solve_at_x(&model, x, start, &bad).unwrap();
    let d_bad = fd_q1_hat(&model, &b.params, &bad);
    eprintln!(
        "dphi1/dq1_hat: tilted range {d_good:.3e}, fixed [-9, 9] {d_bad:.3e} (status {:?})",
        b.status
    );
    assert!(d_good.abs() < 1e-7, "{d_good}");
    assert!(
        d_bad.abs() > 1e-4,
        "the narrow range should break stationarity: {d_bad}"
    );
}
