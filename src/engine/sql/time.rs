//! Simulated time: timestamps and intervals, computed without a clock.
//!
//! The engine never reads the wall clock. `NOW()` returns [`Env::now`], the
//! simulation's virtual time, so a replayed run prints the same rows. Because
//! replicas apply the primary's *row images*, a `DEFAULT NOW()` is evaluated
//! once, on the primary, exactly like a real WAL record carries the value.
//!
//! A [`Timestamp`] is milliseconds since 1970-01-01 00:00:00 (no time zone,
//! like PostgreSQL's `timestamp without time zone`). Calendar conversion uses
//! Howard Hinnant's `days_from_civil` algorithm:
//!
//! ```text
//!   2026-01-05 09:00:00.250  <->  days since epoch * 86_400_000 + ms of day
//! ```
//!
//! An [`Interval`] keeps PostgreSQL's three fields (months, days, time),
//! because "1 month" is not a fixed number of days: adding it to Jan 31
//! gives Feb 28 (or 29).
//!
//! [`Env::now`]: super::Env::now

use std::cmp::Ordering;
use std::fmt;

use super::error::SqlError;

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
/// Milliseconds in a (time-zone-free) day.
pub const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
/// Timestamps are kept within years 1..=9999, what anyone types by hand.
const MIN_YEAR: i64 = 1;
const MAX_YEAR: i64 = 9999;

