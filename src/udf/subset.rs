//! `subset_sum(id, amount, target [, tolerance])`: an aggregate that finds the one set
//! of two or more rows whose amounts add up to the target, as several payouts arrive in
//! one bank credit (N:1). It returns those ids, or NULL when there is no such set, when
//! there are several (a person must decide), or when the search is too big to finish:
//! at most `MAX_ITEMS` candidates and `MAX_STEPS` steps, so it can never blow up.
//! With a tolerance, the sum may exceed the target by up to it (a bank fee deducted).

use std::hash::Hash;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Array, Int64Array, ListArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{ScalarValue, exec_err, plan_err};
use datafusion::error::Result;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, Signature, Volatility};

/// Candidates beyond this make the search give up (NULL): 2^24 subsets at worst.
pub const MAX_ITEMS: usize = 24;
/// Search steps before giving up.
pub const MAX_STEPS: u64 = 2_000_000;

#[derive(Debug, PartialEq, Eq, Hash)]
struct SubsetSum {
    signature: Signature,
}

pub fn udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(SubsetSum { signature: Signature::user_defined(Volatility::Immutable) })
}

fn money() -> DataType {
    DataType::Decimal128(38, 2)
}

fn ids_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

impl AggregateUDFImpl for SubsetSum {
    fn name(&self) -> &str {
        "subset_sum"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        if !(3..=4).contains(&types.len()) {
            return plan_err!("subset_sum takes (id, amount, target [, tolerance])");
        }
        let mut out = vec![DataType::Utf8];
        for t in &types[1..] {
            if !(t.is_numeric() || t.is_null()) {
                return plan_err!("subset_sum takes amounts, not {t}");
            }
            out.push(money());
        }
        Ok(out)
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(ids_type())
    }

    fn accumulator(&self, _: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Acc::default()))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let list = |name: &str, t: DataType| {
            Arc::new(Field::new(
                format!("{}[{name}]", args.name),
                DataType::List(Arc::new(Field::new("item", t, true))),
                true,
            ))
        };
        Ok(vec![
            list("ids", DataType::Utf8),
            list("amounts", DataType::Int64),
            Arc::new(Field::new(format!("{}[target]", args.name), DataType::Int64, true)),
            Arc::new(Field::new(format!("{}[tolerance]", args.name), DataType::Int64, true)),
        ])
    }

    fn documentation(&self) -> Option<&Documentation> {
        static DOC: std::sync::OnceLock<Documentation> = std::sync::OnceLock::new();
        Some(DOC.get_or_init(|| {
            super::doc(
                "The ids of the one set of two or more rows whose amounts add up to the target (within the tolerance above it), or NULL when there is none, more than one, or the search is too big (over 24 rows).",
                "subset_sum(id, amount, target [, tolerance])",
                "SELECT b.txn_id, subset_sum(p.payout_id, p.amount, b.amount) FROM bank_txns b JOIN payouts p ON … GROUP BY b.txn_id, b.amount",
                &[
                    ("id", "what to return for a row in the set"),
                    ("amount", "the row's amount"),
                    ("target", "the total to reach (the same in every row of a group)"),
                    ("tolerance", "how much the sum may exceed the target"),
                ],
            )
        }))
    }
}

#[derive(Debug, Default)]
struct Acc {
    ids: Vec<String>,
    amounts: Vec<i64>,
    target: Option<i64>,
    tolerance: i64,
    /// More candidates than the search allows: the answer is NULL.
    too_many: bool,
}

fn cents(v: i128) -> Result<i64> {
    i64::try_from(v).or_else(|_| exec_err!("amount out of range"))
}

impl Acc {
    fn push(&mut self, id: &str, amount: i64) {
        if self.ids.len() >= MAX_ITEMS {
            self.too_many = true;
            return;
        }
        self.ids.push(id.to_string());
        self.amounts.push(amount);
    }
}

