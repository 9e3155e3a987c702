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
    /// Team effort to reinstall a host with this build (wipe, install,
    /// configure, rejoin the cluster), if hosts can be rebuilt to it.
    pub rebuild: Option<Dist>,
    /// Team effort to patch a host of this build once a vendor's fix exists.
    pub patch: Option<Dist>,
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
    /// Virtual CPUs a host of this site may run per physical core.
    pub vcpu_per_core: u32,
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
    /// Virtual CPUs it may run: cores × its site's `vcpu_per_core`.
    pub vcpus: u64,
    /// How long it has been up when the simulation starts (for uptime triggers).
    pub uptime: SimDuration,
    /// Free-form tags.
    pub tags: Vec<String>,
}

/// When a bug strikes.
#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    /// A time bomb: every host in scope at this instant.
    At(SimTime),
    /// Each host in scope once its uptime since its last boot reaches a
    /// threshold drawn from this distribution (a slow leak: hosts booted
    /// together fail together), again after every boot.
    Uptime(Dist),
    /// Each host in scope at the times of a Poisson process with this mean
    /// time between strikes.
    Poisson(SimDuration),
    /// A host in scope, with this probability, each time the operation
    /// happens on it.
    On(Operation, f64),
}

/// Operations that can trigger a bug on the host they happen on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// The host finished rebooting.
    Restart,
    /// A VM was moved onto the host (HA restart, failover, reinstall).
    Migration,
    /// A restore from backup finished onto the host.
    Restore,
}

impl Operation {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Restart => "restart",
            Operation::Migration => "migration",
            Operation::Restore => "restore",
        }
    }
}

/// The vendor's support: when it works on a bug, and how long until it has
/// a workaround and a fix.
#[derive(Clone, Debug)]
pub struct Vendor {
    /// Support hours (one calendar); `None` = around the clock.
    pub support: Option<Roster>,
    /// Support effort from the first strike to a workaround that stops
    /// recurrences; `None` = never.
    pub workaround: Option<Dist>,
    /// Support effort from the first strike to the fix being applied
    /// everywhere; `None` = never.
    pub fix: Option<Dist>,
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
    /// Hosts within its scope that run an affected build, in file order
    /// (so ascending: the engine binary-searches it).
    pub hosts: Vec<HostId>,
    /// Probability that each host in scope is hit.
    pub host_probability: f64,
    /// Whether a hit host crashes.
    pub crash: bool,
    /// Probability that each VM on a crashed host is corrupted.
    pub corrupt_vm: f64,
    /// Every VM on a hit host is corrupted (its shared datastore is lost).
    pub datastore_loss: bool,
    /// The replicas of the apps on a hit host are lost too: no failover
    /// for them for the rest of the run.
    pub replica_loss: bool,
    /// Time a crashed host spends writing its crash dump before it can be
    /// rebooted.
    pub crash_dump: Option<Dist>,
    /// Time a crashed host stays without power: it cannot boot before.
    pub power_off: Option<Dist>,
    /// The management plane is lost for this long: automated methods (HA
    /// restart, failover) are unavailable meanwhile.
    pub management_plane: Option<Dist>,
    /// Delay before a restarted host crashes again, until fixed.
    pub recurrence: Option<Dist>,
    /// Delay from the first strike to the fix; `None` = never (or see `vendor`).
    pub fix: Option<Dist>,
    /// The vendor's support hours, workaround and fix.
    pub vendor: Option<Vendor>,
}

/// What an outage takes away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutageKind {
    /// The backup system: no restore starts; transfers pause.
    Backup,
    /// The link between the sites: no failover, no restore; transfers pause.
    Link,
    /// The management plane: no HA restart, no failover.
    Management,
}

impl OutageKind {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            OutageKind::Backup => "backup",
            OutageKind::Link => "link",
            OutageKind::Management => "management",
        }
    }
}

/// A compounding fault: a shared service unavailable for a while.
#[derive(Clone, Debug)]
pub struct Outage {
    /// What is down.
    pub kind: OutageKind,
    /// From when.
    pub at: SimTime,
    /// For how long.
    pub duration: Dist,
}

