//! Property tests: invariants that must hold for every scenario and seed,
//! checked on randomly generated scenarios (through the real file loader).

use hvsim::metrics::Outcome;
use hvsim::scenario::{Format, load_str};
use hvsim::sim::{Scheduler, SimTime};
use proptest::prelude::*;

#[derive(Debug, Clone)]
pub(crate) struct Spec {
    apps: Vec<(u32, Vec<usize>, u8)>, // (criticality, deps on earlier apps, vm count)
    hosts: u8,
    pub(crate) members: u8,
    pub(crate) shift: &'static str,
    corrupt: f64,
    host_probability: f64,
    recurrence: bool,
    fix: bool,
    methods: &'static str,
    order: &'static str,
    despite: bool,
    /// Extra strategy fields (caps, waves, escalation).
    extras: &'static str,
    /// A separate infrastructure team that alone rebuilds hosts.
    infra_team: bool,
    /// The fault: (trigger, extra effects, extra top-level sections).
    fault: (&'static str, &'static str, &'static str),
    /// The rest of the estate and of the fault model.
    pub(crate) more: More,
}

impl Spec {
    /// Whether team `t`'s members may be randomly absent.
    pub(crate) fn has_absences(&self) -> bool {
        self.host_probability < 1.0
    }
}

/// What `Spec` varies beyond its first version: more sites, a DR site of
/// varying size, faults of every kind, a second strategy.
#[derive(Debug, Clone)]
pub(crate) struct More {
    /// A second primary site (`edge`, cluster `c3`, build `b2`, never in
    /// the bug's builds) holding every third app.
    pub(crate) edge: bool,
    /// DR hosts (1 to 3) and each one's memory: the DR site's capacity.
    pub(crate) dr_hosts: u8,
    pub(crate) dr_memory: &'static str,
    /// Whether the DR hosts run `b2` (out of the bug's reach) rather than `b1`.
    pub(crate) dr_on_b2: bool,
    /// Whether the bug's scope is the whole build (DR hosts on `b1`
    /// included) rather than cluster `c1`.
    pub(crate) scope_build: bool,
    /// A second bug triggered by an operation: `restart` or `restore`.
    pub(crate) op_bug: Option<&'static str>,
    /// Infrastructure outages: (what, local start, duration).
    pub(crate) outages: Vec<(&'static str, &'static str, &'static str)>,
    /// The vendor's support hours and workaround for the bug.
    pub(crate) vendor: bool,
    /// A second strategy: its methods, order and whether it names the DR site.
    pub(crate) second: Option<(&'static str, &'static str, bool)>,
    /// Recovery objectives on the `early` apps.
    pub(crate) objectives: bool,
}

/// Every method list the generator uses.
const METHODS: [&str; 8] = [
    "[restart, reinstall]",
    "[reinstall]",
    "[restart]",
    "[reinstall, restart]",
    "[ha-restart, restore, reinstall]",
    "[failover, restart]",
    "[rebuild, reinstall]",
    "[restore]",
];

/// Every recovery order.
const ORDER_NAMES: [&str; 5] = [
    "fifo",
    "criticality",
    "shortest-first",
    "weighted-shortest",
    "dependency-aware",
];

fn more() -> impl Strategy<Value = More> {
    let outage = (
        prop_oneof![Just("backup"), Just("link"), Just("management")],
        prop_oneof![
            Just("2024-03-30 22:00"),
            Just("2024-03-31 01:30"),
            Just("2024-04-01 09:00")
        ],
        prop_oneof![Just("30m"), Just("6h"), Just("2d")],
    );
    (
        any::<bool>(),
        1u8..4,
        prop_oneof![Just("20GiB"), Just("40GiB"), Just("1TiB")],
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(None), Just(Some("restart")), Just(Some("restore"))],
        proptest::collection::vec(outage, 0..3),
        any::<bool>(),
        proptest::option::of((
            proptest::sample::select(&METHODS[..]),
            proptest::sample::select(&ORDER_NAMES[..]),
            any::<bool>(),
        )),
        any::<bool>(),
    )
        .prop_map(
            |(
                edge,
                dr_hosts,
                dr_memory,
                dr_on_b2,
                scope_build,
                op_bug,
                outages,
                vendor,
                second,
                objectives,
            )| More {
                edge,
                dr_hosts,
                dr_memory,
                dr_on_b2,
                scope_build,
                op_bug,
                outages,
                vendor,
                second,
                objectives,
            },
        )
}

pub(crate) fn spec() -> impl Strategy<Value = Spec> {
    let app = (
        1u32..10,
        proptest::collection::vec(0usize..20, 0..3),
        1u8..3,
    );
    (
        proptest::collection::vec(app, 1..12),
        1u8..5,
        1u8..4,
        prop_oneof![
            Just("24/7"),
            Just("Mon-Fri 08:00-18:00"),
            Just("daily 22:00-06:00"),
            Just("daily 06:00-14:00 x1\", \"daily 14:00-22:00 x1")
        ],
        prop_oneof![Just(0.0), Just(0.5), Just(1.0)],
        prop_oneof![Just(1.0), Just(0.6)],
        any::<bool>(),
        any::<bool>(),
        prop_oneof![
            Just("[restart, reinstall]"),
            Just("[reinstall]"),
            Just("[restart]"),
            Just("[reinstall, restart]"),
            Just("[ha-restart, restore, reinstall]"),
            Just("[failover, restart]"),
            Just("[rebuild, reinstall]"),
            Just("[restore]")
        ],
        prop_oneof![
            Just("fifo"),
            Just("criticality"),
            Just("shortest-first"),
            Just("weighted-shortest"),
            Just("dependency-aware")
        ],
        (prop_oneof![
            Just(""),
            Just(", caps: { reinstall: 2, restore: 1, failover: 1 }"),
            Just(", escalate: { after_recurrences: 1, after: 12h }"),
            Just(", waves: [{ name: first, apps: [a0, a1] }, { name: second, tags: [late], go: 20m }]"),
            Just(", patch_when_fixed: true")
        ],
        any::<bool>(), any::<bool>(),
        prop_oneof![
            Just(("at: 2024-03-30 23:00", "", "")),
            Just(("uptime: \"uniform(1d, 3d)\"", ", crash_dump: 20m", "")),
            Just(("poisson: 4d", ", management_plane: 2h", "")),
            Just(("at: 2024-03-30 23:00", ", datastore_loss: true", "outages: [{ what: backup, at: 2024-03-31 03:30, for: 6h }, { what: link, at: 2024-03-31 04:00, for: 3h }]\n")),
            Just(("at: 2024-03-30 23:00", "", "chaos: [{ id: hw, mtbf: exp(3d), mttr: exp(4h) }]\n")),
            Just(("at: 2024-03-30 23:00", "", "bugs2")),
        ]),
        more(),
    )
        .prop_map(
            |(
                apps,
                hosts,
                members,
                shift,
                corrupt,
                host_probability,
                recurrence,
                fix,
                methods,
                order,
                (extras, infra_team, despite, fault),
                more,
            )| {
                // Dependencies only on earlier apps: always acyclic.
                let apps = apps
                    .into_iter()
                    .enumerate()
                    .map(|(i, (c, deps, vms))| {
                        let mut d: Vec<usize> = if i == 0 {
                            vec![]
                        } else {
                            deps.into_iter().map(|x| x % i).collect()
                        };
                        d.sort();
                        d.dedup();
                        (c, d, vms)
                    })
                    .collect();
                Spec {
                    apps,
                    hosts,
                    members,
                    shift,
                    corrupt,
                    host_probability,
                    recurrence,
                    fix,
                    methods,
                    order,
                    despite,
                    extras,
                    infra_team,
                    fault,
                    more,
                }
            },
        )
}

pub(crate) fn yaml(s: &Spec) -> String {
    let m = &s.more;
    let mut y = String::new();
    y.push_str("name: generated\ntime_zone: Europe/Paris\nstart: 2024-03-29 00:00\nhorizon: 20d\n");
    y.push_str("builds:\n  - { id: b1, reboot: \"pert(5m, 10m, 30m)\", patch: 30m }\n  - { id: b2, reboot: 10m, rebuild: \"uniform(1h, 3h)\" }\n");
    y.push_str("sites:\n  - { id: main }\n  - { id: dr, role: dr, vcpu_per_core: 2 }\n");
    if m.edge {
        y.push_str("  - { id: edge }\n");
    }
    y.push_str("clusters:\n  - { id: c1, site: main }\n  - { id: c2, site: dr }\n");
    if m.edge {
        y.push_str("  - { id: c3, site: edge }\n");
    }
    y.push_str(&format!(
        "hosts:\n  - {{ id: h, count: {}, cluster: c1, build: b1, cores: 16, memory: 1TiB }}\n  - {{ id: d, count: {}, cluster: c2, build: {}, cores: 8, memory: {} }}\n",
        s.hosts,
        m.dr_hosts,
        if m.dr_on_b2 { "b2" } else { "b1" },
        m.dr_memory
    ));
    if m.edge {
        y.push_str(
            "  - { id: e, cluster: c3, build: b2, cores: 32, memory: 512GiB, uptime: 40d }\n",
        );
    }
    y.push_str(&format!(
        "bugs:\n  - id: bug\n    builds: [b1]\n    trigger: {{ {} }}\n    scope: {{ {}probability: {} }}\n    effects: {{ corrupt_vm: {}{} }}\n",
        s.fault.0,
        if m.scope_build { "" } else { "clusters: [c1], " },
        s.host_probability,
        s.corrupt,
        s.fault.1
    ));
    if s.recurrence {
        y.push_str("    recurrence: exp(8h)\n");
    }
    y.push_str(if s.fix {
        "    fix: \"uniform(1d, 4d)\"\n"
    } else {
        "    fix: never\n"
    });
    if m.vendor {
        y.push_str(
            "    vendor: { support: \"Mon-Fri 08:00-18:00\", workaround: \"uniform(12h, 2d)\" }\n",
        );
    }
    if s.fault.2 == "bugs2" {
        // Compounding: the DR site's hosts fail when VMs move onto them.
        y.push_str(&format!(
            "  - {{ id: dr-bug, builds: [{}], trigger: {{ on: migration, probability: 0.3 }}, scope: {{ clusters: [c2] }} }}\n",
            if m.dr_on_b2 { "b2" } else { "b1" }
        ));
    }
    if let Some(on) = m.op_bug {
        // A host of the buggy build fails when it is restarted or restored onto.
        y.push_str(&format!(
            "  - {{ id: op-bug, builds: [b1], trigger: {{ on: {on}, probability: 0.25 }}, fix: 3d }}\n"
        ));
    }
    if s.fault.2 != "bugs2" {
        y.push_str(s.fault.2);
    }
    y.push_str("apps:\n");
    for (i, (c, deps, vms)) in s.apps.iter().enumerate() {
        let deps: Vec<String> = deps.iter().map(|d| format!("a{d}")).collect();
        y.push_str(&format!(
            "  - id: a{i}\n    criticality: {c}\n    tags: [{}]\n    depends_on: [{}]\n    vms: [{{ count: {vms}, cluster: {}, cores: 2, memory: 8GiB, disk: 40GiB }}]\n    work: {{ restart: exp(20m), reinstall: \"lognormal(mean=3h, sd=2h)\", ha-restart: 5m, restore: \"uniform(10m, 1h)\", failover: 10m }}\n",
            if i % 2 == 1 { "late" } else { "early" },
            deps.join(", "),
            if m.edge && i % 3 == 2 { "c3" } else { "c1" },
        ));
    }
    // a1 always exists for the waves' app list.
    if s.apps.len() == 1 {
        y.push_str("  - { id: a1, tags: [late], vms: [{ cluster: c1, cores: 2, memory: 8GiB }], work: { reinstall: 1h, restart: 10m } }\n");
    }
    y.push_str(&format!(
        "teams:\n  - {{ id: t, members: {}, shifts: [\"{}\"], holidays: [{{ date: 2024-04-01, members: 0 }}]{}{} }}\n",
        s.members,
        s.shift,
        // Random staff absences on some cases.
        if s.has_absences() { ", absence: 0.2" } else { "" },
        if s.infra_team { ", skills: [restart, reinstall, restore]" } else { "" }
    ));
    if s.infra_team {
        y.push_str(
            "  - { id: infra, members: 1, shifts: [\"Mon-Fri 09:00-17:00\"], skills: [rebuild] }\n",
        );
    }
    y.push_str(
        "backup: { throughput: 200GiB/h, streams: 2, every: 12h, at: \"2024-03-28 23:00\" }\n",
    );
    y.push_str("replication: { lag: \"uniform(1m, 15m)\" }\n");
    // The fault's own `outages` section, if any, is the only one.
    if !m.outages.is_empty() && !s.fault.2.starts_with("outages") {
        y.push_str("outages:\n");
        for (what, at, d) in &m.outages {
            y.push_str(&format!("  - {{ what: {what}, at: {at}, for: {d} }}\n"));
        }
    }
    if m.objectives {
        y.push_str("objectives: [{ name: early, tags: [early], rto: 1d, rpo: 12h }]\n");
    }
    y.push_str(&format!(
        "strategies:\n  - {{ id: s, detection: exp(30m), diagnosis: \"uniform(1h, 6h)\", methods: {}, order: {}, restart_despite_recurrence: {}, rebuild_to: b2{} }}\n",
        s.methods,
        s.order,
        s.despite,
        // Escalation needs a next method.
        if s.extras.contains("escalate") && !s.methods.contains(',') {
            ""
        } else {
            s.extras
        }
    ));
    if let Some((methods, order, dr_site)) = m.second {
        y.push_str(&format!(
            "  - {{ id: s2, detection: 10m, diagnosis: \"uniform(30m, 2h)\", methods: {methods}, order: {order}, rebuild_to: b2{} }}\n",
            if dr_site { ", dr_site: dr" } else { "" }
        ));
    }
    y.push_str("default_strategy: s\n");
    y
}

/// Every instant at which some app changes state.
fn change_points(o: &Outcome) -> Vec<SimTime> {
    let mut t: Vec<SimTime> = o
        .apps
        .iter()
        .flat_map(|a| a.outages.iter().flat_map(|x| [Some(x.down_at), x.up_at]))
        .flatten()
        .collect();
    t.sort();
    t.dedup();
    t
}

/// A fixed seed keeps CI reproducible; set `PROPTEST_RNG_SEED` (or edit
/// this) to explore new cases locally. `PROPTEST_CASES` raises the count.
/// Failures found that way are saved in `tests/proptest-regressions/` and
/// replayed first on every run: commit them.
fn config() -> ProptestConfig {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20181225);
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(256),
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// A replication gives the same bits whatever ran before it on its
    /// thread: the engine reuses its buffers from one run to the next, and
    /// nothing of their contents may carry over.
    #[test]
    fn a_run_does_not_depend_on_the_runs_before_it_on_its_thread(
        first in spec(),
        then in spec(),
        seed in any::<u64>(),
    ) {
        let load = |s: &Spec| load_str(&yaml(s), "generated.yaml", Format::Yaml);
        let (first, then) = match (load(&first), load(&then)) {
            (Ok(a), Ok(b)) => (a, b),
            _ => return Err(TestCaseError::reject("not a valid pair of scenarios")),
        };
        let fresh = std::thread::scope(|scope| {
            scope
                .spawn(|| hvsim::simulate(&then, then.default_strategy(), seed))
                .join()
                .expect("the fresh thread ran")
        });
        let _ = hvsim::simulate(&first, first.default_strategy(), seed ^ 1);
        let after = hvsim::simulate(&then, then.default_strategy(), seed);
        prop_assert_eq!(fresh.ok(), after.ok());
    }

