//! Theory of online STE-SGD against the finite-N simulation: N = 3000, 10 seeds, within
//! 3 standard errors at every reported time, b = 1, 2, 3, widths ω*/2, ω*, 2ω* (ω* the
//! α → ∞, σ² = 0 optimal width: `quantreplica optimal-width --bits B --alpha 1000 --noise 0`,
//! Max's quantizer), with and without label noise. Budget: times 0.5 and 1.5 at η = 1 (most of
//! the drop from ε_g(0) towards the floor happens there); longer horizons, 40 seeds, are in
//! docs/ste.md. Each configuration has its own seed streams (base 15, the issue number, fixed
//! before the first run), so the 36 comparisons are independent; with 10 seeds the standardized
//! difference follows Student's t with 9 degrees of freedom, P(|t| > 3) = 1.5 % per point.

use quantreplica::model::{LevelSet, Student, TeacherPrior};
use quantreplica::parallel::{in_pool, watched, Watch};
use quantreplica::ste::{simulate, theory, Dynamics, FpOptions, SimOptions, SteOptions};
use quantreplica::Error;

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

fn two_bit_dynamics() -> Dynamics {
    let s = Student::Discrete(LevelSet::uniform(2, 1.0).unwrap());
    Dynamics::new(
        s,
        TeacherPrior::gaussian(1.0).unwrap(),
        0.1,
        SteOptions::default(),
    )
    .unwrap()
}

/// The seeds run as a cancellable map now; an uncancelled simulation gives bit for bit what the
/// rayon loop gave before (the means recorded from `ste-dynamics --beta inf --bits 2 --width 1
/// --time 0:1:5 --n 200 --seeds 3 --seed 7 --json` at 70b40c4: noise 0.1, η = 0.5), on 1
/// thread and on 3.
#[test]
fn uncancelled_simulation_is_unchanged_on_any_thread_count() {
    let d = two_bit_dynamics();
    let times = [0.0, 0.25, 0.5, 0.75, 1.0];
    let sim = SimOptions {
        n: 200,
        seeds: 3,
        seed: 7,
    };
    let gen = [
        1.502425067280215,
        1.2966025886875203,
        1.1853292515746607,
        1.0567297549832793,
        0.9083010671449037,
    ];
    let latent = [
        1.9621794514448119,
        1.6458913426160688,
        1.4062994748484803,
        1.2582936743290771,
        1.067837825190116,
    ];
    for threads in [1, 3] {
        let s = in_pool(Some(threads), || simulate(&d, &times, &sim))
            .unwrap()
            .unwrap();
        assert_eq!(s.gen_error.mean, gen, "{threads} threads");
        assert_eq!(s.latent_error.mean, latent, "{threads} threads");
        assert_eq!(s.gen_error.stderr[4], 0.07809912802776355);
    }
}

/// Under a cancelled watch no seed starts: the simulation is an `Interrupted` error, with no
/// recorded time counted (the old rayon loop ran outside the watch and returned a result).
#[test]
fn a_simulation_under_a_cancelled_watch_does_not_start() {
    let d = two_bit_dynamics();
    let sim = SimOptions {
        n: 500,
        seeds: 4,
        seed: 1,
    };
    let w = Watch::new();
    w.cancel();
    let r = in_pool(Some(2), || {
        watched(&w, || simulate(&d, &[0.0, 5.0, 10.0], &sim))
    })
    .unwrap();
    assert_eq!(r.unwrap_err(), Error::Interrupted);
    assert_eq!(w.progress(), (0, 12));
}

/// A cancellation while a seed runs stops it at its next step: once the first recorded time is
/// counted the watch is cancelled, and the simulation (1000 weights to t = 1000, about 10^9
/// updates) returns `Interrupted` with almost all of its recorded times never reached.
#[test]
fn cancelling_a_running_simulation_stops_its_seeds() {
    let d = two_bit_dynamics();
    let sim = SimOptions {
        n: 1000,
        seeds: 1,
        seed: 3,
    };
    let times: Vec<f64> = (0..=100).map(|k| 10.0 * k as f64).collect();
    let w = Watch::new();
    let r = std::thread::scope(|s| {
        let canceller = s.spawn(|| {
            while w.progress().0 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            w.cancel();
        });
        let r = watched(&w, || simulate(&d, &times, &sim));
        canceller.join().unwrap();
        r
    });
    assert_eq!(r.unwrap_err(), Error::Interrupted);
    let (done, total) = w.progress();
    assert_eq!(total, 101);
    assert!(
        done < 50,
        "{done} of {total} recorded times after the cancel"
    );
}
