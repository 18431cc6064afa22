//! Against moto's EC2 server (`moto[server]`, installed by `scripts/test` into the cache), started
//! on 127.0.0.1 on a free port for each test.

use super::*;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A moto server on a free port of 127.0.0.1, stopped when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Moto {
    fn start() -> Moto {
        let binary = std::env::var_os("ISOPOD_MOTO_SERVER").map(std::path::PathBuf::from).unwrap_or_else(|| {
            let cache = std::env::var_os("ISOPOD_CACHE").map(std::path::PathBuf::from).unwrap_or_else(|| {
                std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/isopod")
            });
            cache.join("venv/bin/moto_server")
        });
        assert!(binary.exists(), "{} is missing: scripts/test installs moto's server", binary.display());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto's server starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "moto did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Moto { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn provider(moto: &Moto) -> AwsProvider {
    // moto takes any credentials.
    let credentials = Some(("testing".to_string(), "testing".to_string()));
    AwsProvider::new(AwsSettings { endpoint: Some(moto.url.clone()), profile: None, static_credentials: credentials })
}

fn resource(kind: ResourceKind, address: &str, attrs: &[(&str, Value)]) -> Resource {
    Resource {
        id: ResourceId::new(kind, address),
        scope: Scope { cloud: "aws.prod".into(), region: "us-east-1".into() },
        attrs: std::sync::Arc::new(attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()),
        depends_on: Vec::new(),
        object: format!("network.{address}"),
    }
}

#[test]
fn vpcs_and_subnets_round_trip_through_ec2_with_their_ownership() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let scope = Scope { cloud: "aws.prod".into(), region: "us-east-1".into() };
    let tags = Value::Map([("Name".to_string(), Value::string("demo-app"))].into());
    let vpc = resource(ResourceKind::AwsVpc, "app", &[("cidr_block", Value::string("10.0.0.0/16")), ("tags", tags)]);
    let owner = Ownership { stack: "demo".into(), id: vpc.id.clone() };
    let created = run(aws.create(&vpc, &owner)).unwrap();
    assert!(created.provider_id.starts_with("vpc-"), "{}", created.provider_id);
    let subnet = resource(
        ResourceKind::AwsSubnet,
        "app.a",
        &[
            ("vpc_id", Value::string(&created.provider_id)),
            ("cidr_block", Value::string("10.0.1.0/24")),
            ("availability_zone", Value::string("us-east-1a")),
        ],
    );
    let subnet_owner = Ownership { stack: "demo".into(), id: subnet.id.clone() };
    let subnet_id = run(aws.create(&subnet, &subnet_owner)).unwrap().provider_id;

    let found = run(aws.discover(&scope, &[ResourceKind::AwsVpc, ResourceKind::AwsSubnet])).unwrap();
    let vpc_found = found.iter().find(|r| r.provider_id == created.provider_id).expect("the VPC is discovered");
    assert_eq!(vpc_found.owner, Some(owner));
    assert_eq!(vpc_found.attrs["cidr_block"], Value::string("10.0.0.0/16"));
    assert_eq!(vpc_found.attrs["tags"], Value::Map([("Name".to_string(), Value::string("demo-app"))].into()));
    let subnet_found = found.iter().find(|r| r.provider_id == subnet_id).expect("the subnet is discovered");
    assert_eq!(subnet_found.owner, Some(subnet_owner));
    assert_eq!(subnet_found.attrs["availability_zone"], Value::string("us-east-1a"));
    // moto's default VPC carries no ownership: it is not listed.
    assert_eq!(found.iter().filter(|r| r.kind == ResourceKind::AwsVpc).count(), 1);

    // A VPC that still holds a subnet cannot go: EC2's DependencyViolation is a conflict.
    let refused = run(aws.delete(&created.provider_id, ResourceKind::AwsVpc, &scope)).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Conflict, "{refused}");
    run(aws.delete(&subnet_id, ResourceKind::AwsSubnet, &scope)).unwrap();
    run(aws.delete(&created.provider_id, ResourceKind::AwsVpc, &scope)).unwrap();
    run(aws.delete(&created.provider_id, ResourceKind::AwsVpc, &scope)).expect("deleting what is gone succeeds");
    assert!(run(aws.discover(&scope, &[ResourceKind::AwsVpc])).unwrap().is_empty());
}

#[test]
fn customer_gateways_round_trip_and_updates_change_only_the_own_tags() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let scope = Scope { cloud: "aws.prod".into(), region: "eu-west-1".into() };
    let tags = |name: &str| Value::Map([("Name".to_string(), Value::string(name))].into());
    let mut gateway = resource(
        ResourceKind::AwsCustomerGateway,
        "t.0",
        &[
            // moto ignores `BgpAsnExtended`, so the 4-byte path cannot be checked against it.
            ("bgp_asn", Value::Integer(65_010)),
            ("ip_address", Value::string("198.51.100.7")),
            ("type", Value::string("ipsec.1")),
            ("tags", tags("demo-t-0")),
        ],
    );
    gateway.scope = scope.clone();
    let owner = Ownership { stack: "demo".into(), id: gateway.id.clone() };
    let id = run(aws.create(&gateway, &owner)).unwrap().provider_id;
    let found = run(aws.discover(&scope, &[ResourceKind::AwsCustomerGateway])).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].attrs.get("bgp_asn"), Some(&Value::Integer(65_010)), "{:?}", found[0].attrs);
    assert_eq!(found[0].attrs["ip_address"], Value::string("198.51.100.7"));

    std::sync::Arc::make_mut(&mut gateway.attrs).insert("tags".into(), tags("renamed"));
    run(aws.update(&id, &gateway)).unwrap();
    let found = run(aws.discover(&scope, &[ResourceKind::AwsCustomerGateway])).unwrap();
    assert_eq!(found[0].attrs["tags"], tags("renamed"));
    assert_eq!(found[0].owner, Some(owner), "the ownership tags stay");

    run(aws.delete(&id, ResourceKind::AwsCustomerGateway, &scope)).unwrap();
    assert!(run(aws.discover(&scope, &[ResourceKind::AwsCustomerGateway])).unwrap().is_empty(), "deleted is gone");
}

