//! The fault space of a scenario: what can go wrong, derived from the
//! scenario itself (its builds, hosts, backup system, sites and calendar)
//! and narrowed or widened by a `--space` file.
//!
//! A [`Fault`] is one element of the space; a [`Campaign`] is a set of
//! them, rendered as the `bugs` and `outages` of a `--faults` campaign
//! document ([`Space::campaign_value`]).

use jiff::Timestamp;
use jiff::civil::{DateTime, Time};
use rand::RngExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ChaosError;
use crate::model::{Scenario, SiteRole, Trigger};
use crate::scenario::{Document, Format};
use crate::sim::{MS_PER_MINUTE, SimDuration};
use crate::units::format_duration;

/// The kinds of fault the space holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// One of the scenario's own bugs, its trigger, scope and effects varied.
    Bug,
    /// A generic crash bug of one build.
    Crash,
    /// An outage of the backup system.
    Backup,
    /// An outage of the link between the sites.
    Link,
    /// An outage of the management plane.
    Management,
    /// DR-site hosts crashing when VMs move onto them during recovery.
    DrHost,
    /// Some members of a team absent for a while.
    Absence,
}

impl Kind {
    /// Every kind, in order.
    pub const ALL: [Kind; 7] = [
        Kind::Bug,
        Kind::Crash,
        Kind::Backup,
        Kind::Link,
        Kind::Management,
        Kind::DrHost,
        Kind::Absence,
    ];

    /// Its name in space files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bug => "bug",
            Kind::Crash => "crash",
            Kind::Backup => "backup",
            Kind::Link => "link",
            Kind::Management => "management",
            Kind::DrHost => "dr-host",
            Kind::Absence => "absence",
        }
    }
}

/// Where a bug strikes, from the narrowest to the widest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// One host (index into the scenario's hosts).
    Host(u32),
    /// One cluster.
    Cluster(u32),
    /// One site.
    Site(u32),
    /// As the scenario's bug says.
    AsWritten,
    /// Every host on the bug's builds.
    Build,
}

/// What a bug does to the hosts it strikes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// A plain crash: the host reboots, its VMs are intact.
    Crash,
    /// A crash that corrupts each VM with this probability (in %).
    Corrupt(u8),
    /// The bug's own effects, as written in the scenario.
    AsWritten,
    /// A crash that recurs (every `exp(12h)`) until a slow vendor's
    /// workaround: office-hours support ([`SLOW_VENDOR_SUPPORT`]) and
    /// [`SLOW_VENDOR_WORKAROUND`] of its effort.
    SlowVendor,
    /// A crash that recurs (every `exp(12h)`) until a fix, never fixed.
    Recurrence,
    /// A crash that takes the management plane down this many minutes.
    Management(u32),
    /// Every VM on a hit host corrupted (a lost datastore).
    DatastoreLoss,
}

/// An outage of a shared service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    /// The backup system.
    Backup,
    /// The link between the sites.
    Link,
    /// The management plane.
    Management,
}

impl Service {
    /// Its name in campaign files.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Backup => "backup",
            Service::Link => "link",
            Service::Management => "management",
        }
    }
}

/// One fault of the space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// A bug: source `source` of [`Space::sources`], striking at minute
    /// `at` from the scenario's start (`None`: its trigger as written).
    Bug {
        /// Which bug (the scenario's, or a generic crash of a build).
        source: u32,
        /// When, in minutes from the start; `None`: as written.
        at: Option<u32>,
        /// Where.
        scope: Scope,
        /// What it does.
        effect: Effect,
    },
    /// A service down from minute `at` for `minutes`.
    Outage {
        /// Which service.
        what: Service,
        /// When it starts, in minutes from the scenario's start.
        at: u32,
        /// How long it lasts, in minutes.
        minutes: u32,
    },
    /// DR-site hosts crash, each time VMs move onto one, with this
    /// probability (in %).
    DrHost {
        /// The probability, in %.
        percent: u8,
    },
    /// `members` of team `team` absent from minute `at` for `minutes`.
    Absence {
        /// Which team (index into the scenario's teams).
        team: u32,
        /// How many of its members.
        members: u32,
        /// When they leave, in minutes from the scenario's start.
        at: u32,
        /// How long they are away, in minutes.
        minutes: u32,
    },
}

/// A campaign: a set of faults, sorted (its canonical form).
pub type Campaign = Vec<Fault>;

/// A bug the space can move, scope and change.
#[derive(Clone, Debug)]
pub struct Source {
    /// Its id in campaign files.
    pub id: String,
    /// The scenario's bug as written (`None`: a generic crash bug).
    pub raw: Option<Value>,
    /// The builds it lives on (indices).
    pub builds: Vec<u32>,
    /// Whether the scenario's trigger is an instant (`at`).
    pub timed: bool,
}

