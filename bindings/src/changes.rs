//! What a console's state did between two moments, so only that crosses to Kotlin: the current
//! value once, then changes (a session's new chat lines, a session's new state), never the whole
//! state with every session's whole chat again (issue 13).
use crate::records::{
    ChatItem, ConnectionState, ConsoleState, InvitationItem, IssueItem, JumpClientItem, NamedItem,
    NoticeItem, PolicyItem, SessionItem, TeamItem, TechnicianItem, participant,
};
use std::collections::BTreeMap;
use tandem_core::client::Mirror;
use tandem_core::domain::{SessionId, Timestamp};
use tandem_core::protocol::ChatLine;

/// Which list of the console a session is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SessionList {
    /// Sessions the technician is in (`ConsoleState::sessions`).
    Mine,
    /// Sessions waiting in queues they may take from (`ConsoleState::queued`).
    Queued,
}

/// One session's change.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionChange {
    /// The session.
    pub id: SessionId,
    /// The list it is in now.
    pub list: SessionList,
    /// Its new state, when anything but its chat changed; its `chat` is always empty here.
    pub summary: Option<SessionItem>,
    /// Chat lines to add after those the console holds, oldest first.
    pub new_chat: Vec<ChatItem>,
    /// When true, `new_chat` is the whole chat (the session is new to the console, or the
    /// appliance sent a fresh snapshot whose chat differs): replace, do not add.
    pub chat_replaced: bool,
}

/// What changed since the previous state or change. A field left `None` did not change.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsoleChange {
    /// The number of the last event applied.
    pub seq: i64,
    /// The connection.
    pub connection: Option<ConnectionState>,
    /// Teams.
    pub teams: Option<Vec<TeamItem>>,
    /// Colleagues.
    pub technicians: Option<Vec<TechnicianItem>>,
    /// Sessions new or changed, in either list.
    pub sessions: Vec<SessionChange>,
    /// Sessions no longer in either list.
    pub removed: Vec<SessionId>,
    /// Invitations addressed to the technician.
    pub incoming: Option<Vec<InvitationItem>>,
    /// Invitations they sent.
    pub sent: Option<Vec<InvitationItem>>,
    /// Security policies.
    pub policies: Option<Vec<PolicyItem>>,
    /// Support issues taking help requests.
    pub issues: Option<Vec<IssueItem>>,
    /// Jump groups the technician belongs to.
    pub jump_groups: Option<Vec<NamedItem>>,
    /// Support button profiles.
    pub button_profiles: Option<Vec<NamedItem>>,
    /// Jump clients they may use.
    pub jump_clients: Option<Vec<JumpClientItem>>,
    /// What the appliance told this technician alone.
    pub notices: Option<Vec<NoticeItem>>,
}

impl ConsoleChange {
    /// Whether there is nothing to tell.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.connection.is_none()
            && self.teams.is_none()
            && self.technicians.is_none()
            && self.sessions.is_empty()
            && self.removed.is_empty()
            && self.incoming.is_none()
            && self.sent.is_none()
            && self.policies.is_none()
            && self.issues.is_none()
            && self.jump_groups.is_none()
            && self.button_profiles.is_none()
            && self.jump_clients.is_none()
            && self.notices.is_none()
    }
}

/// Where a session's chat stood when last told: its length and its first and last line's
/// event numbers. New lines are added only when the old ones are still there, unchanged in
/// number; anything else (a fresh snapshot's shorter window) replaces the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ChatMark {
    len: usize,
    first: i64,
    last: i64,
}

impl ChatMark {
    fn of(lines: &[ChatLine]) -> Self {
        Self {
            len: lines.len(),
            first: lines.first().map_or(0, |l| l.seq),
            last: lines.last().map_or(0, |l| l.seq),
        }
    }
}

/// What was last told to one listener, to tell it only what changed next.
#[derive(Debug)]
pub(crate) struct Told {
    state: ConsoleState,
    chat: BTreeMap<SessionId, ChatMark>,
}

fn chat_item(c: &ChatLine) -> ChatItem {
    ChatItem {
        seq: c.seq,
        at: c.at,
        from: participant(c.from),
        text: c.text.clone(),
    }
}

