//! Report views that reconcile with the data, and saved reports with parameters: saved
//! from a script, listed, run from the shell's batch mode and the command line, written
//! to CSV (with a BOM, for Excel) and Parquet, dropped.

use crate::common::{Ws, recon, text};

fn generated() -> Ws {
    let ws = Ws::new();
    let out = ws.scratch("gen");
    let g = recon().args(["gen", "--orders", "1200", "--seed", "4", "--out"]).arg(&out).output().unwrap();
    assert!(g.status.success(), "{}", text(&g.stderr));
    let mut files: Vec<String> = ["orders", "settlements", "bank"]
        .iter()
        .flat_map(|f| std::fs::read_dir(out.join(f)).unwrap().map(|e| e.unwrap().path().to_string_lossy().into_owned()))
        .collect();
    files.sort();
    let mut args = vec!["import", "--no-progress"];
    args.extend(files.iter().map(String::as_str));
    ws.ok(&args);
    ws
}

#[test]
fn report_views_add_up_to_the_data() {
    let ws = generated();
    let sold = ws.value("SELECT sum(coalesce(paid_amount, order_amount)) FROM orders");
    assert_eq!(ws.value("SELECT sum(sold) FROM collection_summary"), sold);
    assert_eq!(ws.value("SELECT sum(sales) FROM sales_vs_collections"), sold);
    assert_eq!(ws.value("SELECT sum(orders) FROM collection_summary"), ws.value("SELECT count(*) FROM orders"));
    assert_eq!(
        ws.value("SELECT sum(fees) FROM collection_summary"),
        ws.value(
            "SELECT -sum(amount) FROM settlements WHERE order_id IS NOT NULL \
             AND kind IN ('commission', 'fee', 'shipping', 'promotion')"
        )
    );
    assert_eq!(
        ws.value("SELECT sum(outstanding) FROM collection_summary"),
        ws.value("SELECT sum(outstanding) FROM receivables")
    );
    // Collections are the money matched in the bank, each credit once.
    assert_eq!(
        ws.value("SELECT sum(collections) FROM sales_vs_collections"),
        ws.value("SELECT sum(bank_amount) FROM (SELECT DISTINCT line_id, bank_amount FROM bank_matches)")
    );
    let rates = ws.rows("SELECT fee_rate, usual_rate FROM fees_by_platform");
    assert!(!rates.is_empty() && rates.iter().all(|r| r[0].parse::<f64>().unwrap() < 0.5));
}

#[test]
fn a_saved_report_with_parameters() {
    let ws = generated();
    let script = ws.scratch("save.sql");
    std::fs::write(
        &script,
        ".report save orders_since --title \"平台订单 Orders since\" \
         SELECT platform, count(*) AS orders FROM orders WHERE order_time >= :since AND platform = :platform GROUP BY platform\n\
         .report list\n\
         .report run orders_since since=2026-10-01 platform=jd\n",
    )
    .unwrap();
    let out = ws.ok(&["sql", "-f", script.to_str().unwrap()]);
    assert!(
        out.contains("report orders_since saved as reports/orders_since.sql (parameters: since, platform)"),
        "{out}"
    );
    assert!(out.contains("| orders_since ") && out.contains("| collection_summary "), "{out}");
    let expected =
        ws.value("SELECT count(*) FROM orders WHERE platform = 'jd' AND order_time >= TIMESTAMP '2026-10-01 00:00:00'");
    assert!(out.contains(&format!("| jd       | {expected:>6} |")), "{out}");
    let saved = std::fs::read_to_string(ws.root.join("reports/orders_since.sql")).unwrap();
    assert!(
        saved.starts_with("-- title: 平台订单 Orders since\n-- params: since, platform\n-- saved: admin at"),
        "{saved}"
    );

    // From the command line, to a CSV Excel opens as UTF-8, and to Parquet.
    let csv = ws.scratch("out/orders.csv");
    let said = ws.ok(&[
        "report",
        "orders_since",
        "--param",
        "since=2026-10-01",
        "--param",
        "platform=jd",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(said.contains("平台订单 Orders since: 1 rows written"), "{said}");
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with("\u{feff}platform,orders\n".as_bytes()), "{:?}", String::from_utf8_lossy(&bytes));
    assert_eq!(String::from_utf8_lossy(&bytes[3..]), format!("platform,orders\njd,{expected}\n"));
    let refused = ws.fails(&[
        "report",
        "orders_since",
        "--param",
        "since=2026-10-01",
        "--param",
        "platform=jd",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(refused.contains("--force"), "{refused}");
    assert!(
        ws.fails(&["report", "orders_since", "--param", "since=2026-10-01"]).contains("needs a value for :platform")
    );
    let pq = ws.scratch("out/summary.parquet");
    ws.ok(&["report", "collection_summary", "-o", pq.to_str().unwrap()]);
    let reader =
        datafusion::parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    use datafusion::parquet::file::reader::FileReader;
    assert_eq!(
        reader.metadata().file_metadata().num_rows().to_string(),
        ws.value("SELECT count(*) FROM collection_summary")
    );

    // A query that does not plan is not saved; a built-in report stays.
    let bad = ws.scratch("bad.sql");
    std::fs::write(&bad, ".report save broken SELECT nothing FROM nowhere\n").unwrap();
    assert!(text(&ws.run(&["sql", "-f", bad.to_str().unwrap()]).stderr).contains("does not plan"));
    assert!(!ws.root.join("reports/broken.sql").exists());
    let drop = ws.scratch("drop.sql");
    std::fs::write(&drop, ".report drop orders_since\n.report drop aging\n").unwrap();
    assert!(text(&ws.run(&["sql", "-f", drop.to_str().unwrap()]).stderr).contains("aging is a built-in report"));
    assert!(!ws.root.join("reports/orders_since.sql").exists());
}
