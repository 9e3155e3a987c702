//! The scenario file as written: serde types mirroring YAML/TOML/JSON.
//!
//! Every struct rejects unknown fields, so a misspelt key is an error with
//! its location instead of a silently ignored assumption. Values stay as
//! text here (durations, sizes, distributions, dates); `resolve` turns them
//! into typed, index-resolved model values with errors that name the field.
//!
//! The same types give the JSON Schema of the files (`hvsim schema`): each
//! doc comment on a field is its description in an editor, and the
//! `schemars(with = ...)` types of [`super::schema`] say how its text is
//! read (units, patterns, examples).

// `description` and `name` fields are documentation for people reading the
// file; they are accepted (and type-checked) but not simulated.
#![allow(dead_code)]

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::schema::{self, U32_MAX, Whole};

/// A whole scenario file; its apps' text borrowed from the file's text `'a`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile<'a> {
    /// The scenario's name, shown in reports.
    #[schemars(with = "schema::Text")]
    pub name: String,
    /// What the scenario models, for people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// IANA time zone, e.g. `Pacific/Noumea`. Every date in the file and in
    /// the reports is local to it.
    #[schemars(with = "schema::TimeZone")]
    pub time_zone: String,
    /// Local date and time the simulated clock starts at, e.g.
    /// `2018-12-20 00:00` (no UTC offset: `time_zone` says where).
    #[schemars(with = "schema::LocalDateTime")]
    pub start: String,
    /// How long the simulation may run from `start`: a duration like `30d`
    /// or `4h30m` (units `ms`, `s`, `m`/`min`, `h`, `d`, `w`); more than
    /// zero, at most 10 years.
    #[schemars(with = "schema::Duration")]
    pub horizon: String,
    /// Safety limits of a run.
    #[serde(default)]
    pub limits: Option<LimitsFile>,
    /// Hypervisor builds (at least one): how long hosts take to reboot,
    /// reinstall and patch.
    #[schemars(length(min = 1))]
    pub builds: Vec<BuildFile>,
    /// Sites: primary ones and disaster-recovery (`role: dr`) ones.
    pub sites: Vec<SiteFile>,
    /// Clusters, each at a site.
    pub clusters: Vec<ClusterFile>,
    /// Hypervisor hosts (at least one), each in a cluster and on a build.
    #[schemars(length(min = 1))]
    pub hosts: Vec<HostFile>,
    /// Latent defects of builds that crash hosts (docs/faults.md).
    #[serde(default)]
    pub bugs: Vec<BugFile>,
    /// Applications (at least one): their VMs, dependencies and the work
    /// of each recovery method.
    #[serde(borrow)]
    #[schemars(length(min = 1))]
    pub apps: Vec<AppFile<'a>>,
    /// The teams (at least one) that recover apps, with their shifts.
    #[schemars(length(min = 1))]
    pub teams: Vec<TeamFile>,
    /// The backup system restores read from (needed by `restore`).
    #[serde(default)]
    pub backup: Option<BackupFile>,
    /// Replication to the DR site (needed by `failover`).
    #[serde(default)]
    pub replication: Option<ReplicationFile>,
    /// Recovery objectives (RTO, RPO) checked in every run.
    #[serde(default)]
    pub objectives: Vec<ObjectiveFile>,
    /// Outages of the backup system, the inter-site link or the management
    /// plane.
    #[serde(default)]
    pub outages: Vec<OutageFile>,
    /// Staff absences: some members of a team away for a while.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absences: Vec<AbsenceFile>,
    /// Random host failures and repairs, for availability studies.
    #[serde(default)]
    pub chaos: Vec<ChaosFile>,
    /// Recovery strategies (at least one) to simulate and compare.
    #[schemars(length(min = 1))]
    pub strategies: Vec<StrategyFile>,
    /// The id of the strategy `hvsim run` simulates by default (default: the
    /// first).
    #[serde(default)]
    #[schemars(with = "Option<schema::Id>")]
    pub default_strategy: Option<String>,
    /// Your own levers for `hvsim advise`, each a change to this scenario
    /// with its cost (docs/advise.md); simulations ignore them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levers: Vec<LeverFile>,
}

