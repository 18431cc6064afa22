//! The typed topology: what a checked configuration describes, ready for the planner.
//!
//! Every object is identified by its name (`app`, or `app[eu]` for a `for_each` instance) and
//! keeps the spans of the values the user wrote, for later diagnostics. Serializable: `isopod
//! validate --json` prints it. Secrets appear only as references to named secrets.

use crate::cidr::Cidr;
use crate::span::{Span, Spanned};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A checked configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Topology {
    /// The stack that owns every resource.
    pub stack: Stack,
    /// Cloud accounts and regions.
    pub clouds: Vec<Cloud>,
    /// Networks with their subnets.
    pub networks: Vec<Network>,
    /// Linux hosts.
    pub hosts: Vec<Host>,
    /// Every tunnel: those written as `tunnel` blocks and those that meshes expand to.
    pub tunnels: Vec<Tunnel>,
    /// The meshes as written (their tunnels are in `tunnels`).
    pub meshes: Vec<Mesh>,
    /// Private endpoints.
    pub endpoints: Vec<Endpoint>,
    /// Relays of endpoints to other networks.
    pub relays: Vec<Relay>,
}

impl Topology {
    /// The network called `name`.
    pub fn network(&self, name: &str) -> Option<&Network> {
        self.networks.iter().find(|network| network.name == name)
    }

    /// The cloud with this id (`KIND.NAME`).
    pub fn cloud(&self, id: &str) -> Option<&Cloud> {
        self.clouds.iter().find(|cloud| cloud.id == id)
    }

    /// The host called `name`.
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|host| host.name == name)
    }
}

/// The `stack` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stack {
    /// The stack's name, written into every resource's ownership tag.
    pub name: Spanned<String>,
    /// What the stack is for.
    pub description: Option<String>,
    /// Tags for every resource.
    pub tags: BTreeMap<String, String>,
    /// The user's price book, as written (relative to the configuration's folder).
    pub prices: Option<Spanned<String>>,
}

/// A cloud provider kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloudKind {
    /// Amazon Web Services.
    Aws,
    /// Microsoft Azure.
    Azure,
    /// Google Cloud.
    Gcp,
}

impl CloudKind {
    /// The kind as written in `cloud "KIND" ...`.
    pub fn as_str(self) -> &'static str {
        match self {
            CloudKind::Aws => "aws",
            CloudKind::Azure => "azure",
            CloudKind::Gcp => "gcp",
        }
    }

    /// The kind written `text`.
    pub fn parse(text: &str) -> Option<CloudKind> {
        match text {
            "aws" => Some(CloudKind::Aws),
            "azure" => Some(CloudKind::Azure),
            "gcp" => Some(CloudKind::Gcp),
            _ => None,
        }
    }
}

/// A `cloud` block: one account (subscription, project) and region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cloud {
    /// `KIND.NAME`, e.g. `aws.prod`.
    pub id: String,
    /// Which cloud.
    pub kind: CloudKind,
    /// The default region of its networks.
    pub region: Spanned<String>,
    /// The account settings particular to the kind.
    pub account: CloudAccount,
    /// An API URL override.
    pub endpoint: Option<String>,
    /// Tags for every resource in this cloud.
    pub tags: BTreeMap<String, String>,
    /// The block's header.
    pub span: Span,
}

/// How to reach one account of a cloud.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum CloudAccount {
    /// AWS.
    Aws {
        /// The expected account id.
        account: Option<String>,
        /// The credentials profile.
        profile: Option<String>,
        /// A role to assume.
        role_arn: Option<String>,
    },
    /// Azure.
    Azure {
        /// The subscription id.
        subscription: String,
        /// The resource group (default `isopod-STACK`).
        resource_group: Option<String>,
        /// The tenant.
        tenant: Option<String>,
    },
    /// GCP.
    Gcp {
        /// The project id.
        project: String,
        /// A service account to impersonate with the credentials found.
        impersonate_service_account: Option<String>,
    },
}

