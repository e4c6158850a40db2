//! The lessons: a list of the twelve, the open one's narration and its "try this" steps, each
//! turning green when the run shows it was done, with "Show me" (its script) and "Replay this
//! step" (back to where it began). Back / Next move between lessons.

use yew::prelude::*;

use super::InterviewPanel;
use crate::lessons::Lesson;
use crate::ui::guide::Guide;
use crate::ui::state::Action;

#[derive(Properties)]
pub struct LessonPanelProps {
    pub guide: Guide,
    pub on_action: Callback<Action>,
}

impl PartialEq for LessonPanelProps {
    fn eq(&self, other: &Self) -> bool {
        self.guide.same_progress(&other.guide) && self.on_action == other.on_action
    }
}

/// A button's click: these actions, in order.
fn on_click<const N: usize>(
    on_action: &Callback<Action>,
    actions: [Action; N],
) -> Callback<MouseEvent> {
    let on_action = on_action.clone();
    Callback::from(move |_: MouseEvent| actions.iter().cloned().for_each(|a| on_action.emit(a)))
}

/// The lesson bar: closed, a list to start from; open, the lesson.
#[function_component(LessonPanel)]
pub fn lesson_panel(props: &LessonPanelProps) -> Html {
    let guide = &props.guide;
    let act = |action: Action| on_click(&props.on_action, [action]);
    let on_pick = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            match select.value().parse::<usize>() {
                Ok(index) => on_action.emit(Action::OpenLesson(index)),
                Err(_) => on_action.emit(Action::CloseLesson),
            }
        })
    };
    let interview = use_state(|| false);
    let on_interview = {
        let interview = interview.clone();
        Callback::from(move |_: MouseEvent| interview.set(!*interview))
    };
    let open = guide.open.as_ref().map(|o| o.index);
    let count = guide.lessons.len();
    html! {
        <section class={classes!("lesson", open.is_some().then_some("open"))} aria-label="Lessons" data-testid="lesson-panel">
            <div class="lesson-bar">
                <strong>{"Lessons"}</strong>
                <select data-testid="lesson-list" aria-label="Choose a lesson" onchange={on_pick}>
                    <option value="" selected={open.is_none()}>{"— choose a lesson —"}</option>
                    { for guide.lessons.iter().enumerate().map(|(index, lesson)| {
                        let done = guide.done_count(index);
                        let mark = if done == lesson.steps.len() { " ✓".to_string() } else if done > 0 { format!(" ({done}/{})", lesson.steps.len()) } else { String::new() };
                        html! { <option value={index.to_string()} selected={open == Some(index)}>{format!("{}{mark}", lesson.title)}</option> }
                    }) }
                </select>
                <button data-testid="interview-toggle" aria-pressed={interview.to_string()} onclick={on_interview}
                    title="The lesson's checkpoint and mini-test as interview questions, with model answers">
                    { if *interview { "Back to the lessons" } else { "Interview practice" } }</button>
                if let Some(index) = open {
                    <button data-testid="lesson-back" disabled={index == 0} onclick={act(Action::OpenLesson(index.saturating_sub(1)))}>{"← Back"}</button>
                    <button data-testid="lesson-next" disabled={index + 1 >= count} onclick={act(Action::OpenLesson(index + 1))}>{"Next →"}</button>
                    <button class="secondary" data-testid="lesson-restart" title="Play the lesson's setup again and clear its ticks"
                        onclick={on_click(&props.on_action, [Action::ForgetLesson(index), Action::OpenLesson(index)])}>{"Start over"}</button>
                    <button class="secondary" data-testid="lesson-close" onclick={act(Action::CloseLesson)}>{"Close"}</button>
                } else {
                    <span class="muted">{format!("{count} short lessons on replication and read scaling, each with steps to try.")}</span>
                    <button class="primary" data-testid="lesson-start" onclick={act(Action::OpenLesson(0))}>{"Start the first lesson"}</button>
                }
            </div>
            if *interview {
                <InterviewPanel questions={guide.questions.clone()} on_action={props.on_action.clone()} />
            } else if let Some(index) = open {
                { lesson_body(guide, index, &guide.lessons[index], &props.on_action) }
            }
        </section>
    }
}

fn lesson_body(guide: &Guide, index: usize, lesson: &Lesson, on_action: &Callback<Action>) -> Html {
    html! {
        <div class="lesson-body">
            <div class="lesson-about">
                <h2 data-testid="lesson-title">{&lesson.title}</h2>
                { for lesson.about.iter().map(|p| html! { <p>{p}</p> }) }
            </div>
            <ol class="lesson-steps" data-testid="lesson-steps">
                { for lesson.steps.iter().enumerate().map(|(step, spec)| {
                    let done = guide.is_done(index, step);
                    let emit = |action: Action| on_click(on_action, [action]);
                    html! {
                        <li class={classes!("lesson-step", done.then_some("done"))} data-testid="lesson-step" data-done={done.to_string()}>
                            <span class="step-mark" aria-label={if done { "done" } else { "to do" }}>{ if done { "✓" } else { "○" } }</span>
                            <div class="step-text">
                                <p class="step-task">{&spec.task}</p>
                                if let Some(look) = &spec.look {
                                    <p class="step-look muted">{"Look at: "}{look}</p>
                                }
                                if let (true, Some(then)) = (done, &spec.then) {
                                    <p class="step-then">{then}</p>
                                }
                                <div class="step-actions">
                                    <button data-testid="step-show" title={format!("Runs: {}", spec.show.trim().replace('\n', "; "))}
                                        onclick={emit(Action::ShowStep(step))}>{"Show me"}</button>
                                    <button class="secondary" data-testid="step-replay" title="Rewind to where this step began (paused)"
                                        onclick={emit(Action::ReplayStep(step))}>{"Replay this step"}</button>
                                </div>
                            </div>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
