//! Tiny hand-built scenarios for the engine's unit tests: one production
//! host and one DR host (build `b`, 10 min reboot), a bug that strikes the
//! production cluster at 01:00, a few one-VM apps and one team on duty
//! around the clock. Each test fills in what it checks.

use crate::metrics::Outcome;
use crate::model::Scenario;
use crate::sim::SimTime;

/// What a test varies; everything else is fixed.
pub(crate) struct Tiny {
    /// Apps (one VM each, on the production host).
    pub(crate) apps: u32,
    /// The apps' `work` (a YAML flow mapping).
    pub(crate) work: &'static str,
    /// The bug's `corrupt_vm`.
    pub(crate) corrupt: f64,
    /// Extra lines of the bug (e.g. its `recurrence`), indented 4.
    pub(crate) bug: &'static str,
    /// Extra effects of the bug (a YAML flow tail, e.g. `, replica_loss: true`).
    pub(crate) effects: &'static str,
    /// Extra top-level sections (e.g. `replication: { lag: 1m }`).
    pub(crate) sections: &'static str,
    /// Members of the team.
    pub(crate) members: u32,
    /// The strategy's methods and extra fields (a YAML flow tail).
    pub(crate) methods: &'static str,
    pub(crate) strategy: &'static str,
}

impl Default for Tiny {
    fn default() -> Self {
        Tiny {
            apps: 1,
            work: "{ restart: 30m, reinstall: 2h }",
            corrupt: 0.0,
            bug: "",
            effects: "",
            sections: "",
            members: 1,
            methods: "[restart]",
            strategy: "",
        }
    }
}

impl Tiny {
    /// The scenario, loaded as a file would be.
    pub(crate) fn scenario(&self) -> Scenario {
        let yaml = format!(
            "name: unit
time_zone: UTC
start: 2024-01-01 00:00
horizon: 2d
builds:
  - {{ id: b, reboot: 10m }}
sites:
  - {{ id: main }}
  - {{ id: dr, role: dr }}
clusters:
  - {{ id: prod, site: main }}
  - {{ id: drc, site: dr }}
hosts:
  - {{ id: h, cluster: prod, build: b, cores: 64, memory: 1TiB }}
  - {{ id: d, cluster: drc, build: b, cores: 64, memory: 1TiB }}
bugs:
  - id: bug
    builds: [b]
    trigger: {{ at: 2024-01-01 01:00 }}
    scope: {{ clusters: [prod] }}
    effects: {{ corrupt_vm: {corrupt}{effects} }}
{bug}
apps:
  - id: app
    count: {apps}
    vms: [{{ cluster: prod, cores: 2, memory: 8GiB }}]
    work: {work}
teams:
  - {{ id: t, members: {members}, shifts: [\"24/7\"] }}
strategies:
  - {{ id: s, detection: 0s, diagnosis: 0s, methods: {methods}, order: fifo{strategy} }}
{sections}
",
            corrupt = self.corrupt,
            bug = self.bug,
            effects = self.effects,
            sections = self.sections,
            apps = self.apps,
            work = self.work,
            members = self.members,
            methods = self.methods,
            strategy = self.strategy,
        );
        match crate::scenario::load_str(&yaml, "unit.yaml", crate::scenario::Format::Yaml) {
            Ok(scenario) => scenario,
            Err(e) => panic!("the test scenario loads: {e}\n{yaml}"),
        }
    }

    /// One run of its only strategy.
    pub(crate) fn run(&self) -> (Scenario, Outcome) {
        let scenario = self.scenario();
        let outcome = crate::simulate(&scenario, scenario.default_strategy(), 1).expect("runs");
        (scenario, outcome)
    }
}

/// `h` hours and `m` minutes after the start.
pub(crate) fn at(h: u64, m: u64) -> SimTime {
    SimTime::from_millis((h * 60 + m) * 60_000)
}

/// When app `a` was last back up.
pub(crate) fn up_at(outcome: &Outcome, a: usize) -> Option<SimTime> {
    outcome.apps[a].outages.last().and_then(|o| o.up_at)
}
