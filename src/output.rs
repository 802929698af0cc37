//! Writing results: JSON to stdout, files written atomically (temp file + rename) so that an
//! interrupted or failed run never leaves a half-written file behind, and CSV tables — built
//! cell by cell ([`Csv::push`]) or derived from the serde form of the rows ([`Csv::from_rows`]),
//! so that a table's columns are always the record's fields, in declared order.

use crate::error::{Error, Result};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

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

/// Writes `bytes` to `path` atomically: a sibling temp file, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let tmp = path.with_extension(format!(
        "{}.tmp{}",
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).map_err(|e| Error::Io(format!("{}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
    Ok(())
}

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

    /// Writes the table atomically.
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

/// One row as `(column, cell)` pairs, derived from the serde form of `row` (serialized with
/// serde_json, whose maps keep the declared field order): a field becomes a column of the
/// same name, in declared order; a nested object's fields become columns `field.key`.
/// Cells: a number in its shortest round-trip form, `null` (serde's form of a non-finite
/// number or a missing option) empty, a bool `true`/`false`, a string CSV-quoted when needed,
/// an array of scalars its cells joined by `;`, and an array of objects (e.g. every fixed point
/// of a solve) its length, in a column `n_field`.
pub fn flatten_row<T: Serialize>(row: &T) -> Result<Vec<(String, String)>> {
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
    fn walk(prefix: &str, map: &serde_json::Map<String, Value>, out: &mut Vec<(String, String)>) {
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
}
