//! Who talks to whom: the tally's groups joined into rows by sender, receiver and path, with
//! their top ports, sorted by bytes. What `isopod flows` shows and what `isopod cost` prices.

use crate::estimate::BYTES_PER_GB;
use crate::fixed::HOURS_PER_MONTH;
use crate::flows::{Format, ReadReport};
use crate::paths::{Hint, Path, Routes};
use crate::places::{INTERNET, Place, Places};
use crate::tally::{Key, Tally, Totals};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many ports a row lists.
const TOP_PORTS: usize = 3;

/// The traffic the flow logs show.
#[derive(Clone, Debug, Serialize)]
pub struct Traffic {
    /// The hours the flows span.
    pub window_hours: f64,
    /// The hours each source's flows span (0: they carry no times), for each source with flows:
    /// each source's traffic is scaled to a month by its own.
    pub windows: BTreeMap<Format, f64>,
    /// Sender, receiver and path, most bytes first.
    pub rows: Vec<TrafficRow>,
    /// What reading found.
    pub read: ReadReport,
}

/// Traffic from one place to another along one path.
#[derive(Clone, Debug, Serialize)]
pub struct TrafficRow {
    /// The sender.
    pub from: Place,
    /// The receiver.
    pub to: Place,
    /// The path.
    pub path: Path,
    /// Bytes in the window.
    pub bytes: u64,
    /// Packets in the window.
    pub packets: u64,
    /// Flow records summed.
    pub records: u64,
    /// Gigabytes in a month: the bytes of each source at the rate of its window.
    pub monthly_gb: f64,
    /// The ports with the most bytes.
    pub top_ports: Vec<PortShare>,
}

/// The bytes of one service port.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PortShare {
    /// `tcp`, `udp`, `icmp` or the protocol's number.
    pub protocol: String,
    /// The port.
    pub port: u16,
    /// Its bytes.
    pub bytes: u64,
}

impl PortShare {
    /// `443/tcp`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.port, self.protocol)
    }
}

impl Traffic {
    /// The rows of `tally`, their paths given by `routes`.
    pub fn new(tally: &Tally<'_>, places: &Places, routes: Routes<'_>, read: ReadReport) -> Traffic {
        // Paths are worked out once per group of flows that share them, not per port.
        let mut grouped: BTreeMap<Key, Group> = BTreeMap::new();
        for (key, totals) in &tally.groups {
            let group = grouped.entry(Key { protocol: 0, port: 0, ..*key }).or_default();
            group.totals.bytes += totals.bytes;
            group.totals.packets += totals.packets;
            group.totals.records += totals.records;
            *group.ports.entry((key.protocol, key.port)).or_default() += totals.bytes;
        }
        let hours = tally.spans.map(|span| span.hours());
        let scales = hours.map(|hours| if hours > 0.0 { HOURS_PER_MONTH / hours } else { 0.0 });
        let mut rows: BTreeMap<(Place, Place, String), TrafficRow> = BTreeMap::new();
        for (key, group) in grouped {
            let place = |id: u32| match key.service {
                Some(service) if id == INTERNET => Place::Service { service: service.name().to_string() },
                _ => places.get(id).clone(),
            };
            let (from_place, to_place) = (place(key.from), place(key.to));
            let hint =
                Hint { egress: key.egress, service: key.service, middlebox: key.middlebox.map(|id| places.get(id)) };
            let path = routes.path(&from_place, &to_place, hint);
            let row =
                rows.entry((from_place.clone(), to_place.clone(), path.via.clone())).or_insert_with(|| TrafficRow {
                    from: from_place,
                    to: to_place,
                    path,
                    bytes: 0,
                    packets: 0,
                    records: 0,
                    monthly_gb: 0.0,
                    top_ports: Vec::new(),
                });
            row.monthly_gb += group.totals.bytes as f64 / BYTES_PER_GB * scales[key.source.index()];
            row.bytes += group.totals.bytes;
            row.packets += group.totals.packets;
            row.records += group.totals.records;
            for ((protocol, port), bytes) in group.ports {
                let protocol = protocol_name(protocol);
                match row.top_ports.iter_mut().find(|share| share.port == port && share.protocol == protocol) {
                    Some(share) => share.bytes += bytes,
                    None => row.top_ports.push(PortShare { protocol, port, bytes }),
                }
            }
        }
        let mut rows: Vec<TrafficRow> = rows.into_values().collect();
        for row in &mut rows {
            row.top_ports.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.port.cmp(&b.port)));
            row.top_ports.truncate(TOP_PORTS);
        }
        rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to))));
        let windows =
            Format::ALL.into_iter().filter(|f| tally.has_flows[f.index()]).map(|f| (f, hours[f.index()])).collect();
        Traffic { window_hours: tally.window_hours(), windows, rows, read }
    }
}

#[derive(Default)]
struct Group {
    totals: Totals,
    ports: BTreeMap<(u8, u16), u64>,
}

fn protocol_name(protocol: u8) -> String {
    match protocol {
        1 => "icmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        50 => "esp".into(),
        58 => "icmpv6".into(),
        other => other.to_string(),
    }
}
