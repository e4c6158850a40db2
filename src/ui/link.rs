//! # Share links in the page
//!
//! The link format is the engine's ([`crate::engine::share`]); the DEFLATE in it is the
//! browser's own, so the bundle carries no compressor. Both directions are asynchronous (the
//! browser's streams are), so each ends in an action for the reducer.

use crate::engine::{share, Error};
use crate::ui::browser;
use crate::ui::state::Action;

/// The action that opens the run a link payload (`v1.…`) carries, or says why it cannot.
pub async fn open(payload: &str) -> Action {
    match read(payload).await {
        Ok(script) => Action::Open { script, from: "link" },
        Err(error) => Action::Notice(format!("Could not open the link: {error}")),
    }
}

/// The action that shows the share link of `script`, or says why there is none.
pub async fn make(script: &str) -> Action {
    if !browser::has_deflate() {
        return Action::Notice(format!("Could not make the link: {}", no_deflate()));
    }
    match browser::deflate_raw(script.as_bytes()).await {
        Ok(deflated) => {
            Action::Shared(share::fragment_of_payload(&share::payload_of_deflated(&deflated)))
        }
        Err(why) => Action::Notice(format!("Could not make the link: {why}")),
    }
}

async fn read(payload: &str) -> Result<String, Error> {
    let deflated = share::deflated_of(payload)?;
    if !browser::has_deflate() {
        return Err(no_deflate());
    }
    match browser::inflate_raw(&deflated, share::MAX_SCRIPT_BYTES).await {
        Ok(Some(inflated)) => share::script_of_inflated(inflated),
        Ok(None) => Err(share::too_big()),
        Err(_) => Err(share::corrupt()),
    }
}

fn no_deflate() -> Error {
    Error::invalid(
        "this browser cannot compress (it has no CompressionStream); links need Chrome 103, Firefox 113, Safari 16.4 or later",
    )
}