/// A lever of `hvsim advise`: a named change to the scenario, as `--set`
/// edits, with an optional cost (checked in full by `hvsim advise`).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeverFile {
    /// A short id, unique among the levers; names the lever in the table.
    #[schemars(with = "schema::Text")]
    pub id: String,
    /// What it changes, in words (default: the id).
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub label: Option<String>,
    /// One or more `PATH=VALUE` edits, as `hvsim compare --set` takes them.
    #[schemars(length(min = 1))]
    pub set: Vec<String>,
    /// What it costs: money per year and/or people.
    #[serde(default)]
    pub cost: Option<LeverCostFile>,
}

/// A lever's cost.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeverCostFile {
    /// Money per year, in the user's currency.
    #[serde(default)]
    #[schemars(with = "Option<schema::Amount>")]
    pub per_year: Option<f64>,
    /// People (full-time equivalents).
    #[serde(default)]
    #[schemars(with = "Option<schema::Amount>")]
    pub people: Option<f64>,
}

/// Safety limits of a run.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    /// Most events one run may process (default 10,000,000); a run that
    /// exceeds it is an error (exit code 3), not a hang.
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, { u64::MAX }>>")]
    pub max_events: Option<u64>,
}

/// A hypervisor build.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildFile {
    /// The build's id, e.g. `esxi-8u2` (letters, digits, `-`, `_`, `.`, `/`).
    #[schemars(with = "schema::Id")]
    pub id: String,
    /// For people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// Distribution of the time a host takes to reboot on this build: a
    /// duration (`15m`) or a distribution like `pert(10m, 15m, 30m)`.
    #[schemars(with = "schema::Distribution")]
    pub reboot: String,
    /// Team effort to reinstall a host with this build (for the `rebuild`
    /// method), a distribution like `pert(2h, 3h, 6h)`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub rebuild: Option<String>,
    /// Team effort to patch a host of this build once the vendor's fix
    /// exists (with `patch_when_fixed`), a distribution like
    /// `pert(30m, 1h, 3h)`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub patch: Option<String>,
}

/// A site.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    /// The site's id (letters, digits, `-`, `_`, `.`, `/`).
    #[schemars(with = "schema::Id")]
    pub id: String,
    /// For people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// `primary` (default) or `dr`: where reinstall, restore and failover
    /// put apps.
    #[serde(default)]
    #[schemars(with = "Option<schema::Role>")]
    pub role: Option<String>,
    /// Virtual CPUs per physical core a host may run, 1 to 64 (default 4).
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, 64>>")]
    pub vcpu_per_core: Option<u32>,
}

/// A cluster.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterFile {
    /// The cluster's id (letters, digits, `-`, `_`, `.`, `/`).
    #[schemars(with = "schema::Id")]
    pub id: String,
    /// The id of the site it is at.
    #[schemars(with = "schema::Id")]
    pub site: String,
    /// For people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
}

/// A host, or a group of identical hosts.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HostFile {
    /// The host's id; with `count`, the group's id (letters, digits, `-`,
    /// `_`, `.`, `/`).
    #[schemars(with = "schema::Id")]
    pub id: String,
    /// The id of its cluster.
    #[schemars(with = "schema::Id")]
    pub cluster: String,
    /// The id of the build it runs.
    #[schemars(with = "schema::Id")]
    pub build: String,
    /// Expands into `count` hosts named `ID-01`, `ID-02`, … (1 to 100,000).
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, 100000>>")]
    pub count: Option<u32>,
    /// Physical cores (at least 1); times the site's `vcpu_per_core`, the
    /// virtual CPUs it can run.
    #[schemars(with = "Whole<1, U32_MAX>")]
    pub cores: u32,
    /// Memory, a size like `1TiB` or `768GiB` (binary `KiB`…`EiB`, decimal
    /// `KB`…`EB`).
    #[schemars(with = "schema::Size")]
    pub memory: String,
    /// Tags that bug and chaos scopes can select.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Tag>")]
    pub tags: Vec<String>,
    /// Uptime at the start, a duration like `30d` (default 0); `uptime`
    /// triggers count from it.
    #[serde(default)]
    #[schemars(with = "Option<schema::Duration>")]
    pub uptime: Option<String>,
}

