//! `fifo_match(left_id, left_time, right_id, right_time [, preference [, left_day]])`: an
//! aggregate that pairs candidates first in, first out, as an accountant pairs equal
//! amounts: each right row (a bank credit), earliest first, takes among its candidates
//! not taken yet the one with the lowest preference (the fee deducted: an exact amount
//! first), and of those the one of the earliest day (`left_day`, else its time). Given
//! the pairs the rules allow, it returns the ones chosen, each left and right used once.
//!
//! Candidates alike in preference and day are a tie. When exactly as many right rows
//! could each take any of the tied left rows, and nothing else as good, the rows are
//! interchangeable — any pairing books the same money — and they are paired in time
//! order. Otherwise no order can settle it: the right row takes none, and a person
//! decides.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, ListArray, StringBuilder, StructArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, TimeUnit};
use datafusion::common::{ScalarValue, plan_err};
use datafusion::error::Result;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, Signature, Volatility};

#[derive(Debug, PartialEq, Eq, Hash)]
struct FifoMatch {
    signature: Signature,
}

pub fn udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(FifoMatch { signature: Signature::user_defined(Volatility::Immutable) })
}

fn time_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

/// Preferences compare exactly, to a ten-thousandth: they are amounts of money.
fn preference_type() -> DataType {
    DataType::Decimal128(38, 4)
}

fn pair_fields() -> Fields {
    Fields::from(vec![Field::new("left_id", DataType::Utf8, false), Field::new("right_id", DataType::Utf8, false)])
}

fn pairs_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Struct(pair_fields()), true)))
}

impl AggregateUDFImpl for FifoMatch {
    fn name(&self) -> &str {
        "fifo_match"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        if !(4..=6).contains(&types.len()) {
            return plan_err!(
                "fifo_match takes (left_id, left_time, right_id, right_time [, preference [, left_day]])"
            );
        }
        if let Some(t) = types.get(4)
            && !(t.is_numeric() || t.is_null())
        {
            return plan_err!("fifo_match takes a number as the preference, not {t}");
        }
        for t in [Some(&types[1]), Some(&types[3]), types.get(5)].into_iter().flatten() {
            if !matches!(t, DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 | DataType::Null) {
                return plan_err!("fifo_match takes times as timestamps, not {t}");
            }
        }
        let mut out = vec![DataType::Utf8, time_type(), DataType::Utf8, time_type()];
        if types.len() >= 5 {
            out.push(preference_type());
        }
        if types.len() == 6 {
            out.push(time_type());
        }
        Ok(out)
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(pairs_type())
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
            list("left_ids", DataType::Utf8),
            list("left_times", time_type()),
            list("right_ids", DataType::Utf8),
            list("right_times", time_type()),
            list("preferences", preference_type()),
            list("left_days", time_type()),
        ])
    }

    fn documentation(&self) -> Option<&Documentation> {
        static DOC: std::sync::OnceLock<Documentation> = std::sync::OnceLock::new();
        Some(DOC.get_or_init(|| {
            super::doc(
                "Chooses among candidate pairs first in, first out: each right row, earliest first, takes of the left rows it may pair with that are still free the one with the lowest preference, then of the earliest day; two alike are a tie, which is paired in time order only when as many right rows could each take any of them (interchangeable), else left open. Returns the chosen pairs as a list of {left_id, right_id}.",
                "fifo_match(left_id, left_time, right_id, right_time [, preference [, left_day]])",
                "SELECT unnest(fifo_match(payout_id, payout_time, line_id, txn_time)) FROM l2_candidates GROUP BY payout_amount",
                &[
                    ("left_id", "the id of the earlier side (a payout)"),
                    ("left_time", "when it happened"),
                    ("right_id", "the id of the later side (a bank credit)"),
                    ("right_time", "when it happened"),
                    ("preference", "lower is chosen first (default 0), e.g. the bank fee a pair implies"),
                    ("left_day", "left rows of the same day are alike (default: the same left_time)"),
                ],
            )
        }))
    }
}

/// One candidate pair, times in microseconds.
#[derive(Debug, Clone)]
struct Candidate {
    left: String,
    left_time: i64,
    right: String,
    right_time: i64,
    preference: i128,
    /// Left rows of one day are alike.
    left_day: i64,
}

#[derive(Debug, Default)]
struct Acc {
    candidates: Vec<Candidate>,
}

fn times(a: &ArrayRef) -> &TimestampMicrosecondArray {
    a.as_any().downcast_ref::<TimestampMicrosecondArray>().expect("coerced to timestamps")
}

fn preferences(a: Option<&ArrayRef>) -> Option<&Decimal128Array> {
    a.map(|a| a.as_any().downcast_ref::<Decimal128Array>().expect("coerced to decimal"))
}

