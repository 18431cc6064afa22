//! `isopod apply`, `plan`, `status` and `destroy` run as processes against the three real
//! providers at once: a copy of the `three-cloud-mesh` example (its host left out) with its AWS
//! network on moto's EC2 server, its GCP network on the GCP emulator and its Azure network on
//! the Azure emulator (every body checked against Microsoft's published models); someone else's
//! virtual network that Isopod must never touch; and a subscription that does not exist.

mod clouds;

use clouds::{assert_no_changes, assert_ok, http, logged, run, text};
use isopod_test_support::{AzureEmulator, GcpEmulator, Moto};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const SUBSCRIPTION: &str = "2b8e5f3a-6c1d-4e7f-9a0b-1c2d3e4f5a6b";
const PROJECT: &str = "isopod-mesh";
/// The resource group Isopod makes for the example's `azure.corp` block.
const GROUP: &str = "isopod-three-cloud-corp";

/// The example, pointed at the emulators, without its host (whose address is the example's
/// documentation address: nothing may try to reach it).
fn example(moto: &Moto, gcp: &GcpEmulator, azure: &AzureEmulator) -> String {
    isopod_test_support::examples::three_cloud_mesh()
        .replace("  region = \"eu-west-1\"\n", &format!("  region   = \"eu-west-1\"\n  endpoint = \"{}\"\n", moto.url))
        .replace("00000000-0000-0000-0000-000000000000", SUBSCRIPTION)
        .replace(
            "  region       = \"westeurope\"\n",
            &format!("  region       = \"westeurope\"\n  endpoint     = \"{}\"\n", azure.url),
        )
        .replace("\"acme-data\"", &format!("\"{PROJECT}\""))
        .replace(
            "  region  = \"europe-west4\"\n",
            &format!("  region   = \"europe-west4\"\n  endpoint = \"{}\"\n", gcp.url),
        )
}

/// One request to ARM, as another tool would send it (with its own token).
fn arm(azure: &AzureEmulator, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    http(&azure.url, method, path, "Authorization: Bearer someone-elses-token\r\n", body)
}

fn group_path(group: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}")
}

