//! Validation and id resolution: [`raw::ScenarioFile`] → [`Scenario`].
//!
//! Problems are collected, not thrown: a user fixing a file wants every
//! mistake at once. Each is recorded against a field path and located in
//! the source text at the end.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::raw::{self, ScenarioFile};
use super::{Diagnostic, FieldPath, Locator, ScenarioError};
use crate::model::*;
use crate::sim::{Dist, HolidaySpec, Roster, ShiftSpec, SimDuration, SimTime};
use crate::units::{
    ByteSize, parse_duration, parse_local, parse_size, parse_throughput, to_instant,
};

/// Most items one `count` may expand into.
pub const MAX_GROUP_COUNT: u32 = 100_000;
/// Most hosts, apps or VMs in one scenario.
pub const MAX_ENTITIES: usize = 1_000_000;
/// Longest horizon: ten years.
pub const MAX_HORIZON: SimDuration = SimDuration::from_days(3653);
/// Default bound on events per run.
pub const DEFAULT_MAX_EVENTS: u64 = 10_000_000;
/// Virtual CPUs per physical core when a site does not say: a common
/// consolidation ratio for general-purpose VMware clusters.
pub const DEFAULT_VCPU_PER_CORE: u32 = 4;

struct Ctx {
    errors: Vec<(FieldPath, String)>,
}

impl Ctx {
    fn err(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.errors.push((path.clone(), message.into()));
    }

    fn dist(&mut self, path: &FieldPath, text: &str) -> Option<Dist> {
        match Dist::parse(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(path, e.to_string());
                None
            }
        }
    }

    fn duration(&mut self, path: &FieldPath, text: &str) -> Option<SimDuration> {
        match parse_duration(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(path, e.to_string());
                None
            }
        }
    }

    fn size(&mut self, path: &FieldPath, text: &str) -> Option<u64> {
        match parse_size(text) {
            Ok(s) if s.0 > 0 => Some(s.0),
            Ok(_) => {
                self.err(path, "must be more than zero");
                None
            }
            Err(e) => {
                self.err(path, e.to_string());
                None
            }
        }
    }

    fn probability(&mut self, path: &FieldPath, p: Option<f64>, default: f64) -> f64 {
        match p {
            None => default,
            Some(p) if (0.0..=1.0).contains(&p) => p,
            Some(p) => {
                self.err(
                    path,
                    format!("a probability must be between 0 and 1, got {p}"),
                );
                default
            }
        }
    }

    fn id(
        &mut self,
        path: &FieldPath,
        id: &str,
        seen: &mut BTreeMap<String, FieldPath>,
        kind: &str,
    ) {
        if id.is_empty() {
            self.err(path, format!("a {kind} id cannot be empty"));
            return;
        }
        if let Some(c) = id
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')))
        {
            self.err(
                path,
                format!(
                    "{kind} id `{id}` contains `{c}`: use letters, digits, `-`, `_`, `.` or `/`"
                ),
            );
        }
        if let Some(first) = seen.get(id) {
            self.err(
                path,
                format!("duplicate {kind} id `{id}` (first defined at {first})"),
            );
        } else {
            seen.insert(id.to_string(), path.clone());
        }
    }

    fn count(&mut self, path: &FieldPath, count: Option<u32>) -> u32 {
        match count {
            None => 1,
            Some(0) => {
                self.err(path, "count must be at least 1");
                1
            }
            Some(n) if n > MAX_GROUP_COUNT => {
                self.err(
                    path,
                    format!("count {n} is over the limit of {MAX_GROUP_COUNT} per group"),
                );
                1
            }
            Some(n) => n,
        }
    }
}

/// Resolves `name` among `known` ids, or records an error with a suggestion.
fn lookup<T: Copy>(
    ctx: &mut Ctx,
    path: &FieldPath,
    name: &str,
    known: &BTreeMap<String, T>,
    kind: &str,
) -> Option<T> {
    if let Some(v) = known.get(name) {
        return Some(*v);
    }
    let mut message = format!("unknown {kind} `{name}`");
    if let Some(s) = suggest(name, known.keys().map(String::as_str)) {
        message.push_str(&format!(": did you mean `{s}`?"));
    } else if known.len() <= 12 && !known.is_empty() {
        let list: Vec<_> = known.keys().map(|k| format!("`{k}`")).collect();
        message.push_str(&format!(": expected one of {}", list.join(", ")));
    }
    ctx.err(path, message);
    None
}

/// The closest candidate within a small edit distance.
fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != *cb);
                cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// A shift, optionally followed by how many of the team's members are on
/// duty in it: `daily 22:00-06:00 x2` (default: the whole team). Rotations
/// are several such shifts.
fn parse_shift(text: &str, team_members: u32) -> Result<ShiftSpec, String> {
    let t = text.trim();
    let (body, members) = match t.rsplit_once(' ') {
        Some((body, last)) if last.starts_with(['x', '×']) => {
            let n = last.trim_start_matches(['x', '×']);
            match n.parse::<u32>() {
                Ok(n) if n >= 1 && n <= team_members => (body, Some(n)),
                _ => {
                    return Err(format!(
                        "`{last}` in shift `{text}`: expected `xN`, the members on duty, from 1 to the team's {team_members}"
                    ));
                }
            }
        }
        _ => (t, None),
    };
    let mut spec = ShiftSpec::parse(body).map_err(|e| e.to_string())?;
    spec.members = members;
    Ok(spec)
}

fn expand_ids(id: &str, count: u32, explicit: bool) -> Vec<String> {
    if !explicit {
        return vec![id.to_string()];
    }
    let width = count.to_string().len().max(2);
    (1..=count).map(|i| format!("{id}-{i:0width$}")).collect()
}

/// The top-level sections a fault campaign file (`--faults`) provides.
pub(super) const FAULT_SECTIONS: [&str; 3] = ["bugs", "outages", "chaos"];

pub(super) fn resolve(
    raw: ScenarioFile,
    file: &str,
    locator: &Locator,
    faults: Option<(&str, &Locator)>,
) -> Result<Scenario, ScenarioError> {
    let mut ctx = Ctx { errors: Vec::new() };
    let root = FieldPath::root();
    let scenario = build(&mut ctx, &root, raw);
    if ctx.errors.is_empty()
        && let Some(s) = scenario
    {
        return Ok(s);
    }
    let mut diagnostics: Vec<Diagnostic> = ctx
        .errors
        .into_iter()
        .map(|(path, message)| {
            // Faults from a campaign file are located in that file.
            let in_faults = matches!(path.0.first(), Some(super::Seg::Key(k)) if FAULT_SECTIONS.contains(&k.as_str()));
            let (file, locator) = match faults {
                Some(f) if in_faults => f,
                _ => (file, locator),
            };
            Diagnostic {
                file: file.to_string(),
                at: locator.locate(&path),
                path: (!path.0.is_empty()).then_some(path),
                message,
            }
        })
        .collect();
    diagnostics.sort_by_key(|d| d.at);
    if diagnostics.is_empty() {
        // Defensive: `build` returns None only after recording an error.
        diagnostics.push(Diagnostic {
            file: file.to_string(),
            at: None,
            path: None,
            message: "the scenario is invalid".into(),
        });
    }
    Err(ScenarioError::Invalid { diagnostics })
}

