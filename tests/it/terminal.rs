//! Long work shows a progress bar on a terminal and stays quiet when piped. The
//! terminal is a real pseudo-terminal, made by `script` from util-linux.

use std::process::Command;

use crate::common::{NOW, PASSWORD, Ws, bank_csv, text};

#[test]
fn progress_bar_on_a_terminal_and_quiet_when_piped() {
    let ws = Ws::new();
    let f = ws.scratch("statement.csv");
    std::fs::write(&f, bank_csv(0..300_000)).unwrap();

    let piped = ws.run(&["import", f.to_str().unwrap()]);
    assert!(piped.status.success());
    assert!(!text(&piped.stderr).contains("statement.csv ["), "no bar when piped: {}", text(&piped.stderr));
    ws.ok(&["imports", "undo", "1"]);

    let cmd = format!("{} --workspace {} import {}", env!("CARGO_BIN_EXE_recon"), ws.root.display(), f.display());
    let tty = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("RECON_PASSWORD", PASSWORD)
        .env("RECON_NOW", NOW)
        .env("TERM", "xterm")
        .output()
        .expect("script from util-linux runs the command on a pseudo-terminal");
    let screen = text(&tty.stdout);
    assert!(tty.status.success(), "{screen}");
    assert!(screen.contains("statement.csv ["), "a progress bar on the terminal: {screen:?}");
    assert!(screen.contains("stored 300,000 rows"), "{screen}");
}
