//! What a console, a customer client or an external user sees at once when connecting: the
//! current value, before the numbered updates that follow it.
use crate::appliance::Appliance;
use crate::auth::Principal;
use crate::error::ApiError;
use serde::Serialize;
use std::collections::BTreeMap;
use tandem_core::domain::{
    ButtonProfile, Event, ExternalMember, Invitation, JumpClient, JumpGroup, Participant,
    PermissionSet, QueueRef, SecurityPolicy, Session, SessionId, SessionStatus, Settings, State,
    SupportIssue, Team, Technician, TechnicianId, Timestamp,
};

/// One chat line.
#[derive(Debug, Clone, Serialize)]
pub struct ChatLine {
    /// The event number that carried it.
    pub seq: i64,
    /// When it was said.
    pub at: i64,
    /// Who said it.
    pub from: Participant,
    /// What was said.
    pub text: String,
}

/// A session with its transcript and the names of the technicians in it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    /// The session.
    pub session: Session,
    /// Its chat so far.
    pub chat: Vec<ChatLine>,
    /// The names of its technicians.
    pub technicians: BTreeMap<TechnicianId, String>,
}

/// A colleague as listed for sharing and transfer (S3).
#[derive(Debug, Clone, Serialize)]
pub struct Colleague {
    /// Their id.
    pub id: TechnicianId,
    /// Their name.
    pub name: String,
    /// Logged in to a console.
    pub logged_in: bool,
    /// Reachable by e-mail.
    pub extended_availability: bool,
}

/// Everything a principal sees now.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum View {
    /// A technician's console.
    Technician {
        /// The technician.
        me: Technician,
        /// What their groups allow.
        permissions: PermissionSet,
        /// The team tree.
        teams: Vec<Team>,
        /// Colleagues.
        technicians: Vec<Colleague>,
        /// Sessions they are in.
        sessions: Vec<SessionView>,
        /// Sessions waiting in queues they can take from.
        queued: Vec<Session>,
        /// Active invitations addressed to them.
        invitations: Vec<Invitation>,
        /// Active invitations they sent.
        sent: Vec<Invitation>,
        /// Security policies, with their full descriptions (X2).
        policies: Vec<SecurityPolicy>,
        /// Support issues that take help requests (S1).
        issues: Vec<SupportIssue>,
        /// Jump groups they belong to.
        jump_groups: Vec<JumpGroup>,
        /// Jump clients they may use.
        jump_clients: Vec<JumpClient>,
        /// Support button profiles.
        button_profiles: Vec<ButtonProfile>,
        /// Organisation settings.
        settings: Settings,
    },
    /// A customer client.
    Customer {
        /// Their session.
        session: SessionView,
    },
    /// An external user.
    External {
        /// Themselves.
        me: ExternalMember,
        /// Their session.
        session: SessionView,
    },
}

/// The view and the number of the last event it includes.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Updates after this number follow.
    pub seq: i64,
    /// What is seen.
    pub view: View,
}

async fn session_view(
    appliance: &Appliance,
    state: &State,
    session: &Session,
) -> Result<SessionView, ApiError> {
    let id = i64::try_from(session.id.0).unwrap_or(i64::MAX);
    let chat = appliance
        .store
        .session_events(id)
        .await?
        .into_iter()
        .filter_map(|e| match e.event {
            Event::ChatPosted { from, text, .. } => Some(ChatLine {
                seq: e.seq,
                at: e.at,
                from,
                text,
            }),
            _ => None,
        })
        .collect();
    let technicians = session
        .owner
        .iter()
        .chain(&session.members)
        .filter_map(|t| state.technicians.get(t).map(|x| (*t, x.name.clone())))
        .collect();
    Ok(SessionView {
        session: session.clone(),
        chat,
        technicians,
    })
}

/// What `who` sees now.
///
/// # Errors
/// When the principal no longer exists or the database fails.
pub async fn snapshot(appliance: &Appliance, who: Principal) -> Result<Snapshot, ApiError> {
    let (state, seq) = {
        let inner = appliance.read().await;
        (inner.state.clone(), inner.last_seq)
    };
    let now = Timestamp(u64::try_from(crate::appliance::now_ms()).unwrap_or(0));
    let view = match who {
        Principal::Technician(me) => {
            let tech = state
                .technicians
                .get(&me)
                .cloned()
                .ok_or(ApiError::Unauthorized("This account no longer exists"))?;
            let mut sessions = Vec::new();
            for s in state
                .sessions
                .values()
                .filter(|s| s.is_live() && s.has_technician(me))
            {
                sessions.push(session_view(appliance, &state, s).await?);
            }
            let queued = state
                .sessions
                .values()
                .filter(|s| match s.status {
                    SessionStatus::Queued(QueueRef::Personal(t)) => t == me,
                    SessionStatus::Queued(QueueRef::Team(team)) => state
                        .teams
                        .get(&team)
                        .is_some_and(|t| t.members.contains(&me)),
                    _ => false,
                })
                .cloned()
                .collect();
            let active = |i: &&Invitation| i.is_active(now);
            View::Technician {
                permissions: state.permissions_of(me),
                teams: state.teams.values().cloned().collect(),
                technicians: state
                    .technicians
                    .values()
                    .map(|t| Colleague {
                        id: t.id,
                        name: t.name.clone(),
                        logged_in: t.logged_in,
                        extended_availability: t.extended_availability,
                    })
                    .collect(),
                sessions,
                queued,
                invitations: state
                    .invitations
                    .values()
                    .filter(active)
                    .filter(|i| {
                        crate::visibility::visible(
                            &state,
                            who,
                            &Event::InvitationSent {
                                invitation: (*i).clone(),
                                email: None,
                            },
                        ) && i.inviter != me
                    })
                    .cloned()
                    .collect(),
                sent: state
                    .invitations
                    .values()
                    .filter(active)
                    .filter(|i| i.inviter == me)
                    .cloned()
                    .collect(),
                policies: state.policies.values().cloned().collect(),
                issues: state
                    .issues
                    .values()
                    .filter(|i| i.allow_help_requests)
                    .cloned()
                    .collect(),
                jump_groups: state
                    .jump_groups
                    .values()
                    .filter(|g| g.members.contains(&me))
                    .cloned()
                    .collect(),
                jump_clients: state
                    .jump_clients
                    .values()
                    .filter(|j| state.may_use_jump_location(me, j.location))
                    .cloned()
                    .collect(),
                button_profiles: state.button_profiles.values().cloned().collect(),
                settings: state.settings.clone(),
                me: tech,
            }
        }
        Principal::Customer(session) => {
            let s = state
                .sessions
                .get(&session)
                .ok_or(ApiError::Gone("This session no longer exists"))?;
            View::Customer {
                session: session_view(appliance, &state, s).await?,
            }
        }
        Principal::External(me) => {
            let s = state
                .sessions
                .values()
                .find(|s| s.externals.contains_key(&me))
                .ok_or(ApiError::Gone("You are no longer in this session"))?;
            let member = s
                .externals
                .get(&me)
                .cloned()
                .ok_or(ApiError::Gone("You are no longer in this session"))?;
            View::External {
                me: member,
                session: session_view(appliance, &state, s).await?,
            }
        }
    };
    Ok(Snapshot { seq, view })
}

/// The id of a session as stored.
#[must_use]
pub fn session_key(s: SessionId) -> i64 {
    i64::try_from(s.0).unwrap_or(i64::MAX)
}
