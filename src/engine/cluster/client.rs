//! Client operations: from a submitted input to its reply.
//!
//! An input (one or more `;`-separated statements) becomes an [`Op`]. Its statements run one
//! after another; each is routed to a node, waits in the node's run queue for a core, runs
//! (the SQL engine executes it and reports its cost), holds the core for that cost, and — if
//! it committed — waits for what the session's `synchronous_commit` demands before the client
//! hears back. The op's [`Reply`] collects one [`StatementReply`] per statement.

use std::collections::VecDeque;
use std::rc::Rc;

use super::super::commit::{self, CommitWait, StandbyAck, SyncCommit};
use super::super::event::EventKind;
use super::super::history::{OpKind, OpRecord, Unusual};
use super::super::metrics::SlowQuery;
use super::super::node::{Job, NodeState, Role};

use super::super::sql::{self, Cost, Env, Outcome, Statement, Utility};
use super::super::wal::Lsn;
use super::super::{format_millis, Error, Millis, NodeId};
use super::load::Traffic;
use super::router::{CommitPosition, ReadRoute, Ryw};
use super::{Cluster, Timer, FINISHED_KEPT};

/// Identifies a client operation (one submitted input).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub u64);

/// Where a client sends a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Read/write splitting: writes to the primary, reads to the replicas in turn.
    Router,
    /// Whatever node is primary now.
    Primary,
    /// Straight to one node, whatever its role.
    Node(NodeId),
}

/// The answer to one statement.
#[derive(Clone, Debug, PartialEq)]
pub struct StatementReply {
    /// The node that answered.
    pub node: NodeId,
    /// Its role when it answered.
    pub role: Role,
    /// The statement as run.
    pub sql: Rc<str>,
    /// When it was sent and when its answer came back.
    pub sent_ms: Millis,
    pub done_ms: Millis,
    /// How far the node had replayed (a primary: its WAL end) when the statement ran.
    pub node_lsn: Lsn,
    /// The node's timeline when the statement ran: positions on two timelines past their fork
    /// are different histories.
    pub timeline: u64,
    /// The commit's WAL position, for a statement that committed.
    pub commit_lsn: Option<Lsn>,
    /// What the acknowledgement waited for (`local flush + replay on FIRST 1 (*)`, ...).
    pub waited_for: Option<CommitWait>,
    /// Answered by the read cache: when the entry was stored (by `node`, at `node_lsn`).
    pub cached_at_ms: Option<Millis>,
    /// Why the router sent it to this node, when that is not the policy's plain choice (a
    /// read-after-write strategy, lag, no replica to read from).
    pub route: Option<String>,
    pub result: Result<Outcome, Error>,
}

impl StatementReply {
    /// Time from sending the statement to its answer.
    pub fn latency_ms(&self) -> Millis {
        self.done_ms - self.sent_ms
    }
}

/// The answer to one client input (one or more statements).
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub op: OpId,
    /// Shared: every step of the op, and its history records, name the session.
    pub session: Rc<str>,
    pub target: Target,
    pub input: String,
    pub submitted_ms: Millis,
    /// When the last statement was answered (`None` while in progress).
    pub done_ms: Option<Millis>,
    /// One entry per statement answered so far; execution stops at the first error.
    pub statements: Vec<StatementReply>,
    /// An error before any statement ran (the input does not parse).
    pub error: Option<Error>,
}

impl Reply {
    /// The first error, if any statement (or the input as a whole) failed.
    pub fn first_error(&self) -> Option<&Error> {
        self.error.as_ref().or_else(|| self.statements.iter().find_map(|s| s.result.as_ref().err()))
    }
}

/// A statement on its way through a node.
#[derive(Clone, Debug)]
struct InFlight {
    node: NodeId,
    statement: Statement,
    sent_ms: Millis,
    node_lsn: Lsn,
    timeline: u64,
    route: Option<String>,
    result: Option<Result<Outcome, Error>>,
    cpu_us: u64,
    commit: Option<(u64, Lsn)>,
    mode: SyncCommit,
    /// The session's `sync` strategy: the commit also waits for every replica to replay it.
    sync_all: bool,
    waiting_since_ms: Option<Millis>,
    /// A read the cache missed: its answer is stored under this key.
    cache_key: Option<String>,
    /// `pg_sleep()`: extra time after the CPU work.
    sleep_ms: Millis,
    /// Its wait for synchronous replication was cancelled: acknowledged as a local commit.
    cancelled: bool,
    /// It touched a row another op's waiting commit wrote: it runs again when that op ends.
    lock_holder: Option<OpId>,
}

/// A client operation in progress.
#[derive(Clone, Debug)]
pub(super) struct Op {
    reply: Reply,
    pending: VecDeque<Statement>,
    in_flight: Option<InFlight>,
    /// A read held by the router until a replica catches up, and when the client sent it.
    parked: Option<(Statement, Millis)>,
    /// Whose traffic it is: load-generator traffic is counted in metrics, its reply not kept.
    traffic: Traffic,
}

/// A commit acknowledged to a client, remembered for the durability invariants.
#[derive(Clone, Debug, PartialEq)]
pub struct AckedCommit {
    pub xid: u64,
    pub end: Lsn,
    pub chain: u64,
    pub mode: SyncCommit,
    /// Whether synchronous standbys (not just the local disk) confirmed it.
    pub confirmed_by_standby: bool,
    pub at_ms: Millis,
    /// The timeline it was committed on.
    pub timeline: u64,
    /// Whether fencing was on when it was acknowledged (a split-brain write breaks an
    /// invariant only then).
    pub fencing: bool,
}

/// A result in a few words, for the checker's explanations: one value by name
/// (`count = 0`, which says more than "1 row"), otherwise the number of rows.
/// A one-value answer, briefly (`count = 0`), for the history.
fn single_value(outcome: &Outcome) -> Option<Box<str>> {
    match (outcome.columns.as_slice(), outcome.rows.as_slice()) {
        ([column], [row]) if row.len() == 1 => Some(format!("{column} = {}", row[0]).into()),
        _ => None,
    }
}

