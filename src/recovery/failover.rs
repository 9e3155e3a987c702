//! `failover`: the app fails over to its replica at the DR site
//! (automated, elapsed time). Applies with a DR site, a `replication`
//! section, the link and the management plane up, and a replica no strike
//! deleted (`effects.replica_loss`); loses the replica's lag, drawn per
//! failover.

use super::{Decider, Recovery};
use crate::metrics::DataLoss;
use crate::model::{AppId, Method};
use crate::sim::{Purpose, SimTime};

/// Whether a failover can start now.
pub(super) fn applicable<D: Decider>(e: &Recovery<'_, '_, D>, now: SimTime, a: AppId) -> bool {
    e.st.dr_site.is_some()
        && e.sc.replication.is_some()
        && !e.world.apps[a.index()].replica_lost
        && e.faults.link_up()
        && e.faults.management_available(now)
}

/// The data a failover loses: the replica's lag, drawn per attempt.
pub(super) fn data_loss<D: Decider>(e: &Recovery<'_, '_, D>, a: AppId) -> DataLoss {
    let m = Method::Failover;
    let attempt = u64::from(e.world.apps[a.index()].attempts[m.ordinal() as usize]);
    let index = (u64::from(a.0) << 24) | attempt.min((1 << 24) - 1);
    let mut rng = e.rng.stream(Purpose::Replication, index);
    match &e.sc.replication {
        Some(r) => DataLoss::Since(r.lag.sample(&mut rng)),
        None => DataLoss::All,
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::testing::Tiny;
    use crate::model::Method;

    /// Every VM corrupted, a replica to fail over to, and the choice of
    /// failover or a reinstall.
    fn replicated(effects: &'static str) -> Tiny {
        Tiny {
            work: "{ failover: 5m, reinstall: 2h }",
            corrupt: 1.0,
            effects,
            sections: "replication: { lag: 1m }",
            methods: "[failover, reinstall]",
            ..Tiny::default()
        }
    }

    #[test]
    fn a_replica_fails_over() {
        let (_, out) = replicated("").run();
        assert_eq!(out.apps[0].method, Some(Method::Failover));
    }

    #[test]
    fn a_delete_that_reaches_the_replicas_rules_failover_out() {
        let (_, out) = replicated(", replica_loss: true").run();
        assert_eq!(out.apps[0].method, Some(Method::Reinstall));
    }
}
