//! Bounded cost: the one place where the size of a job is checked against memory and time
//! before any work starts (docs/limits.md).
//!
//! A job states its size as a [`Cost`]: what it is (the flag and value the user gave, named in
//! the refusal), an estimate of its peak memory in bytes and of its wall time in seconds. The
//! estimates are products of the job's counts (grid points, `M·N` entries, sweeps, steps, runs,
//! values) with the per-unit costs below, measured on the reference machine (2 cores; see the
//! constants' docs) and rounded up, so they are generous upper estimates, not predictions.
//!
//! * **Memory** is refused when the estimate exceeds [`MEMORY_FRACTION`] of the memory the
//!   kernel reports as available (`MemAvailable` in `/proc/meminfo`; where that cannot be read,
//!   only the estimate's absolute sanity bound [`MEMORY_CEILING`] applies). No flag overrides it:
//!   past it the allocator would abort the process. Big buffers are also allocated fallibly
//!   ([`try_zeroed`]), so an estimate that was too low still ends in a one-line error.
//! * **Time** is refused when the estimate exceeds [`TIME_LIMIT_SECONDS`] (one day), unless the
//!   caller passes `force` (the command line's `--force`).
//! * **Threads** are bounded by [`max_threads`]: 1 to 4 × the available cores.

use crate::error::{Error, Result};
use std::fmt::Display;

/// Share of `MemAvailable` a job may plan to use.
pub const MEMORY_FRACTION: f64 = 0.8;

/// Largest memory estimate accepted when `MemAvailable` cannot be read (1 TiB).
pub const MEMORY_CEILING: f64 = (1u64 << 40) as f64;

/// Longest estimated wall time accepted without `--force`: one day.
pub const TIME_LIMIT_SECONDS: f64 = 86_400.0;

/// Threads allowed per available core (`--threads` at most this × the cores).
pub const THREADS_PER_CORE: usize = 4;

/// Per-unit costs: seconds of one core, measured on the reference machine (2 cores, load
/// about 2) and rounded up by a factor 2–10, so the time estimates are upper estimates.
pub mod unit {
    /// One RS saddle point (sweep, transitions, optimal-width): measured 40 µs at β = ∞ and
    /// 200 µs at β = 5 with uniform levels.
    pub const RS_POINT: f64 = 1e-3;
    /// One phase-diagram cell with its AT root-finding and branch continuation.
    pub const PHASE_CELL: f64 = 3e-3;
    /// One 1RSB point (sweep --rsb, phase-diagram --rsb), followed by continuation.
    pub const RSB_POINT: f64 = 0.5;
    /// One multiply-add over one entry of the `M × N` data matrix (AMP matvecs, Gibbs field
    /// updates, QAT gradients): measured about 1 ns.
    pub const MATRIX_ENTRY: f64 = 3e-9;
    /// One coordinate of one sample of low-precision SGD (draw, quantize, update): measured
    /// 4 ns.
    pub const SGD_COORD: f64 = 1e-8;
    /// One value of adaptive stochastic quantization (sort plus the level solver).
    pub const ASQ_VALUE: f64 = 2e-7;
    /// One value stochastically rounded onto a level set (a draw and a binary search).
    pub const ROUND_VALUE: f64 = 5e-8;
    /// One weight-step of the online STE simulation.
    pub const STE_WEIGHT_STEP: f64 = 2e-9;
}

/// Per-unit memory (bytes), measured from peak RSS and rounded up.
pub mod bytes {
    /// One finished sweep row kept until the table is written (measured 2 KB with its
    /// rendering).
    pub const SWEEP_ROW: f64 = 4096.0;
    /// One phase-diagram cell and its drawing.
    pub const PHASE_CELL: f64 = 4096.0;
    /// One `f64`.
    pub const F64: f64 = 8.0;
    /// Memory per byte of a data file read whole and parsed (the bytes, the text, the values
    /// and a copy).
    pub const PER_FILE_BYTE: f64 = 6.0;
    /// A floor for any job: the program, its threads and its tables.
    pub const BASE: f64 = 64.0 * 1024.0 * 1024.0;
}