#[test]
fn the_three_cloud_mesh_applies_changes_and_is_destroyed_across_moto_and_both_emulators() {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05", "--vpn-delay", "0.2"]);
    let knobs = ["--provisioning-delay", "0.05", "--delay", "virtualNetworkGateways=0.5", "--retry-after-ms", "100"];
    let azure = AzureEmulator::start(&[SUBSCRIPTION], &knobs);
    let dir = tempfile::tempdir().unwrap();
    let configuration = example(&moto, &gcp, &azure);
    assert!(!configuration.contains("203.0.113.10"), "the host is left out");
    std::fs::write(dir.path().join("main.iso"), &configuration).unwrap();

    let applied = run(&["apply", "--yes"], dir.path());
    assert_ok(&applied, "apply");
    assert_no_changes(dir.path());
    let connections = format!("{}/providers/Microsoft.Network/connections?api-version=2024-03-01", group_path(GROUP));
    let (status, listed) = arm(&azure, "GET", &connections, None);
    assert_eq!(status, 200, "{listed}");
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let connections_made = listed["value"].as_array().unwrap();
    assert_eq!(connections_made.len(), 6, "four to AWS's tunnels, two to GCP's interfaces");
    for connection in connections_made {
        assert_eq!(connection["tags"]["isopod:stack"], "three-cloud", "{connection}");
        assert_eq!(connection["properties"]["gatewayCustomBgpIpAddresses"].as_array().map(Vec::len), Some(2));
    }

    // Someone else's virtual network in the stack's resource group.
    let foreign =
        format!("{}/providers/Microsoft.Network/virtualNetworks/payments?api-version=2024-03-01", group_path(GROUP));
    let body = r#"{"location": "westeurope", "tags": {"team": "payments"}, "properties": {"addressSpace": {"addressPrefixes": ["10.99.0.0/16"]}}}"#;
    let (status, made) = arm(&azure, "PUT", &foreign, Some(body));
    assert_eq!(status, 201, "{made}");
    assert_no_changes(dir.path());

    // Another IKE cipher: every connection's IPsec policy changes in place.
    let changed_ike = configuration.replace("encryption = [\"aes256gcm16\"]", "encryption = [\"aes128gcm16\"]");
    std::fs::write(dir.path().join("main.iso"), &changed_ike).unwrap();
    let plan = run(&["plan"], dir.path());
    assert_ok(&plan, "plan of the change");
    let planned = text(&plan.stdout);
    assert!(planned.contains("~ azure_vpn_connection.core/aws~azure.0"), "{planned}");
    assert!(planned.contains("GCMAES128"), "{planned}");
    let changed = run(&["apply", "--yes"], dir.path());
    assert_ok(&changed, "apply of the change");
    assert_no_changes(dir.path());

    let reported_status = run(&["status"], dir.path());
    let reported = text(&reported_status.stdout);
    assert!(
        reported.contains("azure.corp three-cloud-core-aws-azure-0"),
        "each Azure connection is reported: {reported}"
    );
    // Each BGP connection with its peer as the gateway sees it (getBgpPeerStatus).
    let azure_lines: Vec<&str> = reported.lines().filter(|line| line.contains("three-cloud-core-")).collect();
    let with_bgp = azure_lines.iter().filter(|line| line.contains("Connected; BGP 169.254.")).count();
    assert_eq!(with_bgp, 6, "every Azure connection with its BGP peer: {reported}");
    assert!(azure_lines.iter().all(|line| !line.contains("not seen")), "{reported}");
    let asked = logged(&azure.requests())
        .into_iter()
        .filter(|request| {
            request["method"] == "POST" && request["path"].as_str().unwrap_or_default().ends_with("/getBgpPeerStatus")
        })
        .count();
    assert_eq!(asked, 1, "one look per gateway");

    // The group holds someone else's network: everything else goes, the group stays.
    let refused = run(&["destroy", "--yes"], dir.path());
    assert_eq!(refused.status.code(), Some(1), "{}{}", text(&refused.stdout), text(&refused.stderr));
    let why = text(&refused.stdout) + &text(&refused.stderr);
    assert!(why.contains("virtualNetworks/payments"), "the destroy names what the group still holds: {why}");
    let (found, kept) = arm(&azure, "GET", &foreign, None);
    assert_eq!(found, 200, "someone else's network is still there: {kept}");
    assert!(kept.contains("10.99.0.0/16"), "{kept}");
    let (deleted, _) = arm(&azure, "DELETE", &foreign, None);
    assert!(deleted == 200 || deleted == 202, "{deleted}");
    let destroyed = run(&["destroy", "--yes"], dir.path());
    assert_ok(&destroyed, "destroy once the group is the stack's alone");
    let (_, groups) =
        arm(&azure, "GET", &format!("/subscriptions/{SUBSCRIPTION}/resourcegroups?api-version=2021-04-01"), None);
    assert!(!groups.contains(GROUP), "nothing of the stack is left: {groups}");

    let requests = logged(&azure.requests());
    let touched = requests
        .iter()
        .filter(|request| request["path"].as_str().is_some_and(|path| path.contains("/virtualNetworks/payments")))
        .filter(|request| request["method"] != "GET")
        .count();
    assert_eq!(touched, 2, "no call but reads, and the owner's own PUT and DELETE, named someone else's network");

    // Shared keys: in the connection PUTs only, never in another request, a plan, or any output.
    let keys: Vec<String> = requests
        .iter()
        .filter_map(|request| request["body"]["properties"]["sharedKey"].as_str().map(str::to_string))
        .collect();
    assert!(keys.len() >= 6, "each connection's PUT carries its key: {}", keys.len());
    let elsewhere = requests
        .iter()
        .filter(|request| request["body"]["properties"]["sharedKey"].is_null())
        .map(|request| request.to_string())
        .chain(
            [&applied, &plan, &changed, &reported_status, &refused, &destroyed]
                .iter()
                .map(|out| text(&out.stdout) + &text(&out.stderr)),
        )
        .find(|shown| keys.iter().any(|key| shown.contains(key.as_str())));
    assert!(elsewhere.is_none(), "a shared key leaked: {elsewhere:?}");
}

