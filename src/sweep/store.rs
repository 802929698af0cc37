//! Checkpoint and shard files: a header line that identifies the sweep, then one JSON line per
//! completed point. Floats are stored exactly (see [`encode`]), so a resumed or merged sweep
//! reproduces an uninterrupted one byte for byte.

use super::grid::{Axis, AxisValue, Grid, Param};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

/// The `format` field of every header line.
pub const FORMAT: &str = "quantreplica-sweep";
/// Version of the file layout.
pub const VERSION: u32 = 1;

/// `--shard i/n`: this run evaluates the points whose index is `≡ i (mod n)`, `0 ≤ i < n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard (0-based).
    pub index: usize,
    /// How many shards in all.
    pub count: usize,
}

impl Shard {
    /// Whether point `i` belongs to this shard.
    pub fn owns(&self, i: usize) -> bool {
        i % self.count == self.index
    }

    /// Number of the grid's `len` points that belong to this shard.
    pub fn size(&self, len: usize) -> usize {
        if self.index >= len {
            0
        } else {
            (len - self.index).div_ceil(self.count)
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::input(format!(
                "--shard '{s}' is not i/n with 0 <= i < n (e.g. 0/4)"
            ))
        };
        let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let i: usize = i.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || i >= n {
            return Err(bad());
        }
        Ok(Shard { index: i, count: n })
    }
}

/// One axis as stored in a header: the parameter and its values as exact text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AxisSpec {
    /// Parameter name.
    pub param: String,
    /// Values, exact (`{:?}` of f64, integers, level specs).
    pub values: Vec<String>,
}

/// What identifies a sweep: its grid and a caller-chosen context (for `sweep`: the evaluator,
/// the crate version and every unswept model flag).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The grid axes, outermost first.
    pub axes: Vec<AxisSpec>,
    /// Everything else the results depend on.
    pub context: String,
}

impl Spec {
    /// The spec of `grid` under `context`.
    pub fn new(grid: &Grid, context: &str) -> Spec {
        Spec {
            axes: grid
                .axes
                .iter()
                .map(|a| AxisSpec {
                    param: a.param.name().to_string(),
                    values: a.values.iter().map(AxisValue::canonical).collect(),
                })
                .collect(),
            context: context.to_string(),
        }
    }

    /// FNV-1a (64-bit) of the spec's canonical JSON, as 16 hex digits.
    pub fn hash(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// Rebuilds the grid (exactly) from the stored axes.
    pub fn grid(&self) -> Result<Grid> {
        let bad = |what: &str| Error::input(format!("sweep file header has a bad axis: {what}"));
        let mut axes = Vec::new();
        for a in &self.axes {
            let param: Param = a.param.parse()?;
            let values = a
                .values
                .iter()
                .map(|v| match param {
                    Param::Levels => Ok(AxisValue::Text(v.clone())),
                    Param::Bits => v.parse().map(AxisValue::Int).map_err(|_| bad(v)),
                    _ => v.parse().map(AxisValue::Num).map_err(|_| bad(v)),
                })
                .collect::<Result<Vec<_>>>()?;
            if values.is_empty() {
                return Err(bad(&a.param));
            }
            axes.push(Axis { param, values });
        }
        Ok(Grid { axes })
    }
}

/// The first line of a checkpoint or shard file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// [`Spec::hash`] of `spec`.
    pub hash: String,
    /// Points in the whole grid.
    pub points: usize,
    /// The shard this file holds (`None`: the whole grid).
    pub shard: Option<Shard>,
    /// The sweep.
    pub spec: Spec,
}

impl Header {
    /// The header of a sweep of `grid` under `context`, for `shard`.
    pub fn new(grid: &Grid, context: &str, shard: Option<Shard>) -> Header {
        let spec = Spec::new(grid, context);
        Header {
            format: FORMAT.into(),
            version: VERSION,
            hash: spec.hash(),
            points: grid.len(),
            shard,
            spec,
        }
    }

