//! Shard files: the mergeable results of `hvsim compare --shard i/n --out FILE`.
//!
//! JSON, with each histogram in HdrHistogram's standard V2 serialized form
//! (base64) and the moments as exact integer sums (as strings: they exceed
//! JSON's safe integer range), so `hvsim merge` reproduces the unsharded
//! result bit for bit. Schema tag: `hvsim.shard/4`. It also keeps the DR
//! site's use in those of the first [`DR_USE_RUNS`] replications that fall
//! in the shard (when the study kept it), so that the merge draws the
//! chart of DR capacity over the runs as the unsharded run does.
//!
//! Each file carries a fingerprint of what it is a shard *of*: the resolved
//! scenario (its fault campaign included), the strategies compared, the
//! number of runs, the master seed and the random-stream version
//! ([`crate::sim::STREAM_VERSION`]). [`merge`] refuses shards whose
//! fingerprints differ, and says which part differs.
//!
//! A shard file is input from elsewhere (another machine, a shared volume),
//! so reading one is defensive: [`read`] takes only regular files of at most
//! [`MAX_SHARD_BYTES`], [`parse`] checks every length and histogram header
//! against the bytes at hand before anything is allocated from it, and
//! cross-checks the counts (histogram totals, moments, missing runs,
//! replications done) so that an edited file is refused rather than
//! reported.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::dr_runs::{DR_USE_RUNS, RunUse, UseStep};
use super::metric::{MetricDef, MetricKind};
use super::seeds::{MAX_RUNS, shard_range};
use super::stats::{MetricStat, Moments};
use super::summary::{Comparison, StrategySummary};
use crate::model::{Scenario, Strategy, StrategyId};
use crate::sim::{STREAM_VERSION, SimTime};

/// The schema tag of shard files.
pub const SHARD_SCHEMA: &str = "hvsim.shard/4";

/// The largest shard file [`read`] accepts. A shard holds one histogram
/// (a few KiB to a few hundred KiB) per strategy and metric.
pub const MAX_SHARD_BYTES: u64 = 256 << 20;

/// The most counts a shard's histogram may have (8 MiB of `u64`): far more
/// than any hvsim histogram uses, far less than a forged header can ask for.
const MAX_HIST_COUNTS: u64 = 1 << 20;

/// Why a shard file could not be encoded or read, or shards not merged.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// A comparison could not be encoded (a bug in hvsim).
    #[error("cannot encode a shard: {0}")]
    Encode(String),
    /// Reading failed.
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
    /// The files are valid shards, but not the shards of one run.
    #[error("{0}")]
    Mismatch(String),
}

/// What a shard is a shard of. Two shards merge only if all of it is equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// SHA-256 of the resolved scenario (fault campaign included), hex.
    pub scenario: String,
    /// SHA-256 of the strategies compared (ids and definitions, in order), hex.
    pub strategies: String,
    /// Replications of the whole run.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
    /// The random-stream version the replications were drawn from.
    pub streams: u32,
}

/// Feeds formatted text straight into a hash, so that a large scenario's
/// rendering is never held in memory.
struct HashWriter<'a>(&'a mut Sha256);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 (hex) of `value`'s `Debug` rendering: canonical for the model's
/// types (vectors in file order, no hash maps), within one build of hvsim.
fn hash_debug(value: &dyn std::fmt::Debug) -> String {
    let mut hasher = Sha256::new();
    // Writing into a hash cannot fail.
    let _ = write!(HashWriter(&mut hasher), "{value:?}");
    hex(&hasher.finalize())
}

impl Fingerprint {
    /// The fingerprint of `runs` replications of `strategies` on `scenario`
    /// (resolved, with its fault campaign if any) under master seed `seed`.
    ///
    /// Only what makes the results is hashed: not where the scenario was
    /// loaded from, its description, nor strategies that are not compared
    /// (they are hashed with the strategies compared).
    pub fn new(scenario: &Scenario, strategies: &[&Strategy], runs: u64, seed: u64) -> Self {
        let mut s = scenario.clone();
        s.source.clear();
        s.description = None;
        s.strategies.clear();
        s.default_strategy = StrategyId(0);
        Fingerprint {
            scenario: hash_debug(&s),
            strategies: hash_debug(&strategies),
            runs,
            seed,
            streams: STREAM_VERSION,
        }
    }

