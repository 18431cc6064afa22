//! The dependency graph of the desired resources as an SVG drawing, laid out by `layout-rs` (a
//! pure-Rust Graphviz-style layout, so no Graphviz is needed). Each resource is a box labelled
//! with its address and its logical object, filled with its cloud's colour; an arrow points from
//! a resource to one it needs first, as in [`dot`](super::dot). `layout-rs` draws no clusters,
//! so the logical object is written in each box instead.

use crate::lower::Desired;
use isopod_catalog::Cloud;
use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;
use std::collections::BTreeMap;

/// The fill colour of a cloud's resources.
fn fill(cloud: Cloud) -> Color {
    Color::new(match cloud {
        Cloud::Aws => 0xffe4b3ff,
        Cloud::Azure => 0xcce5ffff,
        Cloud::Gcp => 0xd4f0d4ff,
        Cloud::Host => 0xe8e8e8ff,
    })
}

/// The graph as an SVG document.
pub fn svg(desired: &Desired) -> String {
    let mut graph = VisualGraph::new(Orientation::LeftToRight);
    let mut nodes = BTreeMap::new();
    for resource in desired.resources.values() {
        let label = format!("{}\n{}", resource.id, resource.object);
        let width = label.lines().map(str::len).max().unwrap_or(0) as f64 * 8.0 + 20.0;
        let look = StyleAttr::new(Color::fast("black"), 1, Some(fill(resource.id.kind.cloud())), 4, 12);
        let element =
            Element::create(ShapeKind::new_box(&label), look, Orientation::LeftToRight, Point::new(width, 44.0));
        nodes.insert(&resource.id, graph.add_node(element));
    }
    for resource in desired.resources.values() {
        for dependency in resource.dependencies() {
            if let (Some(&from), Some(&to)) = (nodes.get(&resource.id), nodes.get(dependency)) {
                graph.add_edge(Arrow::simple(""), from, to);
            }
        }
    }
    let mut writer = SVGWriter::new();
    if nodes.is_empty() {
        return writer.finalize();
    }
    graph.do_it(false, false, false, &mut writer);
    writer.finalize()
}
