//! The canonical tables every import fills, whatever the source format: their names,
//! columns and Arrow types. This is the stable surface users write SQL against.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Money is Decimal128(18, 2): exact to the cent, room for 10^16 yuan.
pub const MONEY_PRECISION: u8 = 18;
pub const MONEY_SCALE: i8 = 2;

/// Stored in every data file but not shown in SQL: the 128-bit hash of the row's
/// natural key, used to skip duplicates on re-import. Settlement and bank lines also
/// show its first 64 bits as `line_id`: a name for a line that survives re-imports,
/// which manual decisions use.
pub const KEY_COLUMN: &str = "_key";

/// What kind of data an import holds, i.e. which canonical table it fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Orders,
    Settlements,
    Bank,
    Shipments,
    Returns,
    CourierBills,
    Inventory,
    /// A payment platform's trade records (WeChat Pay 交易账单, Alipay 业务明细): what
    /// buyers paid and got back, trade by trade. They describe the same money as the
    /// wallet's ledger, so they have a table of their own and matching never counts them.
    Payments,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Orders,
        Kind::Settlements,
        Kind::Bank,
        Kind::Shipments,
        Kind::Returns,
        Kind::CourierBills,
        Kind::Inventory,
        Kind::Payments,
    ];

    /// The kinds an import may guess from a file's columns. Trade records look like a
    /// wallet's ledger; only a named format (or `--kind payments`) says a file is one.
    pub const GUESSABLE: [Kind; 7] = [
        Kind::Orders,
        Kind::Settlements,
        Kind::Bank,
        Kind::Shipments,
        Kind::Returns,
        Kind::CourierBills,
        Kind::Inventory,
    ];

    /// The SQL table this kind fills.
    pub fn table(self) -> &'static str {
        match self {
            Kind::Orders => "orders",
            Kind::Settlements => "settlements",
            Kind::Bank => "bank_txns",
            Kind::Shipments => "shipments",
            Kind::Returns => "returns",
            Kind::CourierBills => "courier_bills",
            Kind::Inventory => "inventory",
            Kind::Payments => "payments",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Bank => "bank",
            other => other.table(),
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Orders => ORDERS,
            Kind::Settlements => SETTLEMENTS,
            Kind::Bank => BANK_TXNS,
            Kind::Shipments => SHIPMENTS,
            Kind::Returns => RETURNS,
            Kind::CourierBills => COURIER_BILLS,
            Kind::Inventory => INVENTORY,
            // A trade record says what a ledger line says: the same columns.
            Kind::Payments => SETTLEMENTS,
        }
    }

    /// Whether the same row twice in one file is two facts (a courier billing one parcel
    /// twice) rather than one fact exported twice.
    pub fn repeats_are_distinct(self) -> bool {
        self == Kind::CourierBills
    }

    /// The schema users see in SQL (no internal key column).
    pub fn schema(self) -> SchemaRef {
        Arc::new(Schema::new(self.columns().iter().map(Column::field).collect::<Vec<_>>()))
    }

    /// The schema of the Parquet files on disk: the public columns plus the key.
    pub fn file_schema(self) -> SchemaRef {
        let mut fields: Vec<Field> = self.columns().iter().map(Column::field).collect();
        fields.push(Field::new(KEY_COLUMN, DataType::FixedSizeBinary(16), false));
        Arc::new(Schema::new(fields))
    }

    pub fn column_index(self, name: &str) -> Option<usize> {
        self.columns().iter().position(|c| c.name == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "unknown kind '{0}': expected orders, settlements, bank, shipments, returns, courier_bills, inventory or payments"
)]
pub struct UnknownKind(String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "orders" | "order" => Ok(Kind::Orders),
            "settlements" | "settlement" | "wallet" => Ok(Kind::Settlements),
            "bank" | "bank_txns" => Ok(Kind::Bank),
            "shipments" | "shipment" => Ok(Kind::Shipments),
            "returns" | "return" | "after_sales" => Ok(Kind::Returns),
            "courier_bills" | "courier_bill" | "courier" => Ok(Kind::CourierBills),
            "inventory" | "stock" => Ok(Kind::Inventory),
            "payments" | "payment" | "trades" => Ok(Kind::Payments),
            _ => Err(UnknownKind(s.to_string())),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    Text,
    Money,
    Time,
    Int,
}

