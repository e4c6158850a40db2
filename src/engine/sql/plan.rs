//! Access paths: read the whole table, or let an index narrow it down.
//!
//! The planner looks at the `WHERE` clause's top-level `AND`ed conditions
//! of the form `column <op> constant` and asks each index how many of its
//! leading columns they pin down:
//!
//! | condition on the index's columns            | access                          |
//! |---------------------------------------------|---------------------------------|
//! | `=` on every column of a unique index       | Index Scan, at most one row     |
//! | `=` on the leading column(s)                | Index Scan of that key prefix   |
//! | `IN (..)` on the leading column             | Index Scan, one probe per value |
//! | `<`, `<=`, `>`, `>=`, `BETWEEN` on the lead | Index Scan of a key range       |
//! | anything else (`OR`, functions, no index)   | Seq Scan of every row           |
//!
//! "Constant" means the expression reads no row, so
//! `created_at > NOW() - INTERVAL '1 day'` is a range on `created_at`.
//! The index only narrows the candidates; the full `WHERE` is still
//! evaluated on each, so a plan can never change a result, only its cost:
//! `rows_scanned` counts the candidates read.

use crate::engine::vecmap::VecMap;
use std::ops::Bound;

use super::ast::{BinaryOp, Expr};
use super::error::SqlError;
use super::eval::{eval, is_constant};
use super::outcome::Access;
use super::postings::{IdIter, IdList};
use super::schema::DataType;
use super::storage::{Index, RowId, Table};
use super::value::{Key, Row, Value};
use super::Env;

type Result<T> = std::result::Result<T, SqlError>;

/// The rows an access path produced, in the order it produced them.
#[derive(Clone, Debug)]
pub struct Scan<'t> {
    /// Candidate rows: every row in storage order, or an index's, in index order.
    pub candidates: Candidates<'t>,
    /// Rows read.
    pub rows_scanned: u64,
    /// How.
    pub access: Access,
    /// The table columns the index was probed on (EXPLAIN's `Index Cond`); empty for a Seq Scan.
    pub key_columns: Vec<usize>,
    /// Every candidate satisfies the whole `WHERE`: it is nothing but `column = constant` on
    /// the probed key's columns, whose index equality is SQL's `=` (see [`exact_equality`]), so
    /// evaluating it again on each row would keep them all.
    pub exact: bool,
}

/// Which rows a scan reads.
#[derive(Clone, Debug)]
pub enum Candidates<'t> {
    /// Every row, in storage order (a Seq Scan).
    All,
    /// These rows, in this order (an Index Scan).
    Ids(RowIds<'t>),
}

/// An Index Scan's rows: one key's posting list, read in place, or several keys' gathered.
#[derive(Clone, Debug)]
pub enum RowIds<'t> {
    Posted(IdList<'t>),
    Gathered(Vec<RowId>),
}

impl RowIds<'_> {
    pub fn len(&self) -> usize {
        match self {
            RowIds::Posted(list) => list.len(),
            RowIds::Gathered(ids) => ids.len(),
        }
    }

    pub fn iter(&self) -> IdIter<'_> {
        match self {
            RowIds::Posted(list) => list.iter(),
            RowIds::Gathered(ids) => IdIter::of(ids),
        }
    }
}

impl<'t> Scan<'t> {
    /// The candidate rows with their ids, read in place, by a caller that reads their column
    /// `column` first (a Seq Scan fetches it ahead).
    pub fn rows<'s>(
        &'s self,
        table: &'t Table,
        column: usize,
    ) -> impl Iterator<Item = (RowId, &'t Row)> + 's {
        match &self.candidates {
            Candidates::All => Either::All(table.rows.scan_reading(column)),
            Candidates::Ids(ids) => {
                Either::Ids(ids.iter().filter_map(|id| table.rows.get(&id).map(|row| (id, row))))
            }
        }
    }
}

/// One of a scan's two row iterators (one `match` a row, where chaining two optional
/// iterators took several calls).
enum Either<A, B> {
    All(A),
    Ids(B),
}

impl<A: Iterator, B: Iterator<Item = A::Item>> Iterator for Either<A, B> {
    type Item = A::Item;

    #[inline]
    fn next(&mut self) -> Option<A::Item> {
        match self {
            Either::All(all) => all.next(),
            Either::Ids(ids) => ids.next(),
        }
    }
}

