//! # Recordings: a run is its setup and its inputs, with their simulated times
//!
//! Because the engine is deterministic, a run is fully described by how the cluster started
//! (its `cluster` line, seed included) and every [`Command`] that changed it, each with the
//! simulated time it was given at. That is a [`Recording`]; it prints as a scenario script
//! (`advance` lines between the inputs) and reads back from one, so the same text is an
//! export file, a share link's payload, a lesson, and a golden test.
//!
//! A [`Run`] plays a recording. It grows the recording as the learner acts, keeps snapshots of
//! the cluster (it is `Clone`) every few simulated seconds, and can [`Run::seek`] to any
//! earlier moment: from the nearest snapshot it replays the recorded inputs up to there. Time
//! that passes while rewound follows the recording — the inputs happen again at the same
//! times — until its end, where the run is live again. Acting while rewound starts a branch:
//! the later inputs are dropped, and kept aside so that [`Run::undo_branch`] can restore them.
//!
//! ```text
//!   recording:  cluster seed=1 │ 0.4s sql: CREATE… │ 2.1s sql: INSERT… │ 4.0s crash pg1 │ end 9.5s
//!   snapshots:  0s ─── 2s ─── 4s ─── 6s ─── 8s
//!   seek(3.2s): clone the 2s snapshot, apply the 2.1s input, advance to 3.2s
//! ```

use std::cell::Cell;
use std::fmt::Write as _;

use super::cluster::Reply;
use super::command::{ClusterSpec, Command};
use super::digest::format_digest;
use super::event::LOG_CAPACITY;
use super::history::HISTORY_CAPACITY;
use super::scenario::{is_command_line, Scenario, ScriptError};
use super::{format_millis, Error, Millis};

/// The recording format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The first line of an exported recording.
const HEADER: &str = "# replica-playground recording";

/// Snapshots are taken this often at first; the spacing doubles when they weigh too much:
/// 0.625, 1.25, 2.5, 5, 10 s... (the standard load's 10 minutes keep 2.5 s within the larger
/// budget, so a rewind replays at most 2.5 s of it).
const SNAPSHOT_EVERY_MS: Millis = 625;

/// At most this many snapshots are kept (every other one is dropped beyond it).
const SNAPSHOTS_KEPT: usize = 1_200;

/// What the snapshots may hold in all, as [`Footprint::weight_bytes`] estimates it; beyond it
/// they are thinned out, so a long, write-heavy run rewinds more slowly rather than running
/// the tab out of memory. The standard load's 10 minutes keep a snapshot every 20 s within
/// this (a rewind replays up to 20 s), which a phone can hold.
pub const SNAPSHOT_BUDGET_BYTES: u64 = 128 << 20;

/// The budget for a machine with memory to spare (8 GiB or more): the standard load's
/// 10 minutes keep a snapshot every 2.5 s, holding about 300 MiB (a rewind replays at most
/// 2.5 s of it; with 256 MiB they were 5 s apart, and rewinds in headless Chromium on a 2-core
/// machine took 50–110 ms, render included).
pub const LARGE_SNAPSHOT_BUDGET_BYTES: u64 = 320 << 20;

thread_local! {
    /// The budget of runs made from now on ([`set_snapshot_budget_for_new_runs`]).
    static NEW_RUN_BUDGET_BYTES: Cell<u64> = const { Cell::new(SNAPSHOT_BUDGET_BYTES) };
}

/// Sets the snapshot budget of the runs made from now on in this thread (the page: from the
/// device's memory, before it replays a link or a lesson). It changes how fast a rewind is,
/// never what a run does.
pub fn set_snapshot_budget_for_new_runs(bytes: u64) {
    NEW_RUN_BUDGET_BYTES.with(|budget| budget.set(bytes));
}

/// One input, at the simulated time it was given.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub at_ms: Millis,
    pub command: Command,
}

/// How a run started and every input that changed it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recording {
    pub cluster: ClusterSpec,
    /// In order of time (inputs at the same time in the order given).
    pub inputs: Vec<Input>,
    /// How far the run went: the moment a replay stops at.
    pub end_ms: Millis,
}

