//! `recon demo`: a workspace built from the bundled sample data in one command: a demo
//! user with a fresh password (printed once), every sample file imported, a summary of
//! what was loaded, a reconciliation run with what matched and what is open, and the
//! collection summary and the follow-up list written as Excel files.

use std::path::Path;

use rand::Rng;
use rand::distr::Alphanumeric;

use super::Context;
use crate::cli::{DemoArgs, OutputFormat, ReconcileArgs, ReportArgs};
use recon::auth::{Role, Users};
use recon::error::Error;
use recon::ingest::ImportOptions;
use recon::workspace::{MARKER_FILE, Workspace};

/// Marks a folder as a demo, the only kind of workspace `recon demo` may replace.
const DEMO_MARKER: &str = ".recon-demo";
const DEMO_USER: &str = "demo";

pub fn run(ctx: &Context, args: DemoArgs) -> Result<(), Error> {
    let dir = &args.dir;
    clear_previous_demo(dir)?;
    let password = fresh_password();
    let mut users = Users::default();
    users.add(DEMO_USER, Role::Admin, &password)?;
    let ws = Workspace::create(dir)?;
    users.save(&ws)?;
    std::fs::write(dir.join(DEMO_MARKER), b"made by recon demo; `recon demo` may replace this folder\n")
        .map_err(|e| Error::Io(dir.display().to_string(), e))?;

    let staging = tempfile::tempdir().map_err(|e| Error::Io("temp folder".into(), e))?;
    let files = recon::sample_data::extract(staging.path()).map_err(|e| Error::Io("sample data".into(), e))?;
    let opts = ImportOptions { progress: false, ..ImportOptions::default() };
    println!("recon demo: importing {} sample files into {}\n", files.len(), dir.display());
    let user =
        Users::load(&ws)?.get(DEMO_USER).cloned().ok_or_else(|| Error::Other("the demo user is missing".into()))?;
    let app = recon::app::Service::logged_in(ws.clone(), user.clone());
    let mut failure = None;
    app.import_files(&files, &opts, |file, result| match result {
        Ok(report) => {
            let relative = file.strip_prefix(staging.path()).unwrap_or(file);
            println!(
                "  import {:>2}  {:<44} → {:<11} {:>5} rows",
                report.import_id,
                relative.display(),
                report.kind.table(),
                report.counts.stored
            );
        }
        Err(e) => failure = Some(format!("{}: {e}", file.display())),
    })?;
    if let Some(f) = failure {
        return Err(Error::Other(format!("a sample file did not import: {f}")));
    }
    println!("\nWhat the workspace holds:");
    super::sql::print_query(&ws, &user, SUMMARY_SQL, OutputFormat::Table)?;
    println!("\nMoney through the platform wallets, by platform:");
    super::sql::print_query(&ws, &user, WALLET_SQL, OutputFormat::Table)?;
    println!("\nReconciling (recon reconcile):\n");
    let mut runner = crate::runner::Runner::new(ws.clone(), user, ctx.memory_limit, false)?;
    runner.reconcile(&ReconcileArgs { from: None, to: None, period: None, no_progress: true })?;
    println!("\nWhat is still open, a few of each (unmatched_payouts, unmatched_bank, match_candidates):");
    runner.run_script(OPEN_SQL, "demo")?;
    println!("\nWhat deserves a look first (SELECT * FROM risks), the top five:");
    runner.run_script(RISKS_SQL, "demo")?;
    println!("\nDisagreements to work (recon anomaly lists them; assign, resolve or ignore each):");
    runner.run_script(ANOMALIES_SQL, "demo")?;
    println!("\nReports to share (recon report NAME -o FILE):");
    // Results never go inside a workspace: beside it.
    let exports = exports_dir(dir);
    std::fs::create_dir_all(&exports).map_err(|e| Error::Io(exports.display().to_string(), e))?;
    for name in ["collection_summary", "follow_up"] {
        for ext in ["xlsx", "pdf"] {
            let args = ReportArgs {
                names: vec![name.to_string()],
                params: Vec::new(),
                format: OutputFormat::Table,
                output: Some(exports.join(format!("{name}.{ext}"))),
                force: true,
                lang: "zh".into(),
                font: None,
            };
            runner.report(&args)?;
        }
    }
    let home = dir.display();
    println!(
        "\nThe demo workspace is {home}; its user is '{DEMO_USER}' with password {password}\n\
         (shown only now). Query it, for example:\n\n  \
         RECON_HOME={home} RECON_USER={DEMO_USER} RECON_PASSWORD={password} recon sql -c \\\n    \
         \"SELECT status, count(*) FROM order_settlement GROUP BY status\"\n\n\
         and settle an open item by hand, which every later run keeps:\n\n  \
         recon match --payout PAYOUT_ID --bank BANK_TXN_ID --reason \"confirmed with the platform\""
    );
    Ok(())
}

