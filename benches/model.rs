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
//!   100,000 apps (10 VMs per app; hosts, DR hosts and teams in proportion),
//!   in FIFO and dependency-aware order, and with a runbook whose first
//!   wave holds a tenth of the apps.

/// The allocator of the `hvsim` binary, so that the bench measures what
/// the CLI does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hvsim::model::Method;
use hvsim::montecarlo::{MetricStat, compare, replication_seed};
use hvsim::scenario::{Format, load_str};
use hvsim::sim::{
    Purpose, PurposeStreams, RngStreams, RunError, Scheduler, SimDuration, SimTime, StreamRng,
};
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

/// lognormal(mean = 4 h, sd = 2 h) in milliseconds.
fn work_dist() -> LogNormal<f64> {
    let (mean, sd) = (4.0 * MS_PER_HOUR, 2.0 * MS_PER_HOUR);
    let sigma2 = (1.0 + (sd * sd) / (mean * mean)).ln();
    LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt()).expect("valid")
}

/// App `a`'s work, from hvsim's stream for its first reinstall attempt.
fn app_work(streams: &PurposeStreams, work: &LogNormal<f64>, a: usize) -> u64 {
    let index = ((a as u64) << 24) | (Method::Reinstall.ordinal() << 20);
    work.sample(&mut streams.stream(index)).round() as u64
}

/// The six metrics hvsim computes (first / 50 % / 90 % / 100 % back, mean
/// downtime, weighted impact), recorded the same way (moments + HDR
/// histogram), from the apps' completion times.
fn record(done: &mut [u64; APPS], stats: &mut [MetricStat]) {
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
        s.record(Some(v)).expect("a finite, non-negative metric");
    }
}

/// The plain-restore model written by hand: draw 120 works, give each app
/// in file order to the engineer who is free first, then record the
/// metrics.
fn hand_written(master: u64, draws: Draws, stats: &mut [MetricStat]) {
    let work = work_dist();
    let mut done = [0u64; APPS];
    for i in 0..RUNS {
        let seed = replication_seed(master, i);
        let mut rng = StreamRng::seed_from_u64(seed);
        let streams = RngStreams::new(seed).purpose(Purpose::Work);
        let mut free = [0u64; SERVERS];
        for (a, d) in done.iter_mut().enumerate() {
            let w = match draws {
                Draws::OneStream => work.sample(&mut rng).round() as u64,
                Draws::PerAppStreams => app_work(&streams, &work, a),
            };
            let (k, t) = free
                .iter()
                .copied()
                .enumerate()
                .min_by_key(|&(k, t)| (t, k))
                .expect("servers");
            free[k] = t + w;
            *d = t + w;
        }
        record(&mut done, stats);
    }
}

/// The same queue as the smallest event-driven simulation can run it:
/// hvsim's event queue and run loop, one completion event per app (an
/// engineer who finishes takes the next app), hvsim's per-app streams.
/// What any event-driven engine that keeps hvsim's results must at least
/// do, so its ratio to `hand_written` bounds the Model target from above.
fn event_driven(master: u64, stats: &mut [MetricStat]) {
    let work = work_dist();
    let mut done = [0u64; APPS];
    let mut sched: Scheduler<(u32, u32)> = Scheduler::with_capacity(SERVERS);
    for i in 0..RUNS {
        let seed = replication_seed(master, i);
        let streams = RngStreams::new(seed).purpose(Purpose::Work);
        sched.reset();
        let mut next = 0usize;
        for k in 0..SERVERS.min(APPS) {
            let w = app_work(&streams, &work, next);
            sched
                .schedule_at(SimTime::from_millis(w), 0, (k as u32, next as u32))
                .expect("in the future");
            next += 1;
        }
        let stop = sched.run::<_, RunError>(SimTime::MAX, u64::MAX, |s, now, (k, a)| {
            done[a as usize] = now.as_millis();
            if next < APPS {
                let w = app_work(&streams, &work, next);
                s.schedule_in(SimDuration::from_millis(w), 0, (k, next as u32))?;
                next += 1;
            }
            Ok(true)
        });
        black_box(stop.expect("runs"));
        record(&mut done, stats);
    }
}