impl Acc {
    /// Appends the candidates of `columns`: left_id, left_time, right_id, right_time and
    /// perhaps preference.
    fn add(&mut self, columns: &[ArrayRef]) {
        let (l, lt, r, rt) =
            (columns[0].as_string::<i32>(), times(&columns[1]), columns[2].as_string::<i32>(), times(&columns[3]));
        let pref = preferences(columns.get(4));
        let day = columns.get(5).map(times);
        for i in 0..l.len() {
            if l.is_valid(i) && lt.is_valid(i) && r.is_valid(i) && rt.is_valid(i) {
                self.candidates.push(Candidate {
                    left: l.value(i).to_string(),
                    left_time: lt.value(i),
                    right: r.value(i).to_string(),
                    right_time: rt.value(i),
                    preference: pref.filter(|p| p.is_valid(i)).map_or(0, |p| p.value(i)),
                    left_day: day.filter(|d| d.is_valid(i)).map_or(lt.value(i), |d| d.value(i)),
                });
            }
        }
    }
}

/// The pairs chosen among `candidates`, as (left, right).
fn choose(candidates: &[Candidate]) -> Vec<(&str, &str)> {
    // (preference, day, time, id) of the lefts each right may take, rights earliest first.
    type Lefts<'a> = Vec<(i128, i64, i64, &'a str)>;
    let mut by_right: BTreeMap<(i64, &str), Lefts> = BTreeMap::new();
    for c in candidates {
        by_right.entry((c.right_time, &c.right)).or_default().push((c.preference, c.left_day, c.left_time, &c.left));
    }
    for lefts in by_right.values_mut() {
        lefts.sort();
        lefts.dedup();
    }
    let rights: Vec<(i64, &str)> = by_right.keys().copied().collect();
    let mut taken: HashSet<&str> = HashSet::new();
    let mut done: HashSet<&str> = HashSet::new();
    let mut chosen = Vec::new();
    // The best free lefts of a right: those alike with its first free one.
    let best = |right: &(i64, &str), taken: &HashSet<&str>| -> Vec<(i128, i64, i64, &str)> {
        let free: Vec<_> = by_right[right].iter().filter(|(_, _, _, l)| !taken.contains(l)).copied().collect();
        match free.first() {
            Some(&(p, d, _, _)) => free.into_iter().filter(|(fp, fd, _, _)| (*fp, *fd) == (p, d)).collect(),
            None => Vec::new(),
        }
    };
    for (i, right) in rights.iter().enumerate() {
        if done.contains(right.1) {
            continue;
        }
        let tied = best(right, &taken);
        match tied.as_slice() {
            [] => continue,
            [(_, _, _, left)] => {
                taken.insert(left);
                done.insert(right.1);
                chosen.push((*left, right.1));
            }
            _ => {
                // Interchangeable: the later rights whose best free lefts are exactly these,
                // as many as there are of them.
                let lefts: HashSet<&str> = tied.iter().map(|t| t.3).collect();
                let mut group = vec![*right];
                for other in &rights[i + 1..] {
                    if done.contains(other.1) {
                        continue;
                    }
                    let theirs = best(other, &taken);
                    let touches = by_right[other].iter().any(|t| lefts.contains(t.3));
                    let same = theirs.len() == lefts.len() && theirs.iter().all(|t| lefts.contains(t.3));
                    if same {
                        group.push(*other);
                    } else if touches {
                        // Someone else may want one of them: no order settles it.
                        group.clear();
                        break;
                    }
                }
                if group.len() != lefts.len() {
                    continue;
                }
                let mut in_time = tied.clone();
                in_time.sort_by_key(|t| (t.2, t.3));
                for (r, (_, _, _, left)) in group.iter().zip(in_time) {
                    taken.insert(left);
                    done.insert(r.1);
                    chosen.push((left, r.1));
                }
            }
        }
    }
    chosen
}

