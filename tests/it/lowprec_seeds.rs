//! The seed claims: risk flat in d for multiplicative and growing with d for additive data
//! quantization (seed 000); additive quantization saturating the risk against M earlier than
//! multiplicative (seed 001); gradient shrinkage = SGD with step μq, bit for bit, and the time to
//! a target risk scaling as 1/q (seed 003).

use quantreplica::lowprec::exact::exact_risk;
use quantreplica::lowprec::noise::{Quantizer, Sharing, Targets};
use quantreplica::lowprec::sgd::{
    run_rng, simulate, simulate_run, Averaging, Problem, SgdConfig, Shrink, StepSchedule, WStar,
};
use quantreplica::lowprec::shrinkage::time_to_target;
use quantreplica::lowprec::sketch::{sketched_risk, SketchSettings};

fn cfg(d: usize, data: Quantizer, steps: usize, step: f64) -> SgdConfig {
    let mut targets = Targets::full();
    targets.data = data;
    SgdConfig {
        problem: Problem::power_law(d, 1.5, 0.1, WStar::Power(3.0)).unwrap(),
        batch: 1,
        step,
        steps,
        schedule: StepSchedule::Constant,
        averaging: Averaging::Last,
        targets,
        shrink: None,
        grad_format: None,
    }
}

#[test]
fn seed000_risk_flat_in_d_for_multiplicative_and_growing_for_additive() {
    let eps = 0.05;
    let models = [
        (
            "mult-coord",
            Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerCoordinate,
            },
        ),
        (
            "mult-vec",
            Quantizer::Multiplicative {
                eps,
                sharing: Sharing::PerVector,
            },
        ),
        ("add", Quantizer::Additive { eps }),
    ];
    for (name, q) in models {
        let ex: Vec<Option<f64>> = [50usize, 200, 800]
            .iter()
            .map(|&d| exact_risk(&cfg(d, q, 500, 0.1), &[]).unwrap().risk)
            .collect();
        // Monte Carlo at d = 50 and 200, independent of the recursion.
        let mc: Vec<(f64, f64)> = [50usize, 200]
            .iter()
            .map(|&d| {
                let s = simulate(&cfg(d, q, 500, 0.1), 400, 5, &[]).unwrap();
                (s.excess_risk.mean.unwrap(), s.excess_risk.stderr.unwrap())
            })
            .collect();
        println!(
            "{name}: exact {ex:?}; MC d=50 {:?}, d=200 {:?}",
            mc[0], mc[1]
        );
        let diff = mc[1].0 - mc[0].0;
        let se = (mc[0].1.powi(2) + mc[1].1.powi(2)).sqrt();
        if name == "add" {
            let (r50, r200) = (ex[0].unwrap(), ex[1].unwrap());
            assert!(
                r200 > 1.5 * r50,
                "additive risk should grow with d: {r50} → {r200}"
            );
            // At d = 800 the εd part of tr(H_q) = tr H + εd makes the step unstable.
            assert!(
                ex[2].map(|r| r > 100.0 * r200).unwrap_or(true),
                "additive d=800: {:?}",
                ex[2]
            );
            assert!(
                diff > 4.0 * se,
                "MC: additive risk did not grow with d ({diff} vs se {se})"
            );
        } else {
            let (r50, r800) = (ex[0].unwrap(), ex[2].unwrap());
            assert!(
                (r800 / r50 - 1.0).abs() < 0.03,
                "{name}: risk not flat in d: {r50} → {r800}"
            );
            assert!(
                diff.abs() < 3.0 * se + 0.03 * mc[0].0,
                "MC: {name} risk moved with d ({diff}, se {se})"
            );
        }
    }
}

fn sketch_settings() -> SketchSettings {
    SketchSettings {
        d: 256,
        a: 1.5,
        sigma2: 0.05,
        batch: 1,
        step: 0.1,
        averaging: Averaging::Average,
        sketches: 2,
        runs: 400,
        seed: 3,
    }
}

