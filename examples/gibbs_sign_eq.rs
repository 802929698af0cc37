//! Equilibration measurements of the Gibbs sampler under the sign channel (issue 12; what
//! docs/validation.md quotes about the classification panel's Gibbs rows).
//!
//! `cargo run --release --example gibbs_sign_eq -- ALPHA BETA LABELS N SWEEPS SEEDS TEMPS
//! BETA_MIN START [BURN]` with LABELS = teacher | random and START = random | teacher. Per seed:
//! one instance, two replicas (each with its own ladder), the target-β chains' training error
//! per sweep; prints ε_t in successive quarters of the run (drift), the integrated
//! autocorrelation time of the energy (Sokal window, c = 5), ε_g, q, swap acceptance.

use quantreplica::gibbs::{self, Chain, GibbsOptions};
use quantreplica::instance::{self, rng_for};
use quantreplica::model::{Labels, OutputChannel};
use quantreplica::validate::{PanelPoint, PanelSettings, SignPoint};
use rand::Rng;
use rayon::prelude::*;

fn arg<T: std::str::FromStr>(i: usize, d: T) -> T {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(d)
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, (var / n).sqrt())
}

/// `exact ALPHA BETA LABELS N1,N2,... INSTANCES`: exact Gibbs averages by enumeration, mean ±
/// stderr over instances, per N.
fn exact() {
    let alpha: f64 = arg(2, 1.2);
    let beta: f64 = arg(3, 3.0);
    let labels: String = arg(4, "teacher".to_string());
    let ns: String = arg(5, "12,16,20".to_string());
    let k: u64 = arg(6, 8);
    let p = PanelPoint {
        bits: 1,
        width: 1.0,
        beta,
        sign: Some(SignPoint {
            alpha,
            teacher: "binary".into(),
            flip: 0.0,
            labels: if labels == "random" {
                Labels::Random
            } else {
                Labels::Teacher
            },
        }),
    };
    let model = p.model(&PanelSettings::default()).expect("model");
    for n in ns.split(',').map(|s| s.parse::<usize>().expect("N")) {
        let ex: Vec<_> = (0..k)
            .into_par_iter()
            .map(|s| {
                let inst =
                    instance::generate(&model, n, instance::derive_seed(5, s)).expect("inst");
                gibbs::enumerate(&model, &inst).expect("exact")
            })
            .collect();
        let t: Vec<f64> = ex.iter().map(|e| e.train_error).collect();
        let q: Vec<f64> = ex.iter().map(|e| e.overlap).collect();
        let g: Vec<f64> = ex.iter().map(|e| e.gen_error.unwrap_or(f64::NAN)).collect();
        let lz: Vec<f64> = ex.iter().map(|e| e.log_z / n as f64).collect();
        println!(
            "N {n} ({k} instances): eps_t {:?} q {:?} eps_g {:?} logZ/N {:?}",
            mean_se(&t),
            mean_se(&q),
            mean_se(&g),
            mean_se(&lz)
        );
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("exact") {
        return exact();
    }
    let alpha: f64 = arg(1, 1.2);
    let beta: f64 = arg(2, 3.0);
    let labels: String = arg(3, "teacher".to_string());
    let n: usize = arg(4, 200);
    let sweeps: usize = arg(5, 2000);
    let seeds: u64 = arg(6, 4);
    let temps: usize = arg(7, 1);
    let beta_min: f64 = arg(8, 0.5);
    let start: String = arg(9, "random".to_string());
    let burn: usize = arg(10, 0);
    let lab = if labels == "random" {
        Labels::Random
    } else {
        Labels::Teacher
    };
    let p = PanelPoint {
        bits: 1,
        width: 1.0,
        beta,
        sign: Some(SignPoint {
            alpha,
            teacher: "binary".into(),
            flip: 0.0,
            labels: lab,
        }),
    };
    let model = p.model(&PanelSettings::default()).expect("model");
    let rs = quantreplica::validate::theory(&model);
    println!(
        "alpha {alpha} beta {beta} {labels} N {n} sweeps {sweeps} seeds {seeds} temps {temps} beta_min {beta_min} start {start}; RS eps_t {:.4} q {:.4} eps_g {:.4} lambda_AT {:.3} entropy {:?}",
        rs.train_error, rs.q, rs.gen_error, rs.at_eigenvalue, rs.entropy
    );
    let opts = GibbsOptions {
        burn_in: 0,
        sweeps,
        temperatures: temps,
        beta_min,
    };
    let betas = gibbs::ladder(&model, &opts);
    let l = betas.len();
    let t0 = std::time::Instant::now();
    let res: Vec<_> = (0..seeds)
        .into_par_iter()
        .map(|s| {
            let inst = instance::generate(&model, n, instance::derive_seed(1, s)).expect("inst");
            let cn = inst.column_norms();
            let mf = inst.m() as f64;
            let nf = n as f64;
            let mut reps: Vec<Vec<Chain>> = (0..2)
                .map(|rep| {
                    (0..l)
                        .map(|k| {
                            let mut c = Chain::new(
                                &model,
                                &inst,
                                rng_for(s + 77, 100 + (rep * l + k) as u64),
                            );
                            if start == "teacher" {
                                c.w = inst.w0.as_ref().expect("teacher").as_slice().to_vec();
                                c.refresh(&model, &inst);
                            }
                            c
                        })
                        .collect()
                })
                .collect();
            let mut srng = rng_for(s + 77, 99);
            let mut acc = vec![(0usize, 0usize); l.saturating_sub(1)];
            let mut et = Vec::with_capacity(sweeps);
            let mut qs = Vec::new();
            let mut gs = Vec::new();
            let y = inst.y.as_slice();
            for sw in 0..burn + sweeps {
                for chains in reps.iter_mut() {
                    for (k, c) in chains.iter_mut().enumerate() {
                        c.sweep(&model, &inst, &cn, betas[k]);
                    }
                    if l > 1 {
                        for k in ((sw % 2)..l - 1).step_by(2) {
                            let d = (betas[k + 1] - betas[k])
                                * (chains[k + 1].energy - chains[k].energy);
                            acc[k].0 += 1;
                            let u: f64 = srng.random();
                            if d >= 0.0 || u < d.exp() {
                                acc[k].1 += 1;
                                let (lo, hi) = chains.split_at_mut(k + 1);
                                std::mem::swap(&mut lo[k].w, &mut hi[0].w);
                                std::mem::swap(&mut lo[k].r, &mut hi[0].r);
                                std::mem::swap(&mut lo[k].energy, &mut hi[0].energy);
                                std::mem::swap(&mut lo[k].norm2, &mut hi[0].norm2);
                            }
                        }
                    }
                }
                if sw < burn {
                    continue;
                }
                let a = &reps[0][l - 1];
                let b = &reps[1][l - 1];
                let ch = &model.channel;
                et.push(
                    (ch.total_error(y, &a.r, a.norm2 / nf) + ch.total_error(y, &b.r, b.norm2 / nf))
                        / (2.0 * mf),
                );
                qs.push(a.w.iter().zip(&b.w).map(|(x, y)| x * y).sum::<f64>() / nf);
                if let Some(w0) = inst.w0.as_ref() {
                    gs.push(
                        0.5 * (ch.sample_gen_error(w0.as_slice(), &a.w, 0.0)
                            + ch.sample_gen_error(w0.as_slice(), &b.w, 0.0)),
                    );
                }
            }
            let tau = gibbs::integrated_autocorrelation_time(&et);
            (et, qs, gs, tau, acc)
        })
        .collect();
    println!("elapsed {:.1?}", t0.elapsed());
    for quarter in 0..4 {
        let lo = quarter * sweeps / 4;
        let hi = (quarter + 1) * sweeps / 4;
        let per: Vec<f64> = res
            .iter()
            .map(|r| r.0[lo..hi].iter().sum::<f64>() / (hi - lo) as f64)
            .collect();
        let q: Vec<f64> = res
            .iter()
            .map(|r| r.1[lo..hi].iter().sum::<f64>() / (hi - lo) as f64)
            .collect();
        let (m, se) = mean_se(&per);
        let (qm, qse) = mean_se(&q);
        println!("sweeps {lo}-{hi}: eps_t {m:.4} ± {se:.4}   q {qm:.4} ± {qse:.4}");
    }
    let half = sweeps / 2;
    let last = |i: usize| -> Vec<f64> {
        res.iter()
            .map(|r| {
                let v = match i {
                    0 => &r.0,
                    1 => &r.1,
                    _ => &r.2,
                };
                if v.is_empty() {
                    f64::NAN
                } else {
                    v[half..].iter().sum::<f64>() / (v.len() - half) as f64
                }
            })
            .collect()
    };
    println!(
        "second half: eps_t {:?} q {:?} eps_g {:?}",
        mean_se(&last(0)),
        mean_se(&last(1)),
        mean_se(&last(2))
    );
    let taus: Vec<f64> = res.iter().map(|r| r.3).collect();
    println!("tau_int(energy) per seed {taus:.1?}");
    if l > 1 {
        let a: Vec<f64> = (0..l - 1)
            .map(|k| {
                res.iter()
                    .map(|r| r.4[k].1 as f64 / r.4[k].0.max(1) as f64)
                    .sum::<f64>()
                    / res.len() as f64
            })
            .collect();
        println!("ladder {betas:.3?}\nswap acceptance {a:.2?}");
    }
}
