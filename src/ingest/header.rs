//! Finding the header row by its content, mapping its columns to fields, and telling
//! from them what kind of data the file holds.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::fields::{self, Field, Spec, normalise_header};
use super::mapping::MappingFile;
use super::row::RawRow;
use crate::schema::Kind;

/// How many rows are searched for the header.
pub const SEARCH_ROWS: usize = 200;

/// The index (in `rows`) of the row that looks most like a header: the most cells that
/// are known column names. Needs at least two.
pub fn find_header(rows: &[RawRow]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().enumerate().take(SEARCH_ROWS) {
        let mut seen: Vec<String> = Vec::new();
        for cell in row.cells() {
            let n = normalise_header(cell);
            if !n.is_empty() && fields::is_known_header(&n) && !seen.contains(&n) {
                seen.push(n);
            }
        }
        let score = seen.len();
        if score >= 2 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

/// The first row whose cells hold every column name a mapping file gives (as headers
/// are compared), where it names any.
pub fn row_with_names(rows: &[RawRow], fields: &[(Field, Vec<&str>)]) -> Option<usize> {
    let wanted: Vec<String> = fields.iter().flat_map(|(_, names)| names.iter().map(|n| normalise_header(n))).collect();
    if wanted.is_empty() {
        return None;
    }
    rows.iter().position(|r| {
        let have: Vec<String> = r.cells().map(normalise_header).collect();
        wanted.iter().all(|w| have.contains(w))
    })
}

/// Which columns feed which field, for one kind.
#[derive(Clone, Debug)]
pub struct ColumnMap {
    pub kind: Kind,
    /// Columns in order of preference.
    pub fields: BTreeMap<Field, Vec<usize>>,
    pub score: u32,
    /// What was assumed in reading the columns — why this kind over another that fit
    /// too, which columns were joined — for the import report and `--explain`.
    pub why: Vec<String>,
}

impl ColumnMap {
    pub fn has(&self, f: Field) -> bool {
        self.fields.contains_key(&f)
    }

    pub fn columns(&self, f: Field) -> &[usize] {
        self.fields.get(&f).map_or(&[], Vec::as_slice)
    }

    /// What a kind cannot do without, if missing.
    pub fn missing(&self) -> Option<String> {
        let any = |fs: &[Field]| fs.iter().any(|f| self.has(*f));
        match self.kind {
            Kind::Orders => {
                if !self.has(Field::OrderId) {
                    return Some("no column for the order id (订单编号 / 订单号 / order id …)".into());
                }
                if !any(&[Field::OrderAmount, Field::PaidAmount]) {
                    return Some("no column for the order amount (订单金额 / 实付金额 / paid amount …)".into());
                }
            }
            Kind::Shipments => {
                if !self.has(Field::OrderId) {
                    return Some("no column for the order id (订单编号 / 订单号 …)".into());
                }
                if !any(&[Field::TrackingNo, Field::ShipTime]) {
                    return Some(
                        "no column for the tracking number or ship time (运单号 / 快递单号 / 发货时间 …)".into(),
                    );
                }
            }
            Kind::Returns => {
                if !self.has(Field::ReturnId) {
                    return Some("no column for the after-sale id (售后单号 / 退货单号 / 服务单号 …)".into());
                }
                if !self.has(Field::OrderId) {
                    return Some("no column for the order id (订单编号 / 订单号 …)".into());
                }
            }
            Kind::CourierBills => {
                if !self.has(Field::TrackingNo) {
                    return Some("no column for the tracking number (运单号 / 快递单号 / 物流单号 …)".into());
                }
                if !any(&[Field::Fee, Field::Amount]) {
                    return Some("no column for the charge (运费 / 快递费 / 费用合计 …)".into());
                }
            }
            Kind::Inventory => {
                if !self.has(Field::Sku) {
                    return Some("no column for the product code (商品编码 / 商家编码 / SKU …)".into());
                }
                if !any(&[Field::TxnTime, Field::TxnDate]) {
                    return Some("no column for the date or time (业务时间 / 单据时间 / 日期 …)".into());
                }
                if !any(&[Field::Quantity, Field::Balance]) {
                    return Some("no column for the quantity (数量 / 变动数量 / 结存数量 …)".into());
                }
            }
            Kind::Settlements | Kind::Bank | Kind::Payments => {
                if !any(&[Field::TxnTime, Field::TxnDate]) {
                    return Some("no column for the date or time (交易时间 / 发生时间 / 记账日期 / date …)".into());
                }
                if !any(&[Field::Amount, Field::Income, Field::Expense]) {
                    return Some(
                        "no column for the amount (金额 / 交易金额 / 收入+支出 / 借方发生额+贷方发生额 / amount …)"
                            .into(),
                    );
                }
            }
        }
        None
    }

    /// The header names the fields were found in, for error messages.
    pub fn names(&self, headers: &[String]) -> String {
        let mut cols: Vec<usize> = self.fields.values().flatten().copied().collect();
        cols.sort_unstable();
        cols.iter().map(|c| headers.get(*c).map_or("", |h| h.trim())).collect::<Vec<_>>().join(", ")
    }

    /// `field ← header` lines, for `--explain` and error messages.
    pub fn describe(&self, headers: &[String]) -> String {
        let mut out = String::new();
        for (field, cols) in &self.fields {
            let names: Vec<String> = cols
                .iter()
                .map(|c| format!("{} (column {})", headers.get(*c).map_or("", |h| h.trim()), c + 1))
                .collect();
            let _ = writeln!(out, "  {:<22} ← {}", field.name(), names.join(" + "));
        }
        out
    }
}

/// Maps headers to the fields of `kind`. Explicit columns of a mapping file come
/// first; every other field takes the columns whose names are its synonyms.
pub fn map_columns(kind: Kind, headers: &[String], mapping: Option<&MappingFile>) -> Result<ColumnMap, String> {
    let norm: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let mut taken = vec![false; headers.len()];
    let mut out: BTreeMap<Field, Vec<usize>> = BTreeMap::new();
    if let Some(m) = mapping {
        for (field, names) in m.column_fields() {
            let mut cols = Vec::new();
            for name in names {
                let want = normalise_header(name);
                let col = norm.iter().position(|h| *h == want).ok_or_else(|| {
                    format!("the mapping names column '{name}' for {field}, but the header has no such column")
                })?;
                taken[col] = true;
                cols.push(col);
            }
            out.insert(field, cols);
        }
    }
    let specs: &[Spec] = fields::specs(kind);
    let mut score = 0;
    for spec in specs {
        if out.contains_key(&spec.field) {
            score += spec.weight;
            continue;
        }
        let own_name = normalise_header(spec.field.name());
        let mut cols = Vec::new();
        for syn in spec.synonyms.iter().copied().chain(std::iter::once(own_name.as_str())) {
            for (i, h) in norm.iter().enumerate() {
                if !taken[i] && h == syn && (cols.is_empty() || spec.field.takes_several_columns()) {
                    taken[i] = true;
                    cols.push(i);
                }
            }
        }
        if !cols.is_empty() {
            score += spec.weight;
            out.insert(spec.field, cols);
        }
    }
    // A field read from one column whose name the header repeats: say which is read.
    let mut why = Vec::new();
    for cols in out.values() {
        let [c] = cols.as_slice() else { continue };
        let twins: Vec<String> = (0..headers.len())
            .filter(|&o| o != *c && !taken[o] && norm[o] == norm[*c])
            .map(|o| (o + 1).to_string())
            .collect();
        if !twins.is_empty() {
            why.push(format!(
                "the header names {} more than once (columns {} and {}): column {} is read, the other left out \
                 (a mapping file can name the one to read)",
                headers[*c].trim(),
                c + 1,
                twins.join(", "),
                c + 1
            ));
        }
    }
    Ok(ColumnMap { kind, fields: out, score, why })
}

/// Each kind recon may guess, with its columns, best first (a kind lacking a column it
/// cannot do without included: it may be what the file was meant to be).
pub fn candidates(headers: &[String], mapping: Option<&MappingFile>) -> Result<Vec<ColumnMap>, String> {
    let mut all = Kind::GUESSABLE.iter().map(|k| map_columns(*k, headers, mapping)).collect::<Result<Vec<_>, _>>()?;
    all.sort_by_key(|m| std::cmp::Reverse(m.score));
    Ok(all)
}

/// Picks the kind whose fields the headers fit best, or says why it cannot. A kind that
/// fits is refused when the columns point more strongly to another kind that lacks a
/// column: an ERP's order list whose order id recon cannot name must not pass for a
/// courier's bill because it has tracking numbers.
pub fn guess_kind(headers: &[String], mapping: Option<&MappingFile>) -> Result<ColumnMap, String> {
    let all = candidates(headers, mapping)?;
    let chosen = pick(headers, all.iter().filter(|m| m.missing().is_none()).cloned().collect())?;
    let better = all.iter().find(|m| m.missing().is_some() && m.score > chosen.score + 2);
    match better {
        Some(b) => Err(format!(
            "its columns fit {} ({}), but point more to {} ({}), which has {}: pass --kind {} to read it as {} anyway, \
             or a mapping file naming the missing column (`recon import --explain FILE` writes one to fill in)",
            chosen.kind,
            chosen.names(headers),
            b.kind,
            b.names(headers),
            b.missing().unwrap_or_default(),
            chosen.kind,
            chosen.kind
        )),
        None => Ok(chosen),
    }
}

fn pick(headers: &[String], fits: Vec<ColumnMap>) -> Result<ColumnMap, String> {
    match fits.as_slice() {
        [] => Err("its columns fit none of orders (order id and amount), settlements or bank (date and amount), \
                   shipments (order id and tracking number), returns (after-sale id and order id), courier bills \
                   (tracking number and fee) or inventory (SKU, date and quantity)"
            .into()),
        [only] => Ok(only.clone()),
        [first, second, ..] if first.score >= second.score + 2 => Ok(first.clone()),
        // Money per order decides between an order list and a list of parcels or courier
        // charges that also fits: an order export that carries tracking numbers is still
        // one, and a shipping list or a courier's bill has no order amounts.
        [first, second, ..]
            if [first, second].iter().any(|m| m.kind == Kind::Orders)
                && [first, second]
                    .iter()
                    .all(|m| matches!(m.kind, Kind::Orders | Kind::Shipments | Kind::CourierBills | Kind::Returns)) =>
        {
            let orders = if first.kind == Kind::Orders { first } else { second };
            let other = if first.kind == Kind::Orders { second } else { first };
            let money: Vec<&str> = [Field::OrderAmount, Field::PaidAmount]
                .iter()
                .flat_map(|f| orders.columns(*f).iter().map(|c| headers[*c].trim()))
                .collect();
            if money.is_empty() {
                return Err(format!(
                    "its columns fit both {} and {}; pass --kind {} or --kind {}",
                    first.kind, second.kind, first.kind, second.kind
                ));
            }
            let mut chosen = orders.clone();
            chosen.why.push(format!(
                "its columns fit {} too; read as orders because it has the orders' money ({}), which a {} has not (--kind {} reads it as that)",
                other.kind,
                money.join(", "),
                match other.kind {
                    Kind::Shipments => "shipping list",
                    Kind::CourierBills => "courier's bill",
                    _ => "list of returns",
                },
                other.kind
            ));
            Ok(chosen)
        }
        [first, second, ..] => Err(format!(
            "its columns fit both {} and {}; pass --kind {} or --kind {}",
            first.kind, second.kind, first.kind, second.kind
        )),
    }
}

/// Values the lines above the header give for the whole file: `#平台：天猫`,
/// `店铺名称：…`, `卡号: 1234****9876`, `# 账号：[…]`, `币种：人民币`, and the platform
/// when a title names it (支付宝, 微信支付, 京东 …).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    pub platform: Option<String>,
    pub shop: Option<String>,
    pub account: Option<String>,
    pub currency: Option<String>,
    /// A platform named in a title, weaker than an explicit `平台：`.
    pub platform_mentioned: Option<String>,
}

/// Values the lines above the header give for the whole file (see [`Hints`]).
pub fn preamble_hints(rows: &[RawRow]) -> Hints {
    let mut h = Hints::default();
    for row in rows {
        let cells: Vec<String> = row.cells().map(|c| crate::values::halfwidth(c).trim().to_string()).collect();
        for (i, cell) in cells.iter().enumerate() {
            let text = cell.trim_start_matches('#').trim();
            for (key, mut value) in key_values(text) {
                // `账　　号：` | `6217 **** **** 0088`: the value is in the next cell.
                if value.is_empty() {
                    value = cells[i + 1..].iter().find(|c| !c.is_empty()).cloned().unwrap_or_default();
                }
                let key = normalise_header(key);
                let slot = match key.as_str() {
                    "平台" | "平台名称" | "platform" => &mut h.platform,
                    "店铺" | "店铺名称" | "店铺名" | "shop" | "store" => &mut h.shop,
                    "账号" | "卡号" | "账户" | "帐号" | "账户号" | "account" => &mut h.account,
                    "币种" | "币别" | "currency" => &mut h.currency,
                    _ => continue,
                };
                if slot.is_none() && !value.is_empty() {
                    *slot = Some(value);
                }
            }
            if h.platform_mentioned.is_none() {
                h.platform_mentioned = platform_in_text(text);
            }
        }
    }
    h.account = h.account.map(|a| a.chars().filter(|c| !c.is_whitespace()).collect());
    h
}

/// The platform a header row gives away by its column names (微信支付业务单号,
/// 支付宝交易号 …), for files without a title.
pub fn platform_in_header(headers: &[String]) -> Option<String> {
    headers.iter().find_map(|h| platform_in_text(h))
}

/// `key：value` pairs in one cell. Several may share a line: a value ends at a closing
/// bracket when it opens with one (`起始时间：[2023-02-10 00:00:00]    终止时间：[…]`),
/// else at a run of two spaces, so `账号：6214 83** **** 5678` stays whole.
fn key_values(text: &str) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(':') {
        let key = rest[..i].trim();
        let after = rest[i + 1..].trim_start();
        let (value, next) = match after.chars().next() {
            Some(open @ ('[' | '【')) => {
                let close = if open == '[' { ']' } else { '】' };
                match after.find(close) {
                    Some(j) => (&after[open.len_utf8()..j], &after[j + close.len_utf8()..]),
                    None => (&after[open.len_utf8()..], ""),
                }
            }
            _ => match after.find("  ") {
                Some(j) => (&after[..j], &after[j..]),
                None => (after, ""),
            },
        };
        if !key.is_empty() && key.chars().count() <= 8 {
            out.push((key, value.trim().to_string()));
        }
        rest = next;
    }
    out
}

