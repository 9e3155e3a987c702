//! `hvsim serve`: every endpoint over real HTTP on a loopback port (the
//! binary started with `--port 0`, its address read from its first line),
//! bad input, cancellation by a newer change and by a client that goes
//! away, saving as a new file, Ctrl-C, and a bounded load test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{hvsim, hvsim_json};

/// A server started for one test, stopped when dropped.
pub(super) struct Server {
    child: Child,
    addr: String,
}

impl Server {
    pub(super) fn start(args: &[&str]) -> Server {
        let mut child = hvsim()
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the first line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// Sends a request and returns the open connection.
    fn send(&self, method: &str, path: &str, body: &str) -> TcpStream {
        let mut s = TcpStream::connect(&self.addr).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(600))).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        s
    }

    /// The status and body of a whole request.
    fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut s = self.send(method, path, body);
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("reads the answer");
        parse(&raw)
    }

    pub(super) fn get(&self, path: &str) -> (u16, String) {
        self.request("GET", path, "")
    }

    pub(super) fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }

    /// Polls `/api/status` until `done` holds, for at most `secs`.
    fn wait_status(&self, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
        let until = Instant::now() + Duration::from_secs(secs);
        loop {
            let st = self.json("/api/status");
            if done(&st) || Instant::now() > until {
                return st;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status and body (de-chunked) of a raw HTTP/1.1 answer.
fn parse(raw: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("headers end");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    )
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The events of a server-sent event stream: (name, data).
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let name = block.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((name.to_string(), serde_json::from_str(data).ok()?))
        })
        .collect()
}

/// Reads a stream until `needle` has come (or it ends).
fn read_until(s: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn the_page_its_script_and_styles_come_from_the_binary() {
    let server = Server::start(&[]);
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(page.contains("<script src=\"/app.js\">"), "{page}");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "an outside asset"
    );
    let (status, script) = server.get("/app.js");
    assert_eq!(status, 200);
    assert!(script.contains("/api/compare"));
    assert!(!script.contains("http://") && !script.contains("https://"));
    assert_eq!(server.get("/app.css").0, 200);
    let (status, body) = server.get("/nothing-here");
    assert_eq!(status, 404, "{body}");
}

#[test]
fn scenarios_are_offered_with_their_strategies_and_levers() {
    let server = Server::start(&[]);
    let doc = server.json("/api/scenarios");
    let list = doc["scenarios"].as_array().unwrap();
    assert_eq!(
        list[0]["key"], "default",
        "the embedded 2018 scenario first"
    );
    assert!(list.len() >= 7, "{}", list.len());
    for s in list {
        assert!(s["error"].is_null(), "{s}");
        assert!(!s["strategies"].as_array().unwrap().is_empty());
    }
    let levers = list[0]["levers"].as_array().unwrap();
    let dtsi = levers.iter().find(|l| l["id"] == "staff:dtsi").unwrap();
    assert_eq!(dtsi["kind"], "slider");
    assert_eq!(dtsi["path"], "teams.dtsi.members");
    assert!(levers.iter().any(|l| l["id"] == "streams"));
    assert!(
        levers
            .iter()
            .any(|l| l["id"] == "as-in-2018/restart-anyway" && l["kind"] == "switch")
    );
}

#[test]
fn a_what_if_streams_partial_results_and_ends_with_the_clis_numbers() {
    let server = Server::start(&[]);
    let (status, body) = server.get(
        "/api/compare?runs=192&seed=3&strategies=as-in-2018,restore-from-backup&set=teams.dtsi.members%3D9",
    );
    assert_eq!(status, 200, "{body}");
    let ev = events(&body);
    assert_eq!(ev[0].0, "start");
    let command = ev[0].1["command"].as_str().unwrap();
    assert_eq!(
        command,
        "hvsim compare --strategies as-in-2018,restore-from-backup --runs 192 --seed 3 --set teams.dtsi.members=9"
    );
    let progress: Vec<u64> = ev
        .iter()
        .filter(|(n, _)| n == "progress")
        .map(|(_, d)| d["done"].as_u64().unwrap())
        .collect();
    assert_eq!(progress, [64, 128], "one update per block");
    let (last, done) = ev.last().unwrap();
    assert_eq!(last, "done");
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    let mut args = words.clone();
    args.push("--json");
    let cli = crate::hvsim_json(&args);
    assert_eq!(done["compare"]["strategies"], cli["strategies"]);
    assert_eq!(done["compare"]["runs"], 192);
}

