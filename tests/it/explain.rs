//! `hvsim explain` (issue 16): each app's downtime split into reasons
//! that add up to it exactly, the method chosen and why, the critical
//! chain; the command's text and JSON.

use hvsim::explain::{Explanation, Reason, explain};
use hvsim::model::Scenario;

use super::bundled_scenario_files;

/// Seeds of the sum check on the bundled scenarios.
const SEEDS: [u64; 3] = [1, 2, 17];

/// Every app's reasons add up to its downtime in the run's outcome, to the
/// millisecond; every outage's intervals cover it without gap or overlap;
/// and the explained run is `simulate`'s, bit for bit.
fn check_sums(scenario: &Scenario, strategy: &hvsim::Strategy, seed: u64) -> Explanation {
    let e = explain(scenario, strategy, seed).expect("runs");
    let plain = hvsim::simulate(scenario, strategy, seed).expect("runs");
    assert_eq!(e.outcome, plain, "{} {} seed {seed}: the same run", scenario.source, strategy.id);
    let horizon = e.outcome.horizon;
    for app in &e.apps {
        let name = &scenario.apps[app.app.index()].id;
        let downtime = e.outcome.apps[app.app.index()].downtime(horizon);
        assert_eq!(
            app.breakdown().total(),
            downtime,
            "{} {} seed {seed}: {name}'s reasons add up to its downtime",
            scenario.source,
            strategy.id
        );
        for o in &app.outages {
            let end = o.up_at.unwrap_or(horizon);
            let mut t = o.down_at;
            for iv in &o.intervals {
                assert_eq!(iv.from, t, "{name}: intervals follow each other");
                assert!(iv.to > iv.from, "{name}: no empty interval");
                t = iv.to;
            }
            assert!(o.intervals.is_empty() || t == end, "{name}: the outage is covered");
        }
    }
    e
}

#[test]
fn the_reasons_add_up_to_each_apps_downtime_on_every_bundled_scenario() {
    for file in bundled_scenario_files() {
        let scenario = Scenario::from_path(&file).expect("loads");
        for strategy in &scenario.strategies {
            for seed in SEEDS {
                check_sums(&scenario, strategy, seed);
            }
        }
    }
}

#[test]
fn the_2018_incident_is_mostly_waiting() {
    let scenario = hvsim::scenario::load_default().expect("loads");
    let e = check_sums(&scenario, scenario.default_strategy(), 1);
    let total = e.total_breakdown();
    for (r, d) in total.ranked() {
        eprintln!("{:40} {} {:.1}%", r.label(), d, 100.0 * total.share(r));
    }
    assert!(total.get(Reason::Queue) > hvsim::sim::SimDuration::ZERO);
}
