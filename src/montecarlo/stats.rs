//! Statistics of one metric over many runs: streaming [`Moments`] over
//! exact integer quanta, the [`MetricStat`] distribution (an HDR histogram
//! with the exact min and max beside it), the [`wilson95`] interval of
//! a share, and the [`newcombe_paired95`] interval of the difference of two
//! shares measured on the same runs.

use hdrhistogram::Histogram;

/// Values are accumulated as whole milliseconds (or criticality-milliseconds).
const QUANTUM_PER_UNIT: f64 = 3_600_000.0;

/// Streaming mean and variance over integer quanta (milliseconds). Sums are
/// exact integers, so merging is associative and commutative: any split of
/// the replications (threads, blocks, shards) gives the same bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moments {
    /// Observations.
    pub n: u64,
    sum: i128,
    sum_sq: u128,
}

impl Moments {
    /// Adds one observation, in quanta.
    pub fn push_quanta(&mut self, q: i64) {
        self.n += 1;
        self.sum += i128::from(q);
        self.sum_sq = self
            .sum_sq
            .saturating_add((i128::from(q) * i128::from(q)).unsigned_abs());
    }

    /// Adds one observation in the metric's unit (hours).
    pub fn push(&mut self, x: f64) {
        self.push_quanta(to_quanta(x));
    }

    /// Merges another set of observations into this one.
    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq = self.sum_sq.saturating_add(other.sum_sq);
    }

    /// The raw integer sums (n, Σq, Σq²), for shard files.
    pub fn parts(&self) -> (u64, i128, u128) {
        (self.n, self.sum, self.sum_sq)
    }

    /// Rebuilds moments from [`Moments::parts`].
    pub fn from_parts(n: u64, sum: i128, sum_sq: u128) -> Self {
        Moments { n, sum, sum_sq }
    }

    /// The mean, in the metric's unit.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum as f64 / self.n as f64 / QUANTUM_PER_UNIT
        }
    }

    /// Sample variance, in the metric's unit squared.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        // n·Σx² − (Σx)² exactly in integers where it fits (it always does
        // for realistic runs), so no cancellation error.
        let exact = u128::from(self.n).checked_mul(self.sum_sq).and_then(|a| {
            a.checked_sub(
                self.sum
                    .unsigned_abs()
                    .checked_mul(self.sum.unsigned_abs())?,
            )
        });
        let numerator = match exact {
            Some(x) => x as f64,
            None => (n * self.sum_sq as f64 - (self.sum as f64).powi(2)).max(0.0),
        };
        numerator / (n * (n - 1.0)) / (QUANTUM_PER_UNIT * QUANTUM_PER_UNIT)
    }

    /// Half-width of the 95 % confidence interval of the mean (normal approximation).
    pub fn ci95(&self) -> f64 {
        if self.n < 2 {
            f64::INFINITY
        } else {
            1.96 * (self.variance() / self.n as f64).sqrt()
        }
    }
}

pub(super) fn to_quanta(x: f64) -> i64 {
    let q = (x * QUANTUM_PER_UNIT).round();
    if q.is_nan() {
        0
    } else {
        q.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    }
}

/// The largest value a metric may take, in its unit: whole quanta
/// (milliseconds) of it fit in an `i64` with room to spare, and so do
/// whole seconds of it in an HDR histogram (at most `i64::MAX / 2`).
pub const MAX_VALUE: f64 = 1e12;

/// Why a metric value could not be recorded. Metrics are finite and never
/// negative by construction (durations, criticality × duration, shares and
/// availabilities), so the first two are bugs; the last needs a scenario
/// far beyond any real one (10¹² crit·h).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// NaN or infinite.
    #[error("{0} is not a finite number (a bug in hvsim: please report it)")]
    NotFinite(f64),
    /// Below zero.
    #[error("{0} is negative, and metrics never are (a bug in hvsim: please report it)")]
    Negative(f64),
    /// Above [`MAX_VALUE`].
    #[error("{0:e} is above the largest value hvsim can record exactly ({MAX_VALUE:e})")]
    TooLarge(f64),
}

