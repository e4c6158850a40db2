//! `SET`, `SHOW`, `RESET`, `ALTER SYSTEM` and `CHECKPOINT`: PostgreSQL's grammar for them
//! (`VariableSetStmt`, `VariableShowStmt`, `AlterSystemStmt` in `gram.y`), and its special
//! spellings (`SET TIME ZONE`, `SHOW TRANSACTION ISOLATION LEVEL`, `SET NAMES`).

use super::super::ast::{StatementKind, Utility};
use super::super::lexer::Kind;
use super::{is_reserved, Parser, Result};

impl Parser<'_> {
    /// `SET [SESSION | LOCAL] …`.
    pub(super) fn set(&mut self) -> Result<StatementKind> {
        self.expect_keyword("set")?;
        if self.at_keyword("local") {
            return Err(self
                .unsupported_at("SET LOCAL (use SET, which lasts for the session)", self.peek()));
        }
        let _ = self.eat_keyword("session") && !self.at_keyword("authorization");
        for (words, what) in [
            (&["transaction"][..], "SET TRANSACTION"),
            (&["session", "authorization"], "SET SESSION AUTHORIZATION"),
            (&["session", "characteristics"], "SET SESSION CHARACTERISTICS"),
            (&["authorization"], "SET SESSION AUTHORIZATION"),
            (&["characteristics"], "SET SESSION CHARACTERISTICS"),
            (&["role"], "SET ROLE"),
            (&["constraints"], "SET CONSTRAINTS"),
        ] {
            if words
                .iter()
                .enumerate()
                .all(|(i, w)| self.peek_at(i).is_some_and(|t| t.is_keyword(w)))
            {
                return Err(self.unsupported_at(what, self.peek()));
            }
        }
        let name = if self.eat_keywords(&["time", "zone"]) {
            let value = if self.eat_keyword("local") || self.eat_keyword("default") {
                None
            } else {
                Some(self.setting_value()?)
            };
            return Ok(StatementKind::Utility(Utility::Set { name: "timezone".into(), value }));
        } else if self.eat_keyword("names") {
            "client_encoding".to_string()
        } else if self.eat_keyword("schema") {
            "search_path".to_string()
        } else {
            let name = self.setting_name()?;
            self.expect_to_or_equals()?;
            name
        };
        let value = self.assigned_value()?;
        Ok(StatementKind::Utility(Utility::Set { name, value }))
    }

    /// `SHOW name | ALL | TIME ZONE | TRANSACTION ISOLATION LEVEL`.
    pub(super) fn show(&mut self) -> Result<StatementKind> {
        self.expect_keyword("show")?;
        let name = if self.eat_keyword("all") {
            "all".to_string()
        } else if self.eat_keywords(&["time", "zone"]) {
            "timezone".to_string()
        } else if self.eat_keywords(&["transaction", "isolation", "level"]) {
            "transaction_isolation".to_string()
        } else if self.eat_keywords(&["session", "authorization"]) {
            "session_authorization".to_string()
        } else {
            self.setting_name()?
        };
        Ok(StatementKind::Utility(Utility::Show { name }))
    }

    /// `RESET name | ALL | TIME ZONE`.
    pub(super) fn reset(&mut self) -> Result<StatementKind> {
        self.expect_keyword("reset")?;
        let name = self.reset_target()?;
        Ok(StatementKind::Utility(Utility::Reset { name }))
    }

    /// `ALTER SYSTEM SET name {TO | =} value | DEFAULT`, `ALTER SYSTEM RESET name | ALL`.
    pub(super) fn alter_system(&mut self) -> Result<StatementKind> {
        self.expect_keyword("alter")?;
        self.expect_keyword("system")?;
        if self.eat_keyword("reset") {
            let name = self.reset_target()?;
            return Ok(StatementKind::Utility(Utility::AlterSystem { name, value: None }));
        }
        self.expect_keyword("set")?;
        let name = self.setting_name()?;
        self.expect_to_or_equals()?;
        let value = self.assigned_value()?;
        Ok(StatementKind::Utility(Utility::AlterSystem { name, value }))
    }

    fn expect_to_or_equals(&mut self) -> Result<()> {
        if self.eat_keyword("to") || self.eat_op("=") {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// What follows `TO` / `=`: `DEFAULT` (None), or one or more values, joined as
    /// PostgreSQL joins a list setting (`a, b`).
    fn assigned_value(&mut self) -> Result<Option<String>> {
        if self.eat_keyword("default") {
            return Ok(None);
        }
        let mut values = vec![self.setting_value()?];
        while self.eat_op(",") {
            values.push(self.setting_value()?);
        }
        Ok(Some(values.join(", ")))
    }

    /// `CHECKPOINT`.
    pub(super) fn checkpoint(&mut self) -> Result<StatementKind> {
        self.expect_keyword("checkpoint")?;
        Ok(StatementKind::Utility(Utility::Checkpoint))
    }

    fn reset_target(&mut self) -> Result<String> {
        if self.eat_keyword("all") {
            Ok("all".to_string())
        } else if self.eat_keywords(&["time", "zone"]) {
            Ok("timezone".to_string())
        } else if self.eat_keywords(&["transaction", "isolation", "level"]) {
            Ok("transaction_isolation".to_string())
        } else {
            self.setting_name()
        }
    }

    /// A configuration parameter's name: a word or quoted name, possibly `prefix.name`.
    /// Names are case-insensitive: they fold to lower case.
    fn setting_name(&mut self) -> Result<String> {
        let mut name = self.setting_word()?;
        while self.eat_op(".") {
            name.push('.');
            name.push_str(&self.setting_word()?);
        }
        Ok(name)
    }

    fn setting_word(&mut self) -> Result<String> {
        let token = self.peek().ok_or_else(|| self.unexpected())?;
        let word = match token.kind {
            Kind::Quoted => token.text.to_ascii_lowercase(),
            Kind::Word if !is_reserved(&token.text) => token.text.to_ascii_lowercase(),
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok(word)
    }

    /// One value: a string, a (signed) number, `ON`/`TRUE`/`FALSE` or another word.
    fn setting_value(&mut self) -> Result<String> {
        let sign = if self.eat_op("-") {
            "-"
        } else {
            let _ = self.eat_op("+");
            ""
        };
        let token = self.peek().ok_or_else(|| self.unexpected())?;
        let value = match token.kind {
            Kind::Number => format!("{sign}{}", token.text),
            _ if !sign.is_empty() => return Err(self.unexpected()),
            Kind::String => token.text.to_string(),
            Kind::Word
                if ["on", "true", "false"].iter().any(|w| token.is_keyword(w))
                    || !is_reserved(&token.text) =>
            {
                token.text.to_ascii_lowercase()
            }
            Kind::Quoted => token.text.to_string(),
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok(value)
    }
}
