//! Validation and id resolution: [`ScenarioFile`] → [`Scenario`],
//! one resolver per section of the file.
//!
//! Problems are collected, not thrown: a user fixing a file wants every
//! mistake at once. Each is recorded against a field path ([`ctx`]) and
//! located in the source text at the end.
//!
//! [`build`] reads the sections in the order each needs the ones before
//! it: the [`frame`] (name, time zone, start, horizon, limits), the
//! [`infrastructure`], the [`apps`] (with their VMs, dependencies and
//! placement), the [`faults`], the [`staff`], the backup and replication,
//! the apps' objectives, and last the [`strategies`], which are checked
//! against all of these. Hosts and apps share one group expansion
//! ([`groups`]). Problems at the same place in the file are reported in
//! the order they are found, so the order of the checks is part of the
//! output.

mod apps;
mod ctx;
mod faults;
mod frame;
mod groups;
mod infrastructure;
mod staff;
mod strategies;

use self::apps::Apps;
use self::ctx::Ctx;
pub(super) use self::faults::FAULT_SECTIONS;
use self::faults::Faults;
use self::frame::Frame;
use self::infrastructure::Infrastructure;
use self::staff::Staff;
use self::strategies::Sections;
use super::raw::ScenarioFile;
use super::{Diagnostic, FieldPath, Locator, ScenarioError, Seg};
use crate::model::Scenario;

/// Resolves a parsed file into a scenario, or every problem found, located
/// in `file` (or, for the fault sections, in the campaign file `faults`).
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
    // Faults from a campaign file are located in that file. Each file is
    // walked once, for all its errors.
    let in_campaign = |path: &FieldPath| {
        faults.is_some()
            && matches!(path.0.first(), Some(Seg::Key(k)) if FAULT_SECTIONS.contains(&k.as_ref()))
    };
    let paths = |campaign: bool| -> Vec<FieldPath> {
        ctx.errors
            .iter()
            .filter(|(p, _)| in_campaign(p) == campaign)
            .map(|(p, _)| p.clone())
            .collect()
    };
    let mut own = locator.locate_all(&paths(false)).into_iter();
    let mut campaign = match faults {
        Some((_, flocator)) => flocator.locate_all(&paths(true)),
        None => Vec::new(),
    }
    .into_iter();
    let mut diagnostics: Vec<Diagnostic> = Vec::with_capacity(ctx.errors.len());
    for (path, message) in ctx.errors {
        let (file, at) = match faults {
            Some((ffile, _)) if in_campaign(&path) => (ffile, campaign.next().flatten()),
            _ => (file, own.next().flatten()),
        };
        diagnostics.push(Diagnostic {
            file: file.to_string(),
            at,
            path: (!path.0.is_empty()).then_some(path),
            message,
        });
    }
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

/// Reads every section of `raw` in order; `None` when a problem was
/// recorded.
fn build(ctx: &mut Ctx, root: &FieldPath, mut raw: ScenarioFile) -> Option<Scenario> {
    let frame = Frame::resolve(ctx, root, &raw);
    let infrastructure = Infrastructure::resolve(ctx, root, &raw);
    let raw_apps = std::mem::take(&mut raw.apps);
    let mut apps = Apps::resolve(ctx, root, raw_apps, &infrastructure);
    let faults = Faults::resolve(ctx, root, &raw, &frame, &infrastructure);
    let staff = Staff::resolve(ctx, root, &raw, &frame);
    let absences =
        faults::resolve_absences(ctx, root, &raw, &frame, (&staff.teams, &staff.team_ids));
    let backup = raw
        .backup
        .as_ref()
        .and_then(|b| strategies::resolve_backup(ctx, &root.key("backup"), b, &frame));
    let replication = strategies::resolve_replication(ctx, root, &raw);
    let objectives = apps.resolve_objectives(ctx, root, &raw);
    let known = Sections::new(
        &raw,
        &infrastructure,
        &apps,
        &faults.bugs,
        &staff,
        backup.as_ref(),
    );
    let (strategies, default_strategy) = strategies::resolve_strategies(ctx, root, &known);
    strategies::check_dr_room(ctx, root, &strategies, &apps, &infrastructure.hosts);

    if !ctx.errors.is_empty() {
        return None;
    }
    Some(Scenario {
        name: raw.name,
        description: raw.description,
        source: String::new(),
        tz: frame.tz?,
        start: frame.start?,
        horizon: frame.horizon?,
        max_events: frame.max_events,
        builds: infrastructure.builds,
        sites: infrastructure.sites,
        clusters: infrastructure.clusters,
        hosts: infrastructure.hosts,
        bugs: faults.bugs,
        apps: apps.apps,
        vms: apps.vms,
        teams: staff.teams,
        backup,
        replication,
        objectives,
        outages: faults.outages,
        absences,
        chaos: faults.chaos,
        strategies,
        default_strategy,
    })
}
