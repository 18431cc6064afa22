//! `isopod watch`: follows one branch of a git repository, as Flux or Argo CD follow manifests.
//! Every new commit is checked, then planned, and applied when `--apply auto` says so; a commit
//! whose configuration is invalid is reported and never applied (the last valid one stays in
//! force); on another interval the revision in force is planned again to find drift. Plans and
//! applies run as child processes of the same binary, with the state folder kept outside the
//! checkout so that it outlives every revision.

use super::Status;
use crate::cli::{ApplyPolicy, ConfigArgs, LogFormat, WatchArgs};
use crate::config;
use crate::secret_store::SecretStore;
use crate::watch::git::Mirror;
use crate::watch::metrics::{Metrics, now};
use crate::watch::server;
use anyhow::{Context as _, Result};
use git2::Oid;
use isopod_apply::{FileLock, Holder, LockError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Runs `isopod watch` until SIGTERM or SIGINT (a second signal stops it at once).
pub fn run(args: WatchArgs) -> Result<Status> {
    crate::state::select(args.stored.state.as_deref());
    start_logging(args.log_format);
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register_conditional_shutdown(signal, 1, stop.clone())?;
        signal_hook::flag::register(signal, stop.clone())?;
    }
    std::fs::create_dir_all(&args.workdir).with_context(|| format!("cannot create {}", args.workdir.display()))?;
    // One watcher per folder: two would fight over the checkout.
    let lock = FileLock::new(&args.workdir);
    let _guard = match lock.acquire(&Holder::this_process("isopod watch"), Duration::ZERO) {
        Ok(guard) => guard,
        Err(err @ LockError::Held(_)) => {
            tracing::error!("{err}: another watcher uses {}", args.workdir.display());
            return Ok(Status::Failure);
        }
        Err(err) => return Err(err.into()),
    };
    let state = args.state_dir.clone().unwrap_or_else(|| args.workdir.join("state"));
    std::fs::create_dir_all(&state)?;
    let mirror = Mirror::open(&args.workdir.join("checkout"), &args.repository, &args.branch)?;
    let metrics = Arc::new(Mutex::new(Metrics::default()));
    let (trigger, triggered) = std::sync::mpsc::channel();
    if let Some(address) = &args.listen {
        let secret = webhook_secret(&args)?;
        if secret.is_none() {
            tracing::warn!(
                "no webhook secret (--webhook-secret-file or ISOPOD_WEBHOOK_SECRET): every delivery will be refused"
            );
        }
        let stale = args.interval * 3 + Duration::from_secs(60);
        let settings =
            server::Settings { secret, branch: args.branch.clone(), trigger, metrics: metrics.clone(), stale };
        let bound = server::start(address, settings)?;
        tracing::info!(address = %bound, "serving /webhook, /healthz and /metrics");
    }
    tracing::info!(
        repository = %args.repository, branch = %args.branch, path = %args.path.display(),
        apply = ?args.apply, "watching every {}s, drift every {}s",
        args.interval.as_secs(), args.drift_interval.as_secs()
    );
    let mut watcher = Watcher {
        args: &args,
        mirror,
        state,
        metrics,
        seen: None,
        in_force: None,
        stack: String::new(),
        stop: stop.clone(),
    };
    let drift_on = !args.drift_interval.is_zero();
    let mut next_fetch = Instant::now();
    let mut next_drift = Instant::now() + args.drift_interval;
    while !stop.load(Ordering::Relaxed) {
        watcher.metrics.lock().expect("metrics lock").last_tick = Some(now());
        if Instant::now() >= next_fetch {
            watcher.fetch();
            next_fetch = Instant::now() + args.interval;
        }
        if drift_on && Instant::now() >= next_drift {
            watcher.check_drift();
            next_drift = Instant::now() + args.drift_interval;
        }
        let next = if drift_on { next_fetch.min(next_drift) } else { next_fetch };
        let wait = next.saturating_duration_since(Instant::now()).min(Duration::from_secs(1));
        if triggered.recv_timeout(wait).is_ok() {
            next_fetch = Instant::now();
        }
    }
    tracing::info!("stopped by a signal; nothing was left in flight");
    Ok(Status::Success)
}

fn start_logging(format: LogFormat) {
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_max_level(tracing::Level::INFO);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).init(),
        LogFormat::Text => builder.with_target(false).with_ansi(crate::diagnostics::stderr_colored()).init(),
    }
}

