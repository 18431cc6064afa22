//! The fleet's figures, measured on this machine against the embedded simulator and a real
//! PostgreSQL on 127.0.0.1 (`cargo bench --bench fleet`):
//!
//! - From a signed push webhook to the new revision's plan visible in the API: 30 stacks in one
//!   repository, each push changing one stack's folder, sent to one watcher and read from
//!   another's API; three watchers sharing PostgreSQL, and side by side one watcher alone with
//!   state folders. Median and p99.
//! - A watcher's memory (resident, peak, threads) once it follows 100 stacks, each planned.
//!
//! `ISOPOD_BENCH_SAMPLES` pushes per setup (default 60).

use hmac::{Hmac, KeyInit as _, Mac as _};
use isopod_test_support::fleet::{FleetRepo, one_vpc, stack_name};
use isopod_test_support::watcher::{WatchProcess, free_port};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SECRET: &str = "bench-webhook-secret";
const TOKEN: &str = "bench-api-token";

fn main() {
    let samples: usize = std::env::var("ISOPOD_BENCH_SAMPLES").ok().and_then(|n| n.parse().ok()).unwrap_or(60);
    let server = isopod_test_support::Postgres::start();
    println!(
        "webhook -> plan visible in the API, 30 stacks, {samples} pushes each (one stack's folder changed per push)"
    );
    let shared = latency(30, 3, Some(&server.url), samples);
    let alone = latency(30, 1, None, samples);
    report("3 watchers, PostgreSQL", &shared);
    report("1 watcher, state folders", &alone);
    println!("p99 shared / alone: {:.2}x", percentile(&shared, 0.99) / percentile(&alone, 0.99));
    memory(100, &server.url);
}

fn epoch() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// A watcher of the fleet in `root` (number `n`), only webhooks fetching (an hour's interval).
fn watcher(root: &Path, n: usize, shared: Option<&str>) -> WatchProcess {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .args(["watch", "--fleet"])
        .arg(root.join("fleet.toml"))
        .args(["--simulate", "--apply", "auto", "--log-format", "json"])
        .args(["--interval", "1h", "--drift-interval", "0", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--workdir")
        .arg(root.join(format!("watcher{n}")))
        .arg("--state-dir")
        .arg(root.join("clouds"))
        .env("ISOPOD_WEBHOOK_SECRET", SECRET)
        .env("ISOPOD_SECRET_KEY_FILE", root.join("secret.key"))
        .env("ISOPOD_API_TOKEN_FILE", root.join("token"))
        .env("ISOPOD_STATE_LEASE", "6s");
    if let Some(url) = shared {
        command.args(["--state", url]);
    }
    let watcher = WatchProcess::spawn(command, port);
    watcher.wait_listening();
    watcher
}

/// The API's view of stack `name` on `watcher`.
fn stack(watcher: &WatchProcess, name: &str) -> serde_json::Value {
    let auth = [("Authorization", format!("Bearer {TOKEN}"))];
    let (status, body) = watcher.http("GET", &format!("/api/v1/stacks/{name}"), &auth, b"");
    if status != 200 {
        return serde_json::Value::Null;
    }
    serde_json::from_str(&body).unwrap_or_default()
}

/// Waits until every stack's plan of `revision` is visible on `watcher`.
fn wait_planned(watcher: &WatchProcess, stacks: usize, revision: &str, limit: Duration) {
    let started = Instant::now();
    while !(1..=stacks).all(|n| stack(watcher, &stack_name(n))["revision_in_force"] == revision) {
        assert!(started.elapsed() < limit, "not every stack planned {revision} in {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `samples` pushes, each to one stack, webhook at one watcher, seen in another's API.
fn latency(stacks: usize, watchers: usize, shared: Option<&str>, samples: usize) -> Vec<f64> {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    if let Some(url) = shared {
        let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let _ = client.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    }
    let repo = FleetRepo::create(root, stacks, one_vpc);
    repo.write_fleet(&root.join("fleet.toml"));
    std::fs::write(root.join("token"), TOKEN).unwrap();
    let running: Vec<WatchProcess> = (0..watchers).map(|n| watcher(root, n, shared)).collect();
    wait_planned(&running[0], stacks, &repo.head(), Duration::from_secs(300));
    let mut seconds = Vec::new();
    for sample in 0..samples {
        let n = sample % stacks + 1;
        repo.commit([n], |n| format!("{}# push {sample}\n", one_vpc(n)), &format!("push {sample}"));
        let revision = repo.head();
        let payload = br#"{"ref":"refs/heads/main"}"#;
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(payload);
        let signature: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let headers = [("X-GitHub-Event", "push".to_string()), ("X-Hub-Signature-256", format!("sha256={signature}"))];
        let (to, from) = (&running[sample % watchers], &running[(sample + 1) % watchers]);
        let (pushed, pushed_at) = (Instant::now(), epoch());
        let (status, body) = to.http("POST", "/webhook", &headers, payload);
        assert_eq!(status, 202, "{body}");
        loop {
            let seen = stack(from, &stack_name(n));
            if seen["revision_in_force"] == revision.as_str() && seen["last_plan"]["at"].as_f64() >= Some(pushed_at) {
                break;
            }
            assert!(pushed.elapsed() < Duration::from_secs(60), "push {sample} never planned: {seen}");
            std::thread::sleep(Duration::from_millis(10));
        }
        seconds.push(pushed.elapsed().as_secs_f64());
    }
    for watcher in running {
        watcher.terminate();
    }
    seconds
}

fn percentile(seconds: &[f64], p: f64) -> f64 {
    let mut sorted = seconds.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn report(setup: &str, seconds: &[f64]) {
    println!(
        "{setup:<26} median {:.3} s  p99 {:.3} s  max {:.3} s",
        percentile(seconds, 0.5),
        percentile(seconds, 0.99),
        percentile(seconds, 1.0)
    );
}

/// One watcher with `stacks` stacks, each planned once: its resident memory, peak and threads.
fn memory(stacks: usize, url: &str) {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let _ = client.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    let repo = FleetRepo::create(root, stacks, one_vpc);
    repo.write_fleet(&root.join("fleet.toml"));
    std::fs::write(root.join("token"), TOKEN).unwrap();
    let started = Instant::now();
    let one = watcher(root, 0, Some(url));
    wait_planned(&one, stacks, &repo.head(), Duration::from_secs(900));
    let took = started.elapsed();
    let status = std::fs::read_to_string(format!("/proc/{}/status", one.pid())).unwrap();
    let field = |name: &str| {
        status.lines().find_map(|line| line.strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default()
    };
    println!(
        "1 watcher, {stacks} stacks applied and planned in {:.1} s: resident {}, peak {}, threads {}",
        took.as_secs_f64(),
        field("VmRSS:"),
        field("VmHWM:"),
        field("Threads:")
    );
    one.terminate();
}
