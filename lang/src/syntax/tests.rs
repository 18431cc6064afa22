use super::ast::*;
use super::parse;
use crate::codes::Code;
use crate::span::FileId;

fn parse_ok(text: &str) -> File {
    let parse = parse(FileId(0), text);
    assert!(parse.diagnostics.is_empty(), "{:#?}", parse.diagnostics);
    parse.file
}

fn codes(text: &str) -> Vec<Code> {
    parse(FileId(0), text).diagnostics.iter().map(|d| d.code).collect()
}

fn first_value(text: &str) -> ExprKind {
    let file = parse_ok(text);
    match &file.body.items[0] {
        Item::Attribute(attr) => attr.value.kind.clone(),
        Item::Block(_) => panic!("expected an attribute"),
    }
}

#[test]
fn blocks_attributes_and_labels() {
    let file = parse_ok("cloud \"aws\" prod {\n  region = \"us-east-1\"\n  nested { a = 1  b = 2 }\n}\n");
    let Item::Block(block) = &file.body.items[0] else { panic!() };
    assert_eq!(block.kind.text, "cloud");
    let labels: Vec<_> = block.labels.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(labels, ["aws", "prod"]);
    assert_eq!(block.body.items.len(), 2);
    let nested = block.body.blocks().next().unwrap();
    assert_eq!(nested.body.attributes().count(), 2);
}

#[test]
fn comments_are_collected() {
    let file = parse_ok("# one\na = 1 // two\n/* three */ b = 2\n");
    assert_eq!(file.comments.len(), 3);
    assert_eq!(file.body.items.len(), 2);
}

#[test]
fn operator_precedence() {
    let ExprKind::Binary(BinaryOp::Or, lhs, _) = first_value("a = 1 + 2 * 3 == 7 || false") else { panic!() };
    let ExprKind::Binary(BinaryOp::Eq, sum, _) = lhs.kind else { panic!() };
    let ExprKind::Binary(BinaryOp::Add, _, product) = sum.kind else { panic!() };
    assert!(matches!(product.kind, ExprKind::Binary(BinaryOp::Mul, _, _)));
}

#[test]
fn left_associative() {
    let ExprKind::Binary(BinaryOp::Sub, lhs, _) = first_value("a = 5 - 2 - 1") else { panic!() };
    assert!(matches!(lhs.kind, ExprKind::Binary(BinaryOp::Sub, _, _)));
}

#[test]
fn strings_escapes_and_interpolation() {
    let ExprKind::Template(parts) = first_value(r#"a = "x\ty ${var.n} $${lit} \u00e9""#) else { panic!() };
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], TemplatePart::Literal("x\ty ".into()));
    assert!(matches!(&parts[1], TemplatePart::Interpolation(_)));
    assert_eq!(parts[2], TemplatePart::Literal(" ${lit} é".into()));
}

#[test]
fn heredocs() {
    let ExprKind::Template(parts) = first_value("a = <<EOT\n  one\n    two\nEOT\n") else { panic!() };
    assert_eq!(parts, [TemplatePart::Literal("  one\n    two\n".into())]);
    let ExprKind::Template(parts) = first_value("a = <<-EOT\n    one\n      two\n    EOT\n") else { panic!() };
    assert_eq!(parts, [TemplatePart::Literal("one\n  two\n".into())]);
}

#[test]
fn references_calls_for_and_conditionals() {
    assert!(matches!(first_value("a = network.app.subnet[\"x\"].cidr"), ExprKind::GetAttr(..)));
    assert!(matches!(first_value("a = cidrsubnet(self.cidr, 8, 1)"), ExprKind::Call(..)));
    assert!(matches!(first_value("a = [for k, v in var.m : v if k != \"x\"]"), ExprKind::For(..)));
    assert!(matches!(first_value("a = {for n in var.l : n => upper(n)}"), ExprKind::For(..)));
    assert!(matches!(first_value("a = var.ha ? 2 : 1"), ExprKind::Conditional(..)));
    assert!(matches!(first_value("a = { x = 1, \"y\" : 2, (local.k) = 3 }"), ExprKind::Object(..)));
    assert!(matches!(first_value("a = network.app-west"), ExprKind::GetAttr(..)));
}

