//! The tally of the flows read: bytes, packets and records by where they came from and went to,
//! the port of the service, and what the record said of the way out. Small however many flows
//! there are: its size is the places and services that talk, not the records.

use crate::flows::{Egress, Flow, Service, Sink};
use crate::places::{INTERNET, PlaceId, Places};
use rustc_hash::FxHashMap;

/// What a group of flows shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The sender's place.
    pub from: PlaceId,
    /// The receiver's place.
    pub to: PlaceId,
    /// The cloud service at the end on the internet, when the record says so.
    pub service: Option<Service>,
    /// The place of the middlebox that passed the flow on (a NAT gateway), when known.
    pub middlebox: Option<PlaceId>,
    /// The way out the record names.
    pub egress: Egress,
    /// The IP protocol.
    pub protocol: u8,
    /// The service's port ([`Flow::service_port`]).
    pub port: u16,
}

/// Sums of a group of flows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Bytes.
    pub bytes: u64,
    /// Packets.
    pub packets: u64,
    /// Flow records.
    pub records: u64,
}

impl Totals {
    fn add(&mut self, other: Totals) {
        self.bytes += other.bytes;
        self.packets += other.packets;
        self.records += other.records;
    }
}

/// Flows summed by [`Key`], with the time they span.
#[derive(Clone, Debug)]
pub struct Tally<'places> {
    places: &'places Places,
    /// The sums.
    pub groups: FxHashMap<Key, Totals>,
    /// The earliest second a flow covers (Unix time; `u64::MAX` before any).
    pub first: u64,
    /// The latest.
    pub last: u64,
}

impl<'places> Tally<'places> {
    /// An empty tally over `places`.
    pub fn new(places: &'places Places) -> Tally<'places> {
        Tally { places, groups: FxHashMap::default(), first: u64::MAX, last: 0 }
    }

    /// The hours the flows span (at least one second's worth, so that a single record has a
    /// window).
    pub fn window_hours(&self) -> f64 {
        if self.first > self.last {
            return 0.0;
        }
        (self.last - self.first).max(1) as f64 / 3600.0
    }
}

impl Sink for Tally<'_> {
    fn add(&mut self, flow: &Flow) {
        let from = self.places.locate(flow.src);
        let to = self.places.locate(flow.dst);
        let key = Key {
            from,
            to,
            service: flow.service.filter(|_| from == INTERNET || to == INTERNET),
            middlebox: flow.middlebox.map(|address| self.places.locate(address)),
            egress: flow.egress,
            protocol: flow.protocol,
            port: flow.service_port(),
        };
        self.groups.entry(key).or_default().add(Totals { bytes: flow.bytes, packets: flow.packets, records: 1 });
        if flow.start > 0 {
            self.first = self.first.min(flow.start);
        }
        self.last = self.last.max(flow.end);
    }

    fn merge(&mut self, other: Tally<'_>) {
        for (key, totals) in other.groups {
            self.groups.entry(key).or_default().add(totals);
        }
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
    }
}