impl Recording {
    /// The recording as a scenario script: a header (format, digest), the `cluster` line, and
    /// each input after an `advance` to its time; a last `advance` reaches the end.
    pub fn script(&self, digest: Option<u64>) -> String {
        let mut out = format!("{HEADER} v{FORMAT_VERSION}\n");
        if let Some(digest) = digest {
            let _ = writeln!(
                out,
                "# digest {} at t = {}",
                format_digest(digest),
                format_millis(self.end_ms)
            );
        }
        let _ = writeln!(out, "{}", Command::Cluster(self.cluster.clone()));
        let mut now_ms = 0;
        for input in &self.inputs {
            if input.at_ms > now_ms {
                let _ = writeln!(out, "{}", Command::Advance(input.at_ms - now_ms));
                now_ms = input.at_ms;
            }
            let _ = writeln!(out, "{}", input.command);
        }
        if self.end_ms > now_ms {
            let _ = writeln!(out, "{}", Command::Advance(self.end_ms - now_ms));
        }
        out
    }
}

/// What an exported script says about itself in its header comments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptHeader {
    /// The format version, if the script says (`# replica-playground recording v1`).
    pub version: Option<u32>,
    /// The digest the run had when it was exported.
    pub digest: Option<u64>,
}

impl ScriptHeader {
    /// Reads the header comments at the top of a script.
    pub fn read(script: &str) -> Result<Self, Error> {
        let mut header = ScriptHeader::default();
        for line in script.lines().map(str::trim).take_while(|l| l.starts_with('#') || l.is_empty())
        {
            if let Some(rest) = line.strip_prefix(HEADER) {
                let version = rest.trim().strip_prefix('v').and_then(|v| v.parse().ok());
                let version = version.ok_or_else(|| {
                    Error::invalid(format!("the recording's header is damaged: \"{line}\""))
                })?;
                if version > FORMAT_VERSION {
                    return Err(Error::invalid(format!(
                        "this recording is in format v{version}, made by a newer replica-playground; this one reads v{FORMAT_VERSION}"
                    )));
                }
                header.version = Some(version);
            } else if let Some(rest) = line.strip_prefix("# digest ") {
                let hex = rest.split_whitespace().next().unwrap_or("");
                header.digest = Some(u64::from_str_radix(hex, 16).map_err(|_| {
                    Error::invalid(format!("the recording's digest is damaged: \"{line}\""))
                })?);
            }
        }
        Ok(header)
    }
}

/// A cluster in a moment of a recording, kept to rewind from.
#[derive(Clone, Debug)]
struct Snapshot {
    at_ms: Millis,
    /// Inputs of the recording applied up to this moment.
    applied: usize,
    footprint: Footprint,
    scenario: Scenario,
}

/// What a snapshot's memory depends on, counted (not measured: the same run keeps the same
/// snapshots natively and in the browser).
#[derive(Clone, Copy, Debug, Default)]
struct Footprint {
    /// Rows held by every node.
    rows: u64,
    /// WAL written or received by every node, in bytes: every change to a table is in it.
    wal_bytes: u64,
    /// Records ever pushed to the history and to the event log.
    history_records: u64,
    events: u64,
}

/// A snapshot's own share of what it holds, beyond the snapshot before it: the cluster's
/// small state (messages in flight, timers, sessions, metrics: about 224 KiB under the
/// standard load), and the chunk pointers of every table, index and log, about half a byte
/// a row (see [`super::shared`]).
const SNAPSHOT_FIXED_BYTES: u64 = 224 << 10;
const SNAPSHOT_SPINE_ROWS_PER_BYTE: u64 = 2;
/// And its own copies of the chunks changed in between: about this many bytes per byte of
/// WAL (an insert copies its key's chunk of row ids in each index, and that entry's leaf),
/// measured with the standard load.
const SNAPSHOT_COPY_BYTES_PER_WAL_BYTE: u64 = 7;
/// Copies of changed chunks level off at about this many bytes a row, once every key's
/// last chunk and every leaf has been copied.
const SNAPSHOT_FULL_COPY_BYTES_PER_ROW: u64 = 5;
/// And the records the bounded logs dropped since, which it alone still holds, up to the
/// logs' whole length: a history record (112 bytes, the text of a write, and the
/// acknowledgement a write leaves for the invariants), an event (56 bytes, and a commit's
/// first change). Calibrated with a counting allocator on the standard load: snapshots 1, 4,
/// 8 and 16 s apart, each estimated within ~10 % of what dropping it freed; the 10-minute
/// run's snapshots 32 s apart held 80.5 MiB, estimated at 73.8. Recalibrated on the whole
/// 10-minute run: its snapshots 5, 2.5 and 1.25 s apart held 218, 302 and 419 MiB; with
/// 320 KiB fixed they were estimated at 229, 331 and 467, with 224 KiB at 218, 308 and 422.
const SNAPSHOT_HISTORY_RECORD_BYTES: u64 = 136;
const SNAPSHOT_EVENT_BYTES: u64 = 60;

