//! Binding names to row positions, then evaluating expressions on rows.
//!
//! Binding happens once per statement, before any row is read, so that
//! `column "x" does not exist` is reported even for an empty table:
//!
//! ```text
//!   scope (FROM orders o JOIN users u):  0 o.id  1 o.user_id  2 u.id  3 u.name
//!   WHERE u.name = 'ann' AND user_id > 3   ──bind──►   Slot(3) = 'ann' AND Slot(1) > 3
//! ```
//!
//! Evaluation follows SQL's three-valued logic: comparisons with NULL are
//! NULL, `NULL AND false` is false, `NULL OR true` is true, and a `WHERE`
//! keeps a row only when its condition is true. A string literal takes the
//! type of what it meets (PostgreSQL's `unknown` literals): `user_id = '101'`
//! compares as integers and `user_id = 'abc'` is
//! `invalid input syntax for type integer: "abc"`. All integer arithmetic is
//! checked.

use std::cmp::Ordering;

use super::ast::{BinaryOp, Expr, Pos, UnaryOp};
use super::error::SqlError;
use super::functions;
use super::numeric::Numeric;
use super::schema::DataType;
use super::time::Interval;
use super::value::Value;
use super::Env;

type Result<T> = std::result::Result<T, SqlError>;

/// One column visible to expressions: which table (alias) it belongs to, its name and type.
#[derive(Clone, Debug)]
pub struct ScopeColumn<'a> {
    /// The table's visible name (alias or table name).
    pub table: &'a str,
    /// Column name.
    pub name: &'a str,
    /// Declared type.
    pub data_type: DataType,
}

/// The columns of the row an expression is evaluated on, in slot order.
#[derive(Clone, Debug, Default)]
pub struct Scope<'a> {
    /// Columns in slot order (borrowed from the tables' schemas and the statement).
    pub columns: Vec<ScopeColumn<'a>>,
}

impl Scope<'_> {
    /// Slot of `table.name` or `name`.
    pub fn resolve(&self, table: Option<&str>, name: &str, pos: Pos) -> Result<usize> {
        if let Some(table) = table {
            if !self.columns.iter().any(|c| c.table == table) {
                return Err(SqlError::new(
                    "42P01",
                    format!("missing FROM-clause entry for table \"{table}\""),
                )
                .at(pos.0));
            }
            return self
                .columns
                .iter()
                .position(|c| c.table == table && c.name == name)
                .ok_or_else(|| {
                    let error =
                        SqlError::new("42703", format!("column {table}.{name} does not exist"));
                    self.with_suggestion(error, Some(table), name).at(pos.0)
                });
        }
        let mut matches = self.columns.iter().enumerate().filter(|(_, c)| c.name == name);
        match (matches.next(), matches.next()) {
            (Some((slot, _)), None) => Ok(slot),
            (Some(_), Some(_)) => Err(SqlError::ambiguous_column(name).at(pos.0)),
            (None, _) => {
                let error = SqlError::undefined_column(name);
                Err(self.with_suggestion(error, None, name).at(pos.0))
            }
        }
    }

    /// PostgreSQL's `HINT:  Perhaps you meant to reference the column "o.user_id".` for a
    /// misspelt column: the closest names within 3 edits and half the typed name's length;
    /// one or two equally close ones are offered, more are not.
    fn with_suggestion(&self, error: SqlError, table: Option<&str>, typed: &str) -> SqlError {
        let limit = 3.min(typed.chars().count() / 2);
        let mut best: Vec<(usize, &ScopeColumn)> = self
            .columns
            .iter()
            .filter(|c| table.is_none_or(|t| c.table == t))
            .map(|c| (levenshtein(typed, c.name), c))
            .filter(|(distance, _)| *distance <= limit)
            .collect();
        let Some(closest) = best.iter().map(|(d, _)| *d).min() else { return error };
        best.retain(|(d, _)| *d == closest);
        let named = |c: &ScopeColumn| format!("the column \"{}.{}\"", c.table, c.name);
        match best.as_slice() {
            [(_, only)] => error.hint(format!("Perhaps you meant to reference {}.", named(only))),
            [(_, a), (_, b)] => {
                error.hint(format!("Perhaps you meant to reference {} or {}.", named(a), named(b)))
            }
            _ => error,
        }
    }

    /// `table.column` for a slot, as used in GROUP BY errors.
    pub fn qualified_name(&self, slot: usize) -> String {
        self.columns.get(slot).map(|c| format!("{}.{}", c.table, c.name)).unwrap_or_default()
    }
}

