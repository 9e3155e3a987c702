//! The `apps` section and what hangs off it: each app's VMs and the work
//! of its recovery methods (with group expansion), the dependencies
//! between apps, the initial placement of every VM on a host of its
//! cluster, and the `objectives` (RTO, RPO) that apps are held to.
//!
//! Apps are also what waves and objectives select, by id, group id or tag
//! ([`Apps::select`]).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::ctx::{Ctx, lookup};
use super::groups::{Expansion, Group, MAX_ENTITIES, Refs};
use super::infrastructure::Infrastructure;
use crate::model::{App, AppId, ClusterId, HostId, Objective, Vm, VmId};
use crate::scenario::FieldPath;
use crate::scenario::raw::{AppFile, ScenarioFile, Text};
use crate::sim::{Dist, SimDuration};
use crate::units::ByteSize;

/// The resolved apps and VMs, and the ids by which later sections name
/// apps.
pub(super) struct Apps {
    /// Apps, groups expanded, in file order.
    pub(super) apps: Vec<App>,
    /// Per app, the index of the entry in `apps` it was expanded from.
    pub(super) origin: Vec<usize>,
    /// VMs, each app's together, in file order.
    pub(super) vms: Vec<Vm>,
    /// App and app-group ids.
    refs: Refs<AppId>,
}

/// One entry of an app's `vms`, validated once for all the members (a
/// cluster that does not resolve is left as the first: the error is
/// already recorded).
struct VmSpec {
    count: u32,
    cores: u32,
    memory: u64,
    disk: u64,
    cluster: ClusterId,
    /// The hosts its `host` names (all of its cluster), if it names any.
    hosts: Option<Vec<HostId>>,
}

/// The clusters of every app entry's `vms` entries, to place the VMs:
/// walking the apps in order, each member's VMs come spec by spec, as
/// [`Apps::add`] made them. A flat list with an offset per app entry,
/// rather than a cluster and an origin per VM, since a big estate has a
/// million VMs and the `vms` entry (`apps[entry].vms[index]`) is needed
/// only for an error (a full cluster, reported once per entry).
struct Specs {
    /// Per app entry, where its specs start in `runs` (one more at the end).
    start: Vec<u32>,
    /// Each `vms` entry's cluster, count and hosts (an index in `pinned`,
    /// [`NOT_PINNED`] when it names none), app entry by app entry.
    runs: Vec<(ClusterId, u32, u32)>,
    /// The host lists that `vms` entries name.
    pinned: Vec<Vec<HostId>>,
}

/// A `vms` entry that names no host.
const NOT_PINNED: u32 = u32::MAX;

impl Specs {
    /// The `vms` entries of the app entry `entry`.
    fn of(&self, entry: usize) -> &[(ClusterId, u32, u32)] {
        let (from, to) = (self.start[entry], self.start[entry + 1]);
        &self.runs[from as usize..to as usize]
    }
}

/// What every member of an app entry shares, read once per entry.
struct AppShape {
    criticality: u32,
    restart: Option<Dist>,
    reinstall: Option<Dist>,
    ha_restart: Option<Dist>,
    restore: Option<Dist>,
    failover: Option<Dist>,
    vms: Vec<VmSpec>,
    data_bytes: u64,
}

