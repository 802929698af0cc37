//! Finite problem instances `(X, y, w0)` for the finite-size engines (AMP, Gibbs sampling, QAT):
//! generated from the model of THEORY.md §1 with a seed, or loaded from CSV / `.npy` files.
//!
//! Every random stream is derived from `(base seed, index)` by [`derive_seed`], never from a
//! shared generator, so an instance is the same whatever the number of threads.

use crate::error::{Error, Result};
use crate::model::{Model, OutputChannel};
use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::Path;

/// One instance of the learning problem.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Inputs, M × N (column-major, so that a weight's column `x_i` is contiguous).
    pub x: DMatrix<f64>,
    /// Labels, length M.
    pub y: DVector<f64>,
    /// The teacher weights, when known (generated instances); `None` for user data.
    pub w0: Option<DVector<f64>>,
}

impl Instance {
    /// Number of samples M.
    pub fn m(&self) -> usize {
        self.x.nrows()
    }

    /// Number of weights N.
    pub fn n(&self) -> usize {
        self.x.ncols()
    }

    /// `‖x_i‖²` for every column.
    pub fn column_norms(&self) -> Vec<f64> {
        self.x.column_iter().map(|c| c.norm_squared()).collect()
    }

    /// `‖x_μ‖²` for every row.
    pub fn row_norms(&self) -> Vec<f64> {
        let mut r = vec![0.0; self.m()];
        for c in self.x.column_iter() {
            for (acc, v) in r.iter_mut().zip(c.iter()) {
                *acc += v * v;
            }
        }
        r
    }

    /// `‖w − w0‖²/N`, the generalization error (minus σ²) of `w` on fresh N(0, I/N) inputs;
    /// `None` when the teacher is unknown.
    pub fn gen_error(&self, w: &[f64]) -> Option<f64> {
        let w0 = self.w0.as_ref()?;
        let n = w.len() as f64;
        Some(
            w.iter()
                .zip(w0.iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                / n,
        )
    }

    /// The training error per sample of `w` under `channel` (Gaussian channel: `‖y − Xw‖²/M`;
    /// sign channel: the fraction of errors with the margin at `Q = ‖w‖²/N`).
    pub fn train_error(&self, channel: &impl OutputChannel, w: &[f64]) -> f64 {
        let wv = DVector::from_column_slice(w);
        let r = &self.y - &self.x * &wv;
        let big_q = wv.norm_squared() / self.n() as f64;
        channel.total_error(self.y.as_slice(), r.as_slice(), big_q) / self.m() as f64
    }
}

/// SplitMix64 finalizer: a bijective mixer with good avalanche, used to derive stream seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of stream `index` under `base`: distinct indices give unrelated streams, and the
/// result depends on nothing else (not on thread count or scheduling).
pub fn derive_seed(base: u64, index: u64) -> u64 {
    mix(mix(base) ^ mix(index.wrapping_add(0x5851_F42D_4C95_7F2D)))
}

/// A generator for stream `index` under `base`.
pub fn rng_for(base: u64, index: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(derive_seed(base, index))
}

/// `M = round(αN)`, at least 1.
pub fn samples_for(alpha: f64, n: usize) -> usize {
    ((alpha * n as f64).round() as usize).max(1)
}

/// Draws an instance of `model` with `n` weights: `X_μi ~ N(0, 1/N)`, `w0 ~ P0`, and each
/// label drawn by the output channel from its teacher field `x_μ·w0` (Gaussian channel:
/// `y = X w0 + ξ`, `ξ ~ N(0, σ²)`). X depends only on `(n, α, seed)`, so models that differ only
/// in teacher, noise or student share their inputs for a seed. When the labels do not depend on
/// a teacher ([`OutputChannel::has_teacher`]: random labels), the instance has no `w0`.
pub fn generate(model: &Model, n: usize, seed: u64) -> Result<Instance> {
    if n < 2 {
        return Err(Error::input(format!("n must be at least 2, got {n}")));
    }
    let m = samples_for(model.alpha, n);
    if m.checked_mul(n).is_none_or(|e| e > 400_000_000) {
        return Err(Error::input(format!(
            "instance too large: M x N = {m} x {n}"
        )));
    }
    let scale = 1.0 / (n as f64).sqrt();
    let mut rx = rng_for(seed, 0);
    // Allocated fallibly (an estimate that was too low is an error, not an abort), filled in
    // DMatrix::from_fn's column-major order so the draws are the same.
    let mut data: Vec<f64> =
        crate::budget::try_with_capacity(m * n, &format!("--n {n} (M x N = {m} x {n})"))?;
    data.extend((0..m * n).map(|_| {
        let z: f64 = StandardNormal.sample(&mut rx);
        z * scale
    }));
    let x = DMatrix::from_vec(m, n, data);
    let mut rw = rng_for(seed, 1);
    let w0 = DVector::from_fn(n, |_, _| model.teacher.sample(&mut rw));
    let mut rn = rng_for(seed, 2);
    let mut y = &x * &w0;
    for v in y.iter_mut() {
        *v = model.channel.label(*v, &mut rn);
    }
    let w0 = model.channel.has_teacher().then_some(w0);
    Ok(Instance { x, y, w0 })
}

/// A dense table of numbers read from a file: `rows × cols`, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// The values, row-major.
    pub data: Vec<f64>,
}

