//! A fleet of watchers as processes: three `isopod watch` sharing twenty stacks through a real
//! PostgreSQL, applied to the embedded simulator; one killed with every child it started in the
//! middle of an apply, as when its machine dies; then the API of a survivor; and the web view
//! loaded in a real browser (headless Chromium, Debian's `chromium`) showing a tunnel's edge turn
//! red when the simulator takes it down.

use isopod_test_support::fleet::{FleetRepo, git, one_vpc, stack_name};
use isopod_test_support::watcher::{WatchProcess, free_port, message};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const STACKS: usize = 20;
const TOKEN: &str = "api-token-for-tests";

/// Stack `n` with `vpcs` VPCs (the first with a subnet); stack 1 also has a tunnel to GCP, so
/// that a key is generated, sealed and kept in the database.
fn stack_text(n: usize, vpcs: usize) -> String {
    let mut text = one_vpc(n);
    for v in 1..vpcs {
        text.push_str(&format!(
            "\nnetwork \"extra{v}\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.{n}.{}.0/24\"\n}}\n",
            16 + v
        ));
    }
    if n == 1 {
        text.push_str(
            "\ncloud \"gcp\" \"data\" {\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}\n\n\
             network \"analytics\" {\n  cloud = cloud.gcp.data\n  cidr  = \"10.200.0.0/16\"\n\n  \
             subnet \"main\" {\n    cidr = cidrsubnet(self.cidr, 4, 0)\n  }\n}\n\n\
             tunnel \"app-analytics\" {\n  between = [network.app, network.analytics]\n  routing = \"bgp\"\n  ha      = true\n}\n",
        );
    }
    text
}

/// This machine's name, as watchers describe themselves.
fn host() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default()
}

/// A run the database holds.
#[derive(Debug)]
struct Recorded {
    stack: String,
    revision: String,
    started: f64,
    finished: f64,
    succeeded: bool,
}

/// The runs the database holds, oldest first.
fn runs(url: &str) -> Vec<Recorded> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    // Empty until the first watcher has migrated the database.
    let rows = client.query("SELECT stack, run FROM runs ORDER BY id", &[]).unwrap_or_default();
    rows.iter()
        .map(|row| {
            let run: serde_json::Value = serde_json::from_str(&row.get::<_, String>(1)).unwrap();
            let revision = run["revision"].as_str().unwrap_or_default().to_string();
            let (started, finished) = (run["started"].as_f64().unwrap(), run["finished"].as_f64().unwrap());
            Recorded { stack: row.get(0), revision, started, finished, succeeded: run["succeeded"].as_bool().unwrap() }
        })
        .collect()
}

