//! Flow sources: files and folders of flow logs in any of the three clouds' formats, gzip or not,
//! told apart by their content; read on every core, one file per worker at a time, each worker
//! with its own tally, merged at the end.

use super::record::{Flow, ReadReport, Seen};
use super::{aws, azure, gcp};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which cloud's format a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// AWS VPC Flow Logs.
    Aws,
    /// GCP VPC Flow Logs (Cloud Logging entries).
    Gcp,
    /// Azure virtual network flow logs.
    Azure,
}

impl Format {
    /// The three, in order.
    pub const ALL: [Format; 3] = [Format::Aws, Format::Gcp, Format::Azure];

    /// Its place in [`Format::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its name, `aws`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Aws => "aws",
            Format::Gcp => "gcp",
            Format::Azure => "azure",
        }
    }
}

/// What gathers the flows a worker reads (a tally per worker, merged at the end).
pub trait Sink: Send {
    /// Counts one flow.
    fn add(&mut self, flow: &Flow);
    /// A flow as its receiver logged it ([`Seen::Receiver`], `counts_record` said apart): it
    /// counts only if its sender's place logs nothing it sends, which the sink can tell once every
    /// source is read ([`finish`](Sink::finish)). Left out unless the sink tells.
    fn received(&mut self, _flow: &Flow, _counts_record: bool) {}
    /// Adds what another worker gathered.
    fn merge(&mut self, other: Self);
    /// Once every source is read and merged: counts the received flows that count, and says how
    /// many records those were.
    fn finish(&mut self) -> u64 {
        0
    }
}

/// How to read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// GCP's counts are multiplied by this (1 / the subnetworks' flow sampling).
    pub gcp_scale: f64,
    /// Workers (at least 1).
    pub workers: usize,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        ReadOptions { gcp_scale: 1.0, workers }
    }
}

/// The files under each of `sources` (a file, or a folder read recursively), in order; hidden
/// files and folders are skipped.
pub fn files(sources: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for source in sources {
        let metadata = std::fs::metadata(source).map_err(|err| format!("{}: {err}", source.display()))?;
        if metadata.is_file() {
            out.push(source.clone());
            continue;
        }
        // Hidden files and folders (`.git`, an editor's) are not flow logs; the folder named is
        // read even when its own name is hidden.
        let visible =
            |entry: &walkdir::DirEntry| entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.');
        for entry in walkdir::WalkDir::new(source).sort_by_file_name().into_iter().filter_entry(visible) {
            let entry = entry.map_err(|err| format!("{}: {err}", source.display()))?;
            if entry.file_type().is_file() {
                out.push(entry.into_path());
            }
        }
    }
    Ok(out)
}

/// Reads every file of `sources` into sinks made by `sink`, one per worker, merged; fails on the
/// first file that is not a flow log (and says which).
pub fn read_all<S: Sink>(
    sources: &[PathBuf],
    options: &ReadOptions,
    sink: impl Fn() -> S + Sync,
) -> Result<(S, ReadReport), String> {
    let files = files(sources)?;
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<(usize, String)>> = Mutex::new(None);
    let workers = options.workers.max(1).min(files.len().max(1));
    let results: Vec<(S, ReadReport)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut tally = sink();
                    let mut report = ReadReport::default();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(index) else { break };
                        if let Err(err) = read_file(path, options, &mut report, &mut tally) {
                            let mut failure = failure.lock().expect("no worker panics holding it");
                            // The first failing file in order, whichever worker met it first.
                            if failure.as_ref().is_none_or(|(at, _)| index < *at) {
                                *failure = Some((index, err));
                            }
                        }
                    }
                    (tally, report)
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a reader does not panic")).collect()
    });
    if let Some((_, err)) = failure.into_inner().expect("the workers are done") {
        return Err(err);
    }
    let mut results = results.into_iter();
    let (mut tally, mut report) = results.next().unwrap_or_else(|| (sink(), ReadReport::default()));
    for (other_tally, other_report) in results {
        tally.merge(other_tally);
        report.merge(other_report);
    }
    let from_receivers = tally.finish();
    report.from_receivers += from_receivers;
    report.counted += from_receivers;
    report.finish();
    Ok((tally, report))
}

/// Reads one file, whatever its format.
pub fn read_file(
    path: &Path,
    options: &ReadOptions,
    report: &mut ReadReport,
    sink: &mut impl Sink,
) -> Result<(), String> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|err| format!("{name}: {err}"))?;
    let mut input = decompressed(BufReader::with_capacity(1 << 16, file)).map_err(|err| format!("{name}: {err}"))?;
    let format = sniff(&mut input).map_err(|err| format!("{name}: {err}"))?;
    report.files += 1;
    let add = |flow: &Flow| match flow.seen {
        Seen::Receiver { counts_record } => sink.received(flow, counts_record),
        Seen::Sender | Seen::Other => sink.add(flow),
    };
    match format {
        Format::Aws => aws::read(&name, input, report, add),
        Format::Gcp => gcp::read(&name, input, options.gcp_scale, report, add),
        Format::Azure => azure::read(&name, input, report, add),
    }
}

/// `input`, decompressed when it starts with gzip's magic bytes (members one after another, as
/// S3 concatenates them, are read through).
fn decompressed(mut input: BufReader<std::fs::File>) -> std::io::Result<Box<dyn BufRead + Send>> {
    let head = input.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let inflated = flate2::bufread::MultiGzDecoder::new(input);
        Ok(Box::new(BufReader::with_capacity(1 << 16, inflated)))
    } else {
        Ok(Box::new(input))
    }
}

/// The format of the text `input` starts with, without consuming it: JSON with Azure's
/// `flowRecords` or GCP's `jsonPayload`, else AWS's lines.
fn sniff(input: &mut Box<dyn BufRead + Send>) -> Result<Format, String> {
    let head = input.fill_buf().map_err(|err| err.to_string())?;
    let text = String::from_utf8_lossy(&head[..head.len().min(1 << 14)]);
    let start = text.trim_start();
    if !(start.starts_with('{') || start.starts_with('[')) {
        return Ok(Format::Aws);
    }
    if text.contains("\"flowRecords\"") || text.contains("\"flowTuples\"") {
        Ok(Format::Azure)
    } else if text.contains("\"jsonPayload\"") {
        Ok(Format::Gcp)
    } else {
        Err("JSON that is neither GCP VPC Flow Logs entries (`jsonPayload`) nor Azure flow-log records (`flowRecords`)"
            .into())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden_files_and_folders_are_not_read_but_a_hidden_folder_named_is() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join(".logs");
        for file in ["a.log", ".partial.log", ".git/objects/x", "2026/b.log.gz"] {
            let path = logs.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let found = super::files(std::slice::from_ref(&logs)).unwrap();
        assert_eq!(found, [logs.join("2026/b.log.gz"), logs.join("a.log")]);
    }
}
