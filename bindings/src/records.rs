//! Records and enums shaped for the Kotlin screens, converted from the core's types. Ids keep
//! the core's types (`SessionId`, `TeamId`…, see `ids`): one cannot be passed for another here.
use tandem_core::client::{Connection, Mirror};
use tandem_core::domain::{
    Action, ActionState, ClientMode, CustomerGone, CustomerLink, ExternalInvitee, Invitation,
    InvitationState, Invitee, JumpLocation, Participant, Platform, QueueRef, ScreenState, Session,
    SessionStatus, Target, Timestamp,
};
use tandem_core::domain::{
    ExternalId, InvitationId, IssueId, JumpClientId, JumpGroupId, PolicyId, SessionId, TeamId,
    TechnicianId,
};
use tandem_core::protocol::ChatLine;

/// The connection to the appliance.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ConnectionState {
    /// Connecting; `attempt` failures since the last success.
    Connecting {
        /// Failed attempts.
        attempt: u32,
    },
    /// Live.
    Online,
    /// Not connected; retrying after a pause.
    Offline {
        /// Why.
        reason: String,
        /// In how many milliseconds.
        retry_in_ms: u64,
    },
}

/// A queue.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum QueueItem {
    /// A team's queue.
    Team {
        /// The team.
        team: TeamId,
    },
    /// A technician's personal queue.
    Personal {
        /// The technician.
        technician: TechnicianId,
    },
}

/// Someone in a session.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ParticipantItem {
    /// A technician.
    Technician {
        /// Their id.
        id: TechnicianId,
    },
    /// An external user.
    External {
        /// Their id.
        id: ExternalId,
    },
    /// The customer.
    Customer,
}

/// Where a session stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SessionStatusItem {
    /// Waiting in a queue.
    Queued {
        /// Which.
        queue: QueueItem,
    },
    /// Owned and going.
    Active,
    /// Closed.
    Ended,
}

/// A team.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TeamItem {
    /// Its id.
    pub id: TeamId,
    /// Its name.
    pub name: String,
    /// The team above it.
    pub parent: Option<TeamId>,
    /// Its members.
    pub members: Vec<TechnicianId>,
    /// Enabled (G2).
    pub enabled: bool,
}

/// A colleague.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TechnicianItem {
    /// Their id.
    pub id: TechnicianId,
    /// Their name.
    pub name: String,
    /// Logged in to a console.
    pub logged_in: bool,
    /// Reachable by mail (S3, S4).
    pub extended_availability: bool,
}

/// An external user in a session.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExternalItem {
    /// Their id.
    pub id: ExternalId,
    /// The name shown in chat.
    pub name: String,
    /// Who invited them.
    pub invited_by: TechnicianId,
}

/// The customer of a session.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerItem {
    /// Their name.
    pub name: String,
    /// Their computer's operating system.
    pub platform: Platform,
    /// What their client can do.
    pub mode: ClientMode,
    /// Still connected.
    pub connected: bool,
    /// Whether its client is reachable, or why not.
    pub link: CustomerLinkItem,
    /// While reconnecting: when the session stops waiting (ms since the epoch).
    pub waiting_until: Option<i64>,
}

/// Whether the customer's client is reachable, as the appliance recorded it (A3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CustomerLinkItem {
    /// Connected.
    Online,
    /// Its connection dropped; the session waits for it to come back.
    Reconnecting,
    /// Removed by a technician (M1) or by the session's end.
    Removed,
    /// The customer left.
    Left,
    /// It did not come back within the wait.
    ConnectionLost,
}

/// One chat line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChatItem {
    /// Its event number.
    pub seq: i64,
    /// When (ms since the epoch).
    pub at: i64,
    /// Who said it.
    pub from: ParticipantItem,
    /// What.
    pub text: String,
}

