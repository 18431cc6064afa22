//! One stack followed: its branch fetched, every new valid revision planned (and applied by its
//! policy), the revision in force planned again for drift, and what happened written to the
//! stack's state (its status, last plan and map) for the API and the web view of any watcher.
//! Plans and applies run as child processes of the same binary, with the stack's state folder
//! kept outside the checkout so that it outlives every revision.

use super::git::Mirror;
use super::metrics::{DriftCheck, Outcome, StackStatus, now};
use super::share::Share;
use super::{Followed, Trigger};
use crate::cli::{ApplyPolicy, ConfigArgs};
use crate::config;
use crate::secret_store::SecretStore;
use anyhow::{Context as _, Result};
use git2::Oid;
use isopod_state::Document;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// Why a revision is planned.
#[derive(Clone, Copy, PartialEq)]
enum Reason {
    /// It is new.
    Revision,
    /// To find drift.
    Drift,
    /// To see the apply that was just made (and draw the map as it is now); never applied.
    Applied,
}

/// The follower of one stack, between rounds.
pub struct Follower {
    stack: Arc<Followed>,
    share: Arc<Share>,
    mirror: Mirror,
    /// Whether the watch's state is shared (the stack's secrets are kept there).
    shared: bool,
    /// The last revision fetched.
    seen: Option<Oid>,
    /// The last valid revision: the one applied and checked for drift.
    in_force: Option<Oid>,
    /// Whether the last round of the revision in force ended well (planned, and in sync, applied,
    /// or not to be applied): only then is a revision that changes nothing taken without a plan.
    settled: bool,
    stop: Arc<AtomicBool>,
}

impl Follower {
    /// The follower of `stack`, its clone opened (or made).
    pub fn new(stack: Arc<Followed>, share: Arc<Share>, shared: bool, stop: Arc<AtomicBool>) -> Result<Follower> {
        let spec = &stack.spec;
        std::fs::create_dir_all(&spec.state_dir)
            .with_context(|| format!("cannot create {}", spec.state_dir.display()))?;
        let mirror = Mirror::open(&spec.checkout, &spec.repository, &spec.branch)?;
        Ok(Follower { stack, share, mirror, shared, seen: None, in_force: None, settled: false, stop })
    }

    fn name(&self) -> Option<&str> {
        self.stack.name.get().map(String::as_str)
    }

