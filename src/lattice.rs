//! Sums of Gaussian-type functions over a dense uniform grid, by the Euler–Maclaurin formula
//! with a rigorous bound on its remainder (for 8 bits and more, where a sum over every level
//! costs hundreds of exponentials or normal CDFs).
//!
//! For nodes `x_k = x_lo + kδ`, `k = 0 … n − 1`, `x_hi = x_lo + (n − 1)δ`,
//!
//! ```text
//! Σ_k g(x_k) = (1/δ) ∫_{x_lo}^{x_hi} g + (g(x_lo) + g(x_hi))/2
//!              + Σ_{j=1}^{P} B_{2j}/(2j)! δ^{2j−1} (g^{(2j−1)}(x_hi) − g^{(2j−1)}(x_lo)) + R_P,
//! |R_P| ≤ 2ζ(2P+1)/(2π)^{2P+1} · δ^{2P} · ∫_{x_lo}^{x_hi} |g^{(2P+1)}|
//! ```
//!
//! (the odd-order form of the remainder, e.g. DLMF 2.10.1 and its bound through the periodic
//! Bernoulli function, `|B̃_{2P+1}(t)|/(2P+1)! ≤ 2ζ(2P+1)/(2π)^{2P+1}`). Every `g` here is the
//! normal density `φ`, its CDF `Φ` or the complement `Φc`, times at most `x`: the derivatives
//! are Hermite polynomials times `φ` (`φ^{(n)} = (−1)^n He_n φ`), the integrals are closed forms
//! in `Φ` and `φ`, and `∫_R |φ^{(n)}| = E|He_n(Z)| ≤ √(n!)` (Cauchy–Schwarz, `E He_n² = n!`),
//! `∫_R |x φ^{(n)}| ≤ √((2n + 1) n!)` (`x He_n = He_{n+1} + n He_{n−1}`), so the remainder of
//! each sum is bounded without knowing where the grid lies. Corrections are added until the
//! bound meets the caller's tolerance; when `MAX_ORDER` corrections do not reach it (a grid too
//! coarse for the function) the functions return `None` and the caller sums directly.

use std::f64::consts::{FRAC_1_SQRT_2, TAU};

/// The most Euler–Maclaurin corrections tried.
pub const MAX_ORDER: usize = 12;

/// `B_{2j}/(2j)!` for `j = 1 …` [`MAX_ORDER`] (exact fractions rounded to double).
pub const BERNOULLI: [f64; MAX_ORDER] = [
    8.333_333_333_333_333e-2,
    -1.388_888_888_888_889e-3,
    3.306_878_306_878_307e-5,
    -8.267_195_767_195_768e-7,
    2.087_675_698_786_81e-8,
    -5.284_190_138_687_493e-10,
    1.338_253_653_068_467_9e-11,
    -3.389_680_296_322_582_7e-13,
    8.586_062_056_277_845e-15,
    -2.174_868_698_558_062e-16,
    5.509_002_828_360_229_5e-18,
    -1.395_446_468_581_252_2e-19,
];

/// ζ(3), the largest `ζ(2P + 1)` for `P ≥ 1`.
const ZETA3: f64 = 1.202_056_903_159_594_2;

/// Largest Hermite order any sum needs (`2 MAX_ORDER + 1`), plus one.
const HE: usize = 2 * MAX_ORDER + 2;

/// Standard normal density.
#[inline]
pub fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() * (0.5 / std::f64::consts::PI).sqrt()
}

/// `Φ(x)`, accurate in the lower tail (libm's `erfc`).
#[inline]
pub fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

/// `Φc(x) = 1 − Φ(x)`, accurate in the upper tail.
#[inline]
pub fn ccdf(x: f64) -> f64 {
    0.5 * libm::erfc(x * FRAC_1_SQRT_2)
}

/// `Φ(hi) − Φ(lo)` for `lo ≤ hi`, from the tail that keeps it accurate, and the size of what
/// the difference subtracts (its round-off is a few ulps of that).
#[inline]
fn mass(lo: f64, hi: f64) -> (f64, f64) {
    if lo >= 0.0 {
        let c = ccdf(lo);
        (c - ccdf(hi), c)
    } else if hi <= 0.0 {
        let c = cdf(hi);
        (c - cdf(lo), c)
    } else {
        (1.0 - cdf(lo) - ccdf(hi), 1.0)
    }
}

