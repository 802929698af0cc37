//! Finite-size Gibbs sampling of `P(w) ∝ Π π(w_i) exp(−βH(w))` (THEORY.md §6): heat bath over
//! the levels with O(M) residual updates, two independent replicas on one instance (overlap q
//! and its distribution P(q)), optional parallel tempering over a β ladder, and exact
//! enumeration of all K^N states for small N as the sampler's own check.
//!
//! The energy is `H(w) = Σ_μ ℓ(y_μ, x_μ·w) + (λ/2)‖w‖²` with the loss of the model's output
//! channel. When the channel's loss is quadratic in one weight ([`OutputChannel::site_quadratic`],
//! the Gaussian channel: `a = β(‖x_i‖² + λ)`, `h = β(x_i·r + s‖x_i‖²)` with `r = y − Xw` the
//! residual) the site conditional is the student's local posterior, drawn by
//! [`Student::sample`] in O(M); otherwise the channel's loss changes over all levels
//! ([`OutputChannel::site_losses`], O(MK)) are sampled by [`LevelSet::sample_energies`].
//!
//! [`LevelSet::sample_energies`]: crate::model::LevelSet::sample_energies

use crate::error::{Error, Result};
use crate::instance::{rng_for, Instance};
use crate::model::channel::SiteMove;
use crate::model::{Model, OutputChannel, Student};
use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

/// Sampler settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GibbsOptions {
    /// Sweeps discarded before measuring.
    pub burn_in: usize,
    /// Measured sweeps (one measurement per sweep).
    pub sweeps: usize,
    /// Temperatures of the parallel-tempering ladder (1 = plain heat bath at β).
    pub temperatures: usize,
    /// Smallest β of the ladder (geometric between it and the model's β).
    pub beta_min: f64,
}

impl Default for GibbsOptions {
    fn default() -> Self {
        GibbsOptions {
            burn_in: 500,
            sweeps: 1000,
            temperatures: 1,
            beta_min: 0.5,
        }
    }
}

/// Averages over the measured sweeps of one two-replica run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GibbsResult {
    /// The channel's generalization error of a sample ([`OutputChannel::sample_gen_error`];
    /// Gaussian channel `‖w − w0‖²/N`), averaged over both replicas (None without a teacher).
    pub gen_error: Option<f64>,
    /// The channel's training error per sample (Gaussian channel: `‖y − Xw‖²/M`).
    pub train_error: f64,
    /// Energy per weight `H/N`.
    pub energy: f64,
    /// Mean replica overlap `⟨w^a·w^b⟩/N`.
    pub overlap: f64,
    /// Standard deviation of `w^a·w^b/N` over the measured sweeps (width of P(q) on this
    /// instance).
    pub overlap_std: f64,
    /// `w0·w/N` (None without a teacher).
    pub m: Option<f64>,
    /// `w·w/N`.
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// Every measured overlap, in sweep order (for P(q)).
    pub overlap_samples: Vec<f64>,
    /// Acceptance rate of swaps between ladder neighbours k, k+1 (empty without tempering).
    pub swap_acceptance: Vec<f64>,
    /// The β ladder used (ascending; the last is the model's β).
    pub ladder: Vec<f64>,
    /// The training error per measured sweep (mean of the two replicas' target-β chains), in
    /// sweep order: the equilibration diagnostics of [`integrated_autocorrelation_time`] and
    /// the first-half/second-half drift read it (not in the JSON).
    #[serde(skip)]
    pub train_error_samples: Vec<f64>,
    /// Integrated autocorrelation time of [`GibbsResult::train_error_samples`] in sweeps
    /// (the energy up to the ridge; [`integrated_autocorrelation_time`]; not in the JSON).
    #[serde(skip)]
    pub energy_tau: f64,
}

