//! Reports sent to other departments, read back the way their readers would: PDFs through
//! poppler (pdftotext, pdffonts, pdftoppm), workbooks through calamine; several results
//! in one file; `.export` from the shell's batch mode.

use std::path::Path;
use std::process::Command;

use crate::common::{Ws, grouped, text};

fn generated() -> Ws {
    crate::common::generated(1200, 4, "low").0
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is needed to read the PDFs back; .ci/run installs it: {e}"));
    assert!(out.status.success(), "{tool} {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

fn page_text(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    poppler("pdftotext", &["-layout", "-f", &p, "-l", &p, pdf.to_str().unwrap(), "-"])
}

fn pages(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

#[test]
fn a_pdf_report_reads_back_in_chinese_with_its_totals() {
    let ws = generated();
    let pdf = ws.scratch("out/summary.pdf");
    let said = ws.ok(&["report", "collection_summary", "-o", pdf.to_str().unwrap()]);
    let rows = ws.value("SELECT count(*) FROM collection_summary");
    assert!(said.contains(&format!("回款汇总 Collection summary: {rows} rows written")), "{said}");

    let n = pages(&pdf);
    let first = page_text(&pdf, 1);
    assert!(first.contains("回款汇总 Collection summary"), "{first}");
    assert!(first.contains("by admin"), "{first}");
    for page in 1..=n {
        let t = page_text(&pdf, page);
        let header = t.lines().find(|l| l.contains("平台")).unwrap_or_else(|| panic!("page {page}: no header\n{t}"));
        for h in ["店铺", "月份", "订单数", "销售额", "已回款", "未回款", "回款率"] {
            assert!(header.contains(h), "page {page} header {header:?} lacks {h}");
        }
        assert!(t.contains(&format!("第 {page} / {n} 页")), "page {page} has no page number:\n{t}");
    }
    let last = page_text(&pdf, n);
    let totals = last.lines().find(|l| l.contains("合计 Total")).expect("a totals row");
    let sold = ws.value("SELECT sum(sold) FROM collection_summary");
    let outstanding = ws.value("SELECT sum(outstanding) FROM collection_summary");
    assert!(totals.contains(&grouped(&sold)), "{totals:?} lacks sold {sold}");
    assert!(totals.contains(&grouped(&outstanding)), "{totals:?} lacks outstanding {outstanding}");
    let platforms = ["b2b", "douyin", "jd", "pdd", "tmall"];
    assert!(first.lines().filter(|l| platforms.iter().any(|p| l.starts_with(p))).count() > 10, "{first}");

    // The font is embedded, as a subset, with a map back to Unicode.
    let fonts = poppler("pdffonts", &[pdf.to_str().unwrap()]);
    let font = fonts.lines().nth(2).unwrap_or_else(|| panic!("no font in\n{fonts}"));
    let flags: Vec<&str> = font.split_whitespace().rev().take(5).collect();
    assert_eq!(&flags[2..], ["yes", "yes", "yes"], "emb sub uni: {font}");
    assert!(std::fs::metadata(&pdf).unwrap().len() < 400_000, "a subset, not the whole font");

    // It renders, with ink on the page (pdftoppm to a greyscale image).
    let image = ws.scratch("out/page");
    poppler("pdftoppm", &["-r", "40", "-gray", "-f", "1", "-l", "1", pdf.to_str().unwrap(), image.to_str().unwrap()]);
    let pgm = std::fs::read_dir(ws.scratch("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pgm"))
        .expect("a rendered page");
    let bytes = std::fs::read(pgm).unwrap();
    let dark = bytes.iter().rev().take(bytes.len() - 20).filter(|b| **b < 128).count();
    assert!(dark > 2000, "page 1 is nearly blank: {dark} dark pixels");
}

#[test]
fn a_long_pdf_repeats_its_header_and_a_wide_one_turns_landscape() {
    let ws = generated();
    let pdf = ws.scratch("out/receivables.pdf");
    ws.ok(&["report", "receivables", "--lang", "en", "-o", pdf.to_str().unwrap()]);
    let n = pages(&pdf);
    let rows: usize = ws.value("SELECT count(*) FROM receivables").parse().unwrap();
    assert!(n > rows / 60, "{rows} rows on {n} pages");
    for page in [1, n / 2, n] {
        let t = page_text(&pdf, page);
        assert!(t.lines().any(|l| l.contains("order_id") && l.contains("outstanding")), "page {page}:\n{t}");
    }
    let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("841.89 x 595.28") || info.contains("841.891 x 595.28"), "landscape A4: {info}");
    let order = ws.value("SELECT order_id FROM receivables ORDER BY outstanding DESC, order_id LIMIT 1");
    let all = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(all.contains(&order), "order {order} is in the PDF");
}

#[test]
fn several_results_in_one_file_and_export_from_the_shell() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let ws = generated();
    let book = ws.scratch("out/book.xlsx");
    ws.ok(&["report", "collection_summary", "aging", "-o", book.to_str().unwrap()]);
    let mut wb: Xlsx<_> = open_workbook(&book).unwrap();
    assert_eq!(wb.sheet_names(), ["回款汇总 Collection summary", "账龄分析 Aging"]);
    let aging = wb.worksheet_range("账龄分析 Aging").unwrap();
    assert_eq!(aging.get_value((0, 0)), Some(&Data::String("账龄分析 Aging".into())));

    // .export: the last query, several statements, reports with parameters.
    let script = ws.scratch("export.sql");
    let last = ws.scratch("out/last.xlsx");
    let two = ws.scratch("out/two.pdf");
    let reports = ws.scratch("out/reports.xlsx");
    let csv = ws.scratch("out/one.csv");
    std::fs::write(
        &script,
        format!(
            "SELECT platform, count(*) AS orders FROM orders GROUP BY platform ORDER BY platform;\n\
             .export {last}\n\
             .export {two} SELECT platform, sum(outstanding) AS outstanding FROM receivables GROUP BY platform ORDER BY platform; SELECT status, count(*) AS orders FROM receivables GROUP BY status ORDER BY status\n\
             .export --lang en {reports} report aging report collection_summary\n\
             .export {csv} SELECT 1 AS a; SELECT 2 AS b\n",
            last = last.display(),
            two = two.display(),
            reports = reports.display(),
            csv = csv.display()
        ),
    )
    .unwrap();
    let out = ws.run(&["sql", "-f", script.to_str().unwrap()]);
    let said = text(&out.stdout);
    let errors = text(&out.stderr);
    assert!(said.contains(&format!("rows written to {}", last.display())), "{said}\n{errors}");
    assert!(errors.contains("a .csv file holds one result"), "{errors}");
    assert!(!csv.exists());

    let mut wb: Xlsx<_> = open_workbook(&last).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let platforms = ws.value("SELECT count(DISTINCT platform) FROM orders");
    assert_eq!(sheet.get_value((3, 0)), Some(&Data::String("平台".into())));
    assert_eq!(sheet.get_value((4 + platforms.parse::<u32>().unwrap(), 0)), Some(&Data::String("合计 Total".into())));

    let both = poppler("pdftotext", &["-layout", two.to_str().unwrap(), "-"]);
    assert!(both.contains("查询结果 Query 1") && both.contains("查询结果 Query 2"), "{both}");
    let outstanding = ws.value("SELECT sum(outstanding) FROM receivables");
    assert!(both.lines().any(|l| l.contains("合计 Total") && l.contains(&grouped(&outstanding))), "{both}");

    let mut wb: Xlsx<_> = open_workbook(&reports).unwrap();
    assert_eq!(wb.sheet_names().len(), 2);
    let summary = wb.worksheet_range_at(1).unwrap().unwrap();
    assert_eq!(summary.get_value((3, 0)), Some(&Data::String("platform".into())));

    // An existing file stays unless --force.
    let again = ws.scratch("again.sql");
    std::fs::write(&again, format!("SELECT 1 AS a;\n.export {}\n", last.display())).unwrap();
    assert!(text(&ws.run(&["sql", "-f", again.to_str().unwrap()]).stderr).contains("--force"));
}

#[test]
fn a_pdf_without_a_chinese_font_is_refused_and_leaves_nothing() {
    let ws = generated();
    let fake = ws.scratch("plain.ttf");
    std::fs::write(&fake, b"not a font at all").unwrap();
    let pdf = ws.scratch("out/x.pdf");
    let err = ws.fails(&["report", "aging", "--font", fake.to_str().unwrap(), "-o", pdf.to_str().unwrap()]);
    assert!(err.contains("not a font that has Chinese characters") && err.contains("fonts-noto-cjk"), "{err}");
    assert!(!pdf.exists() && !ws.scratch("out/x.pdf.partial").exists());
}
