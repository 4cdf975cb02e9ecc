//! Commands in, events out. Every command is checked here against the state without changing
//! it; only the events of an accepted command are applied, so a refused command changes nothing.
use super::action::{Action, Target};
use super::command::{Actor, Command};
use super::denial::{CommandError, Denial, Entity, InvalidInput, Reason, deny};
use super::event::{Event, LeaveReason, ReleaseReason};
use super::ids::{
    ExternalId, InvitationId, JumpClientId, SessionId, SupportButtonId, TechnicianId, Timestamp,
};
use super::invitation::{
    EXTERNAL_INVITATION_LIFETIME_MS, ExternalInvitee, Invitation, InvitationEnd, InvitationState,
    Invitee,
};
use super::permission::{ExternalScope, Permission};
use super::rule::Rule;
use super::session::{
    ClientMode, CustomerGone, CustomerInfo, ElevationMethod, ExternalMember, JumpClient,
    Participant, PendingPrompt, Platform, PromptKind, QueueRef, ScreenState, Session,
    SessionStatus, SupportButton, Tool,
};
use super::state::{IdGen, State};

/// Longest chat message accepted.
pub const MAX_CHAT_CHARS: usize = 4000;
/// The most chat text one session holds (bytes): about a thousand of the longest messages, far
/// beyond any support conversation, so that no participant can grow a session (its store, its
/// snapshots) without end.
pub const MAX_CHAT_BYTES_PER_SESSION: u64 = 4 * 1024 * 1024;
/// Longest name (team, button, person) accepted.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest free text (descriptions, comments) accepted.
pub const MAX_TEXT_CHARS: usize = 2000;

pub(crate) fn text(field: &'static str, value: &str, max: usize) -> Result<(), InvalidInput> {
    if value.trim().is_empty() {
        Err(InvalidInput::Empty(field.to_owned()))
    } else if value.chars().count() > max {
        Err(InvalidInput::TooLong {
            field: field.to_owned(),
            max,
        })
    } else {
        Ok(())
    }
}

pub(crate) fn optional_text(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), InvalidInput> {
    if value.chars().count() > max {
        Err(InvalidInput::TooLong {
            field: field.to_owned(),
            max,
        })
    } else {
        Ok(())
    }
}

pub(crate) fn email(value: &str) -> Result<(), InvalidInput> {
    let ok = value.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !value.chars().any(char::is_whitespace)
        && value.len() <= 254;
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::Email(value.to_owned()))
    }
}

impl State {
    /// Check a command and, if it is accepted, apply it. Returns the events it caused, or why it
    /// was refused, in which case nothing changed.
    ///
    /// # Errors
    /// A [`CommandError`] when the rules refuse the command, it names something unknown, or its
    /// input is malformed.
    pub fn execute(
        &mut self,
        actor: Actor,
        command: &Command,
        now: Timestamp,
    ) -> Result<Vec<Event>, CommandError> {
        let events = self.plan(actor, command, now)?;
        for event in &events {
            self.apply(event);
        }
        Ok(events)
    }

