//! Golden scenario scripts: every file in `tests/scenarios/` is a scenario whose commands run
//! through [`Scenario::run_line`] — the same language as the browser and `replica-sim` — with
//! the expected output recorded below each block. Regenerate on purpose with
//! `UPDATE_GOLDENFILES=1 cargo test --test scenarios`, then review the diff.
//!
//! Write SQL lines as literals (`> sql: INSERT ...`) so goldenscript passes them on untouched;
//! plain commands (`advance 1s`) are rebuilt from their parsed arguments.

use std::error::Error;
use std::path::Path;

use replica_playground::engine::scenario::Scenario;

#[derive(Default)]
struct Runner {
    scenario: Scenario,
}

impl goldenscript::Runner for Runner {
    type Command = goldenscript::Command;

    fn run(
        &mut self,
        command: &goldenscript::Command,
        _: &goldenscript::Context,
    ) -> Result<String, Box<dyn Error>> {
        let mut line = command.name.clone();
        for arg in &command.args {
            line.push(' ');
            line.push_str(&arg.to_string());
        }
        Ok(self.scenario.run_line(&line)?)
    }
}

fn run_script(path: &Path) {
    goldenscript::run(&mut Runner::default(), path)
        .expect("golden scenario failed (see the message for the line)");
}

test_each_file::test_each_path! { in "tests/scenarios" as scenario => run_script }
