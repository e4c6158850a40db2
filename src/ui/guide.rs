//! # The guide: which lesson is open, which steps are done, what the browser keeps
//!
//! Yew-free, so it is tested natively. The reducer owns one [`Guide`]; opening a lesson
//! replaces the run with the lesson's setup (a recording like any other), and after every
//! action — and a few times a second while the clock runs — [`Guide::observe`] checks the open
//! lesson's steps against the run. A step once done stays done: the set of done steps is what
//! the page saves in `localStorage` ([`Guide::saved`], [`Guide::restore`]) and shows again after
//! a reload.

use std::rc::Rc;

use crate::engine::recording::Run;
use crate::engine::Millis;
use crate::lessons::interview::{self, Question};
use crate::lessons::{self, Lesson};

/// The lesson open in the page.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenLesson {
    /// Index into the lessons.
    pub index: usize,
    /// When the lesson began (its setup's end): every goal is judged from here.
    pub start_ms: Millis,
    /// When each step was done in this run (None: not yet, or done on an earlier visit).
    pub done_at_ms: Vec<Option<Millis>>,
}

/// The lessons and the learner's progress through them.
#[derive(Clone, Debug, PartialEq)]
pub struct Guide {
    pub lessons: Rc<Vec<Lesson>>,
    /// Interview practice: questions with model answers.
    pub questions: Rc<Vec<Question>>,
    pub open: Option<OpenLesson>,
    /// Done steps, as `lesson-id/step-number` (1-based), sorted: what `localStorage` keeps.
    done: Vec<String>,
}

impl Default for Guide {
    fn default() -> Self {
        let lessons = lessons::all();
        let questions = interview::questions(&lessons)
            .unwrap_or_else(|e| panic!("the compiled-in interview questions do not parse: {e}"));
        Self {
            lessons: Rc::new(lessons),
            questions: Rc::new(questions),
            open: None,
            done: Vec::new(),
        }
    }
}

/// A step that became done, for the host page's "step completed" message.
#[derive(Clone, Debug, PartialEq)]
pub struct Completed {
    pub lesson: String,
    /// 1-based.
    pub step: usize,
}

fn key(lesson: &Lesson, step: usize) -> String {
    format!("{}/{}", lesson.id, step + 1)
}

impl Guide {
    /// The open lesson, if any.
    pub fn lesson(&self) -> Option<&Lesson> {
        self.open.as_ref().map(|open| &self.lessons[open.index])
    }

    /// Whether two guides show the same thing (the lessons themselves never change).
    pub fn same_progress(&self, other: &Guide) -> bool {
        Rc::ptr_eq(&self.lessons, &other.lessons)
            && self.open == other.open
            && self.done == other.done
    }

    /// Whether a step of a lesson is done (in this run or saved from an earlier visit).
    pub fn is_done(&self, index: usize, step: usize) -> bool {
        let key = key(&self.lessons[index], step);
        self.done.binary_search(&key).is_ok()
    }

    /// How many of a lesson's steps are done.
    pub fn done_count(&self, index: usize) -> usize {
        (0..self.lessons[index].steps.len()).filter(|s| self.is_done(index, *s)).count()
    }

    /// Opens a lesson whose setup has just been played on `run`.
    pub fn opened(&mut self, index: usize, run: &Run) {
        let steps = self.lessons[index].steps.len();
        self.open =
            Some(OpenLesson { index, start_ms: run.now_ms(), done_at_ms: vec![None; steps] });
    }

    /// Closes the open lesson (progress stays).
    pub fn close(&mut self) {
        self.open = None;
    }

    /// Where a step begins, for "replay this step": when the step before it was done in this
    /// run, else the lesson's start.
    pub fn step_start_ms(&self, step: usize) -> Option<Millis> {
        let open = self.open.as_ref()?;
        let before = step.checked_sub(1).and_then(|s| open.done_at_ms.get(s).copied().flatten());
        Some(before.unwrap_or(open.start_ms))
    }

