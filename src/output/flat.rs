//! The CSV row rule of [`super::flatten_row`] as a serde serializer: the row's fields become
//! `(column, cell)` pairs directly, without building a `serde_json::Value` first (which cost
//! twice the formatting of the cells themselves on a β = ∞ sweep row).
//!
//! The cells are those of serde_json's form of the row (the rule was first written on it, and
//! the two are compared in the tests): a non-finite number or a missing option is JSON's `null`,
//! an empty cell; a unit variant is its name; a newtype variant `V(x)` an object `{V: x}`; map
//! keys are strings (numbers and booleans written as text).

use super::{csv_quote, fmt_num};
use serde::ser::{self, Impossible, Serialize};
use std::fmt;

/// A serialization failure (a row that is not an object, a map key that is not a scalar).
#[derive(Debug)]
pub struct FlatError(pub String);

impl fmt::Display for FlatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FlatError {}

impl ser::Error for FlatError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        FlatError(msg.to_string())
    }
}

type Res<T> = Result<T, FlatError>;

/// The columns of one row, in order.
pub(super) fn flatten<T: Serialize + ?Sized>(row: &T) -> Res<Vec<(String, String)>> {
    let mut out = Vec::new();
    row.serialize(Row { out: &mut out })?;
    Ok(out)
}

fn not_an_object<T>() -> Res<T> {
    Err(FlatError("a CSV row must serialize to an object".into()))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The top level: only a struct or a map is a row.
struct Row<'a> {
    out: &'a mut Vec<(String, String)>,
}

/// Fields of an object whose columns are prefixed by `prefix` (empty at the top level).
struct Fields<'a> {
    out: &'a mut Vec<(String, String)>,
    prefix: String,
    /// The pending key of a map entry (`serialize_key` then `serialize_value`).
    key: Option<String>,
}

impl Fields<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Res<()> {
        value.serialize(Field {
            out: self.out,
            prefix: &self.prefix,
            key,
        })
    }
}

/// One field `key` of an object under `prefix`.
struct Field<'a, 'b> {
    out: &'a mut Vec<(String, String)>,
    prefix: &'b str,
    key: &'b str,
}

impl Field<'_, '_> {
    fn cell(self, cell: String) -> Res<()> {
        self.out.push((join(self.prefix, self.key), cell));
        Ok(())
    }
}

/// The elements of an array: their scalar cells, and whether one was an object or an array.
#[derive(Default)]
struct Elements {
    cells: Vec<String>,
    len: usize,
    compound: bool,
}

impl Elements {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Res<()> {
        self.len += 1;
        if !self.compound {
            match value.serialize(Scalar)? {
                Some(c) => self.cells.push(c),
                None => self.compound = true,
            }
        }
        Ok(())
    }

    /// The array's column: its cells joined by `;`, or (once an element is an object or an
    /// array) its length in a column `n_key`.
    fn write(self, field: Field<'_, '_>) -> Res<()> {
        let Field { out, prefix, key } = field;
        if self.compound {
            out.push((join(prefix, &format!("n_{key}")), self.len.to_string()));
        } else {
            out.push((join(prefix, key), self.cells.join(";")));
        }
        Ok(())
    }
}

/// An array field.
struct Seq<'a, 'b> {
    field: Field<'a, 'b>,
    elements: Elements,
}

impl ser::SerializeSeq for Seq<'_, '_> {
    type Ok = ();
    type Error = FlatError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Res<()> {
        self.elements.push(value)
    }
    fn end(self) -> Res<()> {
        self.elements.write(self.field)
    }
}

macro_rules! seq_like {
    ($($tr:ident :: $m:ident),*) => {$(
        impl ser::$tr for Seq<'_, '_> {
            type Ok = ();
            type Error = FlatError;
            fn $m<T: Serialize + ?Sized>(&mut self, value: &T) -> Res<()> {
                ser::SerializeSeq::serialize_element(self, value)
            }
            fn end(self) -> Res<()> {
                ser::SerializeSeq::end(self)
            }
        }
    )*};
}
seq_like!(
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeStruct for Fields<'_> {
    type Ok = ();
    type Error = FlatError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Res<()> {
        self.field(key, value)
    }
    fn end(self) -> Res<()> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Fields<'_> {
    type Ok = ();
    type Error = FlatError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Res<()> {
        self.field(key, value)
    }
    fn end(self) -> Res<()> {
        Ok(())
    }
}

impl ser::SerializeMap for Fields<'_> {
    type Ok = ();
    type Error = FlatError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Res<()> {
        self.key = Some(key.serialize(Key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Res<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| FlatError("a map value without its key".into()))?;
        self.field(&key, value)
    }
    fn end(self) -> Res<()> {
        Ok(())
    }
}

/// A tuple variant `V(a, b)` is the object `{V: [a, b]}`: one array field `V`.
struct VariantSeq<'a> {
    out: &'a mut Vec<(String, String)>,
    prefix: String,
    variant: &'static str,
    elements: Elements,
}