impl Footprint {
    fn of(scenario: &Scenario) -> Self {
        let nodes = scenario.cluster().nodes();
        let rows = |db: &super::sql::Database| -> usize {
            db.table_names().iter().map(|t| db.row_count(t).unwrap_or(0)).sum()
        };
        let wal_bytes = |wal: &super::wal::Wal| wal.end().bytes_since(super::wal::Lsn::START);
        Footprint {
            rows: nodes.iter().map(|n| rows(&n.db) as u64).sum(),
            wal_bytes: nodes.iter().map(|n| wal_bytes(&n.wal)).sum(),
            history_records: scenario.cluster().history().total(),
            events: scenario.cluster().events().total(),
        }
    }

    /// The estimated bytes a snapshot with this footprint holds that the snapshot before it
    /// (with `before`) does not. Copies of changed chunks grow with the WAL in between, then
    /// level off as most chunks have been copied once (`x · full / (x + full)`).
    fn weight_bytes(&self, before: &Footprint) -> u64 {
        let copies =
            self.wal_bytes.saturating_sub(before.wal_bytes) * SNAPSHOT_COPY_BYTES_PER_WAL_BYTE;
        let full = self.rows * SNAPSHOT_FULL_COPY_BYTES_PER_ROW;
        let (copies, full) = (u128::from(copies), u128::from(full));
        let copied = (copies * full).checked_div(copies + full).unwrap_or(0) as u64;
        let logged = |now: u64, then: u64, kept: usize| now.saturating_sub(then).min(kept as u64);
        let history = logged(self.history_records, before.history_records, HISTORY_CAPACITY);
        let events = logged(self.events, before.events, LOG_CAPACITY);
        let logs = history * SNAPSHOT_HISTORY_RECORD_BYTES + events * SNAPSHOT_EVENT_BYTES;
        SNAPSHOT_FIXED_BYTES + self.rows / SNAPSHOT_SPINE_ROWS_PER_BYTE + copied + logs
    }
}

/// What the snapshots hold in all, estimated.
fn weight_bytes(snapshots: &[Snapshot]) -> u64 {
    let first = snapshots.first().map(|s| s.footprint.weight_bytes(&s.footprint)).unwrap_or(0);
    first + snapshots.windows(2).map(|w| w[1].footprint.weight_bytes(&w[0].footprint)).sum::<u64>()
}

/// A recording being played: live at its end, or rewound to an earlier moment.
#[derive(Clone, Debug)]
pub struct Run {
    scenario: Scenario,
    recording: Recording,
    /// How many of the recording's inputs the scenario has applied.
    applied: usize,
    snapshots: Vec<Snapshot>,
    snapshot_every_ms: Millis,
    /// What the snapshots may hold, estimated (see [`SNAPSHOT_BUDGET_BYTES`]).
    snapshot_budget_bytes: u64,
    /// The recording as it was before the last branch dropped its later inputs, and the
    /// moment the branch began.
    undo: Option<(Recording, Millis)>,
    /// The scenario the last jump replaced, kept for [`Run::drop_replaced`]: freeing a
    /// cluster of ten minutes takes a few milliseconds the jump need not wait for.
    replaced: Option<Scenario>,
}

impl Default for Run {
    fn default() -> Self {
        Self::new(ClusterSpec::default())
    }
}

