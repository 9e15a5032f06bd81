//! The fields an import can recognise in a header, per kind, with their synonyms in
//! Chinese and English (in order of preference), and how strongly each one says
//! "this file is of that kind". Input-only fields (income/expense columns, a direction
//! column, a separate date column) are combined into canonical columns by `convert`.

use std::fmt;
use std::str::FromStr;

use crate::schema::Kind;
use crate::values::halfwidth;

/// Declares the fields once: the enum, each field's name in mapping files, and the
/// list of all of them.
macro_rules! fields {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $($(#[$doc])* $variant,)*
        }

        pub const ALL_FIELDS: &[Field] = &[$(Field::$variant,)*];

        impl Field {
            /// The name used in mapping files and `--explain` output.
            pub fn name(self) -> &'static str {
                match self {
                    $(Field::$variant => $name,)*
                }
            }
        }
    };
}

fields! {
    Platform => "platform",
    Shop => "shop",
    OrderId => "order_id",
    OrderTime => "order_time",
    PayTime => "pay_time",
    ShipTime => "ship_time",
    Status => "status",
    Currency => "currency",
    OrderAmount => "order_amount",
    PaidAmount => "paid_amount",
    /// The person: buyer or consignee (收货人).
    BuyerName => "buyer_name",
    /// The platform nickname (买家昵称), sometimes a company's.
    BuyerNick => "buyer_nick",
    /// The company that pays (客户名称, 发票抬头).
    BuyerCompany => "buyer_company",
    BuyerPhone => "buyer_phone",
    ShipAddress => "ship_address",
    TrackingNo => "tracking_no",
    Courier => "courier",
    TxnId => "txn_id",
    /// The platform's id of the business a line belongs to (业务流水号, 微信支付业务单号).
    TradeId => "trade_id",
    /// The sub-order a settlement line settles (Douyin 子订单号).
    SubOrderId => "sub_order_id",
    /// Income parts of a settlement line given as columns beside its net amount
    /// (Douyin 订单实付应结, 运费实付, 平台补贴): each becomes a line of its own.
    Gross => "gross",
    /// Deductions given as columns of a settlement line (平台服务费, 佣金, 渠道分成 …):
    /// each becomes a fee or commission line of its own.
    Deduction => "deduction",
    TxnTime => "txn_time",
    /// A date column beside a time-of-day column (banks split them).
    TxnDate => "txn_date",
    /// The business type (业务类型), classified into a settlement kind.
    Type => "type",
    Amount => "amount",
    /// Money in, when in and out have their own columns (收入 / 贷方发生额).
    Income => "income",
    /// Money out (支出 / 借方发生额); written positive or negative.
    Expense => "expense",
    /// 收/支, 借贷, 动账方向: the sign of an unsigned amount column.
    Direction => "direction",
    Balance => "balance",
    Counterparty => "counterparty",
    CounterpartyAccount => "counterparty_account",
    Memo => "memo",
    PayoutRef => "payout_ref",
    Account => "account",
    /// 交易状态: rows of closed or failed transactions moved no money.
    TxnStatus => "txn_status",
    /// The merchant's product code (商家编码 / SKU).
    Sku => "sku",
    /// The product's name or title.
    Items => "items",
    /// Pieces: ordered, shipped, returned, or moved in or out of stock.
    Quantity => "quantity",
    /// Kilograms.
    Weight => "weight",
    Warehouse => "warehouse",
    /// 售后单号 / 退货单号: the after-sale case.
    ReturnId => "return_id",
    /// 单据类型: the document a settlement line belongs to (JD: 订单, 取消退款单, 售后服务单).
    DocType => "doc_type",
    RefundAmount => "refund_amount",
    ApplyTime => "apply_time",
    ReceiveTime => "receive_time",
    /// 账单周期: the month a courier bills.
    BillPeriod => "bill_period",
    /// The courier's freight charge (运费), checked against the contract.
    Fee => "fee",
    Surcharge => "surcharge",
    /// 关联单号: the order or return a stock movement belongs to.
    Reference => "reference",
}

