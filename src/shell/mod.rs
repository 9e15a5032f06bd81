//! The interactive shell: log in, then read statements (multi-line until `;`) and
//! dot-commands with history and completion, run them, print errors and go on.
//! Ctrl-C cancels a running query (or clears the line); Ctrl-D leaves.

pub mod helper;

use std::io::Write;

use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};

use self::helper::{Names, ReplHelper};
use crate::context::Context;
use crate::runner::{Next, Runner};
use recon::auth::Users;
use recon::error::Error;
use recon::script;
use recon::workspace::fsutil;

pub fn run(ctx: &Context) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let ws = ctx.open()?;
    let users = Users::load(&ws)?;
    let name = match &ctx.user {
        Some(n) => n.clone(),
        None => ask_user(users.resolve_name(None).ok())?,
    };
    let password = ctx.password.read(&format!("Password for {name}: "))?;
    let checking = std::time::Instant::now();
    let user = recon::auth::lockout::login(&ws, &users, &name, &password)?;
    let checked = checking.elapsed();
    drop(password);
    let mut runner = Runner::new(ws.clone(), user, ctx.memory_limit, true)?;
    println!(
        "recon {} — workspace {}, logged in as {}. Statements end with ';'. .help for help, .quit to leave.",
        env!("CARGO_PKG_VERSION"),
        ws.root().display(),
        runner.user.name
    );
    for w in runner.warnings() {
        eprintln!("warning: {w}");
    }

    let config = Config::builder()
        .auto_add_history(false)
        .max_history_size(5000)
        .map_err(|e| Error::Other(e.to_string()))?
        .completion_type(CompletionType::List)
        .build();
    let mut editor: Editor<ReplHelper, FileHistory> =
        Editor::with_config(config).map_err(|e| Error::Other(format!("the terminal: {e}")))?;
    editor.set_helper(Some(ReplHelper { names: names(&runner) }));
    // History lives in the workspace, owner-only like the rest of it, one file per user:
    // what one user typed (a customer's phone in a WHERE) is never another's Up arrow.
    let history = history_file(&ws, &runner.user.name)?;
    let _ = editor.load_history(&history);
    if std::env::var_os("RECON_TRACE").is_some() {
        // For the start-up benchmark: the prompt is next.
        eprintln!(
            "startup: {} ms to the prompt, {} ms of it checking the password",
            started.elapsed().as_millis(),
            checked.as_millis()
        );
    }

    loop {
        match editor.readline("recon> ") {
            Ok(input) => {
                if input.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(input.as_str());
                let _ = editor.append_history(&history);
                if run_input(&mut runner, &input) == Next::Quit {
                    break;
                }
                if let Some(h) = editor.helper_mut() {
                    h.names = names(&runner);
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Error::Other(format!("the terminal: {e}"))),
        }
    }
    Ok(())
}

/// `history/NAME`, created owner-only. The one history file of older recons, shared by
/// every user, is removed.
fn history_file(ws: &recon::workspace::Workspace, user: &str) -> Result<std::path::PathBuf, Error> {
    let dir = ws.root().join("history");
    if dir.is_file() {
        std::fs::remove_file(&dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
    }
    fsutil::create_private_dir(&dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
    // User names are checked identifiers (letters, digits, . _ -): a safe file name.
    let file = dir.join(user);
    if !file.exists() {
        fsutil::create_private(&file).map_err(|e| Error::Io(file.display().to_string(), e))?;
    }
    Ok(file)
}

/// Runs what was typed; an error is printed and the rest of that input skipped.
fn run_input(runner: &mut Runner, input: &str) -> Next {
    let (mut pieces, rest) = script::split(input);
    pieces.extend(rest);
    for piece in &pieces {
        match runner.run_piece(piece) {
            Ok(Next::Quit) => return Next::Quit,
            Ok(Next::Continue) => {}
            Err(Error::Cancelled) => {
                eprintln!("cancelled");
                break;
            }
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    Next::Continue
}

fn ask_user(default: Option<String>) -> Result<String, Error> {
    match &default {
        Some(d) => print!("User [{d}]: "),
        None => print!("User: "),
    }
    std::io::stdout().flush().map_err(|e| Error::Io("the terminal".into(), e))?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| Error::Io("the terminal".into(), e))?;
    let typed = line.trim();
    Ok(if typed.is_empty() { default.unwrap_or_default() } else { typed.to_string() })
}

/// Tables, views, their columns, and function names, for completion.
fn names(runner: &Runner) -> Names {
    runner.completion_names()
}
