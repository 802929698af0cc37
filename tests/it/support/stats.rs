//! Sample statistics for Monte Carlo comparisons.

/// Mean and standard error of the mean of a sample (two-pass: the mean first, then the
/// centred sum of squares; n − 1 in the variance).
pub fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}
