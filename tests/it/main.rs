//! Integration tests: the real `recon` binary in a fresh workspace per test, with the
//! clock and time zone fixed. One test binary, so DataFusion is linked once.

mod analysis;
mod attacks;
mod bad_input;
mod clean;
mod common;
mod crash;
mod currencies;
mod demo;
mod export;
mod fixtures;
mod formats;
mod full_disk;
mod generated;
mod layouts;
mod logistics;
mod matching;
mod more_samples;
mod payouts;
mod planted;
mod real_samples;
mod receivables;
mod reliability;
mod reports;
mod security;
mod shell;
mod sql;
mod standards;
mod statement_checks;
mod structure;
mod terminal;
mod unseen;
mod web;
mod web_browser;
mod workspace;
