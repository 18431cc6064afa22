//! The AWS provider keeps the provider contract for every AWS kind: the must-pass suite
//! (`isopod-conformance`) against moto's EC2 and Route 53 server on 127.0.0.1, over
//! configurations that together lower to every AWS kind (the hosts at the other end of the VPN
//! tunnels are the simulator's: the AWS provider is what is under test), two of them changed in
//! place and by replacement; then the same calls against a server that throttles every call, as
//! EC2 and Route 53 do under load.

use isopod_aws::{AwsProvider, AwsSettings};
use isopod_catalog::{Cloud, ResourceKind};
use isopod_conformance::{Case, Gaps, Providers, must_pass, throttled_must_pass};
use isopod_provider::Provider;
use isopod_simulator::Simulator;
use isopod_test_support::Moto;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn provider(url: &str) -> AwsProvider {
    // moto takes any credentials.
    let credentials = Some(("testing".into(), "testing".to_string()));
    AwsProvider::new(AwsSettings {
        endpoint: Some(url.to_string()),
        static_credentials: credentials,
        ..AwsSettings::default()
    })
}

/// The two regions' `cloud` blocks, reaching `url`.
fn clouds(stack: &str, url: &str) -> String {
    format!(
        "stack \"{stack}\" {{}}\n\ncloud \"aws\" \"east\" {{\n  region   = \"us-east-1\"\n  endpoint = \"{url}\"\n}}\n\ncloud \"aws\" \"west\" {{\n  region   = \"us-west-2\"\n  endpoint = \"{url}\"\n}}\n"
    )
}

/// Two VPCs without subnets in two regions, joined by a tunnel: a cross-region peering, whose
/// accepter must be found again after it is applied (issue 13's new-user case); the first with
/// flow logs to an S3 bucket.
const PEERED: &str = r#"
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.30.0.0/16"

  flow_logs {
    destination = "arn:aws:s3:::isopod-flow-logs"
    interval    = 60
  }
}

network "data" {
  cloud = cloud.aws.west
  cidr  = "10.31.0.0/16"
}

tunnel "app-data" {
  between = [network.app, network.data]
}
"#;

/// A private endpoint in a subnet, relayed to the other region with a private hosted zone.
const RELAYED: &str = r#"
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.40.0.0/16"

  subnet "a" {
    cidr = "10.40.1.0/24"
    zone = "us-east-1a"
  }
}

network "data" {
  cloud = cloud.aws.west
  cidr  = "10.41.0.0/16"
}

tunnel "app-data" {
  between = [network.app, network.data]
}

endpoint "warehouse" {
  network  = network.app
  service  = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  subnets  = ["a"]
  dns_name = "warehouse.partner.example.com"
}

relay "warehouse-west" {
  endpoint = endpoint.warehouse
  to       = [network.data]
}
"#;

/// VPN tunnels to a host: static from a virtual private gateway, BGP from a transit gateway.
const TO_HOSTS: &str = r#"
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.50.0.0/16"
}

network "hub" {
  cloud           = cloud.aws.west
  cidr            = "10.51.0.0/16"
  transit_gateway = true

  subnet "a" {
    cidr = "10.51.1.0/24"
    zone = "us-west-2a"
  }
}

host "dc" {
  address = "198.51.100.7"
  cidrs   = ["192.168.0.0/24"]
}

tunnel "app-dc" {
  between = [network.app, host.dc]
  routing = "static"
}

tunnel "hub-dc" {
  between = [network.hub, host.dc]
}
"#;

