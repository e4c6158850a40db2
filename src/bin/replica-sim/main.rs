//! `replica-sim`: runs scenario scripts natively and prints a transcript.
//!
//! ```text
//! cargo run --bin replica-sim -- examples/read-after-write.txt
//! cargo run --bin replica-sim -- --keep-going a.txt b.txt
//! echo "sql: SELECT 1" | cargo run --bin replica-sim -- -
//! cargo run --bin replica-sim -- --link 'http://127.0.0.1:8080/#run=v1.…'
//! cargo run --bin replica-sim -- --lesson failover    (or --lesson list)
//! ```
//!
//! After each script it prints the run's digest (`# digest … at t = …`), the same the page
//! shows for the same run. A script exported from the page says in its header which digest it
//! ended with; if this replay ends elsewhere, `replica-sim` says so.
//!
//! Exit status: 0 when every line ran (and an exported script's digest matched), 1 when a
//! line was bad (the transcript says which) or the digest differs, 2 on a usage or file error.
//!
//! `replica-sim --bench` (part of `make bench`) prints the simulation's figures instead: replay
//! speed and rewind on the standard load, the read cache's effect, and peak memory (see
//! [`bench`]). Build with `--release` for meaningful numbers.

use std::io::Read as _;
use std::process::ExitCode;

mod bench;

use replica_playground::engine::digest::format_digest;
use replica_playground::engine::recording::{Run, ScriptHeader};
use replica_playground::engine::{format_millis, share};

const USAGE: &str = "usage: replica-sim [--keep-going] SCRIPT... (use - for standard input)\n       replica-sim --link URL\n       replica-sim --lesson ID|list\n       replica-sim --bench";

/// Plays a lesson's setup and every step's "Show me" script, printing the transcript and
/// whether each step's goals were met (exit 1 if one was not); `list` lists the lessons.
fn lesson(id: Option<&str>) -> ExitCode {
    let lessons = replica_playground::lessons::all();
    match id {
        None | Some("list") => {
            for lesson in &lessons {
                println!("{:<26} {}", lesson.id, lesson.title);
            }
            ExitCode::SUCCESS
        }
        Some(id) => match replica_playground::lessons::position(&lessons, id) {
            Ok(index) => {
                let (transcript, all_done) = lessons[index].rehearse();
                print!("{transcript}");
                if all_done {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(error) => {
                eprintln!("replica-sim: {error}");
                ExitCode::from(2)
            }
        },
    }
}

fn main() -> ExitCode {
    let mut keep_going = false;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--keep-going" | "-k" => keep_going = true,
            "--link" => {
                let Some(link) = args.next() else {
                    eprintln!("--link needs a share link\n{USAGE}");
                    return ExitCode::from(2);
                };
                let payload = share::payload_of(link.rsplit_once('#').map_or(&link, |(_, f)| f));
                return match payload.map(share::decode) {
                    Some(Ok(script)) => play("link", &script, false),
                    Some(Err(error)) => {
                        eprintln!("replica-sim: {error}");
                        ExitCode::from(1)
                    }
                    None => {
                        eprintln!("replica-sim: that is not a share link (no #run=… in it)");
                        ExitCode::from(2)
                    }
                };
            }
            "--lesson" => return lesson(args.next().as_deref()),
            "--bench" => {
                bench::run();
                return ExitCode::SUCCESS;
            }
            "--bench-memory" => {
                let minutes = args.next().and_then(|m| m.parse().ok()).unwrap_or(10);
                let retain_minutes = args.next().and_then(|m| m.parse().ok());
                bench::memory_child(minutes, retain_minutes);
                return ExitCode::SUCCESS;
            }
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
        failed |= play(path, &script, keep_going) != ExitCode::SUCCESS;
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Plays one script and prints its transcript and final digest; checks the digest an exported
/// script claims.
fn play(path: &str, script: &str, keep_going: bool) -> ExitCode {
    let header = match ScriptHeader::read(script) {
        Ok(header) => header,
        Err(error) => {
            eprintln!("{path}: line 1: {error}");
            return ExitCode::from(1);
        }
    };
    let mut run = Run::default();
    let (transcript, errors) = run.run_script(script, keep_going);
    print!("{transcript}");
    for error in &errors {
        eprintln!("{path}: {error}");
    }
    let digest = run.digest();
    println!("# digest {} at t = {}", format_digest(digest), format_millis(run.now_ms()));
    match header.digest {
        Some(claimed) if claimed != digest => {
            eprintln!(
                "{path}: the run ended with digest {}, but the script says {}: it was made by another version, or edited",
                format_digest(digest),
                format_digest(claimed)
            );
            ExitCode::from(1)
        }
        _ if !errors.is_empty() => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
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
