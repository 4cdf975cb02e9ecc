//! Typed identifiers. Each entity kind has its own id type so a team id can never be passed where
//! a technician id is expected. Ids are allocated by [`crate::domain::State`] from one counter, so
//! replaying the same events always yields the same ids.
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    /// A team (technician group) in the organisation tree.
    TeamId,
    /// A technician or administrator account.
    TechnicianId,
    /// A support session.
    SessionId,
    /// An invitation, internal or external.
    InvitationId,
    /// An external user who joined a session through a one-time invitation.
    ExternalId,
    /// A security policy for external users.
    PolicyId,
    /// A support issue that help requests are routed by.
    IssueId,
    /// A person approved for external invitations (X6).
    ApprovedExternalId,
    /// A jump group: technicians sharing access to pinned jump clients.
    JumpGroupId,
    /// A jump client pinned to a remote computer.
    JumpClientId,
    /// A support button deployed to a remote computer.
    SupportButtonId,
    /// A support button profile.
    ButtonProfileId,
);

/// A point in time in milliseconds since the Unix epoch. The domain never reads a clock: callers
/// pass the current time in, which keeps every decision deterministic and testable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// This time plus a number of milliseconds, saturating at the far future.
    #[must_use]
    pub fn plus_millis(self, millis: u64) -> Self {
        Self(self.0.saturating_add(millis))
    }
}
