//! recon: e-commerce payment reconciliation on Apache DataFusion. Imports platform
//! orders, settlement bills and bank statements into a workspace of Parquet tables and
//! answers SQL about them. The `recon` program (src/main.rs: the command line, the
//! shell, the script runner) calls the application layer, [`app`].

pub mod app;
pub mod asof;
pub mod auth;
pub mod calendar;
pub mod chart;
pub mod clock;
pub mod computed;
pub mod error;
pub mod export;
pub mod faults;
pub mod ingest;
pub mod join_keys;
pub mod names;
pub mod optimizer;
pub mod outfile;
pub mod output;
pub mod period;
pub mod platforms;
pub mod progress;
pub mod records;
pub mod reports;
pub mod sample_data;
pub mod schema;
pub mod script;
pub mod session;
pub mod settings;
pub mod udf;
pub mod values;
pub mod views;
pub mod web;
pub mod workspace;

pub use error::Error;
