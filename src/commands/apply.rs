//! `isopod apply` and `isopod destroy`: plan, show, confirm, then carry the changes out under
//! the stack lock, with a journal, generated keys stored first, and progress as it goes.

use super::Status;
use crate::cli::{ApplyArgs, ChangeArgs, ConfigArgs, DestroyArgs};
use crate::progress::Progress;
use crate::scopes::ScopeRecord;
use crate::secret_store::{SecretKey, SecretStore};
use crate::stack::{LiveStack, secret_warnings};
use crate::{config, output};
use anyhow::{Context as _, Result};
use isopod_apply::{Context, Holder, LockError, Operations, Settings};
use isopod_planner::problem::Problem;
use isopod_planner::saved::SavedPlan;
use isopod_planner::{Desired, Plan, secrets};
use std::collections::BTreeMap;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Runs `isopod apply`: of the configuration at `DIR`, or of the saved plan `DIR` names (a file
/// that is not `.iso`), whose configuration it records.
pub fn run(mut args: ApplyArgs) -> Result<Status> {
    let positional_plan = args.config.dir.is_file() && args.config.dir.extension().is_none_or(|ext| ext != "iso");
    if positional_plan {
        let path = args.config.dir.clone();
        let saved = read_saved(&path)?;
        let Some(configuration) = saved.configuration else {
            eprintln!("error: {} does not say where its configuration is", path.display());
            eprintln!("hint: pass it as `isopod apply --plan {} DIR`", path.display());
            return Ok(Status::Failure);
        };
        args.config.dir = configuration.into();
        args.plan = Some(path);
    }
    let rotate = args.rotate.iter().cloned().collect();
    change(&args.config, &args.change, Goal::Configuration { saved: args.plan.as_deref(), rotate: &rotate })
}

/// The saved plan at `path`.
fn read_saved(path: &Path) -> Result<SavedPlan> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a plan saved by `isopod plan --out`", path.display()))
}

/// Runs `isopod destroy`.
pub fn destroy(args: DestroyArgs) -> Result<Status> {
    change(&args.config, &args.change, Goal::Nothing)
}

/// What the live resources should become.
enum Goal<'a> {
    /// What the configuration describes (checked against a saved plan, if one is given).
    Configuration {
        /// A saved plan to apply.
        saved: Option<&'a Path>,
        /// Secrets to rotate.
        rotate: &'a std::collections::BTreeSet<String>,
    },
    /// Nothing: every resource of the stack deleted.
    Nothing,
}

impl Goal<'_> {
    fn command(&self) -> &'static str {
        match self {
            Goal::Configuration { .. } => "apply",
            Goal::Nothing => "destroy",
        }
    }
}

