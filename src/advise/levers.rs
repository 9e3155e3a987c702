//! The levers derived from any scenario, for one strategy: one more member
//! in each of its teams, round-the-clock shifts, an engineer on nights,
//! each other order, more
//! restore streams and backup throughput, more DR capacity, HA restart
//! where a cluster has room, replication for the most critical apps,
//! restarting despite recurrence, a faster diagnosis, and a second
//! hypervisor build for a cluster a common-mode bug crashes.
//!
//! Each is a list of `--set` edits of the scenario document; only the
//! levers that apply to the scenario are derived (no backup lever without
//! a backup system, no order that is already the strategy's). The
//! assumptions a lever needs (an HA restart takes 5 minutes, a failover 10)
//! are in its label.

use serde_json::{Map, Value, json};

use super::lever::{Edit, Lever};
use crate::model::{Method, Scenario, SiteRole, Strategy};
use crate::scenario::Document;
use crate::sim::Dist;
use crate::sim::SimDuration;
use crate::units::parse_throughput;

/// The effort an HA restart lever gives apps that have none (automated).
pub const HA_RESTART_WORK: &str = "5m";
/// The effort a replication lever gives apps that have no failover (automated).
pub const FAILOVER_WORK: &str = "10m";
/// The replica's lag a replication lever assumes when the scenario has none.
pub const REPLICATION_LAG: &str = "uniform(1m, 15m)";

/// The orders a strategy can have, in the order the levers are tried.
const ORDERS: [&str; 5] = [
    "fifo",
    "criticality",
    "shortest-first",
    "weighted-shortest",
    "dependency-aware",
];

/// The document's view needed to write edits: the list item keys.
struct Doc<'a> {
    root: &'a Value,
}

impl<'a> Doc<'a> {
    fn list(&self, key: &str) -> &'a [Value] {
        self.root
            .get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The item of list `key` with this id, and the path part that names
    /// it (its id, or its position when the id has a dot).
    fn item(&self, key: &str, id: &str) -> Option<(&'a Value, String)> {
        let items = self.list(key);
        let pos = items
            .iter()
            .position(|it| it.get("id").and_then(Value::as_str) == Some(id))?;
        Some((&items[pos], part(id, pos)))
    }
}

/// How a path names list item `pos` with id `id`.
fn part(id: &str, pos: usize) -> String {
    if id.contains('.') || id.is_empty() {
        pos.to_string()
    } else {
        id.to_string()
    }
}

/// Every lever that applies to `scenario` (parsed as `doc`) under
/// `strategy`, in a fixed order.
pub fn derive(doc: &Document, scenario: &Scenario, strategy: &Strategy) -> Vec<Lever> {
    let d = Doc { root: doc.value() };
    let Some((_, s)) = d.item("strategies", &strategy.id) else {
        return Vec::new();
    };
    let mut levers = Vec::new();
    staff(&d, scenario, strategy, &mut levers);
    levers.extend(orders(strategy, &s));
    levers.extend(backup(&d, scenario));
    levers.extend(dr_capacity(&d, scenario, strategy));
    levers.extend(ha_restart(&d, scenario, strategy, &s));
    levers.extend(replication(&d, scenario, strategy, &s));
    levers.extend(restart_anyway(scenario, strategy, &s));
    levers.extend(diagnosis(&d, strategy, &s));
    levers.extend(build_diversity(doc, &d, scenario));
    levers
}

/// One more member, and round-the-clock shifts, for each team of the strategy.
fn staff(d: &Doc, scenario: &Scenario, strategy: &Strategy, out: &mut Vec<Lever>) {
    let mut shifts = Vec::new();
    for t in &strategy.teams {
        let Some(team) = scenario.teams.get(t.0 as usize) else {
            continue;
        };
        let Some((item, key)) = d.item("teams", &team.id) else {
            continue;
        };
        if let Some(m) = item.get("members").and_then(Value::as_u64) {
            out.push(Lever {
                id: format!("staff:{}", team.id),
                label: format!("one more member in team {} ({m} → {})", team.id, m + 1),
                edits: vec![Edit::new(&["teams", &key, "members"], m + 1)],
                cost: None,
            });
        }
        let list = item.get("shifts").and_then(Value::as_array);
        let always = list.is_some_and(|l| l.iter().any(|s| s.as_str() == Some("24/7")));
        if let (Some(l), false) = (list, always)
            && !l.is_empty()
        {
            let now: Vec<&str> = l.iter().filter_map(Value::as_str).collect();
            shifts.push(Lever {
                id: format!("24/7:{}", team.id),
                label: format!(
                    "round-the-clock shifts for team {} (instead of {})",
                    team.id,
                    now.join(", ")
                ),
                edits: vec![Edit::new(&["teams", &key, "shifts", "0"], "24/7")],
                cost: None,
            });
            if let Some(m) = item.get("members").and_then(Value::as_u64)
                && now.len() == l.len()
            {
                shifts.push(nights(&team.id, &key, m, &now));
            }
        }
    }
    out.extend(shifts);
}

