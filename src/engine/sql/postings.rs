//! # Posting lists: the rows holding one index key
//!
//! A unique index's key has one row, held inline. A key of many rows (a user's orders) keeps
//! them in id order in chunks of at most [`CHUNK`] ids, each shared with the cluster's
//! snapshots on its own (see [`crate::engine::shared`]): an insert after a snapshot copies
//! the list of chunk pointers and the one chunk it changes, not the whole list. A user with
//! 90 orders costs a snapshot about 200 bytes where one list of 90 ids cost 760.

use std::rc::Rc;

use super::storage::RowId;

/// Most ids a chunk holds. About the square root of twice a long list's length minimises
/// what a snapshot copies (the pointers, ~8 bytes per `CHUNK` ids, and one chunk).
const CHUNK: usize = 16;

/// The rows holding one key, in id order.
#[derive(Clone, Debug)]
pub(super) enum Ids {
    One(RowId),
    Many(Rc<Chunked>),
}

/// More than one id, in chunks of 1..=[`CHUNK`] ids, in order across chunks.
#[derive(Clone, Debug)]
pub(super) struct Chunked {
    chunks: Vec<Rc<Vec<RowId>>>,
    len: usize,
}

impl Ids {
    /// The ids, read in place.
    pub(super) fn list(&self) -> IdList<'_> {
        match self {
            Ids::One(id) => IdList { head: std::slice::from_ref(id), chunks: &[], len: 1 },
            Ids::Many(many) => IdList { head: &[], chunks: &many.chunks, len: many.len },
        }
    }

    /// Adds `id` (nothing if it is there already).
    pub(super) fn insert(&mut self, id: RowId) {
        match self {
            Ids::One(one) if *one == id => {}
            Ids::One(one) => {
                let pair = vec![id.min(*one), id.max(*one)];
                *self = Ids::Many(Rc::new(Chunked { chunks: vec![Rc::new(pair)], len: 2 }));
            }
            Ids::Many(many) => {
                if many.last() < Some(id) {
                    // The common case: a new row, the highest id yet.
                    Rc::make_mut(many).append(id);
                } else if !many.contains(id) {
                    Rc::make_mut(many).insert(id);
                }
            }
        }
    }

    /// Removes `id`; true if no row is left.
    pub(super) fn remove(&mut self, id: RowId) -> bool {
        let Ids::Many(many) = self else { return matches!(self, Ids::One(one) if *one == id) };
        if many.contains(id) {
            Rc::make_mut(many).remove(id);
        }
        if many.len == 1 {
            let last = many.chunks.iter().flat_map(|c| c.iter()).copied().next();
            *self = Ids::One(last.expect("one id left"));
        }
        false
    }
}

/// Equal when they hold the same ids, however chunked.
impl PartialEq for Ids {
    fn eq(&self, other: &Self) -> bool {
        self.list().len() == other.list().len() && self.list().iter().eq(other.list().iter())
    }
}

impl Chunked {
    /// The chunk `id` belongs in: the first whose last id is at least `id`, else the last.
    fn chunk_for(&self, id: RowId) -> usize {
        let at = self.chunks.partition_point(|c| c.last().is_some_and(|last| *last < id));
        at.min(self.chunks.len() - 1)
    }

    fn last(&self) -> Option<RowId> {
        self.chunks.last()?.last().copied()
    }

    /// Adds an id above every id it holds: to the last chunk, or a new one when that is full.
    fn append(&mut self, id: RowId) {
        self.len += 1;
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => Rc::make_mut(last).push(id),
            _ => self.chunks.push(Rc::new(vec![id])),
        }
    }

    fn contains(&self, id: RowId) -> bool {
        self.chunks[self.chunk_for(id)].binary_search(&id).is_ok()
    }

    /// Inserts an id it does not hold. Appending to a full last chunk starts a new one (an
    /// append-only list fills its chunks); inserting into a full chunk splits it in two.
    fn insert(&mut self, id: RowId) {
        self.len += 1;
        let at = self.chunk_for(id);
        let chunk = &self.chunks[at];
        let appends = at + 1 == self.chunks.len() && chunk.last().is_some_and(|last| *last < id);
        if appends && chunk.len() >= CHUNK {
            self.chunks.push(Rc::new(vec![id]));
            return;
        }
        let chunk = Rc::make_mut(&mut self.chunks[at]);
        let position = chunk.partition_point(|i| *i < id);
        chunk.insert(position, id);
        if chunk.len() > CHUNK {
            let upper = chunk.split_off(chunk.len() / 2);
            chunk.shrink_to_fit();
            self.chunks.insert(at + 1, Rc::new(upper));
        }
    }

    /// Removes an id it holds. An emptied chunk goes; a chunk left small joins its next one
    /// when both fit in half a chunk, so deletes cannot leave a list of tiny chunks.
    fn remove(&mut self, id: RowId) {
        self.len -= 1;
        let at = self.chunk_for(id);
        let chunk = Rc::make_mut(&mut self.chunks[at]);
        if let Ok(position) = chunk.binary_search(&id) {
            chunk.remove(position);
        }
        if chunk.is_empty() {
            self.chunks.remove(at);
            return;
        }
        let fits = |a: usize, b: usize| self.chunks[a].len() + self.chunks[b].len() <= CHUNK / 2;
        if at + 1 < self.chunks.len() && fits(at, at + 1) {
            let next = self.chunks.remove(at + 1);
            Rc::make_mut(&mut self.chunks[at]).extend_from_slice(&next);
        } else if at > 0 && fits(at - 1, at) {
            let this = self.chunks.remove(at);
            Rc::make_mut(&mut self.chunks[at - 1]).extend_from_slice(&this);
        }
    }
}

