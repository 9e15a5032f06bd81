//! The shell's dot-commands: one enum, parsed with `FromStr` into a real error, and the
//! `.help` text generated from the same table.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::cli::OutputFormat;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DotCommand {
    Help(Option<String>),
    /// Tables and views; `all`: the internal steps too.
    Tables {
        all: bool,
    },
    Schema(Option<String>),
    Views,
    Mode(OutputFormat),
    MaxRows(Option<usize>),
    Timer(bool),
    /// `.output [--force] FILE`, or back to the screen.
    Output(Option<(PathBuf, bool)>),
    Read(PathBuf),
    /// The arguments of `recon import`, as typed.
    Import(Vec<String>),
    /// The arguments of `recon reconcile`, `match`, `unmatch`, `writeoff`, as typed.
    Reconcile(Vec<String>),
    Match(Vec<String>),
    Unmatch(Vec<String>),
    Writeoff(Vec<String>),
    /// `.revoke N`: a decision taken back.
    Revoke(String),
    /// `.close PERIOD`, `.reopen PERIOD --reason TEXT`, `.anomaly …`, as typed.
    Close(Vec<String>),
    Reopen(Vec<String>),
    Anomaly(Vec<String>),
    /// `.explain ID`: the trail of an order, payout or bank line.
    Explain(String),
    /// `.report` and its words.
    Report(Vec<String>),
    Export(Export),
    /// `.chart [bar|line] [LABEL [VALUE…]]`.
    Chart(Vec<String>),
    Users,
    Quit,
}

/// `.export [--force] [--lang en] [--font FILE] FILE [SQL | report NAME [k=v]…]…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub file: PathBuf,
    pub force: bool,
    pub english: bool,
    pub font: Option<PathBuf>,
    pub what: Exported,
}

/// What `.export` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exported {
    /// The last query run.
    Last,
    /// One or more statements, separated by `;`: one sheet each.
    Sql(String),
    /// Reports with their `name=value` parameters: one sheet each.
    Reports(Vec<(String, Vec<String>)>),
}

/// Name, arguments, and what it does: the source of `.help` and of completion.
pub const COMMANDS: [(&str, &str, &str); 25] = [
    (".help", "[views|functions [PATTERN]]", "this help, what each view answers, or SQL functions matching PATTERN"),
    (".tables", "[all]", "tables and the views you may rely on, with their kind (all: the internal steps too)"),
    (".schema", "[TABLE]", "columns and types of a table or view (all when none is named)"),
    (".views", "", "every view with the SQL that defines it, built-in and your own"),
    (".mode", "table|csv|json|jsonl|markdown|line", "how results are printed"),
    (".maxrows", "N|all", "how many rows a result shows in table and line mode"),
    (".timer", "on|off", "print how long each statement took"),
    (
        ".output",
        "[--force] [FILE]",
        "send results to FILE outside the workspace (csv, json … as the mode says); --force replaces it; no FILE: back to the screen",
    ),
    (".read", "FILE", "run the statements and dot-commands of FILE"),
    (".import", "[OPTIONS] FILE...", "import files, as `recon import` does (see `recon import --help`)"),
    (
        ".reconcile",
        "[--from DATE] [--to DATE] | [--period [day|week|month] P]",
        "run matching, keep it as a numbered run, print the summary",
    ),
    (".close", "PERIOD", "close a period (2026-10, 2026-W41, 2026-10-07): its last run's figures stand"),
    (".reopen", "PERIOD --reason TEXT", "reopen a closed period (admin)"),
    (
        ".anomaly",
        "[list [--all] [--kind K]] | assign KEY USER | start|resolve|ignore|reopen KEY [--note TEXT]",
        "work the anomalies: what is open, who has it, how it ended",
    ),
    (".explain", "ID", "why an order, payout or bank line is where it is: its rows, candidates and rules"),
    (".match", "--payout ID|--order ID... --bank ID... --reason TEXT", "match by hand (wins over automatic matching)"),
    (
        ".unmatch",
        "--payout ID|--order ID... --bank ID... --reason TEXT",
        "break a match; never paired automatically again",
    ),
    (
        ".writeoff",
        "--payout|--order|--bank ID... [--amount X] --reason TEXT",
        "write off a difference, so it is no longer open",
    ),
    (".revoke", "N", "take back decision N as if never made (nothing forbidden after, unlike .unmatch)"),
    (
        ".report",
        "save NAME [--title T] [SQL]|list|show NAME|run NAME [k=v]|drop NAME",
        "saved reports with :parameters",
    ),
    (
        ".export",
        "[--force] [--lang en] FILE [SQL|report NAME [k=v]]",
        "write the last result, SQL or reports to .xlsx/.pdf/.csv/.parquet",
    ),
    (".chart", "[bar|line] [LABEL [VALUE...]]", "draw the last result as bars, or as lines over its rows"),
    (".users", "", "users, roles and lockouts (admin; manage them with `recon user`)"),
    (".quit", "", "leave the shell (also .exit, or Ctrl-D)"),
    (".exit", "", "leave the shell"),
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CommandError {
    #[error("unknown command {0}; .help lists the commands")]
    Unknown(String),
    #[error("{command} takes {expected}")]
    Arguments { command: &'static str, expected: &'static str },
}

pub fn help() -> String {
    let mut s = String::from("Statements end with ';' and may span lines. Dot-commands:\n");
    for (name, args, what) in COMMANDS {
        let left = if args.is_empty() { name.to_string() } else { format!("{name} {args}") };
        s.push_str(&format!("  {left:<46} {what}\n"));
    }
    s.push_str("Ctrl-C cancels a running query; Ctrl-D or .quit leaves.\n");
    s
}

fn args_of(name: &str) -> &'static str {
    COMMANDS.iter().find(|(n, _, _)| *n == name).map_or("", |(_, a, _)| a)
}

