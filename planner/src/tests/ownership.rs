//! What the stack owns and what it only uses: resources found by natural key, duplicates,
//! name collisions, and networks that exist outside the stack.

use super::*;

#[test]
fn untaggable_resources_are_matched_by_their_natural_key() {
    let text = r#"
stack "routes" {}
cloud "aws" "east" {
  region = "us-east-1"
}
network "a" {
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"
}
network "b" {
  cloud = cloud.aws.east
  cidr  = "10.2.0.0/16"
}
"#;
    let with_tunnel = format!("{text}tunnel \"t\" {{\n  between = [network.a, network.b]\n}}\n");
    let first = plan(&topology(&with_tunnel), &[]).unwrap();
    let live = applied(&first, &[]);
    let routes: Vec<&ObservedResource> = live.iter().filter(|r| r.kind == ResourceKind::AwsRoute).collect();
    assert_eq!(routes.len(), 2);
    let address = &routes[0].owner.as_ref().unwrap().id.address;
    assert!(address.starts_with("main_route_table_id-of-aws_vpc.") && address.contains(":10."), "{address}");
    let again = plan(&topology(&with_tunnel), &live).unwrap();
    assert!(again.is_empty(), "{}", render::text(&again));
    // Without the tunnel, the routes are deleted under the address they were found by.
    let without = plan(&topology(text), &live).unwrap();
    let deleted: Vec<&crate::Change> =
        without.changes.iter().filter(|c| c.id.kind == ResourceKind::AwsRoute && c.action == Action::Delete).collect();
    assert_eq!(deleted.len(), 2, "{}", render::text(&without));
}

#[test]
fn a_duplicate_of_an_owned_resource_is_deleted_and_the_other_kept() {
    let topology = topology(AWS_GCP);
    let mut live = applied(&plan(&topology, &[]).unwrap(), &[]);
    let vpc = live.iter().find(|r| r.kind == ResourceKind::AwsVpc).unwrap().clone();
    let copy = ObservedResource { provider_id: format!("{}-copy", vpc.provider_id), ..vpc.clone() };
    live.push(copy);
    let plan = plan(&topology, &live).unwrap();
    let changed: Vec<&crate::Change> = plan.changes.iter().filter(|c| c.action != Action::NoOp).collect();
    assert_eq!(changed.len(), 1, "{}", render::text(&plan));
    assert_eq!(changed[0].action, Action::Delete);
    assert_eq!(changed[0].provider_id.as_deref(), Some(format!("{}-copy", vpc.provider_id).as_str()));
    assert_eq!(changed[0].attrs[0].before, Some(Value::string(&vpc.provider_id)));
}

#[test]
fn names_the_clouds_would_refuse_as_duplicates_stop_the_plan() {
    // `a` with subnet `b-c` and `a-b` with subnet `c` are both `demo-a-b-c` on GCP.
    let text = "stack \"demo\" {}\ncloud \"gcp\" \"data\" {\n  project = \"acme-data\"\n  region  = \"us-central1\"\n}\nnetwork \"a\" {\n  cloud = cloud.gcp.data\n  cidr  = \"10.1.0.0/16\"\n  subnet \"b-c\" {\n    cidr = \"10.1.1.0/24\"\n  }\n}\nnetwork \"a-b\" {\n  cloud = cloud.gcp.data\n  cidr  = \"10.2.0.0/16\"\n  subnet \"c\" {\n    cidr = \"10.2.1.0/24\"\n  }\n}\n";
    let err = plan(&topology(text), &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "gcp_subnetwork.a-b.c and gcp_subnetwork.a.b-c would both be named `demo-a-b-c`; rename one of their objects"
    );
    // The same names in two regions are two different subnetworks.
    let apart = text.replace(
        "network \"a-b\" {\n  cloud = cloud.gcp.data",
        "network \"a-b\" {\n  cloud  = cloud.gcp.data\n  region = \"europe-west4\"",
    );
    assert!(plan(&topology(&apart), &[]).is_ok());
}

