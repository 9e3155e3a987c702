//! The export's rows as an estate: sites, clusters, hosts, builds, and
//! VMs grouped into apps. Pure functions of an [`Inventory`] and
//! [`Options`].

use std::collections::{BTreeMap, BTreeSet};

use super::rvtools::{HostRow, Inventory, VmRow};
use super::{AppRule, ImportError, Options};

/// The default and least virtual CPUs per physical core of a site.
const DEFAULT_VCPU_PER_CORE: u64 = 4;
/// The loader's limit.
const MAX_VCPU_PER_CORE: u64 = 64;

/// A site (a datacenter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Its id in the scenario.
    pub id: String,
    /// The datacenter's name.
    pub datacenter: String,
    /// A DR site.
    pub dr: bool,
    /// Why it has its role.
    pub why: String,
}

/// A cluster (or a standalone host's own cluster).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Its id in the scenario.
    pub id: String,
    /// Its name in the export (empty for a standalone host).
    pub name: String,
    /// Its site (index).
    pub site: usize,
}

/// A hypervisor build: one ESX version and build number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    /// Its id in the scenario.
    pub id: String,
    /// The version as written.
    pub version: String,
    /// How many hosts run it.
    pub hosts: usize,
}

/// A host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    /// Its id in the scenario.
    pub id: String,
    /// Its cluster (index).
    pub cluster: usize,
    /// Its build (index).
    pub build: usize,
    /// Physical cores.
    pub cores: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// The memory in the export, when it was raised so that the VMs it
    /// runs fit (VMware overcommits memory; hvsim does not).
    pub raised_from: Option<u64>,
}

/// A VM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vm {
    /// Its name.
    pub name: String,
    /// Its cluster (index).
    pub cluster: usize,
    /// The host it runs on in the export (index): a bug strikes the hosts
    /// of a build, so the scenario places it there.
    pub host: usize,
    /// Virtual CPUs.
    pub cores: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Data to restore, in MiB.
    pub disk_mib: u64,
    /// HA-protected.
    pub ha: bool,
    /// Replicated (it has an SRM placeholder).
    pub replicated: bool,
}

/// An application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    /// Its id in the scenario.
    pub id: String,
    /// Its name (the group's, or the VM's).
    pub name: String,
    /// Its VMs.
    pub vms: Vec<Vm>,
    /// Criticality, 1 to 1000.
    pub criticality: u32,
    /// Where the criticality comes from.
    pub criticality_from: &'static str,
    /// Tags.
    pub tags: Vec<String>,
    /// Ids of the apps it depends on.
    pub depends_on: Vec<String>,
    /// Every VM HA-protected: the app supports `ha-restart`.
    pub ha: bool,
    /// Every VM replicated: the app supports `failover`.
    pub replicated: bool,
}

/// What was left out of the scenario, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Templates.
    pub templates: usize,
    /// Powered-off or suspended VMs (without `--include-powered-off`).
    pub powered_off: usize,
    /// SRM placeholders (their VM is marked replicated).
    pub placeholders: usize,
    /// SRM placeholders whose protected VM is not in the export.
    pub orphan_placeholders: Vec<String>,
    /// Mapping-file VMs that are not in the export.
    pub unmapped_rows: Vec<String>,
    /// Hosts with no build... none; VMs the rule could not group (own app).
    pub ungrouped: usize,
}

/// The estate to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estate {
    /// Sites.
    pub sites: Vec<Site>,
    /// Clusters.
    pub clusters: Vec<Cluster>,
    /// Builds, by version.
    pub builds: Vec<Build>,
    /// Hosts, in export order.
    pub hosts: Vec<Host>,
    /// Apps, in the order of their first VM.
    pub apps: Vec<App>,
    /// Virtual CPUs per core given to every site, so the VMs fit as they run.
    pub vcpu_per_core: u64,
    /// What was left out.
    pub left_out: LeftOut,
    /// Defaults chosen, said to the user.
    pub notes: Vec<String>,
    /// The files read.
    pub sources: Vec<String>,
}

