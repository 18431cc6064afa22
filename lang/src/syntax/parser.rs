//! The pest parser and the builder of the syntax tree. Nothing outside this module sees a pest
//! type, so the parser can be replaced without touching the rest of the crate.

use super::ast::*;
use super::lexical;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};
use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use std::cell::RefCell;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/iso.pest"]
struct IsoParser;

/// How deep brackets, interpolations and conditionals may nest: the parser recurses per level.
const MAX_NESTING: usize = 64;

/// How deep the syntax tree of one item may be: later passes recurse per level.
const MAX_TREE_DEPTH: usize = 256;

/// Files at least this long are parsed in parallel chunks.
const PARALLEL_THRESHOLD: usize = 256 * 1024;

/// Parses a whole file. Never fails: errors become diagnostics and parsing resumes at the next
/// top-level item.
///
/// Large files are cut at lines that look like the start of a top-level item and the pieces are
/// parsed on several threads. A cut in the middle of an item always leaves the piece before it
/// unfinished, hence in error, so when any piece has an error the whole file is parsed again in
/// one piece: the result never depends on where the cuts fell.
pub(super) fn parse_file(file: FileId, text: &str, threads: usize) -> (File, Vec<Diagnostic>) {
    let cuts = cut_points(text, threads);
    if cuts.len() > 2 {
        let pieces: Vec<Piece> = std::thread::scope(|scope| {
            let handles: Vec<_> =
                cuts.windows(2).map(|range| scope.spawn(move || parse_range(file, text, range[0], range[1]))).collect();
            handles.into_iter().map(|handle| handle.join().expect("parsing does not panic")).collect()
        });
        if pieces.iter().all(|piece| piece.diagnostics.is_empty()) {
            let mut whole = Piece::default();
            for mut piece in pieces {
                whole.items.append(&mut piece.items);
                whole.comments.append(&mut piece.comments);
            }
            return finish(file, whole);
        }
    }
    finish(file, parse_range(file, text, 0, text.len()))
}

/// Parses the top-level items of `text[start..end]` alone, on this thread; spans are offsets of
/// `text`. For parsing again only what an edit touched.
pub(super) fn parse_region(file: FileId, text: &str, start: usize, end: usize) -> super::Parse {
    let (file, diagnostics) = finish(file, parse_range(file, text, start, end));
    super::Parse { file, diagnostics }
}

/// What parsing a range of a file produced.
#[derive(Default)]
struct Piece {
    items: Vec<Item>,
    comments: Vec<Comment>,
    diagnostics: Vec<Diagnostic>,
}

fn finish(file: FileId, piece: Piece) -> (File, Vec<Diagnostic>) {
    let Piece { items, comments, diagnostics } = piece;
    (File { id: file, body: Body { items }, comments }, diagnostics)
}

/// Where to cut `text` for parsing on `threads` threads: `0`, the cuts, and `text.len()`; just
/// the two ends for small files or a single thread.
fn cut_points(text: &str, threads: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    if text.len() >= PARALLEL_THRESHOLD && threads > 1 {
        let bytes = text.as_bytes();
        for part in 1..threads {
            let mut pos = text.len() * part / threads;
            while let Some(newline) = bytes[pos..].iter().position(|&b| b == b'\n') {
                pos += newline + 1;
                if bytes.get(pos).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
                    break;
                }
            }
            if pos < text.len() && pos > *cuts.last().expect("cuts start with 0") {
                cuts.push(pos);
            }
        }
    }
    cuts.push(text.len());
    cuts
}