/// A latent defect of one or more builds.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BugFile {
    /// The bug's id (letters, digits, `-`, `_`, `.`, `/`).
    #[schemars(with = "schema::Id")]
    pub id: String,
    /// For people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// Ids of the builds that carry the defect (at least one).
    #[schemars(with = "Vec<schema::Id>", length(min = 1))]
    pub builds: Vec<String>,
    /// When it strikes: exactly one of `at`, `uptime`, `poisson`, `on`.
    pub trigger: TriggerFile,
    /// Which hosts it can strike (default: every host on its builds).
    #[serde(default)]
    pub scope: Option<ScopeFile>,
    /// What a strike does (default: crash the host).
    #[serde(default)]
    pub effects: Option<EffectsFile>,
    /// Delay before a restarted host crashes again, until the fix: a
    /// distribution like `exp(12h)`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub recurrence: Option<String>,
    /// Delay from the first strike to the vendor's fix being applied
    /// everywhere, a distribution like `5d`, or `never` (default).
    #[serde(default)]
    #[schemars(with = "Option<schema::DistributionOrNever>")]
    pub fix: Option<String>,
    /// The vendor working on a workaround and a fix in its support hours.
    #[serde(default)]
    pub vendor: Option<VendorFile>,
}

/// The vendor of a bug's build.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorFile {
    /// Support hours: a shift like `Mon-Fri 08:00-18:00` in the scenario's
    /// time zone, or `24/7` (default).
    #[serde(default)]
    #[schemars(with = "Option<schema::Shift>")]
    pub support: Option<String>,
    /// Support effort until recurrences stop, a distribution like
    /// `pert(4h, 8h, 24h)`, or `never` (default).
    #[serde(default)]
    #[schemars(with = "Option<schema::DistributionOrNever>")]
    pub workaround: Option<String>,
    /// Support effort until the fix is applied everywhere, a distribution
    /// like `10d`, or `never` (default); not with the bug's own `fix`.
    #[serde(default)]
    #[schemars(with = "Option<schema::DistributionOrNever>")]
    pub fix: Option<String>,
}

/// A fault campaign (`--faults FILE`): replaces the scenario's faults.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultsFile {
    /// The campaign's name.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub name: Option<String>,
    /// What the campaign tries, for people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// Latent defects of builds that crash hosts; they replace the
    /// scenario's.
    #[serde(default)]
    pub bugs: Vec<BugFile>,
    /// Outages of the backup system, the inter-site link or the management
    /// plane; they replace the scenario's.
    #[serde(default)]
    pub outages: Vec<OutageFile>,
    /// Staff absences: some members of a team away for a while; they
    /// replace the scenario's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absences: Vec<AbsenceFile>,
    /// Random host failures and repairs; they replace the scenario's.
    #[serde(default)]
    pub chaos: Vec<ChaosFile>,
}

/// Exactly one of `at`, `uptime`, `poisson`, `on`.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("minProperties" = 1))]
pub struct TriggerFile {
    /// A time bomb: the local date and time every host in scope is struck,
    /// e.g. `2024-03-30 23:00` (between `start` and the horizon).
    #[serde(default)]
    #[schemars(with = "Option<schema::LocalDateTime>")]
    pub at: Option<String>,
    /// Distribution of the uptime threshold per host, e.g.
    /// `normal(mean=45d, sd=1d)`: a host is struck when its uptime since its
    /// last boot reaches it.
    #[serde(default)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub uptime: Option<String>,
    /// Mean time between strikes per host (a Poisson process), a duration
    /// like `90d`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Duration>")]
    pub poisson: Option<String>,
    /// Strike on an operation: `restart` (a host finished a reboot),
    /// `migration` (a host received a moved VM) or `restore` (a host
    /// received a restore).
    #[serde(default)]
    #[schemars(with = "Option<schema::Operation>")]
    pub on: Option<String>,
    /// With `on`: the probability per operation, 0 to 1 (default 1).
    #[serde(default)]
    #[schemars(with = "Option<schema::Probability>")]
    pub probability: Option<f64>,
}