/// Rejects models and options the sampler cannot run.
pub fn check(model: &Model, opts: &GibbsOptions) -> Result<()> {
    if model.zero_temperature() {
        return Err(Error::input(
            "Gibbs sampling needs a finite --beta (at beta = inf heat bath is greedy descent, which finds a local minimum, not the ground state); use a large finite beta",
        ));
    }
    if opts.sweeps == 0 {
        return Err(Error::input("sweeps must be at least 1"));
    }
    if !quadratic(model) && model.student.levels().is_none() {
        return Err(Error::input(
            "Gibbs sampling of a continuous student needs an output channel with a quadratic loss",
        ));
    }
    if opts.temperatures == 0 {
        return Err(Error::input("temperatures must be at least 1"));
    }
    if opts.temperatures > 1
        && !(opts.beta_min > 0.0 && opts.beta_min.is_finite() && opts.beta_min < model.beta)
    {
        return Err(Error::input(format!(
            "beta-min must be positive and below beta = {}, got {}",
            model.beta, opts.beta_min
        )));
    }
    Ok(())
}

/// Whether the model's channel offers the O(M) quadratic site update (a property of the
/// channel, not of the arguments).
fn quadratic(model: &Model) -> bool {
    model.channel.site_quadratic(&[], &[], 0.0, 0.0).is_some()
}

/// The geometric β ladder ending at the model's β.
pub fn ladder(model: &Model, opts: &GibbsOptions) -> Vec<f64> {
    let l = opts.temperatures;
    if l <= 1 {
        return vec![model.beta];
    }
    let ratio = (model.beta / opts.beta_min).powf(1.0 / (l - 1) as f64);
    let mut v: Vec<f64> = (0..l)
        .map(|k| opts.beta_min * ratio.powi(k as i32))
        .collect();
    v[l - 1] = model.beta;
    v
}

/// One Markov chain: configuration, residual, energy, its own random stream.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Weights.
    pub w: Vec<f64>,
    /// Residual `y − Xw`.
    pub r: Vec<f64>,
    /// Energy `H(w)`.
    pub energy: f64,
    /// `‖w‖²` (the self-overlap is `‖w‖²/N`; a normalized margin reads it).
    pub norm2: f64,
    rng: Xoshiro256PlusPlus,
    /// Per-level loss changes of one site (channels without the quadratic fast path).
    buf: Vec<f64>,
    /// The candidate moves of one site.
    moves: Vec<SiteMove>,
}

impl Chain {
    /// A chain started from a configuration drawn from the level weights π (0 for a continuous
    /// student), with its own random stream.
    pub fn new(model: &Model, inst: &Instance, mut rng: Xoshiro256PlusPlus) -> Self {
        let n = inst.n();
        let w: Vec<f64> = match &model.student {
            Student::Discrete(l) => (0..n).map(|_| l.draw_prior(rng.random())).collect(),
            Student::Continuous => vec![0.0; n],
        };
        let k = model.student.num_levels().unwrap_or(0);
        let mut c = Chain {
            w,
            r: vec![0.0; inst.m()],
            energy: 0.0,
            norm2: 0.0,
            rng,
            buf: vec![0.0; k],
            moves: vec![
                SiteMove {
                    ds: 0.0,
                    big_q: 0.0
                };
                k
            ],
        };
        c.refresh(model, inst);
        c
    }

    /// Recomputes the residual and energy from scratch (removes accumulated round-off).
    pub fn refresh(&mut self, model: &Model, inst: &Instance) {
        let m = inst.m();
        self.r.copy_from_slice(inst.y.as_slice());
        let xs = inst.x.as_slice();
        for (i, wi) in self.w.iter().enumerate() {
            if *wi != 0.0 {
                axpy(-wi, &xs[i * m..(i + 1) * m], &mut self.r);
            }
        }
        self.norm2 = dot(&self.w, &self.w);
        self.energy = energy(model, inst.y.as_slice(), &self.w, &self.r);
    }