    /// Check a command without changing anything: the events it would cause, or why not.
    ///
    /// # Errors
    /// As [`State::execute`].
    #[allow(clippy::too_many_lines)]
    pub fn plan(
        &self,
        actor: Actor,
        command: &Command,
        now: Timestamp,
    ) -> Result<Vec<Event>, CommandError> {
        use Command as C;
        self.account_enabled(actor)?;
        let mut ids = self.ids();
        let events = match command {
            C::SetLoggedIn { logged_in } => {
                let t = self.technician_actor(actor)?;
                let changed = self
                    .technicians
                    .get(&t)
                    .is_some_and(|x| x.logged_in != *logged_in);
                changed
                    .then_some(Event::LoggedInChanged {
                        technician: t,
                        logged_in: *logged_in,
                    })
                    .into_iter()
                    .collect()
            }
            C::SetExtendedAvailability { on } => {
                let t = self.technician_actor(actor)?;
                let changed = self
                    .technicians
                    .get(&t)
                    .is_some_and(|x| x.extended_availability != *on);
                changed
                    .then_some(Event::ExtendedAvailabilityChanged {
                        technician: t,
                        on: *on,
                    })
                    .into_iter()
                    .collect()
            }
            C::StartSession { queue, customer } => {
                guest(actor)?;
                self.start_session(&mut ids, *queue, customer, None, now)?
            }
            C::StartSessionFromButton { button, customer } => {
                guest(actor)?;
                let b = self
                    .support_buttons
                    .get(button)
                    .ok_or(CommandError::NotFound {
                        kind: Entity::SupportButton,
                        id: button.0,
                    })?;
                if now >= b.expires_at {
                    return Err(Denial::new(Rule::B1, Reason::ButtonExpired).into());
                }
                self.start_session(&mut ids, b.queue, customer, Some(*button), now)?
            }
            C::StartJumpSession { jump_client } => {
                self.start_jump_session(&mut ids, actor, *jump_client, now)?
            }
            C::AcceptFromQueue { session } => {
                let t = self.technician_actor(actor)?;
                let s = self.session(*session)?;
                match s.status {
                    SessionStatus::Ended => {
                        return Err(Denial::new(Rule::C1, Reason::SessionEnded).into());
                    }
                    SessionStatus::Active => {
                        return Err(Denial::new(Rule::T3, Reason::NotQueued).into());
                    }
                    SessionStatus::Queued(QueueRef::Team(team)) => {
                        if !self.enabled_team(team)?.members.contains(&t) {
                            return Err(Denial::new(Rule::T1, Reason::NotInQueueTeam).into());
                        }
                    }
                    SessionStatus::Queued(QueueRef::Personal(owner)) if owner != t => {
                        return Err(Denial::new(Rule::T2, Reason::NotYourPersonalQueue).into());
                    }
                    SessionStatus::Queued(QueueRef::Personal(_)) => {}
                }
                vec![Event::SessionAccepted {
                    session: *session,
                    owner: t,
                }]
            }

            C::SendChat {
                session,
                text: body,
            } => {
                let s = self.session(*session)?;
                let from = self.base(actor, s, Action::SendChat, now)?;
                text("A chat message", body, MAX_CHAT_CHARS)?;
                let size = u64::try_from(body.len()).unwrap_or(u64::MAX);
                if s.chat_bytes.saturating_add(size) > MAX_CHAT_BYTES_PER_SESSION {
                    return Err(InvalidInput::ChatFull {
                        max_bytes: MAX_CHAT_BYTES_PER_SESSION,
                    }
                    .into());
                }
                vec![Event::ChatPosted {
                    session: *session,
                    from,
                    text: body.clone(),
                    at: now,
                }]
            }
            C::SetChat { session, enabled } => {
                let s = self.session(*session)?;
                self.base(actor, s, Action::ToggleChat, now)?;
                (s.chat_enabled != *enabled)
                    .then_some(Event::ChatToggled {
                        session: *session,
                        enabled: *enabled,
                    })
                    .into_iter()
                    .collect()
            }
            C::SetChatPinned { session, pinned } => {
                let s = self.session(*session)?;
                let Participant::Technician(t) = self.base(actor, s, Action::PinChat, now)? else {
                    return Err(Denial::new(Rule::X5, Reason::ExternalCannot).into());
                };
                (s.chat_pinned.contains(&t) != *pinned)
                    .then_some(Event::ChatPinned {
                        session: *session,
                        technician: t,
                        pinned: *pinned,
                    })
                    .into_iter()
                    .collect()
            }
            C::StartScreen { session, control } => {
                let s = self.session(*session)?;
                let (action, tool, want) = if *control {
                    (
                        Action::ControlScreen,
                        Tool::ControlScreen,
                        ScreenState::Control,
                    )
                } else {
                    (Action::ViewScreen, Tool::ViewScreen, ScreenState::View)
                };
                let who = self.base(actor, s, action, now)?;
                let mut events = Vec::new();
                if s.screen == want {
                    return Ok(events);
                }
                if s.screen == ScreenState::Control && want == ScreenState::View {
                    // Giving up control needs no consent.
                    events.push(Event::ScreenChanged {
                        session: *session,
                        screen: want,
                    });
                } else {
                    events.extend(self.ask_or_start(s, who, tool));
                    // E3: screen sharing on a client that could be elevated offers elevation.
                    if s.customer.info.mode == ClientMode::Full
                        && s.customer.info.platform.supports_admin_elevation()
                    {
                        events.push(Event::ElevationSuggested { session: *session });
                    }
                }
                events
            }
            C::StartShell { session } => {
                let s = self.session(*session)?;
                let who = self.base(actor, s, Action::CommandShell, now)?;
                if s.shell {
                    Vec::new()
                } else {
                    self.ask_or_start(s, who, Tool::Shell)
                }
            }
            // Anyone in the session may stop a tool, the customer above all: taking back one's
            // screen or shell needs no permission.
            C::StopScreen { session } => {
                let s = self.session(*session)?;
                self.seat(actor, s)?;
                (s.screen != ScreenState::Off)
                    .then_some(Event::ScreenChanged {
                        session: *session,
                        screen: ScreenState::Off,
                    })
                    .into_iter()
                    .collect()
            }
            C::StopShell { session } => {
                let s = self.session(*session)?;
                self.seat(actor, s)?;
                s.shell
                    .then_some(Event::ShellChanged {
                        session: *session,
                        open: false,
                    })
                    .into_iter()
                    .collect()
            }
            C::ViewSystemInfo { session } => {
                let s = self.session(*session)?;
                let by = self.base(actor, s, Action::SystemInfo, now)?;
                vec![Event::SystemInfoViewed {
                    session: *session,
                    by,
                }]
            }
            C::UpgradeToFullClient { session } => {
                let s = self.session(*session)?;
                let by = self.base(actor, s, Action::UpgradeToFullClient, now)?;
                raise(s, PromptKind::UpgradeToFullClient, Some(by), false)
            }
            C::Elevate { session, method } => {
                let s = self.session(*session)?;
                let action = match method {
                    ElevationMethod::PromptCustomer => Action::ElevatePromptCustomer,
                    ElevationMethod::ProvideCredentials => Action::ElevateProvideCredentials,
                };
                let by = self.base(actor, s, action, now)?;
                raise(s, PromptKind::Elevation(*method), Some(by), false)
            }
            C::AnswerPrompt {
                session,
                prompt,
                accepted,
            } => self.answer(actor, *session, *prompt, *accepted)?,
            C::StartFullClient {
                session,
                machine,
                platform,
            } => self.start_full_client(actor, *session, machine, *platform)?,

            C::InviteTechnician {
                session,
                technician,
            } => {
                let (s, me) = self.targeted(
                    actor,
                    *session,
                    Action::ShareWithTechnician,
                    Target::Technician(*technician),
                    now,
                )?;
                let email = self
                    .technicians
                    .get(technician)
                    .filter(|t| t.extended_availability)
                    .map(|t| t.email.clone());
                vec![invite(
                    &mut ids,
                    s,
                    me,
                    Invitee::Technician(*technician),
                    now,
                    email,
                )]
            }
            C::InviteAnyRepresentative { session, team } => {
                let (s, me) = self.targeted(
                    actor,
                    *session,
                    Action::ShareAnyRepresentative,
                    Target::Team(*team),
                    now,
                )?;
                vec![invite(
                    &mut ids,
                    s,
                    me,
                    Invitee::AnyRepresentative(*team),
                    now,
                    None,
                )]
            }
            C::RequestHelp { session, issue } => {
                let (s, me) = self.targeted(
                    actor,
                    *session,
                    Action::RequestHelp,
                    Target::Issue(*issue),
                    now,
                )?;
                let team = self
                    .issues
                    .get(issue)
                    .ok_or(CommandError::NotFound {
                        kind: Entity::Issue,
                        id: issue.0,
                    })?
                    .team;
                vec![invite(
                    &mut ids,
                    s,
                    me,
                    Invitee::HelpRequest {
                        issue: *issue,
                        team,
                    },
                    now,
                    None,
                )]
            }
            C::InviteExternal {
                session,
                policy,
                invitee,
                comments,
            } => {
                let (s, me) = self.targeted(
                    actor,
                    *session,
                    Action::InviteExternal,
                    Target::Policy(*policy),
                    now,
                )?;
                optional_text("Comments", comments, MAX_TEXT_CHARS)?;
                let address = self.check_external_invitee(s, me, invitee, now)?;
                let mail = address.filter(|_| self.settings.appliance_sends_external_invitations);
                let invitee = Invitee::External {
                    invitee: invitee.clone(),
                    policy: *policy,
                    comments: comments.clone(),
                    expires_at: now.plus_millis(EXTERNAL_INVITATION_LIFETIME_MS),
                };
                vec![invite(&mut ids, s, me, invitee, now, mail)]
            }
            C::CancelInvitation { invitation } => {
                let inv = self.invitation(*invitation)?;
                self.targeted(
                    actor,
                    inv.session,
                    Action::CancelInvitation,
                    Target::Invitation(*invitation),
                    now,
                )?;
                vec![Event::InvitationEnded {
                    invitation: *invitation,
                    why: InvitationEnd::Cancelled,
                }]
            }
            C::AcceptInvitation { invitation } | C::DeclineInvitation { invitation } => {
                let accept = matches!(command, C::AcceptInvitation { .. });
                self.answer_invitation(actor, *invitation, accept, now)?
            }
            C::RedeemExternal { invitation } => {
                guest(actor)?;
                let inv = self.invitation(*invitation)?;
                let Invitee::External {
                    invitee, policy, ..
                } = &inv.invitee
                else {
                    return Err(Denial::new(Rule::X1, Reason::NotForYou).into());
                };
                if inv.is_expired(now) && inv.state == InvitationState::Active {
                    return Err(Denial::new(Rule::X1, Reason::LinkExpired).into());
                }
                if !inv.is_active(now) {
                    return Err(Denial::new(Rule::X1, Reason::InvitationInactive).into());
                }
                let name = match invitee {
                    ExternalInvitee::Anyone { name, .. } => name.clone(),
                    ExternalInvitee::Approved(p) => self
                        .approved_externals
                        .get(p)
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                };
                let external = ExternalMember {
                    id: ExternalId(ids.next()),
                    name,
                    invited_by: inv.inviter,
                    policy: *policy,
                    invitation: inv.id,
                };
                vec![
                    Event::InvitationEnded {
                        invitation: inv.id,
                        why: InvitationEnd::Accepted,
                    },
                    Event::ExternalJoined {
                        session: inv.session,
                        external,
                    },
                ]
            }

            C::TransferToTeam { session, team } => {
                let (s, me) = self.targeted(
                    actor,
                    *session,
                    Action::TransferToTeam,
                    Target::Team(*team),
                    now,
                )?;
                self.release(s, me, QueueRef::Team(*team), ReleaseReason::Transferred)
            }
            C::TransferToTechnician {
                session,
                technician,
            } => {
                let (s, me) = self.targeted(
                    actor,
                    *session,
                    Action::TransferToTechnician,
                    Target::Technician(*technician),
                    now,
                )?;
                self.release(
                    s,
                    me,
                    QueueRef::Personal(*technician),
                    ReleaseReason::Transferred,
                )
            }
            C::HoldSession { session } => {
                let s = self.session(*session)?;
                let me = technician_seat(self.base(actor, s, Action::HoldSession, now)?)?;
                self.release(s, me, QueueRef::Personal(me), ReleaseReason::Held)
            }
            C::RemoveMember { session, member } => {
                let (s, _) = self.targeted(
                    actor,
                    *session,
                    Action::RemoveMember,
                    Target::Participant(*member),
                    now,
                )?;
                match member {
                    Participant::Technician(t) => self.departure(s, *t, LeaveReason::Removed),
                    Participant::External(_) => {
                        vec![Event::MemberLeft {
                            session: *session,
                            member: *member,
                            why: LeaveReason::Removed,
                        }]
                    }
                    Participant::Customer => {
                        vec![Event::CustomerDisconnected {
                            session: *session,
                            why: CustomerGone::Removed,
                        }]
                    }
                }
            }
            C::EndSession { session } => {
                let s = self.session(*session)?;
                self.base(actor, s, Action::EndSession, now)?;
                self.end(s)
            }
            C::LeaveSession { session } => {
                let s = self.session(*session)?;
                match self.base(actor, s, Action::LeaveSession, now)? {
                    Participant::Technician(t) => self.departure(s, t, LeaveReason::Left),
                    who @ Participant::External(_) => {
                        vec![Event::MemberLeft {
                            session: *session,
                            member: who,
                            why: LeaveReason::Left,
                        }]
                    }
                    // A customer leaving a session nobody owns leaves nothing to support.
                    Participant::Customer if s.owner.is_none() => self.end(s),
                    Participant::Customer => {
                        vec![Event::CustomerDisconnected {
                            session: *session,
                            why: CustomerGone::Left,
                        }]
                    }
                }
            }

            C::DeploySupportButton {
                session,
                name,
                expires_at,
                profile,
                queue,
            } => {
                let (s, me) = self.targeted(
                    actor,
                    *session,
                    Action::DeploySupportButton,
                    Target::Queue(*queue),
                    now,
                )?;
                text("The support button's name", name, MAX_NAME_CHARS)?;
                if !self.button_profiles.contains_key(profile) {
                    return Err(CommandError::NotFound {
                        kind: Entity::ButtonProfile,
                        id: profile.0,
                    });
                }
                if *expires_at <= now {
                    return Err(Denial::new(Rule::B1, Reason::ExpiryInPast).into());
                }
                let button = SupportButton {
                    id: SupportButtonId(ids.next()),
                    session: *session,
                    machine: s.customer.info.machine.clone(),
                    name: name.trim().to_owned(),
                    expires_at: *expires_at,
                    profile: *profile,
                    queue: *queue,
                    deployed_by: me,
                };
                vec![Event::SupportButtonDeployed {
                    session: *session,
                    button,
                }]
            }
            C::RemoveSupportButton { session } => {
                let s = self.session(*session)?;
                self.base(actor, s, Action::RemoveSupportButton, now)?;
                self.button_of(s)
                    .map(|b| Event::SupportButtonRemoved {
                        session: *session,
                        button: b.id,
                    })
                    .into_iter()
                    .collect()
            }
            C::PinJumpClient { session, location } => {
                let (s, _) = self.targeted(
                    actor,
                    *session,
                    Action::PinJumpClient,
                    Target::JumpLocation(*location),
                    now,
                )?;
                let jump_client = JumpClient {
                    id: JumpClientId(ids.next()),
                    session: *session,
                    machine: s.customer.info.machine.clone(),
                    name: s.customer.info.name.clone(),
                    platform: s.customer.info.platform,
                    location: *location,
                };
                vec![Event::JumpClientPinned {
                    session: *session,
                    jump_client,
                }]
            }
            C::UnpinJumpClient { session } => {
                let s = self.session(*session)?;
                self.base(actor, s, Action::UnpinJumpClient, now)?;
                self.jump_client_of(s)
                    .map(|j| Event::JumpClientUnpinned {
                        session: *session,
                        jump_client: j.id,
                    })
                    .into_iter()
                    .collect()
            }

            C::Bootstrap {
                name,
                email: address,
            } => {
                guest(actor)?;
                if !self.technicians.is_empty() {
                    return Err(Denial::new(Rule::G1, Reason::AlreadySetUp).into());
                }
                text("The administrator's name", name, MAX_NAME_CHARS)?;
                email(address)?;
                vec![Event::TechnicianCreated {
                    technician: super::org::Technician {
                        id: TechnicianId(ids.next()),
                        name: name.trim().to_owned(),
                        email: address.trim().to_owned(),
                        role: super::org::Role::MasterAdministrator,
                        logged_in: false,
                        extended_availability: false,
                        enabled: true,
                        created_by: None,
                    },
                }]
            }
            C::Admin(admin) => self.plan_admin(&mut ids, actor, admin)?,
        };
        Ok(events)
    }