    /// The header as its line (with the newline).
    pub fn line(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Whether the file's points are `i`'s.
    pub fn owns(&self, i: usize) -> bool {
        self.shard.is_none_or(|s| s.owns(i))
    }

    /// Number of points this file should hold when complete.
    pub fn expected(&self) -> usize {
        self.shard.map_or(self.points, |s| s.size(self.points))
    }
}

#[derive(Serialize, Deserialize)]
struct RecordLine {
    i: usize,
    r: Value,
}

/// Makes every float of a JSON value exact text: an f64 becomes the string `~{:?}`, and a
/// string that starts with `~` gets one more `~`. (serde_json's default float parser may be off
/// by one ulp; Rust's `str::parse::<f64>` is exact.)
pub fn encode(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            Value::String(format!("~{:?}", n.as_f64().unwrap_or(f64::NAN)))
        }
        Value::String(s) if s.starts_with('~') => Value::String(format!("~{s}")),
        Value::Array(a) => Value::Array(a.into_iter().map(encode).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, encode(v))).collect()),
        other => other,
    }
}

/// Inverse of [`encode`].
pub fn decode(v: Value) -> Result<Value> {
    Ok(match v {
        Value::String(s) if s.starts_with("~~") => Value::String(s[1..].to_string()),
        Value::String(s) if s.starts_with('~') => {
            let x: f64 = s[1..]
                .parse()
                .map_err(|_| Error::input(format!("sweep file holds a bad number '{s}'")))?;
            serde_json::Number::from_f64(x)
                .map(Value::Number)
                .unwrap_or(Value::Null)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(decode).collect::<Result<_>>()?),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| Ok((k, decode(v)?)))
                .collect::<Result<_>>()?,
        ),
        other => other,
    })
}

/// A sweep file as read from disk.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The header (`None`: the file held no complete line yet).
    pub header: Option<Header>,
    /// Completed points: index → result (decoded, exact).
    pub records: BTreeMap<usize, Value>,
    /// Bytes up to the end of the last complete line; anything after it is a torn write.
    pub valid_len: u64,
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

/// Reads a checkpoint or shard file. A last line without its newline (a write cut short by a
/// kill) is ignored; any other malformed line is an error. `expected_header`, when given, is
/// the header this run would write: a file holding only a torn prefix of it counts as empty.
pub fn load(path: &Path, expected_header: Option<&Header>) -> Result<Loaded> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::input(format!("cannot read sweep file {}: {e}", name(path))))?;
    parse(&bytes, path, expected_header)
}

/// [`load`] on a sweep file's bytes; `path` only names the file in errors. The fuzz target
/// `checkpoint` and the corpus replay test call this entry point.
pub fn parse(bytes: &[u8], path: &Path, expected_header: Option<&Header>) -> Result<Loaded> {
    let valid = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let text = std::str::from_utf8(&bytes[..valid]).map_err(|_| {
        Error::input(format!(
            "{} is not a quantreplica sweep file (not UTF-8)",
            name(path)
        ))
    })?;
    let mut lines = text.lines();
    let Some(first) = lines.next() else {
        // No complete line: empty, or a header cut short. Refuse anything else (never clobber
        // someone's file).
        let torn = &bytes[valid..];
        let ok = torn.is_empty()
            || expected_header.is_some_and(|h| h.line().as_bytes().starts_with(torn));
        if !ok {
            return Err(Error::input(format!(
                "{} is not a quantreplica sweep file",
                name(path)
            )));
        }
        return Ok(Loaded {
            header: None,
            records: BTreeMap::new(),
            valid_len: 0,
        });
    };
    let header: Header = serde_json::from_str(first)
        .ok()
        .filter(|h: &Header| h.format == FORMAT)
        .ok_or_else(|| {
            Error::input(format!(
                "{} is not a quantreplica sweep file (bad header line)",
                name(path)
            ))
        })?;
    if header.version != VERSION {
        return Err(Error::input(format!(
            "{} has sweep file version {}, expected {VERSION}",
            name(path),
            header.version
        )));
    }
    if header.spec.hash() != header.hash {
        return Err(Error::input(format!(
            "{} has a corrupt header (hash mismatch)",
            name(path)
        )));
    }
    let mut records = BTreeMap::new();
    for (k, line) in lines.enumerate() {
        let lineno = k + 2;
        let rec: RecordLine = serde_json::from_str(line)
            .map_err(|_| Error::input(format!("{} line {lineno} is corrupt", name(path))))?;
        if rec.i >= header.points || !header.owns(rec.i) {
            return Err(Error::input(format!(
                "{} line {lineno}: point {} does not belong to this sweep file",
                name(path),
                rec.i
            )));
        }
        let r = decode(rec.r)?;
        match records.get(&rec.i) {
            Some(old) if *old != r => {
                return Err(Error::input(format!(
                    "{} holds point {} twice with different results",
                    name(path),
                    rec.i
                )))
            }
            Some(_) => {}
            None => {
                records.insert(rec.i, r);
            }
        }
    }
    Ok(Loaded {
        header: Some(header),
        records,
        valid_len: valid as u64,
    })
}