fn change(config_args: &ConfigArgs, args: &ChangeArgs, goal: Goal<'_>) -> Result<Status> {
    let command = goal.command();
    if !config_args.dir.exists() {
        eprintln!("error: {} does not exist", config_args.dir.display());
        return Ok(Status::Failure);
    }
    crate::state::select(args.stored.state.as_deref());
    let Some((sources, topology)) = config::load(config_args) else { return Ok(Status::Failure) };
    let stack = topology.stack.name.value.clone();
    let state = crate::state::open(&config_args.dir)?;
    let started = std::time::SystemTime::now();
    let lease = match state.acquire(&stack, &Holder::this_process(&format!("isopod {command}")), args.lock_timeout) {
        Ok(lease) => lease,
        Err(err @ LockError::Held(_)) => {
            eprintln!("error: {err}");
            eprintln!("hint: wait for it to finish, or pass `--lock-timeout 10m` to wait here");
            return Ok(Status::Failure);
        }
        Err(err) => return Err(err.into()),
    };
    let in_flight = state.unfinished(&stack)?;
    if !in_flight.is_empty() {
        eprintln!("warning: the previous apply stopped with {} call(s) in flight:", in_flight.len());
        for (id, call) in &in_flight {
            eprintln!("  {call:?} {id}");
        }
        eprintln!("hint: this run plans again from what is live, and looks for what they may have created first");
    }
    let Some(live) = LiveStack::discover(sources, topology, &config_args.dir, args.simulate)? else {
        return Ok(Status::Failure);
    };
    let Some((plan, desired)) = plan_for(&live, &goal)? else { return Ok(Status::Failure) };
    if plan.is_empty() {
        // Whatever a stopped run left in flight is settled: found live, or not needed.
        state.clear_journal(&stack, lease.as_ref()).context("cannot remove the journal")?;
        if !args.json {
            output::line("No changes: the live resources match the configuration.")?;
        }
        if matches!(goal, Goal::Configuration { .. }) && still_held(lease.as_ref()) {
            start_down_tunnels(&live);
        }
        return Ok(Status::Success);
    }
    if matches!(goal, Goal::Configuration { .. }) && plan.deletes_everything() {
        eprintln!("error: this plan deletes every resource of stack `{}` and creates none", plan.stack);
        eprintln!("hint: check the path; to delete everything the stack owns, run `isopod destroy`");
        return Ok(Status::Failure);
    }
    let plan_hidden = args.json || (args.quiet && args.yes);
    if !plan_hidden {
        output::stdout(&isopod_planner::render::text(&plan))?;
    }
    // Missing or refused keys stop the apply before it asks; keys are generated once it may go on.
    let problems = secret_warnings(&config_args.dir, &live.topology, &desired)?;
    if !problems.is_empty() {
        live.report(&problems.into_iter().map(Problem::as_error).collect::<Vec<_>>());
        return Ok(Status::Failure);
    }
    if !confirmed(args, command)? {
        return Ok(Status::Failure);
    }
    let Some(secrets) = secrets_for(&live, &config_args.dir, &desired)? else { return Ok(Status::Failure) };
    // Calls left in flight before and planned again stay open until this run settles them.
    let carried: Vec<_> = in_flight
        .iter()
        .filter(|(id, _)| plan.changes.iter().any(|c| &c.id == id && c.action != isopod_planner::Action::NoOp))
        .cloned()
        .collect();
    let journal = state.start_journal(&stack, lease.as_ref(), &carried).context("cannot start the journal")?;
    // Where this run makes changes is recorded first: a run killed part-way must not lose the
    // reach into a region the configuration may drop before the next run.
    ScopeRecord::open(&config_args.dir, &plan.stack)?
        .remember(plan.changes.iter().map(|change| change.scope.clone()))?;
    let progress = Arc::new(Progress::new(args.json, args.quiet));
    let context = Context {
        stack: plan.stack.clone(),
        providers: live.providers.clone(),
        // Untaggable resources under the addresses the plan gives them, for their outputs.
        observed: Arc::new(isopod_planner::adopted(&desired, &live.observed)),
        secrets: Arc::new(move |name: &str| secrets.get(name).map(|value| value.to_string())),
        in_flight: Arc::new(in_flight.into_iter().map(|(id, _)| id).collect()),
        journal: Some(journal.clone() as Arc<dyn isopod_apply::Journal>),
        events: {
            let progress = progress.clone();
            Arc::new(move |event| progress.event(event))
        },
    };
    let settings =
        Settings { parallelism: args.parallelism.into(), rate_limit: args.rate_limit, ..Settings::default() };
    let operations = Operations::new(&plan.changes, &desired, &live.observed);
    let summary = live.runtime.block_on(isopod_apply::execute(operations, &context, &settings));
    drop(context);
    if let Err(err) = journal.close() {
        eprintln!("warning: cannot remove the journal: {err}");
    }
    record_run(state.as_ref(), &stack, command, started, &summary);
    progress.summary(&summary, command);
    if summary.succeeded() && matches!(goal, Goal::Configuration { .. }) && still_held(lease.as_ref()) {
        start_down_tunnels(&live);
    }
    Ok(if summary.succeeded() { Status::Success } else { Status::Failure })
}

/// Whether the run still holds the stack, so that it may change the hosts' tunnels; says so
/// when it does not.
fn still_held(lease: &dyn isopod_state::StackLease) -> bool {
    if lease.is_lost() {
        eprintln!("warning: the stack's lease was lost: the host tunnels that are down are left to its new holder");
    }
    !lease.is_lost()
}

/// Adds this run to the stack's history (`ISOPOD_REVISION` names the revision a watcher runs);
/// a history that cannot be written is a warning, never a failed apply.
fn record_run(
    state: &dyn isopod_state::StackState,
    stack: &str,
    command: &str,
    started: std::time::SystemTime,
    summary: &isopod_apply::Summary,
) {
    let seconds = |at: std::time::SystemTime| at.duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let run = isopod_state::Run {
        command: command.to_string(),
        revision: std::env::var("ISOPOD_REVISION").ok().filter(|r| !r.is_empty()),
        started: seconds(started),
        finished: seconds(std::time::SystemTime::now()),
        succeeded: summary.succeeded(),
        summary: serde_json::to_value(summary).expect("summaries serialize"),
    };
    if let Err(err) = state.record_run(stack, &run) {
        eprintln!("warning: cannot record the run in the stack's history: {err}");
    }
}

