//! The deployment files in `deploy/` do what `docs/distributed.md` says,
//! without a cluster: each Kubernetes pod's exact command line is run for
//! every `JOB_COMPLETION_INDEX` and merged by the merge Job's command line;
//! the Slurm batch scripts are run as Slurm would run each array task. The
//! merged reports must equal the unsharded run byte for byte. (`.ci/slurm`
//! runs the Slurm files on a real Slurm; `.ci/k8s-validate` checks the
//! manifests against the Kubernetes API schemas.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::hvsim;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn manifest(name: &str) -> Value {
    let text = fs::read_to_string(root().join("deploy/k8s").join(name)).expect("read manifest");
    serde_saphyr::from_str(&text).expect("one YAML document")
}

/// The first container of a Job: its `sh -c` script and its environment.
/// `(name, value)` pairs: a container's environment or its mounts.
type Pairs = Vec<(String, String)>;

fn pod(job: &Value) -> (String, Pairs, Pairs) {
    let c = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["command"], serde_json::json!(["sh", "-c"]), "{c:#}");
    let script = c["args"][0].as_str().expect("one script").to_string();
    let env = c["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mounts = c["volumeMounts"]
        .as_array()
        .expect("volumeMounts")
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().into(),
                m["mountPath"].as_str().unwrap().into(),
            )
        })
        .collect();
    (script, env, mounts)
}

fn env_value(env: &[(String, String)], name: &str) -> String {
    env.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .expect(name)
}

/// A directory whose only `hvsim` is the one under test, for `PATH`.
fn bin_dir(tmp: &Path) -> PathBuf {
    let dir = tmp.join("bin");
    fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_hvsim"), dir.join("hvsim")).unwrap();
    dir
}

/// Runs a pod's script with its mount paths moved under `tmp` (volume
/// name → directory) and `env` (the manifest's, with `overrides`).
fn run_pod(
    tmp: &Path,
    job: &Value,
    extra_env: &[(&str, String)],
    overrides: &[(&str, &str)],
) -> String {
    let (mut script, env, mounts) = pod(job);
    for (volume, path) in &mounts {
        let dir = tmp.join(volume);
        fs::create_dir_all(&dir).unwrap();
        script = script.replace(&format!("{path}/"), &format!("{}/", dir.display()));
    }
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&script).current_dir(tmp);
    cmd.env(
        "PATH",
        format!("{}:/usr/bin:/bin", bin_dir_once(tmp).display()),
    );
    for (name, value) in &env {
        let value = overrides
            .iter()
            .find(|(n, _)| n == name)
            .map_or(value.as_str(), |(_, v)| v);
        cmd.env(name, value);
    }
    for (name, value) in extra_env {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("sh runs");
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn bin_dir_once(tmp: &Path) -> PathBuf {
    let dir = tmp.join("bin");
    if dir.exists() { dir } else { bin_dir(tmp) }
}

fn whole(args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let text = hvsim().args(args).output().expect("runs");
    let json = hvsim().args(args).arg("--json").output().expect("runs");
    assert!(text.status.success() && json.status.success());
    (text.stdout, json.stdout)
}

#[test]
fn the_configmap_holds_the_bundled_2018_scenario() {
    let cm = manifest("scenario-configmap.yaml");
    assert_eq!(cm["kind"], "ConfigMap");
    let data = cm["data"]["scenario.yaml"]
        .as_str()
        .expect("data.scenario.yaml");
    let file = fs::read_to_string(root().join("scenarios/nouvelle-caledonie-2018.yaml")).unwrap();
    assert!(
        data == file,
        "deploy/k8s/scenario-configmap.yaml is not scenarios/nouvelle-caledonie-2018.yaml: regenerate it as its header says"
    );
    let job = manifest("shards-job.yaml");
    let name = job["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|v| v["configMap"]["name"].as_str())
        .expect("a configMap volume");
    assert_eq!(name, cm["metadata"]["name"]);
}

#[test]
fn the_jobs_agree_on_the_number_of_shards_and_the_volume() {
    let (shards, merge) = (manifest("shards-job.yaml"), manifest("merge-job.yaml"));
    let n = shards["spec"]["completions"].as_u64().expect("completions");
    assert_eq!(shards["spec"]["completionMode"], "Indexed");
    assert!(shards["spec"]["parallelism"].as_u64().unwrap() <= n);
    assert_eq!(env_value(&pod(&shards).1, "HVSIM_SHARDS"), n.to_string());
    assert_eq!(env_value(&pod(&merge).1, "HVSIM_SHARDS"), n.to_string());
    let claim = |job: &Value| {
        job["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|v| {
                v["persistentVolumeClaim"]["claimName"]
                    .as_str()
                    .map(String::from)
            })
            .expect("a claim")
    };
    assert_eq!(claim(&shards), claim(&merge));
    assert_eq!(
        manifest("results-pvc.yaml")["metadata"]["name"],
        claim(&shards).as_str()
    );
}

/// Each pod's exact script, for every index, then the merge Job's script:
/// the report equals the unsharded run. (A small scenario and 256 runs in
/// place of the manifest's million, so that the test stays quick.)
#[test]
fn the_indexed_job_and_its_merge_give_the_unsharded_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (shards, merge) = (manifest("shards-job.yaml"), manifest("merge-job.yaml"));
    let n = shards["spec"]["completions"].as_u64().unwrap();
    let scenario_dir = tmp.path().join("scenario");
    fs::create_dir_all(&scenario_dir).unwrap();
    let scenario = root().join("scenarios/ha-single-host-crash.yaml");
    fs::copy(&scenario, scenario_dir.join("scenario.yaml")).unwrap();
    for i in 0..n {
        run_pod(
            tmp.path(),
            &shards,
            &[("JOB_COMPLETION_INDEX", i.to_string())],
            &[("HVSIM_RUNS", "256")],
        );
    }
    let printed = run_pod(tmp.path(), &merge, &[], &[]);
    let seed = env_value(&pod(&shards).1, "HVSIM_SEED");
    let (text, json) = whole(&[
        "compare",
        scenario.to_str().unwrap(),
        "--runs",
        "256",
        "--seed",
        &seed,
    ]);
    let results = tmp.path().join("results");
    assert!(
        fs::read(results.join("report.txt")).unwrap() == text,
        "report.txt differs"
    );
    assert!(
        fs::read(results.join("report.json")).unwrap() == json,
        "report.json differs"
    );
    assert_eq!(printed.as_bytes(), &text[..]);
    assert!(!results.join(".report.txt.tmp").exists());
}

