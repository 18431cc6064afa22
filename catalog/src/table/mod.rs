//! The catalogue's entries: one [`KindSpec`] per [`ResourceKind`], by cloud.
//!
//! Adding a kind means adding its variant to [`ResourceKind`], its entry in its cloud's file and
//! here (in the variant's position), and its provider code; the tests below check that the
//! catalogue is complete, in order and consistent.

mod aws;
mod azure;
mod gcp;
mod host;

use crate::catalogue::KindSpec;
#[cfg(doc)]
use crate::kind::ResourceKind;

/// Every kind's entry, in the order of [`ResourceKind`]'s variants (which is how
/// [`ResourceKind::spec`] finds one).
pub static CATALOGUE: [KindSpec; 44] = [
    aws::VPC,
    aws::SUBNET,
    aws::VPN_GATEWAY,
    aws::VPN_GATEWAY_ROUTE_PROPAGATION,
    aws::CUSTOMER_GATEWAY,
    aws::VPN_CONNECTION,
    aws::VPC_PEERING_CONNECTION,
    aws::VPC_PEERING_CONNECTION_ACCEPTER,
    aws::ROUTE,
    azure::RESOURCE_GROUP,
    azure::VIRTUAL_NETWORK,
    azure::SUBNET,
    azure::PUBLIC_IP,
    azure::VIRTUAL_NETWORK_GATEWAY,
    azure::LOCAL_NETWORK_GATEWAY,
    azure::VPN_CONNECTION,
    azure::VIRTUAL_NETWORK_PEERING,
    gcp::NETWORK_KIND,
    gcp::SUBNETWORK,
    gcp::HA_VPN_GATEWAY,
    gcp::ROUTER,
    gcp::EXTERNAL_VPN_GATEWAY,
    gcp::VPN_TUNNEL,
    gcp::ROUTER_PEER,
    gcp::NETWORK_PEERING,
    aws::VPN_CONNECTION_ROUTE,
    host::IPSEC_TUNNEL,
    aws::SECURITY_GROUP,
    aws::VPC_ENDPOINT,
    azure::PRIVATE_ENDPOINT,
    gcp::ADDRESS,
    gcp::FORWARDING_RULE,
    aws::TRANSIT_GATEWAY,
    aws::TRANSIT_GATEWAY_VPC_ATTACHMENT,
    aws::ROUTE53_ZONE,
    aws::ROUTE53_RECORD,
    azure::PRIVATE_DNS_ZONE,
    azure::PRIVATE_DNS_ZONE_LINK,
    azure::PRIVATE_DNS_A_RECORD,
    gcp::DNS_MANAGED_ZONE,
    gcp::DNS_RECORD_SET,
    aws::FLOW_LOG,
    gcp::SUBNETWORK_FLOW_LOGS,
    azure::FLOW_LOG,
];

#[cfg(test)]
mod tests {
    use super::CATALOGUE;
    use crate::catalogue::AttrType;
    use crate::kind::ResourceKind;
    use std::collections::BTreeSet;

    #[test]
    fn every_kind_has_its_entry_in_its_position() {
        for (position, spec) in CATALOGUE.iter().enumerate() {
            assert_eq!(spec.kind as usize, position, "{} is out of place", spec.name);
            assert_eq!(spec.kind.spec().name, spec.name);
        }
        let names: BTreeSet<&str> = CATALOGUE.iter().map(|spec| spec.name).collect();
        assert_eq!(names.len(), CATALOGUE.len(), "kind names are unique");
    }

    #[test]
    fn names_follow_the_cloud_and_attributes_are_declared_once() {
        for spec in &CATALOGUE {
            let prefix = format!("{}_", format!("{:?}", spec.cloud).to_lowercase());
            assert!(spec.name.starts_with(&prefix), "{} starts with {prefix}", spec.name);
            let mut seen = BTreeSet::new();
            for attr in spec.attrs.iter().map(|attr| attr.name).chain(spec.outputs.iter().map(|o| o.name)) {
                assert!(seen.insert(attr), "{}.{attr} is declared twice", spec.name);
            }
            assert!(!spec.doc.is_empty() && !spec.api.is_empty(), "{} is documented", spec.name);
        }
    }

    #[test]
    fn references_name_outputs_their_kinds_have() {
        for spec in &CATALOGUE {
            for (attr, target) in spec.refs() {
                let known = matches!(target.by, "id" | "name") || target.kind.spec().output(target.by).is_some();
                assert!(
                    known,
                    "{}.{} refers to {} of {}, which it lacks",
                    spec.name, attr.name, target.by, target.kind
                );
                if target.by == "name" {
                    assert!(target.kind.spec().attr("name").is_some(), "{} has a name", target.kind);
                }
            }
        }
    }

    #[test]
    fn only_untaggable_kinds_have_natural_keys_and_secrets_are_typed() {
        for spec in &CATALOGUE {
            let key: Vec<&str> = spec.kind.natural_key().collect();
            if !key.is_empty() {
                assert!(spec.attr("tags").is_none(), "{} can be tagged, so needs no natural key", spec.name);
            }
            for attr in spec.attrs {
                assert!(!(attr.sensitive() && attr.unordered), "{}.{}", spec.name, attr.name);
                if attr.unordered {
                    assert!(matches!(attr.ty, AttrType::List(_)), "{}.{} is a list", spec.name, attr.name);
                }
            }
        }
    }

    #[test]
    fn parents_form_no_cycle_and_give_a_depth() {
        // Depth is defined by the parents; computing it for every kind terminates only if the
        // parent relation has no cycle.
        for kind in ResourceKind::all() {
            let depth = kind.depth();
            for parent in kind.spec().parents() {
                assert!(parent.depth() < depth, "{parent} sits above {kind}");
            }
        }
        assert_eq!(ResourceKind::AwsVpc.depth(), 0);
        assert_eq!(ResourceKind::AzureVpnConnection.depth(), 4);
    }
}
