//! The state backends against the same tests: a folder, and a real PostgreSQL server started on
//! 127.0.0.1 for the test; then what only a shared backend does: leases that expire, fencing
//! tokens that refuse a stale holder's writes, migrations, an unreachable database.

use isopod_apply::{Call, Fenced, Holder, LockError, Operation};
use isopod_catalog::{ResourceId, ResourceKind, Scope};
use isopod_state::{Alone, Claim, Document, Folder, Heartbeat, Postgres, Run, StackState, StateError, Watchers};
use isopod_test_support::Postgres as Server;
use std::time::Duration;

fn operation(address: &str) -> Operation {
    Operation {
        id: ResourceId::new(ResourceKind::AwsVpc, address),
        call: Call::Create,
        scope: Scope { cloud: "aws.prod".into(), region: "us-east-1".into() },
        provider_id: None,
        replacement: false,
        resource: None,
        change: 0,
    }
}

fn holder(command: &str) -> Holder {
    Holder { pid: 1, host: "test".into(), command: command.into(), since: 0 }
}

/// What every backend must do.
fn keeps_the_contract(state: &dyn StackState) {
    // The lock: one holder at a time, and a waiting one is told who holds it.
    let lease = state.acquire("prod", &holder("isopod apply"), Duration::ZERO).unwrap();
    match state.acquire("prod", &holder("isopod watch"), Duration::from_millis(200)) {
        Err(LockError::Held(Some(other))) => assert_eq!(other.command, "isopod apply"),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("two holders at once"),
    }
    // The journal: calls started and not finished are left in flight for the next run.
    let journal = state.start_journal("prod", lease.as_ref(), &[]).unwrap();
    journal.started(&operation("a")).unwrap();
    journal.finished(&operation("a"), Some("vpc-1")).unwrap();
    journal.started(&operation("b")).unwrap();
    journal.close().unwrap();
    let open = state.unfinished("prod").unwrap();
    assert_eq!(open, [(ResourceId::new(ResourceKind::AwsVpc, "b"), Call::Create)]);
    // A new run carries them until it settles them; a clean close removes the journal.
    let journal = state.start_journal("prod", lease.as_ref(), &open).unwrap();
    assert_eq!(state.unfinished("prod").unwrap(), open);
    journal.failed(&operation("b")).unwrap();
    journal.close().unwrap();
    assert!(state.unfinished("prod").unwrap().is_empty());
    state.clear_journal("prod", lease.as_ref()).unwrap();
    drop(lease);
    let again = state.acquire("prod", &holder("isopod apply"), Duration::ZERO).expect("released when dropped");
    drop(again);

    // Documents, replaced whole, each write given the version it read.
    assert_eq!(state.read("prod", Document::Secrets).unwrap(), None);
    let first = state.write("prod", Document::Secrets, r#"{"format":1,"secrets":{}}"#, None).unwrap();
    state.write("prod", Document::Secrets, r#"{"format":1,"secrets":{"a":{}}}"#, Some(first)).unwrap();
    let read = state.read("prod", Document::Secrets).unwrap().unwrap();
    assert_eq!(read.text, r#"{"format":1,"secrets":{"a":{}}}"#);
    assert_eq!(state.read("prod", Document::Scopes).unwrap(), None);

    // The history, newest first.
    for n in 0..3 {
        let run = Run {
            command: "apply".into(),
            revision: Some(format!("r{n}")),
            started: n as f64,
            finished: n as f64 + 0.5,
            succeeded: n != 1,
            summary: serde_json::json!({ "created": n }),
        };
        state.record_run("prod", &run).unwrap();
    }
    let runs = state.runs("prod", 2).unwrap();
    assert_eq!(runs.iter().map(|r| r.revision.clone().unwrap()).collect::<Vec<_>>(), ["r2", "r1"]);
    assert!(!runs[1].succeeded);
}

#[test]
fn a_folder_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    keeps_the_contract(&Folder::new(dir.path().join(".isopod")));
}

#[test]
fn postgres_keeps_the_contract_and_fences_a_holder_whose_lease_was_taken() {
    let server = Server::start();
    let state = Postgres::connect(&server.url, Duration::from_secs(30)).unwrap();
    keeps_the_contract(&state);
    // Two runs read the store; the first to write wins, the second is refused rather than
    // undoing it (a generated key must never be lost).
    let read = state.read("prod", Document::Secrets).unwrap().unwrap();
    state.write("prod", Document::Secrets, "{\"one\":1}", Some(read.version)).unwrap();
    let refused = state.write("prod", Document::Secrets, "{\"two\":2}", Some(read.version)).unwrap_err();
    assert!(matches!(refused, StateError::Conflict { .. }), "{refused}");
    assert!(state.write("prod", Document::Scopes, "[]", None).is_ok());
    assert!(matches!(state.write("prod", Document::Scopes, "[1]", None), Err(StateError::Conflict { .. })));
    assert_eq!(state.read("prod", Document::Secrets).unwrap().unwrap().text, "{\"one\":1}");
    // Stacks are apart: one stack's lease does not hold another's.
    let prod = state.acquire("prod", &holder("a"), Duration::ZERO).unwrap();
    let staging = state.acquire("staging", &holder("b"), Duration::ZERO).unwrap();
    assert!(state.runs("staging", 10).unwrap().is_empty());
    drop(staging);

    // The first holder's lease expires (its machine paused past it); another takes the stack
    // with a larger token. The first one's next write is refused: it makes no further call.
    let journal = state.start_journal("prod", prod.as_ref(), &[]).unwrap();
    journal.started(&operation("x")).unwrap();
    let mut admin = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    admin.execute("UPDATE leases SET expires_at = now() - interval '1 second' WHERE stack = 'prod'", &[]).unwrap();
    let second = state.acquire("prod", &holder("b"), Duration::ZERO).expect("an expired lease is taken");
    assert!(second.token() > prod.token(), "{} > {}", second.token(), prod.token());
    let refused = journal.finished(&operation("x"), None).unwrap_err();
    assert!(refused.to_string().contains("no longer holds its lease"), "{refused}");
    assert!(matches!(journal.started(&operation("y")), Err(Fenced(_))));
    assert!(journal.confirm().is_err(), "and it cannot confirm the lease before a change");
    // Nothing of the stale holder's was written after the take-over, and it cannot clear the
    // new holder's journal.
    let new_journal = state.start_journal("prod", second.as_ref(), &state.unfinished("prod").unwrap()).unwrap();
    new_journal.started(&operation("z")).unwrap();
    state.clear_journal("prod", prod.as_ref()).unwrap();
    let open = state.unfinished("prod").unwrap();
    assert_eq!(open.len(), 2, "x (left in flight by the first) and z: {open:?}");
    // The stale holder's release does not free the new holder's lease.
    drop(prod);
    assert!(matches!(state.acquire("prod", &holder("c"), Duration::ZERO), Err(LockError::Held(_))));
    drop(second);
}

#[test]
fn a_lease_is_renewed_while_held_and_migrations_are_applied_once() {
    let server = Server::start();
    // A lease of 1 s outlives 3 s of holding: it is renewed.
    let state = Postgres::connect(&server.url, Duration::from_secs(1)).unwrap();
    let lease = state.acquire("prod", &holder("a"), Duration::ZERO).unwrap();
    let journal = state.start_journal("prod", lease.as_ref(), &[]).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    journal.started(&operation("a")).expect("still held");
    assert!(matches!(state.acquire("prod", &holder("b"), Duration::ZERO), Err(LockError::Held(_))));
    drop(lease);
    // Connecting again (another machine) migrates nothing twice.
    let other = Postgres::connect(&server.url, Duration::from_secs(1)).unwrap();
    assert_eq!(other.schema_version().unwrap(), 1);
    assert_eq!(state.schema_version().unwrap(), 1);
    // A database a newer isopod migrated is refused, untouched.
    let mut admin = postgres::Client::connect(&server.url, postgres::NoTls).unwrap();
    admin.execute("INSERT INTO schema_migrations (version) VALUES (99)", &[]).unwrap();
    let Err(newer) = Postgres::connect(&server.url, Duration::from_secs(1)) else { panic!("a newer schema was used") };
    assert!(newer.to_string().contains("schema is at version 99, newer than this isopod knows (1)"), "{newer}");
}

#[test]
fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://isopod:hunter2@127.0.0.1:{port}/isopod");
    let Err(err) = Postgres::connect(&url, Duration::from_secs(30)) else { panic!("nothing listens there") };
    assert!(matches!(err, StateError::Database { .. }));
    let text = err.to_string();
    assert!(text.contains(&format!("postgres://isopod:***@127.0.0.1:{port}/isopod")), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn watchers_share_stacks_one_follower_each_and_a_dead_one_s_stacks_come_free() {
    let server = Server::start();
    let (a, b) = (holder("watch a"), Holder { pid: 2, ..holder("watch b") });
    let state = Postgres::connect(&server.url, Duration::from_secs(1)).unwrap();
    let other = Postgres::connect(&server.url, Duration::from_secs(1)).unwrap();
    let listening = other.announcements().expect("PostgreSQL announces");
    assert_eq!(state.claim("core", &a).unwrap(), Claim::Taken);
    assert_eq!(state.claim("core", &a).unwrap(), Claim::Taken, "a claim is renewed by its holder");
    assert_eq!(other.claim("core", &b).unwrap(), Claim::Held);
    assert_eq!(other.follower("core").unwrap(), Some(a.clone()));
    assert_eq!(other.follower("nobody").unwrap(), None);
    assert_eq!(other.claim("edge", &b).unwrap(), Claim::Taken);
    // Claims are not stack locks: an apply of `core` is not blocked by the watcher's claim.
    drop(state.acquire("core", &holder("isopod apply"), Duration::ZERO).expect("the stack's own lock is apart"));
    // Heartbeats keep claims past their lease and count the watchers.
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(other.heartbeat(&b, "g", &[]).unwrap().followed, ["edge"]);
        assert_eq!(state.heartbeat(&a, "g", &[]).unwrap(), Heartbeat { followed: vec!["core".into()], watchers: 2 });
    }
    assert!(other.claim("core", &b).unwrap() == Claim::Held);
    // `b` dies (stops its heartbeats): once its leases expire, `edge` is free and it is not counted.
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(300));
        state.heartbeat(&a, "g", &[]).unwrap();
    }
    assert_eq!(state.heartbeat(&a, "g", &[]).unwrap(), Heartbeat { followed: vec!["core".into()], watchers: 1 });
    assert_eq!(state.follower("edge").unwrap(), None, "an expired claim is nobody's");
    assert_eq!(state.claim("edge", &a).unwrap(), Claim::Taken);
    assert_eq!(other.heartbeat(&b, "g", &[]).unwrap().followed, Vec::<String>::new(), "b knows it lost edge");
    // Watchers are counted by group: one given other stacks is not one of `a`'s; a watcher
    // that moves to another group leaves the first.
    let c = Holder { pid: 3, ..holder("watch c") };
    // (`b`, beating again, is one of `g` again.)
    other.heartbeat(&c, "other stacks", &[]).unwrap();
    assert_eq!(state.heartbeat(&a, "g", &[]).unwrap().watchers, 2);
    other.heartbeat(&c, "g", &[]).unwrap();
    assert_eq!(state.heartbeat(&a, "g", &[]).unwrap().watchers, 3);
    assert_eq!(other.heartbeat(&c, "other stacks", &[]).unwrap().watchers, 1);
    assert_eq!(state.heartbeat(&a, "g", &[]).unwrap().watchers, 2);
    other.leave(&c).unwrap();
    // A release frees a stack at once; leaving frees them all.
    state.release("edge", &a).unwrap();
    assert_eq!(other.claim("edge", &b).unwrap(), Claim::Taken);
    other.leave(&b).unwrap();
    assert_eq!(state.claim("edge", &a).unwrap(), Claim::Taken);
    // An announcement reaches every listener.
    state.announce("edge").unwrap();
    assert_eq!(listening.recv_timeout(Duration::from_secs(5)).unwrap(), "edge");
    // One machine alone follows everything and hears nothing.
    assert_eq!(Alone.claim("core", &b).unwrap(), Claim::Taken);
    assert_eq!(
        Alone.heartbeat(&b, "g", &["core".into()]).unwrap(),
        Heartbeat { followed: vec!["core".into()], watchers: 1 }
    );
    assert!(Alone.announcements().is_none());
}