/// Where an expression appears, which decides whether aggregates are allowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clause {
    /// Select list, HAVING, ORDER BY: aggregates allowed.
    Select,
    /// Any other clause, named as PostgreSQL names it in
    /// `aggregate functions are not allowed in WHERE`.
    NoAggregates(&'static str),
}

/// Replaces column names with slots and checks functions exist.
pub fn bind(expr: &Expr, scope: &Scope, clause: Clause) -> Result<Expr> {
    match expr {
        Expr::Column { table, name, pos } => {
            Ok(Expr::Slot(scope.resolve(table.as_deref(), name, *pos)?))
        }
        Expr::Function { name, args, pos } => bind_function(name, args, *pos, scope, clause),
        Expr::Unknown { text, .. } => Ok(Expr::Literal(text.clone())),
        Expr::Aggregate { func, arg, distinct, pos } => {
            if let Clause::NoAggregates(place) = clause {
                return Err(SqlError::grouping(format!(
                    "aggregate functions are not allowed in {place}"
                ))
                .at(pos.0));
            }
            let inner = Clause::NoAggregates("aggregate function calls");
            let arg = match arg {
                Some(a) => Some(Box::new(bind(a, scope, inner).map_err(nested_aggregate)?)),
                None => None,
            };
            Ok(Expr::Aggregate { func: *func, arg, distinct: *distinct, pos: *pos })
        }
        _ => {
            check_unknown_operands(expr, scope, clause)?;
            let bound = expr.try_map_children(&mut |e| bind(e, scope, clause))?;
            if let Expr::Binary { op, left, right } = &bound {
                check_comparable(*op, left, right, scope)?;
                // integer op integer is an integer in PostgreSQL: past 2^31 it is out of
                // range, not a bigint.
                let arithmetic = matches!(
                    op,
                    BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod
                );
                if arithmetic && is_int4(left, scope) && is_int4(right, scope) {
                    return Ok(Expr::Cast { expr: Box::new(bound), to: DataType::Integer });
                }
            }
            Ok(bound)
        }
    }
}

/// Checks that a string literal reads as a value of `to`, pointing at it when it does not,
/// as PostgreSQL does when it coerces an `unknown` literal while analysing the statement:
/// `WHERE user_id = 'abc'` fails even on an empty table. Only the input is checked here; a
/// length or precision limit is checked where the value is stored (with no position).
/// Returns the value read, when the literal was read as another type than text (an INSERT
/// stores it rather than reading the text twice).
pub fn check_unknown(expr: &Expr, to: &DataType) -> Result<Option<Value>> {
    let Expr::Unknown { text, pos } = expr else { return Ok(None) };
    let input = match to {
        DataType::Numeric(_) => DataType::Numeric(None),
        // Any text reads as text (a varchar's length is checked where it is stored).
        DataType::Text | DataType::Varchar(_) => return Ok(None),
        other => other.clone(),
    };
    input.cast(text.clone()).map(Some).map_err(|e| e.at(pos.0))
}

/// Checks a string literal cast to a type (`'abc'::integer`, `DATE 'x'`), and those an
/// operator, `IN` or `BETWEEN` meets with a typed operand (`n = 'x'`, `id IN (1, 'q')`,
/// `1 + 'abc'`), as the type PostgreSQL's operator resolution gives them.
fn check_unknown_operands(expr: &Expr, scope: &Scope, clause: Clause) -> Result<()> {
    let check = |unknown: &Expr, other: &Expr, op: Option<BinaryOp>| {
        if !matches!(unknown, Expr::Unknown { .. }) || matches!(other, Expr::Unknown { .. }) {
            return Ok(());
        }
        let Some(known) = known_type(&bind(other, scope, clause)?, scope) else { return Ok(()) };
        let as_type = match op {
            Some(op) => unknown_operand_type(op, known),
            None => Some(known),
        };
        as_type.map_or(Ok(()), |as_type| check_unknown(unknown, &as_type).map(drop))
    };
    match expr {
        Expr::Binary { op, left, right } => {
            check(left, right, Some(*op))?;
            check(right, left, Some(*op))
        }
        Expr::InList { expr, list, .. } => list.iter().try_for_each(|item| check(item, expr, None)),
        Expr::Between { expr, low, high, .. } => {
            check(low, expr, None)?;
            check(high, expr, None)
        }
        Expr::Cast { expr, to } => check_unknown(expr, to).map(drop),
        _ => Ok(()),
    }
}

