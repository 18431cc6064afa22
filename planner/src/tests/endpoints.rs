//! Endpoints in each cloud, and relays that publish their names to other networks.

use super::*;

#[test]
fn endpoints_are_private_endpoints_of_each_cloud() {
    let text = format!(
        "{THREE_CLOUDS}\nendpoint \"s3\" {{\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}}\nendpoint \"db\" {{\n  network = network.hub\n  service = \"db.00000000-0000-0000-0000-000000000000.westeurope.azure.privatelinkservice\"\n}}\nendpoint \"bq\" {{\n  network = network.analytics\n  service = \"projects/p/regions/us-central1/serviceAttachments/bq\"\n}}\nrelay \"s3-far\" {{\n  endpoint    = endpoint.s3\n  to          = [network.analytics, network.hub]\n  private_dns = false\n}}\nrelay \"s3-hub\" {{\n  endpoint    = endpoint.s3\n  to          = [network.hub]\n  private_dns = false\n}}\n"
    );
    let topology = topology(&text);
    let plan = plan(&topology, &[]).unwrap();
    let find = |id: &str| plan.changes.iter().find(|c| c.id.to_string() == id).unwrap_or_else(|| panic!("{id}"));
    let s3 = find("aws_vpc_endpoint.s3");
    assert_eq!(s3.after["vpc_endpoint_type"], Value::string("Interface"));
    assert!(matches!(&s3.after["subnet_ids"], Value::List(ids) if ids.len() == 1), "all the network's subnets");
    // Its own security group admits its network and every relay consumer, each once (the VPC's
    // default group would admit only its own members).
    let group = find("aws_security_group.s3");
    let ranges = ["10.10.0.0/16", "10.30.0.0/16", "10.20.0.0/16"];
    assert_eq!(group.after["ingress_cidr_blocks"], Value::List(ranges.map(Value::string).to_vec()));
    assert!(matches!(&s3.after["security_group_ids"], Value::List(ids) if ids.len() == 1));
    // Both carry the stack's tags besides their Name.
    for resource in [s3, group] {
        let tags = [("Name", "demo-s3"), ("team", "net")].map(|(k, v)| (k.to_string(), Value::string(v)));
        assert_eq!(resource.after["tags"], Value::Map(tags.into()));
    }
    find("azure_private_endpoint.db");
    assert_eq!(
        find("gcp_forwarding_rule.bq").after["target"],
        Value::string("projects/p/regions/us-central1/serviceAttachments/bq")
    );
    let live = applied(&plan, &[]);
    let again = crate::plan(&topology, &live).unwrap().0;
    assert!(again.is_empty(), "{}", render::text(&again));
}

#[test]
fn relays_publish_the_service_name_in_each_consumer_cloud() {
    // An S3 endpoint in AWS, relayed to a GCP network, two Azure networks of one cloud block and
    // an AWS network in another region.
    let text = format!(
        "{THREE_CLOUDS}\ncloud \"aws\" \"west\" {{\n  region = \"us-west-2\"\n}}\nnetwork \"west\" {{\n  cloud = cloud.aws.west\n  cidr  = \"10.40.0.0/16\"\n}}\nnetwork \"spoke\" {{\n  cloud = cloud.azure.corp\n  cidr  = \"10.50.0.0/16\"\n}}\nendpoint \"s3\" {{\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}}\nrelay \"s3-far\" {{\n  endpoint = endpoint.s3\n  to       = [network.analytics, network.hub, network.spoke, network.west]\n}}\n"
    );
    let topology = topology(&text);
    let (plan, desired) = crate::plan(&topology, &[]).unwrap();
    assert_eq!(desired.unplanned, []);
    let get = |kind: ResourceKind, address: &str| &desired.resources[&ResourceId::new(kind, address)];
    let addresses = Value::Output(Box::new(isopod_catalog::OutputRef {
        resource: ResourceId::new(ResourceKind::AwsVpcEndpoint, "s3"),
        output: "ip_addresses".into(),
    }));
    // AWS, in another region: a private hosted zone associated with the VPC, and an A record.
    let zone = get(ResourceKind::AwsRoute53Zone, "s3-far.west");
    assert_eq!(zone.attrs["name"], Value::string("s3.us-east-1.amazonaws.com"));
    assert_eq!(zone.attrs["vpc_region"], Value::string("us-west-2"));
    assert_eq!(zone.scope.region, "us-west-2");
    let record = get(ResourceKind::AwsRoute53Record, "s3-far.west");
    assert_eq!(record.attrs["records"], addresses);
    assert_eq!(record.attrs["type"], Value::string("A"));
    // Azure: one zone in the cloud block's resource group, linked to both networks.
    assert_eq!(get(ResourceKind::AzurePrivateDnsZone, "s3-far.corp").attrs["name"], zone.attrs["name"]);
    assert_eq!(get(ResourceKind::AzurePrivateDnsARecord, "s3-far.corp").attrs["records"], addresses);
    for consumer in ["hub", "spoke"] {
        let link = get(ResourceKind::AzurePrivateDnsZoneLink, &format!("s3-far.{consumer}"));
        assert_eq!(link.attrs["registration_enabled"], Value::Bool(false));
    }
    // GCP: a private managed zone visible to the network, with the name's trailing dot.
    let gcp = get(ResourceKind::GcpDnsManagedZone, "s3-far.analytics");
    assert_eq!(gcp.attrs["dns_name"], Value::string("s3.us-east-1.amazonaws.com."));
    assert_eq!(gcp.attrs["visibility"], Value::string("private"));
    assert_eq!(gcp.scope.region, "global");
    let is_dns = |kind: ResourceKind| kind.name().contains("dns") || kind.name().contains("route53");
    let dns_changes = plan.changes.iter().filter(|c| c.object == "relay.s3-far" && is_dns(c.id.kind));
    assert_eq!(dns_changes.count(), 8, "AWS zone and record, Azure zone, record and two links, GCP zone and record");
    let again = crate::plan(&topology, &applied(&plan, &[])).unwrap().0;
    assert!(again.is_empty(), "{}", render::text(&again));

    // A consumer the plan cannot connect gets no DNS; `private_dns = false` publishes nothing.
    let off = text.replace("  to       = [", "  private_dns = false\n  to       = [");
    let (_, desired) = crate::plan(&crate::tests::topology(&off), &[]).unwrap();
    assert!(!desired.resources.keys().any(|id| is_dns(id.kind)));
}

