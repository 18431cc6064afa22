//! `isopod apply`, `plan` and `destroy` run as processes against both real providers at once: an
//! AWS network on moto's EC2 server and a GCP network on the GCP emulator (every request checked
//! against Google's discovery documents), joined by an HA VPN tunnel with BGP; someone else's GCP
//! network that Isopod must never touch; throttled and unavailable answers; and applies killed
//! while operations are pending.

mod clouds;

use clouds::{assert_no_changes, assert_ok, http, isopod, logged, run, text};
use isopod_test_support::{GcpEmulator, Moto};
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

const PROJECT: &str = "isopod-e2e";

/// An AWS network and a GCP network joined by an HA VPN tunnel (four IPsec tunnels, BGP).
fn configuration(moto: &Moto, gcp: &GcpEmulator, ike: &str) -> String {
    format!(
        r#"stack "e2e" {{}}

cloud "aws" "east" {{
  region   = "us-east-1"
  endpoint = "{aws}"
}}

cloud "gcp" "data" {{
  project  = "{PROJECT}"
  region   = "us-central1"
  endpoint = "{gcp}"
}}

network "app" {{
  cloud = cloud.aws.east
  cidr  = "10.30.0.0/16"
}}

network "analytics" {{
  cloud = cloud.gcp.data
  cidr  = "10.40.0.0/16"
}}

tunnel "app-analytics" {{
  between = [network.app, network.analytics]
{ike}}}
"#,
        aws = moto.url,
        gcp = gcp.url
    )
}

/// Someone else's network, inserted through the REST API; waits until its operation is done.
fn foreign_network(gcp: &GcpEmulator) -> String {
    let path = format!("/compute/v1/projects/{PROJECT}/global/networks");
    let body = r#"{"name": "payments", "autoCreateSubnetworks": false, "description": "the payments team's"}"#;
    inserted(gcp, &path, body, "payments")
}

