//! IPv4 and IPv6 CIDR ranges: parsing, containment, overlap and subnet arithmetic.

use serde::{Serialize, Serializer};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A network range such as `10.0.0.0/16`, with no host bits set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

/// Why a string is not a valid CIDR.
#[derive(Debug, PartialEq)]
pub enum CidrError {
    /// Not of the form `ADDRESS/PREFIX`, or the prefix is too long for the address family.
    Malformed,
    /// Valid syntax, but bits beyond the prefix are set; holds the network the user probably meant.
    HostBitsSet(Cidr),
}

impl Cidr {
    /// Parses `ADDRESS/PREFIX`, refusing host bits beyond the prefix.
    pub fn parse(text: &str) -> Result<Cidr, CidrError> {
        let (addr, prefix) = text.split_once('/').ok_or(CidrError::Malformed)?;
        let addr: IpAddr = addr.parse().map_err(|_| CidrError::Malformed)?;
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CidrError::Malformed);
        }
        let prefix: u8 = prefix.parse().map_err(|_| CidrError::Malformed)?;
        let cidr = Cidr::new(addr, prefix).ok_or(CidrError::Malformed)?;
        if cidr.addr != addr {
            return Err(CidrError::HostBitsSet(cidr));
        }
        Ok(cidr)
    }

    /// The network of `addr` with `prefix` bits (host bits cleared), if the prefix fits.
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Cidr> {
        let bits = family_bits(addr);
        if prefix > bits {
            return None;
        }
        let network = from_bits(addr, to_bits(addr) & mask(bits, prefix));
        Some(Cidr { addr: network, prefix })
    }

    /// The network address.
    pub fn addr(self) -> IpAddr {
        self.addr
    }

    /// The prefix length.
    pub fn prefix(self) -> u8 {
        self.prefix
    }

    /// True for IPv4 ranges.
    pub fn is_ipv4(self) -> bool {
        self.addr.is_ipv4()
    }

    /// The number of address bits of the family (32 or 128).
    pub fn family_bits(self) -> u8 {
        family_bits(self.addr)
    }

    /// The first address as an integer.
    pub fn first(self) -> u128 {
        to_bits(self.addr)
    }

    /// The last address as an integer.
    pub fn last(self) -> u128 {
        self.first() | !mask(self.family_bits(), self.prefix) & full(self.family_bits())
    }

    /// True when `other` lies entirely inside `self`.
    pub fn contains(self, other: Cidr) -> bool {
        self.is_ipv4() == other.is_ipv4() && self.first() <= other.first() && other.last() <= self.last()
    }

    /// True when the two ranges share at least one address.
    pub fn overlaps(self, other: Cidr) -> bool {
        self.is_ipv4() == other.is_ipv4() && self.first() <= other.last() && other.first() <= self.last()
    }

    /// The `netnum`-th subnet with `newbits` more prefix bits (`cidrsubnet`).
    pub fn subnet(self, newbits: u8, netnum: u128) -> Result<Cidr, String> {
        let bits = self.family_bits();
        let prefix = self.prefix as u32 + newbits as u32;
        if prefix > bits as u32 {
            return Err(format!("/{} plus {newbits} bits is longer than /{bits}", self.prefix));
        }
        if newbits < 128 && netnum >= 1u128 << newbits {
            return Err(format!("{newbits} new bits hold {} subnets; {netnum} is out of range", 1u128 << newbits));
        }
        let shifted = if prefix as u8 == bits { netnum } else { netnum << (bits as u32 - prefix) };
        Ok(Cidr { addr: from_bits(self.addr, self.first() | shifted), prefix: prefix as u8 })
    }

    /// The `hostnum`-th address of the range (`cidrhost`); negative numbers count from the end.
    pub fn host(self, hostnum: i128) -> Result<IpAddr, String> {
        let size = self.last() - self.first();
        let offset = if hostnum >= 0 {
            hostnum as u128
        } else {
            size.checked_sub(hostnum.unsigned_abs() - 1).ok_or("host number out of range")?
        };
        if offset > size {
            return Err(format!("{self} has no host number {hostnum}"));
        }
        Ok(from_bits(self.addr, self.first() + offset))
    }

    /// The dotted netmask of an IPv4 range (`cidrnetmask`).
    pub fn netmask(self) -> Option<Ipv4Addr> {
        self.is_ipv4().then(|| Ipv4Addr::from(mask(32, self.prefix) as u32))
    }
}

fn family_bits(addr: IpAddr) -> u8 {
    if addr.is_ipv4() { 32 } else { 128 }
}

fn full(bits: u8) -> u128 {
    if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 }
}

fn mask(bits: u8, prefix: u8) -> u128 {
    if prefix == 0 { 0 } else { full(bits) & !(full(bits) >> prefix) }
}

fn to_bits(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(v4) => u32::from(v4) as u128,
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn from_bits(family: IpAddr, bits: u128) -> IpAddr {
    match family {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(bits as u32)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(bits)),
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        Cidr::parse(text).unwrap()
    }

    #[test]
    fn parses_and_refuses_host_bits() {
        assert_eq!(cidr("10.0.0.0/16").to_string(), "10.0.0.0/16");
        assert_eq!(Cidr::parse("10.0.0.1/16"), Err(CidrError::HostBitsSet(cidr("10.0.0.0/16"))));
        assert_eq!(Cidr::parse("10.0.0.0/33"), Err(CidrError::Malformed));
        assert_eq!(Cidr::parse("10.0.0/8"), Err(CidrError::Malformed));
        assert_eq!(Cidr::parse("10.0.0.0"), Err(CidrError::Malformed));
        assert_eq!(cidr("fd00::/8").to_string(), "fd00::/8");
    }

    #[test]
    fn subnet_host_netmask() {
        assert_eq!(cidr("10.1.0.0/16").subnet(8, 2).unwrap(), cidr("10.1.2.0/24"));
        assert_eq!(cidr("172.16.0.0/12").subnet(4, 15).unwrap(), cidr("172.31.0.0/16"));
        assert!(cidr("10.0.0.0/30").subnet(3, 0).is_err());
        assert!(cidr("10.0.0.0/16").subnet(2, 4).is_err());
        assert_eq!(cidr("fd00::/56").subnet(8, 1).unwrap(), cidr("fd00:0:0:1::/64"));
        assert_eq!(cidr("10.0.0.0/24").host(5).unwrap().to_string(), "10.0.0.5");
        assert_eq!(cidr("10.0.0.0/24").host(-2).unwrap().to_string(), "10.0.0.254");
        assert!(cidr("10.0.0.0/30").host(4).is_err());
        assert_eq!(cidr("10.0.0.0/12").netmask().unwrap().to_string(), "255.240.0.0");
    }

    #[test]
    fn containment_and_overlap() {
        assert!(cidr("10.0.0.0/8").contains(cidr("10.1.0.0/16")));
        assert!(!cidr("10.1.0.0/16").contains(cidr("10.0.0.0/8")));
        assert!(cidr("10.0.0.0/8").overlaps(cidr("10.255.0.0/16")));
        assert!(!cidr("10.0.0.0/16").overlaps(cidr("10.1.0.0/16")));
        assert!(!cidr("10.0.0.0/8").overlaps(cidr("fd00::/8")));
    }
}