/// Parses the top-level items of `text[start..end]`, recovering after each error. Input nested
/// deeper than the parser may recurse is refused whole.
fn parse_range(file: FileId, text: &str, start: usize, end: usize) -> Piece {
    if let Some(pos) = lexical::too_deep(&text[start..end], MAX_NESTING) {
        let pos = start + pos;
        let span = Span::new(file, pos, token_end(text, pos));
        let label = format!("nested more than {MAX_NESTING} levels deep; nothing of this file was read");
        let diagnostic = Diagnostic::error(Code::ParseTooDeep, span, label);
        return Piece { items: Vec::new(), comments: Vec::new(), diagnostics: vec![diagnostic] };
    }
    let mut items = Vec::new();
    let mut diagnostics = Vec::new();
    let mut builder = Builder { file, base: 0, comments: RefCell::new(Vec::new()) };
    let mut offset = start;
    while offset <= end {
        builder.base = offset;
        match IsoParser::parse(Rule::item_at, &text[offset..end]) {
            Ok(mut pairs) => {
                let item_at = pairs.next().expect("item_at always yields one pair");
                let item_end = offset + item_at.as_span().end();
                let mut at_end = false;
                for child in builder.children(item_at) {
                    let item = match child.as_rule() {
                        Rule::EOI => {
                            at_end = true;
                            continue;
                        }
                        Rule::attribute => Item::Attribute(builder.attribute(child)),
                        Rule::block => Item::Block(builder.block(child)),
                        rule => unreachable!("item_at cannot hold {rule:?}"),
                    };
                    match super::depth::deepest_expression(&item, MAX_TREE_DEPTH) {
                        None => items.push(item),
                        Some(span) => {
                            let label = format!("more than {MAX_TREE_DEPTH} operations deep");
                            diagnostics.push(Diagnostic::error(Code::ParseTooDeep, span, label));
                            super::depth::dismantle(item);
                        }
                    }
                }
                if at_end {
                    break;
                }
                offset = item_end;
            }
            Err(error) => {
                let error_pos = match error.location {
                    InputLocation::Pos(pos) => offset + pos,
                    InputLocation::Span((start, _)) => offset + start,
                };
                let resume = resync_point(&text[..end], error_pos);
                let expected = expected_after_error(&text[offset..end], &error.variant);
                let diagnostic = syntax_error(file, &text[..end], offset, resume, error_pos, &expected);
                // An unclosed comment or heredoc swallows the rest of the file.
                let swallows_rest =
                    matches!(diagnostic.code, Code::ParseUnterminatedComment | Code::ParseUnterminatedHeredoc);
                diagnostics.push(diagnostic);
                if resume >= end || swallows_rest {
                    break;
                }
                offset = resume;
            }
        }
    }
    let mut comments = builder.comments.into_inner();
    comments.sort_by_key(|comment| comment.span.start);
    super::trim::Trimmer::new(text, &comments).items(&mut items);
    Piece { items, comments, diagnostics }
}

/// The start of the next line after `error_pos` that begins with a name at column 0: the
/// likeliest start of the next top-level item.
fn resync_point(text: &str, error_pos: usize) -> usize {
    let bytes = text.as_bytes();
    let mut pos = error_pos.min(text.len());
    while let Some(newline) = bytes[pos..].iter().position(|&b| b == b'\n') {
        pos += newline + 1;
        if bytes.get(pos).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
            return pos;
        }
    }
    text.len()
}

/// The diagnostic for a parse failure of the item in `text[start..end]`.
fn syntax_error(file: FileId, text: &str, start: usize, end: usize, error_pos: usize, expected: &str) -> Diagnostic {
    let lexical = lexical::diagnose(&text[start..end]);
    let lexical_span = |lexical: &lexical::LexicalError| Span::new(file, start + lexical.start, start + lexical.end);
    let unclosed = match lexical {
        Some(lexical) if lexical.code != Code::ParseUnexpectedEof => {
            return Diagnostic::error(lexical.code, lexical_span(&lexical), lexical.label);
        }
        other => other,
    };
    if text[error_pos..].trim().is_empty() {
        if let Some(unclosed) = unclosed {
            return Diagnostic::error(Code::ParseUnexpectedEof, lexical_span(&unclosed), unclosed.label);
        }
        let span = Span::new(file, text.len(), text.len());
        return Diagnostic::error(Code::ParseUnexpectedEof, span, "the file ends here");
    }
    let token_end = token_end(text, error_pos);
    let found = &text[error_pos..token_end];
    let span = Span::new(file, error_pos, token_end);
    match unclosed {
        Some(unclosed) if start + unclosed.start < error_pos && !expected.contains("an expression") => {
            let closer = unclosed.closer.unwrap_or('}');
            let opener = &text[start + unclosed.start..start + unclosed.end];
            Diagnostic::error(Code::ParseUnexpectedToken, span, format!("expected `{closer}`, found `{found}`"))
                .with_label(lexical_span(&unclosed), format!("this `{opener}` is not closed"))
        }
        _ => Diagnostic::error(Code::ParseUnexpectedToken, span, format!("expected {expected}, found `{found}`")),
    }
}

