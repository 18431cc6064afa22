//! `isopod plan`: lower the configuration, discover what is live, and show the difference.

use super::Status;
use crate::cli::PlanArgs;
use crate::stack::{LiveStack, secret_warnings};
use crate::{config, output};

/// Runs `isopod plan`, once or, with `--watch`, after every save.
pub fn run(args: PlanArgs) -> anyhow::Result<Status> {
    crate::state::select(args.stored.state.as_deref());
    if args.watch { watch(&args) } else { plan_once(&args) }
}

/// Plans, then plans again after every change to the configuration's `.iso` files (debounced:
/// an editor's save is often several writes), until interrupted.
fn watch(args: &PlanArgs) -> anyhow::Result<Status> {
    use notify_debouncer_mini::notify::RecursiveMode;
    let dir = config::config_dir(&args.config.dir).to_path_buf();
    let (events, changes) = std::sync::mpsc::channel();
    let mut debouncer = notify_debouncer_mini::new_debouncer(std::time::Duration::from_millis(300), events)?;
    debouncer.watcher().watch(&dir, RecursiveMode::NonRecursive)?;
    loop {
        plan_once(args)?;
        eprintln!("watching {} for changes to .iso files (Ctrl-C to stop)", dir.display());
        let changed = loop {
            match changes.recv() {
                Ok(Ok(events)) => {
                    let mut names: Vec<String> = events
                        .iter()
                        .filter(|event| event.path.extension().is_some_and(|e| e == "iso"))
                        .filter_map(|event| Some(event.path.file_name()?.to_string_lossy().into_owned()))
                        .collect();
                    names.sort();
                    names.dedup();
                    if !names.is_empty() {
                        break names;
                    }
                }
                Ok(Err(err)) => eprintln!("warning: watching {}: {err}", dir.display()),
                Err(_) => return Ok(Status::Success),
            }
        };
        println!("\n--- {} changed: planning again\n", changed.join(", "));
    }
}

/// Plans once.
fn plan_once(args: &PlanArgs) -> anyhow::Result<Status> {
    let Some(live) = LiveStack::open(&args.config, args.simulate)? else { return Ok(Status::Failure) };
    let observed = &live.observed;
    let rotate = args.rotate.iter().cloned().collect();
    let (plan, desired) = match live.plan(&rotate) {
        Ok(planned) => planned,
        Err(problems) => {
            live.report(&problems);
            if args.json {
                output::line(&isopod_planner::render::json_problems(&problems))?;
            }
            return Ok(Status::Failure);
        }
    };
    let mut problems = live.warnings(&desired, &plan, true);
    problems.extend(secret_warnings(&args.config.dir, &live.topology, &desired)?);
    live.report(&problems);
    let Some(cost) = super::cost::cost_change(&args.config, &args.traffic, &live.topology, observed, &desired)? else {
        return Ok(Status::Failure);
    };
    if let Some(path) = &args.out {
        let configuration = std::path::absolute(&args.config.dir).unwrap_or_else(|_| args.config.dir.clone());
        let saved = isopod_planner::saved::SavedPlan::new(plan.clone(), &desired, observed)
            .made_from(configuration.display().to_string());
        if let Err(err) = config::write_atomically(path, &serde_json::to_string_pretty(&saved)?) {
            eprintln!("error: {err:#}");
            return Ok(Status::Failure);
        }
    }
    if let Some(path) = &args.map {
        let map = super::graph::live_map(&live, &desired);
        if let Err(err) = config::write_atomically(path, &serde_json::to_string_pretty(&map)?) {
            eprintln!("error: {err:#}");
            return Ok(Status::Failure);
        }
    }
    if args.json {
        let mut document: serde_json::Value = serde_json::from_str(&isopod_planner::render::json(&plan, &problems))?;
        document["cost"] = serde_json::to_value(cost)?;
        output::line(&serde_json::to_string_pretty(&document)?)?;
    } else {
        output::stdout(&format!("{}\n{}\n", isopod_planner::render::text(&plan), cost.lines()))?;
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() { Status::Changes } else { Status::Success })
}