/// POSTs `body` to collection `path` of the REST API and waits until `name` is in it: its path.
fn inserted(gcp: &GcpEmulator, path: &str, body: &str, name: &str) -> String {
    let (status, answer) = rest(&gcp.url, "POST", path, Some(body));
    assert_eq!(status, 200, "{answer}");
    for _ in 0..200 {
        if rest(&gcp.url, "GET", &format!("{path}/{name}"), None).0 == 200 {
            return format!("{path}/{name}");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("{path}/{name} never appeared");
}

/// Each request the emulator logged, as JSON.
fn requests(gcp: &GcpEmulator) -> Vec<serde_json::Value> {
    logged(&gcp.requests())
}

/// One request to the emulator's REST API.
fn rest(url: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    http(url, method, path, "", body)
}

/// How many inserts of each resource path succeeded: more than one means something was created
/// twice (or deleted and created again).
fn successful_inserts(gcp: &GcpEmulator) -> BTreeMap<String, usize> {
    let mut created: BTreeMap<String, usize> = BTreeMap::new();
    for request in requests(gcp) {
        let method = request["method"].as_str().unwrap_or_default();
        let path = request["path"].as_str().unwrap_or_default();
        let inserted = method == "POST" && !path.ends_with("Peering") && !path.contains("/operations/");
        if !inserted || request["status"] != 200 {
            continue;
        }
        let name = request["body"]["name"].as_str().unwrap_or_default();
        *created.entry(format!("{path}/{name}")).or_default() += 1;
    }
    created
}

#[test]
fn an_aws_and_a_gcp_network_joined_by_ha_vpn_apply_change_and_destroy_through_both_sdks() {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05", "--vpn-delay", "0.2"]);
    let foreign = foreign_network(&gcp);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), configuration(&moto, &gcp, "")).unwrap();

    let applied = run(&["apply", "--yes"], dir.path());
    assert_ok(&applied, "apply");
    assert_no_changes(dir.path());
    let (status, network) =
        rest(&gcp.url, "GET", &format!("/compute/v1/projects/{PROJECT}/global/networks/e2e-analytics"), None);
    assert_eq!(status, 200, "{network}");
    assert!(network.contains("isopod:stack=e2e"), "the network carries its owner: {network}");

    // A changed IKE option: AWS changes its tunnels in place; GCP's have no such option.
    let ike = "\n  ike {\n    lifetime = 14400\n  }\n";
    std::fs::write(dir.path().join("main.iso"), configuration(&moto, &gcp, ike)).unwrap();
    let plan = run(&["plan"], dir.path());
    assert_ok(&plan, "plan of the change");
    let planned = text(&plan.stdout);
    assert!(planned.contains("~ aws_vpn_connection.app-analytics.0"), "{planned}");
    assert!(!planned.contains("gcp_vpn_tunnel"), "GCP's tunnels do not change: {planned}");
    let changed = run(&["apply", "--yes"], dir.path());
    assert_ok(&changed, "apply of the change");
    assert_no_changes(dir.path());

    // A tag on the GCP network: the labels of its gateways and tunnels change in place.
    let tagged = configuration(&moto, &gcp, ike).replace(
        "  cidr  = \"10.40.0.0/16\"\n",
        "  cidr  = \"10.40.0.0/16\"\n  tags  = { Team = \"Data Platform\" }\n",
    );
    std::fs::write(dir.path().join("main.iso"), tagged).unwrap();
    let relabelled = text(&run(&["plan"], dir.path()).stdout);
    assert!(relabelled.contains("~ gcp_vpn_tunnel.app-analytics.0"), "{relabelled}");
    assert!(relabelled.contains("team = \"data_platform\""), "{relabelled}");
    assert!(relabelled.contains("6 to update, 0 to replace"), "gateways and tunnels, in place: {relabelled}");
    assert_ok(&run(&["apply", "--yes"], dir.path()), "apply of the labels");
    assert_no_changes(dir.path());
    let tunnel_path = format!("/compute/v1/projects/{PROJECT}/regions/us-central1/vpnTunnels/e2e-app-analytics-0");
    let (_, tunnel) = rest(&gcp.url, "GET", &tunnel_path, None);
    let tunnel: serde_json::Value = serde_json::from_str(&tunnel).unwrap();
    assert_eq!(tunnel["labels"], serde_json::json!({"team": "data_platform", "isopod-stack": "e2e"}), "{tunnel}");

    let reported_status = run(&["status"], dir.path());
    let reported = text(&reported_status.stdout);
    assert!(reported.contains("gcp.data e2e-app-analytics-0"), "each GCP tunnel is reported: {reported}");
    assert!(reported.contains("BGP"), "each BGP session is reported: {reported}");

    let destroyed = run(&["destroy", "--yes"], dir.path());
    assert_ok(&destroyed, "destroy");
    let (found, foreign_after) = rest(&gcp.url, "GET", &foreign, None);
    assert_eq!(found, 200, "someone else's network is still there: {foreign_after}");
    assert!(foreign_after.contains("the payments team's"), "{foreign_after}");
    let touched = requests(&gcp).into_iter().any(|request| {
        let method = request["method"].as_str().unwrap_or_default();
        request["path"].as_str().is_some_and(|path| path.contains("/networks/payments")) && method != "GET"
    });
    assert!(!touched, "no call but reads named someone else's network");
    let (_, left) = rest(&gcp.url, "GET", &format!("/compute/v1/projects/{PROJECT}/global/networks"), None);
    assert!(!left.contains("e2e-"), "nothing of the stack is left: {left}");

    // Tunnel keys: in the tunnel inserts only, never in another request, a plan, or any output.
    let secrets: Vec<String> = requests(&gcp)
        .iter()
        .filter_map(|request| request["body"]["sharedSecret"].as_str().map(str::to_string))
        .collect();
    assert_eq!(secrets.len(), 4, "one key per tunnel insert");
    let elsewhere = requests(&gcp)
        .into_iter()
        .filter(|request| request["body"]["sharedSecret"].is_null())
        .map(|request| request.to_string())
        .chain(
            [&applied, &plan, &changed, &reported_status, &destroyed]
                .iter()
                .map(|out| text(&out.stdout) + &text(&out.stderr)),
        )
        .chain([text(&run(&["plan", "--json"], dir.path()).stdout)])
        .find(|shown| secrets.iter().any(|secret| shown.contains(secret.as_str())));
    assert!(elsewhere.is_none(), "a tunnel key leaked: {elsewhere:?}");
}

