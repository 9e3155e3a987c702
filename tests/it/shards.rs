//! `hvsim merge` refuses what does not belong together and survives hostile
//! shard files (issue 13): shards of different runs (scenario content,
//! seed, runs, strategies), a shard given twice, forged histogram headers,
//! devices and pipes, oversized files and tampered counts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::hvsim;

/// `tests/fixtures/exp-queue.yaml` with `members` engineers and a second
/// strategy `other` whose order is `order`.
fn scenario(dir: &Path, file: &str, members: u32, order: &str) -> PathBuf {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exp-queue.yaml"),
    )
    .expect("fixture");
    let text = base
        .replace(
            "{ id: t, members: 4,",
            &format!("{{ id: t, members: {members},"),
        )
        .replace(
            "order: fifo }",
            &format!(
                "order: fifo }}\n  - {{ id: other, detection: 0s, diagnosis: 0s, methods: [reinstall], order: {order} }}"
            ),
        );
    assert_ne!(text, base, "the fixture changed: update this test");
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write scenario");
    path
}

/// Runs `hvsim compare SCENARIO --shard SHARD --out OUT ARGS`, which must
/// succeed, and returns OUT. `--runs 130 --seed 3` unless ARGS say otherwise.
fn shard(scenario: &Path, shard: &str, out: PathBuf, args: &[&str]) -> PathBuf {
    let mut cmd = hvsim();
    cmd.arg("compare").arg(scenario);
    for (flag, default) in [("--runs", "130"), ("--seed", "3")] {
        if !args.contains(&flag) {
            cmd.args([flag, default]);
        }
    }
    let result = cmd
        .args(["--shard", shard, "--out"])
        .arg(&out)
        .args(args)
        .output()
        .expect("runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

/// Runs `hvsim merge FILES` (killed after a minute, so that a blocking
/// read fails the test instead of hanging it): exit code and stderr.
fn merge(files: &[&Path]) -> (Option<i32>, String, String) {
    let out = assert_cmd::Command::from_std({
        let mut cmd = hvsim();
        cmd.arg("merge").args(files);
        cmd
    })
    .timeout(Duration::from_secs(60))
    .output()
    .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts that merging `files` is refused as bad input, with a message
/// naming each of `names`; returns the message.
fn refused(files: &[&Path], names: &[&str]) -> String {
    let (code, out, err) = merge(files);
    assert_eq!(code, Some(2), "stdout: {out}\nstderr: {err}");
    for n in names {
        assert!(err.contains(n), "`{n}` not in: {err}");
    }
    err
}

/// Writes `doc` edited by `edit` to `path`, and returns it.
fn write_edited(
    doc: &serde_json::Value,
    edit: &dyn Fn(&mut serde_json::Value),
    path: &Path,
) -> PathBuf {
    let mut doc = doc.clone();
    edit(&mut doc);
    std::fs::write(path, serde_json::to_vec(&doc).expect("json")).expect("write");
    path.to_path_buf()
}

fn name(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn scenarios_sharing_a_name_but_not_content_do_not_merge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let a = scenario(d, "a/plan.yaml", 4, "fifo");
    let b = scenario(d, "b/plan.yaml", 5, "fifo");
    let a0 = shard(&a, "0/2", d.join("a-0.json"), &[]);
    let a1 = shard(&a, "1/2", d.join("a-1.json"), &[]);
    let b0 = shard(&b, "0/2", d.join("b-0.json"), &[]);
    let b1 = shard(&b, "1/2", d.join("b-1.json"), &[]);
    let err = refused(&[&b0, &a1], &[&name(&b0), &name(&a1), "scenario"]);
    assert!(err.contains("exponential work, c = 4 teams"), "{err}");
    assert!(err.contains("merge only the shards of one run"), "{err}");
    refused(&[&a0, &b1], &[&name(&a0), &name(&b1), "scenario"]);
    // Each set merges; the same scenario from another path (and with
    // another --jobs) is the same run.
    let (code, _, err) = merge(&[&b0, &b1]);
    assert_eq!(code, Some(0), "{err}");
    let copy = scenario(d, "elsewhere/copy.yaml", 4, "fifo");
    let c1 = shard(&copy, "1/2", d.join("c-1.json"), &["--jobs", "1"]);
    let (code, out, err) = merge(&[&a0, &c1]);
    assert_eq!(code, Some(0), "{err}");
    let whole = hvsim()
        .arg("compare")
        .arg(&a)
        .args(["--runs", "130", "--seed", "3"])
        .output()
        .expect("runs");
    assert_eq!(out, String::from_utf8_lossy(&whole.stdout));
}

#[test]
fn a_fault_campaign_is_part_of_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let plan = Path::new("scenarios/nouvelle-caledonie-2018.yaml");
    let run = |shard: &str, out: &str, faults: bool| {
        let mut cmd = hvsim();
        cmd.args(["compare", "--runs", "20", "--seed", "1"])
            .arg(plan)
            .args(["--strategies", "as-in-2018", "--shard", shard, "--out"])
            .arg(d.join(out));
        if faults {
            cmd.args(["--faults", "scenarios/faults/2018-bad-week.yaml"]);
        }
        let r = cmd.output().expect("runs");
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        d.join(out)
    };
    let plain = run("0/2", "plain-0.json", false);
    let faulty = run("1/2", "faults-1.json", true);
    refused(
        &[&plain, &faulty],
        &[&name(&plain), &name(&faulty), "scenario"],
    );
}

#[test]
fn a_different_seed_runs_or_strategies_is_another_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let plan = scenario(d, "plan.yaml", 4, "fifo");
    let a0 = shard(&plan, "0/2", d.join("a-0.json"), &[]);
    let seed = shard(&plan, "1/2", d.join("seed-1.json"), &["--seed", "4"]);
    let err = refused(&[&a0, &seed], &[&name(&a0), &name(&seed), "--seed"]);
    assert!(err.contains("(3 and 4)"), "{err}");
    let runs = shard(&plan, "1/2", d.join("runs-1.json"), &["--runs", "140"]);
    refused(&[&a0, &runs], &[&name(&a0), &name(&runs), "--runs"]);
    let ids = shard(
        &plan,
        "1/2",
        d.join("ids-1.json"),
        &["--strategies", "other,reinstall"],
    );
    refused(&[&a0, &ids], &[&name(&a0), &name(&ids), "strategies"]);
    // The same ids, defined differently.
    let crit = scenario(d, "criticality.yaml", 4, "criticality");
    let def = shard(&crit, "1/2", d.join("def-1.json"), &[]);
    refused(
        &[&a0, &def],
        &[&name(&a0), &name(&def), "different definitions"],
    );
}

#[test]
fn a_shard_given_twice_or_of_another_split_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let plan = scenario(d, "plan.yaml", 4, "fifo");
    let a0 = shard(&plan, "0/2", d.join("a-0.json"), &[]);
    let a1 = shard(&plan, "1/2", d.join("a-1.json"), &[]);
    let err = refused(&[&a0, &a1, &a0], &[&name(&a0), "given twice"]);
    assert!(!err.contains(&name(&a1)), "{err}");
    let copy = d.join("copy-0.json");
    std::fs::copy(&a0, &copy).expect("copy");
    refused(
        &[&a0, &a1, &copy],
        &[&name(&a0), &name(&copy), "both shard 0/2"],
    );
    let third = shard(&plan, "1/3", d.join("b-1of3.json"), &[]);
    refused(
        &[&a0, &third],
        &[&name(&a0), &name(&third), "different numbers of shards"],
    );
    refused(&[&a1], &["missing shard(s): 0/2"]);
}

