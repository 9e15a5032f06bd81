//! One raw row to one canonical row: cells cleaned and parsed, income/expense or
//! direction folded into a signed amount (money in is positive), date and clock
//! columns joined, the settlement kind read from the business type, and the natural
//! key that recognises the same row in a later import.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use xxhash_rust::xxh3::{Xxh3DefaultBuilder, xxh3_128};

use super::classify::{self, Direction};
use super::fields::Field;
use super::header::{ColumnMap, normalise_currency, normalise_platform};
use super::mapping::Defaults;
use super::row::RawRow;
use crate::schema::Kind;
use crate::values::{self, ValueError};

/// A parsed value, borrowing the row's text where it can.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<'a> {
    Null,
    Text(Cow<'a, str>),
    /// Cents.
    Money(i128),
    /// Microseconds since the epoch, wall-clock time.
    Time(i64),
    Int(i64),
}

impl<'a> Val<'a> {
    fn text(v: Option<Cow<'a, str>>) -> Self {
        v.map_or(Val::Null, Val::Text)
    }
    fn money(v: Option<i128>) -> Self {
        v.map_or(Val::Null, Val::Money)
    }
    fn time(v: Option<i64>) -> Self {
        v.map_or(Val::Null, Val::Time)
    }
    fn int(v: Option<i64>) -> Self {
        v.map_or(Val::Null, Val::Int)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// Bad data: a person should look at it.
    Rejected,
    /// Valid, but no money moved (a closed or failed transaction).
    Ignored,
    /// Stored, but a secondary value (a balance) could not be read and was left empty.
    Warning,
}

/// Why a row was not stored.
#[derive(Clone, Debug)]
pub struct Problem {
    pub category: Category,
    /// Index of the offending column, if one is to blame.
    pub column: Option<usize>,
    pub reason: String,
}

impl Problem {
    fn reject(column: Option<usize>, reason: impl Into<String>) -> Problem {
        Problem { category: Category::Rejected, column, reason: reason.into() }
    }
}

/// A further line one source row stands for (a fee its sale line carries as a column),
/// stored after the row's own with a key derived from the row's.
pub struct Extra<'a> {
    pub vals: Vec<Val<'a>>,
    pub key: u128,
}

/// Fields that hold ids, where a number in scientific notation means lost digits.
const ID_FIELDS: [Field; 8] = [
    Field::OrderId,
    Field::SubOrderId,
    Field::TxnId,
    Field::TradeId,
    Field::PayoutRef,
    Field::TrackingNo,
    Field::ReturnId,
    Field::Reference,
];

/// The settings of one import that every row is converted with.
pub struct Converter {
    pub kind: Kind,
    pub map: ColumnMap,
    pub headers: Vec<String>,
    pub defaults: Defaults,
    pub date_format: Option<String>,
    /// Channel names → platforms (settings and built-in).
    pub platforms: crate::platforms::Aliases,
    /// The file writes money out positive (a credit card's bill): amounts turned round.
    pub negate: bool,
    /// The file shows refunded purchases net of their refunds (formats::Format).
    pub nets_refunds: bool,
    /// The columns holding ids (order, transaction, tracking …), checked for ids Excel
    /// has turned into numbers and cut short.
    id_columns: Vec<usize>,
    /// Times read with a UTC offset and converted to local time, over every thread's
    /// converter of the import.
    shifted_times: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The last row converted had no direction of its own (不计收支): its way was read
    /// from its words. A file's stated totals leave such rows out.
    inferred: std::cell::Cell<bool>,
    /// Business type → settlement kind, for types that decide alone: a file has few
    /// distinct types and millions of rows.
    kinds: RefCell<HashMap<String, Option<&'static str>, Xxh3DefaultBuilder>>,
}

impl Clone for Converter {
    /// A converter for another thread, with a cache of its own.
    fn clone(&self) -> Self {
        Converter::new(
            self.kind,
            self.map.clone(),
            self.headers.clone(),
            self.defaults.clone(),
            self.date_format.clone(),
        )
        .with_platforms(self.platforms.clone())
        .with_negate(self.negate)
        .with_netted_refunds(self.nets_refunds)
        .sharing_counts_of(self)
    }
}

impl Converter {
    pub fn new(
        kind: Kind,
        map: ColumnMap,
        headers: Vec<String>,
        defaults: Defaults,
        date_format: Option<String>,
    ) -> Self {
        let id_columns = ID_FIELDS.iter().flat_map(|f| map.columns(*f).iter().copied()).collect();
        Converter {
            id_columns,
            shifted_times: Default::default(),
            kind,
            map,
            headers,
            defaults,
            date_format,
            platforms: crate::platforms::Aliases::default(),
            negate: false,
            nets_refunds: false,
            inferred: std::cell::Cell::new(false),
            kinds: RefCell::default(),
        }
    }

    /// Whether the last row converted had its direction read from its words.
    pub fn took_inferred_direction(&self) -> bool {
        self.inferred.get()
    }

    /// Amounts written money-out positive, to be turned round.
    pub fn with_negate(mut self, negate: bool) -> Self {
        self.negate = negate;
        self
    }

    /// Counting into the same totals as `other` (a converter for another thread).
    fn sharing_counts_of(mut self, other: &Converter) -> Self {
        self.shifted_times = other.shifted_times.clone();
        self
    }

    /// Times that carried a UTC offset and were converted to local time.
    pub fn shifted_times(&self) -> u64 {
        self.shifted_times.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Refunded purchases shown net of their refunds: a refund's own row is not stored.
    pub fn with_netted_refunds(mut self, nets: bool) -> Self {
        self.nets_refunds = nets;
        self
    }

    /// With the workspace's channel names (settings `[platforms]`).
    pub fn with_platforms(mut self, platforms: crate::platforms::Aliases) -> Self {
        self.platforms = platforms;
        self
    }

    /// [`classify::settlement_kind`], with the reading of each distinct text cached.
    fn settlement_kind(&self, type_text: Option<&str>, memo: Option<&str>) -> &'static str {
        let from_type = type_text.and_then(|t| self.kind_of(t));
        // Only a fee (or nothing) is refined by the memo: skip reading it otherwise.
        let from_memo = match from_type {
            None | Some("fee") => memo.and_then(|m| self.kind_of(m)),
            Some(_) => None,
        };
        classify::combine_kinds(from_type, from_memo)
    }