/// A candidate instant for a trigger or an outage start.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    /// Minutes from the scenario's start.
    pub minute: u32,
    /// Why it is a candidate (`Friday evening`, `holiday`, `just before the
    /// nightly backup`, or empty for a plain point of the grid).
    pub label: &'static str,
}

/// What a `--space` file says; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceFile {
    /// Which kinds of fault (default: every kind the scenario can have).
    #[serde(default)]
    pub kinds: Option<Vec<Kind>>,
    /// Most faults at once in a campaign, 1 to 8 (default 3).
    #[serde(default, deserialize_with = "max_faults")]
    pub max_faults: Option<u32>,
    /// Longest outage (default: the smaller of 3 days and the window).
    #[serde(default, deserialize_with = "duration")]
    pub longest_outage: Option<SimDuration>,
    /// Where triggers and outage starts may fall.
    #[serde(default)]
    pub window: Option<WindowFile>,
}

/// A time window in local times of the scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowFile {
    /// The first local date-time, like `2018-12-24 00:00`.
    pub from: String,
    /// The last local date-time.
    pub to: String,
}

fn duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    let text = String::deserialize(d)?;
    crate::units::parse_duration(&text)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("{e}; e.g. `1d 12h`")))
}

/// Most faults at once: 1 to [`MOST_FAULTS`], an error (located by the
/// parser) otherwise, never silently clamped.
fn max_faults<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let n = u32::deserialize(d)?;
    if (1..=MOST_FAULTS).contains(&n) {
        Ok(Some(n))
    } else {
        Err(serde::de::Error::custom(format!(
            "{n} faults at once: expected 1 to {MOST_FAULTS}"
        )))
    }
}

/// The most faults a campaign may hold.
const MOST_FAULTS: u32 = 8;

/// The fault space of a scenario.
#[derive(Clone, Debug)]
pub struct Space {
    /// The kinds searched.
    pub kinds: Vec<Kind>,
    /// Most faults in a campaign.
    pub max_faults: usize,
    /// Longest outage, in minutes.
    pub longest: u32,
    /// The window, in minutes from the start.
    pub window: (u32, u32),
    /// Candidate instants, sorted.
    pub moments: Vec<Moment>,
    /// The bugs the space can move.
    pub sources: Vec<Source>,
    /// Outage durations to draw from, in minutes, ascending.
    pub durations: Vec<u32>,
    /// The services that can be down.
    pub services: Vec<Service>,
    /// The DR site and the builds of its hosts, when there is one.
    pub dr: Option<(u32, Vec<u32>)>,
    /// The teams that can lose members: each team's index and the most of
    /// its members absent at once ([`most_absent`]).
    pub teams: Vec<(u32, u32)>,
    /// The scenario, for names and times.
    scenario: Scenario,
    /// The scenario's own `chaos` section, kept in every campaign.
    background: Value,
}

/// The support hours of the slow vendor of [`Effect::SlowVendor`].
pub const SLOW_VENDOR_SUPPORT: &str = "Mon-Fri 09:00-17:00";
/// The slow vendor's effort until its workaround stops the recurrences
/// (counted in its support hours: about two working days).
pub const SLOW_VENDOR_WORKAROUND: &str = "pert(8h, 16h, 40h)";

/// Corruption levels, in %.
const CORRUPTION: [u8; 4] = [10, 30, 60, 100];
/// DR-host failure probabilities, in %.
const DR_PERCENT: [u8; 4] = [5, 10, 20, 50];
/// Outage durations, in minutes: 1h to a week.
const LADDER: [u32; 12] = [
    60, 120, 240, 480, 720, 1080, 1440, 2160, 2880, 4320, 7200, 10080,
];