/// A shard of `tests/fixtures/exp-queue.yaml` as JSON, in `dir`.
fn valid_shard(dir: &Path) -> (PathBuf, serde_json::Value) {
    let path = shard(
        Path::new("tests/fixtures/exp-queue.yaml"),
        "0/1",
        dir.join("whole.json"),
        &[],
    );
    let doc = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    (path, doc)
}

/// An HDR V2 histogram header (40 bytes) followed by `payload`.
fn hist_v2(payload_len: u32, sigfig: u32, low: u64, high: u64, payload: &[u8]) -> String {
    use base64::Engine as _;
    let mut bytes = Vec::new();
    bytes.extend(0x1c84_9313_u32.to_be_bytes());
    bytes.extend(payload_len.to_be_bytes());
    bytes.extend(0_u32.to_be_bytes());
    bytes.extend(sigfig.to_be_bytes());
    bytes.extend(low.to_be_bytes());
    bytes.extend(high.to_be_bytes());
    bytes.extend(1.0_f64.to_be_bytes());
    bytes.extend(payload);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn a_forged_histogram_header_is_refused_before_it_allocates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, doc) = valid_shard(dir.path());
    let forged = |hist: String, file: &str| {
        let mut doc = doc.clone();
        doc["strategies"][0]["stats"][1]["hist_v2_base64"] = hist.into();
        let path = dir.path().join(file);
        std::fs::write(&path, serde_json::to_vec(&doc).expect("json")).expect("write");
        path
    };
    // A 2 GB payload claimed by a few bytes.
    let long = forged(hist_v2(2_000_000_000, 3, 1, 1 << 40, &[2; 4]), "long.json");
    let err = refused(&[&long], &[&name(&long), "reinstall", "50 % back"]);
    assert!(err.contains("claims a 2000000000-byte payload"), "{err}");
    // Bounds that would need gigabytes of counts, with a consistent length.
    let wide = forged(hist_v2(4, 5, 1, u64::MAX / 2, &[2; 4]), "wide.json");
    let err = refused(&[&wide], &[&name(&wide), "50 % back"]);
    assert!(err.contains("bounds no hvsim shard uses"), "{err}");
    // Bounds hdrhistogram refuses, and a compressed histogram.
    let bad = forged(hist_v2(4, 9, 0, 1, &[2; 4]), "bad.json");
    refused(&[&bad], &[&name(&bad), "invalid bounds"]);
    // A run of zeros past the end of the counts.
    let past = forged(
        hist_v2(6, 3, 1, 1 << 20, &[0xff, 0xff, 0xff, 0x0f, 2, 2]),
        "past.json",
    );
    refused(&[&past], &[&name(&past), "50 % back"]);
}

