//! `EXPLAIN [ANALYZE]` in PostgreSQL's text format: the plan tree the executor really ran,
//! with PostgreSQL's node names, cost formulas and condition lines.
//!
//! ```text
//!   EXPLAIN ANALYZE SELECT * FROM orders WHERE user_id = 101 ORDER BY created_at DESC LIMIT 5;
//!
//!    Limit  (cost=8.33..8.34 rows=3 width=28) (actual time=0.003..0.003 rows=3 loops=1)
//!      ->  Sort  (cost=8.33..8.34 rows=3 width=28) (actual time=0.003..0.003 rows=3 loops=1)
//!            Sort Key: created_at DESC
//!            Sort Method: top-N heapsort  Memory: 25kB
//!            ->  Index Scan using orders_user_id_idx on orders  (cost=0.29..8.32 rows=3 ...
//!                  Index Cond: (user_id = 101)
//!    Planning Time: 0.050 ms
//!    Execution Time: 0.009 ms
//! ```
//!
//! The query runs either way (it only reads), so every row count is counted, not
//! estimated: EXPLAIN's `rows=` is what the table really holds. An INSERT, UPDATE or DELETE
//! is explained as its write node (`Update on orders`) over the plan of the rows it reads;
//! only ANALYZE runs the write, as in PostgreSQL. Costs follow PostgreSQL's
//! planner formulas and default constants (`seq_page_cost` 1, `random_page_cost` 4,
//! `cpu_tuple_cost` 0.01, …) over those counts. ANALYZE's times are the simulated CPU the
//! statement is charged ([`Cost::cpu_us`]), so they match the node's load and the slow log.
//! Plain EXPLAIN is charged planning only, as PostgreSQL does not run the query.

use super::ast::{BinaryOp, Explain, Expr, InsertSource, JoinKind, Select, StatementKind, UnaryOp};
use super::error::SqlError;
use super::eval::{bind, conjuncts, is_constant, Clause, Scope};
use super::outcome::{Access, Cost, Outcome, PLANNING_US, ROW_READ_US, ROW_WRITE_US};
use super::query::{
    expand_items, group_exprs, join_key, resolve_order, run_select, Direction, JoinMethod,
    JoinTrace, ResultSet, SortKey, Sources,
};
use super::schema::DataType;
use super::storage::{Database, Table};
use super::value::{Row, Value};
use super::Env;
use std::ops::Range;

type Result<T> = std::result::Result<T, SqlError>;

// PostgreSQL's default planner cost constants.
const SEQ_PAGE: f64 = 1.0;
const RANDOM_PAGE: f64 = 4.0;
const CPU_TUPLE: f64 = 0.01;
const CPU_INDEX_TUPLE: f64 = 0.005;
const CPU_OPERATOR: f64 = 0.0025;
/// Usable bytes of an 8 kB heap page, and each tuple's header and line pointer.
const PAGE_BYTES: f64 = 8168.0;
const TUPLE_OVERHEAD: f64 = 28.0;
/// Index entries per B-tree leaf page (an integer key).
const LEAF_ENTRIES: f64 = 300.0;

/// Runs `EXPLAIN`: the query (or what a write reads), then its plan as one `QUERY PLAN` row
/// per line. `written` is what ANALYZE's run of an INSERT, UPDATE or DELETE did to `db`
/// (the database as it was before), with the number of rows it changed.
pub fn explain(
    db: &Database,
    explain: &Explain,
    env: &Env,
    written: Option<(&Outcome, usize)>,
) -> Result<Outcome> {
    let (reading, result_cost) = match &explain.select {
        Some(select) => {
            let result = run_select(db, select, env)?;
            let sources = Sources::resolve(db, env, select)?;
            let bound = Bound::new(select, &sources)?;
            let plan = Planner { select, sources: &sources, result: &result, bound }.plan()?;
            (plan, result.cost)
        }
        None => (values(db, explain.write.as_deref())?, Cost::default()),
    };
    let (plan, written_rows) = match explain.write.as_deref() {
        Some(write) => write_node(db, write, reading, written)?,
        None => (reading, 0),
    };
    let mut lines = Vec::new();
    plan.render(0, explain, &mut lines);
    if explain.summary {
        let execution_us = result_cost.cpu_us() - PLANNING_US + ROW_WRITE_US * written_rows;
        lines.push(format!("Planning Time: {}", millis(PLANNING_US)));
        lines.push(format!("Execution Time: {}", millis(execution_us)));
    }
    let rows: Vec<Row> = lines.into_iter().map(|l| Row::from([Value::text(l)])).collect();
    let cost = if explain.analyze {
        Cost { rows_returned: 0, ..result_cost }
    } else {
        Cost { access: result_cost.access, ..Cost::default() }
    };
    let mut outcome = Outcome::rows("EXPLAIN", vec!["QUERY PLAN".into()], rows);
    outcome.cost = cost;
    Ok(outcome)
}