impl Space {
    /// The space derived from `scenario` (parsed as `doc`), narrowed or
    /// widened by `file` (a `--space` file's text, name and format).
    pub fn derive(
        scenario: &Scenario,
        doc: &Document,
        file: Option<(&str, &str, Format)>,
    ) -> Result<Space, ChaosError> {
        let spec: SpaceFile = match file {
            Some((text, name, format)) => crate::scenario::parse_as(text, name, format)?,
            None => SpaceFile::default(),
        };
        let horizon = minutes(scenario.horizon);
        let window = match &spec.window {
            Some(w) => {
                let name = file.map_or("", |f| f.1);
                (
                    local_minute(scenario, &w.from, name, "window.from")?,
                    local_minute(scenario, &w.to, name, "window.to")?,
                )
            }
            // Leave the second half of the horizon to recover in.
            None => (0, horizon / 2),
        };
        if window.0 >= window.1 || window.1 > horizon {
            return Err(ChaosError::Space(format!(
                "the window must start before it ends and end within the horizon ({}), got minutes {}..{}",
                scenario.horizon, window.0, window.1
            )));
        }
        let longest = spec
            .longest_outage
            .map(minutes)
            .unwrap_or_else(|| (3 * 1440).min(window.1 - window.0))
            .max(15);
        let sources = sources(scenario, doc);
        let services = services(scenario);
        let dr = dr(scenario);
        let teams: Vec<(u32, u32)> = scenario
            .teams
            .iter()
            .enumerate()
            .filter(|(_, t)| t.roster.size() > 0)
            .map(|(i, t)| (i as u32, most_absent(t.roster.size())))
            .collect();
        let mut kinds: Vec<Kind> = spec.kinds.clone().unwrap_or_else(|| Kind::ALL.to_vec());
        kinds.sort();
        kinds.dedup();
        kinds.retain(|k| match k {
            Kind::Bug => sources.iter().any(|s| s.raw.is_some()),
            Kind::Crash => sources.iter().any(|s| s.raw.is_none()),
            Kind::Backup => services.contains(&Service::Backup),
            Kind::Link => services.contains(&Service::Link),
            Kind::Management => services.contains(&Service::Management),
            Kind::DrHost => dr.is_some(),
            Kind::Absence => !teams.is_empty(),
        });
        if kinds.is_empty() {
            return Err(ChaosError::Space(
                "no kind of fault left: the scenario can have none of the kinds asked for".into(),
            ));
        }
        let max_faults = spec.max_faults.unwrap_or(3) as usize;
        let mut durations: Vec<u32> = LADDER.iter().copied().filter(|&d| d < longest).collect();
        durations.push(longest);
        let background = doc.value().get("chaos").cloned().unwrap_or(json!([]));
        Ok(Space {
            moments: moments(scenario, window, &sources),
            kinds,
            max_faults,
            longest,
            window,
            sources,
            durations,
            services,
            dr,
            teams,
            scenario: scenario.clone(),
            background,
        })
    }

    /// The scenario the space was derived from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The scopes a source may strike, narrowest first.
    pub fn scopes(&self, source: &Source) -> Vec<Scope> {
        let s = &self.scenario;
        let on = |h: &crate::model::Host| source.builds.contains(&(h.build.index() as u32));
        let mut out: Vec<Scope> = Vec::new();
        if let Some(h) = s.hosts.iter().position(on) {
            out.push(Scope::Host(h as u32));
        }
        for (c, _) in s.clusters.iter().enumerate() {
            if s.hosts.iter().any(|h| on(h) && h.cluster.index() == c) {
                out.push(Scope::Cluster(c as u32));
            }
        }
        for (k, _) in s.sites.iter().enumerate() {
            if s.hosts.iter().any(|h| on(h) && h.site.index() == k) {
                out.push(Scope::Site(k as u32));
            }
        }
        if source.raw.is_some() {
            out.push(Scope::AsWritten);
        }
        out.push(Scope::Build);
        out
    }

    /// The effects a source may have, mildest first.
    pub fn effects(&self, source: &Source) -> Vec<Effect> {
        let mut out = vec![Effect::Crash];
        out.extend(CORRUPTION.iter().map(|&p| Effect::Corrupt(p)));
        if source.raw.is_some() {
            out.push(Effect::AsWritten);
        }
        out.push(Effect::SlowVendor);
        out.push(Effect::Recurrence);
        out.push(Effect::Management(240));
        out.push(Effect::DatastoreLoss);
        out
    }

    /// A random fault of the space.
    pub fn random_fault(&self, rng: &mut impl rand::Rng) -> Fault {
        let kind = self.kinds[rng.random_range(0..self.kinds.len())];
        match kind {
            Kind::Bug | Kind::Crash => {
                let pool: Vec<u32> = (0..self.sources.len() as u32)
                    .filter(|&i| self.sources[i as usize].raw.is_some() == (kind == Kind::Bug))
                    .collect();
                let source = pool[rng.random_range(0..pool.len())];
                let src = &self.sources[source as usize];
                let scopes = self.scopes(src);
                let effects = self.effects(src);
                let at = if src.raw.is_some() && rng.random_bool(0.3) {
                    None
                } else {
                    Some(self.random_moment(rng))
                };
                Fault::Bug {
                    source,
                    at,
                    scope: scopes[rng.random_range(0..scopes.len())],
                    effect: effects[rng.random_range(0..effects.len())],
                }
            }
            Kind::Backup | Kind::Link | Kind::Management => Fault::Outage {
                what: match kind {
                    Kind::Backup => Service::Backup,
                    Kind::Link => Service::Link,
                    _ => Service::Management,
                },
                at: self.random_moment(rng),
                minutes: self.durations[rng.random_range(0..self.durations.len())],
            },
            Kind::DrHost => Fault::DrHost {
                percent: DR_PERCENT[rng.random_range(0..DR_PERCENT.len())],
            },
            Kind::Absence => {
                let (team, most) = self.teams[rng.random_range(0..self.teams.len())];
                Fault::Absence {
                    team,
                    members: rng.random_range(1..=most),
                    at: self.random_moment(rng),
                    minutes: self.durations[rng.random_range(0..self.durations.len())],
                }
            }
        }
    }

