//! Bad input gets a clear error naming the file (and the line, where one is to blame),
//! a non-zero exit when nothing was imported, and a workspace exactly as before.

use std::path::Path;

use crate::common::Ws;

const HEADER: &str = "交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,摘要\n";

fn good_rows(n: u32) -> String {
    (0..n)
        .map(|i| format!("2026-10-01 10:00:{:02},B{i},,100.00,,支付宝（中国）网络技术有限公司,提现\n", i % 60))
        .collect()
}

/// Imports a file expected to fail whole: returns stderr, after checking the exit code
/// and that the workspace did not change.
fn refused(ws: &Ws, file: &Path, extra: &[&str]) -> String {
    let before = ws.state();
    let mut args = vec!["import", "--no-progress"];
    args.extend_from_slice(extra);
    args.push(file.to_str().unwrap());
    let out = ws.run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(ws.state() == before, "the workspace changed after a refused import");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains(file.to_str().unwrap()), "the error names the file: {err}");
    err
}

#[test]
fn empty_and_blank_files() {
    let ws = Ws::new();
    let f = ws.scratch("empty.csv");
    std::fs::write(&f, b"").unwrap();
    assert!(refused(&ws, &f, &[]).contains("the file is empty"));
    std::fs::write(&f, b"\n\n  \n,,,\n").unwrap();
    assert!(refused(&ws, &f, &[]).contains("the file is empty"));
}

#[test]
fn binary_file() {
    let ws = Ws::new();
    let f = ws.scratch("photo.csv");
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d];
    bytes.extend((0..4000u32).map(|i| (i * 7 % 256) as u8));
    std::fs::write(&f, bytes).unwrap();
    assert!(refused(&ws, &f, &[]).contains("binary file"));
}

#[test]
fn header_not_found_and_wrong_kind() {
    let ws = Ws::new();
    let f = ws.scratch("notes.csv");
    std::fs::write(&f, "名称,数量,颜色\n杯子,3,红\n碗,2,白\n").unwrap();
    let err = refused(&ws, &f, &[]);
    assert!(err.contains("no header row found"), "{err}");
    let f = ws.scratch("bank.csv");
    std::fs::write(&f, format!("{HEADER}{}", good_rows(3))).unwrap();
    let err = refused(&ws, &f, &["--kind", "orders"]);
    assert!(err.contains("imported as orders, but has no column for the order id"), "{err}");
    assert!(err.contains("it looks like bank data"), "{err}");
    let f = ws.scratch("vague.csv");
    std::fs::write(&f, "日期,金额\n2026-10-01,1.00\n").unwrap();
    let err = refused(&ws, &f, &[]);
    assert!(err.contains("its columns fit both") && err.contains("pass --kind"), "{err}");
}