/// An outage of a shared service.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutageFile {
    /// `backup` (no restore starts, transfers pause), `link` (no failover,
    /// no restore) or `management` (no HA restart, no failover).
    #[schemars(with = "schema::OutageKind")]
    pub what: String,
    /// Local date and time it starts, e.g. `2024-03-31 02:00`.
    #[schemars(with = "schema::LocalDateTime")]
    pub at: String,
    /// How long it lasts, a distribution like `6h` or `uniform(1h, 3h)`.
    #[serde(rename = "for")]
    #[schemars(with = "schema::Distribution")]
    pub duration: String,
}

/// A staff absence: `members` of team `team` away from `at` for `for`.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceFile {
    /// The team's id.
    #[schemars(with = "schema::Id")]
    pub team: String,
    /// How many of its members are away (1 up to the team's size): its head
    /// count on duty is capped at its size minus this meanwhile.
    #[schemars(with = "Whole<1, 10000>")]
    pub members: u32,
    /// Local date and time they leave, e.g. `2024-03-31 02:00`.
    #[schemars(with = "schema::LocalDateTime")]
    pub at: String,
    /// How long they are away, a distribution like `2d` or `uniform(1d, 3d)`.
    #[serde(rename = "for")]
    #[schemars(with = "schema::Distribution")]
    pub duration: String,
}

/// A chaos process: random failures and repairs of hosts.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChaosFile {
    /// The process's id (letters, digits, `-`, `_`, `.`, `/`).
    #[schemars(with = "schema::Id")]
    pub id: String,
    /// For people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// The hosts that fail, each with its own process (default: every
    /// host); no `probability`.
    #[serde(default)]
    pub scope: Option<ScopeFile>,
    /// Time from a repair to the next failure, a distribution like
    /// `exp(60d)`.
    #[schemars(with = "schema::Distribution")]
    pub mtbf: String,
    /// Repair time, a distribution like `lognormal(mean=8h, sd=4h)`.
    #[schemars(with = "schema::Distribution")]
    pub mttr: String,
}

/// Which hosts: the union of `hosts`, `clusters`, `sites` and `tags`.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeFile {
    /// Host ids or host group ids.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Id>")]
    pub hosts: Vec<String>,
    /// Cluster ids: their hosts.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Id>")]
    pub clusters: Vec<String>,
    /// Site ids: their hosts.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Id>")]
    pub sites: Vec<String>,
    /// Hosts with any of these tags.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Tag>")]
    pub tags: Vec<String>,
    /// Probability that each host in scope is hit, 0 to 1 (default 1;
    /// bugs only).
    #[serde(default)]
    #[schemars(with = "Option<schema::Probability>")]
    pub probability: Option<f64>,
}

/// What a bug's strike does.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EffectsFile {
    /// The host goes down with every VM on it (default `true`).
    #[serde(default)]
    #[schemars(with = "Option<schema::Bool>")]
    pub crash: Option<bool>,
    /// Probability that each VM on a crashed host is corrupted, 0 to 1
    /// (default 0); a corrupted VM needs restore, failover or reinstall.
    #[serde(default)]
    #[schemars(with = "Option<schema::Probability>")]
    pub corrupt_vm: Option<f64>,
    /// Every VM on a hit host is corrupted, crashed or not: a shared
    /// datastore is lost (default `false`).
    #[serde(default)]
    #[schemars(with = "Option<schema::Bool>")]
    pub datastore_loss: Option<bool>,
    /// The strike also deletes the replicas of the apps on a hit host (a
    /// delete that reaches the DR copy): `failover` cannot bring them back
    /// for the rest of the run (default `false`).
    #[serde(default)]
    #[schemars(with = "Option<schema::Bool>")]
    pub replica_loss: Option<bool>,
    /// A crashed host writes its crash dump for this long before it can
    /// reboot, a distribution like `pert(10m, 20m, 1h)` (needs `crash`).
    #[serde(default)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub crash_dump: Option<String>,
    /// A crashed host stays without power for this long (a site isolated,
    /// a hall cut off), a distribution like `pert(11d, 12d, 13d)` drawn per
    /// hit host: it cannot boot, be restarted in place or come back from a
    /// rebuild before its power returns (needs `crash`).
    #[serde(default)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub power_off: Option<String>,
    /// The management plane is lost for this long (no HA restart, no
    /// failover), a distribution like `4h`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub management_plane: Option<String>,
}