/// `event_driven` on a bare `BinaryHeap` of (time, sequence, engineer,
/// app): the floor without hvsim's queue (cancellation, classes, horizon).
fn event_driven_bare(master: u64, stats: &mut [MetricStat]) {
    let work = work_dist();
    let mut done = [0u64; APPS];
    let mut heap: BinaryHeap<Reverse<(u64, u64, u32, u32)>> = BinaryHeap::with_capacity(SERVERS);
    for i in 0..RUNS {
        let seed = replication_seed(master, i);
        let streams = RngStreams::new(seed).purpose(Purpose::Work);
        heap.clear();
        let mut next = 0usize;
        let mut seq = 0u64;
        for k in 0..SERVERS.min(APPS) {
            heap.push(Reverse((
                app_work(&streams, &work, next),
                seq,
                k as u32,
                next as u32,
            )));
            seq += 1;
            next += 1;
        }
        while let Some(Reverse((now, _, k, a))) = heap.pop() {
            done[a as usize] = now;
            if next < APPS {
                heap.push(Reverse((
                    now + app_work(&streams, &work, next),
                    seq,
                    k,
                    next as u32,
                )));
                seq += 1;
                next += 1;
            }
        }
        record(&mut done, stats);
    }
}

fn plain_restore(c: &mut Criterion) {
    let scenario =
        load_str(PLAIN_RESTORE, "plain-restore.yaml", Format::Yaml).expect("the fixture is valid");
    let strategy = scenario.default_strategy();
    // The loops model hvsim's queue exactly: with hvsim's streams they give
    // hvsim's metrics, bit for bit.
    let hvsim_stats = compare(&scenario, &[strategy], RUNS, 1, 1, &|_| true)
        .expect("runs")
        .strategies
        .swap_remove(0)
        .stats;
    let fresh = || -> Vec<MetricStat> { (0..6).map(|_| MetricStat::new()).collect() };
    let (mut by_hand, mut by_events, mut by_heap) = (fresh(), fresh(), fresh());
    hand_written(1, Draws::PerAppStreams, &mut by_hand);
    event_driven(1, &mut by_events);
    event_driven_bare(1, &mut by_heap);
    for (((h, l), e), b) in hvsim_stats
        .iter()
        .zip(&by_hand)
        .zip(&by_events)
        .zip(&by_heap)
    {
        assert_eq!(
            h.moments, l.moments,
            "the hand-written loop models hvsim's queue"
        );
        assert_eq!(
            h.moments, e.moments,
            "the event-driven loop models hvsim's queue"
        );
        assert_eq!(
            h.moments, b.moments,
            "the bare event loop models hvsim's queue"
        );
    }
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
    for (name, run) in [
        (
            "event-driven-floor",
            event_driven as fn(u64, &mut [MetricStat]),
        ),
        ("event-driven-floor-bare-heap", event_driven_bare),
    ] {
        let mut seed = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                seed += 1;
                let mut stats = fresh();
                run(seed, &mut stats);
                black_box(stats)
            })
        });
    }
    for (name, draws) in [
        ("hand-written", Draws::OneStream),
        ("hand-written-per-app-streams", Draws::PerAppStreams),
    ] {
        let mut seed = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                seed += 1;
                let mut stats = fresh();
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

/// A runbook strategy for a generated estate: its first tenth of apps in a
/// first wave, the others after it.
fn with_waves(text: &str, apps: u32) -> String {
    let width = apps.to_string().len();
    let first: Vec<String> = (1..=apps / 10)
        .map(|i| format!("app-{i:0width$}"))
        .collect();
    let anchor = "default_strategy: restore-fifo";
    assert!(text.contains(anchor), "gen names its default strategy");
    text.replace(
        anchor,
        &format!(
            "  - id: restore-waves\n    detection: exp(30m)\n    diagnosis: \"pert(1h, 2h, 6h)\"\n    \
             methods: [restart, reinstall]\n    order: fifo\n    waves:\n      \
             - {{ name: first, apps: [{}] }}\n{anchor}",
            first.join(", ")
        ),
    )
}

fn scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale");
    group.sample_size(10);
    for apps in [1_000u32, 10_000, 100_000] {
        let text = hvsim::r#gen::generate(&estate(apps)).expect("valid parameters");
        let text = with_waves(&text, apps);
        let scenario = load_str(&text, "gen", Format::Yaml).expect("a generated estate is valid");
        group.throughput(Throughput::Elements(u64::from(apps)));
        for strategy in ["restore-fifo", "restore-dependency-aware", "restore-waves"] {
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
