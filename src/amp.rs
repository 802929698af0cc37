//! Approximate message passing (GAMP form, THEORY.md §5) for the quantized-weight Gibbs
//! measure at finite β, with its state evolution (the RS map of §2 applied once per iteration).
//!
//! The denoiser is the model's own local posterior `Student::moments(A_i + βλ, A_i R_i)`, and
//! the output function is the model's channel's [`OutputChannel::gout`]; nothing here re-derives
//! either.
//!
//! β = ∞ is rejected for channels with a quadratic collapse (the Gaussian channel): there the
//! denoiser is the hard nearest-level quantizer, whose derivative (AMP's variance `v_i`, which
//! feeds the Onsager term and the precision `A_i`) is zero at every site of a finite instance.
//! The RS susceptibility χ of §3 comes only from the density of `R` at the level midpoints,
//! which no per-site derivative sees, so β = ∞ AMP would run with a wrong Onsager term. Use a
//! large finite β instead. The sign channel at β = ∞ (the version space) keeps finite
//! conjugates and a smooth denoiser: it is GAMP for the Bayes-optimal perceptron.
//!
//! A loss that depends on the student's norm (the sign channel's normalized margin `κ√Q`) is
//! evaluated at AMP's estimate `Q̂ = mean(ŵ² + v)`, and its force on the norm,
//! `−(2/N) Σ_μ ∂_Q log Z_out`, is added to every site's quadratic coefficient (the margin term of
//! the RS conjugate `a`, `docs/classification.md` §8).

use crate::error::{Error, Result};
use crate::fixed_point::Status;
use crate::instance::Instance;
use crate::model::{Model, OutputChannel};
use crate::rs::finite;
use crate::rs::SolverOptions;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// How the per-entry variances `X_μi²` enter GAMP's variance messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceMode {
    /// Rank-one approximation `X_μi² ≈ ‖x_μ‖² ‖x_i‖² / ‖X‖_F²`, which keeps every row and column
    /// sum exact and costs O(M + N) per iteration: two matrix–vector products in all. For
    /// i.i.d. inputs it is asymptotically the same algorithm as full GAMP.
    RankOne,
    /// Full GAMP with the matrix of squares: two more matrix–vector products per iteration.
    Full,
}

/// AMP settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AmpOptions {
    /// Mixing of new messages, `x ← (1 − d) x_old + d x_new`; 1 means undamped.
    pub damping: f64,
    /// Iteration budget.
    pub max_iter: usize,
    /// Stop when `‖ŵ_t − ŵ_{t−1}‖/√N` falls below this.
    pub tol: f64,
    /// Variance messages.
    pub variance: VarianceMode,
}

impl Default for AmpOptions {
    fn default() -> Self {
        AmpOptions {
            damping: 1.0,
            max_iter: 200,
            tol: 1e-7,
            variance: VarianceMode::RankOne,
        }
    }
}

impl AmpOptions {
    /// Refuses settings AMP cannot run, with the command line's one-line messages.
    pub fn check(&self) -> Result<()> {
        if !(self.damping > 0.0 && self.damping <= 1.0) {
            return Err(Error::input(format!(
                "--damping must be in (0, 1], got {}",
                self.damping
            )));
        }
        if self.max_iter == 0 {
            return Err(Error::input("--max-iter must be at least 1, got 0"));
        }
        if self.tol.is_nan() || self.tol <= 0.0 {
            return Err(Error::input(format!(
                "--tol must be positive, got {}",
                self.tol
            )));
        }
        Ok(())
    }
}

/// One AMP iteration's record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AmpStep {
    /// Iteration number (1 = first denoising).
    pub iter: usize,
    /// `‖ŵ − w0‖²/N` (NaN, written null, when the teacher is unknown).
    pub mse: f64,
    /// Mean posterior variance `mean(v)` (SE's `Δ = Q − q`).
    pub mean_var: f64,
    /// `‖ŵ_t − ŵ_{t−1}‖/√N`.
    pub change: f64,
    /// Teacher–student overlap `ŵ·w0/N` (SE's `m`; NaN, written null, without a teacher).
    pub m: f64,
    /// `‖ŵ‖²/N` (SE's `q`).
    pub q: f64,
}

