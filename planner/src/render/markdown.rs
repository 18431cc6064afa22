//! The plan as pull-request comments (GitHub-flavoured Markdown): a hidden marker by which each
//! comment is found again and updated in place, the summary (counts per action and per cloud),
//! what will be deleted called out on top, and each logical object's changes in a collapsible
//! section; split into several comments under GitHub's limit of 65,536 characters per comment.
//! Keys are never in a plan: sensitive values show as `(sensitive)`.

use crate::diff::{Action, Change};
use crate::plan::Plan;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// GitHub's limit on a comment's body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// The start of the hidden marker of every comment of a plan: `<!-- isopod-plan stack=STACK`.
pub fn marker(stack: &str) -> String {
    format!("<!-- isopod-plan stack={stack}")
}

/// The plan as comments, each under `limit` characters (at least 2,000), the first with the
/// summary; `title` heads each (e.g. which configuration and commit).
pub fn markdown(plan: &Plan, title: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(2_000);
    let mut sections = vec![summary(plan)];
    let mut by_object: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for change in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        let object = if change.object.is_empty() { "(no longer in the configuration)" } else { &change.object };
        by_object.entry(object).or_default().push(change);
    }
    // Room for the marker and the title of each comment.
    let room = limit - 200 - title.len().min(limit / 4);
    for (object, changes) in by_object {
        sections.extend(object_sections(object, &changes, room));
    }
    let mut parts: Vec<String> = Vec::new();
    for section in sections {
        match parts.last_mut() {
            Some(part) if part.len() + section.len() <= room => part.push_str(&section),
            _ => parts.push(section),
        }
    }
    let count = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(n, body)| {
            let part = if count > 1 { format!(" (part {} of {count})", n + 1) } else { String::new() };
            format!("{} part={}/{count} -->\n### {title}{part}\n\n{body}", marker(&plan.stack), n + 1)
        })
        .collect()
}

fn summary(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.is_empty() {
        let _ = writeln!(out, "**No changes**: the live resources of stack `{}` match the configuration.", plan.stack);
        return out;
    }
    let s = plan.summary();
    let _ = writeln!(
        out,
        "**Plan: {} to create, {} to update, {} to replace, {} to delete.**\n",
        s.create, s.update, s.replace, s.delete
    );
    let mut per_cloud: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for change in &plan.changes {
        let column = match change.action {
            Action::NoOp => continue,
            Action::Create => 0,
            Action::Update => 1,
            Action::DeleteThenCreate => 2,
            Action::Delete => 3,
        };
        per_cloud.entry(&change.scope.cloud).or_default()[column] += 1;
    }
    let _ = writeln!(out, "| Cloud | Create | Update | Replace | Delete |\n| --- | ---: | ---: | ---: | ---: |");
    for (cloud, [create, update, replace, delete]) in per_cloud {
        let _ = writeln!(out, "| `{cloud}` | {create} | {update} | {replace} | {delete} |");
    }
    let doomed: Vec<&Change> =
        plan.changes.iter().filter(|c| matches!(c.action, Action::Delete | Action::DeleteThenCreate)).collect();
    if !doomed.is_empty() {
        let _ =
            writeln!(out, "\n> [!WARNING]\n> These {} resource(s) will be **deleted** (or replaced):", doomed.len());
        for change in doomed {
            let how = if change.action == Action::Delete { "deleted" } else { "replaced" };
            let _ = writeln!(out, "> - `{}` ({}, {}): {how}", change.id, change.scope.cloud, change.scope.region);
        }
    }
    out.push('\n');
    out
}

/// One collapsible section per object, split by lines when it would not fit in `room`.
fn object_sections(object: &str, changes: &[&Change], room: usize) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut lines = Vec::new();
    for change in changes {
        *counts.entry(verb(change.action)).or_default() += 1;
        let mut block = String::new();
        super::text::resource(&mut block, change);
        // `diff` colours lines by their first character: the action's sign goes first.
        lines.extend(block.lines().map(|line| {
            let trimmed = line.trim_start();
            let depth = line.len() - trimmed.len();
            match trimmed.split_once(' ') {
                Some((sign, rest)) if depth > 2 => format!("{sign}{}{rest}", " ".repeat(depth - 1)),
                _ => trimmed.to_string(),
            }
        }));
    }
    let counted: Vec<String> = counts.iter().map(|(verb, n)| format!("{n} to {verb}")).collect();
    let heading = format!("<code>{object}</code>: {}", counted.join(", "));
    let mut sections = Vec::new();
    let mut body = String::new();
    for line in lines {
        if body.len() + line.len() + 200 > room && !body.is_empty() {
            sections.push(std::mem::take(&mut body));
        }
        body.push_str(&line);
        body.push('\n');
    }
    sections.push(body);
    let total = sections.len();
    sections
        .into_iter()
        .enumerate()
        .map(|(n, body)| {
            let more = if total > 1 { format!(" ({} of {total})", n + 1) } else { String::new() };
            format!("<details><summary>{heading}{more}</summary>\n\n```diff\n{body}```\n\n</details>\n\n")
        })
        .collect()
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::DeleteThenCreate => "replace",
        Action::Delete => "delete",
        Action::NoOp => "keep",
    }
}
