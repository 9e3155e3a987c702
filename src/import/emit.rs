//! The estate as a commented YAML scenario, and the import's summary.
//! Both are pure functions: the same estate and template give the same
//! bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::ImportError;
use super::estate::{App, Estate};
use super::template::Template;
use crate::units::counted;

/// A YAML double-quoted string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text safe for a one-line comment.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A size in MiB as the scenario writes it: TiB or GiB when exact.
pub fn mib(n: u64) -> String {
    if n > 0 && n.is_multiple_of(1 << 20) {
        format!("{}TiB", n >> 20)
    } else if n > 0 && n.is_multiple_of(1 << 10) {
        format!("{}GiB", n >> 10)
    } else {
        format!("{n}MiB")
    }
}

/// A list of quoted strings in flow style.
fn list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", q.join(", "))
}

/// Whether any site is DR.
fn has_dr(estate: &Estate) -> bool {
    estate.sites.iter().any(|s| s.dr)
}

/// The build the bug strikes: the one on the most hosts of the primary
/// sites (ties: the first by version).
pub fn struck_build(estate: &Estate) -> Option<usize> {
    let mut count = vec![0usize; estate.builds.len()];
    for h in &estate.hosts {
        let primary = estate
            .clusters
            .get(h.cluster)
            .and_then(|c| estate.sites.get(c.site))
            .is_some_and(|s| !s.dr);
        if primary && let Some(c) = count.get_mut(h.build) {
            *c += 1;
        }
    }
    let best = count.iter().copied().max().filter(|&m| m > 0)?;
    count.iter().position(|&c| c == best)
}

/// The template's strategies this estate can use, each with the methods
/// it can use here.
pub fn usable_strategies(
    estate: &Estate,
    t: &Template,
) -> Vec<(String, String, Vec<String>, String, bool)> {
    let dr = has_dr(estate);
    let replicated = estate.apps.iter().any(|a| a.replicated);
    let ha = estate.apps.iter().any(|a| a.ha);
    let mut out: Vec<(String, String, Vec<String>, String, bool)> = Vec::new();
    for s in &t.strategies {
        let methods: Vec<String> = s
            .methods
            .iter()
            .filter(|m| match m.as_str() {
                "restore" | "reinstall" => dr,
                "failover" => dr && replicated,
                "ha-restart" => ha,
                _ => true,
            })
            .cloned()
            .collect();
        let at_dr = |m: &String| matches!(m.as_str(), "restore" | "reinstall" | "failover");
        // Empty, or a DR plan with no DR method left: its name would lie.
        if methods.is_empty() || (s.methods.iter().any(at_dr) && !methods.iter().any(at_dr)) {
            continue;
        }
        let same = out
            .iter()
            .any(|o| o.2 == methods && o.3 == s.order && o.4 == s.restart_despite_recurrence);
        if !same {
            out.push((
                s.id.clone(),
                s.description.clone(),
                methods,
                s.order.clone(),
                s.restart_despite_recurrence,
            ));
        }
    }
    out
}

/// The scenario's text. `command` is the command line that made it, for
/// its header.
pub fn scenario(estate: &Estate, t: &Template, command: &str) -> Result<String, ImportError> {
    if estate.apps.is_empty() {
        return Err(ImportError::Option {
            message: "no VM in use in the export (templates, placeholders and powered-off VMs are left out): nothing to simulate; try --include-powered-off".into(),
        });
    }
    let mut w = String::new();
    header(&mut w, estate, command);
    infrastructure(&mut w, estate, t);
    bug(&mut w, estate, t);
    apps(&mut w, estate, t);
    staff_and_plans(&mut w, estate, t)?;
    Ok(w)
}