/// The end of the token starting at `pos`: a name, a number, or one character.
fn token_end(text: &str, pos: usize) -> usize {
    let rest = &text[pos..];
    let word = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-').count();
    if word > 0 {
        return pos + word;
    }
    pos + rest.chars().next().map_or(0, char::len_utf8)
}

/// What the parser expected where it failed: the rules it tried, named for people, and the
/// punctuation it looked for. The punctuation comes from parsing the failed item once more with
/// pest's error detail on, which costs nothing on valid input.
fn expected_after_error(item_text: &str, variant: &ErrorVariant<Rule>) -> String {
    let ErrorVariant::ParsingError { positives, .. } = variant else {
        return "something else".to_string();
    };
    let mut names: Vec<String> = positives.iter().filter_map(|rule| rule.display_name()).map(String::from).collect();
    pest::set_error_detail(true);
    let detailed = IsoParser::parse(Rule::item_at, item_text);
    pest::set_error_detail(false);
    if let Some(attempts) = detailed.err().and_then(|err| err.parse_attempts()) {
        // Only the tokens that structure the language; those that start an expression, a string
        // or a name are already covered by the rules' names.
        let expression = names.iter().any(|name| name == "an expression");
        for token in attempts.expected_tokens().iter().map(ToString::to_string) {
            let structural = ["=", "{", "}", "]", ")", ",", ":", "=>"].contains(&token.as_str());
            if structural && !(expression && token == "{") {
                names.push(format!("`{token}`"));
            }
        }
    }
    describe_expected(names)
}

fn describe_expected(mut names: Vec<String>) -> String {
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

impl Rule {
    /// How a rule is named to users; `None` for rules that never appear alone in an error.
    /// Exhaustive on purpose: every new rule forces a decision about its name.
    fn display_name(self) -> Option<&'static str> {
        Some(match self {
            Rule::EOI => "end of file",
            Rule::WHITESPACE | Rule::COMMENT | Rule::item_at | Rule::for_kw | Rule::in_kw | Rule::if_kw => {
                return None;
            }
            Rule::label => "a label",
            Rule::primary | Rule::object_key | Rule::bracket | Rule::brace => "an expression",
            Rule::attribute | Rule::block | Rule::ident | Rule::ident_char => "a name",
            Rule::expr | Rule::operand | Rule::paren | Rule::name => "an expression",
            Rule::cond_q => "`?`",
            Rule::cond_colon => "`:`",
            Rule::prefix => "`!` or `-`",
            Rule::infix => "an operator",
            Rule::postfix | Rule::get_attr | Rule::index => "`.` or `[`",
            Rule::call_args => "`(`",
            Rule::number => "a number",
            Rule::list | Rule::for_list => "a list",
            Rule::object | Rule::for_object => "an object",
            Rule::object_item => "an object item",
            Rule::for_vars => "a variable name",
            Rule::for_cond => "`if`",
            Rule::string | Rule::string_text => "a string",
            Rule::escape | Rule::dollar_escape => "an escape",
            Rule::interpolation => "`${`",
            Rule::heredoc | Rule::heredoc_line | Rule::heredoc_text | Rule::heredoc_strip => "a heredoc",
            Rule::heredoc_close => "the heredoc's closing delimiter",
        })
    }
}

