//! Named formats: real exports recognised by their header whatever the file is called,
//! `recon formats` listing them, and `--as NAME` insisting on a layout — tolerant of a
//! column added, columns reordered or one more preamble line, strict about a column the
//! format cannot do without.

use crate::common::{Ws, recon, shared, text};

const NAMES: [&str; 21] = [
    "alipay-ledger",
    "alipay-business",
    "alipay-personal",
    "wechat-funds",
    "wechat-personal",
    "jd-wallet",
    "jd-settlement",
    "douyin-ledger",
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
            vec!["alipay-business.csv", "alipay", "sale", "99.40", "T1001"],
            vec!["jd-settlement.csv", "jd", "commission", "-6.00", "300001"],
            vec!["jd-settlement.csv", "jd", "sale", "100.00", "300001"],
            vec!["wechat-funds.csv", "wechat", "fee", "-0.60", ""],
            vec!["wechat-funds.csv", "wechat", "sale", "100.00", ""],
        ]
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
