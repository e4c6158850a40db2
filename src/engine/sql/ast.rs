//! The playground's own small SQL syntax tree.
//!
//! The [parser](super::parser) builds it straight from the tokens, for the forms the planner
//! and executor implement; everything else PostgreSQL accepts is refused there with `not
//! supported in the playground: ...`.
//!
//! ```text
//!   "SELECT * FROM orders WHERE user_id = 101"
//!      │ lexer + parser (PostgreSQL's grammar)
//!      ▼
//!   StatementKind::Select(Select { items: [Wildcard], from: orders,
//!                                  filter: Binary(Eq, Column user_id, Literal 101) })
//! ```
//!
//! Names are resolved later, against the tables that exist when the
//! statement runs. Positions ([`Pos`]) ride along for error carets but are
//! ignored by equality, so `GROUP BY user_id` matches `SELECT user_id`.

use super::schema::DataType;
use super::value::Value;

/// A 1-based character position in the statement text, for error carets.
/// Always compares equal, so it never affects expression matching.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pos(pub Option<usize>);

impl PartialEq for Pos {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A name with the position where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The identifier, lower-cased unless quoted.
    pub name: String,
    /// Where it appeared.
    pub pos: Pos,
}

/// A scalar expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A constant.
    Literal(Value),
    /// A string literal as written, before binding: PostgreSQL's `unknown`, whose type is
    /// what it meets (`user_id = '101'` is an integer). Binding checks it coerces to that
    /// type, pointing at it when it does not, and makes it a [`Expr::Literal`].
    Unknown { text: Value, pos: Pos },
    /// A column reference, optionally qualified (`o.user_id`).
    Column { table: Option<String>, name: String, pos: Pos },
    /// A bound reference to position `n` of the row being evaluated
    /// (produced by the planner from `Column` or an aggregate).
    Slot(usize),
    /// `DEFAULT` in `VALUES (...)` or `SET c = DEFAULT`.
    Default,
    /// `-x`, `+x`, `NOT x`.
    Unary { op: UnaryOp, expr: Box<Expr> },
    /// `a op b`.
    Binary { op: BinaryOp, left: Box<Expr>, right: Box<Expr> },
    /// `x IS [NOT] NULL`.
    IsNull { expr: Box<Expr>, negated: bool },
    /// `x [NOT] IN (a, b, ...)`.
    InList { expr: Box<Expr>, list: Vec<Expr>, negated: bool },
    /// `x [NOT] BETWEEN low AND high`.
    Between { expr: Box<Expr>, low: Box<Expr>, high: Box<Expr>, negated: bool },
    /// `x [NOT] LIKE pattern` / `ILIKE`.
    Like { expr: Box<Expr>, pattern: Box<Expr>, negated: bool, case_insensitive: bool },
    /// A scalar function call (`lower(name)`, `now()`, `CURRENT_TIMESTAMP`).
    Function { name: String, args: Vec<Expr>, pos: Pos },
    /// An aggregate call (`COUNT(*)`, `SUM(amount)`, `COUNT(DISTINCT x)`).
    Aggregate { func: AggFunc, arg: Option<Box<Expr>>, distinct: bool, pos: Pos },
    /// `CAST(x AS t)` / `x::t`.
    Cast { expr: Box<Expr>, to: DataType },
    /// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`.
    Case { operand: Option<Box<Expr>>, whens: Vec<(Expr, Expr)>, otherwise: Option<Box<Expr>> },
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
    /// `NOT x`
    Not,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `||`
    Concat,
    /// `=`
    Eq,
    /// `<>` / `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `AND`
    And,
    /// `OR`
    Or,
}

impl BinaryOp {
    /// True for `=`, `<>`, `<`, `<=`, `>`, `>=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::NotEq
                | BinaryOp::Lt
                | BinaryOp::LtEq
                | BinaryOp::Gt
                | BinaryOp::GtEq
        )
    }

    /// The operator as written in SQL (for error messages).
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Concat => "||",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
        }
    }

    /// The comparison with its operands swapped (`a < b` is `b > a`).
    pub fn flipped(self) -> BinaryOp {
        match self {
            BinaryOp::Lt => BinaryOp::Gt,
            BinaryOp::LtEq => BinaryOp::GtEq,
            BinaryOp::Gt => BinaryOp::Lt,
            BinaryOp::GtEq => BinaryOp::LtEq,
            other => other,
        }
    }
}

/// Aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AggFunc {
    /// `count(*)` / `count(x)`
    Count,
    /// `sum(x)`
    Sum,
    /// `avg(x)`
    Avg,
    /// `min(x)`
    Min,
    /// `max(x)`
    Max,
}

impl AggFunc {
    /// Looks up an aggregate by (lower-case) name.
    pub fn from_name(name: &str) -> Option<AggFunc> {
        Some(match name {
            "count" => AggFunc::Count,
            "sum" => AggFunc::Sum,
            "avg" => AggFunc::Avg,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            _ => return None,
        })
    }

    /// Lower-case name, also the default result column name.
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
        }
    }
}

/// A translated statement.
#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// `CREATE TABLE`
    CreateTable(CreateTable),
    /// `DROP TABLE [IF EXISTS] a, b`
    DropTable { names: Vec<Name>, if_exists: bool },
    /// `CREATE [UNIQUE] INDEX`
    CreateIndex(CreateIndex),
    /// `INSERT`
    Insert(Insert),
    /// `UPDATE`
    Update(Update),
    /// `DELETE`
    Delete(Delete),
    /// `SELECT`
    Select(Box<Select>),
    /// `EXPLAIN [ANALYZE] SELECT …`: the plan, in PostgreSQL's text format.
    Explain(Box<Explain>),
    /// `BEGIN` / `START TRANSACTION`
    Begin,
    /// `COMMIT` / `END`
    Commit,
    /// `ROLLBACK` / `ABORT`
    Rollback,
    /// `SET`, `SHOW`, `RESET`, `ALTER SYSTEM`, `CHECKPOINT`: run by the server, not on data.
    Utility(Utility),
}

/// A statement about the server's configuration rather than its data. The [`Database`]
/// does not run these: the cluster does, since settings belong to servers and sessions.
///
/// [`Database`]: super::Database
#[derive(Clone, Debug, PartialEq)]
pub enum Utility {
    /// `SET [SESSION] name {TO | =} value [, ...]`; `value: None` is `DEFAULT`.
    Set { name: String, value: Option<String> },
    /// `SHOW name` / `SHOW ALL`.
    Show { name: String },
    /// `RESET name` / `RESET ALL`.
    Reset { name: String },
    /// `ALTER SYSTEM SET name {TO | =} value`; `value: None` is `ALTER SYSTEM RESET name`
    /// (or `DEFAULT`); `ALTER SYSTEM RESET ALL` has the name `all`.
    AlterSystem { name: String, value: Option<String> },
    /// `CHECKPOINT`.
    Checkpoint,
}

impl Utility {
    /// PostgreSQL's command tag.
    pub fn tag(&self) -> &'static str {
        match self {
            Utility::Set { .. } => "SET",
            Utility::Show { .. } => "SHOW",
            Utility::Reset { .. } => "RESET",
            Utility::AlterSystem { .. } => "ALTER SYSTEM",
            Utility::Checkpoint => "CHECKPOINT",
        }
    }
}

/// `CREATE TABLE name (columns, constraints)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateTable {
    /// Table name.
    pub name: Name,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// Column definitions.
    pub columns: Vec<ColumnDef>,
    /// Table-level `PRIMARY KEY (..)` / `UNIQUE (..)`.
    pub constraints: Vec<KeyConstraint>,
}

/// One column in `CREATE TABLE`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    /// Column name.
    pub name: Name,
    /// Declared type (`SERIAL` becomes `Integer` with `serial = true`).
    pub data_type: DataType,
    /// Declared as `SERIAL`/`BIGSERIAL`.
    pub serial: bool,
    /// `NOT NULL`.
    pub not_null: bool,
    /// `DEFAULT expr`.
    pub default: Option<Expr>,
    /// Column-level `PRIMARY KEY`.
    pub primary_key: bool,
    /// Column-level `UNIQUE`.
    pub unique: bool,
}

/// A `PRIMARY KEY (..)` or `UNIQUE (..)` constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyConstraint {
    /// `CONSTRAINT name`, if given.
    pub name: Option<String>,
    /// Key columns.
    pub columns: Vec<Name>,
    /// PRIMARY KEY rather than UNIQUE.
    pub primary: bool,
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON table (columns)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateIndex {
    /// Index name, or None for PostgreSQL's generated `table_col_idx`.
    pub name: Option<String>,
    /// Indexed table.
    pub table: Name,
    /// Indexed columns.
    pub columns: Vec<Name>,
    /// `UNIQUE`.
    pub unique: bool,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

/// Where `INSERT` rows come from.
#[derive(Clone, Debug, PartialEq)]
pub enum InsertSource {
    /// `VALUES (..), (..)`.
    Values(Vec<Vec<Expr>>),
    /// `INSERT ... SELECT`.
    Select(Box<Select>),
    /// `DEFAULT VALUES`.
    DefaultValues,
}

/// `INSERT INTO table [(columns)] source [RETURNING ..]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Insert {
    /// Target table.
    pub table: Name,
    /// Explicit column list, if any.
    pub columns: Option<Vec<Name>>,
    /// The rows.
    pub source: InsertSource,
    /// `RETURNING` items (empty if none).
    pub returning: Vec<SelectItem>,
}

