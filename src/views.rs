//! Views: the built-in ones compiled from `sql/` (ordered files, each opening with a
//! comment on what it answers) and the user's own, kept as `views/NAME.sql` in the
//! workspace so they come back in every session. A user view's file holds its query only;
//! its name is the file's, a checked identifier (crate::names), so neither can carry
//! code into the session that reads it, which plans the query under its own role and
//! masks like typed SQL.

use std::path::PathBuf;

use include_dir::{Dir, include_dir};

use crate::workspace::{Workspace, fsutil};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/sql");

/// `sql/views.toml`: which built-in views are public answers and which internal steps,
/// which are inlined rather than computed once, and the input tables they read.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    pub public: Vec<String>,
    pub internal: Vec<String>,
    /// View → why it is planned into each query that reads it.
    pub inlined: std::collections::BTreeMap<String, String>,
    /// Table → what it holds.
    pub inputs: toml::Table,
}

/// The registry compiled in from `sql/views.toml` (a test checks it against `sql/`).
pub fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        let text = BUILTIN.get_file("views.toml").and_then(|f| f.contents_utf8()).unwrap_or_default();
        toml::from_str(text).expect("sql/views.toml is valid (the tests read it)")
    })
}

#[derive(Clone, Debug)]
pub struct ViewDef {
    pub name: String,
    /// The whole `CREATE VIEW` statement, as `.views` shows it.
    pub sql: String,
    /// The query alone (a user view's, planned by the session that reads it).
    pub query: String,
    /// What the view answers: its leading comment, or who made it.
    pub about: String,
    pub builtin: bool,
}

impl ViewDef {
    /// An answer users may rely on: a public built-in view, or the user's own.
    pub fn is_public(&self) -> bool {
        !self.builtin || registry().public.iter().any(|p| p == &self.name)
    }

    /// A built-in view planned into each query that reads it, not computed and kept.
    pub fn is_inlined(&self) -> bool {
        self.builtin && registry().inlined.contains_key(&self.name)
    }
}

/// The views of `sql/`, in file order; a file may define several, each described by the
/// comment above it.
pub fn builtin() -> Vec<ViewDef> {
    // Parsed once a process: a session loads them again after each change it sees.
    static BUILTIN_VIEWS: std::sync::LazyLock<Vec<ViewDef>> = std::sync::LazyLock::new(parse_builtin);
    BUILTIN_VIEWS.clone()
}

