//! Analysis a user reads: risks planted in real-looking files found and explained, trends
//! and the forecast computed on generated history, and charts drawn in the terminal.

use chrono::NaiveDateTime;

use crate::common::{BANK_HEADER, Ws, grouped, text, truth};

#[test]
fn planted_risks_are_found_and_explained() {
    let ws = Ws::new();
    // The same credit twice within a day from the same payer: a duplicate payment.
    let bank = ws.scratch("bank.csv");
    std::fs::write(
        &bank,
        format!(
            "{BANK_HEADER}2026-10-10 10:00:00,D1,,5000.00,15000.00,深圳市客户甲有限公司,货款 PO-7788\n\
             2026-10-10 16:30:00,D2,,5000.00,20000.00,深圳市客户甲有限公司,货款 PO-7788\n\
             2026-10-11 09:00:00,D3,,123.45,20123.45,深圳市客户乙有限公司,货款\n"
        ),
    )
    .unwrap();
    ws.import(&bank);
    // An order refunded more than it was sold for.
    let wallet = ws.scratch("wallet.csv");
    std::fs::write(
        &wallet,
        "账务流水号,发生时间,业务类型,收入金额（+元）,支出金额（-元）,商户订单号,备注\n\
         W1,2026-10-02 10:00:00,交易,100.00,,88880001,\n\
         W2,2026-10-05 10:00:00,退款,,-150.00,88880001,\n",
    )
    .unwrap();
    ws.ok(&["import", "--platform", "tmall", "--shop", "店A", wallet.to_str().unwrap()]);
    let orders = ws.scratch("orders.csv");
    std::fs::write(&orders, "订单编号,下单时间,付款时间,实付金额,订单状态\n88880001,2026-10-01 09:00:00,2026-10-01 09:01:00,100.00,交易关闭\n")
        .unwrap();
    ws.ok(&["import", "--kind", "orders", "--platform", "tmall", "--shop", "店A", orders.to_str().unwrap()]);

    let risks = ws.rows("SELECT kind, severity, reference, amount, explanation FROM risks");
    let duplicate = risks.iter().find(|r| r[0] == "duplicate_credit").unwrap_or_else(|| panic!("{risks:?}"));
    assert_eq!((duplicate[1].as_str(), duplicate[2].as_str(), duplicate[3].as_str()), ("high", "D1 / D2", "5000.00"));
    assert!(duplicate[4].contains("twice within a day"), "{duplicate:?}");
    let refund = risks.iter().find(|r| r[0] == "refund_over_order").unwrap_or_else(|| panic!("{risks:?}"));
    assert_eq!((refund[1].as_str(), refund[2].as_str(), refund[3].as_str()), ("high", "88880001", "50.00"));
    // High ones first; the odd 123.45 credit is not called a duplicate.
    assert_eq!(risks[0][1], "high");
    assert!(!risks.iter().any(|r| r[0] == "duplicate_credit" && r[2].contains("D3")));
}

#[test]
fn trends_opportunities_and_forecast_on_generated_history() {
    let (ws, _) = crate::common::generated(1500, 5, "low");
    let sold = ws.value("SELECT sum(sold) FROM collection_summary");
    assert_eq!(ws.value("SELECT sum(sales) FROM trends"), sold);
    let rates = ws.rows("SELECT fee_rate, settle_days_median, settle_days_p90 FROM trends WHERE fee_rate IS NOT NULL");
    assert!(!rates.is_empty());
    for r in &rates {
        let (rate, median) = (r[0].parse::<f64>().unwrap(), r[1].parse::<f64>().unwrap_or(0.0));
        assert!((0.0..0.5).contains(&rate), "{r:?}");
        assert!(median >= 0.0 && r[2].parse::<f64>().unwrap_or(0.0) >= median - 0.05, "{r:?}");
    }
    let ranked = ws.rows("SELECT margin_rank, net_margin FROM opportunities ORDER BY margin_rank");
    assert!(ranked.windows(2).all(|w| w[0][1].parse::<f64>().unwrap() >= w[1][1].parse::<f64>().unwrap()));
    let days = ws.rows("SELECT day, expected_amount FROM cash_forecast");
    assert_eq!(days.len(), 30, "one row per day");
    let total: f64 = days.iter().map(|d| d[1].parse::<f64>().unwrap()).sum();
    assert!(total > 0.0);

    // The management report: headline figures, trend and platform charts, top risks,
    // the forecast; a section per sheet in Excel, flowing sections in the PDF.
    let pdf = ws.scratch("out/analysis.pdf");
    ws.ok(&["report", "analysis", "-o", pdf.to_str().unwrap()]);
    let read = std::process::Command::new("pdftotext").args(["-layout", pdf.to_str().unwrap(), "-"]).output().unwrap();
    let all = text(&read.stdout);
    for section in
        ["经营分析报告 Management report", "销售与回款趋势", "平台回款", "主要风险 Top risks", "30 天回款预测"]
    {
        assert!(all.contains(section), "{section} missing:\n{all}");
    }
    let first_risk = ws.value("SELECT explanation FROM risks LIMIT 1");
    let words: String = first_risk.chars().take(12).collect();
    assert!(all.contains(&words), "the top risk {first_risk:?} is in the report");
    let received = ws.value("SELECT sum(received) FROM collection_summary");
    assert!(all.contains(&grouped(&received)), "headline received {received}");
    let xlsx = ws.scratch("out/analysis.xlsx");
    ws.ok(&["report", "analysis", "-o", xlsx.to_str().unwrap()]);
    use calamine::Reader;
    let book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(book.sheet_names().len(), 6, "five sections and the forecast's range day by day");
}

