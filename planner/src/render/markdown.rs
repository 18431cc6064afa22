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

/// What heads each comment: the key that finds it again, and the title people read.
#[derive(Clone, Copy, Debug)]
pub struct Heading<'a> {
    /// Which configuration the comments are about (e.g. its folder in the repository): one set of
    /// comments per key and pull request, found again by [`marker`].
    pub key: &'a str,
    /// The title, e.g. which configuration and commit.
    pub title: &'a str,
}

/// The start of the hidden marker of every comment about `key`: `<!-- isopod-plan key=KEY`,
/// followed by ` part=N/M -->`.
pub fn marker(key: &str) -> String {
    // `--` would end the HTML comment early.
    format!("<!-- isopod-plan key={}", key.replace("--", "-\u{2060}-"))
}

/// The plan as comments, each under `limit` characters (at least 2,000), the first with the
/// summary followed by `notes` (Markdown, e.g. the cost line) and, when `warnings` is not
/// empty, the configuration's warnings (rendered text).
pub fn markdown(plan: &Plan, heading: Heading<'_>, notes: &str, warnings: &str, limit: usize) -> Vec<String> {
    let room = room(heading, limit);
    let mut sections = vec![summary(plan) + notes];
    if !warnings.trim().is_empty() {
        sections.extend(text_sections("The configuration has warnings", warnings, room));
    }
    let mut by_object: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for change in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        let object = if change.object.is_empty() { "(no longer in the configuration)" } else { &change.object };
        by_object.entry(object).or_default().push(change);
    }
    for (object, changes) in by_object {
        sections.extend(object_sections(object, &changes, room));
    }
    assemble(heading, sections, room)
}

/// Comments saying that there is no plan, and why: `what` in a sentence of Markdown, `report`
/// (e.g. the configuration's diagnostics, rendered without colour) in preformatted sections.
pub fn markdown_problem(heading: Heading<'_>, what: &str, report: &str, limit: usize) -> Vec<String> {
    let room = room(heading, limit);
    let mut sections = vec![format!("> [!CAUTION]\n> {what}\n\n")];
    if !report.trim().is_empty() {
        sections.extend(text_sections("Details", report, room));
    }
    assemble(heading, sections, room)
}

/// The room for sections in one comment, leaving some for the marker and the title.
fn room(heading: Heading<'_>, limit: usize) -> usize {
    let limit = limit.max(2_000);
    limit - 200 - heading.key.len().min(limit / 8) - heading.title.len().min(limit / 4)
}

/// Sections packed into as few comments as fit, each with its marker and title.
fn assemble(heading: Heading<'_>, sections: Vec<String>, room: usize) -> Vec<String> {
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
            format!("{} part={}/{count} -->\n### {}{part}\n\n{body}", marker(heading.key), n + 1, heading.title)
        })
        .collect()
}

/// Preformatted text in collapsible sections, split by lines to fit in `room`.
fn text_sections(summary: &str, text: &str, room: usize) -> Vec<String> {
    // A fence longer than any run of backticks in the text, so the text cannot close it.
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let room = room.saturating_sub(summary.len() + 2 * fence.len() + 100);
    chunks(text.lines(), room)
        .iter()
        .map(|chunk| format!("<details><summary>{summary}</summary>\n\n{fence}text\n{chunk}{fence}\n\n</details>\n\n"))
        .collect()
}

/// Lines gathered into chunks of at most `room` bytes (a longer line is cut between characters).
fn chunks<'a>(lines: impl Iterator<Item = &'a str>, room: usize) -> Vec<String> {
    let room = room.max(200);
    let mut chunks = Vec::new();
    let mut current = String::new();
    for line in lines {
        let mut rest = line;
        loop {
            let cut = if rest.len() < room {
                rest.len()
            } else {
                (1..room).rev().find(|&i| rest.is_char_boundary(i)).unwrap_or(rest.len())
            };
            let (piece, tail) = rest.split_at(cut);
            if !current.is_empty() && current.len() + piece.len() + 1 > room {
                chunks.push(std::mem::take(&mut current));
            }
            current.push_str(piece);
            current.push('\n');
            rest = tail;
            if rest.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() || chunks.is_empty() {
        chunks.push(current);
    }
    chunks
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
    let sections = chunks(lines.iter().map(String::as_str), room.saturating_sub(heading.len() + 100));
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
