//! From text to statements: split at `;`, parse with sqlparser, map errors.
//!
//! ```text
//!  "BEGIN; INSERT ...; COMMIT"
//!     │ 1. tokenize once, split at top-level `;`   (like psql, which sends
//!     │                                             statements one by one)
//!     ▼
//!  ["BEGIN", "INSERT ...", "COMMIT"]
//!     │ 2. sqlparser, PostgreSQL dialect, per statement
//!     ▼
//!  sqlparser::ast::Statement          (then translate.rs makes it ours)
//! ```
//!
//! Error positions are 1-based character offsets into each statement's own
//! text, as PostgreSQL reports them for the statement it was sent. The
//! parser's "Expected: X, found: Y" becomes PostgreSQL's
//! `syntax error at or near "Y"`.
//!
//! This is also where hostile input is stopped: every later pass over an
//! expression tree is recursive, so trees deeper than a fixed bound are
//! refused (`stack depth limit exceeded`) before sqlparser builds them.

use sqlparser::ast as sp;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, Tokenizer};

use super::error::SqlError;

type Result<T> = std::result::Result<T, SqlError>;

/// Statements longer than this are refused before parsing.
pub const MAX_STATEMENT_CHARS: usize = 100_000;

/// The deepest expression the playground accepts. sqlparser limits nesting
/// of parentheses, but `1+1+1+...` builds a left-deep tree as deep as the
/// chain is long, and every pass over a tree (translate, bind, evaluate,
/// even dropping it) recurses. Refusing deep chains up front keeps the
/// stack bounded (on WebAssembly it is 1 MiB).
pub const MAX_EXPRESSION_DEPTH: usize = 200;

/// sqlparser's own nesting limit (parentheses, unary operators, subqueries).
/// Its default of 50 can overflow a 2 MiB stack in debug builds; 32 allows
/// about 15 levels of parentheses, far more than anyone types.
const PARSER_RECURSION_LIMIT: usize = 32;

/// Splits `sql` into statement texts at top-level semicolons, each with the
/// number of characters that precede it in `sql`.
pub fn split(sql: &str) -> Result<Vec<(String, usize)>> {
    let source = Source::new(sql);
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .map_err(|e| tokenizer_error(&e.message, e.location, &source))?;
    let mut statements = Vec::new();
    let mut start = 0; // char index where the current statement begins
    let mut has_content = false;
    let mut depth = DepthGauge::default();
    for token in &tokens {
        if !depth.step(&token.token) {
            return Err(SqlError::too_complex().at(source.position(token.span.start)));
        }
        match &token.token {
            Token::SemiColon => {
                let end = source.char_index(token.span.start).unwrap_or(start);
                if has_content {
                    statements.push(source.statement(start, end));
                }
                start = end + 1;
                has_content = false;
                depth = DepthGauge::default();
            }
            Token::Whitespace(_) | Token::EOF => {}
            _ => has_content = true,
        }
    }
    if has_content {
        statements.push(source.statement(start, source.char_len()));
    }
    Ok(statements)
}

/// An upper bound on the expression depth sqlparser will build, tracked
/// token by token: each open parenthesis and each operator adds a level to
/// the current parenthesis level; a comma or a closing parenthesis ends
/// that level's chain.
/// Separately, a run of prefix operators (`NOT NOT NOT x`, `- - x`) makes
/// sqlparser recurse without counting, so such runs are kept short.
#[derive(Default)]
struct DepthGauge {
    levels: Vec<usize>,
    current: usize,
    prefix_run: usize,
}

/// The longest run of consecutive prefix operators accepted.
const MAX_PREFIX_RUN: usize = 12;

impl DepthGauge {
    /// Accounts for one token; false if a bound is exceeded.
    fn step(&mut self, token: &Token) -> bool {
        let prefix = matches!(token, Token::Minus | Token::Plus)
            || matches!(token, Token::Word(w) if w.keyword == sqlparser::keywords::Keyword::NOT);
        if prefix {
            self.prefix_run += 1;
        } else if !matches!(token, Token::Whitespace(_)) {
            self.prefix_run = 0;
        }
        match token {
            Token::LParen => {
                self.current += 1;
                self.levels.push(1);
            }
            Token::RParen => self.current -= self.levels.pop().unwrap_or(0),
            Token::Comma => {
                if let Some(level) = self.levels.last_mut() {
                    self.current -= *level - 1;
                    *level = 1;
                } else {
                    self.current = 0;
                }
            }
            token if is_operator(token) => {
                self.current += 1;
                if let Some(level) = self.levels.last_mut() {
                    *level += 1;
                }
            }
            _ => {}
        }
        self.current <= MAX_EXPRESSION_DEPTH && self.prefix_run <= MAX_PREFIX_RUN
    }
}

