//! Helpers shared by the 1RSB stationarity tests (`rsb_stationarity`, `rsb_discontinuous`):
//! φ1's parameters by index and a finite difference of φ1 in each.

use quantreplica::model::Model;
use quantreplica::rsb::channel::{free_entropy, Params};
use quantreplica::rsb::RsbOptions;

pub const NAMES: [&str; 9] = [
    "Q", "q1", "q0", "m", "A_hat", "m_hat", "q0_hat", "q1_hat", "x",
];

pub fn get(p: &Params, i: usize) -> f64 {
    [
        p.big_q,
        p.q1,
        p.q0,
        p.m,
        p.hat.a_hat,
        p.hat.m_hat,
        p.hat.q0_hat,
        p.hat.q1_hat,
        p.x,
    ][i]
}

pub fn set(p: &mut Params, i: usize, v: f64) {
    match i {
        0 => p.big_q = v,
        1 => p.q1 = v,
        2 => p.q0 = v,
        3 => p.m = v,
        4 => p.hat.a_hat = v,
        5 => p.hat.m_hat = v,
        6 => p.hat.q0_hat = v,
        7 => p.hat.q1_hat = v,
        _ => p.x = v,
    }
}

/// Central finite difference of φ1 in parameter `i` (4th order, 5 points). Steps in Q and q1
/// stay within a fifth of Q − q1, which is tiny in a frozen state (Δ1 ≥ 0 is the domain).
pub fn fd(model: &Model, p: &Params, i: usize, opts: &RsbOptions) -> f64 {
    let mut h = 2e-4 * get(p, i).abs().max(0.1);
    if i < 2 {
        h = h.min(0.2 * (p.big_q - p.q1));
    }
    let at = |k: f64| {
        let mut q = *p;
        set(&mut q, i, get(p, i) + k * h);
        free_entropy(model, &q, opts.quad).unwrap_or_else(|| panic!("{} out of domain", NAMES[i]))
    };
    (at(-2.0) - 8.0 * at(-1.0) + 8.0 * at(1.0) - at(2.0)) / (12.0 * h)
}