impl Field {
    /// Several columns may feed this field: their non-empty values are joined
    /// (memo) rather than the first one taken.
    pub fn joins_columns(self) -> bool {
        matches!(self, Field::Memo)
    }

    /// Fields fed by several columns: memo (joined), amounts (the first non-empty,
    /// as ICBC fills 记账金额 but leaves 交易金额 empty) and the order id (JD's settlement
    /// bill leaves 商户订单号 empty and fills 订单编号). Every other field takes the
    /// single best column.
    pub fn takes_several_columns(self) -> bool {
        matches!(
            self,
            Field::Memo
                | Field::Amount
                | Field::Income
                | Field::Expense
                | Field::OrderId
                | Field::Gross
                | Field::Deduction
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let s = match s {
            "counterparty_name" => "counterparty",
            "kind" => "type",
            other => other,
        };
        ALL_FIELDS.iter().copied().find(|f| f.name() == s).ok_or_else(|| {
            format!(
                "unknown field '{s}'; known fields: {}",
                ALL_FIELDS.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            )
        })
    }
}

use Field::*;

/// A field of a kind: its synonyms (normalised, most preferred first) and its weight
/// as evidence for the kind.
pub struct Spec {
    pub field: Field,
    pub synonyms: &'static [&'static str],
    pub weight: u32,
}

const fn spec(field: Field, weight: u32, synonyms: &'static [&'static str]) -> Spec {
    Spec { field, synonyms, weight }
}

const PLATFORM: &[&str] = &["平台", "来源平台", "销售平台", "平台名称", "platform", "marketplace", "channel"];
const SHOP: &[&str] = &["店铺名称", "店铺", "店铺名", "网店名称", "shop", "store", "shopname", "storename"];
const CURRENCY: &[&str] = &["币种", "币别", "货币", "结算币种", "记账币种", "交易币种", "currency", "ccy"];

