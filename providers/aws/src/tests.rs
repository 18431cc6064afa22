//! Against moto's EC2 server (`moto[server]`, installed by `scripts/test` into the cache, with
//! the VPN calls moto leaves out filled in by `test-support/moto_ec2.py`), started on 127.0.0.1
//! on a free port for each test.

use super::*;
use isopod_catalog::{ResourceId, Value};
use isopod_test_support::Moto;

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn provider(moto: &Moto) -> AwsProvider {
    // moto takes any credentials.
    let credentials = Some(("testing".into(), "testing".to_string()));
    AwsProvider::new(AwsSettings {
        endpoint: Some(moto.url.clone()),
        static_credentials: credentials,
        ..AwsSettings::default()
    })
}

fn resource(kind: ResourceKind, address: &str, attrs: &[(&str, Value)]) -> Resource {
    Resource {
        id: ResourceId::new(kind, address),
        scope: Scope { cloud: "aws.prod".into(), region: "us-east-1".into() },
        attrs: std::sync::Arc::new(attrs.iter().map(|(k, v)| (isopod_catalog::Name::intern(k), v.clone())).collect()),
        depends_on: Vec::new(),
        object: format!("network.{address}"),
    }
}

/// Creates a resource of stack `demo` in `region`.
fn make(aws: &AwsProvider, region: &str, kind: ResourceKind, address: &str, attrs: &[(&str, Value)]) -> Created {
    let mut resource = resource(kind, address, attrs);
    resource.scope.region = region.to_string();
    let owner = Ownership { stack: "demo".into(), id: resource.id.clone() };
    run(aws.create(&resource, &owner)).unwrap_or_else(|err| panic!("creating {}: {err}", resource.id))
}

fn scope(region: &str) -> Scope {
    Scope { cloud: "aws.prod".into(), region: region.into() }
}

fn found(aws: &AwsProvider, region: &str, kind: ResourceKind) -> Vec<ObservedResource> {
    run(aws.discover(&scope(region), &[kind])).unwrap()
}

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|item| Value::string(*item)).collect())
}

#[test]
fn vpcs_and_subnets_round_trip_through_ec2_with_their_ownership() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let scope = Scope { cloud: "aws.prod".into(), region: "us-east-1".into() };
    let tags = Value::Map([("Name".to_string(), Value::string("demo-app"))].into());
    let vpc = resource(
        ResourceKind::AwsVpc,
        "app",
        &[
            ("cidr_block", Value::string("10.0.0.0/16")),
            ("enable_dns_support", Value::Bool(true)),
            ("enable_dns_hostnames", Value::Bool(true)),
            ("tags", tags),
        ],
    );
    let owner = Ownership { stack: "demo".into(), id: vpc.id.clone() };
    let created = run(aws.create(&vpc, &owner)).unwrap();
    assert!(created.provider_id.starts_with("vpc-"), "{}", created.provider_id);
    let main_table = created.outputs["main_route_table_id"].clone();
    assert!(matches!(&main_table, Value::String(id) if id.starts_with("rtb-")), "{main_table:?}");
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
    assert_eq!(vpc_found.attrs["main_route_table_id"], main_table);
    assert_eq!(vpc_found.attrs["enable_dns_hostnames"], Value::Bool(true), "set after the create call");
    assert_eq!(vpc_found.attrs["enable_dns_support"], Value::Bool(true));
    let subnet_found = found.iter().find(|r| r.provider_id == subnet_id).expect("the subnet is discovered");
    assert_eq!(subnet_found.owner, Some(subnet_owner));
    assert_eq!(subnet_found.attrs["availability_zone"], Value::string("us-east-1a"));
    // moto's default VPC is listed too (a network may describe it), with no owner.
    let default_vpc = found.iter().find(|r| r.kind == ResourceKind::AwsVpc && r.provider_id != created.provider_id);
    assert_eq!(default_vpc.map(|vpc| vpc.owner.clone()), Some(None));

    // A VPC that still holds a subnet cannot go: EC2's DependencyViolation is a conflict.
    let refused = run(aws.delete(&created.provider_id, ResourceKind::AwsVpc, &scope)).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Conflict, "{refused}");
    run(aws.delete(&subnet_id, ResourceKind::AwsSubnet, &scope)).unwrap();
    run(aws.delete(&created.provider_id, ResourceKind::AwsVpc, &scope)).unwrap();
    run(aws.delete(&created.provider_id, ResourceKind::AwsVpc, &scope)).expect("deleting what is gone succeeds");
    let left = run(aws.discover(&scope, &[ResourceKind::AwsVpc])).unwrap();
    assert!(left.iter().all(|vpc| vpc.provider_id != created.provider_id), "{left:?}");
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

