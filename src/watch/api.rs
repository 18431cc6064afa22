//! The watcher's JSON API under `/api/v1/`, described by the OpenAPI document it serves at
//! `/api/v1/openapi.json`. Any watcher of a shared state answers for every stack of its fleet:
//! what it reports is what the stack's state keeps (written by whichever watcher follows it).
//! Writes need the bearer token (refused when none is configured); reads need it when one is.
//! Nothing secret is in any answer: plans and maps carry no keys, and a repository URL is shown
//! without its credentials.

use super::Followed;
use super::server::{Incoming, Reply, Settings};
use isopod_state::Document;
use serde_json::{Value, json};
use tiny_http::Method;

/// The OpenAPI document.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The most runs one request lists.
const MAX_RUNS: usize = 200;

/// Answers a request under `/api/`.
pub fn respond(request: &Incoming, settings: &Settings) -> Reply {
    let path = request.path.trim_end_matches('/');
    if request.method == Method::Get && path == "/api/v1/openapi.json" {
        let mut reply = Reply::text(200, OPENAPI);
        reply.content_type = "application/json";
        return reply;
    }
    let write = request.method != Method::Get;
    if let Err(refused) = authorize(request, settings, write) {
        return refused;
    }
    let parts: Vec<&str> = path.trim_start_matches("/api/v1").split('/').filter(|p| !p.is_empty()).collect();
    let method = &request.method;
    match (method, parts.as_slice()) {
        (Method::Get, ["stacks"]) => {
            Reply::json(200, &Value::Array(settings.stacks.iter().map(|stack| summary(stack, settings)).collect()))
        }
        (_, ["stacks", name, rest @ ..]) => {
            let Some(stack) = settings.stack(name) else {
                return Reply::error(404, &format!("no stack `{name}` in this watcher's fleet"));
            };
            match (method, rest) {
                (Method::Get, []) => Reply::json(200, &summary(stack, settings)),
                (Method::Get, ["runs"]) => runs(stack, request),
                (Method::Get, ["plan"]) => kept(stack, Document::Plan, "no plan was made yet"),
                (Method::Get, ["map"]) if request.param("format") == Some("svg") => map_svg(stack),
                (Method::Get, ["map"]) => kept(stack, Document::Map, "no map was drawn yet"),
                (Method::Post, ["reconcile"]) => {
                    settings.trigger(stack, super::Trigger::Reconcile);
                    let here = settings.share.follows(name);
                    tracing::info!(stack = %name, "reconcile asked through the API");
                    Reply::json(202, &json!({ "stack": name, "reconciling": true, "followed_here": here }))
                }
                (_, [] | ["runs" | "plan" | "map"]) | (Method::Get, ["reconcile"]) => {
                    Reply::error(405, "method not allowed")
                }
                _ => Reply::error(404, "not found"),
            }
        }
        _ => Reply::error(404, "not found"),
    }
}

/// Whether `request` may read (or, with `write`, change) anything.
pub fn authorize(request: &Incoming, settings: &Settings, write: bool) -> Result<(), Reply> {
    if settings.api_token.is_none() {
        return if write {
            Err(Reply::error(403, "no API token is configured (--api-token-file): writes are refused"))
        } else {
            Ok(())
        };
    };
    if presented(request).is_some_and(|given| accepts(settings, given)) {
        return Ok(());
    }
    let mut refused = Reply::error(401, "a bearer token is required (Authorization: Bearer TOKEN)");
    refused.headers.push(("WWW-Authenticate", "Bearer realm=\"isopod\"".into()));
    Err(refused)
}

/// Whether `given` is the API token.
pub fn accepts(settings: &Settings, given: &str) -> bool {
    settings.api_token.as_ref().is_some_and(|token| same(given.as_bytes(), token.as_bytes()))
}

/// The token a request presents: `Authorization: Bearer`, or the web view's cookie.
fn presented(request: &Incoming) -> Option<&str> {
    if let Some(token) = request.header("Authorization").and_then(|value| value.strip_prefix("Bearer ")) {
        return Some(token.trim());
    }
    let cookies = request.header("Cookie")?;
    cookies.split(';').find_map(|cookie| cookie.trim().strip_prefix(super::view::TOKEN_COOKIE)?.strip_prefix('='))
}

