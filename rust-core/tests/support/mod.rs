//! A small organisation for the rule tests, built only through commands as an administrator
//! would build it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use tandem_core::domain::*;

pub const HOUR: u64 = 60 * 60 * 1000;

/// The organisation:
/// - Support (root) with Tier 1 (alice, bob, erin) and Tier 2 (carol) below it; Field (dave).
/// - tom administers the groups below Support; mia is the master administrator.
/// - policies: "View only" and "Full access"; issues: Printer (Tier 2, takes help requests),
///   Billing (Tier 1, does not); jump group Servers {alice, carol}; button profile Default.
#[derive(Debug)]
pub struct World {
    pub state: State,
    pub now: Timestamp,
    pub mia: TechnicianId,
    pub tom: TechnicianId,
    pub alice: TechnicianId,
    pub bob: TechnicianId,
    pub carol: TechnicianId,
    pub dave: TechnicianId,
    pub erin: TechnicianId,
    pub support: TeamId,
    pub tier1: TeamId,
    pub tier2: TeamId,
    pub field: TeamId,
    pub view_only: PolicyId,
    pub full_access: PolicyId,
    pub printer: IssueId,
    pub billing: IssueId,
    pub servers: JumpGroupId,
    pub profile: ButtonProfileId,
}

pub fn tech(t: TechnicianId) -> Actor {
    Actor::Technician(t)
}

pub fn customer(name: &str, platform: Platform, mode: ClientMode) -> CustomerInfo {
    CustomerInfo {
        name: name.into(),
        machine: format!("{name}-pc"),
        platform,
        mode,
    }
}

/// The id the first event of this kind created.
fn created<T>(events: &[Event], pick: impl Fn(&Event) -> Option<T>) -> T {
    events
        .iter()
        .find_map(pick)
        .expect("the command created something")
}

impl World {
    pub fn new() -> Self {
        let (state, mia) = State::bootstrap("Mia", "mia@example.com");
        let mut w = Self {
            state,
            now: Timestamp(1_700_000_000_000),
            mia,
            tom: mia,
            alice: mia,
            bob: mia,
            carol: mia,
            dave: mia,
            erin: mia,
            support: TeamId(0),
            tier1: TeamId(0),
            tier2: TeamId(0),
            field: TeamId(0),
            view_only: PolicyId(0),
            full_access: PolicyId(0),
            printer: IssueId(0),
            billing: IssueId(0),
            servers: JumpGroupId(0),
            profile: ButtonProfileId(0),
        };
        let m = tech(mia);
        w.support = w.team(m, None, "Support");
        w.tier1 = w.team(m, Some(w.support), "Tier 1");
        w.tier2 = w.team(m, Some(w.support), "Tier 2");
        w.field = w.team(m, None, "Field");
        for team in [w.support, w.tier1, w.tier2, w.field] {
            w.ok(
                m,
                Command::Admin(AdminCommand::SetPermission {
                    team,
                    grant: PermissionGrant::TransferScope(TeamScope::Any),
                }),
            );
        }
        w.tom = w.technician("Tom", Role::Administrator { team: w.support });
        w.alice = w.technician("Alice", Role::Technician);
        w.bob = w.technician("Bob", Role::Technician);
        w.carol = w.technician("Carol", Role::Technician);
        w.dave = w.technician("Dave", Role::Technician);
        w.erin = w.technician("Erin", Role::Technician);
        for (team, who) in [
            (w.tier1, w.alice),
            (w.tier1, w.bob),
            (w.tier1, w.erin),
            (w.tier2, w.carol),
            (w.field, w.dave),
        ] {
            w.ok(
                m,
                Command::Admin(AdminCommand::SetTeamMember {
                    team,
                    technician: who,
                    member: true,
                }),
            );
        }
        for t in [w.alice, w.bob, w.carol, w.dave] {
            w.ok(tech(t), Command::SetLoggedIn { logged_in: true });
        }
        w.ok(tech(w.erin), Command::SetExtendedAvailability { on: true });
        w.view_only = created(
            &w.ok(
                m,
                Command::Admin(AdminCommand::CreateSecurityPolicy {
                    name: "View only".into(),
                    description: "Sees the screen and chats; cannot control.".into(),
                    permissions: PermissionSet::with([
                        Permission::DesktopViewing,
                        Permission::ChatAtSessionStart,
                    ]),
                    team: None,
                }),
            ),
            |e| match e {
                Event::SecurityPolicyCreated { policy } => Some(policy.id),
                _ => None,
            },
        );
        w.full_access = created(
            &w.ok(
                m,
                Command::Admin(AdminCommand::CreateSecurityPolicy {
                    name: "Full access".into(),
                    description: "Everything the inviting technician may do.".into(),
                    permissions: PermissionSet::all(),
                    team: None,
                }),
            ),
            |e| match e {
                Event::SecurityPolicyCreated { policy } => Some(policy.id),
                _ => None,
            },
        );
        w.printer = w.issue("Printer", w.tier2, true);
        w.billing = w.issue("Billing", w.tier1, false);
        w.servers = created(
            &w.ok(
                m,
                Command::Admin(AdminCommand::CreateJumpGroup {
                    name: "Servers".into(),
                    members: BTreeSet::from([w.alice, w.carol]),
                    team: None,
                }),
            ),
            |e| match e {
                Event::JumpGroupCreated { group } => Some(group.id),
                _ => None,
            },
        );
        w.profile = created(
            &w.ok(
                m,
                Command::Admin(AdminCommand::CreateButtonProfile {
                    name: "Default".into(),
                    team: None,
                }),
            ),
            |e| match e {
                Event::ButtonProfileCreated { profile } => Some(profile.id),
                _ => None,
            },
        );
        w
    }

