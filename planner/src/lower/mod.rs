//! Lowering: each logical object of the topology becomes the cloud resources that realise it.
//!
//! Pure: no I/O, no clock, no randomness. One module per family of objects. What must be unique
//! (ASNs, inside ranges) is allocated first, keeping the values live resources already use.

mod additions;
mod aws_vpn;
mod azure_vpn;
pub(crate) mod dns;
mod endpoint;
pub mod flow_logs;
mod gcp_vpn;
mod host_ipsec;
mod network;
mod peering;
mod relay;
mod tunnel;

use crate::Cidr;
use crate::allocate::{
    self, AllocError, Allocations, InsidePool, InsideRequest, Live, LiveGcpNetwork, gateway_key, host_key, slot_key,
};
use crate::naming;
use crate::problem::{Problem, ProblemCode};
use crate::quota;
use additions::Additions;
use isopod_catalog::{Attrs, Name, OutputRef, Resource, ResourceId, ResourceKind, Scope, Value};
use isopod_lang::Spanned;
use isopod_lang::Topology;
use isopod_lang::topology::{CloudAccount, CloudKind, End, Host, Network, Routing, Tunnel};
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// The resources a topology wants, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Desired {
    /// The stack that owns them.
    pub stack: String,
    /// The resources, in a stable order.
    pub resources: BTreeMap<ResourceId, Resource>,
    /// Logical objects this version cannot lower yet (e.g. `tunnel.a-b`), with the reason.
    pub unplanned: Vec<(String, &'static str)>,
    /// The AWS networks whose VPN connections attach to a transit gateway rather than a virtual
    /// private gateway.
    pub aws_transit: BTreeSet<String>,
    /// The networks that describe an existing network (AWS VPC, GCP network, Azure virtual
    /// network), by name: used, never created.
    pub existing: BTreeMap<String, ExistingNetwork>,
    /// The secrets being rotated: the live resources that hold them get the new value (updated
    /// in place, or replaced where the cloud cannot change a key).
    pub rotated: BTreeSet<String>,
}

/// A network that exists outside the stack, as a network with `existing` describes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExistingNetwork {
    /// What its cloud calls it: an AWS VPC's id, a GCP network's name, an Azure virtual
    /// network's ARM id.
    pub id: String,
    /// AWS: its main route table's id.
    pub main_route_table_id: String,
    /// Azure: the resource group the stack's resources for it go in (its cloud block's).
    pub resource_group: String,
    /// What its cloud calls the subnets the network declares (AWS subnet ids, GCP subnetwork
    /// names, Azure subnets' ARM ids), by subnet name; on GCP, a network without subnets has its
    /// first subnetwork in its region and range under its own name; on Azure, its live
    /// `GatewaySubnet` is under `GatewaySubnet`.
    pub subnets: BTreeMap<String, String>,
}

/// The output `name` (`id`, `main_route_table_id`) of the VPC of AWS network `network`: the live
/// value of an existing VPC, or the output of the VPC the stack creates.
pub(crate) fn aws_vpc_output(desired: &Desired, network: &str, name: &'static str) -> Value {
    match (desired.existing.get(network), name) {
        (Some(vpc), "id") => Value::string(&vpc.id),
        (Some(vpc), "main_route_table_id") => Value::string(&vpc.main_route_table_id),
        _ => output(&ResourceId::new(ResourceKind::AwsVpc, network), name),
    }
}

/// The id of subnet `subnet` of AWS network `network`.
pub(crate) fn aws_subnet_id(desired: &Desired, network: &str, subnet: &str) -> Value {
    match desired.existing.get(network).and_then(|vpc| vpc.subnets.get(subnet)) {
        Some(id) => Value::string(id),
        None => output(&ResourceId::new(ResourceKind::AwsSubnet, format!("{network}.{subnet}")), "id"),
    }
}

