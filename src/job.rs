//! The size of each job as a [`Cost`], stated from the job's own counts as the library sees
//! them, so that the command line (`src/cli/cost.rs`, which only reads its flags) and the Python
//! module check the same estimate before starting. The [`Front`] that asks names the arguments
//! in a refusal: `--n 20000` on the command line, `n=20000` in Python.
//!
//! ```
//! use quantreplica::job::{self, Front, Instances};
//! let inst = Instances::Generated { m: 40_000, n: 20_000 };
//! let c = job::gibbs(Front::Python, inst, 4, 100_000_000, 500, 1, 2);
//! let e = c.check_with(false, Some(1 << 40)).unwrap_err().to_string();
//! assert!(e.starts_with("n=20000 (M x N = 40000 x 20000), sweeps=100000000"), "{e}");
//! assert!(e.ends_with("pass force=True"), "{e}");
//! ```

use crate::budget::{bytes, unit, Cost};
use crate::experiments::scaling_law::ScalingLawSpec;
use crate::experiments::sgd::{QuantizeSpec, SgdSpec};
use crate::experiments::shrinkage::ShrinkageSpec;

pub use crate::budget::Front;

/// A value cut to 60 characters: an axis given in Python as an array is as long as its
/// values' text.
fn short(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// An RS sweep (or, with `rsb`, a 1RSB sweep) of `points` grid points over `axes`
/// (`PARAM=SPEC` each, outermost first) on `threads` threads.
pub fn sweep(front: Front, axes: &[String], points: usize, rsb: bool, threads: usize) -> Cost {
    let what = match front {
        Front::Cli => front.args(
            &axes
                .iter()
                .map(|a| front.arg("over", a))
                .collect::<Vec<_>>(),
        ),
        Front::Python => format!(
            "over={{{}}} ({points} points)",
            axes.iter().map(|a| short(a)).collect::<Vec<_>>().join(", ")
        ),
    };
    let n = points as f64;
    let cost = if rsb {
        crate::budget::rsb_points(what, n, threads)
    } else {
        crate::budget::rs_points(what, n, threads)
    };
    cost.for_front(front)
}

/// `transitions` along an axis `over` of `values` values: a grid scan with bisections and the
/// continuation, about four RS points per value, on one thread.
pub fn transitions(front: Front, over: &str, values: usize) -> Cost {
    crate::budget::rs_points(front.arg("over", short(over)), 4.0 * values as f64, 1)
        .for_front(front)
}

/// A phase diagram of `nx × ny` cells on the axes `x` and `y` (`PARAM=SPEC`), with a 1RSB point
/// per cell when `rsb`, on `threads` threads.
pub fn phase_diagram(
    front: Front,
    (x, nx): (&str, usize),
    (y, ny): (&str, usize),
    rsb: bool,
    threads: usize,
) -> Cost {
    let what = front.args(&[front.arg("x_axis", short(x)), front.arg("y_axis", short(y))]);
    crate::budget::phase_cells(what, nx as f64 * ny as f64, rsb, threads).for_front(front)
}

/// Learning curves at `alphas` α values for `bits` bit counts and three widths each (plus the
/// optimal widths), on `threads` threads.
pub fn double_descent(front: Front, bits: usize, alphas: usize, threads: usize) -> Cost {
    let what = front.args(&[
        front.arg("bits", format!("({bits} values)")),
        front.arg("alphas", format!("({alphas} values)")),
    ]);
    let points = 3.0 * bits as f64 * alphas as f64 + 200.0 * bits as f64;
    // A curve keeps three numbers per point, not a sweep's row.
    Cost::new(
        what,
        points * 64.0,
        points * unit::RS_POINT / threads.max(1) as f64,
    )
    .for_front(front)
}

/// The instances of a finite-size simulation (`amp`, `gibbs`, `qat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instances {
    /// Drawn from the model: `n` weights, `m = round(αn)` samples.
    Generated {
        /// Samples M.
        m: usize,
        /// Weights N.
        n: usize,
    },
    /// The user's data `X` (`m × n`).
    Data {
        /// Rows of X.
        m: usize,
        /// Columns of X.
        n: usize,
    },
}

impl Instances {
    fn size(self) -> (f64, f64) {
        match self {
            Instances::Generated { m, n } | Instances::Data { m, n } => (m as f64, n as f64),
        }
    }

