//! `isopod flows` and `isopod cost` run as processes over flow logs in the clouds' formats, and
//! the cost line of `isopod plan`.

// The binary as the cloud tests run it; this file uses only some of the helpers.
#[allow(dead_code)]
mod clouds;

use clouds::{assert_ok, isopod, run, text};
use isopod_test_support::flows::{Spec, write_aws};
use std::path::Path;

const CONFIGURATION: &str = r#"
stack "costs" {}
cloud "aws" "east" {
  region = "us-east-1"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.10.0.0/16"
  subnet "a" {
    cidr = "10.10.0.0/17"
    zone = "us-east-1a"
  }
  subnet "b" {
    cidr = "10.10.128.0/17"
    zone = "us-east-1b"
  }
}
network "analytics" {
  cloud = cloud.gcp.data
  cidr  = "10.20.0.0/16"
}
tunnel "app-analytics" {
  between = [network.app, network.analytics]
  psk     = secret("app-psk")
}
"#;

/// The tunnel's key, which no output may show.
const SECRET: &str = "stored_key_never_shown_0123456789";

/// A configuration folder, and beside it flow logs: generated AWS files and one GCP entry.
fn setup() -> (tempfile::TempDir, std::path::PathBuf, u64) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(config.join("main.iso"), CONFIGURATION).unwrap();
    let mut set =
        isopod(&["secret", "set", "app-psk", "--dir"], &config).stdin(std::process::Stdio::piped()).spawn().unwrap();
    use std::io::Write as _;
    set.stdin.take().unwrap().write_all(format!("{SECRET}\n").as_bytes()).unwrap();
    assert!(set.wait().unwrap().success(), "the secret is stored");
    let logs = dir.path().join("logs");
    let spec = Spec {
        seed: 3,
        records: 2_000,
        files: 3,
        ranges: vec![("10.10.0.0".parse().unwrap(), 16), ("10.20.0.0".parse().unwrap(), 16)],
        hosts_per_range: 20,
        region: "us-east-1".into(),
        start: 1_790_000_000,
    };
    let written = write_aws(&logs.join("aws"), &spec);
    let gcp = r#"{"jsonPayload":{"connection":{"src_ip":"10.20.0.9","dest_ip":"10.10.1.9","src_port":443,"dest_port":40000,"protocol":6},"bytes_sent":"5000","packets_sent":"10","reporter":"SRC","start_time":"2026-09-21T15:00:00Z","end_time":"2026-09-21T15:00:05Z","src_vpc":{"vpc_name":"analytics"}}}"#;
    std::fs::create_dir(logs.join("gcp")).unwrap();
    std::fs::write(logs.join("gcp/vpc_flows.json"), format!("{gcp}\n")).unwrap();
    (dir, config, written.flows + 1)
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}{}", text(&out.stdout), text(&out.stderr)))
}

fn assert_no_secret(out: &std::process::Output) {
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(!all.contains(SECRET), "a key is shown:\n{all}");
}