/// Azure network `network` as what is built on it refers to it: the resource group the stack's
/// resources for it go in, its virtual network's id (the output of the one the stack creates, or
/// an existing one's), and what must exist first (that virtual network, or the group Isopod
/// makes for an existing one's cloud block, added to `desired` here).
pub(crate) fn azure_vnet(
    topology: &Topology,
    desired: &mut Desired,
    network: &Network,
) -> (Value, Value, Vec<ResourceId>) {
    if desired.existing.contains_key(&network.name) {
        let (group, own) = network::azure_block_group(topology, network, desired);
        let after = if own { vec![network::azure_group(&network.cloud)] } else { Vec::new() };
        return (Value::string(group), Value::string(&desired.existing[&network.name].id), after);
    }
    let vnet = ResourceId::new(ResourceKind::AzureVirtualNetwork, &network.name);
    let group = desired.resources.get(&vnet).and_then(|r| r.attrs.get("resource_group")).cloned();
    (group.unwrap_or_else(|| Value::string("")), output(&vnet, "id"), vec![vnet])
}

/// The id of subnet `subnet` of Azure network `network` (`GatewaySubnet` included).
pub(crate) fn azure_subnet_id(desired: &Desired, network: &str, subnet: &str) -> Value {
    match desired.existing.get(network).and_then(|vnet| vnet.subnets.get(subnet)) {
        Some(id) => Value::string(id),
        None => output(&ResourceId::new(ResourceKind::AzureSubnet, format!("{network}.{subnet}")), "id"),
    }
}

/// GCP network `network` as what is built on it refers to it: its name in the project, and
/// what must exist first (the network the stack creates; nothing for an existing one).
pub(crate) fn gcp_network(desired: &Desired, network: &str) -> (String, Vec<ResourceId>) {
    match desired.existing.get(network) {
        Some(existing) => (existing.id.clone(), Vec::new()),
        None => (
            naming::resource_name(naming::GCP, &desired.stack, &[network]),
            vec![ResourceId::new(ResourceKind::GcpNetwork, network)],
        ),
    }
}

/// The subnetwork of GCP network `network` that subnet `subnet` is (`None`: the network's only
/// or first subnetwork), as what is built in it refers to it: its name, and what must exist first.
pub(crate) fn gcp_subnetwork(desired: &Desired, network: &str, subnet: Option<&str>) -> (Value, Vec<ResourceId>) {
    if let Some(existing) = desired.existing.get(network) {
        let name = existing.subnets.get(subnet.unwrap_or(network)).cloned().unwrap_or_default();
        return (Value::string(name), Vec::new());
    }
    // A network without subnets has one spanning its range, addressed by the network's name.
    let address = subnet.map_or_else(|| network.to_string(), |subnet| format!("{network}.{subnet}"));
    let id = ResourceId::new(ResourceKind::GcpSubnetwork, address);
    let name = desired.resources.get(&id).and_then(|r| r.attrs.get("name")).cloned().unwrap_or(Value::string(""));
    (name, vec![id])
}

/// What the networks with `existing` name that discovery did not find in their cloud's region
/// (the network, or a declared subnet's range in it).
pub fn missing_existing(topology: &Topology, live: &Live) -> Vec<Problem> {
    let mut missing = Vec::new();
    for network in &topology.networks {
        let Some(id) = &network.existing else { continue };
        match network.kind {
            CloudKind::Aws => missing_aws(network, id, live, &mut missing),
            CloudKind::Gcp => missing_gcp(topology, network, id, live, &mut missing),
            CloudKind::Azure => missing_azure(topology, network, id, live, &mut missing),
        }
    }
    // A resource group a `cloud "azure"` block names is the user's own, used as it is: it must
    // exist (it is only looked at where the block has networks, which discovery lists).
    for cloud in &topology.clouds {
        let CloudAccount::Azure { resource_group: Some(group), .. } = &cloud.account else { continue };
        let used = topology.networks.iter().any(|network| network.cloud == cloud.id);
        if used && !live.azure_groups.contains(&(cloud.id.clone(), group.clone())) {
            let message = format!("{}: resource group `{group}` does not exist in the subscription", cloud.id);
            let help = "create it, or leave `resource_group` out and Isopod creates one for the stack";
            missing.push(Problem::new(ProblemCode::ExistingNotFound, message).with_help(help).at(cloud.span));
        }
    }
    missing
}

