//! The parser on its own: what it builds, and the errors it gives.

use super::*;

fn one(sql: &str) -> StatementKind {
    let mut parsed = parse(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert_eq!(parsed.len(), 1, "{sql}");
    parsed.remove(0).kind
}

fn error(sql: &str) -> SqlError {
    match parse(sql) {
        Ok(_) => panic!("{sql} should be refused"),
        Err(e) => e,
    }
}

#[test]
fn precedence_follows_postgresql() {
    let StatementKind::Select(select) = one("SELECT 1 + 2 * 3 || 'x' = 'a' AND NOT b OR c") else {
        panic!("a select")
    };
    let SelectItem::Expr { expr, .. } = &select.items[0] else { panic!("an expression") };
    let Expr::Binary { op: BinaryOp::Or, left, .. } = expr else {
        panic!("OR at the top: {expr:?}")
    };
    let Expr::Binary { op: BinaryOp::And, left: cmp, .. } = left.as_ref() else {
        panic!("then AND")
    };
    let Expr::Binary { op: BinaryOp::Eq, left: concat, .. } = cmp.as_ref() else {
        panic!("then =")
    };
    let Expr::Binary { op: BinaryOp::Concat, left: sum, .. } = concat.as_ref() else {
        panic!("then ||")
    };
    assert!(matches!(sum.as_ref(), Expr::Binary { op: BinaryOp::Add, .. }), "then +");
}

#[test]
fn statements_split_at_semicolons_with_their_own_text() {
    let parsed = parse("  BEGIN; INSERT INTO t VALUES (1) ;; COMMIT").expect("parses");
    let texts: Vec<&str> = parsed.iter().map(|p| &*p.text).collect();
    assert_eq!(texts, vec!["BEGIN", "INSERT INTO t VALUES (1)", "COMMIT"]);
}

#[test]
fn syntax_errors_point_where_postgresql_does() {
    let e = error("SELECT * FROM t WHERE id = 1 id = 2");
    assert_eq!((e.message.as_str(), e.position), ("syntax error at or near \"id\"", Some(30)));
    let e = error("SELECT (1 + 2");
    assert_eq!((e.message.as_str(), e.position), ("syntax error at end of input", Some(14)));
    let e = error("SELECT 1; SELECT * FRM t");
    assert_eq!((e.message.as_str(), e.position), ("syntax error at or near \"FRM\"", Some(20)));
    assert_eq!(error("SELECT * FORM t").message, "syntax error at or near \"FORM\"");
    assert_eq!(error("SELECT 1 = 2 = 3").message, "syntax error at or near \"=\"");
    assert_eq!(error("SELEC 1").message, "syntax error at or near \"SELEC\"");
}

#[test]
fn configuration_statements_parse_as_postgresql_spells_them() {
    let utility = |sql: &str| match one(sql) {
        StatementKind::Utility(u) => u,
        other => panic!("{sql}: {other:?}"),
    };
    let set = |name: &str, value: Option<&str>| Utility::Set {
        name: name.to_string(),
        value: value.map(str::to_string),
    };
    assert_eq!(utility("SET synchronous_commit = local"), set("synchronous_commit", Some("local")));
    assert_eq!(
        utility("set SESSION Synchronous_Commit TO 'on'"),
        set("synchronous_commit", Some("on"))
    );
    assert_eq!(utility("SET wal_sender_timeout = -1"), set("wal_sender_timeout", Some("-1")));
    assert_eq!(utility("SET search_path = a, \"B\""), set("search_path", Some("a, B")));
    assert_eq!(utility("SET application_name TO DEFAULT"), set("application_name", None));
    assert_eq!(utility("SET TIME ZONE 'UTC'"), set("timezone", Some("UTC")));
    assert_eq!(utility("SHOW ALL"), Utility::Show { name: "all".into() });
    assert_eq!(
        utility("SHOW TRANSACTION ISOLATION LEVEL"),
        Utility::Show { name: "transaction_isolation".into() }
    );
    assert_eq!(utility("RESET ALL"), Utility::Reset { name: "all".into() });
    assert_eq!(
        utility("ALTER SYSTEM SET wal_keep_size = '64MB'"),
        Utility::AlterSystem { name: "wal_keep_size".into(), value: Some("64MB".into()) }
    );
    assert_eq!(
        utility("ALTER SYSTEM RESET ALL"),
        Utility::AlterSystem { name: "all".into(), value: None }
    );
    assert_eq!(utility("CHECKPOINT"), Utility::Checkpoint);
    assert_eq!(error("SET synchronous_commit local").message, "syntax error at or near \"local\"");
    assert_eq!(error("SHOW").message, "syntax error at end of input");
    assert_eq!(error("SET x = SELECT").message, "syntax error at or near \"SELECT\"");
}

#[test]
fn valid_postgresql_we_do_not_run_is_never_a_syntax_error() {
    for (sql, what) in [
        ("ALTER TABLE t ADD COLUMN w INT", "ALTER TABLE"),
        ("SET LOCAL synchronous_commit = off", "SET LOCAL (use SET, which lasts for the session)"),
        ("SET ROLE bob", "SET ROLE"),
        ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET TRANSACTION"),
        ("ALTER ROLE bob SET work_mem = '1MB'", "ALTER ROLE"),
        ("CREATE OR REPLACE VIEW v AS SELECT 1", "CREATE OR REPLACE VIEW"),
        ("SELECT 1 UNION SELECT 2", "UNION"),
        ("SELECT x ^ 2 FROM t", "operator ^"),
        ("SELECT '{}'::jsonb", "type jsonb"),
        ("SELECT a FROM t ORDER BY a USING <", "ORDER BY ... USING"),
        ("SELECT overlay('abc' PLACING 'x' FROM 2)", "OVERLAY(... FROM ...)"),
    ] {
        let e = error(sql);
        assert_eq!(e.code, "0A000", "{sql}: {e}");
        assert_eq!(e.message, format!("not supported in the playground: {what}"), "{sql}");
    }
}

#[test]
fn nesting_is_bounded_explicitly_but_generously() {
    let deep = |n: usize| format!("SELECT {}1{}", "(".repeat(n), ")".repeat(n));
    assert!(parse(&deep(900)).is_ok());
    assert_eq!(error(&deep(5_000)).code, "54001");
    let chain = |n: usize| format!("SELECT {}1", "1+".repeat(n));
    assert!(parse(&chain(900)).is_ok());
    assert_eq!(error(&chain(100_000)).code, "54001");
    assert_eq!(error(&format!("SELECT {}1", "- ".repeat(5_000))).code, "54001");
}

/// sqlparser (PostgreSQL dialect) as a differential oracle: a statement our grammar builds is
/// one sqlparser accepts, and garbage both refuse.
mod differential {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    use super::*;

    fn sqlparser_accepts(sql: &str) -> bool {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        sqlparser::parser::Parser::new(&dialect)
            .with_recursion_limit(200)
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_statements())
            .is_ok()
    }

    fn ident() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "id",
                "user_id",
                "amount",
                "created_at",
                "v",
                "name",
                "note"
            ])
            .prop_map(String::from),
            "[a-z][a-z0-9_]{0,6}"
                .prop_filter("not reserved", |s| !is_reserved(s) && !is_clause_word(s)),
            "[A-Za-z ]{1,6}".prop_map(|s| format!("\"{s}\"")),
        ]
    }

    fn literal() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..1_000_000).prop_map(|n| n.to_string()),
            (0u32..1000, 0u32..100).prop_map(|(a, b)| format!("{a}.{b:02}")),
            "[a-z ']{0,8}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
            prop::sample::select(vec!["true", "false", "NULL", "now()", "CURRENT_TIMESTAMP"])
                .prop_map(String::from),
            prop::sample::select(vec![
                "INTERVAL '1 day'",
                "INTERVAL '2' HOUR",
                "TIMESTAMP '2026-01-05 09:00:00'"
            ])
            .prop_map(String::from),
        ]
    }

    fn expr() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            literal(),
            ident(),
            (ident(), ident()).prop_map(|(t, c)| format!("{t}.{c}"))
        ];
        leaf.prop_recursive(4, 40, 4, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec![
                        "+", "-", "*", "/", "%", "||", "=", "<>", "<", ">=", "AND", "OR"
                    ]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
                inner.clone().prop_map(|a| format!("({a})")),
                inner.clone().prop_map(|a| format!("NOT ({a})")),
                inner.clone().prop_map(|a| format!("-({a})")),
                inner.clone().prop_map(|a| format!("({a}) IS NOT NULL")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(a, b, c)| format!("({a}) BETWEEN ({b}) AND ({c})")),
                (inner.clone(), prop::collection::vec(inner.clone(), 1..4))
                    .prop_map(|(a, l)| format!("({a}) IN ({})", l.join(", "))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) LIKE ({b})")),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| format!("CASE WHEN {a} THEN {b} ELSE NULL END")),
                inner.clone().prop_map(|a| format!("CAST({a} AS NUMERIC(10,2))")),
                inner.clone().prop_map(|a| format!("({a})::text")),
                (
                    prop::sample::select(vec!["lower", "coalesce", "abs", "count", "sum", "max"]),
                    inner.clone()
                )
                    .prop_map(|(f, a)| format!("{f}({a})")),
            ]
        })
    }

    pub(super) fn statement_for_dump() -> impl Strategy<Value = String> {
        statement()
    }

    fn statement() -> impl Strategy<Value = String> {
        prop_oneof![
            (
                prop::collection::vec(expr(), 1..4),
                ident(),
                prop::option::of(expr()),
                prop::option::of(expr()),
                prop::option::of(0u32..100)
            )
                .prop_map(|(items, table, filter, order, limit)| {
                    let mut sql = format!("SELECT {} FROM {table}", items.join(", "));
                    if let Some(f) = filter {
                        sql += &format!(" WHERE {f}");
                    }
                    if let Some(o) = order {
                        sql += &format!(" ORDER BY {o} DESC NULLS LAST");
                    }
                    if let Some(l) = limit {
                        sql += &format!(" LIMIT {l} OFFSET 1");
                    }
                    sql
                }),
            (ident(), ident(), expr())
                .prop_map(|(a, b, on)| format!("SELECT * FROM {a} AS x LEFT JOIN {b} ON {on}")),
            (ident(), prop::collection::vec(ident(), 1..4), prop::collection::vec(literal(), 1..4))
                .prop_map(|(t, cols, vals)| format!(
                    "INSERT INTO {t} ({}) VALUES ({}) RETURNING *",
                    cols.join(", "),
                    vals.join(", ")
                )),
            (ident(), ident(), expr(), expr())
                .prop_map(|(t, c, v, w)| format!("UPDATE {t} SET {c} = {v} WHERE {w}")),
            (ident(), expr()).prop_map(|(t, w)| format!("DELETE FROM {t} WHERE {w}")),
            (
                ident(),
                ident(),
                prop::sample::select(vec![
                    "INT",
                    "BIGSERIAL",
                    "NUMERIC(10,2) NOT NULL",
                    "TEXT DEFAULT 'x'",
                    "VARCHAR(20) UNIQUE",
                    "TIMESTAMP DEFAULT NOW()",
                    "BOOLEAN"
                ])
            )
                .prop_map(|(t, c, ty)| format!(
                    "CREATE TABLE IF NOT EXISTS {t} ({c} {ty}, PRIMARY KEY ({c}))"
                )),
            (ident(), ident(), ident()).prop_map(|(i, t, c)| format!(
                "CREATE UNIQUE INDEX IF NOT EXISTS {i} ON {t} ({c})"
            )),
            (ident(), ident()).prop_map(|(t, c)| format!("CREATE INDEX ON {t} ({c} DESC)")),
            ident().prop_map(|t| format!("DROP TABLE IF EXISTS {t}")),
            prop::sample::select(vec!["BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "END"])
                .prop_map(String::from),
        ]
    }

    /// Garbage: a statement word, then clause words, punctuation, literals and names — not the
    /// keywords PostgreSQL 14+ also reads as bare column labels (`SELECT 1 VALUES` is valid
    /// there, and sqlparser refuses it).
    fn garbage() -> impl Strategy<Value = String> {
        let first = prop::sample::select(vec![
            "SELECT",
            "INSERT INTO",
            "UPDATE",
            "DELETE FROM",
            "CREATE TABLE",
        ]);
        let token = prop::sample::select(vec![
            "FROM", "WHERE", "INTO", "ON", "AS", "ORDER BY", "GROUP BY", "LIMIT", "(", ")", ",",
            "*", "+", "-", "=", "<", "'x'", "1", "2.5", "t", "a", "b", "count", "::", "int", ".",
        ]);
        (first, prop::collection::vec(token, 0..12))
            .prop_map(|(first, tokens)| format!("{first} {}", tokens.join(" ")))
    }

    proptest! {
        // A fixed seed: the two parsers differ, knowingly, on corners the generators avoid; a
        // new corner found by a random run should not make CI flaky (`PROPTEST_RNG_SEED=…`
        // explores others).
        #![proptest_config(Config {
            cases: crate::engine::fuzz_cases(3_000),
            failure_persistence: None,
            rng_seed: std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).map_or(RngSeed::Fixed(20_261_201), RngSeed::Fixed),
            ..Config::default()
        })]

        /// Every statement of our grammar parses with ours and with sqlparser.
        #[test]
        fn our_grammar_is_postgresql(sql in statement()) {
            prop_assert!(parse(&sql).is_ok(), "ours refused {sql}: {:?}", parse(&sql).err());
            prop_assert!(sqlparser_accepts(&sql), "sqlparser refused {sql}");
        }

        /// Garbage sqlparser refuses, ours refuses too: whatever ours accepts, sqlparser accepts.
        /// (The other way sqlparser is no oracle: it takes reserved words as names, `SELECT
        /// ON`, where PostgreSQL does not. Ours was checked against a PostgreSQL 15 server on
        /// 4 000 such inputs: every syntax error either finds, the other finds too, but for
        /// PostgreSQL 14's bare labels after some operators and statements the playground does
        /// not model, which it refuses as not supported.)
        #[test]
        fn garbage_is_refused_by_both(sql in garbage()) {
            if parse(&sql).is_ok() {
                prop_assert!(sqlparser_accepts(&sql), "ours accepted what sqlparser refused: {sql}");
            }
        }
    }
}