    pub(crate) fn technician_actor(&self, actor: Actor) -> Result<TechnicianId, CommandError> {
        match actor {
            Actor::Technician(t) if self.technicians.contains_key(&t) => Ok(t),
            Actor::Technician(t) => Err(CommandError::NotFound {
                kind: Entity::Technician,
                id: t.0,
            }),
            _ => Err(Denial::new(Rule::G4, Reason::TechniciansOnly).into()),
        }
    }

    fn invitation(&self, id: InvitationId) -> Result<&Invitation, CommandError> {
        self.invitations.get(&id).ok_or(CommandError::NotFound {
            kind: Entity::Invitation,
            id: id.0,
        })
    }

    /// The base checks of a targeted action, then the checks of its target.
    fn targeted(
        &self,
        actor: Actor,
        session: SessionId,
        action: Action,
        target: Target,
        now: Timestamp,
    ) -> Result<(&Session, TechnicianId), CommandError> {
        let s = self.session(session)?;
        let me = technician_seat(self.base(actor, s, action, now)?)?;
        self.check_target(me, s, action, target, now)?;
        Ok((s, me))
    }

    fn start_session(
        &self,
        ids: &mut IdGen,
        queue: QueueRef,
        customer: &CustomerInfo,
        button: Option<SupportButtonId>,
        now: Timestamp,
    ) -> Result<Vec<Event>, CommandError> {
        customer.validate()?;
        let chat_enabled = match queue {
            QueueRef::Team(team) => self
                .team_permissions(self.enabled_team(team)?)
                .has(Permission::ChatAtSessionStart),
            QueueRef::Personal(t) => {
                match self.technicians.get(&t) {
                    None => {
                        return Err(CommandError::NotFound {
                            kind: Entity::Technician,
                            id: t.0,
                        });
                    }
                    // G1 (ours): nobody is left waiting for an account that cannot come back
                    // (a session key or support button it handed out earlier).
                    Some(x) if !x.enabled => {
                        return Err(Denial::new(Rule::G1, Reason::AccountDisabled).into());
                    }
                    Some(_) => {}
                }
                self.permissions_of(t).has(Permission::ChatAtSessionStart)
            }
        };
        let session = SessionId(ids.next());
        let mut events = vec![Event::SessionStarted {
            session,
            queue,
            customer: customer.clone(),
            chat_enabled,
            at: now,
            jump_client: None,
            button,
        }];
        events.extend(self.auto_elevation(session, customer.platform, customer.mode));
        Ok(events)
    }