/// Appends result lines to a sweep file, one whole line per write, flushed; safe to share
/// between threads.
#[derive(Debug)]
pub struct Appender {
    file: Mutex<File>,
    path: PathBuf,
}

impl Appender {
    /// Opens `path` for a sweep with `header`: resumes a matching file (dropping a torn last
    /// line), refuses a file of another sweep, starts a new one otherwise. Returns the points
    /// already done.
    ///
    /// The path is checked like every output ([`crate::output::Sink`]) before anything is
    /// computed: an unwritable or wrong-kind path is refused naming it, and so is a device or
    /// FIFO (a checkpoint is read back to resume, so it must be a regular file). A symbolic link
    /// stays a link (the file it points to is written). A new checkpoint appears atomically
    /// with its whole header (temp file and rename); from then on it is appended in place, one
    /// whole flushed line per finished point — not replaced atomically, which would lose the
    /// points of an interrupted run — and a resumed run first cuts a torn last line.
    pub fn open(path: &Path, header: &Header) -> Result<(Appender, BTreeMap<usize, Value>)> {
        let sink = crate::output::Sink::new(path).map_err(|e| match e {
            Error::Input(m) => {
                Error::Input(m.replacen("cannot write ", "cannot write checkpoint ", 1))
            }
            other => other,
        })?;
        let Some(real) = sink.file() else {
            return Err(Error::input(format!(
                "cannot use {} as a checkpoint: it is read back to resume a sweep, so it must be a regular file, not a device or FIFO",
                name(path)
            )));
        };
        let io = |e: std::io::Error| {
            Error::input(format!("cannot write checkpoint {}: {e}", name(path)))
        };
        let loaded = if real.exists() {
            Some(load(path, Some(header))?)
        } else {
            None
        };
        let (file, records) = match loaded {
            Some(Loaded {
                header: Some(h),
                records,
                valid_len,
            }) => {
                if h.hash != header.hash || h.spec != header.spec || h.points != header.points {
                    return Err(Error::input(format!(
                        "checkpoint {} belongs to a different sweep (grid or model flags differ: hash {} vs {}); use another file or delete it",
                        name(path),
                        h.hash,
                        header.hash
                    )));
                }
                if h.shard != header.shard {
                    let show = |s: Option<Shard>| s.map_or("none".to_string(), |s| s.to_string());
                    return Err(Error::input(format!(
                        "checkpoint {} is for shard {}, this run is shard {}",
                        name(path),
                        show(h.shard),
                        show(header.shard)
                    )));
                }
                let f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(real)
                    .map_err(io)?;
                f.set_len(valid_len).map_err(io)?;
                drop(f);
                let f = OpenOptions::new().append(true).open(real).map_err(io)?;
                (f, records)
            }
            _ => {
                // The header appears at once, whole (the Sink's temp file and rename).
                sink.write(header.line().as_bytes())?;
                let f = OpenOptions::new().append(true).open(real).map_err(io)?;
                (f, BTreeMap::new())
            }
        };
        Ok((
            Appender {
                file: Mutex::new(file),
                path: path.to_path_buf(),
            },
            records,
        ))
    }

    /// Appends one completed point (exact encoding, one `write_all`, flushed).
    pub fn append(&self, index: usize, result: &Value) -> Result<()> {
        let mut line = serde_json::to_string(&RecordLine {
            i: index,
            r: encode(result.clone()),
        })
        .map_err(|e| Error::Io(e.to_string()))?;
        line.push('\n');
        let mut f = self
            .file
            .lock()
            .map_err(|_| Error::Io("checkpoint lock poisoned".into()))?;
        f.write_all(line.as_bytes())
            .map_err(|e| Error::Io(format!("{}: {e}", name(&self.path))))?;
        f.flush()
            .map_err(|e| Error::Io(format!("{}: {e}", name(&self.path))))?;
        Ok(())
    }

