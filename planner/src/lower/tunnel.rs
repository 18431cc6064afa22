//! Tunnels, laid out the way both clouds of a pair document for high availability with BGP.
//!
//! - AWS-GCP (GCP "HA VPN to AWS", 99.99% SLA): GCP's HA VPN gateway (two interfaces) and Cloud
//!   Router per network, and per tunnel an external VPN gateway with AWS's four outside
//!   addresses (`FOUR_IPS_REDUNDANCY`), four tunnels (HA interface 0 to AWS tunnels 0 and 1,
//!   interface 1 to 2 and 3) and four BGP peers; AWS's VPN gateway per VPC, and per tunnel two
//!   customer gateways (one per GCP interface) and two VPN connections.
//!
//! - AWS-Azure: see [`aws_azure`]; Azure-GCP: see [`azure_gcp`].
//!
//! Each side refers to the other's outputs (AWS's outside addresses exist once its connections
//! do, GCP's interface addresses once its gateway does), which plans show as
//! `(known after apply)` and the executor passes on.

use super::additions::Additions;
use super::aws_vpn::AwsGateway;
use super::azure_vpn::AzureGateway;
use super::gcp_vpn::GcpGateway;
use super::host_ipsec::{self, HostTunnel};
use super::{Desired, Layout, aws_vpn, azure_vpn, gcp_vpn, output};
use crate::allocate::{Allocations, host_key};
use isopod_catalog::{ResourceKind, Value};
use isopod_lang::Topology;
use isopod_lang::topology::{Host, Network, Routing, Tunnel};
use rustc_hash::FxHashMap as HashMap;

/// What the tunnels of one lowering share: the allocations, and each network's VPN gateway,
/// made (its resources added) before the tunnels, once, where a large mesh would make each
/// gateway again for every one of its tunnels; the tunnels then only read it.
pub(super) struct Shared<'a> {
    /// The ASNs and inside ranges.
    pub alloc: &'a Allocations,
    aws: HashMap<String, AwsGateway>,
    gcp: HashMap<String, GcpGateway>,
    /// An Azure network's gateway, or why it cannot have one.
    azure: HashMap<String, Result<AzureGateway, &'static str>>,
}

impl<'a> Shared<'a> {
    /// Nothing made yet.
    pub fn new(alloc: &'a Allocations) -> Shared<'a> {
        Shared { alloc, aws: HashMap::default(), gcp: HashMap::default(), azure: HashMap::default() }
    }

    /// Makes the gateways a tunnel of `layout` uses that are not made yet, adding their
    /// resources to `desired`, in the order its lowering uses them: none after an Azure side
    /// that cannot have one.
    pub fn make_gateways(&mut self, topology: &Topology, tunnel: &Tunnel, layout: &Layout<'_>, desired: &mut Desired) {
        match *layout {
            Layout::AwsGcp { aws, gcp } => {
                self.make_gcp(topology, gcp, desired);
                self.make_aws(topology, aws, desired);
            }
            Layout::AwsHost { aws, .. } => self.make_aws(topology, aws, desired),
            Layout::GcpHost { gcp, .. } => self.make_gcp(topology, gcp, desired),
            Layout::AwsAzure { aws, azure } => {
                if self.make_azure(topology, tunnel, azure, desired) {
                    self.make_aws(topology, aws, desired);
                }
            }
            Layout::AzureGcp { azure, gcp } => {
                if self.make_azure(topology, tunnel, azure, desired) {
                    self.make_gcp(topology, gcp, desired);
                }
            }
            Layout::AzureHost { azure, .. } => {
                self.make_azure(topology, tunnel, azure, desired);
            }
            Layout::HostHost { .. } | Layout::Peering { .. } => {}
        }
    }

    fn make_aws(&mut self, topology: &Topology, aws: &Network, desired: &mut Desired) {
        let alloc = self.alloc;
        made_once(&mut self.aws, &aws.name, || aws_vpn::gateway(topology, aws, alloc, desired));
    }

    fn make_gcp(&mut self, topology: &Topology, gcp: &Network, desired: &mut Desired) {
        let alloc = self.alloc;
        made_once(&mut self.gcp, &gcp.name, || gcp_vpn::gateway(topology, gcp, alloc, desired));
    }

    /// Makes the gateway of Azure network `azure` for `tunnel` unless it is made or known not
    /// to be possible; whether it is made.
    fn make_azure(&mut self, topology: &Topology, tunnel: &Tunnel, azure: &Network, desired: &mut Desired) -> bool {
        if azure_vpn::ipsec_policy(&tunnel.ike).is_err() {
            return false;
        }
        let alloc = self.alloc;
        made_once(&mut self.azure, &azure.name, || azure_vpn::gateway(topology, azure, alloc, desired)).is_ok()
    }

    /// The VPN gateway of AWS network `aws`.
    fn aws(&self, aws: &Network) -> &AwsGateway {
        self.aws.get(&aws.name).expect("gateways are made before their tunnels")
    }

    /// The HA VPN gateway and Cloud Router of GCP network `gcp`.
    fn gcp(&self, gcp: &Network) -> &GcpGateway {
        self.gcp.get(&gcp.name).expect("gateways are made before their tunnels")
    }

    /// The virtual network gateway of Azure network `azure`, or why it cannot have one.
    fn azure(&self, azure: &Network) -> Result<&AzureGateway, &'static str> {
        self.azure.get(&azure.name).expect("gateways are made before their tunnels").as_ref().map_err(|why| *why)
    }
}

