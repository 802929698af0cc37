//! The independent reference for ASQ (adaptive stochastic quantization): the objective
//! Σ w (b − x)(x − a) summed point by point, and its optimum by the textbook O(s·n²) dynamic
//! program over the distinct data values (no prefix sums, nothing shared with the library).

/// Σ w (b − x)(x − a) of the points strictly between levels `a < b`, summed directly.
pub fn interval_cost(x: &[f64], w: &[f64], a: f64, b: f64) -> f64 {
    x.iter()
        .zip(w)
        .filter(|(v, _)| **v > a && **v < b)
        .map(|(v, wi)| wi * (b - v) * (v - a))
        .sum()
}

/// The objective of a level set, summed directly.
pub fn objective(x: &[f64], w: &[f64], levels: &[f64]) -> f64 {
    levels
        .windows(2)
        .map(|p| interval_cost(x, w, p[0], p[1]))
        .sum()
}

/// Optimum of Σ w (b − x)(x − a) over s distinct levels among the data values, including the
/// smallest and the largest: the textbook DP over the distinct values.
pub fn brute_force(x: &[f64], w: &[f64], s: usize) -> f64 {
    let mut u: Vec<f64> = x.to_vec();
    u.sort_by(f64::total_cmp);
    u.dedup();
    let n = u.len();
    let mut c = vec![vec![0.0; n]; n];
    for j in 0..n {
        for i in j + 1..n {
            c[j][i] = interval_cost(x, w, u[j], u[i]);
        }
    }
    // best[i]: l + 1 levels, the last at u[i] (l = 1 first).
    let mut best = vec![f64::INFINITY; n];
    best[1..n].copy_from_slice(&c[0][1..n]);
    for _ in 2..s {
        let mut next = vec![f64::INFINITY; n];
        for i in 1..n {
            for j in 1..i {
                next[i] = next[i].min(best[j] + c[j][i]);
            }
        }
        best = next;
    }
    best[n - 1]
}
