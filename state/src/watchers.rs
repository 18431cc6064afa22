//! How watchers on several machines share stacks: each stack is followed (fetched, planned,
//! applied) by one watcher at a time, which holds a claim on it, a lease like a stack's lock
//! under another name (`watch/STACK`). A watcher also holds a membership lease of its group
//! (`member/GROUP/WATCHER`, the group naming the stacks it knows), so that the others of the
//! group know how many share the work and each takes its share. One heartbeat (a transaction)
//! renews all of a watcher's leases; a watcher that dies stops renewing, and its
//! stacks are free once its claims expire. A webhook that reaches any watcher is announced to
//! all of them (PostgreSQL's `NOTIFY`), so the one following the stack fetches at once.
//!
//! A state folder is one machine's: [`Alone`] grants every claim and announces nothing.

use crate::postgres::described;
use crate::{Postgres, StateError};
use isopod_apply::Holder;
use postgres::NoTls;
use postgres::fallible_iterator::FallibleIterator as _;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// The channel on which announcements are made; the payload is the watchers' message.
const CHANNEL: &str = "isopod_reconcile";

/// The outcome of claiming a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This watcher follows the stack now.
    Taken,
    /// Another watcher does.
    Held,
}

/// What a heartbeat found.
#[derive(Clone, Debug, PartialEq)]
pub struct Heartbeat {
    /// The stacks this watcher still follows (its claims renewed).
    pub followed: Vec<String>,
    /// How many watchers of its group are alive, this one included.
    pub watchers: usize,
}

/// Watchers sharing stacks. Watchers are counted by group (those given the same stacks), so
/// that each divides its own stacks by the watchers that share them; a stack two groups know is
/// followed by whichever claims it first.
pub trait Watchers: Send + Sync {
    /// Claims `stack` for `watcher` if no other watcher follows it (or its claim expired).
    fn claim(&self, stack: &str, watcher: &Holder) -> Result<Claim, StateError>;
    /// Renews the watcher's membership of `group` (leaving any other group) and its claims
    /// (`held`: the stacks it believes it follows; a backend that cannot lose them returns them).
    fn heartbeat(&self, watcher: &Holder, group: &str, held: &[String]) -> Result<Heartbeat, StateError>;
    /// The watcher whose claim on `stack` holds now, if any (a backend without claims: none).
    fn follower(&self, stack: &str) -> Result<Option<Holder>, StateError>;
    /// Gives `stack` up, for another watcher to take at once.
    fn release(&self, stack: &str, watcher: &Holder) -> Result<(), StateError>;
    /// Gives every stack up and leaves (a watcher that stops).
    fn leave(&self, watcher: &Holder) -> Result<(), StateError>;
    /// Tells every watcher `message` (e.g. that a stack should be fetched now; at most a few
    /// kilobytes).
    fn announce(&self, message: &str) -> Result<(), StateError>;
    /// The messages announced from now on, for the life of the process (`None`: nothing is ever
    /// announced from elsewhere).
    fn announcements(&self) -> Option<Receiver<String>>;
}

/// One machine alone: every claim is granted, nothing is announced.
pub struct Alone;

impl Watchers for Alone {
    fn claim(&self, _: &str, _: &Holder) -> Result<Claim, StateError> {
        Ok(Claim::Taken)
    }

    fn heartbeat(&self, _: &Holder, _: &str, held: &[String]) -> Result<Heartbeat, StateError> {
        Ok(Heartbeat { followed: held.to_vec(), watchers: 1 })
    }

    fn follower(&self, _: &str) -> Result<Option<Holder>, StateError> {
        Ok(None)
    }

    fn release(&self, _: &str, _: &Holder) -> Result<(), StateError> {
        Ok(())
    }

    fn leave(&self, _: &Holder) -> Result<(), StateError> {
        Ok(())
    }

    fn announce(&self, _: &str) -> Result<(), StateError> {
        Ok(())
    }

    fn announcements(&self) -> Option<Receiver<String>> {
        None
    }
}

/// The lease key of a claim.
fn claim_key(stack: &str) -> String {
    format!("watch/{stack}")
}

