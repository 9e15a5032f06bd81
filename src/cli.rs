//! The command line: global options and one subcommand each, as clap parses them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "recon",
    version,
    about = "E-commerce payment reconciliation: platform orders, settlements and bank statements in one SQL workspace",
    long_about = None,
    after_help = "Without a command, recon opens the interactive SQL shell on a terminal, or runs the SQL script on standard input (recon < month-end.sql)."
)]
pub struct Cli {
    /// The workspace folder [default: ./recon-data]
    #[arg(long, global = true, env = "RECON_HOME", value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// Log in as this user [default: the only user, if there is one]
    #[arg(long, global = true, env = "RECON_USER", value_name = "NAME")]
    pub user: Option<String>,
    /// Read the password from the first line of standard input (else RECON_PASSWORD, else a prompt)
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// Memory queries may use before they spill to disk, e.g. 2GB [default: half the machine's memory]
    #[arg(long, global = true, env = "RECON_MEMORY_LIMIT", value_name = "SIZE")]
    pub memory_limit: Option<String>,
    /// Seconds a statement may run before it is stopped (0: no limit) [default: settings.toml [limits], 600]
    #[arg(long, global = true, env = "RECON_TIMEOUT", value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Compute time-dependent figures (receivables, overdue days) as of this date or time [default: now]
    #[arg(long, global = true, env = "RECON_AS_OF", value_name = "TIME")]
    pub as_of: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new workspace and its first admin user
    Init,
    /// The interactive SQL shell (also what `recon` alone opens)
    Shell,
    /// Import CSV/TSV, XLSX, XLS or Parquet files: orders, settlements, bank statements, shipments, returns, courier bills, inventory
    Import(ImportArgs),
    /// List the import log, or undo one import
    Imports(ImportsArgs),
    /// The named export formats recon recognises: what each fills, and the header it looks for
    Formats,
    /// Run SQL against the workspace
    Sql(SqlArgs),
    /// Generate synthetic data with ground truth (runs recon-gen, installed beside recon)
    Gen(GenArgs),
    /// Run matching and keep the result as a numbered run; print what matched and what is open
    Reconcile(ReconcileArgs),
    /// Close a period: its latest run's figures become the period's, and later imports dated inside are flagged
    Close(CloseArgs),
    /// Reopen a closed period (admin), so it can be reconciled again; the reason is audited
    Reopen(ReopenArgs),
    /// Work the anomalies: list what is open, assign, start, resolve, ignore or reopen one
    Anomaly(AnomalyArgs),
    /// Why an order, payout or bank line is where it is: its rows with file and line, the candidates matching considered with each rule's evidence and score, and its status
    Explain(ExplainArgs),
    /// Match payouts or orders to bank lines by hand (wins over automatic matching)
    Match(DecisionArgs),
    /// Break a match: the payouts or orders and bank lines named are never paired automatically again
    Unmatch(DecisionArgs),
    /// Write off a difference on payouts, orders or bank lines, so they no longer show as open
    Writeoff(WriteoffArgs),
    /// Take back a decision by hand as if never made (unlike unmatch, nothing is forbidden after); kept as revoked and audited
    Revoke(RevokeArgs),
    /// Run a report (built-in or saved with .report save), to the screen or a file; no NAME lists them
    Report(ReportArgs),
    /// Build a demo workspace from the bundled sample data, reconcile it and show the summary
    Demo(DemoArgs),
    /// Users and roles (admin only, but anyone may change their own password)
    User(UserArgs),
    /// The audit log (admin only): list events, or verify its hash chain
    Audit(AuditArgs),
    /// The web workbench on this workspace: log in, import, reconcile in a browser
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The decision's number (manual_actions.action_id, as match, unmatch or writeoff printed it)
    pub id: u64,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; loopback unless TLS is given or --allow-plain-http
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// TLS certificate chain (PEM); with --tls-key, the server speaks HTTPS
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Listen on a non-loopback address without TLS: passwords and customers' data cross the network readable
    #[arg(long)]
    pub allow_plain_http: bool,
    /// Largest upload in one request, e.g. 512MB
    #[arg(long, default_value = "1GB", value_name = "SIZE")]
    pub max_upload: String,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// An order id, a payout's id (any of its ids) or a bank transaction id
    pub id: String,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
}