/// A session as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionItem {
    /// Its id.
    pub id: SessionId,
    /// Where it stands.
    pub status: SessionStatusItem,
    /// Its owner.
    pub owner: Option<TechnicianId>,
    /// Technicians in it besides the owner.
    pub members: Vec<TechnicianId>,
    /// External users in it.
    pub externals: Vec<ExternalItem>,
    /// The customer.
    pub customer: CustomerItem,
    /// Chat bar on (A2).
    pub chat_enabled: bool,
    /// Whether the screen is shared, and how.
    pub screen: ScreenState,
    /// Shell open.
    pub shell: bool,
    /// The chat so far.
    pub chat: Vec<ChatItem>,
    /// For an unattended session, the jump client it runs through (J1).
    pub jump_client: Option<JumpClientId>,
    /// Held by its owner (C2) and waiting in their queue to be resumed.
    pub held: bool,
}

/// Who an invitation is for.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum InviteeItem {
    /// One technician.
    Technician {
        /// Who.
        technician: TechnicianId,
    },
    /// Any member of a team (S2).
    AnyRepresentative {
        /// The team.
        team: TeamId,
    },
    /// Request Help (S1).
    HelpRequest {
        /// The issue.
        issue: IssueId,
        /// Its team.
        team: TeamId,
    },
    /// An external user (X1).
    External {
        /// Their name.
        name: String,
    },
}

/// An active invitation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InvitationItem {
    /// Its id.
    pub id: InvitationId,
    /// The session.
    pub session: SessionId,
    /// Who sent it.
    pub inviter: TechnicianId,
    /// Who it is for.
    pub invitee: InviteeItem,
}

/// A security policy for external users, with its full description (X2).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PolicyItem {
    /// Its id.
    pub id: PolicyId,
    /// Its name.
    pub name: String,
    /// Its full description.
    pub description: String,
}

/// A support issue that takes help requests (S1).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IssueItem {
    /// Its id.
    pub id: IssueId,
    /// Its name.
    pub name: String,
    /// The team help goes to.
    pub team: TeamId,
}

/// Everything a console shows now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsoleState {
    /// The signed-in technician.
    pub me: TechnicianId,
    /// The number of the last event applied.
    pub seq: i64,
    /// The connection.
    pub connection: ConnectionState,
    /// Teams.
    pub teams: Vec<TeamItem>,
    /// Colleagues.
    pub technicians: Vec<TechnicianItem>,
    /// Sessions the technician is in.
    pub sessions: Vec<SessionItem>,
    /// Sessions waiting in queues they can take.
    pub queued: Vec<SessionItem>,
    /// Active invitations addressed to them.
    pub incoming: Vec<InvitationItem>,
    /// Active invitations they sent.
    pub sent: Vec<InvitationItem>,
    /// Security policies.
    pub policies: Vec<PolicyItem>,
    /// Support issues taking help requests.
    pub issues: Vec<IssueItem>,
    /// Jump groups the technician belongs to (J1).
    pub jump_groups: Vec<NamedItem>,
    /// Support button profiles (B1).
    pub button_profiles: Vec<NamedItem>,
    /// Jump clients the technician may start unattended sessions through (J1): their personal
    /// ones and their jump groups'.
    pub jump_clients: Vec<JumpClientItem>,
    /// What the appliance told this technician alone (a mail not sent), oldest first.
    pub notices: Vec<NoticeItem>,
}

/// Something the appliance told the technician alone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NoticeItem {
    /// The number of the event that carried it.
    pub seq: i64,
    /// When (ms since the epoch).
    pub at: i64,
    /// What to tell them.
    pub text: String,
}

/// Where a jump client is pinned (J1).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum JumpLocationItem {
    /// A technician's personal list.
    Personal {
        /// Whose.
        technician: TechnicianId,
    },
    /// A jump group.
    Group {
        /// Which.
        group: JumpGroupId,
    },
}

/// A jump client the technician may use (J1).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JumpClientItem {
    /// Its id.
    pub id: JumpClientId,
    /// The name of the computer's user when it was pinned.
    pub name: String,
    /// Its operating system.
    pub platform: Platform,
    /// Where it is pinned.
    pub location: JumpLocationItem,
}