fn bad(name: &'static str) -> CommandError {
    CommandError::Arguments { command: name, expected: args_of(name) }
}

impl FromStr for DotCommand {
    type Err = CommandError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().trim_end_matches(';').trim();
        let (name, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
        let rest = rest.trim();
        let one = |cmd: &'static str| -> Result<Option<String>, CommandError> {
            match rest.split_whitespace().count() {
                0 => Ok(None),
                1 => Ok(Some(rest.to_string())),
                _ => Err(bad(cmd)),
            }
        };
        Ok(match name {
            ".help" => DotCommand::Help((!rest.is_empty()).then(|| rest.to_string())),
            ".tables" => match rest {
                "" => DotCommand::Tables { all: false },
                "all" | "--all" => DotCommand::Tables { all: true },
                _ => return Err(bad(".tables")),
            },
            ".schema" => DotCommand::Schema(one(".schema")?),
            ".views" => DotCommand::Views,
            // The names and aliases of `--format`, from the one enum.
            ".mode" => {
                DotCommand::Mode(<OutputFormat as clap::ValueEnum>::from_str(rest, false).map_err(|_| bad(".mode"))?)
            }
            ".maxrows" => DotCommand::MaxRows(match rest {
                "all" | "0" => None,
                n => Some(n.parse().map_err(|_| bad(".maxrows"))?),
            }),
            ".timer" => DotCommand::Timer(match rest {
                "on" => true,
                "off" => false,
                _ => return Err(bad(".timer")),
            }),
            ".output" | ".once" => {
                let words = shell_words(rest);
                match words.as_slice() {
                    [] => DotCommand::Output(None),
                    [file] => DotCommand::Output(Some((PathBuf::from(file), false))),
                    [flag, file] if flag == "--force" => DotCommand::Output(Some((PathBuf::from(file), true))),
                    _ => return Err(bad(".output")),
                }
            }
            ".read" => DotCommand::Read(PathBuf::from(one(".read")?.ok_or_else(|| bad(".read"))?)),
            ".import" => {
                let words = shell_words(rest);
                if words.is_empty() {
                    return Err(bad(".import"));
                }
                DotCommand::Import(words)
            }
            ".reconcile" => DotCommand::Reconcile(shell_words(rest)),
            ".match" => DotCommand::Match(shell_words(rest)),
            ".unmatch" => DotCommand::Unmatch(shell_words(rest)),
            ".writeoff" => DotCommand::Writeoff(shell_words(rest)),
            ".revoke" => DotCommand::Revoke(rest.to_string()),
            ".close" => DotCommand::Close(shell_words(rest)),
            ".reopen" => DotCommand::Reopen(shell_words(rest)),
            ".anomaly" => DotCommand::Anomaly(shell_words(rest)),
            ".explain" => DotCommand::Explain(one(".explain")?.ok_or_else(|| bad(".explain"))?),
            ".report" => DotCommand::Report(report_words(rest)),
            ".export" => DotCommand::Export(export_args(rest).ok_or_else(|| bad(".export"))?),
            ".users" => DotCommand::Users,
            ".chart" => DotCommand::Chart(shell_words(rest)),
            ".quit" | ".exit" | ".q" => DotCommand::Quit,
            other => return Err(CommandError::Unknown(other.to_string())),
        })
    }
}

