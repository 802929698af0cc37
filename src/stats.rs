//! Summary statistics of Monte Carlo runs: the crate's one mean and standard-error routine.
//!
//! ```
//! use quantreplica::stats::{mean_stderr, summarize};
//! let (m, se) = mean_stderr(&[1.0, 2.0, 3.0, f64::NAN]);
//! assert_eq!(m, 2.0);
//! assert!((se - (1.0f64 / 3.0).sqrt()).abs() < 1e-15);
//! assert_eq!(summarize([5.0]).n, 1);
//! assert!(summarize([5.0]).stderr.is_nan());
//! ```

/// Mean, standard error of the mean, and how many values they summarize.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanStderr {
    /// Mean of the finite values (NaN when there is none).
    pub mean: f64,
    /// Sample standard deviation / √n (NaN with fewer than two values).
    pub stderr: f64,
    /// Number of finite values.
    pub n: usize,
}

/// Mean and standard error of the finite values (non-finite ones — a diverged run, a missing
/// value — are skipped), by the two-pass formula: the mean first, then the sum of squared
/// deviations from it, so no cancellation between large sums (as the one-pass Σx² − n·mean²
/// would suffer when the spread is small against the mean).
pub fn summarize(values: impl IntoIterator<Item = f64>) -> MeanStderr {
    let v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        return MeanStderr {
            mean: f64::NAN,
            stderr: f64::NAN,
            n,
        };
    }
    let k = n as f64;
    let mean = v.iter().sum::<f64>() / k;
    let stderr = if n < 2 {
        f64::NAN
    } else {
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (k - 1.0);
        (var / k).sqrt()
    };
    MeanStderr { mean, stderr, n }
}

/// `(mean, stderr)` of the finite values of a slice ([`summarize`]).
pub fn mean_stderr(v: &[f64]) -> (f64, f64) {
    let s = summarize(v.iter().copied());
    (s.mean, s.stderr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_cancellation_for_a_small_spread_about_a_large_mean() {
        // Values 1e9 + {0, 1, 2}: the one-pass formula loses every digit of the variance.
        let s = summarize([1e9, 1e9 + 1.0, 1e9 + 2.0]);
        assert_eq!(s.mean, 1e9 + 1.0);
        assert!(
            (s.stderr - (1.0f64 / 3.0).sqrt()).abs() < 1e-12,
            "{}",
            s.stderr
        );
        assert!(summarize(std::iter::empty()).mean.is_nan());
    }
}
