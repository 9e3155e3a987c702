//! First-fit search over a list of capacities in O(log n).
//!
//! A max segment tree: the first slot at or after a position whose value
//! is at least a need. Placing VMs first-fit on the hosts of a DR site by
//! scanning them was O(hosts) per VM, so O(n²) for an estate whose DR site
//! grows with it.

/// Capacities by slot, with the first-fit query.
#[derive(Clone, Debug, Default)]
pub struct FirstFit {
    /// Leaves (a power of two of them, padded with zeros).
    leaves: usize,
    /// `max[1]` is the root; node `k` has children `2k` and `2k + 1`;
    /// leaf `i` is node `leaves + i`.
    max: Vec<u64>,
}

impl FirstFit {
    /// A tree holding `values`, slot `i` for the `i`-th.
    pub fn new(values: &[u64]) -> Self {
        let leaves = values.len().next_power_of_two();
        let mut max = vec![0; 2 * leaves];
        max[leaves..leaves + values.len()].copy_from_slice(values);
        for k in (1..leaves).rev() {
            max[k] = max[2 * k].max(max[2 * k + 1]);
        }
        FirstFit { leaves, max }
    }

    /// The value of slot `i`.
    pub fn get(&self, i: usize) -> u64 {
        self.max[self.leaves + i]
    }

    /// Sets slot `i` to `value`.
    pub fn set(&mut self, i: usize, value: u64) {
        let mut k = self.leaves + i;
        self.max[k] = value;
        while k > 1 {
            k /= 2;
            self.max[k] = self.max[2 * k].max(self.max[2 * k + 1]);
        }
    }

    /// The first slot at or after `from` whose value is at least `need`.
    /// (Padding slots hold 0, so a need of 0 can return one: callers check
    /// the slot against their own list.)
    pub fn first_at_least(&self, from: usize, need: u64) -> Option<usize> {
        if self.max.is_empty() {
            return None;
        }
        self.find(1, 0, self.leaves, from, need)
    }

    fn find(&self, node: usize, lo: usize, hi: usize, from: usize, need: u64) -> Option<usize> {
        if hi <= from || self.max[node] < need {
            return None;
        }
        if hi - lo == 1 {
            return Some(lo);
        }
        let mid = lo + (hi - lo) / 2;
        self.find(2 * node, lo, mid, from, need)
            .or_else(|| self.find(2 * node + 1, mid, hi, from, need))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The linear first-fit it replaces.
    fn scan(values: &[u64], from: usize, need: u64) -> Option<usize> {
        (from..values.len()).find(|&i| values[i] >= need)
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
                    assert_eq!(tree.first_at_least(from, need), scan(&values, from, need));
                }
            }
            assert_eq!(tree.get(i), v);
        }
        assert_eq!(FirstFit::new(&[]).first_at_least(0, 1), None);
    }
}