/// Turns pest pairs into the syntax tree. `base` is the byte offset of the text pest saw within
/// the whole file.
struct Builder {
    file: FileId,
    base: usize,
    comments: RefCell<Vec<Comment>>,
}

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        Span::new(self.file, self.base + span.start(), self.base + span.end())
    }

    /// The children of `pair` without keywords, with comments set aside for the formatter.
    fn children<'i>(&self, pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
        pair.into_inner().filter(move |child| match child.as_rule() {
            Rule::COMMENT => {
                self.comments.borrow_mut().push(Comment { span: self.span(child) });
                false
            }
            Rule::for_kw | Rule::in_kw | Rule::if_kw => false,
            _ => true,
        })
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident { text: pair.as_str().to_string(), span: self.span(&pair) }
    }

    fn attribute(&self, pair: Pair<'_, Rule>) -> Attribute {
        let span = self.span(&pair);
        let mut children = self.children(pair);
        let name = self.ident(children.next().expect("attribute name"));
        let value = self.expr(children.next().expect("attribute value"));
        Attribute { name, value, span }
    }

    fn block(&self, pair: Pair<'_, Rule>) -> Block {
        let span = self.span(&pair);
        let mut children = self.children(pair);
        let kind = self.ident(children.next().expect("block kind"));
        let mut labels = Vec::new();
        let mut items = Vec::new();
        for child in children {
            match child.as_rule() {
                Rule::ident => {
                    let label = self.ident(child);
                    labels.push(BlockLabel { text: label.text, span: label.span });
                }
                Rule::string => {
                    let label_span = self.span(&child);
                    let raw = child.as_str();
                    let parts = self.template_parts(child);
                    // Labels are names: one with an interpolation keeps its source text, so that
                    // the checker rejects it as an invalid name and points at it.
                    let text = match parts.as_slice() {
                        [] => String::new(),
                        [TemplatePart::Literal(text)] => text.clone(),
                        _ => raw[1..raw.len() - 1].to_string(),
                    };
                    labels.push(BlockLabel { text, span: label_span });
                }
                Rule::attribute => items.push(Item::Attribute(self.attribute(child))),
                Rule::block => items.push(Item::Block(self.block(child))),
                rule => unreachable!("block cannot hold {rule:?}"),
            }
        }
        Block { kind, labels, body: Body { items }, span }
    }

    fn expr(&self, pair: Pair<'_, Rule>) -> Expr {
        debug_assert_eq!(pair.as_rule(), Rule::expr);
        let span = self.span(&pair);
        let mut operands: Vec<Expr> = Vec::new();
        let mut operators: Vec<BinaryOp> = Vec::new();
        let mut children = self.children(pair);
        for child in children.by_ref() {
            match child.as_rule() {
                Rule::operand => operands.push(self.operand(child)),
                Rule::infix => {
                    let op = binary_op(child.as_str());
                    while operators.last().is_some_and(|top| precedence(*top) >= precedence(op)) {
                        fold_top(&mut operands, &mut operators);
                    }
                    operators.push(op);
                }
                Rule::cond_q => break,
                rule => unreachable!("expr cannot hold {rule:?}"),
            }
        }
        while !operators.is_empty() {
            fold_top(&mut operands, &mut operators);
        }
        let condition = operands.pop().expect("expr has an operand");
        match children.next() {
            None => condition,
            Some(then) => {
                let then = self.expr(then);
                let _colon = children.next();
                let otherwise = self.expr(children.next().expect("conditional else"));
                let kind = ExprKind::Conditional(Box::new(condition), Box::new(then), Box::new(otherwise));
                Expr { kind, span }
            }
        }
    }

    /// `prefix* primary postfix*`
    fn operand(&self, pair: Pair<'_, Rule>) -> Expr {
        let mut prefixes = Vec::new();
        let mut expr: Option<Expr> = None;
        for child in self.children(pair) {
            match child.as_rule() {
                Rule::prefix => prefixes.push((self.span(&child), child.as_str() == "!")),
                Rule::postfix => {
                    let base = expr.take().expect("postfix follows the primary");
                    expr = Some(self.postfix(base, child));
                }
                _ => expr = Some(self.primary(child)),
            }
        }
        let mut expr = expr.expect("operand has a primary");
        for (span, is_not) in prefixes.into_iter().rev() {
            let op = if is_not { UnaryOp::Not } else { UnaryOp::Neg };
            let span = span.to(expr.span);
            expr = Expr { kind: ExprKind::Unary(op, Box::new(expr)), span };
        }
        expr
    }

    fn postfix(&self, base: Expr, pair: Pair<'_, Rule>) -> Expr {
        let op = self.children(pair).next().expect("postfix operator");
        let span = base.span.to(self.span(&op));
        let kind = match op.as_rule() {
            Rule::get_attr => {
                let name = self.ident(self.children(op).next().expect("attribute name"));
                ExprKind::GetAttr(Box::new(base), name)
            }
            Rule::index => {
                let index = self.expr(self.children(op).next().expect("index expression"));
                ExprKind::Index(Box::new(base), Box::new(index))
            }
            rule => unreachable!("postfix cannot be {rule:?}"),
        };
        Expr { kind, span }
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::number => ExprKind::Number(pair.as_str().parse().unwrap_or(f64::INFINITY)),
            Rule::string => ExprKind::Template(self.template_parts(pair)),
            Rule::heredoc => ExprKind::Template(self.heredoc(pair)),
            Rule::name => {
                let mut children = self.children(pair);
                let name = self.ident(children.next().expect("a name"));
                match (children.next(), name.text.as_str()) {
                    (Some(args), _) => ExprKind::Call(name, self.children(args).map(|arg| self.expr(arg)).collect()),
                    (None, "true") => ExprKind::Bool(true),
                    (None, "false") => ExprKind::Bool(false),
                    (None, "null") => ExprKind::Null,
                    (None, _) => ExprKind::Variable(name),
                }
            }
            Rule::paren => ExprKind::Paren(Box::new(self.expr(self.children(pair).next().expect("paren")))),
            Rule::list => ExprKind::List(self.children(pair).map(|item| self.expr(item)).collect()),
            Rule::object => ExprKind::Object(self.children(pair).map(|item| self.object_item(item)).collect()),
            Rule::for_list | Rule::for_object => ExprKind::For(Box::new(self.for_expr(pair))),
            rule => unreachable!("primary cannot be {rule:?}"),
        };
        Expr { kind, span }
    }

    fn object_item(&self, pair: Pair<'_, Rule>) -> ObjectItem {
        let mut children = self.children(pair);
        let key = children.next().expect("object key");
        let key = match key.as_rule() {
            Rule::ident => ObjectKey::Ident(self.ident(key)),
            _ => ObjectKey::Expr(self.primary(key)),
        };
        let value = self.expr(children.next().expect("object value"));
        ObjectItem { key, value }
    }

    fn for_expr(&self, pair: Pair<'_, Rule>) -> ForExpr {
        let is_object = pair.as_rule() == Rule::for_object;
        let mut children = self.children(pair);
        let mut vars: Vec<Ident> = self.children(children.next().expect("for vars")).map(|v| self.ident(v)).collect();
        let value_var = vars.pop().expect("for has a variable");
        let key_var = vars.pop();
        let collection = self.expr(children.next().expect("for collection"));
        let first = self.expr(children.next().expect("for result"));
        let (key, value) = if is_object {
            (Some(first), self.expr(children.next().expect("for object value")))
        } else {
            (None, first)
        };
        let condition = children.next().map(|cond| self.expr(self.children(cond).next().expect("if expr")));
        ForExpr { key_var, value_var, collection, key, value, condition }
    }

    fn template_parts(&self, pair: Pair<'_, Rule>) -> Vec<TemplatePart> {
        let mut parts = Vec::new();
        for child in self.children(pair) {
            self.template_part(child, &mut parts);
        }
        parts
    }

    fn template_part(&self, pair: Pair<'_, Rule>, parts: &mut Vec<TemplatePart>) {
        match pair.as_rule() {
            Rule::string_text | Rule::heredoc_text => push_literal(parts, pair.as_str()),
            Rule::dollar_escape => push_literal(parts, "${"),
            Rule::escape => push_literal(parts, &decode_escape(pair.as_str())),
            Rule::interpolation => {
                let expr = self.expr(self.children(pair).next().expect("interpolated expression"));
                parts.push(TemplatePart::Interpolation(expr));
            }
            rule => unreachable!("template cannot hold {rule:?}"),
        }
    }

    fn heredoc(&self, pair: Pair<'_, Rule>) -> Vec<TemplatePart> {
        let mut strip = false;
        let mut lines: Vec<Vec<TemplatePart>> = Vec::new();
        for child in self.children(pair) {
            match child.as_rule() {
                Rule::heredoc_strip => strip = true,
                Rule::heredoc_line => {
                    let mut line = Vec::new();
                    for part in self.children(child) {
                        self.template_part(part, &mut line);
                    }
                    push_literal(&mut line, "\n");
                    lines.push(line);
                }
                Rule::ident | Rule::heredoc_close => {}
                rule => unreachable!("heredoc cannot hold {rule:?}"),
            }
        }
        if strip {
            strip_common_indent(&mut lines);
        }
        let mut parts = Vec::new();
        for part in lines.into_iter().flatten() {
            match part {
                TemplatePart::Literal(text) => push_literal(&mut parts, &text),
                interpolation => parts.push(interpolation),
            }
        }
        parts
    }
}

