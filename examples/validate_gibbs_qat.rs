//! Calibration runs of the Gibbs sampler and QAT against the RS theory (what the tests and
//! docs/validation.md quote). `cargo run --release --example validate_gibbs_qat -- [part]`
//! with part = exact | gibbs | qat | all.

use quantreplica::gibbs::{self, GibbsOptions};
use quantreplica::instance;
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::qat::{self, QatOptions};
use quantreplica::rs::{solve, SolverOptions};
use rayon::prelude::*;

fn model(alpha: f64, bits: u32, width: f64, beta: f64) -> Model {
    let l = LevelSet::uniform(bits, width).expect("levels");
    Model::new(
        alpha,
        0.1,
        beta,
        0.0,
        Student::Discrete(l),
        TeacherPrior::gaussian(1.0).expect("teacher"),
    )
    .expect("model")
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, (var / n).sqrt())
}

fn main() {
    let part = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    if part == "exact" || part == "all" {
        let md = model(2.0, 2, 1.5, 2.0);
        let inst = instance::generate(&md, 8, 3).expect("inst");
        let ex = gibbs::enumerate(&md, &inst).expect("exact");
        println!("exact: {ex:?}");
        let opts = GibbsOptions {
            burn_in: 200,
            sweeps: 5000,
            temperatures: 1,
            beta_min: 0.5,
        };
        let t0 = std::time::Instant::now();
        let runs: Vec<_> = (0..16u64)
            .into_par_iter()
            .map(|s| gibbs::run(&md, &inst, &opts, s).expect("run"))
            .collect();
        println!("16 chains in {:?}", t0.elapsed());
        let g: Vec<f64> = runs.iter().filter_map(|r| r.gen_error).collect();
        let t: Vec<f64> = runs.iter().map(|r| r.train_error).collect();
        let q: Vec<f64> = runs.iter().map(|r| r.overlap).collect();
        let qs: Vec<f64> = runs.iter().map(|r| r.overlap_std).collect();
        println!(
            "gen {:?} train {:?} q {:?} qstd {:?}",
            mean_se(&g),
            mean_se(&t),
            mean_se(&q),
            mean_se(&qs)
        );
    }
    if part == "gibbs" || part == "all" {
        for (bits, width, beta, temps) in [
            (2u32, 1.5, 5.0, 1usize),
            (1, 1.0, 5.0, 1),
            (1, 1.0, 5.0, 6),
            (1, 1.5, 5.0, 6),
        ] {
            let md = model(2.0, bits, width, beta);
            let rs = solve(&md, &SolverOptions::default()).equilibrium;
            let opts = GibbsOptions {
                burn_in: 500,
                sweeps: 1000,
                temperatures: temps,
                beta_min: 0.5,
            };
            let t0 = std::time::Instant::now();
            let runs: Vec<_> = (0..8u64)
                .into_par_iter()
                .map(|s| {
                    let inst = instance::generate(&md, 200, s).expect("inst");
                    gibbs::run(&md, &inst, &opts, 1000 + s).expect("run")
                })
                .collect();
            let g: Vec<f64> = runs.iter().filter_map(|r| r.gen_error).collect();
            let t: Vec<f64> = runs.iter().map(|r| r.train_error).collect();
            let q: Vec<f64> = runs.iter().map(|r| r.overlap).collect();
            let qs: Vec<f64> = runs.iter().map(|r| r.overlap_std).collect();
            let pooled: Vec<f64> = runs
                .iter()
                .flat_map(|r| r.overlap_samples.iter().copied())
                .collect();
            let (pm, _) = mean_se(&pooled);
            let psd = (pooled.iter().map(|x| (x - pm) * (x - pm)).sum::<f64>()
                / pooled.len() as f64)
                .sqrt();
            println!(
                "b={bits} w={width} beta={beta} T={temps} ({:?}) stable={} lAT={:.2}\n  gen {:?} rs {:.4}\n  train {:?} rs {:.4}\n  q {:?} rs {:.4}\n  qstd-within {:?} pooled sd {:.4} swaps {:?}",
                t0.elapsed(), rs.rs_stable, rs.at_eigenvalue, mean_se(&g), rs.gen_error, mean_se(&t), rs.train_error, mean_se(&q), rs.q, mean_se(&qs), psd, runs[0].swap_acceptance
            );
        }
    }
    if part == "qat" || part == "all" {
        for (alpha, bits, width) in [
            (0.5, 2u32, 1.0),
            (1.0, 2, 1.0),
            (2.0, 2, 1.0),
            (4.0, 2, 1.0),
            (2.0, 1, 0.8),
            (2.0, 3, 1.5),
            (2.0, 2, 2.5),
        ] {
            let md = model(alpha, bits, width, f64::INFINITY);
            let rs = solve(&md, &SolverOptions::default()).equilibrium;
            let opts = QatOptions::default();
            let t0 = std::time::Instant::now();
            let runs: Vec<_> = (0..4u64)
                .into_par_iter()
                .map(|s| {
                    let inst = instance::generate(&md, 1000, s).expect("inst");
                    qat::run(&md, &inst, &opts, s).expect("run")
                })
                .collect();
            let g: Vec<f64> = runs.iter().filter_map(|r| r.gen_error).collect();
            let t: Vec<f64> = runs.iter().map(|r| r.train_error).collect();
            println!(
                "alpha={alpha} b={bits} w={width} ({:?}) gen {:?} rs {:.4} | train {:?} rs {:.4}",
                t0.elapsed(),
                mean_se(&g),
                rs.gen_error,
                mean_se(&t),
                rs.train_error
            );
            let h = &runs[0].history;
            let pick: Vec<String> = [0usize, 1, 5, 15, 30, 45, 60]
                .iter()
                .filter_map(|&e| h.get(e))
                .map(|r| format!("{}:{:.3}/{:.3}", r.epoch, r.gen_error, r.train_error))
                .collect();
            println!("  {}", pick.join(" "));
        }
    }
}
