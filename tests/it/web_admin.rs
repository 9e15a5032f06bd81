//! The anomaly, period and administration pages over real HTTP, as users work them:
//! each change made on a page is read back through the CLI on the same workspace
//! (`recon anomaly list`, `recon sql`, `recon user list`, `recon audit`), and what a
//! role may not do is refused by the server whatever the page shows.

use crate::common::admin_value as value;
use crate::common::*;
use crate::web::{Client, Reply, Server};

const ALAN: (&str, &str) = ("alan", "accountant-pass-2026");
const VIC: (&str, &str) = ("vic", "viewer-balance-8");

/// Orders, a shipment and a courier bill of October with two disagreements: order 100003
/// paid and never shipped, and parcel T1 billed 9.50 where the contract says 4.50.
fn october(ws: &Ws) {
    let files = [
        (
            "orders.csv",
            "平台,店铺名称,订单编号,下单时间,付款时间,订单状态,订单金额,实付金额,商家编码,宝贝总数量\n\
             天猫,云帆天猫旗舰店,100001,2026-10-01 09:00:00,2026-10-01 09:01:00,交易成功,100.00,100.00,YF-A,1\n\
             天猫,云帆天猫旗舰店,100003,2026-10-02 10:00:00,2026-10-02 10:01:00,买家已付款,100.00,100.00,YF-A,1\n",
        ),
        (
            "shipments.csv",
            "平台,店铺,订单编号,物流公司,运单号,发货时间,商品编码,商品名称,数量,重量(kg),发货仓库\n\
             天猫,云帆天猫旗舰店,100001,中通快递,T1,2026-10-02 10:00:00,YF-A,蓝牙耳机,1,0.40,杭州仓\n",
        ),
        (
            "zto_bill.csv",
            "快递公司,账单周期,运单号,业务类型,寄件时间,计费重量(kg),运费,附加费,费用合计\n\
             中通快递,2026-10,T1,寄件,2026-10-02 10:00:00,1.00,9.50,0.00,9.50\n",
        ),
    ];
    for (name, content) in files {
        let path = ws.scratch(name);
        std::fs::write(&path, content).unwrap();
        admin(ws, &["import", "--no-progress", path.to_str().unwrap()]);
    }
}

/// A workspace with October imported, an accountant and a viewer, and its server.
fn office() -> (Ws, Server) {
    let ws = Ws::new();
    add_user(&ws, ALAN.0, "accountant", ALAN.1);
    add_user(&ws, VIC.0, "viewer", VIC.1);
    october(&ws);
    let server = Server::start(&ws, &[]);
    (ws, server)
}

/// A browser logged in as `user`, and its CSRF token.
fn logged_in(server: &Server, (user, password): (&str, &str)) -> (Client, String) {
    let mut c = Client::new(server);
    let r = c.login(user, password);
    assert_eq!((r.status, r.location.as_str()), (303, "/"), "{user} logs in: {}", r.body);
    let token = c.token("/");
    (c, token)
}

/// The message the last action left, as the next page shows it.
fn flash(c: &mut Client, page: &str) -> String {
    let body = c.get(page).body;
    let Some(at) = body.find("<div class=\"flash") else { return String::new() };
    let end = body[at..].find("</div>").map_or(body.len(), |e| at + e);
    body[at..end].replace("&quot;", "\"").replace("&#x2f;", "/")
}

/// A form post that the server must refuse for the role.
fn refused(r: Reply, what: &str) {
    assert_eq!(r.status, 403, "{what}: {}", r.body);
}

