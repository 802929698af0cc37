//! Tables as dicts of numpy columns, built in Rust (no Python object per row).
//!
//! A row is the serde form of a record; its columns follow the CSV rule of the library
//! (`quantreplica::output::flatten_row`): a field is a column of the same name in declared
//! order, a nested object's fields are columns `field.key`, an array of records (e.g. every
//! fixed point of a solve) is its length in a column `n_field`, and an array of numbers is a
//! 2-D column (rows padded with NaN). Column types: integers without nulls `int64`; numbers
//! `float64` with JSON's null (a non-finite number) as NaN; booleans `bool` (`float64` 1/0/NaN
//! when some are null); text a numpy unicode column.

use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

/// One cell.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Missing (JSON null).
    Null,
    /// A whole number.
    Int(i64),
    /// A real number (non-finite allowed: grid values such as β = ∞).
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Text(String),
    /// An array of numbers (null entries NaN).
    List(Vec<f64>),
}

/// A table under construction: column names in order, and the cells of each row.
#[derive(Debug, Default)]
pub struct Table {
    names: Vec<String>,
    cols: Vec<Vec<Cell>>,
}

fn number(n: &serde_json::Number) -> Cell {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) if !n.is_f64() => Cell::Int(i),
        (None, Some(u)) if !n.is_f64() => Cell::Num(u as f64),
        _ => Cell::Num(n.as_f64().unwrap_or(f64::NAN)),
    }
}

fn flatten(prefix: &str, map: &serde_json::Map<String, Value>, out: &mut Vec<(String, Cell)>) {
    for (k, v) in map {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let cell = match v {
            Value::Object(inner) => {
                flatten(&name, inner, out);
                continue;
            }
            Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
                let count = if prefix.is_empty() {
                    format!("n_{k}")
                } else {
                    format!("{prefix}.n_{k}")
                };
                out.push((count, Cell::Int(a.len() as i64)));
                continue;
            }
            Value::Array(a) => {
                Cell::List(a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
            }
            Value::Null => Cell::Null,
            Value::Bool(b) => Cell::Bool(*b),
            Value::Number(n) => number(n),
            Value::String(s) => Cell::Text(s.clone()),
        };
        out.push((name, cell));
    }
}

impl Table {
    /// Appends a row given as `(column, cell)` pairs; the first row fixes the columns, a later
    /// row's unknown column is added (earlier rows null) and its missing ones are null.
    pub fn push(&mut self, row: Vec<(String, Cell)>) {
        let n = self.cols.first().map_or(0, Vec::len);
        for (name, cell) in row {
            match self.names.iter().position(|c| *c == name) {
                Some(i) => self.cols[i].push(cell),
                None => {
                    self.names.push(name);
                    let mut col = vec![Cell::Null; n];
                    col.push(cell);
                    self.cols.push(col);
                }
            }
        }
        for col in &mut self.cols {
            if col.len() < n + 1 {
                col.push(Cell::Null);
            }
        }
    }

    /// The table of `rows`: for each, `prefix(row)` cells, the flattened serde form of
    /// `record(row)`, then the cells `suffix` adds (rows are flattened in parallel, then
    /// appended in order).
    pub fn from_records<R: Sync, T: serde::Serialize>(
        rows: &[R],
        prefix: impl Fn(&R) -> Vec<(String, Cell)> + Sync,
        record: impl Fn(&R) -> &T + Sync,
        suffix: impl Fn(&R, &mut Vec<(String, Cell)>) + Sync,
    ) -> quantreplica::Result<Table> {
        use rayon::prelude::*;
        let flat = rows
            .par_iter()
            .map(|r| {
                let mut cells = prefix(r);
                let v = serde_json::to_value(record(r))
                    .map_err(|e| quantreplica::Error::Io(e.to_string()))?;
                if let Value::Object(map) = v {
                    flatten("", &map, &mut cells);
                }
                suffix(r, &mut cells);
                Ok(cells)
            })
            .collect::<quantreplica::Result<Vec<_>>>()?;
        let mut t = Table::default();
        for cells in flat {
            t.push(cells);
        }
        Ok(t)
    }

