//! Rendering plans, apart from computing them: text for people, the dependency graph as DOT and
//! SVG; JSON is the plan's serde form.

mod dot;
mod svg;
mod text;

pub use dot::dot;
pub use svg::svg;
pub use text::text;
