//! The contract every provider must keep, as one suite run against each of them (the simulator
//! and the AWS provider against moto): ownership written at creation and read back by discovery,
//! outputs, updates in place that keep the ownership, the classified errors the executor relies
//! on, and deletion that is idempotent and visible to the executor's waits.

use crate::{ErrorKind, Provider, Provisioning};
use isopod_catalog::{Ownership, Resource, ResourceId, ResourceKind, Scope, Value};
use std::sync::Arc;

fn resource(scope: &Scope, kind: ResourceKind, address: &str, attrs: Vec<(&str, Value)>) -> Resource {
    Resource {
        id: ResourceId::new(kind, address),
        scope: scope.clone(),
        attrs: Arc::new(attrs.into_iter().map(|(name, value)| (name.to_string(), value)).collect()),
        depends_on: Vec::new(),
        object: format!("network.{address}"),
    }
}

fn tags(name: &str) -> Value {
    Value::Map([("Name".to_string(), Value::string(name))].into())
}

/// Runs the suite against `provider`'s AWS kinds in `scope`, which must hold nothing of stack
/// `conformance`.
pub async fn aws_kinds_must_pass(provider: &dyn Provider, scope: &Scope) {
    let stack = "conformance";
    let owned = |resource: &Resource| Ownership { stack: stack.into(), id: resource.id.clone() };
    // What discovery reports is in the catalogue's vocabulary: a misspelt attribute would never
    // match the desired one and show as drift forever.
    let mine = |found: Vec<isopod_catalog::ObservedResource>| {
        let found: Vec<_> = found.into_iter().filter(|r| r.owned_by(stack).is_some()).collect();
        let unknown: Vec<String> = found.iter().flat_map(isopod_catalog::check::observed).collect();
        assert!(unknown.is_empty(), "{unknown:?}");
        found
    };
    let everything = [ResourceKind::AwsVpc, ResourceKind::AwsSubnet];
    assert!(mine(provider.discover(scope, &everything).await.unwrap()).is_empty(), "the scope starts empty");

    // Created with its ownership, which discovery reads back with the attributes.
    let mut vpc = resource(
        scope,
        ResourceKind::AwsVpc,
        "app",
        vec![("cidr_block", Value::string("10.77.0.0/16")), ("tags", tags("conformance-app"))],
    );
    let created = provider.create(&vpc, &owned(&vpc)).await.unwrap();
    assert!(!created.provider_id.is_empty());
    assert!(created.outputs.contains_key("main_route_table_id"), "a VPC's outputs: {:?}", created.outputs);
    let subnet = resource(
        scope,
        ResourceKind::AwsSubnet,
        "app.a",
        vec![
            ("vpc_id", Value::string(&created.provider_id)),
            ("cidr_block", Value::string("10.77.1.0/24")),
            ("tags", tags("conformance-app-a")),
        ],
    );
    let subnet_id = provider.create(&subnet, &owned(&subnet)).await.unwrap().provider_id;
    let found = mine(provider.discover(scope, &everything).await.unwrap());
    assert_eq!(found.len(), 2, "{found:?}");
    let live_vpc = found.iter().find(|r| r.provider_id == created.provider_id).expect("the VPC is found");
    assert_eq!(live_vpc.owner, Some(owned(&vpc)));
    assert_eq!(live_vpc.scope, *scope);
    assert_eq!(live_vpc.attrs.get("cidr_block"), Some(&Value::string("10.77.0.0/16")));
    assert_eq!(live_vpc.attrs.get("main_route_table_id"), created.outputs.get("main_route_table_id"));
    assert_eq!(live_vpc.attrs.get("tags"), Some(&tags("conformance-app")));
    let ready = provider.provisioning(&created.provider_id, ResourceKind::AwsVpc, scope).await.unwrap();
    assert_eq!(ready, Provisioning::Ready);

    // Updated in place: the new tags, the same ownership.
    Arc::make_mut(&mut vpc.attrs).insert("tags".into(), tags("renamed"));
    provider.update(&created.provider_id, &vpc).await.unwrap();
    let found = mine(provider.discover(scope, &[ResourceKind::AwsVpc]).await.unwrap());
    assert_eq!(found[0].attrs.get("tags"), Some(&tags("renamed")));
    assert_eq!(found[0].owner, Some(owned(&vpc)));

    // The errors the executor relies on.
    let orphan = resource(
        scope,
        ResourceKind::AwsSubnet,
        "orphan.a",
        vec![("vpc_id", Value::string("vpc-0000000000000000f")), ("cidr_block", Value::string("10.78.1.0/24"))],
    );
    let refused = provider.create(&orphan, &owned(&orphan)).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::NotFound, "a missing parent: {refused}");
    let in_use = provider.delete(&created.provider_id, ResourceKind::AwsVpc, scope).await.unwrap_err();
    assert_eq!(in_use.kind, ErrorKind::Conflict, "a VPC that still has a subnet: {in_use}");

    // Deleted, children first; deleting again succeeds; gone to the executor's waits.
    provider.delete(&subnet_id, ResourceKind::AwsSubnet, scope).await.unwrap();
    provider.delete(&created.provider_id, ResourceKind::AwsVpc, scope).await.unwrap();
    provider.delete(&created.provider_id, ResourceKind::AwsVpc, scope).await.expect("deleting what is gone succeeds");
    assert!(mine(provider.discover(scope, &everything).await.unwrap()).is_empty(), "nothing of the stack is left");
}
