//! Functions on address ranges.

use super::{FnError, FnResult, integer, invalid, string};
use crate::cidr::{Cidr, CidrError};
use crate::eval::Value;
use crate::host::Host;

fn cidr(args: &[Value], idx: usize) -> Result<Cidr, FnError> {
    Cidr::parse(string(args, idx)?).map_err(|err| match err {
        CidrError::Malformed => invalid(idx, "not a CIDR such as `10.0.0.0/16`"),
        CidrError::HostBitsSet(network) => invalid(idx, format!("host bits are set; the network is `{network}`")),
    })
}

pub(super) fn cidrsubnet(_: &dyn Host, args: &[Value]) -> FnResult {
    let prefix = cidr(args, 0)?;
    let newbits = integer(args, 1)?;
    let netnum = integer(args, 2)?;
    if !(0..=128).contains(&newbits) {
        return Err(invalid(1, "`newbits` must be between 0 and 128"));
    }
    if netnum < 0 {
        return Err(invalid(2, "`netnum` must not be negative"));
    }
    let subnet = prefix.subnet(newbits as u8, netnum as u128).map_err(|label| invalid(1, label))?;
    Ok(Value::string(subnet.to_string()))
}

pub(super) fn cidrsubnets(_: &dyn Host, args: &[Value]) -> FnResult {
    let prefix = cidr(args, 0)?;
    let bits = prefix.family_bits() as u128;
    let mut next = prefix.first();
    let mut subnets = Vec::new();
    for idx in 1..args.len() {
        let newbits = integer(args, idx)?;
        let length = prefix.prefix() as i128 + newbits;
        if newbits < 1 || length > bits as i128 {
            return Err(invalid(idx, format!("/{} plus {newbits} bits is not a valid prefix", prefix.prefix())));
        }
        let size = 1u128 << (bits - length as u128);
        let start = next.div_ceil(size) * size;
        if start + size - 1 > prefix.last() {
            return Err(invalid(idx, format!("no room left in {prefix}")));
        }
        let subnet =
            prefix.subnet(newbits as u8, (start - prefix.first()) / size).map_err(|label| invalid(idx, label))?;
        subnets.push(Value::string(subnet.to_string()));
        next = start + size;
    }
    Ok(Value::list(subnets))
}

pub(super) fn cidrhost(_: &dyn Host, args: &[Value]) -> FnResult {
    let prefix = cidr(args, 0)?;
    let hostnum = integer(args, 1)?;
    let host = prefix.host(hostnum).map_err(|label| invalid(1, label))?;
    Ok(Value::string(host.to_string()))
}

pub(super) fn cidrnetmask(_: &dyn Host, args: &[Value]) -> FnResult {
    let netmask = cidr(args, 0)?.netmask().ok_or_else(|| invalid(0, "only IPv4 ranges have a netmask"))?;
    Ok(Value::string(netmask.to_string()))
}
