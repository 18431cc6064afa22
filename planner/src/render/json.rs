//! The plan as JSON for machines: its serde form, led by a format version.

use crate::plan::Plan;
use serde::Serialize;

/// The version of the plan's JSON format. Keys may be added within a version; removing or
/// renaming a key, or changing what a value means, makes a new version.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Versioned<'a> {
    format_version: u32,
    #[serde(flatten)]
    plan: &'a Plan,
}

/// The plan as pretty-printed JSON: `format_version`, `stack`, `changes`.
pub fn json(plan: &Plan) -> String {
    serde_json::to_string_pretty(&Versioned { format_version: JSON_FORMAT_VERSION, plan })
        .expect("a plan's values are all representable in JSON")
}
