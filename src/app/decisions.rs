//! Manual decisions: a person matches payouts or orders to bank lines, breaks a match,
//! or writes off a difference. Each is checked against what is imported now, kept in
//! the catalog with who, when and why (`manual_actions`), and wins over every automatic
//! pass. Bank lines are kept by `line_id`, which a re-import gives the same line again,
//! so decisions survive undoing and redoing imports.

use super::Service;
use super::query::text_rows;
use crate::auth::guard::Action;
use crate::error::Error;
use crate::session::Session;
use crate::workspace::ManualAction;
use crate::workspace::catalog::Undone;

/// What a person decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecisionKind {
    Match,
    Unmatch,
    /// Write off a difference: the amount given, or what is open on the one item named.
    Writeoff {
        amount: Option<String>,
    },
}

impl DecisionKind {
    fn word(&self) -> &'static str {
        match self {
            DecisionKind::Match => "match",
            DecisionKind::Unmatch => "unmatch",
            DecisionKind::Writeoff { .. } => "writeoff",
        }
    }
}

/// A decision as a person states it: what it names (payout ids, order ids, bank txn or
/// line ids) and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecisionRequest {
    pub payouts: Vec<String>,
    pub orders: Vec<String>,
    pub bank: Vec<String>,
    pub reason: String,
}

/// A bank line as a decision names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankLine {
    pub line_id: String,
    pub txn_id: String,
}

/// A decision kept: its number, what it named, the amount written off, and the
/// decisions by hand it withdrew.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    pub id: u64,
    pub action: &'static str,
    pub payouts: Vec<String>,
    pub orders: Vec<String>,
    pub bank: Vec<BankLine>,
    pub amount: Option<String>,
    pub revoked: Vec<u64>,
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|s| super::literal(s)).collect::<Vec<_>>().join(", ")
}

impl Service {
    /// Checks and keeps a decision; `session` (this user's) is brought up to date,
    /// read for what the decision names, and refreshed after.
    pub async fn decide(
        &self,
        session: &mut Session,
        kind: DecisionKind,
        req: DecisionRequest,
    ) -> Result<Decided, Error> {
        self.allowed(Action::Decide)?;
        session.refresh(&self.ws).await?;
        let action = kind.word();
        if req.reason.trim().is_empty() {
            return Err(Error::Usage(format!("{action}: say why with --reason \"…\"; it is kept with the decision")));
        }
        let sides = req.payouts.len() + req.orders.len();
        if action != "writeoff" && (sides == 0 || req.bank.is_empty()) {
            return Err(Error::Usage(format!(
                "{action} names both sides: at least one --payout or --order, and at least one --bank"
            )));
        }
        if action == "writeoff" && sides + req.bank.len() == 0 {
            return Err(Error::Usage("writeoff names what it writes off: --payout, --order or --bank".into()));
        }
        check_exist(session, "payouts", "payout_id", "payout", &req.payouts).await?;
        check_exist(session, "orders", "order_id", "order", &req.orders).await?;
        let bank = resolve_bank(session, &req.bank).await?;
        let bank_ids: Vec<String> = bank.iter().map(|b| b.line_id.clone()).collect();
        let amount = match kind {
            DecisionKind::Writeoff { amount } => Some(writeoff_amount(session, &req, &bank_ids, amount).await?),
            _ => None,
        };

        let mut tx = self.ws.begin()?;
        let now = crate::clock::now().to_rfc3339();
        if action == "match" {
            // A thing is matched by hand once; a second decision would be a guess between two.
            for a in tx.catalog.actions.iter().filter(|a| a.revoked.is_none() && a.action == "match") {
                let taken = req
                    .payouts
                    .iter()
                    .find(|p| a.payouts.contains(p))
                    .or_else(|| req.orders.iter().find(|o| a.orders.contains(o)))
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
                let side = req.payouts.iter().any(|p| a.payouts.contains(p))
                    || req.orders.iter().any(|o| a.orders.contains(o));
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
            payouts: req.payouts.clone(),
            orders: req.orders.clone(),
            bank_lines: bank_ids,
            amount: amount.clone(),
            reason: req.reason.trim().to_string(),
            user: self.user.name.clone(),
            time: now,
            revoked: None,
        });
        tx.audit(
            &self.user.name,
            action,
            &format!(
                "decision {id}: payouts [{}] orders [{}] bank lines [{}]{}; reason: {}",
                req.payouts.join(", "),
                req.orders.join(", "),
                bank.iter().map(|b| b.line_id.as_str()).collect::<Vec<_>>().join(", "),
                amount.as_ref().map(|a| format!(" amount {a}")).unwrap_or_default(),
                req.reason.trim()
            ),
        );
        tx.commit()?;
        drop(tx);
        session.refresh(&self.ws).await?;

        Ok(Decided { id, action, payouts: req.payouts, orders: req.orders, bank, amount, revoked })
    }
}