fn build(ctx: &mut Ctx, root: &FieldPath, raw: ScenarioFile) -> Option<Scenario> {
    if raw.name.trim().is_empty() {
        ctx.err(&root.key("name"), "the scenario needs a name");
    }
    let tz = match TimeZone::get(raw.time_zone.trim()) {
        Ok(tz) => Some(tz),
        Err(_) => {
            ctx.err(
                &root.key("time_zone"),
                format!(
                    "unknown time zone `{}`: expected an IANA name like `Pacific/Noumea`, `Europe/Paris` or `UTC`",
                    raw.time_zone
                ),
            );
            None
        }
    };
    let start_path = root.key("start");
    let start_local = match parse_local(&raw.start) {
        Ok(dt) => Some(dt),
        Err(e) => {
            ctx.err(&start_path, e);
            None
        }
    };
    let start = match (&tz, start_local) {
        (Some(tz), Some(dt)) => match to_instant(tz, dt, &raw.start) {
            Ok(ts) => Some(ts),
            Err(e) => {
                ctx.err(&start_path, e);
                None
            }
        },
        _ => None,
    };
    let horizon_path = root.key("horizon");
    let horizon = ctx.duration(&horizon_path, &raw.horizon).and_then(|h| {
        if h == SimDuration::ZERO {
            ctx.err(&horizon_path, "the horizon must be longer than zero");
            None
        } else if h > MAX_HORIZON {
            ctx.err(
                &horizon_path,
                format!("the horizon {h} is over the limit of 10 years"),
            );
            None
        } else {
            Some(h)
        }
    });
    let max_events = match raw.limits.as_ref().and_then(|l| l.max_events) {
        Some(0) => {
            ctx.err(&root.key("limits").key("max_events"), "must be at least 1");
            DEFAULT_MAX_EVENTS
        }
        Some(n) => n,
        None => DEFAULT_MAX_EVENTS,
    };

    // Converts a local date-time field into simulated time.
    let to_sim = |ctx: &mut Ctx, path: &FieldPath, text: &str| -> Option<SimTime> {
        let dt = match parse_local(text) {
            Ok(dt) => dt,
            Err(e) => {
                ctx.err(path, e);
                return None;
            }
        };
        let (tz, start, horizon) = (tz.as_ref()?, start?, horizon?);
        let ts = match to_instant(tz, dt, text) {
            Ok(ts) => ts,
            Err(e) => {
                ctx.err(path, e);
                return None;
            }
        };
        let ms = ts.as_millisecond() - start.as_millisecond();
        if ms < 0 {
            ctx.err(
                path,
                format!("`{text}` is before the scenario's start ({})", raw.start),
            );
            return None;
        }
        let t = SimTime::from_millis(ms as u64);
        if t > SimTime::ZERO.saturating_add(horizon) {
            ctx.err(
                path,
                format!("`{text}` is after the horizon ({} from the start)", horizon),
            );
            return None;
        }
        Some(t)
    };

    // Builds.
    let mut build_ids = BTreeMap::new();
    let mut builds = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, b) in raw.builds.iter().enumerate() {
        let p = root.key("builds").index(i);
        ctx.id(&p.key("id"), &b.id, &mut seen, "build");
        let reboot = ctx.dist(&p.key("reboot"), &b.reboot);
        let rebuild = b
            .rebuild
            .as_ref()
            .and_then(|t| ctx.dist(&p.key("rebuild"), t));
        let patch = b.patch.as_ref().and_then(|t| ctx.dist(&p.key("patch"), t));
        build_ids.insert(b.id.clone(), BuildId(builds.len() as u32));
        builds.push(Build {
            id: b.id.clone(),
            reboot: reboot.unwrap_or(Dist::Fixed(SimDuration::ZERO)),
            rebuild,
            patch,
        });
    }
    if raw.builds.is_empty() {
        ctx.err(&root.key("builds"), "declare at least one hypervisor build");
    }

    // Sites and clusters.
    let mut site_ids = BTreeMap::new();
    let mut sites = Vec::new();
    let mut site_roles_ok = true;
    let mut seen = BTreeMap::new();
    for (i, s) in raw.sites.iter().enumerate() {
        let p = root.key("sites").index(i);
        ctx.id(&p.key("id"), &s.id, &mut seen, "site");
        let role = match s.role.as_deref() {
            None | Some("primary") => SiteRole::Primary,
            Some("dr") => SiteRole::Dr,
            Some(other) => {
                ctx.err(
                    &p.key("role"),
                    format!("unknown site role `{other}`: expected `primary` or `dr`"),
                );
                site_roles_ok = false;
                SiteRole::Primary
            }
        };
        let vcpu_per_core = match s.vcpu_per_core {
            None => DEFAULT_VCPU_PER_CORE,
            Some(n @ 1..=64) => n,
            Some(n) => {
                ctx.err(
                    &p.key("vcpu_per_core"),
                    format!("expected between 1 and 64 virtual CPUs per physical core, got {n}"),
                );
                DEFAULT_VCPU_PER_CORE
            }
        };
        site_ids.insert(s.id.clone(), SiteId(sites.len() as u32));
        sites.push(Site {
            id: s.id.clone(),
            role,
            vcpu_per_core,
        });
    }
    let mut cluster_ids = BTreeMap::new();
    let mut clusters = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, c) in raw.clusters.iter().enumerate() {
        let p = root.key("clusters").index(i);
        ctx.id(&p.key("id"), &c.id, &mut seen, "cluster");
        let site = lookup(ctx, &p.key("site"), &c.site, &site_ids, "site");
        cluster_ids.insert(c.id.clone(), ClusterId(clusters.len() as u32));
        clusters.push(Cluster {
            id: c.id.clone(),
            site: site.unwrap_or(SiteId(0)),
        });
    }

    // Hosts, with group expansion. Group ids resolve to all their members.
    let mut host_ids: BTreeMap<String, HostId> = BTreeMap::new();
    let mut host_groups: BTreeMap<String, Vec<HostId>> = BTreeMap::new();
    let mut hosts: Vec<Host> = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, h) in raw.hosts.iter().enumerate() {
        let p = root.key("hosts").index(i);
        let dup_raw = seen.contains_key(&h.id);
        ctx.id(&p.key("id"), &h.id, &mut seen, "host");
        let cluster = lookup(ctx, &p.key("cluster"), &h.cluster, &cluster_ids, "cluster");
        let build = lookup(ctx, &p.key("build"), &h.build, &build_ids, "build");
        let count = ctx.count(&p.key("count"), h.count);
        if h.cores == 0 {
            ctx.err(&p.key("cores"), "a host needs at least one core");
        }
        let memory = ctx.size(&p.key("memory"), &h.memory).unwrap_or(0);
        let uptime = h
            .uptime
            .as_ref()
            .and_then(|t| ctx.duration(&p.key("uptime"), t))
            .unwrap_or(SimDuration::ZERO);
        if hosts.len() + count as usize > MAX_ENTITIES {
            ctx.err(
                &p.key("count"),
                format!("more than {MAX_ENTITIES} hosts in total"),
            );
            break;
        }
        let mut members = Vec::new();
        for id in expand_ids(&h.id, count, h.count.is_some()) {
            let hid = HostId(hosts.len() as u32);
            if host_ids.insert(id.clone(), hid).is_some() && !dup_raw {
                ctx.err(
                    &p.key("id"),
                    format!("host id `{id}` is defined twice (`count` expands a group to ID-01, ID-02, …)"),
                );
            }
            members.push(hid);
            let cl = cluster.unwrap_or(ClusterId(0));
            let site = clusters.get(cl.index()).map_or(SiteId(0), |c| c.site);
            let per_core = sites.get(site.index()).map_or(1, |s| s.vcpu_per_core);
            hosts.push(Host {
                id,
                cluster: cl,
                site,
                build: build.unwrap_or(BuildId(0)),
                cores: h.cores,
                memory_bytes: memory,
                // A zero-core host is reported above; do not cascade into
                // "cluster full" errors for every VM.
                vcpus: if h.cores == 0 {
                    u64::MAX
                } else {
                    u64::from(h.cores) * u64::from(per_core)
                },
                tags: h.tags.clone(),
                uptime,
            });
        }
        if h.count.is_some() {
            host_groups.insert(h.id.clone(), members);
        }
    }
    if hosts.is_empty() {
        ctx.err(&root.key("hosts"), "declare at least one host");
    }
    let mut host_refs: BTreeMap<String, usize> = BTreeMap::new();
    let mut host_ref_lists: Vec<Vec<HostId>> = Vec::new();
    for (id, h) in &host_ids {
        host_refs.insert(id.clone(), host_ref_lists.len());
        host_ref_lists.push(vec![*h]);
    }
    for (id, members) in &host_groups {
        host_refs.insert(id.clone(), host_ref_lists.len());
        host_ref_lists.push(members.clone());
    }

    // Apps, with group expansion; dependencies resolved once all are known.
    let mut app_ids: BTreeMap<String, AppId> = BTreeMap::new();
    let mut app_groups: BTreeMap<String, Vec<AppId>> = BTreeMap::new();
    let mut apps: Vec<App> = Vec::new();
    let mut app_origin: Vec<usize> = Vec::new();
    let mut vms: Vec<Vm> = Vec::new();
    let mut vm_cluster: Vec<(ClusterId, FieldPath)> = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, a) in raw.apps.iter().enumerate() {
        let p = root.key("apps").index(i);
        let dup_raw = seen.contains_key(&a.id);
        ctx.id(&p.key("id"), &a.id, &mut seen, "app");
        let count = ctx.count(&p.key("count"), a.count);
        let criticality = match a.criticality {
            None => 1,
            Some(c) if (1..=1000).contains(&c) => c,
            Some(c) => {
                ctx.err(
                    &p.key("criticality"),
                    format!("criticality must be between 1 and 1000, got {c}"),
                );
                1
            }
        };
        let wp = p.key("work");
        let mut work = |key: &str, text: &Option<String>| {
            text.as_ref().and_then(|t| ctx.dist(&wp.key(key), t))
        };
        let restart = work("restart", &a.work.restart);
        let reinstall = work("reinstall", &a.work.reinstall);
        let ha_restart = work("ha-restart", &a.work.ha_restart);
        let restore = work("restore", &a.work.restore);
        let failover = work("failover", &a.work.failover);
        let w = &a.work;
        if [
            &w.restart,
            &w.reinstall,
            &w.ha_restart,
            &w.restore,
            &w.failover,
        ]
        .iter()
        .all(|x| x.is_none())
        {
            ctx.err(
                &wp,
                "an app needs the work of at least one recovery method: `restart`, `reinstall`, `ha-restart`, `restore` or `failover`",
            );
        }
        if a.vms.is_empty() {
            ctx.err(&p.key("vms"), "an app needs at least one VM");
        }
        // Each VM spec, validated once per spec.
        let mut specs = Vec::new();
        for (j, v) in a.vms.iter().enumerate() {
            let vp = p.key("vms").index(j);
            let cluster = lookup(ctx, &vp.key("cluster"), &v.cluster, &cluster_ids, "cluster");
            let vcount = ctx.count(&vp.key("count"), v.count);
            if v.cores == 0 {
                ctx.err(&vp.key("cores"), "a VM needs at least one core");
            }
            let memory = ctx.size(&vp.key("memory"), &v.memory).unwrap_or(0);
            let disk = match &v.disk {
                Some(d) => ctx.size(&vp.key("disk"), d).unwrap_or(0),
                None => 0,
            };
            specs.push((cluster, vcount, v.cores, memory, disk, vp));
        }
        let data_bytes: u64 = specs
            .iter()
            .map(|s| u64::from(s.1).saturating_mul(s.4))
            .fold(0, u64::saturating_add);
        let vms_per_app: u64 = specs.iter().map(|s| u64::from(s.1)).sum();
        if apps.len() + count as usize > MAX_ENTITIES
            || vms.len() as u64 + vms_per_app * u64::from(count) > MAX_ENTITIES as u64
        {
            ctx.err(
                &p.key("count"),
                format!("more than {MAX_ENTITIES} apps or VMs in total"),
            );
            break;
        }
        let mut members = Vec::new();
        for id in expand_ids(&a.id, count, a.count.is_some()) {
            let aid = AppId(apps.len() as u32);
            if app_ids.insert(id.clone(), aid).is_some() && !dup_raw {
                ctx.err(
                    &p.key("id"),
                    format!("app id `{id}` is defined twice (`count` expands a group to ID-01, ID-02, …)"),
                );
            }
            members.push(aid);
            let mut app_vms = Vec::new();
            for (cluster, vcount, cores, memory, disk, vp) in &specs {
                for _ in 0..*vcount {
                    app_vms.push(VmId(vms.len() as u32));
                    vm_cluster.push((cluster.unwrap_or(ClusterId(0)), vp.clone()));
                    vms.push(Vm {
                        app: aid,
                        host: HostId(0),
                        cores: *cores,
                        memory_bytes: *memory,
                        disk_bytes: *disk,
                    });
                }
            }
            apps.push(App {
                id,
                group: a.count.map(|_| a.id.clone()),
                tags: a.tags.clone(),
                criticality,
                depends_on: Vec::new(),
                dependents: Vec::new(),
                vms: app_vms,
                restart: restart.clone(),
                reinstall: reinstall.clone(),
                ha_restart: ha_restart.clone(),
                restore: restore.clone(),
                failover: failover.clone(),
                data_bytes,
                rto: None,
                rpo: None,
            });
            app_origin.push(i);
        }
        if a.count.is_some() {
            if app_ids.contains_key(&a.id) {
                ctx.err(
                    &p.key("id"),
                    format!("app group id `{}` is also an app id", a.id),
                );
            }
            app_groups.insert(a.id.clone(), members);
        }
    }
    if apps.is_empty() {
        ctx.err(&root.key("apps"), "declare at least one app");
    }
    let mut app_refs: BTreeMap<String, usize> = BTreeMap::new();
    let mut app_ref_lists: Vec<Vec<AppId>> = Vec::new();
    for (id, a) in &app_ids {
        app_refs.insert(id.clone(), app_ref_lists.len());
        app_ref_lists.push(vec![*a]);
    }
    for (id, members) in &app_groups {
        app_refs.insert(id.clone(), app_ref_lists.len());
        app_ref_lists.push(members.clone());
    }
    // Dependencies: each expanded app inherits its spec's list.
    for aid in 0..apps.len() {
        let i = app_origin[aid];
        let p = root.key("apps").index(i);
        let mut deps = Vec::new();
        for (k, name) in raw.apps[i].depends_on.iter().enumerate() {
            // Report a bad reference once per spec, not once per member.
            let first_member = aid == 0 || app_origin[aid - 1] != i;
            let found = if first_member {
                lookup(ctx, &p.key("depends_on").index(k), name, &app_refs, "app")
            } else {
                app_refs.get(name).copied()
            };
            if let Some(r) = found {
                for &d in &app_ref_lists[r] {
                    if d.index() == aid {
                        if first_member {
                            ctx.err(
                                &p.key("depends_on").index(k),
                                format!("app `{}` cannot depend on itself", apps[aid].id),
                            );
                        }
                    } else if !deps.contains(&d) {
                        deps.push(d);
                    }
                }
            }
        }
        apps[aid].depends_on = deps;
    }
    for aid in 0..apps.len() {
        for d in apps[aid].depends_on.clone() {
            apps[d.index()].dependents.push(AppId(aid as u32));
        }
    }
    if let Some(cycle) = find_cycle(&apps) {
        let names: Vec<&str> = cycle.iter().map(|a| apps[a.index()].id.as_str()).collect();
        let first = cycle[0].index();
        ctx.err(
            &root.key("apps").index(app_origin[first]).key("depends_on"),
            format!("dependency cycle: {}", names.join(" → ")),
        );
    }

    // Initial placement: each VM on the first host of its cluster, in
    // round-robin order, with enough free memory. CPU may be overcommitted,
    // as hypervisors do; memory may not.
    let mut cluster_hosts: Vec<Vec<HostId>> = vec![Vec::new(); clusters.len()];
    for (h, host) in hosts.iter().enumerate() {
        if let Some(list) = cluster_hosts.get_mut(host.cluster.index()) {
            list.push(HostId(h as u32));
        }
    }
    let mut free: Vec<u64> = hosts.iter().map(|h| h.memory_bytes).collect();
    let mut free_vcpus: Vec<u64> = hosts.iter().map(|h| h.vcpus).collect();
    let mut cursor = vec![0usize; clusters.len()];
    let mut reported = std::collections::BTreeSet::new();
    for (v, vm) in vms.iter_mut().enumerate() {
        let (cl, vp) = &vm_cluster[v];
        let Some(list) = cluster_hosts.get(cl.index()) else {
            continue;
        };
        if list.is_empty() {
            if reported.insert(vp.clone()) && !cluster_ids.is_empty() {
                ctx.err(
                    &vp.key("cluster"),
                    format!(
                        "cluster `{}` has no hosts to run this VM",
                        clusters[cl.index()].id
                    ),
                );
            }
            continue;
        }
        let n = list.len();
        let pick = (0..n)
            .map(|k| list[(cursor[cl.index()] + k) % n])
            .find(|h| {
                free[h.index()] >= vm.memory_bytes && free_vcpus[h.index()] >= u64::from(vm.cores)
            });
        match pick {
            Some(h) => {
                free[h.index()] -= vm.memory_bytes;
                free_vcpus[h.index()] -= u64::from(vm.cores);
                vm.host = h;
                cursor[cl.index()] = (list.iter().position(|x| *x == h).unwrap_or(0) + 1) % n;
            }
            None => {
                if reported.insert(vp.clone()) {
                    ctx.err(
                        &vp.key("memory"),
                        format!(
                            "cluster `{}` is full: no host has {} of memory and {} virtual CPU(s) free for a VM of app `{}`; add hosts, or raise the site's `vcpu_per_core`",
                            clusters[cl.index()].id,
                            ByteSize(vm.memory_bytes),
                            vm.cores,
                            apps[vm.app.index()].id
                        ),
                    );
                }
            }
        }
    }

    // Bugs.
    let scope_ctx = ScopeRefs {
        hosts: &hosts,
        host_refs: &host_refs,
        host_ref_lists: &host_ref_lists,
        cluster_ids: &cluster_ids,
        site_ids: &site_ids,
    };
    let mut bugs = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, b) in raw.bugs.iter().enumerate() {
        let p = root.key("bugs").index(i);
        ctx.id(&p.key("id"), &b.id, &mut seen, "bug");
        let mut affected = Vec::new();
        for (k, name) in b.builds.iter().enumerate() {
            if let Some(id) = lookup(ctx, &p.key("builds").index(k), name, &build_ids, "build") {
                affected.push(id);
            }
        }
        if b.builds.is_empty() {
            ctx.err(
                &p.key("builds"),
                "name at least one build that carries the bug",
            );
        }
        let trigger = resolve_trigger(ctx, &p.key("trigger"), &b.trigger, &to_sim);
        let default_scope = raw::ScopeFile::default();
        let s = b.scope.as_ref().unwrap_or(&default_scope);
        let sp = p.key("scope");
        let errors_before = ctx.errors.len();
        let in_scope = scope_ctx.resolve(ctx, &sp, s);
        let bug_hosts: Vec<HostId> = (0..hosts.len())
            .filter(|&h| in_scope[h] && affected.contains(&hosts[h].build))
            .map(|h| HostId(h as u32))
            .collect();
        if bug_hosts.is_empty()
            && !affected.is_empty()
            && !hosts.is_empty()
            && ctx.errors.len() == errors_before
        {
            ctx.err(
                &sp,
                "no host in the bug's scope runs an affected build, so it could never strike",
            );
        }
        let host_probability = ctx.probability(&sp.key("probability"), s.probability, 1.0);
        if s.probability == Some(0.0) {
            ctx.err(
                &sp.key("probability"),
                "a probability of 0 means the bug never strikes: remove the bug instead",
            );
        }
        let effects = b.effects.as_ref();
        let ep = p.key("effects");
        let crash = effects.and_then(|e| e.crash).unwrap_or(true);
        let corrupt_vm = ctx.probability(
            &ep.key("corrupt_vm"),
            effects.and_then(|e| e.corrupt_vm),
            0.0,
        );
        let datastore_loss = effects.and_then(|e| e.datastore_loss).unwrap_or(false);
        let crash_dump = effects
            .and_then(|e| e.crash_dump.as_ref())
            .and_then(|t| ctx.dist(&ep.key("crash_dump"), t));
        let management_plane = effects
            .and_then(|e| e.management_plane.as_ref())
            .and_then(|t| ctx.dist(&ep.key("management_plane"), t));
        if !crash && !datastore_loss && management_plane.is_none() {
            ctx.err(
                &ep,
                "with `crash: false` the bug needs another effect (`datastore_loss` or `management_plane`), or it does nothing",
            );
        }
        if crash_dump.is_some() && !crash {
            ctx.err(&ep.key("crash_dump"), "a crash dump needs `crash: true`");
        }
        let recurrence = b
            .recurrence
            .as_ref()
            .and_then(|t| ctx.dist(&p.key("recurrence"), t));
        let never_or =
            |ctx: &mut Ctx, path: &FieldPath, t: &Option<String>| match t.as_deref().map(str::trim)
            {
                None | Some("never") => None,
                Some(t) => ctx.dist(path, t),
            };
        let fix = never_or(ctx, &p.key("fix"), &b.fix);
        let vendor = b.vendor.as_ref().map(|v| {
            let vp = p.key("vendor");
            if v.fix.is_some() && b.fix.is_some() {
                ctx.err(
                    &vp.key("fix"),
                    "the fix is given twice: keep `vendor.fix` (counted in support hours) or the bug's `fix`, not both",
                );
            }
            let support = match v.support.as_deref().map(str::trim) {
                None | Some("24/7") => None,
                Some(text) => match (ShiftSpec::parse(text), &tz, start, horizon) {
                    (Err(e), ..) => {
                        ctx.err(&vp.key("support"), e.to_string());
                        None
                    }
                    (Ok(spec), Some(tz), Some(start), Some(horizon)) => {
                        match Roster::build(tz, start, horizon, 1, &[spec], &[]) {
                            Ok(r) => Some(r),
                            Err(e) => {
                                ctx.err(&vp.key("support"), e.to_string());
                                None
                            }
                        }
                    }
                    _ => None,
                },
            };
            Vendor {
                support,
                workaround: never_or(ctx, &vp.key("workaround"), &v.workaround),
                fix: never_or(ctx, &vp.key("fix"), &v.fix),
            }
        });
        bugs.push(Bug {
            id: b.id.clone(),
            builds: affected,
            trigger: trigger.unwrap_or(Trigger::At(SimTime::ZERO)),
            hosts: bug_hosts,
            host_probability,
            crash,
            corrupt_vm,
            datastore_loss,
            crash_dump,
            management_plane,
            recurrence,
            fix,
            vendor,
        });
    }

    // Outages and chaos.
    let mut outages = Vec::new();
    for (i, o) in raw.outages.iter().enumerate() {
        let p = root.key("outages").index(i);
        let kind = match o.what.trim() {
            "backup" => Some(OutageKind::Backup),
            "link" => Some(OutageKind::Link),
            "management" => Some(OutageKind::Management),
            other => {
                ctx.err(
                    &p.key("what"),
                    format!("unknown outage `{other}`: expected `backup`, `link` or `management`"),
                );
                None
            }
        };
        let at = to_sim(ctx, &p.key("at"), &o.at);
        let duration = ctx.dist(&p.key("for"), &o.duration);
        if let (Some(kind), Some(at), Some(duration)) = (kind, at, duration) {
            outages.push(Outage { kind, at, duration });
        }
    }
    let mut chaos = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, c) in raw.chaos.iter().enumerate() {
        let p = root.key("chaos").index(i);
        ctx.id(&p.key("id"), &c.id, &mut seen, "chaos process");
        let default_scope = raw::ScopeFile::default();
        let s = c.scope.as_ref().unwrap_or(&default_scope);
        if s.probability.is_some() {
            ctx.err(
                &p.key("scope").key("probability"),
                "a chaos process applies to every host in its scope: no probability",
            );
        }
        let in_scope = scope_ctx.resolve(ctx, &p.key("scope"), s);
        let mtbf = ctx.dist(&p.key("mtbf"), &c.mtbf);
        let mttr = ctx.dist(&p.key("mttr"), &c.mttr);
        if mtbf.as_ref().is_some_and(|d| d.mean() == SimDuration::ZERO) {
            ctx.err(
                &p.key("mtbf"),
                "the time between failures must be more than zero",
            );
        }
        if let (Some(mtbf), Some(mttr)) = (mtbf, mttr) {
            chaos.push(Chaos {
                id: c.id.clone(),
                hosts: (0..hosts.len())
                    .filter(|&h| in_scope[h])
                    .map(|h| HostId(h as u32))
                    .collect(),
                mtbf,
                mttr,
            });
        }
    }

    // Teams.
    let mut team_ids = BTreeMap::new();
    // Teams whose `skills` had a mistake, already reported: what they can
    // do is unknown, so no strategy is said to lack their skills.
    let mut unreadable_skills = Vec::new();
    let mut teams = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, t) in raw.teams.iter().enumerate() {
        let p = root.key("teams").index(i);
        ctx.id(&p.key("id"), &t.id, &mut seen, "team");
        if t.members == 0 || t.members > 10_000 {
            ctx.err(
                &p.key("members"),
                format!("a team has between 1 and 10000 members, got {}", t.members),
            );
        }
        if t.shifts.is_empty() {
            ctx.err(
                &p.key("shifts"),
                "a team needs at least one shift, like `24/7` or `Mon-Fri 08:00-18:00`: a team never on duty restores nothing",
            );
        }
        let mut shifts = Vec::new();
        for (k, s) in t.shifts.iter().enumerate() {
            match parse_shift(s, t.members) {
                Ok(s) => shifts.push(s),
                Err(e) => ctx.err(&p.key("shifts").index(k), e),
            }
        }
        let mut holidays = Vec::new();
        for (k, h) in t.holidays.iter().enumerate() {
            let hp = p.key("holidays").index(k);
            match h.date.trim().parse::<Date>() {
                Ok(date) => {
                    let members = h.members.unwrap_or(0);
                    if members > t.members {
                        ctx.err(
                            &hp.key("members"),
                            format!(
                                "{members} members on duty is more than the team's {}",
                                t.members
                            ),
                        );
                    }
                    holidays.push(HolidaySpec { date, members });
                }
                Err(_) => ctx.err(
                    &hp.key("date"),
                    format!("expected a date like `2018-12-25`, got `{}`", h.date),
                ),
            }
        }
        let roster = match (&tz, start, horizon) {
            (Some(tz), Some(start), Some(horizon)) => {
                match Roster::build(
                    tz,
                    start,
                    horizon,
                    t.members.clamp(1, 10_000),
                    &shifts,
                    &holidays,
                ) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        ctx.err(&p.key("shifts"), e.to_string());
                        None
                    }
                }
            }
            _ => None,
        };
        let skills = match &t.skills {
            None => Method::ALL.to_vec(),
            Some(list) => {
                if list.is_empty() {
                    ctx.err(
                        &p.key("skills"),
                        format!(
                            "list at least one method the team can carry out: {}",
                            Method::expected()
                        ),
                    );
                }
                let skills: Vec<Method> = list
                    .iter()
                    .enumerate()
                    .filter_map(|(k, m)| parse_method(ctx, &p.key("skills").index(k), m, "skill"))
                    .collect();
                if list.is_empty() || skills.len() < list.len() {
                    unreadable_skills.push(TeamId(teams.len() as u32));
                }
                skills
            }
        };
        team_ids.insert(t.id.clone(), TeamId(teams.len() as u32));
        if let Some(roster) = roster {
            let absence = ctx.probability(&p.key("absence"), t.absence, 0.0);
            if absence >= 1.0 {
                ctx.err(
                    &p.key("absence"),
                    "an absence probability of 1 means nobody ever works: give the daily probability that a member is ill, below 1",
                );
            }
            teams.push(Team {
                id: t.id.clone(),
                roster,
                shifts: shifts.clone(),
                holidays: holidays.clone(),
                absence,
                skills,
            });
        }
    }
    if raw.teams.is_empty() {
        ctx.err(
            &root.key("teams"),
            "declare at least one team: recovery is done by people",
        );
    }

    // Backups, replication and objectives.
    let backup = raw.backup.as_ref().and_then(|b| {
        let p = root.key("backup");
        let throughput = match parse_throughput(&b.throughput) {
            Ok(t) if t.bytes_per_hour > 0.0 && t.bytes_per_hour.is_finite() => Some(t),
            Ok(_) => {
                ctx.err(&p.key("throughput"), "must be more than zero");
                None
            }
            Err(e) => {
                ctx.err(&p.key("throughput"), e.to_string());
                None
            }
        };
        if b.streams == 0 {
            ctx.err(&p.key("streams"), "at least one restore stream is needed");
        }
        let every = ctx.duration(&p.key("every"), &b.every);
        if every == Some(SimDuration::ZERO) {
            ctx.err(&p.key("every"), "must be longer than zero");
        }
        let at = match parse_local(&b.at) {
            Ok(dt) => tz.as_ref().and_then(|tz| match to_instant(tz, dt, &b.at) {
                Ok(ts) => Some(ts),
                Err(e) => {
                    ctx.err(&p.key("at"), e);
                    None
                }
            }),
            Err(e) => {
                ctx.err(&p.key("at"), e);
                None
            }
        };
        let (throughput, every, at, start) = (throughput?, every?, at?, start?);
        let period = i128::from(every.as_millis().max(1));
        let offset = i128::from(start.as_millisecond()) - i128::from(at.as_millisecond());
        Some(Backup {
            bytes_per_ms: throughput.bytes_per_hour / crate::sim::MS_PER_HOUR as f64,
            streams: b.streams.max(1),
            every,
            phase_ms: offset.rem_euclid(period) as u64,
        })
    });
    let replication = raw.replication.as_ref().and_then(|r| {
        ctx.dist(&root.key("replication").key("lag"), &r.lag)
            .map(|lag| Replication { lag })
    });
    let mut objectives = Vec::new();
    for (i, o) in raw.objectives.iter().enumerate() {
        let p = root.key("objectives").index(i);
        let rto = o.rto.as_ref().and_then(|t| ctx.duration(&p.key("rto"), t));
        let rpo = o.rpo.as_ref().and_then(|t| ctx.duration(&p.key("rpo"), t));
        if o.rto.is_none() && o.rpo.is_none() {
            ctx.err(&p, "an objective needs an `rto`, an `rpo` or both");
        }
        let covered = select_apps(ctx, &p, &o.apps, &o.tags, &app_refs, &app_ref_lists, &apps);
        for a in &covered {
            let app = &mut apps[a.index()];
            app.rto = tighter(app.rto, rto);
            app.rpo = tighter(app.rpo, rpo);
        }
        objectives.push(Objective {
            name: o
                .name
                .clone()
                .unwrap_or_else(|| format!("objective {}", i + 1)),
            rto,
            rpo,
            apps: covered,
        });
    }

    // Strategies.
    let dr_sites: Vec<SiteId> = sites
        .iter()
        .enumerate()
        .filter(|(_, s)| s.role == SiteRole::Dr)
        .map(|(i, _)| SiteId(i as u32))
        .collect();
    let mut strategy_ids = BTreeMap::new();
    let mut strategies = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, s) in raw.strategies.iter().enumerate() {
        let p = root.key("strategies").index(i);
        ctx.id(&p.key("id"), &s.id, &mut seen, "strategy");
        let detection = ctx.dist(&p.key("detection"), &s.detection);
        let diagnosis = ctx.dist(&p.key("diagnosis"), &s.diagnosis);
        let mut methods = Vec::new();
        for (k, m) in s.methods.iter().enumerate() {
            let Some(method) = parse_method(ctx, &p.key("methods").index(k), m, "method") else {
                continue;
            };
            if methods.contains(&method) {
                ctx.err(
                    &p.key("methods").index(k),
                    format!("method `{m}` is listed twice"),
                );
            }
            methods.push(method);
        }
        if s.methods.is_empty() {
            ctx.err(
                &p.key("methods"),
                format!("list at least one method: {}", Method::expected()),
            );
        }
        let order = match s.order.trim() {
            "fifo" => Order::Fifo,
            "criticality" => Order::Criticality,
            "shortest-first" => Order::ShortestFirst,
            "weighted-shortest" => Order::WeightedShortest,
            "dependency-aware" => Order::DependencyAware,
            other => {
                ctx.err(
                    &p.key("order"),
                    format!(
                        "unknown order `{other}`: expected `fifo`, `criticality`, `shortest-first`, `weighted-shortest` or `dependency-aware`"
                    ),
                );
                Order::Fifo
            }
        };
        let team_list: Vec<TeamId> = match &s.teams {
            None => (0..raw.teams.len()).map(|t| TeamId(t as u32)).collect(),
            Some(list) => {
                if list.is_empty() {
                    ctx.err(&p.key("teams"), "a strategy needs at least one team");
                }
                list.iter()
                    .enumerate()
                    .filter_map(|(k, t)| {
                        lookup(ctx, &p.key("teams").index(k), t, &team_ids, "team")
                    })
                    .collect()
            }
        };
        let dr_site = match &s.dr_site {
            Some(name) => lookup(ctx, &p.key("dr_site"), name, &site_ids, "site").inspect(|id| {
                if sites[id.index()].role != SiteRole::Dr {
                    ctx.err(
                        &p.key("dr_site"),
                        format!("site `{name}` is not a DR site: give it `role: dr`"),
                    );
                }
            }),
            None => match dr_sites.as_slice() {
                [one] => Some(*one),
                _ => None,
            },
        };
        // Where a method is listed, so its errors point at it. `methods`
        // holds the parsed ones only: search the raw names.
        let method_path = |m: Method| match s.methods.iter().position(|x| x.trim() == m.name()) {
            Some(k) => p.key("methods").index(k),
            None => p.key("methods"),
        };
        if let Some(&m) = methods.iter().find(|m| m.at_dr())
            && dr_site.is_none()
            && site_roles_ok
        {
            if dr_sites.is_empty() {
                ctx.err(
                    &method_path(m),
                    format!("`{}` needs a site with `role: dr` to recover at", m.name()),
                );
            } else {
                ctx.err(
                    &p.key("methods"),
                    "there are several DR sites: say which one with `dr_site`",
                );
            }
        }
        if methods.contains(&Method::Restore) && backup.is_none() && raw.backup.is_none() {
            ctx.err(
                &method_path(Method::Restore),
                "`restore` needs a `backup` section (throughput, streams, schedule)",
            );
        }
        if methods.contains(&Method::Failover) && raw.replication.is_none() {
            ctx.err(
                &method_path(Method::Failover),
                "`failover` needs a `replication` section (the replica's lag)",
            );
        }
        for (k, &m) in methods.iter().enumerate() {
            if m.automated() {
                continue;
            }
            let staffed = team_list.iter().any(|t| {
                unreadable_skills.contains(t) || teams.get(t.index()).is_none_or(|team| team.can(m))
            });
            if !staffed {
                let names: Vec<String> = team_list
                    .iter()
                    .filter_map(|t| teams.get(t.index()))
                    .map(|t| format!("`{}`", t.id))
                    .collect();
                ctx.err(
                    &p.key("methods").index(k),
                    format!(
                        "no team of this strategy has the skill `{m}`: add `{m}` to the `skills` of one of its teams ({}), or give the strategy a team that has it",
                        names.join(", "),
                        m = m.name()
                    ),
                );
            }
        }
        let rebuild_to = match &s.rebuild_to {
            Some(name) => lookup(ctx, &p.key("rebuild_to"), name, &build_ids, "build").inspect(
                |b| {
                    if builds[b.index()].rebuild.is_none() {
                        ctx.err(
                            &p.key("rebuild_to"),
                            format!("build `{name}` has no `rebuild` effort: give it one in `builds`, how long reinstalling a host with it takes (e.g. `rebuild: pert(1h, 2h, 4h)`)"),
                        );
                    }
                },
            ),
            None => None,
        };
        if methods.contains(&Method::Rebuild) && s.rebuild_to.is_none() {
            ctx.err(
                &method_path(Method::Rebuild),
                "`rebuild` needs `rebuild_to`: the build to reinstall crashed hosts with",
            );
        }
        if s.patch_when_fixed == Some(true) {
            let pp = p.key("patch_when_fixed");
            // Every build a fixable bug affects needs a patch effort.
            let mut unpatchable: Vec<&str> = bugs
                .iter()
                .filter(|b| b.fix.is_some() || b.vendor.as_ref().is_some_and(|v| v.fix.is_some()))
                .flat_map(|b| b.builds.iter())
                .filter(|b| builds[b.index()].patch.is_none())
                .map(|b| builds[b.index()].id.as_str())
                .collect();
            unpatchable.sort();
            unpatchable.dedup();
            if !unpatchable.is_empty() {
                ctx.err(
                    &pp,
                    format!(
                        "build(s) {} need a `patch` effort (e.g. `patch: pert(30m, 1h, 3h)`) for their hosts to be patched",
                        unpatchable.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            let staffed = team_list.iter().any(|t| {
                teams
                    .get(t.index())
                    .is_none_or(|team| team.can(Method::Rebuild))
            });
            if !staffed {
                ctx.err(
                    &pp,
                    "patching hosts needs a team with the `rebuild` skill among the strategy's teams",
                );
            }
        }
        let mut caps = [None; 6];
        if let Some(c) = &s.caps {
            let cp = p.key("caps");
            for (m, v) in [
                (Method::Restart, c.restart),
                (Method::Reinstall, c.reinstall),
                (Method::HaRestart, c.ha_restart),
                (Method::Restore, c.restore),
                (Method::Failover, c.failover),
                (Method::Rebuild, c.rebuild),
            ] {
                if v == Some(0) {
                    ctx.err(
                        &cp.key(m.name()),
                        "a cap of 0 would forbid the method: remove it from `methods` instead",
                    );
                }
                caps[m.ordinal() as usize] = v;
            }
        }
        let mut waves = Vec::new();
        let mut wave_of = Vec::new();
        if !s.waves.is_empty() {
            let last = s.waves.len() as u32;
            wave_of = vec![last; apps.len()];
            for (w, wave) in s.waves.iter().enumerate().rev() {
                let wp = p.key("waves").index(w);
                for a in select_apps(
                    ctx,
                    &wp,
                    &wave.apps,
                    &wave.tags,
                    &app_refs,
                    &app_ref_lists,
                    &apps,
                ) {
                    // An app listed in several waves goes in the first.
                    wave_of[a.index()] = w as u32;
                }
                if wave.name.trim().is_empty() {
                    ctx.err(&wp.key("name"), "a wave needs a name");
                }
            }
            for (w, wave) in s.waves.iter().enumerate() {
                let wp = p.key("waves").index(w);
                let go = wave.go.as_ref().and_then(|t| ctx.dist(&wp.key("go"), t));
                waves.push(Wave {
                    name: wave.name.clone(),
                    go,
                });
            }
            if wave_of.contains(&last) {
                waves.push(Wave {
                    name: "the rest".into(),
                    go: None,
                });
            }
        }
        let (escalate_after_recurrences, escalate_after) = match &s.escalate {
            None => (None, None),
            Some(e) => {
                let ep = p.key("escalate");
                if e.after_recurrences == Some(0) {
                    ctx.err(&ep.key("after_recurrences"), "must be at least 1");
                }
                let after = e
                    .after
                    .as_ref()
                    .and_then(|t| ctx.duration(&ep.key("after"), t));
                if e.after_recurrences.is_none() && e.after.is_none() {
                    ctx.err(
                        &ep,
                        "say when to escalate: `after_recurrences`, `after` or both",
                    );
                }
                if methods.len() < 2 {
                    ctx.err(
                        &ep,
                        "escalation moves to the next method: list at least two `methods`",
                    );
                }
                (e.after_recurrences, after)
            }
        };
        strategy_ids.insert(s.id.clone(), StrategyId(strategies.len() as u32));
        strategies.push(Strategy {
            id: s.id.clone(),
            description: s.description.clone(),
            detection: detection.unwrap_or(Dist::Fixed(SimDuration::ZERO)),
            diagnosis: diagnosis.unwrap_or(Dist::Fixed(SimDuration::ZERO)),
            methods,
            order,
            teams: team_list,
            restart_despite_recurrence: s.restart_despite_recurrence.unwrap_or(false),
            dr_site,
            caps,
            waves,
            wave_of,
            escalate_after_recurrences,
            escalate_after,
            rebuild_to,
            patch_when_fixed: s.patch_when_fixed.unwrap_or(false),
        });
    }
    if raw.strategies.is_empty() {
        ctx.err(
            &root.key("strategies"),
            "declare at least one recovery strategy",
        );
    }
    let default_strategy = match &raw.default_strategy {
        Some(name) => lookup(
            ctx,
            &root.key("default_strategy"),
            name,
            &strategy_ids,
            "strategy",
        )
        .unwrap_or(StrategyId(0)),
        None => StrategyId(0),
    };

    check_dr_room(ctx, root, &strategies, &apps, &app_origin, &vms, &hosts);

    if !ctx.errors.is_empty() {
        return None;
    }
    Some(Scenario {
        name: raw.name,
        description: raw.description,
        source: String::new(),
        tz: tz?,
        start: start?,
        horizon: horizon?,
        max_events,
        builds,
        sites,
        clusters,
        hosts,
        bugs,
        apps,
        vms,
        teams,
        backup,
        replication,
        objectives,
        outages,
        chaos,
        strategies,
        default_strategy,
    })
}

/// What a `scope` may name.
struct ScopeRefs<'a> {
    hosts: &'a [Host],
    host_refs: &'a BTreeMap<String, usize>,
    host_ref_lists: &'a [Vec<HostId>],
    cluster_ids: &'a BTreeMap<String, ClusterId>,
    site_ids: &'a BTreeMap<String, SiteId>,
}

impl ScopeRefs<'_> {
    /// Per host, whether the scope covers it: the union of its hosts,
    /// clusters, sites and tags; every host when it names none.
    fn resolve(&self, ctx: &mut Ctx, sp: &FieldPath, s: &raw::ScopeFile) -> Vec<bool> {
        let hosts = self.hosts;
        let unscoped =
            s.hosts.is_empty() && s.clusters.is_empty() && s.sites.is_empty() && s.tags.is_empty();
        let mut in_scope = vec![unscoped; hosts.len()];
        for (k, name) in s.hosts.iter().enumerate() {
            if let Some(r) = lookup(ctx, &sp.key("hosts").index(k), name, self.host_refs, "host") {
                for h in &self.host_ref_lists[r] {
                    in_scope[h.index()] = true;
                }
            }
        }
        for (k, name) in s.clusters.iter().enumerate() {
            let path = sp.key("clusters").index(k);
            if let Some(c) = lookup(ctx, &path, name, self.cluster_ids, "cluster") {
                for (h, host) in hosts.iter().enumerate() {
                    in_scope[h] |= host.cluster == c;
                }
            }
        }
        for (k, name) in s.sites.iter().enumerate() {
            if let Some(site) = lookup(ctx, &sp.key("sites").index(k), name, self.site_ids, "site")
            {
                for (h, host) in hosts.iter().enumerate() {
                    in_scope[h] |= host.site == site;
                }
            }
        }
        for (k, tag) in s.tags.iter().enumerate() {
            let mut any = false;
            for (h, host) in hosts.iter().enumerate() {
                if host.tags.contains(tag) {
                    in_scope[h] = true;
                    any = true;
                }
            }
            if !any {
                ctx.err(
                    &sp.key("tags").index(k),
                    format!("no host has the tag `{tag}`"),
                );
            }
        }
        in_scope
    }
}