    /// Checks the open lesson's steps that are not done yet; returns those that became done.
    pub fn observe(&mut self, run: &Run) -> Vec<Completed> {
        let Some(open) = self.open.as_ref() else { return Vec::new() };
        let (index, start_ms) = (open.index, open.start_ms);
        let lessons = self.lessons.clone();
        let lesson = &lessons[index];
        let mut completed = Vec::new();
        for (step, spec) in lesson.steps.iter().enumerate() {
            let fresh = self.open.as_ref().is_some_and(|o| o.done_at_ms[step].is_none());
            if !fresh || !spec.done(run, start_ms) {
                continue;
            }
            if let Some(open) = self.open.as_mut() {
                open.done_at_ms[step] = Some(run.now_ms());
            }
            if !self.is_done(index, step) {
                self.mark(key(lesson, step));
                completed.push(Completed { lesson: lesson.id.clone(), step: step + 1 });
            }
        }
        completed
    }

    fn mark(&mut self, key: String) {
        if let Err(at) = self.done.binary_search(&key) {
            self.done.insert(at, key);
        }
    }

    /// Forgets a lesson's progress (its steps can be done again).
    pub fn forget(&mut self, index: usize) {
        let prefix = format!("{}/", self.lessons[index].id);
        self.done.retain(|key| !key.starts_with(&prefix));
        if let Some(open) = self.open.as_mut().filter(|o| o.index == index) {
            open.done_at_ms.iter_mut().for_each(|at| *at = None);
        }
    }

    /// The progress as `localStorage` keeps it: one done step per line.
    pub fn saved(&self) -> String {
        self.done.join("\n")
    }

    /// Takes back saved progress. Lines that name no step of a lesson (an older version's, or
    /// edited by hand) are ignored.
    pub fn restore(&mut self, saved: &str) {
        let known = |line: &str| {
            let Some((id, step)) = line.split_once('/') else { return false };
            let Ok(step) = step.parse::<usize>() else { return false };
            self.lessons.iter().any(|l| l.id == id && (1..=l.steps.len()).contains(&step))
        };
        let lines: Vec<String> =
            saved.lines().map(str::trim).filter(|l| known(l)).map(str::to_string).collect();
        for line in lines {
            self.mark(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide_on(id: &str) -> (Guide, Run, usize) {
        let mut guide = Guide::default();
        let index = guide.lessons.iter().position(|l| l.id == id).expect("lesson exists");
        let run = Run::from_script(&guide.lessons[index].setup).expect("setup plays");
        guide.opened(index, &run);
        (guide, run, index)
    }

    #[test]
    fn a_step_turns_done_once_and_is_saved() {
        let (mut guide, mut run, index) = guide_on("failover");
        assert!(guide.observe(&run).is_empty());
        let show = guide.lessons[index].steps[0].show.clone();
        run.run_script(&show, false);
        let completed = guide.observe(&run);
        assert_eq!(completed, [Completed { lesson: "failover".into(), step: 1 }]);
        assert!(guide.observe(&run).is_empty(), "announced once");
        assert!(guide.is_done(index, 0) && !guide.is_done(index, 1));
        assert_eq!(guide.saved(), "failover/1");
        assert_eq!(guide.step_start_ms(1), Some(run.now_ms()));
        assert_eq!(guide.step_start_ms(0), guide.open.as_ref().map(|o| o.start_ms));
    }

    #[test]
    fn saved_progress_comes_back_and_junk_is_ignored() {
        let mut guide = Guide::default();
        guide.restore("failover/2\nfailover/9\nnope/1\n\nread-after-write/1\nfailover/x");
        assert_eq!(guide.saved(), "failover/2\nread-after-write/1");
        let failover = guide.lessons.iter().position(|l| l.id == "failover").unwrap_or(0);
        assert_eq!(guide.done_count(failover), 1);
        guide.forget(failover);
        assert_eq!(guide.saved(), "read-after-write/1");
    }
}
