//! In-memory tables and B-tree indexes, changed only by row-level changes.
//!
//! ```text
//!  Database
//!   ├─ tables: "orders" ─► Table
//!   │                       ├─ rows:    row id ─► [1, 101, 19.99, 2026-01-05 09:00:00]
//!   │                       └─ indexes: orders_pkey         (1)   ─► {row 0}
//!   │                                   orders_user_id_idx  (101) ─► {row 0, row 7}
//!   └─ sequences: "orders_id_seq" ─► 1
//! ```
//!
//! There is exactly one way to change a database: [`Database::apply_change`]
//! with a [`Change`]. The primary's executor computes the changes a statement
//! makes, then applies them through this function; a replica applies the same
//! records from the WAL through the same function. That is why replaying the
//! WAL yields the same database, row ids included.
//!
//! Rows are found for `Update`/`Delete` by their *before image*: through the
//! primary key index when the table has one, otherwise by scanning. Identical
//! rows are interchangeable, because a statement treats identical rows alike.
//!
//! Sequences (behind `SERIAL`) are not transactional, as in PostgreSQL: a
//! rolled-back insert still uses up its number. A replica only learns the
//! numbers that reached the WAL, so sequence positions are left out of
//! [`Database`] equality.
//!
//! Row slots and index entries live in shared chunks ([`crate::engine::shared`]):
//! a clone of a database (a rewind snapshot) copies pointers, not rows, and a
//! change afterwards copies only the chunk it touches.

use crate::engine::shared::{SetIter, SharedDeque, SharedSet};
use crate::engine::vecmap::VecMap;
use std::cmp::Ordering;

use super::error::SqlError;
use super::postings::{IdIter, IdList, Ids};
use super::schema::{IndexSchema, TableSchema};
use super::time::Timestamp;
use super::value::{Key, Row, Value};
use super::wal::Change;

/// Row identifier within a table (like PostgreSQL's `ctid`, but stable).
pub type RowId = u64;

/// A table's rows by id. Ids are handed out in ascending order and never
/// reused (replicas apply inserts in the primary's order, so they hand out
/// the same ids), so the rows live in a slab indexed by id: a lookup is one
/// index, a scan reads consecutive slots. A deleted row leaves an empty slot,
/// except at the front, which is trimmed (a table whose oldest rows are
/// deleted, as an archived order table, stays compact).
#[derive(Clone, Debug, Default)]
pub struct Rows {
    /// The id of `slots[0]`.
    first_id: RowId,
    /// Shared with the cluster's snapshots, chunk by chunk (see [`crate::engine::shared`]).
    slots: SharedDeque<Option<Row>>,
    live: usize,
}

impl Rows {
    /// The row with this id, if it exists.
    pub fn get(&self, id: &RowId) -> Option<&Row> {
        let at = id.checked_sub(self.first_id)?;
        self.slots.get(usize::try_from(at).ok()?)?.as_ref()
    }

    /// How many rows exist.
    pub fn len(&self) -> usize {
        self.live
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Rows with their ids, in id (storage) order.
    pub fn iter(&self) -> Scanning<'_> {
        self.scan_reading(0)
    }

