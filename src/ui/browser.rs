//! # The browser, at arm's length
//!
//! The few things the page asks of the browser besides drawing — its address (a share link's
//! fragment), the clipboard, a download, a file the learner picked — in small functions the
//! components call from their effects and handlers. None of them panics: a browser that says
//! no (no clipboard permission, say) is simply not used.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The page's URL fragment (`#run=…`), if any.
pub fn location_fragment() -> Option<String> {
    web_sys::window()?.location().hash().ok().filter(|h| !h.is_empty())
}

/// The page's own URL with `fragment` as its fragment; also puts it in the address bar
/// (without a new history entry), so the learner sees the link they share.
pub fn share_url(fragment: &str) -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let base = format!(
        "{}{}{}",
        location.origin().ok()?,
        location.pathname().ok()?,
        location.search().ok()?
    );
    let url = format!("{base}#{fragment}");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    Some(url)
}

/// Puts text on the clipboard, if the browser lets the page.
pub fn copy_to_clipboard(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// Offers text as a file download.
pub fn download(filename: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(anchor) = anchor {
        anchor.set_href(&url);
        anchor.set_download(filename);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Reads a picked file as text and hands it (or why not) to `done`.
pub fn read_file(file: web_sys::File, done: impl FnOnce(Result<String, String>) + 'static) {
    let Ok(reader) = web_sys::FileReader::new() else {
        return done(Err("this browser cannot read files".to_string()));
    };
    let done = std::cell::RefCell::new(Some(done));
    let reader_in_closure = reader.clone();
    let onload = Closure::<dyn FnMut()>::new(move || {
        let text = reader_in_closure.result().ok().and_then(|r| r.as_string());
        if let Some(done) = done.borrow_mut().take() {
            done(text.ok_or_else(|| "the file is not text".to_string()));
        }
    });
    reader.set_onloadend(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    // If the read cannot even start, onloadend never fires and nothing happens: the learner
    // can pick the file again.
    let _ = reader.read_as_text(&file);
}
