//! `isopod apply` and `isopod destroy` run as processes against the simulator: convergence,
//! faults, the lock, stale saved plans, and crashes at random points.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `isopod ARGS` on the configuration in `dir`, with its own secret key there and `knobs` for
/// the simulator.
fn isopod(args: &[&str], dir: &Path, knobs: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"))
        .env("ISOPOD_SIMULATOR", knobs)
        .stdin(std::process::Stdio::null());
    command
}

fn run(args: &[&str], dir: &Path, knobs: &str) -> Output {
    isopod(args, dir, knobs).output().expect("the binary runs")
}

/// A copy of the mesh example (three clouds and a host) in a fresh folder.
fn mesh() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = repo().join("examples/three-cloud-mesh/main.iso");
    std::fs::copy(example, dir.path().join("main.iso")).unwrap();
    dir
}

/// Asserts that a plan of `dir` has no changes (which also means no duplicate: a duplicate is a
/// deletion).
fn assert_converged(dir: &Path) {
    let out = run(&["plan", "--simulate", "--detailed-exitcode"], dir, "");
    assert_eq!(out.status.code(), Some(0), "plan after apply:\n{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn apply_then_plan_has_no_changes_and_destroy_removes_everything() {
    let dir = mesh();
    let out = run(&["apply", "--simulate", "--yes"], dir.path(), "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Apply complete: 66 created, 0 updated, 0 replaced, 0 deleted, 0 failed, 0 skipped"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("generated and stored 15 pre-shared key(s)"), "{}", text(&out.stderr));
    assert!(!dir.path().join(".isopod/journal.jsonl").exists(), "a finished run removes its journal");
    assert_converged(dir.path());
    let again = run(&["apply", "--simulate", "--yes"], dir.path(), "");
    assert_eq!(text(&again.stdout), "No changes: the live resources match the configuration.\n");

    let out = run(&["destroy", "--simulate", "--yes"], dir.path(), "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 created, 0 updated, 0 replaced, 66 deleted, 0 failed"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["plan", "--simulate"], dir.path(), "");
    assert!(text(&out.stdout).contains("Plan: 66 to create, 0 to update, 0 to replace, 0 to delete."));
}

#[test]
fn apply_converges_when_calls_are_throttled_or_fail() {
    for seed in [1, 2] {
        let dir = mesh();
        let knobs = format!("faults=0.1,throttle=0.1,seed={seed},minute=5ms");
        let out = run(&["apply", "--simulate", "--yes", "--parallelism", "16"], dir.path(), &knobs);
        assert_eq!(out.status.code(), Some(0), "seed {seed}: {}{}", text(&out.stdout), text(&out.stderr));
        assert_converged(dir.path());
    }
}

#[test]
fn apply_asks_and_changes_nothing_off_a_terminal_without_yes() {
    let dir = mesh();
    let out = run(&["apply", "--simulate"], dir.path(), "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("pass `--yes`"), "{}", text(&out.stderr));
    assert!(!dir.path().join("test-secret.key").exists(), "no key was made before the answer");
    let out = run(&["plan", "--simulate"], dir.path(), "");
    assert!(text(&out.stdout).contains("Plan: 66 to create"), "nothing was applied");
}

#[test]
fn two_applies_on_one_stack_never_interleave() {
    let dir = mesh();
    // The first apply is slow: every call takes 20 ms.
    let mut first = isopod(&["apply", "--simulate", "--yes"], dir.path(), "latency=20ms")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let refused = run(&["apply", "--simulate", "--yes"], dir.path(), "");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("error: the stack is locked by `isopod apply` (process"), "{stderr}");
    let waited = run(&["apply", "--simulate", "--yes", "--lock-timeout", "2m"], dir.path(), "");
    assert!(first.wait().unwrap().success());
    assert_eq!(waited.status.code(), Some(0), "{}", text(&waited.stderr));
    assert_eq!(text(&waited.stdout), "No changes: the live resources match the configuration.\n");
}

#[test]
fn a_saved_plan_that_has_gone_stale_is_refused() {
    let dir = mesh();
    let plan_file = dir.path().join("plan.json");
    let out = run(&["plan", "--simulate", "--out", plan_file.to_str().unwrap()], dir.path(), "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The live resources move: someone applies first.
    assert_eq!(run(&["apply", "--simulate", "--yes"], dir.path(), "").status.code(), Some(0));
    let out = run(&["apply", "--simulate", "--yes", "--plan", plan_file.to_str().unwrap()], dir.path(), "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no longer applies: the live resources changed since the plan was made"), "{stderr}");

    // A fresh saved plan applies, given alone: it records its configuration.
    let destroyed = run(&["destroy", "--simulate", "--yes"], dir.path(), "");
    assert_eq!(destroyed.status.code(), Some(0));
    let out = run(&["plan", "--simulate", "--out", plan_file.to_str().unwrap()], dir.path(), "");
    assert_eq!(out.status.code(), Some(0));
    let mut by_file = Command::new(env!("CARGO_BIN_EXE_isopod"));
    by_file
        .args(["apply", "--simulate", "--yes"])
        .arg(&plan_file)
        .env("ISOPOD_SECRET_KEY_FILE", dir.path().join("test-secret.key"))
        .env_remove("ISOPOD_SIMULATOR")
        .stdin(std::process::Stdio::null());
    let out = by_file.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Apply complete: 66 created"));
    assert_converged(dir.path());

    // The configuration moves.
    let out = run(&["plan", "--simulate", "--out", plan_file.to_str().unwrap()], dir.path(), "");
    assert_eq!(out.status.code(), Some(0));
    let config = std::fs::read_to_string(dir.path().join("main.iso")).unwrap();
    std::fs::write(dir.path().join("main.iso"), config.replace("team = \"network\"", "team = \"netops\"")).unwrap();
    let out = run(&["apply", "--simulate", "--yes", "--plan", plan_file.to_str().unwrap()], dir.path(), "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the configuration changed since the plan was made"), "{}", text(&out.stderr));
}

