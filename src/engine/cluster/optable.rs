//! The client operations in progress, by id.
//!
//! Ids are handed out in order and most operations finish in about the order they started,
//! so the table is a window of slots from the oldest unfinished id on: a lookup is an index,
//! an insert a push at the back, and finishing the oldest op drops the empty slots in front.
//! Iteration is in id order, as the `BTreeMap` this replaces iterated (digests unchanged).
//! Each slot is a pointer, so an op that stays unfinished for long (a commit waiting for a
//! standby that is gone) costs 8 bytes per op started after it, not a whole op.

use std::collections::VecDeque;

use super::client::{Op, OpId};

#[derive(Clone, Debug, Default)]
pub(super) struct OpTable {
    /// The id of the first slot.
    first: u64,
    slots: VecDeque<Option<Box<Op>>>,
}

impl OpTable {
    fn slot(&self, id: OpId) -> Option<usize> {
        let at = id.0.checked_sub(self.first)?;
        usize::try_from(at).ok().filter(|at| *at < self.slots.len())
    }

    /// Adds the op with the next id (ids only grow).
    pub fn insert(&mut self, id: OpId, op: Op) {
        if self.slots.is_empty() {
            self.first = id.0;
        }
        let next = self.first + self.slots.len() as u64;
        assert!(id.0 >= next, "ops are added in id order ({} after {})", id.0, next);
        // Ids the cluster skipped (none today) stay empty slots.
        for _ in next..id.0 {
            self.slots.push_back(None);
        }
        self.slots.push_back(Some(Box::new(op)));
    }

    pub fn get(&self, id: &OpId) -> Option<&Op> {
        self.slots.get(self.slot(*id)?)?.as_deref()
    }

    pub fn get_mut(&mut self, id: &OpId) -> Option<&mut Op> {
        let at = self.slot(*id)?;
        self.slots.get_mut(at)?.as_deref_mut()
    }

    pub fn remove(&mut self, id: &OpId) -> Option<Op> {
        let at = self.slot(*id)?;
        let op = self.slots.get_mut(at)?.take()?;
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.first += 1;
        }
        Some(*op)
    }

    /// The ops in id order.
    pub fn iter(&self) -> impl Iterator<Item = (OpId, &Op)> {
        let first = self.first;
        self.slots
            .iter()
            .enumerate()
            .filter_map(move |(i, op)| Some((OpId(first + i as u64), op.as_deref()?)))
    }

    pub fn values(&self) -> impl Iterator<Item = &Op> {
        self.slots.iter().filter_map(|op| op.as_deref())
    }
}

impl std::ops::Index<&OpId> for OpTable {
    type Output = Op;

    fn index(&self, id: &OpId) -> &Op {
        self.get(id).expect("the op is in progress")
    }
}