/// The `Insert on` / `Update on` / `Delete on` node over the plan of the rows it reads
/// (PostgreSQL's ModifyTable), and how many rows it wrote. It returns no rows unless the
/// write has RETURNING.
fn write_node(
    db: &Database,
    write: &StatementKind,
    input: Node,
    written: Option<(&Outcome, usize)>,
) -> Result<(Node, u64)> {
    let (verb, name, visible, returning) = match write {
        StatementKind::Insert(i) => ("Insert", &i.table.name, "", !i.returning.is_empty()),
        StatementKind::Update(u) => {
            ("Update", &u.table.name.name, u.table.visible_name(), !u.returning.is_empty())
        }
        StatementKind::Delete(d) => {
            ("Delete", &d.table.name.name, d.table.visible_name(), !d.returning.is_empty())
        }
        _ => unreachable!("EXPLAIN of anything but a query or a write is a syntax error"),
    };
    let table = db.table(name)?;
    let written_rows = written.map_or(0, |(_, changed)| changed as u64);
    let rows = match (returning, written) {
        (false, _) => 0,
        (true, Some((outcome, _))) => outcome.rows.len() as u64,
        (true, None) => input.rows,
    };
    let width = if returning { input.width } else { 0 };
    let mut node = Node::new(format!("{verb} on {}", table_label(table, visible)), rows, width);
    node.min_estimate = 0;
    (node.startup, node.total) = (input.startup, input.total);
    let write_us = ROW_WRITE_US * written_rows;
    node.actual_us = (input.actual_us.1 + write_us, input.actual_us.1 + write_us);
    node.children.push(input);
    Ok((node, written_rows))
}

/// What `INSERT … VALUES` reads: one row from `Result`, several from a `Values Scan`.
fn values(db: &Database, write: Option<&StatementKind>) -> Result<Node> {
    let Some(StatementKind::Insert(insert)) = write else {
        unreachable!("only INSERT … VALUES explains without a query")
    };
    let table = db.table(&insert.table.name)?;
    let (rows, width) = match &insert.source {
        InsertSource::Values(rows) => {
            let width = rows.first().map_or(0, |row| {
                let widths = table.schema.columns.iter().map(|c| type_width(&c.data_type));
                widths.take(row.len()).sum()
            });
            (rows.len() as u64, width)
        }
        _ => (1, 0),
    };
    let mut node = if rows > 1 {
        let mut node = Node::new("Values Scan on \"*VALUES*\"", rows, width);
        node.total = (CPU_TUPLE + CPU_OPERATOR) * rows as f64;
        node
    } else {
        let mut node = Node::new("Result", rows, width);
        node.total = CPU_TUPLE;
        node
    };
    node.actual_us = (1, rows);
    Ok(node)
}

fn millis(us: u64) -> String {
    format!("{}.{:03} ms", us / 1000, us % 1000)
}

/// One plan node: PostgreSQL's name, estimates, detail lines and what it really did.
#[derive(Debug)]
struct Node {
    name: String,
    startup: f64,
    total: f64,
    /// Rows per loop (estimated and actual: the same, counted).
    rows: u64,
    width: u32,
    /// The least row estimate printed: 1, as PostgreSQL clamps them, but 0 for a write.
    min_estimate: u64,
    details: Vec<String>,
    /// Lines only ANALYZE prints (`Rows Removed by Filter`, `Sort Method`).
    analyzed: Vec<String>,
    /// Simulated µs to the first and the last row, per loop.
    actual_us: (u64, u64),
    loops: u64,
    children: Vec<Node>,
}

impl Node {
    fn new(name: impl Into<String>, rows: u64, width: u32) -> Node {
        Node {
            name: name.into(),
            startup: 0.0,
            total: 0.0,
            rows,
            width,
            min_estimate: 1,
            details: Vec::new(),
            analyzed: Vec::new(),
            actual_us: (0, 0),
            loops: 1,
            children: Vec::new(),
        }
    }

    /// A node over `child` that passes its rows through (Limit) or consumes them first (Sort,
    /// Aggregate, Hash), costing `startup` and `run` on top of the child's cost.
    fn over(name: &str, child: Node, rows: u64, startup: f64, run: f64, blocking: bool) -> Node {
        let (child_first, child_last) = child.actual_us;
        let mut node = Node::new(name, rows, child.width);
        node.startup = startup;
        node.total = startup + run;
        node.actual_us = (if blocking { child_last } else { child_first }, child_last);
        node.children.push(child);
        node
    }

    fn render(&self, depth: usize, options: &Explain, out: &mut Vec<String>) {
        let mut line = if depth == 0 {
            self.name.clone()
        } else {
            format!("{}->  {}", " ".repeat(6 * depth - 4), self.name)
        };
        if options.costs {
            let (startup, total) = (self.startup, self.total);
            let rows = self.rows.max(self.min_estimate);
            line += &format!("  (cost={startup:.2}..{total:.2} rows={rows} width={})", self.width);
        }
        if options.analyze {
            line += &match (self.loops, options.timing) {
                (0, _) => " (never executed)".to_string(),
                (loops, true) => format!(
                    " (actual time={:.3}..{:.3} rows={} loops={loops})",
                    self.actual_us.0 as f64 / 1000.0,
                    self.actual_us.1 as f64 / 1000.0,
                    self.rows,
                ),
                (loops, false) => format!(" (actual rows={} loops={loops})", self.rows),
            };
        }
        out.push(line);
        let indent = " ".repeat(6 * depth + 2);
        let analyzed = self.analyzed.iter().filter(|_| options.analyze && self.loops > 0);
        for detail in self.details.iter().chain(analyzed) {
            out.push(format!("{indent}{detail}"));
        }
        for child in &self.children {
            child.render(depth + 1, options, out);
        }
    }
}

