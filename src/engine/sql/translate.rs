//! From sqlparser's tree to ours: keep what the playground runs.
//!
//! sqlparser understands many dialects, so its tree has room for all of
//! them. [`translate`] walks it and builds [`ast`](super::ast) nodes for the
//! forms the playground executes; anything else is rejected here, before
//! execution, with `not supported in the playground: ...` so a learner
//! knows it is the playground's limit, not their SQL's.
//!
//! Identifiers are folded to lower case unless quoted (PostgreSQL's rule),
//! `public.` is accepted as a schema, and every name keeps its position for
//! error carets. sqlparser's PostgreSQL dialect already accepts the lesson's
//! MySQL-style `INTERVAL 1 DAY`, so no rewriting is needed; it is evaluated
//! with PostgreSQL semantics (`'1 day'`).

use sqlparser::ast as sp;

use super::ast::*;
use super::error::SqlError;
use super::numeric::Numeric;
use super::schema::DataType;
use super::split::{parse_one, Source};
use super::time::Interval;
use super::value::Value;

/// Parses and translates one statement's text (as produced by [`split`](super::split::split)).
pub fn translate(text: &str) -> Result<StatementKind> {
    let (statement, source) = parse_one(text)?;
    Translator { source: &source }.statement(statement)
}

type Result<T> = std::result::Result<T, SqlError>;

/// Carries the statement text, to convert spans into positions.
struct Translator<'a> {
    source: &'a Source<'a>,
}

/// The first words of an unsupported statement, e.g. `ALTER TABLE`.
fn leading_words(statement: &sp::Statement) -> String {
    let text = statement.to_string();
    let keyword = |w: &&str| w.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    text.split_whitespace().take(2).take_while(keyword).collect::<Vec<_>>().join(" ")
}