    /// One heat-bath sweep over the sites in order at inverse temperature `beta`:
    /// O(M) per site with a quadratic loss (one dot product, one residual update when the weight
    /// changes), O(MK) otherwise.
    pub fn sweep(&mut self, model: &Model, inst: &Instance, col_norms: &[f64], beta: f64) {
        let m = inst.m();
        let xs = inst.x.as_slice();
        let y = inst.y.as_slice();
        let lam = model.ridge;
        let nf = self.w.len() as f64;
        // The ridge's weight per site: `β(λ/2)s²` as an energy, `(λ/2)s²` as a prior factor.
        let prior_ridge = model.channel.ridge_in_prior();
        for (i, &c) in col_norms.iter().enumerate() {
            let xi = &xs[i * m..(i + 1) * m];
            let s_old = self.w[i];
            let s_new = match (
                model.channel.site_quadratic(&self.r, xi, c, s_old),
                &model.student,
            ) {
                (Some((qa, qh)), st) => {
                    let a = beta * (qa + lam);
                    let h = beta * qh;
                    st.sample(a, h, &mut self.rng).unwrap_or(s_old)
                }
                (None, Student::Discrete(l)) => {
                    let v = l.values();
                    for (mv, s) in self.moves.iter_mut().zip(v) {
                        mv.ds = s - s_old;
                        mv.big_q = (self.norm2 + s * s - s_old * s_old).max(0.0) / nf;
                    }
                    model.channel.site_losses(
                        y,
                        &self.r,
                        xi,
                        self.norm2 / nf,
                        &self.moves,
                        &mut self.buf,
                    );
                    for (e, s) in self.buf.iter_mut().zip(v) {
                        *e = if prior_ridge {
                            beta * *e + 0.5 * lam * s * s
                        } else {
                            beta * (*e + 0.5 * lam * s * s)
                        };
                    }
                    l.sample_energies(&self.buf, self.rng.random())
                }
                // Rejected by `check`.
                (None, Student::Continuous) => s_old,
            };
            if s_new != s_old {
                axpy(-(s_new - s_old), xi, &mut self.r);
                self.norm2 = (self.norm2 + s_new * s_new - s_old * s_old).max(0.0);
                self.w[i] = s_new;
            }
        }
        self.energy = energy(model, y, &self.w, &self.r);
    }
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `H(w) = Σ_μ ℓ(y_μ, y_μ − r_μ) + (λ/2)‖w‖²` (Gaussian channel: `½‖r‖² + (λ/2)‖w‖²`); without
/// the ridge term when the channel takes the ridge as a prior factor
/// ([`OutputChannel::ridge_in_prior`]).
fn energy(model: &Model, y: &[f64], w: &[f64], r: &[f64]) -> f64 {
    let w2 = dot(w, w);
    let loss = model.channel.total_loss(y, r, w2 / w.len() as f64);
    if model.channel.ridge_in_prior() {
        loss
    } else {
        loss + 0.5 * model.ridge * w2
    }
}

/// The log prior weight of the ridge when it is a prior factor, `−(λ/2)‖w‖²` (0 otherwise).
fn prior_ridge_log_weight(model: &Model, w: &[f64]) -> f64 {
    if model.channel.ridge_in_prior() && model.ridge > 0.0 {
        -0.5 * model.ridge * dot(w, w)
    } else {
        0.0
    }
}

/// Runs two independent replicas (each with its own β ladder when tempering) on one instance.
/// `seed` selects the chains' random streams; the instance is not touched.
pub fn run(model: &Model, inst: &Instance, opts: &GibbsOptions, seed: u64) -> Result<GibbsResult> {
    check(model, opts)?;
    let (m, n) = (inst.m(), inst.n());
    let (nf, mf) = (n as f64, m as f64);
    let betas = ladder(model, opts);
    let l = betas.len();
    let cn = inst.column_norms();
    let mut reps: Vec<Vec<Chain>> = (0..2)
        .map(|rep| {
            (0..l)
                .map(|k| Chain::new(model, inst, rng_for(seed, 100 + (rep * l + k) as u64)))
                .collect()
        })
        .collect();
    let mut swap_rng = rng_for(seed, 99);
    let mut tried = vec![0usize; l.saturating_sub(1)];
    let mut accepted = vec![0usize; l.saturating_sub(1)];
    let w0 = inst.w0.as_ref().map(|w| w.as_slice());
    let y = inst.y.as_slice();
    let (mut s_gen, mut s_train, mut s_e, mut s_m, mut s_q, mut s_big_q, mut s_q2) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut samples: Vec<f64> =
        crate::budget::try_with_capacity(opts.sweeps, &format!("--sweeps {}", opts.sweeps))?;
    let mut train_samples: Vec<f64> =
        crate::budget::try_with_capacity(opts.sweeps, &format!("--sweeps {}", opts.sweeps))?;
    let total = opts.burn_in + opts.sweeps;
    for sweep in 0..total {
        crate::parallel::check_interrupted()?;
        for chains in reps.iter_mut() {
            for (k, c) in chains.iter_mut().enumerate() {
                c.sweep(model, inst, &cn, betas[k]);
                if sweep % 64 == 63 {
                    c.refresh(model, inst);
                }
            }
            if l > 1 {
                // Alternate even and odd neighbour pairs so every pair is tried every two sweeps.
                for k in ((sweep % 2)..l - 1).step_by(2) {
                    let d = (betas[k + 1] - betas[k]) * (chains[k + 1].energy - chains[k].energy);
                    tried[k] += 1;
                    let u: f64 = swap_rng.random();
                    if d >= 0.0 || u < d.exp() {
                        accepted[k] += 1;
                        let (lo, hi) = chains.split_at_mut(k + 1);
                        std::mem::swap(&mut lo[k].w, &mut hi[0].w);
                        std::mem::swap(&mut lo[k].r, &mut hi[0].r);
                        std::mem::swap(&mut lo[k].energy, &mut hi[0].energy);
                        std::mem::swap(&mut lo[k].norm2, &mut hi[0].norm2);
                    }
                }
            }
        }
        if sweep < opts.burn_in {
            continue;
        }
        let a = &reps[0][l - 1];
        let b = &reps[1][l - 1];
        let q = dot(&a.w, &b.w) / nf;
        samples.push(q);
        s_q += q;
        s_q2 += q * q;
        s_big_q += (dot(&a.w, &a.w) + dot(&b.w, &b.w)) / (2.0 * nf);
        let ch = &model.channel;
        let t = (ch.total_error(y, &a.r, a.norm2 / nf) + ch.total_error(y, &b.r, b.norm2 / nf))
            / (2.0 * mf);
        train_samples.push(t);
        s_train += t;
        s_e += (a.energy + b.energy) / (2.0 * nf);
        if let Some(w0) = w0 {
            s_m += (dot(w0, &a.w) + dot(w0, &b.w)) / (2.0 * nf);
            s_gen +=
                0.5 * (ch.sample_gen_error(w0, &a.w, 0.0) + ch.sample_gen_error(w0, &b.w, 0.0));
        }
    }
    let k = opts.sweeps as f64;
    let mean_q = s_q / k;
    let var_q = (s_q2 / k - mean_q * mean_q).max(0.0);
    let res = GibbsResult {
        gen_error: w0.map(|_| s_gen / k),
        train_error: s_train / k,
        energy: s_e / k,
        overlap: mean_q,
        overlap_std: var_q.sqrt(),
        m: w0.map(|_| s_m / k),
        big_q: s_big_q / k,
        overlap_samples: samples,
        swap_acceptance: tried
            .iter()
            .zip(&accepted)
            .map(|(t, a)| if *t > 0 { *a as f64 / *t as f64 } else { 0.0 })
            .collect(),
        ladder: betas,
        energy_tau: integrated_autocorrelation_time(&train_samples),
        train_error_samples: train_samples,
    };
    if !(res.train_error.is_finite() && res.energy.is_finite() && res.overlap.is_finite()) {
        return Err(Error::Numerics(
            "Gibbs sampler produced a non-finite average".into(),
        ));
    }
    Ok(res)
}

/// Exact Gibbs averages on one instance, by enumeration of all K^N configurations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExactAverages {
    /// The channel's generalization error of a sample, averaged
    /// ([`OutputChannel::sample_gen_error`]; Gaussian channel `⟨‖w − w0‖²⟩/N`; None without a
    /// teacher).
    pub gen_error: Option<f64>,
    /// The channel's mean training error per sample (Gaussian channel: `⟨‖y − Xw‖²⟩/M`).
    pub train_error: f64,
    /// `⟨H⟩/N`.
    pub energy: f64,
    /// `⟨q⟩ = ‖⟨w⟩‖²/N` for two independent replicas.
    pub overlap: f64,
    /// Standard deviation of q under two independent replicas,
    /// `sqrt(Σ_ij ⟨w_i w_j⟩²/N² − ⟨q⟩²)`.
    pub overlap_std: f64,
    /// `⟨w0·w⟩/N` (None without a teacher).
    pub m: Option<f64>,
    /// `⟨w·w⟩/N`.
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// `log Z = log Σ_w Π π(w_i) e^{−βH(w)}`; at β = ∞ (channels without a quadratic
    /// collapse) the log of the prior weight of the version space, `log #solutions` for the
    /// counting measure.
    pub log_z: f64,
}