/// Tunnel `n`'s options as the planner lowers them for a Linux host, with `lifetime` for phase 1.
fn tunnel_options(n: u8, inside: &str, lifetime: i64) -> Vec<(isopod_catalog::Name, Value)> {
    let name = |field: &str| isopod_catalog::Name::from(format!("tunnel{n}_{field}"));
    vec![
        (name("inside_cidr"), Value::string(inside)),
        (name("preshared_key"), Value::string(format!("Sw0rdfish.for.tunnel.{n}"))),
        (name("ike_versions"), list(&["ikev2"])),
        (name("dpd_timeout_seconds"), Value::Integer(30)),
        (name("phase1_lifetime_seconds"), Value::Integer(lifetime)),
        (name("phase2_lifetime_seconds"), Value::Integer(3600)),
        (name("phase1_encryption_algorithms"), list(&["AES256-GCM-16", "AES256"])),
        (name("phase2_encryption_algorithms"), list(&["AES256-GCM-16", "AES256"])),
        (name("phase1_integrity_algorithms"), list(&["SHA2-256"])),
        (name("phase2_integrity_algorithms"), list(&["SHA2-256"])),
        (name("phase1_dh_group_numbers"), Value::List(vec![Value::Integer(20), Value::Integer(14)])),
        (name("phase2_dh_group_numbers"), Value::List(vec![Value::Integer(20), Value::Integer(14)])),
    ]
}