fn changed<T: PartialEq + Clone>(before: &T, now: &T) -> Option<T> {
    (before != now).then(|| now.clone())
}

impl Told {
    /// The first state told: everything, chat included.
    pub(crate) fn first(m: &Mirror, now: Timestamp) -> (Self, ConsoleState) {
        let full = ConsoleState::from_mirror(m, now);
        // Every session told, with or without chat: a session with none yet is told its first
        // lines as added, not as a new chat.
        let chat = full
            .sessions
            .iter()
            .chain(&full.queued)
            .map(|x| (x.id, ChatMark::of(chat_of(m, x.id))))
            .collect();
        let told = Self {
            state: ConsoleState::without_chat(m, now),
            chat,
        };
        (told, full)
    }

    /// What changed since the last state told, and remember it as told.
    pub(crate) fn next(&mut self, m: &Mirror, now: Timestamp) -> ConsoleChange {
        let state = ConsoleState::without_chat(m, now);
        let before = &self.state;
        let lists = |s: &ConsoleState| -> BTreeMap<SessionId, (SessionList, SessionItem)> {
            s.sessions
                .iter()
                .map(|x| (x.id, (SessionList::Mine, x.clone())))
                .chain(
                    s.queued
                        .iter()
                        .map(|x| (x.id, (SessionList::Queued, x.clone()))),
                )
                .collect()
        };
        let old = lists(before);
        let new = lists(&state);
        let mut sessions = Vec::new();
        let mut chat = BTreeMap::new();
        for (id, (list, item)) in &new {
            let lines = chat_of(m, *id);
            let mark = ChatMark::of(lines);
            let (new_chat, chat_replaced) = match self.chat.get(id) {
                Some(was) if *was == mark => (Vec::new(), false),
                Some(was)
                    if was.len <= mark.len
                        && (was.len == 0
                            || (lines[0].seq == was.first
                                && lines[was.len - 1].seq == was.last)) =>
                {
                    (lines[was.len..].iter().map(chat_item).collect(), false)
                }
                _ => (lines.iter().map(chat_item).collect(), true),
            };
            chat.insert(*id, mark);
            let summary = match old.get(id) {
                Some((was_list, was)) if was_list == list && was == item => None,
                _ => Some(item.clone()),
            };
            if summary.is_some() || !new_chat.is_empty() || chat_replaced {
                sessions.push(SessionChange {
                    id: *id,
                    list: *list,
                    summary,
                    new_chat,
                    chat_replaced,
                });
            }
        }
        let removed = old
            .keys()
            .filter(|id| !new.contains_key(id))
            .copied()
            .collect();
        let change = ConsoleChange {
            seq: state.seq,
            connection: changed(&before.connection, &state.connection),
            teams: changed(&before.teams, &state.teams),
            technicians: changed(&before.technicians, &state.technicians),
            sessions,
            removed,
            incoming: changed(&before.incoming, &state.incoming),
            sent: changed(&before.sent, &state.sent),
            policies: changed(&before.policies, &state.policies),
            issues: changed(&before.issues, &state.issues),
            jump_groups: changed(&before.jump_groups, &state.jump_groups),
            button_profiles: changed(&before.button_profiles, &state.button_profiles),
            jump_clients: changed(&before.jump_clients, &state.jump_clients),
            notices: changed(&before.notices, &state.notices),
        };
        self.state = state;
        self.chat = chat;
        change
    }
}

