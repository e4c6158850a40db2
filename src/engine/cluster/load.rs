//! # The load generator: traffic to watch the cluster bend
//!
//! Open-loop traffic at a given rate: each arrival is a write (the lesson's `INSERT`), a
//! point read (`WHERE user_id = …`, indexed) or — with probability `heavy` — the lesson's
//! heavy query (`WHERE created_at > NOW() - INTERVAL 1 DAY`, a full scan). Requests are spread
//! over a number of client sessions and sent through the router (or one target). Arrival gaps
//! are drawn from the cluster's one RNG, uniformly around the mean, with integer arithmetic
//! only, so a run replays identically natively and in the browser.
//!
//! What it shows: reads spread over replicas, so adding replicas adds read capacity; writes
//! all land on the primary, so the write bottleneck stays; the heavy query on the primary
//! slows writes, and on a replica it does not.

use crate::engine::vecmap::VecMap;
use std::fmt::Write as _;
use std::rc::Rc;

use super::super::event::EventKind;
use super::super::metrics::quantile;
use super::super::sql::{self, Numeric, Value};
use super::super::{format_millis, Error, Millis};
use super::{Cluster, Reply, Target, Timer};

/// The lesson's table, created when the load starts if it does not exist yet.
pub const ORDERS_DDL: &str = "CREATE TABLE IF NOT EXISTS orders (id BIGSERIAL PRIMARY KEY, user_id INT NOT NULL, amount NUMERIC(10,2), created_at TIMESTAMP DEFAULT NOW()); CREATE INDEX IF NOT EXISTS orders_user_id_idx ON orders (user_id)";

/// The session that creates and prefills `orders`; its statements are not load traffic.
const SETUP_SESSION: &str = "load-setup";

/// Rows per INSERT when prefilling `orders`.
const PREFILL_BATCH: u64 = 500;

/// Latency samples kept per kind (the rest are counted, not kept).
pub(super) const SAMPLES_KEPT: usize = 200_000;

/// The load generator's client sessions are named `load-1`, `load-2`, ...
pub const LOAD_SESSION_PREFIX: &str = "load-";

/// The session that archives old orders under `retain=`.
pub const ARCHIVER_SESSION: &str = "load-archiver";

/// Whether a session is the load generator's (not a learner's).
pub fn is_load_session(name: &str) -> bool {
    name.starts_with(LOAD_SESSION_PREFIX)
}

/// What traffic to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadSpec {
    /// Requests per second (all kinds).
    pub rate_per_s: u64,
    /// Share of requests that are reads (0..=1).
    pub read_ratio: f64,
    /// Share of reads that are the heavy query (0..=1).
    pub heavy_ratio: f64,
    /// Client sessions the requests are spread over.
    pub sessions: usize,
    /// How long to generate.
    pub duration_ms: Millis,
    /// Distinct user ids.
    pub users: u64,
    /// Where requests go.
    pub target: Target,
    /// Rows inserted into `orders` before the load starts (a table worth scanning).
    pub prefill_rows: u64,
    /// Keep only orders younger than this: every sixtieth of it (at least once a second, see
    /// [`archive_every_ms`]) the load archives older ones
    /// (`DELETE … WHERE created_at < NOW() - INTERVAL …`, as order tables are archived), so a
    /// long run's table, and the memory it takes, stays the same size. None keeps every order.
    pub retain_ms: Option<Millis>,
}

impl Default for LoadSpec {
    fn default() -> Self {
        Self {
            rate_per_s: 100,
            read_ratio: 0.8,
            heavy_ratio: 0.0,
            sessions: 10,
            duration_ms: 10_000,
            users: 1_000,
            target: Target::Router,
            prefill_rows: 0,
            retain_ms: None,
        }
    }
}

/// Whose statements an op carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Traffic {
    /// A client's: a learner, a script, a test.
    Client,
    /// The load generator's, of one kind.
    Load(Kind),
    /// The load generator's setup (the `orders` table, its prefill).
    LoadSetup,
}

impl Traffic {
    /// Load traffic is counted, not shown: its replies are not kept nor its commits logged.
    pub(super) fn quiet(self) -> bool {
        self != Traffic::Client
    }
}

/// The kind of a generated request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Write,
    Read,
    Heavy,
    /// The once-a-second delete of orders past `retain`.
    Archive,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Write => "write",
            Kind::Read => "read",
            Kind::Heavy => "heavy",
            Kind::Archive => "archive",
        }
    }
}