#[test]
fn relays_connect_the_consumers_the_configuration_does_not() {
    let text = format!(
        "{AWS_GCP}\nnetwork \"west\" {{\n  cloud = cloud.aws.prod\n  cidr  = \"10.30.0.0/16\"\n}}\nnetwork \"lake\" {{\n  cloud = cloud.gcp.data\n  cidr  = \"10.40.0.0/16\"\n}}\nendpoint \"svc\" {{\n  network = network.analytics\n  service = \"projects/p/regions/us-central1/serviceAttachments/svc\"\n}}\nrelay \"r\" {{\n  endpoint    = endpoint.svc\n  to          = [network.app, network.west, network.lake]\n  private_dns = false\n}}\n"
    );
    let desired = lower(&topology(&text), &Live::default()).unwrap();
    // analytics-lake would be a GCP peering, across which a Private Service Connect endpoint is
    // not reachable: left out, and said so.
    let reason = "a GCP Private Service Connect endpoint is not reachable over VPC peering, and HA VPN between two GCP networks is not planned yet";
    let peering_refused = ("relay.r (r/analytics~lake)".to_string(), reason);
    assert_eq!(desired.unplanned, std::slice::from_ref(&peering_refused));
    assert!(!desired.resources.keys().any(|id| id.address.starts_with("r/analytics~lake")));
    // analytics-app is already connected: the relay reuses that tunnel.
    assert!(!desired.resources.keys().any(|id| id.address.starts_with("r/analytics~app")));
    // analytics-west gets the AWS-GCP layout, as the relay's.
    let external = &desired.resources[&ResourceId::new(ResourceKind::GcpExternalVpnGateway, "r/analytics~west")];
    assert_eq!(external.object, "relay.r");
    let with_dns = text.replace("  private_dns = false\n", "");
    let desired = lower(&topology(&with_dns), &Live::default()).unwrap();
    // A GCP service attachment has no name Isopod can tell: the relay's DNS waits for `dns_name`.
    let dns = ("relay.r.private_dns".to_string(), crate::lower::dns::NO_NAME);
    assert_eq!(desired.unplanned, [peering_refused, dns]);
}

