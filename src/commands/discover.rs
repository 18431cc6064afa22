//! `isopod discover`: inspect the accounts and regions of the configuration's AWS `cloud` blocks
//! and write what is there as `.iso` files, one per block: networks with `existing` (used,
//! never changed), and the other objects found as comments.

use super::Status;
use crate::cli::DiscoverArgs;
use crate::discovered;
use crate::{config, stack};
use anyhow::Context as _;
use isopod_catalog::{ResourceKind, Scope};
use isopod_lang::topology::CloudKind;
use isopod_provider::Provider as _;
use isopod_provider::retry::{RetryPolicy, retrying};
use std::collections::BTreeSet;

/// What discovery lists in each region.
const KINDS: [ResourceKind; 7] = [
    ResourceKind::AwsVpc,
    ResourceKind::AwsSubnet,
    ResourceKind::AwsVpnGateway,
    ResourceKind::AwsCustomerGateway,
    ResourceKind::AwsVpnConnection,
    ResourceKind::AwsTransitGateway,
    ResourceKind::AwsVpcEndpoint,
];

/// Runs `isopod discover`.
pub fn run(args: DiscoverArgs) -> anyhow::Result<Status> {
    let Some((_, topology)) = config::load(&args.config) else { return Ok(Status::Failure) };
    let wanted = |id: &str| {
        args.clouds.is_empty()
            || args.clouds.iter().any(|name| name == id || Some(name.as_str()) == id.split('.').nth(1))
    };
    let clouds: Vec<_> =
        topology.clouds.iter().filter(|cloud| cloud.kind == CloudKind::Aws && wanted(&cloud.id)).collect();
    for name in &args.clouds {
        if !clouds.iter().any(|cloud| cloud.id == *name || cloud.id.split('.').nth(1) == Some(name)) {
            eprintln!("error: the configuration has no AWS cloud block `{name}`");
            return Ok(Status::Failure);
        }
    }
    if clouds.is_empty() {
        eprintln!("error: the configuration has no AWS cloud block to inspect");
        eprintln!("hint: add one, such as `cloud \"aws\" \"prod\" {{ region = \"us-east-1\" }}`");
        return Ok(Status::Failure);
    }
    let out_dir = args.out.clone().unwrap_or_else(|| config::config_dir(&args.config.dir).to_path_buf());
    std::fs::create_dir_all(&out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    let mut taken: BTreeSet<String> = topology.networks.iter().map(|network| network.name.clone()).collect();
    let described: BTreeSet<String> =
        topology.networks.iter().filter_map(|network| network.existing.as_ref().map(|id| id.value.clone())).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    for cloud in clouds {
        let provider = stack::aws_provider(cloud);
        let scope = Scope { cloud: cloud.id.clone(), region: cloud.region.value.clone() };
        let found = runtime
            .block_on(retrying(&RetryPolicy::default(), || provider.discover(&scope, &KINDS)))
            .with_context(|| format!("discovering {} {}", scope.cloud, scope.region))?;
        let file = discovered::render(&cloud.id, &scope.region, &found, &mut taken, &described);
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