    fn random_moment(&self, rng: &mut impl rand::Rng) -> u32 {
        self.moments[rng.random_range(0..self.moments.len())].minute
    }

    /// A random campaign of 1 to `max_faults` faults, smaller ones likelier.
    pub fn random_campaign(&self, rng: &mut impl rand::Rng) -> Campaign {
        let mut n = 1;
        while n < self.max_faults && rng.random_bool(0.5) {
            n += 1;
        }
        let mut c: Campaign = (0..n).map(|_| self.random_fault(rng)).collect();
        canonical(&mut c);
        c
    }

    /// `fault` with one parameter moved to a neighbouring value.
    pub fn mutate_fault(&self, fault: Fault, rng: &mut impl rand::Rng) -> Fault {
        let step = |len: usize, i: usize, rng: &mut dyn rand::Rng| -> usize {
            if len < 2 {
                return i;
            }
            let up = rng.random_bool(0.5);
            if up {
                (i + 1).min(len - 1)
            } else {
                i.saturating_sub(1)
            }
        };
        match fault {
            Fault::Bug {
                source,
                at,
                scope,
                effect,
            } => {
                let src = &self.sources[source as usize];
                match rng.random_range(0..3) {
                    0 => {
                        let scopes = self.scopes(src);
                        let i = scopes.iter().position(|s| *s == scope).unwrap_or(0);
                        let scope = scopes[step(scopes.len(), i, rng)];
                        Fault::Bug {
                            source,
                            at,
                            scope,
                            effect,
                        }
                    }
                    1 => {
                        let effects = self.effects(src);
                        let effect = effects[rng.random_range(0..effects.len())];
                        Fault::Bug {
                            source,
                            at,
                            scope,
                            effect,
                        }
                    }
                    _ => {
                        let i = at.map_or(0, |m| self.moment_index(m));
                        let at = Some(self.moments[step(self.moments.len(), i, rng)].minute);
                        Fault::Bug {
                            source,
                            at,
                            scope,
                            effect,
                        }
                    }
                }
            }
            Fault::Outage { what, at, minutes } => {
                if rng.random_bool(0.5) {
                    let i = self.durations.partition_point(|&d| d < minutes);
                    let i = step(self.durations.len(), i.min(self.durations.len() - 1), rng);
                    Fault::Outage {
                        what,
                        at,
                        minutes: self.durations[i],
                    }
                } else {
                    let i = step(self.moments.len(), self.moment_index(at), rng);
                    Fault::Outage {
                        what,
                        at: self.moments[i].minute,
                        minutes,
                    }
                }
            }
            Fault::DrHost { percent } => {
                let i = DR_PERCENT.iter().position(|&p| p >= percent).unwrap_or(0);
                Fault::DrHost {
                    percent: DR_PERCENT[step(DR_PERCENT.len(), i, rng)],
                }
            }
            Fault::Absence {
                team,
                members,
                at,
                minutes,
            } => {
                let most = self
                    .teams
                    .iter()
                    .find(|(t, _)| *t == team)
                    .map_or(1, |(_, m)| *m);
                match rng.random_range(0..3) {
                    0 => Fault::Absence {
                        team,
                        members: step(most as usize, members.max(1) as usize - 1, rng) as u32 + 1,
                        at,
                        minutes,
                    },
                    1 => {
                        let i = self.durations.partition_point(|&d| d < minutes);
                        let i = step(self.durations.len(), i.min(self.durations.len() - 1), rng);
                        Fault::Absence {
                            team,
                            members,
                            at,
                            minutes: self.durations[i],
                        }
                    }
                    _ => Fault::Absence {
                        team,
                        members,
                        at: self.moments[step(self.moments.len(), self.moment_index(at), rng)]
                            .minute,
                        minutes,
                    },
                }
            }
        }
    }

    fn moment_index(&self, minute: u32) -> usize {
        self.moments
            .partition_point(|m| m.minute < minute)
            .min(self.moments.len().saturating_sub(1))
    }

