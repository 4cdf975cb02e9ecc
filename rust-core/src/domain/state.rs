//! The whole organisation and its sessions, and the one place where events change them.
use super::event::{Event, ReleaseReason};
use super::ids::{
    ApprovedExternalId, ButtonProfileId, InvitationId, IssueId, JumpClientId, JumpGroupId,
    PolicyId, SessionId, SupportButtonId, TeamId, TechnicianId,
};
use super::invitation::{Invitation, InvitationState};
use super::org::{
    ApprovedExternal, ButtonProfile, JumpGroup, SecurityPolicy, Settings, SupportIssue, Team,
    Technician,
};
use super::permission::{PermissionKey, PermissionSet};
use super::session::{
    ClientMode, Customer, CustomerLink, JumpClient, JumpLocation, Participant, PromptKind,
    ScreenState, Session, SessionStatus, SupportButton,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The state's collections: persistent maps, so that a copy of the state (each batch of
/// commands the appliance commits starts from one, and each snapshot and view is one) shares
/// everything it does not change, and costs nothing in the number of entries.
pub type Map<K, V> = imbl::OrdMap<K, V>;

/// The organisation and every session: the state the rules are checked against.
///
/// It changes only through [`State::execute`] (check a command, then apply the events it caused)
/// or [`State::apply`] (replay events someone persisted). It is plain data: the appliance may
/// store it whole or rebuild it from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct State {
    pub(crate) next_id: u64,
    /// Teams by id.
    pub teams: Map<TeamId, Team>,
    /// Technicians and administrators by id.
    pub technicians: Map<TechnicianId, Technician>,
    /// The live sessions by id. An ended session leaves them (issue 14: the cost of each action
    /// follows what is live, not everything ever held); its history stays in the store. A
    /// command aimed at it is answered as for any session the caller cannot see: not found.
    pub sessions: Map<SessionId, Session>,
    /// Invitations by id, inactive ones included.
    pub invitations: Map<InvitationId, Invitation>,
    /// Security policies for external users.
    pub policies: Map<PolicyId, SecurityPolicy>,
    /// Support issues.
    pub issues: Map<IssueId, SupportIssue>,
    /// People approved for external invitations (X6).
    pub approved_externals: Map<ApprovedExternalId, ApprovedExternal>,
    /// Jump groups.
    pub jump_groups: Map<JumpGroupId, JumpGroup>,
    /// Jump clients pinned to remote computers.
    pub jump_clients: Map<JumpClientId, JumpClient>,
    /// Support buttons deployed to remote computers.
    pub support_buttons: Map<SupportButtonId, SupportButton>,
    /// Support button profiles.
    pub button_profiles: Map<ButtonProfileId, ButtonProfile>,
    /// Organisation-wide settings.
    pub settings: Settings,
}

/// Hands out fresh ids while a command is planned, before any event is applied.
#[derive(Debug)]
pub(crate) struct IdGen(u64);

impl IdGen {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

impl State {
    /// An organisation with one master administrator, who sets up everything else.
    ///
    /// # Panics
    /// If the name or address is malformed: for tests and tools with fixed input.
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn bootstrap(name: &str, email: &str) -> (Self, TechnicianId) {
        let mut state = Self::default();
        let command = super::command::Command::Bootstrap {
            name: name.to_owned(),
            email: email.to_owned(),
        };
        let events = state
            .execute(
                super::command::Actor::Guest,
                &command,
                super::ids::Timestamp(0),
            )
            .expect("a fresh state accepts a well-formed first account");
        let id = events
            .iter()
            .find_map(|e| match e {
                Event::TechnicianCreated { technician } => Some(technician.id),
                _ => None,
            })
            .expect("bootstrap creates the master administrator");
        (state, id)
    }

    pub(crate) fn ids(&self) -> IdGen {
        IdGen(self.next_id)
    }

    fn saw_id(&mut self, id: u64) {
        self.next_id = self.next_id.max(id);
    }

    /// Whether a team and every team above it are enabled (G2).
    #[must_use]
    pub fn team_enabled(&self, team: TeamId) -> bool {
        self.ancestry(team).all(|t| t.enabled) && self.teams.contains_key(&team)
    }

