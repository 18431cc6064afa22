//! Between byte offsets (what spans hold) and the protocol's line/character positions, in the
//! encoding agreed with the client: UTF-8 when it offers it, else UTF-16 (the protocol's default).

use line_index::{LineCol, LineIndex, TextSize, WideEncoding, WideLineCol};
use lsp_types::{Position, PositionEncodingKind, Range};

/// How the client counts characters within a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// Code units of UTF-16 (the protocol's default).
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client lists it among the encodings it supports, else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The protocol's name for it.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// The lines of one text, for converting positions both ways.
pub struct Positions {
    index: LineIndex,
    encoding: Encoding,
}

impl Positions {
    /// Indexes `text`.
    pub fn new(text: &str, encoding: Encoding) -> Positions {
        Positions { index: LineIndex::new(text), encoding }
    }

    /// The position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let offset = TextSize::new(offset.min(u32::from(self.index.len()) as usize) as u32);
        let Some(LineCol { line, col }) = self.index.try_line_col(offset) else {
            return Position { line: 0, character: 0 }; // not a character boundary: spans never are
        };
        let character = match self.encoding {
            Encoding::Utf8 => col,
            Encoding::Utf16 => {
                self.index.to_wide(WideEncoding::Utf16, LineCol { line, col }).map_or(col, |wide| wide.col)
            }
        };
        Position { line, character }
    }

    /// The range of a byte range.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range { start: self.position(start), end: self.position(end) }
    }

    /// The byte offset of a position; a position past the end of its line is the line's end, and
    /// one past the last line is the end of the text (as the protocol asks).
    pub fn offset(&self, position: Position) -> usize {
        let Some(line) = self.index.line(position.line) else { return u32::from(self.index.len()) as usize };
        // Every line but the last ends with its newline, which no position points past.
        let newline = u32::from(self.index.line(position.line + 1).is_some());
        let line_end = u32::from(line.end()) - u32::from(line.start()) - newline;
        let col = match self.encoding {
            Encoding::Utf8 => Some(position.character),
            Encoding::Utf16 => self
                .index
                .to_utf8(WideEncoding::Utf16, WideLineCol { line: position.line, col: position.character })
                .map(|line_col| line_col.col),
        };
        let col = col.unwrap_or(line_end).min(line_end);
        u32::from(line.start()) as usize + col as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_unless_utf8_was_agreed() {
        let text = "a = \"é𝄞\"\nb = 1\n";
        let utf16 = Positions::new(text, Encoding::Utf16);
        let utf8 = Positions::new(text, Encoding::Utf8);
        let after = text.find("\"\n").unwrap();
        assert_eq!(utf16.position(after), Position { line: 0, character: 8 });
        assert_eq!(utf8.position(after), Position { line: 0, character: 11 });
        assert_eq!(utf16.offset(Position { line: 0, character: 8 }), after);
        assert_eq!(utf8.offset(Position { line: 0, character: 11 }), after);
        assert_eq!(utf16.offset(Position { line: 1, character: 0 }), text.find('b').unwrap());
        assert_eq!(utf16.offset(Position { line: 1, character: 99 }), text.len() - 1, "past the line's end");
        assert_eq!(utf16.offset(Position { line: 9, character: 0 }), text.len(), "past the last line");
    }
}
