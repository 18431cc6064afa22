//! A run whose journal refuses an entry (its stack's lease was taken by another) makes no call
//! after it: the calls in flight finish, nothing else starts, and what was not made says why.

use isopod_apply::{Context, Event, Fenced, Journal, Operation, Operations, Settings, execute};
use isopod_catalog::Cloud;
use isopod_provider::Provider;
use isopod_simulator::Simulator;
use isopod_test_support::topology;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const TWO_NETWORKS: &str = r#"
stack "s" {}
cloud "aws" "prod" {
  region = "us-east-1"
}
network "a" {
  cloud = cloud.aws.prod
  cidr  = "10.1.0.0/16"
  subnet "x" {
    cidr = "10.1.1.0/24"
    zone = "us-east-1a"
  }
}
network "b" {
  cloud = cloud.aws.prod
  cidr  = "10.2.0.0/16"
}
"#;

/// A journal that accepts `allowed` calls' starts and refuses every entry after.
struct Lease {
    allowed: usize,
    started: AtomicUsize,
}

impl Lease {
    fn check(&self) -> Result<(), Fenced> {
        if self.started.load(Ordering::SeqCst) > self.allowed {
            return Err(Fenced("taken by another watcher (token 8 > 7)".into()));
        }
        Ok(())
    }
}

impl Journal for Lease {
    fn started(&self, _: &Operation) -> Result<(), Fenced> {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.check()
    }
    fn finished(&self, _: &Operation, _: Option<&str>) -> Result<(), Fenced> {
        self.check()
    }
    fn failed(&self, _: &Operation) -> Result<(), Fenced> {
        self.check()
    }
}

/// A journal that accepts every entry, but whose lease is found lost, right before a change is
/// sent, once `allowed` changes were confirmed (the lease expired while calls waited their turn).
struct Expiring {
    allowed: usize,
    confirmed: AtomicUsize,
}

impl Journal for Expiring {
    fn started(&self, _: &Operation) -> Result<(), Fenced> {
        Ok(())
    }
    fn finished(&self, _: &Operation, _: Option<&str>) -> Result<(), Fenced> {
        Ok(())
    }
    fn failed(&self, _: &Operation) -> Result<(), Fenced> {
        Ok(())
    }
    fn confirm(&self) -> Result<(), Fenced> {
        if self.confirmed.fetch_add(1, Ordering::SeqCst) >= self.allowed {
            return Err(Fenced("expired while waiting for its turn".into()));
        }
        Ok(())
    }
}

/// What a run of the two networks' plan with `journal` did, one call at a time (so that "after"
/// is well defined): its summary, the creates the simulator received, the calls planned and
/// the errors reported.
struct Outcome {
    summary: isopod_apply::Summary,
    creates: Option<u64>,
    calls: usize,
    failures: Vec<String>,
}

fn apply_with(journal: Arc<dyn Journal>) -> Outcome {
    let (plan, desired) = isopod_planner::plan(&topology(TWO_NETWORKS), &[]).unwrap();
    let simulator = Simulator::in_memory();
    let providers: BTreeMap<Cloud, Arc<dyn Provider>> =
        [(Cloud::Aws, Arc::new(simulator.provider(Cloud::Aws)) as Arc<dyn Provider>)].into();
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();
    let context = Context {
        stack: plan.stack.clone(),
        providers,
        observed: Arc::new(Vec::new()),
        secrets: Arc::new(|_: &str| None),
        in_flight: Arc::default(),
        journal: Some(journal),
        events: {
            let failures = failures.clone();
            Arc::new(move |event| {
                if let Event::Failed { error, .. } = event {
                    failures.lock().unwrap().push(error.clone());
                }
            })
        },
    };
    let operations = Operations::new(&plan.changes, &desired, &[]);
    let calls = operations.graph.node_count();
    let settings = Settings { parallelism: 1, ..Settings::default() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let summary = runtime.block_on(execute(operations, &context, &settings));
    let failures = failures.lock().unwrap().clone();
    Outcome { summary, creates: simulator.calls().get("create").copied(), calls, failures }
}

#[test]
fn a_change_waiting_for_its_turn_is_not_sent_once_the_lease_is_lost() {
    // Every ready call is started at once and waits at the gate for its turn.
    let run = apply_with(Arc::new(Expiring { allowed: 2, confirmed: AtomicUsize::new(0) }));
    assert_eq!(run.creates, Some(2), "only the changes confirmed were sent: {:?}", run.summary);
    assert_eq!(run.summary.created, 2, "{:?}", run.summary);
    assert!(!run.summary.succeeded());
    assert!(run.failures.iter().all(|f| f.contains("the stack's lease was lost")), "{:?}", run.failures);
}

#[test]
fn no_call_is_made_after_the_journal_refuses_one() {
    let journal = Arc::new(Lease { allowed: 1, started: AtomicUsize::new(0) });
    let run = apply_with(journal.clone());
    assert!(run.calls >= 3, "{}", run.calls);
    assert!(!run.summary.succeeded());
    assert_eq!(run.summary.created, 1, "the call allowed was made: {:?}", run.summary);
    assert_eq!(run.creates, Some(1), "no create after the refusal");
    assert_eq!(run.summary.created + run.summary.failed + run.summary.skipped, run.calls, "{:?}", run.summary);
    assert!(!run.failures.is_empty(), "what was not made says why");
    assert!(run.failures.iter().all(|f| f.contains("the stack's lease was lost")), "{:?}", run.failures);
    assert_eq!(journal.started.load(Ordering::SeqCst), 2, "one refused start, then no other call tried");
}