/// A user's role: admin (users, everything), accountant (import, reconcile, decide,
/// define views and reports, export), viewer (read-only SQL and reports, personal data masked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Accountant,
    Viewer,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a user; the new password is asked (twice), or read with --new-password-stdin or RECON_NEW_PASSWORD
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Read the new password from standard input (after the admin's, with --password-stdin)
        #[arg(long)]
        new_password_stdin: bool,
    },
    /// Change a password: your own, or (admin) another user's
    Passwd {
        name: Option<String>,
        #[arg(long)]
        new_password_stdin: bool,
    },
    /// Change a user's role
    Role {
        name: String,
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Refuse a user's logins until unlocked
    Lock { name: String },
    /// Let a user log in again (also clears failed logins)
    Unlock { name: String },
    /// Users, roles, and whether each is locked
    List,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub action: Option<AuditAction>,
    /// Only events of this user
    #[arg(long = "by", value_name = "USER")]
    pub by: Option<String>,
    /// Only events of this kind (login, login_failed, import, undo, run, match, unmatch, writeoff, export, user…)
    #[arg(long)]
    pub event: Option<String>,
    /// Only events on or after this day
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// At most this many, the newest
    #[arg(long)]
    pub last: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check the hash chain: report an edited, removed, reordered or truncated entry
    Verify,
    /// Print the newest entry's number and hash, to keep outside the workspace (a ticket,
    /// an email): someone who can rewrite the whole log cannot also change what you kept
    Head,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report, as `recon report` lists them; several go to one file as several sheets
    pub names: Vec<String>,
    /// A parameter of the report, name=value; repeat for several
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output format on the screen
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the result to FILE: .xlsx, .pdf, .csv (with a BOM for Excel) or .parquet
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
    /// Column headers of an xlsx or PDF file: zh (Chinese) or en (the column names)
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// Font for a PDF's text (.ttf, .otf, .ttc); default: RECON_FONT, or a CJK font found on the system
    #[arg(long, value_name = "FILE")]
    pub font: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// First day the run keeps (orders, payouts and bank lines from this day; matching still sees everything)
    #[arg(long, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day the run keeps
    #[arg(long, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// The period the run keeps, by name: `--period month 2026-10`, `--period week 2026-W41`, `--period day 2026-10-07` (or just the name)
    #[arg(long, num_args = 1..=2, value_names = ["GRAIN", "PERIOD"], conflicts_with_all = ["from", "to"])]
    pub period: Option<Vec<String>>,
    /// No progress bar, even on a terminal
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The period: 2026-10 (month), 2026-W41 (ISO week) or 2026-10-07 (day)
    pub period: String,
}

