//! The scalar UDFs: one generic implementation, each function a name, signature, return
//! type, documentation and a row function.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BooleanBuilder, Float64Builder, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, TimeUnit};
use datafusion::common::plan_err;
use datafusion::error::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{Decimals, Texts, finish, rows};
use super::doc;
use super::text;

/// The scale money arguments are brought to.
pub const MONEY_SCALE: i8 = 4;

type Invoke = fn(&[ColumnarValue], usize) -> Result<ColumnarValue>;

#[derive(Debug)]
struct Udf {
    name: &'static str,
    signature: Signature,
    /// What the arguments are cast to before `invoke`.
    coerce: fn(&[DataType]) -> Result<Vec<DataType>>,
    returns: DataType,
    invoke: Invoke,
    doc: Documentation,
}

impl PartialEq for Udf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Udf {}

impl Hash for Udf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for Udf {
    fn name(&self) -> &str {
        self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.returns.clone())
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        (self.coerce)(arg_types)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        (self.invoke)(&args.args, args.number_rows)
    }
    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.doc)
    }
}

fn udf(
    name: &'static str,
    coerce: fn(&[DataType]) -> Result<Vec<DataType>>,
    returns: DataType,
    invoke: Invoke,
    doc: Documentation,
) -> ScalarUDF {
    ScalarUDF::new_from_impl(Udf {
        name,
        signature: Signature::user_defined(Volatility::Immutable),
        coerce,
        returns,
        invoke,
        doc,
    })
}

fn texts(n: usize) -> impl Fn(&[DataType]) -> Result<Vec<DataType>> {
    move |types: &[DataType]| {
        if types.len() != n {
            return plan_err!("takes {n} text arguments, got {}", types.len());
        }
        types
            .iter()
            .map(|t| match t {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(t.clone()),
                DataType::Null => Ok(DataType::Utf8),
                other => plan_err!("takes text, not {other}"),
            })
            .collect()
    }
}

fn one_text(t: &[DataType]) -> Result<Vec<DataType>> {
    texts(1)(t)
}

fn two_texts(t: &[DataType]) -> Result<Vec<DataType>> {
    texts(2)(t)
}

fn three_amounts(types: &[DataType]) -> Result<Vec<DataType>> {
    if types.len() != 3 {
        return plan_err!("amount_close takes (a, b, tolerance)");
    }
    types
        .iter()
        .map(|t| {
            if t.is_numeric() || t.is_null() {
                Ok(DataType::Decimal128(38, MONEY_SCALE))
            } else {
                plan_err!("amount_close takes amounts, not {t}")
            }
        })
        .collect()
}

/// (text, whole number): the number is cast to Int64.
fn text_and_int(types: &[DataType]) -> Result<Vec<DataType>> {
    match types {
        [t, n]
            if (matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null))
                && (n.is_integer() || n.is_null()) =>
        {
            Ok(vec![if t.is_null() { DataType::Utf8 } else { t.clone() }, DataType::Int64])
        }
        _ => plan_err!("takes (text, whole number)"),
    }
}

pub(super) fn two_times(types: &[DataType]) -> Result<Vec<DataType>> {
    if types.len() != 2 {
        return plan_err!("working_days takes (from, to)");
    }
    types
        .iter()
        .map(|t| match t {
            DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 | DataType::Utf8 | DataType::Null => {
                Ok(DataType::Timestamp(TimeUnit::Microsecond, None))
            }
            other => plan_err!("working_days takes dates or timestamps, not {other}"),
        })
        .collect()
}

/// Applies a text function row by row.
fn map_texts<B>(
    args: &[ColumnarValue],
    n: usize,
    mut builder: B,
    mut f: impl FnMut(&mut B, &[Option<&str>]),
) -> Result<ColumnarValue>
where
    B: datafusion::arrow::array::ArrayBuilder,
{
    let texts = args.iter().map(Texts::new).collect::<Result<Vec<_>>>()?;
    let rows = rows(args, n);
    let mut row = Vec::with_capacity(texts.len());
    for i in 0..rows {
        row.clear();
        row.extend(texts.iter().map(|t| t.get(i)));
        f(&mut builder, &row);
    }
    let array: ArrayRef = builder.finish();
    finish(args, array)
}

fn party_similarity(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    map_texts(args, n, Float64Builder::new(), |b, r| match (r[0], r[1]) {
        (Some(x), Some(y)) => b.append_value(text::party_similarity(x, y)),
        _ => b.append_null(),
    })
}

