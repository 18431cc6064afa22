//! What the end-to-end tests against the clouds' emulators share: the binary run as a process
//! with test credentials, and plain HTTP requests to an emulator's REST API (what another tool,
//! or a person with curl, would send).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `isopod ARGS DIR` with moto's credentials, no Google or Azure credentials (the emulators are
/// reached anonymously, or with the fixed test token) and the folder's own secret key.
pub fn isopod(args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_isopod"));
    command
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-aws-credentials"))
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_FEDERATED_TOKEN_FILE")
        .env_remove("IDENTITY_ENDPOINT")
        .env_remove("MSI_ENDPOINT")
        .env_remove("AZURE_CONFIG_DIR")
        .env("HOME", dir)
        .env_remove("ISOPOD_SECRET_KEY")
        .env("ISOPOD_SECRET_KEY_FILE", dir.join("test-secret.key"))
        .stdin(Stdio::null());
    command
}

/// `isopod ARGS DIR`, run to its end.
pub fn run(args: &[&str], dir: &Path) -> Output {
    isopod(args, dir).output().expect("the binary runs")
}

/// Fails unless the run exited 0, showing its output.
pub fn assert_ok(out: &Output, what: &str) {
    assert_eq!(out.status.code(), Some(0), "{what}:\n{}{}", text(&out.stdout), text(&out.stderr));
}

/// Fails unless a plan of the folder has no changes.
pub fn assert_no_changes(dir: &Path) {
    let out = run(&["plan", "--detailed-exitcode"], dir);
    assert_ok(&out, "plan after apply has no changes");
}

/// One HTTP/1.1 request with `headers` (`Name: value` lines): the status and the body.
pub fn http(url: &str, method: &str, path: &str, headers: &str, body: Option<&str>) -> (u16, String) {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("the emulator listens");
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    (status, body)
}

/// Each request an emulator logged, as JSON.
pub fn logged(lines: &[String]) -> Vec<serde_json::Value> {
    lines.iter().map(|line| serde_json::from_str(line).expect("one JSON object per line")).collect()
}
