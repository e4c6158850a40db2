//! Golden scenario scripts: every file in `tests/scenarios/` is a scenario whose commands are
//! applied through [`Scenario::apply`] — the same function the browser and `replica-sim` use —
//! with the expected output recorded below each block. Regenerate on purpose with
//! `UPDATE_GOLDENFILES=1 cargo test --test scenarios`, then review the diff.
//!
//! goldenscript hands over each command already split into its name and arguments, and the
//! runner builds the [`Command`] from those words directly. SQL, `set` and `show` take the rest
//! of their line, so they are written as goldenscript literals (`> sql: INSERT ...`), which
//! arrive as one line of text and are parsed as a script line is.

use std::error::Error;
use std::path::Path;

use replica_playground::engine::command::{Command, Words};
use replica_playground::engine::scenario::Scenario;

#[derive(Default)]
struct Runner {
    scenario: Scenario,
}

/// The command a goldenscript command stands for.
fn command_of(command: &goldenscript::Command) -> Result<Command, Box<dyn Error>> {
    if command.args.is_empty() {
        // A bare verb, or a literal line (`> sql: ...`) that arrives whole as the name.
        return Ok(command.name.parse()?);
    }
    let mut texts = Vec::new(); // owned `key=value` words goldenscript split apart
    let mut words = Words { verb: &command.name, ..Words::default() };
    let mut positional = Vec::new();
    for arg in &command.args {
        match arg {
            goldenscript::Argument::Positional(value) => positional.push(value.as_str()),
            goldenscript::Argument::KeyValue(key, value) if !key.is_empty() => {
                words.options.push((key.as_str(), value.as_str()))
            }
            other => texts.push(other.to_string()),
        }
    }
    words.positional = positional;
    words.positional.extend(texts.iter().map(String::as_str));
    Ok(Command::from_words(&words)?)
}

impl goldenscript::Runner for Runner {
    type Command = goldenscript::Command;

    fn run(
        &mut self,
        command: &goldenscript::Command,
        _: &goldenscript::Context,
    ) -> Result<String, Box<dyn Error>> {
        let command = command_of(command)?;
        Ok(self.scenario.apply(&command)?)
    }
}

fn run_script(path: &Path) {
    goldenscript::run(&mut Runner::default(), path)
        .expect("golden scenario failed (see the message for the line)");
}

test_each_file::test_each_path! { in "tests/scenarios" as scenario => run_script }