/// The crash harness: an apply killed (`kill -9`) at a random point, then run again, converges:
/// nothing duplicated (a duplicate would be planned for deletion), nothing orphaned (a plan with
/// no changes owns exactly what the configuration wants), and a resource of someone else is
/// never touched.
#[test]
fn an_apply_killed_at_any_point_converges_when_run_again() {
    use isopod_catalog::{Cloud, ResourceKind, Scope, Value};
    use isopod_provider::Provider as _;
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut killed_mid_apply = 0;
    for seed in 0..50u64 {
        let dir = mesh();
        let state = dir.path().join(".isopod/simulator.json");
        let simulator = isopod_simulator::Simulator::open(&state).unwrap();
        let scope = Scope { cloud: "aws.prod".into(), region: "us-east-1".into() };
        let attrs = [("cidr_block".into(), Value::string("10.200.0.0/16"))].into_iter().collect();
        let foreign = simulator.insert_foreign(ResourceKind::AwsVpc, scope.clone(), attrs).unwrap();
        drop(simulator);
        let mut child = isopod(&["apply", "--simulate", "--yes", "--parallelism", "4"], dir.path(), "latency=3ms")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // A deterministic "random" moment from the seed, within the apply's run.
        let delay = (seed.wrapping_mul(2654435761) % 400) + 5;
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let journal = isopod_apply::FileJournal::unfinished(&dir.path().join(".isopod/journal.jsonl"));
        killed_mid_apply += usize::from(!journal.is_empty());
        let out = run(&["apply", "--simulate", "--yes"], dir.path(), "");
        assert_eq!(out.status.code(), Some(0), "seed {seed}: {}{}", text(&out.stdout), text(&out.stderr));
        assert_converged(dir.path());
        let simulator = isopod_simulator::Simulator::open(&state).unwrap();
        let vpcs = runtime.block_on(simulator.provider(Cloud::Aws).discover(&scope, &[ResourceKind::AwsVpc])).unwrap();
        let untouched = vpcs.iter().find(|vpc| vpc.provider_id == foreign);
        assert!(untouched.is_some_and(|vpc| vpc.owner.is_none()), "seed {seed}: the foreign VPC was touched");
    }
    eprintln!("{killed_mid_apply} of 50 kills landed while calls were in flight");
    // The harness is only worth something if many kills land while calls are in flight.
    assert!(killed_mid_apply >= 10, "only {killed_mid_apply} of 50 kills landed during the apply's calls");
}

