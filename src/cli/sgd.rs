//! `sgd`, `scaling-law` and `shrinkage` subcommands (issue 5): low-precision SGD for linear
//! regression, the precision scaling law of sketched regression (seed 001) and gradient
//! shrinkage (seed 003). All numbers come from [`crate::lowprec`].

use crate::error::{self, Error, Result};
use crate::lowprec::exact::{exact_risk, exact_unavailable, zou_bound, ExactRisk, ZouBound};
use crate::lowprec::formats::Rounding;
use crate::lowprec::noise::{Quantizer, Targets};
use crate::lowprec::sgd::{
    log_checkpoints, simulate, Averaging, Problem, Schedule, SgdConfig, Shrink, Simulation, WStar,
};
use crate::lowprec::shrinkage::{bound_check, time_to_target, BoundCheck};
use crate::lowprec::sketch::{
    fit_base_law, fit_scheme, sketched_risk, BaseLaw, RiskPoint, SchemeFit, SketchSettings,
};
use serde::Serialize;

/// A positive integer given as a signed number so that `-3` or `0` get our one-line message.
fn count(name: &str, v: i64) -> Result<usize> {
    if v <= 0 {
        return Err(Error::input(format!(
            "{name} must be a positive integer, got {v}"
        )));
    }
    Ok(v as usize)
}

fn parse_list<T: std::str::FromStr>(name: &str, s: &str) -> Result<Vec<T>> {
    s.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim()
                .parse::<T>()
                .map_err(|_| Error::input(format!("{name}: '{}' is not a valid number", t.trim())))
        })
        .collect()
}

/// The problem and optimizer flags shared by the subcommands.
#[derive(Debug, Clone, clap::Args)]
pub struct ProblemArgs {
    /// Dimension d (H = diag(i^−a), i = 1..d).
    #[arg(
        long,
        short = 'd',
        allow_negative_numbers = true,
        default_value = "100"
    )]
    pub d: i64,
    /// Spectral decay exponent a (> 0).
    #[arg(
        long,
        short = 'a',
        allow_negative_numbers = true,
        default_value = "1.5"
    )]
    pub a: f64,
    /// Label noise variance σ² (≥ 0).
    #[arg(long, allow_negative_numbers = true, default_value = "0.1")]
    pub sigma2: f64,
    /// Target w*: `ones` or `power:B` (λ_i w*_i² = i^−B).
    #[arg(long, default_value = "ones")]
    pub wstar: String,
    /// Batch size B.
    #[arg(long, short = 'b', allow_negative_numbers = true, default_value = "1")]
    pub batch: i64,
    /// Base step size γ (> 0).
    #[arg(long, allow_negative_numbers = true, default_value = "0.1")]
    pub step: f64,
    /// Number of steps N (one pass: N·B samples).
    #[arg(
        long,
        short = 'n',
        allow_negative_numbers = true,
        default_value = "1000"
    )]
    pub steps: i64,
    /// Step schedule: constant, inverse:T0, poly:P, stepdecay:K.
    #[arg(long, default_value = "constant")]
    pub schedule: String,
    /// Reported iterate: last, average, tail (second half) or tail:S.
    #[arg(long, default_value = "last")]
    pub iterate: String,
    /// Independent runs (Monte Carlo).
    #[arg(long, allow_negative_numbers = true, default_value = "100")]
    pub runs: i64,
    /// Base seed; run r uses a stream derived from (seed, r).
    #[arg(long, default_value = "1")]
    pub seed: u64,
}

