use crate::{Simulator, ready};
use isopod_catalog::{Cloud, Ownership, Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_provider::{ErrorKind, Provider};

fn scope() -> Scope {
    Scope { cloud: "aws.prod".into(), region: "us-east-1".into() }
}

fn resource(kind: ResourceKind, address: &str, attrs: &[(&str, &str)]) -> Resource {
    Resource {
        id: ResourceId::new(kind, address),
        scope: scope(),
        attrs: std::sync::Arc::new(
            attrs.iter().map(|(k, v)| (isopod_catalog::Name::intern(k), Value::string(*v))).collect(),
        ),
        depends_on: Vec::new(),
        object: format!("network.{address}"),
    }
}

fn owner(resource: &Resource) -> Ownership {
    Ownership { stack: "test".into(), id: resource.id.clone() }
}

#[test]
fn creates_discovers_and_deletes_with_ownership() {
    let simulator = Simulator::in_memory();
    let aws = simulator.provider(Cloud::Aws);
    let vpc = resource(ResourceKind::AwsVpc, "app", &[("cidr_block", "10.0.0.0/16")]);
    let created = ready(aws.create(&vpc, &owner(&vpc))).unwrap();
    let foreign = simulator.insert_foreign(ResourceKind::AwsVpc, scope(), Default::default()).unwrap();
    let found = ready(aws.discover(&scope(), &[ResourceKind::AwsVpc, ResourceKind::AwsSubnet])).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found.iter().find(|r| r.provider_id == created.provider_id).unwrap().owner, Some(owner(&vpc)));
    assert_eq!(found.iter().find(|r| r.provider_id == foreign).unwrap().owner, None);
    assert_eq!(simulator.calls()["discover"], 2, "one call per kind, not per resource");
    ready(aws.delete(&created.provider_id, ResourceKind::AwsVpc, &scope())).unwrap();
    ready(aws.delete(&created.provider_id, ResourceKind::AwsVpc, &scope())).unwrap();
    assert_eq!(ready(aws.discover(&scope(), &[ResourceKind::AwsVpc])).unwrap().len(), 1);
}

#[test]
fn enforces_the_clouds_rules() {
    let simulator = Simulator::in_memory();
    let aws = simulator.provider(Cloud::Aws);
    let orphan =
        resource(ResourceKind::AwsSubnet, "app.a", &[("vpc_id", "vpc-missing"), ("cidr_block", "10.0.1.0/24")]);
    assert_eq!(ready(aws.create(&orphan, &owner(&orphan))).unwrap_err().kind, ErrorKind::NotFound);
    let vpc = resource(ResourceKind::AwsVpc, "app", &[("cidr_block", "10.0.0.0/16")]);
    let vpc_id = ready(aws.create(&vpc, &owner(&vpc))).unwrap().provider_id;
    let outside = resource(ResourceKind::AwsSubnet, "app.a", &[("vpc_id", &vpc_id), ("cidr_block", "10.1.0.0/24")]);
    assert_eq!(ready(aws.create(&outside, &owner(&outside))).unwrap_err().kind, ErrorKind::Invalid);
    let inside = resource(ResourceKind::AwsSubnet, "app.a", &[("vpc_id", &vpc_id), ("cidr_block", "10.0.1.0/24")]);
    ready(aws.create(&inside, &owner(&inside))).unwrap();
    let in_use = ready(aws.delete(&vpc_id, ResourceKind::AwsVpc, &scope())).unwrap_err();
    assert_eq!(in_use.kind, ErrorKind::Conflict);
    let gcp = simulator.provider(Cloud::Gcp);
    assert_eq!(ready(gcp.create(&vpc, &owner(&vpc))).unwrap_err().kind, ErrorKind::Invalid, "an AWS kind sent to GCP");
}

