//! The console object Kotlin holds: sign in, follow live state, and every session command.
use crate::changes::{ConsoleChange, Told};
use crate::error::TandemError;
use crate::records::SystemInfoItem;
use crate::records::{
    ActionItem, ConsoleState, ExternalInvitationItem, FirstContactItem, ParticipantItem, QueueItem,
    SessionKeyItem, TwoStepItem, TwoStepSetupItem, action,
};
use crate::runtime::{run, spawn};
use crate::streams::{TandemScreen, TandemShell};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tandem_core::client::{Console, Endpoint, FeedOptions, ScreenView, ShellStream};
use tandem_core::domain::{
    ButtonProfileId, Command, ElevationMethod, Event, ExternalInvitee, InvitationId, IssueId,
    JumpClientId, JumpGroupId, JumpLocation, Participant, PolicyId, QueueRef, SessionId, TeamId,
    TechnicianId, Timestamp,
};

fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Told what the console shows: the whole state once, then only what changes.
#[uniffi::export(with_foreign)]
pub trait ConsoleListener: Send + Sync {
    /// The current state (the first call).
    fn on_state(&self, state: ConsoleState);
    /// What changed since the state or the change before (every later call).
    fn on_change(&self, change: ConsoleChange);
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
        ParticipantItem::Technician { id } => Participant::Technician(id),
        ParticipantItem::External { id } => Participant::External(id),
        ParticipantItem::Customer => Participant::Customer,
    }
}

#[uniffi::export]
impl TandemConsole {
    /// Sign in to the appliance at `address`, trusting the certificate with `fingerprint`, or,
    /// without one, what the platform trusts. `code` is the authenticator app's code (or a
    /// recovery code) of an account with two-step sign-in on (issue 26).
    ///
    /// # Errors
    /// Unreachable, untrusted, wrong credentials (`Refused` 401), locked (`Refused` 429); an
    /// account that needs its code `Refused` 401 with the code `second_factor_required`, one whose
    /// group requires two-step sign-in and has not set it up `Refused` 403
    /// `second_factor_setup_required`.
    #[uniffi::constructor]
    pub async fn sign_in(
        address: String,
        fingerprint: Option<String>,
        email: String,
        password: String,
        code: Option<String>,
    ) -> Result<Arc<Self>, TandemError> {
        run(async move {
            let endpoint = match fingerprint {
                Some(f) => Endpoint::new(&address, &f)?,
                None => Endpoint::platform(&address)?,
            };
            let console = Console::sign_in_with_code(
                endpoint,
                &email,
                &password,
                code.as_deref(),
                FeedOptions::default(),
            )
            .await?;
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

    /// Tell `listener` the current state, then what changes, until the observation is
    /// cancelled or dropped. A change is computed against what this listener was last told, so a
    /// burst of events it did not keep up with arrives as one change.
    pub fn observe(&self, listener: Arc<dyn ConsoleListener>) -> Arc<Observation> {
        let mut watch = self.console.watch();
        let task = spawn(async move {
            let (mut told, first) = Told::first(&watch.borrow_and_update(), now());
            listener.on_state(first);
            while watch.changed().await.is_ok() {
                let change = told.next(&watch.borrow_and_update(), now());
                if !change.is_empty() {
                    listener.on_change(change);
                }
            }
        });
        Arc::new(Observation { task })
    }

    /// The flyout menu of a session: every action, greyed with its reason where not allowed
    /// now, and what each can be aimed at. Computed by the rules engine (A3).
    pub fn actions(&self, session: SessionId) -> Vec<ActionItem> {
        let mirror = self.console.current();
        mirror
            .actions(session)
            .into_iter()
            .map(|line| {
                let targets = mirror.targets(session, line.action);
                action(line, targets)
            })
            .collect()
    }

    /// A single-use session key for a customer, into the technician's own queue or a team's,
    /// with the appliance it is for and when it expires.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn session_key(&self, team: Option<TeamId>) -> Result<SessionKeyItem, TandemError> {
        let console = self.console.clone();
        run(async move {
            let k = console.session_key(team.map(QueueRef::Team)).await?;
            Ok(SessionKeyItem {
                key: k.key,
                url: k.url,
                expires_at: k.expires_at,
            })
        })
        .await
    }

    /// Where this account stands with two-step sign-in (issue 26).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn two_step(&self) -> Result<TwoStepItem, TandemError> {
        let console = self.console.clone();
        run(async move {
            let s = console.api().second_factor().await?;
            Ok(TwoStepItem {
                enabled: s.enabled,
                pending: s.pending,
                required: s.required,
            })
        })
        .await
    }

    /// Begin setting up two-step sign-in: the key for an authenticator app (on once confirmed).
    ///
    /// # Errors
    /// A [`TandemError`]: `Refused` 400 while it is on already.
    pub async fn start_two_step(&self) -> Result<TwoStepSetupItem, TandemError> {
        let console = self.console.clone();
        run(async move {
            let s = console.api().start_second_factor().await?;
            Ok(TwoStepSetupItem {
                secret: s.secret,
                url: s.url,
            })
        })
        .await
    }

    /// Confirm the set-up with the app's first code: from now on sign-ins ask for a code. The
    /// recovery codes, to show this once.
    ///
    /// # Errors
    /// A [`TandemError`]: `Refused` 401 for a wrong code.
    pub async fn confirm_two_step(&self, code: String) -> Result<Vec<String>, TandemError> {
        let console = self.console.clone();
        run(async move {
            Ok(console
                .api()
                .confirm_second_factor(&code)
                .await?
                .recovery_codes)
        })
        .await
    }

    /// Start an unattended session through a jump client (J1); the technician owns it at once.
    /// Returns the new session's id.
    ///
    /// # Errors
    /// A [`TandemError`]; a refusal names its rule (G3 without unattended access, J1 without
    /// access to where it is pinned).
    pub async fn start_jump_session(
        &self,
        jump_client: JumpClientId,
    ) -> Result<SessionId, TandemError> {
        let console = self.console.clone();
        run(async move {
            let response = console
                .command(Command::StartJumpSession { jump_client })
                .await?;
            response
                .events
                .iter()
                .find_map(|p| match &p.event {
                    Event::SessionStarted { session, .. } => Some(*session),
                    _ => None,
                })
                .ok_or_else(|| TandemError::Protocol {
                    detail: "the appliance started no session".into(),
                })
        })
        .await
    }

    /// Take a session from a queue.
    ///
    /// # Errors
    /// A [`TandemError`]; a refusal names its rule.
    pub async fn accept_from_queue(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::AcceptFromQueue { session }).await
    }