impl ProblemArgs {
    fn problem(&self) -> Result<Problem> {
        let d = count("dimension d", self.d)?;
        Problem::power_law(d, self.a, self.sigma2, WStar::parse(&self.wstar)?)
    }
    fn config(&self, targets: Targets) -> Result<SgdConfig> {
        let steps = count("number of steps", self.steps)?;
        let cfg = SgdConfig {
            problem: self.problem()?,
            batch: count("batch size", self.batch)?,
            step: error::positive("step size", self.step)?,
            steps,
            schedule: Schedule::parse(&self.schedule)?,
            averaging: Averaging::parse(&self.iterate, steps)?,
            targets,
            shrink: None,
            grad_format: None,
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

/// Flags of `quantreplica sgd`.
#[derive(Debug, Clone, clap::Args)]
pub struct SgdArgs {
    /// Problem and optimizer.
    #[command(flatten)]
    pub p: ProblemArgs,
    /// Targets quantized with `--noise`: comma list of data, labels, params, acts, grads, all.
    #[arg(long, default_value = "")]
    pub quantize: String,
    /// Quantizer for `--quantize`: mult (= mult-coord), mult-coord, mult-vec, add, intB,
    /// `int:B:STEP`, e2m1, e4m3, e5m2, fp16, bf16, `eXmY[:SCALE]`.
    #[arg(long, default_value = "mult-coord")]
    pub noise: String,
    /// Noise level ε of the abstract models (Var ζ or Var δ_i, ≥ 0).
    #[arg(long, allow_negative_numbers = true)]
    pub eps: Option<f64>,
    /// Rounding of bit-level formats: nearest or stochastic.
    #[arg(long, default_value = "nearest")]
    pub rounding: String,
    /// Per-target quantizer TARGET=SPEC (repeatable), e.g. `--q data=add:0.01`.
    #[arg(long = "q")]
    pub per_target: Vec<String>,
    /// Gradient shrinkage factor q ∈ (0, 1] (seed 003): the update uses q·g + ε.
    #[arg(long, allow_negative_numbers = true)]
    pub shrink_q: Option<f64>,
    /// Variance of each coordinate of the gradient noise ε (with --shrink-q).
    #[arg(long, allow_negative_numbers = true, default_value = "0")]
    pub grad_noise: f64,
    /// Compensate shrinkage by dividing the step by q.
    #[arg(long)]
    pub compensate: bool,
    /// Quantize the whole gradient vector with this format before the update (e.g. e4m3).
    #[arg(long)]
    pub grad_format: Option<String>,
    /// Also compute the exact expected risk (abstract noise models only).
    #[arg(long)]
    pub exact: bool,
    /// Exact risk only, no simulation.
    #[arg(long)]
    pub no_sim: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn build_targets(a: &SgdArgs, rounding: Rounding) -> Result<Targets> {
    if let Some(e) = a.eps {
        error::non_negative("eps", e)?;
    }
    let mut t = Targets::full();
    let names: Vec<&str> = a
        .quantize
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !names.is_empty() {
        let q = Quantizer::parse(&a.noise, a.eps, rounding)?;
        for n in names {
            t.set(n, q)?;
        }
    } else {
        // Validate --noise even when unused, so a typo is not silently ignored.
        Quantizer::parse(&a.noise, a.eps.or(Some(0.0)), rounding)?;
    }
    for spec in &a.per_target {
        let (target, q) = spec
            .split_once('=')
            .ok_or_else(|| Error::input(format!("--q '{spec}' must look like TARGET=SPEC")))?;
        t.set(target, Quantizer::parse(q, a.eps, rounding)?)?;
    }
    Ok(t)
}

/// JSON of `sgd --json`.
#[derive(Debug, Serialize)]
struct SgdJson<'a> {
    d: usize,
    a: f64,
    sigma2: f64,
    batch: usize,
    step: f64,
    steps: usize,
    schedule: Schedule,
    iterate: Averaging,
    targets: BTreeTargets,
    runs: usize,
    seed: u64,
    initial_risk: f64,
    excess_risk: Option<&'a crate::lowprec::sgd::RiskStats>,
    diverged: bool,
    status: &'static str,
    diverged_runs: usize,
    exact_risk: Option<f64>,
    exact_status: Option<&'static str>,
    exact_note: Option<String>,
    exact_mean_part: Option<f64>,
    zou_bound_full_precision: Option<ZouBound>,
    q_measured: Option<(f64, f64)>,
}

#[derive(Debug, Serialize)]
struct BTreeTargets {
    data: String,
    labels: String,
    params: String,
    acts: String,
    grads: String,
}

impl From<&Targets> for BTreeTargets {
    fn from(t: &Targets) -> Self {
        BTreeTargets {
            data: t.data.label(),
            labels: t.labels.label(),
            params: t.params.label(),
            acts: t.acts.label(),
            grads: t.grads.label(),
        }
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.6e}")).unwrap_or_else(|| "—".into())
}

/// Runs `sgd`.
pub fn run_sgd(a: &SgdArgs) -> Result<()> {
    let rounding = Rounding::parse(&a.rounding)?;
    let targets = build_targets(a, rounding)?;
    let mut cfg = a.p.config(targets)?;
    let runs = count("number of runs", a.p.runs)?;
    error::non_negative("grad-noise", a.grad_noise)?;
    if let Some(q) = a.shrink_q {
        cfg.shrink = Some(Shrink {
            q,
            noise_var: a.grad_noise,
            compensate: a.compensate,
        });
    } else if a.grad_noise > 0.0 || a.compensate {
        cfg.shrink = Some(Shrink {
            q: 1.0,
            noise_var: a.grad_noise,
            compensate: a.compensate,
        });
    }
    if let Some(f) = &a.grad_format {
        cfg.grad_format = Some(Quantizer::parse(f, a.eps, rounding)?);
    }
    cfg.validate()?;
    let sim: Option<Simulation> = if a.no_sim {
        None
    } else {
        Some(simulate(&cfg, runs, a.p.seed, &[])?)
    };
    let (exact, note): (Option<ExactRisk>, Option<String>) = if a.exact || a.no_sim {
        match exact_unavailable(&cfg) {
            None => (Some(exact_risk(&cfg, &[])?), None),
            Some(why) => (None, Some(why)),
        }
    } else {
        (None, None)
    };
    let zou = (cfg.schedule == Schedule::Constant && cfg.batch == 1)
        .then(|| {
            zou_bound(
                &cfg.problem.lambda,
                &cfg.problem.wstar,
                cfg.problem.sigma2,
                cfg.step,
                cfg.steps,
            )
        })
        .flatten();
    let sim_div = sim.as_ref().map(|s| s.diverged_runs > 0).unwrap_or(false);
    let ex_div = exact.as_ref().map(|e| e.risk.is_none()).unwrap_or(false);
    let status = if sim_div || ex_div { "diverged" } else { "ok" };
    if a.json {
        return crate::output::print_json(&SgdJson {
            d: cfg.problem.dim(),
            a: a.p.a,
            sigma2: cfg.problem.sigma2,
            batch: cfg.batch,
            step: cfg.step,
            steps: cfg.steps,
            schedule: cfg.schedule,
            iterate: cfg.averaging,
            targets: (&cfg.targets).into(),
            runs,
            seed: a.p.seed,
            initial_risk: cfg.problem.initial_risk(),
            excess_risk: sim.as_ref().map(|s| &s.excess_risk),
            diverged: status == "diverged",
            status,
            diverged_runs: sim.as_ref().map(|s| s.diverged_runs).unwrap_or(0),
            exact_risk: exact.as_ref().and_then(|e| e.risk),
            exact_status: exact.as_ref().map(|e| e.status),
            exact_note: note,
            exact_mean_part: exact.as_ref().and_then(|e| e.mean_part),
            zou_bound_full_precision: zou,
            q_measured: sim.as_ref().and_then(|s| s.q_measured),
        });
    }
    let t = BTreeTargets::from(&cfg.targets);
    println!(
        "SGD d={} a={} sigma2={} B={} step={} N={} schedule={:?} iterate={:?}",
        cfg.problem.dim(),
        a.p.a,
        cfg.problem.sigma2,
        cfg.batch,
        cfg.step,
        cfg.steps,
        cfg.schedule,
        cfg.averaging
    );
    println!(
        "quantizers: data={} labels={} params={} acts={} grads={}",
        t.data, t.labels, t.params, t.acts, t.grads
    );
    if let Some(s) = &sim {
        println!(
            "excess risk (Monte Carlo, {runs} runs): {} ± {}  [{} diverged]",
            opt(s.excess_risk.mean),
            opt(s.excess_risk.stderr),
            s.diverged_runs
        );
        if let Some((q, sd)) = s.q_measured {
            println!("measured gradient shrinkage q = {q:.4} (spread {sd:.4})");
        }
    }
    if let Some(e) = &exact {
        println!("exact expected excess risk: {} ({})", opt(e.risk), e.status);
    }
    if let Some(n) = note {
        println!("exact risk unavailable: {n}");
    }
    if let Some(z) = zou {
        println!(
            "Zou et al. bound (full precision, averaged iterate): {:.6e} (k* = {})",
            z.bound, z.k_star
        );
    }
    println!("status: {status}");
    Ok(())
}

/// Flags of `quantreplica scaling-law`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScalingLawArgs {
    /// Ambient dimension d (must exceed every M).
    #[arg(
        long,
        short = 'd',
        allow_negative_numbers = true,
        default_value = "1024"
    )]
    pub d: i64,
    /// Spectral decay exponent a (> 1 for a finite-trace power law).
    #[arg(long, short = 'a', allow_negative_numbers = true, default_value = "2")]
    pub a: f64,
    /// Label noise σ².
    #[arg(long, allow_negative_numbers = true, default_value = "0.1")]
    pub sigma2: f64,
    /// Constant step γ.
    #[arg(long, allow_negative_numbers = true, default_value = "0.1")]
    pub step: f64,
    /// Batch size.
    #[arg(long, allow_negative_numbers = true, default_value = "1")]
    pub batch: i64,
    /// Sketch sizes M (comma list).
    #[arg(long, default_value = "8,16,32,64,128,256")]
    pub ms: String,
    /// Step counts N (comma list).
    #[arg(long, default_value = "100,300,1000,3000,10000")]
    pub ns: String,
    /// Quantization level ε (comma list: one fit per ε and scheme).
    #[arg(long, allow_negative_numbers = true, default_value = "0.01")]
    pub eps: String,
    /// Schemes besides full precision: mult-vec, add, mult-coord (Monte Carlo only).
    #[arg(long, default_value = "mult-vec,add")]
    pub schemes: String,
    /// Targets the scheme quantizes (comma list).
    #[arg(long, default_value = "data")]
    pub quantize: String,
    /// Independent sketches averaged.
    #[arg(long, allow_negative_numbers = true, default_value = "3")]
    pub sketches: i64,
    /// Monte Carlo runs per sketch (per-coordinate scheme only).
    #[arg(long, allow_negative_numbers = true, default_value = "20")]
    pub runs: i64,
    /// Base seed.
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// One scheme's measured risks and fit.
#[derive(Debug, Clone, Serialize)]
pub struct SchemeResult {
    /// Scheme name with ε.
    pub scheme: String,
    /// ε.
    pub eps: f64,
    /// Whether the risks are exact (rotated recursion) or Monte Carlo.
    pub exact: bool,
    /// (M, N, risk) grid.
    pub points: Vec<RiskPoint>,
    /// Fit against the full-precision law (`None` for full precision itself).
    pub fit: Option<SchemeFit>,
    /// Effective model size κ_M·M at the largest M.
    pub effective_model_size: Option<f64>,
    /// Effective data size κ_N·N at the largest N.
    pub effective_data_size: Option<f64>,
}

/// Output of the scaling-law experiment.
#[derive(Debug, Clone, Serialize)]
pub struct ScalingLawReport {
    /// Settings.
    pub settings: SketchSettings,
    /// Full-precision law.
    pub base_law: BaseLaw,
    /// Full precision and every scheme.
    pub schemes: Vec<SchemeResult>,
}

/// Computes the scaling-law grid and fits (library entry point of `scaling-law`).
pub fn scaling_law_report(a: &ScalingLawArgs) -> Result<ScalingLawReport> {
    let d = count("dimension d", a.d)?;
    error::positive("spectral exponent a", a.a)?;
    error::non_negative("sigma2", a.sigma2)?;
    error::positive("step size", a.step)?;
    let ms: Vec<usize> = parse_list("--ms", &a.ms)?;
    let ns: Vec<usize> = parse_list("--ns", &a.ns)?;
    let epss: Vec<f64> = parse_list("--eps", &a.eps)?;
    if ms.is_empty() || ns.is_empty() || epss.is_empty() {
        return Err(Error::input(
            "--ms, --ns and --eps need at least one value each",
        ));
    }
    for &m in &ms {
        if m == 0 || m >= d {
            return Err(Error::input(format!(
                "sketch size M must satisfy 1 ≤ M < d = {d}, got {m}"
            )));
        }
    }
    if ns.contains(&0) {
        return Err(Error::input(
            "every N in --ns must be a positive integer, got 0",
        ));
    }
    for &e in &epss {
        error::non_negative("eps", e)?;
    }
    let st = SketchSettings {
        d,
        a: a.a,
        sigma2: a.sigma2,
        batch: count("batch size", a.batch)?,
        step: a.step,
        averaging: Averaging::Average,
        sketches: count("number of sketches", a.sketches)?,
        runs: count("number of runs", a.runs)?,
        seed: a.seed,
    };
    let grid = |targets: &Targets| -> Result<(Vec<RiskPoint>, bool)> {
        let mut pts = Vec::new();
        let exact = crate::lowprec::sketch::rotation_invariant(targets);
        for &m in &ms {
            let r = sketched_risk(&st, m, targets, &ns, false)?;
            for (k, &n) in ns.iter().enumerate() {
                pts.push(RiskPoint {
                    m,
                    n,
                    risk: r[k].0,
                    stderr: r[k].1,
                });
            }
        }
        Ok((pts, exact))
    };
    let (fp_pts, fp_exact) = grid(&Targets::full())?;
    let base = fit_base_law(&fp_pts, a.a, a.step, a.sigma2)?;
    let mut schemes = vec![SchemeResult {
        scheme: "full".into(),
        eps: 0.0,
        exact: fp_exact,
        points: fp_pts,
        fit: None,
        effective_model_size: None,
        effective_data_size: None,
    }];
    let mmax = *ms.iter().max().unwrap_or(&1) as f64;
    let nmax = *ns.iter().max().unwrap_or(&1) as f64;
    for &eps in &epss {
        for name in a
            .schemes
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let q = Quantizer::parse(&format!("{name}:{eps}"), None, Rounding::Nearest)?;
            if !q.is_abstract() {
                return Err(Error::input(format!(
                    "scaling-law schemes must be noise models, got '{name}'"
                )));
            }
            let mut t = Targets::full();
            for tg in a
                .quantize
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                t.set(tg, q)?;
            }
            let (pts, exact) = grid(&t)?;
            let fit = fit_scheme(&pts, &base, a.a, a.step).ok();
            schemes.push(SchemeResult {
                scheme: q.label(),
                eps,
                exact,
                points: pts,
                effective_model_size: fit.map(|f| f.model_factor * mmax),
                effective_data_size: fit.map(|f| f.data_factor * nmax),
                fit,
            });
        }
    }
    Ok(ScalingLawReport {
        settings: st,
        base_law: base,
        schemes,
    })
}

