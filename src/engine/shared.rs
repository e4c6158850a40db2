//! # Collections whose clones share their chunks
//!
//! Rewinding restores a snapshot of the whole cluster (see [`super::recording`]), and a run
//! keeps one every few simulated seconds. With plain `Vec`s, `VecDeque`s and `BTreeSet`s every
//! snapshot is a deep copy of every table, index and log — tens of megabytes and tens of
//! milliseconds after a few minutes of load — so snapshots had to be few and far apart. The
//! two collections here hold their elements in reference-counted chunks of at most
//! [`CHUNK`] elements: a clone copies one pointer per chunk, and a change copies only the
//! chunk it touches, and only if a clone still shares it. A snapshot then
//! costs what changed since the one before.
//!
//! ```text
//!   live:      [c0]─[c1]─[c2]─[c3']      a push after the snapshot copied only c3
//!                │    │    │
//!   snapshot:  [c0]─[c1]─[c2]─[c3]
//! ```
//!
//! - [`SharedDeque`]: a double-ended queue (logs that grow at the back and are trimmed at the
//!   front: the WAL, the event log, the history, a table's row slots).
//! - [`SharedSet`]: a sorted set (a B-tree index's entries), leaves of sorted chunks found by
//!   binary search.

use std::collections::VecDeque;
use std::rc::Rc;

/// Elements per chunk: small enough that copying one is cheap, large enough that a clone of a
/// million elements is a few thousand pointers.
pub const CHUNK: usize = 32;

/// The elements of `chunk` to change in place: first a copy of them, with room for `room`
/// more, if a clone shares them. (`Rc::make_mut` would copy them without room, so the change
/// that follows would copy them again to grow.)
fn unshare<T: Clone>(chunk: &mut Rc<Vec<T>>, room: usize) -> &mut Vec<T> {
    if Rc::get_mut(chunk).is_none() {
        let mut copy = Vec::with_capacity(chunk.len() + room);
        copy.extend_from_slice(chunk);
        *chunk = Rc::new(copy);
    }
    Rc::get_mut(chunk).expect("no clone shares it now")
}

/// A double-ended queue in shared chunks. Every chunk but the last holds exactly `N`
/// elements ([`CHUNK`] unless a deque of small elements asks for more); the first `head` of the first chunk are already popped.
#[derive(Clone)]
pub struct SharedDeque<T, const N: usize = CHUNK> {
    chunks: VecDeque<Rc<Vec<T>>>,
    head: usize,
    len: usize,
}

impl<T, const N: usize> Default for SharedDeque<T, N> {
    fn default() -> Self {
        Self { chunks: VecDeque::new(), head: 0, len: 0 }
    }
}

