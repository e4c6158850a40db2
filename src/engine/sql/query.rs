//! Running a `SELECT`: the classic pipeline, one stage per function.
//!
//! ```text
//!   FROM t [JOIN u ON ..]   scan (plan.rs picks index or full scan), then join
//!   WHERE                   keep rows whose condition is true
//!   GROUP BY / aggregates   one output row per group (sorted by group key)
//!   HAVING                  keep groups whose condition is true
//!   SELECT list             evaluate expressions, name columns like PostgreSQL
//!   DISTINCT                drop duplicate output rows
//!   ORDER BY                stable sort; NULLs last ascending, first descending
//!   OFFSET / LIMIT          slice
//! ```
//!
//! Joins run as PostgreSQL would choose for an equality condition: an index
//! nested loop when the joined table has an index on its join column (each
//! probe reads only matching rows), else a hash join (the joined table is read
//! once). Without an equality, a nested loop reads the joined table once per
//! row. `rows_scanned` adds up every row read, so the cost tells the truth.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::ast::{AggFunc, BinaryOp, Expr, JoinKind, OrderItem, Select, SelectItem, TableRef};
use super::error::SqlError;
use super::eval::{bind, conjuncts, eval, fold_constants, is_true, Clause, Scope, ScopeColumn};
use super::numeric::Numeric;
use super::outcome::Cost;
use super::plan::{lookup_value, probe_prefix, scan, Candidates, Scan};
use super::predicate::Where;
use super::schema::DataType;
use super::storage::{Database, Table};
use super::value::{Key, Row, Value};
use super::Env;

type Result<T> = std::result::Result<T, SqlError>;

/// A result set with its cost.
#[derive(Clone, Debug)]
pub struct ResultSet {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Rows returned but not produced, when nobody reads them ([`Env::rows_unread`]).
    pub unread: u64,
    /// Work done.
    pub cost: Cost,
    /// Rows at each stage, for `EXPLAIN`.
    pub trace: Trace,
}

/// How many rows each stage of a query read or produced: what `EXPLAIN` shows as each plan
/// node's rows (counted, so its estimates are exact) and `EXPLAIN ANALYZE` as actual rows.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// Rows the driving table's scan read.
    pub base_scanned: u64,
    /// The table columns its index was probed on; empty for a Seq Scan.
    pub key_columns: Vec<usize>,
    /// The joined table, when there is one.
    pub join: Option<JoinTrace>,
    /// Rows that passed `WHERE` (after the join).
    pub kept: u64,
    /// Groups the aggregate formed, and how many passed `HAVING`.
    pub groups: Option<(u64, u64)>,
    /// Rows left after `DISTINCT`.
    pub distinct: Option<u64>,
    /// Rows that reached `ORDER BY` / `LIMIT`.
    pub sorted: u64,
}

/// How a join read its inner table.
#[derive(Clone, Debug)]
pub struct JoinTrace {
    /// Index nested loop (the index's name), hash join or plain nested loop.
    pub method: JoinMethod,
    /// Inner rows read, over all probes.
    pub inner_scanned: u64,
    /// Rows the join produced, before `WHERE`.
    pub joined: u64,
}

/// A join's algorithm, as EXPLAIN names it.
#[derive(Clone, Debug, PartialEq)]
pub enum JoinMethod {
    /// A nested loop probing this index of the inner table once per outer row.
    Index(String),
    /// The inner table read once into a hash table.
    Hash,
    /// The inner table read once per outer row.
    Loop,
}

