//! Exploration of 1RSB at one point: timings, the x scan, the RS comparison.
//! `cargo run --release --example rsb_explore -- ALPHA NOISE BITS WIDTH BETA`
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rsb::{self, RsbOptions};
use std::time::Instant;

fn main() {
    let a: Vec<f64> = std::env::args().skip(1).map(|s| s.parse().unwrap()).collect();
    let (alpha, noise, bits, width, beta) = (a[0], a[1], a[2] as u32, a[3], a[4]);
    let student = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
    let model = Model::new(alpha, noise, beta, 0.0, student, TeacherPrior::gaussian(1.0).unwrap()).unwrap();
    let opts = RsbOptions::default();
    let rs = quantreplica::rs::solve(&model, &Default::default()).equilibrium;
    println!("RS: m={} q={} Q={} phi={:?} lambda_AT={}", rs.m, rs.q, rs.big_q, rs.free_entropy, rs.at_eigenvalue);
    if a.len() > 5 {
        let x = a[5];
        let t = Instant::now();
        debug_point(&model, x, rsb::split_start(&rs));
        let r = rsb::solve_at_x(&model, x, rsb::split_start(&rs), &opts).unwrap();
        println!("x={x}: state={:?} phi={} dphi/dx={} status={:?} it={} ({:?})", r.state, r.free_entropy, r.dphi_dx, r.status, r.iterations, t.elapsed());
        return;
    }
    let t = Instant::now();
    let r = rsb::solve(&model, &opts).unwrap();
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
    println!("elapsed {:?}", t.elapsed());
}

#[allow(dead_code)]
fn debug_point(model: &Model, x: f64, start: [f64; 4]) {
    let opts = RsbOptions::default();
    let out = quantreplica::fixed_point::iterate(|s| rsb::map(model, x, s, opts.quad).map(|v| v.to_vec()), &start, opts.fixed_point);
    let (_, _, av) = rsb::evaluate(model, x, [out.x[0], out.x[1], out.x[2], out.x[3]], opts.quad).unwrap();
    println!("debug x={x}: {:?} {} {} accurate={}", out.status, out.iterations, out.residual, av.accurate);
}