impl Accumulator for Acc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let ids = values[0].as_string::<i32>();
        let amounts = values[1].as_any().downcast_ref::<Decimal128Array>().expect("coerced to decimal");
        let targets = values[2].as_any().downcast_ref::<Decimal128Array>().expect("coerced to decimal");
        let tols = values.get(3).map(|t| t.as_any().downcast_ref::<Decimal128Array>().expect("coerced to decimal"));
        for i in 0..ids.len() {
            if self.target.is_none() && targets.is_valid(i) {
                self.target = Some(cents(targets.value(i))?);
            }
            if let Some(t) = tols
                && t.is_valid(i)
            {
                self.tolerance = cents(t.value(i))?.abs();
            }
            if ids.is_valid(i) && amounts.is_valid(i) {
                self.push(ids.value(i), cents(amounts.value(i))?);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let found = match self.target {
            Some(target) if !self.too_many => solve(&self.amounts, target, self.tolerance),
            _ => None,
        };
        Ok(match found {
            Some(picked) => {
                let mut ids: Vec<&String> = picked.iter().map(|&i| &self.ids[i]).collect();
                ids.sort();
                let values: Vec<ScalarValue> = ids.into_iter().map(|s| ScalarValue::Utf8(Some(s.clone()))).collect();
                ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Utf8))
            }
            None => ScalarValue::new_null_list(DataType::Utf8, true, 1),
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.ids.iter().map(|s| s.capacity() + 24).sum::<usize>()
            + self.amounts.capacity() * 8
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let ids: Vec<ScalarValue> = self.ids.iter().map(|s| ScalarValue::Utf8(Some(s.clone()))).collect();
        let amounts: Vec<ScalarValue> = self.amounts.iter().map(|a| ScalarValue::Int64(Some(*a))).collect();
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&ids, &DataType::Utf8)),
            ScalarValue::List(ScalarValue::new_list_nullable(&amounts, &DataType::Int64)),
            // Too many candidates travels as an impossible tolerance.
            ScalarValue::Int64(self.target),
            ScalarValue::Int64(Some(if self.too_many { -1 } else { self.tolerance })),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let ids = states[0].as_any().downcast_ref::<ListArray>().expect("list state");
        let amounts = states[1].as_any().downcast_ref::<ListArray>().expect("list state");
        let targets = states[2].as_any().downcast_ref::<Int64Array>().expect("int state");
        let tols = states[3].as_any().downcast_ref::<Int64Array>().expect("int state");
        for row in 0..ids.len() {
            if self.target.is_none() && targets.is_valid(row) {
                self.target = Some(targets.value(row));
            }
            if tols.is_valid(row) {
                match tols.value(row) {
                    -1 => self.too_many = true,
                    t => self.tolerance = self.tolerance.max(t),
                }
            }
            if ids.is_null(row) {
                continue;
            }
            let id_values = ids.value(row);
            let id_values = id_values.as_any().downcast_ref::<StringArray>().expect("ids are text");
            let amount_values = amounts.value(row);
            let amount_values = amount_values.as_any().downcast_ref::<Int64Array>().expect("amounts are cents");
            for i in 0..id_values.len() {
                self.push(id_values.value(i), amount_values.value(i));
            }
        }
        Ok(())
    }
}

/// The indexes of the one subset (two or more items) whose sum is in
/// `target ..= target + tolerance`; None when there is none, several, or the search ran
/// out of steps.
pub fn solve(amounts: &[i64], target: i64, tolerance: i64) -> Option<Vec<usize>> {
    if amounts.len() > MAX_ITEMS || target <= 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..amounts.len()).filter(|&i| amounts[i] > 0).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(amounts[i]));
    // What the items from position k onwards can still add.
    let mut rest = vec![0i64; order.len() + 1];
    for k in (0..order.len()).rev() {
        rest[k] = rest[k + 1] + amounts[order[k]];
    }
    let mut search = Search {
        amounts,
        order: &order,
        rest: &rest,
        lo: target,
        hi: target + tolerance,
        steps: 0,
        found: Vec::new(),
        picked: Vec::new(),
    };
    search.go(0, 0);
    match (search.steps > MAX_STEPS, search.found.len()) {
        (false, 1) => search.found.pop(),
        _ => None,
    }
}

struct Search<'a> {
    amounts: &'a [i64],
    order: &'a [usize],
    rest: &'a [i64],
    lo: i64,
    hi: i64,
    steps: u64,
    found: Vec<Vec<usize>>,
    picked: Vec<usize>,
}

impl Search<'_> {
    /// Decides items `k..` in order: take it, or leave it. A set is recorded when the
    /// item that completes it is taken, so each set is counted once.
    fn go(&mut self, k: usize, sum: i64) {
        self.steps += 1;
        // Two answers already mean "ambiguous"; a runaway search means "too big".
        if self.found.len() > 1 || self.steps > MAX_STEPS {
            return;
        }
        if k == self.order.len() || sum + self.rest[k] < self.lo {
            return;
        }
        let item = self.order[k];
        let with = sum + self.amounts[item];
        if with <= self.hi {
            self.picked.push(item);
            if with >= self.lo && self.picked.len() >= 2 {
                self.found.push(self.picked.clone());
            }
            self.go(k + 1, with);
            self.picked.pop();
        }
        self.go(k + 1, sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_one_set() {
        assert_eq!(solve(&[500, 300, 200, 7000], 800, 0), Some(vec![0, 1]));
        assert_eq!(solve(&[10_000, 2_550, 1_299], 3_849, 0), Some(vec![1, 2]));
        // With a bank fee of up to 5.00 deducted from the credit.
        assert_eq!(solve(&[10_000, 2_550, 1_299], 3_700, 100), None);
        assert_eq!(solve(&[10_000, 2_550, 1_299], 3_800, 50), Some(vec![1, 2]));
    }

    #[test]
    fn no_guessing() {
        // Nothing adds up.
        assert_eq!(solve(&[500, 300], 900, 0), None);
        // Two different sets add up: a person decides.
        assert_eq!(solve(&[500, 300, 200, 600], 800, 0), None);
        // One item alone is a 1:1 match, not a set.
        assert_eq!(solve(&[800, 100], 800, 0), None);
        // Equal amounts make interchangeable sets.
        assert_eq!(solve(&[100, 100, 100], 200, 0), None);
    }

    #[test]
    fn bounded() {
        let many: Vec<i64> = (1..=MAX_ITEMS as i64 + 1).collect();
        assert_eq!(solve(&many, 10, 0), None, "too many candidates");
        // Dense candidates that all could add up: the step limit stops the search.
        let dense: Vec<i64> = (0..MAX_ITEMS as i64).map(|i| 1_000 + i).collect();
        let started = std::time::Instant::now();
        let _ = solve(&dense, 12_000 + 66, 0);
        assert!(started.elapsed().as_secs() < 5);
    }
}