/// `UPDATE table [alias] SET c = e, .. [WHERE ..] [RETURNING ..]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// Target table.
    pub table: TableRef,
    /// `SET` assignments.
    pub assignments: Vec<(Name, Expr)>,
    /// `WHERE`.
    pub filter: Option<Expr>,
    /// `RETURNING` items (empty if none).
    pub returning: Vec<SelectItem>,
}

/// `DELETE FROM table [alias] [WHERE ..] [RETURNING ..]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    /// Target table.
    pub table: TableRef,
    /// `WHERE`.
    pub filter: Option<Expr>,
    /// `RETURNING` items (empty if none).
    pub returning: Vec<SelectItem>,
}

/// A table in `FROM`, with its optional alias.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRef {
    /// Table name.
    pub name: Name,
    /// `AS alias`.
    pub alias: Option<String>,
}

impl TableRef {
    /// The name columns are qualified with: the alias if given, else the table name.
    pub fn visible_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name.name)
    }
}

/// `EXPLAIN [ ( option [, …] ) ] SELECT …` or `EXPLAIN [ANALYZE] SELECT …`.
#[derive(Clone, Debug, PartialEq)]
pub struct Explain {
    /// The query explained, or the rows an INSERT, UPDATE or DELETE reads (`SELECT * FROM t
    /// WHERE …` of an UPDATE, an INSERT's SELECT); None for `INSERT … VALUES`.
    pub select: Option<Select>,
    /// The INSERT, UPDATE or DELETE explained: its node tops the plan, and ANALYZE runs it.
    pub write: Option<Box<StatementKind>>,
    /// `ANALYZE`: run it and show actual (simulated) times and rows.
    pub analyze: bool,
    /// `COSTS` (on by default): each node's estimated cost, rows and width.
    pub costs: bool,
    /// `TIMING` (on with ANALYZE): each node's actual time.
    pub timing: bool,
    /// `SUMMARY` (on with ANALYZE): the planning and execution time lines.
    pub summary: bool,
}

/// Join kinds the playground runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum JoinKind {
    /// `[INNER] JOIN`
    Inner,
    /// `LEFT [OUTER] JOIN`
    Left,
}

/// `JOIN table ON condition`.
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    /// The joined table.
    pub table: TableRef,
    /// Inner or left.
    pub kind: JoinKind,
    /// The `ON` condition.
    pub on: Expr,
}

/// One item of a select list or `RETURNING` list.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectItem {
    /// `*`
    Wildcard,
    /// `t.*`
    QualifiedWildcard(String),
    /// `expr [AS alias]`
    Expr { expr: Expr, alias: Option<String> },
}

/// `ORDER BY expr [ASC|DESC] [NULLS FIRST|LAST]`.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderItem {
    /// Sort key.
    pub expr: Expr,
    /// `DESC`.
    pub desc: bool,
    /// `NULLS FIRST` (Some(true)) / `NULLS LAST` (Some(false)); default: NULLs sort as largest.
    pub nulls_first: Option<bool>,
}

/// A `SELECT` query.
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    /// `DISTINCT`.
    pub distinct: bool,
    /// The select list.
    pub items: Vec<SelectItem>,
    /// `FROM table [JOIN table ON ..]`; None for `SELECT 1`.
    pub from: Option<TableRef>,
    /// The optional join.
    pub join: Option<Join>,
    /// `WHERE`.
    pub filter: Option<Expr>,
    /// `GROUP BY`.
    pub group_by: Vec<Expr>,
    /// `HAVING`.
    pub having: Option<Expr>,
    /// `ORDER BY`.
    pub order_by: Vec<OrderItem>,
    /// `LIMIT`.
    pub limit: Option<Expr>,
    /// `OFFSET`.
    pub offset: Option<Expr>,
}

