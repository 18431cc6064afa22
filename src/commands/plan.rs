//! `isopod plan`: lower the configuration, discover what is live, and show the difference.

use super::Status;
use crate::cli::PlanArgs;
use crate::scopes::ScopeRecord;
use crate::secret_store::{SecretKey, SecretStore};
use crate::{config, output};
use anyhow::Context as _;
use isopod_lang::Topology;
use isopod_lang::topology::CloudKind;
use isopod_planner::resource::{Cloud, ObservedResource, ResourceKind, Scope};
use isopod_planner::secrets::{self, Known};
use isopod_provider::retry::{RetryPolicy, retrying};
use isopod_provider::{Provider, Simulator};
use std::collections::BTreeSet;

/// Runs `isopod plan`.
pub fn run(args: PlanArgs) -> anyhow::Result<Status> {
    let Some((_, topology)) = config::load(&args.config) else { return Ok(Status::Failure) };
    if !args.simulate {
        eprintln!("error: the AWS, Azure and GCP providers are not available yet");
        eprintln!("hint: plan against the embedded simulator with `isopod plan --simulate`");
        return Ok(Status::Failure);
    }
    let simulator = match open_simulator(&args.config.dir) {
        Ok(simulator) => simulator,
        Err(err) => {
            eprintln!("error: {err:#}");
            return Ok(Status::Failure);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("cannot start the async runtime")?;
    let mut record = ScopeRecord::open(&args.config.dir);
    let (reach, unreachable) = scopes_to_discover(&topology, record.scopes());
    for scope in &unreachable {
        let block = if scope.cloud.starts_with("host.") { "host" } else { "cloud" };
        eprintln!(
            "warning: stack `{}` had resources in {} {}, whose {block} block is gone: they cannot be planned for deletion",
            topology.stack.name.value, scope.cloud, scope.region
        );
        eprintln!("hint: restore the `{block}` block `{}` until they are deleted", scope.cloud);
    }
    let observed = match runtime.block_on(discover(&simulator, reach)) {
        Ok(observed) => observed,
        Err(err) => {
            eprintln!("error: {err:#}");
            return Ok(Status::Failure);
        }
    };
    record.update(&topology.stack.name.value, &observed, &unreachable)?;
    let (plan, desired) = match isopod_planner::plan(&topology, &observed) {
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
    warn_about_secrets(&args.config.dir, &desired)?;
    if plan.deletes_everything() {
        eprintln!("warning: this plan deletes every resource of stack `{}` and creates none", plan.stack);
        eprintln!("hint: check the path; applying it will need an explicit confirmation");
    }
    if let Some(path) = &args.out {
        let saved = isopod_planner::saved::SavedPlan::new(plan.clone(), &desired, &observed);
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

/// The simulator whose state is kept beside the configuration, with the knobs of
/// `ISOPOD_SIMULATOR` (latency, rate limit, faults, provisioning durations).
fn open_simulator(dir: &std::path::Path) -> anyhow::Result<Simulator> {
    let simulator = Simulator::open(config::state_dir(dir).join("simulator.json"))?;
    Ok(match std::env::var("ISOPOD_SIMULATOR") {
        Ok(text) => simulator.with_knobs(text.parse()?),
        Err(_) => simulator,
    })
}

/// Warns about the secrets an apply would lack, and (when the key is at hand) the values a
/// cloud would refuse. Values are never printed.
fn warn_about_secrets(dir: &std::path::Path, desired: &isopod_planner::Desired) -> anyhow::Result<()> {
    let needed = secrets::needed(desired);
    let store = SecretStore::open(dir)?;
    let values = match SecretKey::load(false) {
        Ok(key) if needed.keys().any(|name| store.contains(name)) => match store.reveal_all(&key) {
            Ok(values) => Some(values),
            Err(err) => {
                eprintln!("warning: {err:#}");
                None
            }
        },
        _ => None,
    };
    let known = |name: &str| match (&values, store.contains(name)) {
        (_, false) => Known::Unset,
        (Some(values), true) => Known::Value(values[name].as_str()),
        (None, true) => Known::Sealed,
    };
    for problem in secrets::problems(&needed, known) {
        eprintln!("warning: {problem}; apply will refuse this plan");
        if let secrets::SecretProblem::Missing(name) = &problem {
            eprintln!("hint: set it with `isopod secret set {name}`");
        }
    }
    Ok(())
}

/// Where to look: every region the configuration uses, and every recorded one whose cloud block
/// still exists; and the recorded ones that cannot be reached, their cloud block gone.
fn scopes_to_discover(topology: &Topology, recorded: &BTreeSet<Scope>) -> (BTreeSet<(Cloud, Scope)>, BTreeSet<Scope>) {
    let mut scopes = configured_scopes(topology);
    let mut unreachable = BTreeSet::new();
    for scope in recorded {
        let block = topology.clouds.iter().find(|cloud| cloud.id == scope.cloud);
        let host = topology.hosts.iter().any(|host| format!("host.{}", host.name) == scope.cloud);
        match block {
            Some(cloud) => {
                scopes.insert((planner_cloud(cloud.kind), scope.clone()));
            }
            None if host => {}
            None => {
                unreachable.insert(scope.clone());
            }
        }
    }
    (scopes, unreachable)
}

/// The regions the configuration uses, with the global scopes of its GCP and Azure clouds.
fn configured_scopes(topology: &Topology) -> BTreeSet<(Cloud, Scope)> {
    let mut scopes: BTreeSet<(Cloud, Scope)> = BTreeSet::new();
    for cloud in &topology.clouds {
        let kind = planner_cloud(cloud.kind);
        scopes.insert((kind, Scope { cloud: cloud.id.clone(), region: cloud.region.value.clone() }));
        // GCP networks, Azure private DNS zones: global resources.
        if matches!(kind, Cloud::Gcp | Cloud::Azure) {
            scopes.insert((kind, Scope { cloud: cloud.id.clone(), region: "global".into() }));
        }
    }
    for network in &topology.networks {
        let scope = Scope { cloud: network.cloud.clone(), region: network.region.value.clone() };
        scopes.insert((planner_cloud(network.kind), scope));
    }
    for host in &topology.hosts {
        scopes.insert((Cloud::Host, Scope { cloud: format!("host.{}", host.name), region: "local".into() }));
    }
    scopes
}

/// Every resource in `scopes`, with one list call per kind, scope and page.
async fn discover(simulator: &Simulator, scopes: BTreeSet<(Cloud, Scope)>) -> anyhow::Result<Vec<ObservedResource>> {
    // One list call per kind and scope, all at once, each retried on its own as an SDK retries
    // each call; results are put back in a fixed order.
    let mut calls = tokio::task::JoinSet::new();
    let mut index = 0;
    for (cloud, scope) in scopes {
        for kind in ResourceKind::ALL.iter().copied().filter(|k| k.cloud() == cloud) {
            let (provider, scope) = (simulator.provider(cloud), scope.clone());
            calls.spawn(async move {
                let kinds = [kind];
                let found = retrying(&RetryPolicy::default(), || provider.discover(&scope, &kinds))
                    .await
                    .with_context(|| format!("discovering {kind} in {} {}", scope.cloud, scope.region));
                (index, found)
            });
            index += 1;
        }
    }
    let mut results = calls.join_all().await;
    results.sort_by_key(|(index, _)| *index);
    let mut observed = Vec::new();
    for (_, found) in results {
        observed.extend(found?);
    }
    Ok(observed)
}

fn planner_cloud(kind: CloudKind) -> Cloud {
    match kind {
        CloudKind::Aws => Cloud::Aws,
        CloudKind::Azure => Cloud::Azure,
        CloudKind::Gcp => Cloud::Gcp,
    }
}
