//! Recovery orders: which app a free team member takes next.
//!
//! An order maps a ready task to a sort key; the engine keeps ready tasks in
//! a heap on that key, so choosing the next one is O(log n) whatever the
//! order. Ties always fall back to the time the task became ready, then to
//! file order, so every order is deterministic.

use crate::model::{App, Method, Order};
use crate::sim::SimTime;

/// The heap key of a ready task: smaller goes first.
pub(crate) type OrderKey = (u64, u64, u32);

/// The key of `app` (at `index` in the file) for `method`, ready since `ready_at`.
pub(crate) fn order_key(
    order: Order,
    app: &App,
    index: u32,
    method: Method,
    ready_at: SimTime,
) -> OrderKey {
    let primary = match order {
        Order::Fifo => 0,
        // Higher criticality first.
        Order::Criticality => u64::from(u32::MAX - app.criticality),
        // Least expected work first: the distribution's mean, known to the
        // planner; the actual draw is not.
        Order::ShortestFirst | Order::DependencyAware => {
            app.work(method).map_or(u64::MAX, |d| d.mean().as_millis())
        }
        // Smith's rule: expected work / weight, ascending (scaled to keep
        // integer keys exact enough: ms × 1000 / criticality).
        Order::WeightedShortest => app.work(method).map_or(u64::MAX, |d| {
            let w = u128::from(d.mean().as_millis()) * 1000 / u128::from(app.criticality.max(1));
            u64::try_from(w).unwrap_or(u64::MAX)
        }),
    };
    (primary, ready_at.as_millis(), index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Dist, SimDuration};

    fn app(criticality: u32, hours: u64) -> App {
        App {
            id: "a".into(),
            group: None,
            tags: vec![],
            criticality,
            depends_on: vec![],
            dependents: vec![],
            vms: vec![],
            restart: None,
            reinstall: Some(Dist::Fixed(SimDuration::from_hours(hours))),
            ha_restart: None,
            restore: None,
            failover: None,
            data_bytes: 0,
            rto: None,
            rpo: None,
        }
    }

    #[test]
    fn orders_rank_as_documented() {
        let t0 = SimTime::ZERO;
        let t1 = SimTime::from_millis(1);
        let (big, small) = (app(10, 8), app(1, 1));
        let k = |o, a: &App, i, t| order_key(o, a, i, Method::Reinstall, t);
        // FIFO: ready time, then file order.
        assert!(k(Order::Fifo, &big, 5, t0) < k(Order::Fifo, &small, 1, t1));
        assert!(k(Order::Fifo, &big, 1, t0) < k(Order::Fifo, &small, 2, t0));
        // Criticality: the critical app first even if it became ready later.
        assert!(k(Order::Criticality, &big, 5, t1) < k(Order::Criticality, &small, 1, t0));
        // Shortest first: least mean work first.
        assert!(k(Order::ShortestFirst, &small, 5, t1) < k(Order::ShortestFirst, &big, 1, t0));
        // Smith's rule: 8h at criticality 10 (0.8h per unit) beats 1h at 1.
        assert!(
            k(Order::WeightedShortest, &big, 5, t1) < k(Order::WeightedShortest, &small, 1, t0)
        );
    }
}