/// How often the archiver runs when orders are kept for `retain_ms`: sixty times per window,
/// at most once a second. Its DELETE scans the whole table (`created_at` has no index, as in
/// the lesson), so running it once a second over a 10-minute window read every row 600
/// times and doubled the cost of an hour's run; the table now swings by a sixtieth of its
/// size, as under a periodic archiving job.
fn archive_every_ms(retain_ms: Millis) -> Millis {
    (retain_ms / 60).max(1_000)
}

/// Counters for one kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindStats {
    pub submitted: u64,
    pub completed: u64,
    pub errors: u64,
    /// Shared with the cluster's snapshots, chunk by chunk (big chunks: a 10-minute load
    /// holds half a million of them, and a snapshot copies a pointer per chunk). Four bytes
    /// each: a latency past 49 days is kept as the longest a u32 holds.
    latencies_ms: crate::engine::shared::SharedDeque<u32, 512>,
}

/// A running (or finished) load.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadGen {
    pub spec: LoadSpec,
    pub started_ms: Millis,
    next_arrival_us: u64,
    next_session: usize,
    /// `load-1`, `load-2`, …: made once, shared by every request of each session.
    session_names: Vec<Rc<str>>,
    stats: VecMap<Kind, KindStats>,
    /// Requests answered per node.
    per_node: VecMap<String, u64>,
    pub finished: bool,
    /// Its INSERT, parsed once ([`INSERT_TEMPLATE`]).
    insert: Option<Rc<sql::Template>>,
}

impl LoadGen {
    /// Requests that answered with an error, of every kind.
    pub fn errors(&self) -> u64 {
        self.stats.values().map(|s| s.errors).sum()
    }

    /// The most latency samples kept for one kind.
    pub(super) fn most_samples(&self) -> usize {
        self.stats.values().map(|s| s.latencies_ms.len()).max().unwrap_or(0)
    }

    fn until_ms(&self) -> Millis {
        self.started_ms + self.spec.duration_ms
    }

    /// A summary table: per kind, counts and latency percentiles; then where reads went.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let state = if self.finished { "finished" } else { "running" };
        let retain = self.spec.retain_ms.map(|ms| format!(", orders kept {}", format_millis(ms)));
        let _ = writeln!(
            out,
            "load {state}: {}/s for {}, read_ratio {}, heavy {}, {} sessions{}",
            self.spec.rate_per_s,
            format_millis(self.spec.duration_ms),
            self.spec.read_ratio,
            self.spec.heavy_ratio,
            self.spec.sessions,
            retain.unwrap_or_default()
        );
        for (kind, stats) in &self.stats {
            let mut samples: Vec<Millis> = stats.latencies_ms.iter().map(|&ms| ms.into()).collect();
            let mut p = |q| quantile(&mut samples, q).map_or("-".to_string(), format_millis);
            let _ = writeln!(
                out,
                "  {:<5} sent {:>6}  done {:>6}  errors {:>4}  p50 {:>7}  p99 {:>7}  max {:>7}",
                kind.as_str(),
                stats.submitted,
                stats.completed,
                stats.errors,
                p(0.5),
                p(0.99),
                p(1.0)
            );
        }
        let spread: Vec<String> = self.per_node.iter().map(|(n, c)| format!("{n}={c}")).collect();
        let _ = writeln!(out, "  answered by: {}", spread.join(" "));
        out
    }

    /// Counters for one kind.
    pub fn stats(&self, kind: Kind) -> Option<&KindStats> {
        self.stats.get(&kind)
    }
}

/// The load's INSERT, parsed once at its start: each write fills in its user and amount.
const INSERT_TEMPLATE: &str = "INSERT INTO orders (user_id, amount) VALUES (1, 1.00)";

/// The load's INSERT of `text`, for `user` and an amount of `cents`: the statement the text
/// parses to, without parsing it (a tenth of the load's work was parsing its writes). None
/// for a user number past `bigint`, which the text parses to as a `numeric`.
fn fill_insert(
    template: &sql::Template,
    text: &str,
    user: u64,
    cents: u64,
) -> Option<sql::Statement> {
    let user = Value::Int(i64::try_from(user).ok()?);
    let amount = Value::Numeric(Numeric::new(i128::from(cents), 2).ok()?);
    Some(template.fill(text.to_string(), &[user, amount]))
}

