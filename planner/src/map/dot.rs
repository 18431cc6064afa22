//! The topology map in Graphviz's DOT language: a cluster per cloud block and, inside it, per
//! region; hosts outside the clusters; an undirected edge per link, coloured by status as in the
//! SVG drawing.

use super::svg::{colour, short_name};
use super::{LinkKind, LinkStatus, TopologyMap};
use std::fmt::Write as _;

/// The map as DOT text.
pub fn dot(map: &TopologyMap) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "graph {} {{", quoted(&map.stack));
    out.push_str("  rankdir = \"LR\";\n  node [shape = box, fontname = \"sans-serif\"];\n");
    for cloud in &map.clouds {
        let cluster = quoted(&format!("cluster_{}", cloud.id));
        let _ = writeln!(out, "  subgraph {cluster} {{\n    label = {};", quoted(&cloud.id));
        for region in &cloud.regions {
            let cluster = quoted(&format!("cluster_{}_{}", cloud.id, region.region));
            let _ = writeln!(out, "    subgraph {cluster} {{\n      label = {};", quoted(&region.region));
            for network in &region.networks {
                let mut label = format!("{}\n{}", network.name, network.cidr);
                for endpoint in &network.endpoints {
                    let _ = write!(label, "\nendpoint {}: {}", endpoint.name, endpoint.service);
                }
                let node = quoted(&format!("network.{}", network.name));
                let _ = writeln!(out, "      {node} [label = {}];", quoted(&label));
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    for host in &map.hosts {
        let label = format!("{}\n{}", host.name, host.address);
        let node = quoted(&format!("host.{}", host.name));
        let _ = writeln!(out, "  {node} [label = {}, shape = box3d];", quoted(&label));
    }
    for link in &map.links {
        let style = match (link.status, link.kind) {
            (LinkStatus::NotPlanned, _) => "dotted",
            (_, LinkKind::Relay) => "dashed",
            (_, LinkKind::Peering) => "bold",
            _ => "solid",
        };
        let label = format!("{} · {}", short_name(&link.name), link.status.as_str());
        let _ = writeln!(
            out,
            "  {} -- {} [label = {}, color = {}, style = {style}, tooltip = {}];",
            quoted(&link.ends[0].address()),
            quoted(&link.ends[1].address()),
            quoted(&label),
            quoted(colour(link.status)),
            quoted(&link.name)
        );
    }
    out.push_str("}\n");
    out
}

/// `text` as a DOT string: in double quotes, `"` and `\` escaped, line breaks as `\n`, other
/// control characters (a cloud's message may carry them) as spaces.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
