//! Committed events on their way to the sockets they concern, and to no other (issue 14).
//!
//! Each open socket subscribes to a topic: a technician's console to what its technician may
//! see, a customer client or an external user to their session, a relay to its session and to
//! organisation-wide changes (which may end its right), a jump client's agent to the sessions
//! started on its computer. The writer hands each event to the subscribers of its topics only,
//! without waiting: a subscriber whose queue is full is marked as having lagged and catches up
//! from a fresh snapshot, as it would after a reconnection. So a chat line wakes the sockets of
//! that session's audience, not every socket the appliance holds.
use crate::appliance::Outgoing;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tandem_core::domain::{Event, JumpClientId, SessionId, TechnicianId};
use tokio::sync::mpsc;

/// Events queued for one subscriber before it counts as lagging. Room for several whole batches
/// of the writer (each is at most 256 commands).
const QUEUE: usize = 2_048;

/// What a subscriber wants to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Everything a technician may see: their audience's events and organisation-wide ones.
    Technician(TechnicianId),
    /// One session's events (a customer client, an external user).
    Session(SessionId),
    /// One session's events and organisation-wide ones (a relay, whose right a change to teams
    /// or permissions may end).
    SessionAndOrganisation(SessionId),
    /// Sessions started on one jump client's computer.
    JumpClient(JumpClientId),
}

/// Why a subscription gave no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    /// Events were dropped while its queue was full: it must catch up from the state.
    Lagged,
    /// The appliance is shutting down.
    Closed,
}

#[derive(Debug)]
struct Subscriber {
    id: u64,
    queue: mpsc::Sender<Arc<Outgoing>>,
    lagged: Arc<AtomicBool>,
}

impl Subscriber {
    fn deliver(&self, event: &Arc<Outgoing>) {
        if self.queue.try_send(Arc::clone(event)).is_err() {
            self.lagged.store(true, Ordering::Release);
        }
    }
}

#[derive(Debug, Default)]
struct Registry {
    technicians: HashMap<TechnicianId, Vec<Subscriber>>,
    sessions: HashMap<SessionId, Vec<Subscriber>>,
    /// Relays, by session: they hear their session's events and organisation-wide ones.
    relays: HashMap<SessionId, Vec<Subscriber>>,
    jump_clients: HashMap<JumpClientId, Vec<Subscriber>>,
}

/// Every open subscription, by topic.
#[derive(Debug, Default)]
pub struct Feeds {
    registry: Arc<Mutex<Registry>>,
    next_id: AtomicU64,
}

impl Feeds {
    /// Start hearing about a topic: every event committed from now on that concerns it.
    pub fn subscribe(&self, topic: Topic) -> Subscription {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let lagged = Arc::new(AtomicBool::new(false));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let subscriber = Subscriber {
            id,
            queue,
            lagged: Arc::clone(&lagged),
        };
        let mut registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        match topic {
            Topic::Technician(t) => registry.technicians.entry(t).or_default().push(subscriber),
            Topic::Session(s) => registry.sessions.entry(s).or_default().push(subscriber),
            Topic::SessionAndOrganisation(s) => {
                registry.relays.entry(s).or_default().push(subscriber);
            }
            Topic::JumpClient(j) => registry.jump_clients.entry(j).or_default().push(subscriber),
        }
        Subscription {
            receiver,
            lagged,
            registry: Arc::clone(&self.registry),
            topic,
            id,
        }
    }

    /// Hand a committed event to the subscribers it concerns. Never waits.
    pub fn publish(&self, event: &Arc<Outgoing>) {
        let registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let each = |list: Option<&Vec<Subscriber>>| {
            for subscriber in list.into_iter().flatten() {
                subscriber.deliver(event);
            }
        };
        match &event.audience {
            // Every technician sees it, and it may change any relay's right.
            None => {
                registry.technicians.values().for_each(|l| each(Some(l)));
                registry.relays.values().for_each(|l| each(Some(l)));
            }
            Some(audience) => {
                for t in audience {
                    each(registry.technicians.get(t));
                }
            }
        }
        if let Some(session) = event.session {
            each(registry.sessions.get(&session));
            if event.audience.is_some() {
                each(registry.relays.get(&session));
            }
        }
        if let Event::SessionStarted {
            jump_client: Some(j),
            ..
        } = &event.published.event
        {
            each(registry.jump_clients.get(j));
        }
    }

    /// How many subscriptions are open (for the tests and the benchmark).
    #[must_use]
    pub fn len(&self) -> usize {
        let registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        registry.technicians.values().map(Vec::len).sum::<usize>()
            + registry.sessions.values().map(Vec::len).sum::<usize>()
            + registry.relays.values().map(Vec::len).sum::<usize>()
            + registry.jump_clients.values().map(Vec::len).sum::<usize>()
    }

