//! The book's option tables, generated from the command line's own definition (as uv does), so
//! that a page cannot disagree with `--help`: each command's page holds its usage line and the
//! table of its arguments and options between the markers `<!-- generated: isopod NAME -->` and
//! `<!-- end generated -->`. The test fails when a block is stale or a command has none;
//! regenerate the blocks with `UPDATE_REFERENCE=1 cargo test -p isopod --bin isopod reference`
//! (as every generated page, through `isopod_test_support::generated`).

use super::Cli;
use clap::{Arg, Command, CommandFactory};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const END: &str = "<!-- end generated -->";

fn begin(path: &str) -> String {
    format!("<!-- generated: {path} -->")
}

/// Every command that runs (subcommands of subcommands included), by its full name.
fn commands() -> Vec<(String, Command)> {
    let mut root = Cli::command();
    root.build();
    let mut out = Vec::new();
    fn walk(command: &Command, path: String, out: &mut Vec<(String, Command)>) {
        if command.has_subcommands() {
            for sub in command.get_subcommands().filter(|sub| sub.get_name() != "help") {
                walk(sub, format!("{path} {}", sub.get_name()), out);
            }
        } else {
            out.push((path, command.clone()));
        }
    }
    walk(&root, "isopod".to_string(), &mut out);
    out
}

/// A table cell's text: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// How an argument is written: `DIR`, `--var NAME=VALUE`, `-y`, `--yes`.
fn syntax(arg: &Arg) -> String {
    let value = || {
        let names: Vec<String> =
            arg.get_value_names().map(|names| names.iter().map(ToString::to_string).collect()).unwrap_or_default();
        if names.is_empty() { arg.get_id().as_str().to_uppercase() } else { names.join(" ") }
    };
    if arg.is_positional() {
        return format!("`{}`", value());
    }
    let takes_value = arg.get_action().takes_values();
    let mut forms = Vec::new();
    if let Some(short) = arg.get_short() {
        forms.push(format!("`-{short}`"));
    }
    if let Some(long) = arg.get_long() {
        match takes_value {
            true => forms.push(format!("`--{long} {}`", value())),
            false => forms.push(format!("`--{long}`")),
        }
    }
    forms.join(", ")
}

/// What an argument means: its help, the values it takes, its default.
fn meaning(arg: &Arg) -> String {
    let mut text = arg.get_long_help().or(arg.get_help()).map(ToString::to_string).unwrap_or_default();
    let text_ends = |text: &mut String| {
        if !text.is_empty() && !text.ends_with('.') {
            text.push('.');
        }
    };
    text_ends(&mut text);
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| match value.get_help() {
            Some(help) => format!("`{}` ({})", value.get_name(), help.to_string().trim_end_matches('.')),
            None => format!("`{}`", value.get_name()),
        })
        .collect();
    if arg.get_action().takes_values() && !values.is_empty() {
        let _ = write!(text, " One of {}.", values.join(", "));
    }
    let defaults: Vec<String> =
        arg.get_default_values().iter().map(|value| value.to_string_lossy().into_owned()).collect();
    if arg.get_action().takes_values() && !defaults.is_empty() {
        let _ = write!(text, " Default: `{}`.", defaults.join(" "));
    }
    if matches!(arg.get_action(), clap::ArgAction::Append) {
        text.push_str(" Repeatable.");
    }
    cell(&text)
}

/// The generated block of one command.
fn block(path: &str, command: &Command) -> String {
    let usage = command.clone().render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    let mut out =
        format!("{}\n\n```text\n{usage}\n```\n\n| Argument or option | Meaning |\n| --- | --- |\n", begin(path));
    let args = command.get_arguments().filter(|arg| !arg.is_hide_set());
    let (positional, options): (Vec<&Arg>, Vec<&Arg>) = args.partition(|arg| arg.is_positional());
    for arg in positional.into_iter().chain(options) {
        let _ = writeln!(out, "| {} | {} |", syntax(arg), meaning(arg));
    }
    out.push('\n');
    out.push_str(END);
    out
}

/// The book's pages, recursively.
fn pages(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            pages(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "md") {
            out.push(path);
        }
    }
}

/// `page` with the block of `path` replaced by `generated`, if the page has that block.
fn replaced(page: &str, path: &str, generated: &str) -> Option<String> {
    let marker = begin(path);
    let start = page.find(&format!("{marker}\n"))?;
    let end = start + page[start..].find(END).expect("a generated block ends") + END.len();
    Some(format!("{}{generated}{}", &page[..start], &page[end..]))
}

#[test]
fn every_commands_options_are_in_the_book_as_the_command_line_defines_them() {
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src");
    let mut files = Vec::new();
    pages(&book, &mut files);
    files.sort();
    let mut pages: Vec<(PathBuf, String)> =
        files.into_iter().map(|file| (file.clone(), std::fs::read_to_string(&file).unwrap())).collect();
    for (path, command) in commands() {
        let generated = block(&path, &command);
        let mut found = 0;
        for (_, page) in &mut pages {
            if let Some(new) = replaced(page, &path, &generated) {
                *page = new;
                found += 1;
            }
        }
        assert_eq!(found, 1, "`{path}`'s options must be in exactly one page, between `{}` and `{END}`", begin(&path));
    }
    for (file, page) in &pages {
        isopod_test_support::generated::check(file, page, "cargo test -p isopod --bin isopod reference");
    }
}