#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColType,
}

impl Column {
    const fn new(name: &'static str, ty: ColType) -> Self {
        Column { name, ty }
    }

    pub fn field(&self) -> Field {
        let dt = match self.ty {
            ColType::Text => DataType::Utf8,
            ColType::Money => DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE),
            ColType::Time => DataType::Timestamp(TimeUnit::Microsecond, None),
            ColType::Int => DataType::Int64,
        };
        Field::new(self.name, dt, true)
    }
}

use ColType::{Int, Money, Text, Time};

/// Provenance columns every table ends with.
macro_rules! provenance {
    () => {
        [Column::new("source_file", Text), Column::new("source_line", Int), Column::new("import_id", Int)]
    };
}

const fn concat<const A: usize, const B: usize, const C: usize>(a: [Column; A], b: [Column; B]) -> [Column; C] {
    let mut out = [Column::new("", Text); C];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < B {
        out[A + j] = b[j];
        j += 1;
    }
    out
}

const ORDERS_OWN: [Column; 21] = [
    Column::new("platform", Text),
    // The platform or channel as the file names it (微信小程序, 抖音小店 …); `platform`
    // is what it stands for (platform_aliases).
    Column::new("channel", Text),
    Column::new("shop", Text),
    Column::new("order_id", Text),
    Column::new("order_time", Time),
    Column::new("pay_time", Time),
    Column::new("ship_time", Time),
    Column::new("status", Text),
    Column::new("currency", Text),
    Column::new("order_amount", Money),
    Column::new("paid_amount", Money),
    // The person (buyer or consignee), the platform nickname, the company that pays.
    Column::new("buyer_name", Text),
    Column::new("buyer_nick", Text),
    Column::new("buyer_company", Text),
    Column::new("buyer_phone", Text),
    Column::new("ship_address", Text),
    Column::new("tracking_no", Text),
    Column::new("courier", Text),
    Column::new("sku", Text),
    Column::new("items", Text),
    Column::new("quantity", Int),
];
const SETTLEMENTS_OWN: [Column; 15] = [
    Column::new("platform", Text),
    Column::new("shop", Text),
    Column::new("txn_id", Text),
    // The platform's id of the business the line belongs to (业务流水号, 微信支付业务单号):
    // a sale and its fees share it; a withdrawal's is what the bank's memo quotes.
    Column::new("trade_id", Text),
    Column::new("order_id", Text),
    // The part of the order the line settles, where the platform settles sub-orders
    // apart (Douyin 子订单号).
    Column::new("sub_order_id", Text),
    Column::new("txn_time", Time),
    Column::new("kind", Text),
    Column::new("amount", Money),
    Column::new("currency", Text),
    Column::new("balance", Money),
    Column::new("counterparty", Text),
    Column::new("memo", Text),
    Column::new("payout_ref", Text),
    Column::new("line_id", Text),
];
const BANK_OWN: [Column; 10] = [
    Column::new("account", Text),
    Column::new("txn_id", Text),
    Column::new("txn_time", Time),
    Column::new("amount", Money),
    Column::new("currency", Text),
    Column::new("balance", Money),
    Column::new("counterparty_name", Text),
    Column::new("counterparty_account", Text),
    Column::new("memo", Text),
    Column::new("line_id", Text),
];

