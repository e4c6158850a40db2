//! Interview practice: a question, the learner's own answer, then the model answer as a
//! checklist the learner ticks honestly (nothing scores the text), each point with an
//! experiment that plays it in the playground.

use std::rc::Rc;

use yew::prelude::*;

use crate::lessons::interview::Question;
use crate::ui::state::Action;

#[derive(Properties)]
pub struct InterviewPanelProps {
    pub questions: Rc<Vec<Question>>,
    pub on_action: Callback<Action>,
}

impl PartialEq for InterviewPanelProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.questions, &other.questions) && self.on_action == other.on_action
    }
}

/// The learner's side of one question.
#[derive(Clone, Default, PartialEq)]
struct Attempt {
    answer: String,
    revealed: bool,
    ticked: Vec<bool>,
}

#[function_component(InterviewPanel)]
pub fn interview_panel(props: &InterviewPanelProps) -> Html {
    let count = props.questions.len();
    let current = use_state(|| 0usize);
    let attempts = use_state(|| vec![Attempt::default(); count]);
    let index = (*current).min(count.saturating_sub(1));
    let Some(question) = props.questions.get(index) else { return html! {} };
    let attempt = attempts.get(index).cloned().unwrap_or_default();
    let update = {
        let attempts = attempts.clone();
        move |change: Box<dyn Fn(&mut Attempt)>| {
            let mut all = (*attempts).clone();
            if let Some(attempt) = all.get_mut(index) {
                change(attempt);
            }
            attempts.set(all);
        }
    };
    let on_answer = {
        let update = update.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            let text = area.value();
            update(Box::new(move |a| a.answer = text.clone()));
        })
    };
    let on_reveal = {
        let (update, points) = (update.clone(), question.points.len());
        Callback::from(move |_: MouseEvent| {
            update(Box::new(move |a| {
                a.revealed = true;
                a.ticked.resize(points, false);
            }))
        })
    };
    let made = attempt.ticked.iter().filter(|t| **t).count();
    html! {
        <div class="interview" data-testid="interview">
            <ol class="interview-questions">
                { for props.questions.iter().enumerate().map(|(i, q)| {
                    let current = current.clone();
                    let done = attempts.get(i).is_some_and(|a| a.revealed);
                    html! {
                        <li>
                            <button class={classes!("question-pick", (i == index).then_some("selected"))} data-testid="question-pick"
                                onclick={Callback::from(move |_: MouseEvent| current.set(i))}>
                                { if done { "✓ " } else { "" } }{&q.text}<span class="muted">{format!(" · {}", q.from)}</span>
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <div class="interview-question">
                <h2 data-testid="question-text">{&question.text}</h2>
                <textarea data-testid="interview-answer" rows="4" placeholder="Answer as you would in the interview, then compare."
                    aria-label="Your answer" value={attempt.answer.clone()} oninput={on_answer} />
                if !attempt.revealed {
                    <button class="primary" data-testid="reveal-answer" onclick={on_reveal}>{"Show the model answer"}</button>
                } else {
                    <p class="muted">{format!("Tick the points your answer made: {made} of {}.", question.points.len())}</p>
                    <ul class="model-answer" data-testid="model-answer">
                        { for question.points.iter().enumerate().map(|(p, point)| {
                            let ticked = attempt.ticked.get(p).copied().unwrap_or(false);
                            let update = update.clone();
                            let on_tick = Callback::from(move |_: Event| update(Box::new(move |a| {
                                if let Some(t) = a.ticked.get_mut(p) { *t = !*t; }
                            })));
                            html! {
                                <li class={classes!(ticked.then_some("ticked"))}>
                                    <label><input type="checkbox" checked={ticked} onchange={on_tick} data-testid="point-tick" />{&point.text}</label>
                                    if let Some((lesson, steps)) = point.experiment {
                                        <button data-testid="point-try" title="Open the lesson that shows this and play it up to that point"
                                            onclick={props.on_action.reform(move |_: MouseEvent| Action::Experiment { lesson, steps })}>{"Try it"}</button>
                                    }
                                </li>
                            }
                        }) }
                    </ul>
                }
            </div>
        </div>
    }
}