    #[test]
    fn runs_respect_the_model_invariants(s in spec(), seed in any::<u64>()) {
        let text = yaml(&s);
        let scenario = load_str(&text, "generated.yaml", Format::Yaml)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let strategy = scenario.default_strategy();
        let o = hvsim::simulate(&scenario, strategy, seed)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;

        // Deterministic.
        let again = hvsim::simulate(&scenario, strategy, seed).expect("ran once already");
        prop_assert_eq!(&o, &again);

        // Outages are well-formed: ordered, disjoint, only the last may be open.
        for a in &o.apps {
            for w in a.outages.windows(2) {
                prop_assert!(w[0].up_at.is_some_and(|u| u <= w[1].down_at));
            }
            for x in &a.outages {
                prop_assert!(x.up_at.is_none_or(|u| x.down_at <= u));
                prop_assert!(x.down_at <= o.horizon);
            }
        }

        // An app is never up while an app it depends on is down.
        let points = change_points(&o);
        for (i, app) in scenario.apps.iter().enumerate() {
            for dep in &app.depends_on {
                for &t in &points {
                    if !o.apps[dep.index()].is_up_at(t) {
                        prop_assert!(
                            !o.apps[i].is_up_at(t),
                            "{} up at {} while its dependency {} is down", app.id, t, scenario.apps[dep.index()].id
                        );
                    }
                }
            }
        }

        // Milestones are ordered, and each restored app's time is real.
        for inc in &o.incidents {
            let m = inc.milestones;
            let seq = [m.first, m.half, m.ninety, m.all];
            for w in seq.windows(2) {
                if let (Some(a), Some(b)) = (w[0], w[1]) { prop_assert!(a <= b); }
                if w[0].is_none() { prop_assert!(w[1].is_none()); }
            }
            prop_assert_eq!(inc.apps.len(), inc.restored.len());
            for (a, r) in inc.apps.iter().zip(&inc.restored) {
                if let Some(r) = r {
                    prop_assert!(*r >= inc.at);
                    // Up then, unless a new fault took it down that very
                    // instant (e.g. the restore onto a DR host triggered a bug).
                    let app = &o.apps[a.index()];
                    prop_assert!(app.is_up_at(*r) || app.outages.iter().any(|x| x.down_at == *r));
                }
            }
        }

        // Dependency-aware order never starts an app before each of its
        // dependencies is up, being restored, or needs no work at all.
        // (Checked from the task list, which cannot tell whether a dependency
        // needed work at an instant when later faults break it again: only
        // with a single strike.)
        let single_strike = s.fault.0.starts_with("at:")
            && !s.fault.2.starts_with("chaos")
            && s.fault.2 != "bugs2"
            && s.more.op_bug.is_none();
        if s.order == "dependency-aware" && single_strike {
            for task in &o.tasks {
                let Some(a) = task.app() else { continue };
                let app = &scenario.apps[a.index()];
                let t = task.start;
                for dep in &app.depends_on {
                    let d = &o.apps[dep.index()];
                    let dep_tasks: Vec<_> = o.tasks.iter().filter(|x| x.app() == Some(*dep)).collect();
                    prop_assert!(
                        d.is_up_at(t) || dep_tasks.iter().any(|x| x.start <= t) || dep_tasks.is_empty(),
                        "{} started at {} before its dependency {}", app.id, t, scenario.apps[dep.index()].id
                    );
                }
            }
        }

        // Nobody does two things at once, and work happens only on shift:
        // a completed task's on-shift time between its start and end is
        // exactly its work (preemptive-resume), an abandoned one's at most.
        let mut by_worker: std::collections::BTreeMap<(u32, u32), Vec<&hvsim::metrics::TaskRecord>> =
            Default::default();
        for task in &o.tasks {
            by_worker.entry((task.team.0, task.member)).or_default().push(task);
            let calendar = o.roster(&scenario, task.team).worker(task.member);
            prop_assert!(calendar.is_on(task.start), "a task started off shift at {}", task.start);
            match (task.outcome, task.end) {
                (hvsim::metrics::TaskEnd::Done, Some(end)) => {
                    prop_assert_eq!(calendar.worked_between(task.start, end), task.work)
                }
                (hvsim::metrics::TaskEnd::Abandoned, Some(end)) => {
                    prop_assert!(calendar.worked_between(task.start, end) <= task.work)
                }
                (hvsim::metrics::TaskEnd::Unfinished, None) => {}
                other => prop_assert!(false, "inconsistent task end {:?}", other),
            }
        }
        for tasks in by_worker.values() {
            for w in tasks.windows(2) {
                prop_assert!(w[0].end.is_some_and(|e| e <= w[1].start), "overlapping tasks {:?}", w);
            }
        }

        // Whoever is down at the end says why.
        for a in &o.apps {
            if a.outages.last().is_some_and(|x| x.up_at.is_none()) {
                prop_assert!(a.waiting.is_some());
            }
        }

        // Restart-only strategies cannot bring back corrupted VMs, and
        // nothing restarts into a recurring bug unless told to.
        if s.methods == "[restart]" && s.corrupt == 1.0 && s.host_probability == 1.0 {
            // (Apps on the edge site are out of the bug's reach.)
            let in_reach = |i: usize| !(s.more.edge && i % 3 == 2);
            prop_assert!(o.apps.iter().enumerate().all(|(i, a)| !in_reach(i) || a.final_up().is_none()));
        }
        // (A host repaired after a random failure boots on its buggy build,
        // so with chaos a recurrence may follow without any restart.)
        if !s.despite && !s.fault.2.starts_with("chaos") {
            prop_assert_eq!(o.recurrences, 0);
        }

        // No host ever runs more VMs than its memory and virtual CPUs allow
        // (the DR site in particular), replaying every move.
        let mut mem: Vec<u64> = vec![0; scenario.hosts.len()];
        let mut cpu: Vec<u64> = vec![0; scenario.hosts.len()];
        let mut at: Vec<usize> = scenario.vms.iter().map(|v| v.host.index()).collect();
        for vm in &scenario.vms {
            mem[vm.host.index()] += vm.memory_bytes;
            cpu[vm.host.index()] += u64::from(vm.cores);
        }
        for m in &o.moves {
            let vm = &scenario.vms[m.vm.index()];
            let (from, to) = (at[m.vm.index()], m.to.index());
            mem[from] -= vm.memory_bytes;
            cpu[from] -= u64::from(vm.cores);
            mem[to] += vm.memory_bytes;
            cpu[to] += u64::from(vm.cores);
            at[m.vm.index()] = to;
            let host = &scenario.hosts[to];
            prop_assert!(mem[to] <= host.memory_bytes, "{} over its memory at {}", host.id, m.at);
            prop_assert!(cpu[to] <= host.vcpus, "{} over its vCPUs at {}", host.id, m.at);
        }

        // Only teams with the skill do a method's work (a restart after a
        // rebuild is a restart).
        for task in &o.tasks {
            let team = &scenario.teams[task.team.index()];
            let skill = match task.subject {
                hvsim::metrics::TaskSubject::App(_, hvsim::model::Method::Rebuild) => Some(hvsim::model::Method::Restart),
                _ => task.method(),
            };
            if let Some(m) = skill {
                prop_assert!(team.can(m), "{} did {:?} without the skill", team.id, task.subject);
            }
        }

        // Caps: never more tasks of a capped method in progress than allowed.
        if s.extras.contains("caps") {
            let mut spans: Vec<(SimTime, i32)> = Vec::new();
            for task in &o.tasks {
                if task.method() == Some(hvsim::model::Method::Reinstall) {
                    spans.push((task.start, 1));
                    spans.push((task.end.unwrap_or(SimTime::MAX), -1));
                }
            }
            spans.sort();
            let mut running = 0;
            for (_, d) in spans {
                running += d;
                prop_assert!(running <= 2, "{running} reinstalls at once under a cap of 2");
            }
        }

        // A wave with a go step starts no app task before its go is done.
        if s.extras.contains("waves") {
            let go_end = o.tasks.iter()
                .filter(|t| t.subject == hvsim::metrics::TaskSubject::Go(1))
                .filter_map(|t| t.end)
                .min();
            for task in &o.tasks {
                if let Some(a) = task.app()
                    && strategy.wave_of[a.index()] == 1
                    && task.method().is_some_and(|m| !m.automated())
                {
                    prop_assert!(go_end.is_some_and(|g| g <= task.start), "{} started before its wave's go", scenario.apps[a.index()].id);
                }
            }
        }

        // Restarts lose no data.
        for (a, app) in o.apps.iter().enumerate() {
            if matches!(app.method, Some(hvsim::model::Method::Restart | hvsim::model::Method::HaRestart | hvsim::model::Method::Rebuild)) && app.recoveries == 1 {
                prop_assert_eq!(app.data_loss, hvsim::metrics::DataLoss::None, "{}", scenario.apps[a].id);
            }
        }
    }

