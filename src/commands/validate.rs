//! `isopod validate`: load and check a configuration; print a summary or the diagnostics.

use super::Status;
use crate::cli::ValidateArgs;
use crate::{config, output};
use isopod_lang::Topology;

/// Runs `isopod validate`.
pub fn run(args: ValidateArgs) -> anyhow::Result<Status> {
    let Some((sources, topology)) = config::load(&args.config) else { return Ok(Status::Failure) };
    if args.json {
        let files: Vec<&str> = sources.iter().map(|(_, file)| file.name.as_str()).collect();
        let document = serde_json::json!({ "files": files, "topology": topology });
        output::line(&serde_json::to_string_pretty(&document)?)?;
    } else {
        output::line(&summary(&topology))?;
    }
    Ok(Status::Success)
}

/// One line: what the configuration holds.
fn summary(topology: &Topology) -> String {
    let count = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let subnets: usize = topology.networks.iter().map(|n| n.subnets.len()).sum();
    let from_meshes = topology.tunnels.iter().filter(|t| t.mesh.is_some()).count();
    let mut parts = vec![
        count(topology.clouds.len(), "cloud"),
        format!("{} ({})", count(topology.networks.len(), "network"), count(subnets, "subnet")),
    ];
    if !topology.hosts.is_empty() {
        parts.push(count(topology.hosts.len(), "host"));
    }
    let tunnels = count(topology.tunnels.len(), "tunnel");
    parts.push(if from_meshes > 0 { format!("{tunnels} ({from_meshes} from meshes)") } else { tunnels });
    if !topology.endpoints.is_empty() {
        parts.push(count(topology.endpoints.len(), "endpoint"));
    }
    if !topology.relays.is_empty() {
        parts.push(count(topology.relays.len(), "relay"));
    }
    format!("valid: stack `{}` with {}", topology.stack.name.value, parts.join(", "))
}
