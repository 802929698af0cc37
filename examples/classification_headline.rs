//! Headline results of the sign channel (`docs/classification.md`), as tables on stdout and
//! figures in `figures/`:
//! 1. the storage capacity of the b-bit perceptron, b = 1…4 (RS capacity, zero of the RS
//!    entropy, λ_AT there);
//! 2. the ±1 teacher–student learning curve at β = ∞: the poor-generalization branch, the
//!    perfect branch `m = 1`, the first-order transition, the spinodal, and AMP at N = 2000;
//! 3. the optimal width of a b-bit student of a Gaussian teacher (ridge prior λ = 1).
//!
//! `cargo run --release --example classification_headline [OUT_DIR]`

use quantreplica::amp::AmpOptions;
use quantreplica::experiments::widths::{optimal_widths, Objective};
use quantreplica::model::OutputChannel;
use quantreplica::model::{Channel, LevelSet, Model, SignChannel, Student, TeacherPrior};
use quantreplica::optimize::brent_root;
use quantreplica::parallel::RunOptions;
use quantreplica::report::plot::{save, LineChart, Mark, Series};
use quantreplica::rs::capacity::rs_capacity;
use quantreplica::rs::{solve_from, RsSolution, SolverOptions};
use quantreplica::spec::{ChannelKind, ModelSpec};
use quantreplica::validate::{run_amp, RunSpec, Source};
use std::path::PathBuf;

const INF: f64 = f64::INFINITY;

fn model(alpha: f64, ch: SignChannel, student: Student, teacher: TeacherPrior, beta: f64) -> Model {
    Model::with_channel(alpha, Channel::Sign(ch), beta, 0.0, student, teacher).unwrap()
}

fn bits(b: u32) -> Student {
    Student::Discrete(LevelSet::uniform(b, 1.0).unwrap())
}

fn storage(b: u32, alpha: f64) -> Model {
    model(
        alpha,
        SignChannel::storage(0.0),
        bits(b),
        TeacherPrior::binary(1.0).unwrap(),
        INF,
    )
}

fn ising(alpha: f64, beta: f64) -> Model {
    model(
        alpha,
        SignChannel::teacher(),
        bits(1),
        TeacherPrior::binary(1.0).unwrap(),
        beta,
    )
}

/// The fixed point from the uninformed start `m = q = 0`, `Q = E[s²]` of the counting measure.
fn uninformed(m: &Model) -> Option<RsSolution> {
    let q0 = m.student.levels().map_or(1.0, |l| {
        l.values().iter().map(|v| v * v).sum::<f64>() / l.len() as f64
    });
    solve_from(m, [0.0, 0.0, q0], &SolverOptions::default()).filter(|s| s.status.is_converged())
}

