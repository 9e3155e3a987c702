//! Kernel and model benchmarks. Run with `cargo bench`; figures and the
//! command that produced them go in BENCHMARKS.md.

/// The allocator of the `hvsim` binary, so that the bench measures what
/// the CLI does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use hvsim::sim::{Scheduler, SimDuration, SimTime};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Exp(1) in milliseconds-scaled integer time, mean 1,000 ms.
fn exp_ms(rng: &mut ChaCha8Rng) -> u64 {
    let u: f64 = rng.random();
    (-(1.0 - u).ln() * 1_000.0) as u64
}

const HOLD_STEPS: u64 = 100_000;

/// The classic hold model: P pending events; pop the earliest, schedule one
/// at now + Exp(1). Measured through hvsim's queue and run loop, and a bare
/// `BinaryHeap` on (time, sequence) keys as the reference.
fn hold(c: &mut Criterion) {
    for p in [1_000u64, 100_000] {
        let mut group = c.benchmark_group(format!("hold/P={p}"));
        group.throughput(Throughput::Elements(HOLD_STEPS));
        group.bench_function("hvsim-scheduler", |b| {
            b.iter_batched(
                || {
                    let mut rng = ChaCha8Rng::seed_from_u64(1);
                    let mut s: Scheduler<u32> = Scheduler::with_capacity(p as usize);
                    for i in 0..p {
                        let t = SimTime::from_millis(exp_ms(&mut rng));
                        s.schedule_at(t, 1, i as u32).expect("future");
                    }
                    (s, rng)
                },
                |(mut s, mut rng)| {
                    let limit = HOLD_STEPS;
                    let r = s.run::<_, hvsim::sim::RunError>(SimTime::MAX, limit, |s, _, e| {
                        s.schedule_in(SimDuration::from_millis(exp_ms(&mut rng)), 1, e)?;
                        Ok(s.processed() < limit)
                    });
                    black_box(r.ok());
                },
                BatchSize::LargeInput,
            )
        });
        group.bench_function("bare-binaryheap", |b| {
            b.iter_batched(
                || {
                    let mut rng = ChaCha8Rng::seed_from_u64(1);
                    let mut h = BinaryHeap::with_capacity(p as usize);
                    for i in 0..p {
                        h.push(Reverse((exp_ms(&mut rng), i, i as u32)));
                    }
                    (h, rng, p)
                },
                |(mut h, mut rng, mut seq)| {
                    for _ in 0..HOLD_STEPS {
                        let Some(Reverse((t, _, e))) = h.pop() else {
                            break;
                        };
                        h.push(Reverse((t + exp_ms(&mut rng), seq, e)));
                        seq += 1;
                    }
                    black_box(h.len());
                },
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

/// Replications of the December 2018 scenario, one core.
fn scenario_2018(c: &mut Criterion) {
    let scenario = hvsim::scenario::load_default().expect("the embedded scenario is valid");
    let strategy = scenario.default_strategy();
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(1));
    let mut seed = 0;
    group.bench_function("nouvelle-caledonie-2018", |b| {
        b.iter(|| {
            seed += 1;
            black_box(hvsim::simulate(&scenario, strategy, seed).expect("runs"))
        })
    });
    group.finish();
}

criterion_group!(benches, hold, scenario_2018);
criterion_main!(benches);