/// `.report` words; `save NAME [--title T] SQL` keeps its SQL as typed, quotes and all.
fn report_words(rest: &str) -> Vec<String> {
    let Some(after) = rest.strip_prefix("save").filter(|a| a.starts_with(char::is_whitespace)) else {
        return shell_words(rest);
    };
    let after = after.trim_start();
    let (name, mut after) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
    let mut words = vec!["save".to_string(), name.to_string()];
    after = after.trim_start();
    if let Some(t) = after.strip_prefix("--title") {
        let t = t.trim_start();
        let (title, sql) = match t.strip_prefix('"') {
            Some(q) => q.split_once('"').unwrap_or((q, "")),
            None => t.split_once(char::is_whitespace).unwrap_or((t, "")),
        };
        words.extend(["--title".to_string(), title.to_string()]);
        after = sql.trim_start();
    }
    if !after.is_empty() {
        words.push(after.to_string());
    }
    words
}

fn export_args(mut rest: &str) -> Option<Export> {
    let (mut force, mut english, mut font) = (false, false, None);
    let file = loop {
        let (word, after) = first_word(rest)?;
        rest = after;
        match word.as_str() {
            "--force" => force = true,
            "--lang" => {
                let (lang, after) = first_word(rest)?;
                english = match lang.as_str() {
                    "en" => true,
                    "zh" => false,
                    _ => return None,
                };
                rest = after;
            }
            "--font" => {
                let (path, after) = first_word(rest)?;
                font = Some(PathBuf::from(path));
                rest = after;
            }
            _ => break PathBuf::from(word),
        }
    };
    let rest = rest.trim();
    let what = if rest.is_empty() {
        Exported::Last
    } else if rest == "report" {
        return None;
    } else if rest.strip_prefix("report").is_some_and(|r| r.starts_with(char::is_whitespace)) {
        let mut reports: Vec<(String, Vec<String>)> = Vec::new();
        for word in shell_words(rest) {
            match reports.last_mut() {
                _ if word == "report" => reports.push((String::new(), Vec::new())),
                Some((name, _)) if name.is_empty() => *name = word,
                Some((_, params)) if word.contains('=') => params.push(word),
                _ => return None,
            }
        }
        if reports.iter().any(|(name, _)| name.is_empty()) {
            return None;
        }
        Exported::Reports(reports)
    } else {
        Exported::Sql(rest.to_string())
    };
    Some(Export { file, force, english, font, what })
}

/// The first word of `s` (quoted or not) and what follows it.
fn first_word(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start();
    if let Some(q) = s.strip_prefix(['"', '\'']) {
        let quote = s.chars().next()?;
        let (word, after) = q.split_once(quote)?;
        return Some((word.to_string(), after));
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (end > 0).then(|| (s[..end].to_string(), &s[end..]))
}

/// Splits arguments on spaces, keeping quoted ones whole: `.import "my file.csv"`.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    words
}