/// The estimated size of one job.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// What was asked, as the user wrote it (e.g. `--over alpha=0:1:100000000`); named in a
    /// refusal.
    pub what: String,
    /// Peak memory estimate (bytes).
    pub bytes: f64,
    /// Wall-time estimate (seconds).
    pub seconds: f64,
    /// How the front end that asked lifts the time limit, named in a time refusal
    /// (`--force` on the command line, `force=True` in Python).
    pub force_hint: &'static str,
}

impl Cost {
    /// A cost of `bytes` (plus [`bytes::BASE`]) and `seconds`.
    pub fn new(what: impl Into<String>, bytes: f64, seconds: f64) -> Cost {
        Cost {
            what: what.into(),
            bytes: bytes + bytes::BASE,
            seconds,
            force_hint: Front::Cli.force_hint(),
        }
    }

    /// The same cost, its time refusal naming `front`'s way to lift the limit.
    pub fn for_front(mut self, front: Front) -> Cost {
        self.force_hint = front.force_hint();
        self
    }

    /// Refuses the job when it cannot fit: memory beyond [`MEMORY_FRACTION`] of the available
    /// memory, or (unless `force`) time beyond [`TIME_LIMIT_SECONDS`].
    pub fn check(&self, force: bool) -> Result<()> {
        self.check_with(force, available_memory())
    }

    /// [`check`](Self::check) against `available` bytes of memory (`None`: unknown).
    pub fn check_with(&self, force: bool, available: Option<u64>) -> Result<()> {
        let limit = available.map_or(MEMORY_CEILING, |a| a as f64 * MEMORY_FRACTION);
        if self.bytes.is_nan() || self.bytes > limit {
            let of = match available {
                Some(a) => format!("{} available", human_bytes(a as f64)),
                None => "the 1 TiB ceiling".to_string(),
            };
            return Err(Error::input(format!(
                "{}: needs about {} of memory, more than {:.0}% of {of}; ask for less",
                self.what,
                human_bytes(self.bytes),
                MEMORY_FRACTION * 100.0
            )));
        }
        if !force && (self.seconds.is_nan() || self.seconds > TIME_LIMIT_SECONDS) {
            return Err(Error::input(format!(
                "{}: would take about {} (estimate), over the {} limit; ask for less or pass {}",
                self.what,
                human_seconds(self.seconds),
                human_seconds(TIME_LIMIT_SECONDS),
                self.force_hint
            )));
        }
        Ok(())
    }
}

/// Checks every cost in turn (the first refusal is returned).
pub fn check_all(costs: &[Cost], force: bool) -> Result<()> {
    let available = available_memory();
    costs
        .iter()
        .try_for_each(|c| c.check_with(force, available))
}

/// `MemAvailable` of `/proc/meminfo` in bytes (`None` where it cannot be read).
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

/// The `MemAvailable:` line of a `/proc/meminfo` text, in bytes.
pub fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut parts = line.split_whitespace().skip(1);
    let kb: u64 = parts.next()?.parse().ok()?;
    let scale = match parts.next() {
        Some("kB") | None => 1024,
        Some(_) => return None,
    };
    kb.checked_mul(scale)
}

/// Cores available to this process (at least 1).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Largest `--threads` accepted: [`THREADS_PER_CORE`] × [`cores`].
pub fn max_threads() -> usize {
    THREADS_PER_CORE * cores()
}

/// Checks a requested thread count: 1 to [`max_threads`].
pub fn threads(requested: Option<usize>) -> Result<Option<usize>> {
    match requested {
        Some(0) => Err(Error::input("--threads must be at least 1")),
        Some(t) if t > max_threads() => Err(Error::input(format!(
            "--threads {t} is more than {} ({THREADS_PER_CORE} per available core, {} cores)",
            max_threads(),
            cores()
        ))),
        t => Ok(t),
    }
}