/// The query's clauses bound to the slots of its sources' scope, as the executor binds them.
struct Bound {
    items: Vec<(Expr, String)>,
    filter: Option<Expr>,
    on: Option<Expr>,
    groups: Vec<Expr>,
    having: Option<Expr>,
    order: Vec<(SortKey, Direction)>,
}

impl Bound {
    fn new(select: &Select, sources: &Sources) -> Result<Bound> {
        let scope = &sources.scope;
        let items = expand_items(&select.items, scope, select.from.is_some())?;
        let bind_all = |e: &Option<&Expr>, clause| e.map(|e| bind(e, scope, clause)).transpose();
        Ok(Bound {
            filter: bind_all(&select.filter.as_ref(), Clause::NoAggregates("WHERE"))?,
            on: bind_all(&sources.join.map(|(_, _, on)| on), Clause::NoAggregates("JOIN"))?,
            groups: group_exprs(&select.group_by, &items, scope)?,
            having: bind_all(&select.having.as_ref(), Clause::Select)?,
            order: resolve_order(&select.order_by, &items, scope)?,
            items,
        })
    }

    /// The width of the columns in `slots` that the nodes above a scan read (PostgreSQL's
    /// scan width: `count(*)` needs none); the filter's too when it runs above the scan.
    fn needed_width(&self, scope: &Scope, slots: Range<usize>, with_filter: bool) -> u32 {
        let mut used = Vec::new();
        let filter = self.filter.as_ref().filter(|_| with_filter);
        let order = self.order.iter().filter_map(|(key, _)| match key {
            SortKey::Expr(e) => Some(e),
            SortKey::Output(_) => None,
        });
        let exprs = self.items.iter().map(|(e, _)| e).chain(&self.groups).chain(order);
        for expr in exprs.chain(&self.having).chain(&self.on).chain(filter) {
            collect_slots(expr, &mut used);
        }
        used.sort_unstable();
        used.dedup();
        let width = |slot: &usize| scope.columns.get(*slot).map_or(0, |c| type_width(&c.data_type));
        used.iter().filter(|s| slots.contains(s)).map(width).sum()
    }
}

fn collect_slots(expr: &Expr, out: &mut Vec<usize>) {
    if let Expr::Slot(slot) = expr {
        out.push(*slot);
        return;
    }
    let _ = expr.try_map_children(&mut |child| {
        collect_slots(child, out);
        Ok::<Expr, std::convert::Infallible>(Expr::Default)
    });
}

/// Builds the plan of one query from what running it counted.
struct Planner<'a> {
    select: &'a Select,
    sources: &'a Sources<'a>,
    result: &'a ResultSet,
    bound: Bound,
}

