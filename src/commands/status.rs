//! `isopod status`: whether each tunnel is up, as the ends that run them report it: a host's
//! strongSwan (its IKE and child SAs), AWS (each VPN tunnel's telemetry), Azure (each
//! connection's `connectionStatus`) and GCP (each VPN tunnel's status and each Cloud Router BGP
//! session's); or, with `--simulate`, the simulator's ends.

use super::Status;
use crate::cli::StatusArgs;
use crate::{config, stack};

/// Runs `isopod status`: exit 0 when every reported tunnel is up, 2 when one is not.
pub fn run(args: StatusArgs) -> anyhow::Result<Status> {
    let Some((_, topology)) = config::load(&args.config) else { return Ok(Status::Failure) };
    let providers = stack::providers(&topology, &args.config.dir, args.simulate)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (states, mut unread) = stack::tunnel_states(&runtime, &providers, &topology, args.probe);
    if !unread.is_empty() {
        return Err(unread.remove(0));
    }
    if states.is_empty() {
        println!("No tunnel reports its state: nothing is applied yet, or its ends do not report one.");
        return Ok(Status::Success);
    }
    let width = states.iter().map(|s| s.scope.cloud.len() + s.tunnel.len() + 1).max().unwrap_or(0);
    for state in &states {
        let name = format!("{} {}", state.scope.cloud, state.tunnel);
        let up = if state.up { "up  " } else { "DOWN" };
        println!("{name:width$}  {up}  {}", state.detail);
    }
    let down = states.iter().filter(|s| !s.up).count();
    println!("\n{} tunnel(s) up, {down} down.", states.len() - down);
    Ok(if down == 0 { Status::Success } else { Status::Changes })
}