/// A scenario id from any name: letters, digits, `-`, `_`, `.` and `/`
/// kept, anything else `-`, runs of `-` folded.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().trim_matches('/').chars() {
        let c = if c.is_alphanumeric() || matches!(c, '_' | '.' | '/') {
            c
        } else {
            '-'
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "x".into() } else { out }
}

/// Unique ids: a second `web` becomes `web-2`.
#[derive(Default)]
struct Ids(BTreeSet<String>);

impl Ids {
    fn take(&mut self, name: &str) -> String {
        let base = slug(name);
        let mut id = base.clone();
        let mut k = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}-{k}");
            k += 1;
        }
        id
    }
}

/// A build's id: `VMware ESXi 7.0.3 build-21930508` → `esxi-7.0.3-build-21930508`.
fn build_id(version: &str) -> String {
    let v = version.trim();
    let v = v.strip_prefix("VMware ").unwrap_or(v);
    slug(&v.to_lowercase())
}

/// The hosts, clusters, builds and sites of vHost.
struct Infra {
    sites: Vec<Site>,
    clusters: Vec<Cluster>,
    builds: Vec<Build>,
    hosts: Vec<Host>,
    by_name: BTreeMap<String, usize>,
}

fn infrastructure(rows: &[HostRow]) -> Result<Infra, ImportError> {
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let mut datacenters: Vec<String> = Vec::new();
    let mut cluster_keys: Vec<(String, String)> = Vec::new();
    let mut versions: BTreeSet<String> = BTreeSet::new();
    for (i, h) in rows.iter().enumerate() {
        if let Some(&first) = by_name.get(&h.name) {
            return Err(ImportError::Cell {
                file: h.place.file.clone(),
                tab: h.place.tab.clone(),
                row: h.place.row,
                column: "Host".into(),
                message: format!(
                    "host `{}` is listed twice (first at {}): one export per vCenter, or rename one",
                    h.name, rows[first].place
                ),
            });
        }
        by_name.insert(h.name.clone(), i);
        if !datacenters.contains(&h.datacenter) {
            datacenters.push(h.datacenter.clone());
        }
        let key = (h.datacenter.clone(), cluster_name(h));
        if !cluster_keys.contains(&key) {
            cluster_keys.push(key);
        }
        versions.insert(h.version.clone());
    }
    let mut ids = Ids::default();
    let sites: Vec<Site> = datacenters
        .iter()
        .map(|dc| Site {
            id: ids.take(dc),
            datacenter: dc.clone(),
            dr: false,
            why: String::new(),
        })
        .collect();
    // Cluster names are unique within a datacenter only.
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, c) in &cluster_keys {
        *count.entry(c.as_str()).or_default() += 1;
    }
    let mut cids = Ids::default();
    let clusters: Vec<Cluster> = cluster_keys
        .iter()
        .map(|(dc, c)| {
            let id = if count.get(c.as_str()).copied().unwrap_or(0) > 1 {
                format!("{dc}/{c}")
            } else {
                c.clone()
            };
            Cluster {
                id: cids.take(&id),
                name: c.clone(),
                site: datacenters.iter().position(|d| d == dc).unwrap_or(0),
            }
        })
        .collect();
    let mut bids = Ids::default();
    let mut builds: Vec<Build> = versions
        .iter()
        .map(|v| Build {
            id: bids.take(&build_id(v)),
            version: v.clone(),
            hosts: 0,
        })
        .collect();
    let mut hids = Ids::default();
    let mut hosts = Vec::with_capacity(rows.len());
    for h in rows {
        let key = (h.datacenter.clone(), cluster_name(h));
        let cluster = cluster_keys.iter().position(|k| *k == key).unwrap_or(0);
        let build = builds
            .iter()
            .position(|b| b.version == h.version)
            .unwrap_or(0);
        if let Some(b) = builds.get_mut(build) {
            b.hosts += 1;
        }
        hosts.push(Host {
            id: hids.take(&h.name),
            cluster,
            build,
            cores: h.cores,
            memory_mib: h.memory_mib,
            raised_from: None,
        });
    }
    Ok(Infra {
        sites,
        clusters,
        builds,
        hosts,
        by_name,
    })
}

