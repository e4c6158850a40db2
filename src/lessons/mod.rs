//! # Lessons: the lesson's sections, each a scenario with narration and "try this" steps
//!
//! A lesson is a text file in `lessons/` (compiled in): an id for `?lesson=`, a title, a few
//! paragraphs of narration, a `setup` script (the scenario language of `docs/scenarios.md`)
//! that builds the moment the lesson starts from, and steps. Each step says what to do and
//! what to look at, names the [`Goal`]s that turn it green, and carries a `show` script that
//! does it for the learner — which is also how the lessons' tests prove every step can be done.
//!
//! ```text
//! lesson: failover                      id, as in ?lesson=failover
//! title: Failover: …
//! about:                                narration; indented lines, blank line = new paragraph
//!     When the primary stops, …
//! setup:                                script lines, indented
//!     cluster replicas=2 seed=11
//! step: Crash the primary.              what to do
//! look: Watch the manager's countdown.  what to look at (optional)
//! goal: crashed primary                 one or more; all must be met
//! show:                                 the script "Show me" runs
//!     crash pg1
//! then: The manager …                   shown once the step is done (optional)
//! ```
//!
//! Keys start a line; indented lines continue the key above (a one-line value may follow the
//! colon instead). `#` at the start of a line is a comment.

pub mod goal;
pub mod interview;

use crate::engine::recording::Run;
use crate::engine::{Error, Millis};
pub use goal::Goal;

/// The lessons, in the order of the lesson text.
const SOURCES: [&str; 12] = [
    include_str!("../../lessons/01-why-replication.lesson"),
    include_str!("../../lessons/02-primary-and-replica.lesson"),
    include_str!("../../lessons/03-orders.lesson"),
    include_str!("../../lessons/04-replication-lag.lesson"),
    include_str!("../../lessons/05-read-after-write.lesson"),
    include_str!("../../lessons/06-sync-vs-async.lesson"),
    include_str!("../../lessons/07-read-scaling.lesson"),
    include_str!("../../lessons/08-failover.lesson"),
    include_str!("../../lessons/09-write-bottleneck.lesson"),
    include_str!("../../lessons/10-traffic-10x.lesson"),
    include_str!("../../lessons/11-never-write-to-a-replica.lesson"),
    include_str!("../../lessons/12-monitoring.lesson"),
];

/// One lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// Its name in `?lesson=` and in saved progress.
    pub id: String,
    pub title: String,
    /// Narration paragraphs.
    pub about: Vec<String>,
    /// The script that builds the lesson's starting moment.
    pub setup: String,
    pub steps: Vec<Step>,
}

/// One "try this" step.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// What to do.
    pub task: String,
    /// What to look at while doing it.
    pub look: Option<String>,
    /// All must be met for the step to be done.
    pub goals: Vec<Goal>,
    /// The script "Show me" runs.
    pub show: String,
    /// What it showed, once done.
    pub then: Option<String>,
}

impl Step {
    /// Whether every goal is met since `since_ms`.
    pub fn done(&self, run: &Run, since_ms: Millis) -> bool {
        self.goals.iter().all(|goal| goal.met(run, since_ms))
    }
}

/// Every lesson, parsed (the files are compiled in and tested, so they parse).
pub fn all() -> Vec<Lesson> {
    SOURCES
        .iter()
        .map(|source| {
            let parsed = Lesson::parse(source);
            parsed.unwrap_or_else(|e| panic!("a compiled-in lesson does not parse: {e}"))
        })
        .collect()
}

/// Where the lesson with this id is, or an error that lists the ids there are.
pub fn position(lessons: &[Lesson], id: &str) -> Result<usize, Error> {
    lessons.iter().position(|l| l.id == id).ok_or_else(|| {
        let ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
        Error::invalid(format!("there is no lesson \"{id}\"; the lessons are: {}", ids.join(", ")))
    })
}

/// One `key: value` entry with its indented continuation lines.
pub(crate) struct Entry<'a> {
    line: usize,
    pub key: &'a str,
    body: Vec<&'a str>,
}

impl Entry<'_> {
    /// The body as text: script lines one per line.
    fn lines(&self) -> String {
        let mut text = self.body.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
        text.push('\n');
        text.trim_start().to_string()
    }

    /// The body as prose: lines joined by spaces, a blank line between paragraphs.
    fn paragraphs(&self) -> Vec<String> {
        let text = self.body.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
        let paragraphs = text.split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>());
        paragraphs.filter(|words| !words.is_empty()).map(|words| words.join(" ")).collect()
    }

    pub(crate) fn prose(&self) -> String {
        self.paragraphs().join("\n\n")
    }

    pub(crate) fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::invalid(format!("line {}: {}: {message}", self.line, self.key))
    }
}

