//! Property tests: the parser and checker never panic on arbitrary input, and the formatter is
//! idempotent and preserves meaning (the syntax tree and every comment) on generated
//! configurations, on every example and on every fixture of the diagnostics suite.

mod common;

use isopod_lang::fmt::{format, format_unchecked, shape};
use isopod_lang::{FileId, SourceMap};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::path::Path;

/// Formats `text` and checks the properties; `text` must parse.
#[track_caller]
fn check_formatting(text: &str) {
    let formatted = format_unchecked(text).expect("the input parses");
    assert_eq!(shape(&formatted), shape(text), "formatting changed the meaning of:\n{text}\n--- into ---\n{formatted}");
    assert_eq!(format_unchecked(&formatted).unwrap(), formatted, "formatting is not idempotent on:\n{text}");
    assert_eq!(format(text).unwrap(), formatted, "the safety net was needed for:\n{text}");
}

fn load_text(text: &str) {
    let mut sources = SourceMap::new();
    sources.add("fuzz.iso", text);
    let _ = common::load(&sources);
}

/// Pieces of the language and of its mistakes, for inputs more likely to go deep than bytes.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "network",
        "\"app\"",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "=",
        ",",
        ".",
        ":",
        "?",
        "=>",
        "+",
        "-",
        "*",
        "/",
        "%",
        "==",
        "!",
        "&&",
        "||",
        "<",
        ">=",
        "\n",
        " ",
        "cidr",
        "\"10.0.0.0/16\"",
        "\"${",
        "${",
        "\\",
        "\"",
        "<<EOT\n",
        "EOT\n",
        "<<-X\n",
        "#",
        "//",
        "/*",
        "*/",
        "for",
        "in",
        "if",
        "self",
        "each",
        "var",
        "local",
        "1",
        "2.5e3",
        "true",
        "null",
        "cidrsubnet",
        "for_each",
        "stack",
        "cloud",
        "\"aws\"",
        "region",
        "é",
        "\u{FEFF}",
        "\t",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = isopod_lang::syntax::parse(FileId::default(), &text);
        let _ = format(&text);
        load_text(&text);
    }

    #[test]
    fn never_panics_on_token_soup(tokens in prop::collection::vec(token(), 0..80)) {
        let text: String = tokens.concat();
        let _ = isopod_lang::syntax::parse(FileId::default(), &text);
        if let Ok(formatted) = format(&text) {
            prop_assert_eq!(format(&formatted).unwrap(), formatted);
        }
        load_text(&text);
    }
}

// Generated configurations ------------------------------------------------------------------

const KEYWORDS: &[&str] = &["for", "in", "if", "true", "false", "null"];

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,5}(-[a-z0-9]{1,3})?".prop_filter("not a keyword", |s| !KEYWORDS.contains(&s.as_str()))
}

fn string_literal() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9 ./:_-]{1,8}",
            Just("\\n".to_string()),
            Just("\\\"".to_string()),
            Just("\\\\".to_string()),
            Just("$${x}".to_string()),
            ident().prop_map(|i| format!("${{{i}}}")),
        ],
        0..4,
    )
    .prop_map(|parts| format!("\"{}\"", parts.concat()))
}

fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[0-9]{1,4}(\\.[0-9]{1,2})?",
        string_literal(),
        Just("true".to_string()),
        Just("null".to_string()),
        (ident(), prop::collection::vec(ident(), 0..3))
            .prop_map(|(root, path)| { std::iter::once(root).chain(path).collect::<Vec<_>>().join(".") }),
        (ident(), 0u8..4).prop_map(|(name, index)| format!("{name}[{index}]")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|items| format!("[\n{},\n]", items.join(",\n"))),
            prop::collection::vec((ident(), inner.clone()), 0..3).prop_map(|items| {
                let items: Vec<String> = items.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", items.join(", "))
            }),
            prop::collection::vec((ident(), inner.clone(), prop::bool::ANY), 1..4).prop_map(|items| {
                let lines: Vec<String> = items
                    .into_iter()
                    .map(|(k, v, comment)| if comment { format!("{k}: {v} # note") } else { format!("{k} = {v}") })
                    .collect();
                format!("{{\n{}\n}}", lines.join("\n"))
            }),
            (ident(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|e| format!("-{e}")),
            inner.clone().prop_map(|e| format!("!{e}")),
            inner.clone().prop_map(|e| format!("({e})")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("{c} ? {a} : {b}")),
            (ident(), inner.clone(), inner.clone()).prop_map(|(v, c, e)| format!("[for {v} in {c} : {e}]")),
            (ident(), ident(), inner.clone(), inner.clone())
                .prop_map(|(k, v, c, e)| format!("{{ for {k}, {v} in {c} : {k} => {e} if {v} }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}, /* inline */ {b}]")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("f(\n  {a},\n      {b}\n)")),
        ]
    })
}

/// Layout noise: how items are separated.
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("\n".to_string()),
        1 => Just("\n\n\n".to_string()),
        1 => Just("  ".to_string()),
        1 => Just("\n    # a comment\n".to_string()),
        1 => Just(" // trailing\n".to_string()),
        1 => Just("\n/* block\n   comment */\n".to_string()),
    ]
}

