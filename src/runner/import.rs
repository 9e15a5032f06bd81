//! `recon import FILE...` (and the shell's `.import`): each file one import, reported
//! as it finishes.

use clap::Parser;

use crate::auth::User;
use crate::cli::{FileFormat, ImportArgs};
use crate::error::Error;
use crate::ingest::mapping::{Defaults, MappingFile};
use crate::ingest::{self, ImportOptions};
use crate::workspace::Workspace;

/// `.import ARGS` in the shell, already logged in.
pub fn import_from_shell(ws: &Workspace, user: &User, words: &[String]) -> Result<(), Error> {
    #[derive(Parser)]
    #[command(name = ".import", no_binary_name = true)]
    struct DotImport {
        #[command(flatten)]
        args: ImportArgs,
    }
    crate::auth::allow(user, crate::auth::guard::Action::Import)?;
    let parsed = DotImport::try_parse_from(words).map_err(|e| Error::Usage(e.to_string().trim_end().to_string()))?;
    if parsed.args.explain {
        let opts = options(&parsed.args, &user.name)?;
        for file in &parsed.args.files {
            print!("{}", ingest::explain(file, &opts)?);
        }
        return Ok(());
    }
    import_files(ws, user, &parsed.args)
}

pub fn options(args: &ImportArgs, user: &str) -> Result<ImportOptions, Error> {
    let mut mapping = match &args.map {
        Some(p) => Some(MappingFile::load(p)?),
        None => None,
    };
    let mut named = None;
    if let Some(format) = &args.format {
        match <FileFormat as clap::ValueEnum>::from_str(format, true) {
            Ok(container) => {
                let m = mapping.get_or_insert_with(MappingFile::default);
                match container {
                    FileFormat::Tsv => m.delimiter = Some("\t".into()),
                    FileFormat::Csv => m.delimiter = m.delimiter.take().or(Some(",".into())),
                    FileFormat::Xlsx | FileFormat::Xls | FileFormat::Parquet => {}
                }
            }
            Err(_) => {
                named = Some(ingest::formats::by_name(format).ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown format '{format}': `recon formats` lists the named ones; csv, tsv, xlsx, xls and parquet say only how to read the file"
                    ))
                })?);
            }
        }
    }
    Ok(ImportOptions {
        format: named,
        kind: args
            .kind
            .as_deref()
            .map(|k| k.parse())
            .transpose()
            .map_err(|e: crate::schema::UnknownKind| Error::Usage(e.to_string()))?,
        mapping,
        defaults: Defaults {
            platform: args.platform.clone(),
            shop: args.shop.clone(),
            account: args.account.clone(),
            currency: args.currency.as_deref().map(currency_code).transpose()?,
        },
        strict: args.strict,
        allow_unbalanced: args.allow_unbalanced,
        progress: !args.no_progress,
        user: user.to_string(),
    })
}

/// A currency as its ISO 4217 code: three letters, or a name recon knows (美元 → USD).
fn currency_code(raw: &str) -> Result<String, Error> {
    let code = crate::ingest::header::normalise_currency(raw);
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code.into_owned())
    } else {
        Err(Error::Usage(format!("--currency '{raw}' is not a currency: give its ISO code, e.g. USD, EUR, HKD")))
    }
}

/// What the new rows say about the workspace as a whole: bank statements whose running
/// balance breaks, and rows dated inside a closed period.
fn after_import(ws: &Workspace, user: &User, stored: &[(u64, crate::schema::Kind)]) -> Result<(), Error> {
    let bank: Vec<u64> = stored.iter().filter(|(_, k)| *k == crate::schema::Kind::Bank).map(|(id, _)| *id).collect();
    let any_closed = crate::app::closed(&ws.catalog()?).next().is_some();
    let news_possible = any_closed && !stored.is_empty();
    if bank.is_empty() && !news_possible {
        return Ok(());
    }
    let runner = super::Runner::new(ws.clone(), user.clone(), crate::session::default_memory_limit(), false)?;
    for line in runner.balance_breaks(&bank)? {
        println!("  warning: {line}");
    }
    if any_closed {
        let ids: Vec<u64> = stored.iter().map(|(id, _)| *id).collect();
        for news in runner.closed_period_news(&ids)? {
            println!("  warning: {news}");
        }
    }
    Ok(())
}

pub fn import_files(ws: &Workspace, user: &User, args: &ImportArgs) -> Result<(), Error> {
    let opts = options(args, &user.name)?;
    let mut failed = 0;
    let mut stored = Vec::new();
    let mut importer = ingest::Importer::begin(ws)?;
    for file in &args.files {
        match importer.import(file, &opts) {
            Ok(report) => {
                print!("{report}");
                if report.counts.stored > 0 {
                    stored.push((report.import_id, report.kind));
                }
                // A committed import's line went in with its commit.
                if !report.committed {
                    crate::workspace::audit::record(ws, &user.name, "import", &report.audit_detail())?;
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    drop(importer);
    after_import(ws, user, &stored)?;
    match failed {
        0 => Ok(()),
        _ => Err(Error::SomeFilesFailed { failed, total: args.files.len() }),
    }
}
