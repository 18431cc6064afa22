//! Linux hosts' kinds: strongSwan connections written as swanctl configuration.

use crate::catalogue::AttrType::{Address, Bool, Cidr, Integer, List, Secret, String};
use crate::catalogue::{KindSpec, attr};
use crate::kind::{Cloud, ResourceKind as K};

pub(crate) const IPSEC_TUNNEL: KindSpec = KindSpec {
    kind: K::HostIpsecTunnel,
    name: "host_ipsec_tunnel",
    cloud: Cloud::Host,
    api: "a swanctl connection file under the host's `swanctl_dir`, loaded through VICI",
    doc: "One IPsec tunnel of a Linux host: a strongSwan connection with its key, proposals, \
          traffic selectors and, for BGP, its inside addresses. Rewritten and reloaded in place.",
    provisioning_seconds: 0,
    attrs: &[
        attr("local_address", Address, "The host's public address."),
        attr("remote_address", Address, "The peer's public address."),
        attr("local_ts", List(&Cidr), "The host's ranges (traffic selectors)."),
        attr("remote_ts", List(&Cidr), "The peer's ranges."),
        attr("psk", Secret, "The pre-shared key."),
        attr("version", Integer, "The IKE version."),
        attr("proposals", List(&String), "IKE proposals, strongSwan's syntax."),
        attr("esp_proposals", List(&String), "ESP proposals."),
        attr("rekey_time", Integer, "The IKE SA's rekeying time, in seconds."),
        attr("child_rekey_time", Integer, "The child SA's rekeying time."),
        attr("dpd_delay", Integer, "Dead peer detection's interval."),
        attr("routing", String, "`static` (policy-based) or `bgp` (route-based, with an XFRM interface)."),
        attr("encap", Bool, "UDP encapsulation forced (NAT)."),
        attr("asn", Integer, "The host's ASN (BGP)."),
        attr("inside_address", Cidr, "The host's inside address (BGP)."),
        attr("peer_inside_address", Address, "The peer's inside address (BGP)."),
        attr("peer_asn", Integer, "The peer's ASN (BGP)."),
    ],
    outputs: &[],
    billing: &[],
};
