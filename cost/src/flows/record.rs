//! A flow as the readers give it, and the account of what they read.

use serde::Serialize;
use std::net::IpAddr;

/// One direction of one connection over one capture window: the readers pass on the records
/// that count and the receivers' views that may ([`Seen`]; each reader says its rule), sampled
/// counts scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The sender.
    pub src: IpAddr,
    /// The receiver.
    pub dst: IpAddr,
    /// The sender's port (0 when the protocol has none).
    pub src_port: u16,
    /// The receiver's port.
    pub dst_port: u16,
    /// The IP protocol number (6 TCP, 17 UDP).
    pub protocol: u8,
    /// Packets sent.
    pub packets: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// The window's first second (Unix time).
    pub start: u64,
    /// The window's last second.
    pub end: u64,
    /// What the record says of the way the packets left the network.
    pub egress: Egress,
    /// The cloud service at the end outside the networks, when the record says (the receiver
    /// of an upload, the sender of a download).
    pub service: Option<Service>,
    /// The middlebox that passed the flow on (a NAT gateway's address), when the record says.
    pub middlebox: Option<IpAddr>,
    /// Whose record it is counted from.
    pub seen: Seen,
    /// The format it was read in: the flow logs of one cloud, which span their own time.
    pub source: super::Format,
}

/// Whose record a flow comes from, which says whether it counts. Each direction of a connection
/// counts once: from its sender's own record when the sender's place logs what it sends, else
/// from its receiver's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The sender's own record: its interface's egress record, its source's `SRC` report, an
    /// Azure tuple's half that its VM sent (an outbound tuple's sent bytes, an inbound one's
    /// replies). Its place logs what it sends.
    Sender,
    /// A middlebox's record of what it passed on (a NAT gateway's egress of a download): counted,
    /// from an origin that logs nothing.
    Other,
    /// A receiver's record (an AWS ingress record, a GCP `DEST` or `SRC_GATEWAY` report, the
    /// half of an Azure tuple that its VM received): the flow counts from it only when the place
    /// of its sender (`src`) logs nothing it sends, which only a sink that has read every source
    /// can tell.
    Receiver {
        /// Whether it stands for its record in the report's counts (not when the other half of
        /// the same Azure tuple does).
        counts_record: bool,
    },
}

impl Flow {
    /// The port that names the service: the lower of the two when both are set (the client's is
    /// usually ephemeral), else the one that is.
    pub fn service_port(&self) -> u16 {
        match (self.src_port, self.dst_port) {
            (0, port) | (port, 0) => port,
            (a, b) => a.min(b),
        }
    }
}

/// The way a flow left its network, as far as the record tells (AWS's `traffic-path`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Egress {
    /// The record does not say.
    Unknown,
    /// A gateway endpoint (S3, DynamoDB).
    GatewayEndpoint,
    /// An internet gateway.
    InternetGateway,
    /// Neither a gateway nor a peering: on AWS, a NAT gateway or a transit gateway.
    Forwarded,
    /// Some other way the record names (same VPC, peering, virtual private gateway).
    Other,
}

/// Cloud services a flow's receiver can be (AWS's `pkt-dst-aws-service`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Service {
    /// Amazon S3.
    S3,
    /// Amazon DynamoDB.
    DynamoDb,
    /// Another AWS service.
    OtherAws,
}

impl Service {
    /// The service's name.
    pub fn name(self) -> &'static str {
        match self {
            Service::S3 => "S3",
            Service::DynamoDb => "DynamoDB",
            Service::OtherAws => "an AWS service",
        }
    }
}

/// What reading the flow sources found: how much was read and counted, why records were not
/// counted, and the malformed lines by file and line.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReadReport {
    /// Files read.
    pub files: u64,
    /// Records read.
    pub records: u64,
    /// Records counted as flows (those of `from_receivers` included).
    pub counted: u64,
    /// Records of a flow's receiving end (an AWS ingress record, a GCP `DEST` or `SRC_GATEWAY`
    /// report), which count only when the sender's place logs nothing it sends.
    pub other_end: u64,
    /// Of those, the records counted: their sender's place logs nothing it sends.
    pub from_receivers: u64,
    /// Records of traffic that was refused (`REJECT`, Azure `D`) or that carry no traffic
    /// (`NODATA`, `SKIPDATA`, a flow's first tuple).
    pub no_traffic: u64,
    /// Records forwarded by a middlebox (a NAT gateway's own records), counted at their origin.
    pub forwarded: u64,
    /// AWS records without `flow-direction` (the default format): a flow between two logged
    /// interfaces is counted at both ends.
    pub without_direction: u64,
    /// AWS records with a direction but without `pkt-srcaddr` and `pkt-dstaddr`: what passes a
    /// NAT gateway is counted at the instance and again at the gateway.
    pub without_packet_addresses: u64,
    /// Lines that could not be read.
    pub malformed: u64,
    /// The first malformed lines, with where and why.
    pub malformed_samples: Vec<Malformed>,
    /// How sampled counts were scaled, per source (e.g. `gcp: ×2 (flow sampling 0.5)`).
    pub scaling: Vec<String>,
}

/// How many malformed lines a report keeps (per file while reading, in all once finished).
const SAMPLES: usize = 10;

/// A line that could not be read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Malformed {
    /// The file.
    pub file: String,
    /// The line (1-based), or the entry's position in a JSON array (an Azure file's: the
    /// record's among all of the file's).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

impl ReadReport {
    /// Records a malformed line.
    pub fn malformed(&mut self, file: &str, line: u64, reason: impl Into<String>) {
        self.malformed += 1;
        if self.malformed_samples.iter().filter(|sample| sample.file == file).count() < SAMPLES {
            self.malformed_samples.push(Malformed { file: file.to_string(), line, reason: reason.into() });
        }
    }

    /// Keeps the first malformed lines in file and line order, whatever order the files were read
    /// in.
    pub fn finish(&mut self) {
        self.malformed_samples.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        self.malformed_samples.truncate(SAMPLES);
        self.scaling.sort();
    }

    /// Adds another report's counts to this one.
    pub fn merge(&mut self, other: ReadReport) {
        self.files += other.files;
        self.records += other.records;
        self.counted += other.counted;
        self.other_end += other.other_end;
        self.from_receivers += other.from_receivers;
        self.no_traffic += other.no_traffic;
        self.forwarded += other.forwarded;
        self.without_direction += other.without_direction;
        self.without_packet_addresses += other.without_packet_addresses;
        self.malformed += other.malformed;
        self.malformed_samples.extend(other.malformed_samples);
        for line in other.scaling {
            if !self.scaling.contains(&line) {
                self.scaling.push(line);
            }
        }
    }
}