impl Translator<'_> {
    fn name(&self, ident: &sp::Ident) -> Name {
        let name = if ident.quote_style.is_some() {
            ident.value.clone()
        } else {
            ident.value.to_lowercase()
        };
        Name { name, pos: Pos(self.source.position(ident.span.start)) }
    }

    /// A table name, accepting an optional `public.` schema.
    fn object_name(&self, name: &sp::ObjectName) -> Result<Name> {
        let parts: Vec<Name> = name
            .0
            .iter()
            .map(|part| match part {
                sp::ObjectNamePart::Identifier(ident) => Ok(self.name(ident)),
                other => Err(SqlError::unsupported(format!("name {other}"))),
            })
            .collect::<Result<_>>()?;
        match parts.as_slice() {
            [table] => Ok(table.clone()),
            [schema, table] if schema.name == "public" => Ok(table.clone()),
            [schema, _] => {
                Err(SqlError::new("3F000", format!("schema \"{}\" does not exist", schema.name))
                    .at(schema.pos.0))
            }
            _ => Err(SqlError::unsupported(format!("qualified name {name}"))),
        }
    }

    fn statement(&self, statement: sp::Statement) -> Result<StatementKind> {
        match statement {
            sp::Statement::Query(query) => Ok(StatementKind::Select(Box::new(self.query(*query)?))),
            sp::Statement::Insert(insert) => self.insert(insert),
            sp::Statement::Update(update) => self.update(update),
            sp::Statement::Delete(delete) => self.delete(delete),
            sp::Statement::CreateTable(create) => self.create_table(create),
            sp::Statement::CreateIndex(create) => self.create_index(create),
            sp::Statement::Drop {
                object_type: sp::ObjectType::Table,
                if_exists,
                names,
                cascade,
                ..
            } => {
                if cascade {
                    return Err(SqlError::unsupported("DROP TABLE ... CASCADE"));
                }
                let names = names.iter().map(|n| self.object_name(n)).collect::<Result<_>>()?;
                Ok(StatementKind::DropTable { names, if_exists })
            }
            sp::Statement::StartTransaction { statements, exception, .. }
                if statements.is_empty() && exception.is_none() =>
            {
                Ok(StatementKind::Begin)
            }
            sp::Statement::Commit { chain: false, .. } => Ok(StatementKind::Commit),
            sp::Statement::Rollback { chain: false, savepoint: None } => {
                Ok(StatementKind::Rollback)
            }
            sp::Statement::Explain { statement, .. } => match self.statement(*statement)? {
                inner @ StatementKind::Select(_) => Ok(StatementKind::Explain(Box::new(inner))),
                _ => Err(SqlError::unsupported("EXPLAIN of anything but SELECT")),
            },
            other => Err(SqlError::unsupported(leading_words(&other))),
        }
    }

    // ----- DDL -----

    fn create_table(&self, create: sp::CreateTable) -> Result<StatementKind> {
        if create.query.is_some() {
            return Err(SqlError::unsupported("CREATE TABLE ... AS"));
        }
        if create.like.is_some() || create.clone.is_some() {
            return Err(SqlError::unsupported("CREATE TABLE ... LIKE"));
        }
        let columns =
            create.columns.iter().map(|c| self.column_def(c)).collect::<Result<Vec<_>>>()?;
        let constraints = create
            .constraints
            .iter()
            .map(|c| self.table_constraint(c))
            .collect::<Result<Vec<_>>>()?;
        Ok(StatementKind::CreateTable(CreateTable {
            name: self.object_name(&create.name)?,
            if_not_exists: create.if_not_exists,
            columns,
            constraints,
        }))
    }

    fn column_def(&self, column: &sp::ColumnDef) -> Result<ColumnDef> {
        let (data_type, serial) = data_type(&column.data_type)?;
        let mut def = ColumnDef {
            name: self.name(&column.name),
            data_type,
            serial,
            not_null: serial,
            default: None,
            primary_key: false,
            unique: false,
        };
        for option in &column.options {
            match &option.option {
                sp::ColumnOption::Null => {}
                sp::ColumnOption::NotNull => def.not_null = true,
                sp::ColumnOption::Default(expr) => def.default = Some(self.expr(expr)?),
                sp::ColumnOption::PrimaryKey(_) => {
                    def.primary_key = true;
                    def.not_null = true;
                }
                sp::ColumnOption::Unique(_) => def.unique = true,
                sp::ColumnOption::ForeignKey(_) => {
                    return Err(SqlError::unsupported("FOREIGN KEY constraints"))
                }
                sp::ColumnOption::Check(_) => {
                    return Err(SqlError::unsupported("CHECK constraints"))
                }
                other => return Err(SqlError::unsupported(format!("column option {other}"))),
            }
        }
        Ok(def)
    }

    fn table_constraint(&self, constraint: &sp::TableConstraint) -> Result<KeyConstraint> {
        let (name, columns, primary) = match constraint {
            sp::TableConstraint::PrimaryKey(pk) => (&pk.name, &pk.columns, true),
            sp::TableConstraint::Unique(unique) => (&unique.name, &unique.columns, false),
            sp::TableConstraint::ForeignKey(_) => {
                return Err(SqlError::unsupported("FOREIGN KEY constraints"))
            }
            sp::TableConstraint::Check(_) => {
                return Err(SqlError::unsupported("CHECK constraints"))
            }
            other => return Err(SqlError::unsupported(format!("constraint {other}"))),
        };
        Ok(KeyConstraint {
            name: name.as_ref().map(|n| self.name(n).name),
            columns: columns.iter().map(|c| self.index_column(c)).collect::<Result<_>>()?,
            primary,
        })
    }

    fn index_column(&self, column: &sp::IndexColumn) -> Result<Name> {
        match &column.column.expr {
            sp::Expr::Identifier(ident) => Ok(self.name(ident)),
            other => Err(SqlError::unsupported(format!("index on expression {other}"))),
        }
    }

    fn create_index(&self, create: sp::CreateIndex) -> Result<StatementKind> {
        if create.predicate.is_some() {
            return Err(SqlError::unsupported("partial indexes (CREATE INDEX ... WHERE)"));
        }
        if !create.include.is_empty() {
            return Err(SqlError::unsupported("CREATE INDEX ... INCLUDE"));
        }
        if let Some(using) = &create.using {
            if !using.to_string().eq_ignore_ascii_case("btree") {
                return Err(SqlError::unsupported(format!("index method {using} (only btree)")));
            }
        }
        let name = match &create.name {
            Some(name) => Some(self.object_name(name)?.name),
            None => None,
        };
        Ok(StatementKind::CreateIndex(CreateIndex {
            name,
            table: self.object_name(&create.table_name)?,
            columns: create.columns.iter().map(|c| self.index_column(c)).collect::<Result<_>>()?,
            unique: create.unique,
            if_not_exists: create.if_not_exists,
        }))
    }

    // ----- DML -----

    fn insert(&self, insert: sp::Insert) -> Result<StatementKind> {
        if insert.on.is_some() {
            return Err(SqlError::unsupported("INSERT ... ON CONFLICT"));
        }
        let sp::TableObject::TableName(table) = &insert.table else {
            return Err(SqlError::unsupported("INSERT INTO a table function"));
        };
        let columns = if insert.columns.is_empty() {
            None
        } else {
            let names =
                insert.columns.iter().map(|c| self.object_name(c)).collect::<Result<Vec<_>>>()?;
            Some(names)
        };
        let source = match insert.source {
            None => InsertSource::DefaultValues,
            Some(query) => self.insert_source(*query)?,
        };
        Ok(StatementKind::Insert(Insert {
            table: self.object_name(table)?,
            columns,
            source,
            returning: self.returning(insert.returning)?,
        }))
    }

    fn insert_source(&self, query: sp::Query) -> Result<InsertSource> {
        let plain =
            query.with.is_none() && query.order_by.is_none() && query.limit_clause.is_none();
        match *query.body {
            sp::SetExpr::Values(values) if plain => {
                let rows = values
                    .rows
                    .into_iter()
                    .map(|row| {
                        row.content.iter().map(|e| self.value_expr(e)).collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<_>>()?;
                Ok(InsertSource::Values(rows))
            }
            _ => Ok(InsertSource::Select(Box::new(self.query(query)?))),
        }
    }

    /// An expression where `DEFAULT` is allowed (VALUES items, SET right-hand sides).
    fn value_expr(&self, expr: &sp::Expr) -> Result<Expr> {
        match expr {
            sp::Expr::Identifier(ident)
                if ident.quote_style.is_none() && ident.value.eq_ignore_ascii_case("default") =>
            {
                Ok(Expr::Default)
            }
            other => self.expr(other),
        }
    }

    fn returning(&self, items: Option<Vec<sp::SelectItem>>) -> Result<Vec<SelectItem>> {
        items.unwrap_or_default().iter().map(|item| self.select_item(item)).collect()
    }

    fn single_table(&self, table: &sp::TableWithJoins) -> Result<TableRef> {
        if !table.joins.is_empty() {
            return Err(SqlError::unsupported("joins in UPDATE or DELETE"));
        }
        self.table_ref(&table.relation)
    }

    fn update(&self, update: sp::Update) -> Result<StatementKind> {
        if update.from.is_some() {
            return Err(SqlError::unsupported("UPDATE ... FROM"));
        }
        if update.limit.is_some() || !update.order_by.is_empty() {
            return Err(SqlError::unsupported("UPDATE ... ORDER BY/LIMIT"));
        }
        let assignments = update
            .assignments
            .iter()
            .map(|a| match &a.target {
                sp::AssignmentTarget::ColumnName(column) => {
                    let name = column.0.last().and_then(|p| p.as_ident()).map(|i| self.name(i));
                    let name = name
                        .ok_or_else(|| SqlError::unsupported(format!("assignment to {column}")))?;
                    Ok((name, self.value_expr(&a.value)?))
                }
                sp::AssignmentTarget::Tuple(_) => Err(SqlError::unsupported("SET (a, b) = (...)")),
            })
            .collect::<Result<_>>()?;
        Ok(StatementKind::Update(Update {
            table: self.single_table(&update.table)?,
            assignments,
            filter: update.selection.as_ref().map(|e| self.expr(e)).transpose()?,
            returning: self.returning(update.returning)?,
        }))
    }

    fn delete(&self, delete: sp::Delete) -> Result<StatementKind> {
        if delete.using.is_some() || !delete.tables.is_empty() {
            return Err(SqlError::unsupported("DELETE ... USING"));
        }
        if delete.limit.is_some() || !delete.order_by.is_empty() {
            return Err(SqlError::unsupported("DELETE ... ORDER BY/LIMIT"));
        }
        let tables = match &delete.from {
            sp::FromTable::WithFromKeyword(tables) | sp::FromTable::WithoutKeyword(tables) => {
                tables
            }
        };
        let [table] = tables.as_slice() else {
            return Err(SqlError::unsupported("DELETE from several tables"));
        };
        Ok(StatementKind::Delete(Delete {
            table: self.single_table(table)?,
            filter: delete.selection.as_ref().map(|e| self.expr(e)).transpose()?,
            returning: self.returning(delete.returning)?,
        }))
    }

    // ----- SELECT -----

    fn query(&self, query: sp::Query) -> Result<Select> {
        if query.with.is_some() {
            return Err(SqlError::unsupported("WITH queries"));
        }
        if query.fetch.is_some() || !query.locks.is_empty() {
            return Err(SqlError::unsupported("FETCH/FOR UPDATE"));
        }
        let mut select = match *query.body {
            sp::SetExpr::Select(select) => self.select(*select)?,
            sp::SetExpr::SetOperation { op, .. } => {
                return Err(SqlError::unsupported(format!("{op}")))
            }
            sp::SetExpr::Query(_) => return Err(SqlError::unsupported("parenthesized queries")),
            sp::SetExpr::Values(_) => {
                return Err(SqlError::unsupported("VALUES lists outside INSERT"))
            }
            _ => return Err(SqlError::unsupported("this kind of query")),
        };
        if let Some(order_by) = query.order_by {
            select.order_by = self.order_by(order_by)?;
        }
        if let Some(limit) = query.limit_clause {
            let (limit, offset) = match limit {
                sp::LimitClause::LimitOffset { limit, offset, limit_by } => {
                    if !limit_by.is_empty() {
                        return Err(SqlError::unsupported("LIMIT BY"));
                    }
                    (limit, offset.map(|o| o.value))
                }
                sp::LimitClause::OffsetCommaLimit { offset, limit } => (Some(limit), Some(offset)),
            };
            select.limit = limit.as_ref().map(|e| self.expr(e)).transpose()?;
            select.offset = offset.as_ref().map(|e| self.expr(e)).transpose()?;
        }
        Ok(select)
    }

    fn order_by(&self, order_by: sp::OrderBy) -> Result<Vec<OrderItem>> {
        let sp::OrderByKind::Expressions(items) = order_by.kind else {
            return Err(SqlError::unsupported("ORDER BY ALL"));
        };
        items
            .iter()
            .map(|item| {
                let desc = match &item.options.sort {
                    None | Some(sp::OrderBySort::Asc) => false,
                    Some(sp::OrderBySort::Desc) => true,
                    Some(sp::OrderBySort::Using(_)) => {
                        return Err(SqlError::unsupported("ORDER BY ... USING"))
                    }
                };
                Ok(OrderItem {
                    expr: self.expr(&item.expr)?,
                    desc,
                    nulls_first: item.options.nulls_first,
                })
            })
            .collect()
    }

    fn select(&self, select: sp::Select) -> Result<Select> {
        if select.top.is_some() || select.into.is_some() {
            return Err(SqlError::unsupported("SELECT TOP/INTO"));
        }
        let distinct = match &select.distinct {
            None | Some(sp::Distinct::All) => false,
            Some(sp::Distinct::Distinct) => true,
            Some(_) => return Err(SqlError::unsupported("DISTINCT ON")),
        };
        let (from, join) = self.from(&select.from)?;
        let group_by = match &select.group_by {
            sp::GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => {
                exprs.iter().map(|e| self.expr(e)).collect::<Result<_>>()?
            }
            _ => return Err(SqlError::unsupported("GROUP BY ALL/ROLLUP/CUBE")),
        };
        Ok(Select {
            distinct,
            items: select.projection.iter().map(|i| self.select_item(i)).collect::<Result<_>>()?,
            from,
            join,
            filter: select.selection.as_ref().map(|e| self.expr(e)).transpose()?,
            group_by,
            having: select.having.as_ref().map(|e| self.expr(e)).transpose()?,
            order_by: Vec::new(),
            limit: None,
            offset: None,
        })
    }

    fn from(&self, from: &[sp::TableWithJoins]) -> Result<(Option<TableRef>, Option<Join>)> {
        let [first] = from else {
            if from.is_empty() {
                return Ok((None, None));
            }
            return Err(SqlError::unsupported("comma-separated FROM lists (write JOIN ... ON)"));
        };
        let table = self.table_ref(&first.relation)?;
        let join = match first.joins.as_slice() {
            [] => None,
            [join] => Some(self.join(join)?),
            _ => return Err(SqlError::unsupported("joins of more than two tables")),
        };
        Ok((Some(table), join))
    }

    fn join(&self, join: &sp::Join) -> Result<Join> {
        let (kind, constraint) = match &join.join_operator {
            sp::JoinOperator::Join(c) | sp::JoinOperator::Inner(c) => (JoinKind::Inner, c),
            sp::JoinOperator::Left(c) | sp::JoinOperator::LeftOuter(c) => (JoinKind::Left, c),
            _ => return Err(SqlError::unsupported("joins other than [INNER] JOIN and LEFT JOIN")),
        };
        let sp::JoinConstraint::On(on) = constraint else {
            return Err(SqlError::unsupported("JOIN without ON (USING, NATURAL, CROSS)"));
        };
        Ok(Join { table: self.table_ref(&join.relation)?, kind, on: self.expr(on)? })
    }

    fn table_ref(&self, factor: &sp::TableFactor) -> Result<TableRef> {
        match factor {
            sp::TableFactor::Table { name, alias, args: None, .. } => {
                if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                    return Err(SqlError::unsupported("column aliases in FROM"));
                }
                Ok(TableRef {
                    name: self.object_name(name)?,
                    alias: alias.as_ref().map(|a| self.name(&a.name).name),
                })
            }
            sp::TableFactor::Derived { .. } => Err(SqlError::unsupported("subqueries in FROM")),
            _ => Err(SqlError::unsupported("this kind of FROM item")),
        }
    }

    fn select_item(&self, item: &sp::SelectItem) -> Result<SelectItem> {
        match item {
            sp::SelectItem::UnnamedExpr(expr) => {
                Ok(SelectItem::Expr { expr: self.expr(expr)?, alias: None })
            }
            sp::SelectItem::ExprWithAlias { expr, alias } => {
                Ok(SelectItem::Expr { expr: self.expr(expr)?, alias: Some(self.name(alias).name) })
            }
            sp::SelectItem::Wildcard(_) => Ok(SelectItem::Wildcard),
            sp::SelectItem::QualifiedWildcard(
                sp::SelectItemQualifiedWildcardKind::ObjectName(name),
                _,
            ) => Ok(SelectItem::QualifiedWildcard(self.object_name(name)?.name)),
            other => Err(SqlError::unsupported(format!("select item {other}"))),
        }
    }

    // ----- expressions -----

    fn boxed(&self, expr: &sp::Expr) -> Result<Box<Expr>> {
        Ok(Box::new(self.expr(expr)?))
    }

    fn expr(&self, expr: &sp::Expr) -> Result<Expr> {
        use sp::Expr as E;
        match expr {
            E::Identifier(ident) => {
                let name = self.name(ident);
                Ok(Expr::Column { table: None, name: name.name, pos: name.pos })
            }
            E::CompoundIdentifier(parts) => self.compound_identifier(parts),
            E::Value(value) => {
                literal(&value.value).map_err(|e| e.at(self.source.position(value.span.start)))
            }
            E::Nested(inner) => self.expr(inner),
            E::BinaryOp { left, op, right } => self.binary(left, op, right),
            E::UnaryOp { op, expr } => self.unary(*op, expr),
            E::IsNull(inner) => Ok(Expr::IsNull { expr: self.boxed(inner)?, negated: false }),
            E::IsNotNull(inner) => Ok(Expr::IsNull { expr: self.boxed(inner)?, negated: true }),
            E::In { expr, target: sp::InTarget::List(list), negated, .. } => Ok(Expr::InList {
                expr: self.boxed(expr)?,
                list: list.iter().map(|e| self.expr(e)).collect::<Result<_>>()?,
                negated: *negated,
            }),
            E::In { .. } | E::Subquery(_) | E::Exists { .. } => {
                Err(SqlError::unsupported("subqueries"))
            }
            E::Between { expr, negated, low, high } => Ok(Expr::Between {
                expr: self.boxed(expr)?,
                low: self.boxed(low)?,
                high: self.boxed(high)?,
                negated: *negated,
            }),
            E::Like { negated, any, expr, pattern, escape_char } => {
                self.like(*negated, *any, expr, pattern, escape_char, false)
            }
            E::ILike { negated, any, expr, pattern, escape_char } => {
                self.like(*negated, *any, expr, pattern, escape_char, true)
            }
            E::Function(function) => self.function(function),
            E::Cast {
                kind: sp::CastKind::Cast | sp::CastKind::DoubleColon,
                expr,
                data_type: to,
                format: None,
            } => Ok(Expr::Cast { expr: self.boxed(expr)?, to: data_type(to)?.0 }),
            E::TypedString(typed) => {
                let text = typed
                    .value
                    .clone()
                    .into_string()
                    .ok_or_else(|| SqlError::unsupported("typed literal"))?;
                Ok(Expr::Cast {
                    expr: Box::new(Expr::Literal(Value::Text(text))),
                    to: data_type(&typed.data_type)?.0,
                })
            }
            E::Interval(interval) => self.interval(interval),
            E::Case { operand, conditions, else_result, .. } => Ok(Expr::Case {
                operand: operand.as_ref().map(|e| self.boxed(e)).transpose()?,
                whens: conditions
                    .iter()
                    .map(|w| Ok((self.expr(&w.condition)?, self.expr(&w.result)?)))
                    .collect::<Result<_>>()?,
                otherwise: else_result.as_ref().map(|e| self.boxed(e)).transpose()?,
            }),
            other => Err(SqlError::unsupported(format!("expression {other}"))),
        }
    }

    fn compound_identifier(&self, parts: &[sp::Ident]) -> Result<Expr> {
        let names: Vec<Name> = parts.iter().map(|p| self.name(p)).collect();
        match names.as_slice() {
            [table, column] | [_, table, column] => Ok(Expr::Column {
                table: Some(table.name.clone()),
                name: column.name.clone(),
                pos: table.pos,
            }),
            _ => Err(SqlError::unsupported(format!(
                "name {}",
                parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(".")
            ))),
        }
    }

    fn binary(&self, left: &sp::Expr, op: &sp::BinaryOperator, right: &sp::Expr) -> Result<Expr> {
        use sp::BinaryOperator as B;
        let op = match op {
            B::Plus => BinaryOp::Add,
            B::Minus => BinaryOp::Sub,
            B::Multiply => BinaryOp::Mul,
            B::Divide => BinaryOp::Div,
            B::Modulo => BinaryOp::Mod,
            B::StringConcat => BinaryOp::Concat,
            B::Eq => BinaryOp::Eq,
            B::NotEq => BinaryOp::NotEq,
            B::Lt => BinaryOp::Lt,
            B::LtEq => BinaryOp::LtEq,
            B::Gt => BinaryOp::Gt,
            B::GtEq => BinaryOp::GtEq,
            B::And => BinaryOp::And,
            B::Or => BinaryOp::Or,
            other => return Err(SqlError::unsupported(format!("operator {other}"))),
        };
        Ok(Expr::Binary { op, left: self.boxed(left)?, right: self.boxed(right)? })
    }

    fn unary(&self, op: sp::UnaryOperator, expr: &sp::Expr) -> Result<Expr> {
        let op = match op {
            sp::UnaryOperator::Minus => {
                // Fold `-<number>` so that i64::MIN and index constants work.
                if let sp::Expr::Value(v) = expr {
                    if let sp::Value::Number(digits, _) = &v.value {
                        return literal(&sp::Value::Number(format!("-{digits}"), false));
                    }
                }
                UnaryOp::Neg
            }
            sp::UnaryOperator::Plus => UnaryOp::Plus,
            sp::UnaryOperator::Not => UnaryOp::Not,
            other => return Err(SqlError::unsupported(format!("operator {other}"))),
        };
        Ok(Expr::Unary { op, expr: self.boxed(expr)? })
    }

    fn like(
        &self,
        negated: bool,
        any: bool,
        expr: &sp::Expr,
        pattern: &sp::Expr,
        escape: &Option<Box<sp::Expr>>,
        case_insensitive: bool,
    ) -> Result<Expr> {
        if any || escape.is_some() {
            return Err(SqlError::unsupported("LIKE ANY / ESCAPE"));
        }
        Ok(Expr::Like {
            expr: self.boxed(expr)?,
            pattern: self.boxed(pattern)?,
            negated,
            case_insensitive,
        })
    }

    fn function(&self, function: &sp::Function) -> Result<Expr> {
        if function.over.is_some() {
            return Err(SqlError::unsupported("window functions (OVER)"));
        }
        if function.filter.is_some() || !function.within_group.is_empty() {
            return Err(SqlError::unsupported("FILTER / WITHIN GROUP"));
        }
        let name_part = function.name.0.last().and_then(|p| p.as_ident());
        let name = name_part
            .map(|i| self.name(i))
            .ok_or_else(|| SqlError::unsupported("function name"))?;
        let (args, distinct, star) = self.function_args(&function.args)?;
        if let Some(func) = AggFunc::from_name(&name.name) {
            let arg = match (star, args.as_slice()) {
                (true, []) if func == AggFunc::Count => None,
                (false, [arg]) => Some(Box::new(arg.clone())),
                _ => {
                    return Err(
                        SqlError::undefined_function(&format!("{}(...)", name.name)).at(name.pos.0)
                    )
                }
            };
            return Ok(Expr::Aggregate { func, arg, distinct, pos: name.pos });
        }
        if star || distinct {
            return Err(SqlError::new(
                "42809",
                format!("{} is not an aggregate function", name.name),
            )
            .at(name.pos.0));
        }
        Ok(Expr::Function { name: name.name, args, pos: name.pos })
    }

    /// Arguments, whether `DISTINCT` was given, whether the argument was `*`.
    fn function_args(&self, args: &sp::FunctionArguments) -> Result<(Vec<Expr>, bool, bool)> {
        let list = match args {
            sp::FunctionArguments::None => return Ok((Vec::new(), false, false)),
            sp::FunctionArguments::List(list) => list,
            sp::FunctionArguments::Subquery(_) => return Err(SqlError::unsupported("subqueries")),
        };
        if !list.clauses.is_empty() {
            return Err(SqlError::unsupported("ORDER BY/LIMIT inside a function call"));
        }
        let distinct = matches!(list.duplicate_treatment, Some(sp::DuplicateTreatment::Distinct));
        let mut exprs = Vec::new();
        let mut star = false;
        for arg in &list.args {
            match arg {
                sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Expr(e)) => exprs.push(self.expr(e)?),
                sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Wildcard) => star = true,
                _ => {
                    return Err(SqlError::unsupported(
                        "named or qualified-wildcard function arguments",
                    ))
                }
            }
        }
        Ok((exprs, distinct, star))
    }

    /// `INTERVAL '1 day'`, `INTERVAL '2' HOUR`, and the lesson's `INTERVAL 1 DAY`.
    fn interval(&self, interval: &sp::Interval) -> Result<Expr> {
        if interval.last_field.is_some() {
            return Err(SqlError::unsupported("INTERVAL ... TO ..."));
        }
        let text = match interval.value.as_ref() {
            sp::Expr::Value(v) => match &v.value {
                sp::Value::Number(n, _) => n.clone(),
                sp::Value::SingleQuotedString(s) => s.clone(),
                _ => return Err(SqlError::unsupported("this INTERVAL literal")),
            },
            sp::Expr::UnaryOp { op: sp::UnaryOperator::Minus, expr } => match expr.as_ref() {
                sp::Expr::Value(sp::ValueWithSpan { value: sp::Value::Number(n, _), .. }) => {
                    format!("-{n}")
                }
                _ => return Err(SqlError::unsupported("computed INTERVAL values")),
            },
            _ => {
                return Err(SqlError::unsupported(
                    "computed INTERVAL values (write expr * INTERVAL '1 day')",
                ))
            }
        };
        let value = match &interval.leading_field {
            Some(field) if Numeric::parse(&text).is_some() => {
                Interval::of_unit(&text, &field.to_string())?
            }
            _ => Interval::parse(&text)?,
        };
        Ok(Expr::Literal(Value::Interval(value)))
    }
}