impl Apps {
    /// Reads `apps` (the file's section, taken from it), with group
    /// expansion; dependencies are resolved once all are known, then every
    /// VM is placed on a host. Each entry is dropped once its apps are
    /// made, keeping only its `depends_on`, so that a big estate does not
    /// hold its whole raw section and all its resolved VMs at once.
    pub(super) fn resolve<'a>(
        ctx: &mut Ctx,
        root: &FieldPath,
        raw_apps: Vec<AppFile<'a>>,
        infrastructure: &Infrastructure,
    ) -> Apps {
        let mut apps = Apps {
            apps: Vec::new(),
            origin: Vec::new(),
            vms: Vec::new(),
            refs: Refs::default(),
        };
        // Every app and VM, counted before any is made, so that the hundred
        // thousand apps and million VMs of a big estate are allocated once
        // rather than grown and copied (each doubling touches fresh pages,
        // and the allocator keeps the old block's for a while).
        let (total_apps, total_vms) = totals(&raw_apps);
        apps.apps.reserve_exact(total_apps);
        apps.origin.reserve_exact(total_apps);
        apps.vms.reserve_exact(total_vms);
        let mut expansion = Expansion::new();
        let entries = raw_apps.len();
        // Each app id, and the entry that first defined it: its text is
        // mostly borrowed from the file, and its path built only for an
        // error, since a big estate has a hundred thousand of them. A hash
        // map, never walked: its order reaches nothing.
        let mut seen: HashMap<Text<'a>, usize> = HashMap::with_capacity(entries);
        let mut specs = Specs {
            start: Vec::with_capacity(entries + 1),
            runs: Vec::with_capacity(entries),
            pinned: Vec::new(),
        };
        let mut depends_on: Vec<Vec<Text<'a>>> = Vec::with_capacity(entries);
        let apps_path = root.key("apps");
        let mut dists = Dists::default();
        for (i, entry) in raw_apps.into_iter().enumerate() {
            let a = &entry;
            let p = apps_path.index(i);
            let idp = p.key("id");
            // One search of `seen` per entry: its slot tells whether the id
            // is taken, and takes it if not (and the id is valid).
            let duplicate = match seen.entry(a.id.clone()) {
                Entry::Occupied(slot) => {
                    if ctx.id_text(&idp, &a.id, "app") {
                        let first = apps_path.index(*slot.get()).key("id");
                        ctx.duplicate_id(&idp, &a.id, &first, "app");
                    }
                    true
                }
                Entry::Vacant(slot) => {
                    if ctx.id_text(&idp, &a.id, "app") {
                        slot.insert(i);
                    }
                    false
                }
            };
            let count = ctx.count_at(|| p.key("count"), a.count);
            let shape = app_shape(ctx, &p, a, infrastructure, &mut dists);
            let vms_per_app: u64 = shape.vms.iter().map(|s| u64::from(s.count)).sum();
            if apps.apps.len() + count as usize > MAX_ENTITIES
                || apps.vms.len() as u64 + vms_per_app * u64::from(count) > MAX_ENTITIES as u64
            {
                ctx.err(
                    &p.key("count"),
                    format!("more than {MAX_ENTITIES} apps or VMs in total"),
                );
                break;
            }
            specs.start.push(specs.runs.len() as u32);
            for s in &shape.vms {
                let pinned = match &s.hosts {
                    Some(hosts) => {
                        specs.pinned.push(hosts.clone());
                        (specs.pinned.len() - 1) as u32
                    }
                    None => NOT_PINNED,
                };
                specs.runs.push((s.cluster, s.count, pinned));
            }
            let group = Group {
                path: &idp,
                id: &a.id,
                count,
                grouped: a.count.is_some(),
                duplicate,
            };
            let members = expansion.expand(ctx, "app", &group, |id| apps.add(id, i, a, &shape));
            if a.count.is_some() {
                if expansion.contains(&a.id) {
                    ctx.err(&idp, format!("app group id `{}` is also an app id", a.id));
                }
                expansion.group(&a.id, members);
            }
            depends_on.push(entry.depends_on);
        }
        if apps.apps.is_empty() {
            ctx.err(&root.key("apps"), "declare at least one app");
        }
        specs.start.push(specs.runs.len() as u32);
        apps.refs = expansion.into_refs();
        apps.resolve_dependencies(ctx, root, &depends_on);
        drop(depends_on);
        place(ctx, root, &mut apps, &specs, infrastructure);
        apps
    }

    /// Adds one app of the entry `a` (the `i`th), with its VMs, and returns
    /// its index.
    fn add(&mut self, id: String, i: usize, a: &AppFile<'_>, shape: &AppShape) -> AppId {
        let aid = AppId(self.apps.len() as u32);
        let mut app_vms = Vec::with_capacity(shape.vms.iter().map(|s| s.count as usize).sum());
        for spec in &shape.vms {
            for _ in 0..spec.count {
                app_vms.push(VmId(self.vms.len() as u32));
                self.vms.push(Vm {
                    app: aid,
                    host: HostId(0),
                    cores: spec.cores,
                    memory_bytes: spec.memory,
                    disk_bytes: spec.disk,
                });
            }
        }
        self.apps.push(App {
            id,
            group: a.count.map(|_| a.id.to_string()),
            tags: a.tags.clone(),
            criticality: shape.criticality,
            depends_on: Vec::new(),
            dependents: Vec::new(),
            vms: app_vms,
            restart: shape.restart.clone(),
            reinstall: shape.reinstall.clone(),
            ha_restart: shape.ha_restart.clone(),
            restore: shape.restore.clone(),
            failover: shape.failover.clone(),
            data_bytes: shape.data_bytes,
            rto: None,
            rpo: None,
        });
        self.origin.push(i);
        aid
    }

    /// Dependencies: each expanded app inherits its entry's list; then the
    /// reverse edges, and a check that there is no cycle.
    fn resolve_dependencies(
        &mut self,
        ctx: &mut Ctx,
        root: &FieldPath,
        depends_on: &[Vec<Text<'_>>],
    ) {
        let app_origin = &self.origin;
        // Each reference's path is built only for an error: a big estate
        // has hundreds of thousands of references.
        let path = |i: usize, k: usize| root.key("apps").index(i).key("depends_on").index(k);
        for aid in 0..self.apps.len() {
            let i = app_origin[aid];
            let mut deps = Vec::new();
            for (k, name) in depends_on[i].iter().enumerate() {
                // Report a bad reference once per spec, not once per member.
                let first_member = aid == 0 || app_origin[aid - 1] != i;
                let found = match self.refs.get(name) {
                    None if first_member => self.refs.lookup(ctx, &path(i, k), name, "app"),
                    found => found,
                };
                if let Some(members) = found {
                    for &d in members {
                        if d.index() == aid {
                            if first_member {
                                ctx.err(
                                    &path(i, k),
                                    format!("app `{}` cannot depend on itself", self.apps[aid].id),
                                );
                            }
                        } else if !deps.contains(&d) {
                            deps.push(d);
                        }
                    }
                }
            }
            self.apps[aid].depends_on = deps;
        }
        let apps = &mut self.apps;
        for aid in 0..apps.len() {
            for d in apps[aid].depends_on.clone() {
                apps[d.index()].dependents.push(AppId(aid as u32));
            }
        }
        if let Some(cycle) = find_cycle(apps) {
            let names: Vec<&str> = cycle.iter().map(|a| apps[a.index()].id.as_str()).collect();
            let first = cycle[0].index();
            ctx.err(
                &root.key("apps").index(app_origin[first]).key("depends_on"),
                format!("dependency cycle: {}", names.join(" → ")),
            );
        }
    }

    /// The apps named in `names` (app or group ids) or carrying one of `tags`,
    /// in file order. Records an error for unknown names and unused tags, and
    /// when the selection is empty.
    pub(super) fn select(
        &self,
        ctx: &mut Ctx,
        path: &FieldPath,
        names: &[String],
        tags: &[String],
    ) -> Vec<AppId> {
        let apps = &self.apps;
        let mut chosen = vec![false; apps.len()];
        for (k, name) in names.iter().enumerate() {
            if let Some(members) = self
                .refs
                .lookup(ctx, &path.key("apps").index(k), name, "app")
            {
                for a in members {
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

    /// Reads `objectives`, and holds every app they cover to the tightest
    /// RTO and RPO that covers it.
    pub(super) fn resolve_objectives(
        &mut self,
        ctx: &mut Ctx,
        root: &FieldPath,
        raw: &ScenarioFile,
    ) -> Vec<Objective> {
        let mut objectives: Vec<Objective> = Vec::new();
        for (i, o) in raw.objectives.iter().enumerate() {
            let p = root.key("objectives").index(i);
            // Reports, `--objective` and the advice name objectives: each
            // name must say which one it is.
            if let Some(name) = &o.name
                && name.trim().is_empty()
            {
                ctx.err(
                    &p.key("name"),
                    "an objective's name cannot be empty: name it (like `e-mail within a day`) or leave `name` out",
                );
            }
            let name = o
                .name
                .clone()
                .unwrap_or_else(|| format!("objective {}", i + 1));
            if let Some(first) = objectives.iter().position(|x| x.name == name) {
                ctx.err(
                    &p.key("name"),
                    format!(
                        "duplicate objective name `{name}` (first given at {}): give each objective its own name",
                        root.key("objectives").index(first).key("name")
                    ),
                );
            }
            let rto = o.rto.as_ref().and_then(|t| ctx.duration(&p.key("rto"), t));
            let rpo = o.rpo.as_ref().and_then(|t| ctx.duration(&p.key("rpo"), t));
            if o.rto.is_none() && o.rpo.is_none() {
                ctx.err(&p, "an objective needs an `rto`, an `rpo` or both");
            }
            let covered = self.select(ctx, &p, &o.apps, &o.tags);
            for a in &covered {
                let app = &mut self.apps[a.index()];
                app.rto = tighter(app.rto, rto);
                app.rpo = tighter(app.rpo, rpo);
            }
            objectives.push(Objective {
                name,
                rto,
                rpo,
                apps: covered,
            });
        }
        objectives
    }
}

/// The work distributions already read, by their text: the apps of a big
/// estate repeat a few texts (`pert(10m, 20m, 1h)`) a hundred thousand
/// times, each parsed once. A text that does not parse is not kept, so
/// that each place it appears reports its error.
#[derive(Default)]
struct Dists {
    parsed: BTreeMap<String, Dist>,
}

/// Most texts [`Dists`] keeps: an estate whose every app has its own
/// distributions is parsed app by app as before, in bounded memory.
const MAX_DISTS: usize = 256;

impl Dists {
    /// The distribution `text` (the `work.key` of the app entry at `p`),
    /// or the error recorded.
    fn parse(
        &mut self,
        ctx: &mut Ctx,
        p: &FieldPath,
        key: &'static str,
        text: &str,
    ) -> Option<Dist> {
        if let Some(d) = self.parsed.get(text) {
            return Some(d.clone());
        }
        let d = ctx.dist(&p.key(key), text)?;
        if self.parsed.len() < MAX_DISTS {
            self.parsed.insert(text.to_string(), d.clone());
        }
        Some(d)
    }
}

/// Reads what the members of an app entry `a` (at `p`) share: its
/// criticality, the work of each recovery method and its VMs.
fn app_shape(
    ctx: &mut Ctx,
    p: &FieldPath,
    a: &AppFile<'_>,
    infrastructure: &Infrastructure,
    dists: &mut Dists,
) -> AppShape {
    let cluster_ids = &infrastructure.cluster_ids;
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
    let mut work = |key: &'static str, text: &Option<Text<'_>>| {
        text.as_ref().and_then(|t| dists.parse(ctx, &wp, key, t))
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
        // The fields' paths are built only for an error (a million VMs).
        let cluster = match cluster_ids.get(v.cluster.as_str()) {
            Some(&cl) => Some(cl),
            None => lookup(ctx, &vp.key("cluster"), &v.cluster, cluster_ids, "cluster"),
        };
        let vcount = ctx.count_at(|| vp.key("count"), v.count);
        if v.cores == 0 {
            ctx.err(&vp.key("cores"), "a VM needs at least one core");
        }
        let memory = ctx.size_at(|| vp.key("memory"), &v.memory).unwrap_or(0);
        let disk = match &v.disk {
            Some(d) => ctx.size(&vp.key("disk"), d).unwrap_or(0),
            None => 0,
        };
        let hosts = match (&v.host, cluster) {
            (Some(h), Some(cl)) => pinned_hosts(ctx, &vp.key("host"), h, cl, infrastructure),
            _ => None,
        };
        specs.push(VmSpec {
            count: vcount,
            cores: v.cores,
            memory,
            disk,
            cluster: cluster.unwrap_or(ClusterId(0)),
            hosts,
        });
    }
    let data_bytes: u64 = specs
        .iter()
        .map(|s| u64::from(s.count).saturating_mul(s.disk))
        .fold(0, u64::saturating_add);
    AppShape {
        criticality,
        restart,
        reinstall,
        ha_restart,
        restore,
        failover,
        vms: specs,
        data_bytes,
    }
}

/// The hosts a VM's `host` (a host or host-group id, at `path`) names,
/// each of which must be in the VM's cluster `cl`.
fn pinned_hosts(
    ctx: &mut Ctx,
    path: &FieldPath,
    name: &str,
    cl: ClusterId,
    infrastructure: &Infrastructure,
) -> Option<Vec<HostId>> {
    let hosts = infrastructure.host_refs.lookup(ctx, path, name, "host")?;
    let clusters = &infrastructure.clusters;
    if let Some(h) = hosts
        .iter()
        .find(|h| infrastructure.hosts[h.index()].cluster != cl)
    {
        let host = &infrastructure.hosts[h.index()];
        ctx.err(
            path,
            format!(
                "host `{}` is in cluster `{}`, not in `{}` where this VM runs; name a host of `{}` or change `cluster`",
                host.id,
                clusters[host.cluster.index()].id,
                clusters[cl.index()].id,
                clusters[cl.index()].id
            ),
        );
        return None;
    }
    Some(hosts.to_vec())
}

/// Initial placement: each VM on the host its `vms` entry names (the
/// first of them with room, for a host group), else on the first host of
/// its cluster, in round-robin order, with enough free memory. CPU may be overcommitted,
/// as hypervisors do; memory may not. The VMs are walked app by app, each
/// app's `vms` entries in order (`specs`), as they were made.
fn place(
    ctx: &mut Ctx,
    root: &FieldPath,
    apps: &mut Apps,
    specs: &Specs,
    infrastructure: &Infrastructure,
) {
    let (hosts, clusters) = (&infrastructure.hosts, &infrastructure.clusters);
    let mut cluster_hosts: Vec<Vec<HostId>> = vec![Vec::new(); clusters.len()];
    for (h, host) in hosts.iter().enumerate() {
        if let Some(list) = cluster_hosts.get_mut(host.cluster.index()) {
            list.push(HostId(h as u32));
        }
    }
    let mut free: Vec<u64> = hosts.iter().map(|h| h.memory_bytes).collect();
    let mut free_vcpus: Vec<u64> = hosts.iter().map(|h| h.vcpus).collect();
    let mut cursor = vec![0usize; clusters.len()];
    let mut reported = BTreeSet::new();
    let spec_path =
        |entry: usize, index: usize| root.key("apps").index(entry).key("vms").index(index);
    let mut vms = apps.vms.iter_mut();
    for (app, &entry) in apps.apps.iter().zip(&apps.origin) {
        for (index, &(cl, count, pinned)) in specs.of(entry).iter().enumerate() {
            let named = specs.pinned.get(pinned as usize);
            for vm in vms.by_ref().take(count as usize) {
                let Some(list) = named.or_else(|| cluster_hosts.get(cl.index())) else {
                    continue;
                };
                if list.is_empty() {
                    if reported.insert((entry, index)) && !infrastructure.cluster_ids.is_empty() {
                        ctx.err(
                            &spec_path(entry, index).key("cluster"),
                            format!(
                                "cluster `{}` has no hosts to run this VM",
                                clusters[cl.index()].id
                            ),
                        );
                    }
                    continue;
                }
                let n = list.len();
                let from = if named.is_some() {
                    0
                } else {
                    cursor[cl.index()]
                };
                let pick = (0..n).map(|k| list[(from + k) % n]).find(|h| {
                    free[h.index()] >= vm.memory_bytes
                        && free_vcpus[h.index()] >= u64::from(vm.cores)
                });
                match pick {
                    Some(h) => {
                        free[h.index()] -= vm.memory_bytes;
                        free_vcpus[h.index()] -= u64::from(vm.cores);
                        vm.host = h;
                        if named.is_none() {
                            cursor[cl.index()] =
                                (list.iter().position(|x| *x == h).unwrap_or(0) + 1) % n;
                        }
                    }
                    None => {
                        if reported.insert((entry, index)) {
                            let full = match named {
                                Some(_) => "the host(s) its `host` names are full".to_string(),
                                None => format!("cluster `{}` is full", clusters[cl.index()].id),
                            };
                            ctx.err(
                                &spec_path(entry, index).key("memory"),
                                format!(
                                    "{full}: no host has {} of memory and {} virtual CPU(s) free for a VM of app `{}`; add hosts, or raise the site's `vcpu_per_core`",
                                    ByteSize(vm.memory_bytes),
                                    vm.cores,
                                    app.id
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// How many apps and VMs the `apps` section declares in all, groups
/// expanded (each capped at [`MAX_ENTITIES`], beyond which resolving stops).
fn totals(raw_apps: &[AppFile<'_>]) -> (usize, usize) {
    let (apps, vms) = raw_apps.iter().fold((0u64, 0u64), |(apps, vms), a| {
        let members = u64::from(a.count.unwrap_or(1));
        let per_app: u64 = a.vms.iter().map(|v| u64::from(v.count.unwrap_or(1))).sum();
        (
            apps.saturating_add(members),
            vms.saturating_add(per_app.saturating_mul(members)),
        )
    });
    let cap = |n: u64| n.min(MAX_ENTITIES as u64) as usize;
    (cap(apps), cap(vms))
}

/// The smaller of two optional bounds.
fn tighter(a: Option<SimDuration>, b: Option<SimDuration>) -> Option<SimDuration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
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
    use crate::scenario::{DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO_YAML, Format, load_str};

    /// The same distribution text in several app entries: parsed once
    /// when it is right, reported at every place when it is wrong.
    #[test]
    fn a_repeated_distribution_is_read_once_and_reported_everywhere() {
        let good = "restart: pert(10m, 20m, 1h)";
        let uses = DEFAULT_SCENARIO_YAML.matches(good).count();
        assert!(uses > 2, "the scenario repeats `{good}`");
        let scenario = load_str(DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_NAME, Format::Yaml)
            .expect("the default scenario loads");
        let first = scenario
            .apps
            .iter()
            .filter_map(|a| a.restart.clone())
            .next();
        let same = scenario
            .apps
            .iter()
            .filter(|a| a.restart.is_some() && a.restart == first)
            .count();
        assert!(same >= uses, "{same} apps share the first restart work");

        let bad = DEFAULT_SCENARIO_YAML.replace(good, "restart: pert(1h, 20m, 10m)");
        let err = load_str(&bad, "bad.yaml", Format::Yaml)
            .expect_err("a wrong distribution is refused")
            .to_string();
        let reported = err.matches(".work.restart").count();
        assert_eq!(reported, uses, "one error per use:\n{err}");
    }
}