/// Milliseconds since the Unix epoch (UTC), simulated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Days since 1970-01-01 for a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12; // March = 0
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Timestamp {
    /// A timestamp from calendar fields; None for an impossible date or time.
    pub fn from_civil(year: i64, month: i64, day: i64, ms_of_day: i64) -> Option<Self> {
        let valid = (MIN_YEAR..=MAX_YEAR).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && (0..MS_PER_DAY).contains(&ms_of_day);
        valid.then(|| Timestamp(days_from_civil(year, month, day) * MS_PER_DAY + ms_of_day))
    }

    /// Parses `2026-01-05`, `2026-01-05 09:00`, `2026-01-05 09:00:00.25`,
    /// also with a `T` separator; a trailing `Z` or `+00` offset is ignored,
    /// as PostgreSQL ignores it for `timestamp without time zone`.
    ///
    /// Text that reads as a date and time but names no such moment is PostgreSQL's
    /// `date/time field value out of range` (`2026-02-30`, `12:60`); a month or day no
    /// calendar has (`2026-13-01`) adds its hint about `datestyle`. `24:00` is the next
    /// midnight, as in PostgreSQL.
    pub fn parse(text: &str) -> Result<Self, SqlError> {
        let invalid = || SqlError::invalid_datetime("timestamp", text);
        let out_of_range =
            || SqlError::new("22008", format!("date/time field value out of range: \"{text}\""));
        // Most text is the form PostgreSQL prints: its fields are read by position.
        let fixed = fixed_fields(text);
        let (date, time) = match fixed {
            Some(_) => ("", ""),
            None => split_date_time(text),
        };
        let (year, month, day) = match fixed {
            Some((date, _)) => date,
            None => parse_date(date).ok_or_else(invalid)?,
        };
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(out_of_range().hint("Perhaps you need a different \"datestyle\" setting."));
        }
        let (hours, minutes, seconds_ms) = match fixed {
            Some((_, clock)) => clock,
            None if time.is_empty() => (0, 0, 0),
            None => clock_fields(strip_offset(time)).ok_or_else(invalid)?,
        };
        let midnight_after = hours == 24 && minutes == 0 && seconds_ms == 0;
        if (hours > 23 && !midnight_after) || minutes > 59 || seconds_ms >= MS_PER_MINUTE {
            return Err(out_of_range());
        }
        let ms_of_day = hours * MS_PER_HOUR + minutes * MS_PER_MINUTE + seconds_ms;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(SqlError::timestamp_out_of_range());
        }
        let midnight = Timestamp::from_civil(year, month, day, 0).ok_or_else(out_of_range)?;
        Ok(Timestamp(midnight.0 + ms_of_day))
    }

    /// The midnight that starts this timestamp's day (a `date`).
    pub fn day(self) -> Timestamp {
        Timestamp(self.0.div_euclid(MS_PER_DAY) * MS_PER_DAY)
    }

    /// Parses a `date`: `2026-01-05` (a time after it is ignored, as PostgreSQL does).
    pub fn parse_date(text: &str) -> Result<Self, SqlError> {
        Timestamp::parse(text).map(Timestamp::day).map_err(|e| match e.code {
            "22007" => SqlError::invalid_datetime("date", text),
            _ => e,
        })
    }

    /// `self + days` for `date + integer`, within the playground's range.
    pub fn plus_days(self, days: i64) -> Result<Self, SqlError> {
        let out_of_range = || SqlError::new("22008", "date out of range");
        let ms = days.checked_mul(MS_PER_DAY).and_then(|ms| self.0.checked_add(ms));
        ms.map(Timestamp).ok_or_else(out_of_range)?.checked().map_err(|_| out_of_range())
    }

    /// Whole days from `other` to `self` (`date - date`).
    pub fn days_since(self, other: Timestamp) -> i64 {
        self.0.div_euclid(MS_PER_DAY) - other.0.div_euclid(MS_PER_DAY)
    }

    /// Just the day, as a `date` prints: `2026-01-05`.
    pub fn date_text(self) -> String {
        let (year, month, day) = civil_from_days(self.0.div_euclid(MS_PER_DAY));
        format!("{year:04}-{month:02}-{day:02}")
    }

    /// Checks the year stays within the playground's range.
    pub fn checked(self) -> Result<Self, SqlError> {
        let (year, _, _) = civil_from_days(self.0.div_euclid(MS_PER_DAY));
        if (MIN_YEAR..=MAX_YEAR).contains(&year) {
            Ok(self)
        } else {
            Err(SqlError::timestamp_out_of_range())
        }
    }

    /// `self + interval`: months first (clamping the day), then days, then time.
    pub fn plus(self, interval: &Interval) -> Result<Self, SqlError> {
        let overflow = SqlError::timestamp_out_of_range;
        let days = self.0.div_euclid(MS_PER_DAY);
        let ms_of_day = self.0.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let month_number =
            (year * 12 + month - 1).checked_add(interval.months).ok_or_else(overflow)?;
        let (year, month) = (month_number.div_euclid(12), month_number.rem_euclid(12) + 1);
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(overflow());
        }
        let day = day.min(days_in_month(year, month));
        let base = days_from_civil(year, month, day) * MS_PER_DAY + ms_of_day;
        let shift =
            interval.days.checked_mul(MS_PER_DAY).and_then(|d| d.checked_add(interval.millis));
        let total = shift.and_then(|s| base.checked_add(s)).ok_or_else(overflow)?;
        Timestamp(total).checked()
    }

    /// `self - other` as an interval of days and time, like PostgreSQL.
    pub fn since(self, other: Timestamp) -> Result<Interval, SqlError> {
        let diff = self
            .0
            .checked_sub(other.0)
            .ok_or_else(|| SqlError::new("22008", "interval out of range"))?;
        Ok(Interval { months: 0, days: diff / MS_PER_DAY, millis: diff % MS_PER_DAY })
    }
}