/// The webhook's secret: the file's first line, or `ISOPOD_WEBHOOK_SECRET`.
fn webhook_secret(args: &WatchArgs) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let text = match &args.webhook_secret_file {
        Some(path) => Zeroizing::new(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the webhook secret {}", path.display()))?,
        ),
        None => match std::env::var("ISOPOD_WEBHOOK_SECRET") {
            Ok(text) => Zeroizing::new(text),
            Err(_) => return Ok(None),
        },
    };
    let secret = text.lines().next().unwrap_or("").trim();
    Ok((!secret.is_empty()).then(|| Zeroizing::new(secret.as_bytes().to_vec())))
}

/// The watcher between rounds.
struct Watcher<'a> {
    args: &'a WatchArgs,
    mirror: Mirror,
    /// The state folder of every plan and apply (`ISOPOD_STATE_DIR`).
    state: PathBuf,
    metrics: Arc<Mutex<Metrics>>,
    /// The last revision fetched.
    seen: Option<Oid>,
    /// The last valid revision: the one applied and checked for drift.
    in_force: Option<Oid>,
    /// The stack the revision in force configures.
    stack: String,
    stop: Arc<AtomicBool>,
}

/// Why a revision is planned.
#[derive(Clone, Copy, PartialEq)]
enum Reason {
    /// It is new.
    Revision,
    /// To find drift.
    Drift,
}