/// The gateway of network `network` in `made`, made by `make` if it is not there yet.
fn made_once<'m, G>(made: &'m mut HashMap<String, G>, network: &str, make: impl FnOnce() -> G) -> &'m G {
    if !made.contains_key(network) {
        made.insert(network.to_string(), make());
    }
    &made[network]
}

/// How many instances each side of a tunnel between clouds uses: two for the highly available
/// layouts (GCP's two HA VPN interfaces, Azure's two active-active instances), one without `ha`.
pub(crate) fn redundancy(tunnel: &Tunnel) -> usize {
    if tunnel.ha { 2 } else { 1 }
}

/// How many AWS VPN connections (of two tunnels each) a tunnel to AWS from another cloud takes:
/// one per instance of the other side.
pub(crate) fn aws_connections(tunnel: &Tunnel) -> usize {
    redundancy(tunnel)
}

/// The secret-store name of the pre-shared key of one tunnel slot.
/// The tunnel's own `psk` secret when it names one (shared by all its slots), else the key
/// Isopod generates per slot.
pub(super) fn psk_name(tunnel: &Tunnel, slot: usize) -> String {
    match &tunnel.psk {
        Some(named) => named.value.clone(),
        None => format!("tunnel/{}/{slot}", tunnel.name),
    }
}

pub(super) fn aws_gcp(
    tunnel: &Tunnel,
    object: &str,
    aws: &Network,
    gcp: &Network,
    shared: &Shared<'_>,
    out: &mut Additions<'_>,
) {
    let inside = shared.alloc.tunnel_inside(&tunnel.name);
    let gcp_gateway = shared.gcp(gcp);
    let aws_gateway = shared.aws(aws);
    aws_vpn::routes_to(aws_gateway, &[gcp.cidr.value.to_string()], object, out);
    let gcp_interfaces = (0..aws_connections(tunnel)).map(|n| aws_vpn::Peer {
        address: output(&gcp_gateway.ha, super::numbered(ResourceKind::GcpHaVpnGateway, "interface", n, "_ip")),
        asn: gcp_gateway.asn,
        static_routes: None,
    });
    let connections = aws_vpn::connections(
        aws_gateway,
        tunnel,
        object,
        gcp_interfaces.collect(),
        |slot| inside[slot].to_string(),
        out,
    );
    let slots = aws_connections(tunnel) * 2;
    // GCP tunnel n to AWS's outside address n; HA interface 0 serves AWS connection 0.
    let addresses = (0..slots).map(|slot| aws_vpn::outside_address(&connections, slot)).collect();
    // AWS takes the first address of each inside /30, the customer side (GCP) the second.
    let peers: Vec<gcp_vpn::PeerTunnel> = (0..slots)
        .map(|slot| gcp_vpn::PeerTunnel {
            ha_interface: (slot / 2) as i64,
            peer_interface: slot as i64,
            gcp_address: inside[slot].host(2).expect("a /30 has two hosts"),
            peer_address: inside[slot].host(1).expect("a /30 has two hosts"),
        })
        .collect();
    gcp_vpn::tunnels(gcp_gateway, tunnel, object, addresses, aws_gateway.asn, &peers, out);
}

