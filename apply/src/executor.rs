//! Runs the calls of a plan: each as soon as the calls it waits for are done, through a
//! [`Gate`] (at most `parallelism` provider calls in flight, a rate per cloud); outputs passed on; asynchronous provisioning awaited; throttled and
//! transient errors retried; after a failure, what depends on it is skipped and the rest goes on.
//!
//! Idempotent: a creation whose outcome is unknown (a transient error after the call, or a call
//! the journal shows in flight when a previous run stopped) first looks for a resource that
//! already carries its ownership and adopts it instead of creating a second one.

use crate::gate::Gate;
use crate::journal::Journal;
use isopod_catalog::{Attrs, Cloud, ObservedResource, OutputRef, Ownership, Resource, ResourceId, ResourceKind, Scope};
use isopod_planner::order::{Call, Operation, Operations};
use isopod_provider::retry::{RetryPolicy, retrying};
use isopod_provider::{ErrorKind, Provider, ProviderError, Provisioning};
use petgraph::Direction;
use petgraph::graph::NodeIndex;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the executor runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The most provider calls in flight at once (a resource being provisioned holds no place).
    pub parallelism: usize,
    /// The most calls started per second to each cloud; `None` for no limit.
    pub rate_limit: Option<u32>,
    /// How calls are retried.
    pub retry: RetryPolicy,
    /// How long a resource may stay pending after its call.
    pub provisioning_timeout: fn(ResourceKind) -> Duration,
    /// The first wait between two looks at a pending resource (it grows to 15 s).
    pub first_poll: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            parallelism: 8,
            rate_limit: None,
            retry: RetryPolicy::default(),
            provisioning_timeout: default_provisioning_timeout,
            first_poll: Duration::from_secs(2),
        }
    }
}

/// Twice what the cloud documents for the kind, and at least 10 minutes: an Azure VPN gateway
/// (45 minutes or more) gets 90.
pub fn default_provisioning_timeout(kind: ResourceKind) -> Duration {
    let documented = kind.provisioning_seconds();
    Duration::from_secs((documented * 2).max(600))
}

/// What happened to one call, as it happens.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The call started.
    Started {
        /// The resource.
        id: ResourceId,
        /// The call.
        call: Call,
    },
    /// The call was made; the cloud is provisioning the resource.
    Provisioning {
        /// The resource.
        id: ResourceId,
    },
    /// The call succeeded (and the resource is ready).
    Finished {
        /// The resource.
        id: ResourceId,
        /// The call.
        call: Call,
        /// Its cloud id.
        provider_id: Option<String>,
        /// Whether an existing resource with its ownership was adopted instead of created.
        adopted: bool,
        /// Seconds since the call started.
        seconds: f64,
    },
    /// The call failed for good.
    Failed {
        /// The resource.
        id: ResourceId,
        /// The call.
        call: Call,
        /// The provider's error (never holding a secret).
        error: String,
        /// Seconds since the call started.
        seconds: f64,
    },
    /// The call was not made: a call it waits for failed.
    Skipped {
        /// The resource.
        id: ResourceId,
        /// The call.
        call: Call,
        /// The failed resource it waited for.
        because: ResourceId,
    },
}

/// What an apply did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Resources created.
    pub created: usize,
    /// Resources updated in place.
    pub updated: usize,
    /// Resources replaced.
    pub replaced: usize,
    /// Resources deleted.
    pub deleted: usize,
    /// Calls that failed.
    pub failed: usize,
    /// Calls skipped because one they waited for failed.
    pub skipped: usize,
    /// Wall time in seconds.
    pub seconds: f64,
}

impl Summary {
    /// Whether everything was applied.
    pub fn succeeded(&self) -> bool {
        self.failed == 0 && self.skipped == 0
    }
}

/// Looks up a secret's value by name.
pub type Secrets = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What the executor works with.
#[derive(Clone)]
pub struct Context {
    /// The stack whose ownership created resources carry.
    pub stack: String,
    /// The provider of each cloud.
    pub providers: BTreeMap<Cloud, Arc<dyn Provider>>,
    /// The live resources the plan was made from (for the outputs of what is not changed).
    pub observed: Arc<Vec<ObservedResource>>,
    /// Secret values, for pre-shared keys.
    pub secrets: Secrets,
    /// Resources whose creation a previous run left in flight: looked for before creating.
    pub in_flight: Arc<BTreeSet<ResourceId>>,
    /// The journal of this run.
    /// The journal of this run; a write it refuses ([`crate::Fenced`]) stops the run before its
    /// next call.
    pub journal: Option<Arc<dyn Journal>>,
    /// Called with every event.
    pub events: Arc<dyn Fn(&Event) + Send + Sync>,
}

