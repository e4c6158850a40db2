//! The primary's endpoint: a DNS name that clients resolve and cache.
//!
//! Patroni registers the leader in Consul as `primary.<scope>.service.consul`; cloud databases
//! publish a "cluster endpoint" (a CNAME with a 5 s TTL on RDS). The failover manager points
//! the name at the new primary the moment a promotion completes, but each client keeps the
//! answer it already has until that answer's TTL runs out:
//!
//! ```text
//!   t=0    alice resolves primary.pg.service.consul → pg1 (cached until t=ttl)
//!   t=1    pg2 promoted: the record now says pg2
//!   t<ttl  alice's writes still go to pg1: refused (pg1 is down or fenced) — or, with fencing
//!          off and pg1 alive, ACCEPTED by pg1: split brain
//!   t≥ttl  alice resolves again → pg2
//! ```
//!
//! A TTL of 0 (Consul's default `service_ttl`) means every statement resolves afresh.

use super::super::event::{EventKind, SettingScope, ENDPOINT_NAME};
use super::super::{format_millis, Millis, NodeId};
use super::Cluster;

/// The DNS-like name of the primary.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    /// The name clients connect to.
    pub name: String,
    /// How long a client may cache an answer.
    pub ttl_ms: Millis,
    /// The node the record points at now.
    pub target: NodeId,
}

impl Default for Endpoint {
    fn default() -> Self {
        Self { name: ENDPOINT_NAME.into(), ttl_ms: 0, target: NodeId(0) }
    }
}

/// A client's cached answer for the endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub node: NodeId,
    pub expires_ms: Millis,
}

impl Cluster {
    /// The primary's endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Sets how long clients cache the endpoint's answer.
    pub fn set_endpoint_ttl(&mut self, ttl_ms: Millis) {
        self.endpoint.ttl_ms = ttl_ms;
        let kind = EventKind::setting(SettingScope::Endpoint, "ttl", format_millis(ttl_ms));
        self.events.push(self.now_ms, kind);
    }

    /// Sessions holding a cached answer that has not expired: (session, node, expires).
    pub fn cached_endpoint_answers(&self) -> Vec<(String, Resolved)> {
        self.sessions
            .iter()
            .filter_map(|(name, s)| Some((name.clone(), s.resolved?)))
            .filter(|(_, r)| r.expires_ms > self.now_ms)
            .collect()
    }

    /// Where `session` sends what it means for the primary: its cached answer while that is
    /// fresh, else the record as it stands now (cached for the TTL).
    pub(super) fn resolve_primary(&mut self, session: &str) -> NodeId {
        let (now_ms, ttl_ms, target) = (self.now_ms, self.endpoint.ttl_ms, self.endpoint.target);
        if ttl_ms == 0 {
            return target;
        }
        let state = self.sessions.get_or_default(session);
        if let Some(cached) = state.resolved.filter(|r| now_ms < r.expires_ms) {
            return cached.node;
        }
        let previous = state.resolved.map(|r| r.node);
        state.resolved = Some(Resolved { node: target, expires_ms: now_ms + ttl_ms });
        if let Some(from) = previous.filter(|p| *p != target) {
            let kind =
                EventKind::EndpointReresolved { session: session.to_string(), from, to: target };
            self.events.push(now_ms, kind);
        }
        target
    }

    /// The failover manager points the endpoint at a new primary.
    pub(super) fn retarget_endpoint(&mut self, node: NodeId) {
        let previous = std::mem::replace(&mut self.endpoint.target, node);
        if previous == node {
            return;
        }
        let stale: Vec<Resolved> = self
            .cached_endpoint_answers()
            .into_iter()
            .map(|(_, r)| r)
            .filter(|r| r.node != node)
            .collect();
        let longest_ms = stale.iter().map(|r| r.expires_ms - self.now_ms).max().unwrap_or(0);
        let kind = EventKind::EndpointMoved {
            to: node,
            from: previous,
            ttl_ms: self.endpoint.ttl_ms,
            stale_sessions: stale.len() as u32,
            longest_ms,
        };
        self.events.push(self.now_ms, kind);
    }
}