    fn kind_of(&self, text: &str) -> Option<&'static str> {
        if let Some(k) = self.kinds.borrow().get(text) {
            return *k;
        }
        let k = classify::kind_of(text);
        let mut cache = self.kinds.borrow_mut();
        // Memos can be unique per row; the cache is for the few repeating texts.
        if cache.len() < 4096 {
            cache.insert(text.to_string(), k);
        }
        k
    }

    /// Fills `out` with the table's own columns (without provenance) and returns the
    /// row's natural key; further lines the row stands for go to `extra`.
    /// Warnings about values left empty go to `notes`.
    pub fn convert<'r>(
        &'r self,
        row: &'r RawRow,
        out: &mut Vec<Val<'r>>,
        extra: &mut Vec<Extra<'r>>,
        notes: &mut Vec<Problem>,
    ) -> Result<u128, Problem> {
        out.clear();
        extra.clear();
        notes.clear();
        self.inferred.set(false);
        for &c in &self.id_columns {
            let v = row.get(c).trim();
            if values::lost_digits(v) {
                return Err(Problem::reject(
                    Some(c),
                    format!(
                        "'{v}' is an id Excel turned into a number and cut short: its digits are lost, and it \
                         could be any of many ids — export the column as text (or open the CSV without Excel)"
                    ),
                ));
            }
        }
        let mut cells = Cells { row, conv: self, notes };
        match self.kind {
            Kind::Orders => cells.orders(out),
            Kind::Settlements | Kind::Payments => cells.settlements(out, extra),
            Kind::Bank => cells.bank(out),
            Kind::Shipments => cells.shipments(out),
            Kind::Returns => cells.returns(out),
            Kind::CourierBills => cells.courier_bills(out),
            Kind::Inventory => cells.inventory(out),
        }
    }

    /// `column 7 (金额)`, for messages.
    pub fn column_label(&self, col: usize) -> String {
        match self.headers.get(col).map(|h| h.trim()) {
            Some(h) if !h.is_empty() => format!("column {} ({h})", col + 1),
            _ => format!("column {}", col + 1),
        }
    }
}

struct Cells<'r, 'n> {
    row: &'r RawRow,
    conv: &'r Converter,
    notes: &'n mut Vec<Problem>,
}