/// Waits (up to `limit`) until every stack has a successful run of `revision`.
fn wait_until_applied(url: &str, revision: &str, limit: Duration) {
    let started = Instant::now();
    loop {
        let done: BTreeSet<String> =
            runs(url).into_iter().filter(|r| r.revision == revision && r.succeeded).map(|r| r.stack).collect();
        if done.len() == STACKS {
            return;
        }
        assert!(started.elapsed() < limit, "only {} stacks applied {revision}: {done:?}", done.len());
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A watcher of the fleet in `root`.
fn start_watcher(root: &Path, n: usize, url: &str) -> WatchProcess {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .args(["watch", "--fleet"])
        .arg(root.join("fleet.toml"))
        .args(["--state", url, "--simulate", "--apply", "auto", "--log-format", "json"])
        .args(["--interval", "1s", "--drift-interval", "0", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--workdir")
        .arg(root.join(format!("watcher{n}")))
        // The simulated clouds, one folder per stack, which every watcher (machine) reaches.
        .arg("--state-dir")
        .arg(root.join("clouds"))
        .env("ISOPOD_STATE_LEASE", "3s")
        .env("ISOPOD_SIMULATOR", "latency=400ms")
        .env("ISOPOD_SECRET_KEY_FILE", root.join("secret.key"))
        .env("ISOPOD_API_TOKEN_FILE", root.join("token"));
    WatchProcess::spawn(command, port)
}

/// The stacks a watcher's log says it started following, in order.
fn followed(watcher: &WatchProcess) -> Vec<String> {
    let log = watcher.log();
    log.iter()
        .filter(|e| message(e) == "following the stack")
        .filter_map(|e| e["stack"].as_str().map(str::to_string))
        .collect()
}

fn simulated(root: &Path, stack: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root.join("clouds").join(stack).join("simulator.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn three_watchers_share_twenty_stacks_and_finish_the_stacks_of_one_killed_mid_apply() {
    let server = isopod_test_support::Postgres::start();
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let repo = FleetRepo::create(root, STACKS, |n| stack_text(n, 2));
    let source = repo.source.clone();
    let first = repo.head();
    repo.write_fleet(&root.join("fleet.toml"));
    std::fs::write(root.join("token"), format!("{TOKEN}\n")).unwrap();
    let mut watchers: Vec<WatchProcess> = (0..3).map(|n| start_watcher(root, n, &server.url)).collect();

    // The first revision: every stack applied once, by one watcher; all three have a share.
    wait_until_applied(&server.url, &first, Duration::from_secs(180));
    // The claims: each stack followed by one watcher, every watcher with a share (a watcher
    // that started later took its share from the others).
    // (A stack handed over is claimed by the other within a heartbeat: wait for it.)
    let mut client = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    let started = Instant::now();
    loop {
        let claims = client.query("SELECT stack, holder FROM leases WHERE stack LIKE 'watch/%'", &[]).unwrap();
        let mut shares: BTreeMap<String, usize> = BTreeMap::new();
        for claim in &claims {
            *shares.entry(claim.get(1)).or_default() += 1;
        }
        if claims.len() == STACKS && shares.len() == 3 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{} claims, shares {shares:?}", claims.len());
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(client);

    // The second revision; the first watcher to start applying it dies with its children.
    let marks: Vec<usize> = watchers.iter().map(|w| w.log().len()).collect();
    repo.commit(1..=STACKS, |n| stack_text(n, 4), "four VPCs each");
    let second = repo.head();
    let started = Instant::now();
    let victim = loop {
        if let Some(found) = (0..3).find(|&n| watchers[n].logged("applying", marks[n])) {
            break found;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no apply of the second revision started");
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(300));
    let orphaned = followed(&watchers[victim]);
    watchers[victim].kill_machine();
    // It died in the middle of applying (an apply it started never ended).
    let interrupted: BTreeSet<String> = {
        let log = watchers[victim].log();
        let applying = log.iter().skip(marks[victim]).filter(|e| message(e) == "applying");
        let started: BTreeSet<String> = applying.filter_map(|e| e["stack"].as_str().map(str::to_string)).collect();
        let ended = log.iter().skip(marks[victim]).filter(|e| message(e).starts_with("apply "));
        let ended: BTreeSet<String> = ended.filter_map(|e| e["stack"].as_str().map(str::to_string)).collect();
        started.difference(&ended).cloned().collect()
    };
    assert!(!interrupted.is_empty(), "the watcher was killed between applies");
    let victim_pid = watchers[victim].pid();
    wait_until_applied(&server.url, &second, Duration::from_secs(240));

    // Each stack applied once per revision, its applies never overlapping.
    let recorded = runs(&server.url);
    let mut by_stack: BTreeMap<&str, Vec<&Recorded>> = BTreeMap::new();
    for run in &recorded {
        by_stack.entry(&run.stack).or_default().push(run);
    }
    for (stack, runs) in &by_stack {
        for revision in [&first, &second] {
            let applied = runs.iter().filter(|r| &r.revision == revision && r.succeeded).count();
            assert_eq!(applied, 1, "{stack} applied {revision} {applied} times: {runs:?}");
        }
        for pair in runs.windows(2) {
            assert!(pair[0].finished <= pair[1].started, "{stack}: two applies overlap: {pair:?}");
        }
    }
    // The killed watcher's stacks were taken over by the others.
    let survivors: Vec<usize> = (0..3).filter(|&n| n != victim).collect();
    let taken: BTreeSet<String> = survivors.iter().flat_map(|&n| followed(&watchers[n])).collect();
    for stack in &orphaned {
        assert!(taken.contains(stack), "{stack} of the killed watcher was not taken over");
    }
    for stack in &interrupted {
        let by_survivor = by_stack[stack.as_str()].iter().any(|r| r.revision == second && r.succeeded);
        assert!(by_survivor, "{stack}, interrupted mid-apply, was finished by another watcher");
    }
    // Nothing created twice, nothing orphaned: every stack's simulated cloud has exactly its
    // configuration's resources (a plan finds nothing to do).
    for n in 1..=STACKS {
        let name = stack_name(n);
        let state = simulated(root, &name);
        let vpcs = state["resources"].as_array().unwrap().iter().filter(|r| r["kind"] == "aws_vpc").count();
        assert_eq!(vpcs, 4, "{name}: {}", state["resources"]);
        let plan = Command::new(env!("CARGO_BIN_EXE_isopod"))
            .args(["plan", "--simulate", "--detailed-exitcode", "--state", &server.url])
            .arg(source.join("stacks").join(&name))
            .env("ISOPOD_STATE_DIR", root.join("clouds").join(&name))
            .env("ISOPOD_SECRET_KEY_FILE", root.join("secret.key"))
            .output()
            .unwrap();
        assert_eq!(plan.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&plan.stdout));
    }

    // The API of a survivor answers for every stack.
    let api = &watchers[survivors[0]];
    let bearer = ("Authorization", format!("Bearer {TOKEN}"));
    let auth = std::slice::from_ref(&bearer);
    let (status, _) = api.http("GET", "/api/v1/stacks", &[], b"");
    assert_eq!(status, 401, "reads need the token once one is set");
    let (status, _) = api.http("GET", "/api/v1/stacks", &[("Authorization", "Bearer wrong".into())], b"");
    assert_eq!(status, 401);
    let mut bodies = Vec::new();
    let (status, body) = api.http("GET", "/api/v1/stacks", auth, b"");
    assert_eq!(status, 200, "{body}");
    let stacks: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stacks.as_array().unwrap().len(), STACKS);
    for stack in stacks.as_array().unwrap() {
        assert_eq!(stack["revision_in_force"], second.as_str(), "{stack}");
        assert_eq!(stack["pending_changes"], serde_json::json!([]), "{stack}");
        assert!(!stack["followed_by"].as_str().unwrap().contains(&format!("process {victim_pid} ")), "{stack}");
        assert_eq!(stack["last_run"]["revision"], second.as_str(), "{stack}");
    }
    bodies.push(body);
    let s01 = &stacks[0];
    assert_eq!((s01["name"].as_str(), s01["tunnels"]["up"].as_u64()), (Some("s01"), Some(1)), "{s01}");
    for path in
        ["/api/v1/stacks/s01", "/api/v1/stacks/s01/runs?limit=5", "/api/v1/stacks/s01/plan", "/api/v1/stacks/s01/map"]
    {
        let (status, body) = api.http("GET", path, auth, b"");
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap_or_else(|_| panic!("{path} is JSON: {body}"));
        bodies.push(body);
    }
    let (status, svg) = api.http("GET", "/api/v1/stacks/s01/map?format=svg", auth, b"");
    assert!(status == 200 && svg.contains("data-network=\"analytics\""), "{svg}");
    bodies.push(svg);
    let (status, runs_body) = api.http("GET", "/api/v1/stacks/s01/runs?limit=0", auth, b"");
    assert_eq!(status, 400, "{runs_body}");
    assert_eq!(api.http("GET", "/api/v1/stacks/nope", auth, b"").0, 404);
    assert_eq!(api.http("DELETE", "/api/v1/stacks/s01", auth, b"").0, 405);
    let (status, openapi) = api.http("GET", "/api/v1/openapi.json", &[], b"");
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&openapi).unwrap()["paths"]["/api/v1/stacks"].is_object());
    // A reconcile needs the token; any watcher passes it to the stack's follower.
    assert_eq!(api.http("POST", "/api/v1/stacks/s01/reconcile", &[], b"").0, 401);
    let mark = survivors.iter().map(|&n| watchers[n].log().len()).collect::<Vec<_>>();
    let (status, body) = api.http("POST", "/api/v1/stacks/s01/reconcile", auth, b"");
    assert_eq!(status, 202, "{body}");
    // The watcher whose claim on s01 holds, as the API names it.
    let named = s01["followed_by"].as_str().expect("someone follows s01").to_string();
    let follower_of_s01 =
        survivors.iter().position(|&n| named == format!("process {} on {}", watchers[n].pid(), host()));
    let follower_of_s01 = follower_of_s01.unwrap_or_else(|| panic!("{named} is not a survivor"));
    let started = Instant::now();
    while !watchers[survivors[follower_of_s01]]
        .log()
        .iter()
        .skip(mark[follower_of_s01])
        .any(|e| e["stack"] == "s01" && message(e).contains("in sync"))
    {
        assert!(started.elapsed() < Duration::from_secs(30), "the reconcile asked through the API did not run");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The web view asks for the token once and keeps it in a cookie.
    let (status, page) = api.http("GET", "/", &[], b"");
    assert!(status == 401 && page.contains("name=\"token\""), "{status} {page}");
    let form = ("Content-Type", "application/x-www-form-urlencoded".to_string());
    let (status, _) = api.http("POST", "/login", std::slice::from_ref(&form), b"token=wrong");
    assert_eq!(status, 401);
    let (status, head, _) = api.http_with_headers("POST", "/login", &[form], format!("token={TOKEN}").as_bytes());
    assert_eq!(status, 303, "{head}");
    let cookie = head.lines().find_map(|l| l.strip_prefix("Set-Cookie: ")).expect("a cookie").to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains(TOKEN), "the cookie is not the token: {cookie}");
    let session = ("Cookie", cookie.split(';').next().unwrap().to_string());
    let (status, page) = api.http("GET", "/", std::slice::from_ref(&session), b"");
    assert_eq!(status, 200, "{page}");
    assert_eq!(page.matches("<tr data-stack=").count(), STACKS, "{page}");
    let (status, page) = api.http("GET", "/stacks/s01", std::slice::from_ref(&session), b"");
    assert!(status == 200 && page.contains("data-network=\"analytics\"") && page.contains("Reconcile now"), "{page}");
    bodies.push(page);
    // No secret in any answer: not the token, not the tunnel's key the simulator holds.
    let psk = simulated(root, "s01")["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["attrs"]["tunnel1_preshared_key"]["string"].as_str().map(str::to_string))
        .expect("the simulator keeps the tunnel's key");
    for body in &bodies {
        assert!(!body.contains(&psk) && !body.contains(TOKEN), "a secret in an answer: {body}");
    }
    for n in survivors.into_iter().rev() {
        watchers.remove(n).terminate();
    }
}

/// Headless Chromium's DOM of `url` after it loaded, and a screenshot of it at `png`.
fn browse(url: &str, png: &Path) -> String {
    let base = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,1100"];
    let dom = Command::new("chromium")
        .args(base)
        .args(["--dump-dom", url])
        .output()
        .expect("headless Chromium (Debian's `chromium`, installed by scripts/test)");
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let shot =
        Command::new("chromium").args(base).arg(format!("--screenshot={}", png.display())).arg(url).output().unwrap();
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    String::from_utf8(dom.stdout).unwrap()
}

/// The status of the link named `link` in a page's DOM.
fn link_status(dom: &str, link: &str) -> Option<String> {
    let at = dom.find(&format!("data-link=\"{link}\""))?;
    let rest = &dom[at..];
    let status = rest.split("data-status=\"").nth(1)?;
    Some(status.split('"').next()?.to_string())
}

#[test]
fn the_web_view_draws_the_map_in_a_browser_and_a_tunnel_taken_down_turns_red() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let source = root.join("source");
    std::fs::create_dir_all(source.join("net")).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two-cloud-tunnel");
    for entry in std::fs::read_dir(&example).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "iso") {
            std::fs::copy(&path, source.join("net").join(path.file_name().unwrap())).unwrap();
        }
    }
    git(&source, &["init", "-q", "-b", "main"]);
    git(&source, &["add", "-A"]);
    git(&source, &["commit", "-q", "-m", "two clouds"]);
    let port = free_port();
    let state = root.join("state");
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .arg("watch")
        .arg(&source)
        .args(["--path", "net", "--simulate", "--apply", "auto", "--log-format", "json"])
        .args(["--interval", "1s", "--drift-interval", "2s", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--workdir")
        .arg(root.join("work"))
        .arg("--state-dir")
        .arg(&state)
        .env("ISOPOD_SECRET_KEY_FILE", root.join("secret.key"))
        .env_remove("ISOPOD_API_TOKEN_FILE");
    let watcher = WatchProcess::spawn(command, port);
    let applied = watcher.wait_for("apply succeeded", 0);
    watcher.wait_for("in sync", applied);

    let artefacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-view");
    std::fs::create_dir_all(&artefacts).unwrap();
    let page = format!("http://127.0.0.1:{port}/stacks/two-cloud");
    let dom = browse(&page, &artefacts.join("stack-up.png"));
    for network in ["app", "analytics"] {
        assert!(dom.contains(&format!("data-network=\"{network}\"")), "{network} is on the map: {dom}");
    }
    assert_eq!(link_status(&dom, "tunnel.app-analytics").as_deref(), Some("up"), "{dom}");
    assert!(dom.contains("http-equiv=\"refresh\""), "the page refreshes itself");
    let index = browse(&format!("http://127.0.0.1:{port}/"), &artefacts.join("stacks.png"));
    assert!(index.contains("data-stack=\"two-cloud\"") && index.contains("1 up"), "{index}");
    assert!(std::fs::metadata(artefacts.join("stack-up.png")).unwrap().len() > 10_000, "a screenshot was saved");

    // Every carrier of the tunnel taken down in the simulator: after the next drift check the
    // page draws the edge red.
    use isopod_provider::Provider as _;
    let simulator = isopod_simulator::Simulator::open(state.join("simulator.json")).unwrap();
    let mut carriers = Vec::new();
    for (cloud, scope, kind) in [
        (isopod_catalog::Cloud::Aws, ("aws.prod", "us-east-1"), isopod_catalog::ResourceKind::AwsVpnConnection),
        (isopod_catalog::Cloud::Gcp, ("gcp.data", "us-central1"), isopod_catalog::ResourceKind::GcpVpnTunnel),
    ] {
        let scope = isopod_catalog::Scope { cloud: scope.0.into(), region: scope.1.into() };
        carriers.extend(isopod_simulator::ready(simulator.provider(cloud).discover(&scope, &[kind])).unwrap());
    }
    for carrier in &carriers {
        simulator.set_tunnel_down(&carrier.provider_id, true).unwrap();
    }
    let started = Instant::now();
    let dom = loop {
        let dom = browse(&page, &artefacts.join("stack-down.png"));
        if link_status(&dom, "tunnel.app-analytics").as_deref() == Some("down") {
            break dom;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the edge never turned red: {dom}");
        std::thread::sleep(Duration::from_secs(1));
    };
    let edge = &dom[dom.find("data-link=\"tunnel.app-analytics\"").unwrap()..];
    assert!(edge[..edge.find("</g>").unwrap()].contains("stroke=\"#c62828\""), "the edge is red: {edge}");
    watcher.terminate();
}