/// An application, or a group of identical ones.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppFile<'a> {
    /// The app's id; with `count`, the group's id (letters, digits, `-`,
    /// `_`, `.`, `/`).
    #[serde(borrow)]
    #[schemars(with = "schema::Id")]
    pub id: Text<'a>,
    /// For people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// Expands into `count` apps named `ID-01`, `ID-02`, … (1 to 100,000).
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, 100000>>")]
    pub count: Option<u32>,
    /// Tags that objectives and runbook waves can select.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Tag>")]
    pub tags: Vec<String>,
    /// Weight of the app in the `criticality` orders and the weighted
    /// impact, 1 to 1000 (default 1).
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, 1000>>")]
    pub criticality: Option<u32>,
    /// Ids of the apps or app groups it needs: it is up only when they are.
    #[serde(default, borrow)]
    #[schemars(with = "Vec<schema::Id>")]
    pub depends_on: Vec<Text<'a>>,
    /// Its virtual machines (at least one).
    #[serde(borrow)]
    #[schemars(length(min = 1))]
    pub vms: Vec<VmFile<'a>>,
    /// The effort of each recovery method it supports (at least one).
    #[serde(borrow)]
    pub work: WorkFile<'a>,
}

/// A virtual machine of an app, or several identical ones.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VmFile<'a> {
    /// How many identical VMs (1 to 100,000, default 1).
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, 100000>>")]
    pub count: Option<u32>,
    /// The id of the cluster it runs in.
    #[serde(borrow)]
    #[schemars(with = "schema::Id")]
    pub cluster: Text<'a>,
    /// The host (or host group) of that cluster it runs on before any
    /// fault (default: the first host of the cluster with room, round
    /// robin). An inventory knows it: a bug strikes the hosts of a build,
    /// so which host a VM is on decides whether it goes down.
    #[serde(default, borrow)]
    #[schemars(with = "Option<schema::Id>")]
    pub host: Option<Text<'a>>,
    /// Virtual CPUs (at least 1).
    #[schemars(with = "Whole<1, U32_MAX>")]
    pub cores: u32,
    /// Memory, a size like `8GiB`.
    #[serde(borrow)]
    #[schemars(with = "schema::Size")]
    pub memory: Text<'a>,
    /// Data to restore from backup, a size like `40GiB` (default none).
    #[serde(default, borrow)]
    #[schemars(with = "Option<schema::Size>")]
    pub disk: Option<Text<'a>>,
}

/// The effort of each recovery method an app supports: distributions of
/// durations, like `20m`, `exp(15m)` or `pert(1h, 2h, 4h)`.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("minProperties" = 1))]
pub struct WorkFile<'a> {
    /// A team member restarts it once its hosts have rebooted (also the
    /// restart after `rebuild`).
    #[serde(default, borrow)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub restart: Option<Text<'a>>,
    /// A team member rebuilds it by hand at the DR site.
    #[serde(default, borrow)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub reinstall: Option<Text<'a>>,
    /// Automated: the cluster restarts its VMs on another host.
    #[serde(default, borrow, rename = "ha-restart")]
    #[schemars(with = "Option<schema::Distribution>")]
    pub ha_restart: Option<Text<'a>>,
    /// A team member's setup of a restore at the DR site; the data
    /// transfer comes on top.
    #[serde(default, borrow)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub restore: Option<Text<'a>>,
    /// Automated: failover to its replica at the DR site.
    #[serde(default, borrow)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub failover: Option<Text<'a>>,
}