/// A value's whole quanta (milliseconds, or criticality-milliseconds),
/// refusing what cannot be recorded exactly rather than clamping it.
pub(super) fn checked_quanta(v: f64) -> Result<i64, RecordError> {
    if !v.is_finite() {
        Err(RecordError::NotFinite(v))
    } else if v < 0.0 {
        Err(RecordError::Negative(v))
    } else if v > MAX_VALUE {
        Err(RecordError::TooLarge(v))
    } else {
        Ok(to_quanta(v))
    }
}

/// The distribution of one metric for one strategy.
///
/// Quantiles come from an HDR histogram with 3 significant digits that
/// grows to hold whatever is recorded (nothing is ever clamped); the exact
/// least and greatest values are kept beside it, so `min` and `max` are
/// exact and every quantile lies between them.
#[derive(Clone, Debug)]
pub struct MetricStat {
    /// Values, in whole seconds (or criticality-seconds), 3 significant
    /// digits; auto-resizing.
    pub hist: Histogram<u64>,
    /// Mean and variance, in the metric's unit.
    pub moments: Moments,
    /// Replications where the milestone was not reached within the horizon.
    pub missing: u64,
    /// The exact least and greatest values recorded, in whole quanta
    /// (milliseconds, as [`Moments`]); `None` before the first value.
    pub range: Option<(i64, i64)>,
}

impl Default for MetricStat {
    fn default() -> Self {
        Self::new()
    }
}

impl MetricStat {
    /// An empty distribution.
    pub fn new() -> Self {
        MetricStat {
            // Auto-resizing: grows to hold any value up to i64::MAX / 2.
            hist: Histogram::new(3).expect("3 significant digits are valid"),
            moments: Moments::default(),
            missing: 0,
            range: None,
        }
    }

    /// Records one run's value, `None` where the milestone was not reached.
    /// A value that cannot be recorded exactly is refused, never clamped.
    pub fn record(&mut self, value: Option<f64>) -> Result<(), RecordError> {
        let Some(v) = value else {
            self.missing += 1;
            return Ok(());
        };
        let q = checked_quanta(v)?;
        // Whole seconds (or second-quanta of other units); 0 is a value
        // too (no data lost, an objective missed). At most 3.6e15, well
        // inside what the histogram can grow to.
        let secs = (v * 3_600.0).round() as u64;
        self.hist
            .record(secs)
            .map_err(|_| RecordError::TooLarge(v))?;
        self.moments.push_quanta(q);
        self.range = Some(match self.range {
            None => (q, q),
            Some((lo, hi)) => (lo.min(q), hi.max(q)),
        });
        Ok(())
    }

    /// Merges another distribution of the same metric into this one.
    /// Counts, sums, minimum and maximum are all exact, so any split of
    /// the runs merges to the same result.
    pub fn merge(&mut self, other: &MetricStat) -> Result<(), hdrhistogram::AdditionError> {
        self.hist.add(&other.hist)?;
        self.moments.merge(&other.moments);
        self.missing += other.missing;
        self.range = match (self.range, other.range) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        Ok(())
    }