    fn start_jump_session(
        &self,
        ids: &mut IdGen,
        actor: Actor,
        jump_client: JumpClientId,
        now: Timestamp,
    ) -> Result<Vec<Event>, CommandError> {
        let me = self.technician_actor(actor)?;
        let jc = self
            .jump_clients
            .get(&jump_client)
            .ok_or(CommandError::NotFound {
                kind: Entity::JumpClient,
                id: jump_client.0,
            })?;
        if !self.permissions_of(me).has(Permission::UnattendedAccess) {
            return Err(
                Denial::new(Rule::G3, Reason::NotPermitted(Permission::UnattendedAccess)).into(),
            );
        }
        if !self.may_use_jump_location(me, jc.location) {
            return Err(Denial::new(Rule::J1, Reason::NoJumpAccess).into());
        }
        let session = SessionId(ids.next());
        let customer = CustomerInfo {
            name: jc.name.clone(),
            machine: jc.machine.clone(),
            platform: jc.platform,
            mode: ClientMode::Full,
        };
        Ok(vec![
            Event::SessionStarted {
                session,
                queue: QueueRef::Personal(me),
                customer,
                chat_enabled: self.permissions_of(me).has(Permission::ChatAtSessionStart),
                at: now,
                jump_client: Some(jump_client),
                button: None,
            },
            Event::SessionAccepted { session, owner: me },
        ])
    }

