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