    /// The label of a candidate instant, if it is a worst moment.
    pub fn moment_label(&self, minute: u32) -> &'static str {
        self.moments
            .iter()
            .find(|m| m.minute == minute)
            .map_or("", |m| m.label)
    }

    /// The local date-time of minute `m` from the start, as in scenario
    /// files (`2018-12-28 18:00`).
    pub fn local(&self, m: u32) -> String {
        self.zoned(m).map_or_else(
            || format!("+{m}m"),
            |z| z.strftime("%Y-%m-%d %H:%M").to_string(),
        )
    }

    /// Minute `m` for people: `Fri 2018-12-28 18:00`.
    pub fn when(&self, m: u32) -> String {
        self.zoned(m).map_or_else(
            || format!("+{m}m"),
            |z| z.strftime("%a %Y-%m-%d %H:%M").to_string(),
        )
    }

    fn zoned(&self, m: u32) -> Option<jiff::ZonedDateTime> {
        let t = self
            .scenario
            .start
            .checked_add(jiff::SignedDuration::from_mins(i64::from(m)))
            .ok()?;
        Some(t.to_zoned_datetime(self.scenario.tz.clone()))
    }

    /// The `bugs`, `outages` and `absences` of a campaign document for
    /// `campaign`, with the scenario's `chaos` section kept. Without an
    /// absence, the section is left out (a campaign that lacks it still
    /// replaces the scenario's absences: none).
    pub fn campaign_value(&self, campaign: &[Fault], name: &str) -> Value {
        let mut bugs = Vec::new();
        let mut outages = Vec::new();
        let mut absences = Vec::new();
        for (section, v) in self.fault_values(campaign) {
            match section {
                "bugs" => bugs.push(v),
                "absences" => absences.push(v),
                _ => outages.push(v),
            }
        }
        let mut doc = json!({
            "name": name,
            "bugs": bugs,
            "outages": outages,
            "chaos": self.background.clone(),
        });
        if !absences.is_empty()
            && let Some(obj) = doc.as_object_mut()
        {
            obj.insert("absences".into(), Value::Array(absences));
        }
        doc
    }

    /// The scenario's own `chaos` section, kept in every campaign.
    pub fn background(&self) -> &Value {
        &self.background
    }

    /// Each fault of a campaign as an entry of a campaign document: its
    /// section (`bugs`, `outages` or `absences`) and its value, in campaign order,
    /// bug ids made unique.
    pub fn fault_values(&self, campaign: &[Fault]) -> Vec<(&'static str, Value)> {
        let mut out = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        let mut unique = |base: &str| {
            let mut id = base.to_string();
            let mut k = 2;
            while ids.contains(&id) {
                id = format!("{base}-{k}");
                k += 1;
            }
            ids.push(id.clone());
            id
        };
        for f in campaign {
            match *f {
                Fault::Bug { .. } => out.push(("bugs", self.bug_value(f, &mut unique))),
                Fault::Outage { what, at, minutes } => out.push(("outages", json!({
                    "what": what.as_str(),
                    "at": self.local(at),
                    "for": format_duration(SimDuration::from_millis(u64::from(minutes) * MS_PER_MINUTE)),
                }))),
                Fault::DrHost { percent } => {
                    let (site, builds) = self.dr.clone().unwrap_or_default();
                    out.push(("bugs", json!({
                        "id": unique("dr-host-failure"),
                        "description": "DR hosts crash when VMs move onto them",
                        "builds": builds.iter().map(|&b| self.scenario.builds[b as usize].id.clone()).collect::<Vec<_>>(),
                        "trigger": { "on": "migration", "probability": f64::from(percent) / 100.0 },
                        "scope": { "sites": [self.scenario.sites[site as usize].id.clone()] },
                    })));
                }
                Fault::Absence { team, members, at, minutes } => out.push(("absences", json!({
                    "team": self.scenario.teams[team as usize].id,
                    "members": members,
                    "at": self.local(at),
                    "for": format_duration(SimDuration::from_millis(u64::from(minutes) * MS_PER_MINUTE)),
                }))),
            }
        }
        out
    }

    fn bug_value(&self, f: &Fault, unique: &mut dyn FnMut(&str) -> String) -> Value {
        let Fault::Bug {
            source,
            at,
            scope,
            effect,
        } = *f
        else {
            return Value::Null;
        };
        let src = &self.sources[source as usize];
        let s = &self.scenario;
        let mut bug = src.raw.clone().unwrap_or_else(|| {
            json!({
                "description": "a generic crash bug of the build",
                "builds": src.builds.iter().map(|&b| s.builds[b as usize].id.clone()).collect::<Vec<_>>(),
            })
        });
        let Some(obj) = bug.as_object_mut() else {
            return bug;
        };
        obj.insert("id".into(), json!(unique(&src.id)));
        if let Some(m) = at {
            obj.insert("trigger".into(), json!({ "at": self.local(m) }));
        } else if !obj.contains_key("trigger") {
            obj.insert("trigger".into(), json!({ "at": self.local(self.window.0) }));
        }
        match scope {
            Scope::AsWritten => {}
            Scope::Build => {
                obj.remove("scope");
            }
            Scope::Host(h) => {
                obj.insert(
                    "scope".into(),
                    json!({ "hosts": [s.hosts[h as usize].id.clone()] }),
                );
            }
            Scope::Cluster(c) => {
                obj.insert(
                    "scope".into(),
                    json!({ "clusters": [s.clusters[c as usize].id.clone()] }),
                );
            }
            Scope::Site(k) => {
                obj.insert(
                    "scope".into(),
                    json!({ "sites": [s.sites[k as usize].id.clone()] }),
                );
            }
        }
        let effects = match effect {
            Effect::AsWritten => return bug,
            Effect::Crash => json!({ "crash": true, "corrupt_vm": 0.0 }),
            Effect::Corrupt(p) => json!({ "crash": true, "corrupt_vm": f64::from(p) / 100.0 }),
            Effect::DatastoreLoss => json!({ "crash": true, "datastore_loss": true }),
            Effect::Management(m) => json!({
                "crash": true,
                "management_plane": format_duration(SimDuration::from_millis(u64::from(m) * MS_PER_MINUTE)),
            }),
            Effect::Recurrence | Effect::SlowVendor => json!({ "crash": true }),
        };
        obj.insert("effects".into(), effects);
        for key in ["recurrence", "fix", "vendor"] {
            obj.remove(key);
        }
        if matches!(effect, Effect::Recurrence | Effect::SlowVendor) {
            obj.insert("recurrence".into(), json!("exp(12h)"));
        }
        if effect == Effect::SlowVendor {
            obj.insert(
                "vendor".into(),
                json!({ "support": SLOW_VENDOR_SUPPORT, "workaround": SLOW_VENDOR_WORKAROUND }),
            );
        }
        bug
    }

    /// What a fault is, for people: `the backup system down for 1d 6h from
    /// Fri 2018-12-28 18:00 (a Friday evening)`.
    pub fn describe(&self, f: &Fault) -> String {
        let s = &self.scenario;
        let when = |m: u32| {
            let label = self.moment_label(m);
            if label.is_empty() {
                self.when(m)
            } else {
                format!("{} ({label})", self.when(m))
            }
        };
        match *f {
            Fault::Bug {
                source,
                at,
                scope,
                effect,
            } => {
                let src = &self.sources[source as usize];
                let builds: Vec<&str> = src
                    .builds
                    .iter()
                    .map(|&b| s.builds[b as usize].id.as_str())
                    .collect();
                let what = match &src.raw {
                    Some(_) => format!("bug {}", src.id),
                    None => format!("a crash bug of build {}", builds.join(", ")),
                };
                let whom = match scope {
                    Scope::Host(h) => format!("host {}", s.hosts[h as usize].id),
                    Scope::Cluster(c) => {
                        format!("every host of cluster {} on it", s.clusters[c as usize].id)
                    }
                    Scope::Site(k) => {
                        format!("every host of site {} on it", s.sites[k as usize].id)
                    }
                    Scope::AsWritten => "its hosts as written".to_string(),
                    Scope::Build => format!("every host on build {}", builds.join(", ")),
                };
                let how = match effect {
                    Effect::Crash => "a crash".to_string(),
                    Effect::Corrupt(p) => format!("a crash corrupting {p} % of the VMs"),
                    Effect::AsWritten => "its effects as written".to_string(),
                    Effect::Recurrence => "a crash recurring every ~12h, never fixed".to_string(),
                    Effect::SlowVendor => format!(
                        "a crash recurring every ~12h until a slow vendor's workaround ({SLOW_VENDOR_WORKAROUND} of work, {SLOW_VENDOR_SUPPORT})"
                    ),
                    Effect::Management(m) => format!(
                        "a crash taking the management plane down for {}",
                        SimDuration::from_millis(u64::from(m) * MS_PER_MINUTE)
                    ),
                    Effect::DatastoreLoss => "its datastores lost (every VM corrupted)".to_string(),
                };
                let time = at.map_or_else(
                    || "at its trigger as written".to_string(),
                    |m| format!("on {}", when(m)),
                );
                format!("{what} strikes {whom} {time}: {how}")
            }
            Fault::Outage { what, at, minutes } => {
                let name = match what {
                    Service::Backup => "the backup system",
                    Service::Link => "the inter-site link",
                    Service::Management => "the management plane",
                };
                format!(
                    "{name} is down for {} from {}",
                    SimDuration::from_millis(u64::from(minutes) * MS_PER_MINUTE),
                    when(at)
                )
            }
            Fault::DrHost { percent } => {
                format!("DR hosts crash with probability {percent} % each time VMs move onto them")
            }
            Fault::Absence {
                team,
                members,
                at,
                minutes,
            } => {
                let t = &s.teams[team as usize];
                let size = t.roster.size();
                let whom = match (members >= size, size) {
                    (true, 1) => format!("the only member of team {}", t.id),
                    (true, _) => format!("all {size} members of team {}", t.id),
                    _ => format!("{members} of the {size} members of team {}", t.id),
                };
                format!(
                    "{whom} {} absent for {} from {}",
                    if members == 1 { "is" } else { "are" },
                    SimDuration::from_millis(u64::from(minutes) * MS_PER_MINUTE),
                    when(at)
                )
            }
        }
    }
}

