//! Writes as data: each statement computes its [`Change`]s before touching anything.
//!
//! ```text
//!   UPDATE orders SET amount = amount * 2 WHERE user_id = 101
//!     1. plan + scan        (index on user_id, if any)
//!     2. evaluate           new row images from old ones; casts, NOT NULL
//!     3. check              unique indexes against the whole batch
//!     4. emit               [Update { before, after }, ...] with row ids
//!   exec.rs then applies them through Database::apply_change, the same path
//!   a replica's WAL replay takes.
//! ```
//!
//! Because nothing is applied until the whole statement checked out, a
//! failing statement leaves no trace: statements are atomic. Defaults are
//! evaluated here, on the primary, once: `DEFAULT NOW()` and `SERIAL`
//! numbers travel to replicas as values.

use crate::engine::vecmap::VecMap;
use std::collections::{BTreeMap, BTreeSet};

use super::ast::{
    ColumnDef, CreateIndex, CreateTable, Delete, Expr, Insert, InsertSource, Name, SelectItem,
    Update,
};
use super::error::SqlError;
use super::eval::{bind, check_unknown, conjuncts, eval, fold_constants, Clause, Scope};
use super::outcome::{Access, Cost};
use super::plan::scan;
use super::predicate::Where;
use super::query::{expand_items, table_scope};
use super::schema::{ColumnSchema, DataType, IndexSchema, TableSchema};
use super::storage::{unique_violation, Database, RowId, Table};
use super::value::{Key, Row, Value};
use super::wal::Change;
use super::Env;

type Result<T> = std::result::Result<T, SqlError>;
/// Sequence positions by sequence name.
pub type Sequences = VecMap<String, i64>;

/// A statement's computed effect: changes (with row ids where known), RETURNING rows, cost.
#[derive(Debug, Default)]
pub struct Effect {
    /// Changes to apply, in order, with the row id for updates and deletes.
    pub changes: Vec<(Change, Option<RowId>)>,
    /// RETURNING column names (empty without RETURNING).
    pub columns: Vec<String>,
    /// RETURNING rows.
    pub rows: Vec<Row>,
    /// Work done.
    pub cost: Cost,
    /// Rows written (for the command tag).
    pub count: usize,
}

/// Where `nextval` draws from: the session's copy and, inside a transaction,
/// the shared sequences too (sequences are not transactional).
pub struct SequenceSource<'a> {
    /// The working database's sequences.
    pub work: &'a mut Sequences,
    /// The shared database's sequences when running inside a transaction.
    pub shared: Option<&'a mut Sequences>,
}

impl SequenceSource<'_> {
    fn nextval(&mut self, name: &str) -> Result<i64> {
        let shared_last = self.shared.as_ref().and_then(|s| s.get(name)).copied().unwrap_or(0);
        let last = self.work.get(name).copied().unwrap_or(0).max(shared_last);
        let next = last.checked_add(1).ok_or_else(|| {
            SqlError::new(
                "2200H",
                format!("nextval: reached maximum value of sequence \"{name}\" ({last})"),
            )
        })?;
        match self.work.get_mut(name) {
            Some(last) => *last = next,
            None => _ = self.work.insert(name.to_string(), next),
        }
        if let Some(shared) = self.shared.as_mut().and_then(|s| s.get_mut(name)) {
            *shared = next;
        }
        Ok(next)
    }
}

fn table_at<'a>(tables: &'a VecMap<String, Table>, name: &Name) -> Result<&'a Table> {
    tables.get(&name.name).ok_or_else(|| SqlError::undefined_table(&name.name).at(name.pos.0))
}

/// `Failing row contains (1, null, 19.99)`.
fn failing_row(row: &[Value]) -> String {
    format!("Failing row contains {}.", Key(row.to_vec()).display_tuple())
}

/// A column's value from an expression or its default, cast to the column type.
fn column_value(
    column: &ColumnSchema,
    value: Option<Value>,
    sequences: &mut SequenceSource,
    env: &Env,
) -> Result<Value> {
    let value = match value {
        Some(v) => v,
        None => default_value(column, sequences, env)?,
    };
    column.data_type.assign(value, &column.name)
}

/// NOT NULL check of a complete new row image, with PostgreSQL's DETAIL line.
fn check_not_null(table: &TableSchema, row: &[Value]) -> Result<()> {
    for (column, value) in table.columns.iter().zip(row) {
        if value.is_null() && column.not_null {
            return Err(
                SqlError::not_null_violation(&column.name, &table.name).detail(failing_row(row))
            );
        }
    }
    Ok(())
}

