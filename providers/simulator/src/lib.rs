//! The embedded simulator: AWS, Azure and GCP's network resources modelled in memory, with the
//! constraints of the real APIs that matter to plans (a subnet needs its VPC and must lie inside
//! its range, names are unique where the clouds require it), persisted to a file so that a
//! second run sees what the first created, and counting API calls.
//!
//! It is what the quickstart and most tests run against, with no cloud account. Its [`Knobs`]
//! add latency, a rate limit, throttling, transient faults and asynchronous provisioning.

mod constraints;
mod index;
mod knobs;

pub use knobs::{Knobs, KnobsError};

/// Drives a future of a simulator without knobs (no latency, no provisioning delay), which is
/// ready at its first poll: for tests that call the simulator outside a runtime.
///
/// # Panics
/// When the future is not ready at once (the knobs add waits).
pub fn ready<T>(future: impl std::future::Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("simulator futures without knobs are always ready"),
    }
}

use isopod_catalog::{
    AttrType, Attrs, Cloud, ObservedResource, Ownership, Resource, ResourceKind, Scope, TUNNEL_STATE_KINDS, Value,
};
use isopod_provider::{BoxFuture, Created, ErrorKind, Provider, ProviderError, Provisioning, TunnelState};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The most resources one list call returns (EC2's `MaxResults` ceiling).
pub const PAGE_SIZE: usize = 1000;

/// A live resource of the simulator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SimResource {
    pub provider_id: String,
    pub kind: ResourceKind,
    pub scope: Scope,
    pub attrs: Attrs,
    pub owner: Option<Ownership>,
    /// While the cloud provisions it: when it will be ready, in milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_at_ms: Option<u64>,
}

impl SimResource {
    /// Whether the cloud is still provisioning it.
    pub(crate) fn pending(&self) -> bool {
        self.ready_at_ms.is_some_and(|ready| now_ms() < ready)
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Everything the simulator holds; what is persisted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct State {
    resources: Vec<SimResource>,
    next_id: u64,
    /// API calls made, by operation (`discover`, `create`, ...).
    calls: BTreeMap<String, u64>,
    /// The tunnels taken down ([`Simulator::set_tunnel_down`]), by the cloud id of the resource
    /// that carries them.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    down: BTreeSet<String>,
    /// Lookups over `resources`, rebuilt when loaded and when resources go.
    #[serde(skip)]
    index: index::Index,
}

impl State {
    /// The resources, with their lookups.
    fn live(&self) -> index::Live<'_> {
        index::Live::new(&self.resources, &self.index)
    }

    fn push(&mut self, resource: SimResource) {
        self.index.add(self.resources.len(), &resource);
        self.resources.push(resource);
    }

    /// Replaces the resources (after a deletion or an undone change) and rebuilds the lookups.
    fn set_resources(&mut self, resources: Vec<SimResource>) {
        self.index = index::Index::build(&resources);
        self.resources = resources;
    }
}

/// The simulator of all three clouds; [`Simulator::provider`] gives one cloud's view.
#[derive(Clone, Debug)]
pub struct Simulator {
    state: Arc<Mutex<State>>,
    path: Option<PathBuf>,
    knobs: Knobs,
    chaos: Arc<Mutex<Chaos>>,
}

/// The knobs' running state: the draws, and each cloud's recent calls for the rate limit.
#[derive(Debug)]
struct Chaos {
    draws: StdRng,
    recent: BTreeMap<Cloud, VecDeque<Instant>>,
}

impl Chaos {
    fn new(seed: u64) -> Self {
        Chaos { draws: StdRng::seed_from_u64(seed), recent: BTreeMap::new() }
    }
}

/// How an injected fault strikes a call.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    /// No fault.
    None,
    /// The call's change is made, and then its reply is lost.
    After,
}