/// Threads a job will use: the request, or every core.
pub fn effective_threads(requested: Option<usize>) -> usize {
    requested.unwrap_or_else(cores).max(1)
}

/// A vector of `n` zeros, allocated fallibly: a one-line error naming `what` instead of an
/// allocation abort.
pub fn try_zeroed(n: usize, what: &str) -> Result<Vec<f64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::input(format!(
            "{what}: cannot allocate {} for {n} values",
            human_bytes(n as f64 * 8.0)
        ))
    })?;
    v.resize(n, 0.0);
    Ok(v)
}

/// An empty vector with room for `n` items, allocated fallibly (see [`try_zeroed`]).
pub fn try_with_capacity<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::input(format!(
            "{what}: cannot allocate {} for {n} items",
            human_bytes(n as f64 * std::mem::size_of::<T>() as f64)
        ))
    })?;
    Ok(v)
}

/// `n` RS saddle points (a sweep of `n` grid points) on `threads` threads.
pub fn rs_points(what: impl Into<String>, n: f64, threads: usize) -> Cost {
    Cost::new(
        what,
        n * bytes::SWEEP_ROW,
        n * unit::RS_POINT / threads.max(1) as f64,
    )
}

/// `n` 1RSB points on `threads` threads.
pub fn rsb_points(what: impl Into<String>, n: f64, threads: usize) -> Cost {
    Cost::new(
        what,
        n * bytes::SWEEP_ROW,
        n * unit::RSB_POINT / threads.max(1) as f64,
    )
}

/// A phase diagram of `cells` cells (with `rsb`: a 1RSB point per cell as well).
pub fn phase_cells(what: impl Into<String>, cells: f64, rsb: bool, threads: usize) -> Cost {
    let per = unit::PHASE_CELL + if rsb { unit::RSB_POINT } else { 0.0 };
    Cost::new(
        what,
        cells * bytes::PHASE_CELL,
        cells * per / threads.max(1) as f64,
    )
}

/// Runs over `seeds` instances of an `m × n` data matrix, each making `passes` passes over
/// every entry and holding `copies` matrices of that size, on `threads` threads (as many
/// instances in memory at once as threads).
pub fn matrix_runs(
    what: impl Into<String>,
    m: f64,
    n: f64,
    seeds: f64,
    passes: f64,
    copies: f64,
    threads: usize,
) -> Cost {
    let at_once = seeds.min(threads.max(1) as f64).max(1.0);
    Cost::new(
        what,
        at_once * copies * m * n * bytes::F64,
        seeds * passes * m * n * unit::MATRIX_ENTRY / at_once,
    )
}

/// Low-precision SGD: `runs` runs of `steps × batch` samples of dimension `d`.
pub fn sgd_runs(
    what: impl Into<String>,
    d: f64,
    steps: f64,
    batch: f64,
    runs: f64,
    threads: usize,
) -> Cost {
    let at_once = runs.min(threads.max(1) as f64).max(1.0);
    Cost::new(
        what,
        at_once * 16.0 * d * bytes::F64,
        runs * steps * batch * d * unit::SGD_COORD / at_once,
    )
}

/// Adaptive stochastic quantization of `d` values (values, weights, sorted copies).
pub fn asq_values(what: impl Into<String>, d: f64) -> Cost {
    Cost::new(what, 4.0 * d * bytes::F64, d * unit::ASQ_VALUE)
}

/// Reading a data file of `file_bytes` bytes whole.
pub fn data_file(what: impl Into<String>, file_bytes: f64) -> Cost {
    Cost::new(what, file_bytes * bytes::PER_FILE_BYTE, file_bytes * 1e-8)
}

/// `2.3 GB`, `512 MB`, …
pub fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 7] = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
    if !b.is_finite() {
        return "an unbounded amount".to_string();
    }
    let mut v = b;
    let mut k = 0;
    while v >= 1000.0 && k + 1 < UNITS.len() {
        v /= 1000.0;
        k += 1;
    }
    if k + 1 == UNITS.len() && v >= 1000.0 {
        return format!("{b:.1e} B");
    }
    format!("{v:.1} {}", UNITS[k])
}

