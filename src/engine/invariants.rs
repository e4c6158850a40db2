//! # Named invariants, checked on every step of a seed sweep
//!
//! Properties that must hold in every run, whatever the faults, in the spirit of
//! stateright's `property(Expectation::Always, ...)`. They live in one table, [`INVARIANTS`],
//! each with a name, a kind and what it means; the seed sweep checks every row, and the page
//! can list them.
//!
//! | name | kind | what must hold |
//! |------|------|----------------|
//! | [`PREFIX`] | always | a replica's replayed and flushed log is a prefix of its primary's log |
//! | [`DURABLE`] | always | no acknowledged write is lost under `local` or stronger on the same primary, nor one a synchronous standby confirmed, across a failover |
//! | [`MONOTONIC`] | always | LSNs never go backwards on a node that did not crash or get rebuilt |
//! | [`SINGLE_WRITER`] | always | with fencing on, at most one node takes writes, and no write is acknowledged on a timeline after a newer one began |
//! | [`CONVERGED`] | eventually | once faults heal and replication catches up, every replica equals the primary |
//!
//! Determinism — the same seed twice gives the identical run — is checked by running twice and
//! comparing [`Cluster::digest`].

use super::commit::SyncCommit;
use super::node::{NodeState, Receiver, Role};
use super::wal::Lsn;
use super::{Cluster, NodeId};
use crate::engine::vecmap::VecMap;

pub const PREFIX: &str = "a replica's log is a prefix of its primary's log";
pub const DURABLE: &str = "no acknowledged write is lost under synchronous commit";
pub const MONOTONIC: &str = "LSNs never go backwards on a node that did not crash";
pub const CONVERGED: &str = "a caught-up replica holds the same data as the primary";
pub const SINGLE_WRITER: &str = "with fencing on, at most one primary accepts writes per epoch";

/// When a property must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// After every input and every event.
    Always,
    /// Once faults are healed and replication has had time to catch up.
    Eventually,
}

/// One named invariant: its name, when it must hold, what it means, and how it is checked.
#[derive(Clone, Copy)]
pub struct Invariant {
    pub name: &'static str,
    pub expectation: Expectation,
    /// What it promises, for people.
    pub meaning: &'static str,
    check: fn(&mut Checker, &Cluster) -> Vec<Violation>,
}

impl std::fmt::Debug for Invariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invariant")
            .field("name", &self.name)
            .field("expectation", &self.expectation)
            .finish()
    }
}

/// Every invariant the engine promises.
pub const INVARIANTS: [Invariant; 5] = [
    Invariant {
        name: PREFIX,
        expectation: Expectation::Always,
        meaning: "what a replica has flushed and replayed is exactly what its primary wrote, up to there",
        check: |_, c| prefix_violations(c),
    },
    Invariant {
        name: DURABLE,
        expectation: Expectation::Always,
        meaning: "a commit acknowledged under local or stronger survives on its primary; one a synchronous standby confirmed survives a failover",
        check: |_, c| durability_violations(c),
    },
    Invariant {
        name: MONOTONIC,
        expectation: Expectation::Always,
        meaning: "a node's flush and replay positions only move forward until it crashes or is rebuilt",
        check: Checker::monotonic_violations,
    },
    Invariant {
        name: SINGLE_WRITER,
        expectation: Expectation::Always,
        meaning: "with fencing on there is one writable primary, and no write is acknowledged on a timeline once a newer one began",
        check: |_, c| {
            if c.fencing_in_effect() {
                single_writer_violations(c)
            } else {
                Vec::new()
            }
        },
    },
    Invariant {
        name: CONVERGED,
        expectation: Expectation::Eventually,
        meaning: "once faults heal and replication catches up, every streaming replica holds exactly the primary's data",
        check: |_, c| convergence_violations(c),
    },
];

/// A broken invariant, with the facts that show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub invariant: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "violated \"{}\": {}", self.invariant, self.detail)
    }
}

/// Checks invariants step after step, remembering what it needs between steps.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    positions: VecMap<NodeId, (u32, Lsn, Lsn)>,
}

impl Checker {
    /// Checks every invariant of [`INVARIANTS`] with this expectation against the cluster as
    /// it is now.
    pub fn check(&mut self, cluster: &Cluster, expectation: Expectation) -> Vec<Violation> {
        let mut found = Vec::new();
        for invariant in INVARIANTS.iter().filter(|i| i.expectation == expectation) {
            found.extend((invariant.check)(self, cluster));
        }
        found
    }

