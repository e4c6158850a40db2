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

#[derive(Clone, Debug)]
pub(super) struct OpTable<T = Op> {
    /// The id of the first slot.
    first: u64,
    slots: VecDeque<Option<Box<T>>>,
}

impl<T> Default for OpTable<T> {
    fn default() -> Self {
        Self { first: 0, slots: VecDeque::new() }
    }
}

impl<T> OpTable<T> {
    fn slot(&self, id: OpId) -> Option<usize> {
        let at = id.0.checked_sub(self.first)?;
        usize::try_from(at).ok().filter(|at| *at < self.slots.len())
    }

    /// Adds the op with the next id (ids only grow).
    pub fn insert(&mut self, id: OpId, op: T) {
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

    pub fn get(&self, id: &OpId) -> Option<&T> {
        self.slots.get(self.slot(*id)?)?.as_deref()
    }

    pub fn get_mut(&mut self, id: &OpId) -> Option<&mut T> {
        let at = self.slot(*id)?;
        self.slots.get_mut(at)?.as_deref_mut()
    }

    pub fn remove(&mut self, id: &OpId) -> Option<T> {
        let at = self.slot(*id)?;
        let op = self.slots.get_mut(at)?.take()?;
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.first += 1;
        }
        Some(*op)
    }

    /// The ops in id order.
    pub fn iter(&self) -> impl Iterator<Item = (OpId, &T)> {
        let first = self.first;
        self.slots
            .iter()
            .enumerate()
            .filter_map(move |(i, op)| Some((OpId(first + i as u64), op.as_deref()?)))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().filter_map(|op| op.as_deref())
    }
}

impl<T> std::ops::Index<&OpId> for OpTable<T> {
    type Output = T;

    fn index(&self, id: &OpId) -> &T {
        self.get(id).expect("the op is in progress")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_come_and_go_in_any_order_and_list_in_id_order() {
        let mut table: OpTable<&str> = OpTable::default();
        for (id, name) in [(5, "a"), (6, "b"), (7, "c"), (8, "d")] {
            table.insert(OpId(id), name);
        }
        assert_eq!(table.remove(&OpId(7)), Some("c"));
        assert_eq!(table.remove(&OpId(7)), None, "gone once removed");
        assert_eq!(table.get(&OpId(4)), None, "before the window");
        assert_eq!(table.get(&OpId(9)), None, "after the window");
        *table.get_mut(&OpId(6)).expect("in progress") = "B";
        let listed: Vec<(u64, &str)> = table.iter().map(|(id, op)| (id.0, *op)).collect();
        assert_eq!(listed, [(5, "a"), (6, "B"), (8, "d")]);
        // Finishing the oldest drops the empty slots in front; ids stay where they were.
        assert_eq!(table.remove(&OpId(5)), Some("a"));
        assert_eq!(table.remove(&OpId(6)), Some("B"));
        assert_eq!(table.slots.len(), 1);
        assert_eq!(table[&OpId(8)], "d");
        table.insert(OpId(9), "e");
        assert_eq!(table.values().copied().collect::<Vec<_>>(), ["d", "e"]);
        assert_eq!(table.remove(&OpId(8)), Some("d"));
        assert_eq!(table.remove(&OpId(9)), Some("e"));
        // Empty again: the next id starts a new window.
        table.insert(OpId(20), "f");
        assert_eq!(table.iter().map(|(id, _)| id.0).collect::<Vec<_>>(), [20]);
    }

    #[test]
    #[should_panic(expected = "ops are added in id order")]
    fn ids_only_grow() {
        let mut table: OpTable<&str> = OpTable::default();
        table.insert(OpId(3), "a");
        table.insert(OpId(2), "b");
    }
}