#[test]
fn vpn_connections_keep_their_tunnel_options_and_routes_and_never_report_a_key() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let region = "us-east-1";
    let vpc = make(&aws, region, ResourceKind::AwsVpc, "app", &[("cidr_block", Value::string("10.0.0.0/16"))]);
    let table = vpc.outputs["main_route_table_id"].clone();
    let vpc = vpc.provider_id;
    let vgw = make(&aws, region, ResourceKind::AwsVpnGateway, "app", &[("vpc_id", Value::string(&vpc))]).provider_id;
    let cgw = make(
        &aws,
        region,
        ResourceKind::AwsCustomerGateway,
        "t.0",
        &[("bgp_asn", Value::Integer(65_010)), ("ip_address", Value::string("198.51.100.7"))],
    )
    .provider_id;
    let mut attrs: Vec<(isopod_catalog::Name, Value)> = vec![
        ("vpn_gateway_id".into(), Value::string(&vgw)),
        ("customer_gateway_id".into(), Value::string(&cgw)),
        ("static_routes_only".into(), Value::Bool(true)),
        ("type".into(), Value::string("ipsec.1")),
    ];
    attrs.extend(tunnel_options(1, "169.254.10.0/30", 28_800));
    attrs.extend(tunnel_options(2, "169.254.10.4/30", 28_800));
    let borrowed: Vec<(&str, Value)> = attrs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let mut connection = resource(ResourceKind::AwsVpnConnection, "t.0", &borrowed);
    let owner = Ownership { stack: "demo".into(), id: connection.id.clone() };
    let created = run(aws.create(&connection, &owner)).unwrap();
    let id = created.provider_id.clone();
    assert!(id.starts_with("vpn-"), "{id}");
    assert_eq!(created.outputs.len(), 2, "both outside addresses: {:?}", created.outputs);
    let state = run(aws.provisioning(&id, ResourceKind::AwsVpnConnection, &scope(region))).unwrap();
    assert_eq!(state, Provisioning::Ready);

    let live = found(&aws, region, ResourceKind::AwsVpnConnection);
    assert_eq!(live.len(), 1);
    let observed = &live[0].attrs;
    assert_eq!(observed["tunnel1_address"], created.outputs["tunnel1_address"]);
    // Every option the planner sets reads back as it was written; keys only as present.
    for (name, value) in attrs.iter().filter(|(name, _)| !name.ends_with("_preshared_key")) {
        assert_eq!(observed.get(name.as_str()), Some(value), "{name}");
    }
    assert!(matches!(observed["tunnel1_preshared_key"], Value::Sensitive(_)));
    let listed = format!("{observed:?}");
    assert!(!listed.contains("Sw0rdfish"), "discovery never reports a key: {listed}");

    // Changing tunnel 2's lifetime modifies tunnel 2 only (ModifyVpnTunnelOptions).
    let changed: Vec<(isopod_catalog::Name, Value)> = tunnel_options(2, "169.254.10.4/30", 14_400);
    std::sync::Arc::make_mut(&mut connection.attrs).extend(changed);
    run(aws.update(&id, &connection)).unwrap();
    let observed = found(&aws, region, ResourceKind::AwsVpnConnection).remove(0).attrs;
    assert_eq!(observed["tunnel2_phase1_lifetime_seconds"], Value::Integer(14_400));
    assert_eq!(observed["tunnel1_phase1_lifetime_seconds"], Value::Integer(28_800));

    // Static routes and route propagation, which EC2 cannot tag: found by their natural key,
    // owned through the connection and the VPC.
    let route = make(
        &aws,
        region,
        ResourceKind::AwsVpnConnectionRoute,
        "t.0.192.168.0.0/24",
        &[("vpn_connection_id", Value::string(&id)), ("destination_cidr_block", Value::string("192.168.0.0/24"))],
    );
    assert_eq!(route.provider_id, format!("{id}:192.168.0.0/24"));
    let routes = found(&aws, region, ResourceKind::AwsVpnConnectionRoute);
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].owner.as_ref().map(|o| o.id.address.as_str()), Some(route.provider_id.as_str()));
    let propagation = make(
        &aws,
        region,
        ResourceKind::AwsVpnGatewayRoutePropagation,
        "app",
        &[("vpn_gateway_id", Value::string(&vgw)), ("route_table_id", table.clone())],
    );
    let propagations = found(&aws, region, ResourceKind::AwsVpnGatewayRoutePropagation);
    assert_eq!(propagations.len(), 1);
    assert_eq!(propagations[0].attrs["route_table_id"], table);
    assert_eq!(propagations[0].owner.as_ref().map(|o| o.stack.as_str()), Some("demo"));

    let scope = scope(region);
    run(aws.delete(&propagation.provider_id, ResourceKind::AwsVpnGatewayRoutePropagation, &scope)).unwrap();
    run(aws.delete(&route.provider_id, ResourceKind::AwsVpnConnectionRoute, &scope)).unwrap();
    assert!(found(&aws, region, ResourceKind::AwsVpnGatewayRoutePropagation).is_empty());
    assert!(found(&aws, region, ResourceKind::AwsVpnConnectionRoute).is_empty());
    run(aws.delete(&id, ResourceKind::AwsVpnConnection, &scope)).unwrap();
    assert!(found(&aws, region, ResourceKind::AwsVpnConnection).is_empty());
    let gone = run(aws.provisioning(&id, ResourceKind::AwsVpnConnection, &scope)).unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound, "a deleted connection is gone to the executor");
}