impl Run {
    /// A run on a fresh cluster, at time 0.
    pub fn new(cluster: ClusterSpec) -> Self {
        Self::around(Scenario::new(cluster.config()), cluster)
    }

    /// A run that starts from a scenario just set up by `cluster`.
    fn around(scenario: Scenario, cluster: ClusterSpec) -> Self {
        let footprint = Footprint::of(&scenario);
        let first = Snapshot { at_ms: 0, applied: 0, footprint, scenario: scenario.clone() };
        Self {
            scenario,
            recording: Recording { cluster, inputs: Vec::new(), end_ms: 0 },
            applied: 0,
            snapshots: vec![first],
            snapshot_every_ms: SNAPSHOT_EVERY_MS,
            snapshot_budget_bytes: NEW_RUN_BUDGET_BYTES.with(Cell::get),
            undo: None,
            replaced: None,
        }
    }

    /// Plays a script from a fresh cluster (its own `cluster` line, if any, replaces it):
    /// every line is applied and recorded. Stops at the first bad line.
    pub fn from_script(script: &str) -> Result<Self, ScriptError> {
        let mut run = Run::default();
        match run.run_script(script, false).1.into_iter().next() {
            Some(error) => Err(error),
            None => Ok(run),
        }
    }

    /// Runs a whole script on this run, every line recorded, returning a transcript (each
    /// command, then its output). Stops at the first bad line unless `keep_going`; every bad
    /// line is returned as an error.
    pub fn run_script(&mut self, script: &str, keep_going: bool) -> (String, Vec<ScriptError>) {
        let mut transcript = String::new();
        let mut errors = Vec::new();
        for (index, line) in script.lines().enumerate() {
            if !is_command_line(line) {
                continue;
            }
            let result = line.parse::<Command>().and_then(|command| {
                let _ = writeln!(transcript, "> {command}");
                self.apply(&command)
            });
            match result {
                Ok(output) => transcript.push_str(&output),
                Err(error) => {
                    let error = ScriptError { line: index + 1, error };
                    let _ = writeln!(transcript, "error: {error}");
                    errors.push(error);
                    if !keep_going {
                        break;
                    }
                }
            }
        }
        (transcript, errors)
    }

    /// Plays an exported recording: its header is checked (format version), then every line.
    /// Returns the run and the digest the export claimed, to compare with [`Run::digest`].
    pub fn from_export(script: &str) -> Result<(Self, Option<u64>), ScriptError> {
        let header = ScriptHeader::read(script).map_err(|error| ScriptError { line: 1, error })?;
        Ok((Self::from_script(script)?, header.digest))
    }

    /// The scenario at the run's current moment.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The cluster at the run's current moment.
    pub fn cluster(&self) -> &super::Cluster {
        self.scenario.cluster()
    }

    /// Everything recorded, including inputs after the current moment when rewound.
    pub fn recording(&self) -> &Recording {
        &self.recording
    }

    /// The current moment.
    pub fn now_ms(&self) -> Millis {
        self.cluster().now_ms()
    }

    /// Whether the run stands before the end of its recording (rewound).
    pub fn is_rewound(&self) -> bool {
        self.applied < self.recording.inputs.len() || self.now_ms() < self.recording.end_ms
    }

    /// Whether the last branch can be undone (its dropped inputs restored).
    pub fn can_undo_branch(&self) -> bool {
        self.undo.is_some()
    }

    /// How many inputs the last branch dropped (0 when there is nothing to undo).
    pub fn dropped_by_branch(&self) -> usize {
        self.undo
            .as_ref()
            .map_or(0, |(old, _)| old.inputs.len().saturating_sub(self.applied_before_branch()))
    }

    /// The stable digest of the run at its current moment.
    pub fn digest(&self) -> u64 {
        self.cluster().digest()
    }

    /// Answers that finished since last asked.
    pub fn take_replies(&mut self) -> Vec<Reply> {
        self.scenario.take_replies()
    }