/// The type PostgreSQL reads a string literal as when it meets `known` across `op`: the same
/// type where `known op known` exists (`1 + '2'`, `d - '2026-01-01'`), an interval added to
/// a timestamp or an interval; None where it is not one type (`date + '1'`, `'a' || 1`).
fn unknown_operand_type(op: BinaryOp, known: DataType) -> Option<DataType> {
    let number = matches!(known, DataType::Integer | DataType::BigInt | DataType::Numeric(_));
    match op {
        BinaryOp::Concat => None,
        BinaryOp::Add if number => Some(known),
        BinaryOp::Add => {
            matches!(known, DataType::Timestamp | DataType::Interval).then_some(DataType::Interval)
        }
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => number.then_some(known),
        _ => Some(known),
    }
}

/// The type of a bound column, cast or literal (None for anything else).
fn known_type(expr: &Expr, scope: &Scope) -> Option<DataType> {
    Some(match expr {
        Expr::Slot(slot) => scope.columns.get(*slot)?.data_type.clone(),
        Expr::Cast { to, .. } => to.clone(),
        Expr::Literal(Value::Int(n)) if i32::try_from(*n).is_ok() => DataType::Integer,
        Expr::Literal(Value::Int(_)) => DataType::BigInt,
        Expr::Literal(Value::Numeric(_)) => DataType::Numeric(None),
        Expr::Literal(Value::Bool(_)) => DataType::Boolean,
        Expr::Literal(Value::Timestamp(_)) => DataType::Timestamp,
        Expr::Literal(Value::Date(_)) => DataType::Date,
        Expr::Literal(Value::Interval(_)) => DataType::Interval,
        _ => return None,
    })
}

/// PostgreSQL words a nested aggregate differently from other misplaced ones.
fn nested_aggregate(error: SqlError) -> SqlError {
    if error.message == "aggregate functions are not allowed in aggregate function calls" {
        SqlError { message: "aggregate function calls cannot be nested".into(), ..error }
    } else {
        error
    }
}

fn bind_function(
    name: &str,
    args: &[Expr],
    pos: Pos,
    scope: &Scope,
    clause: Clause,
) -> Result<Expr> {
    let bound: Vec<Expr> = args.iter().map(|a| bind(a, scope, clause)).collect::<Result<_>>()?;
    let known =
        functions::lookup(name).filter(|f| (f.min_args..=f.max_args).contains(&bound.len()));
    if known.is_none() && functions::lookup(name).is_none() {
        if let Some(why) = super::catalog::unmodelled_function(name) {
            return Err(SqlError::unsupported(why).at(pos.0));
        }
    }
    if known.is_none() {
        let types: Vec<&str> = bound.iter().map(|a| static_type(a, scope)).collect();
        return Err(
            SqlError::undefined_function(&format!("{name}({})", types.join(", "))).at(pos.0)
        );
    }
    Ok(Expr::Function { name: name.to_string(), args: bound, pos })
}

/// Rejects comparisons between known, different type families
/// (`text_column = 1`), as PostgreSQL does when planning.
fn check_comparable(op: BinaryOp, left: &Expr, right: &Expr, scope: &Scope) -> Result<()> {
    let comparison = op.is_comparison();
    let family = |t: &str| match t {
        "integer" | "bigint" | "numeric" => Some(0),
        "text" | "character varying" => Some(1),
        "boolean" => Some(2),
        "timestamp without time zone" => Some(3),
        "interval" => Some(4),
        _ => None,
    };
    let (l, r) = (static_type(left, scope), static_type(right, scope));
    match (family(l), family(r)) {
        (Some(a), Some(b)) if comparison && a != b => Err(SqlError::undefined_operator(l, op.symbol(), r)
            .hint("No operator matches the given name and argument types. You might need to add explicit type casts.")),
        _ => Ok(()),
    }
}

/// A best-effort type name for error messages (`function lower(integer) does not exist`).
fn static_type(expr: &Expr, scope: &Scope) -> &'static str {
    match expr {
        Expr::Literal(Value::Text(_)) => "unknown",
        Expr::Literal(value) => value.type_name(),
        Expr::Slot(slot) => {
            scope.columns.get(*slot).map_or("unknown", |c| type_label(&c.data_type))
        }
        Expr::Cast { to, .. } => type_label(to),
        _ => "unknown",
    }
}

/// Whether an expression is PostgreSQL's `integer` (int4): a literal that fits, an `integer`
/// column, a cast to it, or arithmetic on two of them (bound as such a cast).
fn is_int4(expr: &Expr, scope: &Scope) -> bool {
    match expr {
        Expr::Literal(Value::Int(n)) => i32::try_from(*n).is_ok(),
        Expr::Slot(slot) => {
            scope.columns.get(*slot).is_some_and(|c| c.data_type == DataType::Integer)
        }
        Expr::Cast { to, .. } => *to == DataType::Integer,
        _ => false,
    }
}