/// In each table, fields are listed in the order they claim header columns: a more
/// specific field before a generic one that shares a synonym.
pub static ORDERS: &[Spec] = &[
    spec(
        OrderId,
        3,
        &[
            "订单编号",
            "订单号",
            "主订单编号",
            "主订单号",
            "订单id",
            "平台订单号",
            "原始单号",
            "原始订单号",
            "外部订单号",
            "网店订单号",
            // ERP exports (聚水潭, 旺店通, 吉客云 …): the platform's order number beside
            // the ERP's own 内部订单号, which no settlement names.
            "线上订单号",
            "线上单号",
            "平台单号",
            "外部单号",
            "orderid",
            "orderno",
            "ordernumber",
            "order",
            "name",
        ],
    ),
    spec(Platform, 1, PLATFORM),
    spec(Shop, 1, SHOP),
    spec(
        OrderTime,
        1,
        &[
            "下单时间",
            "订单创建时间",
            "订单提交时间",
            "创建时间",
            "成交时间",
            "订单时间",
            "下单日期",
            "ordertime",
            "orderdate",
            "createdat",
            "created",
            "date",
        ],
    ),
    spec(
        PayTime,
        1,
        &[
            "付款时间",
            "订单付款时间",
            "支付时间",
            "支付完成时间",
            "买家付款时间",
            "付款日期",
            "paytime",
            "paidat",
            "paymenttime",
            "paymentdate",
        ],
    ),
    spec(
        ShipTime,
        1,
        &["发货时间", "出库时间", "卖家发货时间", "发货日期", "shiptime", "shippedat", "fulfilledat", "shippingtime"],
    ),
    spec(Status, 1, &["订单状态", "交易状态", "状态", "orderstatus", "financialstatus", "status"]),
    spec(Currency, 0, CURRENCY),
    spec(
        OrderAmount,
        2,
        &[
            "订单金额",
            "订单总金额",
            "订单总额",
            "商品总价",
            "订单应付金额",
            "商品金额",
            "商品总额",
            "总金额",
            "orderamount",
            "ordertotal",
            "total",
            "subtotal",
        ],
    ),
    spec(
        PaidAmount,
        2,
        &[
            "实付金额",
            "买家实际支付金额",
            "买家实付金额",
            "买家实付",
            "实付款",
            "用户实付金额",
            "实收金额",
            "支付金额",
            "付款金额",
            "应付金额",
            "已付金额",
            "已付款",
            "paidamount",
            "amountpaid",
            "totalpaid",
            "paid",
        ],
    ),
    spec(
        BuyerCompany,
        1,
        &[
            "客户名称",
            "公司名称",
            "单位名称",
            "企业名称",
            "客户公司",
            "发票抬头",
            "开票抬头",
            "付款单位",
            "付款方",
            "付款方名称",
            "company",
            "companyname",
            "billingcompany",
            "shippingcompany",
        ],
    ),
    spec(
        BuyerNick,
        1,
        &["买家昵称", "买家会员名", "买家账号", "会员名", "用户昵称", "昵称", "buyernick", "nickname", "username"],
    ),
    spec(
        BuyerName,
        2,
        &[
            "买家姓名",
            "收货人",
            "收货人姓名",
            "收件人",
            "收件人姓名",
            "客户姓名",
            "联系人",
            "客户",
            "买家",
            "购买人",
            "buyername",
            "buyer",
            "customername",
            "customer",
            "billingname",
            "shippingname",
        ],
    ),
    spec(
        BuyerPhone,
        2,
        &[
            "联系电话",
            "联系手机",
            "收货人手机",
            "收货人电话",
            "收件人手机号",
            "收件人电话",
            "手机号",
            "手机",
            "客户电话",
            "电话",
            "buyerphone",
            "phone",
            "mobile",
            "shippingphone",
            "billingphone",
        ],
    ),
    spec(
        ShipAddress,
        2,
        &[
            "收货地址",
            "详细地址",
            "收件地址",
            "客户地址",
            "地址",
            "shipaddress",
            "shippingaddress",
            "address",
            "shippingaddress1",
        ],
    ),
    spec(TrackingNo, 2, TRACKING),
    spec(Courier, 1, COURIER),
    spec(Sku, 0, SKU),
    spec(Items, 0, ITEMS),
    spec(
        Quantity,
        0,
        &["宝贝总数量", "购买数量", "商品数量", "订购数量", "数量", "件数", "quantity", "qty", "lineitemquantity"],
    ),
];

const COURIER: &[&str] =
    &["快递公司", "物流公司", "承运商", "快递", "物流方式", "courier", "carrier", "shippingcompany"];
const TRACKING: &[&str] = &[
    "运单号",
    "物流单号",
    "快递单号",
    "运单编号",
    "物流编号",
    "trackingno",
    "trackingnumber",
    "tracking",
    "waybill",
    "waybillno",
];
const SKU: &[&str] = &[
    "商家编码",
    "商品编码",
    "商家编码sku维度",
    "sku编码",
    "商家sku编码",
    "商品编号",
    "货号",
    "sku",
    "skucode",
    "productcode",
    "itemcode",
    "lineitemsku",
];
const ITEMS: &[&str] =
    &["商品名称", "宝贝标题", "商品标题", "宝贝名称", "商品", "title", "itemname", "productname", "lineitemname"];
const ORDER_REF: &[&str] =
    &["订单编号", "订单号", "主订单编号", "平台订单号", "原始单号", "外部订单号", "orderid", "orderno", "ordernumber"];