fn header(w: &mut String, estate: &Estate, command: &str) {
    let vms: usize = estate.apps.iter().map(|a| a.vms.len()).sum();
    let _ = writeln!(
        w,
        "# Imported from an RVTools export by `{}`.",
        comment(command)
    );
    for s in &estate.sources {
        let _ = writeln!(w, "#   read: {}", comment(s));
    }
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "# From the export: {} sites, {} clusters, {} hosts on {} builds, {} VMs in {} apps.",
        estate.sites.len(),
        estate.clusters.len(),
        estate.hosts.len(),
        estate.builds.len(),
        vms,
        estate.apps.len()
    );
    let _ = writeln!(
        w,
        "# Everything marked ASSUMPTION is not in an inventory: it comes from the import's"
    );
    let _ = writeln!(w, "# template (docs/import.md). Check it, edit it, then:");
    let _ = writeln!(w, "#");
    let _ = writeln!(
        w,
        "#   hvsim validate THIS-FILE && hvsim compare THIS-FILE --runs 200"
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "name: {}", quote("Imported estate"));
    let _ = writeln!(
        w,
        "description: {}",
        quote(&format!(
            "{} and {} imported from RVTools",
            counted(estate.hosts.len(), "host", "hosts"),
            counted(vms, "VM", "VMs")
        ))
    );
}

fn infrastructure(w: &mut String, estate: &Estate, t: &Template) {
    let _ = writeln!(
        w,
        "time_zone: {}                # ASSUMPTION",
        quote(&t.time_zone)
    );
    let _ = writeln!(w, "start: {}                 # ASSUMPTION", quote(&t.start));
    let _ = writeln!(
        w,
        "horizon: {}                     # ASSUMPTION",
        quote(&t.horizon)
    );
    let _ = writeln!(
        w,
        "\n# One build per ESX version and build number: the unit a common-mode bug strikes."
    );
    let _ = writeln!(w, "builds:");
    for b in &estate.builds {
        let _ = writeln!(w, "  - id: {}", quote(&b.id));
        let _ = writeln!(
            w,
            "    description: {}   # {} hosts",
            quote(&b.version),
            b.hosts
        );
        let _ = writeln!(w, "    reboot: {}   # ASSUMPTION", quote(&t.reboot));
    }
    let _ = writeln!(w, "\n# Datacenters.");
    let _ = writeln!(w, "sites:");
    for s in &estate.sites {
        let _ = writeln!(w, "  - id: {}", quote(&s.id));
        let _ = writeln!(
            w,
            "    description: {}",
            quote(&format!("datacenter {}", s.datacenter))
        );
        if s.dr {
            let _ = writeln!(w, "    role: dr   # {}", comment(&s.why));
        } else {
            let _ = writeln!(w, "    # {}", comment(&s.why));
        }
        let _ = writeln!(w, "    vcpu_per_core: {}", estate.vcpu_per_core);
    }
    let _ = writeln!(w, "\nclusters:");
    for c in &estate.clusters {
        let site = estate.sites.get(c.site).map_or("", |s| s.id.as_str());
        let _ = writeln!(w, "  - {{ id: {}, site: {} }}", quote(&c.id), quote(site));
    }
    let _ = writeln!(w, "\nhosts:");
    for h in &estate.hosts {
        let cluster = estate.clusters.get(h.cluster).map_or("", |c| c.id.as_str());
        let build = estate.builds.get(h.build).map_or("", |b| b.id.as_str());
        let raised = h.raised_from.map_or(String::new(), |m| {
            format!(
                "   # ASSUMPTION: {} in the export, raised: its cluster overcommits memory",
                mib(m)
            )
        });
        let _ = writeln!(
            w,
            "  - {{ id: {}, cluster: {}, build: {}, cores: {}, memory: {} }}{raised}",
            quote(&h.id),
            quote(cluster),
            quote(build),
            h.cores,
            mib(h.memory_mib)
        );
    }
}