/// One more member who works when the team is off: with one daily shift
/// (`daily 07:00-22:00`), the night shift that completes it (`daily
/// 22:00-07:00 x1`); otherwise one member's cover at every hour (`24/7
/// x1`). The team's shifts keep their head count (`xM`), so the day has
/// the members it had.
fn nights(team: &str, key: &str, members: u64, shifts: &[&str]) -> Lever {
    let mut edits = vec![Edit::new(&["teams", key, "members"], members + 1)];
    for (i, s) in shifts.iter().enumerate() {
        if !has_head_count(s) {
            edits.push(Edit::new(
                &["teams", key, "shifts", &i.to_string()],
                format!("{s} x{members}"),
            ));
        }
    }
    let night = match shifts {
        [one] => night_of(one),
        _ => None,
    };
    let (shift, label) = match night {
        Some(n) => (
            format!("{n} x1"),
            format!(
                "an engineer on nights in team {team}, {n} ({members} → {})",
                members + 1
            ),
        ),
        None => (
            "24/7 x1".to_string(),
            format!(
                "one more member in team {team} covering every hour, nights and weekends included ({members} → {})",
                members + 1
            ),
        ),
    };
    edits.push(Edit::new(&["teams", key, "shifts", "+"], shift));
    Lever {
        id: format!("nights:{team}"),
        label,
        edits,
        cost: None,
    }
}

/// Whether a shift names its members on duty (`daily 22:00-06:00 x2`).
fn has_head_count(shift: &str) -> bool {
    shift.trim().rsplit_once(' ').is_some_and(|(_, last)| {
        last.strip_prefix(['x', '×'])
            .is_some_and(|n| n.parse::<u32>().is_ok())
    })
}

/// The night shift that completes one daily shift of the whole team:
/// `daily 07:00-22:00` → `daily 22:00-07:00`.
fn night_of(shift: &str) -> Option<String> {
    let hours = shift.trim().strip_prefix("daily ")?;
    let (from, to) = hours.split_once('-')?;
    let clock = |t: &str| {
        let (h, m) = t.split_once(':')?;
        (h.len() == 2 && m.len() == 2 && h.parse::<u8>().ok()? < 24 && m.parse::<u8>().ok()? < 60)
            .then_some(())
    };
    clock(from)?;
    clock(to)?;
    (from != to).then(|| format!("daily {to}-{from}"))
}

/// Each order the strategy does not have.
fn orders(strategy: &Strategy, s: &str) -> Vec<Lever> {
    let now = strategy.order.name();
    ORDERS
        .iter()
        .filter(|o| **o != now)
        .map(|o| Lever {
            id: format!("order:{o}"),
            label: format!("order {o} instead of {now}"),
            edits: vec![Edit::new(&["strategies", s, "order"], *o)],
            cost: None,
        })
        .collect()
}