    /// E4: a Windows full client asks for elevation as it starts, if administrators chose so.
    fn auto_elevation(
        &self,
        session: SessionId,
        platform: Platform,
        mode: ClientMode,
    ) -> Option<Event> {
        (self.settings.auto_elevate_windows
            && platform == Platform::Windows
            && mode == ClientMode::Full)
            .then_some(Event::PromptRaised {
                session,
                prompt: PromptKind::Elevation(ElevationMethod::PromptCustomer),
                pending: PendingPrompt {
                    by: None,
                    covers_all: false,
                },
            })
    }

    /// G3: start a tool at once if the customer already allowed everything; otherwise ask them,
    /// once for all tools if the asker's groups say so.
    fn ask_or_start(&self, s: &Session, who: Participant, tool: Tool) -> Vec<Event> {
        if s.customer.allowed_all {
            return vec![start_tool(s, tool)];
        }
        let covers_all = self.permissions_in(s, who).has(Permission::AskOnceForAll);
        raise(s, PromptKind::Allow(tool), Some(who), covers_all)
    }

    /// E1: the full client replaces the browser's click-to-chat in the customer's seat. A
    /// request to upgrade that was waiting is answered by it.
    fn start_full_client(
        &self,
        actor: Actor,
        session: SessionId,
        machine: &str,
        platform: Platform,
    ) -> Result<Vec<Event>, CommandError> {
        let s = self.session(session)?;
        if actor != Actor::Customer(session) {
            return Err(Denial::new(Rule::G4, Reason::CustomerOnly).into());
        }
        self.seat(actor, s)?;
        text("The computer's id", machine, MAX_NAME_CHARS)?;
        if s.customer.info.mode != ClientMode::ClickToChat {
            return Err(Denial::new(Rule::E1, Reason::AlreadyFullClient).into());
        }
        let mut events = Vec::new();
        if s.prompts.contains_key(&PromptKind::UpgradeToFullClient) {
            events.push(Event::PromptAnswered {
                session,
                prompt: PromptKind::UpgradeToFullClient,
                accepted: true,
            });
        }
        events.push(Event::FullClientStarted {
            session,
            machine: machine.to_owned(),
            platform,
        });
        events.extend(self.auto_elevation(session, platform, ClientMode::Full));
        Ok(events)
    }