impl Watcher<'_> {
    fn metrics(&self) -> std::sync::MutexGuard<'_, Metrics> {
        self.metrics.lock().expect("metrics lock")
    }

    fn error(&self, stage: &'static str) {
        *self.metrics().errors.entry(stage).or_default() += 1;
    }

    /// The configuration's folder in the checkout.
    fn config_dir(&self) -> PathBuf {
        self.mirror.workdir().join(&self.args.path)
    }

    /// Fetches; a new revision is checked, then planned (and applied, by the policy).
    fn fetch(&mut self) {
        let revision = match self.mirror.fetch() {
            Ok(revision) => revision,
            Err(err) => {
                tracing::error!(
                    error = format!("{err:#}"),
                    "fetch failed; trying again in {}s",
                    self.args.interval.as_secs()
                );
                return self.error("fetch");
            }
        };
        self.metrics().last_fetch = Some(now());
        if self.seen == Some(revision) {
            return;
        }
        self.seen = Some(revision);
        self.metrics().revision_seen = Some(revision.to_string());
        tracing::info!(revision = %revision, "new revision: {}", self.mirror.summary(revision));
        if let Err(err) = self.mirror.checkout(revision) {
            tracing::error!(revision = %revision, error = format!("{err:#}"), "checkout failed");
            return self.error("fetch");
        }
        let checked = config::check(&ConfigArgs { dir: self.config_dir(), vars: self.args.vars.clone() }, false);
        if checked.topology.is_none() {
            let in_force = self.in_force.map_or("none".into(), |r| r.to_string());
            tracing::error!(
                revision = %revision, diagnostics = checked.report.trim_end(),
                "the configuration is invalid: this revision is not applied; {in_force} stays in force"
            );
            self.metrics().invalid_revisions += 1;
            return;
        }
        if !checked.report.is_empty() {
            tracing::warn!(revision = %revision, diagnostics = checked.report.trim_end(), "the configuration has warnings");
        }
        self.in_force = Some(revision);
        if let Some((_, topology)) = &checked.topology {
            self.stack = topology.stack.name.value.clone();
        }
        self.metrics().revision_in_force = Some(revision.to_string());
        self.reconcile(revision, Reason::Revision);
    }

    /// Plans the revision in force again: what it finds is drift.
    fn check_drift(&mut self) {
        if let Some(revision) = self.in_force {
            self.reconcile(revision, Reason::Drift);
        }
    }

    /// Plans `revision`; applies the plan when it has changes (or a host tunnel is down) and the
    /// policy is `auto`.
    fn reconcile(&mut self, revision: Oid, reason: Reason) {
        if let Err(err) = self.mirror.checkout(revision).and_then(|()| self.take_committed_secrets(&self.stack)) {
            tracing::error!(revision = %revision, error = format!("{err:#}"), "cannot prepare the revision");
            return self.error("plan");
        }
        let planned = self.isopod(&["plan", "--json"]);
        let (changes, down) = match planned.as_ref().map(|output| (output.status.success(), output)) {
            Ok((true, output)) => (changes(&output.stdout), tunnels_down(&output.stdout)),
            Ok((false, output)) => {
                tracing::error!(revision = %revision, output = stderr(output), "plan failed");
                self.metrics().last_plan = Some((now(), false));
                return self.error("plan");
            }
            Err(err) => {
                tracing::error!(error = format!("{err:#}"), "cannot run the plan");
                return self.error("plan");
            }
        };
        {
            let mut metrics = self.metrics();
            metrics.last_plan = Some((now(), true));
            metrics.pending_changes = changes.len();
            if reason == Reason::Drift {
                metrics.last_drift_check = Some((now(), changes.len()));
            }
        }
        for tunnel in &down {
            tracing::warn!(revision = %revision, "tunnel down: {tunnel}");
        }
        if changes.is_empty() && down.is_empty() {
            tracing::info!(revision = %revision, "in sync: the live resources match the configuration");
            return;
        }
        let listed = changes.join(", ");
        match reason {
            _ if changes.is_empty() => {}
            Reason::Drift => {
                tracing::warn!(revision = %revision, changes = listed, "drift: {} change(s) needed", changes.len())
            }
            Reason::Revision => {
                tracing::info!(revision = %revision, changes = listed, "plan: {} change(s)", changes.len())
            }
        }
        if self.args.apply != ApplyPolicy::Auto {
            tracing::info!(revision = %revision, "not applied (--apply never): the plan stays pending");
            return;
        }
        if self.stop.load(Ordering::Relaxed) {
            return;
        }
        self.apply(revision);
    }

    /// Applies `revision` (to its end, even when a signal comes meanwhile).
    fn apply(&mut self, revision: Oid) {
        tracing::info!(revision = %revision, "applying");
        // Another watcher sharing the state folder may be applying: wait for it, then plan again.
        let applied = match self.isopod(&["apply", "--yes", "--json", "--lock-timeout", "5m"]) {
            Ok(output) => output,
            Err(err) => {
                tracing::error!(error = format!("{err:#}"), "cannot run the apply");
                return self.error("apply");
            }
        };
        let events: Vec<serde_json::Value> = String::from_utf8_lossy(&applied.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        for failed in events.iter().filter(|event| event["event"] == "failed") {
            tracing::error!(resource = %failed["id"], error = %failed["error"], "change failed");
        }
        let summary = events.iter().rev().find(|event| !event["summary"].is_null()).map(|e| e["summary"].to_string());
        let ok = applied.status.success();
        self.metrics().last_apply = Some((now(), ok));
        if ok {
            self.metrics().pending_changes = 0;
            tracing::info!(revision = %revision, summary = summary.unwrap_or_default(), "apply succeeded");
        } else {
            tracing::error!(revision = %revision, summary = summary.unwrap_or_default(), output = stderr(&applied), "apply failed; trying again at the next drift check");
            self.error("apply");
        }
    }

    /// Brings the secrets committed with the configuration into the state folder's store, where
    /// keys the applies generate are kept (the checkout is replaced at every revision).
    fn take_committed_secrets(&self, stack: &str) -> Result<()> {
        let committed = self.config_dir().join(".isopod/secrets.json");
        if !committed.exists() {
            return Ok(());
        }
        let committed = SecretStore::open_file(committed)?;
        let mut kept = if crate::state::is_shared(&self.config_dir())? {
            SecretStore::open(&self.config_dir(), stack)?
        } else {
            SecretStore::open_file(self.state.join("secrets.json"))?
        };
        if kept.take_from(&committed) > 0 {
            kept.save()?;
        }
        Ok(())
    }

    /// Runs `isopod ARGS` on the configuration of the checkout, with the watcher's state folder,
    /// in a process group of its own (a Ctrl-C at the terminal stops the watcher after it, not
    /// the apply in the middle).
    fn isopod(&self, args: &[&str]) -> Result<std::process::Output> {
        use std::os::unix::process::CommandExt as _;
        let mut command = std::process::Command::new(std::env::current_exe()?);
        command.args(args);
        if self.args.simulate {
            command.arg("--simulate");
        }
        for (name, value) in &self.args.vars {
            command.arg(format!("--var={name}={value}"));
        }
        command
            .arg(self.config_dir())
            .env(config::STATE_DIR_ENV, &self.state)
            .env("ISOPOD_REVISION", self.in_force.map(|r| r.to_string()).unwrap_or_default())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .process_group(0);
        if let Some(url) = &self.args.stored.state {
            command.env(isopod_state::STATE_ENV, url);
        }
        command.output().context("cannot start isopod")
    }
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
    fn plans_are_read_from_the_child_s_output() {
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
    }
}
