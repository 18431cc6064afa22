//! `isopod` with its state in PostgreSQL (`ISOPOD_STATE`), run as a process against the
//! simulator and a real PostgreSQL server started on 127.0.0.1 for the test: the lock, the
//! journal, the secret store, the record of regions and the history of runs all go to the
//! database, and nothing of them to the configuration's folder.

use isopod_test_support::Postgres;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `isopod ARGS DIR` with the state at `url`, a secret key of its own, and `knobs` for the
/// simulator; leases of 2 s, so that a killed holder's lease expires within the test.
fn isopod(args: &[&str], dir: &Path, url: &str, knobs: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("ISOPOD_STATE", url)
        .env("ISOPOD_STATE_LEASE", "2s")
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"))
        .env("ISOPOD_SIMULATOR", knobs)
        .stdin(std::process::Stdio::null());
    command
}

fn run(args: &[&str], dir: &Path, url: &str) -> Output {
    isopod(args, dir, url, "").output().expect("the binary runs")
}

/// A folder with a copy of the example `name`.
fn example(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("examples").join(name).join("main.iso"), dir.path().join("main.iso")).unwrap();
    dir
}

fn query_count(url: &str, sql: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client.query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn a_stack_s_state_lives_in_the_database_and_its_folder_keeps_only_the_simulator() {
    let server = Postgres::start();
    let dir = example("two-cloud-tunnel");
    let out = run(&["apply", "--simulate", "--yes"], dir.path(), &server.url);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stderr).contains("generated and stored 4 pre-shared key(s)"), "{}", text(&out.stderr));
    let kept: Vec<String> = std::fs::read_dir(dir.path().join(".isopod"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept, ["simulator.json"], "no lock, journal, secrets or scopes in the folder");
    // The keys were generated once, kept sealed in the database: a plan finds them there.
    let out = run(&["plan", "--simulate", "--detailed-exitcode"], dir.path(), &server.url);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let listed = run(&["secret", "list", "--dir"], dir.path(), &server.url);
    assert_eq!(text(&listed.stdout).lines().count(), 4, "{}{}", text(&listed.stdout), text(&listed.stderr));
    // Sealed: the value the simulator holds for a tunnel is nowhere in the database.
    let simulator = std::fs::read_to_string(dir.path().join(".isopod/simulator.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&simulator).unwrap();
    let psk = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["attrs"]["tunnel1_preshared_key"]["string"].as_str())
        .expect("the simulator keeps the tunnel's key")
        .to_string();
    let mut client = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    let bodies: Vec<String> =
        client.query("SELECT body FROM documents", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(bodies.len(), 2, "the secret store and the record of regions");
    assert!(bodies.iter().all(|body| !body.contains(&psk)), "a key in the clear in the database");
    // The history has the run; the journal is empty after a clean run; no lease is left.
    assert_eq!(query_count(&server.url, "SELECT count(*) FROM runs"), 1);
    assert_eq!(query_count(&server.url, "SELECT count(*) FROM journal"), 0);
    assert_eq!(query_count(&server.url, "SELECT count(*) FROM leases"), 0);
    // The same stack from another folder (another machine) sees the same secrets.
    let elsewhere = example("two-cloud-tunnel");
    std::fs::copy(dir.path().join("test-secret.key"), elsewhere.path().join("test-secret.key")).unwrap();
    let listed = run(&["secret", "list", "--dir"], elsewhere.path(), &server.url);
    assert_eq!(text(&listed.stdout).lines().count(), 4);
}

#[test]
fn a_stack_leased_elsewhere_is_not_applied_and_a_killed_holder_s_lease_expires() {
    let server = Postgres::start();
    let dir = example("two-cloud-tunnel");
    // Another machine holds the stack's lease.
    let mut client = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    // The schema comes with the first connection of isopod itself.
    let out = run(&["plan", "--simulate"], dir.path(), &server.url);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let holder = r#"{"pid":7,"host":"watcher-2","command":"isopod watch","since":0}"#;
    client
        .execute(
            "INSERT INTO leases (stack, token, holder, expires_at) VALUES ('two-cloud', nextval('fencing_tokens'), $1, now() + interval '1 hour')",
            &[&holder],
        )
        .unwrap();
    let out = run(&["apply", "--simulate", "--yes"], dir.path(), &server.url);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the stack is locked by `isopod watch` (process 7 on watcher-2"),
        "{}",
        text(&out.stderr)
    );
    client.execute("DELETE FROM leases", &[]).unwrap();

    // An apply killed (kill -9) in the middle leaves its lease and its calls in flight; the next
    // one waits for the lease to expire, says what was in flight, and converges.
    let mut killed_in_flight = 0;
    for delay in [150, 300, 450] {
        let mut child =
            isopod(&["apply", "--simulate", "--yes", "--parallelism", "2"], dir.path(), &server.url, "latency=40ms")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let open = query_count(&server.url, "SELECT count(*) FROM journal");
        let out = run(&["apply", "--simulate", "--yes", "--lock-timeout", "30s"], dir.path(), &server.url);
        assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
        if open > 0 && text(&out.stderr).contains("the previous apply stopped with") {
            killed_in_flight += 1;
        }
        let out = run(&["plan", "--simulate", "--detailed-exitcode"], dir.path(), &server.url);
        assert_eq!(out.status.code(), Some(0), "converged: {}{}", text(&out.stdout), text(&out.stderr));
        let out = run(&["destroy", "--simulate", "--yes"], dir.path(), &server.url);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    assert!(killed_in_flight >= 1, "no kill landed while calls were in flight");
    assert!(query_count(&server.url, "SELECT count(*) FROM runs") >= 6, "every finished run is in the history");
}

#[test]
fn an_apply_whose_lease_is_taken_stops_before_its_next_call() {
    let server = Postgres::start();
    let dir = example("two-cloud-tunnel");
    let child =
        isopod(&["apply", "--simulate", "--yes", "--parallelism", "1"], dir.path(), &server.url, "latency=100ms")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
    // Once it holds the lease and has made a call, another machine takes the stack over (as
    // after the first one's lease expired while it was paused).
    let started = std::time::Instant::now();
    let journal = || {
        let mut client = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
        // Before the apply's first connection, there is no schema yet.
        client.query_one("SELECT count(*) FROM journal", &[]).map_or(0, |row| row.get::<_, i64>(0))
    };
    while journal() < 2 {
        assert!(started.elapsed() < Duration::from_secs(30), "the apply never started its calls");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut client = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    let taken = client
        .execute(
            "UPDATE leases SET token = nextval('fencing_tokens'), holder = $1, expires_at = now() + interval '1 hour'",
            &[&r#"{"pid":9,"host":"watcher-3","command":"isopod watch","since":0}"#],
        )
        .unwrap();
    assert_eq!(taken, 1);
    let journal_then = query_count(&server.url, "SELECT count(*) FROM journal");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(said.contains("the stack's lease was lost"), "{said}");
    // At most the call in flight finished after the take-over: nothing more was written.
    assert!(query_count(&server.url, "SELECT count(*) FROM journal") <= journal_then + 1);
    // The stale holder did not release the new holder's lease.
    assert_eq!(query_count(&server.url, "SELECT count(*) FROM leases"), 1);
    client.execute("DELETE FROM leases", &[]).unwrap();
    let out = run(&["apply", "--simulate", "--yes"], dir.path(), &server.url);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let out = run(&["plan", "--simulate", "--detailed-exitcode"], dir.path(), &server.url);
    assert_eq!(out.status.code(), Some(0), "converged: {}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn an_unreachable_or_misnamed_state_stops_before_anything_is_planned() {
    let dir = example("two-cloud-tunnel");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://isopod:hunter2@127.0.0.1:{port}/isopod");
    let out = run(&["apply", "--simulate", "--yes"], dir.path(), &url);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("postgres://isopod:***@127.0.0.1:{port}/isopod")), "{stderr}");
    assert!(stderr.contains("Connection refused"), "the cause is said: {stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(!dir.path().join(".isopod").exists(), "nothing was planned or created");
    let out = run(&["plan", "--simulate"], dir.path(), "mysql://db/isopod");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is neither a PostgreSQL URL"), "{}", text(&out.stderr));
}