impl Watchers for Postgres {
    fn claim(&self, stack: &str, watcher: &Holder) -> Result<Claim, StateError> {
        let taken = self.take_lease(&claim_key(stack), &described(watcher), true);
        Ok(if taken.map_err(|err| self.error(&err))?.is_some() { Claim::Taken } else { Claim::Held })
    }

    fn heartbeat(&self, watcher: &Holder, group: &str, _: &[String]) -> Result<Heartbeat, StateError> {
        let (holder, length) = (described(watcher), self.lease.as_secs_f64());
        let member = format!("member/{group}/{holder}");
        let members = format!("member/{group}/%");
        let beat = self.db(|client| -> Result<Heartbeat, postgres::Error> {
            let mut transaction = client.transaction()?;
            // Another group this watcher was in (it learned a stack's name since): left.
            transaction.execute(
                "DELETE FROM leases WHERE holder = $1 AND stack LIKE 'member/%' AND stack <> $2",
                &[&holder, &member],
            )?;
            transaction.execute(
                "INSERT INTO leases (stack, token, holder, expires_at)
                 VALUES ($1, nextval('fencing_tokens'), $2, now() + make_interval(secs => $3))
                 ON CONFLICT (stack) DO UPDATE SET expires_at = EXCLUDED.expires_at",
                &[&member, &holder, &length],
            )?;
            // A claim still carrying this holder is its own, even a little late (no other took it).
            let renewed = transaction.query(
                "UPDATE leases SET expires_at = now() + make_interval(secs => $2)
                 WHERE holder = $1 AND stack LIKE 'watch/%'
                 RETURNING stack",
                &[&holder, &length],
            )?;
            let watchers: i64 = transaction
                .query_one("SELECT count(*) FROM leases WHERE stack LIKE $1 AND expires_at > now()", &[&members])?
                .get(0);
            transaction.commit()?;
            let mut followed: Vec<String> = renewed
                .iter()
                .filter_map(|row| row.get::<_, String>(0).strip_prefix("watch/").map(str::to_string))
                .collect();
            followed.sort();
            Ok(Heartbeat { followed, watchers: watchers.max(1) as usize })
        });
        beat.map_err(|err| self.error(&err))
    }

    fn follower(&self, stack: &str) -> Result<Option<Holder>, StateError> {
        self.holder(&claim_key(stack))
    }

    fn release(&self, stack: &str, watcher: &Holder) -> Result<(), StateError> {
        let (key, holder) = (claim_key(stack), described(watcher));
        self.db(|client| client.execute("DELETE FROM leases WHERE stack = $1 AND holder = $2", &[&key, &holder]))
            .map(drop)
            .map_err(|err| self.error(&err))
    }

    fn leave(&self, watcher: &Holder) -> Result<(), StateError> {
        let holder = described(watcher);
        self.db(|client| {
            client.execute(
                "DELETE FROM leases WHERE holder = $1 AND (stack LIKE 'watch/%' OR stack LIKE 'member/%')",
                &[&holder],
            )
        })
        .map(drop)
        .map_err(|err| self.error(&err))
    }

    fn announce(&self, message: &str) -> Result<(), StateError> {
        self.db(|client| client.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &message]))
            .map(drop)
            .map_err(|err| self.error(&err))
    }

    fn announcements(&self) -> Option<Receiver<String>> {
        let (sender, receiver) = channel();
        let url = self.url.clone();
        std::thread::spawn(move || {
            // A connection of its own, made again when it breaks (what is announced meanwhile is
            // missed; the watcher's interval still fetches it).
            loop {
                let listening =
                    crate::postgres::config(&url).and_then(|config| config.connect(NoTls)).and_then(|mut client| {
                        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
                        Ok(client)
                    });
                if let Ok(mut client) = listening {
                    loop {
                        let quiet = {
                            let mut notifications = client.notifications();
                            let mut waiting = notifications.timeout_iter(Duration::from_secs(5));
                            loop {
                                match waiting.next() {
                                    Ok(Some(notification)) => {
                                        if sender.send(notification.payload().to_string()).is_err() {
                                            return;
                                        }
                                    }
                                    Ok(None) => break true,
                                    Err(_) => break false,
                                }
                            }
                        };
                        // Quiet for a while: check that the connection still stands.
                        if !quiet || client.batch_execute("SELECT 1").is_err() {
                            break;
                        }
                    }
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        });
        Some(receiver)
    }
}
