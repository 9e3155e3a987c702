//! People and lanes: the queues of ready work (one [`Lane`] per method,
//! one for host rebuilds and patches, one for runbook go steps), the
//! members who take it (teams, skills, shifts, absences), their tasks and
//! the counts of work in progress that the strategy's caps limit.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::ops::{Index, IndexMut};

use rand::RngExt;

use crate::metrics::{TaskEnd, TaskRecord, TaskSubject};
use crate::model::{AppId, HostId, Method, Scenario, TeamId};
use crate::recovery::order::OrderKey;
use crate::run::{CLASS_OTHER, Cx, Ev, SimError, trace};
use crate::sim::{
    BitSet, CalendarError, Duty, EventId, Purpose, RngStreams, Roster, SimDuration, SimTime,
};

use super::{Decider, Recovery};
use crate::run::world::Phase;

/// Work waiting in a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Job {
    /// An app's task of a method.
    App(AppId, Method),
    /// Rebuild a host on the strategy's `rebuild_to`.
    Host(HostId),
    /// Patch a host with the vendor's fix.
    Patch(HostId),
    /// The go step of a runbook wave.
    Go(u32),
}

impl Job {
    /// What the job works on, as a task record names it.
    pub(crate) fn subject(self) -> TaskSubject {
        match self {
            Job::App(a, m) => TaskSubject::App(a, m),
            Job::Host(h) => TaskSubject::Host(h),
            Job::Patch(h) => TaskSubject::Patch(h),
            Job::Go(wave) => TaskSubject::Go(wave),
        }
    }

    /// The lane the job waits in.
    pub(crate) fn lane(self) -> Lane {
        match self {
            Job::App(_, m) => Lane::app(m),
            // Patches share the infrastructure lane with rebuilds.
            Job::Host(_) | Job::Patch(_) => Lane::Hosts,
            Job::Go(_) => Lane::Go,
        }
    }
}

/// A lane's entry: its order key, its ready sequence (for staleness
/// checks and ties), the job.
pub(crate) type Entry = (OrderKey, u64, Job);

/// A queue of ready work, with the skill its work needs and the cap it
/// counts against: one per method (its apps' tasks), one for host work,
/// one for runbook go steps.
///
/// Its value is its position in [`Lane::ALL`] (`repr(u8)`, no data), so
/// that finding a lane's heap costs nothing: the dispatcher does it for
/// every lane after every event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Lane {
    /// App tasks of `restart`.
    Restart,
    /// App tasks of `reinstall`.
    Reinstall,
    /// App tasks of `ha-restart` (automated).
    HaRestart,
    /// App tasks of `restore` (the setup; the transfer follows).
    Restore,
    /// App tasks of `failover` (automated).
    Failover,
    /// App tasks of `rebuild` (the restart once its hosts are rebuilt).
    Rebuild,
    /// Host rebuilds and patches (the infrastructure lane).
    Hosts,
    /// Runbook waves' go steps.
    Go,
}

impl Lane {
    /// Every lane, in the dispatcher's order: the methods by ordinal, then
    /// host work, then go steps.
    pub(crate) const ALL: [Lane; 8] = [
        Lane::Restart,
        Lane::Reinstall,
        Lane::HaRestart,
        Lane::Restore,
        Lane::Failover,
        Lane::Rebuild,
        Lane::Hosts,
        Lane::Go,
    ];

    /// The lane of the app tasks of method `m`.
    pub(crate) fn app(m: Method) -> Lane {
        match m {
            Method::Restart => Lane::Restart,
            Method::Reinstall => Lane::Reinstall,
            Method::HaRestart => Lane::HaRestart,
            Method::Restore => Lane::Restore,
            Method::Failover => Lane::Failover,
            Method::Rebuild => Lane::Rebuild,
        }
    }

    /// The method of the lane's app tasks (`None` for host work and go
    /// steps).
    pub(crate) fn method(self) -> Option<Method> {
        match self {
            Lane::Restart => Some(Method::Restart),
            Lane::Reinstall => Some(Method::Reinstall),
            Lane::HaRestart => Some(Method::HaRestart),
            Lane::Restore => Some(Method::Restore),
            Lane::Failover => Some(Method::Failover),
            Lane::Rebuild => Some(Method::Rebuild),
            Lane::Hosts | Lane::Go => None,
        }
    }

