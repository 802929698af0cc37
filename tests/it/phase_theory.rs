//! Optimal widths, the AT line and first-order transitions against independent references.

use crate::support::cli;
use crate::support::temp::TempDir;
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::phase::{at_crossings, transitions};
use quantreplica::rs::{solve, solve_from, SolverOptions};

#[test]
fn optimal_width_reproduces_max_1960_through_the_cli() {
    // Max (1960), Table II: optimal uniform quantizer of N(0,1): step and MSE (4 digits).
    let table = [
        (1u32, 1.596, 0.3634),
        (2, 0.9957, 0.1188),
        (3, 0.5860, 0.03744),
        (4, 0.3352, 0.01154),
    ];
    let out = cli::output(cli::command().args([
        "optimal-width",
        "--alpha",
        "1e8",
        "--noise",
        "0",
        "--bits-range",
        "1:4",
        "--json",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for (i, (bits, step, mse)) in table.into_iter().enumerate() {
        let r = &rows[i];
        assert_eq!(r["bits"].as_u64().unwrap(), bits as u64);
        let k = (1u64 << bits) as f64;
        let got_step = 2.0 * r["width"].as_f64().unwrap() / (k - 1.0);
        let got_mse = r["gen_error"].as_f64().unwrap();
        let unit = |v: f64| 10f64.powf(v.log10().floor() - 3.0);
        assert!(
            (got_step - step).abs() <= 0.5 * unit(step) + 1e-9,
            "b={bits}: step {got_step} vs {step}"
        );
        assert!(
            (got_mse - mse).abs() <= 0.5 * unit(mse) + 1e-12,
            "b={bits}: mse {got_mse} vs {mse}"
        );
    }
}

fn uniform(alpha: f64, bits: u32, width: f64, beta: f64) -> Model {
    let st = Student::Discrete(LevelSet::uniform(bits, width).unwrap());
    Model::new(
        alpha,
        0.1,
        beta,
        0.0,
        st,
        TeacherPrior::gaussian(1.0).unwrap(),
    )
    .unwrap()
}

#[test]
fn at_root_agrees_with_bisection_on_a_dense_grid() {
    let opts = SolverOptions::default();
    for (bits, beta) in [(1u32, 5.0), (2, 5.0), (2, 10.0)] {
        let make = |w: f64| Ok(uniform(2.0, bits, w, beta));
        let roots = at_crossings(&make, 0.2, 4.0, 20, 1e-10, &opts).unwrap();
        assert_eq!(roots.len(), 1, "b={bits} beta={beta}: {roots:?}");
        // Independent: plain bisection on λ_AT − 1 over the dense grid's bracketing cell.
        let lam = |w: f64| {
            solve(&uniform(2.0, bits, w, beta), &opts)
                .equilibrium
                .at_eigenvalue
                - 1.0
        };
        let n = 2000;
        let ws: Vec<f64> = (0..=n).map(|i| 0.2 + 3.8 * i as f64 / n as f64).collect();
        let k = ws
            .windows(2)
            .position(|w| lam(w[0]) * lam(w[1]) <= 0.0)
            .expect("a sign change on the dense grid");
        let (mut lo, mut hi) = (ws[k], ws[k + 1]);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if lam(lo) * lam(mid) <= 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        assert!(
            (roots[0] - 0.5 * (lo + hi)).abs() < 1e-7,
            "b={bits} beta={beta}: Brent {} vs bisection {}",
            roots[0],
            0.5 * (lo + hi)
        );
    }
}

#[test]
fn binary_bayes_optimal_spinodals_and_free_entropy_crossing() {
    let noise = 0.01;
    let make = |alpha: f64| {
        let st = Student::Discrete(LevelSet::uniform(1, 1.0).unwrap());
        Model::new(
            alpha,
            noise,
            1.0 / noise,
            0.0,
            st,
            TeacherPrior::binary(1.0).unwrap(),
        )
    };
    let alphas: Vec<f64> = (0..35).map(|i| 0.02 + 0.02 * i as f64).collect();
    let opts = SolverOptions::default();
    let t = transitions(&make, "alpha", &alphas, &opts).unwrap();
    assert_eq!(t.spinodals.len(), 2, "{:?}", t.spinodals);
    assert_eq!(
        t.equilibrium_transitions.len(),
        1,
        "{:?}",
        t.equilibrium_transitions
    );
    let (sp_lo, sp_hi) = (t.spinodals[0], t.spinodals[1]);
    let ac = t.equilibrium_transitions[0];
    assert!(
        sp_lo < ac && ac < sp_hi,
        "spinodals {sp_lo}, {sp_hi}, transition {ac}"
    );
    // At the crossing the uninformed branch's φ equals the informed branch's closed form −α/2.
    let unin = t.branches.iter().find(|b| b.solutions[0].m < 0.5).unwrap();
    let k = unin.params.iter().position(|&p| p > ac).unwrap();
    let m = make(ac).unwrap();
    let s = solve_from(&m, unin.solutions[k].state(false), &opts).unwrap();
    assert!(
        (s.free_entropy.unwrap() + ac / 2.0).abs() < 1e-7,
        "phi={:?} at alpha_c={ac}",
        s.free_entropy
    );
    // On the Nishimori line λ_AT is the slope of the RS map, so it reaches 1 at the uninformed
    // spinodal (a saddle-node bifurcation).
    let near = make(sp_hi - 2e-4).unwrap();
    let last = unin.solutions.last().unwrap();
    let s = solve_from(&near, last.state(false), &opts).unwrap();
    assert!(s.status.is_converged() && s.m < 0.9);
    assert!(
        s.at_eigenvalue > 0.93 && s.at_eigenvalue < 1.0,
        "lambda_AT near the spinodal: {}",
        s.at_eigenvalue
    );
}

#[test]
fn phase_diagram_cli_draws_spinodals_and_the_first_order_line() {
    // Binary teacher, 1-bit student, σ² = 0.01, rows β = 100 (Nishimori) and β = 20. On the
    // Nishimori row the informed branch has φ = −α/2 exactly (THEORY.md §3), so the
    // first-order point must satisfy φ_uninformed(α_c) = −α_c/2; both spinodals bracket it.
    let dir = TempDir::new("phase-diagram");
    let out = cli::output(
        cli::command()
            .args([
                "phase-diagram",
                "--teacher",
                "binary",
                "--bits",
                "1",
                "--width",
                "1",
                "--noise",
                "0.01",
                "--x",
                "alpha=0.02:0.7:35",
                "--y",
                "beta=20,100",
                "--json",
                "--out",
            ])
            .arg(dir.join("pd")),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let pts = |key: &str, beta: f64| -> Vec<f64> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p[1].as_f64() == Some(beta))
            .map(|p| p[0].as_f64().unwrap())
            .collect()
    };
    for beta in [20.0, 100.0] {
        let sp = pts("spinodals", beta);
        let tr = pts("equilibrium_transitions", beta);
        assert_eq!((sp.len(), tr.len()), (2, 1), "beta = {beta}: {sp:?} {tr:?}");
        assert!(
            sp[0] < tr[0] && tr[0] < sp[1],
            "beta = {beta}: {sp:?} {tr:?}"
        );
    }
    let ac = pts("equilibrium_transitions", 100.0)[0];
    let m = Model::new(
        ac,
        0.01,
        100.0,
        0.0,
        Student::Discrete(LevelSet::uniform(1, 1.0).unwrap()),
        TeacherPrior::binary(1.0).unwrap(),
    )
    .unwrap();
    let r = solve(&m, &SolverOptions::default());
    let unin = r
        .solutions
        .iter()
        .filter(|s| s.status.is_converged())
        .min_by(|a, b| a.m.total_cmp(&b.m))
        .unwrap();
    assert!(
        (unin.free_entropy.unwrap() + ac / 2.0).abs() < 1e-6,
        "phi_uninformed = {:?} vs -alpha_c/2 = {}",
        unin.free_entropy,
        -ac / 2.0
    );
    assert!(dir.join("pd.png").exists() && dir.join("pd.svg").exists());
    // `--no-transitions` drops the first-order layer and nothing else.
    let quick = cli::output(
        cli::command()
            .args([
                "phase-diagram",
                "--teacher",
                "binary",
                "--bits",
                "1",
                "--width",
                "1",
            ])
            .args([
                "--noise",
                "0.01",
                "--x",
                "alpha=0.02:0.7:35",
                "--y",
                "beta=20,100",
            ])
            .args(["--json", "--no-transitions", "--out"])
            .arg(dir.join("pd_quick")),
    );
    assert_eq!(quick.code, 0, "{}", quick.stderr);
    let q: serde_json::Value = serde_json::from_str(&quick.stdout).unwrap();
    assert_eq!(q["at_line"], v["at_line"]);
    assert_eq!(q["cells"], v["cells"]);
    assert_eq!(q["spinodals"].as_array().map(Vec::len), Some(0));
}

#[test]
fn phase_diagram_at_points_along_both_axes_are_on_the_at_line() {
    // Every AT point of a (width, alpha) map, whether refined along a row or a column, must have
    // λ_AT = 1 when the model is rebuilt from its coordinates.
    let dir = TempDir::new("phase-diagram-at");
    let out = cli::output(
        cli::command()
            .args([
                "phase-diagram",
                "--bits",
                "1",
                "--beta",
                "5",
                "--x",
                "width=0.3:2:8",
                "--y",
                "alpha=0.5:4:8",
                "--json",
                "--out",
            ])
            .arg(dir.join("pd")),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let pts = v["at_line"].as_array().unwrap();
    let on_grid = |x: f64, lo: f64, hi: f64| {
        let k = (x - lo) / ((hi - lo) / 7.0);
        (k - k.round()).abs() < 1e-9
    };
    let (mut rows, mut cols) = (0, 0);
    for p in pts {
        let (w, a) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
        rows += on_grid(a, 0.5, 4.0) as usize;
        cols += on_grid(w, 0.3, 2.0) as usize;
        let st = Student::Discrete(LevelSet::uniform(1, w).unwrap());
        let m = Model::new(a, 0.1, 5.0, 0.0, st, TeacherPrior::gaussian(1.0).unwrap()).unwrap();
        let r = solve(&m, &SolverOptions::default());
        assert!(
            (r.equilibrium.at_eigenvalue - 1.0).abs() < 1e-5,
            "({w}, {a}): lambda_AT = {}",
            r.equilibrium.at_eigenvalue
        );
    }
    assert!(rows >= 3 && cols >= 3, "rows {rows}, cols {cols}: {pts:?}");
}