impl Planner<'_> {
    fn plan(&self) -> Result<Node> {
        let scope = &self.sources.scope;
        let deparse = Deparse { scope, qualify: self.sources.join.is_some() };
        let Bound { items, filter, .. } = &self.bound;
        let trace = &self.result.trace;
        let width = items.iter().map(|(e, _)| expr_width(e, scope)).sum();
        let mut node = match self.sources.base {
            None => {
                let mut node = Node::new("Result", trace.kept, width);
                node.total = CPU_TUPLE;
                node.details.extend(
                    filter.as_ref().map(|f| format!("One-Time Filter: {}", deparse.expr(f))),
                );
                node
            }
            Some((base, _)) => self.scan_and_join(base, filter.as_ref(), &deparse)?,
        };
        if let Some((formed, passed)) = trace.groups {
            node = self.aggregate(node, formed, passed, &deparse);
        }
        if let Some(distinct) = trace.distinct {
            let keys: Vec<String> = items.iter().map(|(e, _)| deparse.key(e)).collect();
            node = hash_aggregate(node, distinct, keys.len(), 0);
            node.details.push(format!("Group Key: {}", keys.join(", ")));
        }
        if !self.select.order_by.is_empty() {
            node = self.sort(node, &deparse);
        }
        if self.select.limit.is_some() || self.select.offset.is_some() {
            node = limit(node, self.result.rows.len() as u64);
        }
        node.width = width;
        Ok(node)
    }

    /// The driving table's scan, and the join above it when there is one.
    fn scan_and_join(
        &self,
        base: &Table,
        filter: Option<&Expr>,
        deparse: &Deparse,
    ) -> Result<Node> {
        let trace = &self.result.trace;
        let quals = filter.map(conjuncts).unwrap_or_default();
        let (index_quals, rest): (Vec<&Expr>, Vec<&Expr>) =
            quals.into_iter().partition(|q| is_index_qual(q, &trace.key_columns));
        let from = self.select.from.as_ref().map(|f| f.visible_name()).unwrap_or_default();
        let access = &self.result.cost.access;
        let scope = &self.sources.scope;
        let width = self.sources.base.map_or(0, |(_, w)| w);
        let joined = (self.sources.join, trace.join.as_ref(), self.bound.on.as_ref());
        let (Some((inner, kind, _)), Some(join), Some(on)) = joined else {
            let needed = self.bound.needed_width(scope, 0..width, false);
            let (read, kept) = (trace.base_scanned, trace.kept);
            let mut scan = base_scan(base, from, access, (read, kept), &index_quals, &rest);
            scan.width = needed;
            describe_quals(&mut scan, deparse, &index_quals, &rest, trace.base_scanned);
            return Ok(scan);
        };
        let read = trace.base_scanned;
        let mut outer = base_scan(base, from, access, (read, read), &index_quals, &[]);
        outer.width = self.bound.needed_width(scope, 0..width, true);
        describe_quals(&mut outer, deparse, &index_quals, &[], read);
        let join_ref =
            self.select.join.as_ref().map(|j| j.table.visible_name()).unwrap_or_default();
        let key = join_key(on, width);
        let other_on: Vec<&Expr> = conjuncts(on)
            .into_iter()
            .filter(|c| key.is_none() || !is_key_equality(c, key, width))
            .collect();
        let left = if kind == JoinKind::Left { " Left Join" } else { "" };
        let loops = trace.base_scanned;
        let inner_rows = inner.rows.len() as u64;
        let inner_width = self.bound.needed_width(scope, width..scope.columns.len(), true);
        let mut node = match &join.method {
            JoinMethod::Hash => {
                let mut scan = seq_scan(inner, join_ref, inner_rows, 0);
                scan.width = inner_width;
                let hashed = scan.total;
                let mut hash = Node::over("Hash", scan, inner_rows, hashed, 0.0, true);
                hash.analyzed.push(format!(
                    "Buckets: {}  Batches: 1  Memory Usage: {}kB",
                    inner_rows.max(1).next_power_of_two().max(1024),
                    kilobytes(inner_rows, inner_width, 9)
                ));
                let name = if left.is_empty() { "Hash Join".into() } else { format!("Hash{left}") };
                let mut node = Node::new(name, join.joined, outer.width + inner_width);
                node.startup = hash.total;
                node.total = outer.total + hash.total + CPU_OPERATOR * loops as f64;
                let (outer_slot, inner_column) = key.unwrap_or((0, 0));
                node.details.push(format!(
                    "Hash Cond: ({} = {})",
                    deparse.expr(&Expr::Slot(outer_slot)),
                    deparse.expr(&Expr::Slot(width + inner_column))
                ));
                node.actual_us = (outer.actual_us.0, outer.actual_us.1 + hash.actual_us.1);
                node.children = vec![outer, hash];
                node
            }
            JoinMethod::Index(index) => {
                let per_loop = join.inner_scanned.checked_div(loops).unwrap_or(0);
                let probe = format!("Index Scan using {index} on {}", table_label(inner, join_ref));
                let mut scan = Node::new(probe, per_loop, inner_width);
                scan.loops = loops;
                scan.index_cost(inner, per_loop, 1, 0);
                scan.actual_us = (1.min(per_loop), per_loop * ROW_READ_US);
                let (outer_slot, inner_column) = key.unwrap_or((0, 0));
                scan.details.push(format!(
                    "Index Cond: ({} = {})",
                    deparse.expr(&Expr::Slot(width + inner_column)),
                    deparse.expr(&Expr::Slot(outer_slot))
                ));
                nested_loop(outer, scan, join, left, inner_width)
            }
            JoinMethod::Loop => {
                let mut scan = seq_scan(inner, join_ref, inner_rows, 0);
                scan.width = inner_width;
                scan.loops = loops;
                nested_loop(outer, scan, join, left, inner_width)
            }
        };
        if !other_on.is_empty() {
            node.details.push(format!("Join Filter: {}", deparse.all(&other_on)));
        }
        let removed = join.joined - trace.kept;
        node.total += CPU_OPERATOR * (join.joined as f64) * rest.len() as f64;
        node.rows = trace.kept;
        describe_quals(&mut node, deparse, &[], &rest, join.joined);
        if rest.is_empty() && removed > 0 {
            node.analyzed.push(format!("Rows Removed by Filter: {removed}"));
        }
        Ok(node)
    }

    /// `Aggregate` (no GROUP BY) or `HashAggregate` with its group key and HAVING filter.
    fn aggregate(&self, input: Node, formed: u64, passed: u64, deparse: &Deparse) -> Node {
        let Bound { items, groups, having, .. } = &self.bound;
        let aggregates = items.iter().filter(|(e, _)| e.contains_aggregate()).count().max(1);
        let mut node = if groups.is_empty() {
            let inputs = input.rows as f64;
            let total = input.total + CPU_OPERATOR * inputs * aggregates as f64 + CPU_TUPLE;
            Node::over("Aggregate", input, passed, total, 0.0, true)
        } else {
            let mut node = hash_aggregate(input, formed, groups.len(), aggregates);
            let keys: Vec<String> = groups.iter().map(|g| deparse.key(g)).collect();
            node.details.push(format!("Group Key: {}", keys.join(", ")));
            node
        };
        if let Some(having) = having {
            node.details.push(format!("Filter: {}", deparse.expr(having)));
            node.analyzed.push(format!("Rows Removed by Filter: {}", formed - passed));
        }
        node.rows = passed;
        node
    }

    fn sort(&self, input: Node, deparse: &Deparse) -> Node {
        let Bound { items, order, .. } = &self.bound;
        let keys: Vec<String> = order
            .iter()
            .map(|(key, (desc, nulls_first))| {
                let expr = match key {
                    SortKey::Output(i) => items.get(*i).map(|(e, _)| e.clone()),
                    SortKey::Expr(e) => Some(e.clone()),
                };
                let mut key = expr.map(|e| deparse.key(&e)).unwrap_or_default();
                key += if *desc { " DESC" } else { "" };
                if nulls_first != desc {
                    key += if *nulls_first { " NULLS FIRST" } else { " NULLS LAST" };
                }
                key
            })
            .collect();
        let rows = self.result.trace.sorted;
        let n = rows.max(2) as f64;
        let startup = input.total + 2.0 * CPU_OPERATOR * n * log2(rows.max(2));
        let width = input.width;
        let mut node = Node::over("Sort", input, rows, startup, CPU_OPERATOR * n, true);
        node.details.push(format!("Sort Key: {}", keys.join(", ")));
        let method = if self.select.limit.is_some() { "top-N heapsort" } else { "quicksort" };
        let memory = kilobytes(rows, width, 25);
        node.analyzed.push(format!("Sort Method: {method}  Memory: {memory}kB"));
        node
    }
}