/// The date and the clock of text in the form PostgreSQL prints, `2026-01-05 09:00:00` with
/// an optional fraction of a second: (year, month, day) and (hours, minutes, milliseconds).
/// None for any other form.
type Fields = ((i64, i64, i64), (i64, i64, i64));
fn fixed_fields(text: &str) -> Option<Fields> {
    let b = text.as_bytes();
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    let fraction = b.len() > 19 && b[19] == b'.';
    if (b.len() != 19 && !fraction) || separators.iter().any(|&(at, sep)| b[at] != sep) {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .try_fold(0, |n, &d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    };
    let date = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    // Byte 17 is a digit (checked first), so a character starts there.
    let seconds_ms = match fraction {
        true => number(17, 19).and_then(|_| parse_seconds(&text[17..]))?,
        false => number(17, 19)? * MS_PER_SECOND,
    };
    Some((date, (number(11, 13)?, number(14, 16)?, seconds_ms)))
}

/// The date and the time (empty if none) of a timestamp's text, trimmed.
fn split_date_time(text: &str) -> (&str, &str) {
    let trimmed = text.trim();
    // Bytes, not chars: the separators are ASCII (a char-set search decodes every char).
    match trimmed.bytes().position(|b| b == b' ' || b == b'T') {
        Some(at) => (&trimmed[..at], trimmed[at + 1..].trim()),
        None => (trimmed, ""),
    }
}

fn parse_date(date: &str) -> Option<(i64, i64, i64)> {
    let mut parts = date.split('-');
    let year = parse_digits(parts.next()?, 1, 4)?;
    let month = parse_digits(parts.next()?, 1, 2)?;
    let day = parse_digits(parts.next()?, 1, 2)?;
    parts.next().is_none().then_some((year, month, day))
}

fn strip_offset(time: &str) -> &str {
    let time = time.strip_suffix(['Z', 'z']).unwrap_or(time);
    match time.bytes().position(|b| b == b'+' || b == b'-') {
        Some(at) => time[..at].trim_end(),
        None => time,
    }
}

/// Parses `HH:MM[:SS[.fff]]` into milliseconds (hours may exceed 24 for intervals).
fn parse_clock(time: &str) -> Option<i64> {
    let (hours, minutes, seconds_ms) = clock_fields(time)?;
    if minutes >= 60 || seconds_ms >= MS_PER_MINUTE {
        return None;
    }
    Some(hours * MS_PER_HOUR + minutes * MS_PER_MINUTE + seconds_ms)
}

/// `HH:MM[:SS[.fff]]` as hours, minutes and milliseconds, unchecked.
fn clock_fields(time: &str) -> Option<(i64, i64, i64)> {
    let mut parts = time.split(':');
    let hours = parse_digits(parts.next()?, 1, 6)?;
    let minutes = parse_digits(parts.next()?, 1, 2)?;
    let seconds_ms = match parts.next() {
        Some(seconds) => parse_seconds(seconds)?,
        None => 0,
    };
    parts.next().is_none().then_some((hours, minutes, seconds_ms))
}

/// Parses `SS[.fff...]` into milliseconds, rounding below a millisecond.
fn parse_seconds(text: &str) -> Option<i64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let seconds = parse_digits(whole, 1, 2)?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    // The first four fractional digits, zeros after the last: tenths of a millisecond.
    let digit = |i: usize| frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
    let tenths_of_ms = (0..4).fold(0, |tenths, i| tenths * 10 + digit(i));
    Some(seconds * MS_PER_SECOND + (tenths_of_ms + 5) / 10)
}

/// `text` as a number, if it is `min_len` to `max_len` ASCII digits (at most 6: no overflow).
fn parse_digits(text: &str, min_len: usize, max_len: usize) -> Option<i64> {
    debug_assert!(max_len <= 6, "{max_len} digits fit an i64 unchecked");
    let ok = (min_len..=max_len).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.bytes().fold(0, |n, digit| n * 10 + i64::from(digit - b'0')))
}

/// Writes `HH:MM:SS[.fff]` with trailing fractional zeros trimmed, as PostgreSQL does.
/// `n` (0 to 99) as two ASCII digits: dates and clocks are written by hand, not through
/// `{:02}` (every INSERT's timestamp is written for the WAL's digest).
fn two_digits(n: i64) -> [u8; 2] {
    debug_assert!((0..100).contains(&n), "{n} has two digits");
    [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]
}