    /// Its position in [`Lane::ALL`].
    fn index(self) -> usize {
        self as usize
    }

    /// Whether the lane's work runs without a person (HA restart, failover).
    pub(crate) fn automated(self) -> bool {
        matches!(self, Lane::HaRestart | Lane::Failover)
    }

    /// The skill the lane's work needs (`None`: anyone; runbook steps).
    pub(crate) fn skill(self) -> Option<Method> {
        match self {
            Lane::Hosts => Some(Method::Rebuild),
            Lane::Go => None,
            // Restarting an app after its hosts were rebuilt is a restart.
            Lane::Rebuild => Some(Method::Restart),
            lane => lane.method(),
        }
    }

    /// The method whose concurrency cap the lane counts against.
    pub(crate) fn cap_method(self) -> Option<Method> {
        match self {
            Lane::Hosts => Some(Method::Rebuild),
            Lane::Go => None,
            Lane::Rebuild => Some(Method::Restart),
            lane => lane.method(),
        }
    }
}

/// A lane's ready entries, smallest first.
///
/// Entries mostly arrive in order: under FIFO an entry is ready now, after
/// every entry before it, with a greater sequence. Those go on a sorted
/// run and leave from its front at no cost; the others (other orders, an
/// entry parked and put back) go on a heap. A pop takes the smaller of the
/// two fronts, so entries leave in the order one heap of them all would
/// give (they are distinct: no two share a sequence). Popping 120 apps
/// from one heap was 6 % of a plain-restore replication.
#[derive(Debug, Default)]
pub(crate) struct ReadyQueue {
    /// Entries in order, each no smaller than the one before.
    run: VecDeque<Reverse<Entry>>,
    heap: BinaryHeap<Reverse<Entry>>,
}

impl ReadyQueue {
    /// Adds an entry.
    #[inline]
    pub(crate) fn push(&mut self, entry: Reverse<Entry>) {
        if self.run.back().is_none_or(|last| last.0 <= entry.0) {
            self.run.push_back(entry);
        } else {
            self.heap.push(entry);
        }
    }

    /// Whether the front is the run's (else the heap's, or none).
    #[inline]
    fn front_in_run(&self) -> bool {
        match (self.run.front(), self.heap.peek()) {
            (Some(r), Some(h)) => r.0 < h.0,
            (r, _) => r.is_some(),
        }
    }

    /// The smallest entry.
    #[inline]
    pub(crate) fn peek(&self) -> Option<&Reverse<Entry>> {
        if self.front_in_run() {
            self.run.front()
        } else {
            self.heap.peek()
        }
    }

    /// Takes the smallest entry away.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Reverse<Entry>> {
        if self.front_in_run() {
            self.run.pop_front()
        } else {
            self.heap.pop()
        }
    }

    /// Whether it holds no entry.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.run.is_empty() && self.heap.is_empty()
    }

    fn clear(&mut self) {
        self.run.clear();
        self.heap.clear();
    }
}

/// The ready queues, one per lane, with the lanes that hold entries kept
/// as bits (asked at every pick: scanning every queue for emptiness was
/// 3 % of a plain-restore replication).
#[derive(Debug, Default)]
pub(crate) struct Lanes {
    queues: Vec<ReadyQueue>,
    /// Bit `i` is set when `queues[i]` holds an entry.
    with_work: u8,
}

impl Lanes {
    /// Every lane empty, in `reused`'s queues.
    pub(crate) fn new(mut reused: Vec<ReadyQueue>) -> Self {
        reused.truncate(Lane::ALL.len());
        for lane in &mut reused {
            lane.clear();
        }
        reused.resize_with(Lane::ALL.len(), ReadyQueue::default);
        Lanes {
            queues: reused,
            with_work: 0,
        }
    }

