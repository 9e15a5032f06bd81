//! Files as they come off real machines and out of Excel: every line ending, a quote
//! never closed, a page line in the middle of a table, ids Excel cut short, times with a
//! UTC offset, a header that names a column twice. Each lands right or says what is wrong.

use crate::common::{Ws, admin, text};

const HEADER: &str = "交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,摘要";

fn row(i: u32) -> String {
    format!("2026-10-01 10:00:{:02},B{i},,100.00,,支付宝（中国）网络技术有限公司,提现", i % 60)
}

fn file_of(lines: &[String], end: &str) -> String {
    let mut s = lines.join(end);
    s.push_str(end);
    s
}

#[test]
fn every_line_ending_reads_the_same() {
    let ws = Ws::new();
    let mut lines = vec![HEADER.to_string()];
    lines.extend((0..6).map(row));
    // Old Mac and some bank systems end lines with a bare CR; others mix them.
    let cr = ws.scratch("cr.csv");
    std::fs::write(&cr, file_of(&lines, "\r")).unwrap();
    let out = ws.ok(&["import", "--no-progress", cr.to_str().unwrap()]);
    assert!(out.contains("stored 6 rows"), "{out}");
    let mixed = ws.scratch("mixed.csv");
    let mut body = String::new();
    for (i, l) in lines.iter().enumerate() {
        body.push_str(&l.replace("B", "M"));
        body.push_str(["\r\n", "\n", "\r"][i % 3]);
    }
    std::fs::write(&mixed, body).unwrap();
    let out = ws.ok(&["import", "--no-progress", mixed.to_str().unwrap()]);
    assert!(out.contains("stored 6 rows"), "{out}");
    assert_eq!(ws.value("SELECT count(DISTINCT txn_id) FROM bank_txns"), "12");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns WHERE counterparty_name LIKE '%\r%' OR memo LIKE '%\r%'"), "0");
}

#[test]
fn a_quote_never_closed_is_named_not_swallowed() {
    let ws = Ws::new();
    let mut lines = vec![HEADER.to_string()];
    lines.extend((0..3).map(row));
    lines.push("2026-10-02 09:00:00,Q1,,5.00,,\"某公司,货款".to_string());
    lines.extend((10..30).map(row));
    let f = ws.scratch("quote.csv");
    std::fs::write(&f, file_of(&lines, "\n")).unwrap();
    let out = ws.run(&["import", "--no-progress", f.to_str().unwrap()]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("line 5: a quote opened in this row is never closed: the 20 lines below it"), "{all}");
    // Nothing of the rows it swallowed is stored as if it were one cell.
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns WHERE txn_id = 'Q1'"), "0");
}