/// Removes the indentation that all non-blank lines of a `<<-` heredoc share.
fn strip_common_indent(lines: &mut [Vec<TemplatePart>]) {
    let indent_of = |line: &[TemplatePart]| match line.first() {
        Some(TemplatePart::Literal(text)) => {
            let indent = text.len() - text.trim_start_matches([' ', '\t']).len();
            (text[indent..] != *"\n").then_some(indent)
        }
        _ => Some(0),
    };
    let common = lines.iter().filter_map(|line| indent_of(line)).min().unwrap_or(0);
    for line in lines {
        if let Some(TemplatePart::Literal(text)) = line.first_mut() {
            let cut = common.min(text.len() - text.trim_start_matches([' ', '\t']).len());
            text.drain(..cut);
        }
    }
}

fn push_literal(parts: &mut Vec<TemplatePart>, text: &str) {
    if let Some(TemplatePart::Literal(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(TemplatePart::Literal(text.to_string()));
    }
}

fn decode_escape(escape: &str) -> String {
    match &escape[1..] {
        "n" => "\n".into(),
        "r" => "\r".into(),
        "t" => "\t".into(),
        "\"" => "\"".into(),
        "\\" => "\\".into(),
        hex => u32::from_str_radix(&hex[1..], 16)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or(char::REPLACEMENT_CHARACTER)
            .to_string(),
    }
}

fn binary_op(symbol: &str) -> BinaryOp {
    match symbol {
        "||" => BinaryOp::Or,
        "&&" => BinaryOp::And,
        "==" => BinaryOp::Eq,
        "!=" => BinaryOp::NotEq,
        "<" => BinaryOp::Lt,
        "<=" => BinaryOp::LtEq,
        ">" => BinaryOp::Gt,
        ">=" => BinaryOp::GtEq,
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        "%" => BinaryOp::Rem,
        other => unreachable!("the grammar has no operator {other}"),
    }
}

fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Eq | BinaryOp::NotEq => 3,
        BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq => 4,
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 6,
    }
}

fn fold_top(operands: &mut Vec<Expr>, operators: &mut Vec<BinaryOp>) {
    let op = operators.pop().expect("an operator to fold");
    let rhs = operands.pop().expect("a right operand");
    let lhs = operands.pop().expect("a left operand");
    let span = lhs.span.to(rhs.span);
    operands.push(Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span });
}