#[test]
fn flows_shows_who_talks_to_whom_each_flow_once() {
    let (dir, config, flows) = setup();
    let logs = dir.path().join("logs").display().to_string();
    let out = run(&["flows", "--json", "--flows", &logs], &config);
    assert_ok(&out, "flows --json");
    assert_no_secret(&out);
    let document = json(&out);
    assert_eq!(document["read"]["counted"].as_u64(), Some(flows));
    assert_eq!(document["read"]["files"].as_u64(), Some(4));
    let rows = document["rows"].as_array().unwrap();
    let bytes: Vec<u64> = rows.iter().map(|row| row["bytes"].as_u64().unwrap()).collect();
    assert!(bytes.windows(2).all(|pair| pair[0] >= pair[1]), "most bytes first: {bytes:?}");
    let kinds: Vec<&str> = rows.iter().map(|row| row["kind"].as_str().unwrap()).collect();
    for kind in ["tunnel", "cross_zone", "same_zone", "internet"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let tunnel = rows.iter().find(|row| row["from"] == "app/a" && row["to"] == "analytics").unwrap();
    assert_eq!(tunnel["object"], "tunnel.app-analytics");
    assert!(tunnel["top_ports"][0]["port"].as_u64().is_some());

    let out = run(&["flows", "--flows", &logs], &config);
    assert_ok(&out, "flows");
    let table = text(&out.stdout);
    assert!(
        table.contains("FROM") && table.contains("tunnel.app-analytics to GCP, out by AWS's virtual private gateway"),
        "{table}"
    );
}

#[test]
fn cost_prices_fixed_costs_and_traffic_with_their_sources() {
    let (dir, config, _) = setup();
    let logs = dir.path().join("logs").display().to_string();
    let out = run(&["cost", "--json", "--flows", &logs], &config);
    assert_ok(&out, "cost --json");
    assert_no_secret(&out);
    let document = json(&out);
    let total = document["total_monthly_usd"].as_f64().unwrap();
    let fixed = document["fixed_monthly_usd"].as_f64().unwrap();
    let traffic = document["traffic_monthly_usd"].as_f64().unwrap();
    assert!(fixed > 0.0 && traffic > 0.0, "{document}");
    assert!((total - fixed - traffic).abs() < 1e-6);
    let paths = document["paths"].as_array().unwrap();
    let summed: f64 = paths.iter().map(|p| p["monthly_usd"].as_f64().unwrap()).sum();
    assert!((summed - traffic).abs() < 1e-6);
    assert!(paths.iter().all(|p| p["from"].is_string() && p["to"].is_string() && p["via"].is_string()));
    let fixed_rows = document["fixed"].as_array().unwrap();
    assert!(fixed_rows.iter().any(|f| f["meter"] == "aws.vpn_connection" && f["object"] == "tunnel.app-analytics"));
    assert!(document["window_hours"].as_f64().unwrap() > 0.0);

    let out = run(&["cost", "--explain", "--flows", &logs], &config);
    assert_ok(&out, "cost --explain");
    let report = text(&out.stdout);
    assert!(report.contains("Monthly cost: $") && report.contains("Prices used"), "{report}");
    assert!(report.contains("built-in prices.csv:") && report.contains("infracost"), "{report}");
}

#[test]
fn negotiated_prices_replace_the_built_in_ones_and_a_bad_row_stops_with_its_place() {
    let (_dir, config, _) = setup();
    let fixed = |args: &[&str]| json(&run(args, &config))["fixed_monthly_usd"].as_f64().unwrap();
    let list = fixed(&["cost", "--json"]);
    let header = "meter,from,to,tier_gb,usd,unit,source,retrieved,mark\n";
    std::fs::write(
        config.join("ours.csv"),
        format!("{header}aws.vpn_connection,*,*,0,0.0,hour,contract,2026-11-01,V\n"),
    )
    .unwrap();
    std::fs::write(
        config.join("main.iso"),
        CONFIGURATION.replace("stack \"costs\" {}", "stack \"costs\" {\n  prices = \"ours.csv\"\n}"),
    )
    .unwrap();
    let negotiated = fixed(&["cost", "--json"]);
    assert!(negotiated < list, "a free VPN connection lowers the fixed cost: {negotiated} vs {list}");

    std::fs::write(
        config.join("bad.csv"),
        format!("{header}aws.vpn_connection,*,*,0,cheap,hour,contract,2026-11-01,V\n"),
    )
    .unwrap();
    let out = run(&["cost", "--prices", &config.join("bad.csv").display().to_string()], &config);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("iso::cost::price_book") && stderr.contains("cheap") && stderr.contains("this row"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn unreadable_flow_logs_are_reported_with_their_file_and_line() {
    let (dir, config, flows) = setup();
    let logs = dir.path().join("logs");
    let aws = std::fs::read_dir(logs.join("aws/AWSLogs/123456789012/vpcflowlogs/us-east-1")).unwrap().count();
    assert_eq!(aws, 1);
    let broken = logs.join("extra.log");
    std::fs::write(&broken, format!("{}\n5 10.10.0.9 oops\n", isopod_test_support::flows::FORMAT)).unwrap();
    let out = run(&["flows", "--flows", &logs.display().to_string()], &config);
    assert_ok(&out, "flows with a malformed line");
    let report = text(&out.stdout);
    assert!(report.contains(&format!("{} counted", flows)) && report.contains("1 malformed"), "{report}");
    assert!(report.contains("extra.log:2: 3 fields where the header has 25"), "{report}");

    std::fs::write(&broken, "this is a shopping list\n").unwrap();
    let out = run(&["flows", "--flows", &logs.display().to_string()], &config);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("extra.log: not an AWS VPC flow log"), "{}", text(&out.stderr));
    let out = run(&["flows"], &config);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--flows"), "{}", text(&out.stderr));
    assert!(Path::new(&config).join("main.iso").exists());
}

#[test]
fn a_plan_says_what_it_does_to_the_fixed_cost() {
    let (_dir, config, _) = setup();
    let out = run(&["plan", "--simulate"], &config);
    assert_ok(&out, "plan");
    let plan = text(&out.stdout);
    assert!(plan.contains("Cost: fixed $0.00/month now, $"), "{plan}");
    assert_no_secret(&out);
    let out = run(&["plan", "--simulate", "--json"], &config);
    let document = json(&out);
    assert_eq!(document["cost"]["fixed"]["now_monthly_usd"].as_f64(), Some(0.0));
    let after = document["cost"]["fixed"]["after_monthly_usd"].as_f64().unwrap();
    assert!(after > 0.0);
    assert_ok(&run(&["apply", "--simulate", "--yes"], &config), "apply");
    let out = run(&["plan", "--simulate"], &config);
    assert!(text(&out.stdout).contains("unchanged by this plan"), "{}", text(&out.stdout));
}

/// The issue's whole path on moto: flow logs applied (CreateFlowLogs to a bucket), files in
/// AWS's format and key layout delivered to that bucket, and `isopod cost` reading them back
/// through S3.
#[test]
fn flow_logs_applied_on_moto_are_read_back_from_their_bucket() {
    let moto = isopod_test_support::Moto::start();
    moto.create_bucket("acme-flow-logs");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let text = format!(
        r#"stack "logged" {{}}
cloud "aws" "east" {{
  region   = "us-east-1"
  endpoint = "{}"
}}
network "app" {{
  cloud = cloud.aws.east
  cidr  = "10.10.0.0/16"

  subnet "a" {{
    cidr = "10.10.0.0/17"
    zone = "us-east-1a"
  }}

  flow_logs {{
    destination = "arn:aws:s3:::acme-flow-logs"
    interval    = 60
  }}
}}
"#,
        moto.url
    );
    std::fs::write(config.join("main.iso"), text).unwrap();
    let out = run(&["apply", "--yes"], &config);
    assert_ok(&out, "apply to moto");
    assert!(text_of(&out).contains("aws_flow_log.app"), "{}", text_of(&out));
    clouds::assert_no_changes(&config);

    let logs = dir.path().join("delivered");
    let spec = Spec {
        seed: 11,
        records: 600,
        files: 2,
        ranges: vec![("10.10.0.0".parse().unwrap(), 17)],
        hosts_per_range: 10,
        region: "us-east-1".into(),
        start: 1_790_000_000,
    };
    let written = write_aws(&logs, &spec);
    for file in &written.files {
        let key = file.strip_prefix(&logs).unwrap().to_string_lossy().replace('\\', "/");
        moto.put_object("acme-flow-logs", &key, &std::fs::read(file).unwrap());
    }
    let out = run(&["cost", "--json", "--flows", "s3://acme-flow-logs/AWSLogs/"], &config);
    assert_ok(&out, "cost through S3");
    let document = json(&out);
    assert_eq!(document["read"]["files"].as_u64(), Some(2));
    assert_eq!(document["read"]["counted"].as_u64(), Some(written.flows));
    let bytes: u64 = document["paths"].as_array().unwrap().iter().map(|p| p["bytes"].as_u64().unwrap()).sum();
    assert_eq!(bytes, written.bytes);
}

fn text_of(out: &std::process::Output) -> String {
    text(&out.stdout) + &text(&out.stderr)
}

/// The example's day of flow logs, as the book shows it.
#[test]
fn the_examples_day_of_flows_is_shown_and_priced() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/traffic-cost");
    let flows = example.join("flows").display().to_string();
    let out = run(&["flows", "--flows", &flows], &example);
    assert_ok(&out, "flows of the example");
    insta::assert_snapshot!("example_flows", text(&out.stdout));
    let out = run(&["cost", "--explain", "--flows", &flows], &example);
    assert_ok(&out, "cost of the example");
    insta::assert_snapshot!("example_cost", text(&out.stdout));
}

/// A pull request that takes the example's suggestion (the edge VPC gets its own database
/// endpoint instead of the relay): the plan prices the day of flow logs on the configuration
/// before and after, and says what the change does to the bill and what it can no longer price.
#[test]
fn a_plan_with_flows_and_its_base_says_what_the_change_does_to_the_bill() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/traffic-cost");
    let flows = example.join("flows").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let changed = std::fs::read_to_string(example.join("main.iso")).unwrap().replace(
        "relay \"db-edge\" {\n  endpoint = endpoint.db\n  to       = [network.edge]\n}\n",
        "endpoint \"rds-edge\" {\n  network = network.edge\n  service = \"com.amazonaws.us-east-2.rds\"\n}\n",
    );
    std::fs::write(dir.path().join("main.iso"), changed).unwrap();
    let base = example.display().to_string();
    let out = run(&["plan", "--simulate", "--flows", &flows, "--base", &base], dir.path());
    assert_ok(&out, "plan with flows and a base");
    let plan = text(&out.stdout);
    assert!(plan.contains("Cost: observed traffic $245.28/month on the configuration before"), "{plan}");
    assert!(plan.contains("1825.0 GB a month of it has no path on this configuration"), "{plan}");
    assert!(plan.contains("This change: "), "{plan}");
    let out = run(&["plan", "--simulate", "--json", "--flows", &flows], dir.path());
    let document = json(&out);
    assert!(document["cost"]["traffic"]["before_monthly_usd"].is_null());
    assert!(document["cost"]["traffic"]["after_monthly_usd"].as_f64().unwrap() > 0.0);
}