/// The two cloud blocks alone, for `discover`.
fn clouds(moto: &Moto, gcp: &GcpEmulator) -> String {
    let full = configuration(moto, gcp, "");
    full[..full.find("network \"app\"").unwrap()].to_string()
}

/// Inserts a subnetwork of someone else's network `payments` through the REST API; waits until
/// it is there: its path.
fn foreign_subnetwork(gcp: &GcpEmulator, name: &str, region: &str, range: &str) -> String {
    let path = format!("/compute/v1/projects/{PROJECT}/regions/{region}/subnetworks");
    let body = format!(
        r#"{{"name": "{name}", "network": "projects/{PROJECT}/global/networks/payments", "ipCidrRange": "{range}"}}"#
    );
    inserted(gcp, &path, &body, name)
}

#[test]
fn a_discovered_gcp_network_plans_no_changes_and_is_connected_without_being_changed() {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05", "--vpn-delay", "0.2"]);
    let network = foreign_network(&gcp);
    let subnetworks = [
        foreign_subnetwork(&gcp, "payments-a", "us-central1", "10.50.0.0/24"),
        foreign_subnetwork(&gcp, "payments-b", "us-central1", "10.50.1.0/24"),
        foreign_subnetwork(&gcp, "payments-west", "us-west1", "10.51.0.0/24"),
    ];
    let state = || {
        let paths = std::iter::once(&network).chain(&subnetworks);
        paths.map(|path| rest(&gcp.url, "GET", path, None)).collect::<Vec<_>>()
    };
    let before = state();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), clouds(&moto, &gcp)).unwrap();

    let out = run(&["discover"], dir.path());
    assert_ok(&out, "discover");
    let written = std::fs::read_to_string(dir.path().join("discovered-gcp-data.iso")).unwrap();
    assert!(written.contains("network \"payments\" {"), "{written}");
    assert!(written.contains("  cidr     = \"10.50.0.0/23\"\n  existing = \"payments\""), "{written}");
    assert!(written.contains("subnet \"payments-b\" {\n    cidr = \"10.50.1.0/24\""), "{written}");
    assert!(!written.contains("10.51.0.0/24"), "another region's subnetwork is left out: {written}");
    assert_ok(&run(&["validate"], dir.path()), "the written files are valid");
    assert_no_changes(dir.path());

    // Connect the discovered network to a new AWS one.
    let added = r#"
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.30.0.0/16"
}

tunnel "app-payments" {
  between = [network.app, network.payments]
}
"#;
    std::fs::write(dir.path().join("added.iso"), added).unwrap();
    let planned = text(&run(&["plan"], dir.path()).stdout);
    assert!(planned.contains("+ gcp_router.payments"), "{planned}");
    assert!(!planned.contains("gcp_network.payments") && !planned.contains("gcp_subnetwork"), "{planned}");
    assert_ok(&run(&["apply", "--yes"], dir.path()), "apply");
    assert_no_changes(dir.path());
    let (_, router) = rest(
        &gcp.url,
        "GET",
        &format!("/compute/v1/projects/{PROJECT}/regions/us-central1/routers/e2e-payments-router"),
        None,
    );
    assert!(router.contains("/global/networks/payments\""), "the router is in the discovered network: {router}");

    // Destroy deletes what the stack made, and nothing of the discovered network.
    assert_ok(&run(&["destroy", "--yes"], dir.path()), "destroy");
    std::fs::remove_file(dir.path().join("added.iso")).unwrap();
    assert_no_changes(dir.path());
    assert_eq!(state(), before, "the discovered network and its subnetworks are untouched");
    let touched = requests(&gcp).into_iter().any(|request| {
        let method = request["method"].as_str().unwrap_or_default();
        let path = request["path"].as_str().unwrap_or_default();
        (path.contains("/networks/payments") || path.contains("/subnetworks/payments")) && method != "GET"
    });
    assert!(!touched, "no call but reads named someone else's network or subnetworks");
}