#[test]
fn existing_networks_are_used_by_their_live_ids_and_never_planned() {
    let text = r#"
stack "legacy" {}
cloud "aws" "east" {
  region = "us-east-1"
}
network "payments" {
  cloud    = cloud.aws.east
  cidr     = "172.16.0.0/16"
  existing = "vpc-1"

  subnet "a" {
    cidr = "172.16.1.0/24"
    zone = "us-east-1a"
  }
}
network "data" {
  cloud = cloud.aws.east
  cidr  = "10.31.0.0/16"
}
tunnel "t" {
  between = [network.payments, network.data]
}
endpoint "warehouse" {
  network = network.payments
  service = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
  subnets = ["a"]
}
"#;
    let scope = Scope { cloud: "aws.east".into(), region: "us-east-1".into() };
    let live = |kind, id: &str, attrs: &[(&str, &str)]| ObservedResource {
        provider_id: id.into(),
        kind,
        scope: scope.clone(),
        attrs: attrs.iter().map(|(k, v)| (isopod_catalog::Name::intern(k), Value::string(*v))).collect(),
        owner: None,
    };
    let observed = [
        live(ResourceKind::AwsVpc, "vpc-1", &[("cidr_block", "172.16.0.0/16"), ("main_route_table_id", "rtb-1")]),
        live(ResourceKind::AwsSubnet, "subnet-1", &[("vpc_id", "vpc-1"), ("cidr_block", "172.16.1.0/24")]),
    ];
    let topology = topology(text);
    let plan = plan(&topology, &observed).unwrap();
    let change = |kind: ResourceKind, address: &str| {
        plan.changes
            .iter()
            .find(|c| c.id == ResourceId::new(kind, address))
            .unwrap_or_else(|| panic!("{kind}.{address}"))
    };
    assert!(plan.changes.iter().all(|c| c.object != "network.payments"), "{}", render::text(&plan));
    assert_eq!(change(ResourceKind::AwsVpcPeeringConnection, "t").after["vpc_id"], Value::string("vpc-1"));
    assert_eq!(change(ResourceKind::AwsRoute, "t.0").after["route_table_id"], Value::string("rtb-1"));
    let endpoint = change(ResourceKind::AwsVpcEndpoint, "warehouse");
    assert_eq!(endpoint.after["subnet_ids"], Value::List(vec![Value::string("subnet-1")]));
    assert_eq!(endpoint.after["vpc_id"], Value::string("vpc-1"));

    // Applied, nothing is left to change; without the live VPC, there is nothing to plan against.
    let applied = applied(&plan, &observed);
    assert!(self::plan(&topology, &applied).unwrap().is_empty());
    let err = self::plan(&topology, &observed[..0]).unwrap_err();
    assert_eq!(err.to_string(), "network `payments`: VPC vpc-1 is not in aws.east us-east-1");
    let err = self::plan(&topology, &observed[..1]).unwrap_err();
    assert!(err.to_string().contains("has no subnet 172.16.1.0/24 (subnet `a`)"), "{err}");
}

