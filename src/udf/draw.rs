//! `draw(a, b, c)`: a pseudo-random number in [0, 1) fixed by its three integers, for
//! simulations in SQL (the cash forecast's range) that must give the same figures every
//! time they run — month-end figures are reproduced later, and `random()` would not.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Float64Builder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::plan_err;
use datafusion::error::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
struct Draw {
    signature: Signature,
}

/// splitmix64's finaliser: every bit of the input moves about half the output's bits, so
/// neighbouring seeds (simulation 1, 2, 3 …) give unrelated draws.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The draw of three integers, uniform on [0, 1).
pub fn uniform(a: i64, b: i64, c: i64) -> f64 {
    let golden = 0x9e37_79b9_7f4a_7c15u64;
    let h = mix(mix(mix(a as u64 ^ golden).wrapping_add(b as u64)).wrapping_add(c as u64));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

impl ScalarUDFImpl for Draw {
    fn name(&self) -> &str {
        "draw"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        if types.len() != 3 || !types.iter().all(|t| t.is_integer() || *t == DataType::Null) {
            return plan_err!("draw takes three integers, got {types:?}");
        }
        Ok(vec![DataType::Int64; 3])
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let arrays = args.args.iter().map(|a| a.clone().into_array(n)).collect::<Result<Vec<_>>>()?;
        let ints: Vec<_> = arrays.iter().map(|a| a.as_primitive::<Int64Type>()).collect();
        let mut out = Float64Builder::with_capacity(n);
        for i in 0..n {
            if ints.iter().any(|a| a.is_null(i)) {
                out.append_null();
            } else {
                out.append_value(uniform(ints[0].value(i), ints[1].value(i), ints[2].value(i)));
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
    fn documentation(&self) -> Option<&Documentation> {
        static DOC: std::sync::OnceLock<Documentation> = std::sync::OnceLock::new();
        Some(DOC.get_or_init(|| {
            super::doc(
                "A number in [0, 1) fixed by three integers (a simulation's number, an item, a purpose): pseudo-random, the same every time, for simulations whose figures must reproduce.",
                "draw(a, b, c)",
                "SELECT draw(1, 42, 0)  -- the same value on every run",
                &[("a, b, c", "integers; any change gives an unrelated draw")],
            )
        }))
    }
}

pub fn udf() -> ScalarUDF {
    ScalarUDF::new_from_impl(Draw { signature: Signature::user_defined(Volatility::Immutable) })
}

#[cfg(test)]
mod tests {
    use super::uniform;

    #[test]
    fn draws_are_uniform_and_reproducible() {
        let n = 100_000;
        let draws: Vec<f64> = (0..n).map(|i| uniform(i, 7, 3)).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        assert_eq!(uniform(5, 7, 3), uniform(5, 7, 3));
        // Ten equal bins hold about a tenth each, neighbours included.
        let mut bins = [0usize; 10];
        for d in &draws {
            bins[(d * 10.0) as usize] += 1;
        }
        assert!(bins.iter().all(|&b| (9_500..10_500).contains(&b)), "{bins:?}");
        let mean = draws.iter().sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
        // A change in any argument gives an unrelated draw.
        let pairs = (0..n).filter(|&i| (uniform(i, 1, 0) < 0.5) == (uniform(i, 2, 0) < 0.5)).count();
        assert!((pairs as f64 / n as f64 - 0.5).abs() < 0.01);
    }
}