/// A warehouse's shipping list (发货单): one parcel per row.
pub static SHIPMENTS: &[Spec] = &[
    spec(OrderId, 3, ORDER_REF),
    spec(TrackingNo, 3, TRACKING),
    spec(Courier, 2, COURIER),
    spec(ShipTime, 2, &["发货时间", "出库时间", "揽收时间", "打包时间", "shiptime", "shippedat", "fulfilledat"]),
    spec(Platform, 1, PLATFORM),
    spec(Shop, 1, SHOP),
    spec(Sku, 1, SKU),
    spec(Items, 0, ITEMS),
    spec(Quantity, 2, &["发货数量", "实发数量", "数量", "商品数量", "件数", "quantity", "qty"]),
    spec(Weight, 1, &["重量", "包裹重量", "实际重量", "称重重量", "weight"]),
    spec(Warehouse, 1, &["发货仓库", "仓库", "仓库名称", "发货仓", "warehouse"]),
];

/// A platform's after-sale export (售后单 / 退货单).
pub static RETURNS: &[Spec] = &[
    spec(
        ReturnId,
        4,
        &["售后单号", "退货单号", "售后编号", "退款编号", "退款单号", "服务单号", "returnid", "rmano", "refundid"],
    ),
    spec(OrderId, 2, ORDER_REF),
    spec(Platform, 1, PLATFORM),
    spec(Shop, 1, SHOP),
    spec(
        TrackingNo,
        2,
        &[
            "退货运单号",
            "退货物流单号",
            "退货快递单号",
            "买家退货运单号",
            "运单号",
            "物流单号",
            "快递单号",
            "returntrackingnumber",
        ],
    ),
    spec(Courier, 1, &["退货物流公司", "退货快递公司", "物流公司", "快递公司", "returncarrier"]),
    spec(Sku, 1, SKU),
    spec(Items, 0, ITEMS),
    spec(Quantity, 1, &["退货数量", "退款数量", "申请数量", "数量", "商品数量", "quantity"]),
    spec(Status, 2, &["售后状态", "退款状态", "退货状态", "状态", "status"]),
    spec(RefundAmount, 2, &["退款金额", "实际退款金额", "申请退款金额", "买家退款金额", "refundamount"]),
    spec(ApplyTime, 1, &["申请时间", "售后申请时间", "退款申请时间", "创建时间", "appliedat", "requestedat"]),
    spec(ReceiveTime, 1, &["签收时间", "仓库签收时间", "收货时间", "退货签收时间", "receivedat"]),
];

/// A courier's bill: one charge per parcel, sent or returned.
pub static COURIER_BILLS: &[Spec] = &[
    spec(TrackingNo, 3, TRACKING),
    spec(BillPeriod, 3, &["账单周期", "账期", "账单月份", "结算周期", "计费月份", "billperiod", "period"]),
    spec(Courier, 2, COURIER),
    spec(Type, 1, &["业务类型", "寄件类型", "运单类型", "类型", "方向", "direction", "type"]),
    spec(ShipTime, 1, &["寄件时间", "揽收时间", "揽件时间", "发货时间", "shiptime"]),
    spec(Weight, 2, &["计费重量", "结算重量", "重量", "chargeableweight", "weight"]),
    spec(Fee, 3, &["运费", "快递费", "基础运费", "首续重费用", "freight", "fee"]),
    spec(Surcharge, 1, &["附加费", "其他费用", "增值服务费", "surcharge"]),
    spec(Amount, 1, &["费用合计", "合计", "应付金额", "结算金额", "总费用", "total", "amount"]),
];

/// A warehouse's stock movements (出入库明细) and counts (盘点).
pub static INVENTORY: &[Spec] = &[
    spec(Sku, 3, SKU),
    spec(Warehouse, 2, &["仓库", "仓库名称", "warehouse"]),
    spec(TxnTime, 1, &["业务时间", "单据时间", "发生时间", "出入库时间", "时间", "日期", "time", "date"]),
    spec(Type, 2, &["业务类型", "单据类型", "出入库类型", "变动类型", "movement", "type"]),
    spec(Quantity, 2, &["数量", "变动数量", "出入库数量", "quantity", "qty"]),
    spec(Reference, 1, &["关联单号", "单据编号", "来源单号", "业务单号", "reference"]),
    spec(Balance, 2, &["结存数量", "库存数量", "结存", "期末数量", "当前库存", "onhand", "balance"]),
];

