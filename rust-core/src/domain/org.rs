//! The organisation: the team tree, technicians and what administrators configure.
use super::ids::{
    ApprovedExternalId, ButtonProfileId, IssueId, JumpGroupId, PolicyId, TeamId, TechnicianId,
};
use super::permission::{PermissionKey, PermissionSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A team (technician group, G2). Teams form a tree; every team has a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Its id.
    pub id: TeamId,
    /// The team above it, `None` at the top of the organisation tree.
    pub parent: Option<TeamId>,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// A disabled team, and every team below it, grants nothing and takes no sessions (G2).
    pub enabled: bool,
    /// What its members may do (G3).
    pub permissions: PermissionSet,
    /// Permissions a master administrator locked here: administrators cannot change them in this
    /// team or below it (G1).
    pub locks: BTreeSet<PermissionKey>,
    /// Its members.
    pub members: BTreeSet<TechnicianId>,
    /// Its members, and those of the groups below it, sign in with a second factor (a code from
    /// an authenticator app) besides their password (ours, issue 26).
    #[serde(default)]
    pub require_second_factor: bool,
}

/// What an account may administer (G1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Supports customers; administers nothing.
    Technician,
    /// Administers the teams below the team they are assigned to.
    Administrator {
        /// The team they are assigned to.
        team: TeamId,
    },
    /// Administers the whole organisation and can lock permissions.
    MasterAdministrator,
}

/// A technician (representative) account; administrators are technicians too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Technician {
    /// Its id.
    pub id: TechnicianId,
    /// The name others see.
    pub name: String,
    /// Where S4 notifications go.
    pub email: String,
    /// What they administer.
    pub role: Role,
    /// Logged in to a console right now (S3).
    pub logged_in: bool,
    /// Reachable by e-mail while not logged in (S3, S4).
    pub extended_availability: bool,
    /// May sign in (ours: an administrator disables an account rather than delete its history).
    /// Accounts stored before this existed are enabled.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// The administrator who created the account, until it is first put in a group (ours,
    /// G1): meanwhile only they or a master administrator may put it in one. None for the first
    /// account, for accounts stored before this existed, and once it has been in a group.
    #[serde(default)]
    pub created_by: Option<TechnicianId>,
}

fn enabled() -> bool {
    true
}

impl Technician {
    /// S3: listed for invitations while logged in or with extended availability on.
    #[must_use]
    pub fn is_listed(&self) -> bool {
        self.enabled && (self.logged_in || self.extended_availability)
    }
}

/// A security policy for external users (X2): administrators create it; it sets their permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    /// Its id.
    pub id: PolicyId,
    /// Its name.
    pub name: String,
    /// The full description shown once it is selected (X2).
    pub description: String,
    /// What an external user under it may do, at most (G4).
    pub permissions: PermissionSet,
    /// The group it serves: its technicians and those of the groups below it invite under it;
    /// `None`: everyone (G1, as approved external users).
    #[serde(default)]
    pub team: Option<TeamId>,
}

/// A support issue: Request Help routes by it (S1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportIssue {
    /// Its id.
    pub id: IssueId,
    /// Its name.
    pub name: String,
    /// The team help requests go to.
    pub team: TeamId,
    /// Only issues that allow help requests are offered (S1).
    pub allow_help_requests: bool,
}

/// A person approved for external invitations (X6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovedExternal {
    /// Its id.
    pub id: ApprovedExternalId,
    /// Their name.
    pub name: String,
    /// Their e-mail address.
    pub email: String,
    /// The team it belongs to (G1); `None`: the whole organisation's.
    #[serde(default)]
    pub team: Option<TeamId>,
}

/// A jump group: its members can use the jump clients pinned to it (J1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JumpGroup {
    /// Its id.
    pub id: JumpGroupId,
    /// Its name.
    pub name: String,
    /// Who may pin to it and use its jump clients.
    pub members: BTreeSet<TechnicianId>,
    /// The team it belongs to (G1); `None`: the whole organisation's.
    #[serde(default)]
    pub team: Option<TeamId>,
}

/// A support button profile (B1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonProfile {
    /// Its id.
    pub id: ButtonProfileId,
    /// Its name.
    pub name: String,
    /// The team it belongs to (G1); `None`: the whole organisation's.
    #[serde(default)]
    pub team: Option<TeamId>,
}

/// Organisation-wide settings administrators choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Settings {
    /// X3: the appliance may e-mail external invitations itself.
    pub appliance_sends_external_invitations: bool,
    /// E4: a Windows full client asks for elevation as soon as the session starts.
    pub auto_elevate_windows: bool,
}
