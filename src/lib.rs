//! recon: e-commerce payment reconciliation on Apache DataFusion. Imports platform
//! orders, settlement bills and bank statements into a workspace of Parquet tables and
//! answers SQL about them.

pub mod app;
pub mod asof;
pub mod auth;
pub mod calendar;
pub mod chart;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod computed;
pub mod context;
pub mod error;
pub mod export;
pub mod faults;
pub mod ingest;
pub mod names;
pub mod outfile;
pub mod output;
pub mod period;
pub mod platforms;
pub mod progress;
pub mod records;
pub mod reports;
pub mod runner;
pub mod sample_data;
pub mod schema;
pub mod script;
pub mod session;
pub mod settings;
pub mod shell;
pub mod udf;
pub mod values;
pub mod views;
pub mod workspace;

pub use error::Error;