/// Why the simulator's file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing the file failed.
    #[error("cannot use the simulator's state {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not the simulator's JSON.
    #[error("the simulator's state {path} is damaged")]
    Format {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

impl Simulator {
    /// A simulator that keeps its state in memory only.
    pub fn in_memory() -> Self {
        Simulator::new(State::default(), None)
    }

    fn new(state: State, path: Option<PathBuf>) -> Self {
        let knobs = Knobs::default();
        let chaos = Arc::new(Mutex::new(Chaos::new(knobs.seed)));
        Simulator { state: Arc::new(Mutex::new(state)), path, knobs, chaos }
    }

    /// The same simulator with `knobs` (latency, rate limit, faults, provisioning durations).
    pub fn with_knobs(mut self, knobs: Knobs) -> Self {
        self.chaos = Arc::new(Mutex::new(Chaos::new(knobs.seed)));
        self.knobs = knobs;
        self
    }

    /// A simulator persisted at `path` (created on the first change).
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let path = path.into();
        let state = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut state: State =
                    serde_json::from_str(&text).map_err(|source| StoreError::Format { path: path.clone(), source })?;
                state.index = index::Index::build(&state.resources);
                state
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(source) => return Err(StoreError::Io { path, source }),
        };
        Ok(Simulator::new(state, Some(path)))
    }

    /// The provider of one cloud, sharing this simulator's state.
    pub fn provider(&self, cloud: Cloud) -> SimulatedCloud {
        SimulatedCloud { simulator: self.clone(), cloud }
    }

    /// How many API calls each operation made so far.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.lock().calls.clone()
    }

    /// Takes the tunnel carried by the resource `provider_id` down (as a peer that stops
    /// answering would), or brings it back up; saves the state. The simulated ends report it in
    /// their tunnel states.
    pub fn set_tunnel_down(&self, provider_id: &str, down: bool) -> Result<(), ProviderError> {
        let mut state = self.lock();
        if down {
            state.down.insert(provider_id.to_string())
        } else {
            state.down.remove(provider_id)
        };
        self.save(&state)
    }

    /// Adds a resource directly, as if someone outside Isopod created it (for tests and demos),
    /// and saves the state.
    pub fn insert_foreign(&self, kind: ResourceKind, scope: Scope, attrs: Attrs) -> Result<String, ProviderError> {
        let mut state = self.lock();
        let provider_id = next_id(&mut state, kind);
        let resource =
            SimResource { provider_id: provider_id.clone(), kind, scope, attrs, owner: None, ready_at_ms: None };
        state.push(resource);
        self.save(&state)?;
        Ok(provider_id)
    }

    /// What the knobs do to a call of `cloud` before it runs: its latency, then throttling (by
    /// the rate limit or by draw) or a fault drawn for it. `changes` tells whether the call
    /// changes anything, which a fault may strike after.
    async fn before_call(&self, cloud: Cloud, changes: bool) -> Result<Fault, ProviderError> {
        if !self.knobs.latency.is_zero() {
            tokio::time::sleep(self.knobs.latency).await;
        }
        let mut chaos = self.chaos.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(limit) = self.knobs.rate_limit {
            let now = Instant::now();
            let recent = chaos.recent.entry(cloud).or_default();
            while recent.front().is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(1)) {
                recent.pop_front();
            }
            if recent.len() >= limit as usize {
                return Err(ProviderError::new(ErrorKind::Throttled, "Rate exceeded (RequestLimitExceeded)"));
            }
            recent.push_back(now);
        }
        if self.knobs.throttle_rate > 0.0 && chaos.draws.random_bool(self.knobs.throttle_rate) {
            return Err(ProviderError::new(ErrorKind::Throttled, "Rate exceeded (injected)"));
        }
        if self.knobs.fault_rate > 0.0 && chaos.draws.random_bool(self.knobs.fault_rate) {
            if changes && chaos.draws.random_bool(0.5) {
                return Ok(Fault::After);
            }
            return Err(ProviderError::new(ErrorKind::Transient, "503 Service Unavailable (injected)"));
        }
        Ok(Fault::None)
    }

    /// When a resource of `kind` created now will be ready, if it takes time.
    fn ready_at(&self, kind: ResourceKind) -> Option<u64> {
        let seconds = kind.provisioning_seconds();
        if seconds == 0 || self.knobs.provisioning_minute.is_zero() {
            return None;
        }
        let real = self.knobs.provisioning_minute.checked_mul(seconds as u32)? / 60;
        Some(now_ms().saturating_add(u64::try_from(real.as_millis()).unwrap_or(u64::MAX)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn save(&self, state: &State) -> Result<(), ProviderError> {
        let Some(path) = &self.path else { return Ok(()) };
        let fail = |err: &dyn std::fmt::Display| {
            ProviderError::new(ErrorKind::Transient, format!("cannot save the simulator's state: {err}"))
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|err| fail(&err))?;
        }
        let text = serde_json::to_string_pretty(state).map_err(|err| fail(&err))?;
        // A temporary file of this process's own, synced, then renamed over the state.
        let temp = path.with_extension(format!("json.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            use std::io::Write as _;
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()
        };
        write().map_err(|err| fail(&err))?;
        std::fs::rename(&temp, path).map_err(|err| fail(&err))
    }
}

/// The outputs the cloud assigns at creation, as the catalogue lists them: addresses from
/// 100.64.0.0/10, one per subnet for a list (an AWS interface endpoint's), and ids of
/// sub-objects.
fn outputs(state: &mut State, resource: &Resource) -> Attrs {
    let mut next = || {
        state.next_id += 1;
        state.next_id
    };
    let address = |n: u64| {
        let n = n as u32 & 0x003f_ffff;
        Value::string(std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(100, 64, 0, 0)) | n).to_string())
    };
    let mut outputs = Attrs::new();
    for output in resource.id.kind.spec().outputs {
        let value = match output.ty {
            AttrType::List(_) => {
                let per_subnet = match resource.attrs.get("subnet_ids") {
                    Some(Value::List(subnets)) => subnets.len(),
                    _ => 1,
                };
                Value::List((0..per_subnet).map(|_| address(next())).collect())
            }
            AttrType::Address => address(next()),
            // An id of a sub-object (a VPC's main route table), named after the output.
            _ => Value::string(format!("{}-{:012x}", output.name.trim_end_matches("_id").replace('_', "-"), next())),
        };
        outputs.insert(output.name.into(), value);
    }
    outputs
}