impl<T: Clone, const N: usize> SharedDeque<T, N> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many elements it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where element `at` lives: (chunk, offset).
    fn locate(&self, at: usize) -> (usize, usize) {
        const { assert!(N.is_power_of_two(), "a chunk's length is a power of two") };
        let at = at + self.head;
        (at / N, at % N)
    }

    /// The element at `at` (0 is the front).
    pub fn get(&self, at: usize) -> Option<&T> {
        if at >= self.len {
            return None;
        }
        let (chunk, offset) = self.locate(at);
        self.chunks[chunk].get(offset)
    }

    /// The element at `at`, to change (its chunk is copied first if a clone shares it).
    pub fn get_mut(&mut self, at: usize) -> Option<&mut T> {
        if at >= self.len {
            return None;
        }
        let (chunk, offset) = self.locate(at);
        unshare(&mut self.chunks[chunk], 0).get_mut(offset)
    }

    /// The first element.
    pub fn front(&self) -> Option<&T> {
        self.get(0)
    }

    /// The last element.
    pub fn back(&self) -> Option<&T> {
        self.chunks.back().and_then(|c| c.last())
    }

    /// Adds an element at the back.
    pub fn push_back(&mut self, value: T) {
        match self.chunks.back_mut() {
            Some(last) if last.len() < N => unshare(last, N - last.len()).push(value),
            _ => {
                let mut chunk = Vec::with_capacity(N);
                chunk.push(value);
                self.chunks.push_back(Rc::new(chunk));
            }
        }
        self.len += 1;
    }

    /// Removes the first element and returns it.
    pub fn pop_front(&mut self) -> Option<T> {
        let first = self.front()?.clone();
        self.drop_front(1);
        Some(first)
    }

    /// Removes the first `count` elements (all of them if there are fewer).
    pub fn drop_front(&mut self, count: usize) {
        let count = count.min(self.len);
        self.len -= count;
        self.head += count;
        let whole_chunks = (self.head / N).min(self.chunks.len());
        self.chunks.drain(..whole_chunks);
        self.head -= whole_chunks * N;
        if self.len == 0 {
            self.chunks.clear();
            self.head = 0;
        }
    }

    /// Keeps the first `len` elements.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        if len == 0 {
            *self = Self::default();
            return;
        }
        let (chunk, offset) = self.locate(len - 1);
        self.chunks.truncate(chunk + 1);
        if let Some(last) = self.chunks.back_mut() {
            if last.len() > offset + 1 {
                unshare(last, 0).truncate(offset + 1);
            }
        }
        self.len = len;
    }

    /// Keeps the elements `keep` accepts, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        *self = self.iter().filter(|e| keep(e)).cloned().collect();
    }

    /// The elements front to back, a chunk's slice at a time.
    pub fn chunks(&self) -> impl Iterator<Item = &[T]> + '_ {
        self.chunks.iter().enumerate().map(|(i, chunk)| {
            let from = if i == 0 { self.head } else { 0 };
            &chunk[from..]
        })
    }

    /// The `i`th chunk's elements (the first chunk's not yet popped), if there is one.
    pub fn chunk(&self, i: usize) -> Option<&[T]> {
        let from = if i == 0 { self.head } else { 0 };
        self.chunks.get(i).map(|chunk| &chunk[from..])
    }

    /// The elements front to back.
    pub fn iter(&self) -> Iter<'_, T, N> {
        self.iter_from(0)
    }

    /// The elements from `at` to the back.
    pub fn iter_from(&self, at: usize) -> Iter<'_, T, N> {
        Iter { deque: self, front: at.min(self.len), back: self.len }
    }

    /// The index of the first element for which `is_before` is false, as
    /// `slice::partition_point` (the elements must be partitioned by it), searched from the
    /// back: steps of 1, 2, 4, … back from the last element, then a binary search within the
    /// last step. The WAL's readers follow its tail, so this costs O(log d) for a point `d`
    /// elements from the back rather than O(log len).
    pub fn partition_point(&self, mut is_before: impl FnMut(&T) -> bool) -> usize {
        let (mut low, mut high) = (0, self.len);
        let mut step = 1;
        while high > 0 {
            let probe = high.saturating_sub(step);
            match self.get(probe) {
                Some(value) if is_before(value) => {
                    low = probe + 1;
                    break;
                }
                _ => high = probe,
            }
            step *= 2;
        }
        while low < high {
            let middle = low + (high - low) / 2;
            match self.get(middle) {
                Some(value) if is_before(value) => low = middle + 1,
                _ => high = middle,
            }
        }
        low
    }
}

/// The elements of a [`SharedDeque`] from `front` up to `back`, each found as
/// [`SharedDeque::get`] finds it (a shift and a mask: `N` is a power of two).
pub struct Iter<'a, T, const N: usize> {
    deque: &'a SharedDeque<T, N>,
    front: usize,
    back: usize,
}

impl<'a, T: Clone, const N: usize> Iterator for Iter<'a, T, N> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        self.deque.get(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.back - self.front;
        (remaining, Some(remaining))
    }
}

impl<T: Clone, const N: usize> DoubleEndedIterator for Iter<'_, T, N> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.deque.get(self.back)
    }
}

impl<T: Clone, const N: usize> ExactSizeIterator for Iter<'_, T, N> {}

impl<T: Clone, const N: usize> FromIterator<T> for SharedDeque<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut deque = Self::new();
        deque.extend(iter);
        deque
    }
}

impl<T: Clone, const N: usize> Extend<T> for SharedDeque<T, N> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for value in iter {
            self.push_back(value);
        }
    }
}

impl<T: Clone + PartialEq, const N: usize> PartialEq for SharedDeque<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Clone + std::fmt::Debug, const N: usize> std::fmt::Debug for SharedDeque<T, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A sorted set in shared leaves: each leaf a sorted run of 1 to [`LEAF_MAX`] elements, the
/// leaves in order. Finding an element is a binary search over the leaves' last elements,
/// then within one leaf.
#[derive(Clone)]
pub struct SharedSet<T> {
    leaves: Vec<Rc<Vec<T>>>,
    len: usize,
}

impl<T> Default for SharedSet<T> {
    fn default() -> Self {
        Self { leaves: Vec::new(), len: 0 }
    }
}

/// A leaf splits in two past this many elements. Inserts land on random leaves (an index on
/// `user_id`), so a snapshot keeps a copy of every leaf changed since: small leaves keep those
/// copies small.
const LEAF_MAX: usize = CHUNK;

