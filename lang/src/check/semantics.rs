//! Checks across objects: address plans, regions and zones, and what tunnels, meshes, endpoints
//! and relays connect.

use super::read::quoted;
use crate::catalog;
use crate::cidr::Cidr;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Spanned;
use crate::suggest::did_you_mean;
use crate::topology::*;
use std::collections::HashMap;

/// Runs every cross-object check on a lowered topology.
pub(crate) fn check(topology: &Topology, diagnostics: &mut Vec<Diagnostic>) {
    let mut ctx = Ctx {
        topology,
        diagnostics,
        ranges: HashMap::new(),
        networks: topology.networks.iter().map(|n| (n.name.as_str(), n)).collect(),
        hosts: topology.hosts.iter().map(|h| (h.name.as_str(), h)).collect(),
        endpoints: topology.endpoints.iter().map(|e| (e.name.as_str(), e)).collect(),
    };
    for cloud in &topology.clouds {
        ctx.region(cloud.kind, &cloud.region);
    }
    for network in &topology.networks {
        ctx.network(network);
    }
    for host in &topology.hosts {
        if host.cidrs.is_empty() {
            ctx.diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                host.span,
                "a host needs at least one CIDR in `cidrs`",
            ));
        }
        ctx.ranges.insert(End::Host(host.name.clone()), host.cidrs.clone());
    }
    ctx.tunnels();
    for endpoint in &topology.endpoints {
        ctx.endpoint(endpoint);
    }
    for relay in &topology.relays {
        ctx.relay(relay);
    }
}

struct Ctx<'a> {
    topology: &'a Topology,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// The address ranges of every network and host, by end.
    ranges: HashMap<End, Vec<Spanned<Cidr>>>,
    networks: HashMap<&'a str, &'a Network>,
    hosts: HashMap<&'a str, &'a Host>,
    endpoints: HashMap<&'a str, &'a Endpoint>,
}

/// Ranges no cloud network may use.
const RESERVED: &[(&str, &str)] = &[
    ("0.0.0.0/8", "the \"this network\" range"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local, used for tunnel inside addresses and cloud metadata"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved for future use"),
];

impl<'a> Ctx<'a> {
    fn region(&mut self, kind: CloudKind, region: &Spanned<String>) -> bool {
        if catalog::has_region(kind, &region.value) {
            return true;
        }
        let regions = catalog::regions(kind);
        let label = format!("`{}` is not {} region", region.value, with_article(kind));
        let help = did_you_mean(&region.value, regions.iter().copied());
        self.diagnostics.push(Diagnostic::error(Code::UnknownRegion, region.span, label).with_optional_help(help));
        false
    }

    /// `existing` names what the cloud calls its network: an AWS VPC id, a GCP network's name in
    /// the cloud block's project, an Azure virtual network's ARM id.
    fn existing(&mut self, kind: CloudKind, existing: &Spanned<String>) {
        let problem = match kind {
            CloudKind::Azure if ArmResource::virtual_network(&existing.value).is_none() => Some((
                Code::InvalidValue,
                format!("`{}` is not an Azure virtual network's id", existing.value),
                "give the virtual network's ARM id, as `isopod discover` writes it and `az network vnet show \
                 --query id` prints it: /subscriptions/SUB/resourceGroups/GROUP/providers/Microsoft.Network/\
                 virtualNetworks/NAME",
            )),
            CloudKind::Gcp if !is_gcp_name(&existing.value) => Some((
                Code::InvalidValue,
                format!("`{}` is not a GCP network name", existing.value),
                "name a network of the cloud block's project as GCP lists it: 1-63 lower-case letters, \
                 digits and dashes, starting with a letter (`shared-vpc`, not `projects/P/global/networks/shared-vpc`)",
            )),
            CloudKind::Aws if !existing.value.starts_with("vpc-") => Some((
                Code::InvalidValue,
                format!("`{}` is not an AWS VPC id", existing.value),
                "give the VPC's id, `vpc-` followed by hexadecimal digits, as `isopod discover` writes it",
            )),
            _ => None,
        };
        if let Some((code, label, help)) = problem {
            self.diagnostics.push(Diagnostic::error(code, existing.span, label).with_help(help));
        }
    }

