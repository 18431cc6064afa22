//! A second look at text that failed to parse, for the lexical mistakes that a PEG reports
//! poorly: unterminated strings, comments and heredocs, invalid escapes, unclosed brackets.
//!
//! It runs only on the region of a parse error, so it costs nothing on valid input.

use crate::codes::Code;

/// A lexical problem: its code, byte range (relative to the scanned text) and label.
#[derive(Debug, PartialEq)]
pub(super) struct LexicalError {
    pub code: Code,
    pub start: usize,
    pub end: usize,
    pub label: String,
    /// For an unclosed bracket, the bracket that would close it.
    pub closer: Option<char>,
}

#[derive(Clone, Copy)]
enum Mode {
    /// Ordinary tokens; `}` at depth 0 closes an interpolation.
    Code { depth: usize },
    /// Inside a quoted string that started at `start`.
    Str { start: usize },
}

/// Scans `text` and returns the first lexical problem, or the innermost bracket left open at the
/// end of the text (which explains an unexpected end of file).
pub(super) fn diagnose(text: &str) -> Option<LexicalError> {
    let bytes = text.as_bytes();
    let mut modes = vec![Mode::Code { depth: 0 }];
    let mut open_brackets: Vec<(usize, u8)> = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let byte = bytes[pos];
        match *modes.last().expect("the code mode is never popped") {
            Mode::Str { start } => {
                match byte {
                    b'"' => {
                        modes.pop();
                    }
                    b'\n' => {
                        let end = if pos > 0 && bytes[pos - 1] == b'\r' { pos - 1 } else { pos };
                        return Some(LexicalError {
                            code: Code::ParseUnterminatedString,
                            start,
                            end,
                            label: "this string is not closed on its line".into(),
                            closer: None,
                        });
                    }
                    b'\\' => {
                        let len = escape_len(&bytes[pos..]);
                        if len == 0 {
                            let end = next_char_boundary(text, pos + 1);
                            return Some(LexicalError {
                                code: Code::ParseInvalidEscape,
                                start: pos,
                                end,
                                label: "not a valid escape".into(),
                                closer: None,
                            });
                        }
                        pos += len;
                        continue;
                    }
                    b'$' if bytes[pos..].starts_with(b"$${") => {
                        pos += 3;
                        continue;
                    }
                    b'$' if bytes[pos..].starts_with(b"${") => {
                        modes.push(Mode::Code { depth: 0 });
                        pos += 2;
                        continue;
                    }
                    _ => {}
                }
                pos += 1;
            }
            Mode::Code { depth } => {
                match byte {
                    b'#' => {
                        pos = line_end(bytes, pos);
                        continue;
                    }
                    b'/' if bytes.get(pos + 1) == Some(&b'/') => {
                        pos = line_end(bytes, pos);
                        continue;
                    }
                    b'/' if bytes.get(pos + 1) == Some(&b'*') => match find(bytes, pos + 2, b"*/") {
                        Some(close) => {
                            pos = close + 2;
                            continue;
                        }
                        None => {
                            return Some(LexicalError {
                                code: Code::ParseUnterminatedComment,
                                start: pos,
                                end: pos + 2,
                                label: "this comment is never closed with `*/`".into(),
                                closer: None,
                            });
                        }
                    },
                    b'"' => modes.push(Mode::Str { start: pos }),
                    b'<' if bytes[pos..].starts_with(b"<<") => match scan_heredoc(text, pos) {
                        Heredoc::NotOne => {}
                        Heredoc::EndsAt(after) => {
                            pos = after;
                            continue;
                        }
                        Heredoc::Unterminated(end) => {
                            return Some(LexicalError {
                                code: Code::ParseUnterminatedHeredoc,
                                start: pos,
                                end,
                                label: "no line closes this heredoc".into(),
                                closer: None,
                            });
                        }
                    },
                    b'{' | b'[' | b'(' => {
                        set_depth(&mut modes, depth + 1);
                        open_brackets.push((pos, byte));
                    }
                    b'}' | b']' | b')' => {
                        if depth == 0 && byte == b'}' && modes.len() > 1 {
                            modes.pop();
                        } else {
                            set_depth(&mut modes, depth.saturating_sub(1));
                            match open_brackets.pop() {
                                Some((_, opener)) if closer_of(opener) == byte => {}
                                Some((start, opener)) => return Some(unclosed(start, opener)),
                                None => {}
                            }
                        }
                    }
                    _ => {}
                }
                pos += 1;
            }
        }
    }
    if let Some(Mode::Str { start }) = modes.last() {
        return Some(LexicalError {
            code: Code::ParseUnterminatedString,
            start: *start,
            end: text.len(),
            label: "this string is not closed".into(),
            closer: None,
        });
    }
    let (start, opener) = open_brackets.pop()?;
    Some(unclosed(start, opener))
}

