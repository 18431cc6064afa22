//! The watcher's HTTP server: `POST /webhook` (GitHub's push events, signed with HMAC-SHA256),
//! `GET /healthz` and `GET /metrics`.

use super::metrics::Metrics;
use hmac::{Hmac, KeyInit as _, Mac as _};
use std::io::Read as _;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tiny_http::{Header, Method, Request, Response, Server};
use zeroize::Zeroizing;

/// The largest webhook body read (GitHub's limit on a delivery is 25 MB; a push is far less).
const MAX_BODY: u64 = 5 << 20;

/// What the server needs.
pub struct Settings {
    /// The webhook's secret; without one every delivery is refused.
    pub secret: Option<Zeroizing<Vec<u8>>>,
    /// The branch followed: pushes to others are ignored.
    pub branch: String,
    /// Told to fetch now.
    pub trigger: Sender<()>,
    /// The watcher's figures.
    pub metrics: Arc<Mutex<Metrics>>,
    /// How long the loop may go without a round before `/healthz` fails.
    pub stale: Duration,
}

/// Serves on `address` in a thread of its own; the address bound (a port of 0 is chosen by the
/// system).
pub fn start(address: &str, settings: Settings) -> anyhow::Result<std::net::SocketAddr> {
    let server = Server::http(address).map_err(|err| anyhow::anyhow!("cannot listen on {address}: {err}"))?;
    let bound =
        server.server_addr().to_ip().ok_or_else(|| anyhow::anyhow!("{address} is not an IP address and port"))?;
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            respond(request, &settings);
        }
    });
    Ok(bound)
}

fn respond(mut request: Request, settings: &Settings) {
    let (status, body) = match (request.method(), request.url().split('?').next().unwrap_or("")) {
        (Method::Get, "/healthz") => {
            let healthy = settings.metrics.lock().expect("metrics lock").healthy(settings.stale);
            if healthy { (200, "ok\n".to_string()) } else { (503, "the watch loop has stalled\n".to_string()) }
        }
        (Method::Get, "/metrics") => (200, settings.metrics.lock().expect("metrics lock").render()),
        (Method::Post, "/webhook") => webhook(&mut request, settings),
        _ => (404, "not found\n".to_string()),
    };
    let content_type =
        Header::from_bytes("Content-Type", "text/plain; version=0.0.4; charset=utf-8").expect("a valid header");
    let _ = request.respond(Response::from_string(body).with_status_code(status).with_header(content_type));
}

/// Checks a delivery's signature, then triggers a fetch for a push to the branch.
fn webhook(request: &mut Request, settings: &Settings) -> (u16, String) {
    let header = |name: &'static str| {
        request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str().to_string())
    };
    let (event, signature, delivery) =
        (header("X-GitHub-Event"), header("X-Hub-Signature-256"), header("X-GitHub-Delivery"));
    let delivery = delivery.unwrap_or_else(|| "-".into());
    let mut body = Vec::new();
    if request.as_reader().take(MAX_BODY + 1).read_to_end(&mut body).is_err() || body.len() as u64 > MAX_BODY {
        return reject(settings, &delivery, 413, "the body is too large or cut short");
    }
    let Some(secret) = &settings.secret else {
        return reject(settings, &delivery, 403, "no webhook secret is configured, so no delivery is trusted");
    };
    match signature {
        None => return reject(settings, &delivery, 401, "the delivery is not signed (no X-Hub-Signature-256)"),
        Some(signature) if !signed(secret, &body, &signature) => {
            return reject(settings, &delivery, 401, "the signature does not match the webhook secret");
        }
        Some(_) => {}
    }
    let count = |outcome| *settings.metrics.lock().expect("metrics lock").webhooks.entry(outcome).or_default() += 1;
    match event.as_deref() {
        Some("push") => {
            let pushed = payload(&body).and_then(|payload| payload["ref"].as_str().map(str::to_string));
            if pushed.as_deref() == Some(&format!("refs/heads/{}", settings.branch)) {
                count("accepted");
                tracing::info!(delivery, "webhook: push to {}, fetching now", settings.branch);
                let _ = settings.trigger.send(());
                (202, "fetching\n".into())
            } else {
                count("ignored");
                tracing::info!(delivery, "webhook: push to {}, not the branch followed", pushed.unwrap_or_default());
                (200, "another branch\n".into())
            }
        }
        other => {
            count("ignored");
            tracing::info!(delivery, "webhook: `{}` event ignored", other.unwrap_or("(none)"));
            (200, "ignored\n".into())
        }
    }
}

/// A delivery's JSON payload: the body (`application/json`), or its `payload` field
/// (`application/x-www-form-urlencoded`, GitHub's default).
fn payload(body: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice(body).ok().or_else(|| {
        let (_, json) = form_urlencoded::parse(body).find(|(name, _)| name == "payload")?;
        serde_json::from_str(&json).ok()
    })
}

fn reject(settings: &Settings, delivery: &str, status: u16, why: &str) -> (u16, String) {
    *settings.metrics.lock().expect("metrics lock").webhooks.entry("rejected").or_default() += 1;
    tracing::warn!(delivery, status, "webhook rejected: {why}");
    (status, format!("{why}\n"))
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
    fn payloads_are_read_as_json_or_as_a_form() {
        let json = br#"{"ref":"refs/heads/main"}"#;
        assert_eq!(payload(json).unwrap()["ref"], "refs/heads/main");
        let form = b"payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D";
        assert_eq!(payload(form).unwrap()["ref"], "refs/heads/main");
        assert!(payload(b"nonsense").is_none());
    }
}