/// Splits a lesson file into its entries.
pub(crate) fn entries(source: &str) -> Result<Vec<Entry<'_>>, Error> {
    let mut entries: Vec<Entry<'_>> = Vec::new();
    for (index, line) in source.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        let continues = line.starts_with([' ', '\t']) || line.trim().is_empty();
        match entries.last_mut() {
            Some(entry) if continues => entry.body.push(line),
            None if continues => {
                if !line.trim().is_empty() {
                    return Err(Error::invalid(format!(
                        "line {}: text before the first key",
                        index + 1
                    )));
                }
            }
            _ => {
                let (key, value) = line.split_once(':').ok_or_else(|| {
                    Error::invalid(format!(
                        "line {}: expected \"key: value\", got \"{line}\"",
                        index + 1
                    ))
                })?;
                let body = if value.trim().is_empty() { Vec::new() } else { vec![value] };
                entries.push(Entry { line: index + 1, key: key.trim(), body });
            }
        }
    }
    Ok(entries)
}

impl Lesson {
    /// Reads a lesson file (the format is in the module's documentation).
    pub fn parse(source: &str) -> Result<Lesson, Error> {
        let mut lesson = Lesson {
            id: String::new(),
            title: String::new(),
            about: Vec::new(),
            setup: String::new(),
            steps: Vec::new(),
        };
        for entry in entries(source)? {
            let step = lesson.steps.last_mut();
            match (entry.key, step) {
                ("lesson", _) => lesson.id = entry.prose(),
                ("title", _) => lesson.title = entry.prose(),
                ("about", _) => lesson.about = entry.paragraphs(),
                ("setup", _) => lesson.setup = entry.lines(),
                ("step", _) => lesson.steps.push(Step {
                    task: entry.prose(),
                    look: None,
                    goals: Vec::new(),
                    show: String::new(),
                    then: None,
                }),
                ("look", Some(step)) => step.look = Some(entry.prose()),
                ("goal", Some(step)) => {
                    step.goals.push(entry.prose().parse().map_err(|e| entry.error(e))?)
                }
                ("show", Some(step)) => step.show = entry.lines(),
                ("then", Some(step)) => step.then = Some(entry.prose()),
                ("look" | "goal" | "show" | "then", None) => {
                    return Err(entry.error("belongs to a step; put a \"step:\" line first"))
                }
                (key, _) => return Err(entry.error(format!("unknown key \"{key}\""))),
            }
        }
        lesson.check()?;
        Ok(lesson)
    }

    /// Plays the lesson as a learner pressing every "Show me" in turn would: the transcript
    /// (setup, then each step's script and whether its goals were met), and whether all were.
    pub fn rehearse(&self) -> (String, bool) {
        let mut run = Run::default();
        let (mut transcript, errors) = run.run_script(&self.setup, false);
        let start_ms = run.now_ms();
        let mut all_done = errors.is_empty();
        for (number, step) in self.steps.iter().enumerate() {
            let (output, errors) = run.run_script(&step.show, false);
            let done = errors.is_empty() && step.done(&run, start_ms);
            all_done &= done;
            let verdict = if done { "done" } else { "NOT done" };
            transcript.push_str(&format!(
                "## step {}: {} — {verdict}\n{output}",
                number + 1,
                step.task
            ));
        }
        (transcript, all_done)
    }

    /// What every lesson must have.
    fn check(&self) -> Result<(), Error> {
        let missing = |what: &str| Error::invalid(format!("lesson \"{}\" has no {what}", self.id));
        if self.id.is_empty()
            || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Error::invalid(format!(
                "a lesson's id is lower-case words and digits joined by '-', got \"{}\"",
                self.id
            )));
        }
        if self.title.is_empty() {
            return Err(missing("title"));
        }
        if self.setup.trim().is_empty() {
            return Err(missing("setup"));
        }
        if self.steps.is_empty() {
            return Err(missing("steps"));
        }
        for (number, step) in self.steps.iter().enumerate() {
            if step.goals.is_empty() || step.show.trim().is_empty() {
                return Err(Error::invalid(format!(
                    "lesson \"{}\", step {}: every step needs a goal and a show script",
                    self.id,
                    number + 1
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