fn nested_loop(outer: Node, inner: Node, join: &JoinTrace, left: &str, width: u32) -> Node {
    let name = format!("Nested Loop{left}");
    let mut node = Node::new(name, join.joined, outer.width + width);
    node.startup = outer.startup + inner.startup;
    node.total = outer.total + inner.total * inner.loops as f64 + CPU_TUPLE * join.joined as f64;
    let inner_us = join.inner_scanned * ROW_READ_US;
    node.actual_us = (outer.actual_us.0 + inner.actual_us.0, outer.actual_us.1 + inner_us);
    node.children = vec![outer, inner];
    node
}

fn hash_aggregate(input: Node, groups: u64, keys: usize, aggregates: usize) -> Node {
    let inputs = input.rows as f64;
    let startup = input.total + CPU_OPERATOR * inputs * (keys + aggregates) as f64;
    let width = input.width;
    let mut node =
        Node::over("HashAggregate", input, groups, startup, CPU_TUPLE * groups as f64, true);
    node.analyzed.push(format!("Batches: 1  Memory Usage: {}kB", kilobytes(groups, width, 24)));
    node
}

fn limit(input: Node, rows: u64) -> Node {
    let fraction = if input.rows == 0 { 1.0 } else { (rows as f64 / input.rows as f64).min(1.0) };
    let (startup, run) = (input.startup, (input.total - input.startup) * fraction);
    Node::over("Limit", input, rows, startup, run, false)
}

/// The driving table's scan by the access path the query used, reading `read` rows and
/// keeping `kept`, costed with PostgreSQL's `cost_index` or `cost_seqscan`.
fn base_scan(
    table: &Table,
    visible: &str,
    access: &Access,
    (read, kept): (u64, u64),
    index_quals: &[&Expr],
    filter: &[&Expr],
) -> Node {
    let mut node = match access {
        Access::IndexScan { index, .. } => {
            let name = format!("Index Scan using {index} on {}", table_label(table, visible));
            let mut node = Node::new(name, kept, table_width(table));
            node.index_cost(table, read, operators(index_quals), operators(filter));
            node
        }
        _ => seq_scan(table, visible, kept, operators(filter)),
    };
    node.actual_us = (1.min(read), read * ROW_READ_US);
    node
}

/// `Seq Scan on orders` (or `… on orders o`) keeping `kept` rows: `cost_seqscan`.
fn seq_scan(table: &Table, visible: &str, kept: u64, filter_operators: usize) -> Node {
    let name = format!("Seq Scan on {}", table_label(table, visible));
    let mut node = Node::new(name, kept, table_width(table));
    let n = table.rows.len() as f64;
    node.total =
        heap_pages(table) * SEQ_PAGE + n * (CPU_TUPLE + CPU_OPERATOR * filter_operators as f64);
    let read = table.rows.len() as u64;
    node.actual_us = (1.min(read), read * ROW_READ_US);
    node
}

