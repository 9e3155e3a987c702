//! The validated, index-resolved world a simulation runs on.
//!
//! Everything here is immutable during a run and shared by every
//! replication: ids are resolved to dense typed indices once at load time,
//! so the hot loop never looks up a string. Per-run mutable state lives in
//! the engine.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::sim::{Dist, Roster, SimDuration, SimTime};

macro_rules! typed_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// The index into the owning `Vec`.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

typed_id! {
    /// Index of a hypervisor build.
    BuildId,
    /// Index of a site.
    SiteId,
    /// Index of a cluster.
    ClusterId,
    /// Index of a host.
    HostId,
    /// Index of a bug.
    BugId,
    /// Index of an app.
    AppId,
    /// Index of a VM.
    VmId,
    /// Index of a staff team.
    TeamId,
    /// Index of a strategy.
    StrategyId,
}

/// A hypervisor build: the base software a host runs.
#[derive(Clone, Debug)]
pub struct Build {
    /// Id from the file.
    pub id: String,
    /// Time a host on this build takes to reboot.
    pub reboot: Dist,
}

/// The role of a site in recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteRole {
    /// Where the estate normally runs.
    Primary,
    /// The backup / disaster-recovery datacenter.
    Dr,
}

/// A datacenter.
#[derive(Clone, Debug)]
pub struct Site {
    /// Id from the file.
    pub id: String,
    /// Primary or DR.
    pub role: SiteRole,
}

/// A group of hosts in a site.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// Id from the file.
    pub id: String,
    /// The site it belongs to.
    pub site: SiteId,
}

/// A physical server running a hypervisor build.
#[derive(Clone, Debug)]
pub struct Host {
    /// Id (expanded for host groups, e.g. `esx-dmz-03`).
    pub id: String,
    /// Its cluster.
    pub cluster: ClusterId,
    /// Its cluster's site.
    pub site: SiteId,
    /// The build it runs.
    pub build: BuildId,
    /// Physical cores.
    pub cores: u32,
    /// Memory in bytes.
    pub memory_bytes: u64,
    /// Free-form tags.
    pub tags: Vec<String>,
}

/// When a bug strikes.
#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    /// A time bomb: at this instant.
    At(SimTime),
}

/// A latent defect of one or more builds: a common-mode fault.
#[derive(Clone, Debug)]
pub struct Bug {
    /// Id from the file.
    pub id: String,
    /// Builds that carry it.
    pub builds: Vec<BuildId>,
    /// When it fires.
    pub trigger: Trigger,
    /// Hosts within its scope that run an affected build, in file order.
    pub hosts: Vec<HostId>,
    /// Probability that each host in scope is hit.
    pub host_probability: f64,
    /// Whether a hit host crashes.
    pub crash: bool,
    /// Probability that each VM on a crashed host is corrupted.
    pub corrupt_vm: f64,
    /// Delay before a restarted host crashes again, until fixed.
    pub recurrence: Option<Dist>,
    /// Delay from the first strike to the fix; `None` = never.
    pub fix: Option<Dist>,
}

/// A virtual machine, part of one app.
#[derive(Clone, Debug)]
pub struct Vm {
    /// Its app.
    pub app: AppId,
    /// Where it runs before any fault.
    pub host: HostId,
    /// Virtual cores.
    pub cores: u32,
    /// Memory in bytes.
    pub memory_bytes: u64,
    /// Disk in bytes (0 if not given).
    pub disk_bytes: u64,
}

/// How an app comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// Reboot its hosts and restart it in place. Unsafe while the bug can recur.
    Restart,
    /// Reinstall it by hand at the DR site.
    Reinstall,
}

impl Method {
    /// Every method, in a fixed order (used to derive random streams).
    pub const ALL: [Method; 2] = [Method::Restart, Method::Reinstall];

    /// The name used in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::Restart => "restart",
            Method::Reinstall => "reinstall",
        }
    }

    /// Position in [`Method::ALL`].
    pub fn ordinal(self) -> u64 {
        match self {
            Method::Restart => 0,
            Method::Reinstall => 1,
        }
    }
}

