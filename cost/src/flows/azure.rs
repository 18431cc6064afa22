//! Azure virtual network flow logs: JSON files of `records`, each with
//! `flowRecords.flows[].flowGroups[].flowTuples`, a tuple being
//! `time,src,dst,sport,dport,protocol,direction,state,encryption,packets sent,bytes sent,packets
//! received,bytes received` (time in milliseconds since 1970, or seconds in older samples).
//!
//! Counting: each tuple gives both directions of its connection since the previous tuple: sent
//! (source to destination) and received (back). The half its VM sent (an outbound tuple's sent
//! bytes, an inbound one's replies) is the sender's own record; the half it received is passed on
//! as [`Seen::Receiver`], counted only when the other end's place logs nothing it sends (another
//! VNet's flow logs, or an AWS or GCP network's, already count it). A flow's first tuple (`B`)
//! carries no counts, a denied one (`D`) no traffic.

use super::json::nested_entries;
use super::record::{Egress, Flow, ReadReport, Seen};
use serde::Deserialize;
use std::io::BufRead;
use std::net::IpAddr;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    flow_records: FlowRecords,
}

#[derive(Deserialize)]
struct FlowRecords {
    flows: Vec<AclFlows>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AclFlows {
    flow_groups: Vec<FlowGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FlowGroup {
    flow_tuples: Vec<String>,
}

/// Reads the flow-log file `input` (named `file`), one record at a time, passing both halves of
/// each tuple that carries traffic to `each`; a malformed record or tuple is counted at its
/// record's position.
pub fn read(
    file: &str,
    input: impl BufRead,
    report: &mut ReadReport,
    mut each: impl FnMut(&Flow),
) -> Result<(), String> {
    nested_entries(file, input, "records", report, |record: Record, position, report: &mut ReadReport| {
        for tuple in record.flow_records.flows.iter().flat_map(|f| &f.flow_groups).flat_map(|g| &g.flow_tuples) {
            if let Err(reason) = read_tuple(tuple, report, &mut each) {
                report.malformed(file, position, format!("record {position}: {reason}"));
            }
        }
        Ok(())
    })
}

fn read_tuple(tuple: &str, report: &mut ReadReport, each: &mut impl FnMut(&Flow)) -> Result<(), String> {
    report.records += 1;
    let fields: Vec<&str> = tuple.split(',').collect();
    let [
        time,
        src,
        dst,
        sport,
        dport,
        protocol,
        direction,
        state,
        _encryption,
        sent_packets,
        sent_bytes,
        received_packets,
        received_bytes,
    ] = fields[..]
    else {
        return Err(format!("the tuple `{tuple}` has {} fields, not 13", fields.len()));
    };
    let outbound = match direction {
        "O" => true,
        "I" => false,
        other => return Err(format!("`{other}` is not a direction (I or O)")),
    };
    match state {
        "B" | "D" => {
            report.no_traffic += 1;
            return Ok(());
        }
        "C" | "E" => {}
        other => return Err(format!("`{other}` is not a flow state (B, C, E, D)")),
    }
    let number = |text: &str, what: &str| -> Result<u64, String> {
        if text.is_empty() { Ok(0) } else { text.parse().map_err(|_| format!("`{text}` is not a valid {what}")) }
    };
    let address = |text: &str| text.parse::<IpAddr>().map_err(|_| format!("`{text}` is not an address"));
    let port = |text: &str| text.parse::<u16>().map_err(|_| format!("`{text}` is not a port"));
    let time = number(time, "time")?;
    // Milliseconds since 1970 have 13 digits until 2286; seconds have 10.
    let seconds = if time > 100_000_000_000 { time / 1000 } else { time };
    let flow = Flow {
        src: address(src)?,
        dst: address(dst)?,
        src_port: port(sport)?,
        dst_port: port(dport)?,
        protocol: protocol.parse().map_err(|_| format!("`{protocol}` is not a protocol"))?,
        packets: number(sent_packets, "packet count")?,
        bytes: number(sent_bytes, "byte count")?,
        start: seconds,
        end: seconds,
        egress: Egress::Unknown,
        service: None,
        middlebox: None,
        seen: Seen::Sender,
        source: super::Format::Azure,
    };
    let back = Flow {
        src: flow.dst,
        dst: flow.src,
        src_port: flow.dst_port,
        dst_port: flow.src_port,
        packets: number(received_packets, "packet count")?,
        bytes: number(received_bytes, "byte count")?,
        ..flow
    };
    // The VM's own half counts the tuple; the other half waits on its sender's logs.
    let (sent, received) = if outbound { (flow, back) } else { (back, flow) };
    let received = Flow { seen: Seen::Receiver { counts_record: false }, ..received };
    report.counted += 1;
    each(&sent);
    if received.bytes > 0 {
        each(&received);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(tuples: &[&str]) -> String {
        let tuples: Vec<String> = tuples.iter().map(|t| format!("\"{t}\"")).collect();
        format!(
            r#"{{"records":[{{"time":"2022-09-14T09:00:52.5625085Z","flowLogVersion":4,"flowLogGUID":"66aa66aa-bb77-cc88-dd99-00ee00ee00ee","macAddress":"112233445566","category":"FlowLogFlowEvent","flowLogResourceID":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_EASTUS2EUAP/FLOWLOGS/VNETFLOWLOG","targetResourceID":"/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/virtualNetworks/app","operationName":"FlowLogFlowEvent","flowRecords":{{"flows":[{{"aclID":"00aa00aa-bb11-cc22-dd33-44ee44ee44ee","flowGroups":[{{"rule":"DefaultRule_AllowInternetOutBound","flowTuples":[{}]}}]}}]}}}}]}}"#,
            tuples.join(",")
        )
    }

    fn read_text(text: &str) -> (Vec<Flow>, ReadReport) {
        let mut flows = Vec::new();
        let mut report = ReadReport::default();
        read("flow.json", text.as_bytes(), &mut report, |flow| {
            if !matches!(flow.seen, Seen::Receiver { .. }) {
                flows.push(*flow)
            }
        })
        .unwrap();
        (flows, report)
    }

    #[test]
    fn each_tuple_gives_what_its_vm_sent_and_what_it_received_from_others_that_may_not_log() {
        let mut flows = Vec::new();
        let mut report = ReadReport::default();
        let text = file(&[
            "1663146003599,10.0.0.6,192.0.2.180,23956,443,6,O,B,NX,0,0,0,0",
            "1663146003606,10.0.0.6,192.0.2.180,23956,443,6,O,E,NX,3,767,2,1580",
            "1663146003637,10.0.0.4,10.0.0.6,22,35370,6,I,C,NX,5,400,2,100",
            "1663146003640,10.0.0.6,192.0.2.9,123,123,17,O,D,NX,0,0,0,0",
            "1663146003650,198.51.100.7,10.0.0.6,51000,443,6,I,E,NX,4,300,6,9000",
        ]);
        read("flow.json", text.as_bytes(), &mut report, |flow| flows.push(*flow)).unwrap();
        let receiver = Seen::Receiver { counts_record: false };
        let seen: Vec<(String, u64, Seen)> = flows.iter().map(|f| (f.src.to_string(), f.bytes, f.seen)).collect();
        let expected = [
            // An outbound tuple: what the VM sent, and the replies, which their sender may log.
            ("10.0.0.6", 767, Seen::Sender),
            ("192.0.2.180", 1580, receiver),
            // Inbound tuples: the VM's replies, and what the other end sent it.
            ("10.0.0.6", 100, Seen::Sender),
            ("10.0.0.4", 400, receiver),
            ("10.0.0.6", 9000, Seen::Sender),
            ("198.51.100.7", 300, receiver),
        ];
        let expected: Vec<(String, u64, Seen)> = expected.iter().map(|(a, b, c)| (a.to_string(), *b, *c)).collect();
        assert_eq!(seen, expected);
        assert_eq!(flows[0].start, 1_663_146_003);
        assert_eq!((report.records, report.counted, report.other_end, report.no_traffic), (5, 3, 0, 2));
    }

    #[test]
    fn records_are_read_one_at_a_time_from_a_pretty_printed_file() {
        let one = file(&["1663146003606,10.0.0.6,192.0.2.180,1,443,6,O,E,NX,3,767,2,0"]);
        let record: serde_json::Value = serde_json::from_str(&one).unwrap();
        let record = &record["records"][0];
        let pretty = serde_json::to_string_pretty(&serde_json::json!({
            "records": [record, {"flowRecords": "not flows"}, record],
        }))
        .unwrap();
        let (flows, report) = read_text(&pretty);
        assert_eq!(flows.len(), 2, "the first and third records");
        assert_eq!(report.malformed_samples.iter().map(|m| m.line).collect::<Vec<_>>(), [2], "the second");
    }

    #[test]
    fn a_malformed_tuple_is_counted_and_the_others_are_read() {
        let (flows, report) =
            read_text(&file(&["1663146003606,10.0.0.6,192.0.2.180,1,443,6,O,E,NX,3,767,2,0", "1663146003606,nope"]));
        assert_eq!(flows.len(), 1);
        assert_eq!(report.malformed, 1);
        assert!(report.malformed_samples[0].reason.contains("record 1"), "{:?}", report.malformed_samples);
    }
}