    /// Rows with their ids, in id (storage) order, for a scan that reads column `column` of
    /// each: that column is fetched a chunk ahead (see [`Scanning`]).
    pub fn scan_reading(&self, column: usize) -> Scanning<'_> {
        let first = self.slots.chunk(0).unwrap_or_default();
        warm(first, column);
        Scanning {
            rows: self,
            column,
            next_chunk: 1,
            current: first.iter(),
            next_id: self.first_id,
        }
    }

    /// Rows in storage order.
    pub fn values(&self) -> impl Iterator<Item = &Row> + '_ {
        self.iter().map(|(_, row)| row)
    }

    /// Ids in storage order.
    pub fn keys(&self) -> impl Iterator<Item = RowId> + '_ {
        self.iter().map(|(id, _)| id)
    }

    /// Adds a row under a new id, past every id used so far.
    fn push(&mut self, id: RowId, row: Row) {
        // With no rows every slot was trimmed: start afresh at this id.
        if self.is_empty() {
            self.first_id = id;
        }
        let end = self.first_id + self.slots.len() as RowId;
        assert!(id >= end, "row id {id} reused (next free is {end})");
        self.slots.extend(std::iter::repeat_n(None, (id - end) as usize));
        self.slots.push_back(Some(row));
        self.live += 1;
    }

    /// Replaces an existing row, returning the old one.
    fn replace(&mut self, id: RowId, row: Row) -> Option<Row> {
        let slot = self.slot_mut(id)?;
        slot.as_ref()?;
        slot.replace(row)
    }

    /// Removes a row, returning it.
    fn remove(&mut self, id: RowId) -> Option<Row> {
        let removed = self.slot_mut(id)?.take()?;
        self.live -= 1;
        while let Some(None) = self.slots.front() {
            self.slots.drop_front(1);
            self.first_id += 1;
        }
        Some(removed)
    }

    fn slot_mut(&mut self, id: RowId) -> Option<&mut Option<Row>> {
        let at = usize::try_from(id.checked_sub(self.first_id)?).ok()?;
        self.slots.get_mut(at)
    }
}

/// A table's rows in storage order, fetched ahead. Rows live in allocations of their own,
/// scattered through memory, and a scan that tests them one by one waits for each fetch in
/// turn. So when the scan enters a chunk of row slots, the next chunk's rows are read in one
/// tight pass first (the column the scan compares, so its cache line is the one fetched):
/// independent loads that the processor issues together, arriving while this chunk is
/// tested. (Ordinary loads, not prefetch instructions: they work the same in wasm. The
/// unindexed point select of `make bench` spent 88 % of its time on that wait before.)
pub struct Scanning<'a> {
    rows: &'a Rows,
    column: usize,
    next_chunk: usize,
    current: std::slice::Iter<'a, Option<Row>>,
    next_id: RowId,
}

impl<'a> Iterator for Scanning<'a> {
    type Item = (RowId, &'a Row);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            for slot in self.current.by_ref() {
                let id = self.next_id;
                self.next_id += 1;
                if let Some(row) = slot {
                    return Some((id, row));
                }
            }
            let chunk = self.rows.slots.chunk(self.next_chunk)?;
            self.next_chunk += 1;
            warm(self.rows.slots.chunk(self.next_chunk).unwrap_or_default(), self.column);
            self.current = chunk.iter();
        }
    }
}

/// Reads `column` of every row in `chunk` (see [`Scanning`]).
fn warm(chunk: &[Option<Row>], column: usize) {
    let touched =
        chunk.iter().flatten().fold(false, |any, row| any ^ row.get(column).is_some_and(touch));
    std::hint::black_box(touched);
}

/// Reads a value's tag and its first field: a value may straddle two cache lines.
fn touch(value: &Value) -> bool {
    match value {
        Value::Int(n) | Value::Timestamp(Timestamp(n)) | Value::Date(Timestamp(n)) => *n == 0,
        Value::Text(text) => text.is_empty(),
        other => other.is_null(),
    }
}

/// Equal when they hold the same rows under the same ids.
impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        self.live == other.live && self.iter().eq(other.iter())
    }
}

/// NULL, for a key column a row is too short to hold.
const NULL: &Value = &Value::Null;

/// A row's key in one index ([`Index::key_in`]).
pub enum RowKey<'r> {
    /// The row's own value, for a one-column index.
    One(&'r Value),
    /// Copies of the row's values, for a multi-column index.
    Many(Vec<Value>),
}

impl RowKey<'_> {
    /// The key's values, in the index's column order.
    pub fn values(&self) -> &[Value] {
        match self {
            RowKey::One(one) => std::slice::from_ref(*one),
            RowKey::Many(many) => many,
        }
    }

    /// True if any part is NULL: such keys never collide in a unique index.
    pub fn has_null(&self) -> bool {
        self.values().iter().any(Value::is_null)
    }

    /// The key as an owned [`Key`] (for an error's detail line).
    pub fn to_key(&self) -> Key {
        Key(self.values().to_vec())
    }
}