fn type_label(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::Integer => "integer",
        DataType::BigInt => "bigint",
        DataType::Numeric(_) => "numeric",
        DataType::Text => "text",
        DataType::Varchar(_) => "character varying",
        DataType::Boolean => "boolean",
        DataType::Timestamp => "timestamp without time zone",
        DataType::Date => "date",
        DataType::Interval => "interval",
    }
}

/// True if the expression reads no row (so it can be evaluated once, e.g. for an index lookup).
pub fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(_) | Expr::Unknown { .. } => true,
        Expr::Column { .. } | Expr::Slot(_) | Expr::Aggregate { .. } | Expr::Default => false,
        Expr::Unary { expr, .. } | Expr::IsNull { expr, .. } | Expr::Cast { expr, .. } => {
            is_constant(expr)
        }
        Expr::Binary { left, right, .. } => is_constant(left) && is_constant(right),
        Expr::InList { expr, list, .. } => is_constant(expr) && list.iter().all(is_constant),
        Expr::Between { expr, low, high, .. } => {
            is_constant(expr) && is_constant(low) && is_constant(high)
        }
        Expr::Like { expr, pattern, .. } => is_constant(expr) && is_constant(pattern),
        Expr::Function { args, .. } => args.iter().all(is_constant),
        Expr::Case { operand, whens, otherwise } => {
            operand.as_deref().is_none_or(is_constant)
                && whens.iter().all(|(w, t)| is_constant(w) && is_constant(t))
                && otherwise.as_deref().is_none_or(is_constant)
        }
    }
}

/// Evaluates once the parts of a bound expression that read no row, so that
/// `created_at > NOW() - INTERVAL '1 day'` computes its bound once per
/// statement, not once per row (PostgreSQL's planner folds them too).
/// Evaluation looks only at values, never at how they were written, so a
/// folded expression gives the same results. A part whose evaluation fails
/// is kept as it is: its error belongs to the rows that evaluate it, and an
/// empty table evaluates none.
///
/// An expression with nothing to fold (`user_id = 101`) is returned as it is, unrebuilt.
pub fn fold_constants(expr: Expr, env: &Env) -> Expr {
    if has_foldable_part(&expr) {
        fold(&expr, env)
    } else {
        expr
    }
}

/// Whether some part of `expr` is a constant other than a literal.
fn has_foldable_part(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(_) => false,
        Expr::Column { .. } | Expr::Slot(_) | Expr::Aggregate { .. } | Expr::Default => false,
        other if is_constant(other) => true,
        Expr::Binary { left, right, .. } => has_foldable_part(left) || has_foldable_part(right),
        Expr::Unary { expr, .. } | Expr::IsNull { expr, .. } | Expr::Cast { expr, .. } => {
            has_foldable_part(expr)
        }
        // Anything rarer is rebuilt: folding it is correct whether or not it had a constant.
        _ => true,
    }
}

fn fold(expr: &Expr, env: &Env) -> Expr {
    if !matches!(expr, Expr::Literal(_)) && is_constant(expr) {
        if let Ok(value) = eval(expr, &[], env) {
            return Expr::Literal(value);
        }
    }
    let folded: std::result::Result<Expr, std::convert::Infallible> =
        expr.try_map_children(&mut |child| Ok(fold(child, env)));
    match folded {
        Ok(expr) => expr,
    }
}

/// Splits `a AND b AND c` into its conjuncts.
pub fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Binary { op: BinaryOp::And, left, right } => {
            let mut out = conjuncts(left);
            out.extend(conjuncts(right));
            out
        }
        other => vec![other],
    }
}