    /// The table as a dict of numpy arrays.
    pub fn into_dict<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, col) in self.names.into_iter().zip(self.cols) {
            d.set_item(name, column(py, col)?)?;
        }
        Ok(d)
    }
}

fn column<'py>(py: Python<'py>, col: Vec<Cell>) -> PyResult<Bound<'py, PyAny>> {
    let all = |f: fn(&Cell) -> bool| col.iter().all(f);
    let has = |f: fn(&Cell) -> bool| col.iter().any(f);
    if !col.is_empty() && all(|c| matches!(c, Cell::Int(_))) {
        let v: Vec<i64> = col
            .iter()
            .map(|c| if let Cell::Int(i) = c { *i } else { 0 })
            .collect();
        return Ok(PyArray1::from_vec(py, v).into_any());
    }
    if all(|c| matches!(c, Cell::Int(_) | Cell::Num(_) | Cell::Null)) {
        let v: Vec<f64> = col
            .iter()
            .map(|c| match c {
                Cell::Int(i) => *i as f64,
                Cell::Num(x) => *x,
                _ => f64::NAN,
            })
            .collect();
        return Ok(PyArray1::from_vec(py, v).into_any());
    }
    if all(|c| matches!(c, Cell::Bool(_))) {
        let v: Vec<bool> = col.iter().map(|c| matches!(c, Cell::Bool(true))).collect();
        return Ok(PyArray1::from_vec(py, v).into_any());
    }
    if all(|c| matches!(c, Cell::Bool(_) | Cell::Null)) {
        let v: Vec<f64> = col
            .iter()
            .map(|c| match c {
                Cell::Bool(b) => f64::from(u8::from(*b)),
                _ => f64::NAN,
            })
            .collect();
        return Ok(PyArray1::from_vec(py, v).into_any());
    }
    if all(|c| matches!(c, Cell::Text(_) | Cell::Null)) {
        return text_column(py, &col);
    }
    if all(|c| matches!(c, Cell::List(_) | Cell::Null)) && has(|c| matches!(c, Cell::List(_))) {
        let width = col
            .iter()
            .map(|c| if let Cell::List(l) = c { l.len() } else { 0 })
            .max()
            .unwrap_or(0);
        let mut v = vec![f64::NAN; col.len() * width];
        for (i, c) in col.iter().enumerate() {
            if let Cell::List(l) = c {
                v[i * width..i * width + l.len()].copy_from_slice(l);
            }
        }
        let a = PyArray1::from_vec(py, v);
        return Ok(a.reshape([col.len(), width])?.into_any());
    }
    // Mixed kinds (not produced by the library's records): an object column.
    let items = PyList::empty(py);
    for c in &col {
        let o: Bound<'py, PyAny> = match c {
            Cell::Null => py.None().into_bound(py),
            Cell::Int(i) => i.into_pyobject(py)?.into_any(),
            Cell::Num(x) => x.into_pyobject(py)?.into_any(),
            Cell::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
            Cell::Text(s) => s.into_pyobject(py)?.into_any(),
            Cell::List(l) => PyArray1::from_slice(py, l).into_any(),
        };
        items.append(o)?;
    }
    let np = py.import("numpy")?;
    let kw = PyDict::new(py);
    kw.set_item("dtype", "object")?;
    np.call_method("array", (items,), Some(&kw))
}

/// A numpy unicode column (`<U{width}`), built from one buffer of code points.
fn text_column<'py>(py: Python<'py>, col: &[Cell]) -> PyResult<Bound<'py, PyAny>> {
    let chars: Vec<Vec<u32>> = col
        .iter()
        .map(|c| match c {
            Cell::Text(s) => s.chars().map(u32::from).collect(),
            _ => Vec::new(),
        })
        .collect();
    let width = chars.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut buf = vec![0u32; col.len() * width];
    for (i, c) in chars.iter().enumerate() {
        buf[i * width..i * width + c.len()].copy_from_slice(c);
    }
    let a = PyArray1::from_vec(py, buf);
    let dtype = format!("U{width}");
    a.call_method1("view", (dtype,))?
        .call_method1("reshape", (col.len(),))
}
