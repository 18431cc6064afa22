//! AWS VPC Flow Logs: lines of space-separated fields, `-` for a field without a value, each
//! file (as S3 delivers it, `.log.gz`) starting with a header of the field names. A file without
//! a header is read in the default format (version 2).
//!
//! An interface's records name its own address as `srcaddr` of what it sends and `dstaddr` of
//! what it receives; `pkt-srcaddr` and `pkt-dstaddr` are the packets' own, which differ at a
//! middlebox (a NAT gateway's interface). Counting:
//! - a flow is counted from the egress record of the interface that sent it; ingress records
//!   are the other end's view of it, passed on as [`Seen::Receiver`] (counted only when the
//!   sender's place logs nothing), but for a middlebox's own (its `pkt-dstaddr` or `pkt-srcaddr`
//!   not the record's) and, at the end of the file, those of what a middlebox passed on: a
//!   download through a NAT gateway shows as the gateway's ingress record (its destination a
//!   middlebox) and the instance's (from the origin to the instance, as the gateway's egress
//!   record passing it on says), which that egress record already counts. Ingress records from
//!   public addresses are held until the file ends to tell;
//! - an egress record whose `pkt-srcaddr` is not its `srcaddr` is a middlebox passing on what
//!   `pkt-srcaddr` sent (a download through a NAT gateway): counted as from `pkt-srcaddr`,
//!   through the middlebox; but on an instance's interface (`instance-id` set) the packet
//!   addresses are the instance's own secondary addresses (a Kubernetes pod's), and the flow is
//!   theirs;
//! - an egress record of a middlebox's own address (learnt from the records above and from
//!   ingress records whose `pkt-dstaddr` is not their `dstaddr`) carries what its origin's
//!   record already counts: not counted again. Records of interfaces without an instance
//!   (`instance-id` `-`) are held until the end of their file to tell; such an interface whose
//!   egress records send from several addresses forwards others' traffic without translating
//!   it (a transit gateway attachment's, a firewall endpoint's): its records are receivers'
//!   views, counted only for senders that log nothing;
//! - only `ACCEPT` records with `log-status` `OK` carry traffic;
//! - in the default format, which has no `flow-direction`, every record counts, and the report
//!   says how many such records there were.

use super::record::{Egress, Flow, ReadReport, Seen, Service};
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::BufRead;
use std::net::IpAddr;

/// The fields of the default format, in order.
const DEFAULT_FORMAT: [&str; 14] = [
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];

/// Where each field Isopod reads is in a line, from a header (or the default format).
#[derive(Clone, Debug)]
struct Layout {
    width: usize,
    srcaddr: usize,
    dstaddr: usize,
    srcport: usize,
    dstport: usize,
    protocol: usize,
    packets: usize,
    bytes: usize,
    start: usize,
    end: usize,
    action: Option<usize>,
    log_status: Option<usize>,
    flow_direction: Option<usize>,
    traffic_path: Option<usize>,
    pkt_srcaddr: Option<usize>,
    pkt_dstaddr: Option<usize>,
    pkt_src_aws_service: Option<usize>,
    pkt_dst_aws_service: Option<usize>,
    instance_id: Option<usize>,
    interface_id: Option<usize>,
}

impl Layout {
    fn new(fields: &[&str]) -> Result<Layout, String> {
        let find = |name: &str| fields.iter().position(|field| *field == name);
        let need = |name: &str| find(name).ok_or_else(|| format!("the header has no `{name}` field"));
        Ok(Layout {
            width: fields.len(),
            srcaddr: need("srcaddr")?,
            dstaddr: need("dstaddr")?,
            srcport: need("srcport")?,
            dstport: need("dstport")?,
            protocol: need("protocol")?,
            packets: need("packets")?,
            bytes: need("bytes")?,
            start: need("start")?,
            end: need("end")?,
            action: find("action"),
            log_status: find("log-status"),
            flow_direction: find("flow-direction"),
            traffic_path: find("traffic-path"),
            pkt_srcaddr: find("pkt-srcaddr"),
            pkt_dstaddr: find("pkt-dstaddr"),
            pkt_src_aws_service: find("pkt-src-aws-service"),
            pkt_dst_aws_service: find("pkt-dst-aws-service"),
            instance_id: find("instance-id"),
            interface_id: find("interface-id"),
        })
    }
}

