//! The library's error type. Every variant names what failed and where (file, row,
//! query), so the binary can print a message a user can act on without a backtrace.

use std::path::PathBuf;

/// Anything that stops a stage. Bad rows are not errors: they become
/// [`crate::model::Reject`] records and the run goes on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("{path}, row {row}: {message}")]
    Row {
        path: PathBuf,
        row: u64,
        message: String,
    },
    #[error("index at {path}: {message}")]
    Index { path: PathBuf, message: String },
    #[error("query {query:?}: {message}")]
    Query { query: String, message: String },
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A problem with a whole input file.
    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A tantivy failure on the index at `path`.
    pub fn index(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Error {
        Error::Index {
            path: path.into(),
            message: err.to_string(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
