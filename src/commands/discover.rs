//! `isopod discover`: inspect the accounts, projects and regions of the configuration's AWS and
//! GCP `cloud` blocks and write what is there as `.iso` files, one per block: networks with
//! `existing` (used, never changed), and the other objects found as comments.

use super::Status;
use crate::cli::DiscoverArgs;
use crate::discovered;
use crate::{config, stack};
use anyhow::Context as _;
use isopod_catalog::{ResourceKind, Scope};
use isopod_lang::Topology;
use isopod_lang::topology::{Cloud, CloudAccount, CloudKind, Network};
use isopod_provider::Provider as _;
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

/// Runs `isopod discover`.
pub fn run(args: DiscoverArgs) -> anyhow::Result<Status> {
    let Some((_, topology)) = config::load(&args.config) else { return Ok(Status::Failure) };
    let wanted = |id: &str| {
        args.clouds.is_empty()
            || args.clouds.iter().any(|name| name == id || Some(name.as_str()) == id.split('.').nth(1))
    };
    let discoverable = |kind: CloudKind| matches!(kind, CloudKind::Aws | CloudKind::Gcp);
    let clouds: Vec<_> = topology.clouds.iter().filter(|cloud| discoverable(cloud.kind) && wanted(&cloud.id)).collect();
    for name in &args.clouds {
        if !clouds.iter().any(|cloud| cloud.id == *name || cloud.id.split('.').nth(1) == Some(name)) {
            eprintln!("error: the configuration has no AWS or GCP cloud block `{name}`");
            return Ok(Status::Failure);
        }
    }
    if clouds.is_empty() {
        eprintln!("error: the configuration has no AWS or GCP cloud block to inspect");
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
        let described = described(&topology, cloud);
        let file = if cloud.kind == CloudKind::Gcp {
            let provider = stack::gcp_provider(cloud);
            let scopes = [Scope { cloud: cloud.id.clone(), region: "global".into() }, in_region];
            let found = runtime
                .block_on(retrying(&RetryPolicy::default(), || provider.discover_scopes(&scopes, &GCP_KINDS)))
                .with_context(|| format!("discovering {} {region}", cloud.id))?;
            discovered::gcp(&cloud.id, &region, &found, &mut taken, &described)
        } else {
            let provider = stack::aws_provider(cloud);
            let found = runtime
                .block_on(retrying(&RetryPolicy::default(), || provider.discover(&in_region, &AWS_KINDS)))
                .with_context(|| format!("discovering {} {region}", cloud.id))?;
            discovered::aws(&cloud.id, &region, &found, &mut taken, &described)
        };
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
/// AWS VPC ids, or the names of the GCP networks in `cloud`'s project.
fn described(topology: &Topology, cloud: &Cloud) -> BTreeSet<String> {
    let project = |cloud: &Cloud| match &cloud.account {
        CloudAccount::Gcp { project, .. } => Some(project.clone()),
        _ => None,
    };
    let same_account = |network: &Network| {
        let block = topology.cloud(&network.cloud);
        network.kind == cloud.kind && (cloud.kind == CloudKind::Aws || block.and_then(project) == project(cloud))
    };
    topology
        .networks
        .iter()
        .filter(|network| same_account(network))
        .filter_map(|network| network.existing.as_ref().map(|id| id.value.clone()))
        .collect()
}
