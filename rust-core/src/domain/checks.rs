//! The checks behind every session action. Commands and `available_actions` both call these
//! functions, so the flyout menu can never disagree with what the appliance accepts (A3, G4).
use super::action::{Action, ActionState, Target};
use super::command::Actor;
use super::denial::{CommandError, Denial, Entity, Reason, deny};
use super::ids::{ApprovedExternalId, SessionId, TeamId, TechnicianId, Timestamp};
use super::invitation::{ExternalInvitee, Invitee};
use super::org::{ApprovedExternal, SecurityPolicy, Team};
use super::permission::{ExternalScope, Permission};
use super::rule::Rule;
use super::session::{
    ClientMode, CustomerLink, JumpLocation, Participant, QueueRef, Session, SessionStatus,
};
use super::state::State;

impl State {
    pub(crate) fn session(&self, id: SessionId) -> Result<&Session, CommandError> {
        // An ended session has left the state (C1): not found, as the appliance already
        // answered anyone asking about a session they can no longer see.
        self.sessions.get(&id).ok_or(CommandError::NotFound {
            kind: Entity::Session,
            id: id.0,
        })
    }

    /// Who the actor is in this session, if they are in it at all.
    ///
    /// # Errors
    /// A denial when they are not (or the session has ended).
    pub fn seat(&self, actor: Actor, s: &Session) -> Result<Participant, Denial> {
        self.account_enabled(actor)?;
        let seat = match actor {
            Actor::Technician(t) if s.has_technician(t) => Participant::Technician(t),
            Actor::External(e) if s.externals.contains_key(&e) => Participant::External(e),
            Actor::Customer(id) if id == s.id && s.customer.connected => Participant::Customer,
            _ if !s.is_live() => return deny(Rule::C1, Reason::SessionEnded),
            _ => return deny(Rule::G4, Reason::NotInSession),
        };
        Ok(seat)
    }

    /// G1 (ours): a disabled account does nothing and is offered nothing, whatever credential
    /// it still holds (the appliance also refuses its sign-ins and ends its sockets).
    pub(crate) fn account_enabled(&self, actor: Actor) -> Result<(), Denial> {
        match actor {
            Actor::Technician(t) if self.technicians.get(&t).is_some_and(|x| !x.enabled) => {
                deny(Rule::G1, Reason::AccountDisabled)
            }
            _ => Ok(()),
        }
    }

