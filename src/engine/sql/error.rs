//! Errors a learner can provoke, worded the way PostgreSQL words them.
//!
//! Every failure the SQL engine reports is a value of one type, [`SqlError`],
//! carrying what `psql` would show:
//!
//! ```text
//! ERROR:  relation "ordrs" does not exist      <- message (Display adds "ERROR:  ")
//! LINE 1: SELECT * FROM ordrs                  <- render_with_source() adds these
//!                       ^                         two lines from `position`
//! ```
//!
//! * `code` is the five-character SQLSTATE (`42P01` undefined table, `23505`
//!   unique violation, ...), so programs can branch on it;
//! * `message` is the primary line; a PostgreSQL `DETAIL:` or `HINT:` line is
//!   appended after a newline, exactly as psql prints it;
//! * `position` is the 1-based character offset into the statement text, as
//!   in PostgreSQL's error `P` field.
//!
//! Constructors below are named after the condition, not the code, so call
//! sites read like the rule they enforce.

use std::fmt;

/// A user-facing SQL error: SQLSTATE, PostgreSQL-worded message, optional position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlError {
    /// The SQLSTATE code, e.g. `"42P01"`.
    pub code: &'static str,
    /// The message, possibly followed by `\nDETAIL:  ...` / `\nHINT:  ...` lines.
    pub message: String,
    /// 1-based character position in the statement text, when known.
    pub position: Option<usize>,
}