impl fmt::Display for DotCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_command() {
        assert_eq!(".tables".parse(), Ok(DotCommand::Tables { all: false }));
        assert_eq!(".tables all".parse(), Ok(DotCommand::Tables { all: true }));
        assert_eq!(".schema orders".parse(), Ok(DotCommand::Schema(Some("orders".into()))));
        assert_eq!(".mode csv".parse(), Ok(DotCommand::Mode(OutputFormat::Csv)));
        assert_eq!(".maxrows 10".parse(), Ok(DotCommand::MaxRows(Some(10))));
        assert_eq!(".maxrows all".parse(), Ok(DotCommand::MaxRows(None)));
        assert_eq!(".timer on".parse(), Ok(DotCommand::Timer(true)));
        assert_eq!(".output out.csv".parse(), Ok(DotCommand::Output(Some(("out.csv".into(), false)))));
        assert_eq!(".output --force out.csv".parse(), Ok(DotCommand::Output(Some(("out.csv".into(), true)))));
        assert_eq!(".output".parse(), Ok(DotCommand::Output(None)));
        assert_eq!(
            ".import --kind bank \"a b.csv\" c.csv".parse(),
            Ok(DotCommand::Import(vec!["--kind".into(), "bank".into(), "a b.csv".into(), "c.csv".into()]))
        );
        assert_eq!(".exit".parse(), Ok(DotCommand::Quit));
        let export = |file: &str, what| Export { file: file.into(), force: false, english: false, font: None, what };
        assert_eq!(".export out.xlsx".parse(), Ok(DotCommand::Export(export("out.xlsx", Exported::Last))));
        assert_eq!(
            ".export \"my report.pdf\" SELECT 1 AS a; SELECT 2 AS b;".parse(),
            Ok(DotCommand::Export(export("my report.pdf", Exported::Sql("SELECT 1 AS a; SELECT 2 AS b".into()))))
        );
        assert_eq!(
            ".export --force --lang en book.xlsx report aging report collection_summary month=2026-10".parse(),
            Ok(DotCommand::Export(Export {
                force: true,
                english: true,
                ..export(
                    "book.xlsx",
                    Exported::Reports(vec![
                        ("aging".into(), vec![]),
                        ("collection_summary".into(), vec!["month=2026-10".into()])
                    ])
                )
            }))
        );
        assert!(".export".parse::<DotCommand>().is_err());
        assert!(".export --lang fr x.pdf".parse::<DotCommand>().is_err());
        assert!(".export x.pdf report".parse::<DotCommand>().is_err());
        assert_eq!(
            ".match --payout P1 --bank 2026 --reason \"paid late\"".parse(),
            Ok(DotCommand::Match(
                ["--payout", "P1", "--bank", "2026", "--reason", "paid late"].map(String::from).to_vec()
            ))
        );
        assert_eq!(".reconcile".parse(), Ok(DotCommand::Reconcile(vec![])));
        assert_eq!(
            ".report save big --title \"大额 订单\" SELECT * FROM orders WHERE platform = 'tmall'".parse(),
            Ok(DotCommand::Report(
                ["save", "big", "--title", "大额 订单", "SELECT * FROM orders WHERE platform = 'tmall'"]
                    .map(String::from)
                    .to_vec()
            ))
        );
        assert_eq!(
            ".report run big from=2026-10-01".parse(),
            Ok(DotCommand::Report(["run", "big", "from=2026-10-01"].map(String::from).to_vec()))
        );
    }

    #[test]
    fn errors_say_what_was_expected() {
        let e = ".mode fancy".parse::<DotCommand>().unwrap_err().to_string();
        assert_eq!(e, ".mode takes table|csv|json|jsonl|markdown|line");
        let e = ".frobnicate".parse::<DotCommand>().unwrap_err().to_string();
        assert_eq!(e, "unknown command .frobnicate; .help lists the commands");
        assert!(".read".parse::<DotCommand>().is_err());
    }

    #[test]
    fn help_lists_every_command() {
        let h = help();
        for (name, _, _) in COMMANDS {
            assert!(h.contains(name), "{name}");
        }
    }

    #[test]
    fn the_help_of_mode_names_every_output_format() {
        use clap::ValueEnum;
        let names: Vec<String> = OutputFormat::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        assert_eq!(args_of(".mode"), names.join("|"));
        for n in &names {
            assert!(format!(".mode {n}").parse::<DotCommand>().is_ok(), "{n}");
        }
        assert_eq!(".mode box".parse(), Ok(DotCommand::Mode(OutputFormat::Table)));
    }
}
