//! The validation panel end to end on a tiny budget: rows, agreement flags and saved files.

use crate::support::temp::TempDir;
use quantreplica::report::validate::save_panel;
use quantreplica::validate::{default_panel, run_panel, PanelSettings};

#[test]
fn tiny_panel_runs_and_saves_table_and_figures() {
    let points: Vec<_> = default_panel()
        .into_iter()
        .filter(|p| p.bits == 2 && p.width != 3.0)
        .collect();
    let mut st = PanelSettings {
        n_amp: 200,
        n_gibbs: 40,
        n_qat: 100,
        seeds: 2,
        ..PanelSettings::default()
    };
    st.gibbs.burn_in = 50;
    st.gibbs.sweeps = 100;
    st.qat.epochs = 5;
    let r = run_panel(&points, &st, false).unwrap();
    assert_eq!(r.rows.len(), 7 * points.len());
    assert!(r
        .rows
        .iter()
        .all(|x| x.theory.is_finite() && x.mean.is_finite()));
    let dir = TempDir::new("panel");
    save_panel(&r, dir.path()).unwrap();
    for f in [
        "validate_panel.csv",
        "validate_panel.json",
        "validate_panel.png",
        "validate_panel.svg",
        "validate_panel_train.png",
        "validate_pq.svg",
    ] {
        assert!(dir.join(f).metadata().unwrap().len() > 0, "{f} missing");
    }
    let csv = std::fs::read_to_string(dir.join("validate_panel.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + r.rows.len());
}

/// The classification panel (`validate --channel sign`) on a small budget: AMP and state
/// evolution (the RS theory) agree at the Ising perceptron's Bayes-optimal points (β = ∞, and
/// the Nishimori line with flips) within 3 standard errors + 0.01; no QAT rows; the storage
/// point has no AMP rows and no generalization error.
#[test]
fn sign_panel_amp_agrees_on_the_nishimori_points() {
    use quantreplica::validate::sign_panel;
    let points = sign_panel();
    let mut st = PanelSettings {
        n_amp: 2000,
        n_gibbs: 60,
        seeds: 3,
        ..PanelSettings::default()
    };
    st.gibbs.burn_in = 50;
    st.gibbs.sweeps = 100;
    let r = run_panel(&points, &st, false).unwrap();
    assert!(r.rows.iter().all(|x| x.method != "qat"));
    assert!(r
        .rows
        .iter()
        .all(|x| x.theory.is_finite() && x.mean.is_finite()));
    let storage = points.len() - 1;
    assert!(r
        .rows
        .iter()
        .filter(|x| x.point == storage)
        .all(|x| x.method == "gibbs" && x.quantity != "gen_error"));
    for p in [0, 1, 4] {
        let amp: Vec<_> = r
            .rows
            .iter()
            .filter(|x| x.point == p && x.method == "amp")
            .collect();
        assert_eq!(amp.len(), 2);
        for x in amp {
            assert!(
                x.agrees,
                "point {p} {}: {} vs {}",
                x.quantity, x.mean, x.theory
            );
        }
    }
    // Point 1 is the ±1 perceptron at α = 0.8, β = ∞: the Bayes-optimal ε_g of the RS poor
    // branch (docs/classification.md §13's reference solver gives the same curve).
    assert!(
        (r.rows[1].theory - 0.3497).abs() < 1e-3,
        "{}",
        r.rows[1].theory
    );
}
