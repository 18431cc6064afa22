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

/// What a path under `/api/v1/` names.
enum Route<'a> {
    OpenApi,
    Stacks,
    Stack(&'a str),
    Runs(&'a str),
    Plan(&'a str),
    Map(&'a str),
    Reconcile(&'a str),
}

/// Answers a request under `/api/`.
pub fn respond(request: &Incoming, settings: &Settings) -> Reply {
    let Some(rest) = request.path.strip_prefix("/api/v1/") else { return Reply::error(404, "not found") };
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let route = match parts.as_slice() {
        ["openapi.json"] => Route::OpenApi,
        ["stacks"] => Route::Stacks,
        ["stacks", name] => Route::Stack(name),
        ["stacks", name, "runs"] => Route::Runs(name),
        ["stacks", name, "plan"] => Route::Plan(name),
        ["stacks", name, "map"] => Route::Map(name),
        ["stacks", name, "reconcile"] => Route::Reconcile(name),
        _ => return Reply::error(404, "not found"),
    };
    let write = matches!(route, Route::Reconcile(_));
    let allowed =
        if write { request.method == Method::Post } else { matches!(request.method, Method::Get | Method::Head) };
    if !allowed {
        let mut refused = Reply::error(405, "method not allowed");
        refused.headers.push(("Allow", if write { "POST" } else { "GET, HEAD" }.into()));
        return refused;
    }
    if let Route::OpenApi = route {
        let mut reply = Reply::text(200, OPENAPI);
        reply.content_type = "application/json";
        return reply;
    }
    if let Err(refused) = authorize(request, settings, write, false) {
        return refused;
    }
    let named = |name: &str| {
        settings.stack(name).ok_or_else(|| Reply::error(404, &format!("no stack `{name}` in this watcher's fleet")))
    };
    let answer = match route {
        Route::OpenApi => unreachable!("answered above"),
        Route::Stacks => {
            Ok(Reply::json(200, &Value::Array(settings.stacks.iter().map(|stack| summary(stack, settings)).collect())))
        }
        Route::Stack(name) => named(name).map(|stack| Reply::json(200, &summary(stack, settings))),
        Route::Runs(name) => named(name).map(|stack| runs(stack, request)),
        Route::Plan(name) => named(name).map(|stack| kept(stack, Document::Plan, "no plan was made yet")),
        Route::Map(name) => named(name).map(|stack| match request.param("format") {
            None | Some("json") => kept(stack, Document::Map, "no map was drawn yet"),
            Some("svg") => map_svg(stack),
            Some(other) => Reply::error(400, &format!("format is `json` or `svg`, not `{other}`")),
        }),
        Route::Reconcile(name) => named(name).map(|stack| {
            settings.trigger(stack, super::Trigger::Reconcile);
            let here = settings.share.follows(name);
            tracing::info!(stack = %name, "reconcile asked through the API");
            Reply::json(202, &json!({ "stack": name, "reconciling": true, "followed_here": here }))
        }),
    };
    answer.unwrap_or_else(|refused| refused)
}

/// Whether `request` may read (or, with `write`, change) anything; with `cookie`, the web
/// view's cookie is taken as well as the bearer token.
pub fn authorize(request: &Incoming, settings: &Settings, write: bool, cookie: bool) -> Result<(), Reply> {
    let Some(token) = &settings.api_token else {
        return if write {
            Err(Reply::error(403, "no API token is configured (--api-token-file): writes are refused"))
        } else {
            Ok(())
        };
    };
    let bearer = request.header("Authorization").and_then(|value| value.strip_prefix("Bearer "));
    let by_cookie = cookie
        && request.header("Cookie").is_some_and(|cookies| {
            cookies
                .split(';')
                .filter_map(|c| c.trim().strip_prefix(super::view::TOKEN_COOKIE)?.strip_prefix('='))
                .any(|value| cookie_holds(token, value))
        });
    if bearer.is_some_and(|given| accepts(settings, given.trim())) || by_cookie {
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

/// How long the web view's cookie lasts.
pub const COOKIE_LIFE: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// The web view's cookie for `token`, valid until `expires` (seconds since the epoch):
/// `EXPIRES.MAC`, the MAC an HMAC-SHA256 under the token of a label and the expiry, so that the
/// token itself never travels back in a cookie nor can be read from one, a cookie ends, and
/// every watcher of the fleet, knowing the token, accepts it.
pub fn cookie_value(token: &str, expires: u64) -> String {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(token.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("isopod web view until {expires}").as_bytes());
    let tag: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("{expires}.{tag}")
}

/// Whether `value` is a cookie of `token` that has not expired.
fn cookie_holds(token: &str, value: &str) -> bool {
    let Some(expires) = value.split_once('.').and_then(|(expires, _)| expires.parse::<u64>().ok()) else {
        return false;
    };
    (super::metrics::now() as u64) < expires && same(value.as_bytes(), cookie_value(token, expires).as_bytes())
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
        "apply": spec.apply.as_str(),
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
    match stack.document(document) {
        Ok(Some(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(value) => Reply::json(200, &value),
            Err(_) => Reply::error(503, "the kept document does not read as JSON"),
        },
        Ok(None) => Reply::error(404, missing),
        Err(err) => Reply::error(503, &err.to_string()),
    }
}

fn map_svg(stack: &Followed) -> Reply {
    match super::view::map(stack) {
        Err(err) => Reply::error(503, &err.to_string()),
        Ok(Some(map)) => {
            let mut reply = Reply::text(200, isopod_planner::map::svg(&map));
            reply.content_type = "image/svg+xml";
            reply
        }
        Ok(None) => Reply::error(404, "no map was drawn yet"),
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
        let later = super::super::metrics::now() as u64 + 60;
        let cookie = cookie_value("s3cret", later);
        assert!(cookie_holds("s3cret", &cookie));
        assert!(!cookie.contains("s3cret") && !cookie_holds("s3creT", &cookie));
        assert!(!cookie_holds("s3cret", &cookie_value("s3cret", 1)), "an expired cookie");
        let forged = cookie.replacen(&later.to_string(), &(later + 3600).to_string(), 1);
        assert!(!cookie_holds("s3cret", &forged), "a cookie whose expiry was moved");
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
