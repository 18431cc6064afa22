//! `isopod graph`: the dependency graph of the configuration's resources, as DOT or SVG on
//! stdout.

use super::Status;
use crate::cli::{GraphArgs, GraphFormat};
use crate::{config, output};

/// Runs `isopod graph`.
pub fn run(args: GraphArgs) -> anyhow::Result<Status> {
    let Some((_, topology)) = config::load(&args.config) else { return Ok(Status::Failure) };
    // The graph's shape does not depend on live allocations: plan as if nothing existed.
    match isopod_planner::lower(&topology, &isopod_planner::Live::default()) {
        Ok(desired) => {
            let rendered = match args.format {
                GraphFormat::Dot => isopod_planner::render::dot(&desired),
                GraphFormat::Svg => isopod_planner::render::svg(&desired),
            };
            output::stdout(&rendered)?;
            Ok(Status::Success)
        }
        Err(err) => {
            eprintln!("error: {err}");
            Ok(Status::Failure)
        }
    }
}
