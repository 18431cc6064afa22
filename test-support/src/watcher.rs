//! `isopod watch` as a process in a test: its JSON log read as it comes, its HTTP server asked,
//! and its end by SIGTERM or, as when its machine dies, by SIGKILL with every child it started.

use std::io::{BufRead as _, Read as _, Write as _};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A running watcher.
pub struct WatchProcess {
    child: Child,
    log: Arc<Mutex<Vec<serde_json::Value>>>,
    /// The port its `--listen` server is on.
    pub port: u16,
}

/// A free port of 127.0.0.1 (for `--listen 127.0.0.1:PORT`), never one this process handed
/// out before.
pub fn free_port() -> u16 {
    crate::free_port()
}

/// The message of a log event.
pub fn message(event: &serde_json::Value) -> &str {
    event["message"].as_str().unwrap_or_default()
}

impl WatchProcess {
    /// Starts `command` (an `isopod watch ... --log-format json --listen 127.0.0.1:PORT`).
    ///
    /// # Panics
    /// When it cannot start, or a line of its log is not JSON.
    pub fn spawn(mut command: Command, port: u16) -> WatchProcess {
        let mut child = command.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().expect("isopod watch starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = std::io::BufReader::new(child.stderr.take().expect("stderr is piped"));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                let event = serde_json::from_str(&line).unwrap_or_else(|_| panic!("a log line is JSON: {line}"));
                sink.lock().unwrap().push(event);
            }
        });
        WatchProcess { child, log, port }
    }

    /// Waits (up to a minute) until its server accepts connections.
    ///
    /// # Panics
    /// When it does not in time.
    pub fn wait_listening(&self) {
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(60), "nothing listens on port {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its log so far.
    pub fn log(&self) -> MutexGuard<'_, Vec<serde_json::Value>> {
        self.log.lock().unwrap()
    }

    /// Whether a log event after the first `after` has a message containing `text`.
    pub fn logged(&self, text: &str, after: usize) -> bool {
        self.log().iter().skip(after).any(|event| message(event).contains(text))
    }

    /// Waits (up to `limit`) for a log event whose message contains `text` after the first
    /// `after` events; its index.
    ///
    /// # Panics
    /// When none comes in time; the panic shows the log.
    pub fn wait_for_within(&self, text: &str, after: usize, limit: Duration) -> usize {
        let started = Instant::now();
        loop {
            if let Some(found) = self.log().iter().skip(after).position(|e| message(e).contains(text)) {
                return after + found;
            }
            assert!(started.elapsed() < limit, "no `{text}` in the log: {:#?}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// [`WatchProcess::wait_for_within`] a minute.
    pub fn wait_for(&self, text: &str, after: usize) -> usize {
        self.wait_for_within(text, after, Duration::from_secs(60))
    }

    /// The log event at `index`.
    pub fn event(&self, index: usize) -> serde_json::Value {
        self.log()[index].clone()
    }

    /// `METHOD PATH` on its server, with `headers` and `body`: the status, the headers (lines)
    /// and the body.
    ///
    /// # Panics
    /// When the server cannot be reached or answers something that is not HTTP.
    pub fn http(&self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, String) {
        let (status, _, body) = self.http_with_headers(method, path, headers, body);
        (status, body)
    }

    /// [`WatchProcess::http`], with the response's headers.
    ///
    /// # Panics
    /// As [`WatchProcess::http`].
    pub fn http_with_headers(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> (u16, String, String) {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        let status = reply.split(' ').nth(1).unwrap().parse().unwrap();
        let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
        (status, head.to_string(), body.to_string())
    }

    /// Stops it with SIGTERM and waits (up to a minute); its exit status must be success. Its
    /// whole log.
    ///
    /// # Panics
    /// When it does not stop in time, or fails.
    pub fn terminate(mut self) -> Vec<serde_json::Value> {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the watcher did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(100));
        };
        assert!(status.success(), "{status}");
        self.wait_for("stopped by a signal", 0);
        self.log().clone()
    }

    /// Kills it and every process it started with SIGKILL at once, as when its machine dies
    /// (its plans and applies run in process groups of their own, so they are found by parent).
    pub fn kill_machine(&mut self) {
        let mut doomed = vec![self.child.id()];
        let mut index = 0;
        while index < doomed.len() {
            doomed.extend(children(doomed[index]));
            index += 1;
        }
        for pid in &doomed {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
        let _ = self.child.wait();
    }
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| {
            let child: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).ok()?;
            // `PID (COMMAND) STATE PPID ...`: the command may hold spaces and parentheses.
            let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == pid).then_some(child)
        })
        .collect()
}

impl Drop for WatchProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
