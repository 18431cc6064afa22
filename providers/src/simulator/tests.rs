use super::Simulator;
use crate::{ErrorKind, Provider};
use isopod_planner::resource::{Cloud, Ownership, Resource, ResourceId, ResourceKind, Scope, Value};
use std::collections::BTreeMap;
use std::future::Future;

/// Drives a simulator future, which never waits.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("simulator futures are always ready"),
    }
}

fn scope() -> Scope {
    Scope { cloud: "aws.prod".into(), region: "us-east-1".into() }
}

fn resource(kind: ResourceKind, address: &str, attrs: &[(&str, &str)]) -> Resource {
    Resource {
        id: ResourceId::new(kind, address),
        scope: scope(),
        attrs: attrs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect(),
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
    let foreign = simulator.insert_foreign(ResourceKind::AwsVpc, scope(), BTreeMap::new());
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
