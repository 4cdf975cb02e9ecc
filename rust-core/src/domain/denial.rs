//! Why a command was refused. A denial names the product rule behind it and reads as a sentence a
//! technician understands; the console shows it beside a greyed-out action (A3).
use super::action::Action;
use super::permission::Permission;
use super::rule::Rule;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A refusal by the product rules: "Only the session owner can transfer (T3)".
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("{reason} ({rule})")]
pub struct Denial {
    /// The rule that refuses.
    pub rule: Rule,
    /// What refuses, in words.
    pub reason: Reason,
}

impl Denial {
    /// A refusal under a rule.
    #[must_use]
    pub fn new(rule: Rule, reason: Reason) -> Self {
        Self { rule, reason }
    }
}

/// The reasons a command can be refused.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum Reason {
    // Who is asking.
    #[error("You are not in this session")]
    NotInSession,
    #[error("Only technicians can do this")]
    TechniciansOnly,
    #[error("Only a customer or someone holding a link can do this")]
    GuestsOnly,
    #[error("Only the customer can answer this")]
    CustomerOnly,
    #[error("External users can only chat, use the tools their policy allows, and leave")]
    ExternalCannot,
    #[error("Only the session owner can {}", .0.verb())]
    OwnerOnly(Action),
    #[error("Your groups do not allow you to {}", .0.verb())]
    NotPermitted(Permission),
    #[error("Your security policy does not allow you to {}", .0.verb())]
    PolicyDoesNotAllow(Permission),
    #[error("The security policy you were invited under does not allow you to {}", .0.verb())]
    PolicyForbids(Permission),

    // Where the session stands.
    #[error("The session has ended")]
    SessionEnded,
    #[error("The session is waiting in a queue and has no owner")]
    SessionQueued,
    #[error("The session is not waiting in a queue")]
    NotQueued,
    #[error("Only members of the team can take sessions from its queue")]
    NotInQueueTeam,
    #[error("Only the technician whose personal queue it is can take this session")]
    NotYourPersonalQueue,
    #[error("The customer is no longer connected")]
    CustomerGone,
    #[error("The customer's connection dropped; waiting for it to come back")]
    CustomerReconnecting,

    // The customer client.
    #[error("Only chat is available until the customer client is upgraded to the full client")]
    ClickToChatOnly,
    #[error("The customer already runs the full client")]
    AlreadyFullClient,
    #[error("The customer client already runs with administrative rights")]
    AlreadyElevated,
    #[error("Administrative elevation exists only for Windows, macOS and Linux customers")]
    PlatformCannotElevate,
    #[error("There is no such question waiting for the customer")]
    NoSuchPrompt,

    #[error("The command shell is not open")]
    ShellClosed,
    #[error("The customer's screen is not being shared")]
    ScreenNotShared,
    #[error("The customer shared their screen for viewing only")]
    ScreenViewOnly,

    // Chat.
    #[error("Chat is switched off for this session")]
    ChatOff,

    // Sharing and invitations.
    #[error("This technician is not logged in and has no extended availability")]
    NotListed,
    #[error("You may not share sessions with this technician's teams")]
    OutsideShareScope,
    #[error("No one in this team is logged in or has extended availability")]
    NoListedMember,
    #[error("No technician is available to invite")]
    NoOneToInvite,
    #[error("No team is available to invite")]
    NoTeamToInvite,
    #[error("No support issue takes help requests with anyone available")]
    NoHelpIssue,
    #[error("This support issue does not take help requests")]
    IssueTakesNoHelpRequests,
    #[error("This technician is already in the session")]
    AlreadyInSession,
    #[error("You are already in this session")]
    YouAreAlreadyInSession,
    #[error("You cannot invite or transfer to yourself")]
    Yourself,
    #[error("This person already has an active invitation to this session")]
    DuplicateInvitation,
    #[error("This invitation is no longer active")]
    InvitationInactive,
    /// A colleague accepted an invitation to any representative first (S2, S3).
    #[error("{0} took this session first")]
    TakenBy(String),
    #[error("This link has expired")]
    LinkExpired,
    #[error("This invitation is not for you")]
    NotForYou,
    #[error("External invitations are redeemed through their link")]
    ExternalLinkOnly,
    #[error("You have no active invitation to cancel")]
    NothingToCancel,
    #[error("No security policy for external users exists")]
    NoPolicy,
    #[error("You may invite only approved external users")]
    ApprovedOnly,
    #[error("Every approved external user already has an invitation, or none is approved")]
    NoApprovedExternal,

    // Transfer and membership.
    #[error("You may not transfer sessions to this team or technician")]
    OutsideTransferScope,
    #[error("This team is disabled")]
    TeamDisabled,
    #[error("No team or technician is available to transfer to")]
    NoTransferTarget,
    #[error("There is no one to remove")]
    NoOneToRemove,
    #[error("This cannot be chosen for this action")]
    WrongTarget,
    #[error("This person is not in the session")]
    NotAMember,
    #[error("The owner cannot be removed; transfer the session first")]
    CannotRemoveOwner,
    #[error("The owner ends, holds or transfers the session instead of leaving it")]
    OwnerCannotLeave,

    // Support button and jump client.
    #[error("A support button is already installed on this computer")]
    ButtonAlreadyDeployed,
    #[error("No support button is installed on this computer")]
    NoButton,
    #[error("The support button's expiration must lie in the future")]
    ExpiryInPast,
    #[error("No support button profile exists")]
    NoButtonProfile,
    #[error("This support button has expired")]
    ButtonExpired,
    #[error("Customers can be routed only to your own queue or to one of your teams' queues")]
    QueueNotYours,
    #[error("A jump client is already pinned to this computer")]
    AlreadyPinned,
    #[error("No jump client is pinned to this computer")]
    NotPinned,
    #[error("You can use only your own jump clients and those of your jump groups")]
    NoJumpAccess,

    // Administration.
    #[error("Only administrators can do this")]
    NotAdministrator,
    #[error("Only master administrators can do this")]
    MasterOnly,
    #[error("Administrators manage only the groups below the group they are assigned to")]
    OutsideAdminScope,
    #[error("A master administrator locked this permission")]
    Locked,
    #[error("This appliance has accounts already; administrators create new ones")]
    AlreadySetUp,
    #[error("An account with this e-mail address exists already")]
    EmailTaken,
    #[error(
        "Administrators manage only accounts whose groups are all below the group they are assigned to"
    )]
    AccountOutsideAdminScope,
    #[error("This account is disabled")]
    AccountDisabled,
    #[error("Not for your own account: another administrator can do this")]
    OwnAccount,
    #[error("Another one in the same list has this name already; lists tell them apart by name")]
    NameTaken,
    #[error("This person is approved already")]
    AlreadyApproved,
    #[error("This person is approved for another group's technicians")]
    ApprovedElsewhere,
    #[error(
        "Administrators read the reports of sessions of the technicians and groups below theirs only"
    )]
    SessionOutsideAdminScope,
}