impl Service {
    /// Takes back decision `id` as if it had never been made (the undo right after a
    /// decision): kept in `manual_actions` as revoked, with who and when, and audited.
    /// Unlike `unmatch`, nothing is forbidden afterwards: matching decides again.
    pub async fn revoke_decision(&self, session: &mut Session, id: u64) -> Result<String, Error> {
        self.allowed(Action::Decide)?;
        let mut tx = self.ws.begin()?;
        let now = crate::clock::now().to_rfc3339();
        let action = tx
            .catalog
            .actions
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::Usage(format!("there is no decision {id} (manual_actions.id)")))?;
        if let Some(r) = &action.revoked {
            return Err(Error::Usage(format!("decision {id} was already taken back on {} by {}", r.time, r.user)));
        }
        action.revoked = Some(Undone { time: now, user: self.user.name.clone() });
        let what = action.action.clone();
        tx.audit(&self.user.name, "revoke", &format!("decision {id} ({what}) taken back"));
        tx.commit()?;
        drop(tx);
        session.refresh(&self.ws).await?;
        Ok(what)
    }
}

/// Fails naming the first of `ids` that `table.column` does not hold.
async fn check_exist(session: &Session, table: &str, column: &str, what: &str, ids: &[String]) -> Result<(), Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = text_rows(
        session,
        &format!("SELECT DISTINCT CAST({column} AS VARCHAR) FROM {table} WHERE {column} IN ({})", quoted(ids)),
    )
    .await?;
    match ids.iter().find(|id| !found.iter().any(|f| &f[0] == *id)) {
        Some(missing) => Err(Error::Usage(format!("there is no {what} {missing} ({table}.{column})"))),
        None => Ok(()),
    }
}

/// Each bank reference as one line: a `txn_id` as the statement shows it, or a
/// `line_id` when a txn id is in several accounts.
async fn resolve_bank(session: &Session, refs: &[String]) -> Result<Vec<BankLine>, Error> {
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    let rows = text_rows(
        session,
        &format!(
        "SELECT line_id, coalesce(txn_id, ''), coalesce(account, '') FROM bank_txns WHERE txn_id IN ({0}) OR line_id IN ({0})",
            quoted(refs)
        ),
    )
    .await?;
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
async fn writeoff_amount(
    session: &Session,
    req: &DecisionRequest,
    bank: &[String],
    given: Option<String>,
) -> Result<String, Error> {
    if let Some(a) = given {
        let cents = crate::values::parse_money(&a)
            .map_err(|e| Error::Usage(format!("--amount {a}: {e}; give an amount such as 12.34")))?;
        return Ok(format_cents(cents));
    }
    let sql = match (req.payouts.as_slice(), req.orders.as_slice(), bank) {
        ([p], [], []) => {
            format!("SELECT CAST(amount AS VARCHAR) FROM payouts WHERE payout_id = {}", quoted(std::slice::from_ref(p)))
        }
        ([], [o], []) => format!(
            "SELECT CAST(abs(difference) AS VARCHAR) FROM order_settlement WHERE order_id = {}",
            quoted(std::slice::from_ref(o))
        ),
        ([], [], [b]) => {
            format!("SELECT CAST(amount AS VARCHAR) FROM bank_txns WHERE line_id = {}", quoted(std::slice::from_ref(b)))
        }
        _ => return Err(Error::Usage("writing off several items at once needs --amount".into())),
    };
    let rows = text_rows(session, &sql).await?;
    rows.first().map(|r| r[0].clone()).ok_or_else(|| Error::Usage("nothing open to write off; give --amount".into()))
}

fn format_cents(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}
