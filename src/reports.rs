//! Saved reports: a query with a title and named parameters (`:from`, `:platform` …),
//! kept in the workspace as `reports/NAME.sql` with a comment header so it can be
//! reviewed and versioned; and the built-in reports over the report views of `sql/`.

use std::path::PathBuf;

use crate::error::Error;
use crate::workspace::{Workspace, fsutil};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub name: String,
    pub title: String,
    pub params: Vec<String>,
    pub sql: String,
    pub builtin: bool,
    /// Who saved it and when, for the user's own.
    pub saved: String,
}

/// The built-in reports: a view each, titled in Chinese and English, in the order a
/// reader expects its rows.
const BUILTIN: [(&str, &str, &str); 8] = [
    ("collection_summary", "回款汇总 Collection summary", "platform, shop, month, currency"),
    ("sales_vs_collections", "销售与回款对比 Sales vs collections", "month, currency"),
    ("fees_by_platform", "平台费用 Fees by platform", "platform, month, currency"),
    ("aging", "账龄分析 Aging", "platform, shop, currency, aging_bucket"),
    ("follow_up", "逾期跟进 Overdue follow-up", "outstanding DESC, days_overdue DESC, order_id"),
    ("receivables", "应收明细 Receivables", "platform, shop, order_time, order_id"),
    ("discrepancies", "差异明细 Discrepancies", "kind, platform, time, reference"),
    ("bank_reconciliation", "银行存款余额调节表 Bank reconciliation statement", "account, line"),
];

/// One section of a built-in report made of several: a sheet of its workbook, a part of
/// its PDF.
pub struct Section {
    pub title: &'static str,
    pub sql: &'static str,
    /// Whether its rows add up to a totals row and a chart.
    pub adds_up: bool,
}

/// The management report: headline figures, sales and collections by month, collections
/// by platform, the top risks with their explanations, and the 30-day cash forecast as a
/// range (by source, and to date day by day). The
/// money figures are per currency: a row for each currency the workspace holds.
pub const ANALYSIS: (&str, &str, [Section; 6]) = (
    "analysis",
    "经营分析报告 Management report",
    [
        Section {
            title: "要点 Headline figures",
            sql: "WITH c AS (SELECT currency, sum(sold) AS sales, sum(received) AS received, sum(refunds) AS refunds, \
                      sum(fees) AS fees FROM collection_summary GROUP BY currency), \
                  r AS (SELECT currency, sum(outstanding) AS outstanding, \
                      coalesce(sum(outstanding) FILTER (WHERE status = 'overdue'), 0) AS overdue \
                      FROM receivables GROUP BY currency) \
                  SELECT c.currency, c.sales, c.received, r.outstanding, r.overdue, \
                  round(CAST(c.received AS DOUBLE) / nullif(CAST(c.sales - c.refunds AS DOUBLE), 0), 4) AS collection_rate, \
                  round(CAST(c.fees AS DOUBLE) / nullif(CAST(c.sales AS DOUBLE), 0), 4) AS fee_rate, \
                  round(CAST(c.refunds AS DOUBLE) / nullif(CAST(c.sales AS DOUBLE), 0), 4) AS refund_rate, \
                  (SELECT count(*) FROM risks WHERE severity = 'high') AS high_risks \
                  FROM c LEFT JOIN r ON r.currency IS NOT DISTINCT FROM c.currency ORDER BY c.sales DESC",
            adds_up: false,
        },
        Section {
            title: "销售与回款趋势 Sales and collections by month",
            sql: "SELECT month, currency, sales, collections FROM sales_vs_collections ORDER BY month, currency",
            adds_up: true,
        },
        Section {
            title: "平台回款 Collections by platform",
            sql: "SELECT platform, currency, sum(sold) AS sales, sum(fees) AS fees, sum(received) AS received, \
                  sum(outstanding) AS outstanding FROM collection_summary GROUP BY platform, currency ORDER BY sales DESC",
            adds_up: true,
        },
        Section {
            title: "主要风险 Top risks",
            sql: "SELECT severity, kind, platform, reference, amount, explanation FROM risks LIMIT 15",
            adds_up: false,
        },
        Section {
            title: "30 天回款预测（80% 区间）Cash expected in the next 30 days, with its 80% range",
            sql: "SELECT CASE source WHEN 'open_orders' THEN '平台在途订单与钱包 Open platform orders and wallets' \
                  WHEN 'new_sales' THEN '平台新增销售 New platform sales' \
                  WHEN 'b2b_invoices' THEN '未收 B2B 货款 Open B2B invoices' \
                  WHEN 'new_b2b' THEN '新增 B2B 订单 New B2B orders' ELSE '合计 Total' END AS source, \
                  expected AS expected_amount, p10, p90 FROM cash_forecast_range \
                  WHERE day = (SELECT max(day) FROM cash_forecast_range) ORDER BY source LIKE '合计%', expected_amount DESC",
            adds_up: false,
        },
        Section {
            title: "逐日累计回款预测 Cash expected to date, day by day, with its 80% range",
            sql: "SELECT day, expected AS expected_to_date, p10 AS p10_to_date, p90 AS p90_to_date \
                  FROM cash_forecast_range WHERE source = 'total' ORDER BY day",
            adds_up: true,
        },
    ],
);

