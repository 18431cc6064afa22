//! The plan as JSON for machines: its serde form, led by a format version.

use crate::plan::Plan;
use crate::problem::Problem;
use serde::Serialize;

/// The version of the plan's JSON format. Keys may be added within a version; removing or
/// renaming a key, or changing what a value means, makes a new version.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Versioned<'a> {
    format_version: u32,
    #[serde(flatten)]
    plan: Option<&'a Plan>,
    problems: &'a [Problem],
}

/// The plan as pretty-printed JSON: `format_version`, `stack`, `changes`, and the `problems`
/// found while planning (each with its `code`, `severity`, `message`, and `help` and `span` when
/// it has them).
pub fn json(plan: &Plan, problems: &[Problem]) -> String {
    serde_json::to_string_pretty(&Versioned { format_version: JSON_FORMAT_VERSION, plan: Some(plan), problems })
        .expect("a plan's values are all representable in JSON")
}

/// The problems that stopped a plan, as JSON: `format_version` and `problems`, no `changes`.
pub fn json_problems(problems: &[Problem]) -> String {
    serde_json::to_string_pretty(&Versioned { format_version: JSON_FORMAT_VERSION, plan: None, problems })
        .expect("problems are all representable in JSON")
}
