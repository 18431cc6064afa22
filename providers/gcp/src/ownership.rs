//! Ownership on GCP. Compute Engine's networks, subnetworks and routers take no labels, and a
//! label value cannot hold a resource's address (lowercase letters, digits, `_` and `-`, at most
//! 63 characters): so every resource Isopod creates carries its owner in its `description`,
//! written in the insert itself, as a marker at its end:
//! `... (isopod:stack=STACK isopod:cloud=BLOCK isopod:resource=KIND.ADDRESS)`. The cloud block
//! is there because a project's global resources (networks) are seen by every block of the
//! project: each is planned in the block that made it. Kinds that take labels also get
//! `isopod-stack`, so that the console, billing exports and `gcloud --filter` find a stack's
//! resources. A resource without the marker is someone else's: never changed, never deleted.
//! What lives inside another resource (a router's BGP peers, a network's peerings, a zone's
//! records) is owned through its parent, by the parent's marker.

use isopod_catalog::{Ownership, ResourceId};
use std::collections::HashMap;

/// The label naming the stack on the kinds that take labels.
pub const STACK_LABEL: &str = "isopod-stack";

const MARKER_START: &str = "(isopod:stack=";
const CLOUD_KEY: &str = " isopod:cloud=";
const RESOURCE_KEY: &str = " isopod:resource=";

/// Who owns a resource, as its description's marker says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Marker {
    /// The stack and the resource's id in it.
    pub(crate) owner: Ownership,
    /// The cloud block that made it (`gcp.data`).
    pub(crate) cloud: String,
}

/// The description to write: the resource's own (if any) with the marker of `owner` in the
/// cloud block `cloud` at its end.
pub(crate) fn description(owner: &Ownership, cloud: &str, own: Option<&str>) -> String {
    let marker = format!("{MARKER_START}{}{CLOUD_KEY}{cloud}{RESOURCE_KEY}{})", owner.stack, owner.id);
    match own.filter(|own| !own.is_empty()) {
        Some(own) => format!("{own} {marker}"),
        None => format!("Managed by Isopod {marker}"),
    }
}

/// The marker a description carries, and the resource's own description without it.
pub(crate) fn read(description: Option<&str>) -> (Option<Marker>, Option<String>) {
    let Some(description) = description else { return (None, None) };
    let Some(start) = description.rfind(MARKER_START) else { return (None, Some(description.to_string())) };
    let marker = description[start + MARKER_START.len()..].strip_suffix(')');
    let owner = marker.and_then(|marker| {
        let (stack, rest) = marker.split_once(CLOUD_KEY)?;
        let (cloud, id) = rest.split_once(RESOURCE_KEY)?;
        let owner = Ownership { stack: stack.to_string(), id: ResourceId::parse(id)? };
        Some(Marker { owner, cloud: cloud.to_string() })
    });
    if owner.is_none() {
        return (None, Some(description.to_string()));
    }
    let own = description[..start].trim_end();
    let own = (own != "Managed by Isopod").then(|| own.to_string());
    (owner, own)
}

/// The labels of a resource `owner` creates.
pub(crate) fn labels(owner: &Ownership) -> HashMap<String, String> {
    HashMap::from([(STACK_LABEL.to_string(), label_value(&owner.stack))])
}

/// `text` as a label value: lowercase letters, digits, `_` and `-`, at most 63 characters.
fn label_value(text: &str) -> String {
    let value: String = text
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' })
        .take(63)
        .collect();
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_catalog::ResourceKind;

    fn owner() -> Ownership {
        Ownership { stack: "Prod.EU".into(), id: ResourceId::new(ResourceKind::GcpNetwork, "app") }
    }

    #[test]
    fn the_marker_is_read_back_with_the_resources_own_description() {
        let written = description(&owner(), "gcp.data", Some("Isopod relay w for app"));
        assert_eq!(
            written,
            "Isopod relay w for app (isopod:stack=Prod.EU isopod:cloud=gcp.data isopod:resource=gcp_network.app)"
        );
        let marker = Marker { owner: owner(), cloud: "gcp.data".into() };
        assert_eq!(read(Some(&written)), (Some(marker.clone()), Some("Isopod relay w for app".into())));
        let bare = description(&owner(), "gcp.data", None);
        assert_eq!(read(Some(&bare)), (Some(marker), None));
    }

    #[test]
    fn a_description_without_a_valid_marker_names_no_owner() {
        assert_eq!(read(Some("the data team's network")), (None, Some("the data team's network".into())));
        let forged = "x (isopod:stack=prod isopod:cloud=gcp.data isopod:resource=no_such_kind.app)";
        assert_eq!(read(Some(forged)), (None, Some(forged.into())));
        assert_eq!(read(None), (None, None));
    }

    #[test]
    fn the_stack_label_is_a_valid_label_value() {
        assert_eq!(labels(&owner())[STACK_LABEL], "prod-eu");
    }
}
