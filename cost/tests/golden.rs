//! Golden cases computed by hand: flow files in the clouds' formats, read, attributed and priced
//! end to end against the built-in price book.

use flate2::Compression;
use flate2::write::GzEncoder;
use isopod_cost::flows::ReadOptions;
use isopod_cost::paths::PathKind;
use isopod_cost::prices::PriceBook;
use isopod_cost::{CostReport, cost, read_traffic};
use std::io::Write as _;
use std::path::Path;

const CONFIGURATION: &str = r#"
stack "golden" {}
cloud "aws" "east" {
  region = "us-east-1"
}
cloud "aws" "west" {
  region = "us-west-2"
}
cloud "aws" "ohio" {
  region = "us-east-2"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.10.0.0/16"
  subnet "a" {
    cidr = "10.10.1.0/24"
    zone = "us-east-1a"
  }
  subnet "b" {
    cidr = "10.10.2.0/24"
    zone = "us-east-1b"
  }
}
network "data" {
  cloud = cloud.aws.west
  cidr  = "10.20.0.0/16"
  subnet "x" {
    cidr = "10.20.1.0/24"
    zone = "us-west-2a"
  }
}
network "edge" {
  cloud = cloud.aws.ohio
  cidr  = "10.40.0.0/16"
  subnet "e" {
    cidr = "10.40.1.0/24"
    zone = "us-east-2a"
  }
}
network "analytics" {
  cloud = cloud.gcp.data
  cidr  = "10.30.0.0/16"
}
tunnel "app-data" {
  between = [network.app, network.data]
}
tunnel "app-analytics" {
  between = [network.app, network.analytics]
}
endpoint "db" {
  network = network.data
  service = "com.amazonaws.us-west-2.rds"
}
relay "db-edge" {
  endpoint = endpoint.db
  to       = [network.edge]
}
"#;

const GIB: u64 = 1 << 30;
const TIB: u64 = 1 << 40;
/// One month of 730 hours, so that the window scales by exactly 1.
const MONTH_SECONDS: u64 = 730 * 3600;
const START: u64 = 1_790_000_000;

const HEADER: &str = "version account-id interface-id instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction";

/// An egress record of an instance's interface.
fn egress(src: &str, dst: &str, bytes: u64, traffic_path: &str) -> String {
    let end = START + MONTH_SECONDS;
    format!(
        "5 123456789012 eni-0a i-0a {src} {dst} 40000 443 6 1000 {bytes} {START} {end} ACCEPT OK {src} {dst} - - {traffic_path} egress"
    )
}