#[derive(Debug, Args)]
pub struct ReopenArgs {
    /// The closed period, as `recon close` named it
    pub period: String,
    /// Why it is reopened: kept in the audit log
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct AnomalyArgs {
    #[command(subcommand)]
    pub action: Option<AnomalyAction>,
}

#[derive(Debug, Subcommand)]
pub enum AnomalyAction {
    /// What is open or in progress, oldest first (the default)
    List {
        /// Every anomaly, resolved and ignored ones too
        #[arg(long)]
        all: bool,
        /// Only this kind (courier_overcharge, paid_not_shipped …)
        #[arg(long)]
        kind: Option<String>,
    },
    /// Give an anomaly to a user
    Assign {
        key: String,
        /// The user who takes it
        #[arg(value_name = "USER")]
        assignee: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Mark an anomaly in progress
    Start {
        key: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Mark an anomaly resolved, saying how
    Resolve {
        key: String,
        #[arg(long)]
        note: String,
    },
    /// Mark an anomaly as nothing to do, saying why
    Ignore {
        key: String,
        #[arg(long)]
        note: String,
    },
    /// Open a resolved or ignored anomaly again
    Reopen {
        key: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// What a manual decision names.
#[derive(Debug, Args)]
pub struct DecisionArgs {
    /// A payout (payouts.payout_id); repeat for several
    #[arg(long = "payout", value_name = "ID")]
    pub payouts: Vec<String>,
    /// An order paid straight into the bank (orders.order_id); repeat for several
    #[arg(long = "order", value_name = "ID")]
    pub orders: Vec<String>,
    /// A bank line: its txn_id as the statement shows it, or its line_id; repeat for several
    #[arg(long = "bank", value_name = "ID")]
    pub bank: Vec<String>,
    /// Why: kept with the decision for whoever reviews it
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct WriteoffArgs {
    #[command(flatten)]
    pub items: DecisionArgs,
    /// The amount written off [default: what is open on the one item named]
    #[arg(long, value_name = "AMOUNT")]
    pub amount: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import; each is one import, recorded and undoable on its own
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// What the files hold [default: guessed from the columns]
    #[arg(long, value_name = "KIND", value_parser = ["orders", "settlements", "bank", "shipments", "returns", "courier_bills", "inventory"])]
    pub kind: Option<String>,
    /// How to read the files: a named format (`recon formats` lists them, e.g. alipay-ledger) or csv, tsv, xlsx, xls, parquet [default: detected from their content]
    #[arg(long = "as", value_name = "FORMAT")]
    pub format: Option<String>,
    /// A mapping file (TOML) for layouts recon cannot guess
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// The platform of every row: tmall, jd, douyin, pdd, wechat, alipay, amazon, shopify, b2b …
    #[arg(long)]
    pub platform: Option<String>,
    /// The shop of every row
    #[arg(long)]
    pub shop: Option<String>,
    /// The bank account of every row (bank statements)
    #[arg(long)]
    pub account: Option<String>,
    /// The currency of rows whose file does not say it: an ISO code (USD, EUR, HKD …) or 美元, 港币 … [default: CNY]
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Import nothing if any row is rejected
    #[arg(long)]
    pub strict: bool,
    /// Import an MT940, camt.053 or OFX statement even if its opening balance plus its entries is not its closing balance (the difference is reported)
    #[arg(long)]
    pub allow_unbalanced: bool,
    /// Show how the files would be read (header, kind, column mapping) and import nothing
    #[arg(long)]
    pub explain: bool,
    /// No progress bar, even on a terminal
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FileFormat {
    Csv,
    Tsv,
    Xlsx,
    Xls,
    Parquet,
}

#[derive(Debug, Args)]
pub struct ImportsArgs {
    #[command(subcommand)]
    pub action: Option<ImportsAction>,
}

#[derive(Debug, Subcommand)]
pub enum ImportsAction {
    /// Remove everything one import stored
    Undo {
        /// The import id, as `recon imports` lists it
        id: u64,
    },
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The SQL to run (several statements separated by `;`)
    #[arg(short = 'c', long = "command", value_name = "SQL", conflicts_with = "file")]
    pub command: Option<String>,
    /// A file of SQL statements
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Print how long each statement took
    #[arg(long)]
    pub timer: bool,
}

pub use recon::output::OutputFormat;

/// `recon gen …`: the options of `recon-gen`, the generator, passed to it as they are.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct GenArgs {
    /// recon-gen's options (`recon gen --help` shows them)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0.., value_name = "OPTIONS")]
    pub args: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo workspace (replaced if it holds an earlier demo)
    #[arg(long, value_name = "DIR", default_value = "recon-demo")]
    pub dir: PathBuf,
}