    /// The team and the teams above it, nearest first.
    pub fn ancestry(&self, team: TeamId) -> impl Iterator<Item = &Team> {
        let mut next = self.teams.get(&team);
        // A tree built only through CreateTeam has no cycles; the bound keeps a corrupted store
        // from looping forever.
        let mut budget = self.teams.len();
        std::iter::from_fn(move || {
            let current = next.filter(|_| budget > 0)?;
            budget -= 1;
            next = current.parent.and_then(|p| self.teams.get(&p));
            Some(current)
        })
    }

    /// Whether `team` is `above` or lies below it.
    #[must_use]
    pub fn is_within(&self, team: TeamId, above: TeamId) -> bool {
        self.ancestry(team).any(|t| t.id == above)
    }

    /// Whether a permission is locked at this team or above it (G1).
    #[must_use]
    pub fn is_locked(&self, team: TeamId, key: PermissionKey) -> bool {
        self.ancestry(team).any(|t| t.locks.contains(&key))
    }

    /// The enabled teams a technician belongs to.
    pub fn teams_of(&self, technician: TechnicianId) -> impl Iterator<Item = &Team> {
        self.teams
            .values()
            .filter(move |t| t.members.contains(&technician) && self.team_enabled(t.id))
    }

    /// Whether two technicians share an enabled team.
    #[must_use]
    pub fn share_a_team(&self, a: TechnicianId, b: TechnicianId) -> bool {
        self.teams_of(a).any(|t| t.members.contains(&b))
    }

    /// The permissions a master administrator locked at this team or above it, each with the
    /// value it is locked at: the locking group's own. A key locked at several of them holds
    /// what all of those allow (the narrowest).
    #[must_use]
    pub fn locks_on(&self, team: TeamId) -> BTreeMap<PermissionKey, PermissionSet> {
        let mut locks: BTreeMap<PermissionKey, PermissionSet> = BTreeMap::new();
        for t in self.ancestry(team) {
            for key in &t.locks {
                match locks.get_mut(key) {
                    Some(value) => value.narrow_key(*key, &t.permissions),
                    None => {
                        locks.insert(*key, t.permissions.clone());
                    }
                }
            }
        }
        locks
    }

    /// What a team grants its members: its own permissions, with every key locked at it or
    /// above it set to the locked value (G1), so a group created or moved under a lock grants
    /// what the lock says whatever it was set to.
    #[must_use]
    pub fn team_permissions(&self, team: &Team) -> PermissionSet {
        let mut granted = team.permissions.clone();
        for (key, value) in self.locks_on(team.id) {
            granted.set_key(key, &value);
        }
        granted
    }

    /// Whether a technician must sign in with a second factor: one of their groups, or a group
    /// above one, requires it (ours, issue 26). Disabled groups count too: a requirement is a
    /// safeguard, not a right.
    #[must_use]
    pub fn second_factor_required(&self, technician: TechnicianId) -> bool {
        self.teams
            .values()
            .filter(|t| t.members.contains(&technician))
            .any(|t| self.ancestry(t.id).any(|a| a.require_second_factor))
    }

    /// What a technician may do: the union of their enabled teams' permissions (G3), then every
    /// lock on any of those teams held over the union (G1: a master administrator who switches
    /// the shell off in Tier 1 and locks it keeps it off for Tier 1's technicians, whatever
    /// other groups they are in). Where locks disagree, the narrowest holds.
    #[must_use]
    pub fn permissions_of(&self, technician: TechnicianId) -> PermissionSet {
        let mut locks = Vec::new();
        let mut granted = self
            .teams_of(technician)
            .fold(None, |acc: Option<PermissionSet>, t| {
                let own = self.team_permissions(t);
                locks.extend(self.locks_on(t.id));
                Some(acc.map_or(own.clone(), |a| a.union(&own)))
            })
            .unwrap_or_else(PermissionSet::none);
        for (key, value) in &locks {
            granted.narrow_key(*key, value);
        }
        granted
    }

    /// What someone may do in a session (G4): a technician their groups' permissions; an external
    /// user the intersection of the inviting technician's and their security policy's; the
    /// customer nothing a permission governs.
    #[must_use]
    pub fn permissions_in(&self, session: &Session, who: Participant) -> PermissionSet {
        match who {
            Participant::Technician(t) => self.permissions_of(t),
            Participant::External(e) => session
                .externals
                .get(&e)
                .and_then(|m| {
                    let policy = self.policies.get(&m.policy)?;
                    Some(
                        self.permissions_of(m.invited_by)
                            .intersect(&policy.permissions),
                    )
                })
                .unwrap_or_else(PermissionSet::none),
            Participant::Customer => PermissionSet::none(),
        }
    }