/// A host's cluster: its own, or `standalone-HOST` for a host in none.
fn cluster_name(h: &HostRow) -> String {
    if h.cluster.trim().is_empty() {
        format!("standalone-{}", h.name)
    } else {
        h.cluster.clone()
    }
}

/// Is a VM HA-protected, by its HA restart priority (or old `Das protection`)?
fn ha_protected(priority: &str) -> bool {
    !matches!(
        priority.trim().to_ascii_lowercase().as_str(),
        "" | "disabled" | "false" | "no" | "unprotected" | "n/a"
    )
}

/// The criticality an HA restart priority suggests (ASSUMPTION).
fn criticality_of(priority: &str) -> u32 {
    match priority.trim().to_ascii_lowercase().as_str() {
        "highest" => 10,
        "high" => 8,
        "medium" | "clusterrestartpriority" => 5,
        "low" => 3,
        "lowest" => 2,
        _ => 1,
    }
}

/// The VMs kept, each with its host's index, and what was left out.
fn keep_vms<'a>(
    inv: &'a Inventory,
    infra: &Infra,
    options: &Options,
    left: &mut LeftOut,
) -> Result<Vec<(&'a VmRow, usize)>, ImportError> {
    let placeholders: BTreeSet<&str> = inv
        .vms
        .iter()
        .filter(|v| v.srm_placeholder)
        .map(|v| v.name.as_str())
        .collect();
    let mut seen: BTreeMap<&str, &VmRow> = BTreeMap::new();
    let mut kept = Vec::new();
    for v in &inv.vms {
        if v.srm_placeholder {
            left.placeholders += 1;
            continue;
        }
        if v.template {
            left.templates += 1;
            continue;
        }
        if !v.powered_on && !options.include_powered_off {
            left.powered_off += 1;
            continue;
        }
        let cell = |column: &str, message: String| ImportError::Cell {
            file: v.place.file.clone(),
            tab: v.place.tab.clone(),
            row: v.place.row,
            column: column.into(),
            message,
        };
        if let Some(first) = seen.insert(&v.name, v) {
            return Err(cell(
                "VM",
                format!(
                    "VM `{}` is listed twice (first at {}): VM names must be unique; rename one in vCenter or drop a duplicate export",
                    v.name, first.place
                ),
            ));
        }
        let Some(&host) = infra.by_name.get(&v.host) else {
            return Err(cell(
                "Host",
                format!(
                    "VM `{}` runs on host `{}`, which is not in the vHost tab: export both tabs from the same vCenter at the same time",
                    v.name, v.host
                ),
            ));
        };
        if v.cpus == 0 {
            return Err(cell(
                "CPUs",
                "expected at least 1 virtual CPU, got 0".into(),
            ));
        }
        if v.memory_mib == 0 {
            return Err(cell(
                "Memory",
                "expected the VM's memory in MiB, got 0".into(),
            ));
        }
        kept.push((v, host));
    }
    // A placeholder's VM may be left out (powered off): it is not an orphan.
    let names: BTreeSet<&str> = inv
        .vms
        .iter()
        .filter(|v| !v.srm_placeholder)
        .map(|v| v.name.as_str())
        .collect();
    left.orphan_placeholders = placeholders
        .iter()
        .filter(|p| !names.contains(*p))
        .map(|p| p.to_string())
        .collect();
    Ok(kept)
}