/// Evaluates a bound expression on a row.
pub fn eval(expr: &Expr, row: &[Value], env: &Env) -> Result<Value> {
    match expr {
        Expr::Literal(value) | Expr::Unknown { text: value, .. } => Ok(value.clone()),
        Expr::Slot(slot) => {
            row.get(*slot).cloned().ok_or_else(|| SqlError::new("XX000", "unbound column slot"))
        }
        Expr::Column { name, pos, .. } => Err(SqlError::undefined_column(name).at(pos.0)),
        Expr::Default => Err(SqlError::new("42601", "DEFAULT is not allowed in this context")),
        Expr::Aggregate { pos, .. } => {
            Err(SqlError::grouping("aggregate functions are not allowed here").at(pos.0))
        }
        Expr::Unary { op, expr } => unary(*op, eval(expr, row, env)?),
        Expr::Binary { op: BinaryOp::And, left, right } => {
            and(eval(left, row, env)?, || eval(right, row, env))
        }
        Expr::Binary { op: BinaryOp::Or, left, right } => {
            or(eval(left, row, env)?, || eval(right, row, env))
        }
        Expr::Binary { op, left, right } if op.is_comparison() => {
            // The common `column = constant`: compare in place, copying nothing.
            match (borrowed(left, row), borrowed(right, row)) {
                (Some(l), Some(r)) => compare_op(*op, l, r),
                _ => binary(*op, eval(left, row, env)?, eval(right, row, env)?),
            }
        }
        Expr::Binary { op, left, right } => {
            binary(*op, eval(left, row, env)?, eval(right, row, env)?)
        }
        Expr::IsNull { expr, negated } => {
            let null = match borrowed(expr, row) {
                Some(value) => value.is_null(),
                None => eval(expr, row, env)?.is_null(),
            };
            Ok(Value::Bool(null != *negated))
        }
        Expr::InList { expr, list, negated } => {
            in_list(eval(expr, row, env)?, list, *negated, row, env)
        }
        Expr::Between { expr, low, high, negated } => {
            let value = eval(expr, row, env)?;
            let ge = compare_op(BinaryOp::GtEq, &value, &eval(low, row, env)?)?;
            let le = compare_op(BinaryOp::LtEq, &value, &eval(high, row, env)?)?;
            let within = and(ge, || Ok(le))?;
            if *negated {
                unary(UnaryOp::Not, within)
            } else {
                Ok(within)
            }
        }
        Expr::Like { expr, pattern, negated, case_insensitive } => {
            like(eval(expr, row, env)?, eval(pattern, row, env)?, *negated, *case_insensitive)
        }
        // COALESCE stops at its first non-NULL argument, as PostgreSQL's does: the rest are
        // never evaluated (`COALESCE(1, 1/0)` is 1).
        Expr::Function { name, args, .. } if name == "coalesce" => {
            for arg in args {
                let value = eval(arg, row, env)?;
                if !value.is_null() {
                    return Ok(value);
                }
            }
            Ok(Value::Null)
        }
        Expr::Function { name, args, pos } => {
            let function = functions::lookup(name)
                .ok_or_else(|| SqlError::undefined_function(&format!("{name}()")).at(pos.0))?;
            let values = args.iter().map(|a| eval(a, row, env)).collect::<Result<Vec<_>>>()?;
            functions::call(function, &values, env).map_err(|e| e.at(pos.0))
        }
        Expr::Cast { expr, to } => to.cast(eval(expr, row, env)?),
        Expr::Case { operand, whens, otherwise } => {
            case(operand.as_deref(), whens, otherwise.as_deref(), row, env)
        }
    }
}

/// A literal or a column's value, by reference (None for anything to compute).
fn borrowed<'a>(expr: &'a Expr, row: &'a [Value]) -> Option<&'a Value> {
    match expr {
        Expr::Literal(value) => Some(value),
        Expr::Slot(slot) => row.get(*slot),
        _ => None,
    }
}

/// True if a condition holds: NULL and false both reject the row.
pub fn is_true(value: &Value, clause: &str) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        other => Err(SqlError::datatype_mismatch(format!(
            "argument of {clause} must be type boolean, not type {}",
            other.type_name()
        ))),
    }
}

/// A value as a three-valued boolean (None = NULL), with `unknown` literals accepted.
fn truth(value: Value, clause: &str) -> Result<Option<bool>> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::Text(t) => match DataType::Boolean.cast(Value::Text(t))? {
            Value::Bool(b) => Ok(Some(b)),
            _ => Ok(None),
        },
        other => Err(SqlError::datatype_mismatch(format!(
            "argument of {clause} must be type boolean, not type {}",
            other.type_name()
        ))),
    }
}

fn from_truth(value: Option<bool>) -> Value {
    value.map_or(Value::Null, Value::Bool)
}

fn and(left: Value, right: impl FnOnce() -> Result<Value>) -> Result<Value> {
    match truth(left, "AND")? {
        Some(false) => Ok(Value::Bool(false)),
        left => match (left, truth(right()?, "AND")?) {
            (_, Some(false)) => Ok(Value::Bool(false)),
            (Some(true), Some(true)) => Ok(Value::Bool(true)),
            _ => Ok(Value::Null),
        },
    }
}

fn or(left: Value, right: impl FnOnce() -> Result<Value>) -> Result<Value> {
    match truth(left, "OR")? {
        Some(true) => Ok(Value::Bool(true)),
        left => match (left, truth(right()?, "OR")?) {
            (_, Some(true)) => Ok(Value::Bool(true)),
            (Some(false), Some(false)) => Ok(Value::Bool(false)),
            _ => Ok(Value::Null),
        },
    }
}

