//! The one error type commands return. Its kind sets the exit code; its message is
//! printed once, by `main`, and never holds a secret.

use crate::auth::AuthError;
use crate::ingest::ImportError;
use crate::ingest::mapping::MappingError;
use crate::workspace::WorkspaceError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error("{0}")]
    Sql(String),
    #[error("{0}")]
    Usage(String),
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// Each failed file was reported as it happened.
    #[error("{failed} of {total} files were not imported")]
    SomeFilesFailed { failed: usize, total: usize },
    #[error("{0}")]
    Other(String),
    /// A statement of a script failed: where, and why.
    #[error("{origin}: statement {number} (line {line}): {message}")]
    Statement { origin: String, number: usize, line: usize, message: String },
    #[error("cancelled")]
    Cancelled,
    /// A statement ran past the time limit (settings.toml [limits], --timeout).
    #[error(
        "stopped after {0} s: statements may run that long (settings.toml [limits] statement_timeout, or --timeout)"
    )]
    TimedOut(u64),
    /// The user's role may not do this.
    #[error("{0}")]
    Forbidden(String),
}

impl Error {
    /// 1: the data or the request was wrong; 2: bad usage; 3: login refused; 4: the
    /// user's role may not do this.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Auth(
                AuthError::LoginFailed
                | AuthError::Locked(_)
                | AuthError::LockedOut(_)
                | AuthError::NoPassword
                | AuthError::WhichUser,
            ) => 3,
            Error::Forbidden(_) => 4,
            _ => 1,
        }
    }

    /// Output cut short by a closed pipe (`recon sql … | head`) is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io(_, e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl From<crate::auth::Forbidden> for Error {
    fn from(e: crate::auth::Forbidden) -> Self {
        Error::Forbidden(e.0)
    }
}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        if let datafusion::error::DataFusionError::External(inner) = &e {
            if let Some(crate::auth::Forbidden(message)) = inner.downcast_ref::<crate::auth::Forbidden>() {
                return Error::Forbidden(message.clone());
            }
            if let Some(Error::Forbidden(message)) = inner.downcast_ref::<Error>() {
                return Error::Forbidden(message.clone());
            }
        }
        Error::Sql(e.to_string())
    }
}