/// `2ζ(2P+1)/(2π)^{2P+1} δ^{2P}`: the remainder bound after `P` corrections per unit of
/// `∫|g^{(2P+1)}|`.
#[inline]
fn remainder(delta: f64, p: usize) -> f64 {
    2.0 * ZETA3 / TAU * (delta / TAU).powi(2 * p as i32)
}

/// `√(n!)` for `n < 28`.
const SQRT_FACTORIAL: [f64; 28] = [
    1.0,
    1.0,
    std::f64::consts::SQRT_2,
    2.449489742783178,
    4.898979485566356,
    10.954451150103322,
    26.832815729997478,
    70.9929573971954,
    200.79840636817812,
    602.3952191045344,
    1904.9409439665053,
    6317.974358922328,
    21886.105181141756,
    78911.47445080469,
    295259.70128007646,
    1143535.905863913,
    4574143.623455652,
    18859677.306253146,
    80014834.28544985,
    348776576.6344294,
    1559776268.6284978,
    7147792818.185865,
    33526120082.37171,
    160785623545.40588,
    787685471322.9382,
    3938427356614.6914,
    20082117944245.96,
    104349745809073.98,
];

/// `√(n!)` (`n ≤ 27`).
#[inline]
fn sqrt_factorial(n: usize) -> f64 {
    SQRT_FACTORIAL[n]
}

/// `φ` and the Hermite polynomials `He_0 … He_{HE−1}` at one point: every derivative of `φ`
/// there (`φ^{(n)} = (−1)^n He_n φ`). A point where `φ` underflows to 0 has every derivative 0
/// (so that no `∞ · 0` can arise from the polynomials).
#[derive(Debug, Clone, Copy)]
struct Jet {
    x: f64,
    pdf: f64,
    he: [f64; HE],
}

impl Jet {
    fn new(x: f64, order: usize) -> Self {
        let pdf = pdf(x);
        let mut he = [0.0; HE];
        if pdf > 0.0 {
            he[0] = 1.0;
            he[1] = x;
            for n in 1..order.min(HE - 1) {
                he[n + 1] = x * he[n] - n as f64 * he[n - 1];
            }
        }
        Jet { x, pdf, he }
    }

    /// A point whose contributions are left out: `φ` and every derivative 0.
    fn zero(x: f64) -> Self {
        Jet {
            x,
            pdf: 0.0,
            he: [0.0; HE],
        }
    }

    /// `φ^{(n)}(x)`.
    #[inline]
    fn d(&self, n: usize) -> f64 {
        let s = if n.is_multiple_of(2) { 1.0 } else { -1.0 };
        s * self.he[n] * self.pdf
    }

    /// `x φ^{(n)}(x)`.
    #[inline]
    fn xd(&self, n: usize) -> f64 {
        self.x * self.d(n)
    }
}

/// Largest relative round-off [`gaussian_moments`] accepts in its results: each integral term
/// is a difference of two values known to an ulp or two, which cancels when the grid lies in a
/// tail of the Gaussian; a sum over every level has relative round-off of this order too.
pub const ROUND_OFF: f64 = 1e-13;