fn write_clock(f: &mut fmt::Formatter<'_>, ms: i64) -> fmt::Result {
    let (hours, rest) = (ms / MS_PER_HOUR, ms % MS_PER_HOUR);
    let (minutes, rest) = (rest / MS_PER_MINUTE, rest % MS_PER_MINUTE);
    let (seconds, millis) = (rest / MS_PER_SECOND, rest % MS_PER_SECOND);
    if hours < 100 {
        let [h, m, s] = [hours, minutes, seconds].map(two_digits);
        let clock = [h[0], h[1], b':', m[0], m[1], b':', s[0], s[1]];
        f.write_str(std::str::from_utf8(&clock).map_err(|_| fmt::Error)?)?;
    } else {
        write!(f, "{hours:02}:{minutes:02}:{seconds:02}")?;
    }
    if millis != 0 {
        // `.5`, `.25`, `.125`: three digits without their trailing zeros.
        let digits = [millis / 100, millis / 10 % 10, millis % 10].map(|d| b'0' + d as u8);
        let shown = 3 - digits.iter().rev().take_while(|d| **d == b'0').count();
        f.write_str(".")?;
        f.write_str(std::str::from_utf8(&digits[..shown]).map_err(|_| fmt::Error)?)?;
    }
    Ok(())
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        if (0..10_000).contains(&year) {
            let ([y0, y1], [y2, y3]) = (two_digits(year / 100), two_digits(year % 100));
            let ([m0, m1], [d0, d1]) = (two_digits(month), two_digits(day));
            let date = [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b' '];
            f.write_str(std::str::from_utf8(&date).map_err(|_| fmt::Error)?)?;
        } else {
            write!(f, "{year:04}-{month:02}-{day:02} ")?;
        }
        write_clock(f, self.0.rem_euclid(MS_PER_DAY))
    }
}

/// A span of time in PostgreSQL's three fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interval {
    /// Whole months (a year is 12).
    pub months: i64,
    /// Whole days.
    pub days: i64,
    /// Time within the day(s), in milliseconds.
    pub millis: i64,
}

/// The interval units PostgreSQL accepts in `'3 hours'` or `INTERVAL 1 DAY`.
fn unit_of(word: &str) -> Option<Interval> {
    let ms = |millis| Interval { months: 0, days: 0, millis };
    Some(match word.to_ascii_lowercase().as_str() {
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => ms(1),
        "second" | "seconds" | "sec" | "secs" | "s" => ms(MS_PER_SECOND),
        "minute" | "minutes" | "min" | "mins" | "m" => ms(MS_PER_MINUTE),
        "hour" | "hours" | "hr" | "hrs" | "h" => ms(MS_PER_HOUR),
        "day" | "days" | "d" => Interval { months: 0, days: 1, millis: 0 },
        "week" | "weeks" | "w" => Interval { months: 0, days: 7, millis: 0 },
        "month" | "months" | "mon" | "mons" => Interval { months: 1, days: 0, millis: 0 },
        "year" | "years" | "yr" | "yrs" | "y" => Interval { months: 12, days: 0, millis: 0 },
        _ => return None,
    })
}

impl Interval {
    /// Parses `1 day`, `2 hours 30 minutes`, `1 day 02:00:00`, `-3 days`,
    /// `1.5 hours`, `10 minutes ago`.
    pub fn parse(text: &str) -> Result<Self, SqlError> {
        let invalid = || SqlError::invalid_datetime("interval", text);
        let mut words: Vec<&str> = text.split_whitespace().collect();
        let ago = words.last().is_some_and(|w| w.eq_ignore_ascii_case("ago"));
        if ago {
            words.pop();
        }
        if words.is_empty() {
            return Err(invalid());
        }
        let mut total = Interval::default();
        let mut i = 0;
        while i < words.len() {
            let (part, used) = parse_interval_part(&words[i..]).ok_or_else(invalid)?;
            total = total.checked_add(&part).ok_or_else(invalid)?;
            i += used;
        }
        Ok(if ago { total.negate().ok_or_else(invalid)? } else { total })
    }