fn platform_in_text(text: &str) -> Option<String> {
    const NAMES: [(&str, &str); 9] = [
        ("支付宝", "alipay"),
        ("微信", "wechat"),
        ("京东", "jd"),
        ("抖音", "douyin"),
        ("抖店", "douyin"),
        ("拼多多", "pdd"),
        ("天猫", "tmall"),
        ("淘宝", "tmall"),
        ("财付通", "wechat"),
    ];
    NAMES.iter().find(|(k, _)| text.contains(k)).map(|(_, v)| v.to_string())
}

/// Canonical platform names by the built-in aliases (crate::platforms): 天猫/淘宝 →
/// tmall, 微信小程序 → wechat, 线下/对公 → b2b; others lower-cased.
pub fn normalise_platform(raw: &str) -> Cow<'_, str> {
    crate::platforms::builtin(raw)
}

pub fn normalise_currency(raw: &str) -> Cow<'static, str> {
    let s = raw.trim();
    Cow::Borrowed(match s {
        "人民币" | "RMB" | "rmb" | "CNY" | "cny" | "¥" | "￥" | "元" | "本币" => "CNY",
        "美元" | "美金" | "USD" | "usd" | "$" => "USD",
        "港币" | "港元" | "HKD" | "hkd" => "HKD",
        "欧元" | "EUR" | "eur" | "€" => "EUR",
        "日元" | "JPY" | "jpy" => "JPY",
        "英镑" | "GBP" | "gbp" => "GBP",
        other if other.len() == 3 && other.is_ascii() => return Cow::Owned(other.to_ascii_uppercase()),
        other => return Cow::Owned(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> RawRow {
        RawRow::of(cells)
    }

    fn headers(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn key_values_in_preamble_lines() {
        let kv = |s: &str| key_values(s).into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>();
        assert_eq!(
            kv("起始时间:[2023-02-10 00:00:00]    终止时间:[2023-02-13 23:59:59]"),
            ["起始时间=2023-02-10 00:00:00", "终止时间=2023-02-13 23:59:59"]
        );
        assert_eq!(kv("账号:6214 83** **** 5678"), ["账号=6214 83** **** 5678"]);
        let rows = vec![row(&["账　　号：", "", "6217 **** **** 0088"]), row(&["# 账号：[6214 83** **** 5678]"])];
        assert_eq!(preamble_hints(&rows).account.as_deref(), Some("6217********0088"));
        assert_eq!(preamble_hints(&rows[1..]).account.as_deref(), Some("621483******5678"));
        assert_eq!(platform_in_header(&headers(&["记账时间", "微信支付业务单号"])).as_deref(), Some("wechat"));
    }

    #[test]
    fn header_is_found_below_a_preamble() {
        let rows = vec![
            row(&["#支付宝账务明细查询"]),
            row(&["#账号：[finance@yunfan-ec.com]"]),
            row(&["#平台：天猫"]),
            row(&[
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
            ]),
            row(&[
                "2026100320004001\t",
                "",
                "T200P123\t",
                "x",
                "2026-10-03 10:00:00",
                "",
                "12.00",
                "",
                "12.00",
                "",
                "交易",
                "",
            ]),
        ];
        assert_eq!(find_header(&rows), Some(3));
        let h = preamble_hints(&rows[..3]);
        assert_eq!(h.platform.as_deref(), Some("天猫"));
        assert_eq!(h.account.as_deref(), Some("finance@yunfan-ec.com"));
        assert_eq!(h.platform_mentioned.as_deref(), Some("alipay"));
        let hs: Vec<String> = rows[3].cells().map(str::to_string).collect();
        let map = guess_kind(&hs, None).unwrap();
        assert_eq!(map.kind, Kind::Settlements);
        assert_eq!(map.columns(Field::TxnId), &[0]);
        assert_eq!(map.columns(Field::OrderId), &[2]);
        assert_eq!(map.columns(Field::Income), &[6]);
        assert_eq!(map.columns(Field::Expense), &[7]);
        assert_eq!(map.columns(Field::Type), &[10]);
    }

    #[test]
    fn kinds_are_told_apart() {
        let bank = headers(&[
            "交易时间",
            "交易流水号",
            "借方发生额",
            "贷方发生额",
            "余额",
            "币种",
            "对方户名",
            "对方账号",
            "对方开户行",
            "摘要",
            "用途",
        ]);
        let m = guess_kind(&bank, None).unwrap();
        assert_eq!(m.kind, Kind::Bank);
        assert_eq!(m.columns(Field::Memo), &[9, 10]);
        let orders = headers(&[
            "平台",
            "店铺名称",
            "订单编号",
            "下单时间",
            "付款时间",
            "发货时间",
            "订单状态",
            "币种",
            "订单金额",
            "实付金额",
            "买家姓名",
            "联系电话",
            "收货地址",
            "物流单号",
            "快递公司",
        ]);
        assert_eq!(guess_kind(&orders, None).unwrap().kind, Kind::Orders);
        let wechat = headers(&[
            "交易时间",
            "交易类型",
            "交易对方",
            "商品",
            "收/支",
            "金额(元)",
            "支付方式",
            "当前状态",
            "交易单号",
            "商户单号",
            "备注",
        ]);
        assert_eq!(guess_kind(&wechat, None).unwrap().kind, Kind::Settlements);
        let abc = headers(&[
            "交易日期",
            "交易时间",
            "交易摘要",
            "交易金额",
            "本次余额",
            "对手信息",
            "日 志 号",
            "交易渠道",
            "交易附言",
        ]);
        assert_eq!(guess_kind(&abc, None).unwrap().kind, Kind::Bank);
        let vague = headers(&["日期", "金额"]);
        let err = guess_kind(&vague, None).unwrap_err();
        assert!(err.contains("--kind"), "{err}");
        let nothing = headers(&["名称", "数量"]);
        assert!(guess_kind(&nothing, None).unwrap_err().contains("fit none"));
    }

    #[test]
    fn canonical_names_map_themselves() {
        let h = headers(&[
            "account",
            "txn_id",
            "txn_time",
            "amount",
            "currency",
            "balance",
            "counterparty_name",
            "counterparty_account",
            "memo",
            "source_file",
        ]);
        let m = map_columns(Kind::Bank, &h, None).unwrap();
        assert!(m.missing().is_none());
        assert_eq!(m.columns(Field::TxnTime), &[2]);
        assert_eq!(m.columns(Field::Counterparty), &[6]);
    }

    #[test]
    fn platforms_and_currencies() {
        assert_eq!(normalise_platform("天猫"), "tmall");
        assert_eq!(normalise_platform(" JD "), "jd");
        assert_eq!(normalise_platform("线下"), "b2b");
        assert_eq!(normalise_platform("Etsy"), "etsy");
        assert_eq!(normalise_currency("人民币"), "CNY");
        assert_eq!(normalise_currency("usd"), "USD");
    }
}