/// The sections of a built-in report made of several, if `name` is one.
pub fn sections(name: &str) -> Option<&'static [Section]> {
    ANALYSIS.0.eq_ignore_ascii_case(name).then_some(&ANALYSIS.2[..])
}

/// Built-in reports whose lines are a statement, not rows to add up: no totals, no chart.
const STATEMENTS: [&str; 1] = ["bank_reconciliation"];

impl Report {
    /// Whether an export adds up its columns in a totals row and charts it.
    pub fn adds_up(&self) -> bool {
        !(self.builtin && STATEMENTS.contains(&self.name.as_str()))
    }
}

fn dir(ws: &Workspace) -> PathBuf {
    ws.root().join("reports")
}

/// A report name: a plain identifier (crate::names), so it is also a safe file name.
pub fn check_name(name: &str) -> Result<(), Error> {
    crate::names::identifier(crate::names::Kind::Report, name).map(|_| ())
}

/// Every report: built-in ones first, then the workspace's, by name.
pub fn list(ws: &Workspace) -> Vec<Report> {
    let mut out: Vec<Report> = BUILTIN
        .iter()
        .map(|(name, title, order)| Report {
            name: name.to_string(),
            title: title.to_string(),
            params: Vec::new(),
            sql: format!("SELECT * FROM {name} ORDER BY {order}"),
            builtin: true,
            saved: String::new(),
        })
        .collect();
    out.push(Report {
        name: ANALYSIS.0.to_string(),
        title: ANALYSIS.1.to_string(),
        params: Vec::new(),
        sql: ANALYSIS.2.iter().map(|s| s.sql).collect::<Vec<_>>().join(";\n"),
        builtin: true,
        saved: String::new(),
    });
    let mut mine: Vec<Report> = std::fs::read_dir(dir(ws))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_stem()?.to_str()?.to_string();
            if path.extension()? != "sql" || check_name(&name).is_err() {
                return None;
            }
            parse(&name, &std::fs::read_to_string(&path).ok()?)
        })
        .collect();
    mine.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(mine);
    out
}

pub fn find(ws: &Workspace, name: &str) -> Result<Report, Error> {
    list(ws)
        .into_iter()
        .find(|r| r.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| Error::Usage(format!("there is no report {name}; .report list (or recon report) lists them")))
}

/// A saved file: `-- title:`, `-- params:`, `-- saved:` lines, then the query.
fn parse(name: &str, text: &str) -> Option<Report> {
    let mut title = name.to_string();
    let mut saved = String::new();
    let mut body = Vec::new();
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("-- title:") {
            title = t.trim().to_string();
        } else if let Some(s) = line.strip_prefix("-- saved:") {
            saved = s.trim().to_string();
        } else if !line.starts_with("-- params:") {
            body.push(line);
        }
    }
    let sql = body.join("\n").trim().trim_end_matches(';').trim().to_string();
    (!sql.is_empty()).then(|| Report {
        name: name.to_string(),
        title,
        params: params_of(&sql),
        sql,
        builtin: false,
        saved,
    })
}

/// Saves a report; the query must plan (checked by the caller) and the name be free of
/// built-ins.
pub fn save(ws: &Workspace, name: &str, title: Option<&str>, sql: &str, user: &str) -> Result<Report, Error> {
    check_name(name)?;
    if BUILTIN.iter().any(|(b, _, _)| b.eq_ignore_ascii_case(name)) || sections(name).is_some() {
        return Err(Error::Usage(format!("{name} is a built-in report; give yours another name")));
    }
    let sql = sql.trim().trim_end_matches(';').trim();
    let params = params_of(sql);
    let saved = format!("{user} at {}", crate::clock::now().format("%Y-%m-%d %H:%M"));
    // The title is one line of text: no line break can start a line of SQL.
    let title: String = title.unwrap_or(name).chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let text = format!("-- title: {title}\n-- params: {}\n-- saved: {saved}\n{sql};\n", params.join(", "));
    let d = dir(ws);
    fsutil::create_private_dir(&d).map_err(|e| Error::Io(d.display().to_string(), e))?;
    // In a workspace transaction, like every change: other sessions see it whole.
    let mut tx = ws.begin()?;
    let tmp = tx.temp_path(&format!("report-{name}.sql"));
    fsutil::write_atomic(&tmp, text.as_bytes()).map_err(|e| Error::Io(tmp.display().to_string(), e))?;
    tx.stage(tmp, format!("reports/{name}.sql"));
    tx.audit(user, "define", &format!("report {name}"));
    tx.commit()?;
    std::mem::drop(tx);
    Ok(Report { name: name.to_string(), title, params, sql: sql.to_string(), builtin: false, saved })
}