    /// `quantity` of a unit named like an SQL field (`DAY`, `HOUR`, ...).
    pub fn of_unit(quantity: &str, unit: &str) -> Result<Self, SqlError> {
        Interval::parse(&format!("{quantity} {unit}"))
    }

    /// Field-wise sum; None on overflow.
    pub fn checked_add(&self, other: &Interval) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_add(other.months)?,
            days: self.days.checked_add(other.days)?,
            millis: self.millis.checked_add(other.millis)?,
        })
    }

    /// Field-wise negation; None on overflow.
    pub fn negate(&self) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_neg()?,
            days: self.days.checked_neg()?,
            millis: self.millis.checked_neg()?,
        })
    }

    /// Each field times `factor`; None on overflow.
    pub fn checked_mul(&self, factor: i64) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_mul(factor)?,
            days: self.days.checked_mul(factor)?,
            millis: self.millis.checked_mul(factor)?,
        })
    }

    /// A single comparable length, counting a month as 30 days (PostgreSQL's rule).
    fn span_ms(&self) -> i128 {
        (i128::from(self.months) * 30 + i128::from(self.days)) * i128::from(MS_PER_DAY)
            + i128::from(self.millis)
    }
}

/// One `<number> <unit>` pair or one `HH:MM:SS` clock; returns it and the words used.
fn parse_interval_part(words: &[&str]) -> Option<(Interval, usize)> {
    let first = *words.first()?;
    if first.contains(':') {
        let (negative, clock) = match first.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, first.strip_prefix('+').unwrap_or(first)),
        };
        let millis = parse_clock(clock)?;
        let millis = if negative { -millis } else { millis };
        return Some((Interval { months: 0, days: 0, millis }, 1));
    }
    // "1day" is accepted too, as PostgreSQL does.
    let split = first.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(first.len());
    let (number, unit, used) = if split < first.len() {
        (&first[..split], &first[split..], 1)
    } else {
        (first, *words.get(1)?, 2)
    };
    let unit = unit_of(unit)?;
    Some((scale_unit(number, &unit)?, used))
}

/// `number` (possibly fractional) times a unit; fractions spill into smaller fields.
fn scale_unit(number: &str, unit: &Interval) -> Option<Interval> {
    let quantity = super::numeric::Numeric::parse(number)?;
    if let Some(whole) =
        quantity.rescale(0).ok().filter(|q| q.cmp(&quantity).is_eq()).and_then(|q| q.to_i64())
    {
        return unit.checked_mul(whole);
    }
    // Fractional: express the unit in milliseconds (months as 30 days).
    let unit_ms = i64::try_from(unit.span_ms()).ok()?;
    let millis = quantity.mul(&super::numeric::Numeric::from_i64(unit_ms)).ok()?.to_i64()?;
    Some(Interval { months: 0, days: millis / MS_PER_DAY, millis: millis % MS_PER_DAY })
}

impl Ord for Interval {
    fn cmp(&self, other: &Self) -> Ordering {
        self.span_ms().cmp(&other.span_ms())
    }
}