/// Azure-GCP (Google's "HA VPN to Azure"): GCP's HA gateway with an external gateway of Azure's
/// two public addresses (`TWO_IPS_REDUNDANCY`), two tunnels (HA interface n to Azure instance
/// n) and two BGP peers; Azure's active-active gateway with two local network gateways and two
/// connections. Inside ranges come from Azure's APIPA range, which both accept; Azure takes the
/// first address of each, GCP the second.
pub(super) fn azure_gcp(
    tunnel: &Tunnel,
    object: &str,
    azure: &Network,
    gcp: &Network,
    shared: &Shared<'_>,
    out: &mut Additions<'_>,
) -> Result<(), &'static str> {
    let inside = shared.alloc.tunnel_inside(&tunnel.name);
    let policy = azure_vpn::ipsec_policy(&tunnel.ike)?;
    let azure_gateway = shared.azure(azure)?;
    let gcp_gateway = shared.gcp(gcp);
    let slots = redundancy(tunnel);
    let azure_addresses = azure_gateway.public_ips[..slots].iter().map(|ip| output(ip, "ip_address")).collect();
    let gcp_peers: Vec<gcp_vpn::PeerTunnel> = (0..slots)
        .map(|slot| gcp_vpn::PeerTunnel {
            ha_interface: slot as i64,
            peer_interface: slot as i64,
            gcp_address: inside[slot].host(2).expect("a /30 has two hosts"),
            peer_address: inside[slot].host(1).expect("a /30 has two hosts"),
        })
        .collect();
    gcp_vpn::tunnels(gcp_gateway, tunnel, object, azure_addresses, azure_gateway.asn, &gcp_peers, out);
    let azure_peers: Vec<azure_vpn::PeerTunnel> = (0..slots)
        .map(|slot| azure_vpn::PeerTunnel {
            address: output(&gcp_gateway.ha, super::numbered(ResourceKind::GcpHaVpnGateway, "interface", slot, "_ip")),
            bgp: Some(azure_vpn::Bgp {
                address: inside[slot].host(2).expect("a /30 has two hosts"),
                azure_address: inside[slot].host(1).expect("a /30 has two hosts"),
                asn: gcp_gateway.asn,
            }),
            instance: slot,
        })
        .collect();
    azure_vpn::connections(azure_gateway, tunnel, object, &[], &policy, &azure_peers, out);
    Ok(())
}

/// AWS-Azure (Microsoft's "connect to AWS with BGP", highly available): Azure's active-active
/// gateway with its two public addresses, four local network gateways and four connections with
/// custom APIPA BGP addresses; AWS's VPN gateway, two customer gateways (one per Azure instance)
/// and two VPN connections. Inside ranges come from Azure's APIPA range; AWS takes the first
/// address of each, Azure the second.
pub(super) fn aws_azure(
    tunnel: &Tunnel,
    object: &str,
    aws: &Network,
    azure: &Network,
    shared: &Shared<'_>,
    out: &mut Additions<'_>,
) -> Result<(), &'static str> {
    let inside = shared.alloc.tunnel_inside(&tunnel.name);
    let policy = azure_vpn::ipsec_policy(&tunnel.ike)?;
    let azure_gateway = shared.azure(azure)?;
    let aws_gateway = shared.aws(aws);
    aws_vpn::routes_to(aws_gateway, &[azure.cidr.value.to_string()], object, out);
    let instances = aws_connections(tunnel);
    let bgp = tunnel.routing == Routing::Bgp;
    let azure_instances = azure_gateway.public_ips[..instances].iter().map(|ip| aws_vpn::Peer {
        address: output(ip, "ip_address"),
        asn: azure_gateway.asn,
        static_routes: (!bgp).then(|| vec![azure.cidr.value.to_string()]),
    });
    let connections = aws_vpn::connections(
        aws_gateway,
        tunnel,
        object,
        azure_instances.collect(),
        |slot| inside[slot].to_string(),
        out,
    );
    let peers: Vec<azure_vpn::PeerTunnel> = (0..instances * 2)
        .map(|slot| azure_vpn::PeerTunnel {
            address: aws_vpn::outside_address(&connections, slot),
            bgp: bgp.then(|| azure_vpn::Bgp {
                address: inside[slot].host(1).expect("a /30 has two hosts"),
                azure_address: inside[slot].host(2).expect("a /30 has two hosts"),
                asn: aws_gateway.asn,
            }),
            instance: slot / 2,
        })
        .collect();
    let aws_ranges = if bgp { Vec::new() } else { vec![aws.cidr.value.to_string()] };
    azure_vpn::connections(azure_gateway, tunnel, object, &aws_ranges, &policy, &peers, out);
    Ok(())
}

