//! Views: the built-in ones compiled from `sql/` (ordered files, each opening with a
//! comment on what it answers) and the user's own, kept as `.sql` files in the
//! workspace's `views/` folder so they come back in every session.

use std::path::PathBuf;

use include_dir::{Dir, include_dir};

use crate::workspace::{Workspace, fsutil};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/sql");

#[derive(Clone, Debug)]
pub struct ViewDef {
    pub name: String,
    /// The whole `CREATE VIEW` statement.
    pub sql: String,
    /// What the view answers: its leading comment, or who made it.
    pub about: String,
    pub builtin: bool,
}

/// The views of `sql/`, in file order; a file may define several, each described by the
/// comment above it.
pub fn builtin() -> Vec<ViewDef> {
    let mut files: Vec<_> = BUILTIN.files().filter(|f| f.path().extension().is_some_and(|e| e == "sql")).collect();
    files.sort_by_key(|f| f.path().to_path_buf());
    let mut out = Vec::new();
    for f in files {
        let Some(text) = f.contents_utf8() else { continue };
        let (pieces, _) = crate::script::split(text);
        for piece in pieces.into_iter().filter(|p| !p.dot) {
            if let Some(name) = view_name(&piece.text) {
                out.push(ViewDef { name, about: leading_comment(&piece.text), sql: piece.text, builtin: true });
            }
        }
    }
    out
}

pub fn is_builtin(name: &str) -> bool {
    builtin().iter().any(|v| v.name.eq_ignore_ascii_case(name))
}

fn views_dir(ws: &Workspace) -> PathBuf {
    ws.root().join("views")
}

/// The user's views, in name order (dependencies are sorted out when loading).
pub fn user_views(ws: &Workspace) -> Vec<ViewDef> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(views_dir(ws)) else { return out };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let Ok(sql) = std::fs::read_to_string(&path) else { continue };
        let sql = sql.trim().to_string();
        if let Some(name) = view_name(&sql) {
            out.push(ViewDef { name, about: leading_comment(&sql), sql, builtin: false });
        }
    }
    out
}

/// Stores a user's view; `sql` is the statement as typed.
pub fn save(ws: &Workspace, name: &str, sql: &str, user: &str) -> std::io::Result<()> {
    let dir = views_dir(ws);
    fsutil::create_private_dir(&dir)?;
    let statement = sql.trim().trim_end_matches(';');
    let text =
        format!("-- {name}: created by {user} on {}\n{statement};\n", crate::clock::now().format("%Y-%m-%d %H:%M:%S"));
    fsutil::write_atomic(&dir.join(file_name(name)), text.as_bytes())
}

pub fn remove(ws: &Workspace, name: &str) -> std::io::Result<()> {
    match std::fs::remove_file(views_dir(ws).join(file_name(name))) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn file_name(name: &str) -> String {
    let safe: String =
        name.chars().map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    format!("{}.sql", safe.to_lowercase())
}

/// The query of a `CREATE VIEW name AS …` statement.
pub fn view_query(sql: &str) -> datafusion::error::Result<String> {
    use datafusion::sql::parser::{DFParser, Statement as DFStatement};
    use datafusion::sql::sqlparser::ast::Statement;
    let mut statements = DFParser::parse_sql(sql)?;
    match statements.pop_front() {
        Some(DFStatement::Statement(s)) => match *s {
            Statement::CreateView(view) => Ok(view.query.to_string()),
            _ => Err(datafusion::error::DataFusionError::Plan("not a CREATE VIEW statement".into())),
        },
        _ => Err(datafusion::error::DataFusionError::Plan("not a CREATE VIEW statement".into())),
    }
}

/// The name in `CREATE [OR REPLACE] VIEW name AS …`.
pub fn view_name(sql: &str) -> Option<String> {
    let code: String = sql.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join(" ");
    let mut words = code.split_whitespace();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case("view") {
            let mut name = words.next()?;
            if name.eq_ignore_ascii_case("if") {
                words.next();
                words.next();
                name = words.next()?;
            }
            return Some(name.trim_matches('"').to_lowercase());
        }
    }
    None
}

fn leading_comment(sql: &str) -> String {
    sql.lines()
        .take_while(|l| l.trim_start().starts_with("--"))
        .map(|l| l.trim_start().trim_start_matches('-').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_views_are_named_and_described() {
        let views = builtin();
        let payouts = views.iter().find(|v| v.name == "payouts").expect("payouts is built in");
        assert!(payouts.about.starts_with("payouts: money leaving a platform wallet"), "{}", payouts.about);
        assert!(is_builtin("PAYOUTS"));
        assert!(!is_builtin("my_view"));
    }

    #[test]
    fn names_of_views() {
        assert_eq!(view_name("CREATE VIEW big_orders AS SELECT 1"), Some("big_orders".into()));
        assert_eq!(view_name("create or replace view \"Monthly\" as select 1"), Some("monthly".into()));
        assert_eq!(view_name("-- about\nCREATE VIEW IF NOT EXISTS v AS SELECT 1"), Some("v".into()));
    }

    #[test]
    fn user_views_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        save(&ws, "big_orders", "CREATE VIEW big_orders AS SELECT * FROM orders WHERE paid_amount > 1000;", "alice")
            .unwrap();
        let views = user_views(&ws);
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].name, "big_orders");
        assert!(views[0].about.contains("created by alice"));
        assert!(views[0].sql.ends_with("paid_amount > 1000;"));
        remove(&ws, "big_orders").unwrap();
        assert!(user_views(&ws).is_empty());
    }
}