/// Runs a SELECT against `db`.
pub fn run_select(db: &Database, select: &Select, env: &Env) -> Result<ResultSet> {
    let sources = Sources::resolve(db, env, select)?;
    let filter = select
        .filter
        .as_ref()
        .map(|f| bind(f, &sources.scope, Clause::NoAggregates("WHERE")))
        .transpose()?
        .map(|f| fold_constants(f, env));
    if let Some(counted) = count_only(select, &sources, filter.as_ref(), env)? {
        return Ok(counted);
    }
    let (rows, mut cost, mut trace) = sources.rows(filter.as_ref(), env)?;
    let items = expand_items(&select.items, &sources.scope, select.from.is_some())?;
    let order = resolve_order(&select.order_by, &items, &sources.scope)?;
    let grouped = !select.group_by.is_empty()
        || select.having.is_some()
        || items.iter().any(|(e, _)| e.contains_aggregate())
        || order.iter().any(|(k, _)| matches!(k, SortKey::Expr(e) if e.contains_aggregate()));
    let mut output = if grouped {
        let (output, groups) = aggregate(select, &sources.scope, &items, &order, rows, env)?;
        trace.groups = Some((groups, output.len() as u64));
        output
    } else {
        project(&items, &order, &rows, env)?
    };
    if select.distinct {
        output = distinct(output, &order, &items)?;
        trace.distinct = Some(output.len() as u64);
    }
    trace.sorted = output.len() as u64;
    sort(&mut output, &order);
    let rows = limit(output, select, env)?;
    cost.rows_returned = rows.len() as u64;
    let columns = items.into_iter().map(|(_, name)| name).collect();
    Ok(ResultSet { columns, rows, unread: 0, cost, trace })
}

/// The answer counted without producing its rows, when nobody reads them ([`Env::rows_unread`])
/// and the count, cost and trace are the same as producing them: a select list of plain
/// columns (which cannot fail), not one value (the history keeps that), no grouping,
/// `DISTINCT`, ordering or limits. None when that does not apply.
fn count_only(
    select: &Select,
    sources: &Sources,
    filter: Option<&Expr>,
    env: &Env,
) -> Result<Option<ResultSet>> {
    let plain = env.rows_unread
        && select.group_by.is_empty()
        && select.having.is_none()
        && !select.distinct
        && select.order_by.is_empty()
        && select.limit.is_none()
        && select.offset.is_none();
    let items = plain.then(|| expand_items(&select.items, &sources.scope, select.from.is_some()));
    let Some(Ok(items)) = items else { return Ok(None) };
    if items.len() == 1 || !items.iter().all(|(e, _)| matches!(e, Expr::Slot(_))) {
        return Ok(None);
    }
    let Some((count, mut cost, mut trace)) = sources.count(filter, env)? else { return Ok(None) };
    trace.sorted = count;
    cost.rows_returned = count;
    let columns = items.into_iter().map(|(_, name)| name).collect();
    Ok(Some(ResultSet { columns, rows: Vec::new(), unread: count, cost, trace }))
}

/// The tables a query reads and the scope their columns form.
pub(super) struct Sources<'a> {
    /// The driving table and its width.
    pub base: Option<(&'a Table, usize)>,
    /// The joined table, how, and on what.
    pub join: Option<(&'a Table, JoinKind, &'a Expr)>,
    /// Every column in slot order.
    pub scope: Scope<'a>,
}

/// A table by name: a system view of the server first (PostgreSQL searches `pg_catalog`
/// before `public`), then the database's own.
fn lookup_table<'a>(db: &'a Database, env: &'a Env, table: &TableRef) -> Result<&'a Table> {
    let view = env.catalog.as_deref().and_then(|c| c.view(&table.name.name));
    match view {
        Some(view) => Ok(&view.table),
        None => db.table(&table.name.name).map_err(|e| {
            let unmodelled = super::catalog::unmodelled_view(&table.name.name);
            unmodelled.map_or(e, SqlError::unsupported).at(table.name.pos.0)
        }),
    }
}

/// Scope columns for one table under its visible name.
pub fn table_scope<'a>(table: &'a Table, visible: &'a str) -> Vec<ScopeColumn<'a>> {
    table
        .schema
        .columns
        .iter()
        .map(|c| ScopeColumn { table: visible, name: &c.name, data_type: c.data_type.clone() })
        .collect()
}