/// An index key as stored: one value inline (the common single-column
/// index, no allocation), several boxed.
#[derive(Clone, Debug)]
enum StoredKey {
    One(Value),
    Many(Box<[Value]>),
}

impl StoredKey {
    fn new(values: &[Value]) -> Self {
        match values {
            [one] => StoredKey::One(one.clone()),
            many => StoredKey::Many(many.into()),
        }
    }

    #[inline]
    fn values(&self) -> &[Value] {
        match self {
            StoredKey::One(one) => std::slice::from_ref(one),
            StoredKey::Many(many) => many,
        }
    }
}

/// One key's entry in an index: the key and the rows holding it (a posting list).
#[derive(Clone, Debug)]
struct Entry {
    key: StoredKey,
    ids: Ids,
}

impl Entry {
    /// Its key's order against `key` (most indexes have one column: compared directly).
    #[inline]
    fn cmp_key(&self, key: &[Value]) -> Ordering {
        match (&self.key, key) {
            // The common key (a serial id, a user id), compared here rather than by a call.
            (StoredKey::One(Value::Int(one)), [Value::Int(other)]) => one.cmp(other),
            (StoredKey::One(one), [other]) => one.total_cmp(other),
            (stored, key) => compare_keys(stored.values(), key),
        }
    }
}

/// [`Key`]'s order: values left to right by [`Value::total_cmp`], then length.
fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// Entries are ordered by key alone: an index holds one entry per key, so two entries of
/// one index never share a key (equality also compares their rows, for database equality).
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_key(other.key.values())
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equal keys (by [`Value::total_cmp`]) holding the same rows.
impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq() && self.ids == other.ids
    }
}

impl Eq for Entry {}

/// A B-tree index: one entry per key, sorted by key, each with its rows in id order.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    /// Its definition.
    pub schema: IndexSchema,
    /// Positions of the indexed columns in the table's rows.
    pub positions: Vec<usize>,
    /// Shared with the cluster's snapshots, leaf by leaf.
    entries: SharedSet<Entry>,
}

impl Index {
    fn new(schema: IndexSchema, table: &TableSchema) -> Self {
        let positions = schema.columns.iter().filter_map(|c| table.column_index(c)).collect();
        Index { schema, positions, entries: SharedSet::new() }
    }

    /// The key a row has in this index.
    pub fn key_of(&self, row: &[Value]) -> Key {
        Key(self.key_in(row).values().to_vec())
    }

    /// The key a row has in this index, borrowed from the row when the index has one column
    /// (most do): finding, adding and removing a row's entry copies nothing then.
    pub fn key_in<'r>(&self, row: &'r [Value]) -> RowKey<'r> {
        let cell = |p: usize| row.get(p).unwrap_or(NULL);
        match self.positions.as_slice() {
            [one] => RowKey::One(cell(*one)),
            many => RowKey::Many(many.iter().map(|&p| cell(p).clone()).collect()),
        }
    }

    /// Rows whose key is at least `low`, in key order, as (key, row id).
    pub fn entries_from<'a>(&'a self, low: &[Value]) -> Postings<'a> {
        Postings { entries: self.entries.iter_at(self.seek(low)), current: None }
    }

    /// Every row in key order, as (key, row id).
    pub fn all(&self) -> Postings<'_> {
        Postings { entries: self.entries.iter(), current: None }
    }

    /// The rows holding exactly `key`, in id order.
    pub fn ids_of(&self, key: &[Value]) -> IdList<'_> {
        let entry = self.find(key).ok().and_then(|at| self.entries.get_at(at));
        entry.map_or(IdList::EMPTY, |e| e.ids.list())
    }

    /// Where `key`'s entry is, or would be.
    fn seek(&self, key: &[Value]) -> (usize, usize) {
        self.entries.seek(|e| e.cmp_key(key).is_lt())
    }

    /// Where `key`'s entry is (`Ok`), or where it would go (`Err`).
    fn find(&self, key: &[Value]) -> Result<(usize, usize), (usize, usize)> {
        let at = self.seek(key);
        match self.entries.get_at(at) {
            Some(entry) if entry.cmp_key(key).is_eq() => Ok(at),
            _ => Err(at),
        }
    }

    /// Whether a row other than those in `ignore` (sorted) has `key`.
    fn holds(&self, key: &[Value], ignore: &[RowId]) -> bool {
        self.ids_of(key).iter().any(|id| ignore.binary_search(&id).is_err())
    }

    fn insert(&mut self, key: &[Value], id: RowId) {
        match self.find(key) {
            Ok(at) => self.entries.get_mut_at(at).expect("found").ids.insert(id),
            Err(at) => {
                self.entries.insert_at(at, Entry { key: StoredKey::new(key), ids: Ids::One(id) });
            }
        }
    }

    fn remove(&mut self, key: &[Value], id: RowId) {
        let Ok(at) = self.find(key) else { return };
        if self.entries.get_mut_at(at).expect("found").ids.remove(id) {
            self.entries.remove_at(at);
        }
    }
}