#[test]
fn tampered_counts_are_refused_naming_the_strategy_and_metric() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, doc) = valid_shard(dir.path());
    let tampered = |edit: &dyn Fn(&mut serde_json::Value), file: &str| {
        write_edited(&doc, edit, &dir.path().join(file))
    };
    let stat = |doc: &mut serde_json::Value| -> serde_json::Value {
        doc["strategies"][0]["stats"][2].clone()
    };
    // n raised past the runs done ("reached 100068 %" before).
    let n = tampered(
        &|d| {
            let old = stat(d)["moments"]["n"].as_u64().expect("n");
            d["strategies"][0]["stats"][2]["moments"]["n"] = (old + 130_000).into();
        },
        "n.json",
    );
    refused(&[&n], &[&name(&n), "reinstall", "90 % back", "n = "]);
    // n and missing moved together: the histogram disagrees.
    let moved = tampered(
        &|d| {
            let s = stat(d);
            let (n, missing) = (s["moments"]["n"].as_u64(), s["missing"].as_u64());
            let (n, missing) = (n.expect("n"), missing.expect("missing"));
            assert!(n > 0, "the fixture reaches 90 %");
            d["strategies"][0]["stats"][2]["moments"]["n"] = (n - 1).into();
            d["strategies"][0]["stats"][2]["missing"] = (missing + 1).into();
        },
        "moved.json",
    );
    refused(&[&moved], &[&name(&moved), "90 % back", "histogram counts"]);
    // More replications done than the shard holds.
    let done = tampered(&|d| d["done"] = 131.into(), "done.json");
    refused(&[&done], &[&name(&done), "131 replications done"]);
    // A shard of a huge split (its range once overflowed).
    let split = tampered(
        &|d| d["shard"] = serde_json::json!([u64::MAX - 1, u64::MAX]),
        "split.json",
    );
    refused(&[&split], &[&name(&split), "130 replications done"]);
    // The seed edited without the fingerprint.
    let seed = tampered(&|d| d["seed"] = 4.into(), "seed.json");
    refused(&[&seed], &[&name(&seed), "fingerprint"]);
    // An older schema is named.
    let old = tampered(&|d| d["schema"] = "hvsim.shard/2".into(), "old.json");
    refused(&[&old], &[&name(&old), "older hvsim", "fingerprint"]);
}