    /// The value (in the metric's unit) at quantile `q` of the reached runs.
    ///
    /// Values are kept to 3 significant digits and reported at the low end
    /// of their bucket, then brought into the exact `[min, max]`: a
    /// quantile is never below the least value nor above the greatest (a
    /// constant metric reads the same at every quantile as its mean and
    /// its max; an availability never exceeds 100 %).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let (lo, hi) = (self.min()?, self.max()?);
        if self.hist.is_empty() {
            return None;
        }
        let v = self.hist.value_at_quantile(q);
        let x = self.hist.lowest_equivalent(v) as f64 / 3_600.0;
        // Not `clamp`: it panics if lo > hi, which a hostile shard could claim.
        Some(x.max(lo).min(hi))
    }

    /// The least value recorded, exactly.
    pub fn min(&self) -> Option<f64> {
        self.range.map(|(lo, _)| lo as f64 / QUANTUM_PER_UNIT)
    }

    /// The greatest value recorded, exactly.
    pub fn max(&self) -> Option<f64> {
        self.range.map(|(_, hi)| hi as f64 / QUANTUM_PER_UNIT)
    }

    /// For a [`MetricKind::Share`](super::MetricKind::Share) (values 100 or 0): the runs where it
    /// held and the runs recorded.
    pub fn share_counts(&self) -> (u64, u64) {
        let (n, sum, _) = self.moments.parts();
        let per_yes = 100 * QUANTUM_PER_UNIT as i128;
        let yes = u64::try_from(sum / per_yes).unwrap_or(0).min(n);
        (yes, n)
    }

    /// For a [`MetricKind::Share`](super::MetricKind::Share): the share of runs where it held, in %,
    /// and its 95 % Wilson score interval; `None` before the first run.
    pub fn share(&self) -> Option<(f64, (f64, f64))> {
        let (k, n) = self.share_counts();
        Some((100.0 * k as f64 / n as f64, wilson95(k, n)?))
    }
}

/// The 95 % Wilson score interval of a proportion of `k` in `n`, in %:
/// unlike mean ± 1.96 σ it stays within [0, 100] and is not empty when
/// every run (or none) succeeded. `None` when `n` is 0.
pub fn wilson95(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (z, nf) = (1.96f64, n as f64);
    let p = k.min(n) as f64 / nf;
    let denom = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / denom;
    let lo = if k == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if k >= n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((100.0 * lo, 100.0 * hi))
}

/// The 2×2 table of a yes/no outcome measured twice on the same runs (a
/// plan and a lever, a baseline and a strategy, on common random numbers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairTable {
    /// Runs where both held.
    pub both: u64,
    /// Runs where only the first held.
    pub first_only: u64,
    /// Runs where only the second held.
    pub second_only: u64,
    /// Runs where neither held.
    pub neither: u64,
}

impl PairTable {
    /// The table of a paired difference of shares (values 100 or 0, so
    /// each difference is −100, 0 or +100 %) and the runs where both held:
    /// Σd counts the runs that flipped up less those that flipped down,
    /// Σd² those that flipped either way, exactly in integers. `None`
    /// when the sums are not those of such differences.
    pub fn from_diff(diff: &Moments, both: u64) -> Option<PairTable> {
        let (n, sum, sum_sq) = diff.parts();
        let unit = i128::from(to_quanta(100.0));
        let unit_sq = unit.unsigned_abs() * unit.unsigned_abs();
        if sum % unit != 0 || sum_sq % unit_sq != 0 {
            return None;
        }
        let net = sum / unit;
        let flips = i128::try_from(sum_sq / unit_sq).ok()?;
        if (flips + net) % 2 != 0 || net.abs() > flips {
            return None;
        }
        let second_only = u64::try_from((flips + net) / 2).ok()?;
        let first_only = u64::try_from((flips - net) / 2).ok()?;
        let neither = n
            .checked_sub(both)?
            .checked_sub(first_only)?
            .checked_sub(second_only)?;
        Some(PairTable {
            both,
            first_only,
            second_only,
            neither,
        })
    }

    /// The runs in the table.
    pub fn n(&self) -> u64 {
        self.both + self.first_only + self.second_only + self.neither
    }
}

