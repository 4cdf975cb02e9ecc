//! Storage: SQLite in the data directory by default (WAL), PostgreSQL when given a URL. The same
//! SQL runs on both. What is stored: the domain's events in order (from which the state is
//! rebuilt), and beside them only what the domain does not hold: password hashes, token and link
//! hashes, session keys, and the audit of refused commands.
use crate::token_cache::TokenCache;
use serde::{Serialize, de::DeserializeOwned};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor as _, Row as _};
use std::collections::BTreeSet;
use std::str::FromStr;
use std::time::Duration;
use tandem_core::domain::{Event, SessionId, TeamId, TechnicianId};
use tandem_core::protocol::ChatLine;

/// A database failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored row could not be read back.
    #[error("stored data is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// One stored event with its number.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// Its place in the appliance's one ordered history.
    pub seq: i64,
    /// When it happened (ms since the epoch).
    pub at: i64,
    /// What happened.
    pub event: Event,
    /// The session it concerns.
    pub session: Option<SessionId>,
    /// The technicians who may see it; `None`: every technician.
    pub audience: Option<BTreeSet<TechnicianId>>,
}

fn stored(row: &sqlx::any::AnyRow) -> Result<StoredEvent, StoreError> {
    let audience: Option<String> = row.try_get("audience")?;
    let session: Option<i64> = row.try_get("session")?;
    Ok(StoredEvent {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        event: parse(&row.try_get::<String, _>("body")?)?,
        session: session.and_then(|s| u64::try_from(s).ok()).map(SessionId),
        audience: audience.as_deref().map(parse).transpose()?,
    })
}