#[test]
fn an_anomaly_worked_on_the_page_is_worked_for_the_cli() {
    let (ws, server) = office();
    let key = "courier_overcharge:T1";
    let state = |ws: &Ws| {
        value(
            ws,
            &format!(
                "SELECT state || '|' || coalesce(assignee, '') || '|' || coalesce(note, '') || '|' || coalesce(updated_by, '') FROM anomalies WHERE anomaly_key = '{key}'"
            ),
        )
    };

    // A viewer reads the list, sees no controls, and is refused a move by the server.
    let (mut v, vtoken) = logged_in(&server, VIC);
    let page = v.get("/anomalies").body;
    assert!(
        page.contains(&format!("data-key=\"{key}\"")) && page.contains("data-key=\"paid_not_shipped:100003\""),
        "{page}"
    );
    assert!(!page.contains("anomaly-resolve-") && !page.contains("anomaly-assign-"), "no controls for a viewer");
    let r = v.post(
        "/anomaly",
        &[("csrf", &vtoken), ("key", key), ("move", "ignore"), ("note", "x"), ("back", "/anomalies")],
    );
    refused(r, "a viewer ignoring an anomaly");
    assert_eq!(state(&ws), "open|||");

    // The accountant works it: resolving needs a note, as on the command line.
    let (mut c, token) = logged_in(&server, ALAN);
    let page = c.get("/anomalies").body;
    assert!(page.contains("id=\"anomaly-resolve-1\"") && page.contains("id=\"anomaly-assignee-1\""), "{page}");
    assert!(page.contains("href=\"/explain?id=T1\"") || page.contains("href=\"&#x2f;explain?id=T1\""), "{page}");
    let r = c.post(
        "/anomaly",
        &[("csrf", &token), ("key", key), ("move", "resolve"), ("note", " "), ("back", "/anomalies")],
    );
    assert_eq!((r.status, r.location.as_str()), (303, "/anomalies"));
    assert!(flash(&mut c, "/anomalies").contains("how it was resolved"), "the app layer's refusal is shown");
    assert_eq!(state(&ws), "open|||");
    c.post(
        "/anomaly",
        &[("csrf", &token), ("key", key), ("move", "assign"), ("assignee", "alan"), ("back", "/anomalies")],
    );
    c.post("/anomaly", &[("csrf", &token), ("key", key), ("move", "start"), ("back", "/anomalies")]);
    assert_eq!(state(&ws), "in_progress|alan||alan");
    let r = c.post(
        "/anomaly",
        &[("csrf", &token), ("key", key), ("move", "resolve"), ("note", "ZTO credited 5.00"), ("back", "/anomalies")],
    );
    assert_eq!(r.location, "/anomalies");
    assert!(
        flash(&mut c, "/anomalies")
            .contains("courier_overcharge:T1: in_progress → resolved, with alan: ZTO credited 5.00")
    );
    assert_eq!(state(&ws), "resolved|alan|ZTO credited 5.00|alan");
    let listed = admin(&ws, &["anomaly", "list", "--all"]);
    assert!(listed.contains("courier_overcharge:T1  (high, resolved, alan"), "{listed}");
    assert!(!admin(&ws, &["anomaly", "list"]).contains(key), "no longer open for the CLI");

    // The open list leaves it out; "show all" and the kind filter find it.
    let open = c.get("/anomalies").body;
    assert!(!open.contains(&format!("data-key=\"{key}\"")) && open.contains("data-key=\"paid_not_shipped:100003\""));
    let all = c.get("/anomalies?kind=courier_overcharge&all=1").body;
    assert!(all.contains(&format!("data-key=\"{key}\" data-state=\"resolved\"")), "{all}");
    assert!(!all.contains("paid_not_shipped:100003"), "only the kind asked for");
    assert!(all.contains("id=\"anomaly-reopen-1\""));

    // Its page shows every change, who made it and the note; by path or by ?key=.
    let detail = c.get("/anomalies/courier_overcharge%3AT1");
    assert_eq!(detail.status, 200, "{}", detail.body);
    let history = &detail.body[detail.body.find("id=\"anomaly-log\"").expect("a history")..];
    assert_eq!(history.matches("<tr class=\"\">").count(), 3, "assigned, started, resolved:\n{history}");
    assert!(
        history.contains("ZTO credited 5.00") && history.contains(">in_progress<") && history.contains(">resolved<")
    );
    assert!(!history.contains(">admin<"), "every change is alan's");
    assert_eq!(c.get("/anomaly?key=courier_overcharge%3AT1").body, detail.body);
    assert_eq!(c.get("/anomaly?key=nothing%3Ahere").status, 404);

    // Reopened on the page, it is open for the CLI again; the audit names who did what.
    let r = c.post(
        "/anomaly",
        &[("csrf", &token), ("key", key), ("move", "reopen"), ("back", "/anomaly?key=courier_overcharge%3AT1")],
    );
    assert_eq!(r.location, "/anomaly?key=courier_overcharge%3AT1");
    assert!(admin(&ws, &["anomaly", "list"]).contains("courier_overcharge:T1  (high, open, alan"));
    let audit = admin(&ws, &["audit", "--event", "anomaly", "--by", "alan"]);
    assert_eq!(audit.lines().count(), 4, "{audit}");
    assert!(audit.contains("resolved, with alan: ZTO credited 5.00"), "{audit}");
}