/// Runs `scaling-law`.
pub fn run_scaling_law(a: &ScalingLawArgs) -> Result<()> {
    let r = scaling_law_report(a)?;
    if a.json {
        return crate::output::print_json(&r);
    }
    let b = r.base_law;
    println!(
        "full-precision law: risk ≈ {:.4e} + {:.4e}·M^(1−a) + {:.4e}·(Nγ)^((1−a)/a)   (rms log residual {:.3})",
        b.e0, b.c1, b.c2, b.rms_log_residual
    );
    println!(
        "{:<18} {:>6} {:>12} {:>10} {:>10} {:>10}",
        "scheme", "exact", "E_q", "M_eff/M", "N_eff/N", "rms"
    );
    for s in &r.schemes {
        match s.fit {
            Some(f) => println!(
                "{:<18} {:>6} {:>12.4e} {:>10.4} {:>10.4} {:>10.3}",
                s.scheme,
                s.exact,
                f.additive_error,
                f.model_factor,
                f.data_factor,
                f.rms_log_residual
            ),
            None => println!(
                "{:<18} {:>6} {:>12} {:>10} {:>10} {:>10}",
                s.scheme, s.exact, "0", "1", "1", "-"
            ),
        }
    }
    Ok(())
}

/// Flags of `quantreplica shrinkage`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShrinkageArgs {
    /// Problem and optimizer (the step is the nominal μ).
    #[command(flatten)]
    pub p: ProblemArgs,
    /// Shrinkage factors q (comma list, each in (0, 1]).
    #[arg(long, default_value = "1,0.5,0.25")]
    pub qs: String,
    /// Variance of each coordinate of the gradient noise ε.
    #[arg(long, allow_negative_numbers = true, default_value = "0")]
    pub grad_noise: f64,
    /// Target excess risk for the time-to-target comparison (default: 1% of the initial risk).
    #[arg(long, allow_negative_numbers = true)]
    pub target: Option<f64>,
    /// Real formats whose round-to-nearest gradient shrinkage is measured (comma list).
    #[arg(long, default_value = "e4m3,e5m2,e2m1")]
    pub formats: String,
    /// Scale applied to the gradient before a format rounds it (small values push gradients
    /// into the subnormal/underflow range, where round-to-nearest shrinks them).
    #[arg(long, allow_negative_numbers = true, default_value = "1")]
    pub grad_scale: f64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// One q's convergence.
