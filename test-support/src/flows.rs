//! Synthetic AWS VPC Flow Logs in the real format, for the tests and benchmarks of `isopod
//! flows` and `isopod cost`: gzip files under S3's key layout
//! (`AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/ACCOUNT_vpcflowlogs_REGION_FLOWLOG_TIMESTAMP_HASH.log.gz`),
//! a header of the custom format's fields, records drawn from a seeded generator.
//!
//! Each flow is written as its sender's egress record and, when both ends are in the logged
//! ranges, its receiver's ingress record too, so that readers must count it once.

use flate2::Compression;
use flate2::write::GzEncoder;
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use std::io::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// The custom format the generator writes (version 5 fields, in the order Isopod's book gives).
pub const FORMAT: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id region az-id flow-direction traffic-path pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service";

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The seed: the same spec writes the same bytes.
    pub seed: u64,
    /// Egress records to write (ingress copies come on top).
    pub records: u64,
    /// Files to spread them over.
    pub files: u32,
    /// The logged ranges (a /16 or /24 each): senders and receivers are drawn from them, and
    /// one receiver in eight from the internet.
    pub ranges: Vec<(Ipv4Addr, u8)>,
    /// Addresses drawn per range.
    pub hosts_per_range: u32,
    /// The region in the keys and records.
    pub region: String,
    /// The first second of the window (Unix time); each file covers five minutes after the
    /// previous one.
    pub start: u64,
}

/// What was written, to check readers against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// The files.
    pub files: Vec<PathBuf>,
    /// Egress records (each flow once).
    pub flows: u64,
    /// Ingress copies.
    pub ingress: u64,
    /// The bytes of the egress records.
    pub bytes: u64,
    /// Uncompressed size.
    pub text_bytes: u64,
}

/// Writes the flow logs of `spec` under `root`.
///
/// # Panics
/// When a file cannot be written.
pub fn write_aws(root: &Path, spec: &Spec) -> Written {
    let account = "123456789012";
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let hosts: Vec<Vec<Ipv4Addr>> = spec
        .ranges
        .iter()
        .map(|(base, prefix)| {
            let size = 1u32 << (32 - u32::from(*prefix));
            (0..spec.hosts_per_range)
                .map(|_| Ipv4Addr::from(u32::from(*base) + rng.random_range(4..size - 1)))
                .collect()
        })
        .collect();
    let mut written = Written::default();
    let per_file = spec.records / u64::from(spec.files.max(1));
    let mut line = String::with_capacity(256);
    for file in 0..spec.files.max(1) {
        let start = spec.start + u64::from(file) * 300;
        let at =
            jiff::Timestamp::from_second(start as i64).expect("a time of this era").to_zoned(jiff::tz::TimeZone::UTC);
        let (year, month, day, hour, minute) = (at.year(), at.month(), at.day(), at.hour(), at.minute());
        let folder = root.join(format!("AWSLogs/{account}/vpcflowlogs/{}/{year:04}/{month:02}/{day:02}", spec.region));
        std::fs::create_dir_all(&folder).expect("the folder can be created");
        let name = format!(
            "{account}_vpcflowlogs_{}_fl-0123456789abcdef0_{year:04}{month:02}{day:02}T{hour:02}{minute:02}Z_{:08x}.log.gz",
            spec.region,
            rng.random_range(0..u32::MAX)
        );
        let path = folder.join(name);
        let mut out = GzEncoder::new(
            std::io::BufWriter::new(std::fs::File::create(&path).expect("creatable")),
            Compression::default(),
        );
        writeln!(out, "{FORMAT}").expect("writable");
        let count = if file + 1 == spec.files.max(1) { spec.records - per_file * u64::from(file) } else { per_file };
        for _ in 0..count {
            let from_range = rng.random_range(0..hosts.len());
            let src = hosts[from_range][rng.random_range(0..hosts[from_range].len())];
            let internet = rng.random_range(0..8) == 0;
            let dst = if internet {
                Ipv4Addr::new(52, rng.random_range(0..=255), rng.random_range(0..=255), rng.random_range(1..255))
            } else {
                let to_range = rng.random_range(0..hosts.len());
                hosts[to_range][rng.random_range(0..hosts[to_range].len())]
            };
            let port: u16 = [443, 5432, 6379, 53, 8080][rng.random_range(0..5)];
            let ephemeral: u16 = rng.random_range(32768..61000);
            let packets: u64 = rng.random_range(1..2000);
            let bytes = packets * rng.random_range(40..1500);
            let (flow_start, flow_end) = (start + rng.random_range(0..240), start + 299);
            let path = if internet { "8" } else { "1" };
            for direction in ["egress", "ingress"] {
                if direction == "ingress" && internet {
                    continue;
                }
                line.clear();
                use std::fmt::Write as _;
                let _ = writeln!(
                    line,
                    "5 {account} eni-{:017x} {src} {dst} {ephemeral} {port} 6 {packets} {bytes} {flow_start} {flow_end} ACCEPT OK vpc-0a1b2c3d subnet-0a1b2c3d i-{:017x} {} use1-az1 {direction} {} {src} {dst} - -",
                    rng.random_range(0..u64::MAX >> 4),
                    rng.random_range(0..u64::MAX >> 4),
                    spec.region,
                    if direction == "egress" { path } else { "-" },
                );
                out.write_all(line.as_bytes()).expect("writable");
                written.text_bytes += line.len() as u64;
            }
            written.flows += 1;
            written.bytes += bytes;
            if !internet {
                written.ingress += 1;
            }
        }
        out.finish().expect("the gzip stream ends").flush().expect("flushed");
        written.files.push(path);
    }
    written
}
