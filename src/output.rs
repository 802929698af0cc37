//! Writing results: JSON to stdout, files written through a [`Sink`] (checked before computing;
//! regular files replaced atomically, temp file + rename, so that an interrupted or failed run
//! never leaves a half-written file behind; devices and FIFOs as streams), and CSV tables — built
//! cell by cell ([`Csv::push`]) or derived from the serde form of the rows ([`Csv::from_rows`]),
//! so that a table's columns are always the record's fields, in declared order.

use crate::error::{Error, Result};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

mod flat;

/// Serializes `value` as pretty JSON. Non-finite floats become `null` (serde_json's rule).
pub fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Io(e.to_string()))
}

/// Prints `value` as one JSON object on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let s = to_json(value)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{s}")?;
    Ok(())
}

/// Writes `bytes` to `path` through a [`Sink`]: a regular file atomically (sibling temp file,
/// then a rename), a device or FIFO as a stream.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    Sink::new(path)?.write(bytes)
}

/// Where an output file goes, checked before anything is computed ([`Sink::new`]).
///
/// - A regular file (or a new one) is replaced atomically: the bytes go to a hidden sibling
///   temp file in the same directory, then a rename; a failure removes the temp file.
/// - A symbolic link stays a link: the file it points to (followed through every link, even a
///   dangling one) is replaced atomically in its own directory.
/// - A character device or a FIFO (`/dev/null`, `/dev/stdout` on a terminal or a pipe, `mkfifo`)
///   and the descriptor paths `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`
///   are written as a stream, opened without truncation (appending), so `/dev/null` stays a
///   device and `--csv /dev/stdout > file` appends to what was printed.
/// - Anything else (a directory, a socket, a block device, a path through a regular file, an
///   unwritable directory, an empty path) is refused with an input error naming the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sink {
    /// The path as given (for messages).
    given: PathBuf,
    target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Replace this regular file (symbolic links resolved) atomically.
    File(PathBuf),
    /// Write to this path as a stream.
    Stream(PathBuf),
}

/// The descriptor paths that name an open file of this process.
fn is_descriptor_path(p: &Path) -> bool {
    let s = p.to_string_lossy();
    if matches!(s.as_ref(), "/dev/stdout" | "/dev/stderr" | "/dev/stdin") {
        return true;
    }
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if let Some(n) = s.strip_prefix("/dev/fd/") {
        return digits(n);
    }
    if let Some(rest) = s.strip_prefix("/proc/") {
        if let Some((pid, n)) = rest.split_once("/fd/") {
            return (pid == "self" || pid == "thread-self" || digits(pid)) && digits(n);
        }
    }
    false
}

/// Follows `path` through symbolic links (at most 40), dangling ones included: the path of the
/// file a write would reach.
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(|e| refuse(path, &e.to_string()))?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(refuse(path, "too many levels of symbolic links"))
}

fn refuse(path: &Path, why: &str) -> Error {
    Error::input(format!("cannot write {}: {why}", path.display()))
}

/// The directory a new file at `path` goes in (`.` for a bare file name).
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether the process may write into `p` (`access(2)`, so root passes permission bits but
/// not a read-only file system).
fn writable(p: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned())
}

/// The temp file name beside `file`: hidden, with the process id, ending in the file's own name
/// (so its extension, which plotters reads, is kept).
fn temp_beside(file: &Path) -> PathBuf {
    dir_of(file).join(format!(".tmp{}.{}", std::process::id(), file_name(file)))
}

/// Checks that `dir` can hold new files: an existing writable directory (probed by creating and
/// removing a temp file), or a missing one under a writable directory (created when written).
pub fn check_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Err(refuse(dir, "empty path"));
    }
    let mut d = resolve_links(dir)?;
    loop {
        match std::fs::metadata(&d) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => return Err(refuse(dir, &format!("{} is not a directory", d.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                d = match d.parent() {
                    Some(p) if !p.as_os_str().is_empty() => resolve_links(p)?,
                    _ => PathBuf::from("."),
                };
            }
            Err(e) => return Err(refuse(dir, &e.to_string())),
        }
    }
    let probe = temp_beside(&d.join("probe"));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(refuse(
            dir,
            &format!("cannot create files in {}: {e}", d.display()),
        )),
    }
}