pub static SETTLEMENTS: &[Spec] = &[
    spec(TradeId, 0, &["业务流水号", "微信支付业务单号", "业务单号", "tradeid", "tradeno"]),
    spec(
        PayoutRef,
        2,
        &["提现单号", "打款单号", "结算单号", "结算批次号", "payoutid", "payoutref", "settlementid", "transferid"],
    ),
    spec(
        TxnId,
        1,
        &[
            "账务流水号",
            "资金流水单号",
            "动帐流水号",
            "动账流水号",
            "账户流水号",
            "资金流水号",
            "流水号",
            "交易流水号",
            "交易订单号",
            "交易单号",
            "交易号",
            "支付宝交易号",
            "微信订单号",
            "单据编号",
            "transactionid",
            "txnid",
            "id",
        ],
    ),
    spec(
        OrderId,
        3,
        &[
            "商户订单号",
            "商家订单号",
            "订单号",
            "订单编号",
            "主订单号",
            "商户单号",
            "业务订单号",
            "业务基础订单号",
            "关联订单号",
            // WeChat's fund bill: the merchant's order number of a trade (of a refund,
            // the merchant's refund number).
            "业务凭证号",
            "orderid",
            "order",
            // Last: a bill whose one id column is just 单号 (得物) names the order on a
            // sale or fee line, the withdrawal on a withdrawal.
            "单号",
        ],
    ),
    spec(SubOrderId, 0, &["子订单号", "子订单编号", "关联子订单号", "子单号", "suborderid", "orderitemid"]),
    spec(Platform, 1, PLATFORM),
    spec(Shop, 1, SHOP),
    // The after-sale case or refund document a line belongs to (JD 售后服务单号 or 单据类型
    // 售后服务单, Douyin 售后编号): it makes a line of sale money going back a refund. No
    // weight: they say nothing of what kind of file it is.
    spec(ReturnId, 0, &["售后服务单号", "售后单号", "售后编号"]),
    spec(DocType, 0, &["单据类型"]),
    spec(
        TxnTime,
        1,
        &[
            // JD's wallet settlement bill: the day the money was settled, not the fee's.
            "费用结算时间",
            "发生时间",
            "入账时间",
            "动账时间",
            "记账时间",
            "交易时间",
            "交易创建时间",
            "完成时间",
            "创建时间",
            "时间",
            "账单时间",
            "账单生成时间",
            "到账时间",
            "费用发生时间",
            "结算时间",
            "资金变动时间",
            "变动时间",
            "账务时间",
            "transactiontime",
            "time",
            "datetime",
            "createdat",
            "created",
            "date",
        ],
    ),
    spec(TxnDate, 0, &["交易日期", "记账日期", "日期", "transactiondate"]),
    spec(
        Type,
        2,
        &[
            "业务类型",
            "账务类型",
            "交易类型",
            "动账场景",
            "费用名称",
            "交易分类",
            "费用类型",
            "费用项",
            "计费类型",
            "动账类型",
            "变动类型",
            "结算类型",
            "资金类型",
            "账单类型",
            "类型",
            "type",
            "transactiontype",
        ],
    ),
    spec(Income, 1, &["收入金额", "收入", "入账金额", "income", "moneyin"]),
    spec(Expense, 1, &["支出金额", "支出", "出账金额", "expense", "moneyout"]),
    // A line's income and deductions as columns beside its net amount: no weight, they
    // say nothing of what kind of file it is.
    spec(
        Gross,
        0,
        &[
            "订单实付应结",
            "订单实付",
            "实付应结",
            "商品实付",
            "运费实付",
            "平台补贴",
            "达人补贴",
            "抖音支付补贴",
            "支付补贴",
            "商家补贴",
            "gross",
        ],
    ),
    spec(
        Deduction,
        0,
        &[
            "平台服务费",
            "技术服务费",
            "服务费",
            "佣金",
            "达人佣金",
            "服务商佣金",
            "渠道分成",
            "招商服务费",
            "其他分成",
            "站外推广费",
            "推广费",
            "支付手续费",
            "手续费",
            "commission",
            "fees",
        ],
    ),
    spec(
        Amount,
        1,
        &[
            "金额",
            "动账金额",
            "收支金额",
            "交易金额",
            "发生额",
            "应结金额",
            "结算金额",
            "商家实收",
            "变动金额",
            "资金变动金额",
            "amount",
            "net",
        ],
    ),
    spec(
        Direction,
        1,
        &[
            "收/支",
            "收支类型",
            "收支方向",
            "动账方向",
            "账户方向",
            "资金方向",
            "收付方向",
            "商家应收/应付",
            "收入/支出",
            "入账/出账",
            "收支",
            "方向",
            "direction",
        ],
    ),
    spec(Balance, 1, &["账户余额", "余额", "账户结余", "可用余额", "变动后余额", "balance"]),
    spec(Counterparty, 1, &["交易对方", "对方名称", "对方户名", "对方", "商户名称", "对方账号", "counterparty"]),
    spec(Currency, 0, CURRENCY),
    spec(TxnStatus, 1, &["交易状态", "当前状态", "状态", "status"]),
    spec(
        Memo,
        0,
        &[
            "备注",
            "商品名称",
            "商品说明",
            "交易说明",
            "业务描述",
            "资金动账备注",
            "钱包结算备注",
            "动账摘要",
            "说明",
            "商品",
            "摘要",
            "memo",
            "description",
            "note",
            "remark",
        ],
    ),
];

