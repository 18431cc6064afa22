//! `isopod watch` as a process, following real git repositories (a file:// URL, a local path, smart HTTP
//! through `git http-backend` on 127.0.0.1) and applying to the embedded simulator: new commits
//! are planned and applied, an invalid commit is reported and never applied, drift made in the
//! simulator is corrected, webhooks are checked, and SIGTERM stops it cleanly.

use hmac::{Hmac, KeyInit as _, Mac as _};
use isopod_test_support::GitHttp;
use isopod_test_support::watcher::{WatchProcess, free_port, message};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const SECRET: &str = "webhook-secret-for-tests";
const VPC: &str = "stack \"gitops\" {}\n\ncloud \"aws\" \"prod\" {\n  region = \"us-east-1\"\n}\n\nnetwork \"app\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.30.0.0/16\"\n\n  subnet \"a\" {\n    cidr = cidrsubnet(self.cidr, 8, 1)\n    zone = \"us-east-1a\"\n  }\n}\n";

/// Runs `git ARGS` in `dir`.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// Commits `text` as `net/main.iso` in the repository `dir`.
fn commit(dir: &Path, text: &str, message: &str) {
    std::fs::create_dir_all(dir.join("net")).unwrap();
    std::fs::write(dir.join("net/main.iso"), text).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// A repository `source` in `root` whose first commit has `text` as `net/main.iso`.
fn source_repo(root: &Path, text: &str, message: &str) -> PathBuf {
    let source = root.join("source");
    std::fs::create_dir(&source).unwrap();
    git(&source, &["init", "-q"]);
    commit(&source, text, message);
    source
}

/// A running watcher and its state folder.
struct Watcher {
    process: WatchProcess,
    state: PathBuf,
}

impl std::ops::Deref for Watcher {
    type Target = WatchProcess;
    fn deref(&self) -> &WatchProcess {
        &self.process
    }
}

impl Watcher {
    fn start(repository: &str, workdir: &Path, interval: &str) -> Watcher {
        Watcher::start_sharing(repository, workdir, interval, &workdir.join("state"), "", None)
    }

    /// A watcher whose state folder is `state` (and, with `shared`, whose stack's state is in
    /// that database), with the simulator's `knobs`.
    fn start_sharing(
        repository: &str,
        workdir: &Path,
        interval: &str,
        state: &Path,
        knobs: &str,
        shared: Option<&str>,
    ) -> Watcher {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
        command.args(["watch", repository]);
        if let Some(url) = shared {
            command.args(["--state", url]).env("ISOPOD_STATE_LEASE", "3s");
        }
        command
            .args(["--path", "net", "--simulate", "--apply", "auto", "--log-format", "json"])
            .args(["--interval", interval, "--drift-interval", "2s", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--workdir")
            .arg(workdir)
            .arg("--state-dir")
            .arg(state)
            .env("ISOPOD_WEBHOOK_SECRET", SECRET)
            .env("ISOPOD_SIMULATOR", knobs)
            .env("ISOPOD_SECRET_KEY_FILE", state.with_extension("key"));
        Watcher { process: WatchProcess::spawn(command, port), state: state.to_path_buf() }
    }

    fn metrics(&self) -> String {
        self.http("GET", "/metrics", &[], b"").1
    }

    fn terminate(self) -> Vec<serde_json::Value> {
        self.process.terminate()
    }
}

/// `isopod plan --simulate` of `config` against the watcher's state: its stdout.
fn plan_against(watcher: &Watcher, config: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_isopod"))
        .args(["plan", "--simulate"])
        .arg(config)
        .env("ISOPOD_STATE_DIR", &watcher.state)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn new_commits_are_applied_an_invalid_one_never_and_drift_is_corrected() {
    let root = tempfile::tempdir().unwrap();
    let source = source_repo(root.path(), VPC, "a VPC");
    let watcher = Watcher::start(&format!("file://{}", source.display()), &root.path().join("work"), "1s");

    // The first commit is planned and applied.
    let applied = watcher.wait_for("apply succeeded", 0);
    assert!(watcher.metrics().contains("isopod_watch_last_apply_success{stack=\"gitops\"} 1"));

    // An invalid commit is reported with its diagnostics and not applied.
    let invalid = VPC.replace("10.30.0.0/16", "10.30.0.0/33");
    commit(
        &source,
        &format!("{invalid}\nnetwork \"db\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.31.0.0/16\"\n}}\n"),
        "broken",
    );
    let refused = watcher.wait_for("the configuration is invalid", applied);
    assert!(
        watcher.event(refused)["diagnostics"].as_str().unwrap().contains("10.30.0.0/33"),
        "{}",
        watcher.event(refused)
    );
    assert!(watcher.metrics().contains("isopod_watch_invalid_revisions_total{stack=\"gitops\"} 1"));
    // What is live is still the first revision: the second network was never made.
    let first = root.path().join("first");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::write(first.join("main.iso"), VPC).unwrap();
    assert!(plan_against(&watcher, &first).contains("No changes"), "the first revision stays in force");

    // Drift made in the simulator (the subnet deleted by hand) is found and corrected.
    let state = watcher.state.join("simulator.json");
    let mut simulated: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    simulated["resources"].as_array_mut().unwrap().retain(|r| r["kind"] != "aws_subnet");
    let edited = state.with_extension("edit");
    std::fs::write(&edited, simulated.to_string()).unwrap();
    std::fs::rename(&edited, &state).unwrap();
    let drift = watcher.wait_for("drift:", refused);
    assert!(
        watcher.event(drift)["changes"].as_str().unwrap().contains("create aws_subnet.app.a"),
        "{}",
        watcher.event(drift)
    );
    watcher.wait_for("apply succeeded", drift);
    assert!(plan_against(&watcher, &first).contains("No changes"), "the subnet is back");

    // A valid commit again: applied.
    commit(
        &source,
        &format!("{VPC}\nnetwork \"db\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.31.0.0/16\"\n}}\n"),
        "a second VPC",
    );
    let second = watcher.wait_for("new revision: a second VPC", drift);
    watcher.wait_for("apply succeeded", second);
    assert!(plan_against(&watcher, &source.join("net")).contains("No changes"));
    // A commit outside the configuration's folder is taken as in force without a plan.
    std::fs::write(source.join("README.md"), "The network.\n").unwrap();
    git(&source, &["add", "-A"]);
    git(&source, &["commit", "-q", "-m", "a README"]);
    let unchanged = watcher.wait_for("nothing changed under net", second);
    assert!(!watcher.log().iter().skip(unchanged).any(|e| message(e).contains("change(s)")));
    let logged = format!("{:?}", watcher.log());
    assert!(!logged.contains(SECRET), "the webhook secret is never logged");
    watcher.terminate();
}

#[test]
fn sigterm_lets_the_apply_in_flight_finish() {
    let root = tempfile::tempdir().unwrap();
    let source = source_repo(root.path(), &many_vpcs(20), "twenty-one VPCs");
    let state = root.path().join("state");
    let watcher = Watcher::start_sharing(
        source.to_str().unwrap(),
        &root.path().join("work"),
        "1s",
        &state,
        "latency=300ms",
        None,
    );
    let applying = watcher.wait_for("applying", 0);
    let log = watcher.terminate();
    let finished = log.iter().position(|e| message(e) == "apply succeeded").expect("the apply finished");
    let stopped = log.iter().position(|e| message(e).contains("stopped by a signal")).unwrap();
    assert!(applying < finished && finished < stopped, "{log:#?}");
    let simulated: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("simulator.json")).unwrap()).unwrap();
    assert_eq!(simulated["calls"]["create"], 22, "the whole plan was applied");
}

/// The one-VPC configuration with `n` more VPCs.
fn many_vpcs(n: usize) -> String {
    let mut text = String::from(VPC);
    for n in 0..n {
        text.push_str(&format!(
            "\nnetwork \"site-{n}\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.{}.0.0/16\"\n}}\n",
            100 + n
        ));
    }
    text
}

#[test]
fn a_signed_webhook_fetches_over_smart_http_at_once_and_a_badly_signed_one_is_rejected() {
    let root = tempfile::tempdir().unwrap();
    let source = source_repo(root.path(), VPC, "a VPC");
    let served = root.path().join("served");
    std::fs::create_dir(&served).unwrap();
    git(&served, &["clone", "-q", "--bare", source.to_str().unwrap(), "net.git"]);
    let server = GitHttp::start(&served);
    // An hour between fetches: only the webhook can bring the second commit in time.
    let watcher = Watcher::start(&format!("{}/net.git", server.url), &root.path().join("work"), "1h");
    let applied = watcher.wait_for("apply succeeded", 0);
    assert_eq!(watcher.http("GET", "/healthz", &[], b"").0, 200);

    commit(
        &source,
        &format!("{VPC}\nnetwork \"db\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.31.0.0/16\"\n}}\n"),
        "a second VPC",
    );
    git(&source, &["push", "-q", served.join("net.git").to_str().unwrap(), "main"]);
    let payload = br#"{"ref":"refs/heads/main","after":"0000000000000000000000000000000000000000"}"#;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(payload);
    let signature: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let event = ("X-GitHub-Event", "push".to_string());

    // Unsigned, and signed with another secret: refused, and nothing is fetched.
    let unsigned = watcher.http("POST", "/webhook", std::slice::from_ref(&event), payload);
    assert_eq!(unsigned.0, 401, "{}", unsigned.1);
    let forged = ("X-Hub-Signature-256", format!("sha256={}", "0".repeat(64)));
    assert_eq!(watcher.http("POST", "/webhook", &[event.clone(), forged], payload).0, 401);
    let tampered = ("X-Hub-Signature-256", format!("sha256={signature}"));
    assert_eq!(
        watcher.http("POST", "/webhook", &[event.clone(), tampered.clone()], b"{\"ref\":\"refs/heads/evil\"}").0,
        401
    );
    assert!(watcher.metrics().contains("isopod_watch_webhooks_total{outcome=\"rejected\"} 3"), "{}", watcher.metrics());
    let rejected = watcher.wait_for("webhook rejected", applied);
    assert_eq!(watcher.event(rejected)["level"], "WARN");

    // Signed with the secret: fetched at once, planned and applied.
    let (status, _) = watcher.http("POST", "/webhook", &[event, tampered], payload);
    assert_eq!(status, 202);
    let second = watcher.wait_for("new revision: a second VPC", applied);
    watcher.wait_for("apply succeeded", second);
    assert!(watcher.metrics().contains("isopod_watch_webhooks_total{outcome=\"accepted\"} 1"));
    watcher.terminate();
}

/// Two watchers of one repository of 21 VPCs sharing the state folder `state` (the simulated
/// cloud) and, with `shared`, the stack's state in that database (leases of 3 s).
fn two_watchers(shared: Option<&str>) -> (tempfile::TempDir, PathBuf, PathBuf, Watcher, Watcher) {
    let root = tempfile::tempdir().unwrap();
    let source = source_repo(root.path(), &many_vpcs(20), "twenty-one VPCs");
    let state = root.path().join("state");
    let url = source.to_str().unwrap();
    // Slow calls: both watchers plan the whole change before either has applied it.
    let knobs = "latency=300ms";
    let one = Watcher::start_sharing(url, &root.path().join("one"), "1s", &state, knobs, shared);
    let two = Watcher::start_sharing(url, &root.path().join("two"), "1s", &state, knobs, shared);
    (root, source, state, one, two)
}

fn simulated_creates(state: &Path) -> serde_json::Value {
    let simulated: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("simulator.json")).unwrap()).unwrap();
    simulated["calls"]["create"].clone()
}