    /// Whether a technician is listed for invitations (S3).
    #[must_use]
    pub fn is_listed(&self, technician: TechnicianId) -> bool {
        self.technicians
            .get(&technician)
            .is_some_and(Technician::is_listed)
    }

    /// The support button on a session's computer: the one deployed from this session, or the
    /// one whose press started it. Never found by the machine id a client reports, which any
    /// client can claim (B1).
    #[must_use]
    pub fn button_of(&self, session: &Session) -> Option<&SupportButton> {
        session
            .button
            .and_then(|b| self.support_buttons.get(&b))
            .or_else(|| {
                self.support_buttons
                    .values()
                    .find(|b| b.session == session.id)
            })
    }

    /// The jump client on a session's computer: the one pinned from this session, or the one
    /// the session runs through. Never found by the machine id a client reports (J1).
    #[must_use]
    pub fn jump_client_of(&self, session: &Session) -> Option<&JumpClient> {
        session
            .jump_client
            .and_then(|j| self.jump_clients.get(&j))
            .or_else(|| self.jump_clients.values().find(|j| j.session == session.id))
    }

    /// The jump client pinned from this session, whose agent credential only this session's
    /// customer client may receive (J1).
    #[must_use]
    pub fn jump_client_pinned_from(&self, session: SessionId) -> Option<&JumpClient> {
        self.jump_clients.values().find(|j| j.session == session)
    }

    /// The support button deployed from this session, whose secret only this session's customer
    /// client may receive (B1).
    #[must_use]
    pub fn button_deployed_from(&self, session: SessionId) -> Option<&SupportButton> {
        self.support_buttons.values().find(|b| b.session == session)
    }

    /// Whether a technician may use a jump client (J1).
    #[must_use]
    pub fn may_use_jump_location(&self, technician: TechnicianId, at: JumpLocation) -> bool {
        match at {
            JumpLocation::Personal(owner) => owner == technician,
            JumpLocation::Group(g) => self
                .jump_groups
                .get(&g)
                .is_some_and(|g| g.members.contains(&technician)),
        }
    }

