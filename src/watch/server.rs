//! The watcher's HTTP server: `POST /webhook` (GitHub's push events, signed with HMAC-SHA256),
//! `GET /healthz`, `GET /metrics`, the JSON API under `/api/v1/` ([`super::api`]) and the web
//! view at `/` ([`super::view`]).

use super::metrics::Metrics;
use super::share::Share;
use super::{Followed, Trigger};
use hmac::{Hmac, KeyInit as _, Mac as _};
use std::io::Read as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tiny_http::{Header, Method, Request, Response, Server};
use zeroize::Zeroizing;

/// The largest body read (GitHub's limit on a delivery is 25 MB; a push is far less).
const MAX_BODY: u64 = 5 << 20;
/// The most requests answered at once; more are refused with 503.
const MAX_REQUESTS: usize = 64;

/// What the server needs.
pub struct Settings {
    /// The webhook's secret; without one every delivery is refused.
    pub secret: Option<Zeroizing<Vec<u8>>>,
    /// The API's bearer token; without one every write is refused (and reads are open).
    pub api_token: Option<Zeroizing<String>>,
    /// The stacks this watcher knows.
    pub stacks: Vec<Arc<Followed>>,
    /// The sharing of stacks with other watchers.
    pub share: Arc<Share>,
    /// The watcher's figures.
    pub metrics: Arc<Mutex<Metrics>>,
    /// How long a follower may go without going round its loop (in one long round, or stuck)
    /// before `/healthz` fails.
    pub stale: Duration,
}

impl Settings {
    /// The stack named `name`.
    pub fn stack(&self, name: &str) -> Option<&Arc<Followed>> {
        self.stacks.iter().find(|stack| stack.name.get().is_some_and(|known| known == name))
    }

    /// Tells the follower of `stack`, here or on another watcher, to act now.
    pub fn trigger(&self, stack: &Followed, trigger: Trigger) {
        let _ = stack.trigger.send(trigger);
        if let Some(name) = stack.name.get()
            && !self.share.follows(name)
        {
            self.share.announce(&trigger.announcement(name));
        }
    }
}

/// A response: status, content type, body, other headers.
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
    /// Other headers.
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// Plain text.
    pub fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply { status, content_type: "text/plain; charset=utf-8", body: body.into(), headers: Vec::new() }
    }

    /// JSON.
    pub fn json(status: u16, value: &serde_json::Value) -> Reply {
        let body = serde_json::to_string_pretty(value).expect("JSON values serialize") + "\n";
        Reply { status, content_type: "application/json", body, headers: Vec::new() }
    }

    /// An API error: `{"error": WHY}`.
    pub fn error(status: u16, why: &str) -> Reply {
        Reply::json(status, &serde_json::json!({ "error": why }))
    }

    /// An HTML page.
    pub fn html(status: u16, body: String) -> Reply {
        Reply { status, content_type: "text/html; charset=utf-8", body, headers: Vec::new() }
    }
}