    fn answer(
        &self,
        actor: Actor,
        session: SessionId,
        prompt: PromptKind,
        accepted: bool,
    ) -> Result<Vec<Event>, CommandError> {
        let s = self.session(session)?;
        if actor != Actor::Customer(session) {
            return Err(Denial::new(Rule::G4, Reason::CustomerOnly).into());
        }
        self.seat(actor, s)?;
        let Some(pending) = s.prompts.get(&prompt) else {
            let rule = match prompt {
                PromptKind::UpgradeToFullClient => Rule::E1,
                PromptKind::Elevation(_) => Rule::E3,
                PromptKind::Allow(_) => Rule::G3,
            };
            return Err(Denial::new(rule, Reason::NoSuchPrompt).into());
        };
        let mut events = vec![Event::PromptAnswered {
            session,
            prompt,
            accepted,
        }];
        if !accepted {
            return Ok(events);
        }
        match prompt {
            PromptKind::UpgradeToFullClient => {
                events.push(Event::ClientModeChanged {
                    session,
                    mode: ClientMode::Full,
                });
                events.extend(self.auto_elevation(
                    session,
                    s.customer.info.platform,
                    ClientMode::Full,
                ));
            }
            PromptKind::Elevation(_) => {
                events.push(Event::ClientModeChanged {
                    session,
                    mode: ClientMode::Elevated,
                });
            }
            PromptKind::Allow(tool) => {
                if pending.covers_all {
                    events.push(Event::CustomerAllowedAll { session });
                }
                events.push(start_tool(s, tool));
            }
        }
        Ok(events)
    }

