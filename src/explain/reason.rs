//! The reasons an app is down, and why a method did not apply.

use crate::recovery::decider::Escalation;

/// Why an app was down during an interval. Every instant of an app's
/// downtime has exactly one reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The bug that crashed its hosts had not been noticed yet (the
    /// strategy's `detection` delay from the bug's first strike).
    Detection,
    /// The bug was noticed but not yet diagnosed (the strategy's
    /// `diagnosis` delay): only HA restart acts before.
    Diagnosis,
    /// Its own VMs ran, but an app it depends on was down.
    Dependency,
    /// Its task was parked until a dependency's recovery starts
    /// (`dependency-aware` order).
    DependencyGate,
    /// Its task waited for a team member: every skilled member on shift
    /// was busy.
    Queue,
    /// Nobody with the skill was on shift (nights, weekends, holidays,
    /// absences): its task waited, or its task in progress was paused.
    Shift,
    /// Nobody in the strategy's teams has the skill its task needs.
    NoStaff,
    /// Its runbook wave had not opened (an earlier wave not settled, or
    /// the wave's go step not done).
    Runbook,
    /// The strategy's cap on tasks of its method in progress was reached.
    Cap,
    /// No room for its VMs at the DR site.
    DrRoom,
    /// The backup system, the inter-site link or the management plane was
    /// down, and its method needs it.
    Services,
    /// Its hosts had no power (a strike's `effects.power_off`): nothing
    /// on them could boot before it returned.
    Power,
    /// Its hosts were rebooting, being rebuilt or repaired before its
    /// restart.
    Hosts,
    /// Its restore waited for a free stream of the backup system.
    Stream,
    /// Its restore's data was transferring (at the backup throughput
    /// shared with the other restores).
    Transfer,
    /// A member was working on it, on shift.
    HandsOn,
    /// An automated method (HA restart, failover) was running.
    Automated,
    /// Time lost to a crash after a restart: an attempt a crash cut short,
    /// or an outage a recurrence of the bug caused after it was back.
    Recurrence,
    /// No method applied but restarting in place, unsafe while the bug
    /// can recur: it waited for a fix, a patch or the vendor's workaround.
    Fix,
    /// No method of the strategy applied.
    NoMethod,
}

impl Reason {
    /// Every reason, in the order reports list them.
    pub const ALL: [Reason; 20] = [
        Reason::Detection,
        Reason::Diagnosis,
        Reason::Dependency,
        Reason::DependencyGate,
        Reason::Queue,
        Reason::Shift,
        Reason::NoStaff,
        Reason::Runbook,
        Reason::Cap,
        Reason::DrRoom,
        Reason::Services,
        Reason::Power,
        Reason::Hosts,
        Reason::Stream,
        Reason::Transfer,
        Reason::HandsOn,
        Reason::Automated,
        Reason::Recurrence,
        Reason::Fix,
        Reason::NoMethod,
    ];

    /// Its position in [`Reason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its id in JSON documents and CSV columns.
    pub fn id(self) -> &'static str {
        match self {
            Reason::Detection => "detection",
            Reason::Diagnosis => "diagnosis",
            Reason::Dependency => "dependency",
            Reason::DependencyGate => "dependency-gate",
            Reason::Queue => "queue",
            Reason::Shift => "shift",
            Reason::NoStaff => "no-staff",
            Reason::Runbook => "runbook",
            Reason::Cap => "cap",
            Reason::DrRoom => "dr-room",
            Reason::Services => "services",
            Reason::Power => "power",
            Reason::Hosts => "hosts",
            Reason::Stream => "stream",
            Reason::Transfer => "transfer",
            Reason::HandsOn => "hands-on",
            Reason::Automated => "automated",
            Reason::Recurrence => "recurrence",
            Reason::Fix => "fix",
            Reason::NoMethod => "no-method",
        }
    }

    /// The reason in plain words, as reports print it.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Detection => "waiting for detection",
            Reason::Diagnosis => "waiting for the diagnosis",
            Reason::Dependency => "waiting for a dependency",
            Reason::DependencyGate => "held back behind a dependency",
            Reason::Queue => "queued for a team member",
            Reason::Shift => "waiting for a shift to start",
            Reason::NoStaff => "nobody has the skill",
            Reason::Runbook => "waiting for its runbook wave",
            Reason::Cap => "held by the strategy's cap",
            Reason::DrRoom => "waiting for room at the DR site",
            Reason::Services => "waiting for the backup system, link or management plane",
            Reason::Power => "waiting for power to return",
            Reason::Hosts => "waiting for its hosts to come back",
            Reason::Stream => "waiting for a backup stream",
            Reason::Transfer => "transfer time",
            Reason::HandsOn => "hands-on work",
            Reason::Automated => "automated recovery running",
            Reason::Recurrence => "lost to a crash after a restart",
            Reason::Fix => "waiting for a fix (restart unsafe)",
            Reason::NoMethod => "no applicable method",
        }
    }

    /// The reason for a reason id, if it is one.
    pub fn from_id(id: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.id() == id)
    }
}

