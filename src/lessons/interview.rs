//! # Interview practice: the questions, their model answers, an experiment for each point
//!
//! `lessons/interview.txt` holds the lesson's checkpoint items, its mini-test and two classic
//! interview questions. Each model answer is a list of points; each point names an experiment
//! (`try: LESSON STEP`): the page opens that lesson and plays its steps up to STEP, so the
//! learner watches the point happen. The learner ticks the points their own answer made —
//! nothing scores the text they typed.

use super::{entries, position, Lesson};
use crate::engine::Error;

const SOURCE: &str = include_str!("../../lessons/interview.txt");

/// One question and its model answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub text: String,
    /// Where it comes from: `checkpoint`, `mini-test` or `interview`.
    pub from: String,
    pub points: Vec<Point>,
}

/// One point of a model answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub text: String,
    /// The experiment: a lesson (index) and how many of its steps to play (1-based).
    pub experiment: Option<(usize, usize)>,
}

/// The questions, with their experiments checked against the lessons.
pub fn questions(lessons: &[Lesson]) -> Result<Vec<Question>, Error> {
    let mut questions: Vec<Question> = Vec::new();
    for entry in entries(SOURCE)? {
        let question = questions.last_mut();
        match (entry.key, question) {
            ("question", _) => questions.push(Question {
                text: entry.prose(),
                from: String::new(),
                points: Vec::new(),
            }),
            ("from", Some(q)) => q.from = entry.prose(),
            ("point", Some(q)) => q.points.push(Point { text: entry.prose(), experiment: None }),
            ("try", Some(q)) => {
                let point =
                    q.points.last_mut().ok_or_else(|| entry.error("comes after a point"))?;
                point.experiment =
                    Some(experiment(lessons, &entry.prose()).map_err(|e| entry.error(e))?);
            }
            (key, _) => {
                return Err(entry.error(format!("unknown key \"{key}\" or no question yet")))
            }
        }
    }
    Ok(questions)
}

/// `LESSON STEP` → (lesson index, step), both checked.
fn experiment(lessons: &[Lesson], text: &str) -> Result<(usize, usize), Error> {
    let (id, step) = text.split_once(' ').unwrap_or((text, ""));
    let index = position(lessons, id)?;
    let lesson = &lessons[index];
    match step.trim().parse::<usize>() {
        Ok(step) if (1..=lesson.steps.len()).contains(&step) => Ok((index, step)),
        _ => Err(Error::invalid(format!(
            "\"{text}\": lesson {id} has steps 1 to {}",
            lesson.steps.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_checkpoint_and_mini_test_item_has_a_model_answer_with_experiments() {
        let lessons = super::super::all();
        let questions = questions(&lessons).unwrap_or_else(|e| panic!("{e}"));
        let count = |from: &str| questions.iter().filter(|q| q.from == from).count();
        assert_eq!((count("checkpoint"), count("mini-test"), count("interview")), (5, 4, 2));
        for question in &questions {
            assert!(question.points.len() >= 3, "{}: a model answer of few points", question.text);
            assert!(question.points.iter().all(|p| p.experiment.is_some()), "{}", question.text);
        }
    }

    #[test]
    fn an_experiment_names_a_lesson_and_one_of_its_steps() {
        let lessons = super::super::all();
        assert!(experiment(&lessons, "failover 3").is_ok());
        let error = experiment(&lessons, "failover 4").unwrap_err().to_string();
        assert!(error.contains("lesson failover has steps 1 to 3"), "{error}");
        assert!(experiment(&lessons, "nope 1").is_err());
    }
}
