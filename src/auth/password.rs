//! Where a password comes from (hidden prompt, `--password-stdin`, `RECON_PASSWORD`),
//! the password policy, and argon2id hashing. No password is ever taken from a
//! command-line argument: those are visible to every user of the machine.

use std::io::{BufRead, IsTerminal};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::AuthError;

pub const MIN_LENGTH: usize = 10;

/// How this process should obtain a password.
#[derive(Clone, Copy, Debug, Default)]
pub struct PasswordInput {
    pub from_stdin: bool,
}

impl PasswordInput {
    /// The password of an existing user.
    pub fn read(&self, prompt: &str) -> Result<String, AuthError> {
        self.obtain(prompt, false)
    }

    /// A new password: on a terminal it is asked twice.
    pub fn read_new(&self, prompt: &str) -> Result<String, AuthError> {
        self.obtain(prompt, true)
    }

    fn obtain(&self, prompt: &str, confirm: bool) -> Result<String, AuthError> {
        obtain(self.from_stdin, "RECON_PASSWORD", prompt, confirm)
    }
}

/// A new password for another user (`recon user add|passwd`): standard input's next line,
/// RECON_NEW_PASSWORD, or asked twice at the terminal.
pub fn read_new_password(from_stdin: bool, prompt: &str) -> Result<String, AuthError> {
    obtain(from_stdin, "RECON_NEW_PASSWORD", prompt, true)
}

fn obtain(from_stdin: bool, env: &str, prompt: &str, confirm: bool) -> Result<String, AuthError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(AuthError::Prompt)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_string();
        return if pw.is_empty() { Err(AuthError::NoPassword) } else { Ok(pw) };
    }
    if let Ok(pw) = std::env::var(env)
        && !pw.is_empty()
    {
        return Ok(pw);
    }
    if !std::io::stdin().is_terminal() {
        return Err(AuthError::NoPassword);
    }
    let pw = rpassword::prompt_password(prompt).map_err(AuthError::Prompt)?;
    if confirm {
        let again = rpassword::prompt_password("Repeat the password: ").map_err(AuthError::Prompt)?;
        if again != pw {
            return Err(AuthError::Mismatch);
        }
    }
    Ok(pw)
}

/// The rules a new password must meet.
pub fn check_policy(user: &str, password: &str) -> Result<(), AuthError> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(AuthError::WeakPassword(format!("it has {chars} characters; use at least {MIN_LENGTH}")));
    }
    if password.to_lowercase().contains(&user.to_lowercase()) {
        return Err(AuthError::WeakPassword("it contains the user name".into()));
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Err(AuthError::WeakPassword("it repeats one character".into()));
    }
    Ok(())
}

/// argon2id with the OWASP-recommended parameters (19 MiB, 2 passes, 1 lane).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a random salt.
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of no one's password with the parameters of real ones, fixed in the binary:
/// verifying against it costs exactly what verifying a real user's does (computing it
/// per process made the first unknown name slower than a known one).
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$IwiFT1RV97xmVTLMG+62vw$+iHc7DFhOSpIAYZdjfTJzP9wXaueJnZyUSP5fOciroM";

/// Spends the time of a real verification, so an unknown user name cannot be told
/// from a wrong password by how long the answer takes.
pub fn verify_dummy(password: &str) {
    let _ = verify(password, DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash("correct horse battery");
        let b = hash("correct horse battery");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterz", &a));
        assert!(!verify("x", "not a hash"));
        // The dummy is a well-formed hash of the same cost as a real one.
        assert!(DUMMY.starts_with("$argon2id$v=19$m=19456,t=2,p=1$") && PasswordHash::new(DUMMY).is_ok());
        assert!(!verify("recon-dummy-password", DUMMY));
    }

    #[test]
    fn policy() {
        assert!(check_policy("admin", "short").is_err());
        assert!(check_policy("admin", "myadmin12345").is_err());
        assert!(check_policy("admin", "aaaaaaaaaaaa").is_err());
        assert!(check_policy("admin", "s3cret-Ledger").is_ok());
    }
}