/// Weights are kilograms to ten grams (two decimals, stored as money is).
const SHIPMENTS_OWN: [Column; 11] = [
    Column::new("platform", Text),
    Column::new("shop", Text),
    Column::new("order_id", Text),
    Column::new("tracking_no", Text),
    Column::new("courier", Text),
    Column::new("ship_time", Time),
    Column::new("sku", Text),
    Column::new("items", Text),
    Column::new("quantity", Int),
    Column::new("weight", Money),
    Column::new("warehouse", Text),
];
const RETURNS_OWN: [Column; 13] = [
    Column::new("platform", Text),
    Column::new("shop", Text),
    Column::new("return_id", Text),
    Column::new("order_id", Text),
    Column::new("tracking_no", Text),
    Column::new("courier", Text),
    Column::new("sku", Text),
    Column::new("items", Text),
    Column::new("quantity", Int),
    Column::new("state", Text),
    Column::new("refund_amount", Money),
    Column::new("apply_time", Time),
    Column::new("receive_time", Time),
];
const COURIER_BILLS_OWN: [Column; 9] = [
    Column::new("courier", Text),
    Column::new("bill_period", Text),
    Column::new("tracking_no", Text),
    Column::new("direction", Text),
    Column::new("ship_time", Time),
    Column::new("weight", Money),
    Column::new("fee", Money),
    Column::new("surcharge", Money),
    Column::new("amount", Money),
];
const INVENTORY_OWN: [Column; 7] = [
    Column::new("sku", Text),
    Column::new("warehouse", Text),
    Column::new("txn_time", Time),
    Column::new("movement", Text),
    Column::new("quantity", Int),
    Column::new("reference", Text),
    Column::new("balance", Int),
];

static ORDERS_ALL: [Column; 24] = concat(ORDERS_OWN, provenance!());
static SETTLEMENTS_ALL: [Column; 18] = concat(SETTLEMENTS_OWN, provenance!());
static BANK_ALL: [Column; 13] = concat(BANK_OWN, provenance!());
static SHIPMENTS_ALL: [Column; 14] = concat(SHIPMENTS_OWN, provenance!());
static RETURNS_ALL: [Column; 16] = concat(RETURNS_OWN, provenance!());
static COURIER_BILLS_ALL: [Column; 12] = concat(COURIER_BILLS_OWN, provenance!());
static INVENTORY_ALL: [Column; 10] = concat(INVENTORY_OWN, provenance!());

pub static ORDERS: &[Column] = &ORDERS_ALL;
pub static SETTLEMENTS: &[Column] = &SETTLEMENTS_ALL;
pub static BANK_TXNS: &[Column] = &BANK_ALL;
pub static SHIPMENTS: &[Column] = &SHIPMENTS_ALL;
pub static RETURNS: &[Column] = &RETURNS_ALL;
pub static COURIER_BILLS: &[Column] = &COURIER_BILLS_ALL;
pub static INVENTORY: &[Column] = &INVENTORY_ALL;

/// The settlement kinds of DESIGN.md, in the order the classifier tries them.
pub const SETTLEMENT_KINDS: [&str; 10] =
    ["sale", "refund", "commission", "fee", "shipping", "promotion", "adjustment", "withdrawal", "deposit", "other"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_documented_columns() {
        let names = |k: Kind| -> Vec<&str> { k.columns().iter().map(|c| c.name).collect() };
        assert_eq!(
            names(Kind::Bank),
            [
                "account",
                "txn_id",
                "txn_time",
                "amount",
                "currency",
                "balance",
                "counterparty_name",
                "counterparty_account",
                "memo",
                "line_id",
                "source_file",
                "source_line",
                "import_id"
            ]
        );
        assert_eq!(Kind::Orders.schema().fields().len(), 24);
        assert_eq!(Kind::Settlements.file_schema().fields().last().unwrap().name(), KEY_COLUMN);
        assert_eq!(
            Kind::Settlements.schema().field_with_name("amount").unwrap().data_type(),
            &DataType::Decimal128(18, 2)
        );
    }

    #[test]
    fn kind_parses_with_a_real_error() {
        assert_eq!("bank".parse::<Kind>().unwrap(), Kind::Bank);
        let err = "banks!".parse::<Kind>().unwrap_err().to_string();
        assert!(err.contains("expected orders, settlements, bank, shipments"), "{err}");
        assert_eq!("courier".parse::<Kind>().unwrap(), Kind::CourierBills);
    }
}