/// A session key for one customer: a key to type, or a link to open.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionKeyItem {
    /// What the customer types.
    pub key: String,
    /// The appliance the customer client joins with it.
    pub url: String,
    /// When it stops working (ms since the epoch).
    pub expires_at: i64,
}

/// Where this account stands with two-step sign-in (issue 26).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TwoStepItem {
    /// Sign-ins ask for the authenticator app's code.
    pub enabled: bool,
    /// Being set up: a key was handed out, not yet confirmed.
    pub pending: bool,
    /// One of the account's groups requires it.
    pub required: bool,
}

/// Two-step sign-in being set up: what goes into the authenticator app.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct TwoStepSetupItem {
    /// The key, in base32, to type into the app.
    pub secret: String,
    /// The `otpauth://` address a phone's authenticator app opens.
    pub url: String,
}

impl std::fmt::Debug for TwoStepSetupItem {
    // The key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TwoStepSetupItem(…)")
    }
}

/// Something chosen by name in a list: a jump group, a support button profile. Its id is a bare
/// number: the list it came from says which kind (`jump_groups`, `button_profiles`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NamedItem {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
}

/// A flyout action (A3).
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ActionKind {
    SendChat,
    ToggleChat,
    PinChat,
    ViewScreen,
    ControlScreen,
    CommandShell,
    SystemInfo,
    UpgradeToFullClient,
    ElevatePromptCustomer,
    ElevateProvideCredentials,
    TransferToTeam,
    TransferToTechnician,
    ShareWithTechnician,
    ShareAnyRepresentative,
    RequestHelp,
    InviteExternal,
    CancelInvitation,
    RemoveMember,
    DeploySupportButton,
    RemoveSupportButton,
    PinJumpClient,
    UnpinJumpClient,
    EndSession,
    HoldSession,
    LeaveSession,
}

impl From<Action> for ActionKind {
    fn from(a: Action) -> Self {
        use Action as A;
        match a {
            A::SendChat => Self::SendChat,
            A::ToggleChat => Self::ToggleChat,
            A::PinChat => Self::PinChat,
            A::ViewScreen => Self::ViewScreen,
            A::ControlScreen => Self::ControlScreen,
            A::CommandShell => Self::CommandShell,
            A::SystemInfo => Self::SystemInfo,
            A::UpgradeToFullClient => Self::UpgradeToFullClient,
            A::ElevatePromptCustomer => Self::ElevatePromptCustomer,
            A::ElevateProvideCredentials => Self::ElevateProvideCredentials,
            A::TransferToTeam => Self::TransferToTeam,
            A::TransferToTechnician => Self::TransferToTechnician,
            A::ShareWithTechnician => Self::ShareWithTechnician,
            A::ShareAnyRepresentative => Self::ShareAnyRepresentative,
            A::RequestHelp => Self::RequestHelp,
            A::InviteExternal => Self::InviteExternal,
            A::CancelInvitation => Self::CancelInvitation,
            A::RemoveMember => Self::RemoveMember,
            A::DeploySupportButton => Self::DeploySupportButton,
            A::RemoveSupportButton => Self::RemoveSupportButton,
            A::PinJumpClient => Self::PinJumpClient,
            A::UnpinJumpClient => Self::UnpinJumpClient,
            A::EndSession => Self::EndSession,
            A::HoldSession => Self::HoldSession,
            A::LeaveSession => Self::LeaveSession,
        }
    }
}

/// What an action can be aimed at.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TargetItem {
    /// A team.
    Team {
        /// Its id.
        id: TeamId,
    },
    /// A technician.
    Technician {
        /// Their id.
        id: TechnicianId,
    },
    /// A support issue.
    Issue {
        /// Its id.
        id: IssueId,
    },
    /// A security policy.
    Policy {
        /// Its id.
        id: PolicyId,
    },
    /// An invitation.
    Invitation {
        /// Its id.
        id: InvitationId,
    },
    /// Someone in the session.
    Member {
        /// Who.
        participant: ParticipantItem,
    },
    /// A queue.
    Queue {
        /// Which.
        queue: QueueItem,
    },
    /// The technician's own jump list.
    JumpPersonal {
        /// The technician.
        technician: TechnicianId,
    },
    /// A jump group.
    JumpGroup {
        /// Its id.
        group: JumpGroupId,
    },
}