#[test]
fn charts_in_the_terminal() {
    let ws = Ws::new();
    let bank = ws.scratch("bank.csv");
    std::fs::write(
        &bank,
        format!(
            "{BANK_HEADER}2026-08-01 10:00:00,C1,,1000.00,,支付宝（中国）网络技术有限公司,提现\n\
             2026-09-01 10:00:00,C2,,3000.00,,支付宝（中国）网络技术有限公司,提现\n\
             2026-10-01 10:00:00,C3,,2000.00,,北京京东世纪贸易有限公司,提现\n"
        ),
    )
    .unwrap();
    ws.import(&bank);
    let script = ws.scratch("chart.sql");
    std::fs::write(
        &script,
        "SELECT counterparty_name AS payer, sum(amount) AS amount FROM bank_txns GROUP BY 1 ORDER BY 2 DESC;\n\
         .chart\n\
         SELECT date_trunc('month', txn_time) AS month, sum(amount) AS amount FROM bank_txns GROUP BY 1 ORDER BY 1;\n\
         .chart line\n\
         .chart bar month nothing\n",
    )
    .unwrap();
    let out = ws.run(&["sql", "-f", script.to_str().unwrap()]);
    let shown = text(&out.stdout);
    // Bars scale to the largest; labels in Chinese line up on display width.
    let alipay = shown.lines().find(|l| l.starts_with("支付宝")).unwrap_or_else(|| panic!("{shown}"));
    let jd = shown.lines().find(|l| l.starts_with("北京京东")).unwrap();
    let blocks = |l: &str| l.chars().filter(|c| *c == '█').count();
    assert!(blocks(alipay) > blocks(jd) && blocks(jd) > 0, "{shown}");
    assert!(alipay.ends_with("4,000.00") && jd.ends_with("2,000.00"), "{shown}");
    assert!(shown.contains("▁") && shown.contains("█  1,000.00 → 2,000.00") || shown.contains("1,000.00 → 2,000.00"));
    assert!(shown.contains("2026-08 … 2026-10 (3 rows)"), "{shown}");
    assert!(text(&out.stderr).contains("no column nothing"), "{}", text(&out.stderr));
}

#[test]
fn risks_planted_by_the_generator_are_found_ranked_and_explained() {
    let ws = Ws::new();
    let out = ws.scratch("gen");
    let g = crate::common::recon_gen()
        .args(["--orders", "3000", "--seed", "3", "--noise", "low", "--out"])
        .arg(&out)
        .args(["--plant", "fee-change,duplicate-payment,slow-platform,refund-spike"])
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", text(&g.stderr));
    let mut args = vec!["import".to_string(), "--no-progress".to_string()];
    args.extend(crate::common::data_files(&out));
    ws.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let planted = crate::common::truth(&out, "planted.csv");
    assert_eq!(planted.len(), 4, "{planted:?}");
    // Ranked: risk rows in order, with their position.
    let risks = ws.rows("SELECT kind, severity, platform, shop, reference, explanation FROM risks");
    let high = risks.iter().filter(|r| r[1] == "high").count();
    for p in &planted {
        let found = risks.iter().position(|r| match p["kind"].as_str() {
            "fee_change" => r[0] == "fee_rate" && r[2] == p["platform"] && r[4] == p["month"],
            "duplicate_payment" => r[0] == "duplicate_credit" && r[4] == p["reference"],
            "slow_platform" => (r[0] == "payout_not_arrived" || r[0] == "slow_payout") && r[2] == p["platform"],
            "refund_spike" => r[0] == "refund_spike" && r[3] == p["shop"] && r[4] == p["month"],
            other => panic!("unknown plant {other}"),
        });
        let at = found.unwrap_or_else(|| panic!("{p:?} not found in {risks:?}"));
        assert_eq!(risks[at][1], "high", "{p:?} is high: {:?}", risks[at]);
        assert!(at < high, "{p:?} ranked among the high risks");
        assert!(risks[at][5].len() > 20, "{p:?} explained: {:?}", risks[at]);
    }
}