/// Why a call failed; `unsure` when the call may have taken effect (a create whose reply was
/// lost), which the journal keeps open for the next run.
#[derive(Clone, Debug)]
struct CallError {
    message: String,
    unsure: bool,
}

impl CallError {
    fn new(message: impl Into<String>) -> Self {
        CallError { message: message.into(), unsure: false }
    }
}

/// A live resource as the calls need it.
#[derive(Clone, Debug)]
struct LiveResource {
    provider_id: String,
    scope: Scope,
    outputs: Attrs,
}

/// What the calls share: the resources whose cloud id and outputs are known, and those known to
/// be provisioned.
#[derive(Default)]
struct Shared {
    known: Mutex<HashMap<ResourceId, LiveResource>>,
    ready: Mutex<HashSet<ResourceId>>,
    /// Why the journal refused an entry (the run lost the stack's lease): no other call starts.
    fenced: Mutex<Option<String>>,
    /// Per kind, and whether deleting: the shortest the cloud has taken in this run to finish
    /// its asynchronous work after one of this run's creates or deletes (as the due time of the
    /// look that saw it finished, so at most one interval between looks late).
    took: Mutex<HashMap<(ResourceKind, bool), Duration>>,
}

impl Shared {
    fn known(&self, id: &ResourceId) -> Option<LiveResource> {
        self.known.lock().expect("not poisoned").get(id).cloned()
    }

    fn fence(&self, lost: crate::Fenced) {
        self.fenced.lock().expect("not poisoned").get_or_insert(lost.to_string());
    }

    fn fenced(&self) -> Option<String> {
        self.fenced.lock().expect("not poisoned").clone()
    }

    /// The shortest time the cloud has taken for `kind` (`gone`: to delete one) in this run.
    fn took(&self, kind: ResourceKind, gone: bool) -> Option<Duration> {
        self.took.lock().expect("not poisoned").get(&(kind, gone)).copied()
    }

    /// Records that the cloud took `time` for one of `kind`.
    fn learn(&self, kind: ResourceKind, gone: bool, time: Duration) {
        let mut took = self.took.lock().expect("not poisoned");
        let shortest = took.entry((kind, gone)).or_insert(time);
        *shortest = (*shortest).min(time);
    }
}

