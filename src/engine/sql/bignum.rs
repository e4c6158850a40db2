//! Decimals too long for an `i128` mantissa: PostgreSQL's `numeric` holds up to 131 072
//! digits before the point, and `12345678901234567890 * 12345678901234567890` must not fail.
//!
//! A [`Big`] is a sign, decimal digits (least significant first) and a scale:
//!
//! ```text
//!   -1234.5   = negative, digits [5, 4, 3, 2, 1], scale 1
//! ```
//!
//! Schoolbook arithmetic on base-10 digits: slow per digit, but values this long are rare
//! (the fast `i128` path in [`super::numeric`] takes everything else), and base 10 makes
//! scaling, rounding and printing plain digit moves. Results are rounded half away from
//! zero, as PostgreSQL rounds numerics.

use std::cmp::Ordering;
use std::fmt;

/// An exact decimal of any length: `±digits / 10^scale`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Big {
    /// True below zero (never for zero).
    pub negative: bool,
    /// Decimal digits, least significant first, without leading zeros (zero has none).
    pub digits: Vec<u8>,
    /// Digits after the decimal point.
    pub scale: u32,
}

impl Big {
    /// `mantissa / 10^scale`.
    pub fn from_i128(mantissa: i128, scale: u32) -> Big {
        let mut digits = Vec::new();
        let mut rest = mantissa.unsigned_abs();
        while rest > 0 {
            digits.push((rest % 10) as u8);
            rest /= 10;
        }
        Big { negative: mantissa < 0, digits, scale }
    }

    /// The mantissa as an `i128`, if it fits.
    pub fn to_i128(&self) -> Option<i128> {
        let mut value: i128 = 0;
        for digit in self.digits.iter().rev() {
            value = value.checked_mul(10)?.checked_add(i128::from(*digit))?;
        }
        Some(if self.negative { -value } else { value })
    }

    /// Parses unsigned digits with an optional point (`123.45`); the caller handles sign
    /// and exponent. None for anything else.
    pub fn parse_digits(int_part: &str, frac_part: &str) -> Option<Big> {
        let all: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).map(|b| b - b'0').collect();
        let mut digits: Vec<u8> = all.into_iter().rev().collect();
        trim(&mut digits);
        Some(Big { negative: false, digits, scale: u32::try_from(frac_part.len()).ok()? })
    }

    /// How many digits sit left of the decimal point (0 for |x| < 1).
    pub fn integer_digits(&self) -> usize {
        self.digits.len().saturating_sub(self.scale as usize)
    }

    /// `-self`.
    pub fn neg(mut self) -> Big {
        self.negative = !self.negative && !self.digits.is_empty();
        self
    }

    /// This value at exactly `scale` fractional digits, rounding half away from zero.
    pub fn rescale(&self, scale: u32) -> Big {
        let mut digits = self.digits.clone();
        if scale >= self.scale {
            let shift = (scale - self.scale) as usize;
            if !digits.is_empty() {
                digits.splice(0..0, std::iter::repeat_n(0, shift));
            }
        } else {
            let dropped = (self.scale - scale) as usize;
            // Half away from zero: the first digit dropped decides.
            let round_up = dropped <= digits.len() && digits[dropped - 1] >= 5;
            digits.drain(..dropped.min(digits.len()));
            if round_up {
                digits = add(&digits, &[1]);
            }
        }
        trim(&mut digits);
        let negative = self.negative && !digits.is_empty();
        Big { negative, digits, scale }
    }

    /// `self + other`, at the larger scale.
    pub fn add(&self, other: &Big) -> Big {
        let scale = self.scale.max(other.scale);
        let (a, b) = (self.rescale(scale), other.rescale(scale));
        if a.negative == b.negative {
            return Big { negative: a.negative, digits: add(&a.digits, &b.digits), scale };
        }
        match cmp_magnitude(&a.digits, &b.digits) {
            Ordering::Equal => Big { negative: false, digits: Vec::new(), scale },
            Ordering::Greater => {
                Big { negative: a.negative, digits: sub(&a.digits, &b.digits), scale }
            }
            Ordering::Less => {
                Big { negative: b.negative, digits: sub(&b.digits, &a.digits), scale }
            }
        }
    }

    /// `self * other`, at the sum of the scales.
    pub fn mul(&self, other: &Big) -> Big {
        let digits = mul(&self.digits, &other.digits);
        let negative = self.negative != other.negative && !digits.is_empty();
        Big { negative, digits, scale: self.scale + other.scale }
    }

    /// `self / other` at `scale`, rounded half away from zero; None when `other` is zero.
    pub fn div(&self, other: &Big, scale: u32) -> Option<Big> {
        if other.digits.is_empty() {
            return None;
        }
        // quotient * 10^(scale + 1) = self * 10^(scale + 1 + other.scale - self.scale) / other
        let shift = i64::from(scale) + 1 + i64::from(other.scale) - i64::from(self.scale);
        let (mut numerator, mut denominator) = (self.digits.clone(), other.digits.clone());
        let zeros = |n: i64| std::iter::repeat_n(0, n.unsigned_abs() as usize);
        if shift >= 0 {
            numerator.splice(0..0, zeros(shift));
        } else {
            denominator.splice(0..0, zeros(shift));
        }
        let (quotient, _) = divmod(&numerator, &denominator);
        let extra =
            Big { negative: self.negative != other.negative, digits: quotient, scale: scale + 1 };
        Some(extra.rescale(scale))
    }

    /// `self % other` at the larger scale, with the dividend's sign; None when `other` is zero.
    pub fn rem(&self, other: &Big) -> Option<Big> {
        if other.digits.is_empty() {
            return None;
        }
        let scale = self.scale.max(other.scale);
        let (a, b) = (self.rescale(scale), other.rescale(scale));
        let (_, mut digits) = divmod(&a.digits, &b.digits);
        trim(&mut digits);
        let negative = a.negative && !digits.is_empty();
        Some(Big { negative, digits, scale })
    }
}