/// One key's ids, in id order, read in place.
#[derive(Clone, Copy, Debug)]
pub struct IdList<'a> {
    head: &'a [RowId],
    chunks: &'a [Rc<Vec<RowId>>],
    len: usize,
}

impl<'a> IdList<'a> {
    /// No ids (a key no row holds).
    pub const EMPTY: IdList<'static> = IdList { head: &[], chunks: &[], len: 0 };

    pub fn len(&self) -> usize {
        self.len
    }

    /// The ids in order.
    pub fn iter(&self) -> IdIter<'a> {
        IdIter { current: self.head.iter(), chunks: self.chunks.iter() }
    }
}

/// Ids in order: a slice, then each chunk's.
#[derive(Clone, Debug)]
pub struct IdIter<'a> {
    current: std::slice::Iter<'a, RowId>,
    chunks: std::slice::Iter<'a, Rc<Vec<RowId>>>,
}

impl<'a> IdIter<'a> {
    /// The ids of one slice (a list gathered from several keys).
    pub fn of(ids: &'a [RowId]) -> Self {
        IdIter { current: ids.iter(), chunks: [].iter() }
    }
}

impl Iterator for IdIter<'_> {
    type Item = RowId;

    #[inline]
    fn next(&mut self) -> Option<RowId> {
        loop {
            if let Some(id) = self.current.next() {
                return Some(*id);
            }
            self.current = self.chunks.next()?.iter();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids_of(ids: &Ids) -> Vec<RowId> {
        ids.list().iter().collect()
    }

    fn chunk_lengths(ids: &Ids) -> Vec<usize> {
        match ids {
            Ids::One(_) => vec![1],
            Ids::Many(many) => many.chunks.iter().map(|c| c.len()).collect(),
        }
    }

    #[test]
    fn appended_ids_fill_whole_chunks() {
        let mut ids = Ids::One(0);
        for id in 1..40 {
            ids.insert(id);
        }
        assert_eq!(ids_of(&ids), (0..40).collect::<Vec<_>>());
        assert_eq!(chunk_lengths(&ids), [16, 16, 8]);
        assert_eq!(ids.list().len(), 40);
    }

    #[test]
    fn ids_go_in_order_wherever_they_land_and_full_chunks_split() {
        let mut ids = Ids::One(100);
        let mut expected = vec![100];
        // A fixed shuffle of 0..200 by a multiplier prime to 200.
        for id in (0..200u64).map(|i| (i * 67 + 13) % 200) {
            ids.insert(id);
            ids.insert(id); // twice: still once
            if !expected.contains(&id) {
                expected.push(id);
            }
        }
        expected.sort_unstable();
        assert_eq!(ids_of(&ids), expected);
        assert!(chunk_lengths(&ids).iter().all(|len| (1..=CHUNK).contains(len)));
        assert_eq!(ids.list().len(), expected.len());
    }

    #[test]
    fn removals_drop_emptied_chunks_merge_small_ones_and_end_inline() {
        let mut ids = Ids::One(0);
        for id in 1..64 {
            ids.insert(id);
        }
        assert!(!ids.remove(1_000), "an id it does not hold changes nothing");
        for id in (0..64).filter(|id| id % 8 != 0) {
            assert!(!ids.remove(id));
        }
        assert_eq!(ids_of(&ids), [0, 8, 16, 24, 32, 40, 48, 56]);
        assert_eq!(chunk_lengths(&ids), [8], "small chunks joined");
        for id in [8, 16, 24, 32, 40, 48, 56] {
            assert!(!ids.remove(id));
        }
        assert!(matches!(ids, Ids::One(0)), "one id left is held inline");
        assert!(ids.remove(0), "the last id gone");
    }

    #[test]
    fn a_snapshot_keeps_its_ids_and_shares_the_chunks_an_insert_did_not_touch() {
        let mut ids = Ids::One(0);
        for id in 1..48 {
            ids.insert(id);
        }
        let snapshot = ids.clone();
        ids.insert(48);
        ids.remove(3);
        assert_eq!(ids_of(&snapshot), (0..48).collect::<Vec<_>>());
        let (Ids::Many(live), Ids::Many(kept)) = (&ids, &snapshot) else { panic!("many ids") };
        assert!(Rc::ptr_eq(&live.chunks[1], &kept.chunks[1]), "an untouched chunk is shared");
        assert!(!Rc::ptr_eq(&live.chunks[0], &kept.chunks[0]));
        assert_ne!(ids, snapshot);
    }
}