impl<'a> Sources<'a> {
    pub(super) fn resolve(db: &'a Database, env: &'a Env, select: &'a Select) -> Result<Self> {
        let Some(from) = &select.from else {
            return Ok(Sources { base: None, join: None, scope: Scope::default() });
        };
        let base = lookup_table(db, env, from)?;
        let mut scope = Scope { columns: table_scope(base, from.visible_name()) };
        let width = scope.columns.len();
        let Some(join) = &select.join else {
            return Ok(Sources { base: Some((base, width)), join: None, scope });
        };
        let joined = lookup_table(db, env, &join.table)?;
        if join.table.visible_name() == from.visible_name() {
            return Err(SqlError::new(
                "42712",
                format!("table name \"{}\" specified more than once", from.visible_name()),
            ));
        }
        scope.columns.extend(table_scope(joined, join.table.visible_name()));
        Ok(Sources { base: Some((base, width)), join: Some((joined, join.kind, &join.on)), scope })
    }

    /// Scans, joins and filters; returns the surviving rows, the cost and the trace so far.
    fn rows(&self, filter: Option<&Expr>, env: &Env) -> Result<(Vec<Row>, Cost, Trace)> {
        let Some((base, width)) = self.base else {
            let keep = filter
                .map(|f| eval(f, &[], env))
                .transpose()?
                .map_or(Ok(true), |v| is_true(&v, "WHERE"))?;
            let rows = if keep { vec![Row::from([])] } else { Vec::new() };
            let trace = Trace { kept: rows.len() as u64, ..Trace::default() };
            return Ok((rows, Cost::default(), trace));
        };
        let (scanned, mut cost, mut trace) = scan_base(base, filter, env)?;
        let Some((joined, kind, on)) = self.join else {
            // Filter before copying: only surviving rows are cloned.
            let filter = filter.filter(|_| !scanned.exact).map(Where::new);
            let column = filter.as_ref().map_or(0, Where::first_column);
            let base_rows = scanned.rows(base, column).map(|(_, row)| row);
            let kept = keep_matching(base_rows, filter.as_ref(), env)?;
            trace.kept = kept.len() as u64;
            return Ok((kept.into_iter().cloned().collect(), cost, trace));
        };
        let on = bind(on, &self.scope, Clause::NoAggregates("JOIN conditions"))?;
        let outer = scanned.rows(base, 0).map(|(_, row)| row.clone()).collect();
        let (rows, join) = join_rows(outer, width, joined, kind, &on, &mut cost, env)?;
        trace.join = Some(join);
        let kept = keep_matching(rows, filter.map(Where::new).as_ref(), env)?;
        trace.kept = kept.len() as u64;
        Ok((kept, cost, trace))
    }

    /// How many rows [`Sources::rows`] would return, without copying them, nor reading them
    /// when an exact index probe already says which they are. None for a join or no table.
    fn count(&self, filter: Option<&Expr>, env: &Env) -> Result<Option<(u64, Cost, Trace)>> {
        let (Some((base, _)), None) = (self.base, self.join) else { return Ok(None) };
        let (scanned, cost, mut trace) = scan_base(base, filter, env)?;
        trace.kept = match (&scanned.candidates, filter.filter(|_| !scanned.exact)) {
            (Candidates::Ids(ids), None) => {
                debug_assert_eq!(
                    scanned.rows(base, 0).count(),
                    ids.len(),
                    "an index lists live rows"
                );
                ids.len() as u64
            }
            (Candidates::All, None) => base.rows.len() as u64,
            (_, Some(filter)) => {
                let filter = Where::new(filter);
                let mut kept = 0;
                for (_, row) in scanned.rows(base, filter.first_column()) {
                    kept += u64::from(filter.keeps(row, env)?);
                }
                kept
            }
        };
        Ok(Some((trace.kept, cost, trace)))
    }
}