/// What the `WHERE` clause says about one column.
#[derive(Clone, Debug)]
enum Constraint {
    Eq(Value),
    In(Vec<Value>),
    Lower(Bound<Value>),
    Upper(Bound<Value>),
}

/// An index and how it will be probed.
enum Probe<'a> {
    Prefixes(&'a Index, Vec<Key>),
    Range(&'a Index, Bound<Value>, Bound<Value>),
}

/// Reads the rows of `table` that may satisfy `conjuncts`. Slots
/// `offset..offset + columns` of the bound conditions refer to this table.
pub fn scan<'t>(
    table: &'t Table,
    conjuncts: &[&Expr],
    offset: usize,
    env: &Env,
) -> Result<Scan<'t>> {
    let constraints = collect_constraints(table, conjuncts, offset, env)?;
    let name = table.schema.name.clone();
    let Some(probe) = choose_probe(table, &constraints) else {
        return Ok(Scan {
            candidates: Candidates::All,
            rows_scanned: table.rows.len() as u64,
            access: Access::FullScan { table: name },
            key_columns: Vec::new(),
            exact: false,
        });
    };
    let (index, row_ids, key_length, one_key) = match probe {
        Probe::Prefixes(index, keys) => {
            let length = keys.iter().map(|k| k.0.len()).max().unwrap_or(1);
            (index, probe_prefixes(index, &keys), length, keys.len() == 1)
        }
        Probe::Range(index, low, high) => {
            (index, RowIds::Gathered(probe_range(index, &low, &high)), 1, false)
        }
    };
    let key_columns: Vec<usize> = index.positions.iter().take(key_length).copied().collect();
    let exact = one_key && only_equalities_on(table, conjuncts, offset, &key_columns);
    Ok(Scan {
        rows_scanned: row_ids.len() as u64,
        candidates: Candidates::Ids(row_ids),
        access: Access::IndexScan { table: name, index: index.schema.name.clone() },
        key_columns,
        exact,
    })
}

/// Whether `conjuncts` are exactly one [`exact_equality`] per column of `key_columns` and
/// nothing else: then a probe of the one key they pin down returns just the rows they keep.
fn only_equalities_on(
    table: &Table,
    conjuncts: &[&Expr],
    offset: usize,
    key_columns: &[usize],
) -> bool {
    // Each conjunct pins a different key column: one bit per key column seen.
    if conjuncts.len() != key_columns.len() || key_columns.len() > 64 {
        return false;
    }
    let mut seen = 0u64;
    for conjunct in conjuncts {
        let Some(column) = exact_equality(table, conjunct, offset) else { return false };
        let Some(at) = key_columns.iter().position(|c| *c == column) else { return false };
        if seen & (1 << at) != 0 {
            return false;
        }
        seen |= 1 << at;
    }
    true
}

/// The column of a `column = literal` conjunct whose literal already has the column's own
/// kind of value, for types whose index order calls two values equal exactly when SQL's `=`
/// does (integers, text, booleans, dates, timestamps: no casts, no numeric scales, no NULL).
fn exact_equality(table: &Table, conjunct: &Expr, offset: usize) -> Option<usize> {
    let Expr::Binary { op: BinaryOp::Eq, left, right } = conjunct else { return None };
    let (slot, value) = match (left.as_ref(), right.as_ref()) {
        (Expr::Slot(slot), Expr::Literal(value)) | (Expr::Literal(value), Expr::Slot(slot)) => {
            (*slot, value)
        }
        _ => return None,
    };
    let column = slot.checked_sub(offset)?;
    let same_kind = matches!(
        (&table.schema.columns.get(column)?.data_type, value),
        (DataType::Integer | DataType::BigInt, Value::Int(_))
            | (DataType::Text | DataType::Varchar(_), Value::Text(_))
            | (DataType::Boolean, Value::Bool(_))
            | (DataType::Date, Value::Date(_))
            | (DataType::Timestamp, Value::Timestamp(_))
    );
    same_kind.then_some(column)
}

/// Rows whose index key starts with `prefix`, in key order.
pub fn probe_prefix(index: &Index, prefix: &Key) -> Vec<RowId> {
    if prefix.0.len() == index.positions.len() {
        // A whole key: its posting list.
        return index.ids_of(&prefix.0).iter().collect();
    }
    let matches_prefix = |key: &[Value]| {
        key.len() >= prefix.0.len()
            && key.iter().zip(&prefix.0).all(|(a, b)| a.total_cmp(b).is_eq())
    };
    index
        .entries_from(&prefix.0)
        .take_while(|(key, _)| matches_prefix(key))
        .map(|(_, id)| id)
        .collect()
}