/// Result of one AMP run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmpResult {
    /// Posterior-mean estimate ŵ.
    pub w_hat: Vec<f64>,
    /// Posterior variances v.
    pub v: Vec<f64>,
    /// How the iteration ended.
    pub status: Status,
    /// Iterations run.
    pub iterations: usize,
    /// Per-iteration record.
    pub history: Vec<AmpStep>,
    /// The channel's error of the posterior mean ŵ ([`OutputChannel::sample_gen_error`];
    /// Gaussian channel `‖ŵ − w0‖²/N`; None without a teacher).
    pub mse_posterior_mean: Option<f64>,
    /// The channel's error of a sample of the approximate marginals (Gaussian channel
    /// `‖ŵ − w0‖²/N + mean(v)`; None without a teacher).
    pub gen_error: Option<f64>,
    /// Training error of the posterior mean under the channel (Gaussian: `‖y − Xŵ‖²/M`).
    pub train_error_mean: f64,
    /// Teacher–student overlap `ŵ·w0/N` at the end (None without a teacher).
    pub m: Option<f64>,
    /// `‖ŵ‖²/N` at the end.
    pub q: f64,
    /// `mean(ŵ² + v)`: the self-overlap `Q` of a sample.
    #[serde(rename = "Q")]
    pub big_q: f64,
}

/// The prior's mean and variance: AMP's starting marginals. For the continuous student the
/// "prior" is the ridge term `N(0, 1/(βλ))`, or the teacher scale when λ = 0.
pub fn prior_moments(model: &Model) -> (f64, f64) {
    model
        .student
        .prior_moments(model.beta_ridge())
        .unwrap_or((0.0, model.rho()))
}

/// Rejects models AMP cannot run.
pub fn check_model(model: &Model) -> Result<()> {
    if model.zero_temperature() && model.channel.quadratic_collapse().is_some() {
        return Err(Error::input(
            "AMP needs a finite --beta: at beta = inf the quantized denoiser is a hard step whose per-site derivative (AMP's variance and Onsager term) is zero almost everywhere; use a large finite beta such as 20",
        ));
    }
    Ok(())
}

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// AMP's messages on one instance, advanced one iteration at a time by [`Amp::step`].
#[derive(Debug, Clone)]
pub struct Amp<'a> {
    model: &'a Model,
    inst: &'a Instance,
    opts: AmpOptions,
    cn: Vec<f64>,
    rn: Vec<f64>,
    frob: f64,
    x2: Option<DMatrix<f64>>,
    w0: Option<Vec<f64>>,
    /// Posterior means ŵ.
    pub w_hat: DVector<f64>,
    /// Posterior variances v.
    pub v: DVector<f64>,
    g: DVector<f64>,
    omega: DVector<f64>,
    xt_g: DVector<f64>,
    big_v: DVector<f64>,
    dg: DVector<f64>,
    a: DVector<f64>,
    t: usize,
}

impl<'a> Amp<'a> {
    /// Messages at AMP's start: `ŵ = μ_π`, `v = Var_π`, `g = 0`.
    pub fn new(model: &'a Model, inst: &'a Instance, opts: &AmpOptions) -> Result<Self> {
        check_model(model)?;
        if !(opts.damping > 0.0 && opts.damping <= 1.0) {
            return Err(Error::input(format!(
                "damping must be in (0, 1], got {}",
                opts.damping
            )));
        }
        let (m, n) = (inst.m(), inst.n());
        let cn = inst.column_norms();
        let rn = inst.row_norms();
        let frob: f64 = cn.iter().sum();
        if !(frob > 0.0 && frob.is_finite()) {
            return Err(Error::input("X is identically zero or not finite"));
        }
        let x2 = (opts.variance == VarianceMode::Full).then(|| inst.x.map(|v| v * v));
        let (mu0, v0) = prior_moments(model);
        Ok(Amp {
            model,
            inst,
            opts: *opts,
            cn,
            rn,
            frob,
            x2,
            w0: inst.w0.as_ref().map(|w| w.as_slice().to_vec()),
            w_hat: DVector::from_element(n, mu0),
            v: DVector::from_element(n, v0),
            g: DVector::zeros(m),
            omega: DVector::zeros(m),
            xt_g: DVector::zeros(n),
            big_v: DVector::zeros(m),
            dg: DVector::zeros(m),
            a: DVector::zeros(n),
            t: 0,
        })
    }