fn is_operator(token: &Token) -> bool {
    match token {
        Token::Word(word) => matches!(
            word.keyword,
            sqlparser::keywords::Keyword::AND
                | sqlparser::keywords::Keyword::OR
                | sqlparser::keywords::Keyword::NOT
                | sqlparser::keywords::Keyword::IS
                | sqlparser::keywords::Keyword::LIKE
                | sqlparser::keywords::Keyword::ILIKE
                | sqlparser::keywords::Keyword::BETWEEN
                | sqlparser::keywords::Keyword::IN
        ),
        Token::Whitespace(_)
        | Token::Comma
        | Token::LParen
        | Token::RParen
        | Token::SemiColon
        | Token::EOF => false,
        Token::Number(..)
        | Token::SingleQuotedString(_)
        | Token::Char(_)
        | Token::Placeholder(_) => false,
        Token::Period | Token::LBracket | Token::RBracket | Token::LBrace | Token::RBrace => false,
        _ => true,
    }
}

/// Parses one statement's text with sqlparser; also returns the position map.
pub fn parse_one(text: &str) -> Result<(sp::Statement, Source<'_>)> {
    if text.chars().count() > MAX_STATEMENT_CHARS {
        return Err(SqlError::new(
            "54000",
            format!(
                "statement is too long for the playground (over {MAX_STATEMENT_CHARS} characters)"
            ),
        ));
    }
    let source = Source::new(text);
    let mut parsed = Parser::new(&PostgreSqlDialect {})
        .with_recursion_limit(PARSER_RECURSION_LIMIT)
        .try_with_sql(text)
        .and_then(|mut parser| parser.parse_statements())
        .map_err(|e| parser_error(e, &source))?;
    if parsed.len() != 1 {
        return Err(SqlError::syntax_near(";"));
    }
    Ok((parsed.remove(0), source))
}

/// Character offsets of line starts, to turn sqlparser's (line, column) into positions.
pub struct Source<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    byte_of_char: Vec<usize>,
}

impl<'a> Source<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        let mut byte_of_char = Vec::with_capacity(text.len() + 1);
        for (i, (byte, c)) in text.char_indices().enumerate() {
            byte_of_char.push(byte);
            if c == '\n' {
                line_starts.push(i + 1);
            }
        }
        byte_of_char.push(text.len());
        Source { text, line_starts, byte_of_char }
    }

    fn char_len(&self) -> usize {
        self.byte_of_char.len() - 1
    }

    /// 0-based char index of a 1-based (line, column) location.
    fn char_index(&self, location: Location) -> Option<usize> {
        let line = usize::try_from(location.line).ok()?.checked_sub(1)?;
        let column = usize::try_from(location.column).ok()?.checked_sub(1)?;
        let index = self.line_starts.get(line)? + column;
        (index <= self.char_len()).then_some(index)
    }

    /// 1-based position for error carets.
    pub fn position(&self, location: Location) -> Option<usize> {
        self.char_index(location).map(|i| i + 1)
    }

    /// The trimmed text between two char indexes, and the chars before it.
    fn statement(&self, start: usize, end: usize) -> (String, usize) {
        let raw = self.slice(start, end);
        let leading = raw.chars().take_while(|c| c.is_whitespace()).count();
        (raw.trim().to_string(), start + leading)
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        let byte = |i: usize| self.byte_of_char.get(i).copied().unwrap_or(self.text.len());
        let (from, to) = (byte(start), byte(end));
        self.text.get(from..to.max(from)).unwrap_or("")
    }
}

/// Tokenizer errors: unterminated strings and stray characters.
fn tokenizer_error(message: &str, location: Location, source: &Source) -> SqlError {
    let position = source.position(location);
    let rest = position.map(|p| source.slice(p - 1, source.char_len())).unwrap_or("");
    if message.starts_with("Unterminated") {
        let near = rest.chars().take(40).collect::<String>();
        return SqlError::new("42601", format!("unterminated quoted string at or near \"{near}\""))
            .at(position);
    }
    match rest.chars().next() {
        Some(c) => SqlError::syntax_near(&c.to_string()).at(position),
        None => SqlError::syntax_at_end().at(Some(source.char_len() + 1)),
    }
}

/// Parser errors: `Expected: X, found: Y at Line: L, Column: C`.
fn parser_error(error: ParserError, source: &Source) -> SqlError {
    let message = match error {
        ParserError::RecursionLimitExceeded => return SqlError::too_complex(),
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m,
    };
    let (body, location) = split_location(&message);
    let Some(found) = body.split_once("found: ").map(|(_, f)| f.trim()) else {
        return SqlError::new("42601", format!("syntax error: {body}"))
            .at(location.and_then(|l| source.position(l)));
    };
    if found == "EOF" {
        return SqlError::syntax_at_end().at(Some(source.char_len() + 1));
    }
    SqlError::syntax_near(found).at(location.and_then(|l| source.position(l)))
}

/// Splits off sqlparser's ` at Line: 1, Column: 5` suffix.
fn split_location(message: &str) -> (&str, Option<Location>) {
    let Some(at) = message.rfind(" at Line: ") else { return (message, None) };
    let tail = &message[at + " at Line: ".len()..];
    let parsed = tail.split_once(", Column: ").and_then(|(line, column)| {
        Some(Location { line: line.trim().parse().ok()?, column: column.trim().parse().ok()? })
    });
    (&message[..at], parsed)
}