#[test]
fn transit_gateways_attach_vpcs_and_carry_routes() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let region = "us-west-2";
    let vpc = make(&aws, region, ResourceKind::AwsVpc, "app", &[("cidr_block", Value::string("10.1.0.0/16"))]);
    let table = vpc.outputs["main_route_table_id"].clone();
    let subnet = make(
        &aws,
        region,
        ResourceKind::AwsSubnet,
        "app.a",
        &[
            ("vpc_id", Value::string(&vpc.provider_id)),
            ("cidr_block", Value::string("10.1.0.0/24")),
            ("availability_zone", Value::string("us-west-2a")),
        ],
    )
    .provider_id;
    let enable = || Value::string("enable");
    let options = [
        ("amazon_side_asn", Value::Integer(64_600)),
        ("vpn_ecmp_support", enable()),
        ("default_route_table_association", enable()),
        ("default_route_table_propagation", enable()),
        ("dns_support", enable()),
    ];
    let gateway = make(&aws, region, ResourceKind::AwsTransitGateway, "app", &options).provider_id;
    assert!(gateway.starts_with("tgw-"), "{gateway}");
    let state = run(aws.provisioning(&gateway, ResourceKind::AwsTransitGateway, &scope(region))).unwrap();
    assert_eq!(state, Provisioning::Ready);
    let live = found(&aws, region, ResourceKind::AwsTransitGateway);
    assert_eq!(live.len(), 1);
    for (name, value) in &options {
        assert_eq!(live[0].attrs.get(*name), Some(value), "{name}");
    }
    let attachment = make(
        &aws,
        region,
        ResourceKind::AwsTransitGatewayVpcAttachment,
        "app",
        &[
            ("transit_gateway_id", Value::string(&gateway)),
            ("vpc_id", Value::string(&vpc.provider_id)),
            ("subnet_ids", list(&[&subnet])),
        ],
    )
    .provider_id;
    let live = found(&aws, region, ResourceKind::AwsTransitGatewayVpcAttachment);
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].attrs["subnet_ids"], list(&[&subnet]));
    let route = make(
        &aws,
        region,
        ResourceKind::AwsRoute,
        "app.transit.10.9.0.0/16",
        &[
            ("route_table_id", table.clone()),
            ("destination_cidr_block", Value::string("10.9.0.0/16")),
            ("transit_gateway_id", Value::string(&gateway)),
        ],
    );
    let routes = found(&aws, region, ResourceKind::AwsRoute);
    assert_eq!(routes.len(), 1, "the VPC's local route is not Isopod's: {routes:?}");
    assert_eq!(routes[0].attrs["transit_gateway_id"], Value::string(&gateway));
    assert_eq!(routes[0].provider_id, route.provider_id);

    let scope = scope(region);
    run(aws.delete(&route.provider_id, ResourceKind::AwsRoute, &scope)).unwrap();
    assert!(found(&aws, region, ResourceKind::AwsRoute).is_empty());
    run(aws.delete(&attachment, ResourceKind::AwsTransitGatewayVpcAttachment, &scope)).unwrap();
    assert!(found(&aws, region, ResourceKind::AwsTransitGatewayVpcAttachment).is_empty());
    run(aws.delete(&gateway, ResourceKind::AwsTransitGateway, &scope)).unwrap();
    assert!(found(&aws, region, ResourceKind::AwsTransitGateway).is_empty());
}

#[test]
fn cross_region_peering_is_requested_accepted_in_the_peer_region_and_routed() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let east = make(&aws, "us-east-1", ResourceKind::AwsVpc, "e", &[("cidr_block", Value::string("10.1.0.0/16"))]);
    let west = make(&aws, "us-west-2", ResourceKind::AwsVpc, "w", &[("cidr_block", Value::string("10.2.0.0/16"))]);
    let peering = make(
        &aws,
        "us-east-1",
        ResourceKind::AwsVpcPeeringConnection,
        "t",
        &[
            ("vpc_id", Value::string(&east.provider_id)),
            ("peer_vpc_id", Value::string(&west.provider_id)),
            ("peer_region", Value::string("us-west-2")),
        ],
    )
    .provider_id;
    assert!(peering.starts_with("pcx-"), "{peering}");
    let state = run(aws.provisioning(&peering, ResourceKind::AwsVpcPeeringConnection, &scope("us-east-1"))).unwrap();
    assert_eq!(state, Provisioning::Ready, "ready for the peer to accept");
    let accepter = make(
        &aws,
        "us-west-2",
        ResourceKind::AwsVpcPeeringConnectionAccepter,
        "t",
        &[("vpc_peering_connection_id", Value::string(&peering))],
    );
    assert_eq!(accepter.provider_id, peering);

    let requesters = found(&aws, "us-east-1", ResourceKind::AwsVpcPeeringConnection);
    assert_eq!(requesters.len(), 1);
    assert_eq!(requesters[0].attrs["peer_vpc_id"], Value::string(&west.provider_id));
    assert_eq!(requesters[0].attrs["peer_region"], Value::string("us-west-2"));
    assert!(found(&aws, "us-west-2", ResourceKind::AwsVpcPeeringConnection).is_empty(), "one requester");
    let accepters = found(&aws, "us-west-2", ResourceKind::AwsVpcPeeringConnectionAccepter);
    assert_eq!(accepters.len(), 1);
    assert_eq!(
        accepters[0].owner.as_ref().map(|o| o.id.to_string()),
        Some("aws_vpc_peering_connection_accepter.t".into())
    );
    assert!(found(&aws, "us-east-1", ResourceKind::AwsVpcPeeringConnectionAccepter).is_empty(), "one accepter");

    let route = make(
        &aws,
        "us-west-2",
        ResourceKind::AwsRoute,
        "t.1",
        &[
            ("route_table_id", west.outputs["main_route_table_id"].clone()),
            ("destination_cidr_block", Value::string("10.1.0.0/16")),
            ("vpc_peering_connection_id", Value::string(&peering)),
        ],
    );
    assert_eq!(found(&aws, "us-west-2", ResourceKind::AwsRoute).len(), 1);

    run(aws.delete(&route.provider_id, ResourceKind::AwsRoute, &scope("us-west-2"))).unwrap();
    run(aws.delete(&peering, ResourceKind::AwsVpcPeeringConnectionAccepter, &scope("us-west-2"))).unwrap();
    assert!(found(&aws, "us-west-2", ResourceKind::AwsVpcPeeringConnectionAccepter).is_empty());
    run(aws.delete(&peering, ResourceKind::AwsVpcPeeringConnection, &scope("us-east-1"))).unwrap();
    assert!(found(&aws, "us-east-1", ResourceKind::AwsVpcPeeringConnection).is_empty());
}

