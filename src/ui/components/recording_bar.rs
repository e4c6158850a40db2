//! The recording under the clock: a scrubber over the whole run (drag to any earlier moment),
//! the run's digest, and share, export and import.

use yew::prelude::*;

use crate::engine::format_millis;
use crate::ui::browser;
use crate::ui::state::{Action, ClockView};

#[derive(Properties, PartialEq)]
pub struct RecordingBarProps {
    pub clock: ClockView,
    /// The fragment of the last share link made, if any.
    pub share: Option<String>,
    /// The script to download, with a counter that changes on every Export click.
    pub download: Option<(u64, std::rc::Rc<str>)>,
    pub on_action: Callback<Action>,
}

/// Scrubber, digest, and the recording's ways out and in.
#[function_component(RecordingBar)]
pub fn recording_bar(props: &RecordingBarProps) -> Html {
    let clock = &props.clock;
    let link = use_state(|| None::<String>);
    {
        // A new share link: show it, copy it, put it in the address bar.
        let link = link.clone();
        use_effect_with(props.share.clone(), move |share| {
            if let Some(url) = share.as_deref().and_then(browser::share_url) {
                browser::copy_to_clipboard(&url);
                link.set(Some(url));
            }
        });
    }
    use_effect_with(props.download.clone(), |download| {
        if let Some((_, script)) = download {
            browser::download("replica-playground-run.txt", script);
        }
    });
    let on_seek = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(at_ms) = input.value().parse() {
                on_action.emit(Action::Seek(at_ms));
            }
        })
    };
    let act = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let on_import = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            input.set_value("");
            let on_action = on_action.clone();
            browser::read_file(file, move |text| match text {
                Ok(script) => on_action.emit(Action::Open { script, from: "imported file" }),
                Err(why) => on_action.emit(Action::Notice(format!("Could not import: {why}"))),
            });
        })
    };
    let end_ms = clock.end_ms.max(1);
    let percent = |at_ms: u64| format!("left: {:.2}%", at_ms as f64 * 100.0 / end_ms as f64);
    let short = &clock.digest[..8.min(clock.digest.len())];
    html! {
        <div class="recording" data-testid="recording">
            <div class="scrub">
                <input type="range" data-testid="scrubber" min="0" max={clock.end_ms.to_string()}
                    step="1" value={clock.now_ms.to_string()} oninput={on_seek}
                    aria-label="Rewind: drag to any earlier moment of the run"
                    title="Drag to any earlier moment: the cluster is replayed to it from the seed" />
                <div class="ticks" aria-hidden="true">
                    { for clock.inputs.iter().map(|at| html! { <span class="tick" style={percent(*at)} /> }) }
                </div>
            </div>
            <span class="scrub-time muted" data-testid="scrub-time">
                {format!("{} of {}", format_millis(clock.now_ms), format_millis(clock.end_ms))}
            </span>
            if clock.rewound {
                <span class="badge waiting" data-testid="rewound"
                    title="Playing moves through the recording: its inputs happen again at their times. Acting now starts a new branch.">
                    {"rewound"}
                </span>
            }
            <code class="digest" data-testid="digest" data-digest={clock.digest.clone()}
                title={format!("This run's digest, {}: the same run gives the same digest on any machine", clock.digest)}>
                {format!("run {short}")}
            </code>
            <button class="small" data-testid="share" onclick={act(Action::Share)}
                title="Copy a link that opens this exact run at this moment">{"Share link"}</button>
            <button class="small" data-testid="export" onclick={act(Action::Export)}
                title="Download the run as a scenario script (replica-sim FILE replays it)">{"Export"}</button>
            <label class="small button" title="Open a run exported as a script">{"Import…"}
                <input type="file" accept=".txt,text/plain" data-testid="import-file" onchange={on_import} />
            </label>
            if let Some(url) = &*link {
                <div class="share-link">
                    <input readonly=true data-testid="share-link" value={url.clone()} size="40"
                        aria-label="The share link" />
                    <span class="muted">{format!("copied · {} characters", url.len())}</span>
                </div>
            }
        </div>
    }
}
