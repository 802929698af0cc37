//! Dense uniform grids (6–10 bits and more): the Euler–Maclaurin sums of `quantreplica::lattice`
//! that replace the sums over every level (the finite-β posterior near the grid's ends) and over
//! every cell (β = ∞), against those sums taken directly, level by level and cell by cell, in
//! this file — across bit counts, widths, fields and teachers, extreme ones included — and one
//! 8-bit RS point against a 30-digit fixed point.

use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rs::{self, zero, SolverOptions};

/// `Φ(x)` and `1 − Φ(x)`, each from its own tail (pxfm's correctly rounded erfc), and `φ`.
fn cdf(x: f64) -> f64 {
    0.5 * pxfm::f_erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}
fn ccdf(x: f64) -> f64 {
    0.5 * pxfm::f_erfc(x * std::f64::consts::FRAC_1_SQRT_2)
}
fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// `(log Z, mean, var)` of `p(s) ∝ exp(−a s²/2 + h s)` over every level (log-sum-exp).
fn direct_moments(v: &[f64], a: f64, h: f64) -> (f64, f64, f64) {
    let e: Vec<f64> = v.iter().map(|s| -0.5 * a * s * s + h * s).collect();
    let mx = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = e.iter().map(|x| (x - mx).exp()).collect();
    let z: f64 = w.iter().sum();
    let mean = v.iter().zip(&w).map(|(s, w)| s * w).sum::<f64>() / z;
    let var = v
        .iter()
        .zip(&w)
        .map(|(s, w)| (s - mean).powi(2) * w)
        .sum::<f64>()
        / z;
    (mx + z.ln(), mean, var)
}