impl SqlError {
    /// An error with the given SQLSTATE and message, without a position.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        SqlError { code, message: message.into(), position: None }
    }

    /// The same error, pointing at `position` (kept if already set).
    pub fn at(mut self, position: Option<usize>) -> Self {
        if self.position.is_none() {
            self.position = position;
        }
        self
    }

    /// Appends a `DETAIL:` line.
    pub fn detail(mut self, detail: impl fmt::Display) -> Self {
        self.message = format!("{}\nDETAIL:  {detail}", self.message);
        self
    }

    /// Appends a `HINT:` line.
    pub fn hint(mut self, hint: impl fmt::Display) -> Self {
        self.message = format!("{}\nHINT:  {hint}", self.message);
        self
    }

    /// The error as psql prints it, with `LINE n:` and a caret under
    /// `position` when the statement text is given.
    pub fn render_with_source(&self, sql: &str) -> String {
        let text = self.to_string();
        let Some(position) = self.position else { return text };
        let Some((line_no, line, column)) = locate(sql, position) else { return text };
        let prefix = format!("LINE {line_no}: ");
        let pad = prefix.chars().count() + column - 1;
        let caret = format!("{prefix}{line}\n{}^", " ".repeat(pad));
        // psql prints the caret right under the primary line, before DETAIL/HINT.
        match text.split_once('\n') {
            Some((primary, rest)) => format!("{primary}\n{caret}\n{rest}"),
            None => format!("{text}\n{caret}"),
        }
    }

    // ----- constructors, grouped by SQLSTATE class -----

    /// 42601: `syntax error at or near "tok"`.
    pub fn syntax_near(token: &str) -> Self {
        Self::new("42601", format!("syntax error at or near \"{token}\""))
    }
    /// 42601: `syntax error at end of input`.
    pub fn syntax_at_end() -> Self {
        Self::new("42601", "syntax error at end of input")
    }
    /// 0A000: a feature PostgreSQL has but the playground does not.
    pub fn unsupported(what: impl fmt::Display) -> Self {
        Self::new("0A000", format!("not supported in the playground: {what}"))
    }
    /// 42P01: `relation "x" does not exist`.
    pub fn undefined_table(name: &str) -> Self {
        Self::new("42P01", format!("relation \"{name}\" does not exist"))
    }
    /// 42P07: `relation "x" already exists`.
    pub fn duplicate_table(name: &str) -> Self {
        Self::new("42P07", format!("relation \"{name}\" already exists"))
    }
    /// 42703: `column "y" does not exist`.
    pub fn undefined_column(name: &str) -> Self {
        Self::new("42703", format!("column \"{name}\" does not exist"))
    }
    /// 42703: `column "y" of relation "t" does not exist` (INSERT/UPDATE targets).
    pub fn undefined_column_of(name: &str, table: &str) -> Self {
        Self::new("42703", format!("column \"{name}\" of relation \"{table}\" does not exist"))
    }
    /// 42702: `column reference "y" is ambiguous`.
    pub fn ambiguous_column(name: &str) -> Self {
        Self::new("42702", format!("column reference \"{name}\" is ambiguous"))
    }
    /// 42701: `column "y" specified more than once`.
    pub fn duplicate_column(name: &str) -> Self {
        Self::new("42701", format!("column \"{name}\" specified more than once"))
    }
    /// 42883: `function f(int) does not exist`.
    pub fn undefined_function(signature: &str) -> Self {
        Self::new("42883", format!("function {signature} does not exist")).hint(
            "No function matches the given name and argument types. \
             You might need to add explicit type casts.",
        )
    }
    /// 42883: `operator does not exist: integer + boolean`.
    pub fn undefined_operator(left: &str, op: &str, right: &str) -> Self {
        Self::new("42883", format!("operator does not exist: {left} {op} {right}"))
    }
    /// 42804: a value of the wrong type where a specific one is required.
    pub fn datatype_mismatch(message: impl Into<String>) -> Self {
        Self::new("42804", message)
    }
    /// 42803: misuse of aggregates or GROUP BY.
    pub fn grouping(message: impl Into<String>) -> Self {
        Self::new("42803", message)
    }
    /// 22P02: `invalid input syntax for type integer: "abc"`.
    pub fn invalid_input(type_name: &str, text: &str) -> Self {
        Self::new("22P02", format!("invalid input syntax for type {type_name}: \"{text}\""))
    }
    /// 22007: `invalid input syntax for type timestamp: "x"`.
    pub fn invalid_datetime(type_name: &str, text: &str) -> Self {
        Self::new("22007", format!("invalid input syntax for type {type_name}: \"{text}\""))
    }
    /// 22008: `timestamp out of range`.
    pub fn timestamp_out_of_range() -> Self {
        Self::new("22008", "timestamp out of range")
    }
    /// 22003: `integer out of range` (or `bigint out of range`).
    pub fn integer_out_of_range(type_name: &str) -> Self {
        Self::new("22003", format!("{type_name} out of range"))
    }
    /// 22003: `value overflows numeric format`.
    pub fn numeric_overflow() -> Self {
        Self::new("22003", "value overflows numeric format")
    }
    /// 22012: `division by zero`.
    pub fn division_by_zero() -> Self {
        Self::new("22012", "division by zero")
    }
    /// 22001: `value too long for type character varying(n)`.
    pub fn string_too_long(max: u32) -> Self {
        Self::new("22001", format!("value too long for type character varying({max})"))
    }
    /// 23502: `null value in column "c" of relation "t" violates not-null constraint`.
    pub fn not_null_violation(column: &str, table: &str) -> Self {
        Self::new(
            "23502",
            format!("null value in column \"{column}\" of relation \"{table}\" violates not-null constraint"),
        )
    }
    /// 23505: `duplicate key value violates unique constraint "c"`.
    pub fn unique_violation(constraint: &str) -> Self {
        Self::new(
            "23505",
            format!("duplicate key value violates unique constraint \"{constraint}\""),
        )
    }
    /// 25P02: statements after an error inside a transaction block.
    pub fn in_failed_transaction() -> Self {
        Self::new(
            "25P02",
            "current transaction is aborted, commands ignored until end of transaction block",
        )
    }
    /// 25006: a write on a hot standby.
    pub fn read_only_transaction(command: &str) -> Self {
        Self::new("25006", format!("cannot execute {command} in a read-only transaction"))
    }
    /// 40001: first-committer-wins conflict at COMMIT.
    pub fn serialization_failure() -> Self {
        Self::new("40001", "could not serialize access due to concurrent update")
    }
    /// 22023 and friends: an argument a function rejects.
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new("22023", message)
    }
    /// 55000: a WAL function called on the wrong kind of node.
    pub fn recovery_in_progress() -> Self {
        Self::new("55000", "recovery is in progress")
            .hint("WAL control functions cannot be executed during recovery.")
    }
    /// 54001: input nested too deeply for the playground's recursion limits.
    pub fn too_complex() -> Self {
        Self::new("54001", "stack depth limit exceeded")
            .hint("The playground accepts expressions up to 1000 operators deep (about 500 levels of parentheses).")
    }
}

/// Finds the 1-based line number, that line's text, and the 1-based column of
/// the character at 1-based `position` in `sql`.
fn locate(sql: &str, position: usize) -> Option<(usize, &str, usize)> {
    let mut start_char = 1;
    for (line_no, line) in (1..).zip(sql.split('\n')) {
        let len = line.chars().count();
        if position <= start_char + len {
            return Some((line_no, line.trim_end_matches('\r'), position - start_char + 1));
        }
        start_char += len + 1;
    }
    None
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ERROR:  {}", self.message)
    }
}

impl std::error::Error for SqlError {}