    fn status(&self) -> std::sync::MutexGuard<'_, StackStatus> {
        self.stack.status.lock().expect("status lock")
    }

    fn error(&self, stage: &str) {
        *self.status().errors.entry(stage.to_string()).or_default() += 1;
    }

    /// The configuration's folder in the checkout.
    fn config_dir(&self) -> PathBuf {
        self.mirror.workdir().join(&self.stack.spec.path)
    }

    /// Follows the stack until `stop`: rounds while this watcher holds its claim, fetching at
    /// once when triggered (a webhook, the API, another watcher's announcement).
    pub fn run(mut self, triggered: Receiver<Trigger>) {
        let spec = self.stack.spec.clone();
        let drift_on = !spec.drift_interval.is_zero();
        let mut next_fetch = Instant::now();
        let mut next_drift = Instant::now() + spec.drift_interval;
        let mut following = false;
        // A reconcile asked for: the revision in force is planned even if no new one comes.
        let mut asked = false;
        while !self.stop.load(Ordering::Relaxed) {
            self.stack.ticked();
            let Some(name) = self.name().map(str::to_string) else {
                // Named by its configuration: read it before anything can be claimed.
                if Instant::now() >= next_fetch {
                    self.fetch();
                    next_fetch = Instant::now() + spec.interval;
                }
                asked |= wait(&triggered, next_fetch, &mut next_fetch);
                continue;
            };
            let now_following = self.share.follows(&name);
            if now_following != following {
                following = now_following;
                if following {
                    // Whatever the last follower (or this one, before) did: start from the
                    // branch as it is now, and plan it.
                    self.seen = None;
                    self.in_force = None;
                    next_fetch = Instant::now();
                    next_drift = Instant::now() + spec.drift_interval;
                } else {
                    tracing::info!(stack = %name, "no longer following the stack");
                }
            }
            if following && self.share.begin(&name) {
                if Instant::now() >= next_fetch {
                    let planned = self.fetch();
                    next_fetch = Instant::now() + spec.interval;
                    if std::mem::take(&mut asked) && !planned {
                        self.check_drift();
                    }
                }
                if drift_on && Instant::now() >= next_drift {
                    self.check_drift();
                    next_drift = Instant::now() + spec.drift_interval;
                }
                self.share.end(&name);
            }
            let next = match following {
                true if drift_on => next_fetch.min(next_drift),
                true => next_fetch,
                // Another watcher follows it: look again in a second (the claim may come).
                false => Instant::now() + Duration::from_secs(1),
            };
            asked |= wait(&triggered, next, &mut next_fetch);
        }
    }

    /// Fetches; a new revision is checked, then planned (and applied, by the policy). Whether a
    /// plan was made.
    fn fetch(&mut self) -> bool {
        let revision = match self.mirror.fetch() {
            Ok(revision) => revision,
            Err(err) => {
                tracing::error!(
                    stack = self.name().unwrap_or_default(),
                    error = format!("{err:#}"),
                    "fetch failed; trying again in {}s",
                    self.stack.spec.interval.as_secs()
                );
                self.error("fetch");
                return false;
            }
        };
        self.status().last_fetch = Some(now());
        if self.seen == Some(revision) {
            return false;
        }
        self.seen = Some(revision);
        self.status().revision_seen = Some(revision.to_string());
        let stack = self.name().unwrap_or_default().to_string();
        if let Some(in_force) = self.in_force
            && self.settled
            && self.unchanged(in_force, revision)
        {
            // A commit elsewhere in the repository (another stack's folder): nothing to plan.
            tracing::info!(
                stack, revision = %revision,
                "new revision, nothing changed under {}: in force without a plan", self.stack.spec.path.display()
            );
            self.in_force = Some(revision);
            self.status().revision_in_force = Some(revision.to_string());
            self.publish();
            return false;
        }
        tracing::info!(stack, revision = %revision, "new revision: {}", self.mirror.summary(revision));
        if let Err(err) = self.mirror.checkout(revision) {
            tracing::error!(stack, revision = %revision, error = format!("{err:#}"), "checkout failed");
            self.error("fetch");
            return false;
        }
        let vars = self.stack.spec.vars.clone();
        let checked = config::check(&ConfigArgs { dir: self.config_dir(), vars }, false);
        let named = checked.topology.as_ref().map(|(_, topology)| topology.stack.name.value.clone());
        let refused = match (&named, self.name()) {
            (None, _) => Some(checked.report.trim_end().to_string()),
            (Some(named), Some(followed)) if named != followed => Some(format!(
                "its configuration names stack `{named}`, but this stack is `{followed}`: rename one of them"
            )),
            _ => None,
        };
        if let Some(diagnostics) = refused {
            let in_force = self.in_force.map_or("none".into(), |r| r.to_string());
            tracing::error!(
                stack, revision = %revision, diagnostics,
                "the configuration is invalid: this revision is not applied; {in_force} stays in force"
            );
            let mut status = self.status();
            status.invalid_revisions += 1;
            status.last_invalid_revision = Some(revision.to_string());
            drop(status);
            self.publish();
            return false;
        }
        if !checked.report.is_empty() {
            tracing::warn!(stack, revision = %revision, diagnostics = checked.report.trim_end(), "the configuration has warnings");
        }
        if let Some(named) = named
            && self.stack.name.get().is_none()
        {
            tracing::info!(stack = %named, "the configuration names the stack `{named}`");
            let _ = self.stack.name.set(named.clone());
            self.status().stack = named;
            // Planned once this watcher holds its claim.
            self.seen = None;
            return false;
        }
        self.in_force = Some(revision);
        self.status().revision_in_force = Some(revision.to_string());
        self.reconcile(revision, Reason::Revision);
        true
    }

    /// Whether `revision` has the same files as `in_force` in the stack's folder. A folder whose
    /// configuration reads files (`file(...)`, which may reach outside it) is planned at every
    /// revision.
    fn unchanged(&self, in_force: Oid, revision: Oid) -> bool {
        let path = &self.stack.spec.path;
        self.mirror.tree_at(in_force, path).is_some_and(|tree| Some(tree) == self.mirror.tree_at(revision, path))
            && !self.mirror.iso_files_at(in_force, path).iter().any(|text| text.contains("file("))
    }

    /// Plans the revision in force again: what it finds is drift.
    fn check_drift(&mut self) {
        if let Some(revision) = self.in_force {
            self.reconcile(revision, Reason::Drift);
        }
    }

    /// Plans `revision`; applies the plan when it has changes (or a host tunnel is down) and the
    /// policy is `auto`, then plans again to see the result.
    fn reconcile(&mut self, revision: Oid, reason: Reason) {
        self.settled = false;
        let stack = self.name().unwrap_or_default().to_string();
        if let Err(err) = self.mirror.checkout(revision).and_then(|()| self.take_committed_secrets(&stack)) {
            tracing::error!(stack, revision = %revision, error = format!("{err:#}"), "cannot prepare the revision");
            return self.error("plan");
        }
        // Beside the state, under a name no state document has (and no other watcher's plan).
        let map_file = self.stack.spec.state_dir.join(format!("last-plan-map.{}.json", std::process::id()));
        let map_arg = map_file.display().to_string();
        let planned = self.isopod(&["plan", "--json", "--map", &map_arg]);
        let (changes, down) = match planned.as_ref().map(|output| (output.status.success(), output)) {
            Ok((true, output)) => {
                self.keep(Document::Plan, &String::from_utf8_lossy(&output.stdout));
                if let Ok(map) = std::fs::read_to_string(&map_file) {
                    let _ = std::fs::remove_file(&map_file);
                    self.status().links = links(&map);
                    self.keep(Document::Map, &map);
                }
                (changes(&output.stdout), tunnels_down(&output.stdout))
            }
            Ok((false, output)) => {
                tracing::error!(stack, revision = %revision, output = stderr(output), "plan failed");
                self.status().last_plan = Some(Outcome { at: now(), ok: false });
                self.error("plan");
                return self.publish();
            }
            Err(err) => {
                tracing::error!(stack, error = format!("{err:#}"), "cannot run the plan");
                return self.error("plan");
            }
        };
        {
            let mut status = self.status();
            status.last_plan = Some(Outcome { at: now(), ok: true });
            status.pending_changes = changes.clone();
            if reason == Reason::Drift {
                status.last_drift_check = Some(DriftCheck { at: now(), changes: changes.len() });
            }
        }
        self.publish();
        for tunnel in &down {
            tracing::warn!(stack, revision = %revision, "tunnel down: {tunnel}");
        }
        if changes.is_empty() && down.is_empty() {
            tracing::info!(stack, revision = %revision, "in sync: the live resources match the configuration");
            self.settled = true;
            return;
        }
        let listed = changes.join(", ");
        match reason {
            _ if changes.is_empty() => {}
            Reason::Drift => {
                tracing::warn!(stack, revision = %revision, changes = listed, "drift: {} change(s) needed", changes.len())
            }
            Reason::Revision => {
                tracing::info!(stack, revision = %revision, changes = listed, "plan: {} change(s)", changes.len())
            }
            Reason::Applied => {
                tracing::warn!(stack, revision = %revision, changes = listed, "{} change(s) left after the apply", changes.len())
            }
        }
        if reason == Reason::Applied {
            // Left for the next drift check: an apply that does not converge is not repeated.
            return;
        }
        if self.stack.spec.apply != ApplyPolicy::Auto {
            tracing::info!(stack, revision = %revision, "not applied (--apply never): the plan stays pending");
            self.settled = true;
            return;
        }
        if self.stop.load(Ordering::Relaxed) {
            return;
        }
        if !self.share.follows(&stack) {
            // The claim lapsed during the plan (the database out of reach): another watcher may
            // follow the stack now, and applies it.
            tracing::warn!(stack, revision = %revision, "the claim on the stack was lost: not applied");
            return;
        }
        if self.apply(revision) {
            self.reconcile(revision, Reason::Applied);
        }
    }

    /// Applies `revision` (to its end, even when a signal comes meanwhile); whether it succeeded.
    fn apply(&mut self, revision: Oid) -> bool {
        let stack = self.name().unwrap_or_default().to_string();
        tracing::info!(stack, revision = %revision, "applying");
        // Another process may be applying the stack: wait for it, then plan again.
        let applied = match self.isopod(&["apply", "--yes", "--json", "--lock-timeout", "5m"]) {
            Ok(output) => output,
            Err(err) => {
                tracing::error!(stack, error = format!("{err:#}"), "cannot run the apply");
                self.error("apply");
                return false;
            }
        };
        let events: Vec<serde_json::Value> = String::from_utf8_lossy(&applied.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        for failed in events.iter().filter(|event| event["event"] == "failed") {
            tracing::error!(stack, resource = %failed["id"], error = %failed["error"], "change failed");
        }
        let summary = events.iter().rev().find(|event| !event["summary"].is_null()).map(|e| e["summary"].to_string());
        let ok = applied.status.success();
        self.status().last_apply = Some(Outcome { at: now(), ok });
        if ok {
            self.status().pending_changes.clear();
            tracing::info!(stack, revision = %revision, summary = summary.unwrap_or_default(), "apply succeeded");
        } else {
            tracing::error!(stack, revision = %revision, summary = summary.unwrap_or_default(), output = stderr(&applied), "apply failed; trying again at the next drift check");
            self.error("apply");
        }
        self.publish();
        ok
    }

    /// Writes the stack's status where every watcher's API reads it.
    fn publish(&self) {
        let text = {
            let mut status = self.status();
            status.updated = now();
            status.watcher = super::share::describe(self.share.me());
            serde_json::to_string(&*status).expect("statuses serialize")
        };
        self.keep(Document::Status, &text);
    }

    /// Keeps `document` of the stack in its state.
    fn keep(&self, document: Document, text: &str) {
        let Some(stack) = self.name() else { return };
        if let Err(err) = self.stack.state.replace(stack, document, text) {
            tracing::warn!(stack, error = %err, "cannot keep the stack's {}", document.file_name());
        }
    }

    /// Brings the secrets committed with the configuration into the state's store, where keys
    /// the applies generate are kept (the checkout is replaced at every revision).
    fn take_committed_secrets(&self, stack: &str) -> Result<()> {
        let committed = self.config_dir().join(".isopod/secrets.json");
        if !committed.exists() {
            return Ok(());
        }
        let committed = SecretStore::open_file(committed)?;
        let mut kept = if self.shared {
            SecretStore::open(&self.config_dir(), stack)?
        } else {
            SecretStore::open_file(self.stack.spec.state_dir.join("secrets.json"))?
        };
        if kept.take_from(&committed) > 0 {
            kept.save()?;
        }
        Ok(())
    }

    /// Runs `isopod ARGS` on the configuration of the checkout, with the stack's state folder,
    /// in a process group of its own (a Ctrl-C at the terminal stops the watcher after it, not
    /// the apply in the middle).
    fn isopod(&self, args: &[&str]) -> Result<std::process::Output> {
        use std::os::unix::process::CommandExt as _;
        let mut command = std::process::Command::new(std::env::current_exe()?);
        command.args(args);
        if self.stack.simulate {
            command.arg("--simulate");
        }
        for (name, value) in &self.stack.spec.vars {
            command.arg(format!("--var={name}={value}"));
        }
        command
            .arg(self.config_dir())
            .env(config::STATE_DIR_ENV, &self.stack.spec.state_dir)
            .env("ISOPOD_REVISION", self.in_force.map(|r| r.to_string()).unwrap_or_default())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .process_group(0);
        match &self.stack.shared_state {
            Some(url) => command.env(isopod_state::STATE_ENV, url),
            // The state folder is ISOPOD_STATE_DIR's, whatever the watcher's environment says.
            None => command.env_remove(isopod_state::STATE_ENV),
        };
        command.output().context("cannot start isopod")
    }
}