#[test]
fn watchers_sharing_a_state_folder_never_apply_at_once() {
    let (_root, source, state, one, two) = two_watchers(None);
    // A folder is one machine's: both follow the stack; one applies, the other waits for the
    // lock, plans again and finds nothing to do.
    for watcher in [&one, &two] {
        watcher.wait_for("plan: 22 change(s)", 0);
        let planned = watcher.wait_for("new revision", 0);
        let settled = watcher.log().iter().skip(planned).any(|e| message(e).contains("apply succeeded"));
        if !settled {
            watcher.wait_for("apply succeeded", planned);
        }
    }
    assert_eq!(simulated_creates(&state), 22, "21 VPCs and a subnet, each created once");
    assert!(plan_against(&one, &source.join("net")).contains("No changes"));
    one.terminate();
    two.terminate();
}

#[test]
fn watchers_sharing_a_postgres_state_follow_a_stack_one_at_a_time_and_take_over_a_dead_one() {
    let server = isopod_test_support::Postgres::start();
    // The simulated cloud is the folder both share; the lock, journal, claims and history are
    // the database's (no lock file is ever made in the folder).
    let (_root, source, state, one, two) = two_watchers(Some(&server.url));
    let follower = loop {
        let found = [&one, &two].into_iter().find(|w| w.log().iter().any(|e| message(e) == "apply succeeded"));
        if let Some(found) = found {
            break found;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let other = if std::ptr::eq(follower, &one) { &two } else { &one };
    assert_eq!(simulated_creates(&state), 22, "21 VPCs and a subnet, each created once");
    assert!(!state.join("lock").exists() && !state.join("journal.jsonl").exists(), "the folder's lock was not used");
    let planned_elsewhere = other.log().iter().any(|e| message(e).contains("change(s)"));
    assert!(!planned_elsewhere, "only the follower plans the stack");

    // The follower dies: the other takes the stack over once its claim expires (3 s).
    let head = |source: &Path| {
        let out = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(source).output().unwrap().stdout;
        String::from_utf8(out).unwrap().trim().to_string()
    };
    let first = head(&source);
    let pid = follower.pid().to_string();
    assert!(Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    commit(&source, &many_vpcs(21), "twenty-two VPCs");
    let taken = other.wait_for("following the stack", 0);
    other.wait_for("apply succeeded", taken);
    assert_eq!(simulated_creates(&state), 23);
    let mut client = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    let runs: Vec<String> =
        client.query("SELECT run FROM runs ORDER BY id", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    let runs: Vec<serde_json::Value> = runs.iter().map(|r| serde_json::from_str(r).unwrap()).collect();
    let revisions: Vec<&str> = runs.iter().map(|r| r["revision"].as_str().unwrap()).collect();
    assert_eq!(revisions, [first, head(&source)], "one apply per revision, each recorded with its revision");
    assert_eq!(runs.iter().map(|r| r["summary"]["created"].as_u64().unwrap()).sum::<u64>(), 23, "{runs:?}");
    drop(client);
    let _ = if std::ptr::eq(other, &one) { one.terminate() } else { two.terminate() };
}
