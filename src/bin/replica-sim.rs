//! `replica-sim`: runs scenario scripts natively and prints a transcript.
//!
//! ```text
//! cargo run --bin replica-sim -- examples/read-after-write.txt
//! cargo run --bin replica-sim -- --keep-going a.txt b.txt
//! echo "sql: SELECT 1" | cargo run --bin replica-sim -- -
//! ```
//!
//! Exit status: 0 when every line ran, 1 when a line was bad (the transcript says which),
//! 2 on a usage or file error.

use std::io::Read as _;
use std::process::ExitCode;

use replica_playground::engine::scenario::Scenario;

const USAGE: &str = "usage: replica-sim [--keep-going] SCRIPT... (use - for standard input)";

fn main() -> ExitCode {
    let mut keep_going = false;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--keep-going" | "-k" => keep_going = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with("--") => {
                eprintln!("unknown option {flag}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => paths.push(arg),
        }
    }
    if paths.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for path in &paths {
        let script = match read_script(path) {
            Ok(script) => script,
            Err(e) => {
                eprintln!("replica-sim: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        };
        let (transcript, errors) = Scenario::default().run_script(&script, keep_going);
        print!("{transcript}");
        for error in &errors {
            eprintln!("{path}: {error}");
        }
        failed |= !errors.is_empty();
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn read_script(path: &str) -> std::io::Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
}