/// Marks sites primary or DR: by the site map, or by default a datacenter
/// with SRM placeholders or with hosts and no VM kept, as long as one
/// datacenter stays primary.
fn assign_sites(
    infra: &mut Infra,
    inv: &Inventory,
    kept: &[(&VmRow, usize)],
    options: &Options,
    notes: &mut Vec<String>,
) -> Result<(), ImportError> {
    if let Some(map) = &options.site_map {
        for s in &mut infra.sites {
            match map.dr.get(&s.datacenter) {
                Some(&dr) => {
                    s.dr = dr;
                    s.why = format!("{} says so", map.file);
                }
                None => {
                    return Err(ImportError::Option {
                        message: format!(
                            "{}: datacenter `{}` is not in the site map: add a line `{},primary` or `{},dr`",
                            map.file, s.datacenter, s.datacenter, s.datacenter
                        ),
                    });
                }
            }
        }
        for dc in map.dr.keys() {
            if !infra.sites.iter().any(|s| &s.datacenter == dc) {
                notes.push(format!(
                    "{}: datacenter `{dc}` is not in the export; ignored",
                    map.file
                ));
            }
        }
        return Ok(());
    }
    let site_of_host = |h: usize| {
        infra
            .clusters
            .get(infra.hosts.get(h).map_or(0, |h| h.cluster))
            .map_or(0, |c| c.site)
    };
    let mut with_placeholders = BTreeSet::new();
    for v in inv.vms.iter().filter(|v| v.srm_placeholder) {
        if let Some(&h) = infra.by_name.get(&v.host) {
            with_placeholders.insert(site_of_host(h));
        }
    }
    let with_vms: BTreeSet<usize> = kept.iter().map(|(_, h)| site_of_host(*h)).collect();
    let n = infra.sites.len();
    let mut dr: Vec<(usize, &str)> = (0..n)
        .filter_map(|s| {
            if with_placeholders.contains(&s) {
                Some((s, "it holds SRM placeholders"))
            } else if !with_vms.contains(&s) {
                Some((s, "it has hosts and no VM in use"))
            } else {
                None
            }
        })
        .collect();
    if dr.len() >= n {
        dr.clear();
    }
    for s in 0..n {
        let site = &mut infra.sites[s];
        match dr.iter().find(|(d, _)| *d == s) {
            Some((_, why)) => {
                site.dr = true;
                site.why = format!("DR by default: {why}");
            }
            None => site.why = "primary by default".into(),
        }
    }
    if dr.is_empty() {
        notes.push("no DR site: no datacenter holds SRM placeholders or stands empty; name one with --site-map FILE (`datacenter,dr`) to compare restore, failover and reinstall".into());
    } else if dr.len() > 1 {
        let kept_first = dr[0].0;
        for (s, _) in dr.iter().skip(1) {
            infra.sites[*s].dr = false;
            infra.sites[*s].why =
                "primary: only one DR site is chosen by default; use --site-map".into();
        }
        notes.push(format!("several datacenters could be the DR site; `{}` was chosen: use --site-map to say which", infra.sites[kept_first].datacenter));
    }
    Ok(())
}

/// The group name of a VM under the rule, if the rule gives one.
fn group_of(rule: &AppRule, v: &VmRow) -> Option<String> {
    let non_empty = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    match rule {
        AppRule::PerVm => None,
        AppRule::Folder => non_empty(&v.folder),
        AppRule::VApp => non_empty(&v.vapp),
        AppRule::Annotation => non_empty(v.annotation.lines().next().unwrap_or("")),
        AppRule::Attribute(_) => non_empty(&v.attribute),
        AppRule::Regex(re) => re
            .captures(&v.name)
            .and_then(|c| c.get(1))
            .and_then(|m| non_empty(m.as_str())),
        AppRule::Mapping(m) => m.vm_app.get(&v.name).cloned(),
    }
}

