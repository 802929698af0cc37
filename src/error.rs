//! One error type for the library and the command line.

use std::fmt;

/// Every failure the library reports. `Input` errors are the caller's fault (exit status 2 on
/// the command line); `Numerics` and `Io` are not.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A bad parameter, flag, level spec or data file; the message names the bad value.
    Input(String),
    /// A numerical procedure could not produce a trustworthy number.
    Numerics(String),
    /// Reading or writing a file failed.
    Io(String),
    /// The job was cancelled through its [`crate::parallel::Watch`] (e.g. Ctrl-C in Python);
    /// nothing half-written was left behind.
    Interrupted,
}

impl Error {
    /// Shorthand for an input error.
    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) => write!(f, "{m}"),
            Error::Numerics(m) => write!(f, "numerical failure: {m}"),
            Error::Io(m) => write!(f, "i/o error: {m}"),
            Error::Interrupted => write!(f, "interrupted"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

/// Library-wide result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Checks that a parameter is finite (and names it when not).
pub fn finite(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::input(format!("{name} must be finite, got {v}")))
    }
}

/// Checks that a parameter is finite and strictly positive.
pub fn positive(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(Error::input(format!(
            "{name} must be a positive finite number, got {v}"
        )))
    }
}

/// Checks that a parameter is finite and non-negative.
pub fn non_negative(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(Error::input(format!(
            "{name} must be a non-negative finite number, got {v}"
        )))
    }
}
