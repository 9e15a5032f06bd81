//! Who is using recon: the users file, password hashing, and logging in.

pub mod guard;
pub mod lockout;
pub mod mask;
pub mod password;
pub mod users;

pub use users::{Role, User, Users};

/// Refuses `action` unless `user`'s role may do it.
pub fn allow(user: &User, action: guard::Action) -> Result<(), Forbidden> {
    guard::allow(user.role, action).map_err(Forbidden)
}

/// The user's role may not do this; the message says what and who may.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Forbidden(pub String);

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// One message for an unknown user and a wrong password, so neither is revealed.
    #[error("login failed: wrong user name or password")]
    LoginFailed,
    #[error("user '{0}' is locked; an admin can unlock it with `recon user unlock {0}`")]
    Locked(String),
    /// The same for every name, known or not.
    #[error("login refused: too many failed logins; try again after {0}, or ask an admin to `recon user unlock` you")]
    LockedOut(String),
    #[error(
        "no password given: type it at the prompt on a terminal, pipe it with --password-stdin, or set RECON_PASSWORD"
    )]
    NoPassword,
    #[error("which user? this workspace has several; pass --user NAME or set RECON_USER")]
    WhichUser,
    #[error("weak password: {0}")]
    WeakPassword(String),
    #[error("the passwords typed do not match")]
    Mismatch,
    #[error("user '{0}' already exists")]
    UserExists(String),
    #[error("invalid user name '{0}': use letters, digits, '.', '_' or '-' (at most 64)")]
    BadUserName(String),
    #[error("cannot read the password: {0}")]
    Prompt(#[source] std::io::Error),
    #[error("users file {0}: {1}")]
    File(String, String),
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error(transparent)]
    Workspace(#[from] crate::workspace::WorkspaceError),
}