fn unary(op: UnaryOp, value: Value) -> Result<Value> {
    match (op, value) {
        (_, Value::Null) => Ok(Value::Null),
        (UnaryOp::Not, value) => Ok(from_truth(truth(value, "NOT")?.map(|b| !b))),
        (UnaryOp::Plus, value @ (Value::Int(_) | Value::Numeric(_) | Value::Interval(_))) => {
            Ok(value)
        }
        (UnaryOp::Neg, Value::Int(i)) => {
            i.checked_neg().map(Value::Int).ok_or_else(|| SqlError::integer_out_of_range("bigint"))
        }
        (UnaryOp::Neg, Value::Numeric(n)) => Ok(Value::Numeric(n.neg())),
        (UnaryOp::Neg, Value::Interval(i)) => i
            .negate()
            .map(Value::interval)
            .ok_or_else(|| SqlError::new("22008", "interval out of range")),
        (op, Value::Text(t)) => unary(op, number_from_text(&t)?),
        (op, other) => {
            let symbol = if op == UnaryOp::Neg { "-" } else { "+" };
            Err(SqlError::new(
                "42883",
                format!("operator does not exist: {symbol} {}", other.type_name()),
            ))
        }
    }
}

fn number_from_text(text: &str) -> Result<Value> {
    if let Ok(i) = text.trim().parse::<i64>() {
        return Ok(Value::Int(i));
    }
    DataType::Numeric(None).cast(Value::text(text.to_string()))
}

/// Gives an `unknown` text literal the type of the other operand.
fn unify(left: Value, right: Value) -> Result<(Value, Value)> {
    let target = |other: &Value| match other {
        Value::Int(_) => Some(DataType::BigInt),
        Value::Numeric(_) => Some(DataType::Numeric(None)),
        Value::Bool(_) => Some(DataType::Boolean),
        Value::Timestamp(_) => Some(DataType::Timestamp),
        Value::Date(_) => Some(DataType::Date),
        Value::Interval(_) => Some(DataType::Interval),
        _ => None,
    };
    match (&left, &right) {
        (Value::Text(_), other) => match target(other) {
            Some(t) => Ok((cast_literal(&t, left)?, right)),
            None => Ok((left, right)),
        },
        (other, Value::Text(_)) => match target(other) {
            Some(t) => Ok((left, cast_literal(&t, right)?)),
            None => Ok((left, right)),
        },
        _ => Ok((left, right)),
    }
}

/// Casts an unknown literal, naming `integer` (not `bigint`) in syntax errors as PostgreSQL does.
fn cast_literal(target: &DataType, value: Value) -> Result<Value> {
    let Value::Text(text) = &value else { return target.cast(value) };
    match target {
        DataType::BigInt if text.trim().parse::<i64>().is_err() => {
            // A non-integer like '1.5' against an integer column compares as numeric.
            match Numeric::parse(text) {
                Some(n) => Ok(Value::Numeric(n)),
                None => Err(SqlError::invalid_input("integer", text)),
            }
        }
        other => other.cast(value),
    }
}

fn binary(op: BinaryOp, left: Value, right: Value) -> Result<Value> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    match op {
        BinaryOp::Concat => {
            Ok(Value::text(format!("{}{}", concat_text(&left), concat_text(&right))))
        }
        op if op.is_comparison() => compare_op(op, &left, &right),
        _ => arithmetic(op, left, right),
    }
}

fn concat_text(value: &Value) -> String {
    match value {
        Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        other => other.to_string(),
    }
}

/// `a op b` for a comparison operator, three-valued.
pub fn compare_op(op: BinaryOp, left: &Value, right: &Value) -> Result<Value> {
    let Some(ordering) = compare(left, right, op)? else { return Ok(Value::Null) };
    Ok(Value::Bool(holds(op, ordering)))
}

/// Whether comparison operator `op` holds between two values that compare as `ordering`.
pub fn holds(op: BinaryOp, ordering: Ordering) -> bool {
    match op {
        BinaryOp::Eq => ordering == Ordering::Equal,
        BinaryOp::NotEq => ordering != Ordering::Equal,
        BinaryOp::Lt => ordering == Ordering::Less,
        BinaryOp::LtEq => ordering != Ordering::Greater,
        BinaryOp::Gt => ordering == Ordering::Greater,
        _ => ordering != Ordering::Less,
    }
}

/// SQL comparison: None if either side is NULL; an error for incomparable types.
pub fn compare(left: &Value, right: &Value, op: BinaryOp) -> Result<Option<Ordering>> {
    if left.is_null() || right.is_null() {
        return Ok(None);
    }
    let one_text = matches!(left, Value::Text(_)) != matches!(right, Value::Text(_));
    if one_text {
        let (left, right) = unify(left.clone(), right.clone())?;
        return compare_same(&left, &right, op);
    }
    compare_same(left, right, op)
}

