//! What each role may do. Commands and dot-commands ask `allow`; SQL is checked on what
//! it plans to, not on its text: a viewer's plans may not define or change anything
//! (DataFusion's `SQLOptions`), and no one but an admin may plan a read or write of a file
//! outside the workspace (`CREATE EXTERNAL TABLE`, `COPY … TO`, `INSERT INTO` such a table).

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::execution::context::SQLOptions;
use datafusion::logical_expr::{DdlStatement, LogicalPlan};

use super::Role;

/// Something a command does that not every role may.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Import,
    UndoImport,
    Reconcile,
    /// recon match, unmatch, writeoff.
    Decide,
    /// Close a period (freeze its figures).
    ClosePeriod,
    /// Reopen a closed period: only an admin.
    ReopenPeriod,
    /// Change an anomaly's state, assignee or note.
    WorkAnomaly,
    Export,
    /// CREATE VIEW / TABLE, DROP, .report save|drop.
    Define,
    ManageUsers,
    ReadAudit,
}

impl Action {
    fn what(self) -> &'static str {
        match self {
            Action::Import => "import files",
            Action::UndoImport => "undo imports",
            Action::Reconcile => "run a reconciliation",
            Action::Decide => "match, unmatch or write off by hand",
            Action::ClosePeriod => "close a period",
            Action::ReopenPeriod => "reopen a closed period",
            Action::WorkAnomaly => "change an anomaly's state",
            Action::Export => "export results to files",
            Action::Define => "create or drop views, tables and saved reports",
            Action::ManageUsers => "manage users",
            Action::ReadAudit => "read the audit log",
        }
    }
}

/// Whether `role` may do `action`; the refusal names the role and what it may not do.
pub fn allow(role: Role, action: Action) -> Result<(), String> {
    let ok = match role {
        Role::Admin => true,
        Role::Accountant => !matches!(action, Action::ManageUsers | Action::ReadAudit | Action::ReopenPeriod),
        Role::Viewer => false,
    };
    if ok { Ok(()) } else { Err(format!("permission denied: {} may not {}", a(role), action.what())) }
}

/// "an accountant", "a viewer".
fn a(role: Role) -> String {
    let name = role.name();
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) { format!("an {name}") } else { format!("a {name}") }
}

/// The statements a role's session may plan.
pub fn sql_options(role: Role) -> SQLOptions {
    let viewer = role == Role::Viewer;
    SQLOptions::new().with_allow_ddl(!viewer).with_allow_dml(!viewer).with_allow_statements(true)
}

/// Checks a planned statement: what `sql_options` allows; no file outside the workspace
/// and no runtime setting (memory limit, spill folder …) for anyone but an admin, who sets
/// them for everyone — `SET recon.as_of` is anyone's; and for a viewer no EXPLAIN that
/// shows the files' statistics (a masked column's minimum and maximum are its values).
pub fn check_plan(role: Role, plan: &LogicalPlan) -> Result<(), String> {
    sql_options(role).verify_plan(plan).map_err(|e| format!("permission denied for {}: {e}", a(role)))?;
    if role == Role::Admin {
        return Ok(());
    }
    use datafusion::logical_expr::Statement as S;
    let setting = match plan {
        LogicalPlan::Statement(S::SetVariable(v)) => Some(v.variable.as_str()),
        LogicalPlan::Statement(S::ResetVariable(v)) => Some(v.variable.as_str()),
        _ => None,
    };
    if let Some(name) = setting
        && !name.to_ascii_lowercase().starts_with("recon.")
    {
        return Err(format!(
            "permission denied: {} may not change {name}: only an admin changes runtime settings (recon's own, such as recon.as_of, are anyone's)",
            a(role)
        ));
    }
    if role == Role::Viewer
        && let LogicalPlan::Explain(e) = plan
        && (e.verbose || e.show_statistics == Some(true))
    {
        return Err(format!(
            "permission denied: {} may not run EXPLAIN VERBOSE or show statistics: they show values of masked columns",
            a(role)
        ));
    }
    let mut refused = None;
    plan.apply(|node| {
        let what = match node {
            LogicalPlan::Ddl(DdlStatement::CreateExternalTable(t)) => {
                Some(format!("CREATE EXTERNAL TABLE (reads {})", t.locations.join(", ")))
            }
            LogicalPlan::Copy(c) => Some(format!("COPY TO {}", c.output_url)),
            LogicalPlan::Dml(d) => Some(format!("writing into table {}", d.table_name)),
            _ => None,
        };
        if let Some(w) = what {
            refused = Some(w);
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    })
    .map_err(|e| e.to_string())?;
    match refused {
        Some(what) => Err(format!(
            "permission denied: {what}: only an admin may read or write files outside the workspace through SQL"
        )),
        None => Ok(()),
    }
}

/// Refuses a plan that would read or write a file inside the workspace at `root`
/// through SQL (`COPY … TO`, `CREATE EXTERNAL TABLE`), whoever plans it: results never
/// land inside the workspace, and its files (catalog, users, audit log, data) are read
/// and written only by recon itself, through its transaction.
pub fn check_files(plan: &LogicalPlan, root: &std::path::Path) -> Result<(), String> {
    let mut refused = None;
    plan.apply(|node| {
        let locations: Vec<&str> = match node {
            LogicalPlan::Copy(c) => vec![c.output_url.as_str()],
            LogicalPlan::Ddl(DdlStatement::CreateExternalTable(t)) => t.locations.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        if let Some(l) = locations.into_iter().find(|l| crate::workspace::fsutil::inside(root, l)) {
            refused = Some(l.to_string());
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    })
    .map_err(|e| e.to_string())?;
    match refused {
        Some(location) => Err(format!(
            "permission denied: {location} is inside the workspace; SQL reads and writes files only outside it \
             (the workspace changes only through recon's own commands)"
        )),
        None => Ok(()),
    }
}

/// What a planned statement is, for the places that take only queries (views, saved
/// reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementKind {
    Query,
    Other,
}

/// Whether `plan` only reads: no DDL, DML, COPY, SET or EXPLAIN.
pub fn statement_kind(plan: &LogicalPlan) -> StatementKind {
    match plan {
        LogicalPlan::Ddl(_)
        | LogicalPlan::Dml(_)
        | LogicalPlan::Copy(_)
        | LogicalPlan::Statement(_)
        | LogicalPlan::Explain(_)
        | LogicalPlan::Analyze(_)
        | LogicalPlan::DescribeTable(_) => StatementKind::Other,
        _ => StatementKind::Query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert!(allow(Role::Admin, Action::ManageUsers).is_ok());
        assert!(allow(Role::Accountant, Action::Import).is_ok());
        assert!(allow(Role::Accountant, Action::ManageUsers).unwrap_err().contains("an accountant may not manage"));
        assert!(allow(Role::Viewer, Action::Export).unwrap_err().contains("may not export"));
    }
}
