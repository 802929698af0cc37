//! AMP against state evolution on one point: per-iteration MSE and mean variance, averaged over
//! a few seeds, beside the RS map iterated from AMP's start.
//!
//! `cargo run --release --example validate_amp_se -- [bits] [width] [beta] [teacher] [n] [seeds]`

use quantreplica::amp::{self, AmpOptions};
use quantreplica::instance;
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use rayon::prelude::*;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: &str| a.get(i).cloned().unwrap_or_else(|| d.to_string());
    let bits: u32 = arg(1, "2").parse().unwrap_or(2);
    let width: f64 = arg(2, "1.5").parse().unwrap_or(1.5);
    let beta: f64 = arg(3, "5").parse().unwrap_or(5.0);
    let teacher = if arg(4, "gaussian") == "binary" {
        TeacherPrior::binary(1.0)
    } else {
        TeacherPrior::gaussian(1.0)
    };
    let n: usize = arg(5, "2000").parse().unwrap_or(2000);
    let seeds: u64 = arg(6, "4").parse().unwrap_or(4);
    let Ok(levels) = LevelSet::uniform(bits, width) else {
        return;
    };
    let Ok(teacher) = teacher else { return };
    let Ok(model) = Model::new(2.0, 0.1, beta, 0.0, Student::Discrete(levels), teacher) else {
        return;
    };
    let opts = AmpOptions::default();
    let t0 = std::time::Instant::now();
    let runs: Vec<_> = (0..seeds)
        .into_par_iter()
        .filter_map(|s| {
            let inst = instance::generate(&model, n, s).ok()?;
            amp::run(&model, &inst, &opts).ok()
        })
        .collect();
    println!("{} runs in {:?}", runs.len(), t0.elapsed());
    let se = amp::state_evolution(&model, 40).unwrap_or_default();
    let rs = quantreplica::rs::solve(&model, &Default::default());
    println!(
        "RS eq: mse_mean {:.5} gen {:.5} stable {} lambda_AT {:.3}",
        rs.equilibrium.mse_posterior_mean,
        rs.equilibrium.gen_error,
        rs.equilibrium.rs_stable,
        rs.equilibrium.at_eigenvalue
    );
    for r in &runs {
        println!(
            "status {:?} iters {} mse {:?} gen {:?}",
            r.status, r.iterations, r.mse_posterior_mean, r.gen_error
        );
    }
    for (t, s) in se.iter().enumerate().take(30) {
        let vals: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.history.get(t).map(|h| h.mse))
            .collect();
        let vv: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.history.get(t).map(|h| h.mean_var))
            .collect();
        let mean = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
        let mv = vv.iter().sum::<f64>() / vv.len().max(1) as f64;
        println!(
            "{:>3} amp {:.5} se {:.5}   var amp {:.5} se {:.5}",
            s.iter, mean, s.mse, mv, s.mean_var
        );
    }
}