#[derive(Debug, Clone, Serialize)]
pub struct ShrinkRow {
    /// Shrinkage factor.
    pub q: f64,
    /// Step divided by q.
    pub compensated: bool,
    /// Exact iterations to reach the target.
    pub time_exact: Option<f64>,
    /// Monte Carlo iterations to reach the target (mean curve).
    pub time_mc: Option<f64>,
    /// time_exact·q / time_exact(q = 1): ≈ 1 when the time scales as 1/q.
    pub time_times_q_ratio: Option<f64>,
    /// Final exact excess risk.
    pub final_exact: Option<f64>,
    /// Final Monte Carlo excess risk (mean, stderr).
    pub final_mc: (Option<f64>, Option<f64>),
    /// Convergence bound check.
    pub bound: Option<BoundCheck>,
    /// Checkpoints.
    pub checkpoints: Vec<usize>,
    /// Exact curve.
    pub curve_exact: Vec<f64>,
    /// Monte Carlo mean curve.
    pub curve_mc: Vec<f64>,
}

/// A real format's measured shrinkage.
#[derive(Debug, Clone, Serialize)]
pub struct FormatShrink {
    /// Format.
    pub format: String,
    /// Mean measured q along the runs.
    pub q_measured: Option<f64>,
    /// Monte Carlo final risk with the format.
    pub risk_mc: Option<f64>,
    /// Its standard error.
    pub risk_mc_stderr: Option<f64>,
    /// Exact risk of full-precision SGD with step μ·q_measured (the shrinkage model's prediction).
    pub risk_shrinkage_model: Option<f64>,
}

