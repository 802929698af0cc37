//! Grid specification: axes parsed from `--over PARAM=...`, the Cartesian product in a fixed
//! order, and the points of that product applied to a [`ModelSpec`].

use crate::error::{Error, Result};
use crate::model::{LevelKind, Model};
use crate::spec::{parse_beta, parse_finite, ModelSpec};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Largest grid accepted (points), a guard against typos such as `COUNT=1e9`.
pub const MAX_POINTS: usize = 50_000_000;

/// A model parameter that a sweep can vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Param {
    /// Samples per weight α (`--alpha`).
    Alpha,
    /// Label-noise variance σ² (`--noise`).
    Noise,
    /// Bits b (`--bits`), an integer axis.
    Bits,
    /// Quantization width ω (`--width`).
    Width,
    /// Inverse temperature β (`--beta`); the list form accepts `inf`.
    Beta,
    /// Ridge penalty λ (`--ridge`).
    Ridge,
    /// Level-set spec (`--levels`), list form only.
    Levels,
    /// Teacher variance ρ (`--teacher-var`).
    TeacherVar,
}

impl Param {
    /// Every parameter, in documentation order.
    pub const ALL: [Param; 8] = [
        Param::Alpha,
        Param::Noise,
        Param::Bits,
        Param::Width,
        Param::Beta,
        Param::Ridge,
        Param::Levels,
        Param::TeacherVar,
    ];

    /// The name used in `--over`, in CSV headers and JSON keys.
    pub fn name(self) -> &'static str {
        match self {
            Param::Alpha => "alpha",
            Param::Noise => "noise",
            Param::Bits => "bits",
            Param::Width => "width",
            Param::Beta => "beta",
            Param::Ridge => "ridge",
            Param::Levels => "levels",
            Param::TeacherVar => "teacher_var",
        }
    }
}

impl Param {
    /// The CSV column and JSON key of this parameter in sweep output: its name, except
    /// `level_spec` for `levels` (the result's `levels` key holds the level values).
    pub fn column(self) -> &'static str {
        match self {
            Param::Levels => "level_spec",
            p => p.name(),
        }
    }
}

impl Param {
    /// Sets this parameter of `spec` to `value` (a value of the matching type, as
    /// [`Axis::parse`] pairs them; a mismatched value is ignored).
    pub fn set(self, spec: &mut ModelSpec, value: &AxisValue) {
        match (self, value) {
            (Param::Alpha, AxisValue::Num(x)) => spec.alpha = *x,
            (Param::Noise, AxisValue::Num(x)) => spec.noise = *x,
            (Param::Bits, AxisValue::Int(b)) => spec.bits = *b,
            (Param::Width, AxisValue::Num(x)) => spec.width = *x,
            (Param::Beta, AxisValue::Num(x)) => spec.beta = *x,
            (Param::Ridge, AxisValue::Num(x)) => spec.ridge = *x,
            (Param::Levels, AxisValue::Text(s)) => spec.levels = s.clone(),
            (Param::TeacherVar, AxisValue::Num(x)) => spec.teacher_var = *x,
            _ => {}
        }
    }

    /// `spec` with this parameter set to the number `v`: a whole number ≥ 1 for bits; levels
    /// (not a number) is refused.
    pub fn with_number(self, spec: &ModelSpec, v: f64) -> Result<ModelSpec> {
        let mut s = spec.clone();
        match self {
            Param::Bits => {
                if v.fract() != 0.0 || v < 1.0 {
                    return Err(Error::input(format!(
                        "bits value {v} is not a whole number >= 1"
                    )));
                }
                s.bits = v as u32;
            }
            Param::Levels => {
                return Err(Error::input("levels is not a numeric parameter"));
            }
            p => p.set(&mut s, &AxisValue::Num(v)),
        }
        Ok(s)
    }
}

impl Serialize for Param {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Param {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase().replace('-', "_");
        Param::ALL.iter().copied().find(|p| p.name() == t).ok_or_else(|| {
            Error::input(format!(
                "unknown sweep parameter '{}' (expected one of alpha, noise, bits, width, beta, ridge, levels, teacher_var)",
                s.trim()
            ))
        })
    }
}