fn set_depth(modes: &mut [Mode], depth: usize) {
    if let Some(last) = modes.last_mut() {
        *last = Mode::Code { depth };
    }
}

fn closer_of(opener: u8) -> u8 {
    match opener {
        b'{' => b'}',
        b'[' => b']',
        _ => b')',
    }
}

fn unclosed(start: usize, opener: u8) -> LexicalError {
    LexicalError {
        code: Code::ParseUnexpectedEof,
        start,
        end: start + 1,
        label: format!("this is never closed: expected `{}`", closer_of(opener) as char),
        closer: Some(closer_of(opener) as char),
    }
}

/// One level of nesting seen by [`too_deep`].
enum Level {
    /// Code: the file itself, or inside a bracket or an interpolation; counts its `?`s.
    Code { questions: usize },
    /// A quoted string.
    Str,
    /// The text of a heredoc whose delimiter is `text[start..end]`.
    Heredoc { start: usize, end: usize },
}

/// The first position where `text` nests brackets, interpolations and conditionals deeper than
/// `limit`, if any. The parser recurses once per level, so deeper input is refused before it is
/// parsed. It follows the lexical structure (strings, comments, heredocs and their
/// interpolations) and errs on the side of counting too much: every `?` counts until the
/// bracket it is in closes (at the top, until the next line that starts with a name).
pub(super) fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut levels = vec![Level::Code { questions: 0 }];
    let mut depth = 0;
    let mut pos = 0;
    while pos < bytes.len() {
        let byte = bytes[pos];
        let nested = levels.len() > 1;
        match levels.last_mut().expect("the top level is never popped") {
            Level::Str => match byte {
                b'"' | b'\n' => {
                    levels.pop();
                }
                b'\\' => pos += 1,
                b'$' if bytes[pos..].starts_with(b"$${") => pos += 2,
                b'$' if bytes[pos..].starts_with(b"${") => {
                    levels.push(Level::Code { questions: 0 });
                    depth += 1;
                    pos += 1;
                }
                _ => {}
            },
            Level::Heredoc { start, end } => {
                let line_start = pos == 0 || bytes[pos - 1] == b'\n';
                let delimiter = &bytes[*start..*end];
                let line = &bytes[pos..line_end(bytes, pos)];
                if line_start && line.trim_ascii() == delimiter {
                    levels.pop();
                    pos += line.len();
                    continue;
                }
                if bytes[pos..].starts_with(b"$${") {
                    pos += 2;
                } else if bytes[pos..].starts_with(b"${") {
                    levels.push(Level::Code { questions: 0 });
                    depth += 1;
                    pos += 1;
                }
            }
            Level::Code { questions } => match byte {
                b'#' => pos = line_end(bytes, pos),
                b'/' if bytes.get(pos + 1) == Some(&b'/') => pos = line_end(bytes, pos),
                b'/' if bytes.get(pos + 1) == Some(&b'*') => {
                    pos = find(bytes, pos + 2, b"*/").map_or(bytes.len(), |end| end + 1);
                }
                b'"' => levels.push(Level::Str),
                b'<' if bytes[pos..].starts_with(b"<<") => {
                    let name_start = pos + 2 + usize::from(bytes.get(pos + 2) == Some(&b'-'));
                    let name_len =
                        bytes[name_start..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                    let newline = bytes[name_start + name_len..].starts_with(b"\n")
                        || bytes[name_start + name_len..].starts_with(b"\r\n");
                    if name_len > 0 && newline {
                        levels.push(Level::Heredoc { start: name_start, end: name_start + name_len });
                        pos = line_end(bytes, pos);
                    }
                }
                b'?' => {
                    *questions += 1;
                    depth += 1;
                }
                b'{' | b'[' | b'(' => {
                    levels.push(Level::Code { questions: 0 });
                    depth += 1;
                }
                b'}' | b']' | b')' if nested => {
                    if let Some(Level::Code { questions }) = levels.pop() {
                        depth -= questions + 1;
                    }
                }
                b'\n' if !nested && bytes.get(pos + 1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') => {
                    depth -= *questions;
                    *questions = 0;
                }
                _ => {}
            },
        }
        if depth > limit {
            return Some(pos);
        }
        pos += 1;
    }
    None
}

