//! Named formats: real exports recognised by their header whatever the file is called,
//! `recon formats` listing them, and `--as NAME` insisting on a layout — tolerant of a
//! column added, columns reordered or one more preamble line, strict about a column the
//! format cannot do without.

use crate::common::{Ws, recon, shared, text};

const NAMES: [&str; 24] = [
    "alipay-ledger",
    "alipay-business",
    "alipay-personal",
    "alipay-personal-web",
    "wechat-funds",
    "wechat-personal",
    "jd-wallet",
    "jd-settlement",
    "jd-settlement-old",
    "douyin-ledger",
    "douyin-funds",
    "pdd-ledger",
    "taobao-orders",
    "icbc-debit",
    "ccb",
    "cmb",
    "abc",
    "boc",
    "bocom",
    "spdb",
    "corporate-bank",
    "warehouse-shipments",
    "after-sales",
    "courier-bill",
];

#[test]
fn recon_formats_lists_every_named_format_with_its_header() {
    let out = recon().arg("formats").output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    for name in NAMES {
        assert!(listed.lines().any(|l| l.starts_with(name)), "{name} missing from:\n{listed}");
    }
    assert!(listed.contains("Alipay merchant 账务明细 → settlements"), "{listed}");
    assert!(listed.contains("e.g. 账务流水号,业务流水号,商户订单号"), "{listed}");
}

#[test]
fn real_exports_are_recognised_by_their_header() {
    let Some(_) = crate::common::shared_or_skip("real-samples/double-entry-generator") else { return };
    let cases = [
        ("abc_debit__example-abc_debit-records.csv", "abc"),
        ("alipay__example-alipay-records.csv", "alipay-personal"),
        ("boc__debit__example-boc-records.csv", "boc"),
        ("bocom_debit__example-bocom_debit-records.csv", "bocom"),
        ("ccb__交易明细_xxxx_2025xxxx_2025xxxx.xls", "ccb"),
        ("cmb__debit__example-cmb-records.csv", "cmb"),
        ("icbc__debit-v1__example-icbc-debit-v1-records.csv", "icbc-debit"),
        ("icbc__debit-v2__example-icbc-debit-v2-records.csv", "icbc-debit"),
        ("jd__example-jd-records.csv", "jd-wallet"),
        ("spdb_debit__example-spdb_debit-records.xls", "spdb"),
        ("wechat__example-wechat-records.csv", "wechat-personal"),
        ("wechat__example-wechat-records.xlsx", "wechat-personal"),
    ];
    for (file, name) in cases {
        let path = shared(&format!("real-samples/double-entry-generator/{file}"));
        let out = recon().args(["import", "--explain"]).arg(&path).output().unwrap();
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains(&format!("format: {name} (")), "{file}: {}", text(&out.stdout));
    }
}

/// A Pinduoduo 店铺账务明细 as the shop exports it, but with its columns moved around,
/// one column more, and one more line above the header.
const PDD_MOVED: &str = "店铺账务明细\n店铺：云帆拼多多优选店\n导出时间：2026-11-01 09:00:00\n\
    业务描述,商户订单号,发生时间,支出金额（-元）,收入金额（+元）,账务类型,备注,操作人\n\
    交易收入,260531-662941284701219,2026-10-01 10:00:00,,99.00,交易收入,,系统\n\
    技术服务费,260531-662941284701219,2026-10-01 10:00:00,-0.59,,技术服务费,,系统\n\
    #收入合计：99.00元\n";

