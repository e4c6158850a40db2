//! # Stable digests: the same run gives the same number, natively and in the browser
//!
//! Two people comparing runs (a share link opened on another machine, a golden test, the page's
//! small "run" badge) need a fingerprint that depends only on what happened. The standard
//! library's `DefaultHasher` promises no stable algorithm, and a derived `Hash` feeds `usize`
//! and enum discriminants at the platform's width — 4 bytes in 32-bit wasm, 8 natively — so
//! the same run would hash differently in the page and in `replica-sim`.
//!
//! [`StableHasher`] is 64-bit FNV-1a with every integer widened to a fixed 8 bytes,
//! little-endian, so any `#[derive(Hash)]` value digests identically everywhere.
//!
//! ```text
//!   hash = 0xcbf29ce484222325
//!   for each byte b:  hash = (hash ^ b) * 0x100000001b3
//! ```

use std::hash::{Hash, Hasher};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a over a platform-independent byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StableHasher {
    state: u64,
}

impl Default for StableHasher {
    fn default() -> Self {
        Self { state: FNV_OFFSET }
    }
}

impl StableHasher {
    /// A hasher that continues from an earlier digest (for running digests of a stream).
    pub fn continuing(digest: u64) -> Self {
        let mut hasher = Self::default();
        hasher.write_u64(digest);
        hasher
    }
}

/// Text written into the hasher is hashed as its bytes (as [`Hasher::write`] hashes them), so
/// a `Display` value can be digested without building its string.
impl std::fmt::Write for StableHasher {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        Hasher::write(self, s.as_bytes());
        Ok(())
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.state
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.state = (self.state ^ u64::from(*byte)).wrapping_mul(FNV_PRIME);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.write_u64(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.write(&i.to_le_bytes());
    }

    fn write_u128(&mut self, i: u128) {
        self.write(&i.to_le_bytes());
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn write_i8(&mut self, i: i8) {
        self.write_i64(i64::from(i));
    }

    fn write_i16(&mut self, i: i16) {
        self.write_i64(i64::from(i));
    }

    fn write_i32(&mut self, i: i32) {
        self.write_i64(i64::from(i));
    }

    fn write_i64(&mut self, i: i64) {
        self.write(&i.to_le_bytes());
    }

    fn write_isize(&mut self, i: isize) {
        self.write_i64(i as i64);
    }
}

/// The stable digest of one value.
pub fn digest_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = StableHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A digest as people compare it: 16 lower-case hex digits.
pub fn format_digest(digest: u64) -> String {
    format!("{digest:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        let fnv = |bytes: &[u8]| {
            let mut h = StableHasher::default();
            h.write(bytes);
            h.finish()
        };
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn integers_hash_at_a_fixed_width() {
        // A usize and a u64 of the same value digest alike, whatever the platform's width.
        assert_eq!(digest_of(&7usize), digest_of(&7u64));
        assert_eq!(digest_of(&7u32), digest_of(&7u64));
        assert_ne!(digest_of(&7u64), digest_of(&8u64));
        assert_eq!(format_digest(0xab), "00000000000000ab");
    }
}