/// Runs every call of `operations`; returns the summary.
pub async fn execute(operations: Operations, context: &Context, settings: &Settings) -> Summary {
    let started = Instant::now();
    let graph = Arc::new(operations.graph);
    let shared = Arc::new(Shared::default());
    {
        // The copy a plan keeps of a duplicated resource is the one with the lowest cloud id.
        let mut owned: Vec<&ObservedResource> =
            context.observed.iter().filter(|r| r.owned_by(&context.stack).is_some()).collect();
        owned.sort_by(|a, b| a.provider_id.cmp(&b.provider_id));
        let mut known = shared.known.lock().expect("not poisoned");
        for resource in owned {
            let id = resource.owned_by(&context.stack).expect("filtered").clone();
            known.entry(id).or_insert_with(|| LiveResource {
                provider_id: resource.provider_id.clone(),
                scope: resource.scope.clone(),
                outputs: resource.attrs.clone(),
            });
        }
    }
    let mut waiting: Vec<usize> =
        graph.node_indices().map(|node| graph.neighbors_directed(node, Direction::Incoming).count()).collect();
    let priority = Arc::new(crate::priority::priorities(&graph, settings.rate_limit.is_some()));
    // Ready calls start by priority (then in plan order).
    let key = |node: NodeIndex| (std::cmp::Reverse(priority[node.index()]), node);
    let mut ready: BTreeSet<(std::cmp::Reverse<u64>, NodeIndex)> =
        graph.node_indices().filter(|node| waiting[node.index()] == 0).map(key).collect();
    let mut done: Vec<bool> = vec![false; graph.node_count()];
    let mut summary = Summary::default();
    // Replacements whose old resource is gone: deleted, unless the new one is made.
    let mut half_replaced: BTreeSet<ResourceId> = BTreeSet::new();
    let gate = Arc::new(Gate::new(settings.parallelism, settings.rate_limit));
    let mut calls = tokio::task::JoinSet::new();
    let mut tasks: HashMap<tokio::task::Id, NodeIndex> = HashMap::new();
    loop {
        // Once the journal refuses an entry, the calls in flight finish and no other starts.
        if shared.fenced().is_some() {
            ready.clear();
        }
        while let Some((_, node)) = ready.pop_first() {
            let (graph, shared, context, settings) = (graph.clone(), shared.clone(), context.clone(), settings.clone());
            let (gate, priority) = (gate.clone(), priority[node.index()]);
            let task = calls.spawn(async move {
                let gate = Prioritised { gate: &gate, priority };
                run(&graph[node], &shared, &context, &settings, gate).await
            });
            tasks.insert(task.id(), node);
        }
        let Some(joined) = calls.join_next_with_id().await else { break };
        let (node, result) = match joined {
            Ok((id, result)) => (tasks[&id], result),
            Err(err) => {
                // A call that panicked (a bug) fails like any other, and says so.
                let node = tasks[&err.id()];
                let operation = &graph[node];
                let error = format!("internal error: {err}");
                if let Some(journal) = &context.journal
                    && let Err(lost) = journal.failed(operation)
                {
                    shared.fence(lost);
                }
                (context.events)(&Event::Failed {
                    id: operation.id.clone(),
                    call: operation.call,
                    error: error.clone(),
                    seconds: 0.0,
                });
                (node, Err(CallError::new(error)))
            }
        };
        done[node.index()] = true;
        let operation = &graph[node];
        match result {
            Ok(()) => {
                match (operation.call, operation.replacement) {
                    (Call::Create, true) => {
                        half_replaced.remove(&operation.id);
                        summary.replaced += 1;
                    }
                    (Call::Create, false) => summary.created += 1,
                    (Call::Update, _) => summary.updated += 1,
                    (Call::Delete, true) => {
                        half_replaced.insert(operation.id.clone());
                    }
                    (Call::Delete, false) => summary.deleted += 1,
                }
                for next in graph.neighbors_directed(node, Direction::Outgoing) {
                    waiting[next.index()] -= 1;
                    if waiting[next.index()] == 0 && !done[next.index()] {
                        ready.insert(key(next));
                    }
                }
            }
            Err(_) => {
                summary.failed += 1;
                // Everything downstream is skipped, once.
                let mut stack: Vec<NodeIndex> = graph.neighbors_directed(node, Direction::Outgoing).collect();
                while let Some(next) = stack.pop() {
                    if std::mem::replace(&mut done[next.index()], true) {
                        continue;
                    }
                    ready.remove(&key(next));
                    summary.skipped += 1;
                    let skipped = &graph[next];
                    (context.events)(&Event::Skipped {
                        id: skipped.id.clone(),
                        call: skipped.call,
                        because: operation.id.clone(),
                    });
                    stack.extend(graph.neighbors_directed(next, Direction::Outgoing));
                }
            }
        }
    }
    // A replacement whose new resource was not made has only deleted the old one.
    summary.deleted += half_replaced.len();
    // Without a lost lease the graph (which has no circle) ran or skipped every call; should one
    // ever be left, it is counted as failed rather than passed over in silence.
    for node in graph.node_indices().filter(|node| !done[node.index()]) {
        summary.failed += 1;
        let operation = &graph[node];
        let error = match &shared.fenced() {
            Some(reason) => format!("not made: {reason}"),
            None => "it waits for calls that wait for it".to_string(),
        };
        (context.events)(&Event::Failed { id: operation.id.clone(), call: operation.call, error, seconds: 0.0 });
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary
}

/// One call, with its journal entries and events.
async fn run(
    operation: &Operation,
    shared: &Shared,
    context: &Context,
    settings: &Settings,
    gate: Prioritised<'_>,
) -> Result<(), CallError> {
    let started = Instant::now();
    (context.events)(&Event::Started { id: operation.id.clone(), call: operation.call });
    if let Some(journal) = &context.journal
        && let Err(lost) = journal.started(operation)
    {
        let error = format!("not made: {lost}");
        shared.fence(lost);
        (context.events)(&Event::Failed {
            id: operation.id.clone(),
            call: operation.call,
            error: error.clone(),
            seconds: 0.0,
        });
        return Err(CallError::new(error));
    }
    let result = call(operation, shared, context, settings, gate).await;
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok((provider_id, adopted)) => {
            // A refused entry after the call: the call is made; the next one is not.
            if let Some(journal) = &context.journal
                && let Err(lost) = journal.finished(operation, provider_id.as_deref())
            {
                shared.fence(lost);
            }
            (context.events)(&Event::Finished {
                id: operation.id.clone(),
                call: operation.call,
                provider_id,
                adopted,
                seconds,
            });
            Ok(())
        }
        Err(err) => {
            // A creation that may have happened stays open in the journal, for the next run
            // to look for before creating again.
            if let (Some(journal), false) = (&context.journal, err.unsure)
                && let Err(lost) = journal.failed(operation)
            {
                shared.fence(lost);
            }
            let error = err.message.clone();
            (context.events)(&Event::Failed { id: operation.id.clone(), call: operation.call, error, seconds });
            Err(err)
        }
    }
}

