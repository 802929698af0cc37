//! Running library calls from Python: the GIL released, Ctrl-C and a progress callback watched
//! from the calling thread, panics turned into exceptions, library errors into the exceptions
//! Python users expect.

use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use quantreplica::parallel::{watched, Watch};
use quantreplica::Error;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How often the calling thread checks for Ctrl-C and reports progress while a job runs.
const POLL: Duration = Duration::from_millis(20);

/// A library error as the Python exception users expect: bad input is a `ValueError` with the
/// command line's one-line message.
pub fn to_py(e: Error) -> PyErr {
    match e {
        Error::Input(msg) => PyValueError::new_err(msg),
        Error::Io(msg) => PyOSError::new_err(msg),
        Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

/// A panic's payload as a `RuntimeError` (a bug: the library should return an error instead).
fn panic_to_py(payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    PyRuntimeError::new_err(format!("internal error in quantreplica: {msg}"))
}

/// Runs a short job with the GIL released on the calling thread (no watcher: for calls of a
/// few milliseconds, where starting a thread would cost more than the call).
pub fn quick<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> quantreplica::Result<T> + Send,
) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(r) => r.map_err(to_py),
        Err(p) => Err(panic_to_py(p)),
    }
}

/// Runs a long job on a worker thread with the GIL released, while the calling thread checks
/// for Ctrl-C (`Python::check_signals`) and calls `progress(done, total)` every few
/// milliseconds. On Ctrl-C (or an exception raised by the callback) the job is cancelled
/// through its [`Watch`]: every parallel loop of the library stops taking new items, the items
/// under way finish, nothing is half-written, and the exception is raised.
pub fn watched_job<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce() -> quantreplica::Result<T> + Send,
) -> PyResult<T> {
    let watch = Watch::new();
    let finished = (Mutex::new(false), Condvar::new());
    std::thread::scope(|s| {
        let w = watch.clone();
        let done = &finished;
        let handle = s.spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| watched(&w, f)));
            if let Ok(mut d) = done.0.lock() {
                *d = true;
            }
            done.1.notify_all();
            r
        });
        let mut pending: Option<PyErr> = None;
        let mut last = (u64::MAX, u64::MAX);
        let mut report = |pending: &mut Option<PyErr>| {
            if let (Some(cb), None) = (progress, pending.as_ref()) {
                let p = watch.progress();
                if p != last {
                    last = p;
                    if let Err(e) = cb.call1(p) {
                        watch.cancel();
                        *pending = Some(e);
                    }
                }
            }
        };
        loop {
            let over = py.detach(|| match finished.0.lock() {
                Ok(d) if *d => true,
                Ok(d) => finished.1.wait_timeout(d, POLL).map_or(true, |(d, _)| *d),
                Err(_) => true,
            });
            if over {
                break;
            }
            if pending.is_none() {
                if let Err(e) = py.check_signals() {
                    watch.cancel();
                    pending = Some(e);
                    continue;
                }
            }
            report(&mut pending);
        }
        let joined = py.detach(|| handle.join());
        report(&mut pending);
        if let Some(e) = pending {
            return Err(e);
        }
        match joined {
            Ok(Ok(r)) => r.map_err(to_py),
            Ok(Err(p)) | Err(p) => Err(panic_to_py(p)),
        }
    })
}