/// Whether `first_line` is a header of AWS flow-log field names.
pub fn is_header(first_line: &str) -> bool {
    let fields: Vec<&str> = first_line.split_ascii_whitespace().collect();
    fields.contains(&"srcaddr") && fields.contains(&"dstaddr") && fields.contains(&"bytes")
}

/// Whether `line` reads as a record of the default format.
pub fn is_default_record(line: &str) -> bool {
    let fields: Vec<&str> = line.split_ascii_whitespace().collect();
    let no_data = matches!(fields.last(), Some(&"NODATA" | &"SKIPDATA"));
    fields.len() == DEFAULT_FORMAT.len() && fields[0] == "2" && (no_data || fields[3].parse::<IpAddr>().is_ok())
}

/// Reads the flow log `input` (named `file` in the report), passing each flow that counts, and
/// each receiver's view that may ([`Seen::Receiver`]), to `each`. Fails when the file is not a flow log at all: its first line is neither a header nor
/// a default-format record.
pub fn read(
    file: &str,
    mut input: impl BufRead,
    report: &mut ReadReport,
    each: impl FnMut(&Flow),
) -> Result<(), String> {
    let mut reading = Reading {
        file,
        report,
        each,
        middleboxes: FxHashSet::default(),
        held: Vec::new(),
        interfaces: Default::default(),
        senders: Vec::new(),
        passed_on: FxHashSet::default(),
        received: Vec::new(),
    };
    let mut line = String::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut number: u64 = 0;
    let mut layout: Option<Layout> = None;
    loop {
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::InvalidData && layout.is_some() => {
                number += 1;
                reading.report.malformed(file, number, "not text");
                continue;
            }
            Err(err) => return Err(format!("{file}: line {}: {err}", number + 1)),
        }
        number += 1;
        let text = line.trim_end();
        if text.is_empty() {
            continue;
        }
        let layout = match &layout {
            Some(layout) => layout,
            None if is_header(text) => {
                let fields: Vec<&str> = text.split_ascii_whitespace().collect();
                layout = Some(Layout::new(&fields).map_err(|err| format!("{file}: {err}"))?);
                continue;
            }
            None if is_default_record(text) => {
                layout.insert(Layout::new(&DEFAULT_FORMAT).expect("the default format has every field"))
            }
            None => {
                return Err(format!(
                    "{file}: not an AWS VPC flow log: the first line is neither a header of field names nor a record of the default format"
                ));
            }
        };
        reading.record(number, &Fields::split(text, &mut spans), layout);
    }
    reading.finish();
    Ok(())
}

/// One file being read: where the counts go, and the middleboxes met so far with the records
/// held until the file tells whether their interface is one.
struct Reading<'a, F> {
    file: &'a str,
    report: &'a mut ReadReport,
    each: F,
    middleboxes: FxHashSet<IpAddr>,
    /// Egress records of interfaces without an instance, with their interface's place in
    /// `senders` (`None`: the format names no interface).
    held: Vec<(Flow, Option<usize>)>,
    /// Each such interface (by `interface-id`) and the addresses its egress records sent from:
    /// one for an interface of its own (an endpoint's, a load balancer's), several for a
    /// forwarder's (a transit gateway attachment's, a firewall's), which sends others' traffic.
    interfaces: FxHashMap<String, usize>,
    senders: Vec<(IpAddr, bool)>,
    /// (origin, destination) of what middleboxes passed on.
    passed_on: FxHashSet<(IpAddr, IpAddr)>,
    /// Ingress records from public addresses, which may be of what a middlebox passed on.
    received: Vec<Flow>,
}