/// One line of the flyout menu.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ActionItem {
    /// The action.
    pub action: ActionKind,
    /// Available now.
    pub enabled: bool,
    /// Why not, in words ("Only the session owner can transfer the session (T3)").
    pub reason: Option<String>,
    /// The rule behind it.
    pub rule: Option<String>,
    /// An action that would make it possible (E1: upgrade first).
    pub remedy: Option<ActionKind>,
    /// What it can be aimed at now.
    pub targets: Vec<TargetItem>,
}

/// An external invitation just sent (X2).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExternalInvitationItem {
    /// The one-time link, shown once: copy, share, or mailed by the appliance.
    pub link: String,
    /// The policy's name.
    pub policy_name: String,
    /// Its full description.
    pub policy_description: String,
    /// The appliance mails it itself (X3).
    pub mailed_by_appliance: bool,
}

/// What an appliance says before it is trusted, for the first-use prompt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FirstContactItem {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its public address.
    pub public_url: String,
    /// The fingerprint it announces.
    pub announced_fingerprint: Option<String>,
    /// The fingerprint of the certificate this connection saw: show it and pin it.
    pub presented_fingerprint: String,
}

pub(crate) fn queue(q: QueueRef) -> QueueItem {
    match q {
        QueueRef::Team(t) => QueueItem::Team { team: t },
        QueueRef::Personal(t) => QueueItem::Personal { technician: t },
    }
}

pub(crate) fn participant(p: Participant) -> ParticipantItem {
    match p {
        Participant::Technician(t) => ParticipantItem::Technician { id: t },
        Participant::External(e) => ParticipantItem::External { id: e },
        Participant::Customer => ParticipantItem::Customer,
    }
}

pub(crate) fn session(s: &Session, chat: &[ChatLine]) -> SessionItem {
    SessionItem {
        id: s.id,
        status: match s.status {
            SessionStatus::Queued(q) => SessionStatusItem::Queued { queue: queue(q) },
            SessionStatus::Active => SessionStatusItem::Active,
            SessionStatus::Ended => SessionStatusItem::Ended,
        },
        owner: s.owner,
        members: s.members.iter().copied().collect(),
        externals: s
            .externals
            .values()
            .map(|e| ExternalItem {
                id: e.id,
                name: e.name.clone(),
                invited_by: e.invited_by,
            })
            .collect(),
        customer: CustomerItem {
            name: s.customer.info.name.clone(),
            platform: s.customer.info.platform,
            mode: s.customer.info.mode,
            connected: s.customer.connected,
            link: match (s.customer.connected, s.customer.link, s.customer.gone) {
                (true, CustomerLink::Online, _) => CustomerLinkItem::Online,
                (true, CustomerLink::Reconnecting { .. }, _) => CustomerLinkItem::Reconnecting,
                (false, _, Some(CustomerGone::Left)) => CustomerLinkItem::Left,
                (false, _, Some(CustomerGone::ConnectionLost)) => CustomerLinkItem::ConnectionLost,
                (false, _, _) => CustomerLinkItem::Removed,
            },
            waiting_until: match s.customer.link {
                CustomerLink::Reconnecting { until } if s.customer.connected => {
                    i64::try_from(until.0).ok()
                }
                _ => None,
            },
        },
        chat_enabled: s.chat_enabled,
        screen: s.screen,
        shell: s.shell,
        jump_client: s.jump_client,
        held: s.held,
        chat: chat
            .iter()
            .map(|c| ChatItem {
                seq: c.seq,
                at: c.at,
                from: participant(c.from),
                text: c.text.clone(),
            })
            .collect(),
    }
}

