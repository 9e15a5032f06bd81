//! The shell's line-editor helper: a statement is complete at its `;` (else Enter
//! starts a new line), and Tab completes dot-commands, SQL keywords, table, view and
//! column names, and function names.

use datafusion::sql::sqlparser::keywords::ALL_KEYWORDS;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use crate::runner::command::COMMANDS;
use recon::script;

pub use crate::runner::Names;

pub struct ReplHelper {
    pub names: Names,
}

impl ReplHelper {
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[start..];
        if before.trim_start().starts_with('.') && !before.trim_start().contains(char::is_whitespace) {
            let at = before.len() - before.trim_start().len();
            let typed = before.trim_start();
            let found = COMMANDS.iter().map(|(n, _, _)| n.to_string()).filter(|n| n.starts_with(typed)).collect();
            return (at, found);
        }
        if word.is_empty() {
            return (pos, Vec::new());
        }
        if let Some((table, prefix)) = word.split_once('.') {
            let cols = self.names.columns.get(&table.to_lowercase()).cloned().unwrap_or_default();
            let found =
                cols.into_iter().filter(|c| starts_with_ci(c, prefix)).map(|c| format!("{table}.{c}")).collect();
            return (start, found);
        }
        let upper = word.chars().next().is_some_and(char::is_uppercase);
        let mut found: Vec<String> = Vec::new();
        found.extend(self.names.tables.iter().filter(|t| starts_with_ci(t, word)).cloned());
        let mut cols: Vec<&String> =
            self.names.columns.values().flatten().filter(|c| starts_with_ci(c, word)).collect();
        cols.sort();
        cols.dedup();
        found.extend(cols.into_iter().cloned());
        found.extend(self.names.functions.iter().filter(|f| starts_with_ci(f, word)).cloned());
        found.extend(
            ALL_KEYWORDS
                .iter()
                .filter(|k| starts_with_ci(k, word))
                .map(|k| if upper { k.to_string() } else { k.to_lowercase() }),
        );
        let mut seen = std::collections::HashSet::new();
        found.retain(|f| seen.insert(f.to_lowercase()));
        found.truncate(200);
        (start, found)
    }
}

fn starts_with_ci(candidate: &str, prefix: &str) -> bool {
    candidate.len() >= prefix.len()
        && candidate.is_char_boundary(prefix.len())
        && candidate[..prefix.len()].eq_ignore_ascii_case(prefix)
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = self.candidates(line, pos);
        Ok((start, found.into_iter().map(|s| Pair { display: s.clone(), replacement: s }).collect()))
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if script::is_complete(ctx.input()) { ValidationResult::Valid(None) } else { ValidationResult::Incomplete })
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> ReplHelper {
        let mut columns = std::collections::BTreeMap::new();
        columns.insert(
            "orders".to_string(),
            vec!["order_id".to_string(), "order_time".to_string(), "paid_amount".to_string()],
        );
        ReplHelper {
            names: Names {
                tables: vec!["orders".into(), "payouts".into()],
                columns,
                functions: vec!["date_trunc".into()],
            },
        }
    }

    #[test]
    fn completes_what_is_typed() {
        let h = helper();
        assert_eq!(h.candidates(".sc", 3), (0, vec![".schema".to_string()]));
        let (start, found) = h.candidates("select * from ord", 17);
        assert_eq!(start, 14);
        assert_eq!(found[..4], ["orders", "order_id", "order_time", "order"]);
        assert_eq!(h.candidates("SELECT orders.pa", 16), (7, vec!["orders.paid_amount".to_string()]));
        let (_, kw) = h.candidates("SEL", 3);
        assert!(kw.contains(&"SELECT".to_string()), "{kw:?}");
        let (_, f) = h.candidates("select date_t", 13);
        assert_eq!(f, vec!["date_trunc".to_string()]);
    }
}
