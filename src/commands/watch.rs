//! `isopod watch`: follows stacks in git repositories, as Flux or Argo CD follow manifests: one
//! repository given on the command line, or a fleet of them (`--fleet FILE`, `--stack`). Every
//! new commit of a stack is checked, then planned, and applied when its policy says so; a
//! commit whose configuration is invalid is reported and never applied (the last valid one stays
//! in force); on another interval the revision in force is planned again to find drift. With a
//! shared state (PostgreSQL), watchers on several machines share the stacks: each is followed by
//! one watcher at a time, and a dead watcher's stacks are taken over once its claims expire.

use super::Status;
use crate::cli::{LogFormat, WatchArgs};
use crate::watch::follow::Follower;
use crate::watch::metrics::{Metrics, StackStatus};
use crate::watch::share::Share;
use crate::watch::{Followed, Trigger, fleet, server};
use anyhow::{Context as _, Result};
use isopod_apply::{FileLock, Holder, LockError};
use isopod_state::{Alone, Folder, Location, Postgres, StackState, Watchers};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use zeroize::Zeroizing;

/// Runs `isopod watch` until SIGTERM or SIGINT (a second signal stops it at once).
pub fn run(args: WatchArgs) -> Result<Status> {
    crate::state::select(args.stored.state.as_deref());
    start_logging(args.log_format);
    let mut specs = match fleet::stacks(&args) {
        Ok(specs) => specs,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(Status::Failure);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register_conditional_shutdown(signal, 1, stop.clone())?;
        signal_hook::flag::register(signal, stop.clone())?;
    }
    std::fs::create_dir_all(&args.workdir).with_context(|| format!("cannot create {}", args.workdir.display()))?;
    // One watcher per folder: two would fight over the checkouts.
    let me = Holder::this_process("isopod watch");
    let _guard = match FileLock::new(&args.workdir).acquire(&me, Duration::ZERO) {
        Ok(guard) => guard,
        Err(err @ LockError::Held(_)) => {
            tracing::error!("{err}: another watcher uses {}", args.workdir.display());
            return Ok(Status::Failure);
        }
        Err(err) => return Err(err.into()),
    };
    let named = crate::state::named();
    let lease = crate::state::lease()?;
    let shared: Option<Postgres> = match named.as_deref().map(Location::parse) {
        Some(Ok(Location::Postgres(url))) => Some(
            Postgres::connect(&url, lease)
                .with_context(|| format!("cannot use the state {}", isopod_state::redact(&url)))?,
        ),
        Some(Ok(Location::Folder(folder))) => {
            // A folder given as the state is the one stack's state folder.
            if specs.len() > 1 {
                eprintln!("error: a state folder keeps one stack: give each its own with --state-dir, or a database");
                return Ok(Status::Failure);
            }
            specs[0].state_dir = folder;
            None
        }
        Some(Err(err)) => return Err(isopod_state::StateError::Location(err).into()),
        _ => None,
    };
    // Heartbeats on a connection of their own, so that they never queue behind the
    // followers' and the server's statements.
    let watchers: Arc<dyn Watchers> = match &shared {
        Some(database) => Arc::new(Postgres::connect(&database.url(), lease)?),
        None => Arc::new(Alone),
    };
    let share = Arc::new(Share::new(watchers.clone(), me));
    let mut triggers = Vec::new();
    let stacks: Vec<Arc<Followed>> = specs
        .into_iter()
        .map(|spec| {
            let (trigger, triggered) = std::sync::mpsc::channel();
            triggers.push(triggered);
            let state: Arc<dyn StackState> = match &shared {
                Some(database) => Arc::new(database.clone()),
                None => Arc::new(Folder::new(spec.state_dir.clone())),
            };
            let name = OnceLock::new();
            if let Some(known) = &spec.name {
                let _ = name.set(known.clone());
            }
            let status = StackStatus {
                stack: spec.name.clone().unwrap_or_default(),
                repository: fleet::shown(&spec.repository),
                branch: spec.branch.clone(),
                path: spec.path.display().to_string(),
                apply: spec.apply.as_str().into(),
                ..StackStatus::default()
            };
            Arc::new(Followed {
                spec,
                name,
                status: Mutex::new(status),
                state,
                shared_state: shared.as_ref().map(|database| database.url()),
                simulate: args.simulate,
                trigger,
                tick: Default::default(),
            })
        })
        .collect();
    let metrics = Arc::new(Mutex::new(Metrics::default()));
    if let Some(address) = &args.listen {
        let secret = webhook_secret(&args)?;
        if secret.is_none() {
            tracing::warn!(
                "no webhook secret (--webhook-secret-file or ISOPOD_WEBHOOK_SECRET): every delivery will be refused"
            );
        }
        let slowest = stacks.iter().map(|s| s.spec.interval).max().unwrap_or_default();
        let settings = server::Settings {
            secret,
            api_token: api_token(&args)?,
            stacks: stacks.clone(),
            share: share.clone(),
            metrics: metrics.clone(),
            stale: slowest * 3 + Duration::from_secs(60),
        };
        let bound = server::start(address, settings)?;
        tracing::info!(address = %bound, "serving /webhook, /healthz, /metrics, /api/v1/ and the web view");
    }
    for stack in &stacks {
        let spec = &stack.spec;
        tracing::info!(
            stack = spec.name.as_deref().unwrap_or("(named by its configuration)"),
            repository = %fleet::shown(&spec.repository), branch = %spec.branch, path = %spec.path.display(),
            apply = ?spec.apply, "watching every {}s, drift every {}s",
            spec.interval.as_secs(), spec.drift_interval.as_secs()
        );
    }
    if let Some(announced) = watchers.announcements() {
        let stacks = stacks.clone();
        std::thread::spawn(move || {
            for message in announced {
                let Some((trigger, name)) = Trigger::announced(&message) else { continue };
                if let Some(stack) = stacks.iter().find(|s| s.name.get().is_some_and(|n| n == name)) {
                    let _ = stack.trigger.send(trigger);
                }
            }
        });
    }
    let mut followers = Vec::new();
    for (stack, triggered) in stacks.iter().zip(triggers) {
        let follower = Follower::new(stack.clone(), share.clone(), shared.is_some(), stop.clone())?;
        followers.push(std::thread::spawn(move || follower.run(triggered)));
    }
    // Once stopping, each stack is given back as its follower ends its round; the watcher
    // leaves when every follower has ended.
    let followers_done = Arc::new(AtomicBool::new(false));
    let sharing = {
        let (share, stopping, done, stacks) = (share.clone(), stop.clone(), followers_done.clone(), stacks.clone());
        let names = move || stacks.iter().filter_map(|s| s.name.get().cloned()).collect();
        std::thread::spawn(move || share.run(names, lease / 3, &stopping, &done))
    };
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(250));
    }
    // Every round in flight ends (an apply runs to its end), then the stacks are given back.
    for follower in followers {
        let _ = follower.join();
    }
    followers_done.store(true, Ordering::Relaxed);
    let _ = sharing.join();
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

