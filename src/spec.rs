//! The model specification: plain data (serde, no command line) from which every theory and
//! simulation entry point builds its validated [`Model`].
//!
//! [`ModelSpec`] holds the same parameters, with the same defaults and meanings, as the model
//! flags of the command line (`--alpha --noise --bits --width --levels --level-weights --beta
//! --ridge --teacher --teacher-var --teacher-probs --channel --flip --labels --margin`);
//! [`ModelSpec::build`] validates it with the
//! same one-line messages. The command line, sweeps, experiments and the Python module all go
//! through it.
//!
//! **Serialized form.** A JSON object with the field names below; every field is optional
//! (missing fields take the command-line defaults) and an unknown field is an error (a typo never
//! passes silently). β = ∞ is written as the string `"inf"` (JSON has no infinity, and `null`
//! would be ambiguous); on reading, a number or `"inf"`/`"infinity"` is accepted.
//!
//! **Growth.** The struct is `#[non_exhaustive]`: build it from [`ModelSpec::default`] and set
//! fields, so that new fields can be added with serde defaults without breaking code or stored
//! specifications (the output channel `channel`, `flip`, `labels`, `margin` came this way; a
//! specification stored before them reads as the Gaussian channel).
//!
//! **Output channel.** `channel = "gaussian"` (default: regression with label-noise variance
//! `noise`) or `"sign"` (classification, `docs/classification.md`): labels `sign(x·w0)` flipped
//! with probability `flip ∈ [0, ½]` (`labels = "teacher"`), or random ±1 labels with no teacher
//! (`labels = "random"`, the storage problem), and the number of errors with margin `margin` as
//! the energy. `noise` is not used by the sign channel; `flip`, `labels` and `margin` are refused
//! with the Gaussian channel.
//!
//! ```
//! use quantreplica::ModelSpec;
//! let mut spec = ModelSpec::default();
//! spec.alpha = 3.0;
//! spec.bits = 1;
//! spec.width = 0.8;
//! spec.beta = 5.0;
//! let model = spec.build().unwrap();
//! assert_eq!(model.student.levels().unwrap().values(), &[-0.8, 0.8]);
//! // The serialized form, β = ∞ as "inf":
//! let json = serde_json::to_string(&ModelSpec::default()).unwrap();
//! assert!(json.contains(r#""beta":"inf""#));
//! let back: ModelSpec = serde_json::from_str(r#"{"alpha": 0.5, "beta": "inf"}"#).unwrap();
//! assert_eq!(back.alpha, 0.5);
//! assert!(back.beta.is_infinite());
//! // Bad values are refused with the command line's one-line message.
//! spec.alpha = -1.0;
//! assert_eq!(spec.build().unwrap_err().to_string(), "--alpha must be positive, got -1");
//! ```

use crate::error::{Error, Result};
use crate::model::spec::parse_teacher;
use crate::model::{Channel, Labels, LevelKind, Model, SignChannel};
use serde::{Deserialize, Serialize};

/// A model specification; see the [module documentation](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ModelSpec {
    /// Samples per weight α = M/N (> 0). Default 2.
    pub alpha: f64,
    /// Label-noise variance σ² (≥ 0). Default 0.1.
    pub noise: f64,
    /// Bits b of the quantizer (1..=16; used by uniform, midtread, pow2, lloyd-max, quantile).
    /// Default 2.
    pub bits: u32,
    /// Quantization width ω (> 0): levels span [−ω, ω] (uniform, midtread, pow2). Default 1.
    pub width: f64,
    /// Level set, as the command line spells it: `uniform`, `midtread`, `lloyd-max`,
    /// `quantile`, `pow2`, `continuous`, `custom:v1,v2,...`, `asq:S`. Default `uniform`.
    pub levels: String,
    /// Level weights π, one per level (a weighted prior over the levels). Default none.
    pub level_weights: Option<Vec<f64>>,
    /// Inverse temperature β (> 0), `f64::INFINITY` for the trained (ground-state) model;
    /// serialized as a number or `"inf"`. Default ∞.
    #[serde(with = "beta_serde")]
    pub beta: f64,
    /// Ridge penalty λ (≥ 0). Default 0.
    pub ridge: f64,
    /// Teacher prior: `gaussian`, `binary`, `discrete:v1,v2,...`, `sparse:F`. Default
    /// `gaussian`.
    pub teacher: String,
    /// Teacher variance ρ (scale of the gaussian, binary and sparse teachers). Default 1.
    pub teacher_var: f64,
    /// Probabilities of a discrete teacher's values. Default none (equal).
    pub teacher_probs: Option<Vec<f64>>,
    /// Output channel: `gaussian` (regression, squared loss) or `sign` (classification, the
    /// number of errors). Default `gaussian`.
    pub channel: ChannelKind,
    /// Label-flip probability `p ∈ [0, ½]` of the sign channel's teacher labels. Default 0.
    pub flip: f64,
    /// Where the sign channel's labels come from: `teacher` or `random` (the storage problem).
    /// Default `teacher`.
    pub labels: Labels,
    /// The sign channel's margin κ (Gardner's normalization: an error when
    /// `y x·w ≤ κ‖w‖/√N`). Default 0.
    pub margin: f64,
}