impl Cluster {
    /// Starts generating load (replacing any running load).
    pub fn start_load(&mut self, spec: LoadSpec) -> Result<(), Error> {
        if spec.rate_per_s == 0 || spec.rate_per_s > 100_000 {
            return Err(Error::invalid("rate must be from 1 to 100000 requests per second"));
        }
        if !(0.0..=1.0).contains(&spec.read_ratio) || !(0.0..=1.0).contains(&spec.heavy_ratio) {
            return Err(Error::invalid("read_ratio and heavy are shares from 0 to 1"));
        }
        if spec.sessions == 0 || spec.users == 0 {
            return Err(Error::invalid("sessions and users must be at least 1"));
        }
        if spec.retain_ms.is_some_and(|ms| ms < 1_000) {
            return Err(Error::invalid("retain must be at least 1s"));
        }
        self.load_setup(ORDERS_DDL)?;
        for batch_start in (0..spec.prefill_rows).step_by(PREFILL_BATCH as usize) {
            let rows = PREFILL_BATCH.min(spec.prefill_rows - batch_start);
            let values: Vec<String> = (0..rows)
                .map(|i| {
                    let n = batch_start + i;
                    format!("({}, {}.{:02})", 1 + n % spec.users, 1 + n % 97, n % 100)
                })
                .collect();
            let sql = format!("INSERT INTO orders (user_id, amount) VALUES {}", values.join(", "));
            self.submit_op(SETUP_SESSION.into(), Target::Primary, sql, Traffic::LoadSetup);
        }
        // Traffic starts once the setup has run and reached every replica.
        let primary = self.node(self.primary());
        let busy_until_ms =
            primary.cores_free_us.iter().max().copied().unwrap_or(0).div_ceil(1_000);
        let max_delay_ms = self.links.values().map(|l| l.link.delay_ms).max().unwrap_or(0);
        let replay_ms = spec.prefill_rows * 15 / 1_000;
        let start_ms = busy_until_ms.max(self.now_ms) + 2 * max_delay_ms + replay_ms + 100;
        let kind = EventKind::LoadStarted {
            starts_ms: start_ms,
            rate_per_s: spec.rate_per_s,
            read_pct: (spec.read_ratio * 100.0).round() as u32,
            heavy_pct: (spec.heavy_ratio * 100.0).round() as u32,
            sessions: spec.sessions as u32,
            duration_ms: spec.duration_ms,
        };
        self.events.push(self.now_ms, kind);
        let session_names =
            (1..=spec.sessions).map(|n| Rc::from(format!("{LOAD_SESSION_PREFIX}{n}"))).collect();
        self.load = Some(LoadGen {
            spec,
            started_ms: start_ms,
            next_arrival_us: start_ms * 1_000,
            next_session: 0,
            session_names,
            stats: VecMap::new(),
            per_node: VecMap::new(),
            finished: false,
            insert: sql::Template::insert(INSERT_TEMPLATE).map(Rc::new),
        });
        self.set_timer(Timer::LoadArrival, start_ms);
        if let Some(retain_ms) = self.load.as_ref().and_then(|l| l.spec.retain_ms) {
            self.set_timer(Timer::LoadArchive, start_ms + archive_every_ms(retain_ms));
        } else {
            self.agenda.cancel_timer(Timer::LoadArchive);
        }
        Ok(())
    }

    /// The archiver: deletes orders older than the load's `retain`, on the primary.
    pub(super) fn load_archive(&mut self) {
        let Some(load) = self.load.as_mut().filter(|l| !l.finished) else { return };
        let Some(retain_ms) = load.spec.retain_ms else { return };
        load.stats.entry(Kind::Archive).or_default().submitted += 1;
        let sql = format!(
            "DELETE FROM orders WHERE created_at < NOW() - INTERVAL '{retain_ms} milliseconds'"
        );
        self.submit_op(ARCHIVER_SESSION.into(), Target::Primary, sql, Traffic::Load(Kind::Archive));
        self.set_timer(Timer::LoadArchive, self.now_ms + archive_every_ms(retain_ms));
    }