/// A `network` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Network {
    /// The network's name.
    pub name: String,
    /// The id of its cloud.
    pub cloud: String,
    /// The kind of its cloud.
    pub kind: CloudKind,
    /// Its region.
    pub region: Spanned<String>,
    /// Its address range.
    pub cidr: Spanned<Cidr>,
    /// Its gateway's BGP ASN, if set.
    pub asn: Option<Spanned<u32>>,
    /// AWS only: whether its VPN connections attach to a transit gateway (`Some(true)`), to a
    /// virtual private gateway (`Some(false)`), or, unset, to a transit gateway only when a
    /// virtual private gateway would take too many.
    pub transit_gateway: Option<Spanned<bool>>,
    /// The existing network it describes (an AWS VPC id, a GCP network name, an Azure virtual
    /// network's ARM id), which Isopod uses and never changes.
    pub existing: Option<Spanned<String>>,
    /// Its subnets.
    pub subnets: Vec<Subnet>,
    /// Its flow logs, when the configuration asks for them.
    pub flow_logs: Option<FlowLogs>,
    /// Extra tags.
    pub tags: BTreeMap<String, String>,
    /// The block's header.
    pub span: Span,
}

/// A `flow_logs` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowLogs {
    /// AWS: the S3 bucket's ARN, with an optional prefix.
    pub destination: Option<Spanned<String>>,
    /// Seconds each record aggregates, as written.
    pub interval: Option<Spanned<i64>>,
    /// GCP: the share of flows logged, as written.
    pub sampling: Option<Spanned<f64>>,
    /// The block's header.
    pub span: Span,
}

impl FlowLogs {
    /// The aggregation interval on `kind`: as written, else the cloud's default (AWS 600 s,
    /// GCP 5 s).
    pub fn interval_seconds(&self, kind: CloudKind) -> i64 {
        self.interval.as_ref().map_or(if kind == CloudKind::Aws { 600 } else { 5 }, |i| i.value)
    }

    /// GCP's sampling: as written, else GCP's default 0.5.
    pub fn sampling_rate(&self) -> f64 {
        self.sampling.as_ref().map_or(0.5, |s| s.value)
    }
}

/// A `subnet` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Subnet {
    /// The subnet's name.
    pub name: String,
    /// Its range.
    pub cidr: Spanned<Cidr>,
    /// Its zone, if set.
    pub zone: Option<Spanned<String>>,
    /// Extra tags.
    pub tags: BTreeMap<String, String>,
    /// The block's header.
    pub span: Span,
}

/// A `host` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Host {
    /// The host's name.
    pub name: String,
    /// Its public address.
    pub address: Spanned<IpAddr>,
    /// The site ranges behind it.
    pub cidrs: Vec<Spanned<Cidr>>,
    /// Its BGP ASN, if set.
    pub asn: Option<Spanned<u32>>,
    /// How Isopod configures it.
    pub connection: Connection,
    /// Its strongSwan.
    pub strongswan: StrongSwan,
    /// The block's header.
    pub span: Span,
}

/// A host's strongSwan: where its configuration lives and how to reach its daemon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrongSwan {
    /// The folder of `swanctl.conf`.
    pub swanctl_dir: String,
    /// The URI of charon's VICI socket.
    pub vici_socket: String,
    /// Whether ESP is always encapsulated in UDP.
    pub encap: bool,
}

/// How Isopod reaches a host.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Connection {
    /// Over SSH.
    Ssh {
        /// Where to connect (default: the host's address).
        host: Option<String>,
        /// The login user.
        user: Option<String>,
        /// The port.
        port: Option<u16>,
        /// A private key file.
        identity_file: Option<String>,
    },
    /// Isopod runs on the host itself.
    Local,
}

/// One end of a tunnel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum End {
    /// A network, by name.
    Network(String),
    /// A host, by name.
    Host(String),
}

impl End {
    /// The end's name.
    pub fn name(&self) -> &str {
        match self {
            End::Network(name) | End::Host(name) => name,
        }
    }

    /// How a reference to the end is written.
    pub fn address(&self) -> String {
        match self {
            End::Network(name) => format!("network.{name}"),
            End::Host(name) => format!("host.{name}"),
        }
    }
}

/// How a tunnel exchanges routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Routing {
    /// BGP sessions over the tunnels.
    Bgp,
    /// Static routes to the peer's ranges.
    Static,
}

/// IKE and IPsec settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ike {
    /// 1 or 2.
    pub version: u8,
    /// Encryption algorithms, preferred first.
    pub encryption: Vec<String>,
    /// Integrity algorithms, preferred first.
    pub integrity: Vec<String>,
    /// Diffie-Hellman groups, preferred first.
    pub dh_groups: Vec<u32>,
    /// Phase 1 lifetime in seconds.
    pub lifetime: u32,
    /// Phase 2 lifetime in seconds.
    pub child_lifetime: u32,
    /// Dead peer detection timeout in seconds.
    pub dpd_timeout: u32,
}