#[test]
fn existing_gcp_networks_are_used_by_name_and_never_planned() {
    let text = r#"
stack "legacy" {}
cloud "aws" "east" {
  region = "us-east-1"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"
}
network "shared" {
  cloud    = cloud.gcp.data
  cidr     = "10.128.0.0/16"
  existing = "shared-vpc"
}
network "lake" {
  cloud    = cloud.gcp.data
  cidr     = "10.60.0.0/16"
  existing = "lake"

  subnet "b" {
    cidr = "10.60.2.0/24"
  }
}
tunnel "t" {
  between = [network.app, network.shared]
}
tunnel "p" {
  between = [network.shared, network.lake]
}
endpoint "warehouse" {
  network = network.shared
  service = "projects/acme-dw/regions/us-central1/serviceAttachments/warehouse"
}
"#;
    let global = Scope { cloud: "gcp.data".into(), region: "global".into() };
    let central = Scope { cloud: "gcp.data".into(), region: "us-central1".into() };
    let live = |kind, id: &str, scope: &Scope, attrs: &[(&str, &str)]| ObservedResource {
        provider_id: id.into(),
        kind,
        scope: scope.clone(),
        attrs: attrs.iter().map(|(k, v)| (isopod_catalog::Name::intern(k), Value::string(*v))).collect(),
        owner: None,
    };
    let subnetwork = |name: &str, network: &str, region: &str, range: &str| {
        let id = format!("projects/acme-data/regions/{region}/subnetworks/{name}");
        let attrs = [("name", name), ("network", network), ("region", region), ("ip_cidr_range", range)];
        live(ResourceKind::GcpSubnetwork, &id, &central, &attrs)
    };
    let observed = [
        live(
            ResourceKind::GcpNetwork,
            "projects/acme-data/global/networks/shared-vpc",
            &global,
            &[("name", "shared-vpc")],
        ),
        live(ResourceKind::GcpNetwork, "projects/acme-data/global/networks/lake", &global, &[("name", "lake")]),
        // Outside the network's range, in another region, then the first one within it.
        subnetwork("other", "shared-vpc", "us-central1", "192.168.0.0/24"),
        subnetwork("west", "shared-vpc", "us-west1", "10.128.9.0/24"),
        // By address, 10.128.4.0 comes before 10.128.16.0 (as text it would not).
        subnetwork("central-b", "shared-vpc", "us-central1", "10.128.4.0/24"),
        subnetwork("central-a", "shared-vpc", "us-central1", "10.128.16.0/20"),
        subnetwork("lake-b", "lake", "us-central1", "10.60.2.0/24"),
    ];
    let topology = topology(text);
    let plan = plan(&topology, &observed).unwrap();
    let change = |kind: ResourceKind, address: &str| {
        plan.changes
            .iter()
            .find(|c| c.id == ResourceId::new(kind, address))
            .unwrap_or_else(|| panic!("{kind}.{address}: {}", render::text(&plan)))
    };
    let planned_kinds = |kind: ResourceKind| plan.changes.iter().filter(|c| c.id.kind == kind).count();
    assert_eq!(planned_kinds(ResourceKind::GcpNetwork), 0, "{}", render::text(&plan));
    assert_eq!(planned_kinds(ResourceKind::GcpSubnetwork), 0, "{}", render::text(&plan));
    let network = Value::string("shared-vpc");
    assert_eq!(change(ResourceKind::GcpHaVpnGateway, "shared").after["network"], network);
    assert_eq!(change(ResourceKind::GcpRouter, "shared").after["network"], network);
    assert_eq!(change(ResourceKind::GcpForwardingRule, "warehouse").after["network"], network);
    assert_eq!(change(ResourceKind::GcpAddress, "warehouse").after["subnetwork"], Value::string("central-b"));
    let peering = change(ResourceKind::GcpNetworkPeering, "p.0");
    assert_eq!(peering.after["network"], network);
    assert_eq!(peering.after["peer_network"], Value::string("projects/acme-data/global/networks/lake"));
    assert_eq!(change(ResourceKind::GcpNetworkPeering, "p.1").after["network"], Value::string("lake"));

    // Applied, nothing is left to change.
    let applied = applied(&plan, &observed);
    assert!(self::plan(&topology, &applied).unwrap().is_empty());
    // Without the live networks (or a declared range, or any subnetwork for the endpoint), there
    // is nothing to plan against.
    let err = self::plan(&topology, &observed[2..]).unwrap_err().to_string();
    assert!(err.contains("network `shared`: project acme-data has no network `shared-vpc`"), "{err}");
    assert!(err.contains("network `lake`: project acme-data has no network `lake`"), "{err}");
    let err = self::plan(&topology, &observed[..6]).unwrap_err().to_string();
    assert_eq!(err, "network `lake`: network `lake` has no subnetwork 10.60.2.0/24 in us-central1 (subnet `b`)");
    let without_central = [&observed[..4], &observed[6..]].concat();
    let err = self::plan(&topology, &without_central).unwrap_err().to_string();
    assert!(err.contains("has no subnetwork in us-central1 within 10.128.0.0/16 for its endpoints"), "{err}");
}

