//! Fuzzes the command language: any line either parses or is refused with a message, never a
//! panic; a line that parses prints a canonical line that parses back to the same command; and
//! applying it to a small cluster never panics either.
//!
//! Run with `cargo fuzz run command_parse` from `fuzz/` (nightly Rust).

#![no_main]

use libfuzzer_sys::fuzz_target;
use replica_playground::engine::command::Command;
use replica_playground::engine::recording::Run;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut run = Run::default();
    for line in text.lines().take(20) {
        let Ok(command) = line.parse::<Command>() else { continue };
        let again: Command = command.to_string().parse().expect("a printed command parses");
        assert_eq!(again, command, "{command}");
        // Keep time bounded so a fuzzed `advance 100y` does not run for ever.
        if matches!(command, Command::Advance(ms) if ms > 60_000)
            || matches!(command, Command::Settle { .. } | Command::Load(_))
        {
            continue;
        }
        let _ = run.apply(&command);
    }
});
