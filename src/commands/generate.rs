//! `recon gen`: synthetic data with ground truth, written in the formats `import` reads.

use crate::cli::GenArgs;
use crate::error::Error;
use crate::synth::{self, GenOptions, Noise, Plant};

pub fn run(args: GenArgs) -> Result<(), Error> {
    let noise: Noise = args.noise.parse().map_err(|e: synth::ParseNoiseError| Error::Usage(e.to_string()))?;
    let plant = args
        .plant
        .iter()
        .map(|p| Plant::parse_list(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Usage(e.to_string()))?
        .concat();
    let opts = GenOptions { orders: args.orders, seed: args.seed, noise, plant, ..GenOptions::default() };
    let summary = synth::generate(&opts, &args.out).map_err(|e| Error::Other(e.to_string()))?;
    let planted: Vec<&str> = opts.plants().iter().map(|p| p.as_str()).collect();
    let planted = if planted.is_empty() { String::new() } else { format!(", planted {}", planted.join(", ")) };
    let (n, seed, out) = (args.orders, args.seed, args.out.display());
    println!("generated {n} orders (seed {seed}, noise {noise}{planted}) in {out}");
    for f in &summary.files {
        println!("  {:<11} {:>10} rows  {}", f.kind, f.rows, f.path);
    }
    Ok(())
}