impl<'r> Cells<'r, '_> {
    /// A running balance is a check, not the transaction: one that cannot be read is
    /// left empty with a warning, and the row is kept.
    fn balance(&mut self) -> Option<i128> {
        let (c, v) = self.first(Field::Balance)?;
        match values::parse_money(v) {
            Ok(b) => Some(b),
            Err(e) => {
                self.notes.push(Problem {
                    category: Category::Warning,
                    column: Some(c),
                    reason: format!("balance {e}; stored without a balance"),
                });
                None
            }
        }
    }

    /// The first non-empty cell among the field's columns.
    fn first(&self, f: Field) -> Option<(usize, &'r str)> {
        self.conv.map.columns(f).iter().find_map(|&c| values::clean(self.row.get(c)).map(|v| (c, v)))
    }

    fn text(&self, f: Field) -> Option<Cow<'r, str>> {
        self.first(f).map(|(_, v)| Cow::Borrowed(v))
    }

    /// Ids, account numbers, phone numbers: full-width digits made half-width.
    fn id(&self, f: Field) -> Option<Cow<'r, str>> {
        self.first(f).map(|(_, v)| values::halfwidth(v))
    }

    /// Several columns joined (memo: 摘要 + 用途 + 附言), repeats dropped.
    fn joined(&self, f: Field) -> Option<Cow<'r, str>> {
        let cols = self.conv.map.columns(f);
        if cols.len() == 1 || !f.joins_columns() {
            return self.text(f);
        }
        let mut parts: Vec<&str> = Vec::new();
        for &c in cols {
            if let Some(v) = values::clean(self.row.get(c))
                && !parts.contains(&v)
            {
                parts.push(v);
            }
        }
        match parts.len() {
            0 => None,
            1 => Some(Cow::Borrowed(parts[0])),
            _ => Some(Cow::Owned(parts.join(" | "))),
        }
    }

    fn money(&self, f: Field) -> Result<Option<i128>, Problem> {
        match self.first(f) {
            None => Ok(None),
            Some((c, v)) => values::parse_money(v).map(Some).map_err(|e| self.bad(c, e)),
        }
    }

    fn quantity(&self, f: Field) -> Result<Option<i64>, Problem> {
        match self.first(f) {
            None => Ok(None),
            Some((c, v)) => values::parse_quantity(v).map(Some).map_err(|e| self.bad(c, e)),
        }
    }

    fn weight(&self, f: Field) -> Result<Option<i128>, Problem> {
        match self.first(f) {
            None => Ok(None),
            Some((c, v)) => values::parse_weight(v).map(Some).map_err(|e| self.bad(c, e)),
        }
    }

    fn required_id(&self, f: Field, empty: &str) -> Result<Cow<'r, str>, Problem> {
        self.id(f).ok_or_else(|| Problem::reject(self.conv.map.columns(f).first().copied(), empty))
    }

    fn parse_time(&self, col: usize, v: &str) -> Result<chrono::NaiveDateTime, Problem> {
        match &self.conv.date_format {
            Some(fmt) => values::parse_time_with(v, fmt),
            None => values::parse_time_zoned(v).map(|(t, shifted)| {
                if shifted {
                    self.conv.shifted_times.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                t
            }),
        }
        .map_err(|e| self.bad(col, e))
    }

    fn time(&self, f: Field) -> Result<Option<i64>, Problem> {
        match self.first(f) {
            None => Ok(None),
            Some((c, v)) => Ok(Some(values::to_micros(self.parse_time(c, v)?))),
        }
    }

    /// The transaction time: one date-time column, or a date column plus a clock
    /// column (banks), or a date alone (midnight).
    fn txn_time(&self) -> Result<i64, Problem> {
        let date = self.first(Field::TxnDate);
        let t = match (self.first(Field::TxnTime), date) {
            (Some((tc, tv)), date) => match (values::parse_clock(tv), date) {
                (Some(clock), Some((dc, dv))) => self.parse_time(dc, dv)?.date().and_time(clock),
                (Some(_), None) => {
                    return Err(Problem::reject(Some(tc), format!("'{tv}' is a time of day without a date")));
                }
                (None, _) => self.parse_time(tc, tv)?,
            },
            (None, Some((dc, dv))) => self.parse_time(dc, dv)?,
            (None, None) => {
                let col =
                    self.conv.map.columns(Field::TxnTime).first().or(self.conv.map.columns(Field::TxnDate).first());
                return Err(Problem::reject(col.copied(), "the date is empty"));
            }
        };
        Ok(values::to_micros(t))
    }

    fn bad(&self, col: usize, e: ValueError) -> Problem {
        Problem::reject(Some(col), e.to_string())
    }

    /// Money in positive, out negative, from whichever columns the file has, turned
    /// round for a file that writes money out positive.
    fn signed_amount(&self, words: &[Option<&str>]) -> Result<i128, Problem> {
        let a = self.amount_as_written(words)?;
        Ok(if self.conv.negate { -a } else { a })
    }

    fn amount_as_written(&self, words: &[Option<&str>]) -> Result<i128, Problem> {
        let income = self.money(Field::Income)?;
        let expense = self.money(Field::Expense)?;
        if income.is_some() || expense.is_some() {
            return Ok(income.unwrap_or(0) - expense.map_or(0, i128::abs));
        }
        let Some((ac, av)) = self.first(Field::Amount) else {
            let cols: Vec<usize> = [Field::Amount, Field::Income, Field::Expense]
                .iter()
                .flat_map(|f| self.conv.map.columns(*f).iter().copied())
                .collect();
            return Err(Problem::reject(cols.first().copied(), "the amount is empty"));
        };
        let mut amount = values::parse_money(av).map_err(|e| self.bad(ac, e))?;
        // A refund netted into the row's own amount (JD: `392.98(已退款203.98)`): the row
        // moved what is left; a file that does this lists no refund row for it.
        match values::netted_refund(av) {
            Some(values::NettedRefund::Full) => {
                return Err(Problem {
                    category: Category::Ignored,
                    column: Some(ac),
                    reason: format!("'{av}': refunded in full, so it moved no money"),
                });
            }
            Some(values::NettedRefund::Part(back)) => amount = amount.signum() * (amount.abs() - back).max(0),
            None => {}
        }
        if !self.conv.map.has(Field::Direction) {
            return Ok(amount);
        }
        // A file with a direction column and a row that leaves it empty (or `/`, as
        // WeChat does for 零钱提现) declines to say, like 不计收支.
        let (dc, dv) = self.first(Field::Direction).unwrap_or((self.conv.map.columns(Field::Direction)[0], "/"));
        let direction = classify::direction(dv).ok_or_else(|| {
            Problem::reject(Some(dc), format!("'{dv}' is not a direction (收入/支出, 借/贷, 入账/出账, in/out)"))
        })?;
        match direction {
            Direction::In => Ok(amount.abs()),
            Direction::Out => Ok(-amount.abs()),
            Direction::Neutral if self.conv.nets_refunds && classify::refund_came_back(words) => Err(Problem {
                category: Category::Ignored,
                column: Some(dc),
                reason: format!(
                    "'{dv}' refund: this bill shows the purchase it refunds net of it (已退款 …), so it is already counted"
                ),
            }),
            Direction::Neutral => match classify::infer_direction(words) {
                Some(Direction::In) => {
                    self.conv.inferred.set(true);
                    Ok(amount.abs())
                }
                Some(Direction::Out) => {
                    self.conv.inferred.set(true);
                    Ok(-amount.abs())
                }
                _ => Err(Problem {
                    category: Category::Ignored,
                    column: Some(dc),
                    reason: format!(
                        "'{dv}': the export counts it as neither income nor expense, and its type and memo do not say which way money moved"
                    ),
                }),
            },
        }
    }

    fn platform(&self) -> Option<Cow<'r, str>> {
        match self.first(Field::Platform) {
            Some((_, p)) => Some(self.conv.platforms.platform(p)),
            None => self.conv.defaults.platform.as_deref().map(Cow::Borrowed),
        }
    }

    /// The platform as the row's own column names it, for the natural key: the same
    /// file gives the same keys whatever the merchant's aliases say.
    fn platform_for_key(&self) -> Option<Cow<'r, str>> {
        match self.first(Field::Platform) {
            Some((_, p)) => Some(normalise_platform(p)),
            None => self.conv.defaults.platform.as_deref().map(Cow::Borrowed),
        }
    }

    fn shop(&self) -> Option<Cow<'r, str>> {
        self.text(Field::Shop).or_else(|| self.conv.defaults.shop.as_deref().map(Cow::Borrowed))
    }

    fn currency(&self) -> Cow<'r, str> {
        match self.first(Field::Currency) {
            Some((_, c)) => normalise_currency(c),
            None => Cow::Borrowed(self.conv.defaults.currency.as_deref().unwrap_or("CNY")),
        }
    }

    fn orders(&mut self, out: &mut Vec<Val<'r>>) -> Result<u128, Problem> {
        let order_id = self.id(Field::OrderId).ok_or_else(|| {
            Problem::reject(self.conv.map.columns(Field::OrderId).first().copied(), "the order id is empty")
        })?;
        let order_amount = self.money(Field::OrderAmount)?;
        let paid_amount = self.money(Field::PaidAmount)?;
        if order_amount.is_none() && paid_amount.is_none() {
            // Exports with one row per line item (Shopify) give the order's figures on its
            // first row only; a further item's row is part of that order, not an error.
            if [Field::Sku, Field::Items, Field::Quantity].iter().any(|f| self.first(*f).is_some()) {
                return Err(Problem {
                    category: Category::Ignored,
                    column: None,
                    reason: format!("a further line item of order {order_id}, whose first row carries its amounts"),
                });
            }
            return Err(Problem::reject(None, "both the order amount and the paid amount are empty"));
        }
        let key = key(&[b"orders", opt(&self.platform_for_key()), order_id.as_bytes()]);
        out.extend([
            Val::text(self.platform()),
            Val::text(self.text(Field::Platform)),
            Val::text(self.shop()),
            Val::Text(order_id),
            Val::time(self.time(Field::OrderTime)?),
            Val::time(self.time(Field::PayTime)?),
            Val::time(self.time(Field::ShipTime)?),
            Val::text(self.text(Field::Status)),
            Val::Text(self.currency()),
            Val::money(order_amount),
            Val::money(paid_amount),
            Val::text(self.text(Field::BuyerName)),
            Val::text(self.text(Field::BuyerNick)),
            Val::text(self.text(Field::BuyerCompany)),
            Val::text(self.id(Field::BuyerPhone).map(clean_phone)),
            Val::text(self.text(Field::ShipAddress)),
            Val::text(self.id(Field::TrackingNo)),
            Val::text(self.text(Field::Courier)),
            Val::text(self.id(Field::Sku)),
            Val::text(self.text(Field::Items)),
            Val::int(self.quantity(Field::Quantity)?),
        ]);
        Ok(key)
    }

    fn shipments(&mut self, out: &mut Vec<Val<'r>>) -> Result<u128, Problem> {
        let order_id = self.required_id(Field::OrderId, "the order id is empty")?;
        let platform = self.platform();
        let tracking = self.id(Field::TrackingNo);
        let ship_time = self.time(Field::ShipTime)?;
        let sku = self.id(Field::Sku);
        let quantity = self.quantity(Field::Quantity)?;
        let key = key(&[
            b"shipments",
            opt(&platform),
            order_id.as_bytes(),
            opt(&tracking),
            opt(&sku),
            &ship_time.unwrap_or(i64::MIN).to_le_bytes(),
            &quantity.unwrap_or(i64::MIN).to_le_bytes(),
        ]);
        out.extend([
            Val::text(platform),
            Val::text(self.shop()),
            Val::Text(order_id),
            Val::text(tracking),
            Val::text(self.text(Field::Courier)),
            Val::time(ship_time),
            Val::text(sku),
            Val::text(self.text(Field::Items)),
            Val::int(quantity),
            Val::money(self.weight(Field::Weight)?),
            Val::text(self.text(Field::Warehouse)),
        ]);
        Ok(key)
    }

    /// An after-sale case as the export shows it now: a later export of the same case in
    /// another state is another row, and the views read the latest.
    fn returns(&mut self, out: &mut Vec<Val<'r>>) -> Result<u128, Problem> {
        let return_id = self.required_id(Field::ReturnId, "the after-sale id is empty")?;
        let order_id = self.required_id(Field::OrderId, "the order id is empty")?;
        let platform = self.platform();
        let tracking = self.id(Field::TrackingNo);
        let sku = self.id(Field::Sku);
        let quantity = self.quantity(Field::Quantity)?;
        let state = self.text(Field::Status);
        let refund = self.money(Field::RefundAmount)?.map(i128::abs);
        let received = self.time(Field::ReceiveTime)?;
        let key = key(&[
            b"returns",
            opt(&platform),
            return_id.as_bytes(),
            opt(&sku),
            opt(&tracking),
            opt(&state),
            &quantity.unwrap_or(i64::MIN).to_le_bytes(),
            &money_bytes(refund),
            &received.unwrap_or(i64::MIN).to_le_bytes(),
        ]);
        out.extend([
            Val::text(platform),
            Val::text(self.shop()),
            Val::Text(return_id),
            Val::Text(order_id),
            Val::text(tracking),
            Val::text(self.text(Field::Courier)),
            Val::text(sku),
            Val::text(self.text(Field::Items)),
            Val::int(quantity),
            Val::text(state),
            Val::money(refund),
            Val::time(self.time(Field::ApplyTime)?),
            Val::time(received),
        ]);
        Ok(key)
    }

    fn courier_bills(&mut self, out: &mut Vec<Val<'r>>) -> Result<u128, Problem> {
        let tracking = self.required_id(Field::TrackingNo, "the tracking number is empty")?;
        let courier = self.text(Field::Courier);
        let direction = courier_direction(self.text(Field::Type).as_deref());
        let ship_time = self.time(Field::ShipTime)?;
        let fee = self.money(Field::Fee)?;
        let surcharge = self.money(Field::Surcharge)?;
        let amount = match self.money(Field::Amount)? {
            Some(a) => Some(a),
            None => fee.map(|f| f + surcharge.unwrap_or(0)),
        };
        let Some(fee) = fee.or(amount) else {
            let col = self.conv.map.columns(Field::Fee).first().or(self.conv.map.columns(Field::Amount).first());
            return Err(Problem::reject(col.copied(), "the charge is empty"));
        };
        let period = match self.first(Field::BillPeriod) {
            Some((c, v)) => Some(bill_period(v).ok_or_else(|| {
                Problem::reject(Some(c), format!("'{v}' is not a billing month (2026-10, 2026年10月, 202610)"))
            })?),
            None => ship_time.map(|t| {
                chrono::DateTime::from_timestamp_micros(t).map_or_else(String::new, |d| d.format("%Y-%m").to_string())
            }),
        };
        let period = period.map(Cow::Owned);
        let key = key(&[
            b"courier_bills",
            opt(&courier),
            tracking.as_bytes(),
            direction.as_bytes(),
            opt(&period),
            &ship_time.unwrap_or(i64::MIN).to_le_bytes(),
            &fee.to_le_bytes(),
            &money_bytes(surcharge),
            &money_bytes(amount),
        ]);
        out.extend([
            Val::text(courier),
            Val::text(period),
            Val::Text(tracking),
            Val::Text(Cow::Borrowed(direction)),
            Val::time(ship_time),
            Val::money(self.weight(Field::Weight)?),
            Val::Money(fee),
            Val::money(surcharge),
            Val::money(amount),
        ]);
        Ok(key)
    }

    fn inventory(&mut self, out: &mut Vec<Val<'r>>) -> Result<u128, Problem> {
        let sku = self.required_id(Field::Sku, "the product code is empty")?;
        let time = self.txn_time()?;
        let movement = stock_movement(self.text(Field::Type));
        let quantity = self.quantity(Field::Quantity)?;
        // Exports that write goods out as positive numbers: out is out.
        let quantity = match (movement.as_ref(), quantity) {
            ("out", Some(q)) => Some(-q.abs()),
            (_, q) => q,
        };
        let balance = self.quantity(Field::Balance)?;
        if quantity.is_none() && balance.is_none() {
            return Err(Problem::reject(None, "both the quantity and the balance are empty"));
        }
        let warehouse = self.text(Field::Warehouse);
        let reference = self.id(Field::Reference);
        let key = key(&[
            b"inventory",
            sku.as_bytes(),
            opt(&warehouse),
            &time.to_le_bytes(),
            movement.as_bytes(),
            &quantity.unwrap_or(i64::MIN).to_le_bytes(),
            opt(&reference),
            &balance.unwrap_or(i64::MIN).to_le_bytes(),
        ]);
        out.extend([
            Val::Text(sku),
            Val::text(warehouse),
            Val::Time(time),
            Val::Text(movement),
            Val::int(quantity),
            Val::text(reference),
            Val::int(balance),
        ]);
        Ok(key)
    }

    fn settlements(&mut self, out: &mut Vec<Val<'r>>, extra: &mut Vec<Extra<'r>>) -> Result<u128, Problem> {
        if let Some((c, status)) = self.first(Field::TxnStatus)
            && classify::no_money_moved(status)
        {
            return Err(Problem {
                category: Category::Ignored,
                column: Some(c),
                reason: format!("status '{status}': no money moved"),
            });
        }
        let time = self.txn_time()?;
        let type_text = self.text(Field::Type);
        let memo = self.joined(Field::Memo);
        let status = self.text(Field::TxnStatus);
        let amount = self.signed_amount(&[type_text.as_deref(), memo.as_deref(), status.as_deref()])?;
        let mut kind = self.conv.settlement_kind(type_text.as_deref(), memo.as_deref());
        // JD books a refund as 货款 going back, on a line that names the after-sale case
        // or a refund document (单据类型 取消退款单 / 售后服务单).
        if kind == "sale"
            && amount < 0
            && (self.first(Field::ReturnId).is_some()
                || self.text(Field::DocType).is_some_and(|t| t.contains("退款") || t.contains("售后")))
        {
            kind = "refund";
        }
        let platform = self.platform();
        let shop = self.shop();
        let txn_id = self.id(Field::TxnId);
        let trade_id = self.id(Field::TradeId);
        let sub_order = self.id(Field::SubOrderId);
        // A line that names only its sub-order still belongs to an order: that one.
        let order_id = self.id(Field::OrderId).or_else(|| sub_order.clone());
        let balance = self.balance();
        let counterparty = self.text(Field::Counterparty);
        // A withdrawal is known by the payout id the file gives, else its own id, else an
        // id in its memo; its other ids (business id, the memo's 提现单号) name it too
        // (payout_keys).
        let payout_ref = self.id(Field::PayoutRef).or_else(|| {
            (kind == "withdrawal")
                .then(|| {
                    txn_id
                        .clone()
                        .or_else(|| memo.as_deref().and_then(find_reference).map(|r| Cow::Owned(r.to_string())))
                })
                .flatten()
        });
        let parts = if kind == "sale" && amount >= 0 { self.parts(amount)? } else { Vec::new() };
        // Wallet exports reuse ids (a purchase and its refund share the trade number), so
        // a settlement line is known by all it says, not by its id alone.
        let key = key(&[
            b"settlements",
            opt(&self.platform_for_key()),
            opt(&shop),
            opt(&txn_id),
            opt(&order_id),
            &time.to_le_bytes(),
            &amount.to_le_bytes(),
            &money_bytes(balance),
            opt(&type_text),
            opt(&counterparty),
            opt(&memo),
        ]);
        let currency = self.currency();
        let line = |kind: &'static str, amount: i128, memo: Option<Cow<'r, str>>, balance: Option<i128>, key: u128| {
            vec![
                Val::text(platform.clone()),
                Val::text(shop.clone()),
                Val::text(txn_id.clone()),
                Val::text(trade_id.clone()),
                Val::text(order_id.clone()),
                Val::text(sub_order.clone()),
                Val::Time(time),
                Val::Text(Cow::Borrowed(kind)),
                Val::Money(amount),
                Val::Text(currency.clone()),
                Val::money(balance),
                Val::text(counterparty.clone()),
                Val::text(memo),
                Val::text(payout_ref.clone()),
                line_id(key),
            ]
        };
        match parts.split_first() {
            None => out.extend(line(kind, amount, memo.clone(), balance, key)),
            // The sale line keeps the row's memo and balance; each part after it is a line
            // of its own kind, named by the column it comes from.
            Some((sale, rest)) => {
                out.extend(line(sale.kind, sale.amount, memo.clone(), balance, key));
                for (i, p) in rest.iter().enumerate() {
                    let k = derived_key(key, i);
                    extra.push(Extra {
                        vals: line(p.kind, p.amount, Some(Cow::Owned(p.label.clone())), None, k),
                        key: k,
                    });
                }
            }
        }
        Ok(key)
    }

    /// A sale line whose income and deductions the file gives as columns beside its net
    /// amount (Douyin 订单实付应结 + 运费实付 − 平台服务费 − 佣金 = 动账金额): the sale first,
    /// then subsidies, each deduction as a fee or commission, and whatever the columns
    /// leave unexplained of the net as an adjustment, so the lines add up to the net.
    /// Nothing when the columns are absent or all zero.
    fn parts(&self, net: i128) -> Result<Vec<Part>, Problem> {
        let mut sale: Option<i128> = None;
        let mut rest = Vec::new();
        for &c in self.conv.map.columns(Field::Gross) {
            let Some(v) = values::clean(self.row.get(c)) else { continue };
            let v = values::parse_money(v).map_err(|e| self.bad(c, e))?;
            let label = self.conv.headers[c].trim();
            if label.contains("补贴") {
                if v != 0 {
                    rest.push(Part { kind: "promotion", amount: v, label: label.to_string() });
                }
            } else {
                *sale.get_or_insert(0) += v;
            }
        }
        for &c in self.conv.map.columns(Field::Deduction) {
            let Some(v) = values::clean(self.row.get(c)) else { continue };
            let v = values::parse_money(v).map_err(|e| self.bad(c, e))?;
            if v != 0 {
                let label = self.conv.headers[c].trim();
                let kind = classify::kind_of(label)
                    .filter(|k| matches!(*k, "commission" | "promotion" | "shipping"))
                    .unwrap_or("fee");
                rest.push(Part { kind, amount: -v.abs(), label: label.to_string() });
            }
        }
        if rest.is_empty() && sale.is_none_or(|s| s == net) {
            return Ok(Vec::new());
        }
        let others: i128 = rest.iter().map(|p| p.amount).sum();
        // Without an income column the sale is what the deductions were taken from.
        let sale = sale.unwrap_or(net - others);
        let unexplained = net - sale - others;
        if unexplained != 0 {
            rest.push(Part { kind: "adjustment", amount: unexplained, label: "差额".to_string() });
        }
        let mut parts = vec![Part { kind: "sale", amount: sale, label: String::new() }];
        parts.extend(rest);
        Ok(parts)
    }

    fn bank(&mut self, out: &mut Vec<Val<'r>>) -> Result<u128, Problem> {
        let time = self.txn_time()?;
        let memo = self.joined(Field::Memo);
        let amount = self.signed_amount(&[memo.as_deref()])?;
        let account = self.id(Field::Account).or_else(|| self.conv.defaults.account.as_deref().map(Cow::Borrowed));
        let txn_id = self.id(Field::TxnId);
        let balance = self.balance();
        let name = self.text(Field::Counterparty);
        let cp_account = self.id(Field::CounterpartyAccount);
        let (t, a) = (time.to_le_bytes(), amount.to_le_bytes());
        let key = match &txn_id {
            Some(id) => key(&[b"bank", opt(&account), id.as_bytes(), &t, &a]),
            None => {
                key(&[b"bank", opt(&account), &t, &a, &money_bytes(balance), opt(&name), opt(&cp_account), opt(&memo)])
            }
        };
        out.extend([
            Val::text(account),
            Val::text(txn_id),
            Val::Time(time),
            Val::Money(amount),
            Val::Text(self.currency()),
            Val::money(balance),
            Val::text(name),
            Val::text(cp_account),
            Val::text(memo),
            line_id(key),
        ]);
        Ok(key)
    }
}