fn default_value(
    column: &ColumnSchema,
    sequences: &mut SequenceSource,
    env: &Env,
) -> Result<Value> {
    if let Some(sequence) = &column.sequence {
        return Ok(Value::Int(sequences.nextval(sequence)?));
    }
    match &column.default {
        Some(expr) => eval(expr, &[], env),
        None => Ok(Value::Null),
    }
}

/// Checks new row images against unique indexes: the table's other rows
/// (`replaced` rows excepted) and each other.
fn check_unique(table: &Table, rows: &[&Row], replaced: &[RowId]) -> Result<()> {
    let mut batch: BTreeSet<(usize, Key)> = BTreeSet::new();
    for row in rows {
        if let Some((index, key)) = table.unique_conflict(row, replaced) {
            return Err(unique_violation(index, &key));
        }
        if rows.len() == 1 {
            break; // a single row cannot clash with itself
        }
        for (i, index) in table.indexes.iter().enumerate().filter(|(_, i)| i.schema.unique) {
            let key = index.key_of(row);
            if !key.has_null() && !batch.insert((i, key.clone())) {
                return Err(unique_violation(index, &key));
            }
        }
    }
    Ok(())
}

/// RETURNING rows evaluated on the given row images.
fn returning(
    items: &[SelectItem],
    table: &Table,
    visible: &str,
    rows: &[&Row],
    env: &Env,
) -> Result<(Vec<String>, Vec<Row>)> {
    if items.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let scope = Scope { columns: table_scope(table, visible) };
    let expanded = expand_items(items, &scope, true)?;
    if expanded.iter().any(|(e, _)| e.contains_aggregate()) {
        return Err(SqlError::grouping("aggregate functions are not allowed in RETURNING"));
    }
    let out = rows
        .iter()
        .map(|row| expanded.iter().map(|(e, _)| eval(e, row, env)).collect::<Result<Row>>())
        .collect::<Result<_>>()?;
    Ok((expanded.into_iter().map(|(_, n)| n).collect(), out))
}

// ----- INSERT -----

/// Positions of the target columns of an INSERT.
fn insert_targets(table: &Table, columns: &Option<Vec<Name>>) -> Result<Vec<usize>> {
    let Some(columns) = columns else { return Ok((0..table.schema.columns.len()).collect()) };
    let mut seen = VecMap::new();
    columns
        .iter()
        .map(|c| {
            let position = table.schema.column_index(&c.name).ok_or_else(|| {
                SqlError::undefined_column_of(&c.name, &table.schema.name).at(c.pos.0)
            })?;
            if seen.insert(position, ()).is_some() {
                return Err(SqlError::duplicate_column(&c.name).at(c.pos.0));
            }
            Ok(position)
        })
        .collect()
}

/// Source rows of an INSERT: per row, per target, an expression (`None` = DEFAULT).
pub enum SourceRows {
    /// `VALUES` expressions, bound, with DEFAULT as None.
    Exprs(Vec<Vec<Option<Expr>>>),
    /// Rows already produced by `INSERT ... SELECT`.
    Values(Vec<Row>),
}

/// Binds VALUES rows (or takes pre-computed SELECT rows) and checks their width.
pub fn insert_source(
    insert: &Insert,
    selected: Option<Vec<Row>>,
    targets: usize,
) -> Result<SourceRows> {
    let check_width = |width: usize| match width.cmp(&targets) {
        std::cmp::Ordering::Greater => {
            Err(SqlError::new("42601", "INSERT has more expressions than target columns"))
        }
        std::cmp::Ordering::Less => {
            Err(SqlError::new("42601", "INSERT has more target columns than expressions"))
        }
        std::cmp::Ordering::Equal => Ok(()),
    };
    match (&insert.source, selected) {
        (_, Some(rows)) => {
            if let Some(first) = rows.first() {
                check_width(first.len())?;
            }
            Ok(SourceRows::Values(rows))
        }
        (InsertSource::Values(rows), None) => {
            let scope = Scope::default();
            let bound = rows
                .iter()
                .map(|row| {
                    check_width(row.len())?;
                    row.iter()
                        .map(|e| match e {
                            Expr::Default => Ok(None),
                            other => bind(other, &scope, Clause::NoAggregates("VALUES")).map(Some),
                        })
                        .collect::<Result<Vec<_>>>()
                })
                .collect::<Result<_>>()?;
            Ok(SourceRows::Exprs(bound))
        }
        _ => Ok(SourceRows::Exprs(vec![Vec::new()])),
    }
}

