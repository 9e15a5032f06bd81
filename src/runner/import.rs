//! `recon import FILE...` (and the shell's `.import`): each file one import, reported
//! as it finishes.

use clap::Parser;

use crate::cli::{FileFormat, ImportArgs};
use recon::auth::User;
use recon::error::Error;
use recon::ingest::mapping::{Defaults, MappingFile};
use recon::ingest::{self, ImportOptions};
use recon::workspace::Workspace;

/// `.import ARGS` in the shell, already logged in.
pub fn import_from_shell(ws: &Workspace, user: &User, words: &[String]) -> Result<(), Error> {
    #[derive(Parser)]
    #[command(name = ".import", no_binary_name = true)]
    struct DotImport {
        #[command(flatten)]
        args: ImportArgs,
    }
    recon::auth::allow(user, recon::auth::guard::Action::Import)?;
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
            .map_err(|e: recon::schema::UnknownKind| Error::Usage(e.to_string()))?,
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
    let code = recon::ingest::header::normalise_currency(raw);
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code.into_owned())
    } else {
        Err(Error::Usage(format!("--currency '{raw}' is not a currency: give its ISO code, e.g. USD, EUR, HKD")))
    }
}

/// Imports the files as `user`, printing each report as it finishes and then what the
/// new rows say about the workspace as a whole.
pub fn import_files(ws: &Workspace, user: &User, args: &ImportArgs) -> Result<(), Error> {
    let opts = options(args, &user.name)?;
    let app = recon::app::Service::logged_in(ws.clone(), user.clone());
    let imported = app.import_files(&args.files, &opts, |_, result| match result {
        Ok(report) => print!("{report}"),
        Err(e) => eprintln!("error: {e}"),
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io("the query runtime".into(), e))?;
    for line in runtime.block_on(app.after_import(&imported.stored))? {
        println!("  warning: {line}");
    }
    match imported.failed {
        0 => Ok(()),
        failed => Err(Error::SomeFilesFailed { failed, total: args.files.len() }),
    }
}