    /// Adds an entry to a lane.
    #[inline]
    pub(crate) fn push(&mut self, lane: Lane, entry: Reverse<Entry>) {
        self.queues[lane.index()].push(entry);
        self.with_work |= 1 << lane.index();
    }

    /// A lane's smallest entry.
    #[inline]
    pub(crate) fn peek(&self, lane: Lane) -> Option<&Reverse<Entry>> {
        self.queues[lane.index()].peek()
    }

    /// Takes a lane's smallest entry away.
    #[inline]
    pub(crate) fn pop(&mut self, lane: Lane) -> Option<Reverse<Entry>> {
        let queue = &mut self.queues[lane.index()];
        let entry = queue.pop();
        if queue.is_empty() {
            self.with_work &= !(1 << lane.index());
        }
        entry
    }

    /// Whether a lane holds no entry.
    #[inline]
    pub(crate) fn is_empty(&self, lane: Lane) -> bool {
        self.with_work & (1 << lane.index()) == 0
    }

    /// The lanes that hold entries, as bits by position in [`Lane::ALL`].
    #[inline]
    pub(crate) fn with_work(&self) -> u8 {
        debug_assert_eq!(
            self.with_work,
            self.queues.iter().enumerate().fold(0, |bits, (i, queue)| {
                bits | (u8::from(!queue.is_empty()) << i)
            }),
            "the lanes' bits disagree with their queues"
        );
        self.with_work
    }

    /// The queues, for the thread's next run.
    pub(crate) fn into_inner(self) -> Vec<ReadyQueue> {
        self.queues
    }
}

/// Tasks in progress per method, counted against the strategy's caps.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Running([u32; 6]);

impl Index<Method> for Running {
    type Output = u32;
    fn index(&self, m: Method) -> &u32 {
        &self.0[m.ordinal() as usize]
    }
}

impl IndexMut<Method> for Running {
    fn index_mut(&mut self, m: Method) -> &mut u32 {
        &mut self.0[m.ordinal() as usize]
    }
}

/// A member's task in progress.
#[derive(Clone, Debug)]
pub(crate) struct Task {
    /// Index into `Outcome::tasks`.
    pub(crate) record: usize,
    pub(crate) job: Job,
    pub(crate) event: Option<EventId>,
}

/// One member of one of the strategy's teams.
#[derive(Clone, Debug)]
pub(crate) struct Worker {
    pub(crate) team: TeamId,
    pub(crate) member: u32,
    /// Bit `ordinal` set for each method the team may carry out.
    pub(crate) skills: u8,
    pub(crate) task: Option<Task>,
    /// The span of the member's calendar last asked about: the dispatcher
    /// asks every free member whether they are on duty at every event, and
    /// the answer only changes at a shift boundary.
    pub(crate) duty: std::cell::Cell<Duty>,
}

/// The strategy's teams in a run: their members, who is free, who is on
/// duty when.
#[derive(Debug)]
pub(crate) struct Staff<'a> {
    pub(crate) workers: Vec<Worker>,
    /// Workers without a task, in worker order.
    pub(crate) free: BitSet,
    /// Per team, who is on duty when in this run (with random absences).
    pub(crate) rosters: Vec<Cow<'a, Roster>>,
    /// The pending wake-up at the next shift start, if any.
    pub(crate) wake_at: Option<SimTime>,
}