/// A literal value: numbers become `Int` when they fit, else `Numeric`.
fn literal(value: &sp::Value) -> Result<Expr> {
    let value = match value {
        sp::Value::Number(digits, _) => number(digits)?,
        sp::Value::SingleQuotedString(s)
        | sp::Value::EscapedStringLiteral(s)
        | sp::Value::UnicodeStringLiteral(s)
        | sp::Value::NationalStringLiteral(s) => Value::Text(s.clone()),
        sp::Value::DollarQuotedString(s) => Value::Text(s.value.clone()),
        sp::Value::Boolean(b) => Value::Bool(*b),
        sp::Value::Null => Value::Null,
        sp::Value::Placeholder(p) => {
            return Err(SqlError::unsupported(format!("parameters ({p})")))
        }
        other => return Err(SqlError::unsupported(format!("literal {other}"))),
    };
    Ok(Expr::Literal(value))
}

fn number(digits: &str) -> Result<Value> {
    if let Ok(int) = digits.parse::<i64>() {
        return Ok(Value::Int(int));
    }
    Numeric::parse(digits).map(Value::Numeric).ok_or_else(SqlError::numeric_overflow)
}

/// Maps a declared type; the flag is true for `SERIAL`/`BIGSERIAL`.
fn data_type(data_type: &sp::DataType) -> Result<(DataType, bool)> {
    use sp::DataType as T;
    let plain = |t| Ok((t, false));
    match data_type {
        T::Int(_) | T::Integer(_) | T::Int4(_) | T::SmallInt(_) | T::Int2(_) => {
            plain(DataType::Integer)
        }
        T::BigInt(_) | T::Int8(_) => plain(DataType::BigInt),
        T::Numeric(info) | T::Decimal(info) | T::Dec(info) => {
            plain(DataType::Numeric(numeric_limits(info)?))
        }
        T::Text | T::String(None) => plain(DataType::Text),
        T::Varchar(len)
        | T::CharacterVarying(len)
        | T::CharVarying(len)
        | T::Char(len)
        | T::Character(len) => plain(DataType::Varchar(varchar_limit(len)?)),
        T::Bool | T::Boolean => plain(DataType::Boolean),
        T::Timestamp(_, _) | T::TimestampNtz(_) | T::Datetime(_) => plain(DataType::Timestamp),
        T::Interval { .. } => plain(DataType::Interval),
        T::Real | T::Float(_) | T::Double(_) | T::DoublePrecision | T::Float4 | T::Float8 => {
            Err(SqlError::unsupported("floating-point types (use NUMERIC for exact values)"))
        }
        T::Custom(name, modifiers) if modifiers.is_empty() => {
            custom_type(&name.to_string().to_lowercase())
        }
        other => Err(SqlError::new(
            "42704",
            format!("type \"{}\" does not exist", other.to_string().to_lowercase()),
        )),
    }
}

