//! `recon-gen`: synthetic data of one merchant with ground truth, written in the formats
//! `recon import` reads. A developer's tool for tests, benchmarks and the demo's sample
//! data; it is its own program so the `recon` an accountant runs does not carry it.

mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use synth::{GenOptions, Noise, Plant};

/// Generate realistic synthetic data with ground truth (for tests and benchmarks)
#[derive(Debug, Parser)]
#[command(name = "recon-gen", version)]
struct Args {
    /// How many orders
    #[arg(long, default_value_t = 1000)]
    orders: u64,
    /// Random seed: the same seed gives the same files, byte for byte
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How messy the data is: none (clean: nothing an analysis should report), low or high
    #[arg(long, default_value = "low", value_parser = ["none", "low", "high"])]
    noise: String,
    /// Plant known problems for an analysis to find (comma-separated, or repeat the option);
    /// truth/planted.csv says where each one went. `logistics` is every warehouse kind
    /// (returns, courier bills, shipments, stock), two instances each
    #[arg(long, value_name = "KIND", value_delimiter = ',', value_parser = Plant::names())]
    plant: Vec<String>,
    /// First day of the history (orders and money from this day on)
    #[arg(long, value_name = "DATE", default_value = "2026-01-01")]
    start: chrono::NaiveDate,
    /// Days of history; the files are exported the day after the last. A history over a
    /// year long lets a forecast learn the seasons (618, 11.11) from the year before
    #[arg(long, default_value_t = 304, value_parser = clap::value_parser!(u32).range(28..=1500))]
    days: u32,
    /// Output folder
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let noise: Noise = args.noise.parse().map_err(|e: synth::ParseNoiseError| e.to_string())?;
    let plant = args
        .plant
        .iter()
        .map(|p| Plant::parse_list(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?
        .concat();
    let opts = GenOptions { orders: args.orders, seed: args.seed, noise, plant, start: args.start, days: args.days };
    let summary = synth::generate(&opts, &args.out).map_err(|e| e.to_string())?;
    let planted: Vec<&str> = opts.plants().iter().map(|p| p.as_str()).collect();
    let planted = if planted.is_empty() { String::new() } else { format!(", planted {}", planted.join(", ")) };
    let (n, seed, out) = (args.orders, args.seed, args.out.display());
    println!("generated {n} orders (seed {seed}, noise {noise}{planted}) in {out}");
    for f in &summary.files {
        println!("  {:<11} {:>10} rows  {}", f.kind, f.rows, f.path);
    }
    Ok(())
}
