//! The web view at `/`: the fleet's stacks, and per stack its topology map (links coloured by
//! their status), what it is waiting to apply, and its history of runs. Server-rendered HTML and
//! SVG, refreshing itself; no script and no build step. With an API token configured, the view
//! asks for it once and keeps a cookie derived from it ([`super::api::cookie_value`]: never the
//! token itself, for 12 hours; `HttpOnly`, `SameSite=Strict`); forms sent from another site are
//! refused. The API itself takes only the bearer token.

use super::Followed;
use super::server::{Incoming, Reply, Settings};
use isopod_planner::map::{LinkStatus, TopologyMap, escape};
use isopod_state::Document;
use std::fmt::Write as _;
use tiny_http::Method;

/// The cookie that carries the API token for the web view.
pub const TOKEN_COOKIE: &str = "isopod_token";

/// How often a page reloads itself, in seconds.
const REFRESH: u32 = 5;

/// Answers a request for a page.
pub fn respond(request: &Incoming, settings: &Settings) -> Reply {
    let path = request.path.as_str();
    let write = request.method == Method::Post;
    if write && from_elsewhere(request) {
        return page(403, "Refused", "<p>A form sent from another site is refused.</p>", false);
    }
    if path == "/login" {
        return login(request, settings);
    }
    if super::api::authorize(request, settings, write, true).is_err() {
        return if settings.api_token.is_some() {
            page(401, "Sign in", &login_form(None), false)
        } else {
            page(
                403,
                "Refused",
                "<p>No API token is configured (<code>--api-token-file</code>): nothing can be changed from here.</p>",
                false,
            )
        };
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match (&request.method, parts.as_slice()) {
        (Method::Get | Method::Head, []) => page(200, "Stacks", &stacks(settings), true),
        (Method::Get | Method::Head, ["stacks", name]) => match settings.stack(name) {
            Some(stack) => page(200, name, &detail(stack, settings), true),
            None => not_found(),
        },
        (Method::Post, ["stacks", name, "reconcile"]) => match settings.stack(name) {
            Some(stack) => {
                settings.trigger(stack, super::Trigger::Reconcile);
                redirect(&format!("/stacks/{name}"), None)
            }
            None => not_found(),
        },
        _ => not_found(),
    }
}

/// The map the stack's last plan drew, if any.
pub fn map(stack: &Followed) -> Result<Option<TopologyMap>, isopod_state::StateError> {
    Ok(stack.document(Document::Map)?.and_then(|text| serde_json::from_str(&text).ok()))
}

/// Whether a form was sent from another site (`Sec-Fetch-Site`, else an `Origin` that is not
/// this server's `Host`): refused, whatever cookie it carries.
fn from_elsewhere(request: &Incoming) -> bool {
    if let Some(site) = request.header("Sec-Fetch-Site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = request.header("Origin") else { return false };
    let origin_host = origin.split_once("://").map_or(origin, |(_, host)| host);
    request.header("Host").is_none_or(|host| !host.eq_ignore_ascii_case(origin_host))
}

fn not_found() -> Reply {
    page(404, "Not found", "<p>No such page. <a href=\"/\">The stacks</a>.</p>", false)
}

fn login(request: &Incoming, settings: &Settings) -> Reply {
    let Some(token) = &settings.api_token else { return redirect("/", None) };
    if request.method != Method::Post {
        return page(200, "Sign in", &login_form(None), false);
    }
    let given = form_urlencoded::parse(&request.body).find(|(name, _)| name == "token").map(|(_, v)| v.into_owned());
    if !super::api::accepts(settings, &given.unwrap_or_default()) {
        // Slows guessing down (each request has a thread of its own).
        std::thread::sleep(std::time::Duration::from_secs(1));
        return page(401, "Sign in", &login_form(Some("That is not the token.")), false);
    }
    let life = super::api::COOKIE_LIFE.as_secs();
    let value = super::api::cookie_value(token, super::metrics::now() as u64 + life);
    let cookie = format!("{TOKEN_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={life}");
    redirect("/", Some(cookie))
}

fn login_form(error: Option<&str>) -> String {
    let error = error.map(|e| format!("<p class=\"error\">{}</p>", escape(e))).unwrap_or_default();
    format!(
        "{error}<form method=\"post\" action=\"/login\"><label>API token <input type=\"password\" name=\"token\" \
         autocomplete=\"current-password\"></label> <button>Sign in</button></form>"
    )
}

fn redirect(to: &str, cookie: Option<String>) -> Reply {
    let mut reply = Reply::html(303, format!("<a href=\"{}\">continue</a>", escape(to)));
    reply.headers.push(("Location", to.to_string()));
    if let Some(cookie) = cookie {
        reply.headers.push(("Set-Cookie", cookie));
    }
    reply
}

/// The table of stacks.
fn stacks(settings: &Settings) -> String {
    let mut out = String::from(
        "<table><thead><tr><th>Stack</th><th>Followed by</th><th>Revision in force</th><th>Pending</th>\
         <th>Drift</th><th>Last apply</th><th>Links</th></tr></thead><tbody>",
    );
    for stack in &settings.stacks {
        let status = stack.kept_status();
        let name = stack.name.get().cloned().unwrap_or_else(|| "(not read yet)".into());
        let _ = write!(
            out,
            "<tr data-stack=\"{n}\"><td><a href=\"/stacks/{n}\">{n}</a></td><td>{watcher}</td><td><code>{revision}</code></td>\
             <td>{pending}</td><td>{drift}</td><td>{apply}</td><td>{links}</td></tr>",
            n = escape(&name),
            watcher = escape(&follower(stack, settings)),
            revision = short(status.revision_in_force.as_deref()),
            pending = status.pending_changes.len(),
            drift = status.last_drift_check.map_or("not checked".into(), |d| format!("{} change(s)", d.changes)),
            apply = outcome(status.last_apply.map(|a| a.ok)),
            links = link_badges(&status.links),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// One stack: its status, map, pending changes and runs.
fn detail(stack: &Followed, settings: &Settings) -> String {
    let status = stack.kept_status();
    let name = stack.name.get().map(String::as_str).unwrap_or_default();
    let spec = &stack.spec;
    let mut out = format!(
        "<p><a href=\"/\">All stacks</a></p><dl>\
         <dt>Repository</dt><dd><code>{repository}</code> branch <code>{branch}</code> folder <code>{path}</code></dd>\
         <dt>Followed by</dt><dd>{watcher}</dd><dt>Revision in force</dt><dd><code>{revision}</code></dd>\
         <dt>Last plan</dt><dd>{plan}</dd><dt>Last apply</dt><dd>{apply}</dd><dt>Links</dt><dd>{links}</dd></dl>",
        repository = escape(&super::fleet::shown(&spec.repository)),
        branch = escape(&spec.branch),
        path = escape(&spec.path.display().to_string()),
        watcher = escape(&follower(stack, settings)),
        revision = short(status.revision_in_force.as_deref()),
        plan = outcome_at(status.last_plan),
        apply = outcome_at(status.last_apply),
        links = link_badges(&status.links),
    );
    if settings.api_token.is_some() {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/stacks/{}/reconcile\"><button>Reconcile now</button></form>",
            escape(name)
        );
    }
    out.push_str("<h2>Topology</h2>");
    match map(stack).ok().flatten() {
        Some(map) => {
            out.push_str("<div class=\"map\">");
            out.push_str(&isopod_planner::map::svg(&map));
            out.push_str("</div>");
        }
        None => out.push_str("<p>No plan was made yet.</p>"),
    }
    out.push_str("<h2>Pending changes</h2>");
    if status.pending_changes.is_empty() {
        out.push_str("<p>None: the live resources match the configuration.</p>");
    } else {
        out.push_str("<ul class=\"changes\">");
        for change in &status.pending_changes {
            let _ = write!(out, "<li><code>{}</code></li>", escape(change));
        }
        out.push_str("</ul>");
    }
    out.push_str("<h2>Runs</h2>");
    let runs = stack.state.runs(name, 20).unwrap_or_default();
    if runs.is_empty() {
        out.push_str("<p>No apply has changed anything yet.</p>");
    } else {
        out.push_str(
            "<table class=\"runs\"><thead><tr><th>Command</th><th>Revision</th><th>Started</th><th>Took</th>\
             <th>Result</th><th>Changes</th></tr></thead><tbody>",
        );
        for run in runs {
            let counts = ["created", "updated", "deleted", "failed"]
                .iter()
                .filter_map(|key| Some(format!("{} {key}", run.summary[key].as_u64().filter(|n| *n > 0)?)))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = write!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{:.1} s</td><td>{}</td><td>{}</td></tr>",
                escape(&run.command),
                short(run.revision.as_deref()),
                time(run.started),
                run.finished - run.started,
                outcome(Some(run.succeeded)),
                escape(&counts),
            );
        }
        out.push_str("</tbody></table>");
    }
    out
}

/// Who follows `stack` now.
fn follower(stack: &Followed, settings: &Settings) -> String {
    stack.name.get().and_then(|name| settings.share.follower(name)).unwrap_or_else(|| "nobody now".into())
}

fn short(revision: Option<&str>) -> String {
    revision.map_or("none".into(), |r| escape(&r.chars().take(10).collect::<String>()))
}

fn outcome(ok: Option<bool>) -> &'static str {
    match ok {
        None => "<span class=\"muted\">not yet</span>",
        Some(true) => "<span class=\"ok\">succeeded</span>",
        Some(false) => "<span class=\"failed\">failed</span>",
    }
}

/// An outcome and when it was (UTC).
fn outcome_at(outcome_of: Option<super::metrics::Outcome>) -> String {
    match outcome_of {
        None => outcome(None).to_string(),
        Some(done) => format!("{} at {} UTC", outcome(Some(done.ok)), time(done.at)),
    }
}

/// The links by status, each in its colour on the map.
fn link_badges(links: &super::metrics::LinkCounts) -> String {
    if links.is_empty() {
        return "<span class=\"muted\">none drawn</span>".into();
    }
    let statuses = [
        LinkStatus::Up,
        LinkStatus::Degraded,
        LinkStatus::Down,
        LinkStatus::Live,
        LinkStatus::Pending,
        LinkStatus::Planned,
        LinkStatus::NotPlanned,
    ];
    statuses
        .iter()
        .filter_map(|status| {
            let n = links.get(status.key())?;
            Some(format!(
                "<span class=\"badge\" data-status=\"{}\" style=\"background:{}\">{n} {}</span>",
                status.key(),
                status.colour(),
                status.as_str()
            ))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A time (seconds since the epoch) as UTC `YYYY-MM-DD HH:MM:SS`.
fn time(at: f64) -> String {
    let seconds = at as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60)
}

fn page(status: u16, title: &str, body: &str, refresh: bool) -> Reply {
    let refresh = if refresh { format!("<meta http-equiv=\"refresh\" content=\"{REFRESH}\">") } else { String::new() };
    Reply::html(
        status,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">{refresh}<title>{t} · isopod</title>\
             <style>{STYLE}</style></head><body><header><strong>isopod</strong> watch</header><main><h1>{t}</h1>{body}</main></body></html>\n",
            t = escape(title)
        ),
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#212121}header{background:#263238;color:#fff;\
padding:.6em 1.2em}main{padding:1em 1.5em}table{border-collapse:collapse}th,td{padding:.35em .8em;border-bottom:1px solid #e0e0e0;\
text-align:left}dt{font-weight:600;float:left;clear:left;width:10em}dd{margin:0 0 .3em 10em}.badge{color:#fff;border-radius:3px;\
padding:0 .4em;font-size:.9em}.ok{color:#2e7d32}.failed,.error{color:#c62828}.muted{color:#757575}.map svg{max-width:100%;height:auto}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_times_are_utc() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(time(0.0), "1970-01-01 00:00:00");
        assert_eq!(time(1_796_601_600.0), "2026-12-07 00:00:00");
        assert_eq!(time(951_782_400.0 + 3_723.0), "2000-02-29 01:02:03");
    }

    #[test]
    fn links_are_shown_in_their_colours() {
        let links = [("up".into(), 2), ("down".into(), 1)].into_iter().collect();
        let shown = link_badges(&links);
        assert!(shown.find("2 up").unwrap() < shown.find("1 down").unwrap(), "{shown}");
        assert!(shown.contains(&format!("data-status=\"down\" style=\"background:{}\"", LinkStatus::Down.colour())));
    }
}