/// Twice the restore streams, and twice the backup throughput.
fn backup(d: &Doc, scenario: &Scenario) -> Vec<Lever> {
    let (Some(_), Some(b)) = (&scenario.backup, d.root.get("backup")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(n) = b.get("streams").and_then(Value::as_u64) {
        out.push(Lever {
            id: "streams".into(),
            label: format!("twice the restore streams ({n} → {})", 2 * n),
            edits: vec![Edit::new(&["backup", "streams"], 2 * n)],
            cost: None,
        });
    }
    if let Some(t) = b
        .get("throughput")
        .and_then(Value::as_str)
        .and_then(|t| parse_throughput(t).ok())
    {
        let twice = crate::units::Throughput {
            bytes_per_hour: 2.0 * t.bytes_per_hour,
        };
        out.push(Lever {
            id: "throughput".into(),
            label: format!("twice the backup throughput ({t} → {twice})"),
            edits: vec![Edit::new(&["backup", "throughput"], twice.to_string())],
            cost: None,
        });
    }
    out
}

/// The DR site the strategy uses: its own, or the scenario's only one.
fn dr_site(scenario: &Scenario, strategy: &Strategy) -> Option<usize> {
    if let Some(s) = strategy.dr_site {
        return Some(s.0 as usize);
    }
    let mut dr = scenario
        .sites
        .iter()
        .enumerate()
        .filter(|(_, s)| s.role == SiteRole::Dr);
    match (dr.next(), dr.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// The site id of each cluster of the document, and each site's role.
fn site_of_cluster<'a>(d: &Doc<'a>, cluster: &str) -> Option<&'a str> {
    d.list("clusters")
        .iter()
        .find(|c| c.get("id").and_then(Value::as_str) == Some(cluster))
        .and_then(|c| c.get("site"))
        .and_then(Value::as_str)
}

/// Twice the hosts at the DR site the strategy uses.
fn dr_capacity(d: &Doc, scenario: &Scenario, strategy: &Strategy) -> Option<Lever> {
    let site = &scenario.sites[dr_site(scenario, strategy)?].id;
    let mut edits = Vec::new();
    let (mut before, mut after) = (0, 0);
    for (pos, h) in d.list("hosts").iter().enumerate() {
        let cluster = h.get("cluster").and_then(Value::as_str).unwrap_or_default();
        if site_of_cluster(d, cluster) != Some(site.as_str()) {
            continue;
        }
        let id = h.get("id").and_then(Value::as_str).unwrap_or_default();
        // A single host becomes a group of two: its id gets a suffix.
        let n = h.get("count").and_then(Value::as_u64).unwrap_or(1);
        before += n;
        after += 2 * n;
        edits.push(Edit::new(&["hosts", &part(id, pos), "count"], 2 * n));
    }
    (!edits.is_empty()).then(|| Lever {
        id: "dr-hosts".into(),
        label: format!("twice the hosts at the DR site {site} ({before} → {after})"),
        edits,
        cost: None,
    })
}

/// The strategy's methods with `m` first, as names.
fn methods_with(strategy: &Strategy, m: Method) -> Value {
    let mut names = vec![m.name()];
    names.extend(
        strategy
            .methods
            .iter()
            .filter(|x| **x != m)
            .map(|x| x.name()),
    );
    json!(names)
}

/// The clusters where the VMs of any one host fit on the other hosts
/// (N+1): for every host, the others' free memory and vCPUs at least what
/// it holds. A cluster of one host has no room.
fn clusters_with_room(scenario: &Scenario) -> Vec<bool> {
    let mut used = vec![(0u64, 0u64); scenario.hosts.len()];
    for vm in &scenario.vms {
        let u = &mut used[vm.host.0 as usize];
        u.0 += vm.memory_bytes;
        u.1 += u64::from(vm.cores);
    }
    // Per cluster: free memory, free vCPUs, hosts.
    let mut free = vec![(0u64, 0u64, 0usize); scenario.clusters.len()];
    for (h, u) in scenario.hosts.iter().zip(&used) {
        let c = &mut free[h.cluster.0 as usize];
        c.0 += h.memory_bytes.saturating_sub(u.0);
        c.1 += h.vcpus.saturating_sub(u.1);
        c.2 += 1;
    }
    let mut holds = vec![false; scenario.clusters.len()];
    for vm in &scenario.vms {
        holds[scenario.hosts[vm.host.0 as usize].cluster.0 as usize] = true;
    }
    let mut room: Vec<bool> = free
        .iter()
        .zip(&holds)
        .map(|(c, h)| *h && c.2 >= 2)
        .collect();
    for (h, u) in scenario.hosts.iter().zip(&used) {
        let c = h.cluster.0 as usize;
        let others_mem = free[c].0 - h.memory_bytes.saturating_sub(u.0);
        let others_cpu = free[c].1 - h.vcpus.saturating_sub(u.1);
        if others_mem < u.0 || others_cpu < u.1 {
            room[c] = false;
        }
    }
    room
}

/// The document app items whose every app (a group expands to many) has
/// all its VMs in a cluster where `keep` holds, with their paths.
fn app_items<'a>(
    d: &Doc<'a>,
    scenario: &Scenario,
    keep: impl Fn(&crate::model::App) -> bool,
) -> Vec<(&'a Value, String)> {
    d.list("apps")
        .iter()
        .enumerate()
        .filter_map(|(pos, item)| {
            let id = item.get("id").and_then(Value::as_str)?;
            let mut apps = scenario
                .apps
                .iter()
                .filter(|a| a.group.as_deref().unwrap_or(&a.id) == id)
                .peekable();
            apps.peek()?;
            apps.all(&keep).then(|| (item, part(id, pos)))
        })
        .collect()
}