/// `send` or `return`: couriers call a parcel carried back 退件, 退货, 逆向 or return.
fn courier_direction(text: Option<&str>) -> &'static str {
    match text {
        Some(t) if t.contains('退') || t.contains("逆向") || t.to_ascii_lowercase().contains("return") => "return",
        _ => "send",
    }
}

/// A billing month as `YYYY-MM`: `2026-10`, `2026/10`, `2026年10月`, `202610`, or a date in it.
fn bill_period(raw: &str) -> Option<String> {
    let digits: Vec<u32> = raw
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (y, m) = match digits.as_slice() {
        [ym] if (190_001..=299_912).contains(ym) => (ym / 100, ym % 100),
        [y, m, ..] => (*y, *m),
        _ => return None,
    };
    ((1900..3000).contains(&y) && (1..=12).contains(&m)).then(|| format!("{y:04}-{m:02}"))
}

/// The kind of a stock movement, from the warehouse's words for it.
fn stock_movement(text: Option<Cow<'_, str>>) -> Cow<'_, str> {
    let Some(t) = text else { return Cow::Borrowed("other") };
    let lower = t.to_lowercase();
    let kind = if lower.contains("期初") || lower.contains("opening") {
        "opening"
    } else if lower.contains("盘点") || lower.contains("count") {
        "count"
    } else if lower.contains("退") || lower.contains("return") {
        "return"
    } else if lower.contains("出库") || lower.contains("销售") || lower.contains("发货") || lower == "out" {
        "out"
    } else if lower.contains("入库") || lower.contains("采购") || lower == "in" {
        "in"
    } else {
        return t;
    };
    Cow::Borrowed(kind)
}

/// One line a source row stands for.
struct Part {
    kind: &'static str,
    amount: i128,
    /// The column it comes from.
    label: String,
}

/// The key of the `i`-th further line of a row: the same file always gives the same.
fn derived_key(key: u128, i: usize) -> u128 {
    let mut bytes = key.to_le_bytes().to_vec();
    bytes.extend_from_slice(b"part");
    bytes.extend_from_slice(&(i as u64).to_le_bytes());
    xxh3_128(&bytes)
}

/// The first 64 bits of a natural key, as 16 hex digits.
fn line_id(key: u128) -> Val<'static> {
    Val::Text(Cow::Owned(format!("{:016x}", (key >> 64) as u64)))
}