    #[test]
    fn the_queue_pops_in_time_then_insertion_order_and_skips_cancelled(
        ops in proptest::collection::vec((0u64..50, any::<bool>()), 1..200)
    ) {
        let mut q = Scheduler::new();
        let mut expected = Vec::new();
        for (i, (t, cancel)) in ops.iter().enumerate() {
            let id = q.schedule_at(SimTime::from_millis(*t), 1, i).expect("not in the past");
            if *cancel {
                q.cancel(id);
            } else {
                expected.push((*t, i));
            }
        }
        expected.sort();
        let got: Vec<(u64, usize)> =
            std::iter::from_fn(|| q.pop()).map(|(t, i)| (t.as_millis(), i)).collect();
        prop_assert_eq!(got, expected);
    }
}

/// Independent apps with fixed reinstall work, all broken at once, `teams`
/// engineers always on duty, no delays: a classic scheduling problem.
fn fixed_work_yaml(works_min: &[(u32, u32)], teams: u32, order: &str) -> String {
    let mut y = String::from(
        "name: fixed work\ntime_zone: UTC\nstart: 2024-01-01 00:00\nhorizon: 30d\n\
         builds: [{ id: b, reboot: 1m }]\nsites: [{ id: m }, { id: dr, role: dr }]\n\
         clusters: [{ id: p, site: m }, { id: d, site: dr }]\n\
         hosts:\n  - { id: h, cluster: p, build: b, cores: 64, memory: 1TiB }\n  - { id: x, cluster: d, build: b, cores: 64, memory: 1TiB }\n\
         bugs: [{ id: all, builds: [b], trigger: { at: 2024-01-01 00:00 }, scope: { clusters: [p] }, effects: { corrupt_vm: 1.0 } }]\napps:\n",
    );
    for (i, (w, c)) in works_min.iter().enumerate() {
        y.push_str(&format!(
            "  - {{ id: a{i}, criticality: {c}, vms: [{{ cluster: p, cores: 1, memory: 1GiB }}], work: {{ reinstall: {w}m }} }}\n"
        ));
    }
    y.push_str(&format!(
        "teams: [{{ id: t, members: {teams}, shifts: [\"24/7\"] }}]\n\
         strategies: [{{ id: s, detection: 0s, diagnosis: 0s, methods: [reinstall], order: {order} }}]\n"
    ));
    y
}