fn probe_prefixes<'t>(index: &'t Index, keys: &[Key]) -> RowIds<'t> {
    if let [key] = keys {
        if key.0.len() == index.positions.len() {
            return RowIds::Posted(index.ids_of(&key.0));
        }
    }
    let unique: VecMap<&Key, ()> = keys.iter().map(|k| (k, ())).collect();
    RowIds::Gathered(unique.keys().flat_map(|key| probe_prefix(index, key)).collect())
}

fn probe_range(index: &Index, low: &Bound<Value>, high: &Bound<Value>) -> Vec<RowId> {
    let entries: Box<dyn Iterator<Item = (&[Value], RowId)>> = match low {
        Bound::Included(v) | Bound::Excluded(v) => {
            Box::new(index.entries_from(std::slice::from_ref(v)))
        }
        Bound::Unbounded => Box::new(index.all()),
    };
    let mut ids = Vec::new();
    for (key, id) in entries {
        let Some(first) = key.first().filter(|v| !v.is_null()) else { break };
        if let Bound::Excluded(v) = low {
            if first.total_cmp(v).is_eq() {
                continue;
            }
        }
        let beyond = match high {
            Bound::Included(h) => first.total_cmp(h).is_gt(),
            Bound::Excluded(h) => first.total_cmp(h).is_ge(),
            Bound::Unbounded => false,
        };
        if beyond {
            break;
        }
        ids.push(id);
    }
    ids
}

/// The value to look up for a constant compared with a column, or None if
/// the comparison cannot use the index (e.g. `int_col = 1.5`).
pub fn lookup_value(column_type: &DataType, value: Value) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    let lookup_type = match column_type {
        DataType::Integer | DataType::BigInt => DataType::BigInt,
        DataType::Numeric(_) => DataType::Numeric(None),
        DataType::Varchar(_) | DataType::Text => DataType::Text,
        other => other.clone(),
    };
    match (&lookup_type, value) {
        // A literal the column type cannot read: no index; the filter reports the error.
        (_, text @ Value::Text(_)) => lookup_type.cast(text).ok(),
        (DataType::BigInt, v @ Value::Int(_)) => Some(v),
        (DataType::BigInt, Value::Numeric(n)) => {
            n.rescale(0).ok().filter(|r| r.cmp(&n).is_eq()).and_then(|r| r.to_i64()).map(Value::Int)
        }
        (DataType::Numeric(_), v @ (Value::Int(_) | Value::Numeric(_))) => Some(v),
        (DataType::Boolean, v @ Value::Bool(_)) => Some(v),
        (DataType::Timestamp, v @ Value::Timestamp(_)) => Some(v),
        (DataType::Date, v @ Value::Date(_)) => Some(v),
        (DataType::Interval, v @ Value::Interval(_)) => Some(v),
        _ => None,
    }
}