#[test]
fn attributes_may_share_a_line() {
    let file = parse_ok("a = 1  b = x  c = [1]\n");
    assert_eq!(file.body.items.len(), 3);
}

#[test]
fn recovers_and_reports_every_error() {
    let text = "a = = 1\nnetwork \"x\" {\n  cidr = \"10.0.0.0/8\n}\nb = 2\nc = ]\n";
    let parse = parse(FileId(0), text);
    let found: Vec<_> = parse.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(found, [Code::ParseUnexpectedToken, Code::ParseUnterminatedString, Code::ParseUnexpectedToken]);
    assert_eq!(parse.file.body.items.len(), 1, "`b = 2` still parses");
}

#[test]
fn lexical_errors() {
    assert_eq!(codes("a = \"x\\q\"\n"), [Code::ParseInvalidEscape]);
    assert_eq!(codes("/* open\na = 1\n"), [Code::ParseUnterminatedComment]);
    assert_eq!(codes("a = <<EOT\nline\n"), [Code::ParseUnterminatedHeredoc]);
    assert_eq!(codes("b {\n  c = 1\n"), [Code::ParseUnexpectedEof]);
}

#[test]
fn never_panics_on_odd_input() {
    for text in
        ["", "\n", "{", "}", "\"", "<<", "<<-X\n", "a", "a =", "a = \"${", "a = \"${\"", "\u{FEFF}a = 1", "é = 1"]
    {
        let _ = parse(FileId(0), text);
    }
}

#[test]
fn parallel_parsing_gives_the_same_tree() {
    let mut text = String::new();
    for n in 0..6000 {
        text.push_str(&format!(
            "# {n}\nnetwork \"n{n}\" {{\n  cidr = \"10.0.0.0/16\" // c\n  tags = {{ a = \"${{x}}\" }}\n}}\n"
        ));
    }
    let one = super::parse_with_threads(FileId(0), &text, 1);
    let four = super::parse_with_threads(FileId(0), &text, 4);
    assert!(one.diagnostics.is_empty());
    assert_eq!(one.file, four.file);
    // A cut inside a heredoc or block comment falls back to one piece: still the same tree.
    let tricky = format!("a = <<EOT\n{}EOT\n/*\n{}*/\n{}", "line = 1\n".repeat(20000), "b = 2\n".repeat(20000), text);
    assert_eq!(
        super::parse_with_threads(FileId(0), &tricky, 1).file,
        super::parse_with_threads(FileId(0), &tricky, 3).file
    );
}

#[test]
fn absurd_nesting_is_refused_not_a_stack_overflow() {
    let brackets = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(codes(&brackets), [Code::ParseTooDeep]);
    let chain = format!("a = 1{}\nb = 2\n", " + 1".repeat(100_000));
    let parse = parse(FileId(0), &chain);
    assert_eq!(parse.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), [Code::ParseTooDeep]);
    assert_eq!(parse.file.body.items.len(), 1, "`b = 2` is kept");
    let prefixes = format!("a = {}true\n", "!".repeat(100_000));
    assert_eq!(codes(&prefixes), [Code::ParseTooDeep]);
    let conditionals = format!("a = {}1\n", "x ? 1 : ".repeat(100_000));
    assert_eq!(codes(&conditionals), [Code::ParseTooDeep]);
    // Within the limits, deep but legitimate input parses.
    let fine = format!("a = {}1{}\n", "[".repeat(60), "]".repeat(60));
    assert!(codes(&fine).is_empty());
}

#[test]
fn the_punctuation_a_parse_expected_is_named() {
    let message = |text: &str| parse(FileId(0), text).diagnostics[0].labels[0].message.clone();
    // One-character tokens are character ranges in the grammar: they are still named as written.
    assert_eq!(message("a 1\n"), "expected `=`, `{`, a name or a string, found `1`");
    assert_eq!(message("a = [1 2]\n"), "expected `,`, `.` or `[`, `=`, `?`, `]` or an operator, found `2`");
    assert_eq!(message("a = { b 1 }\n"), "expected `:` or `=`, found `1`");
}