/// Not a check but a tool: writes 3 000 statements of the differential grammar to the file
/// `DUMP_SQL` names, one a line, to run through a real PostgreSQL (`psql -f`):
/// `DUMP_SQL=/tmp/grammar.sql cargo test -- --ignored dump_generated_statements`.
#[test]
#[ignore = "a tool: writes generated statements to $DUMP_SQL"]
fn dump_generated_statements() {
    use proptest::strategy::{Strategy, ValueTree};
    let path = std::env::var("DUMP_SQL").expect("DUMP_SQL names the file to write");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut out = String::new();
    for _ in 0..3000 {
        let sql = differential::statement_for_dump().new_tree(&mut runner).unwrap().current();
        out.push_str(&sql.replace('\n', " "));
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn keyword_lists_searched_by_halves_are_sorted_and_short() {
    for list in [RESERVED, NOT_BARE, TYPE_FUNC_NAME] {
        assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted: {list:?}");
        assert!(list.iter().all(|k| k.len() <= LONGEST_KEYWORD && *k == k.to_lowercase()));
    }
    assert!(is_reserved("SELECT") && is_reserved("Where") && !is_reserved("user_id"));
    assert!(is_type_func_name("JOIN") && !is_type_func_name("orders"));
    assert!(!is_bare_label("FROM") && is_bare_label("total"));
    assert!(!is_reserved(&"a".repeat(LONGEST_KEYWORD + 1)));
    // Every keyword passes the filter, in any case; near misses do not match.
    let passing = ["orders", "user_id", "amount", "created_at", "id", "name", "email", "total"]
        .iter()
        .filter(|name| RESERVED_KEYWORDS.may_contain(fold_hash(name.as_bytes())))
        .count();
    assert!(passing <= 1, "the filter rules most names out without a search");
    for word in RESERVED {
        assert!(is_reserved(word) && is_reserved(&word.to_uppercase()), "{word}");
        assert!(!is_reserved(&format!("{word}x")) && !is_reserved(&format!("_{word}")));
    }
    for word in TYPE_FUNC_NAME {
        assert!(is_type_func_name(&word.to_uppercase()), "{word}");
    }
    assert!(!is_reserved("") && !is_reserved("1select") && !is_reserved("sélect"));
}