/// The output channel of a [`ModelSpec`]: its name on the command line and in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Gaussian label noise, squared loss (regression).
    #[default]
    Gaussian,
    /// Sign labels, error count (classification; the storage problem with random labels).
    Sign,
}

impl std::str::FromStr for ChannelKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gaussian" => Ok(ChannelKind::Gaussian),
            "sign" => Ok(ChannelKind::Sign),
            _ => Err(Error::input(format!(
                "unknown --channel '{s}' (expected gaussian or sign)"
            ))),
        }
    }
}

/// Parses `--labels teacher|random`.
pub fn parse_labels(s: &str) -> Result<Labels> {
    match s.trim().to_ascii_lowercase().as_str() {
        "teacher" => Ok(Labels::Teacher),
        "random" => Ok(Labels::Random),
        _ => Err(Error::input(format!(
            "unknown --labels '{s}' (expected teacher or random)"
        ))),
    }
}

impl Default for ModelSpec {
    fn default() -> Self {
        ModelSpec {
            alpha: 2.0,
            noise: 0.1,
            bits: 2,
            width: 1.0,
            levels: "uniform".into(),
            level_weights: None,
            beta: f64::INFINITY,
            ridge: 0.0,
            teacher: "gaussian".into(),
            teacher_var: 1.0,
            teacher_probs: None,
            channel: ChannelKind::Gaussian,
            flip: 0.0,
            labels: Labels::Teacher,
            margin: 0.0,
        }
    }
}

/// Checks that every entry of a list is finite, naming the first that is not as the command
/// line's list parser does.
fn finite_list<'a>(v: Option<&'a [f64]>, what: &str) -> Result<Option<&'a [f64]>> {
    if let Some(x) = v.and_then(|l| l.iter().find(|x| !x.is_finite())) {
        return Err(Error::input(format!("{what} '{x}' is not a finite number")));
    }
    Ok(v)
}

fn finite_flag(flag: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(Error::input(format!("--{flag} must be finite, got {v}")))
    }
}

impl ModelSpec {
    /// The parsed level kind of [`levels`](Self::levels).
    pub fn level_kind(&self) -> Result<LevelKind> {
        self.levels.parse()
    }

    /// Builds and validates the model. Errors are [`Error::Input`] with one line naming the
    /// bad value, exactly as the command line prints them.
    pub fn build(&self) -> Result<Model> {
        let kind = self.level_kind()?;
        self.build_with(&kind, self.bits, self.width)
    }