/// CPU cost of a statement from its plan cost, in µs: planning, rows read, rows sent, rows written.
pub fn statement_cpu_us(cost: &Cost, changes: usize) -> u64 {
    cost.cpu_us() + sql::ROW_WRITE_US * changes as u64
}

/// Acknowledged commits remembered for the invariants (older halves are forgotten): as many
/// as the history keeps operations, so the invariants look as far back as the checker does.
/// A write is lost in the last moments before a failover; at the standard load's 150 commits
/// a second this is a minute or two, and the last 10 000 to 20 000 commits of any run.
pub(super) const ACKS_KEPT: usize = crate::engine::history::HISTORY_CAPACITY;

/// CPU cost of a statement that failed before running.
const ERROR_CPU_US: u64 = 20;

impl Cluster {
    /// Submits a client input for `session`. The reply comes back through
    /// [`Cluster::take_finished`] once every statement is answered — at once for cheap
    /// statements on an idle node, later for slow ones or commits that wait for standbys.
    pub fn submit(&mut self, session: &str, target: Target, input: &str) -> OpId {
        self.submit_op(session.into(), target, input.to_string(), Traffic::Client)
    }

    pub(super) fn submit_op(
        &mut self,
        session: Rc<str>,
        target: Target,
        input: String,
        traffic: Traffic,
    ) -> OpId {
        let parsed = sql::parse(&input);
        self.submit_parsed(session, target, input, parsed, traffic)
    }

    /// Submits an input already parsed (the load generator fills its INSERTs from a
    /// [`sql::Template`]).
    pub(super) fn submit_parsed(
        &mut self,
        session: Rc<str>,
        target: Target,
        input: String,
        parsed: Result<Vec<Statement>, sql::SqlError>,
        traffic: Traffic,
    ) -> OpId {
        let id = OpId(self.next_op);
        self.next_op += 1;
        let (pending, error) = match parsed {
            Ok(statements) => (VecDeque::from(statements), None),
            Err(e) => (VecDeque::new(), Some(e.into())),
        };
        if pending.iter().any(Statement::opens_transaction) {
            self.sessions.get_or_default(&*session).ever_began = true;
        }
        let reply = Reply {
            op: id,
            session,
            target,
            input,
            submitted_ms: self.now_ms,
            done_ms: None,
            // Most inputs are one statement: room for each answer up front, no regrowing.
            statements: Vec::with_capacity(pending.len()),
            error,
        };
        let op = Op { reply, pending, in_flight: None, parked: None, traffic };
        self.ops.insert(id, op);
        self.dispatch_next(id);
        id
    }

    /// Runs an input and fires what is due at once: the reply if it finished in this instant.
    pub fn execute(&mut self, session: &str, target: Target, input: &str) -> Option<Reply> {
        let id = self.submit(session, target, input);
        self.advance(0);
        let at = self.finished.iter().position(|r| r.op == id)?;
        self.finished.remove(at)
    }

    /// Replies finished since the last call, in completion order.
    pub fn take_finished(&mut self) -> Vec<Reply> {
        self.finished.drain(..).collect()
    }

    /// Replies still in progress (not load-generator traffic), oldest first.
    pub fn in_progress(&self) -> Vec<Reply> {
        self.ops.values().filter(|op| !op.traffic.quiet()).map(|op| op.reply.clone()).collect()
    }

    /// What an in-progress op is waiting for, in words.
    pub fn waiting_for(&self, op: OpId) -> Option<String> {
        if let Some((commit, _)) = self.route_waits.get(&op) {
            return Some(format!("read waiting for a replica to replay {commit} (ryw=lsn)"));
        }
        let in_flight = self.ops.get(&op)?.in_flight.as_ref()?;
        if let Some(holder) = in_flight.lock_holder {
            let owner = self.ops.get(&holder).map_or("", |h| &*h.reply.session);
            return Some(format!(
                "waiting for a row lock on {}: op {} ({owner}) wrote the row, and its commit still waits",
                in_flight.node, holder.0
            ));
        }
        Some(match (&in_flight.result, in_flight.waiting_since_ms) {
            (None, _) => format!("queued or running on {}", in_flight.node),
            (Some(_), Some(since)) => {
                let mut text = format!(
                    "commit waiting {} for synchronous_commit = {} ({})",
                    format_millis(self.now_ms - since),
                    in_flight.mode,
                    self.commit_wait(in_flight.mode, in_flight.sync_all)
                );
                let missing = match in_flight.commit {
                    Some((_, end)) if in_flight.sync_all => self.replicas_not_applied(end),
                    _ => Vec::new(),
                };
                if !missing.is_empty() {
                    text.push_str(&format!(
                        "; no replay confirmation yet from {}",
                        missing.join(", ")
                    ));
                }
                text
            }
            (Some(_), None) => format!("finishing on {}", in_flight.node),
        })
    }

    /// What `session`'s statement on `node` waits for, if it has one there now
    /// (`pg_stat_activity`'s `wait_event_type` and `wait_event`; None while it runs).
    pub(super) fn statement_on(
        &self,
        node: NodeId,
        session: &str,
    ) -> Option<Option<(&'static str, &'static str)>> {
        self.ops.values().find_map(|op| {
            let in_flight = op.in_flight.as_ref().filter(|f| f.node == node)?;
            (*op.reply.session == *session).then_some(if in_flight.waiting_since_ms.is_some() {
                Some(("IPC", "SyncRep"))
            } else if in_flight.lock_holder.is_some() {
                Some(("Lock", "transactionid"))
            } else {
                None
            })
        })
    }

    /// Sets a session's `synchronous_commit` (None: back to the cluster default).
    pub fn set_session_commit(&mut self, session: &str, mode: Option<SyncCommit>) {
        self.sessions.get_or_default(session).commit = mode;
    }

    /// A session's effective `synchronous_commit`.
    pub fn session_commit(&self, session: &str) -> SyncCommit {
        self.sessions
            .get(session)
            .and_then(|s| s.commit)
            .unwrap_or(self.settings.synchronous_commit)
    }

    /// Commits acknowledged to clients so far (for the durability invariants).
    pub fn acknowledged(&self) -> &crate::engine::shared::SharedDeque<AckedCommit> {
        &self.acknowledged
    }