/// Operators PostgreSQL would evaluate for these conditions (each costs `cpu_operator_cost`).
fn operators(quals: &[&Expr]) -> usize {
    fn count(expr: &Expr) -> usize {
        match expr {
            Expr::Binary { left, right, .. } => 1 + count(left) + count(right),
            Expr::Between { .. } => 2,
            Expr::InList { list, .. } => list.len(),
            Expr::Unary { expr, .. } | Expr::IsNull { expr, .. } | Expr::Cast { expr, .. } => {
                1 + count(expr)
            }
            Expr::Like { .. } | Expr::Function { .. } => 1,
            _ => 0,
        }
    }
    quals.iter().map(|q| count(q)).sum()
}

fn table_label(table: &Table, visible: &str) -> String {
    let name = &table.schema.name;
    if visible.is_empty() || visible == &**name {
        name.to_string()
    } else {
        format!("{name} {visible}")
    }
}

impl Node {
    /// PostgreSQL's `cost_index` for a B-tree probe fetching `fetched` rows of `table`.
    fn index_cost(&mut self, table: &Table, fetched: u64, index_quals: usize, filter: usize) {
        let n = table.rows.len().max(1) as u64;
        // Levels above the leaves: each inner page points at LEAF_ENTRIES pages below it.
        let (mut pages, mut height) = (n.div_ceil(LEAF_ENTRIES as u64), 0u32);
        while pages > 1 {
            pages = pages.div_ceil(LEAF_ENTRIES as u64);
            height += 1;
        }
        let comparisons = f64::from((u64::BITS - (n - 1).leading_zeros()).max(1));
        self.startup = comparisons * CPU_OPERATOR + f64::from(height + 1) * 50.0 * CPU_OPERATOR;
        let k = fetched as f64;
        let index_pages = (k / LEAF_ENTRIES).ceil().max(1.0);
        let heap_pages = k.min(heap_pages(table)).max(1.0);
        let per_row = CPU_INDEX_TUPLE
            + CPU_OPERATOR * index_quals as f64
            + CPU_TUPLE
            + CPU_OPERATOR * filter as f64;
        self.total = self.startup + (index_pages + heap_pages) * RANDOM_PAGE + k * per_row;
    }
}

/// log₂ n for n ≥ 1, exact at powers of two and linear between them (within 0.09), without
/// pulling a floating-point logarithm into the bundle.
fn log2(n: u64) -> f64 {
    let floor = n.ilog2();
    let base = 1u64 << floor;
    f64::from(floor) + (n - base) as f64 / base as f64
}

fn heap_pages(table: &Table) -> f64 {
    let bytes = table.rows.len() as f64 * (f64::from(table_width(table)) + TUPLE_OVERHEAD);
    (bytes / PAGE_BYTES).ceil().max(1.0)
}

/// Memory for `rows` rows of `width` bytes in a sort or hash table, and at least what an
/// empty one takes.
fn kilobytes(rows: u64, width: u32, least_kb: u64) -> u64 {
    (rows * (u64::from(width) + 64)).div_ceil(1024).max(least_kb)
}

/// The Index Cond and Filter lines of a scan (or join) node, and what the filter removed.
fn describe_quals(node: &mut Node, deparse: &Deparse, index: &[&Expr], rest: &[&Expr], read: u64) {
    if !index.is_empty() {
        node.details.push(format!("Index Cond: {}", deparse.all(index)));
    }
    if !rest.is_empty() {
        node.details.push(format!("Filter: {}", deparse.all(rest)));
        node.analyzed.push(format!("Rows Removed by Filter: {}", read - node.rows));
    }
}

/// Whether a WHERE conjunct is one the index probe answered: `column op constant` (or IN,
/// BETWEEN) on one of the columns the index was probed on.
fn is_index_qual(qual: &Expr, key_columns: &[usize]) -> bool {
    let on_key = |e: &Expr| matches!(e, Expr::Slot(s) if key_columns.contains(s));
    match qual {
        Expr::Binary { op, left, right } if op.is_comparison() && *op != BinaryOp::NotEq => {
            (on_key(left) && is_constant(right)) || (on_key(right) && is_constant(left))
        }
        Expr::Between { expr, low, high, negated: false } => {
            on_key(expr) && is_constant(low) && is_constant(high)
        }
        Expr::InList { expr, list, negated: false } => on_key(expr) && list.iter().all(is_constant),
        _ => false,
    }
}

fn is_key_equality(conjunct: &Expr, key: Option<(usize, usize)>, width: usize) -> bool {
    let Some((outer, inner)) = key else { return false };
    let pair = |a: &Expr, b: &Expr| matches!((a, b), (Expr::Slot(x), Expr::Slot(y)) if *x == outer && *y == width + inner);
    matches!(conjunct, Expr::Binary { op: BinaryOp::Eq, left, right }
        if pair(left, right) || pair(right, left))
}

/// The average stored width of a row of `table`, as PostgreSQL's statistics estimate it.
fn table_width(table: &Table) -> u32 {
    table.schema.columns.iter().map(|c| type_width(&c.data_type)).sum()
}