/// Largest number of configurations [`enumerate`] accepts.
pub const MAX_STATES: u64 = 1 << 24;

/// Walks every configuration in odometer order, keeping the residual up to date with O(M)
/// work per changed digit, and calls `f(w, r)` on each.
fn for_each_state(values: &[f64], inst: &Instance, mut f: impl FnMut(&[f64], &[f64])) {
    let (m, n, k) = (inst.m(), inst.n(), values.len());
    let xs = inst.x.as_slice();
    let mut digits = vec![0usize; n];
    let mut w = vec![values[0]; n];
    let mut r: Vec<f64> = inst.y.as_slice().to_vec();
    for i in 0..n {
        axpy(-w[i], &xs[i * m..(i + 1) * m], &mut r);
    }
    loop {
        f(&w, &r);
        let mut i = 0;
        loop {
            if i == n {
                return;
            }
            let nd = if digits[i] + 1 < k { digits[i] + 1 } else { 0 };
            let s_new = values[nd];
            axpy(-(s_new - w[i]), &xs[i * m..(i + 1) * m], &mut r);
            w[i] = s_new;
            digits[i] = nd;
            if nd != 0 {
                break;
            }
            i += 1;
        }
    }
}

/// Exact Gibbs averages by enumerating all K^N states (at most [`MAX_STATES`]). At β = ∞ a
/// channel without a quadratic collapse (the sign channel) gives the uniform (prior-weighted)
/// measure on the version space `{w : H(w) = 0}`; an empty version space is an error that says
/// so.
pub fn enumerate(model: &Model, inst: &Instance) -> Result<ExactAverages> {
    let Student::Discrete(levels) = &model.student else {
        return Err(Error::input("exact enumeration needs a discrete student"));
    };
    if model.zero_temperature() && model.channel.quadratic_collapse().is_some() {
        return Err(Error::input("exact enumeration needs a finite beta"));
    }
    let (m, n, k) = (inst.m(), inst.n(), levels.len());
    let states = (k as u64)
        .checked_pow(n as u32)
        .filter(|s| *s <= MAX_STATES);
    if states.is_none() {
        return Err(Error::input(format!(
            "{k}^{n} states exceed the enumeration limit {MAX_STATES}"
        )));
    }
    let values = levels.values();
    let log_pi = |w: &[f64]| -> f64 {
        let ridge = prior_ridge_log_weight(model, w);
        if levels.is_counting() {
            ridge
        } else {
            ridge
                + w.iter()
                    .map(|s| levels.log_weight(values.iter().position(|v| v == s).unwrap_or(0)))
                    .sum::<f64>()
        }
    };
    let beta = model.beta;
    let y = inst.y.as_slice();
    let lw = |w: &[f64], r: &[f64]| {
        let e = energy(model, y, w, r);
        if beta.is_infinite() {
            // The version space: zero energy, weighted by the prior.
            if e == 0.0 {
                log_pi(w)
            } else {
                f64::NEG_INFINITY
            }
        } else {
            log_pi(w) - beta * e
        }
    };
    let mut max_lw = f64::NEG_INFINITY;
    for_each_state(values, inst, |w, r| max_lw = max_lw.max(lw(w, r)));
    if max_lw == f64::NEG_INFINITY {
        return Err(Error::input(
            "the version space of this instance is empty: no weight vector classifies every example",
        ));
    }
    let (nf, mf) = (n as f64, m as f64);
    let w0 = inst.w0.as_ref().map(|w| w.as_slice());
    let ch = &model.channel;
    let (mut z, mut gen, mut train, mut en, mut mm, mut big_q) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut mean_w = vec![0.0; n];
    let mut c = vec![0.0; n * n];
    for_each_state(values, inst, |w, r| {
        let p = (lw(w, r) - max_lw).exp();
        if p == 0.0 {
            return;
        }
        let w2 = dot(w, w) / nf;
        z += p;
        train += p * ch.total_error(y, r, w2) / mf;
        en += p * energy(model, y, w, r) / nf;
        big_q += p * w2;
        if let Some(w0) = w0 {
            mm += p * dot(w0, w) / nf;
            gen += p * ch.sample_gen_error(w0, w, 0.0);
        }
        for i in 0..n {
            let pw = p * w[i];
            mean_w[i] += pw;
            for j in 0..n {
                c[i * n + j] += pw * w[j];
            }
        }
    });
    let overlap = mean_w.iter().map(|v| (v / z) * (v / z)).sum::<f64>() / nf;
    let q2 = c.iter().map(|v| (v / z) * (v / z)).sum::<f64>() / (nf * nf);
    Ok(ExactAverages {
        gen_error: w0.map(|_| gen / z),
        train_error: train / z,
        energy: en / z,
        overlap,
        overlap_std: (q2 - overlap * overlap).max(0.0).sqrt(),
        m: w0.map(|_| mm / z),
        big_q: big_q / z,
        log_z: max_lw + z.ln(),
    })
}