    /// One AMP iteration (two products with X, O(M + N) besides in rank-one mode).
    pub fn step(&mut self) -> AmpStep {
        self.t += 1;
        let t = self.t;
        let (m, n) = (self.inst.m(), self.inst.n());
        let x = &self.inst.x;
        let model = self.model;
        let bl = model.beta_ridge();
        let chan = &model.channel;
        let d = self.opts.damping;
        // AMP's estimate of the self-overlap, for a norm-dependent loss only; the others ignore
        // `big_q` (checked for every channel in the component tests), and a NaN there would
        // surface as divergence, never as a silent number.
        let nf = n as f64;
        let norm_dependent = chan.depends_on_norm();
        let big_q = if norm_dependent {
            self.w_hat
                .iter()
                .zip(self.v.iter())
                .map(|(w, v)| w * w + v)
                .sum::<f64>()
                / nf
        } else {
            f64::NAN
        };
        let mut norm_force = 0.0;
        // Variance messages V_μ = Σ_i X_μi² v_i.
        match &self.x2 {
            Some(x2) => x2.mul_to(&self.v, &mut self.big_v),
            None => {
                let s: f64 = self
                    .cn
                    .iter()
                    .zip(self.v.iter())
                    .map(|(c, vi)| c * vi)
                    .sum::<f64>()
                    / self.frob;
                for (bv, r) in self.big_v.iter_mut().zip(&self.rn) {
                    *bv = r * s;
                }
            }
        }
        // ω = Xŵ − V∘g: the Onsager term uses the previous g.
        x.mul_to(&self.w_hat, &mut self.omega);
        for mu in 0..m {
            self.omega[mu] -= self.big_v[mu] * self.g[mu];
            // Outside the channel's domain the message is NaN, which `run` reports as divergence.
            let (y, om, vm) = (self.inst.y[mu], self.omega[mu], self.big_v[mu]);
            let (gn, dgn) = chan
                .gout(model.beta, y, om, vm, big_q)
                .unwrap_or((f64::NAN, f64::NAN));
            if norm_dependent {
                norm_force += chan.dlog_z_dnorm(model.beta, y, om, vm, big_q);
            }
            self.g[mu] = if t == 1 {
                gn
            } else {
                (1.0 - d) * self.g[mu] + d * gn
            };
            self.dg[mu] = dgn;
        }
        // A_i = Σ_μ X_μi² dg_μ.
        match &self.x2 {
            Some(x2) => x2.tr_mul_to(&self.dg, &mut self.a),
            None => {
                let s: f64 = self
                    .rn
                    .iter()
                    .zip(self.dg.iter())
                    .map(|(r, q)| r * q)
                    .sum::<f64>()
                    / self.frob;
                for (ai, c) in self.a.iter_mut().zip(&self.cn) {
                    *ai = c * s;
                }
            }
        }
        x.tr_mul_to(&self.g, &mut self.xt_g);
        // The loss's force on the norm enters every site's quadratic coefficient (not its
        // linear term, which carries only the cavity field).
        let a_norm = -2.0 * norm_force / nf;
        let mut change2 = 0.0;
        for i in 0..n {
            let ai = self.a[i];
            let (mean, var) = if ai > 0.0 {
                let r = self.w_hat[i] + self.xt_g[i] / ai;
                let mo = model.student.moments(ai + a_norm + bl, ai * r);
                (mo.mean, mo.var)
            } else if bl > 0.0 || model.student.levels().is_some() {
                // A column of zeros carries no information: the marginal stays the prior.
                let mo = model.student.moments(bl, 0.0);
                (mo.mean, mo.var)
            } else {
                (f64::NAN, f64::NAN)
            };
            let nw = (1.0 - d) * self.w_hat[i] + d * mean;
            change2 += (nw - self.w_hat[i]) * (nw - self.w_hat[i]);
            self.w_hat[i] = nw;
            self.v[i] = (1.0 - d) * self.v[i] + d * var;
        }
        let change = (change2 / n as f64).sqrt();
        let mse = self.mse().unwrap_or(f64::NAN);
        AmpStep {
            iter: t,
            mse,
            mean_var: self.v.mean(),
            change,
            m: self.overlap().unwrap_or(f64::NAN),
            q: self.w_hat.norm_squared() / nf,
        }
    }

    /// `ŵ·w0/N`, when the teacher is known.
    pub fn overlap(&self) -> Option<f64> {
        self.w0.as_ref().map(|w0| {
            self.w_hat.iter().zip(w0).map(|(a, b)| a * b).sum::<f64>() / self.w_hat.len() as f64
        })
    }

    /// `‖ŵ − w0‖²/N`, when the teacher is known.
    pub fn mse(&self) -> Option<f64> {
        self.w0
            .as_ref()
            .map(|w0| sq_dist(self.w_hat.as_slice(), w0) / self.w_hat.len() as f64)
    }
}