    /// Runs setup DDL on the primary; an error (say, an `orders` table without `user_id`) stops the load.
    fn load_setup(&mut self, sql: &str) -> Result<(), Error> {
        let reply = self.execute(SETUP_SESSION, Target::Primary, sql);
        match reply.as_ref().and_then(|r| r.first_error()) {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// Stops the load early (requests in flight still finish).
    pub fn stop_load(&mut self) {
        if let Some(load) = self.load.as_mut().filter(|l| !l.finished) {
            load.finished = true;
            self.agenda.cancel_timer(Timer::LoadArrival);
            self.agenda.cancel_timer(Timer::LoadArchive);
            self.events.push(self.now_ms, EventKind::LoadStopped);
        }
    }

    /// The current or last load, if any.
    pub fn load(&self) -> Option<&LoadGen> {
        self.load.as_ref()
    }

    /// Submits every request that arrives by now, then waits for the next arrival.
    pub(super) fn load_arrival(&mut self) {
        let now_us = self.now_ms * 1_000;
        loop {
            let Some(load) = self.load.as_ref().filter(|l| !l.finished) else { return };
            if self.now_ms >= load.until_ms() {
                return self.finish_load();
            }
            if load.next_arrival_us > now_us {
                let at = load.next_arrival_us.div_ceil(1_000);
                return self.set_timer(Timer::LoadArrival, at);
            }
            self.submit_load_request();
        }
    }

    fn submit_load_request(&mut self) {
        let spec = self.load.as_ref().expect("running").spec.clone();
        let mean_us = 1_000_000 / spec.rate_per_s;
        let gap_us = self.rng.below_or_equal(2 * mean_us).max(1);
        let is_read = self.rng.chance(spec.read_ratio);
        let is_heavy = is_read && self.rng.chance(spec.heavy_ratio);
        let user = 1 + self.rng.below_or_equal(spec.users - 1);
        let cents = 100 + self.rng.below_or_equal(9_900);
        let (kind, sql) = match (is_read, is_heavy) {
            (_, true) => (
                Kind::Heavy,
                "SELECT * FROM orders WHERE created_at > NOW() - INTERVAL 1 DAY".to_string(),
            ),
            (true, false) => (Kind::Read, format!("SELECT * FROM orders WHERE user_id = {user}")),
            (false, _) => (
                Kind::Write,
                format!(
                    "INSERT INTO orders (user_id, amount) VALUES ({user}, {}.{:02})",
                    cents / 100,
                    cents % 100
                ),
            ),
        };
        let load = self.load.as_mut().expect("running");
        load.next_arrival_us += gap_us;
        let session = load.session_names[load.next_session % load.session_names.len()].clone();
        load.next_session += 1;
        load.stats.entry(kind).or_default().submitted += 1;
        let traffic = Traffic::Load(kind);
        let template = load.insert.as_ref().filter(|_| kind == Kind::Write);
        match template.and_then(|t| fill_insert(t, &sql, user, cents)) {
            Some(insert) => {
                self.submit_parsed(session, spec.target, sql, Ok(vec![insert]), traffic)
            }
            None => self.submit_op(session, spec.target, sql, traffic),
        };
    }

    fn finish_load(&mut self) {
        let Some(load) = self.load.as_mut() else { return };
        load.finished = true;
        self.agenda.cancel_timer(Timer::LoadArchive);
        let done: u64 = load.stats.values().map(|s| s.completed).sum();
        let errors: u64 = load.stats.values().map(|s| s.errors).sum();
        let kind = EventKind::LoadFinished { answered: done, errors };
        self.events.push(self.now_ms, kind);
    }

    /// Bookkeeping for a finished load-generator request.
    pub(super) fn load_op_finished(&mut self, reply: &Reply, kind: Kind) {
        let Some(load) = self.load.as_mut() else { return };
        let stats = load.stats.entry(kind).or_default();
        if reply.first_error().is_some() {
            stats.errors += 1;
        } else {
            stats.completed += 1;
        }
        let latency = reply.done_ms.unwrap_or(reply.submitted_ms) - reply.submitted_ms;
        if stats.latencies_ms.len() < SAMPLES_KEPT {
            stats.latencies_ms.push_back(u32::try_from(latency).unwrap_or(u32::MAX));
        }
        if let Some(last) = reply.statements.last() {
            *load.per_node.get_or_default(&*last.node.name()) += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ClusterConfig;

    #[test]
    fn a_load_sessions_requests_share_one_name() {
        let mut cluster = Cluster::new(ClusterConfig { replicas: 1, ..ClusterConfig::default() });
        let spec = LoadSpec { rate_per_s: 200, duration_ms: 3_000, ..LoadSpec::default() };
        cluster.start_load(spec).expect("a valid load");
        cluster.advance(5_000);
        let names: Vec<&Rc<str>> =
            cluster.history().records().map(|r| &r.session).filter(|s| &***s == "load-1").collect();
        assert!(names.len() > 10, "load-1 sent requests: {}", names.len());
        assert!(names.iter().all(|n| Rc::ptr_eq(n, names[0])), "one name, shared");
    }
}
