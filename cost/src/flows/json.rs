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
    taken: u64,
    first_problem: Option<String>,
}

impl Outcome {
    /// Counts one entry: taken, or malformed at `position` (its line, or its place in an array).
    fn entry(&mut self, file: &str, position: u64, outcome: Result<(), String>, report: &mut ReadReport) {
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
    let (mut number, mut started) = (0, 0);
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(|err| format!("{file}: line {}: {err}", number + 1))? == 0 {
            break;
        }
        number += 1;
        if pending.is_empty() {
            if line.trim().is_empty() {
                continue;
            }
            started = number;
        }
        pending.push_str(&line);
        let parsed = match serde_json::from_str::<T>(&pending) {
            Ok(entry) => Ok(entry),
            // An entry that has not ended yet (pretty-printed): read on, within bounds.
            Err(err) if ends_later(&err, &pending) && pending.len() < LONGEST_ENTRY => continue,
            Err(err) if pending.len() >= LONGEST_ENTRY && ends_later(&err, &pending) => {
                Err(format!("an entry longer than {} KiB", LONGEST_ENTRY >> 10))
            }
            Err(err) => Err(err.to_string()),
        };
        outcome.entry(file, started, parsed.and_then(|entry| each(entry, started, report)), report);
        pending.clear();
    }
    if !pending.trim().is_empty() {
        outcome.entry(file, started, Err("the file ends inside an entry".into()), report);
    }
    outcome.end(file, "entry")
}

/// Reads the entries in the array `key` of each JSON object of `input` (objects one after
/// another), one at a time, passing each to `each`, as [`entries`] does; the objects' other
/// members are skipped. What does not parse past an entry ends the file's reading there, counted
/// as malformed.
pub fn nested_entries<T: DeserializeOwned>(
    file: &str,
    mut input: impl BufRead,
    key: &str,
    report: &mut ReadReport,
    mut each: impl FnMut(T, u64, &mut ReadReport) -> Result<(), String>,
) -> Result<(), String> {
    if first_byte(file, &mut input)?.is_none() {
        return Ok(());
    }
    let mut outcome = Outcome::default();
    let mut deserializer = serde_json::Deserializer::from_reader(input);
    let mut objects = 0;
    while deserializer.end().is_err() {
        objects += 1;
        let members = Members { key, elements: EachElement::new(file, report, &mut each, &mut outcome) };
        if let Err(err) = members.deserialize(&mut deserializer) {
            let position = outcome.taken + 1;
            if err.is_io() {
                return Err(format!("{file}: {err}"));
            }
            outcome.entry(file, position, Err(format!("object {objects}: {err}")), report);
            break;
        }
    }
    outcome.end(file, &format!("entry of `{key}`"))
}

/// Whether parsing `text` failed only because the entry goes on past it.
fn ends_later(err: &serde_json::Error, text: &str) -> bool {
    err.is_eof() || (err.is_data() && serde_json::from_str::<IgnoredAny>(text).is_err_and(|err| err.is_eof()))
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
        let mut index = 0;
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            index += 1;
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
        assert_eq!(taken, [(1, 1), (3, 3), (4, 1)], "the objects' own `records`, one object after another");
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
