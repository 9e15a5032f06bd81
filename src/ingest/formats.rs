//! Named export formats: the layouts of real platform, wallet, bank and warehouse
//! exports, each known by the columns only it has. A file is recognised by its header
//! (never its name), `--as NAME` insists on one, and `recon formats` lists them. The
//! columns themselves are read by the synonyms of `fields`; a format adds its name, the
//! kind and platform it implies, and the columns it cannot do without.

use super::fields::normalise_header;
use crate::schema::Kind;

#[derive(Debug)]
pub struct Format {
    pub name: &'static str,
    pub title: &'static str,
    pub kind: Kind,
    /// The platform every row belongs to, when the format says (a column or `--platform` wins).
    pub platform: Option<&'static str>,
    /// Columns that tell this layout, as normalised headers; each entry lists the
    /// spellings one column goes by.
    pub signature: &'static [&'static [&'static str]],
    /// A header as the export writes it.
    pub example: &'static str,
    /// The file writes money out positive (a credit card's bill lists spending as
    /// positive amounts): every amount is turned round, so money in is positive.
    pub negate: bool,
    /// The bill shows a refunded purchase net of its refunds (JD: `416.87(已退款233.45)`,
    /// `44.28(已全额退款)`, and says so above its header): a refund's own 不计收支 row is
    /// then already counted, and storing it would count it twice.
    pub nets_refunds: bool,
}

macro_rules! format {
    ($name:literal, $title:literal, $kind:ident, $platform:expr, [$([$($alt:literal),+]),+], $example:literal) => {
        Format {
            name: $name,
            title: $title,
            kind: Kind::$kind,
            platform: $platform,
            signature: &[$(&[$($alt),+]),+],
            example: $example,
            negate: false,
            nets_refunds: false,
        }
    };
    (negated $name:literal, $title:literal, $kind:ident, $platform:expr, [$([$($alt:literal),+]),+], $example:literal) => {
        Format { negate: true, ..format!($name, $title, $kind, $platform, [$([$($alt),+]),+], $example) }
    };
    (netting $name:literal, $title:literal, $kind:ident, $platform:expr, [$([$($alt:literal),+]),+], $example:literal) => {
        Format { nets_refunds: true, ..format!($name, $title, $kind, $platform, [$([$($alt),+]),+], $example) }
    };
}

pub static FORMATS: &[Format] = &[
    format!(
        "alipay-ledger",
        "Alipay merchant 账务明细",
        Settlements,
        None,
        [["账务流水号"], ["业务流水号"], ["商户订单号"], ["收入金额"], ["支出金额"], ["业务类型"]],
        "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注"
    ),
    format!(
        "alipay-business",
        "Alipay merchant 业务明细",
        Payments,
        None,
        [["支付宝交易号"], ["商户订单号"], ["商家实收"], ["服务费"]],
        "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,订单金额（元）,商家实收（元）,服务费（元）,备注"
    ),
    format!(
        "alipay-personal",
        "Alipay personal bill",
        Settlements,
        Some("alipay"),
        [["交易分类"], ["交易对方"], ["收/支"], ["金额"], ["收/付款方式"], ["交易订单号"]],
        "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注"
    ),
    format!(
        "alipay-personal-web",
        "Alipay personal bill, web layout 交易记录明细查询",
        Settlements,
        Some("alipay"),
        [["交易号"], ["交易创建时间"], ["收/支"], ["金额"], ["交易状态"], ["资金状态"]],
        "交易号,商家订单号,交易创建时间,付款时间,最近修改时间,交易来源地,类型,交易对方,商品名称,金额（元）,收/支,交易状态,服务费（元）,成功退款（元）,备注,资金状态"
    ),
    format!(
        "wechat-funds",
        "WeChat Pay fund bill 资金账单",
        Settlements,
        Some("wechat"),
        [["记账时间"], ["微信支付业务单号"], ["资金流水单号"], ["收支类型"], ["收支金额"]],
        "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号"
    ),
    format!(
        "wechat-personal",
        "WeChat personal bill (CSV or xlsx)",
        Settlements,
        Some("wechat"),
        [["交易类型"], ["交易对方"], ["商品"], ["收/支"], ["支付方式"], ["当前状态"], ["交易单号"]],
        "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注"
    ),
    format!(
        netting "jd-wallet",
        "JD 京东 wallet bill",
        Settlements,
        Some("jd"),
        [["商户名称"], ["交易说明"], ["收/付款方式"], ["收/支"], ["交易订单号"]],
        "交易时间,商户名称,交易说明,金额,收/付款方式,交易状态,收/支,交易分类,交易订单号,商家订单号,备注"
    ),
    format!(
        "jd-settlement",
        "JD settlement bill",
        Settlements,
        Some("jd"),
        [["订单编号"], ["费用名称"], ["应结金额"], ["收支方向"]],
        "订单编号,父单号,订单状态,订单下单时间,订单完成时间,售后服务单号,商品编号,商品名称,商品数量,费用名称,应结金额,币种,收支方向,结算状态,预计结算时间,账单生成时间,到账时间,商户订单号,资金动账备注"
    ),
    format!(
        "jd-settlement-old",
        "JD settlement bill, old header (钱包结算 费用项)",
        Settlements,
        Some("jd"),
        [["订单编号"], ["费用项"], ["金额"], ["商家应收/应付"], ["费用结算时间"]],
        "订单编号,单据编号,单据类型,商品编号,商户订单号,商品名称,结算状态,费用发生时间,费用计费时间,费用结算时间,费用项,金额,币种,商家应收/应付,钱包结算备注,店铺号,京东门店编号,品牌门店编号,门店名称,备注,收支方向,商品数量,账单日期"
    ),
    format!(
        "douyin-ledger",
        "Douyin 抖店 动账明细 / 资金流水明细",
        Settlements,
        Some("douyin"),
        [["动账流水号", "动帐流水号"], ["动账方向", "动帐方向"], ["动账金额", "动帐金额"]],
        "动账时间,动帐流水号,动账方向,动账金额,动账账户,动账场景,计费类型,子订单号,订单号,售后编号,下单时间,订单实付应结,平台服务费,佣金,备注"
    ),
    format!(
        "douyin-funds",
        "Douyin 抖店 资金流水 download, one account's 动账明细 (with 账户余额)",
        Settlements,
        Some("douyin"),
        [["动账流水号", "动帐流水号"], ["动账金额", "动帐金额"], ["动账场景"], ["账户余额"], ["关联订单号"]],
        "动账流水号,关联订单号,关联子订单号,动账时间,账户方向,动账金额(元),动账场景,账户余额(元),备注"
    ),
    format!(
        "pdd-ledger",
        "Pinduoduo 店铺账务明细",
        Settlements,
        Some("pdd"),
        [["商户订单号"], ["发生时间"], ["收入金额"], ["支出金额"], ["账务类型"], ["业务描述"]],
        "商户订单号,发生时间,收入金额（+元）,支出金额（-元）,账务类型,备注,业务描述"
    ),
    format!(
        "taobao-orders",
        "Taobao/Tmall order export",
        Orders,
        Some("tmall"),
        [["订单编号"], ["买家会员名"], ["买家实际支付金额", "买家实付金额"], ["订单状态"]],
        "订单编号,买家会员名,买家应付货款,总金额,买家实际支付金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间,宝贝标题,物流单号,物流公司,宝贝总数量,商家编码"
    ),
    format!(
        "shopify-orders",
        "Shopify orders export (one row per line item)",
        Orders,
        Some("shopify"),
        [["name"], ["financialstatus"], ["lineitemquantity"], ["total"]],
        "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Shipping Name,Shipping Address1,Shipping Phone"
    ),
    format!(
        "icbc-debit",
        "ICBC 工商银行 debit card statement (v1 and v2)",
        Bank,
        None,
        [["交易场所"], ["记账金额(收入)"], ["记账金额(支出)"], ["记账币种"]],
        "交易日期,摘要,交易详情,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),交易币种,记账金额(收入),记账金额(支出),记账币种,余额,对方户名,对方账户"
    ),
    format!(
        "ccb",
        "CCB 建设银行 statement (.xls)",
        Bank,
        None,
        [["记账日"], ["支出"], ["收入"], ["账户余额"], ["交易地点"]],
        "记账日,交易日期,交易时间,支出,收入,账户余额,币种,摘要,对方账号,对方户名,交易地点"
    ),
    format!(
        "cmb",
        "CMB 招商银行 statement CSV",
        Bank,
        None,
        [["记账日期"], ["联机余额"], ["交易摘要"], ["对手信息"]],
        "记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要"
    ),
    format!(negated
        "cmb-credit",
        "CMB 招商银行 credit-card bill (spending written positive)",
        Bank,
        None,
        [["交易日"], ["记账日"], ["人民币金额"], ["卡号后四位", "卡号末四位"]],
        "交易日,记账日,交易摘要,人民币金额,卡号后四位"
    ),
    format!(
        "abc",
        "ABC 农业银行 statement",
        Bank,
        None,
        [["交易摘要"], ["本次余额"], ["对手信息"]],
        "交易日期,交易时间,交易摘要,交易金额,本次余额,对手信息,日志号,交易渠道,交易附言"
    ),
    format!(
        "boc",
        "BOC 中国银行 statement",
        Bank,
        None,
        [["记账日期"], ["记账时间"], ["币别"], ["交易名称"], ["对方账户名"]],
        "记账日期,记账时间,币别,金额,余额,交易名称,渠道,网点名称,附言,对方账户名,对方卡号/账号,对方开户行,借记卡号"
    ),
    format!(
        "bocom",
        "BOCOM 交通银行 statement",
        Bank,
        None,
        [["交易类型"], ["借贷"], ["交易金额"], ["对方户名"], ["交易地点"]],
        "序号,交易日期,交易时间,交易类型,借贷,交易金额,余额,对方账号,对方户名,交易地点,摘要"
    ),
    format!(
        "spdb",
        "SPDB 浦发银行 statement (.xls)",
        Bank,
        None,
        [["顺序号"], ["存入金额"], ["取出金额"], ["交易对手名称"]],
        "顺序号,交易日期,交易类型,存入金额,取出金额,余额,交易对手名称,交易对手账号,附言"
    ),
    format!(
        "corporate-bank",
        "Corporate bank statement (借方/贷方发生额), CSV, XLS or XLSX",
        Bank,
        None,
        [["借方发生额", "借方金额"], ["贷方发生额", "贷方金额"]],
        "交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要"
    ),
    format!(
        "warehouse-shipments",
        "Warehouse shipping list 发货单",
        Shipments,
        None,
        [["订单编号", "订单号"], ["运单号", "快递单号", "物流单号"], ["发货时间", "出库时间"]],
        "平台,店铺,订单编号,物流公司,运单号,发货时间,商品编码,商品名称,数量,重量(kg),发货仓库"
    ),
    format!(
        "after-sales",
        "Platform after-sale export 售后单",
        Returns,
        None,
        [["售后单号", "退货单号", "服务单号"], ["订单编号", "订单号"]],
        "售后单号,订单编号,平台,店铺,退货物流公司,退货运单号,商品编码,商品名称,退货数量,售后状态,退款金额,申请时间,签收时间"
    ),
    format!(
        "courier-bill",
        "Courier monthly bill",
        CourierBills,
        None,
        [["运单号", "快递单号"], ["运费", "快递费"], ["账单周期", "账期", "计费月份"]],
        "快递公司,账单周期,运单号,业务类型,寄件时间,计费重量(kg),运费,附加费,费用合计"
    ),
    format!(
        "stock-movements",
        "Warehouse stock movements 出入库明细",
        Inventory,
        None,
        [["商品编码", "商家编码", "sku"], ["结存数量", "库存数量"]],
        "商品编码,仓库,业务时间,业务类型,数量,关联单号,结存数量"
    ),
];

pub fn by_name(name: &str) -> Option<&'static Format> {
    let name = name.trim().to_ascii_lowercase();
    FORMATS.iter().find(|f| f.name == name)
}

