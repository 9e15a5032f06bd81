//! `recon import FILE...`: each file one import, reported as it finishes.

use super::Context;
use crate::cli::{FileFormat, ImportArgs};
use crate::error::Error;
use crate::ingest::mapping::{Defaults, MappingFile};
use crate::ingest::{self, ImportOptions};

pub fn run(ctx: &Context, args: ImportArgs) -> Result<(), Error> {
    let mut mapping = match &args.map {
        Some(p) => Some(MappingFile::load(p)?),
        None => None,
    };
    if let Some(format) = args.format {
        let m = mapping.get_or_insert_with(MappingFile::default);
        match format {
            FileFormat::Tsv => m.delimiter = Some("\t".into()),
            FileFormat::Csv => m.delimiter = m.delimiter.take().or(Some(",".into())),
            FileFormat::Xlsx | FileFormat::Xls | FileFormat::Parquet => {}
        }
    }
    let mut opts = ImportOptions {
        kind: args
            .kind
            .as_deref()
            .map(|k| k.parse())
            .transpose()
            .map_err(|e: crate::schema::UnknownKind| Error::Usage(e.to_string()))?,
        mapping,
        defaults: Defaults { platform: args.platform, shop: args.shop, account: args.account, currency: None },
        strict: args.strict,
        progress: !args.no_progress,
        user: String::new(),
    };
    if args.explain {
        for file in &args.files {
            let plan = ingest::plan(file, &opts)?;
            print!("{}", plan.explain());
        }
        return Ok(());
    }
    let (ws, user) = ctx.login()?;
    opts.user = user.name;
    let mut failed = 0;
    let mut importer = ingest::Importer::begin(&ws)?;
    for file in &args.files {
        match importer.import(file, &opts) {
            Ok(report) => print!("{report}"),
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    match failed {
        0 => Ok(()),
        _ => Err(Error::SomeFilesFailed { failed, total: args.files.len() }),
    }
}