    /// The preconditions of an action that do not depend on its target: who asks, where the
    /// session stands, which permission it needs, what the customer client can do.
    #[allow(clippy::too_many_lines)]
    pub(crate) fn base(
        &self,
        actor: Actor,
        s: &Session,
        action: Action,
        now: Timestamp,
    ) -> Result<Participant, Denial> {
        use Action as A;
        let who = self.seat(actor, s)?;
        let live = || {
            if s.is_live() {
                Ok(())
            } else {
                deny(Rule::C1, Reason::SessionEnded)
            }
        };
        let active = || match s.status {
            SessionStatus::Active => Ok(()),
            SessionStatus::Queued(_) => deny(Rule::T3, Reason::SessionQueued),
            SessionStatus::Ended => deny(Rule::C1, Reason::SessionEnded),
        };
        // Session management belongs to technicians (X5: externals see only the session).
        let technician = || match who {
            Participant::Technician(t) => Ok(t),
            Participant::External(_) => deny(Rule::X5, Reason::ExternalCannot),
            Participant::Customer => deny(Rule::G4, Reason::TechniciansOnly),
        };
        let owner = |rule| {
            let t = technician()?;
            if s.owner == Some(t) {
                Ok(t)
            } else {
                deny(rule, Reason::OwnerOnly(action))
            }
        };
        let permitted = |p: Permission| {
            if self.permissions_in(s, who).has(p) {
                Ok(())
            } else if matches!(who, Participant::External(_)) {
                deny(Rule::G4, Reason::PolicyForbids(p))
            } else {
                deny(Rule::G3, Reason::NotPermitted(p))
            }
        };
        let staff = || match who {
            Participant::Customer => deny(Rule::G4, Reason::TechniciansOnly),
            _ => Ok(()),
        };
        let customer = || match s.customer.link {
            _ if !s.customer.connected => deny(Rule::M1, Reason::CustomerGone),
            // A3: greyed, with the reason, while the session waits for the client to come back.
            CustomerLink::Reconnecting { .. } => deny(Rule::A3, Reason::CustomerReconnecting),
            CustomerLink::Online => Ok(()),
        };
        let full_client = || match s.customer.info.mode {
            ClientMode::ClickToChat => deny(Rule::E1, Reason::ClickToChatOnly),
            _ => Ok(()),
        };
        match action {
            A::SendChat => {
                live()?;
                if !s.chat_enabled {
                    return deny(Rule::A2, Reason::ChatOff);
                }
            }
            A::ToggleChat => {
                live()?;
                technician()?;
                permitted(Permission::ToggleChat)?;
            }
            A::PinChat => {
                live()?;
                technician()?;
            }
            A::ViewScreen | A::ControlScreen | A::CommandShell | A::SystemInfo => {
                active()?;
                staff()?;
                customer()?;
                full_client()?;
                permitted(match action {
                    A::ViewScreen => Permission::DesktopViewing,
                    A::ControlScreen => Permission::RemoteControl,
                    A::CommandShell => Permission::CommandShell,
                    _ => Permission::ViewSystemInfo,
                })?;
            }
            A::UpgradeToFullClient => {
                active()?;
                technician()?;
                customer()?;
                if s.customer.info.mode != ClientMode::ClickToChat {
                    return deny(Rule::E1, Reason::AlreadyFullClient);
                }
            }
            A::ElevatePromptCustomer | A::ElevateProvideCredentials => {
                active()?;
                technician()?;
                customer()?;
                match s.customer.info.mode {
                    ClientMode::ClickToChat => return deny(Rule::E1, Reason::ClickToChatOnly),
                    ClientMode::Elevated => return deny(Rule::E2, Reason::AlreadyElevated),
                    ClientMode::Full => {}
                }
                if !s.customer.info.platform.supports_admin_elevation() {
                    return deny(Rule::E4, Reason::PlatformCannotElevate);
                }
                if action == A::ElevatePromptCustomer {
                    permitted(Permission::RequestCredentials)?;
                }
            }
            A::TransferToTeam | A::TransferToTechnician => {
                active()?;
                owner(Rule::T3)?;
                permitted(Permission::TransferSessions)?;
            }
            A::ShareWithTechnician | A::ShareAnyRepresentative | A::RequestHelp => {
                active()?;
                owner(Rule::S6)?;
                permitted(Permission::SendCollaborationInvites)?;
            }
            A::InviteExternal => {
                active()?;
                let me = owner(Rule::X1)?;
                permitted(Permission::InviteExternal)?;
                // X6: under "approved only", someone approved for them must be left to invite.
                if self.permissions_of(me).external_scope == ExternalScope::ApprovedOnly
                    && !self.approved_externals.values().any(|p| {
                        self.approved_for(me, p) && !self.approved_invited(s.id, p.id, now)
                    })
                {
                    return deny(Rule::X6, Reason::NoApprovedExternal);
                }
            }
            A::CancelInvitation => {
                active()?;
                owner(Rule::S5)?;
            }
            A::RemoveMember => {
                active()?;
                owner(Rule::M1)?;
            }
            A::DeploySupportButton | A::RemoveSupportButton => {
                active()?;
                technician()?;
                customer()?;
                full_client()?;
                permitted(Permission::DeploySupportButton)?;
                let installed = self.button_of(s).is_some();
                if action == A::DeploySupportButton && installed {
                    return deny(Rule::B1, Reason::ButtonAlreadyDeployed);
                }
                if action == A::RemoveSupportButton && !installed {
                    return deny(Rule::B1, Reason::NoButton);
                }
                if action == A::DeploySupportButton && self.button_profiles.is_empty() {
                    return deny(Rule::B1, Reason::NoButtonProfile);
                }
            }
            A::PinJumpClient => {
                active()?;
                technician()?;
                customer()?;
                full_client()?;
                permitted(Permission::UnattendedAccess)?;
                if self.jump_client_of(s).is_some() {
                    return deny(Rule::J1, Reason::AlreadyPinned);
                }
            }
            A::UnpinJumpClient => {
                active()?;
                let t = technician()?;
                permitted(Permission::UnattendedAccess)?;
                let Some(jc) = self.jump_client_of(s) else {
                    return deny(Rule::J1, Reason::NotPinned);
                };
                if !self.may_use_jump_location(t, jc.location) {
                    return deny(Rule::J1, Reason::NoJumpAccess);
                }
            }
            A::EndSession => {
                active()?;
                owner(Rule::C3)?;
            }
            A::HoldSession => {
                active()?;
                owner(Rule::C2)?;
                permitted(Permission::HoldSessions)?;
            }
            A::LeaveSession => {
                live()?;
                if matches!(who, Participant::Technician(t) if s.owner == Some(t)) {
                    return deny(Rule::C3, Reason::OwnerCannotLeave);
                }
            }
        }
        Ok(who)
    }

