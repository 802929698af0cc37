//! The nested 1RSB quadrature against a brute-force reference.
//!
//! The reference is composite Simpson on fixed uniform grids, refined in fixed windows around
//! every level step of the inner integrand, with its own log-sum-exp posterior: no adaptive
//! error estimate, no code shared with `rsb::channel` beyond the model's definition.

use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::quad::Tolerance;
use quantreplica::rs::finite;
use quantreplica::rsb::channel::{averages, conjugates, energetic, Averages, Conjugates};
use quantreplica::rsb::{self, RsbOptions};

/// Composite Simpson nodes and weights on `[a, b]` with step at most `h`.
fn simpson(a: f64, b: f64, h: f64, out: &mut Vec<(f64, f64)>) {
    if b <= a {
        return;
    }
    let mut n = ((b - a) / h).ceil() as usize;
    n += n % 2;
    let n = n.max(2);
    let d = (b - a) / n as f64;
    for i in 0..=n {
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        out.push((a + d * i as f64, w * d / 3.0));
    }
}

/// `(log Z, mean, var)` of `p(s) ∝ exp(−(a/2)s² + h s)` over `levels`.
fn post(levels: &[f64], a: f64, h: f64) -> (f64, f64, f64) {
    let e: Vec<f64> = levels.iter().map(|s| -0.5 * a * s * s + h * s).collect();
    let emax = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for (s, ek) in levels.iter().zip(&e) {
        let w = (ek - emax).exp();
        z += w;
        m1 += w * s;
        m2 += w * s * s;
    }
    let mean = m1 / z;
    (emax + z.ln(), mean, (m2 / z - mean * mean).max(0.0))
}

/// `[log W, ⟪⟨s⟩⟫, ⟪⟨s⟩²⟫, ⟪⟨s²⟩⟫, ⟪log Z⟫]` at outer field `h0`.
fn inner_ref(levels: &[f64], a: f64, g: f64, x: f64, h0: f64) -> [f64; 5] {
    if g == 0.0 {
        let (lz, m, v) = post(levels, a, h0);
        return [x * lz, m, m * m, m * m + v, lz];
    }
    let (smin, smax) = (levels[0], levels[levels.len() - 1]);
    let (lo, hi) = (x * g * smin - 12.0, x * g * smax + 12.0);
    // Windows of ±80 step widths around every step of ⟨s⟩, sampled at width/20.
    let mut cuts = vec![lo, hi];
    let mut windows = Vec::new();
    for w in levels.windows(2) {
        let width = 1.0 / (g * (w[1] - w[0]));
        let c = (a * 0.5 * (w[0] + w[1]) - h0) / g;
        let (l, r) = (c - 80.0 * width, c + 80.0 * width);
        if r > lo && l < hi {
            cuts.push(l.max(lo));
            cuts.push(r.min(hi));
            windows.push((l, r, width / 20.0));
        }
    }
    cuts.sort_by(f64::total_cmp);
    let mut nodes = Vec::new();
    for c in cuts.windows(2) {
        let mid = 0.5 * (c[0] + c[1]);
        let h = windows
            .iter()
            .filter(|(l, r, _)| mid > *l && mid < *r)
            .map(|w| w.2)
            .fold(0.005, f64::min);
        simpson(c[0], c[1], h, &mut nodes);
    }
    let vals: Vec<(f64, f64, (f64, f64, f64))> = nodes
        .iter()
        .map(|&(z, w)| {
            let p = post(levels, a, h0 + g * z);
            (-0.5 * z * z + x * p.0, w, p)
        })
        .collect();
    let lmax = vals.iter().map(|v| v.0).fold(f64::NEG_INFINITY, f64::max);
    let mut s = [0.0; 5];
    for (l, w, (lz, m, v)) in vals {
        let e = w * (l - lmax).exp();
        s[0] += e;
        s[1] += e * m;
        s[2] += e * m * m;
        s[3] += e * (m * m + v);
        s[4] += e * lz;
    }
    let ln_sqrt_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    [
        lmax - ln_sqrt_2pi + s[0].ln(),
        s[1] / s[0],
        s[2] / s[0],
        s[3] / s[0],
        s[4] / s[0],
    ]
}

/// The averages of `rsb::channel::averages`, by brute force.
fn averages_ref(model: &Model, c: &Conjugates, x: f64) -> [f64; 6] {
    let levels = model.student.levels().unwrap().values();
    let a = c.a_hat + model.beta * model.ridge;
    let g = (c.q1_hat - c.q0_hat).sqrt();
    let ds = levels.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    let smax = levels.iter().map(|s| s.abs()).fold(0.0, f64::max);
    let mut out = [0.0; 6];
    for comp in model.teacher.components() {
        let tau = (c.m_hat * c.m_hat * comp.var + c.q0_hat).sqrt();
        let centre = c.m_hat * comp.mean;
        if tau == 0.0 {
            let r = inner_ref(levels, a, g, x, centre);
            let v = [comp.mean * r[1], r[1] * r[1], r[2], r[3], r[0], r[4]];
            for i in 0..6 {
                out[i] += comp.weight * v[i];
            }
            continue;
        }
        let post_slope = c.m_hat * comp.var / tau;
        // Every outer integrand varies on scales ≥ 1/(Δs + max|s|) in H0.
        let du = (1.0 / (20.0 * (ds + smax) * tau)).min(0.004);
        let mut nodes = Vec::new();
        simpson(-10.5, 10.5, du, &mut nodes);
        let mut s = [0.0; 6];
        for (u, w) in nodes {
            let p = w * (-0.5 * u * u).exp() / (2.0 * std::f64::consts::PI).sqrt();
            let w0 = comp.mean + post_slope * u;
            let r = inner_ref(levels, a, g, x, centre + tau * u);
            let v = [w0 * r[1], r[1] * r[1], r[2], r[3], r[0], r[4]];
            for i in 0..6 {
                s[i] += p * v[i];
            }
        }
        for i in 0..6 {
            out[i] += comp.weight * s[i];
        }
    }
    out
}