/// An optional amount as key bytes; the flag keeps "no balance" apart from 0.00.
fn money_bytes(v: Option<i128>) -> [u8; 17] {
    let mut out = [0u8; 17];
    if let Some(m) = v {
        out[0] = 1;
        out[1..].copy_from_slice(&m.to_le_bytes());
    }
    out
}

fn opt<'a>(v: &'a Option<Cow<'_, str>>) -> &'a [u8] {
    v.as_deref().map_or(&[], str::as_bytes)
}

/// 128-bit hash of the key parts; a unit separator keeps ("ab","c") apart from ("a","bc").
pub(crate) fn key(parts: &[&[u8]]) -> u128 {
    thread_local!(static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) });
    // One-shot hashing of one buffer is several times faster than streaming the parts.
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        for p in parts {
            buf.extend_from_slice(p);
            buf.push(0x1f);
        }
        xxh3_128(buf)
    })
}

/// `138 1234 5678` and `138-1234-5678` as `13812345678`; anything else unchanged.
fn clean_phone(p: Cow<'_, str>) -> Cow<'_, str> {
    if p.contains([' ', '-']) && p.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+')) {
        Cow::Owned(p.chars().filter(|c| !matches!(c, ' ' | '-')).collect())
    } else {
        p
    }
}

/// The first reference-like token in a memo: 10+ letters and digits, at least 6 digits
/// (`提现单号 TX2026100312345` → `TX2026100312345`).
pub fn find_reference(memo: &str) -> Option<&str> {
    memo.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|tok| tok.len() >= 10 && tok.bytes().filter(u8::is_ascii_digit).count() >= 6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::header::map_columns;

    fn converter(kind: Kind, headers: &[&str]) -> Converter {
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        Converter::new(kind, map_columns(kind, &headers, None).unwrap(), headers, Defaults::default(), None)
    }

    fn row(cells: &[&str]) -> RawRow {
        RawRow::of(cells)
    }

    fn convert(c: &Converter, cells: &[&str]) -> Result<Vec<String>, String> {
        let r = row(cells);
        let mut out = Vec::new();
        let mut notes = Vec::new();
        c.convert(&r, &mut out, &mut Vec::new(), &mut notes).map_err(|p| format!("{:?}: {}", p.category, p.reason))?;
        if let Some(n) = notes.first() {
            out.push(Val::Text(Cow::Owned(format!("warning: {}", n.reason))));
        }
        Ok(out
            .iter()
            .map(|v| match v {
                Val::Null => "∅".to_string(),
                Val::Text(t) => t.to_string(),
                Val::Money(m) => values::format_cents(*m),
                Val::Time(t) => chrono::DateTime::from_timestamp_micros(*t).unwrap().naive_utc().to_string(),
                Val::Int(i) => i.to_string(),
            })
            .collect())
    }

    #[test]
    fn alipay_merchant_lines() {
        let c = converter(
            Kind::Settlements,
            &[
                "账务流水号",
                "业务流水号",
                "商户订单号",
                "商品名称",
                "发生时间",
                "对方账号",
                "收入金额（+元）",
                "支出金额（-元）",
                "账户余额（元）",
                "交易渠道",
                "业务类型",
                "备注",
            ],
        );
        let sale = convert(
            &c,
            &[
                "2026100320004001\t",
                "",
                "T200P123\t",
                "杯子",
                "2026-10-03 10:00:00",
                "buyer@x",
                "12.00",
                "",
                "112.00",
                "",
                "交易",
                "",
            ],
        )
        .unwrap();
        assert_eq!(sale[2], "2026100320004001");
        assert_eq!(sale[4], "T200P123");
        assert_eq!(sale[6], "2026-10-03 10:00:00");
        assert_eq!(sale[7], "sale");
        assert_eq!(sale[8], "12.00");
        assert_eq!(sale[13], "∅");
        let fee = convert(
            &c,
            &[
                "2026100320004002\t",
                "",
                "T200P123\t",
                "",
                "2026-10-03 10:00:01",
                "",
                "",
                "-0.60",
                "111.40",
                "",
                "服务费",
                "天猫佣金",
            ],
        )
        .unwrap();
        assert_eq!((fee[7].as_str(), fee[8].as_str()), ("commission", "-0.60"));
        let wd = convert(
            &c,
            &[
                "2026100420004003\t",
                "",
                "",
                "",
                "2026-10-04 09:00:00",
                "",
                "",
                "-111.40",
                "0.00",
                "",
                "提现",
                "提现到对公账户",
            ],
        )
        .unwrap();
        assert_eq!((wd[7].as_str(), wd[8].as_str(), wd[13].as_str()), ("withdrawal", "-111.40", "2026100420004003"));
        let bad =
            convert(&c, &["x1", "", "", "", "2026-10-04 09:00:00", "", "12,3a", "", "", "", "交易", ""]).unwrap_err();
        assert_eq!(bad, "Rejected: '12,3a' is not an amount");
    }

    #[test]
    fn direction_columns_and_neutral_rows() {
        let c = converter(
            Kind::Settlements,
            &[
                "交易时间",
                "交易分类",
                "交易对方",
                "商品说明",
                "收/支",
                "金额",
                "交易状态",
                "交易订单号",
                "商家订单号",
                "备注",
            ],
        );
        let out = convert(
            &c,
            &["2023-02-12 21:32:14", "亲友代付", "x", "亲情卡", "支出", "49.74", "交易成功", "2023001\t", "", ""],
        )
        .unwrap();
        assert_eq!(out[8], "-49.74");
        // A refund that succeeded moved money back, whatever column it is listed under.
        let refund = convert(
            &c,
            &["2023-02-04 18:21:04", "退款", "x", "退款-亲情卡", "不计收支", "16.03", "退款成功", "2023002\t", "", ""],
        )
        .unwrap();
        assert_eq!((refund[7].as_str(), refund[8].as_str()), ("refund", "16.03"));
        let withdrawal = convert(
            &c,
            &["2021-07-15 16:29:37", "零钱提现", "招商银行", "/", "/", "100.10", "提现已到账", "2072107", "", ""],
        )
        .unwrap();
        assert_eq!((withdrawal[7].as_str(), withdrawal[8].as_str()), ("withdrawal", "-100.10"));
        let closed =
            convert(&c, &["2023-01-10 13:10:16", "日用百货", "x", "x", "不计收支", "82.00", "交易关闭", "x", "", ""])
                .unwrap_err();
        assert!(closed.starts_with("Ignored"), "{closed}");
        let vague =
            convert(&c, &["2023-01-10 13:10:16", "转账", "x", "x", "不计收支", "82.00", "交易成功", "x", "", ""])
                .unwrap_err();
        assert!(vague.starts_with("Ignored") && vague.contains("neither income nor expense"), "{vague}");
    }

    #[test]
    fn bank_with_split_date_and_clock() {
        let c = converter(
            Kind::Bank,
            &[
                "记账日期",
                "记账时间",
                "币别",
                "金额",
                "余额",
                "交易名称",
                "渠道",
                "网点名称",
                "附言",
                "对方账户名",
                "对方卡号/账号",
                "对方开户行",
                "借记卡号",
            ],
        );
        let out = convert(
            &c,
            &[
                "2025-08-22",
                "17:57:17",
                "人民币",
                "-71.89",
                "3,240.28",
                "无卡支付",
                "卡组织线上/无卡交易",
                "-------------------",
                "----------",
                "张三",
                "6226******5669",
                "-------------------",
                "3167",
            ],
        )
        .unwrap();
        assert_eq!(
            out[..9],
            ["3167", "∅", "2025-08-22 17:57:17", "-71.89", "CNY", "3240.28", "张三", "6226******5669", "无卡支付"]
        );
        assert_eq!(out[9].len(), 16, "a line id of 16 hex digits: {}", out[9]);
        let c = converter(
            Kind::Bank,
            &["交易日期", "交易时间", "交易摘要", "交易金额", "本次余额", "对手信息", "日志号", "交易渠道", "交易附言"],
        );
        let out = convert(
            &c,
            &["20240103", "", "正常还款", "-12345.89", "1943.12", "12341234123412341", "111222333", "", ""],
        )
        .unwrap();
        assert_eq!(out[2], "2024-01-03 00:00:00");
        let out = convert(
            &c,
            &["20240101", "123456", "转存", "+10000.00", "11000.00", "哈哈", "369396693", "超级网银", "转账"],
        )
        .unwrap();
        assert_eq!(
            (out[2].as_str(), out[3].as_str(), out[8].as_str()),
            ("2024-01-01 12:34:56", "10000.00", "转存 | 转账")
        );
        let c =
            converter(Kind::Bank, &["交易时间", "交易流水号", "借方发生额", "贷方发生额", "余额", "对方户名", "摘要"]);
        let out = convert(
            &c,
            &["2026-10-03 10:00:00", "B1", "", "1,000.00", "5,000.00", "支付宝（中国）网络技术有限公司", "提现"],
        )
        .unwrap();
        assert_eq!(out[3], "1000.00");
        let out = convert(&c, &["2026-10-03 10:00:00", "B2", "20.00", "", "4,980.00", "房东", "房租"]).unwrap();
        assert_eq!(out[3], "-20.00");
        let err = convert(&c, &["not a date", "B3", "", "1.00", "", "", ""]).unwrap_err();
        assert_eq!(err, "Rejected: 'not a date' is not a date or time");
        let out = convert(&c, &["2026-10-03 10:00:00", "B4", "", "1.00", "xx,yyyy.zz", "", ""]).unwrap();
        assert_eq!(out[5], "∅");
        assert_eq!(out[10], "warning: balance 'xx,yyyy.zz' is not an amount; stored without a balance");
    }

    #[test]
    fn orders_and_keys() {
        let c =
            converter(Kind::Orders, &["平台", "店铺名称", "订单编号", "下单时间", "订单金额", "实付金额", "联系电话"]);
        let r1 = row(&["天猫", "旗舰店", "1001", "2026-10-01 08:00:00", "100.00", "90.00", "138-1234-5678"]);
        let r2 = row(&["天猫", "旗舰店", "1001", "2026-10-01 08:00:00", "100.00", "90.00", "13812345678"]);
        let mut out = Vec::new();
        let k1 = c.convert(&r1, &mut out, &mut Vec::new(), &mut Vec::new()).unwrap();
        assert_eq!(out[0], Val::Text(Cow::Borrowed("tmall")));
        assert_eq!(out[1], Val::Text(Cow::Borrowed("天猫")));
        assert_eq!(out[14], Val::Text(Cow::Borrowed("13812345678")));
        let k2 = c.convert(&r2, &mut out, &mut Vec::new(), &mut Vec::new()).unwrap();
        assert_eq!(k1, k2, "same order, same key");
        let err = convert(&c, &["天猫", "旗舰店", "", "2026-10-01", "1", "1", ""]).unwrap_err();
        assert!(err.contains("order id is empty"), "{err}");
    }

    #[test]
    fn references_in_memos() {
        assert_eq!(find_reference("提现单号 TX2026100312345"), Some("TX2026100312345"));
        assert_eq!(find_reference("提现 20261003200040011100650012345678"), Some("20261003200040011100650012345678"));
        assert_eq!(find_reference("货款"), None);
    }
}
