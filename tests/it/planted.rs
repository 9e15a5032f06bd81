//! `recon gen --plant`: the kinds are taken comma-separated or repeated, listed in
//! truth/planted.csv, and an unknown kind is refused before anything is written.

use crate::common::{recon, text, truth};

#[test]
fn plant_kinds_are_taken_comma_separated_or_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let g = recon()
        .args(["gen", "--orders", "600", "--seed", "3", "--noise", "low"])
        .args(["--plant", "refund-spike,duplicate-payment", "--plant", "slow-platform", "--plant", "fee-change"])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", text(&g.stderr));
    let said = text(&g.stdout);
    assert!(said.contains("planted fee-change, duplicate-payment, slow-platform, refund-spike"), "{said}");
    assert!(said.contains("truth/planted.csv"), "{said}");
    let csv = std::fs::read_to_string(dir.path().join("truth/planted.csv")).unwrap();
    assert!(csv.starts_with("kind,platform,shop,reference,month,detail\n"), "{csv}");
    let rows = truth(dir.path(), "planted.csv");
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str()).collect();
    assert_eq!(kinds, ["fee_change", "duplicate_payment", "slow_platform", "refund_spike"], "{csv}");
    let fee = &rows[0];
    assert_eq!(
        (fee["platform"].as_str(), fee["reference"].as_str(), fee["month"].as_str()),
        ("tmall", "2026-08", "2026-08")
    );
    let slow = &rows[2];
    assert_eq!((slow["platform"].as_str(), slow["month"].as_str()), ("pdd", "2026-07"));
    assert!(rows[1]["reference"].contains(" / "), "{csv}");
    assert_eq!(rows[3]["month"], "2026-06");

    let bad = tempfile::tempdir().unwrap();
    let g = recon()
        .args(["gen", "--orders", "10", "--plant", "fee-change,bogus", "--out"])
        .arg(bad.path())
        .output()
        .unwrap();
    assert!(!g.status.success());
    assert!(text(&g.stderr).contains("bogus"), "{}", text(&g.stderr));
    assert!(!bad.path().join("truth").exists(), "nothing is written for a bad --plant");
}