    /// Whether a targeted action may be aimed at this target, once its base checks passed.
    #[allow(clippy::too_many_lines)]
    pub(crate) fn check_target(
        &self,
        actor: TechnicianId,
        s: &Session,
        action: Action,
        target: Target,
        now: Timestamp,
    ) -> Result<(), CommandError> {
        use Action as A;
        let perms = self.permissions_of(actor);
        let not_found = |kind: Entity, id: u64| CommandError::NotFound { kind, id };
        let refuse = |rule, reason| Err(CommandError::Denied(Denial::new(rule, reason)));
        match (action, target) {
            (A::TransferToTeam, Target::Team(team)) => {
                let t = self.enabled_team(team)?;
                if !t.members.contains(&actor) && !perms.transfer_scope.allows_other_team(team) {
                    return refuse(Rule::T1, Reason::OutsideTransferScope);
                }
            }
            (A::TransferToTechnician, Target::Technician(to)) => {
                self.technicians
                    .get(&to)
                    .ok_or(not_found(Entity::Technician, to.0))?;
                if to == actor {
                    return refuse(Rule::T2, Reason::Yourself);
                }
                if !self.is_listed(to) {
                    return refuse(Rule::S3, Reason::NotListed);
                }
                let reachable = self.share_a_team(actor, to)
                    || self
                        .teams_of(to)
                        .any(|t| perms.transfer_scope.allows_other_team(t.id));
                if !reachable {
                    return refuse(Rule::T2, Reason::OutsideTransferScope);
                }
            }
            (A::ShareWithTechnician, Target::Technician(to)) => {
                self.technicians
                    .get(&to)
                    .ok_or(not_found(Entity::Technician, to.0))?;
                if to == actor {
                    return refuse(Rule::S1, Reason::Yourself);
                }
                if s.has_technician(to) {
                    return refuse(Rule::S6, Reason::AlreadyInSession);
                }
                if !self.is_listed(to) {
                    return refuse(Rule::S3, Reason::NotListed);
                }
                if !self
                    .teams_of(to)
                    .any(|t| self.may_share_with_team(actor, t.id))
                {
                    return refuse(Rule::S3, Reason::OutsideShareScope);
                }
                if self.active_invitation_for(s.id, to, now) {
                    return refuse(Rule::S6, Reason::DuplicateInvitation);
                }
            }
            (A::ShareAnyRepresentative, Target::Team(team)) => {
                self.enabled_team(team)?;
                if !self.may_share_with_team(actor, team) {
                    return refuse(Rule::S3, Reason::OutsideShareScope);
                }
                if !self.team_has_invitable_member(s, team) {
                    return refuse(Rule::S3, Reason::NoListedMember);
                }
            }
            (A::RequestHelp, Target::Issue(issue)) => {
                let i = self
                    .issues
                    .get(&issue)
                    .ok_or(not_found(Entity::Issue, issue.0))?;
                if !i.allow_help_requests {
                    return refuse(Rule::S1, Reason::IssueTakesNoHelpRequests);
                }
                self.enabled_team(i.team)?;
                if !self.team_has_invitable_member(s, i.team) {
                    return refuse(Rule::S3, Reason::NoListedMember);
                }
            }
            (A::InviteExternal, Target::Policy(policy)) => {
                // G1 (issue 26): a policy made for a group is for its technicians alone; to the
                // others it does not exist.
                self.policies
                    .get(&policy)
                    .filter(|p| self.policy_serves(actor, p))
                    .ok_or(not_found(Entity::Policy, policy.0))?;
            }
            (A::CancelInvitation, Target::Invitation(id)) => {
                let inv = self
                    .invitations
                    .get(&id)
                    .ok_or(not_found(Entity::Invitation, id.0))?;
                if inv.session != s.id || inv.inviter != actor || !inv.is_active(now) {
                    return refuse(Rule::S5, Reason::NothingToCancel);
                }
            }
            (A::RemoveMember, Target::Participant(member)) => match member {
                Participant::Technician(t) if s.owner == Some(t) => {
                    return refuse(Rule::M1, Reason::CannotRemoveOwner);
                }
                Participant::Technician(t) if !s.members.contains(&t) => {
                    return refuse(Rule::M1, Reason::NotAMember);
                }
                Participant::External(e) if !s.externals.contains_key(&e) => {
                    return refuse(Rule::M1, Reason::NotAMember);
                }
                Participant::Customer if !s.customer.connected => {
                    return refuse(Rule::M1, Reason::CustomerGone);
                }
                _ => {}
            },
            (A::DeploySupportButton, Target::Queue(queue)) => {
                self.check_own_queue(actor, queue, Rule::B1)?
            }
            (A::PinJumpClient, Target::JumpLocation(at)) => {
                if let JumpLocation::Group(g) = at {
                    self.jump_groups
                        .get(&g)
                        .ok_or(not_found(Entity::JumpGroup, g.0))?;
                }
                if !self.may_use_jump_location(actor, at) {
                    return refuse(Rule::J1, Reason::NoJumpAccess);
                }
            }
            // A target of the wrong kind for the action: nothing could accept it.
            _ => return refuse(Rule::A3, Reason::WrongTarget),
        }
        Ok(())
    }

