//! The observing decider: makes the strategy's choices, records why each
//! method was chosen, and after every event closes each down app's
//! current interval and opens the next with the reason its state gives.

use crate::model::{AppId, BugId, Method, Scenario, Strategy, TeamId};
use crate::recovery::decider::{
    AppStage, Decider, Escalation, EscalationChoice, MethodChoice, RestartChoice, RunView,
    TaskChoice, TransferStage, WaveChoice, WaveHold,
};
use crate::sim::{Purpose, RngStreams, SimTime};

use super::{AppExplanation, Detail, Interval, MethodWhy, NotApplicable, OutageExplained, Reason};

/// How an interval's reason follows from the app's state, constant
/// between two events; some reasons change with the clock alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// One reason throughout (and whether its task waits in its lane).
    Fixed(Reason, Detail, bool),
    /// Detection until the instant, then diagnosis.
    Diagnosis(BugId, SimTime),
    /// Waiting for its hosts: without power until the instant (the
    /// latest return of the power among them), then for the hosts
    /// themselves (their reboot, rebuild or repair).
    Power(SimTime, Detail),
    /// Its task waits for a member with the skill of the method's lane:
    /// queued while one is on shift (busy), waiting for a shift otherwise.
    QueueOrShift(Method),
    /// A member (team, number) works on its task of the method: hands-on
    /// while on shift, waiting for the shift otherwise (paused).
    WorkOrShift(Method, TeamId, u32),
}

/// The interval being accumulated for a down app.
#[derive(Clone, Copy, Debug)]
struct Open {
    from: SimTime,
    class: Class,
}

/// What the explainer follows of one app.
#[derive(Debug, Default)]
struct Track {
    open: Option<Open>,
    outages: Vec<OutageExplained>,
    /// Recurrence hits seen so far.
    recur_seen: u32,
    /// The current outage began with a recurrence knocking it down.
    by_recurrence: bool,
    /// When its current method was chosen.
    decided_at: Option<SimTime>,
    /// Every method choice, in order.
    choices: Vec<MethodWhy>,
    /// Methods escalation took it past, with why.
    escalations: Vec<(Method, Escalation)>,
}

/// A method choice waiting for the next look at the state.
#[derive(Clone, Copy, Debug)]
struct Pending {
    app: AppId,
    at: SimTime,
    method: Method,
    waiting_for: Option<Method>,
}

/// The observing decider of `hvsim explain`.
pub(super) struct Explainer<'s> {
    sc: &'s Scenario,
    st: &'s Strategy,
    seed: u64,
    apps: Vec<Track>,
    pending: Vec<Pending>,
    /// Per bug, the end of its detection delay, once it struck.
    detected: Vec<Option<SimTime>>,
    ended: bool,
}

impl<'s> Explainer<'s> {
    pub(super) fn new(sc: &'s Scenario, st: &'s Strategy, seed: u64) -> Self {
        Explainer {
            sc,
            st,
            seed,
            apps: (0..sc.apps.len()).map(|_| Track::default()).collect(),
            pending: Vec::new(),
            detected: vec![None; sc.bugs.len()],
            ended: false,
        }
    }

    /// The apps' explanations, their outages attributed to the outcome's
    /// incidents (the critical chains are filled afterwards).
    pub(super) fn finish(self, outcome: &crate::Outcome) -> Vec<AppExplanation> {
        self.apps
            .into_iter()
            .enumerate()
            .map(|(i, mut track)| {
                let a = AppId(i as u32);
                if let Some(open) = track.open.take() {
                    // Unreachable after the run's last look (at the
                    // horizon); kept whole rather than lost.
                    let (reason, detail, queued) = match open.class {
                        Class::Fixed(r, d, q) => (r, d, q),
                        Class::Diagnosis(b, _) => (Reason::Diagnosis, Detail::Bug(b), false),
                        Class::Power(_, d) => (Reason::Power, d, false),
                        Class::QueueOrShift(m) => (Reason::Queue, Detail::Method(m), true),
                        Class::WorkOrShift(m, ..) => (Reason::HandsOn, Detail::Method(m), false),
                    };
                    push(
                        &mut track,
                        open.from,
                        outcome.horizon,
                        reason,
                        detail,
                        queued,
                    );
                }
                for o in &mut track.outages {
                    o.incident = outcome
                        .incidents
                        .iter()
                        .rposition(|inc| inc.at <= o.down_at && inc.apps.binary_search(&a).is_ok());
                }
                let last_method = outcome.apps[i].method;
                let method = track
                    .choices
                    .iter()
                    .rev()
                    .find(|c| Some(c.method) == last_method)
                    .or(track.choices.last())
                    .cloned();
                AppExplanation {
                    app: a,
                    outages: track.outages,
                    method,
                    chain: Vec::new(),
                }
            })
            .collect()
    }