#[test]
fn posterior_moments_on_dense_grids_match_the_sums_over_every_level() {
    let mut checked = 0;
    for bits in 6..=10 {
        for width in [0.5, 3.9, 20.0] {
            let l = LevelSet::uniform(bits, width).unwrap();
            let v = l.values();
            let d = l.spacing().expect("a uniform grid");
            // Spacings in posterior standard deviations √a d from very dense to the largest the
            // fast path takes (0.15) and beyond.
            for delta in [1e-3, 0.01, 0.05, 0.1, 0.149, 0.3] {
                let a = (delta / d).powi(2);
                let sd = 1.0 / a.sqrt();
                // Posterior centres: the middle, inside near each end, at the ends, outside.
                let mut cs = vec![0.0, 0.3 * width];
                for off in [-40.0, -8.0, -3.0, -0.5, 0.0, 0.5, 2.0, 5.0, 20.0, 1e3] {
                    cs.push(width + off * sd);
                    cs.push(-width - off * sd);
                }
                for c in cs {
                    let h = a * c;
                    let m = l.moments(a, h);
                    let (lz, mean, var) = direct_moments(v, a, h);
                    let msg =
                        format!("b={bits} w={width} δ={delta} c={c}: {m:?} vs {lz} {mean} {var}");
                    assert!((m.log_z - lz).abs() <= 1e-12 * (1.0 + lz.abs()), "{msg}");
                    assert!((m.mean - mean).abs() <= 1e-12 * (width + sd), "{msg}");
                    // Levels below e^{−40} of the mode's weight are dropped by design.
                    assert!((m.var - var).abs() <= 1e-11 * var + 1e-16 * d * d, "{msg}");
                    let (mu, vv) = l.mean_var(a, h);
                    assert_eq!((mu, vv), (m.mean, m.var), "{msg}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1500);
}

/// The β = ∞ averages `(E[w0 ŝ], E[ŝ²], κ)` cell by cell: `P_k` as differences of `Φ` (or of
/// `Φc` above the component's mean), `E[w0; cell] = μ P_k + (v/τ)(φ_{k−1} − φ_k)`.
fn direct_cells(model: &Model, v: &[f64], e: f64, r: f64) -> (f64, f64, f64) {
    let lp = if model.ridge > 0.0 {
        model.ridge / (model.alpha * r)
    } else {
        0.0
    };
    let edges: Vec<f64> = v
        .windows(2)
        .map(|w| (1.0 + lp) * 0.5 * (w[0] + w[1]))
        .collect();
    let (mut m, mut q, mut dens) = (0.0, 0.0, 0.0);
    for c in model.teacher.components() {
        let tau = (c.var + e / model.alpha).sqrt();
        let z: Vec<f64> = edges.iter().map(|t| (t - c.mean) / tau).collect();
        for k in 0..v.len() {
            let (za, zb) = (
                if k == 0 { f64::NEG_INFINITY } else { z[k - 1] },
                if k == v.len() - 1 {
                    f64::INFINITY
                } else {
                    z[k]
                },
            );
            let p = if za >= 0.0 {
                ccdf(za) - ccdf(zb)
            } else {
                cdf(zb) - cdf(za)
            };
            let f = c.mean * p + c.var / tau * (pdf(za) - pdf(zb));
            q += c.weight * v[k] * v[k] * p;
            m += c.weight * v[k] * f;
        }
        for (k, zk) in z.iter().enumerate() {
            dens += c.weight * (v[k + 1] - v[k]) * pdf(*zk) / tau;
        }
    }
    (m, q, dens / model.alpha)
}

#[test]
fn zero_temperature_cells_on_dense_grids_match_the_sums_over_every_cell() {
    let teachers = [
        TeacherPrior::gaussian(1.0).unwrap(),
        TeacherPrior::gaussian(0.01).unwrap(),
        TeacherPrior::binary(1.0).unwrap(),
        TeacherPrior::sparse(0.3, 2.0).unwrap(),
        TeacherPrior::discrete(&[-1.0, 0.0, 2.5], Some(&[0.3, 0.5, 0.2])).unwrap(),
    ];
    let mut checked = 0;
    for bits in 6..=10 {
        for width in [0.5, 3.0, 8.0] {
            let l = LevelSet::uniform(bits, width).unwrap();
            for t in &teachers {
                for ridge in [0.0, 0.3] {
                    let model = Model::new(
                        2.0,
                        0.1,
                        f64::INFINITY,
                        ridge,
                        Student::Discrete(l.clone()),
                        t.clone(),
                    )
                    .unwrap();
                    // Effective noise from nearly none (a point-mass teacher's cells far
                    // coarser than its spread: summed cell by cell) to very large.
                    for e in [1e-8, 1e-3, 0.05, 0.3, 3.0, 1e3] {
                        for r in [1.0, 0.4] {
                            let av = zero::averages(&model, &l, e, r);
                            let (m, q, kappa) = direct_cells(&model, l.values(), e, r);
                            let msg = format!(
                                "b={bits} w={width} {} λ={ridge} E={e} r={r}: {av:?} vs {m} {q} {kappa}",
                                t.name
                            );
                            assert!((av.m - m).abs() <= 1e-13 * (1.0 + m.abs()), "{msg}");
                            assert!((av.q - q).abs() <= 1e-13 * (1.0 + q), "{msg}");
                            assert!((av.kappa - kappa).abs() <= 1e-13 * (1.0 + kappa), "{msg}");
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 5 * 3 * 5 * 2 * 6 * 2);
}

#[test]
fn eight_bit_ground_state_matches_a_thirty_digit_fixed_point() {
    // The β = ∞ map of docs/theory.md §4 iterated to 1e-25 in 30-digit arithmetic (mpmath,
    // levels −3 + k·6/255 as the code forms them in double, α = 2, σ² = 0.1, Gaussian teacher):
    // m = 0.9957704299715604, q = 1.091441415791034, χ = 0.99157648777794938,
    // ε_g = 0.09990055584791318, ε_t = 0.050398779680205307. The sum over every cell with
    // statrs' erfc (before the Euler–Maclaurin sums) gave ε_g = 0.09990055591383151, 7e-10
    // off; the solver's own tolerance is 1e-12.
    let l = LevelSet::uniform(8, 3.0).unwrap();
    let model = Model::new(
        2.0,
        0.1,
        f64::INFINITY,
        0.0,
        Student::Discrete(l),
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap();
    let r = rs::solve(&model, &SolverOptions::default());
    assert!(r.converged);
    let s = r.equilibrium;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-11 * b.abs();
    assert!(close(s.q, 1.091441415791034), "q {}", s.q);
    assert!(close(s.m, 0.9957704299715604), "m {}", s.m);
    assert!(
        close(s.gen_error, 0.09990055584791318),
        "ε_g {}",
        s.gen_error
    );
    assert!(close(s.chi, 0.991_576_487_777_949_4), "χ {}", s.chi);
    assert!(
        close(s.train_error, 0.050_398_779_680_205_31),
        "ε_t {}",
        s.train_error
    );
}