impl<T: Ord + Clone> SharedSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many elements it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first position (leaf, offset) whose element `is_before` rejects (the set must be
    /// partitioned by it: every element it accepts comes first); the end if none.
    pub fn seek(&self, mut is_before: impl FnMut(&T) -> bool) -> (usize, usize) {
        // Past the end first: a serial key's next row always is, and one comparison says so.
        let last = self.leaves.last().and_then(|l| l.last());
        if last.is_some_and(&mut is_before) {
            return (self.leaves.len(), 0);
        }
        let leaf = self.leaves.partition_point(|l| l.last().is_some_and(&mut is_before));
        match self.leaves.get(leaf) {
            Some(elements) => (leaf, elements.partition_point(is_before)),
            None => (leaf, 0),
        }
    }

    /// The elements from a position [`SharedSet::seek`] found, in order.
    pub fn iter_at(&self, (leaf, offset): (usize, usize)) -> SetIter<'_, T> {
        SetIter { leaves: &self.leaves, leaf, offset }
    }

    /// Every element in order.
    pub fn iter(&self) -> SetIter<'_, T> {
        self.iter_at((0, 0))
    }

    /// Adds `value`; false if an equal element is there already.
    pub fn insert(&mut self, value: T) -> bool {
        let at = self.seek(|e| *e < value);
        if self.get_at(at) == Some(&value) {
            return false;
        }
        self.insert_at(at, value);
        true
    }

    /// Adds `value` at the position [`SharedSet::seek`] found for it, where no equal element
    /// is (so a caller that has sought already does not seek again).
    pub fn insert_at(&mut self, (leaf, offset): (usize, usize), value: T) {
        debug_assert!(self.get_at((leaf, offset)).is_none_or(|next| value < *next), "in order");
        if leaf == self.leaves.len() {
            // Past the end: the ascending keys of a serial column fill whole leaves.
            match self.leaves.last_mut() {
                Some(last) if last.len() < LEAF_MAX => {
                    unshare(last, LEAF_MAX - last.len()).push(value)
                }
                _ => self.leaves.push(Rc::new(vec![value])),
            }
        } else {
            let elements = unshare(&mut self.leaves[leaf], 1);
            elements.insert(offset, value);
            if elements.len() > LEAF_MAX {
                let right = elements.split_off(LEAF_MAX / 2);
                self.leaves.insert(leaf + 1, Rc::new(right));
            }
        }
        self.len += 1;
    }

    /// Removes the element equal to `value`; false if there is none.
    pub fn remove(&mut self, value: &T) -> bool {
        let at = self.seek(|e| e < value);
        if self.get_at(at) != Some(value) {
            return false;
        }
        self.remove_at(at);
        true
    }

    /// The element at a position [`SharedSet::seek`] found; None at the end.
    pub fn get_at(&self, (leaf, offset): (usize, usize)) -> Option<&T> {
        self.leaves.get(leaf)?.get(offset)
    }

    /// [`SharedSet::get_at`], to change in place; the change must keep it where it is in the
    /// order. Its leaf is copied first if a clone shares it.
    pub fn get_mut_at(&mut self, (leaf, offset): (usize, usize)) -> Option<&mut T> {
        let elements = self.leaves.get_mut(leaf).filter(|l| offset < l.len())?;
        unshare(elements, 0).get_mut(offset)
    }

    /// Removes the element at a position [`SharedSet::seek`] found.
    pub fn remove_at(&mut self, (leaf, offset): (usize, usize)) {
        assert!(self.get_at((leaf, offset)).is_some(), "removing an element that is there");
        unshare(&mut self.leaves[leaf], 0).remove(offset);
        self.len -= 1;
        self.mend(leaf);
    }

    /// After a removal: drops an empty leaf, merges a small one into its successor.
    fn mend(&mut self, leaf: usize) {
        let small = self.leaves[leaf].len();
        if small == 0 {
            self.leaves.remove(leaf);
        } else if small < LEAF_MAX / 4 {
            let next_len = self.leaves.get(leaf + 1).map(|l| l.len());
            if next_len.is_some_and(|n| small + n <= LEAF_MAX) {
                let next = self.leaves.remove(leaf + 1);
                unshare(&mut self.leaves[leaf], next.len()).extend(next.iter().cloned());
            }
        }
    }
}

/// The elements of a [`SharedSet`] from a position on, in order.
pub struct SetIter<'a, T> {
    leaves: &'a [Rc<Vec<T>>],
    leaf: usize,
    offset: usize,
}

impl<'a, T> Iterator for SetIter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        loop {
            let elements = self.leaves.get(self.leaf)?;
            if let Some(element) = elements.get(self.offset) {
                self.offset += 1;
                return Some(element);
            }
            (self.leaf, self.offset) = (self.leaf + 1, 0);
        }
    }
}

impl<T: Ord + Clone> FromIterator<T> for SharedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::new();
        for value in iter {
            set.insert(value);
        }
        set
    }
}

