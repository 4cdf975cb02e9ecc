//! Session reports (issue 16): who took part in a session, when and for how long, and its chat
//! transcript, read from the session's own stored events (its index, never the whole history).
use crate::store::StoredEvent;
use std::collections::BTreeMap;
use tandem_core::domain::{Event, Participant, ReleaseReason, SessionId, State};

/// One stretch of someone's part in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Who, by name.
    pub who: String,
    /// Technician, external user or customer.
    pub role: &'static str,
    /// When they came in (ms since the epoch).
    pub joined: i64,
    /// When they left, if they did before the report was read.
    pub left: Option<i64>,
}

/// A line of the session's chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// When (ms since the epoch).
    pub at: i64,
    /// Who, by name.
    pub who: String,
    /// What.
    pub text: String,
}

/// What a session's report says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The session.
    pub session: SessionId,
    /// The customer's name.
    pub customer: String,
    /// When it started.
    pub started: Option<i64>,
    /// When it ended, if it did.
    pub ended: Option<i64>,
    /// Everyone's part, in the order they came in.
    pub parts: Vec<Part>,
    /// The chat, in order.
    pub chat: Vec<Said>,
}

impl Report {
    /// How long the session lasted, or has lasted until `now` (ms).
    #[must_use]
    pub fn length(&self, now: i64) -> Option<i64> {
        Some(self.ended.unwrap_or(now) - self.started?)
    }
}

/// Who a participant is, by name: technicians as they are called now, external users as they
/// were invited.
fn name(
    state: &State,
    externals: &BTreeMap<u64, String>,
    who: &Participant,
    customer: &str,
) -> String {
    match who {
        Participant::Technician(t) => state
            .technicians
            .get(t)
            .map_or_else(|| format!("Technician {}", t.0), |t| t.name.clone()),
        Participant::External(e) => externals
            .get(&e.0)
            .cloned()
            .unwrap_or_else(|| format!("External user {}", e.0)),
        Participant::Customer => customer.to_owned(),
    }
}

fn role(who: &Participant) -> &'static str {
    match who {
        Participant::Technician(_) => "Technician",
        Participant::External(_) => "External user",
        Participant::Customer => "Customer",
    }
}

/// Someone's stretch in the session: who, when they came, when they left.
type Stretch = (Participant, i64, Option<i64>);

/// `who` came in at `at`, unless they are in already.
fn came(stretches: &mut Vec<Stretch>, who: Participant, at: i64) {
    if !stretches
        .iter()
        .any(|(w, _, left)| *w == who && left.is_none())
    {
        stretches.push((who, at, None));
    }
}

/// `who` left at `at`.
fn went(stretches: &mut [Stretch], who: &Participant, at: i64) {
    for (w, _, left) in stretches.iter_mut() {
        if w == who && left.is_none() {
            *left = Some(at);
        }
    }
}

