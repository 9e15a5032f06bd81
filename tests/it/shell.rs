//! The interactive shell through a real pseudo-terminal: log in at the prompt, type a
//! multi-line query, complete with Tab, cancel a long query with Ctrl-C and carry on,
//! switch modes, quit, start again, find the view made before and export a result.

use std::time::Duration;

use rexpect::session::{PtySession, spawn_command};

use crate::common::{PASSWORD, Ws, equal_payouts};

const TIMEOUT_MS: u64 = 60_000;

fn bank_rows(ws: &Ws) {
    let f = ws.scratch("bank.csv");
    let mut s = String::from("交易时间,交易流水号,借方发生额,贷方发生额,余额,对方户名,摘要\n");
    for i in 0..25u32 {
        s.push_str(&format!(
            "2026-10-{:02} 09:30:00,S{i:03},,{}.00,,支付宝（中国）网络技术有限公司,提现\n",
            1 + i,
            100 + i
        ));
    }
    std::fs::write(&f, s).unwrap();
    ws.import(&f);
}

/// Starts the shell and logs in at its prompts, as a person would.
pub fn login(ws: &Ws, password: &str) -> PtySession {
    let mut cmd = ws.cmd();
    cmd.env_remove("RECON_PASSWORD").env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).expect("the shell starts on a pseudo-terminal");
    p.exp_string("User [admin]:").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Password for admin:").unwrap();
    p.send_line(password).unwrap();
    p
}

#[test]
fn a_day_at_the_shell() {
    let ws = Ws::new();
    bank_rows(&ws);

    let mut p = login(&ws, PASSWORD);
    p.exp_string("logged in as admin").unwrap();
    p.exp_string("recon> ").unwrap();

    // A statement over two lines runs at its `;`.
    p.send_line("SELECT count(*) AS n,").unwrap();
    p.send_line("  sum(amount) AS total FROM bank_txns;").unwrap();
    p.exp_string("2800.00").unwrap();
    p.exp_string("1 row").unwrap();

    // Tab completes a table name.
    p.send("SELECT count(*) AS c FROM bank_t").unwrap();
    p.send("\t").unwrap();
    p.send_line(" WHERE amount > 120;").unwrap();
    p.exp_string("AS c FROM bank_txns").unwrap();
    p.exp_string("| 4 |").unwrap();

    // Ctrl-C cancels a long query; the shell goes on.
    p.send_line("SELECT count(*) FROM range(1, 100000000000);").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    p.send_control('c').unwrap();
    p.exp_string("cancelled").unwrap();
    p.exp_string("recon> ").unwrap();

    // An error is printed and the shell goes on.
    p.send_line("SELECT nonsense FROM bank_txns;").unwrap();
    p.exp_string("error:").unwrap();
    p.exp_string("recon> ").unwrap();

    p.send_line(".mode csv").unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_line("SELECT txn_id, amount FROM bank_txns ORDER BY txn_id LIMIT 2;").unwrap();
    p.exp_string("txn_id,amount").unwrap();
    p.exp_string("S000,100.00").unwrap();
    p.exp_string("recon> ").unwrap();

    p.send_line("CREATE VIEW big_credits AS SELECT txn_id, amount FROM bank_txns WHERE amount >= 120;").unwrap();
    p.exp_string("view big_credits saved").unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();

    // Next session: the view is there, the history too.
    let mut p = login(&ws, PASSWORD);
    p.exp_string("recon> ").unwrap();
    p.send_line("SELECT count(*) AS big FROM big_credits;").unwrap();
    p.exp_string("|   5 |").unwrap();
    p.exp_string("recon> ").unwrap();
    // The result just seen, as a PDF to send.
    let pdf = ws.scratch("big.pdf");
    p.send_line(&format!(".export {}", pdf.display())).unwrap();
    p.exp_string(&format!("1 rows written to {}", pdf.display())).unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_line(".views").unwrap();
    p.exp_string("big_credits (yours)").unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    let history = std::fs::read_to_string(ws.root.join("history").join("admin")).unwrap();
    assert!(history.contains("CREATE VIEW big_credits"), "{history}");
    assert!(!history.contains(PASSWORD), "the password is never in the history");
}

#[test]
fn a_wrong_password_at_the_prompt() {
    let ws = Ws::new();
    let mut p = login(&ws, "not-the-password");
    p.exp_string("login failed: wrong user name or password").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn fixing_a_match_by_hand_in_the_shell() {
    let ws = Ws::new();
    equal_payouts(&ws);

    let mut p = login(&ws, PASSWORD);
    p.exp_string("recon> ").unwrap();
    p.send_line("SELECT payout_id, txn_id, rule FROM match_candidates ORDER BY payout_id;").unwrap();
    p.exp_string("| W002      | B1     | amount |").unwrap();
    p.exp_string("2 rows").unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_line(".match --payout W002 --bank B1 --reason \"statement memo says W002\"").unwrap();
    p.exp_string("decision 1: matched payout W002").unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_line("SELECT payout_id, rule, manual FROM bank_matches;").unwrap();
    p.exp_string("| W002      | manual | true   |").unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_line(".reconcile").unwrap();
    p.exp_string("Run 1 by admin").unwrap();
    p.exp_string("| manual | ").unwrap();
    p.exp_string("| unmatched_payouts   |").unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_line(".match --payout W001").unwrap();
    p.exp_string("error:").unwrap();
    p.exp_string("recon> ").unwrap();
    p.send_line(".quit").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(ws.value("SELECT count(*) FROM run_bank_matches WHERE manual"), "1");
}