/// An index's rows from some key on, in key order, as (key, row id).
pub struct Postings<'a> {
    entries: SetIter<'a, Entry>,
    /// The current entry's key and the ids of it not yet returned.
    current: Option<(&'a [Value], IdIter<'a>)>,
}

impl<'a> Iterator for Postings<'a> {
    type Item = (&'a [Value], RowId);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((key, ids)) = &mut self.current {
                if let Some(id) = ids.next() {
                    return Some((key, id));
                }
            }
            let entry = self.entries.next()?;
            self.current = Some((entry.key.values(), entry.ids.list().iter()));
        }
    }
}

/// A table: schema, rows by id, and its indexes (parallel to `schema.indexes`).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Columns and index definitions.
    pub schema: TableSchema,
    /// Rows in insertion order.
    pub rows: Rows,
    /// The id the next inserted row gets.
    pub next_row_id: RowId,
    /// Index data, in the order of `schema.indexes`.
    pub indexes: Vec<Index>,
}

impl Table {
    /// A table holding `rows` (a system view's, built for one statement: no indexes).
    pub(super) fn with_rows(schema: TableSchema, rows: Vec<Row>) -> Self {
        let mut table = Table::new(schema);
        for row in rows {
            table.rows.push(table.next_row_id, row);
            table.next_row_id += 1;
        }
        table
    }

    fn new(schema: TableSchema) -> Self {
        let indexes = schema.indexes.iter().map(|i| Index::new(i.clone(), &schema)).collect();
        Table { schema, rows: Rows::default(), next_row_id: 0, indexes }
    }

    /// Finds the row holding exactly `before`: through an index when the table
    /// has one (unique ones first), else by scanning.
    pub fn find_row(&self, before: &[Value]) -> Option<RowId> {
        let matches = |id: &RowId| self.rows.get(id).is_some_and(|row| **row == *before);
        let index = self.indexes.iter().find(|i| i.schema.unique).or(self.indexes.first());
        match index {
            Some(index) => index.ids_of(index.key_in(before).values()).iter().find(matches),
            None => self.rows.keys().find(matches),
        }
    }

    fn insert_row(&mut self, row: Row) -> RowId {
        let id = self.next_row_id;
        self.next_row_id += 1;
        for index in &mut self.indexes {
            let key = index.key_in(&row);
            index.insert(key.values(), id);
        }
        self.rows.push(id, row);
        id
    }

    fn replace_row(&mut self, id: RowId, row: Row) {
        let Some(old) = self.rows.replace(id, row.clone()) else { return };
        let new = &row;
        for index in &mut self.indexes {
            let (old_key, new_key) = (index.key_in(&old), index.key_in(new));
            if old_key.values() != new_key.values() {
                index.remove(old_key.values(), id);
                index.insert(new_key.values(), id);
            }
        }
    }

