//! A configuration's stack as it is live: the checked topology, the provider of each cloud (the
//! embedded simulator with `--simulate`; otherwise the real one of each `cloud` block), and what
//! discovery finds, in every region the configuration uses or the stack had resources in. Shared
//! by `plan`, `apply` and `destroy`.

use crate::cli::ConfigArgs;
use crate::config;
use crate::progress::StepLine;
use crate::scopes::ScopeRecord;
use crate::secret_store::{SecretKey, SecretStore};
use anyhow::Context as _;
use isopod_aws::{AwsProvider, AwsSettings};
use isopod_azure::{AzureProvider, AzureSettings};
use isopod_catalog::{Cloud, ObservedResource, ResourceKind, Scope};
use isopod_gcp::{GcpProvider, GcpSettings};
use isopod_host::provider::{HostProvider, HostSettings};
use isopod_host::transport::{Local, Ssh, Transport};
use isopod_lang::topology::{CloudAccount, CloudKind, Connection};
use isopod_lang::{SourceMap, Topology};
use isopod_planner::problem::{Problem, ProblemCode};
use isopod_planner::secrets::{self, Known, SecretProblem};
use isopod_planner::{Desired, Plan};
use isopod_provider::Provider;
use isopod_provider::retry::{RetryPolicy, retrying};
use isopod_provider::routed::PerCloudBlock;
use isopod_simulator::Simulator;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A stack and what is live of it.
pub struct LiveStack {
    /// The configuration's files, for drawing problems where they are.
    pub sources: SourceMap,
    /// The checked configuration.
    pub topology: Topology,
    /// The provider of each cloud.
    pub providers: BTreeMap<Cloud, Arc<dyn Provider>>,
    /// Everything discovered (of every owner).
    pub observed: Vec<ObservedResource>,
    /// The async runtime the providers run on.
    pub runtime: tokio::runtime::Runtime,
}

impl LiveStack {
    /// Plans the configuration against what is live, giving the secrets `rotate` names new
    /// values; the problems that stopped the plan otherwise.
    pub fn plan(&self, rotate: &BTreeSet<String>) -> Result<(Plan, Desired), Vec<Problem>> {
        let line = StepLine::start(format!("planning against {} live resources", self.observed.len()));
        let mut on_step = |step: isopod_planner::Step| line.set(format!("planning: {}", step.describe()));
        isopod_planner::plan_in_steps(&self.topology, &self.observed, rotate, &mut on_step)
            .map_err(|err| err.problems())
    }

    /// The warnings of a plan made of this stack: what it leaves out, default quotas it exceeds,
    /// and, where `hosts` is set, the host tunnels that are down.
    pub fn warnings(&self, desired: &Desired, plan: &Plan, hosts: bool) -> Vec<Problem> {
        let mut warnings = isopod_planner::problem::warnings(&self.topology, desired);
        if hosts {
            warnings.extend(self.host_tunnels_down(false).iter().map(tunnel_down_problem));
        }
        if plan.deletes_everything() {
            let message = format!("this plan deletes every resource of stack `{}` and creates none", plan.stack);
            let help = "check the path; applying it will need an explicit confirmation";
            warnings.push(Problem::new(ProblemCode::DeletesEverything, message).with_help(help));
        }
        warnings
    }

    /// Reports `problems` on stderr, drawn where they are in the configuration.
    pub fn report(&self, problems: &[Problem]) {
        eprint!(
            "{}",
            crate::diagnostics::render_problems(problems, &self.sources, crate::diagnostics::stderr_colored())
        );
    }

    /// Loads the configuration and discovers what is live, reporting every problem on stderr;
    /// `None` when the command cannot go on.
    pub fn open(args: &ConfigArgs, simulate: bool) -> anyhow::Result<Option<LiveStack>> {
        let Some((sources, topology)) = config::load(args) else { return Ok(None) };
        LiveStack::discover(sources, topology, &args.dir, simulate)
    }