#[test]
fn a_failed_call_skips_what_depends_on_it_and_the_rest_is_applied() {
    use isopod_catalog::{ResourceKind, Scope, Value};
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("examples/two-cloud-tunnel/main.iso"), dir.path().join("main.iso")).unwrap();
    // Someone else's GCP network already has the name Isopod would give `network.analytics`.
    let simulator = isopod_simulator::Simulator::open(dir.path().join(".isopod/simulator.json")).unwrap();
    let global = Scope { cloud: "gcp.data".into(), region: "global".into() };
    let attrs = [("name".into(), Value::string("two-cloud-analytics"))].into_iter().collect();
    simulator.insert_foreign(ResourceKind::GcpNetwork, global, attrs).unwrap();
    drop(simulator);
    let out = run(&["apply", "--simulate", "--yes", "--json"], dir.path(), "");
    assert_eq!(out.status.code(), Some(1));
    let events: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|line| serde_json::from_str(line).expect("one JSON event per line")).collect();
    let failed: Vec<&serde_json::Value> = events.iter().filter(|e| e["event"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{events:?}");
    assert_eq!(failed[0]["id"]["address"], "analytics");
    assert!(failed[0]["error"].as_str().unwrap().contains("already exists"));
    let skipped = events.iter().filter(|e| e["event"] == "skipped").count();
    let summary = &events.last().unwrap()["summary"];
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["skipped"], skipped);
    assert!(skipped >= 9, "the GCP side of the tunnel waits for the network: {skipped}");
    // The AWS side does not depend on GCP's network: it is all there.
    assert_eq!(summary["created"].as_u64().unwrap() as usize + 1 + skipped, 22);
    assert!(events.iter().any(|e| e["event"] == "finished" && e["id"]["kind"] == "aws_vpn_gateway"));
}

#[test]
fn apply_refuses_a_plan_that_deletes_everything() {
    let dir = mesh();
    assert_eq!(run(&["apply", "--simulate", "--yes"], dir.path(), "").status.code(), Some(0));
    // The clouds stay; every network, host and tunnel goes.
    let config = std::fs::read_to_string(dir.path().join("main.iso")).unwrap();
    let clouds_only = &config[..config.find("network \"aws\"").unwrap()];
    std::fs::write(dir.path().join("main.iso"), clouds_only).unwrap();
    let out = run(&["apply", "--simulate", "--yes"], dir.path(), "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("run `isopod destroy`"), "{}", text(&out.stderr));
}

#[test]
fn keys_never_appear_in_what_apply_and_destroy_print() {
    let dir = mesh();
    let mut printed = String::new();
    let mut show = |out: Output| {
        printed.push_str(&text(&out.stdout));
        printed.push_str(&text(&out.stderr));
    };
    show(run(&["apply", "--simulate", "--yes", "--json"], dir.path(), ""));
    show(run(&["plan", "--simulate", "--json"], dir.path(), ""));
    // The simulator stands in for the clouds, which hold the keys: read them there.
    let state = std::fs::read_to_string(dir.path().join(".isopod/simulator.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    let mut keys = Vec::new();
    for resource in state["resources"].as_array().into_iter().flatten() {
        for name in ["tunnel1_preshared_key", "tunnel2_preshared_key", "shared_secret", "shared_key", "psk"] {
            if let Some(key) = resource["attrs"][name]["string"].as_str() {
                keys.push(key.to_string());
            }
        }
    }
    show(run(&["destroy", "--simulate", "--yes"], dir.path(), ""));
    assert!(keys.len() >= 30, "the clouds received the keys: {}", keys.len());
    for key in &keys {
        assert!(!printed.contains(key.as_str()), "a key was printed");
    }
}

#[test]
fn a_reader_that_goes_away_does_not_stop_an_apply() {
    let dir = mesh();
    let mut child = isopod(&["apply", "--simulate", "--yes", "--quiet"], dir.path(), "latency=2ms")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // As `| head -1` would: read a little, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    assert!(child.wait().unwrap().success());
    assert_converged(dir.path());
}

#[test]
fn a_replacement_recreates_what_depends_on_it_in_order() {
    let dir = mesh();
    assert_eq!(run(&["apply", "--simulate", "--yes"], dir.path(), "").status.code(), Some(0));
    // IKEv1 on the mesh: GCP tunnels are immutable, so they and the BGP peers on them are
    // replaced; the AWS and Azure sides change in place.
    let config = std::fs::read_to_string(dir.path().join("main.iso")).unwrap();
    let changed = config.replacen("    dh_groups  = [20]\n", "    dh_groups  = [20]\n    version    = 1\n", 1);
    assert_ne!(changed, config);
    std::fs::write(dir.path().join("main.iso"), changed).unwrap();
    let out = run(&["apply", "--simulate", "--yes", "--quiet"], dir.path(), "");
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("0 created") && stdout.contains("0 failed, 0 skipped"), "{stdout}");
    assert!(!stdout.contains(" 0 replaced"), "{stdout}");
    assert_converged(dir.path());
}

#[test]
fn a_rerun_after_a_crash_while_the_cloud_provisions_waits_for_it() {
    let dir = mesh();
    // One simulated minute takes 40 ms: Azure's gateway (45 minutes) takes 1.8 s.
    let knobs = "minute=40ms";
    let mut child = isopod(&["apply", "--simulate", "--yes"], dir.path(), knobs)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let _ = child.kill();
    let _ = child.wait();
    let out = run(&["apply", "--simulate", "--yes", "--quiet"], dir.path(), knobs);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_converged(dir.path());
}
