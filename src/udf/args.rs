//! Reading UDF arguments whatever their Arrow form: a scalar or an array, and for text
//! Utf8, LargeUtf8 or Utf8View alike, without copying.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Array, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{ScalarValue, exec_err};
use datafusion::error::Result;
use datafusion::logical_expr::ColumnarValue;

/// A text argument, row by row.
pub enum Texts<'a> {
    Scalar(Option<&'a str>),
    Array(&'a ArrayRef),
}

impl<'a> Texts<'a> {
    pub fn new(v: &'a ColumnarValue) -> Result<Texts<'a>> {
        Ok(match v {
            ColumnarValue::Scalar(s) => Texts::Scalar(match s {
                ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v.as_deref(),
                ScalarValue::Null => None,
                other => return exec_err!("expected text, got {other:?}"),
            }),
            ColumnarValue::Array(a) => match a.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Texts::Array(a),
                other => return exec_err!("expected text, got {other}"),
            },
        })
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Texts::Scalar(s) => *s,
            Texts::Array(a) if a.is_null(i) => None,
            Texts::Array(a) => Some(match a.data_type() {
                DataType::Utf8 => a.as_string::<i32>().value(i),
                DataType::LargeUtf8 => a.as_string::<i64>().value(i),
                _ => a.as_string_view().value(i),
            }),
        }
    }
}

/// A decimal argument coerced to Decimal128(38, SCALE): raw values at that scale.
pub struct Decimals<'a> {
    scalar: Option<Option<i128>>,
    array: Option<&'a Decimal128Array>,
}

impl<'a> Decimals<'a> {
    pub fn new(v: &'a ColumnarValue) -> Result<Decimals<'a>> {
        Ok(match v {
            ColumnarValue::Scalar(ScalarValue::Decimal128(x, _, _)) => Decimals { scalar: Some(*x), array: None },
            ColumnarValue::Scalar(ScalarValue::Null) => Decimals { scalar: Some(None), array: None },
            ColumnarValue::Array(a) => match a.as_any().downcast_ref::<Decimal128Array>() {
                Some(d) => Decimals { scalar: None, array: Some(d) },
                None => return exec_err!("expected a decimal, got {}", a.data_type()),
            },
            ColumnarValue::Scalar(other) => return exec_err!("expected a decimal, got {other:?}"),
        })
    }

    pub fn get(&self, i: usize) -> Option<i128> {
        match (self.scalar, self.array) {
            (Some(s), _) => s,
            (None, Some(a)) if a.is_null(i) => None,
            (None, Some(a)) => Some(a.value(i)),
            (None, None) => None,
        }
    }
}

/// A timestamp argument coerced to Timestamp(µs): microseconds since the epoch.
pub struct Micros<'a> {
    scalar: Option<Option<i64>>,
    array: Option<&'a TimestampMicrosecondArray>,
}

impl<'a> Micros<'a> {
    pub fn new(v: &'a ColumnarValue) -> Result<Micros<'a>> {
        Ok(match v {
            ColumnarValue::Scalar(ScalarValue::TimestampMicrosecond(x, _)) => Micros { scalar: Some(*x), array: None },
            ColumnarValue::Scalar(ScalarValue::Null) => Micros { scalar: Some(None), array: None },
            ColumnarValue::Array(a) => match a.as_any().downcast_ref::<TimestampMicrosecondArray>() {
                Some(t) => Micros { scalar: None, array: Some(t) },
                None => return exec_err!("expected a timestamp, got {}", a.data_type()),
            },
            ColumnarValue::Scalar(other) => return exec_err!("expected a timestamp, got {other:?}"),
        })
    }

    pub fn get(&self, i: usize) -> Option<i64> {
        match (self.scalar, self.array) {
            (Some(s), _) => s,
            (None, Some(a)) if a.is_null(i) => None,
            (None, Some(a)) => Some(a.value(i)),
            (None, None) => None,
        }
    }
}

/// A whole-number argument coerced to Int64.
pub struct Ints<'a> {
    scalar: Option<Option<i64>>,
    array: Option<&'a datafusion::arrow::array::Int64Array>,
}

impl<'a> Ints<'a> {
    pub fn new(v: &'a ColumnarValue) -> Result<Ints<'a>> {
        Ok(match v {
            ColumnarValue::Scalar(ScalarValue::Int64(x)) => Ints { scalar: Some(*x), array: None },
            ColumnarValue::Scalar(ScalarValue::Null) => Ints { scalar: Some(None), array: None },
            ColumnarValue::Array(a) => match a.as_any().downcast_ref::<datafusion::arrow::array::Int64Array>() {
                Some(t) => Ints { scalar: None, array: Some(t) },
                None => return exec_err!("expected a whole number, got {}", a.data_type()),
            },
            ColumnarValue::Scalar(other) => return exec_err!("expected a whole number, got {other:?}"),
        })
    }

    pub fn get(&self, i: usize) -> Option<i64> {
        match (self.scalar, self.array) {
            (Some(s), _) => s,
            (None, Some(a)) if a.is_null(i) => None,
            (None, Some(a)) => Some(a.value(i)),
            (None, None) => None,
        }
    }
}

/// The number of rows a call covers: an array's length, else the batch's.
pub fn rows(args: &[ColumnarValue], number_rows: usize) -> usize {
    args.iter()
        .find_map(|a| match a {
            ColumnarValue::Array(a) => Some(a.len()),
            ColumnarValue::Scalar(_) => None,
        })
        .unwrap_or(number_rows)
}

/// Wraps a computed array: a scalar when every argument was one.
pub fn finish(args: &[ColumnarValue], array: ArrayRef) -> Result<ColumnarValue> {
    if args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_))) {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?))
    } else {
        Ok(ColumnarValue::Array(array))
    }
}
