//! Reconciliation runs: the matching views materialised as a numbered run under
//! `runs/NNNNNN/` (Parquet, committed like an import, so a run is whole or absent).
//! Earlier runs stay queryable as `run_<view>`.

use std::collections::BTreeMap;
use std::path::Path;

use futures::StreamExt;

use super::Service;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::ingest::sink::ParquetSink;
use crate::period::Span;
use crate::session::Session;
use crate::workspace::{Run, fsutil};

/// The views a run keeps, each with the time that places its rows in a period.
pub const RUN_VIEWS: [(&str, Option<&str>); 8] = [
    ("order_settlement", Some("order_time")),
    ("receivables", Some("order_time")),
    ("bank_matches", Some("txn_time")),
    ("unmatched_payouts", Some("payout_time")),
    ("unmatched_bank", Some("txn_time")),
    ("match_candidates", Some("txn_time")),
    ("unknown_order_lines", Some("txn_time")),
    ("manual_orphans", None),
];

/// Which rows a run keeps: a named period, or days from and to (all when none).
#[derive(Clone, Debug, Default)]
pub struct RunScope {
    pub span: Option<Span>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

impl Service {
    /// Runs matching over everything imported and keeps the rows of the period asked
    /// for (all when none): a payout at the end of the period still finds the credit
    /// that arrives after it. `on_view` hears each view as it is written. Returns the
    /// run's number; `session` (this user's) is refreshed after.
    pub async fn reconcile(
        &self,
        session: &mut Session,
        scope: RunScope,
        mut on_view: impl FnMut(&str),
    ) -> Result<u64, Error> {
        self.allowed(Action::Reconcile)?;
        let (from, to) = match &scope.span {
            Some(s) => (Some(s.from), Some(s.last_day())),
            None => (scope.from, scope.to),
        };
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(Error::Usage(format!("--from {from} is after --to {to}")));
        }
        // The data is read under the writer lock, so the run holds exactly the imports
        // committed before it, and says which.
        let mut tx = self.ws.begin()?;
        session.refresh(&self.ws).await?;
        let seen: Vec<u64> = tx.catalog.imports.iter().filter(|r| r.is_live()).map(|r| r.id).collect();
        let asked = crate::period::Span {
            label: String::new(),
            from: from.unwrap_or(chrono::NaiveDate::MIN),
            until: to.and_then(|t| t.succ_opt()).unwrap_or(chrono::NaiveDate::MAX),
        };
        // A run for a named span inside a closed period would pose as its figures; a run
        // of everything is only the current state, and the period keeps its own run.
        let explicit = from.is_some() || to.is_some();
        if let Some(closed) = crate::app::closed(&tx.catalog).find(|p| explicit && p.overlaps(&asked)) {
            return Err(Error::Usage(format!(
                "{} is closed: its figures are kept as they were; `recon reopen {} --reason …` (admin) first",
                closed.label, closed.label
            )));
        }
        let id = tx.catalog.runs.iter().map(|r| r.id).max().unwrap_or(0) + 1;
        let dir = format!("runs/{id:06}");
        fsutil::create_private_dir(&self.ws.path("runs"))
            .and_then(|_| fsutil::create_private_dir(&self.ws.path(&dir)))
            .map_err(|e| Error::Io(self.ws.path(&dir).display().to_string(), e))?;
        // Every view the run keeps, and all they read, computed side by side where one
        // does not read another; each kept view copied into the run as soon as it is
        // computed, while the rest still are.
        let names: Vec<&str> = RUN_VIEWS.iter().map(|(v, _)| *v).collect();
        let (done, mut computed) = tokio::sync::mpsc::unbounded_channel::<String>();
        let computing = async {
            crate::computed::compute(&session.ctx, &names, session.views_at_once(), done).await.map_err(Error::from)
        };
        let mut kept = BTreeMap::new();
        let keeping = async {
            while let Some(name) = computed.recv().await {
                if let Some(&(view, time)) = RUN_VIEWS.iter().find(|(v, _)| *v == name) {
                    on_view(view);
                    let rows = keep_view(session, &mut tx, &dir, id, (from, to), view, time).await?;
                    kept.insert(view.to_string(), rows);
                }
            }
            Ok(())
        };
        tokio::try_join!(computing, keeping)?;
        // A view the schedule did not hear of (not a computed one) is written here.
        for (view, time) in RUN_VIEWS {
            if !kept.contains_key(view) {
                on_view(view);
                let rows = keep_view(session, &mut tx, &dir, id, (from, to), view, time).await?;
                kept.insert(view.to_string(), rows);
            }
        }
        let settings = crate::settings::Settings::load(&self.ws).map_err(Error::Usage)?;
        let as_of = crate::asof::current(session.ctx.state().config_options()).map_err(Error::Usage)?;
        tx.catalog.runs.push(Run {
            params: std::iter::once(format!("as_of={as_of}"))
                .chain(settings.rows().into_iter().map(|(k, v)| format!("{k}={v}")))
                .collect(),
            id,
            time: crate::clock::now().to_rfc3339(),
            user: self.user.name.clone(),
            from: from.map(|d| d.to_string()),
            to: to.map(|d| d.to_string()),
            dir,
            views: kept,
            period: scope.span.as_ref().map(|s| s.label.clone()),
            imports: seen,
        });
        let period = match &scope.span {
            Some(s) => format!("period {}", s.label),
            None => format!(
                "from {} to {}",
                from.map_or("-".into(), |d| d.to_string()),
                to.map_or("-".into(), |d| d.to_string())
            ),
        };
        tx.audit(&self.user.name, "run", &format!("run {id} as of {as_of}, {period}"));
        tx.commit()?;
        drop(tx);
        session.refresh(&self.ws).await?;
        Ok(id)
    }
}

