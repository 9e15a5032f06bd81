//! Running the real binary against a temp workspace, and reading results back as SQL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

pub const PASSWORD: &str = "ledger-balance-7";
pub const NOW: &str = "2026-11-01T10:00:00+08:00";

/// A path in the folder beside the clone that holds the real samples and validation
/// sets (`../shared`; `RECON_SHARED_DIR` points elsewhere). They are never copied into the
/// repository.
pub fn shared(rel: &str) -> PathBuf {
    let root = std::env::var_os("RECON_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    root.join(rel)
}

/// `shared(rel)` if it is there; else None, and one line saying the test is skipped, so
/// a clone without `../shared` passes what it can.
pub fn shared_or_skip(rel: &str) -> Option<PathBuf> {
    let path = shared(rel);
    if path.exists() {
        return Some(path);
    }
    eprintln!("skipped: {} is absent (the real samples and validation sets sit beside the clone)", path.display());
    None
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// A command for the binary with a clean, fixed environment.
pub fn recon() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recon"));
    for (k, _) in std::env::vars() {
        if k.starts_with("RECON_") {
            c.env_remove(k);
        }
    }
    c.env("RECON_NOW", NOW).env("TZ", "Asia/Shanghai").env("RECON_PASSWORD", PASSWORD);
    c
}

/// A command for the generator, `recon-gen`, with the same environment.
pub fn recon_gen() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recon-gen"));
    for (k, _) in std::env::vars() {
        if k.starts_with("RECON_") {
            c.env_remove(k);
        }
    }
    c
}

pub const BANK_HEADER: &str = "交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,摘要\n";

/// A corporate bank statement with one credit per id: unique ids (`B0000042`), dates
/// over a year, and varied amounts, counterparties and memos.
pub fn bank_csv(ids: std::ops::Range<u32>) -> String {
    let mut s = String::from(BANK_HEADER);
    for i in ids {
        s.push_str(&format!(
            "2026-{:02}-{:02} 10:{:02}:{:02},B{i:07},,{}.{:02},,客户{},货款 {}\n",
            1 + i % 12,
            1 + i % 28,
            i % 60,
            i % 59,
            100 + i % 5000,
            i % 100,
            i % 977,
            i.wrapping_mul(7919) % 100_003
        ));
    }
    s
}

/// The binary run as `user` with that user's password.
pub fn as_user(ws: &Ws, user: &str, password: &str, args: &[&str]) -> Output {
    ws.cmd().args(["--user", user]).args(args).env("RECON_PASSWORD", password).output().unwrap()
}

