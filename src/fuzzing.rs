//! Parser entry points shared by the fuzz targets (`fuzz/`, run with `cargo fuzz`) and the
//! corpus replay test (`tests/fuzz_replay.rs`): each takes the raw bytes of one input and feeds
//! them through the crate's own parsers, returning the first error. The contract, checked by
//! both, is that every input gives `Ok` or an error whose message is one line — never a panic,
//! an abort or a hang. See docs/fuzzing.md.
//!
//! | target | parsers |
//! | --- | --- |
//! | [`levels`] | `--levels` ([`LevelKind`]), `--bits`, `--level-weights`, the model built from them |
//! | [`teacher`] | `--teacher`, `--teacher-var`, `--teacher-probs` ([`parse_teacher`]) |
//! | [`over`] | `--over`/`--log` sweep axes and grids ([`Grid::parse`]), phase-diagram axes |
//! | [`checkpoint`] | sweep checkpoint and shard files ([`store::parse`]) |
//! | [`data`] | CSV/.npy instance tables ([`table_from_bytes`]), ASQ value files ([`values_from_bytes`]) |
//! | [`specs`] | the other small specs: quantizers, schedules, iterates, `--wstar`, `--dist`, `--shard`, `--time`, `--bits-range`, `--beta`, `--channel`, `--labels` |

use crate::asq::values_from_bytes;
use crate::error::{Error, Result};
use crate::instance::table_from_bytes;
use crate::model::spec::{parse_list, parse_teacher, LevelKind};
use crate::spec::ModelSpec;
use crate::sweep::grid::{Axis, Grid};
use crate::sweep::store;
use std::path::Path;

/// The input as text (lossy), so that every target also sees non-UTF-8 bytes.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Line `k` of `s` (empty when absent).
fn line(s: &str, k: usize) -> &str {
    s.lines().nth(k).unwrap_or("")
}

/// Runs every check and returns the first error (all of them run, so that one input exercises
/// every parser it can reach).
fn first_error(results: impl IntoIterator<Item = Result<()>>) -> Result<()> {
    let mut first = Ok(());
    for r in results {
        if first.is_ok() {
            first = r;
        }
    }
    first
}

/// Line 1: a level spec; line 2: bits; line 3: width; line 4: level weights. The spec is parsed
/// alone, then a model with those levels is built (students with more than 4096 levels or an
/// `asq:S` with S > 4096 are not built: their cost, not their parsing, is the issue).
pub fn levels(bytes: &[u8]) -> Result<()> {
    let s = text(bytes);
    let spec = line(&s, 0);
    let kind = spec.parse::<LevelKind>();
    let bits: u32 = line(&s, 1).trim().parse().unwrap_or(2);
    let width: f64 = line(&s, 2).trim().parse().unwrap_or(1.0);
    let weights = line(&s, 3);
    let level_weights = if weights.trim().is_empty() {
        None
    } else {
        Some(parse_list(weights, "level weight")?)
    };
    let kind = kind?;
    let cheap = match &kind {
        LevelKind::Asq(n) => *n <= 4096,
        LevelKind::Custom(v) => v.len() <= 4096,
        _ => bits <= 12,
    };
    if !cheap {
        return Ok(());
    }
    let m = ModelSpec {
        levels: spec.to_string(),
        bits,
        width,
        level_weights,
        ..ModelSpec::default()
    };
    m.build().map(|_| ())
}

/// Line 1: a teacher spec; line 2: its variance ρ; line 3: its probabilities.
pub fn teacher(bytes: &[u8]) -> Result<()> {
    let s = text(bytes);
    let rho: f64 = line(&s, 1).trim().parse().unwrap_or(1.0);
    let probs = line(&s, 2);
    let probs = if probs.trim().is_empty() {
        None
    } else {
        Some(parse_list(probs, "teacher probability")?)
    };
    parse_teacher(line(&s, 0), rho, probs.as_deref()).map(|_| ())
}

/// Every line an `--over` spec; a line `log PARAM` is a `--log` flag. Each axis is also parsed
/// alone (as `transitions --over` and `phase-diagram --x/--y` do), then the grid.
pub fn over(bytes: &[u8]) -> Result<()> {
    let s = text(bytes);
    let mut overs = Vec::new();
    let mut logs = Vec::new();
    for l in s.lines() {
        match l.strip_prefix("log ") {
            Some(p) => logs.push(p.to_string()),
            None => overs.push(l.to_string()),
        }
    }
    let mut checks: Vec<Result<()>> = overs
        .iter()
        .take(8)
        .map(|o| Axis::parse(o, !logs.is_empty()).map(|_| ()))
        .collect();
    checks.push(Grid::parse(&overs, &logs).map(|_| ()));
    first_error(checks)
}

/// The bytes as a sweep checkpoint file: alone, and against the header a one-axis sweep would
/// write (so that torn-header handling is reached).
pub fn checkpoint(bytes: &[u8]) -> Result<()> {
    let path = Path::new("fuzz.checkpoint");
    let grid = Grid::parse(&["alpha=1:2:3".to_string()], &[])?;
    let header = store::Header::new(&grid, "fuzz", None);
    first_error([
        store::parse(bytes, path, None).map(|_| ()),
        store::parse(bytes, path, Some(&header)).map(|_| ()),
    ])
}

/// The bytes as an instance table (CSV, then `.npy`) and as an ASQ values file.
pub fn data(bytes: &[u8]) -> Result<()> {
    first_error([
        table_from_bytes(bytes, false, "fuzz.csv").map(|_| ()),
        table_from_bytes(bytes, true, "fuzz.npy").map(|_| ()),
        values_from_bytes(bytes, "fuzz.txt").map(|_| ()),
    ])
}

/// The first line's text through every small spec parser.
pub fn specs(bytes: &[u8]) -> Result<()> {
    use crate::lowprec::noise::Quantizer;
    use crate::lowprec::sgd::{Averaging, StepSchedule, WStar};
    use crate::lowprec::Rounding;
    let s = text(bytes);
    let t = line(&s, 0);
    let unit = |r: std::result::Result<f64, String>| r.map(|_| ()).map_err(Error::input);
    first_error([
        Quantizer::parse(t, Some(0.01), Rounding::Nearest).map(|_| ()),
        Quantizer::parse(t, None, Rounding::Stochastic).map(|_| ()),
        StepSchedule::parse(t).map(|_| ()),
        Averaging::parse(t, 1000).map(|_| ()),
        WStar::parse(t).map(|_| ()),
        crate::asq::Dist::parse(t).map(|_| ()),
        t.parse::<store::Shard>().map(|_| ()),
        crate::ste::parse_time(t).map(|_| ()),
        crate::experiments::widths::parse_bits_range(t).map(|_| ()),
        unit(crate::spec::parse_beta(t)),
        unit(crate::spec::parse_finite(t)),
        t.parse::<crate::spec::ChannelKind>().map(|_| ()),
        crate::spec::parse_labels(t).map(|_| ()),
        parse_list(t, "value").map(|_| ()),
    ])
}