/// The provider call itself: the cloud id of the resource, and whether it was adopted.
async fn call(
    operation: &Operation,
    shared: &Shared,
    context: &Context,
    settings: &Settings,
    gate: Prioritised<'_>,
) -> Result<(Option<String>, bool), CallError> {
    let cloud = operation.id.kind.cloud();
    let provider = context.providers.get(&cloud).ok_or_else(|| CallError::new(format!("no provider for {cloud:?}")))?;
    let failed = |err: ProviderError| CallError::new(err.to_string());
    let waiter = Waiter { provider: provider.as_ref(), shared, context, settings, gate };
    match operation.call {
        Call::Delete => {
            let provider_id = operation.provider_id.as_deref().unwrap_or_default();
            retrying(&settings.retry, || {
                gate.change(cloud, shared, context, provider.delete(provider_id, operation.id.kind, &operation.scope))
            })
            .await
            .map_err(failed)?;
            waiter.until_gone(&operation.id, &operation.scope, provider_id).await?;
            let mut known = shared.known.lock().expect("not poisoned");
            if known.get(&operation.id).is_some_and(|live| live.provider_id == provider_id) {
                known.remove(&operation.id);
            }
            Ok((operation.provider_id.clone(), false))
        }
        Call::Update => {
            wait_for_dependencies(operation, shared, &waiter).await?;
            let resource = resolved(operation, shared, context)?;
            let provider_id = operation.provider_id.clone().unwrap_or_default();
            retrying(&settings.retry, || gate.change(cloud, shared, context, provider.update(&provider_id, &resource)))
                .await
                .map_err(failed)?;
            // What a create of the kind took says nothing of an update's time.
            waiter.until_ready(&operation.id, &operation.scope, &provider_id, Since::Unknown).await?;
            shared.ready.lock().expect("not poisoned").insert(operation.id.clone());
            Ok((Some(provider_id), false))
        }
        Call::Create => {
            wait_for_dependencies(operation, shared, &waiter).await?;
            let resource = resolved(operation, shared, context)?;
            let owner = Ownership { stack: context.stack.clone(), id: operation.id.clone() };
            // A creation whose outcome is unknown looks for its resource before trying again.
            let unsure = std::sync::atomic::AtomicBool::new(context.in_flight.contains(&operation.id));
            let created = retrying(&settings.retry, || async {
                if unsure.load(std::sync::atomic::Ordering::SeqCst)
                    && let Some(found) = gate.call(cloud, find_owned(provider.as_ref(), &resource, &owner)).await?
                {
                    return Ok((found.provider_id, found.attrs, true));
                }
                match gate.change(cloud, shared, context, provider.create(&resource, &owner)).await {
                    Ok(created) => Ok((created.provider_id, created.outputs.into_iter().collect(), false)),
                    Err(err) => {
                        if err.kind == ErrorKind::Transient {
                            unsure.store(true, std::sync::atomic::Ordering::SeqCst);
                        }
                        Err(err)
                    }
                }
            })
            .await
            .map_err(|err| CallError {
                message: err.to_string(),
                unsure: unsure.load(std::sync::atomic::Ordering::SeqCst),
            })?;
            let (provider_id, outputs, adopted) = created;
            let live = LiveResource { provider_id: provider_id.clone(), scope: operation.scope.clone(), outputs };
            shared.known.lock().expect("not poisoned").insert(operation.id.clone(), live);
            let since = if adopted { Since::Unknown } else { Since::OwnCall };
            waiter.until_ready(&operation.id, &operation.scope, &provider_id, since).await?;
            shared.ready.lock().expect("not poisoned").insert(operation.id.clone());
            Ok((Some(provider_id), adopted))
        }
    }
}