    fn dispatch_next(&mut self, id: OpId) {
        loop {
            let op = self.ops.get_mut(&id).expect("op exists");
            let Some(statement) = op.pending.pop_front() else {
                return self.finish(id);
            };
            let (session, target) = (op.reply.session.clone(), op.reply.target);
            if let Some(hit) = self.cache_lookup(&session, target, &statement) {
                self.answer_from_cache(id, statement, hit);
                continue;
            }
            return match self.route(&session, target, &statement) {
                ReadRoute::Node(node, why) => {
                    self.send_statement(id, statement, node, self.now_ms, why)
                }
                ReadRoute::Wait { commit } => self.park(id, statement, commit),
            };
        }
    }

    /// Holds a read until a replica has replayed `lsn` (the `lsn` strategy), or its timeout.
    fn park(&mut self, id: OpId, statement: Statement, commit: CommitPosition) {
        let session = self.ops[&id].reply.session.clone();
        let timeout_ms = match self.client_session(&session).ryw {
            Ryw::Lsn { timeout_ms } => timeout_ms,
            _ => 0,
        };
        let deadline = self.now_ms + timeout_ms;
        self.ops.get_mut(&id).expect("op exists").parked = Some((statement, self.now_ms));
        self.route_waits.insert(id, (commit, deadline));
        self.set_timer(Timer::RouteTimeout(id), deadline);
    }

    /// Sends parked reads whose session's last commit some eligible replica has now replayed.
    pub(super) fn release_route_waits(&mut self) {
        if self.route_waits.is_empty() {
            return;
        }
        let waits: Vec<(OpId, CommitPosition)> =
            self.route_waits.iter().map(|(id, (commit, _))| (*id, *commit)).collect();
        for (id, commit) in waits {
            let caught_up =
                self.eligible_replicas().iter().copied().find(|n| self.has_replayed(*n, commit));
            if let Some(node) = caught_up {
                let waited_ms = self
                    .ops
                    .get(&id)
                    .and_then(|op| op.parked.as_ref())
                    .map_or(0, |p| self.now_ms - p.1);
                let why = format!(
                    "ryw=lsn: waited {} for {node} to replay the session's last commit ({commit})",
                    format_millis(waited_ms)
                );
                self.unpark(id, node, why);
            }
        }
    }

    /// The wait is over: read from the primary.
    pub(super) fn route_timeout(&mut self, id: OpId) {
        let Some((commit, _)) = self.route_waits.get(&id).copied() else { return };
        let waited_ms =
            self.ops.get(&id).and_then(|op| op.parked.as_ref()).map_or(0, |p| self.now_ms - p.1);
        let kind = EventKind::ReadWaitTimedOut { op: id.0, waited_ms, commit };
        self.events.push(self.now_ms, kind);
        let session = self.ops[&id].reply.session.clone();
        let primary = self.resolve_primary(&session);
        let why = format!(
            "ryw=lsn: no replica replayed the session's last commit ({commit}) within {}: read from the primary",
            format_millis(waited_ms)
        );
        self.unpark(id, primary, why);
    }

    fn unpark(&mut self, id: OpId, node: NodeId, why: String) {
        self.route_waits.remove(&id);
        self.agenda.cancel_timer(Timer::RouteTimeout(id));
        let Some((statement, since_ms)) = self.ops.get_mut(&id).and_then(|op| op.parked.take())
        else {
            return;
        };
        self.send_statement(id, statement, node, since_ms, Some(why));
    }

    /// Puts a statement in flight on `node` (sent by the client at `sent_ms`); `why` says why
    /// the router chose it.
    fn send_statement(
        &mut self,
        id: OpId,
        statement: Statement,
        node: NodeId,
        sent_ms: Millis,
        route: Option<String>,
    ) {
        let session = self.ops[&id].reply.session.clone();
        let node_lsn = self.node_position(node);
        let timeline = self.nodes[node.0].timeline;
        let mode = self.session_commit(&session);
        let sync_all = self.client_session(&session).ryw == Ryw::Sync;
        let target = self.ops[&id].reply.target;
        let cache_key =
            self.cacheable(&session, target, &statement).then(|| statement.sql().to_string());
        let in_flight = InFlight {
            node,
            statement,
            sent_ms,
            node_lsn,
            timeline,
            route,
            result: None,
            cpu_us: 0,
            commit: None,
            mode,
            sync_all,
            waiting_since_ms: None,
            cache_key,
            sleep_ms: 0,
            cancelled: false,
            lock_holder: None,
        };
        self.ops.get_mut(&id).expect("op exists").in_flight = Some(in_flight);
        if self.shutting_down() == Some(node) {
            return self.complete_statement(
                id,
                Err(Error::ShuttingDown { node: node.name().into_owned() }),
            );
        }
        if let Some(error) = self.unavailable_error(id, node) {
            return self.complete_statement(id, Err(error));
        }
        self.nodes[node.0].queue.push_back(Job::Statement(id));
        self.pump(node);
    }

    /// Why a statement cannot run on `node` now, if it cannot: the node is down; or, for a
    /// write meant for the primary (router or endpoint), there is no primary to take it — it
    /// is down or fenced — and what the failover manager is doing about it.
    fn unavailable_error(&self, id: OpId, node: NodeId) -> Option<Error> {
        let op = &self.ops[&id];
        let via_endpoint = matches!(op.reply.target, Target::Router | Target::Primary);
        let write = op.in_flight.as_ref().is_some_and(|f| f.statement.is_write());
        let running = self.node(node).is_running();
        let fenced_leader = node == self.primary() && self.node(node).role != Role::Primary;
        if !(via_endpoint && write && (!running || fenced_leader)) {
            return (!running).then(|| Error::NodeDown { node: node.name().into_owned() });
        }
        let state = if running { "fenced (read-only)" } else { self.node(node).state.as_str() };
        let name = &self.endpoint.name;
        let target = self.endpoint.target;
        let detail = if node != target {
            let session = &op.reply.session;
            let expires =
                self.sessions.get(&**session).and_then(|s| s.resolved).map(|r| r.expires_ms);
            format!(
                "{session}'s cached answer for {name} still says {node}, which is {state}; {name} points to {target} now (the cached answer expires at {})",
                expires.map_or("once its TTL runs out".to_string(), format_millis)
            )
        } else {
            let next = match self.manager.promoting {
                Some((candidate, _)) => format!("a failover is promoting {candidate}"),
                None if running => {
                    "it lost the failover manager and no replica can be promoted; it takes writes again once the manager reaches it".to_string()
                }
                None if self.manager.config.auto => match &self.manager.no_candidate {
                    Some(why) => format!("the failover manager cannot promote a replica ({why})"),
                    None => format!(
                        "the failover manager will promote a replica once the leader lease expires (at {})",
                        format_millis(self.manager.last_ok_ms + self.manager.config.ttl_ms)
                    ),
                },
                None => "automatic failover is off: promote a replica (its card's promote button, or `promote NODE` in a script)".to_string(),
            };
            format!("{name} resolves to {node}, which is {state}; {next}")
        };
        Some(Error::NoPrimary { detail })
    }