#[test]
fn a_named_format_insists_on_its_columns_and_tolerates_a_changed_layout() {
    let ws = Ws::new();
    let moved = ws.scratch("pdd_moved.csv");
    std::fs::write(&moved, PDD_MOVED).unwrap();
    let out = ws.ok(&["import", "--no-progress", "--as", "pdd-ledger", moved.to_str().unwrap()]);
    assert!(out.contains("stored 2 rows") && !out.contains("footer"), "{out}");
    assert_eq!(
        ws.rows("SELECT platform, kind, amount FROM settlements ORDER BY amount"),
        vec![vec!["pdd", "fee", "-0.59"], vec!["pdd", "sale", "99.00"]]
    );
    assert!(ws.value("SELECT format FROM imports WHERE id = 1").starts_with("pdd-ledger: "));

    // Without 账务类型 it is no Pinduoduo ledger: refused, naming the column.
    let missing = ws.scratch("pdd_missing.csv");
    std::fs::write(
        &missing,
        PDD_MOVED.replace(",账务类型", "").replace(",交易收入,,系统", ",,系统").replace(",技术服务费,,系统", ",,系统"),
    )
    .unwrap();
    let refused = ws.run(&["import", "--no-progress", "--as", "pdd-ledger", missing.to_str().unwrap()]);
    assert!(!refused.status.success());
    let why = text(&refused.stderr);
    assert!(why.contains("pdd_missing.csv") && why.contains("has no column 账务类型"), "{why}");
    // Insisting on another platform's format names what this file lacks.
    let wrong = ws.run(&["import", "--as", "alipay-ledger", moved.to_str().unwrap()]);
    assert!(text(&wrong.stderr).contains("has no column 账务流水号"), "{}", text(&wrong.stderr));
    let unknown = ws.run(&["import", "--as", "nonesuch", moved.to_str().unwrap()]);
    assert!(text(&unknown.stderr).contains("unknown format 'nonesuch'"), "{}", text(&unknown.stderr));
    // Nothing was stored by the refused imports.
    assert_eq!(ws.value("SELECT count(*) FROM imports"), "1");

    // A footer whose total the rows do not reach: a row was lost on the way.
    let short = ws.scratch("pdd_short.csv");
    std::fs::write(
        &short,
        PDD_MOVED.replace("#收入合计：99.00元", "#收入合计：199.00元").replace("260531-", "260601-"),
    )
    .unwrap();
    let out = ws.ok(&["import", "--no-progress", short.to_str().unwrap()]);
    assert!(
        out.contains("the footer on line 7 says 收入合计 199.00, but the rows read add up to 99.00 (100.00 apart)"),
        "{out}"
    );
}

/// `recon gen`'s files are in the formats they imitate, told apart by content.
#[test]
fn generated_exports_are_recognised() {
    let ws = Ws::new();
    let (out, _) = crate::common::generate_into(&ws, 300, 2, "low");
    let formats = ws.rows("SELECT source_file, format FROM imports ORDER BY source_file");
    let format_of = |file: &str| {
        formats.iter().find(|r| r[0] == file).map(|r| r[1].split(':').next().unwrap().to_string()).unwrap_or_default()
    };
    assert_eq!(format_of("tmall_flagship_alipay.csv"), "alipay-ledger", "{formats:?}");
    assert_eq!(format_of("douyin_flagship.csv"), "douyin-ledger", "{formats:?}");
    assert_eq!(format_of("pdd_youxuan.csv"), "pdd-ledger", "{formats:?}");
    drop(out);
}

/// Small exports of the layouts no real sample covers, as their documentation shows them:
/// each is recognised, and its money lands with the right sign, kind and order.
#[test]
fn documented_layouts_land_with_the_right_signs() {
    let ws = Ws::new();
    for name in ["alipay-business", "wechat-funds", "jd-settlement", "taobao-orders"] {
        let out = ws.import(&crate::common::fixture(&format!("formats/{name}.csv")));
        assert!(out.contains("0 rejected"), "{name}: {out}");
        let format = ws.value(&format!("SELECT format FROM imports WHERE source_file = '{name}.csv'"));
        assert!(format.starts_with(&format!("{name}: ")), "{name}: {format}");
    }
    assert_eq!(
        ws.rows("SELECT source_file, platform, kind, amount, coalesce(order_id, '') FROM settlements ORDER BY source_file, amount"),
        vec![
            vec!["jd-settlement.csv", "jd", "refund", "-30.00", "300004"],
            vec!["jd-settlement.csv", "jd", "commission", "-6.00", "300001"],
            vec!["jd-settlement.csv", "jd", "sale", "100.00", "300001"],
            // 业务凭证号 is the merchant's order number of the trade.
            vec!["wechat-funds.csv", "wechat", "fee", "-0.60", "V2"],
            vec!["wechat-funds.csv", "wechat", "sale", "100.00", "V1"],
        ]
    );
    // Alipay's 业务明细 is a trade export beside the 账务明细 ledger: its trades land in
    // `payments`, the 商家实收 split into the sale and the 服务费 taken from it.
    assert_eq!(
        ws.rows("SELECT platform, kind, amount, order_id FROM payments ORDER BY amount"),
        vec![vec!["alipay", "fee", "-0.60", "T1001"], vec!["alipay", "sale", "100.00", "T1001"]]
    );
    assert_eq!(
        ws.rows(
            "SELECT platform, order_id, order_amount, paid_amount, CAST(pay_time AS VARCHAR), quantity, sku FROM orders"
        ),
        vec![vec!["tmall", "3700000000000000001", "100.00", "95.00", "2026-10-01T10:01:00", "1", "YF-A"]]
    );
}