/// Output of `shrinkage`.
#[derive(Debug, Clone, Serialize)]
pub struct ShrinkageReport {
    /// Target risk.
    pub target: f64,
    /// One row per q, uncompensated then compensated.
    pub rows: Vec<ShrinkRow>,
    /// Real formats.
    pub formats: Vec<FormatShrink>,
}

/// Computes the shrinkage experiment (library entry point of `shrinkage`).
pub fn shrinkage_report(a: &ShrinkageArgs) -> Result<ShrinkageReport> {
    let base = a.p.config(Targets::full())?;
    let runs = count("number of runs", a.p.runs)?;
    error::non_negative("grad-noise", a.grad_noise)?;
    error::positive("grad-scale", a.grad_scale)?;
    let qs: Vec<f64> = parse_list("--qs", &a.qs)?;
    if qs.is_empty() {
        return Err(Error::input("--qs needs at least one value"));
    }
    let target = match a.target {
        Some(t) => error::positive("target risk", t)?,
        None => 0.01 * base.problem.initial_risk(),
    };
    let cks = log_checkpoints(base.steps, 60);
    let mut rows = Vec::new();
    let mut t1: Option<f64> = None;
    for compensate in [false, true] {
        for &q in &qs {
            let mut cfg = base.clone();
            cfg.shrink = Some(Shrink {
                q,
                noise_var: a.grad_noise,
                compensate,
            });
            cfg.validate()?;
            let ex = exact_risk(&cfg, &cks)?;
            let sim = simulate(&cfg, runs, a.p.seed, &cks)?;
            let te = time_to_target(&ex.checkpoints, &ex.curve, target);
            if !compensate && (q - 1.0).abs() < 1e-15 {
                t1 = te;
            }
            rows.push(ShrinkRow {
                q,
                compensated: compensate,
                time_exact: te,
                time_mc: time_to_target(&sim.checkpoints, &sim.curve_mean, target),
                time_times_q_ratio: None,
                final_exact: ex.risk,
                final_mc: (sim.excess_risk.mean, sim.excess_risk.stderr),
                bound: if cfg.schedule == Schedule::Constant {
                    bound_check(&cfg).ok()
                } else {
                    None
                },
                checkpoints: ex.checkpoints.clone(),
                curve_exact: ex.curve.clone(),
                curve_mc: sim.curve_mean.clone(),
            });
        }
    }
    if let Some(t1) = t1 {
        for r in rows.iter_mut().filter(|r| !r.compensated) {
            r.time_times_q_ratio = r.time_exact.map(|t| t * r.q / t1);
        }
    }
    let mut formats = Vec::new();
    for f in a
        .formats
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let q = Quantizer::parse(&format!("{f}:{}", a.grad_scale), None, Rounding::Nearest)?;
        let mut cfg = base.clone();
        cfg.grad_format = Some(q);
        let sim = simulate(&cfg, runs, a.p.seed, &[])?;
        let qm = sim.q_measured.map(|x| x.0);
        let model = match qm {
            Some(qv) if qv > 0.0 && qv <= 1.0 => {
                let mut c2 = base.clone();
                c2.shrink = Some(Shrink {
                    q: qv,
                    noise_var: 0.0,
                    compensate: false,
                });
                exact_risk(&c2, &[])?.risk
            }
            _ => None,
        };
        formats.push(FormatShrink {
            format: q.label(),
            q_measured: qm,
            risk_mc: sim.excess_risk.mean,
            risk_mc_stderr: sim.excess_risk.stderr,
            risk_shrinkage_model: model,
        });
    }
    Ok(ShrinkageReport {
        target,
        rows,
        formats,
    })
}