fn missing_aws(network: &Network, id: &Spanned<String>, live: &Live, missing: &mut Vec<Problem>) {
    let found = live.aws_vpcs.get(&id.value).filter(|vpc| vpc.scope.as_ref() == Some(&scope(network)));
    let Some(vpc) = found else {
        let message = format!(
            "network `{}`: VPC {} is not in {} {}",
            network.name, id.value, network.cloud, network.region.value
        );
        missing.push(Problem::new(ProblemCode::ExistingNotFound, message).at(id.span));
        return;
    };
    for subnet in &network.subnets {
        if !vpc.subnets.contains_key(&subnet.cidr.value.to_string()) {
            let message = format!(
                "network `{}`: VPC {} has no subnet {} (subnet `{}`)",
                network.name, id.value, subnet.cidr.value, subnet.name
            );
            missing.push(Problem::new(ProblemCode::ExistingNotFound, message).at(subnet.cidr.span));
        }
    }
}

fn missing_azure(
    topology: &Topology,
    network: &Network,
    id: &Spanned<String>,
    live: &Live,
    missing: &mut Vec<Problem>,
) {
    let subscription = match topology.cloud(&network.cloud).map(|cloud| &cloud.account) {
        Some(CloudAccount::Azure { subscription, .. }) => subscription.as_str(),
        _ => "",
    };
    let key = (network.cloud.clone(), id.value.to_ascii_lowercase());
    let found = live.azure_networks.get(&key).filter(|found| found.id.is_some());
    let Some(found) = found else {
        let message =
            format!("network `{}`: subscription {subscription} has no virtual network {}", network.name, id.value);
        let help = "`existing` is the ARM id of a virtual network of the cloud block's subscription, as \
                    `az network vnet list --query [].id` prints it";
        missing.push(Problem::new(ProblemCode::ExistingNotFound, message).with_help(help).at(id.span));
        return;
    };
    let region = &network.region.value;
    if !found.location.eq_ignore_ascii_case(region) {
        let message =
            format!("network `{}`: virtual network {} is in {}, not {region}", network.name, id.value, found.location);
        let help = format!("set `region = \"{}\"` on the network", found.location);
        missing.push(Problem::new(ProblemCode::ExistingNotFound, message).with_help(help).at(id.span));
    }
    for subnet in &network.subnets {
        if !found.subnets.contains_key(&subnet.cidr.value.to_string()) {
            let message = format!(
                "network `{}`: virtual network {} has no subnet {} (subnet `{}`)",
                network.name, id.value, subnet.cidr.value, subnet.name
            );
            missing.push(Problem::new(ProblemCode::ExistingNotFound, message).at(subnet.cidr.span));
        }
    }
}

fn missing_gcp(topology: &Topology, network: &Network, id: &Spanned<String>, live: &Live, missing: &mut Vec<Problem>) {
    let project = match topology.cloud(&network.cloud).map(|cloud| &cloud.account) {
        Some(CloudAccount::Gcp { project, .. }) => project.as_str(),
        _ => "",
    };
    let found = live.gcp_networks.get(&(network.cloud.clone(), id.value.clone())).filter(|found| found.found);
    let Some(found) = found else {
        let message = format!("network `{}`: project {project} has no network `{}`", network.name, id.value);
        let help =
            "`existing` names a network of the cloud block's project, as `gcloud compute networks list` shows it";
        missing.push(Problem::new(ProblemCode::ExistingNotFound, message).with_help(help).at(id.span));
        return;
    };
    let region = &network.region.value;
    for subnet in &network.subnets {
        if !found.subnetworks.contains_key(&(region.clone(), subnet.cidr.value.to_string())) {
            let message = format!(
                "network `{}`: network `{}` has no subnetwork {} in {region} (subnet `{}`)",
                network.name, id.value, subnet.cidr.value, subnet.name
            );
            missing.push(Problem::new(ProblemCode::ExistingNotFound, message).at(subnet.cidr.span));
        }
    }
    let has_endpoint = topology.endpoints.iter().any(|endpoint| endpoint.network.value == network.name);
    if network.subnets.is_empty() && has_endpoint && first_gcp_subnetwork(network, found).is_none() {
        let message = format!(
            "network `{}`: network `{}` has no subnetwork in {region} within {} for its endpoints",
            network.name, id.value, network.cidr.value
        );
        missing.push(Problem::new(ProblemCode::ExistingNotFound, message).at(network.cidr.span));
    }
}

