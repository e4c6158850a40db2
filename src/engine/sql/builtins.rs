//! Everyday built-ins learners reach for: `replace`, `repeat`, `substring`, `strpos` (and
//! `position(sub IN s)`), `trim` (and
//! `btrim`/`ltrim`/`rtrim`), `extract` (`date_part`), `to_char` for timestamps, and the
//! session-user functions. The parser turns PostgreSQL's special forms (`substring(s FROM 2
//! FOR 3)`, `trim(LEADING 'x' FROM s)`, `extract(year FROM t)`) into plain calls of these.

use super::error::SqlError;
use super::numeric::Numeric;
use super::time::{civil_from_days, Timestamp};
use super::value::Value;
use super::Env;

type Result<T> = std::result::Result<T, SqlError>;

use super::functions::text_arg as text;

fn int(value: &Value, function: &str) -> Result<i64> {
    match value {
        Value::Int(n) => Ok(*n),
        other => {
            Err(SqlError::undefined_function(&format!("{function}(text, {})", other.type_name())))
        }
    }
}

/// The longest result a text function builds (PostgreSQL's limit is 1 GB; a browser's is less).
const MAX_TEXT_BYTES: usize = 10 * 1024 * 1024;

fn checked(result: String) -> Result<Value> {
    if result.len() > MAX_TEXT_BYTES {
        return Err(SqlError::new("54000", "requested length too large"));
    }
    Ok(Value::text(result))
}

pub fn replace(args: &[Value], _: &Env) -> Result<Value> {
    let (s, from, to) = (text(&args[0]), text(&args[1]), text(&args[2]));
    if from.is_empty() {
        return Ok(Value::text(s));
    }
    let grows = to.len().saturating_sub(from.len()) * s.matches(&from).count();
    if s.len() + grows > MAX_TEXT_BYTES {
        return Err(SqlError::new("54000", "requested length too large"));
    }
    checked(s.replace(&from, &to))
}

pub fn repeat(args: &[Value], _: &Env) -> Result<Value> {
    let s = text(&args[0]);
    let n = usize::try_from(int(&args[1], "repeat")?).unwrap_or(0);
    if s.len().saturating_mul(n) > MAX_TEXT_BYTES {
        return Err(SqlError::new("54000", "requested length too large"));
    }
    Ok(Value::text(s.repeat(n)))
}

/// `substring(s, start [, count])`: characters from `start` (1-based; may be before 1).
pub fn substring(args: &[Value], _: &Env) -> Result<Value> {
    let s = text(&args[0]);
    let start = int(&args[1], "substring")?;
    let end = match args.get(2) {
        Some(count) => {
            let count = int(count, "substring")?;
            if count < 0 {
                return Err(SqlError::new("22011", "negative substring length not allowed"));
            }
            start.saturating_add(count)
        }
        None => i64::MAX,
    };
    let (from, to) = (start.max(1), end);
    let taken: String = s
        .chars()
        .enumerate()
        .filter(|(i, _)| {
            let position = *i as i64 + 1;
            position >= from && position < to
        })
        .map(|(_, c)| c)
        .collect();
    Ok(Value::text(taken))
}

fn trim_with(args: &[Value], leading: bool, trailing: bool) -> Value {
    let s = text(&args[0]);
    let set: Vec<char> = args.get(1).map_or(vec![' '], |c| text(c).chars().collect());
    let mut out = s.as_str();
    if leading {
        out = out.trim_start_matches(|c| set.contains(&c));
    }
    if trailing {
        out = out.trim_end_matches(|c| set.contains(&c));
    }
    Value::text(out)
}

/// `strpos(s, sub)` and `position(sub IN s)`: where `sub` first starts in `s`, counting
/// characters from 1; 0 if it does not occur, 1 for an empty `sub`.
pub fn strpos(args: &[Value], _: &Env) -> Result<Value> {
    let (s, sub) = (text(&args[0]), text(&args[1]));
    let at = s.find(&sub).map_or(0, |byte| s[..byte].chars().count() + 1);
    Ok(Value::Int(at as i64))
}

pub fn btrim(args: &[Value], _: &Env) -> Result<Value> {
    Ok(trim_with(args, true, true))
}