/// Input that no rule could accept: empty names, oversized text.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum InvalidInput {
    /// A required text is empty.
    #[error("{0} must not be empty")]
    Empty(String),
    /// A text is too long.
    #[error("{field} must be at most {max} characters")]
    TooLong {
        /// Which text.
        field: String,
        /// The limit.
        max: usize,
    },
    /// An e-mail address without an @ and a domain.
    #[error("{0:?} is not an e-mail address")]
    Email(String),
    /// A team cannot be placed under itself.
    #[error("A team cannot be placed below itself")]
    Cycle,
    /// The session holds as much chat as a session may.
    #[error("This session's chat is full ({max_bytes} bytes); start a new session to chat on")]
    ChatFull {
        /// The limit.
        max_bytes: u64,
    },
}

/// The kinds of things a command can name.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entity {
    Team,
    Technician,
    Session,
    Invitation,
    External,
    Policy,
    Issue,
    ApprovedExternal,
    JumpGroup,
    JumpClient,
    SupportButton,
    ButtonProfile,
}

/// Why a command did not happen.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum CommandError {
    /// The rules refuse it.
    #[error(transparent)]
    Denied(#[from] Denial),
    /// It names something that does not exist.
    #[error("No {kind:?} with id {id} exists")]
    NotFound {
        /// What kind of thing.
        kind: Entity,
        /// The id given.
        id: u64,
    },
    /// Its input is malformed.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
}

/// Shorthand for a refusal under a rule.
pub(crate) fn deny<T>(rule: Rule, reason: Reason) -> Result<T, Denial> {
    Err(Denial::new(rule, reason))
}