/// Waits for the resources `operation` depends on that this run did not make or change but
/// that may still be provisioning (a previous run stopped while the cloud was at work).
async fn wait_for_dependencies(operation: &Operation, shared: &Shared, waiter: &Waiter<'_>) -> Result<(), CallError> {
    let Some(resource) = &operation.resource else { return Ok(()) };
    for dependency in resource.dependencies() {
        if dependency.kind.provisioning_seconds() == 0
            || shared.ready.lock().expect("not poisoned").contains(dependency)
        {
            continue;
        }
        let Some(live) = shared.known(dependency) else { continue };
        let provider = waiter.context.providers.get(&dependency.kind.cloud());
        let Some(provider) = provider else { continue };
        let waiter = Waiter { provider: provider.as_ref(), ..*waiter };
        waiter.until_ready(dependency, &live.scope, &live.provider_id, Since::Unknown).await?;
        shared.ready.lock().expect("not poisoned").insert(dependency.clone());
    }
    Ok(())
}

/// The live resource that already carries `owner` (or, for a kind the cloud cannot tag, the
/// natural key of `resource`), if any (one list call).
async fn find_owned(
    provider: &dyn Provider,
    resource: &Resource,
    owner: &Ownership,
) -> Result<Option<ObservedResource>, ProviderError> {
    let kind = resource.id.kind;
    let natural = kind.natural_address(&resource.attrs).map(|address| ResourceId::new(kind, address));
    let found = provider.discover(&resource.scope, &[kind]).await?;
    Ok(found.into_iter().find(|live| {
        let id = live.owned_by(&owner.stack);
        id == Some(&owner.id) || (natural.is_some() && id == natural.as_ref())
    }))
}

/// Waits for the cloud's asynchronous work on one resource.
#[derive(Clone, Copy)]
struct Waiter<'a> {
    provider: &'a dyn Provider,
    shared: &'a Shared,
    context: &'a Context,
    settings: &'a Settings,
    gate: Prioritised<'a>,
}