fn cidrs(host: &Host) -> Vec<String> {
    host.cidrs.iter().map(|c| c.value.to_string()).collect()
}

/// AWS-host: the VPC's gateway, one customer gateway (the host's address) and one VPN
/// connection, whose two tunnels both end on the host (AWS's own redundancy), with BGP or
/// static routes; on the host, one strongSwan connection per AWS tunnel.
pub(super) fn aws_host(
    tunnel: &Tunnel,
    object: &str,
    aws: &Network,
    host: &Host,
    shared: &Shared<'_>,
    out: &mut Additions<'_>,
) {
    let inside = shared.alloc.tunnel_inside(&tunnel.name);
    let gateway = shared.aws(aws);
    aws_vpn::routes_to(gateway, &cidrs(host), object, out);
    let host_asn = shared.alloc.asn(&host_key(&host.name));
    let bgp = tunnel.routing == Routing::Bgp;
    let peer = aws_vpn::Peer {
        address: Value::string(host.address.value.to_string()),
        asn: host_asn,
        static_routes: (!bgp).then(|| cidrs(host)),
    };
    let connection = aws_vpn::connection(gateway, tunnel, object, 0, peer, &|slot| inside[slot].to_string(), out);
    let slots = (0..2)
        .map(|slot| HostTunnel {
            remote_address: output(
                &connection,
                super::numbered(ResourceKind::AwsVpnConnection, "tunnel", slot + 1, "_address"),
            ),
            remote_ts: vec![aws.cidr.value.to_string()],
            // AWS takes the first address of each inside /30, the customer side the second.
            bgp: bgp.then(|| (host_address(inside[slot], 2), host_address(inside[slot], 1), gateway.asn)),
            key_slot: slot,
        })
        .collect();
    host_ipsec::tunnels(host, Some(host_asn), tunnel, object, slots, out);
}

/// GCP-host (BGP only): the network's HA gateway and router, an external gateway with the
/// host's single address, one tunnel from each HA interface to it and their BGP peers; on the
/// host, one strongSwan connection per GCP interface.
pub(super) fn gcp_host(
    tunnel: &Tunnel,
    object: &str,
    gcp: &Network,
    host: &Host,
    shared: &Shared<'_>,
    out: &mut Additions<'_>,
) {
    let inside = shared.alloc.tunnel_inside(&tunnel.name);
    let gateway = shared.gcp(gcp);
    let host_asn = shared.alloc.asn(&host_key(&host.name));
    let slots = redundancy(tunnel);
    let gcp_peers: Vec<gcp_vpn::PeerTunnel> = (0..slots)
        .map(|slot| gcp_vpn::PeerTunnel {
            ha_interface: slot as i64,
            peer_interface: 0,
            gcp_address: host_address(inside[slot], 1),
            peer_address: host_address(inside[slot], 2),
        })
        .collect();
    let addresses = vec![Value::string(host.address.value.to_string())];
    gcp_vpn::tunnels(gateway, tunnel, object, addresses, host_asn, &gcp_peers, out);
    let slots = (0..slots)
        .map(|slot| HostTunnel {
            remote_address: output(
                &gateway.ha,
                super::numbered(ResourceKind::GcpHaVpnGateway, "interface", slot, "_ip"),
            ),
            remote_ts: vec![gcp.cidr.value.to_string()],
            bgp: Some((host_address(inside[slot], 2), host_address(inside[slot], 1), gateway.asn)),
            key_slot: slot,
        })
        .collect();
    host_ipsec::tunnels(host, Some(host_asn), tunnel, object, slots, out);
}

