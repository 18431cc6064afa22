//! The plan for people, in the style network engineers know from Terraform: `+` create, `~`
//! update in place, `-/+` replace, `-` delete, grouped by logical object, deletions called out
//! first, a summary line last.

use crate::diff::{Action, AttrChange, Change};
use crate::plan::Plan;
use isopod_catalog::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The plan as text (no colour; lines end with `\n`).
pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.is_empty() {
        let _ = writeln!(out, "No changes: the live resources of stack `{}` match the configuration.", plan.stack);
        return out;
    }
    let deletions: Vec<&Change> = plan.changes.iter().filter(|c| c.action == Action::Delete).collect();
    if !deletions.is_empty() {
        let count = match deletions.len() {
            1 => "1 resource".to_string(),
            n => format!("{n} resources"),
        };
        let _ = writeln!(out, "Warning: {count} owned by stack `{}` will be deleted:", plan.stack);
        for change in &deletions {
            let _ = writeln!(out, "  - {} ({}, {})", change.id, change.scope.cloud, change.scope.region);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "Isopod will make these changes to stack `{}`:", plan.stack);
    let mut by_object: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for change in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        let object = if change.object.is_empty() { "(no longer in the configuration)" } else { &change.object };
        by_object.entry(object).or_default().push(change);
    }
    for (object, changes) in by_object {
        let _ = writeln!(out, "\n  # {object}");
        for change in changes {
            resource(&mut out, change);
        }
    }
    let summary = plan.summary();
    let _ = writeln!(
        out,
        "\nPlan: {} to create, {} to update, {} to replace, {} to delete.",
        summary.create, summary.update, summary.replace, summary.delete
    );
    out
}

/// One resource's change and its attributes, as the text plan shows them.
pub(super) fn resource(out: &mut String, change: &Change) {
    let _ = writeln!(
        out,
        "  {:>3} {} ({}, {})",
        change.action.symbol(),
        change.id,
        change.scope.cloud,
        change.scope.region
    );
    let width = change.attrs.iter().map(|attr| attr.name.len()).max().unwrap_or(0);
    for attr in &change.attrs {
        let _ = writeln!(out, "        {}", attribute(attr, width, change.action));
    }
}

fn attribute(attr: &AttrChange, width: usize, action: Action) -> String {
    let name = format!("{:width$}", attr.name);
    let shown = |value: &Option<Value>| value.as_ref().map_or(String::from("null"), ToString::to_string);
    match action {
        Action::Create => format!("+ {name} = {}", shown(&attr.after)),
        Action::Delete => format!("- {name} = {}", shown(&attr.before)),
        _ => {
            let note = if attr.forces_replacement { " # forces replacement" } else { "" };
            format!("~ {name} = {} -> {}{note}", shown(&attr.before), shown(&attr.after))
        }
    }
}