    fn what(self, front: Front) -> String {
        match self {
            Instances::Generated { m, n } => {
                format!("{} (M x N = {m} x {n})", front.arg("n", n))
            }
            Instances::Data { m, n } => match front {
                Front::Cli => format!("--x (M x N = {m} x {n})"),
                Front::Python => format!("X (M x N = {m} x {n})"),
            },
        }
    }
}

/// Runs on `seeds` instances, each making `passes` passes over the `M × N` entries and holding
/// `copies` matrices, `what` naming the instances and the other counts.
fn matrix_job(
    what: String,
    inst: Instances,
    seeds: usize,
    passes: f64,
    copies: f64,
    threads: usize,
) -> Cost {
    let (m, n) = inst.size();
    crate::budget::matrix_runs(what, m, n, seeds as f64, passes, copies, threads)
}

/// AMP with state evolution: `seeds` runs of at most `max_iter` iterations (two matvecs each,
/// twice that and a second matrix with `full_variance`).
pub fn amp(
    front: Front,
    inst: Instances,
    seeds: usize,
    max_iter: usize,
    full_variance: bool,
    threads: usize,
) -> Cost {
    let copies = if full_variance { 2.0 } else { 1.0 };
    let what = format!(
        "{}, {}, {}",
        inst.what(front),
        front.arg("max_iter", max_iter),
        front.arg("seeds", seeds)
    );
    matrix_job(
        what,
        inst,
        seeds,
        2.0 * copies * max_iter as f64,
        copies,
        threads,
    )
    .for_front(front)
}

/// Instances in memory at once: one per thread, at most one per seed.
fn at_once(seeds: usize, threads: usize) -> f64 {
    seeds.min(threads.max(1)).max(1) as f64
}

/// Gibbs sampling: `seeds` runs of `sweeps + burn_in` sweeps at `temperatures` temperatures (two
/// replicas each), keeping one overlap per measured sweep.
pub fn gibbs(
    front: Front,
    inst: Instances,
    seeds: usize,
    sweeps: usize,
    burn_in: usize,
    temperatures: usize,
    threads: usize,
) -> Cost {
    let what = format!(
        "{}, {}, {}",
        inst.what(front),
        front.args(&[
            front.arg("sweeps", sweeps),
            front.arg("burn_in", burn_in),
            front.arg("temperatures", temperatures),
        ]),
        front.arg("seeds", seeds)
    );
    let passes = 2.0 * temperatures.max(1) as f64 * (sweeps as f64 + burn_in as f64);
    let mut c = matrix_job(what, inst, seeds, passes, 1.0, threads);
    c.bytes += at_once(seeds, threads) * sweeps as f64 * bytes::F64;
    c.for_front(front)
}

/// Quantization-aware training: `seeds` runs of `epochs` epochs (a forward and a backward pass
/// each; latent and quantized weights; a record of a few numbers per epoch).
pub fn qat(front: Front, inst: Instances, seeds: usize, epochs: usize, threads: usize) -> Cost {
    let what = format!(
        "{}, {}, {}",
        inst.what(front),
        front.arg("epochs", epochs),
        front.arg("seeds", seeds)
    );
    let mut c = matrix_job(what, inst, seeds, 2.0 * epochs as f64, 2.0, threads);
    c.bytes += at_once(seeds, threads) * epochs as f64 * 64.0;
    c.for_front(front)
}

fn problem_what(front: Front, p: &SgdSpec) -> String {
    front.args(&[
        front.arg("d", p.d),
        front.arg("steps", p.steps),
        front.arg("batch", p.batch),
        front.arg("runs", p.runs),
    ])
}

/// Low-precision SGD (`sgd`): `runs` Monte Carlo runs (one recursion with `no_sim`).
pub fn sgd(front: Front, p: &SgdSpec, q: &QuantizeSpec, threads: usize) -> Cost {
    let runs = if q.no_sim { 1.0 } else { p.runs as f64 };
    crate::budget::sgd_runs(
        problem_what(front, p),
        p.d as f64,
        p.steps as f64,
        p.batch as f64,
        runs,
        threads,
    )
    .for_front(front)
}

/// Non-empty names of a list (the experiments skip blank entries).
fn named(v: &[String]) -> usize {
    v.iter().filter(|s| !s.trim().is_empty()).count()
}