/// A bug's trigger: exactly one of `at`, `uptime`, `poisson`, `on`.
/// An app that a strategy would bring back at its DR site must be able to
/// fit there, even with the site empty: each VM on one DR host (memory and
/// virtual CPUs), and all its VMs on the site together. Otherwise it would
/// wait for room for ever, and the run would only say so at its end.
fn check_dr_room(
    ctx: &mut Ctx,
    root: &FieldPath,
    strategies: &[Strategy],
    apps: &[App],
    app_origin: &[usize],
    vms: &[Vm],
    hosts: &[Host],
) {
    // Other mistakes (a dangling site, a full cluster) would only echo here.
    if !ctx.errors.is_empty() {
        return;
    }
    let mut checked = std::collections::BTreeSet::new();
    for st in strategies {
        let Some(site) = st.dr_site else { continue };
        let dr: Vec<&Host> = hosts.iter().filter(|h| h.site == site).collect();
        let largest_memory = dr.iter().map(|h| h.memory_bytes).max().unwrap_or(0);
        let largest_vcpus = dr.iter().map(|h| h.vcpus).max().unwrap_or(0);
        let total_memory: u64 = dr.iter().map(|h| h.memory_bytes).sum();
        let total_vcpus: u64 = dr.iter().map(|h| h.vcpus).sum();
        for (a, app) in apps.iter().enumerate() {
            let at_dr = st
                .methods
                .iter()
                .any(|&m| m.at_dr() && app.work(m).is_some());
            if !at_dr || !checked.insert((site, app_origin[a])) {
                continue;
            }
            let path = root.key("apps").index(app_origin[a]);
            let biggest =
                app.vms.iter().map(|v| &vms[v.index()]).find(|vm| {
                    vm.memory_bytes > largest_memory || u64::from(vm.cores) > largest_vcpus
                });
            let (memory, cores) = app.vms.iter().fold((0u64, 0u64), |(m, c), v| {
                let vm = &vms[v.index()];
                (m.saturating_add(vm.memory_bytes), c + u64::from(vm.cores))
            });
            if let Some(vm) = biggest {
                ctx.err(
                    &path.key("vms"),
                    format!(
                        "app `{}` can never be brought back at the DR site (strategy `{}`): one of its VMs needs {} of memory and {} virtual CPU(s), but the largest DR host has {} of memory and {} virtual CPU(s); give the DR site a larger host, or split the VM",
                        app.id,
                        st.id,
                        ByteSize(vm.memory_bytes),
                        vm.cores,
                        ByteSize(largest_memory),
                        largest_vcpus
                    ),
                );
            } else if memory > total_memory || cores > total_vcpus {
                ctx.err(
                    &path.key("vms"),
                    format!(
                        "app `{}` can never be brought back at the DR site (strategy `{}`): its VMs need {} of memory and {} virtual CPU(s) in all, but the whole DR site has {} of memory and {} virtual CPU(s); add DR hosts",
                        app.id,
                        st.id,
                        ByteSize(memory),
                        cores,
                        ByteSize(total_memory),
                        total_vcpus
                    ),
                );
            }
        }
    }
}