pub fn ltrim(args: &[Value], _: &Env) -> Result<Value> {
    Ok(trim_with(args, true, false))
}

pub fn rtrim(args: &[Value], _: &Env) -> Result<Value> {
    Ok(trim_with(args, false, true))
}

pub fn current_user(_: &[Value], _: &Env) -> Result<Value> {
    Ok(Value::text("postgres"))
}

/// A timestamp's calendar fields: (year, month, day, hour, minute, second, millisecond).
fn fields(at: Timestamp) -> (i64, i64, i64, i64, i64, i64, i64) {
    const DAY_MS: i64 = 86_400_000;
    let (year, month, day) = civil_from_days(at.0.div_euclid(DAY_MS));
    let ms = at.0.rem_euclid(DAY_MS);
    (year, month, day, ms / 3_600_000, ms / 60_000 % 60, ms / 1_000 % 60, ms % 1_000)
}

/// Day of the week, Sunday = 0.
fn weekday(at: Timestamp) -> i64 {
    // 1970-01-01 was a Thursday.
    (at.0.div_euclid(86_400_000) + 4).rem_euclid(7)
}

fn day_of_year(at: Timestamp) -> i64 {
    let (year, ..) = fields(at);
    let first = super::time::days_from_civil(year, 1, 1);
    at.0.div_euclid(86_400_000) - first + 1
}

fn decimal(text: &str) -> Value {
    Numeric::parse(text).map_or(Value::Null, Value::Numeric)
}

/// `extract(field FROM timestamp)` / `date_part(field, timestamp)`: a numeric, as PostgreSQL 14+.
pub fn extract(args: &[Value], _: &Env) -> Result<Value> {
    let field = text(&args[0]).to_ascii_lowercase();
    let (Value::Timestamp(at) | Value::Date(at)) = &args[1] else {
        if let Value::Interval(interval) = &args[1] {
            if field == "epoch" {
                let days = interval.months.saturating_mul(30).saturating_add(interval.days);
                let seconds = days.saturating_mul(86_400_000).saturating_add(interval.millis);
                return Ok(decimal(&format!(
                    "{}.{:03}000",
                    seconds / 1_000,
                    (seconds % 1_000).abs()
                )));
            }
            return Err(SqlError::unsupported(format!("extract({field} FROM interval)")));
        }
        return Err(SqlError::undefined_function(&format!(
            "extract(unknown, {})",
            args[1].type_name()
        )));
    };
    let (year, month, day, hour, minute, second, ms) = fields(*at);
    let value = match field.as_str() {
        "year" => year,
        "month" => month,
        "day" => day,
        "hour" => hour,
        "minute" => minute,
        "quarter" => (month - 1) / 3 + 1,
        "dow" => weekday(*at),
        "isodow" => (weekday(*at) + 6) % 7 + 1,
        "doy" => day_of_year(*at),
        "century" => (year - 1) / 100 + 1,
        "decade" => year / 10,
        "millisecond" | "milliseconds" => {
            return Ok(decimal(&format!("{}.000", second * 1_000 + ms)))
        }
        "second" | "seconds" => return Ok(decimal(&format!("{second}.{ms:03}000"))),
        "epoch" => {
            let ms_total = at.0;
            let (whole, frac) = (ms_total.div_euclid(1_000), ms_total.rem_euclid(1_000));
            return Ok(decimal(&format!("{whole}.{frac:03}000")));
        }
        _ => {
            return Err(SqlError::new(
                "22023",
                format!("unit \"{field}\" not supported for type timestamp without time zone"),
            ))
        }
    };
    Ok(Value::Numeric(Numeric::from_i64(value)))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] =
    ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// `to_char(timestamp, format)` with the common patterns: `YYYY YY MM DD HH24 HH12 HH MI SS MS