fn bug(w: &mut String, estate: &Estate, t: &Template) {
    let Some(b) = struck_build(estate) else {
        let _ = writeln!(w, "\nbugs: []   # no primary site: no bug assumed");
        return;
    };
    let build = &estate.builds[b];
    let primary: Vec<String> = estate
        .sites
        .iter()
        .filter(|s| !s.dr)
        .map(|s| s.id.clone())
        .collect();
    let primary_hosts = estate
        .hosts
        .iter()
        .filter(|h| {
            h.build == b
                && estate
                    .clusters
                    .get(h.cluster)
                    .and_then(|c| estate.sites.get(c.site))
                    .is_some_and(|s| !s.dr)
        })
        .count();
    let _ = writeln!(
        w,
        "\n# ASSUMPTION: one latent bug in the build on the most primary hosts ({primary_hosts} there, {} in all).",
        build.hosts
    );
    let _ = writeln!(
        w,
        "# The DR site's hosts are out of its scope; if they run the same build, widen the"
    );
    let _ = writeln!(w, "# scope to see a common-mode bug take both sites.");
    let _ = writeln!(w, "bugs:");
    let _ = writeln!(w, "  - id: assumed-bug");
    let _ = writeln!(
        w,
        "    description: {}",
        quote(&format!(
            "ASSUMPTION: a defect of {} crashes its hosts",
            build.version
        ))
    );
    let _ = writeln!(w, "    builds: [{}]", quote(&build.id));
    let _ = writeln!(
        w,
        "    trigger: {{ at: {} }}   # ASSUMPTION",
        quote(&t.bug.at)
    );
    let _ = writeln!(w, "    scope: {{ sites: {} }}", list(&primary));
    let _ = writeln!(
        w,
        "    effects: {{ crash: true, corrupt_vm: {} }}   # ASSUMPTION",
        t.bug.corrupt_vm
    );
    if let Some(r) = &t.bug.recurrence {
        let _ = writeln!(w, "    recurrence: {}   # ASSUMPTION", quote(r));
    }
    let _ = writeln!(w, "    fix: {}   # ASSUMPTION", quote(&t.bug.fix));
}

/// The methods an app supports here, with their work.
fn work_of(app: &App, estate: &Estate, t: &Template) -> Vec<(&'static str, String)> {
    let dr = has_dr(estate);
    let mut out = vec![("restart", t.work.restart.clone())];
    if app.ha {
        out.push(("ha-restart", t.work.ha_restart.clone()));
    }
    if dr {
        out.push(("restore", t.work.restore.clone()));
        out.push(("reinstall", t.work.reinstall.clone()));
        if app.replicated {
            out.push(("failover", t.work.failover.clone()));
        }
    }
    out
}

fn apps(w: &mut String, estate: &Estate, t: &Template) {
    let _ = writeln!(
        w,
        "\n# Apps: VMs grouped as the import was asked (docs/import.md, --apps). Work per method"
    );
    let _ = writeln!(
        w,
        "# is an ASSUMPTION from the template; criticality comes from the mapping file or,"
    );
    let _ = writeln!(
        w,
        "# failing that, from the VMs' HA restart priority (ASSUMPTION)."
    );
    let _ = writeln!(w, "apps:");
    for a in &estate.apps {
        let _ = writeln!(w, "  - id: {}", quote(&a.id));
        if a.name != a.id {
            let _ = writeln!(w, "    description: {}", quote(&a.name));
        }
        let _ = writeln!(
            w,
            "    criticality: {}   # {}",
            a.criticality, a.criticality_from
        );
        let _ = writeln!(w, "    tags: {}", list(&a.tags));
        if !a.depends_on.is_empty() {
            let _ = writeln!(w, "    depends_on: {}", list(&a.depends_on));
        }
        let _ = writeln!(w, "    vms:");
        for v in &a.vms {
            let cluster = estate.clusters.get(v.cluster).map_or("", |c| c.id.as_str());
            let host = estate.hosts.get(v.host).map_or("", |h| h.id.as_str());
            let disk = if v.disk_mib > 0 {
                format!(", disk: {}", mib(v.disk_mib))
            } else {
                String::new()
            };
            let _ = writeln!(
                w,
                "      - {{ cluster: {}, host: {}, cores: {}, memory: {}{disk} }}   # {}",
                quote(cluster),
                quote(host),
                v.cores,
                mib(v.memory_mib),
                comment(&v.name)
            );
        }
        let _ = writeln!(w, "    work:   # ASSUMPTION");
        for (m, d) in work_of(a, estate, t) {
            let _ = writeln!(w, "      {m}: {}", quote(&d));
        }
    }
}