/// Waits for a trigger until `until` (at most a second, so that a signal is seen); a trigger
/// moves the next fetch to now. Whether a reconcile was asked for.
fn wait(triggered: &Receiver<Trigger>, until: Instant, next_fetch: &mut Instant) -> bool {
    let wait = until.saturating_duration_since(Instant::now()).min(Duration::from_secs(1));
    let Ok(first) = triggered.recv_timeout(wait) else { return false };
    *next_fetch = Instant::now();
    std::iter::once(first).chain(triggered.try_iter()).any(|trigger| trigger == Trigger::Reconcile)
}

/// The links of a map (its JSON) by status.
fn links(map: &str) -> super::metrics::LinkCounts {
    let map: serde_json::Value = serde_json::from_str(map).unwrap_or_default();
    let mut counts = super::metrics::LinkCounts::new();
    for link in map["links"].as_array().into_iter().flatten() {
        *counts.entry(link["status"].as_str().unwrap_or("unknown").to_string()).or_default() += 1;
    }
    counts
}

/// The changes of a plan printed with `--json`: `ACTION KIND.ADDRESS`, no-ops left out.
fn changes(stdout: &[u8]) -> Vec<String> {
    let plan: serde_json::Value = serde_json::from_slice(stdout).unwrap_or_default();
    plan["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|change| change["action"] != "no_op")
        .map(|change| {
            let action = change["action"].as_str().unwrap_or("?");
            format!(
                "{action} {}.{}",
                change["id"]["kind"].as_str().unwrap_or("?"),
                change["id"]["address"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// The host tunnels a plan reported down, read from its JSON (`problems` with the code
/// `iso::plan::host_tunnel_down`), as `host.NAME CONNECTION is down: WHY`: an apply starts them.
fn tunnels_down(stdout: &[u8]) -> Vec<String> {
    let plan: serde_json::Value = serde_json::from_slice(stdout).unwrap_or_default();
    let code = isopod_planner::problem::ProblemCode::HostTunnelDown.as_str();
    plan["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|problem| problem["code"] == code)
        .filter_map(|problem| problem["message"].as_str().map(str::to_string))
        .collect()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_planner::problem::{Problem, ProblemCode};

    #[test]
    fn plans_and_maps_are_read_from_the_child_s_output() {
        let plan = br#"{"format_version":1,"stack":"s","changes":[
            {"id":{"kind":"aws_vpc","address":"app"},"action":"create"},
            {"id":{"kind":"aws_subnet","address":"app.a"},"action":"no_op"}]}"#;
        assert_eq!(changes(plan), ["create aws_vpc.app"]);
        // As `plan --json` lists it.
        let state = isopod_provider::TunnelState {
            scope: isopod_catalog::Scope { cloud: "host.a".into(), region: "local".into() },
            tunnel: "isopod-a-a-b-0".into(),
            up: false,
            detail: "not loaded in charon".into(),
            owner: None,
        };
        let down = crate::stack::tunnel_down_problem(&state);
        let other = Problem::new(ProblemCode::NotPlanned, "tunnel.x is not in this plan: no layout");
        let plan = isopod_planner::Plan { stack: "s".into(), changes: Vec::new() };
        let json = isopod_planner::render::json(&plan, &[other, down.clone()]);
        assert_eq!(tunnels_down(json.as_bytes()), [down.message]);
        let map = r#"{"links":[{"status":"up"},{"status":"down"},{"status":"up"}]}"#;
        assert_eq!(links(map), [("down".into(), 1), ("up".into(), 2)].into_iter().collect());
    }
}