#[test]
fn a_page_line_in_the_middle_does_not_hide_the_rows_after_it() {
    let ws = Ws::new();
    let mut lines = vec![HEADER.to_string()];
    lines.extend((0..3).map(row));
    lines.push("第1页,共2页".to_string());
    lines.push("2026-10-02 09:00:00,P1,,abc,,某公司,货款".to_string());
    lines.extend((3..6).map(row));
    lines.push("合计,,,600.00,,,".to_string());
    let f = ws.scratch("pages.csv");
    std::fs::write(&f, file_of(&lines, "\n")).unwrap();
    let out = ws.ok(&["import", "--no-progress", f.to_str().unwrap()]);
    assert!(out.contains("stored 6 rows"), "{out}");
    // The bad row under the page line is rejected, not filed away as footer.
    assert!(out.contains("rejected: line 6, column 4 (贷方发生额): 'abc' is not an amount"), "{out}");
    // --strict refuses the file for it.
    let ws2 = Ws::new();
    let out = ws2.run(&["import", "--no-progress", "--strict", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert_eq!(ws2.value("SELECT count(*) FROM bank_txns"), "0");
}

#[test]
fn ids_excel_cut_short_are_rejected_in_csv_and_in_workbooks() {
    let ws = Ws::new();
    let mut lines = vec![HEADER.to_string()];
    lines.extend((0..3).map(row));
    lines.push("2026-10-02 09:00:00,1.23457E+17,,5.00,,某公司,货款".to_string());
    let f = ws.scratch("excel.csv");
    std::fs::write(&f, file_of(&lines, "\n")).unwrap();
    let out = ws.ok(&["import", "--no-progress", f.to_str().unwrap()]);
    assert!(out.contains("stored 3 rows"), "{out}");
    assert!(out.contains("'1.23457E+17' is an id Excel turned into a number and cut short"), "{out}");

    // A workbook whose order id column holds numbers: 18 digits do not fit a double.
    let x = ws.scratch("orders.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, h) in ["订单号", "下单时间", "实付金额", "平台"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 123_456_789_012_345_678.0).unwrap();
    sheet.write_number(2, 0, 4_123_456.0).unwrap();
    for r in 1..=2u32 {
        sheet.write_string(r, 1, "2026-10-01 10:00:00").unwrap();
        sheet.write_number(r, 2, 12.5).unwrap();
        sheet.write_string(r, 3, "天猫").unwrap();
    }
    wb.save(&x).unwrap();
    let out = ws.ok(&["import", "--no-progress", "--kind", "orders", x.to_str().unwrap()]);
    assert!(out.contains("stored 1 row"), "{out}");
    assert!(out.contains("is an id Excel turned into a number and cut short"), "{out}");
    // A short whole number is an id like any other, without a decimal point.
    assert_eq!(ws.value("SELECT order_id FROM orders"), "4123456");
}

#[test]
fn times_with_a_utc_offset_are_converted_and_said() {
    let ws = Ws::new();
    let f = ws.scratch("zoned.csv");
    let body = format!(
        "{HEADER}\n2026-10-01T02:00:00Z,Z1,,5.00,,某公司,货款\n2026-10-01T10:00:00+08:00,Z2,,6.00,,某公司,货款\n2026-10-01 11:00:00,Z3,,7.00,,某公司,货款\n"
    );
    std::fs::write(&f, body).unwrap();
    // The tests run in China's time (+08:00): every time is read in local time.
    let out = ws.cmd().args(["import", "--no-progress", f.to_str().unwrap()]).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Z is shifted; +08:00 already was local time.
    assert!(stdout.contains("1 time carried a UTC offset") && stdout.contains("(+08:00)"), "{stdout}");
    assert_eq!(
        ws.rows("SELECT txn_id, CAST(txn_time AS VARCHAR) FROM bank_txns ORDER BY txn_id"),
        [["Z1", "2026-10-01T10:00:00"], ["Z2", "2026-10-01T10:00:00"], ["Z3", "2026-10-01T11:00:00"]]
    );
}

#[test]
fn a_header_naming_a_column_twice_says_which_is_read() {
    let ws = Ws::new();
    let f = ws.scratch("twice.csv");
    std::fs::write(
        &f,
        "交易时间,交易流水号,贷方发生额,对方户名,对方户名,摘要\n2026-10-01 10:00:00,D1,5.00,甲公司,乙,货款\n",
    )
    .unwrap();
    let out = ws.ok(&["import", "--no-progress", f.to_str().unwrap()]);
    assert!(out.contains("the header names 对方户名 more than once (columns 4 and 5): column 4 is read"), "{out}");
    assert_eq!(ws.value("SELECT counterparty_name FROM bank_txns"), "甲公司");
}

#[test]
fn output_cut_short_by_a_pipe_is_not_a_crash() {
    use std::io::Read;
    let ws = Ws::new();
    let f = ws.scratch("many.csv");
    let mut lines = vec![HEADER.to_string()];
    lines.extend((0..3000).map(row));
    std::fs::write(&f, file_of(&lines, "\n")).unwrap();
    ws.ok(&["import", "--no-progress", f.to_str().unwrap()]);
    // `recon sql … | head -1`: the reader goes away after the first line.
    let mut child = ws
        .cmd()
        .args(["sql", "--format", "csv", "-c", "SELECT * FROM bank_txns"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    // It ends as `cat` would: quietly, by the pipe's signal or with success.
    let err = text(&out.stderr);
    assert!(err.is_empty(), "{err}");
    use std::os::unix::process::ExitStatusExt;
    assert!(out.status.success() || out.status.signal() == Some(13), "{:?}", out.status);
}

#[test]
fn a_torn_or_lagging_audit_log_is_mended_not_repeated() {
    let ws = Ws::new();
    let f = ws.scratch("b.csv");
    std::fs::write(&f, file_of(&[HEADER.to_string(), row(1)], "\n")).unwrap();
    ws.import(&f);
    let log = ws.root.join("audit.log");
    let head = ws.root.join("audit.head");
    // A crash between a line and the head: the head names the line before.
    let old_head = std::fs::read(&head).unwrap();
    ws.ok(&["audit", "--last", "1"]);
    std::fs::write(&head, &old_head).unwrap();
    ws.ok(&["audit", "verify"]);
    // A line torn by a crash or a full disk: cut off, never chained onto.
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend_from_slice(br#"{"seq":99,"time":"2026-"#);
    std::fs::write(&log, bytes).unwrap();
    let out = ws.ok(&["audit", "verify"]);
    assert!(out.contains("audit log intact"), "{out}");
    let seqs: Vec<u64> =
        ws.ok(&["audit"]).lines().map(|l| l.split_whitespace().next().unwrap().parse().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "each entry once, in order");
}

#[test]
fn debris_of_killed_processes_goes_with_the_next_writer() {
    let ws = Ws::new();
    // What a process killed mid-write leaves: temp copies of the users file (every
    // password hash), the catalog and the audit head, and empty spill folders.
    let dead = 4_000_000; // above any pid the kernel hands out by default
    for name in ["users.json", "catalog.json", "audit.head"] {
        std::fs::write(ws.root.join(format!(".{name}.tmp-{dead}")), b"{}").unwrap();
    }
    std::fs::create_dir_all(ws.root.join("spill/datafusion-x1")).unwrap();
    // A dead process's spill folder goes with what it holds; a live one's stays, even
    // empty between two spills of a long query (a server's, say).
    std::fs::create_dir_all(ws.root.join(format!("spill/{dead}/datafusion-x2"))).unwrap();
    std::fs::write(ws.root.join(format!("spill/{dead}/datafusion-x2/.tmpA")), b"spilled").unwrap();
    let live = std::process::id();
    std::fs::create_dir_all(ws.root.join(format!("spill/{live}/datafusion-x3"))).unwrap();
    let f = ws.scratch("b.csv");
    std::fs::write(&f, file_of(&[HEADER.to_string(), row(1)], "\n")).unwrap();
    ws.import(&f);
    let left: Vec<String> = std::fs::read_dir(&ws.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!ws.root.join("spill/datafusion-x1").exists());
    assert!(!ws.root.join(format!("spill/{dead}")).exists());
    assert!(ws.root.join(format!("spill/{live}/datafusion-x3")).exists());
}

#[test]
fn a_workbook_that_unpacks_to_gigabytes_is_refused_before_it_is_unpacked() {
    use std::io::Write;
    let ws = Ws::new();
    let x = ws.scratch("bomb.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&x).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<Types/>").unwrap();
    zip.start_file("xl/workbook.xml", opts).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    zip.start_file("xl/sharedStrings.xml", opts).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..300 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&x).unwrap().len() < 2 << 20, "a small file");
    let out = ws.run(&["import", "--no-progress", x.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("its part xl/sharedStrings.xml unpacks to 300 MB from"), "{err}");
    assert!(err.contains("how a zip bomb looks"), "{err}");
}

/// A workbook whose zip lies about a part's size (says 2 KB, holds 300 MB): the size
/// limit above reads the declared sizes, and the reader holds each part to its
/// declared size, so the lie is refused after those 2 KB, not unpacked.
#[test]
fn a_workbook_that_lies_about_its_sizes_is_refused_without_unpacking() {
    use std::io::{Read, Write};
    let ws = Ws::new();
    let mut src =
        zip::ZipArchive::new(std::fs::File::open(crate::common::fixture("bank_corporate.xlsx")).unwrap()).unwrap();
    let x = ws.scratch("liar.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&x).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    const SHEET: &str = "xl/worksheets/sheet1.xml";
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        zip.start_file(name.as_str(), opts).unwrap();
        if name == SHEET {
            // 300 MB of one letter inside the first text of the sheet.
            let at = data.windows(3).position(|w| w == b"<t>" || w == b"<t ").unwrap();
            let at = at + data[at..].iter().position(|&c| c == b'>').unwrap() + 1;
            zip.write_all(&data[..at]).unwrap();
            let chunk = vec![b'a'; 1 << 20];
            for _ in 0..300 {
                zip.write_all(&chunk).unwrap();
            }
            zip.write_all(&data[at..]).unwrap();
        } else {
            zip.write_all(&data).unwrap();
        }
    }
    zip.finish().unwrap();
    // Both headers of the sheet (local and central) say 2,000 bytes.
    let mut bytes = std::fs::read(&x).unwrap();
    for (signature, name_len_at, name_at, size_at) in [(b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)] {
        let mut i = 0;
        while let Some(found) = bytes[i..].windows(4).position(|w| w == signature) {
            let h = i + found;
            let n = u16::from_le_bytes([bytes[h + name_len_at], bytes[h + name_len_at + 1]]) as usize;
            if &bytes[h + name_at..h + name_at + n] == SHEET.as_bytes() {
                bytes[h + size_at..h + size_at + 4].copy_from_slice(&2000u32.to_le_bytes());
            }
            i = h + 4;
        }
    }
    std::fs::write(&x, &bytes).unwrap();
    let out = ws.run(&["import", "--no-progress", x.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("larger than its declared uncompressed size"), "{err}");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "0");
}

#[test]
fn a_header_row_far_down_is_read_where_the_mapping_says() {
    let ws = Ws::new();
    let mut lines: Vec<String> = (0..499).map(|i| format!("说明第{i}行")).collect();
    lines.push(HEADER.to_string());
    lines.extend((0..3).map(row));
    let f = ws.scratch("deep.csv");
    std::fs::write(&f, file_of(&lines, "\n")).unwrap();
    let m = ws.scratch("deep.toml");
    std::fs::write(&m, "kind = \"bank\"\nheader_row = 500\n").unwrap();
    let out = ws.ok(&["import", "--no-progress", "--map", m.to_str().unwrap(), f.to_str().unwrap()]);
    assert!(out.contains("header on line 500") && out.contains("stored 3 rows"), "{out}");
}

#[test]
fn create_table_twice_without_or_replace_fails() {
    let ws = Ws::new();
    ws.ok(&["sql", "-c", "CREATE TABLE mine AS SELECT 1 AS a"]);
    let err = ws.fails(&["sql", "-c", "CREATE TABLE mine AS SELECT 2 AS a"]);
    assert!(err.contains("table mine exists; CREATE OR REPLACE TABLE replaces it"), "{err}");
    assert_eq!(ws.value("SELECT a FROM mine"), "1");
    ws.ok(&["sql", "-c", "CREATE OR REPLACE TABLE mine AS SELECT 3 AS a"]);
    assert_eq!(ws.value("SELECT a FROM mine"), "3");
}

#[test]
fn a_run_records_the_imports_it_read() {
    let ws = Ws::new();
    for (i, name) in ["a.csv", "b.csv", "c.csv"].iter().enumerate() {
        let f = ws.scratch(name);
        std::fs::write(&f, file_of(&[HEADER.to_string(), row(i as u32)], "\n")).unwrap();
        ws.import(&f);
    }
    ws.ok(&["imports", "undo", "2"]);
    let out = ws.ok(&["reconcile", "--no-progress"]);
    assert!(out.contains("Imports read: 1, 3"), "{out}");
    assert_eq!(ws.value("SELECT imports FROM runs WHERE run_id = 1"), "1, 3");
}

fn ofx2(entries: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STMTRS><CURDEF>USD</CURDEF>
<BANKACCTFROM><BANKID>121000248</BANKID><ACCTID>555</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261001</DTSTART><DTEND>20261031</DTEND>
{entries}
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"#
    )
}

#[test]
fn an_ofx_2_file_that_is_not_xml_is_refused_unless_only_an_ampersand_is_bare() {
    let ws = Ws::new();
    let one = |id: &str, name: &str| {
        format!(
            "<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20261002</DTPOSTED><TRNAMT>10.00</TRNAMT><FITID>{id}</FITID><NAME>{name}</NAME></STMTTRN>"
        )
    };
    // A bare `&` in a payee's name: the meaning is plain, it is read.
    let f = ws.scratch("amp.ofx");
    std::fs::write(&f, ofx2(&format!("{}\n{}", one("F1", "AT&T"), one("F2", "Smith &amp; Sons")))).unwrap();
    let out = ws.ok(&["import", "--no-progress", f.to_str().unwrap()]);
    assert!(out.contains("stored 2 rows"), "{out}");
    assert_eq!(ws.rows("SELECT txn_id, memo FROM bank_txns ORDER BY txn_id"), [["F1", "AT&T"], ["F2", "Smith & Sons"]]);
    // An entry whose element is never closed: which fields are whose is a guess.
    let f = ws.scratch("broken.ofx");
    let broken = format!(
        "{}\n<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20261003</DTPOSTED><TRNAMT>5.00</TRNAMT>\n{}",
        one("G1", "A"),
        one("G3", "C")
    );
    std::fs::write(&f, ofx2(&broken)).unwrap();
    let out = ws.run(&["import", "--no-progress", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("an OFX 2 file must be well-formed XML, and this one is not"), "{err}");
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns WHERE txn_id LIKE 'G%'"), "0");
}

#[test]
fn a_reader_keeps_the_files_of_an_import_undone_while_it_reads() {
    let ws = Ws::new();
    let f = ws.scratch("a.csv");
    std::fs::write(&f, file_of(&[HEADER.to_string(), row(1)], "\n")).unwrap();
    ws.import(&f);
    let file = |id: &str| ws.root.join(format!("tables/bank_txns/imp-{id}.parquet"));
    assert!(file("000001").exists());
    // A shell open on the workspace: a reader for as long as it runs.
    let mut shell = ws
        .cmd()
        .args(["shell", "--user", "admin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(shell.try_wait().unwrap().is_none(), "the shell is open");
    ws.ok(&["imports", "undo", "1"]);
    assert_eq!(ws.value("SELECT count(*) FROM bank_txns"), "0", "undone for every new reader");
    assert!(file("000001").exists(), "kept while a reader may read it");
    drop(shell.stdin.take());
    let _ = shell.wait();
    // The next writer, alone, clears it.
    let g = ws.scratch("b.csv");
    std::fs::write(&g, file_of(&[HEADER.to_string(), row(2)], "\n")).unwrap();
    ws.import(&g);
    assert!(!file("000001").exists());
}

#[test]
fn a_user_change_never_lands_without_its_audit_line() {
    let ws = Ws::new();
    // Killed between the users file and the audit log: the next command writes the line.
    let out = ws
        .cmd()
        .args(["user", "add", "vera", "--role", "viewer"])
        .env("RECON_NEW_PASSWORD", "viewer-pass-2026")
        .env("RECON_FAULT", "users:saved")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the process was aborted");
    let added = admin(&ws, &["audit", "--event", "user_add"]);
    assert_eq!(added.lines().count(), 1, "{added}");
    assert!(added.contains("vera as viewer"), "{added}");
    assert!(admin(&ws, &["audit", "verify"]).contains("audit log intact"));
    // And once only, however many commands come after.
    admin(&ws, &["audit"]);
    assert_eq!(admin(&ws, &["audit", "--event", "user_add"]).lines().count(), 1);

    // Two admins adding users at the same moment: both land, each with its line.
    let spawn = |name: &str| {
        ws.cmd()
            .args(["--user", "admin", "user", "add", name, "--role", "viewer"])
            .env("RECON_NEW_PASSWORD", "viewer-pass-2026")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..4).map(|i| spawn(&format!("clerk{i}"))).collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let listed = admin(&ws, &["user", "list"]);
    for i in 0..4 {
        assert!(listed.contains(&format!("clerk{i}")), "{listed}");
    }
    assert_eq!(admin(&ws, &["audit", "--event", "user_add"]).lines().count(), 5);
    assert!(admin(&ws, &["audit", "verify"]).contains("audit log intact"));
}