    fn answer_invitation(
        &self,
        actor: Actor,
        id: InvitationId,
        accept: bool,
        now: Timestamp,
    ) -> Result<Vec<Event>, CommandError> {
        let me = self.technician_actor(actor)?;
        let inv = self.invitation(id)?;
        let for_me = match &inv.invitee {
            Invitee::External { .. } => {
                return Err(Denial::new(Rule::X4, Reason::ExternalLinkOnly).into());
            }
            Invitee::Technician(t) => *t == me,
            Invitee::AnyRepresentative(team) | Invitee::HelpRequest { team, .. } => {
                self.team_enabled(*team)
                    && self
                        .teams
                        .get(team)
                        .is_some_and(|t| t.members.contains(&me))
            }
        };
        if !for_me {
            return Err(Denial::new(Rule::S2, Reason::NotForYou).into());
        }
        if !inv.is_active(now) {
            // Lost a race for an invitation to any representative: told who won it (S2, S3).
            if let InvitationState::Ended(InvitationEnd::TakenBy(winner)) = inv.state
                && winner != me
            {
                let name = self
                    .technicians
                    .get(&winner)
                    .map_or_else(|| "A colleague".to_owned(), |t| t.name.clone());
                return Err(Denial::new(Rule::S7, Reason::TakenBy(name)).into());
            }
            return Err(Denial::new(Rule::S7, Reason::InvitationInactive).into());
        }
        let s = self.session(inv.session)?;
        if !accept {
            return Ok(vec![Event::InvitationEnded {
                invitation: id,
                why: InvitationEnd::Declined,
            }]);
        }
        if s.has_technician(me) {
            return Err(Denial::new(Rule::S6, Reason::YouAreAlreadyInSession).into());
        }
        // Joining answers every invitation addressed to this technician for this session (S6).
        let mut events: Vec<Event> = self
            .invitations
            .values()
            .filter(|i| {
                i.session == s.id
                    && i.id != id
                    && i.state == InvitationState::Active
                    && i.invitee == Invitee::Technician(me)
            })
            .map(|i| Event::InvitationEnded {
                invitation: i.id,
                why: InvitationEnd::Accepted,
            })
            .collect();
        let why = match inv.invitee {
            Invitee::AnyRepresentative(_) | Invitee::HelpRequest { .. } => {
                InvitationEnd::TakenBy(me)
            }
            _ => InvitationEnd::Accepted,
        };
        events.insert(
            0,
            Event::InvitationEnded {
                invitation: id,
                why,
            },
        );
        events.push(Event::TechnicianJoined {
            session: s.id,
            technician: me,
        });
        Ok(events)
    }

    /// X6 and S6 for an external invitee; returns the address a mail would go to.
    fn check_external_invitee(
        &self,
        s: &Session,
        me: TechnicianId,
        invitee: &ExternalInvitee,
        now: Timestamp,
    ) -> Result<Option<String>, CommandError> {
        let address = match invitee {
            ExternalInvitee::Approved(p) => {
                let person = self
                    .approved_externals
                    .get(p)
                    .ok_or(CommandError::NotFound {
                        kind: Entity::ApprovedExternal,
                        id: p.0,
                    })?;
                if !self.approved_for(me, person) {
                    return Err(Denial::new(Rule::X6, Reason::ApprovedElsewhere).into());
                }
                Some(person.email.clone())
            }
            ExternalInvitee::Anyone {
                name,
                email: address,
            } => {
                if self.permissions_of(me).external_scope == ExternalScope::ApprovedOnly {
                    return Err(Denial::new(Rule::X6, Reason::ApprovedOnly).into());
                }
                text("The external user's name", name, MAX_NAME_CHARS)?;
                if let Some(a) = address {
                    email(a)?;
                }
                address.clone()
            }
        };
        // S6: one active invitation per person and session.
        let same_person = |other: &ExternalInvitee| match (invitee, other) {
            (ExternalInvitee::Approved(a), ExternalInvitee::Approved(b)) => a == b,
            _ => address.as_ref().is_some_and(|a| {
                let theirs = match other {
                    ExternalInvitee::Approved(p) => {
                        self.approved_externals.get(p).map(|p| &p.email)
                    }
                    ExternalInvitee::Anyone { email, .. } => email.as_ref(),
                };
                theirs.is_some_and(|t| t.eq_ignore_ascii_case(a))
            }),
        };
        let duplicate = self.invitations.values().any(|i| {
            i.session == s.id
                && i.is_active(now)
                && matches!(&i.invitee, Invitee::External { invitee: other, .. } if same_person(other))
        });
        if duplicate {
            return Err(Denial::new(Rule::S6, Reason::DuplicateInvitation).into());
        }
        Ok(address)
    }

