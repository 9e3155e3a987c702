//! The critical chain: what set the end of each app's last outage, the
//! dependency it waited for last (and what set that one's end), down to
//! an app whose own recovery ended it: its queue position, or its
//! largest reason.

use crate::metrics::{Outcome, TaskSubject};
use crate::model::AppId;
use crate::sim::{SimDuration, SimTime};

use super::{AppExplanation, ChainStep, Detail, OutageExplained, Reason};

/// Dependency links followed at most (dependencies have no cycle; this
/// bounds the work on a deep graph).
const MAX_LINKS: usize = 32;

/// Fills every app's chain.
pub(super) fn fill(apps: &mut [AppExplanation], outcome: &Outcome) {
    let chains: Vec<Vec<ChainStep>> = (0..apps.len())
        .map(|a| chain_of(apps, outcome, AppId(a as u32)))
        .collect();
    for (app, chain) in apps.iter_mut().zip(chains) {
        app.chain = chain;
    }
}

/// The chain of app `a`'s last outage.
fn chain_of(apps: &[AppExplanation], outcome: &Outcome, a: AppId) -> Vec<ChainStep> {
    let mut steps = Vec::new();
    let Some(mut outage) = apps[a.index()].outages.last() else {
        return steps;
    };
    let mut cur = a;
    for _ in 0..MAX_LINKS {
        let Some(last) = outage.intervals.last() else {
            break;
        };
        if let (Reason::Dependency, Detail::App(d)) = (last.reason, last.detail) {
            // The dependency's outage that covers the app's last wait.
            let instant = last.to.as_millis().saturating_sub(1);
            let covering = apps[d.index()].outages.iter().rev().find(|o| {
                o.down_at.as_millis() <= instant && o.up_at.is_none_or(|u| u.as_millis() > instant)
            });
            steps.push(ChainStep::Dependency {
                app: d,
                back: covering.and_then(|o| o.up_at),
            });
            match covering {
                Some(o) => {
                    outage = o;
                    cur = d;
                    continue;
                }
                None => return steps,
            }
        }
        steps.push(own_step(outage, outcome, cur));
        return steps;
    }
    steps
}

/// What ended an outage of app `a` that was not a dependency: the
/// position of its task among those that started while it was queued,
/// when others went first while it waited for a member; else its largest
/// reason.
fn own_step(outage: &OutageExplained, outcome: &Outcome, a: AppId) -> ChainStep {
    if let Some(step) = queue_step(outage, outcome, a) {
        return step;
    }
    let (reason, time) = outage
        .breakdown()
        .ranked()
        .first()
        .copied()
        .unwrap_or((Reason::NoMethod, SimDuration::ZERO));
    ChainStep::Own { reason, time }
}

/// The queue position of the last task of app `a` in the outage, if it
/// waited while skilled members on shift were busy, and other tasks of
/// the same method started before it while it waited.
fn queue_step(outage: &OutageExplained, outcome: &Outcome, a: AppId) -> Option<ChainStep> {
    let end = outage.up_at.unwrap_or(outcome.horizon);
    let (own, task) = outcome.tasks.iter().enumerate().rev().find(|(_, t)| {
        matches!(t.subject, TaskSubject::App(x, _) if x == a)
            && t.start >= outage.down_at
            && t.start <= end
    })?;
    let TaskSubject::App(_, method) = task.subject else {
        return None;
    };
    let start = task.start;
    // The queued intervals that end where the task starts.
    let mut queued_from: Option<SimTime> = None;
    let mut expect = start;
    for iv in outage.intervals.iter().rev() {
        if iv.from >= start {
            continue;
        }
        if iv.to != expect || !iv.queued {
            break;
        }
        queued_from = Some(iv.from);
        expect = iv.from;
    }
    let from = queued_from?;
    // Only a wait while a member with the skill was on shift (busy with
    // others' tasks) is a wait for the others: a task that waited only for
    // the shift to start started with the shift, whatever its place.
    let queued_while_staffed = outage
        .intervals
        .iter()
        .any(|iv| iv.reason == Reason::Queue && iv.from >= from && iv.to <= start);
    if !queued_while_staffed {
        return None;
    }
    let ahead: Vec<AppId> = outcome
        .tasks
        .iter()
        .enumerate()
        .filter(|&(k, t)| {
            matches!(t.subject, TaskSubject::App(x, m) if x != a && m == method)
                && t.start >= from
                && t.start < start
                && k != own
        })
        .filter_map(|(_, t)| t.app())
        .collect();
    (!ahead.is_empty()).then(|| ChainStep::Queue {
        method,
        position: ahead.len() + 1,
        ahead,
        waited: start.saturating_since(from),
    })
}