#[test]
fn throttled_and_unavailable_answers_and_slow_operations_converge_with_nothing_created_twice() {
    let moto = Moto::start();
    let knobs = ["--fault-rate", "0.1", "--seed", "7", "--provisioning-delay", "0.2", "--vpn-delay", "0.5"];
    let gcp = GcpEmulator::start(&[PROJECT], &knobs);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), configuration(&moto, &gcp, "")).unwrap();
    // Discovery itself may meet a fault: a run that stops for one is run again, as a user would.
    let mut applied = run(&["apply", "--yes"], dir.path());
    for _ in 0..3 {
        if applied.status.code() == Some(0) {
            break;
        }
        applied = run(&["apply", "--yes"], dir.path());
    }
    assert_ok(&applied, "apply against a faulty API");
    let faults = requests(&gcp).iter().filter(|request| request["fault"] == true).count();
    assert!(faults > 0, "the emulator answered no fault: the test proves nothing");
    let twice: Vec<_> = successful_inserts(&gcp).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(twice.is_empty(), "created twice: {twice:?}");
    let mut plan = run(&["plan", "--detailed-exitcode"], dir.path());
    for _ in 0..3 {
        if plan.status.code() != Some(1) {
            break;
        }
        plan = run(&["plan", "--detailed-exitcode"], dir.path());
    }
    assert_ok(&plan, "no changes after a faulty apply");
}

/// How many operation polls the emulator has answered.
fn operation_polls(gcp: &GcpEmulator) -> usize {
    let polls = requests(gcp).into_iter();
    polls.filter(|request| request["path"].as_str().is_some_and(|path| path.contains("/operations/"))).count()
}

#[test]
fn an_apply_killed_while_operations_are_pending_converges_when_run_again() {
    let moto = Moto::start();
    // Each gateway and tunnel operation takes 0.6 s: the kills land while they are pending.
    let gcp = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.2", "--vpn-delay", "0.6"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), configuration(&moto, &gcp, "")).unwrap();
    // Killed (SIGKILL) after the 1st, 3rd, 1st and 2nd poll of a pending operation of each run
    // (each run has less left to do: later kill points would often find it finished).
    let mut killed = 0;
    for polls in [1, 3, 1, 2] {
        let before = operation_polls(&gcp);
        let mut child =
            isopod(&["apply", "--yes"], dir.path()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let started = std::time::Instant::now();
        while operation_polls(&gcp) < before + polls && started.elapsed() < Duration::from_secs(60) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        killed += usize::from(child.try_wait().unwrap().is_none());
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(killed >= 2, "only {killed} of 4 applies were still running, operations pending, when killed");
    let out = run(&["apply", "--yes"], dir.path());
    assert_ok(&out, "apply after the kills");
    assert_no_changes(dir.path());
    let twice: Vec<_> = successful_inserts(&gcp).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(twice.is_empty(), "created twice: {twice:?}");
}

#[test]
fn a_project_that_does_not_exist_stops_the_plan_before_any_change() {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &[]);
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = configuration(&moto, &gcp, "").replace(&format!("\"{PROJECT}\""), "\"acme-missing\"");
    std::fs::write(dir.path().join("main.iso"), elsewhere).unwrap();
    let out = run(&["apply", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("GCP project `acme-missing` does not exist or these credentials cannot read it"),
        "{stderr}"
    );
    let writes: Vec<serde_json::Value> =
        requests(&gcp).into_iter().filter(|request| request["method"] != "GET").collect();
    assert!(writes.is_empty(), "nothing is created in GCP: {writes:?}");
    let planned = text(&run(&["plan"], dir.path()).stderr);
    assert!(planned.contains("acme-missing"), "plan says the same: {planned}");
}
