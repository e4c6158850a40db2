//! The parser: PostgreSQL's grammar for the statements the playground runs, straight into our
//! own [`ast`](super::ast), with PostgreSQL's errors and positions.
//!
//! A recursive-descent parser over the [lexer](super::lexer)'s tokens; expressions use
//! precedence climbing with PostgreSQL's operator precedence ([`expr`]). It knows three kinds
//! of input:
//!
//! - what the playground runs (SELECT with one JOIN, INSERT, UPDATE, DELETE, CREATE TABLE and
//!   INDEX, DROP TABLE, transactions, EXPLAIN): parsed into statements;
//! - valid PostgreSQL the playground does not model (`ALTER TABLE`, `UNION`, subqueries,
//!   window functions, …): refused with `not supported in the playground: …`, never as a syntax
//!   error;
//! - anything else: `syntax error at or near "X"` at X's position, or `syntax error at end of
//!   input`, as PostgreSQL reports them.
//!
//! Input is split at top-level `;` first (as psql sends statements one by one). Parse errors
//! count characters of the whole input; names in the tree count characters of their own
//! statement, which is what execution errors point into.
//!
//! Recursion is bounded explicitly: an expression nested deeper than [`MAX_EXPRESSION_DEPTH`]
//! (parentheses, operators, or both) is `stack depth limit exceeded` — a depth no real query
//! reaches, far below what the browser's stack holds for every later pass over the tree.

mod expr;
mod types;
mod utility;

use super::ast::*;
use super::error::SqlError;
use super::lexer::{tokenize_into, Kind, Token};

type Result<T> = std::result::Result<T, SqlError>;

/// The deepest expression tree accepted (parentheses and operators both count); the
/// expression parser's own recursion is bounded by the same number (a level of parentheses
/// around an operator costs it two).
pub const MAX_EXPRESSION_DEPTH: usize = 1_000;

/// Statements longer than this are refused before parsing.
pub const MAX_STATEMENT_CHARS: usize = 1_000_000;

/// One parsed statement: its tree, its text (trimmed, without `;`), and the notices parsing
/// raised (a MySQL-ism the playground accepts, say).
pub struct Parsed {
    pub kind: StatementKind,
    pub text: std::rc::Rc<str>,
    pub notices: Vec<String>,
}

/// Parses one or more `;`-separated statements. Empty statements are skipped.
pub fn parse(sql: &str) -> Result<Vec<Parsed>> {
    // A text of no more bytes than that has no more characters either: not counted.
    if sql.len() > MAX_STATEMENT_CHARS && sql.chars().count() > MAX_STATEMENT_CHARS {
        return Err(SqlError::new(
            "54000",
            format!(
                "statement is too long for the playground (over {MAX_STATEMENT_CHARS} characters)"
            ),
        ));
    }
    let ascii = sql.is_ascii();
    let mut tokens = Vec::new();
    tokenize_into(sql, ascii, &mut tokens)?;
    parse_tokens(sql, ascii, &tokens)
}

/// The statements of `sql`, cut into `tokens`.
fn parse_tokens(sql: &str, ascii: bool, tokens: &[Token<'_>]) -> Result<Vec<Parsed>> {
    let char_starts = CharIndex::new(sql, ascii);
    let mut parsed = Vec::new();
    for statement in tokens.split(|t| t.is_op(";")).filter(|s| !s.is_empty()) {
        let (first, last) = (&statement[0], &statement[statement.len() - 1]);
        let mut parser = Parser::new(statement, first.pos, last.end);
        let kind = parser.statement()?;
        let text = char_starts.slice(sql, first.pos, last.end).into();
        parsed.push(Parsed { kind, text, notices: parser.notices });
    }
    Ok(parsed)
}

/// Byte offsets of characters, to cut statement texts out of the input: None for ASCII
/// text (most of it), where a character's position is its byte offset.
struct CharIndex {
    bytes: Option<Vec<usize>>,
}

impl CharIndex {
    /// `ascii`: whether `text` is ASCII.
    fn new(text: &str, ascii: bool) -> Self {
        if ascii {
            return Self { bytes: None };
        }
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        Self { bytes: Some(bytes) }
    }

    fn slice<'a>(&self, text: &'a str, from: usize, to: usize) -> &'a str {
        match &self.bytes {
            Some(bytes) => &text[bytes[from]..bytes[to]],
            None => &text[from..to],
        }
    }
}

/// A cursor over one statement's tokens.
pub(super) struct Parser<'a> {
    tokens: &'a [Token<'a>],
    at: usize,
    /// Character position (whole input) where the statement starts.
    base: usize,
    /// Character position (whole input) just past the statement's last token.
    end: usize,
    /// Current expression nesting (recursion of the expression parser).
    depth: usize,
    /// Depth of the expression tree parsed last.
    tree: usize,
    /// The first error PostgreSQL would find only after parsing (a type or schema that does
    /// not exist, a modifier out of range): reported if the statement's syntax is sound.
    deferred: Option<SqlError>,
    /// `NOTICE:` lines for the statement's output.
    notices: Vec<String>,
}

/// Words that start a valid PostgreSQL statement the playground does not model.
const OTHER_STATEMENTS: &[&str] = &[
    "alter",
    "analyze",
    "analyse",
    "call",
    "close",
    "cluster",
    "comment",
    "copy",
    "deallocate",
    "declare",
    "discard",
    "do",
    "execute",
    "fetch",
    "grant",
    "import",
    "listen",
    "load",
    "lock",
    "merge",
    "move",
    "notify",
    "prepare",
    "reassign",
    "refresh",
    "reindex",
    "release",
    "revoke",
    "savepoint",
    "security",
    "truncate",
    "unlisten",
    "vacuum",
];

