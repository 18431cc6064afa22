//! Writing results to stdout: a closed pipe (`isopod validate --json | head`) ends the output
//! quietly instead of panicking, as ripgrep does.

use std::io::Write as _;

/// Writes `text` to stdout; a broken pipe counts as success.
pub fn stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `line` and a newline to stdout; a broken pipe counts as success.
pub fn line(line: &str) -> std::io::Result<()> {
    stdout(&format!("{line}\n"))
}