#[test]
fn interface_endpoints_report_their_addresses_behind_their_security_group() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let region = "us-east-1";
    let vpc = make(&aws, region, ResourceKind::AwsVpc, "app", &[("cidr_block", Value::string("10.0.0.0/16"))]);
    let vpc = vpc.provider_id;
    let subnet = make(
        &aws,
        region,
        ResourceKind::AwsSubnet,
        "app.a",
        &[("vpc_id", Value::string(&vpc)), ("cidr_block", Value::string("10.0.1.0/24"))],
    )
    .provider_id;
    let mut group = resource(
        ResourceKind::AwsSecurityGroup,
        "warehouse",
        &[
            ("vpc_id", Value::string(&vpc)),
            ("name", Value::string("demo-warehouse")),
            ("description", Value::string("Isopod endpoint warehouse")),
            ("ingress_cidr_blocks", list(&["10.30.0.0/16", "10.31.0.0/16"])),
        ],
    );
    let group_id =
        run(aws.create(&group, &Ownership { stack: "demo".into(), id: group.id.clone() })).unwrap().provider_id;
    let live = found(&aws, region, ResourceKind::AwsSecurityGroup);
    assert_eq!(live.len(), 1, "the default group is not Isopod's");
    assert_eq!(live[0].attrs["ingress_cidr_blocks"], list(&["10.30.0.0/16", "10.31.0.0/16"]));
    std::sync::Arc::make_mut(&mut group.attrs)
        .insert("ingress_cidr_blocks".into(), list(&["10.31.0.0/16", "10.40.0.0/16"]));
    run(aws.update(&group_id, &group)).unwrap();
    let live = found(&aws, region, ResourceKind::AwsSecurityGroup);
    let mut admitted = match &live[0].attrs["ingress_cidr_blocks"] {
        Value::List(items) => items.clone(),
        other => panic!("{other:?}"),
    };
    admitted.sort_by_key(ToString::to_string);
    assert_eq!(Value::List(admitted), list(&["10.31.0.0/16", "10.40.0.0/16"]));

    let service = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";
    let endpoint = make(
        &aws,
        region,
        ResourceKind::AwsVpcEndpoint,
        "warehouse",
        &[
            ("vpc_id", Value::string(&vpc)),
            ("service_name", Value::string(service)),
            ("vpc_endpoint_type", Value::string("Interface")),
            ("subnet_ids", list(&[&subnet])),
            ("security_group_ids", list(&[&group_id])),
            ("private_dns_enabled", Value::Bool(false)),
        ],
    );
    let Value::List(addresses) = &endpoint.outputs["ip_addresses"] else { panic!("{:?}", endpoint.outputs) };
    assert_eq!(addresses.len(), 1, "one address per subnet");
    let live = found(&aws, region, ResourceKind::AwsVpcEndpoint);
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].attrs["ip_addresses"], endpoint.outputs["ip_addresses"]);
    assert_eq!(live[0].attrs["service_name"], Value::string(service));
    assert_eq!(live[0].attrs["security_group_ids"], list(&[&group_id]));
    assert_eq!(live[0].attrs["vpc_endpoint_type"], Value::string("Interface"));

    let scope = scope(region);
    run(aws.delete(&endpoint.provider_id, ResourceKind::AwsVpcEndpoint, &scope)).unwrap();
    assert!(found(&aws, region, ResourceKind::AwsVpcEndpoint).is_empty());
    run(aws.delete(&group_id, ResourceKind::AwsSecurityGroup, &scope)).unwrap();
    assert!(found(&aws, region, ResourceKind::AwsSecurityGroup).is_empty());
}

