//! The canonical layout of `.iso` files: two-space indentation, one item per line, `=` aligned
//! within runs of consecutive attributes, at most one blank line, comments kept where they were.
//!
//! Formatting is idempotent, and the formatted text parses to the same syntax tree as the
//! original (spans aside); the property tests check both. Multi-line expressions other than lists
//! and objects keep their own line breaks, re-indented with their first line; heredocs are never
//! touched.

use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};
use crate::syntax::{self, ast::*};

/// Formats one file. Returns the syntax errors instead when the file does not parse.
///
/// As a safety net, a layout that would not parse back to the same tree with the same comments
/// (a comment in a place the layout cannot keep, such as between a name and its `=`) is not
/// applied: the text is returned unchanged.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let formatted = format_unchecked(text)?;
    if shape(&formatted) == shape(text) { Ok(formatted) } else { Ok(text.to_string()) }
}

/// A rendering of a file's syntax tree and comments without positions or layout, for comparing
/// two texts; `None` when the text does not parse. It is built from the tree's `Debug` output
/// with every span erased, so it is independent of the printer it checks.
pub fn shape(text: &str) -> Option<String> {
    let parse = syntax::parse(FileId(0), text);
    if !parse.diagnostics.is_empty() {
        return None;
    }
    let mut out = erase_spans(&format!("{:?}", parse.file.body));
    for comment in &parse.file.comments {
        out.push('\n');
        out.push_str(text[comment.span.range()].trim_end());
    }
    Some(out)
}

/// Removes every `Span { .. }` from a `Debug` rendering.
fn erase_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(start) = rest.find("Span {") {
        out.push_str(&rest[..start]);
        rest = rest[start..].split_once('}').map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

/// Formats without the safety net of [`format`]. Public so that the property tests can prove the
/// safety net is never needed for the inputs they generate.
pub fn format_unchecked(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parse = syntax::parse(FileId(0), text);
    if !parse.diagnostics.is_empty() {
        return Err(parse.diagnostics);
    }
    let printer = Printer { text, comments: &parse.file.comments };
    let mut out = String::new();
    printer.sequence(&mut out, elements_of_body(&parse.file.body), 0, text.len(), 0, true);
    while out.ends_with(['\n', ' ']) {
        out.pop();
    }
    if !out.is_empty() {
        out.push('\n');
    }
    Ok(out)
}

/// One thing a sequence prints: a comment, or an item of a body, list or object.
#[derive(Clone, Copy)]
enum Element<'a> {
    Comment(Span),
    Item(&'a Item),
    ListItem(&'a Expr),
    ObjectItem(&'a ObjectItem),
}

impl Element<'_> {
    fn span(&self) -> Span {
        match self {
            Element::Comment(span) => *span,
            Element::Item(item) => item.span(),
            Element::ListItem(expr) => expr.span,
            Element::ObjectItem(item) => item.key.span().to(item.value.span),
        }
    }

    /// The name to align `=` on, for attributes and object items.
    fn aligned_key<'t>(&self, text: &'t str) -> Option<&'t str> {
        match self {
            Element::Item(Item::Attribute(attr)) => Some(&text[attr.name.span.range()]),
            Element::ObjectItem(item) => Some(&text[item.key.span().range()]),
            _ => None,
        }
    }
}

fn elements_of_body(body: &Body) -> Vec<Element<'_>> {
    body.items.iter().map(Element::Item).collect()
}

struct Printer<'a> {
    text: &'a str,
    comments: &'a [Comment],
}

