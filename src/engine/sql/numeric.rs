//! Exact decimals, like PostgreSQL's `numeric`: money must never be a float.
//!
//! A [`Numeric`] is an integer *mantissa* and a decimal *scale*:
//!
//! ```text
//!   19.99   = mantissa 1999, scale 2
//!   -0.050  = mantissa  -50, scale 3     (the scale is kept: it is part of the value's display)
//! ```
//!
//! Arithmetic follows PostgreSQL's scale rules: `+`/`-` keep the larger
//! scale, `*` adds the scales, `/` picks a scale that gives at least 16
//! significant digits (so `1/3` is `0.33333333333333333333` and
//! `AVG(1, 2)` is `1.5000000000000000`). Rounding is half away from zero.
//! Everything is checked: a result that does not fit in 38 digits is the
//! error `value overflows numeric format`, never a panic.

use std::cmp::Ordering;
use std::fmt;

use super::error::SqlError;

/// The largest scale the playground keeps (PostgreSQL allows 1000).
pub const MAX_SCALE: u32 = 30;
/// Mantissas stay below 10^38, the largest power of ten an `i128` holds.
const MAX_MANTISSA: i128 = 100_000_000_000_000_000_000_000_000_000_000_000_000;

/// An exact decimal number: `mantissa / 10^scale`.
///
/// Packed to 4-byte alignment (20 bytes, not 32) so that a [`Value`] holding
/// one stays 24 bytes: rows are arrays of values, and their size is what a
/// scan reads. Fields are read by copy (`{ self.mantissa }`), never by reference.
///
/// [`Value`]: super::value::Value
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, packed(4))]
pub struct Numeric {
    mantissa: i128,
    scale: u32,
}

/// 10^exp as an i128, or None past 10^38.
pub fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

/// `value / divisor` rounded half away from zero; `divisor` must be positive.
fn div_round(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    let remainder = value % divisor;
    if remainder.unsigned_abs() * 2 >= divisor.unsigned_abs() {
        quotient + value.signum()
    } else {
        quotient
    }
}

impl Numeric {
    /// A numeric from its parts; fails if it overflows the playground's range.
    pub fn new(mantissa: i128, scale: u32) -> Result<Self, SqlError> {
        if scale > MAX_SCALE || mantissa.unsigned_abs() >= MAX_MANTISSA.unsigned_abs() {
            return Err(SqlError::numeric_overflow());
        }
        Ok(Numeric { mantissa, scale })
    }

    /// An integer as a numeric of scale 0.
    pub fn from_i64(value: i64) -> Self {
        Numeric { mantissa: i128::from(value), scale: 0 }
    }