#[test]
fn state_persists_between_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".isopod/simulator.json");
    let vpc = resource(ResourceKind::AwsVpc, "app", &[("cidr_block", "10.0.0.0/16")]);
    {
        let simulator = Simulator::open(&path).unwrap();
        ready(simulator.provider(Cloud::Aws).create(&vpc, &owner(&vpc))).unwrap();
    }
    let simulator = Simulator::open(&path).unwrap();
    let found = ready(simulator.provider(Cloud::Aws).discover(&scope(), &[ResourceKind::AwsVpc])).unwrap();
    assert_eq!(found.len(), 1);
    std::fs::write(&path, "not json").unwrap();
    assert!(Simulator::open(&path).is_err());
}

fn knobs(text: &str) -> super::Knobs {
    text.parse().unwrap()
}

#[test]
fn throttling_and_the_rate_limit_refuse_calls_without_changing_anything() {
    let simulator = Simulator::in_memory().with_knobs(knobs("throttle=1"));
    let aws = simulator.provider(Cloud::Aws);
    let vpc = resource(ResourceKind::AwsVpc, "app", &[("cidr_block", "10.0.0.0/16")]);
    for _ in 0..5 {
        assert_eq!(ready(aws.create(&vpc, &owner(&vpc))).unwrap_err().kind, ErrorKind::Throttled);
    }
    assert!(simulator.calls().is_empty(), "a throttled call never reaches the API");

    let simulator = Simulator::in_memory().with_knobs(knobs("rate=3"));
    let aws = simulator.provider(Cloud::Aws);
    let gcp = simulator.provider(Cloud::Gcp);
    let global = Scope { cloud: "gcp.data".into(), region: "global".into() };
    for _ in 0..3 {
        ready(aws.discover(&scope(), &[ResourceKind::AwsVpc])).unwrap();
    }
    let refused = ready(aws.discover(&scope(), &[ResourceKind::AwsVpc])).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Throttled);
    assert!(refused.message.contains("RequestLimitExceeded"));
    ready(gcp.discover(&global, &[ResourceKind::GcpNetwork])).expect("each cloud has its own limit");
}

#[test]
fn transient_faults_strike_before_or_after_the_change() {
    let simulator = Simulator::in_memory().with_knobs(knobs("faults=1,seed=3"));
    let aws = simulator.provider(Cloud::Aws);
    let mut lost_replies = 0;
    for n in 0..40 {
        let vpc = resource(ResourceKind::AwsVpc, &format!("v{n}"), &[("cidr_block", "10.0.0.0/16")]);
        let err = ready(aws.create(&vpc, &owner(&vpc))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Transient);
        lost_replies += usize::from(err.message.contains("after the change"));
    }
    let clean = Simulator { knobs: super::Knobs::default(), ..simulator.clone() };
    let made = ready(clean.provider(Cloud::Aws).discover(&scope(), &[ResourceKind::AwsVpc])).unwrap();
    assert_eq!(made.len(), lost_replies, "exactly the calls whose reply was lost made their change");
    assert!((5..35).contains(&lost_replies), "both kinds of fault occur: {lost_replies} of 40 after the change");
}