fn write_gz(path: &Path, text: &str) {
    let mut encoder = GzEncoder::new(std::fs::File::create(path).unwrap(), Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();
}

fn report(dir: &Path) -> CostReport {
    let topology = isopod_test_support::topology(CONFIGURATION);
    let desired = isopod_planner::lower(&topology, &isopod_planner::Live::default()).unwrap();
    let traffic = read_traffic(&topology, &desired, &[dir.to_path_buf()], &ReadOptions::default()).unwrap();
    cost(&topology, &desired, Some(&traffic), &PriceBook::builtin())
}

fn cents(usd: f64) -> i64 {
    (usd * 100.0).round() as i64
}

fn path_cost(report: &CostReport, from: &str, to: &str) -> f64 {
    report
        .paths
        .iter()
        .filter(|path| path.row.from.label() == from && path.row.to.label() == to)
        .map(|path| path.monthly_usd)
        .sum()
}

#[test]
fn a_month_of_traffic_is_priced_path_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let end = START + MONTH_SECONDS;
    let mut lines = vec![HEADER.to_string()];
    // 1 TiB downloaded from S3 by 10.10.1.175 (zone a) through the NAT gateway 10.10.2.236
    // (zone b): the gateway's egress record of what S3 sent. $0.045 × 1024 NAT processing +
    // $0.01 × 1024 × 2 between zones = $46.08 + $20.48.
    lines.push(format!(
        "5 123456789012 eni-0nat - 10.10.2.236 10.10.1.175 443 40001 6 1000 {TIB} {START} {end} ACCEPT OK 52.216.1.2 10.10.1.175 S3 - 1 egress"
    ));
    // 100 GiB over the cross-region peering to data: $0.02 × 100 = $2.00.
    lines.push(egress("10.10.1.9", "10.20.1.9", 100 * GIB, "5"));
    // 1,000 GiB over the tunnel to GCP, leaving by AWS's virtual private gateway at internet
    // rates: the first 100 GB free, then $0.09 × 900 = $81.00.
    lines.push(egress("10.10.1.9", "10.30.0.9", 1000 * GIB, "3"));
    // 2 TiB from edge to the endpoint in data, over the relay's peering: us-east-2 to us-west-2
    // is not one of the book's pairs, so $0.02 × 2048, and the endpoint's processing.
    lines.push(egress("10.40.1.9", "10.20.1.50", 2 * TIB, "5"));
    // The same traffic seen at the receiving ends: not counted again.
    lines.push(egress("10.10.1.9", "10.20.1.9", 100 * GIB, "5").replace(" egress", " ingress"));
    write_gz(&dir.path().join("aws.log.gz"), &(lines.join("\n") + "\n"));
    // 100 GiB from GCP back to app over the tunnel, in GCP's own month of flow logs: GCP's
    // internet rate $0.12 × 100 = $12.00.
    let rfc3339 = |second: u64| jiff::Timestamp::from_second(second as i64).unwrap().to_string();
    let gcp = format!(
        r#"{{"jsonPayload":{{"connection":{{"src_ip":"10.30.0.9","dest_ip":"10.10.1.9","src_port":443,"dest_port":40000,"protocol":6}},"bytes_sent":"{}","packets_sent":"10","reporter":"SRC","start_time":"{}","end_time":"{}","src_vpc":{{"vpc_name":"analytics"}}}}}}"#,
        100 * GIB,
        rfc3339(START),
        rfc3339(end),
    );
    std::fs::write(dir.path().join("gcp.json"), gcp + "\n").unwrap();

    let report = report(dir.path());
    let read = report.read.as_ref().unwrap();
    assert_eq!((read.files, read.records, read.counted, read.other_end), (2, 6, 5, 1));
    assert_eq!(cents(path_cost(&report, "S3", "app/a")), 4608 + 2048);
    let nat = report.paths.iter().find(|p| p.row.to.label() == "app/a").unwrap();
    assert_eq!(nat.row.path.kind, PathKind::NatGateway);
    assert_eq!(cents(path_cost(&report, "app/a", "data/x")), 200);
    assert_eq!(cents(path_cost(&report, "app/a", "analytics")), 8100);
    // Relay: $0.02 × 2048 between regions + $0.01 × 2048 the endpoint's processing.
    assert_eq!(cents(path_cost(&report, "edge/e", "data/x")), 4096 + 2048);
    assert_eq!(cents(path_cost(&report, "analytics", "app/a")), 1200);
    let traffic: i64 = [4608 + 2048, 200, 8100, 4096 + 2048, 1200].iter().sum();
    assert_eq!(cents(report.traffic_monthly_usd), traffic);
    // Fixed: the endpoint in data (one zone, $0.01 × 730 = $7.30), the relay's peering and
    // app-data's are free, app-analytics: one AWS VPN connection per GCP interface ($0.05 × 730
    // each) and GCP's tunnels ($0.05 × 730 each).
    assert!(report.fixed.iter().any(|f| f.meter == "aws.interface_endpoint" && cents(f.monthly_usd) == 730));
    assert_eq!(cents(report.total_monthly_usd), traffic + cents(report.fixed_monthly_usd));

    // The relay's traffic would cost less from an endpoint in edge's own region: 2 TiB at
    // $0.03 a GB today ($61.44) against $7.30 for the endpoint and $20.48 processing = $33.66.
    let relay = report.suggestions.iter().find(|s| s.title.contains("relay.db-edge")).expect("a relay suggestion");
    assert_eq!(cents(relay.saving_monthly_usd), 6144 - 730 - 2048);
    assert!(relay.change.contains("com.amazonaws.us-east-2.rds"), "{}", relay.change);
    // An S3 endpoint instead of the NAT gateway: $46.08 touched (the cross-zone part stays, the
    // endpoint is in both zones) against $14.60 for two zones and $10.24 processing.
    let s3 = report.suggestions.iter().find(|s| s.title.contains("S3")).expect("an S3 suggestion");
    assert!(s3.change.contains("com.amazonaws.us-east-1.s3"), "{}", s3.change);
    assert_eq!((cents(s3.saving_monthly_usd), cents(s3.touches_monthly_usd)), (4608 - 1460 - 1024, 4608 + 2048));
    for suggestion in &report.suggestions {
        assert!(suggestion.saving_monthly_usd <= suggestion.touches_monthly_usd + 1e-9, "{suggestion:?}");
    }
}

