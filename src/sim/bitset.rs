//! A set of small integers as a bit vector, iterated in increasing order.
//!
//! The engine keeps its free workers in one: a membership change is a bit
//! flip and iteration skips 64 busy workers per word, where a `BTreeSet`
//! paid a node walk (and sometimes an allocation) for each insertion and
//! removal, at every task start and end.

/// The set of integers in `0..capacity`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    /// The set `{0, 1, …, n - 1}`.
    pub fn full(n: u32) -> Self {
        let n = n as usize;
        let mut words = vec![u64::MAX; n / 64];
        if !n.is_multiple_of(64) {
            words.push((1u64 << (n % 64)) - 1);
        }
        BitSet { words }
    }

    /// Adds `i`, growing the set's range if needed.
    pub fn insert(&mut self, i: u32) {
        let (w, bit) = (i as usize / 64, i % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << bit;
    }

    /// Removes `i` (a no-op if absent).
    pub fn remove(&mut self, i: u32) {
        if let Some(word) = self.words.get_mut(i as usize / 64) {
            *word &= !(1 << (i % 64));
        }
    }

    /// Whether `i` is in the set.
    pub fn contains(&self, i: u32) -> bool {
        self.words
            .get(i as usize / 64)
            .is_some_and(|word| word & (1 << (i % 64)) != 0)
    }

    /// The members, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let base = (w * 64) as u32;
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                Some(base + bit)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn full_holds_exactly_the_first_n() {
        for n in [0, 1, 63, 64, 65, 130] {
            let s = BitSet::full(n);
            assert_eq!(s.iter().collect::<Vec<_>>(), (0..n).collect::<Vec<_>>());
            assert!(!s.contains(n));
        }
    }

    proptest! {
        /// Any sequence of insertions and removals leaves the same members,
        /// in the same order, as a `BTreeSet` given the same sequence.
        #[test]
        fn behaves_like_an_ordered_set(
            n in 0u32..200,
            ops in proptest::collection::vec((any::<bool>(), 0u32..300), 0..400),
        ) {
            let mut bits = BitSet::full(n);
            let mut reference: BTreeSet<u32> = (0..n).collect();
            for (add, i) in ops {
                if add {
                    bits.insert(i);
                    reference.insert(i);
                } else {
                    bits.remove(i);
                    reference.remove(&i);
                }
                prop_assert_eq!(bits.contains(i), reference.contains(&i));
            }
            prop_assert_eq!(bits.iter().collect::<Vec<_>>(), reference.into_iter().collect::<Vec<_>>());
        }
    }
}