/// Gradient shrinkage (`shrinkage`): the runs of `sgd` for every factor q, uncompensated and
/// compensated, and for every format.
pub fn shrinkage(front: Front, p: &SgdSpec, s: &ShrinkageSpec, threads: usize) -> Cost {
    let settings = 2 * s.qs.len().max(1) + named(&s.formats);
    crate::budget::sgd_runs(
        format!("{} over {settings} settings", problem_what(front, p)),
        p.d as f64,
        p.steps as f64,
        p.batch as f64,
        (p.runs * settings) as f64,
        threads,
    )
    .for_front(front)
}

/// The precision scaling law (`scaling-law`): one grid for full precision and one per ε and
/// scheme; in each, for every sketch size M and each of `sketches` sketches, the M × d sketch
/// drawn (one per thread at once) and `runs` SGD runs of `max(ns)` steps of `batch` samples of
/// dimension M (the rotation-invariant grids' exact recursion instead is counted as runs too).
pub fn scaling_law(front: Front, s: &ScalingLawSpec, threads: usize) -> Cost {
    let m_max = s.ms.iter().copied().max().unwrap_or(0) as f64;
    let m_sum: f64 = s.ms.iter().map(|&m| m as f64).sum();
    let n_max = s.ns.iter().copied().max().unwrap_or(0) as f64;
    let settings = 1.0 + s.eps.len() as f64 * named(&s.schemes) as f64;
    let d = s.d as f64;
    let threads = threads.max(1) as f64;
    let list = |v: &[usize]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let what = front.args(&[
        front.arg("d", s.d),
        front.arg("ms", short(&list(&s.ms))),
        front.arg("ns", short(&list(&s.ns))),
        front.arg("sketches", s.sketches),
        front.arg("runs", s.runs),
    ]);
    let seconds = settings
        * s.sketches.max(1) as f64
        * (m_sum * d + n_max * s.batch as f64 * m_sum * s.runs.max(1) as f64)
        * unit::SGD_COORD
        / threads;
    let mem = 8.0 * d + threads * m_max * d * bytes::F64;
    Cost::new(what, mem, seconds).for_front(front)
}

/// Adaptive stochastic quantization of `d` values (drawn with `--d` on the command line, the
/// array `x` in Python).
pub fn asq(front: Front, d: usize) -> Cost {
    let what = match front {
        Front::Cli => front.arg("d", d),
        Front::Python => format!("x ({d} values)"),
    };
    crate::budget::asq_values(what, d as f64).for_front(front)
}

/// Stochastic rounding of `d` values (the values, the result, a float32 copy).
pub fn stochastic_round(front: Front, d: usize) -> Cost {
    let what = match front {
        Front::Cli => front.arg("d", d),
        Front::Python => format!("x ({d} values)"),
    };
    Cost::new(
        what,
        3.0 * d as f64 * bytes::F64,
        d as f64 * unit::ROUND_VALUE,
    )
    .for_front(front)
}