impl<F: FnMut(&Flow)> Reading<'_, F> {
    fn record(&mut self, number: u64, fields: &Fields<'_>, layout: &Layout) {
        self.report.records += 1;
        if fields.len() != layout.width {
            let reason = format!("{} fields where the header has {}", fields.len(), layout.width);
            self.report.malformed(self.file, number, reason);
            return;
        }
        let status = layout.log_status.map(|at| &fields[at]);
        if matches!(status, Some("NODATA" | "SKIPDATA")) || layout.action.is_some_and(|at| &fields[at] == "REJECT") {
            self.report.no_traffic += 1;
            return;
        }
        let mut flow = match parse(fields, layout) {
            Ok(flow) => flow,
            Err(reason) => return self.report.malformed(self.file, number, reason),
        };
        let packet_address = |at: Option<usize>| at.and_then(|at| fields[at].parse::<IpAddr>().ok());
        if layout.instance_id.is_some_and(|at| &fields[at] != "-") {
            // An instance's interface: packet addresses that are not the record's are the
            // instance's own secondary addresses (a Kubernetes pod's), not a middlebox's.
            flow.src = packet_address(layout.pkt_srcaddr).unwrap_or(flow.src);
            flow.dst = packet_address(layout.pkt_dstaddr).unwrap_or(flow.dst);
        }
        match layout.flow_direction.map(|at| &fields[at]) {
            Some("ingress") => {
                self.report.other_end += 1;
                if packet_address(layout.pkt_dstaddr).is_some_and(|pkt| pkt != flow.dst) {
                    self.middleboxes.insert(flow.dst);
                } else if packet_address(layout.pkt_srcaddr).is_none_or(|pkt| pkt == flow.src) {
                    flow.seen = Seen::Receiver { counts_record: true };
                    if crate::places::is_private(flow.src) {
                        (self.each)(&flow);
                    } else {
                        self.received.push(flow);
                    }
                }
                return;
            }
            None | Some("-") => self.report.without_direction += 1,
            _ if layout.pkt_srcaddr.is_none() || layout.pkt_dstaddr.is_none() => {
                self.report.without_packet_addresses += 1
            }
            _ => {}
        }
        if let Some(origin) = packet_address(layout.pkt_srcaddr).filter(|pkt| *pkt != flow.src) {
            // A middlebox passing on what `origin` sent.
            self.middleboxes.insert(flow.src);
            self.passed_on.insert((origin, flow.dst));
            flow.middlebox = Some(flow.src);
            flow.src = origin;
            flow.seen = Seen::Other;
            flow.service = aws_service(fields, layout.pkt_src_aws_service);
            self.count(&flow);
            return;
        }
        if layout.instance_id.is_some_and(|at| &fields[at] == "-") && layout.pkt_dstaddr.is_some() {
            let interface = layout.interface_id.map(|at| self.interface_sends(&fields[at], flow.src));
            self.held.push((flow, interface));
            return;
        }
        self.count(&flow);
    }

    fn count(&mut self, flow: &Flow) {
        self.report.counted += 1;
        (self.each)(flow);
    }

    /// Notes that `interface` sent from `address`; its place in `senders`.
    fn interface_sends(&mut self, interface: &str, address: IpAddr) -> usize {
        if let Some(&at) = self.interfaces.get(interface) {
            let (first, several) = &mut self.senders[at];
            *several |= *first != address;
            return at;
        }
        self.interfaces.insert(interface.to_string(), self.senders.len());
        self.senders.push((address, false));
        self.senders.len() - 1
    }

    /// Counts the held records whose interface turned out not to be a middlebox, and passes on
    /// the ingress records held that are not of what a middlebox passed on.
    fn finish(&mut self) {
        for (mut flow, interface) in std::mem::take(&mut self.held) {
            if self.middleboxes.contains(&flow.src) {
                self.report.forwarded += 1;
            } else if interface.is_some_and(|at| self.senders[at].1) {
                // A forwarder's record of others' traffic: their own records count it, if any.
                self.report.other_end += 1;
                flow.seen = Seen::Receiver { counts_record: true };
                (self.each)(&flow);
            } else {
                self.count(&flow);
            }
        }
        for flow in std::mem::take(&mut self.received) {
            if !self.middleboxes.contains(&flow.dst) && !self.passed_on.contains(&(flow.src, flow.dst)) {
                (self.each)(&flow);
            }
        }
    }
}

/// The fields of one line, as ranges of it (kept from line to line, so reading allocates
/// nothing per line).
struct Fields<'a> {
    text: &'a str,
    spans: &'a [(usize, usize)],
}