/// PostgreSQL's width estimate for a column before statistics (`get_typavgwidth`): fixed
/// sizes, a varchar's or numeric's from its declared size, 32 bytes for unbounded text.
fn type_width(data_type: &DataType) -> u32 {
    match data_type {
        DataType::Boolean => 1,
        DataType::Integer | DataType::Date => 4,
        DataType::BigInt | DataType::Timestamp => 8,
        DataType::Interval => 16,
        DataType::Numeric(Some((precision, scale))) => {
            8 + 2 * (precision.div_ceil(4) + u32::from(*scale > 0))
        }
        DataType::Varchar(Some(n)) => {
            let most = n.saturating_mul(4).saturating_add(4);
            if most < 32 {
                most
            } else {
                32 + (most - 32) / 2
            }
        }
        DataType::Text | DataType::Varchar(None) | DataType::Numeric(None) => 32,
    }
}

fn expr_width(expr: &Expr, scope: &Scope) -> u32 {
    match expr {
        Expr::Slot(slot) => scope.columns.get(*slot).map_or(4, |c| type_width(&c.data_type)),
        Expr::Literal(Value::Bool(_)) => 1,
        Expr::Literal(Value::Int(_)) => 4,
        Expr::Literal(Value::Timestamp(_)) | Expr::Aggregate { .. } => 8,
        Expr::Cast { to, .. } => type_width(to),
        _ => 32,
    }
}

/// Expressions printed as PostgreSQL's `EXPLAIN` prints them (its `ruleutils.c`): every
/// operator parenthesised, constants with their type (`'paid'::text`), columns qualified
/// when the query reads more than one table.
struct Deparse<'a> {
    scope: &'a Scope<'a>,
    qualify: bool,
}

