//! The web workbench over real HTTP: `recon serve` started as a user would, requests
//! as a browser sends them (cookies, forms, a multipart upload), and what changed read
//! back through the CLI on the same workspace. The browser itself is web_browser.rs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::common::admin_value as value;
use crate::common::*;

/// `recon serve` on a free loopback port, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(ws: &Ws, extra: &[&str]) -> Server {
        let mut child = ws
            .cmd()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("RECON_SERVE_STDERR").is_some() { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.next().expect("recon serve said nothing").unwrap();
        let base = line.split_whitespace().find(|w| w.starts_with("http")).expect(&line).to_string();
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser's side of it: one session cookie, forms, no redirects followed.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    cookie: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub location: String,
    pub set_cookie: Vec<String>,
    pub body: String,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .build()
            .into();
        Client { agent, base: server.base.clone(), cookie: None }
    }

    fn reply(&mut self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let r = r.unwrap();
        let set_cookie: Vec<String> =
            r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        for c in &set_cookie {
            if let Some(v) = c.split(';').next().filter(|v| v.starts_with("recon_session=")) {
                self.cookie = Some(v.to_string());
            }
        }
        let status = r.status().as_u16();
        let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let body = r.into_body().read_to_string().unwrap_or_default();
        Reply { status, location, set_cookie, body }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.call();
        self.reply(r)
    }

    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_from(None, path, fields)
    }

    /// A form post as a page of `origin` would send it (a browser sends its Origin).
    pub fn post_from(&mut self, origin: Option<&str>, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send_form(fields.iter().copied());
        self.reply(r)
    }

    /// A form post answered with a file (a download): its bytes, insisting on a 200.
    pub fn post_bytes(&mut self, path: &str, fields: &[(&str, &str)]) -> Vec<u8> {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send_form(fields.iter().copied()).unwrap();
        let status = r.status().as_u16();
        let bytes = r.into_body().with_config().limit(1 << 30).read_to_vec().unwrap();
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&bytes));
        bytes
    }

    /// A multipart upload of `files` (name, bytes) to `path`.
    pub fn upload(&mut self, path: &str, files: &[(&str, Vec<u8>)]) -> Reply {
        let boundary = "recon-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let r = req.send(&body[..]);
        self.reply(r)
    }

    /// The CSRF token of the session, as a page carries it.
    pub fn token(&mut self, page: &str) -> String {
        let body = self.get(page).body;
        let at = body.find("name=\"csrf-token\" content=\"").expect("a page with a token") + 27;
        body[at..at + 64].to_string()
    }

    pub fn login(&mut self, user: &str, password: &str) -> Reply {
        let token = self.token("/login");
        self.post("/login", &[("csrf", &token), ("user", user), ("password", password)])
    }
}

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(rel)).unwrap()
}

