//! A `WHERE` clause checked row by row, with a fast form for plain comparisons.
//!
//! Most filters a scan meets are `column op constant` joined by `AND`:
//! `user_id = 42`, `created_at > NOW() - INTERVAL '1 day'` (the constant folded to a
//! timestamp before the scan). For those, SQL's answer on a row is the column value's
//! [`Value::total_cmp`] with the constant — exactly what the evaluator computes, through
//! `eval`, `compare` and a boolean value per row. [`Where`] checks them directly and falls
//! back to the evaluator for any other filter, and for any row whose value is not of a kind
//! that compares with the constant that way.

use super::ast::{BinaryOp, Expr};
use super::error::SqlError;
use super::eval::{conjuncts, eval, holds, is_true};
use super::value::Value;
use super::Env;

/// A bound, constant-folded `WHERE` clause.
pub struct Where<'e> {
    expr: &'e Expr,
    /// The clause as plain comparisons, when it is nothing else.
    comparisons: Option<Vec<Comparison<'e>>>,
}

/// `row[slot] op value`.
struct Comparison<'e> {
    slot: usize,
    /// `=`, `<>`, `<`, `<=`, `>` or `>=`.
    op: BinaryOp,
    value: &'e Value,
}

impl<'e> Where<'e> {
    /// The clause; its fast form is worked out once, here.
    pub fn new(expr: &'e Expr) -> Self {
        let comparisons = conjuncts(expr).into_iter().map(comparison).collect();
        Where { expr, comparisons }
    }

    /// The column it reads first (the first comparison's; else the first column).
    pub fn first_column(&self) -> usize {
        self.comparisons.as_deref().and_then(<[_]>::first).map_or(0, |c| c.slot)
    }

    /// Whether `row` passes: SQL's true (NULL and false do not), or the evaluator's error.
    #[inline]
    pub fn keeps(&self, row: &[Value], env: &Env) -> Result<bool, SqlError> {
        if let Some(kept) = self.comparisons.as_deref().and_then(|c| compare_all(c, row)) {
            return Ok(kept);
        }
        is_true(&eval(self.expr, row, env)?, "WHERE")
    }
}

/// A conjunct as a comparison of a column with a non-NULL literal.
fn comparison(conjunct: &Expr) -> Option<Comparison<'_>> {
    let Expr::Binary { op, left, right } = conjunct else { return None };
    let (slot, op, value) = match (left.as_ref(), right.as_ref()) {
        (Expr::Slot(slot), Expr::Literal(value)) => (*slot, *op, value),
        (Expr::Literal(value), Expr::Slot(slot)) => (*slot, op.flipped(), value),
        _ => return None,
    };
    (op.is_comparison() && !value.is_null()).then_some(Comparison { slot, op, value })
}

/// Every comparison on `row`, ANDed; None when a value is not of a kind that compares with
/// its literal by [`Value::total_cmp`] (the evaluator decides then, casts and errors included).
fn compare_all(comparisons: &[Comparison], row: &[Value]) -> Option<bool> {
    let mut all = true;
    for Comparison { slot, op, value } in comparisons {
        let cell = row.get(*slot)?;
        if cell.is_null() {
            // NULL compared is NULL, and NULL AND anything is not true; no conjunct can fail.
            all = false;
            continue;
        }
        let order = match (cell, value) {
            // The common cases, compared here rather than through a call per row.
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Timestamp(a), Value::Timestamp(b)) => a.cmp(b),
            _ if !same_order(cell, value) => return None,
            _ => cell.total_cmp(value),
        };
        all &= holds(*op, order);
    }
    Some(all)
}

/// Whether SQL compares `a` and `b` by [`Value::total_cmp`] without a cast.
fn same_order(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (Value::Bool(_), Value::Bool(_))
            | (Value::Int(_) | Value::Numeric(_), Value::Int(_) | Value::Numeric(_))
            | (Value::Text(_), Value::Text(_))
            | (Value::Timestamp(_) | Value::Date(_), Value::Timestamp(_) | Value::Date(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sql::numeric::Numeric;
    use crate::engine::sql::time::Timestamp;

    fn values() -> Vec<Value> {
        let half = Numeric::parse("2.5").expect("numeric");
        vec![
            Value::Null,
            Value::Int(2),
            Value::Int(3),
            Value::Numeric(half),
            Value::text("b"),
            Value::text("c"),
            Value::Bool(true),
            Value::Timestamp(Timestamp(1_000)),
            Value::Date(Timestamp(0)),
        ]
    }

    fn compare(slot: usize, op: BinaryOp, value: &Value, flipped: bool) -> Expr {
        let (column, literal) =
            (Box::new(Expr::Slot(slot)), Box::new(Expr::Literal(value.clone())));
        match flipped {
            false => Expr::Binary { op, left: column, right: literal },
            true => Expr::Binary { op: op.flipped(), left: literal, right: column },
        }
    }

    /// The fast form answers exactly as the evaluator does (errors included) for every
    /// operator, literal and cell kind, NULLs, flipped operands and conjunctions.
    #[test]
    fn comparisons_answer_as_the_evaluator() {
        let env = Env::default();
        let ops = [
            BinaryOp::Eq,
            BinaryOp::NotEq,
            BinaryOp::Lt,
            BinaryOp::LtEq,
            BinaryOp::Gt,
            BinaryOp::GtEq,
        ];
        let values = values();
        let mut fast = 0;
        for (op, literal, flipped) in ops
            .iter()
            .flat_map(|op| values.iter().flat_map(move |v| [(op, v, false), (op, v, true)]))
        {
            let single = compare(0, *op, literal, flipped);
            let both = Expr::Binary {
                op: BinaryOp::And,
                left: Box::new(single.clone()),
                right: Box::new(compare(1, BinaryOp::GtEq, &Value::Int(2), false)),
            };
            for filter in [&single, &both] {
                let clause = Where::new(filter);
                fast += usize::from(clause.comparisons.is_some());
                for a in &values {
                    for b in [Value::Null, Value::Int(1), Value::Int(5)] {
                        let row = [a.clone(), b];
                        let slow = eval(filter, &row, &env).and_then(|v| is_true(&v, "WHERE"));
                        assert_eq!(clause.keeps(&row, &env), slow, "{filter:?} on {row:?}");
                    }
                }
            }
        }
        assert!(fast > 100, "most of these filters take the fast form ({fast})");
    }
}
