//! The workspace's own records as SQL tables: the import log (`imports`), the settings
//! (`recon_settings`, `courier_rates`), manual decisions (`manual_actions`, and `manual_links` with one
//! row per payout, order or bank line a decision names), reconciliation runs (`runs`),
//! closed periods (`periods`) and every change of an anomaly's state (`anomaly_log`).

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Decimal128Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::catalog::MemTable;
use datafusion::error::Result;
use datafusion::prelude::SessionContext;

use crate::settings::Settings;
use crate::workspace::{AnomalyChange, Catalog, ImportRecord, ManualAction, Period};

pub fn register(ctx: &SessionContext, catalog: &Catalog, settings: &Settings) -> Result<()> {
    for (name, table) in [
        ("imports", imports(catalog)?),
        ("recon_settings", settings_table(settings)?),
        ("courier_rates", courier_rates(settings)?),
        ("platform_aliases", platform_aliases(settings)?),
        ("calendar_days", calendar_days(settings)?),
        ("manual_actions", actions(catalog)?),
        ("manual_links", links(catalog)?),
        ("runs", runs(catalog)?),
        ("periods", periods(catalog)?),
        ("anomaly_log", anomaly_log(catalog)?),
    ] {
        ctx.deregister_table(name)?;
        ctx.register_table(name, Arc::new(table))?;
    }
    Ok(())
}

fn ts() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

/// An RFC 3339 time as the wall-clock microseconds the workspace shows.
fn micros(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.naive_local().and_utc().timestamp_micros())
}

fn table(fields: Vec<Field>, columns: Vec<ArrayRef>) -> Result<MemTable> {
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    MemTable::try_new(schema, vec![vec![batch]])
}

fn imports(catalog: &Catalog) -> Result<MemTable> {
    let imports = &catalog.imports;
    let int = |f: &dyn Fn(&ImportRecord) -> u64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(imports.iter().map(|r| f(r) as i64)))
    };
    let text = |f: &dyn Fn(&ImportRecord) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(imports.iter().map(f)))
    };
    table(
        vec![
            Field::new("id", DataType::Int64, false),
            Field::new("time", ts(), false),
            Field::new("user", DataType::Utf8, false),
            Field::new("source_file", DataType::Utf8, false),
            Field::new("sha256", DataType::Utf8, false),
            Field::new("format", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("rows_stored", DataType::Int64, false),
            Field::new("duplicates_skipped", DataType::Int64, false),
            Field::new("rows_rejected", DataType::Int64, false),
            Field::new("rows_ignored", DataType::Int64, false),
            Field::new("lines_skipped", DataType::Int64, false),
            Field::new("undone_at", ts(), true),
            Field::new("undone_by", DataType::Utf8, true),
        ],
        vec![
            int(&|r| r.id),
            Arc::new(TimestampMicrosecondArray::from_iter(imports.iter().map(|r| micros(&r.time)))),
            text(&|r| &r.user),
            text(&|r| &r.source_file),
            text(&|r| &r.sha256),
            text(&|r| &r.format),
            text(&|r| &r.kind),
            int(&|r| r.rows_stored),
            int(&|r| r.duplicates_skipped),
            int(&|r| r.rows_rejected),
            int(&|r| r.rows_ignored),
            int(&|r| r.lines_skipped),
            Arc::new(TimestampMicrosecondArray::from_iter(
                imports.iter().map(|r| r.undone.as_ref().and_then(|u| micros(&u.time))),
            )),
            Arc::new(StringArray::from_iter(imports.iter().map(|r| r.undone.as_ref().map(|u| u.user.as_str())))),
        ],
    )
}

fn settings_table(settings: &Settings) -> Result<MemTable> {
    let rows = settings.rows();
    table(
        vec![Field::new("name", DataType::Utf8, false), Field::new("value", DataType::Utf8, false)],
        vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0.as_str()))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1.as_str()))),
        ],
    )
}

/// The contracted courier rates, as money: a rate that is not an amount was refused when
/// the settings were loaded, so here it can only be absent.
fn courier_rates(settings: &Settings) -> Result<MemTable> {
    let rates = settings.couriers.table();
    let money = |f: &dyn Fn(&crate::settings::CourierRate) -> &str| -> ArrayRef {
        let cents = rates.iter().map(|(_, r)| crate::values::parse_money(f(r)).ok());
        Arc::new(Decimal128Array::from_iter(cents).with_precision_and_scale(18, 2).expect("money type"))
    };
    table(
        vec![
            Field::new("courier", DataType::Utf8, false),
            Field::new("first_kg", DataType::Decimal128(18, 2), true),
            Field::new("extra_kg", DataType::Decimal128(18, 2), true),
        ],
        vec![
            Arc::new(StringArray::from_iter_values(rates.iter().map(|(c, _)| c.as_str()))),
            money(&|r| &r.first_kg),
            money(&|r| &r.extra_kg),
        ],
    )
}

