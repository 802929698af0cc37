//! The one way the crate runs independent jobs in parallel: rayon over the jobs, results
//! returned in job order (so they never depend on the thread count or the scheduling, as long
//! as a job is a function of its input), an optional dedicated thread pool, and a progress bar
//! on stderr (shown on a terminal only). Sweeps, phase maps, Monte Carlo runs and the validation
//! panel all go through [`map`].
//!
//! ```
//! use quantreplica::parallel::{map, RunOptions};
//! let opts = RunOptions { threads: Some(2), progress: false };
//! let squares = map(&[1, 2, 3], &opts, "squares", |&x| x * x).unwrap();
//! assert_eq!(squares, vec![1, 4, 9]);
//! ```

use crate::error::{Error, Result};
use rayon::prelude::*;

/// How to run a parallel job.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Worker threads (`None`: rayon's global pool, i.e. `RAYON_NUM_THREADS` or all cores).
    pub threads: Option<usize>,
    /// Show a progress bar (on a terminal only).
    pub progress: bool,
}

/// Runs `job` on a pool of `threads` workers (`None`: the global pool).
pub fn in_pool<R: Send>(threads: Option<usize>, job: impl FnOnce() -> R + Send) -> Result<R> {
    match threads {
        None => Ok(job()),
        Some(0) => Err(Error::input("--threads must be at least 1")),
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::Io(format!("cannot start {t} threads: {e}")))?;
            Ok(pool.install(job))
        }
    }
}

/// `f(item)` for every item, in parallel, results in item order. `label` names the progress
/// bar (shown when `opts.progress` and stderr is a terminal).
pub fn map<I, T, F>(items: &[I], opts: &RunOptions, label: &str, f: F) -> Result<Vec<T>>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync,
{
    map_resumed(items, 0, opts, label, f)
}

/// [`map`] for the remaining items of a resumed job: the progress bar counts `done` items
/// finished before and `done + items.len()` in all.
pub fn map_resumed<I, T, F>(
    items: &[I],
    done: usize,
    opts: &RunOptions,
    label: &str,
    f: F,
) -> Result<Vec<T>>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync,
{
    let pb = if opts.progress {
        crate::progress::bar((done + items.len()) as u64, label)
    } else {
        indicatif::ProgressBar::hidden()
    };
    pb.set_position(done as u64);
    let out = in_pool(opts.threads, || {
        items
            .par_iter()
            .map(|item| {
                let r = f(item);
                pb.inc(1);
                r
            })
            .collect::<Vec<T>>()
    })?;
    pb.finish_and_clear();
    Ok(out)
}

/// [`map`] for fallible jobs: every job runs, and the error of the first failing item (in item
/// order, whatever the thread count) is returned.
pub fn try_map<I, T, F>(items: &[I], opts: &RunOptions, label: &str, f: F) -> Result<Vec<T>>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> Result<T> + Sync,
{
    map(items, opts, label, f)?.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_first_error_do_not_depend_on_threads() {
        let items: Vec<u64> = (0..200).collect();
        let f = |&i: &u64| -> Result<u64> {
            if i % 37 == 36 {
                Err(Error::input(format!("bad {i}")))
            } else {
                Ok(i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            }
        };
        for t in [1, 2, 3] {
            let o = RunOptions {
                threads: Some(t),
                progress: false,
            };
            assert_eq!(
                try_map(&items, &o, "t", f).unwrap_err().to_string(),
                "bad 36"
            );
            let ok = map(&items[..36], &o, "t", |i| f(i).unwrap()).unwrap();
            assert_eq!(ok[35], 35u64.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        let zero = RunOptions {
            threads: Some(0),
            progress: false,
        };
        assert!(map(&items, &zero, "t", |&i| i).is_err());
    }
}