/// The sums `Σ_k x_k^m φ(x_k)`, `m = 0, 1, 2`, over the nodes `x_k = lo + kδ` from `lo` to `hi`
/// (`hi − lo` a multiple of `δ`): with `x = √a (s − c)`, the normalizer, mean and variance of
/// the discrete Gaussian `∝ exp(−a (s − c)²/2)` on a uniform grid. Corrections are added until
/// the remainder bounds leave `ln Σ φ`, `Σ x φ / Σ φ` and the variance
/// `Σ x² φ / Σ φ − (Σ x φ / Σ φ)²` (relative) within `tol`, with the round-off of the
/// integral terms within [`ROUND_OFF`]; `None` if [`MAX_ORDER`] corrections do not reach that
/// (a grid too coarse for the Gaussian, or a Gaussian so far outside the grid that its mass on
/// it is below the whole-line bound or lost to cancellation).
pub fn gaussian_moments(lo: f64, hi: f64, delta: f64, tol: f64) -> Option<[f64; 3]> {
    // An end far in the Gaussian's tail is left out, its whole contribution to each sum
    // bounded: by `|He_n(x)| ≤ (x² + n)^{n/2}` (He_n(x) = E[(x + iZ)^n], Minkowski), with
    // `n ≤ N = HE + 1` and `r = δ√(x² + N)/(2π) ≤ 1/2`, the half-value is at most `(x² + N)φ`,
    // the corrections together at most `√(x² + N) φ`, and the integral's tail at most
    // `(1 + |x|) φ/δ`. It is left out when that is below `10⁻⁴ tol` of the other end's mass.
    let far = |x: f64| {
        let n = x * x + (HE + 1) as f64;
        let b = pdf(x) * ((1.0 + x.abs()) / delta + 2.0 * n);
        (delta * n.sqrt() <= 0.5 * TAU).then_some(b)
    };
    // Only an end with the Gaussian's centre on the grid's side of it (`lo < 0`, `hi > 0`).
    let (mut fl, mut fh) = (far(lo).filter(|_| lo < 0.0), far(hi).filter(|_| hi > 0.0));
    // The mass on the grid's side of a left-out end (`Φ(hi)` without `lo`, `Φc(lo)` without
    // `hi`), worked out only for an end that may be left out.
    let upper = fl.map(|_| if hi <= 0.0 { cdf(hi) } else { 1.0 - ccdf(hi) });
    let lower = fh.map(|_| if lo >= 0.0 { ccdf(lo) } else { 1.0 - cdf(lo) });
    if fl.is_some_and(|b| b * delta > 1e-4 * tol * upper.unwrap_or(0.0)) {
        fl = None;
    }
    if fh.is_some_and(|b| b * delta > 1e-4 * tol * lower.unwrap_or(0.0)) {
        fh = None;
    }
    // The fewest corrections whose remainder bound is below `tol/100` of a sum over a grid
    // holding at least the whole Gaussian's mass (the check below uses the real sums).
    let q = (delta / TAU) * (delta / TAU);
    let mut rp = 2.0 * ZETA3 / TAU;
    let mut p = MAX_ORDER;
    for j in 1..=MAX_ORDER {
        rp *= q;
        if rp * sqrt_factorial(2 * j + 3) * delta <= 1e-2 * tol {
            p = j;
            break;
        }
    }
    let jet = |x: f64, f: Option<f64>| match f {
        Some(_) => Jet::zero(x),
        None => Jet::new(x, 2 * p + 1),
    };
    let (jl, jh) = (jet(lo, fl), jet(hi, fh));
    let dropped = fl.unwrap_or(0.0) + fh.unwrap_or(0.0);
    let (m, scale) = match (fl, fh) {
        (Some(_), Some(_)) => (1.0, 1.0),
        (Some(_), None) => {
            let u = upper.unwrap_or(0.0);
            (u, if hi <= 0.0 { u } else { 1.0 })
        }
        (None, Some(_)) => {
            let l = lower.unwrap_or(0.0);
            (l, if lo >= 0.0 { l } else { 1.0 })
        }
        (None, None) => mass(lo, hi),
    };
    // ∫_lo^hi |φ^{(n)}| ≤ √(n! · ∫_lo^hi φ) (Cauchy–Schwarz on the grid's range).
    let on_grid = (m * (1.0 + 1e-12) + dropped * delta).min(1.0).sqrt();
    // Σφ, Σφ', Σφ'': the integral and end terms, then the corrections.
    let mut s0 = m / delta + 0.5 * (jl.pdf + jh.pdf);
    let mut s1 = (jh.pdf - jl.pdf) / delta + 0.5 * (jl.d(1) + jh.d(1));
    let mut s2 = (jh.d(1) - jl.d(1)) / delta + 0.5 * (jl.d(2) + jh.d(2));
    // Round-off of the integral terms (4 ulps of what each difference subtracts).
    let ulp4 = 4.0 * f64::EPSILON / delta;
    let r0 = ulp4 * scale;
    let r1 = ulp4 * (jl.pdf + jh.pdf);
    let r2 = ulp4 * (jl.d(1).abs() + jh.d(1).abs()) + r0;
    let mut dpow = delta;
    for (j, b) in (1..=p).zip(BERNOULLI) {
        let c = b * dpow;
        let n = 2 * j - 1;
        s0 += c * (jh.d(n) - jl.d(n));
        s1 += c * (jh.d(n + 1) - jl.d(n + 1));
        s2 += c * (jh.d(n + 2) - jl.d(n + 2));
        dpow *= delta * delta;
    }
    // Remainders of Σφ^{(m)} after p corrections: ∫|φ^{(2p+1+m)}| ≤ √((2p+1+m)! m_grid).
    let r = rp * on_grid;
    let e0 = r * sqrt_factorial(2 * p + 1) + dropped;
    let e1 = r * sqrt_factorial(2 * p + 2) + dropped;
    let e2 = r * sqrt_factorial(2 * p + 3) + dropped + e0; // Σx²φ = Σφ'' + Σφ
    let t = [s0, -s1, s2 + s0];
    (moments_within(t, [e0, e1, e2], tol)
        && moments_within(t, [e0 + r0, e1 + r1, e2 + r2], ROUND_OFF))
    .then_some(t)
}