    pub fn team(&mut self, by: Actor, parent: Option<TeamId>, name: &str) -> TeamId {
        let events = self.ok(
            by,
            Command::Admin(AdminCommand::CreateTeam {
                parent,
                name: name.into(),
                description: String::new(),
            }),
        );
        let team = created(&events, |e| match e {
            Event::TeamCreated { team } => Some(team.id),
            _ => None,
        });
        for p in Permission::ALL {
            self.ok(
                by,
                Command::Admin(AdminCommand::SetPermission {
                    team,
                    grant: PermissionGrant::Flag(p, true),
                }),
            );
        }
        team
    }

    fn technician(&mut self, name: &str, role: Role) -> TechnicianId {
        let email = format!("{}@example.com", name.to_lowercase());
        let events = self.ok(
            tech(self.mia),
            Command::Admin(AdminCommand::CreateTechnician {
                name: name.into(),
                email,
                role,
            }),
        );
        created(&events, |e| match e {
            Event::TechnicianCreated { technician } => Some(technician.id),
            _ => None,
        })
    }

    fn issue(&mut self, name: &str, team: TeamId, allow_help_requests: bool) -> IssueId {
        let events = self.ok(
            tech(self.mia),
            Command::Admin(AdminCommand::CreateSupportIssue {
                name: name.into(),
                team,
                allow_help_requests,
            }),
        );
        created(&events, |e| match e {
            Event::SupportIssueCreated { issue } => Some(issue.id),
            _ => None,
        })
    }

    /// Run a command; on refusal the state must be exactly as before.
    pub fn run(&mut self, actor: Actor, command: Command) -> Result<Vec<Event>, CommandError> {
        let before = self.state.clone();
        let result = self.state.execute(actor, &command, self.now);
        if result.is_err() {
            assert_eq!(before, self.state, "a refused command changed the state");
        }
        result
    }

    /// Run a command that must be accepted.
    pub fn ok(&mut self, actor: Actor, command: Command) -> Vec<Event> {
        let shown = format!("{command:?} by {actor:?}");
        self.run(actor, command)
            .unwrap_or_else(|e| panic!("{shown} was refused: {e}"))
    }

    /// Run a command that must be refused, and return the denial.
    pub fn denied(&mut self, actor: Actor, command: Command) -> Denial {
        let shown = format!("{command:?} by {actor:?}");
        match self.run(actor, command) {
            Err(CommandError::Denied(d)) => d,
            other => panic!("{shown} should have been denied, got {other:?}"),
        }
    }

    pub fn set(&mut self, team: TeamId, p: Permission, on: bool) {
        self.ok(
            tech(self.mia),
            Command::Admin(AdminCommand::SetPermission {
                team,
                grant: PermissionGrant::Flag(p, on),
            }),
        );
    }