/// Azure-host (Microsoft's active-active gateway with a single on-premises device): one local
/// network gateway, the host's address, and one connection, over which each instance of Azure's
/// gateway opens a tunnel to the host; on the host, one strongSwan connection per instance used
/// (both with `ha`, the first without), all with the connection's one key. With BGP the host
/// peers from one address (the second of slot 0's /30, the local network gateway's BGP address)
/// with Azure's custom APIPA address on each instance (the first of that instance's slot).
pub(super) fn azure_host(
    tunnel: &Tunnel,
    object: &str,
    azure: &Network,
    host: &Host,
    shared: &Shared<'_>,
    out: &mut Additions<'_>,
) -> Result<(), &'static str> {
    let inside = shared.alloc.tunnel_inside(&tunnel.name);
    let policy = azure_vpn::ipsec_policy(&tunnel.ike)?;
    let gateway = shared.azure(azure)?;
    let host_asn = shared.alloc.asn(&host_key(&host.name));
    let instances = redundancy(tunnel);
    let bgp = tunnel.routing == Routing::Bgp;
    let host_bgp = host_address(inside[0], 2);
    let azure_bgp = |instance: usize| host_address(inside[instance], 1);
    let ranges = cidrs(host);
    let peer = azure_vpn::Peer {
        slot: 0,
        address: Value::string(host.address.value.to_string()),
        bgp: bgp.then(|| azure_vpn::PeerBgp {
            address: host_bgp,
            asn: host_asn,
            azure_addresses: (0..instances).map(|instance| (instance, azure_bgp(instance))).collect(),
        }),
        ranges: &ranges,
    };
    azure_vpn::connection(gateway, tunnel, object, &policy, peer, out);
    let slots = (0..instances)
        .map(|instance| HostTunnel {
            remote_address: output(&gateway.public_ips[instance], "ip_address"),
            remote_ts: vec![azure.cidr.value.to_string()],
            bgp: bgp.then(|| (host_bgp, azure_bgp(instance), gateway.asn)),
            key_slot: 0,
        })
        .collect();
    host_ipsec::tunnels(host, Some(host_asn), tunnel, object, slots, out);
    Ok(())
}

/// Host-host: one strongSwan connection on each host, toward the other's address.
pub(super) fn host_host(
    tunnel: &Tunnel,
    object: &str,
    a: &Host,
    b: &Host,
    alloc: &Allocations,
    out: &mut Additions<'_>,
) {
    let inside = alloc.tunnel_inside(&tunnel.name)[0];
    let bgp = tunnel.routing == Routing::Bgp;
    let (asn_a, asn_b) = (alloc.asn(&host_key(&a.name)), alloc.asn(&host_key(&b.name)));
    for (local, remote, local_host, remote_host, remote_asn, local_asn) in
        [(a, b, 1, 2, asn_b, asn_a), (b, a, 2, 1, asn_a, asn_b)]
    {
        let slot = HostTunnel {
            remote_address: Value::string(remote.address.value.to_string()),
            remote_ts: cidrs(remote),
            bgp: bgp.then(|| (host_address(inside, local_host), host_address(inside, remote_host), remote_asn)),
            key_slot: 0,
        };
        host_ipsec::tunnels(local, Some(local_asn), tunnel, object, vec![slot], out);
    }
}

fn host_address(inside: crate::Cidr, n: i128) -> std::net::IpAddr {
    inside.host(n).expect("a /30 has two hosts")
}