/// Words that name what such a statement is about (`ALTER TABLE`, `CREATE OR REPLACE VIEW`).
const OBJECT_WORDS: &[&str] = &[
    "access",
    "aggregate",
    "cast",
    "collation",
    "conversion",
    "database",
    "default",
    "domain",
    "event",
    "extension",
    "foreign",
    "function",
    "global",
    "group",
    "index",
    "language",
    "large",
    "local",
    "materialized",
    "method",
    "operator",
    "or",
    "policy",
    "privileges",
    "procedure",
    "publication",
    "replace",
    "role",
    "routine",
    "rule",
    "schema",
    "sequence",
    "server",
    "session",
    "statistics",
    "subscription",
    "system",
    "table",
    "tablespace",
    "temp",
    "temporary",
    "text",
    "transform",
    "trigger",
    "type",
    "unlogged",
    "user",
    "view",
    "wrapper",
];

impl<'a> Parser<'a> {
    pub(super) fn new(tokens: &'a [Token<'a>], base: usize, end: usize) -> Self {
        Self { tokens, at: 0, base, end, depth: 0, tree: 0, deferred: None, notices: Vec::new() }
    }

    // ----- the cursor -----

    fn peek(&self) -> Option<&'a Token<'a>> {
        self.tokens.get(self.at)
    }

    fn peek_at(&self, ahead: usize) -> Option<&'a Token<'a>> {
        self.tokens.get(self.at + ahead)
    }

    fn next(&mut self) -> Option<&'a Token<'a>> {
        let token = self.tokens.get(self.at);
        self.at += usize::from(token.is_some());
        token
    }

    /// Whether the next token is the keyword `word`.
    fn at_keyword(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(word))
    }

    /// Whether the next token is the operator `op`.
    fn at_op(&self, op: &str) -> bool {
        self.peek().is_some_and(|t| t.is_op(op))
    }

    /// Consumes the keyword `word` if it is next.
    fn eat_keyword(&mut self, word: &str) -> bool {
        let found = self.at_keyword(word);
        self.at += usize::from(found);
        found
    }

    /// Consumes the keywords `words`, in order, if they are all next.
    fn eat_keywords(&mut self, words: &[&str]) -> bool {
        let found =
            words.iter().enumerate().all(|(i, w)| self.peek_at(i).is_some_and(|t| t.is_keyword(w)));
        if found {
            self.at += words.len();
        }
        found
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let found = self.at_op(op);
        self.at += usize::from(found);
        found
    }

    fn expect_keyword(&mut self, word: &str) -> Result<()> {
        if self.eat_keyword(word) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn expect_op(&mut self, op: &str) -> Result<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// PostgreSQL's syntax error for the next token (or the end of input).
    fn unexpected(&self) -> SqlError {
        match self.peek() {
            Some(token) => SqlError::syntax_near(&token.near()).at(Some(token.pos + 1)),
            None => SqlError::syntax_at_end().at(Some(self.end + 1)),
        }
    }

    /// A "not supported" error at a token of the statement.
    fn unsupported_at(&self, what: impl std::fmt::Display, token: Option<&Token>) -> SqlError {
        SqlError::unsupported(what).at(token.map(|t| t.pos + 1))
    }

    /// A position in the statement's own text (1-based), for the tree.
    fn pos(&self, token: &Token) -> Pos {
        Pos(Some(token.pos - self.base + 1))
    }

    /// The end of the statement: nothing may follow; then any deferred error.
    fn expect_end(&mut self) -> Result<()> {
        match self.peek() {
            None => self.deferred.take().map_or(Ok(()), Err),
            Some(_) => Err(self.unexpected()),
        }
    }

    /// Keeps the first error found that PostgreSQL reports only once the syntax is checked.
    fn defer(&mut self, error: SqlError) {
        self.deferred.get_or_insert(error);
    }

    // ----- names -----

    /// An identifier: a word that is not reserved, or a quoted name. Words fold to lower case.
    fn name(&mut self) -> Result<Name> {
        let token = self.peek().ok_or_else(|| self.unexpected())?;
        let name = match token.kind {
            Kind::Quoted => token.text.to_string(),
            Kind::Word if !is_reserved_or_type_func_name(token.text.as_bytes()) => {
                token.text.to_ascii_lowercase()
            }
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok(Name { name, pos: self.pos(token) })
    }

    /// A label after `AS`: any word, reserved or not, or a quoted name.
    fn label(&mut self) -> Result<String> {
        let token = self.peek().ok_or_else(|| self.unexpected())?;
        let label = match token.kind {
            Kind::Quoted => token.text.to_string(),
            Kind::Word => token.text.to_ascii_lowercase(),
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok(label)
    }

    /// A table name, accepting `public.` as its schema.
    fn table_name(&mut self) -> Result<Name> {
        let first = self.name()?;
        if !self.at_op(".") {
            return Ok(first);
        }
        self.at += 1;
        let table = self.name()?;
        if self.at_op(".") {
            return Err(self.unsupported_at("names qualified by a database", self.peek()));
        }
        if first.name != "public" && !(first.name == "pg_catalog" && table.name.starts_with("pg_"))
        {
            let position = first.pos.0.map(|p| p + self.base);
            let message = format!("schema \"{}\" does not exist", first.name);
            self.defer(SqlError::new("3F000", message).at(position));
        }
        Ok(table)
    }

    /// `(a, b, …)`: a parenthesized list of names.
    fn name_list(&mut self) -> Result<Vec<Name>> {
        self.expect_op("(")?;
        // Room for a few without regrowing (`vec![first]` would regrow at the second).
        let mut names = Vec::with_capacity(4);
        names.push(self.name()?);
        while self.eat_op(",") {
            names.push(self.name()?);
        }
        self.expect_op(")")?;
        Ok(names)
    }

    /// An optional alias: `AS alias`, or a bare word that is not a keyword of what follows.
    fn alias(&mut self) -> Result<Option<String>> {
        if self.eat_keyword("as") {
            return self.label().map(Some);
        }
        match self.peek() {
            Some(t) if t.kind == Kind::Quoted => self.label().map(Some),
            Some(t)
                if t.kind == Kind::Word
                    && !is_reserved(&t.text)
                    && !is_type_func_name(&t.text)
                    && !is_clause_word(&t.text) =>
            {
                self.label().map(Some)
            }
            _ => Ok(None),
        }
    }

    /// A select-list item's alias: `AS label`, or a bare label — since PostgreSQL 14 any word
    /// but the few that would continue the query (`FROM`, `WHERE`, `ORDER`, …).
    fn item_alias(&mut self) -> Result<Option<String>> {
        if self.eat_keyword("as") {
            return self.label().map(Some);
        }
        match self.peek() {
            Some(t) if t.kind == Kind::Quoted => self.label().map(Some),
            Some(t) if t.kind == Kind::Word && is_bare_label(&t.text) => self.label().map(Some),
            _ => Ok(None),
        }
    }

    // ----- statements -----

    fn statement(&mut self) -> Result<StatementKind> {
        let first = self.peek().ok_or_else(|| self.unexpected())?;
        let word = Folded::new(if first.kind == Kind::Word { first.text.as_bytes() } else { b"" });
        let kind = match word.as_str() {
            "select" => StatementKind::Select(Box::new(self.query()?)),
            "insert" => self.insert()?,
            "update" => self.update()?,
            "delete" => self.delete()?,
            "create" => self.create()?,
            "drop" => self.drop()?,
            "begin" | "start" => self.begin()?,
            "commit" | "end" => self.end_transaction(StatementKind::Commit)?,
            "rollback" | "abort" => self.end_transaction(StatementKind::Rollback)?,
            "explain" => self.explain()?,
            "set" => self.set()?,
            "show" => self.show()?,
            "reset" => self.reset()?,
            "checkpoint" => self.checkpoint()?,
            "alter" if self.peek_at(1).is_some_and(|t| t.is_keyword("system")) => {
                self.alter_system()?
            }
            _ => return Err(self.refuse(word.as_str())),
        };
        self.expect_end()?;
        Ok(kind)
    }

    /// Why a statement that is none of the playground's is refused: not supported when it is
    /// valid PostgreSQL the playground does not model, a syntax error otherwise.
    fn refuse(&mut self, word: &str) -> SqlError {
        let first = self.peek();
        let second = self.peek_at(1);
        let names_something = second.is_some_and(|t| {
            t.kind == Kind::Quoted || t.kind == Kind::Word && !is_reserved(&t.text)
        });
        match word {
            "with" => self.unsupported_at("WITH queries", first),
            "values" if second.is_some_and(|t| t.is_op("(")) => {
                self.unsupported_at("VALUES lists outside INSERT", first)
            }
            "table" if names_something => {
                self.unsupported_at("TABLE name (write SELECT * FROM name)", first)
            }
            word if OTHER_STATEMENTS.contains(&word) => self.other_statement(),
            _ if first.is_some_and(|t| t.is_op("("))
                && second.is_some_and(|t| {
                    ["select", "values", "with"].iter().any(|w| t.is_keyword(w)) || t.is_op("(")
                }) =>
            {
                self.unsupported_at("parenthesized queries", first)
            }
            "values" | "table" => {
                self.next();
                self.unexpected()
            }
            _ => self.unexpected(),
        }
    }

    /// A valid PostgreSQL statement the playground does not run: named by its leading words.
    fn other_statement(&self) -> SqlError {
        let mut words = Vec::new();
        for (i, token) in self.tokens.iter().take(5).enumerate() {
            let word = token.text.to_ascii_lowercase();
            let names_it =
                token.kind == Kind::Word && (i == 0 || OBJECT_WORDS.contains(&word.as_str()));
            if !names_it {
                break;
            }
            words.push(word.to_ascii_uppercase());
        }
        SqlError::unsupported(words.join(" "))
    }

    fn begin(&mut self) -> Result<StatementKind> {
        if self.eat_keyword("start") {
            self.expect_keyword("transaction")?;
        } else {
            self.expect_keyword("begin")?;
            let _ = self.eat_keyword("work") || self.eat_keyword("transaction");
        }
        if let Some(token) = self.peek() {
            if token.is_keyword("isolation")
                || token.is_keyword("read")
                || token.is_keyword("deferrable")
                || token.is_keyword("not")
            {
                return Err(self.unsupported_at(
                    "transaction modes (ISOLATION LEVEL, READ ONLY)",
                    Some(token),
                ));
            }
        }
        Ok(StatementKind::Begin)
    }

    fn end_transaction(&mut self, kind: StatementKind) -> Result<StatementKind> {
        self.next();
        let _ = self.eat_keyword("work") || self.eat_keyword("transaction");
        if self.at_keyword("and") {
            return Err(self.unsupported_at("AND CHAIN", self.peek()));
        }
        if kind == StatementKind::Rollback && self.at_keyword("to") {
            return Err(self.unsupported_at("savepoints", self.peek()));
        }
        Ok(kind)
    }

    /// `EXPLAIN [ ( option [, …] ) ] statement` or the older `EXPLAIN [ANALYZE] [VERBOSE]`.
    fn explain(&mut self) -> Result<StatementKind> {
        self.expect_keyword("explain")?;
        let mut options = ExplainOptions::default();
        if self.eat_op("(") {
            loop {
                self.explain_option(&mut options)?;
                if self.eat_op(")") {
                    break;
                }
                self.expect_op(",")?;
            }
        } else {
            if self.eat_keyword("analyze") || self.eat_keyword("analyse") {
                options.analyze = Some(true);
            }
            if self.at_keyword("verbose") {
                return Err(self.unsupported_at("EXPLAIN VERBOSE", self.peek()));
            }
        }
        let start = self.at;
        let (select, write) = match self.statement()? {
            StatementKind::Select(select) => (Some(*select), None),
            write @ (StatementKind::Update(_)
            | StatementKind::Delete(_)
            | StatementKind::Insert(_)) => (rows_written(&write), Some(Box::new(write))),
            // PostgreSQL's grammar explains only queries and DML.
            _ => {
                self.at = start;
                return Err(self.unexpected());
            }
        };
        options.finish(select, write)
    }

    /// One `name [value]` of `EXPLAIN ( … )`, with PostgreSQL's errors.
    fn explain_option(&mut self, options: &mut ExplainOptions) -> Result<()> {
        let Some(token) = self.next().filter(|t| t.kind == Kind::Word) else {
            self.at = self.at.saturating_sub(1);
            return Err(self.unexpected());
        };
        let name = token.text.to_ascii_lowercase();
        let at = Some(token.pos + 1);
        // PostgreSQL's opt_boolean_or_string: TRUE, FALSE, ON, a non-reserved word, a string or
        // a number (`EXPLAIN (ANALYZE SELECT …` is a syntax error at SELECT).
        let is_value = |t: &Token| match t.kind {
            Kind::String | Kind::Number => true,
            Kind::Word => {
                !is_reserved(&t.text.to_ascii_lowercase())
                    || t.is_keyword("true")
                    || t.is_keyword("false")
                    || t.is_keyword("on")
            }
            _ => false,
        };
        let value = self.peek().filter(|t| is_value(t)).map(|t| {
            self.at += 1;
            t.text.to_ascii_lowercase()
        });
        let flag = |value: &Option<String>| match value.as_deref() {
            None | Some("true" | "on" | "1") => Ok(Some(true)),
            Some("false" | "off" | "0") => Ok(Some(false)),
            Some(_) => Err(SqlError::new("42601", format!("{name} requires a Boolean value"))),
        };
        match name.as_str() {
            "analyze" => options.analyze = flag(&value)?,
            "costs" => options.costs = flag(&value)?,
            "timing" => options.timing = flag(&value)?,
            "summary" => options.summary = flag(&value)?,
            "format" if value.as_deref() == Some("text") => {}
            "format" if matches!(value.as_deref(), Some("json" | "yaml" | "xml")) => {
                return Err(self.unsupported_at("EXPLAIN formats other than TEXT", Some(token)));
            }
            "format" => {
                let shown = value.unwrap_or_default();
                let message =
                    format!("unrecognized value for EXPLAIN option \"format\": \"{shown}\"");
                return Err(SqlError::new("22023", message).at(at));
            }
            "verbose" | "buffers" | "wal" | "settings" | "generic_plan" | "memory" => {
                let what = format!("EXPLAIN option {}", name.to_ascii_uppercase());
                return Err(self.unsupported_at(what, Some(token)));
            }
            _ => {
                let message = format!("unrecognized EXPLAIN option \"{name}\"");
                return Err(SqlError::new("42601", message).at(at));
            }
        }
        Ok(())
    }

    // ----- DDL -----

    fn create(&mut self) -> Result<StatementKind> {
        self.expect_keyword("create")?;
        if self.at_keyword("table") {
            return self.create_table();
        }
        if self.at_keyword("index") || self.at_keyword("unique") {
            return self.create_index();
        }
        let object = self.peek().filter(|t| t.kind == Kind::Word);
        if !object.is_some_and(|t| one_of(&t.text, OBJECT_WORDS)) {
            return Err(self.unexpected());
        }
        self.at = 0;
        Err(self.other_statement())
    }

    fn create_table(&mut self) -> Result<StatementKind> {
        self.expect_keyword("table")?;
        let if_not_exists = self.eat_keywords(&["if", "not", "exists"]);
        let name = self.table_name()?;
        if self.at_keyword("as") {
            return Err(self.unsupported_at("CREATE TABLE ... AS", self.peek()));
        }
        if self.at_keyword("of") || self.at_keyword("partition") {
            return Err(self.unsupported_at("typed and partitioned tables", self.peek()));
        }
        self.expect_op("(")?;
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        if !self.at_op(")") {
            loop {
                if self.at_keyword("like") {
                    return Err(self.unsupported_at("CREATE TABLE ... LIKE", self.peek()));
                }
                if self.at_table_constraint() {
                    constraints.push(self.table_constraint()?);
                } else {
                    columns.push(self.column_def()?);
                }
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        self.expect_op(")")?;
        if let Some(token) = self.peek() {
            if ["inherits", "partition", "with", "using", "tablespace", "on"]
                .iter()
                .any(|w| token.is_keyword(w))
            {
                return Err(self.unsupported_at(
                    format!("CREATE TABLE ... {}", token.text.to_ascii_uppercase()),
                    Some(token),
                ));
            }
        }
        Ok(StatementKind::CreateTable(CreateTable { name, if_not_exists, columns, constraints }))
    }

    fn at_table_constraint(&self) -> bool {
        ["constraint", "primary", "unique", "foreign", "check", "exclude"]
            .iter()
            .any(|w| self.at_keyword(w))
    }

    fn column_def(&mut self) -> Result<ColumnDef> {
        let name = self.name()?;
        let (data_type, serial) = self.data_type()?;
        let mut def = ColumnDef {
            name,
            data_type,
            serial,
            not_null: serial,
            default: None,
            primary_key: false,
            unique: false,
        };
        loop {
            if self.eat_keyword("constraint") {
                self.name()?; // a named column constraint: the name is not kept
            }
            if self.eat_keywords(&["not", "null"]) {
                def.not_null = true;
            } else if self.eat_keyword("null") {
            } else if self.eat_keyword("default") {
                def.default = Some(self.value_expr()?);
            } else if self.eat_keywords(&["primary", "key"]) {
                def.primary_key = true;
                def.not_null = true;
            } else if self.eat_keyword("unique") {
                def.unique = true;
            } else if self.at_keyword("references") {
                return Err(self.unsupported_at("FOREIGN KEY constraints", self.peek()));
            } else if self.at_keyword("check") {
                return Err(self.unsupported_at("CHECK constraints", self.peek()));
            } else if self.at_keyword("generated") {
                return Err(self.unsupported_at("generated columns", self.peek()));
            } else if self.at_keyword("collate") {
                return Err(self.unsupported_at("COLLATE", self.peek()));
            } else {
                return Ok(def);
            }
        }
    }

    fn table_constraint(&mut self) -> Result<KeyConstraint> {
        let name = if self.eat_keyword("constraint") { Some(self.name()?.name) } else { None };
        let primary = if self.eat_keywords(&["primary", "key"]) {
            true
        } else if self.eat_keyword("unique") {
            false
        } else if self.at_keyword("foreign") {
            return Err(self.unsupported_at("FOREIGN KEY constraints", self.peek()));
        } else if self.at_keyword("check") {
            return Err(self.unsupported_at("CHECK constraints", self.peek()));
        } else if self.at_keyword("exclude") {
            return Err(self.unsupported_at("EXCLUDE constraints", self.peek()));
        } else {
            return Err(self.unexpected());
        };
        let columns = self.name_list()?;
        Ok(KeyConstraint { name, columns, primary })
    }

    fn create_index(&mut self) -> Result<StatementKind> {
        let unique = self.eat_keyword("unique");
        self.expect_keyword("index")?;
        if self.at_keyword("concurrently") {
            self.next(); // one node, no concurrent writers to block: the same index
        }
        let if_not_exists = self.eat_keywords(&["if", "not", "exists"]);
        // PostgreSQL leaves the name out only without IF NOT EXISTS.
        let name = if self.at_keyword("on") && !if_not_exists {
            None
        } else {
            Some(self.table_name()?.name)
        };
        self.expect_keyword("on")?;
        let _ = self.eat_keyword("only");
        let table = self.table_name()?;
        if self.eat_keyword("using") {
            let method = self.label()?;
            if method != "btree" {
                return Err(SqlError::unsupported(format!("index method {method} (only btree)")));
            }
        }
        self.expect_op("(")?;
        let mut columns = Vec::new();
        loop {
            if self.at_op("(") {
                return Err(self.unsupported_at("indexes on expressions", self.peek()));
            }
            let column = self.name()?;
            if self.at_op("(")
                || self.at_op("::")
                || self.peek().is_some_and(|t| t.kind == Kind::Op && !t.is_op(",") && !t.is_op(")"))
            {
                return Err(self.unsupported_at("indexes on expressions", self.peek()));
            }
            let _ = self.eat_keyword("asc") || self.eat_keyword("desc");
            if self.eat_keyword("nulls") {
                let _ = self.eat_keyword("first") || self.eat_keyword("last");
            }
            columns.push(column);
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(")")?;
        if self.at_keyword("include") {
            return Err(self.unsupported_at("CREATE INDEX ... INCLUDE", self.peek()));
        }
        if self.at_keyword("where") {
            return Err(
                self.unsupported_at("partial indexes (CREATE INDEX ... WHERE)", self.peek())
            );
        }
        Ok(StatementKind::CreateIndex(CreateIndex { name, table, columns, unique, if_not_exists }))
    }

    fn drop(&mut self) -> Result<StatementKind> {
        self.expect_keyword("drop")?;
        if !self.at_keyword("table") {
            self.at = 0;
            return Err(self.other_statement());
        }
        self.next();
        let if_exists = self.eat_keywords(&["if", "exists"]);
        let mut names = vec![self.table_name()?];
        while self.eat_op(",") {
            names.push(self.table_name()?);
        }
        if self.at_keyword("cascade") {
            return Err(self.unsupported_at("DROP TABLE ... CASCADE", self.peek()));
        }
        let _ = self.eat_keyword("restrict");
        Ok(StatementKind::DropTable { names, if_exists })
    }

    // ----- DML -----

    fn insert(&mut self) -> Result<StatementKind> {
        self.expect_keyword("insert")?;
        self.expect_keyword("into")?;
        let table = self.table_name()?;
        if self.at_keyword("as") {
            return Err(self.unsupported_at("aliases in INSERT", self.peek()));
        }
        let columns = if self.at_op("(") && !self.peek_at(1).is_some_and(|t| t.is_keyword("select"))
        {
            Some(self.name_list()?)
        } else {
            None
        };
        let source = if self.eat_keywords(&["default", "values"]) {
            InsertSource::DefaultValues
        } else if self.eat_keyword("values") {
            let mut rows = vec![self.values_row()?];
            while self.eat_op(",") {
                rows.push(self.values_row()?);
            }
            InsertSource::Values(rows)
        } else if self.at_keyword("select") {
            InsertSource::Select(Box::new(self.query()?))
        } else if self.at_op("(") {
            return Err(self.unsupported_at("parenthesized queries", self.peek()));
        } else {
            return Err(self.unexpected());
        };
        if self.at_keyword("on") {
            return Err(self.unsupported_at("INSERT ... ON CONFLICT", self.peek()));
        }
        let returning = self.returning()?;
        Ok(StatementKind::Insert(Insert { table, columns, source, returning }))
    }

    /// `(a, DEFAULT, …)` in `VALUES`.
    fn values_row(&mut self) -> Result<Vec<Expr>> {
        self.expect_op("(")?;
        let mut row = Vec::with_capacity(4);
        row.push(self.value_expr()?);
        while self.eat_op(",") {
            row.push(self.value_expr()?);
        }
        self.expect_op(")")?;
        Ok(row)
    }

    /// An expression where `DEFAULT` is allowed (VALUES items, SET right-hand sides).
    fn value_expr(&mut self) -> Result<Expr> {
        if self.at_keyword("default") {
            self.next();
            return Ok(Expr::Default);
        }
        self.expr()
    }

    fn returning(&mut self) -> Result<Vec<SelectItem>> {
        if self.eat_keyword("returning") {
            self.select_items()
        } else {
            Ok(Vec::new())
        }
    }

    /// `name [[AS] alias]` as UPDATE and DELETE take it.
    fn target_table(&mut self) -> Result<TableRef> {
        let _ = self.eat_keyword("only");
        let name = self.table_name()?;
        let alias = self.alias()?;
        Ok(TableRef { name, alias })
    }

    fn update(&mut self) -> Result<StatementKind> {
        self.expect_keyword("update")?;
        let table = self.target_table()?;
        self.expect_keyword("set")?;
        let mut assignments = Vec::new();
        loop {
            if self.at_op("(") {
                return Err(self.unsupported_at("SET (a, b) = (...)", self.peek()));
            }
            let mut column = self.name()?;
            if self.eat_op(".") {
                column = self.name()?; // `SET t.col = …`: PostgreSQL takes the last part
            }
            self.expect_op("=")?;
            assignments.push((column, self.value_expr()?));
            if !self.eat_op(",") {
                break;
            }
        }
        if self.at_keyword("from") {
            return Err(self.unsupported_at("UPDATE ... FROM", self.peek()));
        }
        let filter = self.where_clause()?;
        let returning = self.returning()?;
        Ok(StatementKind::Update(Update { table, assignments, filter, returning }))
    }

    fn delete(&mut self) -> Result<StatementKind> {
        self.expect_keyword("delete")?;
        self.expect_keyword("from")?;
        let table = self.target_table()?;
        if self.at_keyword("using") {
            return Err(self.unsupported_at("DELETE ... USING", self.peek()));
        }
        let filter = self.where_clause()?;
        let returning = self.returning()?;
        Ok(StatementKind::Delete(Delete { table, filter, returning }))
    }

    fn where_clause(&mut self) -> Result<Option<Expr>> {
        if !self.eat_keyword("where") {
            return Ok(None);
        }
        if self.eat_keywords(&["current", "of"]) {
            return Err(SqlError::unsupported("WHERE CURRENT OF (cursors)"));
        }
        self.expr().map(Some)
    }

    // ----- SELECT -----

    /// `SELECT …` with its ORDER BY, LIMIT and OFFSET; set operations are refused.
    fn query(&mut self) -> Result<Select> {
        let mut select = self.select_core()?;
        if let Some(token) = self.peek() {
            for op in ["union", "intersect", "except"] {
                if token.is_keyword(op) {
                    return Err(self.unsupported_at(op.to_ascii_uppercase(), Some(token)));
                }
            }
        }
        if self.eat_keywords(&["order", "by"]) {
            select.order_by = self.order_items()?;
        }
        // LIMIT and OFFSET, once each, in either order.
        let mut limited = false;
        loop {
            if self.at_keyword("limit") && !limited {
                self.next();
                limited = true;
                select.limit = if self.eat_keyword("all") { None } else { Some(self.expr()?) };
            } else if self.at_keyword("offset") && select.offset.is_none() {
                self.next();
                select.offset = Some(self.expr()?);
                let _ = self.eat_keyword("rows") || self.eat_keyword("row");
            } else if self.at_keyword("fetch") || self.at_keyword("for") {
                return Err(self.unsupported_at("FETCH/FOR UPDATE", self.peek()));
            } else {
                return Ok(select);
            }
        }
    }

    fn select_core(&mut self) -> Result<Select> {
        self.expect_keyword("select")?;
        let mut distinct = false;
        if self.eat_keyword("distinct") {
            if self.at_keyword("on") {
                return Err(self.unsupported_at("DISTINCT ON", self.peek()));
            }
            distinct = true;
        } else {
            let _ = self.eat_keyword("all");
        }
        // An empty select list (`SELECT FROM t WHERE …`) is valid PostgreSQL: the rest is read
        // as usual, and the statement refused as a whole if its syntax is sound.
        let clauses = ["from", "where", "group", "having", "window", "order", "limit", "offset"];
        let empty = self.peek().is_none() || clauses.iter().any(|w| self.at_keyword(w));
        if empty {
            self.defer(SqlError::unsupported("an empty select list"));
        }
        let star = self.peek().filter(|t| t.is_op("*"));
        let items = if empty { Vec::new() } else { self.select_items()? };
        if self.at_keyword("into") {
            return Err(self.unsupported_at("SELECT INTO", self.peek()));
        }
        let (from, join) = if self.eat_keyword("from") { self.from()? } else { (None, None) };
        if let (Some(star), None) = (star, &from) {
            let error = SqlError::new("42601", "SELECT * with no tables specified is not valid");
            self.defer(error.at(Some(star.pos + 1)));
        }
        let filter = self.where_clause()?;
        let group_by = if self.eat_keywords(&["group", "by"]) {
            if self.at_keyword("rollup") || self.at_keyword("cube") || self.at_keyword("grouping") {
                return Err(self.unsupported_at("GROUP BY ROLLUP/CUBE/GROUPING SETS", self.peek()));
            }
            let _ = self.eat_keyword("all");
            let mut exprs = vec![self.expr()?];
            while self.eat_op(",") {
                exprs.push(self.expr()?);
            }
            exprs
        } else {
            Vec::new()
        };
        let having = if self.eat_keyword("having") { Some(self.expr()?) } else { None };
        if self.at_keyword("window") {
            return Err(self.unsupported_at("window functions (OVER)", self.peek()));
        }
        Ok(Select {
            distinct,
            items,
            from,
            join,
            filter,
            group_by,
            having,
            order_by: Vec::new(),
            limit: None,
            offset: None,
        })
    }

    fn select_items(&mut self) -> Result<Vec<SelectItem>> {
        let mut items = vec![self.select_item()?];
        while self.eat_op(",") {
            items.push(self.select_item()?);
        }
        Ok(items)
    }

    fn select_item(&mut self) -> Result<SelectItem> {
        if self.eat_op("*") {
            return Ok(SelectItem::Wildcard);
        }
        // `t.*`
        if let (Some(table), Some(dot), Some(star)) =
            (self.peek(), self.peek_at(1), self.peek_at(2))
        {
            if matches!(table.kind, Kind::Word | Kind::Quoted) && dot.is_op(".") && star.is_op("*")
            {
                let name = self.name()?;
                self.at += 2;
                return Ok(SelectItem::QualifiedWildcard(name.name));
            }
        }
        let expr = self.expr()?;
        let alias = self.item_alias()?;
        Ok(SelectItem::Expr { expr, alias })
    }

    fn from(&mut self) -> Result<(Option<TableRef>, Option<Join>)> {
        let table = self.table_ref()?;
        let mut join = None;
        loop {
            if self.at_op(",") {
                return Err(self.unsupported_at(
                    "comma-separated FROM lists (write JOIN ... ON)",
                    self.peek(),
                ));
            }
            let start = self.peek();
            let kind = if self.eat_keyword("join") || self.eat_keywords(&["inner", "join"]) {
                JoinKind::Inner
            } else if self.eat_keywords(&["left", "join"])
                || self.eat_keywords(&["left", "outer", "join"])
            {
                JoinKind::Left
            } else if ["right", "full"].iter().any(|w| self.at_keyword(w)) {
                return Err(
                    self.unsupported_at("joins other than [INNER] JOIN and LEFT JOIN", start)
                );
            } else if self.at_keyword("cross") || self.at_keyword("natural") {
                return Err(self.unsupported_at("JOIN without ON (USING, NATURAL, CROSS)", start));
            } else {
                return Ok((Some(table), join));
            };
            if join.is_some() {
                return Err(self.unsupported_at("joins of more than two tables", start));
            }
            let joined = self.table_ref()?;
            if self.at_keyword("using") {
                return Err(
                    self.unsupported_at("JOIN without ON (USING, NATURAL, CROSS)", self.peek())
                );
            }
            self.expect_keyword("on")?;
            join = Some(Join { table: joined, kind, on: self.expr()? });
        }
    }

    fn table_ref(&mut self) -> Result<TableRef> {
        if self.at_op("(") {
            return Err(self.unsupported_at("subqueries in FROM", self.peek()));
        }
        if self.at_keyword("lateral") {
            return Err(self.unsupported_at("subqueries in FROM", self.peek()));
        }
        let _ = self.eat_keyword("only");
        let name = self.table_name()?;
        if self.at_op("(") {
            return Err(self.unsupported_at("functions in FROM", self.peek()));
        }
        let alias = self.alias()?;
        if alias.is_some() && self.at_op("(") {
            return Err(self.unsupported_at("column aliases in FROM", self.peek()));
        }
        if self.at_keyword("tablesample") {
            return Err(self.unsupported_at("TABLESAMPLE", self.peek()));
        }
        Ok(TableRef { name, alias })
    }

    fn order_items(&mut self) -> Result<Vec<OrderItem>> {
        let mut items = Vec::new();
        loop {
            let expr = self.expr()?;
            let desc = if self.eat_keyword("desc") {
                true
            } else {
                let _ = self.eat_keyword("asc");
                false
            };
            if self.at_keyword("using") {
                return Err(self.unsupported_at("ORDER BY ... USING", self.peek()));
            }
            let nulls_first = if self.eat_keyword("nulls") {
                if self.eat_keyword("first") {
                    Some(true)
                } else {
                    self.expect_keyword("last")?;
                    Some(false)
                }
            } else {
                None
            };
            items.push(OrderItem { expr, desc, nulls_first });
            if !self.eat_op(",") {
                return Ok(items);
            }
        }
    }
}

/// Whether `word` is one of `keywords` (lower case), compared without allocating.
pub(super) fn one_of(word: &str, keywords: &[&str]) -> bool {
    keywords.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// A keyword list in ascending order, searched by binary search: a name is checked against
/// the reserved words, the longest list, every time one is parsed. Almost every name (tables,
/// columns) is ruled out before any search by a Bloom filter: a bit per hash of the folded
/// word, set for each keyword's.
struct Keywords {
    sorted: &'static [&'static str],
    /// Bit `hash % FILTER_BITS` is set for each keyword's [`fold_hash`].
    filter: [u64; FILTER_BITS / 64],
}

/// The filter's size: 128 bytes a list. With the 78 reserved words, about one name in fourteen
/// passes it (and is then looked up).
const FILTER_BITS: usize = 1_024;

/// FNV-1a of `word` in ASCII lower case (a `const fn`: the filters are built at compile time).
const fn fold_hash(word: &[u8]) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < word.len() {
        hash = (hash ^ word[i].to_ascii_lowercase() as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    (hash >> 32) as usize % FILTER_BITS
}

impl Keywords {
    const fn new(sorted: &'static [&'static str]) -> Self {
        let mut filter = [0; FILTER_BITS / 64];
        let mut i = 0;
        while i < sorted.len() {
            let word = sorted[i].as_bytes();
            assert!(!word.is_empty() && word.len() <= LONGEST_KEYWORD);
            assert!(word[0].is_ascii_lowercase(), "keywords start with a lower-case letter");
            let bit = fold_hash(word);
            filter[bit / 64] |= 1 << (bit % 64);
            i += 1;
        }
        Keywords { sorted, filter }
    }

    /// Whether `word` is one of them, compared without allocating.
    fn contains(&self, word: &[u8]) -> bool {
        self.contains_hashed(word, fold_hash(word))
    }

    /// [`Keywords::contains`], given the word's [`fold_hash`] (to test it against two lists).
    fn contains_hashed(&self, word: &[u8], hash: usize) -> bool {
        if word.is_empty() || word.len() > LONGEST_KEYWORD || !self.may_contain(hash) {
            return false;
        }
        let folded = Folded::new(word);
        self.sorted.binary_search_by(|k| k.as_bytes().cmp(folded.as_bytes())).is_ok()
    }

    /// False when the filter rules out a word of this [`fold_hash`].
    fn may_contain(&self, hash: usize) -> bool {
        self.filter[hash / 64] & (1 << (hash % 64)) != 0
    }
}

/// Whether a word may not stand as a column or table name: a reserved keyword, or one that
/// may name only a type or a function. (Hashed once for both lists: every name asks.)
fn is_reserved_or_type_func_name(word: &[u8]) -> bool {
    let hash = fold_hash(word);
    RESERVED_KEYWORDS.contains_hashed(word, hash)
        || TYPE_FUNC_NAME_KEYWORDS.contains_hashed(word, hash)
}

/// No keyword is longer (`current_timestamp`, `concurrently`, ...).
const LONGEST_KEYWORD: usize = 24;

/// A word in ASCII lower case for matching against keywords, on the stack when
/// it is short (as every keyword is): parsing a statement folds many words.
pub(super) struct Folded {
    short: [u8; 24],
    len: usize,
    long: Option<String>,
}

impl Folded {
    pub(super) fn new(word: &[u8]) -> Self {
        let mut short = [0; 24];
        match short.get_mut(..word.len()) {
            Some(prefix) => {
                prefix.copy_from_slice(word);
                prefix.make_ascii_lowercase();
                Folded { short, len: word.len(), long: None }
            }
            None => {
                let long = String::from_utf8_lossy(word).to_ascii_lowercase();
                Folded { short, len: 0, long: Some(long) }
            }
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match &self.long {
            Some(long) => long.as_bytes(),
            None => &self.short[..self.len],
        }
    }

    pub(super) fn as_str(&self) -> &str {
        match &self.long {
            Some(long) => long,
            // ASCII folding keeps UTF-8 valid, so this never falls back.
            None => std::str::from_utf8(&self.short[..self.len]).unwrap_or_default(),
        }
    }
}

/// PostgreSQL's reserved keywords: not column names nor table names unless quoted (sorted).
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];
/// [`RESERVED`], searchable.
static RESERVED_KEYWORDS: Keywords = Keywords::new(RESERVED);

/// Whether `word` is one of [`RESERVED`].
pub(super) fn is_reserved(word: &(impl AsRef<[u8]> + ?Sized)) -> bool {
    RESERVED_KEYWORDS.contains(word.as_ref())
}

/// Keywords that may not stand as a column label without `AS` (sorted).
const NOT_BARE: &[&str] = &[
    "array",
    "as",
    "char",
    "character",
    "create",
    "day",
    "except",
    "fetch",
    "filter",
    "for",
    "from",
    "grant",
    "group",
    "having",
    "hour",
    "intersect",
    "into",
    "isnull",
    "limit",
    "minute",
    "month",
    "notnull",
    "offset",
    "on",
    "order",
    "over",
    "overlaps",
    "precision",
    "returning",
    "second",
    "to",
    "union",
    "varying",
    "where",
    "window",
    "with",
    "within",
    "without",
    "year",
];
/// [`NOT_BARE`], searchable.
static NOT_BARE_KEYWORDS: Keywords = Keywords::new(NOT_BARE);

/// Whether a word may stand as a column label without `AS` (PostgreSQL's `BareColLabel`, as
/// `pg_get_keywords()` lists them in PostgreSQL 15).
pub(super) fn is_bare_label(word: &str) -> bool {
    !NOT_BARE_KEYWORDS.contains(word.as_bytes())
}

/// Keywords that may name a type or a function but not a column or a table
/// (PostgreSQL's `type_func_name_keyword`, sorted).
const TYPE_FUNC_NAME: &[&str] = &[
    "authorization",
    "binary",
    "collation",
    "concurrently",
    "cross",
    "current_schema",
    "freeze",
    "full",
    "ilike",
    "inner",
    "is",
    "isnull",
    "join",
    "left",
    "like",
    "natural",
    "notnull",
    "outer",
    "overlaps",
    "right",
    "similar",
    "tablesample",
    "verbose",
];
/// [`TYPE_FUNC_NAME`], searchable.
static TYPE_FUNC_NAME_KEYWORDS: Keywords = Keywords::new(TYPE_FUNC_NAME);

/// Whether `word` is one of [`TYPE_FUNC_NAME`].
pub(super) fn is_type_func_name(word: &(impl AsRef<[u8]> + ?Sized)) -> bool {
    TYPE_FUNC_NAME_KEYWORDS.contains(word.as_ref())
}

/// Words that end an item or a table reference rather than alias it (`FROM t JOIN u`).
fn is_clause_word(word: &str) -> bool {
    const CLAUSE: &[&str] = &[
        "join",
        "inner",
        "left",
        "right",
        "full",
        "outer",
        "cross",
        "natural",
        "set",
        "values",
        "tablesample",
        "is",
        "isnull",
        "notnull",
        "like",
        "ilike",
        "similar",
        "between",
        "overlaps",
        "at",
        "rows",
        "row",
    ];
    one_of(word, CLAUSE)
}

/// The rows an INSERT, UPDATE or DELETE reads, as a query EXPLAIN can plan: the target
/// table's rows its WHERE keeps, or an INSERT's SELECT (None for `INSERT … VALUES`).
fn rows_written(write: &StatementKind) -> Option<Select> {
    let (table, filter) = match write {
        StatementKind::Update(update) => (&update.table, &update.filter),
        StatementKind::Delete(delete) => (&delete.table, &delete.filter),
        StatementKind::Insert(Insert { source: InsertSource::Select(select), .. }) => {
            return Some((**select).clone())
        }
        _ => return None,
    };
    Some(Select {
        distinct: false,
        items: vec![SelectItem::Wildcard],
        from: Some(table.clone()),
        join: None,
        filter: filter.clone(),
        group_by: Vec::new(),
        having: None,
        order_by: Vec::new(),
        limit: None,
        offset: None,
    })
}

/// EXPLAIN's options as written: None where the statement does not say.
#[derive(Default)]
struct ExplainOptions {
    analyze: Option<bool>,
    costs: Option<bool>,
    timing: Option<bool>,
    summary: Option<bool>,
}

impl ExplainOptions {
    /// The statement, with PostgreSQL's defaults and its one rule between the options.
    fn finish(
        self,
        select: Option<Select>,
        write: Option<Box<StatementKind>>,
    ) -> Result<StatementKind> {
        let analyze = self.analyze.unwrap_or(false);
        if self.timing == Some(true) && !analyze {
            return Err(SqlError::new("22023", "EXPLAIN option TIMING requires ANALYZE"));
        }
        Ok(StatementKind::Explain(Box::new(Explain {
            select,
            write,
            analyze,
            costs: self.costs.unwrap_or(true),
            timing: self.timing.unwrap_or(analyze),
            summary: self.summary.unwrap_or(analyze),
        })))
    }
}

#[cfg(test)]
mod tests;