/// The driving table's access path for `filter`, with the cost and trace of reading it.
fn scan_base<'t>(
    base: &'t Table,
    filter: Option<&Expr>,
    env: &Env,
) -> Result<(Scan<'t>, Cost, Trace)> {
    let pushed: Vec<&Expr> = filter.map(conjuncts).unwrap_or_default();
    let mut scanned = scan(base, &pushed, 0, env)?;
    let cost = Cost {
        rows_scanned: scanned.rows_scanned,
        rows_returned: 0,
        access: scanned.access.clone(),
    };
    let trace = Trace {
        base_scanned: scanned.rows_scanned,
        key_columns: std::mem::take(&mut scanned.key_columns),
        ..Trace::default()
    };
    Ok((scanned, cost, trace))
}

/// The rows for which `filter` is true (all rows without a filter).
fn keep_matching<R: AsRef<[Value]>>(
    rows: impl IntoIterator<Item = R>,
    filter: Option<&Where>,
    env: &Env,
) -> Result<Vec<R>> {
    let Some(filter) = filter else { return Ok(rows.into_iter().collect()) };
    let mut kept = Vec::new();
    for row in rows {
        if filter.keeps(row.as_ref(), env)? {
            kept.push(row);
        }
    }
    Ok(kept)
}

/// The equality in ON that links an outer slot to an inner column, if any.
pub(super) fn join_key(on: &Expr, width: usize) -> Option<(usize, usize)> {
    conjuncts(on).into_iter().find_map(|c| match c {
        Expr::Binary { op: BinaryOp::Eq, left, right } => match (left.as_ref(), right.as_ref()) {
            (Expr::Slot(a), Expr::Slot(b)) if *a < width && *b >= width => Some((*a, b - width)),
            (Expr::Slot(a), Expr::Slot(b)) if *b < width && *a >= width => Some((*b, a - width)),
            _ => None,
        },
        _ => None,
    })
}

/// How the inner table of a join is read.
enum InnerAccess<'a> {
    /// Probe an index on the inner join column for each outer row.
    Index(&'a super::storage::Index, usize),
    /// Read the inner table once into a map from join key to rows.
    Hash(BTreeMap<Key, Vec<&'a Row>>),
    /// Read every inner row for every outer row.
    Loop,
}

fn join_rows(
    outer: Vec<Row>,
    width: usize,
    inner: &Table,
    kind: JoinKind,
    on: &Expr,
    cost: &mut Cost,
    env: &Env,
) -> Result<(Vec<Row>, JoinTrace)> {
    let scanned_before = cost.rows_scanned;
    let key = join_key(on, width);
    let access = match key {
        Some((_, column)) => {
            match inner.indexes.iter().find(|i| i.positions.first() == Some(&column)) {
                Some(index) => InnerAccess::Index(index, column),
                None => {
                    cost.rows_scanned += inner.rows.len() as u64;
                    let mut map: BTreeMap<Key, Vec<&Row>> = BTreeMap::new();
                    for row in inner.rows.values().filter(|r| !r[column].is_null()) {
                        map.entry(Key(vec![row[column].clone()])).or_default().push(row);
                    }
                    InnerAccess::Hash(map)
                }
            }
        }
        None => InnerAccess::Loop,
    };
    let inner_width = inner.schema.columns.len();
    let mut out = Vec::new();
    for outer_row in outer {
        let outer_value = key.map(|(slot, _)| outer_row[slot].clone()).unwrap_or(Value::Null);
        let candidates: Vec<&Row> = match &access {
            InnerAccess::Index(index, column) => {
                let lookup = lookup_value(&inner.schema.columns[*column].data_type, outer_value);
                let ids = lookup.map(|v| probe_prefix(index, &Key(vec![v]))).unwrap_or_default();
                cost.rows_scanned += ids.len() as u64;
                ids.iter().filter_map(|id| inner.rows.get(id)).collect()
            }
            InnerAccess::Hash(map) => map.get(&Key(vec![outer_value])).cloned().unwrap_or_default(),
            InnerAccess::Loop => {
                cost.rows_scanned += inner.rows.len() as u64;
                inner.rows.values().collect()
            }
        };
        let mut matched = false;
        for candidate in candidates {
            let combined: Row = outer_row.iter().chain(candidate.iter()).cloned().collect();
            if is_true(&eval(on, &combined, env)?, "JOIN/ON")? {
                matched = true;
                out.push(combined);
            }
        }
        if !matched && kind == JoinKind::Left {
            let nulls = std::iter::repeat_n(Value::Null, inner_width);
            out.push(outer_row.iter().cloned().chain(nulls).collect());
        }
    }
    let method = match access {
        InnerAccess::Index(index, _) => JoinMethod::Index(index.schema.name.to_string()),
        InnerAccess::Hash(_) => JoinMethod::Hash,
        InnerAccess::Loop => JoinMethod::Loop,
    };
    let trace = JoinTrace {
        method,
        inner_scanned: cost.rows_scanned - scanned_before,
        joined: out.len() as u64,
    };
    Ok((out, trace))
}

/// The select list with wildcards expanded: bound expressions and column names.
pub fn expand_items(
    items: &[SelectItem],
    scope: &Scope,
    has_from: bool,
) -> Result<Vec<(Expr, String)>> {
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::Wildcard => {
                if !has_from {
                    return Err(SqlError::new(
                        "42601",
                        "SELECT * with no tables specified is not valid",
                    ));
                }
                out.extend(
                    scope
                        .columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (Expr::Slot(i), c.name.to_string())),
                );
            }
            SelectItem::QualifiedWildcard(table) => {
                let before = out.len();
                out.extend(
                    scope
                        .columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.table == table)
                        .map(|(i, c)| (Expr::Slot(i), c.name.to_string())),
                );
                if out.len() == before {
                    return Err(SqlError::new(
                        "42P01",
                        format!("missing FROM-clause entry for table \"{table}\""),
                    ));
                }
            }
            SelectItem::Expr { expr, alias } => {
                let name = alias.clone().unwrap_or_else(|| output_name(expr));
                out.push((bind(expr, scope, Clause::Select)?, name));
            }
        }
    }
    Ok(out)
}