/// A staff absence: some members of a team away for a while (a flu
/// going round, a team at an off-site), on top of the roster.
#[derive(Clone, Debug)]
pub struct Absence {
    /// Whose members.
    pub team: TeamId,
    /// How many of them: the team's head count on duty is capped at its
    /// size minus this (as a holiday caps it) while they are away.
    pub members: u32,
    /// From when.
    pub at: SimTime,
    /// For how long (drawn in each replication).
    pub duration: Dist,
}

impl Absence {
    /// When the absence ends in the replication of `seed`, this being
    /// the scenario's absence number `index`: its duration is drawn from
    /// a stream of its own, so the run and its report agree.
    pub fn until(&self, index: usize, seed: u64) -> SimTime {
        // Above the random absences' stream indices (team << 32 | day).
        let mut rng = crate::sim::RngStreams::new(seed)
            .stream(crate::sim::Purpose::Absence, (1 << 63) | index as u64);
        self.at.saturating_add(self.duration.sample(&mut rng))
    }
}

/// Random failures and repairs of hosts, for availability studies.
#[derive(Clone, Debug)]
pub struct Chaos {
    /// Id from the file.
    pub id: String,
    /// The hosts it applies to, each with its own process.
    pub hosts: Vec<HostId>,
    /// Time between failures (from a repair to the next failure).
    pub mtbf: Dist,
    /// Time to repair; the host's VMs restart by themselves afterwards.
    pub mttr: Dist,
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
    /// The cluster restarts its VMs on another healthy host of the same
    /// cluster, by itself (needs the management plane and free capacity).
    HaRestart,
    /// Restore its data from backup at the DR site: a team's setup, then a
    /// transfer sharing the backup system's throughput with other restores.
    Restore,
    /// Fail over to its replica at the DR site: automated, needs the
    /// management plane and working replication.
    Failover,
    /// Rebuild its crashed hosts on another build (a team's work per host),
    /// then restart it in place.
    Rebuild,
}

impl Method {
    /// Every method, in ordinal order (used to derive random streams).
    pub const ALL: [Method; 6] = [
        Method::Restart,
        Method::Reinstall,
        Method::HaRestart,
        Method::Restore,
        Method::Failover,
        Method::Rebuild,
    ];