/// What a run found, as queries over the run's tables: matches by rule, what is left
/// open on each side, and the orders by status. Each with its title.
pub fn run_summary(id: u64) -> [(&'static str, String); 3] {
    [
        (
            "Matched (bank_matches)",
            format!(
                "WITH lines AS (
                SELECT rule, line_id, max(bank_amount) AS amount, count(*) AS items
                FROM run_bank_matches WHERE run_id = {id} GROUP BY rule, line_id
            )
            SELECT rule, sum(items) AS matched, count(*) AS bank_lines, sum(amount) AS amount FROM lines GROUP BY rule
            UNION ALL
            SELECT 'total', sum(items), count(*), sum(amount) FROM lines
            ORDER BY CASE WHEN rule = 'total' THEN 1 ELSE 0 END, matched DESC"
            ),
        ),
        (
            "Open",
            format!(
                "SELECT view, what, count, amount FROM (
                SELECT 1 AS k, 'unmatched_payouts' AS view, 'payouts no bank credit was found for' AS what,
                    count(*) AS count, sum(amount) AS amount
                FROM run_unmatched_payouts WHERE run_id = {id}
                UNION ALL
                SELECT 2, 'unmatched_bank', 'money in the bank nothing explains', count(*), sum(amount)
                FROM run_unmatched_bank WHERE run_id = {id}
                UNION ALL
                SELECT 3, 'match_candidates', 'payouts and orders a person must choose for',
                    count(DISTINCT coalesce(payout_id, order_id)), CAST(NULL AS DECIMAL(18, 2))
                FROM run_match_candidates WHERE run_id = {id}
                UNION ALL
                SELECT 4, 'unknown_order_lines', 'settlement lines of orders not imported', count(*), sum(amount)
                FROM run_unknown_order_lines WHERE run_id = {id}
                UNION ALL
                SELECT 5, 'manual_orphans', 'decisions naming rows no longer imported', count(DISTINCT action_id),
                    CAST(NULL AS DECIMAL(18, 2))
                FROM run_manual_orphans WHERE run_id = {id}
            ) ORDER BY k"
            ),
        ),
        (
            "Orders (order_settlement)",
            format!(
                "SELECT status, count(*) AS orders, sum(expected) AS expected, sum(settled) AS settled
            FROM run_order_settlement WHERE run_id = {id}
            GROUP BY status
            ORDER BY CASE status WHEN 'settled' THEN 0 WHEN 'partial' THEN 1 WHEN 'unsettled' THEN 2
                WHEN 'refunded' THEN 3 ELSE 4 END"
            ),
        ),
    ]
}

/// Writes run `id`'s copy of `view` (the rows whose `time` falls in the days asked for,
/// all when none) and stages it in `tx` under `dir`; the rows written.
async fn keep_view(
    session: &Session,
    tx: &mut crate::workspace::Transaction,
    dir: &str,
    id: u64,
    (from, to): (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    view: &str,
    time: Option<&str>,
) -> Result<u64, Error> {
    let mut conditions = Vec::new();
    if let (Some(col), Some(from)) = (time, from) {
        conditions.push(format!("{col} >= TIMESTAMP '{from} 00:00:00'"));
    }
    if let (Some(col), Some(to)) = (time, to) {
        conditions.push(format!("{col} < TIMESTAMP '{to} 00:00:00' + INTERVAL '1 day'"));
    }
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let sql = format!("SELECT CAST({id} AS BIGINT) AS run_id, * FROM {view}{filter}");
    let tmp = tx.temp_path(&format!("run-{view}.parquet"));
    let copied = if conditions.is_empty() { copy_answer(session, view, &sql, id, &tmp).await } else { None };
    let written = match copied {
        Some(rows) => Ok(rows),
        None => write_query(session, &sql, &tmp).await,
    };
    match written {
        Ok(rows) => {
            tx.stage(tmp, format!("{dir}/{view}.parquet"));
            Ok(rows)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// `view`'s rows led by `run_id`, copied from the answer this session keeps for it when
/// it reads the view straight from one (not through masks); `None` when it does not, or
/// the copy failed: the run then writes the view's query, `sql`, which the role's checks
/// pass here as well.
async fn copy_answer(session: &Session, view: &str, sql: &str, run_id: u64, tmp: &Path) -> Option<u64> {
    let plan = session.ctx.state().create_logical_plan(sql).await.ok()?;
    crate::session::check(session.role, &session.root, &plan).ok()?;
    let provider = session.ctx.table_provider(view).await.ok()?;
    let computed = provider.downcast_ref::<crate::computed::ComputedView>()?;
    let answer = computed.kept_file(&session.ctx.state()).await.ok()??;
    let out = fsutil::create_private(tmp).ok()?;
    let copied = tokio::task::spawn_blocking(move || super::run_copy::with_run_id(&answer, run_id as i64, out)).await;
    match copied {
        Ok(Ok(rows)) => Some(rows),
        _ => {
            let _ = std::fs::remove_file(tmp);
            None
        }
    }
}

/// Runs a query into a Parquet file as `session`'s user may; the number of rows written.
pub async fn write_query(session: &Session, sql: &str, path: &Path) -> Result<u64, Error> {
    let df = crate::session::planned(session, sql).await?;
    let schema = df.schema().inner().clone();
    let mut sink = ParquetSink::create(path, schema).map_err(|e| Error::Io(path.display().to_string(), e))?;
    let mut stream = df.execute_stream().await?;
    let mut rows = 0u64;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        sink.write(batch).map_err(Error::Other)?;
    }
    sink.finish().map_err(Error::Other)?;
    Ok(rows)
}