#[test]
fn login_sessions_and_csrf_hold() {
    let ws = Ws::new();
    add_user(&ws, "vic", "viewer", "viewer-balance-8");
    let server = Server::start(&ws, &[]);
    let mut c = Client::new(&server);

    // Nothing without logging in; pages carry the security headers.
    let r = c.get("/workbench");
    assert_eq!((r.status, r.location.as_str()), (303, "/login"));
    let r = c.get("/login");
    assert!(r.body.contains("<html lang=\"zh-CN\">"), "Chinese by default");
    let before = c.cookie.clone().expect("a session before login, for its CSRF token");

    // A wrong password is refused with the CLI's words; the right one gets a new session id.
    let r = c.login("admin", "not-the-password");
    assert_eq!(r.location, "/login");
    assert!(c.get("/login").body.contains("login failed: wrong user name or password"));
    let r = c.login("admin", PASSWORD);
    assert_eq!((r.status, r.location.as_str()), (303, "/"));
    let cookie = r.set_cookie.iter().find(|s| s.starts_with("recon_session=")).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert_ne!(c.cookie.as_ref(), Some(&before), "a new session id at login");
    let home = c.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("id=\"open-payouts\""));

    // A change without the token, or with another session's, is refused before it runs.
    let r = c.post("/decide", &[("action", "writeoff"), ("reason", "x"), ("right", "nothing")]);
    assert_eq!(r.status, 403, "no token");
    let mut other = Client::new(&server);
    let foreign = other.token("/login");
    let r = c.post("/decide", &[("csrf", &foreign), ("action", "writeoff"), ("reason", "x")]);
    assert_eq!(r.status, 403, "another session's token");
    let r = c.post("/imports/1/undo", &[]);
    assert_eq!(r.status, 403);
    // Another site's page posting with this session's token (it cannot read it, but say it
    // could) is refused by its Origin; the site's own Origin, or a private `null`, passes.
    let token = c.token("/");
    let r = c.post_from(Some("https://evil.example"), "/decide", &[("csrf", &token), ("action", "x")]);
    assert_eq!(r.status, 403, "{}", r.body);
    let own = server.base.clone();
    let r = c.post_from(Some(&own), "/decide", &[("csrf", &token), ("action", "x"), ("back", "/")]);
    assert_eq!((r.status, r.location.as_str()), (303, "/"), "refused as a decision, not as a forgery");
    let r = c.post_from(Some("null"), "/decide", &[("csrf", &token), ("action", "x"), ("back", "/")]);
    assert_eq!(r.status, 303);

    // Logging out ends the session: the old cookie opens nothing.
    let token = c.token("/");
    let old = c.cookie.clone();
    c.post("/logout", &[("csrf", &token)]);
    c.cookie = old;
    assert_eq!(c.get("/").location, "/login");

    // Five wrong passwords lock the name, as on the command line; the right one is refused then.
    let mut v = Client::new(&server);
    for _ in 0..5 {
        v.login("vic", "wrong-wrong-wrong");
    }
    let r = v.login("vic", "viewer-balance-8");
    assert_eq!(r.location, "/login");
    assert!(v.get("/login").body.contains("too many failed logins"));
    let audit = admin(&ws, &["audit"]);
    assert!(audit.contains("login") && audit.contains("vic"), "logins are audited:\n{audit}");
}

