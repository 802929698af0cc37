//! `quantreplica.Model`: a validated, immutable [`ModelSpec`] built from keyword arguments.
//!
//! The keyword arguments are converted to the specification by serde (pythonize), so every
//! field the library's `ModelSpec` has — today's and those added later, e.g. an output channel —
//! is a keyword argument here, with the command line's defaults, names and messages, and no
//! binding code per field.

use crate::watch::to_py;
use numpy::PyArray1;
use pyo3::exceptions::{PyAttributeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use quantreplica::ModelSpec;

/// The field names of the specification, in declared order.
fn field_names() -> Vec<String> {
    match serde_json::to_value(ModelSpec::default()) {
        Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// A keyword value as plain Python data: numpy arrays and scalars through `tolist()`; a
/// sequence of numbers given as `levels` becomes the level spec `custom:v1,v2,...`.
fn plain<'py>(key: &str, v: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = v.py();
    let v = if v.hasattr("tolist")? && !v.is_instance_of::<PyString>() {
        v.call_method0("tolist")?
    } else {
        v.clone()
    };
    if key == "levels" && (v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>()) {
        let mut parts = Vec::new();
        for item in v.try_iter()? {
            let x: f64 = item?
                .extract()
                .map_err(|_| PyTypeError::new_err("levels: a list of levels must hold numbers"))?;
            parts.push(format!("{x:?}"));
        }
        return Ok(PyString::new(py, &format!("custom:{}", parts.join(","))).into_any());
    }
    Ok(v)
}

/// Reads a specification from a dict of keyword arguments (unknown keywords are a
/// `TypeError`, as for any Python function; a value of the wrong type names its keyword).
pub fn spec_from_kwargs(kwargs: &Bound<'_, PyDict>) -> PyResult<ModelSpec> {
    let py = kwargs.py();
    let names = field_names();
    let clean = PyDict::new(py);
    for (k, v) in kwargs.iter() {
        let key: String = k.extract()?;
        if !names.iter().any(|n| n == &key) {
            return Err(PyTypeError::new_err(format!(
                "Model() got an unexpected keyword argument '{key}' (expected one of {})",
                names.join(", ")
            )));
        }
        clean.set_item(&key, plain(&key, &v)?)?;
    }
    match pythonize::depythonize::<ModelSpec>(clean.as_any()) {
        Ok(spec) => Ok(spec),
        Err(whole) => {
            // Name the keyword whose value could not be read.
            for (k, v) in clean.iter() {
                let one = PyDict::new(py);
                one.set_item(&k, v)?;
                if let Err(e) = pythonize::depythonize::<ModelSpec>(one.as_any()) {
                    let text = e.to_string();
                    let type_error = text.contains("invalid type") || text.starts_with("TypeError");
                    let text = text.trim_start_matches("TypeError: ");
                    let msg = format!("{}: {text}", k.extract::<String>()?);
                    return Err(if type_error {
                        PyTypeError::new_err(msg)
                    } else {
                        PyValueError::new_err(msg)
                    });
                }
            }
            Err(PyValueError::new_err(whole.to_string()))
        }
    }
}

/// The specification as a dict of Python values (β as a float, `inf` for the trained model).
pub fn spec_to_dict<'py>(py: Python<'py>, spec: &ModelSpec) -> PyResult<Bound<'py, PyDict>> {
    let d = pythonize::pythonize(py, spec)?;
    let d = d.cast_into::<PyDict>()?;
    d.set_item("beta", spec.beta)?;
    Ok(d)
}

