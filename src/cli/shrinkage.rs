//! `quantreplica shrinkage`: SGD under gradient shrinkage (seed 003). The numbers come from
//! [`crate::experiments::shrinkage`].

use super::sgd::{names, opt, parse_list, ProblemArgs};
use crate::error::Result;
use crate::experiments::shrinkage::{run, ShrinkageSpec};

/// Flags of `quantreplica shrinkage`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShrinkageArgs {
    /// Problem and optimizer (the step is the nominal μ).
    #[command(flatten)]
    pub p: ProblemArgs,
    /// Shrinkage factors q (comma list, each in (0, 1]).
    #[arg(long, allow_hyphen_values = true, default_value = "1,0.5,0.25")]
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

impl ShrinkageArgs {
    /// The experiment's flags as settings.
    pub fn spec(&self) -> Result<ShrinkageSpec> {
        Ok(ShrinkageSpec {
            qs: parse_list("--qs", &self.qs)?,
            grad_noise: self.grad_noise,
            target: self.target,
            formats: names(&self.formats),
            grad_scale: self.grad_scale,
        })
    }
}

/// Runs `shrinkage`.
pub fn run_shrinkage(a: &ShrinkageArgs) -> Result<()> {
    let spec = a.spec()?;
    let r = run(&a.p.spec()?, &spec)?;
    if a.json {
        return crate::output::print_json(&r);
    }
    println!("target excess risk {:.4e}", r.target);
    println!(
        "{:>6} {:>5} {:>12} {:>12} {:>10} {:>12} {:>12} {:>12}",
        "q", "comp", "t_exact", "t_mc", "t·q/t1", "final", "avg|∇f|²", "bound"
    );
    let f1 = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into());
    for row in &r.rows {
        println!(
            "{:>6} {:>5} {:>12} {:>12} {:>10} {:>12} {:>12} {:>12}",
            row.q,
            row.compensated,
            f1(row.time_exact),
            f1(row.time_mc),
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