/// `3.2 h`, `12 days`, …
pub fn human_seconds(s: f64) -> String {
    if !s.is_finite() {
        "forever".to_string()
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 2.0 * 86_400.0 {
        format!("{:.1} h", s / 3600.0)
    } else if s < 365.0 * 86_400.0 {
        format!("{:.0} days", s / 86_400.0)
    } else if s < 1000.0 * 365.25 * 86_400.0 {
        format!("{:.0} years", s / (365.25 * 86_400.0))
    } else {
        format!("{:.1e} years", s / (365.25 * 86_400.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_is_read_in_kilobytes() {
        let t = "MemTotal:       24000000 kB\nMemFree: 1 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(parse_meminfo(t), Some(20_000_000 * 1024));
        assert_eq!(parse_meminfo("MemTotal: 5 kB\n"), None);
        assert_eq!(parse_meminfo("MemAvailable: x kB\n"), None);
    }

    #[test]
    fn memory_and_time_refusals_name_the_value() {
        let gib = 1u64 << 30;
        let big = Cost::new("--n 100000", 20.0 * gib as f64, 1.0);
        let e = big
            .check_with(true, Some(16 * gib))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--n 100000: needs about 21.5 GB of memory"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        assert!(big.check_with(false, Some(32 * gib)).is_ok());
        let slow = Cost::new("--sweeps 1e12", 0.0, 2.0 * TIME_LIMIT_SECONDS);
        let e = slow.check_with(false, Some(gib)).unwrap_err().to_string();
        assert!(e.contains("--force") && e.contains("2 days"), "{e}");
        assert!(
            slow.check_with(true, Some(gib)).is_ok(),
            "--force lifts the time limit"
        );
        let nan = Cost::new("x", f64::NAN, f64::NAN);
        assert!(
            nan.check_with(true, None).is_err(),
            "NaN estimates are refused"
        );
    }

    #[test]
    fn threads_are_bounded() {
        assert!(threads(Some(0)).is_err());
        assert_eq!(threads(Some(1)).unwrap(), Some(1));
        assert_eq!(threads(None).unwrap(), None);
        assert_eq!(threads(Some(max_threads())).unwrap(), Some(max_threads()));
        let e = threads(Some(max_threads() + 1)).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("--threads {}", max_threads() + 1)),
            "{e}"
        );
    }

    #[test]
    fn fallible_allocation_reports_instead_of_aborting() {
        assert_eq!(try_zeroed(3, "x").unwrap(), vec![0.0; 3]);
        let e = try_zeroed(usize::MAX / 8, "--d huge")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--d huge: cannot allocate"), "{e}");
        assert!(try_with_capacity::<u64>(usize::MAX / 4, "y").is_err());
    }

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(2.5e9), "2.5 GB");
        assert_eq!(human_seconds(30.0), "30 s");
        assert_eq!(human_seconds(3.0 * 3600.0), "3.0 h");
    }
}

/// The front end that asks for a job: how it names arguments in a refusal and how its user
/// lifts the time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    /// The command line: `--burn-in 500`; `--force`.
    Cli,
    /// The Python module: `burn_in=500`; `force=True`.
    Python,
}

impl Front {
    /// An argument and its value as this front end spells it (`name` in either case).
    pub fn arg(self, name: &str, value: impl Display) -> String {
        match self {
            Front::Cli => format!("--{} {value}", name.replace('_', "-")),
            Front::Python => format!("{}={value}", name.replace('-', "_")),
        }
    }

    /// How the time limit is lifted: `--force` or `force=True`.
    pub fn force_hint(self) -> &'static str {
        match self {
            Front::Cli => "--force",
            Front::Python => "force=True",
        }
    }

    /// A list of arguments (`--a 1 --b 2`, `a=1, b=2`).
    pub(crate) fn args(self, parts: &[String]) -> String {
        parts.join(match self {
            Front::Cli => " ",
            Front::Python => ", ",
        })
    }
}
