//! The one error type of the library. Content problems carry their diagnostics; the rest say
//! what was being done to which path.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostics;

#[derive(Debug)]
pub enum Error {
    /// Problems in the book's files, each at its file:line:col.
    Content(Diagnostics),
    /// Problems with `initbook run`'s parameter flags, reported like problems in a directive
    /// (the same checker, the same words), pointing into the command line.
    Flags(Diagnostics),
    /// initbook was called the wrong way (an unknown experiment id, nothing to run): exit code 2.
    Usage(String),
    /// A file-system operation failed.
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// Anything else that stops a build, with a message meant for the user.
    Other(String),
}

impl Error {
    pub fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Content(diagnostics) => write!(f, "{diagnostics}"),
            Error::Flags(diagnostics) => {
                for diagnostic in diagnostics.iter() {
                    writeln!(f, "{diagnostic}")?;
                }
                f.write_str(&diagnostics.summary("the flags"))
            }
            Error::Usage(message) => write!(f, "error: {message}"),
            Error::Io {
                action,
                path,
                source,
            } => write!(f, "error: cannot {action} {}: {source}", path.display()),
            Error::Other(message) => write!(f, "error: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Diagnostics> for Error {
    fn from(diagnostics: Diagnostics) -> Self {
        Error::Content(diagnostics)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