/// A service: what users see as up or down.
#[derive(Clone, Debug)]
pub struct App {
    /// Id (expanded for app groups, e.g. `web-017`).
    pub id: String,
    /// The group it was expanded from, if any.
    pub group: Option<String>,
    /// Tags (tier, exposure, …).
    pub tags: Vec<String>,
    /// Criticality weight (≥ 1).
    pub criticality: u32,
    /// Apps that must be up for this one to be up.
    pub depends_on: Vec<AppId>,
    /// Apps that depend on this one.
    pub dependents: Vec<AppId>,
    /// Its VMs.
    pub vms: Vec<VmId>,
    /// Team effort to restart it once its hosts are up.
    pub restart: Option<Dist>,
    /// Team effort to reinstall it at the DR site.
    pub reinstall: Option<Dist>,
}

impl App {
    /// The work distribution for `method`, if the app supports it.
    pub fn work(&self, method: Method) -> Option<&Dist> {
        match method {
            Method::Restart => self.restart.as_ref(),
            Method::Reinstall => self.reinstall.as_ref(),
        }
    }
}

/// People who restore things.
#[derive(Clone, Debug)]
pub struct Team {
    /// Id from the file.
    pub id: String,
    /// Who is on duty when.
    pub roster: Roster,
}

/// Which app next when a worker is free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// In the order apps became ready (file order on ties).
    Fifo,
    /// Highest criticality first.
    Criticality,
    /// Least expected work first.
    ShortestFirst,
    /// Least expected work per unit of criticality first (Smith's rule):
    /// minimises the criticality-weighted sum of completion times on one team.
    WeightedShortest,
    /// Shortest first, but an app is started only when every app it depends
    /// on is up, being restored, or needs no work of its own and is itself
    /// ready in that sense: restoring a dependent first gains nothing.
    DependencyAware,
}

impl Order {
    /// The name used in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Order::Fifo => "fifo",
            Order::Criticality => "criticality",
            Order::ShortestFirst => "shortest-first",
            Order::WeightedShortest => "weighted-shortest",
            Order::DependencyAware => "dependency-aware",
        }
    }
}

/// A recovery plan: diagnosis, methods, order, people.
#[derive(Clone, Debug)]
pub struct Strategy {
    /// Id from the file.
    pub id: String,
    /// What it means, from the file.
    pub description: Option<String>,
    /// Delay from a bug's first strike to someone noticing.
    pub detection: Dist,
    /// Delay from detection to a decision on how to recover.
    pub diagnosis: Dist,
    /// Methods in order of preference; the first applicable one is used.
    pub methods: Vec<Method>,
    /// Which app next.
    pub order: Order,
    /// Teams that do the work.
    pub teams: Vec<TeamId>,
    /// Restart in place even when the bug may strike again.
    pub restart_despite_recurrence: bool,
    /// Where reinstalls go.
    pub dr_site: Option<SiteId>,
}

/// A validated scenario, ready to simulate.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Name from the file.
    pub name: String,
    /// Description from the file.
    pub description: Option<String>,
    /// Where it was loaded from (a path, or `embedded:NAME`).
    pub source: String,
    /// The scenario's time zone: every date shown is in it.
    pub tz: TimeZone,
    /// The instant simulated time zero stands for.
    pub start: Timestamp,
    /// How long a run may last.
    pub horizon: SimDuration,
    /// Upper bound on events per run.
    pub max_events: u64,
    /// Hypervisor builds.
    pub builds: Vec<Build>,
    /// Sites.
    pub sites: Vec<Site>,
    /// Clusters.
    pub clusters: Vec<Cluster>,
    /// Hosts.
    pub hosts: Vec<Host>,
    /// Bugs.
    pub bugs: Vec<Bug>,
    /// Apps, in file order.
    pub apps: Vec<App>,
    /// VMs.
    pub vms: Vec<Vm>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Strategies.
    pub strategies: Vec<Strategy>,
    /// The strategy used when none is named.
    pub default_strategy: StrategyId,
}

impl Scenario {
    /// The strategy with this id.
    pub fn strategy(&self, id: &str) -> Option<&Strategy> {
        self.strategies.iter().find(|s| s.id == id)
    }

    /// The default strategy.
    pub fn default_strategy(&self) -> &Strategy {
        &self.strategies[self.default_strategy.index()]
    }

    /// The simulated instant of the end of the horizon.
    pub fn horizon_end(&self) -> SimTime {
        SimTime::ZERO.saturating_add(self.horizon)
    }
}
