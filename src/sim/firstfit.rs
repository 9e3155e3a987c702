//! First-fit search over a list of capacities in O(log n).
//!
//! A max segment tree: the first slot at or after a position whose value
//! covers a need. Placing VMs first-fit on the hosts of a DR site by
//! scanning them was O(hosts) per VM, so O(n²) for an estate whose DR site
//! grows with it.
//!
//! A capacity may have several keys (a host's free memory *and* free
//! virtual CPUs, [`Room2`]). Each node then keeps the maximum of each key
//! over its subtree: a subtree whose maxima do not cover the need holds no
//! slot that does, so it is skipped; one whose maxima do may still hold
//! none (the memory-rich slot is not the CPU-rich one), and the search
//! backtracks out of it. The answer is always exact; the cost is O(log n)
//! unless many slots are rich in one key and poor in the other.

/// A capacity the tree can index: one key or several.
pub trait Capacity: Copy + PartialEq + std::fmt::Debug {
    /// What a padding slot holds: covers no need but an empty one.
    const EMPTY: Self;
    /// Key by key, the larger of the two: the best any slot of a subtree
    /// could offer on each key.
    fn max_each(self, other: Self) -> Self;
    /// Whether this capacity is enough for `need` on every key.
    fn covers(&self, need: &Self) -> bool;
}

impl Capacity for u64 {
    const EMPTY: Self = 0;
    fn max_each(self, other: Self) -> Self {
        self.max(other)
    }
    fn covers(&self, need: &Self) -> bool {
        self >= need
    }
}

/// A capacity on two keys, both of which must cover a need (for a host:
/// free memory and free virtual CPUs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Room2(pub u64, pub u64);

impl Room2 {
    /// What is left once `used` is taken, key by key (none rather than
    /// less than none).
    pub fn minus(self, used: Room2) -> Room2 {
        Room2(self.0.saturating_sub(used.0), self.1.saturating_sub(used.1))
    }

    /// The room once `freed` is given back, key by key.
    pub fn plus(self, freed: Room2) -> Room2 {
        Room2(
            self.0.saturating_add(freed.0),
            self.1.saturating_add(freed.1),
        )
    }
}

impl Capacity for Room2 {
    const EMPTY: Self = Room2(0, 0);
    fn max_each(self, other: Self) -> Self {
        Room2(self.0.max(other.0), self.1.max(other.1))
    }
    fn covers(&self, need: &Self) -> bool {
        self.0 >= need.0 && self.1 >= need.1
    }
}

/// Capacities by slot, with the first-fit query.
#[derive(Debug, Default)]
pub struct FirstFit<C = u64> {
    /// Slots in use; the leaves past them are padding.
    len: usize,
    /// Leaves (a power of two of them, padded with [`Capacity::EMPTY`]).
    leaves: usize,
    /// `max[1]` is the root; node `k` has children `2k` and `2k + 1`;
    /// leaf `i` is node `leaves + i`.
    max: Vec<C>,
}

impl<C: Clone> Clone for FirstFit<C> {
    fn clone(&self) -> Self {
        FirstFit {
            len: self.len,
            leaves: self.leaves,
            max: self.max.clone(),
        }
    }

    /// Copies `source` into this tree's own vector (no allocation when
    /// it is large enough: a run's placement is restored this way).
    fn clone_from(&mut self, source: &Self) {
        self.len = source.len;
        self.leaves = source.leaves;
        self.max.clone_from(&source.max);
    }
}

impl<C: Capacity> FirstFit<C> {
    /// A tree holding `values`, slot `i` for the `i`-th.
    pub fn new(values: &[C]) -> Self {
        let leaves = values.len().next_power_of_two();
        let mut max = vec![C::EMPTY; 2 * leaves];
        max[leaves..leaves + values.len()].copy_from_slice(values);
        for k in (1..leaves).rev() {
            max[k] = max[2 * k].max_each(max[2 * k + 1]);
        }
        FirstFit {
            len: values.len(),
            leaves,
            max,
        }
    }

    /// Slots in the tree.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the tree has no slot.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of slot `i` (padding's for a slot past the end).
    pub fn get(&self, i: usize) -> C {
        self.max.get(self.leaves + i).copied().unwrap_or(C::EMPTY)
    }

    /// Sets slot `i` to `value` (nothing for a slot past the end).
    pub fn set(&mut self, i: usize, value: C) {
        if i >= self.len {
            return;
        }
        let mut k = self.leaves + i;
        self.max[k] = value;
        while k > 1 {
            k /= 2;
            let max = self.max[2 * k].max_each(self.max[2 * k + 1]);
            // A node depends only on its children: once one keeps its
            // value, so do all above it (most changes are to slots that
            // hold no maximum).
            if self.max[k] == max {
                break;
            }
            self.max[k] = max;
        }
    }

    /// The first slot at or after `from` whose value covers `need`.
    pub fn first_at_least(&self, from: usize, need: C) -> Option<usize> {
        self.first_fit(from, need, |_| true)
    }

