//! # What a user can get wrong
//!
//! One enum for every error a learner can cause — bad SQL, a write sent to a replica, a
//! statement for a node that is down — with messages worded like the real systems they mirror
//! (PostgreSQL's `ERROR:  ...` lines). A lagging replica is not an error: it is an outcome the
//! playground exists to show. A broken internal invariant is not here either: that is a bug,
//! caught by `assert!`.

use std::fmt;

use super::sql::SqlError;

/// An error a user can cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The SQL engine refused the statement (syntax, missing table, constraint, ...).
    Sql(SqlError),
    /// A write reached a hot standby (SQLSTATE 25006).
    ReadOnly { command: &'static str },
    /// The target node is crashed or not reachable.
    NodeDown { node: String },
    /// The node went down while the statement was queued, running or waiting to commit: the
    /// client cannot know whether a commit happened.
    ConnectionLost { node: String },
    /// The node is shutting down (a switchover): it takes no new statements (SQLSTATE 57P03).
    ShuttingDown { node: String },
    /// The node was demoted (fenced) under the statement: its connections were terminated
    /// (SQLSTATE 57P01).
    AdminShutdown { node: String },
    /// The router has no running primary to send a write to (a failover is due or under way).
    NoPrimary { detail: String },
    /// No node by that name.
    UnknownNode { name: String },
    /// A scenario or UI input that does not parse, with what was expected.
    Invalid { message: String },
}

impl Error {
    /// PostgreSQL's SQLSTATE for the error, where one applies.
    pub fn sqlstate(&self) -> Option<&'static str> {
        match self {
            Error::Sql(e) => Some(e.code),
            Error::ReadOnly { .. } => Some("25006"),
            Error::NodeDown { .. } | Error::ConnectionLost { .. } => Some("08006"),
            Error::ShuttingDown { .. } => Some("57P03"),
            Error::AdminShutdown { .. } => Some("57P01"),
            Error::NoPrimary { .. } => Some("08001"),
            Error::UnknownNode { .. } | Error::Invalid { .. } => None,
        }
    }

    /// The error as psql prints it: for SQL errors with a position, `LINE n:` and a caret
    /// under the offending spot of `source`.
    pub fn render_with_source(&self, source: &str) -> String {
        match self {
            Error::Sql(e) => e.render_with_source(source),
            other => other.to_string(),
        }
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid { message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sql(e) => write!(f, "{e}"),
            Error::ReadOnly { command } => {
                write!(f, "ERROR:  cannot execute {command} in a read-only transaction")
            }
            Error::NodeDown { node } => {
                write!(f, "connection to server \"{node}\" failed: Connection refused")
            }
            Error::ConnectionLost { node } => write!(
                f,
                "{node}: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request."
            ),
            Error::ShuttingDown { node } => {
                write!(f, "{node}: FATAL:  the database system is shutting down")
            }
            Error::AdminShutdown { node } => {
                write!(f, "{node}: FATAL:  terminating connection due to administrator command")
            }
            Error::NoPrimary { detail } => {
                write!(f, "router: no primary is accepting writes right now: {detail}")
            }
            Error::UnknownNode { name } => write!(f, "no node named \"{name}\""),
            Error::Invalid { message } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<SqlError> for Error {
    fn from(e: SqlError) -> Self {
        Error::Sql(e)
    }
}