/// Maps an inventory to an estate. Sites: with `--site-map`, as it says;
/// without, a datacenter that holds SRM placeholders, or has hosts and no
/// VM in use, is the DR site (one at most, and one datacenter at least
/// stays primary). Apps: by the rule, one per VM by default.
pub fn map(inv: &Inventory, options: &Options) -> Result<Estate, ImportError> {
    let mut infra = infrastructure(&inv.hosts)?;
    let mut left = LeftOut::default();
    let mut notes = Vec::new();
    let kept = keep_vms(inv, &infra, options, &mut left)?;
    assign_sites(&mut infra, inv, &kept, options, &mut notes)?;
    let replicated: BTreeSet<&str> = inv
        .vms
        .iter()
        .filter(|v| v.srm_placeholder)
        .map(|v| v.name.as_str())
        .collect();
    // Group VMs into apps in the order of their first VM.
    let mut groups: Vec<(String, bool, Vec<Vm>, u32)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (v, h) in &kept {
        let data = inv
            .consumed_mib
            .get(&v.name)
            .copied()
            .or(v.in_use_mib)
            .or_else(|| inv.disk_mib.get(&v.name).copied())
            .or(v.provisioned_mib)
            .unwrap_or(0);
        let vm = Vm {
            name: v.name.clone(),
            cluster: infra.hosts.get(*h).map_or(0, |h| h.cluster),
            host: *h,
            cores: v.cpus,
            memory_mib: v.memory_mib,
            disk_mib: data,
            ha: ha_protected(&v.ha_priority)
                && !infra
                    .clusters
                    .get(infra.hosts.get(*h).map_or(0, |h| h.cluster))
                    .is_some_and(|c| c.name.starts_with("standalone-")),
            replicated: replicated.contains(v.name.as_str()),
        };
        let crit = criticality_of(&v.ha_priority);
        let (key, grouped) = match group_of(&options.apps, v) {
            Some(g) => (format!("g:{g}"), true),
            None => {
                if !matches!(options.apps, AppRule::PerVm) {
                    left.ungrouped += 1;
                }
                (format!("v:{}", v.name), false)
            }
        };
        match index.get(&key) {
            Some(&k) => {
                groups[k].2.push(vm);
                groups[k].3 = groups[k].3.max(crit);
            }
            None => {
                index.insert(key.clone(), groups.len());
                let name = if grouped {
                    key[2..].to_string()
                } else {
                    v.name.clone()
                };
                groups.push((name, grouped, vec![vm], crit));
            }
        }
    }
    let apps = build_apps(groups, options, &mut left)?;
    if matches!(options.apps, AppRule::PerVm) {
        notes.push("one app per VM (the default): group VMs into apps with --apps folder, vapp, annotation, attribute:NAME, regex:PATTERN or mapping:FILE.csv".into());
    }
    raise_overcommitted(&mut infra, &apps, &mut notes);
    let vcpu_per_core = vcpu_ratio(&infra, &apps);
    if vcpu_per_core > DEFAULT_VCPU_PER_CORE {
        notes.push(format!(
            "sites get vcpu_per_core: {vcpu_per_core}, so every cluster's VMs fit as they run today"
        ));
    }
    Ok(Estate {
        sites: infra.sites,
        clusters: infra.clusters,
        builds: infra.builds,
        hosts: infra.hosts,
        apps,
        vcpu_per_core,
        left_out: left,
        notes,
        sources: inv.sources.clone(),
    })
}

