//! Buffers kept for their capacity: a replication leaves its vectors to
//! the next one on the same thread (`engine/reuse.rs`), and each side of
//! the run empties or refills them before use, with these helpers, so that
//! no content carries over.

/// `v` emptied, its capacity kept.
pub(crate) fn cleared<T>(mut v: Vec<T>) -> Vec<T> {
    v.clear();
    v
}

/// `lists` as `n` empty lists, keeping the capacity of those it had.
pub(crate) fn empty_lists<T>(mut lists: Vec<Vec<T>>, n: usize) -> Vec<Vec<T>> {
    lists.truncate(n);
    for list in &mut lists {
        list.clear();
    }
    lists.resize_with(n, Vec::new);
    lists
}

/// `v` emptied and refilled with `items`.
pub(crate) fn refilled<T>(mut v: Vec<T>, items: impl IntoIterator<Item = T>) -> Vec<T> {
    v.clear();
    v.extend(items);
    v
}

/// Gives a work list taken out of the run's state (`std::mem::take`) back
/// to it once processed, emptied, so that the next event reuses its buffer
/// instead of allocating one: unless the processing queued new items,
/// which stay.
pub(crate) fn recycle<T>(slot: &mut Vec<T>, mut buffer: Vec<T>) {
    if slot.is_empty() {
        buffer.clear();
        *slot = buffer;
    }
}