#[test]
fn bad_input_gets_the_clis_message_and_the_server_goes_on() {
    let server = Server::start(&["--max-runs", "500"]);
    let cli_error = |args: &[&str]| {
        let out = hvsim().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let bad = [
        (
            "/api/compare?set=teams.nope.members%3D3",
            Some(cli_error(&["compare", "--set", "teams.nope.members=3"])),
        ),
        (
            "/api/compare?set=teams.dtsi.members%3Dabc",
            Some(cli_error(&["compare", "--set", "teams.dtsi.members=abc"])),
        ),
        (
            "/api/compare?strategies=no-such",
            Some(cli_error(&["compare", "--strategies", "no-such"])),
        ),
        ("/api/compare?scenario=no-such", None),
        ("/api/compare?runs=0", None),
        ("/api/compare?runs=501", None),
        ("/api/compare?runs=lots", None),
        ("/api/compare?set=no-equals-sign", None),
        ("/api/replay?strategy=no-such", None),
        ("/api/replay?seed=-1", None),
    ];
    for (path, cli) in bad {
        let (status, body) = server.get(path);
        assert_eq!(status, 400, "{path}: {body}");
        let msg = serde_json::from_str::<Value>(&body).unwrap()["error"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!msg.is_empty());
        if let Some(cli) = cli {
            assert!(
                cli.contains(&msg),
                "{path}: `{msg}` is not the CLI's `{cli}`"
            );
        }
    }
    let (status, body) = server.request("POST", "/api/save", "{not json");
    assert_eq!(status, 400, "{body}");
    let (status, body) = server.request("POST", "/api/save", r#"{"scenario":"default"}"#);
    assert_eq!(status, 400, "bundled scenarios are not saved over: {body}");
    assert_eq!(server.json("/api/status")["running"], 0);
}

#[test]
fn a_newer_change_cancels_the_running_one_and_a_client_that_goes_cancels_its_run() {
    let server = Server::start(&["--max-running", "2"]);
    let heavy = "/api/compare?runs=5000&strategies=as-in-2018&client=room-1";
    let mut first = server.send("GET", heavy, "");
    let mut seen = read_until(&mut first, "event: start");
    let st = server.wait_status(300, |s| s["running"] == 1);
    assert_eq!(st["running"], 1, "{st}");
    let (status, body) = server.get("/api/compare?runs=64&strategies=as-in-2018&client=room-1");
    assert_eq!(status, 200);
    assert_eq!(events(&body).last().unwrap().0, "done");
    // To the end of the stream (its last chunk), read as a whole.
    seen.push_str(&read_until(&mut first, "\r\n0\r\n\r\n"));
    let (_, body) = parse(seen.as_bytes());
    let (last, why) = events(&body).pop().expect("events");
    assert_eq!(last, "cancelled", "{body}");
    assert_eq!(why["reason"], "replaced by a newer change");
    // A client that goes away mid-run: its run stops.
    let mut gone = server.send("GET", heavy.replace("room-1", "room-2").as_str(), "");
    read_until(&mut gone, "event: start");
    let st = server.wait_status(300, |s| s["running"] == 1);
    assert_eq!(st["running"], 1, "{st}");
    drop(gone);
    let st = server.wait_status(600, |s| s["running"] == 0 && s["waiting"] == 0);
    assert_eq!(st["running"], 0, "an abandoned run still runs: {st}");
}

#[test]
fn runs_beyond_the_limit_wait_their_turn() {
    let server = Server::start(&["--max-running", "1"]);
    let mut a = server.send(
        "GET",
        "/api/compare?runs=5000&strategies=as-in-2018&client=a",
        "",
    );
    read_until(&mut a, "event: start");
    server.wait_status(300, |s| s["running"] == 1);
    let mut b = server.send(
        "GET",
        "/api/compare?runs=64&strategies=as-in-2018&client=b",
        "",
    );
    let seen = read_until(&mut b, "event: queued");
    assert!(seen.contains("event: queued"), "{seen}");
    drop(a);
    let rest = read_until(&mut b, "event: done");
    assert!(rest.contains("event: done"), "{rest}");
}

#[test]
fn the_replay_counts_the_apps_up_of_the_clis_run_hour_by_hour() {
    let server = Server::start(&[]);
    let doc = server.json("/api/replay?strategy=restore-from-backup&seed=2");
    assert_eq!(
        doc["command"],
        "hvsim run --strategy restore-from-backup --seed 2"
    );
    let run = crate::hvsim_json(&[
        "run",
        "--strategy",
        "restore-from-backup",
        "--seed",
        "2",
        "--json",
    ]);
    let secs = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second())
    };
    let origin = secs(&doc["origin"]).expect("an origin");
    let step = doc["step_h"].as_i64().unwrap();
    let up = doc["apps_up"].as_array().unwrap();
    let total = run["apps"].as_array().unwrap().len() as u64;
    assert_eq!(
        up.first().unwrap(),
        total,
        "all up the hour of the first fault"
    );
    assert_eq!(up.last().unwrap(), total, "all back at the end");
    for (i, n) in up.iter().enumerate() {
        let t = origin + i as i64 * step * 3600;
        let down = run["apps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["outages"].as_array().unwrap().iter().any(|o| {
                    secs(&o["down_at"]).is_some_and(|d| d <= t)
                        && secs(&o["up_at"]).is_none_or(|u| t < u)
                })
            })
            .count() as u64;
        assert_eq!(n.as_u64().unwrap(), total - down, "hour {i}");
    }
    assert!(
        up.iter().any(|n| n.as_u64().unwrap() < total / 2),
        "the outage shows"
    );
    assert!(!doc["tasks"].as_array().unwrap().is_empty());
    // The levers apply to the replay too.
    let doc = server.json("/api/replay?strategy=as-in-2018&set=teams.dtsi.members%3D12");
    assert_eq!(
        doc["command"],
        "hvsim run FILE --strategy as-in-2018 --seed 1 on the scenario with teams.dtsi.members=12 saved as a file"
    );
}