    /// G2: a team that exists and is enabled, as is every team above it. Only such a team
    /// takes sessions, transfers and invitations.
    ///
    /// # Errors
    /// `NotFound` for an unknown team; a G2 denial for a disabled one.
    pub(crate) fn enabled_team(&self, team: TeamId) -> Result<&Team, CommandError> {
        let t = self.teams.get(&team).ok_or(CommandError::NotFound {
            kind: Entity::Team,
            id: team.0,
        })?;
        if !self.team_enabled(team) {
            return Err(Denial::new(Rule::G2, Reason::TeamDisabled).into());
        }
        Ok(t)
    }

    /// Whether a technician may route customers into this queue (a support button's queue, B1,
    /// or a session key's): their own personal queue, or the queue of an enabled team of theirs.
    ///
    /// # Errors
    /// `NotFound` for an unknown team; a denial under `rule` otherwise.
    pub fn check_own_queue(
        &self,
        technician: TechnicianId,
        queue: QueueRef,
        rule: Rule,
    ) -> Result<(), CommandError> {
        let refuse = |reason| Err(CommandError::Denied(Denial::new(rule, reason)));
        match queue {
            QueueRef::Team(team) => {
                if !self.enabled_team(team)?.members.contains(&technician) {
                    return refuse(Reason::QueueNotYours);
                }
            }
            QueueRef::Personal(t) if t != technician => return refuse(Reason::QueueNotYours),
            QueueRef::Personal(_) => {}
        }
        Ok(())
    }

    /// S3: a team is offered for sharing when it is one of the inviter's own teams, or when the
    /// inviter may share outside their teams (to any, or to this chosen team).
    pub(crate) fn may_share_with_team(
        &self,
        inviter: TechnicianId,
        team: crate::domain::TeamId,
    ) -> bool {
        self.team_enabled(team)
            && (self
                .teams
                .get(&team)
                .is_some_and(|t| t.members.contains(&inviter))
                || self
                    .permissions_of(inviter)
                    .invite_scope
                    .allows_other_team(team))
    }

    /// S3: a team is listed only with at least one member logged in or with extended
    /// availability; members already in the session cannot be invited again.
    pub(crate) fn team_has_invitable_member(
        &self,
        s: &Session,
        team: crate::domain::TeamId,
    ) -> bool {
        self.teams.get(&team).is_some_and(|t| {
            t.members
                .iter()
                .any(|m| self.is_listed(*m) && !s.has_technician(*m))
        })
    }

    /// S6: whether a technician already has an active invitation to this session.
    pub(crate) fn active_invitation_for(
        &self,
        session: SessionId,
        to: TechnicianId,
        now: Timestamp,
    ) -> bool {
        self.invitations.values().any(|i| {
            i.session == session && i.is_active(now) && i.invitee == Invitee::Technician(to)
        })
    }

    /// X6, G1: a person approved for a group is approved for its technicians (those in it or
    /// below it); one approved for no group, for everyone.
    pub(crate) fn approved_for(&self, technician: TechnicianId, person: &ApprovedExternal) -> bool {
        person.team.is_none_or(|group| {
            self.teams_of(technician)
                .any(|t| self.is_within(t.id, group))
        })
    }

    /// G1 (issue 26): a security policy made for a group serves its technicians (those in it or
    /// below it); one made for no group, everyone.
    #[must_use]
    pub fn policy_serves(&self, technician: TechnicianId, policy: &SecurityPolicy) -> bool {
        policy.team.is_none_or(|group| {
            self.teams_of(technician)
                .any(|t| self.is_within(t.id, group))
        })
    }

    /// S6: whether an approved person already has an active invitation to this session.
    pub(crate) fn approved_invited(
        &self,
        session: SessionId,
        person: ApprovedExternalId,
        now: Timestamp,
    ) -> bool {
        self.invitations.values().any(|i| {
            i.session == session
                && i.is_active(now)
                && matches!(&i.invitee, Invitee::External { invitee: ExternalInvitee::Approved(p), .. } if *p == person)
        })
    }