    /// Say something in a session's chat.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn send_chat(&self, session: SessionId, text: String) -> Result<(), TandemError> {
        self.send(Command::SendChat { session, text }).await
    }

    /// Switch the session's chat bar on or off (A2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn set_chat(&self, session: SessionId, enabled: bool) -> Result<(), TandemError> {
        self.send(Command::SetChat { session, enabled }).await
    }

    /// Share with one technician (S1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn invite_technician(
        &self,
        session: SessionId,
        technician: TechnicianId,
    ) -> Result<(), TandemError> {
        self.send(Command::InviteTechnician {
            session,
            technician,
        })
        .await
    }

    /// Share with Any Representative of a team (S2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn invite_any_representative(
        &self,
        session: SessionId,
        team: TeamId,
    ) -> Result<(), TandemError> {
        self.send(Command::InviteAnyRepresentative { session, team })
            .await
    }

    /// Request Help by support issue (S1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn request_help(
        &self,
        session: SessionId,
        issue: IssueId,
    ) -> Result<(), TandemError> {
        self.send(Command::RequestHelp { session, issue }).await
    }

    /// Cancel an active invitation (S5).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn cancel_invitation(&self, invitation: InvitationId) -> Result<(), TandemError> {
        self.send(Command::CancelInvitation { invitation }).await
    }

    /// Accept an invitation.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn accept_invitation(&self, invitation: InvitationId) -> Result<(), TandemError> {
        self.send(Command::AcceptInvitation { invitation }).await
    }

    /// Decline an invitation.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn decline_invitation(&self, invitation: InvitationId) -> Result<(), TandemError> {
        self.send(Command::DeclineInvitation { invitation }).await
    }

    /// Invite an external user (X1, X2): the link to send, and the policy's full description.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn invite_external(
        &self,
        session: SessionId,
        policy: PolicyId,
        name: String,
        email: Option<String>,
        comments: String,
    ) -> Result<ExternalInvitationItem, TandemError> {
        let console = self.console.clone();
        run(async move {
            let sent = console
                .invite_external(
                    session,
                    policy,
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
    pub async fn transfer_to_team(
        &self,
        session: SessionId,
        team: TeamId,
    ) -> Result<(), TandemError> {
        self.send(Command::TransferToTeam { session, team }).await
    }

    /// Transfer the session to a technician's personal queue (T2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn transfer_to_technician(
        &self,
        session: SessionId,
        technician: TechnicianId,
    ) -> Result<(), TandemError> {
        self.send(Command::TransferToTechnician {
            session,
            technician,
        })
        .await
    }

    /// Remove a member, an external user or the customer (M1), after the UI's confirmation.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn remove_member(
        &self,
        session: SessionId,
        member: ParticipantItem,
    ) -> Result<(), TandemError> {
        self.send(Command::RemoveMember {
            session,
            member: self::member(member),
        })
        .await
    }

    /// Hold the session in the owner's personal queue (C2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn hold(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::HoldSession { session }).await
    }

    /// End the session for everyone (C1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn end(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::EndSession { session }).await
    }

    /// Leave a session one does not own (C3).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn leave(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::LeaveSession { session }).await
    }

    /// Reachable by mail while signed out (S3, S4).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn set_extended_availability(&self, on: bool) -> Result<(), TandemError> {
        self.send(Command::SetExtendedAvailability { on }).await
    }

    /// Keep the chat bar docked (A2).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn set_chat_pinned(
        &self,
        session: SessionId,
        pinned: bool,
    ) -> Result<(), TandemError> {
        self.send(Command::SetChatPinned { session, pinned }).await
    }

    /// Ask to see (or, with `control`, to control) the customer's screen (A1); the customer is
    /// asked first unless they allowed everything.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn start_screen(&self, session: SessionId, control: bool) -> Result<(), TandemError> {
        self.send(Command::StartScreen { session, control }).await
    }

    /// Stop screen sharing.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn stop_screen(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::StopScreen { session }).await
    }

    /// Ask for a command shell on the customer's computer (A1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn start_shell(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::StartShell { session }).await
    }

    /// Close the command shell.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn stop_shell(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::StopShell { session }).await
    }

    /// Open the customer's system information (recorded, G3).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn view_system_info(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::ViewSystemInfo { session }).await
    }

    /// The customer's latest system information (after `view_system_info`).
    ///
    /// # Errors
    /// `Refused` where the rules do not allow it, or before the customer client reported.
    pub async fn system_info(&self, session: SessionId) -> Result<SystemInfoItem, TandemError> {
        let console = self.console.clone();
        run(async move {
            let info = console.api().system_info(session).await?;
            Ok(SystemInfoItem::from(info))
        })
        .await
    }

    /// Open the customer's screen (it must be shared: `start_screen`).
    ///
    /// # Errors
    /// `Refused` where the rules do not allow it now.
    pub async fn open_screen(&self, session: SessionId) -> Result<Arc<TandemScreen>, TandemError> {
        let console = self.console.clone();
        run(async move {
            let view = ScreenView::open(console.api(), session).await?;
            Ok(TandemScreen::new(view))
        })
        .await
    }

    /// Open the customer's command shell (it must be open: `start_shell`).
    ///
    /// # Errors
    /// `Refused` where the rules do not allow it now.
    pub async fn open_shell(&self, session: SessionId) -> Result<Arc<TandemShell>, TandemError> {
        let console = self.console.clone();
        run(async move {
            let stream = ShellStream::open(console.api(), session).await?;
            Ok(TandemShell::new(stream))
        })
        .await
    }

    /// Ask a click-to-chat customer to switch to the full client (E1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn upgrade_to_full_client(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::UpgradeToFullClient { session }).await
    }

    /// Prompt Customer (E3): the customer types administrative credentials.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn elevate_prompt_customer(&self, session: SessionId) -> Result<(), TandemError> {
        let console = self.console.clone();
        run(async move {
            console
                .api()
                .elevate(session, ElevationMethod::PromptCustomer, None)
                .await?;
            Ok(())
        })
        .await
    }

    /// Provide Credentials (E3): passed to the customer client only, never stored. Returns
    /// whether a connected customer client received them.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn elevate_with_credentials(
        &self,
        session: SessionId,
        username: String,
        password: String,
    ) -> Result<bool, TandemError> {
        let console = self.console.clone();
        run(async move {
            Ok(console
                .api()
                .elevate(
                    session,
                    ElevationMethod::ProvideCredentials,
                    Some((username, password)),
                )
                .await?)
        })
        .await
    }

    /// Deploy a Support Button (B1) that starts sessions into `queue` until `expires_at_ms`.
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn deploy_support_button(
        &self,
        session: SessionId,
        name: String,
        expires_at_ms: u64,
        profile: u64,
        queue: QueueItem,
    ) -> Result<(), TandemError> {
        let queue = match queue {
            QueueItem::Team { team } => QueueRef::Team(team),
            QueueItem::Personal { technician } => QueueRef::Personal(technician),
        };
        self.send(Command::DeploySupportButton {
            session,
            name,
            expires_at: Timestamp(expires_at_ms),
            profile: ButtonProfileId(profile),
            queue,
        })
        .await
    }

    /// Remove the Support Button, after the UI's confirmation (B1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn remove_support_button(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::RemoveSupportButton { session }).await
    }

    /// Pin a Jump Client to the technician's own list (`group` absent) or a jump group (J1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn pin_jump_client(
        &self,
        session: SessionId,
        group: Option<JumpGroupId>,
    ) -> Result<(), TandemError> {
        let me = self.console.current().me;
        let location = group.map_or(JumpLocation::Personal(me), JumpLocation::Group);
        self.send(Command::PinJumpClient { session, location })
            .await
    }

    /// Unpin (uninstall) the Jump Client, after the UI's confirmation (J1).
    ///
    /// # Errors
    /// A [`TandemError`].
    pub async fn unpin_jump_client(&self, session: SessionId) -> Result<(), TandemError> {
        self.send(Command::UnpinJumpClient { session }).await
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