#[test]
fn changes_are_saved_as_a_new_file_never_over_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("estate.yaml");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/backup-restore.yaml"),
    )
    .unwrap();
    std::fs::write(&original, &text).unwrap();
    let server = Server::start(&[original.to_str().unwrap()]);
    let body = r#"{"scenario":"given","sets":["teams.infra.members=7"]}"#;
    let saved: Vec<String> = (0..2)
        .map(|_| {
            let (status, answer) = server.request("POST", "/api/save", body);
            assert_eq!(status, 200, "{answer}");
            let v: Value = serde_json::from_str(&answer).unwrap();
            v["saved"].as_str().unwrap().to_string()
        })
        .collect();
    assert_ne!(saved[0], saved[1], "a second save takes a new name");
    assert_eq!(
        std::fs::read_to_string(&original).unwrap(),
        text,
        "the original is untouched"
    );
    for path in &saved {
        let out = hvsim().args(["validate", path]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            std::fs::read_to_string(path)
                .unwrap()
                .contains("members: 7")
        );
    }
    let (status, answer) = server.request(
        "POST",
        "/api/save",
        r#"{"scenario":"given","sets":["teams.infra.members=-3"]}"#,
    );
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        3,
        "no file for a bad change"
    );
}

#[test]
fn ctrl_c_stops_the_server_cleanly_with_runs_going() {
    let mut server = Server::start(&[]);
    let mut run = server.send("GET", "/api/compare?runs=5000&strategies=as-in-2018", "");
    read_until(&mut run, "event: start");
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let until = Instant::now() + Duration::from_secs(600);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < until, "the server did not stop");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");
    // The stream ends (with `cancelled` when the block in flight ended
    // within the grace period): it does not hang.
    read_until(&mut run, "event: cancelled");
}

