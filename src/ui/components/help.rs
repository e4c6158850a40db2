//! The keyboard shortcuts overlay (`?`).

use yew::prelude::*;

/// Every shortcut: (keys, what it does).
pub const SHORTCUTS: [(&str, &str); 6] = [
    ("Space", "play or pause the simulated clock"),
    (".", "step: advance one simulated second"),
    ("?", "show or hide this help"),
    ("Esc", "close this help, or the selected node's controls"),
    ("Ctrl+Enter", "run the SQL in the console"),
    ("Tab / Enter", "move between controls; Enter on a node in the diagram opens its controls"),
];

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

#[function_component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="overlay" data-testid="help" role="dialog" aria-modal="true" aria-labelledby="help-title">
            <div class="overlay-box">
                <h2 id="help-title">{"Keyboard shortcuts"}</h2>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().map(|(keys, what)| html! {
                        <><dt><kbd>{*keys}</kbd></dt><dd>{*what}</dd></>
                    }) }
                </dl>
                <button data-testid="help-close" onclick={close} autofocus=true>{"Close"}</button>
            </div>
        </div>
    }
}