    /// The end of bug `b`'s detection delay: its first strike plus the
    /// strategy's `detection` draw, the first of the bug's diagnosis
    /// stream (as the engine draws it).
    fn detection_end(&mut self, b: BugId, run: &RunView<'_>) -> SimTime {
        if let Some(t) = self.detected[b.index()] {
            return t;
        }
        let first = run
            .outcome()
            .incidents
            .iter()
            .filter(|inc| inc.bug == b)
            .map(|inc| inc.at)
            .min();
        let Some(first) = first else {
            return SimTime::ZERO;
        };
        let mut rng = RngStreams::new(self.seed).stream(Purpose::Diagnosis, u64::from(b.0));
        let t = first.saturating_add(self.st.detection.sample(&mut rng));
        self.detected[b.index()] = Some(t);
        t
    }

    /// Why app `a`, down, is down now.
    fn classify(&mut self, now: SimTime, a: AppId, run: &RunView<'_>) -> Class {
        let fixed = |r: Reason, d: Detail| Class::Fixed(r, d, false);
        match run.app_stage(a) {
            AppStage::Running if !run.app_broken(a) => {
                fixed(Reason::Dependency, self.first_dependency_down(a, run))
            }
            AppStage::Running | AppStage::NoMethod => {
                let (reason, detail) = self.stuck(now, a, run);
                fixed(reason, detail)
            }
            AppStage::Diagnosis => match run.undiagnosed_bug(a) {
                Some(b) => Class::Diagnosis(b, self.detection_end(b, run)),
                None => fixed(Reason::Diagnosis, Detail::None),
            },
            AppStage::Hosts(_) => {
                let detail = run.hosts_wait(a).map_or(Detail::None, Detail::Hosts);
                match run.power_back(a, now) {
                    Some(back) => Class::Power(back, detail),
                    None => fixed(Reason::Hosts, detail),
                }
            }
            AppStage::Queued(m) => self.queued(now, a, m, run),
            AppStage::DrCapacity(m) => fixed(Reason::DrRoom, Detail::Method(m)),
            AppStage::InProgress(m) if m.automated() => fixed(Reason::Automated, Detail::Method(m)),
            AppStage::InProgress(m) => match run.app_worker(a) {
                Some((team, member)) => Class::WorkOrShift(m, team, member),
                None => fixed(Reason::HandsOn, Detail::Method(m)),
            },
            AppStage::Transfer => {
                let m = Detail::Method(Method::Restore);
                match run.transfer(a) {
                    Some(TransferStage::Waiting) => fixed(Reason::Stream, m),
                    Some(TransferStage::Paused) => fixed(Reason::Services, m),
                    Some(TransferStage::Active) | None => fixed(Reason::Transfer, m),
                }
            }
        }
    }

    /// The first app `a` depends on that is down.
    fn first_dependency_down(&self, a: AppId, run: &RunView<'_>) -> Detail {
        self.sc.apps[a.index()]
            .depends_on
            .iter()
            .find(|&&d| !run.app_up(d))
            .map_or(Detail::None, |&d| Detail::App(d))
    }

    /// Why a queued app's task has not started.
    fn queued(&self, now: SimTime, a: AppId, m: Method, run: &RunView<'_>) -> Class {
        let q = |r: Reason, d: Detail| Class::Fixed(r, d, true);
        if run.app_gated(a) {
            return q(Reason::DependencyGate, self.first_dependency_down(a, run));
        }
        if let Some(hold) = run.wave_hold(a) {
            let w = match hold {
                WaveHold::Earlier(w) | WaveHold::Go(w) => w,
            };
            return q(Reason::Runbook, Detail::Wave(w));
        }
        let blocked = match m {
            Method::HaRestart => !run.management_available(now),
            Method::Failover => !run.management_available(now) || !run.link_up(),
            Method::Restore => !run.backup_available(),
            _ => false,
        };
        if blocked {
            return q(Reason::Services, Detail::Method(m));
        }
        if run.cap_reached(m) {
            return q(Reason::Cap, Detail::Method(m));
        }
        match run.skill_for(m) {
            None => q(Reason::Queue, Detail::Method(m)),
            Some(skill) if self.skilled_teams(skill).next().is_none() => {
                q(Reason::NoStaff, Detail::Method(m))
            }
            Some(_) => Class::QueueOrShift(m),
        }
    }

