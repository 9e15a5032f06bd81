//! The kinds of problem `--plant` can put into the data, by name.

use std::fmt;
use std::str::FromStr;

/// One kind of planted problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Plant {
    /// One platform's fee lines tripled in one month.
    FeeChange,
    /// One B2B customer payment booked twice by the bank.
    DuplicatePayment,
    /// One platform's payouts of one month reaching the bank weeks late.
    SlowPlatform,
    /// Four in ten orders of one shop-month refunded in full.
    RefundSpike,
    // The warehouse's (logistics_plant.rs): two instances each.
    /// A received return with a tracking number and no 退件 bill line.
    ReturnNotCarried,
    /// A 退件 bill line of a parcel that is no return.
    ReturnNotInReturns,
    /// A withdrawn return (退款关闭) whose parcel was billed as carried back.
    ReturnState,
    /// A return booked into stock with another quantity than returned.
    ReturnQuantity,
    /// A courier bill line above the contracted fee.
    CourierOvercharge,
    /// A shipment billed twice.
    CourierTwice,
    /// A shipment of an order no export has.
    ShippedNotOrdered,
    /// An order paid more than a week before the export and never shipped.
    PaidNotShipped,
    /// A shipment of another quantity than ordered.
    ShippedQuantity,
    /// A shipment after the order's sale was settled.
    SettledBeforeShipment,
    /// A shipment without tracking number.
    LogisticsMissing,
    /// A shipment booked out of stock with another quantity than shipped.
    InventoryOut,
    /// A month-end stock count that differs from the stock book.
    StockCount,
}

impl Plant {
    /// The money side's kinds, as they were before the warehouse had any.
    pub const MONEY: [Plant; 4] = [Plant::FeeChange, Plant::DuplicatePayment, Plant::SlowPlatform, Plant::RefundSpike];

    /// The warehouse's kinds: what `--plant logistics` asks for.
    pub const LOGISTICS: [Plant; 13] = [
        Plant::ReturnNotCarried,
        Plant::ReturnNotInReturns,
        Plant::ReturnState,
        Plant::ReturnQuantity,
        Plant::CourierOvercharge,
        Plant::CourierTwice,
        Plant::ShippedNotOrdered,
        Plant::PaidNotShipped,
        Plant::ShippedQuantity,
        Plant::SettledBeforeShipment,
        Plant::LogisticsMissing,
        Plant::InventoryOut,
        Plant::StockCount,
    ];

    /// Every kind: the money side's, then the warehouse's.
    pub const ALL: [Plant; 17] = {
        let mut all = [Plant::FeeChange; 17];
        let mut i = 0;
        while i < all.len() {
            all[i] = if i < 4 { Self::MONEY[i] } else { Self::LOGISTICS[i - 4] };
            i += 1;
        }
        all
    };

    /// The name `--plant` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Plant::FeeChange => "fee-change",
            Plant::DuplicatePayment => "duplicate-payment",
            Plant::SlowPlatform => "slow-platform",
            Plant::RefundSpike => "refund-spike",
            Plant::ReturnNotCarried => "return-not-carried",
            Plant::ReturnNotInReturns => "return-not-in-returns",
            Plant::ReturnState => "return-state",
            Plant::ReturnQuantity => "return-quantity",
            Plant::CourierOvercharge => "courier-overcharge",
            Plant::CourierTwice => "courier-twice",
            Plant::ShippedNotOrdered => "shipped-not-ordered",
            Plant::PaidNotShipped => "paid-not-shipped",
            Plant::ShippedQuantity => "shipped-quantity",
            Plant::SettledBeforeShipment => "settled-before-shipment",
            Plant::LogisticsMissing => "logistics-missing",
            Plant::InventoryOut => "inventory-out",
            Plant::StockCount => "stock-count",
        }
    }

    /// The `kind` column of `truth/planted.csv`.
    pub fn kind(self) -> &'static str {
        match self {
            Plant::FeeChange => "fee_change",
            Plant::DuplicatePayment => "duplicate_payment",
            Plant::SlowPlatform => "slow_platform",
            Plant::RefundSpike => "refund_spike",
            Plant::ReturnNotCarried => "return_not_carried",
            Plant::ReturnNotInReturns => "return_not_in_returns",
            Plant::ReturnState => "return_state_differs",
            Plant::ReturnQuantity => "return_quantity_differs",
            Plant::CourierOvercharge => "courier_overcharge",
            Plant::CourierTwice => "courier_billed_twice",
            Plant::ShippedNotOrdered => "shipped_not_ordered",
            Plant::PaidNotShipped => "paid_not_shipped",
            Plant::ShippedQuantity => "shipped_quantity_differs",
            Plant::SettledBeforeShipment => "settled_before_shipment",
            Plant::LogisticsMissing => "logistics_missing",
            Plant::InventoryOut => "inventory_out_differs",
            Plant::StockCount => "stock_count_differs",
        }
    }

    /// Every value `--plant` takes: the money kinds, `logistics`, the warehouse's kinds.
    pub fn names() -> Vec<&'static str> {
        let money = Self::MONEY.iter().map(|p| p.as_str());
        let logistics = Self::LOGISTICS.iter().map(|p| p.as_str());
        money.chain(["logistics"]).chain(logistics).collect()
    }

    /// A `--plant` value: one kind, or `logistics` for all the warehouse's kinds.
    pub fn parse_list(s: &str) -> Result<Vec<Plant>, ParsePlantError> {
        if s.trim().eq_ignore_ascii_case("logistics") {
            return Ok(Plant::LOGISTICS.to_vec());
        }
        s.parse().map(|p| vec![p])
    }
}

impl fmt::Display for Plant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value given for `--plant` is not a known kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown plant {given:?}: expected one of {}", Plant::names().join(", "), given = .0)]
pub struct ParsePlantError(pub String);

impl FromStr for Plant {
    type Err = ParsePlantError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let want = s.trim().to_ascii_lowercase().replace('_', "-");
        Plant::ALL.into_iter().find(|p| p.as_str() == want).ok_or_else(|| ParsePlantError(s.to_string()))
    }
}
