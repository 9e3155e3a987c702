//! Model benchmarks (issue 7). Run with `cargo bench --bench model`;
//! figures and the command that produced them go in BENCHMARKS.md.
//!
//! - `plain-restore`: replications/s of 120 independent apps reinstalled by
//!   4 always-on engineers (lognormal work, FIFO, no delays) through hvsim's
//!   whole Monte Carlo path (`montecarlo::compare`: simulate, metrics,
//!   histograms), against a minimal hand-written loop of the same queue that
//!   feeds the same aggregates. Both in one group, so that their ratio comes
//!   from one run on a shared machine.
//! - `scale`: one replication of `hvsim gen` estates of 1,000, 10,000 and
//!   100,000 apps (10 VMs per app; hosts, DR hosts and teams in proportion).

/// The allocator of the `hvsim` binary, so that the bench measures what
/// the CLI does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hvsim::model::Method;
use hvsim::montecarlo::{MetricStat, compare, replication_seed};
use hvsim::scenario::{Format, load_str};
use hvsim::sim::{Purpose, RngStreams, StreamRng};
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal};

const PLAIN_RESTORE: &str = include_str!("fixtures/plain-restore.yaml");
/// Replications per benchmark iteration: enough to amortise `compare`'s
/// thread pool, as a real Monte Carlo run does.
const RUNS: u64 = 1_024;

const APPS: usize = 120;
const SERVERS: usize = 4;
const MS_PER_HOUR: f64 = 3_600_000.0;

/// Where the hand-written loop draws its work durations.
#[derive(Clone, Copy)]
enum Draws {
    /// One generator per replication (hvsim's xoshiro256++): the minimal
    /// loop.
    OneStream,
    /// hvsim's common-random-number streams: one stream per app (and
    /// attempt), derived from the replication seed, so the loop draws
    /// exactly hvsim's durations. This is the floor of any implementation
    /// that keeps hvsim's results bit for bit.
    PerAppStreams,
}

/// The plain-restore model written by hand: draw 120 works, give each app
/// in file order to the engineer who is free first, then compute the same
/// six metrics as hvsim (first / 50 % / 90 % / 100 % back, mean downtime,
/// weighted impact) and record them the same way (moments + HDR histogram).
fn hand_written(master: u64, draws: Draws, stats: &mut [MetricStat]) {
    // lognormal(mean = 4 h, sd = 2 h) in milliseconds.
    let (mean, sd) = (4.0 * MS_PER_HOUR, 2.0 * MS_PER_HOUR);
    let sigma2 = (1.0 + (sd * sd) / (mean * mean)).ln();
    let work = LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt()).expect("valid");
    let mut done = [0u64; APPS];
    for i in 0..RUNS {
        let seed = replication_seed(master, i);
        let mut rng = StreamRng::seed_from_u64(seed);
        let streams = RngStreams::new(seed).purpose(Purpose::Work);
        let mut free = [0u64; SERVERS];
        for (a, d) in done.iter_mut().enumerate() {
            let w = match draws {
                Draws::OneStream => work.sample(&mut rng),
                Draws::PerAppStreams => {
                    // hvsim's index of app a's first reinstall attempt.
                    let index = ((a as u64) << 24) | (Method::Reinstall.ordinal() << 20);
                    work.sample(&mut streams.stream(index))
                }
            };
            let w = w.round() as u64;
            let (k, t) = free
                .iter()
                .copied()
                .enumerate()
                .min_by_key(|&(k, t)| (t, k))
                .expect("servers");
            free[k] = t + w;
            *d = t + w;
        }
        done.sort_unstable();
        let at = |pct: usize| done[(APPS * pct).div_ceil(100) - 1];
        let total: u64 = done.iter().sum();
        let values = [
            done[0] as f64 / MS_PER_HOUR,
            at(50) as f64 / MS_PER_HOUR,
            at(90) as f64 / MS_PER_HOUR,
            at(100) as f64 / MS_PER_HOUR,
            total as f64 / APPS as f64 / MS_PER_HOUR,
            total as f64 / MS_PER_HOUR,
        ];
        for (s, v) in stats.iter_mut().zip(values) {
            s.moments.push(v);
            s.hist
                .saturating_record((v * 3_600.0).round().max(1.0) as u64);
        }
    }
}

fn plain_restore(c: &mut Criterion) {
    let scenario =
        load_str(PLAIN_RESTORE, "plain-restore.yaml", Format::Yaml).expect("the fixture is valid");
    let strategy = scenario.default_strategy();
    let mut group = c.benchmark_group("plain-restore");
    group.throughput(Throughput::Elements(RUNS));
    let mut seed = 0;
    group.bench_function("hvsim-compare", |b| {
        b.iter(|| {
            seed += 1;
            let r = compare(&scenario, &[strategy], RUNS, seed, 1, &|_| true).expect("runs");
            black_box(r)
        })
    });
    for (name, draws) in [
        ("hand-written", Draws::OneStream),
        ("hand-written-per-app-streams", Draws::PerAppStreams),
    ] {
        let mut seed = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                seed += 1;
                let mut stats: Vec<MetricStat> = (0..6).map(|_| MetricStat::new()).collect();
                hand_written(seed, draws, &mut stats);
                black_box(stats)
            })
        });
    }
    group.finish();
}

/// `hvsim gen` parameters for an estate of `apps` apps, in the proportions
/// of issue 7's 10,000-app target (10 VMs per app, 1 host per 5 apps, a
/// tenth of the hosts at the DR site, a team of 5 per 1,000 apps).
fn estate(apps: u32) -> hvsim::r#gen::GenParams {
    hvsim::r#gen::GenParams {
        apps,
        hosts: apps / 5,
        dr_hosts: apps / 50,
        teams: (apps / 1_000).max(1),
        ..hvsim::r#gen::GenParams::default()
    }
}

fn scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale");
    group.sample_size(10);
    for apps in [1_000u32, 10_000, 100_000] {
        let text = hvsim::r#gen::generate(&estate(apps)).expect("valid parameters");
        let scenario = load_str(&text, "gen", Format::Yaml).expect("a generated estate is valid");
        group.throughput(Throughput::Elements(u64::from(apps)));
        for strategy in ["restore-fifo", "restore-dependency-aware"] {
            let st = scenario.strategy(strategy).expect("generated strategy");
            let mut seed = 0;
            group.bench_with_input(BenchmarkId::new(strategy, apps), &apps, |b, _| {
                b.iter(|| {
                    seed += 1;
                    black_box(hvsim::simulate(&scenario, st, seed).expect("runs"))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, plain_restore, scale);
criterion_main!(benches);
