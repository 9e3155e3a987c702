//! Generated scenarios (issue 13, "Trust"): every scenario the generator of
//! `properties` makes (sites, builds, a DR site of limited size, hosts,
//! apps with acyclic dependencies, bugs with every trigger, outages, chaos,
//! teams with shifts, holidays and absences, strategies of every method and
//! order) is loaded through the real loader (which must accept it), run
//! under each of its strategies, and checked for every invariant below,
//! one helper each.
//!
//! In CI: `generated_scenarios_keep_every_invariant` (1,000 scenarios,
//! every invariant of a run) and
//! `generated_comparisons_agree_across_jobs_and_shards` (1,000 scenarios:
//! each is five comparisons of 129 replications per strategy, about 5 min
//! of one core in a debug build). The `--ignored` soaks run the same
//! checks on 100,000 and 5,000 scenarios, in release:
//! `nice -n 19 cargo test --release --test it generated -- --ignored`.
//! `PROPTEST_CASES` overrides a count, `PROPTEST_RNG_SEED` the seed.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use hvsim::metrics::{Outcome, TaskEnd};
use hvsim::model::{Scenario, Strategy};
use hvsim::montecarlo::{Comparison, compare, compare_shard, merge};
use hvsim::report::{Clock, compare_json, render_compare, run_json};
use hvsim::scenario::{Format, load_str};
use hvsim::sim::{SimDuration, SimTime};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::properties::{Spec, spec, yaml};

/// Replications per strategy in the Monte Carlo check: three blocks of
/// `montecarlo::BLOCK` (64, 64 and 1), so that two threads share the work
/// and each of three shards gets a block of its own.
const MC_RUNS: u64 = 2 * hvsim::montecarlo::BLOCK + 1;

/// Generated scenarios compared in CI, and in the soak.
const MC_CASES: u32 = 1_000;
const MC_SOAK_CASES: u32 = 5_000;

type Check = Result<(), TestCaseError>;

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

/// Loads a generated scenario: the loader must accept it (a rejected file
/// is a bug of the generator, not a case to skip).
fn load(s: &Spec) -> Result<Scenario, TestCaseError> {
    let text = yaml(s);
    load_str(&text, "generated.yaml", Format::Yaml).map_err(|e| {
        fail(format!(
            "the generator made an invalid scenario: {e}\n{text}"
        ))
    })
}

/// Invariant "no panic": runs `f`, turning a panic into a failure that
/// says what panicked.
fn no_panic<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        fail(format!("no panic: {what} panicked: {msg}"))
    })
}

// ---------------------------------------------------------------------------
// The trace: every engine event's simulated instant
// ---------------------------------------------------------------------------

/// Records the `t` field (ms since the start) of every event the engine
/// emits on its trace target, in emission order (`None`: the event has no
/// instant).
#[derive(Clone, Default)]
struct EventTimes(Arc<Mutex<Vec<Option<u64>>>>);

struct TimeField(Option<u64>);

impl tracing::field::Visit for TimeField {
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        if field.name() == "t" {
            self.0 = Some(value);
        }
    }
    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