/// Apps from groups: ids, criticality, tags, dependencies.
fn build_apps(
    groups: Vec<(String, bool, Vec<Vm>, u32)>,
    options: &Options,
    left: &mut LeftOut,
) -> Result<Vec<App>, ImportError> {
    let mapping = match &options.apps {
        AppRule::Mapping(m) => Some(m),
        _ => None,
    };
    let mut ids = Ids::default();
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    let mut apps = Vec::with_capacity(groups.len());
    for (name, grouped, vms, ha_crit) in groups {
        let id = ids.take(&name);
        if grouped {
            by_name.insert(name.clone(), id.clone());
        }
        let mapped = mapping.and_then(|m| if grouped { m.apps.get(&name) } else { None });
        let (criticality, from) = match mapped.and_then(|a| a.criticality) {
            Some(c) => (c, "the mapping file"),
            None => (ha_crit, "HA restart priority (ASSUMPTION)"),
        };
        let ha = vms.iter().all(|v| v.ha);
        let replicated = vms.iter().all(|v| v.replicated);
        let mut tags = vec!["all".to_string()];
        if criticality >= 8 {
            tags.push("critical".into());
        }
        if ha {
            tags.push("ha".into());
        }
        if replicated {
            tags.push("replicated".into());
        }
        for t in mapped.map(|a| a.tags.as_slice()).unwrap_or(&[]) {
            let t = slug(t);
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        apps.push(App {
            id,
            name,
            vms,
            criticality,
            criticality_from: from,
            tags,
            depends_on: Vec::new(),
            ha,
            replicated,
        });
    }
    if let Some(m) = mapping {
        for app in apps.iter_mut() {
            let Some(mapped) = m.apps.get(&app.name) else {
                continue;
            };
            for d in &mapped.depends_on {
                match by_name.get(d) {
                    Some(id) if *id != app.id => app.depends_on.push(id.clone()),
                    Some(_) => {}
                    None => {
                        return Err(ImportError::Option {
                            message: format!(
                                "{}: app `{}` depends on `{d}`, which has no VM in use in the export (apps: the file's `app` column)",
                                m.file, app.name
                            ),
                        });
                    }
                }
            }
        }
        let names: BTreeSet<&str> = apps
            .iter()
            .flat_map(|a| a.vms.iter().map(|v| v.name.as_str()))
            .collect();
        left.unmapped_rows = m
            .vm_app
            .keys()
            .filter(|v| !names.contains(v.as_str()))
            .cloned()
            .collect();
    }
    Ok(apps)
}

/// Raises the memory of each host whose VMs have more memory than it
/// (VMware overcommits memory; hvsim's placement does not), to what they
/// take rounded up to a GiB, and says so per cluster.
fn raise_overcommitted(infra: &mut Infra, apps: &[App], notes: &mut Vec<String>) {
    let mut need = vec![0u64; infra.hosts.len()];
    for v in apps.iter().flat_map(|a| &a.vms) {
        if let Some(x) = need.get_mut(v.host) {
            *x = x.saturating_add(v.memory_mib);
        }
    }
    let mut raised = vec![(0usize, 0u64, 0u64); infra.clusters.len()];
    for (h, host) in infra.hosts.iter_mut().enumerate() {
        if need[h] <= host.memory_mib {
            continue;
        }
        if let Some(r) = raised.get_mut(host.cluster) {
            *r = (
                r.0 + 1,
                r.1.saturating_add(need[h]),
                r.2.saturating_add(host.memory_mib),
            );
        }
        host.raised_from = Some(host.memory_mib);
        host.memory_mib = need[h].div_ceil(1024) * 1024;
    }
    for (c, &(hosts, need, have)) in raised.iter().enumerate() {
        if hosts > 0 {
            notes.push(format!(
                "cluster {}: {hosts} host(s) run VMs of {} GiB of memory in all on {} GiB (overcommitted); their memory is raised so that their VMs fit (ASSUMPTION, marked in the file)",
                infra.clusters[c].id,
                need.div_ceil(1024),
                have / 1024
            ));
        }
    }
}

/// Virtual CPUs per core so that each host's VMs fit: at least 4, at
/// most 64.
fn vcpu_ratio(infra: &Infra, apps: &[App]) -> u64 {
    let mut vcpus = vec![0u64; infra.hosts.len()];
    for v in apps.iter().flat_map(|a| &a.vms) {
        if let Some(c) = vcpus.get_mut(v.host) {
            *c += u64::from(v.cores);
        }
    }
    let mut ratio = DEFAULT_VCPU_PER_CORE;
    for (h, host) in infra.hosts.iter().enumerate() {
        ratio = ratio.max(vcpus[h].div_ceil(u64::from(host.cores).max(1)));
    }
    ratio.min(MAX_VCPU_PER_CORE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_what_ids_allow() {
        assert_eq!(slug("web 01 (prod)"), "web-01-prod");
        assert_eq!(slug("esx01.corp.local"), "esx01.corp.local");
        assert_eq!(slug("  "), "x");
        let mut ids = Ids::default();
        assert_eq!(ids.take("web"), "web");
        assert_eq!(ids.take("web"), "web-2");
    }

    fn inventory() -> Inventory {
        let mut inv = Inventory::default();
        inv.add_csv_bytes(
            b"Host,Datacenter,Cluster,# Cores,# Memory,ESX Version\n\
              a1,DC-A,c1,32,524288,VMware ESXi 7.0.3 build-1\n\
              a2,DC-A,,32,524288,VMware ESXi 7.0.3 build-1\n\
              b1,DC-B,c1,32,524288,VMware ESXi 8.0.2 build-2\n",
            "vHost",
        )
        .unwrap();
        inv.add_csv_bytes(
            b"VM,Powerstate,SRM Placeholder,CPUs,Memory,In Use MiB,Host,Folder,HA Restart Priority\n\
              web,poweredOn,False,2,4096,100,a1,/f/web,High\n\
              db,poweredOn,False,4,8192,200,a2,/f/db,High\n\
              db,poweredOff,True,4,8192,0,b1,/f/db,\n\
              off,poweredOff,False,1,1024,1,a1,/f/web,\n",
            "vInfo",
        )
        .unwrap();
        inv
    }

    #[test]
    fn an_inventory_maps_to_sites_clusters_builds_and_apps() {
        let e = map(&inventory(), &Options::default()).unwrap();
        // DC-B holds the placeholder: the DR site, by default.
        let sites: Vec<(&str, bool)> = e.sites.iter().map(|s| (s.id.as_str(), s.dr)).collect();
        assert_eq!(sites, [("DC-A", false), ("DC-B", true)]);
        // `c1` in both datacenters: prefixed; a2 is standalone.
        let clusters: Vec<&str> = e.clusters.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(clusters, ["DC-A/c1", "standalone-a2", "DC-B/c1"]);
        let builds: Vec<(&str, usize)> =
            e.builds.iter().map(|b| (b.id.as_str(), b.hosts)).collect();
        assert_eq!(
            builds,
            [("esxi-7.0.3-build-1", 2), ("esxi-8.0.2-build-2", 1)]
        );
        let apps: Vec<(&str, bool, bool, u32)> = e
            .apps
            .iter()
            .map(|a| (a.id.as_str(), a.ha, a.replicated, a.criticality))
            .collect();
        // db is on a standalone host: no HA there; its placeholder makes it replicated.
        assert_eq!(apps, [("web", true, false, 8), ("db", false, true, 8)]);
        assert_eq!((e.left_out.powered_off, e.left_out.placeholders), (1, 1));
        let folder = Options {
            apps: AppRule::Folder,
            include_powered_off: true,
            ..Options::default()
        };
        let e = map(&inventory(), &folder).unwrap();
        let apps: Vec<(&str, usize)> = e
            .apps
            .iter()
            .map(|a| (a.id.as_str(), a.vms.len()))
            .collect();
        assert_eq!(apps, [("f/web", 2), ("f/db", 1)]);
    }

    #[test]
    fn builds_are_named_by_version_and_build() {
        assert_eq!(
            build_id("VMware ESXi 7.0.3 build-21930508"),
            "esxi-7.0.3-build-21930508"
        );
    }

    #[test]
    fn ha_priorities_read_as_expected() {
        assert!(ha_protected("High"));
        assert!(ha_protected("clusterRestartPriority"));
        assert!(!ha_protected("Disabled"));
        assert!(!ha_protected(""));
        assert_eq!(criticality_of("highest"), 10);
        assert_eq!(criticality_of("Disabled"), 1);
    }
}
