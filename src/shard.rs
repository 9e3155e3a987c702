//! Shard files: the mergeable results of `hvsim compare --shard i/n --out FILE`.
//!
//! JSON, with each histogram in HdrHistogram's standard V2 serialized form
//! (base64) and the moments as exact integer sums (as strings: they exceed
//! JSON's safe integer range), so `hvsim merge` reproduces the unsharded
//! result bit for bit. Schema tag: `hvsim.shard/2` (version 2: the random
//! streams of [`crate::sim::STREAM_VERSION`] 2; shards of different
//! versions never merge).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};

use crate::montecarlo::{Comparison, MetricDef, MetricKind, MetricStat, Moments, StrategySummary};

/// The schema tag of shard files.
/// Its version follows the random streams: a shard is only valid with
/// shards drawn from the same streams.
pub const SHARD_SCHEMA: &str = "hvsim.shard/2";

/// Why a shard file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// Reading or writing failed.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid shard file.
    #[error("{file}: not a valid hvsim shard file ({reason})")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardFile {
    schema: String,
    scenario: String,
    seed: u64,
    runs: u64,
    shard: [u64; 2],
    done: u64,
    metrics: Vec<MetricFile>,
    strategies: Vec<StrategyFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricFile {
    name: String,
    unit: String,
    /// `quantity` or `share` ([`crate::montecarlo::MetricKind`]).
    kind: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StrategyFile {
    id: String,
    stats: Vec<StatFile>,
    diffs: Vec<MomentsFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatFile {
    hist_v2_base64: String,
    moments: MomentsFile,
    missing: u64,
    /// The exact least and greatest values, in whole quanta (as strings,
    /// like the sums); `null` when no value was recorded.
    min: Option<String>,
    max: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MomentsFile {
    n: u64,
    sum: String,
    sum_sq: String,
}

impl From<&Moments> for MomentsFile {
    fn from(m: &Moments) -> Self {
        let (n, sum, sum_sq) = m.parts();
        MomentsFile {
            n,
            sum: sum.to_string(),
            sum_sq: sum_sq.to_string(),
        }
    }
}

/// Writes a comparison (usually one shard) to `path`, atomically: a
/// temporary file in the same directory, renamed into place, so a crash
/// never leaves a half-written shard.
pub fn write(path: &Path, scenario: &str, c: &Comparison) -> Result<(), ShardError> {
    let file = path.display().to_string();
    let io = |source| ShardError::Io {
        file: file.clone(),
        source,
    };
    let mut strategies = Vec::new();
    for s in &c.strategies {
        let mut stats = Vec::new();
        for st in &s.stats {
            let mut bytes = Vec::new();
            V2Serializer::new()
                .serialize(&st.hist, &mut bytes)
                .map_err(|e| ShardError::Invalid {
                    file: file.clone(),
                    reason: format!("cannot serialize a histogram: {e:?}"),
                })?;
            stats.push(StatFile {
                hist_v2_base64: STANDARD.encode(&bytes),
                moments: (&st.moments).into(),
                missing: st.missing,
                min: st.range.map(|(lo, _)| lo.to_string()),
                max: st.range.map(|(_, hi)| hi.to_string()),
            });
        }
        strategies.push(StrategyFile {
            id: s.id.clone(),
            stats,
            diffs: s.diffs.iter().map(MomentsFile::from).collect(),
        });
    }
    let doc = ShardFile {
        schema: SHARD_SCHEMA.into(),
        scenario: scenario.into(),
        seed: c.seed,
        runs: c.runs,
        shard: [c.shard.0, c.shard.1],
        done: c.done,
        metrics: c
            .metrics
            .iter()
            .map(|m| MetricFile {
                name: m.name.clone(),
                unit: m.unit.into(),
                kind: m.kind.as_str().into(),
            })
            .collect(),
        strategies,
    };
    let text = serde_json::to_vec_pretty(&doc).map_err(|e| ShardError::Invalid {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    crate::report::write_atomically(path, &text).map_err(io)
}

/// Reads a shard file: the scenario name and the comparison it holds.
pub fn read(path: &Path) -> Result<(String, Comparison), ShardError> {
    let file = path.display().to_string();
    let invalid = |reason: String| ShardError::Invalid {
        file: file.clone(),
        reason,
    };
    let text = std::fs::read(path).map_err(|source| ShardError::Io {
        file: file.clone(),
        source,
    })?;
    let doc: ShardFile = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
    if doc.schema != SHARD_SCHEMA {
        let why = if doc.schema == "hvsim.shard/1" {
            ": it was written by an older hvsim, whose random streams differ; run that shard again with this one"
        } else {
            ""
        };
        return Err(invalid(format!(
            "schema `{}`, expected `{SHARD_SCHEMA}`{why}",
            doc.schema
        )));
    }
    let moments = |m: &MomentsFile| -> Result<Moments, ShardError> {
        let sum = m
            .sum
            .parse()
            .map_err(|_| invalid(format!("bad sum `{}`", m.sum)))?;
        let sum_sq = m
            .sum_sq
            .parse()
            .map_err(|_| invalid(format!("bad sum_sq `{}`", m.sum_sq)))?;
        Ok(Moments::from_parts(m.n, sum, sum_sq))
    };
    let mut strategies = Vec::new();
    for s in &doc.strategies {
        let mut stats = Vec::new();
        for st in &s.stats {
            let bytes = STANDARD
                .decode(&st.hist_v2_base64)
                .map_err(|e| invalid(format!("bad histogram encoding: {e}")))?;
            let hist = Deserializer::new()
                .deserialize(&mut bytes.as_slice())
                .map_err(|e| invalid(format!("bad histogram: {e:?}")))?;
            let mut stat = MetricStat::new();
            stat.hist
                .add(&hist)
                .map_err(|e| invalid(format!("histogram out of range: {e:?}")))?;
            stat.moments = moments(&st.moments)?;
            stat.missing = st.missing;
            stat.range = match (&st.min, &st.max) {
                (None, None) => None,
                (Some(lo), Some(hi)) => {
                    let parse = |v: &String| {
                        v.parse::<i64>()
                            .map_err(|_| invalid(format!("bad min or max `{v}`")))
                    };
                    let (lo, hi) = (parse(lo)?, parse(hi)?);
                    if lo > hi {
                        return Err(invalid(format!("min {lo} is above max {hi}")));
                    }
                    Some((lo, hi))
                }
                _ => return Err(invalid("min and max must both be null or both set".into())),
            };
            if stat.range.is_some() != (stat.moments.n > 0) {
                return Err(invalid(
                    "exact min and max must be given exactly when values were recorded \
                     (a shard from an older hvsim? run it again with this one)"
                        .into(),
                ));
            }
            stats.push(stat);
        }
        let diffs = s.diffs.iter().map(moments).collect::<Result<Vec<_>, _>>()?;
        if stats.len() != doc.metrics.len() || diffs.len() != doc.metrics.len() {
            return Err(invalid("metric counts disagree".into()));
        }
        strategies.push(StrategySummary {
            id: s.id.clone(),
            stats,
            diffs,
        });
    }
    let metrics = doc
        .metrics
        .iter()
        .map(|m| {
            let unit = match m.unit.as_str() {
                "h" => "h",
                "crit·h" => "crit·h",
                "%" => "%",
                other => return Err(invalid(format!("unknown unit `{other}`"))),
            };
            let kind = match m.kind.as_str() {
                "quantity" => MetricKind::Quantity,
                "share" => MetricKind::Share,
                other => return Err(invalid(format!("unknown metric kind `{other}`"))),
            };
            Ok(MetricDef {
                name: m.name.clone(),
                unit,
                kind,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        doc.scenario,
        Comparison {
            seed: doc.seed,
            runs: doc.runs,
            done: doc.done,
            shard: (doc.shard[0], doc.shard[1]),
            metrics,
            strategies,
        },
    ))
}
