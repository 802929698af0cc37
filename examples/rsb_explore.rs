//! 1RSB against RS at one point, with the curve φ1(x) and the complexity Σ(x) = −x² ∂φ1/∂x.
//!
//! `cargo run --release --example rsb_explore -- ALPHA NOISE BITS WIDTH BETA`
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rsb::{self, RsbOptions};
use std::time::Instant;

fn main() {
    let a: Vec<f64> = std::env::args()
        .skip(1)
        .map(|s| s.parse().expect("numbers"))
        .collect();
    let (alpha, noise, bits, width, beta) = match a[..] {
        [al, n, b, w, be] => (al, n, b as u32, w, be),
        _ => (2.0, 0.1, 1, 1.5, 5.0),
    };
    let student = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
    let model = Model::new(
        alpha,
        noise,
        beta,
        0.0,
        student,
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap();
    let opts = RsbOptions::default();
    let t = Instant::now();
    let r = rsb::solve(&model, &opts).unwrap();
    let el = t.elapsed();
    let (s, rs) = (&r.solution, &r.rs);
    println!(
        "alpha={alpha} noise={noise} bits={bits} width={width} beta={beta}: lambda_AT = {:.4}",
        rs.at_eigenvalue
    );
    println!(
        "{:?}: x = {:.6}, q0 = {:.6}, q1 = {:.6}, Q = {:.6}, m = {:.6}, replicon_q1 = {:.4}",
        s.phase, s.x, s.q0, s.q1, s.big_q, s.m, s.replicon_q1
    );
    println!("            {:>12} {:>12}", "1RSB", "RS");
    for (k, v1, v0) in [
        ("phi", s.free_entropy, rs.free_entropy.unwrap()),
        ("entropy", s.entropy, rs.entropy.unwrap()),
        ("gen_error", s.gen_error, rs.gen_error),
        ("mse_mean", s.mse_posterior_mean, rs.mse_posterior_mean),
        ("train_err", s.train_error, rs.train_error),
    ] {
        println!("{k:<11} {v1:>12.6} {v0:>12.6}");
    }
    println!(
        "solved in {el:?}; converged = {}; chosen branch {:?}",
        r.converged, r.chosen_branch
    );
    for b in &r.branches {
        println!(
            "branch {} ({:?}): x in [{:.4}, {:.4}], {} points, Sigma(1) = {:?}, attached to RS: {}, value {:?}, resolved: {}",
            b.index,
            b.origin,
            b.x_min,
            b.x_max,
            b.points,
            b.complexity_at_x_one,
            b.attached_to_rs,
            b.value,
            b.resolved
        );
    }
    for p in &r.stationary {
        println!(
            "stationary on branch {}: {:?} at x = {:.6}: q0 = {:.6}, q1 = {:.6}, phi1 = {:.9}, entropy = {:.6}, converged: {}",
            p.branch, p.kind, p.x, p.q0, p.q1, p.free_entropy, p.entropy, p.converged
        );
    }
    println!("scan:");
    println!(
        "{:>10} {:>7} {:>12} {:>12} {:>14} {:>14}  status",
        "x", "branch", "q0", "q1", "phi1", "complexity"
    );
    for p in &r.scan {
        println!(
            "{:>10.6} {:>7} {:>12.6} {:>12.6} {:>14.9} {:>14.3e}  {:?} ({})",
            p.x,
            p.branch.map_or("-".to_string(), |b| b.to_string()),
            p.q0,
            p.q1,
            p.free_entropy,
            -p.x * p.x * p.dphi_dx,
            p.status,
            p.iterations
        );
    }
}