impl Waiter<'_> {
    /// Until the cloud has provisioned the resource (for kinds it provisions asynchronously).
    async fn until_ready(
        &self,
        id: &ResourceId,
        scope: &Scope,
        provider_id: &str,
        since: Since,
    ) -> Result<(), CallError> {
        self.until(id, scope, provider_id, false, since).await
    }

    /// Until the cloud has finished deleting the resource (for kinds it deletes asynchronously).
    async fn until_gone(&self, id: &ResourceId, scope: &Scope, provider_id: &str) -> Result<(), CallError> {
        self.until(id, scope, provider_id, true, Since::OwnCall).await
    }

    /// Looks less and less often until the resource is ready (or, with `gone`, not found).
    /// After this run's own call, once the cloud has finished one of the kind, the first look
    /// waits the shortest time the cloud has taken so far: under a rate, looks that could only
    /// see "pending" would take the slots of calls.
    async fn until(
        &self,
        id: &ResourceId,
        scope: &Scope,
        provider_id: &str,
        gone: bool,
        since: Since,
    ) -> Result<(), CallError> {
        // Kinds the clouds make and delete at once need no look.
        if id.kind.provisioning_seconds() == 0 {
            return Ok(());
        }
        let cloud = id.kind.cloud();
        let timeout = (self.settings.provisioning_timeout)(id.kind);
        // The runtime's clock, which the sleeps below follow.
        let started = tokio::time::Instant::now();
        let deadline = started + timeout;
        let mut poll = self.settings.first_poll;
        let mut announced = false;
        // When the current look was due, from the start of the wait: what the cloud took, at
        // most a look's interval late, is the due time of the look that finds it done (not when
        // that look got through the gate, which may have made it wait behind other calls).
        let mut due = Duration::ZERO;
        // (A kind the cloud had ready at once is looked at at once: a wait of nothing would
        // still yield to the timer, and the order of the calls would follow the clock.)
        if since == Since::OwnCall
            && let Some(shortest) = self.shared.took(id.kind, gone).filter(|took| !took.is_zero())
        {
            if !gone {
                (self.context.events)(&Event::Provisioning { id: id.clone() });
                announced = true;
            }
            tokio::time::sleep(shortest.min(timeout)).await;
            due = started.elapsed();
        }
        let done = |due: Duration| {
            if since == Since::OwnCall {
                self.shared.learn(id.kind, gone, due);
            }
            Ok(())
        };
        loop {
            let look = || self.gate.look(cloud, self.provider.provisioning(provider_id, id.kind, scope));
            match retrying(&self.settings.retry, look).await {
                Err(err) if gone && err.kind == ErrorKind::NotFound => return done(due),
                Err(err) => return Err(CallError::new(err.to_string())),
                Ok(Provisioning::Ready) if !gone => return done(due),
                Ok(Provisioning::Failed(reason)) if !gone => {
                    return Err(CallError::new(format!("the cloud failed to provision it: {reason}")));
                }
                Ok(_) => {}
            }
            if !announced && !gone {
                (self.context.events)(&Event::Provisioning { id: id.clone() });
                announced = true;
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                let what = if gone { "still being deleted" } else { "still provisioning" };
                return Err(CallError::new(format!("{what} after {} s", timeout.as_secs())));
            }
            tokio::time::sleep(poll.min(deadline - now)).await;
            due = started.elapsed();
            poll = (poll * 3 / 2).min(Duration::from_secs(15));
        }
    }
}

/// What a wait for the cloud follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Since {
    /// This run's own create or delete: its time is how long the cloud takes.
    OwnCall,
    /// A call of an earlier run, or of someone else (an adopted resource), or an update (which
    /// may take another time than a create): nothing is learned, nor used.
    Unknown,
}

/// The gate, for the calls of one operation: with its priority.
#[derive(Clone, Copy)]
struct Prioritised<'a> {
    gate: &'a Gate,
    priority: u64,
}

impl Prioritised<'_> {
    async fn call<T>(&self, cloud: Cloud, call: impl std::future::Future<Output = T>) -> T {
        self.gate.call(cloud, self.priority, call).await
    }

    async fn look<T>(&self, cloud: Cloud, look: impl std::future::Future<Output = T>) -> T {
        self.gate.look(cloud, self.priority, look).await
    }

    /// `call`, a change to a cloud, made only if the run still holds the stack once its turn
    /// has come (after the gate's wait, which may be long): else refused, and not retried.
    async fn change<T>(
        &self,
        cloud: Cloud,
        shared: &Shared,
        context: &Context,
        call: impl std::future::Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        self.gate
            .call(cloud, self.priority, async {
                let lost = match (shared.fenced(), &context.journal) {
                    (Some(reason), _) => Some(reason),
                    (None, Some(journal)) => journal.confirm().err().map(|lost| {
                        let reason = lost.to_string();
                        shared.fence(lost);
                        reason
                    }),
                    (None, None) => None,
                };
                if let Some(reason) = lost {
                    return Err(ProviderError::new(ErrorKind::Invalid, format!("not made: {reason}")));
                }
                call.await
            })
            .await
    }
}

/// The operation's resource with its outputs and secrets filled in.
fn resolved(operation: &Operation, shared: &Shared, context: &Context) -> Result<Resource, CallError> {
    let mut resource = operation.resource.as_deref().cloned().ok_or_else(|| CallError::new("no desired resource"))?;
    let known = shared.known.lock().expect("not poisoned");
    let output = |wanted: &OutputRef| {
        known.get(&wanted.resource).and_then(|live| wanted.value_in(&live.provider_id, &live.outputs))
    };
    for (_, value) in Arc::make_mut(&mut resource.attrs).iter_mut() {
        value.fill(&output, &|name| (context.secrets)(name)).map_err(CallError::new)?;
    }
    Ok(resource)
}

#[cfg(test)]
mod tests;
