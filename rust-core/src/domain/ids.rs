//! Typed identifiers. Each entity kind has its own id type so a team id can never be passed where
//! a technician id is expected. Ids are allocated by [`crate::domain::State`] from one counter, so
//! replaying the same events always yields the same ids.
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(IdVisitor).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

/// Reads an id from a number, or from a string of digits: JSON object keys are strings, and
/// serde hands them over as such wherever it buffers (tagged enums), so ids used as map keys
/// must accept both.
struct IdVisitor;

impl serde::de::Visitor<'_> for IdVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id: a non-negative whole number")
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom("an id cannot be negative"))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<u64, E> {
        v.parse()
            .map_err(|_| E::custom(format!("{v:?} is not an id")))
    }
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