    fn delete_row(&mut self, id: RowId) {
        let Some(old) = self.rows.remove(id) else { return };
        for index in &mut self.indexes {
            let key = index.key_in(&old);
            index.remove(key.values(), id);
        }
    }

    /// Adds an index and fills it; fails on duplicates for a unique index.
    fn add_index(&mut self, schema: IndexSchema) -> Result<(), SqlError> {
        let mut index = Index::new(schema.clone(), &self.schema);
        for (id, row) in self.rows.iter() {
            let key = index.key_of(row);
            if schema.unique && !key.has_null() && index.holds(&key.0, &[]) {
                return Err(SqlError::new(
                    "23505",
                    format!("could not create unique index \"{}\"", schema.name),
                )
                .detail(format!(
                    "Key ({})={} is duplicated.",
                    schema.columns.join(", "),
                    key.display_tuple()
                )));
            }
            index.insert(&key.0, id);
        }
        self.schema.indexes.push(schema);
        self.indexes.push(index);
        Ok(())
    }

    /// The first unique index a row would violate, with the offending key.
    pub fn unique_conflict(&self, row: &[Value], ignore: &[RowId]) -> Option<(&Index, Key)> {
        self.indexes.iter().filter(|i| i.schema.unique).find_map(|index| {
            let key = index.key_in(row);
            let clash = !key.has_null() && index.holds(key.values(), ignore);
            clash.then(|| (index, key.to_key()))
        })
    }

    /// Sequence names used by this table's serial columns.
    fn sequences(&self) -> impl Iterator<Item = (usize, &String)> {
        self.schema
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.sequence.as_ref().map(|s| (i, s)))
    }
}

/// `duplicate key value violates unique constraint` with PostgreSQL's DETAIL line.
pub fn unique_violation(index: &Index, key: &Key) -> SqlError {
    SqlError::unique_violation(&index.schema.name).detail(format!(
        "Key ({})={} already exists.",
        index.schema.columns.join(", "),
        key.display_tuple()
    ))
}

/// All tables, their indexes and the sequences behind `SERIAL` columns.
#[derive(Clone, Debug, Default)]
pub struct Database {
    pub(super) tables: VecMap<String, Table>,
    pub(super) sequences: VecMap<String, i64>,
}

/// Two databases are equal when their tables (schemas, rows, row ids and
/// indexes) are; sequence positions are not WAL-logged per value, so they
/// are not compared.
impl PartialEq for Database {
    fn eq(&self, other: &Self) -> bool {
        self.tables == other.tables
    }
}

