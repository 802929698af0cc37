//! `quantreplica validate`: the default panel of theory against AMP, Gibbs sampling and QAT;
//! prints the table and saves it (CSV, JSON) with figures.

use crate::error::{Error, Result};
use crate::report::validate::save_panel;
use crate::spec::ChannelKind;
use crate::validate::{default_panel, run_panel, sign_panel, PanelSettings};
use std::path::PathBuf;

/// Flags of `quantreplica validate`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Output directory of validate_panel.{csv,json,png,svg} and validate_pq.{png,svg}.
    #[arg(
        long = "out-dir",
        alias = "out",
        value_name = "DIR",
        default_value = "figures"
    )]
    pub out_dir: PathBuf,
    /// Seeds per method and point.
    #[arg(long, default_value = "4")]
    pub seeds: usize,
    /// Base seed.
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// N for AMP.
    #[arg(long, default_value = "1000")]
    pub n_amp: usize,
    /// N for the Gibbs sampler [default: 200; 100 with --channel sign, where heat bath
    /// relaxes too slowly at larger N (docs/validation.md)].
    #[arg(long)]
    pub n_gibbs: Option<usize>,
    /// N for QAT.
    #[arg(long, default_value = "500")]
    pub n_qat: usize,
    /// Measured Gibbs sweeps, burn-in half of it [default: 600; 20000 with --channel sign].
    #[arg(long)]
    pub sweeps: Option<usize>,
    /// The panel's output channel: gaussian (regression: AMP, Gibbs and QAT) or sign
    /// (classification: the ±1 perceptron, noisy labels, a 2-bit student and the storage
    /// problem with AMP and Gibbs; docs/validation.md).
    #[arg(long, default_value = "gaussian", value_parser = parse_channel)]
    pub channel: ChannelKind,
    /// Print the table as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_channel(s: &str) -> std::result::Result<ChannelKind, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

/// Runs `validate`.
pub fn run(a: &Args) -> Result<()> {
    if a.seeds == 0 {
        return Err(Error::input("--seeds must be at least 1, got 0"));
    }
    let sign = a.channel == ChannelKind::Sign;
    let base = if sign {
        PanelSettings::sign()
    } else {
        PanelSettings::default()
    };
    let n_gibbs = a.n_gibbs.unwrap_or(base.n_gibbs);
    let sweeps = a.sweeps.unwrap_or(base.gibbs.sweeps);
    for (name, n) in [
        ("--n-amp", a.n_amp),
        ("--n-gibbs", n_gibbs),
        ("--n-qat", a.n_qat),
    ] {
        if n < 2 {
            return Err(Error::input(format!("{name} must be at least 2, got {n}")));
        }
        if n > 20_000 {
            return Err(Error::input(format!(
                "{name} {n} is too large for the panel (at most 20000)"
            )));
        }
    }
    if sweeps == 0 {
        return Err(Error::input("--sweeps must be at least 1, got 0"));
    }
    crate::output::check_dir(&a.out_dir)?;
    let mut st = PanelSettings {
        seeds: a.seeds,
        base_seed: a.seed,
        n_amp: a.n_amp,
        n_gibbs,
        n_qat: a.n_qat,
        ..base
    };
    st.gibbs.sweeps = sweeps;
    st.gibbs.burn_in = sweeps / 2;
    let points = if sign { sign_panel() } else { default_panel() };
    let report = run_panel(&points, &st, !a.json)?;
    save_panel(&report, &a.out_dir)?;
    if a.json {
        return crate::output::print_json(&report);
    }
    if sign {
        println!("validation panel, sign channel (no QAT: the error count has no gradient); N_amp={} N_gibbs={} seeds={}; points:", st.n_amp, st.n_gibbs, st.seeds);
        for (i, p) in report.points.iter().enumerate() {
            if let Some(sp) = &p.sign {
                println!(
                    "  {}: alpha={} teacher={} flip={} labels={:?} bits={} width={} beta={}",
                    i + 1,
                    sp.alpha,
                    sp.teacher,
                    sp.flip,
                    sp.labels,
                    p.bits,
                    p.width,
                    p.beta
                );
            }
        }
    } else {
        println!("validation panel: alpha={} noise={} gaussian teacher, uniform levels; N_amp={} N_gibbs={} N_qat={} seeds={}", st.alpha, st.noise, st.n_amp, st.n_gibbs, st.n_qat, st.seeds);
    }
    println!(
        "{:>2} {:>2} {:>5} {:>4} {:>6} {:>6} {:<6} {:<19} {:>9} {:>9} {:>8} {:>7} {:>6} {:>8} {:>7} {:>4}",
        "#",
        "b",
        "width",
        "beta",
        "stable",
        "l_AT",
        "method",
        "quantity",
        "theory",
        "mean",
        "stderr",
        "z",
        "agree",
        "amp_conv",
        "tau",
        "eq"
    );
    for x in &report.rows {
        let f = |v: f64, p: usize| {
            if v.is_finite() {
                format!("{v:.p$}")
            } else {
                "-".into()
            }
        };
        println!(
            "{:>2} {:>2} {:>5} {:>4} {:>6} {:>6} {:<6} {:<19} {:>9} {:>9} {:>8} {:>7} {:>6} {:>8} {:>7} {:>4}",
            x.point + 1,
            x.bits,
            x.width,
            if x.beta.is_finite() {
                format!("{}", x.beta)
            } else {
                "inf".into()
            },
            x.rs_stable,
            f(x.at_eigenvalue, 2),
            x.method,
            x.quantity,
            f(x.theory, 4),
            f(x.mean, 4),
            f(x.stderr, 4),
            f(x.z, 1),
            if x.agrees { "yes" } else { "NO" },
            f(x.converged_fraction, 2),
            f(x.tau_int, 0),
            if x.method != "gibbs" {
                "-"
            } else if x.equilibrated {
                "yes"
            } else {
                "NO"
            }
        );
    }
    let bad = report.rows.iter().filter(|x| !x.agrees).count();
    println!("amp_conv: fraction of seeds where AMP converged (below 1: AMP's messages keep moving, as expected under RSB)");
    println!("tau: integrated autocorrelation time of the Gibbs training error in sweeps (mean over seeds); eq: burn-in >= {}*tau, measured sweeps >= {}*tau and no drift between the halves of the run (a Gibbs row with eq NO measures the sampler, not the theory); burn-in {} + {} sweeps", crate::validate::EQ_BURN_TAUS, crate::validate::EQ_SWEEP_TAUS, st.gibbs.burn_in, st.gibbs.sweeps);
    let uneq = report
        .rows
        .iter()
        .filter(|x| x.method == "gibbs" && !x.equilibrated)
        .count();
    if uneq > 0 {
        println!(
            "{uneq} Gibbs rows not equilibrated ({} of them disagree)",
            report
                .rows
                .iter()
                .filter(|x| x.method == "gibbs" && !x.equilibrated && !x.agrees)
                .count()
        );
    }
    println!("{bad} of {} rows disagree beyond 3 stderr + allowance (AMP {}, Gibbs {}, QAT {}% of theory)", report.rows.len(), st.allow_amp, st.allow_gibbs, st.allow_qat_rel * 100.0);
    println!(
        "saved {}/validate_panel.{{csv,json,png,svg}}, validate_panel_train.{{png,svg}}, validate_pq.{{png,svg}}",
        a.out_dir.display()
    );
    Ok(())
}