/// The first subnetwork (by address, then the wider first) of live GCP network `found` in
/// `network`'s region and range: where the endpoints of an existing network without subnets go.
pub(crate) fn first_gcp_subnetwork<'l>(network: &Network, found: &'l LiveGcpNetwork) -> Option<&'l String> {
    found
        .subnetworks
        .iter()
        .filter(|((region, _), _)| *region == network.region.value)
        .filter_map(|((_, range), name)| Some((Cidr::parse(range).ok()?, name)))
        .filter(|(range, _)| network.cidr.value.contains(*range))
        .min_by_key(|(range, _)| (range.first(), range.prefix()))
        .map(|(_, name)| name)
}

impl Desired {
    fn add(&mut self, resource: Resource) {
        debug_check(&resource);
        self.resources.insert(resource.id.clone(), resource);
    }
}

/// Checks, in debug builds (the tests), that `resource` is as the catalogue describes its kind.
fn debug_check(resource: &Resource) {
    debug_assert!(
        isopod_catalog::check::desired(resource).is_empty(),
        "lowered against the catalogue: {:?}",
        isopod_catalog::check::desired(resource)
    );
}

/// The resources that realise `topology`, given the allocations live resources hold.
pub fn lower(topology: &Topology, live: &Live) -> Result<Desired, AllocError> {
    lower_in(topology, live, None)
}