/// HA restart for the apps whose clusters have room for a host's VMs.
fn ha_restart(d: &Doc, scenario: &Scenario, strategy: &Strategy, s: &str) -> Option<Lever> {
    if strategy.methods.contains(&Method::HaRestart) {
        return None;
    }
    let room = clusters_with_room(scenario);
    let vm_cluster = |v: &crate::model::VmId| {
        let h = scenario.vms[v.0 as usize].host;
        scenario.hosts[h.0 as usize].cluster.0 as usize
    };
    let items = app_items(d, scenario, |a| {
        !a.vms.is_empty() && a.vms.iter().all(|v| room[vm_cluster(v)])
    });
    if items.is_empty() {
        return None;
    }
    let mut edits = vec![Edit::new(
        &["strategies", s, "methods"],
        methods_with(strategy, Method::HaRestart),
    )];
    for (item, key) in &items {
        if item.pointer("/work/ha-restart").is_none() {
            edits.push(Edit::new(
                &["apps", key, "work", "ha-restart"],
                HA_RESTART_WORK,
            ));
        }
    }
    let names: Vec<&str> = scenario
        .clusters
        .iter()
        .zip(&room)
        .filter(|(_, r)| **r)
        .map(|(c, _)| c.id.as_str())
        .collect();
    Some(Lever {
        id: "ha-restart".into(),
        label: format!(
            "HA restart ({HA_RESTART_WORK}) in the clusters with room for a host's VMs ({})",
            names.join(", ")
        ),
        edits,
        cost: None,
    })
}

/// Replication to the DR site and failover first for the apps of the
/// highest criticality.
fn replication(d: &Doc, scenario: &Scenario, strategy: &Strategy, s: &str) -> Option<Lever> {
    dr_site(scenario, strategy)?;
    let top = scenario.apps.iter().map(|a| a.criticality).max()?;
    let items = app_items(d, scenario, |a| a.criticality == top);
    let missing: Vec<&(&Value, String)> = items
        .iter()
        .filter(|(item, _)| item.pointer("/work/failover").is_none())
        .collect();
    let has_method = strategy.methods.first() == Some(&Method::Failover);
    if scenario.replication.is_some() && has_method && missing.is_empty() {
        return None;
    }
    let mut edits = Vec::new();
    if d.root.get("replication").is_none() {
        edits.push(Edit::new(
            &["replication"],
            json!({ "lag": REPLICATION_LAG }),
        ));
    }
    if !has_method {
        edits.push(Edit::new(
            &["strategies", s, "methods"],
            methods_with(strategy, Method::Failover),
        ));
    }
    for (_, key) in &missing {
        edits.push(Edit::new(&["apps", key, "work", "failover"], FAILOVER_WORK));
    }
    let mut names: Vec<&str> = items.iter().map(|(_, k)| k.as_str()).take(3).collect();
    let more = format!("{} more", items.len().saturating_sub(3));
    if items.len() > 3 {
        names.push(&more);
    }
    Some(Lever {
        id: "replication".into(),
        label: format!(
            "replication and failover ({FAILOVER_WORK}) for the most critical apps ({})",
            names.join(", ")
        ),
        edits,
        cost: None,
    })
}

/// Restarting in place although a bug that struck may recur.
fn restart_anyway(scenario: &Scenario, strategy: &Strategy, s: &str) -> Option<Lever> {
    let recurs = scenario.bugs.iter().any(|b| b.recurrence.is_some());
    (recurs && strategy.methods.contains(&Method::Restart) && !strategy.restart_despite_recurrence)
        .then(|| Lever {
            id: "restart-anyway".into(),
            label: "restart in place despite a bug that may recur".into(),
            edits: vec![Edit::new(
                &["strategies", s, "restart_despite_recurrence"],
                true,
            )],
            cost: None,
        })
}