/// PostgreSQL's default column name for an unaliased expression.
fn output_name(expr: &Expr) -> String {
    match expr {
        Expr::Column { name, .. } => name.clone(),
        Expr::Function { name, .. } => name.clone(),
        Expr::Aggregate { func, .. } => func.name().to_string(),
        Expr::Cast { expr, to } => match expr.as_ref() {
            inner @ (Expr::Column { .. } | Expr::Function { .. } | Expr::Aggregate { .. }) => {
                output_name(inner)
            }
            _ => to.column_label().to_string(),
        },
        Expr::Case { .. } => "case".to_string(),
        Expr::Literal(Value::Bool(_)) => "bool".to_string(),
        _ => "?column?".to_string(),
    }
}

/// A sort key: an output column (by alias or position) or an expression.
#[derive(Clone, Debug)]
pub(super) enum SortKey {
    Output(usize),
    Expr(Expr),
}

/// Direction of one sort key: (descending, nulls first).
pub(super) type Direction = (bool, bool);

pub(super) fn resolve_order(
    order_by: &[OrderItem],
    items: &[(Expr, String)],
    scope: &Scope,
) -> Result<Vec<(SortKey, Direction)>> {
    order_by
        .iter()
        .map(|item| {
            let direction = (item.desc, item.nulls_first.unwrap_or(item.desc));
            let key = match &item.expr {
                Expr::Literal(Value::Int(n)) => {
                    let position =
                        usize::try_from(*n).ok().filter(|p| (1..=items.len()).contains(p));
                    let position = position.ok_or_else(|| {
                        SqlError::new(
                            "42P10",
                            format!("ORDER BY position {n} is not in select list"),
                        )
                    })?;
                    SortKey::Output(position - 1)
                }
                // A bare name means the output column when one has it (PostgreSQL's rule).
                Expr::Column { table: None, name, .. } if items.iter().any(|(_, n)| n == name) => {
                    SortKey::Output(items.iter().position(|(_, n)| n == name).unwrap_or(0))
                }
                other => SortKey::Expr(bind(other, scope, Clause::Select)?),
            };
            Ok((key, direction))
        })
        .collect()
}

/// An output row plus its sort key values.
type Produced = (Row, Vec<Value>);