    /// Flushes the file to disk.
    pub fn sync(&self) -> Result<()> {
        let f = self
            .file
            .lock()
            .map_err(|_| Error::Io("checkpoint lock poisoned".into()))?;
        f.sync_all()
            .map_err(|e| Error::Io(format!("{}: {e}", name(&self.path))))
    }
}

/// Reads shard files and checks that they are the shards of one sweep and cover every point
/// exactly once. Returns the common spec and every result, by index.
pub fn merge_files(files: &[PathBuf]) -> Result<(Spec, BTreeMap<usize, Value>)> {
    if files.is_empty() {
        return Err(Error::input("merge needs at least one shard file"));
    }
    let mut first: Option<Header> = None;
    let mut seen: BTreeMap<usize, PathBuf> = BTreeMap::new();
    let mut all = BTreeMap::new();
    for path in files {
        if !path.is_file() {
            return Err(Error::input(format!(
                "cannot read shard file {}",
                name(path)
            )));
        }
        let l = load(path, None)?;
        let h = l
            .header
            .ok_or_else(|| Error::input(format!("{} is empty: not a sweep file", name(path))))?;
        let s = h.shard.unwrap_or(Shard { index: 0, count: 1 });
        match &first {
            None => first = Some(h.clone()),
            Some(f) => {
                if f.hash != h.hash || f.spec != h.spec || f.points != h.points {
                    return Err(Error::input(format!(
                        "{} belongs to a different sweep than {} (hash {} vs {})",
                        name(path),
                        name(&files[0]),
                        h.hash,
                        f.hash
                    )));
                }
                let fs = f.shard.unwrap_or(Shard { index: 0, count: 1 });
                if fs.count != s.count {
                    return Err(Error::input(format!(
                        "{} is shard {s} but {} is shard {fs}: shard counts differ",
                        name(path),
                        name(&files[0])
                    )));
                }
            }
        }
        if let Some(other) = seen.insert(s.index, path.clone()) {
            return Err(Error::input(format!(
                "shard {s} is given twice ({} and {})",
                name(&other),
                name(path)
            )));
        }
        if l.records.len() != h.expected() {
            return Err(Error::input(format!(
                "shard {s} ({}) is incomplete: {} of {} points",
                name(path),
                l.records.len(),
                h.expected()
            )));
        }
        all.extend(l.records);
    }
    let h = first.ok_or_else(|| Error::input("merge needs at least one shard file"))?;
    let count = h.shard.map_or(1, |s| s.count);
    if let Some(missing) = (0..count).find(|i| !seen.contains_key(i)) {
        return Err(Error::input(format!(
            "shard {missing}/{count} is missing ({} of {count} shard files given)",
            seen.len()
        )));
    }
    if all.len() != h.points {
        return Err(Error::input(format!(
            "the shards cover {} of {} points",
            all.len(),
            h.points
        )));
    }
    Ok((h.spec, all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_exact() {
        let xs = [
            0.1,
            1.0 / 3.0,
            2.3120394487818885e-12,
            5e-324,
            f64::MAX,
            -0.0,
            0.6224615647895656,
        ];
        let v = serde_json::json!({"a": xs, "s": "~x", "t": "plain", "n": 7, "z": null});
        let line = serde_json::to_string(&encode(v.clone())).unwrap();
        let back = decode(serde_json::from_str(&line).unwrap()).unwrap();
        assert_eq!(back, v);
        let a: Vec<f64> = serde_json::from_value(back["a"].clone()).unwrap();
        for (x, y) in xs.iter().zip(&a) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }

    #[test]
    fn shards() {
        assert_eq!(
            "1/3".parse::<Shard>().unwrap(),
            Shard { index: 1, count: 3 }
        );
        for bad in ["3/2", "0/0", "2/2", "a/2", "1", "-1/2", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let s = Shard { index: 2, count: 3 };
        assert_eq!(s.size(10), 3);
        assert_eq!(Shard { index: 5, count: 6 }.size(4), 0);
    }
}