fn normalize_ref(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    map_texts(args, n, StringBuilder::new(), |b, r| match r[0].map(text::normalize_ref) {
        Some(k) if !k.is_empty() => b.append_value(k),
        _ => b.append_null(),
    })
}

fn ref_fragments(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let keys = Texts::new(&args[0])?;
    let mins = super::args::Ints::new(&args[1])?;
    let mut out = ListBuilder::new(StringBuilder::new());
    for i in 0..rows(args, n) {
        match (keys.get(i), mins.get(i)) {
            (Some(k), Some(m)) => {
                for f in text::ref_fragments(k, m.max(1) as usize) {
                    out.values().append_value(f);
                }
                out.append(true);
            }
            _ => out.append_null(),
        }
    }
    finish(args, Arc::new(out.finish()))
}

fn jaro_winkler(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    map_texts(args, n, Float64Builder::new(), |b, r| match (r[0], r[1]) {
        (Some(x), Some(y)) => b.append_value(text::jaro_winkler(x, y)),
        _ => b.append_null(),
    })
}

fn token_set_ratio(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    map_texts(args, n, Float64Builder::new(), |b, r| match (r[0], r[1]) {
        (Some(x), Some(y)) => b.append_value(text::token_set_ratio(x, y)),
        _ => b.append_null(),
    })
}

fn normalize_party(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    map_texts(args, n, StringBuilder::new(), |b, r| match r[0] {
        Some(x) => b.append_value(text::normalize_party(x)),
        None => b.append_null(),
    })
}

fn mask_with(args: &[ColumnarValue], n: usize, mask: fn(&str) -> String) -> Result<ColumnarValue> {
    map_texts(args, n, StringBuilder::new(), |b, r| match r[0] {
        Some(x) => b.append_value(mask(x)),
        None => b.append_null(),
    })
}

fn mask_name(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    mask_with(args, n, crate::auth::mask::name)
}

fn mask_phone(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    mask_with(args, n, crate::auth::mask::phone)
}

fn mask_address(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    mask_with(args, n, crate::auth::mask::address)
}

fn mask_company(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    mask_with(args, n, crate::auth::mask::company)
}

fn normalize_order_id(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    map_texts(args, n, StringBuilder::new(), |b, r| match r[0] {
        Some(x) => b.append_value(text::normalize_order_id(x)),
        None => b.append_null(),
    })
}

fn extract_refs(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    map_texts(args, n, ListBuilder::new(StringBuilder::new()), |b, r| match r[0] {
        Some(x) => {
            for id in text::extract_refs(x) {
                b.values().append_value(id);
            }
            b.append(true);
        }
        None => b.append_null(),
    })
}

fn amount_close(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let (a, b, tol) = (Decimals::new(&args[0])?, Decimals::new(&args[1])?, Decimals::new(&args[2])?);
    let mut out = BooleanBuilder::new();
    for i in 0..rows(args, n) {
        match (a.get(i), b.get(i), tol.get(i)) {
            (Some(a), Some(b), Some(t)) => out.append_value((a - b).abs() <= t.abs()),
            _ => out.append_null(),
        }
    }
    finish(args, Arc::new(out.finish()))
}