/// A model of quantized learning, validated on construction.
///
/// Keyword arguments, with the command line's defaults and meanings (`quantreplica rs --help`):
/// alpha=2 (samples per weight α = M/N), noise=0.1 (label-noise variance σ²), bits=2,
/// width=1 (levels span [-width, width]), levels="uniform" (uniform, midtread, lloyd-max,
/// quantile, pow2, continuous, custom:v1,v2,..., asq:S, or a list of level values),
/// level_weights=None (one weight per level), beta=inf (inverse temperature; inf: the trained
/// model), ridge=0, teacher="gaussian" (gaussian, binary, discrete:v1,v2,..., sparse:F),
/// teacher_var=1, teacher_probs=None, channel="gaussian" (gaussian or sign), flip=0 (the sign
/// channel's label-flip probability), labels="teacher" (teacher or random: the storage
/// problem), margin=0 (the sign channel's margin κ); and every further field of the library's
/// model specification.
///
/// Bad values raise ValueError with the command line's one-line message, e.g.
/// `Model(alpha=-1)` raises `ValueError('--alpha must be positive, got -1')`; an unknown
/// keyword raises TypeError. The model is immutable: `replace(**changes)` returns a new one.
#[pyclass(frozen, module = "quantreplica", name = "Model")]
pub struct PyModel {
    /// The specification as given (defaults filled in).
    pub spec: ModelSpec,
    /// The validated model built from it.
    pub model: quantreplica::model::Model,
}

impl PyModel {
    /// Validates a specification.
    pub fn from_spec(spec: ModelSpec) -> PyResult<PyModel> {
        let model = spec.build().map_err(to_py)?;
        Ok(PyModel { spec, model })
    }
}

#[pymethods]
impl PyModel {
    #[new]
    #[pyo3(signature = (**kwargs), text_signature = "(**kwargs)")]
    fn new(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let spec = match kwargs {
            Some(k) => spec_from_kwargs(k)?,
            None => ModelSpec::default(),
        };
        PyModel::from_spec(spec)
    }

    /// A new model with some parameters changed: `model.replace(alpha=4.0)`.
    #[pyo3(signature = (**changes))]
    fn replace(&self, py: Python<'_>, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let d = spec_to_dict(py, &self.spec)?;
        if let Some(c) = changes {
            for (k, v) in c.iter() {
                d.set_item(k, v)?;
            }
        }
        // Drop unset optional fields so that they take their defaults.
        let clean = PyDict::new(py);
        for (k, v) in d.iter() {
            if !v.is_none() {
                clean.set_item(k, v)?;
            }
        }
        PyModel::from_spec(spec_from_kwargs(&clean)?)
    }

    /// Every parameter as a dict (the keyword arguments that rebuild this model).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        spec_to_dict(py, &self.spec)
    }

    /// The specification as JSON, the form `ModelSpec` stores (β = ∞ as "inf").
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.spec).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// A model from its JSON form (every field optional; unknown fields refused).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        let spec: ModelSpec =
            serde_json::from_str(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
        PyModel::from_spec(spec)
    }

    /// The student's level values (None for the continuous student).
    #[getter]
    fn level_values<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        self.model
            .student
            .levels()
            .map(|l| PyArray1::from_slice(py, l.values()))
    }

    /// ρ, the teacher's second moment.
    #[getter]
    fn rho(&self) -> f64 {
        self.model.rho()
    }

    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let d = spec_to_dict(py, &self.spec)?;
        match d.get_item(name)? {
            Some(v) => Ok(v),
            None => Err(PyAttributeError::new_err(format!(
                "'Model' object has no attribute '{name}'"
            ))),
        }
    }

    fn __dir__(&self) -> Vec<String> {
        let mut v = field_names();
        for s in [
            "replace",
            "to_dict",
            "to_json",
            "from_json",
            "level_values",
            "rho",
        ] {
            v.push(s.into());
        }
        v
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let d = spec_to_dict(py, &self.spec)?;
        let default = ModelSpec::default();
        let dd = spec_to_dict(py, &default)?;
        let mut parts = Vec::new();
        for (k, v) in d.iter() {
            let same = match dd.get_item(&k)? {
                Some(x) => x.eq(&v)?,
                None => false,
            };
            if !same || k.extract::<String>()? == "alpha" {
                parts.push(format!("{}={}", k.extract::<String>()?, v.repr()?));
            }
        }
        Ok(format!("Model({})", parts.join(", ")))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyModel>() {
            Ok(o) => o.get().spec == self.spec,
            Err(_) => false,
        }
    }

    fn __hash__(&self) -> PyResult<u64> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.to_json()?.hash(&mut h);
        Ok(h.finish())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let from_json = slf.get_type().getattr("from_json")?;
        Ok((from_json, (slf.get().to_json()?,)))
    }
}