#[test]
fn text_in_amounts_and_dates_that_do_not_parse_are_rejected_by_line() {
    let ws = Ws::new();
    let f = ws.scratch("mixed.csv");
    let body = format!(
        "{HEADER}{}2026-10-02 09:00:00,X1,,\"12,3a.00\",,某公司,货款\n2026-13-45 09:00:00,X2,,5.00,,某公司,货款\n{}",
        good_rows(3),
        "2026-10-03 09:00:00,X3,,7.50,,某公司,货款\n"
    );
    std::fs::write(&f, body).unwrap();
    let out = ws.ok(&["import", "--no-progress", f.to_str().unwrap()]);
    assert!(out.contains("stored 4 rows"), "{out}");
    assert!(out.contains("rejected: line 5, column 4 (贷方发生额): '12,3a.00' is not an amount"), "{out}");
    assert!(
        out.contains("rejected: line 6, column 1 (交易时间): '2026-13-45 09:00:00' is not a date or time"),
        "{out}"
    );
    let rejects: Vec<Vec<String>> = csv::Reader::from_path(ws.root.join("rejects/imp-000001.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rejects.len(), 2);
    assert_eq!(rejects[0][..4], ["5", "rejected", "column 4 (贷方发生额)", "'12,3a.00' is not an amount"]);
    assert_eq!(rejects[1][4], "2026-13-45 09:00:00,X2,,5.00,,某公司,货款", "the rejected row is kept whole");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "4");

    // --strict: one bad row and nothing lands.
    let ws2 = Ws::new();
    let err = refused(&ws2, &f, &["--strict"]);
    assert!(err.contains("--strict, and 2 rows were rejected"), "{err}");

    // All rows bad: nothing imported, non-zero exit.
    let f = ws.scratch("allbad.csv");
    std::fs::write(&f, format!("{HEADER}someday,X1,,1.00,,a,b\nnever,X2,,2.00,,a,b\n")).unwrap();
    let err = refused(&ws, &f, &[]);
    assert!(err.contains("nothing imported: all 2 data rows were rejected"), "{err}");
    assert!(err.contains("line 2, column 1 (交易时间): 'someday' is not a date or time"), "{err}");
}

#[test]
fn truncated_files() {
    let ws = Ws::new();
    // A CSV cut in the middle of its last line: that row is rejected, not half-stored.
    let f = ws.scratch("cut.csv");
    let full = format!("{HEADER}{}", good_rows(5));
    std::fs::write(&f, &full.as_bytes()[..full.len() - 30]).unwrap();
    let out = ws.ok(&["import", "--no-progress", f.to_str().unwrap()]);
    assert!(out.contains("stored 4 rows"), "{out}");
    assert!(out.contains("rejected: line 6: the file ends in the middle of this line: is it truncated?"), "{out}");
    // A workbook cut short cannot be read at all.
    let x = ws.scratch("cut.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, h) in ["交易时间", "交易流水号", "贷方发生额"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..200u32 {
        sheet.write_string(r, 0, "2026-10-01 10:00:00").unwrap();
        sheet.write_string(r, 1, format!("T{r}")).unwrap();
        sheet.write_number(r, 2, 12.5).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    std::fs::write(&x, &bytes[..bytes.len() / 2]).unwrap();
    let err = refused(&ws, &x, &[]);
    assert!(err.contains("not a readable workbook"), "{err}");
}

#[test]
fn wrong_encoding_costs_the_row_not_the_file() {
    let ws = Ws::new();
    let f = ws.scratch("mixed-encoding.csv");
    let mut bytes = format!("{HEADER}{}", good_rows(20)).into_bytes();
    // One line pasted in from a GBK file into a UTF-8 one.
    let (gbk, _, _) = encoding_rs::GB18030.encode("2026-10-05 09:00:00,G1,,8.00,,财付通支付科技有限公司,退款\n");
    bytes.extend_from_slice(&gbk);
    std::fs::write(&f, bytes).unwrap();
    let out = ws.ok(&["import", "--no-progress", f.to_str().unwrap()]);
    assert!(out.contains("stored 20 rows"), "{out}");
    assert!(out.contains("rejected: line 22, column 6 (对方户名): bytes that are not valid utf-8"), "{out}");
    // The whole file in an encoding it is not: a mapping file that says so.
    let m = ws.scratch("gbk.toml");
    std::fs::write(&m, "encoding = \"gbk\"\n").unwrap();
    let g = ws.scratch("utf8-as-gbk.csv");
    std::fs::write(&g, format!("{HEADER}{}", good_rows(2))).unwrap();
    let err = refused(&ws, &g, &["--map", m.to_str().unwrap()]);
    assert!(err.contains("no header row found"), "{err}");
}

#[test]
fn a_missing_file_and_a_bad_mapping_file() {
    let ws = Ws::new();
    let missing = ws.scratch("nope.csv");
    let err = refused(&ws, &missing, &[]);
    assert!(err.contains("No such file"), "{err}");
    let m = ws.scratch("bad.toml");
    std::fs::write(&m, "[columns]\namout = \"Betrag\"\n").unwrap();
    let f = ws.scratch("ok.csv");
    std::fs::write(&f, format!("{HEADER}{}", good_rows(2))).unwrap();
    let out = ws.run(&["import", "--map", m.to_str().unwrap(), f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("unknown field 'amout'"), "{err}");
}
