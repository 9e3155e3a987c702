//! The strategy sections: the `backup` system and `replication` that
//! restores and failovers read from, and the recovery `strategies` (their
//! methods, order, teams, DR site, caps, runbook waves, escalation,
//! rebuilds and patching), with the `default_strategy`.
//!
//! A strategy is checked against everything before it: each method it
//! lists must have what it needs (a DR site, a backup, replication, a team
//! with the skill, a build to rebuild with), and every app it would bring
//! back at the DR site must fit there.

use std::collections::{BTreeMap, BTreeSet};

use super::apps::Apps;
use super::ctx::{Ctx, lookup, parse_method};
use super::frame::Frame;
use super::infrastructure::Infrastructure;
use super::staff::Staff;
use crate::model::{
    Automation, Backup, Bug, BuildId, Host, Method, Order, Replication, SiteId, SiteRole, Strategy,
    StrategyId, TeamId, Wave,
};
use crate::scenario::FieldPath;
use crate::scenario::raw::{BackupFile, ScenarioFile, StrategyFile};
use crate::sim::{Dist, MS_PER_HOUR, SimDuration};
use crate::units::{ByteSize, parse_local, parse_throughput, to_instant};

/// Reads the `backup` section (at `p`): where restores read from, and when
/// each day's backups are taken.
pub(super) fn resolve_backup(
    ctx: &mut Ctx,
    p: &FieldPath,
    b: &BackupFile,
    frame: &Frame,
) -> Option<Backup> {
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
        Ok(dt) => frame
            .tz
            .as_ref()
            .and_then(|tz| match to_instant(tz, dt, &b.at) {
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
    let (throughput, every, at, start) = (throughput?, every?, at?, frame.start?);
    let period = i128::from(every.as_millis().max(1));
    let offset = i128::from(start.as_millisecond()) - i128::from(at.as_millisecond());
    Some(Backup {
        bytes_per_ms: throughput.bytes_per_hour / MS_PER_HOUR as f64,
        streams: b.streams.max(1),
        every,
        phase_ms: offset.rem_euclid(period) as u64,
    })
}

/// Reads the `replication` section: the replica's lag.
pub(super) fn resolve_replication(
    ctx: &mut Ctx,
    root: &FieldPath,
    raw: &ScenarioFile,
) -> Option<Replication> {
    raw.replication.as_ref().and_then(|r| {
        ctx.dist(&root.key("replication").key("lag"), &r.lag)
            .map(|lag| Replication { lag })
    })
}

/// What strategies name and are checked against: the sections read before
/// them.
pub(super) struct Sections<'a> {
    /// The file, for what it says (a `backup` section given, teams listed).
    pub(super) raw: &'a ScenarioFile<'a>,
    /// Builds and sites.
    pub(super) infrastructure: &'a Infrastructure,
    /// Apps, for waves.
    pub(super) apps: &'a Apps,
    /// Bugs, for patching.
    pub(super) bugs: &'a [Bug],
    /// Teams and their skills.
    pub(super) staff: &'a Staff,
    /// The backup system, when its section was read without a mistake.
    pub(super) backup: Option<&'a Backup>,
    /// The sites with `role: dr`.
    dr_sites: Vec<SiteId>,
}

impl<'a> Sections<'a> {
    /// The sections, and the DR sites among the sites.
    pub(super) fn new(
        raw: &'a ScenarioFile<'a>,
        infrastructure: &'a Infrastructure,
        apps: &'a Apps,
        bugs: &'a [Bug],
        staff: &'a Staff,
        backup: Option<&'a Backup>,
    ) -> Self {
        let dr_sites = infrastructure.dr_sites();
        Sections {
            raw,
            infrastructure,
            apps,
            bugs,
            staff,
            backup,
            dr_sites,
        }
    }
}

/// Reads `strategies` and `default_strategy`.
pub(super) fn resolve_strategies(
    ctx: &mut Ctx,
    root: &FieldPath,
    known: &Sections<'_>,
) -> (Vec<Strategy>, StrategyId) {
    let raw = known.raw;
    let mut strategy_ids = BTreeMap::new();
    let mut strategies = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, s) in raw.strategies.iter().enumerate() {
        let p = root.key("strategies").index(i);
        ctx.id(&p.key("id"), &s.id, &mut seen, "strategy");
        let strategy = resolve_strategy(ctx, &p, s, known);
        strategy_ids.insert(s.id.clone(), StrategyId(strategies.len() as u32));
        strategies.push(strategy);
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
    (strategies, default_strategy)
}

/// Reads one strategy at `p`, after its id.
fn resolve_strategy(
    ctx: &mut Ctx,
    p: &FieldPath,
    s: &StrategyFile,
    known: &Sections<'_>,
) -> Strategy {
    let detection = ctx.dist(&p.key("detection"), &s.detection);
    let diagnosis = ctx.dist(&p.key("diagnosis"), &s.diagnosis);
    let methods = resolve_methods(ctx, p, s);
    let order = resolve_order(ctx, p, s);
    let team_list = resolve_teams(ctx, p, s, known);
    let dr_site = resolve_dr_site(ctx, p, s, known);
    check_needs(ctx, p, s, &methods, dr_site, known);
    check_skills(ctx, p, &methods, &team_list, known);
    let rebuild_to = resolve_rebuild_to(ctx, p, s, &methods, known);
    if s.patch_when_fixed == Some(true) {
        check_patching(ctx, p, &team_list, known);
    }
    let caps = resolve_caps(ctx, p, s);
    let (waves, wave_of) = resolve_waves(ctx, p, s, known.apps);
    let (escalate_after_recurrences, escalate_after) = resolve_escalation(ctx, p, s, &methods);
    let automation = resolve_automation(ctx, p, s, &methods);
    Strategy {
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
        automation,
    }
}

/// Reads a strategy's `automation`: each entry's delay, methods (the
/// strategy's own) and scale, sorted by delay (stable: on equal delays the
/// later entry wins).
fn resolve_automation(
    ctx: &mut Ctx,
    p: &FieldPath,
    s: &StrategyFile,
    methods: &[Method],
) -> Vec<Automation> {
    let mut out = Vec::new();
    for (i, a) in s.automation.iter().enumerate() {
        let ap = p.key("automation").index(i);
        let after = ctx.duration(&ap.key("after"), &a.after);
        let mut listed = Vec::new();
        for (k, m) in a.methods.iter().enumerate() {
            let mp = ap.key("methods").index(k);
            let Some(method) = parse_method(ctx, &mp, m, "method") else {
                continue;
            };
            if !methods.contains(&method) {
                ctx.err(
                    &mp,
                    format!(
                        "the strategy does not use `{m}`: add it to its `methods` or remove it here"
                    ),
                );
            }
            listed.push(method);
        }
        if a.methods.is_empty() {
            ctx.err(
                &ap.key("methods"),
                "list the methods the automation speeds up, e.g. `[restore]`",
            );
        }
        if !(a.scale > 0.0 && a.scale <= 10.0) {
            ctx.err(
                &ap.key("scale"),
                format!(
                    "expected a share of the effort above 0 and at most 10 (0.25: four times faster), got {}",
                    a.scale
                ),
            );
        }
        if let Some(after) = after {
            out.push(Automation {
                after,
                methods: listed,
                scale: a.scale,
            });
        }
    }
    out.sort_by_key(|a| a.after);
    out
}

/// Reads a strategy's `methods`, in order (a method listed twice is
/// reported).
fn resolve_methods(ctx: &mut Ctx, p: &FieldPath, s: &StrategyFile) -> Vec<Method> {
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
    methods
}

/// Reads a strategy's `order`.
fn resolve_order(ctx: &mut Ctx, p: &FieldPath, s: &StrategyFile) -> Order {
    match s.order.trim() {
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
    }
}

/// Reads a strategy's `teams` (by default: every team).
fn resolve_teams(
    ctx: &mut Ctx,
    p: &FieldPath,
    s: &StrategyFile,
    known: &Sections<'_>,
) -> Vec<TeamId> {
    match &s.teams {
        None => (0..known.raw.teams.len())
            .map(|t| TeamId(t as u32))
            .collect(),
        Some(list) => {
            if list.is_empty() {
                ctx.err(&p.key("teams"), "a strategy needs at least one team");
            }
            list.iter()
                .enumerate()
                .filter_map(|(k, t)| {
                    lookup(
                        ctx,
                        &p.key("teams").index(k),
                        t,
                        &known.staff.team_ids,
                        "team",
                    )
                })
                .collect()
        }
    }
}

/// Reads a strategy's `dr_site` (by default: the DR site, if there is
/// exactly one).
fn resolve_dr_site(
    ctx: &mut Ctx,
    p: &FieldPath,
    s: &StrategyFile,
    known: &Sections<'_>,
) -> Option<SiteId> {
    let infrastructure = known.infrastructure;
    match &s.dr_site {
        Some(name) => lookup(
            ctx,
            &p.key("dr_site"),
            name,
            &infrastructure.site_ids,
            "site",
        )
        .inspect(|id| {
            if infrastructure.sites[id.index()].role != SiteRole::Dr {
                ctx.err(
                    &p.key("dr_site"),
                    format!("site `{name}` is not a DR site: give it `role: dr`"),
                );
            }
        }),
        None => match known.dr_sites.as_slice() {
            [one] => Some(*one),
            _ => None,
        },
    }
}

/// Where a method is listed, so its errors point at it. Parsed methods
/// are not kept with their place: search the raw names.
fn method_path(p: &FieldPath, s: &StrategyFile, m: Method) -> FieldPath {
    match s.methods.iter().position(|x| x.trim() == m.name()) {
        Some(k) => p.key("methods").index(k),
        None => p.key("methods"),
    }
}

/// Checks that the sections the strategy's methods need are there: a DR
/// site to recover at, a backup to restore from, replication to fail over
/// to.
fn check_needs(
    ctx: &mut Ctx,
    p: &FieldPath,
    s: &StrategyFile,
    methods: &[Method],
    dr_site: Option<SiteId>,
    known: &Sections<'_>,
) {
    if let Some(&m) = methods.iter().find(|m| m.at_dr())
        && dr_site.is_none()
        && known.infrastructure.site_roles_ok
    {
        if known.dr_sites.is_empty() {
            ctx.err(
                &method_path(p, s, m),
                format!("`{}` needs a site with `role: dr` to recover at", m.name()),
            );
        } else {
            ctx.err(
                &p.key("methods"),
                "there are several DR sites: say which one with `dr_site`",
            );
        }
    }
    if methods.contains(&Method::Restore) && known.backup.is_none() && known.raw.backup.is_none() {
        ctx.err(
            &method_path(p, s, Method::Restore),
            "`restore` needs a `backup` section (throughput, streams, schedule)",
        );
    }
    if methods.contains(&Method::Failover) && known.raw.replication.is_none() {
        ctx.err(
            &method_path(p, s, Method::Failover),
            "`failover` needs a `replication` section (the replica's lag)",
        );
    }
}

/// Checks that every method done by people has a team of the strategy
/// with the skill.
fn check_skills(
    ctx: &mut Ctx,
    p: &FieldPath,
    methods: &[Method],
    team_list: &[TeamId],
    known: &Sections<'_>,
) {
    let (teams, unreadable_skills) = (&known.staff.teams, &known.staff.unreadable_skills);
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
}

/// Reads a strategy's `rebuild_to`, which `rebuild` needs: a build with a
/// `rebuild` effort.
fn resolve_rebuild_to(
    ctx: &mut Ctx,
    p: &FieldPath,
    s: &StrategyFile,
    methods: &[Method],
    known: &Sections<'_>,
) -> Option<BuildId> {
    let infrastructure = known.infrastructure;
    let rebuild_to = match &s.rebuild_to {
        Some(name) => lookup(ctx, &p.key("rebuild_to"), name, &infrastructure.build_ids, "build").inspect(
            |b| {
                if infrastructure.builds[b.index()].rebuild.is_none() {
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
            &method_path(p, s, Method::Rebuild),
            "`rebuild` needs `rebuild_to`: the build to reinstall crashed hosts with",
        );
    }
    rebuild_to
}

/// Checks what `patch_when_fixed: true` needs: a `patch` effort for every
/// build a fixable bug affects, and a team with the `rebuild` skill.
fn check_patching(ctx: &mut Ctx, p: &FieldPath, team_list: &[TeamId], known: &Sections<'_>) {
    let (builds, bugs, teams) = (&known.infrastructure.builds, known.bugs, &known.staff.teams);
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

/// Reads a strategy's `caps`: the most recoveries of each method at once.
fn resolve_caps(ctx: &mut Ctx, p: &FieldPath, s: &StrategyFile) -> [Option<u32>; 6] {
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
    caps
}

/// Reads a strategy's runbook `waves`: the waves, then "the rest" when
/// some app is in none, and per app the index of its wave (the first that
/// lists it). No waves: both empty.
fn resolve_waves(
    ctx: &mut Ctx,
    p: &FieldPath,
    s: &StrategyFile,
    apps: &Apps,
) -> (Vec<Wave>, Vec<u32>) {
    let mut waves = Vec::new();
    let mut wave_of = Vec::new();
    if !s.waves.is_empty() {
        let last = s.waves.len() as u32;
        wave_of = vec![last; apps.apps.len()];
        for (w, wave) in s.waves.iter().enumerate().rev() {
            let wp = p.key("waves").index(w);
            for a in apps.select(ctx, &wp, &wave.apps, &wave.tags) {
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
    (waves, wave_of)
}

/// Reads a strategy's `escalate`: after how many recurrences, or how long,
/// to move on to the next method.
fn resolve_escalation(
    ctx: &mut Ctx,
    p: &FieldPath,
    s: &StrategyFile,
    methods: &[Method],
) -> (Option<u32>, Option<SimDuration>) {
    match &s.escalate {
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
    }
}

/// An app that a strategy would bring back at its DR site must be able to
/// fit there, even with the site empty: each VM on one DR host (memory and
/// virtual CPUs), and all its VMs on the site together. Otherwise it would
/// wait for room for ever, and the run would only say so at its end.
pub(super) fn check_dr_room(
    ctx: &mut Ctx,
    root: &FieldPath,
    strategies: &[Strategy],
    known_apps: &Apps,
    hosts: &[Host],
) {
    let (apps, app_origin, vms) = (&known_apps.apps, &known_apps.origin, &known_apps.vms);
    // Other mistakes (a dangling site, a full cluster) would only echo here.
    if !ctx.errors.is_empty() {
        return;
    }
    let mut checked = BTreeSet::new();
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
