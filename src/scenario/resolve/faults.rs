//! The fault sections: latent `bugs` of builds (their trigger, scope,
//! effects, recurrence, fix and vendor support), `outages` of the backup
//! system, the inter-site link or the management plane, staff `absences`
//! (read after the teams: [`resolve_absences`]), and `chaos` processes of
//! random host failures.
//!
//! These are the sections a fault campaign file (`--faults`) provides
//! ([`FAULT_SECTIONS`]); problems in them are located in that file.

use std::collections::BTreeMap;

use super::ctx::{Ctx, lookup};
use super::frame::Frame;
use super::infrastructure::Infrastructure;
use crate::model::{
    Absence, Bug, Chaos, HostId, Operation, Outage, OutageKind, Team, TeamId, Trigger, Vendor,
};
use crate::scenario::FieldPath;
use crate::scenario::raw::{BugFile, ScenarioFile, ScopeFile, TriggerFile, VendorFile};
use crate::sim::{Dist, Roster, ShiftSpec, SimDuration, SimTime};

/// The top-level sections a fault campaign file (`--faults`) provides.
pub(in crate::scenario) const FAULT_SECTIONS: [&str; 4] = ["bugs", "outages", "absences", "chaos"];

/// The resolved faults.
pub(super) struct Faults {
    /// Latent bugs, in file order.
    pub(super) bugs: Vec<Bug>,
    /// Outages, in file order (those with a mistake left out).
    pub(super) outages: Vec<Outage>,
    /// Chaos processes, in file order (those with a mistake left out).
    pub(super) chaos: Vec<Chaos>,
}

impl Faults {
    /// Reads `bugs`, `outages` and `chaos`, in that order.
    pub(super) fn resolve(
        ctx: &mut Ctx,
        root: &FieldPath,
        raw: &ScenarioFile,
        frame: &Frame,
        infrastructure: &Infrastructure,
    ) -> Faults {
        let mut bugs = Vec::new();
        let mut seen = BTreeMap::new();
        for (i, b) in raw.bugs.iter().enumerate() {
            let p = root.key("bugs").index(i);
            ctx.id(&p.key("id"), &b.id, &mut seen, "bug");
            bugs.push(resolve_bug(ctx, &p, b, frame, infrastructure));
        }
        let outages = resolve_outages(ctx, root, raw, frame);
        let chaos = resolve_chaos(ctx, root, raw, infrastructure);
        Faults {
            bugs,
            outages,
            chaos,
        }
    }
}

/// Reads one bug at `p`, after its id.
fn resolve_bug(
    ctx: &mut Ctx,
    p: &FieldPath,
    b: &BugFile,
    frame: &Frame,
    infrastructure: &Infrastructure,
) -> Bug {
    let mut affected = Vec::new();
    for (k, name) in b.builds.iter().enumerate() {
        if let Some(id) = lookup(
            ctx,
            &p.key("builds").index(k),
            name,
            &infrastructure.build_ids,
            "build",
        ) {
            affected.push(id);
        }
    }
    if b.builds.is_empty() {
        ctx.err(
            &p.key("builds"),
            "name at least one build that carries the bug",
        );
    }
    let trigger = resolve_trigger(ctx, &p.key("trigger"), &b.trigger, frame);
    let default_scope = ScopeFile::default();
    let s = b.scope.as_ref().unwrap_or(&default_scope);
    let sp = p.key("scope");
    let hosts = &infrastructure.hosts;
    let errors_before = ctx.errors.len();
    let in_scope = infrastructure.scope(ctx, &sp, s);
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
    let effects = resolve_effects(ctx, p, b);
    let recurrence = b
        .recurrence
        .as_ref()
        .and_then(|t| ctx.dist(&p.key("recurrence"), t));
    let fix = never_or(ctx, &p.key("fix"), &b.fix);
    let vendor = b
        .vendor
        .as_ref()
        .map(|v| resolve_vendor(ctx, &p.key("vendor"), v, b, frame));
    Bug {
        id: b.id.clone(),
        builds: affected,
        trigger: trigger.unwrap_or(Trigger::At(SimTime::ZERO)),
        hosts: bug_hosts,
        host_probability,
        crash: effects.crash,
        corrupt_vm: effects.corrupt_vm,
        datastore_loss: effects.datastore_loss,
        replica_loss: effects.replica_loss,
        crash_dump: effects.crash_dump,
        power_off: effects.power_off,
        management_plane: effects.management_plane,
        recurrence,
        fix,
        vendor,
    }
}

/// What a bug does when it strikes.
struct Effects {
    crash: bool,
    corrupt_vm: f64,
    datastore_loss: bool,
    replica_loss: bool,
    crash_dump: Option<Dist>,
    power_off: Option<Dist>,
    management_plane: Option<Dist>,
}

