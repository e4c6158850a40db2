//! Expressions, by precedence climbing over PostgreSQL's operator precedence:
//!
//! | binds | operators | associativity |
//! |-------|-----------|---------------|
//! | loosest | `OR` | left |
//! | | `AND` | left |
//! | | `NOT` | prefix |
//! | | `IS [NOT] NULL`, `ISNULL`, `NOTNULL` | postfix |
//! | | `<` `>` `=` `<=` `>=` `<>` `!=` | none: `a = b = c` is an error |
//! | | `[NOT] BETWEEN`, `[NOT] IN`, `[NOT] LIKE`, `ILIKE` | |
//! | | `\|\|` (and any other operator) | left |
//! | | `+` `-` | left |
//! | | `*` `/` `%` | left |
//! | | `^` | left |
//! | | unary `+` `-` | prefix |
//! | tightest | `::` | postfix |
//!
//! Each parse records the depth of the tree it built ([`Parser::tree`]), so a chain like
//! `1+1+…+1` that a loop builds without recursing is still bounded.

use super::super::ast::*;
use super::super::error::SqlError;
use super::super::lexer::{Kind, Token};
use super::super::numeric::Numeric;
use super::super::value::Value;
use super::{Parser, Result, MAX_EXPRESSION_DEPTH};

/// Binding powers, loosest first.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const IS: u8 = 4;
const COMPARE: u8 = 5;
const MATCH: u8 = 6;
const OTHER: u8 = 7;
const ADD: u8 = 8;
const MUL: u8 = 9;
const POW: u8 = 10;
const UNARY: u8 = 11;

/// What an infix token does.
enum Infix {
    Binary(BinaryOp),
    /// `IS …`, `ISNULL`, `NOTNULL`.
    Is,
    /// `[NOT] BETWEEN|IN|LIKE|ILIKE|SIMILAR`.
    Match,
    /// `::`.
    Cast,
    /// An operator PostgreSQL has that the playground does not run.
    Unsupported(String),
}