impl Ord for BigValue<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.0.scale.max(other.0.scale);
        let (a, b) = (self.0.rescale(scale), other.0.rescale(scale));
        match (a.negative, b.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => cmp_magnitude(&a.digits, &b.digits),
            (true, true) => cmp_magnitude(&b.digits, &a.digits),
        }
    }
}

/// A [`Big`] ordered by value (`1.50 = 1.5`), not by its representation.
pub struct BigValue<'a>(pub &'a Big);

impl PartialEq for BigValue<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for BigValue<'_> {}

impl PartialOrd for BigValue<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Big {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.scale as usize;
        let mut text: String = self.digits.iter().rev().map(|d| char::from(b'0' + d)).collect();
        if text.len() <= scale {
            text.insert_str(0, &"0".repeat(scale + 1 - text.len()));
        }
        if scale > 0 {
            text.insert(text.len() - scale, '.');
        }
        if self.negative {
            text.insert(0, '-');
        }
        f.write_str(&text)
    }
}

fn trim(digits: &mut Vec<u8>) {
    while digits.last() == Some(&0) {
        digits.pop();
    }
}

fn cmp_magnitude(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn add(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0;
    for i in 0..a.len().max(b.len()) {
        let sum = a.get(i).unwrap_or(&0) + b.get(i).unwrap_or(&0) + carry;
        out.push(sum % 10);
        carry = sum / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    out
}

/// `a - b` for `a >= b`.
fn sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0;
    for (i, digit) in a.iter().enumerate() {
        let take = b.get(i).unwrap_or(&0) + borrow;
        borrow = u8::from(*digit < take);
        out.push(digit + 10 * borrow - take);
    }
    assert_eq!(borrow, 0, "sub expects a >= b");
    trim(&mut out);
    out
}

fn mul(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut sums = vec![0u32; a.len() + b.len()];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            sums[i + j] += u32::from(*x) * u32::from(*y);
        }
        // Carry as we go, so the sums never overflow whatever the length.
        for k in i..sums.len() - 1 {
            if sums[k] < 10 {
                continue;
            }
            sums[k + 1] += sums[k] / 10;
            sums[k] %= 10;
        }
    }
    let mut out: Vec<u8> = sums.into_iter().map(|d| d as u8).collect();
    trim(&mut out);
    out
}

/// Long division of magnitudes: (quotient, remainder), `b` not zero.
fn divmod(a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut quotient = vec![0u8; a.len()];
    let mut remainder: Vec<u8> = Vec::new();
    for (i, digit) in a.iter().enumerate().rev() {
        remainder.insert(0, *digit);
        trim(&mut remainder);
        let mut times = 0;
        while cmp_magnitude(&remainder, b) != Ordering::Less {
            remainder = sub(&remainder, b);
            times += 1;
        }
        quotient[i] = times;
    }
    trim(&mut quotient);
    (quotient, remainder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(text: &str) -> Big {
        let (negative, body) = text.strip_prefix('-').map_or((false, text), |b| (true, b));
        let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
        let parsed = Big::parse_digits(int_part, frac_part).expect("digits");
        if negative {
            parsed.neg()
        } else {
            parsed
        }
    }

    #[test]
    fn arithmetic_matches_postgresql() {
        let a = big("12345678901234567890");
        assert_eq!(a.mul(&a).to_string(), "152415787532388367501905199875019052100");
        let max = big("99999999999999999999999999999999999999");
        assert_eq!(max.add(&big("1")).to_string(), "100000000000000000000000000000000000000");
        assert_eq!(big("1.5").add(&big("-2.25")).to_string(), "-0.75");
        assert_eq!(big("-0.5").add(&big("0.5")).to_string(), "0.0");
        let third = big("1").div(&big("3"), 20).expect("not zero");
        assert_eq!(third.to_string(), "0.33333333333333333333");
        let two_thirds = big("-2").div(&big("3"), 3).expect("not zero");
        assert_eq!(two_thirds.to_string(), "-0.667");
        assert_eq!(big("7.5").rem(&big("-2")).expect("not zero").to_string(), "1.5");
        assert_eq!(big("1").div(&big("0"), 2), None);
    }

    #[test]
    fn rounding_and_order_follow_the_value() {
        assert_eq!(big("2.45").rescale(1).to_string(), "2.5");
        assert_eq!(big("-2.45").rescale(1).to_string(), "-2.5");
        assert_eq!(big("0.004").rescale(2).to_string(), "0.00");
        assert_eq!(big("9.99").rescale(0).to_string(), "10");
        assert_eq!(big("3").rescale(2).to_string(), "3.00");
        assert!(BigValue(&big("1.50")) == BigValue(&big("1.5")));
        assert!(BigValue(&big("-10")) < BigValue(&big("-9.5")));
        assert!(BigValue(&big("100000000000000000000000000000000000000")) > BigValue(&big("9")));
        let n = big("-123456789012345678901234567890123456789.5");
        assert_eq!(n.integer_digits(), 39);
        assert_eq!(Big::from_i128(-1999, 2).to_string(), "-19.99");
        assert_eq!(big("-19.99").to_i128(), Some(-1999));
    }
}