    /// Discovers what is live of a checked configuration whose folder is `dir`, reporting every
    /// problem on stderr; `None` when the command cannot go on.
    pub fn discover(
        sources: SourceMap,
        topology: Topology,
        dir: &std::path::Path,
        simulate: bool,
    ) -> anyhow::Result<Option<LiveStack>> {
        let providers = match providers(&topology, dir, simulate) {
            Ok(providers) => providers,
            Err(err) => {
                eprintln!("error: {err:#}");
                return Ok(None);
            }
        };
        // Timers for retries and waits, sockets for the real clouds' APIs.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let mut record = ScopeRecord::open(dir, &topology.stack.name.value)?;
        let (reach, unreachable) = scopes_to_discover(&topology, record.scopes());
        for scope in &unreachable {
            let block = if scope.cloud.starts_with("host.") { "host" } else { "cloud" };
            eprintln!(
                "warning: stack `{}` had resources in {} {}, whose {block} block is gone: they cannot be planned for deletion",
                topology.stack.name.value, scope.cloud, scope.region
            );
            eprintln!("hint: restore the `{block}` block `{}` until they are deleted", scope.cloud);
        }
        let kinds: usize = reach
            .iter()
            .map(|(cloud, scope)| (cloud, &scope.cloud))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|(cloud, _)| ResourceKind::all().filter(|kind| kind.cloud() == *cloud).count())
            .sum();
        let line = StepLine::start(format!("discovering {kinds} kinds of resources in {} regions", reach.len()));
        let observed = runtime.block_on(discover(&providers, reach));
        drop(line);
        let observed = match observed {
            Ok(observed) => observed,
            Err(err) => {
                eprintln!("error: {err:#}");
                return Ok(None);
            }
        };
        record.update(&topology.stack.name.value, &observed, &unreachable)?;
        Ok(Some(LiveStack { sources, topology, providers, observed, runtime }))
    }

    /// The stack's host tunnels that are down (no established IKE SA with an installed child
    /// SA, or not loaded in charon). With `start`, each is loaded and initiated first, and only
    /// those that stay down are returned, with charon's reason. Hosts that cannot be read are
    /// warned about.
    pub fn host_tunnels_down(&self, start: bool) -> Vec<isopod_provider::TunnelState> {
        let Some(provider) = self.providers.get(&Cloud::Host) else { return Vec::new() };
        let stack = &self.topology.stack.name.value;
        let owned: BTreeSet<&str> = self
            .observed
            .iter()
            .filter(|found| found.kind == ResourceKind::HostIpsecTunnel)
            .filter(|found| found.owner.as_ref().is_some_and(|owner| &owner.stack == stack))
            .map(|found| found.provider_id.as_str())
            .collect();
        let mut down = Vec::new();
        for (_, scope) in configured_scopes(&self.topology).into_iter().filter(|(cloud, _)| *cloud == Cloud::Host) {
            match self.runtime.block_on(provider.tunnel_states(&scope, start)) {
                Ok(states) => down.extend(states.into_iter().filter(|s| !s.up && owned.contains(s.tunnel.as_str()))),
                Err(err) => eprintln!("warning: cannot read the tunnels of {}: {err}", scope.cloud),
            }
        }
        down
    }
}

/// Each tunnel's state as the ends in the configuration's scopes report it (hosts, AWS, GCP,
/// Azure), with why each end that could not be read was not; `probe` starts a host's
/// connections that are down to learn why.
pub fn tunnel_states(
    runtime: &tokio::runtime::Runtime,
    providers: &BTreeMap<Cloud, Arc<dyn Provider>>,
    topology: &Topology,
    probe: bool,
) -> (Vec<isopod_provider::TunnelState>, Vec<anyhow::Error>) {
    let (mut states, mut unread) = (Vec::new(), Vec::new());
    for (cloud, scope) in configured_scopes(topology) {
        let Some(provider) = providers.get(&cloud) else { continue };
        match runtime.block_on(provider.tunnel_states(&scope, probe)) {
            Ok(found) => states.extend(found),
            Err(err) => unread.push(
                anyhow::Error::new(err).context(format!("reading the tunnels of {} {}", scope.cloud, scope.region)),
            ),
        }
    }
    (states, unread)
}

/// The warning of a host tunnel that is down, as `plan` reports it.
pub fn tunnel_down_problem(state: &isopod_provider::TunnelState) -> Problem {
    let help = "`isopod apply` starts it; `isopod status --probe` says why it does not come up";
    Problem::new(ProblemCode::HostTunnelDown, tunnel_down(state)).with_help(help)
}

