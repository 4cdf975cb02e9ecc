//! Everything anyone can ask of the domain, and who is asking.
use super::ids::{
    ButtonProfileId, ExternalId, InvitationId, IssueId, JumpClientId, PolicyId, SessionId,
    SupportButtonId, TeamId, TechnicianId, Timestamp,
};
use super::invitation::ExternalInvitee;
use super::org::{Role, Settings};
use super::permission::{PermissionGrant, PermissionKey, PermissionSet};
pub use super::session::Participant;
use super::session::{CustomerInfo, ElevationMethod, JumpLocation, Platform, PromptKind, QueueRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who asks. The appliance authenticates the caller and names the actor; the domain decides what
/// that actor may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// A signed-in technician or administrator.
    Technician(TechnicianId),
    /// An external user inside the session they were invited to.
    External(ExternalId),
    /// The customer of a session, through the customer client.
    Customer(SessionId),
    /// Someone not yet in any session: a customer with a session key or support button, or an
    /// external user holding a one-time link.
    Guest,
}

/// A command. Each goes through [`crate::domain::State::execute`], which checks it and returns
/// the events it caused or a denial.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    // Presence (S3, S4).
    SetLoggedIn {
        logged_in: bool,
    },
    SetExtendedAvailability {
        on: bool,
    },

    // Sessions arriving and being taken.
    /// A customer joins a queue (by session key or link).
    StartSession {
        queue: QueueRef,
        customer: CustomerInfo,
    },
    /// A customer presses a deployed support button (B1).
    StartSessionFromButton {
        button: SupportButtonId,
        customer: CustomerInfo,
    },
    /// A technician starts an unattended session through a jump client (J1).
    StartJumpSession {
        jump_client: JumpClientId,
    },
    /// A technician takes a session from a queue.
    AcceptFromQueue {
        session: SessionId,
    },

    // Session tools (A1, A2, E1–E4).
    SendChat {
        session: SessionId,
        text: String,
    },
    SetChat {
        session: SessionId,
        enabled: bool,
    },
    SetChatPinned {
        session: SessionId,
        pinned: bool,
    },
    StartScreen {
        session: SessionId,
        control: bool,
    },
    StopScreen {
        session: SessionId,
    },
    StartShell {
        session: SessionId,
    },
    StopShell {
        session: SessionId,
    },
    ViewSystemInfo {
        session: SessionId,
    },
    UpgradeToFullClient {
        session: SessionId,
    },
    Elevate {
        session: SessionId,
        method: ElevationMethod,
    },
    /// The full customer client joins a click-to-chat session in the browser's place (E1):
    /// the appliance issues this when a client presents the session's one-time download
    /// credential, never on a client's say-so (the commands endpoint refuses it).
    StartFullClient {
        session: SessionId,
        /// The computer the client runs on, as the client reports it (shown, never proof).
        machine: String,
        platform: Platform,
    },
    /// The customer (or, for Provide Credentials, the customer client) answers a prompt.
    AnswerPrompt {
        session: SessionId,
        prompt: PromptKind,
        accepted: bool,
    },

    // Sharing (S1–S7) and external users (X1–X6).
    InviteTechnician {
        session: SessionId,
        technician: TechnicianId,
    },
    InviteAnyRepresentative {
        session: SessionId,
        team: TeamId,
    },
    RequestHelp {
        session: SessionId,
        issue: IssueId,
    },
    InviteExternal {
        session: SessionId,
        policy: PolicyId,
        invitee: ExternalInvitee,
        comments: String,
    },
    CancelInvitation {
        invitation: InvitationId,
    },
    AcceptInvitation {
        invitation: InvitationId,
    },
    DeclineInvitation {
        invitation: InvitationId,
    },
    /// Someone opens a one-time external link (X4).
    RedeemExternal {
        invitation: InvitationId,
    },

    // Ownership and membership (T1–T3, M1, C1–C3).
    TransferToTeam {
        session: SessionId,
        team: TeamId,
    },
    TransferToTechnician {
        session: SessionId,
        technician: TechnicianId,
    },
    RemoveMember {
        session: SessionId,
        member: Participant,
    },
    EndSession {
        session: SessionId,
    },
    HoldSession {
        session: SessionId,
    },
    LeaveSession {
        session: SessionId,
    },

    // Support button and jump client (B1, J1).
    DeploySupportButton {
        session: SessionId,
        name: String,
        expires_at: Timestamp,
        profile: ButtonProfileId,
        queue: QueueRef,
    },
    RemoveSupportButton {
        session: SessionId,
    },
    PinJumpClient {
        session: SessionId,
        location: JumpLocation,
    },
    UnpinJumpClient {
        session: SessionId,
    },

    /// The first account of a new appliance: a master administrator, accepted only while no
    /// account exists (G1).
    Bootstrap {
        name: String,
        email: String,
    },
    /// Administration (G1–G3, X2, X6, S1, J1, B1).
    Admin(AdminCommand),
}

