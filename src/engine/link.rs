//! # Links: the network between the primary and each replica
//!
//! WAL streams over TCP, so a link never reorders or drops a message for good: a lost packet
//! is retransmitted and simply arrives later. A link has a one-way `delay_ms` (the same both
//! ways), optional `jitter_ms`, and a `loss` probability; each loss costs a retransmission
//! timeout. Because arrivals are kept in order, jitter can bunch messages up but never swap them.

use super::rng::Rng;
use super::Millis;

/// Retransmission timeout added for each lost packet (Linux's minimum RTO is 200 ms).
pub const RETRANSMIT_MS: Millis = 200;

/// The default one-way delay of a new link.
pub const DEFAULT_DELAY_MS: Millis = 1_000;

/// A bidirectional link between the primary and one replica.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// One-way delay.
    pub delay_ms: Millis,
    /// Up to this much extra delay, uniformly drawn per message.
    pub jitter_ms: Millis,
    /// Probability that a packet is lost (and retransmitted).
    pub loss: f64,
    /// When the last message in each direction arrives: later messages never overtake it.
    last_arrival_ms: [Millis; 2],
}

/// Whether one direction of a link carries traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flow {
    /// Messages go through (after the link's delay).
    #[default]
    Open,
    /// A partition: messages sent this way are lost (TCP would retransmit them after a heal).
    Cut,
}

/// Which way a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Primary to replica: WAL.
    Downstream = 0,
    /// Replica to primary: feedback (positions).
    Upstream = 1,
}

impl Default for Link {
    fn default() -> Self {
        Self::with_delay(DEFAULT_DELAY_MS)
    }
}

impl Link {
    /// A link with a fixed delay, no jitter and no loss.
    pub fn with_delay(delay_ms: Millis) -> Self {
        Self { delay_ms, jitter_ms: 0, loss: 0.0, last_arrival_ms: [0, 0] }
    }

    /// When a message sent now arrives: delay, jitter and retransmissions, never before an
    /// earlier message in the same direction.
    pub fn arrival_ms(&mut self, now_ms: Millis, direction: Direction, rng: &mut Rng) -> Millis {
        let mut travel_ms = self.delay_ms;
        if self.jitter_ms > 0 {
            travel_ms += rng.below_or_equal(self.jitter_ms);
        }
        let mut retries = 0;
        while retries < 20 && rng.chance(self.loss) {
            travel_ms += RETRANSMIT_MS;
            retries += 1;
        }
        let slot = &mut self.last_arrival_ms[direction as usize];
        let arrival_ms = (now_ms + travel_ms).max(*slot);
        assert!(arrival_ms >= now_ms + self.delay_ms, "nothing arrives before the link's delay");
        *slot = arrival_ms;
        arrival_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_arrive_after_the_delay_and_in_order() {
        let mut rng = Rng::new(3);
        let mut link = Link { jitter_ms: 500, ..Link::with_delay(100) };
        let mut last = 0;
        for now in 0..50 {
            let at = link.arrival_ms(now, Direction::Downstream, &mut rng);
            assert!(at >= now + 100 && at <= now + 600 || at == last);
            assert!(at >= last);
            last = at;
        }
    }

    #[test]
    fn loss_delays_but_never_drops() {
        let mut rng = Rng::new(9);
        let mut link = Link { loss: 0.5, ..Link::with_delay(10) };
        let at = link.arrival_ms(0, Direction::Upstream, &mut rng);
        assert_eq!((at - 10) % RETRANSMIT_MS, 0);
    }
}
