//! Tunnel keys: never shown nor compared by value, rotated where they are held.

use super::*;

#[test]
fn keys_read_back_from_a_cloud_are_never_shown_nor_compared_by_value() {
    let topology = topology(AWS_GCP);
    let mut live = applied(&plan(&topology, &[]).unwrap(), &[]);
    // A provider that reads keys back (AWS returns them to privileged callers) reports values.
    for resource in &mut live {
        for attr in resource.kind.spec().attrs.iter().filter(|attr| attr.sensitive()) {
            if resource.attrs.contains_key(attr.name) {
                resource.attrs.insert(attr.name.into(), Value::string("hunter2-live-key"));
            }
        }
    }
    let again = plan(&topology, &live).unwrap();
    assert!(again.is_empty(), "{}", render::text(&again));
    // Deleting everything shows every attribute but the keys.
    let empty = crate::tests::topology("stack \"demo\" {}\n");
    let deletes = plan(&empty, &live).unwrap();
    let text = render::text(&deletes);
    let json = serde_json::to_string(&deletes).unwrap();
    assert!(text.contains("shared_secret") && text.contains("(sensitive)"));
    assert!(!text.contains("hunter2") && !json.contains("hunter2"), "a live key leaked");
}

#[test]
fn rotating_a_key_updates_what_can_change_it_and_replaces_what_cannot() {
    let topology = topology(
        r#"
stack "rot" {}
cloud "aws" "prod" {
  region = "us-east-1"
}
cloud "gcp" "data" {
  project = "acme-data"
  region  = "us-central1"
}
network "app" {
  cloud = cloud.aws.prod
  cidr  = "10.1.0.0/16"
}
network "data" {
  cloud = cloud.gcp.data
  cidr  = "10.2.0.0/16"
}
tunnel "t" {
  between = [network.app, network.data]
}
"#,
    );
    let first = plan(&topology, &[]).unwrap();
    let live = applied(&first, &[]);
    let gcp_tunnel = first.changes.iter().find(|c| c.id.kind == ResourceKind::GcpVpnTunnel).unwrap();
    let Some(Value::Sensitive(secret)) = gcp_tunnel.after.get("shared_secret") else {
        panic!("a GCP tunnel has a key")
    };
    let rotated = BTreeSet::from([secret.clone()]);
    let (again, _) = crate::plan_rotating(&topology, &live, &rotated).unwrap();
    let holders: Vec<&crate::Change> = again
        .changes
        .iter()
        .filter(|c| c.after.values().any(|v| matches!(v, Value::Sensitive(name) if *name == *secret)))
        .collect();
    assert!(holders.len() >= 2, "both ends hold the key");
    for change in &holders {
        let expected =
            if change.id.kind == ResourceKind::GcpVpnTunnel { Action::DeleteThenCreate } else { Action::Update };
        assert_eq!(change.action, expected, "{}", change.id);
    }
    let others = again.changes.iter().filter(|c| c.action != Action::NoOp).count();
    assert!(others >= holders.len(), "{}", render::text(&again));
    assert!(plan(&topology, &live).unwrap().is_empty(), "without --rotate, nothing changes");
}
