//! Fault injection for the crash tests: `RECON_FAULT=<point>` makes the process abort
//! (as `kill -9` would) at that point of a write, so every step of a commit can be
//! proven safe, not just the ones a random kill happens to hit. Only in builds with the
//! `fault-injection` feature, which the tests turn on (Cargo.toml's dev-dependencies):
//! the recon a merchant runs has no such door.

/// Aborts the process if `RECON_FAULT` names this point.
#[cfg(feature = "fault-injection")]
pub fn point(name: &str) {
    if std::env::var_os("RECON_FAULT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

/// Nothing: the product build has no fault points.
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn point(_name: &str) {}