/// Computes an INSERT's rows, checks constraints, and returns the changes.
pub fn insert(
    tables: &VecMap<String, Table>,
    sequences: &mut SequenceSource,
    stmt: &Insert,
    selected: Option<(Vec<Row>, Cost)>,
    env: &Env,
) -> Result<Effect> {
    if let Some(refused) = super::catalog::refuse_write(&stmt.table.name, "insert into") {
        return Err(refused.at(stmt.table.pos.0));
    }
    let table = table_at(tables, &stmt.table)?;
    let mut targets = match &stmt.source {
        InsertSource::DefaultValues => Vec::new(),
        _ => insert_targets(table, &stmt.columns)?,
    };
    if stmt.columns.is_none() {
        // Without a column list, the values fill the first columns; the rest take defaults.
        let width = match (&stmt.source, &selected) {
            (_, Some((rows, _))) => rows.first().map(|row| row.len()),
            (InsertSource::Values(rows), None) => rows.first().map(Vec::len),
            _ => None,
        };
        targets.truncate(width.unwrap_or(targets.len()));
    }
    let (selected, source_cost) = match selected {
        Some((rows, cost)) => (Some(rows), cost),
        None => (None, Cost::default()),
    };
    let width = table.schema.columns.len();
    let mut given: Vec<Vec<Option<Value>>> = match (&stmt.source, selected) {
        (InsertSource::Values(rows), None) => values_rows(table, &targets, stmt, rows, env)?,
        (_, selected) => match insert_source(stmt, selected, targets.len())? {
            SourceRows::Values(rows) => rows
                .into_iter()
                .map(|row| by_position(width, &targets, row.iter().cloned().map(Some)))
                .collect(),
            SourceRows::Exprs(rows) => rows
                .iter()
                .map(|row| row.iter().map(|e| e.as_ref().map(|e| eval(e, &[], env)).transpose()))
                .map(|row| Ok(by_position(width, &targets, row.collect::<Result<Vec<_>>>()?)))
                .collect::<Result<_>>()?,
        },
    };
    // PostgreSQL coerces the given values while analysing the statement, before any default
    // (a serial's nextval) runs: a value of the wrong type consumes no sequence number.
    for row in &mut given {
        coerce_given(&table.schema, &targets, row)?;
    }
    let mut new_rows = Vec::with_capacity(given.len());
    for values in given {
        new_rows.push(build_row(&table.schema, values, sequences, env)?);
    }
    let images: Vec<&Row> = new_rows.iter().collect();
    check_unique(table, &images, &[])?;
    let (columns, rows) = returning(&stmt.returning, table, &table.schema.name, &images, env)?;
    let count = new_rows.len();
    let name = table.schema.name.clone();
    let changes = new_rows
        .into_iter()
        .map(|row| (Change::Insert { table: name.clone(), row }, None))
        .collect();
    let cost = Cost {
        rows_scanned: source_cost.rows_scanned,
        rows_returned: count as u64,
        access: source_cost.access,
    };
    Ok(Effect { changes, columns, rows, cost, count })
}

/// The values of `VALUES` rows, per row and column position (None: the column's default).
/// Literals are read first, string literals as their columns' types, before anything runs
/// (PostgreSQL reads them while analysing the statement); then, unless every value was a
/// literal or DEFAULT, every row is bound, its width checked, and its other expressions
/// evaluated.
fn values_rows(
    table: &Table,
    targets: &[usize],
    stmt: &Insert,
    rows: &[Vec<Expr>],
    env: &Env,
) -> Result<Vec<Vec<Option<Value>>>> {
    let columns = &table.schema.columns;
    let mut cells = Vec::with_capacity(rows.len());
    let mut all_read = true;
    for row in rows {
        // A row of the wrong width fails on its width below, as in PostgreSQL.
        if row.len() != targets.len() {
            cells.push(Vec::new());
            all_read = false;
            continue;
        }
        let mut read = vec![None; columns.len()];
        for (expr, &target) in row.iter().zip(targets) {
            read[target] = literal_value(expr, &columns[target].data_type)?;
            all_read &= read[target].is_some() || matches!(expr, Expr::Default);
        }
        cells.push(read);
    }
    if all_read {
        return Ok(cells);
    }
    let SourceRows::Exprs(bound) = insert_source(stmt, None, targets.len())? else {
        unreachable!("VALUES rows bind to expressions")
    };
    // Every row has its targets' width now: the literals read stay, the rest is evaluated.
    for (row, exprs) in cells.iter_mut().zip(&bound) {
        for (&target, expr) in targets.iter().zip(exprs) {
            if row[target].is_none() {
                row[target] = expr.as_ref().map(|e| eval(e, &[], env)).transpose()?;
            }
        }
    }
    Ok(cells)
}