fn chat_of(m: &Mirror, session: SessionId) -> &[ChatLine] {
    m.chat.get(&session).map_or(&[][..], Vec::as_slice)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use tandem_core::client::Connection;
    use tandem_core::domain::{
        ClientMode, CustomerInfo, Event, Participant, Platform, QueueRef, State, TechnicianId,
    };

    const ME: TechnicianId = TechnicianId(1);

    fn mirror(sessions: &[u64]) -> Mirror {
        let mut state = State::default();
        for id in sessions {
            state.apply(&Event::SessionStarted {
                session: SessionId(*id),
                queue: QueueRef::Personal(ME),
                customer: CustomerInfo {
                    name: format!("Customer {id}"),
                    machine: String::new(),
                    platform: Platform::Linux,
                    mode: ClientMode::Full,
                },
                chat_enabled: true,
                at: Timestamp(0),
                jump_client: None,
                button: None,
            });
            state.apply(&Event::SessionAccepted {
                session: SessionId(*id),
                owner: ME,
            });
        }
        Mirror {
            me: ME,
            seq: 1,
            state,
            chat: BTreeMap::new(),
            connection: Connection::Online,
            notices: Vec::new(),
        }
    }

    fn say(m: &mut Mirror, session: u64, text: &str) {
        m.seq += 1;
        m.chat
            .entry(SessionId(session))
            .or_default()
            .push(ChatLine {
                seq: m.seq,
                at: 0,
                from: Participant::Customer,
                text: text.into(),
            });
    }

    fn texts(c: &SessionChange) -> Vec<&str> {
        c.new_chat.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_new_chat_line_is_all_that_crosses() {
        let mut m = mirror(&[10, 11]);
        for i in 0..1_000 {
            say(&mut m, 10, &format!("earlier line {i}"));
        }
        let (mut told, first) = Told::first(&m, Timestamp(0));
        assert_eq!(
            first.sessions[0].chat.len(),
            1_000,
            "the first state is whole"
        );
        say(&mut m, 10, "the printer is on fire");
        let change = told.next(&m, Timestamp(0));
        assert_eq!(change.sessions.len(), 1, "{change:?}");
        let s = &change.sessions[0];
        assert_eq!(
            (s.id, s.list, s.summary.is_none(), s.chat_replaced),
            (SessionId(10), SessionList::Mine, true, false)
        );
        assert_eq!(texts(s), ["the printer is on fire"]);
        assert!(
            change.teams.is_none() && change.technicians.is_none() && change.connection.is_none()
        );
        assert!(
            told.next(&m, Timestamp(0)).is_empty(),
            "nothing new, nothing told"
        );
    }

    #[test]
    fn a_sessions_state_goes_without_its_chat_and_a_removed_session_is_named() {
        let mut m = mirror(&[10, 11]);
        say(&mut m, 10, "hello");
        let (mut told, _) = Told::first(&m, Timestamp(0));
        m.state.apply(&Event::ChatToggled {
            session: SessionId(10),
            enabled: false,
        });
        m.state.sessions.remove(&SessionId(11));
        m.connection = Connection::Connecting { attempt: 1 };
        let change = told.next(&m, Timestamp(0));
        let s = &change.sessions[0];
        let summary = s.summary.as_ref().unwrap();
        assert!(!summary.chat_enabled);
        assert!(
            summary.chat.is_empty() && s.new_chat.is_empty() && !s.chat_replaced,
            "the chat did not change: none of it is sent"
        );
        assert_eq!(change.removed, [SessionId(11)]);
        assert_eq!(
            change.connection,
            Some(ConnectionState::Connecting { attempt: 1 })
        );
    }

    #[test]
    fn a_chat_that_is_not_the_old_one_plus_lines_is_replaced_whole() {
        let mut m = mirror(&[10]);
        for i in 0..5 {
            say(&mut m, 10, &format!("line {i}"));
        }
        let (mut told, _) = Told::first(&m, Timestamp(0));
        // A fresh snapshot after falling behind carries only the newest lines.
        m.chat.get_mut(&SessionId(10)).unwrap().drain(..3);
        say(&mut m, 10, "after the snapshot");
        let change = told.next(&m, Timestamp(0));
        let s = &change.sessions[0];
        assert!(s.chat_replaced);
        assert_eq!(texts(s), ["line 3", "line 4", "after the snapshot"]);
        // A session new to the console brings its whole chat.
        let mut joined = mirror(&[10, 12]);
        joined.chat = m.chat.clone();
        say(&mut joined, 12, "hi");
        let change = told.next(&joined, Timestamp(0));
        let new = change
            .sessions
            .iter()
            .find(|c| c.id == SessionId(12))
            .unwrap();
        assert!(new.chat_replaced && new.summary.is_some());
        assert_eq!(texts(new), ["hi"]);
    }
}
