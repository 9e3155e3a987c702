//! A strike that corrupts VMs without crashing their hosts
//! (`crash: false` with `datastore_loss`) is detected and diagnosed like a
//! crash before any method but an HA restart starts: nobody restores what
//! they have not yet understood is broken.

use crate::{edited_copy, hvsim_json};

#[test]
fn a_corruption_without_a_crash_waits_for_its_diagnosis() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = edited_copy(
        dir.path(),
        "scenarios/backup-restore.yaml",
        "no-crash.yaml",
        &[(
            "      crash: true\n",
            "      crash: false\n      datastore_loss: true\n",
        )],
    );
    let file = file.as_str();
    for strategy in [
        "restore-fifo",
        "restore-by-criticality",
        "reinstall-by-hand",
    ] {
        for seed in ["1", "2"] {
            let doc = hvsim_json(&[
                "run",
                file,
                "--strategy",
                strategy,
                "--seed",
                seed,
                "--json",
            ]);
            let inc = &doc["incidents"][0];
            let (at, diagnosed, started) = (
                inc["at"].as_str().expect("at"),
                inc["diagnosed_at"].as_str().expect("diagnosed"),
                inc["recovery_started"].as_str().expect("started"),
            );
            // Same zone and format: the texts order as the instants do.
            assert!(diagnosed > at, "{strategy} {seed}: {inc}");
            assert!(started >= diagnosed, "{strategy} {seed}: {inc}");
        }
    }
}
