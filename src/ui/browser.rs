//! # The browser, at arm's length
//!
//! The few things the page asks of the browser besides drawing — its address (a share link's
//! fragment), DEFLATE for that link, the clipboard, a download, a file the learner picked —
//! in small functions the components call from their effects and handlers. None of them
//! panics: a browser that says no (no clipboard permission, say) is simply not used.

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

/// The device's memory in GiB as the browser gives it (`navigator.deviceMemory`, Chromium
/// only), if it does.
pub fn device_memory_gib() -> Option<f64> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::get(&navigator, &JsValue::from_str("deviceMemory")).ok()?.as_f64()
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

/// The browser's high-resolution wall clock (`performance.now()`), in milliseconds.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}

/// Calls `on_frame` with the real milliseconds since the previous frame, once per animation
/// frame (`requestAnimationFrame`), until dropped.
pub struct AnimationLoop {
    id: std::rc::Rc<std::cell::Cell<i32>>,
    closure: FrameSlot,
}

type FrameSlot = std::rc::Rc<std::cell::RefCell<Option<Closure<dyn FnMut(f64)>>>>;

impl AnimationLoop {
    pub fn start(mut on_frame: impl FnMut(f64) + 'static) -> Option<Self> {
        let window = web_sys::window()?;
        let closure: FrameSlot = std::rc::Rc::default();
        let id = std::rc::Rc::new(std::cell::Cell::new(0));
        let last = std::cell::Cell::new(None::<f64>);
        let (slot, next_id) = (closure.clone(), id.clone());
        let frame = Closure::<dyn FnMut(f64)>::new(move |now: f64| {
            if let Some(previous) = last.get() {
                on_frame(now - previous);
            }
            last.set(Some(now));
            if let (Some(window), Some(again)) = (web_sys::window(), slot.borrow().as_ref()) {
                let requested = window.request_animation_frame(again.as_ref().unchecked_ref());
                next_id.set(requested.unwrap_or(0));
            }
        });
        id.set(window.request_animation_frame(frame.as_ref().unchecked_ref()).ok()?);
        *closure.borrow_mut() = Some(frame);
        Some(Self { id, closure })
    }
}

impl Drop for AnimationLoop {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.cancel_animation_frame(self.id.get());
        }
        // Breaks the cycle between the closure and its slot.
        self.closure.borrow_mut().take();
    }
}

/// Calls `then` once the browser has painted the next frame: a frame's callbacks run before
/// its paint, a timeout set from one after it. (Without frames — no window — at once.)
pub fn after_next_paint(then: impl FnOnce() + 'static) {
    let then = std::rc::Rc::new(std::cell::Cell::new(Some(then)));
    let call = {
        let then = then.clone();
        move || {
            if let Some(then) = then.take() {
                then();
            }
        }
    };
    let frame = Closure::once_into_js({
        let call = call.clone();
        move || gloo_timers::callback::Timeout::new(0, call).forget()
    });
    let requested = web_sys::window().map(|w| w.request_animation_frame(frame.unchecked_ref()));
    if !matches!(requested, Some(Ok(_))) {
        call();
    }
}

/// Whether the page matches a CSS media query now (`(max-width: 560px)`).
pub fn media_matches(query: &str) -> bool {
    let list = web_sys::window().and_then(|w| w.match_media(query).ok().flatten());
    list.is_some_and(|list| list.matches())
}

/// A watch on a CSS media query: `on_change` hears whether it matches each time that changes
/// (a phone turned, a window resized). Stops when dropped.
pub struct MediaWatch {
    list: web_sys::MediaQueryList,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl MediaWatch {
    pub fn start(query: &str, mut on_change: impl FnMut(bool) + 'static) -> Option<Self> {
        let list = web_sys::window()?.match_media(query).ok()??;
        let watched = list.clone();
        let closure =
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_change(watched.matches()));
        list.add_event_listener_with_callback("change", closure.as_ref().unchecked_ref()).ok()?;
        Some(Self { list, closure })
    }
}

impl Drop for MediaWatch {
    fn drop(&mut self) {
        let callback = self.closure.as_ref().unchecked_ref();
        let _ = self.list.remove_event_listener_with_callback("change", callback);
    }
}

/// A listener on the window for one kind of event, removed when dropped.
pub struct WindowListener {
    event: &'static str,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl WindowListener {
    fn start(event: &'static str, on_event: impl FnMut(web_sys::Event) + 'static) -> Option<Self> {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(on_event);
        let window = web_sys::window()?;
        window.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref()).ok()?;
        Some(Self { event, closure })
    }
}

impl Drop for WindowListener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let callback = self.closure.as_ref().unchecked_ref();
            let _ = window.remove_event_listener_with_callback(self.event, callback);
        }
    }
}

/// Listens to key presses on the whole page, except those typed into a field.
pub fn listen_keys(
    mut on_key: impl FnMut(&web_sys::KeyboardEvent) + 'static,
) -> Option<WindowListener> {
    WindowListener::start("keydown", move |event: web_sys::Event| {
        let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
        if !typing_into_a_field(event) && !event.ctrl_key() && !event.meta_key() {
            on_key(event);
        }
    })
}

