//! The one way the crate runs independent jobs in parallel: rayon over the jobs, results
//! returned in job order (so they never depend on the thread count or the scheduling, as long
//! as a job is a function of its input), an optional dedicated thread pool, and a progress bar
//! on stderr (shown on a terminal only). Sweeps, phase maps, Monte Carlo runs and the validation
//! panel all go through [`map`].
//!
//! **Watching a job.** A front end that runs a job for someone (the Python module) can watch it
//! with a [`Watch`]: inside [`watched`], every [`map`] counts its finished items into the
//! watch's progress and stops taking new items once the watch is cancelled, returning
//! [`Error::Interrupted`]; long single computations poll [`interrupted`] between iterations.
//! Outside [`watched`] nothing changes. The command line runs under a [`Watch::with_bars`]
//! (for Ctrl-C), which leaves its progress bars drawn; under [`Watch::new`] (Python) the
//! watcher reports the progress and no bar is drawn.
//!
//! ```
//! use quantreplica::parallel::{map, RunOptions};
//! let opts = RunOptions { threads: Some(2), progress: false };
//! let squares = map(&[1, 2, 3], &opts, "squares", |&x| x * x).unwrap();
//! assert_eq!(squares, vec![1, 4, 9]);
//! ```

use crate::error::{Error, Result};
use rayon::prelude::*;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Cancellation and progress of a running job, shared between the job and whoever started it.
#[derive(Debug, Default)]
pub struct Watch {
    cancelled: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    /// Progress bars are still drawn on stderr under this watch (the command line's, which only
    /// cancels); otherwise the watcher reports [`progress`](Self::progress) itself (Python).
    bars: bool,
}

impl Watch {
    /// A fresh watch (not cancelled, no progress) whose owner reports the progress: no bar is
    /// drawn under it.
    pub fn new() -> Arc<Watch> {
        Arc::new(Watch::default())
    }

    /// A fresh watch that only cancels: the jobs under it draw their progress bars on stderr as
    /// without a watch (the command line's Ctrl-C).
    pub fn with_bars() -> Arc<Watch> {
        Arc::new(Watch {
            bars: true,
            ..Watch::default()
        })
    }

    /// Asks the job to stop: no [`map`] under this watch starts another item.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `(finished, total)` items of the outermost [`map`]s run under this watch so far.
    pub fn progress(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// The watch of the job running on this thread, and whether the thread is inside a [`map`]
/// item (nested maps count no progress of their own).
#[derive(Clone, Default)]
struct Current {
    watch: Option<Arc<Watch>>,
    in_item: bool,
}

thread_local! {
    static CURRENT: RefCell<Current> = RefCell::new(Current::default());
}

/// Runs `f` with `cur` as this thread's current watch, restoring the previous one after.
fn with_current<R>(cur: Current, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Current>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(prev) = self.0.take() {
                CURRENT.with(|c| *c.borrow_mut() = prev);
            }
        }
    }
    let prev = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), cur));
    let _restore = Restore(Some(prev));
    f()
}

/// Runs `f` (on this thread) under `watch`: the [`map`]s inside report to it and stop when it
/// is cancelled.
pub fn watched<R>(watch: &Arc<Watch>, f: impl FnOnce() -> R) -> R {
    with_current(
        Current {
            watch: Some(watch.clone()),
            in_item: false,
        },
        f,
    )
}

/// Whether the job running on this thread was cancelled (always false outside [`watched`]).
/// Long loops poll it between iterations.
pub fn interrupted() -> bool {
    CURRENT.with(|c| c.borrow().watch.as_ref().is_some_and(|w| w.is_cancelled()))
}

