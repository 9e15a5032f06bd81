//! Manual decisions: a person matches payouts or orders to bank lines, breaks a match,
//! or writes off a difference. Each is checked against what is imported now, kept in
//! the catalog with who, when and why (`manual_actions`), and wins over every automatic
//! pass. Bank lines are kept by `line_id`, which a re-import gives the same line again,
//! so decisions survive undoing and redoing imports.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;

use super::Runner;
use crate::cli::{DecisionArgs, WriteoffArgs};
use crate::error::Error;
use crate::workspace::ManualAction;
use crate::workspace::catalog::Undone;

pub enum Decision {
    Match(DecisionArgs),
    Unmatch(DecisionArgs),
    Writeoff(WriteoffArgs),
}

/// A bank line as a decision names it.
struct BankLine {
    line_id: String,
    txn_id: String,
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|s| format!("'{}'", s.replace('\'', "''"))).collect::<Vec<_>>().join(", ")
}

impl Runner {
    pub fn decide(&mut self, decision: Decision) -> Result<(), Error> {
        crate::auth::allow(&self.user, crate::auth::guard::Action::Decide)?;
        self.runtime.block_on(self.session.refresh(&self.ws))?;
        let (action, items, amount) = match decision {
            Decision::Match(items) => ("match", items, None),
            Decision::Unmatch(items) => ("unmatch", items, None),
            Decision::Writeoff(w) => ("writeoff", w.items, w.amount),
        };
        if items.reason.trim().is_empty() {
            return Err(Error::Usage(format!("{action}: say why with --reason \"…\"; it is kept with the decision")));
        }
        let sides = items.payouts.len() + items.orders.len();
        if action != "writeoff" && (sides == 0 || items.bank.is_empty()) {
            return Err(Error::Usage(format!(
                "{action} names both sides: at least one --payout or --order, and at least one --bank"
            )));
        }
        if action == "writeoff" && sides + items.bank.len() == 0 {
            return Err(Error::Usage("writeoff names what it writes off: --payout, --order or --bank".into()));
        }
        self.check_exist("payouts", "payout_id", "payout", &items.payouts)?;
        self.check_exist("orders", "order_id", "order", &items.orders)?;
        let bank = self.resolve_bank(&items.bank)?;
        let bank_ids: Vec<String> = bank.iter().map(|b| b.line_id.clone()).collect();
        let amount = match action {
            "writeoff" => Some(self.writeoff_amount(&items, &bank_ids, amount)?),
            _ => None,
        };

        let mut tx = self.ws.begin()?;
        let now = crate::clock::now().to_rfc3339();
        if action == "match" {
            // A thing is matched by hand once; a second decision would be a guess between two.
            for a in tx.catalog.actions.iter().filter(|a| a.revoked.is_none() && a.action == "match") {
                let taken = items
                    .payouts
                    .iter()
                    .find(|p| a.payouts.contains(p))
                    .or_else(|| items.orders.iter().find(|o| a.orders.contains(o)))
                    .or_else(|| bank_ids.iter().find(|b| a.bank_lines.contains(b)));
                if let Some(t) = taken {
                    return Err(Error::Usage(format!(
                        "{t} is already matched by hand (decision {}); recon unmatch it first",
                        a.id
                    )));
                }
            }
        }
        let mut revoked = Vec::new();
        if action == "unmatch" {
            // Breaking a pair a person made withdraws that decision.
            for a in tx.catalog.actions.iter_mut().filter(|a| a.action == "match" && a.revoked.is_none()) {
                let side = items.payouts.iter().any(|p| a.payouts.contains(p))
                    || items.orders.iter().any(|o| a.orders.contains(o));
                if side && bank_ids.iter().any(|b| a.bank_lines.contains(b)) {
                    a.revoked = Some(Undone { time: now.clone(), user: self.user.name.clone() });
                    revoked.push(a.id);
                }
            }
        }
        let id = tx.catalog.actions.iter().map(|a| a.id).max().unwrap_or(0) + 1;
        tx.catalog.actions.push(ManualAction {
            id,
            action: action.to_string(),
            payouts: items.payouts.clone(),
            orders: items.orders.clone(),
            bank_lines: bank_ids,
            amount: amount.clone(),
            reason: items.reason.trim().to_string(),
            user: self.user.name.clone(),
            time: now,
            revoked: None,
        });
        tx.audit(
            &self.user.name,
            action,
            &format!(
                "decision {id}: payouts [{}] orders [{}] bank lines [{}]{}; reason: {}",
                items.payouts.join(", "),
                items.orders.join(", "),
                bank.iter().map(|b| b.line_id.as_str()).collect::<Vec<_>>().join(", "),
                amount.as_ref().map(|a| format!(" amount {a}")).unwrap_or_default(),
                items.reason.trim()
            ),
        );
        tx.commit()?;
        drop(tx);
        self.runtime.block_on(self.session.refresh(&self.ws))?;

        let mut named: Vec<String> = items.payouts.iter().map(|p| format!("payout {p}")).collect();
        named.extend(items.orders.iter().map(|o| format!("order {o}")));
        let lines: Vec<String> = bank.iter().map(|b| format!("bank line {} ({})", b.txn_id, b.line_id)).collect();
        match action {
            "match" => println!("decision {id}: matched {} with {}", named.join(", "), lines.join(", ")),
            "unmatch" => println!(
                "decision {id}: {} and {} will not be matched automatically again",
                named.join(", "),
                lines.join(", ")
            ),
            _ => {
                named.extend(lines);
                println!("decision {id}: wrote off {} on {}", amount.unwrap_or_default(), named.join(", "));
            }
        }
        for r in revoked {
            println!("decision {r} (a match by hand) is withdrawn");
        }
        println!("The live views show it now; `recon reconcile` keeps it in a run.");
        Ok(())
    }

