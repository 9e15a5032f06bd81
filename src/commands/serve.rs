//! `recon serve`: the web workbench (`recon::web`) on this workspace, for every user of
//! it at once. Loopback unless TLS is given; plain HTTP on another address only when
//! asked for by name, with a warning.

use super::Context;
use crate::cli::ServeArgs;
use recon::error::Error;
use recon::web::{ServeOptions, serve};

pub fn run(ctx: &Context, args: ServeArgs) -> Result<(), Error> {
    let ws = ctx.open()?;
    let tls = args.tls_cert.zip(args.tls_key);
    if !args.listen.ip().is_loopback() && tls.is_none() {
        if !args.allow_plain_http {
            return Err(Error::Usage(format!(
                "{} is reachable from other machines: give --tls-cert and --tls-key, or --allow-plain-http if this network is trusted",
                args.listen
            )));
        }
        eprintln!(
            "warning: serving plain HTTP on {}: passwords and customers' data cross the network readable",
            args.listen
        );
    }
    let max_upload = recon::session::parse_size(&args.max_upload)
        .ok_or_else(|| Error::Usage(format!("--max-upload {}: give a size such as 512MB", args.max_upload)))?;
    let opts = ServeOptions { listen: args.listen, tls: tls.clone(), memory_limit: ctx.memory_limit, max_upload };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Error::Other(format!("cannot start the server: {e}")))?;
    runtime.block_on(serve(ws, opts, |addr| {
        // Tests and scripts read this line to learn the port when asked for port 0.
        println!("recon serve: listening on {scheme}://{addr} (Ctrl-C stops)");
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }))
}