/// (Σ completion times, Σ criticality × completion time), in minutes.
fn completion_sums(works_min: &[(u32, u32)], teams: u32, order: &str) -> (u64, u64) {
    let text = fixed_work_yaml(works_min, teams, order);
    let scenario = load_str(&text, "fixed.yaml", Format::Yaml).expect("valid");
    let o = hvsim::simulate(&scenario, scenario.default_strategy(), 1).expect("runs");
    let inc = &o.incidents[0];
    let mut total = 0;
    let mut weighted = 0;
    for (a, r) in inc.apps.iter().zip(&inc.restored) {
        let minutes = r.expect("restored").as_millis() / 60_000;
        total += minutes;
        weighted += minutes * u64::from(scenario.apps[a.index()].criticality);
    }
    (total, weighted)
}

const ORDERS: [&str; 5] = [
    "fifo",
    "criticality",
    "shortest-first",
    "weighted-shortest",
    "dependency-aware",
];

proptest! {
    #![proptest_config(config())]

    /// SPT is optimal for the total completion time on identical parallel
    /// machines with all jobs released at once.
    #[test]
    fn shortest_first_minimises_total_completion_time(
        works in proptest::collection::vec((1u32..600, 1u32..10), 2..12),
        teams in 1u32..4,
    ) {
        let spt = completion_sums(&works, teams, "shortest-first").0;
        for order in ORDERS {
            let other = completion_sums(&works, teams, order).0;
            prop_assert!(spt <= other, "shortest-first {spt} > {order} {other}");
        }
    }

    /// Smith's rule is optimal for the weighted total on one machine.
    #[test]
    fn weighted_shortest_minimises_weighted_completion_on_one_team(
        works in proptest::collection::vec((1u32..600, 1u32..10), 2..12),
    ) {
        let smith = completion_sums(&works, 1, "weighted-shortest").1;
        for order in ORDERS {
            let other = completion_sums(&works, 1, order).1;
            prop_assert!(smith <= other, "weighted-shortest {smith} > {order} {other}");
        }
    }
}