/// Month ends whose next 30 days the generated history covers, with history before them.
const MONTH_ENDS: [&str; 7] =
    ["2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30"];

/// How the 30-day forecasts of generated histories compared with what came: counts of
/// windows, and a line per window to print.
#[derive(Default)]
struct Calibration {
    windows: usize,
    /// What came fell inside the 80% range.
    inside: usize,
    /// The platforms' part within 10% of what they paid in.
    platforms_close: usize,
    /// The open invoices' part within 10% of what they paid.
    invoices_close: usize,
    /// Each window's as-of and how far off the platforms' part was (+0.1: 10% too much).
    platforms_off: Vec<(&'static str, f64)>,
    report: Vec<String>,
}

impl Calibration {
    /// An honest 80% range holds what came in 70-90% of the windows.
    fn assert_coverage_honest(&self) {
        let coverage = self.inside as f64 / self.windows as f64;
        assert!(
            (0.70..=0.90).contains(&coverage),
            "what came fell inside the 80% range in {} of {} windows:\n{}",
            self.inside,
            self.windows,
            self.report.join("\n")
        );
    }

    /// At each month end from March to September of each seed's history (`more`: other
    /// `recon gen` options), the 30-day forecast (`cash_forecast_range`'s last day) against
    /// what the generator's truth says reached the bank in those 30 days.
    fn measure(orders: u32, seeds: &[u32], more: &[&str]) -> Calibration {
        Calibration::measure_at(orders, seeds, more, &MONTH_ENDS)
    }