/// Comparison once literals have their types.
fn compare_same(left: &Value, right: &Value, op: BinaryOp) -> Result<Option<Ordering>> {
    let comparable = matches!(
        (left, right),
        (Value::Bool(_), Value::Bool(_))
            | (Value::Int(_) | Value::Numeric(_), Value::Int(_) | Value::Numeric(_))
            | (Value::Text(_), Value::Text(_))
            | (Value::Timestamp(_) | Value::Date(_), Value::Timestamp(_) | Value::Date(_))
            | (Value::Interval(_), Value::Interval(_))
    );
    if !comparable {
        return Err(SqlError::undefined_operator(left.type_name(), op.symbol(), right.type_name()));
    }
    Ok(Some(left.total_cmp(right)))
}

fn arithmetic(op: BinaryOp, left: Value, right: Value) -> Result<Value> {
    let (left, right) = match (&left, &right) {
        (Value::Text(_), Value::Text(_)) => {
            return Err(SqlError::new(
                "42725",
                format!("operator is not unique: unknown {} unknown", op.symbol()),
            ));
        }
        (Value::Timestamp(_), Value::Text(t)) | (Value::Interval(_), Value::Text(t)) => {
            let parsed = match Interval::parse(t) {
                Ok(interval) => Value::interval(interval),
                Err(e) if op == BinaryOp::Sub => {
                    DataType::Timestamp.cast(Value::Text(t.clone())).map_err(|_| e)?
                }
                Err(e) => return Err(e),
            };
            (left, parsed)
        }
        _ => unify(left, right)?,
    };
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => int_arithmetic(op, a, b),
        (Value::Int(a), Value::Numeric(b)) => numeric_arithmetic(op, Numeric::from_i64(a), b),
        (Value::Numeric(a), Value::Int(b)) => numeric_arithmetic(op, a, Numeric::from_i64(b)),
        (Value::Numeric(a), Value::Numeric(b)) => numeric_arithmetic(op, a, b),
        (left, right) => time_arithmetic(op, left, right),
    }
}

fn int_arithmetic(op: BinaryOp, a: i64, b: i64) -> Result<Value> {
    if matches!(op, BinaryOp::Div | BinaryOp::Mod) && b == 0 {
        return Err(SqlError::division_by_zero());
    }
    let result = match op {
        BinaryOp::Add => a.checked_add(b),
        BinaryOp::Sub => a.checked_sub(b),
        BinaryOp::Mul => a.checked_mul(b),
        BinaryOp::Div => a.checked_div(b),
        BinaryOp::Mod => a.checked_rem(b),
        _ => return Err(SqlError::undefined_operator("integer", op.symbol(), "integer")),
    };
    result.map(Value::Int).ok_or_else(|| SqlError::integer_out_of_range("bigint"))
}

fn numeric_arithmetic(op: BinaryOp, a: Numeric, b: Numeric) -> Result<Value> {
    let result = match op {
        BinaryOp::Add => a.add(&b),
        BinaryOp::Sub => a.sub(&b),
        BinaryOp::Mul => a.mul(&b),
        BinaryOp::Div => a.div(&b),
        BinaryOp::Mod => a.rem(&b),
        _ => return Err(SqlError::undefined_operator("numeric", op.symbol(), "numeric")),
    };
    result.map(Value::Numeric)
}