/// The value of a literal given for a column of type `to` (a string literal read as that
/// type); None for any other expression.
fn literal_value(expr: &Expr, to: &DataType) -> Result<Option<Value>> {
    match expr {
        Expr::Literal(value) => Ok(Some(value.clone())),
        Expr::Unknown { text, .. } => {
            Ok(Some(check_unknown(expr, to)?.unwrap_or_else(|| text.clone())))
        }
        _ => Ok(None),
    }
}

/// One row's values given for `targets`, placed by column position in a row of `width`.
fn by_position(
    width: usize,
    targets: &[usize],
    values: impl IntoIterator<Item = Option<Value>>,
) -> Vec<Option<Value>> {
    let mut row = vec![None; width];
    for (&position, value) in targets.iter().zip(values) {
        row[position] = value;
    }
    row
}

/// Coerces one row's given values (by column position) to their columns' types.
fn coerce_given(schema: &TableSchema, targets: &[usize], row: &mut [Option<Value>]) -> Result<()> {
    for &position in targets {
        if let Some(value) = row[position].take() {
            let column = &schema.columns[position];
            row[position] = Some(column.data_type.assign(value, &column.name)?);
        }
    }
    Ok(())
}

/// A new row from its coerced given values (one per column), the rest filled with defaults
/// in column order.
fn build_row(
    schema: &TableSchema,
    mut given: Vec<Option<Value>>,
    sequences: &mut SequenceSource,
    env: &Env,
) -> Result<Row> {
    for (column, value) in schema.columns.iter().zip(&mut given) {
        if value.is_none() {
            *value = Some(column_value(column, None, sequences, env)?);
        }
    }
    // Collected straight into the shared row: one allocation, no intermediate vector.
    let row: Row = given.into_iter().map(|v| v.unwrap_or(Value::Null)).collect();
    check_not_null(schema, &row)?;
    Ok(row)
}

// ----- UPDATE / DELETE -----