    /// Applies a command. One that changes the run is recorded at the current time (a
    /// `cluster` line starts a new recording; `advance` goes through [`Run::advance`]); acting
    /// while rewound first drops the recording's later inputs (see [`Run::undo_branch`]).
    /// A command that fails changes nothing and is not recorded.
    pub fn apply(&mut self, command: &Command) -> Result<String, Error> {
        match command {
            Command::Cluster(spec) => {
                let output = self.scenario.apply(command)?;
                *self = Run::around(std::mem::take(&mut self.scenario), spec.clone());
                return Ok(output);
            }
            Command::Advance(ms) => {
                self.advance(*ms);
                let time = format!("t = {}\n", format_millis(self.now_ms()));
                return Ok(time + &self.scenario.render_finished(true));
            }
            _ if !command.changes_run() => return self.scenario.apply(command),
            _ => {}
        }
        if self.is_rewound() {
            self.branch();
        }
        let at_ms = self.now_ms();
        let output = self.scenario.apply(command)?;
        if command.is_time() {
            // `settle`: the time it took is recorded, not the condition.
            self.recording.end_ms = self.now_ms();
            self.snapshot_if_due();
        } else {
            self.recording.inputs.push(Input { at_ms, command: command.clone() });
            self.applied = self.recording.inputs.len();
        }
        Ok(output)
    }

    /// Lets `ms` of simulated time pass. Rewound, time follows the recording: its inputs
    /// happen again at their times; past its end the run is live and the recording grows.
    pub fn advance(&mut self, ms: Millis) {
        let target_ms = self.now_ms().saturating_add(ms);
        self.play_until(target_ms);
        if self.applied == self.recording.inputs.len() {
            self.recording.end_ms = self.recording.end_ms.max(self.now_ms());
        }
    }

    /// Moves to any moment from 0 to the recording's end: back from the nearest snapshot,
    /// forward by playing the recording.
    pub fn seek(&mut self, at_ms: Millis) {
        let at_ms = at_ms.min(self.recording.end_ms);
        // Back, or forward past a snapshot: start from the newest snapshot before the target.
        let nearest_ms = self.snapshots.iter().rev().find(|s| s.at_ms <= at_ms).map(|s| s.at_ms);
        if at_ms < self.now_ms() || nearest_ms.is_some_and(|s| s > self.now_ms()) {
            self.restore(at_ms);
        }
        self.play_until(at_ms);
    }

    /// Restores the inputs the last branch dropped, and moves to where the branch began.
    pub fn undo_branch(&mut self) -> bool {
        let Some((recording, branch_ms)) = self.undo.take() else { return false };
        self.recording = recording;
        // Snapshots after the branch belong to the dropped branch.
        self.snapshots.retain(|s| s.at_ms <= branch_ms);
        self.restore(branch_ms);
        self.play_until(branch_ms);
        true
    }

    /// The cluster from the newest snapshot at or before `at_ms`.
    fn restore(&mut self, at_ms: Millis) {
        let snapshot = self
            .snapshots
            .iter()
            .rev()
            .find(|s| s.at_ms <= at_ms)
            .expect("the snapshot at time 0 is always kept");
        let replaced = std::mem::replace(&mut self.scenario, snapshot.scenario.clone());
        // At most one is kept: an earlier one not freed yet is freed now.
        self.replaced = Some(replaced);
        self.applied = snapshot.applied;
    }

    /// Frees the scenario the last jump replaced, if any (the page calls this once the jump
    /// is on screen; nothing else needs it).
    pub fn drop_replaced(&mut self) -> bool {
        self.replaced.take().is_some()
    }

    /// Applies the recorded inputs due by `target_ms` (each after advancing to its time), then
    /// advances to `target_ms`, taking snapshots on the way.
    fn play_until(&mut self, target_ms: Millis) {
        while let Some(input) = self.recording.inputs.get(self.applied) {
            if input.at_ms > target_ms {
                break;
            }
            let (at_ms, command) = (input.at_ms, input.command.clone());
            self.advance_scenario_to(at_ms);
            let replayed = self.scenario.apply(&command);
            debug_assert!(replayed.is_ok(), "a recorded input replays: {command} ({replayed:?})");
            self.applied += 1;
        }
        self.advance_scenario_to(target_ms);
    }