/// The 95 % interval of the difference of two shares measured on the same
/// runs (the second's share less the first's), in percentage points:
/// Newcombe's hybrid score interval for paired proportions (Newcombe 1998,
/// "Improved confidence intervals for the difference between binomial
/// proportions based on paired data", method 10), built from the two
/// [`wilson95`] intervals and the phi correlation of the table (0 when a
/// margin is 0). Unlike mean ± 1.96 σ of the per-run differences it stays
/// within ±100 pp and is not a point when every pair agrees. `None`
/// when the table is empty.
pub fn newcombe_paired95(t: PairTable) -> Option<(f64, f64)> {
    let n = t.n();
    let (k1, k2) = (t.both + t.first_only, t.both + t.second_only);
    let (l1, u1) = wilson95(k1, n)?;
    let (l2, u2) = wilson95(k2, n)?;
    let (p1, p2) = (100.0 * k1 as f64 / n as f64, 100.0 * k2 as f64 / n as f64);
    let margins = [k1, n - k1, k2, n - k2].map(|m| m as f64);
    let phi = if margins.contains(&0.0) {
        0.0
    } else {
        let cross = t.both as f64 * t.neither as f64 - t.first_only as f64 * t.second_only as f64;
        cross / margins.iter().product::<f64>().sqrt()
    };
    // θ = p2 − p1: its low end pairs p2's low side with p1's high side.
    let spread = |x: f64, y: f64| (x * x - 2.0 * phi * x * y + y * y).max(0.0).sqrt();
    let theta = p2 - p1;
    let lo = theta - spread(p2 - l2, u1 - p1);
    let hi = theta + spread(u2 - p2, p1 - l1);
    Some((lo.max(-100.0), hi.min(100.0)))
}

#[cfg(test)]
mod tests {
    use super::{
        MAX_VALUE, MetricStat, Moments, PairTable, RecordError, newcombe_paired95, wilson95,
    };

    #[test]
    fn merged_moments_equal_sequential_ones_exactly() {
        let xs: Vec<f64> = (0..100).map(|i| ((i * 37) % 17) as f64 * 0.5).collect();
        let mut all = Moments::default();
        xs.iter().for_each(|x| all.push(*x));
        for split in [0, 1, 30, 99, 100] {
            let (mut a, mut b) = (Moments::default(), Moments::default());
            xs[..split].iter().for_each(|x| a.push(*x));
            xs[split..].iter().for_each(|x| b.push(*x));
            b.merge(&a);
            assert_eq!(b, all, "split at {split}");
        }
        // Against the textbook formulas.
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        assert!((all.mean() - mean).abs() < 1e-9);
        assert!((all.variance() - var).abs() < 1e-6);
    }