/// Rows of `table` matching a bound filter, with the scan's cost.
fn matching_rows<'a>(
    table: &'a Table,
    filter: Option<Expr>,
    env: &Env,
) -> Result<(Vec<(RowId, &'a Row)>, Cost)> {
    let folded = filter.map(|f| fold_constants(f, env));
    let filter = folded.as_ref();
    let pushed = filter.map(conjuncts).unwrap_or_default();
    let scanned = scan(table, &pushed, 0, env)?;
    let filter = filter.filter(|_| !scanned.exact).map(Where::new);
    let mut out = Vec::new();
    let column = filter.as_ref().map_or(0, Where::first_column);
    for (id, row) in scanned.rows(table, column) {
        if filter.as_ref().map_or(Ok(true), |f| f.keeps(row, env))? {
            out.push((id, row));
        }
    }
    let cost = Cost {
        rows_scanned: scanned.rows_scanned,
        rows_returned: out.len() as u64,
        access: scanned.access.clone(),
    };
    Ok((out, cost))
}

/// Computes an UPDATE's new row images and checks constraints.
pub fn update(
    tables: &VecMap<String, Table>,
    sequences: &mut SequenceSource,
    stmt: &Update,
    env: &Env,
) -> Result<Effect> {
    if let Some(refused) = super::catalog::refuse_write(&stmt.table.name.name, "update") {
        return Err(refused.at(stmt.table.name.pos.0));
    }
    let table = table_at(tables, &stmt.table.name)?;
    let visible = stmt.table.visible_name();
    let scope = Scope { columns: table_scope(table, visible) };
    let mut assigned = BTreeMap::new();
    for (name, expr) in &stmt.assignments {
        let position = table.schema.column_index(&name.name).ok_or_else(|| {
            SqlError::undefined_column_of(&name.name, &table.schema.name).at(name.pos.0)
        })?;
        check_unknown(expr, &table.schema.columns[position].data_type)?;
        let bound = match expr {
            Expr::Default => None,
            other => Some(bind(other, &scope, Clause::NoAggregates("UPDATE"))?),
        };
        if assigned.insert(position, bound).is_some() {
            return Err(SqlError::new(
                "42601",
                format!("multiple assignments to same column \"{}\"", name.name),
            )
            .at(name.pos.0));
        }
    }
    let filter =
        stmt.filter.as_ref().map(|f| bind(f, &scope, Clause::NoAggregates("WHERE"))).transpose()?;
    let (matched, cost) = matching_rows(table, filter, env)?;
    let mut updates = Vec::with_capacity(matched.len());
    for (id, before) in matched {
        let mut after = before.to_vec();
        for (&position, expr) in &assigned {
            let value = expr.as_ref().map(|e| eval(e, before, env)).transpose()?;
            let column = &table.schema.columns[position];
            after[position] = column_value(column, value, sequences, env)?;
        }
        check_not_null(&table.schema, &after)?;
        updates.push((id, before, Row::from(after)));
    }
    // Row ids come in scan order; sorted, they can be searched.
    let mut replaced: Vec<RowId> = updates.iter().map(|(id, _, _)| *id).collect();
    replaced.sort_unstable();
    check_unique(table, &updates.iter().map(|(_, _, a)| a).collect::<Vec<_>>(), &replaced)?;
    let images: Vec<&Row> = updates.iter().map(|(_, _, a)| a).collect();
    let (columns, rows) = returning(&stmt.returning, table, visible, &images, env)?;
    let name = table.schema.name.clone();
    let count = updates.len();
    let changes = updates
        .into_iter()
        .map(|(id, before, after)| {
            (Change::Update { table: name.clone(), before: before.clone(), after }, Some(id))
        })
        .collect();
    Ok(Effect { changes, columns, rows, cost, count })
}

/// Computes a DELETE's removed rows.
pub fn delete(tables: &VecMap<String, Table>, stmt: &Delete, env: &Env) -> Result<Effect> {
    if let Some(refused) = super::catalog::refuse_write(&stmt.table.name.name, "delete from") {
        return Err(refused.at(stmt.table.name.pos.0));
    }
    let table = table_at(tables, &stmt.table.name)?;
    let visible = stmt.table.visible_name();
    let scope = Scope { columns: table_scope(table, visible) };
    let filter =
        stmt.filter.as_ref().map(|f| bind(f, &scope, Clause::NoAggregates("WHERE"))).transpose()?;
    let (matched, cost) = matching_rows(table, filter, env)?;
    let images: Vec<&Row> = matched.iter().map(|(_, r)| *r).collect();
    let (columns, rows) = returning(&stmt.returning, table, visible, &images, env)?;
    let name = table.schema.name.clone();
    let count = matched.len();
    let changes = matched
        .into_iter()
        .map(|(id, before)| {
            (Change::Delete { table: name.clone(), before: before.clone() }, Some(id))
        })
        .collect();
    Ok(Effect { changes, columns, rows, cost, count })
}

// ----- DDL -----

/// A free relation name: `base`, else `base1`, `base2`, ... (PostgreSQL's rule).
fn free_name(db: &Database, base: &str, taken: &[String]) -> String {
    let free = |n: &str| !db.relation_exists(n) && !taken.iter().any(|t| t == n);
    if free(base) {
        return base.to_string();
    }
    (1..).map(|i| format!("{base}{i}")).find(|n| free(n)).unwrap_or_else(|| base.to_string())
}

/// Builds the schema for CREATE TABLE (None if it exists and IF NOT EXISTS was given).
pub fn create_table(db: &Database, stmt: &CreateTable) -> Result<Option<TableSchema>> {
    let table = &stmt.name.name;
    if db.relation_exists(table) {
        if stmt.if_not_exists {
            return Ok(None);
        }
        return Err(SqlError::duplicate_table(table).at(stmt.name.pos.0));
    }
    let mut columns: Vec<ColumnSchema> = Vec::with_capacity(stmt.columns.len());
    for def in &stmt.columns {
        if columns.iter().any(|c| c.name == def.name.name) {
            return Err(SqlError::duplicate_column(&def.name.name).at(def.name.pos.0));
        }
        columns.push(column_schema(table, def)?);
    }
    let mut schema = TableSchema { name: table.as_str().into(), columns, indexes: Vec::new() };
    let mut keys: Vec<(Option<String>, Vec<Name>, bool)> = Vec::new();
    for def in &stmt.columns {
        if def.primary_key || def.unique {
            keys.push((None, vec![def.name.clone()], def.primary_key));
        }
    }
    keys.extend(stmt.constraints.iter().map(|c| (c.name.clone(), c.columns.clone(), c.primary)));
    if keys.iter().filter(|(_, _, primary)| *primary).count() > 1 {
        return Err(SqlError::new(
            "42P16",
            format!("multiple primary keys for table \"{table}\" are not allowed"),
        ));
    }
    // The primary key's index comes first, as PostgreSQL creates it first.
    keys.sort_by_key(|(_, _, primary)| !primary);
    let mut taken = vec![table.clone()];
    for (name, key_columns, primary) in keys {
        let index = key_index(db, &mut schema, name, &key_columns, primary, &taken)?;
        taken.push(index.name.to_string());
        schema.indexes.push(index);
    }
    Ok(Some(schema))
}

fn column_schema(table: &str, def: &ColumnDef) -> Result<ColumnSchema> {
    if def.serial && def.default.is_some() {
        return Err(SqlError::new(
            "42601",
            format!(
                "multiple default values specified for column \"{}\" of table \"{table}\"",
                def.name.name
            ),
        ));
    }
    let default = match &def.default {
        Some(expr) => {
            let bound = bind(expr, &Scope::default(), Clause::NoAggregates("DEFAULT expressions"))
                .map_err(|e| {
                    if e.code == "42703" {
                        SqlError::new("0A000", "cannot use column reference in DEFAULT expression")
                            .at(e.position)
                    } else {
                        e
                    }
                })?;
            Some(bound)
        }
        None => None,
    };
    Ok(ColumnSchema {
        name: def.name.name.clone(),
        data_type: def.data_type.clone(),
        not_null: def.not_null,
        default,
        sequence: def.serial.then(|| format!("{table}_{}_seq", def.name.name)),
    })
}

/// The index behind a PRIMARY KEY or UNIQUE constraint, named like PostgreSQL.
fn key_index(
    db: &Database,
    schema: &mut TableSchema,
    name: Option<String>,
    columns: &[Name],
    primary: bool,
    taken: &[String],
) -> Result<IndexSchema> {
    let mut names = Vec::with_capacity(columns.len());
    for column in columns {
        let Some(position) = schema.column_index(&column.name) else {
            return Err(SqlError::new(
                "42703",
                format!("column \"{}\" named in key does not exist", column.name),
            )
            .at(column.pos.0));
        };
        if primary {
            schema.columns[position].not_null = true;
        }
        names.push(column.name.clone());
    }
    let base = if primary {
        format!("{}_pkey", schema.name)
    } else {
        format!("{}_{}_key", schema.name, names.join("_"))
    };
    let name = match name {
        Some(n) if db.relation_exists(&n) || taken.contains(&n) => {
            return Err(SqlError::duplicate_table(&n))
        }
        Some(n) => n,
        None => free_name(db, &base, taken),
    };
    Ok(IndexSchema { name: name.into(), columns: names, unique: true, primary })
}

/// Builds the index schema for CREATE INDEX (None if it exists and IF NOT EXISTS was given).
pub fn create_index(db: &Database, stmt: &CreateIndex) -> Result<(Option<IndexSchema>, Cost)> {
    let table = db.table(&stmt.table.name).map_err(|e| e.at(stmt.table.pos.0))?;
    let mut columns = Vec::with_capacity(stmt.columns.len());
    for column in &stmt.columns {
        if table.schema.column_index(&column.name).is_none() {
            return Err(SqlError::undefined_column(&column.name).at(column.pos.0));
        }
        columns.push(column.name.clone());
    }
    let name = match &stmt.name {
        Some(name) if db.relation_exists(name) => {
            if stmt.if_not_exists {
                return Ok((None, Cost::default()));
            }
            return Err(SqlError::duplicate_table(name));
        }
        Some(name) => name.clone(),
        None => free_name(db, &format!("{}_{}_idx", table.schema.name, columns.join("_")), &[]),
    };
    let cost = Cost {
        rows_scanned: table.rows.len() as u64,
        rows_returned: 0,
        access: Access::FullScan { table: table.schema.name.clone() },
    };
    Ok((
        Some(IndexSchema { name: name.into(), columns, unique: stmt.unique, primary: false }),
        cost,
    ))
}