impl Accumulator for Acc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.add(values);
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let chosen = choose(&self.candidates);
        let (mut lefts, mut rights) = (StringBuilder::new(), StringBuilder::new());
        for (l, r) in &chosen {
            lefts.append_value(l);
            rights.append_value(r);
        }
        let columns: Vec<ArrayRef> = vec![Arc::new(lefts.finish()), Arc::new(rights.finish())];
        let pairs = StructArray::try_new(pair_fields(), columns, None)?;
        let list = ListArray::try_new(
            Arc::new(Field::new("item", DataType::Struct(pair_fields()), true)),
            datafusion::arrow::buffer::OffsetBuffer::from_lengths([chosen.len()]),
            Arc::new(pairs),
            None,
        )?;
        Ok(ScalarValue::List(Arc::new(list)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.candidates.capacity() * std::mem::size_of::<Candidate>()
            + self.candidates.iter().map(|c| c.left.capacity() + c.right.capacity()).sum::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let text = |f: &dyn Fn(&Candidate) -> &str| -> ScalarValue {
            let values: Vec<ScalarValue> =
                self.candidates.iter().map(|c| ScalarValue::Utf8(Some(f(c).to_string()))).collect();
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Utf8))
        };
        let time = |f: &dyn Fn(&Candidate) -> i64| -> ScalarValue {
            let values: Vec<ScalarValue> =
                self.candidates.iter().map(|c| ScalarValue::TimestampMicrosecond(Some(f(c)), None)).collect();
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &time_type()))
        };
        let prefs: Vec<ScalarValue> =
            self.candidates.iter().map(|c| ScalarValue::Decimal128(Some(c.preference), 38, 4)).collect();
        Ok(vec![
            text(&|c| &c.left),
            time(&|c| c.left_time),
            text(&|c| &c.right),
            time(&|c| c.right_time),
            ScalarValue::List(ScalarValue::new_list_nullable(&prefs, &preference_type())),
            time(&|c| c.left_day),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let lists: Vec<&ListArray> =
            states.iter().map(|s| s.as_any().downcast_ref::<ListArray>().expect("list state")).collect();
        for row in 0..lists[0].len() {
            if lists[0].is_null(row) {
                continue;
            }
            let columns: Vec<ArrayRef> = lists.iter().map(|l| l.value(row)).collect();
            self.add(&columns);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(left: &str, left_time: i64, right: &str, right_time: i64) -> Candidate {
        Candidate { left: left.into(), left_time, right: right.into(), right_time, preference: 0, left_day: left_time }
    }

    /// Two payouts of one day, each a candidate of two credits: any pairing books the same
    /// money, so they pair in time order; with one credit for two payouts, nothing does.
    #[test]
    fn interchangeable_ties_pair_in_time_order() {
        let day = |c: Candidate| Candidate { left_day: 100, ..c };
        let cands = [
            day(c("p2", 102, "b1", 200)),
            day(c("p1", 101, "b1", 200)),
            day(c("p1", 101, "b2", 300)),
            day(c("p2", 102, "b2", 300)),
        ];
        assert_eq!(choose(&cands), vec![("p1", "b1"), ("p2", "b2")]);
        let one = [day(c("p2", 102, "b1", 200)), day(c("p1", 101, "b1", 200))];
        assert!(choose(&one).is_empty());
        // A third credit that could take only p2 takes it; the other two then compete
        // for p1, and nothing settles which.
        let mut three = cands.to_vec();
        three.push(day(c("p2", 102, "b3", 400)));
        assert_eq!(choose(&three), vec![("p2", "b3")]);
    }

    #[test]
    fn an_exact_amount_before_an_earlier_payout_less_a_fee() {
        // b1 is p1 less a fee (preference 467) and exactly p2; b2 is exactly p1.
        let fee = Candidate { preference: 467, ..c("p1", 1, "b1", 4) };
        let cands = [fee, c("p2", 2, "b1", 4), c("p1", 1, "b2", 5)];
        assert_eq!(choose(&cands), vec![("p2", "b1"), ("p1", "b2")]);
    }

    #[test]
    fn earliest_payout_to_earliest_credit() {
        // Two payouts of 9.44 a day apart, two credits of 9.44: the first credit pays the
        // first payout even though the second payout is nearer to it.
        let cands = [c("p1", 1, "b1", 4), c("p1", 1, "b2", 7), c("p2", 2, "b1", 4), c("p2", 2, "b2", 7)];
        assert_eq!(choose(&cands), vec![("p1", "b1"), ("p2", "b2")]);
    }

    #[test]
    fn a_credit_outside_the_first_payouts_window_goes_to_the_next() {
        // b2 is too late for p1 (no candidate), so p1 takes b1 and p2 takes b2.
        let cands = [c("p1", 1, "b1", 3), c("p2", 2, "b1", 3), c("p2", 2, "b2", 9)];
        assert_eq!(choose(&cands), vec![("p1", "b1"), ("p2", "b2")]);
    }

    #[test]
    fn a_tie_in_time_is_left_to_a_person() {
        let cands = [c("p1", 5, "b1", 8), c("p2", 5, "b1", 8)];
        assert!(choose(&cands).is_empty());
        // A later credit still takes what is free.
        let cands = [c("p1", 5, "b1", 8), c("p2", 5, "b1", 8), c("p3", 6, "b2", 9)];
        assert_eq!(choose(&cands), vec![("p3", "b2")]);
    }

    #[test]
    fn each_side_once() {
        let cands = [c("p1", 1, "b1", 2), c("p1", 1, "b2", 3)];
        assert_eq!(choose(&cands), vec![("p1", "b1")]);
    }
}