/// The IKE lifetimes changed (ModifyVpnTunnelOptions in place), the host's ranges grown (VPN
/// connection routes added), the transit gateway's subnet moved (replaced, its attachment
/// changed).
fn to_hosts_changed() -> String {
    TO_HOSTS
        .replace("  routing = \"static\"\n", "  routing = \"static\"\n\n  ike {\n    lifetime = 14400\n  }\n")
        .replace(r#"cidrs   = ["192.168.0.0/24"]"#, r#"cidrs   = ["192.168.0.0/24", "192.168.9.0/24"]"#)
        .replace("10.51.1.0/24", "10.51.2.0/24")
}

/// The subnet of the endpoint moved: the subnet and the endpoint in it replaced.
fn relayed_changed() -> String {
    RELAYED.replace("10.40.1.0/24", "10.40.2.0/24")
}

#[test]
fn the_aws_provider_keeps_the_contract_for_every_aws_kind() {
    let moto = Moto::start();
    moto.create_bucket("isopod-flow-logs");
    let url = moto.url.as_str();
    let case = |name: &str, stack: &str, body: &str, changed: Option<String>| Case {
        name: name.to_string(),
        text: format!("{}{body}", clouds(stack, url)),
        changed: changed.map(|changed| format!("{}{changed}", clouds(stack, url))),
    };
    let cases = [
        case("two VPCs peered across regions", "peered", PEERED, None),
        case("an endpoint relayed with a private hosted zone", "relayed", RELAYED, Some(relayed_changed())),
        case("VPN tunnels to a host", "hosts", TO_HOSTS, Some(to_hosts_changed())),
    ];
    let aws: Arc<dyn Provider> = Arc::new(provider(url));
    let hosts = Simulator::in_memory();
    let providers: Providers = &|cloud: Cloud| match cloud {
        Cloud::Aws => aws.clone(),
        Cloud::Host => Arc::new(hosts.provider(Cloud::Host)),
        other => panic!("no {other:?} in these cases"),
    };
    let report = run(must_pass(providers, &cases, &moto_gaps()));
    let aws_kinds = || ResourceKind::all().filter(|kind| kind.cloud() == Cloud::Aws);
    let missed: Vec<ResourceKind> = aws_kinds().filter(|kind| !report.kinds.contains(kind)).collect();
    assert!(missed.is_empty(), "AWS kinds no case exercises: {missed:?}");
    let untouched: Vec<ResourceKind> =
        aws_kinds().filter(|kind| kind.attr("tags").is_some() && !report.updated.contains(kind)).collect();
    assert!(untouched.is_empty(), "tagged kinds never updated: {untouched:?}");
    assert!(report.replaced.contains(&ResourceKind::AwsSubnet), "{:?}", report.replaced);
    assert!(report.updated.contains(&ResourceKind::AwsVpnConnection), "{:?}", report.updated);

    let throttling = Throttling::start();
    let throttled_aws: Arc<dyn Provider> = Arc::new(provider(&throttling.url));
    let throttled_hosts =
        Simulator::in_memory().with_knobs(isopod_simulator::Knobs { throttle_rate: 1.0, ..Default::default() });
    let throttled: Providers = &|cloud: Cloud| match cloud {
        Cloud::Aws => throttled_aws.clone(),
        _ => Arc::new(throttled_hosts.provider(cloud)),
    };
    run(throttled_must_pass(throttled, &report));
}

/// What moto does not refuse that EC2 does: those checks are skipped (the simulator, which
/// follows EC2's documentation, runs them).
fn moto_gaps() -> Gaps {
    Gaps {
        deletes_held: vec![
            (
                ResourceKind::AwsVpcEndpoint,
                ResourceKind::AwsSubnet,
                "moto deletes a subnet an interface endpoint's network interface is in (EC2: DependencyViolation)",
            ),
            (
                ResourceKind::AwsVpcEndpoint,
                ResourceKind::AwsSecurityGroup,
                "moto deletes a security group an interface endpoint's network interface uses (EC2: DependencyViolation)",
            ),
            (
                ResourceKind::AwsVpnConnection,
                ResourceKind::AwsVpnGateway,
                "moto deletes a VPN gateway a VPN connection still uses (EC2's reference: delete the connection first)",
            ),
            (
                ResourceKind::AwsVpnConnection,
                ResourceKind::AwsCustomerGateway,
                "moto deletes a customer gateway a VPN connection still uses (EC2's reference: delete the connection first)",
            ),
            (
                ResourceKind::AwsVpnConnection,
                ResourceKind::AwsTransitGateway,
                "moto deletes a transit gateway a VPN connection is attached to (EC2: IncorrectState)",
            ),
            (
                ResourceKind::AwsTransitGatewayVpcAttachment,
                ResourceKind::AwsTransitGateway,
                "moto deletes a transit gateway that has VPC attachments (EC2: IncorrectState)",
            ),
            (
                ResourceKind::AwsTransitGatewayVpcAttachment,
                ResourceKind::AwsSubnet,
                "moto deletes a subnet a transit gateway attachment's network interface is in (EC2: DependencyViolation)",
            ),
            (
                ResourceKind::AwsTransitGatewayVpcAttachment,
                ResourceKind::AwsVpc,
                "moto deletes a VPC a transit gateway is attached to (EC2: DependencyViolation)",
            ),
        ],
        creates_orphans: vec![(
            ResourceKind::AwsSecurityGroup,
            "moto creates a security group in a VPC that does not exist (EC2: InvalidVpcID.NotFound)",
        )],
    }
}

/// A server on 127.0.0.1 that answers every request as EC2 (HTTP 503 `RequestLimitExceeded`)
/// or Route 53 (HTTP 400 `Throttling`) answer when they throttle, in their documented error
/// shapes.
struct Throttling {
    url: String,
}

impl Throttling {
    fn start() -> Throttling {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let path = read_request(&mut stream);
                let (status, body) = if path.starts_with("/2013-04-01/") {
                    (
                        400,
                        "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>4f1e2a7c-0000-4000-8000-000000000001</RequestId></ErrorResponse>",
                    )
                } else {
                    (
                        503,
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>",
                    )
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body.as_bytes());
            }
        });
        Throttling { url }
    }
}

/// Reads one HTTP request (headers and body) and returns its path.
fn read_request(stream: &mut std::net::TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let path = line.split_whitespace().nth(1).unwrap_or_default().to_string();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    path
}