    /// The digits after the decimal point.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// Parses `12`, `-1.50`, `.5`, `1e3`, `2.5E-2` (surrounding spaces allowed).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (body, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, body) = match body.as_bytes().first() {
            Some(b'-') => (true, &body[1..]),
            Some(b'+') => (false, &body[1..]),
            _ => (false, body),
        };
        let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part)
        {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        if negative {
            mantissa = -mantissa;
        }
        let scale = i64::try_from(frac_part.len()).ok()? - i64::from(exponent);
        if scale >= 0 {
            Numeric::new(mantissa, u32::try_from(scale).ok()?).ok()
        } else {
            let factor = pow10(u32::try_from(-scale).ok()?)?;
            Numeric::new(mantissa.checked_mul(factor)?, 0).ok()
        }
    }

    /// This value with exactly `scale` fractional digits, rounding half away from zero.
    pub fn rescale(&self, scale: u32) -> Result<Self, SqlError> {
        match scale.cmp(&self.scale) {
            Ordering::Equal => Ok(*self),
            Ordering::Greater => {
                let factor = pow10(scale - self.scale).ok_or_else(SqlError::numeric_overflow)?;
                let mantissa =
                    self.mantissa.checked_mul(factor).ok_or_else(SqlError::numeric_overflow)?;
                Numeric::new(mantissa, scale)
            }
            Ordering::Less => {
                let mantissa = match pow10(self.scale - scale) {
                    Some(factor) => div_round(self.mantissa, factor),
                    None => 0,
                };
                Numeric::new(mantissa, scale)
            }
        }
    }

    /// Drops trailing fractional zeros down to `min_scale`.
    pub fn trim_to(&self, min_scale: u32) -> Self {
        let mut out = *self;
        while out.scale > min_scale && out.mantissa % 10 == 0 {
            out.mantissa /= 10;
            out.scale -= 1;
        }
        out
    }

    /// Both operands at their common (larger) scale.
    fn aligned(a: &Self, b: &Self) -> Result<(i128, i128, u32), SqlError> {
        let scale = a.scale.max(b.scale);
        Ok((a.rescale(scale)?.mantissa, b.rescale(scale)?.mantissa, scale))
    }

    /// `a + b`, scale = max of the scales.
    pub fn add(&self, other: &Self) -> Result<Self, SqlError> {
        let (a, b, scale) = Self::aligned(self, other)?;
        Numeric::new(a.checked_add(b).ok_or_else(SqlError::numeric_overflow)?, scale)
    }

    /// `a - b`, scale = max of the scales.
    pub fn sub(&self, other: &Self) -> Result<Self, SqlError> {
        self.add(&other.neg())
    }

    /// `-a`.
    pub fn neg(&self) -> Self {
        Numeric { mantissa: -self.mantissa, scale: self.scale }
    }

    /// `|a|`.
    pub fn abs(&self) -> Self {
        Numeric { mantissa: self.mantissa.abs(), scale: self.scale }
    }

    /// `a * b`, scale = sum of the scales (rounded down to [`MAX_SCALE`]).
    pub fn mul(&self, other: &Self) -> Result<Self, SqlError> {
        let mantissa =
            self.mantissa.checked_mul(other.mantissa).ok_or_else(SqlError::numeric_overflow)?;
        let product = Numeric { mantissa, scale: self.scale + other.scale };
        if product.scale > MAX_SCALE {
            return product.rescale(MAX_SCALE);
        }
        Numeric::new(product.mantissa, product.scale)
    }

    /// `a / b` at PostgreSQL's division scale; `division by zero` for b = 0.
    pub fn div(&self, other: &Self) -> Result<Self, SqlError> {
        if other.mantissa == 0 {
            return Err(SqlError::division_by_zero());
        }
        let scale = Self::division_scale(self, other);
        // result mantissa = (a_m / 10^a_s) / (b_m / 10^b_s) * 10^scale
        let shift = i64::from(scale) + i64::from(other.scale) - i64::from(self.scale);
        let overflow = SqlError::numeric_overflow;
        let (numerator, denominator) = if shift >= 0 {
            let factor =
                pow10(u32::try_from(shift).map_err(|_| overflow())?).ok_or_else(overflow)?;
            (self.mantissa.checked_mul(factor).ok_or_else(overflow)?, other.mantissa)
        } else {
            let factor =
                pow10(u32::try_from(-shift).map_err(|_| overflow())?).ok_or_else(overflow)?;
            (self.mantissa, other.mantissa.checked_mul(factor).ok_or_else(overflow)?)
        };
        let (numerator, denominator) = if denominator < 0 {
            (numerator.checked_neg().ok_or_else(overflow)?, -denominator)
        } else {
            (numerator, denominator)
        };
        Numeric::new(div_round(numerator, denominator), scale)
    }

    /// PostgreSQL's `select_div_scale`: at least 16 significant digits, and
    /// never fewer fractional digits than either input.
    fn division_scale(a: &Self, b: &Self) -> u32 {
        let (weight_a, first_a) = a.base10000_lead();
        let (weight_b, first_b) = b.base10000_lead();
        let mut qweight = weight_a - weight_b;
        if first_a <= first_b {
            qweight -= 1;
        }
        let scale = 16 - qweight * 4;
        let scale = scale.max(i64::from(a.scale)).max(i64::from(b.scale)).max(0);
        u32::try_from(scale).unwrap_or(MAX_SCALE).min(MAX_SCALE)
    }

    /// The weight and value of the leading base-10000 digit (PostgreSQL's
    /// internal representation), used only to pick a division scale.
    fn base10000_lead(&self) -> (i64, i128) {
        let magnitude = self.mantissa.unsigned_abs();
        if magnitude == 0 {
            return (0, 0);
        }
        let digits = i64::from(magnitude.ilog10()) + 1;
        let exponent10 = digits - 1 - i64::from(self.scale);
        let weight = exponent10.div_euclid(4);
        let shift = i64::from(self.scale) + 4 * weight;
        let lead = if shift >= 0 {
            pow10(u32::try_from(shift).unwrap_or(0)).map_or(0, |f| magnitude / f.unsigned_abs())
        } else {
            pow10(u32::try_from(-shift).unwrap_or(0)).map_or(0, |f| magnitude * f.unsigned_abs())
        };
        (weight, i128::try_from(lead).unwrap_or(0))
    }

    /// `a % b` (sign of the dividend, like PostgreSQL).
    pub fn rem(&self, other: &Self) -> Result<Self, SqlError> {
        if other.mantissa == 0 {
            return Err(SqlError::division_by_zero());
        }
        let (a, b, scale) = Self::aligned(self, other)?;
        Numeric::new(a % b, scale)
    }

    /// Rounded to an integer, half away from zero; None if it does not fit an i64.
    pub fn to_i64(&self) -> Option<i64> {
        let rounded = self.rescale(0).ok()?;
        i64::try_from(rounded.mantissa).ok()
    }

    /// How many digits sit left of the decimal point (0 for |x| < 1).
    pub fn integer_digits(&self) -> u32 {
        let int_part = match pow10(self.scale) {
            Some(factor) => self.mantissa.unsigned_abs() / factor.unsigned_abs(),
            None => 0,
        };
        if int_part == 0 {
            0
        } else {
            int_part.ilog10() + 1
        }
    }

    /// Integer part and the fractional part at `scale` (both truncated toward zero).
    fn split(&self, scale: u32) -> (i128, i128) {
        let Some(factor) = pow10(self.scale) else { return (0, self.mantissa) };
        let int_part = self.mantissa / factor;
        let frac = self.mantissa % factor;
        let frac = frac * pow10(scale.saturating_sub(self.scale)).unwrap_or(1);
        (int_part, frac)
    }
}

impl Ord for Numeric {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.scale.max(other.scale);
        self.split(scale).cmp(&other.split(scale))
    }
}

impl PartialOrd for Numeric {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Numeric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int_part}.{frac_part}")
    }
}

impl Numeric {
    /// Rounds to `places` decimal places (negative: to tens, hundreds, ...),
    /// half away from zero; the result has scale `max(places, 0)`.
    pub fn round_to(&self, places: i64) -> Result<Self, SqlError> {
        if places >= 0 {
            let places = u32::try_from(places).unwrap_or(MAX_SCALE).min(MAX_SCALE);
            return self.rescale(places);
        }
        let shift = u32::try_from(places.unsigned_abs()).unwrap_or(u32::MAX);
        let Some(divisor) = shift.checked_add(self.scale).and_then(pow10) else {
            return Ok(Numeric { mantissa: 0, scale: 0 });
        };
        let Some(factor) = pow10(shift) else { return Ok(Numeric { mantissa: 0, scale: 0 }) };
        Numeric::new(
            div_round(self.mantissa, divisor)
                .checked_mul(factor)
                .ok_or_else(SqlError::numeric_overflow)?,
            0,
        )
    }
}