impl<'a> Fields<'a> {
    fn split(text: &'a str, spans: &'a mut Vec<(usize, usize)>) -> Fields<'a> {
        spans.clear();
        let mut start = None;
        for (at, byte) in text.bytes().enumerate() {
            match (byte == b' ' || byte == b'\t', start) {
                (true, Some(from)) => {
                    spans.push((from, at));
                    start = None;
                }
                (false, None) => start = Some(at),
                _ => {}
            }
        }
        if let Some(from) = start {
            spans.push((from, text.len()));
        }
        Fields { text, spans }
    }

    fn len(&self) -> usize {
        self.spans.len()
    }
}

impl std::ops::Index<usize> for Fields<'_> {
    type Output = str;

    fn index(&self, at: usize) -> &str {
        let (from, to) = self.spans[at];
        &self.text[from..to]
    }
}

fn aws_service(fields: &Fields<'_>, at: Option<usize>) -> Option<Service> {
    match &fields[at?] {
        "-" => None,
        "S3" => Some(Service::S3),
        "DYNAMODB" => Some(Service::DynamoDb),
        _ => Some(Service::OtherAws),
    }
}

fn parse(fields: &Fields<'_>, layout: &Layout) -> Result<Flow, String> {
    fn number<T: std::str::FromStr>(fields: &Fields<'_>, at: usize, name: &str) -> Result<T, String> {
        fields[at].parse().map_err(|_| format!("`{}` is not a valid {name}", &fields[at]))
    }
    let egress = match layout.traffic_path.map(|at| &fields[at]) {
        None => Egress::Unknown,
        Some("-") => Egress::Forwarded,
        Some("2" | "8") => Egress::InternetGateway,
        Some("7") => Egress::GatewayEndpoint,
        Some(_) => Egress::Other,
    };
    Ok(Flow {
        src: number(fields, layout.srcaddr, "srcaddr")?,
        dst: number(fields, layout.dstaddr, "dstaddr")?,
        src_port: number(fields, layout.srcport, "srcport")?,
        dst_port: number(fields, layout.dstport, "dstport")?,
        protocol: number(fields, layout.protocol, "protocol")?,
        packets: number(fields, layout.packets, "packets")?,
        bytes: number(fields, layout.bytes, "bytes")?,
        start: number(fields, layout.start, "start")?,
        end: number(fields, layout.end, "end")?,
        egress,
        service: aws_service(fields, layout.pkt_dst_aws_service),
        middlebox: None,
        seen: Seen::Sender,
        source: super::Format::Aws,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The v5 example of AWS's "Flow log record examples" page, with its header.
    const V5_HEADER: &str = "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status";
    const V5_LINE: &str = "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK";

    /// The flows that count, and the report; what only receivers saw is left out.
    fn read_all(text: &str) -> (Vec<Flow>, ReadReport) {
        let (flows, report) = read_seen(text);
        (flows.into_iter().filter(|flow| !matches!(flow.seen, Seen::Receiver { .. })).collect(), report)
    }

    /// Every flow passed on, and the report.
    fn read_seen(text: &str) -> (Vec<Flow>, ReadReport) {
        let mut flows = Vec::new();
        let mut report = ReadReport::default();
        read("test.log", text.as_bytes(), &mut report, |flow| flows.push(*flow)).unwrap();
        (flows, report)
    }

    #[test]
    fn the_documented_v5_record_is_read() {
        let (flows, report) = read_all(&format!("{V5_HEADER}\n{V5_LINE}\n"));
        assert_eq!(report.counted, 1);
        let flow = flows[0];
        assert_eq!(flow.src, "10.0.0.71".parse::<IpAddr>().unwrap());
        assert_eq!(flow.dst_port, 80);
        assert_eq!((flow.packets, flow.bytes), (7, 471));
        assert_eq!(flow.service, Some(Service::S3));
        assert_eq!(flow.egress, Egress::InternetGateway);
    }

    #[test]
    fn default_format_lines_without_a_header_are_read_and_said_to_lack_a_direction() {
        let text = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n\
                    2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n\
                    2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n";
        let (flows, report) = read_all(text);
        // A file may start with a record of no data.
        let (_, first_no_data) = read_all(&text.lines().rev().collect::<Vec<_>>().join("\n"));
        assert_eq!(first_no_data.counted, 1);
        assert_eq!(flows.len(), 1);
        assert_eq!((report.records, report.counted, report.no_traffic, report.without_direction), (3, 1, 2, 1));
    }

    #[test]
    fn ingress_records_count_at_the_other_end() {
        let header =
            "version srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction";
        let text = format!(
            "{header}\n5 10.0.1.5 10.1.0.9 40000 443 6 10 1000 1 60 ACCEPT OK egress\n\
             5 10.0.1.5 10.1.0.9 40000 443 6 10 1000 1 60 ACCEPT OK ingress\n"
        );
        let (flows, report) = read_seen(&text);
        let seen: Vec<Seen> = flows.iter().map(|flow| flow.seen).collect();
        let receiver = Seen::Receiver { counts_record: true };
        assert_eq!(seen, [Seen::Sender, receiver], "the ingress record, should the sender not log");
        assert_eq!((report.other_end, report.counted), (1, 1));
        assert_eq!(report.without_packet_addresses, 1, "a NAT gateway's records would count twice: said");
        let summary = crate::render::read_summary(&report);
        assert!(summary.contains("1 AWS records have no pkt-srcaddr and pkt-dstaddr"), "{summary}");
    }

    /// AWS's NAT gateway example: instance 10.40.1.175 uploads to 203.0.113.5 through NAT
    /// gateway 10.40.2.236, and downloads from S3 through it.
    #[test]
    fn traffic_through_a_nat_gateway_counts_once_from_its_origin_through_the_gateway() {
        let header = "version instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction";
        let lines = [
            // The instance's egress record of the upload: no traffic-path through a NAT gateway.
            "5 i-01234567890123456 10.40.1.175 203.0.113.5 50000 443 6 10 5000 1 60 ACCEPT OK 10.40.1.175 203.0.113.5 - - - egress",
            // The gateway's egress record of the translated upload: held, then dropped.
            "5 - 10.40.2.236 203.0.113.5 60000 443 6 10 5000 1 60 ACCEPT OK 10.40.2.236 203.0.113.5 - - 8 egress",
            // The gateway's ingress record from the instance: tells that 10.40.2.236 is a middlebox.
            "5 - 10.40.1.175 10.40.2.236 50000 443 6 10 5000 1 60 ACCEPT OK 10.40.1.175 203.0.113.5 - - - ingress",
            // The download arriving at the gateway, and at the instance (AWS shows the origin's
            // address there): what the gateway's egress record below counts.
            "5 - 52.216.1.2 10.40.2.236 443 60001 6 700 1000000 1 60 ACCEPT OK 52.216.1.2 10.40.2.236 - - - ingress",
            "5 i-01234567890123456 52.216.1.2 10.40.1.175 443 50001 6 700 1000000 1 60 ACCEPT OK 52.216.1.2 10.40.1.175 - - - ingress",
            // The gateway passing the download from S3 on to the instance.
            "5 - 10.40.2.236 10.40.1.175 443 50001 6 700 1000000 1 60 ACCEPT OK 52.216.1.2 10.40.1.175 S3 - 1 egress",
            // A client on the internet reaching the instance directly: only its receiver logs it.
            "5 i-01234567890123456 198.51.100.9 10.40.1.175 51000 22 6 5 300 1 60 ACCEPT OK 198.51.100.9 10.40.1.175 - - - ingress",
        ];
        let text = format!("{header}\n{}\n", lines.join("\n"));
        let (seen, _) = read_seen(&text);
        let received: Vec<IpAddr> =
            seen.iter().filter(|f| matches!(f.seen, Seen::Receiver { .. })).map(|f| f.src).collect();
        assert_eq!(received, ["198.51.100.9".parse::<IpAddr>().unwrap()], "the download counts once, from the gateway");
        let (flows, report) = read_all(&text);
        assert_eq!((report.counted, report.forwarded, report.other_end), (2, 1, 4));
        let download = flows.iter().find(|f| f.bytes == 1_000_000).unwrap();
        assert_eq!(download.src, "52.216.1.2".parse::<IpAddr>().unwrap());
        assert_eq!(download.middlebox, Some("10.40.2.236".parse().unwrap()));
        assert_eq!(download.service, Some(Service::S3));
        let upload = flows.iter().find(|f| f.bytes == 5000).unwrap();
        assert_eq!((upload.src, upload.egress), ("10.40.1.175".parse().unwrap(), Egress::Forwarded));
    }

    /// A transit gateway attachment's interface forwards what other networks send, from their
    /// addresses: receivers' views; an endpoint's interface sends from its own: the sender's.
    #[test]
    fn a_forwarders_records_are_receivers_views_and_an_endpoints_its_own() {
        let header = "version interface-id instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status pkt-srcaddr pkt-dstaddr traffic-path flow-direction";
        let lines = [
            "5 eni-tgw - 10.30.0.9 10.10.1.9 443 40000 6 10 1000 1 60 ACCEPT OK 10.30.0.9 10.10.1.9 - egress",
            "5 eni-tgw - 10.30.0.10 10.10.1.9 443 40001 6 10 2000 1 60 ACCEPT OK 10.30.0.10 10.10.1.9 - egress",
            "5 eni-vpce - 10.10.2.50 10.10.1.9 443 40002 6 10 3000 1 60 ACCEPT OK 10.10.2.50 10.10.1.9 1 egress",
        ];
        let (seen, report) = read_seen(&format!("{header}\n{}\n", lines.join("\n")));
        let kinds: Vec<(u64, Seen)> = seen.iter().map(|f| (f.bytes, f.seen)).collect();
        let receiver = Seen::Receiver { counts_record: true };
        assert_eq!(kinds, [(1000, receiver), (2000, receiver), (3000, Seen::Sender)]);
        assert_eq!((report.counted, report.other_end), (1, 2));
    }

    /// A Kubernetes pod on a secondary address of its node's interface: its traffic is its own,
    /// and the node is no middlebox (what reaches it from the internet still counts).
    #[test]
    fn an_instances_secondary_addresses_are_its_own_not_a_middleboxs() {
        let header = "version instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction";
        let lines = [
            "5 i-0node 10.0.1.10 10.1.0.9 40000 443 6 10 5000 1 60 ACCEPT OK 10.0.1.77 10.1.0.9 - - 1 egress",
            "5 i-0node 198.51.100.9 10.0.1.10 51000 443 6 5 300 1 60 ACCEPT OK 198.51.100.9 10.0.1.77 - - - ingress",
        ];
        let (seen, report) = read_seen(&format!("{header}\n{}\n", lines.join("\n")));
        let pod: IpAddr = "10.0.1.77".parse().unwrap();
        assert_eq!((seen[0].src, seen[0].seen, seen[0].middlebox), (pod, Seen::Sender, None));
        assert_eq!((seen[1].dst, seen[1].seen), (pod, Seen::Receiver { counts_record: true }));
        assert_eq!((report.counted, report.forwarded), (1, 0));
    }

    #[test]
    fn a_malformed_line_is_counted_with_its_line_and_the_rest_is_read() {
        let text = format!("{V5_HEADER}\n{V5_LINE}\n5 10.0.0.71 oops\n{}\n", V5_LINE.replace(" 471 ", " many "));
        let (flows, report) = read_all(&format!("{text}{V5_LINE}\n"));
        assert_eq!(flows.len(), 2);
        assert_eq!(report.malformed, 2);
        assert_eq!(report.malformed_samples[0].line, 3);
        assert!(report.malformed_samples[0].reason.contains("3 fields"));
        assert_eq!(report.malformed_samples[1].line, 4);
        assert!(report.malformed_samples[1].reason.contains("`many`"), "{:?}", report.malformed_samples[1]);
    }

    #[test]
    fn a_file_that_is_not_a_flow_log_is_an_error() {
        let mut report = ReadReport::default();
        let err = read("notes.txt", "hello world\n".as_bytes(), &mut report, |_| {}).unwrap_err();
        assert!(err.contains("not an AWS VPC flow log"), "{err}");
    }
}
