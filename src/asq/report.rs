//! One ASQ job as the command line (`asq --json`) and the Python package (`qr.asq`) run it:
//! the request (method, objective, bins), the sort, the levels, and the measures of the result.
//! Both front ends call [`run`]; they only read the values and print or convert the [`Report`].

use super::{approx_levels, check_values, check_weights, Approx};
use crate::error::{Error, Result};
use crate::parallel::Steps;
use serde::Serialize;
use std::time::Instant;

/// How the levels are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The fastest exact solver ([`super::exact_levels`]).
    Exact,
    /// The `m`-bin histogram approximation ([`approx_levels`]), no sort.
    Approx,
}

impl Method {
    /// `exact` or `approx`; the retired exact solvers (the reference DPs and the penalty method
    /// on its own, all slower than QUIVER's solver for some s) get their own message.
    pub fn parse(m: &str) -> Result<Method> {
        Ok(match m {
            "exact" => Method::Exact,
            "approx" => Method::Approx,
            "dp" | "smawk" | "smawk2" | "lagrange" => {
                return Err(Error::input(format!(
                    "method '{m}' is retired from the command line (slower than QUIVER's solver; still in the library as a test reference): use exact, the fastest exact solver"
                )))
            }
            _ => {
                return Err(Error::input(format!(
                    "unknown method '{m}' (expected exact or approx)"
                )))
            }
        })
    }

    /// The name [`Method::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Approx => "approx",
        }
    }
}

/// What is minimised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// `Σ w (b − x)(x − a)`.
    Variance,
    /// `max w (b − x)(x − a)`, solved exactly only.
    Worst,
}

impl Objective {
    /// `variance` or `worst`.
    pub fn parse(o: &str) -> Result<Objective> {
        match o {
            "variance" => Ok(Objective::Variance),
            "worst" => Ok(Objective::Worst),
            _ => Err(Error::input(format!(
                "unknown objective '{o}' (expected variance or worst)"
            ))),
        }
    }

    /// The name [`Objective::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Variance => "variance",
            Objective::Worst => "worst",
        }
    }
}

/// One ASQ request: `s` levels by `method` for `objective`, `bins` bins for the approximation.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    /// Number of levels, the minimum and maximum included.
    pub s: usize,
    /// How the levels are found.
    pub method: Method,
    /// What is minimised.
    pub objective: Objective,
    /// Bins of the approximation.
    pub bins: usize,
}

impl Request {
    /// Parses the method and objective names and refuses the worst objective with anything
    /// but the exact method, each with a one-line error naming the value.
    pub fn parse(s: usize, method: &str, objective: &str, bins: usize) -> Result<Request> {
        let m = Method::parse(method)?;
        let objective = Objective::parse(objective)?;
        if objective == Objective::Worst && m != Method::Exact {
            return Err(Error::input(format!(
                "--objective worst is solved exactly only: use --method exact, not '{method}'"
            )));
        }
        Ok(Request {
            s,
            method: m,
            objective,
            bins,
        })
    }
}

/// What `asq --json` prints and `qr.asq` returns (the same keys, in this order).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The levels, sorted and distinct.
    pub levels: Vec<f64>,
    /// Their number.
    pub s: usize,
    /// Number of values.
    pub d: usize,
    /// [`Method::name`].
    pub method: String,
    /// [`Objective::name`].
    pub objective_kind: String,
    /// Σ w (b − x)(x − a), or its largest term for `worst`.
    pub objective: f64,
    /// Σ (b − x)(x − a) / ‖x‖² (unit weights whatever the objective).
    pub vnmse: f64,
    /// Largest single weighted term, max_i w_i (b − x)(x − a).
    pub worst_term: f64,
    /// Seconds of the level-finding algorithm alone.
    pub seconds: f64,
    /// Seconds spent sorting (0 for approx, which does not sort).
    pub sort_seconds: f64,
    /// The approximation's guarantee (approx only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approx: Option<ApproxReport>,
}

/// The approximation's guarantee: objective ≤ OPT(bound_levels) + additive_bound, and
/// objective ≥ OPT(s).
#[derive(Debug, Clone, Serialize)]
pub struct ApproxReport {
    /// Number of bins.
    pub bins: usize,
    /// Width of a bin.
    pub bin_width: f64,
    /// The additive bound on the objective.
    pub additive_bound: f64,
    /// The level count whose optimum the bound is relative to.
    pub bound_levels: usize,
    /// The additive bound divided by ‖x‖² (vNMSE units; ∞ for x = 0).
    pub additive_bound_vnmse: f64,
}