async fn insert_chat(
    tx: &mut Tx<'_>,
    seq: i64,
    session: SessionId,
    at: i64,
    from: &tandem_core::domain::Participant,
    text: &str,
) -> Result<(), StoreError> {
    // PostgreSQL's text cannot hold NUL, which a chat line may carry (the event keeps it, JSON-
    // escaped): the snapshot's copy shows it as U+FFFD rather than failing the whole batch.
    let text = text.replace('\0', "\u{FFFD}");
    sqlx::query("INSERT INTO chat (seq, session, at, speaker, text) VALUES ($1, $2, $3, $4, $5)")
        .bind(seq)
        .bind(i64::try_from(session.0).unwrap_or(i64::MAX))
        .bind(at)
        .bind(json(from)?)
        .bind(text)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Keep the list of sessions: a row when one starts, its end when it ends.
async fn list_session(tx: &mut Tx<'_>, at: i64, event: &Event) -> Result<(), StoreError> {
    let id = |s: SessionId| i64::try_from(s.0).unwrap_or(i64::MAX);
    match event {
        Event::SessionStarted {
            session, customer, ..
        } => {
            sqlx::query("INSERT INTO session_list (session, started_at, ended_at, customer) VALUES ($1, $2, NULL, $3)")
                .bind(id(*session))
                .bind(at)
                .bind(customer.name.replace('\0', "\u{FFFD}"))
                .execute(&mut **tx)
                .await?;
        }
        Event::SessionEnded { session, .. } => {
            sqlx::query("UPDATE session_list SET ended_at = $1 WHERE session = $2")
                .bind(at)
                .bind(id(*session))
                .execute(&mut **tx)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Who took part in a session and the groups whose queues it waited in, for the reports'
/// scope (G1): its owners, the technicians who joined it or in whose personal queue it waited,
/// its team queues.
async fn note_parties(tx: &mut Tx<'_>, event: &Event) -> Result<(), StoreError> {
    use tandem_core::domain::QueueRef;
    let (session, kind, id) = match event {
        Event::SessionStarted {
            session,
            queue: QueueRef::Team(team),
            ..
        }
        | Event::SessionReleased {
            session,
            queue: QueueRef::Team(team),
            ..
        } => (session, TEAM_PARTY, team.0),
        // Waiting for one technician: theirs even if nobody takes it.
        Event::SessionStarted {
            session,
            queue: QueueRef::Personal(owner),
            ..
        }
        | Event::SessionReleased {
            session,
            queue: QueueRef::Personal(owner),
            ..
        }
        | Event::SessionAccepted { session, owner } => (session, TECHNICIAN_PARTY, owner.0),
        Event::TechnicianJoined {
            session,
            technician,
        } => (session, TECHNICIAN_PARTY, technician.0),
        _ => return Ok(()),
    };
    let number = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO session_parties (session, kind, id) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(number(session.0))
    .bind(kind)
    .bind(number(id))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `count` numbered placeholders from `$first`, for an `IN (…)` list bound value by value.
fn placeholders(first: usize, count: usize) -> String {
    let marks: Vec<String> = (first..first + count).map(|n| format!("${n}")).collect();
    marks.join(", ")
}

/// `session_parties.kind` of a technician who took part.
const TECHNICIAN_PARTY: &str = "technician";
/// `session_parties.kind` of a group whose queue the session waited in.
const TEAM_PARTY: &str = "team";

/// What a table added after events were stored is filled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backfill {
    /// The chat table (issue 14).
    Chat,
    /// The list of sessions (issue 16).
    Sessions,
    /// Who took part in each session, and its queues (issue 16).
    Parties,
}

/// Fill a table added after events were stored from the session events before it.
pub(crate) async fn backfill(tx: &mut Tx<'_>, what: Backfill) -> Result<(), StoreError> {
    let rows =
        sqlx::query("SELECT seq, at, body FROM events WHERE session IS NOT NULL ORDER BY seq")
            .fetch_all(&mut **tx)
            .await?;
    for row in &rows {
        let (seq, at): (i64, i64) = (row.try_get("seq")?, row.try_get("at")?);
        let event = parse(&row.try_get::<String, _>("body")?)?;
        match (what, &event) {
            (
                Backfill::Chat,
                Event::ChatPosted {
                    session,
                    from,
                    text,
                    ..
                },
            ) => insert_chat(tx, seq, *session, at, from, text).await?,
            (Backfill::Sessions, _) => list_session(tx, at, &event).await?,
            (Backfill::Parties, _) => note_parties(tx, &event).await?,
            _ => {}
        }
    }
    Ok(())
}

/// Who took part in a session, and the groups whose queues it waited in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parties {
    /// Technicians who owned it or joined it.
    pub technicians: Vec<TechnicianId>,
    /// Groups whose queues it waited in.
    pub teams: Vec<TeamId>,
}

/// A session as listed for the reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSession {
    /// Its id.
    pub session: i64,
    /// When it started (ms since the epoch).
    pub started_at: i64,
    /// When it ended, if it did.
    pub ended_at: Option<i64>,
    /// The customer's name.
    pub customer: String,
}

/// What a stored login credential says.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The argon2id hash (PHC string).
    pub password_hash: String,
    /// Failed attempts in a row.
    pub failures: i64,
    /// No attempt is checked before this time (ms since the epoch).
    pub locked_until: i64,
}

/// The kinds of bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A technician's console login; the subject is the technician.
    Technician,
    /// A customer client in a session; the subject is the session.
    Customer,
    /// An external user in a session; the subject is the external user.
    External,
    /// A jump client's agent (J1); the subject is the jump client. Good until it is unpinned.
    JumpClient,
    /// A support button's secret (B1); the subject is the button. Good until it is removed.
    SupportButton,
    /// A sign-in to the administration web interface (issue 16); the subject is the technician.
    /// Carried only in its cookie: the API refuses it, and a console's token opens no page.
    AdminWeb,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Technician => "technician",
            Self::Customer => "customer",
            Self::External => "external",
            Self::JumpClient => "jump_client",
            Self::SupportButton => "support_button",
            Self::AdminWeb => "admin_web",
        }
    }
}

/// A line of the audit: a refused command or a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    /// When (ms since the epoch).
    pub at: i64,
    /// Who (`technician:3`, or the address a failed sign-in came from).
    pub actor: String,
    /// What they asked.
    pub command: String,
    /// What came of it.
    pub outcome: String,
}

/// A valid bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What kind of credential it is.
    pub kind: TokenKind,
    /// Whom it stands for (a technician, a session, an external user, a jump client, a button).
    pub subject: i64,
    /// When it stops working (ms since the epoch).
    pub expires_at: i64,
    /// The public key a customer's token is bound to (issue 26), read with the token and cached
    /// with it, so proving it costs no query per request.
    pub bound_key: Option<[u8; 32]>,
}