#[test]
fn slow_resources_are_pending_and_block_what_depends_on_them() {
    // One simulated minute takes an hour: a VPN gateway (two minutes) stays pending.
    let simulator = Simulator::in_memory().with_knobs(knobs("minute=3600s"));
    let aws = simulator.provider(Cloud::Aws);
    let vpc = resource(ResourceKind::AwsVpc, "app", &[("cidr_block", "10.0.0.0/16")]);
    let vpc_id = ready(aws.create(&vpc, &owner(&vpc))).unwrap().provider_id;
    assert_eq!(ready(aws.provisioning(&vpc_id, ResourceKind::AwsVpc, &scope())).unwrap(), crate::Provisioning::Ready);
    let vgw = resource(ResourceKind::AwsVpnGateway, "app", &[("vpc_id", &vpc_id)]);
    let vgw_id = ready(aws.create(&vgw, &owner(&vgw))).unwrap().provider_id;
    let state = ready(aws.provisioning(&vgw_id, ResourceKind::AwsVpnGateway, &scope())).unwrap();
    assert_eq!(state, crate::Provisioning::Pending);
    let propagation = resource(ResourceKind::AwsVpnGatewayRoutePropagation, "app", &[("vpn_gateway_id", &vgw_id)]);
    let refused = ready(aws.create(&propagation, &owner(&propagation))).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Conflict);
    assert!(refused.message.contains("is still being provisioned"), "{refused}");
    assert_eq!(ready(aws.update(&vgw_id, &vgw)).unwrap_err().kind, ErrorKind::Conflict);

    // Without the knob, everything is ready at once.
    let simulator = Simulator::in_memory();
    let aws = simulator.provider(Cloud::Aws);
    let vpc_id = ready(aws.create(&vpc, &owner(&vpc))).unwrap().provider_id;
    let vgw = resource(ResourceKind::AwsVpnGateway, "app", &[("vpc_id", &vpc_id)]);
    let vgw_id = ready(aws.create(&vgw, &owner(&vgw))).unwrap().provider_id;
    let state = ready(aws.provisioning(&vgw_id, ResourceKind::AwsVpnGateway, &scope())).unwrap();
    assert_eq!(state, crate::Provisioning::Ready);
}

#[test]
fn discovery_lists_a_page_per_call() {
    let simulator = Simulator::in_memory();
    let aws = simulator.provider(Cloud::Aws);
    for n in 0..(super::PAGE_SIZE * 2 + 5) {
        let vpc = resource(ResourceKind::AwsVpc, &format!("v{n}"), &[("cidr_block", "10.0.0.0/16")]);
        ready(aws.create(&vpc, &owner(&vpc))).unwrap();
    }
    let found = ready(aws.discover(&scope(), &[ResourceKind::AwsVpc, ResourceKind::AwsSubnet])).unwrap();
    assert_eq!(found.len(), super::PAGE_SIZE * 2 + 5);
    let ids: std::collections::BTreeSet<&str> = found.iter().map(|r| r.provider_id.as_str()).collect();
    assert_eq!(ids.len(), found.len(), "no resource listed twice");
    assert_eq!(simulator.calls()["discover"], 3 + 1, "three pages of VPCs, one (empty) of subnets");
}

#[test]
fn owned_tunnels_report_up_until_taken_down_and_the_state_persists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("simulator.json");
    let simulator = Simulator::open(&path).unwrap();
    let host = simulator.provider(Cloud::Host);
    let site = Scope { cloud: "host.a".into(), region: "local".into() };
    let mut tunnel = resource(ResourceKind::HostIpsecTunnel, "a.a-b.0", &[]);
    tunnel.scope = site.clone();
    let created = ready(host.create(&tunnel, &owner(&tunnel))).unwrap();
    // Unowned resources of the kind report nothing: they are not Isopod's tunnels.
    simulator.insert_foreign(ResourceKind::HostIpsecTunnel, site.clone(), Default::default()).unwrap();
    let states = ready(host.tunnel_states(&site, false)).unwrap();
    assert_eq!(states.len(), 1);
    assert!(states[0].up, "{states:?}");
    assert_eq!(states[0].owner, Some(owner(&tunnel)), "the state names the resource that carries it");
    simulator.set_tunnel_down(&created.provider_id, true).unwrap();
    let reopened = Simulator::open(&path).unwrap();
    let states = ready(reopened.provider(Cloud::Host).tunnel_states(&site, false)).unwrap();
    assert!(!states[0].up && states[0].detail.contains("taken down"), "{states:?}");
    reopened.set_tunnel_down(&created.provider_id, false).unwrap();
    assert!(ready(reopened.provider(Cloud::Host).tunnel_states(&site, false)).unwrap()[0].up);
    // Another scope has none.
    assert!(ready(host.tunnel_states(&scope(), false)).unwrap().is_empty());
}