/// A request as the handlers see it: method, path, query, headers, body.
pub struct Incoming {
    /// The method.
    pub method: Method,
    /// The path, without the query.
    pub path: String,
    /// The query's parameters.
    pub query: Vec<(String, String)>,
    /// The headers, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Incoming {
    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A query parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Serves on `address` in a thread of its own; the address bound (a port of 0 is chosen by the
/// system). A port alone (`8080` or `:8080`) is on 127.0.0.1.
pub fn start(address: &str, settings: Settings) -> anyhow::Result<std::net::SocketAddr> {
    let address = &listen_address(address);
    let server = Server::http(address).map_err(|err| anyhow::anyhow!("cannot listen on {address}: {err}"))?;
    let bound =
        server.server_addr().to_ip().ok_or_else(|| anyhow::anyhow!("{address} is not an IP address and port"))?;
    let settings = Arc::new(settings);
    let active = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        // A thread per request, so that a slow client (or a slow login) holds up no other.
        for request in server.incoming_requests() {
            if active.fetch_add(1, Ordering::SeqCst) >= MAX_REQUESTS {
                active.fetch_sub(1, Ordering::SeqCst);
                let _ = request.respond(Response::from_string("too many requests at once\n").with_status_code(503));
                continue;
            }
            let (settings, active) = (settings.clone(), active.clone());
            std::thread::spawn(move || {
                respond(request, &settings);
                active.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    Ok(bound)
}

/// `address` with 127.0.0.1 when it gives only a port.
fn listen_address(address: &str) -> String {
    let port = address.strip_prefix(':').unwrap_or(address);
    if port.parse::<u16>().is_ok() { format!("127.0.0.1:{port}") } else { address.to_string() }
}

fn respond(mut request: Request, settings: &Settings) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    // Only a POST has a body worth reading.
    let mut body = Vec::new();
    let too_large = *request.method() == Method::Post
        && (request.as_reader().take(MAX_BODY + 1).read_to_end(&mut body).is_err() || body.len() as u64 > MAX_BODY);
    let incoming = Incoming {
        method: request.method().clone(),
        path: path.to_string(),
        query: form_urlencoded::parse(query.as_bytes()).into_owned().collect(),
        headers: request.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect(),
        body,
    };
    let reply =
        if too_large { Reply::text(413, "the body is too large or cut short\n") } else { route(&incoming, settings) };
    let mut response = Response::from_string(reply.body).with_status_code(reply.status);
    for (name, value) in [("Content-Type", reply.content_type.to_string()), ("Cache-Control", "no-store".into())]
        .into_iter()
        .chain(reply.headers)
    {
        response.add_header(Header::from_bytes(name, value.as_bytes()).expect("a valid header"));
    }
    let _ = request.respond(response);
}

fn route(request: &Incoming, settings: &Settings) -> Reply {
    match (&request.method, request.path.as_str()) {
        (Method::Get | Method::Head, "/healthz") => {
            let stuck: Vec<&str> = settings
                .stacks
                .iter()
                .filter(|stack| !stack.alive(settings.stale))
                .map(|stack| stack.name.get().map_or("(not named yet)", String::as_str))
                .collect();
            if stuck.is_empty() {
                Reply::text(200, "ok\n")
            } else {
                Reply::text(503, format!("stalled: the follower of {} has not gone round\n", stuck.join(", ")))
            }
        }
        (Method::Get, "/metrics") => {
            let stacks: Vec<_> = settings
                .stacks
                .iter()
                .map(|stack| {
                    let status = stack.status.lock().expect("status lock").clone();
                    let following = stack.name.get().is_some_and(|name| settings.share.follows(name));
                    (status, following)
                })
                .collect();
            let mut reply = Reply::text(200, settings.metrics.lock().expect("metrics lock").render(&stacks));
            reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
            reply
        }
        (Method::Post, "/webhook") => webhook(request, settings),
        (_, path) if path.starts_with("/api/") => super::api::respond(request, settings),
        _ => super::view::respond(request, settings),
    }
}

/// Checks a delivery's signature, then triggers a fetch of the stacks a push concerns.
fn webhook(request: &Incoming, settings: &Settings) -> Reply {
    let delivery = request.header("X-GitHub-Delivery").unwrap_or("-").to_string();
    let Some(secret) = &settings.secret else {
        return reject(settings, &delivery, 403, "no webhook secret is configured, so no delivery is trusted");
    };
    match request.header("X-Hub-Signature-256") {
        None => return reject(settings, &delivery, 401, "the delivery is not signed (no X-Hub-Signature-256)"),
        Some(signature) if !signed(secret, &request.body, signature) => {
            return reject(settings, &delivery, 401, "the signature does not match the webhook secret");
        }
        Some(_) => {}
    }
    let count = |outcome| *settings.metrics.lock().expect("metrics lock").webhooks.entry(outcome).or_default() += 1;
    match request.header("X-GitHub-Event") {
        Some("push") => {
            let payload = payload(&request.body).unwrap_or_default();
            let pushed = payload["ref"].as_str().unwrap_or_default();
            let concerned: Vec<&Arc<Followed>> =
                settings.stacks.iter().filter(|stack| concerns(&payload, &stack.spec)).collect();
            if concerned.is_empty() {
                count("ignored");
                tracing::info!(delivery, "webhook: push to {pushed}, which no stack follows");
                return Reply::text(200, "no stack follows this branch\n");
            }
            count("accepted");
            for stack in &concerned {
                settings.trigger(stack, Trigger::Fetch);
            }
            let names: Vec<&str> = concerned.iter().filter_map(|stack| stack.name.get().map(String::as_str)).collect();
            tracing::info!(delivery, stacks = names.join(", "), "webhook: push to {pushed}, fetching now");
            Reply::text(202, "fetching\n")
        }
        other => {
            count("ignored");
            tracing::info!(delivery, "webhook: `{}` event ignored", other.unwrap_or("(none)"));
            Reply::text(200, "ignored\n")
        }
    }
}

/// Whether a push `payload` concerns the stack followed as `spec`: its branch, and its
/// repository when the payload names one (by any of the URLs GitHub gives, or `OWNER/NAME`).
fn concerns(payload: &serde_json::Value, spec: &super::fleet::StackSpec) -> bool {
    if payload["ref"].as_str() != Some(&format!("refs/heads/{}", spec.branch)) {
        return false;
    }
    let repository = &payload["repository"];
    if repository.is_null() {
        return true;
    }
    let ours = comparable(&spec.repository);
    let urls = ["clone_url", "ssh_url", "git_url", "html_url", "url"].map(|key| repository[key].as_str());
    urls.into_iter().flatten().any(|url| comparable(url) == ours)
        || repository["full_name"].as_str().is_some_and(|name| ours.ends_with(&format!("/{}", name.to_lowercase())))
}

/// A repository URL as compared: without a scheme, user, `.git` or trailing `/`, in lower case,
/// `host:path` as `host/path`.
fn comparable(url: &str) -> String {
    let url = url.split_once("://").map_or(url, |(_, rest)| rest);
    let url = url.rsplit_once('@').map_or(url, |(_, rest)| rest);
    url.trim_end_matches('/').trim_end_matches(".git").replacen(':', "/", 1).to_lowercase()
}

/// A delivery's JSON payload: the body (`application/json`), or its `payload` field
/// (`application/x-www-form-urlencoded`, GitHub's default).
fn payload(body: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice(body).ok().or_else(|| {
        let (_, json) = form_urlencoded::parse(body).find(|(name, _)| name == "payload")?;
        serde_json::from_str(&json).ok()
    })
}

fn reject(settings: &Settings, delivery: &str, status: u16, why: &str) -> Reply {
    *settings.metrics.lock().expect("metrics lock").webhooks.entry("rejected").or_default() += 1;
    tracing::warn!(delivery, status, "webhook rejected: {why}");
    Reply::text(status, format!("{why}\n"))
}

/// Whether `signature` (`sha256=HEX`) is the HMAC-SHA256 of `body` under `secret`, compared in
/// constant time.
pub fn signed(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Some(hex) = signature.strip_prefix("sha256=") else { return false };
    let Some(tag) = decode_hex(hex) else { return false };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    mac.verify_slice(&tag).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_as_github_computes_them() {
        // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(signed(b"It's a Secret to Everybody", b"Hello, World!", expected));
        assert!(!signed(b"another secret", b"Hello, World!", expected));
        assert!(!signed(b"It's a Secret to Everybody", b"Hello, World?", expected));
        assert!(!signed(b"It's a Secret to Everybody", b"Hello, World!", "sha1=757107ea"));
        assert!(!signed(b"It's a Secret to Everybody", b"Hello, World!", "sha256=zz"));
    }

    #[test]
    fn a_port_alone_listens_on_the_loopback_only() {
        assert_eq!(listen_address("8080"), "127.0.0.1:8080");
        assert_eq!(listen_address(":8080"), "127.0.0.1:8080");
        assert_eq!(listen_address("0.0.0.0:8080"), "0.0.0.0:8080");
        assert_eq!(listen_address("[::1]:8080"), "[::1]:8080");
    }

    #[test]
    fn payloads_are_read_as_json_or_as_a_form() {
        let json = br#"{"ref":"refs/heads/main"}"#;
        assert_eq!(payload(json).unwrap()["ref"], "refs/heads/main");
        let form = b"payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D";
        assert_eq!(payload(form).unwrap()["ref"], "refs/heads/main");
        assert!(payload(b"nonsense").is_none());
    }

    #[test]
    fn a_push_concerns_the_stacks_of_its_branch_and_repository() {
        let spec = |repository: &str, branch: &str| super::super::fleet::StackSpec {
            name: Some("core".into()),
            repository: repository.into(),
            branch: branch.into(),
            path: ".".into(),
            apply: crate::cli::ApplyPolicy::Never,
            interval: Duration::from_secs(60),
            drift_interval: Duration::ZERO,
            vars: Vec::new(),
            checkout: "/w".into(),
            state_dir: "/s".into(),
        };
        let push = serde_json::json!({
            "ref": "refs/heads/main",
            "repository": {"full_name": "acme/net", "clone_url": "https://github.com/acme/net.git",
                           "ssh_url": "git@github.com:acme/net.git"}
        });
        assert!(concerns(&push, &spec("https://github.com/acme/net", "main")));
        assert!(concerns(&push, &spec("git@github.com:Acme/net.git", "main")));
        assert!(concerns(&push, &spec("ssh://git@github.com/acme/net.git", "main")));
        assert!(!concerns(&push, &spec("https://github.com/acme/net", "prod")));
        assert!(!concerns(&push, &spec("https://github.com/acme/other", "main")));
        // A payload that names no repository concerns every stack of the branch.
        assert!(concerns(&serde_json::json!({"ref": "refs/heads/main"}), &spec("/srv/net", "main")));
    }
}