#[test]
fn a_period_closed_on_the_page_is_closed_and_only_an_admin_reopens_it() {
    let (ws, server) = office();
    admin(&ws, &["reconcile", "--period", "month", "2026-10", "--no-progress"]);
    let (mut v, vtoken) = logged_in(&server, VIC);
    let page = v.get("/periods").body;
    assert!(!page.contains("period-close-submit"), "a viewer closes nothing");
    refused(v.post("/periods/close", &[("csrf", &vtoken), ("period", "2026-10")]), "a viewer closing");

    let (mut c, token) = logged_in(&server, ALAN);
    let page = c.get("/periods").body;
    assert!(page.contains("id=\"period-close-submit\"") && page.contains("<option value=\"2026-10\">"), "{page}");
    let r = c.post("/periods/close", &[("csrf", &token), ("period", "2026-09"), ("back", "/periods")]);
    assert_eq!(r.location, "/periods");
    assert!(flash(&mut c, "/periods").contains("no run for 2026-09 yet"));
    c.post("/periods/close", &[("csrf", &token), ("period", "2026-10"), ("back", "/periods")]);
    assert!(flash(&mut c, "/periods").contains("closed 2026-10: run 1"));
    assert_eq!(
        value(&ws, "SELECT period || ' ' || state || ' ' || run_id || ' ' || closed_by FROM periods"),
        "2026-10 closed 1 alan"
    );
    let again = as_user(&ws, "admin", PASSWORD, &["reconcile", "--period", "month", "2026-10", "--no-progress"]);
    assert!(text(&again.stderr).contains("2026-10 is closed"), "the CLI holds it closed");

    // An order dated in October imported afterwards: the page shows it against the period.
    let late = ws.scratch("late_orders.csv");
    std::fs::write(
        &late,
        "平台,店铺名称,订单编号,下单时间,付款时间,订单状态,订单金额,实付金额\n\
         天猫,云帆天猫旗舰店,100010,2026-10-20 09:00:00,2026-10-20 09:01:00,交易成功,300.00,300.00\n",
    )
    .unwrap();
    admin(&ws, &["import", "--no-progress", late.to_str().unwrap()]);
    assert_eq!(value(&ws, "SELECT period || ' ' || import_id FROM closed_period_changes"), "2026-10 4");
    let page = c.get("/periods").body;
    let section = &page[page.find("id=\"late-imports\"").unwrap()..];
    assert!(section.contains("late_orders.csv") && section.contains("300.00"), "{section}");
    assert!(page.contains("<a class=\"late\" href=\"#late-imports\">1</a>"), "the closed period counts it: {page}");
    assert!(!page.contains("period-reopen-submit"), "an accountant is offered no reopen");

    // The accountant is refused by the server; the admin must say why, and it is audited.
    refused(
        c.post("/periods/reopen", &[("csrf", &token), ("period", "2026-10"), ("reason", "late order")]),
        "an accountant reopening",
    );
    assert_eq!(value(&ws, "SELECT state FROM periods"), "closed");
    let (mut a, atoken) = logged_in(&server, ("admin", PASSWORD));
    assert!(a.get("/periods").body.contains("id=\"period-reopen-submit-1\""));
    a.post("/periods/reopen", &[("csrf", &atoken), ("period", "2026-10"), ("reason", ""), ("back", "/periods")]);
    assert!(flash(&mut a, "/periods").contains("say why"));
    assert_eq!(value(&ws, "SELECT state FROM periods"), "closed");
    a.post(
        "/periods/reopen",
        &[("csrf", &atoken), ("period", "2026-10"), ("reason", "late order 100010"), ("back", "/periods")],
    );
    assert!(flash(&mut a, "/periods").contains("reopened 2026-10"));
    assert_eq!(
        value(&ws, "SELECT state || ' ' || reopened_by || ' ' || reopen_reason FROM periods"),
        "reopened admin late order 100010"
    );
    let audit = admin(&ws, &["audit", "--event", "reopen"]);
    assert!(audit.contains("admin") && audit.contains("late order 100010"), "{audit}");
}

