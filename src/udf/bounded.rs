//! DataFusion's functions that build text or lists of a length the query gives —
//! `repeat`, `lpad`, `rpad`, `array_repeat` — wrapped so that a length beyond the
//! workspace's `[limits] max_text_length` is an error before anything is allocated: the
//! memory pool never sees what a scalar function builds, and one `repeat('x', 1e10)`
//! would take the machine's memory.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{ScalarValue, exec_err};
use datafusion::error::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature};
use datafusion::prelude::SessionContext;

/// The functions wrapped, and which argument is the length (for `repeat`, a count).
const LENGTH_ARG: [(&str, usize); 4] = [("repeat", 1), ("lpad", 1), ("rpad", 1), ("array_repeat", 1)];

#[derive(Debug)]
struct Bounded {
    inner: Arc<ScalarUDF>,
    length_arg: usize,
    max: u64,
}

impl PartialEq for Bounded {
    fn eq(&self, other: &Self) -> bool {
        self.inner.name() == other.inner.name() && self.max == other.max
    }
}

impl Eq for Bounded {}

impl Hash for Bounded {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.name().hash(state);
        self.max.hash(state);
    }
}

/// The largest length asked for in `arg`, and the longest text it repeats (for `repeat`).
fn largest(arg: &ColumnarValue) -> Option<i64> {
    match arg {
        ColumnarValue::Scalar(s) => match s.cast_to(&DataType::Int64).ok()? {
            ScalarValue::Int64(v) => v,
            _ => None,
        },
        ColumnarValue::Array(a) => {
            let a = datafusion::arrow::compute::cast(a, &DataType::Int64).ok()?;
            datafusion::arrow::compute::max(a.as_primitive::<Int64Type>())
        }
    }
}

fn longest_text(arg: &ColumnarValue) -> i64 {
    let len = |s: &str| s.chars().count() as i64;
    match arg {
        ColumnarValue::Scalar(
            ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)),
        ) => len(s),
        ColumnarValue::Array(a) => match a.data_type() {
            DataType::Utf8 => a.as_string::<i32>().iter().flatten().map(len).max().unwrap_or(0),
            DataType::LargeUtf8 => a.as_string::<i64>().iter().flatten().map(len).max().unwrap_or(0),
            DataType::Utf8View => a.as_string_view().iter().flatten().map(len).max().unwrap_or(0),
            _ => 1,
        },
        _ => 1,
    }
}

impl ScalarUDFImpl for Bounded {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }
    fn signature(&self) -> &Signature {
        self.inner.signature()
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }
    fn return_field_from_args(
        &self,
        args: datafusion::logical_expr::ReturnFieldArgs,
    ) -> Result<datafusion::arrow::datatypes::FieldRef> {
        self.inner.return_field_from_args(args)
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }
    fn documentation(&self) -> Option<&datafusion::logical_expr::Documentation> {
        self.inner.documentation()
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if let Some(n) = args.args.get(self.length_arg).and_then(largest) {
            let unit = if self.inner.name() == "repeat" { longest_text(&args.args[0]).max(1) } else { 1 };
            if n.saturating_mul(unit) > self.max as i64 {
                return exec_err!(
                    "{} would build {} characters or items; the limit is {} (settings.toml [limits] max_text_length)",
                    self.inner.name(),
                    n.saturating_mul(unit),
                    self.max
                );
            }
        }
        self.inner.invoke_with_args(args)
    }
}

/// Replaces the session's `repeat`, `lpad`, `rpad` and `array_repeat` with bounded ones.
pub fn register(ctx: &SessionContext, max: u64) {
    let state = ctx.state();
    for (name, length_arg) in LENGTH_ARG {
        if let Some(inner) = state.scalar_functions().get(name).cloned() {
            ctx.register_udf(ScalarUDF::new_from_impl(Bounded { inner, length_arg, max }));
        }
    }
}