    /// The whole fingerprint as one hash, hex.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(
            format!(
                "{SHARD_SCHEMA}\nscenario {}\nstrategies {}\nruns {}\nseed {}\nstreams {}\n",
                self.scenario, self.strategies, self.runs, self.seed, self.streams
            )
            .as_bytes(),
        );
        hex(&hasher.finalize())
    }
}

/// A shard file as JSON (also one point of a sweep's shard file, see
/// [`super::sweep_shard`]).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ShardFile {
    schema: String,
    scenario: String,
    pub(super) fingerprint: String,
    scenario_sha256: String,
    strategies_sha256: String,
    streams: u32,
    pub(super) seed: u64,
    pub(super) runs: u64,
    pub(super) shard: [u64; 2],
    done: u64,
    metrics: Vec<MetricFile>,
    strategies: Vec<StrategyFile>,
}

/// Just the schema tag, to name an older file's version before anything else.
#[derive(Deserialize)]
struct SchemaOnly {
    schema: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricFile {
    name: String,
    unit: String,
    /// `quantity` or `share` ([`MetricKind`]).
    kind: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StrategyFile {
    id: String,
    stats: Vec<StatFile>,
    diffs: Vec<MomentsFile>,
    /// The DR use of the shard's replications among the first
    /// [`DR_USE_RUNS`], in replication order; empty when not kept.
    dr_use: Vec<RunUseFile>,
}

/// One replication's DR use ([`RunUse`]): instants in milliseconds of
/// simulated time, and the steps as `AT USED CAPACITY FULL` groups
/// (milliseconds, bytes, bytes, 0 or 1) separated by `;`, one string
/// rather than an array of arrays that would take a line per number.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunUseFile {
    replication: u64,
    start_ms: Option<u64>,
    end_ms: u64,
    steps: String,
}

impl From<&RunUse> for RunUseFile {
    fn from(r: &RunUse) -> Self {
        let steps: Vec<String> = r
            .steps
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} {}",
                    s.at.as_millis(),
                    s.memory_used_bytes,
                    s.memory_capacity_bytes,
                    u8::from(s.full)
                )
            })
            .collect();
        RunUseFile {
            replication: r.replication,
            start_ms: r.start.map(SimTime::as_millis),
            end_ms: r.end.as_millis(),
            steps: steps.join(";"),
        }
    }
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

/// The bytes of the shard file of a comparison (usually one shard) of
/// `strategies` on `scenario`. Writing them is the caller's: the CLI writes
/// them whole or not at all, so a crash never leaves a half-written shard.
pub fn encode(
    scenario: &Scenario,
    strategies: &[&Strategy],
    c: &Comparison,
) -> Result<Vec<u8>, ShardError> {
    let doc = document(scenario, strategies, c)?;
    serde_json::to_vec_pretty(&doc).map_err(|e| ShardError::Encode(e.to_string()))
}

/// The document of a shard file (see [`encode`]).
pub(super) fn document(
    scenario: &Scenario,
    strategies: &[&Strategy],
    c: &Comparison,
) -> Result<ShardFile, ShardError> {
    let mut summaries = Vec::new();
    for s in &c.strategies {
        let mut stats = Vec::new();
        for st in &s.stats {
            let mut bytes = Vec::new();
            V2Serializer::new()
                .serialize(&st.hist, &mut bytes)
                .map_err(|e| ShardError::Encode(format!("cannot serialize a histogram: {e:?}")))?;
            stats.push(StatFile {
                hist_v2_base64: STANDARD.encode(&bytes),
                moments: (&st.moments).into(),
                missing: st.missing,
                min: st.range.map(|(lo, _)| lo.to_string()),
                max: st.range.map(|(_, hi)| hi.to_string()),
            });
        }
        summaries.push(StrategyFile {
            id: s.id.clone(),
            stats,
            diffs: s.diffs.iter().map(MomentsFile::from).collect(),
            dr_use: s.dr_use.iter().map(RunUseFile::from).collect(),
        });
    }
    let fingerprint = Fingerprint::new(scenario, strategies, c.runs, c.seed);
    let doc = ShardFile {
        schema: SHARD_SCHEMA.into(),
        scenario: scenario.name.clone(),
        fingerprint: fingerprint.digest(),
        scenario_sha256: fingerprint.scenario,
        strategies_sha256: fingerprint.strategies,
        streams: fingerprint.streams,
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
        strategies: summaries,
    };
    Ok(doc)
}