/// `clients` clients for `secs` seconds, each in a loop: the scenarios,
/// a what-if it abandons after its first update, the status. Returns the
/// requests made; any failure panics.
fn load(clients: usize, secs: u64) -> (usize, u64) {
    let server = Server::start(&[]);
    let until = Instant::now() + Duration::from_secs(secs);
    let counts: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let server = &server;
                scope.spawn(move || {
                    let mut n = 0;
                    while Instant::now() < until {
                        assert_eq!(server.get("/api/scenarios").0, 200);
                        let members = 4 + (n + c) % 8;
                        let path = format!(
                            "/api/compare?runs=128&strategies=as-in-2018&client=c{c}&set=teams.dtsi.members%3D{members}"
                        );
                        let mut s = server.send("GET", &path, "");
                        let seen = read_until(&mut s, "event: start");
                        assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
                        drop(s);
                        assert_eq!(server.get("/api/status").0, 200);
                        n += 3;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let st = server.wait_status(600, |s| s["running"] == 0 && s["waiting"] == 0);
    assert_eq!(st["running"], 0, "abandoned runs still going: {st}");
    assert_eq!(st["waiting"], 0, "{st}");
    let rss = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .unwrap_or(0);
    assert!(rss < 1024 * 1024, "peak memory {rss} kB");
    // Still answers, with a run to the end.
    let (status, body) = server.get("/api/compare?runs=64&strategies=as-in-2018");
    assert_eq!(status, 200);
    assert_eq!(events(&body).last().unwrap().0, "done");
    (counts.iter().sum(), rss)
}

#[test]
fn fifty_clients_at_once_get_answers_and_leave_nothing_running() {
    let (requests, _) = load(50, 3);
    assert!(requests >= 50, "{requests}");
}

/// The 30-second version (BENCHMARKS.md): `cargo test --release --test it
/// -- --ignored serve::load_for_thirty_seconds --nocapture`.
#[test]
#[ignore]
fn load_for_thirty_seconds() {
    let (requests, rss) = load(50, 30);
    println!("50 clients for 30 s: {requests} requests, peak memory {rss} kB");
}

/// Posts `body` to `path` and reads the JSON answer with its status.
pub(super) fn post_json(server: &Server, path: &str, body: &str) -> (u16, Value) {
    let (status, text) = server.request("POST", path, body);
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}")),
    )
}

/// Posts the room's answer (`{"choice": ...}`, `{"rest": "strategy"}`,
/// ...) to session `id`, which must take it: the next stop, or the end.
pub(super) fn decide_ok(server: &Server, id: u64, answer: &str) -> Value {
    let (status, next) = post_json(server, &format!("/api/tabletop/{id}/decide"), answer);
    assert_eq!(status, 200, "{answer}: {next}");
    next
}

/// A tabletop of the 2018 scenario from `as-in-2018` with `seed`.
pub(super) fn start_tabletop(server: &Server, seed: u64) -> (u16, Value) {
    let body = format!(r#"{{"scenario": "default", "strategy": "as-in-2018", "seed": {seed}}}"#);
    post_json(server, "/api/tabletop", &body)
}

/// The answer that gives every question of `stop` the strategy's choice:
/// the stop's for all, and each app whose strategy chooses otherwise on
/// its own.
pub(super) fn strategy_answer(stop: &Value) -> Value {
    let choice = stop["strategy"].clone();
    let apps: serde_json::Map<String, Value> = stop["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["strategy"] != choice)
        .map(|r| {
            (
                r["app"].as_str().unwrap().to_string(),
                r["strategy"].clone(),
            )
        })
        .collect();
    serde_json::json!({ "choice": choice, "apps": apps })
}

/// Answers every stop with the strategy's own choice, up to the end.
pub(super) fn follow_strategy(server: &Server, mut doc: Value) -> Value {
    let id = doc["id"].as_u64().expect("an id");
    let mut n = 0;
    while doc["done"] == Value::Bool(false) {
        let (status, next) = post_json(
            server,
            &format!("/api/tabletop/{id}/decide"),
            &strategy_answer(&doc["stop"]).to_string(),
        );
        assert_eq!(status, 200, "{next}");
        doc = next;
        n += 1;
        assert!(n < 500, "the tabletop stops without end");
    }
    doc
}

#[test]
fn a_tabletop_stops_for_the_room_and_the_strategys_choices_give_the_clis_run() {
    let server = Server::start(&[]);
    let (status, first) = start_tabletop(&server, 1);
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["done"], Value::Bool(false));
    let stop = &first["stop"];
    assert_eq!(
        stop["kind"], "method",
        "the first diagnosis asks how the apps come back: {stop}"
    );
    assert!(
        stop["at"].as_str().unwrap().starts_with("2018-12-2"),
        "{stop}"
    );
    assert!(
        stop["at"].as_str().unwrap().ends_with("+11:00"),
        "local time: {stop}"
    );
    assert_eq!(stop["strategy"], "restart");
    assert!(
        stop["apps"].as_array().unwrap().len() > 10,
        "the apps of the incident: {stop}"
    );
    let waiting = first["waiting"].as_array().unwrap();
    assert!(!waiting.is_empty());
    assert!(
        waiting
            .iter()
            .all(|w| w["reason"].as_str().is_some_and(|r| !r.is_empty()))
    );
    assert!(
        !first["hosts_down"].as_array().unwrap().is_empty(),
        "{first}"
    );
    let id = first["id"].as_u64().unwrap();
    // The state is there again, unchanged.
    assert_eq!(
        server.json(&format!("/api/tabletop/{id}"))["stop"],
        first["stop"]
    );
    // A choice that is not one of the stop's is refused, with the choices.
    let (status, bad) = post_json(
        &server,
        &format!("/api/tabletop/{id}/decide"),
        r#"{"choice": "teleport"}"#,
    );
    assert_eq!(status, 400);
    let msg = bad["error"].as_str().unwrap();
    assert!(
        msg.contains("\"teleport\"")
            && msg.contains("\"restart\"")
            && msg.contains("\"reinstall\""),
        "{msg}"
    );
    let (status, bad) = post_json(
        &server,
        &format!("/api/tabletop/{id}/decide"),
        r#"{"pick": 1}"#,
    );
    assert_eq!(status, 400, "{bad}");
    assert!(bad["error"].as_str().unwrap().contains("pick"), "{bad}");
    let (status, _) = post_json(
        &server,
        "/api/tabletop/999999/decide",
        r#"{"choice": "restart"}"#,
    );
    assert_eq!(status, 404);
    // The strategy's own choice at every stop is `hvsim run`'s run.
    let end = follow_strategy(&server, first);
    let cli = hvsim_json(&["run", "--strategy", "as-in-2018", "--seed", "1", "--json"]);
    assert_eq!(
        end["room"], cli,
        "the room that follows the strategy runs the CLI's run"
    );
    let rows = end["compare"].as_array().unwrap();
    assert_eq!(rows[0]["who"], "the room");
    assert_eq!(rows.len(), 1 + 7, "the room and each strategy");
    let as_in = rows.iter().find(|r| r["who"] == "as-in-2018").unwrap();
    assert_eq!(as_in["incidents"], rows[0]["incidents"]);
    assert_eq!(as_in["objectives"], rows[0]["objectives"]);
}

#[test]
fn a_saved_tabletop_session_replays_to_the_same_end() {
    let server = Server::start(&[]);
    let (_, first) = start_tabletop(&server, 3);
    let id = first["id"].as_u64().unwrap();
    // The room reinstalls where the strategy restarts, then the
    // strategy decides the rest.
    let second = decide_ok(&server, id, r#"{"choice": "reinstall"}"#);
    assert_eq!(second["decisions"], 1);
    let end = decide_ok(&server, id, r#"{"rest": "strategy"}"#);
    assert_eq!(end["done"], Value::Bool(true));
    let cli = hvsim_json(&["run", "--strategy", "as-in-2018", "--seed", "3", "--json"]);
    assert_ne!(end["room"], cli, "reinstalling incident 1 is another run");
    let (status, saved) = server.get(&format!("/api/tabletop/{id}/session"));
    assert_eq!(status, 200);
    let file: Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(file["decisions"][0]["choice"], "reinstall");
    assert_eq!(file["decisions"][0]["stop"], "method");
    // Replayed (uploaded) it ends the same, bit for bit.
    let (status, replayed) = post_json(&server, "/api/tabletop", &saved);
    assert_eq!(status, 200, "{replayed}");
    assert_eq!(replayed["room"], end["room"]);
    assert_eq!(replayed["compare"], end["compare"]);
    // A tampered file is refused with the decision named.
    let tampered = saved.replace("\"reinstall\"", "\"failover\"");
    let (status, bad) = post_json(&server, "/api/tabletop", &tampered);
    assert_eq!(status, 400, "{bad}");
    assert!(
        bad["error"].as_str().unwrap().starts_with("decision 1:"),
        "{bad}"
    );
    let (status, bad) = post_json(&server, "/api/tabletop", r#"{"strategy": "nope"}"#);
    assert_eq!(status, 400, "{bad}");
    assert!(bad["error"].as_str().unwrap().contains("nope"), "{bad}");
}

#[test]
fn the_vendors_workaround_and_fix_are_levers_that_change_the_run() {
    let server = Server::start(&[]);
    let doc = server.json("/api/scenarios");
    let levers = doc["scenarios"][0]["levers"].as_array().unwrap().clone();
    let lever = |id: &str| {
        levers
            .iter()
            .find(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("no lever {id}"))["sets"][0]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Only the bug that can recur has them.
    assert!(
        !levers
            .iter()
            .any(|l| l["id"] == "vendor:socle-2018-a:workaround")
    );
    for set in [
        lever("vendor:socle-2018-b:workaround"),
        lever("vendor:socle-2018-b:fix"),
    ] {
        let args = [
            "run",
            "--strategy",
            "restart-anyway",
            "--seed",
            "1",
            "--json",
        ];
        let base = hvsim_json(&args);
        let path = format!(
            "/api/replay?strategy=restart-anyway&seed=1&set={}",
            set.replace('%', "%25")
                .replace(' ', "%20")
                .replace('{', "%7B")
                .replace('}', "%7D")
                .replace('=', "%3D")
        );
        let changed = server.json(&path);
        let outages = |apps: &Value| {
            apps.as_array()
                .unwrap()
                .iter()
                .map(|a| a["outages"].as_array().unwrap().len())
                .sum::<usize>()
        };
        let base_outages: usize = base["apps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["outages"].as_array().unwrap().len())
            .sum();
        assert!(
            outages(&changed["apps"]) < base_outages,
            "{set}: restarting anyway, the vendor's help ends the recurrences sooner"
        );
    }
}

#[test]
fn the_replay_says_why_in_explains_words_and_restarted_hosts_come_back() {
    let server = Server::start(&[]);
    let doc = server.json("/api/replay?strategy=as-in-2018&seed=1");
    let explained = hvsim_json(&[
        "explain",
        "--strategy",
        "as-in-2018",
        "--seed",
        "1",
        "--json",
    ]);
    let secs = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second())
            .expect("a time")
    };
    let origin = secs(&doc["origin"]);
    let replay_apps = doc["apps"].as_array().unwrap();
    let mut checked = 0;
    for app in explained["apps"].as_array().unwrap() {
        let shown = replay_apps.iter().find(|a| a["id"] == app["id"]).unwrap();
        let intervals: Vec<&Value> = app["outages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| o["intervals"].as_array().unwrap())
            .filter(|iv| iv["ms"].as_u64() > Some(0))
            .collect();
        let reasons = shown["reasons"].as_array().unwrap();
        assert_eq!(reasons.len(), intervals.len(), "{}", app["id"]);
        for (r, iv) in reasons.iter().zip(intervals) {
            let from = (secs(&iv["from"]) - origin) as f64 / 3600.0;
            assert!(
                (r[0].as_f64().unwrap() - from).abs() < 1e-3,
                "{}: {r} {iv}",
                app["id"]
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
    // Incident 1's hosts are restarted in place: each comes back.
    let hosts = doc["hosts"].as_array().unwrap();
    let internal: Vec<&Value> = hosts
        .iter()
        .filter(|h| h["id"].as_str().unwrap().starts_with("esx-int"))
        .collect();
    assert!(!internal.is_empty());
    for h in internal {
        for down in h["down"].as_array().unwrap() {
            assert!(
                down[1].is_number(),
                "{h}: struck until the end although restarted in place"
            );
        }
    }
}