/// Reads a bug's `effects` (by default: it crashes its host).
fn resolve_effects(ctx: &mut Ctx, p: &FieldPath, b: &BugFile) -> Effects {
    let effects = b.effects.as_ref();
    let ep = p.key("effects");
    let crash = effects.and_then(|e| e.crash).unwrap_or(true);
    let corrupt_vm = ctx.probability(
        &ep.key("corrupt_vm"),
        effects.and_then(|e| e.corrupt_vm),
        0.0,
    );
    let datastore_loss = effects.and_then(|e| e.datastore_loss).unwrap_or(false);
    let replica_loss = effects.and_then(|e| e.replica_loss).unwrap_or(false);
    let crash_dump = effects
        .and_then(|e| e.crash_dump.as_ref())
        .and_then(|t| ctx.dist(&ep.key("crash_dump"), t));
    let power_off = effects
        .and_then(|e| e.power_off.as_ref())
        .and_then(|t| ctx.dist(&ep.key("power_off"), t));
    let management_plane = effects
        .and_then(|e| e.management_plane.as_ref())
        .and_then(|t| ctx.dist(&ep.key("management_plane"), t));
    if !crash && !datastore_loss && !replica_loss && management_plane.is_none() {
        ctx.err(
            &ep,
            "with `crash: false` the bug needs another effect (`datastore_loss`, `replica_loss` or `management_plane`), or it does nothing",
        );
    }
    if crash_dump.is_some() && !crash {
        ctx.err(&ep.key("crash_dump"), "a crash dump needs `crash: true`");
    }
    if power_off.is_some() && !crash {
        ctx.err(
            &ep.key("power_off"),
            "a host powered off goes down: `power_off` needs `crash: true`",
        );
    }
    Effects {
        crash,
        corrupt_vm,
        datastore_loss,
        replica_loss,
        crash_dump,
        power_off,
        management_plane,
    }
}

/// A delay that may be `never` (or not given): `None` then.
fn never_or(ctx: &mut Ctx, path: &FieldPath, t: &Option<String>) -> Option<Dist> {
    match t.as_deref().map(str::trim) {
        None | Some("never") => None,
        Some(t) => ctx.dist(path, t),
    }
}

/// Reads a bug's `vendor` support (at `vp`): its hours, workaround and fix.
fn resolve_vendor(
    ctx: &mut Ctx,
    vp: &FieldPath,
    v: &VendorFile,
    b: &BugFile,
    frame: &Frame,
) -> Vendor {
    if v.fix.is_some() && b.fix.is_some() {
        ctx.err(
            &vp.key("fix"),
            "the fix is given twice: keep `vendor.fix` (counted in support hours) or the bug's `fix`, not both",
        );
    }
    let support = match v.support.as_deref().map(str::trim) {
        None | Some("24/7") => None,
        Some(text) => match (
            ShiftSpec::parse(text),
            &frame.tz,
            frame.start,
            frame.horizon,
        ) {
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
}

/// A bug's trigger: exactly one of `at`, `uptime`, `poisson`, `on`.
fn resolve_trigger(
    ctx: &mut Ctx,
    p: &FieldPath,
    t: &TriggerFile,
    frame: &Frame,
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
        return frame.to_sim(ctx, &p.key("at"), at).map(Trigger::At);
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

/// Reads `outages`.
fn resolve_outages(
    ctx: &mut Ctx,
    root: &FieldPath,
    raw: &ScenarioFile,
    frame: &Frame,
) -> Vec<Outage> {
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
        let at = frame.to_sim(ctx, &p.key("at"), &o.at);
        let duration = ctx.dist(&p.key("for"), &o.duration);
        if let (Some(kind), Some(at), Some(duration)) = (kind, at, duration) {
            outages.push(Outage { kind, at, duration });
        }
    }
    outages
}

/// Reads `absences`, once the teams are known: each names a known team,
/// takes away between 1 and all of its members, starts within the
/// horizon and lasts a valid distribution of durations.
pub(super) fn resolve_absences(
    ctx: &mut Ctx,
    root: &FieldPath,
    raw: &ScenarioFile,
    frame: &Frame,
    (teams, team_ids): (&[Team], &BTreeMap<String, TeamId>),
) -> Vec<Absence> {
    let mut absences = Vec::new();
    for (i, a) in raw.absences.iter().enumerate() {
        let p = root.key("absences").index(i);
        let team = lookup(ctx, &p.key("team"), &a.team, team_ids, "team");
        let size = team
            .and_then(|t| teams.get(t.index()))
            .map(|t| t.roster.size());
        let members = match size {
            _ if a.members == 0 => {
                ctx.err(
                    &p.key("members"),
                    "members must be at least 1: an absence takes someone away",
                );
                None
            }
            Some(size) if a.members > size => {
                ctx.err(
                    &p.key("members"),
                    format!(
                        "team `{}` has {size} member{}, so at most {size} can be away, got {}",
                        a.team,
                        if size == 1 { "" } else { "s" },
                        a.members
                    ),
                );
                None
            }
            _ => Some(a.members),
        };
        let at = frame.to_sim(ctx, &p.key("at"), &a.at);
        let duration = ctx.dist(&p.key("for"), &a.duration);
        if let (Some(team), Some(members), Some(at), Some(duration)) = (team, members, at, duration)
        {
            absences.push(Absence {
                team,
                members,
                at,
                duration,
            });
        }
    }
    absences
}

/// Reads `chaos`.
fn resolve_chaos(
    ctx: &mut Ctx,
    root: &FieldPath,
    raw: &ScenarioFile,
    infrastructure: &Infrastructure,
) -> Vec<Chaos> {
    let hosts = &infrastructure.hosts;
    let mut chaos = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, c) in raw.chaos.iter().enumerate() {
        let p = root.key("chaos").index(i);
        ctx.id(&p.key("id"), &c.id, &mut seen, "chaos process");
        let default_scope = ScopeFile::default();
        let s = c.scope.as_ref().unwrap_or(&default_scope);
        if s.probability.is_some() {
            ctx.err(
                &p.key("scope").key("probability"),
                "a chaos process applies to every host in its scope: no probability",
            );
        }
        let in_scope = infrastructure.scope(ctx, &p.key("scope"), s);
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
    chaos
}