/// A diagnosis twice as fast: every duration of its distribution halved.
fn diagnosis(d: &Doc, strategy: &Strategy, s: &str) -> Option<Lever> {
    let (item, _) = d.item("strategies", &strategy.id)?;
    let text = item.get("diagnosis").and_then(Value::as_str)?;
    let dist = Dist::parse(text).ok()?;
    let mean = dist.mean();
    if mean == SimDuration::ZERO {
        return None;
    }
    let half = halve(&dist);
    Some(Lever {
        id: "diagnosis".into(),
        label: format!("a diagnosis twice as fast (mean {mean} → {})", half.mean()),
        edits: vec![Edit::new(&["strategies", s, "diagnosis"], half.to_string())],
        cost: None,
    })
}

/// `dist` with every duration halved (shapes kept).
fn halve(dist: &Dist) -> Dist {
    let h = |x: SimDuration| SimDuration::from_millis(x.as_millis() / 2);
    match *dist {
        Dist::Fixed(x) => Dist::Fixed(h(x)),
        Dist::Uniform { min, max } => Dist::Uniform {
            min: h(min),
            max: h(max),
        },
        Dist::Exponential { mean } => Dist::Exponential { mean: h(mean) },
        Dist::Normal { mean, sd } => Dist::Normal {
            mean: h(mean),
            sd: h(sd),
        },
        Dist::LogNormal { mean, sd, .. } => Dist::lognormal(h(mean), h(sd)),
        Dist::Weibull { shape, scale } => Dist::Weibull {
            shape,
            scale: h(scale),
        },
        Dist::Triangular { min, mode, max } => Dist::Triangular {
            min: h(min),
            mode: h(mode),
            max: h(max),
        },
        Dist::Pert { min, mode, max, .. } => Dist::pert(h(min), h(mode), h(max)),
    }
}

/// For each cluster that a crashing bug strikes and whose hosts all run
/// one build that carries it: half its hosts on a copy of that build that
/// does not (build diversity against a common-mode bug). A host group is
/// halved into a second group; when that renames hosts that the file
/// names elsewhere (a bug's scope), every host of the cluster is written
/// out one by one under its own id instead.
fn build_diversity(doc: &Document, d: &Doc, scenario: &Scenario) -> Vec<Lever> {
    let mut out = Vec::new();
    for (c, cluster) in scenario.clusters.iter().enumerate() {
        let hosts: Vec<&crate::model::Host> = scenario
            .hosts
            .iter()
            .filter(|h| h.cluster.0 as usize == c)
            .collect();
        let Some(first) = hosts.first() else { continue };
        let build = first.build;
        let struck = scenario.bugs.iter().any(|b| {
            b.crash
                && b.builds.contains(&build)
                && b.hosts
                    .iter()
                    .any(|h| scenario.hosts[h.0 as usize].cluster.0 as usize == c)
        });
        if hosts.len() < 2 || !struck || hosts.iter().any(|h| h.build != build) {
            continue;
        }
        let build = &scenario.builds[build.0 as usize].id;
        let Some(grouped) = split_cluster(d, &cluster.id, build, None) else {
            continue;
        };
        if grouped.apply(doc).is_ok() {
            out.push(grouped);
        } else if let Some(l) = split_cluster(d, &cluster.id, build, Some(&hosts)) {
            out.push(l);
        }
    }
    out
}