fn as_array(av: &Averages) -> [f64; 6] {
    [av.m, av.q0, av.q1, av.big_q, av.log_w, av.log_z]
}

fn model(bits: u32, width: f64, beta: f64, teacher: TeacherPrior) -> Model {
    let student = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
    Model::new(2.0, 0.1, beta, 0.0, student, teacher).unwrap()
}

fn compare(got: &Averages, reference: [f64; 6], tol: f64) {
    let names = ["m", "q0", "q1", "Q", "log_w", "log_z"];
    let got = as_array(got);
    for i in 0..6 {
        eprintln!(
            "  {:>6}: adaptive {:.13}  brute force {:.13}  diff {:.2e}",
            names[i],
            got[i],
            reference[i],
            got[i] - reference[i]
        );
    }
    for i in 0..6 {
        assert!(
            (got[i] - reference[i]).abs() < tol * (1.0 + reference[i].abs()),
            "{}: {} vs brute force {}",
            names[i],
            got[i],
            reference[i]
        );
    }
}

#[test]
fn outer_step_on_a_breakpoint_is_resolved_at_large_beta() {
    // β = 1000, levels ±0.8, a frozen state (q1 = q0 = Q − 1e−10, so g = 0): the outer integrand
    // has ⟨s⟩ = 0.8 tanh(0.8 H0) with τ ≈ 2300, a step of width ≈ 5e−4 in u sitting on the
    // breakpoint u = 0, 15 widths short of the first Gauss–Kronrod node. Missing the dip of
    // ⟨s⟩² there made the old rule return q0 = Q (a spurious frozen fixed point) with the error
    // estimate satisfied. Reference: brute force, and RS (x = 1 is RS at (m, q0, Q)).
    let m = model(1, 0.8, 1000.0, TeacherPrior::gaussian(1.0).unwrap());
    let q = 0.64 - 1e-10;
    let state = [0.557, q, q, 0.64];
    let quad = RsbOptions::default().quad;
    for x in [1.0, 0.3] {
        let en = energetic(&m, x, state[0], state[1], state[2], state[3]).unwrap();
        let c = conjugates(&m, &en);
        let av = averages(&m, &c, x, quad).unwrap();
        assert!(av.accurate);
        eprintln!(
            "x = {x}: tau = {:.1}",
            (c.m_hat * c.m_hat + c.q0_hat).sqrt()
        );
        compare(&av, averages_ref(&m, &c, x), 1e-10);
        if x == 1.0 {
            let tol = Tolerance {
                abs: 1e-13,
                rel: 1e-13,
                max_intervals: 20_000,
            };
            let g = finite::map(&m, &[state[0], state[1], state[3]], tol).unwrap();
            for (a, b) in [(av.m, g[0]), (av.q0, g[1]), (av.big_q, g[2])] {
                assert!((a - b).abs() < 1e-10, "1RSB {a} vs RS {b}");
            }
        }
    }
}

#[test]
fn inner_step_on_a_breakpoint_is_resolved_at_large_field() {
    // The inner z1 integral alone (point-mass teacher, q̂0 = 0: no outer integral): with
    // g = sqrt(q̂1 − q̂0) = 3000 (β ≈ 10⁴) and x = 1e−4 the tilted measure is nearly φ(z1), and
    // ⟨s⟩ steps at z1 = −1 over 1/(g Δs) ≈ 2e−4, on a breakpoint. The old rule missed the
    // Var(s) bump (q1 off by 5e−5) with the error estimate satisfied.
    let m = model(1, 0.8, 1000.0, TeacherPrior::binary(1.0).unwrap());
    for g in [1000.0, 3000.0, 10_000.0] {
        let c = Conjugates {
            a_hat: 2000.0,
            m_hat: g,
            q0_hat: 0.0,
            q1_hat: g * g,
        };
        let x = 1e-4;
        let av = averages(&m, &c, x, RsbOptions::default().quad).unwrap();
        assert!(av.accurate);
        eprintln!("g = {g}");
        compare(&av, averages_ref(&m, &c, x), 1e-10);
    }
}

#[test]
fn nested_averages_match_brute_force_at_a_fixed_point() {
    // An ordinary 1RSB fixed point (β = 20, levels ±0.8, near its x*), both integrals active.
    let m = model(1, 0.8, 20.0, TeacherPrior::gaussian(1.0).unwrap());
    let opts = RsbOptions::default();
    let rs = quantreplica::rs::solve(&m, &Default::default()).equilibrium;
    let x = 0.25;
    let a = rsb::solve_at_x(&m, x, rsb::split_start(&rs), &opts).unwrap();
    assert!(a.status.is_converged() && a.gap() > 0.03);
    let [mm, q0, q1, bq] = a.state;
    let c = conjugates(&m, &energetic(&m, x, mm, q0, q1, bq).unwrap());
    let av = averages(&m, &c, x, opts.quad).unwrap();
    compare(&av, averages_ref(&m, &c, x), 1e-10);
}