    /// The name used in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::Restart => "restart",
            Method::Reinstall => "reinstall",
            Method::HaRestart => "ha-restart",
            Method::Restore => "restore",
            Method::Failover => "failover",
            Method::Rebuild => "rebuild",
        }
    }

    /// The method called `name` in files.
    pub fn parse(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Position in [`Method::ALL`]; never renumbered (random streams use it).
    pub fn ordinal(self) -> u64 {
        match self {
            Method::Restart => 0,
            Method::Reinstall => 1,
            Method::HaRestart => 2,
            Method::Restore => 3,
            Method::Failover => 4,
            Method::Rebuild => 5,
        }
    }

    /// Runs without a person: the platform does it.
    pub fn automated(self) -> bool {
        matches!(self, Method::HaRestart | Method::Failover)
    }

    /// Brings the app back at the DR site (needs room there).
    pub fn at_dr(self) -> bool {
        matches!(self, Method::Reinstall | Method::Restore | Method::Failover)
    }

    /// The names of every method, for error messages.
    pub fn expected() -> String {
        let names: Vec<String> = Method::ALL
            .iter()
            .map(|m| format!("`{}`", m.name()))
            .collect();
        match names.split_last() {
            Some((last, rest)) => format!("one of {} or {last}", rest.join(", ")),
            None => String::new(),
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
    /// Time the cluster takes to restart it on another host (automated).
    pub ha_restart: Option<Dist>,
    /// Team effort to set up its restore at the DR site (the transfer of its
    /// data comes on top, at the backup system's throughput).
    pub restore: Option<Dist>,
    /// Time an automated failover to its replica takes.
    pub failover: Option<Dist>,
    /// Its data: the sum of its VMs' disks (what a restore transfers).
    pub data_bytes: u64,
    /// The tightest recovery-time objective that applies to it.
    pub rto: Option<SimDuration>,
    /// The tightest recovery-point objective (data loss) that applies to it.
    pub rpo: Option<SimDuration>,
}

impl App {
    /// The work distribution for `method`, if the app supports it.
    pub fn work(&self, method: Method) -> Option<&Dist> {
        match method {
            // After a rebuild, the app is restarted in place.
            Method::Restart | Method::Rebuild => self.restart.as_ref(),
            Method::Reinstall => self.reinstall.as_ref(),
            Method::HaRestart => self.ha_restart.as_ref(),
            Method::Restore => self.restore.as_ref(),
            Method::Failover => self.failover.as_ref(),
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
    /// Its shifts and holidays, to rebuild the roster with random absences.
    pub shifts: Vec<crate::sim::ShiftSpec>,
    /// Its holidays (the most members on duty on a local date).
    pub holidays: Vec<crate::sim::HolidaySpec>,
    /// Probability that a member is absent (ill) on a given day.
    pub absence: f64,
    /// The methods its members may carry out (rebuilding hosts is
    /// [`Method::Rebuild`]); runbook "go" steps need no skill.
    pub skills: Vec<Method>,
    /// Members who join during the run, counted in its size; the roster
    /// already holds them back until they arrive ([`Join::apply`]).
    pub joins: Vec<Join>,
}

/// Members who join a team during the recovery: counted in the team's
/// size, on duty only from `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Join {
    /// When they arrive.
    pub at: SimTime,
    /// How many.
    pub members: u32,
}

impl Join {
    /// `roster` with the joiners held back: at each instant, at most the
    /// team's size minus the members of every join still to come are on
    /// duty (combined with other caps as the smaller, as a holiday is).
    /// The members who join are the roster's last: member `k` works only
    /// when more than `k` are on duty.
    pub fn apply(roster: Roster, joins: &[Join]) -> Result<Roster, crate::sim::CalendarError> {
        let mut joins = joins.to_vec();
        joins.sort_by_key(|j| j.at);
        let mut roster = roster;
        let mut later = joins.iter().fold(0u32, |n, j| n.saturating_add(j.members));
        for j in &joins {
            let cap = roster.size().saturating_sub(later);
            roster = roster.capped(SimTime::ZERO, j.at, cap)?;
            later = later.saturating_sub(j.members);
        }
        Ok(roster)
    }
}

impl Team {
    /// Whether its members may do `method`'s work.
    pub fn can(&self, method: Method) -> bool {
        self.skills.contains(&method)
    }
}

/// The backup system restores read from.
#[derive(Clone, Debug)]
pub struct Backup {
    /// Total restore throughput, in bytes per millisecond, shared equally
    /// by the restores in progress (processor sharing).
    pub bytes_per_ms: f64,
    /// Most restores transferring at once; others wait for a stream.
    pub streams: u32,
    /// Time between two backups of an app.
    pub every: SimDuration,
    /// Offset of the schedule: a backup completes at every instant `t`
    /// (simulated ms) with `(t + phase) % every == 0`.
    pub phase_ms: u64,
}

impl Backup {
    /// Data written since the last backup completed before instant `t`:
    /// what a restore from backup loses.
    pub fn data_loss(&self, t: SimTime) -> SimDuration {
        let every = self.every.as_millis().max(1);
        SimDuration::from_millis((t.as_millis() % every + self.phase_ms % every) % every)
    }
}

/// Replication of apps to the DR site, for failover.
#[derive(Clone, Debug)]
pub struct Replication {
    /// How far the replica is behind at the moment of failure.
    pub lag: Dist,
}

/// A recovery-time and/or recovery-point objective for a set of apps.
#[derive(Clone, Debug)]
pub struct Objective {
    /// Its name from the file (or `objective N`).
    pub name: String,
    /// Longest acceptable time from an incident to the app being back.
    pub rto: Option<SimDuration>,
    /// Most acceptable data loss.
    pub rpo: Option<SimDuration>,
    /// The apps it covers.
    pub apps: Vec<AppId>,
}

/// A runbook wave: apps restored together, after the previous wave.
#[derive(Clone, Debug)]
pub struct Wave {
    /// Its name from the file.
    pub name: String,
    /// A manual "go" step a person must carry out before the wave starts.
    pub go: Option<Dist>,
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
    /// Where reinstalls, restores and failovers go.
    pub dr_site: Option<SiteId>,
    /// Most tasks of each method in progress at once (by [`Method::ordinal`]).
    pub caps: [Option<u32>; 6],
    /// Runbook waves, in order; empty when the strategy has none.
    pub waves: Vec<Wave>,
    /// Per app, the index of its wave (apps not listed in any wave form an
    /// implicit last wave); empty when there are no waves.
    pub wave_of: Vec<u32>,
    /// Give up the current method for the next after this many
    /// recurrences knocked the app down again.
    pub escalate_after_recurrences: Option<u32>,
    /// Give up the current method for the next when the app is still down
    /// this long after it went down.
    pub escalate_after: Option<SimDuration>,
    /// The build hosts are rebuilt on by [`Method::Rebuild`].
    pub rebuild_to: Option<BuildId>,
    /// A vendor's fix is rolled out by patching each affected host (a
    /// `rebuild`-skilled member's work) instead of applying everywhere at once.
    pub patch_when_fixed: bool,
    /// Speed-ups written during the incident, by ascending `after`.
    pub automation: Vec<Automation>,
}

/// Automation that speeds up some methods' work mid-incident.
#[derive(Clone, Debug)]
pub struct Automation {
    /// From this long after the run's first strike.
    pub after: SimDuration,
    /// The methods it applies to.
    pub methods: Vec<Method>,
    /// The share of its drawn effort a task started from then on takes.
    pub scale: f64,
}

impl Strategy {
    /// The concurrency cap of `method`, if any.
    pub fn cap(&self, method: Method) -> Option<u32> {
        self.caps[method.ordinal() as usize]
    }

    /// The share of its effort a task of `method` takes when it starts
    /// `since_first_strike` after the run's first strike: the scale of the
    /// latest automation in force for the method (1 if none).
    pub fn work_scale(&self, method: Method, since_first_strike: SimDuration) -> f64 {
        self.automation
            .iter()
            .rev()
            .find(|x| x.after <= since_first_strike && x.methods.contains(&method))
            .map_or(1.0, |x| x.scale)
    }
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
    /// The backup system, if backups are modelled.
    pub backup: Option<Backup>,
    /// Replication to the DR site, if modelled.
    pub replication: Option<Replication>,
    /// Recovery objectives.
    pub objectives: Vec<Objective>,
    /// Compounding outages of shared services.
    pub outages: Vec<Outage>,
    /// Staff absences (fault-like: a campaign may bring them).
    pub absences: Vec<Absence>,
    /// Random failure and repair processes.
    pub chaos: Vec<Chaos>,
    /// Strategies.
    pub strategies: Vec<Strategy>,
    /// The strategy used when none is named.
    pub default_strategy: StrategyId,
}

impl Scenario {
    /// Whether anything can take an app down: a bug, a scheduled outage or
    /// random host failures. A scenario without any has no outage, so
    /// nothing to recover.
    pub fn can_fail(&self) -> bool {
        !(self.bugs.is_empty() && self.outages.is_empty() && self.chaos.is_empty())
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ShiftSpec;

    fn h(hours: u64) -> SimTime {
        SimTime::ZERO.saturating_add(SimDuration::from_hours(hours))
    }

    /// Ten around the clock, three joining at 10 h and five at 30 h (given
    /// out of order): 2 on duty, then 5, then all 10; the joiners are the
    /// last members, so member 1 works from the start and member 9 only
    /// from 30 h.
    #[test]
    fn joiners_are_held_back_until_they_arrive() {
        let tz = TimeZone::get("UTC").expect("UTC");
        let start: Timestamp = "2024-01-05T00:00:00Z".parse().expect("date");
        let spec = ShiftSpec::parse("24/7").expect("shift");
        let roster =
            Roster::build(&tz, start, SimDuration::from_days(3), 10, &[spec], &[]).expect("roster");
        let joins = [
            Join {
                at: h(30),
                members: 5,
            },
            Join {
                at: h(10),
                members: 3,
            },
        ];
        let r = Join::apply(roster.clone(), &joins).expect("joined");
        assert_eq!(r.size(), 10);
        assert_eq!(r.available(h(0)), 2);
        assert_eq!(r.available(h(9)), 2);
        assert_eq!(r.available(h(10)), 5);
        assert_eq!(r.available(h(29)), 5);
        assert_eq!(r.available(h(30)), 10);
        assert_eq!(r.worker(1), roster.worker(1));
        assert!(!r.worker(2).duty_at(h(9)).on && r.worker(2).duty_at(h(10)).on);
        assert!(!r.worker(9).duty_at(h(29)).on && r.worker(9).duty_at(h(30)).on);
        // No joins: the roster as it was.
        assert_eq!(Join::apply(roster.clone(), &[]).expect("same"), roster);
    }
}
