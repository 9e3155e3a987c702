//! The tabletop's grouped stops: the questions of one kind at one
//! instant are one stop, a table of the apps each with its own choices;
//! the room answers a choice for all and overrides app by app, and undo
//! takes the whole stop back. Grouping changes what the room sees, not
//! the run: the same questions are asked as one by one, and the
//! strategy's answers give `hvsim run`'s run.

use serde_json::{Value, json};

use super::serve::{Server, decide_ok, post_json, strategy_answer};
use crate::{hvsim, hvsim_json};

/// Starts a 2018 tabletop from `as-in-2018` with seed 1 (`one_by_one`:
/// every question its own stop), hands which task next over to the
/// strategy (so that only the room's method and restart questions stop),
/// and answers every stop with the strategy's choices: the stops seen,
/// as (when, kind, the apps asked), and the end.
fn walk(server: &Server, one_by_one: bool) -> (Vec<(String, String, Vec<String>)>, Value) {
    let body = json!({"scenario": "default", "strategy": "as-in-2018", "seed": 1, "one_by_one": one_by_one});
    let (status, mut doc) = post_json(server, "/api/tabletop", &body.to_string());
    assert_eq!(status, 200, "{doc}");
    let id = doc["id"].as_u64().unwrap();
    doc = decide_ok(server, id, r#"{"rest": "which-next"}"#);
    let mut stops = Vec::new();
    while doc["done"] == Value::Bool(false) {
        let stop = &doc["stop"];
        let apps: Vec<String> = stop["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["app"].as_str().unwrap().to_string())
            .collect();
        stops.push((
            stop["at"].as_str().unwrap().to_string(),
            stop["kind"].as_str().unwrap().to_string(),
            apps,
        ));
        doc = decide_ok(server, id, &strategy_answer(stop).to_string());
        assert!(stops.len() < 1000, "the tabletop stops without end");
    }
    (stops, doc)
}

#[test]
fn a_grouped_stop_asks_exactly_the_questions_of_its_instant_and_the_strategys_answers_run_the_cli_run()
 {
    let server = Server::start(&[]);
    let (one_by_one, end_one) = walk(&server, true);
    let (grouped, end_grouped) = walk(&server, false);
    assert!(
        one_by_one.iter().all(|(_, _, apps)| apps.len() == 1),
        "one by one, each stop asks about one app"
    );
    assert!(
        grouped.len() < one_by_one.len() && grouped.iter().any(|(_, _, apps)| apps.len() > 10),
        "grouped, dozens of apps are one stop: {} stops against {}",
        grouped.len(),
        one_by_one.len()
    );
    // Each grouped stop lists, in order, exactly the apps asked one by
    // one at its instant and of its kind; together they are every
    // question asked.
    let mut asked = one_by_one.clone();
    for (at, kind, apps) in &grouped {
        let same: Vec<String> = asked
            .iter()
            .filter(|(a, k, _)| a == at && k == kind)
            .map(|(_, _, apps)| apps[0].clone())
            .collect();
        assert_eq!(&same, apps, "the {kind} stop at {at}");
        asked.retain(|(a, k, _)| !(a == at && k == kind));
    }
    assert!(asked.is_empty(), "asked one by one only: {asked:?}");
    // The strategy's answers, grouped or not, are `hvsim run`'s run,
    // document for document.
    let cli = hvsim_json(&["run", "--strategy", "as-in-2018", "--seed", "1", "--json"]);
    assert_eq!(end_one["room"], cli);
    assert_eq!(end_grouped["room"], cli);
}

#[test]
fn overrides_change_exactly_the_overridden_apps_and_undo_takes_the_stop_back() {
    let server = Server::start(&[]);
    let body = r#"{"scenario": "default", "strategy": "as-in-2018", "seed": 1}"#;
    let (_, first) = post_json(&server, "/api/tabletop", body);
    let id = first["id"].as_u64().unwrap();
    let stop = &first["stop"];
    let rows = stop["rows"].as_array().unwrap();
    assert!(rows.len() > 10, "{stop}");
    assert_eq!(stop["apps"].as_array().unwrap().len(), rows.len());
    for r in rows {
        assert_eq!(r["strategy"], "restart", "{r}");
        assert!(
            r["options"]
                .as_array()
                .unwrap()
                .contains(&json!("reinstall"))
        );
        assert!(r["waits"].as_str().is_some_and(|w| !w.is_empty()), "{r}");
    }
    let names: Vec<&str> = rows.iter().map(|r| r["app"].as_str().unwrap()).collect();
    let (x, y) = (names[1], names[names.len() - 1]);

    // An override must name an app of the stop and one of its choices.
    let path = format!("/api/tabletop/{id}/decide");
    let (status, bad) = post_json(
        &server,
        &path,
        r#"{"choice": "restart", "apps": {"nosuchapp": "reinstall"}}"#,
    );
    assert_eq!(status, 400, "{bad}");
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("`nosuchapp` is not asked about"),
        "{bad}"
    );
    let wrong = json!({"choice": "restart", "apps": {x: "teleport"}});
    let (status, bad) = post_json(&server, &path, &wrong.to_string());
    assert_eq!(status, 400, "{bad}");
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains(&format!("apps: {x}: \"teleport\"")),
        "{bad}"
    );
    assert_eq!(
        server.json(&format!("/api/tabletop/{id}"))["decisions"],
        0,
        "refused, the session stays"
    );

    // Restart for all but two apps, which are reinstalled.
    let answer = json!({"choice": "restart", "apps": {x: "reinstall", y: "reinstall"}});
    let second = decide_ok(&server, id, &answer.to_string());
    assert_eq!(second["decisions"], 1);
    // Undo takes the whole stop back: every app of it is asked again.
    let back = decide_ok(&server, id, r#"{"undo": true}"#);
    assert_eq!(back["decisions"], 0);
    assert_eq!(back["stop"], first["stop"]);
    decide_ok(&server, id, &answer.to_string());
    let end = decide_ok(&server, id, r#"{"rest": "strategy"}"#);
    let room = &end["room"];
    let cli = hvsim_json(&["run", "--strategy", "as-in-2018", "--seed", "1", "--json"]);
    let method = |run: &Value, app: &str| {
        run["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == app)
            .unwrap()["method"]
            .clone()
    };
    for app in &names {
        let want = if *app == x || *app == y {
            json!("reinstall")
        } else {
            method(&cli, app)
        };
        assert_eq!(method(room, app), want, "{app}");
    }

    // Saved, the session holds the overrides and replays on the command
    // line to the page's run.
    let (status, saved) = server.get(&format!("/api/tabletop/{id}/session"));
    assert_eq!(status, 200);
    let file: Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(file["hvsim_tabletop"], 2);
    assert_eq!(file["decisions"][0]["choice"], "restart");
    assert_eq!(
        file["decisions"][0]["apps"],
        json!({x: "reinstall", y: "reinstall"})
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("overrides.json");
    std::fs::write(&f, &saved).unwrap();
    let p = f.to_str().unwrap();
    assert_eq!(&hvsim_json(&["run", "--decisions", p, "--json"]), room);

    // An override for an app the stop does not ask about is an error at
    // the decision.
    let tampered = saved.replacen(&format!("\"{x}\""), "\"nosuchapp\"", 1);
    std::fs::write(&f, &tampered).unwrap();
    let out = hvsim().args(["run", "--decisions", p]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let line = tampered
        .lines()
        .position(|l| l.contains("\"decisions\": ["))
        .unwrap()
        + 2;
    let at = format!("{p}:{line}:5: decisions[0]: apps: `nosuchapp` is not asked at 2018-12-22");
    assert!(err.contains(&at), "located at {at}: {err}");
}

#[test]
fn a_version_1_session_replays_with_its_grouping() {
    // Version 1 grouped the apps decided at one instant by the methods
    // they could get; its files still replay.
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("v1.json");
    let v1 = r#"{"hvsim_tabletop": 1, "scenario": "default", "strategy": "as-in-2018", "seed": 3,
        "decisions": [{"stop": "method", "choice": "reinstall"}], "rest_by_strategy": true}"#;
    std::fs::write(&f, v1).unwrap();
    let replayed = hvsim_json(&["run", "--decisions", f.to_str().unwrap(), "--json"]);
    let v2 = v1.replace("\"hvsim_tabletop\": 1", "\"hvsim_tabletop\": 2");
    std::fs::write(&f, v2).unwrap();
    assert_eq!(
        replayed,
        hvsim_json(&["run", "--decisions", f.to_str().unwrap(), "--json"])
    );
    let plain = hvsim_json(&["run", "--strategy", "as-in-2018", "--seed", "3", "--json"]);
    assert_ne!(replayed, plain, "the room reinstalled");
}

#[test]
fn sessions_kept_in_a_directory_survive_a_restart_of_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().unwrap();
    let body = r#"{"scenario": "default", "strategy": "as-in-2018", "seed": 3}"#;
    let (id, second) = {
        let server = Server::start(&["--sessions", d]);
        let (status, first) = post_json(&server, "/api/tabletop", body);
        assert_eq!(status, 200, "{first}");
        let id = first["id"].as_u64().unwrap();
        let second = decide_ok(&server, id, r#"{"choice": "reinstall"}"#);
        (id, second)
    };
    // The file is the session as the page saves it: the command line
    // replays it.
    let file = dir.path().join(format!("tabletop-{id}.json"));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["decisions"][0]["choice"], "reinstall");
    // Another server on the same directory finds the session where it
    // was, goes on with it, and numbers new sessions after it.
    let server = Server::start(&["--sessions", d]);
    let again = server.json(&format!("/api/tabletop/{id}"));
    assert_eq!(again["stop"], second["stop"]);
    assert_eq!(again["decisions"], 1);
    let end = decide_ok(&server, id, r#"{"rest": "strategy"}"#);
    let f = file.to_str().unwrap();
    assert_eq!(
        hvsim_json(&["run", "--decisions", f, "--json"]),
        end["room"]
    );
    let (_, other) = post_json(&server, "/api/tabletop", body);
    assert!(other["id"].as_u64().unwrap() > id, "{other}");
    // Without the directory, a restart forgets.
    drop(server);
    let server = Server::start(&[]);
    let (status, _) = server.get(&format!("/api/tabletop/{id}"));
    assert_eq!(status, 404);
}