/// As the admin (once a workspace has several users, the user must be named); stdout.
pub fn admin(ws: &Ws, args: &[&str]) -> String {
    let out = as_user(ws, "admin", PASSWORD, args);
    assert!(out.status.success(), "admin {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Rows of a query run as `user` (for workspaces with several users), header dropped.
pub fn rows_as(ws: &Ws, user: &str, password: &str, as_of: Option<&str>, sql: &str) -> Vec<Vec<String>> {
    let mut args = Vec::new();
    if let Some(at) = as_of {
        args.extend(["--as-of", at]);
    }
    args.extend(["sql", "--format", "csv", "-c", sql]);
    let out = as_user(ws, user, password, &args);
    assert!(out.status.success(), "{sql}: {}", text(&out.stderr));
    csv_rows(&text(&out.stdout))
}

fn csv_rows(out: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(out.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

/// A new user, added by the admin.
pub fn add_user(ws: &Ws, name: &str, role: &str, password: &str) {
    let out = ws
        .cmd()
        .args(["--user", "admin", "user", "add", name, "--role", role])
        .env("RECON_NEW_PASSWORD", password)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// One value of a query, as the admin (for workspaces with several users).
pub fn admin_value(ws: &Ws, sql: &str) -> String {
    rows_as(ws, "admin", PASSWORD, None, sql).into_iter().next().and_then(|r| r.into_iter().next()).unwrap_or_default()
}

pub fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

pub struct Ws {
    _dir: TempDir,
    pub root: PathBuf,
}

impl Ws {
    /// A new workspace with an admin `admin`.
    pub fn new() -> Ws {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let ws = Ws { _dir: dir, root };
        ws.ok(&["init"]);
        ws
    }

    /// A new workspace with an admin `admin`, in `dir` (say, on a file system of the
    /// test's own).
    pub fn new_in(dir: TempDir) -> Ws {
        let root = dir.path().join("ws");
        let ws = Ws { _dir: dir, root };
        ws.ok(&["init"]);
        ws
    }

    /// A scratch folder beside the workspace, for files a test makes.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let p = self.root.parent().unwrap().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        p
    }

    pub fn cmd(&self) -> Command {
        let mut c = recon();
        c.arg("--workspace").arg(&self.root);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs and insists on success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "recon {args:?} failed ({:?}):\n{}\n{}",
            out.status,
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Runs and insists on failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "recon {args:?} should have failed:\n{}", text(&out.stdout));
        text(&out.stderr)
    }

    pub fn import(&self, file: &Path) -> String {
        self.ok(&["import", "--no-progress", file.to_str().unwrap()])
    }

    /// Rows of a query as strings, header dropped.
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        self.rows_at(None, sql)
    }

    /// Rows of a query with figures as of an instant (`--as-of`), header dropped.
    pub fn rows_at(&self, as_of: Option<&str>, sql: &str) -> Vec<Vec<String>> {
        let mut args = Vec::new();
        if let Some(at) = as_of {
            args.extend(["--as-of", at]);
        }
        args.extend(["sql", "--format", "csv", "-c", sql]);
        csv_rows(&self.ok(&args))
    }

    /// One value from a query.
    pub fn value(&self, sql: &str) -> String {
        let rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
        rows[0][0].clone()
    }

    /// The catalog and every file of the workspace, to prove nothing changed; the audit
    /// log and the login counts record every attempt, and the room kept for a full disk
    /// (`.reserve`) is no data, nor are the answers any read keeps (`answers/`, derived
    /// from the rest): they are left out.
    pub fn state(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        for entry in walk(&self.root) {
            let rel = entry.strip_prefix(&self.root).unwrap().to_string_lossy().into_owned();
            if [".lock", ".readers", ".reserve", "audit.log", "audit.head", "logins.json", "logins.lock"]
                .contains(&rel.as_str())
                || rel.starts_with("answers/")
            {
                continue;
            }
            files.push((rel, std::fs::read(&entry).unwrap()));
        }
        files.sort();
        files
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Rows of one of `recon gen`'s truth files, as column → value.
pub fn truth(dir: &Path, name: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("truth").join(name)).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

/// `recon gen` data written beside `ws` and every file of it imported; the folder (with
/// its truth/) and what the import printed.
pub fn generate_into(ws: &Ws, orders: u32, seed: u32, noise: &str) -> (PathBuf, String) {
    generate_with(ws, orders, seed, noise, &[])
}

/// As [`generate_into`], with more `recon gen` options (`--start`, `--days`, …).
pub fn generate_with(ws: &Ws, orders: u32, seed: u32, noise: &str, more: &[&str]) -> (PathBuf, String) {
    let out = generate(ws, orders, seed, noise, more);
    import_files(ws, &data_files(&out), out)
}

/// As [`generate_into`], with more `recon gen` options, and the warehouse side
/// (shipments, returns, courier bills, stock) imported too.
pub fn generate_all_into(ws: &Ws, orders: u32, seed: u32, noise: &str, more: &[&str]) -> (PathBuf, String) {
    let out = generate(ws, orders, seed, noise, more);
    let mut files = data_files(&out);
    for folder in ["shipments", "returns", "courier", "inventory"] {
        let mut names: Vec<String> = std::fs::read_dir(out.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path().to_string_lossy().into_owned())
            .collect();
        names.sort();
        files.extend(names);
    }
    import_files(ws, &files, out)
}

fn generate(ws: &Ws, orders: u32, seed: u32, noise: &str, more: &[&str]) -> PathBuf {
    let out = ws.scratch("gen");
    let g = recon_gen()
        .args(["--orders", &orders.to_string(), "--seed", &seed.to_string(), "--noise", noise])
        .args(more)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", text(&g.stderr));
    out
}

fn import_files(ws: &Ws, files: &[String], out: PathBuf) -> (PathBuf, String) {
    let mut args = vec!["import", "--no-progress"];
    args.extend(files.iter().map(String::as_str));
    let report = ws.ok(&args);
    (out, report)
}

/// The data files `recon gen` wrote to `out`, orders first, each folder's in name order.
pub fn data_files(out: &Path) -> Vec<String> {
    ["orders", "settlements", "bank"]
        .iter()
        .flat_map(|f| {
            let mut names: Vec<String> = std::fs::read_dir(out.join(f))
                .unwrap()
                .map(|e| e.unwrap().path().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        })
        .collect()
}

/// A new workspace holding `recon gen` data, and the folder with its truth.
pub fn generated(orders: u32, seed: u32, noise: &str) -> (Ws, PathBuf) {
    let ws = Ws::new();
    let (out, _) = generate_into(&ws, orders, seed, noise);
    (ws, out)
}

/// Two Tmall withdrawals of 500.00 at the same moment and one of 321.09, and a bank
/// statement with one credit of each amount from Alipay: a certain pair and a tie.
pub fn equal_payouts(ws: &Ws) {
    let wallet = ws.scratch("wallet.csv");
    std::fs::write(
        &wallet,
        "账务流水号,发生时间,业务类型,收入金额（+元）,支出金额（-元）,备注\n\
         W001,2026-10-12 10:00:00,提现,,-500.00,提现到银行卡\n\
         W002,2026-10-12 10:00:00,提现,,-500.00,提现到银行卡\n\
         W003,2026-10-13 09:00:00,提现,,-321.09,提现到银行卡\n",
    )
    .unwrap();
    ws.ok(&["import", "--no-progress", "--kind", "settlements", "--platform", "tmall", wallet.to_str().unwrap()]);
    let bank = ws.scratch("bank.csv");
    std::fs::write(
        &bank,
        "交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,摘要\n\
         2026-10-13 15:00:00,B1,,500.00,,支付宝（中国）网络技术有限公司,提现\n\
         2026-10-14 15:00:00,B2,,321.09,,支付宝(中国)网络技术有限公司,\n",
    )
    .unwrap();
    ws.import(&bank);
}

/// `1234567.8` as the PDF prints it: `1,234,567.80`.
pub fn grouped(v: &str) -> String {
    let (int, frac) = v.split_once('.').unwrap_or((v, "00"));
    let digits: Vec<char> = int.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*c);
    }
    format!("{out}.{frac:0<2}")
}
