//! Tables for people: `pg_stat_replication`, the node list, settings (`SET`/`SHOW`).

use super::super::commit::{sync_states, SemiSync, StandbyNames};
use super::super::node::Role;
use super::super::sql::pad;
use super::super::{format_millis, parse_millis, Error, Millis};
use super::{Cluster, Settings};

/// Every setting `set`/`show` know, with what it means.
pub const SETTINGS: [(&str, &str); 12] = [
    ("synchronous_commit", "off | local | remote_write | on | remote_apply"),
    ("synchronous_standby_names", "'' | FIRST n (a, b) | ANY n (a, b) | a, b"),
    ("rpl_semi_sync_source_enabled", "on | off (MySQL semi-sync)"),
    (
        "Rpl_semi_sync_source_status",
        "ON while semi-sync is in effect, OFF after a timeout (read-only)",
    ),
    ("rpl_semi_sync_source_timeout", "duration before semi-sync falls back to async"),
    ("rpl_semi_sync_source_wait_for_replica_count", "replicas that must ack"),
    ("wal_keep_size", "WAL kept for lagging standbys, e.g. 16MB"),
    ("wal_writer_delay", "how often WAL is flushed under synchronous_commit = off"),
    ("wal_sender_timeout", "a silent standby is disconnected after this"),
    ("wal_retrieve_retry_interval", "how often a disconnected standby retries"),
    ("log_min_duration_statement", "slow-query log threshold (-1 = off)"),
    ("restart_time", "how long crash recovery takes"),
];

/// A setting's name as [`SETTINGS`] spells it, if it is one.
pub fn setting_name(name: &str) -> Option<&'static str> {
    SETTINGS.iter().map(|(known, _)| *known).find(|known| *known == name)
}

/// Applies `name = value`; returns the value as it now reads.
pub(super) fn apply_setting(
    settings: &mut Settings,
    name: &str,
    value: &str,
) -> Result<String, Error> {
    let value = value.trim().trim_matches('\'');
    match name {
        "synchronous_commit" => settings.synchronous_commit = value.parse()?,
        "synchronous_standby_names" => {
            settings.synchronous_standby_names = StandbyNames::parse(value)?
        }
        "rpl_semi_sync_source_enabled" => {
            let enabled = parse_bool(name, value)?;
            settings.semi_sync = SemiSync { enabled, active: true, ..settings.semi_sync.clone() };
        }
        "rpl_semi_sync_source_timeout" => {
            settings.semi_sync.timeout_ms = parse_duration(name, value)?
        }
        "rpl_semi_sync_source_wait_for_replica_count" => {
            settings.semi_sync.wait_count = value
                .parse()
                .ok()
                .filter(|n| (1..=8).contains(n))
                .ok_or_else(|| invalid(name, value))?
        }
        "wal_keep_size" => {
            settings.wal_keep_size_bytes = parse_bytes(value).ok_or_else(|| invalid(name, value))?
        }
        "wal_writer_delay" => settings.wal_writer_delay_ms = parse_duration(name, value)?.max(1),
        "wal_sender_timeout" => {
            settings.wal_sender_timeout_ms = parse_duration(name, value)?.max(1)
        }
        "wal_retrieve_retry_interval" => {
            settings.wal_retrieve_retry_interval_ms = parse_duration(name, value)?.max(1)
        }
        "log_min_duration_statement" => {
            settings.log_min_duration_statement_ms =
                if value == "-1" { None } else { Some(parse_duration(name, value)?) }
        }
        "restart_time" => settings.restart_ms = parse_duration(name, value)?,
        "Rpl_semi_sync_source_status" => {
            return Err(Error::invalid(format!(
                "\"{name}\" is a status variable: it cannot be set"
            )))
        }
        _ => {
            return Err(Error::invalid(format!("unrecognized configuration parameter \"{name}\"")))
        }
    }
    show_setting(settings, name)
}

/// The current value of a setting, as `SHOW` prints it.
pub fn show_setting(settings: &Settings, name: &str) -> Result<String, Error> {
    let on_off = |b: bool| if b { "on" } else { "off" }.to_string();
    Ok(match name {
        "synchronous_commit" => settings.synchronous_commit.to_string(),
        "synchronous_standby_names" => settings.synchronous_standby_names.to_string(),
        "rpl_semi_sync_source_enabled" => on_off(settings.semi_sync.enabled),
        "Rpl_semi_sync_source_status" => {
            on_off(settings.semi_sync.enabled && settings.semi_sync.active).to_ascii_uppercase()
        }
        "rpl_semi_sync_source_timeout" => format_millis(settings.semi_sync.timeout_ms),
        "rpl_semi_sync_source_wait_for_replica_count" => settings.semi_sync.wait_count.to_string(),
        "wal_keep_size" => format_bytes(settings.wal_keep_size_bytes),
        "wal_writer_delay" => format_millis(settings.wal_writer_delay_ms),
        "wal_sender_timeout" => format_millis(settings.wal_sender_timeout_ms),
        "wal_retrieve_retry_interval" => format_millis(settings.wal_retrieve_retry_interval_ms),
        "log_min_duration_statement" => {
            settings.log_min_duration_statement_ms.map_or("-1".to_string(), format_millis)
        }
        "restart_time" => format_millis(settings.restart_ms),
        _ => {
            return Err(Error::invalid(format!("unrecognized configuration parameter \"{name}\"")))
        }
    })
}

