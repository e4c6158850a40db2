//! Every user-visible parsing rule, in one place: durations, sizes, shares, switches, node
//! names and per-node lists. The scenario language, the page's input boxes and `SET` values
//! all read text through these functions, and [`super::Command`]'s `Display` prints what they
//! read back.

use std::fmt::Write as _;

use super::super::{Error, Millis, NodeId};

/// Parses a duration as users write it: `500ms`, `2s`, `1.5s`, `3m`, `1min`, or a bare number of
/// milliseconds. Negative, non-finite and absurdly long values are refused.
pub fn parse_millis(text: &str) -> Option<Millis> {
    let text = text.trim();
    let (number, unit_ms) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("min") {
        (n, 60_000.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (text, 1.0)
    };
    let number = number.trim();
    if number.starts_with(['+', '-']) || number.contains(['e', 'E']) {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let ms = value * unit_ms;
    (value.is_finite() && (0.0..=MAX_DURATION_MS as f64).contains(&ms))
        .then(|| ms.round() as Millis)
}

/// The longest duration anything accepts: 100 years of simulated time.
pub const MAX_DURATION_MS: Millis = 100 * 365 * 24 * 3_600_000;

/// A duration as [`parse_millis`] reads it back exactly: `2s`, `1.5s`, `250ms`, `3m`.
pub fn print_millis(ms: Millis) -> String {
    if ms > 0 && ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1_000) {
        format!("{}s", ms / 1_000)
    } else if ms > 1_000 && ms.is_multiple_of(100) {
        format!("{}.{}s", ms / 1_000, (ms % 1_000) / 100)
    } else {
        format!("{ms}ms")
    }
}

/// A duration option: `key=500ms`.
pub fn duration(key: &str, value: &str) -> Result<Millis, Error> {
    parse_millis(value).ok_or_else(|| {
        Error::invalid(format!(
            "{key}: expected a duration such as 500ms, 2s or 1m, got \"{value}\""
        ))
    })
}

/// Parses `16MB`, `512kB`, `1GB` or plain bytes (PostgreSQL's units; `B` is optional).
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let multiplier = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1 << 10,
        "mb" => 1 << 20,
        "gb" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(multiplier)
}

/// Formats bytes the way PostgreSQL shows sizes: `16MB`, `512kB`, `100B`.
pub fn format_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{}GB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{}MB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{}kB", b >> 10),
        b => format!("{b}B"),
    }
}

/// A size option: `key=64kB`.
pub fn size(key: &str, value: &str) -> Result<u64, Error> {
    parse_bytes(value).ok_or_else(|| {
        Error::invalid(format!("{key}: expected a size such as 1MB, 64kB or 4096, got \"{value}\""))
    })
}

/// A whole number from `min` to `max`.
pub fn number(key: &str, value: &str, min: u64, max: u64) -> Result<u64, Error> {
    value.parse::<u64>().ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
        Error::invalid(format!(
            "{key}: expected a whole number from {min} to {max}, got \"{value}\""
        ))
    })
}

/// A share from 0 to 1 (`read_ratio=0.85`).
pub fn share(key: &str, value: &str) -> Result<f64, Error> {
    value.parse::<f64>().ok().filter(|p| (0.0..=1.0).contains(p)).ok_or_else(|| {
        Error::invalid(format!("{key}: expected a share from 0 to 1, got \"{value}\""))
    })
}

/// A share as the page's fields take it: a percentage (`85%`) or a fraction (`0.85`).
pub fn percent_or_fraction(value: &str) -> Option<f64> {
    let value = value.trim();
    let share = match value.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().ok()? / 100.0,
        None => value.parse::<f64>().ok()?,
    };
    share.is_finite().then_some(share)
}

/// A packet-loss probability from 0 to 0.9.
pub fn probability(key: &str, value: &str) -> Result<f64, Error> {
    value.parse::<f64>().ok().filter(|p| (0.0..=0.9).contains(p)).ok_or_else(|| {
        Error::invalid(format!("{key}: expected a probability from 0 to 0.9, got \"{value}\""))
    })
}

/// `on` or `off`.
pub fn switch(key: &str, value: &str) -> Result<bool, Error> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(Error::invalid(format!("{key}: expected on or off, got \"{value}\""))),
    }
}

/// `on` / `off` as [`switch`] reads it.
pub fn print_switch(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// A node by its name: `pg1`, `pg2`, … (the number is the node's id plus one).
pub fn node_name(name: &str) -> Result<NodeId, Error> {
    name.strip_prefix("pg")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0'))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=1_000).contains(n))
        .map(|n| NodeId(n - 1))
        .ok_or_else(|| Error::UnknownNode { name: name.to_string() })
}

/// A per-node list like `pg2:3, pg3:1` (router weights, failover priorities): each node once,
/// each number from 0 to `max`. Empty text, or `none`, is an empty list.
pub fn node_numbers(what: &str, text: &str, max: u32) -> Result<Vec<(NodeId, u32)>, Error> {
    let mut numbers: Vec<(NodeId, u32)> = Vec::new();
    if text.trim() == "none" {
        return Ok(numbers);
    }
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let invalid = || {
            Error::invalid(format!(
                "{what}: expected NODE:N (N from 0 to {max}) like pg2:3, got \"{pair}\""
            ))
        };
        let (name, number) = pair.split_once(':').ok_or_else(invalid)?;
        let number = number.trim().parse::<u32>().ok().filter(|n| *n <= max);
        let node = node_name(name.trim())?;
        if numbers.iter().any(|(id, _)| *id == node) {
            return Err(Error::invalid(format!("{what}: {node} is listed twice")));
        }
        numbers.push((node, number.ok_or_else(invalid)?));
    }
    Ok(numbers)
}