fn typing_into_a_field(event: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return false;
    };
    let tag = element.tag_name();
    let pressable = tag == "BUTTON" || element.closest("[role=button]").ok().flatten().is_some();
    matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT") || (pressable && event.key() == " ")
}

/// Removes the "loading" message once the app is on screen.
pub fn remove_loading_message() {
    let loading =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("loading"));
    if let Some(loading) = loading {
        loading.remove();
    }
}

/// Sets the page's colour theme (`light`, `dark`), or follows the system's (None).
pub fn set_theme(theme: Option<&str>) {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = match theme {
            Some(theme) => root.set_attribute("data-theme", theme),
            None => root.remove_attribute("data-theme"),
        };
    }
}

/// The page's query string (`?embed=1&…`), if any.
pub fn location_query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// Whether the page runs inside a frame of another page.
pub fn embedded_in_frame() -> bool {
    let Some(window) = web_sys::window() else { return false };
    match window.parent() {
        Ok(Some(parent)) => parent != window,
        _ => false,
    }
}

/// The origin the host page is allowed to have: the `origin` parameter, else the origin of
/// the page that framed us (from the referrer), else our own.
pub fn host_origin(configured: Option<&str>) -> Option<String> {
    if let Some(origin) = configured {
        return Some(origin.to_string());
    }
    let document = web_sys::window()?.document()?;
    let referrer = document.referrer();
    let origin = web_sys::Url::new(&referrer).ok().map(|u| u.origin()).filter(|o| o != "null");
    origin.or_else(|| web_sys::window()?.location().origin().ok())
}

/// A message from the host page, read out of its object: (type, speed, script).
pub type RawMessage = (String, Option<f64>, Option<String>);

/// Listens to `postMessage` from the parent page at `origin` only.
pub fn listen_messages(
    origin: String,
    mut on_message: impl FnMut(RawMessage) + 'static,
) -> Option<WindowListener> {
    WindowListener::start("message", move |event: web_sys::Event| {
        let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else { return };
        let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
        let from_parent = match (parent, event.source()) {
            (Some(parent), Some(source)) => JsValue::from(parent) == JsValue::from(source),
            _ => false,
        };
        if !from_parent || event.origin() != origin {
            return; // not our host: ignored, as the spec advises
        }
        let data = event.data();
        let field = |name: &str| js_sys::Reflect::get(&data, &JsValue::from_str(name)).ok();
        let Some(kind) = field("type").and_then(|v| v.as_string()) else { return };
        let speed = field("speed").and_then(|v| v.as_f64());
        let script = field("script").and_then(|v| v.as_string());
        on_message((kind, speed, script));
    })
}

/// Posts `{type, …fields}` to the parent page at `origin` (nothing when not framed).
pub fn post_to_host(origin: &str, kind: &str, fields: &[(&str, JsValue)]) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else { return };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &JsValue::from_str("type"), &JsValue::from_str(kind));
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(name), value);
    }
    let _ = parent.post_message(&message, origin);
}

/// What `localStorage` holds under `key` (None: nothing, or storage is off, as in some
/// private windows and sandboxed frames).
pub fn stored(key: &str) -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage.get_item(key).ok()?
}

/// Keeps `value` in `localStorage` under `key` (silently nothing when storage is off).
pub fn store(key: &str, value: &str) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(storage) = storage {
        let _ = storage.set_item(key, value);
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export async function deflateRaw(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
export async function inflateRaw(bytes, limit) {
  const reader = new Blob([bytes]).stream()
    .pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.length;
  }
  return whole;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = deflateRaw)]
    fn deflate_raw_promise(bytes: &[u8]) -> js_sys::Promise;
    #[wasm_bindgen(js_name = inflateRaw)]
    fn inflate_raw_promise(bytes: &[u8], limit: u32) -> js_sys::Promise;
}

/// Whether the browser compresses and decompresses DEFLATE itself (`CompressionStream`:
/// Chromium 103, Firefox 113, Safari 16.4 and later).
pub fn has_deflate() -> bool {
    let global = js_sys::global();
    ["CompressionStream", "DecompressionStream"]
        .iter()
        .all(|name| js_sys::Reflect::has(&global, &JsValue::from_str(name)).unwrap_or(false))
}

/// `bytes` compressed as raw DEFLATE by the browser, or why it could not.
pub async fn deflate_raw(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let deflated = wasm_bindgen_futures::JsFuture::from(deflate_raw_promise(bytes)).await;
    deflated.map(|d| js_sys::Uint8Array::new(&d).to_vec()).map_err(|e| js_error_text(&e))
}

/// Raw DEFLATE data inflated by the browser: None past `limit` bytes, an error when it is not
/// DEFLATE data (or ends early).
pub async fn inflate_raw(bytes: &[u8], limit: usize) -> Result<Option<Vec<u8>>, String> {
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    let inflated = wasm_bindgen_futures::JsFuture::from(inflate_raw_promise(bytes, limit)).await;
    let inflated = inflated.map_err(|e| js_error_text(&e))?;
    Ok((!inflated.is_undefined()).then(|| js_sys::Uint8Array::new(&inflated).to_vec()))
}

/// What a JavaScript exception says.
fn js_error_text(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => error.as_string().unwrap_or_else(|| "an unknown error".to_string()),
    }
}
