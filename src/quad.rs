//! Globally adaptive Gauss–Kronrod (7/15) quadrature of vector-valued integrands.
//!
//! Written here rather than taken from a crate because the RS equations need several integrals
//! of the same expensive integrand (the local posterior over all levels) on one shared adaptive
//! subdivision, with user breakpoints at the steep level midpoints; the scalar integrators on
//! crates.io would evaluate the posterior once per integral.

use std::collections::BinaryHeap;

// Kronrod 15-point nodes (positive half, descending) and weights; Gauss 7-point weights on the
// odd-indexed Kronrod nodes. Values from QUADPACK's qk15.
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// Outcome of an adaptive integration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuadResult<const N: usize> {
    /// The integrals.
    pub value: [f64; N],
    /// Estimated absolute error of each integral.
    pub error: [f64; N],
    /// Integrand evaluations used.
    pub evals: usize,
    /// Whether every component met its tolerance.
    pub converged: bool,
}

/// Tolerances: component `i` is accepted when `error_i <= abs + rel * |value_i|`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Absolute tolerance.
    pub abs: f64,
    /// Relative tolerance.
    pub rel: f64,
    /// Maximum number of subintervals.
    pub max_intervals: usize,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            abs: 1e-12,
            rel: 1e-12,
            max_intervals: 4000,
        }
    }
}

/// Twice the per-piece round-off floor of the error estimate (50 ε ∫|f|).
const ROUNDOFF_FLOOR: f64 = 100.0 * f64::EPSILON;

struct Piece<const N: usize> {
    a: f64,
    b: f64,
    value: [f64; N],
    error: [f64; N],
    // ∫|f| over the piece: sets the round-off floor of its error estimate.
    abs: [f64; N],
    // Error in units of the tolerance share of this piece: the largest over components.
    badness: f64,
}

impl<const N: usize> PartialEq for Piece<N> {
    fn eq(&self, o: &Self) -> bool {
        self.badness == o.badness
    }
}
impl<const N: usize> Eq for Piece<N> {}
impl<const N: usize> PartialOrd for Piece<N> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl<const N: usize> Ord for Piece<N> {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.badness.total_cmp(&o.badness)
    }
}

fn gk15<const N: usize, F: FnMut(f64) -> [f64; N]>(
    f: &mut F,
    a: f64,
    b: f64,
) -> ([f64; N], [f64; N], [f64; N]) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let mut fv = [[0.0; N]; 15];
    fv[7] = f(c);
    for j in 0..7 {
        let x = h * XGK[j];
        fv[j] = f(c - x);
        fv[14 - j] = f(c + x);
    }
    let w = |j: usize| WGK[if j < 8 { j } else { 14 - j }];
    let mut err = [0.0; N];
    let mut out = [0.0; N];
    let mut absv = [0.0; N];
    for i in 0..N {
        let mut k = WGK[7] * fv[7][i];
        let mut g = WG[3] * fv[7][i];
        let mut abs = WGK[7] * fv[7][i].abs();
        for j in 0..7 {
            let s = fv[j][i] + fv[14 - j][i];
            k += WGK[j] * s;
            abs += WGK[j] * (fv[j][i].abs() + fv[14 - j][i].abs());
            if j % 2 == 1 {
                g += WG[j / 2] * s;
            }
        }
        let mean = 0.5 * k;
        let asc: f64 = (0..15).map(|j| w(j) * (fv[j][i] - mean).abs()).sum();
        let (k, abs, asc) = (k * h.abs(), abs * h.abs(), asc * h.abs());
        // QUADPACK's estimate: |K − G| is the error of G, far larger than that of K for smooth
        // integrands; the (200 |K − G| / resasc)^{3/2} scaling reflects K's higher order.
        let mut e = ((k - g * h.abs()) * h.signum()).abs();
        if asc != 0.0 && e != 0.0 {
            let r = 200.0 * e / asc;
            e = asc * (r * r.sqrt()).min(1.0);
        }
        if abs > f64::MIN_POSITIVE / (50.0 * f64::EPSILON) {
            e = e.max(50.0 * f64::EPSILON * abs);
        }
        out[i] = k * h.signum();
        err[i] = e;
        absv[i] = abs;
    }
    (out, err, absv)
}