fn parse_builtin() -> Vec<ViewDef> {
    let mut files: Vec<_> = BUILTIN.files().filter(|f| f.path().extension().is_some_and(|e| e == "sql")).collect();
    files.sort_by_key(|f| f.path().to_path_buf());
    let mut out = Vec::new();
    for f in files {
        let Some(text) = f.contents_utf8() else { continue };
        let (pieces, _) = crate::script::split(text);
        for piece in pieces.into_iter().filter(|p| !p.dot) {
            if let Some(name) = view_name(&piece.text) {
                let query = view_query(&piece.text).unwrap_or_default();
                out.push(ViewDef { name, about: leading_comment(&piece.text), sql: piece.text, query, builtin: true });
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

/// The user's views, in name order (dependencies are sorted out when loading), and why
/// any file of `views/` is not one: a name that is no identifier, or content that is not
/// exactly one query. (A file of an older recon, holding `CREATE VIEW name AS …` for its
/// own name, still loads.)
pub fn user_views(ws: &Workspace) -> (Vec<ViewDef>, Vec<String>) {
    let (mut out, mut refused) = (Vec::new(), Vec::new());
    let Ok(entries) = std::fs::read_dir(views_dir(ws)) else { return (out, refused) };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let Ok(name) = crate::names::identifier(crate::names::Kind::View, &stem) else {
            refused.push(format!("views/{stem}.sql is not loaded: its name is not a plain identifier"));
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        match stored_query(&name, &text) {
            Ok(query) => out.push(ViewDef {
                sql: format!("CREATE VIEW {name} AS\n{query};"),
                about: leading_comment(&text),
                name,
                query,
                builtin: false,
            }),
            Err(why) => refused.push(format!("views/{stem}.sql is not loaded: {why}")),
        }
    }
    (out, refused)
}

/// The query a view file holds: exactly one query, or one `CREATE VIEW` of this name.
fn stored_query(name: &str, text: &str) -> Result<String, String> {
    use datafusion::sql::parser::{DFParser, Statement as DFStatement};
    use datafusion::sql::sqlparser::ast::Statement;
    let mut statements = DFParser::parse_sql(text).map_err(|e| format!("it does not parse ({e})"))?;
    if statements.len() != 1 {
        return Err(format!("it holds {} statements, not one query", statements.len()));
    }
    match statements.pop_front() {
        Some(DFStatement::Statement(s)) => match *s {
            Statement::Query(q) => Ok(q.to_string()),
            Statement::CreateView(v) if v.name.to_string().trim_matches('"').eq_ignore_ascii_case(name) => {
                Ok(v.query.to_string())
            }
            _ => Err("it is not a query".into()),
        },
        _ => Err("it is not a query".into()),
    }
}

/// Stores a user's view in the transaction: `views/NAME.sql` with who made it and the
/// query. `name` is checked already; the query is one statement the caller planned.
pub fn save(tx: &mut crate::workspace::Transaction, name: &str, query: &str, user: &str) -> std::io::Result<()> {
    let dir = views_dir(tx.workspace());
    fsutil::create_private_dir(&dir)?;
    let text =
        format!("-- created by {user} on {}\n{};\n", crate::clock::now().format("%Y-%m-%d %H:%M:%S"), query.trim());
    let tmp = tx.temp_path(&format!("view-{name}.sql"));
    fsutil::write_atomic(&tmp, text.as_bytes())?;
    tx.stage(tmp, format!("views/{name}.sql"));
    Ok(())
}

/// Removes a user's view when the transaction commits.
pub fn remove(tx: &mut crate::workspace::Transaction, name: &str) {
    tx.remove(format!("views/{name}.sql"));
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
    fn the_registry_names_every_view_once_and_every_input() {
        let r = registry();
        let views: Vec<String> = builtin().into_iter().map(|v| v.name).collect();
        for v in &views {
            let n = r.public.iter().chain(&r.internal).filter(|x| *x == v).count();
            assert_eq!(n, 1, "{v} is listed {n} times in sql/views.toml's public and internal");
        }
        for listed in r.public.iter().chain(&r.internal).chain(r.inlined.keys()) {
            assert!(views.contains(listed), "sql/views.toml names {listed}, which sql/ does not define");
        }
        for kind in crate::schema::Kind::ALL {
            assert!(r.inputs.contains_key(kind.table()), "{} is not among the inputs", kind.table());
        }
    }

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
        let mut tx = ws.begin().unwrap();
        save(&mut tx, "big_orders", "SELECT * FROM orders WHERE paid_amount > 1000", "alice").unwrap();
        tx.commit().unwrap();
        let (views, refused) = user_views(&ws);
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].name, "big_orders");
        assert!(views[0].about.contains("created by alice"));
        assert!(views[0].query.ends_with("paid_amount > 1000"), "{}", views[0].query);
        remove(&mut tx, "big_orders");
        tx.commit().unwrap();
        assert!(user_views(&ws).0.is_empty());
    }

    /// A file with more than a query, or a name that is code, is never run.
    #[test]
    fn a_view_file_that_is_not_one_query_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("ws")).unwrap();
        let views = ws.root().join("views");
        fsutil::create_private_dir(&views).unwrap();
        std::fs::write(
            views.join("x.sql"),
            "SELECT 1;\nCREATE EXTERNAL TABLE leak STORED AS CSV LOCATION '/etc/passwd';",
        )
        .unwrap();
        std::fs::write(views.join("a b.sql"), "SELECT 1").unwrap();
        std::fs::write(views.join("old.sql"), "-- old: created by a\nCREATE VIEW old AS SELECT 2;\n").unwrap();
        std::fs::write(views.join("other.sql"), "CREATE VIEW leak AS SELECT 3;").unwrap();
        let (ok, refused) = user_views(&ws);
        assert_eq!(ok.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["old"]);
        assert_eq!(refused.len(), 3, "{refused:?}");
    }
}