impl Database {
    /// An empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// Table names in alphabetical order.
    pub fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }

    /// Rows in every table.
    pub fn total_rows(&self) -> usize {
        self.tables.values().map(|t| t.rows.len()).sum()
    }

    /// Number of rows in a table, or None if it does not exist.
    pub fn row_count(&self, table: &str) -> Option<usize> {
        self.tables.get(table).map(|t| t.rows.len())
    }

    /// A table's schema, if it exists.
    pub fn schema(&self, table: &str) -> Option<&TableSchema> {
        self.tables.get(table).map(|t| &t.schema)
    }

    /// A table's rows in storage order (what `SELECT *` without ORDER BY shows).
    pub fn rows(&self, table: &str) -> Option<Vec<Row>> {
        self.tables.get(table).map(|t| t.rows.values().cloned().collect())
    }

    /// The table, or `relation "x" does not exist`.
    pub(super) fn table(&self, name: &str) -> Result<&Table, SqlError> {
        self.tables.get(name).ok_or_else(|| SqlError::undefined_table(name))
    }

    fn table_mut(&mut self, name: &str) -> Result<&mut Table, SqlError> {
        self.tables.get_mut(name).ok_or_else(|| SqlError::undefined_table(name))
    }

    /// True if a table or index already uses `name` (they share one namespace).
    pub(super) fn relation_exists(&self, name: &str) -> bool {
        self.tables.contains_key(name)
            || self.tables.values().any(|t| t.schema.indexes.iter().any(|i| &*i.name == name))
    }

    /// Applies one change. `hint` is the row id when the caller already knows it
    /// (the primary); replicas pass None and rows are found by before image.
    /// Errors mean the change does not fit this database (a conflict).
    pub(super) fn apply_change(
        &mut self,
        change: &Change,
        hint: Option<RowId>,
    ) -> Result<(), SqlError> {
        match change {
            Change::CreateTable { schema } => self.create_table(schema),
            Change::DropTable { table } => self.drop_table(table),
            Change::CreateIndex { table, index } => {
                if self.relation_exists(&index.name) {
                    return Err(SqlError::duplicate_table(&index.name));
                }
                self.table_mut(table)?.add_index((**index).clone())
            }
            Change::Insert { table, row } => self.insert(table, row),
            Change::Update { table, before, after } => {
                let target = self.table_mut(table)?;
                if after.len() != target.schema.columns.len() {
                    return Err(SqlError::serialization_failure());
                }
                let id = locate(target, before, hint)?;
                target.replace_row(id, after.clone());
                Ok(())
            }
            Change::Delete { table, before } => {
                let target = self.table_mut(table)?;
                let id = locate(target, before, hint)?;
                target.delete_row(id);
                Ok(())
            }
        }
    }

    fn create_table(&mut self, schema: &TableSchema) -> Result<(), SqlError> {
        if self.relation_exists(&schema.name) {
            return Err(SqlError::duplicate_table(&schema.name));
        }
        let table = Table::new(schema.clone());
        for (_, sequence) in table.sequences() {
            self.sequences.entry(sequence.clone()).or_insert(0);
        }
        self.tables.insert(schema.name.to_string(), table);
        Ok(())
    }

    fn drop_table(&mut self, name: &str) -> Result<(), SqlError> {
        let table = self.tables.remove(name).ok_or_else(|| SqlError::undefined_table(name))?;
        for (_, sequence) in table.sequences() {
            self.sequences.remove(sequence);
        }
        Ok(())
    }

    fn insert(&mut self, name: &str, row: &Row) -> Result<(), SqlError> {
        let table = self.tables.get_mut(name).ok_or_else(|| SqlError::undefined_table(name))?;
        if row.len() != table.schema.columns.len() {
            return Err(SqlError::serialization_failure());
        }
        for (position, sequence) in table.sequences() {
            if let Some(Value::Int(used)) = row.get(position) {
                let last = self.sequences.entry(sequence.clone()).or_insert(0);
                *last = (*last).max(*used);
            }
        }
        table.insert_row(row.clone());
        Ok(())
    }

    /// After a transaction's changes were applied: every row it wrote must
    /// still be unique (another session may have inserted the same key).
    pub(super) fn check_unique(&self, changes: &[Change]) -> Result<(), SqlError> {
        for change in changes {
            let (table, row) = match change {
                Change::Insert { table, row } => (table, row),
                Change::Update { table, after, .. } => (table, after),
                _ => continue,
            };
            let Some(table) = self.tables.get(&**table) else { continue };
            for index in table.indexes.iter().filter(|i| i.schema.unique) {
                let key = index.key_in(row);
                if !key.has_null() && index.ids_of(key.values()).len() > 1 {
                    return Err(unique_violation(index, &key.to_key()));
                }
            }
        }
        Ok(())
    }
}