/// Each cloud's flow logs are scaled to a month by the time they span: a month of AWS's, an
/// hour of GCP's.
#[test]
fn each_clouds_flow_logs_are_scaled_by_their_own_window() {
    let dir = tempfile::tempdir().unwrap();
    // 100 GiB over the cross-region peering to data in a month: $0.02 × 100 = $2.00.
    let lines = [HEADER.to_string(), egress("10.10.1.9", "10.20.1.9", 100 * GIB, "5")];
    write_gz(&dir.path().join("aws.log.gz"), &(lines.join("\n") + "\n"));
    // 1 GiB from GCP to app in an hour: 730 GiB a month at GCP's internet rate, $0.12 × 730.
    let rfc3339 = |second: u64| jiff::Timestamp::from_second(second as i64).unwrap().to_string();
    let gcp = format!(
        r#"{{"jsonPayload":{{"connection":{{"src_ip":"10.30.0.9","dest_ip":"10.10.1.9","src_port":443,"dest_port":40000,"protocol":6}},"bytes_sent":"{GIB}","reporter":"SRC","start_time":"{}","end_time":"{}","src_vpc":{{"vpc_name":"analytics"}}}}}}"#,
        rfc3339(START),
        rfc3339(START + 3600),
    );
    std::fs::write(dir.path().join("gcp.json"), gcp + "\n").unwrap();
    let report = report(dir.path());
    let windows: Vec<(&str, f64)> = report.windows.iter().map(|(format, hours)| (format.name(), *hours)).collect();
    assert_eq!(windows, [("aws", 730.0), ("gcp", 1.0)]);
    assert_eq!(cents(path_cost(&report, "app/a", "data/x")), 200);
    assert_eq!(cents(path_cost(&report, "analytics", "app/a")), 8760);

    // GCP entries without times: GCP's traffic cannot be scaled, and the report says which.
    let timeless = r#"{"jsonPayload":{"connection":{"src_ip":"10.30.0.9","dest_ip":"10.10.1.9","src_port":443,"dest_port":40000,"protocol":6},"bytes_sent":"1000","reporter":"SRC","src_vpc":{"vpc_name":"analytics"}}}"#;
    std::fs::write(dir.path().join("gcp.json"), format!("{timeless}\n")).unwrap();
    let report = self::report(dir.path());
    assert_eq!(cents(path_cost(&report, "analytics", "app/a")), 0);
    let text = isopod_cost::render::cost_text(&report, &PriceBook::builtin(), false);
    assert!(text.contains("note: the gcp flows carry no start and end times"), "{text}");
}