    /// The owner gives the session up to a queue (T1, T2) or holds it (C2). Their invitations end
    /// (S7); unless they stay on as a member after a transfer (T3), their view closes, so the
    /// external users they invited go too (X5).
    pub(super) fn release(
        &self,
        s: &Session,
        owner: TechnicianId,
        queue: QueueRef,
        reason: ReleaseReason,
    ) -> Vec<Event> {
        let mut events =
            self.end_invitations(s.id, Some(owner), InvitationEnd::InviterNoLongerOwner);
        if reason != ReleaseReason::Transferred {
            events.extend(self.externals_of(s, owner));
        }
        events.push(Event::SessionReleased {
            session: s.id,
            queue,
            former_owner: owner,
            reason,
        });
        events
    }

    /// A technician leaves (C3) or is removed (M1): their invitations end (S7) and the external
    /// users they invited are logged out (X5).
    pub(super) fn departure(&self, s: &Session, who: TechnicianId, why: LeaveReason) -> Vec<Event> {
        let mut events = self.end_invitations(s.id, Some(who), InvitationEnd::InviterLeft);
        events.extend(self.externals_of(s, who));
        events.push(Event::MemberLeft {
            session: s.id,
            member: Participant::Technician(who),
            why,
        });
        events
    }

    fn externals_of(&self, s: &Session, inviter: TechnicianId) -> Vec<Event> {
        s.externals
            .values()
            .filter(|e| e.invited_by == inviter)
            .map(|e| Event::MemberLeft {
                session: s.id,
                member: Participant::External(e.id),
                why: LeaveReason::InviterLeft,
            })
            .collect()
    }

    /// C1: everyone leaves, every invitation ends, the customer client uninstalls itself. Jump
    /// clients are not touched (J1).
    pub(super) fn end(&self, s: &Session) -> Vec<Event> {
        let mut events = self.end_invitations(s.id, None, InvitationEnd::SessionEnded);
        let members = s.members.iter().map(|t| Participant::Technician(*t));
        let externals = s.externals.keys().map(|e| Participant::External(*e));
        events.extend(members.chain(externals).map(|member| Event::MemberLeft {
            session: s.id,
            member,
            why: LeaveReason::SessionEnded,
        }));
        events.push(Event::SessionEnded {
            session: s.id,
            uninstall_customer_client: s.customer.connected,
        });
        events
    }

    fn end_invitations(
        &self,
        session: SessionId,
        by: Option<TechnicianId>,
        why: InvitationEnd,
    ) -> Vec<Event> {
        self.invitations
            .values()
            .filter(|i| {
                i.session == session
                    && i.state == InvitationState::Active
                    && by.is_none_or(|b| i.inviter == b)
            })
            .map(|i| Event::InvitationEnded {
                invitation: i.id,
                why,
            })
            .collect()
    }
}

fn guest(actor: Actor) -> Result<(), Denial> {
    if actor == Actor::Guest {
        Ok(())
    } else {
        deny(Rule::G4, Reason::GuestsOnly)
    }
}

fn technician_seat(who: Participant) -> Result<TechnicianId, Denial> {
    match who {
        Participant::Technician(t) => Ok(t),
        _ => deny(Rule::X5, Reason::ExternalCannot),
    }
}

fn raise(s: &Session, prompt: PromptKind, by: Option<Participant>, covers_all: bool) -> Vec<Event> {
    if s.prompts.contains_key(&prompt) {
        return Vec::new();
    }
    vec![Event::PromptRaised {
        session: s.id,
        prompt,
        pending: PendingPrompt { by, covers_all },
    }]
}

fn start_tool(s: &Session, tool: Tool) -> Event {
    match tool {
        Tool::ViewScreen if s.screen == ScreenState::Control => Event::ScreenChanged {
            session: s.id,
            screen: ScreenState::Control,
        },
        Tool::ViewScreen => Event::ScreenChanged {
            session: s.id,
            screen: ScreenState::View,
        },
        Tool::ControlScreen => Event::ScreenChanged {
            session: s.id,
            screen: ScreenState::Control,
        },
        Tool::Shell => Event::ShellChanged {
            session: s.id,
            open: true,
        },
    }
}

fn invite(
    ids: &mut IdGen,
    s: &Session,
    inviter: TechnicianId,
    invitee: Invitee,
    now: Timestamp,
    email: Option<String>,
) -> Event {
    Event::InvitationSent {
        invitation: Invitation {
            id: InvitationId(ids.next()),
            session: s.id,
            inviter,
            invitee,
            state: InvitationState::Active,
            sent_at: now,
        },
        email,
    }
}
