//! `recon gen`: synthetic data with ground truth, written in the formats `import` reads.

use crate::cli::GenArgs;
use crate::error::Error;
use crate::synth::{self, GenOptions, Noise};

pub fn run(args: GenArgs) -> Result<(), Error> {
    let noise: Noise = args.noise.parse().map_err(|e: synth::ParseNoiseError| Error::Usage(e.to_string()))?;
    let opts = GenOptions { orders: args.orders, seed: args.seed, noise, ..GenOptions::default() };
    let summary = synth::generate(&opts, &args.out).map_err(|e| Error::Other(e.to_string()))?;
    println!("generated {} orders (seed {}, noise {}) in {}", args.orders, args.seed, noise, args.out.display());
    for f in &summary.files {
        println!("  {:<11} {:>10} rows  {}", f.kind, f.rows, f.path);
    }
    Ok(())
}