    /// Nearest-rank quantile of sorted values.
    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }

    /// Issue 13: weighted impacts above ~1.2 M crit·h used to be clamped
    /// to 875,560.96 by a fixed-range histogram, so the max read below
    /// the mean.
    #[test]
    fn values_above_a_million_crit_hours_are_recorded_not_clamped() {
        let values: Vec<f64> = (0..1000)
            .map(|i| 1_200_000.0 + f64::from((i * 7919) % 1000) * 5_300.5)
            .collect();
        let mut st = MetricStat::new();
        for v in &values {
            // `let _`: the test must compile (and fail) where `record`
            // returned nothing.
            let _ = st.record(Some(*v));
        }
        assert_eq!(st.moments.n, 1000);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let exact_max = sorted[999];
        let mean = st.moments.mean();
        assert_eq!(st.max(), Some(exact_max));
        assert!(exact_max >= mean, "max {exact_max} < mean {mean}");
        for q in [0.5, 0.9, 0.99] {
            let got = st.quantile(q).expect("values");
            let want = exact_quantile(&sorted, q);
            // 3 significant digits: within 0.1 %, and never above the max.
            assert!(
                (got - want).abs() <= want * 1e-3,
                "p{}: {got} against {want}",
                q * 100.0
            );
            assert!(got <= exact_max);
        }
        assert!(st.quantile(0.5).expect("values") > 3_500_000.0);
    }

    /// A metric with the same value in every run reads that value at every
    /// quantile, as its mean and as its max: `18h 30m ± 0s`, p50 `18h 30m`.
    #[test]
    fn a_constant_metric_has_p50_equal_to_its_mean_and_max_exactly() {
        for v in [18.5, 100.0, 1e-3, 0.0, 2_000_000.0 / 3.0] {
            let mut st = MetricStat::new();
            for _ in 0..500 {
                let _ = st.record(Some(v));
            }
            let mean = st.moments.mean();
            assert_eq!(st.moments.variance(), 0.0);
            for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
                assert_eq!(st.quantile(q), Some(mean), "{v}: quantile {q}");
            }
            assert_eq!(st.max(), Some(mean), "{v}");
        }
    }

    #[test]
    fn quantiles_stay_within_the_exact_min_and_max() {
        // Availabilities just under 100 %: a bucket of 3 significant
        // digits straddles 100, the quantiles must not.
        let mut st = MetricStat::new();
        for i in 0..100 {
            st.record(Some(99.9 + f64::from(i) * 0.000_9))
                .expect("records");
        }
        let (lo, hi) = (st.min().expect("min"), st.max().expect("max"));
        assert_eq!(lo, 99.9);
        assert!(hi < 100.0);
        for q in [0.0, 0.01, 0.5, 0.9, 0.99, 1.0] {
            let x = st.quantile(q).expect("values");
            assert!(
                (lo..=hi).contains(&x),
                "quantile {q}: {x} outside [{lo}, {hi}]"
            );
        }
    }

    #[test]
    fn merging_keeps_min_and_max_exact_whatever_the_split() {
        let xs: Vec<f64> = (0..300)
            .map(|i| f64::from((i * 37) % 101) * 12_345.678 + 0.001)
            .collect();
        let mut all = MetricStat::new();
        xs.iter()
            .for_each(|x| all.record(Some(*x)).expect("records"));
        for split in [0, 1, 150, 299, 300] {
            let (mut a, mut b) = (MetricStat::new(), MetricStat::new());
            xs[..split]
                .iter()
                .for_each(|x| a.record(Some(*x)).expect("records"));
            xs[split..]
                .iter()
                .for_each(|x| b.record(Some(*x)).expect("records"));
            b.merge(&a).expect("merges");
            assert_eq!(b.range, all.range, "split at {split}");
            assert_eq!(b.moments, all.moments);
            for q in [0.5, 0.9, 0.99] {
                assert_eq!(b.quantile(q), all.quantile(q), "split at {split}");
            }
        }
    }

    #[test]
    fn values_that_cannot_be_recorded_exactly_are_refused_not_clamped() {
        let mut st = MetricStat::new();
        assert_eq!(st.record(Some(-1.0)), Err(RecordError::Negative(-1.0)));
        assert!(matches!(
            st.record(Some(f64::NAN)),
            Err(RecordError::NotFinite(_))
        ));
        assert_eq!(st.record(Some(2e12)), Err(RecordError::TooLarge(2e12)));
        assert_eq!(st.moments.n, 0);
        assert_eq!(st.range, None);
        // The largest allowed value is recorded exactly.
        st.record(Some(MAX_VALUE)).expect("records");
        assert_eq!(st.max(), Some(MAX_VALUE));
        assert_eq!(st.quantile(0.5), Some(MAX_VALUE));
    }

    #[test]
    fn a_share_met_in_every_run_is_100_percent_with_a_wilson_interval() {
        let mut st = MetricStat::new();
        for _ in 0..1000 {
            st.record(Some(100.0)).expect("records");
        }
        let (p, (lo, hi)) = st.share().expect("runs");
        assert_eq!(p, 100.0);
        assert_eq!(hi, 100.0);
        assert!((99.5..100.0).contains(&lo), "{lo}");
        let mut st = MetricStat::new();
        for i in 0..1000 {
            st.record(Some(if i < 970 { 100.0 } else { 0.0 }))
                .expect("records");
        }
        assert_eq!(st.share_counts(), (970, 1000));
        let (p, (lo, hi)) = st.share().expect("runs");
        assert_eq!(p, 97.0);
        // Wilson: 95.750–97.891 % for 970 of 1000.
        assert!(
            (lo - 95.750).abs() < 1e-3 && (hi - 97.891).abs() < 1e-3,
            "{lo}–{hi}"
        );
        assert_eq!(wilson95(0, 10).map(|(lo, _)| lo), Some(0.0));
        assert_eq!(wilson95(3, 0), None);
    }

    fn table(both: u64, first_only: u64, second_only: u64, neither: u64) -> PairTable {
        PairTable {
            both,
            first_only,
            second_only,
            neither,
        }
    }

    /// Newcombe 1998's first example (36, 12, 2, 0 pairs): the first share
    /// 96 %, the second 76 %, method 10 gives 0.0569 to 0.3404 for the
    /// first less the second; here the second less the first.
    #[test]
    fn the_paired_interval_matches_newcombes_example() {
        let (lo, hi) = newcombe_paired95(table(36, 12, 2, 0)).expect("runs");
        assert!((lo - -34.04).abs() < 0.005, "{lo}");
        assert!((hi - -5.69).abs() < 0.005, "{hi}");
        // Swapping which share comes first mirrors the interval.
        let (l2, h2) = newcombe_paired95(table(36, 2, 12, 0)).expect("runs");
        assert!((l2 + hi).abs() < 1e-9 && (h2 + lo).abs() < 1e-9);
    }

    /// When one share is 0 or 100 % a margin is 0, phi is 0 and the ends
    /// are the Wilson ends squared and added: every run flipping up from
    /// never to always is +100 pp, its low end 100 less the hypotenuse of
    /// the two Wilson intervals' inner sides.
    #[test]
    fn degenerate_tables_give_the_wilson_ends() {
        for n in [1u64, 5, 20, 1000] {
            let (lo, hi) = newcombe_paired95(table(0, 0, n, 0)).expect("runs");
            let (all_lo, _) = wilson95(n, n).expect("runs");
            let (_, none_hi) = wilson95(0, n).expect("runs");
            let want = 100.0 - (100.0 - all_lo).hypot(none_hi);
            assert!((lo - want).abs() < 1e-9 && hi == 100.0, "{n}: {lo} {hi}");
            // Nobody ever meets it in either: 0 ± the Wilson high end of 0.
            let (lo, hi) = newcombe_paired95(table(0, 0, 0, n)).expect("runs");
            let (_, wh) = wilson95(0, n).expect("runs");
            assert!((hi - wh).abs() < 1e-9 && (lo + wh).abs() < 1e-9);
        }
        assert_eq!(newcombe_paired95(table(0, 0, 0, 0)), None);
    }

    #[test]
    fn the_paired_interval_is_bounded_contains_the_estimate_and_narrows_with_n() {
        let cases = [
            (0, 0, 0, 20),
            (20, 0, 0, 0),
            (0, 20, 0, 0),
            (3, 4, 5, 8),
            (10, 0, 10, 0),
            (1, 1, 0, 0),
        ];
        for (a, b, c, d) in cases {
            let t = table(a, b, c, d);
            let (lo, hi) = newcombe_paired95(t).expect("runs");
            let theta = 100.0 * (c as f64 - b as f64) / t.n() as f64;
            assert!((-100.0..=100.0).contains(&lo) && (-100.0..=100.0).contains(&hi));
            assert!(
                lo <= theta && theta <= hi,
                "{t:?}: {theta} outside {lo}–{hi}"
            );
            assert!(hi - lo > 0.0, "{t:?}: a point");
            let (big_lo, big_hi) =
                newcombe_paired95(table(10 * a, 10 * b, 10 * c, 10 * d)).expect("runs");
            assert!(
                big_hi - big_lo < hi - lo,
                "{t:?}: not narrower with 10 × the runs"
            );
        }
    }

    #[test]
    fn a_table_is_read_back_from_the_paired_differences() {
        let mut d = Moments::default();
        // 3 runs up, 1 down, 6 unchanged (4 of them both held).
        for x in [100.0, 100.0, 100.0, -100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] {
            d.push(x);
        }
        assert_eq!(PairTable::from_diff(&d, 4), Some(table(4, 1, 3, 2)));
        assert_eq!(PairTable::from_diff(&d, 7), None);
        let mut odd = Moments::default();
        odd.push(50.0);
        assert_eq!(PairTable::from_diff(&odd, 0), None);
    }
}