#[test]
fn a_subscription_that_does_not_exist_stops_the_plan_before_any_change() {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &[]);
    let azure = AzureEmulator::start(&[SUBSCRIPTION], &[]);
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = example(&moto, &gcp, &azure).replace(SUBSCRIPTION, "7c9d0e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f");
    std::fs::write(dir.path().join("main.iso"), elsewhere).unwrap();
    let out = run(&["apply", "--yes"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Azure subscription `7c9d0e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f` does not exist"), "{stderr}");
    let writes: Vec<serde_json::Value> =
        logged(&azure.requests()).into_iter().filter(|request| request["method"] != "GET").collect();
    assert!(writes.is_empty(), "nothing is created in Azure: {writes:?}");
    let vpcs = logged(&gcp.requests()).into_iter().filter(|request| request["method"] != "GET").count();
    assert_eq!(vpcs, 0, "nor in GCP: the plan stops before any change");
}

#[test]
fn a_named_resource_group_that_does_not_exist_stops_the_plan() {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &[]);
    let azure = AzureEmulator::start(&[SUBSCRIPTION], &[]);
    let dir = tempfile::tempdir().unwrap();
    let named = example(&moto, &gcp, &azure).replace(
        &format!("  subscription = \"{SUBSCRIPTION}\"\n"),
        &format!("  subscription = \"{SUBSCRIPTION}\"\n  resource_group = \"network-prod\"\n"),
    );
    std::fs::write(dir.path().join("main.iso"), named).unwrap();
    let out = run(&["plan"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("resource group `network-prod`"), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
}

/// How many PUTs created each resource path (answered 201): more than one means something was
/// created twice (or deleted and created again).
fn creations(azure: &AzureEmulator) -> BTreeMap<String, usize> {
    let mut created: BTreeMap<String, usize> = BTreeMap::new();
    for request in logged(&azure.requests()) {
        if request["method"] == "PUT" && request["status"] == 201 {
            *created.entry(request["path"].as_str().unwrap_or_default().to_lowercase()).or_default() += 1;
        }
    }
    created
}

/// Runs `isopod ARGS` until it succeeds (at most four times): a run that meets a fault in
/// discovery stops, and is run again, as a user would.
fn until_ok(args: &[&str], dir: &Path) -> std::process::Output {
    let mut out = run(args, dir);
    for _ in 0..3 {
        if out.status.code() == Some(0) {
            break;
        }
        out = run(args, dir);
    }
    out
}

#[test]
fn throttling_and_a_gateways_serialised_operations_converge_with_nothing_created_twice() {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05", "--vpn-delay", "0.2"]);
    let knobs = [
        "--fault-rate",
        "0.1",
        "--seed",
        "11",
        "--provisioning-delay",
        "0.2",
        "--delay",
        "connections=1",
        "--retry-after-ms",
        "50",
    ];
    let azure = AzureEmulator::start(&[SUBSCRIPTION], &knobs);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), example(&moto, &gcp, &azure)).unwrap();
    let applied = until_ok(&["apply", "--yes"], dir.path());
    assert_ok(&applied, "apply against a faulty API");
    let requests = logged(&azure.requests());
    let faults = requests.iter().filter(|request| request["fault"] == true).count();
    assert!(faults > 0, "the emulator answered no fault: the test proves nothing");
    let serialised = requests.iter().filter(|request| request["status"] == 409).count();
    assert!(serialised > 0, "no connection met its gateway's other operation: the test proves nothing");
    let twice: Vec<_> = creations(&azure).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(twice.is_empty(), "created twice: {twice:?}");
    let plan = until_ok(&["plan", "--detailed-exitcode"], dir.path());
    assert_ok(&plan, "no changes after a faulty apply");
}

/// How many times the emulator has been asked for the gateway.
fn gateway_looks(azure: &AzureEmulator) -> usize {
    let looks = logged(&azure.requests()).into_iter().filter(|request| {
        request["method"] == "GET"
            && request["path"].as_str().is_some_and(|path| path.contains("/virtualNetworkGateways/"))
    });
    looks.count()
}