/// Channel names and the platform each stands for (crate::platforms).
fn platform_aliases(settings: &Settings) -> Result<MemTable> {
    let rows = crate::platforms::Aliases::new(&settings.platforms.aliases).table();
    table(
        vec![
            Field::new("alias", DataType::Utf8, false),
            Field::new("platform", DataType::Utf8, false),
            Field::new("source", DataType::Utf8, false),
        ],
        vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0.as_str()))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1.as_str()))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2))),
        ],
    )
}

/// The days that differ from Monday to Friday: holidays and make-up working days.
fn calendar_days(settings: &Settings) -> Result<MemTable> {
    let calendar = settings.calendar().map_err(datafusion::error::DataFusionError::Plan)?;
    let days = calendar.days();
    table(
        vec![
            Field::new("day", DataType::Date32, false),
            Field::new("working", DataType::Boolean, false),
            Field::new("reason", DataType::Utf8, false),
        ],
        vec![
            Arc::new(datafusion::arrow::array::Date32Array::from_iter_values(
                days.iter().map(|d| (d.day - chrono::NaiveDate::default()).num_days() as i32),
            )),
            Arc::new(datafusion::arrow::array::BooleanArray::from_iter(days.iter().map(|d| Some(d.working)))),
            Arc::new(StringArray::from_iter_values(days.iter().map(|d| d.why.as_str()))),
        ],
    )
}

fn actions(catalog: &Catalog) -> Result<MemTable> {
    let a = &catalog.actions;
    let text =
        |f: &dyn Fn(&ManualAction) -> String| -> ArrayRef { Arc::new(StringArray::from_iter_values(a.iter().map(f))) };
    table(
        vec![
            Field::new("action_id", DataType::Int64, false),
            Field::new("action", DataType::Utf8, false),
            Field::new("payouts", DataType::Utf8, false),
            Field::new("orders", DataType::Utf8, false),
            Field::new("bank_lines", DataType::Utf8, false),
            Field::new("amount", DataType::Decimal128(18, 2), true),
            Field::new("reason", DataType::Utf8, false),
            Field::new("user", DataType::Utf8, false),
            Field::new("time", ts(), false),
            Field::new("revoked_at", ts(), true),
            Field::new("revoked_by", DataType::Utf8, true),
        ],
        vec![
            Arc::new(Int64Array::from_iter_values(a.iter().map(|x| x.id as i64))),
            text(&|x| x.action.clone()),
            text(&|x| x.payouts.join(", ")),
            text(&|x| x.orders.join(", ")),
            text(&|x| x.bank_lines.join(", ")),
            Arc::new(
                datafusion::arrow::array::Decimal128Array::from_iter(
                    a.iter().map(|x| x.amount.as_deref().and_then(|s| crate::values::parse_money(s).ok())),
                )
                .with_precision_and_scale(18, 2)?,
            ),
            text(&|x| x.reason.clone()),
            text(&|x| x.user.clone()),
            Arc::new(TimestampMicrosecondArray::from_iter(a.iter().map(|x| micros(&x.time)))),
            Arc::new(TimestampMicrosecondArray::from_iter(
                a.iter().map(|x| x.revoked.as_ref().and_then(|r| micros(&r.time))),
            )),
            Arc::new(StringArray::from_iter(a.iter().map(|x| x.revoked.as_ref().map(|r| r.user.as_str())))),
        ],
    )
}

/// One row per thing a standing decision names: what the views join on.
fn links(catalog: &Catalog) -> Result<MemTable> {
    let mut rows: Vec<(i64, &str, &str, &str)> = Vec::new();
    for a in catalog.actions.iter().filter(|a| a.revoked.is_none()) {
        for (side, refs) in [("payout", &a.payouts), ("order", &a.orders), ("bank", &a.bank_lines)] {
            for r in refs.iter() {
                rows.push((a.id as i64, a.action.as_str(), side, r.as_str()));
            }
        }
    }
    table(
        vec![
            Field::new("action_id", DataType::Int64, false),
            Field::new("action", DataType::Utf8, false),
            Field::new("side", DataType::Utf8, false),
            Field::new("ref", DataType::Utf8, false),
        ],
        vec![
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.3))),
        ],
    )
}

