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
//!
//! A mantissa that does not fit in 38 digits continues on the long path
//! ([`super::bignum`]): `12345678901234567890 * 12345678901234567890` is exact, as in
//! PostgreSQL. Past 1 000 digits before the point (PostgreSQL's limit is 131 072) a result
//! is the error `value overflows numeric format`, never a panic.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use super::super::digest::StableHasher;
use super::bignum::{Big, BigValue};
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
        match self.long() {
            Some(big) => big.scale,
            None => self.scale,
        }
    }

    /// True for zero (never a long value).
    pub fn is_zero(&self) -> bool {
        !self.is_long() && self.mantissa == 0
    }

    /// Parses `12`, `-1.50`, `.5`, `1e3`, `2.5E-2` (surrounding spaces allowed).
    pub fn parse(text: &str) -> Option<Self> {
        Numeric::parse_input(text).ok()
    }

    /// [`Numeric::parse`], saying why not: `invalid input syntax for type numeric` for text
    /// that is no number, `value overflows numeric format` for a number past the limits.
    pub fn parse_input(original: &str) -> Result<Self, SqlError> {
        let invalid = || SqlError::invalid_input("numeric", original);
        let text = original.trim();
        let (body, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i32>().map_err(|_| invalid())?),
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
            return Err(invalid());
        }
        let scale = frac_part.len() as i64 - i64::from(exponent);
        let small = || {
            let digits = int_part.bytes().chain(frac_part.bytes());
            let mut mantissa: i128 = if int_part.len() + frac_part.len() <= 19 {
                // Fits a u64 (below 10^19): no 128-bit multiply per digit.
                i128::from(digits.fold(0u64, |n, b| n * 10 + u64::from(b - b'0')))
            } else {
                let mut mantissa: i128 = 0;
                for b in digits {
                    mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
                }
                mantissa
            };
            if negative {
                mantissa = -mantissa;
            }
            if scale >= 0 {
                Numeric::new(mantissa, u32::try_from(scale).ok()?).ok()
            } else {
                let factor = pow10(u32::try_from(-scale).ok()?)?;
                Numeric::new(mantissa.checked_mul(factor)?, 0).ok()
            }
        };
        if let Some(small) = small() {
            return Ok(small);
        }
        // An exponent no numeric can take is refused before its zeros are written out.
        let overflow = SqlError::numeric_overflow;
        if !(-((MAX_INTEGER_DIGITS + 1) as i64)..=i64::from(MAX_SCALE)).contains(&scale) {
            return Err(overflow());
        }
        let big = Big::parse_digits(int_part, frac_part).ok_or_else(invalid)?;
        let big = match u32::try_from(scale) {
            Ok(scale) => Big { scale, ..big },
            // A positive exponent past the digits: zeros after them.
            Err(_) => Big { scale: 0, ..Big { scale: 0, ..big }.rescale((-scale) as u32) },
        };
        Numeric::from_big(if negative { big.neg() } else { big })
    }

    /// This value with exactly `scale` fractional digits, rounding half away from zero.
    fn rescale_small(&self, scale: u32) -> Result<Self, SqlError> {
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
    fn trim_small(&self, min_scale: u32) -> Self {
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
        Ok((a.rescale_small(scale)?.mantissa, b.rescale_small(scale)?.mantissa, scale))
    }

    /// `a + b`, scale = max of the scales.
    fn add_small(&self, other: &Self) -> Result<Self, SqlError> {
        let (a, b, scale) = Self::aligned(self, other)?;
        Numeric::new(a.checked_add(b).ok_or_else(SqlError::numeric_overflow)?, scale)
    }

    /// `-a`.
    fn neg_small(&self) -> Self {
        Numeric { mantissa: -self.mantissa, scale: self.scale }
    }

    /// `|a|`.
    fn abs_small(&self) -> Self {
        Numeric { mantissa: self.mantissa.abs(), scale: self.scale }
    }

    /// `a * b`, scale = sum of the scales (rounded down to [`MAX_SCALE`]).
    fn mul_small(&self, other: &Self) -> Result<Self, SqlError> {
        let mantissa =
            self.mantissa.checked_mul(other.mantissa).ok_or_else(SqlError::numeric_overflow)?;
        let product = Numeric { mantissa, scale: self.scale + other.scale };
        if product.scale > MAX_SCALE {
            return product.rescale_small(MAX_SCALE);
        }
        Numeric::new(product.mantissa, product.scale)
    }

    /// `a / b` at PostgreSQL's division scale; `division by zero` for b = 0.
    fn div_small(&self, other: &Self) -> Result<Self, SqlError> {
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
        let scale = scale.max(i64::from(a.scale())).max(i64::from(b.scale())).max(0);
        u32::try_from(scale).unwrap_or(MAX_SCALE).min(MAX_SCALE)
    }

    /// The weight and value of the leading base-10000 digit (PostgreSQL's
    /// internal representation), used only to pick a division scale.
    fn base10000_lead(&self) -> (i64, i128) {
        if self.is_long() {
            return long_lead(&self.big_value());
        }
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
    fn rem_small(&self, other: &Self) -> Result<Self, SqlError> {
        let (a, b, scale) = Self::aligned(self, other)?;
        Numeric::new(a % b, scale)
    }

    /// Rounded to an integer, half away from zero; None if it does not fit an i64.
    fn rounded_i64_small(&self) -> Option<i64> {
        let rounded = self.rescale_small(0).ok()?;
        i64::try_from(rounded.mantissa).ok()
    }

    /// How many digits sit left of the decimal point (0 for |x| < 1).
    fn integer_digits_small(&self) -> u32 {
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

impl Numeric {
    fn cmp_small(&self, other: &Self) -> Ordering {
        let scale = self.scale.max(other.scale);
        self.split(scale).cmp(&other.split(scale))
    }
}

impl Numeric {
    fn fmt_small(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every INSERT's amount is written out for the WAL's digest: no Strings.
        let mut buf = [0; 40];
        let digits = super::value::decimal_digits(self.mantissa.unsigned_abs(), &mut buf);
        if self.mantissa < 0 {
            f.write_str("-")?;
        }
        let scale = self.scale as usize;
        if scale == 0 {
            return f.write_str(digits);
        }
        if digits.len() > scale {
            let (int_part, frac_part) = digits.split_at(digits.len() - scale);
            f.write_str(int_part)?;
            f.write_str(".")?;
            return f.write_str(frac_part);
        }
        // Below 1: `0.` and the digits padded to the scale (MAX_SCALE zeros at most).
        f.write_str("0.")?;
        for _ in digits.len()..scale {
            f.write_str("0")?;
        }
        f.write_str(digits)
    }
}

impl Numeric {
    /// Rounds to `places` decimal places (negative: to tens, hundreds, ...),
    /// half away from zero; the result has scale `max(places, 0)`.
    fn round_small(&self, places: i64) -> Result<Self, SqlError> {
        if places >= 0 {
            let places = u32::try_from(places).unwrap_or(MAX_SCALE).min(MAX_SCALE);
            return self.rescale_small(places);
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

/// The `scale` of a numeric too long for an `i128` mantissa: its `mantissa` is then the index
/// of its [`Big`] in [`LONG_VALUES`].
const LONG: u32 = u32::MAX;
/// Digits before the decimal point a numeric may have (PostgreSQL allows 131 072; the
/// playground stops at 1 000, where schoolbook arithmetic is still instant).
const MAX_INTEGER_DIGITS: usize = 1_000;

thread_local! {
    /// Every long value met so far, once each, so that a [`Numeric`] stays 20 bytes and
    /// `Copy`, and equal long values have equal indexes (the derived `PartialEq` holds).
    /// They are rare (the fast path takes anything under 38 digits) and never freed.
    static LONG_VALUES: RefCell<LongValues> = RefCell::default();
}

#[derive(Default)]
struct LongValues {
    values: Vec<Rc<Big>>,
    /// Indexes into `values` by FNV-1a hash of the value, in [`LONG_BUCKETS`] buckets.
    buckets: Vec<Vec<usize>>,
}

const LONG_BUCKETS: usize = 1_024;

impl LongValues {
    /// The index of `big`, adding it if it is new.
    fn intern(&mut self, big: Big) -> usize {
        let mut hasher = StableHasher::default();
        hasher.write(&big.digits);
        (big.scale, big.negative).hash(&mut hasher);
        let bucket = (hasher.finish() % LONG_BUCKETS as u64) as usize;
        if self.buckets.is_empty() {
            self.buckets = vec![Vec::new(); LONG_BUCKETS];
        }
        let values = &self.values;
        if let Some(index) = self.buckets[bucket].iter().find(|i| *values[**i] == big) {
            return *index;
        }
        self.values.push(Rc::new(big));
        self.buckets[bucket].push(self.values.len() - 1);
        self.values.len() - 1
    }
}

/// PostgreSQL's leading base-10000 digit and its weight, of a long value.
fn long_lead(big: &Big) -> (i64, i128) {
    let Some(top) = big.digits.len().checked_sub(1) else { return (0, 0) };
    let exponent10 = top as i64 - i64::from(big.scale);
    let weight = exponent10.div_euclid(4);
    let dropped = (i64::from(big.scale) + 4 * weight).max(0) as usize;
    let lead = big.digits[dropped.min(big.digits.len())..]
        .iter()
        .rev()
        .fold(0i128, |value, digit| value * 10 + i128::from(*digit));
    (weight, lead)
}

impl Numeric {
    fn is_long(&self) -> bool {
        self.scale == LONG
    }

    fn long(&self) -> Option<Rc<Big>> {
        let index = usize::try_from(self.mantissa).ok().filter(|_| self.is_long())?;
        Some(LONG_VALUES.with(|long| Rc::clone(&long.borrow().values[index])))
    }

    fn big_value(&self) -> Big {
        match self.long() {
            Some(big) => (*big).clone(),
            None => Big::from_i128(self.mantissa, self.scale),
        }
    }

    /// A numeric of `big`'s value: inline when its mantissa fits, else long.
    fn from_big(big: Big) -> Result<Self, SqlError> {
        if big.scale > MAX_SCALE || big.integer_digits() > MAX_INTEGER_DIGITS {
            return Err(SqlError::numeric_overflow());
        }
        if let Some(mantissa) = big.to_i128().filter(|m| m.unsigned_abs() < MAX_MANTISSA as u128) {
            return Numeric::new(mantissa, big.scale);
        }
        let mantissa = LONG_VALUES.with(|long| long.borrow_mut().intern(big) as i128);
        Ok(Numeric { mantissa, scale: LONG })
    }

    /// Runs the inline `small` operation, or `long` on the digits when an operand is long or
    /// the inline result overflows.
    fn either(
        &self,
        other: &Self,
        small: impl FnOnce(&Self, &Self) -> Result<Self, SqlError>,
        long: impl FnOnce(Big, Big) -> Result<Big, SqlError>,
    ) -> Result<Self, SqlError> {
        if !self.is_long() && !other.is_long() {
            match small(self, other) {
                Err(e) if e == SqlError::numeric_overflow() => {}
                result => return result,
            }
        }
        Numeric::from_big(long(self.big_value(), other.big_value())?)
    }

    /// This value with exactly `scale` fractional digits, rounding half away from zero.
    pub fn rescale(&self, scale: u32) -> Result<Self, SqlError> {
        if scale > MAX_SCALE {
            return Err(SqlError::numeric_overflow());
        }
        self.either(self, |a, _| a.rescale_small(scale), |a, _| Ok(a.rescale(scale)))
    }

    /// Drops trailing fractional zeros down to `min_scale`.
    pub fn trim_to(&self, min_scale: u32) -> Self {
        if !self.is_long() {
            return self.trim_small(min_scale);
        }
        let mut big = self.big_value();
        while big.scale > min_scale && big.digits.first() == Some(&0) {
            big.digits.remove(0);
            big.scale -= 1;
        }
        Numeric::from_big(big).unwrap_or(*self)
    }

    /// `a + b`, scale = max of the scales.
    pub fn add(&self, other: &Self) -> Result<Self, SqlError> {
        self.either(other, Self::add_small, |a, b| Ok(a.add(&b)))
    }

    /// `a - b`, scale = max of the scales.
    pub fn sub(&self, other: &Self) -> Result<Self, SqlError> {
        self.add(&other.neg())
    }

    /// `-a`.
    pub fn neg(&self) -> Self {
        match self.is_long() {
            false => self.neg_small(),
            true => Numeric::from_big(self.big_value().neg()).unwrap_or(*self),
        }
    }

    /// `|a|`.
    pub fn abs(&self) -> Self {
        match self.is_long() {
            false => self.abs_small(),
            true => Numeric::from_big(Big { negative: false, ..self.big_value() }).unwrap_or(*self),
        }
    }

    /// `a * b`, scale = sum of the scales (rounded down to [`MAX_SCALE`]).
    pub fn mul(&self, other: &Self) -> Result<Self, SqlError> {
        self.either(other, Self::mul_small, |a, b| {
            let product = a.mul(&b);
            Ok(if product.scale > MAX_SCALE { product.rescale(MAX_SCALE) } else { product })
        })
    }

    /// `a / b` at PostgreSQL's division scale; `division by zero` for b = 0.
    pub fn div(&self, other: &Self) -> Result<Self, SqlError> {
        if other.is_zero() {
            return Err(SqlError::division_by_zero());
        }
        let scale = Self::division_scale(self, other);
        self.either(other, Self::div_small, |a, b| {
            a.div(&b, scale).ok_or_else(SqlError::division_by_zero)
        })
    }

    /// `a % b` (sign of the dividend, like PostgreSQL).
    pub fn rem(&self, other: &Self) -> Result<Self, SqlError> {
        if other.is_zero() {
            return Err(SqlError::division_by_zero());
        }
        self.either(other, Self::rem_small, |a, b| a.rem(&b).ok_or_else(SqlError::division_by_zero))
    }

    /// Rounded to an integer, half away from zero; None if it does not fit an i64.
    pub fn to_i64(&self) -> Option<i64> {
        if !self.is_long() {
            return self.rounded_i64_small();
        }
        i64::try_from(self.big_value().rescale(0).to_i128()?).ok()
    }

    /// How many digits sit left of the decimal point (0 for |x| < 1).
    pub fn integer_digits(&self) -> u32 {
        match self.long() {
            Some(big) => big.integer_digits() as u32,
            None => self.integer_digits_small(),
        }
    }

    /// Rounds to `places` decimal places (negative: to tens, hundreds, ...),
    /// half away from zero; the result has scale `max(places, 0)`.
    pub fn round_to(&self, places: i64) -> Result<Self, SqlError> {
        let shift = u32::try_from(places.unsigned_abs()).unwrap_or(u32::MAX);
        let long = |a: Big, _| {
            if places >= 0 {
                return Ok(a.rescale(shift.min(MAX_SCALE)));
            }
            if shift as usize > MAX_INTEGER_DIGITS {
                return Ok(Big { negative: false, digits: Vec::new(), scale: 0 });
            }
            // To tens, hundreds, …: round the value divided by 10^shift, then scale it back.
            let divided = Big { scale: a.scale.saturating_add(shift), ..a };
            Ok(Big { scale: 0, ..divided.rescale(0).rescale(shift) })
        };
        self.either(self, |a, _| a.round_small(places), long)
    }
}

impl Ord for Numeric {
    fn cmp(&self, other: &Self) -> Ordering {
        if !self.is_long() && !other.is_long() {
            return self.cmp_small(other);
        }
        BigValue(&self.big_value()).cmp(&BigValue(&other.big_value()))
    }
}

impl PartialOrd for Numeric {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Numeric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.long() {
            Some(big) => write!(f, "{big}"),
            None => self.fmt_small(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn numeric() -> impl Strategy<Value = Numeric> {
        (any::<i64>(), 0u32..8).prop_map(|(m, s)| Numeric::new(i128::from(m), s).expect("fits"))
    }

    proptest! {
        /// The long path computes what the verified inline path computes, wherever both can.
        #[test]
        fn long_arithmetic_agrees_with_the_inline_path(a in numeric(), b in numeric()) {
            let (x, y) = (a.big_value(), b.big_value());
            prop_assert_eq!(x.add(&y).to_string(), a.add(&b).expect("fits").to_string());
            prop_assert_eq!(x.mul(&y).to_string(), a.mul(&b).expect("fits").to_string());
            prop_assert_eq!(BigValue(&x).cmp(&BigValue(&y)), a.cmp(&b));
            if !b.is_zero() {
                let scale = Numeric::division_scale(&a, &b);
                let quotient = x.div(&y, scale).expect("not zero").to_string();
                prop_assert_eq!(quotient, a.div(&b).expect("fits").to_string());
                let remainder = x.rem(&y).expect("not zero").to_string();
                prop_assert_eq!(remainder, a.rem(&b).expect("fits").to_string());
            }
            for scale in [0, 1, 3] {
                prop_assert_eq!(x.rescale(scale).to_string(), a.rescale(scale).expect("fits").to_string());
            }
        }

        /// Written as a string of its digits with the point inserted would write it.
        #[test]
        fn small_values_print_their_digits_with_the_point(m in any::<i128>(), scale in 0u32..=MAX_SCALE) {
            let n = Numeric { mantissa: m, scale };
            prop_assume!(n.long().is_none());
            let digits = m.unsigned_abs().to_string();
            let sign = if m < 0 { "-" } else { "" };
            let scale = scale as usize;
            let expected = if scale == 0 {
                format!("{sign}{digits}")
            } else {
                let padded = format!("{digits:0>width$}", width = scale + 1);
                let (int_part, frac_part) = padded.split_at(padded.len() - scale);
                format!("{sign}{int_part}.{frac_part}")
            };
            prop_assert_eq!(n.to_string(), expected);
        }

        /// A value past 38 digits keeps its exact digits through a round trip and arithmetic.
        #[test]
        fn long_values_round_trip(digits in "[1-9][0-9]{38,80}", frac in "[0-9]{0,6}") {
            let text = if frac.is_empty() { digits.clone() } else { format!("{digits}.{frac}") };
            let n = Numeric::parse(&text).expect("a numeric");
            prop_assert_eq!(n.to_string(), text.clone());
            prop_assert_eq!(n.sub(&n).expect("fits").is_zero(), true);
            let doubled = n.add(&n).expect("fits");
            prop_assert_eq!(doubled.div(&Numeric::from_i64(2)).expect("fits").cmp(&n), Ordering::Equal);
            let negative = Numeric::parse(&format!("-{}", text)).expect("negative");
            prop_assert!(negative < n);
        }
    }
}