/// The most members of a team of `size` absent at once in the space: all
/// of a team of one (the only person who knows), one fewer than the team
/// otherwise (someone is always reachable; a team entirely away is a plan
/// without it, better studied with `hvsim sweep`).
pub fn most_absent(size: u32) -> u32 {
    if size <= 1 { size } else { size - 1 }
}

/// Sorts a campaign and drops duplicate faults.
pub fn canonical(c: &mut Campaign) {
    c.sort();
    c.dedup();
}

fn minutes(d: SimDuration) -> u32 {
    u32::try_from(d.as_millis() / MS_PER_MINUTE).unwrap_or(u32::MAX)
}

/// Minute of a local date-time in the scenario, as a located error if bad.
fn local_minute(s: &Scenario, text: &str, file: &str, field: &str) -> Result<u32, ChaosError> {
    let bad = |m: String| ChaosError::Space(format!("{file}: {field}: {m}"));
    let dt = crate::units::parse_local(text).map_err(bad)?;
    let t = crate::units::to_instant(&s.tz, dt, text).map_err(bad)?;
    let d = t.duration_since(s.start).as_mins();
    u32::try_from(d).map_err(|_| bad(format!("`{text}` is before the scenario's start")))
}

/// The scenario's bugs, then a generic crash bug per build with hosts.
fn sources(s: &Scenario, doc: &Document) -> Vec<Source> {
    let raw = doc.value().get("bugs").and_then(Value::as_array);
    let mut out: Vec<Source> = s
        .bugs
        .iter()
        .enumerate()
        .map(|(k, b)| Source {
            id: b.id.clone(),
            raw: raw.and_then(|r| r.get(k)).cloned(),
            builds: b.builds.iter().map(|x| x.index() as u32).collect(),
            timed: matches!(b.trigger, Trigger::At(_)),
        })
        .filter(|src| src.raw.is_some())
        .collect();
    for (k, b) in s.builds.iter().enumerate() {
        if s.hosts.iter().any(|h| h.build.index() == k) {
            out.push(Source {
                id: format!("crash-{}", b.id),
                raw: None,
                builds: vec![k as u32],
                timed: true,
            });
        }
    }
    out
}

