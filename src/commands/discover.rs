//! `isopod discover`: inspect the accounts, projects, subscriptions and regions of the
//! configuration's `cloud` blocks and write what is there as `.iso` files, one per block: networks with
//! `existing` (used, never changed), and the other objects found as comments.

use super::Status;
use crate::cli::DiscoverArgs;
use crate::discovered;
use crate::{config, stack};
use anyhow::Context as _;
use isopod_catalog::{ObservedResource, ResourceKind, Scope};
use isopod_lang::Topology;
use isopod_lang::topology::{Cloud, CloudAccount, CloudKind, Network};
use isopod_provider::Provider;
use isopod_provider::retry::{RetryPolicy, retrying};
use std::collections::BTreeSet;

/// What discovery lists in each AWS region.
const AWS_KINDS: [ResourceKind; 7] = [
    ResourceKind::AwsVpc,
    ResourceKind::AwsSubnet,
    ResourceKind::AwsVpnGateway,
    ResourceKind::AwsCustomerGateway,
    ResourceKind::AwsVpnConnection,
    ResourceKind::AwsTransitGateway,
    ResourceKind::AwsVpcEndpoint,
];

/// What discovery lists in each GCP project (global) and region.
const GCP_KINDS: [ResourceKind; 7] = [
    ResourceKind::GcpNetwork,
    ResourceKind::GcpSubnetwork,
    ResourceKind::GcpHaVpnGateway,
    ResourceKind::GcpExternalVpnGateway,
    ResourceKind::GcpRouter,
    ResourceKind::GcpVpnTunnel,
    ResourceKind::GcpForwardingRule,
];

/// What discovery lists in each Azure subscription's region (virtual networks in every resource
/// group; the rest in the block's own).
const AZURE_KINDS: [ResourceKind; 6] = [
    ResourceKind::AzureVirtualNetwork,
    ResourceKind::AzureSubnet,
    ResourceKind::AzureVirtualNetworkGateway,
    ResourceKind::AzureLocalNetworkGateway,
    ResourceKind::AzureVpnConnection,
    ResourceKind::AzurePrivateEndpoint,
];

/// What writes one cloud block's file (see [`discovered::aws`]).
type Render = fn(&str, &str, &[ObservedResource], &mut BTreeSet<String>, &BTreeSet<String>) -> discovered::Discovered;

/// Runs `isopod discover`.
pub fn run(args: DiscoverArgs) -> anyhow::Result<Status> {
    let Some((_, topology)) = config::load(&args.config) else { return Ok(Status::Failure) };
    let wanted = |id: &str| {
        args.clouds.is_empty()
            || args.clouds.iter().any(|name| name == id || Some(name.as_str()) == id.split('.').nth(1))
    };
    let clouds: Vec<_> = topology.clouds.iter().filter(|cloud| wanted(&cloud.id)).collect();
    for name in &args.clouds {
        if !clouds.iter().any(|cloud| cloud.id == *name || cloud.id.split('.').nth(1) == Some(name)) {
            eprintln!("error: the configuration has no cloud block `{name}`");
            return Ok(Status::Failure);
        }
    }
    if clouds.is_empty() {
        eprintln!("error: the configuration has no cloud block to inspect");
        eprintln!("hint: add one, such as `cloud \"aws\" \"prod\" {{ region = \"us-east-1\" }}`");
        return Ok(Status::Failure);
    }
    let out_dir = args.out.clone().unwrap_or_else(|| config::config_dir(&args.config.dir).to_path_buf());
    std::fs::create_dir_all(&out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    let mut taken: BTreeSet<String> = topology.networks.iter().map(|network| network.name.clone()).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    for cloud in clouds {
        let region = cloud.region.value.clone();
        let in_region = Scope { cloud: cloud.id.clone(), region: region.clone() };
        // A GCP project's networks are global; an AWS account's VPCs and an Azure subscription's
        // virtual networks are in the block's region.
        let (provider, scopes, kinds, render): (Box<dyn Provider>, Vec<Scope>, &[ResourceKind], Render) =
            match cloud.kind {
                CloudKind::Gcp => {
                    let global = Scope { cloud: cloud.id.clone(), region: "global".into() };
                    (Box::new(stack::gcp_provider(cloud)), vec![global, in_region], &GCP_KINDS, discovered::gcp)
                }
                CloudKind::Azure => {
                    (Box::new(stack::azure_provider(cloud)), vec![in_region], &AZURE_KINDS, discovered::azure)
                }
                CloudKind::Aws => (Box::new(stack::aws_provider(cloud)), vec![in_region], &AWS_KINDS, discovered::aws),
            };
        let found = runtime
            .block_on(retrying(&RetryPolicy::default(), || provider.discover_scopes(&scopes, kinds)))
            .with_context(|| format!("discovering {} {region}", cloud.id))?;
        let file = render(&cloud.id, &region, &found, &mut taken, &described(&topology, cloud));
        let path = out_dir.join(format!("discovered-{}.iso", cloud.id.replace('.', "-")));
        std::fs::write(&path, &file.text).with_context(|| format!("cannot write {}", path.display()))?;
        println!(
            "wrote {}: {} network(s), {} other object(s) as comments",
            path.display(),
            file.networks,
            file.commented
        );
    }
    Ok(Status::Success)
}

/// What the configuration's networks already describe, left out of what `cloud` writes: the
/// AWS VPC ids, the names of the GCP networks in `cloud`'s project, or the ARM ids (in lower
/// case) of the Azure virtual networks in its subscription.
fn described(topology: &Topology, cloud: &Cloud) -> BTreeSet<String> {
    let account = |cloud: &Cloud| match &cloud.account {
        CloudAccount::Gcp { project, .. } => Some(project.clone()),
        CloudAccount::Azure { subscription, .. } => Some(subscription.to_ascii_lowercase()),
        _ => None,
    };
    let same_account = |network: &Network| {
        let block = topology.cloud(&network.cloud);
        network.kind == cloud.kind && (cloud.kind == CloudKind::Aws || block.and_then(account) == account(cloud))
    };
    topology
        .networks
        .iter()
        .filter(|network| same_account(network))
        .filter_map(|network| network.existing.as_ref())
        .map(|id| if cloud.kind == CloudKind::Azure { id.value.to_ascii_lowercase() } else { id.value.clone() })
        .collect()
}
