//! GCP VPC Flow Logs: Cloud Logging entries (log `compute.googleapis.com%2Fvpc_flows`) as they
//! are exported, newline-delimited (a Cloud Storage sink) or as one array (`gcloud logging read
//! --format=json`). The flow is the entry's `jsonPayload`: `connection` (`src_ip`, `dest_ip`,
//! `src_port`, `dest_port`, `protocol`), `bytes_sent` and `packets_sent` (strings), `reporter`,
//! `start_time` and `end_time`.
//!
//! Counting: a flow is counted from its source's report (`SRC`). The other reports are views of
//! it from the receiving side, passed on as [`Seen::Receiver`], which count only when the
//! source's place logs nothing it sends: a `DEST` report (its source outside any VPC, or in a
//! subnetwork without flow logs), and a gateway's `SRC_GATEWAY` report of a flow it let in (a
//! Cloud VPN tunnel's or an Interconnect attachment's, whose sender is in another cloud or a
//! site). A flow in by a gateway is reported by its destination too (`DEST` with `src_gateway`):
//! such reports are held until the file ends, and passed on only when no `SRC_GATEWAY` report of
//! the same connection over an overlapping window came. Flow logs sample packets: counts are multiplied by the
//! scale the caller gives (1 / the subnetworks' flow sampling), which the report states.

use super::json::{entries, unix_seconds};
use super::record::{Egress, Flow, ReadReport, Seen};
use serde::Deserialize;
use std::io::BufRead;
use std::net::IpAddr;

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "jsonPayload")]
    payload: Payload,
}

#[derive(Deserialize)]
struct Payload {
    connection: Connection,
    bytes_sent: Count,
    #[serde(default)]
    packets_sent: Option<Count>,
    reporter: String,
    start_time: Option<String>,
    end_time: Option<String>,
    #[serde(default)]
    src_gateway: Option<serde::de::IgnoredAny>,
}

/// A flow's connection: what two reports of it share (their windows overlap; each reporter
/// aggregates and samples on its own, so they need not be equal).
type FlowId = (IpAddr, IpAddr, u16, u16, u8);

fn flow_id(flow: &Flow) -> FlowId {
    (flow.src, flow.dst, flow.src_port, flow.dst_port, flow.protocol)
}

#[derive(Deserialize)]
struct Connection {
    src_ip: IpAddr,
    dest_ip: IpAddr,
    #[serde(default)]
    src_port: u16,
    #[serde(default)]
    dest_port: u16,
    #[serde(default)]
    protocol: u8,
}

/// A count, which the logs write as a string of digits (and some exports as a number).
#[derive(Deserialize)]
#[serde(untagged)]
enum Count {
    Text(String),
    Number(u64),
}

impl Count {
    fn value(&self) -> Result<u64, String> {
        match self {
            Count::Number(n) => Ok(*n),
            Count::Text(text) => text.parse().map_err(|_| format!("`{text}` is not a count")),
        }
    }
}