fn next_id(state: &mut State, kind: ResourceKind) -> String {
    state.next_id += 1;
    format!("{}-{:012x}", kind.name().replace('_', "-"), state.next_id)
}

/// A resource's attributes as discovery shows them: a secret's value never leaves the cloud,
/// as the clouds' own APIs do not return pre-shared keys; only its presence is shown.
fn shown(kind: ResourceKind, attrs: &Attrs) -> Attrs {
    let mut shown = attrs.clone();
    for attr in kind.spec().attrs.iter().filter(|attr| attr.sensitive()) {
        if let Some(value) = shown.get_mut(attr.name) {
            *value = Value::Sensitive("simulator".into());
        }
    }
    shown
}

/// One cloud of the [`Simulator`].
#[derive(Clone, Debug)]
pub struct SimulatedCloud {
    simulator: Simulator,
    cloud: Cloud,
}

impl SimulatedCloud {
    fn count(state: &mut State, operation: &str) {
        *state.calls.entry(operation.to_string()).or_default() += 1;
    }

    fn check_kind(&self, kind: ResourceKind) -> Result<(), ProviderError> {
        if kind.cloud() == self.cloud {
            return Ok(());
        }
        Err(ProviderError::new(ErrorKind::Invalid, format!("{kind} does not belong to {:?}", self.cloud)))
    }
}

impl Provider for SimulatedCloud {
    fn cloud(&self) -> Cloud {
        self.cloud
    }