/// The services that can be down: the backup system when there is one,
/// the link when there are two sites, the management plane always.
fn services(s: &Scenario) -> Vec<Service> {
    let mut out = Vec::new();
    if s.backup.is_some() {
        out.push(Service::Backup);
    }
    if s.sites.len() > 1 {
        out.push(Service::Link);
    }
    out.push(Service::Management);
    out
}

/// The DR site with hosts, and their builds.
fn dr(s: &Scenario) -> Option<(u32, Vec<u32>)> {
    let site = s.sites.iter().position(|x| x.role == SiteRole::Dr)?;
    let mut builds: Vec<u32> = s
        .hosts
        .iter()
        .filter(|h| h.site.index() == site)
        .map(|h| h.build.index() as u32)
        .collect();
    builds.sort();
    builds.dedup();
    (!builds.is_empty()).then_some((site as u32, builds))
}

/// The candidate instants in the window: every 6 hours, the scenario's own
/// trigger instants, and the worst moments (Friday evenings, holidays,
/// just before each nightly backup).
fn moments(s: &Scenario, (from, to): (u32, u32), sources: &[Source]) -> Vec<Moment> {
    let mut out: Vec<Moment> = Vec::new();
    let mut add = |minute: u32, label: &'static str| {
        if (from..to).contains(&minute) {
            out.push(Moment { minute, label });
        }
    };
    let mut m = from.div_ceil(360) * 360;
    while m < to {
        add(m, "");
        m += 360;
    }
    for b in &s.bugs {
        if let Trigger::At(t) = b.trigger {
            add((t.as_millis() / MS_PER_MINUTE) as u32, "the bug's own date");
        }
    }
    if let Some(bk) = &s.backup {
        let every = (bk.every.as_millis() / MS_PER_MINUTE).max(60) as u32;
        let phase = (bk.phase_ms / MS_PER_MINUTE) as u32 % every;
        let mut t = (every - phase) % every;
        while t < to {
            if t >= 30 {
                add(t - 30, "just before the nightly backup");
            }
            t += every;
        }
    }
    let minute_of = |dt: DateTime| -> Option<u32> {
        let t: Timestamp = s.tz.to_ambiguous_timestamp(dt).compatible().ok()?;
        u32::try_from(t.duration_since(s.start).as_mins()).ok()
    };
    let start = s.start.to_zoned_datetime(s.tz.clone()).date();
    for day in 0..=(to / 1440 + 1) {
        let Ok(date) = start.checked_add(jiff::Span::new().days(i64::from(day))) else {
            break;
        };
        if date.weekday() == jiff::civil::Weekday::Friday
            && let Some(m) = minute_of(date.to_datetime(Time::constant(18, 0, 0, 0)))
        {
            add(m, "a Friday evening");
        }
        let holiday = s
            .teams
            .iter()
            .any(|t| t.holidays.iter().any(|h| h.date == date));
        if holiday && let Some(m) = minute_of(date.to_datetime(Time::constant(10, 0, 0, 0))) {
            add(m, "a holiday");
        }
    }
    let _ = sources;
    out.sort_by(|a, b| {
        a.minute
            .cmp(&b.minute)
            .then_with(|| a.label.is_empty().cmp(&b.label.is_empty()))
    });
    out.dedup_by(|b, a| a.minute == b.minute);
    if out.is_empty() {
        out.push(Moment {
            minute: from,
            label: "",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Fault, Kind, Space};
    use crate::scenario::{Document, Format};

    fn space(path: &str, file: Option<&str>) -> Result<Space, super::ChaosError> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let doc = Document::read(&root.join(path)).expect("parses");
        let scenario = crate::scenario::load_path(&root.join(path)).expect("loads");
        Space::derive(
            &scenario,
            &doc,
            file.map(|t| (t, "space.yaml", Format::Yaml)),
        )
    }

    /// The worst moments of the backup-restore scenario: Friday 14 March
    /// 2025 at 18:00 and 21:30 each night, in its time zone.
    #[test]
    fn worst_moments_are_friday_evenings_and_just_before_the_backup() {
        let s = space("scenarios/backup-restore.yaml", None).expect("a space");
        let labelled: Vec<(String, &str)> = s
            .moments
            .iter()
            .filter(|m| !m.label.is_empty())
            .map(|m| (s.when(m.minute), m.label))
            .collect();
        assert!(
            labelled.contains(&("Fri 2025-03-14 18:00".into(), "a Friday evening")),
            "{labelled:?}"
        );
        assert!(labelled.contains(&(
            "Wed 2025-03-12 21:30".into(),
            "just before the nightly backup"
        )));
        assert!(labelled.contains(&("Wed 2025-03-12 15:00".into(), "the bug's own date")));
        assert!(s.kinds.contains(&Kind::Backup) && s.kinds.contains(&Kind::DrHost));
        // A single-site scenario has no link to cut.
        let one = space("scenarios/ha-single-host-crash.yaml", None).expect("a space");
        assert!(!one.kinds.contains(&Kind::Link));
    }

    #[test]
    fn a_space_file_narrows_the_kinds_and_bounds_outages() {
        let s = space(
            "scenarios/backup-restore.yaml",
            Some("kinds: [backup]\nmax_faults: 1\nlongest_outage: 5h\n"),
        )
        .expect("a space");
        assert_eq!(s.kinds, vec![Kind::Backup]);
        assert_eq!(s.durations.last(), Some(&300));
        let mut rng = <rand::rngs::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        for _ in 0..50 {
            let c = s.random_campaign(&mut rng);
            assert_eq!(c.len(), 1);
            assert!(matches!(c[0], Fault::Outage { minutes, .. } if minutes <= 300));
        }
        let err = space(
            "scenarios/backup-restore.yaml",
            Some("max_faults: 2\nlongest_outage: soon\n"),
        )
        .map(|_| ())
        .expect_err("a bad duration");
        assert!(err.to_string().starts_with("space.yaml:2:"), "{err}");
        for bad in ["max_faults: 9\n", "max_faults: 0\n"] {
            let err = space("scenarios/backup-restore.yaml", Some(bad))
                .map(|_| ())
                .expect_err("out of range");
            let text = err.to_string();
            assert!(
                text.starts_with("space.yaml:1:") && text.contains("expected 1 to 8"),
                "{text}"
            );
        }
    }
}
