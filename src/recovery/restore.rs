//! `restore`: a member's setup, then a data transfer from the backup
//! system at the DR site, sharing its throughput with the other restores
//! (processor sharing). Applies with a DR site, a `backup` section, the
//! backup system and the link up; loses the data since the last backup.

use std::collections::VecDeque;

use crate::metrics::{DataLoss, TransferRecord};
use crate::model::{AppId, Method};
use crate::run::{CLASS_OTHER, Cx, Ev, SimError, trace};
use crate::sim::{EventId, SimDuration, SimTime};

use super::{Decider, Recovery};
use crate::run::world::Phase;

/// Restores sharing the backup system's throughput (processor sharing).
///
/// With `k` transfers active each progresses at `1/k` of the full rate.
/// Instead of updating every remaining size when `k` changes, the pool
/// keeps a virtual clock `virt` (ms of full-rate service each active
/// transfer has received) advancing at `1/k` per ms; a transfer that joins
/// at virtual time `v` with `s` ms of full-rate work finishes when the
/// virtual clock reaches `v + s`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Transfers {
    /// (app, virtual finish, record index).
    active: Vec<(AppId, f64, usize)>,
    waiting: VecDeque<(AppId, usize)>,
    virt: f64,
    last: SimTime,
    event: Option<EventId>,
}

/// Whether a restore can start now.
pub(super) fn applicable<D: Decider>(e: &Recovery<'_, '_, D>) -> bool {
    e.st.dr_site.is_some() && e.sc.backup.is_some() && e.faults.backup_available()
}

/// The data a restore loses: everything written since the last backup
/// before the app broke (everything without a backup).
pub(super) fn data_loss<D: Decider>(e: &Recovery<'_, '_, D>, a: AppId) -> DataLoss {
    let broken_at = e.world.apps[a.index()].broken_at;
    match &e.sc.backup {
        Some(b) => DataLoss::Since(b.data_loss(broken_at)),
        None => DataLoss::All,
    }
}

impl<D: Decider> Recovery<'_, '_, D> {
    /// Brings the pool's virtual clock up to `now`.
    pub(crate) fn advance_transfers(&mut self, now: SimTime) {
        if !self.faults.backup_available() {
            // Paused: no progress while the backup system or the link is down.
            self.recovery.transfers.last = now;
            return;
        }
        let pool = &mut self.recovery.transfers;
        let k = pool.active.len();
        if k > 0 {
            pool.virt += now.saturating_since(pool.last).as_millis() as f64 / k as f64;
        }
        pool.last = now;
    }

    /// (Re)schedules the completion of the transfer that finishes first.
    pub(crate) fn schedule_transfer(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        let paused = !self.faults.backup_available();
        let pool = &mut self.recovery.transfers;
        if let Some(ev) = pool.event.take() {
            cx.sched.cancel(ev);
        }
        if paused {
            return Ok(());
        }
        let k = pool.active.len() as f64;
        if let Some(first) = pool.active.iter().map(|x| x.1).min_by(f64::total_cmp) {
            let ms = ((first - pool.virt) * k).max(0.0).round() as u64;
            pool.event = Some(cx.sched.schedule_in(
                SimDuration::from_millis(ms),
                CLASS_OTHER,
                Ev::TransferDone,
            )?);
        }
        Ok(())
    }

    pub(crate) fn start_transfer(&mut self, now: SimTime, a: AppId, record: usize) {
        let bytes = self.sc.apps[a.index()].data_bytes;
        let per_ms = self.sc.backup.as_ref().map_or(1.0, |b| b.bytes_per_ms);
        let service = bytes as f64 / per_ms;
        let finish = self.recovery.transfers.virt + service;
        self.recovery.transfers.active.push((a, finish, record));
        self.out.transfers[record].start = Some(now);
        trace!(
            now,
            "transfer of {} from backup starts ({} in progress)",
            self.sc.apps[a.index()].id,
            self.recovery.transfers.active.len()
        );
    }

    pub(crate) fn request_transfer(&mut self, cx: &mut Cx<'_>, a: AppId) -> Result<(), SimError> {
        let now = cx.now;
        self.world.set_phase(a, Phase::Transfer);
        let record = self.out.transfers.len();
        self.out.transfers.push(TransferRecord {
            app: a,
            bytes: self.sc.apps[a.index()].data_bytes,
            queued: now,
            start: None,
            end: None,
        });
        let streams = self.sc.backup.as_ref().map_or(1, |b| b.streams) as usize;
        self.advance_transfers(now);
        if self.recovery.transfers.active.len() < streams {
            self.start_transfer(now, a, record);
            self.schedule_transfer(cx)?;
        } else {
            self.recovery.transfers.waiting.push_back((a, record));
        }
        Ok(())
    }

    pub(crate) fn transfer_done(&mut self, cx: &mut Cx<'_>) -> Result<(), SimError> {
        let now = cx.now;
        self.recovery.transfers.event = None;
        self.advance_transfers(now);
        let Some(i) = self
            .recovery
            .transfers
            .active
            .iter()
            .enumerate()
            .min_by(|x, y| x.1.1.total_cmp(&y.1.1))
            .map(|(i, _)| i)
        else {
            return Ok(());
        };
        let (a, finish, record) = self.recovery.transfers.active.remove(i);
        // Exactly the fluid model's instant, up to rounding to the ms.
        self.recovery.transfers.virt = self.recovery.transfers.virt.max(finish);
        self.out.transfers[record].end = Some(now);
        let n = &mut self.recovery.running[Method::Restore];
        *n = n.saturating_sub(1);
        self.recovered(now, a, Method::Restore);
        let streams = self.sc.backup.as_ref().map_or(1, |b| b.streams) as usize;
        while self.recovery.transfers.active.len() < streams
            && let Some((next, rec)) = self.recovery.transfers.waiting.pop_front()
        {
            self.start_transfer(now, next, rec);
        }
        self.schedule_transfer(cx)
    }
}