impl Expr {
    /// Rebuilds this node with `f` applied to each direct child expression.
    pub fn try_map_children<E>(
        &self,
        f: &mut impl FnMut(&Expr) -> Result<Expr, E>,
    ) -> Result<Expr, E> {
        let mut boxed = |e: &Expr| f(e).map(Box::new);
        Ok(match self {
            Expr::Literal(_)
            | Expr::Unknown { .. }
            | Expr::Column { .. }
            | Expr::Slot(_)
            | Expr::Default => self.clone(),
            Expr::Unary { op, expr } => Expr::Unary { op: *op, expr: boxed(expr)? },
            Expr::Binary { op, left, right } => {
                Expr::Binary { op: *op, left: boxed(left)?, right: boxed(right)? }
            }
            Expr::IsNull { expr, negated } => {
                Expr::IsNull { expr: boxed(expr)?, negated: *negated }
            }
            Expr::InList { expr, list, negated } => {
                let expr = boxed(expr)?;
                let list = list.iter().map(&mut *f).collect::<Result<_, E>>()?;
                Expr::InList { expr, list, negated: *negated }
            }
            Expr::Between { expr, low, high, negated } => Expr::Between {
                expr: boxed(expr)?,
                low: boxed(low)?,
                high: boxed(high)?,
                negated: *negated,
            },
            Expr::Like { expr, pattern, negated, case_insensitive } => Expr::Like {
                expr: boxed(expr)?,
                pattern: boxed(pattern)?,
                negated: *negated,
                case_insensitive: *case_insensitive,
            },
            Expr::Function { name, args, pos } => Expr::Function {
                name: name.clone(),
                args: args.iter().map(&mut *f).collect::<Result<_, E>>()?,
                pos: *pos,
            },
            Expr::Aggregate { func, arg, distinct, pos } => Expr::Aggregate {
                func: *func,
                arg: arg.as_deref().map(&mut boxed).transpose()?,
                distinct: *distinct,
                pos: *pos,
            },
            Expr::Cast { expr, to } => Expr::Cast { expr: boxed(expr)?, to: to.clone() },
            Expr::Case { operand, whens, otherwise } => {
                let operand = operand.as_deref().map(&mut boxed).transpose()?;
                let mut mapped = Vec::with_capacity(whens.len());
                for (when, then) in whens {
                    mapped.push((f(when)?, f(then)?));
                }
                let otherwise = otherwise.as_deref().map(|e| f(e).map(Box::new)).transpose()?;
                Expr::Case { operand, whens: mapped, otherwise }
            }
        })
    }

    /// True if an aggregate call appears anywhere in the expression.
    pub fn contains_aggregate(&self) -> bool {
        let mut found = false;
        let _ = self.try_map_children(&mut |child: &Expr| -> Result<Expr, ()> {
            found |= child.contains_aggregate();
            Ok(Expr::Default)
        });
        found || matches!(self, Expr::Aggregate { .. })
    }
}

impl StatementKind {
    /// Tables named by the statement, in order of appearance, without duplicates.
    pub fn tables(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::with_capacity(2);
        match self {
            StatementKind::CreateTable(c) => names.push(&c.name.name),
            StatementKind::DropTable { names: dropped, .. } => {
                names.extend(dropped.iter().map(|n| n.name.as_str()))
            }
            StatementKind::CreateIndex(c) => names.push(&c.table.name),
            StatementKind::Insert(i) => {
                names.push(&i.table.name);
                if let InsertSource::Select(select) = &i.source {
                    names.extend(select.tables());
                }
            }
            StatementKind::Update(u) => names.push(&u.table.name.name),
            StatementKind::Delete(d) => names.push(&d.table.name.name),
            StatementKind::Select(select) => names.extend(select.tables()),
            StatementKind::Explain(explain) => match &explain.write {
                Some(write) => names.extend(write.tables()),
                None => names.extend(explain.select.iter().flat_map(Select::tables)),
            },
            StatementKind::Begin
            | StatementKind::Commit
            | StatementKind::Rollback
            | StatementKind::Utility(_) => {}
        }
        // A statement names a handful of tables: dedupe in place, keeping the first of each.
        let mut seen = 0;
        for at in 0..names.len() {
            if !names[..seen].contains(&names[at]) {
                names[seen] = names[at];
                seen += 1;
            }
        }
        names.truncate(seen);
        names
    }
}

impl Select {
    /// The tables in FROM and JOIN.
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        self.from.iter().chain(self.join.as_ref().map(|j| &j.table)).map(|t| t.name.name.as_str())
    }
}