impl tracing::Subscriber for EventTimes {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == hvsim::TRACE_TARGET
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut t = TimeField(None);
        event.record(&mut t);
        if let Ok(mut times) = self.0.lock() {
            times.push(t.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// One run with its trace recorded.
fn traced_run(
    scenario: &Scenario,
    strategy: &Strategy,
    seed: u64,
) -> Result<(Outcome, Vec<Option<u64>>), TestCaseError> {
    let times = EventTimes::default();
    let o = no_panic(
        &format!("simulate (traced), strategy {}, seed {seed}", strategy.id),
        || {
            tracing::subscriber::with_default(times.clone(), || {
                hvsim::simulate(scenario, strategy, seed)
            })
        },
    )?
    .map_err(|e| fail(format!("strategy {}, seed {seed}: {e}", strategy.id)))?;
    let recorded = times.0.lock().map(|t| t.clone()).unwrap_or_default();
    Ok((o, recorded))
}

// ---------------------------------------------------------------------------
// The invariants, one function each
// ---------------------------------------------------------------------------

/// Every app up at the end of the run has all its dependencies up too.
fn apps_up_at_the_end_have_their_dependencies_up(scenario: &Scenario, o: &Outcome) -> Check {
    let clock = Clock::new(scenario);
    let end = o.end.max(o.horizon);
    for (i, app) in scenario.apps.iter().enumerate() {
        if !o.apps[i].is_up_at(end) {
            continue;
        }
        for dep in &app.depends_on {
            if !o.apps[dep.index()].is_up_at(end) {
                return Err(fail(format!(
                    "apps up at the end have their dependencies up: {} is up at the end ({}) but its dependency {} is down",
                    app.id,
                    clock.date(end),
                    scenario.apps[dep.index()].id
                )));
            }
        }
    }
    Ok(())
}

/// How many of a team's members the scenario puts on duty at `t`, computed
/// from the generator's shift texts with the local clock, independently of
/// the library's rosters (random absences can only lower it).
fn scheduled_members(s: &Spec, team: &str, clock: &Clock, horizon: SimTime, t: SimTime) -> u32 {
    use jiff::civil::Weekday;
    if t >= horizon {
        return 0;
    }
    let Some(local) = clock.zoned(t) else {
        return 0;
    };
    let minute = u32::from(local.hour() as u8) * 60 + u32::from(local.minute() as u8);
    let weekday = !matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday);
    if team == "infra" {
        return u32::from(weekday && (9 * 60..17 * 60).contains(&minute));
    }
    // Team `t`: nobody on the holiday, a whole local day.
    if local.date() == jiff::civil::date(2024, 4, 1) {
        return 0;
    }
    let size = u32::from(s.members);
    match s.shift {
        "24/7" => size,
        "Mon-Fri 08:00-18:00" => {
            if weekday && (8 * 60..18 * 60).contains(&minute) {
                size
            } else {
                0
            }
        }
        "daily 22:00-06:00" => {
            if !(6 * 60..22 * 60).contains(&minute) {
                size
            } else {
                0
            }
        }
        // Two back-to-back shifts of one member each.
        _ => u32::from((6 * 60..22 * 60).contains(&minute)).min(size),
    }
}

/// No member works two tasks at once, and nobody works outside a shift:
/// a task starts when its member is on duty (by the scenario's shift texts
/// and by the run's roster), a finished one ends right after on-duty time,
/// and its on-duty time between start and end is exactly its work.
fn members_work_one_task_at_a_time_and_only_on_shift(
    s: &Spec,
    scenario: &Scenario,
    o: &Outcome,
) -> Check {
    let clock = Clock::new(scenario);
    let mut by_member: std::collections::BTreeMap<(u32, u32), Vec<&hvsim::metrics::TaskRecord>> =
        Default::default();
    for task in &o.tasks {
        let team = &scenario.teams[task.team.index()];
        let who = format!(
            "{} #{} ({} of {})",
            team.id,
            task.member + 1,
            task.action_name(),
            task.subject_name(scenario, o.strategy)
        );
        by_member
            .entry((task.team.0, task.member))
            .or_default()
            .push(task);
        let calendar = o.roster(scenario, task.team).worker(task.member);
        let scheduled = |t: SimTime| scheduled_members(s, &team.id, &clock, o.horizon, t);
        // The run's roster never puts more people on duty than the shifts
        // do, and exactly as many when nobody can be absent.
        for t in [Some(task.start), task.end].into_iter().flatten() {
            let on = calendar.is_on(t);
            let by_spec = task.member < scheduled(t);
            if on && !by_spec || (on != by_spec && !team_has_absences(s, &team.id)) {
                return Err(fail(format!(
                    "members work only on shift: {who}: the roster says {} at {}, the shifts {}",
                    if on { "on duty" } else { "off duty" },
                    clock.date(t),
                    if by_spec { "on duty" } else { "off duty" },
                )));
            }
        }
        if !calendar.is_on(task.start) || task.member >= scheduled(task.start) {
            return Err(fail(format!(
                "members work only on shift: {who} started off shift at {}",
                clock.date(task.start)
            )));
        }
        match (task.outcome, task.end) {
            (TaskEnd::Done, Some(end)) => {
                if calendar.worked_between(task.start, end) != task.work {
                    return Err(fail(format!(
                        "members work only on shift: {who} from {} to {} was on duty {} for {} of work",
                        clock.date(task.start),
                        clock.date(end),
                        calendar.worked_between(task.start, end),
                        task.work
                    )));
                }
                let last_ms = SimTime::from_millis(end.as_millis().saturating_sub(1));
                if end > task.start && task.member >= scheduled(last_ms) {
                    return Err(fail(format!(
                        "members work only on shift: {who} finished at {}, just after off-duty time",
                        clock.date(end)
                    )));
                }
            }
            (TaskEnd::Abandoned, Some(end)) => {
                if calendar.worked_between(task.start, end) > task.work {
                    return Err(fail(format!(
                        "members work only on shift: {who} abandoned at {} after more than its work",
                        clock.date(end)
                    )));
                }
            }
            (TaskEnd::Unfinished, None) => {}
            (outcome, end) => {
                return Err(fail(format!(
                    "{who}: inconsistent task end {outcome:?} at {end:?}"
                )));
            }
        }
    }
    for tasks in by_member.values() {
        for w in tasks.windows(2) {
            if w[0].end.is_none_or(|e| e > w[1].start) {
                let team = &scenario.teams[w[0].team.index()];
                return Err(fail(format!(
                    "no member works two tasks at once: {} #{} started {} of {} at {} before finishing {} of {}",
                    team.id,
                    w[0].member + 1,
                    w[1].action_name(),
                    w[1].subject_name(scenario, o.strategy),
                    clock.date(w[1].start),
                    w[0].action_name(),
                    w[0].subject_name(scenario, o.strategy),
                )));
            }
        }
    }
    Ok(())
}

/// Whether the generator gave `team` random absences.
fn team_has_absences(s: &Spec, team: &str) -> bool {
    team == "t" && s.has_absences()
}

/// No host (the DR site's in particular) ever holds more VMs than its
/// memory and virtual CPUs allow: the initial placement, then every move.
fn dr_capacity_is_never_exceeded(scenario: &Scenario, o: &Outcome) -> Check {
    let clock = Clock::new(scenario);
    let mut mem: Vec<u64> = vec![0; scenario.hosts.len()];
    let mut cpu: Vec<u64> = vec![0; scenario.hosts.len()];
    let mut at: Vec<usize> = scenario.vms.iter().map(|v| v.host.index()).collect();
    let over = |h: usize, mem: &[u64], cpu: &[u64], when: &str| -> Check {
        let host = &scenario.hosts[h];
        if mem[h] > host.memory_bytes || cpu[h] > host.vcpus {
            return Err(fail(format!(
                "DR capacity never exceeded: host {} holds {} B of memory (has {}) and {} vCPUs (has {}) {when}",
                host.id, mem[h], host.memory_bytes, cpu[h], host.vcpus
            )));
        }
        Ok(())
    };
    for vm in &scenario.vms {
        mem[vm.host.index()] += vm.memory_bytes;
        cpu[vm.host.index()] += u64::from(vm.cores);
    }
    for h in 0..scenario.hosts.len() {
        over(h, &mem, &cpu, "at the start")?;
    }
    for m in &o.moves {
        let vm = &scenario.vms[m.vm.index()];
        let (from, to) = (at[m.vm.index()], m.to.index());
        mem[from] -= vm.memory_bytes;
        cpu[from] -= u64::from(vm.cores);
        mem[to] += vm.memory_bytes;
        cpu[to] += u64::from(vm.cores);
        at[m.vm.index()] = to;
        over(to, &mem, &cpu, &format!("at {}", clock.date(m.at)))?;
    }
    Ok(())
}

/// An app's downtime is the sum of its outages (an open one counted to
/// the horizon), in the outcome, the JSON report and the run's totals.
fn downtime_is_the_sum_of_outages(scenario: &Scenario, o: &Outcome) -> Check {
    let json = serde_json::to_value(run_json(scenario, o))
        .map_err(|e| fail(format!("the run's JSON: {e}")))?;
    let mut total_ms = 0u64;
    for (i, (app, a)) in scenario.apps.iter().zip(&o.apps).enumerate() {
        let mut sum = 0u64;
        for x in &a.outages {
            let up = x.up_at.unwrap_or(o.horizon);
            if up < x.down_at || x.down_at > o.horizon {
                return Err(fail(format!(
                    "downtime is the sum of outages: {} has an outage from {} to {up}",
                    app.id, x.down_at
                )));
            }
            sum += up.as_millis() - x.down_at.as_millis();
        }
        total_ms += sum;
        let reported = json["apps"][i]["downtime_s"].as_u64();
        if a.downtime(o.horizon).as_millis() != sum || reported != Some(sum / 1000) {
            return Err(fail(format!(
                "downtime is the sum of outages: {}'s outages add up to {}, its downtime is {} ({reported:?} s in the JSON)",
                app.id,
                SimDuration::from_millis(sum),
                a.downtime(o.horizon)
            )));
        }
    }
    let totals = o.totals(scenario).downtime.as_millis();
    if totals != total_ms || json["totals"]["downtime_s"].as_u64() != Some(total_ms / 1000) {
        return Err(fail(format!(
            "downtime is the sum of outages: the apps' outages add up to {total_ms} ms, the totals say {totals} ms"
        )));
    }
    Ok(())
}

/// Every event's time is at or after the previous one's: the engine's
/// trace, and each of the outcome's chronological lists.
fn event_times_never_decrease(scenario: &Scenario, o: &Outcome, trace: &[Option<u64>]) -> Check {
    let clock = Clock::new(scenario);
    let mut last: Option<u64> = None;
    for (n, t) in trace.iter().enumerate() {
        let Some(t) = *t else { continue };
        if last.is_some_and(|l| t < l) {
            return Err(fail(format!(
                "event times never decrease: trace event #{n} at {} after one at {}",
                clock.date(SimTime::from_millis(t)),
                clock.date(SimTime::from_millis(last.unwrap_or(0)))
            )));
        }
        last = Some(t);
    }
    if trace.iter().flatten().count() == 0 && !o.faults.is_empty() {
        return Err(fail(
            "event times never decrease: faults happened but the trace recorded no event".into(),
        ));
    }
    let ordered = |what: &str, times: Vec<SimTime>| -> Check {
        match times.windows(2).find(|w| w[1] < w[0]) {
            Some(w) => Err(fail(format!(
                "event times never decrease: {what} at {} listed after one at {}",
                clock.date(w[1]),
                clock.date(w[0])
            ))),
            None => Ok(()),
        }
    };
    ordered("a fault", o.faults.iter().map(|f| f.at).collect())?;
    ordered("an incident", o.incidents.iter().map(|i| i.at).collect())?;
    ordered("a task start", o.tasks.iter().map(|t| t.start).collect())?;
    ordered("a VM move", o.moves.iter().map(|m| m.at).collect())?;
    ordered(
        "a transfer request",
        o.transfers.iter().map(|t| t.queued).collect(),
    )?;
    Ok(())
}

/// Replaying the same scenario, strategy and seed gives the same outcome,
/// and the same report bytes.
fn replay_is_bit_identical(scenario: &Scenario, first: &Outcome, again: &Outcome) -> Check {
    let bytes = |o: &Outcome| serde_json::to_string(&run_json(scenario, o)).unwrap_or_default();
    if first != again
        || format!("{first:?}") != format!("{again:?}")
        || bytes(first) != bytes(again)
    {
        return Err(fail(format!(
            "replay is bit-identical: strategy {}, seed {} gave two different outcomes",
            scenario.strategies[first.strategy.index()].id,
            first.seed
        )));
    }
    Ok(())
}

/// `compare` with one thread, with two, and its three shards merged give
/// the same comparison, rendered as text and as JSON.
fn jobs_and_shards_give_the_same_comparison(scenario: &Scenario, seed: u64) -> Check {
    let strategies: Vec<&Strategy> = scenario.strategies.iter().collect();
    let go = |what: &str, f: &dyn Fn() -> Result<Comparison, hvsim::montecarlo::CompareError>| {
        no_panic(what, f)?.map_err(|e| fail(format!("{what}: {e}")))
    };
    let all = |_: u64| true;
    let one = go("compare --jobs 1", &|| {
        compare(scenario, &strategies, MC_RUNS, seed, 1, &all)
    })?;
    let two = go("compare --jobs 2", &|| {
        compare(scenario, &strategies, MC_RUNS, seed, 2, &all)
    })?;
    let merged = go("compare --shard i/3, merged", &|| {
        let parts = (0..3)
            .map(|i| compare_shard(scenario, &strategies, MC_RUNS, seed, 1, (i, 3), &all))
            .collect::<Result<Vec<_>, _>>()?;
        merge(parts)
    })?;
    for (what, c) in [("--jobs 2", &two), ("shards 0/3..2/3 merged", &merged)] {
        if let Some(diff) = first_difference(&one, c) {
            return Err(fail(format!(
                "--jobs 1, --jobs 2 and shards give the same comparison: {what} differs from --jobs 1 (seed {seed}): {diff}"
            )));
        }
    }
    let shown = |c: &Comparison| {
        (
            render_compare(&scenario.name, c),
            serde_json::to_string(&compare_json(&scenario.name, c)).unwrap_or_default(),
        )
    };
    let base = shown(&one);
    for (what, c) in [("--jobs 2", &two), ("shards 0/3..2/3 merged", &merged)] {
        let other = shown(c);
        if other != base {
            return Err(fail(format!(
                "--jobs 1, --jobs 2 and shards give the same report: {what} differs (seed {seed}):\n--- jobs 1\n{}\n--- {what}\n{}",
                base.0, other.0
            )));
        }
    }
    if one.done != MC_RUNS {
        return Err(fail(format!(
            "compare did {} of {MC_RUNS} replications",
            one.done
        )));
    }
    Ok(())
}

/// Where two comparisons differ, field by field (the HDR histograms
/// compared bucket by bucket, the moments as exact integer sums).
fn first_difference(a: &Comparison, b: &Comparison) -> Option<String> {
    if (a.seed, a.runs, a.done, a.shard) != (b.seed, b.runs, b.done, b.shard) {
        return Some(format!(
            "seed/runs/done/shard {:?} vs {:?}",
            (a.seed, a.runs, a.done, a.shard),
            (b.seed, b.runs, b.done, b.shard)
        ));
    }
    if a.metrics != b.metrics || a.strategies.len() != b.strategies.len() {
        return Some("different metrics or strategies".into());
    }
    for (x, y) in a.strategies.iter().zip(&b.strategies) {
        for (m, def) in a.metrics.iter().enumerate() {
            let (p, q) = (&x.stats[m], &y.stats[m]);
            if x.id != y.id
                || p.hist != q.hist
                || p.moments != q.moments
                || p.missing != q.missing
                || x.diffs[m] != y.diffs[m]
            {
                return Some(format!("strategy {}, metric {}", x.id, def.name));
            }
        }
    }
    None
}

/// Every invariant of a single run, on one generated scenario: each
/// strategy run once plainly and once traced (the replay).
/// Invariant "round trip": the scenario printed as YAML
/// ([`hvsim::scenario::to_yaml`]) and loaded again resolves to the same
/// model.
fn printed_as_yaml_it_resolves_the_same(s: &Spec, scenario: &Scenario) -> Check {
    let text = yaml(s);
    let printed = hvsim::scenario::to_yaml(&text, "generated.yaml", Format::Yaml)
        .map_err(|e| fail(format!("round trip: cannot print the scenario: {e}")))?;
    let again = load_str(&printed, "generated.yaml", Format::Yaml).map_err(|e| {
        fail(format!(
            "round trip: the printed scenario does not load: {e}\n{printed}"
        ))
    })?;
    if format!("{scenario:?}") != format!("{again:?}") {
        return Err(fail(format!(
            "round trip: printed and loaded again, the scenario resolves differently\n{printed}"
        )));
    }
    Ok(())
}

fn check_every_invariant(s: &Spec, seed: u64) -> Check {
    let scenario = load(s)?;
    printed_as_yaml_it_resolves_the_same(s, &scenario)?;
    for strategy in &scenario.strategies {
        let o = no_panic(
            &format!("simulate, strategy {}, seed {seed}", strategy.id),
            || hvsim::simulate(&scenario, strategy, seed),
        )?
        .map_err(|e| fail(format!("strategy {}, seed {seed}: {e}", strategy.id)))?;
        let (again, trace) = traced_run(&scenario, strategy, seed)?;
        replay_is_bit_identical(&scenario, &o, &again)?;
        event_times_never_decrease(&scenario, &o, &trace)?;
        apps_up_at_the_end_have_their_dependencies_up(&scenario, &o)?;
        members_work_one_task_at_a_time_and_only_on_shift(s, &scenario, &o)?;
        dr_capacity_is_never_exceeded(&scenario, &o)?;
        downtime_is_the_sum_of_outages(&scenario, &o)?;
    }
    Ok(())
}

/// The Monte Carlo invariant, on one generated scenario.
fn check_comparisons(s: &Spec, seed: u64) -> Check {
    let scenario = load(s)?;
    jobs_and_shards_give_the_same_comparison(&scenario, seed)
}

/// A fixed seed keeps runs reproducible; `PROPTEST_CASES` and
/// `PROPTEST_RNG_SEED` override the defaults. Failures are saved in
/// `tests/proptest-regressions/generated.txt` and replayed first.
fn config(cases: u32) -> ProptestConfig {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20260113);
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(cases),
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(1_000))]

    /// CI: 1,000 generated scenarios, every invariant of a run on each.
    #[test]
    fn generated_scenarios_keep_every_invariant(s in spec(), seed in any::<u64>()) {
        check_every_invariant(&s, seed)?;
    }
}

proptest! {
    #![proptest_config(config(MC_CASES))]

    /// CI: generated scenarios compared over `MC_RUNS` replications with
    /// one thread, two, and three shards merged. (Fewer cases: each is
    /// five comparisons of hundreds of replications.)
    #[test]
    fn generated_comparisons_agree_across_jobs_and_shards(s in spec(), seed in any::<u64>()) {
        check_comparisons(&s, seed)?;
    }
}

proptest! {
    #![proptest_config(config(100_000))]

    /// The soak: 100,000 generated scenarios (run in release, see the
    /// module docs).
    #[test]
    #[ignore = "soak: run with --release -- --ignored"]
    fn generated_scenarios_soak(s in spec(), seed in any::<u64>()) {
        check_every_invariant(&s, seed)?;
    }
}

proptest! {
    #![proptest_config(config(MC_SOAK_CASES))]

    /// The Monte Carlo soak (run in release, see the module docs).
    #[test]
    #[ignore = "soak: run with --release -- --ignored"]
    fn generated_comparisons_soak(s in spec(), seed in any::<u64>()) {
        check_comparisons(&s, seed)?;
    }
}
