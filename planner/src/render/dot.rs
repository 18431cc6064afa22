//! The dependency graph of the desired resources in Graphviz's DOT language, one cluster per
//! logical object; an edge points from a resource to one it needs first.

use crate::lower::Desired;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The graph as DOT text.
pub fn dot(desired: &Desired) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {:?} {{", desired.stack);
    out.push_str("  rankdir = \"RL\";\n  node [shape = box, fontname = \"monospace\"];\n");
    let mut by_object: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for resource in desired.resources.values() {
        by_object.entry(&resource.object).or_default().push(resource.id.to_string());
    }
    for (n, (object, ids)) in by_object.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{n} {{\n    label = {object:?};");
        for id in ids {
            let _ = writeln!(out, "    {id:?};");
        }
        out.push_str("  }\n");
    }
    for resource in desired.resources.values() {
        for dependency in resource.dependencies() {
            let _ = writeln!(out, "  {:?} -> {:?};", resource.id.to_string(), dependency.to_string());
        }
    }
    out.push_str("}\n");
    out
}