/// A Shopify orders export: one row per line item, the order's figures on its first row.
#[test]
fn shopify_orders_export_one_order_per_order() {
    let ws = Ws::new();
    let out = ws.import(&crate::common::fixture("formats/shopify-orders.csv"));
    assert!(out.contains("stored 2 rows") && out.contains("0 rejected") && out.contains("1 ignored"), "{out}");
    assert!(ws.value("SELECT format FROM imports").starts_with("shopify-orders: "));
    assert_eq!(
        ws.rows(
            "SELECT platform, order_id, currency, order_amount, status, quantity, sku FROM orders ORDER BY order_id"
        ),
        [
            ["shopify", "#1001", "USD", "63.00", "paid", "2", "YF-10001"],
            ["shopify", "#1002", "USD", "19.90", "refunded", "1", "YF-10003"],
        ]
    );
}

/// Alipay's personal bill from the web (支付宝交易记录明细查询, GBK, padded cells, ids
/// ending in a tab, `----` rules and a footer of 已收入 / 待收入 / 已支出 / 待支出): trades
/// land signed, a closed trade is left out, a withdrawal (资金转移) is a withdrawal, and
/// the footer is checked the way Alipay counts it — trades only, nothing pending.
#[test]
fn alipay_personal_bill_web_layout() {
    let ws = Ws::new();
    let out = ws.import(&crate::common::fixture("formats/alipay-personal-web.csv"));
    assert!(out.contains("stored 5 rows") && out.contains("0 rejected") && out.contains("1 ignored"), "{out}");
    assert!(!out.contains("footer"), "{out}");
    assert!(ws.value("SELECT format FROM imports").starts_with("alipay-personal-web: "));
    assert_eq!(
        ws.rows(
            "SELECT platform, txn_id, coalesce(order_id, ''), kind, amount, coalesce(counterparty, ''), memo \
             FROM settlements ORDER BY txn_time"
        ),
        [
            ["alipay", "2026100122001100010001", "T200P3700000000000000001", "sale", "99.00", "张三", "连衣裙"],
            ["alipay", "2026100222001100010002", "T200P3700000000000000002", "sale", "50.00", "李四", "T恤"],
            ["alipay", "2026100322001100010003", "", "sale", "-20.00", "某某物流", "快递费"],
            [
                "alipay",
                "2026100422001100010004",
                "T200P3700000000000000004",
                "refund",
                "-100.00",
                "王五",
                "退款-连衣裙"
            ],
            ["alipay", "2026100520001100010005", "", "withdrawal", "-500.00", "", "提现-实时提现"],
        ]
    );

    // The same bill with a trade lost on the way: 已收入 no longer adds up.
    let bytes = std::fs::read(crate::common::fixture("formats/alipay-personal-web.csv")).unwrap();
    let (text, _, _) = encoding_rs::GBK.decode(&bytes);
    let cut: String =
        text.lines().filter(|l| !l.starts_with("2026100222001100010002")).map(|l| format!("{l}\n")).collect();
    let short = ws.scratch("alipay_short.csv");
    std::fs::write(&short, encoding_rs::GBK.encode(&cut).0).unwrap();
    let out = ws.import(&short);
    assert!(out.contains("says 已收入 149.00, but the rows read add up to 99.00 (50.00 apart)"), "{out}");
    assert!(!out.contains("已支出") && !out.contains("待"), "only 已收入 is off: {out}");
}