/// [`lower`], with the tunnels in `runs` runs (`None`: as many as the machine has cores, or
/// one for few tunnels).
pub(crate) fn lower_in(topology: &Topology, live: &Live, runs: Option<usize>) -> Result<Desired, AllocError> {
    let mut desired = Desired { stack: topology.stack.name.value.clone(), ..Desired::default() };
    for network in &topology.networks {
        network::lower(topology, network, live, &mut desired);
        flow_logs::lower(topology, network, &mut desired);
    }
    // Tunnels as written, from meshes, and those relays need: (tunnel, warning label, object).
    let ends = Ends::of(topology);
    let relay_tunnels = relay::tunnels(topology, |tunnel| supported_layout(&ends, tunnel).is_ok(), &mut desired);
    let written = topology.tunnels.iter().map(|tunnel| match &tunnel.mesh {
        Some(mesh) => (tunnel, format!("mesh.{mesh} ({})", tunnel.name), format!("mesh.{mesh}")),
        None => (tunnel, format!("tunnel.{}", tunnel.name), format!("tunnel.{}", tunnel.name)),
    });
    let relayed = relay_tunnels
        .iter()
        .map(|(tunnel, relay)| (tunnel, format!("relay.{relay} ({})", tunnel.name), format!("relay.{relay}")));
    let mut supported = Vec::new();
    for (tunnel, label, object) in written.chain(relayed) {
        match supported_layout(&ends, tunnel) {
            Ok(layout) => supported.push((tunnel, layout, label, object)),
            Err(reason) => desired.unplanned.push((label, reason)),
        }
    }
    for endpoint in &topology.endpoints {
        let Some(network) = topology.network(&endpoint.network.value) else { continue };
        if let Err(reason) = endpoint::lower(topology, endpoint, network, &mut desired) {
            desired.unplanned.push((format!("endpoint.{}", endpoint.name), reason));
        }
    }
    desired.aws_transit =
        aws_transit_networks(topology, supported.iter().map(|(tunnel, layout, ..)| (*tunnel, layout)));
    supported.retain(|(tunnel, layout, label, _)| match transit_limit(&desired.aws_transit, tunnel, layout) {
        Some(reason) => {
            desired.unplanned.push((label.clone(), reason));
            false
        }
        None => true,
    });
    let layouts: Vec<(&Tunnel, Layout<'_>)> = supported.iter().map(|(tunnel, layout, ..)| (*tunnel, *layout)).collect();
    let allocations = allocate_for(topology, &layouts, live)?;
    // Each network's gateway first, then the tunnels in runs on every core, each run reading
    // what was lowered before the tunnels; the runs' resources are joined in the tunnels' order.
    let mut shared = tunnel::Shared::new(&allocations);
    for (tunnel, layout, ..) in &supported {
        shared.make_gateways(topology, tunnel, layout, &mut desired);
    }
    let lower_run = |run: &[(&Tunnel, Layout<'_>, String, String)]| {
        let mut out = Additions::new(&desired);
        let lowered: Vec<Result<(), &'static str>> = run
            .iter()
            .map(|(tunnel, layout, _, object)| lower_tunnel(topology, tunnel, layout, object, &shared, &mut out))
            .collect();
        (out.finish(), lowered)
    };
    let (additions, lowered): (Vec<_>, Vec<_>) = match runs {
        Some(runs) => crate::parallel::in_n_runs(&supported, runs, lower_run),
        None => crate::parallel::in_runs(&supported, lower_run),
    }
    .into_iter()
    .unzip();
    Additions::join(additions, &mut desired);
    // Pairs of networks the lowered tunnels connect, both ways.
    let mut connected: BTreeSet<(String, String)> = BTreeSet::new();
    for ((tunnel, _, label, _), lowered) in supported.into_iter().zip(lowered.into_iter().flatten()) {
        match lowered {
            Ok(()) => {
                if let (End::Network(a), End::Network(b)) = (&tunnel.ends[0].value, &tunnel.ends[1].value) {
                    connected.insert((a.clone(), b.clone()));
                    connected.insert((b.clone(), a.clone()));
                }
            }
            Err(reason) => desired.unplanned.push((label, reason)),
        }
    }
    relay::private_dns(topology, &connected, &mut desired);
    #[cfg(debug_assertions)]
    check_named_dependencies(&desired);
    Ok(desired)
}

/// Lowers `tunnel` of `layout` for logical object `object` into `out`, or says why it cannot.
fn lower_tunnel(
    topology: &Topology,
    tunnel: &Tunnel,
    layout: &Layout<'_>,
    object: &str,
    shared: &tunnel::Shared<'_>,
    out: &mut Additions<'_>,
) -> Result<(), &'static str> {
    match *layout {
        Layout::AwsGcp { aws, gcp } => tunnel::aws_gcp(tunnel, object, aws, gcp, shared, out),
        Layout::AwsAzure { aws, azure } => return tunnel::aws_azure(tunnel, object, aws, azure, shared, out),
        Layout::AzureGcp { azure, gcp } => return tunnel::azure_gcp(tunnel, object, azure, gcp, shared, out),
        Layout::AwsHost { aws, host } => tunnel::aws_host(tunnel, object, aws, host, shared, out),
        Layout::GcpHost { gcp, host } => tunnel::gcp_host(tunnel, object, gcp, host, shared, out),
        Layout::AzureHost { azure, host } => return tunnel::azure_host(tunnel, object, azure, host, shared, out),
        Layout::HostHost { a, b } => tunnel::host_host(tunnel, object, a, b, shared.alloc, out),
        Layout::Peering { a, b } => return peering::lower(topology, tunnel, a, b, object, out),
    }
    Ok(())
}

/// Checks, in debug builds (the tests), that every resource naming another desired resource (an
/// Azure resource group, a Cloud Router) comes after it, directly or through what it depends on,
/// so that the executor creates that one first: lowering states these dependencies where it
/// writes the name, and a release plan pays nothing for the check.
#[cfg(debug_assertions)]
fn check_named_dependencies(desired: &Desired) {
    let mut by_name: std::collections::HashMap<(ResourceKind, &str, &str), &ResourceId> = Default::default();
    for resource in desired.resources.values() {
        if let Some(Value::String(name)) = resource.attrs.get("name") {
            by_name.insert((resource.id.kind, resource.scope.cloud.as_str(), name.as_str()), &resource.id);
        }
    }
    for resource in desired.resources.values() {
        for (attr, reference, name) in resource.id.kind.spec().references_in(&resource.attrs) {
            let Some(&target) = by_name.get(&(reference.kind, resource.scope.cloud.as_str(), name)) else { continue };
            if reference.by == "name" && *target != resource.id {
                assert!(
                    depends_on(desired, &resource.id, target),
                    "{} names {target} in `{}` but does not depend on it",
                    resource.id,
                    attr.name
                );
            }
        }
    }
}

/// Whether `from` depends on `to`, directly or through its dependencies.
#[cfg(debug_assertions)]
fn depends_on(desired: &Desired, from: &ResourceId, to: &ResourceId) -> bool {
    let mut stack = vec![from];
    let mut seen: BTreeSet<&ResourceId> = BTreeSet::new();
    while let Some(id) = stack.pop() {
        let Some(resource) = desired.resources.get(id) else { continue };
        for dependency in resource.dependencies() {
            if dependency == to {
                return true;
            }
            if seen.insert(dependency) {
                stack.push(dependency);
            }
        }
    }
    false
}

/// The layouts this version can lower.
#[derive(Clone, Copy)]
enum Layout<'t> {
    AwsGcp {
        aws: &'t Network,
        gcp: &'t Network,
    },
    AwsAzure {
        aws: &'t Network,
        azure: &'t Network,
    },
    AzureGcp {
        azure: &'t Network,
        gcp: &'t Network,
    },
    /// Two networks of one cloud: its native peering.
    Peering {
        a: &'t Network,
        b: &'t Network,
    },
    AwsHost {
        aws: &'t Network,
        host: &'t Host,
    },
    GcpHost {
        gcp: &'t Network,
        host: &'t Host,
    },
    AzureHost {
        azure: &'t Network,
        host: &'t Host,
    },
    HostHost {
        a: &'t Host,
        b: &'t Host,
    },
}