/// Runs `shrinkage`.
pub fn run_shrinkage(a: &ShrinkageArgs) -> Result<()> {
    let r = shrinkage_report(a)?;
    if a.json {
        return crate::output::print_json(&r);
    }
    println!("target excess risk {:.4e}", r.target);
    println!(
        "{:>6} {:>5} {:>12} {:>12} {:>10} {:>12} {:>12} {:>12}",
        "q", "comp", "t_exact", "t_mc", "t·q/t1", "final", "avg|∇f|²", "bound"
    );
    for row in &r.rows {
        let f = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into());
        println!(
            "{:>6} {:>5} {:>12} {:>12} {:>10} {:>12} {:>12} {:>12}",
            row.q,
            row.compensated,
            f(row.time_exact),
            f(row.time_mc),
            row.time_times_q_ratio
                .map(|x| format!("{x:.3}"))
                .unwrap_or_else(|| "—".into()),
            opt(row.final_exact),
            opt(row.bound.map(|b| b.avg_grad_norm2)),
            opt(row.bound.map(|b| b.bound)),
        );
    }
    for f in &r.formats {
        println!(
            "format {:<8} measured q = {}  risk (MC) = {} ± {}  shrinkage-model prediction = {}",
            f.format,
            f.q_measured
                .map(|q| format!("{q:.4}"))
                .unwrap_or_else(|| "—".into()),
            opt(f.risk_mc),
            opt(f.risk_mc_stderr),
            opt(f.risk_shrinkage_model)
        );
    }
    Ok(())
}