/// A team.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamFile {
    /// The team's id (letters, digits, `-`, `_`, `.`, `/`).
    #[schemars(with = "schema::Id")]
    pub id: String,
    /// For people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// How many people, 1 to 10,000; each works on one task at a time.
    #[schemars(with = "Whole<1, 10000>")]
    pub members: u32,
    /// When members are on duty (at least one shift), local times:
    /// `24/7`, `daily 07:00-22:00`, `Mon-Fri 08:00-18:00`,
    /// `Sat,Sun 09:00-13:00`, overnight `daily 22:00-06:00`, each
    /// optionally followed by the members on duty in it (`x2`; default the
    /// whole team). Overlapping shifts add up.
    #[schemars(with = "Vec<schema::Shift>", length(min = 1))]
    pub shifts: Vec<String>,
    /// Days with fewer members on duty.
    #[serde(default)]
    pub holidays: Vec<HolidayFile>,
    /// Methods its members may carry out (default: all): `restart`,
    /// `reinstall`, `ha-restart`, `restore`, `failover`, `rebuild`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<schema::Method>>", length(min = 1))]
    pub skills: Option<Vec<String>>,
    /// Probability that a member is absent (ill) on a given day, from 0 to
    /// below 1 (default 0).
    #[serde(default)]
    #[schemars(with = "Option<schema::Probability>")]
    pub absence: Option<f64>,
    /// Members who join during the recovery (people flown in, consultants
    /// hired): each of them is counted in `members` and works only from
    /// its `at`; before, the head count on duty is capped at the members
    /// not yet arrived fewer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joins: Vec<JoinFile>,
}

/// Members who join a team during the recovery.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinFile {
    /// Local date and time they arrive and start work, e.g.
    /// `2017-06-30 08:00`.
    #[schemars(with = "schema::LocalDateTime")]
    pub at: String,
    /// How many of the team's members arrive then (1 up to the team's
    /// size, all joins together at most the team's size).
    #[schemars(with = "Whole<1, 10000>")]
    pub members: u32,
}

/// A holiday of a team.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayFile {
    /// The local date, e.g. `2018-12-25`.
    #[schemars(with = "schema::Date")]
    pub date: String,
    /// The holiday's name.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub name: Option<String>,
    /// The most members on duty that day (default 0), at most the team's
    /// size.
    #[serde(default)]
    #[schemars(with = "Option<Whole<0, U32_MAX>>")]
    pub members: Option<u32>,
}

/// A recovery strategy.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategyFile {
    /// The strategy's id (letters, digits, `-`, `_`, `.`, `/`).
    #[schemars(with = "schema::Id")]
    pub id: String,
    /// For people reading the file.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub description: Option<String>,
    /// Time from a strike to someone noticing, a distribution like
    /// `exp(30m)`.
    #[schemars(with = "schema::Distribution")]
    pub detection: String,
    /// Time from detection to a decision, a distribution like
    /// `pert(2h, 6h, 24h)`; nothing but HA restart is recovered before.
    #[schemars(with = "schema::Distribution")]
    pub diagnosis: String,
    /// Recovery methods in order of preference (at least one, each once);
    /// each broken app gets the first applicable one: `restart`,
    /// `reinstall`, `ha-restart`, `restore`, `failover`, `rebuild`.
    #[schemars(with = "Vec<schema::Method>", length(min = 1))]
    pub methods: Vec<String>,
    /// Which ready app a free member takes next: `fifo`, `criticality`,
    /// `shortest-first`, `weighted-shortest` or `dependency-aware`.
    #[schemars(with = "schema::Order")]
    pub order: String,
    /// Ids of the teams that work for it (default: every team).
    #[serde(default)]
    #[schemars(with = "Option<Vec<schema::Id>>", length(min = 1))]
    pub teams: Option<Vec<String>>,
    /// Restart in place even while a bug that struck the host can recur
    /// (default `false`).
    #[serde(default)]
    #[schemars(with = "Option<schema::Bool>")]
    pub restart_despite_recurrence: Option<bool>,
    /// The id of the DR site to recover at (needed only if there are
    /// several).
    #[serde(default)]
    #[schemars(with = "Option<schema::Id>")]
    pub dr_site: Option<String>,
    /// Most tasks of each method in progress at once.
    #[serde(default)]
    pub caps: Option<CapsFile>,
    /// A runbook: apps recovered wave after wave.
    #[serde(default)]
    pub waves: Vec<WaveFile>,
    /// When to give up an app's method for the next one.
    #[serde(default)]
    pub escalate: Option<EscalateFile>,
    /// The id of the build `rebuild` reinstalls crashed hosts with.
    #[serde(default)]
    #[schemars(with = "Option<schema::Id>")]
    pub rebuild_to: Option<String>,
    /// Roll vendor fixes out by patching hosts one by one (team work, the
    /// build's `patch` effort) instead of everywhere at once (default
    /// `false`).
    #[serde(default)]
    #[schemars(with = "Option<schema::Bool>")]
    pub patch_when_fixed: Option<bool>,
    /// Automation written during the incident: from a delay after the
    /// first strike on, tasks of some methods take a share of their effort.
    #[serde(default)]
    pub automation: Vec<AutomationFile>,
}

