//! The executor's waits for the cloud, against a fake cloud on paused time.

use super::*;
use isopod_provider::{BoxFuture, Created};
use tokio::time::Instant as TokioInstant;

/// A cloud whose resources take `provisioning` from when they are made, and that counts looks.
struct SlowCloud {
    provisioning: Duration,
    made: Mutex<HashMap<String, TokioInstant>>,
    looks: Mutex<HashMap<String, usize>>,
}

impl SlowCloud {
    fn new(provisioning: Duration) -> Self {
        SlowCloud { provisioning, made: Mutex::default(), looks: Mutex::default() }
    }

    /// Makes the resource `provider_id` now.
    fn make(&self, provider_id: &str) {
        self.made.lock().unwrap().insert(provider_id.to_string(), TokioInstant::now());
    }

    fn looks(&self, provider_id: &str) -> usize {
        self.looks.lock().unwrap().get(provider_id).copied().unwrap_or(0)
    }
}

impl Provider for SlowCloud {
    fn cloud(&self) -> Cloud {
        Cloud::Aws
    }

    fn discover<'a>(
        &'a self,
        _: &'a Scope,
        _: &'a [ResourceKind],
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, ProviderError>> {
        unreachable!("the waits only look")
    }

    fn create<'a>(&'a self, _: &'a Resource, _: &'a Ownership) -> BoxFuture<'a, Result<Created, ProviderError>> {
        unreachable!("the waits only look")
    }

    fn update<'a>(&'a self, _: &'a str, _: &'a Resource) -> BoxFuture<'a, Result<(), ProviderError>> {
        unreachable!("the waits only look")
    }

    fn provisioning<'a>(
        &'a self,
        provider_id: &'a str,
        _: ResourceKind,
        _: &'a Scope,
    ) -> BoxFuture<'a, Result<Provisioning, ProviderError>> {
        Box::pin(async move {
            *self.looks.lock().unwrap().entry(provider_id.to_string()).or_default() += 1;
            let made = self.made.lock().unwrap()[provider_id];
            Ok(if made.elapsed() >= self.provisioning { Provisioning::Ready } else { Provisioning::Pending })
        })
    }

    fn delete<'a>(&'a self, _: &'a str, _: ResourceKind, _: &'a Scope) -> BoxFuture<'a, Result<(), ProviderError>> {
        unreachable!("the waits only look")
    }
}

fn scope() -> Scope {
    Scope { cloud: "aws.prod".into(), region: "us-east-1".into() }
}

/// What a waiter needs besides its cloud and its gate.
struct Harness {
    shared: Shared,
    context: Context,
    settings: Settings,
}

impl Harness {
    fn new() -> Self {
        let context = Context {
            stack: "test".into(),
            providers: BTreeMap::new(),
            observed: Arc::default(),
            secrets: Arc::new(|_: &str| None),
            in_flight: Arc::default(),
            journal: None,
            events: Arc::new(|_| {}),
        };
        Harness { shared: Shared::default(), context, settings: Settings::default() }
    }

    fn waiter<'a>(&'a self, cloud: &'a SlowCloud, gate: &'a Gate) -> Waiter<'a> {
        let (shared, context, settings) = (&self.shared, &self.context, &self.settings);
        Waiter { provider: cloud, shared, context, settings, gate: Prioritised { gate, priority: 0 } }
    }
}

#[tokio::test(start_paused = true)]
async fn once_the_cloud_has_made_one_of_a_kind_the_next_is_first_looked_at_when_it_should_be_done() {
    let cloud = SlowCloud::new(Duration::from_secs(300));
    let (harness, gate) = (Harness::new(), Gate::new(8, None));
    let waiter = harness.waiter(&cloud, &gate);
    let kind = ResourceKind::AwsVpnConnection;
    let scope = scope();
    let wait = |name: &'static str, since: Since| {
        let id = ResourceId::new(kind, name);
        let scope = scope.clone();
        let waiter = &waiter;
        async move { waiter.until_ready(&id, &scope, name, since).await }
    };

    // A connection made by someone else: how long it took from its own call is unknown.
    cloud.make("vpn-adopted");
    tokio::time::advance(Duration::from_secs(200)).await;
    wait("vpn-adopted", Since::Unknown).await.unwrap();
    assert!(harness.shared.took(kind, false).is_none(), "a wait that did not follow this run's call teaches nothing");

    cloud.make("vpn-first");
    wait("vpn-first", Since::OwnCall).await.unwrap();
    let first = cloud.looks("vpn-first");
    assert!(first > 3, "the first of its kind is looked at less and less often: {first} looks");
    let learned = harness.shared.took(kind, false).expect("learned");
    assert!(learned >= Duration::from_secs(300), "{learned:?}");

    cloud.make("vpn-second");
    wait("vpn-second", Since::OwnCall).await.unwrap();
    assert_eq!(cloud.looks("vpn-second"), 1, "looked at once, when the first had taken to be ready");
}

#[tokio::test(start_paused = true)]
async fn a_look_that_waited_for_its_place_teaches_when_it_was_due_not_the_wait() {
    let cloud = SlowCloud::new(Duration::from_secs(300));
    let (harness, gate) = (Harness::new(), Arc::new(Gate::new(1, None)));
    // Another call holds the only place for 500 s.
    let holder = gate.clone();
    let held =
        tokio::spawn(async move { holder.call(Cloud::Aws, 9, tokio::time::sleep(Duration::from_secs(500))).await });
    tokio::task::yield_now().await;
    let waiter = harness.waiter(&cloud, &gate);
    let (id, scope) = (ResourceId::new(ResourceKind::AwsVpnConnection, "vpn"), scope());
    cloud.make("vpn");
    waiter.until_ready(&id, &scope, "vpn", Since::OwnCall).await.unwrap();
    held.await.unwrap();
    assert_eq!(cloud.looks("vpn"), 1, "the first look got through at 500 s and found it done");
    let learned = harness.shared.took(ResourceKind::AwsVpnConnection, false).expect("learned");
    assert!(learned < Duration::from_secs(300), "the look was due at once, not after 500 s: {learned:?}");
}