fn runs(catalog: &Catalog) -> Result<MemTable> {
    let r = &catalog.runs;
    table(
        vec![
            Field::new("run_id", DataType::Int64, false),
            Field::new("time", ts(), false),
            Field::new("user", DataType::Utf8, false),
            Field::new("period_from", DataType::Utf8, true),
            Field::new("period_to", DataType::Utf8, true),
            Field::new("params", DataType::Utf8, false),
            Field::new("imports", DataType::Utf8, false),
        ],
        vec![
            Arc::new(Int64Array::from_iter_values(r.iter().map(|x| x.id as i64))),
            Arc::new(TimestampMicrosecondArray::from_iter(r.iter().map(|x| micros(&x.time)))),
            Arc::new(StringArray::from_iter_values(r.iter().map(|x| x.user.as_str()))),
            Arc::new(StringArray::from_iter(r.iter().map(|x| x.from.as_deref()))),
            Arc::new(StringArray::from_iter(r.iter().map(|x| x.to.as_deref()))),
            Arc::new(StringArray::from_iter_values(r.iter().map(|x| x.params.join(", ")))),
            Arc::new(StringArray::from_iter_values(r.iter().map(|x| id_ranges(&x.imports)))),
        ],
    )
}

/// Import ids as runs of consecutive ids: `1-4, 6, 9-12`; `none` when empty.
pub fn id_ranges(ids: &[u64]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        parts.push(if i == j { sorted[i].to_string() } else { format!("{}-{}", sorted[i], sorted[j]) });
        i = j + 1;
    }
    if parts.is_empty() { "none".into() } else { parts.join(", ") }
}

/// Midnight of a `YYYY-MM-DD` day, in the microseconds the workspace shows.
fn day(s: &str) -> Option<i64> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_micros())
}

fn periods(catalog: &Catalog) -> Result<MemTable> {
    let p = &catalog.periods;
    let text = |f: &dyn Fn(&Period) -> Option<&str>| -> ArrayRef { Arc::new(StringArray::from_iter(p.iter().map(f))) };
    let time = |f: &dyn Fn(&Period) -> Option<i64>| -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from_iter(p.iter().map(f)))
    };
    table(
        vec![
            Field::new("period", DataType::Utf8, false),
            Field::new("period_start", ts(), true),
            Field::new("period_end", ts(), true),
            Field::new("state", DataType::Utf8, false),
            Field::new("run_id", DataType::Int64, false),
            Field::new("last_import", DataType::Int64, false),
            Field::new("closed_at", ts(), true),
            Field::new("closed_by", DataType::Utf8, false),
            Field::new("reopened_at", ts(), true),
            Field::new("reopened_by", DataType::Utf8, true),
            Field::new("reopen_reason", DataType::Utf8, true),
        ],
        vec![
            text(&|x| Some(x.period.as_str())),
            time(&|x| day(&x.from)),
            time(&|x| day(&x.until)),
            text(&|x| Some(if x.reopened_at.is_some() { "reopened" } else { "closed" })),
            Arc::new(Int64Array::from_iter_values(p.iter().map(|x| x.run_id as i64))),
            Arc::new(Int64Array::from_iter_values(p.iter().map(|x| x.last_import as i64))),
            time(&|x| micros(&x.closed_at)),
            text(&|x| Some(x.closed_by.as_str())),
            time(&|x| x.reopened_at.as_deref().and_then(micros)),
            text(&|x| x.reopened_by.as_deref()),
            text(&|x| x.reopen_reason.as_deref()),
        ],
    )
}

fn anomaly_log(catalog: &Catalog) -> Result<MemTable> {
    let a = &catalog.anomaly_log;
    let text =
        |f: &dyn Fn(&AnomalyChange) -> Option<&str>| -> ArrayRef { Arc::new(StringArray::from_iter(a.iter().map(f))) };
    table(
        vec![
            Field::new("seq", DataType::Int64, false),
            Field::new("anomaly_key", DataType::Utf8, false),
            Field::new("state", DataType::Utf8, false),
            Field::new("assignee", DataType::Utf8, true),
            Field::new("note", DataType::Utf8, false),
            Field::new("user", DataType::Utf8, false),
            Field::new("time", ts(), true),
        ],
        vec![
            Arc::new(Int64Array::from_iter_values(a.iter().map(|x| x.seq as i64))),
            text(&|x| Some(x.key.as_str())),
            text(&|x| Some(x.state.as_str())),
            text(&|x| x.assignee.as_deref()),
            text(&|x| Some(x.note.as_str())),
            text(&|x| Some(x.user.as_str())),
            Arc::new(TimestampMicrosecondArray::from_iter(a.iter().map(|x| micros(&x.time)))),
        ],
    )
}
