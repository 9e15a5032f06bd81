//! `working_days(from, to)` and `next_working_day(t)`: days by the workspace's calendar
//! (crate::calendar), so a matching window does not expire over 国庆 or 春节.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Int64Builder, TimestampMicrosecondBuilder};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::error::Result;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::args::{Micros, finish, rows};
use super::doc;
use crate::calendar::Calendar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    WorkingDays,
    NextWorkingDay,
}

#[derive(Debug)]
struct DayUdf {
    op: Op,
    calendar: Arc<Calendar>,
    signature: Signature,
    doc: Documentation,
}

impl PartialEq for DayUdf {
    fn eq(&self, other: &Self) -> bool {
        self.op == other.op && Arc::ptr_eq(&self.calendar, &other.calendar)
    }
}

impl Eq for DayUdf {}

impl Hash for DayUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.op.hash(state);
    }
}

fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

impl ScalarUDFImpl for DayUdf {
    fn name(&self) -> &str {
        match self.op {
            Op::WorkingDays => "working_days",
            Op::NextWorkingDay => "next_working_day",
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(match self.op {
            Op::WorkingDays => DataType::Int64,
            Op::NextWorkingDay => timestamp(),
        })
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match self.op {
            Op::WorkingDays => super::scalar::two_times(arg_types),
            Op::NextWorkingDay => match arg_types {
                [DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 | DataType::Null] => {
                    Ok(vec![timestamp()])
                }
                _ => datafusion::common::plan_err!("next_working_day takes a date or timestamp"),
            },
        }
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let args = &args.args;
        match self.op {
            Op::WorkingDays => {
                let (from, to) = (Micros::new(&args[0])?, Micros::new(&args[1])?);
                let mut out = Int64Builder::new();
                for i in 0..rows(args, 1) {
                    match (from.get(i), to.get(i)) {
                        (Some(a), Some(b)) => out.append_value(self.calendar.working_days(a, b)),
                        _ => out.append_null(),
                    }
                }
                finish(args, Arc::new(out.finish()))
            }
            Op::NextWorkingDay => {
                let t = Micros::new(&args[0])?;
                let mut out = TimestampMicrosecondBuilder::new();
                for i in 0..rows(args, 1) {
                    out.append_option(t.get(i).map(|t| self.calendar.next_working_day(t)));
                }
                finish(args, Arc::new(out.finish()))
            }
        }
    }
    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.doc)
    }
}

/// `working_days` and `next_working_day`, counting by `calendar`.
pub fn udfs(calendar: Arc<Calendar>) -> [ScalarUDF; 2] {
    let next = ScalarUDF::new_from_impl(DayUdf {
        op: Op::NextWorkingDay,
        calendar: calendar.clone(),
        signature: Signature::user_defined(Volatility::Immutable),
        doc: doc(
            "Midnight of the first working day on or after the day of `t`, by the workspace's calendar (see calendar_days): when a bank books money sent on a weekend or holiday.",
            "next_working_day(t)",
            "SELECT next_working_day(TIMESTAMP '2026-10-01 10:00:00')  -- 2026-10-08T00:00:00",
            &[("t", "a date or timestamp")],
        ),
    });
    let days = ScalarUDF::new_from_impl(DayUdf {
        op: Op::WorkingDays,
        calendar,
        signature: Signature::user_defined(Volatility::Immutable),
        doc: doc(
            "Working days from the day of `from` to the day of `to`, by the workspace's calendar (Monday to Friday, less public holidays, plus make-up working days; see calendar_days): Friday to Monday is 1; a day off counts from the working day after it; negative when `to` is earlier.",
            "working_days(from, to)",
            "SELECT working_days(TIMESTAMP '2026-09-30 10:00:00', TIMESTAMP '2026-10-08 09:00:00')  -- 1 (国庆)",
            &[("from", "a date or timestamp"), ("to", "a date or timestamp")],
        ),
    });
    [days, next]
}