/// The app's personal bill as older app versions wrote it, columns in another order
/// (收/支 first, 交易时间 last): the same format, the same rows.
#[test]
fn alipay_personal_bill_older_app_column_order() {
    let ws = Ws::new();
    let file = ws.scratch("alipay_app_2021.csv");
    let body = "------------------------------------------------------------------------------------\n\
        导出信息：\n\
        ------------------------支付宝（中国）网络技术有限公司  电子客户回单------------------------\n\
        收/支,交易对方,对方账号,商品说明,收/付款方式,金额,交易状态,交易分类,交易订单号,商家订单号,交易时间,\n\
        收入,张三,zh***@qq.com,连衣裙,余额,99.00,交易成功,商业服务,2021100122001100010001\t,T200P100\t,2021-10-01 10:00:00,\n\
        支出,某某物流,/,快递费,余额,12.00,交易成功,物流快递,2021100222001100010002\t,,2021-10-02 09:00:00,\n\
        不计收支,支付宝,/,提现-实时提现,余额,80.00,交易成功,转账提现,2021100320001100010003\t,,2021-10-03 18:00:00,\n";
    std::fs::write(&file, encoding_rs::GBK.encode(body).0).unwrap();
    let out = ws.import(&file);
    assert!(out.contains("stored 3 rows") && out.contains("0 rejected"), "{out}");
    assert!(ws.value("SELECT format FROM imports").starts_with("alipay-personal: "));
    assert_eq!(
        ws.rows("SELECT txn_id, kind, amount, CAST(txn_time AS VARCHAR) AS t FROM settlements ORDER BY txn_time"),
        [
            ["2021100122001100010001", "other", "99.00", "2021-10-01T10:00:00"],
            ["2021100222001100010002", "shipping", "-12.00", "2021-10-02T09:00:00"],
            ["2021100320001100010003", "withdrawal", "-80.00", "2021-10-03T18:00:00"],
        ]
    );
}

/// JD's settlement bill with the old header (钱包结算: 费用项, 金额, 商家应收/应付, ids
/// written `="…"` so Excel keeps their digits): each fee line lands signed, settled on
/// 费用结算时间, with its document number and order; 货款 going back on a 售后服务单 is a
/// refund.
#[test]
fn jd_settlement_bill_old_header() {
    let ws = Ws::new();
    let out = ws.import(&crate::common::fixture("formats/jd-settlement-old.csv"));
    assert!(out.contains("stored 5 rows") && out.contains("0 rejected"), "{out}");
    assert!(ws.value("SELECT format FROM imports").starts_with("jd-settlement-old: "));
    assert_eq!(
        ws.rows(
            "SELECT platform, txn_id, order_id, kind, amount, CAST(txn_time AS VARCHAR) AS t, memo \
             FROM settlements ORDER BY txn_time, amount DESC"
        ),
        [
            ["jd", "880001", "300002", "sale", "200.00", "2026-10-07T10:00:00", "商品B | 货款"],
            ["jd", "880001", "300002", "shipping", "-6.00", "2026-10-07T10:00:00", "商品B | 代收配送费"],
            ["jd", "880001", "300002", "commission", "-12.00", "2026-10-07T10:00:00", "商品B | 佣金"],
            ["jd", "880002", "300003", "commission", "3.00", "2026-10-08T10:00:00", "商品C | 佣金"],
            ["jd", "880002", "300003", "refund", "-50.00", "2026-10-08T10:00:00", "商品C | 退货金额"],
        ]
    );
    // Without 收支方向, 商家应收/应付 says which way the money went.
    let text = std::fs::read_to_string(crate::common::fixture("formats/jd-settlement-old.csv")).unwrap();
    let undirected: String = text
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(20);
            let mut line = cells
                .join(",")
                .replace(",-12.00,", ",12.00,")
                .replace(",-6.00,", ",6.00,")
                .replace(",-50.00,", ",50.00,");
            line.push('\n');
            line
        })
        .collect();
    let ws = Ws::new();
    let file = ws.scratch("jd_old_no_direction.csv");
    std::fs::write(&file, undirected).unwrap();
    let out = ws.import(&file);
    assert!(out.contains("stored 5 rows"), "{out}");
    assert_eq!(
        ws.rows("SELECT amount FROM settlements ORDER BY txn_time, amount DESC"),
        [["200.00"], ["-6.00"], ["-12.00"], ["3.00"], ["-50.00"]]
    );
}