/// How `plan` and `apply` name a tunnel that is down: `host.NAME CONNECTION is down: WHY` (the
/// watcher reads it back from a plan's warnings).
pub fn tunnel_down(state: &isopod_provider::TunnelState) -> String {
    format!("{} {} is down: {}", state.scope.cloud, state.tunnel, state.detail)
}

/// The provider of an `aws` cloud block: the standard credential chain, with the block's
/// `profile`, `role_arn` and `endpoint`, checked against its `account`.
pub fn aws_provider(cloud: &isopod_lang::topology::Cloud) -> AwsProvider {
    let (account, profile, role_arn) = match &cloud.account {
        CloudAccount::Aws { account, profile, role_arn } => (account.clone(), profile.clone(), role_arn.clone()),
        _ => (None, None, None),
    };
    AwsProvider::new(AwsSettings {
        endpoint: cloud.endpoint.clone(),
        profile,
        role_arn,
        account,
        static_credentials: None,
    })
}

/// The provider of a `gcp` cloud block: Application Default Credentials (or none against an
/// `endpoint` on a machine without them), impersonating the block's service account if it names
/// one.
pub fn gcp_provider(cloud: &isopod_lang::topology::Cloud) -> GcpProvider {
    let (project, impersonate_service_account) = match &cloud.account {
        CloudAccount::Gcp { project, impersonate_service_account } => {
            (project.clone(), impersonate_service_account.clone())
        }
        _ => (String::new(), None),
    };
    GcpProvider::new(GcpSettings {
        project,
        endpoint: cloud.endpoint.clone(),
        impersonate_service_account,
        ..GcpSettings::default()
    })
}

/// The provider of an `azure` cloud block: azure_identity's credential chain (or a fixed test
/// token against an `endpoint` on a machine without credentials), its subscription and the
/// resource group it names.
pub fn azure_provider(cloud: &isopod_lang::topology::Cloud) -> AzureProvider {
    let (subscription, resource_group, tenant) = match &cloud.account {
        CloudAccount::Azure { subscription, resource_group, tenant } => {
            (subscription.clone(), resource_group.clone(), tenant.clone())
        }
        _ => (String::new(), None, None),
    };
    AzureProvider::new(AzureSettings {
        subscription,
        tenant,
        resource_group,
        endpoint: cloud.endpoint.clone(),
        ..AzureSettings::default()
    })
}

/// The provider of each cloud the configuration at `dir` uses: the simulator's with `simulate`,
/// else the real ones ([`real_providers`]).
pub fn providers(
    topology: &Topology,
    dir: &std::path::Path,
    simulate: bool,
) -> anyhow::Result<BTreeMap<Cloud, Arc<dyn Provider>>> {
    Ok(if simulate { simulated(&open_simulator(dir)?) } else { real_providers(topology) })
}

/// The simulator's provider of each cloud.
fn simulated(simulator: &Simulator) -> BTreeMap<Cloud, Arc<dyn Provider>> {
    [Cloud::Aws, Cloud::Azure, Cloud::Gcp, Cloud::Host]
        .into_iter()
        .map(|cloud| (cloud, Arc::new(simulator.provider(cloud)) as Arc<dyn Provider>))
        .collect()
}