    /// The strategy's teams whose members have `skill`.
    fn skilled_teams(&self, skill: Method) -> impl Iterator<Item = TeamId> + '_ {
        self.st
            .teams
            .iter()
            .copied()
            .filter(move |t| self.sc.teams[t.index()].can(skill))
    }

    /// Why no method applies to app `a`: a shared service down, a bug
    /// that may recur (waiting for a fix), or nothing the strategy has.
    fn stuck(&self, now: SimTime, a: AppId, run: &RunView<'_>) -> (Reason, Detail) {
        let why: Vec<(Method, NotApplicable)> = self
            .st
            .methods
            .iter()
            .skip(run.app_level(a))
            .map(|&m| (m, why_not(self.sc, self.st, now, a, m, run)))
            .filter(|(_, w)| *w != NotApplicable::NoWork)
            .collect();
        if let Some(&(m, _)) = why.iter().find(|(_, w)| w.service()) {
            return (Reason::Services, Detail::Method(m));
        }
        if why.iter().any(|(_, w)| *w == NotApplicable::RecurrenceRisk) {
            let bug = run.undiagnosed_bug(a);
            return (Reason::Fix, bug.map_or(Detail::None, Detail::Bug));
        }
        (Reason::NoMethod, Detail::None)
    }

    /// Closes app `a`'s open interval at `to`, split by the clock.
    fn close(&mut self, i: usize, open: Open, to: SimTime, run: &RunView<'_>) {
        let mut pieces: Vec<(SimTime, SimTime, Reason, Detail, bool)> = Vec::new();
        let from = open.from;
        match open.class {
            Class::Fixed(r, d, q) => pieces.push((from, to, r, d, q)),
            Class::Diagnosis(b, detected) => {
                let cut = detected.clamp(from, to);
                pieces.push((from, cut, Reason::Detection, Detail::Bug(b), false));
                pieces.push((cut, to, Reason::Diagnosis, Detail::Bug(b), false));
            }
            Class::Power(back, d) => {
                let cut = back.clamp(from, to);
                pieces.push((from, cut, Reason::Power, d, false));
                pieces.push((cut, to, Reason::Hosts, d, false));
            }
            Class::QueueOrShift(m) => {
                let skill = run.skill_for(m).unwrap_or(m);
                let teams: Vec<TeamId> = self.skilled_teams(skill).collect();
                let mut t = from;
                while t < to {
                    let on = teams.iter().any(|&team| run.roster(team).available(t) > 0);
                    let next = teams
                        .iter()
                        .filter_map(|&team| run.roster(team).next_change(t))
                        .filter(|&n| n > t)
                        .min()
                        .map_or(to, |n| n.min(to));
                    let reason = if on { Reason::Queue } else { Reason::Shift };
                    pieces.push((t, next, reason, Detail::Method(m), true));
                    t = next;
                }
            }
            Class::WorkOrShift(m, team, member) => {
                let calendar = run.roster(team).worker(member);
                let mut t = from;
                while t < to {
                    let duty = calendar.duty_at(t);
                    let next = if duty.until > t {
                        duty.until.min(to)
                    } else {
                        to
                    };
                    let reason = if duty.on {
                        Reason::HandsOn
                    } else {
                        Reason::Shift
                    };
                    pieces.push((t, next, reason, Detail::Method(m), false));
                    t = next;
                }
            }
        }
        let track = &mut self.apps[i];
        for (from, to, reason, detail, queued) in pieces {
            push(track, from, to, reason, detail, queued);
        }
    }

    /// The method choices made during the event just handled, with why
    /// the strategy's earlier methods did not apply.
    fn commit_choices(&mut self, run: &RunView<'_>) {
        for p in std::mem::take(&mut self.pending) {
            if p.waiting_for == Some(p.method) {
                continue;
            }
            let level = run.app_level(p.app);
            let track = &self.apps[p.app.index()];
            let mut skipped = Vec::new();
            for (k, &m) in self.st.methods.iter().enumerate() {
                if m == p.method {
                    break;
                }
                let why = if k < level {
                    track
                        .escalations
                        .iter()
                        .rev()
                        .find(|(from, _)| *from == m)
                        .map_or(NotApplicable::NoRoom, |&(_, e)| NotApplicable::Escalated(e))
                } else {
                    why_not(self.sc, self.st, p.at, p.app, m, run)
                };
                skipped.push((m, why));
            }
            let track = &mut self.apps[p.app.index()];
            track.decided_at = Some(p.at);
            track.choices.push(MethodWhy {
                at: p.at,
                method: p.method,
                skipped,
            });
        }
    }

    /// Follows app `i` after the event at `now`.
    fn follow(&mut self, now: SimTime, i: usize, run: &RunView<'_>) {
        let a = AppId(i as u32);
        let up = run.app_up(a);
        let hits = run.app_recurrence_hits(a);
        let track = &mut self.apps[i];
        let hit = hits > track.recur_seen;
        track.recur_seen = hits;
        if track.open.is_none() && up {
            return;
        }
        let class = (!up).then(|| self.classify(now, a, run));
        let track = &mut self.apps[i];
        match track.open.take() {
            Some(open) => {
                if !hit && class == Some(open.class) {
                    track.open = Some(open);
                    return;
                }
                self.close(i, open, now, run);
                let track = &mut self.apps[i];
                if hit {
                    relabel(track, track.decided_at);
                }
                match class {
                    None => {
                        if let Some(o) = track.outages.last_mut() {
                            o.up_at = Some(now);
                        }
                        track.by_recurrence = false;
                    }
                    Some(class) => track.open = Some(Open { from: now, class }),
                }
            }
            None => {
                track.outages.push(OutageExplained {
                    down_at: now,
                    up_at: None,
                    incident: None,
                    intervals: Vec::new(),
                });
                track.by_recurrence = hit;
                if let Some(class) = class {
                    track.open = Some(Open { from: now, class });
                }
            }
        }
    }
}

