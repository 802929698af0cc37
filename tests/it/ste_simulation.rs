//! Theory of online STE-SGD against the finite-N simulation: N = 3000, 10 seeds, within
//! 3 standard errors at every reported time, b = 1, 2, 3, widths ω*/2, ω*, 2ω* (ω* the
//! α → ∞, σ² = 0 optimal width: `quantreplica optimal-width --bits B --alpha 1000 --noise 0`,
//! Max's quantizer), with and without label noise. Budget: times 0.5 and 1.5 at η = 1 (most of
//! the drop from ε_g(0) towards the floor happens there); longer horizons, 40 seeds, are in
//! docs/ste.md. Each configuration has its own seed streams (base 15, the issue number, fixed
//! before the first run), so the 36 comparisons are independent; with 10 seeds the standardized
//! difference follows Student's t with 9 degrees of freedom, P(|t| > 3) = 1.5 % per point.

use quantreplica::model::{LevelSet, Student, TeacherPrior};
use quantreplica::ste::{simulate, theory, Dynamics, FpOptions, SimOptions, SteOptions};

const OMEGA_STAR: [f64; 3] = [0.797_739_546_7, 1.493_441_226_5, 2.051_029_607_9];

#[test]
fn theory_matches_online_simulation_within_three_standard_errors() {
    let times = [0.5, 1.5];
    let mut config = 0u64;
    let mut worst: f64 = 0.0;
    let mut failures = Vec::new();
    for bits in 1..=3u32 {
        for factor in [0.5, 1.0, 2.0] {
            for noise in [0.0, 0.25] {
                let width = factor * OMEGA_STAR[bits as usize - 1];
                let s = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
                let opts = SteOptions {
                    lr: 1.0,
                    ..SteOptions::default()
                };
                let d =
                    Dynamics::new(s, TeacherPrior::gaussian(1.0).unwrap(), noise, opts).unwrap();
                let th = theory(&d, &times, &FpOptions::default().refined(0.5)).unwrap();
                config += 1;
                let sim = SimOptions {
                    n: 3000,
                    seeds: 10,
                    seed: 15_000 + config,
                };
                let sm = simulate(&d, &times, &sim).unwrap();
                for (j, p) in th.points.iter().enumerate() {
                    let (m, se) = (sm.gen_error.mean[j], sm.gen_error.stderr[j]);
                    let z = (m - p.gen_error) / se;
                    worst = worst.max(z.abs());
                    if z.abs() > 3.0 {
                        failures.push(format!(
                            "b {bits} w {width:.3} noise {noise} t {}: theory {:.5} sim {m:.5} ± {se:.5} (z {z:.2})",
                            p.time, p.gen_error
                        ));
                    }
                }
            }
        }
    }
    eprintln!("largest |z| = {worst:.2}");
    assert!(failures.is_empty(), "{failures:#?}");
}