/// The report of `session` from its events, in order.
#[must_use]
pub fn report(session: SessionId, events: &[StoredEvent], state: &State) -> Report {
    let mut customer = String::new();
    let (mut started, mut ended) = (None, None);
    let mut externals = BTreeMap::new();
    // Who came in when: (who, joined, left), in order; one open stretch per participant.
    let mut stretches: Vec<Stretch> = Vec::new();
    let mut chat = Vec::new();
    for stored in events {
        let at = stored.at;
        match &stored.event {
            Event::SessionStarted { customer: c, .. } => {
                customer.clone_from(&c.name);
                started = Some(at);
                came(&mut stretches, Participant::Customer, at);
            }
            Event::SessionAccepted { owner, .. } => {
                came(&mut stretches, Participant::Technician(*owner), at);
            }
            Event::TechnicianJoined { technician, .. } => {
                came(&mut stretches, Participant::Technician(*technician), at);
            }
            Event::ExternalJoined { external, .. } => {
                externals.insert(external.id.0, external.name.clone());
                came(&mut stretches, Participant::External(external.id), at);
            }
            Event::MemberLeft { member, .. } => went(&mut stretches, member, at),
            // Held (C2) or its account disabled: the owner's view closed. After a transfer
            // they stay on as a member (T3).
            Event::SessionReleased {
                former_owner,
                reason,
                ..
            } if *reason != ReleaseReason::Transferred => {
                went(&mut stretches, &Participant::Technician(*former_owner), at);
            }
            Event::CustomerDisconnected { .. } => went(&mut stretches, &Participant::Customer, at),
            Event::ChatPosted { from, text, .. } => chat.push((at, *from, text.clone())),
            Event::SessionEnded { .. } => {
                ended = Some(at);
                for (_, _, left) in &mut stretches {
                    left.get_or_insert(at);
                }
            }
            _ => {}
        }
    }
    Report {
        session,
        parts: stretches
            .into_iter()
            .map(|(who, joined, left)| Part {
                who: name(state, &externals, &who, &customer),
                role: role(&who),
                joined,
                left,
            })
            .collect(),
        chat: chat
            .into_iter()
            .map(|(at, from, text)| Said {
                at,
                who: name(state, &externals, &from, &customer),
                text,
            })
            .collect(),
        customer,
        started,
        ended,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_core::domain::{
        ClientMode, CustomerInfo, ExternalId, ExternalMember, InvitationId, LeaveReason, Platform,
        PolicyId, QueueRef, TechnicianId, Timestamp,
    };

    fn at(at: i64, event: Event) -> StoredEvent {
        StoredEvent {
            seq: at,
            at,
            event,
            session: Some(SessionId(1)),
            audience: None,
        }
    }

    fn ended(ms: i64) -> StoredEvent {
        at(
            ms,
            Event::SessionEnded {
                session: SessionId(1),
                uninstall_customer_client: true,
            },
        )
    }

    /// Who came and went when, what they said, and how long it lasted; someone still in when
    /// the session ended left with it.
    #[test]
    fn a_report_says_who_took_part_when_and_what_was_said() {
        let (session, tech, ext) = (SessionId(1), TechnicianId(7), ExternalId(9));
        let events = [
            at(
                1_000,
                Event::SessionStarted {
                    session,
                    queue: QueueRef::Personal(tech),
                    customer: CustomerInfo {
                        name: "Kim".into(),
                        machine: "kim-pc".into(),
                        platform: Platform::Linux,
                        mode: ClientMode::Full,
                    },
                    chat_enabled: true,
                    at: Timestamp(1_000),
                    jump_client: None,
                    button: None,
                },
            ),
            at(
                2_000,
                Event::SessionAccepted {
                    session,
                    owner: tech,
                },
            ),
            at(
                3_000,
                Event::ExternalJoined {
                    session,
                    external: ExternalMember {
                        id: ext,
                        name: "Val Vendor".into(),
                        invited_by: tech,
                        policy: PolicyId(3),
                        invitation: InvitationId(4),
                    },
                },
            ),
            at(
                4_000,
                Event::ChatPosted {
                    session,
                    from: Participant::External(ext),
                    text: "Hello".into(),
                    at: Timestamp(4_000),
                },
            ),
            at(
                5_000,
                Event::MemberLeft {
                    session,
                    member: Participant::External(ext),
                    why: LeaveReason::Removed,
                },
            ),
            ended(9_000),
        ];
        let r = report(session, &events, &State::default());
        assert_eq!(
            (r.customer.as_str(), r.started, r.ended),
            ("Kim", Some(1_000), Some(9_000))
        );
        assert_eq!(r.length(0), Some(8_000));
        let parts: Vec<_> = r
            .parts
            .iter()
            .map(|p| (p.who.as_str(), p.role, p.joined, p.left))
            .collect();
        assert_eq!(
            parts,
            [
                ("Kim", "Customer", 1_000, Some(9_000)),
                ("Technician 7", "Technician", 2_000, Some(9_000)),
                ("Val Vendor", "External user", 3_000, Some(5_000)),
            ]
        );
        assert_eq!(
            r.chat,
            [Said {
                at: 4_000,
                who: "Val Vendor".into(),
                text: "Hello".into()
            }]
        );
    }

    /// Holding (C2) closes the owner's part until they take the session again; after a transfer
    /// they stay on as a member (T3), so their part goes on.
    #[test]
    fn a_hold_ends_the_owners_part_and_a_transfer_does_not() {
        let (session, tech) = (SessionId(1), TechnicianId(7));
        let released = |reason| Event::SessionReleased {
            session,
            queue: QueueRef::Personal(tech),
            former_owner: tech,
            reason,
        };
        let accepted = Event::SessionAccepted {
            session,
            owner: tech,
        };
        let events = [
            at(2_000, accepted.clone()),
            at(4_000, released(ReleaseReason::Held)),
            at(6_000, accepted),
            at(7_000, released(ReleaseReason::Transferred)),
            ended(9_000),
        ];
        let r = report(session, &events, &State::default());
        let parts: Vec<_> = r.parts.iter().map(|p| (p.joined, p.left)).collect();
        assert_eq!(parts, [(2_000, Some(4_000)), (6_000, Some(9_000))]);
    }
}