fn sort_values(
    order: &[(SortKey, Direction)],
    output: &[Value],
    input: &[Value],
    env: &Env,
) -> Result<Vec<Value>> {
    order
        .iter()
        .map(|(key, _)| match key {
            SortKey::Output(i) => Ok(output.get(*i).cloned().unwrap_or(Value::Null)),
            SortKey::Expr(e) => eval(e, input, env),
        })
        .collect()
}

fn project(
    items: &[(Expr, String)],
    order: &[(SortKey, Direction)],
    rows: &[Row],
    env: &Env,
) -> Result<Vec<Produced>> {
    let whole_row = |row: &Row| {
        row.len() == items.len()
            && items.iter().enumerate().all(|(i, (e, _))| matches!(e, Expr::Slot(s) if *s == i))
    };
    rows.iter()
        .map(|row| {
            // `SELECT *` returns the stored row itself, shared, not a copy.
            let output = if whole_row(row) {
                row.clone()
            } else {
                items.iter().map(|(e, _)| eval(e, row, env)).collect::<Result<Row>>()?
            };
            let keys = sort_values(order, &output, row, env)?;
            Ok((output, keys))
        })
        .collect()
}

fn distinct(
    rows: Vec<Produced>,
    order: &[(SortKey, Direction)],
    items: &[(Expr, String)],
) -> Result<Vec<Produced>> {
    for (key, _) in order {
        if let SortKey::Expr(expr) = key {
            if !items.iter().any(|(e, _)| e == expr) {
                return Err(SqlError::new(
                    "42P10",
                    "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                ));
            }
        }
    }
    let mut seen = BTreeSet::new();
    Ok(rows.into_iter().filter(|(row, _)| seen.insert(Key(row.to_vec()))).collect())
}

fn sort(rows: &mut [Produced], order: &[(SortKey, Direction)]) {
    if order.is_empty() {
        return;
    }
    rows.sort_by(|(_, a), (_, b)| {
        for ((x, y), (_, (desc, nulls_first))) in a.iter().zip(b).zip(order) {
            let ordering = match (x.is_null(), y.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    if *nulls_first {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (false, true) => {
                    if *nulls_first {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (false, false) if *desc => y.total_cmp(x),
                (false, false) => x.total_cmp(y),
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    });
}

fn limit(rows: Vec<Produced>, select: &Select, env: &Env) -> Result<Vec<Row>> {
    let count =
        |expr: &Option<Expr>, what: &'static str, code: &'static str| -> Result<Option<usize>> {
            let Some(expr) = expr else { return Ok(None) };
            let bound = bind(expr, &Scope::default(), Clause::NoAggregates(what))?;
            match DataType::BigInt.cast(eval(&bound, &[], env)?)? {
                Value::Int(n) if n < 0 => {
                    Err(SqlError::new(code, format!("{what} must not be negative")))
                }
                Value::Int(n) => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
                _ => Ok(None),
            }
        };
    let offset = count(&select.offset, "OFFSET", "2201X")?.unwrap_or(0);
    let limit = count(&select.limit, "LIMIT", "2201W")?.unwrap_or(usize::MAX);
    Ok(rows.into_iter().skip(offset).take(limit).map(|(row, _)| row).collect())
}

// ----- aggregation -----

/// One aggregate call found in the select list, HAVING or ORDER BY.
#[derive(Clone, Debug, PartialEq)]
struct AggCall {
    func: AggFunc,
    arg: Option<Expr>,
    distinct: bool,
}

/// Running state of one aggregate over one group.
#[derive(Clone, Debug)]
struct AggState {
    count: i64,
    value: Option<Value>,
    seen: BTreeSet<Key>,
}

fn aggregate(
    select: &Select,
    scope: &Scope,
    items: &[(Expr, String)],
    order: &[(SortKey, Direction)],
    rows: Vec<Row>,
    env: &Env,
) -> Result<(Vec<Produced>, u64)> {
    let groups = group_exprs(&select.group_by, items, scope)?;
    let mut calls = Vec::new();
    let mut rewrite = |e: &Expr| to_group_expr(e, &groups, &mut calls, scope);
    let outputs = items.iter().map(|(e, _)| rewrite(e)).collect::<Result<Vec<_>>>()?;
    let having = select
        .having
        .as_ref()
        .map(|h| bind(h, scope, Clause::Select).and_then(|b| rewrite(&b)))
        .transpose()?;
    let sort_keys = order
        .iter()
        .map(|(k, d)| match k {
            SortKey::Expr(e) => Ok((SortKey::Expr(rewrite(e)?), *d)),
            other => Ok((other.clone(), *d)),
        })
        .collect::<Result<Vec<_>>>()?;
    let group_rows = accumulate(&groups, &calls, rows, select.group_by.is_empty(), env)?;
    let formed = group_rows.len() as u64;
    let mut out = Vec::new();
    for row in group_rows {
        if let Some(h) = &having {
            if !is_true(&eval(h, &row, env)?, "HAVING")? {
                continue;
            }
        }
        let output = outputs.iter().map(|e| eval(e, &row, env)).collect::<Result<Row>>()?;
        let keys = sort_values(&sort_keys, &output, &row, env)?;
        out.push((output, keys));
    }
    Ok((out, formed))
}

/// GROUP BY expressions, bound; `GROUP BY 1` and `GROUP BY alias` refer to the select list.
pub(super) fn group_exprs(
    group_by: &[Expr],
    items: &[(Expr, String)],
    scope: &Scope,
) -> Result<Vec<Expr>> {
    group_by
        .iter()
        .map(|g| match g {
            Expr::Literal(Value::Int(n)) => usize::try_from(*n)
                .ok()
                .and_then(|p| p.checked_sub(1))
                .and_then(|p| items.get(p))
                .map(|(e, _)| e.clone())
                .ok_or_else(|| {
                    SqlError::new("42P10", format!("GROUP BY position {n} is not in select list"))
                }),
            Expr::Column { table: None, name, .. }
                if !scope.columns.iter().any(|c| c.name == name) =>
            {
                match items.iter().find(|(_, n)| n == name) {
                    Some((e, _)) => Ok(e.clone()),
                    None => bind(g, scope, Clause::NoAggregates("GROUP BY")),
                }
            }
            other => bind(other, scope, Clause::NoAggregates("GROUP BY")),
        })
        .map(|e| {
            let e = e?;
            if e.contains_aggregate() {
                return Err(SqlError::grouping("aggregate functions are not allowed in GROUP BY"));
            }
            Ok(e)
        })
        .collect()
}

/// Rewrites a bound expression to read the group row: `[group values.., aggregate results..]`.
fn to_group_expr(
    expr: &Expr,
    groups: &[Expr],
    calls: &mut Vec<AggCall>,
    scope: &Scope,
) -> Result<Expr> {
    if let Some(i) = groups.iter().position(|g| g == expr) {
        return Ok(Expr::Slot(i));
    }
    match expr {
        Expr::Aggregate { func, arg, distinct, .. } => {
            let call = AggCall { func: *func, arg: arg.as_deref().cloned(), distinct: *distinct };
            let index = calls.iter().position(|c| *c == call).unwrap_or_else(|| {
                calls.push(call);
                calls.len() - 1
            });
            Ok(Expr::Slot(groups.len() + index))
        }
        Expr::Slot(slot) => Err(SqlError::grouping(format!(
            "column \"{}\" must appear in the GROUP BY clause or be used in an aggregate function",
            scope.qualified_name(*slot)
        ))),
        other => {
            other.try_map_children(&mut |child: &Expr| to_group_expr(child, groups, calls, scope))
        }
    }
}

/// Groups rows and folds every aggregate; one row per group, in group-key order.
fn accumulate(
    groups: &[Expr],
    calls: &[AggCall],
    rows: Vec<Row>,
    whole_table: bool,
    env: &Env,
) -> Result<Vec<Row>> {
    let fresh = || {
        calls
            .iter()
            .map(|_| AggState { count: 0, value: None, seen: BTreeSet::new() })
            .collect::<Vec<_>>()
    };
    let mut states: BTreeMap<Key, Vec<AggState>> = BTreeMap::new();
    if whole_table {
        states.insert(Key(Vec::new()), fresh());
    }
    for row in &rows {
        let key = Key(groups.iter().map(|g| eval(g, row, env)).collect::<Result<_>>()?);
        let group = states.entry(key).or_insert_with(fresh);
        for (call, state) in calls.iter().zip(group.iter_mut()) {
            let value = call.arg.as_ref().map(|a| eval(a, row, env)).transpose()?;
            fold(call, state, value)?;
        }
    }
    states
        .into_iter()
        .map(|(key, group)| {
            let mut row = key.0;
            for (call, state) in calls.iter().zip(group) {
                row.push(finish(call, state)?);
            }
            Ok(Row::from(row))
        })
        .collect()
}

/// Adds one input value (None for `COUNT(*)`) to an aggregate's state.
fn fold(call: &AggCall, state: &mut AggState, value: Option<Value>) -> Result<()> {
    let value = match value {
        None => {
            state.count += 1;
            return Ok(());
        }
        Some(Value::Null) => return Ok(()),
        Some(v) => v,
    };
    if call.distinct && !state.seen.insert(Key(vec![value.clone()])) {
        return Ok(());
    }
    state.count += 1;
    state.value = Some(match (call.func, state.value.take()) {
        (AggFunc::Count, _) => Value::Null,
        (_, None) => check_aggregable(call.func, value)?,
        (AggFunc::Sum | AggFunc::Avg, Some(total)) => add(total, value)?,
        (AggFunc::Min, Some(best)) => {
            if value.total_cmp(&best).is_lt() {
                value
            } else {
                best
            }
        }
        (AggFunc::Max, Some(best)) => {
            if value.total_cmp(&best).is_gt() {
                value
            } else {
                best
            }
        }
    });
    Ok(())
}

fn check_aggregable(func: AggFunc, value: Value) -> Result<Value> {
    let numeric = matches!(value, Value::Int(_) | Value::Numeric(_) | Value::Interval(_));
    if matches!(func, AggFunc::Sum | AggFunc::Avg) && !numeric {
        return Err(SqlError::undefined_function(&format!(
            "{}({})",
            func.name(),
            value.type_name()
        )));
    }
    Ok(value)
}

/// Sum step: integers stay integers until they overflow, then become numeric.
fn add(total: Value, value: Value) -> Result<Value> {
    match (total, value) {
        (Value::Int(a), Value::Int(b)) => Ok(match a.checked_add(b) {
            Some(sum) => Value::Int(sum),
            None => Value::Numeric(Numeric::from_i64(a).add(&Numeric::from_i64(b))?),
        }),
        (Value::Interval(a), Value::Interval(b)) => a
            .checked_add(&b)
            .map(Value::interval)
            .ok_or_else(|| SqlError::new("22008", "interval out of range")),
        (a, b) => Ok(Value::Numeric(as_numeric(&a)?.add(&as_numeric(&b)?)?)),
    }
}

fn as_numeric(value: &Value) -> Result<Numeric> {
    match value {
        Value::Int(i) => Ok(Numeric::from_i64(*i)),
        Value::Numeric(n) => Ok(*n),
        other => Err(SqlError::undefined_function(&format!("sum({})", other.type_name()))),
    }
}

fn finish(call: &AggCall, state: AggState) -> Result<Value> {
    match call.func {
        AggFunc::Count => Ok(Value::Int(state.count)),
        AggFunc::Avg => match state.value {
            None => Ok(Value::Null),
            Some(Value::Interval(_)) => Err(SqlError::unsupported("avg(interval)")),
            Some(total) => {
                Ok(Value::Numeric(as_numeric(&total)?.div(&Numeric::from_i64(state.count))?))
            }
        },
        _ => Ok(state.value.unwrap_or(Value::Null)),
    }
}
