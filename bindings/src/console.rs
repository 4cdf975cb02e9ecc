//! The console object Kotlin holds: sign in, follow live state, and every session command.
use crate::error::TandemError;
use crate::records::{
    ActionItem, ConsoleState, ExternalInvitationItem, FirstContactItem, ParticipantItem, action,
};
use crate::runtime::{run, spawn};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tandem_core::client::{Console, Endpoint, FeedOptions};
use tandem_core::domain::{
    Command, ExternalId, ExternalInvitee, InvitationId, IssueId, Participant, PolicyId, QueueRef,
    SessionId, TeamId, TechnicianId, Timestamp,
};

fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Told whenever what the console shows changes.
#[uniffi::export(with_foreign)]
pub trait ConsoleListener: Send + Sync {
    /// The new state (the first call brings the current one).
    fn on_state(&self, state: ConsoleState);
}

/// A running observation; it stops when cancelled or dropped.
#[derive(Debug, uniffi::Object)]
pub struct Observation {
    task: tokio::task::JoinHandle<()>,
}

#[uniffi::export]
impl Observation {
    /// Stop telling the listener.
    pub fn cancel(&self) {
        self.task.abort();
    }
}

impl Drop for Observation {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Ask an appliance who it is before trusting it: show the presented fingerprint, then pin it.
///
/// # Errors
/// When the appliance cannot be reached.
#[uniffi::export]
pub async fn first_contact(address: String) -> Result<FirstContactItem, TandemError> {
    run(async move {
        let c = tandem_core::client::first_contact(&address).await?;
        Ok(FirstContactItem {
            name: c.info.name,
            version: c.info.version,
            public_url: c.info.public_url,
            announced_fingerprint: c.info.fingerprint,
            presented_fingerprint: c.presented,
        })
    })
    .await
}

/// A signed-in technician's console.
#[derive(Debug, uniffi::Object)]
pub struct TandemConsole {
    console: Arc<Console>,
}

impl TandemConsole {
    async fn send(&self, command: Command) -> Result<(), TandemError> {
        let console = self.console.clone();
        run(async move {
            console.command(command).await?;
            Ok(())
        })
        .await
    }
}

fn member(p: ParticipantItem) -> Participant {
    match p {
        ParticipantItem::Technician { id } => Participant::Technician(TechnicianId(id)),
        ParticipantItem::External { id } => Participant::External(ExternalId(id)),
        ParticipantItem::Customer => Participant::Customer,
    }
}

#[uniffi::export]
impl TandemConsole {
    /// Sign in to the appliance at `address`, trusting the certificate with `fingerprint`, or,
    /// without one, what the platform trusts.
    ///
    /// # Errors
    /// Unreachable, untrusted, wrong credentials (`Refused` 401), locked (`Refused` 429).
    #[uniffi::constructor]
    pub async fn sign_in(
        address: String,
        fingerprint: Option<String>,
        email: String,
        password: String,
    ) -> Result<Arc<Self>, TandemError> {
        run(async move {
            let endpoint = match fingerprint {
                Some(f) => Endpoint::new(&address, &f)?,
                None => Endpoint::platform(&address)?,
            };
            let console =
                Console::sign_in(endpoint, &email, &password, FeedOptions::default()).await?;
            Ok(Arc::new(Self {
                console: Arc::new(console),
            }))
        })
        .await
    }

    /// What the console shows now.
    pub fn state(&self) -> ConsoleState {
        ConsoleState::from_mirror(&self.console.current(), now())
    }

    /// Tell `listener` the current state, then every change, until the observation is
    /// cancelled or dropped.
    pub fn observe(&self, listener: Arc<dyn ConsoleListener>) -> Arc<Observation> {
        let mut watch = self.console.watch();
        let task = spawn(async move {
            listener.on_state(ConsoleState::from_mirror(&watch.borrow_and_update(), now()));
            while watch.changed().await.is_ok() {
                let state = ConsoleState::from_mirror(&watch.borrow_and_update(), now());
                listener.on_state(state);
            }
        });
        Arc::new(Observation { task })
    }

    /// The flyout menu of a session: every action, greyed with its reason where not allowed
    /// now, and what each can be aimed at. Computed by the rules engine (A3).
    pub fn actions(&self, session: u64) -> Vec<ActionItem> {
        let mirror = self.console.current();
        let session = SessionId(session);
        mirror
            .actions(session)
            .into_iter()
            .map(|line| {
                let targets = mirror.targets(session, line.action);
                action(line, targets)
            })
            .collect()
    }

    /// A single-use session key for a customer, into the technician's own queue or a team's.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn session_key(&self, team: Option<u64>) -> Result<String, TandemError> {
        let console = self.console.clone();
        run(async move {
            Ok(console
                .session_key(team.map(|t| QueueRef::Team(TeamId(t))))
                .await?
                .key)
        })
        .await
    }

