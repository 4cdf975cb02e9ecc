//! The product rules (ids A1…G4, see [`Rule`]), as a pure, synchronous, deterministic model.
//!
//! No I/O and no clock: callers pass the current time in. One entry point,
//! [`State::execute`], checks any [`Command`] by any [`Actor`] and returns the [`Event`]s it
//! caused or a [`CommandError`] (a [`Denial`] names the rule and reads as a sentence). The
//! appliance enforces the rules by calling it; consoles call [`State::available_actions`] only to
//! grey out what would be refused (A3). Both run the same checks, so they cannot disagree.
mod action;
mod admin;
mod checks;
mod command;
mod denial;
mod disabled;
mod event;
mod ids;
mod invitation;
mod link;
mod names;
mod org;
mod permission;
mod plan;
mod rule;
mod scope;
mod session;
mod sight;
mod state;

pub use action::{Action, ActionState, Target};
pub use command::{Actor, AdminCommand, Command};
pub use denial::{CommandError, Denial, Entity, InvalidInput, Reason};
pub use event::{Event, LeaveReason, ReleaseReason};
pub use ids::{
    ApprovedExternalId, ButtonProfileId, ExternalId, InvitationId, IssueId, JumpClientId,
    JumpGroupId, PolicyId, SessionId, SupportButtonId, TeamId, TechnicianId, Timestamp,
};
pub use invitation::{
    EXTERNAL_INVITATION_LIFETIME_MS, ExternalInvitee, Invitation, InvitationEnd, InvitationState,
    Invitee,
};
pub use org::{
    ApprovedExternal, ButtonProfile, JumpGroup, Role, SecurityPolicy, Settings, SupportIssue, Team,
    Technician,
};
pub use permission::{
    ExternalScope, Permission, PermissionGrant, PermissionKey, PermissionSet, TeamScope,
};
pub use plan::{MAX_CHAT_BYTES_PER_SESSION, MAX_CHAT_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS};
pub use rule::Rule;
pub use scope::AdminScope;
pub use session::{
    ClientMode, Customer, CustomerGone, CustomerInfo, CustomerLink, ElevationMethod,
    ExternalMember, JumpClient, JumpLocation, Participant, PendingPrompt, Platform, PromptKind,
    QueueRef, ScreenState, Session, SessionStatus, SupportButton, Tool,
};
pub use state::State;
