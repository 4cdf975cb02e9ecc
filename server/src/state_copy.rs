//! Stored copies of the whole state (issue 14): start-up reads the newest and replays only the
//! events after it, instead of every event ever stored.
use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tandem_core::domain::State;

/// The copy's format. A copy of another format is passed over (every event is replayed, and a
/// new copy is written): raise it whenever `State`'s shape or the meaning of `State::apply`
/// changes, since a copy is only as good as the replay it stands for.
// 2: sessions keep the team whose queue they last waited in (`Session::team`).
// 3: an ended session's invitations leave the state with it; accounts keep who created them.
const FORMAT: u32 = 3;

/// Events read at a time while the state is rebuilt.
const REPLAY_CHUNK: i64 = 10_000;

#[derive(Serialize)]
struct CopyOut<'a> {
    format: u32,
    state: &'a State,
}

#[derive(Deserialize)]
struct Header {
    format: u32,
}

#[derive(Deserialize)]
struct CopyIn {
    state: State,
}

/// The state as a stored copy.
///
/// # Errors
/// If it cannot be written as JSON.
pub fn encode(state: &State) -> Result<String, serde_json::Error> {
    serde_json::to_string(&CopyOut {
        format: FORMAT,
        state,
    })
}

/// The state in a stored copy, if this version can read it.
fn decode(body: &str) -> Result<State, String> {
    let header: Header = serde_json::from_str(body).map_err(|e| e.to_string())?;
    if header.format != FORMAT {
        return Err(format!(
            "format {} (this version reads {FORMAT})",
            header.format
        ));
    }
    serde_json::from_str::<CopyIn>(body)
        .map(|c| c.state)
        .map_err(|e| e.to_string())
}

/// The state rebuilt from the newest stored copy and the events after it (from every event when
/// there is no copy, or none this version can read, which is then forgotten so that new ones
/// can be stored), the number of the last event, and that of the copy it started from.
///
/// # Errors
/// When the database fails or holds unreadable events.
pub async fn replay(store: &Store) -> Result<(State, i64, i64), StoreError> {
    let copy = match store.latest_state_snapshot().await? {
        Some((seq, body)) => match decode(&body) {
            Ok(state) => Some((state, seq)),
            Err(e) => {
                tracing::warn!(seq, error = %e, "a stored copy of the state is unreadable; replaying every event");
                store.forget_state_snapshots().await?;
                None
            }
        },
        None => None,
    };
    let (mut state, from) = copy.unwrap_or_default();
    let mut last_seq = from;
    loop {
        let chunk = store.events_after(last_seq, REPLAY_CHUNK).await?;
        let Some(last) = chunk.last() else { break };
        last_seq = last.seq;
        for stored in &chunk {
            state.apply(&stored.event);
        }
    }
    Ok((state, last_seq, from))
}

/// Write a copy of `state` (as of event `seq`) on a task of its own; `done` is told, when it is
/// over, whether it was stored.
pub fn save(store: Store, state: Arc<State>, seq: i64, done: impl FnOnce(bool) + Send + 'static) {
    tokio::spawn(async move {
        let body = tokio::task::spawn_blocking(move || encode(&state)).await;
        let saved = match body {
            Ok(Ok(body)) => store
                .save_state_snapshot(seq, crate::appliance::now_ms(), &body)
                .await
                .map_err(|e| e.to_string()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match &saved {
            Ok(true) => tracing::info!(seq, "stored a copy of the state"),
            Ok(false) => tracing::info!(seq, "a newer copy of the state is stored already"),
            Err(e) => tracing::warn!(seq, error = %e, "could not store a copy of the state"),
        }
        done(matches!(saved, Ok(true)));
    });
}