impl Sink {
    /// Checks that `path` can be written (see [`Sink`]) without writing it: call before
    /// computing, so a bad path is refused at once (input error naming it, exit 2).
    pub fn new(path: &Path) -> Result<Sink> {
        let given = path.to_path_buf();
        let s = path.as_os_str().to_string_lossy();
        if s.is_empty() {
            return Err(Error::input("cannot write an empty path"));
        }
        if s.ends_with('/') {
            return Err(refuse(path, "names a directory"));
        }
        use std::os::unix::fs::FileTypeExt;
        if is_descriptor_path(path) {
            return match std::fs::metadata(path) {
                Ok(_) if writable(path) => Ok(Sink {
                    given,
                    target: Target::Stream(path.to_path_buf()),
                }),
                Ok(_) => Err(refuse(path, "not writable")),
                Err(e) => Err(refuse(path, &e.to_string())),
            };
        }
        let real = resolve_links(path)?;
        match std::fs::metadata(&real) {
            Ok(m) => {
                let t = m.file_type();
                if t.is_char_device() || t.is_fifo() {
                    return if writable(&real) {
                        Ok(Sink {
                            given,
                            target: Target::Stream(real),
                        })
                    } else {
                        Err(refuse(path, "permission denied"))
                    };
                }
                if t.is_dir() {
                    return Err(refuse(path, "is a directory"));
                }
                if !t.is_file() {
                    return Err(refuse(path, "not a regular file, character device or FIFO"));
                }
                if !writable(&real) {
                    return Err(refuse(path, "permission denied"));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(refuse(path, &e.to_string())),
        }
        // A regular or new file: its directory must take a temp file and a rename.
        let dir = dir_of(&real);
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {
                let probe = temp_beside(&real);
                match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&probe)
                {
                    Ok(_) => {
                        let _ = std::fs::remove_file(&probe);
                    }
                    Err(e) => {
                        return Err(refuse(
                            path,
                            &format!("cannot create files in {}: {e}", dir.display()),
                        ))
                    }
                }
            }
            Ok(_) => {
                return Err(refuse(
                    path,
                    &format!("{} is not a directory", dir.display()),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => check_dir(&dir)
                .map_err(|_| refuse(path, &format!("cannot create directory {}", dir.display())))?,
            Err(e) => return Err(refuse(path, &e.to_string())),
        }
        Ok(Sink {
            given,
            target: Target::File(real),
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.given
    }

    /// The regular file written (symbolic links resolved), or `None` for a stream.
    pub fn file(&self) -> Option<&Path> {
        match &self.target {
            Target::File(real) => Some(real),
            Target::Stream(_) => None,
        }
    }

    /// Whether the output is written as a stream (a device, FIFO or descriptor path).
    pub fn is_stream(&self) -> bool {
        matches!(self.target, Target::Stream(_))
    }

    fn io_err(&self, e: impl std::fmt::Display) -> Error {
        Error::Io(format!("{}: {e}", self.given.display()))
    }

    /// Writes `bytes`: atomically for a regular file, as a stream otherwise.
    pub fn write(&self, bytes: &[u8]) -> Result<()> {
        match &self.target {
            Target::Stream(p) => {
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(p)
                    .map_err(|e| self.io_err(e))?;
                f.write_all(bytes).map_err(|e| self.io_err(e))?;
                f.flush().map_err(|e| self.io_err(e))
            }
            Target::File(_) => {
                self.write_with(|tmp| std::fs::write(tmp, bytes).map_err(|e| self.io_err(e)))
            }
        }
    }

    /// Lets `fill` write a whole file at a temp path it is given, then moves that file into
    /// place (a rename for a regular file; for a stream the bytes are copied and the temp file
    /// removed). The temp file is removed on every failure.
    pub fn write_with(&self, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        let tmp = match &self.target {
            Target::File(real) => {
                let dir = dir_of(real);
                if !dir.exists() {
                    std::fs::create_dir_all(&dir).map_err(|e| self.io_err(e))?;
                }
                temp_beside(real)
            }
            Target::Stream(_) => std::env::temp_dir().join(format!(
                ".quantreplica.tmp{}.{}.{}",
                std::process::id(),
                TEMP_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                file_name(&self.given)
            )),
        };
        let done = fill(&tmp).and_then(|()| match &self.target {
            Target::File(real) => std::fs::rename(&tmp, real).map_err(|e| self.io_err(e)),
            Target::Stream(_) => {
                let bytes = std::fs::read(&tmp).map_err(|e| self.io_err(e))?;
                self.write(&bytes)
            }
        });
        if done.is_err() || self.is_stream() {
            let _ = std::fs::remove_file(&tmp);
        }
        done
    }
}

/// Checks the files `STEM.EXT` for each extension (see [`Sink::new`]) before computing.
pub fn check_stem(stem: &Path, extensions: &[&str]) -> Result<()> {
    for ext in extensions {
        Sink::new(&stem.with_extension(ext))?;
    }
    Ok(())
}

static TEMP_COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A CSV table: a header and rows of already-formatted cells.
#[derive(Debug, Clone, Default)]
pub struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    /// A table with these column names.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Csv {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// The table of `rows`, its columns derived from their serde form ([`flatten_row`]): each
    /// row must serialize to an object with the same keys in the same order. An empty slice
    /// gives an empty table (no header).
    pub fn from_rows<T: Serialize>(rows: &[T]) -> Result<Csv> {
        let mut csv = Csv::default();
        for (i, r) in rows.iter().enumerate() {
            let cells = flatten_row(r)?;
            let (names, values): (Vec<String>, Vec<String>) = cells.into_iter().unzip();
            if i == 0 {
                csv.header = names;
            } else if names != csv.header {
                return Err(Error::Io(format!(
                    "CSV row {i} has columns {names:?}, the first row {:?}",
                    csv.header
                )));
            }
            csv.rows.push(values);
        }
        Ok(csv)
    }

    /// Appends a row of numbers; non-finite values are written as empty cells.
    pub fn push_numbers(&mut self, row: &[f64]) {
        self.rows.push(row.iter().map(|v| fmt_num(*v)).collect());
    }

    /// Appends a row of preformatted cells.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The table as CSV text.
    pub fn render(&self) -> String {
        let mut s = self.header.join(",");
        s.push('\n');
        for r in &self.rows {
            s.push_str(&r.join(","));
            s.push('\n');
        }
        s
    }

    /// Writes the table through a [`Sink`] (atomically for a regular file).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, self.render().as_bytes())
    }
}

/// Formats a number for CSV: shortest round-trip form, empty for non-finite.
pub fn fmt_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// One row as `(column, cell)` pairs, derived from the serde form of `row` (by a serializer
/// that writes the cells directly, `output/flat.rs`; the cells are those of the row's serde_json form):
/// a field becomes a column of the
/// same name, in declared order; a nested object's fields become columns `field.key`.
/// Cells: a number in its shortest round-trip form, `null` (serde's form of a non-finite
/// number or a missing option) empty, a bool `true`/`false`, a string CSV-quoted when needed,
/// an array of scalars its cells joined by `;`, and an array of objects (e.g. every fixed point
/// of a solve) its length, in a column `n_field`.
pub fn flatten_row<T: Serialize>(row: &T) -> Result<Vec<(String, String)>> {
    flat::flatten(row).map_err(|e| Error::Io(e.0))
}

/// Quotes a CSV cell when it needs it (RFC 4180).
pub fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as first written: through serde_json's `Value` (the reference the direct
    /// serializer is compared with).
    fn via_json<T: Serialize>(row: &T) -> Result<Vec<(String, String)>> {
        use serde_json::Value;
        let v = serde_json::to_value(row).map_err(|e| Error::Io(e.to_string()))?;
        let Value::Object(map) = v else {
            return Err(Error::Io("a CSV row must serialize to an object".into()));
        };
        fn scalar(v: &Value) -> String {
            match v {
                Value::Null => String::new(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                    (Some(u), _) => u.to_string(),
                    (None, Some(i)) => i.to_string(),
                    _ => fmt_num(n.as_f64().unwrap_or(f64::NAN)),
                },
                Value::String(s) => csv_quote(s),
                other => csv_quote(&other.to_string()),
            }
        }
        fn walk(
            prefix: &str,
            map: &serde_json::Map<String, Value>,
            out: &mut Vec<(String, String)>,
        ) {
            for (k, v) in map {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match v {
                    Value::Object(inner) => walk(&name, inner, out),
                    Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
                        let count = if prefix.is_empty() {
                            format!("n_{k}")
                        } else {
                            format!("{prefix}.n_{k}")
                        };
                        out.push((count, a.len().to_string()));
                    }
                    Value::Array(a) => {
                        let cells: Vec<String> = a.iter().map(scalar).collect();
                        out.push((name, cells.join(";")));
                    }
                    other => out.push((name, scalar(other))),
                }
            }
        }
        let mut out = Vec::with_capacity(map.len());
        walk("", &map, &mut out);
        Ok(out)
    }

    #[derive(Serialize)]
    struct Inner {
        z: f64,
    }

    #[derive(Serialize)]
    struct R {
        b: u32,
        a: f64,
        none: Option<f64>,
        inf: f64,
        ok: bool,
        name: &'static str,
        levels: Vec<f64>,
        solutions: Vec<Inner>,
        inner: Inner,
    }

    #[test]
    fn columns_follow_the_declared_fields() {
        let r = R {
            b: 3,
            a: 0.1,
            none: None,
            inf: f64::INFINITY,
            ok: true,
            name: "a,b",
            levels: vec![-1.5, 1.0],
            solutions: vec![Inner { z: 1.0 }, Inner { z: 2.0 }],
            inner: Inner { z: 1e-3 },
        };
        let csv = Csv::from_rows(&[r]).unwrap().render();
        assert_eq!(
            csv,
            "b,a,none,inf,ok,name,levels,n_solutions,inner.z\n3,0.1,,,true,\"a,b\",-1.5;1,2,0.001\n"
        );
        assert_eq!(Csv::from_rows::<R>(&[]).unwrap().render(), "\n");
    }

    #[derive(Serialize)]
    enum Kind {
        Plain,
        Wrapped(f64),
        Pair(f64, Option<f64>),
        Record { q: f64, m: f32 },
    }

    #[derive(Serialize)]
    struct Wide<'a> {
        index: usize,
        #[serde(flatten)]
        params: std::collections::BTreeMap<&'a str, f64>,
        #[serde(flatten)]
        inner: &'a R,
        kinds: Vec<Kind>,
        kind: Kind,
        wrapped: Kind,
        pair: Kind,
        record: Kind,
        nested: Vec<Vec<f64>>,
        holes: Vec<Option<f64>>,
        empty: Vec<f64>,
        some: Option<Inner>,
        absent: Option<Inner>,
        neg: i64,
        big: u64,
        quote: String,
        tuple: (f64, &'a str),
        unit: (),
    }

    fn sample() -> R {
        R {
            b: 7,
            a: -2.5e-300,
            none: Some(f64::NAN),
            inf: f64::NEG_INFINITY,
            ok: false,
            name: "plain",
            levels: vec![],
            solutions: vec![],
            inner: Inner { z: 0.1 + 0.2 },
        }
    }

    #[test]
    fn the_direct_serializer_writes_the_cells_of_the_json_form() {
        let r = sample();
        let params = [("alpha", 1.5), ("beta", f64::INFINITY)]
            .into_iter()
            .collect();
        let w = Wide {
            index: 3,
            params,
            inner: &r,
            kinds: vec![Kind::Plain, Kind::Wrapped(1.0)],
            kind: Kind::Plain,
            wrapped: Kind::Wrapped(f64::NAN),
            pair: Kind::Pair(2.0, None),
            record: Kind::Record { q: 0.25, m: 0.1 },
            nested: vec![vec![1.0], vec![]],
            holes: vec![Some(1.0), None, Some(1e21)],
            empty: vec![],
            some: Some(Inner { z: 5.0 }),
            absent: None,
            neg: -42,
            big: u64::MAX,
            quote: "say \"hi\", twice\n".into(),
            tuple: (1.0, "a,b"),
            unit: (),
        };
        let direct = flatten_row(&w).unwrap();
        assert_eq!(direct, via_json(&w).unwrap());
        // Spot checks of the rule itself.
        let cell = |k: &str| direct.iter().find(|(n, _)| n == k).map(|(_, c)| c.as_str());
        assert_eq!(cell("beta"), Some(""));
        assert_eq!(cell("n_kinds"), Some("2"));
        assert_eq!(cell("kind"), Some("Plain"));
        assert_eq!(cell("pair.Pair"), Some("2;"));
        assert_eq!(cell("record.Record.q"), Some("0.25"));
        assert_eq!(cell("n_nested"), Some("2"));
        assert_eq!(cell("holes"), Some("1;;1000000000000000000000"));
        assert_eq!(cell("absent"), Some(""));
        assert_eq!(cell("some.z"), Some("5"));
        assert_eq!(cell("tuple"), Some("1;\"a,b\""));
        let row = sample();
        assert_eq!(flatten_row(&row).unwrap(), via_json(&row).unwrap());
        assert_eq!(
            flatten_row(&Kind::Record { q: 1.0, m: 2.0 }).unwrap(),
            via_json(&Kind::Record { q: 1.0, m: 2.0 }).unwrap()
        );
        assert_eq!(
            flatten_row(&Kind::Wrapped(1.0)).unwrap(),
            vec![("Wrapped".to_string(), "1".to_string())]
        );
        assert_eq!(
            flatten_row(&Kind::Pair(1.0, Some(2.0))).unwrap(),
            via_json(&Kind::Pair(1.0, Some(2.0))).unwrap()
        );
        for bad in [
            flatten_row(&1.0),
            flatten_row(&vec![1.0]),
            flatten_row(&Kind::Plain),
        ] {
            assert_eq!(
                bad.unwrap_err().to_string(),
                "i/o error: a CSV row must serialize to an object"
            );
        }
    }
}