/// What administrators do: the team tree, permissions and locks, accounts, and what sessions use.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdminCommand {
    CreateTeam {
        parent: Option<TeamId>,
        name: String,
        description: String,
    },
    UpdateTeam {
        team: TeamId,
        name: String,
        description: String,
        enabled: bool,
    },
    /// G2: move a team (and everything below it) under another, or to the top (`None`, master
    /// administrators only).
    MoveTeam {
        team: TeamId,
        parent: Option<TeamId>,
    },
    SetPermission {
        team: TeamId,
        grant: PermissionGrant,
    },
    LockPermission {
        team: TeamId,
        key: PermissionKey,
        locked: bool,
    },
    /// Require a second factor at sign-in of the team's technicians and those below it (ours).
    RequireSecondFactor {
        team: TeamId,
        required: bool,
    },
    CreateTechnician {
        name: String,
        email: String,
        role: Role,
    },
    SetTeamMember {
        team: TeamId,
        technician: TechnicianId,
        member: bool,
    },
    /// Disable an account (it can no longer sign in, and every sign-in of it ends) or enable it
    /// again.
    SetTechnicianEnabled {
        technician: TechnicianId,
        enabled: bool,
    },
    /// Give an account a new password (the appliance carries it beside the command, never in
    /// it); every sign-in of the account ends.
    ResetPassword {
        technician: TechnicianId,
    },
    /// End every sign-in of an account: its consoles and its administration pages.
    SignOutEverywhere {
        technician: TechnicianId,
    },
    /// G1 (issue 26): `team` is the group it serves (its technicians and those below may invite
    /// under it), as for [`AdminCommand::AddApprovedExternal`]; `None` (the whole organisation)
    /// is for master administrators.
    CreateSecurityPolicy {
        name: String,
        description: String,
        permissions: PermissionSet,
        #[serde(default)]
        team: Option<TeamId>,
    },
    CreateSupportIssue {
        name: String,
        team: TeamId,
        allow_help_requests: bool,
    },
    /// G1: `team` is the team it belongs to; administrators below the top must name one within
    /// their scope; `None` (organisation-wide) is for master administrators.
    AddApprovedExternal {
        name: String,
        email: String,
        #[serde(default)]
        team: Option<TeamId>,
    },
    /// G1: as [`AdminCommand::AddApprovedExternal`]; a scoped group's members must belong to
    /// teams within that team's subtree.
    CreateJumpGroup {
        name: String,
        members: BTreeSet<TechnicianId>,
        #[serde(default)]
        team: Option<TeamId>,
    },
    /// G1: as [`AdminCommand::AddApprovedExternal`].
    CreateButtonProfile {
        name: String,
        #[serde(default)]
        team: Option<TeamId>,
    },
    UpdateSettings {
        settings: Settings,
    },
}