impl Deparse<'_> {
    /// Conditions ANDed as one: `(a = 1)` or `((a = 1) AND (b = 2))`.
    fn all(&self, quals: &[&Expr]) -> String {
        match quals {
            [one] => self.expr(one),
            many => {
                let parts: Vec<String> = many.iter().map(|q| self.expr(q)).collect();
                format!("({})", parts.join(" AND "))
            }
        }
    }

    /// A sort or group key: a function call gets the parentheses PostgreSQL gives it.
    fn key(&self, expr: &Expr) -> String {
        match expr {
            Expr::Function { .. } | Expr::Aggregate { .. } | Expr::Cast { .. } => {
                format!("({})", self.expr(expr))
            }
            _ => self.expr(expr),
        }
    }

    fn column(&self, slot: usize) -> String {
        match self.scope.columns.get(slot) {
            Some(c) if self.qualify => format!("{}.{}", c.table, c.name),
            Some(c) => c.name.to_string(),
            None => format!("${slot}"),
        }
    }

    fn slot_type(&self, expr: &Expr) -> Option<&DataType> {
        match expr {
            Expr::Slot(slot) => self.scope.columns.get(*slot).map(|c| &c.data_type),
            _ => None,
        }
    }

    fn expr(&self, expr: &Expr) -> String {
        match expr {
            Expr::Literal(value) | Expr::Unknown { text: value, .. } => literal(value),
            Expr::Column { table, name, .. } => match table {
                Some(t) => format!("{t}.{name}"),
                None => name.clone(),
            },
            Expr::Slot(slot) => self.column(*slot),
            Expr::Default => "DEFAULT".into(),
            Expr::Unary { op, expr } => {
                let op = match op {
                    UnaryOp::Neg => "- ",
                    UnaryOp::Plus => "+ ",
                    UnaryOp::Not => "NOT ",
                };
                format!("({op}{})", self.expr(expr))
            }
            Expr::Binary { op, left, right } => self.binary(*op, left, right),
            Expr::IsNull { expr, negated } => {
                format!("({} IS {}NULL)", self.expr(expr), if *negated { "NOT " } else { "" })
            }
            Expr::InList { expr, list, negated } => self.in_list(expr, list, *negated),
            Expr::Between { expr, low, high, negated } => {
                let (a, b, join) = if *negated {
                    (BinaryOp::Lt, BinaryOp::Gt, "OR")
                } else {
                    (BinaryOp::GtEq, BinaryOp::LtEq, "AND")
                };
                format!("({} {join} {})", self.binary(a, expr, low), self.binary(b, expr, high))
            }
            Expr::Like { expr, pattern, negated, case_insensitive } => {
                let op = match (negated, case_insensitive) {
                    (false, false) => "~~",
                    (false, true) => "~~*",
                    (true, false) => "!~~",
                    (true, true) => "!~~*",
                };
                format!("({} {op} {})", self.text_operand(expr), self.text_operand(pattern))
            }
            Expr::Function { name, args, .. } => self.function(name, args),
            Expr::Aggregate { func, arg, distinct, .. } => {
                let arg = arg.as_ref().map_or("*".to_string(), |a| self.expr(a));
                format!("{}({}{arg})", func.name(), if *distinct { "DISTINCT " } else { "" })
            }
            Expr::Cast { expr, to } => match expr.as_ref() {
                Expr::Literal(Value::Text(text)) => format!("{}::{to}", quote(text)),
                inner => format!("({})::{to}", self.expr(inner)),
            },
            Expr::Case { operand, whens, otherwise } => {
                let mut out = "CASE".to_string();
                if let Some(operand) = operand {
                    out += &format!(" {}", self.expr(operand));
                }
                for (when, then) in whens {
                    out += &format!(" WHEN {} THEN {}", self.expr(when), self.expr(then));
                }
                if let Some(otherwise) = otherwise {
                    out += &format!(" ELSE {}", self.expr(otherwise));
                }
                out + " END"
            }
        }
    }

    /// `(left op right)` with the coercions PostgreSQL made when parsing: a text constant
    /// compared with a typed column becomes a constant of that type, an integer beside a
    /// numeric becomes numeric (`'5'::numeric`, `(u.id)::numeric`), a varchar is read as text.
    fn binary(&self, op: BinaryOp, left: &Expr, right: &Expr) -> String {
        let side = |this: &Expr, other: &Expr| {
            let numeric_beside =
                self.is_numeric(other) && !matches!(op, BinaryOp::And | BinaryOp::Or);
            match (this, self.slot_type(other)) {
                (Expr::Literal(text @ Value::Text(_)), Some(data_type)) if op.is_comparison() => {
                    match data_type {
                        DataType::Text | DataType::Varchar(_) => literal(text),
                        typed => {
                            typed.cast(text.clone()).map_or_else(|_| literal(text), |v| literal(&v))
                        }
                    }
                }
                (Expr::Literal(Value::Int(n)), _) if numeric_beside => format!("'{n}'::numeric"),
                (Expr::Slot(_), _) if numeric_beside && self.is_integer(this) => {
                    format!("({})::numeric", self.expr(this))
                }
                _ => self.text_operand(this),
            }
        };
        format!("({} {} {})", side(left, right), op.symbol(), side(right, left))
    }

    fn is_numeric(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Literal(Value::Numeric(_)))
            || matches!(self.slot_type(expr), Some(DataType::Numeric(_)))
    }

    fn is_integer(&self, expr: &Expr) -> bool {
        matches!(self.slot_type(expr), Some(DataType::Integer | DataType::BigInt))
    }

    /// A varchar column compared as text: `(status)::text`, as PostgreSQL shows it.
    fn text_operand(&self, expr: &Expr) -> String {
        match self.slot_type(expr) {
            Some(DataType::Varchar(_)) => format!("({})::text", self.expr(expr)),
            _ => self.expr(expr),
        }
    }

    fn in_list(&self, expr: &Expr, list: &[Expr], negated: bool) -> String {
        let (op, quantifier) = if negated { ("<>", "ALL") } else { ("=", "ANY") };
        let constants: Option<Vec<&Value>> = list
            .iter()
            .map(|e| match e {
                Expr::Literal(v) if !v.is_null() => Some(v),
                _ => None,
            })
            .collect();
        let array = match (constants, self.slot_type(expr)) {
            (Some(values), Some(data_type)) => {
                let element = match data_type {
                    DataType::Varchar(_) => DataType::Text,
                    other => other.clone(),
                };
                let elements: Vec<String> = values.iter().map(|v| array_element(v)).collect();
                format!("{}::{element}[]", quote(&format!("{{{}}}", elements.join(","))))
            }
            _ => {
                let elements: Vec<String> = list.iter().map(|e| self.expr(e)).collect();
                format!("ARRAY[{}]", elements.join(", "))
            }
        };
        format!("({} {op} {quantifier} ({array}))", self.text_operand(expr))
    }

    fn function(&self, name: &str, args: &[Expr]) -> String {
        const SQL_KEYWORDS: &[&str] =
            &["current_timestamp", "current_user", "session_user", "localtimestamp", "user"];
        if args.is_empty() && SQL_KEYWORDS.contains(&name) {
            return name.to_ascii_uppercase();
        }
        let args: Vec<String> = args.iter().map(|a| self.text_operand(a)).collect();
        format!("{name}({})", args.join(", "))
    }
}

/// A constant as EXPLAIN prints it: bare for non-negative numbers and booleans, else quoted
/// with its type.
fn literal(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) if *n >= 0 => n.to_string(),
        Value::Int(n) if i32::try_from(*n).is_ok() => format!("'{n}'::integer"),
        Value::Int(n) => format!("'{n}'::bigint"),
        Value::Numeric(n) if !n.to_string().starts_with('-') => n.to_string(),
        Value::Numeric(n) => format!("'{n}'::numeric"),
        Value::Text(text) => format!("{}::text", quote(text)),
        Value::Timestamp(t) => format!("'{t}'::timestamp without time zone"),
        Value::Date(d) => format!("'{}'::date", d.date_text()),
        Value::Interval(i) => format!("'{i}'::interval"),
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// One element of an array constant: quoted when it holds what would split it.
fn array_element(value: &Value) -> String {
    let text = value.to_string();
    let plain = !text.is_empty()
        && !text.chars().any(|c| matches!(c, ' ' | ',' | '"' | '\\' | '{' | '}' | '\''))
        && !text.eq_ignore_ascii_case("null");
    if plain {
        text
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