    /// Builds the model with a given (already parsed) level kind, bit count and width in place
    /// of the spec's own: the cheap path of width scans and per-bit tables.
    pub fn build_with(&self, kind: &LevelKind, bits: u32, width: f64) -> Result<Model> {
        let channel = self.output_channel()?;
        finite_flag("alpha", self.alpha)?;
        if self.alpha.is_nan() || self.alpha <= 0.0 {
            return Err(Error::input(format!(
                "--alpha must be positive, got {}",
                self.alpha
            )));
        }
        finite_flag("noise", self.noise)?;
        if self.noise.is_nan() || self.noise < 0.0 {
            return Err(Error::input(format!(
                "--noise must be non-negative, got {}",
                self.noise
            )));
        }
        finite_flag("ridge", self.ridge)?;
        if self.ridge.is_nan() || self.ridge < 0.0 {
            return Err(Error::input(format!(
                "--ridge must be non-negative, got {}",
                self.ridge
            )));
        }
        if self.beta.is_nan() || self.beta <= 0.0 {
            return Err(Error::input(format!(
                "--beta must be positive (or inf), got {}",
                self.beta
            )));
        }
        finite_flag("teacher-var", self.teacher_var)?;
        if kind.uses_bits() && (bits == 0 || bits > 16) {
            return Err(Error::input(format!(
                "--bits must be between 1 and 16, got {bits}"
            )));
        }
        if kind.uses_width() && (width.is_nan() || width <= 0.0) {
            return Err(Error::input(format!(
                "--width must be positive, got {width}"
            )));
        }
        if kind.uses_width() {
            finite_flag("width", width)?;
        }
        let probs = finite_list(self.teacher_probs.as_deref(), "teacher probability")?;
        let teacher = parse_teacher(&self.teacher, self.teacher_var, probs)?;
        let weights = finite_list(self.level_weights.as_deref(), "level weight")?;
        let student = kind.build(bits, width, &teacher, weights.map(<[f64]>::to_vec))?;
        match channel {
            None => Model::new(
                self.alpha, self.noise, self.beta, self.ridge, student, teacher,
            ),
            Some(c) => Model::with_channel(self.alpha, c, self.beta, self.ridge, student, teacher),
        }
    }

    /// Refuses a width optimization that has nothing to optimize: under the sign channel the
    /// error count is scale-free (`E(λw) = E(w)`, at every β, flip and margin), so rescaling the
    /// levels by ω changes nothing but `Q` unless the ridge prior `e^{−λs²/2}` weighs the levels
    /// differently. The width is then a gauge when `ridge = 0`, and also with a ridge when every
    /// level of `kind` at `bits` has the same magnitude (`±ω`: 1-bit uniform or pow2), since every
    /// configuration then has the same norm and the same prior weight. Random labels have no
    /// generalization error, and the posterior mean's squared error is not a classification
    /// objective. With `ridge = λ > 0` and levels of different magnitudes, only `ω√λ` matters:
    /// the optimal width is `ω*(λ) = c*/√λ` (`docs/classification.md` §11).
    pub fn check_width_objective(
        &self,
        kind: &LevelKind,
        bits: u32,
        squared_error: bool,
    ) -> Result<()> {
        if self.channel != ChannelKind::Sign {
            return Ok(());
        }
        if self.labels == Labels::Random {
            return Err(Error::input(
                "random labels (--labels random) have no generalization error to minimize over the width",
            ));
        }
        if squared_error {
            return Err(Error::input(
                "--objective mean is a regression error; under the sign channel the objective is the classification error (--objective gen)",
            ));
        }
        if self.ridge == 0.0 {
            return Err(Error::input(
                "under the sign channel with --ridge 0 the width is a gauge: the error count is scale-free, so every width gives the same classification error; give --ridge > 0 (the prior scale; only width*sqrt(ridge) matters)",
            ));
        }
        let model = self.build_with(kind, bits, 1.0)?;
        if let Some(levels) = model.student.levels() {
            let mags = levels.values().iter().map(|v| v.abs());
            let (lo, hi) = mags.fold((f64::INFINITY, 0.0f64), |(lo, hi), a| {
                (lo.min(a), hi.max(a))
            });
            if hi - lo <= 1e-12 * hi {
                return Err(Error::input(format!(
                    "--bits {bits} {} levels are ±width: under the sign channel their width is a gauge even with --ridge {} (the error count is scale-free and every weight vector has the same norm, so the ridge weighs them all alike): every width gives the same classification error",
                    self.levels.trim(),
                    self.ridge
                )));
            }
        }
        Ok(())
    }

