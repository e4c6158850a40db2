//! Type names as PostgreSQL writes them — `integer`, `numeric(10,2)`, `character varying(20)`,
//! `timestamp without time zone`, `serial` — and typed literals (`TIMESTAMP '2026-01-05'`).
//! PostgreSQL types the playground does not model are refused as such; names that are no type
//! at all are `type "x" does not exist`.

use super::super::ast::Expr;
use super::super::error::SqlError;
use super::super::lexer::Kind;
use super::super::schema::DataType;
use super::super::value::Value;
use super::{Parser, Result};

/// PostgreSQL's built-in types the playground has no values for.
const OTHER_TYPES: &[&str] = &[
    "bit",
    "box",
    "bytea",
    "cidr",
    "circle",
    "daterange",
    "inet",
    "int4range",
    "int8range",
    "json",
    "jsonb",
    "jsonpath",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numrange",
    "oid",
    "path",
    "pg_lsn",
    "point",
    "polygon",
    "regclass",
    "time",
    "timetz",
    "tsquery",
    "tsrange",
    "tstzrange",
    "tsvector",
    "uuid",
    "varbit",
    "xml",
];

impl Parser<'_> {
    /// A type name; the flag is true for `SERIAL`/`BIGSERIAL`.
    pub(super) fn data_type(&mut self) -> Result<(DataType, bool)> {
        let token = self.peek().ok_or_else(|| self.unexpected())?;
        let start = token.pos;
        let mut name = match token.kind {
            Kind::Word if !super::is_reserved(&token.text) => token.text.to_ascii_lowercase(),
            Kind::Quoted => token.text.to_string(),
            _ => return Err(self.unexpected()),
        };
        self.next();
        if name == "pg_catalog" && self.eat_op(".") {
            name = self.label()?;
        }
        let plain = |t| Ok((t, false));
        let result = match name.as_str() {
            "int" | "integer" | "int4" | "smallint" | "int2" => plain(DataType::Integer),
            "bigint" | "int8" => plain(DataType::BigInt),
            "serial" | "serial4" | "smallserial" | "serial2" => Ok((DataType::Integer, true)),
            "bigserial" | "serial8" => Ok((DataType::BigInt, true)),
            "numeric" | "decimal" | "dec" => plain(DataType::Numeric(self.numeric_limits()?)),
            "text" => plain(DataType::Text),
            "varchar" => plain(DataType::Varchar(self.length()?)),
            "character" | "char" => {
                let _ = self.eat_keyword("varying");
                plain(DataType::Varchar(self.length()?))
            }
            "bool" | "boolean" => plain(DataType::Boolean),
            "timestamp" => {
                self.precision()?;
                if self.eat_keywords(&["with", "time", "zone"]) {
                    // A point in time; the simulation's clock is UTC, so it is one timestamp.
                } else {
                    let _ = self.eat_keywords(&["without", "time", "zone"]);
                }
                plain(DataType::Timestamp)
            }
            "date" => plain(DataType::Date),
            "timestamptz" => {
                self.precision()?;
                plain(DataType::Timestamp)
            }
            "interval" => {
                while self.peek().is_some_and(|t| t.kind == Kind::Word && is_field(&t.text)) {
                    self.next();
                }
                let _ = self.eat_keyword("to")
                    && self.peek().is_some_and(|t| is_field(&t.text))
                    && self.next().is_some();
                self.precision()?;
                plain(DataType::Interval)
            }
            "double" if self.at_keyword("precision") => {
                self.next();
                Err(SqlError::unsupported("floating-point types (use NUMERIC for exact values)"))
            }
            "real" | "float" | "float4" | "float8" => {
                self.precision()?;
                Err(SqlError::unsupported("floating-point types (use NUMERIC for exact values)"))
            }
            other if OTHER_TYPES.contains(&other) => {
                Err(SqlError::unsupported(format!("type {other}")))
            }
            other => {
                let error = SqlError::new("42704", format!("type \"{other}\" does not exist"));
                self.defer(error.at(Some(start + 1)));
                plain(DataType::Text)
            }
        };
        if self.at_op("[") {
            return Err(self.unsupported_at("arrays", self.peek()));
        }
        result
    }

    /// `(p[, s])` after `numeric`, checked as PostgreSQL checks it.
    fn numeric_limits(&mut self) -> Result<Option<(u32, u32)>> {
        if !self.eat_op("(") {
            return Ok(None);
        }
        let precision = self.integer()?;
        let scale = if self.eat_op(",") { self.integer()? } else { 0 };
        self.expect_op(")")?;
        let max_precision = 38;
        if !(1..=max_precision).contains(&precision) {
            self.defer(SqlError::new(
                "22023",
                format!("NUMERIC precision {precision} must be between 1 and {max_precision}"),
            ));
            return Ok(None);
        }
        if scale < 0 || scale > precision || scale > i64::from(super::super::numeric::MAX_SCALE) {
            self.defer(SqlError::new(
                "22023",
                format!("NUMERIC scale {scale} must be between 0 and precision {precision}"),
            ));
            return Ok(None);
        }
        Ok(Some((precision as u32, scale as u32)))
    }

    /// `(n)` after `varchar`.
    fn length(&mut self) -> Result<Option<u32>> {
        if !self.eat_op("(") {
            return Ok(None);
        }
        let length = self.integer()?;
        self.expect_op(")")?;
        match u32::try_from(length) {
            Ok(n) if (1..=10_485_760).contains(&n) => Ok(Some(n)),
            _ => {
                let error = SqlError::new(
                    "22023",
                    "length for type varchar must be between 1 and 10485760",
                );
                self.defer(error);
                Ok(None)
            }
        }
    }

    /// An optional `(p)` precision (fractional seconds, float bits): accepted, not kept.
    fn precision(&mut self) -> Result<()> {
        if self.eat_op("(") {
            self.integer()?;
            self.expect_op(")")?;
        }
        Ok(())
    }

    /// A whole number in a type modifier.
    fn integer(&mut self) -> Result<i64> {
        let negative = self.eat_op("-");
        let token =
            self.peek().filter(|t| t.kind == Kind::Number).ok_or_else(|| self.unexpected())?;
        let value: i64 = token.text.parse().map_err(|_| self.unexpected())?;
        self.next();
        Ok(if negative { -value } else { value })
    }

    /// Whether `word 'text'` — a typed literal such as `TIMESTAMP '2026-01-05 09:00'` — is
    /// next: any type name followed by a string, as PostgreSQL reads it.
    pub(super) fn typed_literal_follows(&self, word: &str) -> bool {
        let next = self.peek_at(1);
        let string_follows = next.is_some_and(|t| t.kind == Kind::String);
        (string_follows && !super::is_reserved(word))
            || (word == "timestamp"
                && next.is_some_and(|t| t.is_keyword("with") || t.is_keyword("without")))
    }

    /// `type 'text'`: the text cast to the type.
    pub(super) fn typed_literal(&mut self) -> Result<Expr> {
        let (to, _) = self.data_type()?;
        let token =
            self.peek().filter(|t| t.kind == Kind::String).ok_or_else(|| self.unexpected())?;
        self.next();
        self.tree = 2;
        let text = Expr::Unknown { text: Value::text(token.text.as_str()), pos: self.pos(token) };
        Ok(Expr::Cast { expr: Box::new(text), to })
    }
}

/// Interval fields (`INTERVAL DAY TO SECOND`).
fn is_field(word: &str) -> bool {
    super::one_of(word, &["year", "month", "day", "hour", "minute", "second"])
}