/// The real provider of each cloud the configuration uses: one AWS provider per `aws` block,
/// reaching its account with the standard credential chain, its `profile`, `role_arn` and
/// `endpoint`, one Azure provider per `azure` block (one subscription each), one GCP provider
/// per `gcp` block (one project each), and one host provider per host (locally or over SSH).
pub fn real_providers(topology: &Topology) -> BTreeMap<Cloud, Arc<dyn Provider>> {
    let mut aws: BTreeMap<String, Arc<dyn Provider>> = BTreeMap::new();
    let mut azure: BTreeMap<String, Arc<dyn Provider>> = BTreeMap::new();
    let mut gcp: BTreeMap<String, Arc<dyn Provider>> = BTreeMap::new();
    for cloud in &topology.clouds {
        match &cloud.account {
            CloudAccount::Aws { .. } => {
                aws.insert(cloud.id.clone(), Arc::new(aws_provider(cloud)));
            }
            CloudAccount::Gcp { .. } => {
                gcp.insert(cloud.id.clone(), Arc::new(gcp_provider(cloud)));
            }
            CloudAccount::Azure { .. } => {
                azure.insert(cloud.id.clone(), Arc::new(azure_provider(cloud)));
            }
        }
    }
    let mut hosts: BTreeMap<String, Arc<dyn Provider>> = BTreeMap::new();
    for host in &topology.hosts {
        let transport: Box<dyn Transport> = match &host.connection {
            Connection::Local => Box::new(Local),
            Connection::Ssh { host: target, user, port, identity_file } => Box::new(Ssh {
                host: target.clone().unwrap_or_else(|| host.address.value.to_string()),
                user: user.clone(),
                port: *port,
                identity_file: identity_file.clone(),
            }),
        };
        let settings = HostSettings {
            swanctl_dir: host.strongswan.swanctl_dir.clone().into(),
            vici_socket: host.strongswan.vici_socket.clone(),
        };
        hosts.insert(format!("host.{}", host.name), Arc::new(HostProvider::new(settings, transport)));
    }
    BTreeMap::from([
        (Cloud::Aws, Arc::new(PerCloudBlock::new(Cloud::Aws, aws)) as Arc<dyn Provider>),
        (Cloud::Azure, Arc::new(PerCloudBlock::new(Cloud::Azure, azure)) as Arc<dyn Provider>),
        (Cloud::Gcp, Arc::new(PerCloudBlock::new(Cloud::Gcp, gcp)) as Arc<dyn Provider>),
        (Cloud::Host, Arc::new(PerCloudBlock::new(Cloud::Host, hosts)) as Arc<dyn Provider>),
    ])
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

/// The secrets an apply would lack, and (when the key is at hand) the values a cloud would
/// refuse. Values are never printed.
fn secret_problems(dir: &std::path::Path, desired: &isopod_planner::Desired) -> anyhow::Result<Vec<SecretProblem>> {
    let needed = secrets::needed(desired);
    let store = SecretStore::open(dir, &desired.stack)?;
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
    Ok(secrets::problems(&needed, known))
}

/// The secret problems of `desired` as plan problems (warnings; `apply` makes them errors).
pub fn secret_warnings(
    dir: &std::path::Path,
    topology: &Topology,
    desired: &isopod_planner::Desired,
) -> anyhow::Result<Vec<Problem>> {
    Ok(secret_problems(dir, desired)?.iter().map(|problem| problem.problem(topology)).collect())
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
pub fn configured_scopes(topology: &Topology) -> BTreeSet<(Cloud, Scope)> {
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

/// Every resource in `scopes`, with one list call per kind, cloud block and page where the
/// cloud lists every region at once (GCP), per kind, scope and page elsewhere.
async fn discover(
    providers: &BTreeMap<Cloud, Arc<dyn Provider>>,
    scopes: BTreeSet<(Cloud, Scope)>,
) -> anyhow::Result<Vec<ObservedResource>> {
    // The scopes of each cloud block together.
    let mut blocks: BTreeMap<(Cloud, String), Vec<Scope>> = BTreeMap::new();
    for (cloud, scope) in scopes {
        blocks.entry((cloud, scope.cloud.clone())).or_default().push(scope);
    }
    // One discovery per kind and block, all at once, each retried on its own as an SDK retries
    // each call; results are put back in a fixed order.
    let mut calls = tokio::task::JoinSet::new();
    let mut index = 0;
    for ((cloud, block), scopes) in blocks {
        let Some(provider) = providers.get(&cloud) else { continue };
        let scopes = Arc::new(scopes);
        for kind in ResourceKind::all().filter(|k| k.cloud() == cloud) {
            let (provider, scopes, block) = (provider.clone(), scopes.clone(), block.clone());
            calls.spawn(async move {
                let kinds = [kind];
                let found = retrying(&RetryPolicy::default(), || provider.discover_scopes(&scopes, &kinds))
                    .await
                    .with_context(|| format!("discovering {kind} in {block}"));
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