impl Printer<'_> {
    /// The comments that start within `start..end`.
    fn comments_in(&self, start: usize, end: usize) -> &[Comment] {
        let first = self.comments.partition_point(|c| (c.span.start as usize) < start);
        let last = self.comments.partition_point(|c| (c.span.start as usize) < end);
        &self.comments[first..last.max(first)]
    }

    fn newlines_between(&self, start: usize, end: usize) -> usize {
        self.text[start.min(end)..end].bytes().filter(|&b| b == b'\n').count()
    }

    /// Prints `elements` and the comments between them, within `start..end` of the source.
    /// `top` is true for the file itself, whose first element starts the output.
    fn sequence(&self, out: &mut String, items: Vec<Element<'_>>, start: usize, end: usize, indent: usize, top: bool) {
        let mut elements: Vec<Element<'_>> = Vec::with_capacity(items.len());
        let mut cursor = start;
        for item in items {
            let item_start = item.span().start as usize;
            elements.extend(self.comments_in(cursor, item_start).iter().map(|c| Element::Comment(c.span)));
            elements.push(item);
            cursor = item.span().end as usize;
        }
        elements.extend(self.comments_in(cursor, end).iter().map(|c| Element::Comment(c.span)));
        let (widths, runs) = self.alignment(&elements);
        let rendered: Vec<String> =
            elements.iter().enumerate().map(|(idx, e)| self.element(e, widths[idx], indent)).collect();
        let mut starts_line = vec![true; elements.len()];
        let mut previous_end = start;
        for (idx, element) in elements.iter().enumerate() {
            let newlines = self.newlines_between(previous_end, element.span().start as usize);
            let first = idx == 0;
            starts_line[idx] = !(matches!(element, Element::Comment(_)) && newlines == 0 && !(first && top));
            previous_end = element.span().end as usize;
        }
        // Trailing comments after the single-line items of one alignment run line up.
        let has_trailing_comment = |idx: usize| idx + 1 < elements.len() && !starts_line[idx + 1];
        let comment_column = |run: usize| {
            (0..elements.len())
                .filter(|&i| runs[i] == Some(run) && has_trailing_comment(i) && !rendered[i].contains('\n'))
                .map(|i| rendered[i].len())
                .max()
        };
        let pad = " ".repeat(indent);
        let mut previous_end = start;
        for (idx, element) in elements.iter().enumerate() {
            let newlines = self.newlines_between(previous_end, element.span().start as usize);
            let first = idx == 0;
            if !starts_line[idx] {
                let column = idx.checked_sub(1).and_then(|p| runs[p].filter(|_| !rendered[p].contains('\n')));
                let target = column.and_then(comment_column).unwrap_or(0);
                let current = idx.checked_sub(1).map_or(0, |p| rendered[p].len());
                out.extend(std::iter::repeat_n(' ', target.saturating_sub(current) + 1));
            } else if !(first && top) {
                if newlines >= 2 && !first {
                    out.push('\n');
                }
                out.push('\n');
                out.push_str(&pad);
            }
            out.push_str(&rendered[idx]);
            previous_end = element.span().end as usize;
        }
    }

    /// One element as printed, from its first character (its indentation is the caller's).
    fn element(&self, element: &Element<'_>, width: usize, indent: usize) -> String {
        let mut out = String::new();
        match element {
            Element::Comment(span) => out.push_str(self.text[span.range()].trim_end()),
            Element::Item(Item::Attribute(attr)) => {
                out.push_str(&self.text[attr.name.span.range()]);
                self.pad_to(&mut out, attr.name.span.len(), width);
                out.push_str(" = ");
                out.push_str(&self.expr(&attr.value, indent));
            }
            Element::Item(Item::Block(block)) => self.block(&mut out, block, indent),
            Element::ListItem(expr) => {
                out.push_str(&self.expr(expr, indent));
                out.push(',');
            }
            Element::ObjectItem(item) => {
                out.push_str(&self.text[item.key.span().range()]);
                self.pad_to(&mut out, item.key.span().len(), width);
                out.push_str(" = ");
                out.push_str(&self.expr(&item.value, indent));
            }
        }
        out
    }

    fn pad_to(&self, out: &mut String, len: usize, width: usize) {
        out.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
    }

    /// The key width of each element's alignment run: consecutive attributes (or object items)
    /// on consecutive lines, with nothing but trailing comments between them.
    fn alignment(&self, elements: &[Element<'_>]) -> (Vec<usize>, Vec<Option<usize>>) {
        let mut widths = vec![0; elements.len()];
        let mut runs = vec![None; elements.len()];
        let mut run: Vec<usize> = Vec::new();
        let mut previous_end: Option<usize> = None;
        let mut flush = |run: &mut Vec<usize>, widths: &mut Vec<usize>| {
            let width = run.iter().map(|&i| elements[i].aligned_key(self.text).map_or(0, str::len)).max().unwrap_or(0);
            for &i in run.iter() {
                widths[i] = width;
                runs[i] = run.first().copied();
            }
            run.clear();
        };
        for (idx, element) in elements.iter().enumerate() {
            let span = element.span();
            let gap = previous_end.map(|end| self.newlines_between(end, span.start as usize));
            match element.aligned_key(self.text) {
                Some(_) => {
                    if gap.is_some_and(|n| n >= 2) {
                        flush(&mut run, &mut widths);
                    }
                    run.push(idx);
                }
                None if matches!(element, Element::Comment(_)) && gap == Some(0) => continue,
                None => flush(&mut run, &mut widths),
            }
            previous_end = Some(span.end as usize);
        }
        flush(&mut run, &mut widths);
        (widths, runs)
    }

    fn block(&self, out: &mut String, block: &Block, indent: usize) {
        out.push_str(&block.kind.text);
        for label in &block.labels {
            out.push(' ');
            out.push_str(&self.text[label.span.range()]);
        }
        let header_end = block.labels.last().map_or(block.kind.span.end, |l| l.span.end) as usize;
        let body_end = block.span.end as usize - 1;
        if block.body.items.is_empty() && self.comments_in(header_end, body_end).is_empty() {
            out.push_str(" {}");
            return;
        }
        out.push_str(" {");
        self.sequence(out, elements_of_body(&block.body), header_end, body_end, indent + 2, false);
        out.push('\n');
        out.push_str(&" ".repeat(indent));
        out.push('}');
    }

    /// An expression as it should be printed at `indent` (the indentation of its first line).
    fn expr(&self, expr: &Expr, indent: usize) -> String {
        let source = &self.text[expr.span.range()];
        let multiline = source.contains('\n');
        let has_comments = !self.comments_in(expr.span.start as usize, expr.span.end as usize).is_empty();
        if !multiline && !has_comments {
            return self.inline(expr);
        }
        if !multiline {
            return source.to_string();
        }
        match &expr.kind {
            ExprKind::List(items) => {
                self.bracketed('[', ']', items.iter().map(Element::ListItem).collect(), expr.span, indent)
            }
            ExprKind::Object(items) => {
                self.bracketed('{', '}', items.iter().map(Element::ObjectItem).collect(), expr.span, indent)
            }
            _ => self.reindented(expr, indent),
        }
    }

    fn bracketed(&self, open: char, close: char, elements: Vec<Element<'_>>, span: Span, indent: usize) -> String {
        let mut out = String::new();
        out.push(open);
        if elements.is_empty() && self.comments_in(span.start as usize + 1, span.end as usize - 1).is_empty() {
            out.push(close);
            return out;
        }
        self.sequence(&mut out, elements, span.start as usize + 1, span.end as usize - 1, indent + 2, false);
        out.push('\n');
        out.push_str(&" ".repeat(indent));
        out.push(close);
        out
    }

    /// A multi-line expression kept as written, its continuation lines shifted with its first.
    fn reindented(&self, expr: &Expr, indent: usize) -> String {
        let source = &self.text[expr.span.range()];
        if source.contains("<<") {
            // Possibly a heredoc, whose lines are content: keep every byte.
            return source.to_string();
        }
        let line_start = self.text[..expr.span.start as usize].rfind('\n').map_or(0, |n| n + 1);
        let old_indent = self.text[line_start..].bytes().take_while(|&b| b == b' ').count();
        let mut lines = source.split('\n');
        let mut out = lines.next().unwrap_or_default().to_string();
        for line in lines {
            out.push('\n');
            let leading = line.bytes().take_while(|&b| b == b' ').count();
            let kept = if indent >= old_indent {
                leading + (indent - old_indent)
            } else {
                leading.saturating_sub(old_indent - indent)
            };
            if !line.trim().is_empty() {
                out.push_str(&" ".repeat(kept));
                out.push_str(&line[leading..]);
            }
        }
        out
    }

    /// A single-line expression in canonical spacing.
    fn inline(&self, expr: &Expr) -> String {
        let source = |span: Span| self.text[span.range()].to_string();
        match &expr.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Template(_) => source(expr.span),
            ExprKind::Variable(ident) => ident.text.clone(),
            ExprKind::List(items) => format!("[{}]", self.inline_list(items)),
            ExprKind::Object(items) if items.is_empty() => "{}".to_string(),
            ExprKind::Object(items) => {
                let items: Vec<String> =
                    items.iter().map(|i| format!("{} = {}", source(i.key.span()), self.inline(&i.value))).collect();
                format!("{{ {} }}", items.join(", "))
            }
            ExprKind::GetAttr(base, name) => format!("{}.{}", self.inline(base), name.text),
            ExprKind::Index(base, index) => format!("{}[{}]", self.inline(base), self.inline(index)),
            ExprKind::Call(name, args) => format!("{}({})", name.text, self.inline_list(args)),
            ExprKind::Unary(op, operand) => {
                let symbol = if *op == UnaryOp::Not { "!" } else { "-" };
                format!("{symbol}{}", self.inline(operand))
            }
            ExprKind::Binary(op, lhs, rhs) => format!("{} {} {}", self.inline(lhs), op.symbol(), self.inline(rhs)),
            ExprKind::Conditional(cond, then, otherwise) => {
                format!("{} ? {} : {}", self.inline(cond), self.inline(then), self.inline(otherwise))
            }
            ExprKind::For(for_expr) => {
                let vars = match &for_expr.key_var {
                    Some(key) => format!("{}, {}", key.text, for_expr.value_var.text),
                    None => for_expr.value_var.text.clone(),
                };
                let condition =
                    for_expr.condition.as_ref().map_or(String::new(), |c| format!(" if {}", self.inline(c)));
                let collection = self.inline(&for_expr.collection);
                match &for_expr.key {
                    None => format!("[for {vars} in {collection} : {}{condition}]", self.inline(&for_expr.value)),
                    Some(key) => {
                        format!(
                            "{{ for {vars} in {collection} : {} => {}{condition} }}",
                            self.inline(key),
                            self.inline(&for_expr.value)
                        )
                    }
                }
            }
            ExprKind::Paren(inner) => format!("({})", self.inline(inner)),
        }
    }

    fn inline_list(&self, items: &[Expr]) -> String {
        items.iter().map(|item| self.inline(item)).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests;