pub static BANK: &[Spec] = &[
    spec(
        Account,
        1,
        &[
            "本方账号",
            "我方账号",
            "本方账户",
            "账号",
            "卡号",
            "借记卡号",
            "卡号后四位",
            "卡号末四位",
            "账户",
            "account",
            "accountnumber",
            "iban",
        ],
    ),
    spec(
        TxnId,
        1,
        &[
            "交易流水号",
            "流水号",
            "银行流水号",
            "日志号",
            "凭证号",
            "交易参考号",
            "业务流水号",
            "交易序号",
            "reference",
            "transactionid",
            "txnid",
            "bankreference",
        ],
    ),
    spec(
        TxnTime,
        1,
        &["交易时间", "记账时间", "发生时间", "入账时间", "交易日期时间", "time", "datetime", "bookingtime"],
    ),
    spec(
        TxnDate,
        1,
        &["交易日期", "记账日期", "交易日", "记账日", "入账日期", "日期", "date", "bookingdate", "valuedate"],
    ),
    spec(
        Income,
        1,
        &[
            "贷方发生额",
            "贷方金额",
            "贷方发生额(收入)",
            "贷方",
            "记账金额(收入)",
            "交易金额(收入)",
            "收入金额",
            "收入",
            "存入金额",
            "存入",
            "收款金额",
            "credit",
            "creditamount",
            "deposits",
            "moneyin",
        ],
    ),
    spec(
        Expense,
        1,
        &[
            "借方发生额",
            "借方金额",
            "借方发生额(支出)",
            "借方",
            "记账金额(支出)",
            "交易金额(支出)",
            "支出金额",
            "支出",
            "取出金额",
            "付款金额",
            "debit",
            "debitamount",
            "withdrawals",
            "moneyout",
        ],
    ),
    spec(Amount, 1, &["交易金额", "金额", "发生额", "记账金额", "人民币金额", "amount"]),
    spec(
        Direction,
        1,
        &[
            "借贷",
            "借贷标志",
            "借贷方向",
            "借贷标识",
            "收/支",
            "收支",
            "收支方向",
            "交易方向",
            "方向",
            "dr/cr",
            "direction",
            "credit/debit",
        ],
    ),
    spec(
        Balance,
        1,
        &["余额", "账户余额", "联机余额", "本次余额", "交易后余额", "可用余额", "balance", "runningbalance"],
    ),
    spec(Currency, 1, CURRENCY),
    spec(
        CounterpartyAccount,
        2,
        &[
            "对方账号",
            "对方卡号/账号",
            "对方账户",
            "对方卡号",
            "收/付方账号",
            "对方帐号",
            "counterpartyaccount",
            "payeeaccount",
        ],
    ),
    spec(
        Counterparty,
        2,
        &[
            "对方户名",
            "对方账户名",
            "对方名称",
            "对方账户名称",
            "收/付方名称",
            "对方单位",
            "交易对方",
            "对手信息",
            "对方",
            "counterparty",
            "counterpartyname",
            "payee",
            "payer",
            "name",
        ],
    ),
    spec(
        Memo,
        1,
        &[
            "摘要",
            "交易摘要",
            "用途",
            "附言",
            "交易附言",
            "备注",
            "交易备注",
            "交易名称",
            "交易类型",
            "客户摘要",
            "交易详情",
            "memo",
            "description",
            "narrative",
            "remark",
            "purpose",
            "details",
        ],
    ),
];

