//! What the JSON formats share: a file of entries, either one JSON array or entries one after
//! another (one a line, or pretty-printed over several), read one entry at a time, each entry
//! that does not fit counted as malformed with its position; a file of which no entry could be
//! read is in another format (an error); and RFC 3339 times.

use super::record::ReadReport;
use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::io::BufRead;

/// The longest entry read over several lines: past it, an entry that has not ended is malformed.
const LONGEST_ENTRY: usize = 1 << 20;

/// What a file's entries gave: how many were taken, and why the first one that was not.
#[derive(Default)]
struct Outcome {
    /// Entries met, taken or not: an array's next entry is at `seen + 1`.
    seen: u64,
    taken: u64,
    first_problem: Option<String>,
}

impl Outcome {
    /// Counts one entry: taken, or malformed at `position` (its line, or its place in an array).
    fn entry(&mut self, file: &str, position: u64, outcome: Result<(), String>, report: &mut ReadReport) {
        self.seen += 1;
        match outcome {
            Ok(()) => self.taken += 1,
            Err(reason) => {
                self.first_problem.get_or_insert_with(|| format!("entry {position}: {reason}"));
                report.malformed(file, position, reason);
            }
        }
    }

    /// The file's end: an error when it had entries and none could be read.
    fn end(self, file: &str, what: &str) -> Result<(), String> {
        match self.first_problem {
            Some(problem) if self.taken == 0 => Err(format!("{file}: no {what} could be read ({problem})")),
            _ => Ok(()),
        }
    }
}

/// Reads the entries of `input`, a JSON array of them or entries one after another, passing
/// each to `each` with its position; an entry `each` refuses (or that does not parse) is malformed at the line it
/// starts on, or its position in the array. A file with entries of which none could be read is
/// an error.
pub fn entries<T: DeserializeOwned>(
    file: &str,
    mut input: impl BufRead,
    report: &mut ReadReport,
    mut each: impl FnMut(T, u64, &mut ReadReport) -> Result<(), String>,
) -> Result<(), String> {
    let Some(first) = first_byte(file, &mut input)? else { return Ok(()) };
    let mut outcome = Outcome::default();
    if first == b'[' {
        let mut deserializer = serde_json::Deserializer::from_reader(input);
        let elements = EachElement::new(file, report, &mut each, &mut outcome);
        serde::Deserializer::deserialize_seq(&mut deserializer, elements)
            .map_err(|err| format!("{file}: not a JSON array of entries: {err}"))?;
        deserializer.end().map_err(|err| format!("{file}: {err}"))?;
        return outcome.end(file, "entry");
    }
    let mut line = String::new();
    let mut pending = String::new();
    let mut depth = Depth::default();
    let (mut number, mut started) = (0, 0);
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(|err| format!("{file}: line {}: {err}", number + 1))? == 0 {
            break;
        }
        number += 1;
        if !pending.is_empty() && line.starts_with(['{', '[']) {
            // A pretty-printer indents what is inside an entry: this starts the next one.
            outcome.entry(file, started, Err("the entry ends before it closes".into()), report);
            (pending, depth) = (String::new(), Depth::default());
        }
        if pending.is_empty() {
            if line.trim().is_empty() {
                continue;
            }
            started = number;
        }
        pending.push_str(&line);
        depth.scan(&line);
        // An entry that has not closed yet (pretty-printed over lines): read on, within bounds.
        // JSON strings hold no newline: one open at a line's end is malformed now.
        if depth.open > 0 && !depth.in_string && pending.len() < LONGEST_ENTRY {
            continue;
        }
        let parsed = match serde_json::from_str::<T>(&pending) {
            Ok(entry) => Ok(entry),
            Err(_) if depth.open > 0 && !depth.in_string => {
                Err(format!("an entry longer than {} KiB", LONGEST_ENTRY >> 10))
            }
            Err(err) => Err(err.to_string()),
        };
        outcome.entry(file, started, parsed.and_then(|entry| each(entry, started, report)), report);
        (pending, depth) = (String::new(), Depth::default());
    }
    if !pending.trim().is_empty() {
        outcome.entry(file, started, Err("the file ends inside an entry".into()), report);
    }
    outcome.end(file, "entry")
}

/// Reads the entries in the array `key` of each JSON object of `input` (objects one after
/// another, or in one array), one at a time, passing each to `each` with its position among
/// them all, as [`entries`] does; the objects' other members are skipped. What does not parse
/// past an entry ends the file's reading there, counted as malformed at the next position.
pub fn nested_entries<T: DeserializeOwned>(
    file: &str,
    mut input: impl BufRead,
    key: &str,
    report: &mut ReadReport,
    mut each: impl FnMut(T, u64, &mut ReadReport) -> Result<(), String>,
) -> Result<(), String> {
    let Some(first) = first_byte(file, &mut input)? else { return Ok(()) };
    let mut outcome = Outcome::default();
    let mut deserializer = serde_json::Deserializer::from_reader(input);
    let read = if first == b'[' {
        let objects =
            EachObject { key, file, report, each: &mut each, outcome: &mut outcome, marker: std::marker::PhantomData };
        serde::Deserializer::deserialize_seq(&mut deserializer, objects)
    } else {
        let mut read = Ok(());
        while read.is_ok() && deserializer.end().is_err() {
            let members = Members { key, elements: EachElement::new(file, report, &mut each, &mut outcome) };
            read = members.deserialize(&mut deserializer);
        }
        read
    };
    if let Err(err) = read {
        if err.is_io() {
            return Err(format!("{file}: {err}"));
        }
        let position = outcome.seen + 1;
        outcome.entry(file, position, Err(err.to_string()), report);
    }
    outcome.end(file, &format!("entry of `{key}`"))
}