/// Whether two byte strings are equal, in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the API says of a stack.
pub fn summary(stack: &Followed, settings: &Settings) -> Value {
    let status = stack.kept_status();
    let name = stack.name.get();
    let last_run = name.and_then(|name| stack.state.runs(name, 1).ok()).and_then(|runs| runs.into_iter().next());
    let count = |status_name: &str| status.links.get(status_name).copied().unwrap_or(0);
    let spec = &stack.spec;
    json!({
        "name": name,
        "repository": super::fleet::shown(&spec.repository),
        "branch": spec.branch,
        "path": spec.path.display().to_string(),
        "apply": if spec.apply == crate::cli::ApplyPolicy::Auto { "auto" } else { "never" },
        // The claim says who follows it now (the status, who wrote it last).
        "followed_by": name.and_then(|name| settings.share.follower(name)),
        "reported_by": (!status.watcher.is_empty()).then_some(&status.watcher),
        "followed_here": name.is_some_and(|name| settings.share.follows(name)),
        "revision_in_force": status.revision_in_force,
        "revision_seen": status.revision_seen,
        "pending_changes": status.pending_changes,
        "drift": status.last_drift_check,
        "last_plan": status.last_plan,
        "last_apply": status.last_apply,
        "last_run": last_run,
        "links": status.links,
        "tunnels": { "up": count("up"), "degraded": count("degraded"), "down": count("down") },
        "invalid_revisions": status.invalid_revisions,
        "last_invalid_revision": status.last_invalid_revision,
        "errors": status.errors,
        "updated": (status.updated > 0.0).then_some(status.updated),
    })
}

fn runs(stack: &Followed, request: &Incoming) -> Reply {
    let limit = match request.param("limit").map(str::parse::<usize>) {
        None => 20,
        Some(Ok(limit)) if (1..=MAX_RUNS).contains(&limit) => limit,
        Some(_) => return Reply::error(400, &format!("limit is a number from 1 to {MAX_RUNS}")),
    };
    let Some(name) = stack.name.get() else { return Reply::json(200, &json!([])) };
    match stack.state.runs(name, limit) {
        Ok(runs) => Reply::json(200, &serde_json::to_value(runs).expect("runs serialize")),
        Err(err) => Reply::error(503, &err.to_string()),
    }
}

fn kept(stack: &Followed, document: Document, missing: &str) -> Reply {
    match stack.document(document).and_then(|text| serde_json::from_str::<Value>(&text).ok()) {
        Some(value) => Reply::json(200, &value),
        None => Reply::error(404, missing),
    }
}

fn map_svg(stack: &Followed) -> Reply {
    match super::view::map(stack) {
        Some(map) => {
            let mut reply = Reply::text(200, isopod_planner::map::svg(&map));
            reply.content_type = "image/svg+xml";
            reply
        }
        None => Reply::error(404, "no map was drawn yet"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_compared_whole() {
        assert!(same(b"s3cret", b"s3cret"));
        assert!(!same(b"s3cret", b"s3creT"));
        assert!(!same(b"s3cret", b"s3cret2"));
    }

    #[test]
    fn the_openapi_document_describes_every_route() {
        let document: Value = serde_json::from_str(OPENAPI).expect("the OpenAPI document is JSON");
        assert!(document["openapi"].as_str().unwrap().starts_with("3."));
        let paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
        assert_eq!(
            paths,
            [
                "/api/v1/stacks",
                "/api/v1/stacks/{name}",
                "/api/v1/stacks/{name}/map",
                "/api/v1/stacks/{name}/plan",
                "/api/v1/stacks/{name}/reconcile",
                "/api/v1/stacks/{name}/runs"
            ]
        );
        assert!(document["paths"]["/api/v1/stacks/{name}/reconcile"]["post"].is_object());
        assert!(document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    }
}
