//! Rendering plans, apart from computing them: text for people here; JSON is the plan's serde
//! form.

mod text;

pub use text::text;
