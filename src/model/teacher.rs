//! Teacher priors, all represented as finite mixtures of Gaussians and point masses.
//!
//! One representation serves every solver: through the effective scalar channel
//! `ŷ = w0 + sqrt(E/α) z` each component stays Gaussian, with a posterior mean of `w0` linear in
//! `ŷ`, so the RS averages are one-dimensional integrals per component.

use crate::error::{positive, Error, Result};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

/// One mixture component: `w0 ~ N(mean, var)` with probability `weight` (`var = 0`: point mass).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Component {
    /// Mixture weight (the weights sum to one).
    pub weight: f64,
    /// Mean of the component.
    pub mean: f64,
    /// Variance of the component (zero for a point mass).
    pub var: f64,
}

/// The distribution of each teacher weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherPrior {
    /// Human-readable name, e.g. `gaussian(rho=1)`.
    pub name: String,
    components: Vec<Component>,
}

/// Standard normal CDF, `erfc(−x/√2)/2` (accurate in both tails).
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

impl TeacherPrior {
    /// Gaussian teacher `N(0, rho)`.
    pub fn gaussian(rho: f64) -> Result<Self> {
        positive("teacher variance", rho)?;
        Ok(TeacherPrior {
            name: format!("gaussian(rho={rho})"),
            components: vec![Component {
                weight: 1.0,
                mean: 0.0,
                var: rho,
            }],
        })
    }

    /// Binary teacher `±sqrt(rho)` with equal probability.
    pub fn binary(rho: f64) -> Result<Self> {
        positive("teacher variance", rho)?;
        let a = rho.sqrt();
        Ok(TeacherPrior {
            name: format!("binary(+-{a})"),
            components: vec![
                Component {
                    weight: 0.5,
                    mean: -a,
                    var: 0.0,
                },
                Component {
                    weight: 0.5,
                    mean: a,
                    var: 0.0,
                },
            ],
        })
    }

    /// Discrete teacher on `values` with probabilities `probs` (equiprobable when `None`).
    pub fn discrete(values: &[f64], probs: Option<&[f64]>) -> Result<Self> {
        if values.is_empty() {
            return Err(Error::input("discrete teacher needs at least one value"));
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::input(format!(
                "discrete teacher value {v} is not finite"
            )));
        }
        let p: Vec<f64> = match probs {
            None => vec![1.0 / values.len() as f64; values.len()],
            Some(p) => {
                if p.len() != values.len() {
                    return Err(Error::input(format!(
                        "teacher probabilities: {} given for {} values",
                        p.len(),
                        values.len()
                    )));
                }
                if let Some(x) = p.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
                    return Err(Error::input(format!(
                        "teacher probability {x} is not a probability"
                    )));
                }
                let s: f64 = p.iter().sum();
                if (s - 1.0).abs() > 1e-9 {
                    return Err(Error::input(format!(
                        "teacher probabilities sum to {s}, not 1"
                    )));
                }
                p.to_vec()
            }
        };
        let components = values
            .iter()
            .zip(&p)
            .filter(|(_, &w)| w > 0.0)
            .map(|(&mean, &weight)| Component {
                weight,
                mean,
                var: 0.0,
            })
            .collect();
        let t = TeacherPrior {
            name: format!("discrete({values:?})"),
            components,
        };
        if t.second_moment() <= 0.0 {
            return Err(Error::input("discrete teacher is identically zero"));
        }
        Ok(t)
    }

    /// Sparse Gauss–Bernoulli teacher: `0` with probability `1 − f`, else `N(0, rho/f)`, so that
    /// `E[w0²] = rho`.
    pub fn sparse(f: f64, rho: f64) -> Result<Self> {
        positive("teacher variance", rho)?;
        if !(f.is_finite() && f > 0.0 && f <= 1.0) {
            return Err(Error::input(format!(
                "sparse teacher density must be in (0, 1], got {f}"
            )));
        }
        let mut components = vec![Component {
            weight: f,
            mean: 0.0,
            var: rho / f,
        }];
        if f < 1.0 {
            components.push(Component {
                weight: 1.0 - f,
                mean: 0.0,
                var: 0.0,
            });
        }
        Ok(TeacherPrior {
            name: format!("sparse(f={f},rho={rho})"),
            components,
        })
    }

    /// The teacher weight multiplied by `c > 0` (means by `c`, variances by `c²`).
    pub fn scaled(&self, c: f64) -> Self {
        TeacherPrior {
            name: format!("{} scaled by {c}", self.name),
            components: self
                .components
                .iter()
                .map(|k| Component {
                    weight: k.weight,
                    mean: k.mean * c,
                    var: k.var * c * c,
                })
                .collect(),
        }
    }

    /// The mixture components.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// `E[w0]`.
    pub fn mean(&self) -> f64 {
        self.components.iter().map(|c| c.weight * c.mean).sum()
    }

    /// `ρ = E[w0²]`.
    pub fn second_moment(&self) -> f64 {
        self.components
            .iter()
            .map(|c| c.weight * (c.mean * c.mean + c.var))
            .sum()
    }

    /// Whether every component is a point mass.
    pub fn is_discrete(&self) -> bool {
        self.components.iter().all(|c| c.var == 0.0)
    }

    /// Draws one teacher weight.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        let mut acc = 0.0;
        let mut chosen = self.components[self.components.len() - 1];
        for c in &self.components {
            acc += c.weight;
            if u < acc {
                chosen = *c;
                break;
            }
        }
        let z: f64 = StandardNormal.sample(rng);
        chosen.mean + chosen.var.sqrt() * z
    }

    /// Cumulative distribution function.
    pub fn cdf(&self, x: f64) -> f64 {
        self.components
            .iter()
            .map(|c| {
                let p = if c.var > 0.0 {
                    norm_cdf((x - c.mean) / c.var.sqrt())
                } else if x >= c.mean {
                    1.0
                } else {
                    0.0
                };
                c.weight * p
            })
            .sum()
    }

    /// `E[w0 · 1{a < w0 ≤ b}]` and `P(a < w0 ≤ b)` for a cell (infinite ends allowed).
    pub fn cell_moments(&self, a: f64, b: f64) -> (f64, f64) {
        let mut first = 0.0;
        let mut prob = 0.0;
        for c in &self.components {
            if c.var > 0.0 {
                let sd = c.var.sqrt();
                let (za, zb) = ((a - c.mean) / sd, (b - c.mean) / sd);
                let p = norm_cdf(zb) - norm_cdf(za);
                prob += c.weight * p;
                first += c.weight * (c.mean * p + sd * (norm_pdf(za) - norm_pdf(zb)));
            } else if c.mean > a && c.mean <= b {
                prob += c.weight;
                first += c.weight * c.mean;
            }
        }
        (first, prob)
    }

    /// Quantile function (bisection on the CDF; for atoms, the smallest x with CDF ≥ p).
    pub fn quantile(&self, p: f64) -> f64 {
        let sd = self.second_moment().sqrt();
        let (mut lo, mut hi) = (-40.0 * sd - 1.0, 40.0 * sd + 1.0);
        for c in &self.components {
            lo = lo.min(c.mean - 1.0);
            hi = hi.max(c.mean + 1.0);
        }
        // Bisection to machine precision: robust for mixtures with atoms, where the CDF jumps.
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if self.cdf(mid) >= p {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }
}
