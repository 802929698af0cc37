//! The precision scaling law of sketched regression (seed 001, the `scaling-law` command): the
//! population risk over a grid of sketch sizes M and step counts N, at full precision and for
//! each quantization scheme and ε; the full-precision law fitted, and each scheme fitted
//! against it (additive error, effective model and data sizes).

use super::sgd::positive_count;
use crate::error::{self, Error, Result};
use crate::lowprec::formats::Rounding;
use crate::lowprec::noise::{Quantizer, Targets};
use crate::lowprec::sgd::Averaging;
use crate::lowprec::sketch::{
    fit_base_law, fit_scheme, rotation_invariant, sketched_risk, BaseLaw, RiskPoint, SchemeFit,
    SketchSettings,
};
use serde::{Deserialize, Serialize};

/// The experiment's settings, with the command line's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ScalingLawSpec {
    /// Ambient dimension d (must exceed every M). Default 1024.
    pub d: usize,
    /// Spectral decay exponent a (> 1 for a finite-trace power law). Default 2.
    pub a: f64,
    /// Label noise σ². Default 0.1.
    pub sigma2: f64,
    /// Constant step γ. Default 0.1.
    pub step: f64,
    /// Batch size. Default 1.
    pub batch: usize,
    /// Sketch sizes M. Default 8, 16, …, 256.
    pub ms: Vec<usize>,
    /// Step counts N. Default 100, 300, 1000, 3000, 10000.
    pub ns: Vec<usize>,
    /// Quantization levels ε (one fit per ε and scheme). Default 0.01.
    pub eps: Vec<f64>,
    /// Schemes besides full precision: `mult-vec`, `add`, `mult-coord` (Monte Carlo only).
    pub schemes: Vec<String>,
    /// Targets the scheme quantizes. Default `data`.
    pub quantize: Vec<String>,
    /// Independent sketches averaged. Default 3.
    pub sketches: usize,
    /// Monte Carlo runs per sketch (per-coordinate scheme only). Default 20.
    pub runs: usize,
    /// Base seed. Default 1.
    pub seed: u64,
}

impl Default for ScalingLawSpec {
    fn default() -> Self {
        ScalingLawSpec {
            d: 1024,
            a: 2.0,
            sigma2: 0.1,
            step: 0.1,
            batch: 1,
            ms: vec![8, 16, 32, 64, 128, 256],
            ns: vec![100, 300, 1000, 3000, 10000],
            eps: vec![0.01],
            schemes: vec!["mult-vec".into(), "add".into()],
            quantize: vec!["data".into()],
            sketches: 3,
            runs: 20,
            seed: 1,
        }
    }
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

fn names(v: &[String]) -> impl Iterator<Item = &str> {
    v.iter().map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// Computes the scaling-law grid and fits.
pub fn run(spec: &ScalingLawSpec) -> Result<ScalingLawReport> {
    let d = positive_count("dimension d", spec.d)?;
    error::positive("spectral exponent a", spec.a)?;
    error::non_negative("noise", spec.sigma2)?;
    error::positive("lr", spec.step)?;
    let (ms, ns) = (&spec.ms, &spec.ns);
    if ms.is_empty() || ns.is_empty() || spec.eps.is_empty() {
        return Err(Error::input(
            "--ms, --ns and --eps need at least one value each",
        ));
    }
    for &m in ms {
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
    for &e in &spec.eps {
        error::non_negative("eps", e)?;
    }
    let st = SketchSettings {
        d,
        a: spec.a,
        sigma2: spec.sigma2,
        batch: positive_count("batch size", spec.batch)?,
        step: spec.step,
        averaging: Averaging::Average,
        sketches: positive_count("number of sketches", spec.sketches)?,
        runs: positive_count("number of runs", spec.runs)?,
        seed: spec.seed,
    };
    // Progress: one step per sketch size of every grid (full precision, each ε and scheme).
    let grids = 1 + spec.eps.len() * names(&spec.schemes).count();
    let steps = crate::parallel::Steps::new((grids * ms.len()) as u64, "scaling law");
    let grid = |targets: &Targets| -> Result<(Vec<RiskPoint>, bool)> {
        let mut pts = Vec::new();
        for &m in ms {
            crate::parallel::check_interrupted()?;
            let r = sketched_risk(&st, m, targets, ns, false)?;
            steps.inc(1);
            for (k, &n) in ns.iter().enumerate() {
                pts.push(RiskPoint {
                    m,
                    n,
                    risk: r[k].0,
                    stderr: r[k].1,
                });
            }
        }
        Ok((pts, rotation_invariant(targets)))
    };
    let (fp_pts, fp_exact) = grid(&Targets::full())?;
    let base = fit_base_law(&fp_pts, spec.a, spec.step, spec.sigma2)?;
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
    for &eps in &spec.eps {
        for name in names(&spec.schemes) {
            let q = Quantizer::parse(&format!("{name}:{eps}"), None, Rounding::Nearest)?;
            if !q.is_abstract() {
                return Err(Error::input(format!(
                    "scaling-law schemes must be noise models, got '{name}'"
                )));
            }
            let mut t = Targets::full();
            for tg in names(&spec.quantize) {
                t.set(tg, q)?;
            }
            let (pts, exact) = grid(&t)?;
            let fit = fit_scheme(&pts, &base, spec.a, spec.step).ok();
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
