//! `isopod flows`: read the flow logs, attribute them to the configuration, show who talks to
//! whom.

use super::Status;
use super::cost::{Priced, load_traffic};
use crate::cli::FlowsArgs;
use crate::output;

/// Runs `isopod flows`.
pub fn run(args: FlowsArgs) -> anyhow::Result<Status> {
    if args.source.flows.is_empty() {
        eprintln!("error: no flow logs: name them with --flows FILE_OR_FOLDER (repeatable)");
        return Ok(Status::Failure);
    }
    let Some(priced) = Priced::load(&args.config, None)? else { return Ok(Status::Failure) };
    let Some(traffic) = load_traffic(&priced, &args.source)? else { return Ok(Status::Failure) };
    if args.json {
        output::line(&serde_json::to_string_pretty(&isopod_cost::render::flows_json(&traffic))?)?;
    } else {
        output::stdout(&isopod_cost::render::flows_text(&traffic))?;
    }
    Ok(Status::Success)
}