    /// What each cloud takes of a `flow_logs` block: AWS an S3 bucket's ARN and 60 or 600
    /// seconds; GCP no destination (Cloud Logging), its six intervals and a sampling rate; Azure a
    /// storage account's id and nothing else.
    fn flow_logs(&mut self, kind: CloudKind, logs: &FlowLogs) {
        let mut problems: Vec<Diagnostic> = Vec::new();
        match kind {
            CloudKind::Aws => {
                match &logs.destination {
                    None => problems.push(
                        Diagnostic::error(Code::MissingAttribute, logs.span, "AWS flow logs need a `destination`")
                            .with_help(
                                "name the S3 bucket they are delivered to: destination = \"arn:aws:s3:::BUCKET\"",
                            ),
                    ),
                    Some(destination) if !is_s3_arn(&destination.value) => problems.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            destination.span,
                            format!("`{}` is not an S3 bucket's ARN", destination.value),
                        )
                        .with_help("write arn:aws:s3:::BUCKET, or arn:aws:s3:::BUCKET/PREFIX for a folder of it"),
                    ),
                    Some(_) => {}
                }
                if let Some(interval) = logs.interval.as_ref().filter(|i| ![60, 600].contains(&i.value)) {
                    let label = format!("AWS aggregates flows over 60 or 600 seconds, not {}", interval.value);
                    problems
                        .push(Diagnostic::error(Code::InvalidValue, interval.span, label).with_help("write 60 or 600"));
                }
                if let Some(sampling) = &logs.sampling {
                    let label = "AWS logs every flow: `sampling` is a GCP setting";
                    problems.push(
                        Diagnostic::error(Code::UnsupportedCombination, sampling.span, label)
                            .with_help("remove `sampling`"),
                    );
                }
            }
            CloudKind::Gcp => {
                if let Some(destination) = &logs.destination {
                    let label = "GCP delivers flow logs to Cloud Logging: it takes no `destination`";
                    problems.push(
                        Diagnostic::error(Code::UnsupportedCombination, destination.span, label).with_help(
                            "remove `destination`; route the logs to Cloud Storage with a log sink to read them with `isopod cost`",
                        ),
                    );
                }
                const GCP_INTERVALS: [i64; 6] = [5, 30, 60, 300, 600, 900];
                if let Some(interval) = logs.interval.as_ref().filter(|i| !GCP_INTERVALS.contains(&i.value)) {
                    let label =
                        format!("GCP aggregates flows over 5, 30, 60, 300, 600 or 900 seconds, not {}", interval.value);
                    problems.push(Diagnostic::error(Code::InvalidValue, interval.span, label));
                }
                if let Some(sampling) = logs.sampling.as_ref().filter(|s| !(s.value > 0.0 && s.value <= 1.0)) {
                    let label = format!("a sampling rate is above 0 and at most 1, not {}", sampling.value);
                    problems.push(
                        Diagnostic::error(Code::InvalidValue, sampling.span, label)
                            .with_help("0.5 logs half of the flows, 1 all of them"),
                    );
                }
            }
            CloudKind::Azure => {
                match &logs.destination {
                    None => problems.push(
                        Diagnostic::error(Code::MissingAttribute, logs.span, "Azure flow logs need a `destination`")
                            .with_help(
                                "name the storage account they are written to: destination = \"/subscriptions/SUB/resourceGroups/GROUP/providers/Microsoft.Storage/storageAccounts/NAME\"",
                            ),
                    ),
                    Some(destination) if ArmResource::storage_account(&destination.value).is_none() => problems.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            destination.span,
                            format!("`{}` is not a storage account's id", destination.value),
                        )
                        .with_help("write /subscriptions/SUB/resourceGroups/GROUP/providers/Microsoft.Storage/storageAccounts/NAME, the account in the network's region"),
                    ),
                    Some(_) => {}
                }
                let settings = [
                    logs.interval.as_ref().map(|i| (i.span, "`interval`")),
                    logs.sampling.as_ref().map(|s| (s.span, "`sampling`")),
                ];
                for (span, setting) in settings.into_iter().flatten() {
                    let label =
                        format!("Azure's virtual network flow logs take no {setting}: they log every flow each minute");
                    problems.push(
                        Diagnostic::error(Code::UnsupportedCombination, span, label)
                            .with_help(format!("remove {setting}")),
                    );
                }
            }
        }
        self.diagnostics.extend(problems);
    }

    fn network(&mut self, network: &Network) {
        let cidr = network.cidr;
        self.ranges.insert(End::Network(network.name.clone()), vec![cidr]);
        let region_known =
            if network.region.span != network.span { self.region(network.kind, &network.region) } else { true };
        if let Some(transit) = network.transit_gateway.filter(|_| network.kind != CloudKind::Aws) {
            let label =
                format!("`transit_gateway` is an AWS setting; {} has no transit gateway", cloud_name(network.kind));
            self.diagnostics.push(
                Diagnostic::error(Code::UnsupportedCombination, transit.span, label)
                    .with_help("remove `transit_gateway`"),
            );
        }
        if let Some(existing) = &network.existing {
            self.existing(network.kind, existing);
        }
        if let Some(logs) = &network.flow_logs {
            self.flow_logs(network.kind, logs);
        }
        if !cidr.value.is_ipv4() {
            self.diagnostics.push(
                Diagnostic::error(Code::InvalidCidr, cidr.span, "a network's range must be IPv4")
                    .with_help("the clouds assign IPv6 ranges themselves"),
            );
            return;
        }
        self.reserved(cidr);
        let (min, max) = prefix_limits(network.kind);
        self.prefix_length(cidr, network.kind, "networks", (min.0, max.0));
        let mut subnets: Vec<&Subnet> = Vec::with_capacity(network.subnets.len());
        for subnet in &network.subnets {
            if !cidr.value.contains(subnet.cidr.value) {
                let label = format!("{} is not inside the network's {}", subnet.cidr.value, cidr.value);
                self.diagnostics.push(
                    Diagnostic::error(Code::SubnetOutsideNetwork, subnet.cidr.span, label)
                        .with_label(cidr.span, "the network's range"),
                );
                continue;
            }
            self.prefix_length(subnet.cidr, network.kind, "subnets", (min.1, max.1));
            if let Some(zone) = &subnet.zone {
                self.zone(network, zone, region_known);
            }
            subnets.push(subnet);
        }
        subnets.sort_by_key(|subnet| subnet.cidr.value.first());
        let mut widest: Option<&Subnet> = None;
        for subnet in subnets {
            if let Some(previous) = widest.filter(|p| p.cidr.value.last() >= subnet.cidr.value.first()) {
                let label =
                    format!("subnet `{}` ({}) overlaps subnet `{}`", subnet.name, subnet.cidr.value, previous.name);
                self.diagnostics.push(
                    Diagnostic::error(Code::SubnetOverlap, subnet.cidr.span, label)
                        .with_label(previous.cidr.span, format!("`{}` is {}", previous.name, previous.cidr.value)),
                );
            }
            if widest.is_none_or(|w| subnet.cidr.value.last() > w.cidr.value.last()) {
                widest = Some(subnet);
            }
        }
    }

    fn reserved(&mut self, cidr: Spanned<Cidr>) {
        static PARSED: std::sync::OnceLock<Vec<Cidr>> = std::sync::OnceLock::new();
        let parsed = PARSED.get_or_init(|| {
            RESERVED.iter().map(|(range, _)| Cidr::parse(range).expect("reserved ranges are valid")).collect()
        });
        for (&reserved, (range, what)) in parsed.iter().zip(RESERVED) {
            if cidr.value.overlaps(reserved) {
                let label = format!("{} overlaps {range} ({what})", cidr.value);
                self.diagnostics.push(Diagnostic::error(Code::ReservedCidr, cidr.span, label));
                return;
            }
        }
    }

    fn prefix_length(&mut self, cidr: Spanned<Cidr>, kind: CloudKind, what: &str, (min, max): (u8, u8)) {
        let prefix = cidr.value.prefix();
        if (min..=max).contains(&prefix) {
            return;
        }
        let label = format!("{} {what} take prefixes /{min} to /{max}, not /{prefix}", cloud_name(kind));
        self.diagnostics.push(Diagnostic::error(Code::PrefixLength, cidr.span, label));
    }

    fn zone(&mut self, network: &Network, zone: &Spanned<String>, region_known: bool) {
        if network.kind != CloudKind::Aws {
            let label =
                format!("{} subnets span every zone of their region and take no `zone`", cloud_name(network.kind));
            self.diagnostics
                .push(Diagnostic::error(Code::UnsupportedCombination, zone.span, label).with_help("remove `zone`"));
            return;
        }
        if !region_known || catalog::has_zone(network.kind, &network.region.value, &zone.value) {
            return;
        }
        let zones = catalog::zones(network.kind, &network.region.value);
        let label = format!("`{}` is not a zone of {}", zone.value, network.region.value);
        let help = did_you_mean(&zone.value, zones.iter().map(String::as_str)).unwrap_or_else(|| {
            format!(
                "the zones of {} are {}",
                network.region.value,
                quoted(&zones.iter().map(String::as_str).collect::<Vec<_>>())
            )
        });
        self.diagnostics.push(Diagnostic::error(Code::UnknownZone, zone.span, label).with_help(help));
    }

    fn tunnels(&mut self) {
        let mut pairs: HashMap<(End, End), &Tunnel> = HashMap::new();
        for tunnel in &self.topology.tunnels {
            let [a, b] = &tunnel.ends;
            if a.value == b.value {
                let label = format!("both ends are `{}`", a.value.address());
                self.diagnostics
                    .push(Diagnostic::error(Code::TunnelToItself, b.span, label).with_label(a.span, "the first end"));
                continue;
            }
            let key =
                if a.value < b.value { (a.value.clone(), b.value.clone()) } else { (b.value.clone(), a.value.clone()) };
            if let Some(first) = pairs.get(&key) {
                let label = format!(
                    "`{}` and `{}` are already connected by `{}`",
                    a.value.address(),
                    b.value.address(),
                    first.name
                );
                self.diagnostics.push(
                    Diagnostic::error(Code::DuplicateTunnel, tunnel.span, label)
                        .with_label(first.span, "the first tunnel")
                        .with_help("one tunnel per pair: use `ha = true` for redundancy"),
                );
                continue;
            }
            pairs.insert(key, tunnel);
            self.overlap(a, b);
            self.asns(tunnel);
            self.routing(tunnel);
        }
    }

    /// Reports overlapping ranges between two connected ends.
    fn overlap(&mut self, a: &Spanned<End>, b: &Spanned<End>) {
        let (Some(ranges_a), Some(ranges_b)) = (self.ranges.get(&a.value), self.ranges.get(&b.value)) else { return };
        for range_a in ranges_a {
            if let Some(range_b) = ranges_b.iter().find(|range_b| range_a.value.overlaps(range_b.value)) {
                let label = format!(
                    "`{}` ({}) and `{}` ({}) overlap",
                    a.value.address(),
                    range_a.value,
                    b.value.address(),
                    range_b.value
                );
                let diagnostic = Diagnostic::error(Code::ConnectedOverlap, b.span, label)
                    .with_label(range_a.span, format!("{}", range_a.value))
                    .with_label(range_b.span, format!("{}", range_b.value))
                    .with_help("renumber one of the networks: routes between them would be ambiguous");
                self.diagnostics.push(diagnostic);
                return;
            }
        }
    }

    fn end_kind(&self, end: &End) -> Option<CloudKind> {
        match end {
            End::Network(name) => self.networks.get(name.as_str()).map(|n| n.kind),
            End::Host(_) => None,
        }
    }

    /// GCP's HA VPN routes with BGP only (static routes need Classic VPN, which Isopod does not
    /// use); within one cloud, tunnels are peerings and take no routing protocol.
    fn routing(&mut self, tunnel: &Tunnel) {
        if tunnel.routing != Routing::Static {
            return;
        }
        let kinds = [self.end_kind(&tunnel.ends[0].value), self.end_kind(&tunnel.ends[1].value)];
        let same_cloud = kinds[0].is_some() && kinds[0] == kinds[1];
        if kinds.contains(&Some(CloudKind::Gcp)) && !same_cloud {
            let label = format!("`{}` reaches GCP, whose HA VPN routes with BGP only", tunnel.name);
            self.diagnostics.push(
                Diagnostic::error(Code::UnsupportedCombination, tunnel.span, label)
                    .with_help("use `routing = \"bgp\"` (the default)"),
            );
        }
    }

    fn end_asn(&self, end: &End) -> (Option<Spanned<u32>>, Option<CloudKind>) {
        match end {
            End::Network(name) => self.networks.get(name.as_str()).map_or((None, None), |n| (n.asn, Some(n.kind))),
            End::Host(name) => (self.hosts.get(name.as_str()).and_then(|h| h.asn), None),
        }
    }

    fn asns(&mut self, tunnel: &Tunnel) {
        if tunnel.routing != Routing::Bgp {
            return;
        }
        let [a, b] = &tunnel.ends;
        let (asn_a, kind_a) = self.end_asn(&a.value);
        let (asn_b, kind_b) = self.end_asn(&b.value);
        if let (Some(x), Some(y)) = (&asn_a, &asn_b)
            && x.value == y.value
        {
            let label = format!("both ends of `{}` use ASN {}; BGP peers need different ASNs", tunnel.name, x.value);
            self.diagnostics
                .push(Diagnostic::error(Code::InvalidAsn, y.span, label).with_label(x.span, "the other end's ASN"));
            return;
        }
        for (asn, peer_kind) in [(&asn_a, kind_b), (&asn_b, kind_a)] {
            let Some(asn) = asn else { continue };
            let azure_reserved = asn.value == 65515 || (65517..=65520).contains(&asn.value);
            if peer_kind == Some(CloudKind::Azure) && azure_reserved {
                let label = format!("Azure reserves ASN {} and refuses it for a BGP peer", asn.value);
                self.diagnostics.push(Diagnostic::error(Code::InvalidAsn, asn.span, label));
            }
        }
    }

    fn endpoint(&mut self, endpoint: &Endpoint) {
        let Some(network) = self.networks.get(endpoint.network.value.as_str()).copied() else { return };
        if let Some(expected) = service_format_problem(network.kind, &endpoint.service.value) {
            let label = format!("not {} service name", with_article(network.kind));
            self.diagnostics
                .push(Diagnostic::error(Code::InvalidService, endpoint.service.span, label).with_help(expected));
        }
        if let Some(name) = &endpoint.dns_name
            && let Some(problem) = dns_name_problem(&name.value)
        {
            self.diagnostics.push(Diagnostic::error(Code::InvalidValue, name.span, problem));
        }
        for subnet in &endpoint.subnets {
            if network.subnets.iter().any(|s| s.name == subnet.value) {
                continue;
            }
            let label = format!("`network.{}` has no subnet `{}`", network.name, subnet.value);
            let help = did_you_mean(&subnet.value, network.subnets.iter().map(|s| s.name.as_str()));
            self.diagnostics.push(Diagnostic::error(Code::UnknownKey, subnet.span, label).with_optional_help(help));
        }
    }

    fn relay(&mut self, relay: &Relay) {
        let Some(endpoint) = self.endpoints.get(relay.endpoint.value.as_str()).copied() else { return };
        let source = Spanned::new(End::Network(endpoint.network.value.clone()), relay.endpoint.span);
        for to in &relay.to {
            if to.value == endpoint.network.value {
                let label = format!("`network.{}` is where `endpoint.{}` lives", to.value, endpoint.name);
                self.diagnostics.push(
                    Diagnostic::error(Code::RelayToOwnNetwork, to.span, label)
                        .with_help("remove it: the endpoint's own network reaches it directly"),
                );
                continue;
            }
            self.overlap(&source, &Spanned::new(End::Network(to.value.clone()), to.span));
        }
    }
}

