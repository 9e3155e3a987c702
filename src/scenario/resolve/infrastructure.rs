//! The infrastructure sections: hypervisor `builds`, `sites` (primary or
//! DR: [`Infrastructure::dr_sites`]), `clusters` and `hosts` (with group
//! expansion), and the `scope` through which faults name hosts.
//!
//! Ids are checked and numbered in file order; a reference to an unknown
//! id is reported and replaced by the first of its kind so that reading
//! goes on and later mistakes are found too.

use std::collections::BTreeMap;

use super::ctx::{Ctx, lookup};
use super::groups::{Expansion, Group, MAX_ENTITIES, Refs};
use crate::model::{Build, BuildId, Cluster, ClusterId, Host, HostId, Site, SiteId, SiteRole};
use crate::scenario::FieldPath;
use crate::scenario::raw::{ScenarioFile, ScopeFile};
use crate::sim::{Dist, SimDuration};

/// Virtual CPUs per physical core when a site does not say: a common
/// consolidation ratio for general-purpose VMware clusters.
const DEFAULT_VCPU_PER_CORE: u32 = 4;

/// The resolved infrastructure, and the ids by which later sections name
/// its parts.
pub(super) struct Infrastructure {
    /// Hypervisor builds, in file order.
    pub(super) builds: Vec<Build>,
    /// Build ids.
    pub(super) build_ids: BTreeMap<String, BuildId>,
    /// Sites, in file order.
    pub(super) sites: Vec<Site>,
    /// Site ids.
    pub(super) site_ids: BTreeMap<String, SiteId>,
    /// Whether every site's `role` was understood (otherwise which site is
    /// the DR site is unknown, and strategies are not checked against it).
    pub(super) site_roles_ok: bool,
    /// Clusters, in file order.
    pub(super) clusters: Vec<Cluster>,
    /// Cluster ids.
    pub(super) cluster_ids: BTreeMap<String, ClusterId>,
    /// Hosts, groups expanded, in file order.
    pub(super) hosts: Vec<Host>,
    /// Host and host-group ids.
    pub(super) host_refs: Refs<HostId>,
}

impl Infrastructure {
    /// Reads `builds`, `sites`, `clusters` and `hosts`, in that order.
    pub(super) fn resolve(ctx: &mut Ctx, root: &FieldPath, raw: &ScenarioFile) -> Infrastructure {
        let (builds, build_ids) = resolve_builds(ctx, root, raw);
        let (sites, site_ids, site_roles_ok) = resolve_sites(ctx, root, raw);
        let (clusters, cluster_ids) = resolve_clusters(ctx, root, raw, &site_ids);
        let mut infrastructure = Infrastructure {
            builds,
            build_ids,
            sites,
            site_ids,
            site_roles_ok,
            clusters,
            cluster_ids,
            hosts: Vec::new(),
            host_refs: Refs::default(),
        };
        infrastructure.host_refs = infrastructure.resolve_hosts(ctx, root, raw);
        infrastructure
    }

    /// Reads `hosts`, with group expansion: a group's id resolves to all
    /// its members.
    fn resolve_hosts(
        &mut self,
        ctx: &mut Ctx,
        root: &FieldPath,
        raw: &ScenarioFile,
    ) -> Refs<HostId> {
        let mut expansion = Expansion::new();
        let mut seen = BTreeMap::new();
        for (i, h) in raw.hosts.iter().enumerate() {
            let p = root.key("hosts").index(i);
            let duplicate = seen.contains_key(&h.id);
            ctx.id(&p.key("id"), &h.id, &mut seen, "host");
            let cluster = lookup(
                ctx,
                &p.key("cluster"),
                &h.cluster,
                &self.cluster_ids,
                "cluster",
            );
            let build = lookup(ctx, &p.key("build"), &h.build, &self.build_ids, "build");
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
            if self.hosts.len() + count as usize > MAX_ENTITIES {
                ctx.err(
                    &p.key("count"),
                    format!("more than {MAX_ENTITIES} hosts in total"),
                );
                break;
            }
            let cl = cluster.unwrap_or(ClusterId(0));
            let site = self.clusters.get(cl.index()).map_or(SiteId(0), |c| c.site);
            let per_core = self.sites.get(site.index()).map_or(1, |s| s.vcpu_per_core);
            let member = |id| Host {
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
            };
            let group = Group {
                path: &p.key("id"),
                id: &h.id,
                count,
                grouped: h.count.is_some(),
                duplicate,
            };
            let hosts = &mut self.hosts;
            let members = expansion.expand(ctx, "host", &group, |id| {
                let hid = HostId(hosts.len() as u32);
                hosts.push(member(id));
                hid
            });
            if h.count.is_some() {
                expansion.group(&h.id, members);
            }
        }
        if self.hosts.is_empty() {
            ctx.err(&root.key("hosts"), "declare at least one host");
        }
        expansion.into_refs()
    }

