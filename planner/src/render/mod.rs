//! Rendering plans, apart from computing them: text for people, the dependency graph as DOT;
//! JSON is the plan's serde form.

mod dot;
mod text;

pub use dot::dot;
pub use text::text;
