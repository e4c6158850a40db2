//! # Share links: a whole run in a URL fragment
//!
//! A link carries the run's [recording](super::recording) as its exported script, so opening
//! it replays the exact run and stops at the same moment. The script is compressed with raw
//! DEFLATE and written in unpadded base64url (`base64`), behind a format version, in the
//! fragment — which browsers never send to a server:
//!
//! ```text
//!   https://…/replica/#run=v1.7Vbfb9owEH7nr7jxsJdJJAESFh6mbtK0_QHTpL1UJjHBauJkPgNl…
//!                           │  └─ base64url(deflate(script))
//!                           └─ format version
//! ```
//!
//! DEFLATE itself is the platform's: natively `miniz_oxide` ([`encode`], [`decode`]); the
//! page calls neither but the browser's own `CompressionStream("deflate-raw")`, so the
//! linker leaves miniz_oxide out of the bundle (its compressor and decompressor were 18.5 kB
//! of it, gzip). Both write and read the same raw DEFLATE, so a link made in either opens in
//! the other. Everything around it — the version, base64url, the size limit, the messages —
//! is here, shared by both.
//!
//! Decoding never trusts the text: a damaged, truncated or future-version link is an error that
//! says what is wrong, and a payload that inflates past [`MAX_SCRIPT_BYTES`] is refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::recording::FORMAT_VERSION;
use super::Error;

/// The fragment's key: `#run=…`.
pub const FRAGMENT_KEY: &str = "run";

/// The most script text a link may inflate to.
pub const MAX_SCRIPT_BYTES: usize = 1 << 20;

/// A payload of DEFLATE data: `v1.` and the data, base64url-encoded.
pub fn payload_of_deflated(deflated: &[u8]) -> String {
    format!("v{FORMAT_VERSION}.{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// The URL fragment (without the `#`) of a payload.
pub fn fragment_of_payload(payload: &str) -> String {
    format!("{FRAGMENT_KEY}={payload}")
}

/// The payload of a URL fragment (`#run=…` or `run=…`), if it carries one.
pub fn payload_of(fragment: &str) -> Option<&str> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    fragment
        .split('&')
        .find_map(|part| part.strip_prefix(FRAGMENT_KEY).and_then(|rest| rest.strip_prefix('=')))
}

fn damaged(why: &str) -> Error {
    Error::invalid(format!("this link is damaged: {why}"))
}

/// The DEFLATE data a link payload carries, its format version checked.
pub fn deflated_of(payload: &str) -> Result<Vec<u8>, Error> {
    let (version, data) =
        payload.split_once('.').ok_or_else(|| damaged("it has no format version"))?;
    let version: u32 = version
        .strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| damaged("its format version is not readable"))?;
    if version > FORMAT_VERSION {
        return Err(Error::invalid(format!(
            "this link is in format v{version}, made by a newer replica-playground; this one reads v{FORMAT_VERSION}"
        )));
    }
    if version == 0 {
        return Err(damaged("its format version is not readable"));
    }
    URL_SAFE_NO_PAD
        .decode(data.trim())
        .map_err(|e| damaged(&format!("it is not base64url ({e}); was it cut short when copied?")))
}

/// The error for DEFLATE data that does not inflate.
pub fn corrupt() -> Error {
    damaged("its compressed data ends early or is corrupt; was it cut short when copied?")
}

/// The error for DEFLATE data that inflates past [`MAX_SCRIPT_BYTES`].
pub fn too_big() -> Error {
    damaged("it holds more than a recording can be")
}

/// The script of inflated link data.
pub fn script_of_inflated(inflated: Vec<u8>) -> Result<String, Error> {
    if inflated.len() > MAX_SCRIPT_BYTES {
        return Err(too_big());
    }
    String::from_utf8(inflated).map_err(|_| damaged("its text is not UTF-8"))
}

/// A script as a link payload: `v1.` and the compressed, base64url-encoded text.
pub fn encode(script: &str) -> String {
    payload_of_deflated(&miniz_oxide::deflate::compress_to_vec(script.as_bytes(), 10))
}

/// The URL fragment for a script (without the `#`).
pub fn fragment(script: &str) -> String {
    fragment_of_payload(&encode(script))
}

/// The script a link payload carries.
pub fn decode(payload: &str) -> Result<String, Error> {
    let deflated = deflated_of(payload)?;
    let inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_SCRIPT_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => too_big(),
            _ => corrupt(),
        })?;
    script_of_inflated(inflated)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    use super::*;

    #[test]
    fn a_script_survives_the_link() {
        let script = "cluster replicas=2 seed=7\nsql: INSERT INTO orders VALUES (1)\nadvance 2s\n";
        let payload = encode(script);
        assert!(payload.starts_with("v1."));
        assert!(payload.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert_eq!(decode(&payload).as_deref(), Ok(script));
        assert_eq!(payload_of(&format!("#{}", fragment(script))), Some(payload.as_str()));
        assert_eq!(payload_of("#embed=1&run=v1.abc"), Some("v1.abc"));
        assert_eq!(payload_of("#other"), None);
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        let good = encode("cluster\n");
        let cut = &good[..good.len() - 3];
        let message = |p: &str| decode(p).expect_err("refused").to_string();
        assert!(message("v9.abc").contains("format v9, made by a newer replica-playground"));
        assert!(message("abc").contains("no format version"));
        assert!(message("vx.abc").contains("format version is not readable"));
        assert!(message("v1.!!!").contains("not base64url"));
        assert!(message(cut).contains("damaged"), "{}", message(cut));
        let zeros = "0".repeat(MAX_SCRIPT_BYTES + 1);
        assert!(message(&encode(&zeros)).contains("more than a recording can be"));
    }

    proptest! {
        #![proptest_config(Config { cases: crate::engine::fuzz_cases(2_000), failure_persistence: None, ..Config::default() })]

        /// Random, mutated and truncated payloads never panic.
        #[test]
        fn any_payload_decodes_or_is_refused(payload in prop_oneof![
            "[ -~]{0,80}",
            "v1\\.[A-Za-z0-9_-]{0,120}",
            ("[ -~]{0,200}", 0usize..400).prop_map(|(text, cut)| {
                let link = encode(&text);
                link.chars().take(cut).collect::<String>()
            }),
        ]) {
            let _ = decode(&payload);
        }

        #[test]
        fn every_text_round_trips(text in "\\PC{0,300}") {
            prop_assert_eq!(decode(&encode(&text)).ok(), Some(text));
        }
    }
}