impl PartialOrd for Interval {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let (years, months) = (self.months / 12, self.months % 12);
        let plural =
            |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if years != 0 {
            parts.push(plural(years, "year", "years"));
        }
        if months != 0 {
            parts.push(plural(months, "mon", "mons"));
        }
        if self.days != 0 {
            parts.push(plural(self.days, "day", "days"));
        }
        write!(f, "{}", parts.join(" "))?;
        if self.millis != 0 || parts.is_empty() {
            if !parts.is_empty() {
                f.write_str(" ")?;
            }
            if self.millis < 0 {
                f.write_str("-")?;
            }
            write_clock(f, self.millis.unsigned_abs().min(i64::MAX as u64) as i64)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_form_reads_as_any_other_form_does() {
        // A leading space takes the general path; the fixed form's fast path must agree.
        let both = |text: &str| (Timestamp::parse(text), Timestamp::parse(&format!(" {text}")));
        let texts = [
            "2026-01-05 09:00:00",
            "1999-12-31 23:59:59",
            "2024-02-29 12:34:56",
            "2026-02-29 00:00:00",
            "2026-02-30 00:00:00",
            "2026-13-01 00:00:00",
            "2026-00-10 00:00:00",
            "2026-01-00 00:00:00",
            "2026-01-05 24:00:00",
            "2026-01-05 24:00:01",
            "2026-01-05 23:60:00",
            "2026-01-05 23:59:60",
            "0000-01-05 09:00:00",
            "9999-01-05 09:00:00",
            "2026-01-05 9:00:00a",
            "2026-01-05 09:01:26.4",
            "2026-01-05 09:01:26.123456",
            "2026-01-05 09:01:26.99951",
            "2026-01-05 23:59:59.9999",
            "2026-01-05 09:01:26.",
            "2026-01-05 09:01:26.1234567891",
            "2026-01-05 09:01:26.12x",
            "2026-01-05 09:01:26+02",
            "2026-01-05 09:01:26.5Z",
            "2026-01-0x 09:00:00",
            "2026/01/05 09:00:00",
        ];
        for text in texts {
            match both(text) {
                (Ok(fast), Ok(general)) => assert_eq!(fast, general, "{text}"),
                (Err(fast), Err(general)) => {
                    // The message quotes the text: the general path's has the space.
                    let quoted = format!("\"{text}\"");
                    let message = general.message.replace(&format!("\" {text}\""), &quoted);
                    assert_eq!((fast.code, fast.message), (general.code, message), "{text}");
                }
                (fast, general) => panic!("{text}: {fast:?} but {general:?}"),
            }
        }
        assert_eq!(fixed_fields("2026-01-05T09:00:00"), None, "only the printed form");
    }

    #[test]
    fn timestamps_print_milliseconds_without_trailing_zeros() {
        let at = |ms: i64| Timestamp(ms).to_string();
        assert_eq!(at(0), "1970-01-01 00:00:00");
        assert_eq!(at(500), "1970-01-01 00:00:00.5");
        assert_eq!(at(1_250), "1970-01-01 00:00:01.25");
        assert_eq!(at(3_723_007), "1970-01-01 01:02:03.007");
        assert_eq!(at(-1), "1969-12-31 23:59:59.999");
        assert_eq!(at(86_399_120), "1970-01-01 23:59:59.12");
        assert_eq!(at(253_402_300_799_000), "9999-12-31 23:59:59");
        assert_eq!(at(-62_135_596_800_000), "0001-01-01 00:00:00");
        assert_eq!(at(-62_198_755_200_000), "-001-01-01 00:00:00", "past the fast path");
        assert_eq!(at(253_402_300_800_000), "10000-01-01 00:00:00", "past the fast path");
    }

    /// Fractions of a second round to the millisecond; at most nine digits are read.
    #[test]
    fn seconds_round_to_the_millisecond() {
        let cases = [
            ("07", Some(7_000)),
            ("07.5", Some(7_500)),
            ("07.25", Some(7_250)),
            ("07.1234", Some(7_123)),
            ("07.12351", Some(7_124)),
            ("59.9996", Some(60_000)),
            ("07.", Some(7_000)),
            ("07.123456789", Some(7_123)),
            ("07.1234567890", None),
            ("07.1a", None),
            ("7x", None),
        ];
        for (text, ms) in cases {
            assert_eq!(parse_seconds(text), ms, "{text}");
        }
    }
}
