//! Merging the results of parts of one run (shards) into the whole: counts
//! and sums are exact integers, so any split merges to the same bits.

use super::seeds::shard_range;
use super::study::CompareError;
use super::summary::{Comparison, StrategySummary};

/// Adds the results of `part` (of the same strategies and metrics) to `total`.
pub(crate) fn merge_into(
    total: &mut [StrategySummary],
    part: &[StrategySummary],
) -> Result<(), CompareError> {
    for (acc, p) in total.iter_mut().zip(part) {
        for (a, x) in acc.stats.iter_mut().zip(&p.stats) {
            a.merge(x).map_err(|e| {
                CompareError::Invalid(format!(
                    "strategy `{}`: cannot merge a histogram: {e:?}",
                    acc.id
                ))
            })?;
        }
        for (a, x) in acc.diffs.iter_mut().zip(&p.diffs) {
            a.merge(x);
        }
        // Each shard keeps the first runs of its own range: in replication
        // order, whatever order the shards come in.
        acc.dr_use.extend(p.dr_use.iter().cloned());
        acc.dr_use.sort_by_key(|r| r.replication);
    }
    Ok(())
}

/// Merges the shards of one comparison into the unsharded result. Every
/// shard of the same run (seed, replications, strategies, metrics) must be
/// given exactly once.
pub fn merge(mut parts: Vec<Comparison>) -> Result<Comparison, CompareError> {
    let Some(first) = parts.first() else {
        return Err(CompareError::Invalid("no shard to merge".into()));
    };
    let n = first.shard.1;
    let ids = |c: &Comparison| {
        c.strategies
            .iter()
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
    };
    for p in &parts {
        if p.seed != first.seed
            || p.runs != first.runs
            || p.shard.1 != n
            || p.metrics != first.metrics
            || ids(p) != ids(first)
        {
            return Err(CompareError::Invalid(format!(
                "shard {}/{} is from a different comparison (seed, --runs, strategies or scenario differ)",
                p.shard.0, p.shard.1
            )));
        }
    }
    parts.sort_by_key(|p| p.shard.0);
    let present: Vec<u64> = parts.iter().map(|p| p.shard.0).collect();
    if present != (0..n).collect::<Vec<_>>() {
        let missing: Vec<String> = (0..n)
            .filter(|i| !present.contains(i))
            .map(|i| format!("{i}/{n}"))
            .collect();
        return Err(CompareError::Invalid(if missing.is_empty() {
            "a shard is given twice".to_string()
        } else {
            format!("missing shard(s): {}", missing.join(", "))
        }));
    }
    for p in &parts {
        let (start, end) = shard_range(p.runs, p.shard);
        if p.done != end - start {
            return Err(CompareError::Invalid(format!(
                "shard {}/{} is incomplete: {} of {} replications (it was interrupted)",
                p.shard.0,
                n,
                p.done,
                end - start
            )));
        }
    }
    let mut iter = parts.into_iter();
    let mut total = iter
        .next()
        .ok_or_else(|| CompareError::Invalid("no shard".into()))?;
    for p in iter {
        merge_into(&mut total.strategies, &p.strategies)?;
        total.done += p.done;
    }
    total.shard = (0, 1);
    Ok(total)
}