/// Starts the stack's host tunnels that are down (a charon restarted, a peer back after an
/// outage); says which came up, and why the others stay down (a peer down is not Isopod's to
/// fix, so it is a warning).
fn start_down_tunnels(live: &LiveStack) {
    let down = live.host_tunnels_down(false);
    if down.is_empty() {
        return;
    }
    let still = live.host_tunnels_down(true);
    for started in down.iter().filter(|d| !still.iter().any(|s| s.scope == d.scope && s.tunnel == d.tunnel)) {
        eprintln!("started {} {}, which was down", started.scope.cloud, started.tunnel);
    }
    let problems: Vec<Problem> = still
        .iter()
        .map(|down| {
            let mut problem = crate::stack::tunnel_down_problem(down);
            problem.message.push_str(" (still, after starting it)");
            problem
        })
        .collect();
    live.report(&problems);
}

/// The plan toward `goal`, with the desired resources; `None` when it cannot be made (said why).
fn plan_for(live: &LiveStack, goal: &Goal<'_>) -> Result<Option<(Plan, Desired)>> {
    let (topology, observed) = (&live.topology, &live.observed);
    let (plan, desired) = match goal {
        Goal::Nothing => {
            let desired = Desired { stack: topology.stack.name.value.clone(), ..Desired::default() };
            let plan = Plan::new(&desired, isopod_planner::diff(&desired, observed), observed)?;
            (plan, desired)
        }
        Goal::Configuration { saved, rotate } => {
            let (plan, desired) = match live.plan(rotate) {
                Ok(planned) => planned,
                Err(problems) => {
                    live.report(&problems);
                    return Ok(None);
                }
            };
            if let Some(path) = saved {
                let saved = read_saved(path)?;
                let check = saved.check(&desired, observed).and_then(|()| {
                    // Same inputs, another plan: made by another version of Isopod.
                    if saved.plan == plan { Ok(()) } else { Err(isopod_planner::saved::Stale::Planner) }
                });
                if let Err(stale) = check {
                    eprintln!("error: the saved plan {} no longer applies: {stale}", path.display());
                    eprintln!("hint: make a new plan with `isopod plan --out`, review it, and apply that");
                    return Ok(None);
                }
            }
            // Host tunnels that are down are started by the apply itself (and reported after it).
            live.report(&live.warnings(&desired, &plan, false));
            (plan, desired)
        }
    };
    Ok(Some((plan, desired)))
}

/// The values of the secrets `desired` needs, generating and storing the missing `tunnel/` keys
/// first; `None` when a named secret is missing or a cloud would refuse one (said why).
fn secrets_for(live: &LiveStack, dir: &Path, desired: &Desired) -> Result<Option<BTreeMap<String, Zeroizing<String>>>> {
    let needed = secrets::needed(desired);
    if needed.is_empty() {
        return Ok(Some(BTreeMap::new()));
    }
    let key = SecretKey::load(true)?;
    let mut store = SecretStore::open(dir, &desired.stack)?;
    let revealed = store.reveal_all(&key)?;
    let mut values: BTreeMap<String, String> =
        revealed.iter().map(|(name, value)| (name.clone(), value.to_string())).collect();
    let mut rng = rand::rand_core::UnwrapErr(rand::rngs::SysRng);
    match secrets::complete(&needed, &mut values, &mut rng) {
        Ok(generated) => {
            for name in &generated {
                store.set(&key, name, &values[name])?;
            }
            if !generated.is_empty() {
                store.save()?;
                eprintln!("generated and stored {} pre-shared key(s)", generated.len());
            }
        }
        Err(problems) => {
            let problems: Vec<Problem> =
                problems.iter().map(|problem| problem.problem(&live.topology).as_error()).collect();
            live.report(&problems);
            return Ok(None);
        }
    }
    Ok(Some(values.into_iter().map(|(name, value)| (name, Zeroizing::new(value))).collect()))
}

/// Whether to go on: `--yes`, or `yes` typed at the terminal.
fn confirmed(args: &ChangeArgs, command: &str) -> Result<bool> {
    if args.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        eprintln!("error: standard input is not a terminal, so `isopod {command}` cannot ask for confirmation");
        eprintln!("hint: pass `--yes` to {command} without asking");
        return Ok(false);
    }
    eprint!("Do you want to {command} these changes? Only `yes` is accepted: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() == "yes" {
        return Ok(true);
    }
    eprintln!("{command} cancelled; nothing was changed");
    Ok(false)
}