/// One value on an axis.
#[derive(Debug, Clone, PartialEq)]
pub enum AxisValue {
    /// A real value (β may be `inf`).
    Num(f64),
    /// An integer value (bits).
    Int(u32),
    /// A level spec (`uniform`, `custom:-1,1`, ...).
    Text(String),
}

impl AxisValue {
    /// The value as a number (`Int` converted; `None` for text).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AxisValue::Num(v) => Some(*v),
            AxisValue::Int(v) => Some(f64::from(*v)),
            AxisValue::Text(_) => None,
        }
    }

    /// Exact, parseable text (f64 round-trips through `{:?}`); used in the checkpoint header.
    pub fn canonical(&self) -> String {
        match self {
            AxisValue::Num(v) => format!("{v:?}"),
            AxisValue::Int(v) => v.to_string(),
            AxisValue::Text(s) => s.clone(),
        }
    }
}

impl Serialize for AxisValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            // serde_json writes a non-finite f64 as null (β = ∞ is the only one a grid can hold).
            AxisValue::Num(v) => s.serialize_f64(*v),
            AxisValue::Int(v) => s.serialize_u32(*v),
            AxisValue::Text(t) => s.serialize_str(t),
        }
    }
}

/// One axis of a grid: a parameter and its values, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The parameter.
    pub param: Param,
    /// Its values (never empty).
    pub values: Vec<AxisValue>,
}

fn parse_number(param: Param, s: &str) -> Result<f64> {
    let t = s.trim();
    let parsed = if param == Param::Beta {
        parse_beta(t)
    } else {
        parse_finite(t)
    };
    parsed.map_err(|e| Error::input(format!("--over {param}: {e}")))
}

fn parse_count(param: Param, s: &str) -> Result<usize> {
    match s.trim().parse::<usize>() {
        Ok(n) if n > MAX_POINTS => Err(Error::input(format!(
            "--over {param}: COUNT {n} is more than the largest grid ({MAX_POINTS} points)"
        ))),
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::input(format!(
            "--over {param}: COUNT '{}' is not a positive whole number",
            s.trim()
        ))),
    }
}

fn to_bits(v: f64) -> Result<u32> {
    let r = v.round();
    if (v - r).abs() > 1e-9 || !(0.0..=f64::from(u32::MAX)).contains(&r) {
        return Err(Error::input(format!(
            "--over bits: '{v}' is not a whole number of bits"
        )));
    }
    Ok(r as u32)
}

/// Splits a level-spec list. `;` separates specs when present; otherwise commas do, and a
/// bare number after a `custom:` spec continues that spec (`custom:-1,0,1,uniform` is two specs).
fn split_levels(list: &str) -> Vec<String> {
    if list.contains(';') {
        return list.split(';').map(|s| s.trim().to_string()).collect();
    }
    let mut out: Vec<String> = Vec::new();
    for tok in list.split(',') {
        let t = tok.trim();
        let continues =
            t.parse::<f64>().is_ok() && out.last().is_some_and(|l| l.starts_with("custom:"));
        match out.last_mut() {
            Some(last) if continues => {
                last.push(',');
                last.push_str(t);
            }
            _ => out.push(t.to_string()),
        }
    }
    out
}

/// The right-hand side of an axis spec: a range with its ends and count checked, or a list
/// still to be parsed.
enum Shape<'a> {
    Range { start: f64, stop: f64, count: usize },
    List(&'a str),
}