/// One shard file, read and checked.
#[derive(Clone, Debug)]
pub struct Shard {
    /// The file it was read from, as named to [`read`] or [`parse`].
    pub file: String,
    /// The scenario's name.
    pub scenario: String,
    /// What it is a shard of.
    pub fingerprint: Fingerprint,
    /// Its results.
    pub comparison: Comparison,
}

/// Reads a shard file: a regular file of at most [`MAX_SHARD_BYTES`]
/// (a device, a pipe or a directory is refused before it is opened, so
/// reading can neither block nor run on forever), checked by [`parse`].
pub fn read(path: &Path) -> Result<Shard, ShardError> {
    let bytes = read_bytes(path)?;
    parse(&path.display().to_string(), &bytes)
}

/// The bytes of a file given as a shard file: a regular file of at most
/// [`MAX_SHARD_BYTES`], refused before it is opened otherwise.
pub(super) fn read_bytes(path: &Path) -> Result<Vec<u8>, ShardError> {
    let file = path.display().to_string();
    let io = |source| ShardError::Io {
        file: file.clone(),
        source,
    };
    let invalid = |reason: String| ShardError::Invalid {
        file: file.clone(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(invalid(
            "not a regular file: give the files `hvsim compare --shard I/N --out FILE` wrote"
                .into(),
        ));
    }
    let too_large = || {
        invalid(format!(
            "too large: over {} MiB, more than any shard file holds",
            MAX_SHARD_BYTES >> 20
        ))
    };
    if meta.len() > MAX_SHARD_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_SHARD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    // It may have grown since it was measured.
    if bytes.len() as u64 > MAX_SHARD_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The length of the counts array of an HDR histogram with these bounds,
/// as `hdrhistogram` computes it, or `None` for bounds it refuses.
fn hist_counts_len(low: u64, high: u64, sigfig: u32) -> Option<u64> {
    if !(1..=u64::MAX / 2).contains(&low) || high < 2 * low || sigfig > 5 {
        return None;
    }
    let largest = 2 * 10_u64.pow(sigfig);
    // ceil(log2(largest)), floor(log2(low)), in integers.
    let sub_bucket_count_magnitude = 64 - (largest - 1).leading_zeros();
    let unit_magnitude = 63 - low.leading_zeros();
    if unit_magnitude + sub_bucket_count_magnitude > 63 {
        return None;
    }
    let sub_bucket_half_count = 1_u64 << (sub_bucket_count_magnitude - 1);
    let mut smallest_untrackable = (1_u64 << sub_bucket_count_magnitude) << unit_magnitude;
    let mut buckets = 1_u64;
    while smallest_untrackable <= high {
        if smallest_untrackable > u64::MAX / 2 {
            buckets += 1;
            break;
        }
        smallest_untrackable <<= 1;
        buckets += 1;
    }
    Some((buckets + 1) * sub_bucket_half_count)
}

/// A histogram from its V2 serialization, its header checked first: the
/// payload length must be the bytes that follow it, and the bounds must
/// make a counts array of at most [`MAX_HIST_COUNTS`].
fn decode_histogram(bytes: &[u8]) -> Result<Histogram<u64>, String> {
    const HEADER: usize = 40;
    const V2_COOKIE: u32 = 0x1c84_9313;
    const V2_COMPRESSED_COOKIE: u32 = 0x1c84_9314;
    let (Some(header), Some(payload)) = (bytes.get(..HEADER), bytes.get(HEADER..)) else {
        return Err(format!(
            "a histogram of {} bytes, shorter than its {HEADER}-byte header",
            bytes.len()
        ));
    };
    let u32_at = |i: usize| {
        let mut b = [0; 4];
        b.copy_from_slice(&header[i..i + 4]);
        u32::from_be_bytes(b)
    };
    let u64_at = |i: usize| {
        let mut b = [0; 8];
        b.copy_from_slice(&header[i..i + 8]);
        u64::from_be_bytes(b)
    };
    match u32_at(0) {
        V2_COOKIE => {}
        V2_COMPRESSED_COOKIE => {
            return Err("a compressed histogram: hvsim writes them uncompressed".into());
        }
        other => return Err(format!("a histogram with an unknown cookie {other:#010x}")),
    }
    let payload_len = u32_at(4);
    if u64::from(payload_len) != payload.len() as u64 {
        return Err(format!(
            "a histogram header claims a {payload_len}-byte payload, {} bytes follow it",
            payload.len()
        ));
    }
    let (sigfig, low, high) = (u32_at(12), u64_at(16), u64_at(24));
    match hist_counts_len(low, high, sigfig) {
        None => {
            return Err(format!(
                "a histogram with invalid bounds (lowest {low}, highest {high}, {sigfig} significant digits)"
            ));
        }
        Some(n) if n > MAX_HIST_COUNTS => {
            return Err(format!(
                "a histogram with bounds no hvsim shard uses (lowest {low}, highest {high}, {sigfig} significant digits: {n} counts)"
            ));
        }
        Some(_) => {}
    }
    Deserializer::new()
        .deserialize(&mut &bytes[..])
        .map_err(|e| format!("a bad histogram: {e}"))
}

/// Whether the moments `m` can be those of `m.n` values of at most 2⁶⁴
/// quanta each (a difference of two clamped values): bounds the sums so
/// that merging them cannot overflow.
fn plausible_moments(n: u64, sum: i128) -> bool {
    sum.unsigned_abs() <= u128::from(n) << 64
}

/// Parses and checks the bytes of a shard file; `file` names it in errors.
/// Never panics and allocates at most a small multiple of `bytes.len()`.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Shard, ShardError> {
    let invalid = |reason: String| ShardError::Invalid {
        file: file.to_string(),
        reason,
    };
    let doc = parse_doc(bytes, &invalid)?;
    from_document(file, doc, &invalid)
}

/// A shard from its document, checked as [`parse`] says.
pub(super) fn from_document(
    file: &str,
    doc: ShardFile,
    invalid: &Invalid,
) -> Result<Shard, ShardError> {
    let fingerprint = check_header(&doc, invalid)?;
    let [i, n] = doc.shard;
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
    if doc.strategies.is_empty() {
        return Err(invalid("no strategy".into()));
    }
    // The replications whose DR use the shard may keep: its own among
    // the first DR_USE_RUNS.
    let start = shard_range(doc.runs, (i, n)).0;
    let kept = (
        start,
        (start + doc.done).clamp(start, DR_USE_RUNS.max(start)),
    );
    let mut strategies: Vec<StrategySummary> = Vec::new();
    for s in &doc.strategies {
        let summary = parse_strategy(s, &metrics, (doc.done, kept), strategies.first(), invalid)?;
        strategies.push(summary);
    }
    Ok(Shard {
        file: file.to_string(),
        scenario: doc.scenario,
        fingerprint,
        comparison: Comparison {
            seed: doc.seed,
            runs: doc.runs,
            done: doc.done,
            shard: (i, n),
            metrics,
            strategies,
        },
    })
}

/// Makes a [`ShardError::Invalid`] of the file being parsed from a reason.
pub(super) type Invalid<'a> = dyn Fn(String) -> ShardError + 'a;

/// The schema tag of the bytes of a shard file (`None` when it has none).
pub(super) fn schema_of(bytes: &[u8], invalid: &Invalid) -> Result<Option<String>, ShardError> {
    Ok(serde_json::from_slice::<SchemaOnly>(bytes)
        .map_err(|e| invalid(format!("not a JSON shard: {e}")))?
        .schema)
}

/// The document, once its schema tag is the one this hvsim writes.
fn parse_doc(bytes: &[u8], invalid: &Invalid) -> Result<ShardFile, ShardError> {
    check_schema(bytes, SHARD_SCHEMA, invalid, &|schema| match schema {
        "hvsim.shard/1" => {
            ": it was written by an older hvsim, whose random streams differ; run that shard again with this one"
        }
        "hvsim.shard/2" => {
            ": it was written by an older hvsim, without the fingerprint that shows which shards belong together; run that shard again with this one"
        }
        "hvsim.shard/3" => {
            ": it was written by an older hvsim, without the DR site's use in the first runs that the merged charts draw; run that shard again with this one"
        }
        super::sweep_shard::SWEEP_SHARD_SCHEMA => {
            ": it is a shard of `hvsim sweep`; merge it with the other shards of its sweep, not with a comparison's"
        }
        _ => "",
    })?;
    let doc: ShardFile = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
    Ok(doc)
}

/// Refuses bytes whose schema tag is not `expected`, saying why another
/// tag is refused (`why` of it: what it is and what to do).
pub(super) fn check_schema(
    bytes: &[u8],
    expected: &str,
    invalid: &Invalid,
    why: &dyn Fn(&str) -> &'static str,
) -> Result<(), ShardError> {
    let schema = schema_of(bytes, invalid)?;
    if schema.as_deref() == Some(expected) {
        return Ok(());
    }
    Err(invalid(format!(
        "schema {}, expected `{expected}`{}",
        schema
            .as_deref()
            .map_or("missing".into(), |s| format!("`{s}`")),
        schema.as_deref().map_or("", why)
    )))
}

/// Checks the random streams, the fingerprint, the shard, the runs and
/// the replications done; returns the fingerprint.
fn check_header(doc: &ShardFile, invalid: &Invalid) -> Result<Fingerprint, ShardError> {
    if doc.streams != STREAM_VERSION {
        return Err(invalid(format!(
            "drawn from random streams {}, this hvsim draws from streams {STREAM_VERSION}; run that shard again with this one",
            doc.streams
        )));
    }
    let fingerprint = Fingerprint {
        scenario: doc.scenario_sha256.clone(),
        strategies: doc.strategies_sha256.clone(),
        runs: doc.runs,
        seed: doc.seed,
        streams: doc.streams,
    };
    if fingerprint.digest() != doc.fingerprint {
        return Err(invalid(
            "its fingerprint does not match its scenario, strategies, runs, seed and streams: the file was edited"
                .into(),
        ));
    }
    let [i, n] = doc.shard;
    if n == 0 || i >= n {
        return Err(invalid(format!("shard {i}/{n}: expected I/N with I < N")));
    }
    if doc.runs == 0 || doc.runs > MAX_RUNS {
        return Err(invalid(format!(
            "runs {}: expected 1 to {MAX_RUNS}",
            doc.runs
        )));
    }
    let (start, end) = shard_range(doc.runs, (i, n));
    if doc.done > end - start {
        return Err(invalid(format!(
            "{} replications done, but shard {i}/{n} of {} runs has only {}",
            doc.done,
            doc.runs,
            end - start
        )));
    }
    Ok(fingerprint)
}

/// One strategy's results, checked against the metrics, the replications
/// `done`, those whose DR use it may keep (`kept`, a range) and the
/// baseline (the first strategy, if this is not it).
fn parse_strategy(
    s: &StrategyFile,
    metrics: &[MetricDef],
    (done, kept): (u64, (u64, u64)),
    baseline: Option<&StrategySummary>,
    invalid: &Invalid,
) -> Result<StrategySummary, ShardError> {
    if s.stats.len() != metrics.len() || s.diffs.len() != metrics.len() {
        return Err(invalid(format!(
            "strategy `{}`: {} stats and {} diffs for {} metrics",
            s.id,
            s.stats.len(),
            s.diffs.len(),
            metrics.len()
        )));
    }
    let mut stats = Vec::new();
    for (st, m) in s.stats.iter().zip(metrics) {
        stats.push(parse_stat(&s.id, st, m, done, invalid)?);
    }
    let mut diffs = Vec::new();
    for (k, (d, m)) in s.diffs.iter().zip(metrics).enumerate() {
        let what = || format!("strategy `{}`, difference in metric `{}`", s.id, m.name);
        let diff = parse_moments(d, done, &what, invalid)?;
        // Paired over the replications where both reached the metric.
        let both = match baseline {
            None => 0,
            Some(base) => base.stats[k].moments.n.min(stats[k].moments.n),
        };
        if diff.n > both {
            return Err(invalid(format!(
                "{}: n = {}, more than the {both} replications where both it and the first strategy reached it",
                what(),
                diff.n
            )));
        }
        diffs.push(diff);
    }
    let dr_use = s
        .dr_use
        .iter()
        .map(|r| parse_run_use(&s.id, r, invalid))
        .collect::<Result<Vec<_>, _>>()?;
    let want = kept.0..kept.1;
    if !dr_use.is_empty() && !dr_use.iter().map(|r| r.replication).eq(want.clone()) {
        return Err(invalid(format!(
            "strategy `{}`: the DR use of replications {}, expected none or those of {}..{} (the shard's among the first {DR_USE_RUNS})",
            s.id,
            dr_use
                .iter()
                .map(|r| r.replication.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            want.start,
            want.end
        )));
    }
    if let Some(base) = baseline
        && base.dr_use.len() != dr_use.len()
    {
        return Err(invalid(format!(
            "strategy `{}`: the DR use of {} replications, the first strategy's of {}",
            s.id,
            dr_use.len(),
            base.dr_use.len()
        )));
    }
    Ok(StrategySummary {
        id: s.id.clone(),
        stats,
        diffs,
        dr_use,
    })
}

/// One replication's DR use of strategy `id`, from its file form: steps
/// in ascending time, at least one, none after the last change.
fn parse_run_use(id: &str, r: &RunUseFile, invalid: &Invalid) -> Result<RunUse, ShardError> {
    let what = || format!("strategy `{id}`, DR use of replication {}", r.replication);
    let mut steps: Vec<UseStep> = Vec::new();
    for group in r.steps.split(';') {
        let numbers: Vec<u64> = group
            .split(' ')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| invalid(format!("{}: bad step `{group}`", what())))?;
        let &[at, used, capacity, full] = numbers.as_slice() else {
            return Err(invalid(format!(
                "{}: step `{group}`: expected AT USED CAPACITY FULL",
                what()
            )));
        };
        if full > 1 {
            return Err(invalid(format!(
                "{}: step `{group}`: FULL must be 0 or 1",
                what()
            )));
        }
        let at = SimTime::from_millis(at);
        if steps.last().is_some_and(|l| l.at >= at) {
            return Err(invalid(format!(
                "{}: steps out of time order at `{group}`",
                what()
            )));
        }
        steps.push(UseStep {
            at,
            memory_used_bytes: used,
            memory_capacity_bytes: capacity,
            full: full == 1,
        });
    }
    let end = SimTime::from_millis(r.end_ms);
    if steps.last().is_some_and(|l| l.at > end) {
        return Err(invalid(format!(
            "{}: a step after its last change ({} ms)",
            what(),
            r.end_ms
        )));
    }
    Ok(RunUse {
        replication: r.replication,
        steps,
        start: r.start_ms.map(SimTime::from_millis),
        end,
    })
}

/// One metric's distribution of strategy `id`, checked against the
/// replications `done`.
fn parse_stat(
    id: &str,
    st: &StatFile,
    m: &MetricDef,
    done: u64,
    invalid: &Invalid,
) -> Result<MetricStat, ShardError> {
    let what = || format!("strategy `{id}`, metric `{}`", m.name);
    let bytes = STANDARD
        .decode(&st.hist_v2_base64)
        .map_err(|e| invalid(format!("{}: bad histogram encoding: {e}", what())))?;
    let hist = decode_histogram(&bytes).map_err(|e| invalid(format!("{}: {e}", what())))?;
    let mut stat = MetricStat::new();
    stat.hist
        .add(&hist)
        .map_err(|e| invalid(format!("{}: histogram out of range: {e:?}", what())))?;
    stat.moments = parse_moments(&st.moments, done, &what, invalid)?;
    stat.missing = st.missing;
    stat.range = match (&st.min, &st.max) {
        (None, None) => None,
        (Some(lo), Some(hi)) => {
            let parse = |v: &String| {
                v.parse::<i64>()
                    .map_err(|_| invalid(format!("{}: bad min or max `{v}`", what())))
            };
            let (lo, hi) = (parse(lo)?, parse(hi)?);
            if lo > hi {
                return Err(invalid(format!("{}: min {lo} is above max {hi}", what())));
            }
            Some((lo, hi))
        }
        _ => {
            return Err(invalid(format!(
                "{}: min and max must both be null or both set",
                what()
            )));
        }
    };
    if stat.range.is_some() != (stat.moments.n > 0) {
        return Err(invalid(format!(
            "{}: exact min and max must be given exactly when values were recorded",
            what()
        )));
    }
    if stat.hist.len() != stat.moments.n {
        return Err(invalid(format!(
            "{}: its histogram counts {} values, its moments n = {}",
            what(),
            stat.hist.len(),
            stat.moments.n
        )));
    }
    if stat.moments.n.checked_add(stat.missing) != Some(done) {
        return Err(invalid(format!(
            "{}: n = {} reached plus {} missing is not the {} replications done",
            what(),
            stat.moments.n,
            stat.missing,
            done
        )));
    }
    Ok(stat)
}

/// Moments read from their file form, checked against the replications done.
fn parse_moments(
    m: &MomentsFile,
    done: u64,
    what: &dyn Fn() -> String,
    invalid: &Invalid,
) -> Result<Moments, ShardError> {
    let sum: i128 = m
        .sum
        .parse()
        .map_err(|_| invalid(format!("{}: bad sum `{}`", what(), m.sum)))?;
    let sum_sq = m
        .sum_sq
        .parse()
        .map_err(|_| invalid(format!("{}: bad sum_sq `{}`", what(), m.sum_sq)))?;
    if m.n > done {
        return Err(invalid(format!(
            "{}: n = {}, more than the {} replications done",
            what(),
            m.n,
            done
        )));
    }
    if !plausible_moments(m.n, sum) {
        return Err(invalid(format!(
            "{}: sum {sum} is impossible for {} values",
            what(),
            m.n
        )));
    }
    Ok(Moments::from_parts(m.n, sum, sum_sq))
}

/// What differs between the fingerprints of two shards, in words.
pub(super) fn differences(a: &Shard, b: &Shard) -> Vec<String> {
    let (fa, fb) = (&a.fingerprint, &b.fingerprint);
    let mut out = Vec::new();
    if a.scenario != b.scenario {
        out.push(format!(
            "their scenarios differ (`{}` and `{}`)",
            a.scenario, b.scenario
        ));
    } else if fa.scenario != fb.scenario {
        out.push(format!(
            "their scenarios differ (same name `{}`, different content or fault campaign)",
            a.scenario
        ));
    }
    let ids = |s: &Shard| {
        s.comparison
            .strategies
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if ids(a) != ids(b) {
        out.push(format!(
            "their strategies differ ({} and {})",
            ids(a),
            ids(b)
        ));
    } else if fa.strategies != fb.strategies {
        out.push(format!(
            "their strategies differ (same ids {}, different definitions)",
            ids(a)
        ));
    }
    // Follows from the scenario, unless a file was edited.
    if a.comparison.metrics != b.comparison.metrics {
        out.push("their metrics differ".into());
    }
    if fa.runs != fb.runs {
        out.push(format!("their --runs differ ({} and {})", fa.runs, fb.runs));
    }
    if fa.seed != fb.seed {
        out.push(format!("their --seed differ ({} and {})", fa.seed, fb.seed));
    }
    if fa.streams != fb.streams {
        out.push(format!(
            "their random streams differ ({} and {})",
            fa.streams, fb.streams
        ));
    }
    out
}

/// Refuses a file given twice, under the same name or another.
pub(super) fn check_distinct(paths: &[PathBuf]) -> Result<(), ShardError> {
    let real: Vec<PathBuf> = paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    for (k, r) in real.iter().enumerate() {
        if let Some(j) = real[..k].iter().position(|x| x == r) {
            let (a, b) = (paths[j].display(), paths[k].display());
            return Err(ShardError::Mismatch(if paths[j] == paths[k] {
                format!("{a} is given twice; give each shard once")
            } else {
                format!("{a} and {b} are the same file; give each shard once")
            }));
        }
    }
    Ok(())
}

/// `file (shard i/n)`.
fn shard_name(s: &Shard) -> String {
    format!(
        "{} (shard {}/{})",
        s.file, s.comparison.shard.0, s.comparison.shard.1
    )
}

/// Refuses shard `s` (its file and `(i, n)`) unless it splits the `what`
/// (run or sweep) into as many shards as `first` does and is none of
/// those `seen` (shard index → file).
pub(super) fn check_split(
    what: &str,
    (first_file, first): (&str, (u64, u64)),
    (file, shard): (&str, (u64, u64)),
    seen: &std::collections::BTreeMap<u64, String>,
) -> Result<(), ShardError> {
    if shard.1 != first.1 {
        return Err(ShardError::Mismatch(format!(
            "shards {first_file} (shard {}/{}) and {file} (shard {}/{}) split the {what} into different numbers of shards; merge only the shards of one split",
            first.0, first.1, shard.0, shard.1
        )));
    }
    if let Some(other) = seen.get(&shard.0) {
        return Err(ShardError::Mismatch(format!(
            "{other} and {file} are both shard {}/{}; give each shard once",
            shard.0, shard.1
        )));
    }
    Ok(())
}

/// Refuses `s` unless it is another complete shard of the run of `first`,
/// of the same split, and not one of those `seen` (shard index → file).
fn check_with(
    first: &Shard,
    s: &Shard,
    seen: &std::collections::BTreeMap<u64, String>,
) -> Result<(), ShardError> {
    let diff = differences(first, s);
    if !diff.is_empty() {
        return Err(ShardError::Mismatch(format!(
            "shards {} and {} are of different runs: {}; merge only the shards of one run",
            first.file,
            s.file,
            diff.join("; ")
        )));
    }
    let c = &s.comparison;
    check_split(
        "run",
        (&first.file, first.comparison.shard),
        (&s.file, c.shard),
        seen,
    )?;
    let (start, end) = shard_range(c.runs, c.shard);
    if c.done != end - start {
        return Err(ShardError::Mismatch(format!(
            "{} is incomplete: {} of {} replications (it was interrupted); run it again",
            shard_name(s),
            c.done,
            end - start
        )));
    }
    Ok(())
}

/// Reads the shard files and merges them into the unsharded result: the
/// scenario's name and the comparison. Refuses files that are not shards of
/// one run (see [`Fingerprint`]), a file or a shard given twice, shards of
/// different splits, an incomplete shard and a missing one, naming the
/// files. Shards are merged as they are read, so memory does not grow with
/// their number.
pub fn merge(paths: &[PathBuf]) -> Result<(String, Comparison), ShardError> {
    check_distinct(paths)?;
    let Some((first_path, rest)) = paths.split_first() else {
        return Err(ShardError::Mismatch("no shard to merge".into()));
    };
    let first = read(first_path)?;
    let mut seen = std::collections::BTreeMap::new();
    check_with(&first, &first, &seen)?;
    seen.insert(first.comparison.shard.0, first.file.clone());
    let mut total = first.comparison.clone();
    for p in rest {
        let s = read(p)?;
        check_with(&first, &s, &seen)?;
        seen.insert(s.comparison.shard.0, s.file.clone());
        super::merge::merge_into(&mut total.strategies, &s.comparison.strategies)
            .map_err(|e| ShardError::Mismatch(format!("{}: {e}", s.file)))?;
        total.done += s.comparison.done;
    }
    check_complete(first.comparison.shard.1, &seen)?;
    total.shard = (0, 1);
    Ok((first.scenario, total))
}

/// Refuses a split of `n` shards of which only those `seen` (shard index
/// → file) were given, naming the first ten missing.
pub(super) fn check_complete(
    n: u64,
    seen: &std::collections::BTreeMap<u64, String>,
) -> Result<(), ShardError> {
    let missing: Vec<String> = (0..n)
        .filter(|i| !seen.contains_key(i))
        .take(10)
        .map(|i| format!("{i}/{n}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let more = n - seen.len() as u64 - missing.len() as u64;
    Err(ShardError::Mismatch(format!(
        "missing shard(s): {}{}",
        missing.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )))
}