fn staff_and_plans(w: &mut String, estate: &Estate, t: &Template) -> Result<(), ImportError> {
    let _ = writeln!(w, "\n# ASSUMPTION: who recovers, and when they work.");
    let _ = writeln!(w, "teams:");
    let _ = writeln!(w, "  - id: ops");
    let _ = writeln!(w, "    members: {}   # ASSUMPTION", t.team.members);
    let _ = writeln!(w, "    shifts: {}   # ASSUMPTION", list(&t.team.shifts));
    if has_dr(estate) {
        let b = &t.backup;
        let _ = writeln!(
            w,
            "\n# ASSUMPTION: a nightly backup of every VM, restored at the DR site."
        );
        let _ = writeln!(w, "backup:");
        let _ = writeln!(w, "  throughput: {}", quote(&b.throughput));
        let _ = writeln!(w, "  streams: {}", b.streams);
        let _ = writeln!(w, "  every: {}", quote(&b.every));
        let _ = writeln!(w, "  at: {}", quote(&b.at));
        if estate.apps.iter().any(|a| a.replicated) {
            let _ = writeln!(
                w,
                "\n# ASSUMPTION: the replica's lag at a failover (SRM-protected VMs)."
            );
            let _ = writeln!(w, "replication: {{ lag: {} }}", quote(&t.replication.lag));
        }
    }
    let mut tags: BTreeMap<&str, ()> = BTreeMap::new();
    for a in &estate.apps {
        for tag in &a.tags {
            tags.insert(tag, ());
        }
    }
    let _ = writeln!(
        w,
        "\n# ASSUMPTION: objectives. Replace with your own RTOs and RPOs."
    );
    let _ = writeln!(w, "objectives:");
    let mut any = false;
    for o in &t.objectives {
        if !o.tags.iter().all(|tag| tags.contains_key(tag.as_str())) {
            continue;
        }
        any = true;
        let _ = writeln!(w, "  - name: {}", quote(&o.name));
        let _ = writeln!(w, "    tags: {}", list(&o.tags));
        if let Some(r) = &o.rto {
            let _ = writeln!(w, "    rto: {}", quote(r));
        }
        if let Some(r) = &o.rpo {
            let _ = writeln!(w, "    rpo: {}", quote(r));
        }
    }
    if !any {
        w.truncate(w.trim_end_matches("objectives:\n").len());
        let _ = writeln!(w, "objectives: []");
    }
    let strategies = usable_strategies(estate, t);
    if strategies.is_empty() {
        return Err(ImportError::Option {
            message: "the template has no strategy this estate can use".into(),
        });
    }
    let _ = writeln!(
        w,
        "\n# ASSUMPTION: recovery plans to compare. Delays are the template's."
    );
    let _ = writeln!(w, "strategies:");
    for (id, description, methods, order, despite) in &strategies {
        let _ = writeln!(w, "  - id: {}", quote(id));
        let _ = writeln!(w, "    description: {}", quote(description));
        let _ = writeln!(w, "    detection: {}   # ASSUMPTION", quote(&t.detection));
        let _ = writeln!(w, "    diagnosis: {}   # ASSUMPTION", quote(&t.diagnosis));
        let _ = writeln!(w, "    methods: {}", list(methods));
        let _ = writeln!(w, "    order: {}", quote(order));
        if *despite {
            let _ = writeln!(w, "    restart_despite_recurrence: true");
        }
    }
    let _ = writeln!(w, "\ndefault_strategy: {}", quote(&strategies[0].0));
    Ok(())
}

