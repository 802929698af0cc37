//! Regenerates the low-precision SGD figures: `cargo run --release --example sgd_figures [RUNS]`
//! writes figures/sgd_risk_vs_n, sgd_risk_vs_d, sgd_risk_vs_m and sgd_shrinkage (PNG + SVG).

fn main() {
    let runs = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100usize);
    match quantreplica::report::lowprec::all(std::path::Path::new("figures"), runs) {
        Ok(paths) => paths.iter().for_each(|p| println!("{}", p.display())),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