/// The AWS networks whose VPN connections attach to a transit gateway: those whose
/// `transit_gateway` is `true`, and, where it is unset, those whose tunnels need more VPN
/// connections than a virtual private gateway takes.
fn aws_transit_networks<'t>(
    topology: &Topology,
    layouts: impl Iterator<Item = (&'t Tunnel, &'t Layout<'t>)>,
) -> BTreeSet<String> {
    let mut connections: BTreeMap<&str, usize> = BTreeMap::new();
    for (tunnel, layout) in layouts {
        let (aws, count) = match layout {
            Layout::AwsGcp { aws, .. } | Layout::AwsAzure { aws, .. } => (aws, tunnel::aws_connections(tunnel)),
            Layout::AwsHost { aws, .. } => (aws, 1),
            _ => continue,
        };
        *connections.entry(&aws.name).or_default() += count;
    }
    topology
        .networks
        .iter()
        .filter(|network| network.kind == CloudKind::Aws)
        .filter(|network| match network.transit_gateway {
            Some(chosen) => chosen.value,
            None => connections.get(network.name.as_str()).copied().unwrap_or(0) > quota::VPN_GATEWAY_CONNECTIONS,
        })
        .map(|network| network.name.clone())
        .collect()
}

/// Why a tunnel to an AWS network on a transit gateway cannot be planned yet, if it cannot.
fn transit_limit(transit: &BTreeSet<String>, tunnel: &Tunnel, layout: &Layout<'_>) -> Option<&'static str> {
    let aws = match layout {
        Layout::AwsGcp { aws, .. } | Layout::AwsAzure { aws, .. } | Layout::AwsHost { aws, .. } => aws,
        _ => return None,
    };
    if !transit.contains(&aws.name) {
        None
    } else if tunnel.routing == Routing::Static {
        Some("static routing over an AWS transit gateway is not planned yet")
    } else if network::default_subnets(aws).is_empty() {
        Some("its AWS network uses a transit gateway, whose attachment needs a subnet, and the network has none")
    } else {
        None
    }
}

/// One end of a tunnel, resolved.
#[derive(Clone, Copy)]
enum Side<'t> {
    Network(&'t Network),
    Host(&'t Host),
}

impl Layout<'_> {
    /// The ASNs the layout needs: allocation key, and the value the configuration fixes.
    fn asn_keys(&self) -> Vec<(String, Option<u32>)> {
        let network = |kind: ResourceKind, n: &Network| (gateway_key(kind, &n.name), n.asn.map(|a| a.value));
        let host = |h: &Host| (host_key(&h.name), h.asn.map(|a| a.value));
        let pairs = match self {
            Layout::Peering { .. } => return Vec::new(),
            Layout::AwsHost { aws, host: h } => return vec![network(ResourceKind::AwsVpnGateway, aws), host(h)],
            Layout::GcpHost { gcp, host: h } => return vec![network(ResourceKind::GcpRouter, gcp), host(h)],
            Layout::AzureHost { azure, host: h } => {
                return vec![network(ResourceKind::AzureVirtualNetworkGateway, azure), host(h)];
            }
            Layout::HostHost { a, b } => return vec![host(a), host(b)],
            Layout::AwsGcp { aws, gcp } => [(ResourceKind::AwsVpnGateway, aws), (ResourceKind::GcpRouter, gcp)],
            Layout::AwsAzure { aws, azure } => {
                [(ResourceKind::AwsVpnGateway, aws), (ResourceKind::AzureVirtualNetworkGateway, azure)]
            }
            Layout::AzureGcp { azure, gcp } => {
                [(ResourceKind::AzureVirtualNetworkGateway, azure), (ResourceKind::GcpRouter, gcp)]
            }
        };
        pairs.into_iter().map(|(kind, n)| network(kind, n)).collect()
    }

    /// How many inside /30s `tunnel`, of this layout, needs: one per IPsec tunnel.
    fn slots(&self, tunnel: &Tunnel) -> usize {
        match self {
            Layout::AwsGcp { .. } | Layout::AwsAzure { .. } => tunnel::aws_connections(tunnel) * 2,
            Layout::AzureGcp { .. } | Layout::GcpHost { .. } | Layout::AzureHost { .. } => tunnel::redundancy(tunnel),
            Layout::Peering { .. } => 0,
            // An AWS VPN connection has two tunnels, whatever `ha` says.
            Layout::AwsHost { .. } => 2,
            Layout::HostHost { .. } => 1,
        }
    }

    /// Where the layout's inside ranges come from.
    fn pool(&self) -> InsidePool {
        match self {
            Layout::AwsGcp { .. } => InsidePool::LinkLocal,
            Layout::AwsAzure { .. } | Layout::AzureGcp { .. } | Layout::AzureHost { .. } => InsidePool::AzureApipa,
            Layout::Peering { .. } | Layout::AwsHost { .. } | Layout::GcpHost { .. } | Layout::HostHost { .. } => {
                InsidePool::LinkLocal
            }
        }
    }
}

/// What a tunnel's ends can name, by name: a large mesh looks its networks up for every tunnel.
struct Ends<'t> {
    networks: HashMap<&'t str, &'t Network>,
    hosts: HashMap<&'t str, &'t Host>,
}