#[test]
fn import_on_the_page_is_the_cli_import_and_undo() {
    let ws = Ws::new();
    let server = Server::start(&ws, &[]);
    let mut c = Client::new(&server);
    c.login("admin", PASSWORD);
    let token = c.token("/import");
    let r = c.upload(
        &format!("/import?csrf={token}"),
        &[
            ("b2b_orders.csv", sample("orders/b2b_orders.csv")),
            ("icbc_basic_account.xlsx", sample("bank/icbc_basic_account.xlsx")),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let preview = c.get(&r.location);
    // What `--explain` says, per file, before anything is stored.
    assert!(preview.body.contains("kind: orders (table orders)"), "{}", preview.body);
    assert!(preview.body.contains("kind: bank (table bank_txns)"));
    assert!(!preview.body.contains("recon-uploads-"), "the staging folder is not shown");
    assert_eq!(ws.value("SELECT count(*) FROM imports"), "0", "nothing stored by looking");
    let r = c.post(&format!("{}/commit", r.location), &[("csrf", &token), ("pick", "0"), ("pick", "1")]);
    let report = c.get(&r.location).body;
    assert!(report.contains("stored 8 rows"), "{report}");
    assert_eq!(ws.value("SELECT count(*) FROM imports"), "2");
    assert_eq!(ws.value("SELECT count(*) FROM orders"), "8");
    assert_eq!(ws.value("SELECT source_file FROM imports WHERE kind = 'orders'"), "b2b_orders.csv");

    // The same file again: duplicates, naming the import that has them.
    let r = c.upload(&format!("/import?csrf={token}"), &[("b2b_orders.csv", sample("orders/b2b_orders.csv"))]);
    let r = c.post(&format!("{}/commit", r.location), &[("csrf", &token), ("pick", "0")]);
    assert!(c.get(&r.location).body.contains("8 already stored by import 1"));

    // Undo on the page is `recon imports undo`: the rows go, the log says who.
    let r = c.post("/imports/1/undo", &[("csrf", &token), ("back", "/imports")]);
    assert_eq!(r.location, "/imports");
    assert!(c.get("/imports").body.contains("class=\"undone\""));
    assert_eq!(ws.value("SELECT count(*) FROM orders"), "0");
    assert_eq!(ws.value("SELECT undone_by FROM imports WHERE id = 1"), "admin");

    // Lines not stored are downloadable, each with its line and reason.
    let r = c.upload(
        &format!("/import?csrf={token}"),
        &[("tmall_flagship_alipay.csv", sample("settlements/tmall_flagship_alipay.csv"))],
    );
    let r = c.post(&format!("{}/commit", r.location), &[("csrf", &token), ("pick", "0")]);
    let report = c.get(&r.location).body;
    let id = ws.value("SELECT max(id) FROM imports");
    assert!(report.contains(&format!("href=\"/imports/{id}/rejects\"")), "{report}");
    let rejects = c.get(&format!("/imports/{id}/rejects"));
    assert_eq!(rejects.status, 200);
    assert!(rejects.body.starts_with("\u{feff}line,category,column,reason,row"), "{}", rejects.body);
    assert!(rejects.body.lines().count() > 1, "{}", rejects.body);

    // A zip of exports: its files, named by their own names, never a path of the zip's.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("../../escape/b2b_orders.csv", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut zip, &sample("orders/b2b_orders.csv")).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let r = c.upload(&format!("/import?csrf={token}"), &[("exports.zip", bytes)]);
    let preview = c.get(&r.location).body;
    assert!(preview.contains("exports.zip → b2b_orders.csv"), "{preview}");
    let r = c.post(&format!("{}/commit", r.location), &[("csrf", &token), ("pick", "0")]);
    assert!(c.get(&r.location).body.contains("stored 8 rows"));
    assert!(!ws.root.parent().unwrap().join("escape").exists());
}

#[test]
fn decisions_on_the_page_are_the_cli_decisions_and_a_viewer_changes_nothing() {
    let ws = Ws::new();
    add_user(&ws, "vic", "viewer", "viewer-balance-8");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let files = ["orders/b2b_orders.csv", "bank/cmb_general_account.csv", "bank/icbc_basic_account.xlsx"];
    let files: Vec<String> = files.iter().map(|f| dir.join(f).display().to_string()).collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    admin(&ws, &args);
    let server = Server::start(&ws, &[]);
    let mut c = Client::new(&server);
    c.login("admin", PASSWORD);
    let page = c.get("/workbench").body;
    let open = value(&ws, "SELECT count(*) FROM unmatched_bank");
    assert!(page.contains(&format!("<small>{open}</small>")), "the right pane counts what unmatched_bank holds");
    let line = value(&ws, "SELECT line_id FROM unmatched_bank ORDER BY txn_time LIMIT 1");
    let counterparty = value(&ws, &format!("SELECT counterparty_name FROM unmatched_bank WHERE line_id = '{line}'"));
    assert!(page.contains(&counterparty), "an accountant sees names");

    let token = c.token("/workbench");
    let r = c.post(
        "/decide",
        &[
            ("csrf", &token),
            ("action", "writeoff"),
            ("reason", "bank charge"),
            ("right", &line),
            ("back", "/workbench"),
        ],
    );
    assert_eq!(r.location, "/workbench");
    let flash = c.get("/workbench").body;
    assert!(flash.contains("writeoff: decision 1 kept") && flash.contains("id=\"undo-decision\""), "{flash}");
    // The CLI sees the page's decision: the same manual_actions, the same open lines.
    assert_eq!(
        value(&ws, "SELECT action || ' ' || user || ' ' || reason FROM manual_actions"),
        "writeoff admin bank charge"
    );
    assert_eq!(value(&ws, &format!("SELECT count(*) FROM unmatched_bank WHERE line_id = '{line}'")), "0");
    // Undo right after takes it back; the line is open again.
    c.post("/decide/undo", &[("csrf", &token), ("id", "1"), ("back", "/workbench")]);
    assert_eq!(value(&ws, &format!("SELECT count(*) FROM unmatched_bank WHERE line_id = '{line}'")), "1");
    assert_eq!(value(&ws, "SELECT revoked_by FROM manual_actions WHERE action_id = 1"), "admin");
    assert!(admin(&ws, &["audit"]).contains("decision 1 (writeoff) taken back"));
    // The command line takes one back the same way (`recon revoke`), and the page sees it.
    admin(&ws, &["writeoff", "--bank", &line, "--reason", "fee, again"]);
    assert!(!c.get("/workbench").body.contains(&format!("data-id=\"{line}\"")));
    let said = admin(&ws, &["revoke", "2"]);
    assert!(said.contains("decision 2 (writeoff) taken back"), "{said}");
    assert!(c.get("/workbench").body.contains(&format!("data-id=\"{line}\"")));

    // A run from the page is `recon reconcile`'s: a numbered run with its summary.
    let r = c.post("/runs", &[("csrf", &token)]);
    assert!(r.location.starts_with("/runs/job/"), "{}", r.location);
    let mut at = r.location.clone();
    for _ in 0..600 {
        let r = c.get(&at);
        if r.status == 303 {
            at = r.location;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(at, "/runs/1");
    let summary = c.get(&at).body;
    assert!(summary.contains("id=\"run-summary\"") && summary.contains("unmatched_bank"), "{summary}");
    assert_eq!(value(&ws, "SELECT count(*) FROM runs"), "1");

    // A viewer sees masked names and no decision form, and the server refuses the change.
    let mut v = Client::new(&server);
    v.login("vic", "viewer-balance-8");
    let page = v.get("/workbench").body;
    assert!(page.contains("<small>"), "a viewer reads the workbench");
    // A customer's name on the source row: whole for the admin, masked for a viewer.
    let row =
        rows_as(&ws, "admin", PASSWORD, None, "SELECT order_id, buyer_name FROM orders WHERE buyer_name <> '' LIMIT 1");
    let (order, buyer) = (&row[0][0], &row[0][1]);
    let source = format!("/source?kind=order&id={order}");
    assert!(c.get(&source).body.contains(buyer.as_str()), "the admin sees the buyer");
    let masked = v.get(&source).body;
    assert!(masked.contains("id=\"source-row\"") && !masked.contains(buyer.as_str()), "a viewer sees the buyer masked");
    assert!(!page.contains("id=\"match-submit\""));
    let token = v.token("/workbench");
    let r = v.post("/decide", &[("csrf", &token), ("action", "writeoff"), ("reason", "x"), ("right", &line)]);
    assert_eq!(r.status, 403, "{}", r.body);
    let r = v.upload(&format!("/import?csrf={token}"), &[("b2b_orders.csv", sample("orders/b2b_orders.csv"))]);
    assert_eq!(r.status, 403);
    let r = v.post("/runs", &[("csrf", &token)]);
    assert_eq!(r.status, 403);
    assert_eq!(value(&ws, "SELECT count(*) FROM manual_actions"), "2");
}

#[test]
fn serve_listens_on_loopback_unless_told_otherwise() {
    let ws = Ws::new();
    let err = ws.fails(&["serve", "--listen", "0.0.0.0:0"]);
    assert!(err.contains("--tls-cert") && err.contains("--allow-plain-http"), "{err}");
    let err = ws.fails(&["serve", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"]);
    assert!(err.contains("TLS certificate"), "{err}");
}

#[test]
fn a_candidate_is_accepted_and_a_tie_is_never_bulk_accepted() {
    let ws = Ws::new();
    equal_payouts(&ws);
    let server = Server::start(&ws, &[]);
    let mut c = Client::new(&server);
    c.login("admin", PASSWORD);
    // W001 and W002 are 500.00 each at the same moment; one bank credit of 500.00.
    let page = c.get("/workbench?sel=payout%3AW001").body;
    assert!(page.contains("class=\"candidate\" data-line="), "the candidates of the selected payout");
    let line = ws.value("SELECT line_id FROM bank_txns WHERE txn_id = 'B1'");
    assert!(page.contains(&format!("data-line=\"{line}\"")), "{page}");
    let token = c.token("/workbench");
    // Bulk acceptance leaves a tie to a person.
    let r = c.post("/decide/bulk", &[("csrf", &token), ("min_score", "0"), ("back", "/workbench")]);
    assert_eq!(r.location, "/workbench");
    assert!(c.get("/workbench").body.contains("without a tie"));
    assert_eq!(ws.value("SELECT count(*) FROM manual_actions"), "0");

    let r = c.post(
        "/decide",
        &[
            ("csrf", &token),
            ("action", "accept"),
            ("kind", "payout"),
            ("item", "W001"),
            ("line", &line),
            ("rule", "amount"),
            ("score", "1"),
            ("back", "/workbench?sel=payout%3AW002"),
        ],
    );
    // Back where the user was, on the next item.
    assert_eq!(r.location, "/workbench?sel=payout%3AW002");
    assert_eq!(
        ws.value(&format!(
            "SELECT payout_id || ' ' || rule || ' ' || manual FROM bank_matches WHERE line_id = '{line}'"
        )),
        "W001 manual true"
    );
    assert_eq!(ws.value("SELECT count(*) FROM match_candidates"), "0");
    assert!(ws.value("SELECT reason FROM manual_actions").starts_with("accepted candidate: amount"));

    // Two payouts to one credit by hand (N:1), kept as one decision naming both.
    let b2 = ws.value("SELECT line_id FROM bank_txns WHERE txn_id = 'B2'");
    c.post(
        "/decide",
        &[("csrf", &token), ("action", "unmatch"), ("left", "payout:W003"), ("right", &b2), ("reason", "not ours")],
    );
    let r = c.post(
        "/decide",
        &[
            ("csrf", &token),
            ("action", "match"),
            ("left", "payout:W002"),
            ("left", "payout:W003"),
            ("right", &b2),
            ("reason", "two withdrawals, one credit"),
            ("back", "/workbench"),
        ],
    );
    assert_eq!(r.location, "/workbench");
    let flash = c.get("/workbench").body;
    assert!(flash.contains("match: decision 3 kept"), "{flash}");
    assert_eq!(ws.value("SELECT payouts FROM manual_actions WHERE action_id = 3"), "W002, W003");
}

#[test]
fn logins_from_one_address_are_limited() {
    let ws = Ws::new();
    let server = Server::start(&ws, &[]);
    let mut c = Client::new(&server);
    // Names no user has: each attempt is refused alike, and past the limit (60 at once,
    // then one a second) refused unheard.
    let mut limited = false;
    for i in 0..300 {
        c.login(&format!("guess{i}"), "not-a-password");
        if c.get("/login").body.contains("too many login attempts from this address") {
            assert!(i >= 60, "limited after only {i} attempts");
            limited = true;
            break;
        }
    }
    assert!(limited, "300 logins from one address in a row were all heard");
    let r = c.login("admin", PASSWORD);
    assert_eq!(r.location, "/login", "even the right password waits out the minute");
}

#[test]
fn under_tls_the_session_cookie_is_secure() {
    let have =
        |tool: &str| std::process::Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !have("openssl") || !have("curl") {
        eprintln!("skipped: openssl or curl is absent");
        return;
    }
    let ws = Ws::new();
    let (cert, key) = (ws.scratch("cert.pem"), ws.scratch("key.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", text(&made.stderr));
    let server = Server::start(&ws, &["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()]);
    assert!(server.base.starts_with("https://"), "{}", server.base);
    let out = std::process::Command::new("curl")
        .args(["-s", "-i", "-k", &format!("{}/login", server.base)])
        .output()
        .unwrap();
    let reply = text(&out.stdout);
    assert!(reply.starts_with("HTTP/") && reply.contains(" 200"), "{reply}");
    let cookie = reply.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie: recon_session=")).unwrap_or("");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"), "{cookie}");
    // Plain HTTP to the TLS port gets no page.
    let plain = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &server.base.replace("https://", "http://")])
        .output()
        .unwrap();
    assert_ne!(text(&plain.stdout), "200");
}