    /// Take a session from a queue.
    ///
    /// # Errors
    /// A [`TandemError`]; a refusal names its rule.
    pub async fn accept_from_queue(&self, session: u64) -> Result<(), TandemError> {
        self.send(Command::AcceptFromQueue {
            session: SessionId(session),
        })
        .await
    }

    /// Say something in a session's chat.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn send_chat(&self, session: u64, text: String) -> Result<(), TandemError> {
        self.send(Command::SendChat {
            session: SessionId(session),
            text,
        })
        .await
    }

    /// Switch the session's chat bar on or off (A2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn set_chat(&self, session: u64, enabled: bool) -> Result<(), TandemError> {
        self.send(Command::SetChat {
            session: SessionId(session),
            enabled,
        })
        .await
    }

    /// Share with one technician (S1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn invite_technician(
        &self,
        session: u64,
        technician: u64,
    ) -> Result<(), TandemError> {
        self.send(Command::InviteTechnician {
            session: SessionId(session),
            technician: TechnicianId(technician),
        })
        .await
    }

    /// Share with Any Representative of a team (S2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn invite_any_representative(
        &self,
        session: u64,
        team: u64,
    ) -> Result<(), TandemError> {
        self.send(Command::InviteAnyRepresentative {
            session: SessionId(session),
            team: TeamId(team),
        })
        .await
    }

    /// Request Help by support issue (S1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn request_help(&self, session: u64, issue: u64) -> Result<(), TandemError> {
        self.send(Command::RequestHelp {
            session: SessionId(session),
            issue: IssueId(issue),
        })
        .await
    }

    /// Cancel an active invitation (S5).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn cancel_invitation(&self, invitation: u64) -> Result<(), TandemError> {
        self.send(Command::CancelInvitation {
            invitation: InvitationId(invitation),
        })
        .await
    }

    /// Accept an invitation.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn accept_invitation(&self, invitation: u64) -> Result<(), TandemError> {
        self.send(Command::AcceptInvitation {
            invitation: InvitationId(invitation),
        })
        .await
    }

    /// Decline an invitation.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn decline_invitation(&self, invitation: u64) -> Result<(), TandemError> {
        self.send(Command::DeclineInvitation {
            invitation: InvitationId(invitation),
        })
        .await
    }

    /// Invite an external user (X1, X2): the link to send, and the policy's full description.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn invite_external(
        &self,
        session: u64,
        policy: u64,
        name: String,
        email: Option<String>,
        comments: String,
    ) -> Result<ExternalInvitationItem, TandemError> {
        let console = self.console.clone();
        run(async move {
            let sent = console
                .invite_external(
                    SessionId(session),
                    PolicyId(policy),
                    ExternalInvitee::Anyone { name, email },
                    &comments,
                )
                .await?;
            Ok(ExternalInvitationItem {
                link: sent.link,
                policy_name: sent.policy_name,
                policy_description: sent.policy_description,
                mailed_by_appliance: sent.mailed_by_appliance,
            })
        })
        .await
    }

    /// Transfer the session to a team's queue (T1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn transfer_to_team(&self, session: u64, team: u64) -> Result<(), TandemError> {
        self.send(Command::TransferToTeam {
            session: SessionId(session),
            team: TeamId(team),
        })
        .await
    }

    /// Transfer the session to a technician's personal queue (T2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn transfer_to_technician(
        &self,
        session: u64,
        technician: u64,
    ) -> Result<(), TandemError> {
        self.send(Command::TransferToTechnician {
            session: SessionId(session),
            technician: TechnicianId(technician),
        })
        .await
    }

    /// Remove a member, an external user or the customer (M1), after the UI's confirmation.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn remove_member(
        &self,
        session: u64,
        member: ParticipantItem,
    ) -> Result<(), TandemError> {
        self.send(Command::RemoveMember {
            session: SessionId(session),
            member: self::member(member),
        })
        .await
    }

    /// Hold the session in the owner's personal queue (C2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn hold(&self, session: u64) -> Result<(), TandemError> {
        self.send(Command::HoldSession {
            session: SessionId(session),
        })
        .await
    }

    /// End the session for everyone (C1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn end(&self, session: u64) -> Result<(), TandemError> {
        self.send(Command::EndSession {
            session: SessionId(session),
        })
        .await
    }

    /// Leave a session one does not own (C3).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn leave(&self, session: u64) -> Result<(), TandemError> {
        self.send(Command::LeaveSession {
            session: SessionId(session),
        })
        .await
    }

    /// Sign out: live updates stop and the sign-in ends.
    ///
    /// # Errors
    /// A [`TandemError`] from the appliance; updates stop either way.
    pub async fn sign_out(&self) -> Result<(), TandemError> {
        let console = self.console.clone();
        run(async move { Ok(console.sign_out().await?) }).await
    }
}