/// Whether sums `t = (Σφ, Σxφ, Σx²φ)` known to `e` leave `ln Σφ`, the mean `Σxφ/Σφ` and the
/// variance (relative) within `tol`.
fn moments_within(t: [f64; 3], e: [f64; 3], tol: f64) -> bool {
    let [t0, t1, t2] = t;
    let [e0, e1, e2] = e;
    let lower = t0 - e0;
    if lower.is_nan() || lower <= 0.0 {
        return false;
    }
    let (m1, m2) = (t1 / t0, t2 / t0);
    let var = m2 - m1 * m1;
    let dm1 = (e1 + m1.abs() * e0) / lower;
    let dm2 = (e2 + m2.abs() * e0) / lower;
    let dvar = dm2 + 2.0 * m1.abs() * dm1 + dm1 * dm1;
    e0 / lower <= tol && dm1 <= tol && dvar <= tol * var
}

/// What the β = ∞ cells of a uniform grid need of one Gaussian component of the effective
/// observation, in its standard units: the edges `z_e = z_0 + eδ`, `e = 0 … n − 1`, split at
/// the edge `pivot` nearest the component's mean (so that every partial sum below has `Φ ≤ 1/2`
/// or `Φc ≤ 1/2` in its terms, and sums by parts do not cancel).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeSums {
    /// The edge nearest `z = 0`.
    pub pivot: usize,
    /// `Φ(z_pivot)`.
    pub cdf_pivot: f64,
    /// `Φc(z_pivot)`.
    pub ccdf_pivot: f64,
    /// `Σ_{e < pivot} Φ(z_e)`.
    pub below: f64,
    /// `Σ_{e < pivot} z_e Φ(z_e)`.
    pub below_z: f64,
    /// `Σ_{e > pivot} Φc(z_e)`.
    pub above: f64,
    /// `Σ_{e > pivot} z_e Φc(z_e)`.
    pub above_z: f64,
    /// `Σ_e φ(z_e)`.
    pub density: f64,
}

/// Bounds on the remainders of [`EdgeSums`] after `p` corrections: `(ΣΦ and ΣΦc each, ΣzΦ and
/// ΣzΦc each, Σφ)`.
pub fn edge_bounds(delta: f64, p: usize) -> (f64, f64, f64) {
    let r = remainder(delta, p);
    let n = 2 * p; // (Φ)^{(2p+1)} = φ^{(2p)}
    let plain = r * sqrt_factorial(n);
    // (zΦ)^{(2p+1)} = z φ^{(2p)} + (2p+1) φ^{(2p−1)}.
    let with_z = r
        * (((2 * n + 1) as f64).sqrt() * sqrt_factorial(n)
            + (n + 1) as f64 * sqrt_factorial(n - 1));
    (plain, with_z, r * sqrt_factorial(n + 1))
}

/// `Σ g(x_k)` over the nodes from `a` to `b` (jets at both ends) by Euler–Maclaurin with `p`
/// corrections: `integral = ∫_a^b g`, `value(jet) = g`, `odd(jet, j) = g^{(2j−1)}`.
#[inline]
fn em(
    a: &Jet,
    b: &Jet,
    delta: f64,
    p: usize,
    integral: f64,
    value: impl Fn(&Jet) -> f64,
    odd: impl Fn(&Jet, usize) -> f64,
) -> f64 {
    let mut s = integral / delta + 0.5 * (value(a) + value(b));
    let mut dpow = delta;
    for (j, c) in (1..=p).zip(BERNOULLI) {
        s += c * dpow * (odd(b, j) - odd(a, j));
        dpow *= delta * delta;
    }
    s
}