impl<'t> Ends<'t> {
    fn of(topology: &'t Topology) -> Ends<'t> {
        // Collected from the last, so that the first of a name is kept, as `Topology::network`
        // and `Topology::host` find it.
        Ends {
            networks: topology.networks.iter().rev().map(|network| (network.name.as_str(), network)).collect(),
            hosts: topology.hosts.iter().rev().map(|host| (host.name.as_str(), host)).collect(),
        }
    }
}

/// The layout of a tunnel this version can lower, or why it cannot.
fn supported_layout<'t>(ends: &Ends<'t>, tunnel: &Tunnel) -> Result<Layout<'t>, &'static str> {
    let side = |end: &End| match end {
        End::Network(name) => {
            ends.networks.get(name.as_str()).map(|n| Side::Network(n)).ok_or("its network is not lowered")
        }
        End::Host(name) => ends.hosts.get(name.as_str()).map(|h| Side::Host(h)).ok_or("its host is not lowered"),
    };
    let (a, b) = match (side(&tunnel.ends[0].value)?, side(&tunnel.ends[1].value)?) {
        (Side::Network(a), Side::Network(b)) => (a, b),
        (Side::Host(a), Side::Host(b)) => return Ok(Layout::HostHost { a, b }),
        (Side::Network(network), Side::Host(host)) | (Side::Host(host), Side::Network(network)) => {
            let layout = match network.kind {
                CloudKind::Aws => Layout::AwsHost { aws: network, host },
                CloudKind::Gcp => Layout::GcpHost { gcp: network, host },
                CloudKind::Azure => Layout::AzureHost { azure: network, host },
            };
            return azure_can_take(layout, tunnel);
        }
    };
    let layout = match (a.kind, b.kind) {
        (CloudKind::Aws, CloudKind::Gcp) => Layout::AwsGcp { aws: a, gcp: b },
        (CloudKind::Gcp, CloudKind::Aws) => Layout::AwsGcp { aws: b, gcp: a },
        (CloudKind::Aws, CloudKind::Azure) => Layout::AwsAzure { aws: a, azure: b },
        (CloudKind::Azure, CloudKind::Aws) => Layout::AwsAzure { aws: b, azure: a },
        (CloudKind::Azure, CloudKind::Gcp) => Layout::AzureGcp { azure: a, gcp: b },
        (CloudKind::Gcp, CloudKind::Azure) => Layout::AzureGcp { azure: b, gcp: a },
        _ => Layout::Peering { a, b },
    };
    // Peering is highly available by design and has no routing protocol to choose; every pair
    // with GCP routes with BGP (`validate` refuses static routing to GCP).
    azure_can_take(layout, tunnel)
}