/// `recon user list`'s line for `name`: (role, locked).
fn listed(ws: &Ws, name: &str) -> Option<(String, bool)> {
    let out = admin(ws, &["user", "list"]);
    let line = out.lines().find(|l| l.split_whitespace().next() == Some(name))?;
    Some((line.split_whitespace().nth(1)?.to_string(), line.split_whitespace().nth(2) == Some("yes")))
}

#[test]
fn a_user_added_on_the_page_logs_in_and_a_locked_one_cannot() {
    let (ws, server) = office();
    let (mut a, token) = logged_in(&server, ("admin", PASSWORD));
    let page = a.get("/admin").body;
    assert!(page.contains("id=\"nav-admin\"") && page.contains("id=\"user-add-submit\""));
    assert!(page.contains("data-user=\"alan\" data-role=\"accountant\""), "{page}");

    // A weak password is refused with the CLI's words; a good one adds the user.
    a.post(
        "/admin/users/add",
        &[("csrf", &token), ("name", "bea"), ("role", "accountant"), ("password", "short"), ("back", "/admin")],
    );
    assert!(flash(&mut a, "/admin").contains("weak password"));
    assert_eq!(listed(&ws, "bea"), None);
    let r = a.post(
        "/admin/users/add",
        &[
            ("csrf", &token),
            ("name", "bea"),
            ("role", "accountant"),
            ("password", "ledger-balance-9"),
            ("back", "/admin"),
        ],
    );
    assert_eq!(r.location, "/admin");
    assert_eq!(listed(&ws, "bea"), Some(("accountant".into(), false)));
    let (mut b, _) = logged_in(&server, ("bea", "ledger-balance-9"));
    assert_eq!(b.get("/anomalies").status, 200);
    assert!(!b.get("/").body.contains("id=\"nav-admin\""), "no administration link but for admins");

    // Locked: logged out at the next click, and refused at the door.
    a.post("/admin/users/lock", &[("csrf", &token), ("name", "bea"), ("back", "/admin")]);
    assert_eq!(listed(&ws, "bea"), Some(("accountant".into(), true)));
    assert_eq!(b.get("/anomalies").location, "/login");
    let r = Client::new(&server).login("bea", "ledger-balance-9");
    assert_eq!(r.location, "/login", "a locked user does not log in");
    a.post("/admin/users/lock", &[("csrf", &token), ("name", "admin"), ("back", "/admin")]);
    assert!(flash(&mut a, "/admin").contains("you cannot lock yourself out"));

    // Unlocked, a new role, a new password: each as the CLI sees it.
    a.post("/admin/users/unlock", &[("csrf", &token), ("name", "bea"), ("back", "/admin")]);
    a.post("/admin/users/role", &[("csrf", &token), ("name", "bea"), ("role", "viewer"), ("back", "/admin")]);
    assert_eq!(listed(&ws, "bea"), Some(("viewer".into(), false)));
    a.post(
        "/admin/users/password",
        &[("csrf", &token), ("name", "bea"), ("password", "ledger-balance-10"), ("back", "/admin")],
    );
    assert!(flash(&mut a, "/admin").contains("the password of bea is set"));
    assert_eq!(Client::new(&server).login("bea", "ledger-balance-9").location, "/login", "the old password is gone");
    let (mut b, _) = logged_in(&server, ("bea", "ledger-balance-10"));
    assert!(b.get("/").body.contains("bea · viewer"));
    let audit = admin(&ws, &["audit", "--by", "admin"]);
    for event in ["user_add", "user_lock", "user_unlock", "user_role", "user_passwd"] {
        assert!(audit.contains(event), "{event} audited:\n{audit}");
    }
}

