//! The flyout menu's actions (A3) and their targets: what the console lists and greys out.
use super::command::Participant;
use super::denial::Denial;
use super::ids::{InvitationId, IssueId, PolicyId, TeamId, TechnicianId};
use super::session::{JumpLocation, QueueRef};
use serde::{Deserialize, Serialize};

/// An action of a session's flyout menu.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Action {
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

impl Action {
    /// Every action, in menu order.
    pub const ALL: [Action; 25] = [
        Self::SendChat,
        Self::ToggleChat,
        Self::PinChat,
        Self::ViewScreen,
        Self::ControlScreen,
        Self::CommandShell,
        Self::SystemInfo,
        Self::UpgradeToFullClient,
        Self::ElevatePromptCustomer,
        Self::ElevateProvideCredentials,
        Self::TransferToTeam,
        Self::TransferToTechnician,
        Self::ShareWithTechnician,
        Self::ShareAnyRepresentative,
        Self::RequestHelp,
        Self::InviteExternal,
        Self::CancelInvitation,
        Self::RemoveMember,
        Self::DeploySupportButton,
        Self::RemoveSupportButton,
        Self::PinJumpClient,
        Self::UnpinJumpClient,
        Self::EndSession,
        Self::HoldSession,
        Self::LeaveSession,
    ];

    /// What the action does, as the end of "Only the session owner can …".
    #[must_use]
    pub fn verb(self) -> &'static str {
        match self {
            Self::SendChat => "chat",
            Self::ToggleChat => "switch chat on or off",
            Self::PinChat => "pin the chat bar",
            Self::ViewScreen => "view the remote screen",
            Self::ControlScreen => "control the remote screen",
            Self::CommandShell => "open a command shell",
            Self::SystemInfo => "view system information",
            Self::UpgradeToFullClient => "upgrade to the full client",
            Self::ElevatePromptCustomer | Self::ElevateProvideCredentials => "elevate the client",
            Self::TransferToTeam | Self::TransferToTechnician => "transfer the session",
            Self::ShareWithTechnician | Self::ShareAnyRepresentative | Self::RequestHelp => {
                "invite technicians"
            }
            Self::InviteExternal => "invite external users",
            Self::CancelInvitation => "cancel invitations",
            Self::RemoveMember => "remove members",
            Self::DeploySupportButton => "deploy a support button",
            Self::RemoveSupportButton => "remove the support button",
            Self::PinJumpClient => "pin a jump client",
            Self::UnpinJumpClient => "unpin the jump client",
            Self::EndSession => "end the session for everyone; others leave it",
            Self::HoldSession => "hold the session",
            Self::LeaveSession => "leave the session",
        }
    }

    /// Whether the action needs a chosen target (a team, a technician, a member …).
    #[must_use]
    pub fn is_targeted(self) -> bool {
        matches!(
            self,
            Self::TransferToTeam
                | Self::TransferToTechnician
                | Self::ShareWithTechnician
                | Self::ShareAnyRepresentative
                | Self::RequestHelp
                | Self::InviteExternal
                | Self::CancelInvitation
                | Self::RemoveMember
                | Self::DeploySupportButton
                | Self::PinJumpClient
        )
    }
}

/// What a targeted action is aimed at.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Target {
    Team(TeamId),
    Technician(TechnicianId),
    Issue(IssueId),
    Policy(PolicyId),
    Invitation(InvitationId),
    Participant(Participant),
    Queue(QueueRef),
    JumpLocation(JumpLocation),
}

/// One line of the flyout menu: the action, and why it is greyed out if it is (A3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionState {
    /// The action.
    pub action: Action,
    /// `None` when the action is available; otherwise the reason it is not.
    pub denial: Option<Denial>,
    /// Another action that would make this one possible (E1, E3: "elevate first").
    pub remedy: Option<Action>,
}

impl ActionState {
    /// Whether the action is available now.
    #[must_use]
    pub fn enabled(&self) -> bool {
        self.denial.is_none()
    }
}
