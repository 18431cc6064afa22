//! Where an address is, in the configuration's terms: a subnet of a network (with its zone), the
//! rest of a network's range, a site behind a host, a host's own address, a cloud service, the
//! internet, or a private address outside the configuration. The most particular range wins.

use isopod_lang::Topology;
use isopod_lang::cidr::Cidr;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::net::IpAddr;

/// A place traffic comes from or goes to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// A subnet of a network.
    Subnet {
        /// The network.
        network: String,
        /// The subnet.
        subnet: String,
        /// Its zone, when the configuration says.
        zone: Option<String>,
    },
    /// A network's range outside its declared subnets.
    Network {
        /// The network.
        network: String,
    },
    /// A range behind a host.
    Site {
        /// The host.
        host: String,
    },
    /// A host's own public address.
    Host {
        /// The host.
        host: String,
    },
    /// A cloud service reached at its public addresses (S3, DynamoDB).
    Service {
        /// The service's name.
        service: String,
    },
    /// A public address outside the configuration.
    Internet,
    /// A private address outside the configuration: another network, another account.
    Outside,
}

impl Place {
    /// How the place is written in tables: `app/web`, `app`, `host.dc`, `internet`.
    pub fn label(&self) -> String {
        match self {
            Place::Subnet { network, subnet, .. } => format!("{network}/{subnet}"),
            Place::Network { network } => network.clone(),
            Place::Site { host } => format!("host.{host} (site)"),
            Place::Host { host } => format!("host.{host}"),
            Place::Service { service } => service.clone(),
            Place::Internet => "internet".into(),
            Place::Outside => "outside the configuration".into(),
        }
    }

    /// The network the place is in, if it is in one.
    pub fn network(&self) -> Option<&str> {
        match self {
            Place::Subnet { network, .. } | Place::Network { network } => Some(network),
            _ => None,
        }
    }

    /// The host the place is behind or is, if any.
    pub fn host(&self) -> Option<&str> {
        match self {
            Place::Site { host } | Place::Host { host } => Some(host),
            _ => None,
        }
    }

    /// The zone, when known.
    pub fn zone(&self) -> Option<&str> {
        match self {
            Place::Subnet { zone, .. } => zone.as_deref(),
            _ => None,
        }
    }
}

/// A place's index among the places of a [`Places`].
pub type PlaceId = u32;

/// The index of [`Place::Internet`].
pub const INTERNET: PlaceId = 0;
/// The index of [`Place::Outside`].
pub const OUTSIDE: PlaceId = 1;

/// The configuration's ranges, for finding the place of an address fast: one hash table per
/// prefix length in use, longest first.
#[derive(Clone, Debug)]
pub struct Places {
    all: Vec<Place>,
    v4: Vec<(u8, FxHashMap<u32, PlaceId>)>,
    v6: Vec<(u8, FxHashMap<u128, PlaceId>)>,
}

impl Places {
    /// The places of `topology`'s networks, subnets and hosts.
    pub fn new(topology: &Topology) -> Places {
        let mut places = Places { all: vec![Place::Internet, Place::Outside], v4: Vec::new(), v6: Vec::new() };
        for network in &topology.networks {
            let id = places.add(Place::Network { network: network.name.clone() });
            places.insert(network.cidr.value, id);
            for subnet in &network.subnets {
                let zone = subnet.zone.as_ref().map(|zone| zone.value.clone());
                let id = places.add(Place::Subnet { network: network.name.clone(), subnet: subnet.name.clone(), zone });
                places.insert(subnet.cidr.value, id);
            }
        }
        for host in &topology.hosts {
            let site = places.add(Place::Site { host: host.name.clone() });
            for cidr in &host.cidrs {
                places.insert(cidr.value, site);
            }
            let own = places.add(Place::Host { host: host.name.clone() });
            let bits = if host.address.value.is_ipv4() { 32 } else { 128 };
            let address = Cidr::new(host.address.value, bits).expect("a whole address is a range");
            places.insert(address, own);
        }
        places.v4.sort_by_key(|(prefix, _)| std::cmp::Reverse(*prefix));
        places.v6.sort_by_key(|(prefix, _)| std::cmp::Reverse(*prefix));
        places
    }

    /// Adds `place` (or finds it), returning its index.
    pub fn add(&mut self, place: Place) -> PlaceId {
        match self.all.iter().position(|known| *known == place) {
            Some(at) => at as PlaceId,
            None => {
                self.all.push(place);
                (self.all.len() - 1) as PlaceId
            }
        }
    }

    /// Puts `id` at `cidr`; a later place of the same range wins (a subnet as wide as its
    /// network is the subnet, with its zone).
    fn insert(&mut self, cidr: Cidr, id: PlaceId) {
        let prefix = cidr.prefix();
        match cidr.addr() {
            IpAddr::V4(addr) => table(&mut self.v4, prefix).insert(mask4(u32::from(addr), prefix), id),
            IpAddr::V6(addr) => table(&mut self.v6, prefix).insert(mask6(u128::from(addr), prefix), id),
        };
    }

    /// The place of `address`.
    pub fn locate(&self, address: IpAddr) -> PlaceId {
        let found = match address {
            IpAddr::V4(addr) => {
                let bits = u32::from(addr);
                self.v4.iter().find_map(|(prefix, table)| table.get(&mask4(bits, *prefix)).copied())
            }
            IpAddr::V6(addr) => {
                let bits = u128::from(addr);
                self.v6.iter().find_map(|(prefix, table)| table.get(&mask6(bits, *prefix)).copied())
            }
        };
        found.unwrap_or(if is_private(address) { OUTSIDE } else { INTERNET })
    }

    /// The place with index `id`.
    pub fn get(&self, id: PlaceId) -> &Place {
        &self.all[id as usize]
    }
}

/// The table of ranges of length `prefix`, made when there is none yet.
fn table<K>(tables: &mut Vec<(u8, FxHashMap<K, PlaceId>)>, prefix: u8) -> &mut FxHashMap<K, PlaceId> {
    let at = match tables.iter().position(|(length, _)| *length == prefix) {
        Some(at) => at,
        None => {
            tables.push((prefix, FxHashMap::default()));
            tables.len() - 1
        }
    };
    &mut tables[at].1
}

fn mask4(bits: u32, prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { bits & (u32::MAX << (32 - prefix)) }
}

fn mask6(bits: u128, prefix: u8) -> u128 {
    if prefix == 0 { 0 } else { bits & (u128::MAX << (128 - prefix)) }
}

/// Whether `address` is not routed on the internet (RFC 1918, shared address space, link-local,
/// loopback, unique local): traffic to it stays in some private network.
pub(crate) fn is_private(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(addr) => {
            let shared = addr.octets()[0] == 100 && (addr.octets()[1] & 0xc0) == 64;
            addr.is_private() || addr.is_link_local() || addr.is_loopback() || shared
        }
        IpAddr::V6(addr) => {
            let first = addr.segments()[0];
            addr.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}