#[test]
fn vpn_gateways_attach_to_their_vpc_and_detach_before_deletion() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let scope = Scope { cloud: "aws.prod".into(), region: "us-east-1".into() };
    let vpc = resource(ResourceKind::AwsVpc, "app", &[("cidr_block", Value::string("10.0.0.0/16"))]);
    let vpc_id = run(aws.create(&vpc, &Ownership { stack: "demo".into(), id: vpc.id.clone() })).unwrap().provider_id;
    let gateway = resource(
        ResourceKind::AwsVpnGateway,
        "app",
        &[("vpc_id", Value::string(&vpc_id)), ("amazon_side_asn", Value::Integer(64_512))],
    );
    let owner = Ownership { stack: "demo".into(), id: gateway.id.clone() };
    let id = run(aws.create(&gateway, &owner)).unwrap().provider_id;
    assert_eq!(run(aws.provisioning(&id, ResourceKind::AwsVpnGateway, &scope)).unwrap(), Provisioning::Ready);
    let found = run(aws.discover(&scope, &[ResourceKind::AwsVpnGateway])).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].owner, Some(owner));
    assert_eq!(found[0].attrs["vpc_id"], Value::string(&vpc_id));
    assert_eq!(found[0].attrs["amazon_side_asn"], Value::Integer(64_512));
    run(aws.delete(&id, ResourceKind::AwsVpnGateway, &scope)).unwrap();
    assert!(run(aws.discover(&scope, &[ResourceKind::AwsVpnGateway])).unwrap().is_empty());
    run(aws.delete(&vpc_id, ResourceKind::AwsVpc, &scope)).expect("the VPC is free once the gateway is detached");
}

#[test]
fn vpn_connections_report_their_outside_addresses_and_never_a_key() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let scope = Scope { cloud: "aws.prod".into(), region: "us-east-1".into() };
    let make = |kind: ResourceKind, address: &str, attrs: &[(&str, Value)]| {
        let resource = resource(kind, address, attrs);
        let owner = Ownership { stack: "demo".into(), id: resource.id.clone() };
        run(aws.create(&resource, &owner)).unwrap()
    };
    let vpc = make(ResourceKind::AwsVpc, "app", &[("cidr_block", Value::string("10.0.0.0/16"))]).provider_id;
    let vgw = make(ResourceKind::AwsVpnGateway, "app", &[("vpc_id", Value::string(&vpc))]).provider_id;
    let cgw = make(
        ResourceKind::AwsCustomerGateway,
        "t.0",
        &[("bgp_asn", Value::Integer(65_010)), ("ip_address", Value::string("198.51.100.7"))],
    )
    .provider_id;
    let created = make(
        ResourceKind::AwsVpnConnection,
        "t.0",
        &[
            ("vpn_gateway_id", Value::string(&vgw)),
            ("customer_gateway_id", Value::string(&cgw)),
            ("static_routes_only", Value::Bool(false)),
            ("tunnel1_inside_cidr", Value::string("169.254.10.0/30")),
            ("tunnel1_preshared_key", Value::string("Sw0rdfish.for.tunnel.one")),
            ("tunnel2_inside_cidr", Value::string("169.254.10.4/30")),
            ("tunnel2_preshared_key", Value::string("Sw0rdfish.for.tunnel.two")),
        ],
    );
    assert!(created.provider_id.starts_with("vpn-"), "{}", created.provider_id);
    assert_eq!(created.outputs.len(), 2, "both outside addresses: {:?}", created.outputs);
    let state = run(aws.provisioning(&created.provider_id, ResourceKind::AwsVpnConnection, &scope)).unwrap();
    assert_eq!(state, Provisioning::Ready);
    let found = run(aws.discover(&scope, &[ResourceKind::AwsVpnConnection])).unwrap();
    assert_eq!(found.len(), 1);
    let attrs = &found[0].attrs;
    assert_eq!(attrs["customer_gateway_id"], Value::string(&cgw));
    assert_eq!(attrs["vpn_gateway_id"], Value::string(&vgw));
    assert_eq!(attrs["tunnel1_address"], created.outputs["tunnel1_address"]);
    let listed = format!("{attrs:?}");
    assert!(!listed.contains("Sw0rdfish"), "discovery never reports a key: {listed}");
    run(aws.delete(&created.provider_id, ResourceKind::AwsVpnConnection, &scope)).unwrap();
    assert!(run(aws.discover(&scope, &[ResourceKind::AwsVpnConnection])).unwrap().is_empty());
}

#[test]
fn outside_addresses_are_read_from_the_gateway_configuration_and_nothing_else() {
    let xml = "<vpn_connection><ipsec_tunnel><customer_gateway><tunnel_outside_address><ip_address>198.51.100.7</ip_address></tunnel_outside_address></customer_gateway><vpn_gateway><tunnel_outside_address><ip_address>52.1.1.1</ip_address></tunnel_outside_address></vpn_gateway><ike><pre_shared_key>secret-one</pre_shared_key></ike></ipsec_tunnel><ipsec_tunnel><vpn_gateway><tunnel_outside_address><ip_address> 52.2.2.2 </ip_address></tunnel_outside_address></vpn_gateway></ipsec_tunnel></vpn_connection>";
    assert_eq!(gateway_addresses_in_configuration(xml), ["52.1.1.1", "52.2.2.2"]);
}
