//! `isopod graph`: the topology map (networks by cloud and region, hosts, and the tunnels,
//! peerings and relays between them) as SVG, DOT or JSON on stdout; with `--live`, coloured by
//! what is live and by the tunnels' states; with `--resources`, the dependency graph of the
//! cloud resources instead.

use super::Status;
use crate::cli::{GraphArgs, GraphFormat};
use crate::stack::LiveStack;
use crate::{config, output, stack};
use isopod_planner::map::TopologyMap;

/// Runs `isopod graph`.
pub fn run(args: GraphArgs) -> anyhow::Result<Status> {
    crate::state::select(args.stored.state.as_deref());
    if args.live {
        return live(&args);
    }
    let Some((_, topology)) = config::load(&args.config) else { return Ok(Status::Failure) };
    // The drawing's shape does not depend on live allocations: plan as if nothing existed.
    let desired = match isopod_planner::lower(&topology, &isopod_planner::Live::default()) {
        Ok(desired) => desired,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(Status::Failure);
        }
    };
    if args.resources {
        let rendered = match args.format {
            GraphFormat::Dot => isopod_planner::render::dot(&desired),
            GraphFormat::Svg => isopod_planner::render::svg(&desired),
            GraphFormat::Json => {
                eprintln!("error: `--resources` draws SVG or DOT; `isopod plan --json` lists the resources");
                return Ok(Status::Failure);
            }
        };
        output::stdout(&rendered)?;
        return Ok(Status::Success);
    }
    print(&TopologyMap::new(&topology, &desired), args.format)
}

/// The map laid over what is live and the states the tunnels' ends report.
fn live(args: &GraphArgs) -> anyhow::Result<Status> {
    let Some(live) = LiveStack::open(&args.config, args.simulate)? else { return Ok(Status::Failure) };
    let desired = match live.plan(&Default::default()) {
        Ok((_, desired)) => desired,
        Err(problems) => {
            live.report(&problems);
            return Ok(Status::Failure);
        }
    };
    let map = live_map(&live, &desired);
    print(&map, args.format)
}

/// The map of `desired` laid over what `live` found, with the states the tunnels' ends report
/// (unreadable ends are warned about on stderr).
pub fn live_map(live: &LiveStack, desired: &isopod_planner::Desired) -> TopologyMap {
    let mut map = TopologyMap::new(&live.topology, desired);
    map.mark_live(desired, &live.observed);
    let (states, unread) = stack::tunnel_states(&live.runtime, &live.providers, &live.topology, false);
    for err in &unread {
        eprintln!("warning: {err:#}; the links it reports are drawn without its states");
    }
    // Only this stack's tunnels: another stack in the same account may use the same names.
    let stack = &live.topology.stack.name.value;
    let ours = states.iter().filter_map(|s| s.owner.as_ref().filter(|o| &o.stack == stack).map(|o| (&o.id, s)));
    map.mark_states(ours.map(|(id, s)| (id, s.up, s.detail.as_str())));
    map
}

fn print(map: &TopologyMap, format: GraphFormat) -> anyhow::Result<Status> {
    let rendered = match format {
        GraphFormat::Svg => isopod_planner::map::svg(map),
        GraphFormat::Dot => isopod_planner::map::dot(map),
        GraphFormat::Json => serde_json::to_string_pretty(map)? + "\n",
    };
    output::stdout(&rendered)?;
    Ok(Status::Success)
}