#[test]
fn private_zones_and_their_records_round_trip_through_route_53() {
    let moto = Moto::start();
    let aws = provider(&moto);
    let region = "us-west-2";
    let vpc = make(&aws, region, ResourceKind::AwsVpc, "app", &[("cidr_block", Value::string("10.2.0.0/16"))]);
    let zone = make(
        &aws,
        region,
        ResourceKind::AwsRoute53Zone,
        "relay.app",
        &[
            ("name", Value::string("warehouse.partner.example.com")),
            ("vpc_id", Value::string(&vpc.provider_id)),
            ("vpc_region", Value::string(region)),
            ("comment", Value::string("Isopod relay relay for app")),
            ("tags", Value::Map([("Name".to_string(), Value::string("demo-relay-app"))].into())),
        ],
    )
    .provider_id;
    let zones = found(&aws, region, ResourceKind::AwsRoute53Zone);
    assert_eq!(zones.len(), 1, "{zones:?}");
    assert_eq!(zones[0].attrs["name"], Value::string("warehouse.partner.example.com"));
    assert_eq!(zones[0].attrs["vpc_id"], Value::string(&vpc.provider_id));
    assert_eq!(zones[0].attrs["vpc_region"], Value::string(region));
    assert_eq!(zones[0].owner.as_ref().map(|o| o.id.to_string()), Some("aws_route53_zone.relay.app".into()));
    assert!(found(&aws, "us-east-1", ResourceKind::AwsRoute53Zone).is_empty(), "a zone belongs to one scope");

    let mut record = resource(
        ResourceKind::AwsRoute53Record,
        "relay.app",
        &[
            ("zone_id", Value::string(&zone)),
            ("name", Value::string("warehouse.partner.example.com")),
            ("type", Value::string("A")),
            ("ttl", Value::Integer(60)),
            ("records", list(&["10.30.1.10", "10.30.2.10"])),
        ],
    );
    record.scope = scope(region);
    let owner = Ownership { stack: "demo".into(), id: record.id.clone() };
    let created = run(aws.create(&record, &owner)).unwrap();
    assert_eq!(created.provider_id, format!("{zone}:warehouse.partner.example.com:A"));
    let records = found(&aws, region, ResourceKind::AwsRoute53Record);
    assert_eq!(records.len(), 1, "the zone's SOA and NS records are not Isopod's: {records:?}");
    assert_eq!(records[0].attrs["records"], list(&["10.30.1.10", "10.30.2.10"]));
    assert_eq!(records[0].attrs["ttl"], Value::Integer(60));
    std::sync::Arc::make_mut(&mut record.attrs).insert("records".into(), list(&["10.30.1.11"]));
    run(aws.update(&created.provider_id, &record)).unwrap();
    assert_eq!(found(&aws, region, ResourceKind::AwsRoute53Record)[0].attrs["records"], list(&["10.30.1.11"]));

    let scope = scope(region);
    let refused = run(aws.delete(&zone, ResourceKind::AwsRoute53Zone, &scope)).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Conflict, "a zone with records: {refused}");
    run(aws.delete(&created.provider_id, ResourceKind::AwsRoute53Record, &scope)).unwrap();
    run(aws.delete(&created.provider_id, ResourceKind::AwsRoute53Record, &scope)).expect("gone is deleted");
    run(aws.delete(&zone, ResourceKind::AwsRoute53Zone, &scope)).unwrap();
    assert!(found(&aws, region, ResourceKind::AwsRoute53Zone).is_empty());
    let gone = run(aws.provisioning(&zone, ResourceKind::AwsRoute53Zone, &scope)).unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound, "the executor waits for this after a deletion");
}