pub fn specs(kind: Kind) -> &'static [Spec] {
    match kind {
        Kind::Orders => ORDERS,
        Kind::Settlements => SETTLEMENTS,
        Kind::Bank => BANK,
        Kind::Shipments => SHIPMENTS,
        Kind::Returns => RETURNS,
        Kind::CourierBills => COURIER_BILLS,
        Kind::Inventory => INVENTORY,
        Kind::Payments => SETTLEMENTS,
    }
}

/// Header text in the form synonyms are written: half-width, lower case, no spaces,
/// underscores or hyphens, no unit suffix like （元） or (+元), no `*` marker.
pub fn normalise_header(raw: &str) -> String {
    let hw = halfwidth(raw);
    let mut s: String = hw
        .trim()
        .trim_start_matches('*')
        .trim_end_matches([':', '：'])
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '\u{feff}'))
        .flat_map(char::to_lowercase)
        .collect();
    for unit in [
        "(元)",
        "(+元)",
        "(-元)",
        "(¥)",
        "(人民币)",
        "(rmb)",
        "(cny)",
        "(yuan)",
        "(人民币元)",
        "(kg)",
        "(千克)",
        "(公斤)",
        "(件)",
    ] {
        if let Some(stripped) = s.strip_suffix(unit) {
            s = stripped.to_string();
        }
    }
    s
}

/// Every synonym of every kind, to recognise a header row before the kind is known.
pub fn is_known_header(normalised: &str) -> bool {
    Kind::ALL.iter().any(|k| specs(*k).iter().any(|s| s.synonyms.contains(&normalised)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_normalise_to_synonyms() {
        assert_eq!(normalise_header("收入金额（+元）"), "收入金额");
        assert_eq!(normalise_header(" 支出金额（-元）"), "支出金额");
        assert_eq!(normalise_header("交易时间            "), "交易时间");
        assert_eq!(normalise_header("Order_ID"), "orderid");
        assert_eq!(normalise_header("交易金额(收入)"), "交易金额(收入)");
        assert_eq!(normalise_header("金额(元)"), "金额");
        assert_eq!(normalise_header("\u{feff}交易日期"), "交易日期");
        assert!(is_known_header("对方户名"));
        assert!(!is_known_header("交易渠道x"));
    }

    #[test]
    fn synonyms_are_normalised_already() {
        for kind in Kind::ALL {
            for s in specs(kind) {
                for syn in s.synonyms {
                    assert_eq!(&normalise_header(syn), syn, "{kind} {}", s.field);
                }
            }
        }
    }

    #[test]
    fn fields_parse_by_name() {
        assert_eq!("counterparty_name".parse::<Field>().unwrap(), Field::Counterparty);
        assert!("nonsense".parse::<Field>().unwrap_err().contains("known fields"));
    }
}