/// Reads a table from `.npy` (by extension) or CSV (anything else).
pub fn read_table(path: &Path) -> Result<Table> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display())))?;
    table_from_bytes(&bytes, is_npy(path), &path.display().to_string())
}

/// [`read_table`] on a file's bytes (`.npy` when `is_npy`, else CSV); `shown` names the file
/// in errors. The fuzz target `data_table` and the corpus replay test call this entry point.
pub fn table_from_bytes(bytes: &[u8], is_npy: bool, shown: &str) -> Result<Table> {
    let t = if is_npy {
        parse_npy(bytes).map_err(|m| Error::input(format!("{shown}: {m}")))?
    } else {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Error::input(format!("{shown}: not UTF-8 text (CSV expected)")))?;
        parse_csv(text).map_err(|m| Error::input(format!("{shown}: {m}")))?
    };
    if let Some(v) = t.data.iter().find(|v| !v.is_finite()) {
        return Err(Error::input(format!("{shown}: non-finite value {v}")));
    }
    Ok(t)
}

/// Parses CSV text: one row per line, cells separated by commas (or whitespace); blank lines
/// and lines starting with `#` are skipped; every row must have the same number of cells.
pub fn parse_csv(text: &str) -> std::result::Result<Table, String> {
    let mut data = Vec::new();
    let mut cols = 0usize;
    let mut rows = 0usize;
    for (ln, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = if t.contains(',') {
            t.split(',').map(str::trim).collect()
        } else {
            t.split_whitespace().collect()
        };
        let mut row = Vec::with_capacity(cells.len());
        for c in cells {
            let v: f64 = c
                .parse()
                .map_err(|_| format!("line {}: '{c}' is not a number", ln + 1))?;
            row.push(v);
        }
        if rows == 0 {
            cols = row.len();
        } else if row.len() != cols {
            return Err(format!(
                "line {}: {} cells, expected {cols}",
                ln + 1,
                row.len()
            ));
        }
        data.extend(row);
        rows += 1;
    }
    if rows == 0 || cols == 0 {
        return Err("no data".into());
    }
    Ok(Table { rows, cols, data })
}

/// What a `.npy` header says: the element width, the order and the shape of a 1-D or 2-D array
/// of little-endian floats (see [`parse_npy`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    /// Bytes per element (8: float64, 4: float32).
    pub width: usize,
    /// Column-major data.
    pub fortran: bool,
    /// Rows (the length of a 1-D array).
    pub rows: usize,
    /// Columns (1 for a 1-D array).
    pub cols: usize,
    /// The shape as the header gives it (one or two dimensions).
    pub shape: Vec<usize>,
    /// Where the data starts in the file.
    pub data_start: usize,
}

