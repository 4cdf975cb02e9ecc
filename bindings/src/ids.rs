//! The core's typed ids across the boundary, as uniffi custom types over `u64` (remote: the core
//! has no uniffi). In Rust a team id cannot be passed where a session id goes; the generated
//! Kotlin names each (`typealias SessionId = ULong`), so every signature and field says which
//! id it takes. Kotlin's compiler treats a type alias as its number, so the console's own api
//! keeps its ids apart by name and by the mapping in console-impl, the one place that reads them.
use tandem_core::domain::{
    ExternalId, InvitationId, IssueId, JumpClientId, JumpGroupId, PolicyId, SessionId, TeamId,
    TechnicianId,
};

macro_rules! id_across_the_boundary {
    ($($id:ident),* $(,)?) => {$(
        uniffi::custom_type!($id, u64, {
            remote,
            lower: |id| id.0,
            try_lift: |n| Ok($id(n)),
        });
    )*};
}

id_across_the_boundary!(
    TeamId,
    TechnicianId,
    SessionId,
    InvitationId,
    ExternalId,
    PolicyId,
    IssueId,
    JumpGroupId,
    JumpClientId,
);