/// `Err(Error::Interrupted)` when [`interrupted`].
pub fn check_interrupted() -> Result<()> {
    if interrupted() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Progress of one long computation that is not a [`map`] — a sequential scan, the stages of a
/// solver, a loop over seeds on rayon's own iterators — reported like a [`map`]'s: into the job's
/// [`Watch`] when there is one (Python's `progress=`), else as a bar on stderr (shown on a
/// terminal only, [`crate::progress::bar`]). Inside a [`map`] item it does nothing (the outer
/// map counts). Clones share the count, so a loop's items on other threads can [`inc`]
/// (Self::inc) it; [`enter`](Self::enter) makes it the target of [`tick`] on this thread, for
/// code a few calls down that has no handle.
#[derive(Clone, Default)]
pub struct Steps {
    inner: Option<Arc<StepsInner>>,
}

struct StepsInner {
    pb: indicatif::ProgressBar,
    watch: Option<Arc<Watch>>,
}

impl Drop for StepsInner {
    fn drop(&mut self) {
        self.pb.finish_and_clear();
    }
}

thread_local! {
    static STEPS: RefCell<Option<Steps>> = const { RefCell::new(None) };
}

impl Steps {
    /// `total` steps named `label`.
    pub fn new(total: u64, label: &str) -> Steps {
        let cur = CURRENT.with(|c| c.borrow().clone());
        if cur.in_item {
            return Steps::default();
        }
        if let Some(w) = &cur.watch {
            w.total.fetch_add(total, Ordering::Relaxed);
        }
        let pb = match &cur.watch {
            Some(w) if !w.bars => indicatif::ProgressBar::hidden(),
            _ => crate::progress::bar(total, label),
        };
        Steps {
            inner: Some(Arc::new(StepsInner {
                pb,
                watch: cur.watch,
            })),
        }
    }

    /// `n` more steps done.
    pub fn inc(&self, n: u64) {
        if let Some(s) = &self.inner {
            s.pb.inc(n);
            if let Some(w) = &s.watch {
                w.done.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    /// Names the current stage on the bar.
    pub fn stage(&self, msg: &str) {
        if let Some(s) = &self.inner {
            s.pb.set_message(msg.to_string());
        }
    }

    /// Makes these steps the bar of a whole job: until the guard is dropped, the bars of the
    /// maps and steps started on this thread (the job's stages) are drawn below it
    /// ([`crate::progress::nest_under`]). Nothing changes where no bar is drawn.
    pub fn nest(&self) -> impl Drop {
        let hidden = indicatif::ProgressBar::hidden();
        crate::progress::nest_under(self.inner.as_ref().map_or(&hidden, |s| &s.pb))
    }

    /// Runs `f` with the bar (and the bars nested under it) cleared, then draws it again: for
    /// printing to a terminal while the bar is shown.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.inner {
            Some(s) => s.pb.suspend(f),
            None => f(),
        }
    }

    /// Makes these steps the target of [`tick`] on this thread until the guard is dropped.
    pub fn enter(&self) -> impl Drop {
        struct Leave(Option<Steps>);
        impl Drop for Leave {
            fn drop(&mut self) {
                let prev = self.0.take();
                STEPS.with(|s| *s.borrow_mut() = prev);
            }
        }
        Leave(STEPS.with(|s| s.borrow_mut().replace(self.clone())))
    }
}

/// One step of the [`Steps`] entered on this thread (nothing when none is).
pub fn tick() {
    STEPS.with(|s| {
        if let Some(st) = s.borrow().as_ref() {
            st.inc(1);
        }
    });
}

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
        Some(t) => {
            crate::budget::threads(Some(t))?;
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
    run_map(items, done, opts, Some(label), f)
}

/// [`try_map`] whose items report their own progress on a [`Steps`] made before it (several
/// steps per item, e.g. a Monte Carlo run's recorded times): the map draws no bar and counts
/// nothing itself, and otherwise runs as every map does — results in item order, its items under
/// the job's [`Watch`], so [`interrupted`] inside an item sees a cancellation and no new item
/// starts after one.
pub fn try_map_in_steps<I, T, F>(items: &[I], threads: Option<usize>, f: F) -> Result<Vec<T>>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> Result<T> + Sync,
{
    let opts = RunOptions {
        threads,
        progress: false,
    };
    run_map(items, 0, &opts, None, f)?.into_iter().collect()
}

/// [`map_resumed`]; `label: None` for a map that counts no progress (its items do, on a
/// [`Steps`]).
fn run_map<I, T, F>(
    items: &[I],
    done: usize,
    opts: &RunOptions,
    label: Option<&str>,
    f: F,
) -> Result<Vec<T>>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync,
{
    let cur = CURRENT.with(|c| c.borrow().clone());
    // Under a watch the watch reports progress (a bar would draw beside Python's own).
    let pb = match label {
        Some(label)
            if opts.progress && cur.watch.as_ref().is_none_or(|w| w.bars) && !cur.in_item =>
        {
            crate::progress::bar((done + items.len()) as u64, label)
        }
        _ => indicatif::ProgressBar::hidden(),
    };
    pb.set_position(done as u64);
    // Only the outermost map counts progress; nested ones (inside an item) only obey cancel.
    let counts = !cur.in_item && label.is_some();
    if let (Some(w), true) = (&cur.watch, counts) {
        w.total
            .fetch_add((done + items.len()) as u64, Ordering::Relaxed);
        w.done.fetch_add(done as u64, Ordering::Relaxed);
    }
    let out = in_pool(opts.threads, || {
        items
            .par_iter()
            .map(|item| {
                let w = cur.watch.as_ref();
                if w.is_some_and(|w| w.is_cancelled()) {
                    return None;
                }
                let inner = Current {
                    watch: cur.watch.clone(),
                    in_item: true,
                };
                let r = if w.is_some() {
                    with_current(inner, || f(item))
                } else {
                    f(item)
                };
                pb.inc(1);
                if let (Some(w), true) = (w, counts) {
                    w.done.fetch_add(1, Ordering::Relaxed);
                }
                Some(r)
            })
            .collect::<Vec<Option<T>>>()
    })?;
    pb.finish_and_clear();
    out.into_iter()
        .map(|r| r.ok_or(Error::Interrupted))
        .collect()
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

    #[test]
    fn a_cancelled_watch_stops_the_map_and_counts_progress() {
        let items: Vec<u64> = (0..64).collect();
        let o = RunOptions {
            threads: Some(2),
            progress: false,
        };
        let w = Watch::new();
        let sums = watched(&w, || map(&items, &o, "t", |&i| i + 1)).unwrap();
        assert_eq!(sums[63], 64);
        assert_eq!(w.progress(), (64, 64));
        // Nested maps inside an item neither count progress nor escape the cancel.
        let nested = watched(&w, || {
            map(&items[..2], &o, "outer", |_| {
                map(&items, &o, "inner", |&i| i).unwrap().len()
            })
        })
        .unwrap();
        assert_eq!(nested, vec![64, 64]);
        assert_eq!(w.progress(), (66, 66));
        let c = Watch::new();
        let ran = std::sync::atomic::AtomicUsize::new(0);
        let one = RunOptions {
            threads: Some(1),
            progress: false,
        };
        let r = watched(&c, || {
            map(&items, &one, "t", |&i| {
                ran.fetch_add(1, Ordering::SeqCst);
                if i == 3 {
                    c.cancel();
                    assert!(interrupted(), "items see their job's watch");
                }
                i
            })
        });
        assert_eq!(r.unwrap_err(), Error::Interrupted);
        assert!(ran.load(Ordering::SeqCst) < items.len());
        assert!(!interrupted(), "the watch ends with watched()");
        // Steps count into the watch like a map, from any thread, and not inside a map item.
        let w = Watch::new();
        watched(&w, || {
            let steps = Steps::new(5, "steps");
            let _in = steps.enter();
            tick();
            let s2 = steps.clone();
            std::thread::spawn(move || s2.inc(2)).join().unwrap();
            map(&items[..3], &o, "t", |_| {
                Steps::new(100, "inner").inc(100);
                tick(); // not this thread's steps: nothing
            })
            .unwrap();
        });
        assert_eq!(w.progress(), (6, 8));
        tick(); // no steps entered: nothing

        // A map whose items count on Steps: the map counts nothing of its own, its items see
        // the watch (and no item starts once it is cancelled).
        let w = Watch::new();
        let r = watched(&w, || {
            let steps = Steps::new(6, "steps");
            try_map_in_steps(&items[..3], Some(2), |&i| {
                steps.inc(2);
                Ok((i, interrupted()))
            })
        });
        assert_eq!(r.unwrap(), vec![(0, false), (1, false), (2, false)]);
        assert_eq!(w.progress(), (6, 6));
        let saw = AtomicBool::new(false);
        let r = watched(&w, || {
            try_map_in_steps(&items, Some(1), |&i| {
                if i == 0 {
                    w.cancel();
                    saw.store(interrupted(), Ordering::SeqCst);
                }
                check_interrupted().map(|()| i)
            })
        });
        assert_eq!(r.unwrap_err(), Error::Interrupted);
        assert!(saw.load(Ordering::SeqCst), "items see their job's watch");
        assert_eq!(w.progress(), (6, 6));
        // Without a watch nothing is ever interrupted.
        assert!(map(&items, &o, "t", |_| interrupted())
            .unwrap()
            .iter()
            .all(|b| !b));
    }
}