/// Reads the entries of `input` (named `file`), passing each flow that counts, and each
/// receiver's view that may ([`Seen::Receiver`]), its counts multiplied by `scale`, to `each`.
pub fn read(
    file: &str,
    input: impl BufRead,
    scale: f64,
    report: &mut ReadReport,
    mut each: impl FnMut(&Flow),
) -> Result<(), String> {
    if scale != 1.0 {
        let line = format!("gcp: counts ×{scale} (flow sampling {:.3})", 1.0 / scale);
        if !report.scaling.contains(&line) {
            report.scaling.push(line);
        }
    }
    // Reports by gateways of flows they let in, and destinations' reports of flows in by a
    // gateway: the second count only without the first.
    let mut from_gateways: std::collections::HashMap<FlowId, Vec<(u64, u64)>> = Default::default();
    let mut held: Vec<Flow> = Vec::new();
    entries(file, input, report, |entry: Entry, _, report: &mut ReadReport| {
        report.records += 1;
        let payload = entry.payload;
        let by_sender = match payload.reporter.as_str() {
            "SRC" => true,
            "DEST" | "DEST_GATEWAY" | "SRC_GATEWAY" => false,
            other => return Err(format!("`{other}` is not a reporter (SRC, DEST, SRC_GATEWAY, DEST_GATEWAY)")),
        };
        let time = |text: &Option<String>| match text {
            Some(text) => unix_seconds(text).ok_or_else(|| format!("`{text}` is not an RFC 3339 time")),
            None => Ok(0),
        };
        let scaled = |count: u64| (count as f64 * scale).round() as u64;
        let connection = payload.connection;
        let flow = Flow {
            src: connection.src_ip,
            dst: connection.dest_ip,
            src_port: connection.src_port,
            dst_port: connection.dest_port,
            protocol: connection.protocol,
            packets: scaled(payload.packets_sent.map(|count| count.value()).transpose()?.unwrap_or(0)),
            bytes: scaled(payload.bytes_sent.value()?),
            start: time(&payload.start_time)?,
            end: time(&payload.end_time)?,
            egress: Egress::Unknown,
            service: None,
            middlebox: None,
            seen: match by_sender {
                true => Seen::Sender,
                false => Seen::Receiver { counts_record: true },
            },
            source: super::Format::Gcp,
        };
        if by_sender {
            report.counted += 1;
        } else {
            report.other_end += 1;
        }
        match payload.reporter.as_str() {
            "SRC_GATEWAY" => {
                from_gateways.entry(flow_id(&flow)).or_default().push((flow.start, flow.end));
            }
            "DEST" if payload.src_gateway.is_some() => {
                held.push(flow);
                return Ok(());
            }
            _ => {}
        }
        each(&flow);
        Ok(())
    })?;
    let reported_by_gateway = |flow: &Flow| {
        let windows = from_gateways.get(&flow_id(flow)).map(Vec::as_slice).unwrap_or_default();
        windows.iter().any(|&(start, end)| start <= flow.end && flow.start <= end)
    };
    for flow in held.into_iter().filter(|flow| !reported_by_gateway(flow)) {
        each(&flow);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(reporter: &str, src_vpc: bool, bytes: &str) -> String {
        let vpc = if src_vpc { r#","src_vpc":{"project_id":"p","vpc_name":"app","subnetwork_name":"a"}"# } else { "" };
        format!(
            r#"{{"insertId":"1","logName":"projects/p/logs/compute.googleapis.com%2Fvpc_flows","jsonPayload":{{"connection":{{"src_ip":"10.2.0.5","dest_ip":"10.0.1.9","src_port":41234,"dest_port":443,"protocol":6}},"bytes_sent":{bytes},"packets_sent":"10","reporter":"{reporter}","start_time":"2026-11-30T10:00:00.5Z","end_time":"2026-11-30T10:00:05Z"{vpc}}}}}"#
        )
    }

    fn read_text(text: &str, scale: f64) -> (Vec<Flow>, ReadReport) {
        let mut flows = Vec::new();
        let mut report = ReadReport::default();
        read("flows.json", text.as_bytes(), scale, &mut report, |flow| {
            if !matches!(flow.seen, Seen::Receiver { .. }) {
                flows.push(*flow)
            }
        })
        .unwrap();
        (flows, report)
    }

    /// Every flow passed on, with whose record it is.
    fn read_seen(text: &str) -> (Vec<(u64, Seen)>, ReadReport) {
        let mut flows = Vec::new();
        let mut report = ReadReport::default();
        read("flows.json", text.as_bytes(), 1.0, &mut report, |flow| flows.push((flow.bytes, flow.seen))).unwrap();
        (flows, report)
    }

    #[test]
    fn a_flow_counts_from_its_sources_report_and_the_destinations_stands_by() {
        let text =
            [entry("SRC", true, r#""1776""#), entry("DEST", true, r#""1776""#), entry("DEST", false, "900")].join("\n");
        let (flows, report) = read_seen(&text);
        let receiver = Seen::Receiver { counts_record: true };
        assert_eq!(flows, [(1776, Seen::Sender), (1776, receiver), (900, receiver)]);
        assert_eq!((report.records, report.counted, report.other_end), (3, 1, 2));
        let (flows, _) = read_text(&text, 1.0);
        assert_eq!(flows[0].start, 1_796_032_800);
    }

    #[test]
    fn a_flow_in_by_a_gateway_counts_once_whether_or_not_the_gateway_reports_it() {
        let by_gateway = |reporter: &str, port: u16| {
            entry(reporter, false, r#""500""#).replace("41234", &port.to_string()).replace(
                r#""reporter""#,
                r#""src_gateway":{"type":"VPN_TUNNEL","project_id":"p","vpc":"app","name":"to-dc"},"reporter""#,
            )
        };
        // The destination's report comes first; the gateway's, later in the file.
        // The gateway's report aggregates its own window, which overlaps the destination's.
        let gateway = by_gateway("SRC_GATEWAY", 1000).replace("10:00:05Z", "10:00:07Z");
        let text = [by_gateway("DEST", 1000), by_gateway("DEST", 2000), gateway].join("\n");
        let mut ports = Vec::new();
        let mut report = ReadReport::default();
        read("flows.json", text.as_bytes(), 1.0, &mut report, |flow| ports.push(flow.src_port)).unwrap();
        assert_eq!(ports, [1000, 2000], "the gateway's report of one, the destination's of the other");
        assert_eq!((report.counted, report.other_end), (0, 3), "both sides' views of senders elsewhere");
    }

    #[test]
    fn an_array_export_is_read_and_sampled_counts_are_scaled() {
        let text = format!("[{}, {}]", entry("SRC", true, r#""1000""#), entry("SRC", true, r#""10""#));
        let (flows, report) = read_text(&text, 2.0);
        assert_eq!(flows.iter().map(|f| f.bytes).collect::<Vec<_>>(), [2000, 20]);
        assert_eq!(report.scaling, ["gcp: counts ×2 (flow sampling 0.500)"]);
    }

    #[test]
    fn malformed_entries_are_counted_by_line_and_position() {
        let lines = [entry("SRC", true, r#""1000""#), "{not json".into(), entry("SRC", true, r#""lots""#)].join("\n");
        let (flows, report) = read_text(&lines, 1.0);
        assert_eq!(flows.len(), 1);
        assert_eq!(report.malformed_samples.iter().map(|m| m.line).collect::<Vec<_>>(), [2, 3]);
        let array = format!("[{}, {{\"jsonPayload\": 5}}]", entry("SRC", true, "7"));
        let (flows, report) = read_text(&array, 1.0);
        assert_eq!((flows.len(), report.malformed_samples[0].line), (1, 2));
    }
}