#[test]
fn a_gcp_endpoint_relayed_to_a_peered_gcp_network_publishes_no_name_there() {
    // The written tunnel peers the two GCP networks; the endpoint is not reachable across it, so
    // the relay is refused and the consumer gets no zone with the service's name either.
    let text = format!(
        "{AWS_GCP}\nnetwork \"lake\" {{\n  cloud = cloud.gcp.data\n  cidr  = \"10.40.0.0/16\"\n}}\ntunnel \"analytics-lake\" {{\n  between = [network.analytics, network.lake]\n}}\nendpoint \"svc\" {{\n  network  = network.analytics\n  service  = \"projects/p/regions/us-central1/serviceAttachments/svc\"\n  dns_name = \"svc.partner.example.com\"\n}}\nrelay \"r\" {{\n  endpoint = endpoint.svc\n  to       = [network.lake]\n}}\n"
    );
    let desired = lower(&topology(&text), &Live::default()).unwrap();
    assert!(
        desired.unplanned.iter().any(|(label, _)| label == "relay.r (r/analytics~lake)"),
        "{:?}",
        desired.unplanned
    );
    let dns = desired
        .resources
        .keys()
        .filter(|id| matches!(id.kind, ResourceKind::GcpDnsManagedZone | ResourceKind::GcpDnsRecordSet));
    assert_eq!(dns.count(), 0, "no zone in a network that cannot reach the endpoint");
}

#[test]
fn a_relay_does_not_double_a_written_tunnel_that_is_not_planned() {
    // The written AWS-Azure tunnel asks for an integrity Azure lacks: it is left out, and so is
    // the relay's connection beside it, which would collide with it once it is planned.
    let text = format!(
        "{THREE_CLOUDS}\nendpoint \"s3\" {{\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}}\nrelay \"r\" {{\n  endpoint = endpoint.s3\n  to       = [network.hub]\n}}\ntunnel \"x\" {{\n  between = [network.app, network.hub]\n  ike {{\n    integrity = [\"sha512\"]\n  }}\n}}\n"
    );
    let desired = lower(&topology(&text), &Live::default()).unwrap();
    let relies = "the tunnel the configuration has between the two networks is not planned";
    assert!(desired.unplanned.contains(&("relay.r (r/app~hub)".to_string(), relies)), "{:?}", desired.unplanned);
    assert!(!desired.resources.keys().any(|id| id.address.starts_with("r/app~hub")));
    // Nor does the unreachable consumer get the service's name.
    assert!(!desired.resources.keys().any(|id| id.kind == ResourceKind::AzurePrivateDnsZone));
}

#[test]
fn an_aws_endpoint_without_subnets_takes_the_first_subnet_of_each_zone() {
    let text = "stack \"s\" {}\ncloud \"aws\" \"prod\" {\n  region = \"us-east-1\"\n}\nnetwork \"app\" {\n  cloud = cloud.aws.prod\n  cidr  = \"10.10.0.0/16\"\n  subnet \"a\" {\n    cidr = \"10.10.1.0/24\"\n    zone = \"us-east-1a\"\n  }\n  subnet \"a2\" {\n    cidr = \"10.10.2.0/24\"\n    zone = \"us-east-1a\"\n  }\n  subnet \"b\" {\n    cidr = \"10.10.3.0/24\"\n    zone = \"us-east-1b\"\n  }\n}\nendpoint \"s3\" {\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}\n";
    let desired = lower(&topology(text), &Live::default()).unwrap();
    let endpoint = &desired.resources[&ResourceId::new(ResourceKind::AwsVpcEndpoint, "s3")];
    let subnet =
        |name: &str| crate::lower::output(&ResourceId::new(ResourceKind::AwsSubnet, format!("app.{name}")), "id");
    assert_eq!(endpoint.attrs["subnet_ids"], Value::List(vec![subnet("a"), subnet("b")]));
}

#[test]
fn an_update_that_needs_a_replaced_resource_is_a_replacement() {
    let text = format!(
        "{THREE_CLOUDS}\nendpoint \"s3\" {{\n  network = network.app\n  service = \"com.amazonaws.us-east-1.s3\"\n}}\n"
    );
    let topology = topology(&text);
    let mut live = applied(&plan(&topology, &[]).unwrap(), &[]);
    // The live security group's description differs, which only a replacement can change.
    let group = live.iter_mut().find(|r| r.kind == ResourceKind::AwsSecurityGroup).unwrap();
    group.attrs.insert("description".into(), Value::string("made by hand"));
    let plan = plan(&topology, &live).unwrap();
    let change = |kind: ResourceKind| plan.changes.iter().find(|c| c.id == ResourceId::new(kind, "s3")).unwrap();
    assert_eq!(change(ResourceKind::AwsSecurityGroup).action, Action::DeleteThenCreate);
    // The endpoint would only have updated its group ids; it cannot keep the old group.
    let endpoint = change(ResourceKind::AwsVpcEndpoint);
    assert_eq!(endpoint.action, Action::DeleteThenCreate, "{}", render::text(&plan));
    assert!(endpoint.attrs.iter().any(|a| a.name == "(depends on)" && a.forces_replacement));
}