/// Douyin's 资金流水明细 as 抖店 exports it: an xlsx whose first sheet is a note, a title
/// row above the header, 动账 spelt with 账, and 出账 amounts written signed or not.
#[test]
fn douyin_funds_flow_workbook() {
    let ws = Ws::new();
    let path = ws.scratch("抖店资金流水明细.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("说明").unwrap().write(0, 0, "本表为抖店资金流水明细导出，金额单位：元").unwrap();
    let sheet = wb.add_worksheet().set_name("资金流水明细").unwrap();
    let rows: [&[&str]; 6] = [
        &["资金流水明细（2026-10-01 至 2026-10-31）"],
        &[
            "动账时间",
            "动账流水号",
            "动账方向",
            "动账金额",
            "动账账户",
            "动账场景",
            "动账摘要",
            "订单号",
            "子订单号",
            "售后编号",
            "备注",
        ],
        &[
            "2026-10-03 08:00:00",
            "AS1_IN",
            "入账",
            "179.00",
            "聚合账户",
            "货款结算入账",
            "订单结算",
            "6929001",
            "6929002",
            "",
            "结算",
        ],
        &[
            "2026-10-03 08:00:00",
            "AS2_OUT",
            "出账",
            "-8.95",
            "聚合账户",
            "平台服务费",
            "订单结算",
            "6929001",
            "6929002",
            "",
            "",
        ],
        &[
            "2026-10-05 10:00:00",
            "AS3_OUT",
            "出账",
            "5.00",
            "聚合账户",
            "退款-结算后退款-退用户",
            "已退款",
            "6929001",
            "6929002",
            "SS70150",
            "",
        ],
        &["2026-10-10 09:00:00", "AS4_OUT", "出账", "165.05", "聚合账户", "提现", "提现", "", "", "", "提现至对公账户"],
    ];
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            sheet.write(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(&path).unwrap();
    let out = ws.import(&path);
    assert!(out.contains("sheet 资金流水明细, header on row 2") && out.contains("stored 4 rows"), "{out}");
    assert!(ws.value("SELECT format FROM imports").starts_with("douyin-ledger: "));
    assert_eq!(
        ws.rows(
            "SELECT platform, txn_id, coalesce(order_id, ''), kind, amount, coalesce(payout_ref, '') \
             FROM settlements ORDER BY txn_time, txn_id"
        ),
        [
            ["douyin", "AS1_IN", "6929001", "sale", "179.00", ""],
            ["douyin", "AS2_OUT", "6929001", "fee", "-8.95", ""],
            ["douyin", "AS3_OUT", "6929001", "refund", "-5.00", ""],
            ["douyin", "AS4_OUT", "", "withdrawal", "-165.05", "AS4_OUT"],
        ]
    );
}

/// Douyin's 资金流水 download: a zip with one 动账明细 file per account (聚合账户 …), each
/// with the account's balance and 关联订单号. The zip itself is refused, naming what it
/// holds; the file inside imports signed, with its order and balance.
#[test]
fn douyin_funds_download() {
    use std::io::Write;
    let ws = Ws::new();
    let csv = "\u{feff}动账流水号,关联订单号,关联子订单号,动账时间,账户方向,动账金额(元),动账场景,账户余额(元),备注\n\
        T0,6929001,6929002,2026-09-03 08:00:00,收入,9.00,货款结算入账,9.00,结算\n\
        X1,6929001,,2026-09-12 10:00:00,支出,-0.40,退换货运费险,8.60,保费扣除（2笔保单）\n\
        X2,6929001,6929002,2026-09-13 10:00:00,支出,5.00,退款-结算后退款-退用户,3.60,退款\n";
    let zipped = ws.scratch("资金流水.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zipped).unwrap());
    zip.start_file("动账明细 - 聚合账户.csv", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all(csv.as_bytes()).unwrap();
    zip.finish().unwrap();
    let e = ws.fails(&["import", "--no-progress", zipped.to_str().unwrap()]);
    assert!(e.contains("this is a zip archive, not a workbook (it holds 动账明细 - 聚合账户.csv): unzip it"), "{e}");

    let file = ws.scratch("动账明细 - 聚合账户.csv");
    std::fs::write(&file, csv).unwrap();
    let out = ws.import(&file);
    assert!(out.contains("stored 3 rows") && out.contains("0 rejected"), "{out}");
    assert!(ws.value("SELECT format FROM imports WHERE rows_stored = 3").starts_with("douyin-funds: "));
    assert_eq!(
        ws.rows("SELECT platform, txn_id, order_id, kind, amount, balance FROM settlements ORDER BY txn_time"),
        [
            ["douyin", "T0", "6929001", "sale", "9.00", "9.00"],
            ["douyin", "X1", "6929001", "fee", "-0.40", "8.60"],
            ["douyin", "X2", "6929001", "refund", "-5.00", "3.60"],
        ]
    );
}
