//! The scenario file as written: serde types mirroring YAML/TOML/JSON.
//!
//! Every struct rejects unknown fields, so a misspelt key is an error with
//! its location instead of a silently ignored assumption. Values stay as
//! text here (durations, sizes, distributions, dates); `resolve` turns them
//! into typed, index-resolved model values with errors that name the field.

// `description` and `name` fields are documentation for people reading the
// file; they are accepted (and type-checked) but not simulated.
#![allow(dead_code)]

use serde::Deserialize;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// IANA time zone, e.g. `Pacific/Noumea`.
    pub time_zone: String,
    /// Local date and time the simulated clock starts at, e.g. `2018-12-20 00:00`.
    pub start: String,
    /// How long the simulation may run, e.g. `30d`.
    pub horizon: String,
    #[serde(default)]
    pub limits: Option<LimitsFile>,
    pub builds: Vec<BuildFile>,
    pub sites: Vec<SiteFile>,
    pub clusters: Vec<ClusterFile>,
    pub hosts: Vec<HostFile>,
    #[serde(default)]
    pub bugs: Vec<BugFile>,
    pub apps: Vec<AppFile>,
    pub teams: Vec<TeamFile>,
    #[serde(default)]
    pub backup: Option<BackupFile>,
    #[serde(default)]
    pub replication: Option<ReplicationFile>,
    #[serde(default)]
    pub objectives: Vec<ObjectiveFile>,
    #[serde(default)]
    pub outages: Vec<OutageFile>,
    #[serde(default)]
    pub chaos: Vec<ChaosFile>,
    pub strategies: Vec<StrategyFile>,
    #[serde(default)]
    pub default_strategy: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    #[serde(default)]
    pub max_events: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildFile {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Distribution of the time a host takes to reboot on this build.
    pub reboot: String,
    /// Team effort to reinstall a host with this build.
    #[serde(default)]
    pub rebuild: Option<String>,
    /// Team effort to patch a host of this build once the vendor's fix exists.
    #[serde(default)]
    pub patch: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `primary` (default) or `dr`.
    #[serde(default)]
    pub role: Option<String>,
    /// Virtual CPUs per physical core a host may run (default 4).
    #[serde(default)]
    pub vcpu_per_core: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterFile {
    pub id: String,
    pub site: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostFile {
    pub id: String,
    pub cluster: String,
    pub build: String,
    /// Expands into `count` hosts named `ID-01`, `ID-02`, ….
    #[serde(default)]
    pub count: Option<u32>,
    pub cores: u32,
    pub memory: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Uptime at the start, e.g. `30d` (default 0).
    #[serde(default)]
    pub uptime: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BugFile {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Builds that carry the defect.
    pub builds: Vec<String>,
    pub trigger: TriggerFile,
    #[serde(default)]
    pub scope: Option<ScopeFile>,
    #[serde(default)]
    pub effects: Option<EffectsFile>,
    /// Delay before a restarted host crashes again, until the fix.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// Delay from the first strike to the vendor's fix being applied, or `never`.
    #[serde(default)]
    pub fix: Option<String>,
    #[serde(default)]
    pub vendor: Option<VendorFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorFile {
    /// A shift like `Mon-Fri 08:00-18:00`, or `24/7` (default).
    #[serde(default)]
    pub support: Option<String>,
    #[serde(default)]
    pub workaround: Option<String>,
    #[serde(default)]
    pub fix: Option<String>,
}

/// A fault campaign (`--faults FILE`): replaces the scenario's faults.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsFile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub bugs: Vec<BugFile>,
    #[serde(default)]
    pub outages: Vec<OutageFile>,
    #[serde(default)]
    pub chaos: Vec<ChaosFile>,
}

/// Exactly one of `at`, `uptime`, `poisson`, `on`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerFile {
    /// Local date and time of a time bomb.
    #[serde(default)]
    pub at: Option<String>,
    /// Distribution of the uptime threshold per host.
    #[serde(default)]
    pub uptime: Option<String>,
    /// Mean time between strikes per host.
    #[serde(default)]
    pub poisson: Option<String>,
    /// `restart`, `migration` or `restore`.
    #[serde(default)]
    pub on: Option<String>,
    /// With `on`: the probability per operation.
    #[serde(default)]
    pub probability: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutageFile {
    /// `backup`, `link` or `management`.
    pub what: String,
    pub at: String,
    #[serde(rename = "for")]
    pub duration: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChaosFile {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub scope: Option<ScopeFile>,
    pub mtbf: String,
    pub mttr: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeFile {
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub clusters: Vec<String>,
    #[serde(default)]
    pub sites: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Probability that each host in scope is hit.
    #[serde(default)]
    pub probability: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectsFile {
    #[serde(default)]
    pub crash: Option<bool>,
    /// Probability that each VM on a crashed host is corrupted.
    #[serde(default)]
    pub corrupt_vm: Option<f64>,
    #[serde(default)]
    pub datastore_loss: Option<bool>,
    #[serde(default)]
    pub crash_dump: Option<String>,
    #[serde(default)]
    pub management_plane: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppFile {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Expands into `count` apps named `ID-01`, `ID-02`, ….
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub criticality: Option<u32>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    pub vms: Vec<VmFile>,
    pub work: WorkFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmFile {
    #[serde(default)]
    pub count: Option<u32>,
    pub cluster: String,
    pub cores: u32,
    pub memory: String,
    #[serde(default)]
    pub disk: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkFile {
    #[serde(default)]
    pub restart: Option<String>,
    #[serde(default)]
    pub reinstall: Option<String>,
    #[serde(default, rename = "ha-restart")]
    pub ha_restart: Option<String>,
    #[serde(default)]
    pub restore: Option<String>,
    #[serde(default)]
    pub failover: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamFile {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    pub members: u32,
    pub shifts: Vec<String>,
    #[serde(default)]
    pub holidays: Vec<HolidayFile>,
    /// Methods its members may carry out (default: all).
    #[serde(default)]
    pub skills: Option<Vec<String>>,
    /// Probability that a member is absent (ill) on a given day.
    #[serde(default)]
    pub absence: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayFile {
    pub date: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub members: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyFile {
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    pub detection: String,
    pub diagnosis: String,
    pub methods: Vec<String>,
    pub order: String,
    #[serde(default)]
    pub teams: Option<Vec<String>>,
    #[serde(default)]
    pub restart_despite_recurrence: Option<bool>,
    #[serde(default)]
    pub dr_site: Option<String>,
    #[serde(default)]
    pub caps: Option<CapsFile>,
    #[serde(default)]
    pub waves: Vec<WaveFile>,
    #[serde(default)]
    pub escalate: Option<EscalateFile>,
    /// The build `rebuild` reinstalls hosts with.
    #[serde(default)]
    pub rebuild_to: Option<String>,
    /// Roll vendor fixes out by patching hosts (team work).
    #[serde(default)]
    pub patch_when_fixed: Option<bool>,
}

/// Most tasks of each method in progress at once.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapsFile {
    #[serde(default)]
    pub restart: Option<u32>,
    #[serde(default)]
    pub reinstall: Option<u32>,
    #[serde(default, rename = "ha-restart")]
    pub ha_restart: Option<u32>,
    #[serde(default)]
    pub restore: Option<u32>,
    #[serde(default)]
    pub failover: Option<u32>,
    #[serde(default)]
    pub rebuild: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveFile {
    pub name: String,
    /// App ids or app group ids.
    #[serde(default)]
    pub apps: Vec<String>,
    /// Apps with any of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A manual step (distribution of its effort) before the wave starts.
    #[serde(default)]
    pub go: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalateFile {
    #[serde(default)]
    pub after_recurrences: Option<u32>,
    /// A duration, e.g. `12h`.
    #[serde(default)]
    pub after: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupFile {
    /// e.g. `400GiB/h`.
    pub throughput: String,
    /// Most restores transferring at once.
    pub streams: u32,
    /// Time between two backups, e.g. `24h`.
    pub every: String,
    /// A local date and time at which a backup completes, e.g. `2018-12-20 22:00`.
    pub at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicationFile {
    /// Distribution of the replica's lag.
    pub lag: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveFile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub apps: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub rto: Option<String>,
    #[serde(default)]
    pub rpo: Option<String>,
}