/// Mon MON Month Dy Day AM PM`; other characters are copied.
pub fn to_char(args: &[Value], _: &Env) -> Result<Value> {
    let (Value::Timestamp(at) | Value::Date(at)) = &args[0] else {
        return Err(SqlError::unsupported(format!("to_char of {} values", args[0].type_name())));
    };
    let format = text(&args[1]);
    let (year, month, day, hour, minute, second, ms) = fields(*at);
    let hour12 = if hour % 12 == 0 { 12 } else { hour % 12 };
    let month_name = MONTHS[(month - 1) as usize];
    let day_name = DAYS[weekday(*at) as usize];
    // Longest patterns first, so `HH24` wins over `HH` and `Month` over `Mon`.
    let patterns: [(&str, String); 17] = [
        ("YYYY", format!("{year:04}")),
        ("HH24", format!("{hour:02}")),
        ("HH12", format!("{hour12:02}")),
        ("Month", format!("{month_name:<9}")),
        ("MONTH", format!("{:<9}", month_name.to_ascii_uppercase())),
        ("Day", format!("{day_name:<9}")),
        ("Mon", month_name[..3].to_string()),
        ("MON", month_name[..3].to_ascii_uppercase()),
        ("Dy", day_name[..3].to_string()),
        ("YY", format!("{:02}", year % 100)),
        ("MM", format!("{month:02}")),
        ("DD", format!("{day:02}")),
        ("HH", format!("{hour12:02}")),
        ("MI", format!("{minute:02}")),
        ("SS", format!("{second:02}")),
        ("MS", format!("{ms:03}")),
        ("AM", if hour < 12 { "AM" } else { "PM" }.to_string()),
    ];
    let mut out = String::new();
    let mut rest = format.as_str();
    'scan: while let Some(c) = rest.chars().next() {
        for (pattern, value) in &patterns {
            if rest.starts_with(pattern) {
                out.push_str(value);
                rest = &rest[pattern.len()..];
                continue 'scan;
            }
        }
        if rest.starts_with("PM") {
            out.push_str(if hour < 12 { "AM" } else { "PM" });
            rest = &rest[2..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    checked(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: fn(&[Value], &Env) -> Result<Value>, args: &[Value]) -> String {
        f(args, &Env::default()).map(|v| v.to_string()).unwrap_or_else(|e| e.message)
    }

    #[test]
    fn text_functions_follow_postgresql() {
        let t = |s: &str| Value::text(s);
        assert_eq!(call(replace, &[t("abcb"), t("b"), t("x")]), "axcx");
        assert_eq!(call(repeat, &[t("ab"), Value::Int(3)]), "ababab");
        assert_eq!(call(repeat, &[t("ab"), Value::Int(-1)]), "");
        assert_eq!(call(substring, &[t("hello"), Value::Int(2), Value::Int(3)]), "ell");
        assert_eq!(call(substring, &[t("hello"), Value::Int(0), Value::Int(3)]), "he");
        assert_eq!(call(substring, &[t("héllo"), Value::Int(2)]), "éllo");
        assert_eq!(
            call(substring, &[t("hello"), Value::Int(1), Value::Int(-1)]),
            "negative substring length not allowed"
        );
        assert_eq!(call(btrim, &[t("  x  ")]), "x");
        assert_eq!(call(ltrim, &[t("xxaxx"), t("x")]), "axx");
        assert_eq!(call(rtrim, &[t("xxaxx"), t("x")]), "xxa");
        assert_eq!(call(repeat, &[t("ab"), Value::Int(100_000_000)]), "requested length too large");
    }

    #[test]
    fn dates_extract_and_format() {
        let at = Value::Timestamp(Timestamp::parse("2026-01-05 09:07:03.25").unwrap());
        let field = |f: &str| call(extract, &[Value::text(f), at.clone()]);
        assert_eq!(field("year"), "2026");
        assert_eq!(field("month"), "1");
        assert_eq!(field("dow"), "1");
        assert_eq!(field("doy"), "5");
        assert_eq!(field("second"), "3.250000");
        assert_eq!(field("epoch"), "1767604023.250000");
        assert!(field("fortnight").contains("not supported"));
        let format = |f: &str| call(to_char, &[at.clone(), Value::text(f)]);
        assert_eq!(format("YYYY-MM-DD HH24:MI:SS"), "2026-01-05 09:07:03");
        assert_eq!(format("Dy DD Mon YYYY, HH12 AM"), "Mon 05 Jan 2026, 09 AM");
        assert_eq!(format("Month"), "January  ");
    }
}