#[test]
fn an_apply_killed_while_the_gateway_is_provisioning_converges_when_run_again() {
    let moto = Moto::start();
    let gcp = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05", "--vpn-delay", "0.2"]);
    // The gateway takes 5 s: the executor looks at it after 2 s, then every 3 s or so.
    let knobs = ["--provisioning-delay", "0.05", "--delay", "virtualNetworkGateways=5", "--retry-after-ms", "100"];
    let azure = AzureEmulator::start(&[SUBSCRIPTION], &knobs);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), example(&moto, &gcp, &azure)).unwrap();
    let mut child =
        clouds::isopod(&["apply", "--yes"], dir.path()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let started = std::time::Instant::now();
    while gateway_looks(&azure) < 1 && started.elapsed() < Duration::from_secs(60) {
        assert!(child.try_wait().unwrap().is_none(), "the apply ended before the gateway was looked at");
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    let (_, gateway) = arm(
        &azure,
        "GET",
        &format!(
            "{}/providers/Microsoft.Network/virtualNetworkGateways/three-cloud-azure-vpn?api-version=2024-03-01",
            group_path(GROUP)
        ),
        None,
    );
    assert!(gateway.contains("\"Updating\""), "killed while the gateway was provisioning: {gateway}");
    let out = run(&["apply", "--yes"], dir.path());
    assert_ok(&out, "apply after the kill");
    assert_no_changes(dir.path());
    let twice: Vec<_> = creations(&azure).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(twice.is_empty(), "created twice: {twice:?}");
}

#[test]
fn a_discovered_azure_network_plans_no_changes_and_is_connected_without_being_changed() {
    let moto = Moto::start();
    let azure = AzureEmulator::start(
        &[SUBSCRIPTION],
        &["--provisioning-delay", "0.05", "--delay", "virtualNetworkGateways=0.3", "--retry-after-ms", "100"],
    );
    // Someone else's hub network, with a GatewaySubnet, in a group of their own.
    let (status, made) = arm(
        &azure,
        "PUT",
        &format!("{}?api-version=2021-04-01", group_path("net")),
        Some(r#"{"location": "westeurope"}"#),
    );
    assert_eq!(status, 201, "{made}");
    let hub = format!("{}/providers/Microsoft.Network/virtualNetworks/hub", group_path("net"));
    let body = r#"{"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.70.0.0/16"]},
        "subnets": [{"name": "workloads", "properties": {"addressPrefix": "10.70.1.0/24"}},
                    {"name": "GatewaySubnet", "properties": {"addressPrefix": "10.70.255.0/27"}}]}}"#;
    let (status, made) = arm(&azure, "PUT", &format!("{hub}?api-version=2024-03-01"), Some(body));
    assert_eq!(status, 201, "{made}");
    std::thread::sleep(Duration::from_millis(200));
    let state = || arm(&azure, "GET", &format!("{hub}?api-version=2024-03-01"), None);
    let before = state();
    assert!(before.1.contains("\"Succeeded\""), "{}", before.1);

    let dir = tempfile::tempdir().unwrap();
    let clouds = format!(
        "stack \"e2e\" {{}}\n\ncloud \"aws\" \"east\" {{\n  region   = \"us-east-1\"\n  endpoint = \"{}\"\n}}\n\ncloud \"azure\" \"corp\" {{\n  subscription = \"{SUBSCRIPTION}\"\n  region       = \"westeurope\"\n  endpoint     = \"{}\"\n}}\n",
        moto.url, azure.url
    );
    std::fs::write(dir.path().join("main.iso"), clouds).unwrap();
    let out = run(&["discover", "--cloud", "corp"], dir.path());
    assert_ok(&out, "discover");
    let written = std::fs::read_to_string(dir.path().join("discovered-azure-corp.iso")).unwrap();
    assert!(written.contains("network \"hub\" {"), "{written}");
    assert!(written.contains(&format!("  cidr     = \"10.70.0.0/16\"\n  existing = \"{hub}\"")), "{written}");
    assert!(written.contains("subnet \"workloads\" {\n    cidr = \"10.70.1.0/24\""), "{written}");
    assert!(!written.contains("GatewaySubnet\" {"), "{written}");
    assert_ok(&run(&["validate"], dir.path()), "the written files are valid");
    assert_no_changes(dir.path());

    // Connect the discovered network to a new AWS one.
    let added = "network \"app\" {\n  cloud = cloud.aws.east\n  cidr  = \"10.30.0.0/16\"\n}\n\ntunnel \"app-hub\" {\n  between = [network.app, network.hub]\n}\n";
    std::fs::write(dir.path().join("added.iso"), added).unwrap();
    let planned = text(&run(&["plan"], dir.path()).stdout);
    assert!(planned.contains("+ azure_virtual_network_gateway.hub"), "{planned}");
    assert!(!planned.contains("azure_virtual_network.hub") && !planned.contains("azure_subnet"), "{planned}");
    assert_ok(&run(&["apply", "--yes"], dir.path()), "apply");
    assert_no_changes(dir.path());
    let gateway = format!(
        "{}/providers/Microsoft.Network/virtualNetworkGateways/e2e-hub-vpn?api-version=2024-03-01",
        group_path("isopod-e2e-corp")
    );
    let (status, gateway) = arm(&azure, "GET", &gateway, None);
    assert_eq!(status, 200, "{gateway}");
    assert!(
        gateway.contains("/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/GatewaySubnet\""),
        "the gateway is in the hub's GatewaySubnet: {gateway}"
    );

    // Destroy deletes what the stack made, and nothing of the discovered network.
    assert_ok(&run(&["destroy", "--yes"], dir.path()), "destroy");
    std::fs::remove_file(dir.path().join("added.iso")).unwrap();
    assert_no_changes(dir.path());
    assert_eq!(state(), before, "the discovered network and its subnets are untouched");
    let touched = logged(&azure.requests()).into_iter().filter(|request| {
        let path = request["path"].as_str().unwrap_or_default().to_lowercase();
        path.contains("/resourcegroups/net/") && request["method"] != "GET"
    });
    assert_eq!(touched.count(), 1, "no call but reads, and the owner's own PUT, named someone else's group");
}