/// Constraints per column position, from `slot op constant` conjuncts.
fn collect_constraints(
    table: &Table,
    conjuncts: &[&Expr],
    offset: usize,
    env: &Env,
) -> Result<Vec<(usize, Constraint)>> {
    let width = table.schema.columns.len();
    let column_of = |expr: &Expr| match expr {
        Expr::Slot(slot) if (offset..offset + width).contains(slot) => Some(slot - offset),
        _ => None,
    };
    let constant = |expr: &Expr, column: usize| -> Result<Option<Value>> {
        if !is_constant(expr) {
            return Ok(None);
        }
        let value = eval(expr, &[], env)?;
        Ok(table.schema.columns.get(column).and_then(|c| lookup_value(&c.data_type, value)))
    };
    let mut out = Vec::new();
    for conjunct in conjuncts {
        match conjunct {
            Expr::Binary { op, left, right } => {
                let (column, other, op) = match (column_of(left), column_of(right)) {
                    (Some(c), _) => (c, right, *op),
                    (None, Some(c)) => (c, left, op.flipped()),
                    _ => continue,
                };
                if let Some(value) = constant(other, column)? {
                    if let Some(c) = comparison(op, value) {
                        out.push((column, c));
                    }
                }
            }
            Expr::Between { expr, low, high, negated: false } => {
                let Some(column) = column_of(expr) else { continue };
                if let (Some(low), Some(high)) = (constant(low, column)?, constant(high, column)?) {
                    out.push((column, Constraint::Lower(Bound::Included(low))));
                    out.push((column, Constraint::Upper(Bound::Included(high))));
                }
            }
            Expr::InList { expr, list, negated: false } => {
                let Some(column) = column_of(expr) else { continue };
                let values =
                    list.iter().map(|e| constant(e, column)).collect::<Result<Vec<_>>>()?;
                if values.iter().all(Option::is_some) && !values.is_empty() {
                    out.push((column, Constraint::In(values.into_iter().flatten().collect())));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn comparison(op: BinaryOp, value: Value) -> Option<Constraint> {
    Some(match op {
        BinaryOp::Eq => Constraint::Eq(value),
        BinaryOp::Gt => Constraint::Lower(Bound::Excluded(value)),
        BinaryOp::GtEq => Constraint::Lower(Bound::Included(value)),
        BinaryOp::Lt => Constraint::Upper(Bound::Excluded(value)),
        BinaryOp::LtEq => Constraint::Upper(Bound::Included(value)),
        _ => return None,
    })
}

/// Picks the best index: a full unique match, then the longest `=` prefix,
/// then `IN`, then a range; ties go to the earlier index (the primary key first).
fn choose_probe<'a>(table: &'a Table, constraints: &[(usize, Constraint)]) -> Option<Probe<'a>> {
    let mut best: Option<((u8, usize), Probe<'a>)> = None;
    for index in &table.indexes {
        let Some((score, probe)) = probe_for(index, constraints) else { continue };
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, probe));
        }
    }
    best.map(|(_, probe)| probe)
}

fn probe_for<'a>(
    index: &'a Index,
    constraints: &[(usize, Constraint)],
) -> Option<((u8, usize), Probe<'a>)> {
    let eq_on = |column: usize| {
        constraints.iter().find_map(|(c, k)| match k {
            Constraint::Eq(v) if *c == column => Some(v.clone()),
            _ => None,
        })
    };
    let prefix: Vec<Value> = index.positions.iter().map_while(|&p| eq_on(p)).collect();
    if !prefix.is_empty() {
        let full_unique = index.schema.unique && prefix.len() == index.positions.len();
        let score = (if full_unique { 4 } else { 3 }, prefix.len());
        return Some((score, Probe::Prefixes(index, vec![Key(prefix)])));
    }
    let lead = *index.positions.first()?;
    let in_values = constraints.iter().find_map(|(c, k)| match k {
        Constraint::In(values) if *c == lead => Some(values.clone()),
        _ => None,
    });
    if let Some(values) = in_values {
        let keys = values.into_iter().map(|v| Key(vec![v])).collect();
        return Some(((2, 0), Probe::Prefixes(index, keys)));
    }
    let (low, high) = range_on(lead, constraints);
    if matches!((&low, &high), (Bound::Unbounded, Bound::Unbounded)) {
        return None;
    }
    Some(((1, 0), Probe::Range(index, low, high)))
}

/// The tightest lower and upper bound the constraints put on `column`.
fn range_on(column: usize, constraints: &[(usize, Constraint)]) -> (Bound<Value>, Bound<Value>) {
    let mut low = Bound::Unbounded;
    let mut high = Bound::Unbounded;
    for (c, constraint) in constraints {
        if *c != column {
            continue;
        }
        match constraint {
            Constraint::Lower(bound) => low = tighter(low, bound.clone(), true),
            Constraint::Upper(bound) => high = tighter(high, bound.clone(), false),
            _ => {}
        }
    }
    (low, high)
}

fn tighter(current: Bound<Value>, new: Bound<Value>, lower: bool) -> Bound<Value> {
    let value = |b: &Bound<Value>| match b {
        Bound::Included(v) | Bound::Excluded(v) => Some(v.clone()),
        Bound::Unbounded => None,
    };
    let (Some(a), Some(b)) = (value(&current), value(&new)) else {
        return if matches!(current, Bound::Unbounded) { new } else { current };
    };
    let ordering = a.total_cmp(&b);
    let new_is_tighter = match ordering {
        std::cmp::Ordering::Equal => matches!(new, Bound::Excluded(_)),
        std::cmp::Ordering::Less => lower,
        std::cmp::Ordering::Greater => !lower,
    };
    if new_is_tighter {
        new
    } else {
        current
    }
}