/// Why method `m` did not apply to app `a` at `now` (the engine's
/// applicability rules, read from the view).
fn why_not(
    sc: &Scenario,
    st: &Strategy,
    now: SimTime,
    a: AppId,
    m: Method,
    run: &RunView<'_>,
) -> NotApplicable {
    if sc.apps[a.index()].work(m).is_none() {
        return NotApplicable::NoWork;
    }
    if m != Method::HaRestart && run.undiagnosed_bug(a).is_some() {
        return NotApplicable::Undiagnosed;
    }
    let corrupted = run.app_corrupted(a);
    match m {
        Method::Restart | Method::Rebuild | Method::HaRestart if corrupted => {
            NotApplicable::Corrupted
        }
        Method::Restart => NotApplicable::RecurrenceRisk,
        Method::HaRestart if !run.management_available(now) => NotApplicable::ManagementPlane,
        Method::HaRestart => NotApplicable::NoRoom,
        Method::Restore | Method::Failover | Method::Reinstall if st.dr_site.is_none() => {
            NotApplicable::NoDrSite
        }
        Method::Restore if sc.backup.is_none() => NotApplicable::NoBackup,
        Method::Failover if sc.replication.is_none() => NotApplicable::NoReplication,
        Method::Failover if run.replica_lost(a) => NotApplicable::ReplicaLost,
        Method::Restore | Method::Failover if !run.link_up() => NotApplicable::Link,
        Method::Restore => NotApplicable::Backup,
        Method::Failover => NotApplicable::ManagementPlane,
        Method::Reinstall => NotApplicable::NoDrSite,
        Method::Rebuild => NotApplicable::NoRebuildTarget,
    }
}

