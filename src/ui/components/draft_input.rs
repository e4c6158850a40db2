//! A text input that keeps what the learner types.
//!
//! The page re-renders ten times a second while the clock runs, and Yew puts a controlled
//! input's `value` back into the DOM whenever it differs — which would wipe half-typed text.
//! So the text being typed is a draft, shown instead of the engine's value until it is
//! committed (Enter or leaving the field). A committed draft the parent rejects stays, marked
//! invalid, with the reason in its title.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DraftInputProps {
    /// The value as the engine has it, formatted.
    pub value: AttrValue,
    pub testid: &'static str,
    /// What the field means, and what it accepts.
    pub title: AttrValue,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or(6)]
    pub size: u32,
    /// Applies committed text; returns whether it was accepted.
    pub on_commit: Callback<String, bool>,
}

/// An input with a draft: see the module docs.
#[function_component(DraftInput)]
pub fn draft_input(props: &DraftInputProps) -> Html {
    let draft = use_state(|| None::<String>);
    let invalid = use_state(|| false);
    {
        // The engine's value changed (a commit, a script, Reset): show it.
        let (draft, invalid) = (draft.clone(), invalid.clone());
        use_effect_with(props.value.clone(), move |_| {
            draft.set(None);
            invalid.set(false);
        });
    }
    let on_input = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            draft.set(Some(input.value()));
        })
    };
    let on_change = {
        let (draft, invalid, on_commit) = (draft.clone(), invalid.clone(), props.on_commit.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let accepted = on_commit.emit(input.value());
            invalid.set(!accepted);
            if accepted {
                draft.set(None);
            }
        })
    };
    let value = (*draft).clone().map_or(props.value.clone(), AttrValue::from);
    html! {
        <input data-testid={props.testid} title={props.title.clone()} size={props.size.to_string()}
            class={classes!(props.class.clone(), (*invalid).then_some("invalid"))}
            aria-invalid={invalid.to_string()} placeholder={props.placeholder.clone()}
            {value} oninput={on_input} onchange={on_change} />
    }
}
