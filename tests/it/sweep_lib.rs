//! The sweep library: custom closures, checkpointing of custom results, heat maps.

use crate::support::temp::TempDir;
use quantreplica::report::heatmap::Heatmap;
use quantreplica::report::plot::{save, Mark, Series};
use quantreplica::sweep::{self, Grid, Param, RunOptions, Shard, Store};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Lam {
    at: f64,
    label: String,
}

fn grid() -> Grid {
    Grid::parse(
        &["width=0.5:3:6".into(), "alpha=0.1:10:5".into()],
        &["alpha".into()],
    )
    .unwrap()
}

fn eval(p: &sweep::GridPoint) -> quantreplica::Result<Lam> {
    let w = p.f64(Param::Width).unwrap();
    let a = p.f64(Param::Alpha).unwrap();
    // An arbitrary exact-looking function with awkward decimals.
    Ok(Lam {
        at: (w * a).sqrt() / 3.0 + 0.1,
        label: format!("~p{}", p.index),
    })
}

#[test]
fn run_with_is_in_grid_order_and_thread_independent() {
    let g = grid();
    assert_eq!(g.len(), 30);
    let alphas = g.axis(Param::Alpha).unwrap().numbers();
    assert!((alphas[2] - 1.0).abs() < 1e-12, "log spacing: {alphas:?}");
    let one = sweep::run_with(
        &g,
        &RunOptions {
            threads: Some(1),
            progress: false,
        },
        eval,
    )
    .unwrap();
    let two = sweep::run_with(
        &g,
        &RunOptions {
            threads: Some(2),
            progress: false,
        },
        eval,
    )
    .unwrap();
    assert_eq!(one, two);
    for (i, r) in one.iter().enumerate() {
        assert_eq!(r.point.index, i);
        assert_eq!(r.point.coords, vec![i / 5, i % 5]);
    }
}

#[test]
fn checkpointed_custom_results_round_trip_exactly() {
    let d = TempDir::new("sweep-lib");
    let g = grid();
    let opts = RunOptions::default();
    let plain = sweep::run_with(&g, &opts, eval).unwrap();
    let store = Store {
        path: d.join("ck.jsonl"),
        shard: None,
        context: "lambda test".into(),
    };
    let first = sweep::run_checkpointed(&g, &opts, &store, eval).unwrap();
    assert_eq!(first, plain);
    // Second run: everything comes from the file, bit for bit.
    let second = sweep::run_checkpointed(&g, &opts, &store, |_| -> quantreplica::Result<Lam> {
        panic!("recomputed")
    })
    .unwrap();
    for (a, b) in second.iter().zip(&plain) {
        assert_eq!(a.result.at.to_bits(), b.result.at.to_bits());
        assert_eq!(a.result.label, b.result.label);
    }
    // A different context is refused.
    let other = Store {
        context: "something else".into(),
        ..store.clone()
    };
    assert!(sweep::run_checkpointed(&g, &opts, &other, eval).is_err());
    // Shards merge back to the whole.
    let files: Vec<_> = (0..4).map(|i| d.join(format!("s{i}.jsonl"))).collect();
    for (i, f) in files.iter().enumerate() {
        let st = Store {
            path: f.clone(),
            shard: Some(Shard { index: i, count: 4 }),
            context: "lambda test".into(),
        };
        let rows = sweep::run_checkpointed(&g, &opts, &st, eval).unwrap();
        assert!(rows.iter().all(|r| r.point.index % 4 == i));
    }
    let (g2, ctx, merged) = sweep::merge::<Lam>(&files).unwrap();
    assert_eq!(g2, g);
    assert_eq!(ctx, "lambda test");
    assert_eq!(merged, plain);
}

#[test]
fn heatmaps_render_continuous_and_categorical() {
    let d = TempDir::new("heatmap");
    let g = grid();
    let rows = sweep::run_with(&g, &RunOptions::default(), eval).unwrap();
    let mut h = Heatmap::from_sweep(&g, &rows, Param::Width, Param::Alpha, |r: &Lam| r.at).unwrap();
    h.title = "test map".into();
    h.z_label = "λ_AT".into();
    h.log_y = true;
    h.curves.push(Series::line(
        "AT line",
        vec![(0.5, 0.2), (2.0, 1.0), (3.0, 5.0)],
    ));
    h.curves
        .push(Series::line("other", vec![(1.0, 0.2), (1.5, 8.0)]).mark(Mark::Dashed));
    let (png, svg) = save(&h, &d.join("cont"), (700, 500)).unwrap();
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.contains("AT line") && svg.contains("λ_AT") && svg.contains("alpha"));

    let mut c = Heatmap::from_fn(vec![1.0, 2.0, 3.0], vec![1.0, 2.0], |x, y| {
        ((x + y) as usize % 3) as f64
    });
    c.categories = vec!["RS stable".into(), "RSB".into(), "negative entropy".into()];
    c.z[0] = f64::NAN;
    let (_, svg) = save(&c, &d.join("cat"), (600, 400)).unwrap();
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.contains("RSB") && svg.contains("negative entropy"));

    let bad = Heatmap {
        x: vec![1.0],
        y: vec![1.0],
        z: vec![],
        ..Heatmap::default()
    };
    assert!(save(&bad, &d.join("bad"), (300, 200)).is_err());
}

/// Demo figures from a real RS sweep (run with `--ignored`; writes to the temp directory).
#[test]
#[ignore]
fn demo_phase_diagram_figures() {
    let mut base = quantreplica::ModelSpec::default();
    base.beta = 5.0;
    let g = Grid::parse(&["width=0.1:3:40".into(), "alpha=0.1:4:40".into()], &[]).unwrap();
    let rows = sweep::run(&g, &base, &RunOptions::default()).unwrap();
    let mut h = Heatmap::from_sweep(&g, &rows, Param::Width, Param::Alpha, |r| {
        r.equilibrium.at_eigenvalue
    })
    .unwrap();
    h.title = "λ_AT, b = 2, β = 5, σ² = 0.1".into();
    h.z_label = "λ_AT".into();
    h.log_z = true;
    // Crude AT line: the first alpha with λ_AT > 1 on each width row.
    let ws = g.axes[0].numbers();
    let als = g.axes[1].numbers();
    let mut line = Vec::new();
    for (i, w) in ws.iter().enumerate() {
        let row = &rows[i * als.len()..(i + 1) * als.len()];
        if let Some(k) = row.iter().position(|r| !r.result.equilibrium.rs_stable) {
            line.push((*w, als[k]));
        }
    }
    h.curves.push(Series::line("AT line (grid)", line));
    let d = std::env::temp_dir().join("quantreplica-heatmap-demo");
    save(&h, &d.join("lambda_at"), (900, 650)).unwrap();
    let mut c = Heatmap::from_sweep(&g, &rows, Param::Width, Param::Alpha, |r| {
        let e = &r.equilibrium;
        if e.entropy.is_some_and(|s| s < 0.0) {
            2.0
        } else if e.rs_stable {
            0.0
        } else {
            1.0
        }
    })
    .unwrap();
    c.title = "phases".into();
    c.categories = vec![
        "RS stable".into(),
        "RSB (λ_AT > 1)".into(),
        "negative entropy".into(),
    ];
    save(&c, &d.join("phases"), (900, 650)).unwrap();
    eprintln!("figures in {}", d.display());
}