/// The first line of `file`, or of the file an environment variable names, or `variable`'s
/// value itself (`env_is_file`: the variable names a file).
fn first_line(file: Option<&std::path::Path>, variable: &str, env_is_file: bool) -> Result<Option<String>> {
    let text = match file {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
        None => match std::env::var(variable) {
            Ok(value) if env_is_file => {
                std::fs::read_to_string(&value).with_context(|| format!("cannot read {value} ({variable})"))?
            }
            Ok(value) => value,
            Err(_) => return Ok(None),
        },
    };
    let text = Zeroizing::new(text);
    let line = text.lines().next().unwrap_or("").trim();
    Ok((!line.is_empty()).then(|| line.to_string()))
}

/// The webhook's secret: the file's first line, or `ISOPOD_WEBHOOK_SECRET`.
fn webhook_secret(args: &WatchArgs) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let secret = first_line(args.webhook_secret_file.as_deref(), "ISOPOD_WEBHOOK_SECRET", false)
        .context("the webhook secret")?;
    Ok(secret.map(|secret| Zeroizing::new(secret.into_bytes())))
}

/// The API's token: the first line of `--api-token-file`, or of the file `ISOPOD_API_TOKEN_FILE`
/// names.
fn api_token(args: &WatchArgs) -> Result<Option<Zeroizing<String>>> {
    let token = first_line(args.api_token_file.as_deref(), "ISOPOD_API_TOKEN_FILE", true).context("the API token")?;
    Ok(token.map(Zeroizing::new))
}
