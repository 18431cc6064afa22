//! strongSwan's `swanctl` configuration of a Linux host's tunnels: one connection per tunnel
//! slot (a `host_ipsec_tunnel` resource, its outputs and key resolved), IKEv1 or IKEv2 with the
//! proposals the peer accepts, dead-peer detection and rekeying as planned, and the key in a
//! separate `secrets` section.
//!
//! Static routing uses policy-based traffic selectors (the site ranges). BGP is route-based:
//! selectors of `0.0.0.0/0` bound to an XFRM interface by `if_id`, with the inside addresses and
//! the peer's ASN recorded for the routing daemon that peers over them.

use isopod_catalog::{Attrs, Value};
use std::fmt::Write as _;

/// One connection to render: its name (unique on the host), its attributes, and its key.
pub struct Connection<'a> {
    /// The connection's name, e.g. `isopod-t-0`.
    pub name: String,
    /// The `host_ipsec_tunnel` attributes, outputs resolved.
    pub attrs: &'a Attrs,
    /// The pre-shared key.
    pub psk: &'a str,
}

fn text<'a>(attrs: &'a Attrs, name: &str) -> Option<&'a str> {
    match attrs.get(name) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

fn integer(attrs: &Attrs, name: &str) -> Option<i64> {
    match attrs.get(name) {
        Some(Value::Integer(n)) => Some(*n),
        _ => None,
    }
}

fn list(attrs: &Attrs, name: &str) -> String {
    match attrs.get(name) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

/// A name swanctl takes as a section name: letters, digits, `-` and `_`.
pub fn connection_name(address: &str) -> String {
    let name: String =
        address.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    format!("isopod-{name}")
}

/// A swanctl string, quoted (keys may hold any printable character).
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The `swanctl.conf` of `connections`, in the order given; `if_id` numbers the route-based
/// ones from 1.
pub fn render(connections: &[Connection<'_>]) -> String {
    let mut out =
        String::from("# Written by Isopod: changes made here are undone by the next apply.\n\nconnections {\n");
    let mut if_id = 0;
    for connection in connections {
        let attrs = connection.attrs;
        let local = text(attrs, "local_address").unwrap_or_default();
        let remote = text(attrs, "remote_address").unwrap_or_default();
        let bgp = text(attrs, "routing") == Some("bgp");
        let name = &connection.name;
        let _ = writeln!(out, "  {name} {{");
        let _ = writeln!(out, "    version = {}", integer(attrs, "version").unwrap_or(2));
        let _ = writeln!(out, "    local_addrs = {local}");
        let _ = writeln!(out, "    remote_addrs = {remote}");
        let _ = writeln!(out, "    proposals = {}", list(attrs, "proposals"));
        if let Some(rekey) = integer(attrs, "rekey_time") {
            let _ = writeln!(out, "    rekey_time = {rekey}s");
        }
        if let Some(dpd) = integer(attrs, "dpd_delay") {
            let _ = writeln!(out, "    dpd_delay = {dpd}s");
        }
        if attrs.get("encap") == Some(&Value::Bool(true)) {
            let _ = writeln!(out, "    encap = yes");
        }
        if bgp {
            if_id += 1;
            let _ = writeln!(out, "    if_id_in = {if_id}");
            let _ = writeln!(out, "    if_id_out = {if_id}");
        }
        let _ = writeln!(out, "    local {{\n      auth = psk\n      id = {local}\n    }}");
        let _ = writeln!(out, "    remote {{\n      auth = psk\n      id = {remote}\n    }}");
        let _ = writeln!(out, "    children {{");
        let _ = writeln!(out, "      {name} {{");
        if bgp {
            let inside = text(attrs, "inside_address").unwrap_or_default();
            let peer = text(attrs, "peer_inside_address").unwrap_or_default();
            let peer_asn = integer(attrs, "peer_asn").map(|asn| asn.to_string()).unwrap_or_default();
            let _ =
                writeln!(out, "        # BGP over {inside} to {peer} (AS {peer_asn}) on XFRM interface if_id {if_id}");
            let _ = writeln!(out, "        local_ts = 0.0.0.0/0\n        remote_ts = 0.0.0.0/0");
        } else {
            let _ = writeln!(out, "        local_ts = {}", list(attrs, "local_ts"));
            let _ = writeln!(out, "        remote_ts = {}", list(attrs, "remote_ts"));
        }
        let _ = writeln!(out, "        esp_proposals = {}", list(attrs, "esp_proposals"));
        if let Some(rekey) = integer(attrs, "child_rekey_time") {
            let _ = writeln!(out, "        rekey_time = {rekey}s");
        }
        let _ =
            writeln!(out, "        dpd_action = restart\n        start_action = start\n        close_action = start");
        let _ = writeln!(out, "      }}\n    }}\n  }}");
    }
    out.push_str("}\n\nsecrets {\n");
    for connection in connections {
        let local = text(connection.attrs, "local_address").unwrap_or_default();
        let remote = text(connection.attrs, "remote_address").unwrap_or_default();
        let _ = writeln!(out, "  ike-{} {{", connection.name);
        let _ = writeln!(out, "    id-local = {local}\n    id-remote = {remote}");
        let _ = writeln!(out, "    secret = {}", quoted(connection.psk));
        let _ = writeln!(out, "  }}");
    }
    out.push_str("}\n");
    out
}