fn time_arithmetic(op: BinaryOp, left: Value, right: Value) -> Result<Value> {
    let out_of_range = || SqlError::new("22008", "interval out of range");
    match (op, &left, &right) {
        (BinaryOp::Add, Value::Timestamp(t), Value::Interval(i))
        | (BinaryOp::Add, Value::Interval(i), Value::Timestamp(t)) => {
            Ok(Value::Timestamp(t.plus(i)?))
        }
        (BinaryOp::Sub, Value::Timestamp(t), Value::Interval(i)) => {
            Ok(Value::Timestamp(t.plus(&i.negate().ok_or_else(out_of_range)?)?))
        }
        (BinaryOp::Sub, Value::Timestamp(a), Value::Timestamp(b)) => {
            Ok(Value::interval(a.since(*b)?))
        }
        (BinaryOp::Add, Value::Date(d), Value::Int(n))
        | (BinaryOp::Add, Value::Int(n), Value::Date(d)) => Ok(Value::Date(d.plus_days(*n)?)),
        (BinaryOp::Sub, Value::Date(d), Value::Int(n)) => {
            Ok(Value::Date(d.plus_days(n.checked_neg().unwrap_or(i64::MAX))?))
        }
        (BinaryOp::Sub, Value::Date(a), Value::Date(b)) => Ok(Value::Int(a.days_since(*b))),
        (BinaryOp::Add, Value::Date(d), Value::Interval(i))
        | (BinaryOp::Add, Value::Interval(i), Value::Date(d)) => Ok(Value::Timestamp(d.plus(i)?)),
        (BinaryOp::Sub, Value::Date(d), Value::Interval(i)) => {
            Ok(Value::Timestamp(d.plus(&i.negate().ok_or_else(out_of_range)?)?))
        }
        (BinaryOp::Sub, Value::Date(a), Value::Timestamp(b))
        | (BinaryOp::Sub, Value::Timestamp(a), Value::Date(b)) => Ok(Value::interval(a.since(*b)?)),
        (BinaryOp::Add, Value::Interval(a), Value::Interval(b)) => {
            a.checked_add(b).map(Value::interval).ok_or_else(out_of_range)
        }
        (BinaryOp::Sub, Value::Interval(a), Value::Interval(b)) => b
            .negate()
            .and_then(|nb| a.checked_add(&nb))
            .map(Value::interval)
            .ok_or_else(out_of_range),
        (BinaryOp::Mul, Value::Interval(i), Value::Int(n))
        | (BinaryOp::Mul, Value::Int(n), Value::Interval(i)) => {
            i.checked_mul(*n).map(Value::interval).ok_or_else(out_of_range)
        }
        _ => Err(SqlError::undefined_operator(left.type_name(), op.symbol(), right.type_name())),
    }
}

fn in_list(value: Value, list: &[Expr], negated: bool, row: &[Value], env: &Env) -> Result<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let mut saw_null = false;
    for item in list {
        match compare(&value, &eval(item, row, env)?, BinaryOp::Eq)? {
            Some(Ordering::Equal) => return Ok(Value::Bool(!negated)),
            Some(_) => {}
            None => saw_null = true,
        }
    }
    Ok(if saw_null { Value::Null } else { Value::Bool(negated) })
}

fn like(value: Value, pattern: Value, negated: bool, case_insensitive: bool) -> Result<Value> {
    if value.is_null() || pattern.is_null() {
        return Ok(Value::Null);
    }
    let (mut text, mut pattern) = (concat_text(&value), concat_text(&pattern));
    if case_insensitive {
        text = super::functions::lowercase(&text);
        pattern = super::functions::lowercase(&pattern);
    }
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    Ok(Value::Bool(like_match(&text, &pattern) != negated))
}

/// `%` matches any run, `_` one character, `\` escapes. Iterative, with
/// backtracking to the last `%` only, so it is linear-ish and never recursive.
fn like_match(text: &[char], pattern: &[char]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                star = Some((p, t));
                p += 1;
            }
            Some('_') => {
                t += 1;
                p += 1;
            }
            Some('\\') if pattern.get(p + 1) == Some(&text[t]) => {
                t += 1;
                p += 2;
            }
            Some(c) if *c != '\\' && *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '%')
}

fn case(
    operand: Option<&Expr>,
    whens: &[(Expr, Expr)],
    otherwise: Option<&Expr>,
    row: &[Value],
    env: &Env,
) -> Result<Value> {
    let subject = operand.map(|o| eval(o, row, env)).transpose()?;
    for (condition, result) in whens {
        let value = eval(condition, row, env)?;
        let hit = match &subject {
            Some(subject) => compare(subject, &value, BinaryOp::Eq)? == Some(Ordering::Equal),
            None => is_true(&value, "CASE/WHEN")?,
        };
        if hit {
            return eval(result, row, env);
        }
    }
    otherwise.map_or(Ok(Value::Null), |e| eval(e, row, env))
}

/// Edit distance between two names (insertions, deletions, substitutions; by characters).
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::like_match;

    fn m(text: &str, pattern: &str) -> bool {
        like_match(&text.chars().collect::<Vec<_>>(), &pattern.chars().collect::<Vec<_>>())
    }

    #[test]
    fn like_patterns() {
        assert!(m("alice", "a%"));
        assert!(m("alice", "%ice"));
        assert!(m("alice", "_lic_"));
        assert!(m("alice", "%"));
        assert!(m("", "%"));
        assert!(!m("alice", "b%"));
        assert!(m("a%b", "a\\%b"));
        assert!(!m("axb", "a\\%b"));
        assert!(m("abcabc", "%bc%bc"));
        assert!(!m("abc", "abcd"));
    }
}