/// The row an update or delete refers to: the hint if given, else by before image.
fn locate(table: &Table, before: &[Value], hint: Option<RowId>) -> Result<RowId, SqlError> {
    if let Some(id) = hint {
        debug_assert!(table.rows.get(&id).is_some_and(|r| **r == *before));
        return Ok(id);
    }
    table.find_row(before).ok_or_else(SqlError::serialization_failure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::shared::CHUNK;

    fn index() -> Index {
        let schema = IndexSchema {
            name: "t_user_idx".into(),
            columns: vec!["user_id".into()],
            unique: false,
            primary: false,
        };
        Index { schema, positions: vec![0], entries: SharedSet::new() }
    }

    fn key(user: i64) -> Key {
        Key(vec![Value::Int(user)])
    }

    fn rows(index: &Index) -> Vec<(i64, RowId)> {
        let user = |k: &[Value]| match k {
            [Value::Int(u)] => *u,
            other => panic!("an int key, not {other:?}"),
        };
        index.all().map(|(k, id)| (user(k), id)).collect()
    }

    #[test]
    fn a_scan_reading_ahead_yields_every_live_row_in_id_order() {
        let mut rows = Rows::default();
        for id in 10..(10 + 5 * CHUNK as RowId) {
            rows.push(id, Row::from([Value::Int(id as i64), Value::Null]));
        }
        // Holes inside chunks, a whole chunk emptied, and the front trimmed.
        let gone: Vec<RowId> = (10..14).chain(40..40 + CHUNK as RowId).collect();
        for id in gone.iter().chain(&[77, 150]) {
            rows.remove(*id);
        }
        let expected: Vec<RowId> = (10..(10 + 5 * CHUNK as RowId))
            .filter(|id| !gone.contains(id) && ![77, 150].contains(id))
            .collect();
        for column in [0, 1, 7] {
            let ids: Vec<RowId> = rows.scan_reading(column).map(|(id, _)| id).collect();
            assert_eq!(ids, expected, "reading column {column} ahead");
        }
        let values: Vec<i64> =
            rows.values().map(|row| if let Value::Int(v) = row[0] { v } else { -1 }).collect();
        assert_eq!(values, expected.iter().map(|&id| id as i64).collect::<Vec<_>>());
        assert_eq!(Rows::default().iter().count(), 0);
    }

    #[test]
    fn an_index_keeps_each_keys_rows_in_id_order_as_one_entry() {
        let mut index = index();
        for (id, user) in [(5, 2), (1, 7), (9, 2), (3, 2), (4, 7), (3, 2)] {
            index.insert(&key(user).0, id);
        }
        assert_eq!(index.entries.len(), 2, "one entry per key");
        assert_eq!(rows(&index), [(2, 3), (2, 5), (2, 9), (7, 1), (7, 4)]);
        assert_eq!(index.ids_of(&key(2).0).iter().collect::<Vec<_>>(), [3, 5, 9]);
        assert_eq!(index.ids_of(&key(3).0).len(), 0);
        let from_7: Vec<RowId> = index.entries_from(&key(3).0).map(|(_, id)| id).collect();
        assert_eq!(from_7, [1, 4]);

        index.remove(&key(2).0, 5);
        index.remove(&key(2).0, 42); // not there: nothing happens
        index.remove(&key(7).0, 1);
        assert!(matches!(index.entries.get_at((0, 1)).map(|e| &e.ids), Some(Ids::One(4))));
        index.remove(&key(7).0, 4);
        assert_eq!(rows(&index), [(2, 3), (2, 9)]);
        assert_eq!(index.entries.len(), 1, "a key with no rows left is gone");
    }

    #[test]
    fn a_snapshot_of_an_index_keeps_its_rows_while_the_index_changes() {
        let mut index = index();
        for id in 0..200 {
            index.insert(&key(i64::try_from(id % 10).expect("small")).0, id);
        }
        let snapshot = index.clone();
        let before = rows(&snapshot);
        index.insert(&key(3).0, 500);
        index.remove(&key(4).0, 4);
        assert_eq!(rows(&snapshot), before);
        assert_eq!(rows(&index).len(), before.len());
        assert_ne!(index, snapshot);
        let Some(Entry { ids: Ids::Many(shared), .. }) = snapshot.entries.get_at((0, 0)) else {
            panic!("key 0 holds many rows")
        };
        let Some(Entry { ids: Ids::Many(live), .. }) = index.entries.get_at((0, 0)) else {
            panic!("key 0 holds many rows")
        };
        assert!(std::rc::Rc::ptr_eq(shared, live), "an untouched key's rows stay shared");
    }
}