#[test]
fn seed001_sketched_exact_risk_matches_monte_carlo() {
    let mut st = sketch_settings();
    st.d = 48;
    st.sketches = 2;
    st.runs = 1500;
    for q in [
        Quantizer::None,
        Quantizer::Additive { eps: 0.05 },
        Quantizer::Multiplicative {
            eps: 0.2,
            sharing: Sharing::PerVector,
        },
    ] {
        let t = Targets {
            data: q,
            ..Targets::full()
        };
        let ex = sketched_risk(&st, 8, &t, &[50, 200], false).unwrap();
        let mc = sketched_risk(&st, 8, &t, &[50, 200], true).unwrap();
        for k in 0..2 {
            let z = (ex[k].0 - mc[k].0) / mc[k].1;
            println!(
                "{q:?} N-index {k}: exact {:.5} MC {:.5} ± {:.5} (z = {z:+.2})",
                ex[k].0, mc[k].0, mc[k].1
            );
            assert!(z.abs() <= 3.0);
        }
    }
}

#[test]
fn seed001_additive_saturates_against_m_before_multiplicative() {
    let st = sketch_settings();
    let eps = 0.02;
    let ms = [8usize, 16, 32, 64, 128];
    let n = [4000usize];
    let risk_vs_m = |q: Quantizer| -> Vec<f64> {
        let t = Targets {
            data: q,
            ..Targets::full()
        };
        ms.iter()
            .map(|&m| sketched_risk(&st, m, &t, &n, false).unwrap()[0].0)
            .collect()
    };
    let fp = risk_vs_m(Quantizer::None);
    let mult = risk_vs_m(Quantizer::Multiplicative {
        eps,
        sharing: Sharing::PerVector,
    });
    let add = risk_vs_m(Quantizer::Additive { eps });
    println!("M {ms:?}\nfull {fp:?}\nmult {mult:?}\nadd  {add:?}");
    // Gain from the last doubling relative to the gain from the first: how far from saturated.
    let late_gain = |r: &[f64]| (r[ms.len() - 2] - r[ms.len() - 1]) / (r[0] - r[1]);
    let (gf, gm, ga) = (late_gain(&fp), late_gain(&mult), late_gain(&add));
    println!("late/early gain: full {gf:.3} mult {gm:.3} add {ga:.3}");
    assert!(
        gm > 0.7 * gf,
        "multiplicative should keep the full-precision M scaling"
    );
    assert!(
        ga < 0.5 * gm,
        "additive should saturate earlier ({ga} vs {gm})"
    );
    // Multiplicative keeps M: its risk at the largest M stays close to full precision.
    assert!(mult[ms.len() - 1] - fp[ms.len() - 1] < add[ms.len() - 1] - fp[ms.len() - 1]);
}

#[test]
fn seed003_constant_shrinkage_is_bitwise_sgd_with_step_mu_q() {
    let mu = 0.3;
    for q in [0.5, 0.3, 0.77] {
        let mut shr = cfg(30, Quantizer::None, 400, mu);
        shr.batch = 3;
        shr.shrink = Some(Shrink {
            q,
            noise_var: 0.0,
            compensate: false,
        });
        let mut full = shr.clone();
        full.shrink = None;
        full.step = mu * q;
        let a = simulate_run(&shr, &mut run_rng(42, 0), &[]).unwrap();
        let b = simulate_run(&full, &mut run_rng(42, 0), &[]).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.w_last), bits(&b.w_last), "q = {q}");
        assert!(a.w_last.iter().any(|&x| x != 0.0));
    }
}

#[test]
fn seed003_time_to_target_scales_as_one_over_q() {
    let mut base = cfg(20, Quantizer::None, 6000, 0.05);
    base.problem.sigma2 = 0.0;
    base.problem.wstar = vec![1.0; 20];
    let cks: Vec<usize> = (1..=600).map(|k| k * 10).collect();
    let target = 0.05 * base.problem.initial_risk();
    let time = |q: f64, compensate: bool| -> f64 {
        let mut c = base.clone();
        c.shrink = Some(Shrink {
            q,
            noise_var: 0.0,
            compensate,
        });
        let s = simulate(&c, 40, 8, &cks).unwrap();
        time_to_target(&s.checkpoints, &s.curve_mean, target).expect("target not reached")
    };
    let t1 = time(1.0, false);
    for q in [0.5, 0.25] {
        let tq = time(q, false);
        println!("q = {q}: t = {tq:.1}, t·q/t1 = {:.3}", tq * q / t1);
        assert!(
            (tq * q / t1 - 1.0).abs() < 0.1,
            "time {tq} at q = {q} vs {t1} at q = 1"
        );
        // Dividing the step by q restores the full-precision speed.
        let tc = time(q, true);
        assert!(
            (tc / t1 - 1.0).abs() < 0.05,
            "compensated time {tc} vs {t1}"
        );
    }
}