/// A speed-up of some methods' work from a delay after the first strike.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomationFile {
    /// From this long after the run's first strike, a duration like `6d`.
    #[schemars(with = "schema::Duration")]
    pub after: String,
    /// The methods it speeds up (at least one, each in the strategy's
    /// `methods`).
    #[schemars(with = "Vec<schema::Method>", length(min = 1))]
    pub methods: Vec<String>,
    /// Each task of these methods started from then on takes this share of
    /// its drawn effort (above 0, at most 10; `0.25`: four times faster).
    #[schemars(with = "schema::Scale")]
    pub scale: f64,
}

/// Most tasks of each method in progress at once (each at least 1).
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapsFile {
    /// Most restarts at once.
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, U32_MAX>>")]
    pub restart: Option<u32>,
    /// Most reinstalls at once.
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, U32_MAX>>")]
    pub reinstall: Option<u32>,
    /// Most HA restarts at once.
    #[serde(default, rename = "ha-restart")]
    #[schemars(with = "Option<Whole<1, U32_MAX>>")]
    pub ha_restart: Option<u32>,
    /// Most restores at once (counted until the transfer ends).
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, U32_MAX>>")]
    pub restore: Option<u32>,
    /// Most failovers at once.
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, U32_MAX>>")]
    pub failover: Option<u32>,
    /// Most host rebuilds at once.
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, U32_MAX>>")]
    pub rebuild: Option<u32>,
}

/// A runbook wave.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveFile {
    /// The wave's name, shown in reports.
    #[schemars(with = "schema::Text")]
    pub name: String,
    /// App ids or app group ids.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Id>")]
    pub apps: Vec<String>,
    /// Apps with any of these tags.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Tag>")]
    pub tags: Vec<String>,
    /// A manual go step before the wave starts: a distribution of its
    /// effort, like `30m`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Distribution>")]
    pub go: Option<String>,
}

/// When to escalate an app to its next method (at least one of the two).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("minProperties" = 1))]
pub struct EscalateFile {
    /// After this many failures of its method (at least 1).
    #[serde(default)]
    #[schemars(with = "Option<Whole<1, U32_MAX>>")]
    pub after_recurrences: Option<u32>,
    /// When still waiting for its method this long after it broke, a
    /// duration like `12h`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Duration>")]
    pub after: Option<String>,
}

/// The backup system.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupFile {
    /// Total restore throughput, shared by the transfers in progress, e.g.
    /// `400GiB/h`, `100MiB/s` or `1Gbit/s`.
    #[schemars(with = "schema::Throughput")]
    pub throughput: String,
    /// Most restores transferring at once (at least 1).
    #[schemars(with = "Whole<1, U32_MAX>")]
    pub streams: u32,
    /// Time between two backups, a duration like `24h`.
    #[schemars(with = "schema::Duration")]
    pub every: String,
    /// A local date and time at which a backup completes (and every
    /// `every` before and after it), e.g. `2018-12-20 22:00`.
    #[schemars(with = "schema::LocalDateTime")]
    pub at: String,
}

/// Replication to the DR site.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplicationFile {
    /// Distribution of the replica's lag (the data a failover loses), like
    /// `uniform(1m, 15m)` (quote it inside `{ }`).
    #[schemars(with = "schema::Distribution")]
    pub lag: String,
}