fn invitation(i: &Invitation, mirror: &Mirror) -> InvitationItem {
    let invitee = match &i.invitee {
        Invitee::Technician(t) => InviteeItem::Technician { technician: *t },
        Invitee::AnyRepresentative(t) => InviteeItem::AnyRepresentative { team: *t },
        Invitee::HelpRequest { issue, team } => InviteeItem::HelpRequest {
            issue: *issue,
            team: *team,
        },
        Invitee::External { invitee, .. } => InviteeItem::External {
            name: match invitee {
                ExternalInvitee::Anyone { name, .. } => name.clone(),
                ExternalInvitee::Approved(p) => mirror
                    .state
                    .approved_externals
                    .get(p)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
            },
        },
    };
    InvitationItem {
        id: i.id,
        session: i.session,
        inviter: i.inviter,
        invitee,
    }
}

impl ConsoleState {
    /// What a console shows, from its mirror.
    pub(crate) fn from_mirror(m: &Mirror, now: Timestamp) -> Self {
        Self::build(m, now, true)
    }

    /// The same without any session's chat: what changes are compared on (chat goes by line).
    pub(crate) fn without_chat(m: &Mirror, now: Timestamp) -> Self {
        Self::build(m, now, false)
    }

    fn build(m: &Mirror, now: Timestamp, with_chat: bool) -> Self {
        let chat_of = |s: &Session| {
            if with_chat {
                m.chat.get(&s.id).map_or(&[][..], Vec::as_slice)
            } else {
                &[][..]
            }
        };
        let active = |i: &&Invitation| i.state == InvitationState::Active && i.is_active(now);
        Self {
            me: m.me,
            seq: m.seq,
            connection: match &m.connection {
                Connection::Connecting { attempt } => {
                    ConnectionState::Connecting { attempt: *attempt }
                }
                Connection::Online => ConnectionState::Online,
                Connection::Offline {
                    reason,
                    retry_in_ms,
                } => ConnectionState::Offline {
                    reason: reason.clone(),
                    retry_in_ms: *retry_in_ms,
                },
            },
            teams: m
                .state
                .teams
                .values()
                .map(|t| TeamItem {
                    id: t.id,
                    name: t.name.clone(),
                    parent: t.parent,
                    members: t.members.iter().copied().collect(),
                    enabled: m.state.team_enabled(t.id),
                })
                .collect(),
            technicians: m
                .state
                .technicians
                .values()
                .map(|t| TechnicianItem {
                    id: t.id,
                    name: t.name.clone(),
                    logged_in: t.logged_in,
                    extended_availability: t.extended_availability,
                })
                .collect(),
            sessions: m
                .state
                .sessions
                .values()
                .filter(|s| s.has_technician(m.me))
                .map(|s| session(s, chat_of(s)))
                .collect(),
            queued: m
                .state
                .sessions
                .values()
                .filter(|s| !s.has_technician(m.me) && matches!(s.status, SessionStatus::Queued(_)))
                .map(|s| session(s, chat_of(s)))
                .collect(),
            incoming: m
                .state
                .invitations
                .values()
                .filter(active)
                .filter(|i| i.inviter != m.me)
                .map(|i| invitation(i, m))
                .collect(),
            sent: m
                .state
                .invitations
                .values()
                .filter(active)
                .filter(|i| i.inviter == m.me)
                .map(|i| invitation(i, m))
                .collect(),
            // G1 (issue 26): the policies that serve this technician (a policy made for
            // another branch may reach the mirror through an event; it is not offered).
            policies: m
                .state
                .policies
                .values()
                .filter(|p| m.state.policy_serves(m.me, p))
                .map(|p| PolicyItem {
                    id: p.id,
                    name: p.name.clone(),
                    description: p.description.clone(),
                })
                .collect(),
            issues: m
                .state
                .issues
                .values()
                .filter(|i| i.allow_help_requests)
                .map(|i| IssueItem {
                    id: i.id,
                    name: i.name.clone(),
                    team: i.team,
                })
                .collect(),
            jump_groups: m
                .state
                .jump_groups
                .values()
                .filter(|g| g.members.contains(&m.me))
                .map(|g| NamedItem {
                    id: g.id.0,
                    name: g.name.clone(),
                })
                .collect(),
            button_profiles: m
                .state
                .button_profiles
                .values()
                .map(|p| NamedItem {
                    id: p.id.0,
                    name: p.name.clone(),
                })
                .collect(),
            jump_clients: m
                .state
                .jump_clients
                .values()
                .filter(|j| m.state.may_use_jump_location(m.me, j.location))
                .map(|j| JumpClientItem {
                    id: j.id,
                    name: j.name.clone(),
                    platform: j.platform,
                    location: match j.location {
                        JumpLocation::Personal(t) => JumpLocationItem::Personal { technician: t },
                        JumpLocation::Group(g) => JumpLocationItem::Group { group: g },
                    },
                })
                .collect(),
            notices: m
                .notices
                .iter()
                .map(|n| NoticeItem {
                    seq: n.seq,
                    at: n.at,
                    text: n.text.clone(),
                })
                .collect(),
        }
    }
}