/// Visits a JSON array of objects, reading the array `key` of each ([`Members`]).
struct EachObject<'a, T, F> {
    key: &'a str,
    file: &'a str,
    report: &'a mut ReadReport,
    each: &'a mut F,
    outcome: &'a mut Outcome,
    marker: std::marker::PhantomData<T>,
}

impl<'de, T: DeserializeOwned, F: FnMut(T, u64, &mut ReadReport) -> Result<(), String>> Visitor<'de>
    for EachObject<'_, T, F>
{
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(formatter, "an array of objects with `{}`", self.key)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let elements = EachElement::new(self.file, &mut *self.report, &mut *self.each, &mut *self.outcome);
            if seq.next_element_seed(Members { key: self.key, elements })?.is_none() {
                return Ok(());
            }
        }
    }
}

/// How far into its brackets a JSON text is, read a line at a time (each line scanned once).
#[derive(Default)]
struct Depth {
    /// Brackets and braces opened and not closed.
    open: i64,
    /// Inside a string, and just after a backslash in it.
    in_string: bool,
    escaped: bool,
}

impl Depth {
    fn scan(&mut self, text: &str) {
        for byte in text.bytes() {
            match (self.in_string, self.escaped, byte) {
                (true, true, _) => self.escaped = false,
                (true, false, b'\\') => self.escaped = true,
                (true, false, b'"') => self.in_string = false,
                (true, false, _) => {}
                (false, _, b'"') => self.in_string = true,
                (false, _, b'{' | b'[') => self.open += 1,
                (false, _, b'}' | b']') => self.open -= 1,
                (false, _, _) => {}
            }
        }
    }
}

/// The first byte of `input` that is not white space, without consuming it; `None` for a file of
/// nothing else.
fn first_byte(file: &str, input: &mut impl BufRead) -> Result<Option<u8>, String> {
    loop {
        let buffer = input.fill_buf().map_err(|err| format!("{file}: {err}"))?;
        match buffer.iter().position(|byte| !byte.is_ascii_whitespace()) {
            Some(at) => return Ok(Some(buffer[at])),
            None if buffer.is_empty() => return Ok(None),
            None => {
                let len = buffer.len();
                input.consume(len);
            }
        }
    }
}

/// Visits a JSON array's elements one at a time, never holding more than one.
struct EachElement<'a, T, F> {
    file: &'a str,
    report: &'a mut ReadReport,
    each: &'a mut F,
    outcome: &'a mut Outcome,
    marker: std::marker::PhantomData<T>,
}

impl<'a, T, F> EachElement<'a, T, F> {
    fn new(file: &'a str, report: &'a mut ReadReport, each: &'a mut F, outcome: &'a mut Outcome) -> Self {
        EachElement { file, report, each, outcome, marker: std::marker::PhantomData }
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T, u64, &mut ReadReport) -> Result<(), String>> Visitor<'de>
    for EachElement<'_, T, F>
{
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("an array of log entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            let index = self.outcome.seen + 1;
            let outcome = serde_json::from_value::<T>(value).map_err(|err| err.to_string());
            let taken = outcome.and_then(|entry| (self.each)(entry, index, self.report));
            self.outcome.entry(self.file, index, taken, self.report);
        }
        Ok(())
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T, u64, &mut ReadReport) -> Result<(), String>> DeserializeSeed<'de>
    for EachElement<'_, T, F>
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

/// Visits a JSON object, reading the array of `key` with its `elements` and skipping the rest.
struct Members<'a, T, F> {
    key: &'a str,
    elements: EachElement<'a, T, F>,
}