/// The summary printed on standard error: counts per site, cluster and
/// build, what was left out and why, the defaults chosen, the next command.
pub fn summary(estate: &Estate, out: &str) -> String {
    let mut w = String::new();
    let vms: usize = estate.apps.iter().map(|a| a.vms.len()).sum();
    let _ = writeln!(
        w,
        "imported {}, {} in {}",
        counted(estate.hosts.len(), "host", "hosts"),
        counted(vms, "VM", "VMs"),
        counted(estate.apps.len(), "app", "apps")
    );
    let mut per_cluster = vec![(0usize, 0usize); estate.clusters.len()];
    for h in &estate.hosts {
        if let Some(c) = per_cluster.get_mut(h.cluster) {
            c.0 += 1;
        }
    }
    for v in estate.apps.iter().flat_map(|a| &a.vms) {
        if let Some(c) = per_cluster.get_mut(v.cluster) {
            c.1 += 1;
        }
    }
    for (s, site) in estate.sites.iter().enumerate() {
        let role = if site.dr { "DR" } else { "primary" };
        let (h, v) = estate
            .clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| c.site == s)
            .fold((0, 0), |acc, (k, _)| {
                (acc.0 + per_cluster[k].0, acc.1 + per_cluster[k].1)
            });
        let _ = writeln!(
            w,
            "  site {} ({role}, {}): {}, {}",
            site.id,
            site.why,
            counted(h, "host", "hosts"),
            counted(v, "VM", "VMs")
        );
        for (k, c) in estate
            .clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| c.site == s)
        {
            let _ = writeln!(
                w,
                "    cluster {}: {}, {}",
                c.id,
                counted(per_cluster[k].0, "host", "hosts"),
                counted(per_cluster[k].1, "VM", "VMs")
            );
        }
    }
    let _ = writeln!(w, "builds (a bug in one strikes every host that runs it):");
    let mut builds: Vec<_> = estate.builds.iter().collect();
    builds.sort_by(|a, b| b.hosts.cmp(&a.hosts).then(a.id.cmp(&b.id)));
    for b in builds {
        let _ = writeln!(
            w,
            "  {}: {} ({})",
            b.id,
            counted(b.hosts, "host", "hosts"),
            b.version
        );
    }
    let ha = estate.apps.iter().filter(|a| a.ha).count();
    let rep = estate.apps.iter().filter(|a| a.replicated).count();
    let _ = writeln!(
        w,
        "apps: {ha} HA-protected (ha-restart), {rep} replicated by SRM (failover)"
    );
    let l = &estate.left_out;
    let _ = writeln!(
        w,
        "left out: {}, {} (--include-powered-off keeps them), {} (their VMs are marked replicated)",
        counted(l.templates, "template", "templates"),
        counted(
            l.powered_off,
            "powered-off or suspended VM",
            "powered-off or suspended VMs"
        ),
        counted(l.placeholders, "SRM placeholder", "SRM placeholders")
    );
    if !l.orphan_placeholders.is_empty() {
        let _ = writeln!(
            w,
            "  {} whose VM is not in the export: {}",
            counted(
                l.orphan_placeholders.len(),
                "SRM placeholder",
                "SRM placeholders"
            ),
            sample(&l.orphan_placeholders)
        );
    }
    if l.ungrouped > 0 {
        let _ = writeln!(
            w,
            "  {} the --apps rule did not group: one app each",
            counted(l.ungrouped, "VM", "VMs")
        );
    }
    if !l.unmapped_rows.is_empty() {
        let _ = writeln!(
            w,
            "  {} of the mapping file not in use in the export: {}",
            counted(l.unmapped_rows.len(), "VM", "VMs"),
            sample(&l.unmapped_rows)
        );
    }
    for n in &estate.notes {
        let _ = writeln!(w, "note: {n}");
    }
    let _ = writeln!(
        w,
        "every ASSUMPTION in the file comes from the template: edit them, then run"
    );
    let _ = writeln!(w, "  hvsim compare {out} --runs 200");
    w
}

fn sample(names: &[String]) -> String {
    let mut s: Vec<String> = names.iter().take(5).cloned().collect();
    if names.len() > 5 {
        s.push("...".into());
    }
    s.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_quotes_are_yaml() {
        assert_eq!(mib(8192), "8GiB");
        assert_eq!(mib(1 << 20), "1TiB");
        assert_eq!(mib(1000), "1000MiB");
        assert_eq!(mib(0), "0MiB");
        assert_eq!(quote("a \"b\"\n"), "\"a \\\"b\\\"\\n\"");
    }
}