#[test]
fn existing_azure_networks_are_used_by_id_and_never_planned() {
    let hub = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub";
    let text = format!(
        r#"
stack "legacy" {{}}
cloud "aws" "east" {{
  region = "us-east-1"
}}
cloud "azure" "corp" {{
  subscription = "00000000-0000-0000-0000-000000000000"
  region       = "westeurope"
}}
network "app" {{
  cloud = cloud.aws.east
  cidr  = "10.1.0.0/16"
}}
network "hub" {{
  cloud    = cloud.azure.corp
  cidr     = "10.70.0.0/16"
  existing = "{hub}"

  subnet "workloads" {{
    cidr = "10.70.1.0/24"
  }}
}}
network "spoke" {{
  cloud = cloud.azure.corp
  cidr  = "10.71.0.0/16"
}}
tunnel "t" {{
  between = [network.app, network.hub]
}}
tunnel "p" {{
  between = [network.hub, network.spoke]
}}
endpoint "warehouse" {{
  network = network.hub
  service = "/subscriptions/0b0c6f1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e/resourceGroups/partner/providers/Microsoft.Network/privateLinkServices/warehouse"
  subnets = ["workloads"]
}}
"#
    );
    let scope = Scope { cloud: "azure.corp".into(), region: "westeurope".into() };
    let live = |kind, id: &str, attrs: &[(&str, &str)]| ObservedResource {
        provider_id: id.into(),
        kind,
        scope: scope.clone(),
        attrs: attrs.iter().map(|(k, v)| (isopod_catalog::Name::intern(k), Value::string(*v))).collect(),
        owner: None,
    };
    // ARM spells the id in its own case; the configuration's is matched whatever its case.
    let live_id = hub.replace("resourceGroups/net", "resourceGroups/NET");
    let gateway_subnet = format!("{live_id}/subnets/GatewaySubnet");
    let workloads = format!("{live_id}/subnets/workloads");
    let observed = [
        live(ResourceKind::AzureVirtualNetwork, &live_id, &[("name", "hub"), ("resource_group", "NET")]),
        live(ResourceKind::AzureSubnet, &workloads, &[("name", "workloads"), ("address_prefix", "10.70.1.0/24")]),
        live(
            ResourceKind::AzureSubnet,
            &gateway_subnet,
            &[("name", "GatewaySubnet"), ("address_prefix", "10.70.255.0/27")],
        ),
    ];
    let topology = topology(&text);
    let plan = plan(&topology, &observed).unwrap();
    let rendered = render::text(&plan);
    let change = |kind: ResourceKind, address: &str| {
        plan.changes
            .iter()
            .find(|c| c.id == ResourceId::new(kind, address))
            .unwrap_or_else(|| panic!("{kind}.{address}: {rendered}"))
    };
    let planned =
        |kind: ResourceKind, address: &str| plan.changes.iter().any(|c| c.id == ResourceId::new(kind, address));
    assert!(!planned(ResourceKind::AzureVirtualNetwork, "hub"), "{rendered}");
    assert!(!planned(ResourceKind::AzureSubnet, "hub.GatewaySubnet"), "{rendered}");
    assert!(!planned(ResourceKind::AzureSubnet, "hub.workloads"), "{rendered}");
    let gateway = change(ResourceKind::AzureVirtualNetworkGateway, "hub");
    let Value::List(configurations) = &gateway.after["ip_configurations"] else { panic!("{rendered}") };
    for configuration in configurations {
        let Value::Map(configuration) = configuration else { panic!("{rendered}") };
        assert_eq!(configuration["subnet_id"], Value::string(&gateway_subnet));
    }
    // What the stack makes for it goes in the cloud block's group, not the network's.
    assert_eq!(gateway.after["resource_group"], Value::string("isopod-legacy-corp"));
    let endpoint = change(ResourceKind::AzurePrivateEndpoint, "warehouse");
    assert_eq!(endpoint.after["subnet_id"], Value::string(&workloads));
    assert_eq!(endpoint.after["resource_group"], Value::string("isopod-legacy-corp"));
    // Peering it would change it: not planned, and said so at the tunnel.
    assert!(!plan.changes.iter().any(|c| c.id.kind == ResourceKind::AzureVirtualNetworkPeering), "{rendered}");
    let unplanned =
        |observed: &[ObservedResource]| lower(&topology, &Live::from_observed("legacy", observed)).unwrap().unplanned;
    let found = unplanned(&observed);
    assert!(
        matches!(&found[..], [(tunnel, reason)] if tunnel == "tunnel.p" && reason.starts_with("peering an existing Azure")),
        "{found:?}"
    );

    // Applied, nothing is left to change.
    let applied = applied(&plan, &observed);
    assert!(self::plan(&topology, &applied).unwrap().is_empty());
    // Without the network, its subnet, or its GatewaySubnet, there is nothing to plan against.
    let err = self::plan(&topology, &[]).unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "network `hub`: subscription 00000000-0000-0000-0000-000000000000 has no virtual network {hub}"
        )),
        "{err}"
    );
    let err = self::plan(&topology, &[observed[0].clone(), observed[2].clone()]).unwrap_err().to_string();
    assert!(err.contains("has no subnet 10.70.1.0/24 (subnet `workloads`)"), "{err}");
    let reasons: Vec<&str> = unplanned(&observed[..2]).into_iter().map(|(_, reason)| reason).collect();
    assert!(reasons.iter().any(|reason| reason.contains("has no GatewaySubnet")), "{reasons:?}");
    // In another region, it is not this network.
    let elsewhere = text.replace("  existing = ", "  region   = \"northeurope\"\n  existing = ");
    let err = self::plan(&self::topology(&elsewhere), &observed).unwrap_err().to_string();
    assert!(err.contains("is in westeurope, not northeurope"), "{err}");
}
