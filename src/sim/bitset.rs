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

    /// Removes every member, keeping the words for later insertions.
    pub fn clear(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
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

/// Sorts `items` in increasing order of `index` and drops repeats: the
/// result of `sort_unstable` then `dedup` for items ordered as their
/// indices. When the items are many for the range of indices they span
/// (a strike's apps: every VM of a host, many apps repeated), they go
/// through `scratch` instead, in linear time: each index marked, then the
/// marks read in increasing order. `scratch` must be empty and is left
/// empty (its words are kept for the next call).
pub fn sort_dedup_by_index<T: Copy>(
    items: &mut Vec<T>,
    scratch: &mut BitSet,
    index: impl Fn(T) -> u32,
    from_index: impl Fn(u32) -> T,
) {
    sort_through(items, scratch, index, from_index, false);
}

/// Sorts `items` in increasing order of `index`, keeping repeats, for
/// items equal when their indices are: the same linear path as
/// [`sort_dedup_by_index`] when no index repeats, a comparison sort when
/// one does (found by counting the marks).
pub fn sort_by_index<T: Copy>(
    items: &mut Vec<T>,
    scratch: &mut BitSet,
    index: impl Fn(T) -> u32,
    from_index: impl Fn(u32) -> T,
) {
    sort_through(items, scratch, index, from_index, true);
}

fn sort_through<T: Copy>(
    items: &mut Vec<T>,
    scratch: &mut BitSet,
    index: impl Fn(T) -> u32,
    from_index: impl Fn(u32) -> T,
    keep_repeats: bool,
) {
    let by_comparison = |items: &mut Vec<T>| {
        items.sort_unstable_by_key(|&t| index(t));
        if !keep_repeats {
            items.dedup_by_key(|t| index(*t));
        }
    };
    // Already in order (a fault's apps down often are): one pass.
    if items.is_sorted_by_key(|&t| index(t)) {
        if !keep_repeats {
            items.dedup_by_key(|t| index(*t));
        }
        return;
    }
    let Some(max) = items.iter().map(|&t| index(t)).max() else {
        return;
    };
    let words = max as usize / 64 + 1;
    // Below this, or over a range of indices wide for their number, a
    // comparison sort costs less than reading the marks back.
    if items.len() < 32 || words > items.len() * 2 {
        by_comparison(items);
        return;
    }
    debug_assert!(scratch.words.iter().all(|&w| w == 0), "scratch not empty");
    for &t in items.iter() {
        scratch.insert(index(t));
    }
    let marked = &mut scratch.words[..words];
    if keep_repeats
        && marked
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum::<usize>()
            != items.len()
    {
        marked.iter_mut().for_each(|w| *w = 0);
        by_comparison(items);
        return;
    }
    items.clear();
    for (w, word) in marked.iter_mut().enumerate() {
        let mut rest = std::mem::take(word);
        while rest != 0 {
            items.push(from_index((w * 64) as u32 + rest.trailing_zeros()));
            rest &= rest - 1;
        }
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
        /// Marking through the scratch set gives what sorting (and dropping
        /// repeats) gives, on both sides of the threshold, with and without
        /// repeats, in order or not, and leaves the scratch empty for the
        /// next call.
        #[test]
        fn sort_dedup_matches_sorting(
            batches in proptest::collection::vec(
                (proptest::collection::vec(0u32..5000, 0..300), 1u32..5000),
                1..4,
            ),
        ) {
            let mut scratch = BitSet::default();
            // Each batch as drawn and already in order (the one-pass path).
            let batches = batches.into_iter().flat_map(|(items, span)| {
                let mut ordered: Vec<u32> = items.iter().map(|i| i % span).collect();
                ordered.sort_unstable();
                [(items, span), (ordered, span)]
            });
            for (items, span) in batches {
                let mut items: Vec<u32> = items.into_iter().map(|i| i % span).collect();
                let mut expected = items.clone();
                expected.sort_unstable();
                expected.dedup();
                let mut sorted = items.clone();
                sorted.sort_unstable();
                let mut kept = items.clone();
                sort_by_index(&mut kept, &mut scratch, |i| i, |i| i);
                prop_assert_eq!(kept, sorted);
                prop_assert_eq!(scratch.iter().count(), 0);
                sort_dedup_by_index(&mut items, &mut scratch, |i| i, |i| i);
                prop_assert_eq!(items, expected);
                prop_assert_eq!(scratch.iter().count(), 0);
            }
        }

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