#[test]
fn devices_pipes_and_huge_files_fail_promptly() {
    let (code, _, err) = merge(&[Path::new("/dev/urandom")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("/dev/urandom") && err.contains("not a regular file"),
        "{err}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // Never opened: opening a FIFO with no writer would block.
    refused(&[&fifo], &[&name(&fifo), "not a regular file"]);

    // A sparse file over the size limit: refused before it is read.
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .expect("create")
        .set_len(hvsim::shard::MAX_SHARD_BYTES + 1)
        .expect("set_len");
    refused(&[&huge], &[&name(&huge), "too large"]);
}

#[test]
fn random_histogram_headers_never_panic() {
    use proptest::prelude::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, doc) = valid_shard(dir.path());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    });
    let header = (
        prop_oneof![Just(None), any::<u32>().prop_map(Some)],
        0_u32..8,
        prop_oneof![1_u64..4096, any::<u64>()],
        prop_oneof![1_u64..(1 << 45), any::<u64>()],
        proptest::collection::vec(any::<u8>(), 0..64),
    );
    runner
        .run(&header, |(len, sigfig, low, high, payload)| {
            let len = len.unwrap_or(payload.len() as u32);
            let mut doc = doc.clone();
            doc["strategies"][0]["stats"][1]["hist_v2_base64"] =
                hist_v2(len, sigfig, low, high, &payload).into();
            let bytes = serde_json::to_vec(&doc).expect("json");
            // Refused without a panic (or, by a fluke, a histogram whose
            // total is right: then it is kept as it is).
            if let Ok(shard) = hvsim::shard::parse("forged.json", &bytes) {
                let stat = &shard.comparison.strategies[0].stats[1];
                prop_assert_eq!(stat.hist.len(), stat.moments.n);
            }
            Ok(())
        })
        .expect("refused");
}

/// The DR use a shard keeps of the first runs (for the chart of DR
/// capacity over the runs) is checked like its counts: steps in time
/// order with a 0 or 1 for full, exactly the shard's replications among
/// the first 100, as many for every strategy.
#[test]
fn a_tampered_dr_use_is_refused_naming_the_strategy_and_replication() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = Path::new("scenarios/replicated-failover-runbook.yaml");
    // Shard 1/2 of 140 runs holds replications 64..128, of which 64..100
    // are among the first 100.
    let out = shard(plan, "1/2", dir.path().join("s.json"), &["--runs", "140"]);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("shard")).expect("json");
    let kept = doc["strategies"][0]["dr_use"].as_array().expect("dr_use");
    let replications: Vec<u64> = kept
        .iter()
        .map(|r| r["replication"].as_u64().expect("replication"))
        .collect();
    assert_eq!(replications, (64..100).collect::<Vec<_>>());
    assert!(
        doc["strategies"][1]["dr_use"]
            .as_array()
            .is_some_and(|r| r.len() == 36)
    );
    let strategy = doc["strategies"][0]["id"].as_str().expect("id").to_string();
    let tampered = |edit: &dyn Fn(&mut serde_json::Value), file: &str| {
        write_edited(&doc, edit, &dir.path().join(file))
    };
    let order = tampered(
        &|d| d["strategies"][0]["dr_use"][0]["steps"] = "0 1 2 0;5 1 2 0;4 1 2 0".into(),
        "order.json",
    );
    refused(
        &[&order],
        &[
            &name(&order),
            &strategy,
            "replication 64",
            "out of time order",
        ],
    );
    let full = tampered(
        &|d| d["strategies"][0]["dr_use"][1]["steps"] = "0 1 2 2".into(),
        "full.json",
    );
    refused(&[&full], &[&name(&full), "replication 65", "0 or 1"]);
    let moved = tampered(
        &|d| d["strategies"][0]["dr_use"][0]["replication"] = 3.into(),
        "moved.json",
    );
    refused(&[&moved], &[&name(&moved), &strategy, "64..100"]);
    let dropped = tampered(
        &|d| d["strategies"][1]["dr_use"] = serde_json::json!([]),
        "dropped.json",
    );
    refused(
        &[&dropped],
        &[&name(&dropped), "the first strategy's of 36"],
    );
}