/// Types sqlparser leaves as names: `serial`, `bigserial`, `timestamptz`, ...
fn custom_type(name: &str) -> Result<(DataType, bool)> {
    match name {
        "serial" | "serial4" => Ok((DataType::Integer, true)),
        "bigserial" | "serial8" => Ok((DataType::BigInt, true)),
        "smallserial" | "serial2" => Ok((DataType::Integer, true)),
        "timestamptz" => Ok((DataType::Timestamp, false)),
        "int4" | "int2" => Ok((DataType::Integer, false)),
        "int8" => Ok((DataType::BigInt, false)),
        "bool" => Ok((DataType::Boolean, false)),
        other => Err(SqlError::new("42704", format!("type \"{other}\" does not exist"))),
    }
}

fn numeric_limits(info: &sp::ExactNumberInfo) -> Result<Option<(u32, u32)>> {
    let (precision, scale) = match info {
        sp::ExactNumberInfo::None => return Ok(None),
        sp::ExactNumberInfo::Precision(p) => (*p, 0),
        sp::ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
    };
    let max_precision = 38;
    if !(1..=max_precision).contains(&precision) {
        return Err(SqlError::new(
            "22023",
            format!("NUMERIC precision {precision} must be between 1 and {max_precision}"),
        ));
    }
    if scale < 0
        || scale > i64::try_from(precision).unwrap_or(0)
        || scale > i64::from(super::numeric::MAX_SCALE)
    {
        return Err(SqlError::new(
            "22023",
            format!("NUMERIC scale {scale} must be between 0 and precision {precision}"),
        ));
    }
    let precision = u32::try_from(precision).unwrap_or(1);
    let scale = u32::try_from(scale).unwrap_or(0);
    Ok(Some((precision, scale)))
}

fn varchar_limit(length: &Option<sp::CharacterLength>) -> Result<Option<u32>> {
    match length {
        None | Some(sp::CharacterLength::Max) => Ok(None),
        Some(sp::CharacterLength::IntegerLength { length, .. }) => match u32::try_from(*length) {
            Ok(n) if (1..=10_485_760).contains(&n) => Ok(Some(n)),
            _ => Err(SqlError::new(
                "22023",
                "length for type varchar must be between 1 and 10485760",
            )),
        },
    }
}