    /// Whether no subscription is open.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One socket's subscription; dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    receiver: mpsc::Receiver<Arc<Outgoing>>,
    lagged: Arc<AtomicBool>,
    registry: Arc<Mutex<Registry>>,
    topic: Topic,
    id: u64,
}

impl Subscription {
    /// The next event, in commit order. Cancel-safe (for `select!`): an event is taken only
    /// when returned.
    ///
    /// # Errors
    /// [`Missed::Lagged`] once after events were dropped for this subscriber: what it holds
    /// may be stale, and it must catch up from the state (events already queued are later ones
    /// it may skip by number).
    pub async fn recv(&mut self) -> Result<Arc<Outgoing>, Missed> {
        if self.lagged.swap(false, Ordering::AcqRel) {
            return Err(Missed::Lagged);
        }
        let event = self.receiver.recv().await.ok_or(Missed::Closed)?;
        if self.lagged.swap(false, Ordering::AcqRel) {
            return Err(Missed::Lagged);
        }
        Ok(event)
    }

    /// An event already queued, without waiting.
    pub fn try_recv(&mut self) -> Option<Arc<Outgoing>> {
        self.receiver.try_recv().ok()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let id = self.id;
        fn leave<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<Subscriber>>, key: K, id: u64) {
            if let Some(list) = map.get_mut(&key) {
                list.retain(|s| s.id != id);
                if list.is_empty() {
                    map.remove(&key);
                }
            }
        }
        match self.topic {
            Topic::Technician(t) => leave(&mut registry.technicians, t, id),
            Topic::Session(s) => leave(&mut registry.sessions, s, id),
            Topic::SessionAndOrganisation(s) => leave(&mut registry.relays, s, id),
            Topic::JumpClient(j) => leave(&mut registry.jump_clients, j, id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appliance::Published;
    use std::collections::BTreeSet;
    use tandem_core::domain::Event;

    fn outgoing(seq: i64, session: Option<u64>, audience: Option<&[u64]>) -> Arc<Outgoing> {
        Arc::new(Outgoing::new(
            Published {
                seq,
                at: 0,
                event: Event::ChatToggled {
                    session: SessionId(session.unwrap_or(0)),
                    enabled: true,
                },
            },
            session.map(SessionId),
            audience.map(|a| a.iter().copied().map(TechnicianId).collect::<BTreeSet<_>>()),
        ))
    }

    #[tokio::test]
    async fn an_event_reaches_only_the_subscribers_it_concerns() {
        let feeds = Feeds::default();
        let mut alice = feeds.subscribe(Topic::Technician(TechnicianId(1)));
        let mut bob = feeds.subscribe(Topic::Technician(TechnicianId(2)));
        let mut customer = feeds.subscribe(Topic::Session(SessionId(7)));
        let mut other_customer = feeds.subscribe(Topic::Session(SessionId(8)));
        let mut relay = feeds.subscribe(Topic::SessionAndOrganisation(SessionId(8)));
        feeds.publish(&outgoing(1, Some(7), Some(&[1])));
        feeds.publish(&outgoing(2, None, None));
        assert_eq!(alice.try_recv().map(|o| o.published.seq), Some(1));
        assert_eq!(alice.try_recv().map(|o| o.published.seq), Some(2));
        assert_eq!(
            bob.try_recv().map(|o| o.published.seq),
            Some(2),
            "org-wide only"
        );
        assert!(bob.try_recv().is_none());
        assert_eq!(customer.try_recv().map(|o| o.published.seq), Some(1));
        assert!(
            customer.try_recv().is_none(),
            "no organisation event for a customer"
        );
        assert!(other_customer.try_recv().is_none());
        assert_eq!(relay.try_recv().map(|o| o.published.seq), Some(2));
        assert!(relay.try_recv().is_none());
        drop(alice);
        drop(relay);
        assert_eq!(feeds.len(), 3);
    }

    #[tokio::test]
    async fn a_subscriber_whose_queue_is_full_is_told_it_lagged_once() {
        let feeds = Feeds::default();
        let mut slow = feeds.subscribe(Topic::Technician(TechnicianId(1)));
        for seq in 0..=i64::try_from(QUEUE).unwrap_or(i64::MAX) {
            feeds.publish(&outgoing(seq, None, None));
        }
        assert_eq!(slow.recv().await.err(), Some(Missed::Lagged));
        assert_eq!(slow.recv().await.map(|o| o.published.seq).ok(), Some(0));
    }
}