    /// Advances the scenario's clock, stopping at each snapshot boundary to take one.
    fn advance_scenario_to(&mut self, target_ms: Millis) {
        loop {
            let now_ms = self.now_ms();
            let next_snapshot_ms = (now_ms / self.snapshot_every_ms + 1) * self.snapshot_every_ms;
            let step_to = target_ms.min(next_snapshot_ms);
            if step_to > now_ms {
                self.scenario.advance_quietly(step_to - now_ms);
            }
            self.snapshot_if_due();
            if step_to >= target_ms {
                return;
            }
        }
    }

    /// Takes a snapshot if the clock stands on a boundary no snapshot covers yet.
    fn snapshot_if_due(&mut self) {
        let now_ms = self.now_ms();
        let last_ms = self.snapshots.last().map_or(0, |s| s.at_ms);
        if now_ms < last_ms + self.snapshot_every_ms
            || !now_ms.is_multiple_of(self.snapshot_every_ms)
        {
            return;
        }
        let (applied, footprint) = (self.applied, Footprint::of(&self.scenario));
        let scenario = self.scenario.clone();
        self.snapshots.push(Snapshot { at_ms: now_ms, applied, footprint, scenario });
        self.thin_snapshots();
    }

    /// Halves the snapshots (and how often they are taken) until they fit their budget.
    fn thin_snapshots(&mut self) {
        while self.snapshots.len() > SNAPSHOTS_KEPT
            || (self.snapshots.len() > 1
                && weight_bytes(&self.snapshots) > self.snapshot_budget_bytes)
        {
            // Keep time 0 and every other one; snapshots come half as often from now on.
            self.snapshot_every_ms *= 2;
            let every_ms = self.snapshot_every_ms;
            self.snapshots.retain(|s| s.at_ms.is_multiple_of(every_ms));
        }
    }

    /// Drops the recording's inputs after the current moment (kept for an undo), and the
    /// snapshots that belonged to them.
    fn branch(&mut self) {
        let now_ms = self.now_ms();
        self.undo = Some((self.recording.clone(), now_ms));
        self.recording.inputs.truncate(self.applied);
        self.recording.end_ms = now_ms;
        self.snapshots.retain(|s| s.at_ms <= now_ms);
    }

    /// What the snapshots hold beyond the live cluster, as estimated to keep them within
    /// their budget (`make bench` prints it next to the measured memory).
    pub fn snapshot_weight_bytes(&self) -> u64 {
        weight_bytes(&self.snapshots)
    }

    /// Sets what the snapshots may hold (the page gives a machine with memory to spare
    /// [`LARGE_SNAPSHOT_BUDGET_BYTES`]): only how fast a rewind is depends on it, never what
    /// the run does. A smaller budget thins the snapshots at once.
    pub fn set_snapshot_budget(&mut self, bytes: u64) {
        self.snapshot_budget_bytes = bytes;
        self.thin_snapshots();
    }

    /// How many snapshots the run keeps, and how far apart.
    pub fn snapshots(&self) -> (usize, Millis) {
        (self.snapshots.len(), self.snapshot_every_ms)
    }