/// Whether `path` names a `.npy` file (by its extension, as [`read_table`] decides).
pub fn is_npy(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
}

/// The header of a `.npy` file read from its first bytes only, without the data: the shape of
/// a big array before it is read (the command line's budget check).
pub fn read_npy_header(path: &Path) -> Result<NpyHeader> {
    use std::io::Read;
    let shown = path.display();
    let mut f =
        std::fs::File::open(path).map_err(|e| Error::input(format!("cannot read {shown}: {e}")))?;
    let mut head = Vec::new();
    f.by_ref()
        .take(12)
        .read_to_end(&mut head)
        .map_err(|e| Error::input(format!("cannot read {shown}: {e}")))?;
    let (hlen, start) = npy_header_len(&head).map_err(|m| Error::input(format!("{shown}: {m}")))?;
    let mut rest = Vec::new();
    f.take((start + hlen).saturating_sub(head.len()) as u64)
        .read_to_end(&mut rest)
        .map_err(|e| Error::input(format!("cannot read {shown}: {e}")))?;
    head.extend_from_slice(&rest);
    parse_npy_header(&head).map_err(|m| Error::input(format!("{shown}: {m}")))
}

/// The header's length and start from a `.npy` file's first 12 bytes (10 for version 1).
fn npy_header_len(bytes: &[u8]) -> std::result::Result<(usize, usize), String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("not a .npy file (bad magic)".into());
    }
    match bytes[6] {
        1 => Ok((u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize)),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err("truncated .npy header".into());
            }
            Ok((
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            ))
        }
        v => Err(format!("unsupported .npy version {v}")),
    }
}

/// Parses the header at the start of a `.npy` file's bytes (the data need not follow).
pub fn parse_npy_header(bytes: &[u8]) -> std::result::Result<NpyHeader, String> {
    let (hlen, start) = npy_header_len(bytes)?;
    let end = start
        .checked_add(hlen)
        .filter(|e| *e <= bytes.len())
        .ok_or("truncated .npy header")?;
    let header = std::str::from_utf8(&bytes[start..end]).map_err(|_| "bad .npy header encoding")?;
    let field = |key: &str| -> Option<&str> {
        let i = header.find(&format!("'{key}'"))?;
        let rest = &header[i + key.len() + 2..];
        let j = rest.find(':')?;
        Some(rest[j + 1..].trim_start())
    };
    let descr = field("descr").ok_or("no descr in .npy header")?;
    let width = if descr.starts_with("'<f8'") || descr.starts_with("'float64'") {
        8
    } else if descr.starts_with("'<f4'") {
        4
    } else {
        let d: String = descr.chars().take_while(|c| *c != ',').collect();
        return Err(format!(
            "unsupported dtype {d} (expected little-endian float64 or float32)"
        ));
    };
    let fortran = field("fortran_order")
        .ok_or("no fortran_order in .npy header")?
        .starts_with("True");
    let shape_s = field("shape").ok_or("no shape in .npy header")?;
    let inner = shape_s
        .strip_prefix('(')
        .and_then(|r| r.split_once(')'))
        .map(|(inner, _)| inner)
        .ok_or("bad shape in .npy header")?;
    let dims: Vec<usize> = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("bad dimension '{s}' in .npy shape"))
        })
        .collect::<std::result::Result<_, _>>()?;
    let (rows, cols) = match dims.as_slice() {
        [n] => (*n, 1),
        [r, c] => (*r, *c),
        _ => return Err(format!("expected a 1-D or 2-D array, got shape {dims:?}")),
    };
    Ok(NpyHeader {
        width,
        fortran,
        rows,
        cols,
        shape: dims,
        data_start: end,
    })
}