impl<'a> Staff<'a> {
    /// The members of the strategy's teams, all free, with this run's
    /// rosters; fails when a team's roster with its absences is too large
    /// to build ([`SimError::Roster`]).
    pub(crate) fn new(sc: &'a Scenario, teams: &[TeamId], seed: u64) -> Result<Self, SimError> {
        let workers: Vec<Worker> = teams
            .iter()
            .flat_map(|&team| {
                let t = &sc.teams[team.index()];
                let skills = skill_bits(&t.skills);
                (0..t.roster.size()).map(move |member| Worker {
                    team,
                    member,
                    skills,
                    task: None,
                    duty: std::cell::Cell::new(Duty::UNKNOWN),
                })
            })
            .collect();
        let n_workers = workers.len() as u32;
        let rosters = sc
            .teams
            .iter()
            .enumerate()
            .map(|(t, team)| match away_roster(sc, t, seed) {
                Ok(Some(r)) => Ok(Cow::Owned(r)),
                Ok(None) => Ok(Cow::Borrowed(&team.roster)),
                Err(source) => Err(SimError::Roster {
                    team: team.id.clone(),
                    source,
                }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Staff {
            workers,
            free: BitSet::full(n_workers),
            rosters,
            wake_at: None,
        })
    }
}

/// Team `t`'s roster for this run when its members may be absent (ill):
/// each member is away on each local day with the team's probability, and
/// the day's head count is capped accordingly (like a holiday). `None`
/// when the team has no absences; an error when the capped roster is too
/// large to build (never a silent fallback to the roster without them).
fn absent_roster(sc: &Scenario, t: usize, seed: u64) -> Result<Option<Roster>, CalendarError> {
    let team = &sc.teams[t];
    if team.absence <= 0.0 {
        return Ok(None);
    }
    let rng_streams = RngStreams::new(seed);
    let size = team.roster.size();
    let first = sc.start.to_zoned_datetime(sc.tz.clone()).date();
    // The scenario's roster was built over this horizon, so its end is a
    // supported date; `Roster::build` below reports it if not.
    let end = sc
        .start
        .checked_add(jiff::SignedDuration::from_millis(
            i64::try_from(sc.horizon.as_millis()).unwrap_or(i64::MAX),
        ))
        .map_or(first, |end| end.to_zoned_datetime(sc.tz.clone()).date());
    let mut holidays = team.holidays.clone();
    let mut day = first;
    let mut n: u64 = 0;
    while day <= end {
        let index = ((t as u64) << 32) | n;
        let mut rng = rng_streams.stream(Purpose::Absence, index);
        let absent = (0..size)
            .filter(|_| rng.random::<f64>() < team.absence)
            .count() as u32;
        if absent > 0 {
            let cap = size - absent;
            match holidays.iter_mut().find(|h| h.date == day) {
                Some(h) => h.members = h.members.min(cap),
                None => holidays.push(crate::sim::HolidaySpec {
                    date: day,
                    members: cap,
                }),
            }
        }
        n += 1;
        match day.tomorrow() {
            Ok(next) => day = next,
            // The last supported date: no day after it to cap.
            Err(_) => break,
        }
    }
    let roster = Roster::build(&sc.tz, sc.start, sc.horizon, size, &team.shifts, &holidays)?;
    crate::model::Join::apply(roster, &team.joins).map(Some)
}

/// Team `t`'s roster for this run with its random absences
/// ([`absent_roster`]) and the scenario's staff `absences` of it: while
/// `members` are away, the head count on duty is capped at the team's
/// size minus them ([`Absence::until`](crate::model::Absence::until)
/// draws how long). `None` when neither changes the scenario's roster; an
/// error when the capped roster is too large to build (each cap may split
/// on-duty periods), never a silent fallback to the roster without them.
fn away_roster(sc: &Scenario, t: usize, seed: u64) -> Result<Option<Roster>, CalendarError> {
    let mut roster = absent_roster(sc, t, seed)?;
    for (i, a) in sc.absences.iter().enumerate() {
        if a.team.index() != t {
            continue;
        }
        let base = roster.as_ref().unwrap_or(&sc.teams[t].roster);
        let cap = base.size().saturating_sub(a.members);
        roster = Some(base.capped(a.at, a.until(i, seed), cap)?);
    }
    Ok(roster)
}

fn skill_bits(skills: &[Method]) -> u8 {
    skills.iter().fold(0, |acc, m| acc | (1 << m.ordinal()))
}

impl<D: Decider> Recovery<'_, '_, D> {
    /// The first free member on shift who can do the lane's work.
    pub(crate) fn free_worker(&self, now: SimTime, lane: Lane) -> Option<usize> {
        let need = lane.skill().map_or(0, |m| 1u8 << m.ordinal());
        // The free set iterates in worker order: the same member as a scan
        // of every worker would find.
        self.recovery
            .staff
            .free
            .iter()
            .map(|w| w as usize)
            .find(|&i| self.recovery.staff.workers[i].skills & need == need && self.duty(i, now).on)
    }

    /// Worker `w`'s duty span containing `now`, from the cache when it
    /// still covers `now` (same answers as asking the calendar).
    pub(crate) fn duty(&self, w: usize, now: SimTime) -> crate::sim::Duty {
        let worker = &self.recovery.staff.workers[w];
        let cached = worker.duty.get();
        if cached.covers(now) {
            return cached;
        }
        let duty = self.recovery.staff.rosters[worker.team.index()]
            .worker(worker.member)
            .duty_at(now);
        worker.duty.set(duty);
        duty
    }

    /// Takes worker `w`'s task away (done or abandoned): it is free again.
    pub(crate) fn take_task(&mut self, w: u32) -> Option<Task> {
        let task = self.recovery.staff.workers[w as usize].task.take()?;
        self.recovery.staff.free.insert(w);
        if let Job::App(a, _) = task.job {
            self.world.apps[a.index()].worker = None;
        }
        Some(task)
    }

    pub(crate) fn schedule_wake(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        let now = cx.now;
        let next = self
            .recovery
            .staff
            .free
            .iter()
            .filter_map(|w| self.duty(w as usize, now).next_on(now))
            .filter(|&t| t > now)
            .min();
        if let Some(t) = next
            && self.recovery.staff.wake_at.is_none_or(|w| t < w || w < now)
        {
            cx.sched.schedule_at(t, CLASS_OTHER, Ev::Wake)?;
            self.recovery.staff.wake_at = Some(t);
        }
        Ok(())
    }

    /// Gives a job to worker `w` (a free member on shift with the skill).
    pub(crate) fn assign(
        &mut self,
        cx: &mut Cx<'_>,
        w: Option<usize>,
        job: Job,
    ) -> Result<(), SimError> {
        let now = cx.now;
        let Some(w) = w else {
            // Unreachable: the lane was chosen because such a member is free.
            return Ok(());
        };
        if let Job::App(a, _) = job {
            // Being restored: apps parked behind it may start.
            self.release_waiters(a);
        }
        let work = match job {
            Job::App(a, m) => {
                self.world.set_phase(a, Phase::InProgress(m));
                self.recovery_starts(a, now);
                self.draw_work(now, a, m)
            }
            Job::Host(h) => {
                let host = &mut self.world.hosts[h.index()];
                let index = (u64::from(h.0) << 24) | host.rebuilds.min((1 << 24) - 1);
                host.rebuilds += 1;
                let mut rng = self.rng.stream(Purpose::Rebuild, index);
                self.st
                    .rebuild_to
                    .and_then(|b| self.sc.builds[b.index()].rebuild.as_ref())
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
            Job::Patch(h) => {
                let host = &mut self.world.hosts[h.index()];
                let index = (1 << 40) | (u64::from(h.0) << 16) | host.patches.min(0xFFFF);
                host.patches += 1;
                let mut rng = self.rng.stream(Purpose::Rebuild, index);
                self.sc.builds[host.build.index()]
                    .patch
                    .as_ref()
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
            Job::Go(wave) => {
                let state = &mut self.recovery.waves.states[wave as usize];
                let index = (u64::from(wave) << 24) | state.openings.min((1 << 24) - 1);
                state.openings += 1;
                let mut rng = self.rng.stream(Purpose::Runbook, index);
                self.st.waves[wave as usize]
                    .go
                    .as_ref()
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or_default()
            }
        };
        if let Some(m) = job.lane().cap_method() {
            self.recovery.running[m] += 1;
        }
        let worker = &self.recovery.staff.workers[w];
        let calendar = self.recovery.staff.rosters[worker.team.index()].worker(worker.member);
        let event = match calendar.finish(now, work) {
            Some(done) => Some(
                cx.sched
                    .schedule_at(done, CLASS_OTHER, Ev::TaskDone(w as u32))?,
            ),
            None => None,
        };
        let record = self.out.tasks.len();
        self.out.tasks.push(TaskRecord {
            subject: job.subject(),
            team: worker.team,
            member: worker.member,
            start: now,
            work,
            end: None,
            outcome: TaskEnd::Unfinished,
        });
        // Arguments are only evaluated when the trace is on.
        trace!(
            now,
            "{} #{} starts to {} ({} of work)",
            self.sc.teams[worker.team.index()].id,
            worker.member + 1,
            self.job_label(job),
            work
        );
        self.recovery.staff.workers[w].task = Some(Task { record, job, event });
        self.recovery.staff.free.remove(w as u32);
        if let Job::App(a, _) = job {
            self.world.apps[a.index()].worker = Some(w as u32);
        }
        Ok(())
    }

    /// What a job does, for the trace: `reinstall mail`, `rebuild host h-01`.
    pub(crate) fn job_label(&self, job: Job) -> String {
        match job {
            Job::App(a, m) => format!("{} {}", m.name(), self.sc.apps[a.index()].id),
            Job::Host(h) => format!("rebuild host {}", self.sc.hosts[h.index()].id),
            Job::Patch(h) => format!("patch host {}", self.sc.hosts[h.index()].id),
            Job::Go(w) => format!("give the go of wave {}", self.st.waves[w as usize].name),
        }
    }

    /// App i's k-th attempt at method m always draws the same effort,
    /// whatever the strategy (common random numbers); the strategy's
    /// automation in force at `now` then scales it.
    pub(crate) fn draw_work(&mut self, now: SimTime, a: AppId, m: Method) -> SimDuration {
        let state = &mut self.world.apps[a.index()];
        let attempt = u64::from(state.attempts[m.ordinal() as usize]);
        state.attempts[m.ordinal() as usize] += 1;
        let index = (u64::from(a.0) << 24) | (m.ordinal() << 20) | attempt.min((1 << 20) - 1);
        let mut rng = self.recovery.work_streams.stream(index);
        let work = self.sc.apps[a.index()]
            .work(m)
            .map(|d| d.sample(&mut rng))
            .unwrap_or_default();
        let first_strike = self.out.incidents.first().map(|i| i.at);
        match first_strike {
            Some(at) if !self.st.automation.is_empty() => {
                let scale = self.st.work_scale(m, now.saturating_since(at));
                if scale == 1.0 {
                    work
                } else {
                    SimDuration::from_millis_f64(work.as_millis() as f64 * scale)
                }
            }
            _ => work,
        }
    }

    pub(crate) fn start_automated(
        &mut self,
        cx: &mut Cx<'_>,
        a: AppId,
        m: Method,
    ) -> Result<(), SimError> {
        let now = cx.now;
        let work = self.draw_work(now, a, m);
        self.recovery.running[m] += 1;
        self.release_waiters(a);
        self.world.set_phase(a, Phase::InProgress(m));
        let state = &mut self.world.apps[a.index()];
        state.auto_event = Some(cx.sched.schedule_in(work, CLASS_OTHER, Ev::AutoDone(a))?);
        self.recovery_starts(a, now);
        self.out.apps[a.index()].automated_start = Some(now);
        trace!(
            now,
            "{} of {} starts ({})",
            m.name(),
            self.sc.apps[a.index()].id,
            work
        );
        Ok(())
    }

    pub(crate) fn end_task(&mut self, task: &Task, now: SimTime, how: TaskEnd) {
        let r = &mut self.out.tasks[task.record];
        r.end = Some(now);
        r.outcome = how;
        // A restore counts against its cap until its transfer is done.
        let transfer_follows =
            how == TaskEnd::Done && matches!(task.job, Job::App(_, Method::Restore));
        if let Some(m) = task.job.lane().cap_method().filter(|_| !transfer_follows) {
            let n = &mut self.recovery.running[m];
            *n = n.saturating_sub(1);
        }
    }

    pub(crate) fn task_done(&mut self, cx: &mut Cx<'_>, w: u32) -> Result<(), SimError> {
        let now = cx.now;
        let Some(task) = self.take_task(w) else {
            return Ok(());
        };
        self.end_task(&task, now, TaskEnd::Done);
        let team = self.recovery.staff.workers[w as usize].team;
        match task.job {
            Job::App(a, Method::Restore) => {
                trace!(
                    now,
                    "restore of {} set up by {}: its data transfer is queued",
                    self.sc.apps[a.index()].id,
                    self.sc.teams[team.index()].id
                );
                self.out.apps[a.index()].team = Some(team);
                self.request_transfer(cx, a)?;
            }
            Job::App(a, m) => {
                self.out.apps[a.index()].team = Some(team);
                self.recovered(now, a, m);
            }
            Job::Host(h) => self.host_rebuilt(cx, h)?,
            Job::Patch(h) => {
                // Restarting on it may be safe now.
                if self.fault_side().patched(cx, h) {
                    self.recovery.evacuated_news = true;
                }
                self.services_back(cx)?;
            }
            Job::Go(wave) => {
                let state = &mut self.recovery.waves.states[wave as usize];
                state.go_pending = false;
                state.go_done = true;
                trace!(
                    now,
                    "runbook wave {} starts", self.st.waves[wave as usize].name
                );
            }
        }
        Ok(())
    }

    pub(crate) fn auto_done(&mut self, now: SimTime, a: AppId) {
        let state = &mut self.world.apps[a.index()];
        state.auto_event = None;
        let Phase::InProgress(m) = state.phase else {
            return;
        };
        let n = &mut self.recovery.running[m];
        *n = n.saturating_sub(1);
        self.recovered(now, a, m);
    }
}

#[cfg(test)]
mod tests {
    use super::{Job, Lane};
    use crate::engine::testing::{Tiny, at, up_at};
    use crate::model::{AppId, HostId, Method};

    /// Two corrupted apps, reinstalled at the DR site for 2 h each.
    fn two_reinstalls() -> Tiny {
        Tiny {
            apps: 2,
            corrupt: 1.0,
            methods: "[reinstall]",
            ..Tiny::default()
        }
    }

    #[test]
    fn two_apps_queue_for_one_member_in_file_order() {
        let (_, out) = two_reinstalls().run();
        assert_eq!(up_at(&out, 0), Some(at(3, 0)));
        assert_eq!(up_at(&out, 1), Some(at(5, 0)));
        assert_eq!(out.tasks.len(), 2);
        assert_eq!(
            out.tasks[1].start,
            at(3, 0),
            "the member takes the next at once"
        );
        assert_eq!(out.tasks[0].member, out.tasks[1].member);
    }

    #[test]
    fn two_members_work_in_parallel_unless_a_cap_holds_the_lane() {
        let (_, out) = Tiny {
            members: 2,
            ..two_reinstalls()
        }
        .run();
        assert_eq!(
            (up_at(&out, 0), up_at(&out, 1)),
            (Some(at(3, 0)), Some(at(3, 0)))
        );
        let capped = Tiny {
            members: 2,
            strategy: ", caps: { reinstall: 1 }",
            ..two_reinstalls()
        };
        let (_, out) = capped.run();
        assert_eq!(
            (up_at(&out, 0), up_at(&out, 1)),
            (Some(at(3, 0)), Some(at(5, 0)))
        );
    }

    #[test]
    fn automation_speeds_up_the_tasks_started_once_it_is_in_force() {
        // Strike at 01:00; the automation is in force from 04:00. The
        // second reinstall starts at 03:00, before it: 2 h. The third
        // starts at 05:00: half of 2 h.
        let (_, out) = Tiny {
            apps: 3,
            strategy: ", automation: [{ after: 3h, methods: [reinstall], scale: 0.5 }]",
            ..two_reinstalls()
        }
        .run();
        assert_eq!(up_at(&out, 0), Some(at(3, 0)));
        assert_eq!(up_at(&out, 1), Some(at(5, 0)));
        assert_eq!(up_at(&out, 2), Some(at(6, 0)));
        assert_eq!(
            out.tasks[2].work,
            crate::sim::SimDuration::from_millis(3_600_000)
        );
        // Automation of another method changes nothing.
        let (_, out) = Tiny {
            apps: 3,
            methods: "[restart, reinstall]",
            strategy: ", automation: [{ after: 3h, methods: [restart], scale: 0.5 }]",
            ..two_reinstalls()
        }
        .run();
        assert_eq!(up_at(&out, 2), Some(at(7, 0)));
    }

    #[test]
    fn the_lanes_bits_follow_their_queues() {
        use super::{Entry, Lanes};
        use std::cmp::Reverse;
        // Pushes and pops spread over every lane, in an order drawn from a
        // generator: after each step the bits say which lanes hold work,
        // and a lane is empty exactly when its bit is clear.
        let mut lanes = Lanes::new(Vec::new());
        let mut held = [0usize; Lane::ALL.len()];
        let mut x: u64 = 11;
        for seq in 0..4_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let k = (x >> 40) as usize % Lane::ALL.len();
            let lane = Lane::ALL[k];
            if (x >> 20) % 5 < 2 {
                let popped = lanes.pop(lane);
                assert_eq!(popped.is_some(), held[k] > 0, "{lane:?}");
                held[k] = held[k].saturating_sub(1);
            } else {
                let entry: Entry = ((0, seq, 0), seq, Job::App(AppId(0), Method::Restart));
                lanes.push(lane, Reverse(entry));
                held[k] += 1;
            }
            let expected = held
                .iter()
                .enumerate()
                .fold(0u8, |bits, (i, &n)| bits | (u8::from(n > 0) << i));
            assert_eq!(lanes.with_work(), expected);
            for (i, &l) in Lane::ALL.iter().enumerate() {
                assert_eq!(lanes.is_empty(l), held[i] == 0);
                assert_eq!(lanes.peek(l).is_some(), held[i] > 0);
            }
        }
        // Reused for the next run: every lane empty again.
        let lanes = Lanes::new(lanes.into_inner());
        assert_eq!(lanes.with_work(), 0);
    }

    #[test]
    fn a_ready_queue_pops_in_the_order_of_one_heap() {
        use super::{Entry, ReadyQueue};
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        // Runs in order, entries out of order, pops in between: the same
        // entries as one heap, in the same order.
        let mut x: u64 = 7;
        let (mut queue, mut heap) = (ReadyQueue::default(), BinaryHeap::new());
        for seq in 0..2_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let time = if x >> 62 == 0 { (x >> 40) % 50 } else { seq };
            let entry: Entry = ((x >> 63, time, 0), seq, Job::App(AppId(0), Method::Restart));
            queue.push(Reverse(entry));
            heap.push(Reverse(entry));
            if (x >> 33).is_multiple_of(3) {
                assert_eq!(queue.peek(), heap.peek());
                assert_eq!(queue.pop(), heap.pop());
            }
        }
        while let Some(e) = heap.pop() {
            assert_eq!(queue.pop(), Some(e));
        }
        assert!(queue.is_empty());
        assert_eq!(queue.pop(), None);
    }

    #[test]
    fn every_job_has_its_lane_and_every_lane_its_own_slot() {
        let mut slots: Vec<usize> = Lane::ALL.iter().map(|l| l.index()).collect();
        slots.sort_unstable();
        assert_eq!(slots, (0..Lane::ALL.len()).collect::<Vec<_>>());
        for m in Method::ALL {
            assert_eq!(Job::App(AppId(0), m).lane(), Lane::app(m));
            assert_eq!(Lane::app(m).method(), Some(m));
            assert_eq!(Lane::app(m).automated(), m.automated());
            assert_eq!(Lane::app(m).index(), m.ordinal() as usize);
        }
        assert_eq!(Job::Patch(HostId(0)).lane(), Lane::Hosts);
        assert_eq!(Job::Host(HostId(0)).lane(), Lane::Hosts);
        assert_eq!(Lane::Hosts.skill(), Some(Method::Rebuild));
        // Restarting after a rebuild is a restart, under the restart cap.
        assert_eq!(Lane::Rebuild.skill(), Some(Method::Restart));
        assert_eq!(Lane::Rebuild.cap_method(), Some(Method::Restart));
        assert_eq!(Lane::Reinstall.skill(), Some(Method::Reinstall));
        assert_eq!(Lane::Go.skill(), None);
    }
}