/// Splits `PARAM=...` and checks what can be checked without building the values.
fn shape(spec: &str, log: bool) -> Result<(Param, Shape<'_>)> {
    let (name, rhs) = spec.split_once('=').ok_or_else(|| {
        Error::input(format!(
            "--over '{spec}' is not PARAM=START:STOP:COUNT or PARAM=v1,v2,..."
        ))
    })?;
    let param: Param = name.parse()?;
    let rhs = rhs.trim();
    if rhs.is_empty() {
        return Err(Error::input(format!("--over {param}: no values")));
    }
    if param == Param::Levels || !rhs.contains(':') {
        if log {
            return Err(Error::input(format!(
                "--log {param}: only a START:STOP:COUNT range can be logarithmic"
            )));
        }
        return Ok((param, Shape::List(rhs)));
    }
    let parts: Vec<&str> = rhs.split(':').collect();
    if parts.len() != 3 {
        return Err(Error::input(format!(
            "--over {param}: '{rhs}' is not START:STOP:COUNT"
        )));
    }
    let start = parse_number(param, parts[0])?;
    let stop = parse_number(param, parts[1])?;
    if !start.is_finite() || !stop.is_finite() {
        return Err(Error::input(format!(
            "--over {param}: range ends must be finite, got '{rhs}'"
        )));
    }
    let count = parse_count(param, parts[2])?;
    if count == 1 && start != stop {
        return Err(Error::input(format!(
            "--over {param}: COUNT 1 needs START = STOP, got '{rhs}'"
        )));
    }
    if log && !(start > 0.0 && stop > 0.0) {
        return Err(Error::input(format!(
            "--log {param}: a logarithmic range needs positive ends, got '{rhs}'"
        )));
    }
    Ok((param, Shape::Range { start, stop, count }))
}

impl Axis {
    /// [`parse`](Self::parse) for an axis given by another flag than `--over` (the
    /// phase diagram's `--x-axis`, `--y-axis`): its errors name `flag`.
    pub fn parse_as(spec: &str, log: bool, flag: &str) -> Result<Axis> {
        Axis::parse(spec, log).map_err(|e| match e {
            Error::Input(m) => Error::Input(m.replace("--over", flag)),
            other => other,
        })
    }

