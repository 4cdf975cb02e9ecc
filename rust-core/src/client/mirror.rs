//! A console's live copy of what it may see: the rules engine's state as filtered for the
//! technician, kept current by applying the same events the appliance applied.
use crate::domain::{
    Action, ActionState, Actor, Event, SessionId, State, Target, TechnicianId, Timestamp,
};
use crate::protocol::{ChatLine, Published, Snapshot, View};
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// The state of the connection to the appliance, for the console to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Connecting (again); `attempt` counts failures since the last success.
    Connecting {
        /// Failed attempts so far.
        attempt: u32,
    },
    /// Receiving live events.
    Online,
    /// Not connected; trying again after a pause.
    Offline {
        /// Why the last attempt failed or the connection ended.
        reason: String,
        /// When the next attempt starts, in milliseconds.
        retry_in_ms: u64,
    },
}

/// What a console knows now.
#[derive(Debug, Clone)]
pub struct Mirror {
    /// The signed-in technician.
    pub me: TechnicianId,
    /// The number of the last event applied.
    pub seq: i64,
    /// The organisation, and the sessions and invitations that concern the technician.
    pub state: State,
    /// The chat of each session in `state`.
    pub chat: BTreeMap<SessionId, Vec<ChatLine>>,
    /// The connection to the appliance.
    pub connection: Connection,
    /// What the appliance told this technician alone (a mail that could not be sent), oldest
    /// first; kept across fresh snapshots.
    pub notices: Vec<Notice>,
}

/// Something the appliance told the technician alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The number of the event that carried it.
    pub seq: i64,
    /// When (ms since the epoch).
    pub at: i64,
    /// What to tell the technician.
    pub text: String,
}

/// The most notices a mirror keeps (the newest).
const MAX_NOTICES: usize = 20;

/// What applying an event needs next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    /// Done (or already known).
    Done,
    /// The event concerns a session this mirror does not hold yet (the technician just joined
    /// it): fetch a fresh snapshot.
    NeedsSnapshot,
}

fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

impl Mirror {
    /// A mirror from a technician's snapshot; `None` for any other kind of view.
    #[must_use]
    pub fn from_snapshot(snapshot: Snapshot, connection: Connection) -> Option<Self> {
        match snapshot.view {
            View::Technician { me, state, chat } => Some(Self {
                me,
                seq: snapshot.seq,
                state,
                chat,
                connection,
                notices: Vec::new(),
            }),
            _ => None,
        }
    }

    pub(crate) fn apply(&mut self, published: &Published) -> Applied {
        if published.seq <= self.seq {
            return Applied::Done;
        }
        let event = &published.event;
        let unknown_session = event
            .session(&self.state)
            .is_some_and(|s| !self.state.sessions.contains_key(&s))
            && !matches!(
                event,
                Event::SessionStarted { .. }
                    | Event::InvitationSent { .. }
                    | Event::InvitationEnded { .. }
            );
        if unknown_session {
            return Applied::NeedsSnapshot;
        }
        self.state.apply(event);
        if let Event::ChatPosted {
            session,
            from,
            text,
            at: _,
        } = event
        {
            self.chat.entry(*session).or_default().push(ChatLine {
                seq: published.seq,
                at: published.at,
                from: *from,
                text: text.clone(),
            });
        }
        let notice = match event {
            Event::MailNotSent { reason, .. } => Some(format!(
                "The invitation e-mail could not be sent ({reason}). Copy the invitation link and send it another way."
            )),
            Event::CustomerClientStartedAgain { session } => {
                let customer = self.state.sessions.get(session).map_or_else(
                    || "the customer".to_owned(),
                    |s| s.customer.info.name.clone(),
                );
                Some(format!(
                    "A second support client joined the session of {customer} with its credential; the screen and shell now come from it. If {customer} did not start it again, end the session."
                ))
            }
            _ => None,
        };
        if let Some(text) = notice {
            self.notices.push(Notice {
                seq: published.seq,
                at: published.at,
                text,
            });
            let excess = self.notices.len().saturating_sub(MAX_NOTICES);
            self.notices.drain(..excess);
        }
        self.seq = published.seq;
        self.state.prune_for(self.me);
        let sessions = &self.state.sessions;
        self.chat.retain(|s, _| sessions.contains_key(s));
        Applied::Done
    }

    /// A fresh snapshot's mirror, keeping the notices this one holds.
    #[must_use]
    pub(crate) fn refreshed(&self, mut fresh: Self) -> Self {
        fresh.notices.clone_from(&self.notices);
        fresh
    }

    /// The flyout menu of a session for this technician, computed by the rules engine on this
    /// mirror: greyed actions carry their reason (A3). The appliance makes the same checks
    /// when asked.
    #[must_use]
    pub fn actions(&self, session: SessionId) -> Vec<ActionState> {
        self.state
            .available_actions(Actor::Technician(self.me), session, now())
    }

    /// What an action can be aimed at now (teams and members for sharing, queues for transfer).
    #[must_use]
    pub fn targets(&self, session: SessionId, action: Action) -> Vec<Target> {
        self.state
            .targets(Actor::Technician(self.me), session, action, now())
    }
}
