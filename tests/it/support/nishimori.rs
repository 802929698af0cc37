//! An independent reference for RS spinodals on the Bayes-optimal line: the scalar reduction on
//! the Nishimori manifold, evaluated with its own fixed-node quadrature and its own posterior
//! sums (no code shared with the library's RS solver).
//!
//! With a teacher prior equal to the student's level set (equiprobable), β = 1/σ², λ = 0 and
//! ρ = E[w0²], every RS fixed point has m = q and Q = ρ, so Â = α/E with E = ρ − q + σ², and
//! q̂ = m̂ = Â =: γ. The fixed point is q = f(γ) with
//! `f(γ) = E_{w0} E_z [w0 ⟨s⟩]`, `⟨s⟩` the mean of `p(s) ∝ exp(−γ s²/2 + (γ w0 + √γ z) s)` over
//! the levels. Solving `γ = α/(ρ − f(γ) + σ²)` for α parametrizes every branch by γ:
//! `α(γ) = γ (σ² + ρ − f(γ))`. Spinodals (folds in α) are the local extrema of α(γ); the cusp,
//! where two of them merge, solves `α' = α'' = 0`, i.e. `2f'(γ) + γ f''(γ) = 0` and
//! `σ² = f + γ f' − ρ`.

/// Gauss–Legendre nodes and weights on [−1, 1] (Newton on the Legendre recurrence).
fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, x);
            for k in 2..=n {
                let p2 = ((2 * k - 1) as f64 * x * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
            let dx = p1 / dp;
            x -= dx;
            if dx.abs() < 1e-16 {
                break;
            }
        }
        out.push((x, 2.0 / ((1.0 - x * x) * dp * dp)));
    }
    out
}

/// The Bayes-optimal problem of an equiprobable discrete teacher learned by a student with the
/// same levels.
pub struct Nishimori {
    levels: Vec<f64>,
    rho: f64,
    /// Composite rule on z ∈ [−12, 12]: (node, weight × standard normal density).
    rule: Vec<(f64, f64)>,
}

impl Nishimori {
    /// The problem on `levels`, with `panels` Gauss–Legendre panels of 20 nodes.
    pub fn new(levels: &[f64], panels: usize) -> Self {
        let gl = gauss_legendre(20);
        let (a, b) = (-12.0, 12.0);
        let w = (b - a) / panels as f64;
        let mut rule = Vec::with_capacity(panels * gl.len());
        for k in 0..panels {
            let c = a + (k as f64 + 0.5) * w;
            for &(x, wt) in &gl {
                let z = c + 0.5 * w * x;
                let dens = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
                rule.push((z, 0.5 * w * wt * dens));
            }
        }
        let rho = levels.iter().map(|v| v * v).sum::<f64>() / levels.len() as f64;
        Nishimori {
            levels: levels.to_vec(),
            rho,
            rule,
        }
    }

    /// `ρ = E[w0²]`.
    pub fn rho(&self) -> f64 {
        self.rho
    }

    fn posterior_mean(&self, a: f64, h: f64) -> f64 {
        let e: Vec<f64> = self
            .levels
            .iter()
            .map(|s| -0.5 * a * s * s + h * s)
            .collect();
        let emax = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (mut z, mut m) = (0.0, 0.0);
        for (s, ei) in self.levels.iter().zip(&e) {
            let w = (ei - emax).exp();
            z += w;
            m += w * s;
        }
        m / z
    }

    /// `f(γ) = E[w0 ⟨s⟩]` (= q = m on the Nishimori manifold).
    pub fn f(&self, g: f64) -> f64 {
        let sg = g.sqrt();
        let mut tot = 0.0;
        for &w0 in &self.levels {
            for &(z, wt) in &self.rule {
                tot += wt * w0 * self.posterior_mean(g, g * w0 + sg * z);
            }
        }
        tot / self.levels.len() as f64
    }

    /// `α(γ)` at noise `s2`.
    pub fn alpha(&self, g: f64, s2: f64) -> f64 {
        g * (s2 + self.rho - self.f(g))
    }

    /// Every local extremum of α(γ) for γ in `[g_lo, g_hi]`: `(γ, α, q)`, located by a log-grid
    /// scan and golden-section refinement.
    pub fn folds(&self, s2: f64, g_lo: f64, g_hi: f64) -> Vec<(f64, f64, f64)> {
        let n = 400;
        let gs: Vec<f64> = (0..=n)
            .map(|i| g_lo * (g_hi / g_lo).powf(i as f64 / n as f64))
            .collect();
        let al: Vec<f64> = gs.iter().map(|&g| self.alpha(g, s2)).collect();
        let mut out = Vec::new();
        for i in 1..n {
            let (d1, d2) = (al[i] - al[i - 1], al[i + 1] - al[i]);
            if d1 * d2 >= 0.0 {
                continue;
            }
            let sign = if d1 > 0.0 { 1.0 } else { -1.0 }; // +1: maximum
            let obj = |g: f64| sign * self.alpha(g, s2);
            // Golden section for the maximum of obj on [γ_{i−1}, γ_{i+1}].
            let (mut a, mut b) = (gs[i - 1], gs[i + 1]);
            let r = 0.5 * (5f64.sqrt() - 1.0);
            let (mut c, mut d) = (b - r * (b - a), a + r * (b - a));
            let (mut fc, mut fd) = (obj(c), obj(d));
            while b - a > 1e-11 * b {
                if fc > fd {
                    b = d;
                    d = c;
                    fd = fc;
                    c = b - r * (b - a);
                    fc = obj(c);
                } else {
                    a = c;
                    c = d;
                    fc = fd;
                    d = a + r * (b - a);
                    fd = obj(d);
                }
            }
            let g = 0.5 * (a + b);
            out.push((g, self.alpha(g, s2), self.f(g)));
        }
        out
    }

    /// The cusp `(σ², γ, α)` for γ in `[g_lo, g_hi]` (which must bracket the sign change of
    /// `2f' + γ f''`), by bisection with five-point differences of f.
    pub fn cusp(&self, g_lo: f64, g_hi: f64) -> (f64, f64, f64) {
        let d = |g: f64| {
            let h = 1e-3 * g;
            let f = |k: f64| self.f(g + k * h);
            let (fm2, fm1, f0, f1, f2) = (f(-2.0), f(-1.0), f(0.0), f(1.0), f(2.0));
            let d1 = (fm2 - 8.0 * fm1 + 8.0 * f1 - f2) / (12.0 * h);
            let d2 = (-fm2 + 16.0 * fm1 - 30.0 * f0 + 16.0 * f1 - f2) / (12.0 * h * h);
            (f0, d1, d2)
        };
        let k = |g: f64| {
            let (_, d1, d2) = d(g);
            2.0 * d1 + g * d2
        };
        let (mut a, mut b) = (g_lo, g_hi);
        let ka = k(a);
        assert!(ka * k(b) < 0.0, "the cusp is not bracketed");
        for _ in 0..60 {
            let m = 0.5 * (a + b);
            if k(m) * ka > 0.0 {
                a = m;
            } else {
                b = m;
            }
        }
        let g = 0.5 * (a + b);
        let (f0, d1, _) = d(g);
        let s2 = f0 + g * d1 - self.rho;
        (s2, g, self.alpha(g, s2))
    }
}