    /// Parses `PARAM=START:STOP:COUNT` or `PARAM=v1,v2,...`; `log` asks for geometric spacing
    /// of the range form.
    pub fn parse(spec: &str, log: bool) -> Result<Axis> {
        let (param, shape) = shape(spec, log)?;
        let values = match shape {
            Shape::Range { start, stop, count } => {
                let nums = spaced(start, stop, count, log);
                if param == Param::Bits {
                    nums.into_iter()
                        .map(|v| to_bits(v).map(AxisValue::Int))
                        .collect::<Result<Vec<_>>>()?
                } else {
                    nums.into_iter().map(AxisValue::Num).collect()
                }
            }
            Shape::List(rhs) => match param {
                Param::Levels => split_levels(rhs)
                    .into_iter()
                    .map(|s| {
                        s.parse::<LevelKind>()
                            .map_err(|e| Error::input(format!("--over levels: {e}")))?;
                        Ok(AxisValue::Text(s))
                    })
                    .collect::<Result<Vec<_>>>()?,
                Param::Bits => rhs
                    .split(',')
                    .map(|s| {
                        s.trim().parse::<u32>().map(AxisValue::Int).map_err(|_| {
                            Error::input(format!(
                                "--over bits: '{}' is not a whole number",
                                s.trim()
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
                _ => rhs
                    .split(',')
                    .map(|s| parse_number(param, s).map(AxisValue::Num))
                    .collect::<Result<Vec<_>>>()?,
            },
        };
        Ok(Axis { param, values })
    }

    /// The number of values [`parse`](Self::parse) would build from `spec`, without building
    /// them: a range's checked COUNT (so that a request too large for the machine is refused
    /// before its values take memory and time), a list's length.
    pub fn count(spec: &str, log: bool) -> Result<usize> {
        match shape(spec, log)? {
            (_, Shape::Range { count, .. }) => Ok(count),
            (_, Shape::List(_)) => Axis::parse(spec, log).map(|a| a.len()),
        }
    }

    /// An axis of `param` over explicit numbers (library callers, e.g. numpy arrays): each
    /// must be finite (β may be `inf`), and whole for bits; levels, not numeric, is refused.
    pub fn new(param: Param, values: &[f64]) -> Result<Axis> {
        if values.is_empty() {
            return Err(Error::input(format!("--over {param}: no values")));
        }
        let values = values
            .iter()
            .map(|&v| match param {
                Param::Levels => Err(Error::input(
                    "--over levels: level specs are text, not numbers",
                )),
                Param::Bits => to_bits(v).map(AxisValue::Int),
                Param::Beta if v.is_infinite() && v > 0.0 => Ok(AxisValue::Num(v)),
                _ if !v.is_finite() => Err(Error::input(format!(
                    "--over {param}: '{v}' is not a finite number"
                ))),
                _ => Ok(AxisValue::Num(v)),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Axis { param, values })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the axis has no values (never true for a parsed axis).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values as numbers (NaN for text values).
    pub fn numbers(&self) -> Vec<f64> {
        self.values
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect()
    }
}

/// `count` values from `start` to `stop` inclusive, linearly or geometrically spaced; the ends
/// are exact.
pub fn spaced(start: f64, stop: f64, count: usize, log: bool) -> Vec<f64> {
    if count == 1 {
        return vec![start];
    }
    let n = (count - 1) as f64;
    (0..count)
        .map(|i| {
            if i == 0 {
                start
            } else if i == count - 1 {
                stop
            } else {
                let t = i as f64 / n;
                if log {
                    (start.ln() + (stop.ln() - start.ln()) * t).exp()
                } else {
                    start + (stop - start) * t
                }
            }
        })
        .collect()
}

/// A Cartesian grid: the product of its axes, the first axis outermost (row-major). Point
/// `index = Σ_k i_k · Π_{j>k} n_j`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    /// The axes, outermost first.
    pub axes: Vec<Axis>,
}

/// One grid point.
#[derive(Debug, Clone, PartialEq)]
pub struct GridPoint {
    /// Position in the grid order (0-based).
    pub index: usize,
    /// Index along each axis.
    pub coords: Vec<usize>,
    /// `(parameter, value)` for each axis, in axis order.
    pub values: Vec<(Param, AxisValue)>,
}

impl GridPoint {
    /// The value of `param` at this point, if swept.
    pub fn get(&self, param: Param) -> Option<&AxisValue> {
        self.values
            .iter()
            .find(|(p, _)| *p == param)
            .map(|(_, v)| v)
    }

    /// The numeric value of `param` at this point, if swept and numeric.
    pub fn f64(&self, param: Param) -> Option<f64> {
        self.get(param).and_then(AxisValue::as_f64)
    }

    /// The specification with this point's values substituted.
    pub fn apply(&self, base: &ModelSpec) -> ModelSpec {
        let mut a = base.clone();
        for (p, v) in &self.values {
            p.set(&mut a, v);
        }
        a
    }

    /// `alpha=2, width=0.5`: the point for messages.
    pub fn describe(&self) -> String {
        self.values
            .iter()
            .map(|(p, v)| format!("{p}={}", v.canonical()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Builds the validated model at this point, naming the point in an error.
    pub fn model(&self, base: &ModelSpec) -> Result<Model> {
        self.apply(base).build().map_err(|e| match e {
            Error::Input(m) => Error::input(format!(
                "at sweep point {} ({}): {m}",
                self.index,
                self.describe()
            )),
            other => other,
        })
    }
}

impl Grid {
    /// Builds a grid from `--over` specs (outermost first) and the parameters to space
    /// logarithmically. Refuses repeated parameters and `--log` of an unswept parameter.
    pub fn parse(over: &[String], log: &[String]) -> Result<Grid> {
        if over.is_empty() {
            return Err(Error::input("sweep needs at least one --over PARAM=..."));
        }
        let log_params = log
            .iter()
            .map(|s| s.parse::<Param>())
            .collect::<Result<Vec<_>>>()?;
        let mut axes: Vec<Axis> = Vec::new();
        for spec in over {
            let name = spec.split_once('=').map(|(n, _)| n).unwrap_or(spec);
            let p: Param = name.parse().map_err(|e| match spec.contains('=') {
                true => e,
                false => Error::input(format!(
                    "--over '{spec}' is not PARAM=START:STOP:COUNT or PARAM=v1,v2,..."
                )),
            })?;
            if axes.iter().any(|a| a.param == p) {
                return Err(Error::input(format!("--over {p} is given twice")));
            }
            axes.push(Axis::parse(spec, log_params.contains(&p))?);
        }
        for p in &log_params {
            if !axes.iter().any(|a| a.param == *p) {
                return Err(Error::input(format!(
                    "--log {p}: {p} is not swept by any --over"
                )));
            }
        }
        let g = Grid { axes };
        g.checked_len()?;
        Ok(g)
    }

    /// The number of points [`parse`](Self::parse) would build from the same flags, without
    /// building them (each axis by [`Axis::count`]), so that a grid too large for the machine
    /// is refused before it takes memory; more than [`MAX_POINTS`] is an error, as in `parse`.
    pub fn count(over: &[String], log: &[String]) -> Result<usize> {
        let log_params = log
            .iter()
            .map(|s| s.parse::<Param>())
            .collect::<Result<Vec<_>>>()?;
        over.iter().try_fold(1usize, |n, spec| {
            let p = spec
                .split_once('=')
                .and_then(|(name, _)| name.parse::<Param>().ok());
            let k = Axis::count(spec, p.is_some_and(|p| log_params.contains(&p)))?;
            n.checked_mul(k)
                .filter(|n| *n <= MAX_POINTS)
                .ok_or_else(|| {
                    Error::input(format!("the sweep grid has more than {MAX_POINTS} points"))
                })
        })
    }

    /// A grid of the given axes (outermost first), refusing a repeated parameter and grids of
    /// more than [`MAX_POINTS`] points.
    pub fn new(axes: Vec<Axis>) -> Result<Grid> {
        for (i, a) in axes.iter().enumerate() {
            if axes[..i].iter().any(|b| b.param == a.param) {
                return Err(Error::input(format!("--over {} is given twice", a.param)));
            }
        }
        let g = Grid { axes };
        g.checked_len()?;
        Ok(g)
    }

    fn checked_len(&self) -> Result<usize> {
        let mut n: usize = 1;
        for a in &self.axes {
            n = n
                .checked_mul(a.len())
                .filter(|n| *n <= MAX_POINTS)
                .ok_or_else(|| {
                    Error::input(format!("the sweep grid has more than {MAX_POINTS} points"))
                })?;
        }
        Ok(n)
    }

    /// Number of points (1 for a grid with no axes).
    pub fn len(&self) -> usize {
        self.axes.iter().map(Axis::len).product()
    }

    /// Whether the grid has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The axis of `param`, if swept.
    pub fn axis(&self, param: Param) -> Option<&Axis> {
        self.axes.iter().find(|a| a.param == param)
    }

    /// The point at `index` (`index < len()`).
    pub fn point(&self, index: usize) -> GridPoint {
        let mut coords = vec![0; self.axes.len()];
        let mut rest = index;
        for (k, a) in self.axes.iter().enumerate().rev() {
            coords[k] = rest % a.len();
            rest /= a.len();
        }
        let values = self
            .axes
            .iter()
            .zip(&coords)
            .map(|(a, &i)| (a.param, a.values[i].clone()))
            .collect();
        GridPoint {
            index,
            coords,
            values,
        }
    }

    /// Every point, in grid order.
    pub fn points(&self) -> Vec<GridPoint> {
        (0..self.len()).map(|i| self.point(i)).collect()
    }

    /// Output column names of the parameters ([`Param::column`]), in axis order.
    pub fn param_names(&self) -> Vec<&'static str> {
        self.axes.iter().map(|a| a.param.column()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_row_major_first_axis_outermost() {
        let g = Grid::parse(&["alpha=1,2".into(), "bits=1:3:3".into()], &[]).unwrap();
        assert_eq!(g.len(), 6);
        let p = g.point(4);
        assert_eq!(p.coords, vec![1, 1]);
        assert_eq!(p.get(Param::Alpha), Some(&AxisValue::Num(2.0)));
        assert_eq!(p.get(Param::Bits), Some(&AxisValue::Int(2)));
    }

    #[test]
    fn level_lists_keep_custom_specs_whole() {
        assert_eq!(
            split_levels("uniform,custom:-1,0,1,lloyd-max"),
            vec!["uniform", "custom:-1,0,1", "lloyd-max"]
        );
        assert_eq!(
            split_levels("custom:-1,1;custom:-2,2"),
            vec!["custom:-1,1", "custom:-2,2"]
        );
    }

    #[test]
    fn ranges() {
        let a = Axis::parse("width=0.1:10:3", true).unwrap();
        assert_eq!(a.numbers()[0], 0.1);
        assert!((a.numbers()[1] - 1.0).abs() < 1e-12);
        assert_eq!(a.numbers()[2], 10.0);
        let e = Axis::new(Param::Bits, &[1.0, 3.0]).unwrap();
        assert_eq!(e.values, vec![AxisValue::Int(1), AxisValue::Int(3)]);
        assert!(Axis::new(Param::Bits, &[1.5]).is_err());
        assert!(Axis::new(Param::Alpha, &[f64::NAN]).is_err());
        assert!(Axis::new(Param::Beta, &[f64::INFINITY]).is_ok());
        let d = Axis::parse("alpha=3:1:3", false).unwrap();
        assert_eq!(d.numbers(), vec![3.0, 2.0, 1.0]);
        assert!(Axis::parse("beta=1,inf", false).unwrap().numbers()[1].is_infinite());
        for bad in [
            "alpha=1:2:0",
            "alpha=1:2",
            "alpha=nan,1",
            "beta=1:inf:3",
            "bits=1:2:3",
            "levels=bogus",
            "foo=1",
            "alpha",
            "alpha=",
            "alpha=1:2:x",
        ] {
            assert!(Grid::parse(&[bad.into()], &[]).is_err(), "{bad}");
        }
    }

    /// `count` is `parse(..).len()` without building the values, and refuses what `parse`
    /// refuses before any value is built (the malformed specs of `ranges`, except a bits range
    /// whose values are not whole: only building them finds that).
    #[test]
    fn counts_agree_with_the_parsed_axes() {
        for (spec, log) in [
            ("width=0.1:10:3", true),
            ("alpha=3:1:3", false),
            ("alpha=0.5:0.5:1", false),
            ("beta=1,2,inf", false),
            ("bits=1:8:8", false),
            ("bits=2,4", false),
            ("levels=uniform,custom:-1,0,1,lloyd-max", false),
        ] {
            let n = Axis::count(spec, log).unwrap();
            assert_eq!(n, Axis::parse(spec, log).unwrap().len(), "{spec}");
        }
        for (spec, log) in [
            ("alpha=1:2:0", false),
            ("alpha=1:2", false),
            ("alpha=nan,1", false),
            ("beta=1:inf:3", false),
            ("alpha=1:2:x", false),
            ("alpha=0:2:3", true),
            ("alpha=1,2", true),
            ("foo=1", false),
            ("alpha=", false),
        ] {
            let parsed = Axis::parse(spec, log).map(|a| a.len());
            assert!(parsed.is_err(), "{spec}");
            let counted = Axis::count(spec, log);
            assert_eq!(counted.is_err(), parsed.is_err(), "{spec}");
            if let (Err(a), Err(b)) = (counted, parsed) {
                assert_eq!(a.to_string(), b.to_string(), "{spec}");
            }
        }
        // A 40-million-value axis is counted, not built (parse would allocate ~1.6 GB).
        let huge = format!("alpha=0.1:5:{}", 40_000_000);
        assert_eq!(Axis::count(&huge, false).unwrap(), 40_000_000);
        let over = vec![
            "alpha=0.1:5:7000".to_string(),
            "width=0.5:2:7000".to_string(),
        ];
        assert_eq!(Grid::count(&over, &[]).unwrap(), 49_000_000);
        let log = vec!["width".to_string()];
        assert_eq!(
            Grid::count(&over, &log).unwrap(),
            Grid::parse(&over[..1], &[]).unwrap().len() * 7000
        );
        let over = vec![
            "alpha=0.1:5:8000".to_string(),
            "width=0.5:2:7000".to_string(),
        ];
        assert!(Grid::count(&over, &[]).is_err());
    }
}