    /// As [`Calibration::measure`], at the month ends (or other days) given.
    fn measure_at(orders: u32, seeds: &[u32], more: &[&str], as_ofs: &[&'static str]) -> Calibration {
        let money = |s: &str| s.parse::<f64>().unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let mut c = Calibration::default();
        for &seed in seeds {
            let ws = crate::common::Ws::new();
            let (out, _) = crate::common::generate_with(&ws, orders, seed, "none", more);
            // Every month end in one process: only the figures that depend on the as-of
            // are computed again for each.
            let script: String = as_ofs
                .iter()
                .map(|d| {
                    format!(
                        "SET recon.as_of = '{d} 23:59:59'; SELECT '{d}' AS as_of, source, expected, p10, p90 \
                         FROM cash_forecast_range WHERE day = (SELECT max(day) FROM cash_forecast_range);"
                    )
                })
                .collect();
            let said = ws.ok(&["sql", "--format", "csv", "-c", &script]);
            let rows: Vec<Vec<String>> = said
                .lines()
                .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
                .filter(|r| r.len() == 5 && r[0] != "as_of")
                .collect();
            let bank: std::collections::BTreeMap<String, (NaiveDateTime, f64)> = truth(&out, "bank.csv")
                .into_iter()
                .map(|r| (r["bank_txn_id"].clone(), (time(&r["txn_time"]), money(&r["amount"]))))
                .collect();
            let payouts = truth(&out, "payouts.csv");
            let direct = truth(&out, "b2b_payments.csv");
            let placed: std::collections::BTreeMap<String, NaiveDateTime> = ws
                .rows("SELECT order_id, to_char(order_time, '%Y-%m-%d %H:%M:%S') FROM orders WHERE platform = 'b2b'")
                .into_iter()
                .map(|r| (r[0].clone(), time(&r[1])))
                .collect();
            for &as_of in as_ofs {
                let from = time(&format!("{as_of} 23:59:59"));
                let to = from + chrono::Duration::days(30);
                // One credit can carry several payouts, or pay several orders: each counts once.
                let came = |rows: &[std::collections::BTreeMap<String, String>]| -> f64 {
                    rows.iter()
                        .map(|p| &p["bank_txn_id"])
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .filter_map(|t| bank.get(t))
                        .filter(|(t, _)| *t > from && *t <= to)
                        .map(|(_, a)| *a)
                        .sum()
                };
                let (platforms, b2b) = (came(&payouts), came(&direct));
                // Invoices open at the as-of: B2B orders placed by then, paid in the window.
                let open: Vec<_> =
                    direct.iter().filter(|p| placed.get(&p["order_id"]).is_some_and(|t| *t <= from)).cloned().collect();
                let invoices = came(&open);
                let part = |source: &str| -> [f64; 3] {
                    let r = rows
                        .iter()
                        .find(|r| r[0] == as_of && r[1] == source)
                        .unwrap_or_else(|| panic!("no {source} range as of {as_of}:\n{said}"));
                    [money(&r[2]), money(&r[3]), money(&r[4])]
                };
                let [expected, p10, p90] = part("total");
                assert!(p10 <= expected && expected <= p90, "{as_of}: {p10} ≤ {expected} ≤ {p90}");
                let platform_forecast = part("open_orders")[0] + part("new_sales")[0];
                let off = (platform_forecast - platforms) / platforms;
                c.windows += 1;
                c.inside += usize::from(p10 <= platforms + b2b && platforms + b2b <= p90);
                c.platforms_close += usize::from(off.abs() <= 0.10);
                c.platforms_off.push((as_of, off));
                let invoices_forecast = part("b2b_invoices")[0];
                let invoices_off = (invoices_forecast - invoices) / invoices.max(1.0);
                c.invoices_close += usize::from(invoices_off.abs() <= 0.10);
                c.report.push(format!(
                    "seed {seed} {as_of}: expected {expected:.0} in [{p10:.0}, {p90:.0}], came {:.0}; \
                     platforms {off:+.3}; open invoices {invoices_forecast:.0} vs {invoices:.0} ({invoices_off:+.3})",
                    platforms + b2b
                ));
            }
        }
        println!(
            "{}\ncoverage {}/{w}; platforms within 10%: {}/{w}; open invoices within 10%: {}/{w}",
            c.report.join("\n"),
            c.inside,
            c.platforms_close,
            c.invoices_close,
            w = c.windows
        );
        c
    }
}

/// The forecast's 80% range against what came, on three generated histories of ten
/// months (21 windows). An honest 80% range holds what came in about four windows of
/// five: fewer means it is too narrow (a single figure, 30% off without warning), more
/// that it says too little.
#[test]
fn the_forecast_range_holds_what_came_about_four_times_in_five() {
    let c = Calibration::measure(20_000, &[4, 5, 6], &[]);
    c.assert_coverage_honest();
    // Issue 21 asks for the platforms' part within 10% in four windows of five; from ten
    // months of history the model gets three in four (16 of 21): the month before a
    // promotion (618) is 18-24% short, which no history without a 618 can see coming. The
    // test below gives it the year before.
    assert!(
        c.platforms_close * 10 >= c.windows * 7,
        "the platforms' part was within 10% in {} of {} windows",
        c.platforms_close,
        c.windows
    );
    // Open invoices are known: most windows to the cent; off where an invoice is paid
    // late or in parts.
    assert!(
        c.invoices_close * 4 >= c.windows * 3,
        "open invoices were within 10% in {} of {} windows",
        c.invoices_close,
        c.windows
    );
}

/// A business six weeks old has no B2B order past the matching window yet, so no days to
/// payment to learn from: its open invoices are still expected, within their terms (they
/// were left out of the forecast altogether).
#[test]
fn a_young_business_expects_its_open_invoices() {
    let c = Calibration::measure_at(1_500, &[7], &["--days", "75"], &["2026-02-14"]);
    assert_eq!(c.invoices_close, 1, "{}", c.report.join("\n"));
}

/// Every month end of a two-year history (from January 2025) whose next 30 days it holds:
/// twenty a seed, as issue 21 asks.
const TWO_YEARS: [&str; 20] = [
    "2025-02-28",
    "2025-03-31",
    "2025-04-30",
    "2025-05-31",
    "2025-06-30",
    "2025-07-31",
    "2025-08-31",
    "2025-09-30",
    "2025-10-31",
    "2025-11-30",
    "2025-12-31",
    "2026-01-31",
    "2026-02-28",
    "2026-03-31",
    "2026-04-30",
    "2026-05-31",
    "2026-06-30",
    "2026-07-31",
    "2026-08-31",
    "2026-09-30",
];

/// Twenty rolling month ends on each of three two-year histories: the range holds what
/// came in 70-90% of the windows, and the platforms' part is within 10% in four of five.
/// In the second year the platforms' next month is learned from the same month a year
/// before (`forecast_season`): the month of 618, the weeks after it, the Spring
/// Festival's quiet; the first year has no season to learn from (its 618 is 23-28% short).
#[test]
fn a_year_of_history_shows_the_forecast_the_season() {
    let c = Calibration::measure_at(44_000, &[4, 5, 6], &["--start", "2025-01-01", "--days", "669"], &TWO_YEARS);
    c.assert_coverage_honest();
    assert!(
        c.platforms_close * 5 >= c.windows * 4,
        "the platforms' part was within 10% in {} of {} windows:\n{}",
        c.platforms_close,
        c.windows,
        c.report.join("\n")
    );
    for (_, off) in c.platforms_off.iter().filter(|(as_of, _)| *as_of == "2026-05-31") {
        assert!(off.abs() <= 0.10, "the month of 618 was {off:+.3} off:\n{}", c.report.join("\n"));
    }
    assert!(
        c.invoices_close * 4 >= c.windows * 3,
        "open invoices were within 10% in {} of {} windows",
        c.invoices_close,
        c.windows
    );
}

fn time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_else(|e| panic!("{s:?}: {e}"))
}
