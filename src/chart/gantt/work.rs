//! The Gantt chart's rows of work no person does: the automated
//! recoveries (failover, HA restart) and the runbook's waves, each packed
//! into as few lanes as never overlap.

use crate::metrics::{Outcome, TaskSubject};
use crate::model::{Method, Scenario};
use crate::sim::SimTime;

/// One automated recovery of an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Automated {
    /// The app (index).
    pub app: usize,
    /// Failover or HA restart.
    pub method: Method,
    /// When its recovery started (after the diagnosis, its wave's
    /// opening and any wait for the platform: at most so many failovers
    /// at once, the management plane, the link).
    pub start: SimTime,
    /// When it was back.
    pub end: SimTime,
}

/// One runbook wave, from its go (or its first recovery) to its last app
/// back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaveSpan {
    /// The wave's name.
    pub name: String,
    /// Its apps that went down.
    pub apps: usize,
    /// When it started.
    pub start: SimTime,
    /// When its last app was back.
    pub end: SimTime,
}

/// When wave `w`'s go was given, if it was.
fn go_given(o: &Outcome, w: usize) -> Option<SimTime> {
    o.tasks
        .iter()
        .filter(|t| matches!(t.subject, TaskSubject::Go(k) if k as usize == w))
        .filter_map(|t| t.end)
        .min()
}

/// When each of the strategy's waves opened, as far as the run tells: a
/// wave opens once every earlier wave is settled (taken here as its last
/// app back) and its go is given; `None` for a wave whose go was never
/// given. The first wave without a go opens with the incident.
pub fn wave_opens(scenario: &Scenario, o: &Outcome) -> Vec<Option<SimTime>> {
    let strategy = &scenario.strategies[o.strategy.index()];
    let mut settled = SimTime::ZERO;
    let mut out = Vec::new();
    for (w, wave) in strategy.waves.iter().enumerate() {
        let open = match (&wave.go, go_given(o, w)) {
            (Some(_), None) => None,
            (_, go) => Some(go.unwrap_or(SimTime::ZERO).max(settled)),
        };
        out.push(open);
        let last_back = (0..o.apps.len())
            .filter(|&a| strategy.wave_of.get(a).is_some_and(|&k| k as usize == w))
            .filter_map(|a| o.apps[a].final_up())
            .max();
        settled = settled.max(last_back.unwrap_or(settled));
    }
    out
}

/// The run's automated recoveries, in the order of the apps: each app
/// whose last recovery was automated, from when that recovery started
/// (as the run recorded it) to when the app was back.
pub fn automated(o: &Outcome) -> Vec<Automated> {
    let mut out = Vec::new();
    for (a, app) in o.apps.iter().enumerate() {
        let Some(method) = app.method.filter(|m| m.automated()) else {
            continue;
        };
        let Some(outage) = app.outages.last() else {
            continue;
        };
        let Some(end) = outage.up_at else { continue };
        let start = app
            .automated_start
            .unwrap_or(outage.down_at)
            .clamp(outage.down_at, end);
        out.push(Automated {
            app: a,
            method,
            start,
            end,
        });
    }
    out
}

/// The strategy's waves that had an app down, each from its opening (see
/// [`wave_opens`]; for a first wave with no go, its first recovery's
/// start) to its last app back.
pub fn waves(scenario: &Scenario, o: &Outcome, automated: &[Automated]) -> Vec<WaveSpan> {
    let strategy = &scenario.strategies[o.strategy.index()];
    let opens = wave_opens(scenario, o);
    let mut out = Vec::new();
    for (w, wave) in strategy.waves.iter().enumerate() {
        let apps: Vec<usize> = (0..o.apps.len())
            .filter(|&a| strategy.wave_of.get(a).is_some_and(|&k| k as usize == w))
            .filter(|&a| o.apps[a].first_down().is_some())
            .collect();
        let first_work = o
            .tasks
            .iter()
            .filter(|t| t.app().is_some_and(|a| apps.contains(&a.index())))
            .map(|t| t.start)
            .chain(
                automated
                    .iter()
                    .filter(|x| apps.contains(&x.app))
                    .map(|x| x.start),
            )
            .min();
        let end = apps.iter().filter_map(|&a| o.apps[a].final_up()).max();
        if let (Some(start), Some(end)) =
            (opens[w].filter(|t| *t > SimTime::ZERO).or(first_work), end)
            && start < end
        {
            out.push(WaveSpan {
                name: wave.name.clone(),
                apps: apps.len(),
                start,
                end,
            });
        }
    }
    out
}

/// `spans` (start, end) packed into lanes: each, in order of start, into
/// the first lane free by then. At most `max` lanes; returns the lanes
/// (indices into `spans`) and how many spans found none.
pub fn pack(spans: &[(SimTime, SimTime)], max: usize) -> (Vec<Vec<usize>>, usize) {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| (spans[i].0, i));
    let mut lanes: Vec<Vec<usize>> = Vec::new();
    let mut free_at: Vec<SimTime> = Vec::new();
    let mut left_out = 0;
    for i in order {
        let (start, end) = spans[i];
        match free_at.iter().position(|f| *f <= start) {
            Some(k) => {
                lanes[k].push(i);
                free_at[k] = end;
            }
            None if lanes.len() < max => {
                lanes.push(vec![i]);
                free_at.push(end);
            }
            None => left_out += 1,
        }
    }
    (lanes, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_pack_into_the_first_free_lane_up_to_a_maximum() {
        let t = SimTime::from_millis;
        let spans = [(t(0), t(10)), (t(5), t(15)), (t(10), t(20)), (t(6), t(9))];
        let (lanes, left) = pack(&spans, 2);
        assert_eq!(lanes, vec![vec![0, 2], vec![1]]);
        assert_eq!(left, 1);
    }
}