    /// The first slot at or after `from` whose value covers `need` and
    /// that `accept` admits. `accept` lets a caller refine the test on a
    /// candidate (exclude a slot, or count reservations the tree does not
    /// hold): each slot it turns down costs one more descent, O(log n).
    pub fn first_fit(
        &self,
        from: usize,
        need: C,
        mut accept: impl FnMut(usize) -> bool,
    ) -> Option<usize> {
        if self.is_empty() {
            return None;
        }
        // Depth first, left to right, without recursion: a node is looked
        // into only when it spans slots at or after `from` and below
        // `len`, and its maxima cover the need; a leaf so reached is an
        // answer if `accept` admits it. Otherwise the search goes on at the
        // next node to the right: up while on a right child, then over to
        // the sibling.
        let mut node = 1usize;
        loop {
            // The slots `lo..hi` under `node`, from its depth.
            let depth = usize::BITS - 1 - node.leading_zeros();
            let width = self.leaves >> depth;
            let lo = (node - (1 << depth)) * width;
            let hi = lo + width;
            if hi > from && lo < self.len && self.max[node].covers(&need) {
                if width > 1 {
                    node *= 2;
                    continue;
                }
                if accept(lo) {
                    return Some(lo);
                }
            }
            while node % 2 == 1 {
                node /= 2;
            }
            if node == 0 {
                return None;
            }
            node += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The linear first-fit it replaces.
    fn scan<C: Capacity>(
        values: &[C],
        from: usize,
        need: C,
        accept: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        (from..values.len()).find(|&i| values[i].covers(&need) && accept(i))
    }

    #[test]
    fn agrees_with_a_linear_scan() {
        let mut values: Vec<u64> = (0..37u64).map(|i| (i * 7919) % 23).collect();
        let mut tree = FirstFit::new(&values);
        for step in 0..500u64 {
            let i = (step * 31 % 37) as usize;
            let v = step * 13 % 29;
            values[i] = v;
            tree.set(i, v);
            for from in [0, 1, 5, 36, 37] {
                for need in [1, 5, 20, 28, 29] {
                    assert_eq!(
                        tree.first_at_least(from, need),
                        scan(&values, from, need, |_| true)
                    );
                }
            }
            assert_eq!(tree.get(i), v);
        }
        assert_eq!(FirstFit::<u64>::new(&[]).first_at_least(0, 1), None);
    }

    #[test]
    fn padding_is_never_a_slot() {
        // Three slots make four leaves: a need of nothing must not find
        // the fourth.
        let tree = FirstFit::new(&[Room2(0, 0); 3]);
        assert_eq!(tree.first_fit(3, Room2(0, 0), |_| true), None);
        assert_eq!(tree.first_fit(0, Room2(0, 0), |i| i > 1), Some(2));
        assert_eq!(tree.get(7), Room2(0, 0));
        assert_eq!(
            FirstFit::<Room2>::new(&[]).first_at_least(0, Room2(0, 0)),
            None
        );
    }

    #[test]
    fn both_keys_must_fit_in_the_same_slot() {
        // The left half has the most memory, the right half the most CPUs,
        // but only the last slot has enough of both: the search backtracks.
        let mut tree = FirstFit::new(&[Room2(64, 1), Room2(8, 2), Room2(1, 32), Room2(16, 16)]);
        assert_eq!(tree.first_at_least(0, Room2(16, 8)), Some(3));
        assert_eq!(tree.first_at_least(0, Room2(64, 2)), None);
        tree.set(1, Room2(64, 8));
        assert_eq!(tree.first_at_least(0, Room2(16, 8)), Some(1));
        assert_eq!(tree.first_fit(0, Room2(16, 8), |i| i != 1), Some(3));
        // Setting a slot past the end changes nothing.
        tree.set(4, Room2(99, 99));
        assert_eq!(tree.first_at_least(0, Room2(99, 99)), None);
    }

    /// An operation on the tree and the list it mirrors.
    #[derive(Clone, Debug)]
    enum Op {
        Set(usize, Room2),
        Query {
            from: usize,
            need: Room2,
            /// Slots the caller turns down.
            refused: Vec<usize>,
        },
    }

    fn room(max: u64) -> impl Strategy<Value = Room2> {
        (0..=max, 0..=max).prop_map(|(m, c)| Room2(m, c))
    }

    fn op(slots: usize) -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..slots + 2, room(12)).prop_map(|(i, r)| Op::Set(i, r)),
            (
                0..slots + 2,
                room(13),
                proptest::collection::vec(0..slots + 1, 0..4)
            )
                .prop_map(|(from, need, refused)| Op::Query {
                    from,
                    need,
                    refused
                }),
        ]
    }

    fn case() -> impl Strategy<Value = (Vec<Room2>, Vec<Op>)> {
        (0usize..70).prop_flat_map(|n| {
            (
                proptest::collection::vec(room(12), n),
                proptest::collection::vec(op(n), 0..60),
            )
        })
    }

    proptest! {
        /// Whatever the updates, the two-key tree finds the slot a linear
        /// scan finds, refused slots included.
        #[test]
        fn two_keys_agree_with_a_linear_scan((mut values, ops) in case()) {
            let mut tree = FirstFit::new(&values);
            for op in ops {
                match op {
                    Op::Set(i, r) => {
                        tree.set(i, r);
                        if let Some(v) = values.get_mut(i) {
                            *v = r;
                        }
                    }
                    Op::Query { from, need, refused } => {
                        let accept = |i: usize| !refused.contains(&i);
                        prop_assert_eq!(
                            tree.first_fit(from, need, accept),
                            scan(&values, from, need, accept)
                        );
                    }
                }
            }
            for (i, v) in values.iter().enumerate() {
                prop_assert_eq!(tree.get(i), *v);
            }
        }
    }
}