/// Prints a per-node list as [`node_numbers`] reads it: `pg2:3,pg3:1` (or `none`).
pub fn print_node_numbers(numbers: &[(NodeId, u32)]) -> String {
    if numbers.is_empty() {
        return "none".to_string();
    }
    let mut out = String::new();
    for (i, (id, n)) in numbers.iter().enumerate() {
        let _ = write!(out, "{}{id}:{n}", if i > 0 { "," } else { "" });
    }
    out
}

/// A client session's name: letters, digits, `-`, `_` and `.`.
pub fn session_name(name: &str) -> Result<String, Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(name.to_string())
    } else {
        Err(Error::invalid(format!(
            "session names use letters, digits, -, _ and . (at most 64), got \"{name}\""
        )))
    }
}

/// Drops a `#` comment, except inside single quotes (SQL strings).
pub fn strip_comment(line: &str) -> &str {
    let mut in_quote = false;
    for (i, c) in line.char_indices() {
        match c {
            '\'' => in_quote = !in_quote,
            '#' if !in_quote => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Text as a double-quoted string with `\\`, `\"`, `\n`, `\r`, `\t` and `\u{…}` escapes.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Reads a string [`quote`] wrote at the start of `text`; returns it and what follows.
pub fn unquote(text: &str) -> Result<(String, &str), Error> {
    let bad = |why: &str| Error::invalid(format!("quoted text: {why}"));
    let mut chars = text.char_indices();
    if chars.next().map(|(_, c)| c) != Some('"') {
        return Err(bad("expected a double quote"));
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &text[i + 1..])),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let rest = &text[i + 2..];
                    let close = rest
                        .strip_prefix('{')
                        .and_then(|r| r.find('}'))
                        .ok_or_else(|| bad("\\u needs {hex}"))?;
                    let hex = &rest[1..=close];
                    let c = u32::from_str_radix(hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| bad("\\u{…} is not a character"))?;
                    out.push(c);
                    for _ in 0..hex.chars().count() + 2 {
                        chars.next();
                    }
                }
                _ => return Err(bad("unknown escape (use \\\\, \\\", \\n, \\r, \\t, \\u{…})")),
            },
            c => out.push(c),
        }
    }
    Err(bad("no closing double quote"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_shares_read_as_percentages_or_fractions() {
        assert_eq!(percent_or_fraction("85%"), Some(0.85));
        assert_eq!(percent_or_fraction(" 0.1 "), Some(0.1));
        assert_eq!(percent_or_fraction("10 %"), Some(0.1));
        for bad in ["", "%", "lots", "inf", "NaN%"] {
            assert_eq!(percent_or_fraction(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_read_as_users_write_them_and_print_back_exactly() {
        assert_eq!(parse_millis("500ms"), Some(500));
        assert_eq!(parse_millis("1.5s"), Some(1_500));
        assert_eq!(parse_millis("2m"), Some(120_000));
        assert_eq!(parse_millis("1min"), Some(60_000));
        assert_eq!(parse_millis("750"), Some(750));
        for bad in ["-1s", "fast", "1e9s", "+2s", "NaNs", "inf"] {
            assert_eq!(parse_millis(bad), None, "{bad}");
        }
        for ms in [0, 1, 250, 1_000, 1_500, 1_234, 60_000, 61_500, 125_000, MAX_DURATION_MS] {
            assert_eq!(parse_millis(&print_millis(ms)), Some(ms), "{ms}");
        }
        assert_eq!(print_millis(1_500), "1.5s");
        assert_eq!(print_millis(120_000), "2m");
    }

    #[test]
    fn sizes_parse_and_print_like_postgresql() {
        assert_eq!(parse_bytes("16MB"), Some(16 << 20));
        assert_eq!(parse_bytes("512kB"), Some(512 << 10));
        assert_eq!(parse_bytes("100"), Some(100));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(format_bytes(16 << 20), "16MB");
        assert_eq!(format_bytes(1500), "1500B");
        assert_eq!(parse_bytes(&format_bytes(1500)), Some(1500));
    }

    #[test]
    fn node_lists_name_each_node_once() {
        let list = node_numbers("weights", "pg2:3, pg3:1", 1_000).expect("valid");
        assert_eq!(list, vec![(NodeId(1), 3), (NodeId(2), 1)]);
        assert_eq!(print_node_numbers(&list), "pg2:3,pg3:1");
        assert!(node_numbers("weights", "pg2:3,pg2:1", 10).is_err());
        assert!(node_numbers("weights", "pg2", 10).is_err());
        assert!(node_numbers("weights", "pg2:11", 10).is_err());
        assert_eq!(
            node_name("pg02").map_err(|e| e.to_string()),
            Err("no node named \"pg02\"".into())
        );
    }

    #[test]
    fn quoted_text_round_trips() {
        for text in ["", "a\nb", "say \"hi\"", "back\\slash", "tab\there", "bell\u{7}", "é # x"] {
            let quoted = quote(text);
            let (back, rest) = unquote(&quoted).expect("quoted by quote()");
            assert_eq!((back.as_str(), rest), (text, ""), "{quoted}");
        }
        assert!(unquote("\"open").is_err());
        assert!(unquote("\"\\q\"").is_err());
        assert_eq!(
            unquote("\"a\" # c").map(|(t, r)| (t, r.to_string())).ok(),
            Some(("a".into(), " # c".into()))
        );
    }

    #[test]
    fn comments_outside_quotes_are_dropped() {
        assert_eq!(strip_comment("advance 1s # wait"), "advance 1s ");
        assert_eq!(strip_comment("sql: SELECT '#1' # c"), "sql: SELECT '#1' ");
    }
}