pub fn drop(ws: &Workspace, name: &str, user: &str) -> Result<(), Error> {
    let r = find(ws, name)?;
    if r.builtin {
        return Err(Error::Usage(format!("{name} is a built-in report and stays")));
    }
    let mut tx = ws.begin()?;
    tx.remove(format!("reports/{}.sql", r.name));
    tx.audit(user, "define", &format!("dropped report {}", r.name));
    tx.commit()?;
    Ok(())
}

/// Whether `sql` is exactly one query (SELECT, WITH, VALUES): what a saved report may
/// be, checked when it is saved and again before it runs, whoever runs it.
pub fn check_query(name: &str, sql: &str) -> Result<(), Error> {
    use datafusion::sql::parser::{DFParser, Statement as DFStatement};
    use datafusion::sql::sqlparser::ast::Statement;
    let statements =
        DFParser::parse_sql(sql).map_err(|e| Error::Usage(format!("report {name}: its query does not parse: {e}")))?;
    match statements.iter().collect::<Vec<_>>().as_slice() {
        [DFStatement::Statement(s)] if matches!(**s, Statement::Query(_)) => Ok(()),
        _ => Err(Error::Forbidden(format!(
            "report {name}: a saved report is one query (SELECT …), not {}",
            if statements.len() == 1 {
                "another kind of statement".to_string()
            } else {
                format!("{} statements", statements.len())
            }
        ))),
    }
}

/// Named parameters (`:from`) outside string literals and comments, in order of first use.
pub fn params_of(sql: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    each_param(sql, |name, _, _| {
        if !out.iter().any(|p| p == name) {
            out.push(name.to_string());
        }
    });
    out
}

/// The query with each `:name` replaced by its value as a SQL string literal (DataFusion
/// casts it where a date or number is compared).
pub fn bind(report: &Report, values: &[(String, String)]) -> Result<String, Error> {
    for (k, _) in values {
        if !report.params.iter().any(|p| p == k) {
            return Err(Error::Usage(format!(
                "report {} has no parameter {k}; it takes: {}",
                report.name,
                if report.params.is_empty() { "none".to_string() } else { report.params.join(", ") }
            )));
        }
    }
    if let Some(missing) = report.params.iter().find(|p| !values.iter().any(|(k, _)| k == *p)) {
        return Err(Error::Usage(format!(
            "report {} needs a value for :{missing} ({missing}=… after .report run NAME, --param {missing}=… on the command line)",
            report.name
        )));
    }
    let mut out = String::new();
    let mut last = 0;
    each_param(&report.sql, |name, start, end| {
        let value = &values.iter().find(|(k, _)| k == name).expect("checked above").1;
        out.push_str(&report.sql[last..start]);
        out.push_str(&format!("'{}'", value.replace('\'', "''")));
        last = end;
    });
    out.push_str(&report.sql[last..]);
    Ok(out)
}

/// Calls `f(name, start, end)` for each `:name`, skipping quoted text, comments and `::`.
fn each_param(sql: &str, mut f: impl FnMut(&str, usize, usize)) {
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b':' if b.get(i + 1) == Some(&b':') => i += 2,
            b':' if b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') => {
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                f(&sql[start + 1..i], start, i);
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_found_and_bound_as_literals() {
        let sql = "SELECT * FROM orders WHERE order_time >= :from AND platform = :platform AND memo <> ':x' -- :y\n AND x::int > 0 AND order_time < :to OR :from IS NULL";
        assert_eq!(params_of(sql), vec!["from", "platform", "to"]);
        let r = Report {
            name: "r".into(),
            title: "t".into(),
            params: params_of(sql),
            sql: sql.into(),
            builtin: false,
            saved: String::new(),
        };
        let values = [("from", "2026-10-01"), ("platform", "o'hara"), ("to", "2026-11-01")]
            .map(|(k, v)| (k.to_string(), v.to_string()));
        let bound = bind(&r, &values).unwrap();
        assert!(bound.contains(">= '2026-10-01' AND platform = 'o''hara'"), "{bound}");
        assert!(
            bound.contains("memo <> ':x' -- :y")
                && bound.contains("x::int")
                && bound.ends_with("OR '2026-10-01' IS NULL")
        );
        assert!(bind(&r, &values[..2]).unwrap_err().to_string().contains("needs a value for :to"));
        let extra = [values.to_vec(), vec![("shop".into(), "x".into())]].concat();
        assert!(bind(&r, &extra).unwrap_err().to_string().contains("no parameter shop"));
    }

    #[test]
    fn names_are_plain() {
        assert!(check_name("monthly_2026").is_ok());
        for bad in ["", "../x", "a b", "9lives", "月报"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