    /// A customer joins a queue; returns the session.
    pub fn arrive(&mut self, queue: QueueRef, who: CustomerInfo) -> SessionId {
        let events = self.ok(
            Actor::Guest,
            Command::StartSession {
                queue,
                customer: who,
            },
        );
        created(&events, |e| match e {
            Event::SessionStarted { session, .. } => Some(*session),
            _ => None,
        })
    }

    /// A Windows full-client customer in Tier 1's queue, taken by `owner`.
    pub fn session_owned_by(&mut self, owner: TechnicianId) -> SessionId {
        self.session_with(owner, customer("Kim", Platform::Windows, ClientMode::Full))
    }

    pub fn session_with(&mut self, owner: TechnicianId, who: CustomerInfo) -> SessionId {
        let s = self.arrive(QueueRef::Personal(owner), who);
        self.ok(tech(owner), Command::AcceptFromQueue { session: s });
        s
    }

    /// `by`, the owner, invites technician `who` (S1).
    pub fn invite(&mut self, s: SessionId, by: TechnicianId, who: TechnicianId) -> InvitationId {
        let events = self.ok(
            tech(by),
            Command::InviteTechnician {
                session: s,
                technician: who,
            },
        );
        Self::invitation_id(&events)
    }

    /// `by`, the owner, invites technician `who`, who accepts and joins as a member (S1, S4).
    pub fn join(&mut self, s: SessionId, by: TechnicianId, who: TechnicianId) {
        let invitation = self.invite(s, by, who);
        self.ok(tech(who), Command::AcceptInvitation { invitation });
    }

    /// `by` disables `who`'s account (G1).
    pub fn disable(&mut self, by: TechnicianId, who: TechnicianId) -> Vec<Event> {
        self.ok(
            tech(by),
            Command::Admin(AdminCommand::SetTechnicianEnabled {
                technician: who,
                enabled: false,
            }),
        )
    }

    pub fn session(&self, s: SessionId) -> &Session {
        &self.state.sessions[&s]
    }

    /// Whether a session ended: it left the live state (C1).
    pub fn has_ended(&self, s: SessionId) -> bool {
        !self.state.sessions.contains_key(&s)
    }

    pub fn action(&self, actor: Actor, s: SessionId, action: Action) -> ActionState {
        self.state
            .available_actions(actor, s, self.now)
            .into_iter()
            .find(|a| a.action == action)
            .unwrap()
    }

    pub fn invitation_id(events: &[Event]) -> InvitationId {
        created(events, |e| match e {
            Event::InvitationSent { invitation, .. } => Some(invitation.id),
            _ => None,
        })
    }

    pub fn invite_external(
        &mut self,
        s: SessionId,
        by: TechnicianId,
        policy: PolicyId,
        name: &str,
    ) -> InvitationId {
        let events = self.ok(
            tech(by),
            Command::InviteExternal {
                session: s,
                policy,
                invitee: ExternalInvitee::Anyone {
                    name: name.into(),
                    email: Some(format!("{name}@partner.example")),
                },
                comments: "Knows the accounting software".into(),
            },
        );
        Self::invitation_id(&events)
    }

    pub fn redeem(&mut self, invitation: InvitationId) -> ExternalId {
        let events = self.ok(Actor::Guest, Command::RedeemExternal { invitation });
        created(&events, |e| match e {
            Event::ExternalJoined { external, .. } => Some(external.id),
            _ => None,
        })
    }

    /// An external user invited by `by` under `policy` who has redeemed the link.
    pub fn external(
        &mut self,
        s: SessionId,
        by: TechnicianId,
        policy: PolicyId,
        name: &str,
    ) -> ExternalId {
        let invitation = self.invite_external(s, by, policy, name);
        self.redeem(invitation)
    }

    pub fn invitation(&self, id: InvitationId) -> &Invitation {
        &self.state.invitations[&id]
    }

    /// The customer accepts whatever question is waiting of this kind.
    pub fn customer_answers(
        &mut self,
        s: SessionId,
        prompt: PromptKind,
        accepted: bool,
    ) -> Vec<Event> {
        self.ok(
            Actor::Customer(s),
            Command::AnswerPrompt {
                session: s,
                prompt,
                accepted,
            },
        )
    }
}