    /// The router's choice of node for one statement.
    fn route(&mut self, session: &str, target: Target, statement: &Statement) -> ReadRoute {
        match target {
            Target::Node(id) => ReadRoute::Node(id, None),
            Target::Primary => ReadRoute::Node(self.resolve_primary(session), None),
            Target::Router => self.route_routed(session, statement),
        }
    }

    fn route_routed(&mut self, session: &str, statement: &Statement) -> ReadRoute {
        // A session inside a transaction stays on the node that holds it.
        let may_hold = self.sessions.get(session).is_some_and(|s| s.ever_began);
        let open = may_hold
            .then(|| {
                self.members().find(|n| n.sessions.get(session).is_some_and(|s| s.in_transaction()))
            })
            .flatten();
        if let Some(node) = open {
            let why = format!("inside a transaction, which {} holds", node.id);
            return ReadRoute::Node(node.id, Some(why));
        }
        if statement.is_write() || statement.command_tag() != "SELECT" {
            return ReadRoute::Node(self.resolve_primary(session), None);
        }
        self.route_read(session)
    }

    /// How far a node is: a primary's WAL end, a replica's replay position.
    fn node_position(&self, id: NodeId) -> Lsn {
        let node = self.node(id);
        match node.role {
            Role::Primary => node.wal.end(),
            Role::Replica => node.replay_lsn,
        }
    }

    /// Starts queued work on free cores; schedules itself for when the next core frees up.
    pub(super) fn pump(&mut self, id: NodeId) {
        let now_us = self.now_ms * 1_000;
        loop {
            let node = &self.nodes[id.0];
            if !node.is_running() || node.queue.is_empty() {
                return;
            }
            let (core, free_us) = node.next_free_core();
            if free_us >= now_us + 1_000 {
                return self.set_timer(Timer::Pump(id), free_us / 1_000);
            }
            let job = self.nodes[id.0].queue.pop_front().expect("checked non-empty");
            if let Job::Statement(op) = job {
                // An op failed meanwhile (its node was demoted, say) leaves a stale job behind.
                let waiting_here = self.ops.get(&op).and_then(|o| o.in_flight.as_ref());
                if !waiting_here.is_some_and(|f| f.node == id && f.result.is_none()) {
                    continue;
                }
            }
            let start_us = free_us.max(now_us);
            let cpu_us = match job {
                Job::Statement(op) => self.run_statement(op),
                Job::Replay => self.replay_next(id),
            };
            let end_us = start_us + cpu_us;
            self.nodes[id.0].cores_free_us[core] = end_us;
            let extra_us = match job {
                Job::Statement(op) => self.flush_wait_us(op),
                Job::Replay => 0,
            };
            let done_ms = ((end_us + extra_us + 500) / 1_000).max(self.now_ms);
            match job {
                Job::Statement(op) => self.set_timer(Timer::StatementDone(op), done_ms),
                Job::Replay => self.set_timer(Timer::ReplayDone(id), done_ms),
            }
        }
    }