    /// Each owned resource that carries a tunnel in `scope` (two tunnels per AWS VPN connection,
    /// as AWS's telemetry lists them): up once provisioned, down while provisioning or when taken
    /// down with [`Simulator::set_tunnel_down`].
    fn tunnel_states<'a>(
        &'a self,
        scope: &'a Scope,
        _probe: bool,
    ) -> BoxFuture<'a, Result<Vec<TunnelState>, ProviderError>> {
        Box::pin(async move {
            self.simulator.before_call(self.cloud, false).await?;
            let mut state = self.simulator.lock();
            Self::count(&mut state, "tunnel_states");
            let mut states = Vec::new();
            for &kind in TUNNEL_STATE_KINDS.iter().filter(|kind| kind.cloud() == self.cloud) {
                for resource in state.live().of_kind(kind).filter(|r| r.scope == *scope && r.owner.is_some()) {
                    let (up, detail) = if resource.pending() {
                        (false, "provisioning")
                    } else if state.down.contains(&resource.provider_id) {
                        (false, "DOWN (taken down in the simulator)")
                    } else {
                        (true, "UP")
                    };
                    let tunnels = if kind == ResourceKind::AwsVpnConnection { 2 } else { 1 };
                    for n in 0..tunnels {
                        let tunnel = if tunnels > 1 {
                            format!("{} {n}", resource.provider_id)
                        } else {
                            resource.provider_id.clone()
                        };
                        states.push(TunnelState {
                            scope: scope.clone(),
                            tunnel,
                            up,
                            detail: detail.to_string(),
                            owner: resource.owner.clone(),
                        });
                    }
                }
            }
            Ok(states)
        })
    }

    fn discover<'a>(
        &'a self,
        scope: &'a Scope,
        kinds: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        Box::pin(async move {
            let mut found = Vec::new();
            for &kind in kinds {
                self.check_kind(kind)?;
                // One list call per page, as the clouds' list APIs return at most a page each.
                let mut page = 0;
                loop {
                    self.simulator.before_call(self.cloud, false).await?;
                    let mut state = self.simulator.lock();
                    Self::count(&mut state, "discover");
                    let in_scope: Vec<&SimResource> =
                        state.live().of_kind(kind).filter(|r| r.scope == *scope).collect();
                    let listed: Vec<ObservedResource> = in_scope
                        .iter()
                        .skip(page * PAGE_SIZE)
                        .take(PAGE_SIZE)
                        .map(|r| ObservedResource {
                            provider_id: r.provider_id.clone(),
                            kind: r.kind,
                            scope: r.scope.clone(),
                            attrs: shown(r.kind, &r.attrs),
                            owner: r.owner.clone(),
                        })
                        .collect();
                    let more = in_scope.len() > (page + 1) * PAGE_SIZE;
                    found.extend(listed);
                    if !more {
                        break;
                    }
                    page += 1;
                }
            }
            Ok(found)
        })
    }

    fn create<'a>(
        &'a self,
        resource: &'a Resource,
        owner: &'a Ownership,
    ) -> BoxFuture<'a, Result<Created, ProviderError>> {
        Box::pin(async move {
            self.check_kind(resource.id.kind)?;
            let fault = self.simulator.before_call(self.cloud, true).await?;
            let mut state = self.simulator.lock();
            Self::count(&mut state, "create");
            constraints::check_create(state.live(), resource)?;
            let provider_id = next_id(&mut state, resource.id.kind);
            let outputs = outputs(&mut state, resource);
            let mut attrs = (*resource.attrs).clone();
            attrs.extend(outputs.clone());
            state.push(SimResource {
                provider_id: provider_id.clone(),
                kind: resource.id.kind,
                scope: resource.scope.clone(),
                attrs,
                owner: Some(owner.clone()),
                ready_at_ms: self.simulator.ready_at(resource.id.kind),
            });
            if let Err(err) = self.simulator.save(&state) {
                let mut resources = std::mem::take(&mut state.resources);
                resources.pop();
                state.set_resources(resources);
                return Err(err);
            }
            lost_reply(fault)?;
            Ok(Created { provider_id, outputs })
        })
    }

    fn update<'a>(&'a self, provider_id: &'a str, resource: &'a Resource) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let fault = self.simulator.before_call(self.cloud, true).await?;
            let mut state = self.simulator.lock();
            Self::count(&mut state, "update");
            let position = state
                .index
                .position(provider_id)
                .ok_or_else(|| ProviderError::new(ErrorKind::NotFound, format!("{provider_id} does not exist")))?;
            let live = &mut state.resources[position];
            if live.kind != resource.id.kind {
                return Err(ProviderError::new(
                    ErrorKind::Invalid,
                    format!("{provider_id} is a {}, not a {}", live.kind, resource.id.kind),
                ));
            }
            if live.pending() {
                return Err(ProviderError::new(
                    ErrorKind::Conflict,
                    format!("{provider_id} is still being provisioned"),
                ));
            }
            for name in resource.id.kind.spec().attrs.iter().filter(|attr| attr.replaces).map(|attr| attr.name) {
                if live.attrs.get(name) != resource.attrs.get(name) {
                    return Err(ProviderError::new(
                        ErrorKind::Invalid,
                        format!("`{name}` of {} cannot change in place", resource.id.kind),
                    ));
                }
            }
            // What the cloud filled in at creation (addresses, route tables) stays.
            let before = live.attrs.clone();
            let outputs = live.kind.spec().outputs;
            live.attrs.retain(|name, _| outputs.iter().any(|output| output.name == name));
            live.attrs.extend(resource.attrs.iter().map(|(name, value)| (*name, value.clone())));
            if let Err(err) = self.simulator.save(&state) {
                state.resources[position].attrs = before;
                return Err(err);
            }
            lost_reply(fault)
        })
    }

    fn delete<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        _scope: &'a Scope,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            self.check_kind(kind)?;
            let fault = self.simulator.before_call(self.cloud, true).await?;
            let mut state = self.simulator.lock();
            Self::count(&mut state, "delete");
            if let Some(live) = state.live().by_id(provider_id).filter(|live| live.kind != kind) {
                return Err(ProviderError::new(
                    ErrorKind::Invalid,
                    format!("{provider_id} is a {}, not a {kind}", live.kind),
                ));
            }
            constraints::check_delete(state.live(), provider_id)?;
            let before = state.resources.clone();
            let mut after = before.clone();
            after.retain(|r| r.provider_id != provider_id);
            state.set_resources(after);
            if let Err(err) = self.simulator.save(&state) {
                state.set_resources(before);
                return Err(err);
            }
            lost_reply(fault)
        })
    }

    fn provisioning<'a>(
        &'a self,
        provider_id: &'a str,
        kind: ResourceKind,
        _scope: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>> {
        Box::pin(async move {
            self.check_kind(kind)?;
            self.simulator.before_call(self.cloud, false).await?;
            let mut state = self.simulator.lock();
            Self::count(&mut state, "describe");
            let live = state
                .live()
                .by_id(provider_id)
                .ok_or_else(|| ProviderError::new(ErrorKind::NotFound, format!("{provider_id} does not exist")))?;
            Ok(if live.pending() { Provisioning::Pending } else { Provisioning::Ready })
        })
    }
}

/// The error of a call whose change was made but whose reply an injected fault lost.
fn lost_reply(fault: Fault) -> Result<(), ProviderError> {
    match fault {
        Fault::After => Err(ProviderError::new(ErrorKind::Transient, "request timed out (injected, after the change)")),
        Fault::None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
