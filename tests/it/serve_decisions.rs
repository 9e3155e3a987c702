//! The tabletop's "which app next" (every task that could start is
//! offered, the strategy's first) and `hvsim run --decisions FILE`: a
//! session saved through the page's API, replayed on the command line,
//! gives the page's run; a file that does not fit the scenario is an
//! error at its place in the file.

use serde_json::Value;

use super::serve::{Server, decide_ok, start_tabletop, strategy_answer};
use crate::{hvsim, hvsim_json};

/// Answers the strategy's choice until a `task` stop (at most `max`).
fn to_a_task_stop(server: &Server, mut doc: Value, max: usize) -> Value {
    let id = doc["id"].as_u64().expect("an id");
    for _ in 0..max {
        assert_eq!(doc["done"], Value::Bool(false), "no task stop: {doc}");
        if doc["stop"]["kind"] == "task" {
            return doc;
        }
        doc = decide_ok(server, id, &strategy_answer(&doc["stop"]).to_string());
    }
    panic!("no task stop in {max} stops");
}

/// `hvsim run ARGS`: its exit code, stdout and stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = hvsim().args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle} in {text}"))
        + 1
}

#[test]
fn the_room_sees_every_task_that_could_start_and_the_cli_replays_its_choice() {
    let server = Server::start(&[]);
    let (status, first) = start_tabletop(&server, 3);
    assert_eq!(status, 200, "{first}");
    let doc = to_a_task_stop(&server, first, 40);
    let stop = &doc["stop"];
    let options = stop["options"].as_array().unwrap();
    assert_eq!(
        options[0]["value"], stop["strategy"],
        "the strategy's first"
    );
    for o in options {
        assert!(o["lane"].as_str().is_some_and(|l| !l.is_empty()), "{o}");
        assert!(o["waits"].as_str().is_some_and(|w| !w.is_empty()), "{o}");
    }
    let mut lanes: Vec<&str> = options
        .iter()
        .map(|o| o["lane"].as_str().unwrap())
        .collect();
    lanes.sort_unstable();
    lanes.dedup();
    assert!(
        options.len() > lanes.len(),
        "more than the first task of each lane is offered: {options:?}"
    );
    // The room starts the last task offered, then the strategy decides
    // the rest.
    let id = doc["id"].as_u64().unwrap();
    let pick = options.last().unwrap()["value"].clone();
    decide_ok(
        &server,
        id,
        &serde_json::json!({ "choice": pick }).to_string(),
    );
    let end = decide_ok(&server, id, r#"{"rest": "strategy"}"#);
    assert_eq!(end["done"], Value::Bool(true));
    let plain = hvsim_json(&["run", "--strategy", "as-in-2018", "--seed", "3", "--json"]);
    assert_ne!(end["room"], plain, "the room's order is another run");
    // Saved through the API, replayed by `hvsim run --decisions`: the
    // page's run.
    let (status, saved) = server.get(&format!("/api/tabletop/{id}/session"));
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("session.json");
    std::fs::write(&file, &saved).unwrap();
    let f = file.to_str().unwrap();
    let cli = hvsim_json(&["run", "--decisions", f, "--json"]);
    assert_eq!(cli, end["room"], "the CLI replays the page's run");
    let (code, text, err) = run(&["run", "--decisions", f]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("as-in-2018"), "the report of the run: {text}");

    // What does not fit is an error at its place in the file.
    let last = saved.matches("\"stop\":").count() - 1;
    let tampered = saved.replace(pick.as_str().unwrap(), "nosuchapp by restart");
    std::fs::write(&file, &tampered).unwrap();
    let (code, _, err) = run(&["run", "--decisions", f]);
    assert_eq!(code, 2, "{err}");
    let line = tampered
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('{'))
        .nth(last + 1)
        .map(|(i, _)| i + 1)
        .unwrap();
    let at = format!("{f}:{line}:5: decisions[{last}]: ");
    assert!(err.contains(&at), "located at {at}: {err}");
    assert!(
        err.contains("\"nosuchapp by restart\" is not a choice")
            || err.contains("`\"nosuchapp by restart\"` is not a choice"),
        "{err}"
    );
    std::fs::write(&file, &saved).unwrap();
    let (code, _, err) = run(&["run", "--decisions", f, "--seed", "9"]);
    assert_eq!(code, 2);
    let at = format!("{f}:{}:3: seed: ", line_of(&saved, "\"seed\""));
    assert!(err.contains(&at) && err.contains("--seed 3"), "{at}: {err}");
    let (code, _, err) = run(&["run", "--decisions", f, "--strategy", "restore-from-backup"]);
    assert_eq!(code, 2);
    let at = format!("{f}:{}:3: strategy: ", line_of(&saved, "\"strategy\""));
    assert!(
        err.contains(&at) && err.contains("as-in-2018"),
        "{at}: {err}"
    );
    let (code, _, err) = run(&["run", "--decisions", f, "--set", "teams.dtsi.members=9"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(": sets: ") && err.contains("teams.dtsi.members=9"),
        "{err}"
    );
}

#[test]
fn the_strategys_choices_everywhere_replay_as_plain_run() {
    // A session whose every stop the strategy answers (the page's "let
    // the strategy decide the rest" at the first stop).
    let server = Server::start(&[]);
    let (_, first) = start_tabletop(&server, 1);
    let id = first["id"].as_u64().unwrap();
    let doc = to_a_task_stop(&server, first, 40);
    let choice = serde_json::json!({ "choice": doc["stop"]["strategy"] });
    decide_ok(&server, id, &choice.to_string());
    let (_, saved) = server.get(&format!("/api/tabletop/{id}/session"));
    let file: Value = serde_json::from_str(&saved).unwrap();
    assert!(
        file["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["stop"] == "task"),
        "{saved}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("strategy.json");
    std::fs::write(&path, &saved).unwrap();
    let p = path.to_str().unwrap();
    let (code, replayed, err) = run(&["run", "--decisions", p]);
    assert_eq!(code, 0, "{err}");
    let (_, plain, _) = run(&["run", "--strategy", "as-in-2018", "--seed", "1"]);
    assert_eq!(
        replayed, plain,
        "the strategy's choices are `hvsim run`'s run"
    );
}

#[test]
fn a_decisions_file_that_is_not_a_session_is_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("{\n  \"seed\": \"one\"\n}\n", ":2:", "seed: invalid type"),
        (
            "{\n  \"decisions\": [\n    {\"stop\": \"retreat\", \"choice\": 1}\n  ]\n}\n",
            ":3:",
            "decisions[0].stop: unknown variant `retreat`",
        ),
        (
            "{\n  \"hvsim_tabletop\": 7\n}\n",
            ":2:3: ",
            "hvsim_tabletop: 7: this hvsim reads tabletop sessions of version 1",
        ),
        (
            "{\n  \"strategy\": \"nope\"\n}\n",
            ":2:3: ",
            "strategy: `nope` is not a strategy",
        ),
        (
            "{\n  \"decisions\": [\n    {\"stop\": \"method\", \"choice\": \"failover\"}\n  ]\n}\n",
            ":3:5: ",
            "decisions[0]: `\"failover\"` is not a choice",
        ),
        (
            "{\n  \"decisions\": [\n    {\"stop\": \"task\", \"choice\": \"x\"}\n  ]\n}\n",
            ":3:5: ",
            "decisions[0]: it answers a `task` stop",
        ),
    ];
    for (k, (text, at, want)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad-{k}.json"));
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        let (code, out, err) = run(&["run", "--decisions", p]);
        assert_eq!(code, 2, "{text}: {out}{err}");
        let located = format!("{p}{at}");
        assert!(
            err.contains(&located) && err.contains(want),
            "{text}: expected {located}…{want}, got {err}"
        );
    }
    let (code, _, err) = run(&["run", "--decisions", "tests/no-such-session.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("tests/no-such-session.json: cannot read"),
        "{err}"
    );
}

/// The nodes of the replay's dependency graph whose apps are all up at
/// hour `t` (no outage of theirs covers it), as the page counts them.
fn nodes_up(replay: &Value, t: f64) -> usize {
    let down = |id: &str| {
        replay["apps"].as_array().unwrap().iter().any(|a| {
            a["id"] == id
                && a["outages"].as_array().unwrap().iter().any(|o| {
                    o[0].as_f64().is_some_and(|from| from <= t)
                        && o[1].as_f64().is_none_or(|to| t < to)
                })
        })
    };
    replay["graph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            !n["apps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| down(a.as_str().unwrap()))
        })
        .count()
}