/// Histogram of `samples` on `bins` equal bins over `[lo, hi]`: `(bin centres, densities)`,
/// densities normalized to integrate to one (samples outside the range are dropped).
pub fn histogram(samples: &[f64], bins: usize, lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let bins = bins.max(1);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    let mut kept = 0usize;
    for &s in samples {
        if s >= lo && s <= hi && width > 0.0 {
            let b = (((s - lo) / width) as usize).min(bins - 1);
            counts[b] += 1;
            kept += 1;
        }
    }
    let centres = (0..bins).map(|b| lo + (b as f64 + 0.5) * width).collect();
    let dens = counts
        .iter()
        .map(|c| {
            if kept > 0 {
                *c as f64 / (kept as f64 * width)
            } else {
                0.0
            }
        })
        .collect();
    (centres, dens)
}

/// Integrated autocorrelation time `τ = 1 + 2 Σ_{t=1}^{W} ρ(t)` of a time series (in units of its
/// steps), with Sokal's automatic window: the smallest `W ≥ 5τ(W)`. A series of independent
/// draws gives ≈ 1; the variance of its mean is `τ Var/len`. When no window up to `len/4`
/// satisfies the rule, the series is too short for its own correlations and the estimate at
/// `W = len/4` is returned (a lower bound). Constant or shorter-than-4 series give 1 (no
/// information), NaN never.
pub fn integrated_autocorrelation_time(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 4 {
        return 1.0;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let c0 = dot(&d, &d) / n as f64;
    if c0.is_nan() || c0 <= 0.0 {
        return 1.0;
    }
    let mut tau = 1.0;
    for t in 1..=n / 4 {
        let ct = dot(&d[..n - t], &d[t..]) / n as f64;
        tau += 2.0 * ct / c0;
        if t as f64 >= 5.0 * tau {
            break;
        }
    }
    tau.max(1.0 / n as f64)
}