pub fn all() -> Vec<ScalarUDF> {
    vec![
        udf(
            "mask_name",
            one_text,
            DataType::Utf8,
            mask_name,
            doc(
                "A person's name masked as a viewer sees it: the first character, then one * per other character.",
                "mask_name(name)",
                "SELECT mask_name('张三')  -- 张*",
                &[("name", "a buyer's name")],
            ),
        ),
        udf(
            "mask_phone",
            one_text,
            DataType::Utf8,
            mask_phone,
            doc(
                "A phone number masked as a viewer sees it: the first three and last four digits of a mobile number.",
                "mask_phone(phone)",
                "SELECT mask_phone('13812341234')  -- 138****1234",
                &[("phone", "a buyer's phone")],
            ),
        ),
        udf(
            "mask_address",
            one_text,
            DataType::Utf8,
            mask_address,
            doc(
                "An address masked as a viewer sees it: province and city only.",
                "mask_address(address)",
                "SELECT mask_address('浙江省杭州市西湖区文三路90号')  -- 浙江省杭州市",
                &[("address", "a shipping address")],
            ),
        ),
        udf(
            "mask_company",
            one_text,
            DataType::Utf8,
            mask_company,
            doc(
                "A company customer's name as a viewer sees it: whole when plainly an organisation's (公司, 工作室, Ltd …), else masked as a person's name.",
                "mask_company(name)",
                "SELECT mask_company('深圳市腾跃科技有限公司'), mask_company('张三')  -- 深圳市腾跃科技有限公司, 张*",
                &[("name", "a customer's name")],
            ),
        ),
        udf(
            "jaro_winkler",
            two_texts,
            DataType::Float64,
            jaro_winkler,
            doc(
                "Jaro-Winkler similarity of two texts, from 0 (nothing alike) to 1 (the same); a shared start counts extra. NULL if either is NULL.",
                "jaro_winkler(a, b)",
                "SELECT jaro_winkler(normalize_party(counterparty_name), normalize_party('深圳市腾跃科技有限公司')) FROM bank_txns",
                &[("a", "text"), ("b", "text")],
            ),
        ),
        udf(
            "token_set_ratio",
            two_texts,
            DataType::Float64,
            token_set_ratio,
            doc(
                "fuzzywuzzy's token_set_ratio, 0 to 100: shared words count fully, word order and extra words little.",
                "token_set_ratio(a, b)",
                "SELECT token_set_ratio('Alipay China Network', 'network alipay china co')",
                &[("a", "text"), ("b", "text")],
            ),
        ),
        udf(
            "normalize_party",
            one_text,
            DataType::Utf8,
            normalize_party,
            doc(
                "A company name made comparable: half-width, lower case, no spaces or punctuation, no bracketed notes like （中国） or （对公户）, no 客户备付金, no legal form (有限公司, Co., Ltd.), no leading city or province.",
                "normalize_party(name)",
                "SELECT normalize_party('支付宝（中国）网络技术有限公司客户备付金')  -- 支付宝网络技术",
                &[("name", "a counterparty or buyer name")],
            ),
        ),
        udf(
            "extract_refs",
            one_text,
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            extract_refs,
            doc(
                "The references in a free-text memo, as written: runs of letters and digits, also across single - _ / . (HT-2026-0315, 112-3456789-1234567, #1001 → 1001), with at least 4 characters of which 3 digits. Compare them to ids with normalize_ref.",
                "extract_refs(memo)",
                "SELECT txn_id, unnest(extract_refs(memo)) AS ref FROM bank_txns",
                &[("memo", "text such as 摘要, 用途, 附言")],
            ),
        ),
        udf(
            "normalize_ref",
            one_text,
            DataType::Utf8,
            normalize_ref,
            doc(
                "A reference or id as recon compares them: half-width letters and digits only, upper case. NULL when nothing is left.",
                "normalize_ref(id)",
                "SELECT normalize_ref('HT-2026-0315')  -- HT20260315",
                &[("id", "an id or a reference found in a memo")],
            ),
        ),
        udf(
            "ref_fragments",
            text_and_int,
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            ref_fragments,
            doc(
                "The beginnings and ends of a normalised id, at least `min` characters long and shorter than the id: what a memo may quote of a serial it cuts.",
                "ref_fragments(key, min)",
                "SELECT ref_fragments('TX2026091618', 8)",
                &[("key", "a normalised id (normalize_ref)"), ("min", "the shortest fragment")],
            ),
        ),
        udf(
            "party_similarity",
            two_texts,
            DataType::Float64,
            party_similarity,
            doc(
                "How alike two normalised names are, 0 to 1: 1 when equal, 0.95 when one (of 4 characters or more) is inside the other, else jaro_winkler.",
                "party_similarity(a, b)",
                "SELECT party_similarity(normalize_party('厦门市东升办公用品有限公司'), normalize_party('东升办公用品'))  -- 1",
                &[("a", "a normalised name"), ("b", "a normalised name")],
            ),
        ),
        udf(
            "amount_close",
            three_amounts,
            DataType::Boolean,
            amount_close,
            doc(
                "True when two amounts differ by at most the tolerance (exact decimal arithmetic).",
                "amount_close(a, b, tolerance)",
                "SELECT amount_close(1000.00, 998.50, 5.00)  -- true",
                &[("a", "an amount"), ("b", "an amount"), ("tolerance", "the largest difference allowed")],
            ),
        ),
        udf(
            "normalize_order_id",
            one_text,
            DataType::Utf8,
            normalize_order_id,
            doc(
                "An order id as both order exports and settlement bills write it: trimmed, without Alipay's T200P prefix.",
                "normalize_order_id(id)",
                "SELECT normalize_order_id('T200P3726320055102261241')  -- 3726320055102261241",
                &[("id", "an order id from any file")],
            ),
        ),
    ]
}