/// Parses a `.npy` file (format versions 1–3) holding a 1-D or 2-D array of little-endian
/// float64 or float32, C or Fortran order.
pub fn parse_npy(bytes: &[u8]) -> std::result::Result<Table, String> {
    let NpyHeader {
        width,
        fortran,
        rows,
        cols,
        shape: dims,
        data_start: end,
    } = parse_npy_header(bytes)?;
    let count = rows.checked_mul(cols).ok_or("shape overflows")?;
    let needed = count.checked_mul(width).ok_or("shape overflows")?;
    let body = &bytes[end..];
    if body.len() != needed {
        return Err(format!(
            "data has {} bytes, shape {dims:?} needs {needed}",
            body.len()
        ));
    }
    let raw: Vec<f64> = if width == 8 {
        body.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect()
    } else {
        body.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap_or([0; 4])) as f64)
            .collect()
    };
    let data = if fortran && cols > 1 {
        let mut d = vec![0.0; count];
        for j in 0..cols {
            for i in 0..rows {
                d[i * cols + j] = raw[j * rows + i];
            }
        }
        d
    } else {
        raw
    };
    if count == 0 {
        return Err("empty array".into());
    }
    Ok(Table { rows, cols, data })
}

/// Serializes a row-major float64 table as `.npy` version 1 (used by tests and examples).
pub fn to_npy(t: &Table) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}",
        t.rows, t.cols
    );
    // Pad so that magic + version + length + header is a multiple of 64, ending in '\n'.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in &t.data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Loads an instance from a file of inputs X (M rows × N columns) and a file of labels y (M
/// values, as one column or one row), each CSV or `.npy`. The teacher is unknown.
pub fn load(x_path: &Path, y_path: &Path) -> Result<Instance> {
    let xt = read_table(x_path)?;
    let yt = read_table(y_path)?;
    if !(yt.cols == 1 || yt.rows == 1) {
        return Err(Error::input(format!(
            "{}: labels must be one column or one row, got {} x {}",
            y_path.display(),
            yt.rows,
            yt.cols
        )));
    }
    from_data(DMatrix::from_row_slice(xt.rows, xt.cols, &xt.data), yt.data)
}

/// An instance from inputs X (M × N) and labels y (M values) held in memory (e.g. numpy arrays
/// from Python), checked as [`load`] checks files: matching shapes, at least 2 weights, every
/// value finite. The teacher is unknown.
pub fn from_data(x: DMatrix<f64>, y: Vec<f64>) -> Result<Instance> {
    if y.len() != x.nrows() {
        return Err(Error::input(format!(
            "shape mismatch: X has {} rows but y has {} values",
            x.nrows(),
            y.len()
        )));
    }
    if x.ncols() < 2 {
        return Err(Error::input(format!(
            "X must have at least 2 columns (weights), got {}",
            x.ncols()
        )));
    }
    for (what, v) in [("X", x.as_slice()), ("y", y.as_slice())] {
        if let Some(v) = v.iter().find(|v| !v.is_finite()) {
            return Err(Error::input(format!("{what}: non-finite value {v}")));
        }
    }
    Ok(Instance {
        x,
        y: DVector::from_vec(y),
        w0: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_round_trip_and_csv() {
        let t = Table {
            rows: 2,
            cols: 3,
            data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5],
        };
        assert_eq!(parse_npy(&to_npy(&t)).unwrap(), t);
        assert_eq!(parse_csv("# c\n1,2,3\n4, 5, 6.5\n").unwrap(), t);
        assert!(parse_csv("1,2\n3\n").is_err());
        assert!(parse_csv("1,x\n").is_err());
        assert!(parse_npy(b"garbage").is_err());
    }

    #[test]
    fn seeds_differ_by_index() {
        assert_ne!(derive_seed(1, 0), derive_seed(1, 1));
        assert_ne!(derive_seed(1, 0), derive_seed(2, 0));
    }
}