    /// How many inputs the run had applied when the last branch began.
    fn applied_before_branch(&self) -> usize {
        self.undo
            .as_ref()
            .map_or(0, |(old, at_ms)| old.inputs.partition_point(|i| i.at_ms <= *at_ms))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    use super::*;
    use crate::engine::share;

    /// Inputs a learner gives, as script lines: traffic, faults, repairs, settings, time.
    fn input_line() -> impl Strategy<Value = String> {
        prop_oneof![
            (1u32..500, 1u32..9)
                .prop_map(|(k, s)| format!("sql session=s{s}: INSERT INTO t VALUES ({k}, {k})")),
            (1u32..9).prop_map(|s| format!("sql session=s{s}: SELECT count(*) FROM t")),
            (1u32..4).prop_map(|n| format!("crash pg{n}")),
            (1u32..4).prop_map(|n| format!("restart pg{n}")),
            (2u32..4, prop::sample::select(vec!["both", "down", "up"]))
                .prop_map(|(n, way)| format!("partition pg{n} way={way}")),
            Just("heal".to_string()),
            (2u32..4, 0u32..2_000).prop_map(|(n, d)| format!("link pg{n} delay={d}ms")),
            Just("failover auto=on ttl=3s loop_wait=1s".to_string()),
            Just("commit remote_apply".to_string()),
            Just("commit async".to_string()),
            (2u32..4).prop_map(|n| format!("promote pg{n}")),
            (1u32..9).prop_map(|s| format!("session s{s} ryw=lsn timeout=500ms")),
            (0u32..3_000).prop_map(|ms| format!("advance {ms}ms")),
            (0u32..3_000).prop_map(|ms| format!("advance {ms}ms")),
        ]
    }

    fn play(lines: &[String]) -> Run {
        let mut run = Run::new(ClusterSpec { delay_ms: Some(300), ..ClusterSpec::default() });
        run.apply(&"sql: CREATE TABLE t (k INT PRIMARY KEY, v INT)".parse().expect("valid"))
            .expect("applies");
        for line in lines {
            let command: Command = line.parse().expect("generated lines parse");
            let _ = run.apply(&command); // a refused input (crash a crashed node) is not recorded
        }
        run
    }

    #[test]
    fn a_jump_keeps_the_cluster_it_replaced_until_the_page_frees_it() {
        let mut run = play(&["advance 3s".to_string()]);
        assert!(!run.drop_replaced(), "nothing replaced yet");
        run.seek(1_000);
        let digest = run.cluster().digest();
        assert!(run.drop_replaced(), "the cluster at 3 s was kept");
        assert!(!run.drop_replaced(), "and freed once");
        assert_eq!(run.cluster().digest(), digest, "freeing it changes nothing shown");
    }

    proptest! {
        #![proptest_config(Config { cases: 48, failure_persistence: None, ..Config::default() })]

        /// The same inputs give the same run; its exported script replays to the same digest;
        /// a share link carries it whole; rewinding anywhere and playing on ends the same.
        #[test]
        fn a_recording_replays_the_run_it_recorded(
            lines in prop::collection::vec(input_line(), 1..40),
            seek_share in 0u32..=100,
        ) {
            let run = play(&lines);
            let digest = run.digest();
            prop_assert_eq!(play(&lines).digest(), digest, "same inputs, same run");
            let script = run.recording().script(Some(digest));
            let (replayed, claimed) = Run::from_export(&script).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(claimed, Some(digest));
            prop_assert_eq!(replayed.digest(), digest, "{}", script);
            prop_assert_eq!(replayed.recording(), run.recording());
            let linked = share::decode(&share::encode(&script)).expect("a link decodes");
            prop_assert_eq!(linked, script);
            let mut rewound = run.clone();
            let end_ms = run.recording().end_ms;
            rewound.seek(end_ms * u64::from(seek_share) / 100);
            rewound.advance(end_ms - rewound.now_ms());
            prop_assert_eq!(rewound.digest(), digest, "rewound to {} and played on", seek_share);
            prop_assert!(!rewound.is_rewound());
        }
    }

    #[test]
    fn a_seek_lands_on_the_state_of_that_moment() {
        let lines: Vec<String> =
            ["advance 1s", "crash pg1", "advance 2s", "restart pg1", "advance 3s"]
                .iter()
                .map(ToString::to_string)
                .collect();
        let mut run = play(&lines);
        let at_1500 = {
            let mut partial = play(&lines[..2]);
            partial.advance(500);
            partial.digest()
        };
        run.seek(1_500);
        assert_eq!(run.digest(), at_1500);
        assert!(run.is_rewound());
        assert_eq!(run.now_ms(), 1_500);
    }

    #[test]
    fn acting_while_rewound_branches_and_undo_restores() {
        let lines: Vec<String> =
            ["advance 1s", "crash pg3", "advance 4s"].iter().map(ToString::to_string).collect();
        let mut run = play(&lines);
        let end = run.digest();
        run.seek(500);
        run.apply(&"crash pg2".parse().expect("valid")).expect("applies");
        assert!(run.can_undo_branch() && !run.is_rewound());
        assert_eq!(run.dropped_by_branch(), 1);
        assert_eq!(
            run.recording().inputs.last().map(|i| i.command.to_string()),
            Some("crash pg2".into())
        );
        assert!(run.undo_branch());
        run.seek(u64::MAX);
        assert_eq!(run.digest(), end);
    }

    #[test]
    fn headers_say_what_format_and_digest_a_script_has() {
        let header = ScriptHeader::read(
            "# replica-playground recording v1\n# digest 00000000000000ff at t = 2s\ncluster\n",
        )
        .expect("a header");
        assert_eq!(header, ScriptHeader { version: Some(1), digest: Some(255) });
        let future = ScriptHeader::read("# replica-playground recording v7\n").expect_err("newer");
        assert!(future.to_string().contains("format v7, made by a newer replica-playground"));
        assert!(ScriptHeader::read("# digest zz\n").is_err());
        let (_, claimed) = Run::from_export("cluster\nadvance 1s\n").expect("a plain script");
        assert_eq!(claimed, None);
        let bad = Run::from_export("cluster\nadvance 1s\ncrash pg9\n").expect_err("no pg9");
        assert_eq!(bad.to_string(), "line 3: no node named \"pg9\"");
    }

    #[test]
    fn a_snapshot_weighs_what_changed_up_to_a_whole_copy() {
        let rows = 100_000;
        let before = Footprint { rows, wal_bytes: 1_000, ..Footprint::default() };
        let weight = |wal_bytes| Footprint { rows, wal_bytes, ..before }.weight_bytes(&before);
        let (quiet, busy, flood) = (weight(1_000), weight(11_000), weight(u64::from(u32::MAX)));
        assert_eq!(quiet, SNAPSHOT_FIXED_BYTES + rows / SNAPSHOT_SPINE_ROWS_PER_BYTE);
        assert!(quiet < busy && busy < flood, "{quiet} < {busy} < {flood}");
        assert!(busy - quiet <= 10_000 * SNAPSHOT_COPY_BYTES_PER_WAL_BYTE);
        assert!(flood - quiet <= rows * SNAPSHOT_FULL_COPY_BYTES_PER_ROW);
        // A log that went back (a rewound replica) weighs nothing extra.
        assert_eq!(weight(0), quiet);
    }

    #[test]
    fn a_long_run_keeps_its_snapshots_within_the_budget() {
        let mut run = play(&["load rate=200 read_ratio=0.5 duration=40s".to_string()]);
        run.advance(40_000);
        let (count, every_ms) = run.snapshots();
        assert!(weight_bytes(&run.snapshots) <= SNAPSHOT_BUDGET_BYTES);
        let every_step = 40_000 / SNAPSHOT_EVERY_MS as usize + 1;
        assert_eq!((count, every_ms), (every_step, SNAPSHOT_EVERY_MS), "light runs keep them all");
        run.seek(12_345);
        assert_eq!(run.now_ms(), 12_345);
        // A smaller budget thins the snapshots at once; the run itself is the same.
        let mut small = run.clone();
        small.set_snapshot_budget(weight_bytes(&run.snapshots) / 4);
        let (fewer, apart_ms) = small.snapshots();
        assert!(fewer < count / 2 && apart_ms >= 4 * SNAPSHOT_EVERY_MS, "{fewer} {apart_ms}");
        assert!(weight_bytes(&small.snapshots) <= weight_bytes(&run.snapshots) / 4);
        for at_ms in [31_999, 7_001, 40_000] {
            run.seek(at_ms);
            small.seek(at_ms);
            assert_eq!(small.digest(), run.digest(), "at {at_ms} ms");
        }
    }

    #[test]
    fn a_hundred_inputs_fit_in_a_short_link() {
        let mut run = Run::default();
        let story = [
            "sql session=alice: CREATE TABLE orders (id SERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2), created_at TIMESTAMP DEFAULT NOW())",
            "sql session=alice: INSERT INTO orders (user_id, amount) VALUES (101, 19.99)",
            "sql session=bob: SELECT * FROM orders WHERE user_id = 101",
            "link pg3 delay=1500ms",
            "failover auto=on ttl=6s loop_wait=2s",
        ];
        for i in 0..100 {
            run.advance(250 + 37 * (i % 7));
            run.apply(&story[i as usize % story.len()].parse().expect("valid")).expect("applies");
        }
        let link = share::fragment(&run.recording().script(Some(run.digest())));
        assert!(link.len() < 2_000, "100 inputs make a {}-character link", link.len());
    }
}