/// The edits that put half of `cluster`'s hosts on a new build, a copy of
/// `build` named `BUILD-alt` that no bug carries: a group halved into a
/// second group, or, given the cluster's hosts in file order (`one_by_one`),
/// every host written under its own id, every second one on the new build.
fn split_cluster(
    d: &Doc,
    cluster: &str,
    build: &str,
    one_by_one: Option<&[&crate::model::Host]>,
) -> Option<Lever> {
    let (b, _) = d.item("builds", build)?;
    let alt = format!("{build}-alt");
    let mut copy: Map<String, Value> = b.as_object()?.clone();
    copy.insert("id".into(), json!(alt));
    copy.remove("description");
    let mut edits = vec![Edit::new(&["builds", "+"], Value::Object(copy))];
    let items: Vec<(usize, &Value)> = d
        .list("hosts")
        .iter()
        .enumerate()
        .filter(|(_, h)| h.get("cluster").and_then(Value::as_str) == Some(cluster))
        .collect();
    let mut k = 0usize;
    for (pos, h) in items {
        let id = h.get("id").and_then(Value::as_str)?;
        let n = h.get("count").and_then(Value::as_u64);
        if let Some(hosts) = one_by_one {
            // The group's hosts, under the ids its expansion gave them.
            for j in 0..n.unwrap_or(1) {
                let mut one = h.as_object()?.clone();
                one.remove("count");
                one.insert("id".into(), json!(hosts.get(k)?.id));
                if k % 2 == 1 {
                    one.insert("build".into(), json!(alt));
                }
                let at = if j == 0 { part(id, pos) } else { "+".into() };
                edits.push(Edit::new(&["hosts", &at], Value::Object(one)));
                k += 1;
            }
            continue;
        }
        match n {
            Some(n) if n >= 2 => {
                edits.push(Edit::new(&["hosts", &part(id, pos), "count"], n - n / 2));
                let mut copy = h.as_object()?.clone();
                copy.insert("id".into(), json!(format!("{id}-alt")));
                copy.insert("count".into(), json!(n / 2));
                copy.insert("build".into(), json!(alt));
                edits.push(Edit::new(&["hosts", "+"], Value::Object(copy)));
            }
            _ => {
                if k % 2 == 1 {
                    edits.push(Edit::new(&["hosts", &part(id, pos), "build"], alt.clone()));
                }
                k += 1;
            }
        }
    }
    (edits.len() > 1).then(|| Lever {
        id: format!("builds:{cluster}"),
        label: format!("half of cluster {cluster} on a second build ({alt})"),
        edits,
        cost: None,
    })
}

#[cfg(test)]
mod tests {
    use super::derive;
    use crate::scenario::{DEFAULT_SCENARIO_YAML, Document, Format};

    #[test]
    fn the_2018_scenario_gets_every_lever_that_applies_and_each_loads() {
        let doc =
            Document::parse(DEFAULT_SCENARIO_YAML, "2018.yaml", Format::Yaml).expect("parses");
        let scenario = doc.load("2018.yaml").expect("loads");
        let strategy = scenario.default_strategy();
        let levers = derive(&doc, &scenario, strategy);
        let ids: Vec<&str> = levers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "staff:dtsi",
                "24/7:dtsi",
                "nights:dtsi",
                "order:criticality",
                "order:shortest-first",
                "order:weighted-shortest",
                "order:dependency-aware",
                "streams",
                "throughput",
                "dr-hosts",
                "ha-restart",
                "replication",
                "restart-anyway",
                "diagnosis",
                "builds:internal",
                "builds:internet",
            ]
        );
        for l in &levers {
            l.apply(&doc).unwrap_or_else(|e| panic!("{}: {e}", l.id));
        }
        assert_eq!(levers[0].edits[0].to_string(), "teams.dtsi.members=9");
        assert_eq!(
            levers[13].edits[0].to_string(),
            "strategies.as-in-2018.diagnosis=pert(11h, 14h, 18h)"
        );
        // The engineer on nights: the day keeps its eight, the night gets one.
        let edits: Vec<String> = levers[2].edits.iter().map(ToString::to_string).collect();
        assert_eq!(
            edits,
            [
                "teams.dtsi.members=9",
                "teams.dtsi.shifts.0=daily 07:00-22:00 x8",
                "teams.dtsi.shifts.+=daily 22:00-07:00 x1",
            ]
        );
    }

    #[test]
    fn a_night_shift_completes_one_daily_shift_only() {
        use super::{has_head_count, night_of};
        assert_eq!(
            night_of("daily 07:00-22:00").as_deref(),
            Some("daily 22:00-07:00")
        );
        assert_eq!(night_of("Mon-Fri 08:00-18:00"), None);
        assert_eq!(night_of("daily 08:00-08:00"), None);
        assert_eq!(night_of("daily 8h-18h"), None);
        assert!(has_head_count("daily 22:00-06:00 x2"));
        assert!(!has_head_count("daily 22:00-06:00"));
    }
}
