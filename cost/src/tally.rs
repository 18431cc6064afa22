//! The tally of the flows read: bytes, packets and records by where they came from and went to,
//! the port of the service, and what the record said of the way out. Small however many flows
//! there are: its size is the places and services that talk, not the records.
//!
//! Flows seen only by their receiver are summed apart, by the place of who sent them, and count
//! once every source is read if that place never logged a flow it sent: so a network without
//! flow logs (or a host, or the internet) still shows what it sends to one that has them.

use crate::flows::{Egress, Flow, Format, Seen, Service, Sink};
use crate::places::{INTERNET, PlaceId, Places};
use rustc_hash::{FxHashMap, FxHashSet};

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
    /// The flow logs it was read from, whose window scales it to a month.
    pub source: Format,
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

/// Flows seen by their receiver only, and the seconds they span.
#[derive(Clone, Copy, Debug, Default)]
struct Received {
    totals: Totals,
    span: Span,
}

/// The seconds flows cover: the earliest (Unix time; `u64::MAX` before any) and the latest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The earliest second.
    pub first: u64,
    /// The latest.
    pub last: u64,
}

impl Default for Span {
    fn default() -> Span {
        Span { first: u64::MAX, last: 0 }
    }
}

impl Span {
    /// The shortest window a capture has: a minute, what AWS and Azure aggregate at the least
    /// (so that a single record, or Azure's tuples of one minute, are not a second's traffic).
    const SHORTEST_SECONDS: u64 = 60;

    /// Widens it to `first..=last` (`first` 0: unknown).
    fn cover(&mut self, first: u64, last: u64) {
        if first > 0 {
            self.first = self.first.min(first);
        }
        self.last = self.last.max(last);
    }

    fn join(&mut self, other: Span) {
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
    }

    /// The hours it spans (at least a minute); 0 without times.
    pub fn hours(self) -> f64 {
        if self.first > self.last {
            return 0.0;
        }
        (self.last - self.first).max(Self::SHORTEST_SECONDS) as f64 / 3600.0
    }
}

/// Flows summed by [`Key`], with the time they span.
#[derive(Clone, Debug)]
pub struct Tally<'places> {
    places: &'places Places,
    /// The sums.
    pub groups: FxHashMap<Key, Totals>,
    /// The time each source's flows cover (by [`Format::index`]).
    pub spans: [Span; 3],
    /// Which sources have flows (by [`Format::index`]).
    pub has_flows: [bool; 3],
    /// The places whose own records show what they send.
    logging: FxHashSet<PlaceId>,
    /// What receivers saw, by group (whose `from` is the sender's place).
    received: FxHashMap<Key, Received>,
}

impl<'places> Tally<'places> {
    /// An empty tally over `places`.
    pub fn new(places: &'places Places) -> Tally<'places> {
        Tally {
            places,
            groups: FxHashMap::default(),
            spans: [Span::default(); 3],
            has_flows: [false; 3],
            logging: FxHashSet::default(),
            received: FxHashMap::default(),
        }
    }

    /// The group of a flow.
    fn key(&self, flow: &Flow) -> Key {
        let from = self.places.locate(flow.src);
        let to = self.places.locate(flow.dst);
        Key {
            from,
            to,
            service: flow.service.filter(|_| from == INTERNET || to == INTERNET),
            middlebox: flow.middlebox.map(|address| self.places.locate(address)),
            egress: flow.egress,
            protocol: flow.protocol,
            port: flow.service_port(),
            source: flow.source,
        }
    }

    /// The hours all the flows span, whatever their source.
    pub fn window_hours(&self) -> f64 {
        let mut all = Span::default();
        self.spans.iter().for_each(|span| all.join(*span));
        all.hours()
    }
}

impl Sink for Tally<'_> {
    fn add(&mut self, flow: &Flow) {
        let key = self.key(flow);
        // Only networks log flows: a record of a public or outside address as a sender (one an
        // appliance forwarded, an IPv6 one) never stands for all of the internet.
        if flow.seen == Seen::Sender && self.places.get(key.from).network().is_some() {
            self.logging.insert(key.from);
        }
        if flow.bytes == 0 && flow.packets == 0 {
            return;
        }
        self.groups.entry(key).or_default().add(Totals { bytes: flow.bytes, packets: flow.packets, records: 1 });
        self.spans[flow.source.index()].cover(flow.start, flow.end);
        self.has_flows[flow.source.index()] = true;
    }

    fn received(&mut self, flow: &Flow, counts_record: bool) {
        let key = self.key(flow);
        let records = u64::from(counts_record);
        let totals = Totals { bytes: flow.bytes, packets: flow.packets, records };
        let seen = self.received.entry(key).or_default();
        seen.totals.add(totals);
        seen.span.cover(flow.start, flow.end);
    }

    fn merge(&mut self, other: Tally<'_>) {
        for (key, totals) in other.groups {
            self.groups.entry(key).or_default().add(totals);
        }
        for (mine, theirs) in self.spans.iter_mut().zip(other.spans) {
            mine.join(theirs);
        }
        for (mine, theirs) in self.has_flows.iter_mut().zip(other.has_flows) {
            *mine |= theirs;
        }
        self.logging.extend(other.logging);
        for (key, seen) in other.received {
            let mine = self.received.entry(key).or_default();
            mine.totals.add(seen.totals);
            mine.span.join(seen.span);
        }
    }

    /// Counts what receivers saw of senders whose place logs nothing it sends.
    fn finish(&mut self) -> u64 {
        let mut counted = 0;
        for (key, seen) in std::mem::take(&mut self.received) {
            if self.logging.contains(&key.from) {
                continue;
            }
            counted += seen.totals.records;
            self.groups.entry(key).or_default().add(seen.totals);
            self.spans[key.source.index()].join(seen.span);
            self.has_flows[key.source.index()] = true;
        }
        counted
    }
}