pub(crate) fn target(t: Target) -> TargetItem {
    match t {
        Target::Team(x) => TargetItem::Team { id: x },
        Target::Technician(x) => TargetItem::Technician { id: x },
        Target::Issue(x) => TargetItem::Issue { id: x },
        Target::Policy(x) => TargetItem::Policy { id: x },
        Target::Invitation(x) => TargetItem::Invitation { id: x },
        Target::Participant(p) => TargetItem::Member {
            participant: participant(p),
        },
        Target::Queue(q) => TargetItem::Queue { queue: queue(q) },
        Target::JumpLocation(JumpLocation::Personal(t)) => {
            TargetItem::JumpPersonal { technician: t }
        }
        Target::JumpLocation(JumpLocation::Group(g)) => TargetItem::JumpGroup { group: g },
    }
}

pub(crate) fn action(line: ActionState, targets: Vec<Target>) -> ActionItem {
    ActionItem {
        action: line.action.into(),
        enabled: line.enabled(),
        // The rule travels on its own (`rule`): the screens add it once.
        reason: line.denial.as_ref().map(|d| d.reason.to_string()),
        rule: line.denial.as_ref().map(|d| d.rule.to_string()),
        remedy: line.remedy.map(Into::into),
        targets: targets.into_iter().map(target).collect(),
    }
}

/// The customer computer's system information.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SystemInfoItem {
    /// Operating system.
    pub os: String,
    /// Kernel version.
    pub kernel: String,
    /// Host name.
    pub host: String,
    /// The signed-in user.
    pub user: String,
    /// CPU model and logical CPUs.
    pub cpu: String,
    /// Logical CPUs.
    pub cpu_count: u32,
    /// Memory in MiB.
    pub memory_total_mib: u64,
    /// Memory in use in MiB.
    pub memory_used_mib: u64,
    /// Disks, one line each: mount point, free and total.
    pub disks: Vec<String>,
    /// Network interfaces, one line each: name and addresses.
    pub interfaces: Vec<String>,
}

impl From<tandem_core::protocol::SystemInfo> for SystemInfoItem {
    fn from(i: tandem_core::protocol::SystemInfo) -> Self {
        Self {
            os: i.os,
            kernel: i.kernel,
            host: i.host,
            user: i.user,
            cpu: i.cpu,
            cpu_count: i.cpu_count,
            memory_total_mib: i.memory_total_mib,
            memory_used_mib: i.memory_used_mib,
            disks: i
                .disks
                .iter()
                .map(|d| {
                    format!(
                        "{}: {} MiB free of {} MiB",
                        d.mount, d.available_mib, d.total_mib
                    )
                })
                .collect(),
            interfaces: i
                .interfaces
                .iter()
                .map(|n| format!("{}: {}", n.name, n.addresses.join(", ")))
                .collect(),
        }
    }
}