/// The database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Tokens found valid, so that a request need not wait for a query.
    tokens: TokenCache,
}

/// An open transaction.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    Ok(serde_json::to_string(value)?)
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    Ok(serde_json::from_str(text)?)
}

impl Store {
    /// Connect, and bring the schema up to date.
    ///
    /// # Errors
    /// When the database cannot be reached or migrated.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers work beside the writer; FULL makes every acknowledged
                        // commit survive a crash; the timeout waits out a concurrent writer.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Self {
            pool,
            backend,
            tokens: TokenCache::default(),
        };
        crate::migrations::run(&store.pool).await?;
        Ok(store)
    }

    /// Which database this is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Start a transaction.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn begin(&self) -> Result<Tx<'static>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// The connection pool, for the modules that keep tables of their own
    /// ([`crate::second_factor`]).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Mark where one command's writes begin within a batch's transaction.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn savepoint(tx: &mut Tx<'_>) -> Result<(), StoreError> {
        sqlx::query("SAVEPOINT command").execute(&mut **tx).await?;
        Ok(())
    }

    /// Undo one command's writes within a batch's transaction, back to its savepoint.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn rollback_to_savepoint(tx: &mut Tx<'_>) -> Result<(), StoreError> {
        sqlx::query("ROLLBACK TO SAVEPOINT command")
            .execute(&mut **tx)
            .await?;
        sqlx::query("RELEASE SAVEPOINT command")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Keep one command's writes within a batch's transaction.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn release_savepoint(tx: &mut Tx<'_>) -> Result<(), StoreError> {
        sqlx::query("RELEASE SAVEPOINT command")
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The newest copy of the whole state: the number of the last event in it, and the copy.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn latest_state_snapshot(&self) -> Result<Option<(i64, String)>, StoreError> {
        let row = sqlx::query("SELECT seq, body FROM state_snapshots ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => Some((row.try_get("seq")?, row.try_get("body")?)),
            None => None,
        })
    }

    /// Store a copy of the whole state as of event `seq` (unless a newer one is stored: then
    /// `false`), and forget the older copies.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn save_state_snapshot(
        &self,
        seq: i64,
        at: i64,
        body: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        // A copy that finishes after a newer one is not kept.
        let stored = sqlx::query("INSERT INTO state_snapshots (seq, at, body) SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM state_snapshots WHERE seq >= $1)")
            .bind(seq)
            .bind(at)
            .bind(body)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        sqlx::query("DELETE FROM state_snapshots WHERE seq < $1")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Forget every stored copy of the state (one that cannot be read).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn forget_state_snapshots(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM state_snapshots")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every event, in order.
    ///
    /// # Errors
    /// When the database fails or a row is unreadable.
    pub async fn all_events(&self) -> Result<Vec<StoredEvent>, StoreError> {
        self.events_after(0, i64::MAX).await
    }

    /// Events after `seq`, at most `limit`, in order.
    ///
    /// # Errors
    /// When the database fails or a row is unreadable.
    pub async fn events_after(&self, seq: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query("SELECT seq, at, session, audience, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(seq)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(stored).collect()
    }

    /// Sessions, newest first: `limit` of them started before `before` (a `(started_at,
    /// session)` of the last page), or the newest; with `within`, only those in which one of
    /// its technicians took part or that waited in one of its groups' queues.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn sessions(
        &self,
        before: Option<(i64, i64)>,
        limit: i64,
        within: Option<&Parties>,
    ) -> Result<Vec<ListedSession>, StoreError> {
        let (at, session) = before.unwrap_or((i64::MAX, i64::MAX));
        let mut sql = String::from(
            "SELECT session, started_at, ended_at, customer FROM session_list \
             WHERE (started_at < $1 OR (started_at = $1 AND session < $2))",
        );
        let mut ids = Vec::new();
        if let Some(parties) = within {
            let number = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            let technicians: Vec<i64> = parties.technicians.iter().map(|t| number(t.0)).collect();
            let teams: Vec<i64> = parties.teams.iter().map(|t| number(t.0)).collect();
            // Numbered placeholders after the three above, one per id.
            let mut any_of = |kind: &str, list: Vec<i64>| {
                if list.is_empty() {
                    return "1 = 0".to_owned();
                }
                let marks = placeholders(ids.len() + 4, list.len());
                ids.extend(list);
                format!("(kind = '{kind}' AND id IN ({marks}))")
            };
            let technicians = any_of(TECHNICIAN_PARTY, technicians);
            let teams = any_of(TEAM_PARTY, teams);
            sql.push_str(&format!(
                " AND session IN (SELECT session FROM session_parties WHERE {technicians} OR {teams})"
            ));
        }
        sql.push_str(" ORDER BY started_at DESC, session DESC LIMIT $3");
        let mut query = sqlx::query(&sql).bind(at).bind(session).bind(limit);
        for id in ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(ListedSession {
                    session: r.try_get("session")?,
                    started_at: r.try_get("started_at")?,
                    ended_at: r.try_get("ended_at")?,
                    customer: r.try_get("customer")?,
                })
            })
            .collect()
    }

    /// Who took part in a session, and the groups whose queues it waited in.
    ///
    /// # Errors
    /// When the database fails or a row is unreadable.
    pub async fn session_parties(&self, session: SessionId) -> Result<Parties, StoreError> {
        let rows = sqlx::query("SELECT kind, id FROM session_parties WHERE session = $1")
            .bind(i64::try_from(session.0).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        let mut parties = Parties::default();
        for row in &rows {
            let kind: String = row.try_get("kind")?;
            let id = u64::try_from(row.try_get::<i64, _>("id")?).unwrap_or(u64::MAX);
            if kind == TECHNICIAN_PARTY {
                parties.technicians.push(TechnicianId(id));
            } else if kind == TEAM_PARTY {
                parties.teams.push(TeamId(id));
            }
        }
        Ok(parties)
    }

    /// The events of one session, in order (its chat transcript is among them).
    ///
    /// # Errors
    /// When the database fails or a row is unreadable.
    pub async fn session_events(&self, session: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, session, audience, body FROM events WHERE session = $1 ORDER BY seq",
        )
        .bind(session)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored).collect()
    }

    /// Append one event.
    ///
    /// # Errors
    /// When the database fails, including when `seq` is taken (two writers).
    #[allow(clippy::too_many_arguments)]
    pub async fn append(
        tx: &mut Tx<'_>,
        seq: i64,
        at: i64,
        session: Option<SessionId>,
        audience: Option<&BTreeSet<TechnicianId>>,
        actor: &str,
        event: &Event,
    ) -> Result<(), StoreError> {
        let session = session.map(|s| i64::try_from(s.0).unwrap_or(i64::MAX));
        let audience = audience.map(json).transpose()?;
        sqlx::query("INSERT INTO events (seq, at, session, audience, actor, body) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(seq)
            .bind(at)
            .bind(session)
            .bind(audience)
            .bind(actor)
            .bind(json(event)?)
            .execute(&mut **tx)
            .await?;
        if let Event::ChatPosted {
            session,
            from,
            text,
            ..
        } = event
        {
            insert_chat(tx, seq, *session, at, from, text).await?;
        }
        list_session(tx, at, event).await?;
        note_parties(tx, event).await?;
        Ok(())
    }

    /// A session's newest chat lines up to event `up_to` (a snapshot's number: later lines
    /// reach its reader as events) whose text fits in `budget` bytes, oldest first: read newest
    /// first from the chat table, and no further than the budget.
    ///
    /// # Errors
    /// When the database fails or a row is unreadable.
    pub async fn recent_chat(
        &self,
        session: SessionId,
        up_to: i64,
        budget: usize,
    ) -> Result<Vec<ChatLine>, StoreError> {
        use futures_util::TryStreamExt as _;
        let session = i64::try_from(session.0).unwrap_or(i64::MAX);
        let mut rows = sqlx::query(
            "SELECT seq, at, speaker, text FROM chat WHERE session = $1 AND seq <= $2 ORDER BY seq DESC",
        )
        .bind(session)
        .bind(up_to)
        .fetch(&self.pool);
        let (mut lines, mut used) = (Vec::new(), 0usize);
        while let Some(row) = rows.try_next().await? {
            let text: String = row.try_get("text")?;
            used += text.len();
            if used > budget {
                break;
            }
            lines.push(ChatLine {
                seq: row.try_get("seq")?,
                at: row.try_get("at")?,
                from: parse(&row.try_get::<String, _>("speaker")?)?,
                text,
            });
        }
        lines.reverse();
        Ok(lines)
    }

    /// Record a refused command.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn audit(
        &self,
        at: i64,
        actor: &str,
        command: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO audit (at, actor, command, outcome) VALUES ($1, $2, $3, $4)")
            .bind(at)
            .bind(actor)
            .bind(command)
            .bind(outcome)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest `limit` lines of the audit, newest first; with `by`, only the lines of
    /// those actors (as `appliance::actor_label` names them).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn recent_audit(
        &self,
        limit: i64,
        by: Option<&[String]>,
    ) -> Result<Vec<AuditLine>, StoreError> {
        let mut sql = String::from("SELECT at, actor, command, outcome FROM audit");
        if let Some(actors) = by {
            if actors.is_empty() {
                return Ok(Vec::new());
            }
            let marks = placeholders(2, actors.len());
            sql.push_str(&format!(" WHERE actor IN ({marks})"));
        }
        sql.push_str(" ORDER BY at DESC LIMIT $1");
        let mut query = sqlx::query(&sql).bind(limit);
        for actor in by.unwrap_or_default() {
            query = query.bind(actor);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditLine {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    command: r.try_get("command")?,
                    outcome: r.try_get("outcome")?,
                })
            })
            .collect()
    }

    /// Store a technician's password hash.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn set_credential(
        tx: &mut Tx<'_>,
        technician: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM credentials WHERE technician = $1")
            .bind(technician)
            .execute(&mut **tx)
            .await?;
        sqlx::query("INSERT INTO credentials (technician, password_hash, failures, locked_until) VALUES ($1, $2, 0, 0)")
            .bind(technician)
            .bind(password_hash)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// A technician's stored credential.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn credential(&self, technician: i64) -> Result<Option<Credential>, StoreError> {
        let row = sqlx::query(
            "SELECT password_hash, failures, locked_until FROM credentials WHERE technician = $1",
        )
        .bind(technician)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Credential {
                password_hash: r.try_get("password_hash")?,
                failures: r.try_get("failures")?,
                locked_until: r.try_get("locked_until")?,
            })
        })
        .transpose()
    }

    /// Record the outcome of a login attempt.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn set_failures(
        &self,
        technician: i64,
        failures: i64,
        locked_until: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE credentials SET failures = $1, locked_until = $2 WHERE technician = $3",
        )
        .bind(failures)
        .bind(locked_until)
        .bind(technician)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Store a bearer token's hash.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn insert_token(
        tx: &mut Tx<'_>,
        token_hash: &str,
        kind: TokenKind,
        subject: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO tokens (token_hash, kind, subject, created_at, expires_at, revoked) VALUES ($1, $2, $3, $4, $5, 0)")
            .bind(token_hash)
            .bind(kind.as_str())
            .bind(subject)
            .bind(now)
            .bind(expires_at)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Bind a customer's token to its client's key (issue 26).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn bind_token(
        tx: &mut Tx<'_>,
        token_hash: &str,
        public_key: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO token_proofs (token_hash, public_key) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(public_key)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Who a bearer token stands for, if it is valid now.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn token_subject(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(TokenKind, i64)>, StoreError> {
        Ok(self
            .token(token_hash, now)
            .await?
            .map(|t| (t.kind, t.subject)))
    }

    /// A bearer token that is valid now: whom it stands for and until when.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn token(&self, token_hash: &str, now: i64) -> Result<Option<Token>, StoreError> {
        let generation = match self.tokens.get(token_hash, now) {
            Ok(token) => return Ok(Some(token)),
            Err(generation) => generation,
        };
        let row = sqlx::query("SELECT t.kind, t.subject, t.expires_at, p.public_key FROM tokens t LEFT JOIN token_proofs p ON p.token_hash = t.token_hash WHERE t.token_hash = $1 AND t.revoked = 0 AND t.expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let kind = match row.try_get::<String, _>("kind")?.as_str() {
            "technician" => TokenKind::Technician,
            "customer" => TokenKind::Customer,
            "jump_client" => TokenKind::JumpClient,
            "support_button" => TokenKind::SupportButton,
            "external" => TokenKind::External,
            "admin_web" => TokenKind::AdminWeb,
            // A kind this appliance does not know opens nothing (it used to count as external).
            _ => return Ok(None),
        };
        let bound_key = row
            .try_get::<Option<String>, _>("public_key")?
            .as_deref()
            .and_then(crate::proof::key_bytes);
        let token = Token {
            kind,
            subject: row.try_get("subject")?,
            expires_at: row.try_get("expires_at")?,
            bound_key,
        };
        self.tokens.keep(generation, token_hash, token);
        Ok(Some(token))
    }

    /// Forget the tokens found valid so far: call once a revocation is committed (the writer,
    /// for the rights its commands end; a failed commit, which may have stored them anyway).
    pub fn forget_tokens(&self) {
        self.tokens.forget_all();
    }

    /// Whether a subject has a token that is valid now (another device still signed in).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn has_valid_token(
        &self,
        kind: TokenKind,
        subject: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM tokens WHERE kind = $1 AND subject = $2 AND revoked = 0 AND expires_at > $3")
            .bind(kind.as_str())
            .bind(subject)
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Claim a credential that is handed out once; false if it was claimed before. The database
    /// decides, so two requests at once cannot both win.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn claim(
        tx: &mut Tx<'_>,
        kind: TokenKind,
        subject: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("INSERT INTO claims (kind, subject, claimed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(kind.as_str())
            .bind(subject)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revoke every token of one subject, with the command that ends its right.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn revoke_subject_in(
        tx: &mut Tx<'_>,
        kind: TokenKind,
        subject: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE tokens SET revoked = 1 WHERE kind = $1 AND subject = $2")
            .bind(kind.as_str())
            .bind(subject)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Store a bearer token's hash outside a command (a jump client's, or one it hands out).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn issue_token(
        &self,
        token_hash: &str,
        kind: TokenKind,
        subject: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        Self::insert_token(&mut tx, token_hash, kind, subject, now, expires_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revoke every token of one subject (a jump client that was unpinned).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn revoke_subject(&self, kind: TokenKind, subject: i64) -> Result<(), StoreError> {
        let revoked = sqlx::query("UPDATE tokens SET revoked = 1 WHERE kind = $1 AND subject = $2")
            .bind(kind.as_str())
            .bind(subject)
            .execute(&self.pool)
            .await;
        self.tokens.forget_all();
        revoked?;
        Ok(())
    }

    /// Revoke one token (logout).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn revoke_token(&self, token_hash: &str) -> Result<(), StoreError> {
        let revoked = sqlx::query("UPDATE tokens SET revoked = 1 WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await;
        self.tokens.forget_all();
        revoked?;
        Ok(())
    }

    /// Store a session key that brings a customer into a queue.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn insert_session_key(
        &self,
        key_hash: &str,
        queue: &str,
        created_by: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO session_keys (key_hash, queue, created_by, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)")
            .bind(key_hash)
            .bind(queue)
            .bind(created_by)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The queue of an unused, unexpired session key.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn session_key_queue(
        &self,
        key_hash: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT queue FROM session_keys WHERE key_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(key_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("queue")).transpose()?)
    }

    /// Use a session key up; false if someone used it first.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn use_session_key(
        tx: &mut Tx<'_>,
        key_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE session_keys SET used_at = $1 WHERE key_hash = $2 AND used_at IS NULL AND expires_at > $1")
            .bind(now)
            .bind(key_hash)
            .execute(&mut **tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Store a one-time download credential for a session's full client (issue 27).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn insert_download(
        &self,
        ticket_hash: &str,
        session: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO client_downloads (ticket_hash, session, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)")
            .bind(ticket_hash)
            .bind(session)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The session of a download credential that is unused and unexpired.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn download_session(
        &self,
        ticket_hash: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT session FROM client_downloads WHERE ticket_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(ticket_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("session")).transpose()?)
    }

    /// Use a download credential up, with the command that seats its client; false if it was
    /// used (or has expired) first. The database decides, so two clients at once cannot both win.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn use_download(
        tx: &mut Tx<'_>,
        ticket_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE client_downloads SET used_at = $1 WHERE ticket_hash = $2 AND used_at IS NULL AND expires_at > $1")
            .bind(now)
            .bind(ticket_hash)
            .execute(&mut **tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Store the hash of an external invitation's one-time link.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn insert_link(
        tx: &mut Tx<'_>,
        token_hash: &str,
        invitation: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO external_links (token_hash, invitation, created_at, redeemed_at) VALUES ($1, $2, $3, NULL)")
            .bind(token_hash)
            .bind(invitation)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The invitation a link belongs to, used or not.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn link_invitation(&self, token_hash: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT invitation FROM external_links WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("invitation")).transpose()?)
    }

    /// Use a one-time link up; false if it was used already. The database decides, so even two
    /// appliances on one PostgreSQL cannot both redeem it.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn redeem_link(
        tx: &mut Tx<'_>,
        token_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE external_links SET redeemed_at = $1 WHERE token_hash = $2 AND redeemed_at IS NULL")
            .bind(now)
            .bind(token_hash)
            .execute(&mut **tx)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use tandem_core::domain::{Participant, Timestamp};

    async fn store(dir: &tempfile::TempDir) -> Store {
        Store::open(&format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("t.db").display()
        ))
        .await
        .unwrap()
    }

    /// A hundred chat lines of 1,000 bytes in session 7, and one event of another kind.
    async fn chatter(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        let session = SessionId(7);
        Store::append(
            &mut tx,
            1,
            0,
            Some(session),
            None,
            "t",
            &Event::ChatToggled {
                session,
                enabled: true,
            },
        )
        .await
        .unwrap();
        for seq in 2..102 {
            let event = Event::ChatPosted {
                session,
                from: Participant::Customer,
                text: format!("{seq:04}{}", "x".repeat(996)),
                at: Timestamp(0),
            };
            Store::append(&mut tx, seq, 0, Some(session), None, "t", &event)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_snapshot_reads_a_sessions_newest_chat_within_its_budget() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        chatter(&store).await;
        let kept = store
            .recent_chat(SessionId(7), i64::MAX, 10_500)
            .await
            .unwrap();
        assert_eq!(kept.len(), 10);
        assert_eq!(kept.first().map(|l| l.seq), Some(92));
        assert_eq!(kept.last().map(|l| l.seq), Some(101));
        assert!(kept[0].text.starts_with("0092"));
        // As of a snapshot's number: later lines reach its reader as events, not twice.
        let as_of_50 = store.recent_chat(SessionId(7), 50, 10_500).await.unwrap();
        assert_eq!(as_of_50.last().map(|l| l.seq), Some(50));
        assert_eq!(as_of_50.len(), 10);
        assert!(
            store
                .recent_chat(SessionId(8), i64::MAX, 10_500)
                .await
                .unwrap()
                .is_empty()
        );
    }

    /// A store as the versions before the migration files left it: their statements (the same
    /// as the files'), a `schema_version` table at `version`, and session 7: its start at 1,000
    /// ms, a hundred chat events, its end at 9,000 ms.
    async fn legacy_store(dir: &tempfile::TempDir, version: i64) {
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let pool = AnyPoolOptions::new().connect(&url).await.unwrap();
        pool.execute(include_str!("../migrations/0001_initial.sql"))
            .await
            .unwrap();
        pool.execute(include_str!("../migrations/0002_event_audience.sql"))
            .await
            .unwrap();
        pool.execute(include_str!("../migrations/0003_claims.sql"))
            .await
            .unwrap();
        if version >= 5 {
            pool.execute("CREATE TABLE state_snapshots (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, body TEXT NOT NULL)")
                .await
                .unwrap();
        }
        if version >= 4 {
            pool.execute("CREATE TABLE chat (seq BIGINT PRIMARY KEY, session BIGINT NOT NULL, at BIGINT NOT NULL, speaker TEXT NOT NULL, text TEXT NOT NULL); CREATE INDEX chat_session ON chat (session, seq)")
                .await
                .unwrap();
        }
        pool.execute("CREATE TABLE schema_version (version BIGINT NOT NULL)")
            .await
            .unwrap();
        for v in 1..=version {
            sqlx::query("INSERT INTO schema_version (version) VALUES ($1)")
                .bind(v)
                .execute(&pool)
                .await
                .unwrap();
        }
        let bounds = [
            (
                1,
                1_000,
                Event::SessionStarted {
                    session: SessionId(7),
                    queue: tandem_core::domain::QueueRef::Team(tandem_core::domain::TeamId(1)),
                    customer: tandem_core::domain::CustomerInfo {
                        name: "Kim".into(),
                        machine: "kim-pc".into(),
                        platform: tandem_core::domain::Platform::Linux,
                        mode: tandem_core::domain::ClientMode::Full,
                    },
                    chat_enabled: true,
                    at: Timestamp(1_000),
                    jump_client: None,
                    button: None,
                },
            ),
            (
                102,
                9_000,
                Event::SessionEnded {
                    session: SessionId(7),
                    uninstall_customer_client: true,
                },
            ),
        ];
        for (seq, at, event) in bounds {
            sqlx::query(
                "INSERT INTO events (seq, at, session, actor, body) VALUES ($1, $2, 7, 't', $3)",
            )
            .bind(seq)
            .bind(at)
            .bind(serde_json::to_string(&event).unwrap())
            .execute(&pool)
            .await
            .unwrap();
        }
        for seq in 2..102_i64 {
            let event = Event::ChatPosted {
                session: SessionId(7),
                from: Participant::Customer,
                text: format!("line {seq}"),
                at: Timestamp(0),
            };
            sqlx::query(
                "INSERT INTO events (seq, at, session, actor, body) VALUES ($1, 0, 7, 't', $2)",
            )
            .bind(seq)
            .bind(serde_json::to_string(&event).unwrap())
            .execute(&pool)
            .await
            .unwrap();
            if version >= 4 {
                sqlx::query(
                    "INSERT INTO chat (seq, session, at, speaker, text) VALUES ($1, 7, 0, $2, $3)",
                )
                .bind(seq)
                .bind(serde_json::to_string(&Participant::Customer).unwrap())
                .bind(format!("line {seq}"))
                .execute(&pool)
                .await
                .unwrap();
            }
        }
        pool.close().await;
    }

    /// Stores made before the migration files carry on from their version: a version-3 store
    /// gets its chat table, filled from its events; a version-4 or -5 store keeps the one it
    /// filled; all end with every migration recorded and no `schema_version`, and their session
    /// listed for the reports (issue 16) from its events.
    #[tokio::test]
    async fn an_older_store_is_adopted_by_the_migrations_and_its_chat_filled() {
        for version in [3, 4, 5] {
            let dir = tempfile::tempdir().unwrap();
            legacy_store(&dir, version).await;
            let store = store(&dir).await;
            let all = store
                .recent_chat(SessionId(7), i64::MAX, usize::MAX)
                .await
                .unwrap();
            assert_eq!(all.len(), 100, "from version {version}");
            assert_eq!(all.first().map(|l| l.seq), Some(2));
            let listed = store.sessions(None, 10, None).await.unwrap();
            assert_eq!(
                listed,
                [ListedSession {
                    session: 7,
                    started_at: 1_000,
                    ended_at: Some(9_000),
                    customer: "Kim".into()
                }],
                "from version {version}"
            );
            // Its queue's group, for the reports' scope (G1); found by it, not by another.
            let parties = store.session_parties(SessionId(7)).await.unwrap();
            assert_eq!(parties.teams, [TeamId(1)], "from version {version}");
            let within = |team| Parties {
                technicians: Vec::new(),
                teams: vec![TeamId(team)],
            };
            for (team, found) in [(1, 1), (2, 0)] {
                let listed = store.sessions(None, 10, Some(&within(team))).await.unwrap();
                assert_eq!(listed.len(), found, "group {team}, from version {version}");
            }
            let applied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations")
                .fetch_one(&store.pool)
                .await
                .unwrap()
                .try_get("n")
                .unwrap();
            let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
                .unwrap()
                .count();
            assert_eq!(
                applied,
                i64::try_from(files).unwrap(),
                "from version {version}"
            );
            assert!(
                sqlx::query("SELECT 1 FROM schema_version")
                    .fetch_optional(&store.pool)
                    .await
                    .is_err()
            );
            drop(store);
            // And opened again, nothing more happens.
            let store = self::store(&dir).await;
            let again = store
                .recent_chat(SessionId(7), i64::MAX, usize::MAX)
                .await
                .unwrap();
            assert_eq!(again.len(), 100);
            assert_eq!(
                store.sessions(None, 10, None).await.unwrap().len(),
                1,
                "listed once"
            );
        }
    }
}