fn resolve_trigger(
    ctx: &mut Ctx,
    p: &FieldPath,
    t: &raw::TriggerFile,
    to_sim: &dyn Fn(&mut Ctx, &FieldPath, &str) -> Option<SimTime>,
) -> Option<Trigger> {
    let given = [
        t.at.is_some(),
        t.uptime.is_some(),
        t.poisson.is_some(),
        t.on.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if given != 1 {
        ctx.err(
            p,
            "give exactly one trigger: `at` (a date), `uptime` (a threshold per host), `poisson` (mean time between strikes per host) or `on` (an operation)",
        );
        return None;
    }
    if t.probability.is_some() && t.on.is_none() {
        ctx.err(
            &p.key("probability"),
            "`probability` goes with `on`; for other triggers use the scope's `probability`",
        );
    }
    if let Some(at) = &t.at {
        return to_sim(ctx, &p.key("at"), at).map(Trigger::At);
    }
    if let Some(u) = &t.uptime {
        return ctx.dist(&p.key("uptime"), u).map(Trigger::Uptime);
    }
    if let Some(m) = &t.poisson {
        let mean = ctx.duration(&p.key("poisson"), m)?;
        if mean == SimDuration::ZERO {
            ctx.err(
                &p.key("poisson"),
                "the mean time between strikes must be more than zero",
            );
            return None;
        }
        return Some(Trigger::Poisson(mean));
    }
    let on = t.on.as_deref().map(str::trim).unwrap_or_default();
    let op = match on {
        "restart" => Operation::Restart,
        "migration" => Operation::Migration,
        "restore" => Operation::Restore,
        other => {
            ctx.err(
                &p.key("on"),
                format!(
                    "unknown operation `{other}`: expected `restart`, `migration` or `restore`"
                ),
            );
            return None;
        }
    };
    let probability = ctx.probability(&p.key("probability"), t.probability, 1.0);
    Some(Trigger::On(op, probability))
}

/// A method's name, in a strategy's `methods` or (`kind` "skill") a team's
/// `skills`.
fn parse_method(ctx: &mut Ctx, path: &FieldPath, name: &str, kind: &str) -> Option<Method> {
    let name = name.trim();
    let m = Method::parse(name);
    if m.is_none() {
        let hint = match suggest(name, Method::ALL.iter().map(|m| m.name())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected {}", Method::expected()),
        };
        ctx.err(path, format!("unknown {kind} `{name}`: {hint}"));
    }
    m
}

/// The smaller of two optional bounds.
fn tighter(a: Option<SimDuration>, b: Option<SimDuration>) -> Option<SimDuration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The apps named in `names` (app or group ids) or carrying one of `tags`,
/// in file order. Records an error for unknown names and unused tags, and
/// when the selection is empty.
fn select_apps(
    ctx: &mut Ctx,
    path: &FieldPath,
    names: &[String],
    tags: &[String],
    app_refs: &BTreeMap<String, usize>,
    app_ref_lists: &[Vec<AppId>],
    apps: &[App],
) -> Vec<AppId> {
    let mut chosen = vec![false; apps.len()];
    for (k, name) in names.iter().enumerate() {
        if let Some(r) = lookup(ctx, &path.key("apps").index(k), name, app_refs, "app") {
            for a in &app_ref_lists[r] {
                chosen[a.index()] = true;
            }
        }
    }
    for (k, tag) in tags.iter().enumerate() {
        let mut any = false;
        for (a, app) in apps.iter().enumerate() {
            if app.tags.contains(tag) {
                chosen[a] = true;
                any = true;
            }
        }
        if !any {
            ctx.err(
                &path.key("tags").index(k),
                format!("no app has the tag `{tag}`"),
            );
        }
    }
    if names.is_empty() && tags.is_empty() {
        ctx.err(path, "name the apps it covers: `apps`, `tags` or both");
    }
    (0..apps.len())
        .filter(|&a| chosen[a])
        .map(|a| AppId(a as u32))
        .collect()
}

/// A dependency cycle, as the list of apps around it (first repeated last).
fn find_cycle(apps: &[App]) -> Option<Vec<AppId>> {
    // Iterative three-colour DFS: deep dependency chains cannot overflow the stack.
    let n = apps.len();
    let mut colour = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    let mut parent = vec![usize::MAX; n];
    for root in 0..n {
        if colour[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        colour[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&dep) = apps[node].depends_on.get(*next) {
                *next += 1;
                let d = dep.index();
                match colour[d] {
                    0 => {
                        colour[d] = 1;
                        parent[d] = node;
                        stack.push((d, 0));
                    }
                    1 => {
                        let mut cycle = vec![AppId(d as u32)];
                        let mut cur = node;
                        while cur != d {
                            cycle.push(AppId(cur as u32));
                            cur = parent[cur];
                        }
                        cycle.push(AppId(d as u32));
                        // Walked backwards along depends_on edges: reverse so
                        // it reads "a depends on b depends on …".
                        cycle.reverse();
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                colour[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_take_an_optional_head_count() {
        assert_eq!(
            parse_shift("daily 22:00-06:00 x2", 6).map(|s| s.members),
            Ok(Some(2))
        );
        assert_eq!(
            parse_shift("Mon-Fri 08:00-18:00", 6).map(|s| s.members),
            Ok(None)
        );
        assert_eq!(parse_shift("24/7 x1", 6).map(|s| s.members), Ok(Some(1)));
        let err = parse_shift("daily 08:00-20:00 x9", 6).expect_err("too many");
        assert_eq!(
            err,
            "`x9` in shift `daily 08:00-20:00 x9`: expected `xN`, the members on duty, from 1 to the team's 6"
        );
        assert!(parse_shift("daily 08:00-20:00 x0", 6).is_err());
    }
}