/// What only its receiver logged counts when its sender's place logs nothing it sends: data
/// (whose flow logs are not read) to app over the peering, and the internet to app; the ingress
/// record of a flow app/a's own record counts is not counted again.
#[test]
fn a_sender_that_logs_nothing_is_seen_from_its_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let ingress = |src: &str, dst: &str, bytes: u64| egress(src, dst, bytes, "5").replace(" egress", " ingress");
    let lines = [
        HEADER.to_string(),
        egress("10.10.1.9", "10.10.2.9", 10 * GIB, "1"),
        ingress("10.10.1.9", "10.10.2.9", 10 * GIB),
        // 50 GiB from data over the cross-region peering: $0.02 × 50 = $1.00.
        ingress("10.20.1.9", "10.10.1.9", 50 * GIB),
        ingress("198.51.100.20", "10.10.1.9", GIB),
    ];
    write_gz(&dir.path().join("app.log.gz"), &(lines.join("\n") + "\n"));
    let report = report(dir.path());
    let read = report.read.as_ref().unwrap();
    assert_eq!((read.records, read.counted, read.other_end, read.from_receivers), (4, 3, 3, 2));
    assert_eq!(cents(path_cost(&report, "data/x", "app/a")), 100);
    let inbound = report.paths.iter().find(|p| p.row.from.label() == "internet").expect("the internet's flow");
    assert_eq!((inbound.row.bytes, cents(inbound.monthly_usd)), (GIB, 0));
    let within: u64 = report.paths.iter().filter(|p| p.row.from.label() == "app/a").map(|p| p.row.bytes).sum();
    assert_eq!(within, 10 * GIB, "counted once, from app/a's own record");
}

/// Every meter the resources of the examples are billed by is in the built-in book, SKUs of
/// Azure's gateways included.
#[test]
fn the_examples_fixed_costs_are_all_priced() {
    let topology = isopod_test_support::topology(&isopod_test_support::examples::three_cloud_mesh());
    let desired = isopod_planner::lower(&topology, &isopod_planner::Live::default()).unwrap();
    let report = cost(&topology, &desired, None, &PriceBook::builtin());
    assert!(report.unpriced.is_empty(), "{:?}", report.unpriced);
    let meters: Vec<&str> = report.fixed.iter().map(|cost| cost.meter.as_str()).collect();
    for meter in ["aws.vpn_connection", "gcp.vpn_tunnel", "azure.vpn_gateway.VpnGw2AZ", "azure.public_ip"] {
        assert!(meters.contains(&meter), "{meter} in {meters:?}");
    }
    // Hours in a month × the hourly prices, resource by resource.
    for cost in &report.fixed {
        assert_eq!(cents(cost.monthly_usd), cents(cost.units as f64 * cost.unit_usd * 730.0), "{cost:?}");
    }
}

/// The flow logs Isopod sets up on AWS carry every field the reader uses, in the order the
/// seeded generator of the tests writes.
#[test]
fn the_format_isopod_sets_up_is_the_one_it_reads() {
    let header = isopod_planner::lower::flow_logs::AWS_LOG_FORMAT.replace("${", "").replace('}', "");
    assert_eq!(header, isopod_test_support::flows::FORMAT);
    let line = "5 123456789012 eni-0a 10.10.1.5 52.216.1.2 40000 443 6 10 5000 1 60 ACCEPT OK vpc-0a subnet-0a i-0a us-east-1 use1-az1 egress - 10.10.1.5 52.216.1.2 - S3";
    let mut flows = Vec::new();
    let mut report = isopod_cost::flows::ReadReport::default();
    isopod_cost::flows::aws::read("f.log", format!("{header}\n{line}\n").as_bytes(), &mut report, |f| flows.push(*f))
        .unwrap();
    assert_eq!((report.counted, report.malformed), (1, 0));
    assert_eq!(flows[0].service, Some(isopod_cost::flows::Service::S3));
    assert_eq!(flows[0].egress, isopod_cost::flows::Egress::Forwarded, "no traffic-path: a NAT gateway");
}