impl Parser<'_> {
    /// A whole expression.
    pub(super) fn expr(&mut self) -> Result<Expr> {
        self.expr_bp(0)
    }

    /// An expression of operators binding tighter than `min`.
    fn expr_bp(&mut self, min: u8) -> Result<Expr> {
        self.depth += 1;
        if self.depth > MAX_EXPRESSION_DEPTH {
            return Err(SqlError::too_complex().at(self.peek().map(|t| t.pos + 1)));
        }
        let result = self.expr_loop(min);
        self.depth -= 1;
        result
    }

    fn expr_loop(&mut self, min: u8) -> Result<Expr> {
        let mut left = self.prefix()?;
        let mut left_tree = self.tree;
        while let Some(token) = self.peek() {
            let Some((infix, power)) = infix_of(token, self.peek_at(1)) else { break };
            if power <= min {
                break;
            }
            left = match infix {
                Infix::Binary(op) => {
                    self.next();
                    // Comparisons do not associate; the others are left-associative.
                    let right = self.expr_bp(power)?;
                    let expr = Expr::Binary { op, left: Box::new(left), right: Box::new(right) };
                    if power == COMPARE && self.peek().is_some_and(is_comparison) {
                        return Err(self.unexpected());
                    }
                    expr
                }
                Infix::Is => self.is_test(left)?,
                Infix::Match => {
                    let test = self.match_test(left)?;
                    // BETWEEN and LIKE do not associate either (an IN list, closed by its
                    // parenthesis, may be followed by another test).
                    let next = self.peek().map(|t| infix_of(t, self.peek_at(1)));
                    let in_list = matches!(test, Expr::InList { .. });
                    if !in_list && matches!(next, Some(Some((Infix::Match, _)))) {
                        return Err(self.unexpected());
                    }
                    test
                }
                Infix::Cast => {
                    self.next();
                    let (to, _) = self.data_type()?;
                    Expr::Cast { expr: Box::new(left), to }
                }
                Infix::Unsupported(op) => {
                    return Err(self.unsupported_at(format!("operator {op}"), Some(token)));
                }
            };
            left_tree = 1 + left_tree.max(self.tree);
            self.tree = left_tree;
            if left_tree > MAX_EXPRESSION_DEPTH {
                return Err(SqlError::too_complex().at(Some(token.pos + 1)));
            }
        }
        self.tree = left_tree;
        Ok(left)
    }

    /// `NOT x`, `-x`, `+x`, or a primary with its `::` casts.
    fn prefix(&mut self) -> Result<Expr> {
        let token = self.peek().ok_or_else(|| self.unexpected())?;
        if token.is_keyword("not") {
            self.next();
            let expr = self.expr_bp(NOT)?;
            self.tree += 1;
            return Ok(Expr::Unary { op: UnaryOp::Not, expr: Box::new(expr) });
        }
        if token.is_op("-") || token.is_op("+") {
            self.next();
            // `-42` is one literal (so i64::MIN works and indexes see a constant).
            let next_is_cast = self.peek_at(1).is_some_and(|t| t.is_op("::"));
            if token.is_op("-")
                && self.peek().is_some_and(|t| t.kind == Kind::Number)
                && !next_is_cast
            {
                let number = self.next().expect("peeked");
                self.tree = 1;
                return Ok(self.number(&format!("-{}", number.text), token));
            }
            let op = if token.is_op("-") { UnaryOp::Neg } else { UnaryOp::Plus };
            let expr = self.expr_bp(UNARY)?;
            self.tree += 1;
            return Ok(Expr::Unary { op, expr: Box::new(expr) });
        }
        let primary = self.primary()?;
        self.tree = self.tree.max(1);
        Ok(primary)
    }

    fn primary(&mut self) -> Result<Expr> {
        let token = self.peek().ok_or_else(|| self.unexpected())?;
        self.tree = 1;
        match token.kind {
            Kind::Number => {
                self.next();
                Ok(self.number(&token.text, token))
            }
            Kind::String => {
                self.next();
                Ok(Expr::Unknown { text: Value::text(token.text.as_str()), pos: self.pos(token) })
            }
            Kind::Param => {
                Err(self.unsupported_at(format!("parameters ({})", token.text), Some(token)))
            }
            Kind::Op if token.is_op("(") => self.parenthesized(),
            Kind::Op => Err(self.unexpected()),
            Kind::Quoted => self.column_or_call(),
            Kind::Word => self.word_primary(token),
        }
    }

    /// `( expr )`; a subquery or a row constructor is refused.
    fn parenthesized(&mut self) -> Result<Expr> {
        let open = self.next().expect("peeked");
        if self.at_keyword("select") || self.at_keyword("with") || self.at_keyword("values") {
            return Err(self.unsupported_at("subqueries", Some(open)));
        }
        let inner = self.expr_bp(0)?;
        let tree = self.tree;
        if self.at_op(",") {
            return Err(self.unsupported_at("row constructors ((a, b))", Some(open)));
        }
        self.expect_op(")")?;
        self.tree = tree;
        Ok(inner)
    }

    fn word_primary(&mut self, token: &Token) -> Result<Expr> {
        let folded = super::Folded::new(token.text.as_bytes());
        let word = folded.as_str();
        match word {
            "true" | "false" => {
                self.next();
                Ok(Expr::Literal(Value::Bool(word == "true")))
            }
            "null" => {
                self.next();
                Ok(Expr::Literal(Value::Null))
            }
            "case" => self.case(),
            "cast" => self.cast(),
            "interval"
                if self.peek_at(1).is_some_and(|t| {
                    matches!(t.kind, Kind::String | Kind::Number) || t.is_op("-")
                }) =>
            {
                self.next();
                self.interval(token)
            }
            "exists" if self.peek_at(1).is_some_and(|t| t.is_op("(")) => {
                Err(self.unsupported_at("subqueries", Some(token)))
            }
            "array" => Err(self.unsupported_at("arrays", Some(token))),
            "row" if self.peek_at(1).is_some_and(|t| t.is_op("(")) => {
                Err(self.unsupported_at("row constructors ((a, b))", Some(token)))
            }
            "current_time" | "localtime" => Err(self.unsupported_at(
                format!(
                    "{} (the playground has timestamps and dates, not the time type)",
                    word.to_ascii_uppercase()
                ),
                Some(token),
            )),
            "current_date" if self.peek_at(1).is_some_and(|t| t.is_op("(")) => {
                self.next();
                Err(self.unexpected())
            }
            "current_timestamp" | "current_date" | "localtimestamp" | "current_user"
            | "session_user" | "current_role" | "current_catalog" | "user" => {
                self.next();
                if self.at_op("(") {
                    return Err(self.unsupported_at(
                        format!("{} with a precision", word.to_ascii_uppercase()),
                        Some(token),
                    ));
                }
                let name = if word == "user" { "current_user" } else { word }.to_string();
                Ok(Expr::Function { name, args: Vec::new(), pos: self.pos(token) })
            }
            "extract" | "substring" | "trim" | "position"
                if self.peek_at(1).is_some_and(|t| t.is_op("(")) && self.special_syntax(word) =>
            {
                self.special_call(word, token)
            }
            "overlay" | "collation"
                if self.peek_at(1).is_some_and(|t| t.is_op("(")) && self.special_syntax(word) =>
            {
                Err(self.unsupported_at(
                    format!("{}(... FROM ...)", word.to_ascii_uppercase()),
                    Some(token),
                ))
            }
            _ if self.typed_literal_follows(word) => self.typed_literal(),
            _ => self.column_or_call(),
        }
    }

    /// Whether `substring(x FROM 2)`-style syntax follows (a keyword inside the parentheses);
    /// the plain call `substring(x, 2)` parses as a function call.
    fn special_syntax(&self, word: &str) -> bool {
        let keywords: &[&str] = match word {
            // PostgreSQL has no plain call of these: `position(a, b)` is a syntax error.
            "extract" | "collation" | "position" => return true,
            "trim" => &["from", "both", "leading", "trailing"],
            _ => &["from", "for", "placing", "similar"],
        };
        let mut depth = 0i32;
        for token in &self.tokens[self.at + 1..] {
            if token.is_op("(") {
                depth += 1;
            } else if token.is_op(")") {
                depth -= 1;
                if depth == 0 {
                    return false;
                }
            } else if depth == 1 && keywords.iter().any(|k| token.is_keyword(k)) {
                return true;
            }
        }
        false
    }

    /// PostgreSQL's keyword forms, as plain calls: `extract(field FROM t)` is
    /// `extract('field', t)`, `substring(s FROM a FOR n)` is `substring(s, a, n)`,
    /// `position(sub IN s)` is `position(s, sub)` (`strpos`'s order), and
    /// `trim([BOTH | LEADING | TRAILING] [chars] FROM s)` is `btrim`/`ltrim`/`rtrim(s, chars)`.
    fn special_call(&mut self, word: &str, start: &Token) -> Result<Expr> {
        self.next();
        self.expect_op("(")?;
        let pos = self.pos(start);
        let call =
            |name: &str, args: Vec<Expr>| Expr::Function { name: name.to_string(), args, pos };
        let expr = match word {
            "extract" => {
                let field = self.next().ok_or_else(|| self.unexpected())?;
                let field = match field.kind {
                    Kind::Word | Kind::String => field.text.to_ascii_lowercase(),
                    _ => return Err(self.unexpected()),
                };
                self.expect_keyword("from")?;
                let from = self.expr_bp(0)?;
                call("extract", vec![Expr::Literal(Value::text(field)), from])
            }
            "position" => {
                // Its operands are b_exprs: the first ends before `IN`.
                let substring = self.expr_bp(MATCH)?;
                self.expect_keyword("in")?;
                let text = self.expr_bp(MATCH)?;
                call("position", vec![text, substring])
            }
            "substring" => {
                let text = self.expr_bp(0)?;
                let from = if self.eat_keyword("from") {
                    self.expr_bp(0)?
                } else {
                    Expr::Literal(Value::Int(1))
                };
                let mut args = vec![text, from];
                if self.eat_keyword("for") {
                    args.push(self.expr_bp(0)?);
                }
                call("substring", args)
            }
            _ => {
                let name = if self.eat_keyword("leading") {
                    "ltrim"
                } else if self.eat_keyword("trailing") {
                    "rtrim"
                } else {
                    let _ = self.eat_keyword("both");
                    "btrim"
                };
                if self.eat_keyword("from") {
                    let text = self.expr_bp(0)?;
                    call(name, vec![text])
                } else {
                    let first = self.expr_bp(0)?;
                    if self.eat_keyword("from") {
                        let text = self.expr_bp(0)?;
                        call(name, vec![text, first])
                    } else {
                        call(name, vec![first])
                    }
                }
            }
        };
        self.expect_op(")")?;
        self.tree += 1;
        Ok(expr)
    }

    /// A column (`c`, `t.c`, `s.t.c`) or a function call (`f(…)`, `s.f(…)`).
    fn column_or_call(&mut self) -> Result<Expr> {
        let first = self.peek().expect("peeked");
        // `left(s, 2)`: keywords that only name functions are calls, never columns.
        if first.kind == Kind::Word
            && super::is_type_func_name(&first.text)
            && self.peek_at(1).is_some_and(|t| t.is_op("("))
        {
            let name = self.label_name()?;
            return self.call(name, first);
        }
        let mut parts = vec![self.name()?];
        while self.at_op(".")
            && self.peek_at(1).is_some_and(|t| matches!(t.kind, Kind::Word | Kind::Quoted))
        {
            self.next();
            parts.push(self.label_name()?);
        }
        if self.at_op("(") {
            let name = parts.pop().expect("at least one part");
            return self.call(name, first);
        }
        match parts.as_slice() {
            [column] => {
                Ok(Expr::Column { table: None, name: column.name.clone(), pos: column.pos })
            }
            [table, column] | [_, table, column] => Ok(Expr::Column {
                table: Some(table.name.clone()),
                name: column.name.clone(),
                pos: table.pos,
            }),
            _ => Err(self.unsupported_at(
                format!(
                    "name {}",
                    parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".")
                ),
                Some(first),
            )),
        }
    }

    /// A name part after a dot: any word (reserved ones too, as PostgreSQL allows there).
    fn label_name(&mut self) -> Result<Name> {
        let token = self.peek().ok_or_else(|| self.unexpected())?;
        let pos = self.pos(token);
        Ok(Name { name: self.label()?, pos })
    }

    /// `name(…)`: an aggregate or a scalar function.
    fn call(&mut self, name: Name, start: &Token) -> Result<Expr> {
        let name_pos = name.pos;
        self.expect_op("(")?;
        let distinct = self.eat_keyword("distinct");
        if !distinct {
            let _ = self.eat_keyword("all");
        }
        let mut args = Vec::new();
        let mut star = false;
        let mut tree = 0;
        if self.eat_op("*") {
            star = true;
        } else if !self.at_op(")") {
            loop {
                if self.peek_at(1).is_some_and(|t| t.is_op("=>")) || self.at_keyword("variadic") {
                    return Err(
                        self.unsupported_at("named or VARIADIC function arguments", self.peek())
                    );
                }
                args.push(self.expr_bp(0)?);
                tree = tree.max(self.tree);
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        if self.at_keyword("order") {
            return Err(self.unsupported_at("ORDER BY/LIMIT inside a function call", self.peek()));
        }
        self.expect_op(")")?;
        self.tree = tree + 1;
        if self.at_keyword("over") {
            return Err(self.unsupported_at("window functions (OVER)", self.peek()));
        }
        if self.at_keyword("filter") || self.at_keyword("within") {
            return Err(self.unsupported_at("FILTER / WITHIN GROUP", self.peek()));
        }
        if let Some(func) = AggFunc::from_name(&name.name) {
            let arg = match (star, args.as_slice()) {
                (true, []) if func == AggFunc::Count => None,
                (false, [arg]) => Some(Box::new(arg.clone())),
                _ => {
                    return Err(SqlError::undefined_function(&format!("{}(...)", name.name))
                        .at(Some(start.pos + 1)))
                }
            };
            return Ok(Expr::Aggregate { func, arg, distinct, pos: name.pos });
        }
        if star || distinct {
            return Err(SqlError::new(
                "42809",
                format!("{} is not an aggregate function", name.name),
            )
            .at(Some(start.pos + 1)));
        }
        // `trim(s)` is PostgreSQL's `btrim(s)`, and is named so in the output.
        let name = if name.name == "trim" { "btrim".to_string() } else { name.name };
        Ok(Expr::Function { name, args, pos: name_pos })
    }

    /// A number literal; one too large for `numeric` is reported once the syntax is checked.
    fn number(&mut self, digits: &str, token: &Token) -> Expr {
        number_literal(digits).unwrap_or_else(|error| {
            self.defer(error.at(Some(token.pos + 1)));
            Expr::Literal(Value::Null)
        })
    }

    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    fn case(&mut self) -> Result<Expr> {
        self.expect_keyword("case")?;
        let mut tree = 0;
        let operand = if self.at_keyword("when") {
            None
        } else {
            let operand = self.expr_bp(0)?;
            tree = self.tree;
            Some(Box::new(operand))
        };
        let mut whens = Vec::new();
        while self.eat_keyword("when") {
            let when = self.expr_bp(0)?;
            tree = tree.max(self.tree);
            self.expect_keyword("then")?;
            let then = self.expr_bp(0)?;
            tree = tree.max(self.tree);
            whens.push((when, then));
        }
        if whens.is_empty() {
            return Err(self.unexpected());
        }
        let otherwise = if self.eat_keyword("else") {
            let otherwise = self.expr_bp(0)?;
            tree = tree.max(self.tree);
            Some(Box::new(otherwise))
        } else {
            None
        };
        self.expect_keyword("end")?;
        self.tree = tree + 1;
        Ok(Expr::Case { operand, whens, otherwise })
    }

    /// `CAST(expr AS type)`.
    fn cast(&mut self) -> Result<Expr> {
        self.expect_keyword("cast")?;
        self.expect_op("(")?;
        let expr = self.expr_bp(0)?;
        let tree = self.tree;
        self.expect_keyword("as")?;
        let (to, _) = self.data_type()?;
        self.expect_op(")")?;
        self.tree = tree + 1;
        Ok(Expr::Cast { expr: Box::new(expr), to })
    }

    /// After `x IS`: `[NOT] NULL`, and `x ISNULL`, `x NOTNULL`.
    fn is_test(&mut self, left: Expr) -> Result<Expr> {
        let token = self.next().expect("peeked");
        let negated = if token.is_keyword("isnull") {
            false
        } else if token.is_keyword("notnull") {
            true
        } else {
            let negated = self.eat_keyword("not");
            if !self.eat_keyword("null") {
                let what = self.peek();
                return match what {
                    Some(t)
                        if [
                            "true",
                            "false",
                            "unknown",
                            "distinct",
                            "document",
                            "normalized",
                            "json",
                        ]
                        .iter()
                        .any(|w| t.is_keyword(w)) =>
                    {
                        Err(self
                            .unsupported_at(format!("IS {}", t.text.to_ascii_uppercase()), Some(t)))
                    }
                    _ => Err(self.unexpected()),
                };
            }
            negated
        };
        Ok(Expr::IsNull { expr: Box::new(left), negated })
    }

    /// After `x`: `[NOT] BETWEEN a AND b`, `[NOT] IN (…)`, `[NOT] LIKE|ILIKE p`.
    fn match_test(&mut self, left: Expr) -> Result<Expr> {
        let negated = self.eat_keyword("not");
        let token = self.next().ok_or_else(|| self.unexpected())?;
        let word = super::Folded::new(token.text.as_bytes());
        let expr = Box::new(left);
        match word.as_str() {
            "between" => {
                if self.at_keyword("symmetric") {
                    return Err(self.unsupported_at("BETWEEN SYMMETRIC", self.peek()));
                }
                let _ = self.eat_keyword("asymmetric");
                // The low bound is PostgreSQL's b_expr: no NOT (nor AND, OR, IS, LIKE, IN).
                if self.at_keyword("not") {
                    return Err(self.unexpected());
                }
                let low = self.expr_bp(MATCH)?;
                let low_tree = self.tree;
                self.expect_keyword("and")?;
                let high = self.expr_bp(MATCH)?;
                self.tree = self.tree.max(low_tree);
                Ok(Expr::Between { expr, low: Box::new(low), high: Box::new(high), negated })
            }
            "in" => {
                self.expect_op("(")?;
                if self.at_keyword("select") || self.at_keyword("with") || self.at_keyword("values")
                {
                    return Err(self.unsupported_at("subqueries", Some(token)));
                }
                let mut list = Vec::new();
                let mut tree = 0;
                loop {
                    list.push(self.expr_bp(0)?);
                    tree = tree.max(self.tree);
                    if !self.eat_op(",") {
                        break;
                    }
                }
                self.expect_op(")")?;
                self.tree = tree;
                Ok(Expr::InList { expr, list, negated })
            }
            "like" | "ilike" => {
                let pattern = self.expr_bp(MATCH)?;
                if self.at_keyword("escape") {
                    return Err(self.unsupported_at("LIKE ... ESCAPE", self.peek()));
                }
                Ok(Expr::Like {
                    expr,
                    pattern: Box::new(pattern),
                    negated,
                    case_insensitive: word.as_str() == "ilike",
                })
            }
            "similar" => Err(self.unsupported_at("SIMILAR TO", Some(token))),
            _ => Err(self.unexpected()),
        }
    }

    /// `INTERVAL '1 day'`, `INTERVAL '2' HOUR`, and the lesson's `INTERVAL 1 DAY`.
    fn interval(&mut self, keyword: &Token) -> Result<Expr> {
        let negative = self.eat_op("-");
        let value = self.next().ok_or_else(|| self.unexpected())?;
        let mut text = match value.kind {
            Kind::String | Kind::Number => value.text.to_string(),
            _ => return Err(self.unexpected()),
        };
        if negative {
            if value.kind != Kind::Number {
                return Err(self.unsupported_at("computed INTERVAL values", Some(keyword)));
            }
            text = format!("-{text}");
        }
        let unit =
            self.peek().filter(|t| t.kind == Kind::Word && is_interval_unit(&t.text)).cloned();
        if unit.is_some() {
            self.next();
        }
        if self.at_keyword("to") {
            return Err(self.unsupported_at("INTERVAL ... TO ...", self.peek()));
        }
        let at = Some(value.pos + 1);
        let interval = match unit {
            Some(unit) if Numeric::parse(&text).is_some() => {
                if value.kind == Kind::Number {
                    let unit = unit.text.to_ascii_lowercase();
                    self.notices.push(format!(
                        "NOTICE:  INTERVAL {text} {} is MySQL's syntax, which PostgreSQL rejects (syntax error at or near \"{}\"); PostgreSQL writes INTERVAL '{text} {unit}'",
                        unit.to_ascii_uppercase(),
                        value.text
                    ));
                }
                super::super::time::Interval::of_unit(&text, &unit.text.to_ascii_lowercase())
            }
            _ if value.kind == Kind::Number => return Err(self.unexpected()),
            _ => super::super::time::Interval::parse(&text),
        };
        self.tree = 1;
        Ok(Expr::Literal(Value::interval(interval.map_err(|e| e.at(at))?)))
    }
}

/// What a token does after an expression, and how tightly it binds. A keyword that could
/// also be a bare column label (`SELECT 'x' IN`) is an operator only if what follows can
/// continue it.
fn infix_of(token: &Token, next: Option<&Token>) -> Option<(Infix, u8)> {
    if token.kind == Kind::Word {
        let word = super::Folded::new(token.text.as_bytes());
        let operand_follows = next.is_some_and(starts_operand);
        let continues = match word.as_str() {
            "or" | "and" | "like" | "ilike" | "between" => operand_follows,
            "in" => next.is_some_and(|n| n.is_op("(")),
            "is" => next.is_some_and(|n| n.kind == Kind::Word),
            "similar" => next.is_some_and(|n| n.is_keyword("to")),
            _ => true,
        };
        if !continues {
            return None;
        }
        return match word.as_str() {
            "or" => Some((Infix::Binary(BinaryOp::Or), OR)),
            "and" => Some((Infix::Binary(BinaryOp::And), AND)),
            "is" | "isnull" | "notnull" => Some((Infix::Is, IS)),
            "between" | "in" | "like" | "ilike" | "similar" => Some((Infix::Match, MATCH)),
            "not"
                if next.is_some_and(|n| {
                    ["between", "in", "like", "ilike", "similar"].iter().any(|w| n.is_keyword(w))
                }) =>
            {
                Some((Infix::Match, MATCH))
            }
            "collate" => Some((Infix::Unsupported("COLLATE".into()), UNARY + 1)),
            "at" if next.is_some_and(|n| n.is_keyword("time")) => {
                Some((Infix::Unsupported("AT TIME ZONE".into()), UNARY + 1))
            }
            _ => None,
        };
    }
    if token.kind != Kind::Op {
        return None;
    }
    let binary = |op, power| Some((Infix::Binary(op), power));
    // Byte patterns: a match on `&str` compares the text with each arm in turn, and this
    // runs after every operand (most often to find a `,` or a `)`).
    match token.text.as_bytes() {
        [b'(' | b')' | b',' | b';' | b'.' | b']' | b':'] => None,
        [b'='] => binary(BinaryOp::Eq, COMPARE),
        [b'<', b'>'] | [b'!', b'='] => binary(BinaryOp::NotEq, COMPARE),
        [b'<'] => binary(BinaryOp::Lt, COMPARE),
        [b'<', b'='] => binary(BinaryOp::LtEq, COMPARE),
        [b'>'] => binary(BinaryOp::Gt, COMPARE),
        [b'>', b'='] => binary(BinaryOp::GtEq, COMPARE),
        [b'|', b'|'] => binary(BinaryOp::Concat, OTHER),
        [b'+'] => binary(BinaryOp::Add, ADD),
        [b'-'] => binary(BinaryOp::Sub, ADD),
        [b'*'] => binary(BinaryOp::Mul, MUL),
        [b'/'] => binary(BinaryOp::Div, MUL),
        [b'%'] => binary(BinaryOp::Mod, MUL),
        [b'^'] => Some((Infix::Unsupported("^".into()), POW)),
        [b':', b':'] => Some((Infix::Cast, UNARY + 1)),
        [b'['] => Some((Infix::Unsupported("[] (arrays)".into()), UNARY + 2)),
        _ => Some((Infix::Unsupported(token.text.to_string()), OTHER)),
    }
}

/// Whether a token can begin an operand (a literal, a name, a parenthesis, a prefix operator).
fn starts_operand(token: &Token) -> bool {
    match token.kind {
        Kind::Number | Kind::String | Kind::Quoted | Kind::Param => true,
        Kind::Op => ["(", "-", "+"].contains(&token.text.as_str()),
        Kind::Word => super::is_bare_label(&token.text) || token.is_keyword("array"),
    }
}

fn is_comparison(token: &Token) -> bool {
    token.kind == Kind::Op
        && matches!(
            token.text.as_bytes(),
            [b'=' | b'<' | b'>'] | [b'<', b'>'] | [b'!' | b'<' | b'>', b'=']
        )
}

fn is_interval_unit(word: &str) -> bool {
    const UNITS: &[&str] = &[
        "year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
        "minute", "minutes", "second", "seconds",
    ];
    super::one_of(word, UNITS)
}

/// A number literal: `Int` when it fits, else `Numeric`.
pub(super) fn number_literal(digits: &str) -> Result<Expr> {
    if let Ok(int) = digits.parse::<i64>() {
        return Ok(Expr::Literal(Value::Int(int)));
    }
    Numeric::parse(digits)
        .map(|n| Expr::Literal(Value::Numeric(n)))
        .ok_or_else(SqlError::numeric_overflow)
}