/// Why one of the strategy's methods did not apply when an app's method
/// was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotApplicable {
    /// The app's `work` does not name the method.
    NoWork,
    /// A VM of the app is corrupted (restart, HA restart, rebuild need its
    /// disks).
    Corrupted,
    /// A bug that struck its hosts can recur and the strategy does not
    /// restart despite recurrence.
    RecurrenceRisk,
    /// The bug was not diagnosed yet.
    Undiagnosed,
    /// The management plane was down.
    ManagementPlane,
    /// The link between the sites was down.
    Link,
    /// The backup system was down.
    Backup,
    /// The strategy has no DR site.
    NoDrSite,
    /// The scenario has no `backup` section.
    NoBackup,
    /// The scenario has no `replication` section.
    NoReplication,
    /// A strike deleted its replica (`effects.replica_loss`).
    ReplicaLost,
    /// The strategy has no `rebuild_to` build.
    NoRebuildTarget,
    /// No room for its VMs on another up host of their cluster.
    NoRoom,
    /// The app had escalated past it.
    Escalated(Escalation),
}

impl NotApplicable {
    /// Its id in JSON documents.
    pub fn id(self) -> &'static str {
        match self {
            NotApplicable::NoWork => "no-work",
            NotApplicable::Corrupted => "corrupted",
            NotApplicable::RecurrenceRisk => "recurrence-risk",
            NotApplicable::Undiagnosed => "undiagnosed",
            NotApplicable::ManagementPlane => "management-plane-down",
            NotApplicable::Link => "link-down",
            NotApplicable::Backup => "backup-down",
            NotApplicable::NoDrSite => "no-dr-site",
            NotApplicable::NoBackup => "no-backup",
            NotApplicable::NoReplication => "no-replication",
            NotApplicable::ReplicaLost => "replica-lost",
            NotApplicable::NoRebuildTarget => "no-rebuild-target",
            NotApplicable::NoRoom => "no-room",
            NotApplicable::Escalated(Escalation::Recurrences(_)) => "escalated-after-recurrences",
            NotApplicable::Escalated(Escalation::Deadline) => "escalated-after-deadline",
        }
    }

    /// In plain words, completing "restart did not apply: ...".
    pub fn label(self) -> String {
        match self {
            NotApplicable::NoWork => "the app has no work for it".into(),
            NotApplicable::Corrupted => "its VMs are corrupted".into(),
            NotApplicable::RecurrenceRisk => "the bug may recur".into(),
            NotApplicable::Undiagnosed => "the bug was not diagnosed".into(),
            NotApplicable::ManagementPlane => "the management plane was down".into(),
            NotApplicable::Link => "the link was down".into(),
            NotApplicable::Backup => "the backup system was down".into(),
            NotApplicable::NoDrSite => "the strategy has no DR site".into(),
            NotApplicable::NoBackup => "there is no backup".into(),
            NotApplicable::NoReplication => "there is no replication".into(),
            NotApplicable::ReplicaLost => "its replica was deleted with it".into(),
            NotApplicable::NoRebuildTarget => "the strategy has no rebuild_to build".into(),
            NotApplicable::NoRoom => "no room in its cluster".into(),
            NotApplicable::Escalated(Escalation::Recurrences(n)) => {
                format!(
                    "given up after {}",
                    crate::units::counted(n as usize, "recurrence", "recurrences")
                )
            }
            NotApplicable::Escalated(Escalation::Deadline) => {
                "given up at the escalation deadline".into()
            }
        }
    }

    /// Whether a shared service being down is the cause.
    pub fn service(self) -> bool {
        matches!(
            self,
            NotApplicable::ManagementPlane | NotApplicable::Link | NotApplicable::Backup
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Reason;

    #[test]
    fn every_reason_has_its_slot_and_a_distinct_id() {
        for (i, r) in Reason::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
            assert_eq!(Reason::from_id(r.id()), Some(*r));
        }
        let mut ids: Vec<&str> = Reason::ALL.iter().map(|r| r.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Reason::ALL.len());
    }
}
