//! The calibrated 2018 scenario reproduces the press release of
//! 28 December 2018 (docs/design.md), through the CLI, over 101 seeds.

use crate::hvsim_json;

use jiff::Timestamp;
use serde_json::Value;

const SEEDS: u64 = 101;

fn ts(text: &str) -> Timestamp {
    text.parse().expect("RFC 3339 date")
}

fn run(seed: u64) -> Value {
    hvsim_json(&["run", "--json", "--seed", &seed.to_string()])
}

/// Whether an app (a JSON record) was up at `t`.
fn up_at(app: &Value, t: Timestamp) -> bool {
    !app["outages"].as_array().expect("outages").iter().any(|o| {
        let down = ts(o["down_at"].as_str().expect("down_at"));
        let up = o["up_at"].as_str().map(ts);
        down <= t && up.is_none_or(|u| t < u)
    })
}

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

#[test]
fn the_2018_scenario_reproduces_the_press_release() {
    let runs: Vec<Value> = (1..=SEEDS).map(run).collect();
    let internet = |doc: &Value| -> Vec<Value> {
        doc["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .filter(|a| {
                a["tags"]
                    .as_array()
                    .expect("tags")
                    .iter()
                    .any(|t| t == "internet")
            })
            .cloned()
            .collect()
    };

    // The release counts 120 internet-facing applications, e-mail among them.
    for doc in &runs {
        assert_eq!(internet(doc).len(), 120);
        assert_eq!(
            doc["incidents"][1]["apps_down"], 120,
            "seed {}",
            doc["seed"]
        );
    }

    // Incident 1 (Fri 21 Dec morning) is over on Sat 22 Dec in the afternoon.
    let incident1_over: Vec<Timestamp> = runs
        .iter()
        .map(|d| {
            ts(d["incidents"][0]["milestones"]["all"]
                .as_str()
                .expect("all back"))
        })
        .collect();
    let m = median(incident1_over.clone());
    assert!(
        ts("2018-12-22T12:00:00+11:00") <= m && m <= ts("2018-12-22T18:00:00+11:00"),
        "incident 1 over at {m} in the median run"
    );
    // ... and it never touched an internet-facing app.
    for doc in &runs {
        let inc = &doc["faults"][0];
        assert!(inc["apps_down"].as_array().expect("apps").iter().all(|a| {
            let id = a.as_str().expect("id");
            id.starts_with("internal-app") || id == "ad-internal"
        }));
    }

    // No internet-facing app is up at any time on 26 Dec: each is down from
    // before 26 Dec 00:00 until after 27 Dec 00:00, without interruption.
    let (day_start, day_end) = (
        ts("2018-12-26T00:00:00+11:00"),
        ts("2018-12-27T00:00:00+11:00"),
    );
    for doc in &runs {
        for app in internet(doc) {
            let covered = app["outages"].as_array().expect("outages").iter().any(|o| {
                ts(o["down_at"].as_str().expect("down")) <= day_start
                    && o["up_at"].as_str().map(ts).is_none_or(|u| u >= day_end)
            });
            assert!(
                covered,
                "seed {}: {} was up on 26 Dec",
                doc["seed"], app["id"]
            );
        }
    }

    // Fri 28 Dec, midday: about 70 of 120 back (50 still down), e-mail among
    // those still down in most runs.
    let noon = ts("2018-12-28T12:00:00+11:00");
    let restored: Vec<usize> = runs
        .iter()
        .map(|d| internet(d).iter().filter(|a| up_at(a, noon)).count())
        .collect();
    let m = median(restored.clone());
    assert!(
        (60..=80).contains(&m),
        "median {m} restored at noon on 28 Dec: {restored:?}"
    );
    let mail_down = runs
        .iter()
        .filter(|d| {
            let mail = internet(d)
                .into_iter()
                .find(|a| a["id"] == "mail")
                .expect("mail");
            !up_at(&mail, noon)
        })
        .count();
    assert!(
        mail_down * 2 > runs.len(),
        "e-mail down at noon on 28 Dec in only {mail_down} of {} runs",
        runs.len()
    );

    // Everything is back before the horizon, in every run.
    for doc in &runs {
        assert_eq!(doc["totals"]["apps_still_down"], 0, "seed {}", doc["seed"]);
    }
}