/// A recovery objective.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveFile {
    /// The objective's name, shown in reports.
    #[serde(default)]
    #[schemars(with = "Option<schema::Text>")]
    pub name: Option<String>,
    /// Ids of the apps or app groups it covers.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Id>")]
    pub apps: Vec<String>,
    /// Apps with any of these tags.
    #[serde(default)]
    #[schemars(with = "Vec<schema::Tag>")]
    pub tags: Vec<String>,
    /// Recovery time objective: strike to back for good, a duration like
    /// `24h`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Duration>")]
    pub rto: Option<String>,
    /// Recovery point objective: most data lost, a duration like `1h`.
    #[serde(default)]
    #[schemars(with = "Option<schema::Duration>")]
    pub rpo: Option<String>,
}

/// Text of the file that is usually copied as written (ids, sizes,
/// distributions of the `apps` section: a big estate has a hundred
/// thousand of each), borrowed from the file's text when the parser can,
/// and owned when it had to rewrite it (an escape, a folded line). It
/// deserializes as a `String` does, with the same messages.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text<'a>(Cow<'a, str>);

impl<'a> Text<'a> {
    /// Text borrowed from a file's text, as the fast reader of the `apps`
    /// section (`super::fast`) hands it out.
    pub(super) fn borrowed(text: &'a str) -> Text<'a> {
        Text(Cow::Borrowed(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text<'static> {
    fn from(text: &str) -> Self {
        Text(Cow::Owned(text.to_string()))
    }
}

impl std::borrow::Borrow<str> for Text<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// `String`'s visitor, keeping borrowed text borrowed.
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }

            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }

            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Text<'de>, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => Ok(Text(Cow::Owned(s.to_string()))),
                    Err(_) => Err(E::invalid_value(serde::de::Unexpected::Bytes(v), &self)),
                }
            }

            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Text<'de>, E> {
                match String::from_utf8(v) {
                    Ok(s) => Ok(Text(Cow::Owned(s))),
                    Err(e) => Err(E::invalid_value(
                        serde::de::Unexpected::Bytes(&e.into_bytes()),
                        &self,
                    )),
                }
            }
        }

        deserializer.deserialize_string(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::Text;
    use crate::scenario::{DEFAULT_SCENARIO_YAML, Format, load_str};

    #[test]
    fn text_is_borrowed_when_the_parser_can_and_owned_when_it_rewrote_it() {
        let texts: Vec<Text<'_>> =
            serde_saphyr::from_str("[plain, \"quoted\", \"esc\\x61ped\"]").expect("parses");
        assert!(matches!(&texts[0].0, Cow::Borrowed("plain")), "{texts:?}");
        assert!(matches!(&texts[1].0, Cow::Borrowed("quoted")), "{texts:?}");
        assert!(
            matches!(&texts[2].0, Cow::Owned(s) if s == "escaped"),
            "{texts:?}"
        );
        let json: Vec<Text<'_>> = serde_json::from_str(r#"["a", "b\u0063"]"#).expect("parses");
        assert!(matches!(&json[0].0, Cow::Borrowed("a")), "{json:?}");
        assert_eq!(json[1].as_str(), "bc");
        // Not text: the message `String` gives.
        let err = serde_json::from_str::<Text<'_>>("[1]").expect_err("a list is not text");
        assert!(err.to_string().contains("expected a string"), "{err}");
    }

    #[test]
    fn rewritten_text_resolves_as_the_text_it_stands_for() {
        // An app id, a cluster and a distribution written with escapes
        // (owned text) resolve as written plainly (borrowed text).
        let rewritten = DEFAULT_SCENARIO_YAML
            .replacen("- id: ad-internal", "- id: \"ad\\x2dinternal\"", 1)
            .replacen("cluster: internal,", "cluster: \"\\x69nternal\",", 1);
        assert_ne!(rewritten, DEFAULT_SCENARIO_YAML);
        let load = |text: &str| {
            let s = load_str(text, "s.yaml", Format::Yaml).expect("loads");
            format!("{s:?}")
        };
        assert_eq!(load(&rewritten), load(DEFAULT_SCENARIO_YAML));
    }
}