/// Where the demo writes its reports: `recon-demo-exports` beside `recon-demo`.
pub fn exports_dir(dir: &Path) -> std::path::PathBuf {
    let name = dir.file_name().map_or_else(|| "recon-demo".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!("{name}-exports"))
}

const OPEN_SQL: &str = "\
SELECT platform, payout_id, payout_time, amount FROM unmatched_payouts ORDER BY payout_time LIMIT 5;
SELECT txn_id, txn_time, amount, counterparty_name, memo FROM unmatched_bank ORDER BY txn_time LIMIT 5;
SELECT coalesce(payout_id, order_id) AS open_item, txn_id, amount, rule, round(score, 3) AS score
FROM match_candidates ORDER BY open_item, score DESC LIMIT 6;";

const RISKS_SQL: &str = "SELECT kind, severity, reference, amount, explanation FROM risks LIMIT 5;";

const SUMMARY_SQL: &str = "\
SELECT \"table\", \"rows\", amount, first, last FROM (
SELECT 1 AS n, 'orders' AS \"table\", count(*) AS \"rows\", sum(paid_amount) AS amount, min(order_time) AS first, max(order_time) AS last FROM orders
UNION ALL SELECT 2, 'settlements', count(*), sum(amount), min(txn_time), max(txn_time) FROM settlements
UNION ALL SELECT 3, 'bank_txns', count(*), sum(amount), min(txn_time), max(txn_time) FROM bank_txns
UNION ALL SELECT 4, 'shipments', count(*), NULL, min(ship_time), max(ship_time) FROM shipments
UNION ALL SELECT 5, 'returns', count(*), sum(refund_amount), min(apply_time), max(apply_time) FROM returns
UNION ALL SELECT 6, 'courier_bills', count(*), sum(amount), min(ship_time), max(ship_time) FROM courier_bills
UNION ALL SELECT 7, 'inventory', count(*), NULL, min(txn_time), max(txn_time) FROM inventory
) t ORDER BY n";

const ANOMALIES_SQL: &str =
    "SELECT kind, count(*) AS open, sum(amount) AS amount FROM open_anomalies GROUP BY kind ORDER BY open DESC, kind;";

const WALLET_SQL: &str = "\
SELECT platform,
       sum(CASE WHEN kind = 'sale' THEN amount ELSE 0 END) AS sales,
       sum(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS refunds,
       sum(CASE WHEN kind IN ('commission', 'fee', 'promotion', 'shipping') THEN amount ELSE 0 END) AS fees,
       sum(CASE WHEN kind = 'withdrawal' THEN amount ELSE 0 END) AS withdrawn,
       sum(amount) AS left_in_wallet
FROM settlements GROUP BY platform ORDER BY platform";

/// Only an earlier demo (or nothing, or an empty folder) may be replaced.
fn clear_previous_demo(dir: &Path) -> Result<(), Error> {
    if !dir.exists() {
        return Ok(());
    }
    let io = |e| Error::Io(dir.display().to_string(), e);
    let empty = std::fs::read_dir(dir).map_err(io)?.next().is_none();
    if empty {
        return std::fs::remove_dir(dir).map_err(io);
    }
    if dir.join(DEMO_MARKER).is_file() && dir.join(MARKER_FILE).is_file() {
        return std::fs::remove_dir_all(dir).map_err(io);
    }
    Err(Error::Usage(format!("{} exists and is not a recon demo; choose another folder with --dir", dir.display())))
}

fn fresh_password() -> String {
    loop {
        let pw: String = rand::rng().sample_iter(&Alphanumeric).take(16).map(char::from).collect();
        if recon::auth::password::check_policy(DEMO_USER, &pw).is_ok() {
            return pw;
        }
    }
}