    /// The sites with `role: dr`.
    pub(super) fn dr_sites(&self) -> Vec<SiteId> {
        self.sites
            .iter()
            .enumerate()
            .filter(|(_, s)| s.role == SiteRole::Dr)
            .map(|(i, _)| SiteId(i as u32))
            .collect()
    }

    /// Per host, whether the scope covers it: the union of its hosts,
    /// clusters, sites and tags; every host when it names none.
    pub(super) fn scope(&self, ctx: &mut Ctx, sp: &FieldPath, s: &ScopeFile) -> Vec<bool> {
        let hosts = &self.hosts;
        let unscoped =
            s.hosts.is_empty() && s.clusters.is_empty() && s.sites.is_empty() && s.tags.is_empty();
        let mut in_scope = vec![unscoped; hosts.len()];
        for (k, name) in s.hosts.iter().enumerate() {
            if let Some(members) =
                self.host_refs
                    .lookup(ctx, &sp.key("hosts").index(k), name, "host")
            {
                for h in members {
                    in_scope[h.index()] = true;
                }
            }
        }
        for (k, name) in s.clusters.iter().enumerate() {
            let path = sp.key("clusters").index(k);
            if let Some(c) = lookup(ctx, &path, name, &self.cluster_ids, "cluster") {
                for (h, host) in hosts.iter().enumerate() {
                    in_scope[h] |= host.cluster == c;
                }
            }
        }
        for (k, name) in s.sites.iter().enumerate() {
            if let Some(site) = lookup(ctx, &sp.key("sites").index(k), name, &self.site_ids, "site")
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

/// Reads `builds`.
fn resolve_builds(
    ctx: &mut Ctx,
    root: &FieldPath,
    raw: &ScenarioFile,
) -> (Vec<Build>, BTreeMap<String, BuildId>) {
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
    (builds, build_ids)
}

/// Reads `sites`; also says whether every `role` was understood.
fn resolve_sites(
    ctx: &mut Ctx,
    root: &FieldPath,
    raw: &ScenarioFile,
) -> (Vec<Site>, BTreeMap<String, SiteId>, bool) {
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
    (sites, site_ids, site_roles_ok)
}

/// Reads `clusters`, each at a site.
fn resolve_clusters(
    ctx: &mut Ctx,
    root: &FieldPath,
    raw: &ScenarioFile,
    site_ids: &BTreeMap<String, SiteId>,
) -> (Vec<Cluster>, BTreeMap<String, ClusterId>) {
    let mut cluster_ids = BTreeMap::new();
    let mut clusters = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, c) in raw.clusters.iter().enumerate() {
        let p = root.key("clusters").index(i);
        ctx.id(&p.key("id"), &c.id, &mut seen, "cluster");
        let site = lookup(ctx, &p.key("site"), &c.site, site_ids, "site");
        cluster_ids.insert(c.id.clone(), ClusterId(clusters.len() as u32));
        clusters.push(Cluster {
            id: c.id.clone(),
            site: site.unwrap_or(SiteId(0)),
        });
    }
    (clusters, cluster_ids)
}
