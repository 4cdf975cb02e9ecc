//! What a console, a customer client or an external user sees at once when connecting: the
//! current value, before the numbered updates that follow it.
use crate::appliance::Appliance;
use crate::auth::Principal;
use crate::error::ApiError;
use std::collections::BTreeMap;
use tandem_core::domain::{Session, SessionId, State};
pub use tandem_core::protocol::{ChatLine, SessionView, Snapshot, View};

/// The most chat text a snapshot carries per session: the newest lines that fit (a long session
/// keeps its whole chat in the store; a console that connects gets the recent part at once).
pub const CHAT_SNAPSHOT_BUDGET: usize = 256 * 1024;

/// A session's chat as of event `seq` (the snapshot's number; later lines follow as events).
async fn chat(
    appliance: &Appliance,
    session: SessionId,
    seq: i64,
) -> Result<Vec<ChatLine>, ApiError> {
    Ok(appliance
        .store
        .recent_chat(session, seq, CHAT_SNAPSHOT_BUDGET)
        .await?)
}

async fn session_view(
    appliance: &Appliance,
    state: &State,
    seq: i64,
    session: &Session,
) -> Result<SessionView, ApiError> {
    let technicians = session
        .owner
        .iter()
        .chain(&session.members)
        .filter_map(|t| state.technicians.get(t).map(|x| (*t, x.name.clone())))
        .collect();
    // What was deployed from this session: the customer client installs it (claiming its
    // credential once). Never looked up by the machine id the client reported.
    Ok(SessionView {
        support_button: state
            .button_deployed_from(session.id)
            .cloned()
            .map(Box::new),
        jump_client: state
            .jump_client_pinned_from(session.id)
            .cloned()
            .map(Box::new),
        session: session.clone(),
        chat: chat(appliance, session.id, seq).await?,
        technicians,
    })
}

/// What `who` sees now.
///
/// # Errors
/// When the principal no longer exists or the database fails.
pub async fn snapshot(appliance: &Appliance, who: Principal) -> Result<Snapshot, ApiError> {
    let committed = appliance.read().await;
    let (state, seq) = (&committed.state, committed.last_seq);
    let view = match who {
        Principal::Technician(me) => {
            if !state.technicians.contains_key(&me) {
                return Err(ApiError::Unauthorized("This account no longer exists"));
            }
            let mine = state.view_for(me);
            let mut chats = BTreeMap::new();
            for id in mine.sessions.keys() {
                chats.insert(*id, chat(appliance, *id, seq).await?);
            }
            View::Technician {
                me,
                state: mine,
                chat: chats,
            }
        }
        Principal::Customer(session) => {
            let s = state
                .sessions
                .get(&session)
                .ok_or(ApiError::Gone("This session no longer exists"))?;
            View::Customer {
                session: session_view(appliance, state, seq, s).await?,
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
                session: crate::redact::session_view_for_external(
                    session_view(appliance, state, seq, s).await?,
                ),
            }
        }
    };
    Ok(Snapshot { seq, view })
}