fn sbatch(script: &str, task: Option<u64>, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("deploy/slurm").join(script))
        .args(args)
        .current_dir(root())
        .env("HVSIM", env!("CARGO_BIN_EXE_hvsim"))
        .env("SLURM_CPUS_PER_TASK", "1");
    if let Some(t) = task {
        cmd.env("SLURM_ARRAY_TASK_ID", t.to_string());
    }
    cmd.output().expect("bash runs")
}

/// The Slurm batch scripts run as Slurm runs them (one process per array
/// task, then the merge): the report equals the unsharded run, and a
/// rerun task (retried, preempted) writes the same bytes.
#[test]
fn the_slurm_scripts_give_the_unsharded_report_and_reruns_are_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let results = results.to_str().unwrap();
    let run = [
        "scenarios/ha-single-host-crash.yaml",
        "--runs",
        "256",
        "--seed",
        "7",
    ];
    for i in 0..4 {
        let mut args = vec!["4", results];
        args.extend_from_slice(&run);
        let out = sbatch("shard.sbatch", Some(i), &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let shard1 = format!("{results}/shard-1.json");
    let before = fs::read(&shard1).unwrap();
    let mut args = vec!["4", results];
    args.extend_from_slice(&run);
    assert!(sbatch("shard.sbatch", Some(1), &args).status.success());
    assert!(
        fs::read(&shard1).unwrap() == before,
        "a rerun shard wrote other bytes"
    );

    let out = sbatch("merge.sbatch", None, &["4", results]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut args = vec!["compare"];
    args.extend_from_slice(&run);
    let (text, json) = whole(&args);
    assert!(fs::read(format!("{results}/report.txt")).unwrap() == text);
    assert!(fs::read(format!("{results}/report.json")).unwrap() == json);

    // A missing shard: the merge fails, names it, and leaves no report.
    fs::remove_file(format!("{results}/report.txt")).unwrap();
    fs::remove_file(format!("{results}/shard-2.json")).unwrap();
    let out = sbatch("merge.sbatch", None, &["4", results]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("shard-2.json"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!Path::new(&format!("{results}/report.txt")).exists());

    // Outside an array, the shard script says how to run it.
    let out = sbatch("shard.sbatch", None, &args[1..]);
    assert!(!out.status.success());
}

/// The docs point to the deployment files instead of carrying copies.
#[test]
fn the_docs_show_the_files_in_deploy() {
    let docs = fs::read_to_string(root().join("docs/distributed.md")).unwrap();
    for file in [
        "deploy/slurm/submit.sh",
        "deploy/slurm/shard.sbatch",
        "deploy/slurm/merge.sbatch",
        "deploy/k8s/shards-job.yaml",
        "deploy/k8s/merge-job.yaml",
        "deploy/k8s/results-pvc.yaml",
        "deploy/k8s/scenario-configmap.yaml",
        "deploy/container/Dockerfile",
        ".ci/slurm",
        ".ci/k8s-validate",
    ] {
        assert!(
            docs.contains(file),
            "docs/distributed.md does not mention {file}"
        );
        assert!(root().join(file).exists(), "{file} is missing");
    }
    assert!(
        !docs.contains("apiVersion:"),
        "docs/distributed.md carries a copy of a manifest"
    );
    assert!(
        !docs.contains("#SBATCH"),
        "docs/distributed.md carries a copy of a batch script"
    );
}

/// `out`, which must be a success: otherwise the test stops with its stderr.
fn ok(out: std::process::Output) -> std::process::Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The sweep that the deployment tests shard: two points of a small
/// scenario, few replications.
const SWEEP: [&str; 6] = [
    "scenarios/ha-single-host-crash.yaml",
    "--runs",
    "70",
    "--seed",
    "7",
    "--set",
];
const SWEEP_SET: &str = "teams.ops.members=2..3";

/// The Indexed Job runs a sweep's shards when HVSIM_COMMAND is `sweep`
/// and HVSIM_ARGS holds its `--set`; the unchanged merge Job gives the
/// unsharded sweep's table and JSON.
#[test]
fn the_indexed_job_runs_a_sweep_when_told_to() {
    let tmp = tempfile::tempdir().unwrap();
    let (shards, merge) = (manifest("shards-job.yaml"), manifest("merge-job.yaml"));
    assert_eq!(env_value(&pod(&shards).1, "HVSIM_COMMAND"), "compare");
    let n = shards["spec"]["completions"].as_u64().unwrap();
    let scenario_dir = tmp.path().join("scenario");
    fs::create_dir_all(&scenario_dir).unwrap();
    let scenario = root().join(SWEEP[0]);
    fs::copy(&scenario, scenario_dir.join("scenario.yaml")).unwrap();
    let set = format!("--set {SWEEP_SET}");
    for i in 0..n {
        run_pod(
            tmp.path(),
            &shards,
            &[("JOB_COMPLETION_INDEX", i.to_string())],
            &[
                ("HVSIM_RUNS", "70"),
                ("HVSIM_COMMAND", "sweep"),
                ("HVSIM_ARGS", &set),
            ],
        );
    }
    let printed = run_pod(tmp.path(), &merge, &[], &[]);
    let seed = env_value(&pod(&shards).1, "HVSIM_SEED");
    let (text, json) = whole(&[
        "sweep",
        scenario.to_str().unwrap(),
        "--runs",
        "70",
        "--seed",
        &seed,
        "--set",
        SWEEP_SET,
    ]);
    let results = tmp.path().join("results");
    assert!(fs::read(results.join("report.txt")).unwrap() == text);
    assert!(fs::read(results.join("report.json")).unwrap() == json);
    assert_eq!(printed.as_bytes(), &text[..]);
}

/// `shard.sbatch sweep ...` runs a sweep's shards as Slurm would; a rerun
/// task writes the same bytes, and the unchanged merge gives the
/// unsharded sweep.
#[test]
fn the_slurm_scripts_run_a_sweep_when_told_to() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results");
    let results = results.to_str().unwrap();
    let mut args = vec!["sweep", "3", results];
    args.extend_from_slice(&SWEEP);
    args.push(SWEEP_SET);
    for i in 0..3 {
        ok(sbatch("shard.sbatch", Some(i), &args));
    }
    let shard2 = format!("{results}/shard-2.json");
    let before = fs::read(&shard2).unwrap();
    assert!(sbatch("shard.sbatch", Some(2), &args).status.success());
    assert!(
        fs::read(&shard2).unwrap() == before,
        "a rerun shard wrote other bytes"
    );
    ok(sbatch("merge.sbatch", None, &["3", results]));
    let mut whole_args = vec!["sweep"];
    whole_args.extend_from_slice(&SWEEP);
    whole_args.push(SWEEP_SET);
    let (text, json) = whole(&whole_args);
    assert!(fs::read(format!("{results}/report.txt")).unwrap() == text);
    assert!(fs::read(format!("{results}/report.json")).unwrap() == json);
}

/// `submit.sh` hands the command (`sweep`, or `compare` when left out) to
/// every array task, and the merge its N and RESULTS: checked with an
/// `sbatch` that records its arguments instead of submitting.
#[test]
fn submit_passes_the_command_to_the_array() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let log = tmp.path().join("sbatch.log");
    let fake = bin.join("sbatch");
    fs::write(
        &fake,
        format!("#!/bin/sh\necho \"$*\" >> '{}'\necho 42\n", log.display()),
    )
    .unwrap();
    fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let results = tmp.path().join("results");
    let results = results.to_str().unwrap();
    let submit = |first: &[&str]| {
        let _ = fs::remove_file(&log);
        let out = ok(Command::new("bash")
            .arg(root().join("deploy/slurm/submit.sh"))
            .args(first)
            .args(["3", results, SWEEP[0], "--runs", "70"])
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .output()
            .expect("bash runs"));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "42 42\n");
        let lines: Vec<String> = fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        lines
    };
    let sweep = submit(&["sweep"]);
    assert!(
        sweep[0].ends_with(&format!(
            "shard.sbatch sweep 3 {results} {} --runs 70",
            SWEEP[0]
        )),
        "{}",
        sweep[0]
    );
    assert!(sweep[1].contains("--dependency=afterok:42"), "{}", sweep[1]);
    assert!(
        sweep[1].ends_with(&format!("merge.sbatch 3 {results}")),
        "{}",
        sweep[1]
    );
    let compare = submit(&[]);
    assert!(
        compare[0].ends_with(&format!(
            "shard.sbatch compare 3 {results} {} --runs 70",
            SWEEP[0]
        )),
        "{}",
        compare[0]
    );
}
