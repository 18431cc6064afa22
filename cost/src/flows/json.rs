//! What the JSON formats share: a file of entries, either one JSON array or one entry per line
//! (newline-delimited), read one entry at a time, each entry that does not fit counted as
//! malformed with its position; and RFC 3339 times.

use super::record::ReadReport;
use serde::de::{DeserializeOwned, SeqAccess, Visitor};
use std::io::BufRead;

/// Reads the entries of `input`, a JSON array of them or newline-delimited entries, passing each
/// to `each`; an entry `each` refuses (or that does not parse) is malformed at its line (one
/// entry a line) or its position in the array.
pub fn entries<T: DeserializeOwned>(
    file: &str,
    mut input: impl BufRead,
    report: &mut ReadReport,
    mut each: impl FnMut(T, &mut ReadReport) -> Result<(), String>,
) -> Result<(), String> {
    let first = loop {
        let buffer = input.fill_buf().map_err(|err| format!("{file}: {err}"))?;
        match buffer.iter().position(|byte| !byte.is_ascii_whitespace()) {
            Some(at) => break buffer[at],
            None if buffer.is_empty() => return Ok(()),
            None => {
                let len = buffer.len();
                input.consume(len);
            }
        }
    };
    if first == b'[' {
        let mut deserializer = serde_json::Deserializer::from_reader(input);
        let visitor = EachElement { file, report, each: &mut each, index: 0, marker: std::marker::PhantomData };
        serde::Deserializer::deserialize_seq(&mut deserializer, visitor)
            .map_err(|err| format!("{file}: not a JSON array of entries: {err}"))?;
        return deserializer.end().map_err(|err| format!("{file}: {err}"));
    }
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(|err| format!("{file}: line {}: {err}", number + 1))? == 0 {
            return Ok(());
        }
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let outcome = serde_json::from_str::<T>(&line).map_err(|err| err.to_string());
        if let Err(reason) = outcome.and_then(|entry| each(entry, report)) {
            report.malformed(file, number, reason);
        }
    }
}

/// Visits a JSON array's elements one at a time, never holding more than one.
struct EachElement<'a, T, F> {
    file: &'a str,
    report: &'a mut ReadReport,
    each: &'a mut F,
    index: u64,
    marker: std::marker::PhantomData<T>,
}

impl<'de, T: DeserializeOwned, F: FnMut(T, &mut ReadReport) -> Result<(), String>> Visitor<'de>
    for EachElement<'_, T, F>
{
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("an array of log entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            self.index += 1;
            let outcome = serde_json::from_value::<T>(value).map_err(|err| err.to_string());
            if let Err(reason) = outcome.and_then(|entry| (self.each)(entry, self.report)) {
                self.report.malformed(self.file, self.index, reason);
            }
        }
        Ok(())
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