    /// Runs an op's in-flight statement on its node now; returns the CPU it takes (µs).
    fn run_statement(&mut self, id: OpId) -> u64 {
        let op = &self.ops[&id];
        let session = op.reply.session.clone();
        let quiet = op.traffic.quiet();
        let in_flight = op.in_flight.as_ref().expect("a statement is in flight");
        let (node_id, statement) = (in_flight.node, in_flight.statement.clone());
        if let Some(utility) = statement.utility() {
            return self.run_utility_statement(id, &session, node_id, &statement, utility);
        }
        let mut env = self.env_for(node_id);
        // Load traffic's answers are counted, not shown, unless the read cache keeps them.
        env.rows_unread = quiet && in_flight.cache_key.is_none();
        let connection = self.nodes[node_id.0].sessions.get_or_default(&*session);
        connection.query = Some((statement.sql(), env.now));
        if statement.needs_catalog() {
            env.catalog = Some(Rc::new(self.catalog_for(node_id, &session)));
        }
        let in_flight =
            self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut()).expect("in flight");
        let node = &mut self.nodes[node_id.0];
        in_flight.node_lsn = match node.role {
            Role::Primary => node.wal.end(),
            Role::Replica => node.replay_lsn,
        };
        in_flight.timeline = node.timeline;
        if node.role == Role::Replica && statement.is_write() {
            let command = statement.write_tag();
            self.events.push(self.now_ms, EventKind::RefusedWrite { node: node_id, command });
            in_flight.result = Some(Err(Error::ReadOnly { command }));
            in_flight.cpu_us = ERROR_CPU_US;
            return ERROR_CPU_US;
        }
        let may_commit = statement.is_write() || statement.command_tag() == "COMMIT";
        if may_commit
            && node.durable.is_none()
            && in_flight.mode == SyncCommit::Off
            && node.role == Role::Primary
        {
            // Unflushed WAL is about to exist: remember the durable state a crash returns to.
            node.durable = (node.flushed_lsn == node.wal.end()).then(|| node.db.clone());
        }
        // Load traffic sees everything and takes no locks (no one sees its rows, and it keeps
        // the load cheap).
        let hidden = if quiet || node.role != Role::Primary {
            Vec::new()
        } else {
            self.waiting_commits(node_id, &session)
        };
        let node = &mut self.nodes[node_id.0];
        let connection = node.sessions.get_or_default(&*session);
        let commits: Vec<&sql::Commit> = hidden.iter().map(|(_, commit)| commit).collect();
        let result = if hidden.is_empty() || connection.in_transaction() {
            node.db.execute(connection, &statement, &env)
        } else if matches!(statement.command_tag(), "SELECT" | "BEGIN") {
            // A read, or a transaction's snapshot: without the commits that still wait.
            node.db.without(&commits).execute(connection, &statement, &env)
        } else {
            match node.db.execute_past_waits(connection, &statement, &env, &commits) {
                sql::PastWaits::Ran(result) => result,
                sql::PastWaits::Blocked(holder) => return self.wait_for_lock(id, hidden[holder].0),
            }
        };
        if statement.is_transaction_control() && statement.command_tag() != "BEGIN" {
            let committed = matches!(&result, Ok(o) if o.tag == "COMMIT");
            self.end_settings_transaction(&session, committed);
        }
        let requests = env.catalog.as_ref().map(|c| c.take_requests()).unwrap_or_default();
        let mut result = result;
        if let (Some(catalog), Ok(outcome)) = (&env.catalog, &mut result) {
            outcome.notices.extend(catalog.notices.take());
        }
        let sleep_ms =
            if requests.is_empty() { 0 } else { self.serve_requests(node_id, &session, requests) };
        let in_flight =
            self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut()).expect("in flight");
        in_flight.sleep_ms = sleep_ms;
        let cpu_us = match &result {
            Ok(outcome) => statement_cpu_us(
                &outcome.cost,
                outcome.commit.as_ref().map_or(0, |c| c.changes.len()),
            ),
            Err(_) => ERROR_CPU_US,
        };
        in_flight.cpu_us = cpu_us;
        let commit = result.as_ref().ok().and_then(|o| o.commit.clone());
        let mode = in_flight.mode;
        in_flight.result = Some(result.map_err(Error::from));
        if let Some(commit) = commit {
            let (xid, end) = self.commit_on_primary(node_id, commit, mode);
            let in_flight =
                self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut()).expect("in flight");
            in_flight.commit = Some((xid, end));
        }
        cpu_us
    }

    /// Commits on `node` of other sessions than `reader` that are not acknowledged yet, with
    /// their ops, in WAL order: invisible to `reader` until their wait for synchronous
    /// replication ends, and holding their rows' locks until then.
    fn waiting_commits(&self, node: NodeId, reader: &str) -> Vec<(OpId, sql::Commit)> {
        let mut commits: Vec<(Lsn, OpId, &sql::Commit)> = self
            .ops
            .iter()
            .filter(|(_, op)| *op.reply.session != *reader)
            .filter_map(|(id, op)| {
                let f = op.in_flight.as_ref().filter(|f| f.node == node && !f.cancelled)?;
                let (_, end) = f.commit?;
                let commit = f.result.as_ref()?.as_ref().ok()?.commit.as_ref()?;
                Some((end, id, commit))
            })
            .collect();
        commits.sort_by_key(|(end, _, _)| *end);
        commits.into_iter().map(|(_, id, c)| (id, c.clone())).collect()
    }

    /// Holds op `id`'s statement until `holder`'s transaction ends (its commit is
    /// acknowledged, its wait cancelled, or it fails): then it runs again from the start, as
    /// PostgreSQL re-checks a row whose lock it waited for. Returns the CPU spent finding out.
    fn wait_for_lock(&mut self, id: OpId, holder: OpId) -> u64 {
        let in_flight =
            self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut()).expect("in flight");
        in_flight.lock_holder = Some(holder);
        in_flight.cpu_us = ERROR_CPU_US;
        self.lock_waits.entry(holder).or_default().push(id);
        ERROR_CPU_US
    }

    /// `holder`'s transaction ended: the statements waiting on its locks go back in their
    /// node's queue, in the order they started waiting.
    fn release_locks(&mut self, holder: OpId) {
        let Some(waiters) = self.lock_waits.remove(&holder) else { return };
        for id in waiters {
            let Some(in_flight) = self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut()) else {
                continue;
            };
            in_flight.lock_holder = None;
            let node = in_flight.node;
            self.nodes[node.0].queue.push_back(Job::Statement(id));
            self.pump(node);
        }
    }

    /// Extra time after the CPU work: the local WAL flush, for a commit that waits for it.
    fn flush_wait_us(&self, id: OpId) -> u64 {
        let in_flight = self.ops.get(&id).and_then(|op| op.in_flight.as_ref()).expect("in flight");
        let flush_us = match (in_flight.commit, in_flight.mode.waits_for_local_flush()) {
            (Some(_), true) => self.settings.wal_flush_us,
            _ => 0,
        };
        flush_us + in_flight.sleep_ms * 1_000
    }

    /// Runs `SET`/`SHOW`/`RESET`/`ALTER SYSTEM`/`CHECKPOINT` (the server's, not the data's).
    fn run_utility_statement(
        &mut self,
        id: OpId,
        session: &str,
        node: NodeId,
        statement: &Statement,
        utility: &Utility,
    ) -> u64 {
        let now = self.timestamp();
        let connection = self.nodes[node.0].sessions.get_or_default(session);
        connection.query = Some((statement.sql(), now));
        let result = if connection.is_aborted() {
            Err(sql::SqlError::in_failed_transaction())
        } else {
            self.run_utility(node, session, utility)
        };
        if result.is_err() {
            if let Some(connection) = self.nodes[node.0].sessions.get_mut(session) {
                connection.abort();
            }
        }
        let in_flight =
            self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut()).expect("in flight");
        in_flight.cpu_us = ERROR_CPU_US;
        in_flight.result = Some(result.map_err(Error::from));
        ERROR_CPU_US
    }

    fn env_for(&self, id: NodeId) -> Env {
        let node = self.node(id);
        Env {
            catalog: None,
            now: self.timestamp(),
            in_recovery: node.role == Role::Replica,
            wal_lsn: match node.role {
                Role::Primary => node.wal.end().0,
                Role::Replica => node.replay_lsn.0,
            },
            rows_unread: false,
        }
    }

    /// A statement's CPU work is done: answer it, or hold its commit until the mode is satisfied.
    pub(super) fn statement_done(&mut self, id: OpId) {
        let Some(in_flight) = self.ops.get(&id).and_then(|op| op.in_flight.as_ref()) else {
            return;
        };
        if in_flight.result.is_none() {
            return;
        }
        let (node, cpu_us, commit, mode, sync_all) = (
            in_flight.node,
            in_flight.cpu_us,
            in_flight.commit,
            in_flight.mode,
            in_flight.sync_all,
        );
        self.metrics.record_statement(node, cpu_us);
        if let Some((_, end)) = commit {
            if !self.commit_satisfied(node, mode, sync_all, end) {
                let in_flight =
                    self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut()).expect("in flight");
                in_flight.waiting_since_ms = Some(self.now_ms);
                self.commit_waits.insert(id, ());
                if self.settings.semi_sync.enabled && self.settings.semi_sync.active {
                    let at = self.now_ms + self.settings.semi_sync.timeout_ms;
                    self.set_timer(Timer::SemiSyncTimeout(id), at);
                }
                return;
            }
        }
        let in_flight = self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut());
        let result = in_flight.and_then(|f| f.result.take()).expect("ran");
        self.complete_statement(id, result);
    }

    /// Whether a commit ending at `end` may be acknowledged under `mode` now.
    ///
    /// A commit on a primary the manager no longer recognises (split brain) has no standbys:
    /// only the local flush can be satisfied.
    fn commit_satisfied(&self, node: NodeId, mode: SyncCommit, sync_all: bool, end: Lsn) -> bool {
        let leader = node == self.primary();
        if mode.waits_for_local_flush() && self.node(node).flushed_lsn < end {
            return false;
        }
        if sync_all && !(leader && self.all_replicas_applied(end)) {
            return false;
        }
        let acks = if leader { self.standby_acks() } else { Vec::new() };
        let names = &self.settings.synchronous_standby_names;
        let semi = mode == SyncCommit::Off || self.settings.semi_sync.satisfied(&acks, end);
        semi && commit::standbys_satisfied(mode, names, &acks, end)
    }

    /// Each connected standby's acknowledged positions, for commit decisions.
    pub(super) fn standby_acks(&self) -> Vec<StandbyAck> {
        self.walsenders
            .iter()
            .map(|(id, w)| StandbyAck {
                name: id.name(),
                streaming: w.streaming,
                write_lsn: w.write_lsn,
                flush_lsn: w.flush_lsn,
                replay_lsn: w.replay_lsn,
            })
            .collect()
    }

    /// What a commit under `mode` waits for now.
    fn commit_wait(&self, mode: SyncCommit, sync_all: bool) -> CommitWait {
        let names = &self.settings.synchronous_standby_names;
        let semi = &self.settings.semi_sync;
        CommitWait {
            local_flush: mode.waits_for_local_flush(),
            every_replica: sync_all,
            standbys: mode
                .standby_position()
                .filter(|_| !names.is_empty())
                .map(|p| (p, names.clone())),
            semi_sync_replicas: (semi.enabled && semi.active && mode != SyncCommit::Off)
                .then_some(semi.wait_count as u32),
        }
    }

    /// Re-checks every held commit (after feedback, a setting change, a fallback).
    pub(super) fn recheck_commit_waits(&mut self) {
        if self.commit_waits.is_empty() {
            return;
        }
        let waiting: Vec<(OpId, NodeId, SyncCommit, bool, Lsn)> = self
            .commit_waits
            .keys()
            .filter_map(|id| {
                let f = self.ops.get(id)?.in_flight.as_ref()?;
                f.waiting_since_ms?;
                Some((*id, f.node, f.mode, f.sync_all, f.commit?.1))
            })
            .collect();
        for (id, node, mode, sync_all, end) in waiting {
            if self.commit_satisfied(node, mode, sync_all, end) {
                let result =
                    self.ops[&id].in_flight.as_ref().and_then(|f| f.result.clone()).expect("ran");
                self.complete_statement(id, result);
            }
        }
    }

    /// Cancels `session`'s statement in progress, as psql's Ctrl+C or `pg_cancel_backend()`
    /// does. A commit waiting for its synchronous standbys is acknowledged at once with
    /// PostgreSQL's warning (it is committed locally and replicates when it can); a queued,
    /// parked or sleeping statement fails with `canceling statement due to user request`.
    pub fn cancel(&mut self, session: &str) -> Result<(), Error> {
        let found = self.ops.iter().find(|(_, op)| {
            *op.reply.session == *session
                && !op.traffic.quiet()
                && (op.in_flight.is_some() || op.parked.is_some())
        });
        let Some((id, op)) = found else {
            return Err(Error::invalid(format!("{session} has no statement in progress")));
        };
        if op.parked.is_some() {
            let target = self.resolve_primary(session);
            self.unpark(id, target, "cancelled while waiting for a replica".to_string());
            let sent = self.ops.get(&id).is_some_and(|op| op.in_flight.is_some());
            return if sent { self.fail_cancelled(id) } else { Ok(()) };
        }
        let in_flight = op.in_flight.as_ref().expect("checked");
        match (&in_flight.result, in_flight.waiting_since_ms, in_flight.commit) {
            (Some(Ok(_)), Some(_), Some(_)) => {
                self.acknowledge_cancelled_wait(id);
                Ok(())
            }
            (None, _, _) => self.fail_cancelled(id),
            (Some(_), None, None) if in_flight.sleep_ms > 0 => {
                self.agenda.cancel_timer(Timer::StatementDone(id));
                self.fail_cancelled(id)
            }
            _ => Err(Error::invalid(format!(
                "{session}'s statement is finishing: the cancel request arrives too late"
            ))),
        }
    }

    fn fail_cancelled(&mut self, id: OpId) -> Result<(), Error> {
        let error = sql::SqlError::new("57014", "canceling statement due to user request");
        self.complete_statement(id, Err(Error::Sql(error)));
        Ok(())
    }

    /// A cancelled wait for synchronous replication: the commit stands (it is in the local
    /// WAL), is acknowledged as a local commit, and the client is warned.
    fn acknowledge_cancelled_wait(&mut self, id: OpId) {
        self.agenda.cancel_timer(Timer::SemiSyncTimeout(id));
        let in_flight =
            self.ops.get_mut(&id).and_then(|op| op.in_flight.as_mut()).expect("in flight");
        // It stands as a local commit: flushed, unless it was never to be (`off`).
        in_flight.mode = in_flight.mode.min(SyncCommit::Local);
        in_flight.sync_all = false;
        in_flight.cancelled = true;
        let mut result = in_flight.result.clone().expect("ran");
        if let Ok(outcome) = &mut result {
            outcome.notices.push(
                "WARNING:  canceling wait for synchronous replication due to user request\nDETAIL:  The transaction has already committed locally, but might not have been replicated to the standby.".to_string(),
            );
        }
        self.complete_statement(id, result);
    }

    /// A semi-sync commit waited the whole timeout: MySQL switches semi-sync off and goes on.
    pub(super) fn semi_sync_timeout(&mut self, id: OpId) {
        let still_waiting = self
            .ops
            .get(&id)
            .and_then(|op| op.in_flight.as_ref())
            .and_then(|f| f.waiting_since_ms.map(|since| (since, f.commit)));
        let Some((since, Some((_, end)))) = still_waiting else { return };
        if self.ops[&id].in_flight.as_ref().is_some_and(|f| f.node != self.primary()) {
            return; // a stale primary's commit: it has no standbys, and no say over semi-sync
        }
        let semi = &self.settings.semi_sync;
        if !semi.enabled || !semi.active || semi.satisfied(&self.standby_acks(), end) {
            return;
        }
        self.settings.semi_sync.active = false;
        self.events.push(self.now_ms, EventKind::SemiSyncOff { waited_ms: self.now_ms - since });
    }

    /// Records a statement's answer and moves the op on (or ends it on error).
    fn complete_statement(&mut self, id: OpId, result: Result<sql::Outcome, Error>) {
        let now_ms = self.now_ms;
        let in_flight =
            self.ops.get_mut(&id).and_then(|op| op.in_flight.take()).expect("in flight");
        self.commit_waits.remove(&id);
        if let Some(holder) = in_flight.lock_holder {
            // Cancelled, or its node went down, while it waited for a lock.
            if let Some(waiters) = self.lock_waits.get_mut(&holder) {
                waiters.retain(|w| *w != id);
            }
        }
        let failed = result.is_err();
        if let (Some((_, end)), false, false) = (in_flight.commit, failed, in_flight.cancelled) {
            assert!(
                self.commit_satisfied(in_flight.node, in_flight.mode, in_flight.sync_all, end),
                "a commit is acknowledged only once its mode ({}) is satisfied",
                in_flight.mode
            );
        }
        let waited_for =
            in_flight.commit.map(|_| self.commit_wait(in_flight.mode, in_flight.sync_all));
        let reply = StatementReply {
            node: in_flight.node,
            role: self.nodes[in_flight.node.0].role,
            sql: in_flight.statement.sql(),
            sent_ms: in_flight.sent_ms,
            done_ms: now_ms,
            node_lsn: in_flight.node_lsn,
            timeline: in_flight.timeline,
            commit_lsn: in_flight.commit.map(|c| c.1),
            waited_for: waited_for.clone(),
            cached_at_ms: None,
            route: in_flight.route.clone(),
            result,
        };
        self.update_cache(&reply, &in_flight.statement, in_flight.cache_key);
        let op = &self.ops[&id];
        let quiet = op.traffic.quiet();
        let session = op.reply.session.clone();
        self.note_completion(&reply, &session, quiet, in_flight.commit, in_flight.mode);
        self.record_history(&reply, &session, &in_flight.statement, in_flight.commit);
        self.release_locks(id);
        let op = self.ops.get_mut(&id).expect("op exists");
        op.reply.statements.push(reply);
        if failed {
            op.pending.clear();
        }
        self.dispatch_next(id);
    }

    /// Whether a statement's answer may come from (and go into) the read cache: a SELECT
    /// through the router, outside a transaction, with the cache on.
    fn cacheable(&self, session: &str, target: Target, statement: &Statement) -> bool {
        self.cache.config.enabled
            && target == Target::Router
            && !statement.is_write()
            && statement.command_tag() == "SELECT"
            && !self.members().any(|n| n.sessions.get(session).is_some_and(|s| s.in_transaction()))
    }

    /// A fresh cached answer for a statement, counting the hit or miss.
    fn cache_lookup(
        &mut self,
        session: &str,
        target: Target,
        statement: &Statement,
    ) -> Option<super::cache::CachedRead> {
        if !self.cacheable(session, target, statement) {
            return None;
        }
        // A session with a read-after-write strategy takes a cached answer only if it already
        // includes the session's last write (the version check, applied to the cache).
        let state = self.client_session(session);
        let needs = (state.ryw != Ryw::None).then_some(state.last_commit);
        let hit = self.cache.fresh(&statement.sql(), self.now_ms).filter(|entry| {
            needs.is_none_or(|c| {
                self.history_includes(entry.timeline, entry.node_lsn, c.timeline, c.lsn)
            })
        });
        self.cache.count(hit.is_some());
        self.metrics.record_cache_lookup(hit.is_some());
        hit
    }

    /// Answers a statement from the cache at once, without touching a node.
    fn answer_from_cache(&mut self, id: OpId, statement: Statement, hit: super::cache::CachedRead) {
        let reply = StatementReply {
            node: hit.node,
            role: hit.role,
            sql: statement.sql(),
            sent_ms: self.now_ms,
            done_ms: self.now_ms,
            node_lsn: hit.node_lsn,
            timeline: hit.timeline,
            commit_lsn: None,
            waited_for: None,
            cached_at_ms: Some(hit.stored_ms),
            route: None,
            result: Ok(hit.outcome),
        };
        let session = self.ops[&id].reply.session.clone();
        self.record_history(&reply, &session, &statement, None);
        self.ops.get_mut(&id).expect("op exists").reply.statements.push(reply);
    }

    /// Stores a missed read's answer; an acknowledged write invalidates what it touched.
    fn update_cache(&mut self, reply: &StatementReply, statement: &Statement, key: Option<String>) {
        let Ok(outcome) = &reply.result else { return };
        if let Some(key) = key {
            let entry = super::cache::CachedRead {
                outcome: outcome.clone(),
                node: reply.node,
                role: reply.role,
                node_lsn: reply.node_lsn,
                timeline: reply.timeline,
                stored_ms: self.now_ms,
                tables: statement.tables(),
            };
            self.cache.store(key, entry);
        } else if reply.commit_lsn.is_some() && self.cache.config.invalidate_on_write {
            self.cache.invalidate(&statement.tables());
        }
    }

    /// Adds an answered statement to the history the consistency checker reads.
    fn record_history(
        &mut self,
        reply: &StatementReply,
        session: &Rc<str>,
        statement: &Statement,
        commit: Option<(u64, Lsn)>,
    ) {
        let ok = reply.result.is_ok();
        let kind = match (commit, ok, statement.command_tag()) {
            (Some(_), true, _) => OpKind::Write,
            (None, true, "SELECT") => OpKind::Read,
            _ => OpKind::Other,
        };
        let unusual = Unusual {
            value: reply.result.as_ref().ok().and_then(single_value),
            error: reply.result.as_ref().err().map(|e| e.to_string().into()),
            refused_read_only: matches!(reply.result, Err(Error::ReadOnly { .. })),
            cached_at_ms: reply.cached_at_ms,
        };
        self.history.push(OpRecord {
            id: 0,
            session: session.clone(),
            node: reply.node,
            role: reply.role,
            kind,
            source: statement.source(),
            sent_ms: reply.sent_ms,
            done_ms: reply.done_ms,
            node_lsn: reply.node_lsn,
            commit: commit.filter(|_| ok),
            rows: reply
                .result
                .as_ref()
                .map_or(0, |o| o.row_count().min(u64::from(u32::MAX)) as u32),
            timeline: reply.timeline,
            unusual: unusual.boxed(),
        });
    }

    /// Metrics, the slow-query log, and acknowledgement bookkeeping for one answer.
    fn note_completion(
        &mut self,
        reply: &StatementReply,
        session: &str,
        quiet: bool,
        commit: Option<(u64, Lsn)>,
        mode: SyncCommit,
    ) {
        let latency_ms = reply.latency_ms();
        let slow = self.metrics.is_slow(latency_ms);
        if let (Ok(outcome), true) = (&reply.result, slow) {
            self.metrics.maybe_log_slow(SlowQuery {
                at_ms: reply.done_ms,
                node: reply.node,
                session: session.to_string(),
                duration_ms: latency_ms,
                sql: reply.sql.to_string(),
                cost: outcome.cost.to_string(),
            });
        }
        let Some((xid, end)) = commit else { return };
        if reply.result.is_err() {
            return; // the client never heard "COMMIT": the outcome is unknown to it
        }
        self.note_session_write(session, end, reply.node);
        self.metrics.record_write_latency(reply.node, latency_ms);
        let primary = self.node(reply.node);
        let chain = primary.wal.chain_at(end).unwrap_or_default();
        let timeline = primary.timeline;
        let names = &self.settings.synchronous_standby_names;
        let confirmed_by_standby = mode.standby_position().is_some() && !names.is_empty();
        if self.acknowledged.len() == ACKS_KEPT {
            self.acknowledged.drop_front(ACKS_KEPT / 2);
        }
        self.acknowledged.push_back(AckedCommit {
            xid,
            end,
            chain,
            mode,
            confirmed_by_standby,
            at_ms: self.now_ms,
            timeline,
            fencing: self.fencing_in_effect(),
        });
        if !quiet {
            let waited_for = reply.waited_for.clone().unwrap_or_default();
            let kind = EventKind::Acknowledged {
                node: reply.node,
                xid,
                latency_ms,
                waited_for: Box::new(waited_for),
            };
            self.events.push(self.now_ms, kind);
        }
        if reply.node != self.primary() && !quiet {
            let (leader, leader_timeline) = (self.primary(), self.timeline());
            let kind = EventKind::SplitBrainWrite {
                node: reply.node,
                xid,
                timeline,
                leader,
                leader_timeline,
            };
            self.events.push(self.now_ms, kind);
        }
    }

    fn finish(&mut self, id: OpId) {
        let mut op = self.ops.remove(&id).expect("op exists");
        assert!(op.in_flight.is_none() && op.parked.is_none(), "an op ends with nothing in flight");
        op.reply.done_ms = Some(self.now_ms);
        if let Traffic::Load(kind) = op.traffic {
            return self.load_op_finished(&op.reply, kind);
        }
        if op.traffic.quiet() {
            return;
        }
        if self.finished.len() == FINISHED_KEPT {
            self.finished.pop_front();
        }
        self.finished.push_back(op.reply);
    }

    /// Fails every op that was queued, running or waiting on a node that just went down.
    pub(super) fn fail_ops_on(&mut self, node: NodeId) {
        self.fail_ops_on_with(node, Error::ConnectionLost { node: node.name().into_owned() });
    }

    /// Fails every op in flight on `node` with `error`.
    pub(super) fn fail_ops_on_with(&mut self, node: NodeId, error: Error) {
        let victims: Vec<OpId> = self
            .ops
            .iter()
            .filter(|(_, op)| op.in_flight.as_ref().is_some_and(|f| f.node == node))
            .map(|(id, _)| id)
            .collect();
        for id in victims {
            self.complete_statement(id, Err(error.clone()));
        }
    }

    /// Whether any client statement is queued, running or waiting on `node`.
    pub(super) fn ops_in_flight_on(&self, node: NodeId) -> bool {
        self.ops.values().any(|op| op.in_flight.as_ref().is_some_and(|f| f.node == node))
    }

    /// Whether a node's state lets it take statements (for the UI and scripts).
    pub fn accepts_statements(&self, id: NodeId) -> bool {
        self.node(id).state == NodeState::Running
    }
}