impl<T: Ord + Clone> PartialEq for SharedSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Ord + Clone + std::fmt::Debug> std::fmt::Debug for SharedSet<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Clone, Debug)]
    enum DequeOp {
        Push(u32),
        Pop,
        DropFront(usize),
        Truncate(usize),
        Set(usize, u32),
        Snapshot,
    }

    fn deque_op() -> impl Strategy<Value = DequeOp> {
        prop_oneof![
            6 => any::<u32>().prop_map(DequeOp::Push),
            2 => Just(DequeOp::Pop),
            1 => (0usize..80).prop_map(DequeOp::DropFront),
            1 => (0usize..300).prop_map(DequeOp::Truncate),
            2 => (0usize..300, any::<u32>()).prop_map(|(i, v)| DequeOp::Set(i, v)),
            1 => Just(DequeOp::Snapshot),
        ]
    }

    proptest! {
        /// Every operation does what `VecDeque`'s does, and a clone taken on the way keeps
        /// what it held whatever the original does after.
        #[test]
        fn deque_behaves_as_vecdeque(ops in proptest::collection::vec(deque_op(), 0..400)) {
            let (mut ours, mut model) = (SharedDeque::<u32, 4>::new(), VecDeque::new());
            let mut snapshots = Vec::new();
            for op in ops {
                match op {
                    DequeOp::Push(v) => { ours.push_back(v); model.push_back(v) }
                    DequeOp::Pop => prop_assert_eq!(ours.pop_front(), model.pop_front()),
                    DequeOp::DropFront(n) => { ours.drop_front(n); model.drain(..n.min(model.len())); }
                    DequeOp::Truncate(n) => { ours.truncate(n); model.truncate(n) }
                    DequeOp::Set(i, v) => {
                        if let (Some(a), Some(b)) = (ours.get_mut(i), model.get_mut(i)) { *a = v; *b = v }
                    }
                    DequeOp::Snapshot => snapshots.push((ours.clone(), model.clone())),
                }
                prop_assert_eq!(ours.len(), model.len());
                prop_assert!(ours.iter().eq(model.iter()));
                prop_assert!(ours.iter().rev().eq(model.iter().rev()));
                prop_assert_eq!(ours.iter().len(), model.len());
                prop_assert_eq!(ours.front(), model.front());
                prop_assert_eq!(ours.back(), model.back());
            }
            let sorted: SharedDeque<u32, 4> = (0..model.len() as u32).map(|i| i * 2).collect();
            for probe in 0..=(2 * model.len() as u32 + 1) {
                let expected = model.len().min(probe.div_ceil(2) as usize);
                prop_assert_eq!(sorted.partition_point(|v| *v < probe), expected);
            }
            for (ours, model) in snapshots {
                prop_assert!(ours.iter().eq(model.iter()));
                let at = model.len() / 3;
                prop_assert!(ours.iter_from(at).eq(model.range(at..)));
                prop_assert_eq!(ours.get(at), model.get(at));
            }
        }

        /// Inserts and removes as `BTreeSet`'s, snapshots unchanged by later writes, and
        /// every seek finds the first element not before the probe.
        #[test]
        fn set_behaves_as_btreeset(ops in proptest::collection::vec((any::<bool>(), 0u16..500), 0..1500)) {
            let (mut ours, mut model) = (SharedSet::new(), BTreeSet::new());
            let mut snapshots = Vec::new();
            for (i, (insert, v)) in ops.into_iter().enumerate() {
                if insert {
                    prop_assert_eq!(ours.insert(v), model.insert(v));
                } else {
                    prop_assert_eq!(ours.remove(&v), model.remove(&v));
                }
                if i % 97 == 0 {
                    snapshots.push((ours.clone(), model.clone()));
                }
                prop_assert_eq!(ours.len(), model.len());
                prop_assert!(ours.iter_at(ours.seek(|e| *e < v)).eq(model.range(v..)));
            }
            prop_assert!(ours.iter().eq(model.iter()));
            for (ours, model) in snapshots {
                prop_assert!(ours.iter().eq(model.iter()));
            }
        }
    }

    #[test]
    fn ascending_inserts_fill_whole_leaves() {
        let set: SharedSet<u32> = (0..10 * LEAF_MAX as u32).collect();
        assert_eq!(set.leaves.len(), 10);
        assert!(set.leaves.iter().all(|l| l.len() == LEAF_MAX));
    }

    #[test]
    fn a_clone_shares_every_chunk_until_one_changes() {
        let mut deque: SharedDeque<u32> = (0..10 * CHUNK as u32).collect();
        let snapshot = deque.clone();
        deque.push_back(1);
        if let Some(v) = deque.get_mut(0) {
            *v = 7;
        }
        let shared = deque.chunks.iter().zip(&snapshot.chunks).filter(|(a, b)| Rc::ptr_eq(a, b));
        assert_eq!(shared.count(), 9, "only the first chunk was copied (the last was full)");
        assert_eq!(snapshot.get(0), Some(&0));
    }
}
