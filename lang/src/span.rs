//! Source positions: files of a configuration and byte spans within them.

use serde::Serialize;

/// An opaque handle to one source file of a [`SourceMap`]; the default is the first file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FileId(pub(crate) u32);

impl FileId {
    /// The index of this file in its [`SourceMap`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// The first byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start: start as u32, end: end as u32 }
    }

    /// The smallest span that covers both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The byte range, for slicing the source text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// True when the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A value together with the span of the source it came from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `value` with `span`.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One source file: its display name and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics, usually the path as the user gave it.
    pub name: String,
    /// The full text.
    pub text: String,
    /// Where [`SourceMap::add_bytes`] replaced bytes that are not UTF-8 by U+FFFD: each
    /// replacement's span in `text`.
    pub invalid_utf8: Vec<Span>,
}

/// The files of one configuration, addressed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile { name: name.into(), text: text.into(), invalid_utf8: Vec::new() });
        FileId((self.files.len() - 1) as u32)
    }

    /// Adds a file read as bytes: each sequence that is not UTF-8 becomes U+FFFD, and is
    /// reported by [`load`](crate::load) as `iso::parse::invalid_utf8` at its position.
    pub fn add_bytes(&mut self, name: impl Into<String>, bytes: &[u8]) -> FileId {
        let id = FileId(self.files.len() as u32);
        let mut text = String::with_capacity(bytes.len());
        let mut invalid_utf8 = Vec::new();
        for chunk in bytes.utf8_chunks() {
            text.push_str(chunk.valid());
            if !chunk.invalid().is_empty() {
                let start = text.len();
                text.push(char::REPLACEMENT_CHARACTER);
                invalid_utf8.push(Span::new(id, start, text.len()));
            }
        }
        self.files.push(SourceFile { name: name.into(), text, invalid_utf8 });
        id
    }

    /// The file behind `id`.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    /// All files with their ids, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(idx, file)| (FileId(idx as u32), file))
    }

    /// A copy with the text of `spans` replaced by `*`, byte for byte (so every span still
    /// points where it did), keeping a string's quotes: what diagnostics show of secrets.
    pub fn masked(&self, spans: impl IntoIterator<Item = Span>) -> SourceMap {
        let mut masked = self.clone();
        for span in spans {
            let text = &mut masked.files[span.file.index()].text;
            let mut bytes = std::mem::take(text).into_bytes();
            let range = &mut bytes[span.range()];
            let quoted = range.len() >= 2 && range[0] == b'"' && range[range.len() - 1] == b'"';
            let inner = if quoted { 1..range.len() - 1 } else { 0..range.len() };
            range[inner].fill(b'*');
            *text = String::from_utf8(bytes).expect("ASCII replaced whole characters");
        }
        masked
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        &self.get(span.file).text[span.range()]
    }

    /// The 1-based line and column of a span's start.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        let text = &self.get(span.file).text[..span.start as usize];
        let line = text.bytes().filter(|&b| b == b'\n').count() + 1;
        let col = text.rfind('\n').map_or(text.len(), |nl| text.len() - nl - 1) + 1;
        (line, col)
    }
}