    /// The sign channel of `channel`, `flip`, `labels`, `margin` (`None` for the Gaussian
    /// channel, which is built from `noise`), refusing the sign channel's settings with the
    /// Gaussian channel.
    fn output_channel(&self) -> Result<Option<Channel>> {
        match self.channel {
            ChannelKind::Gaussian => {
                if self.margin != 0.0 {
                    return Err(Error::input(format!(
                        "--margin {} needs --channel sign (the Gaussian channel has no margin)",
                        self.margin
                    )));
                }
                if self.flip != 0.0 {
                    return Err(Error::input(format!(
                        "--flip {} needs --channel sign (the Gaussian channel's label noise is --noise)",
                        self.flip
                    )));
                }
                if self.labels != Labels::Teacher {
                    return Err(Error::input(
                        "--labels random needs --channel sign (the storage problem is a classification problem)",
                    ));
                }
                Ok(None)
            }
            ChannelKind::Sign => {
                if !(0.0..=0.5).contains(&self.flip) {
                    return Err(Error::input(format!(
                        "--flip must be in [0, 1/2], got {}",
                        self.flip
                    )));
                }
                finite_flag("margin", self.margin)?;
                if self.labels == Labels::Random && self.flip != 0.0 {
                    return Err(Error::input(format!(
                        "--flip {} applies to teacher labels; random labels (--labels random) carry no teacher to flip",
                        self.flip
                    )));
                }
                Ok(Some(Channel::Sign(SignChannel::new(
                    self.flip,
                    self.margin,
                    self.labels,
                )?)))
            }
        }
    }
}

/// Parses a finite number (`--alpha 2`), for flags and axis values; the message names the text.
pub fn parse_finite(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("'{s}' is not a finite number")),
    }
}

/// Parses β: a positive number or `inf` (`infinity`, any case).
pub fn parse_beta(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim().to_ascii_lowercase();
    if t == "inf" || t == "infinity" {
        return Ok(f64::INFINITY);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not a positive number or inf")),
    }
}

/// Serde for β: a finite value as a number, ∞ as the string `"inf"`; reads a number or
/// `"inf"`/`"infinity"` (any case). Use with `#[serde(with = "quantreplica::spec::beta_serde")]`.
pub mod beta_serde {
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    /// Writes β.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_infinite() && *v > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_f64(*v)
        }
    }

    struct Beta;

    impl Visitor<'_> for Beta {
        type Value = f64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a positive number or \"inf\"")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
            super::parse_beta(v).map_err(E::custom)
        }
    }

    /// Reads β.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        d.deserialize_any(Beta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_json() {
        let s = ModelSpec::default();
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<ModelSpec>(&j).unwrap(), s);
        let mut f = s.clone();
        f.beta = 5.0;
        f.level_weights = Some(vec![1.0, 2.0, 2.0, 1.0]);
        let j = serde_json::to_string(&f).unwrap();
        assert!(j.contains(r#""beta":5.0"#), "{j}");
        assert_eq!(serde_json::from_str::<ModelSpec>(&j).unwrap(), f);
        assert_eq!(serde_json::from_str::<ModelSpec>("{}").unwrap(), s);
    }

    #[test]
    fn unknown_fields_and_bad_beta_are_refused() {
        assert!(serde_json::from_str::<ModelSpec>(r#"{"alpah": 2}"#).is_err());
        assert!(serde_json::from_str::<ModelSpec>(r#"{"beta": "hot"}"#).is_err());
        let b: ModelSpec = serde_json::from_str(r#"{"beta": "Infinity", "bits": 3}"#).unwrap();
        assert!(b.beta.is_infinite());
        assert_eq!(b.bits, 3);
    }

    #[test]
    fn messages_name_the_value() {
        type Case = (fn(&mut ModelSpec), &'static str);
        let cases: [Case; 8] = [
            (|s| s.noise = -0.5, "--noise must be non-negative, got -0.5"),
            (|s| s.ridge = -1.0, "--ridge must be non-negative, got -1"),
            (|s| s.bits = 17, "--bits must be between 1 and 16, got 17"),
            (|s| s.width = 0.0, "--width must be positive, got 0"),
            (|s| s.alpha = f64::NAN, "--alpha must be finite, got NaN"),
            (
                |s| s.beta = -2.0,
                "--beta must be positive (or inf), got -2",
            ),
            (
                |s| s.level_weights = Some(vec![1.0, f64::NAN, 1.0, 1.0]),
                "level weight 'NaN' is not a finite number",
            ),
            (|s| s.levels = "bogus".into(), "unknown level spec 'bogus'"),
        ];
        for (set, msg) in cases {
            let mut s = ModelSpec::default();
            set(&mut s);
            let e = s.build().unwrap_err();
            assert!(matches!(e, Error::Input(_)), "{e:?}");
            assert!(e.to_string().starts_with(msg), "{e} vs {msg}");
        }
    }
}