/// The length of the escape at the start of `bytes` (which starts with `\`), or 0 if invalid.
fn escape_len(bytes: &[u8]) -> usize {
    let hex = |n: usize| bytes.len() > n + 1 && bytes[2..2 + n].iter().all(u8::is_ascii_hexdigit);
    match bytes.get(1) {
        Some(b'n' | b'r' | b't' | b'"' | b'\\') => 2,
        Some(b'u') if hex(4) => 6,
        Some(b'U') if hex(8) => 10,
        _ => 0,
    }
}

fn next_char_boundary(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while pos < text.len() && !text.is_char_boundary(pos) {
        pos += 1;
    }
    if pos < text.len() {
        pos += text[pos..].chars().next().map_or(0, char::len_utf8);
    }
    pos
}

fn line_end(bytes: &[u8], pos: usize) -> usize {
    bytes[pos..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| pos + n)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|n| from + n)
}

/// What `<<` starts.
enum Heredoc {
    /// Not a heredoc (no delimiter and newline after it).
    NotOne,
    /// A heredoc whose closing line ends at this position.
    EndsAt(usize),
    /// A heredoc with no closing line; its opening ends at this position.
    Unterminated(usize),
}

/// Scans the heredoc starting at `pos` (at `<<`).
fn scan_heredoc(text: &str, pos: usize) -> Heredoc {
    let rest = &text[pos + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let name_len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let after_name = &rest[name_len..];
    if name_len == 0 || !(after_name.starts_with('\n') || after_name.starts_with("\r\n")) {
        return Heredoc::NotOne;
    }
    let name = &rest[..name_len];
    let body_start = text.len() - after_name.len() + after_name.find('\n').map_or(0, |n| n + 1);
    let mut line_start = body_start;
    for line in text[body_start..].split_inclusive('\n') {
        if line.trim() == name {
            return Heredoc::EndsAt(line_start + line.len());
        }
        line_start += line.len();
    }
    Heredoc::Unterminated(text.len() - after_name.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<Code> {
        diagnose(text).map(|err| err.code)
    }

    #[test]
    fn measures_nesting_through_strings_comments_and_heredocs() {
        assert_eq!(too_deep("a = [[[1]]]", 3), None);
        assert_eq!(too_deep("a = [[[[1]]]]", 3), Some(7));
        assert_eq!(too_deep("a = \"[[[[[\" # [[[[[\n/* [[[[[ */ b = <<EOT\n[[[[[ /*\nEOT\nc = [1]", 1), None);
        assert_eq!(too_deep("a = <<EOT\n${[[[1]]]}\nEOT\n", 3), Some(14));
        assert_eq!(too_deep("a = \"${\"${\"${1}\"}\"}\"", 2), Some(12));
        assert_eq!(too_deep("a = x ? 1 : y ? 2 : z ? 3 : 4", 2), Some(22));
        assert_eq!(too_deep("a = x ? 1 : 2\nb = y ? 1 : 2\nc = z ? 1 : 2\n", 1), None);
    }

    #[test]
    fn finds_each_kind_of_problem() {
        assert_eq!(code("a = \"abc\nb = 1"), Some(Code::ParseUnterminatedString));
        assert_eq!(code("a = \"a\\qb\""), Some(Code::ParseInvalidEscape));
        assert_eq!(code("/* never closed"), Some(Code::ParseUnterminatedComment));
        assert_eq!(code("a = <<EOT\nline\n"), Some(Code::ParseUnterminatedHeredoc));
        assert_eq!(code("b \"x\" {\n  c = [1, 2\n}"), Some(Code::ParseUnexpectedEof));
        assert_eq!(code("a = \"${x + \"}\"}\" b = 1"), None);
        assert_eq!(code("a = \"$${not interpolated\""), None);
    }
}
