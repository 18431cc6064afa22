//! Rendering plans, apart from computing them: text for people, Markdown for pull-request
//! comments, versioned JSON for machines, the dependency graph as DOT and SVG.

mod dot;
mod json;
mod markdown;
mod svg;
mod text;

pub use dot::dot;
pub use json::{JSON_FORMAT_VERSION, json, json_problems};
pub use markdown::{COMMENT_LIMIT, Heading, markdown, markdown_problem, marker};
pub use svg::svg;
pub use text::text;