/// The online STE simulation: `seeds` runs of `t_max · n` steps over `n` weights (four vectors
/// of `n` per run in flight). `time` is the time grid as given (`T0:T1:COUNT`), if text.
pub fn ste_simulation(
    front: Front,
    n: usize,
    seeds: usize,
    time: Option<&str>,
    t_max: f64,
    threads: usize,
) -> Cost {
    let time = match time {
        Some(t) => front.arg("time", short(t)),
        None => front.arg("time", format!("(up to {t_max})")),
    };
    let what = front.args(&[front.arg("n", n), front.arg("seeds", seeds), time]);
    let at_once = at_once(seeds, threads);
    let (seeds, nf) = (seeds as f64, n as f64);
    Cost::new(
        what,
        at_once * 4.0 * nf * bytes::F64,
        seeds * t_max.abs() * nf * nf * unit::STE_WEIGHT_STEP / at_once,
    )
    .for_front(front)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    #[test]
    fn fronts_name_arguments_their_own_way() {
        assert_eq!(Front::Cli.arg("burn_in", 5), "--burn-in 5");
        assert_eq!(Front::Python.arg("burn-in", 5), "burn_in=5");
        let axes = ["alpha=0.1:5:5000".to_string(), "width=0.5:2:5000".into()];
        let cli = sweep(Front::Cli, &axes, 25_000_000, false, 2);
        let e = cli
            .check_with(false, Some(16 * GIB))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--over alpha=0.1:5:5000 --over width=0.5:2:5000: needs about"),
            "{e}"
        );
        let py = sweep(Front::Python, &axes, 25_000_000, false, 2);
        let e = py
            .check_with(false, Some(16 * GIB))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("over={alpha=0.1:5:5000, width=0.5:2:5000} (25000000 points): needs"),
            "{e}"
        );
    }

    #[test]
    fn long_values_are_cut() {
        let long = format!("alpha={}", vec!["0.5"; 1000].join(","));
        let c = transitions(Front::Python, &long, 1000);
        assert!(c.what.chars().count() < 80, "{}", c.what);
        assert!(c.what.ends_with('…'));
    }

    #[test]
    fn the_time_refusal_names_the_fronts_override() {
        let inst = Instances::Generated { m: 400, n: 200 };
        for (front, hint) in [(Front::Cli, "--force"), (Front::Python, "force=True")] {
            // 16 GB of overlaps and 11 days.
            let c = gibbs(front, inst, 4, 1_000_000_000, 500, 1, 2);
            let e = c.check_with(false, Some(64 * GIB)).unwrap_err().to_string();
            assert!(e.ends_with(&format!("ask for less or pass {hint}")), "{e}");
            assert!(c.check_with(true, Some(64 * GIB)).is_ok());
            let e = c.check_with(true, Some(GIB)).unwrap_err().to_string();
            assert!(e.contains("of memory"), "{e}");
        }
    }

    #[test]
    fn estimates_scale_with_the_counts() {
        // The per-unit costs times the counts, nothing hidden: one more seed is one more run.
        let inst = Instances::Data { m: 1000, n: 500 };
        let one = qat(Front::Cli, inst, 1, 60, 1);
        let two = qat(Front::Cli, inst, 2, 60, 1);
        assert!((two.seconds / one.seconds - 2.0).abs() < 1e-12);
        assert_eq!(
            one.seconds,
            2.0 * 60.0 * 1000.0 * 500.0 * unit::MATRIX_ENTRY
        );
        let p = SgdSpec {
            d: 1000,
            steps: 100,
            runs: 8,
            ..SgdSpec::default()
        };
        let q = QuantizeSpec::default();
        let c = sgd(Front::Cli, &p, &q, 1);
        assert_eq!(c.seconds, 8.0 * 100.0 * 1000.0 * unit::SGD_COORD);
        let mut no_sim = q.clone();
        no_sim.no_sim = true;
        assert_eq!(sgd(Front::Cli, &p, &no_sim, 1).seconds, c.seconds / 8.0);
        assert_eq!(asq(Front::Cli, 1000).bytes, 32_000.0 + bytes::BASE);
    }

    /// Coordinate-samples of low-precision SGD counted by walking the loops of
    /// `lowprec::sgd::simulate` (runs, then `1..=steps`, then the batch's samples, then the
    /// coordinates), one per innermost iteration.
    fn sgd_work(runs: usize, steps: usize, batch: usize, d: usize) -> f64 {
        let mut count = 0u64;
        for _run in 0..runs {
            for _it in 1..=steps {
                for _j in 0..batch {
                    for _i in 0..d {
                        count += 1;
                    }
                }
            }
        }
        count as f64
    }

    /// The work of a cost on one thread in coordinate-samples.
    fn coords(c: &Cost) -> f64 {
        c.seconds / unit::SGD_COORD
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs()
    }

    fn problem(d: usize, steps: usize, batch: usize, runs: usize) -> SgdSpec {
        SgdSpec {
            d,
            steps,
            batch,
            runs,
            ..SgdSpec::default()
        }
    }

    #[test]
    fn sgd_cost_is_the_solvers_coordinate_samples() {
        for (d, steps, batch, runs) in [(3, 5, 1, 1), (7, 4, 3, 2), (16, 9, 2, 5), (1, 1, 1, 1)] {
            let p = problem(d, steps, batch, runs);
            let q = QuantizeSpec::default();
            let c = sgd(Front::Cli, &p, &q, 1);
            assert!(close(coords(&c), sgd_work(runs, steps, batch, d)), "{p:?}");
            // Without the simulation: one exact recursion, counted as one run.
            let no_sim = QuantizeSpec {
                no_sim: true,
                ..QuantizeSpec::default()
            };
            let c = sgd(Front::Cli, &p, &no_sim, 1);
            assert!(close(coords(&c), sgd_work(1, steps, batch, d)), "{p:?}");
            // Runs in flight share the threads: the wall time divides by min(runs, threads).
            let c4 = sgd(Front::Cli, &p, &q, 4);
            let at_once = runs.min(4) as f64;
            assert!(close(
                coords(&c4) * at_once,
                sgd_work(runs, steps, batch, d)
            ));
            assert_eq!(c4.bytes, at_once * 16.0 * d as f64 * 8.0 + bytes::BASE);
        }
    }

    /// `experiments::shrinkage::run` simulates once per factor q uncompensated, once per q
    /// compensated, and once per non-blank format, each `runs` runs of the problem.
    #[test]
    fn shrinkage_cost_counts_every_simulation_the_experiment_runs() {
        let p = problem(5, 6, 2, 3);
        for (qs, formats) in [
            (vec![1.0], vec![]),
            (
                vec![1.0, 0.5, 0.25],
                vec!["e4m3".to_string(), "e5m2".into()],
            ),
            (vec![0.5], vec!["bf16".to_string(), " ".into()]),
        ] {
            let s = ShrinkageSpec {
                qs: qs.clone(),
                formats: formats.clone(),
                ..ShrinkageSpec::default()
            };
            let mut work = 0.0;
            for _compensate in [false, true] {
                for _q in &qs {
                    work += sgd_work(p.runs, p.steps, p.batch, p.d);
                }
            }
            for _f in formats.iter().filter(|f| !f.trim().is_empty()) {
                work += sgd_work(p.runs, p.steps, p.batch, p.d);
            }
            let c = shrinkage(Front::Cli, &p, &s, 1);
            assert!(
                close(coords(&c), work),
                "{qs:?} {formats:?}: {} vs {work}",
                coords(&c)
            );
        }
    }

    /// `experiments::scaling_law::run` computes one grid for full precision and one per ε and
    /// non-blank scheme; each grid calls `lowprec::sketch::sketched_risk` per sketch size M,
    /// which per sketch draws an M × d sketch and runs `runs` SGD runs of `max(ns)` steps of
    /// `batch` samples of dimension M.
    #[test]
    fn scaling_law_cost_counts_every_grid_sketch_and_run() {
        let base = ScalingLawSpec::default();
        for (ms, ns, eps, schemes, sketches, runs) in [
            (vec![4], vec![10], vec![0.1], vec!["add".to_string()], 1, 1),
            (
                vec![4, 8, 16],
                vec![100, 30, 300],
                vec![0.1, 0.2],
                vec!["add".to_string(), "mult".into(), "".into()],
                3,
                2,
            ),
        ] {
            let s = ScalingLawSpec {
                d: 64,
                batch: 2,
                ms: ms.clone(),
                ns: ns.clone(),
                eps: eps.clone(),
                schemes: schemes.clone(),
                sketches,
                runs,
                ..base.clone()
            };
            let grids = 1 + eps.len() * schemes.iter().filter(|x| !x.trim().is_empty()).count();
            let nmax = *ns.iter().max().unwrap();
            let mut work = 0.0;
            for _grid in 0..grids {
                for &m in &ms {
                    for _k in 0..sketches {
                        work += (m * s.d) as f64;
                        work += sgd_work(runs, nmax, s.batch, m);
                    }
                }
            }
            let c = scaling_law(Front::Cli, &s, 1);
            assert!(close(coords(&c), work), "{ms:?}: {} vs {work}", coords(&c));
        }
    }

    #[test]
    fn the_sgd_costs_grow_with_every_size() {
        let p = problem(100, 50, 4, 3);
        let q = QuantizeSpec::default();
        let t = |p: &SgdSpec| sgd(Front::Cli, p, &q, 1).seconds;
        let m = |p: &SgdSpec| sgd(Front::Cli, p, &q, 1).bytes;
        for bigger in [
            problem(101, 50, 4, 3),
            problem(100, 51, 4, 3),
            problem(100, 50, 5, 3),
            problem(100, 50, 4, 4),
        ] {
            assert!(t(&bigger) > t(&p), "{bigger:?}");
        }
        assert!(m(&problem(101, 50, 4, 3)) > m(&p));
        let sh = |qs: usize, formats: usize, p: &SgdSpec| {
            let s = ShrinkageSpec {
                qs: vec![0.5; qs],
                formats: vec!["e4m3".to_string(); formats],
                ..ShrinkageSpec::default()
            };
            shrinkage(Front::Cli, p, &s, 1).seconds
        };
        assert!(sh(3, 1, &p) > sh(2, 1, &p));
        assert!(sh(2, 2, &p) > sh(2, 1, &p));
        assert!(sh(2, 1, &problem(100, 51, 4, 3)) > sh(2, 1, &p));
        let sl = ScalingLawSpec {
            d: 64,
            ms: vec![4, 8],
            ns: vec![10, 20],
            eps: vec![0.1],
            schemes: vec!["add".to_string()],
            sketches: 2,
            runs: 2,
            ..ScalingLawSpec::default()
        };
        let cost = |s: &ScalingLawSpec| scaling_law(Front::Cli, s, 1);
        let base = cost(&sl);
        for bigger in [
            ScalingLawSpec {
                d: 65,
                ..sl.clone()
            },
            ScalingLawSpec {
                ms: vec![4, 9],
                ..sl.clone()
            },
            ScalingLawSpec {
                ms: vec![4, 8, 2],
                ..sl.clone()
            },
            ScalingLawSpec {
                ns: vec![10, 21],
                ..sl.clone()
            },
            ScalingLawSpec {
                eps: vec![0.1, 0.2],
                ..sl.clone()
            },
            ScalingLawSpec {
                schemes: vec!["add".to_string(), "mult".into()],
                ..sl.clone()
            },
            ScalingLawSpec {
                sketches: 3,
                ..sl.clone()
            },
            ScalingLawSpec {
                runs: 3,
                ..sl.clone()
            },
            ScalingLawSpec {
                batch: sl.batch + 1,
                ..sl.clone()
            },
        ] {
            assert!(cost(&bigger).seconds > base.seconds, "{bigger:?}");
        }
        // Memory: one M_max x d sketch per thread and a vector of d.
        assert!(
            cost(&ScalingLawSpec {
                ms: vec![4, 9],
                ..sl.clone()
            })
            .bytes
                > base.bytes
        );
        assert!(
            cost(&ScalingLawSpec {
                d: 65,
                ..sl.clone()
            })
            .bytes
                > base.bytes
        );
    }

    /// The refusals fall exactly at the stated limits: time at one day (86 400 s of 10 ns
    /// coordinate-samples, 8.64e12 of them on one thread), memory at 80 % of what is available.
    #[test]
    fn the_sgd_refusals_fall_exactly_at_the_limits() {
        let q = QuantizeSpec::default();
        let plenty = Some(1u64 << 50);
        // d = 10^6, batch 1, one run: 8 640 000 steps are the day.
        let at = |steps: usize| sgd(Front::Cli, &problem(1_000_000, steps, 1, 1), &q, 1);
        assert!(at(8_639_999).check_with(false, plenty).is_ok());
        let e = at(8_640_001)
            .check_with(false, plenty)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "--d 1000000 --steps 8640001 --batch 1 --runs 1: would take about 24.0 h"
            ),
            "{e}"
        );
        assert!(
            at(8_640_001).check_with(true, plenty).is_ok(),
            "--force lifts it"
        );
        // Memory: 16 vectors of d per run in flight plus the base; 10 GiB available allow
        // 8 GiB: d = (8 GiB - 64 MiB) / 128 exactly.
        let avail = Some(10u64 << 30);
        let d_max = ((8u64 << 30) - (64 << 20)) / 128;
        let mem = |d: u64| sgd(Front::Cli, &problem(d as usize, 1, 1, 1), &q, 1);
        assert_eq!(mem(d_max).bytes, (8u64 << 30) as f64);
        assert!(mem(d_max).check_with(false, avail).is_ok());
        let e = mem(d_max + 1)
            .check_with(true, avail)
            .unwrap_err()
            .to_string();
        assert!(e.contains("of memory"), "{e}");
        // Shrinkage and the scaling law are refused by the same check at their own counts.
        let s = ShrinkageSpec {
            qs: vec![1.0],
            formats: vec![],
            ..ShrinkageSpec::default()
        };
        // Two simulations (q = 1 uncompensated and compensated): half the steps of sgd's day.
        let sh = |steps: usize| shrinkage(Front::Cli, &problem(1_000_000, steps, 1, 1), &s, 1);
        assert!(sh(4_319_999).check_with(false, plenty).is_ok());
        assert!(sh(4_320_001).check_with(false, plenty).is_err());
    }
}