impl<'de, T: DeserializeOwned, F: FnMut(T, u64, &mut ReadReport) -> Result<(), String>> Visitor<'de>
    for Members<'_, T, F>
{
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(formatter, "an object with `{}`", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut elements = Some(self.elements);
        while let Some(name) = map.next_key::<String>()? {
            match elements.take_if(|_| name == self.key) {
                Some(found) => map.next_value_seed(found)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T, u64, &mut ReadReport) -> Result<(), String>> DeserializeSeed<'de>
    for Members<'_, T, F>
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// The Unix time (seconds) of an RFC 3339 time such as `2019-06-14T03:45:37.186193305Z` or
/// `2026-01-02T10:00:00+01:00`; `None` for anything else or a time before 1970.
pub fn unix_seconds(text: &str) -> Option<u64> {
    let time: jiff::Timestamp = text.parse().ok()?;
    u64::try_from(time.as_second()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Entry {
        n: u64,
    }

    /// The `n` of each entry taken, and the report.
    fn read_entries(text: &str) -> Result<(Vec<(u64, u64)>, ReadReport), String> {
        let mut taken = Vec::new();
        let mut report = ReadReport::default();
        entries("f.json", text.as_bytes(), &mut report, |entry: Entry, at, _: &mut ReadReport| {
            if entry.n == 0 {
                return Err("zero".into());
            }
            taken.push((entry.n, at));
            Ok(())
        })?;
        Ok((taken, report))
    }

    #[test]
    fn entries_may_be_pretty_printed_over_several_lines() {
        let text = "{\n  \"n\": 1\n}\n{\"n\": 2}\n\n{\n  \"n\":\n    3\n}\n{\"n\": 0}\n{\"n\": \"x\",\n  \"m\": 1}\n{\"n\": 4}\n";
        let (taken, report) = read_entries(text).unwrap();
        assert_eq!(taken, [(1, 1), (2, 4), (3, 6), (4, 13)], "each at the line it starts on");
        let lines: Vec<u64> = report.malformed_samples.iter().map(|m| m.line).collect();
        assert_eq!(lines, [10, 11], "an entry refused and one that does not fit, each once");
        let (_, unfinished) = read_entries("{\"n\": 1}\n{\"n\":").unwrap();
        assert_eq!(unfinished.malformed_samples[0].reason, "the file ends inside an entry");
        // A line cut short does not take the next entry with it.
        let (taken, cut) = read_entries("{\"n\": 1, \"s\": \"a {\"\n{\"n\": 5}\n{\"n\":\n{\"n\": 6}\n").unwrap();
        assert_eq!(taken, [(5, 2), (6, 4)]);
        assert_eq!(cut.malformed_samples.iter().map(|m| m.line).collect::<Vec<_>>(), [1, 3]);
    }

    #[test]
    fn a_file_of_which_no_entry_can_be_read_is_an_error() {
        let err = read_entries("{\"n\": 0}\n{\"m\": 1}\n").unwrap_err();
        assert!(err.starts_with("f.json: no entry could be read (entry 1: zero)"), "{err}");
        assert!(read_entries("[{\"n\": 0}]").is_err());
        assert!(read_entries("  \n").unwrap().0.is_empty(), "an empty file is no error");
    }

    #[test]
    fn nested_entries_are_read_one_at_a_time_where_they_are() {
        let text = r#"{"version": 2, "records": [{"n": 1}, {"n": 0}, {"n": 3}], "more": {"records": [{"n": 9}]}}
{"records": [{"n": 4}]}"#;
        let mut taken = Vec::new();
        let mut report = ReadReport::default();
        nested_entries("f.json", text.as_bytes(), "records", &mut report, |entry: Entry, at, _: &mut ReadReport| {
            if entry.n == 0 {
                return Err("zero".into());
            }
            taken.push((entry.n, at));
            Ok(())
        })
        .unwrap();
        assert_eq!(taken, [(1, 1), (3, 3), (4, 4)], "the objects' own `records`, one object after another");
        assert_eq!(report.malformed_samples.iter().map(|m| m.line).collect::<Vec<_>>(), [2]);
        let mut report = ReadReport::default();
        let broken = r#"{"records": [{"n": 1}, {"n": 2} {"n": 3}]}"#;
        let mut seen = 0;
        nested_entries("f.json", broken.as_bytes(), "records", &mut report, |_: Entry, _, _: &mut ReadReport| {
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((seen, report.malformed), (2, 1), "what comes before the broken JSON is read, then it is said");
        assert_eq!(report.malformed_samples[0].line, 3, "at the position after the last entry read");
        let mut report = ReadReport::default();
        let array = r#"[{"records": [{"n": 1}]}, {"records": [{"n": 2}, {"n": 0}]}]"#;
        let mut taken = Vec::new();
        nested_entries("f.json", array.as_bytes(), "records", &mut report, |entry: Entry, at, _: &mut ReadReport| {
            if entry.n == 0 {
                return Err("zero".into());
            }
            taken.push((entry.n, at));
            Ok(())
        })
        .unwrap();
        assert_eq!(taken, [(1, 1), (2, 2)], "an array of such objects, positions counted across them");
        assert_eq!(report.malformed_samples[0].line, 3);
    }

    #[test]
    fn rfc3339_times_are_unix_seconds() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2019-06-14T03:45:37.186193305Z"), Some(1_560_483_937));
        assert_eq!(unix_seconds("2019-06-14T05:45:37+02:00"), Some(1_560_483_937));
        assert_eq!(unix_seconds("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(unix_seconds("yesterday"), None);
        assert_eq!(unix_seconds("2024-13-01T00:00:00Z"), None);
    }
}
