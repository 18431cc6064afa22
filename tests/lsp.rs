//! `isopod lsp` driven over standard input and output by a client that speaks JSON-RPC as an
//! editor does: the messages framed by hand, nothing shared with the server's own code.

use serde_json::{Value, json};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const MAIN: &str = r#"stack "demo" {}

cloud "aws" "prod" {
  region = "us-east-1"
}

locals {
  team = upper("net")
}

network "app" {
  cloud = cloud.aws.prod
  cidr  = "10.0.0.0/16"
  tags  = { team = local.team }
}
"#;

/// A file with an Azure habit: `location` instead of `region`.
const BROKEN: &str = r#"cloud "azure" "corp" {
  subscription = "00000000-0000-0000-0000-000000000000"
  location     = "westeurope"
}

network "db" {
  cloud = cloud.aws.prod
  cidr  = "10.1.0.0/16"
}

tunnel "app-db" {
  between = [network.app, network.db]
}
"#;

/// An editor's end of the connection.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pending: Vec<Value>,
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_isopod"))
            .args(["lsp", "--stdio"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary runs");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = Some(value.parse::<usize>().unwrap());
                    }
                }
                let mut body = vec![0; length.expect("every message has a Content-Length")];
                stdout.read_exact(&mut body).unwrap();
                if sender.send(serde_json::from_slice::<Value>(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, messages, next_id: 1, pending: Vec::new() }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn recv(&mut self, deadline: Instant) -> Value {
        match self.messages.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Sends a request and returns its result, keeping the notifications that came first.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let message = self.recv(deadline);
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            self.pending.push(message);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let position = self
                .pending
                .iter()
                .position(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri));
            if let Some(position) = position {
                let message = self.pending.remove(position);
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
            let message = self.recv(deadline);
            self.pending.push(message);
        }
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn position(text: &str, needle: &str, after: usize) -> Value {
    let offset = text.find(needle).unwrap_or_else(|| panic!("`{needle}` is in the text")) + after;
    let line = text[..offset].matches('\n').count();
    let character = offset - text[..offset].rfind('\n').map_or(0, |nl| nl + 1);
    json!({ "line": line, "character": character })
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

#[test]
fn an_editor_session_checks_explains_completes_navigates_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let (main, broken) = (dir.path().join("main.iso"), dir.path().join("broken.iso"));
    std::fs::write(&main, MAIN).unwrap();
    std::fs::write(&broken, BROKEN).unwrap();
    let (main_uri, broken_uri) = (uri(&main), uri(&broken));
    let mut client = Client::start(dir.path());

    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": uri(dir.path()), "capabilities": { "general": { "positionEncodings": ["utf-16"] } } }),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["capabilities"]["textDocumentSync"], 2, "incremental sync");
    client.notify("initialized", json!({}));

    // Opening one file checks the whole folder: the error is in the open file, the other is fine.
    let open = |uri: &str, text: &str| json!({ "textDocument": { "uri": uri, "languageId": "isopod", "version": 1, "text": text } });
    client.notify("textDocument/didOpen", open(&broken_uri, BROKEN));
    let found = client.diagnostics(&broken_uri);
    assert_eq!(codes(&found), ["iso::schema::unknown_attribute"], "{found:?}");
    assert_eq!(found[0]["range"]["start"], position(BROKEN, "location", 0));
    assert_eq!(found[0]["range"]["end"], position(BROKEN, "location", "location".len()));
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("Isopod calls this `region`"), "{message}");
    assert_eq!(client.diagnostics(&main_uri), Vec::<Value>::new());

    // An incremental edit: `location` becomes `region`, and a reference is misspelt.
    let replace = |text: &str, needle: &str, with: &str| {
        let start = position(text, needle, 0);
        let end = position(text, needle, needle.len());
        json!({ "range": { "start": start, "end": end }, "text": with })
    };
    let edited = BROKEN.replace("location    ", "region      ").replace("network.db]", "network.dv]");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": broken_uri, "version": 2 },
            "contentChanges": [replace(BROKEN, "location    ", "region      "), replace(BROKEN, "network.db]", "network.dv]")],
        }),
    );
    let found = client.diagnostics(&broken_uri);
    assert_eq!(codes(&found), ["iso::resolve::unknown_reference"], "{found:?}");
    assert_eq!(found[0]["range"]["start"], position(&edited, "network.dv", 0));
    assert!(found[0]["message"].as_str().unwrap().contains("did you mean `network.db`?"), "{found:?}");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": broken_uri, "version": 3 }, "contentChanges": [{ "text": edited.replace("network.dv]", "network.db]") }] }),
    );
    assert_eq!(client.diagnostics(&broken_uri), Vec::<Value>::new());
    let fixed = edited.replace("network.dv]", "network.db]");

    // Hover: an attribute from the schema, a reference by its declaration, a function.
    let at = |text: &str, needle: &str, after: usize, uri: &str| json!({ "textDocument": { "uri": uri }, "position": position(text, needle, after) });
    let hover = client.request("textDocument/hover", at(&fixed, "cidr", 1, &broken_uri));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("CIDR string") && shown.contains("address range"), "{shown}");
    let hover = client.request("textDocument/hover", at(&fixed, "network.app", 9, &broken_uri));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("network \"app\" {") && shown.contains("10.0.0.0/16") && shown.contains("main.iso:11"),
        "{shown}"
    );

    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": main_uri }, "position": position(MAIN, "local.team", 7) }),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("team = upper(\"net\")") && shown.contains("\"NET\""), "a local's value: {shown}");

    // Completion after a reference's dot: the networks of every file of the folder.
    let typing = fixed.replace("between = [network.app, network.db]", "between = [network.app, network.]");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": broken_uri, "version": 4 }, "contentChanges": [{ "text": typing }] }),
    );
    let items = client.request("textDocument/completion", at(&typing, "network.]", 8, &broken_uri));
    let mut labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    labels.sort_unstable();
    assert_eq!(labels, ["app", "db"]);
    let items = client.request("textDocument/completion", at(&typing, "  cidr", 2, &broken_uri));
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"region") && labels.contains(&"subnet"), "a network's attributes and blocks: {labels:?}");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": broken_uri, "version": 5 }, "contentChanges": [{ "text": fixed }] }),
    );

    // Definition and references across files.
    let definition = client.request("textDocument/definition", at(&fixed, "network.app", 9, &broken_uri));
    assert_eq!(definition["uri"], json!(main_uri));
    assert_eq!(definition["range"]["start"], position(MAIN, "\"app\"", 0));
    let references = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": main_uri }, "position": position(MAIN, "\"app\"", 2), "context": { "includeDeclaration": true } }),
    );
    let places: Vec<(&str, &Value)> =
        references.as_array().unwrap().iter().map(|l| (l["uri"].as_str().unwrap(), &l["range"]["start"])).collect();
    assert_eq!(
        places,
        [
            (main_uri.as_str(), &position(MAIN, "\"app\"", 0)),
            (broken_uri.as_str(), &position(&fixed, "network.app", 0))
        ]
    );

    // The outline and formatting of the open file.
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": broken_uri } }));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["azure corp", "db", "app-db"]);
    let unformatted = fixed.replace("  cidr  = \"10.1.0.0/16\"", "cidr=\"10.1.0.0/16\"");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": broken_uri, "version": 6 }, "contentChanges": [{ "text": unformatted }] }),
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": broken_uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits.as_array().unwrap().len(), 1, "{edits}");
    assert_eq!(edits[0]["range"]["start"], json!({ "line": 0, "character": 0 }));
    assert_eq!(edits[0]["newText"], json!(fixed), "the formatter's layout");

    // An unknown method is an error, not a crash; shutdown then exit ends the process cleanly.
    client.send(json!({ "jsonrpc": "2.0", "id": 99, "method": "textDocument/unknown", "params": {} }));
    let deadline = Instant::now() + Duration::from_secs(30);
    let reply = loop {
        let message = client.recv(deadline);
        if message["id"] == 99 {
            break message;
        }
    };
    assert_eq!(reply["error"]["code"], -32601);
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success(), "{status}");
}