fn main() -> quantreplica::Result<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    std::fs::create_dir_all(&out)?;

    // 1. Storage capacity of the b-bit perceptron.
    println!(
        "storage capacity of the b-bit perceptron (uniform levels, counting measure, kappa = 0)"
    );
    println!(
        "{:>4} {:>12} {:>14} {:>12}",
        "bits", "alpha_c^RS", "alpha_s=0", "lambda_AT"
    );
    let mut cap_rows = Vec::new();
    for b in 1..=4u32 {
        let rs_c = rs_capacity(&bits(b), 0.0)?.alpha;
        let s = |a: f64| {
            uninformed(&storage(b, a))
                .and_then(|r| r.entropy)
                .unwrap_or(f64::NAN)
        };
        // The entropy falls from log 2^b at α = 0 through zero below α_c^RS.
        let mut hi = 0.5;
        while s(hi) > 0.0 && hi < rs_c {
            hi += 0.05 * rs_c;
        }
        let zero = brent_root(s, hi - 0.05 * rs_c, hi.min(0.999 * rs_c), 1e-9)?;
        let lat = uninformed(&storage(b, zero)).map_or(f64::NAN, |r| r.at_eigenvalue);
        println!("{b:>4} {rs_c:>12.6} {zero:>14.6} {lat:>12.4}");
        cap_rows.push((b, rs_c, zero, lat));
    }
    let mut csv = String::from("bits,rs_capacity,zero_entropy_capacity,at_eigenvalue\n");
    for (b, c, z, l) in &cap_rows {
        csv.push_str(&format!("{b},{c},{z},{l}\n"));
    }
    std::fs::write(out.join("classification_capacity.csv"), csv)?;

    // 2. ±1 teacher–student learning curve at β = ∞.
    let s_poor = |a: f64| {
        uninformed(&ising(a, INF))
            .and_then(|r| r.entropy)
            .unwrap_or(f64::NAN)
    };
    let alpha_it = brent_root(s_poor, 1.2, 1.3, 1e-10)?;
    let exists = |a: f64| uninformed(&ising(a, INF)).is_some_and(|r| r.q < 0.99);
    let (mut lo, mut hi) = (1.45, 1.55);
    while hi - lo > 1e-6 {
        let mid = 0.5 * (lo + hi);
        if exists(mid) {
            lo = mid
        } else {
            hi = mid
        }
    }
    let alpha_sp = lo;
    println!("\n+-1 teacher-student, beta = inf: first-order transition alpha_IT = {alpha_it:.6}, spinodal alpha_sp = {alpha_sp:.5}");
    let mut poor = Vec::new();
    let mut poor_eq = Vec::new();
    let mut csv = String::from("alpha,branch,gen_error,m,entropy\n");
    for k in 1..=60 {
        let a = 0.04 * k as f64;
        if a < alpha_sp {
            if let Some(r) = uninformed(&ising(a, INF)) {
                poor.push((a, r.gen_error));
                if a <= alpha_it {
                    poor_eq.push((a, r.gen_error));
                }
                csv.push_str(&format!(
                    "{a},poor,{},{},{}\n",
                    r.gen_error,
                    r.m,
                    r.entropy.unwrap_or(f64::NAN)
                ));
            }
        }
        csv.push_str(&format!("{a},perfect,0,1,0\n"));
    }
    // AMP (Bayes-optimal GAMP at β = ∞) at N = 2000 from the uninformed start.
    let mut amp_pts = Vec::new();
    let mut amp_err = Vec::new();
    println!(
        "{:>6} {:>12} {:>10} {:>12}",
        "alpha", "AMP eps_g", "stderr", "SE eps_g"
    );
    for &a in &[0.4, 0.8, 1.2, 1.4, 1.6, 2.0] {
        let m = ising(a, INF);
        let spec = RunSpec {
            source: Source::generated(&m, 2000)?,
            seeds: 4,
            base_seed: 1,
            progress: false,
        };
        let r = run_amp(&m, &spec, &AmpOptions::default())?;
        let se = m
            .channel
            .gen_error(m.rho(), r.state_evolution.m, r.state_evolution.big_q);
        println!(
            "{a:>6} {:>12.5} {:>10.5} {:>12.5}",
            r.gen_error.mean, r.gen_error.stderr, se
        );
        amp_pts.push((a, r.gen_error.mean));
        amp_err.push(r.gen_error.stderr);
        csv.push_str(&format!("{a},amp,{},{},\n", r.gen_error.mean, f64::NAN));
    }
    std::fs::write(out.join("classification_learning_curve.csv"), csv)?;
    let chart = LineChart {
        title: "±1 perceptron, teacher–student, β = ∞".into(),
        x_label: "α".into(),
        y_label: "classification error ε_g".into(),
        series: vec![
            Series::line("RS poor branch (metastable beyond α_IT)", poor)
                .mark(Mark::Dashed)
                .colour(0),
            Series::line("RS equilibrium", {
                let mut v = poor_eq.clone();
                v.push((alpha_it, 0.0));
                v.push((2.4, 0.0));
                v
            })
            .colour(1),
            Series::line(
                format!("first-order α_IT = {alpha_it:.4}"),
                vec![(alpha_it, 0.0), (alpha_it, 0.5)],
            )
            .mark(Mark::Dashed)
            .colour(2),
            Series::line(
                format!("spinodal α_sp = {alpha_sp:.4}"),
                vec![(alpha_sp, 0.0), (alpha_sp, 0.5)],
            )
            .mark(Mark::Dashed)
            .colour(3),
            Series::points("AMP, N = 2000 (4 seeds)", amp_pts, Some(amp_err)).colour(4),
        ],
        y_range: Some((0.0, 0.5)),
        ..Default::default()
    };
    save(
        &chart,
        &out.join("classification_learning_curve"),
        (900, 600),
    )?;

    // 3. Optimal width of a b-bit student of a Gaussian teacher, sign labels, ridge prior λ = 1
    //    (without a ridge the width is a gauge), β = ∞ (the prior-weighted version space), beside
    //    the continuous (spherical) student of the same problem.
    let mut spec = ModelSpec::default();
    spec.channel = ChannelKind::Sign;
    spec.alpha = 3.0;
    spec.ridge = 1.0;
    let rows = optimal_widths(
        &spec,
        &[1, 2, 3, 4],
        Objective::GenError,
        &RunOptions::default(),
    )?;
    let mut cont = spec.clone();
    cont.levels = "continuous".into();
    let eg_cont = quantreplica::rs::solve(&cont.build()?, &SolverOptions::default())
        .equilibrium
        .gen_error;
    println!("\noptimal width, sign channel, Gaussian teacher, alpha = 3, ridge = 1, beta = inf");
    println!(
        "{:>4} {:>10} {:>12}   (continuous student: eps_g = {eg_cont:.6})",
        "bits", "width*", "eps_g"
    );
    let mut csv = String::from("bits,width,gen_error,continuous_gen_error\n");
    for r in &rows {
        println!(
            "{:>4} {:>10.5} {:>12.6}",
            r.bits, r.width, r.solution.gen_error
        );
        csv.push_str(&format!(
            "{},{},{},{eg_cont}\n",
            r.bits, r.width, r.solution.gen_error
        ));
    }
    std::fs::write(out.join("classification_optimal_width.csv"), csv)?;
    Ok(())
}