#[test]
fn the_audit_page_checks_the_chain_and_filters_as_recon_audit_does() {
    let (ws, server) = office();
    logged_in(&server, ALAN);
    let (mut a, _) = logged_in(&server, ("admin", PASSWORD));
    // The CLI logs its own login in first: the page, after it, counts the same lines, and
    // its newest entry is the CLI's login, with the hash the log ends with.
    let listing = admin(&ws, &["audit"]);
    let page = a.get("/admin/audit").body;
    let entries = listing.lines().count();
    assert!(
        page.contains(&format!("id=\"audit-intact\"><span>审计日志完整： <b id=\"audit-count\">{entries}</b>")),
        "{page}"
    );
    let seq = listing.lines().last().unwrap().split_whitespace().next().unwrap();
    let log = std::fs::read_to_string(ws.root.join("audit.log")).unwrap();
    let last = log.lines().last().unwrap();
    let hash = &last[last.find("\"hash\":\"").unwrap() + 8..][..64];
    assert!(page.contains(&format!("#{seq} · ")) && page.contains(hash), "{seq} {hash} on {page}");

    // By user: alan's lines only, as many as `recon audit --by alan` lists.
    let page = a.get("/admin/audit?by=alan").body;
    let by_alan = admin(&ws, &["audit", "--by", "alan"]).lines().count();
    assert!(by_alan > 0);
    assert_eq!(page.matches("class=\"audit-entry\"").count(), by_alan);
    assert_eq!(page.matches("data-user=\"alan\"").count(), by_alan);
    let page = a.get("/admin/audit?event=import&limit=2").body;
    assert_eq!(page.matches("data-event=\"import\"").count(), 2, "the newest two imports");
    assert!(a.get("/admin/audit?since=yesterday").body.contains("id=\"audit-error\""));
    assert!(
        !a.get("/admin/audit?since=2026-11-02").body.contains("class=\"audit-entry\""),
        "nothing after the clock's day"
    );

    // An entry edited by hand: the page says so, as `recon audit verify` does.
    let log = ws.root.join("audit.log");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("alan as accountant", "alan as admin", 1)).unwrap();
    let verify = as_user(&ws, "admin", PASSWORD, &["audit", "verify"]);
    assert!(!verify.status.success());
    let problem = text_of(&verify.stderr);
    let page = a.get("/admin/audit").body;
    assert!(page.contains("id=\"audit-tampered\"") && page.contains(&problem), "{problem} on {page}");
}

/// `recon audit verify`'s first problem, without its prefix.
fn text_of(stderr: &[u8]) -> String {
    text(stderr).lines().next().unwrap().trim_start_matches("audit log: ").to_string()
}

