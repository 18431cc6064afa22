//! `isopod plan`: lower the configuration, discover what is live, and show the difference.

use super::Status;
use crate::cli::PlanArgs;
use crate::stack::{LiveStack, report_secret_problems, secret_problems};
use crate::{config, output};

/// Runs `isopod plan`.
pub fn run(args: PlanArgs) -> anyhow::Result<Status> {
    let Some(live) = LiveStack::open(&args.config, args.simulate, "plan")? else { return Ok(Status::Failure) };
    let (topology, observed) = (&live.topology, &live.observed);
    let rotate = args.rotate.iter().cloned().collect();
    let (plan, desired) = match isopod_planner::plan_rotating(topology, observed, &rotate) {
        Ok(planned) => planned,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(Status::Failure);
        }
    };
    for (object, reason) in &desired.unplanned {
        eprintln!("warning: {object} is not in this plan: {reason}");
    }
    for exceeded in isopod_planner::quota::check_defaults(&desired) {
        eprintln!("warning: {exceeded}");
    }
    report_secret_problems(&secret_problems(&args.config.dir, &desired)?, "warning", "; apply will refuse this plan");
    if plan.deletes_everything() {
        eprintln!("warning: this plan deletes every resource of stack `{}` and creates none", plan.stack);
        eprintln!("hint: check the path; applying it will need an explicit confirmation");
    }
    if let Some(path) = &args.out {
        let configuration = std::path::absolute(&args.config.dir).unwrap_or_else(|_| args.config.dir.clone());
        let saved = isopod_planner::saved::SavedPlan::new(plan.clone(), &desired, observed)
            .made_from(configuration.display().to_string());
        if let Err(err) = config::write_atomically(path, &serde_json::to_string_pretty(&saved)?) {
            eprintln!("error: {err:#}");
            return Ok(Status::Failure);
        }
    }
    if args.json {
        output::line(&isopod_planner::render::json(&plan))?;
    } else {
        output::stdout(&isopod_planner::render::text(&plan))?;
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() { Status::Changes } else { Status::Success })
}