/// `layout`, unless Azure is an end and supports none of the tunnel's IKE choices or has no
/// room for its gateway.
fn azure_can_take<'t>(layout: Layout<'t>, tunnel: &Tunnel) -> Result<Layout<'t>, &'static str> {
    if let Layout::AwsAzure { azure, .. } | Layout::AzureGcp { azure, .. } | Layout::AzureHost { azure, .. } = layout {
        azure_vpn::ipsec_policy(&tunnel.ike)?;
        azure_vpn::gateway_subnet(azure).ok_or(azure_vpn::NO_GATEWAY_SUBNET)?;
    }
    Ok(layout)
}

/// Allocates the ASNs and inside ranges the supported tunnels need.
fn allocate_for(
    topology: &Topology,
    tunnels: &[(&Tunnel, Layout<'_>)],
    live: &Live,
) -> Result<Allocations, AllocError> {
    let mut allocations = Allocations::default();
    let mut asn_requests = BTreeSet::new();
    let mut inside_requests = BTreeMap::new();
    let fixed: BTreeSet<u32> = topology
        .networks
        .iter()
        .filter_map(|n| n.asn.map(|a| a.value))
        .chain(topology.hosts.iter().filter_map(|h| h.asn.map(|a| a.value)))
        .collect();
    for (tunnel, layout) in tunnels {
        let keys = layout.asn_keys();
        for (key, fixed_asn) in &keys {
            match fixed_asn {
                Some(asn) => {
                    allocations.asns.insert(key.clone(), *asn);
                }
                // Most tunnels land on gateways other tunnels have asked for already.
                None if asn_requests.contains(key) => {}
                None => {
                    asn_requests.insert(key.clone());
                }
            }
        }
        // The tunnel's slots share one list of its gateways.
        let gateways: Rc<[String]> = keys.into_iter().map(|(key, _)| key).collect();
        for slot in 0..layout.slots(tunnel) {
            let request = InsideRequest { pool: layout.pool(), gateways: gateways.clone() };
            inside_requests.insert(slot_key(&tunnel.name, slot), request);
        }
    }
    allocations.asns.extend(allocate::asns(&asn_requests, &live.asns, &fixed)?);
    allocations.inside = allocate::inside_ranges(&inside_requests, &live.inside)?;
    allocations.gateway_subnets = live.gateway_subnets.clone();
    Ok(allocations)
}

/// A resource's attributes from `pairs`, which lowering lists in the order of their names (checked
/// in debug builds): a sorted list is taken as it is, where another would be sorted for every
/// resource of a large plan.
pub(crate) fn attrs<const N: usize>(pairs: [(&'static str, Value); N]) -> Attrs {
    debug_assert!(pairs.is_sorted_by(|a, b| a.0 < b.0), "attributes in name order: {:?}", pairs.map(|p| p.0));
    pairs.into_iter().map(|(name, value)| (Name::new(name), value)).collect()
}

/// Where the resources of `network` live: its cloud block and region.
fn scope(network: &Network) -> Scope {
    Scope { cloud: network.cloud.clone(), region: network.region.value.clone() }
}

/// The name `BEFORE` `N` `AFTER` of an attribute or output of `kind` (`tunnel1_inside_cidr`), as
/// the catalogue spells it (formatted only if it does not list it).
pub(crate) fn numbered(kind: ResourceKind, before: &str, n: usize, after: &str) -> Name {
    kind.numbered(before, n, after).unwrap_or_else(|| Name::from(format!("{before}{n}{after}")))
}

pub(crate) fn output(id: &ResourceId, name: impl Into<Name>) -> Value {
    Value::Output(Box::new(OutputRef { resource: id.clone(), output: name.into() }))
}
