//! Statements parsed once and filled with new values at each use: the load generator's
//! INSERT. A real application does the same with a prepared statement (PostgreSQL's extended
//! protocol parses once, then binds parameters at each execution); here each use still
//! carries its own text with its values written in, as the history and the console show it.

use std::rc::Rc;

use super::ast::{Expr, Insert, InsertSource, Name, SelectItem, StatementKind};
use super::{Source, Statement, Value};

/// One parsed INSERT whose literal values are slots, in the order they are written.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// The parts of the INSERT every use shares.
    table: Name,
    columns: Option<Vec<Name>>,
    rows: Vec<Vec<Expr>>,
    returning: Vec<SelectItem>,
    /// And of the statement parsed.
    tables: Rc<[String]>,
    catalog: bool,
    notices: Vec<String>,
    slots: usize,
}

impl Template {
    /// Parses `sql`, one `INSERT … VALUES` statement: every literal written directly in its
    /// rows (a number, not a string or an expression) is a slot. None for anything else.
    pub fn insert(sql: &str) -> Option<Self> {
        let [statement] = <[Statement; 1]>::try_from(super::parse(sql).ok()?).ok()?;
        // Writes are not cached: the statement is the only owner of its tree.
        let StatementKind::Insert(insert) = Rc::try_unwrap(statement.kind).ok()? else {
            return None;
        };
        let Insert { table, columns, source: InsertSource::Values(rows), returning } = insert
        else {
            return None;
        };
        let slots = rows.iter().flatten().filter(|e| matches!(e, Expr::Literal(_))).count();
        let tables = statement.source.tables.clone();
        let (catalog, notices) = (statement.catalog, statement.notices);
        Some(Template { table, columns, rows, returning, tables, catalog, notices, slots })
    }

    /// How many values [`Template::fill`] takes.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// The statement with `values` in its slots, and `text` as its text: the caller writes
    /// the same values into the text, so that it parses to the same statement. (Not inlined:
    /// inlined into the load generator's loop, it made the wasm 1.8 kB larger.)
    #[inline(never)]
    pub fn fill(&self, text: String, values: &[Value]) -> Statement {
        assert_eq!(values.len(), self.slots, "a value for each of the template's slots");
        let mut values = values.iter().cloned();
        let mut fill = |expr: &Expr| match expr {
            Expr::Literal(_) => Expr::Literal(values.next().unwrap_or(Value::Null)),
            expr => expr.clone(),
        };
        let rows = self.rows.iter().map(|row| row.iter().map(&mut fill).collect()).collect();
        let insert = Insert {
            table: self.table.clone(),
            columns: self.columns.clone(),
            source: InsertSource::Values(rows),
            returning: self.returning.clone(),
        };
        Statement {
            kind: Rc::new(StatementKind::Insert(insert)),
            source: Rc::new(Source { text: text.into(), tables: self.tables.clone() }),
            catalog: self.catalog,
            notices: self.notices.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sql::{parse, Numeric};

    fn kind_of(statement: &Statement) -> String {
        format!("{:?}", statement.kind)
    }

    #[test]
    fn a_filled_template_is_the_statement_its_text_parses_to() {
        let template =
            Template::insert("INSERT INTO orders (user_id, amount) VALUES (1, 1.00)").unwrap();
        assert_eq!(template.slots(), 2);
        for (user, cents) in [(1_i64, 100_i64), (42, 3_107), (999, 10_000), (7, 105)] {
            let text = format!(
                "INSERT INTO orders (user_id, amount) VALUES ({user}, {}.{:02})",
                cents / 100,
                cents % 100
            );
            let amount = Value::Numeric(Numeric::new(cents.into(), 2).unwrap());
            let filled = template.fill(text.clone(), &[Value::Int(user), amount]);
            let parsed = parse(&text).unwrap().remove(0);
            assert_eq!(kind_of(&filled), kind_of(&parsed), "{text}");
            assert_eq!(filled.kind, parsed.kind);
            assert_eq!(filled.source, parsed.source);
            assert_eq!(filled.catalog, parsed.catalog);
            assert_eq!(filled.notices, parsed.notices);
        }
    }

    #[test]
    fn only_an_insert_is_a_template() {
        assert!(Template::insert("SELECT 1").is_none());
        assert!(Template::insert("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)").is_none());
        assert!(Template::insert("INSERT INTO").is_none());
        let expressions = Template::insert("INSERT INTO t VALUES (1 + 2, 'a', 3)").unwrap();
        assert_eq!(expressions.slots(), 1, "only literal numbers written directly are slots");
    }
}