/// [`EdgeSums`] for `n ≥ 1` edges from `z0` with spacing `delta`, with `p ≤` [`MAX_ORDER`]
/// corrections (choose `p` with [`edge_bounds`]).
pub fn edge_sums(z0: f64, delta: f64, n: usize, p: usize) -> EdgeSums {
    let p = p.clamp(1, MAX_ORDER);
    let order = 2 * p + 1;
    let z = |e: usize| z0 + e as f64 * delta;
    let last = n - 1;
    let pivot = ((-z0 / delta).round().max(0.0) as usize).min(last);
    let first = Jet::new(z(0), order);
    let end = Jet::new(z(last), order);
    // Φ: ∫ = zΦ + φ, Φ^{(2j−1)} = φ^{(2j−2)}; zΦ: ∫ = ((z² − 1)Φ + zφ)/2,
    // (zΦ)' = Φ + zφ, (zΦ)^{(2j−1)} = z φ^{(2j−2)} + (2j − 1) φ^{(2j−3)} (j ≥ 2).
    let (mut below, mut below_z) = (0.0, 0.0);
    if pivot > 0 {
        let hi = Jet::new(z(pivot - 1), order);
        let (ca, cb) = (cdf(first.x), cdf(hi.x));
        let int = |j: &Jet, c: f64| j.x * c + j.pdf;
        let int_z = |j: &Jet, c: f64| 0.5 * ((j.x * j.x - 1.0) * c + j.x * j.pdf);
        let cd = |j: &Jet| if j.x == first.x { ca } else { cb };
        below = em(
            &first,
            &hi,
            delta,
            p,
            int(&hi, cb) - int(&first, ca),
            cd,
            |j, i| j.d(2 * i - 2),
        );
        below_z = em(
            &first,
            &hi,
            delta,
            p,
            int_z(&hi, cb) - int_z(&first, ca),
            |j| j.x * cd(j),
            |j, i| {
                if i == 1 {
                    cd(j) + j.x * j.pdf
                } else {
                    j.xd(2 * i - 2) + (2 * i - 1) as f64 * j.d(2 * i - 3)
                }
            },
        );
    }
    // Φc: ∫ = zΦc − φ, Φc^{(2j−1)} = −φ^{(2j−2)}; zΦc: ∫ = ((z² − 1)Φc − zφ)/2,
    // (zΦc)' = Φc − zφ, (zΦc)^{(2j−1)} = −(z φ^{(2j−2)} + (2j − 1) φ^{(2j−3)}) (j ≥ 2).
    let (mut above, mut above_z) = (0.0, 0.0);
    if pivot < last {
        let lo = Jet::new(z(pivot + 1), order);
        let (ca, cb) = (ccdf(lo.x), ccdf(end.x));
        let int = |j: &Jet, c: f64| j.x * c - j.pdf;
        let int_z = |j: &Jet, c: f64| 0.5 * ((j.x * j.x - 1.0) * c - j.x * j.pdf);
        let cd = |j: &Jet| if j.x == lo.x { ca } else { cb };
        above = em(
            &lo,
            &end,
            delta,
            p,
            int(&end, cb) - int(&lo, ca),
            cd,
            |j, i| -j.d(2 * i - 2),
        );
        above_z = em(
            &lo,
            &end,
            delta,
            p,
            int_z(&end, cb) - int_z(&lo, ca),
            |j| j.x * cd(j),
            |j, i| {
                if i == 1 {
                    cd(j) - j.x * j.pdf
                } else {
                    -(j.xd(2 * i - 2) + (2 * i - 1) as f64 * j.d(2 * i - 3))
                }
            },
        );
    }
    // φ: ∫ = Φ, φ^{(2j−1)}.
    let density = em(
        &first,
        &end,
        delta,
        p,
        mass(first.x, end.x).0,
        |j| j.pdf,
        |j, i| j.d(2 * i - 1),
    );
    let zp = z(pivot);
    EdgeSums {
        pivot,
        cdf_pivot: cdf(zp),
        ccdf_pivot: ccdf(zp),
        below,
        below_z,
        above,
        above_z,
        density,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bernoulli_coefficients_are_the_zeta_values() {
        // B_{2j}/(2j)! = (−1)^{j+1} 2ζ(2j)/(2π)^{2j}.
        for (j, b) in (1..=MAX_ORDER).zip(BERNOULLI) {
            // ζ(s) = Σ_{k<N} k^{−s} + N^{1−s}/(s − 1) + N^{−s}/2 + s N^{−s−1}/12 + O(N^{−s−3}).
            let (s, n) = (2 * j as i32, 100_000.0f64);
            let head: f64 = (1..100_000).rev().map(|k| (k as f64).powi(-s)).sum();
            let sf = s as f64;
            let zeta =
                head + n.powi(1 - s) / (sf - 1.0) + 0.5 * n.powi(-s) + sf * n.powi(-s - 1) / 12.0;
            let sign = if j % 2 == 1 { 1.0 } else { -1.0 };
            let z = sign * 2.0 * zeta / TAU.powi(2 * j as i32);
            assert!((b - z).abs() <= 1e-14 * z.abs(), "j = {j}: {b} vs {z}");
        }
    }

    #[test]
    fn hermite_jet_is_the_derivative_of_the_density() {
        // φ^{(n)} by central differences of φ^{(n−1)}.
        for x in [-3.1, -0.4, 0.0, 1.7, 5.2] {
            let j = Jet::new(x, HE - 1);
            for n in 1..12 {
                let h = 1e-5;
                let (a, b) = (Jet::new(x - h, HE - 1), Jet::new(x + h, HE - 1));
                let fd = (b.d(n - 1) - a.d(n - 1)) / (2.0 * h);
                assert!(
                    (fd - j.d(n)).abs() < 1e-6 * (1.0 + j.d(n).abs()),
                    "x {x} n {n}"
                );
            }
        }
    }

    #[test]
    fn sums_match_direct_sums() {
        let mut taken = 0;
        for delta in [0.01, 0.05, 0.13] {
            for lo in [-9.0, -4.0, -1.0, 0.3] {
                for n in [1usize, 2, 7, 90, 400, 2000] {
                    let hi = lo + (n - 1) as f64 * delta;
                    let xs: Vec<f64> = (0..n).map(|k| lo + k as f64 * delta).collect();
                    if let Some([t0, t1, t2]) = gaussian_moments(lo, hi, delta, 1e-16) {
                        taken += 1;
                        let d0: f64 = xs.iter().map(|&x| pdf(x)).sum();
                        let d1: f64 = xs.iter().map(|&x| x * pdf(x)).sum();
                        let d2: f64 = xs.iter().map(|&x| x * x * pdf(x)).sum();
                        let (m1, m2) = (d1 / d0, d2 / d0);
                        let msg = format!("{delta} {lo} {n}: {t0:e} {d0:e} {t1:e} {d1:e}");
                        assert!((t0 - d0).abs() <= 1e-13 * d0, "{msg}");
                        assert!((t1 / t0 - m1).abs() <= 1e-13 * (1.0 + m1.abs()), "{msg}");
                        let (v, var) = (t2 / t0 - (t1 / t0).powi(2), m2 - m1 * m1);
                        assert!((v - var).abs() <= 1e-12 * var, "{msg}");
                    }
                    let s = edge_sums(lo, delta, n, 8);
                    let j = s.pivot;
                    let below: f64 = xs[..j].iter().map(|&x| cdf(x)).sum();
                    let below_z: f64 = xs[..j].iter().map(|&x| x * cdf(x)).sum();
                    let above: f64 = xs[j + 1..].iter().map(|&x| ccdf(x)).sum();
                    let above_z: f64 = xs[j + 1..].iter().map(|&x| x * ccdf(x)).sum();
                    let density: f64 = xs.iter().map(|&x| pdf(x)).sum();
                    let tol = 1e-12 * (1.0 + xs.iter().fold(0.0f64, |m, x| m.max(x.abs())));
                    let msg = format!("{delta} {lo} {n}: {s:?}");
                    assert!((s.below - below).abs() <= tol * (1.0 + below), "{msg}");
                    assert!(
                        (s.below_z - below_z).abs() <= tol * (1.0 + below_z.abs()),
                        "{msg}"
                    );
                    assert!((s.above - above).abs() <= tol * (1.0 + above), "{msg}");
                    assert!(
                        (s.above_z - above_z).abs() <= tol * (1.0 + above_z.abs()),
                        "{msg}"
                    );
                    assert!(
                        (s.density - density).abs() <= tol * (1.0 + density),
                        "{msg}"
                    );
                }
            }
        }
        assert!(taken >= 20, "Euler–Maclaurin taken only {taken} times");
    }
}
