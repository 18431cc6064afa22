//! The topology map in Graphviz's DOT language: a cluster per cloud block and, inside it, per
//! region; hosts outside the clusters; an undirected edge per link, coloured by status as in the
//! SVG drawing.

use super::svg::{colour, short_name};
use super::{LinkKind, LinkStatus, TopologyMap};
use std::fmt::Write as _;

/// The map as DOT text.
pub fn dot(map: &TopologyMap) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "graph {:?} {{", map.stack);
    out.push_str("  rankdir = \"LR\";\n  node [shape = box, fontname = \"sans-serif\"];\n");
    for cloud in &map.clouds {
        let _ = writeln!(out, "  subgraph {:?} {{\n    label = {:?};", format!("cluster_{}", cloud.id), cloud.id);
        for region in &cloud.regions {
            let _ = writeln!(
                out,
                "    subgraph {:?} {{\n      label = {:?};",
                format!("cluster_{}_{}", cloud.id, region.region),
                region.region
            );
            for network in &region.networks {
                let mut label = format!("{}\n{}", network.name, network.cidr);
                for endpoint in &network.endpoints {
                    let _ = write!(label, "\nendpoint {}: {}", endpoint.name, endpoint.service);
                }
                let _ = writeln!(out, "      {:?} [label = {label:?}];", format!("network.{}", network.name));
            }
            out.push_str("    }\n");
        }
        out.push_str("  }\n");
    }
    for host in &map.hosts {
        let label = format!("{}\n{}", host.name, host.address);
        let _ = writeln!(out, "  {:?} [label = {label:?}, shape = box3d];", format!("host.{}", host.name));
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
            "  {:?} -- {:?} [label = {label:?}, color = {:?}, style = {style}, tooltip = {:?}];",
            link.ends[0].address(),
            link.ends[1].address(),
            colour(link.status),
            link.name
        );
    }
    out.push_str("}\n");
    out
}