/// A tunnel between two ends.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tunnel {
    /// `NAME` for a `tunnel` block; `MESH/A~B` for a tunnel of a mesh.
    pub name: String,
    /// The two ends.
    pub ends: [Spanned<End>; 2],
    /// Route exchange.
    pub routing: Routing,
    /// Whether to use the highly available layout.
    pub ha: bool,
    /// The pre-shared key's secret name; generated when `None`.
    pub psk: Option<Spanned<String>>,
    /// IKE settings.
    pub ike: Ike,
    /// The mesh this tunnel comes from, if any.
    pub mesh: Option<String>,
    /// The block's header.
    pub span: Span,
}

/// A `mesh` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mesh {
    /// The mesh's name.
    pub name: String,
    /// Its members.
    pub members: Vec<Spanned<End>>,
    /// The block's header.
    pub span: Span,
}

/// An `endpoint` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Endpoint {
    /// The endpoint's name.
    pub name: String,
    /// The network it is created in.
    pub network: Spanned<String>,
    /// The service it connects to.
    pub service: Spanned<String>,
    /// The subnets to place it in (all when empty).
    pub subnets: Vec<Spanned<String>>,
    /// Whether the service's name resolves privately.
    pub private_dns: bool,
    /// The name clients use for the service, as written (see [`Endpoint::service_dns_name`]).
    pub dns_name: Option<Spanned<String>>,
    /// The block's header.
    pub span: Span,
}

impl Endpoint {
    /// The name clients use for the service: `dns_name` when set, else, for an AWS service
    /// (`com.amazonaws.REGION.SERVICE`), its regional name `SERVICE.REGION.amazonaws.com`.
    /// Endpoint services of other providers and Azure and GCP services have no name Isopod can
    /// tell.
    pub fn service_dns_name(&self) -> Option<String> {
        if let Some(name) = &self.dns_name {
            return Some(name.value.trim_end_matches('.').to_string());
        }
        let rest = self.service.value.strip_prefix("com.amazonaws.")?;
        let (region, service) = rest.split_once('.')?;
        (region != "vpce" && !service.is_empty()).then(|| format!("{service}.{region}.amazonaws.com"))
    }
}

/// A `relay` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Relay {
    /// The relay's name.
    pub name: String,
    /// The endpoint it extends.
    pub endpoint: Spanned<String>,
    /// The consumer networks.
    pub to: Vec<Spanned<String>>,
    /// Whether to publish private DNS in the consumers.
    pub private_dns: bool,
    /// The block's header.
    pub span: Span,
}

/// An Azure resource's ARM id,
/// `/subscriptions/SUB/resourceGroups/GROUP/providers/NAMESPACE/TYPE/NAME`, by its parts (ARM's
/// segment names are case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArmResource<'a> {
    /// The subscription's id.
    pub subscription: &'a str,
    /// The resource group it is in.
    pub resource_group: &'a str,
    /// Its name.
    pub name: &'a str,
}

impl<'a> ArmResource<'a> {
    /// The parts of `id`; `None` when it is not the ARM id of a resource of type `namespace/kind`
    /// (`Microsoft.Network/virtualNetworks`).
    pub fn parse(id: &'a str, namespace: &str, kind: &str) -> Option<ArmResource<'a>> {
        let segments: Vec<&str> = id.strip_prefix('/')?.split('/').collect();
        let [subscriptions, subscription, groups, resource_group, providers, namespace_given, kind_given, name] =
            segments[..]
        else {
            return None;
        };
        let fixed = [
            (subscriptions, "subscriptions"),
            (groups, "resourceGroups"),
            (providers, "providers"),
            (namespace_given, namespace),
            (kind_given, kind),
        ];
        let parts_named = [subscription, resource_group, name].iter().all(|part| !part.is_empty());
        (parts_named && fixed.iter().all(|(segment, wanted)| segment.eq_ignore_ascii_case(wanted)))
            .then_some(ArmResource { subscription, resource_group, name })
    }

    /// The parts of `id`; `None` when it is not a virtual network's ARM id.
    pub fn virtual_network(id: &'a str) -> Option<ArmResource<'a>> {
        ArmResource::parse(id, "Microsoft.Network", "virtualNetworks")
    }

    /// The parts of `id`; `None` when it is not a storage account's ARM id (whose name is 3 to
    /// 24 lower-case letters and digits).
    pub fn storage_account(id: &'a str) -> Option<ArmResource<'a>> {
        ArmResource::parse(id, "Microsoft.Storage", "storageAccounts").filter(|account| {
            (3..=24).contains(&account.name.len())
                && account.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    }
}