    /// Change the state by one event. Events come only from a checked command (or a store of
    /// such events), so applying one cannot fail; an event naming something unknown is ignored.
    #[allow(clippy::too_many_lines)]
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::LoggedInChanged {
                technician,
                logged_in,
            } => {
                if let Some(t) = self.technicians.get_mut(technician) {
                    t.logged_in = *logged_in;
                }
            }
            Event::ExtendedAvailabilityChanged { technician, on } => {
                if let Some(t) = self.technicians.get_mut(technician) {
                    t.extended_availability = *on;
                }
            }
            Event::SessionStarted {
                session,
                queue,
                customer,
                chat_enabled,
                at,
                jump_client,
                button,
            } => {
                self.saw_id(session.0);
                self.sessions.insert(
                    *session,
                    Session {
                        id: *session,
                        status: SessionStatus::Queued(*queue),
                        owner: None,
                        members: BTreeSet::new(),
                        externals: BTreeMap::new(),
                        customer: Customer {
                            info: customer.clone(),
                            connected: true,
                            allowed_all: false,
                            link: CustomerLink::Online,
                            gone: None,
                        },
                        chat_enabled: *chat_enabled,
                        chat_pinned: BTreeSet::new(),
                        screen: ScreenState::Off,
                        shell: false,
                        prompts: BTreeMap::new(),
                        started_at: *at,
                        jump_client: *jump_client,
                        button: *button,
                        chat_bytes: 0,
                        held: false,
                        team: queue.team(),
                    },
                );
            }
            Event::SessionAccepted { session, owner } => self.with_session(*session, |s| {
                s.members.remove(owner);
                s.owner = Some(*owner);
                s.status = SessionStatus::Active;
                s.held = false;
            }),
            Event::SessionReleased {
                session,
                queue,
                former_owner,
                reason,
            } => {
                self.with_session(*session, |s| {
                    s.owner = None;
                    s.status = SessionStatus::Queued(*queue);
                    s.held = *reason == ReleaseReason::Held;
                    s.team = queue.team().or(s.team);
                    // T3: after a transfer the former owner may stay as a member; after a hold
                    // their view closes (C2).
                    if *reason == ReleaseReason::Transferred {
                        s.members.insert(*former_owner);
                    } else {
                        // Their view closes: what they asked the customer is withdrawn with it.
                        s.chat_pinned.remove(former_owner);
                        let asker = Some(Participant::Technician(*former_owner));
                        s.prompts.retain(|_, p| p.by != asker);
                    }
                });
            }
            // C1: everyone has left; nothing about the session is live any more.
            Event::SessionEnded { session, .. } => {
                self.sessions.remove(session);
                // Its invitations went with it (S7): kept, they would grow every console's
                // snapshot, and the state, with every invitation ever sent.
                let gone: Vec<_> = self
                    .invitations
                    .values()
                    .filter(|i| i.session == *session)
                    .map(|i| i.id)
                    .collect();
                for id in gone {
                    self.invitations.remove(&id);
                }
            }
            Event::ChatPosted { session, text, .. } => self.with_session(*session, |s| {
                s.chat_bytes = s
                    .chat_bytes
                    .saturating_add(u64::try_from(text.len()).unwrap_or(u64::MAX));
            }),
            Event::SystemInfoViewed { .. }
            | Event::MailNotSent { .. }
            | Event::CustomerClientStartedAgain { .. } => {}
            Event::ElevationSuggested { .. } => {}
            Event::ChatToggled { session, enabled } => {
                self.with_session(*session, |s| s.chat_enabled = *enabled);
            }
            Event::ChatPinned {
                session,
                technician,
                pinned,
            } => self.with_session(*session, |s| {
                if *pinned {
                    s.chat_pinned.insert(*technician);
                } else {
                    s.chat_pinned.remove(technician);
                }
            }),
            Event::ScreenChanged { session, screen } => {
                self.with_session(*session, |s| s.screen = *screen);
            }
            Event::ShellChanged { session, open } => {
                self.with_session(*session, |s| s.shell = *open)
            }
            Event::PromptRaised {
                session,
                prompt,
                pending,
            } => {
                self.with_session(*session, |s| {
                    s.prompts.insert(*prompt, *pending);
                });
            }
            Event::PromptAnswered {
                session, prompt, ..
            } => self.with_session(*session, |s| {
                s.prompts.remove(prompt);
            }),
            Event::ClientModeChanged { session, mode } => self.with_session(*session, |s| {
                s.customer.info.mode = *mode;
                s.prompts.retain(|p, _| match mode {
                    ClientMode::ClickToChat => true,
                    ClientMode::Full => *p != PromptKind::UpgradeToFullClient,
                    ClientMode::Elevated => !matches!(p, PromptKind::Elevation(_)),
                });
            }),
            Event::FullClientStarted {
                session,
                machine,
                platform,
            } => self.with_session(*session, |s| {
                s.customer.info.mode = ClientMode::Full;
                s.customer.info.machine.clone_from(machine);
                s.customer.info.platform = *platform;
                s.prompts.remove(&PromptKind::UpgradeToFullClient);
            }),
            Event::CustomerAllowedAll { session } => {
                self.with_session(*session, |s| s.customer.allowed_all = true);
            }
            Event::InvitationSent { invitation, .. } => {
                self.saw_id(invitation.id.0);
                self.invitations.insert(invitation.id, invitation.clone());
            }
            Event::InvitationEnded { invitation, why } => {
                if let Some(i) = self.invitations.get_mut(invitation) {
                    i.state = InvitationState::Ended(*why);
                }
            }
            Event::TechnicianJoined {
                session,
                technician,
            } => self.with_session(*session, |s| {
                s.members.insert(*technician);
            }),
            Event::ExternalJoined { session, external } => {
                self.saw_id(external.id.0);
                self.with_session(*session, |s| {
                    s.externals.insert(external.id, external.clone());
                });
            }
            Event::MemberLeft {
                session, member, ..
            } => self.with_session(*session, |s| {
                match member {
                    Participant::Technician(t) => {
                        s.members.remove(t);
                        s.chat_pinned.remove(t);
                    }
                    Participant::External(e) => {
                        s.externals.remove(e);
                    }
                    Participant::Customer => {}
                }
                // A question asked by someone who is gone no longer has anyone to answer to.
                s.prompts.retain(|_, p| p.by != Some(*member));
            }),
            Event::CustomerConnectionLost { session, until } => {
                self.with_session(*session, |s| {
                    s.customer.link = CustomerLink::Reconnecting { until: *until };
                    // The client's shell and screen streams went with its connection.
                    s.screen = ScreenState::Off;
                    s.shell = false;
                });
            }
            Event::CustomerReconnected { session } => self.with_session(*session, |s| {
                s.customer.link = CustomerLink::Online;
            }),
            Event::CustomerDisconnected { session, why } => self.with_session(*session, |s| {
                s.customer.connected = false;
                s.customer.link = CustomerLink::Online;
                s.customer.gone = Some(*why);
                s.screen = ScreenState::Off;
                s.shell = false;
                s.prompts.clear();
            }),
            Event::SupportButtonDeployed { button, .. } => {
                self.saw_id(button.id.0);
                self.support_buttons.insert(button.id, button.clone());
            }
            Event::SupportButtonRemoved { button, .. } => {
                self.support_buttons.remove(button);
            }
            Event::JumpClientPinned { jump_client, .. } => {
                self.saw_id(jump_client.id.0);
                self.jump_clients
                    .insert(jump_client.id, jump_client.clone());
            }
            Event::JumpClientUnpinned { jump_client, .. } => {
                self.jump_clients.remove(jump_client);
            }
            Event::TeamCreated { team } => {
                self.saw_id(team.id.0);
                self.teams.insert(team.id, team.clone());
            }
            Event::TeamUpdated {
                team,
                name,
                description,
                enabled,
            } => {
                if let Some(t) = self.teams.get_mut(team) {
                    t.name.clone_from(name);
                    t.description.clone_from(description);
                    t.enabled = *enabled;
                }
            }
            Event::TeamMoved { team, parent } => {
                if let Some(t) = self.teams.get_mut(team) {
                    t.parent = *parent;
                }
            }
            Event::PermissionChanged { team, grant } => {
                if let Some(t) = self.teams.get_mut(team) {
                    t.permissions.apply(grant);
                }
            }
            Event::SecondFactorRequirementChanged { team, required } => {
                if let Some(t) = self.teams.get_mut(team) {
                    t.require_second_factor = *required;
                }
            }
            Event::PermissionLockChanged { team, key, locked } => {
                if let Some(t) = self.teams.get_mut(team) {
                    if *locked {
                        t.locks.insert(*key);
                    } else {
                        t.locks.remove(key);
                    }
                }
            }
            Event::TechnicianCreated { technician } => {
                self.saw_id(technician.id.0);
                self.technicians.insert(technician.id, technician.clone());
            }
            Event::TechnicianEnabledChanged {
                technician,
                enabled,
            } => {
                if let Some(t) = self.technicians.get_mut(technician) {
                    t.enabled = *enabled;
                    t.logged_in &= *enabled;
                }
            }
            // Their consoles are closed with their sign-ins.
            Event::PasswordReset { technician } | Event::TechnicianSignedOut { technician } => {
                if let Some(t) = self.technicians.get_mut(technician) {
                    t.logged_in = false;
                }
            }
            Event::TeamMembershipChanged {
                team,
                technician,
                member,
            } => {
                if let Some(t) = self.teams.get_mut(team) {
                    if *member {
                        t.members.insert(*technician);
                    } else {
                        t.members.remove(technician);
                    }
                }
                // Its creator's claim on a new account ends once it is in a group (G1, ours).
                if *member && let Some(t) = self.technicians.get_mut(technician) {
                    t.created_by = None;
                }
            }
            Event::SecurityPolicyCreated { policy } => {
                self.saw_id(policy.id.0);
                self.policies.insert(policy.id, policy.clone());
            }
            Event::SupportIssueCreated { issue } => {
                self.saw_id(issue.id.0);
                self.issues.insert(issue.id, issue.clone());
            }
            Event::ApprovedExternalAdded { person } => {
                self.saw_id(person.id.0);
                self.approved_externals.insert(person.id, person.clone());
            }
            Event::JumpGroupCreated { group } => {
                self.saw_id(group.id.0);
                self.jump_groups.insert(group.id, group.clone());
            }
            Event::ButtonProfileCreated { profile } => {
                self.saw_id(profile.id.0);
                self.button_profiles.insert(profile.id, profile.clone());
            }
            Event::SettingsChanged { settings } => self.settings = settings.clone(),
        }
    }

    fn with_session(&mut self, id: SessionId, change: impl FnOnce(&mut Session)) {
        if let Some(s) = self.sessions.get_mut(&id) {
            change(s);
        }
    }
}