#[test]
fn settings_are_checked_saved_and_change_the_next_figures() {
    let (ws, server) = office();
    let (mut a, token) = logged_in(&server, ("admin", PASSWORD));
    let window = "SELECT value FROM recon_settings WHERE name = 'window_days'";
    let page = a.get("/admin/settings").body;
    assert!(
        page.contains("id=\"settings-save\"") && page.contains("<td class=\"\">window_days</td><td class=\"\">5</td>"),
        "{page}"
    );
    assert!(a.get("/anomalies").body.contains("data-key=\"courier_overcharge:T1\""));

    // Wrong text is refused naming what is wrong, kept in the box to mend; nothing changes.
    let before = ws.state();
    for (bad, says) in [
        ("[matching]\nwindow = 3\n", "unknown field `window`"),
        ("[receivables]\naging_buckets = [60, 30]\n", "aging_buckets must be rising"),
        ("[couriers]\ntolerance = \"lots\"\n", "couriers.tolerance = \"lots\" is not an amount"),
    ] {
        let r = a.post("/admin/settings", &[("csrf", &token), ("text", bad)]);
        assert_eq!(r.status, 422, "{bad}");
        let shown = r.body.replace("&quot;", "\"").replace("&#x2f;", "/").replace("&#x60;", "`");
        assert!(shown.contains("id=\"settings-error\"") && shown.contains(says), "{says} in {shown}");
        assert!(shown.contains(bad), "the text stays in the box: {shown}");
    }
    assert_eq!(ws.state(), before, "nothing written");
    assert_eq!(value(&ws, window), "5");
    assert!(!admin(&ws, &["audit"]).contains(" settings "));

    // Good text (as a browser sends a textarea, CR LF) is the file; the CLI and the next
    // page compute with it: the contract now says 9.50, so T1 is no overcharge.
    let good = "[matching]\r\nwindow_days = 3\r\n\r\n[couriers]\r\nrates = { \"中通快递\" = { first_kg = \"9.50\", extra_kg = \"2.00\" } }\r\n";
    let r = a.post("/admin/settings", &[("csrf", &token), ("text", good)]);
    assert_eq!((r.status, r.location.as_str()), (303, "/admin/settings"), "{}", r.body);
    assert_eq!(std::fs::read_to_string(ws.root.join("settings.toml")).unwrap(), good.replace("\r\n", "\n"));
    assert_eq!(value(&ws, window), "3");
    let page = a.get("/admin/settings").body;
    assert!(page.contains("<td class=\"\">window_days</td><td class=\"\">3</td>"), "the server reads the new value");
    assert!(!a.get("/anomalies?all=1").body.contains("courier_overcharge:T1"), "the next page's figures changed");
    assert_eq!(value(&ws, "SELECT count(*) FROM anomalies WHERE kind = 'courier_overcharge'"), "0");
    let audit = admin(&ws, &["audit", "--event", "settings"]);
    assert!(audit.contains("admin") && audit.contains("window_days: 5 → 3"), "{audit}");
    assert!(admin(&ws, &["audit", "verify"]).contains("intact"));
}

#[test]
fn only_an_admin_reaches_administration() {
    let (ws, server) = office();
    let users_before = admin(&ws, &["user", "list"]);
    for who in [ALAN, VIC] {
        let (mut c, token) = logged_in(&server, who);
        assert!(!c.get("/").body.contains("id=\"nav-admin\""), "{}: no link", who.0);
        for page in ["/admin", "/admin/audit", "/admin/audit?by=admin", "/admin/settings"] {
            assert_eq!(c.get(page).status, 403, "{} GET {page}", who.0);
        }
        let posts: [(&str, &[(&str, &str)]); 6] = [
            ("/admin/users/add", &[("name", "eve"), ("role", "admin"), ("password", "ledger-balance-11")]),
            ("/admin/users/role", &[("name", who.0), ("role", "admin")]),
            ("/admin/users/lock", &[("name", "admin")]),
            ("/admin/users/unlock", &[("name", "admin")]),
            ("/admin/users/password", &[("name", "admin"), ("password", "ledger-balance-12")]),
            ("/admin/settings", &[("text", "[matching]\nwindow_days = 1\n")]),
        ];
        for (path, fields) in posts {
            let mut all = vec![("csrf", token.as_str())];
            all.extend_from_slice(fields);
            refused(c.post(path, &all), &format!("{} POST {path}", who.0));
        }
    }
    // Nor does an admin's form go through without its token.
    let (mut a, _) = logged_in(&server, ("admin", PASSWORD));
    refused(
        a.post("/admin/users/add", &[("name", "eve"), ("role", "admin"), ("password", "ledger-balance-11")]),
        "no token",
    );
    assert_eq!(admin(&ws, &["user", "list"]), users_before);
    assert!(!ws.root.join("settings.toml").exists());
    assert_eq!(a.get("/admin/audit").status, 200);
    // The pages' words in English too, by the toggle.
    a.get("/lang/en");
    assert!(a.get("/admin").body.contains(">Add a user<"));
    assert!(a.get("/admin/settings").body.contains(">Save settings<"));
    assert!(a.get("/anomalies").body.contains("Show all (resolved and ignored too)"));
    assert!(a.get("/periods").body.contains(">Imported after closing<"));
}