impl ser::SerializeTupleVariant for VariantSeq<'_> {
    type Ok = ();
    type Error = FlatError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Res<()> {
        self.elements.push(value)
    }
    fn end(self) -> Res<()> {
        self.elements.write(Field {
            out: self.out,
            prefix: &self.prefix,
            key: self.variant,
        })
    }
}

macro_rules! scalar_methods {
    ($wrap:expr) => {
        fn serialize_bool(self, v: bool) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_i8(self, v: i8) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_i16(self, v: i16) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_i32(self, v: i32) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_i64(self, v: i64) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_u8(self, v: u8) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_u16(self, v: u16) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_u32(self, v: u32) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_u64(self, v: u64) -> Res<Self::Ok> {
            $wrap(self, v.to_string())
        }
        fn serialize_f32(self, v: f32) -> Res<Self::Ok> {
            $wrap(self, fmt_num(f64::from(v)))
        }
        fn serialize_f64(self, v: f64) -> Res<Self::Ok> {
            $wrap(self, fmt_num(v))
        }
        fn serialize_char(self, v: char) -> Res<Self::Ok> {
            $wrap(self, csv_quote(&v.to_string()))
        }
        fn serialize_str(self, v: &str) -> Res<Self::Ok> {
            $wrap(self, csv_quote(v))
        }
        fn serialize_bytes(self, v: &[u8]) -> Res<Self::Ok> {
            // serde_json writes bytes as an array of numbers.
            let cells: Vec<String> = v.iter().map(u8::to_string).collect();
            $wrap(self, cells.join(";"))
        }
        fn serialize_none(self) -> Res<Self::Ok> {
            $wrap(self, String::new())
        }
        fn serialize_unit(self) -> Res<Self::Ok> {
            $wrap(self, String::new())
        }
        fn serialize_unit_struct(self, _: &'static str) -> Res<Self::Ok> {
            $wrap(self, String::new())
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Res<Self::Ok> {
            $wrap(self, csv_quote(v))
        }
    };
}

impl<'a, 'b> ser::Serializer for Field<'a, 'b> {
    type Ok = ();
    type Error = FlatError;
    type SerializeSeq = Seq<'a, 'b>;
    type SerializeTuple = Seq<'a, 'b>;
    type SerializeTupleStruct = Seq<'a, 'b>;
    type SerializeTupleVariant = VariantSeq<'a>;
    type SerializeMap = Fields<'a>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Fields<'a>;

    scalar_methods!(Field::cell);

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Res<()> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Res<()> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Res<()> {
        let prefix = join(self.prefix, self.key);
        value.serialize(Field {
            out: self.out,
            prefix: &prefix,
            key: variant,
        })
    }
    fn serialize_seq(self, len: Option<usize>) -> Res<Seq<'a, 'b>> {
        let mut elements = Elements::default();
        elements.cells.reserve(len.unwrap_or(0));
        Ok(Seq {
            field: self,
            elements,
        })
    }
    fn serialize_tuple(self, len: usize) -> Res<Seq<'a, 'b>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Res<Seq<'a, 'b>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Res<VariantSeq<'a>> {
        Ok(VariantSeq {
            out: self.out,
            prefix: join(self.prefix, self.key),
            variant,
            elements: Elements::default(),
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Res<Fields<'a>> {
        Ok(Fields {
            prefix: join(self.prefix, self.key),
            out: self.out,
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Res<Fields<'a>> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Res<Fields<'a>> {
        Ok(Fields {
            prefix: join(&join(self.prefix, self.key), variant),
            out: self.out,
            key: None,
        })
    }
}

/// Serializes a whole row, or refuses what is not an object.
macro_rules! refuse {
    ($($m:ident($($t:ty),*)),*) => {$(
        fn $m(self, $(_: $t),*) -> Res<Self::Ok> {
            not_an_object()
        }
    )*};
}

impl<'a> ser::Serializer for Row<'a> {
    type Ok = ();
    type Error = FlatError;
    type SerializeSeq = Impossible<(), FlatError>;
    type SerializeTuple = Impossible<(), FlatError>;
    type SerializeTupleStruct = Impossible<(), FlatError>;
    type SerializeTupleVariant = VariantSeq<'a>;
    type SerializeMap = Fields<'a>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Fields<'a>;

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str)
    );

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Res<()> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Res<()> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Res<()> {
        value.serialize(Field {
            out: self.out,
            prefix: "",
            key: variant,
        })
    }
    fn serialize_seq(self, _: Option<usize>) -> Res<Self::SerializeSeq> {
        not_an_object()
    }
    fn serialize_tuple(self, _: usize) -> Res<Self::SerializeTuple> {
        not_an_object()
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Res<Self::SerializeTupleStruct> {
        not_an_object()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Res<VariantSeq<'a>> {
        Ok(VariantSeq {
            out: self.out,
            prefix: String::new(),
            variant,
            elements: Elements::default(),
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Res<Fields<'a>> {
        Ok(Fields {
            out: self.out,
            prefix: String::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Res<Fields<'a>> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Res<Fields<'a>> {
        Ok(Fields {
            out: self.out,
            prefix: variant.to_string(),
            key: None,
        })
    }
}

/// An element of an array: `Some(cell)` for a scalar, `None` for an object or an array (whose
/// contents are skipped: the array becomes a count).
struct Scalar;

fn some(_: Scalar, cell: String) -> Res<Option<String>> {
    Ok(Some(cell))
}

impl ser::Serializer for Scalar {
    type Ok = Option<String>;
    type Error = FlatError;
    type SerializeSeq = Skip;
    type SerializeTuple = Skip;
    type SerializeTupleStruct = Skip;
    type SerializeTupleVariant = Skip;
    type SerializeMap = Skip;
    type SerializeStruct = Skip;
    type SerializeStructVariant = Skip;

    scalar_methods!(some);

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Res<Option<String>> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Res<Option<String>> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Res<Option<String>> {
        Ok(None)
    }
    fn serialize_seq(self, _: Option<usize>) -> Res<Skip> {
        Ok(Skip)
    }
    fn serialize_tuple(self, _: usize) -> Res<Skip> {
        Ok(Skip)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Res<Skip> {
        Ok(Skip)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Res<Skip> {
        Ok(Skip)
    }
    fn serialize_map(self, _: Option<usize>) -> Res<Skip> {
        Ok(Skip)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Res<Skip> {
        Ok(Skip)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Res<Skip> {
        Ok(Skip)
    }
}

/// The contents of a compound array element, not looked at.
struct Skip;

macro_rules! skip {
    ($($tr:ident :: $m:ident($($k:ty)?)),*) => {$(
        impl ser::$tr for Skip {
            type Ok = Option<String>;
            type Error = FlatError;
            fn $m<T: Serialize + ?Sized>(&mut self, $(_: $k,)? _: &T) -> Res<()> {
                Ok(())
            }
            fn end(self) -> Res<Option<String>> {
                Ok(None)
            }
        }
    )*};
}
skip!(
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
    SerializeStruct::serialize_field(&'static str),
    SerializeStructVariant::serialize_field(&'static str)
);

impl ser::SerializeMap for Skip {
    type Ok = Option<String>;
    type Error = FlatError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, _: &T) -> Res<()> {
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, _: &T) -> Res<()> {
        Ok(())
    }
    fn end(self) -> Res<Option<String>> {
        Ok(None)
    }
}

/// A map key as serde_json writes it: a string as is, a number or a boolean as text.
struct Key;

fn key_text(_: Key, text: String) -> Res<String> {
    Ok(text)
}

fn bad_key<T>() -> Res<T> {
    Err(FlatError(
        "a CSV column name (map key) must be a string".into(),
    ))
}

impl ser::Serializer for Key {
    type Ok = String;
    type Error = FlatError;
    type SerializeSeq = Impossible<String, FlatError>;
    type SerializeTuple = Impossible<String, FlatError>;
    type SerializeTupleStruct = Impossible<String, FlatError>;
    type SerializeTupleVariant = Impossible<String, FlatError>;
    type SerializeMap = Impossible<String, FlatError>;
    type SerializeStruct = Impossible<String, FlatError>;
    type SerializeStructVariant = Impossible<String, FlatError>;

    fn serialize_bool(self, v: bool) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _: f32) -> Res<String> {
        bad_key()
    }
    fn serialize_f64(self, _: f64) -> Res<String> {
        bad_key()
    }
    fn serialize_char(self, v: char) -> Res<String> {
        key_text(self, v.to_string())
    }
    fn serialize_str(self, v: &str) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Res<String> {
        bad_key()
    }
    fn serialize_none(self) -> Res<String> {
        bad_key()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Res<String> {
        bad_key()
    }
    fn serialize_unit(self) -> Res<String> {
        bad_key()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Res<String> {
        bad_key()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Res<String> {
        Ok(v.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Res<String> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Res<String> {
        bad_key()
    }
    fn serialize_seq(self, _: Option<usize>) -> Res<Self::SerializeSeq> {
        bad_key()
    }
    fn serialize_tuple(self, _: usize) -> Res<Self::SerializeTuple> {
        bad_key()
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Res<Self::SerializeTupleStruct> {
        bad_key()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Res<Self::SerializeTupleVariant> {
        bad_key()
    }
    fn serialize_map(self, _: Option<usize>) -> Res<Self::SerializeMap> {
        bad_key()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Res<Self::SerializeStruct> {
        bad_key()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Res<Self::SerializeStructVariant> {
        bad_key()
    }
}