    fn monotonic_violations(&mut self, cluster: &Cluster) -> Vec<Violation> {
        let mut found = Vec::new();
        for node in cluster.members() {
            let now = (node.incarnation, node.flush_lsn(), node.replay_lsn);
            if let Some(&(incarnation, flush, replay)) = self.positions.get(&node.id) {
                if incarnation == now.0 && (now.1 < flush || now.2 < replay) {
                    found.push(Violation {
                        invariant: MONOTONIC,
                        detail: format!(
                            "{} went from flush {flush} / replay {replay} to flush {} / replay {} without a crash",
                            node.id, now.1, now.2
                        ),
                    });
                }
            }
            self.positions.insert(node.id, now);
        }
        found
    }
}

fn prefix_violations(cluster: &Cluster) -> Vec<Violation> {
    let primary = cluster.node(cluster.primary());
    let mut found = Vec::new();
    // A replica still on an older timeline is about to rewind: it is not compared.
    let followers =
        cluster.members().filter(|n| n.role == Role::Replica && n.timeline == primary.timeline);
    for node in followers {
        let checks = [
            ("replayed", node.replay_lsn, node.replayed_chain),
            ("flushed", node.wal.end(), node.wal.end_chain()),
        ];
        for (what, lsn, chain) in checks {
            if lsn == Lsn::START && chain == 0 {
                continue;
            }
            let detail = if lsn > primary.wal.end() {
                Some(format!(
                    "{} {what} up to {lsn}, beyond the primary's end {}",
                    node.id,
                    primary.wal.end()
                ))
            } else if primary.wal.remembers(lsn) && primary.wal.chain_at(lsn) != Some(chain) {
                Some(format!(
                    "{} {what} up to {lsn}, but its history differs from {}'s there",
                    node.id, primary.id
                ))
            } else {
                None
            };
            if let Some(detail) = detail {
                found.push(Violation { invariant: PREFIX, detail });
            }
        }
    }
    found
}

/// Split brain, which fencing exists to prevent: two running primaries, or a write acknowledged
/// on a timeline after a newer timeline (a newer primary) had begun.
pub fn single_writer_violations(cluster: &Cluster) -> Vec<Violation> {
    let mut found = Vec::new();
    let primaries = cluster.primaries();
    if primaries.len() > 1 {
        let names: Vec<String> = primaries.iter().map(|id| id.name().into_owned()).collect();
        let detail = format!("{} are all running as primaries", names.join(", "));
        found.push(Violation { invariant: SINGLE_WRITER, detail });
    }
    for ack in cluster.acknowledged().iter().filter(|ack| ack.fencing) {
        if let Some((timeline, at_ms)) = cluster.newer_timeline_before(ack.timeline, ack.at_ms) {
            let detail = format!(
                "xid {} was acknowledged on timeline {} at {}ms, after timeline {timeline} began at {at_ms}ms",
                ack.xid, ack.timeline, ack.at_ms
            );
            found.push(Violation { invariant: SINGLE_WRITER, detail });
        }
    }
    found
}

fn durability_violations(cluster: &Cluster) -> Vec<Violation> {
    let primary = cluster.node(cluster.primary());
    cluster
        .acknowledged()
        .iter()
        // On the current timeline the primary's own disk is enough; across a failover only
        // what a synchronous standby confirmed must survive.
        .filter(|ack| {
            if ack.timeline == primary.timeline {
                ack.mode >= SyncCommit::Local
            } else {
                // Promotions that knowingly left confirmed writes behind are reported by
                // `Cluster::lossy_timelines`; every other promotion must keep them.
                let lossy = cluster.lossy_timelines().range(ack.timeline + 1..=primary.timeline).next().is_some();
                ack.confirmed_by_standby && !lossy
            }
        })
        .filter_map(|ack| {
            let kept = primary.wal.end() >= ack.end
                && (!primary.wal.remembers(ack.end) || primary.wal.chain_at(ack.end) == Some(ack.chain));
            (!kept).then(|| Violation {
                invariant: DURABLE,
                detail: format!(
                    "xid {} was acknowledged at {} under synchronous_commit = {} but {} no longer has it",
                    ack.xid, ack.end, ack.mode, primary.id
                ),
            })
        })
        .collect()
}

/// Checks that every running, streaming replica that has replayed everything holds exactly
/// the primary's data. Call after healing faults and letting replication catch up.
pub fn convergence_violations(cluster: &Cluster) -> Vec<Violation> {
    let primary = cluster.node(cluster.primary());
    cluster
        .members()
        .filter(|n| {
            n.role == Role::Replica
                && n.state == NodeState::Running
                && n.receiver == Receiver::Streaming
        })
        .filter_map(|n| {
            let detail = if n.replay_lsn != primary.wal.end() {
                format!(
                    "{} replayed only to {} of {}'s {}",
                    n.id,
                    n.replay_lsn,
                    primary.id,
                    primary.wal.end()
                )
            } else if n.db != primary.db {
                format!(
                    "{} replayed to {} but its data differs from {}'s",
                    n.id, n.replay_lsn, primary.id
                )
            } else {
                return None;
            };
            Some(Violation { invariant: CONVERGED, detail })
        })
        .collect()
}