/// Runs AMP on one instance until convergence, divergence or the iteration budget.
pub fn run(model: &Model, inst: &Instance, opts: &AmpOptions) -> Result<AmpResult> {
    let mut amp = Amp::new(model, inst, opts)?;
    let scale = model.rho().max(1.0);
    let mut history = Vec::new();
    let mut status = Status::MaxIterations;
    // The sign channel's frozen limit: once the marginals are point masses to the instance's
    // resolution (mean v below prior variance / M², so that the boundary layer |ω| ≲ √V holds
    // less than one of the M examples), the per-example dg of every correctly classified
    // example underflows to 0, A_i collapses and the next update would return the prior. State
    // evolution's q̂ ∝ 1/√V comes from that layer, which a finite instance no longer resolves:
    // the iteration has converged (docs/classification.md §8).
    let frozen = model
        .channel
        .gamp_variance_floor(prior_moments(model).1, inst.m());
    for _ in 0..opts.max_iter {
        crate::parallel::check_interrupted()?;
        let st = amp.step();
        history.push(st);
        if !(st.change.is_finite() && st.mean_var.is_finite())
            || (st.mse.is_finite() && st.mse > 1e8 * scale)
        {
            status = Status::Diverged;
            break;
        }
        if st.change < opts.tol || st.mean_var < frozen {
            status = Status::Converged;
            break;
        }
    }
    let mean_v = amp.v.mean();
    let ok = status != Status::Diverged;
    let w_hat = amp.w_hat.as_slice();
    let chan = &model.channel;
    let err = |var: f64| {
        inst.w0
            .as_ref()
            .map(|w0| chan.sample_gen_error(w0.as_slice(), w_hat, var))
            .filter(|_| ok)
    };
    let q = amp.w_hat.norm_squared() / w_hat.len() as f64;
    Ok(AmpResult {
        gen_error: err(mean_v),
        mse_posterior_mean: err(0.0),
        train_error_mean: inst.train_error(chan, w_hat),
        m: amp.overlap().filter(|_| ok),
        q,
        big_q: q + mean_v,
        w_hat: amp.w_hat.as_slice().to_vec(),
        v: amp.v.as_slice().to_vec(),
        status,
        iterations: history.len(),
        history,
    })
}

/// One state-evolution step's record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeStep {
    /// Iteration number (aligned with [`AmpStep::iter`]).
    pub iter: usize,
    /// Teacher–student overlap m.
    pub m: f64,
    /// q.
    pub q: f64,
    /// Q.
    #[serde(rename = "Q")]
    pub big_q: f64,
    /// Predicted AMP MSE `ρ − 2m + q`.
    pub mse: f64,
    /// Predicted `mean(v)`: `Q − q`.
    pub mean_var: f64,
}

/// The RS state AMP starts from: `ŵ = μ_π`, `v = Var_π` give `m = E[w0] μ_π`, `q = μ_π²`,
/// `Q = μ_π² + Var_π`.
pub fn se_start(model: &Model) -> [f64; 3] {
    let (mu, var) = prior_moments(model);
    [model.teacher.mean() * mu, mu * mu, mu * mu + var]
}

/// State evolution: `iters` applications of the finite-β RS map from [`se_start`]. Stops early
/// (shorter output) if the map leaves its domain.
pub fn state_evolution(model: &Model, iters: usize) -> Result<Vec<SeStep>> {
    check_model(model)?;
    let tol = SolverOptions::default().quad;
    let rho = model.rho();
    let mut x = se_start(model);
    let mut out = Vec::with_capacity(iters);
    for t in 1..=iters {
        let Some(nx) = finite::map(model, &x, tol) else {
            break;
        };
        x = nx;
        out.push(SeStep {
            iter: t,
            m: x[0],
            q: x[1],
            big_q: x[2],
            mse: rho - 2.0 * x[0] + x[1],
            mean_var: x[2] - x[1],
        });
    }
    Ok(out)
}

/// Iterates state evolution to its fixed point (up to `max_iter` steps, stopping when no order
/// parameter moves by more than `tol`): the RS branch AMP follows from its start.
pub fn se_fixed_point(model: &Model, max_iter: usize, tol: f64) -> Result<(SeStep, Status)> {
    check_model(model)?;
    let qtol = SolverOptions::default().quad;
    let rho = model.rho();
    let mut x = se_start(model);
    for t in 1..=max_iter {
        let Some(nx) = finite::map(model, &x, qtol) else {
            return Ok((step_of(t, x, rho), Status::Unphysical));
        };
        let res = (0..3).map(|k| (nx[k] - x[k]).abs()).fold(0.0, f64::max);
        x = nx;
        if res < tol {
            return Ok((step_of(t, x, rho), Status::Converged));
        }
    }
    Ok((step_of(max_iter, x, rho), Status::MaxIterations))
}

fn step_of(iter: usize, x: [f64; 3], rho: f64) -> SeStep {
    SeStep {
        iter,
        m: x[0],
        q: x[1],
        big_q: x[2],
        mse: rho - 2.0 * x[0] + x[1],
        mean_var: x[2] - x[1],
    }
}