fn invalid(name: &str, value: &str) -> Error {
    Error::invalid(format!("invalid value for parameter \"{name}\": \"{value}\""))
}

fn parse_bool(name: &str, value: &str) -> Result<bool, Error> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(invalid(name, value)),
    }
}

fn parse_duration(name: &str, value: &str) -> Result<Millis, Error> {
    parse_millis(value).ok_or_else(|| invalid(name, value))
}

pub use super::super::command::parse::{format_bytes, parse_bytes};

impl Cluster {
    /// `SHOW name`.
    pub fn show(&self, name: &str) -> Result<String, Error> {
        show_setting(&self.settings, name)
    }

    /// A `pg_stat_replication`-like table: one row per connected standby, as the primary sees it.
    pub fn render_status(&self) -> String {
        let header = [
            "application_name",
            "state",
            "sent_lsn",
            "write_lsn",
            "flush_lsn",
            "replay_lsn",
            "write_lag",
            "flush_lag",
            "replay_lag",
            "lag_bytes",
            "sync_priority",
            "sync_state",
        ];
        let names = &self.settings.synchronous_standby_names;
        let acks = self.standby_acks();
        let states = sync_states(names, &acks);
        let lag = |ms: Option<Millis>| ms.map(format_millis).unwrap_or_default();
        let rows: Vec<Vec<String>> = self
            .walsenders
            .iter()
            .zip(states)
            .map(|((id, w), sync_state)| {
                vec![
                    id.name().into_owned(),
                    if w.streaming { "streaming" } else { "catchup" }.to_string(),
                    w.sent_lsn.to_string(),
                    w.write_lsn.to_string(),
                    w.flush_lsn.to_string(),
                    w.replay_lsn.to_string(),
                    lag(w.write_lag_ms),
                    lag(w.flush_lag_ms),
                    lag(w.replay_lag_ms),
                    w.sent_lsn.bytes_since(w.replay_lsn).to_string(),
                    names.priority(&id.name()).to_string(),
                    sync_state.as_str().to_string(),
                ]
            })
            .collect();
        let mut out = render_table(&header, &rows);
        out.push_str(&format!("\n({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" }));
        out
    }

    /// Every node: role, state, positions, lag, load, tables.
    pub fn render_nodes(&self) -> String {
        let header = [
            "node",
            "role",
            "state",
            "receiver",
            "flush_lsn",
            "replay_lsn",
            "lag_bytes",
            "lag",
            "cpu",
            "tables",
        ];
        let rows: Vec<Vec<String>> = self
            .members()
            .map(|n| {
                let tables: Vec<String> =
                    n.db.table_names()
                        .into_iter()
                        .map(|t| format!("{t}({})", n.db.row_count(&t).unwrap_or(0)))
                        .collect();
                let cpu = self.metrics.node_ref(n.id).and_then(|m| m.cpu.last()).unwrap_or(0.0);
                vec![
                    n.name(),
                    n.role.as_str().to_string(),
                    n.state.as_str().to_string(),
                    if n.role == Role::Replica { n.receiver.as_str() } else { "-" }.to_string(),
                    n.flush_lsn().to_string(),
                    n.replay_lsn.to_string(),
                    self.replay_lag_bytes(n.id).to_string(),
                    format_millis(self.replay_lag_ms(n.id)),
                    format!("{:.0}%", cpu * 100.0),
                    tables.join(" "),
                ]
            })
            .collect();
        let mut table = render_table(&header, &rows);
        if let Some(report) = self.split_brain_report() {
            table.push('\n');
            table.push_str(&report);
        }
        table
    }

    /// The slow-query log as a table.
    pub fn render_slow_log(&self) -> String {
        let header = ["at", "node", "session", "duration", "statement", "plan"];
        let rows: Vec<Vec<String>> = self
            .metrics
            .slow_queries()
            .map(|q| {
                vec![
                    format_millis(q.at_ms),
                    q.node.name().into_owned(),
                    q.session.clone(),
                    format_millis(q.duration_ms),
                    q.sql.clone(),
                    q.cost.clone(),
                ]
            })
            .collect();
        render_table(&header, &rows)
    }
}

/// Renders rows under a header as a psql-style aligned table.
pub fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> =
            cells.iter().zip(&widths).map(|(c, w)| format!(" {} ", pad(c, *w, false))).collect();
        padded.join("|").trim_end().to_string()
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut out = line(&header);
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
    out.push_str(&rule.join("+"));
    for row in rows {
        out.push('\n');
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip() {
        let mut s = Settings::default();
        assert_eq!(
            apply_setting(&mut s, "synchronous_commit", "remote_apply").unwrap(),
            "remote_apply"
        );
        assert_eq!(
            apply_setting(&mut s, "synchronous_standby_names", "'ANY 1 (pg2, pg3)'").unwrap(),
            "ANY 1 (pg2, pg3)"
        );
        assert_eq!(apply_setting(&mut s, "log_min_duration_statement", "-1").unwrap(), "-1");
        assert!(apply_setting(&mut s, "fsync", "off").is_err());
        assert!(apply_setting(&mut s, "wal_keep_size", "big").is_err());
    }
}