/// An Azure virtual network and a GCP network joined by a tunnel, each logging its flows: an
/// Azure flow log as Network Watcher writes it to its storage account (one hour's `PT1H.json`,
/// here pretty-printed) and GCP entries as a Cloud Storage sink exports them, read from folders.
#[test]
fn azure_and_gcp_flow_logs_are_read_from_folders_and_priced() {
    const HOUR: u64 = 1_796_032_800;
    let configuration = r#"
stack "meshed" {}
cloud "azure" "corp" {
  subscription = "00000000-0000-0000-0000-000000000001"
  region       = "westeurope"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "europe-west4"
}
network "hub" {
  cloud = cloud.azure.corp
  cidr  = "10.30.0.0/16"
  flow_logs {
    destination = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/logs/providers/Microsoft.Storage/storageAccounts/acmeflows"
  }
}
network "analytics" {
  cloud = cloud.gcp.data
  cidr  = "10.20.0.0/16"
  flow_logs {
    sampling = 0.5
  }
}
tunnel "hub-analytics" {
  between = [network.hub, network.analytics]
}
"#;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(config.join("main.iso"), configuration).unwrap();
    const GIB: u64 = 1 << 30;
    // The hub's VM opens a connection to analytics and sends 10 GiB over the hour (two tuples,
    // an hour apart), receiving 1 GiB back, which analytics' own flow logs count; analytics
    // opens one to the hub and sends 100 bytes, getting 60 back; a private sender outside the
    // configuration, which logs nothing, sends 3000 bytes and gets 7000.
    let tuples = [
        format!("{}000,10.30.1.4,10.20.0.9,50000,443,6,O,C,NX,1000,{},100,{}", HOUR, GIB, GIB / 2),
        format!("{}000,10.30.1.4,10.20.0.9,50000,443,6,O,E,NX,9000,{},900,{}", HOUR + 3600, 9 * GIB, GIB / 2),
        format!("{}000,10.20.0.9,10.30.1.4,41000,8080,6,I,C,NX,10,100,10,60", HOUR + 60),
        format!("{}000,10.99.0.5,10.30.1.4,40000,22,6,I,C,NX,10,3000,10,7000", HOUR + 120),
    ];
    let azure = serde_json::json!({"records": [{
        "time": "2026-11-30T10:00:00.0000000Z",
        "flowLogVersion": 4,
        "flowLogResourceID": "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_WESTEUROPE/FLOWLOGS/MESHED-HUB-FLOWS",
        "targetResourceID": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/isopod-meshed-corp/providers/Microsoft.Network/virtualNetworks/meshed-hub",
        "macAddress": "112233445566",
        "category": "FlowLogFlowEvent",
        "operationName": "FlowLogFlowEvent",
        "flowRecords": {"flows": [{"aclID": "00aa00aa-bb11-cc22-dd33-44ee44ee44ee", "flowGroups": [{"rule": "DefaultRule_AllowVnetOutBound", "flowTuples": tuples}]}]},
    }]});
    let hour_folder = dir
        .path()
        .join("logs/azure/flowLogResourceID=/SUBSCRIPTIONS/X/y=2026/m=11/d=30/h=10/m=00/macAddress=112233445566");
    std::fs::create_dir_all(&hour_folder).unwrap();
    std::fs::write(hour_folder.join("PT1H.json"), serde_json::to_string_pretty(&azure).unwrap()).unwrap();
    // Analytics' own reports of what it sent on both connections, logged at half the flows
    // (scaled ×2): the replies' 1 GiB and the 100 bytes.
    let report = |src_port: u16, dest_port: u16, bytes: u64| {
        format!(
            r#"{{"jsonPayload":{{"connection":{{"src_ip":"10.20.0.9","dest_ip":"10.30.1.4","src_port":{src_port},"dest_port":{dest_port},"protocol":6}},"bytes_sent":"{bytes}","packets_sent":"10","reporter":"SRC","start_time":"2026-11-30T10:00:00Z","end_time":"2026-11-30T11:00:00Z","src_vpc":{{"vpc_name":"meshed-analytics"}}}}}}"#
        )
    };
    let gcp = [report(443, 50000, GIB / 2), report(41000, 8080, 50)].join("\n");
    std::fs::create_dir_all(dir.path().join("logs/gcp/compute.googleapis.com/vpc_flows/2026/11/30")).unwrap();
    std::fs::write(
        dir.path().join("logs/gcp/compute.googleapis.com/vpc_flows/2026/11/30/10:00:00_10:59:59_S0.json"),
        gcp + "\n",
    )
    .unwrap();
    let logs = dir.path().join("logs").display().to_string();

    let out = run(&["flows", "--json", "--flows", &logs], &config);
    assert_ok(&out, "flows --json");
    let document = json(&out);
    let read = &document["read"];
    // Each tuple counted once (its VM's own half); the halves others sent wait on their logs.
    let counts = ["files", "counted", "other_end"].map(|count| read[count].as_u64().unwrap());
    assert_eq!(counts, [2, 6, 0], "{read}");
    assert_eq!(read["scaling"][0], "gcp: counts ×2 (flow sampling 0.500)");
    assert_eq!(document["windows"], serde_json::json!({"azure": 1.0, "gcp": 1.0}));
    let row = |from: &str, to: &str| {
        document["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["from"] == from && row["to"] == to)
            .cloned()
            .unwrap_or_else(|| panic!("{from} to {to} in {document}"))
    };
    let out_of_azure = row("hub", "analytics");
    assert_eq!(
        (out_of_azure["bytes"].as_u64(), &out_of_azure["object"]),
        (Some(10 * GIB + 60), &"tunnel.hub-analytics".into()),
        "the VM's 10 GiB and its replies to analytics"
    );
    // What analytics sent, from its own reports (×2), not again from the hub's tuples.
    assert_eq!(row("analytics", "hub")["bytes"].as_u64(), Some(GIB + 100));
    // A sender that logs nothing, seen from the hub's tuple, and the hub's replies.
    assert_eq!(row("outside the configuration", "hub")["bytes"].as_u64(), Some(3000));
    assert_eq!(row("hub", "outside the configuration")["bytes"].as_u64(), Some(7000));

    let out = run(&["cost", "--json", "--flows", &logs], &config);
    assert_ok(&out, "cost --json");
    let document = json(&out);
    let path = document["paths"].as_array().unwrap().iter().find(|p| p["from"] == "hub").cloned().unwrap();
    let monthly = path["monthly_gb"].as_f64().unwrap();
    assert!((monthly - 7300.0).abs() < 0.001, "10 GiB (and 60 bytes) an hour, for 730 hours: {monthly}");
    assert!(path["charges"].as_array().unwrap().iter().any(|c| c["meter"] == "azure.internet_out"), "{path}");
}