/// Integrates `f` over `[points[0], points[last]]`, starting from the subdivision given by the
/// sorted `points` (put the integrand's kinks and steep fronts there), and bisecting the
/// interval with the worst error until every component meets `tol`.
pub fn integrate<const N: usize, F: FnMut(f64) -> [f64; N]>(
    mut f: F,
    points: &[f64],
    tol: Tolerance,
) -> QuadResult<N> {
    let mut heap: BinaryHeap<Piece<N>> = BinaryHeap::new();
    let mut total = [0.0; N];
    let mut total_err = [0.0; N];
    let mut total_abs = [0.0; N];
    let mut evals = 0;
    let span = (points[points.len() - 1] - points[0])
        .abs()
        .max(f64::MIN_POSITIVE);
    let mut raw = Vec::new();
    for w in points.windows(2) {
        if w[1] > w[0] {
            let (v, e, ab) = gk15(&mut f, w[0], w[1]);
            evals += 15;
            raw.push((w[0], w[1], v, e, ab));
            for i in 0..N {
                total[i] += v[i];
                total_err[i] += e[i];
                total_abs[i] += ab[i];
            }
        }
    }
    let badness = |e: &[f64; N], a: f64, b: f64, total: &[f64; N]| -> f64 {
        // Each piece may use a share of the tolerance proportional to its length.
        let share = (b - a) / span;
        (0..N)
            .map(|i| e[i] / ((tol.abs + tol.rel * total[i].abs()) * share.max(1e-300)))
            .fold(0.0, f64::max)
    };
    for (a, b, v, e, ab) in raw {
        let bad = badness(&e, a, b, &total);
        heap.push(Piece {
            a,
            b,
            value: v,
            error: e,
            abs: ab,
            badness: bad,
        });
    }
    // Each piece's estimate is floored at 50 ε ∫|f| (QUADPACK); a component whose error sits at
    // that floor cannot be improved by bisection, so it is accepted there rather than refined to
    // `max_intervals` (an integrand that changes sign can have a tiny integral and a large ∫|f|).
    let ok = |total: &[f64; N], err: &[f64; N], absv: &[f64; N]| {
        (0..N).all(|i| err[i] <= (tol.abs + tol.rel * total[i].abs()).max(ROUNDOFF_FLOOR * absv[i]))
    };
    let resum = |heap: &BinaryHeap<Piece<N>>| {
        let (mut value, mut error, mut absv) = ([0.0; N], [0.0; N], [0.0; N]);
        for p in heap.iter() {
            for i in 0..N {
                value[i] += p.value[i];
                error[i] += p.error[i];
                absv[i] += p.abs[i];
            }
        }
        (value, error, absv)
    };
    let mut stuck = false;
    loop {
        while !stuck && !ok(&total, &total_err, &total_abs) && heap.len() < tol.max_intervals {
            let Some(p) = heap.pop() else { break };
            let m = 0.5 * (p.a + p.b);
            if m <= p.a || m >= p.b {
                // The interval cannot be split further in floating point.
                heap.push(Piece { badness: 0.0, ..p });
                stuck = true;
                break;
            }
            let (v1, e1, ab1) = gk15(&mut f, p.a, m);
            let (v2, e2, ab2) = gk15(&mut f, m, p.b);
            evals += 30;
            for i in 0..N {
                total[i] += v1[i] + v2[i] - p.value[i];
                total_err[i] += e1[i] + e2[i] - p.error[i];
                total_abs[i] += ab1[i] + ab2[i] - p.abs[i];
            }
            let b1 = badness(&e1, p.a, m, &total);
            let b2 = badness(&e2, m, p.b, &total);
            heap.push(Piece {
                a: p.a,
                b: m,
                value: v1,
                error: e1,
                abs: ab1,
                badness: b1,
            });
            heap.push(Piece {
                a: m,
                b: p.b,
                value: v2,
                error: e2,
                abs: ab2,
                badness: b2,
            });
        }
        // Re-sum from the pieces to shed the round-off of the running updates; if that moves the
        // error back over the tolerance, keep refining.
        let (v, e, ab) = resum(&heap);
        (total, total_err, total_abs) = (v, e, ab);
        if stuck || ok(&total, &total_err, &total_abs) || heap.len() >= tol.max_intervals {
            break;
        }
    }
    let (value, error, absv) = (total, total_err, total_abs);
    let converged = ok(&value, &error, &absv);
    QuadResult {
        value,
        error,
        evals,
        converged,
    }
}

/// The fixed 15-point Kronrod rule on `[a, b]` and its embedded 7-point Gauss rule:
/// `(nodes, kronrod_weights, gauss_weights)`, with a zero Gauss weight at the eight nodes the
/// Gauss rule does not use. For solvers that must evaluate an expensive integrand once per
/// node (e.g. one Fokker–Planck solve per teacher value): the two weight sets give the integral
/// and an error estimate from the same evaluations.
pub fn kronrod15_rule(a: f64, b: f64) -> ([f64; 15], [f64; 15], [f64; 15]) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let mut x = [0.0; 15];
    let mut wk = [0.0; 15];
    let mut wg = [0.0; 15];
    for j in 0..7 {
        x[j] = c - h * XGK[j];
        x[14 - j] = c + h * XGK[j];
        wk[j] = h * WGK[j];
        wk[14 - j] = h * WGK[j];
        if j % 2 == 1 {
            wg[j] = h * WG[j / 2];
            wg[14 - j] = h * WG[j / 2];
        }
    }
    x[7] = c;
    wk[7] = h * WGK[7];
    wg[7] = h * WG[3];
    (x, wk, wg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_polynomial_and_step() {
        let r = integrate(
            |x| [x * x, (x > 0.3) as u8 as f64],
            &[-1.0, 0.3, 1.0],
            Tolerance::default(),
        );
        assert!((r.value[0] - 2.0 / 3.0).abs() < 1e-14);
        assert!((r.value[1] - 0.7).abs() < 1e-14);
        assert!(r.converged);
    }

    #[test]
    fn cancelling_integrand_stops_at_the_round_off_floor() {
        // ∫_{-1}^{1} sin(30x) dx = 0: the relative tolerance is unreachable, and refining to
        // `max_intervals` would only chase round-off.
        let tol = Tolerance {
            abs: 1e-18,
            rel: 1e-12,
            max_intervals: 4000,
        };
        let r = integrate(|x| [(30.0 * x).sin()], &[-1.0, 0.3, 1.0], tol);
        assert!(r.converged, "{r:?}");
        assert!(r.value[0].abs() < 1e-14, "{r:?}");
        assert!(r.evals < 2000, "{r:?}");
    }

    #[test]
    fn steep_sigmoid_without_breakpoint_is_refined() {
        // ∫_{-1}^{1} 1/(1+e^{-k x}) dx = 1 exactly (odd symmetry) for any k.
        let r = integrate(
            |x| [1.0 / (1.0 + (-1e4 * x).exp())],
            &[-1.0, 0.37, 1.0],
            Tolerance::default(),
        );
        assert!((r.value[0] - 1.0).abs() < 1e-11, "{:?}", r);
    }
}