/// The (network, subnet) minimum and maximum prefix lengths of each cloud.
fn prefix_limits(kind: CloudKind) -> ((u8, u8), (u8, u8)) {
    match kind {
        CloudKind::Aws => ((16, 16), (28, 28)),
        CloudKind::Azure => ((8, 8), (29, 29)),
        CloudKind::Gcp => ((8, 8), (29, 29)),
    }
}

/// "an AWS", "an Azure", "a GCP".
fn with_article(kind: CloudKind) -> &'static str {
    match kind {
        CloudKind::Aws => "an AWS",
        CloudKind::Azure => "an Azure",
        CloudKind::Gcp => "a GCP",
    }
}

/// A GCP resource name (RFC 1035): 1-63 characters, lower-case letters, digits and dashes,
/// starting with a letter and not ending with a dash.
fn is_gcp_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !name.ends_with('-')
}

fn cloud_name(kind: CloudKind) -> &'static str {
    match kind {
        CloudKind::Aws => "AWS",
        CloudKind::Azure => "Azure",
        CloudKind::Gcp => "GCP",
    }
}

/// What a service name of the cloud looks like, when `service` does not look like one.
fn service_format_problem(kind: CloudKind, service: &str) -> Option<&'static str> {
    let ok = match kind {
        CloudKind::Aws => {
            let parts: Vec<&str> = service.split('.').collect();
            parts.len() >= 4
                && parts[0] == "com"
                && parts[1] == "amazonaws"
                && (parts[2] != "vpce"
                    || parts.len() == 5
                        && parts[4]
                            .strip_prefix("vpce-svc-")
                            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit())))
        }
        CloudKind::Azure => {
            let lower = service.to_ascii_lowercase();
            (lower.starts_with("/subscriptions/")
                && lower.contains("/providers/microsoft.network/privatelinkservices/"))
                || lower.ends_with(".azure.privatelinkservice")
        }
        CloudKind::Gcp => {
            let parts: Vec<&str> =
                service.trim_start_matches("https://www.googleapis.com/compute/v1/").split('/').collect();
            parts.len() == 6
                && parts[0] == "projects"
                && parts[2] == "regions"
                && parts[4] == "serviceAttachments"
                && !parts[5].is_empty()
        }
    };
    if ok {
        return None;
    }
    Some(match kind {
        CloudKind::Aws => {
            "AWS services are named `com.amazonaws.vpce.REGION.vpce-svc-ID` or `com.amazonaws.REGION.SERVICE`"
        }
        CloudKind::Azure => {
            "use the private link service's resource id or its alias (`NAME.GUID.REGION.azure.privatelinkservice`)"
        }
        CloudKind::Gcp => "use the service attachment: `projects/PROJECT/regions/REGION/serviceAttachments/NAME`",
    })
}

/// Why `name` is not a DNS name a private zone can hold (RFC 1035 lengths; letters, digits and
/// hyphens, a hyphen neither first nor last in a label), if it is not.
fn dns_name_problem(name: &str) -> Option<String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.len() > 253 {
        return Some(format!("a DNS name has at most 253 characters, this one {}", name.len()));
    }
    if !name.contains('.') {
        return Some(format!("`{name}` is not a DNS name with a domain (e.g. `db.example.com`)"));
    }
    for label in name.split('.') {
        let valid = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            return Some(format!(
                "`{label}` is not a DNS label: 1 to 63 letters, digits and hyphens, a hyphen neither first nor last"
            ));
        }
    }
    None
}

/// Whether `text` is an S3 bucket's ARN, with an optional prefix: `arn:aws:s3:::BUCKET[/PREFIX]`
/// in any partition, the bucket 3-63 lower-case letters, digits, dots and dashes.
fn is_s3_arn(text: &str) -> bool {
    let Some(rest) =
        ["arn:aws:s3:::", "arn:aws-cn:s3:::", "arn:aws-us-gov:s3:::"].iter().find_map(|p| text.strip_prefix(p))
    else {
        return false;
    };
    let bucket = rest.split('/').next().unwrap_or_default();
    (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}