fn attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (ident(), "[ ]{0,3}", expression()).prop_map(|(name, pad, value)| format!("{name}{pad}= {value}")),
        1 => (ident(), "[a-z ]{0,12}").prop_map(|(name, text)| format!("{name} = <<-EOT\n    {text}\n  EOT\n")),
    ]
}

fn block() -> impl Strategy<Value = String> {
    let body = prop::collection::vec((attribute(), separator()), 0..5);
    let nested = prop::collection::vec((ident(), prop::collection::vec((attribute(), separator()), 0..3)), 0..2);
    (ident(), prop::collection::vec(prop_oneof![ident(), ident().prop_map(|l| format!("\"{l}\""))], 0..3), body, nested)
        .prop_map(|(kind, labels, body, nested)| {
            let mut out = kind;
            for label in labels {
                out.push(' ');
                out.push_str(&label);
            }
            out.push_str(" {\n");
            for (attr, sep) in body {
                out.push_str(&attr);
                out.push_str(&sep);
            }
            for (name, items) in nested {
                out.push_str(&format!("{name} \"n\" {{ "));
                for (attr, sep) in items {
                    out.push_str(&attr);
                    out.push_str(&sep);
                }
                out.push_str("\n}\n");
            }
            out.push_str("}\n");
            out
        })
}

fn configuration() -> impl Strategy<Value = String> {
    prop::collection::vec((block(), separator()), 0..5)
        .prop_map(|items| items.into_iter().map(|(block, sep)| format!("{block}{sep}")).collect::<String>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn formatting_is_idempotent_and_preserves_meaning(text in configuration()) {
        let parse = isopod_lang::syntax::parse(FileId::default(), &text);
        prop_assume!(parse.diagnostics.is_empty());
        check_formatting(&text);
    }
}

/// A configuration and an edit of it: a byte range (at character boundaries) and its new text,
/// tokens of the language or stray characters.
fn edited_configuration() -> impl Strategy<Value = (String, usize, usize, String)> {
    let insert =
        prop::collection::vec(prop_oneof![token(), Just("\n"), Just("\"")], 0..4).prop_map(|parts| parts.join(" "));
    // Half the edits add a comment line at a line's start, which keeps the text parsing, so that
    // the reuse of untouched items is exercised, not only the fallback to a whole parse.
    let comment = (any::<prop::sample::Index>(), "[a-z ]{0,12}");
    (configuration(), any::<prop::sample::Index>(), 0usize..40, insert, any::<bool>(), comment).prop_map(
        |(text, at, len, insert, as_comment, (line, words))| {
            if as_comment {
                let starts: Vec<usize> =
                    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
                let start = starts[line.index(starts.len())];
                return (text, start, start, format!("# {words}\n"));
            }
            let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let start = boundaries[at.index(boundaries.len())];
            let end = boundaries.iter().copied().filter(|&b| b >= start).nth(len).unwrap_or(text.len());
            (text, start, end, insert)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// The language server parses again only what an edit touched; that must be the parse of
    /// the whole edited text, errors included.
    #[test]
    fn parsing_again_after_an_edit_is_parsing_the_whole_text((text, start, end, insert) in edited_configuration()) {
        let previous = isopod_lang::syntax::parse(FileId::default(), &text);
        let new = format!("{}{insert}{}", &text[..start], &text[end..]);
        let edit = isopod_lang::syntax::Edit { start, old_end: end, new_end: start + insert.len() };
        let reparsed = isopod_lang::syntax::reparse(FileId::default(), previous, &new, edit);
        let whole = isopod_lang::syntax::parse(FileId::default(), &new);
        prop_assert_eq!(reparsed.file, whole.file);
        prop_assert_eq!(reparsed.diagnostics, whole.diagnostics);
    }
}

#[test]
fn generated_configurations_parse() {
    // The generator must produce valid text, or the formatting property tests nothing.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut valid = 0;
    for _ in 0..200 {
        let text = configuration().new_tree(&mut runner).unwrap().current();
        if isopod_lang::syntax::parse(FileId::default(), &text).diagnostics.is_empty() {
            valid += 1;
        }
    }
    assert!(valid >= 190, "only {valid} of 200 generated configurations parse");
}

#[test]
fn formatting_examples_and_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs = vec![root.join("examples"), root.join("lang/tests/ui")];
    let mut checked = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "iso") {
                // The fixtures of `iso::parse::invalid_utf8` are not text: nothing to format.
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                if isopod_lang::syntax::parse(FileId::default(), &text).diagnostics.is_empty() {
                    check_formatting(&text);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 60, "only {checked} files checked");
}

#[test]
fn schema_examples_are_formatted() {
    for schema in isopod_lang::schema::TOP_LEVEL.iter().copied().chain([
        &isopod_lang::schema::SUBNET,
        &isopod_lang::schema::IKE,
        &isopod_lang::schema::SSH,
    ]) {
        let text = format!("{}\n", schema.example);
        assert_eq!(format(&text).unwrap(), text, "the example of `{}` is not formatted", schema.kind);
    }
}
