//! Quotas that would make an apply fail late, checked when planning: fixed quotas are errors,
//! adjustable regional defaults warnings.
//!
//! Sources: AWS Site-to-Site VPN quotas (10 VPN connections per virtual private gateway; by
//! default 5 virtual private gateways, 50 customer gateways and 50 VPN connections per region);
//! AWS Transit Gateway quotas (5 transit gateways per region by default); Azure VPN Gateway
//! SKUs (VpnGw2AZ: 30 site-to-site tunnels).

use crate::lower::Desired;
use isopod_catalog::{ResourceId, ResourceKind, Value};
use std::collections::BTreeMap;

/// A quota the desired resources exceed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{resource} would hold {count} {what}; the cloud allows {limit}")]
pub struct QuotaExceeded {
    /// The resource whose quota it is.
    pub resource: ResourceId,
    /// What is counted.
    pub what: &'static str,
    /// How many the plan wants.
    pub count: usize,
    /// The cloud's limit.
    pub limit: usize,
}

/// The VPN connections one AWS virtual private gateway takes; more need a transit gateway.
pub const VPN_GATEWAY_CONNECTIONS: usize = 10;

/// The limits checked, as (kind counted, attribute naming the parent, parent kind, limit, what).
const LIMITS: &[(ResourceKind, &str, ResourceKind, usize, &str)] = &[
    (
        ResourceKind::AwsVpnConnection,
        "vpn_gateway_id",
        ResourceKind::AwsVpnGateway,
        VPN_GATEWAY_CONNECTIONS,
        "VPN connections",
    ),
    (
        ResourceKind::AzureVpnConnection,
        "virtual_network_gateway",
        ResourceKind::AzureVirtualNetworkGateway,
        30,
        "site-to-site tunnels",
    ),
];

/// Every quota the desired resources exceed.
pub fn check(desired: &Desired) -> Vec<QuotaExceeded> {
    let gateway_names: BTreeMap<&str, &ResourceId> = desired
        .resources
        .values()
        .filter(|r| r.id.kind == ResourceKind::AzureVirtualNetworkGateway)
        .filter_map(|r| match r.attrs.get("name") {
            Some(Value::String(name)) => Some((name.as_str(), &r.id)),
            _ => None,
        })
        .collect();
    let mut exceeded = Vec::new();
    for &(kind, attribute, parent_kind, limit, what) in LIMITS {
        let mut counts: BTreeMap<&ResourceId, usize> = BTreeMap::new();
        for resource in desired.resources.values().filter(|r| r.id.kind == kind) {
            let parent = match resource.attrs.get(attribute) {
                Some(Value::Output(output)) if output.resource.kind == parent_kind => Some(&output.resource),
                Some(Value::String(name)) if parent_kind == ResourceKind::AzureVirtualNetworkGateway => {
                    gateway_names.get(name.as_str()).copied()
                }
                _ => None,
            };
            if let Some(parent) = parent {
                *counts.entry(parent).or_default() += 1;
            }
        }
        for (parent, count) in counts.into_iter().filter(|(_, count)| *count > limit) {
            exceeded.push(QuotaExceeded { resource: parent.clone(), what, count, limit });
        }
    }
    exceeded
}

/// An adjustable default quota of a cloud account that the stack alone would exceed in a region:
/// a warning, since the account may have it raised.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{cloud} {region} would hold {count} {what} of this stack alone; the default quota is {limit} per region (adjustable: request an increase before applying)"
)]
pub struct DefaultQuotaExceeded {
    /// The cloud block.
    pub cloud: String,
    /// The region.
    pub region: String,
    /// What is counted.
    pub what: &'static str,
    /// How many the plan wants.
    pub count: usize,
    /// The default quota.
    pub limit: usize,
}

/// AWS's default regional quotas the planner counts (AWS Site-to-Site VPN quotas; Transit
/// Gateway quotas): kind counted, default per region, what.
const REGIONAL_DEFAULTS: &[(ResourceKind, usize, &str)] = &[
    (ResourceKind::AwsVpnGateway, 5, "virtual private gateways"),
    (ResourceKind::AwsTransitGateway, 5, "transit gateways"),
    (ResourceKind::AwsCustomerGateway, 50, "customer gateways"),
    (ResourceKind::AwsVpnConnection, 50, "VPN connections"),
];

/// Every adjustable regional default quota the desired resources exceed.
pub fn check_defaults(desired: &Desired) -> Vec<DefaultQuotaExceeded> {
    let mut counts: BTreeMap<(&str, &str, ResourceKind), usize> = BTreeMap::new();
    for resource in desired.resources.values() {
        *counts.entry((&resource.scope.cloud, &resource.scope.region, resource.id.kind)).or_default() += 1;
    }
    let mut exceeded = Vec::new();
    for ((cloud, region, kind), count) in counts {
        for &(limited, limit, what) in REGIONAL_DEFAULTS {
            if kind == limited && count > limit {
                let (cloud, region) = (cloud.to_string(), region.to_string());
                exceeded.push(DefaultQuotaExceeded { cloud, region, what, count, limit });
            }
        }
    }
    exceeded
}
