//! Keystroke to diagnostics in the language server, on the 2.9 MB configuration of the language
//! benchmarks (10,000 networks, a mesh of 100): the time from sending a one-character
//! `didChange` to receiving the `publishDiagnostics` it causes, through the protocol's messages
//! (in memory, as JSON values; no pipe).
//!
//! Run: `cargo bench -p isopod-lsp --bench keystroke`

// A bench binary has no public API to document.
#![allow(missing_docs)]

use isopod_lang::{Host, Inputs, MemoryHost};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The allocator the `isopod` binary uses (`src/main.rs`), which serves the language server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const KEYSTROKES: usize = 30;

fn notify(client: &Connection, method: &str, params: Value) {
    client.sender.send(Message::Notification(Notification::new(method.into(), params))).unwrap();
}

/// Waits for the next diagnostics; returns how many there were.
fn diagnostics(client: &Connection) -> usize {
    loop {
        match client.receiver.recv_timeout(Duration::from_secs(60)).expect("the server answers") {
            Message::Notification(note) if note.method == "textDocument/publishDiagnostics" => {
                return note.params["diagnostics"].as_array().map_or(0, Vec::len);
            }
            _ => {}
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let text = isopod_test_support::large::configuration();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.iso");
    std::fs::write(&path, &text).unwrap();
    let uri = format!("file://{}", path.display());

    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || {
        let host: isopod_lsp::HostFor = Box::new(|_| Box::new(MemoryHost::default()) as Box<dyn Host>);
        isopod_lsp::run(&server, isopod_lsp::Options { inputs: Inputs::default(), host }).unwrap();
    });
    let init = json!({ "processId": null, "rootUri": null, "capabilities": { "general": { "positionEncodings": ["utf-8"] } } });
    client.sender.send(Message::Request(Request::new(RequestId::from(1), "initialize".into(), init))).unwrap();
    let _ = client.receiver.recv().unwrap();
    notify(&client, "initialized", json!({}));

    let started = Instant::now();
    notify(
        &client,
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "isopod", "version": 1, "text": text } }),
    );
    assert_eq!(diagnostics(&client), 0, "the benchmark input is valid");
    let open = started.elapsed();

    // Typing in the comment above a network in the middle of the file, one character at a time.
    let line = text[..text.find("# network 5000\n").unwrap()].matches('\n').count() as u32;
    let mut times = Vec::new();
    for n in 0..KEYSTROKES {
        let at = json!({ "line": line, "character": 14 + n });
        let change = json!({ "range": { "start": at, "end": at }, "text": "x" });
        let started = Instant::now();
        notify(
            &client,
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 + n }, "contentChanges": [change] }),
        );
        assert_eq!(diagnostics(&client), 0);
        times.push(started.elapsed());
    }
    // One keystroke that breaks a reference, one that mends it.
    let mesh = text.find("network.n0,").unwrap();
    let mesh_line = text[..mesh].matches('\n').count() as u32;
    let col = (mesh - text[..mesh].rfind('\n').unwrap() - 1 + "network.n".len()) as u32;
    let mut error_times = Vec::new();
    for (version, (edit, expected)) in [("x", 1), ("", 0)].into_iter().enumerate() {
        let (start, end) = if edit.is_empty() { (col, col + 1) } else { (col, col) };
        let change = json!({ "range": { "start": { "line": mesh_line, "character": start }, "end": { "line": mesh_line, "character": end } }, "text": edit });
        let started = Instant::now();
        notify(
            &client,
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 100 + version }, "contentChanges": [change] }),
        );
        assert_eq!(diagnostics(&client), expected);
        error_times.push(started.elapsed());
    }

    client.sender.send(Message::Request(Request::new(RequestId::from(2), "shutdown".into(), Value::Null))).unwrap();
    let _ = client.receiver.recv().unwrap();
    notify(&client, "exit", Value::Null);
    thread.join().unwrap();

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("input: {:.2} MB, one file", text.len() as f64 / 1e6);
    println!("open to diagnostics: {:.1} ms", ms(open));
    println!(
        "keystroke to diagnostics ({KEYSTROKES} keystrokes in a comment): median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.9)),
        ms(*times.last().unwrap())
    );
    println!(
        "keystroke that breaks a reference: {:.1} ms; that mends it: {:.1} ms",
        ms(error_times[0]),
        ms(error_times[1])
    );
    println!("keystroke to diagnostics / goal of 100 ms: {:.2}x", ms(percentile(&times, 0.5)) / 100.0);
}