/// Appends `[from, to)` to the app's current outage, joined to the last
/// interval when it continues it; an outage a recurrence caused counts
/// wholly as lost to it.
fn push(
    track: &mut Track,
    from: SimTime,
    to: SimTime,
    reason: Reason,
    detail: Detail,
    queued: bool,
) {
    if to <= from {
        return;
    }
    let (reason, underlying) = if track.by_recurrence {
        (Reason::Recurrence, Some(reason))
    } else {
        (reason, None)
    };
    let Some(outage) = track.outages.last_mut() else {
        return;
    };
    if let Some(last) = outage.intervals.last_mut()
        && last.to == from
        && (last.reason, last.detail, last.queued, last.underlying)
            == (reason, detail, queued, underlying)
    {
        last.to = to;
        return;
    }
    outage.intervals.push(Interval {
        from,
        to,
        reason,
        detail,
        queued,
        underlying,
    });
}

/// A crash cut the app's attempt short: the time of its current outage
/// since its method was chosen was lost to it.
fn relabel(track: &mut Track, since: Option<SimTime>) {
    let Some(outage) = track.outages.last_mut() else {
        return;
    };
    let since = since.unwrap_or(outage.down_at);
    let mut out = Vec::with_capacity(outage.intervals.len() + 1);
    for iv in outage.intervals.drain(..) {
        if iv.to <= since || iv.reason == Reason::Recurrence {
            out.push(iv);
            continue;
        }
        if iv.from < since {
            out.push(Interval { to: since, ..iv });
        }
        out.push(Interval {
            from: iv.from.max(since),
            reason: Reason::Recurrence,
            underlying: Some(iv.reason),
            queued: false,
            ..iv
        });
    }
    outage.intervals = out;
}

impl Decider for Explainer<'_> {
    fn method(&mut self, choice: &MethodChoice<'_>) -> usize {
        if let Some(&method) = choice.candidates.first() {
            self.pending.push(Pending {
                app: choice.app,
                at: choice.now,
                method,
                waiting_for: choice.waiting_for,
            });
        }
        0
    }

    fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
        choice.strategy
    }

    fn restart_despite_recurrence(&mut self, choice: &RestartChoice<'_>) -> bool {
        choice.strategy
    }

    fn open_wave(&mut self, _: &WaveChoice<'_>) -> bool {
        true
    }

    fn escalate(&mut self, choice: &EscalationChoice<'_>) -> bool {
        self.apps[choice.app.index()]
            .escalations
            .push((choice.from, choice.reason));
        true
    }

    fn observe(&mut self, now: SimTime, run: &RunView<'_>) {
        if self.ended {
            return;
        }
        for i in 0..self.apps.len() {
            self.follow(now, i, run);
        }
        self.commit_choices(run);
        if now >= self.sc.horizon_end() {
            // The run's last look: what is still down is down to the horizon.
            for i in 0..self.apps.len() {
                if let Some(open) = self.apps[i].open.take() {
                    self.close(i, open, now, run);
                }
            }
            self.ended = true;
        }
    }
}

/// The explainer beside another decider: the other makes every choice,
/// the explainer is told the method chosen (as the first of the
/// candidates from it on) and sees the run.
pub(super) struct Beside<'s, 'd, D> {
    pub(super) explainer: Explainer<'s>,
    pub(super) decider: &'d mut D,
}

impl<D: Decider> Decider for Beside<'_, '_, D> {
    const OFFERS_EVERY_TASK: bool = D::OFFERS_EVERY_TASK;

    fn method(&mut self, choice: &MethodChoice<'_>) -> usize {
        let k = self.decider.method(choice);
        let k = if k < choice.candidates.len() { k } else { 0 };
        self.explainer.method(&MethodChoice {
            candidates: &choice.candidates[k..],
            ..*choice
        });
        k
    }

    fn next_task(&mut self, choice: &TaskChoice<'_>) -> usize {
        self.decider.next_task(choice)
    }

    fn restart_despite_recurrence(&mut self, choice: &RestartChoice<'_>) -> bool {
        self.decider.restart_despite_recurrence(choice)
    }

    fn open_wave(&mut self, choice: &WaveChoice<'_>) -> bool {
        self.decider.open_wave(choice)
    }

    fn escalate(&mut self, choice: &EscalationChoice<'_>) -> bool {
        let yes = self.decider.escalate(choice);
        if yes {
            self.explainer.escalate(choice);
        }
        yes
    }

    fn observe(&mut self, now: SimTime, run: &RunView<'_>) {
        self.explainer.observe(now, run);
        self.decider.observe(now, run);
    }
}