impl Format {
    /// The signature columns the headers lack, each as its spellings (`A / B`).
    pub fn missing(&self, headers: &[String]) -> Vec<String> {
        let have: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        self.signature
            .iter()
            .filter(|alts| !alts.iter().any(|a| have.iter().any(|h| h == a)))
            .map(|alts| alts.join(" / "))
            .collect()
    }
}

/// A format whose kind no import guesses (trade records look like a ledger) that these
/// headers are in: it decides the kind.
pub fn identify_unguessable(headers: &[String]) -> Option<&'static Format> {
    FORMATS
        .iter()
        .filter(|f| !Kind::GUESSABLE.contains(&f.kind) && f.missing(headers).is_empty())
        .max_by_key(|f| f.signature.len())
}

/// The format of `kind` these headers are in: of those whose signature they carry
/// whole, the one with the most signature columns (the most specific).
pub fn identify(headers: &[String], kind: Kind) -> Option<&'static Format> {
    FORMATS.iter().filter(|f| f.kind == kind && f.missing(headers).is_empty()).max_by_key(|f| f.signature.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> Vec<String> {
        line.split(',').map(str::to_string).collect()
    }

    #[test]
    fn each_example_header_is_recognised_as_its_own_format() {
        for f in FORMATS {
            let found = identify(&headers(f.example), f.kind).map(|g| g.name);
            assert_eq!(found, Some(f.name), "{}: {}", f.name, f.example);
            assert!(f.signature.iter().flat_map(|a| a.iter()).all(|s| normalise_header(s) == *s), "{}", f.name);
        }
    }

    #[test]
    fn a_missing_column_is_named() {
        let f = by_name("pdd-ledger").unwrap();
        let h = headers("商户订单号,发生时间,收入金额（+元）,支出金额（-元）,备注,业务描述");
        assert_eq!(f.missing(&h), vec!["账务类型"]);
        assert!(by_name("nonesuch").is_none());
    }
}