    /// Fails naming the first of `ids` that `table.column` does not hold.
    fn check_exist(&self, table: &str, column: &str, what: &str, ids: &[String]) -> Result<(), Error> {
        if ids.is_empty() {
            return Ok(());
        }
        let found = self.strings(&format!(
            "SELECT DISTINCT CAST({column} AS VARCHAR) FROM {table} WHERE {column} IN ({})",
            quoted(ids)
        ))?;
        match ids.iter().find(|id| !found.iter().any(|f| &f[0] == *id)) {
            Some(missing) => Err(Error::Usage(format!("there is no {what} {missing} ({table}.{column})"))),
            None => Ok(()),
        }
    }

    /// Each bank reference as one line: a `txn_id` as the statement shows it, or a
    /// `line_id` when a txn id is in several accounts.
    fn resolve_bank(&self, refs: &[String]) -> Result<Vec<BankLine>, Error> {
        if refs.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.strings(&format!(
            "SELECT line_id, coalesce(txn_id, ''), coalesce(account, '') FROM bank_txns WHERE txn_id IN ({0}) OR line_id IN ({0})",
            quoted(refs)
        ))?;
        let mut out: Vec<BankLine> = Vec::new();
        for r in refs {
            let hits: Vec<&Vec<String>> = rows.iter().filter(|row| &row[0] == r || &row[1] == r).collect();
            match hits.as_slice() {
                [] => return Err(Error::Usage(format!("there is no bank line {r} (bank_txns.txn_id or line_id)"))),
                [one] => {
                    if !out.iter().any(|b| b.line_id == one[0]) {
                        out.push(BankLine { line_id: one[0].clone(), txn_id: one[1].clone() });
                    }
                }
                many => {
                    let options: Vec<String> = many.iter().map(|h| format!("{} (account {})", h[0], h[2])).collect();
                    return Err(Error::Usage(format!(
                        "bank txn id {r} is on several lines: give the line_id of the one you mean: {}",
                        options.join(", ")
                    )));
                }
            }
        }
        Ok(out)
    }

    /// The amount given, or what is open on the one item named.
    fn writeoff_amount(&self, items: &DecisionArgs, bank: &[String], given: Option<String>) -> Result<String, Error> {
        if let Some(a) = given {
            let cents = crate::values::parse_money(&a)
                .map_err(|e| Error::Usage(format!("--amount {a}: {e}; give an amount such as 12.34")))?;
            return Ok(format_cents(cents));
        }
        let sql = match (items.payouts.as_slice(), items.orders.as_slice(), bank) {
            ([p], [], []) => {
                format!(
                    "SELECT CAST(amount AS VARCHAR) FROM payouts WHERE payout_id = {}",
                    quoted(std::slice::from_ref(p))
                )
            }
            ([], [o], []) => format!(
                "SELECT CAST(abs(difference) AS VARCHAR) FROM order_settlement WHERE order_id = {}",
                quoted(std::slice::from_ref(o))
            ),
            ([], [], [b]) => {
                format!(
                    "SELECT CAST(amount AS VARCHAR) FROM bank_txns WHERE line_id = {}",
                    quoted(std::slice::from_ref(b))
                )
            }
            _ => return Err(Error::Usage("writing off several items at once needs --amount".into())),
        };
        let rows = self.strings(&sql)?;
        rows.first()
            .map(|r| r[0].clone())
            .ok_or_else(|| Error::Usage("nothing open to write off; give --amount".into()))
    }

    /// A query's rows as text.
    pub(super) fn strings(&self, sql: &str) -> Result<Vec<Vec<String>>, Error> {
        let (_, batches) = self.collect(sql)?;
        let mut rows = Vec::new();
        for b in &batches {
            let cols: Vec<_> = b
                .columns()
                .iter()
                .map(|c| datafusion::arrow::compute::cast(c, &DataType::Utf8))
                .collect::<Result<_, _>>()
                .map_err(|e| Error::Other(e.to_string()))?;
            for i in 0..b.num_rows() {
                rows.push(
                    cols.iter()
                        .map(|c| {
                            let c = c.as_string::<i32>();
                            if c.is_null(i) { String::new() } else { c.value(i).to_string() }
                        })
                        .collect(),
                );
            }
        }
        Ok(rows)
    }
}

fn format_cents(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}