/// The values of one job and whether they are sorted already.
#[derive(Debug)]
pub struct Values {
    /// The values, in any order unless `sorted_in` says otherwise.
    pub x: Vec<f64>,
    /// One weight per value, or none (unit weights).
    pub w: Option<Vec<f64>>,
    /// `Some(seconds)`: `x` is already in [`f64::total_cmp`] order (sorted by the caller in
    /// that time; only without weights), so [`run`] does not sort it again.
    pub sorted_in: Option<f64>,
}

/// Runs one ASQ job: checks the values and weights (one-line errors naming the first bad
/// one), sorts them unless the method does not need it (the objectives reported do not need
/// the input order, so the values are sorted in place), finds the levels, and measures them.
/// `steps` counts 4 steps: the check, the sort, the levels, the measures.
///
/// ```
/// use quantreplica::asq::report::{run, Request, Values};
/// use quantreplica::parallel::Steps;
/// let req = Request::parse(3, "exact", "variance", 1000).unwrap();
/// let x = vec![0.3, 2.0, 0.1, 1.2, 0.0, 1.9, 0.5];
/// let r = run(Values { x, w: None, sorted_in: None }, &req, &Steps::default()).unwrap();
/// assert_eq!((r.levels[0], r.levels[2]), (0.0, 2.0));
/// assert!(Request::parse(3, "approx", "worst", 1000).is_err());
/// ```
pub fn run(values: Values, req: &Request, steps: &Steps) -> Result<Report> {
    let Values {
        mut x,
        mut w,
        sorted_in,
    } = values;
    steps.stage("asq: values");
    check_values("input", &x)?;
    if let Some(w) = &w {
        check_weights(w, x.len())?;
    }
    if sorted_in.is_some() && w.is_some() {
        return Err(Error::input(
            "pre-sorted values are taken without weights only (the weights' order is the values')",
        ));
    }
    steps.inc(1);
    steps.stage("asq: sort");
    let mut approx: Option<Approx> = None;
    let (levels, seconds, sort_seconds) = if req.method == Method::Approx {
        steps.inc(1);
        steps.stage("asq: levels");
        let t = Instant::now();
        let r = approx_levels(&x, w.as_deref(), req.s, req.bins)?;
        let secs = t.elapsed().as_secs_f64();
        let levels = r.levels.clone();
        approx = Some(r);
        (levels, secs, 0.0)
    } else {
        let t = Instant::now();
        match (w.take(), sorted_in) {
            (None, Some(_)) => {}
            (None, None) => super::sort_values(&mut x),
            (Some(wv), _) => {
                let (xs, ws) = super::sort_with_weights(&x, &wv);
                drop(wv);
                x = xs;
                w = Some(ws);
            }
        }
        let sort_secs = t.elapsed().as_secs_f64() + sorted_in.unwrap_or(0.0);
        steps.inc(1);
        steps.stage("asq: levels");
        let (xs, wref) = (&x, w.as_deref());
        let t = Instant::now();
        let levels = match (req.objective, req.method) {
            (Objective::Worst, _) => super::worst_levels(xs, wref, req.s)?,
            (Objective::Variance, _) => super::exact_levels(xs, wref, req.s)?,
        };
        (levels, t.elapsed().as_secs_f64(), sort_secs)
    };
    steps.inc(1);
    steps.stage("asq: measures");
    let sum = super::variance_sum(&x, w.as_deref(), &levels)?;
    let worst_term = super::variance_max(&x, w.as_deref(), &levels)?;
    let vnmse = super::vnmse(&x, &levels)?;
    let norm: f64 = x.iter().map(|v| v * v).sum();
    steps.inc(1);
    Ok(Report {
        s: levels.len(),
        d: x.len(),
        method: req.method.name().into(),
        objective_kind: req.objective.name().into(),
        objective: match req.objective {
            Objective::Worst => worst_term,
            Objective::Variance => sum,
        },
        vnmse,
        worst_term,
        seconds,
        sort_seconds,
        approx: approx.map(|r| ApproxReport {
            bins: req.bins,
            bin_width: r.bin_width,
            additive_bound: r.additive_bound,
            bound_levels: r.bound_levels,
            additive_bound_vnmse: if norm > 0.0 {
                r.additive_bound / norm
            } else {
                f64::INFINITY
            },
        }),
        levels,
    })
}