/// A GCP network and an Azure network whose flows are logged: planned, applied through both
/// SDKs, found again with no changes, changed in place, and turned off when the block goes.
#[test]
fn flow_logs_of_gcp_and_azure_networks_are_applied_changed_and_removed() {
    let gcp = GcpEmulator::start(&[PROJECT], &["--provisioning-delay", "0.05"]);
    let azure = AzureEmulator::start(&[SUBSCRIPTION], &["--provisioning-delay", "0.05", "--retry-after-ms", "20"]);
    let storage = format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/logs/providers/Microsoft.Storage/storageAccounts/acmeflows"
    );
    let configuration = format!(
        r#"stack "flows" {{}}

cloud "gcp" "data" {{
  project  = "{PROJECT}"
  region   = "europe-west4"
  endpoint = "{gcp}"
}}

cloud "azure" "corp" {{
  subscription = "{SUBSCRIPTION}"
  region       = "westeurope"
  endpoint     = "{azure}"
}}

network "analytics" {{
  cloud = cloud.gcp.data
  cidr  = "10.20.0.0/16"

  subnet "a" {{
    cidr = "10.20.1.0/24"
  }}

  subnet "b" {{
    cidr = "10.20.2.0/24"
  }}

  flow_logs {{
    interval = 60
    sampling = 0.25
  }}
}}

network "hub" {{
  cloud = cloud.azure.corp
  cidr  = "10.30.0.0/16"

  flow_logs {{
    destination = "{storage}"
  }}
}}

network "edge" {{
  cloud  = cloud.azure.corp
  region = "northeurope"
  cidr   = "10.31.0.0/16"

  flow_logs {{
    destination = "{storage}"
  }}
}}
"#,
        gcp = gcp.url,
        azure = azure.url,
    );
    // North Europe's Network Watcher was made by another tool, under another name and group.
    let (status, made) = arm(
        &azure,
        "PUT",
        &format!("{}?api-version=2021-04-01", group_path("network-watchers")),
        Some(r#"{"location": "northeurope"}"#),
    );
    assert_eq!(status, 201, "{made}");
    let theirs =
        format!("{}/providers/Microsoft.Network/networkWatchers/tf-watcher-ne", group_path("network-watchers"));
    let (status, made) =
        arm(&azure, "PUT", &format!("{theirs}?api-version=2024-03-01"), Some(r#"{"location": "northeurope"}"#));
    assert!(status == 200 || status == 201, "{made}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.iso"), &configuration).unwrap();
    let plan = run(&["plan"], dir.path());
    assert_ok(&plan, "plan");
    let planned = text(&plan.stdout);
    for planned_log in [
        "+ gcp_subnetwork_flow_logs.analytics.a",
        "+ gcp_subnetwork_flow_logs.analytics.b",
        "+ azure_flow_log.hub",
        "+ azure_flow_log.edge",
    ] {
        assert!(planned.contains(planned_log), "{planned_log}: {planned}");
    }
    assert!(!planned.contains("not planned"), "{planned}");
    assert_ok(&run(&["apply", "--yes"], dir.path()), "apply");
    assert_no_changes(dir.path());

    let subnetworks = format!("/compute/v1/projects/{PROJECT}/regions/europe-west4/subnetworks");
    let (_, listed) = http(&gcp.url, "GET", &subnetworks, "", None);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let configs: Vec<&serde_json::Value> =
        listed["items"].as_array().unwrap().iter().map(|subnetwork| &subnetwork["logConfig"]).collect();
    assert_eq!(configs.len(), 2);
    for config in configs {
        assert_eq!(config["enable"], true);
        assert_eq!(
            (&config["aggregationInterval"], &config["metadata"]),
            (&"INTERVAL_1_MIN".into(), &"INCLUDE_ALL_METADATA".into())
        );
        assert_eq!(config["flowSampling"], 0.25);
    }
    let watcher = format!(
        "{}/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope",
        group_path("NetworkWatcherRG")
    );
    let (status, logs) = arm(&azure, "GET", &format!("{watcher}/flowLogs?api-version=2024-03-01"), None);
    assert_eq!(status, 200, "{logs}");
    let logs: serde_json::Value = serde_json::from_str(&logs).unwrap();
    let log = &logs["value"][0];
    assert_eq!(log["properties"]["storageId"], storage.as_str());
    assert!(log["properties"]["targetResourceId"].as_str().unwrap().ends_with("/virtualNetworks/flows-hub"), "{log}");
    assert_eq!(log["tags"]["isopod:resource"], "azure_flow_log.hub");
    let (status, logs) = arm(&azure, "GET", &format!("{theirs}/flowLogs?api-version=2024-03-01"), None);
    assert_eq!(status, 200, "{logs}");
    assert!(logs.contains("flows-edge-flows"), "the region's watcher, whatever its name: {logs}");

    // Another rate and another account: both change in place.
    let changed = configuration.replace("sampling = 0.25", "sampling = 0.5").replace("acmeflows", "acmeflows2");
    std::fs::write(dir.path().join("main.iso"), &changed).unwrap();
    let plan = run(&["plan"], dir.path());
    let planned = text(&plan.stdout);
    assert!(planned.contains("~ gcp_subnetwork_flow_logs.analytics.a"), "{planned}");
    assert!(planned.contains("~ azure_flow_log.hub"), "{planned}");
    assert!(!planned.contains("-/+"), "nothing replaced: {planned}");
    assert_ok(&run(&["apply", "--yes"], dir.path()), "apply of the change");
    assert_no_changes(dir.path());

    // Without the blocks: the subnetworks stop logging, the flow log is deleted.
    let without = changed
        .split("  flow_logs {")
        .enumerate()
        .map(|(n, part)| if n == 0 { part.to_string() } else { part.split_once("  }\n").unwrap().1.to_string() })
        .collect::<String>();
    assert!(!without.contains("flow_logs"), "{without}");
    std::fs::write(dir.path().join("main.iso"), &without).unwrap();
    assert_ok(&run(&["apply", "--yes"], dir.path()), "apply without flow logs");
    assert_no_changes(dir.path());
    let (_, listed) = http(&gcp.url, "GET", &subnetworks, "", None);
    assert!(!listed.contains("\"enable\":true") && !listed.contains("\"enable\": true"), "{listed}");
    for under in [&watcher, &theirs] {
        let (_, logs) = arm(&azure, "GET", &format!("{under}/flowLogs?api-version=2024-03-01"), None);
        assert!(!logs.contains("flows-hub") && !logs.contains("flows-edge"), "{logs}");
    }
    assert_ok(&run(&["destroy", "--yes"], dir.path()), "destroy");
}