#[test]
fn the_replay_sends_the_dependency_graph_laid_out_in_layers() {
    let server = Server::start(&[]);
    let replay = server.json("/api/replay?strategy=as-in-2018&seed=1");
    let graph = &replay["graph"];
    let nodes = graph["nodes"].as_array().unwrap();
    // Every app is in exactly one node, every node in exactly one layer,
    // and an edge joins a node to one of a lower layer.
    let mut apps: Vec<&str> = nodes
        .iter()
        .flat_map(|n| {
            n["apps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
        })
        .collect();
    apps.sort_unstable();
    let mut ids: Vec<&str> = replay["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(apps, ids);
    let layer_of = |n: u64| {
        graph["layers"]
            .as_array()
            .unwrap()
            .iter()
            .position(|l| l.as_array().unwrap().iter().any(|x| x.as_u64() == Some(n)))
            .unwrap_or_else(|| panic!("node {n} in no layer"))
    };
    let placed: usize = graph["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_array().unwrap().len())
        .sum();
    assert_eq!(placed, nodes.len());
    let edges = graph["edges"].as_array().unwrap();
    assert!(!edges.is_empty(), "the 2018 scenario has dependencies");
    for e in edges {
        let (from, to) = (e[0].as_u64().unwrap(), e[1].as_u64().unwrap());
        assert!(layer_of(from) > layer_of(to), "{e} goes down the layers");
    }
    // Scrubbing the cursor changes the nodes up: some are down later.
    let step = replay["step_h"].as_f64().unwrap();
    let counts: Vec<usize> = (0..replay["labels"].as_array().unwrap().len())
        .map(|i| nodes_up(&replay, i as f64 * step))
        .collect();
    assert!(counts.iter().any(|&c| c < nodes.len()), "{counts:?}");
    assert!(counts.windows(2).any(|w| w[0] != w[1]), "{counts:?}");
}

#[test]
fn the_room_may_hand_which_app_next_over_to_the_strategy() {
    let server = Server::start(&[]);
    let (_, first) = start_tabletop(&server, 1);
    let id = first["id"].as_u64().unwrap();
    let at_task = to_a_task_stop(&server, first, 40);
    let n = at_task["decisions"].as_u64().unwrap();
    // Handed over, the next stop is not a task stop, and it is at a later
    // instant (Christmas night's restart, with seed 1).
    let next = decide_ok(&server, id, r#"{"rest": "which-next"}"#);
    assert_eq!(next["decisions"], n, "handing over is not a decision");
    assert_eq!(next["done"], Value::Bool(false), "{next}");
    assert_ne!(next["stop"]["kind"], "task", "{next}");
    assert!(next["stop"]["at"].as_str() > at_task["stop"]["at"].as_str());
    // Undo takes the handing over back: the same task stop again.
    let back = decide_ok(&server, id, r#"{"undo": true}"#);
    assert_eq!(back["stop"], at_task["stop"]);
    decide_ok(&server, id, r#"{"rest": "which-next"}"#);
    let choice = strategy_answer(&next["stop"]);
    decide_ok(&server, id, &choice.to_string());
    let end = decide_ok(&server, id, r#"{"rest": "strategy"}"#);
    // The strategy's choices all along: `hvsim run`'s run, on the page and
    // replayed from the saved file.
    let plain = hvsim_json(&["run", "--strategy", "as-in-2018", "--seed", "1", "--json"]);
    assert_eq!(end["room"], plain);
    let (_, saved) = server.get(&format!("/api/tabletop/{id}/session"));
    let file: Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(file["which_next_from"], n);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("handed-over.json");
    std::fs::write(&path, &saved).unwrap();
    let cli = hvsim_json(&["run", "--decisions", path.to_str().unwrap(), "--json"]);
    assert_eq!(cli, plain);
    let (status, bad) = super::serve::post_json(
        &server,
        &format!("/api/tabletop/{id}/decide"),
        r#"{"rest": "later"}"#,
    );
    assert_eq!(status, 400);
    assert!(
        bad["error"].as_str().unwrap().contains("which-next"),
        "{bad}"
    );
}