    /// Every target the engine would accept for this action now: the lists the console shows
    /// (teams and members for sharing, queues for transfer, members to remove …).
    #[must_use]
    pub fn targets(
        &self,
        actor: Actor,
        session: SessionId,
        action: Action,
        now: Timestamp,
    ) -> Vec<Target> {
        let (Ok(s), Actor::Technician(me)) = (self.session(session), actor) else {
            return Vec::new();
        };
        if !action.is_targeted() || self.base(actor, s, action, now).is_err() {
            return Vec::new();
        }
        self.candidates(me, s, action)
            .into_iter()
            .filter(|t| self.check_target(me, s, action, *t, now).is_ok())
            .collect()
    }

    /// Everything a targeted action could name, before checking.
    fn candidates(&self, me: TechnicianId, s: &Session, action: Action) -> Vec<Target> {
        use Action as A;
        match action {
            A::TransferToTeam | A::ShareAnyRepresentative => {
                self.teams.keys().map(|t| Target::Team(*t)).collect()
            }
            A::TransferToTechnician | A::ShareWithTechnician => self
                .technicians
                .keys()
                .map(|t| Target::Technician(*t))
                .collect(),
            A::RequestHelp => self.issues.keys().map(|i| Target::Issue(*i)).collect(),
            A::InviteExternal => self.policies.keys().map(|p| Target::Policy(*p)).collect(),
            A::CancelInvitation => self
                .invitations
                .values()
                .filter(|i| i.session == s.id)
                .map(|i| Target::Invitation(i.id))
                .collect(),
            A::RemoveMember => s
                .members
                .iter()
                .map(|t| Participant::Technician(*t))
                .chain(s.externals.keys().map(|e| Participant::External(*e)))
                .chain([Participant::Customer])
                .map(Target::Participant)
                .collect(),
            A::DeploySupportButton => std::iter::once(QueueRef::Personal(me))
                .chain(self.teams.keys().map(|t| QueueRef::Team(*t)))
                .map(Target::Queue)
                .collect(),
            A::PinJumpClient => std::iter::once(JumpLocation::Personal(me))
                .chain(self.jump_groups.keys().map(|g| JumpLocation::Group(*g)))
                .map(Target::JumpLocation)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The flyout menu for this person in this session: every action, greyed out with its reason
    /// where it is not available now (A3). Computed by the same checks as the commands.
    #[must_use]
    pub fn available_actions(
        &self,
        actor: Actor,
        session: SessionId,
        now: Timestamp,
    ) -> Vec<ActionState> {
        Action::ALL
            .into_iter()
            .map(|action| {
                let denial = self.action_denial(actor, session, action, now);
                let remedy = match &denial {
                    Some(d) if d.reason == Reason::ClickToChatOnly => {
                        Some(Action::UpgradeToFullClient)
                            .filter(|up| self.action_denial(actor, session, *up, now).is_none())
                    }
                    _ => None,
                };
                ActionState {
                    action,
                    denial,
                    remedy,
                }
            })
            .collect()
    }

    /// Why an action is not available now, or `None` if it is.
    #[must_use]
    pub fn action_denial(
        &self,
        actor: Actor,
        session: SessionId,
        action: Action,
        now: Timestamp,
    ) -> Option<Denial> {
        let Ok(s) = self.session(session) else {
            return Some(Denial::new(Rule::G4, Reason::NotInSession));
        };
        if let Err(d) = self.base(actor, s, action, now) {
            return Some(d);
        }
        if action.is_targeted() && self.targets(actor, session, action, now).is_empty() {
            return Some(no_target_denial(action));
        }
        None
    }
}

/// Why a targeted action is greyed out when nothing can be chosen.
fn no_target_denial(action: Action) -> Denial {
    use Action as A;
    let (rule, reason) = match action {
        A::TransferToTeam | A::TransferToTechnician => (Rule::T1, Reason::NoTransferTarget),
        A::ShareWithTechnician => (Rule::S3, Reason::NoOneToInvite),
        A::ShareAnyRepresentative => (Rule::S3, Reason::NoTeamToInvite),
        A::RequestHelp => (Rule::S1, Reason::NoHelpIssue),
        A::InviteExternal => (Rule::X2, Reason::NoPolicy),
        A::CancelInvitation => (Rule::S5, Reason::NothingToCancel),
        A::RemoveMember => (Rule::M1, Reason::NoOneToRemove),
        A::DeploySupportButton => (Rule::B1, Reason::QueueNotYours),
        _ => (Rule::J1, Reason::NoJumpAccess),
    };
    Denial::new(rule, reason)
}
