//! Fault injection for the crash tests: `RECON_FAULT=<point>` makes the process abort
//! (as `kill -9` would) at that point of a write, so every step of a commit can be
//! proven safe, not just the ones a random kill happens to hit.

/// Aborts the process if `RECON_FAULT` names this point.
pub fn point(name: &str) {
    if std::env::var_os("RECON_FAULT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}
